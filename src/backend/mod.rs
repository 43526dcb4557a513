//! The backend port: the one interface through which the UI reads and changes the fleet.
//!
//! Pages never know which adapter they talk to. The simulated adapter runs the core's
//! simulator in the page; the live adapter calls the HTTP API of `docs/api.md`. [`Running`]
//! holds the one an app runs, and switches between them.

pub mod live;
pub mod remembered;
pub mod simulated;

use std::cell::RefCell;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use bots_status_core::access::Session;
use bots_status_core::api::Target;
use bots_status_core::audit::{HistoryPage, HistoryQuery, TimelineBody};
use bots_status_core::lifecycle::{Action, Refused};
use bots_status_core::live::Link;
use bots_status_core::model::{BotRef, Connector, ConnectorId, ConnectorSettings, Millis};
use bots_status_core::pcs::{PcsAction, PcsConnector};
use bots_status_core::settings::{AgentListError, AgentUser};
use bots_status_core::simulator::Change;

pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// What an action did to one connector of many.
pub type Acted = (ConnectorId, Result<Change, BackendError>);

/// The whole fleet as the backend knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetSnapshot {
    pub connectors: Vec<Connector>,
    pub pcs: PcsConnector,
    /// Another fleet replaces the one shown (a reset, a scenario): its history starts afresh,
    /// since connector numbers are reused. A live re-list is the same fleet.
    pub new_fleet: bool,
}

/// What a watcher receives: a snapshot first, then changes as they happen.
#[derive(Clone, Debug)]
pub enum BackendEvent {
    Snapshot(Box<FleetSnapshot>),
    Changes(Vec<Change>),
    /// Who is signed in and what they may do; sent first and whenever it changes.
    Session(Session),
    /// Something the user should know that is not an error of theirs.
    Notice(String),
    /// How the connection to a live API is doing (the live adapter only).
    Connection(Link),
    /// The simulation's clock, controls and exercise (the simulated adapter only); sent before
    /// the changes it explains, so they are recorded at the simulated time.
    Simulation(Box<simulated::SimulationState>),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("{0}")]
    Refused(Refused),
    /// The bot agents of an account cannot be listed.
    #[error("{0}")]
    AgentList(AgentListError),
    /// The connector moved on since the version the user saw; this is it now.
    #[error("Not done: connector {} changed since you saw it (now version {}).", .0.id, .0.version)]
    Conflict(Box<Connector>),
    /// The PCS connector moved on since the version the user saw: the sentence to show.
    #[error("{0}")]
    Stale(String),
    #[error("The backend failed: {0}")]
    Failed(String),
}

/// Stops a watch when dropped.
pub struct Subscription(Option<Box<dyn FnOnce()>>);

impl Subscription {
    pub fn new(cancel: impl FnOnce() + 'static) -> Subscription {
        Subscription(Some(Box::new(cancel)))
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(cancel) = self.0.take() {
            cancel();
        }
    }
}

pub type Sink = Rc<dyn Fn(BackendEvent)>;

/// The watchers of an adapter: each adapter tells them what happens through `emit`, and a
/// watch ends when its subscription drops.
#[derive(Clone, Default)]
pub struct Watchers(Rc<RefCell<WatcherList>>);

#[derive(Default)]
struct WatcherList {
    last_id: u64,
    sinks: Vec<(u64, Sink)>,
}

impl Watchers {
    /// Adds `sink`; dropping the subscription removes it again.
    pub fn add(&self, sink: Sink) -> Subscription {
        let id = {
            let mut list = self.0.borrow_mut();
            list.last_id += 1;
            let id = list.last_id;
            list.sinks.push((id, sink));
            id
        };
        let list = Rc::downgrade(&self.0);
        Subscription::new(move || {
            if let Some(list) = list.upgrade() {
                list.borrow_mut().sinks.retain(|(i, _)| *i != id);
            }
        })
    }

    /// Tells every watcher; a sink may add or remove watchers meanwhile. The page is about
    /// to change, so it asks for a frame first ([`crate::frame`]).
    pub fn emit(&self, event: BackendEvent) {
        crate::frame::soon();
        let sinks: Vec<Sink> = self
            .0
            .borrow()
            .sinks
            .iter()
            .map(|(_, s)| s.clone())
            .collect();
        // Each sink but the last gets a copy; the last takes the event itself (there is
        // mostly one, the store, and a batch of thousands of changes is costly to copy).
        let Some((last, others)) = sinks.split_last() else {
            return;
        };
        for sink in others {
            sink(event.clone());
        }
        last(event);
    }

    pub fn clear(&self) {
        self.0.borrow_mut().sinks.clear();
    }
}

/// The backend as components reach it (from context): a `Copy` handle to the one adapter.
pub type BackendRef = leptos::prelude::StoredValue<Rc<dyn Backend>, leptos::prelude::LocalStorage>;

pub trait Backend {
    /// Delivers a snapshot to `sink` and then every change, until the subscription is dropped.
    fn watch(&self, sink: Sink) -> Subscription;
    /// Performs an action on one connector. With `seen`, the version the user acted on, a
    /// connector that has moved on since is not changed: the answer is a conflict.
    fn act(
        &self,
        id: ConnectorId,
        action: Action,
        seen: Option<u64>,
    ) -> LocalFuture<Result<Change, BackendError>>;
    /// Performs `action` on many connectors at once, each with the version the user saw (or
    /// none): what happened to each, in their order. The live adapter sends one request per
    /// [`bots_status_core::api::BULK_CHUNK`] connectors, not one per connector.
    fn act_on_many(&self, action: Action, targets: Vec<Target>) -> LocalFuture<Vec<Acted>>;
    /// Performs an action on the shared PCS connector. With `seen`, the version the user
    /// confirmed, a PCS connector that has moved on since is left alone.
    fn act_on_pcs(
        &self,
        action: PcsAction,
        seen: Option<u64>,
    ) -> LocalFuture<Result<Change, BackendError>>;
    /// The enabled bot agent users of `account`: the choices for "Agent User ID".
    fn agents(&self, account: &str) -> LocalFuture<Result<Vec<AgentUser>, BackendError>>;
    /// Adds a connector to `bot`; it is Ready to Start until someone starts it.
    fn add(
        &self,
        bot: BotRef,
        settings: ConnectorSettings,
    ) -> LocalFuture<Result<Change, BackendError>>;
    /// A page of what happened (status changes, and actions with who asked), newest first:
    /// the server's durable history, or the simulation's own record.
    fn history(&self, query: HistoryQuery) -> LocalFuture<Result<HistoryPage, BackendError>>;
    /// Connector `id`'s three lanes from `since` until now, with its uptime over them, out of
    /// the same record: where it begins later, so does the timeline.
    fn timeline(
        &self,
        id: ConnectorId,
        since: Millis,
    ) -> LocalFuture<Result<TimelineBody, BackendError>>;
}

/// Which adapter an app runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// The core's simulator in the page.
    #[default]
    Simulated,
    /// The HTTP API of `docs/api.md`.
    Live(live::LiveOptions),
}

/// A running adapter, by kind, for what only one kind has (the simulation controls).
#[derive(Clone)]
pub enum Adapter {
    Simulated(simulated::SimulatedBackend),
    Live(live::LiveBackend),
}

impl Adapter {
    /// Starts the adapter `mode` names.
    pub fn start(mode: &Mode, simulation: &simulated::SimulationOptions) -> Adapter {
        match mode {
            Mode::Simulated => {
                Adapter::Simulated(simulated::SimulatedBackend::start(simulation.clone()))
            }
            Mode::Live(options) => Adapter::Live(live::LiveBackend::new(options.clone())),
        }
    }

    /// The mode this adapter runs.
    pub fn mode(&self) -> Mode {
        match self {
            Adapter::Simulated(_) => Mode::Simulated,
            Adapter::Live(live) => Mode::Live(live.options().clone()),
        }
    }

    pub fn backend(&self) -> Rc<dyn Backend> {
        match self {
            Adapter::Simulated(sim) => Rc::new(sim.clone()),
            Adapter::Live(live) => Rc::new(live.clone()),
        }
    }

    fn stop(&self) {
        match self {
            Adapter::Simulated(sim) => sim.stop(),
            Adapter::Live(live) => live.stop(),
        }
    }
}

/// The adapter an app runs now and its watch: replacing it stops the one before, and
/// dropping the app stops it.
#[derive(Clone, Default)]
pub struct Running(Rc<RefCell<Option<(Adapter, Subscription)>>>);

impl Running {
    /// Runs `adapter`, delivering what it says to `sink`.
    pub fn run(&self, adapter: Adapter, sink: Sink) {
        self.stop();
        let watch = adapter.backend().watch(sink);
        *self.0.borrow_mut() = Some((adapter, watch));
    }

    /// Stops the running adapter, if any; calling it again does nothing.
    pub fn stop(&self) {
        let running = self.0.borrow_mut().take();
        if let Some((adapter, watch)) = running {
            drop(watch);
            adapter.stop();
        }
    }

    /// The running adapter.
    pub fn adapter(&self) -> Option<Adapter> {
        self.0.borrow().as_ref().map(|(a, _)| a.clone())
    }

    /// The simulated backend, when that is what runs.
    pub fn simulated(&self) -> Option<simulated::SimulatedBackend> {
        match self.adapter() {
            Some(Adapter::Simulated(sim)) => Some(sim),
            _ => None,
        }
    }
}
