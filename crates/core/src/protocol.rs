//! The connector protocol's rules (`docs/connector-protocol.md`): what a real connector
//! process is told to do, its [`Desired`] state, and which [`Report`]s of what it found the
//! control plane takes. A process is trusted with nothing these rules have not checked: a
//! Chat connector cannot report a Messaging value, a report of an earlier run cannot undo a
//! restart, and a stopped connector cannot report itself Online.
//!
//! Operator actions stay the [`crate::lifecycle`]'s: Start and Restart begin a new run (the
//! [`Reported::generation`]), Stop ends it, and saved settings reach the process with the next
//! run, as the spec says. When a process falls silent, [`silence`] says when it is Not
//! Connected with [`Problem::NoReport`].

use serde::{Deserialize, Serialize};

use crate::model::{BotRef, Connector, ConnectorId, ConnectorSettings, ConversationType, Millis};
use crate::simulator::Change;
use crate::status::{
    BotServerConnection, ChatLink, CloudConnection, ConnectorState, LinkHealth, Links,
    MessagingLink,
};
use crate::troubleshooting::Problem;

/// That a real process plays this connector, and which of its runs is the current one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Reported {
    /// The current run: every Start and Restart begins a new one. A process starts afresh
    /// when it changes, and a report of another run is refused.
    pub generation: u64,
}

/// How often a process reports when nothing changes, unless the control plane says
/// otherwise ([`Desired::heartbeat_ms`]).
pub const HEARTBEAT_MS: u64 = 10_000;
/// Heartbeats without a report after which a running connector is Not Connected.
pub const SILENT_HEARTBEATS: u64 = 3;
/// Heartbeats a start may wait for a process to take it up (three minutes at the default:
/// the spec's "establishing the connection can take a few minutes").
pub const PICKUP_HEARTBEATS: u64 = 18;
/// Concurrent conversations one report may claim at most.
pub const MAX_REPORTED_CONVERSATIONS: u32 = 100_000;

/// What the process of connector `connector` is to do now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Desired {
    pub connector: ConnectorId,
    /// Run (hold the connections and take conversations), or stay stopped.
    pub run: bool,
    /// The run to be in; when it changes, the process starts afresh with `settings`.
    pub generation: u64,
    pub bot: BotRef,
    /// The saved settings: a running process keeps those it started with until the next run.
    pub settings: ConnectorSettings,
    /// How often to report when nothing changes.
    pub heartbeat_ms: u64,
}

/// Whether a connector in `state` is to run: it was started and not stopped since. A Not
/// Connected one runs too: its process is to keep trying, and report when it gets through.
pub fn runs(state: &ConnectorState) -> bool {
    matches!(
        state,
        ConnectorState::Starting { .. }
            | ConnectorState::Online { .. }
            | ConnectorState::NotConnected { .. }
    )
}

impl Desired {
    /// The orders of `connector`, if a process plays it.
    pub fn of(connector: &Connector, heartbeat_ms: u64) -> Option<Desired> {
        let reported = connector.reported.as_ref()?;
        Some(Desired {
            connector: connector.id,
            run: runs(&connector.state),
            generation: reported.generation,
            bot: connector.bot.clone(),
            settings: connector.settings.clone(),
            heartbeat_ms,
        })
    }
}

/// The connector's own status, as its process reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ReportedStatus {
    Starting,
    Online,
    NotConnected,
    Stopped,
}

impl ReportedStatus {
    fn label(self) -> &'static str {
        match self {
            ReportedStatus::Starting => "Starting",
            ReportedStatus::Online => "Online",
            ReportedStatus::NotConnected => "Not Connected",
            ReportedStatus::Stopped => "Stopped",
        }
    }
}

/// The Conversational Cloud link, in the words the app shows: Messaging connectors are
/// Connected or Not Connected, Chat connectors Online or Offline, either may be Away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum CloudReport {
    Connected,
    #[serde(rename = "Not Connected")]
    NotConnected,
    Online,
    Offline,
    Away,
}

impl CloudReport {
    fn label(self) -> &'static str {
        match self {
            CloudReport::Connected => "Connected",
            CloudReport::NotConnected => "Not Connected",
            CloudReport::Online => "Online",
            CloudReport::Offline => "Offline",
            CloudReport::Away => "Away",
        }
    }

    /// The link of a connector of type `ct`, or `None` for a value that type cannot have.
    fn of_type(self, ct: ConversationType) -> Option<CloudConnection> {
        use ConversationType as T;
        Some(match (ct, self) {
            (T::Messaging, CloudReport::Connected) => {
                CloudConnection::Messaging(MessagingLink::Connected)
            }
            (T::Messaging, CloudReport::NotConnected) => {
                CloudConnection::Messaging(MessagingLink::NotConnected)
            }
            (T::Messaging, CloudReport::Away) => CloudConnection::Messaging(MessagingLink::Away),
            (T::Chat, CloudReport::Online) => CloudConnection::Chat(ChatLink::Online),
            (T::Chat, CloudReport::Offline) => CloudConnection::Chat(ChatLink::Offline),
            (T::Chat, CloudReport::Away) => CloudConnection::Chat(ChatLink::Away),
            _ => return None,
        })
    }
}

/// The Bot Server link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum BotServerReport {
    Connected,
    #[serde(rename = "Not Connected")]
    NotConnected,
}

/// What a process found, sent at every change and as a heartbeat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Report {
    /// The run the process is in ([`Desired::generation`]).
    pub generation: u64,
    pub status: ReportedStatus,
    /// Both links, for every status but Stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<CloudReport>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_server: Option<BotServerReport>,
    /// Conversations the process is handling.
    #[serde(default)]
    pub conversations: u32,
    /// Why it is Not Connected (and only then), from the troubleshooting catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

/// Why a report was not taken; each says what the process should do instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReportRefused {
    #[error(
        "Connector {0} is played by the control plane's simulator: an administrator hands it to a process by issuing its connector token."
    )]
    NotReported(ConnectorId),
    #[error(
        "This report is of run {reported}, but the connector's current run is {current}: follow the desired state and report run {current}."
    )]
    WrongGeneration { reported: u64, current: u64 },
    #[error(
        "The connector is to be stopped: close its connections and report Stopped, not {}.",
        .0.label()
    )]
    ShouldStop(ReportedStatus),
    #[error(
        "The connector is to run: a process does not report Stopped unless told to stop (one that ends by itself is Not Connected once its reports stop)."
    )]
    ShouldRun,
    #[error(
        "A {} connector reports its Conversational Cloud link as {}, not \"{}\".",
        .conversation_type.label(),
        allowed_cloud(*.conversation_type),
        .value.label()
    )]
    WrongCloud {
        conversation_type: ConversationType,
        value: CloudReport,
    },
    #[error("A {} report gives both links: cloud and botServer.", .0.label())]
    MissingLinks(ReportedStatus),
    #[error(
        "A Not Connected report names its problem: FailedConnection (with its component), Unauthorized, DisabledByLoginPolicy or MessagingConnectionDropped."
    )]
    MissingProblem,
    #[error("Only a Not Connected report names a problem; this one is {}.", .0.label())]
    UnexpectedProblem(ReportedStatus),
    #[error("NoReport is the control plane's to say, when a process falls silent.")]
    ServerOnlyProblem,
    #[error("A Chat connector has no messaging server connection to drop.")]
    NoMessagingConnection,
    #[error(
        "The messaging server connection dropped in this run, and it stays Not Connected until the connector is restarted (the spec's rule): report Not Connected until the next run."
    )]
    DroppedStaysDropped,
    #[error(
        "{} conversations is more than a report may claim ({}).",
        crate::limits::thousands(u64::from(*.0)),
        crate::limits::thousands(u64::from(MAX_REPORTED_CONVERSATIONS))
    )]
    TooManyConversations(u32),
}

fn allowed_cloud(ct: ConversationType) -> &'static str {
    match ct {
        ConversationType::Messaging => "Connected, Not Connected or Away",
        ConversationType::Chat => "Online, Offline or Away",
    }
}

/// `connector` handed to a process: it keeps its state (liveness judges it from now on) and
/// its run, if it had one. `None` when a process plays it already.
pub fn hand_over(connector: &Connector) -> Option<Connector> {
    if connector.reported.is_some() {
        return None;
    }
    let mut next = connector.clone();
    next.reported = Some(Reported { generation: 1 });
    next.version += 1;
    Some(next)
}

/// What `report` makes of `connector` at `now`: the connector as it is now when something
/// changed, `None` when the report confirms what is known (a heartbeat), or why it is refused.
pub fn apply_report(
    connector: &Connector,
    report: &Report,
    now: Millis,
) -> Result<Option<Connector>, ReportRefused> {
    let current = connector
        .reported
        .as_ref()
        .ok_or(ReportRefused::NotReported(connector.id))?
        .generation;
    if report.generation != current {
        return Err(ReportRefused::WrongGeneration {
            reported: report.generation,
            current,
        });
    }
    if report.conversations > MAX_REPORTED_CONVERSATIONS {
        return Err(ReportRefused::TooManyConversations(report.conversations));
    }
    let ct = connector.conversation_type();
    let links = report_links(report, ct)?;
    check_problem(report, ct)?;
    let status = report.status;
    let state = match (status, runs(&connector.state)) {
        (ReportedStatus::Stopped, true) => return Err(ReportRefused::ShouldRun),
        // Stopped, or never started: the process confirms it holds nothing.
        (ReportedStatus::Stopped, false) => connector.state.clone(),
        (_, false) => return Err(ReportRefused::ShouldStop(status)),
        (ReportedStatus::Starting, true) => ConnectorState::Starting {
            since: match connector.state {
                ConnectorState::Starting { since, .. } => since,
                _ => now,
            },
            links: links.ok_or(ReportRefused::MissingLinks(status))?,
        },
        (ReportedStatus::Online, true) => {
            let links = links.ok_or(ReportRefused::MissingLinks(status))?;
            if let ConnectorState::Online { links: was } = connector.state
                && ct == ConversationType::Messaging
                && was.cloud.health() == LinkHealth::Down
                && links.cloud.health() != LinkHealth::Down
            {
                return Err(ReportRefused::DroppedStaysDropped);
            }
            ConnectorState::Online { links }
        }
        (ReportedStatus::NotConnected, true) => ConnectorState::NotConnected {
            links: links.ok_or(ReportRefused::MissingLinks(status))?,
            problem: report.problem.ok_or(ReportRefused::MissingProblem)?,
        },
    };
    if state == connector.state && report.conversations == connector.concurrent_conversations {
        return Ok(None);
    }
    let mut next = connector.clone();
    next.state = state;
    next.concurrent_conversations = report.conversations;
    next.version += 1;
    Ok(Some(next))
}

/// The links a report gives, checked against the connector's conversation type: both or
/// neither.
fn report_links(report: &Report, ct: ConversationType) -> Result<Option<Links>, ReportRefused> {
    let cloud = report
        .cloud
        .map(|value| {
            value.of_type(ct).ok_or(ReportRefused::WrongCloud {
                conversation_type: ct,
                value,
            })
        })
        .transpose()?;
    match (cloud, report.bot_server) {
        (Some(cloud), Some(bot_server)) => Ok(Some(Links {
            cloud,
            bot_server: BotServerConnection::new(bot_server == BotServerReport::Connected),
        })),
        (None, None) => Ok(None),
        _ => Err(ReportRefused::MissingLinks(report.status)),
    }
}

fn check_problem(report: &Report, ct: ConversationType) -> Result<(), ReportRefused> {
    match (report.problem, report.status) {
        (Some(_), status) if status != ReportedStatus::NotConnected => {
            Err(ReportRefused::UnexpectedProblem(status))
        }
        (Some(Problem::NoReport { .. }), _) => Err(ReportRefused::ServerOnlyProblem),
        (Some(Problem::MessagingConnectionDropped), _) if ct == ConversationType::Chat => {
            Err(ReportRefused::NoMessagingConnection)
        }
        _ => Ok(()),
    }
}

/// The change that takes `before` to `after`: only the load, when that is all that moved.
pub fn change(before: &Connector, after: Connector) -> Change {
    let load_only = Connector {
        version: after.version,
        concurrent_conversations: after.concurrent_conversations,
        ..before.clone()
    };
    if load_only == after {
        Change::load_of(&after)
    } else {
        Change::Connector(Box::new(after))
    }
}

/// `connector` once its process has been silent too long, at `now`: Not Connected with
/// [`Problem::NoReport`]. `heard` is its last report (or when the control plane began to
/// listen for one). A running connector is allowed [`SILENT_HEARTBEATS`] heartbeats; a start
/// no process has answered yet, [`PICKUP_HEARTBEATS`]. `None` while it is in time, or when it
/// is not to run.
pub fn silence(
    connector: &Connector,
    heard: Millis,
    now: Millis,
    heartbeat_ms: u64,
) -> Option<Connector> {
    connector.reported.as_ref()?;
    let (from, heartbeats) = match connector.state {
        ConnectorState::Online { .. } => (heard, SILENT_HEARTBEATS),
        ConnectorState::Starting { since, .. } if heard >= since => (heard, SILENT_HEARTBEATS),
        ConnectorState::Starting { since, .. } => (since, PICKUP_HEARTBEATS),
        _ => return None,
    };
    if now.since(from) <= heartbeats.saturating_mul(heartbeat_ms) {
        return None;
    }
    let mut next = connector.clone();
    next.state = ConnectorState::NotConnected {
        links: Links::fresh(connector.conversation_type()),
        problem: Problem::NoReport { since: from },
    };
    next.version += 1;
    Some(next)
}

#[cfg(test)]
mod tests;
