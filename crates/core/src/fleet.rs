//! A seeded sample fleet: bots, bot agent users, custom connectors in every status, and the PCS
//! connector with its survey bots. The same seed always gives the same fleet, so a trainer can
//! hand a whole class the same one. The random numbers come from a SplitMix64 written out here
//! rather than a crate, because its output must never change under a dependency upgrade.

use crate::caseless;
use crate::config::ConfigEntry;
use crate::lifecycle::{Lifecycle, Login, Reachability};
use crate::model::{
    AdvancedOptions, BotId, BotRef, Connector, ConnectorId, ConnectorSettings, ConversationType,
    Environment, Millis, Role,
};
use crate::order::Groups;
use crate::pcs::{PcsConnector, SurveyBot};
use crate::settings::{AgentDirectory, AgentUser};
use crate::status::{BotServerConnection, CloudConnection, ConnectorState, LinkHealth, Links};

/// Every bot the connectors serve, once each, sorted by name: the choices of the add form
/// and of the trainer's traffic controls.
pub fn bots(connectors: &[Connector]) -> Vec<BotRef> {
    let mut seen: Groups<()> = Groups::default();
    let mut bots: Vec<BotRef> = connectors
        .iter()
        .filter(|c| seen.first(&c.bot.id.0))
        .map(|c| c.bot.clone())
        .collect();
    crate::order::sort_by(&mut bots, |a, b| {
        a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id))
    });
    bots
}

/// The bots whose name holds `text` (any case), the first `at_most` of them in `bots`'
/// order, with how many hold it in all: what the add form's bot search lists.
pub fn bots_named<'a>(bots: &'a [BotRef], text: &str, at_most: usize) -> (Vec<&'a BotRef>, usize) {
    first_named(bots, text, at_most, |b| b.name.as_str())
}

/// The first `at_most` of `items` whose name holds `text` (any case, the spaces around it
/// left out), in their order, with how many hold it in all: what a picker over a long list
/// shows (the add form's bots, the trainer's bot users).
pub fn first_named<'a, T>(
    items: &'a [T],
    text: &str,
    at_most: usize,
    name: impl Fn(&T) -> &str,
) -> (Vec<&'a T>, usize) {
    let Some(holds) = holding(text) else {
        return (items.iter().take(at_most).collect(), items.len());
    };
    let mut found = Vec::new();
    let mut total = 0;
    for item in items.iter().filter(|i| holds(name(i))) {
        total += 1;
        if found.len() < at_most {
            found.push(item);
        }
    }
    (found, total)
}

/// Whether a name holds `text`, ignoring case and the spaces around it; `None` when there is
/// nothing to look for, and every name is taken.
fn holding(text: &str) -> Option<impl Fn(&str) -> bool> {
    let needle = caseless::lowercase(text.trim());
    (!needle.is_empty()).then_some(move |name: &str| caseless::contains(name, &needle))
}

/// What [`bots_named`] finds in [`bots`]' list, straight from `connectors`: without sorting
/// and copying every bot, which the trainer's traffic controls cannot afford on each change
/// of the roster at 100,000 connectors. It keeps the first `at_most` in order as it goes.
pub fn first_bots_named(
    connectors: &[Connector],
    text: &str,
    at_most: usize,
) -> (Vec<BotRef>, usize) {
    let holds = holding(text);
    let before = |a: &BotRef, b: &BotRef| (&a.name, &a.id) < (&b.name, &b.id);
    let mut seen: Groups<()> = Groups::default();
    let mut first: Vec<&BotRef> = Vec::new();
    let mut total = 0;
    for bot in connectors.iter().map(|c| &c.bot) {
        if !seen.first(&bot.id.0) || holds.as_ref().is_some_and(|holds| !holds(&bot.name)) {
            continue;
        }
        total += 1;
        if first.len() < at_most || first.last().is_some_and(|last| before(bot, last)) {
            let at = first.partition_point(|b| before(b, bot));
            first.insert(at, bot);
            first.truncate(at_most);
        }
    }
    (first.into_iter().cloned().collect(), total)
}

/// A small deterministic random number generator (SplitMix64).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SeededRng(u64);

impl SeededRng {
    pub fn new(seed: u64) -> SeededRng {
        SeededRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Everything a simulated account holds.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Fleet {
    pub connectors: Vec<Connector>,
    pub pcs: PcsConnector,
    pub directory: AgentDirectory,
}

const BOT_WORDS: [&str; 16] = [
    "Billing",
    "Support",
    "Sales",
    "Returns",
    "Onboarding",
    "Claims",
    "Booking",
    "Loyalty",
    "Payments",
    "Delivery",
    "Warranty",
    "Roaming",
    "Upgrade",
    "Fraud",
    "Travel",
    "Pharmacy",
];
const BOT_SUFFIXES: [&str; 6] = ["Assistant", "Bot", "Router", "Helper", "Concierge", "Agent"];
const SURVEY_NAMES: [&str; 4] = [
    "CSAT Survey",
    "NPS Survey",
    "Post-Chat Feedback",
    "FCR Survey",
];
const ACCOUNTS: [&str; 3] = ["31487985", "70071528", "22019744"];
/// The account the sample user signs in to.
pub const HOME_ACCOUNT: &str = ACCOUNTS[0];
/// Who created the bot users the sample user may not add connectors for (the spec's 401).
pub const OTHER_USER: &str = "someone.else@example.com";
/// The user the sample fleet is signed in as; they created most of its bot agent users.
pub const SAMPLE_USER: &str = "operator@example.com";

impl Fleet {
    /// A fleet of about `size` custom connectors (at least one bot's worth), every status
    /// represented, generated from `seed` as seen at `now`.
    pub fn generate(seed: u64, size: usize, now: Millis) -> Fleet {
        let mut rng = SeededRng::new(seed);
        let size = size.min(crate::limits::MAX_CONNECTORS);
        let mut connectors = Vec::with_capacity(size);
        let mut users = Vec::new();
        let mut bot_index = 0u64;
        while connectors.len() < size {
            bot_index += 1;
            let word = rng.pick(&BOT_WORDS);
            let suffix = rng.pick(&BOT_SUFFIXES);
            let bot = BotRef {
                id: BotId(format!("bot-{bot_index:05}")),
                name: format!("{word} {suffix} {bot_index}"),
            };
            let account = (*rng.pick(&ACCOUNTS)).to_owned();
            let conversation_type = if rng.chance(70) {
                ConversationType::Messaging
            } else {
                ConversationType::Chat
            };
            let environment = if rng.chance(65) {
                Environment::Production
            } else {
                Environment::Demo
            };
            // Most production bots follow the failover advice; some do not.
            let count = 1 + rng.below(4) as usize;
            let base_config = sample_config(&mut rng, conversation_type);
            for n in 0..count {
                if connectors.len() >= size {
                    break;
                }
                let id = ConnectorId(connectors.len() as u64 + 1);
                let login_name = format!("{}-{}", word.to_ascii_lowercase(), id.0);
                let mut custom_config = base_config.clone();
                // A few duplicates drift from their twins, as the spec warns.
                if n > 0 && rng.chance(8) {
                    custom_config.push(ConfigEntry::new("messageDelay", "3000"));
                }
                let settings = ConnectorSettings {
                    account: account.clone(),
                    agent_user_id: login_name.clone(),
                    role: if rng.chance(85) {
                        Role::Agent
                    } else {
                        Role::Manager
                    },
                    conversation_type,
                    environment,
                    advanced: AdvancedOptions {
                        fallback_skill_id: rng.chance(40).then(|| 1_000_000 + rng.below(9_000_000)),
                        external_webhook_url: None,
                        custom_config,
                        accessibility: rng.chance(20),
                    },
                };
                let enabled = !rng.chance(4);
                users.push(AgentUser {
                    account: account.clone(),
                    login_name,
                    enabled,
                    created_by: if rng.chance(95) {
                        SAMPLE_USER.to_owned()
                    } else {
                        OTHER_USER.to_owned()
                    },
                });
                let mut connector = Connector::added(id, bot.clone(), settings);
                sample_state(&mut rng, &mut connector, now);
                connectors.push(connector);
            }
        }
        // Disabled and spare agents exist in every account, so the add form has choices.
        for (i, account) in ACCOUNTS.iter().enumerate() {
            for spare in 0..3 {
                users.push(AgentUser {
                    account: (*account).to_owned(),
                    login_name: format!("spare-bot-{i}-{spare}"),
                    enabled: spare != 2,
                    created_by: SAMPLE_USER.to_owned(),
                });
            }
            // Enabled, but someone else's: adding a connector for it answers 401.
            users.push(AgentUser {
                account: (*account).to_owned(),
                login_name: format!("colleague-bot-{i}"),
                enabled: true,
                created_by: OTHER_USER.to_owned(),
            });
        }
        let pcs = PcsConnector {
            version: 1,
            state: ConnectorState::Online {
                links: Links {
                    cloud: CloudConnection::new(ConversationType::Messaging, LinkHealth::Up),
                    bot_server: BotServerConnection::Connected,
                },
            },
            survey_bots: SURVEY_NAMES
                .iter()
                .enumerate()
                .map(|(i, name)| SurveyBot {
                    id: BotId(format!("survey-{}", i + 1)),
                    name: (*name).to_owned(),
                })
                .collect(),
            surveys_generation: 0,
        };
        Fleet {
            connectors,
            pcs,
            directory: AgentDirectory::new(
                users,
                ACCOUNTS[..2].iter().map(|a| (*a).to_owned()).collect(),
            ),
        }
    }
}

fn sample_config(rng: &mut SeededRng, conversation_type: ConversationType) -> Vec<ConfigEntry> {
    let mut entries = Vec::new();
    if rng.chance(30) {
        entries.push(ConfigEntry::new("defaultGreetingMessage", "hello"));
    }
    if conversation_type == ConversationType::Messaging && rng.chance(25) {
        entries.push(ConfigEntry::new("tileDisplay", "horizontal"));
    }
    entries
}

/// Puts `connector` into a state drawn from a realistic mix, through the lifecycle itself so
/// the sample holds the same rules as a live fleet.
fn sample_state(rng: &mut SeededRng, connector: &mut Connector, now: Millis) {
    let roll = rng.below(100);
    let (login, cloud, bot_server_up, later_cloud) = match roll {
        0..=6 => return, // Ready to Start
        7..=16 => {
            connector.state = ConnectorState::Stopped;
            return;
        }
        17..=21 => {
            connector.state = ConnectorState::Starting {
                since: Millis(now.0.saturating_sub(rng.below(90_000))),
                links: Links::fresh(connector.conversation_type()),
            };
            return;
        }
        22..=25 => (Login::Ok, LinkHealth::Down, true, None),
        26..=28 => (Login::Ok, LinkHealth::Up, false, None),
        29 => (Login::Unauthorized, LinkHealth::Up, true, None),
        30 => (Login::DisabledByLoginPolicy, LinkHealth::Up, true, None),
        31..=34 => (Login::Ok, LinkHealth::Up, true, Some(LinkHealth::Down)),
        35..=37 => (Login::Ok, LinkHealth::Up, true, Some(LinkHealth::Away)),
        _ => (Login::Ok, LinkHealth::Up, true, None),
    };
    connector.state = ConnectorState::Starting {
        since: now,
        links: Links::fresh(connector.conversation_type()),
    };
    let seen = Reachability {
        login,
        cloud,
        bot_server_up,
    };
    if let Some(settled) = Lifecycle::settle(connector, &seen) {
        *connector = settled;
    }
    // Some online connectors later lose their Conversational Cloud connection, or see agents
    // away.
    if let Some(later) = later_cloud {
        let seen = Reachability {
            cloud: later,
            ..Reachability::ALL_UP
        };
        if let Some(observed) = Lifecycle::observe(connector, &seen) {
            *connector = observed;
        }
    }
    if connector.state.status() == crate::ConnectorStatus::Online {
        // Some bots carry more than 50 conversations per connector.
        connector.concurrent_conversations = rng.below(70) as u32;
    }
    connector.version = 1;
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A stopped Messaging connector of bot `bot` with `concurrent` conversations.
    pub fn connector(id: u64, bot: &str, environment: Environment, concurrent: u32) -> Connector {
        let mut c = Connector::added(
            ConnectorId(id),
            BotRef {
                id: BotId(bot.to_owned()),
                name: format!("Bot {bot}"),
            },
            ConnectorSettings {
                account: "12345678".to_owned(),
                agent_user_id: format!("agent-{id}"),
                role: Role::Agent,
                conversation_type: ConversationType::Messaging,
                environment,
                advanced: AdvancedOptions::default(),
            },
        );
        c.concurrent_conversations = concurrent;
        c
    }

    pub fn with_state(mut connector: Connector, state: ConnectorState) -> Connector {
        if let Some(links) = state.links() {
            connector.settings.conversation_type = links.cloud.conversation_type();
        }
        connector.state = state;
        connector
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::ConnectorStatus;

    #[test]
    fn the_bot_search_lists_the_first_matches_and_counts_them_all() {
        let fleet = Fleet::generate(3, 400, Millis(0));
        let all = bots(&fleet.connectors);
        let (listed, total) = bots_named(&all, "", 5);
        assert_eq!((listed.len(), total), (5, all.len()));
        let word = all[0]
            .name
            .split_whitespace()
            .next()
            .expect("a word")
            .to_uppercase();
        let (listed, total) = bots_named(&all, &format!("  {word} "), 2);
        assert!(listed.len() <= 2 && total >= listed.len() && total >= 1);
        assert!(listed.iter().all(|b| b.name.to_uppercase().contains(&word)));
        assert_eq!(bots_named(&all, "no such bot", 10), (Vec::new(), 0));
    }

    #[test]
    fn the_first_bots_named_are_those_of_the_sorted_list() {
        let fleet = Fleet::generate(11, 3_000, Millis(0));
        let all = bots(&fleet.connectors);
        let word = all[all.len() / 2]
            .name
            .split_whitespace()
            .next()
            .expect("a word");
        for (text, at_most) in [
            ("", 100),
            ("", 0),
            ("", 5_000),
            (word, 7),
            ("no such bot", 3),
        ] {
            let (listed, total) = bots_named(&all, text, at_most);
            let listed: Vec<BotRef> = listed.into_iter().cloned().collect();
            assert_eq!(
                first_bots_named(&fleet.connectors, text, at_most),
                (listed, total),
                "{text:?}, at most {at_most}"
            );
        }
    }

    #[test]
    fn each_bot_is_offered_once_by_name() {
        let fleet = Fleet::generate(7, 60, Millis(0));
        let bots = bots(&fleet.connectors);
        let mut ids: Vec<_> = bots.iter().map(|b| b.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), bots.len(), "no bot twice");
        assert!(
            bots.windows(2).all(|w| w[0].name <= w[1].name),
            "sorted by name"
        );
        assert!(fleet.connectors.iter().all(|c| bots.contains(&c.bot)));
    }

    #[test]
    fn the_same_seed_gives_the_same_fleet() {
        assert_eq!(
            Fleet::generate(7, 200, Millis(1_000_000)),
            Fleet::generate(7, 200, Millis(1_000_000))
        );
        assert_ne!(
            Fleet::generate(7, 200, Millis(1_000_000)).connectors,
            Fleet::generate(8, 200, Millis(1_000_000)).connectors
        );
    }

    #[test]
    fn a_fleet_has_the_requested_size_and_every_status() {
        let fleet = Fleet::generate(1, 500, Millis(1_000_000));
        assert_eq!(fleet.connectors.len(), 500);
        for status in ConnectorStatus::ALL {
            assert!(
                fleet.connectors.iter().any(|c| c.state.status() == status),
                "no connector is {status:?}"
            );
        }
        assert!(fleet.pcs.survey_bots.len() > 1);
    }

    #[test]
    fn a_fleet_needs_some_advice() {
        let fleet = Fleet::generate(1, 500, Millis(1_000_000));
        let advice = crate::advice::advise(&fleet.connectors);
        assert!(advice.iter().any(|a| a.needs_failover));
        assert!(advice.iter().any(|a| a.over_capacity));
    }

    #[test]
    fn fleet_connector_ids_are_unique() {
        let fleet = Fleet::generate(3, 1000, Millis(0));
        let mut ids: Vec<_> = fleet.connectors.iter().map(|c| c.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 1000);
    }
}
