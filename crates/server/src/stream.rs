//! `GET /api/v1/events`: the changes as server-sent events, each with its id, resuming after
//! `Last-Event-ID` (or `?after=`) with nothing missed.
//!
//! A stream that falls behind the live broadcast reads what it missed from the log; one that
//! asks for changes no longer kept gets a `reset` event (read the list again) and goes on
//! from the newest.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use bots_status_core::api::Event;
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use crate::fleet::{Fleet, Resume};

struct Follower {
    fleet: Arc<Fleet>,
    live: broadcast::Receiver<Arc<Event>>,
    pending: VecDeque<SseEvent>,
    last_sent: u64,
    sent: u32,
    shutdown: watch::Receiver<bool>,
}

fn change_event(event: &Event) -> SseEvent {
    let data = serde_json::to_string(&event.change).unwrap_or_else(|_| "null".to_owned());
    SseEvent::default()
        .id(event.id.to_string())
        .event("change")
        .data(data)
}

fn reset_event(last_event_id: u64) -> SseEvent {
    SseEvent::default()
        .id(last_event_id.to_string())
        .event("reset")
        .data(format!("{{\"lastEventId\":{last_event_id}}}"))
}

impl Follower {
    /// Queues `event` unless it was sent already (the backlog and the broadcast overlap).
    fn push(&mut self, event: &Event) {
        if event.id > self.last_sent {
            self.pending.push_back(change_event(event));
            self.last_sent = event.id;
        }
    }

    fn queue(&mut self, resume: Resume) {
        match resume {
            Resume::Events(events) => {
                for e in &events {
                    self.push(e);
                }
            }
            Resume::Gap { last_event_id } => {
                self.pending.push_back(reset_event(last_event_id));
                self.last_sent = last_event_id;
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
            if let Some(event) = self.pending.pop_front() {
                self.sent += 1;
                return Some(event);
            }
            tokio::select! {
                received = self.live.recv() => match received {
                    Ok(event) => self.push(&event),
                    Err(RecvError::Lagged(_)) => {
                        let resume = self.fleet.since(self.last_sent);
                        self.queue(resume);
                    }
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
    let (live, resume) = fleet.follow(after);
    let mut follower = Follower {
        shutdown: fleet.shutdown(),
        fleet,
        live,
        pending: VecDeque::new(),
        last_sent: after,
        sent: 0,
    };
    follower.queue(resume);
    let stream = futures_util::stream::unfold(follower, |mut f| async move {
        f.next().await.map(|event| (Ok(event), f))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
