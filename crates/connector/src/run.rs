//! One run of the connector: connect, hold the connections, count the conversations, and
//! say what is true, until the run is stopped.

use std::time::{Duration, Instant};

use bots_status_core::model::ConversationType;
use bots_status_core::protocol::{BotServerReport, CloudReport, Desired, Report, ReportedStatus};
use bots_status_core::troubleshooting::{Component, Problem};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::Args;

/// What the process finds, as it reports it, before any run has begun or after one ended:
/// Stopped, in run `generation`.
pub fn stopped(generation: u64) -> Report {
    Report {
        generation,
        status: ReportedStatus::Stopped,
        cloud: None,
        bot_server: None,
        conversations: 0,
        problem: None,
    }
}

/// A run going on, and how to end it.
pub struct Running {
    pub generation: u64,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Ends the run: it closes its connections (a second at most), then it is gone.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
    }
}

pub fn start(
    desired: Desired,
    args: Args,
    client: reqwest::Client,
    observed: watch::Sender<Report>,
) -> Running {
    let (stop, stopped) = watch::channel(false);
    let generation = desired.generation;
    let task = tokio::spawn(async move {
        Run {
            desired,
            args,
            client,
            observed,
            stopped,
        }
        .go()
        .await;
    });
    Running {
        generation,
        stop,
        task,
    }
}

/// The wait before try `attempt` (1, 2, …) of a refused connection: doubling from half a
/// second up to `max`, each spread by ±50 % so a fleet that lost a server does not come back
/// all at once.
pub fn backoff(attempt: u32, max: Duration) -> Duration {
    let base = Duration::from_millis(500)
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
        .min(max);
    let mut random = [0u8; 2];
    let spread = match getrandom::fill(&mut random) {
        Ok(()) => f64::from(u16::from_le_bytes(random)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    };
    base.mul_f64(0.5 + spread)
}

/// What a try to reach Conversational Cloud found.
enum Cloud {
    Messaging(
        Box<
            tokio_tungstenite::WebSocketStream<
                tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
            >,
        >,
    ),
    Chat(CloudReport, u32),
    /// A refused login: no retry helps until the connector is restarted.
    Refused(Problem),
    Down,
}

struct Run {
    desired: Desired,
    args: Args,
    client: reqwest::Client,
    observed: watch::Sender<Report>,
    stopped: watch::Receiver<bool>,
}

impl Run {
    fn ct(&self) -> ConversationType {
        self.desired.settings.conversation_type
    }

    fn heartbeat(&self) -> Duration {
        Duration::from_millis(self.desired.heartbeat_ms.max(100))
    }

    fn down_word(&self) -> CloudReport {
        match self.ct() {
            ConversationType::Messaging => CloudReport::NotConnected,
            ConversationType::Chat => CloudReport::Offline,
        }
    }

    fn set(&self, change: impl FnOnce(&mut Report)) {
        self.observed.send_if_modified(|o| {
            let before = o.clone();
            change(o);
            *o != before
        });
    }

    fn say(
        &self,
        status: ReportedStatus,
        cloud: CloudReport,
        bot_up: bool,
        problem: Option<Problem>,
    ) {
        let generation = self.desired.generation;
        self.set(|o| {
            o.generation = generation;
            o.status = status;
            o.cloud = Some(cloud);
            o.bot_server = Some(bot(bot_up));
            o.problem = problem;
        });
    }

    /// Waits `wait`, or until the run is stopped (`true`).
    async fn stopped_within(&mut self, wait: Duration) -> bool {
        tokio::select! {
            _ = self.stopped.changed() => true,
            () = tokio::time::sleep(wait) => *self.stopped.borrow(),
        }
    }

    async fn go(mut self) {
        let down = self.down_word();
        self.set(|o| o.conversations = 0);
        self.say(ReportedStatus::Starting, down, false, None);
        let mut attempt = 0;
        loop {
            let bot_up = self.bot_up().await;
            let cloud = self.reach_cloud().await;
            match cloud {
                Cloud::Refused(problem) => {
                    self.say(ReportedStatus::NotConnected, down, bot_up, Some(problem));
                    // A restart is what helps: wait for the run to end.
                    let _ = self.stopped.changed().await;
                    return;
                }
                Cloud::Down => {
                    self.say(
                        ReportedStatus::NotConnected,
                        down,
                        bot_up,
                        Some(Problem::FailedConnection {
                            component: Component::ConversationalCloud,
                        }),
                    );
                }
                reached if !bot_up => {
                    let up = match reached {
                        Cloud::Chat(word, _) => word,
                        _ => CloudReport::Connected,
                    };
                    drop(reached);
                    self.say(
                        ReportedStatus::NotConnected,
                        up,
                        false,
                        Some(Problem::FailedConnection {
                            component: Component::BotServer,
                        }),
                    );
                }
                Cloud::Messaging(socket) => return self.hold_messaging(*socket).await,
                Cloud::Chat(word, conversations) => {
                    return self.hold_chat(word, conversations).await;
                }
            }
            attempt += 1;
            let wait = backoff(attempt, self.args.max_backoff());
            if self.stopped_within(wait).await {
                return;
            }
        }
    }

    async fn bot_up(&self) -> bool {
        self.client
            .get(&self.args.bot_server_url)
            .timeout(Duration::from_secs(3))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }

    fn agent(&self) -> &str {
        &self.desired.settings.agent_user_id
    }

    async fn reach_cloud(&self) -> Cloud {
        match self.ct() {
            ConversationType::Messaging => {
                let url = format!("{}?agent={}", self.args.messaging_url, self.agent());
                let connect = tokio_tungstenite::connect_async(url);
                match tokio::time::timeout(Duration::from_secs(5), connect).await {
                    Ok(Ok((socket, _))) => Cloud::Messaging(Box::new(socket)),
                    Ok(Err(tungstenite::Error::Http(response))) => {
                        refusal(response.status().as_u16())
                    }
                    _ => Cloud::Down,
                }
            }
            ConversationType::Chat => self.poll_chat().await,
        }
    }

    async fn poll_chat(&self) -> Cloud {
        let answer = self
            .client
            .get(&self.args.chat_url)
            .query(&[("agent", self.agent())])
            .timeout(Duration::from_secs(3))
            .send()
            .await;
        let Ok(answer) = answer else {
            return Cloud::Down;
        };
        if !answer.status().is_success() {
            return refusal(answer.status().as_u16());
        }
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        let word = if body["status"] == "away" {
            CloudReport::Away
        } else {
            CloudReport::Online
        };
        let conversations = body["conversations"]
            .as_u64()
            .unwrap_or(0)
            .min(u64::from(u32::MAX)) as u32;
        Cloud::Chat(word, conversations)
    }

    /// Online on the messaging server's WebSocket until stopped: conversations come and go,
    /// the bot server is checked every heartbeat, and a connection that drops (or stops
    /// answering pings) stays Not Connected until the next run.
    async fn hold_messaging(
        mut self,
        mut socket: tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    ) {
        let hello = json!({
            "type": "hello",
            "agent": self.agent(),
            "config": self.desired.settings.advanced.custom_config,
        });
        let mut dropped = socket
            .send(Message::Text(hello.to_string().into()))
            .await
            .is_err();
        let mut bot_up = true;
        let cloud_word = |dropped: bool| {
            if dropped {
                CloudReport::NotConnected
            } else {
                CloudReport::Connected
            }
        };
        self.say(ReportedStatus::Online, cloud_word(dropped), bot_up, None);
        let mut ping = tokio::time::interval(Duration::from_secs(2));
        let mut check = tokio::time::interval(self.heartbeat());
        let mut last_pong = Instant::now();
        loop {
            tokio::select! {
                _ = self.stopped.changed() => {
                    if !dropped {
                        let _ = socket.close(None).await;
                    }
                    return;
                }
                received = socket.next(), if !dropped => match received {
                    Some(Ok(Message::Text(text))) => {
                        let message: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                        match message["type"].as_str() {
                            Some("assign") => self.set(|o| o.conversations = o.conversations.saturating_add(1)),
                            Some("close") => self.set(|o| o.conversations = o.conversations.saturating_sub(1)),
                            _ => {}
                        }
                    }
                    Some(Ok(Message::Pong(_))) => last_pong = Instant::now(),
                    Some(Ok(Message::Close(_)) | Err(_)) | None => dropped = true,
                    Some(Ok(_)) => {}
                },
                _ = ping.tick(), if !dropped => {
                    // Silent for three pings, or unable to send one: the connection is gone.
                    dropped = last_pong.elapsed() > Duration::from_secs(6)
                        || socket.send(Message::Ping(Vec::new().into())).await.is_err();
                }
                _ = check.tick() => bot_up = self.bot_up().await,
            }
            self.say(ReportedStatus::Online, cloud_word(dropped), bot_up, None);
        }
    }

    /// Online on the chat server until stopped: it follows the chat server (Online, Offline,
    /// Away) and the bot server, polling both every heartbeat.
    async fn hold_chat(mut self, mut word: CloudReport, mut conversations: u32) {
        let mut bot_up = true;
        loop {
            let at = conversations;
            self.set(|o| o.conversations = at);
            self.say(ReportedStatus::Online, word, bot_up, None);
            let wait = self.heartbeat();
            if self.stopped_within(wait).await {
                return;
            }
            bot_up = self.bot_up().await;
            match self.poll_chat().await {
                Cloud::Chat(now, n) => (word, conversations) = (now, n),
                Cloud::Refused(problem) => {
                    self.say(
                        ReportedStatus::NotConnected,
                        CloudReport::Offline,
                        bot_up,
                        Some(problem),
                    );
                    let _ = self.stopped.changed().await;
                    return;
                }
                _ => word = CloudReport::Offline,
            }
        }
    }
}

fn bot(up: bool) -> BotServerReport {
    if up {
        BotServerReport::Connected
    } else {
        BotServerReport::NotConnected
    }
}

/// What an HTTP refusal of a login means: 401 the spec's "unauthorized", 403 the login
/// policy's lockout, anything else a server that is not there.
fn refusal(status: u16) -> Cloud {
    match status {
        401 => Cloud::Refused(Problem::Unauthorized),
        403 => Cloud::Refused(Problem::DisabledByLoginPolicy),
        _ => Cloud::Down,
    }
}
