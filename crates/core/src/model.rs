//! The connector and the values its add/edit form chooses between.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::config::ConfigEntry;
use crate::status::ConnectorState;

/// A point in time in milliseconds since the Unix epoch. The caller supplies it; this crate
/// never reads a clock.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Millis(pub u64);

impl Millis {
    pub fn plus(self, millis: u64) -> Millis {
        Millis(self.0.saturating_add(millis))
    }

    pub fn since(self, earlier: Millis) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConnectorId(pub u64);

impl fmt::Display for ConnectorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BotId(pub String);

/// The bot a connector serves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BotRef {
    pub id: BotId,
    pub name: String,
}

/// Where a connector is deployed. Changing anything in Production needs a permission
/// ([`crate::access::Permissions::may_change`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Environment {
    Demo,
    Production,
}

impl Environment {
    pub const ALL: [Environment; 2] = [Environment::Demo, Environment::Production];

    pub fn label(self) -> &'static str {
        match self {
            Environment::Demo => "Demo",
            Environment::Production => "Production",
        }
    }
}

/// Chat or Messaging; it must match the type of the Conversational Cloud account, and it
/// decides which Conversational Cloud statuses and which custom configuration keys apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ConversationType {
    Chat,
    Messaging,
}

impl ConversationType {
    pub const ALL: [ConversationType; 2] = [ConversationType::Chat, ConversationType::Messaging];

    pub fn label(self) -> &'static str {
        match self {
            ConversationType::Chat => "Chat",
            ConversationType::Messaging => "Messaging",
        }
    }
}

/// The profile assigned to the bot agent user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Role {
    Agent,
    Manager,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Agent, Role::Manager];

    pub fn label(self) -> &'static str {
        match self {
            Role::Agent => "Agent",
            Role::Manager => "Manager",
        }
    }
}

/// The optional settings behind "Advanced Options" in the add/edit form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AdvancedOptions {
    /// The skill conversations fall back to when no agent with the primary skill is free.
    pub fallback_skill_id: Option<u64>,
    /// For brands that use HTTP instead of WebSocket delivery; always an https URL.
    pub external_webhook_url: Option<String>,
    pub custom_config: Vec<ConfigEntry>,
    /// Bot messages carry the tooltip attribute for accessibility.
    pub accessibility: bool,
}

/// Everything the add/edit form sets. Changes take effect at the connector's next start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConnectorSettings {
    pub account: String,
    /// Login name of an enabled bot agent user of `account`.
    pub agent_user_id: String,
    pub role: Role,
    pub conversation_type: ConversationType,
    pub environment: Environment,
    pub advanced: AdvancedOptions,
}

/// A custom connector: one bot agent user connected to one bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Connector {
    pub id: ConnectorId,
    /// Bumped on every change, so a writer can tell that what it saw is stale.
    pub version: u64,
    pub bot: BotRef,
    pub settings: ConnectorSettings,
    pub state: ConnectorState,
    /// Conversations the connector is handling now (0 when it is not running).
    pub concurrent_conversations: u32,
    /// Set when a real connector process reports this connector's statuses and follows its
    /// orders ([`crate::protocol`]); absent, a simulator plays it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported: Option<crate::protocol::Reported>,
}

impl Connector {
    /// A connector as it is right after "Add": Ready to Start, nothing running.
    pub fn added(id: ConnectorId, bot: BotRef, settings: ConnectorSettings) -> Connector {
        Connector {
            id,
            version: 1,
            bot,
            settings,
            state: ConnectorState::ReadyToStart,
            concurrent_conversations: 0,
            reported: None,
        }
    }

    pub fn environment(&self) -> Environment {
        self.settings.environment
    }

    pub fn conversation_type(&self) -> ConversationType {
        self.settings.conversation_type
    }

    /// Whether `other` is listed as this connector is: the same bot, agent user ID,
    /// account, environment, conversation type and role. Only its state, load or version
    /// differ, so what is derived from the listing (a [`crate::query::FleetIndex`], the
    /// bots) still holds.
    pub fn same_listing(&self, other: &Connector) -> bool {
        let (a, b) = (&self.settings, &other.settings);
        self.id == other.id
            && self.bot == other.bot
            && a.agent_user_id == b.agent_user_id
            && a.account == b.account
            && a.environment == b.environment
            && a.conversation_type == b.conversation_type
            && a.role == b.role
    }
}
