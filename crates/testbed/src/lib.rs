//! `bots-status-testbed`: loopback stand-ins for the three things a bot connector connects
//! to, on one address, each of which a test (or a trainer) takes down, brings back, slows or
//! makes refuse a login through a small admin API.
//!
//! - **Messaging server**, `GET /messaging?agent=NAME` (WebSocket). The connector says
//!   `{"type":"hello","agent":…,"config":{…}}` (the custom configuration it runs with); the
//!   server assigns it conversations (`{"type":"assign","conversation":"c-7"}`) up to the
//!   number set per connector, and takes them back (`{"type":"close",…}`). Down, it closes
//!   every connection and refuses new ones (503). Pings are answered.
//! - **Chat server**, `GET /chat?agent=NAME`: `{"status":"online"|"away","conversations":N}`,
//!   503 when down.
//! - **Bot server**, `GET /bot`: 200 when up (after the set delay), 503 when down.
//! - A refused login answers 401 (the spec's "unauthorized"), a login-policy lockout 403, on
//!   both Conversational Cloud servers.
//! - **Admin**: `PUT /admin/messaging|chat|bot` `{"state":"up"|"down"|"away","delayMs":0}`,
//!   `PUT /admin/logins` `{"refuse":[…],"lockout":[…]}`, `PUT /admin/conversations`
//!   `{"perConnector":N}`, and `GET /admin/connections`: who is connected to the messaging
//!   server now, with the configuration each said it runs with and its conversations.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How a server is: up, down, or (the chat server) up with the agents away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    #[default]
    Up,
    Down,
    Away,
}

/// What a connection to the messaging server said and holds.
#[derive(Clone, Debug, Serialize)]
pub struct Connection {
    pub agent: String,
    /// The custom configuration the connector said it runs with.
    pub config: Value,
    pub conversations: Vec<String>,
}

#[derive(Default)]
struct World {
    messaging: Health,
    chat: Health,
    bot: Health,
    bot_delay_ms: u64,
    refuse: BTreeSet<String>,
    lockout: BTreeSet<String>,
    per_connector: usize,
    next_conversation: u64,
    next_connection: u64,
    connections: BTreeMap<u64, Connection>,
}

#[derive(Clone)]
struct Bed {
    world: Arc<Mutex<World>>,
    /// Moves whenever the messaging server's state or the conversations to hold change; each
    /// connection looks again then.
    moved: watch::Sender<u64>,
}

impl Bed {
    fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn nudge(&self) {
        self.moved.send_modify(|n| *n += 1);
    }
}

/// What the testbed starts with (the admin API changes it later).
#[derive(Clone, Debug)]
pub struct Options {
    /// Conversations assigned to each connector on the messaging server (and reported by the
    /// chat server).
    pub per_connector: usize,
    pub messaging: Health,
    pub chat: Health,
    pub bot: Health,
    /// How long the bot server takes to answer.
    pub bot_delay_ms: u64,
    /// Bot users whose login is refused with 401.
    pub refuse: BTreeSet<String>,
    /// Bot users the login policy locked out (403).
    pub lockout: BTreeSet<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            per_connector: 2,
            messaging: Health::Up,
            chat: Health::Up,
            bot: Health::Up,
            bot_delay_ms: 0,
            refuse: BTreeSet::new(),
            lockout: BTreeSet::new(),
        }
    }
}

/// A running testbed.
pub struct Testbed {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Testbed {
    pub async fn start(listener: TcpListener, options: Options) -> Result<Testbed, String> {
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let (moved, _) = watch::channel(0);
        let bed = Bed {
            world: Arc::new(Mutex::new(World {
                per_connector: options.per_connector,
                messaging: options.messaging,
                chat: options.chat,
                bot: options.bot,
                bot_delay_ms: options.bot_delay_ms.min(60_000),
                refuse: options.refuse,
                lockout: options.lockout,
                ..World::default()
            })),
            moved,
        };
        let router = Router::new()
            .route("/messaging", get(messaging))
            .route("/chat", get(chat))
            .route("/bot", get(bot))
            .route("/admin/{server}", put(set_server))
            .route("/admin/logins", put(set_logins))
            .route("/admin/conversations", put(set_conversations))
            .route("/admin/connections", get(connections))
            .with_state(bed);
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                eprintln!("bots-status-testbed: {e}");
            }
        });
        Ok(Testbed { addr, task })
    }

    /// Waits until the testbed stops (it does not, unless it fails).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for Testbed {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Deserialize)]
struct Login {
    #[serde(default)]
    agent: String,
}

/// Why a login is refused, if it is: 401 for a bot user the account does not let in, 403
/// for one its login policy locked out.
fn refusal(world: &World, agent: &str) -> Option<Response> {
    if world.refuse.contains(agent) {
        return Some(
            (
                StatusCode::UNAUTHORIZED,
                format!("401 unauthorized: {agent} may not log in"),
            )
                .into_response(),
        );
    }
    if world.lockout.contains(agent) {
        return Some(
            (
                StatusCode::FORBIDDEN,
                format!("{agent} is disabled by the account's login policy"),
            )
                .into_response(),
        );
    }
    None
}

async fn messaging(
    State(bed): State<Bed>,
    Query(login): Query<Login>,
    upgrade: WebSocketUpgrade,
) -> Response {
    {
        let world = bed.world();
        if world.messaging == Health::Down {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the messaging server is down",
            )
                .into_response();
        }
        if let Some(refused) = refusal(&world, &login.agent) {
            return refused;
        }
    }
    upgrade.on_upgrade(move |socket| hold(bed, login.agent, socket))
}

/// One connector's connection: its hello, then the conversations it is to hold, until the
/// server goes down or the connector goes.
async fn hold(bed: Bed, agent: String, mut socket: WebSocket) {
    let id = {
        let mut world = bed.world();
        world.next_connection += 1;
        let id = world.next_connection;
        world.connections.insert(
            id,
            Connection {
                agent,
                config: Value::Null,
                conversations: Vec::new(),
            },
        );
        id
    };
    let mut moved = bed.moved.subscribe();
    loop {
        // Assign or take back conversations to hold the number set, unless the server is down.
        let (down, sends) = {
            let mut world = bed.world();
            let down = world.messaging == Health::Down;
            let target = world.per_connector;
            let mut sends = Vec::new();
            let mut next = world.next_conversation;
            if let Some(c) = world.connections.get_mut(&id)
                && !down
            {
                while c.conversations.len() < target {
                    next += 1;
                    let conversation = format!("c-{next}");
                    sends.push(json!({"type": "assign", "conversation": conversation}));
                    c.conversations.push(conversation);
                }
                while c.conversations.len() > target {
                    let conversation = c.conversations.pop().unwrap_or_default();
                    sends.push(json!({"type": "close", "conversation": conversation}));
                }
            }
            world.next_conversation = next;
            (down, sends)
        };
        if down {
            let _ = socket.send(Message::Close(None)).await;
            break;
        }
        let mut failed = false;
        for message in sends {
            if socket
                .send(Message::Text(message.to_string().into()))
                .await
                .is_err()
            {
                failed = true;
                break;
            }
        }
        if failed {
            break;
        }
        tokio::select! {
            received = socket.recv() => match received {
                Some(Ok(Message::Text(text))) => {
                    if let Ok(hello) = serde_json::from_str::<Value>(&text)
                        && hello["type"] == "hello"
                        && let Some(c) = bed.world().connections.get_mut(&id)
                    {
                        c.config = hello["config"].clone();
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                // Pings are answered by the socket itself.
                Some(Ok(_)) => {}
            },
            changed = moved.changed() => if changed.is_err() { break },
        }
    }
    bed.world().connections.remove(&id);
}

async fn chat(State(bed): State<Bed>, Query(login): Query<Login>) -> Response {
    let world = bed.world();
    if world.chat == Health::Down {
        return (StatusCode::SERVICE_UNAVAILABLE, "the chat server is down").into_response();
    }
    if let Some(refused) = refusal(&world, &login.agent) {
        return refused;
    }
    let status = if world.chat == Health::Away {
        "away"
    } else {
        "online"
    };
    axum::Json(json!({"status": status, "conversations": world.per_connector})).into_response()
}

async fn bot(State(bed): State<Bed>) -> Response {
    let (health, delay) = {
        let world = bed.world();
        (world.bot, world.bot_delay_ms)
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    match health {
        Health::Down => (StatusCode::SERVICE_UNAVAILABLE, "the bot server is down").into_response(),
        _ => axum::Json(json!({"ok": true})).into_response(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ServerState {
    state: Health,
    #[serde(default)]
    delay_ms: u64,
}

async fn set_server(
    State(bed): State<Bed>,
    Path(server): Path<String>,
    axum::Json(set): axum::Json<ServerState>,
) -> Response {
    {
        let mut world = bed.world();
        match server.as_str() {
            "messaging" if set.state != Health::Away => world.messaging = set.state,
            "chat" => world.chat = set.state,
            "bot" if set.state != Health::Away => {
                world.bot = set.state;
                world.bot_delay_ms = set.delay_ms.min(60_000);
            }
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    "messaging and bot are up or down; chat is up, down or away",
                )
                    .into_response();
            }
        }
    }
    bed.nudge();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Logins {
    #[serde(default)]
    refuse: BTreeSet<String>,
    #[serde(default)]
    lockout: BTreeSet<String>,
}

async fn set_logins(State(bed): State<Bed>, axum::Json(logins): axum::Json<Logins>) -> StatusCode {
    let mut world = bed.world();
    world.refuse = logins.refuse;
    world.lockout = logins.lockout;
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Conversations {
    per_connector: usize,
}

async fn set_conversations(
    State(bed): State<Bed>,
    axum::Json(set): axum::Json<Conversations>,
) -> StatusCode {
    bed.world().per_connector = set.per_connector.min(1_000);
    bed.nudge();
    StatusCode::NO_CONTENT
}

async fn connections(State(bed): State<Bed>) -> axum::Json<Vec<Connection>> {
    axum::Json(bed.world().connections.values().cloned().collect())
}
