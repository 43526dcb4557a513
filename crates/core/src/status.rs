//! The three status dimensions of a connector, their spec descriptions, and N/A.
//!
//! A connector's [`ConnectorState`] is the single source of truth; the three statuses shown in
//! the UI are derived from it by [`ConnectorState::statuses`]. Live connections exist only while
//! the connector runs or has just failed, so a Ready to Start or Stopped connector shows N/A for
//! both connection columns: never a guess.

use serde::{Deserialize, Serialize};

use crate::model::{ConversationType, Millis};
use crate::troubleshooting::Problem;

/// How a status should look: the UI maps each tone to one colour and icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tone {
    Good,
    Progress,
    Warning,
    Bad,
    Neutral,
}

impl Tone {
    /// A stable lowercase name, for CSS classes and test hooks.
    pub fn name(self) -> &'static str {
        match self {
            Tone::Good => "good",
            Tone::Progress => "progress",
            Tone::Warning => "warning",
            Tone::Bad => "bad",
            Tone::Neutral => "neutral",
        }
    }
}

/// What every shown status value offers: its label, the spec's description and a tone.
pub trait StatusValue {
    fn label(&self) -> &'static str;
    fn description(&self) -> &'static str;
    fn tone(&self) -> Tone;
}

/// The "Bot Agent Connector" dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ConnectorStatus {
    ReadyToStart,
    Starting,
    Online,
    NotConnected,
    Stopped,
}

impl ConnectorStatus {
    pub const ALL: [ConnectorStatus; 5] = [
        ConnectorStatus::ReadyToStart,
        ConnectorStatus::Starting,
        ConnectorStatus::Online,
        ConnectorStatus::NotConnected,
        ConnectorStatus::Stopped,
    ];

    /// Running means the connector process is up (or coming up) and may hold conversations.
    /// Not Connected is an error state in which the connector is *not* running.
    pub fn is_running(self) -> bool {
        matches!(self, ConnectorStatus::Starting | ConnectorStatus::Online)
    }

    /// A stable identifier for URLs and test hooks.
    pub fn slug(self) -> &'static str {
        match self {
            ConnectorStatus::ReadyToStart => "ready",
            ConnectorStatus::Starting => "starting",
            ConnectorStatus::Online => "online",
            ConnectorStatus::NotConnected => "not-connected",
            ConnectorStatus::Stopped => "stopped",
        }
    }

    pub fn from_slug(slug: &str) -> Option<ConnectorStatus> {
        ConnectorStatus::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

impl StatusValue for ConnectorStatus {
    fn label(&self) -> &'static str {
        match self {
            ConnectorStatus::ReadyToStart => "Ready to Start",
            ConnectorStatus::Starting => "Starting",
            ConnectorStatus::Online => "Online",
            ConnectorStatus::NotConnected => "Not Connected",
            ConnectorStatus::Stopped => "Stopped",
        }
    }

    fn description(&self) -> &'static str {
        match self {
            ConnectorStatus::ReadyToStart => {
                "The connector was added successfully and deployed, but it hasn't been started for the first time."
            }
            ConnectorStatus::Starting => {
                "The connector is starting. Establishing the connection can take a few minutes."
            }
            ConnectorStatus::Online => {
                "The connector is running, and all end-to-end connections are working well."
            }
            ConnectorStatus::NotConnected => {
                "The connector is offline: at least one underlying component isn't working. It is in an error state and isn't running. Open its details to see which component failed."
            }
            ConnectorStatus::Stopped => {
                "The connector isn't running because it was manually stopped."
            }
        }
    }

    fn tone(&self) -> Tone {
        match self {
            ConnectorStatus::ReadyToStart => Tone::Neutral,
            ConnectorStatus::Starting => Tone::Progress,
            ConnectorStatus::Online => Tone::Good,
            ConnectorStatus::NotConnected => Tone::Bad,
            ConnectorStatus::Stopped => Tone::Warning,
        }
    }
}

/// The connection to the Conversational Cloud messaging server (Messaging connectors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum MessagingLink {
    Connected,
    NotConnected,
    Away,
}

/// The connection to the Conversational Cloud chat server (Chat connectors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ChatLink {
    Online,
    Offline,
    Away,
}

/// The "Conversational Cloud" dimension. Its variant carries the conversation type, so a Chat
/// connector can never show a Messaging-only status or the other way round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum CloudConnection {
    Messaging(MessagingLink),
    Chat(ChatLink),
}

/// The three conditions a Conversational Cloud connection can be in, whatever its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum LinkHealth {
    Up,
    Down,
    /// The connection is up but the agents are away.
    Away,
}

impl LinkHealth {
    pub fn label(self) -> &'static str {
        match self {
            LinkHealth::Up => "Up",
            LinkHealth::Down => "Down",
            LinkHealth::Away => "Away",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            LinkHealth::Up => "up",
            LinkHealth::Down => "down",
            LinkHealth::Away => "away",
        }
    }
}

impl CloudConnection {
    pub fn new(conversation_type: ConversationType, health: LinkHealth) -> CloudConnection {
        match (conversation_type, health) {
            (ConversationType::Messaging, LinkHealth::Up) => {
                CloudConnection::Messaging(MessagingLink::Connected)
            }
            (ConversationType::Messaging, LinkHealth::Down) => {
                CloudConnection::Messaging(MessagingLink::NotConnected)
            }
            (ConversationType::Messaging, LinkHealth::Away) => {
                CloudConnection::Messaging(MessagingLink::Away)
            }
            (ConversationType::Chat, LinkHealth::Up) => CloudConnection::Chat(ChatLink::Online),
            (ConversationType::Chat, LinkHealth::Down) => CloudConnection::Chat(ChatLink::Offline),
            (ConversationType::Chat, LinkHealth::Away) => CloudConnection::Chat(ChatLink::Away),
        }
    }

    pub fn conversation_type(self) -> ConversationType {
        match self {
            CloudConnection::Messaging(_) => ConversationType::Messaging,
            CloudConnection::Chat(_) => ConversationType::Chat,
        }
    }

    pub fn health(self) -> LinkHealth {
        match self {
            CloudConnection::Messaging(MessagingLink::Connected)
            | CloudConnection::Chat(ChatLink::Online) => LinkHealth::Up,
            CloudConnection::Messaging(MessagingLink::NotConnected)
            | CloudConnection::Chat(ChatLink::Offline) => LinkHealth::Down,
            CloudConnection::Messaging(MessagingLink::Away)
            | CloudConnection::Chat(ChatLink::Away) => LinkHealth::Away,
        }
    }
}

impl StatusValue for CloudConnection {
    fn label(&self) -> &'static str {
        match self {
            CloudConnection::Messaging(MessagingLink::Connected) => "Connected",
            CloudConnection::Messaging(MessagingLink::NotConnected) => "Not Connected",
            CloudConnection::Chat(ChatLink::Online) => "Online",
            CloudConnection::Chat(ChatLink::Offline) => "Offline",
            CloudConnection::Messaging(MessagingLink::Away)
            | CloudConnection::Chat(ChatLink::Away) => "Away",
        }
    }

    fn description(&self) -> &'static str {
        match self {
            CloudConnection::Messaging(MessagingLink::NotConnected) => {
                "Applies to Messaging. The connection between the bot agent connector and Conversational Cloud messaging server has been dropped, or the connector has just started and hasn't yet had the chance to update its status after connection."
            }
            CloudConnection::Messaging(MessagingLink::Connected) => {
                "Applies to Messaging. The bot agent connector is connected to the Conversational Cloud messaging server."
            }
            CloudConnection::Chat(ChatLink::Online) => {
                "Applies to Chat. The Conversational Cloud chat server is online."
            }
            CloudConnection::Chat(ChatLink::Offline) => {
                "Applies to Chat. The Conversational Cloud chat server is offline."
            }
            CloudConnection::Messaging(MessagingLink::Away)
            | CloudConnection::Chat(ChatLink::Away) => "Agents are away.",
        }
    }

    fn tone(&self) -> Tone {
        match self.health() {
            LinkHealth::Up => Tone::Good,
            LinkHealth::Down => Tone::Bad,
            LinkHealth::Away => Tone::Warning,
        }
    }
}

/// The "Bot Server" dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum BotServerConnection {
    Connected,
    NotConnected,
}

impl BotServerConnection {
    pub fn new(up: bool) -> BotServerConnection {
        if up {
            BotServerConnection::Connected
        } else {
            BotServerConnection::NotConnected
        }
    }

    pub fn is_connected(self) -> bool {
        self == BotServerConnection::Connected
    }
}

impl StatusValue for BotServerConnection {
    fn label(&self) -> &'static str {
        match self {
            BotServerConnection::Connected => "Connected",
            BotServerConnection::NotConnected => "Not Connected",
        }
    }

    fn description(&self) -> &'static str {
        match self {
            BotServerConnection::Connected => {
                "The bot agent connector is connected to the bot server."
            }
            BotServerConnection::NotConnected => {
                "The bot agent connector is not connected to the bot server."
            }
        }
    }

    fn tone(&self) -> Tone {
        match self {
            BotServerConnection::Connected => Tone::Good,
            BotServerConnection::NotConnected => Tone::Bad,
        }
    }
}

/// A status value, or N/A where the dimension does not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Shown<T> {
    Value(T),
    NotApplicable,
}

impl<T> Shown<T> {
    pub fn value(self) -> Option<T> {
        match self {
            Shown::Value(v) => Some(v),
            Shown::NotApplicable => None,
        }
    }
}

impl<T: StatusValue> StatusValue for Shown<T> {
    fn label(&self) -> &'static str {
        match self {
            Shown::Value(v) => v.label(),
            Shown::NotApplicable => "N/A",
        }
    }

    fn description(&self) -> &'static str {
        match self {
            Shown::Value(v) => v.description(),
            Shown::NotApplicable => {
                "Does not apply: the connector is not running, so it has no live connections."
            }
        }
    }

    fn tone(&self) -> Tone {
        match self {
            Shown::Value(v) => v.tone(),
            Shown::NotApplicable => Tone::Neutral,
        }
    }
}

/// The two live connections of a connector that runs (or has just failed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Links {
    pub cloud: CloudConnection,
    pub bot_server: BotServerConnection,
}

impl Links {
    /// Right after a start, before the first status update: nothing connected yet.
    pub fn fresh(conversation_type: ConversationType) -> Links {
        Links {
            cloud: CloudConnection::new(conversation_type, LinkHealth::Down),
            bot_server: BotServerConnection::NotConnected,
        }
    }
}

/// Where a connector is in its lifecycle. Only the states that have live connections carry them,
/// so "Stopped with a connected bot server" cannot be written down.
/// Read by hand ([`crate::tagged`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "status")]
pub enum ConnectorState {
    ReadyToStart,
    Starting { since: Millis, links: Links },
    Online { links: Links },
    NotConnected { links: Links, problem: Problem },
    Stopped,
}

impl<'de> Deserialize<'de> for ConnectorState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::tagged::required;
        #[derive(Deserialize)]
        enum Status {
            ReadyToStart,
            Starting,
            Online,
            NotConnected,
            Stopped,
        }
        #[derive(Deserialize)]
        struct Wire {
            status: Status,
            since: Option<Millis>,
            links: Option<Links>,
            problem: Option<Problem>,
        }
        let wire = Wire::deserialize(deserializer)?;
        Ok(match wire.status {
            Status::ReadyToStart => ConnectorState::ReadyToStart,
            Status::Starting => ConnectorState::Starting {
                since: required(wire.since, "since")?,
                links: required(wire.links, "links")?,
            },
            Status::Online => ConnectorState::Online {
                links: required(wire.links, "links")?,
            },
            Status::NotConnected => ConnectorState::NotConnected {
                links: required(wire.links, "links")?,
                problem: required(wire.problem, "problem")?,
            },
            Status::Stopped => ConnectorState::Stopped,
        })
    }
}

/// The three statuses a connector shows, derived from its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Statuses {
    pub connector: ConnectorStatus,
    pub cloud: Shown<CloudConnection>,
    pub bot_server: Shown<BotServerConnection>,
}

impl ConnectorState {
    pub fn status(&self) -> ConnectorStatus {
        match self {
            ConnectorState::ReadyToStart => ConnectorStatus::ReadyToStart,
            ConnectorState::Starting { .. } => ConnectorStatus::Starting,
            ConnectorState::Online { .. } => ConnectorStatus::Online,
            ConnectorState::NotConnected { .. } => ConnectorStatus::NotConnected,
            ConnectorState::Stopped => ConnectorStatus::Stopped,
        }
    }

    /// Where the connector comes in "Problems first", the worst first: Not Connected, then
    /// Starting, then Online with a connection down or away, Online, Ready to Start, and
    /// Stopped last (stopped by hand, not a failure).
    pub fn concern(&self) -> u8 {
        match self {
            ConnectorState::NotConnected { .. } => 0,
            ConnectorState::Starting { .. } => 1,
            ConnectorState::Online { links } => {
                let down =
                    links.cloud.health() != LinkHealth::Up || !links.bot_server.is_connected();
                if down { 2 } else { 3 }
            }
            ConnectorState::ReadyToStart => 4,
            ConnectorState::Stopped => 5,
        }
    }

    pub fn links(&self) -> Option<&Links> {
        match self {
            ConnectorState::Starting { links, .. }
            | ConnectorState::Online { links }
            | ConnectorState::NotConnected { links, .. } => Some(links),
            ConnectorState::ReadyToStart | ConnectorState::Stopped => None,
        }
    }

    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ConnectorState::NotConnected { problem, .. } => Some(problem),
            _ => None,
        }
    }

    pub fn statuses(&self) -> Statuses {
        let (cloud, bot_server) = match self.links() {
            Some(links) => (Shown::Value(links.cloud), Shown::Value(links.bot_server)),
            None => (Shown::NotApplicable, Shown::NotApplicable),
        };
        Statuses {
            connector: self.status(),
            cloud,
            bot_server,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagged::tests::reads_back;
    use crate::troubleshooting::Component;

    #[test]
    fn every_state_reads_back_as_written_with_its_tag_anywhere() {
        let links = Links {
            cloud: CloudConnection::new(ConversationType::Chat, LinkHealth::Away),
            bot_server: BotServerConnection::Connected,
        };
        for state in [
            ConnectorState::ReadyToStart,
            ConnectorState::Starting {
                since: Millis(1_700_000_000_000),
                links,
            },
            ConnectorState::Online {
                links: Links::fresh(ConversationType::Messaging),
            },
            ConnectorState::NotConnected {
                links,
                problem: Problem::FailedConnection {
                    component: Component::BotServer,
                },
            },
            ConnectorState::NotConnected {
                links,
                problem: Problem::NoReport { since: Millis(5) },
            },
            ConnectorState::Stopped,
        ] {
            reads_back(&state);
        }
    }

    #[test]
    fn a_state_missing_a_field_or_with_an_unknown_status_is_refused_by_name() {
        let err = serde_json::from_str::<ConnectorState>(r#"{"status": "Starting", "links": {"cloud": {"Messaging": "Connected"}, "bot_server": "Connected"}}"#)
            .expect_err("no since");
        assert!(err.to_string().contains("missing field `since`"), "{err}");
        let err = serde_json::from_str::<ConnectorState>(r#"{"status": "Paused"}"#)
            .expect_err("no such status");
        assert!(
            err.to_string().contains("unknown variant `Paused`"),
            "{err}"
        );
        let err = serde_json::from_str::<ConnectorState>(r#"{"links": null}"#).expect_err("no tag");
        assert!(err.to_string().contains("missing field `status`"), "{err}");
    }

    #[test]
    fn a_stopped_connector_shows_na_for_both_connections() {
        let shown = ConnectorState::Stopped.statuses();
        assert_eq!(shown.connector.label(), "Stopped");
        assert_eq!(shown.cloud.label(), "N/A");
        assert_eq!(shown.bot_server.label(), "N/A");
    }

    #[test]
    fn a_connector_ready_to_start_shows_na_for_both_connections() {
        let shown = ConnectorState::ReadyToStart.statuses();
        assert_eq!(shown.cloud, Shown::NotApplicable);
        assert_eq!(shown.bot_server, Shown::NotApplicable);
    }

    #[test]
    fn right_after_a_start_messaging_shows_not_connected_before_the_first_update() {
        let state = ConnectorState::Starting {
            since: Millis(0),
            links: Links::fresh(ConversationType::Messaging),
        };
        assert_eq!(state.statuses().cloud.label(), "Not Connected");
        assert_eq!(state.statuses().bot_server.label(), "Not Connected");
    }

    #[test]
    fn chat_connections_use_online_and_offline_messaging_uses_connected() {
        assert_eq!(
            CloudConnection::new(ConversationType::Chat, LinkHealth::Up).label(),
            "Online"
        );
        assert_eq!(
            CloudConnection::new(ConversationType::Chat, LinkHealth::Down).label(),
            "Offline"
        );
        assert_eq!(
            CloudConnection::new(ConversationType::Messaging, LinkHealth::Up).label(),
            "Connected"
        );
        assert_eq!(
            CloudConnection::new(ConversationType::Messaging, LinkHealth::Away).label(),
            "Away"
        );
        assert_eq!(
            CloudConnection::new(ConversationType::Chat, LinkHealth::Away).label(),
            "Away"
        );
    }

    #[test]
    fn every_status_value_has_a_description() {
        for status in ConnectorStatus::ALL {
            assert!(!status.description().is_empty(), "{status:?}");
        }
        for ct in ConversationType::ALL {
            for health in [LinkHealth::Up, LinkHealth::Down, LinkHealth::Away] {
                let c = CloudConnection::new(ct, health);
                assert!(!c.description().is_empty());
                assert_eq!(c.conversation_type(), ct);
                assert_eq!(c.health(), health);
            }
        }
        for b in [
            BotServerConnection::Connected,
            BotServerConnection::NotConnected,
        ] {
            assert!(!b.description().is_empty());
        }
        assert!(
            Shown::<BotServerConnection>::NotApplicable
                .description()
                .contains("not running")
        );
    }

    #[test]
    fn only_starting_and_online_count_as_running() {
        let running: Vec<_> = ConnectorStatus::ALL
            .into_iter()
            .filter(|s| s.is_running())
            .collect();
        assert_eq!(
            running,
            vec![ConnectorStatus::Starting, ConnectorStatus::Online]
        );
    }

    #[test]
    fn status_slugs_round_trip() {
        for s in ConnectorStatus::ALL {
            assert_eq!(ConnectorStatus::from_slug(s.slug()), Some(s));
        }
        assert_eq!(ConnectorStatus::from_slug("bogus"), None);
    }
}
