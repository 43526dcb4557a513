//! The troubleshooting catalog: each failure the spec describes, what it means and its remedy,
//! and [`diagnose`], which tells which of them a connector shows right now.

use serde::{Deserialize, Serialize};

use crate::model::Millis;
use crate::status::{ConnectorState, LinkHealth, StatusValue};

/// One of the two external components a connector connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Component {
    ConversationalCloud,
    BotServer,
}

impl Component {
    pub fn label(self) -> &'static str {
        match self {
            Component::ConversationalCloud => "Conversational Cloud",
            Component::BotServer => "Bot Server",
        }
    }
}

/// Why a connector is Not Connected, or what is wrong with one that runs. Read by hand
/// ([`crate::tagged`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind")]
pub enum Problem {
    /// A component could not be reached when the connector started.
    FailedConnection { component: Component },
    /// 401: the bot user was not created by the user who added the connector.
    Unauthorized,
    /// The bot user was disabled by the account's login policy after failed logins from an IP
    /// outside the whitelist (often a server with a dynamic IP).
    DisabledByLoginPolicy,
    /// A running connector lost its messaging server connection.
    MessagingConnectionDropped,
    /// A real connector process ([`crate::protocol`]) fell silent: no report for three
    /// heartbeats, or none at all after a start. `since` is its last report, or the start no
    /// process picked up.
    NoReport { since: Millis },
}

impl<'de> Deserialize<'de> for Problem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use crate::tagged::required;
        #[derive(Deserialize)]
        enum Kind {
            FailedConnection,
            Unauthorized,
            DisabledByLoginPolicy,
            MessagingConnectionDropped,
            NoReport,
        }
        #[derive(Deserialize)]
        struct Wire {
            kind: Kind,
            component: Option<Component>,
            since: Option<Millis>,
        }
        let wire = Wire::deserialize(deserializer)?;
        Ok(match wire.kind {
            Kind::FailedConnection => Problem::FailedConnection {
                component: required(wire.component, "component")?,
            },
            Kind::Unauthorized => Problem::Unauthorized,
            Kind::DisabledByLoginPolicy => Problem::DisabledByLoginPolicy,
            Kind::MessagingConnectionDropped => Problem::MessagingConnectionDropped,
            Kind::NoReport => Problem::NoReport {
                since: required(wire.since, "since")?,
            },
        })
    }
}

impl Problem {
    /// The title, with the time of a [`Problem::NoReport`] in UTC.
    pub fn title(self) -> String {
        self.title_with(&utc_clock)
    }

    /// The title, with times written by `moment` (the app writes them in the user's zone).
    pub fn title_with(self, moment: &dyn Fn(Millis) -> String) -> String {
        match self {
            Problem::NoReport { since } => {
                format!("No report from the connector since {}", moment(since))
            }
            Problem::FailedConnection { component } => {
                format!("Failed connection to {}", component.label())
            }
            Problem::Unauthorized => "401 \"unauthorized\" error".to_owned(),
            Problem::DisabledByLoginPolicy => {
                "Bot user disabled by the account login policy".to_owned()
            }
            Problem::MessagingConnectionDropped => {
                "Connection to the Conversational Cloud messaging server dropped".to_owned()
            }
        }
    }

    pub fn explanation(self) -> &'static str {
        match self {
            Problem::FailedConnection { .. } => {
                "The connector could not establish one of its end-to-end connections, so it is in an error state and isn't running."
            }
            Problem::Unauthorized => {
                "This error can occur if you try to add an agent connector for a bot user that wasn't created by you."
            }
            Problem::DisabledByLoginPolicy => {
                "Bot users may be disabled after multiple failed login attempts: the account login policy prevents logging in from unauthorized (non-whitelisted) IPs. Servers with dynamic IPs often log in from addresses outside the whitelist, which is why only some of several identical bots can be affected."
            }
            Problem::NoReport { .. } => {
                "The connector process stopped reporting: it sends a report at every change and a heartbeat between them, and none arrived for three heartbeats, or no process picked up its start. It may have crashed, been killed, or lost its network to the control plane, so its connections are not known."
            }
            Problem::MessagingConnectionDropped => {
                "The connector is running, but its connection to the messaging server was dropped, for example because the server went down and came back."
            }
        }
    }

    pub fn remedy(self) -> &'static str {
        match self {
            Problem::FailedConnection { .. } => {
                "Wait some time, and then stop and restart the connector. If you still need assistance, contact your LivePerson representative."
            }
            Problem::Unauthorized => {
                "Add the agent connector for a different bot user that you have created, or have the creator of the bot user add the agent connector."
            }
            Problem::DisabledByLoginPolicy => {
                "Place a static IP on the server where the bot service is hosted and add it to the account's Login Policy whitelist, or whitelist the full IP range used by the servers running bot services. With dynamic IPs, alert on host IP changes. Your LivePerson account team can help."
            }
            Problem::MessagingConnectionDropped => {
                "Restart the connector: a restart re-establishes the connection."
            }
            Problem::NoReport { .. } => {
                "Check that the connector process runs and that its host can reach the control plane (its log says why it stopped). Start the process again with its connector token, then restart the connector here if it does not come back by itself."
            }
        }
    }
}

/// `at` as a time of day in UTC: "10:42:05 UTC".
fn utc_clock(at: Millis) -> String {
    let s = at.0 / 1000 % 86_400;
    format!("{:02}:{:02}:{:02} UTC", s / 3600, s / 60 % 60, s % 60)
}

/// The problems a connector shows now, most important first: the error that stopped it, or
/// the connections a running connector has lost.
pub fn diagnose(state: &ConnectorState) -> Vec<Problem> {
    match state {
        ConnectorState::NotConnected { problem, .. } => vec![*problem],
        ConnectorState::Online { links } => {
            let mut problems = Vec::new();
            if links.cloud.health() == LinkHealth::Down {
                problems.push(match links.cloud.conversation_type() {
                    crate::ConversationType::Messaging => Problem::MessagingConnectionDropped,
                    crate::ConversationType::Chat => Problem::FailedConnection {
                        component: Component::ConversationalCloud,
                    },
                });
            }
            if !links.bot_server.is_connected() {
                problems.push(Problem::FailedConnection {
                    component: Component::BotServer,
                });
            }
            problems
        }
        ConnectorState::ReadyToStart
        | ConnectorState::Starting { .. }
        | ConnectorState::Stopped => Vec::new(),
    }
}

/// What an operator pastes into a support ticket about `connector`: its ids, its three
/// statuses with the error and the remedy of each problem it shows, as of `at` (a time the
/// caller formats in the user's zone).
pub fn support_report(connector: &crate::Connector, at: &str) -> String {
    let c = connector;
    let shown = c.state.statuses();
    let s = &c.settings;
    let mut lines = vec![
        format!(
            "Bots Status: {} ({}), as of {at}",
            c.bot.name,
            s.environment.label()
        ),
        format!(
            "Connector {} · bot {} · agent user ID {} · account {}",
            c.id, c.bot.id.0, s.agent_user_id, s.account
        ),
        format!(
            "{} · {} · {} conversations",
            s.conversation_type.label(),
            s.role.label(),
            c.concurrent_conversations
        ),
        format!("Bot Agent Connector: {}", shown.connector.label()),
        format!("Conversational Cloud: {}", shown.cloud.label()),
        format!("Bot Server: {}", shown.bot_server.label()),
    ];
    for p in diagnose(&c.state) {
        lines.push(format!("Problem: {}. {}", p.title(), p.explanation()));
        lines.push(format!("Remedy: {}", p.remedy()));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConversationType;
    use crate::status::{BotServerConnection, CloudConnection, Links};

    #[test]
    fn every_problem_reads_back_as_written_and_a_missing_field_is_named() {
        for problem in [
            Problem::FailedConnection {
                component: Component::ConversationalCloud,
            },
            Problem::Unauthorized,
            Problem::DisabledByLoginPolicy,
            Problem::MessagingConnectionDropped,
            Problem::NoReport { since: Millis(42) },
        ] {
            crate::tagged::tests::reads_back(&problem);
        }
        let err = serde_json::from_str::<Problem>(r#"{"kind": "NoReport"}"#).expect_err("no since");
        assert!(err.to_string().contains("missing field `since`"), "{err}");
    }

    #[test]
    fn failed_connection_says_wait_then_stop_and_restart() {
        let p = Problem::FailedConnection {
            component: Component::BotServer,
        };
        assert!(p.title().contains("Bot Server"));
        assert!(p.remedy().contains("stop and restart"));
    }

    #[test]
    fn unauthorized_says_use_your_own_bot_user_or_ask_its_creator() {
        let remedy = Problem::Unauthorized.remedy();
        assert!(remedy.contains("bot user that you have created"));
        assert!(remedy.contains("creator of the bot user"));
        assert!(Problem::Unauthorized.title().contains("401"));
    }

    #[test]
    fn login_policy_says_static_ip_or_whitelist_the_range() {
        let remedy = Problem::DisabledByLoginPolicy.remedy();
        assert!(remedy.contains("static IP"));
        assert!(remedy.contains("whitelist the full IP range"));
    }

    #[test]
    fn a_dropped_messaging_connection_is_fixed_by_a_restart() {
        let state = ConnectorState::Online {
            links: Links {
                cloud: CloudConnection::new(ConversationType::Messaging, LinkHealth::Down),
                bot_server: BotServerConnection::Connected,
            },
        };
        assert_eq!(diagnose(&state), vec![Problem::MessagingConnectionDropped]);
        assert!(
            Problem::MessagingConnectionDropped
                .remedy()
                .contains("Restart")
        );
    }

    #[test]
    fn a_not_connected_connector_is_diagnosed_with_its_error() {
        let state = ConnectorState::NotConnected {
            links: Links::fresh(ConversationType::Chat),
            problem: Problem::Unauthorized,
        };
        assert_eq!(diagnose(&state), vec![Problem::Unauthorized]);
    }

    #[test]
    fn healthy_and_stopped_connectors_have_nothing_to_troubleshoot() {
        let online = ConnectorState::Online {
            links: Links {
                cloud: CloudConnection::new(ConversationType::Chat, LinkHealth::Away),
                bot_server: BotServerConnection::Connected,
            },
        };
        assert!(diagnose(&online).is_empty());
        assert!(diagnose(&ConnectorState::Stopped).is_empty());
    }

    #[test]
    fn a_support_report_names_the_connector_its_statuses_and_the_remedy() {
        let fleet = crate::fleet::Fleet::generate(7, 80, crate::model::Millis(0)).connectors;
        let failed = fleet
            .iter()
            .find(|c| matches!(c.state, ConnectorState::NotConnected { .. }))
            .expect("a failed connector");
        let report = support_report(failed, "10:42:05");
        assert!(report.contains("as of 10:42:05"), "{report}");
        assert!(report.contains(&failed.settings.agent_user_id), "{report}");
        assert!(report.contains(&failed.id.to_string()), "{report}");
        assert!(
            report.contains("Bot Agent Connector: Not Connected"),
            "{report}"
        );
        let problem = diagnose(&failed.state)[0];
        assert!(
            report.contains(&format!("Remedy: {}", problem.remedy())),
            "{report}"
        );
        let healthy = fleet
            .iter()
            .find(|c| diagnose(&c.state).is_empty())
            .expect("a healthy connector");
        assert!(!support_report(healthy, "10:42:05").contains("Remedy"));
    }
}
