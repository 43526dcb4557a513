//! The served fleet: the core's simulator, the log of numbered changes, and SQLite behind
//! both. Every operation takes the one lock, applies the core's rules, writes what changed to
//! SQLite and only then tells anyone (the caller, the event streams).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bots_status_core::access::{Persona, Session};
use bots_status_core::api::{
    ApiError, BulkItem, BulkOutcome, ErrorCode, Event, Faults, FleetPage, ResourceRequest, Target,
};
use bots_status_core::lifecycle::Action;
use bots_status_core::model::{BotRef, Connector, ConnectorId, ConnectorSettings, Millis};
use bots_status_core::pcs::{PcsAction, PcsConnector};
use bots_status_core::query::ConnectorQuery;
use bots_status_core::settings::{AgentListError, AgentUser};
use bots_status_core::simulator::{Change, START_MIN_MS, START_SPREAD_MS, Simulator};
use tokio::sync::{broadcast, watch};

use crate::persist::Db;
use crate::{Config, Speed};

/// How many recent changes stay in memory for streams that resume.
const LOG_LEN: usize = 50_000;

pub struct Fleet {
    state: Mutex<State>,
    events: broadcast::Sender<Arc<Event>>,
    faults: Mutex<Faults>,
    /// Counts API requests, so the fault mode's error rate is exact and repeatable.
    requests: AtomicU64,
    shutdown: watch::Sender<bool>,
}

struct State {
    sim: Simulator,
    /// The most recent changes, oldest first.
    log: VecDeque<Event>,
    last_event_id: u64,
    db: Db,
    speed: Speed,
    last_tick: Instant,
}

/// Where a stream resumes: the changes after the id it asked for, or a gap it cannot bridge.
pub enum Resume {
    Events(Vec<Event>),
    /// The changes after the id are no longer kept: the client must read the list again.
    Gap {
        last_event_id: u64,
    },
}

fn wall_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Fleet {
    pub fn open(config: &Config) -> Result<Fleet, String> {
        let mut db = Db::open(config.db.as_deref())?;
        let (sim, log, last_event_id) = match db.load(LOG_LEN)? {
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
                (sim, VecDeque::new(), 0)
            }
        };
        let (events, _) = broadcast::channel(4096);
        let (shutdown, _) = watch::channel(false);
        Ok(Fleet {
            state: Mutex::new(State {
                sim,
                log,
                last_event_id,
                db,
                speed: config.speed,
                last_tick: Instant::now(),
            }),
            events,
            faults: Mutex::new(config.faults),
            requests: AtomicU64::new(0),
            shutdown,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves a state that was never committed half-way
        // (SQLite is written in one transaction), so the lock is taken back.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn session(&self, persona: Persona) -> Session {
        let state = self.lock();
        persona.session(&state.sim.user, bots_status_core::fleet::HOME_ACCOUNT)
    }

    pub fn page(&self, query: &ConnectorQuery) -> FleetPage {
        let state = self.lock();
        let list = state.sim.connectors();
        FleetPage {
            connectors: query
                .select(list)
                .into_iter()
                .map(|i| list[i].clone())
                .collect(),
            pcs: state.sim.fleet.pcs.clone(),
            last_event_id: state.last_event_id,
        }
    }

    pub fn get(&self, id: ConnectorId) -> Result<Connector, ApiError> {
        let state = self.lock();
        find(&state.sim, id).cloned()
    }

    pub fn pcs(&self) -> PcsConnector {
        self.lock().sim.fleet.pcs.clone()
    }

    pub fn agents(&self, account: &str) -> Result<Vec<AgentUser>, ApiError> {
        let state = self.lock();
        state
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
    pub fn act(
        &self,
        id: ConnectorId,
        seen: Option<u64>,
        action: Action,
        persona: Persona,
    ) -> Result<Change, ApiError> {
        let mut state = self.lock();
        let change = state.act(id, seen, action, persona)?;
        self.commit(&mut state, vec![change.clone()])?;
        Ok(change)
    }

    /// One action over many connectors: each is done or refused on its own.
    pub fn bulk(
        &self,
        action: &Action,
        targets: &[Target],
        persona: Persona,
    ) -> Result<Vec<BulkItem>, ApiError> {
        let mut state = self.lock();
        let mut changes = Vec::new();
        let items = targets
            .iter()
            .map(|t| {
                let outcome = match state.act(t.id, t.version, action.clone(), persona) {
                    Ok(change) => {
                        let done = match &change {
                            Change::Connector(c) => Some(c.clone()),
                            _ => None,
                        };
                        changes.push(change);
                        match done {
                            Some(c) => BulkOutcome::Done(c),
                            None => BulkOutcome::Error(ApiError::new(
                                ErrorCode::Internal,
                                "The action removed the connector.",
                            )),
                        }
                    }
                    Err(e) => BulkOutcome::Error(e),
                };
                BulkItem { id: t.id, outcome }
            })
            .collect();
        self.commit(&mut state, changes)?;
        Ok(items)
    }

    pub fn add(
        &self,
        bot: BotRef,
        settings: ConnectorSettings,
        persona: Persona,
    ) -> Result<Connector, ApiError> {
        let mut state = self.lock();
        let now = state.sim.now();
        let change = state
            .sim
            .add(bot, settings, persona.permissions(), now)
            .map_err(ApiError::refused)?;
        let Change::Connector(added) = &change else {
            return Err(ApiError::new(
                ErrorCode::Internal,
                "Adding made no connector.",
            ));
        };
        let added = (**added).clone();
        self.commit(&mut state, vec![change])?;
        Ok(added)
    }

    pub fn act_on_pcs(
        &self,
        action: PcsAction,
        seen: Option<u64>,
        persona: Persona,
    ) -> Result<PcsConnector, ApiError> {
        let mut state = self.lock();
        let current = state.sim.fleet.pcs.version;
        if let Some(seen) = seen.filter(|v| *v != current) {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("Not done: the PCS connector changed since you saw it (version {seen}, now {current})."),
            )
            .on_field("version"));
        }
        let now = state.sim.now();
        let change = state
            .sim
            .act_on_pcs(action, persona.permissions(), now)
            .map_err(ApiError::refused)?;
        self.commit(&mut state, vec![change])?;
        Ok(state.sim.fleet.pcs.clone())
    }

    pub fn set_resource(&self, request: ResourceRequest) -> Result<(), ApiError> {
        let mut state = self.lock();
        let changes = state
            .sim
            .set_resource(request.environment, request.resource, request.health);
        self.commit(&mut state, changes)
    }

    /// Lets simulated time catch up with the wall clock (at the chosen speed).
    pub fn tick(&self) {
        let mut state = self.lock();
        let wall = Instant::now();
        let elapsed = wall.duration_since(state.last_tick).as_millis() as u64;
        state.last_tick = wall;
        let step = match state.speed {
            Speed::Times(factor) => elapsed * u64::from(factor),
            Speed::Instant => START_MIN_MS + START_SPREAD_MS,
        };
        let target = state.sim.now().plus(step);
        let changes = state.sim.advance_to(target);
        if let Err(e) = self.commit(&mut state, changes) {
            tracing::error!(error = %e, "a tick could not be saved");
        }
    }

    /// Numbers `changes`, writes them and the state to SQLite, then publishes them. Nothing is
    /// published (or acknowledged) that is not saved.
    fn commit(&self, state: &mut State, changes: Vec<Change>) -> Result<(), ApiError> {
        if changes.is_empty() {
            return Ok(());
        }
        let first = state.last_event_id + 1;
        let events: Vec<Event> = changes
            .into_iter()
            .enumerate()
            .map(|(i, change)| Event {
                id: first + i as u64,
                change,
            })
            .collect();
        let State { db, sim, .. } = state;
        db.save_changes(sim, &events).map_err(|e| {
            tracing::error!(error = %e, "saving failed");
            ApiError::new(
                ErrorCode::Internal,
                format!("The change could not be saved: {e}"),
            )
        })?;
        state.last_event_id += events.len() as u64;
        for event in events {
            state.log.push_back(event.clone());
            // No stream listening is not an error.
            let _ = self.events.send(Arc::new(event));
        }
        while state.log.len() > LOG_LEN {
            state.log.pop_front();
        }
        Ok(())
    }

    /// A receiver of new changes and what happened after `after` (subscribed first, so
    /// nothing falls between the two).
    pub fn follow(&self, after: u64) -> (broadcast::Receiver<Arc<Event>>, Resume) {
        let state = self.lock();
        let receiver = self.events.subscribe();
        (receiver, resume(&state, after))
    }

    pub fn since(&self, after: u64) -> Resume {
        resume(&self.lock(), after)
    }

    pub fn last_event_id(&self) -> u64 {
        self.lock().last_event_id
    }

    pub fn faults(&self) -> Faults {
        *self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
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

    pub fn close_streams(&self) {
        let _ = self.shutdown.send(true);
    }
}

impl State {
    fn act(
        &mut self,
        id: ConnectorId,
        seen: Option<u64>,
        action: Action,
        persona: Persona,
    ) -> Result<Change, ApiError> {
        let current = find(&self.sim, id)?;
        if let Some(seen) = seen.filter(|v| *v != current.version) {
            return Err(ApiError::conflict(seen, current.clone()));
        }
        let now = self.sim.now();
        self.sim
            .act(id, action, persona.permissions(), now)
            .map_err(ApiError::refused)
    }
}

fn find(sim: &Simulator, id: ConnectorId) -> Result<&Connector, ApiError> {
    sim.connectors().iter().find(|c| c.id == id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            format!(
                "There is no connector {}: it was deleted, or never existed.",
                id.0
            ),
        )
    })
}

fn resume(state: &State, after: u64) -> Resume {
    if after == state.last_event_id {
        return Resume::Events(Vec::new());
    }
    // An id from the future is from another run of the server (an in-memory one restarted).
    if after > state.last_event_id {
        return Resume::Gap {
            last_event_id: state.last_event_id,
        };
    }
    let oldest = state.log.front().map_or(state.last_event_id + 1, |e| e.id);
    if after + 1 < oldest {
        return Resume::Gap {
            last_event_id: state.last_event_id,
        };
    }
    Resume::Events(state.log.iter().filter(|e| e.id > after).cloned().collect())
}
