//! The control plane's side of the connector protocol (`docs/connector-protocol.md`): the
//! connector tokens real processes sign in with, when each last reported, and its orders as
//! a stream. The rules of what a report may say are the core's ([`bots_status_core::protocol`]).
//!
//! A connector token is shown once, when it is issued; the server keeps only its SHA-256, in
//! the same transaction as the hand-over it comes with. It opens the protocol's paths for its
//! one connector, and nothing else.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use bots_status_core::model::{ConnectorId, Millis};
use bots_status_core::protocol::Desired;
use futures_util::Stream;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast::error::RecvError;

use crate::fleet::Fleet;

/// The SHA-256 of a connector token.
pub type TokenHash = [u8; 32];

/// What every connector token begins with, so a leaked one is recognised (and a scanner can
/// look for it).
pub const TOKEN_PREFIX: &str = "bsc_";

pub fn hash(secret: &str) -> TokenHash {
    Sha256::digest(secret.as_bytes()).into()
}

/// A new connector token: 32 random bytes from the operating system, in hex.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a token: {e}"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{TOKEN_PREFIX}{hex}"))
}

/// Who may report for which connector, and when each was last heard from.
pub struct Processes {
    tokens: RwLock<HashMap<TokenHash, ConnectorId>>,
    /// Each played connector's last report, in simulated time. Read and written on the
    /// writer's thread, inside its operations, so a report and the silence check that could
    /// miss it are never interleaved.
    heard: Arc<Mutex<HashMap<ConnectorId, Millis>>>,
    /// When this server began to listen: a connector not heard from since counts from here.
    began: Millis,
    pub heartbeat_ms: u64,
}

fn unpoisoned<T>(result: std::sync::LockResult<T>) -> T {
    result.unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Processes {
    pub fn new(tokens: Vec<(ConnectorId, TokenHash)>, began: Millis, heartbeat: Duration) -> Self {
        Processes {
            tokens: RwLock::new(tokens.into_iter().map(|(id, h)| (h, id)).collect()),
            heard: Arc::default(),
            began,
            heartbeat_ms: heartbeat.as_millis().max(1) as u64,
        }
    }

    /// The connector a presented secret is the token of.
    pub fn connector_of(&self, secret: &str) -> Option<ConnectorId> {
        unpoisoned(self.tokens.read()).get(&hash(secret)).copied()
    }

    /// Whether any process may report at all (no silence to look for otherwise).
    pub fn any(&self) -> bool {
        !unpoisoned(self.tokens.read()).is_empty()
    }

    /// Makes `hash` the one token of `connector` (a saved issue): an earlier one stops working.
    pub fn issued(&self, connector: ConnectorId, hash: TokenHash) {
        let mut tokens = unpoisoned(self.tokens.write());
        tokens.retain(|_, id| *id != connector);
        tokens.insert(hash, connector);
    }

    /// Forgets the token of a connector that is gone.
    pub fn forget(&self, connector: ConnectorId) {
        unpoisoned(self.tokens.write()).retain(|_, id| *id != connector);
    }

    pub fn heard(&self) -> Arc<Mutex<HashMap<ConnectorId, Millis>>> {
        self.heard.clone()
    }

    /// When `connector` was last heard from, as the silence check counts it.
    pub fn last_heard(
        heard: &HashMap<ConnectorId, Millis>,
        began: Millis,
        id: ConnectorId,
    ) -> Millis {
        heard.get(&id).copied().unwrap_or(began)
    }

    pub fn began(&self) -> Millis {
        self.began
    }
}

/// The orders of `connector` as server-sent events: its desired state at once, then each time
/// it changes; `gone` when the connector is deleted (the process should exit).
pub fn orders(
    fleet: Arc<Fleet>,
    connector: ConnectorId,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    struct Orders {
        fleet: Arc<Fleet>,
        connector: ConnectorId,
        live: tokio::sync::broadcast::Receiver<Arc<crate::log::Logged>>,
        shutdown: tokio::sync::watch::Receiver<bool>,
        last: Option<Desired>,
        ended: bool,
    }
    let live = fleet.subscribe();
    let state = Orders {
        shutdown: fleet.shutdown(),
        fleet,
        connector,
        live,
        last: None,
        ended: false,
    };
    let stream = futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if s.ended || *s.shutdown.borrow() {
                return None;
            }
            let desired = s.fleet.desired(s.connector);
            match desired {
                None => {
                    s.ended = true;
                    let event = SseEvent::default()
                        .event("gone")
                        .data(format!("{{\"connector\":{}}}", s.connector.0));
                    return Some((Ok(event), s));
                }
                Some(desired) if s.last.as_ref() != Some(&desired) => {
                    let data = serde_json::to_string(&desired).unwrap_or_default();
                    s.last = Some(desired);
                    let event = SseEvent::default()
                        .id(s.fleet.last_event_id().to_string())
                        .event("desired")
                        .data(data);
                    return Some((Ok(event), s));
                }
                Some(_) => {}
            }
            tokio::select! {
                received = s.live.recv() => match received {
                    // Whatever changed, the desired state is read again above; the wake-ups
                    // that piled up meanwhile say nothing more.
                    Ok(first) => {
                        let mut newest = first.id;
                        while let Ok(event) = s.live.try_recv() {
                            newest = newest.max(event.id);
                        }
                        // A change is streamed a moment before the state that includes it
                        // is readable: wait for that state, or the change would be missed.
                        for _ in 0..1_000 {
                            if s.fleet.last_event_id() >= newest {
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        while s.live.try_recv().is_ok() {}
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = s.shutdown.changed() => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
