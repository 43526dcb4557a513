//! The served fleet: what readers see (the last committed simulator and the id of the last
//! change it includes), the log of recent changes for streams, and the queue to the writer
//! thread ([`crate::writer`]) that alone changes any of them.
//!
//! Reads take a reference to the committed state and never wait for a write; a write is
//! answered only once it is saved, and a write that could not be saved leaves no trace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::thread::JoinHandle;

use bots_status_core::access::Session;
use bots_status_core::api::{
    ApiError, BulkItem, BulkOutcome, ErrorCode, Faults, FleetPage, ResourceRequest, Target,
};
use bots_status_core::audit::{self, Entry, Subject};
use bots_status_core::lifecycle::Action;
use bots_status_core::model::{BotRef, Connector, ConnectorId, ConnectorSettings, Millis};
use bots_status_core::pcs::{PcsAction, PcsConnector};
use bots_status_core::protocol::{self, Desired, Report, ReportRefused};
use bots_status_core::query::ConnectorQuery;
use bots_status_core::settings::{AgentListError, AgentUser};
use bots_status_core::simulator::{Change, Simulator};
use tokio::sync::{broadcast, oneshot, watch};

use crate::audit::Reader;
use crate::log::{EventLog, Logged, Resume};
use crate::metrics::{self, Metrics, Outcome};
use crate::persist::{self, Db};
use crate::processes::{self, Processes, TokenHash};
use crate::writer::{self, Applied, Queue};
use crate::{Caller, Config};

/// The state every reader sees: saved, and consistent with `last_event_id`.
pub struct Committed {
    pub sim: Simulator,
    /// The id of the last change `sim` includes.
    pub last_event_id: u64,
}

/// What the writer and the readers share.
pub struct Shared {
    committed: RwLock<Arc<Committed>>,
    log: Mutex<EventLog>,
    events: broadcast::Sender<Arc<Logged>>,
    /// The last change's id, readable without any lock (`/health`).
    last_event_id: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing is left half-done under these locks (each holds a swap or an append), so a
    // panic elsewhere does not poison the state.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn committed(&self) -> Arc<Committed> {
        self.committed
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn oldest_after(&self, new: &[Logged]) -> u64 {
        lock(&self.log).oldest_after(new)
    }

    /// Makes a saved state visible with the changes that led to it: readers, then the log
    /// and the streams (under the log's lock, so a stream that subscribes sees each once).
    pub fn publish(&self, sim: Simulator, events: Vec<Logged>) {
        let last_event_id = events
            .last()
            .map_or_else(|| self.last_event_id.load(Ordering::SeqCst), |e| e.id);
        // The log first: a client that reads the list and then follows from its
        // `lastEventId` must find that id in the log.
        if !events.is_empty() {
            let mut log = lock(&self.log);
            for event in log.append(events) {
                // No stream listening is not an error.
                let _ = self.events.send(event);
            }
        }
        *self
            .committed
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) =
            Arc::new(Committed { sim, last_event_id });
        self.last_event_id.store(last_event_id, Ordering::SeqCst);
    }
}

pub struct Fleet {
    shared: Arc<Shared>,
    queue: Queue,
    writer: Mutex<Option<JoinHandle<()>>>,
    faults: Mutex<Faults>,
    /// Counts API requests, so the fault mode's error rate is exact and repeatable.
    requests: AtomicU64,
    shutdown: watch::Sender<bool>,
    metrics: Arc<Metrics>,
    history: Reader,
    processes: Processes,
}

/// What a request to the writer did: its changes and answer, or why not, and in both cases
/// the actions to keep in the history.
type Written<R> = (Result<(Vec<Change>, R), ApiError>, Vec<Entry>);

/// A connector token, as it is shown once.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issued {
    pub connector: ConnectorId,
    pub token: String,
    pub heartbeat_ms: u64,
}

/// What a report did, and the orders the process follows now.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reported {
    pub changed: bool,
    pub desired: Desired,
}

fn wall_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Fleet {
    pub fn open(config: &Config) -> Result<Fleet, String> {
        let options = persist::Options {
            new_fleet: config.new_fleet,
            busy_timeout: config.busy_timeout,
            max_bytes: config.max_db_bytes,
            keep: config.history,
        };
        let (mut db, loaded) = Db::open(config.db.as_deref(), &options)?;
        let (sim, log, last_event_id) = match loaded {
            Some(loaded) => {
                tracing::info!(
                    connectors = loaded.sim.connectors().len(),
                    last_event_id = loaded.last_event_id,
                    "state loaded"
                );
                (loaded.sim, loaded.log, loaded.last_event_id)
            }
            None => {
                let mut sim = Simulator::new(config.seed, config.fleet, Millis(wall_ms()));
                db.save_all(&mut sim)?;
                tracing::info!(
                    connectors = sim.connectors().len(),
                    seed = config.seed,
                    "new fleet"
                );
                (sim, Vec::new(), 0)
            }
        };
        let metrics = Metrics::new().map_err(|e| format!("cannot set up the metrics: {e}"))?;
        let history = db.reader()?;
        let processes = Processes::new(db.tokens()?, sim.now(), config.heartbeat);
        let (events, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            committed: RwLock::new(Arc::new(Committed { sim, last_event_id })),
            log: Mutex::new(EventLog::new(log, last_event_id, config.retention)),
            events,
            last_event_id: AtomicU64::new(last_event_id),
        });
        let (queue, writer) = writer::start(db, shared.clone(), config.speed);
        let (shutdown, _) = watch::channel(false);
        Ok(Fleet {
            shared,
            queue,
            writer: Mutex::new(Some(writer)),
            faults: Mutex::new(config.faults),
            requests: AtomicU64::new(0),
            shutdown,
            metrics: Arc::new(metrics),
            history,
            processes,
        })
    }

    pub fn history(&self) -> &Reader {
        &self.history
    }

    /// The simulated time of the committed fleet.
    pub fn clock(&self) -> Millis {
        self.now().sim.now()
    }

    fn now(&self) -> Arc<Committed> {
        self.shared.committed()
    }

    /// The problems of Production open in the committed fleet.
    pub fn open_alerts(
        &self,
    ) -> std::collections::BTreeMap<bots_status_core::alerts::Alert, String> {
        bots_status_core::alerts::open_alerts(self.now().sim.connectors())
            .into_iter()
            .collect()
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// A scrape of `/metrics`: the connector counts of the committed fleet, and the rest.
    pub fn scrape(&self) -> String {
        self.metrics.render(self.now().sim.connectors())
    }

    /// Runs `op` on the writer and answers once its batch is saved (or could not be).
    async fn write<R: Send + 'static>(
        &self,
        op: impl FnOnce(&mut Simulator) -> Written<R> + Send + 'static,
    ) -> Result<R, ApiError> {
        self.write_issuing(move |sim| {
            let (result, audit) = op(sim);
            (result, audit, Vec::new())
        })
        .await
    }

    /// [`Fleet::write`] of an operation that also issues connector tokens.
    async fn write_issuing<R: Send + 'static>(
        &self,
        op: impl FnOnce(
            &mut Simulator,
        ) -> (
            Result<(Vec<Change>, R), ApiError>,
            Vec<Entry>,
            Vec<(ConnectorId, TokenHash)>,
        ) + Send
        + 'static,
    ) -> Result<R, ApiError> {
        let (tx, rx) = oneshot::channel();
        self.queue.send(Box::new(move |sim: &mut Simulator| {
            let (result, audit, tokens) = op(sim);
            let tokens = if result.is_ok() { tokens } else { Vec::new() };
            let (changes, outcome) = match result {
                Ok((changes, r)) => (changes, Ok(r)),
                Err(e) => (Vec::new(), Err(e)),
            };
            Applied {
                changes,
                audit,
                tokens,
                answer: Box::new(move |saved| {
                    let _ = tx.send(saved.and(outcome));
                }),
            }
        }))?;
        rx.await.unwrap_or_else(|_| {
            Err(ApiError::new(
                ErrorCode::Internal,
                "Not done: the server failed while making the change.",
            ))
        })
    }

    pub fn session(&self, caller: &Caller) -> Session {
        let now = self.now();
        let name = caller.name.as_deref().unwrap_or(&now.sim.user);
        caller
            .persona
            .session(name, bots_status_core::fleet::HOME_ACCOUNT)
    }

    pub fn page(&self, query: &ConnectorQuery) -> FleetPage {
        let now = self.now();
        let list = now.sim.connectors();
        FleetPage {
            connectors: query
                .select(list)
                .into_iter()
                .map(|i| list[i].clone())
                .collect(),
            pcs: now.sim.fleet.pcs.clone(),
            last_event_id: now.last_event_id,
        }
    }

    pub fn get(&self, id: ConnectorId) -> Result<Connector, ApiError> {
        find(&self.now().sim, id).cloned()
    }

    /// Whether connector `id` exists now (without copying it).
    pub fn has(&self, id: ConnectorId) -> bool {
        self.now().sim.connector(id).is_some()
    }

    pub fn pcs(&self) -> PcsConnector {
        self.now().sim.fleet.pcs.clone()
    }

    pub fn agents(&self, account: &str) -> Result<Vec<AgentUser>, ApiError> {
        self.now()
            .sim
            .fleet
            .directory
            .enabled_agents(account)
            .map(|agents| agents.into_iter().cloned().collect())
            .map_err(|e| {
                let code = match e {
                    AgentListError::UnknownAccount(_) => ErrorCode::NotFound,
                    AgentListError::NoUserInAccount(_) => ErrorCode::Forbidden,
                };
                ApiError {
                    agents: Some(Box::new(e.clone())),
                    ..ApiError::new(code, e.to_string()).on_field("account")
                }
            })
    }

    /// One action on one connector, over the version the user saw.
    pub async fn act(
        &self,
        id: ConnectorId,
        seen: Option<u64>,
        action: Action,
        caller: Caller,
    ) -> Result<Change, ApiError> {
        let kind = metrics::action_label(action.kind());
        let result = self
            .write(move |sim| {
                let (result, entry) = act(sim, id, seen, action, &caller);
                (
                    result.map(|change| (vec![change.clone()], change)),
                    vec![entry],
                )
            })
            .await;
        self.metrics.action(kind, Outcome::of(&result), 1);
        result
    }

    /// One action over many connectors: each is done or refused on its own.
    pub async fn bulk(
        &self,
        action: Action,
        targets: Vec<Target>,
        caller: Caller,
    ) -> Result<Vec<BulkItem>, ApiError> {
        let kind = metrics::action_label(action.kind());
        let asked = targets.len() as u64;
        let result: Result<Vec<BulkItem>, ApiError> = self
            .write(move |sim| {
                let mut changes = Vec::new();
                let mut audit = Vec::new();
                let items = targets
                    .iter()
                    .map(|t| {
                        let (result, entry) = act(sim, t.id, t.version, action.clone(), &caller);
                        audit.push(entry);
                        let outcome = match result {
                            Ok(Change::Connector(c)) => {
                                changes.push(Change::Connector(c.clone()));
                                BulkOutcome::Done(c)
                            }
                            Ok(removed @ Change::Removed(_)) => {
                                changes.push(removed);
                                BulkOutcome::Deleted(true)
                            }
                            Ok(other) => {
                                changes.push(other);
                                BulkOutcome::Error(ApiError::new(
                                    ErrorCode::Internal,
                                    "The action changed something else than the connector.",
                                ))
                            }
                            Err(e) => BulkOutcome::Error(e),
                        };
                        BulkItem { id: t.id, outcome }
                    })
                    .collect();
                (Ok((changes, items)), audit)
            })
            .await;
        match &result {
            Ok(items) => {
                for item in items {
                    let outcome = match &item.outcome {
                        BulkOutcome::Error(e) => Outcome::of_error(e),
                        _ => Outcome::Done,
                    };
                    self.metrics.action(kind, outcome, 1);
                }
            }
            // Nothing of it was saved: every connector it named failed or was refused.
            Err(e) => self.metrics.action(kind, Outcome::of_error(e), asked),
        }
        result
    }

    pub async fn add(
        &self,
        bot: BotRef,
        settings: ConnectorSettings,
        caller: Caller,
    ) -> Result<Connector, ApiError> {
        let result = self
            .write(move |sim| {
                let now = sim.now();
                let subject = Subject {
                    connector: None,
                    bot: bot.name.clone(),
                    agent: settings.agent_user_id.clone(),
                    environment: Some(settings.environment),
                };
                let result = sim
                    .add(bot, settings, caller.persona.permissions(), now)
                    .map_err(ApiError::refused)
                    .and_then(|change| match &change {
                        Change::Connector(added) => {
                            let added = (**added).clone();
                            Ok((vec![change], added))
                        }
                        _ => Err(ApiError::new(
                            ErrorCode::Internal,
                            "Adding made no connector.",
                        )),
                    });
                let subject = Subject {
                    connector: result.as_ref().ok().map(|(_, c)| c.id),
                    ..subject
                };
                let entry = entry(subject, &caller, "add", now, result.as_ref().map(|_| ()));
                (result, vec![entry])
            })
            .await;
        self.metrics.action("add", Outcome::of(&result), 1);
        result
    }

    pub async fn act_on_pcs(
        &self,
        action: PcsAction,
        seen: Option<u64>,
        caller: Caller,
    ) -> Result<PcsConnector, ApiError> {
        let kind = action.slug();
        let result = self
            .write(move |sim| {
                let now = sim.now();
                let result = match sim.fleet.pcs.changed_since(seen) {
                    Some(why) => Err(ApiError::new(ErrorCode::Conflict, why).on_field("version")),
                    None => sim
                        .act_on_pcs(action, caller.persona.permissions(), now)
                        .map_err(ApiError::refused)
                        .map(|change| (vec![change], sim.fleet.pcs.clone())),
                };
                let entry = entry(
                    Subject::pcs(),
                    &caller,
                    kind,
                    now,
                    result.as_ref().map(|_| ()),
                );
                (result, vec![entry])
            })
            .await;
        self.metrics.action(kind, Outcome::of(&result), 1);
        result
    }

    pub async fn set_resource(&self, request: ResourceRequest) -> Result<(), ApiError> {
        self.write(move |sim| {
            let changes = sim.set_resource(request.environment, request.resource, request.health);
            (Ok((changes, ())), Vec::new())
        })
        .await
    }

    /// Moves simulated time on by `ms` at once (a drill, a test): starts due by then settle.
    pub async fn advance(&self, ms: u64) -> Result<Millis, ApiError> {
        self.write(move |sim| {
            let changes = sim.advance_to(sim.now().plus(ms));
            (Ok((changes, sim.now())), Vec::new())
        })
        .await
    }

    /// Lets simulated time catch up with the wall clock (at the chosen speed), and finds the
    /// real connectors whose processes fell silent.
    pub fn tick(&self) {
        self.queue.tick();
        if self.processes.any() {
            self.look_for_silence();
        }
    }

    /// Marks Not Connected each connector whose process has not reported in time. It runs on
    /// the writer, after every report queued before it.
    fn look_for_silence(&self) {
        let heard = self.processes.heard();
        let began = self.processes.began();
        let heartbeat = self.processes.heartbeat_ms;
        // A full queue skips this look; the next tick looks again.
        let _ = self.queue.send(Box::new(move |sim: &mut Simulator| {
            let now = sim.now();
            let heard = lock(&heard);
            let silent: Vec<Connector> = sim
                .connectors()
                .iter()
                .filter(|c| c.reported.is_some())
                .filter_map(|c| {
                    let last = Processes::last_heard(&heard, began, c.id);
                    protocol::silence(c, last, now, heartbeat)
                })
                .collect();
            drop(heard);
            let changes = silent.into_iter().filter_map(|c| sim.replace(c)).collect();
            Applied {
                changes,
                audit: Vec::new(),
                tokens: Vec::new(),
                answer: Box::new(|_| {}),
            }
        }));
    }

    pub fn processes(&self) -> &Processes {
        &self.processes
    }

    /// A receiver of every change to come.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Logged>> {
        self.shared.events.subscribe()
    }

    /// The orders of connector `id`'s process; `None` once it is gone (or no process plays it).
    pub fn desired(&self, id: ConnectorId) -> Option<Desired> {
        let now = self.now();
        Desired::of(now.sim.connector(id)?, self.processes.heartbeat_ms)
    }

    /// Issues connector `id`'s token (an administrator's act): the connector is handed to the
    /// process that signs in with it, and an earlier token of it stops working.
    pub async fn issue_token(&self, id: ConnectorId, caller: Caller) -> Result<Issued, ApiError> {
        let token = processes::new_token().map_err(|e| ApiError::new(ErrorCode::Internal, e))?;
        let hash = processes::hash(&token);
        let heard = self.processes.heard();
        let result = self
            .write_issuing(move |sim| {
                let now = sim.now();
                let subject = Subject::of(id, sim.connector(id));
                let result = find(sim, id).map(protocol::hand_over).map(|handed| {
                    let changes: Vec<Change> = handed
                        .and_then(|next| sim.replace(next))
                        .into_iter()
                        .collect();
                    // Its process has the heartbeats of a silence from now on to report.
                    lock(&heard).insert(id, now);
                    (changes, ())
                });
                let entry = entry(
                    subject,
                    &caller,
                    "issue-token",
                    now,
                    result.as_ref().map(|_| ()),
                );
                (result, vec![entry], vec![(id, hash)])
            })
            .await;
        self.metrics.action("issue-token", Outcome::of(&result), 1);
        result?;
        self.processes.issued(id, hash);
        Ok(Issued {
            connector: id,
            token,
            heartbeat_ms: self.processes.heartbeat_ms,
        })
    }

    /// A report of connector `id`'s process: taken (and the connector changed, if it did), or
    /// refused with the reason.
    pub async fn report(&self, id: ConnectorId, report: Report) -> Result<Reported, ApiError> {
        let heard = self.processes.heard();
        let heartbeat = self.processes.heartbeat_ms;
        let result = self
            .write(move |sim| {
                let now = sim.now();
                let result = find(sim, id).and_then(|c| {
                    protocol::apply_report(c, &report, now).map_err(|refused| {
                        let code = match refused {
                            ReportRefused::WrongGeneration { .. } => ErrorCode::Conflict,
                            _ => ErrorCode::Refused,
                        };
                        ApiError::new(code, refused.to_string())
                    })
                });
                let result = result.map(|next| {
                    lock(&heard).insert(id, now);
                    let changes: Vec<Change> = next
                        .and_then(|next| sim.replace(next))
                        .into_iter()
                        .collect();
                    let desired = sim.connector(id).and_then(|c| Desired::of(c, heartbeat));
                    let changed = !changes.is_empty();
                    (changes, (changed, desired))
                });
                (result, Vec::new())
            })
            .await;
        self.metrics.report(match &result {
            Ok(_) => "accepted",
            Err(e) if e.code == ErrorCode::Unavailable || e.code == ErrorCode::Internal => "failed",
            Err(_) => "refused",
        });
        let (changed, desired) = result?;
        Ok(Reported {
            changed,
            desired: desired.ok_or_else(gone)?,
        })
    }

    /// A receiver of new changes and the first of what happened after `after` (subscribed
    /// first, under the log's lock, so nothing falls between the two).
    pub fn follow(
        &self,
        after: u64,
        chunk: (usize, usize),
    ) -> (broadcast::Receiver<Arc<Logged>>, Resume) {
        let log = lock(&self.shared.log);
        let receiver = self.shared.events.subscribe();
        (receiver, log.after(after, chunk.0, chunk.1))
    }

    /// The next chunk (at most so many changes, so many bytes) after `after`, from the log.
    pub fn since(&self, after: u64, chunk: (usize, usize)) -> Resume {
        lock(&self.shared.log).after(after, chunk.0, chunk.1)
    }

    /// The last change's id; takes no lock a write could hold.
    pub fn last_event_id(&self) -> u64 {
        self.shared.last_event_id.load(Ordering::SeqCst)
    }

    pub fn faults(&self) -> Faults {
        *lock(&self.faults)
    }

    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = faults;
    }

    /// Whether this request is one the fault mode fails: exactly `error_rate` of them.
    pub fn should_fail(&self) -> bool {
        let rate = self.faults().error_rate.clamp(0.0, 1.0);
        let n = self.requests.fetch_add(1, Ordering::Relaxed) as f64;
        ((n + 1.0) * rate).floor() > (n * rate).floor()
    }

    pub fn shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// Ends the streams and the writer (after what it is doing); returns the writer's thread
    /// to join, once.
    pub fn close(&self) -> Option<JoinHandle<()>> {
        let _ = self.shutdown.send(true);
        self.queue.stop();
        lock(&self.writer).take()
    }
}

/// The answer to a connector process whose connector was deleted.
pub fn gone() -> ApiError {
    ApiError::new(
        ErrorCode::NotFound,
        "The connector is gone: its process should stop.",
    )
}

/// The history's entry of `caller` asking for `action` of `subject` at `at`, and how it ended.
fn entry(
    subject: Subject,
    caller: &Caller,
    action: &str,
    at: Millis,
    result: Result<(), &ApiError>,
) -> Entry {
    let (outcome, detail) = match result {
        Ok(()) => (audit::Outcome::Done, None),
        Err(e) => (
            match Outcome::of_error(e) {
                Outcome::Failed => audit::Outcome::Failed,
                _ => audit::Outcome::Refused,
            },
            Some(e.message.clone()),
        ),
    };
    subject.entry(&caller.actor, action, at, outcome, detail)
}

/// `action` on connector `id` over the version `seen`, and its entry in the history.
fn act(
    sim: &mut Simulator,
    id: ConnectorId,
    seen: Option<u64>,
    action: Action,
    caller: &Caller,
) -> (Result<Change, ApiError>, Entry) {
    let now = sim.now();
    let subject = Subject::of(id, sim.connector(id));
    let name = metrics::action_label(action.kind());
    let stale = match find(sim, id) {
        Err(e) => Some(e),
        Ok(current) => seen
            .filter(|v| *v != current.version)
            .map(|seen| ApiError::conflict(seen, current.clone())),
    };
    let result = match stale {
        Some(e) => Err(e),
        None => sim
            .act(id, action, caller.persona.permissions(), now)
            .map_err(ApiError::refused),
    };
    let entry = entry(subject, caller, name, now, result.as_ref().map(|_| ()));
    (result, entry)
}

fn find(sim: &Simulator, id: ConnectorId) -> Result<&Connector, ApiError> {
    sim.connector(id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            format!(
                "There is no connector {}: it was deleted, or never existed.",
                id.0
            ),
        )
    })
}
