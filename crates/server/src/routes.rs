//! The HTTP surface: one handler per endpoint of `docs/api.md`, each a thin call into
//! [`Fleet`], with authentication, the fault mode, CORS, body limits and request logs around
//! them.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use bots_status_core::api::{
    ActionRequest, AddRequest, ApiError, BulkRequest, BulkResponse, EditRequest, ErrorBody,
    ErrorCode, Faults, PcsActionRequest, ResourceRequest,
};
use bots_status_core::audit::{HistoryQuery, timeline_body};
use bots_status_core::lifecycle::Action;
use bots_status_core::model::{ConnectorId, Millis};
use bots_status_core::query::{ConnectorQuery, EnvironmentFilter};
use bots_status_core::simulator::Change;
use serde::de::DeserializeOwned;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::fleet::Fleet;
use crate::processes::TOKEN_PREFIX;
use crate::{Caller, Config, Token};

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

/// The rights a presented token carries: each known secret is compared in constant time, and
/// all of them are, so neither timing nor the order of `--token`s tells which one nearly
/// matched.
fn token_of<'a>(tokens: &'a [Token], secret: &str) -> Option<&'a Token> {
    use subtle::ConstantTimeEq;
    let mut found = None;
    for token in tokens {
        if bool::from(token.secret.as_bytes().ct_eq(secret.as_bytes())) {
            found = Some(token);
        }
    }
    found
}

fn signed_in(app: &App, secret: Option<String>) -> Result<Caller, Failure> {
    // A connector token opens the protocol's paths only, on a server with operator tokens
    // or without. Every one issued starts with the prefix, so no lookup is needed to know one.
    if let Some(secret) = &secret
        && secret.starts_with(TOKEN_PREFIX)
    {
        return Err(Failure(ApiError::new(
            ErrorCode::Forbidden,
            "A connector token only reports and follows its connector's orders (/api/v1/connector/…): it opens nothing else.",
        )));
    }
    if app.tokens.is_empty() {
        return Ok(Caller::local());
    }
    let Some(secret) = secret else {
        return Err(Failure(ApiError::new(
            ErrorCode::Unauthenticated,
            "Sign in: send the header \"Authorization: Bearer <token>\".",
        )));
    };
    token_of(&app.tokens, &secret)
        .map(Caller::of)
        .ok_or_else(|| {
            Failure(ApiError::new(
                ErrorCode::Unauthenticated,
                "This token is not known to the server: check it, or ask for a new one.",
            ))
        })
}

fn bearer(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned)
}

/// The signed-in user of a request: `Authorization: Bearer <token>`.
struct User(Caller);

impl FromRequestParts<App> for User {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        signed_in(app, bearer(parts)).map(User)
    }
}

/// The user of the event stream, which also takes `?access_token=` (a browser's EventSource
/// cannot send headers). No other path takes a token from the query, where it would show in
/// logs, history and `Referer`s.
struct StreamUser;

impl FromRequestParts<App> for StreamUser {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|q| {
            pairs(q)
                .into_iter()
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v)
        });
        let caller = signed_in(app, bearer(parts).or(from_query))?;
        may_use_app(caller.persona)?;
        Ok(StreamUser)
    }
}

fn may_use_app(persona: bots_status_core::access::Persona) -> Result<(), Failure> {
    persona
        .permissions()
        .may_open_app()
        .map_err(|e| Failure(ApiError::new(ErrorCode::Forbidden, e.to_string())))
}

fn pairs(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// A real connector process, signed in with its connector token.
struct Process(ConnectorId);

impl FromRequestParts<App> for Process {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Some(secret) = bearer(parts) else {
            return Err(Failure(ApiError::new(
                ErrorCode::Unauthenticated,
                "Sign in with the connector's token: \"Authorization: Bearer bsc_…\".",
            )));
        };
        let processes = app.fleet.processes();
        let unknown = || {
            Failure(ApiError::new(
                ErrorCode::Unauthenticated,
                "This is not a connector token the server knows: it was replaced by a newer one, its connector was deleted, or it was never issued.",
            ))
        };
        let id = processes.connector_of(&secret).ok_or_else(unknown)?;
        if !app.fleet.has(id) {
            processes.forget(id);
            return Err(unknown());
        }
        Ok(Process(id))
    }
}

/// A user who may use Bots Status at all.
struct Operator(Caller);

impl FromRequestParts<App> for Operator {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let User(caller) = User::from_request_parts(parts, app).await?;
        may_use_app(caller.persona)?;
        Ok(Operator(caller))
    }
}

/// An administrator: the fault mode and the simulated servers' health.
struct Admin;

impl FromRequestParts<App> for Admin {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let User(caller) = User::from_request_parts(parts, app).await?;
        if caller.persona.permissions().administrator {
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
        .route("/connectors/{id}/timeline", get(timeline))
        .route("/connectors/{id}/token", post(issue_token))
        .route("/connector/desired", get(desired))
        .route("/connector/orders", get(orders))
        .route("/connector/report", post(report))
        .route("/history", get(history))
        .route("/actions", post(bulk))
        .route("/accounts/{account}/agents", get(agents))
        .route("/pcs", get(pcs))
        .route("/pcs/actions", post(pcs_act))
        .route("/events", get(events))
        .layer(middleware::from_fn_with_state(app.clone(), faults))
        .route("/admin/faults", get(get_faults).put(set_faults))
        .route("/admin/resources", put(set_resource))
        .route("/admin/clock", post(advance_clock))
        .route("/health", get(health))
        .route("/openapi.json", get(openapi))
        .fallback(|| async {
            Failure(ApiError::new(
                ErrorCode::NotFound,
                "There is no such API path: see docs/api.md.",
            ))
        })
        .method_not_allowed_fallback(|method: Method| async move {
            Failure(ApiError::new(
                ErrorCode::MethodNotAllowed,
                format!("This path does not take {method}: see docs/api.md."),
            ))
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .route_layer(middleware::from_fn_with_state(
            app.fleet.metrics().clone(),
            crate::metrics::time_requests,
        ))
        .with_state(app.clone());
    let mut router = Router::new()
        .nest(bots_status_core::api::PREFIX, api)
        .route("/metrics", get(metrics).with_state(app.clone()));
    router = match &config.static_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            if !index.is_file() {
                return Err(format!(
                    "{} has no index.html: build the app first (trunk build --release)",
                    dir.display()
                ));
            }
            let root = dir
                .canonicalize()
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
            router.fallback_service(StaticGuard {
                root,
                inner: ServeDir::new(dir).fallback(ServeFile::new(index)),
            })
        }
        None => router.fallback(|| async {
            Failure(ApiError::new(
                ErrorCode::NotFound,
                "Nothing is served here: the API is under /api/v1 (see docs/api.md).",
            ))
        }),
    };
    if app.tokens.is_empty() {
        // Without tokens every request is an administrator's: only a page on this machine,
        // addressed by a loopback name, may make one (no DNS rebinding).
        router = router.layer(middleware::from_fn(loopback_host_only));
    }
    Ok(router
        .layer(cors(&config.cors)?)
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| {
            Failure(ApiError::new(
                ErrorCode::Internal,
                "The server failed while answering; nothing was changed by this request.",
            ))
            .into_response()
        }))
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

/// Whether `host` (a `Host` header) names this machine by a loopback name or address.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        }),
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn loopback_host_only(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    match host {
        Some(host) if is_loopback_host(host) => next.run(request).await,
        _ => Failure(ApiError::new(
            ErrorCode::Forbidden,
            "This server runs without tokens, so it answers only requests addressed to localhost or 127.0.0.1. Give it --token to serve other names.",
        ))
        .into_response(),
    }
}

/// Serves only what lies in the static folder: no dotfiles, no path that escapes it through
/// a symlink, and no empty segment (`//evil.example` would become a protocol-relative
/// redirect).
#[derive(Clone)]
struct StaticGuard<S> {
    root: std::path::PathBuf,
    inner: S,
}

/// The path inside the static folder a request names, or why it is not served.
fn static_path(path: &str) -> Option<std::path::PathBuf> {
    let rest = path.strip_prefix('/')?;
    let mut inside = std::path::PathBuf::new();
    if rest.is_empty() {
        return Some(inside);
    }
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        // A trailing slash is a directory; any other empty segment is refused.
        if segment.is_empty() && i + 1 == segments.len() {
            continue;
        }
        let decoded = percent_encoding::percent_decode_str(segment)
            .decode_utf8()
            .ok()?;
        if decoded.is_empty() || decoded.starts_with('.') || decoded.contains(['/', '\\', '\0']) {
            return None;
        }
        inside.push(decoded.as_ref());
    }
    Some(inside)
}

impl<S, B> tower::Service<Request> for StaticGuard<S>
where
    S: tower::Service<Request, Response = axum::http::Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
    B: http_body::Body<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future =
        std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let root = self.root.clone();
        let mut inner = self.inner.clone();
        std::mem::swap(&mut inner, &mut self.inner);
        Box::pin(async move {
            let not_found = || {
                Failure(ApiError::new(ErrorCode::NotFound, "There is no such file."))
                    .into_response()
            };
            let Some(inside) = static_path(request.uri().path()) else {
                return Ok(not_found());
            };
            // What exists must resolve inside the folder; what does not is the app's route.
            if let Ok(real) = tokio::fs::canonicalize(root.join(&inside)).await
                && !real.starts_with(&root)
            {
                return Ok(not_found());
            }
            inner.call(request).await.map(IntoResponse::into_response)
        })
    }
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

/// The longest latency the fault mode adds: longer would only hold connections open.
pub const MAX_LATENCY_MS: u64 = 30_000;

/// Whether `faults` can be set: a rate from 0 to 1 and a latency of at most 30 s.
pub fn check_faults(faults: &Faults) -> Result<(), ApiError> {
    if !(0.0..=1.0).contains(&faults.error_rate) {
        return Err(ApiError::bad_request("errorRate must be from 0 to 1.").on_field("errorRate"));
    }
    if faults.latency_ms > MAX_LATENCY_MS {
        return Err(ApiError::bad_request(format!(
            "latencyMs must be at most {MAX_LATENCY_MS} (30 seconds)."
        ))
        .on_field("latencyMs"));
    }
    Ok(())
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

/// `GET /openapi.json`: the contract, machine-readable, made once.
async fn openapi() -> impl IntoResponse {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let text = DOCUMENT.get_or_init(|| crate::openapi::document().to_string());
    ([(header::CONTENT_TYPE, "application/json")], text.as_str())
}

async fn health(State(app): State<App>) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "ok": true, "lastEventId": app.fleet.last_event_id() }))
}

/// `GET /metrics`, for a Prometheus scrape with any token that may use the app.
async fn metrics(State(app): State<App>, Operator(_): Operator) -> Answer<impl IntoResponse> {
    // A pass over the whole fleet (about 20 ms at 100,000 connectors): off the async
    // workers, so the requests they serve do not wait for it.
    let fleet = app.fleet.clone();
    let text = tokio::task::spawn_blocking(move || fleet.scrape())
        .await
        .map_err(|_| {
            Failure(ApiError::new(
                ErrorCode::Internal,
                "The metrics could not be gathered.",
            ))
        })?;
    Ok(([(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)], text))
}

async fn session(State(app): State<App>, User(caller): User) -> impl IntoResponse {
    axum::Json(app.fleet.session(&caller))
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
    Operator(caller): Operator,
    Body(request): Body<AddRequest>,
) -> Answer<impl IntoResponse> {
    let added = app.fleet.add(request.bot, request.settings, caller).await?;
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
    Operator(caller): Operator,
    Path(id): Path<String>,
    Body(request): Body<EditRequest>,
) -> Answer<impl IntoResponse> {
    let id = connector_id(&id)?;
    changed(
        app.fleet
            .act(
                id,
                Some(request.version),
                Action::Edit(Box::new(request.settings)),
                caller,
            )
            .await?,
    )
}

/// `?version=N`, refused in the error shape when it is not a number.
fn version_param(uri: &axum::http::Uri) -> Answer<Option<u64>> {
    let Some(raw) = pairs(uri.query().unwrap_or(""))
        .into_iter()
        .find(|(k, _)| k == "version")
        .map(|(_, v)| v)
    else {
        return Ok(None);
    };
    raw.trim().parse().map(Some).map_err(|_| {
        Failure(
            ApiError::bad_request(format!(
                "\"{raw}\" is not a version (a whole number, as the connector's \"version\" says)."
            ))
            .on_field("version"),
        )
    })
}

async fn delete(
    State(app): State<App>,
    Operator(caller): Operator,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> Answer<impl IntoResponse> {
    let id = connector_id(&id)?;
    let version = version_param(&uri)?;
    app.fleet.act(id, version, Action::Delete, caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn act(
    State(app): State<App>,
    Operator(caller): Operator,
    Path(id): Path<String>,
    Body(request): Body<ActionRequest>,
) -> Answer<impl IntoResponse> {
    let id = connector_id(&id)?;
    let action = request.action()?;
    changed(app.fleet.act(id, request.version, action, caller).await?)
}

async fn bulk(
    State(app): State<App>,
    Operator(caller): Operator,
    Body(request): Body<BulkRequest>,
) -> Answer<impl IntoResponse> {
    let action = ActionRequest {
        action: request.action,
        version: None,
        environment: request.environment,
    }
    .action()?;
    let results = app.fleet.bulk(action, request.connectors, caller).await?;
    Ok(axum::Json(BulkResponse { results }))
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
    Operator(caller): Operator,
    Body(request): Body<PcsActionRequest>,
) -> Answer<impl IntoResponse> {
    Ok(axum::Json(
        app.fleet
            .act_on_pcs(request.action, request.version, caller)
            .await?,
    ))
}

async fn events(
    State(app): State<App>,
    _: StreamUser,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Answer<impl IntoResponse> {
    let raw = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| {
            pairs(uri.query().unwrap_or(""))
                .into_iter()
                .find(|(k, _)| k == "after")
                .map(|(_, v)| v)
        });
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

async fn issue_token(
    State(app): State<App>,
    User(caller): User,
    Path(id): Path<u64>,
) -> Answer<impl IntoResponse> {
    if !caller.persona.permissions().administrator {
        return Err(Failure(ApiError::new(
            ErrorCode::Forbidden,
            "Only an administrator issues connector tokens: a token hands the connector to the process that holds it.",
        )));
    }
    let issued = app.fleet.issue_token(ConnectorId(id), caller).await?;
    let mut response = (StatusCode::CREATED, axum::Json(issued)).into_response();
    // Shown once: nothing on the way keeps a copy.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn desired(State(app): State<App>, Process(id): Process) -> Answer<impl IntoResponse> {
    Ok(axum::Json(
        app.fleet.desired(id).ok_or_else(crate::fleet::gone)?,
    ))
}

async fn orders(State(app): State<App>, Process(id): Process) -> impl IntoResponse {
    crate::processes::orders(app.fleet.clone(), id)
}

async fn report(
    State(app): State<App>,
    Process(id): Process,
    Body(report): Body<bots_status_core::protocol::Report>,
) -> Answer<impl IntoResponse> {
    Ok(axum::Json(app.fleet.report(id, report).await?))
}

async fn get_faults(State(app): State<App>, _: Admin) -> impl IntoResponse {
    axum::Json(app.fleet.faults())
}

async fn set_faults(
    State(app): State<App>,
    _: Admin,
    Body(faults): Body<Faults>,
) -> Answer<impl IntoResponse> {
    check_faults(&faults).map_err(Failure)?;
    tracing::warn!(?faults, "fault mode changed");
    app.fleet.set_faults(faults);
    Ok(axum::Json(faults))
}

async fn set_resource(
    State(app): State<App>,
    _: Admin,
    Body(request): Body<ResourceRequest>,
) -> Answer<impl IntoResponse> {
    app.fleet.set_resource(request).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs a read of the history off the async workers.
async fn reading<T: Send + 'static>(
    read: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Answer<T> {
    tokio::task::spawn_blocking(read)
        .await
        .map_err(|_| "the read failed".to_owned())
        .and_then(|r| r)
        .map_err(|e| {
            Failure(ApiError::new(
                ErrorCode::Unavailable,
                format!("The history cannot be read now ({e}). Try again in a moment."),
            ))
        })
}

/// `GET /history`: the record of status changes and actions, newest first, a page at a time.
async fn history(
    State(app): State<App>,
    Operator(_): Operator,
    uri: axum::http::Uri,
) -> Answer<impl IntoResponse> {
    let query = HistoryQuery::from_query_string(uri.query().unwrap_or(""))
        .map_err(|e| Failure(ApiError::bad_request(e)))?;
    let reader = app.fleet.history().clone();
    let page = reading(move || reader.page(&query)).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], page))
}

/// The longest period a timeline covers: what the history keeps by default.
const TIMELINE_MAX_MS: u64 = 30 * 24 * 3600 * 1000;
const DAY_MS: u64 = 24 * 3600 * 1000;

/// `GET /connectors/{id}/timeline?since=MS`: its three lanes from `since` (default: a day
/// ago) until now, and its uptime over them.
async fn timeline(
    State(app): State<App>,
    Operator(_): Operator,
    Path(id): Path<String>,
    uri: axum::http::Uri,
) -> Answer<impl IntoResponse> {
    let id = connector_id(&id)?;
    let mut since = None;
    for (key, value) in pairs(uri.query().unwrap_or("")) {
        match key.as_str() {
            "since" => {
                since = Some(value.trim().parse::<u64>().map_err(|_| {
                    Failure(
                        ApiError::bad_request(format!(
                            "\"{value}\" is not a time (milliseconds since 1970)."
                        ))
                        .on_field("since"),
                    )
                })?);
            }
            "access_token" => {}
            _ => {
                return Err(Failure(ApiError::bad_request(format!(
                    "A timeline takes only since=MS, not {key}."
                ))));
            }
        }
    }
    // Known to exist before the history is read; a deleted connector has no timeline.
    app.fleet.get(id)?;
    let clock = app.fleet.clock();
    let since = since
        .unwrap_or(clock.0.saturating_sub(DAY_MS))
        .max(clock.0.saturating_sub(TIMELINE_MAX_MS))
        .min(clock.0);
    let reader = app.fleet.history().clone();
    let (began, entries) =
        reading(move || Ok((reader.began()?, reader.status_changes(id, Millis(since))?))).await?;
    // The connector and the clock as they are after the rows were read, so no row is newer.
    let connector = app.fleet.get(id)?;
    let now = app.fleet.clock();
    Ok(axum::Json(timeline_body(
        &connector,
        &entries,
        Millis(since),
        began,
        now,
    )))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockRequest {
    advance_ms: u64,
}

/// `POST /admin/clock`: moves simulated time on at once, by at most a week.
async fn advance_clock(
    State(app): State<App>,
    _: Admin,
    Body(request): Body<ClockRequest>,
) -> Answer<impl IntoResponse> {
    if !(1..=7 * DAY_MS).contains(&request.advance_ms) {
        return Err(Failure(
            ApiError::bad_request("advanceMs must be from 1 to 604800000 (a week).")
                .on_field("advanceMs"),
        ));
    }
    let now = app.fleet.advance(request.advance_ms).await?;
    Ok(axum::Json(serde_json::json!({ "now": now })))
}
