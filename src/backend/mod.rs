//! The backend port: the one interface through which the UI reads and changes the fleet.
//!
//! Pages never know which adapter they talk to. The simulated adapter runs the core's
//! simulator in the page; a live HTTP adapter implements the same trait.

pub mod simulated;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use bots_status_core::access::Session;
use bots_status_core::lifecycle::{Action, Refused};
use bots_status_core::model::{BotRef, Connector, ConnectorId, ConnectorSettings};
use bots_status_core::pcs::{PcsAction, PcsConnector};
use bots_status_core::settings::{AgentListError, AgentUser};
use bots_status_core::simulator::Change;

pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// The whole fleet as the backend knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FleetSnapshot {
    pub connectors: Vec<Connector>,
    pub pcs: PcsConnector,
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
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("{0}")]
    Refused(Refused),
    /// The bot agents of an account cannot be listed.
    #[error("{0}")]
    Agents(AgentListError),
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

/// The backend as components reach it (from context): a `Copy` handle to the one adapter.
pub type BackendRef = leptos::prelude::StoredValue<Rc<dyn Backend>, leptos::prelude::LocalStorage>;

pub trait Backend {
    /// Delivers a snapshot to `sink` and then every change, until the subscription is dropped.
    fn watch(&self, sink: Sink) -> Subscription;
    /// Performs an action on one connector.
    fn act(&self, id: ConnectorId, action: Action) -> LocalFuture<Result<Change, BackendError>>;
    /// Performs an action on the shared PCS connector.
    fn act_on_pcs(&self, action: PcsAction) -> LocalFuture<Result<Change, BackendError>>;
    /// The enabled bot agent users of `account`: the choices for "Agent User ID".
    fn agents(&self, account: &str) -> LocalFuture<Result<Vec<AgentUser>, BackendError>>;
    /// Adds a connector to `bot`; it is Ready to Start until someone starts it.
    fn add(
        &self,
        bot: BotRef,
        settings: ConnectorSettings,
    ) -> LocalFuture<Result<Change, BackendError>>;
}
