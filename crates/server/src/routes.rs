//! The HTTP surface: one handler per endpoint of `docs/api.md`, each a thin call into
//! [`Fleet`], with authentication, the fault mode, CORS, body limits and request logs around
//! them.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bots_status_core::access::Persona;
use bots_status_core::api::{
    ActionRequest, AddRequest, ApiError, BulkRequest, EditRequest, ErrorBody, ErrorCode, Faults,
    PcsActionRequest, ResourceRequest,
};
use bots_status_core::lifecycle::Action;
use bots_status_core::model::ConnectorId;
use bots_status_core::query::{ConnectorQuery, EnvironmentFilter};
use bots_status_core::simulator::Change;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::fleet::Fleet;
use crate::{Config, Token};

/// The largest request body taken: a connector's settings are far smaller.
const BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
struct App {
    fleet: Arc<Fleet>,
    tokens: Arc<Vec<Token>>,
}

/// An error answer in the contract's one shape.
struct Failure(ApiError);

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        Failure(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(ErrorBody { error: self.0 })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

type Answer<T> = Result<T, Failure>;

/// A JSON body whose problems are answered in the contract's error shape.
struct Body<T>(T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = Failure;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(Failure(json_problem(&rejection))),
        }
    }
}

fn json_problem(rejection: &JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            ErrorCode::TooLarge,
            format!("The request body is larger than {BODY_LIMIT} bytes."),
        );
    }
    ApiError::bad_request(format!(
        "The request body cannot be read: {}",
        rejection.body_text()
    ))
}

/// The signed-in user of a request: `Authorization: Bearer <token>`, or `?access_token=` for
/// the event stream (a browser's EventSource cannot send headers).
struct User(Persona);

impl FromRequestParts<App> for User {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        if app.tokens.is_empty() {
            return Ok(User(Persona::Administrator));
        }
        let from_header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_owned);
        let from_query = parts.uri.query().and_then(|q| {
            pairs(q)
                .into_iter()
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v)
        });
        let Some(secret) = from_header.or(from_query) else {
            return Err(Failure(ApiError::new(
                ErrorCode::Unauthenticated,
                "Sign in: send the header \"Authorization: Bearer <token>\".",
            )));
        };
        app.tokens
            .iter()
            .find(|t| t.secret == secret)
            .map(|t| User(t.persona))
            .ok_or_else(|| {
                Failure(ApiError::new(
                    ErrorCode::Unauthenticated,
                    "This token is not known to the server: check it, or ask for a new one.",
                ))
            })
    }
}

fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// A user who may use Bots Status at all.
struct Operator(Persona);

impl FromRequestParts<App> for Operator {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let User(persona) = User::from_request_parts(parts, app).await?;
        persona
            .permissions()
            .may_open_app()
            .map_err(|e| Failure(ApiError::new(ErrorCode::Forbidden, e.to_string())))?;
        Ok(Operator(persona))
    }
}

/// An administrator: the fault mode and the simulated servers' health.
struct Admin;

impl FromRequestParts<App> for Admin {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let User(persona) = User::from_request_parts(parts, app).await?;
        if persona.permissions().administrator {
            Ok(Admin)
        } else {
            Err(Failure(ApiError::new(
                ErrorCode::Forbidden,
                "Only an administrator may change the server's simulation.",
            )))
        }
    }
}

pub fn router(fleet: Arc<Fleet>, config: &Config) -> Result<Router, String> {
    let app = App {
        fleet,
        tokens: Arc::new(config.tokens.clone()),
    };
    let api = Router::new()
        .route("/session", get(session))
        .route("/connectors", get(list).post(add))
        .route("/connectors/{id}", get(one).put(edit).delete(delete))
        .route("/connectors/{id}/actions", post(act))
        .route("/actions", post(bulk))
        .route("/accounts/{account}/agents", get(agents))
        .route("/pcs", get(pcs))
        .route("/pcs/actions", post(pcs_act))
        .route("/events", get(events))
        .layer(middleware::from_fn_with_state(app.clone(), faults))
        .route("/admin/faults", get(get_faults).put(set_faults))
        .route("/admin/resources", put(set_resource))
        .route("/health", get(health))
        .fallback(|| async {
            Failure(ApiError::new(
                ErrorCode::NotFound,
                "There is no such API path: see docs/api.md.",
            ))
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(app);
    let mut router = Router::new().nest(bots_status_core::api::PREFIX, api);
    if let Some(dir) = &config.static_dir {
        let index = dir.join("index.html");
        if !index.is_file() {
            return Err(format!(
                "{} has no index.html: build the app first (trunk build --release)",
                dir.display()
            ));
        }
        router = router.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)));
    }
    Ok(router
        .layer(cors(&config.cors)?)
        .layer(
            // One structured line per request: method, path (never the query, which may hold
            // the event stream's token), status and latency.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        ))
}

fn cors(origins: &[String]) -> Result<CorsLayer, String> {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("last-event-id"),
        ])
        .max_age(Duration::from_secs(600));
    if origins.iter().any(|o| o == "*") {
        return Ok(layer.allow_origin(AllowOrigin::any()));
    }
    let list = origins
        .iter()
        .map(|o| {
            HeaderValue::from_str(o)
                .map_err(|_| format!("CORS origin \"{o}\" is not a valid origin"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(layer.allow_origin(AllowOrigin::list(list)))
}

/// The fault mode: latency, then a share of the requests answered 503.
async fn faults(State(app): State<App>, request: Request, next: Next) -> Response {
    let faults = app.fleet.faults();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if request.method() != Method::OPTIONS && app.fleet.should_fail() {
        return Failure(ApiError::new(
            ErrorCode::Unavailable,
            "The server is unavailable (its fault mode is on). Try again.",
        ))
        .into_response();
    }
    next.run(request).await
}

async fn health(State(app): State<App>) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "ok": true, "lastEventId": app.fleet.last_event_id() }))
}

async fn session(State(app): State<App>, User(persona): User) -> impl IntoResponse {
    axum::Json(app.fleet.session(persona))
}

async fn list(
    State(app): State<App>,
    Operator(_): Operator,
    request: axum::http::Uri,
) -> Answer<impl IntoResponse> {
    let raw = request.query().unwrap_or("");
    let (mut query, mut ignored) = ConnectorQuery::from_query_string(raw);
    // The token may ride in the query (as for the event stream); it is not a filter.
    ignored.retain(|pair| !pair.starts_with("access_token="));
    if !ignored.is_empty() {
        return Err(Failure(ApiError::bad_request(format!(
            "These filters cannot be read: {}. See docs/api.md for the filters.",
            ignored.join(", ")
        ))));
    }
    // The API lists every environment unless asked for one.
    if !pairs(raw).iter().any(|(k, _)| k == "env") {
        query.environment = EnvironmentFilter::All;
    }
    Ok(axum::Json(app.fleet.page(&query)))
}

fn connector_id(raw: &str) -> Answer<ConnectorId> {
    raw.parse().map(ConnectorId).map_err(|_| {
        Failure(
            ApiError::bad_request(format!("\"{raw}\" is not a connector id (a whole number)."))
                .on_field("id"),
        )
    })
}

async fn one(
    State(app): State<App>,
    Operator(_): Operator,
    Path(id): Path<String>,
) -> Answer<impl IntoResponse> {
    Ok(axum::Json(app.fleet.get(connector_id(&id)?)?))
}

async fn add(
    State(app): State<App>,
    Operator(persona): Operator,
    Body(request): Body<AddRequest>,
) -> Answer<impl IntoResponse> {
    let added = app.fleet.add(request.bot, request.settings, persona)?;
    Ok((StatusCode::CREATED, axum::Json(added)))
}

/// The connector an action left behind.
fn changed(change: Change) -> Answer<axum::Json<bots_status_core::model::Connector>> {
    match change {
        Change::Connector(c) => Ok(axum::Json(*c)),
        _ => Err(Failure(ApiError::new(
            ErrorCode::Internal,
            "The action left no connector.",
        ))),
    }
}

async fn edit(
    State(app): State<App>,
    Operator(persona): Operator,
    Path(id): Path<String>,
    Body(request): Body<EditRequest>,
) -> Answer<impl IntoResponse> {
    let id = connector_id(&id)?;
    changed(app.fleet.act(
        id,
        Some(request.version),
        Action::Edit(Box::new(request.settings)),
        persona,
    )?)
}

#[derive(Deserialize)]
struct VersionParam {
    version: Option<u64>,
}

async fn delete(
    State(app): State<App>,
    Operator(persona): Operator,
    Path(id): Path<String>,
    Query(param): Query<VersionParam>,
) -> Answer<impl IntoResponse> {
    let id = connector_id(&id)?;
    app.fleet.act(id, param.version, Action::Delete, persona)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn act(
    State(app): State<App>,
    Operator(persona): Operator,
    Path(id): Path<String>,
    Body(request): Body<ActionRequest>,
) -> Answer<impl IntoResponse> {
    let id = connector_id(&id)?;
    let action = request.action()?;
    changed(app.fleet.act(id, request.version, action, persona)?)
}

async fn bulk(
    State(app): State<App>,
    Operator(persona): Operator,
    Body(request): Body<BulkRequest>,
) -> Answer<impl IntoResponse> {
    let action = ActionRequest {
        action: request.action,
        version: None,
        environment: request.environment,
    }
    .action()?;
    let results = app.fleet.bulk(&action, &request.connectors, persona)?;
    Ok(axum::Json(serde_json::json!({ "results": results })))
}

async fn agents(
    State(app): State<App>,
    Operator(_): Operator,
    Path(account): Path<String>,
) -> Answer<impl IntoResponse> {
    Ok(axum::Json(app.fleet.agents(&account)?))
}

async fn pcs(State(app): State<App>, Operator(_): Operator) -> impl IntoResponse {
    axum::Json(app.fleet.pcs())
}

async fn pcs_act(
    State(app): State<App>,
    Operator(persona): Operator,
    Body(request): Body<PcsActionRequest>,
) -> Answer<impl IntoResponse> {
    Ok(axum::Json(app.fleet.act_on_pcs(
        request.action,
        request.version,
        persona,
    )?))
}

async fn events(
    State(app): State<App>,
    Operator(_): Operator,
    headers: HeaderMap,
    Query(params): Query<BTreeMap<String, String>>,
) -> Answer<impl IntoResponse> {
    let raw = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| params.get("after").cloned());
    let after = match raw {
        Some(raw) => raw.trim().parse::<u64>().map_err(|_| {
            Failure(
                ApiError::bad_request(format!("\"{raw}\" is not an event id (a whole number)."))
                    .on_field("after"),
            )
        })?,
        // A new stream starts from now; read the list first to have what came before.
        None => app.fleet.last_event_id(),
    };
    Ok(crate::stream::follow(app.fleet.clone(), after))
}

async fn get_faults(State(app): State<App>, _: Admin) -> impl IntoResponse {
    axum::Json(app.fleet.faults())
}

async fn set_faults(
    State(app): State<App>,
    _: Admin,
    Body(faults): Body<Faults>,
) -> Answer<impl IntoResponse> {
    if !(0.0..=1.0).contains(&faults.error_rate) {
        return Err(Failure(
            ApiError::bad_request("errorRate must be from 0 to 1.").on_field("errorRate"),
        ));
    }
    tracing::warn!(?faults, "fault mode changed");
    app.fleet.set_faults(faults);
    Ok(axum::Json(faults))
}

async fn set_resource(
    State(app): State<App>,
    _: Admin,
    Body(request): Body<ResourceRequest>,
) -> Answer<impl IntoResponse> {
    app.fleet.set_resource(request)?;
    Ok(StatusCode::NO_CONTENT)
}
