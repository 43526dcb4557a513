//! The simulated backend: the core's simulator running in the page on a timer, its state kept
//! in localStorage so a reload continues where it was.
//!
//! Storage that cannot be read (corrupt, or written by another format version) is replaced by
//! a fresh fleet with a notice; it never stops the app.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use bots_status_core::access::{Permissions, Persona};
use bots_status_core::audit::{HistoryPage, HistoryQuery, Outcome, Record, Subject, TimelineBody};
use bots_status_core::lifecycle::{Action, Refused};
use bots_status_core::model::{BotRef, ConnectorId, ConnectorSettings, Environment, Millis};
use bots_status_core::pcs::PcsAction;
use bots_status_core::settings::AgentUser;
use bots_status_core::simulator::faults::FaultError;
use bots_status_core::simulator::{Change, Resource, Resources, Simulator};
use bots_status_core::status::LinkHealth;
use bots_status_core::training::{Attempt, Progress, Scenario, ScenarioError};
use leptos::prelude::{IntervalHandle, set_interval_with_handle};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::{
    Acted, Backend, BackendError, BackendEvent, FleetSnapshot, LocalFuture, Sink, Subscription,
    Watchers,
};
pub use crate::simulation::{Exercise, SimulationState, Speed};
use bots_status_core::api::Target;

mod saved;
use saved::Saved;

const TICK: Duration = Duration::from_millis(1000);
/// What every action gets during the failure drill.
const FAILED: &str = "the backend did not answer (a simulated failure: see the Simulation area)";
/// Saving a large fleet costs time, so it happens at most this often.
const SAVE_EVERY_MS: f64 = 3000.0;

/// How the simulated backend starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulationOptions {
    pub seed: u64,
    pub size: usize,
    /// Where the state is kept; `None` keeps nothing (benchmarks, custom fleet sizes).
    pub storage_key: Option<String>,
    pub speed: Speed,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        SimulationOptions {
            seed: 2026,
            size: 60,
            storage_key: Some("bots-status/simulation".to_owned()),
            speed: Speed::RealTime,
        }
    }
}

struct Inner {
    options: SimulationOptions,
    watchers: Watchers,
    sim: Simulator,
    speed: Speed,
    last_wall: f64,
    last_saved: f64,
    dirty: bool,
    save_failed: bool,
    /// When set, every action fails as an unreachable backend would (a drill, not saved).
    failing: bool,
    notices: Vec<String>,
    /// Time stands still until resumed or stepped.
    paused: bool,
    exercise: Option<Exercise>,
    revision: u64,
    /// What happened since this page started the simulation: the history's answers.
    record: Record,
    timer: Option<IntervalHandle>,
    /// Saves on `pagehide`, so a reload continues from the latest state.
    on_pagehide: Option<Closure<dyn Fn()>>,
}

#[derive(Clone)]
pub struct SimulatedBackend {
    inner: Rc<RefCell<Inner>>,
}

fn wall_now() -> f64 {
    web_sys::js_sys::Date::now()
}

impl SimulatedBackend {
    /// Loads the saved simulation (or starts a fresh fleet) and starts its clock.
    pub fn start(options: SimulationOptions) -> SimulatedBackend {
        let now = wall_now();
        let mut notices = Vec::new();
        let restored = options.storage_key.as_deref().and_then(|key| {
            saved::restore(key).unwrap_or_else(|why| {
                notices.push(why);
                None
            })
        });
        let (sim, speed, paused, exercise, dirty) = match restored {
            Some(saved) => (saved.sim, saved.speed, saved.paused, saved.exercise, false),
            None => (
                Simulator::new(options.seed, options.size, Millis(now as u64)),
                options.speed,
                false,
                None,
                true,
            ),
        };
        let backend = SimulatedBackend {
            inner: Rc::new(RefCell::new(Inner {
                options,
                watchers: Watchers::default(),
                sim,
                speed,
                last_wall: now,
                last_saved: 0.0,
                dirty,
                save_failed: false,
                failing: false,
                notices,
                paused,
                exercise,
                revision: 0,
                record: Record::new(),
                timer: None,
                on_pagehide: None,
            })),
        };
        backend.start_record();
        let ticking = backend.clone();
        let timer = set_interval_with_handle(move || ticking.tick(), TICK).ok();
        // A weak handle: the listener must not keep a stopped backend alive.
        let weak = Rc::downgrade(&backend.inner);
        let on_pagehide = Closure::<dyn Fn()>::new(move || {
            if let Some(inner) = weak.upgrade() {
                SimulatedBackend { inner }.save_if_due(true);
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window
                .add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
        }
        backend.inner.borrow_mut().timer = timer;
        backend.inner.borrow_mut().on_pagehide = Some(on_pagehide);
        backend.save_if_due(true);
        backend
    }

    /// Stops the clock and saves; no listener or timer is left behind.
    pub fn stop(&self) {
        if let Some(timer) = self.inner.borrow_mut().timer.take() {
            timer.clear();
        }
        let listener = self.inner.borrow_mut().on_pagehide.take();
        if let (Some(listener), Some(window)) = (listener, web_sys::window()) {
            let _ = window
                .remove_event_listener_with_callback("pagehide", listener.as_ref().unchecked_ref());
        }
        self.save_if_due(true);
    }

    pub fn speed(&self) -> Speed {
        self.inner.borrow().speed
    }

    pub fn set_speed(&self, speed: Speed) {
        self.inner.borrow_mut().speed = speed;
        self.inner.borrow_mut().dirty = true;
        self.announce();
        if speed == Speed::Instant {
            self.tick();
        }
    }

    /// Stops simulated time (or lets it run again); actions still apply while paused.
    pub fn set_paused(&self, paused: bool) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.paused = paused;
            inner.last_wall = wall_now();
            inner.dirty = true;
        }
        self.announce();
    }

    /// Lets simulated time run to the next thing due (a start settling, a bot user being
    /// disabled, load moving), whatever the speed.
    pub fn step(&self) {
        let changes = self.inner.borrow_mut().sim.step();
        self.publish(changes);
    }

    /// Reads the simulator as it is now: for the controls' choices.
    pub fn with_simulator<R>(&self, read: impl FnOnce(&Simulator) -> R) -> R {
        read(&self.inner.borrow().sim)
    }

    /// Injects a fault, or makes a fix outside the app; the connectors it touches change at
    /// once.
    pub fn inject(
        &self,
        fault: impl FnOnce(&mut Simulator) -> Result<Vec<Change>, FaultError>,
    ) -> Result<(), FaultError> {
        let changes = {
            let mut inner = self.inner.borrow_mut();
            inner.dirty = true;
            inner.revision += 1;
            fault(&mut inner.sim)?
        };
        self.publish(changes);
        self.save_if_due(true);
        Ok(())
    }

    /// Sets the fleet up for `scenario` and starts timing the trainee. What happened during
    /// the setup (an outage, a failed start) is told to the watchers as it happened, at its
    /// simulated time, so timelines and the event log show it.
    pub fn start_exercise(&self, scenario: Scenario) -> Result<(), ScenarioError> {
        let wall = Millis(wall_now() as u64);
        let (sim, setup) = scenario.set_up_recorded(wall)?;
        let pcs = sim.fleet.pcs.clone();
        {
            let mut inner = self.inner.borrow_mut();
            let persona = inner.sim.persona;
            inner.sim = sim;
            inner.sim.persona = persona;
            inner.exercise = Some(Exercise {
                attempt: Attempt::new(&scenario, wall),
                scenario,
            });
            inner.revision += 1;
            inner.dirty = true;
        }
        self.inner.borrow_mut().record = Record::new();
        let at = |now: Millis, event: BackendEvent| {
            let mut state = self.simulation_state();
            state.now = now;
            match &event {
                BackendEvent::Snapshot(snapshot) => {
                    let mut inner = self.inner.borrow_mut();
                    inner.record.observe_all(&snapshot.connectors, now);
                }
                BackendEvent::Changes(changes) => self.record(changes, now),
                _ => {}
            }
            self.emit(BackendEvent::Simulation(Box::new(state)));
            self.emit(event);
        };
        at(
            setup.started,
            BackendEvent::Snapshot(Box::new(FleetSnapshot {
                connectors: setup.before,
                pcs,
                new_fleet: true,
            })),
        );
        for (now, changes) in setup.steps {
            if !changes.is_empty() {
                at(now, BackendEvent::Changes(changes));
            }
        }
        self.announce();
        // The fleet as it is now, whatever the replay could not say (a user's creator).
        self.emit(BackendEvent::Snapshot(Box::new(self.snapshot(false))));
        self.save_if_due(true);
        Ok(())
    }

    /// Ends the exercise; the fleet stays as the trainee left it.
    pub fn end_exercise(&self) {
        self.inner.borrow_mut().exercise = None;
        self.inner.borrow_mut().dirty = true;
        self.announce();
    }

    /// Opens the exercise's next hint, counted in the attempt.
    pub fn take_hint(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            if let Some(ex) = inner.exercise.as_mut() {
                ex.attempt.take_hint(&ex.scenario);
            }
            inner.dirty = true;
        }
        self.announce();
    }

    /// The simulation's state as the UI shows it; the exercise's goals are checked here, so
    /// an attempt is marked solved the moment the simulated state meets them.
    fn simulation_state(&self) -> SimulationState {
        let mut inner = self.inner.borrow_mut();
        let wall = Millis(wall_now() as u64);
        let inner = &mut *inner;
        let exercise = inner.exercise.as_mut().map(|ex| {
            let progress = ex
                .scenario
                .progress(&inner.sim)
                .unwrap_or_else(|why| Progress {
                    goals: vec![bots_status_core::training::Checked {
                        text: why,
                        met: false,
                    }],
                });
            ex.attempt.observe(&progress, wall);
            (ex.clone(), progress)
        });
        SimulationState {
            now: inner.sim.now(),
            paused: inner.paused,
            speed: inner.speed,
            persona: inner.sim.persona,
            production: inner.sim.resources(Environment::Production),
            demo: inner.sim.resources(Environment::Demo),
            exercise,
            revision: inner.revision,
        }
    }

    /// Tells the watchers the simulation's state.
    fn announce(&self) {
        let state = self.simulation_state();
        self.emit(BackendEvent::Simulation(Box::new(state)));
    }

    /// Replaces the fleet with a fresh one from the configured seed.
    pub fn reset(&self) {
        {
            let mut inner = self.inner.borrow_mut();
            let options = inner.options.clone();
            let persona = inner.sim.persona;
            inner.sim = Simulator::new(options.seed, options.size, Millis(wall_now() as u64));
            // A reset renews the fleet, not who is signed in.
            inner.sim.persona = persona;
            inner.exercise = None;
            inner.revision += 1;
            inner.dirty = true;
        }
        self.start_record();
        self.announce();
        self.emit(BackendEvent::Snapshot(Box::new(self.snapshot(true))));
        self.emit(BackendEvent::Notice(
            "The simulation was reset to a fresh fleet.".to_owned(),
        ));
        self.save_if_due(true);
    }

    /// The periodic load update of every online connector, now (benchmarks).
    pub fn load_update(&self) {
        crate::frame::soon();
        let changes = self.inner.borrow_mut().sim.move_load_now();
        self.publish(changes);
    }

    /// A burst of `count` status changes, delivered like any other (benchmarks).
    pub fn burst(&self, count: usize) {
        crate::frame::soon();
        let changes = self.inner.borrow_mut().sim.flip_bot_server_links(count);
        self.publish(changes);
    }

    pub fn persona(&self) -> Persona {
        self.inner.borrow().sim.persona
    }

    /// Signs in as `persona`: the same person with other rights.
    pub fn set_persona(&self, persona: Persona) {
        let session = {
            let mut inner = self.inner.borrow_mut();
            inner.sim.persona = persona;
            inner.dirty = true;
            inner.sim.session()
        };
        self.emit(BackendEvent::Session(session));
        self.announce();
        self.save_if_due(true);
    }

    /// Makes every action fail (or work again), to practise what a failing backend looks
    /// like.
    pub fn set_failing(&self, failing: bool) {
        self.inner.borrow_mut().failing = failing;
    }

    /// The failure every action gets while the backend is set to fail.
    fn refuse_if_failing<T: 'static>(&self) -> Option<LocalFuture<Result<T, BackendError>>> {
        self.inner.borrow().failing.then(|| {
            let failed: LocalFuture<Result<T, BackendError>> = Box::pin(std::future::ready(Err(
                BackendError::Failed(FAILED.to_owned()),
            )));
            failed
        })
    }

    /// The health of one environment's external servers.
    pub fn resources(&self, environment: Environment) -> Resources {
        self.inner.borrow().sim.resources(environment)
    }

    /// Takes one external server of an environment down, up or away; the connectors that
    /// depend on it see it at once.
    pub fn set_resource(&self, environment: Environment, resource: Resource, health: LinkHealth) {
        let changes = {
            let mut inner = self.inner.borrow_mut();
            // The server's health is state to save even when no connector changes.
            inner.dirty = true;
            inner.revision += 1;
            inner.sim.set_resource(environment, resource, health)
        };
        self.publish(changes);
    }

    fn snapshot(&self, new_fleet: bool) -> FleetSnapshot {
        let inner = self.inner.borrow();
        FleetSnapshot {
            connectors: inner.sim.connectors().to_vec(),
            pcs: inner.sim.fleet.pcs.clone(),
            new_fleet,
        }
    }

    fn emit(&self, event: BackendEvent) {
        // Sinks update signals; call them without holding the borrow.
        let watchers = self.inner.borrow().watchers.clone();
        watchers.emit(event);
    }

    /// A record that starts now, with every connector as it is.
    fn start_record(&self) {
        let mut inner = self.inner.borrow_mut();
        let inner = &mut *inner;
        let now = inner.sim.now();
        inner.record = Record::new();
        inner.record.observe_all(inner.sim.connectors(), now);
    }

    /// Notes what `changes` did to the connectors' statuses, at `at`.
    fn record(&self, changes: &[Change], at: Millis) {
        let mut inner = self.inner.borrow_mut();
        for change in changes {
            match change {
                Change::Connector(c) => inner.record.observe(c, at),
                Change::Removed(id) => inner.record.removed(*id),
                Change::Load { .. } | Change::Pcs(_) => {}
            }
        }
    }

    /// Notes that the signed-in user asked for `action` of `subject`, and how it ended.
    fn record_action<T>(&self, subject: Subject, action: &str, result: &Result<T, BackendError>) {
        let mut inner = self.inner.borrow_mut();
        let (outcome, detail) = match result {
            Ok(_) => (Outcome::Done, None),
            Err(BackendError::Failed(why)) => (Outcome::Failed, Some(why.clone())),
            Err(e) => (Outcome::Refused, Some(e.to_string())),
        };
        let (actor, at) = (inner.sim.session().user_name, inner.sim.now());
        inner
            .record
            .action(subject.entry(&actor, action, at, outcome, detail));
    }

    /// Marks the state as unsaved and tells every watcher what changed.
    fn publish(&self, changes: Vec<Change>) {
        // The simulation's clock and exercise first, so the changes are seen at its time.
        self.announce();
        let now = self.inner.borrow().sim.now();
        self.record(&changes, now);
        if !changes.is_empty() {
            self.inner.borrow_mut().dirty = true;
            self.emit(BackendEvent::Changes(changes));
        }
    }

    /// Applies one change the user asked for, with the session's permissions at the
    /// simulator's time (or fails it, during the failure drill), and publishes it.
    fn change(
        &self,
        subject: Subject,
        action: &str,
        apply: impl FnOnce(&mut Simulator, Permissions, Millis) -> Result<Change, Refused>,
    ) -> LocalFuture<Result<Change, BackendError>> {
        let result = if self.inner.borrow().failing {
            Err(BackendError::Failed(FAILED.to_owned()))
        } else {
            let mut inner = self.inner.borrow_mut();
            let now = inner.sim.now();
            let permissions = inner.sim.session().permissions;
            apply(&mut inner.sim, permissions, now).map_err(BackendError::Refused)
        };
        // An add names its connector once it exists.
        let subject = match (&result, subject.connector) {
            (Ok(Change::Connector(c)), None) if subject.bot != "PCS" => Subject::of(c.id, Some(c)),
            _ => subject,
        };
        self.record_action(subject, action, &result);
        if let Ok(change) = &result {
            self.publish(vec![change.clone()]);
            self.settle_now_if_instant();
        }
        Box::pin(std::future::ready(result))
    }

    fn tick(&self) {
        let changes = {
            let mut inner = self.inner.borrow_mut();
            let wall = wall_now();
            let step = inner.speed.step(wall - inner.last_wall);
            inner.last_wall = wall;
            if inner.paused {
                return;
            }
            // The clock moves on the page: a frame, asked for before the simulator's work.
            crate::frame::soon();
            let target = inner.sim.now().plus(step);
            inner.sim.advance_to(target)
        };
        // The clock moves every tick, whether or not a connector changed.
        self.publish(changes);
        self.save_if_due(false);
    }

    fn save_if_due(&self, now: bool) {
        let mut inner = self.inner.borrow_mut();
        let wall = wall_now();
        if !inner.dirty || (!now && wall - inner.last_saved < SAVE_EVERY_MS) {
            return;
        }
        let Some(key) = inner.options.storage_key.clone() else {
            return;
        };
        let written = saved::write(
            &key,
            &Saved::new(
                inner.speed,
                inner.sim.clone(),
                inner.paused,
                inner.exercise.clone(),
            ),
        );
        inner.last_saved = wall;
        inner.dirty = false;
        if let Err(why) = written
            && !inner.save_failed
        {
            inner.save_failed = true;
            drop(inner);
            self.emit(BackendEvent::Notice(format!(
                "The simulation cannot be saved in this browser ({why}); it will start afresh on reload."
            )));
        }
    }

    fn settle_now_if_instant(&self) {
        if self.speed() == Speed::Instant {
            self.tick();
        }
    }
}

impl Backend for SimulatedBackend {
    fn watch(&self, sink: Sink) -> Subscription {
        let subscription = self.inner.borrow().watchers.add(sink.clone());
        sink(BackendEvent::Session(self.inner.borrow().sim.session()));
        sink(BackendEvent::Simulation(Box::new(self.simulation_state())));
        sink(BackendEvent::Snapshot(Box::new(self.snapshot(false))));
        let notices = std::mem::take(&mut self.inner.borrow_mut().notices);
        for notice in notices {
            sink(BackendEvent::Notice(notice));
        }
        subscription
    }

    fn act(
        &self,
        id: ConnectorId,
        action: Action,
        seen: Option<u64>,
    ) -> LocalFuture<Result<Change, BackendError>> {
        // The same rule as the live API: a write over a newer version is a conflict.
        let current = self.inner.borrow().sim.connector(id).cloned();
        let subject = Subject::of(id, current.as_ref());
        let name = action.kind().slug();
        if let (Some(seen), Some(current)) = (seen, current)
            && current.version != seen
        {
            let conflict = Err(BackendError::Conflict(Box::new(current)));
            self.record_action(subject, name, &conflict);
            return Box::pin(std::future::ready(conflict));
        }
        self.change(subject, name, |sim, permissions, now| {
            sim.act(id, action, permissions, now)
        })
    }

    fn act_on_many(&self, action: Action, targets: Vec<Target>) -> LocalFuture<Vec<Acted>> {
        let name = action.kind().slug();
        if self.inner.borrow().failing {
            let why = FAILED;
            let all: Vec<Acted> = targets
                .iter()
                .map(|t| (t.id, Err(BackendError::Failed(why.to_owned()))))
                .collect();
            for (id, result) in &all {
                let subject = Subject::of(*id, self.inner.borrow().sim.connector(*id));
                self.record_action(subject, name, result);
            }
            return Box::pin(std::future::ready(all));
        }
        let (acted, changes, subjects) = {
            let mut inner = self.inner.borrow_mut();
            let now = inner.sim.now();
            let permissions = inner.sim.session().permissions;
            let mut changes = Vec::new();
            let mut subjects = Vec::new();
            let acted: Vec<Acted> = targets
                .iter()
                .map(|t| {
                    subjects.push(Subject::of(t.id, inner.sim.connector(t.id)));
                    // The same rule as the live API: an action over a newer version is a
                    // conflict.
                    let result = match (t.version, inner.sim.connector(t.id)) {
                        (Some(seen), Some(current)) if current.version != seen => {
                            Err(BackendError::Conflict(Box::new(current.clone())))
                        }
                        _ => inner
                            .sim
                            .act(t.id, action.clone(), permissions, now)
                            .map_err(BackendError::Refused),
                    };
                    if let Ok(change) = &result {
                        changes.push(change.clone());
                    }
                    (t.id, result)
                })
                .collect();
            (acted, changes, subjects)
        };
        for (subject, (_, result)) in subjects.into_iter().zip(&acted) {
            self.record_action(subject, name, result);
        }
        // One batch for the whole action, as the stream would bring it.
        self.publish(changes);
        self.settle_now_if_instant();
        Box::pin(std::future::ready(acted))
    }

    fn act_on_pcs(
        &self,
        action: PcsAction,
        seen: Option<u64>,
    ) -> LocalFuture<Result<Change, BackendError>> {
        // The same rule as the live API: an operation over an older version is not done.
        let stale = self.inner.borrow().sim.fleet.pcs.changed_since(seen);
        if let Some(why) = stale {
            let stale = Err(BackendError::Stale(why));
            self.record_action(Subject::pcs(), action.slug(), &stale);
            return Box::pin(std::future::ready(stale));
        }
        self.change(Subject::pcs(), action.slug(), |sim, permissions, now| {
            sim.act_on_pcs(action, permissions, now)
        })
    }

    fn agents(&self, account: &str) -> LocalFuture<Result<Vec<AgentUser>, BackendError>> {
        if let Some(failed) = self.refuse_if_failing() {
            return failed;
        }
        let result = self
            .inner
            .borrow()
            .sim
            .fleet
            .directory
            .enabled_agents(account)
            .map(|agents| agents.into_iter().cloned().collect())
            .map_err(BackendError::AgentList);
        Box::pin(std::future::ready(result))
    }

    fn add(
        &self,
        bot: BotRef,
        settings: ConnectorSettings,
    ) -> LocalFuture<Result<Change, BackendError>> {
        let subject = Subject {
            connector: None,
            bot: bot.name.clone(),
            agent: settings.agent_user_id.clone(),
            environment: Some(settings.environment),
        };
        self.change(subject, "add", |sim, permissions, now| {
            sim.add(bot, settings, permissions, now)
        })
    }

    fn history(&self, query: HistoryQuery) -> LocalFuture<Result<HistoryPage, BackendError>> {
        let page = self.inner.borrow().record.page(&query);
        Box::pin(std::future::ready(Ok(page)))
    }

    fn timeline(
        &self,
        id: ConnectorId,
        since: Millis,
    ) -> LocalFuture<Result<TimelineBody, BackendError>> {
        let inner = self.inner.borrow();
        let now = inner.sim.now();
        let body = match inner.sim.connector(id) {
            Some(c) => Ok(inner.record.timeline(c, since, now)),
            None => Err(BackendError::Failed(format!(
                "Connector {id} no longer exists."
            ))),
        };
        Box::pin(std::future::ready(body))
    }
}
