//! The bodies of the live HTTP contract (`docs/api.md`): what the reference server sends and
//! the app's live adapter reads. Both sides use these types, so they cannot drift apart.
//!
//! Every connector carries a `version`; a write names the version it saw, and a write over a
//! newer version is refused with [`ErrorCode::Conflict`] and the current connector.

use serde::{Deserialize, Serialize};

use crate::access::Session;
use crate::lifecycle::{Action, Refused};
use crate::model::{BotRef, Connector, ConnectorId, ConnectorSettings, Environment};
use crate::pcs::{PcsAction, PcsConnector};
use crate::settings::AgentListError;
use crate::simulator::{Change, Resource};
use crate::status::LinkHealth;

/// Every path of the contract starts with this; a new major version gets a new prefix.
pub const PREFIX: &str = "/api/v1";

/// `GET /api/v1/connectors`: the connectors the filters match, the PCS connector, and the id
/// of the last change they include, from which the event stream continues without a gap.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FleetPage {
    pub connectors: Vec<Connector>,
    pub pcs: PcsConnector,
    pub last_event_id: u64,
}

/// `POST /api/v1/connectors`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AddRequest {
    pub bot: BotRef,
    pub settings: ConnectorSettings,
}

/// `PUT /api/v1/connectors/{id}`: new settings over the version the user saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EditRequest {
    pub version: u64,
    pub settings: ConnectorSettings,
}

/// The actions the actions endpoints take: the lifecycle's, and delete (which one connector
/// also has as `DELETE`, and a bulk action needs here). Edit has its own method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum LifecycleAction {
    Start,
    Stop,
    Restart,
    /// Move a stopped connector to `environment`.
    Redeploy,
    Delete,
}

/// `POST /api/v1/connectors/{id}/actions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ActionRequest {
    pub action: LifecycleAction,
    /// The version the user saw; a newer one on the server is a conflict.
    pub version: Option<u64>,
    /// Where a redeploy goes.
    #[serde(default)]
    pub environment: Option<Environment>,
}

impl ActionRequest {
    /// The request for one of the core's actions, or `None` for an edit, which has its own
    /// method.
    pub fn for_action(action: &Action, version: Option<u64>) -> Option<ActionRequest> {
        let (action, environment) = match action {
            Action::Start => (LifecycleAction::Start, None),
            Action::Stop => (LifecycleAction::Stop, None),
            Action::Restart => (LifecycleAction::Restart, None),
            Action::Redeploy(env) => (LifecycleAction::Redeploy, Some(*env)),
            Action::Delete => (LifecycleAction::Delete, None),
            Action::Edit(_) => return None,
        };
        Some(ActionRequest {
            action,
            version,
            environment,
        })
    }

    /// The core's action this request asks for.
    pub fn action(&self) -> Result<Action, ApiError> {
        Ok(match self.action {
            LifecycleAction::Start => Action::Start,
            LifecycleAction::Stop => Action::Stop,
            LifecycleAction::Restart => Action::Restart,
            LifecycleAction::Delete => Action::Delete,
            LifecycleAction::Redeploy => Action::Redeploy(self.environment.ok_or_else(|| {
                ApiError::bad_request(
                    "A redeploy needs \"environment\": \"Demo\" or \"Production\".",
                )
                .on_field("environment")
            })?),
        })
    }
}

/// One connector of a bulk action, with the version the user saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Target {
    pub id: ConnectorId,
    pub version: Option<u64>,
}

/// `POST /api/v1/actions`: one action over many connectors.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BulkRequest {
    pub action: LifecycleAction,
    #[serde(default)]
    pub environment: Option<Environment>,
    pub connectors: Vec<Target>,
}

/// The most connectors one bulk request names: its body stays far under the 64 KiB limit.
pub const BULK_CHUNK: usize = 500;

impl BulkRequest {
    /// The requests for `action` over `targets`, at most [`BULK_CHUNK`] connectors each;
    /// `None` for an edit, which is never bulk.
    pub fn chunks(action: &Action, targets: &[Target]) -> Option<Vec<BulkRequest>> {
        let one = ActionRequest::for_action(action, None)?;
        Some(
            targets
                .chunks(BULK_CHUNK)
                .map(|chunk| BulkRequest {
                    action: one.action,
                    environment: one.environment,
                    connectors: chunk.to_vec(),
                })
                .collect(),
        )
    }
}

/// `POST /api/v1/actions`' answer: what happened to each connector, in the request's order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BulkResponse {
    pub results: Vec<BulkItem>,
}

/// What happened to one connector of a bulk action: the connector as it is now, or why not.
/// Read by hand (`{"id": …, "done" | "deleted" | "error": …}`), not through serde's
/// `flatten`, which buffers each item and keeps a second copy of the connector's reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BulkItem {
    pub id: ConnectorId,
    #[serde(flatten)]
    pub outcome: BulkOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum BulkOutcome {
    Done(Box<Connector>),
    /// The connector was deleted (always `true`).
    Deleted(bool),
    Error(ApiError),
}

impl<'de> Deserialize<'de> for BulkItem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            id: ConnectorId,
            done: Option<Box<Connector>>,
            deleted: Option<bool>,
            error: Option<ApiError>,
        }
        let wire = Wire::deserialize(deserializer)?;
        let outcome = match (wire.done, wire.deleted, wire.error) {
            (Some(connector), None, None) => BulkOutcome::Done(connector),
            (None, Some(deleted), None) => BulkOutcome::Deleted(deleted),
            (None, None, Some(error)) => BulkOutcome::Error(error),
            _ => {
                return Err(serde::de::Error::custom(
                    "a bulk result has one of `done`, `deleted` and `error`",
                ));
            }
        };
        Ok(BulkItem {
            id: wire.id,
            outcome,
        })
    }
}

impl BulkItem {
    /// The change this item made, or why not.
    pub fn change(self) -> Result<Change, ApiError> {
        match self.outcome {
            BulkOutcome::Done(c) => Ok(Change::Connector(c)),
            BulkOutcome::Deleted(_) => Ok(Change::Removed(self.id)),
            BulkOutcome::Error(e) => Err(e),
        }
    }
}

/// `POST /api/v1/pcs/actions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PcsActionRequest {
    pub action: PcsAction,
    pub version: Option<u64>,
}

/// `GET /api/v1/session`.
pub type SessionResponse = Session;

/// One entry of the event stream (`GET /api/v1/events`): the change and its id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    pub id: u64,
    pub change: Change,
}

/// `PUT /api/v1/admin/faults`: the server's fault mode, for testing clients.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Faults {
    /// Added to every API answer.
    #[serde(default)]
    pub latency_ms: u64,
    /// The share of API requests (0 to 1) answered 503 instead of being served.
    #[serde(default)]
    pub error_rate: f64,
    /// Each event stream is closed after sending this many events.
    #[serde(default)]
    pub drop_streams_after: Option<u32>,
}

/// `PUT /api/v1/admin/resources`: an external server of one environment up, down or away.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResourceRequest {
    pub environment: Environment,
    pub resource: Resource,
    pub health: LinkHealth,
}

/// What kind of error an answer is; each has one HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the request cannot be read.
    BadRequest,
    /// 401: no token, or not a known one.
    Unauthenticated,
    /// 403: the token's user may not do this.
    Forbidden,
    /// 404: no such connector or path.
    NotFound,
    /// 405: the path does not take this method.
    MethodNotAllowed,
    /// 409: the connector moved on since the version the request names; `current` is it now.
    Conflict,
    /// 413: the body is larger than the server takes.
    TooLarge,
    /// 422: the lifecycle or the validation refused it; `refused` says why.
    Refused,
    /// 503: the server cannot answer now (also its fault mode); reads may be retried.
    Unavailable,
    /// 500.
    Internal,
}

impl ErrorCode {
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::TooLarge => 413,
            ErrorCode::Refused => 422,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

/// The one shape of every error answer: `{"error": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    /// A sentence for a person.
    pub message: String,
    /// The request field the error is about, where there is one (`agentUserId`, `version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The lifecycle's or the validation's reason, for 422.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<Box<Refused>>,
    /// Why the agents of an account cannot be listed, for 404/403 of the agents endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents: Option<Box<AgentListError>>,
    /// The connector as it is now, for 409.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<Connector>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            field: None,
            refused: None,
            agents: None,
            current: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, message)
    }

    pub fn on_field(mut self, field: &str) -> ApiError {
        self.field = Some(field.to_owned());
        self
    }

    /// A refusal of the core, with the field it concerns.
    pub fn refused(refused: Refused) -> ApiError {
        let code = match refused {
            Refused::Gone => ErrorCode::NotFound,
            Refused::NoProductionRights => ErrorCode::Forbidden,
            _ => ErrorCode::Refused,
        };
        let field = match refused {
            Refused::Unauthorized { .. } => Some("agentUserId".to_owned()),
            Refused::SameEnvironment { .. } | Refused::NoProductionRights => {
                Some("environment".to_owned())
            }
            Refused::InvalidSettings { .. } => Some("settings".to_owned()),
            _ => None,
        };
        ApiError {
            field,
            refused: Some(Box::new(refused.clone())),
            ..ApiError::new(code, refused.to_string())
        }
    }

    /// The write named `seen` but the connector is at `current.version` now.
    pub fn conflict(seen: u64, current: Connector) -> ApiError {
        ApiError {
            field: Some("version".to_owned()),
            current: Some(Box::new(current.clone())),
            ..ApiError::new(
                ErrorCode::Conflict,
                format!(
                    "Not done: connector {} changed since you saw it (version {seen}, now {}). Look at it again and repeat what you meant to do.",
                    current.id.0, current.version
                ),
            )
        }
    }
}

impl ApiError {
    /// The error an answer with `status` and `body` carries: the body's own when it has the
    /// contract's shape, else one made from the status (a proxy's error page, say), so a
    /// malformed answer is reported, never trusted.
    pub fn from_answer(status: u16, body: &str) -> ApiError {
        if let Ok(ErrorBody { error }) = crate::json::from_str::<ErrorBody>(body) {
            return error;
        }
        let code = match status {
            400 => ErrorCode::BadRequest,
            401 => ErrorCode::Unauthenticated,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            409 => ErrorCode::Conflict,
            413 => ErrorCode::TooLarge,
            422 => ErrorCode::Refused,
            502..=504 => ErrorCode::Unavailable,
            _ => ErrorCode::Internal,
        };
        ApiError::new(
            code,
            format!("The server answered HTTP {status} without the API's error details."),
        )
    }

    /// Whether asking again later may work (reads only: writes are never repeated blindly).
    pub fn is_transient(&self) -> bool {
        matches!(self.code, ErrorCode::Unavailable | ErrorCode::Internal)
    }

    /// The sentence to show a person: the server's message, with what to do for the errors
    /// that are not about the request itself.
    pub fn explain(&self) -> String {
        let message = self.message.trim_end_matches('.');
        match self.code {
            ErrorCode::Unauthenticated => format!(
                "The server did not accept the access token (401: {message}). Check the token under Connection."
            ),
            ErrorCode::Forbidden => format!(
                "Not allowed for this user (403: {message}). Ask an administrator for the rights, or use another token under Connection."
            ),
            ErrorCode::Unavailable => {
                format!("The server cannot answer now (503: {message}). Try again in a moment.")
            }
            ErrorCode::Internal => format!("The server failed ({message})."),
            _ => format!("{message}."),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_but_edit_round_trips_through_a_request() {
        for action in [
            Action::Start,
            Action::Stop,
            Action::Restart,
            Action::Redeploy(Environment::Demo),
            Action::Delete,
        ] {
            let request = ActionRequest::for_action(&action, Some(3)).expect("a lifecycle action");
            assert_eq!(request.action().expect("readable"), action);
        }
        let edit = Action::Edit(Box::new(
            crate::fleet::tests_support::connector(1, "b", Environment::Demo, 0).settings,
        ));
        assert_eq!(ActionRequest::for_action(&edit, None), None);
    }

    #[test]
    fn a_bulk_action_is_sent_in_chunks_and_its_items_are_changes() {
        let targets: Vec<Target> = (0..1200)
            .map(|i| Target {
                id: ConnectorId(i),
                version: None,
            })
            .collect();
        let chunks = BulkRequest::chunks(&Action::Restart, &targets).expect("bulk");
        assert_eq!(
            chunks
                .iter()
                .map(|c| c.connectors.len())
                .collect::<Vec<_>>(),
            [500, 500, 200]
        );
        assert!(chunks.iter().all(|c| c.action == LifecycleAction::Restart));
        let body = serde_json::json!({"results": [
            {"id": 1, "deleted": true},
            {"id": 2, "error": {"code": "refused", "message": "It is already stopped."}}
        ]});
        let answer: BulkResponse = serde_json::from_value(body).expect("an answer");
        let mut items = answer.results.into_iter();
        assert_eq!(
            items.next().map(BulkItem::change),
            Some(Ok(Change::Removed(ConnectorId(1))))
        );
        assert!(items.next().expect("second").change().is_err());
    }

    #[test]
    fn a_bulk_item_reads_back_as_written_and_needs_exactly_one_outcome() {
        let connector = crate::fleet::tests_support::connector(7, "b", Environment::Demo, 0);
        for outcome in [
            BulkOutcome::Done(Box::new(connector)),
            BulkOutcome::Deleted(true),
            BulkOutcome::Error(ApiError::refused(Refused::AlreadyStopped)),
        ] {
            let item = BulkItem {
                id: ConnectorId(7),
                outcome,
            };
            let text = serde_json::to_string(&item).expect("written");
            let back: BulkItem = serde_json::from_str(&text).expect("read back");
            assert_eq!(back, item, "{text}");
        }
        for text in [
            r#"{"id": 1}"#,
            r#"{"id": 1, "deleted": true, "error": {"code": "refused", "message": "No."}}"#,
        ] {
            let err = serde_json::from_str::<BulkItem>(text).expect_err(text);
            assert!(
                err.to_string()
                    .contains("one of `done`, `deleted` and `error`"),
                "{err}"
            );
        }
        let err = serde_json::from_str::<BulkItem>(r#"{"deleted": true}"#).expect_err("no id");
        assert!(err.to_string().contains("missing field `id`"), "{err}");
    }

    #[test]
    fn a_redeploy_without_an_environment_names_the_missing_field() {
        let request: ActionRequest =
            serde_json::from_str(r#"{"action":"redeploy","version":1}"#).expect("valid JSON");
        let err = request.action().expect_err("no environment");
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert_eq!(err.field.as_deref(), Some("environment"));
    }

    #[test]
    fn refusals_keep_the_core_s_message_and_point_at_their_field() {
        let err = ApiError::refused(Refused::Unauthorized {
            agent: "colleague-bot-1".into(),
        });
        assert_eq!(err.code.status(), 422);
        assert_eq!(err.field.as_deref(), Some("agentUserId"));
        assert!(err.message.starts_with("401 unauthorized"));
        assert_eq!(ApiError::refused(Refused::Gone).code.status(), 404);
        assert_eq!(
            ApiError::refused(Refused::NoProductionRights).code.status(),
            403
        );
    }

    #[test]
    fn an_error_body_has_one_json_shape() {
        let body = ErrorBody {
            error: ApiError::bad_request("Bad JSON.").on_field("settings"),
        };
        let json = serde_json::to_value(&body).expect("serializable");
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "bad_request", "message": "Bad JSON.", "field": "settings"}})
        );
    }
    #[test]
    fn answers_without_the_error_shape_are_named_by_their_status() {
        let proxy = ApiError::from_answer(502, "<html>Bad Gateway</html>");
        assert_eq!(proxy.code, ErrorCode::Unavailable);
        assert!(proxy.is_transient());
        assert!(proxy.message.contains("HTTP 502"));
        let body = r#"{"error":{"code":"unauthenticated","message":"No access token."}}"#;
        let denied = ApiError::from_answer(401, body);
        assert_eq!(denied.code, ErrorCode::Unauthenticated);
        assert!(!denied.is_transient());
        assert_eq!(
            denied.explain(),
            "The server did not accept the access token (401: No access token). Check the token under Connection."
        );
    }
}
