//! The live adapter: the backend port over the HTTP contract of `docs/api.md`, with gloo-net
//! for requests and the browser's `EventSource` for the stream of changes.
//!
//! It reads the session and the list, then follows the stream from the list's last event id.
//! When the stream drops it opens it again after a growing wait, from the last id it applied,
//! so nothing is missed; a `reset` from the server makes it read the list again. Reads are
//! tried again after a transient failure; writes are sent once, and their failure says so.
//! Every answer is checked against the contract's types: one that does not fit is reported,
//! never trusted.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use bots_status_core::api::{
    ActionRequest, AddRequest, ApiError, BulkRequest, BulkResponse, EditRequest, ErrorCode,
    FleetPage, PREFIX, PcsActionRequest, Target,
};
use bots_status_core::audit::{HistoryPage, HistoryQuery, TimelineBody};
use bots_status_core::json;
use bots_status_core::lifecycle::Action;
use bots_status_core::live::{Backoff, Cursor, Link, READ_TRIES};
use bots_status_core::model::{BotRef, Connector, ConnectorId, ConnectorSettings, Millis};
use bots_status_core::pcs::{PcsAction, PcsConnector};
use bots_status_core::settings::AgentUser;
use bots_status_core::simulator::Change;
use gloo_net::http::{Method, RequestBuilder};
use leptos::prelude::{TimeoutHandle, set_timeout_with_handle};
use leptos::task::spawn_local;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{EventSource, MessageEvent};

use super::{
    Acted, Backend, BackendError, BackendEvent, FleetSnapshot, LocalFuture, Sink, Subscription,
    Watchers,
};

/// Where the live API is and who calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct LiveOptions {
    /// The server's address without the API prefix (see [`bots_status_core::live::base_url`]).
    pub base_url: String,
    /// The bearer token, if the server wants one.
    pub token: Option<String>,
}

impl std::fmt::Debug for LiveOptions {
    // The token stays out of logs and panic messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveOptions")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .finish()
    }
}

#[derive(Clone)]
pub struct LiveBackend {
    inner: Rc<Inner>,
}

struct Inner {
    options: LiveOptions,
    state: RefCell<State>,
    watchers: Watchers,
}

#[derive(Default)]
struct State {
    cursor: Cursor,
    link: Option<Link>,
    stream: Option<Stream>,
    /// Failed tries since the stream was last open.
    attempt: u32,
    retry: Option<TimeoutHandle>,
    /// What the next try does: read everything again, or only reopen the stream.
    retry_reloads: bool,
    /// Stream changes waiting to be delivered together (a burst is one update of the page).
    pending: Vec<Change>,
    flush_scheduled: bool,
    started: bool,
    stopped: bool,
}

/// An open event stream; closing it is dropping it.
struct Stream {
    source: EventSource,
    _listeners: Vec<Closure<dyn Fn(web_sys::Event)>>,
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// A request that did not get the answer it needed.
fn unreachable(base: &str, why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::Unavailable,
        format!("The server at {base} could not be reached ({why})"),
    )
}

fn unreadable(why: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("its answer does not fit the API ({why})"),
    )
}

/// A refusal the UI knows by its reason, a conflict with what is there now, or a sentence.
fn backend_error(error: ApiError) -> BackendError {
    if let Some(refused) = error.refused {
        return BackendError::Refused(*refused);
    }
    if let Some(agents) = error.agents {
        return BackendError::AgentList(*agents);
    }
    match (error.code, error.current) {
        (ErrorCode::Conflict, Some(current)) => BackendError::Conflict(current),
        // A conflict over the PCS connector: the server's sentence says both versions.
        (ErrorCode::Conflict, None) => BackendError::Stale(error.message),
        (_, current) => BackendError::Failed(ApiError { current, ..error }.explain()),
    }
}

fn wall_now() -> f64 {
    web_sys::js_sys::Date::now()
}

async fn sleep(ms: u64) {
    gloo_timers::future::sleep(Duration::from_millis(ms)).await;
}

impl LiveBackend {
    /// An adapter for the API at `options.base_url`; nothing is asked until someone watches.
    pub fn new(options: LiveOptions) -> LiveBackend {
        LiveBackend {
            inner: Rc::new(Inner {
                options,
                state: RefCell::new(State::default()),
                watchers: Watchers::default(),
            }),
        }
    }

    pub fn options(&self) -> &LiveOptions {
        &self.inner.options
    }

    /// Closes the stream and stops trying; nothing is left running.
    pub fn stop(&self) {
        let (stream, retry) = {
            let mut state = self.inner.state.borrow_mut();
            state.stopped = true;
            (state.stream.take(), state.retry.take())
        };
        self.inner.watchers.clear();
        drop(stream);
        if let Some(retry) = retry {
            retry.clear();
        }
    }

    /// Tries again at once instead of waiting (the "Retry now" button).
    pub fn retry_now(&self) {
        let (retry, reloads) = {
            let mut state = self.inner.state.borrow_mut();
            (state.retry.take(), state.retry_reloads)
        };
        if let Some(retry) = retry {
            retry.clear();
        }
        self.try_again(reloads);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{PREFIX}{path}", self.inner.options.base_url)
    }

    /// One request: the status and body of the answer, or why there was none.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, String), ApiError> {
        let mut request = RequestBuilder::new(&self.url(path)).method(method);
        if let Some(token) = &self.inner.options.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => request
                .header("Content-Type", "application/json")
                .body(body),
            None => request.build(),
        }
        .map_err(|e| unreachable(&self.inner.options.base_url, &e.to_string()))?;
        let response = request
            .send()
            .await
            .map_err(|e| unreachable(&self.inner.options.base_url, &e.to_string()))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| unreachable(&self.inner.options.base_url, &e.to_string()))?;
        Ok((status, text))
    }

    /// A read, tried again after a transient failure, its answer's body read as `T`.
    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ApiError> {
        let mut body = None;
        self.get_with(path, &mut |text| {
            body = Some(json::from_str(text).map_err(unreadable)?);
            Ok(())
        })
        .await?;
        body.ok_or_else(|| unreadable("no body"))
    }

    /// A read, tried again after a transient failure (an answer `read` cannot take is one),
    /// with `read` taking a success's body. One copy of the retries for every type read.
    async fn get_with(
        &self,
        path: &str,
        read: &mut dyn FnMut(&str) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let mut attempt = 0;
        loop {
            let answer = match self.send(Method::GET, path, None).await {
                Ok((status, text)) if (200..300).contains(&status) => read(&text),
                Ok((status, text)) => Err(ApiError::from_answer(status, &text)),
                Err(e) => Err(e),
            };
            match answer {
                Err(e) if e.is_transient() && attempt + 1 < READ_TRIES => {
                    sleep(Backoff::READS.delay_ms(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// A write, sent once: after a failure nobody knows whether it was carried out, so it is
    /// not repeated behind the user's back.
    async fn write(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, String), BackendError> {
        let (status, text) = self.send(method, path, body).await.map_err(|e| {
            BackendError::Failed(format!(
                "{} Nothing was sent again: look at the list before you repeat it.",
                e.explain()
            ))
        })?;
        if (200..300).contains(&status) {
            Ok((status, text))
        } else {
            Err(backend_error(ApiError::from_answer(status, &text)))
        }
    }

    /// A write whose answer is a connector or the PCS connector: delivered to the watchers at
    /// once (the stream brings the same change again, which changes nothing).
    fn write_change<T: Serialize + 'static>(
        &self,
        method: Method,
        path: String,
        body: Option<&T>,
        change: impl FnOnce(String) -> Result<Change, ApiError> + 'static,
    ) -> LocalFuture<Result<Change, BackendError>> {
        let this = self.clone();
        let body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
        Box::pin(async move {
            let (_, text) = this.write(method, &path, body).await?;
            let change =
                change(text).map_err(|e| BackendError::Failed(format!("Done, but {e}.")))?;
            this.emit(BackendEvent::Changes(vec![change.clone()]));
            Ok(change)
        })
    }

    fn emit(&self, event: BackendEvent) {
        self.inner.watchers.emit(event);
    }

    fn set_link(&self, link: Link) {
        let changed = {
            let mut state = self.inner.state.borrow_mut();
            if state.stopped || state.link.as_ref() == Some(&link) {
                false
            } else {
                state.link = Some(link.clone());
                true
            }
        };
        if changed {
            self.emit(BackendEvent::Connection(link));
        }
    }

    fn stopped(&self) -> bool {
        self.inner.state.borrow().stopped
    }

    /// Reads the session and the list, then follows the stream.
    fn load(&self) {
        let this = self.clone();
        spawn_local(async move {
            if this.inner.state.borrow().link.is_none() {
                this.set_link(Link::Connecting);
            }
            let session = this.get("/session").await;
            let page = match session {
                Ok(session) => {
                    this.emit(BackendEvent::Session(session));
                    this.get::<FleetPage>("/connectors").await
                }
                Err(e) => Err(e),
            };
            if this.stopped() {
                return;
            }
            match page {
                Ok(page) => {
                    this.relisted(page);
                    this.open_stream();
                }
                Err(e) => this.failed(e, true),
            }
        });
    }

    /// A fresh list: it replaces what the page shows, and the changes held meanwhile that it
    /// does not include follow.
    fn relisted(&self, page: FleetPage) {
        let held = {
            let mut state = self.inner.state.borrow_mut();
            // Queued changes are older than the list, which includes them.
            state.pending.clear();
            if state.cursor.resyncing() {
                state.cursor.relisted(page.last_event_id)
            } else {
                state.cursor = Cursor::new(page.last_event_id);
                Vec::new()
            }
        };
        self.emit(BackendEvent::Snapshot(Box::new(FleetSnapshot {
            connectors: page.connectors,
            pcs: page.pcs,
            new_fleet: false,
        })));
        if !held.is_empty() {
            self.emit(BackendEvent::Changes(held));
        }
    }

    /// A read of the session or the list failed: a refused token is said once and not tried
    /// again; anything else is tried again after a wait.
    fn failed(&self, error: ApiError, reload: bool) {
        if matches!(
            error.code,
            ErrorCode::Unauthenticated | ErrorCode::Forbidden
        ) {
            self.set_link(Link::Refused(error.explain()));
            return;
        }
        if self.inner.state.borrow().link == Some(Link::Connecting) {
            self.emit(BackendEvent::Notice(error.explain()));
        }
        self.schedule_retry(reload);
    }

    /// Waits longer after each failed try, then tries again.
    fn schedule_retry(&self, reloads: bool) {
        let (attempt, link) = {
            let mut state = self.inner.state.borrow_mut();
            if state.stopped {
                return;
            }
            if let Some(stream) = state.stream.take() {
                // Closed now, dropped later: this may run inside one of its listeners.
                stream.source.close();
                spawn_local(async move { drop(stream) });
            }
            let attempt = state.attempt;
            state.attempt += 1;
            state.retry_reloads = reloads;
            let link = state.link.clone().unwrap_or(Link::Connecting);
            (attempt, link)
        };
        self.set_link(link.after_failure(attempt, Millis(wall_now() as u64)));
        let weak = Rc::downgrade(&self.inner);
        let delay = Duration::from_millis(Backoff::STREAM.delay_ms(attempt));
        let handle = set_timeout_with_handle(
            move || {
                if let Some(inner) = weak.upgrade() {
                    let this = LiveBackend { inner };
                    this.inner.state.borrow_mut().retry = None;
                    this.try_again(reloads);
                }
            },
            delay,
        );
        self.inner.state.borrow_mut().retry = handle.ok();
    }

    fn try_again(&self, reloads: bool) {
        if self.stopped() {
            return;
        }
        if reloads {
            self.load();
        } else {
            self.open_stream();
        }
    }

    /// Opens the stream after the last change applied.
    fn open_stream(&self) {
        let after = self.inner.state.borrow().cursor.last();
        let mut url = self.url(&format!("/events?after={after}"));
        if let Some(token) = &self.inner.options.token {
            let token: String = web_sys::js_sys::encode_uri_component(token).into();
            url.push_str(&format!("&access_token={token}"));
        }
        let source = match EventSource::new(&url) {
            Ok(source) => source,
            Err(_) => {
                self.failed(
                    unreachable(&self.inner.options.base_url, "the stream cannot be opened"),
                    false,
                );
                return;
            }
        };
        let weak = Rc::downgrade(&self.inner);
        let listen = |name: &str, handler: fn(&LiveBackend, web_sys::Event)| {
            let weak: Weak<Inner> = weak.clone();
            let closure = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
                if let Some(inner) = weak.upgrade() {
                    handler(&LiveBackend { inner }, event);
                }
            });
            let _ = source.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
            closure
        };
        let listeners = vec![
            listen("open", |this, _| this.opened()),
            listen("change", |this, event| this.on_change(event)),
            listen("reset", |this, _| this.on_reset()),
            listen("error", |this, _| this.schedule_retry(false)),
        ];
        self.inner.state.borrow_mut().stream = Some(Stream {
            source,
            _listeners: listeners,
        });
    }

    fn opened(&self) {
        self.inner.state.borrow_mut().attempt = 0;
        self.set_link(Link::Live);
    }

    fn on_change(&self, event: web_sys::Event) {
        let Ok(message) = event.dyn_into::<MessageEvent>() else {
            return;
        };
        let id = message.last_event_id().parse::<u64>();
        let change = message
            .data()
            .as_string()
            .ok_or_else(|| "no text".to_owned())
            .and_then(|text| json::from_str::<Change>(&text).map_err(|e| e.to_string()));
        let (id, change) = match (id, change) {
            (Ok(id), Ok(change)) => (id, change),
            (_, Err(why)) => {
                self.emit(BackendEvent::Notice(format!(
                    "A change from the server could not be read ({why}), so the list was read again."
                )));
                self.on_reset();
                return;
            }
            (Err(_), Ok(_)) => {
                self.emit(BackendEvent::Notice(
                    "A change from the server came without its number, so the list was read again."
                        .to_owned(),
                ));
                self.on_reset();
                return;
            }
        };
        let schedule = {
            let mut state = self.inner.state.borrow_mut();
            match state.cursor.change(id, change) {
                Some(change) => {
                    state.pending.push(change);
                    !std::mem::replace(&mut state.flush_scheduled, true)
                }
                None => false,
            }
        };
        if schedule {
            let weak = Rc::downgrade(&self.inner);
            let _ = set_timeout_with_handle(
                move || {
                    if let Some(inner) = weak.upgrade() {
                        LiveBackend { inner }.flush();
                    }
                },
                Duration::ZERO,
            );
        }
    }

    fn flush(&self) {
        let changes = {
            let mut state = self.inner.state.borrow_mut();
            state.flush_scheduled = false;
            std::mem::take(&mut state.pending)
        };
        if !changes.is_empty() {
            self.emit(BackendEvent::Changes(changes));
        }
    }

    /// The server no longer has what the page missed: read the list again.
    fn on_reset(&self) {
        self.inner.state.borrow_mut().cursor.reset();
        let this = self.clone();
        spawn_local(async move {
            match this.get::<FleetPage>("/connectors").await {
                Ok(page) if !this.stopped() => this.relisted(page),
                Ok(_) => {}
                Err(e) => this.failed(e, true),
            }
        });
    }
}

fn connector_change(text: String) -> Result<Change, ApiError> {
    json::from_str::<Connector>(&text)
        .map(|c| Change::Connector(Box::new(c)))
        .map_err(unreadable)
}

fn pcs_change(text: String) -> Result<Change, ApiError> {
    json::from_str::<PcsConnector>(&text)
        .map(|p| Change::Pcs(Box::new(p)))
        .map_err(unreadable)
}

impl Backend for LiveBackend {
    fn watch(&self, sink: Sink) -> Subscription {
        let subscription = self.inner.watchers.add(sink);
        let first = !std::mem::replace(&mut self.inner.state.borrow_mut().started, true);
        // The first watcher starts the adapter; a later one gets the list read again.
        if first {
            self.load();
        } else {
            self.on_reset();
        }
        subscription
    }

    fn act(
        &self,
        id: ConnectorId,
        action: Action,
        seen: Option<u64>,
    ) -> LocalFuture<Result<Change, BackendError>> {
        let path = format!("/connectors/{}", id.0);
        match action {
            Action::Edit(settings) => {
                let body = EditRequest {
                    // An edit always names what it saw; a form opened before versions were
                    // known gets the conflict and its current state.
                    version: seen.unwrap_or(0),
                    settings: *settings,
                };
                self.write_change(Method::PUT, path, Some(&body), connector_change)
            }
            Action::Delete => {
                let path = match seen {
                    Some(v) => format!("{path}?version={v}"),
                    None => path,
                };
                self.write_change::<()>(Method::DELETE, path, None, move |_| {
                    Ok(Change::Removed(id))
                })
            }
            other => match ActionRequest::for_action(&other, seen) {
                Some(body) => self.write_change(
                    Method::POST,
                    format!("{path}/actions"),
                    Some(&body),
                    connector_change,
                ),
                None => Box::pin(std::future::ready(Err(BackendError::Failed(
                    "this action has no request in the API".to_owned(),
                )))),
            },
        }
    }

    fn act_on_many(&self, action: Action, targets: Vec<Target>) -> LocalFuture<Vec<Acted>> {
        let this = self.clone();
        Box::pin(async move {
            let Some(requests) = BulkRequest::chunks(&action, &targets) else {
                let why = "an edit is made one connector at a time";
                return targets
                    .iter()
                    .map(|t| (t.id, Err(BackendError::Failed(why.to_owned()))))
                    .collect();
            };
            let mut acted = Vec::with_capacity(targets.len());
            let mut changes = Vec::new();
            for request in requests {
                let body = serde_json::to_string(&request).unwrap_or_default();
                let answer = this
                    .write(Method::POST, "/actions", Some(body))
                    .await
                    .and_then(|(_, text)| {
                        json::from_str::<BulkResponse>(&text).map_err(|e| {
                            BackendError::Failed(format!("Done, but {}.", unreadable(e)))
                        })
                    });
                match answer {
                    Ok(answer) => {
                        for item in answer.results {
                            let id = item.id;
                            let result = item.change().map_err(backend_error);
                            if let Ok(change) = &result {
                                changes.push(change.clone());
                            }
                            acted.push((id, result));
                        }
                    }
                    // Nobody knows what a request without an answer did: each of its
                    // connectors says so, and the stream tells what was done.
                    Err(e) => {
                        acted.extend(request.connectors.iter().map(|t| (t.id, Err(e.clone()))))
                    }
                }
            }
            if !changes.is_empty() {
                this.emit(BackendEvent::Changes(changes));
            }
            acted
        })
    }

    fn act_on_pcs(
        &self,
        action: PcsAction,
        seen: Option<u64>,
    ) -> LocalFuture<Result<Change, BackendError>> {
        let body = PcsActionRequest {
            action,
            version: seen,
        };
        self.write_change(
            Method::POST,
            "/pcs/actions".to_owned(),
            Some(&body),
            pcs_change,
        )
    }

    fn agents(&self, account: &str) -> LocalFuture<Result<Vec<AgentUser>, BackendError>> {
        let this = self.clone();
        let account: String = web_sys::js_sys::encode_uri_component(account).into();
        Box::pin(async move {
            this.get(&format!("/accounts/{account}/agents"))
                .await
                .map_err(backend_error)
        })
    }

    fn add(
        &self,
        bot: BotRef,
        settings: ConnectorSettings,
    ) -> LocalFuture<Result<Change, BackendError>> {
        let body = AddRequest { bot, settings };
        self.write_change(
            Method::POST,
            "/connectors".to_owned(),
            Some(&body),
            connector_change,
        )
    }

    fn history(&self, query: HistoryQuery) -> LocalFuture<Result<HistoryPage, BackendError>> {
        let backend = self.clone();
        Box::pin(async move {
            backend
                .get(&format!("/history?{}", query.to_query_string()))
                .await
                .map_err(|e| BackendError::Failed(e.explain()))
        })
    }

    fn timeline(
        &self,
        id: ConnectorId,
        since: Millis,
    ) -> LocalFuture<Result<TimelineBody, BackendError>> {
        let backend = self.clone();
        Box::pin(async move {
            backend
                .get(&format!("/connectors/{}/timeline?since={}", id.0, since.0))
                .await
                .map_err(|e| BackendError::Failed(e.explain()))
        })
    }
}
