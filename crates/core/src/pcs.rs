//! The PCS connector: the one connector that every post-conversation survey bot shares.
//! Anything done to it affects every survey bot, and the UI says so before it acts.

use serde::{Deserialize, Serialize};

use crate::access::Permissions;
use crate::lifecycle::Refused;
use crate::model::{BotId, ConversationType, Environment, Millis};
use crate::status::{ConnectorState, ConnectorStatus, Links};

/// The user name every survey bot row shows.
pub const SURVEY_CONNECTOR_USER: &str = "Survey Connector";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SurveyBot {
    pub id: BotId,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PcsConnector {
    pub version: u64,
    pub state: ConnectorState,
    pub survey_bots: Vec<SurveyBot>,
    /// Bumped by Refresh Surveys, which regenerates survey metadata and IDs.
    pub surveys_generation: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum PcsAction {
    /// Stop then start the shared connector.
    RedeployConnector,
    /// Regenerate the survey metadata and IDs.
    RefreshSurveys,
}

impl PcsAction {
    /// The name the metrics and the history give it.
    pub fn slug(self) -> &'static str {
        match self {
            PcsAction::RedeployConnector => "pcs_redeploy",
            PcsAction::RefreshSurveys => "pcs_refresh",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PcsAction::RedeployConnector => "Redeploy Connector",
            PcsAction::RefreshSurveys => "Refresh Surveys",
        }
    }

    /// What the operator is told once the backend has accepted the action.
    pub fn done(self) -> &'static str {
        match self {
            PcsAction::RedeployConnector => {
                "The PCS connector is redeploying; survey bots show Deployed again once it is online, which can take a few minutes."
            }
            PcsAction::RefreshSurveys => {
                "Surveys refreshed: every survey bot has new survey metadata and IDs."
            }
        }
    }

    /// The warning shown before acting: every survey bot shares this connector.
    pub fn warning(self, survey_bots: usize) -> String {
        let what = match self {
            PcsAction::RedeployConnector => "Redeploying stops and then starts the PCS connector",
            PcsAction::RefreshSurveys => {
                "Refreshing regenerates the survey metadata and IDs of the PCS connector"
            }
        };
        format!(
            "{what}. This affects every survey bot ({survey_bots}), because they all share this one connector."
        )
    }
}

impl PcsConnector {
    /// Survey bots show "Deployed" while the shared connector is online.
    pub fn surveys_deployed(&self) -> bool {
        self.state.status() == ConnectorStatus::Online
    }

    /// Whether `action` may be done now by a user with `permissions`: the PCS connector serves
    /// Production, so every operation needs the Production right; and none waits on a start.
    pub fn permits(&self, _action: PcsAction, permissions: Permissions) -> Result<(), Refused> {
        permissions
            .may_change(Environment::Production)
            .map_err(|_| Refused::NoProductionRights)?;
        match self.state.status() {
            ConnectorStatus::Starting => Err(Refused::AlreadyStarting),
            _ => Ok(()),
        }
    }

    /// Why an operation over the version `seen` must not be done: the PCS connector moved on
    /// since (the same rule as a connector's 409). `None` when `seen` is current or not given.
    pub fn changed_since(&self, seen: Option<u64>) -> Option<String> {
        seen.filter(|v| *v != self.version).map(|seen| {
            format!(
                "Not done: the PCS connector changed since you saw it (version {seen}, now {}). Look at it again and repeat what you meant to do.",
                self.version
            )
        })
    }

    pub fn apply(
        &self,
        action: PcsAction,
        permissions: Permissions,
        now: Millis,
    ) -> Result<PcsConnector, Refused> {
        self.permits(action, permissions)?;
        let mut next = self.clone();
        match action {
            PcsAction::RedeployConnector => {
                next.state = ConnectorState::Starting {
                    since: now,
                    links: Links::fresh(ConversationType::Messaging),
                };
            }
            PcsAction::RefreshSurveys => {
                next.surveys_generation = next.surveys_generation.wrapping_add(1);
            }
        }
        next.version += 1;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{BotServerConnection, CloudConnection, LinkHealth};

    fn pcs(state: ConnectorState) -> PcsConnector {
        PcsConnector {
            version: 1,
            state,
            survey_bots: vec![
                SurveyBot {
                    id: BotId("s1".into()),
                    name: "CSAT".into(),
                },
                SurveyBot {
                    id: BotId("s2".into()),
                    name: "NPS".into(),
                },
            ],
            surveys_generation: 0,
        }
    }

    fn online() -> ConnectorState {
        ConnectorState::Online {
            links: Links {
                cloud: CloudConnection::new(ConversationType::Messaging, LinkHealth::Up),
                bot_server: BotServerConnection::Connected,
            },
        }
    }

    #[test]
    fn every_pcs_warning_says_all_survey_bots_are_affected() {
        for action in [PcsAction::RedeployConnector, PcsAction::RefreshSurveys] {
            assert!(action.warning(2).contains("every survey bot (2)"));
        }
    }

    #[test]
    fn redeploy_connector_stops_then_starts_it() {
        let next = pcs(online())
            .apply(
                PcsAction::RedeployConnector,
                Permissions::OPERATOR,
                Millis(5),
            )
            .expect("redeploy is allowed while online");
        assert_eq!(next.state.status(), ConnectorStatus::Starting);
        assert!(!next.surveys_deployed());
        assert_eq!(next.version, 2);
    }

    #[test]
    fn refresh_surveys_regenerates_survey_ids() {
        let next = pcs(online())
            .apply(PcsAction::RefreshSurveys, Permissions::OPERATOR, Millis(5))
            .expect("refresh is allowed while online");
        assert_eq!(next.surveys_generation, 1);
        assert!(next.surveys_deployed());
    }

    #[test]
    fn pcs_actions_wait_for_a_start_to_finish() {
        let starting = pcs(ConnectorState::Starting {
            since: Millis(0),
            links: Links::fresh(ConversationType::Messaging),
        });
        assert_eq!(
            starting.apply(PcsAction::RefreshSurveys, Permissions::OPERATOR, Millis(1)),
            Err(Refused::AlreadyStarting)
        );
    }

    #[test]
    fn every_pcs_operation_needs_the_production_right() {
        for action in [PcsAction::RedeployConnector, PcsAction::RefreshSurveys] {
            assert_eq!(
                pcs(online()).apply(action, Permissions::BOT_DEVELOPER, Millis(1)),
                Err(Refused::NoProductionRights)
            );
            assert!(pcs(online()).permits(action, Permissions::OPERATOR).is_ok());
        }
    }

    #[test]
    fn an_operation_over_an_old_version_is_refused_with_both_versions() {
        let current = pcs(online());
        assert_eq!(current.changed_since(None), None);
        assert_eq!(current.changed_since(Some(1)), None);
        let why = current.changed_since(Some(0)).expect("stale");
        assert!(why.contains("version 0, now 1"), "{why}");
    }
}
