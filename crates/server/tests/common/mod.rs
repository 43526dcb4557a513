//! What the server's integration tests share: a server on a loopback port, an API client,
//! and an event stream read over HTTP. Each test file uses its own part of it.

#![allow(dead_code, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use bots_status_core::api::{ErrorBody, FleetPage};
use bots_status_core::model::Connector;
use bots_status_core::simulator::Change;
use bots_status_core::status::ConnectorStatus;
use bots_status_server::{Config, Server};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const ADMIN: &str = "admin-secret";
pub const DEVELOPER: &str = "dev-secret";
pub const OUTSIDER: &str = "outsider-secret";

pub fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = dir.path().join("fleet.sqlite");
    (dir, db)
}

/// Another process's connection holding the database's write lock until it is dropped.
pub fn hold_write_lock(db: &Path) -> rusqlite::Connection {
    let other = rusqlite::Connection::open(db).expect("a second connection");
    other
        .execute_batch("BEGIN IMMEDIATE")
        .expect("the write lock");
    other
}

pub fn config() -> Config {
    Config {
        tokens: vec![
            ADMIN.parse().expect("token"),
            format!("{DEVELOPER}:developer").parse().expect("token"),
            format!("{OUTSIDER}:none").parse().expect("token"),
        ],
        cors: vec!["http://portal.example".to_owned()],
        // The simulator stays still unless a test moves it.
        tick: Duration::from_secs(3600),
        ..Config::default()
    }
}

pub async fn start(config: Config) -> (Server, Api) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let server = Server::start(config, listener)
        .await
        .expect("server starts");
    let api = Api {
        base: format!("http://{}/api/v1", server.addr),
        client: reqwest::Client::new(),
    };
    (server, api)
}

pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

impl Api {
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: impl Into<String>,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let path: String = path.into();
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, ADMIN, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, ADMIN, Some(body))
            .await
    }

    /// `PUT /admin/faults` as the user of `token`.
    pub async fn set_faults(&self, token: &str, faults: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, "/admin/faults", token, Some(faults))
            .await
    }

    pub async fn fleet(&self) -> FleetPage {
        let (status, body) = self.get("/connectors").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_value(body).expect("a fleet page")
    }

    pub async fn first(&self, status: ConnectorStatus) -> Connector {
        self.fleet()
            .await
            .connectors
            .into_iter()
            .find(|c| {
                c.state.status() == status && c.settings.agent_user_id.chars().all(|ch| ch != ' ')
            })
            .unwrap_or_else(|| panic!("the fleet has a connector that is {status:?}"))
    }
}

pub fn error(body: &Value) -> bots_status_core::api::ApiError {
    serde_json::from_value::<ErrorBody>(body.clone())
        .unwrap_or_else(|e| panic!("not the error shape ({e}): {body}"))
        .error
}

/// An event stream read over HTTP.
pub struct Stream {
    pub response: reqwest::Response,
    pub buffer: String,
    /// The id of the last change read: each next one must follow it without a gap.
    pub last: u64,
}

/// One server-sent event.
#[derive(Debug)]
pub struct Sse {
    pub id: u64,
    pub kind: String,
    pub data: String,
}

impl Stream {
    pub async fn open(api: &Api, last_event_id: u64) -> Stream {
        let request = api
            .client
            .get(format!("{}/events", api.base))
            .bearer_auth(ADMIN)
            .header("Last-Event-ID", last_event_id.to_string());
        let response = request.send().await.expect("a stream");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Stream {
            response,
            buffer: String::new(),
            last: last_event_id,
        }
    }

    /// The next event, skipping keep-alive comments; `None` when the stream ends.
    pub async fn next(&mut self) -> Option<Sse> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Sse {
                    id: 0,
                    kind: String::new(),
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        event.id = v.trim().parse().expect("a numeric id");
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event.kind = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        event.data.push_str(v.trim_start());
                    }
                }
                if event.kind.is_empty() {
                    continue;
                }
                return Some(event);
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("an event within 10 s")
                .expect("the stream reads");
            self.buffer
                .push_str(std::str::from_utf8(&chunk?).expect("utf-8"));
        }
    }

    pub async fn change(&mut self) -> (u64, Change) {
        let event = self.next().await.expect("an event");
        assert_eq!(event.kind, "change", "{event:?}");
        assert_eq!(event.id, self.last + 1, "no change is skipped");
        self.last = event.id;
        (
            event.id,
            serde_json::from_str(&event.data).expect("a change"),
        )
    }

    /// The next `count` changes of connector `id` (the simulator may change others meanwhile).
    pub async fn changes_of(&mut self, id: u64, count: usize) -> Vec<Connector> {
        let mut found = Vec::new();
        while found.len() < count {
            if let (_, Change::Connector(c)) = self.change().await
                && c.id.0 == id
            {
                found.push(*c);
            }
        }
        found
    }
}

/// `action` on connector `id`, which must be done; the connector afterwards.
pub async fn act(api: &Api, id: u64, action: &str) -> Value {
    let (status, body) = api
        .post(
            &format!("/connectors/{id}/actions"),
            json!({"action": action}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{action}: {body}");
    body
}

pub async fn stop_and_start(api: &Api, id: u64) -> Vec<u64> {
    let mut versions = Vec::new();
    for action in ["stop", "start"] {
        let body = act(api, id, action).await;
        versions.push(body["version"].as_u64().expect("version"));
    }
    versions
}

/// How large the database file at `db` is now, in bytes (its pages).
pub fn db_bytes(db: &Path) -> u64 {
    let conn = rusqlite::Connection::open(db).expect("open");
    let pages: u64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("pages");
    let size: u64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .expect("size");
    pages * size
}
