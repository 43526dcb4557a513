//! `GET /api/v1/events`: the changes as server-sent events, each with its id, resuming after
//! `Last-Event-ID` (or `?after=`) with nothing missed.
//!
//! A stream holds at most a small chunk of the log at a time and reads the next chunk only
//! once the client has taken the last one, so a client that does not read costs a socket's
//! buffers, never a copy of the backlog. One that asks for changes no longer kept gets a
//! `reset` event (read the list again) and goes on from the newest. A client that stops
//! reading altogether is disconnected by the connection's write timeout (`serve.rs`).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use crate::fleet::Fleet;
use crate::log::{Logged, Resume};
use crate::metrics::StreamClient;

/// What a stream takes from the log at a time: so many changes, so many bytes.
const CHUNK: (usize, usize) = (64, 256 * 1024);

struct Follower {
    fleet: Arc<Fleet>,
    live: broadcast::Receiver<Arc<Logged>>,
    pending: VecDeque<Arc<Logged>>,
    /// A reset to send before anything else.
    reset: Option<u64>,
    last_sent: u64,
    sent: u32,
    shutdown: watch::Receiver<bool>,
    /// Counted in `/metrics` while the stream is open.
    _client: StreamClient,
}

fn change_event(event: &Logged) -> SseEvent {
    SseEvent::default()
        .id(event.id.to_string())
        .event("change")
        .data(&event.data)
}

fn reset_event(last_event_id: u64) -> SseEvent {
    SseEvent::default()
        .id(last_event_id.to_string())
        .event("reset")
        .data(format!("{{\"lastEventId\":{last_event_id}}}"))
}

impl Follower {
    fn take(&mut self, resume: Resume) {
        match resume {
            Resume::Events(events) => self.pending.extend(events),
            Resume::Gap { last_event_id } => {
                self.pending.clear();
                self.reset = Some(last_event_id);
            }
        }
    }

    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            // The fault mode as it is now, so turning it on reaches the streams already open.
            let drop_after = self.fleet.faults().drop_streams_after;
            if drop_after.is_some_and(|n| self.sent >= n) || *self.shutdown.borrow() {
                return None;
            }
            if let Some(last_event_id) = self.reset.take() {
                self.last_sent = last_event_id;
                self.sent += 1;
                return Some(reset_event(last_event_id));
            }
            while let Some(event) = self.pending.pop_front() {
                // The log and the broadcast overlap: each change goes once, in order.
                if event.id == self.last_sent + 1 {
                    self.last_sent = event.id;
                    self.sent += 1;
                    return Some(change_event(&event));
                }
                if event.id > self.last_sent + 1 {
                    // Behind the broadcast: the log has what lies between.
                    self.pending.clear();
                    let resume = self.fleet.since(self.last_sent, CHUNK);
                    self.take(resume);
                    break;
                }
            }
            if !self.pending.is_empty() || self.reset.is_some() {
                continue;
            }
            if self.fleet.last_event_id() > self.last_sent {
                let resume = self.fleet.since(self.last_sent, CHUNK);
                let caught_up = matches!(&resume, Resume::Events(e) if e.is_empty());
                self.take(resume);
                if !caught_up {
                    continue;
                }
            }
            tokio::select! {
                received = self.live.recv() => match received {
                    Ok(event) => self.pending.push_back(event),
                    // Missed wake-ups are read from the log.
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                },
                _ = self.shutdown.changed() => return None,
            }
        }
    }
}

pub fn follow(
    fleet: Arc<Fleet>,
    after: u64,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let (live, resume) = fleet.follow(after, CHUNK);
    let mut follower = Follower {
        shutdown: fleet.shutdown(),
        _client: fleet.metrics().stream_client(),
        fleet,
        live,
        pending: VecDeque::new(),
        reset: None,
        last_sent: after,
        sent: 0,
    };
    follower.take(resume);
    let stream = futures_util::stream::unfold(follower, |mut f| async move {
        f.next().await.map(|event| (Ok(event), f))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
