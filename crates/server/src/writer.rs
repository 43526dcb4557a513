//! The one thread that changes the fleet. Requests queue here; it takes what is waiting,
//! applies it to a copy of the committed simulator, saves the copy's changes in one SQLite
//! transaction, and only then swaps the copy in, logs and streams the changes and answers.
//! A save that fails throws the copy away: nothing of it is visible, and every request of
//! the batch is told "Not done".
//!
//! SQLite work never runs on the async workers, so a locked or slow disk delays writes only:
//! reads, `/health`, static files and open streams go on answering.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bots_status_core::api::{ApiError, ErrorCode};
use bots_status_core::audit::Entry;
use bots_status_core::history::{Reading, readings, status_changes};
use bots_status_core::model::ConnectorId;
use bots_status_core::simulator::{Change, START_MIN_MS, START_SPREAD_MS, Simulator};

use crate::Speed;
use crate::fleet::Shared;
use crate::log::Logged;
use crate::persist::{Db, SaveError};
use crate::processes::TokenHash;

/// Requests waiting for the writer at most; one more is answered 503 at once.
const QUEUE: usize = 1024;
/// Requests applied and saved together at most.
const BATCH: usize = 64;

/// What a request does to the working copy: its changes, and how to answer once the fate of
/// the batch is known (saved, or not).
pub type Op = Box<dyn FnOnce(&mut Simulator) -> Applied + Send>;

pub struct Applied {
    pub changes: Vec<Change>,
    /// The actions asked for, with their actors and outcomes, for the history.
    pub audit: Vec<Entry>,
    /// Connector tokens issued (their hashes), saved with the rest.
    pub tokens: Vec<(ConnectorId, TokenHash)>,
    pub answer: Box<dyn FnOnce(Result<(), ApiError>) + Send>,
}

enum Message {
    Op(Op),
    /// Simulated time catches up with the wall clock.
    Tick,
    Stop,
}

#[derive(Clone)]
pub struct Queue(SyncSender<Message>);

impl Queue {
    /// Queues `op`, or says at once why it cannot be.
    pub fn send(&self, op: Op) -> Result<(), ApiError> {
        self.0.try_send(Message::Op(op)).map_err(|e| match e {
            TrySendError::Full(_) => ApiError::new(
                ErrorCode::Unavailable,
                "Not done: the server has too many changes waiting to be saved. Try again in a moment.",
            ),
            TrySendError::Disconnected(_) => ApiError::new(
                ErrorCode::Unavailable,
                "Not done: the server is stopping.",
            ),
        })
    }

    /// Asks for a tick unless one is waiting already (a full queue skips it).
    pub fn tick(&self) {
        let _ = self.0.try_send(Message::Tick);
    }

    pub fn stop(&self) {
        // A full queue still ends: the writer stops when the sender is gone too.
        let _ = self.0.try_send(Message::Stop);
    }
}

struct Writer {
    db: Db,
    shared: Arc<Shared>,
    speed: Speed,
    last_tick: Instant,
}

/// Starts the writer over `db`, whose state `shared` already holds.
pub fn start(db: Db, shared: Arc<Shared>, speed: Speed) -> (Queue, JoinHandle<()>) {
    let (sender, receiver) = sync_channel(QUEUE);
    let mut writer = Writer {
        db,
        shared,
        speed,
        last_tick: Instant::now(),
    };
    let thread = std::thread::Builder::new()
        .name("bots-status-writer".to_owned())
        .spawn(move || writer.run(&receiver));
    match thread {
        Ok(handle) => (Queue(sender), handle),
        // Without a thread nothing can be saved; every write says so.
        Err(e) => {
            tracing::error!(error = %e, "the writer thread cannot start");
            let (dead, _) = sync_channel(0);
            (Queue(dead), std::thread::spawn(|| {}))
        }
    }
}

impl Writer {
    fn run(&mut self, receiver: &Receiver<Message>) {
        loop {
            let first = match receiver.recv_timeout(Duration::from_secs(3600)) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let mut batch = vec![first];
            while batch.len() < BATCH {
                match receiver.try_recv() {
                    Ok(message) => batch.push(message),
                    Err(_) => break,
                }
            }
            if !self.apply(batch) {
                return;
            }
        }
    }

    /// Applies a batch; `false` once asked to stop.
    fn apply(&mut self, batch: Vec<Message>) -> bool {
        let committed = self.shared.committed();
        let mut working = committed.sim.clone();
        let mut changes = Vec::new();
        let mut entries = Vec::new();
        let mut tokens = Vec::new();
        let mut answers = Vec::new();
        let mut stop = false;
        // What each connector the batch touched showed last, to tell what changed.
        let mut shown: HashMap<ConnectorId, [Reading; 3]> = HashMap::new();
        let applied = catch_unwind(AssertUnwindSafe(|| {
            for message in batch {
                let from = changes.len();
                match message {
                    Message::Op(op) => {
                        let done = op(&mut working);
                        changes.extend(done.changes);
                        entries.extend(done.audit);
                        tokens.extend(done.tokens);
                        answers.push(done.answer);
                    }
                    Message::Tick => changes.extend(self.tick(&mut working)),
                    Message::Stop => stop = true,
                }
                let at = working.now();
                for change in &changes[from..] {
                    let Change::Connector(c) = change else {
                        continue;
                    };
                    let now = readings(&c.state);
                    let before = shown
                        .insert(c.id, now)
                        .or_else(|| committed.sim.connector(c.id).map(|b| readings(&b.state)));
                    if let Some(before) = before {
                        entries.extend(
                            status_changes(&before, c, at)
                                .iter()
                                .map(|e| Entry::status(0, e)),
                        );
                    }
                }
            }
        }));
        if applied.is_err() {
            // The copy may be half-changed: it goes, and the batch is not done.
            tracing::error!("a change panicked; its batch was not done");
            let failed = ApiError::new(
                ErrorCode::Internal,
                "Not done: the server failed while making the change.",
            );
            for answer in answers {
                answer(Err(failed.clone()));
            }
            return !stop;
        }
        let saved = self.save(working, committed.last_event_id, changes, entries, &tokens);
        if let Err(e) = &saved {
            tracing::error!(error = %e.message, "a change could not be saved; it was not done");
        }
        for answer in answers {
            answer(saved.clone());
        }
        !stop
    }

    /// Saves `changes` and the history `entries` with the state `working` reached, then makes
    /// both visible.
    fn save(
        &mut self,
        mut working: Simulator,
        last_event_id: u64,
        changes: Vec<Change>,
        mut entries: Vec<Entry>,
        tokens: &[(ConnectorId, TokenHash)],
    ) -> Result<(), ApiError> {
        if changes.is_empty() && entries.is_empty() && tokens.is_empty() {
            // Only the clock moved: nothing to announce, and the next save keeps it.
            self.shared.publish(working, Vec::new());
            return Ok(());
        }
        let events: Vec<Logged> = changes
            .iter()
            .enumerate()
            .map(|(i, change)| {
                serde_json::to_string(change).map(|data| Logged {
                    id: last_event_id + 1 + i as u64,
                    data,
                })
            })
            .collect::<Result<_, _>>()
            .map_err(|e| not_done(&SaveError::Other(e.to_string())))?;
        let keep_from = self.shared.oldest_after(&events);
        self.db
            .save_changes(
                &mut working,
                &changes,
                &events,
                keep_from,
                &mut entries,
                tokens,
            )
            .map_err(|e| not_done(&e))?;
        self.shared.publish(working, events);
        Ok(())
    }

    fn tick(&mut self, sim: &mut Simulator) -> Vec<Change> {
        let wall = Instant::now();
        let elapsed = wall.duration_since(self.last_tick).as_millis() as u64;
        self.last_tick = wall;
        let step = match self.speed {
            Speed::Times(factor) => elapsed * u64::from(factor),
            Speed::Instant => START_MIN_MS + START_SPREAD_MS,
        };
        let target = sim.now().plus(step);
        sim.advance_to(target)
    }
}

fn not_done(e: &SaveError) -> ApiError {
    ApiError::new(
        ErrorCode::Unavailable,
        format!("Not done: {e}. Nothing was changed; try again in a moment."),
    )
}
