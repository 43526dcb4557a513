//! End to end on loopback: the reference server (in this process), the testbed (in this
//! process) and real `bots-status-connector` processes, each stopped by its id at the end.
//! Every wait is bounded.

#![allow(clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bots_status_core::ConnectorState;
use bots_status_core::config::ConfigEntry;
use bots_status_core::model::{
    AdvancedOptions, BotId, BotRef, Connector, ConnectorSettings, ConversationType, Environment,
    Role,
};
use bots_status_core::status::{ConnectorStatus, LinkHealth};
use bots_status_core::troubleshooting::Problem;
use bots_status_server::{Config, Server};
use bots_status_testbed::{Options, Testbed};
use serde_json::{Value, json};

const ADMIN: &str = "e2e-admin";
const WAIT: Duration = Duration::from_secs(20);

struct World {
    server: Server,
    testbed: Testbed,
    client: reqwest::Client,
}

/// A connector process, killed and reaped when dropped.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl World {
    async fn start() -> World {
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
        let testbed = Testbed::start(listener, Options { per_connector: 2 })
            .await
            .expect("the testbed starts");
        World {
            server,
            testbed,
            client: reqwest::Client::new(),
        }
    }

    fn api(&self, path: &str) -> String {
        format!("http://{}/api/v1{path}", self.server.addr)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
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

    async fn add(&self, agent: &str, account: &str, ct: ConversationType) -> (u64, String) {
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

    fn spawn(&self, token: &str) -> Process {
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

    async fn act(&self, id: u64, action: &str) {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                &format!("/connectors/{id}/actions"),
                Some(json!({"action": action})),
            )
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }

    async fn connector(&self, id: u64) -> Connector {
        let (status, body) = self
            .call(reqwest::Method::GET, &format!("/connectors/{id}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        serde_json::from_value(body).expect("a connector")
    }

    /// Waits until every one of `ids` is as `done` says.
    async fn until(&self, ids: &[u64], what: &str, done: impl Fn(&Connector) -> bool) {
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

    async fn set(&self, server: &str, state: &str) {
        let response = self
            .client
            .put(format!("http://{}/admin/{server}", self.testbed.addr))
            .json(&json!({"state": state}))
            .send()
            .await
            .expect("the testbed answers");
        assert_eq!(response.status().as_u16(), 204);
    }

    async fn connections(&self) -> Vec<Value> {
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

fn online_with(cloud: LinkHealth, bot: bool) -> impl Fn(&Connector) -> bool {
    move |c| match c.state {
        ConnectorState::Online { links } => {
            links.cloud.health() == cloud && links.bot_server.is_connected() == bot
        }
        _ => false,
    }
}

fn status(s: ConnectorStatus) -> impl Fn(&Connector) -> bool {
    move |c| c.state.status() == s
}

#[tokio::test]
async fn real_connectors_follow_their_orders_and_report_what_their_servers_do() {
    let world = World::start().await;
    let accounts = ["31487985", "70071528"];
    let (a, token_a) = world
        .add("spare-bot-0-0", accounts[0], ConversationType::Messaging)
        .await;
    let (b, token_b) = world
        .add("spare-bot-1-0", accounts[1], ConversationType::Messaging)
        .await;
    let (c, token_c) = world
        .add("spare-bot-0-1", accounts[0], ConversationType::Chat)
        .await;
    let mut processes = vec![
        world.spawn(&token_a),
        world.spawn(&token_b),
        world.spawn(&token_c),
    ];
    for id in [a, b, c] {
        world.act(id, "start").await;
    }

    // All three come Online with the conversations the testbed assigns.
    world
        .until(&[a, b, c], "three Online connectors", |c| {
            online_with(LinkHealth::Up, true)(c) && c.concurrent_conversations == 2
        })
        .await;
    assert_eq!(
        world.connections().await.len(),
        2,
        "the two Messaging ones hold a socket"
    );

    // The messaging server goes down: the Messaging connectors' Conversational Cloud is Not
    // Connected; it stays so when the server is back, until they are restarted.
    world.set("messaging", "down").await;
    world
        .until(
            &[a, b],
            "messaging dropped",
            online_with(LinkHealth::Down, true),
        )
        .await;
    assert!(
        online_with(LinkHealth::Up, true)(&world.connector(c).await),
        "Chat is not on it"
    );
    world.set("messaging", "up").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for id in [a, b] {
        assert!(
            online_with(LinkHealth::Down, true)(&world.connector(id).await),
            "a dropped messaging connection waits for a restart"
        );
    }
    world.act(a, "restart").await;
    world.act(b, "restart").await;
    world
        .until(
            &[a, b],
            "reconnected by the restart",
            online_with(LinkHealth::Up, true),
        )
        .await;

    // The bot server goes down and back: Bot Server follows, on every connector.
    world.set("bot", "down").await;
    world
        .until(&[a, b, c], "bot server down", |c| {
            matches!(c.state, ConnectorState::Online { links } if !links.bot_server.is_connected())
        })
        .await;
    world.set("bot", "up").await;
    world
        .until(
            &[a, b, c],
            "bot server back",
            online_with(LinkHealth::Up, true),
        )
        .await;

    // Stop: the process closes its connection and says Stopped, keeping its conversations.
    world.act(a, "stop").await;
    world
        .until(&[a], "stopped", status(ConnectorStatus::Stopped))
        .await;
    let deadline = Instant::now() + WAIT;
    while world
        .connections()
        .await
        .iter()
        .any(|c| c["agent"] == "spare-bot-0-0")
    {
        assert!(
            Instant::now() < deadline,
            "the stopped process closed its socket"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // An edit of the stopped connector's custom configuration reaches the process at its
    // next start: it tells the messaging server what it runs with.
    let stopped = world.connector(a).await;
    let mut settings = stopped.settings.clone();
    settings.advanced.custom_config = vec![ConfigEntry::new("messageDelay", "1500")];
    let (code, body) = world
        .call(
            reqwest::Method::PUT,
            &format!("/connectors/{a}"),
            Some(json!({"version": stopped.version, "settings": settings})),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    world.act(a, "start").await;
    world
        .until(&[a], "started again", online_with(LinkHealth::Up, true))
        .await;
    let said = world.connections().await;
    let runs_with = said
        .iter()
        .find(|c| c["agent"] == "spare-bot-0-0")
        .map(|c| c["config"].clone())
        .expect("connected again");
    assert_eq!(
        runs_with,
        json!([{"key": "messageDelay", "value": "1500"}]),
        "{said:?}"
    );

    // kill -9: three heartbeats later it is Not Connected, "No report since"; a new process
    // with the same token brings it back without a restart.
    let killed = processes.remove(1);
    drop(killed);
    world
        .until(&[b], "no report", |c| {
            matches!(
                c.state,
                ConnectorState::NotConnected {
                    problem: Problem::NoReport { .. },
                    ..
                }
            )
        })
        .await;
    let _again = world.spawn(&token_b);
    world
        .until(&[b], "Online again", online_with(LinkHealth::Up, true))
        .await;
    drop(processes);
    world.server.stop().await;
}

#[tokio::test]
async fn a_refused_login_is_reported_with_its_problem_and_waits_for_a_restart() {
    let world = World::start().await;
    let (a, token) = world
        .add("spare-bot-0-1", "31487985", ConversationType::Messaging)
        .await;
    let response = world
        .client
        .put(format!("http://{}/admin/logins", world.testbed.addr))
        .json(&json!({"refuse": ["spare-bot-0-1"]}))
        .send()
        .await
        .expect("the testbed answers");
    assert_eq!(response.status().as_u16(), 204);
    let _process = world.spawn(&token);
    world.act(a, "start").await;
    world
        .until(&[a], "401", |c| {
            matches!(
                c.state,
                ConnectorState::NotConnected {
                    problem: Problem::Unauthorized,
                    ..
                }
            )
        })
        .await;
    // The login is let in again; the connector waits for its restart, then is Online.
    let response = world
        .client
        .put(format!("http://{}/admin/logins", world.testbed.addr))
        .json(&json!({}))
        .send()
        .await
        .expect("the testbed answers");
    assert_eq!(response.status().as_u16(), 204);
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(
        world.connector(a).await.state.status(),
        ConnectorStatus::NotConnected
    );
    world.act(a, "restart").await;
    world
        .until(&[a], "Online", online_with(LinkHealth::Up, true))
        .await;
    // Deleted: the process is told it is gone, and ends by itself.
    world.act(a, "stop").await;
    world
        .until(&[a], "stopped", status(ConnectorStatus::Stopped))
        .await;
    let (code, _) = world
        .call(reqwest::Method::DELETE, &format!("/connectors/{a}"), None)
        .await;
    assert_eq!(code, 204);
    let mut process = _process;
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(exit) = process.0.try_wait().expect("the process") {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the process ends once its connector is gone"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    world.server.stop().await;
}
