//! Training scenarios: guided exercises built from the troubleshooting pages.
//!
//! A [`Scenario`] is data (JSON through serde), so a trainer can write new ones and load them
//! from a file: it sets up a simulated fleet from a seed, states an objective, and names the
//! [`Goal`]s that decide whether the trainee fixed it. Goals are checked against the simulated
//! state (which connectors run, what the login policy allows), never against which buttons
//! were clicked. An [`Attempt`] records the time taken and the hints used.

use serde::{Deserialize, Serialize};

use crate::advice::recommended_connectors;
use crate::caseless;
use crate::config::ConfigEntry;
use crate::fleet::{HOME_ACCOUNT, SAMPLE_USER};
use crate::lifecycle::{Action, settled_state};
use crate::limits;
use crate::model::{
    AdvancedOptions, BotId, BotRef, Connector, ConnectorSettings, ConversationType, Environment,
    Millis, Role,
};
use crate::settings::AgentUser;
use crate::simulator::faults::FaultError;
use crate::simulator::{Change, Resource, Simulator};
use crate::status::{ConnectorState, LinkHealth};
use crate::troubleshooting::Problem;

/// The scenarios that come with the app (`scenarios/builtin.json`, the example for trainers).
pub const BUILTIN_JSON: &str = include_str!("../scenarios/builtin.json");

fn default_seed() -> u64 {
    2026
}

fn default_fleet_size() -> usize {
    16
}

/// One guided exercise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique among the loaded scenarios; names the exercise in results.
    pub id: String,
    pub title: String,
    /// What the trainee is told, as a ticket would put it.
    pub situation: String,
    /// What "fixed" means, in words; the goals check it.
    pub objective: String,
    /// The seed of the rest of the fleet, so a whole class gets the same run.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Connectors besides the scenario's own bots.
    #[serde(default = "default_fleet_size")]
    pub fleet_size: usize,
    pub setup: Vec<Setup>,
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub hints: Vec<Hint>,
}

/// One step of setting a scenario up, in order. Read by hand ([`crate::tagged`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "do", rename_all = "snake_case", deny_unknown_fields)]
pub enum Setup {
    /// A bot of the home account with `online` running connectors, then `stopped` ones, and
    /// `spare_agents` enabled bot users with no connector. Its bot users are named
    /// `{bot-name-in-lowercase-with-dashes}-agent-{n}`, connectors' first.
    AddBot {
        bot: String,
        environment: Environment,
        conversation_type: ConversationType,
        #[serde(default)]
        online: usize,
        #[serde(default)]
        stopped: usize,
        #[serde(default)]
        spare_agents: usize,
        #[serde(default)]
        config: Vec<ConfigEntry>,
        /// Concurrent conversations its traffic asks for.
        #[serde(default)]
        concurrent: u32,
    },
    /// An external server of one environment goes down, comes back, or (chat) goes away.
    Resource {
        environment: Environment,
        resource: Resource,
        health: LinkHealth,
    },
    /// Simulated time passes.
    Wait { seconds: u64 },
    /// Someone restarted the bot's `connector`-th connector (from 1).
    Restart { bot: String, connector: usize },
    /// Every other bot user of the bot (two of four) runs on a server with a dynamic IP
    /// outside the login policy's whitelist.
    DynamicIps { bot: String },
    /// The login policy disabled a bot user after failed logins.
    DisableByLoginPolicy { agent: String },
    /// A bot user was created by someone else, so connecting with it answers 401.
    SomeoneElseCreated { agent: String },
    /// The bot's traffic jumps to `concurrent` conversations.
    Spike { bot: String, concurrent: u32 },
}

/// One condition of "fixed", checked against the simulated state. Read by hand
/// ([`crate::tagged`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "check", rename_all = "snake_case", deny_unknown_fields)]
pub enum Goal {
    /// Every connector of the bot is Online with both connections up.
    AllHealthy { bot: String },
    /// At least `at_least` of the bot's connectors in `environment` are Online and healthy.
    HealthyConnectors {
        bot: String,
        environment: Environment,
        at_least: usize,
    },
    /// Enough healthy Production connectors for `concurrent` conversations (at most 50 each,
    /// and at least two for failover).
    Capacity { bot: String, concurrent: u32 },
    /// None of the bot's users logs in from an IP the login policy refuses.
    LoginPolicyFixed { bot: String },
    /// Every connector of the bot has `key` = `value` in its custom configuration.
    Config {
        bot: String,
        key: String,
        value: String,
    },
}

/// A hint: the remedy of a problem in the troubleshooting catalog, or a trainer's own words.
/// Read by hand, like the tagged enums ([`crate::tagged`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum Hint {
    Remedy { remedy: Problem },
    Text(String),
}

impl<'de> Deserialize<'de> for Setup {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::tagged::{only, required};
        #[derive(Clone, Copy, Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Do {
            AddBot,
            Resource,
            Wait,
            Restart,
            DynamicIps,
            DisableByLoginPolicy,
            SomeoneElseCreated,
            Spike,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            #[serde(rename = "do")]
            step: Do,
            bot: Option<String>,
            environment: Option<Environment>,
            conversation_type: Option<ConversationType>,
            online: Option<usize>,
            stopped: Option<usize>,
            spare_agents: Option<usize>,
            config: Option<Vec<ConfigEntry>>,
            concurrent: Option<u32>,
            resource: Option<Resource>,
            health: Option<LinkHealth>,
            seconds: Option<u64>,
            connector: Option<usize>,
            agent: Option<String>,
        }
        let w = Wire::deserialize(deserializer)?;
        let present = [
            ("bot", w.bot.is_some()),
            ("environment", w.environment.is_some()),
            ("conversation_type", w.conversation_type.is_some()),
            ("online", w.online.is_some()),
            ("stopped", w.stopped.is_some()),
            ("spare_agents", w.spare_agents.is_some()),
            ("config", w.config.is_some()),
            ("concurrent", w.concurrent.is_some()),
            ("resource", w.resource.is_some()),
            ("health", w.health.is_some()),
            ("seconds", w.seconds.is_some()),
            ("connector", w.connector.is_some()),
            ("agent", w.agent.is_some()),
        ];
        // A step's own fields; any other is refused, as `deny_unknown_fields` would.
        let own: &'static [&'static str] = match w.step {
            Do::AddBot => &[
                "bot",
                "environment",
                "conversation_type",
                "online",
                "stopped",
                "spare_agents",
                "config",
                "concurrent",
            ],
            Do::Resource => &["environment", "resource", "health"],
            Do::Wait => &["seconds"],
            Do::Restart => &["bot", "connector"],
            Do::DynamicIps => &["bot"],
            Do::DisableByLoginPolicy | Do::SomeoneElseCreated => &["agent"],
            Do::Spike => &["bot", "concurrent"],
        };
        only(&present, own)?;
        Ok(match w.step {
            Do::AddBot => Setup::AddBot {
                bot: required(w.bot, "bot")?,
                environment: required(w.environment, "environment")?,
                conversation_type: required(w.conversation_type, "conversation_type")?,
                online: w.online.unwrap_or_default(),
                stopped: w.stopped.unwrap_or_default(),
                spare_agents: w.spare_agents.unwrap_or_default(),
                config: w.config.unwrap_or_default(),
                concurrent: w.concurrent.unwrap_or_default(),
            },
            Do::Resource => Setup::Resource {
                environment: required(w.environment, "environment")?,
                resource: required(w.resource, "resource")?,
                health: required(w.health, "health")?,
            },
            Do::Wait => Setup::Wait {
                seconds: required(w.seconds, "seconds")?,
            },
            Do::Restart => Setup::Restart {
                bot: required(w.bot, "bot")?,
                connector: required(w.connector, "connector")?,
            },
            Do::DynamicIps => Setup::DynamicIps {
                bot: required(w.bot, "bot")?,
            },
            Do::DisableByLoginPolicy => Setup::DisableByLoginPolicy {
                agent: required(w.agent, "agent")?,
            },
            Do::SomeoneElseCreated => Setup::SomeoneElseCreated {
                agent: required(w.agent, "agent")?,
            },
            Do::Spike => Setup::Spike {
                bot: required(w.bot, "bot")?,
                concurrent: required(w.concurrent, "concurrent")?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for Goal {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::tagged::{only, required};
        #[derive(Clone, Copy, Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Check {
            AllHealthy,
            HealthyConnectors,
            Capacity,
            LoginPolicyFixed,
            Config,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Wire {
            check: Check,
            bot: Option<String>,
            environment: Option<Environment>,
            at_least: Option<usize>,
            concurrent: Option<u32>,
            key: Option<String>,
            value: Option<String>,
        }
        let w = Wire::deserialize(deserializer)?;
        let present = [
            ("bot", w.bot.is_some()),
            ("environment", w.environment.is_some()),
            ("at_least", w.at_least.is_some()),
            ("concurrent", w.concurrent.is_some()),
            ("key", w.key.is_some()),
            ("value", w.value.is_some()),
        ];
        // A goal's own fields; any other is refused, as `deny_unknown_fields` would.
        let own: &'static [&'static str] = match w.check {
            Check::AllHealthy | Check::LoginPolicyFixed => &["bot"],
            Check::HealthyConnectors => &["bot", "environment", "at_least"],
            Check::Capacity => &["bot", "concurrent"],
            Check::Config => &["bot", "key", "value"],
        };
        only(&present, own)?;
        let bot = required(w.bot, "bot")?;
        Ok(match w.check {
            Check::AllHealthy => Goal::AllHealthy { bot },
            Check::HealthyConnectors => Goal::HealthyConnectors {
                bot,
                environment: required(w.environment, "environment")?,
                at_least: required(w.at_least, "at_least")?,
            },
            Check::Capacity => Goal::Capacity {
                bot,
                concurrent: required(w.concurrent, "concurrent")?,
            },
            Check::LoginPolicyFixed => Goal::LoginPolicyFixed { bot },
            Check::Config => Goal::Config {
                bot,
                key: required(w.key, "key")?,
                value: required(w.value, "value")?,
            },
        })
    }
}

impl<'de> Deserialize<'de> for Hint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HintVisitor;
        impl<'de> serde::de::Visitor<'de> for HintVisitor {
            type Value = Hint;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a hint: text, or {"remedy": a problem of the catalog}"#)
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Hint, E> {
                Ok(Hint::Text(text.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Hint, A::Error> {
                #[derive(Deserialize)]
                struct Remedy {
                    remedy: Problem,
                }
                let Remedy { remedy } =
                    Remedy::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Hint::Remedy { remedy })
            }
        }
        deserializer.deserialize_any(HintVisitor)
    }
}

impl Hint {
    pub fn text(&self) -> String {
        match self {
            Hint::Remedy { remedy } => {
                format!("Troubleshooting, {}: {}", remedy.title(), remedy.remedy())
            }
            Hint::Text(text) => text.clone(),
        }
    }
}

/// Why scenarios cannot be loaded or set up; each says where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    #[error("The file is not valid scenario JSON (line {line}, column {column}): {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("The file holds no scenarios.")]
    Empty,
    #[error(
        "The file has {} bytes; a scenario file has at most {} bytes (1 MiB).",
        limits::thousands(*.bytes as u64),
        limits::thousands(limits::MAX_SCENARIO_FILE_BYTES as u64)
    )]
    TooLarge { bytes: usize },
    #[error(
        "The file holds {count} scenarios; at most {} are loaded from one file.",
        limits::MAX_SCENARIOS
    )]
    TooMany { count: usize },
    #[error("Scenario \"{id}\": {why}")]
    Invalid { id: String, why: String },
}

/// The scenarios in `text`: a JSON array of scenarios, or one scenario. Each is set up once
/// here, so a scenario that names a bot it never adds is reported now, not mid-exercise.
pub fn parse_scenarios(text: &str) -> Result<Vec<Scenario>, ScenarioError> {
    if text.len() > limits::MAX_SCENARIO_FILE_BYTES {
        return Err(ScenarioError::TooLarge { bytes: text.len() });
    }
    // A list, or one scenario. Told apart by the first character rather than by an untagged
    // enum, which would buffer the whole file and keep a second copy of every scenario
    // type's deserializer in the app (and report its errors without a line and column).
    let parsed = if text.trim_start().starts_with('[') {
        crate::json::from_str::<Vec<Scenario>>(text)
    } else {
        crate::json::from_str::<Scenario>(text).map(|one| vec![one])
    };
    let scenarios = parsed.map_err(|e| ScenarioError::Syntax {
        line: e.line(),
        column: e.column(),
        message: e
            .to_string()
            .split(" at line")
            .next()
            .unwrap_or("")
            .to_owned(),
    })?;
    if scenarios.is_empty() {
        return Err(ScenarioError::Empty);
    }
    if scenarios.len() > limits::MAX_SCENARIOS {
        return Err(ScenarioError::TooMany {
            count: scenarios.len(),
        });
    }
    for (i, s) in scenarios.iter().enumerate() {
        let invalid = |why: String| ScenarioError::Invalid {
            id: s.id.clone(),
            why,
        };
        if s.id.trim().is_empty() {
            return Err(ScenarioError::Invalid {
                id: format!("#{}", i + 1),
                why: "it has no id".to_owned(),
            });
        }
        if scenarios[..i].iter().any(|o| o.id == s.id) {
            return Err(invalid("another scenario has the same id".to_owned()));
        }
        if s.goals.is_empty() {
            return Err(invalid(
                "it has no goals, so it could never be solved".to_owned(),
            ));
        }
        s.check_limits().map_err(invalid)?;
        let sim = s.set_up(Millis(0)).map_err(|e| match e {
            ScenarioError::Invalid { why, .. } => invalid(why),
            other => other,
        })?;
        s.progress(&sim).map_err(invalid)?;
    }
    Ok(scenarios)
}

/// The scenarios that come with the app.
pub fn builtin() -> Vec<Scenario> {
    // The file is part of the build and a test parses it, so this cannot fail in a release.
    parse_scenarios(BUILTIN_JSON).unwrap_or_default()
}

/// "Billing Desk" → "billing-desk": the stem of a scenario bot's ids and user names.
fn slug(name: &str) -> String {
    name.split_whitespace()
        .map(caseless::lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// The login name of a scenario bot's `n`-th bot user (from 1).
pub fn agent_name(bot: &str, n: usize) -> String {
    format!("{}-agent-{n}", slug(bot))
}

fn bot_id(name: &str) -> BotId {
    BotId(format!("training-{}", slug(name)))
}

/// Whether a connector is Online with both of its connections up.
fn healthy(c: &Connector) -> bool {
    matches!(&c.state, ConnectorState::Online { links }
        if links.cloud.health() != LinkHealth::Down && links.bot_server.is_connected())
}

/// Whether one goal is met, and how far along it is, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub text: String,
    pub met: bool,
}

/// Every goal of a scenario, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub goals: Vec<Checked>,
}

impl Progress {
    pub fn solved(&self) -> bool {
        self.goals.iter().all(|g| g.met)
    }
}

/// What happened while a scenario was set up, so timelines can show it: the fleet before the
/// first step, then what each step changed, at its simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupHistory {
    pub started: Millis,
    pub before: Vec<Connector>,
    pub steps: Vec<(Millis, Vec<Change>)>,
}

impl Scenario {
    /// Whether every number and list of the scenario is within [`limits`], so setting it up
    /// takes bounded time and memory and every time it reaches can be written down.
    pub fn check_limits(&self) -> Result<(), String> {
        use limits::*;
        let over = |what: &str, value: u64, max: u64| {
            (value > max).then(|| {
                format!(
                    "{what} is {}; at most {} is allowed",
                    thousands(value),
                    thousands(max)
                )
            })
        };
        let mut problems = vec![
            over(
                "fleet_size",
                self.fleet_size as u64,
                MAX_SCENARIO_FLEET as u64,
            ),
            over(
                "the number of setup steps",
                self.setup.len() as u64,
                MAX_SCENARIO_STEPS as u64,
            ),
            over(
                "the number of goals",
                self.goals.len() as u64,
                MAX_SCENARIO_STEPS as u64,
            ),
            over(
                "the number of hints",
                self.hints.len() as u64,
                MAX_SCENARIO_STEPS as u64,
            ),
        ];
        for step in &self.setup {
            problems.extend(match step {
                Setup::AddBot {
                    bot,
                    online,
                    stopped,
                    spare_agents,
                    config,
                    concurrent,
                    ..
                } => vec![
                    too_long(&format!("the bot name {bot:?}"), bot, MAX_NAME_CHARS),
                    over(
                        &format!("the bot users of {bot} (online + stopped + spare_agents)"),
                        online
                            .saturating_add(*stopped)
                            .saturating_add(*spare_agents) as u64,
                        MAX_SCENARIO_BOT_USERS as u64,
                    ),
                    over(
                        &format!("the configuration rows of {bot}"),
                        config.len() as u64,
                        MAX_CONFIG_ROWS as u64,
                    ),
                    over(
                        &format!("concurrent of {bot}"),
                        u64::from(*concurrent),
                        u64::from(MAX_SCENARIO_CONCURRENT),
                    ),
                ],
                Setup::Wait { seconds } => {
                    vec![
                        over("a wait", *seconds, MAX_SCENARIO_WAIT_SECONDS)
                            .map(|p| format!("{p} seconds (a week)")),
                    ]
                }
                Setup::Spike { bot, concurrent } => vec![over(
                    &format!("the spike of {bot}"),
                    u64::from(*concurrent),
                    u64::from(MAX_SCENARIO_CONCURRENT),
                )],
                _ => Vec::new(),
            });
        }
        match problems.into_iter().flatten().next() {
            Some(problem) => Err(problem),
            None => Ok(()),
        }
    }

    /// The simulated fleet this scenario starts from, at `now`.
    pub fn set_up(&self, now: Millis) -> Result<Simulator, ScenarioError> {
        self.set_up_recorded(now).map(|(sim, _)| sim)
    }

    /// The simulated fleet this scenario starts from, at `now`, and how it got there.
    pub fn set_up_recorded(&self, now: Millis) -> Result<(Simulator, SetupHistory), ScenarioError> {
        let mut sim = Simulator::new(self.seed, self.fleet_size, now);
        let mut history = SetupHistory {
            started: now,
            before: sim.connectors().to_vec(),
            steps: Vec::new(),
        };
        for step in &self.setup {
            let changes = self
                .apply(&mut sim, step)
                .map_err(|why| ScenarioError::Invalid {
                    id: self.id.clone(),
                    why,
                })?;
            history.steps.push((sim.now(), changes));
        }
        Ok((sim, history))
    }

    fn apply(&self, sim: &mut Simulator, step: &Setup) -> Result<Vec<Change>, String> {
        let fault = |e: FaultError| e.to_string();
        let changes = match step {
            Setup::AddBot {
                bot,
                environment,
                conversation_type,
                online,
                stopped,
                spare_agents,
                config,
                concurrent,
            } => {
                if sim.fleet.connectors.iter().any(|c| c.bot.name == *bot) {
                    return Err(format!("the bot {bot} is added twice"));
                }
                if online + stopped == 0 {
                    return Err(format!(
                        "the bot {bot} needs at least one connector (online or stopped)"
                    ));
                }
                let bot_ref = BotRef {
                    id: bot_id(bot),
                    name: bot.clone(),
                };
                for n in 1..=online + stopped + spare_agents {
                    sim.fleet.directory.add(AgentUser {
                        account: HOME_ACCOUNT.to_owned(),
                        login_name: agent_name(bot, n),
                        enabled: true,
                        created_by: SAMPLE_USER.to_owned(),
                    });
                }
                let mut added = Vec::new();
                for n in 1..=online + stopped {
                    let id = sim.next_connector_id();
                    let settings = ConnectorSettings {
                        account: HOME_ACCOUNT.to_owned(),
                        agent_user_id: agent_name(bot, n),
                        role: Role::Agent,
                        conversation_type: *conversation_type,
                        environment: *environment,
                        advanced: AdvancedOptions {
                            custom_config: config.clone(),
                            ..AdvancedOptions::default()
                        },
                    };
                    let mut c = Connector::added(id, bot_ref.clone(), settings);
                    c.state = if n <= *online {
                        settled_state(*conversation_type, &sim.reachability(&c))
                    } else {
                        ConnectorState::Stopped
                    };
                    sim.fleet.connectors.push(c.clone());
                    added.push(Change::Connector(Box::new(c)));
                }
                added.extend(sim.spike(&bot_ref.id, *concurrent).map_err(fault)?);
                added
            }
            Setup::Resource {
                environment,
                resource,
                health,
            } => {
                if !resource.healths().contains(health) {
                    return Err(format!("{} cannot be {:?}", resource.label(), health));
                }
                sim.set_resource(*environment, *resource, *health)
            }
            Setup::Wait { seconds } => {
                let until = sim.now().plus(seconds.saturating_mul(1000));
                sim.advance_to(until)
            }
            Setup::Restart { bot, connector } => {
                let id = self
                    .connectors_of(sim, bot)?
                    .get(connector.wrapping_sub(1))
                    .map(|c| c.id)
                    .ok_or_else(|| format!("the bot {bot} has no connector {connector}"))?;
                let permissions = sim.session().permissions;
                let now = sim.now();
                vec![
                    sim.act(id, Action::Restart, permissions, now)
                        .map_err(|e| format!("restarting connector {connector} of {bot}: {e}"))?,
                ]
            }
            Setup::DynamicIps { bot } => sim
                .put_half_on_dynamic_ips(&self.bot(sim, bot)?)
                .map_err(fault)?,
            Setup::DisableByLoginPolicy { agent } => {
                sim.disable_by_login_policy(agent).map_err(fault)?
            }
            Setup::SomeoneElseCreated { agent } => {
                sim.hand_to_someone_else(agent).map_err(fault)?;
                Vec::new()
            }
            Setup::Spike { bot, concurrent } => sim
                .spike(&self.bot(sim, bot)?, *concurrent)
                .map_err(fault)?,
        };
        Ok(changes)
    }

    fn bot(&self, sim: &Simulator, name: &str) -> Result<BotId, String> {
        sim.fleet
            .connectors
            .iter()
            .find(|c| c.bot.name == name)
            .map(|c| c.bot.id.clone())
            .ok_or_else(|| format!("there is no bot named {name}"))
    }

    fn connectors_of<'a>(
        &self,
        sim: &'a Simulator,
        bot: &str,
    ) -> Result<Vec<&'a Connector>, String> {
        let list: Vec<&Connector> = sim
            .fleet
            .connectors
            .iter()
            .filter(|c| c.bot.name == bot)
            .collect();
        if list.is_empty() {
            return Err(format!("there is no bot named {bot}"));
        }
        Ok(list)
    }

    /// Checks every goal against `sim`. A goal that names a bot with no connectors left is
    /// simply not met (the trainee may have deleted them); a bot never added is an error.
    pub fn progress(&self, sim: &Simulator) -> Result<Progress, String> {
        let goals = self
            .goals
            .iter()
            .map(|goal| goal.check(sim))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Progress { goals })
    }
}

impl Goal {
    fn bot(&self) -> &str {
        match self {
            Goal::AllHealthy { bot }
            | Goal::HealthyConnectors { bot, .. }
            | Goal::Capacity { bot, .. }
            | Goal::LoginPolicyFixed { bot }
            | Goal::Config { bot, .. } => bot,
        }
    }

    /// Whether the goal is met in `sim`, with what it asks and how far along it is.
    pub fn check(&self, sim: &Simulator) -> Result<Checked, String> {
        let name = self.bot();
        let ever_added = sim.fleet.connectors.iter().any(|c| c.bot.name == name)
            || sim
                .fleet
                .directory
                .find_login(&agent_name(name, 1))
                .is_some();
        if !ever_added {
            return Err(format!(
                "a goal names the bot {name}, which the setup never adds"
            ));
        }
        let of_bot: Vec<&Connector> = sim
            .fleet
            .connectors
            .iter()
            .filter(|c| c.bot.name == name)
            .collect();
        let count_healthy = |environment: Option<Environment>| {
            of_bot
                .iter()
                .filter(|c| environment.is_none_or(|e| c.environment() == e) && healthy(c))
                .count()
        };
        let (text, met) = match self {
            Goal::AllHealthy { .. } => {
                let n = count_healthy(None);
                (
                    format!(
                        "Every connector of {name} is Online with both connections up ({n} of {} now).",
                        of_bot.len()
                    ),
                    !of_bot.is_empty() && n == of_bot.len(),
                )
            }
            Goal::HealthyConnectors {
                environment,
                at_least,
                ..
            } => {
                let n = count_healthy(Some(*environment));
                (
                    format!(
                        "At least {at_least} connectors of {name} in {} are Online with both connections up ({n} now).",
                        environment.label()
                    ),
                    n >= *at_least,
                )
            }
            Goal::Capacity { concurrent, .. } => {
                let needed = recommended_connectors(*concurrent);
                let n = count_healthy(Some(Environment::Production));
                (
                    format!(
                        "{name} has enough healthy Production connectors for {concurrent} concurrent conversations: {needed} at 50 each ({n} now)."
                    ),
                    n >= needed,
                )
            }
            Goal::LoginPolicyFixed { .. } => {
                let refused: Vec<&str> = sim
                    .dynamic_ip_users()
                    .filter(|login| of_bot.iter().any(|c| c.settings.agent_user_id == *login))
                    .collect();
                let text = if refused.is_empty() {
                    format!("No bot user of {name} logs in from an IP the login policy refuses.")
                } else {
                    format!(
                        "No bot user of {name} logs in from an IP the login policy refuses (now: {}).",
                        refused.join(", ")
                    )
                };
                (text, refused.is_empty())
            }
            Goal::Config { key, value, .. } => {
                let n = of_bot
                    .iter()
                    .filter(|c| {
                        c.settings
                            .advanced
                            .custom_config
                            .iter()
                            .any(|e| e.key.trim() == key && e.value.trim() == value)
                    })
                    .count();
                (
                    format!(
                        "Every connector of {name} has {key} = {value} ({n} of {} now).",
                        of_bot.len()
                    ),
                    !of_bot.is_empty() && n == of_bot.len(),
                )
            }
        };
        Ok(Checked { text, met })
    }
}

/// One trainee's go at one scenario: when it started, how many hints they opened, and when
/// the goals were first all met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Attempt {
    pub scenario: String,
    pub started: Millis,
    pub hints_used: usize,
    pub solved_at: Option<Millis>,
}

impl Attempt {
    pub fn new(scenario: &Scenario, now: Millis) -> Attempt {
        Attempt {
            scenario: scenario.id.clone(),
            started: now,
            hints_used: 0,
            solved_at: None,
        }
    }

    /// Opens the next hint, if there is one left and the scenario is not solved yet.
    pub fn take_hint(&mut self, scenario: &Scenario) -> Option<String> {
        if self.solved_at.is_some() {
            return None;
        }
        let hint = scenario.hints.get(self.hints_used)?;
        self.hints_used += 1;
        Some(hint.text())
    }

    /// The hints opened so far, in order.
    pub fn hints_shown(&self, scenario: &Scenario) -> Vec<String> {
        scenario
            .hints
            .iter()
            .take(self.hints_used)
            .map(Hint::text)
            .collect()
    }

    /// Records the outcome of a check at `now`: the first time every goal is met is when the
    /// scenario was solved, whatever happens after.
    pub fn observe(&mut self, progress: &Progress, now: Millis) {
        if self.solved_at.is_none() && progress.solved() {
            self.solved_at = Some(now);
        }
    }

    /// Time taken: until solved, or until `now` while still at it.
    pub fn elapsed_ms(&self, now: Millis) -> u64 {
        self.solved_at.unwrap_or(now).since(self.started)
    }
}

#[cfg(test)]
mod tests;
