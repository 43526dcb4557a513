//! What the end-to-end tests share: the reference server and the testbed in this process,
//! and connector processes, each stopped by its id when dropped. Every wait is bounded.

#![allow(clippy::expect_used, dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bots_status_core::ConnectorState;
use bots_status_core::model::{
    AdvancedOptions, BotId, BotRef, Connector, ConnectorSettings, ConversationType, Environment,
    Role,
};
use bots_status_core::status::{ConnectorStatus, LinkHealth};
use bots_status_server::{Config, Server};
use bots_status_testbed::{Options, Testbed};
use serde_json::{Value, json};

pub const ADMIN: &str = "e2e-admin";
pub const WAIT: Duration = Duration::from_secs(20);

pub struct World {
    pub server: Server,
    pub testbed: Testbed,
    pub client: reqwest::Client,
}

/// A connector process, killed and reaped when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl World {
    pub async fn start() -> World {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let server = Server::start(
            Config {
                fleet: 0,
                tokens: vec![ADMIN.parse().expect("a token")],
                heartbeat: Duration::from_millis(500),
                tick: Duration::from_millis(100),
                ..Config::default()
            },
            listener,
        )
        .await
        .expect("the server starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let testbed = Testbed::start(listener, Options::default())
            .await
            .expect("the testbed starts");
        World {
            server,
            testbed,
            client: reqwest::Client::new(),
        }
    }

    pub fn api(&self, path: &str) -> String {
        format!("http://{}/api/v1{path}", self.server.addr)
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, self.api(path))
            .bearer_auth(ADMIN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn add(&self, agent: &str, account: &str, ct: ConversationType) -> (u64, String) {
        let settings = ConnectorSettings {
            account: account.to_owned(),
            agent_user_id: agent.to_owned(),
            role: Role::Agent,
            conversation_type: ct,
            environment: Environment::Demo,
            advanced: AdvancedOptions::default(),
        };
        let bot = BotRef {
            id: BotId("real".to_owned()),
            name: "Real Bot".to_owned(),
        };
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/connectors",
                Some(json!({"bot": bot, "settings": settings})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_u64().expect("an id");
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                &format!("/connectors/{id}/token"),
                None,
            )
            .await;
        assert_eq!(status, 201, "{body}");
        (id, body["token"].as_str().expect("a token").to_owned())
    }

    /// The Node.js example connector (`examples/connector-node`), with its packages from
    /// `modules`.
    pub fn spawn_node(&self, token: &str, modules: &str) -> Process {
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/connector-node/connector.js"
        );
        let bed = self.testbed.addr;
        let child = Command::new("node")
            .arg(script)
            .env("NODE_PATH", modules)
            .env(
                "BOTS_STATUS_CONTROL_PLANE",
                format!("http://{}", self.server.addr),
            )
            .env("BOTS_STATUS_CONNECTOR_TOKEN", token)
            .env("MESSAGING_URL", format!("ws://{bed}/messaging"))
            .env("BOT_SERVER_URL", format!("http://{bed}/bot"))
            .stdout(Stdio::null())
            .spawn()
            .expect("node starts");
        Process(child)
    }

    pub fn spawn(&self, token: &str) -> Process {
        let bed = self.testbed.addr;
        let child = Command::new(env!("CARGO_BIN_EXE_bots-status-connector"))
            .args([
                "--control-plane",
                &format!("http://{}", self.server.addr),
                "--messaging-url",
                &format!("ws://{bed}/messaging"),
                "--chat-url",
                &format!("http://{bed}/chat"),
                "--bot-server-url",
                &format!("http://{bed}/bot"),
                "--max-backoff-ms",
                "500",
            ])
            .env("BOTS_STATUS_CONNECTOR_TOKEN", token)
            .stdout(Stdio::null())
            .spawn()
            .expect("the connector process starts");
        Process(child)
    }

    pub async fn act(&self, id: u64, action: &str) {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                &format!("/connectors/{id}/actions"),
                Some(json!({"action": action})),
            )
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }

    pub async fn connector(&self, id: u64) -> Connector {
        let (status, body) = self
            .call(reqwest::Method::GET, &format!("/connectors/{id}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).expect("a connector")
    }

    /// Waits until every one of `ids` is as `done` says.
    pub async fn until(&self, ids: &[u64], what: &str, done: impl Fn(&Connector) -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            let mut all = Vec::new();
            for id in ids {
                all.push(self.connector(*id).await);
            }
            if all.iter().all(&done) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {all:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn set(&self, server: &str, state: &str) {
        let response = self
            .client
            .put(format!("http://{}/admin/{server}", self.testbed.addr))
            .json(&json!({"state": state}))
            .send()
            .await
            .expect("the testbed answers");
        assert_eq!(response.status().as_u16(), 204);
    }

    pub async fn connections(&self) -> Vec<Value> {
        self.client
            .get(format!("http://{}/admin/connections", self.testbed.addr))
            .send()
            .await
            .expect("the testbed answers")
            .json()
            .await
            .expect("a list")
    }
}

pub fn online_with(cloud: LinkHealth, bot: bool) -> impl Fn(&Connector) -> bool {
    move |c| match c.state {
        ConnectorState::Online { links } => {
            links.cloud.health() == cloud && links.bot_server.is_connected() == bot
        }
        _ => false,
    }
}

pub fn status(s: ConnectorStatus) -> impl Fn(&Connector) -> bool {
    move |c| c.state.status() == s
}
