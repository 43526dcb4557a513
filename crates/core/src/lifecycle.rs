//! Which action is allowed in which state, and what it leads to.
//!
//! [`Lifecycle::permits`] answers "may I?" for menus and bulk-action previews;
//! [`Lifecycle::apply`] performs an action and returns the changed connector, or a typed
//! [`Refused`] whose message says why and what to do. Starting is two steps: `Start` moves a
//! connector to Starting, and [`Lifecycle::settle`] later ends it Online or Not Connected with
//! the failing component, from the [`Reachability`] the caller observed. [`Lifecycle::observe`]
//! applies outages and recoveries to a connector that is already Online.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::access::{AccessDenied, Permissions};
use crate::model::{
    Connector, ConnectorId, ConnectorSettings, ConversationType, Environment, Millis,
};
use crate::settings::{AgentDirectory, SettingsProblem, settings_problems};
use crate::status::{
    BotServerConnection, CloudConnection, ConnectorState, ConnectorStatus, LinkHealth, Links,
};
use crate::troubleshooting::{Component, Problem};

/// An operator's action on one custom connector.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "action", content = "with")]
pub enum Action {
    Start,
    Stop,
    /// Stop then start; re-establishes connections after a resource outage.
    Restart,
    /// Save new settings; they take effect at the next start.
    Edit(Box<ConnectorSettings>),
    Delete,
    /// Move a stopped connector to another environment; it stays stopped.
    Redeploy(Environment),
}

/// The kind of an [`Action`], without its payload: what menus and bulk previews ask about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ActionKind {
    Start,
    Stop,
    Restart,
    Edit,
    Delete,
    Redeploy,
}

impl ActionKind {
    pub const ALL: [ActionKind; 6] = [
        ActionKind::Restart,
        ActionKind::Start,
        ActionKind::Stop,
        ActionKind::Redeploy,
        ActionKind::Delete,
        ActionKind::Edit,
    ];

    /// The name the API, the metrics and the history give it: "start", "redeploy".
    pub fn slug(self) -> &'static str {
        match self {
            ActionKind::Start => "start",
            ActionKind::Stop => "stop",
            ActionKind::Restart => "restart",
            ActionKind::Edit => "edit",
            ActionKind::Delete => "delete",
            ActionKind::Redeploy => "redeploy",
        }
    }

    /// The label the Actions list uses.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Start => "Start Agent",
            ActionKind::Stop => "Stop Agent",
            ActionKind::Restart => "Restart Agents",
            ActionKind::Edit => "Edit",
            ActionKind::Delete => "Delete",
            ActionKind::Redeploy => "Re-deploy Agent",
        }
    }

    /// What happened to a connector it was applied to: "Bot A: stopped".
    pub fn done(self) -> &'static str {
        match self {
            ActionKind::Start => "starting",
            ActionKind::Stop => "stopped",
            ActionKind::Restart => "restarting",
            ActionKind::Edit => "saved",
            ActionKind::Delete => "deleted",
            ActionKind::Redeploy => "moved",
        }
    }

    /// What the operator should know before confirming, from the spec.
    pub fn note(self) -> &'static str {
        match self {
            ActionKind::Start => "It can take a few minutes for an agent to start.",
            ActionKind::Stop => {
                "In-progress conversations are left as they are until the agent starts again."
            }
            ActionKind::Restart => {
                "Each agent is stopped, then started again, which re-establishes its connections after a resource outage. It can take a few minutes."
            }
            ActionKind::Edit => "Saved changes take effect the next time the agent starts.",
            ActionKind::Delete => "Deleting cannot be undone.",
            ActionKind::Redeploy => {
                "The agents move to the chosen environment and stay stopped until you start them."
            }
        }
    }

    /// Whether the action takes agents out of service or loses something, so its dialog
    /// asks for a "Yes" and never makes confirming the default.
    pub fn is_destructive(self) -> bool {
        matches!(
            self,
            ActionKind::Stop | ActionKind::Delete | ActionKind::Redeploy
        )
    }

    /// The verb used in refusals: "Stop the connector before {verb} it".
    fn gerund(self) -> &'static str {
        match self {
            ActionKind::Start => "starting",
            ActionKind::Stop => "stopping",
            ActionKind::Restart => "restarting",
            ActionKind::Edit => "editing",
            ActionKind::Delete => "deleting",
            ActionKind::Redeploy => "redeploying",
        }
    }
}

impl ActionKind {
    /// The action this kind is when it needs nothing more: Start, Stop, Restart and Delete.
    /// A redeploy needs its environment, an edit its settings.
    pub fn action(self) -> Option<Action> {
        match self {
            ActionKind::Start => Some(Action::Start),
            ActionKind::Stop => Some(Action::Stop),
            ActionKind::Restart => Some(Action::Restart),
            ActionKind::Delete => Some(Action::Delete),
            ActionKind::Redeploy | ActionKind::Edit => None,
        }
    }
}

/// Where a redeploy of connectors in `from` (the first one's environment) goes unless the
/// operator chooses otherwise: the other environment. Most often Demo connectors move to
/// Production.
pub fn redeploy_target(from: Option<Environment>) -> Environment {
    match from {
        Some(Environment::Production) => Environment::Demo,
        _ => Environment::Production,
    }
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Start => ActionKind::Start,
            Action::Stop => ActionKind::Stop,
            Action::Restart => ActionKind::Restart,
            Action::Edit(_) => ActionKind::Edit,
            Action::Delete => ActionKind::Delete,
            Action::Redeploy(_) => ActionKind::Redeploy,
        }
    }
}

/// What the lifecycle needs to know beyond the connector itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    /// Whether the connector's bot agent user is enabled in Conversational Cloud.
    pub agent_active: bool,
    pub permissions: Permissions,
}

/// Why an action was refused, and what to do instead. Read by hand ([`crate::tagged`]).
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "reason")]
pub enum Refused {
    #[error("It is already online.")]
    AlreadyOnline,
    #[error("It is already starting; a start can take a few minutes.")]
    AlreadyStarting,
    #[error("It is already stopped.")]
    AlreadyStopped,
    #[error("It has never been started, so there is nothing to stop.")]
    NeverStarted,
    #[error("It isn't running: use Start Agent instead.")]
    NotRunning,
    #[error("Stop the connector before {} it.", .action.gerund())]
    MustBeStopped { action: ActionKind },
    #[error(
        "Its bot agent user is disabled: enable it in Conversational Cloud before editing the connector."
    )]
    AgentInactive,
    #[error("It is already deployed to {}: choose the other environment.", .environment.label())]
    SameEnvironment { environment: Environment },
    #[error("{}", AccessDenied::NoProductionRights)]
    NoProductionRights,
    #[error("It no longer exists: it was deleted.")]
    Gone,
    /// The fleet holds the most connectors it may.
    #[error(
        "The fleet has {} connectors, the most it holds: delete connectors you no longer need before adding one.",
        crate::limits::thousands(*.limit as u64)
    )]
    FleetFull { limit: usize },
    #[error("The settings have {} problem(s): {}", .problems.len(), first_message(.problems))]
    InvalidSettings { problems: Vec<SettingsProblem> },
    /// The spec's 401: the bot user was created by someone else.
    #[error(
        "401 unauthorized: the bot user {agent} was not created by you. {}",
        Problem::Unauthorized.remedy()
    )]
    Unauthorized { agent: String },
}

impl<'de> Deserialize<'de> for Refused {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::tagged::required;
        #[derive(Deserialize)]
        enum Reason {
            AlreadyOnline,
            AlreadyStarting,
            AlreadyStopped,
            NeverStarted,
            NotRunning,
            MustBeStopped,
            AgentInactive,
            SameEnvironment,
            NoProductionRights,
            Gone,
            FleetFull,
            InvalidSettings,
            Unauthorized,
        }
        #[derive(Deserialize)]
        struct Wire {
            reason: Reason,
            action: Option<ActionKind>,
            environment: Option<Environment>,
            limit: Option<usize>,
            problems: Option<Vec<SettingsProblem>>,
            agent: Option<String>,
        }
        let w = Wire::deserialize(deserializer)?;
        Ok(match w.reason {
            Reason::AlreadyOnline => Refused::AlreadyOnline,
            Reason::AlreadyStarting => Refused::AlreadyStarting,
            Reason::AlreadyStopped => Refused::AlreadyStopped,
            Reason::NeverStarted => Refused::NeverStarted,
            Reason::NotRunning => Refused::NotRunning,
            Reason::MustBeStopped => Refused::MustBeStopped {
                action: required(w.action, "action")?,
            },
            Reason::AgentInactive => Refused::AgentInactive,
            Reason::SameEnvironment => Refused::SameEnvironment {
                environment: required(w.environment, "environment")?,
            },
            Reason::NoProductionRights => Refused::NoProductionRights,
            Reason::Gone => Refused::Gone,
            Reason::FleetFull => Refused::FleetFull {
                limit: required(w.limit, "limit")?,
            },
            Reason::InvalidSettings => Refused::InvalidSettings {
                problems: required(w.problems, "problems")?,
            },
            Reason::Unauthorized => Refused::Unauthorized {
                agent: required(w.agent, "agent")?,
            },
        })
    }
}

fn first_message(problems: &[SettingsProblem]) -> String {
    problems.first().map(|p| p.to_string()).unwrap_or_default()
}

/// What the operator sees as a short reason in a bulk summary ("2 skipped: already stopped").
impl Refused {
    pub fn short(&self) -> &'static str {
        match self {
            Refused::AlreadyOnline => "already online",
            Refused::AlreadyStarting => "already starting",
            Refused::AlreadyStopped => "already stopped",
            Refused::NeverStarted => "never started",
            Refused::NotRunning => "not running",
            Refused::MustBeStopped { .. } => "still running",
            Refused::AgentInactive => "bot agent disabled",
            Refused::SameEnvironment { .. } => "already there",
            Refused::NoProductionRights => "no permission",
            Refused::Gone => "no longer exists",
            Refused::FleetFull { .. } => "the fleet is full",
            Refused::InvalidSettings { .. } => "invalid settings",
            Refused::Unauthorized { .. } => "401 unauthorized",
        }
    }
}

/// What a successful action did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    Changed(Box<Connector>),
    Deleted(ConnectorId),
}

/// What the caller observed of the outside world when a connector starts or runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reachability {
    pub login: Login,
    /// The Conversational Cloud server for the connector's conversation type.
    pub cloud: LinkHealth,
    pub bot_server_up: bool,
}

/// How the bot agent user's login went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Login {
    Ok,
    /// The bot user was created by someone else (401).
    Unauthorized,
    DisabledByLoginPolicy,
}

impl Reachability {
    pub const ALL_UP: Reachability = Reachability {
        login: Login::Ok,
        cloud: LinkHealth::Up,
        bot_server_up: true,
    };
}

pub struct Lifecycle;

impl Lifecycle {
    /// Whether `kind` may be applied to `connector` now, judged by the user's right to change
    /// its environment, its state and its bot agent (but not by an edit's new settings).
    pub fn permits(connector: &Connector, kind: ActionKind, ctx: &Context) -> Result<(), Refused> {
        use ConnectorStatus as S;
        // Nothing about a Production connector changes without the Production right, whatever
        // its state: the refusal a bot developer needs to hear first.
        deploy_allowed(ctx.permissions, connector.environment())?;
        let status = connector.state.status();
        match (kind, status) {
            (ActionKind::Start, S::ReadyToStart | S::Stopped | S::NotConnected) => Ok(()),
            (ActionKind::Start, S::Starting) => Err(Refused::AlreadyStarting),
            (ActionKind::Start, S::Online) => Err(Refused::AlreadyOnline),

            (ActionKind::Stop, S::Starting | S::Online | S::NotConnected) => Ok(()),
            (ActionKind::Stop, S::Stopped) => Err(Refused::AlreadyStopped),
            (ActionKind::Stop, S::ReadyToStart) => Err(Refused::NeverStarted),

            (ActionKind::Restart, S::Starting | S::Online | S::NotConnected) => Ok(()),
            (ActionKind::Restart, S::ReadyToStart | S::Stopped) => Err(Refused::NotRunning),

            (ActionKind::Edit, S::ReadyToStart | S::Stopped | S::NotConnected) => {
                if ctx.agent_active {
                    Ok(())
                } else {
                    Err(Refused::AgentInactive)
                }
            }
            (ActionKind::Delete, S::ReadyToStart | S::Stopped | S::NotConnected) => Ok(()),
            // Redeploy needs a connector that is stopped, not one in an error state: stopping
            // a Not Connected connector first makes the operator's intent explicit.
            (ActionKind::Redeploy, S::ReadyToStart | S::Stopped) => Ok(()),
            (ActionKind::Edit | ActionKind::Delete | ActionKind::Redeploy, _) => {
                Err(Refused::MustBeStopped { action: kind })
            }
        }
    }

    /// Whether this very `action` may be applied: [`Lifecycle::permits`] plus what its
    /// parameters decide (a redeploy's target environment and the right to deploy there).
    /// An edit's settings are validated by [`Lifecycle::apply`], which reports each problem.
    pub fn check(connector: &Connector, action: &Action, ctx: &Context) -> Result<(), Refused> {
        Self::permits(connector, action.kind(), ctx)?;
        match action {
            Action::Redeploy(to) if *to == connector.environment() => {
                Err(Refused::SameEnvironment { environment: *to })
            }
            Action::Redeploy(to) => deploy_allowed(ctx.permissions, *to),
            Action::Edit(settings) => deploy_allowed(ctx.permissions, settings.environment),
            _ => Ok(()),
        }
    }

    /// Performs `action` on `connector` at `now`.
    pub fn apply(
        connector: &Connector,
        action: Action,
        ctx: &Context,
        now: Millis,
    ) -> Result<Applied, Refused> {
        Self::check(connector, &action, ctx)?;
        let mut next = connector.clone();
        match action {
            Action::Start | Action::Restart => {
                next.state = starting(connector.conversation_type(), now);
                // A process that plays it starts afresh: a new run.
                if let Some(reported) = &mut next.reported {
                    reported.generation += 1;
                }
            }
            Action::Stop => {
                // In-progress conversations are left as they are until the next start.
                next.state = ConnectorState::Stopped;
            }
            Action::Delete => return Ok(Applied::Deleted(connector.id)),
            Action::Redeploy(to) => next.settings.environment = to,
            Action::Edit(settings) => {
                let problems: Vec<_> = settings_problems(&settings)
                    .into_iter()
                    .filter(SettingsProblem::is_error)
                    .collect();
                if !problems.is_empty() {
                    return Err(Refused::InvalidSettings { problems });
                }
                next.settings = *settings;
            }
        }
        next.version += 1;
        Ok(Applied::Changed(Box::new(next)))
    }

    /// Whether a connector with `settings` may be added by `user`: the settings are valid,
    /// their bot agent can be chosen, the user may deploy where they say, and the bot user is
    /// the user's own (else the spec's 401).
    pub fn check_add(
        settings: &ConnectorSettings,
        directory: &AgentDirectory,
        user: &str,
        permissions: Permissions,
    ) -> Result<(), Refused> {
        let mut problems: Vec<_> = settings_problems(settings)
            .into_iter()
            .filter(SettingsProblem::is_error)
            .collect();
        if problems.is_empty() {
            problems = directory.agent_problems(settings);
        }
        if !problems.is_empty() {
            return Err(Refused::InvalidSettings { problems });
        }
        deploy_allowed(permissions, settings.environment)?;
        directory
            .may_add_for(&settings.account, &settings.agent_user_id, user)
            .map_err(|_| Refused::Unauthorized {
                agent: settings.agent_user_id.clone(),
            })
    }

    /// Whether an edit from `before` to `after` may be saved by `user`, beyond what
    /// [`Lifecycle::apply`] checks: a new bot agent must be choosable and the user's own, as
    /// when adding. Keeping the connector's agent needs neither.
    pub fn check_edit(
        before: &ConnectorSettings,
        after: &ConnectorSettings,
        directory: &AgentDirectory,
        user: &str,
        permissions: Permissions,
    ) -> Result<(), Refused> {
        if before.account == after.account && before.agent_user_id == after.agent_user_id {
            return Ok(());
        }
        Self::check_add(after, directory, user, permissions)
    }

    /// Ends a start: Online when every component connects, else Not Connected with the first
    /// failing component. Returns `None` for a connector that is not starting.
    pub fn settle(connector: &Connector, seen: &Reachability) -> Option<Connector> {
        let ConnectorState::Starting { .. } = connector.state else {
            return None;
        };
        let mut next = connector.clone();
        next.state = settled_state(connector.conversation_type(), seen);
        next.version += 1;
        Some(next)
    }

    /// Applies what the caller now observes to an Online connector. A dropped messaging
    /// connection stays dropped until a restart re-establishes it; the chat server's
    /// Online/Offline/Away and the bot server connection follow the servers; a login-policy
    /// lockout takes the connector down. Returns `None` when nothing changes.
    pub fn observe(connector: &Connector, seen: &Reachability) -> Option<Connector> {
        if !matches!(connector.state, ConnectorState::Online { .. }) {
            return None;
        }
        if seen.login != Login::Ok {
            let problem = if seen.login == Login::Unauthorized {
                Problem::Unauthorized
            } else {
                Problem::DisabledByLoginPolicy
            };
            let mut next = connector.clone();
            next.state = ConnectorState::NotConnected {
                links: Links::fresh(connector.conversation_type()),
                problem,
            };
            next.version += 1;
            return Some(next);
        }
        let bot_server = if seen.bot_server_up {
            LinkHealth::Up
        } else {
            LinkHealth::Down
        };
        let after_cloud =
            Self::observe_component(connector, Component::ConversationalCloud, seen.cloud);
        let current = after_cloud.as_ref().unwrap_or(connector);
        Self::observe_component(current, Component::BotServer, bot_server).or(after_cloud)
    }

    /// Applies a change of one external component to an Online connector, leaving its other
    /// connection as it is. Returns `None` when nothing changes.
    pub fn observe_component(
        connector: &Connector,
        component: Component,
        health: LinkHealth,
    ) -> Option<Connector> {
        let ConnectorState::Online { links } = connector.state else {
            return None;
        };
        let ct = connector.conversation_type();
        let mut next_links = links;
        match component {
            Component::ConversationalCloud => {
                let dropped = links.cloud.health() == LinkHealth::Down;
                // A dropped messaging connection is not re-established by the server's return.
                if !(ct == ConversationType::Messaging && dropped) {
                    next_links.cloud = CloudConnection::new(ct, health);
                }
            }
            Component::BotServer => {
                next_links.bot_server = BotServerConnection::new(health != LinkHealth::Down);
            }
        }
        if next_links == links {
            return None;
        }
        let mut next = connector.clone();
        next.state = ConnectorState::Online { links: next_links };
        next.version += 1;
        Some(next)
    }
}

/// The state a start ends in, given what the connector found when it tried to connect.
pub fn settled_state(ct: ConversationType, seen: &Reachability) -> ConnectorState {
    let links = Links {
        cloud: CloudConnection::new(ct, seen.cloud),
        bot_server: BotServerConnection::new(seen.bot_server_up),
    };
    let failure = match seen.login {
        // A failed login connects nothing.
        Login::Unauthorized => Some((Problem::Unauthorized, Links::fresh(ct))),
        Login::DisabledByLoginPolicy => Some((Problem::DisabledByLoginPolicy, Links::fresh(ct))),
        Login::Ok if seen.cloud == LinkHealth::Down => Some((
            Problem::FailedConnection {
                component: Component::ConversationalCloud,
            },
            links,
        )),
        Login::Ok if !seen.bot_server_up => Some((
            Problem::FailedConnection {
                component: Component::BotServer,
            },
            links,
        )),
        Login::Ok => None,
    };
    match failure {
        Some((problem, links)) => ConnectorState::NotConnected { links, problem },
        None => ConnectorState::Online { links },
    }
}

pub(crate) fn starting(conversation_type: ConversationType, now: Millis) -> ConnectorState {
    ConnectorState::Starting {
        since: now,
        links: Links::fresh(conversation_type),
    }
}

fn deploy_allowed(permissions: Permissions, environment: Environment) -> Result<(), Refused> {
    permissions
        .may_change(environment)
        .map_err(|_| Refused::NoProductionRights)
}

#[cfg(test)]
mod tests;
