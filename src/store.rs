//! The one copy of the fleet the UI holds: backend events update it; components derive what
//! they show from it.

use bots_status_core::access::{Permissions, Session};
use bots_status_core::history::History;
use bots_status_core::live::Link;
use bots_status_core::model::{Connector, ConnectorId, Millis};
use bots_status_core::order::seek_by_key;
use bots_status_core::pcs::PcsConnector;
use bots_status_core::simulator::Change;
use leptos::prelude::*;

use crate::backend::BackendEvent;
use crate::simulation::SimulationState;

#[derive(Clone, Copy)]
pub struct FleetStore {
    /// Sorted by id, so a change finds its row by binary search.
    pub connectors: RwSignal<Vec<Connector>>,
    pub pcs: RwSignal<Option<PcsConnector>>,
    /// Wall-clock time (ms) of the last event, for "last updated".
    pub updated_at: RwSignal<Option<f64>>,
    pub notices: RwSignal<Vec<String>>,
    /// Who is signed in; `None` until the backend says.
    pub session: RwSignal<Option<Session>>,
    /// How the live connection is doing; `None` for the simulated backend.
    pub connection: RwSignal<Option<Link>>,
    /// Every status change seen since the backend started: timelines and the event log.
    pub history: RwSignal<History>,
    /// The simulation's clock and exercise; `None` for the live backend.
    pub simulation: RwSignal<Option<SimulationState>>,
    /// Moves on when connectors come, go (a snapshot, an add, a delete) or are listed anew
    /// (an edit of a name, the agent user ID, account, environment, type or role), not when
    /// a state or load changes: what depends on the listing alone (the bots, the search
    /// index) tracks this.
    pub roster: RwSignal<u64>,
    /// Moves on when a connector's statuses may have changed (any change of a connector, a
    /// snapshot, an add, a delete), not when only its load did: what is read from statuses
    /// alone (the metrics, the filter's matches and counts) tracks this, so the periodic
    /// load update of every online connector does not recompute them.
    pub statuses: RwSignal<u64>,
}

impl FleetStore {
    pub fn new() -> FleetStore {
        FleetStore {
            connectors: RwSignal::new(Vec::new()),
            pcs: RwSignal::new(None),
            updated_at: RwSignal::new(None),
            notices: RwSignal::new(Vec::new()),
            session: RwSignal::new(None),
            connection: RwSignal::new(None),
            history: RwSignal::new(History::new()),
            simulation: RwSignal::new(None),
            roster: RwSignal::new(0),
            statuses: RwSignal::new(0),
        }
    }

    /// The store of the app this component is in.
    pub fn from_context() -> FleetStore {
        expect_context::<FleetStore>()
    }

    /// Forgets the fleet, for another backend to fill it.
    pub fn clear(&self) {
        self.connectors.set(Vec::new());
        self.roster.update(|r| *r += 1);
        self.statuses.update(|s| *s += 1);
        self.pcs.set(None);
        self.updated_at.set(None);
        self.session.set(None);
        self.connection.set(None);
        self.history.set(History::new());
        self.simulation.set(None);
    }

    /// The backend's time now: the simulated clock, or the wall clock of a live fleet.
    pub fn backend_now(&self, wall: f64) -> Millis {
        self.simulation
            .with_untracked(|s| s.as_ref().map(|s| s.now))
            .unwrap_or(Millis(wall.max(0.0) as u64))
    }

    /// The backend's time now (tracked): what timelines run up to.
    pub fn backend_now_tracked(&self, wall: f64) -> Millis {
        self.simulation
            .with(|s| s.as_ref().map(|s| s.now))
            .unwrap_or(Millis(wall.max(0.0) as u64))
    }

    pub fn loaded(&self) -> bool {
        self.updated_at.with(Option::is_some)
    }

    pub fn apply(&self, event: BackendEvent, now: f64) {
        match event {
            BackendEvent::Snapshot(snapshot) => {
                let mut connectors = snapshot.connectors;
                bots_status_core::order::sort_by_key(&mut connectors, |c| c.id);
                let at = self.backend_now(now);
                self.history.update(|h| {
                    if snapshot.new_fleet {
                        *h = History::new();
                    }
                    h.record_all(&connectors, at);
                });
                self.connectors.set(connectors);
                self.roster.update(|r| *r += 1);
                self.statuses.update(|s| *s += 1);
                self.pcs.set(Some(snapshot.pcs));
            }
            BackendEvent::Changes(changes) => {
                let at = self.backend_now(now);
                let mut pcs_change = None;
                let mut recorded = false;
                let mut roster_moved = false;
                let mut statuses_moved = false;
                // The history notes each change the list takes, as it takes it; watchers of
                // the history are told once, after the batch.
                self.connectors.update(|list| {
                    // Changes mostly come in id order, as the list is kept: each is sought
                    // from where the one before was.
                    let mut at_slot = 0;
                    let mut seek = |list: &[Connector], id: ConnectorId| {
                        let slot = seek_by_key(list, at_slot, &id, |x| x.id);
                        at_slot = slot.unwrap_or_else(|i| i);
                        slot
                    };
                    for change in changes {
                        match change {
                            Change::Connector(c) => {
                                let slot = seek(list, c.id);
                                // A change can arrive twice (an answer, then the stream) and
                                // late: an older version never wins.
                                if slot.is_ok_and(|i| list[i].version > c.version) {
                                    continue;
                                }
                                self.history.update_untracked(|h| h.record(&c, at));
                                match slot {
                                    Ok(i) => {
                                        roster_moved |= !list[i].same_listing(&c);
                                        list[i] = *c;
                                    }
                                    Err(i) => {
                                        list.insert(i, *c);
                                        roster_moved = true;
                                    }
                                }
                                recorded = true;
                                statuses_moved = true;
                            }
                            // A load is no status: nothing for the history, and the
                            // listing stays as it was.
                            Change::Load {
                                id,
                                version,
                                conversations,
                            } => {
                                if let Ok(i) = seek(list, id)
                                    && list[i].version <= version
                                {
                                    list[i].concurrent_conversations = conversations;
                                    list[i].version = version;
                                }
                            }
                            Change::Removed(id) => {
                                if let Ok(i) = seek(list, id) {
                                    list.remove(i);
                                    roster_moved = true;
                                    statuses_moved = true;
                                }
                                self.history.update_untracked(|h| h.removed(id));
                            }
                            Change::Pcs(p) => pcs_change = Some(*p),
                        }
                    }
                });
                if recorded {
                    self.history.notify();
                }
                if roster_moved {
                    self.roster.update(|r| *r += 1);
                }
                if statuses_moved {
                    self.statuses.update(|s| *s += 1);
                }
                if let Some(p) = pcs_change
                    && self
                        .pcs
                        .with_untracked(|old| old.as_ref().is_none_or(|o| o.version <= p.version))
                {
                    self.pcs.set(Some(p));
                }
            }
            // A notice is not news of the fleet: "Last updated" stays as it was.
            BackendEvent::Notice(text) => {
                self.notices.update(|n| n.push(text));
                return;
            }
            BackendEvent::Session(session) => {
                self.session.set(Some(session));
                return;
            }
            BackendEvent::Connection(link) => {
                self.connection.set(Some(link));
                return;
            }
            BackendEvent::Simulation(state) => {
                if self
                    .simulation
                    .with_untracked(|s| s.as_ref() != Some(&state))
                {
                    self.simulation.set(Some(*state));
                }
                return;
            }
        }
        self.updated_at.set(Some(now));
    }

    /// What the signed-in user may do (tracked); nothing until the backend says.
    pub fn permissions(&self) -> Permissions {
        self.session
            .with(|s| s.as_ref().map(|s| s.permissions))
            .unwrap_or_default()
    }

    /// The connector with `id`, if it still exists (tracked).
    pub fn get(&self, id: ConnectorId) -> Option<Connector> {
        self.connectors.with(|list| find(list, id))
    }

    /// The connector with `id`, if it still exists, as it is now (not tracked): for event
    /// handlers, and for names that should not re-render what shows them.
    pub fn get_untracked(&self, id: ConnectorId) -> Option<Connector> {
        self.connectors.with_untracked(|list| find(list, id))
    }
}

fn find(list: &[Connector], id: ConnectorId) -> Option<Connector> {
    list.binary_search_by_key(&id, |c| c.id)
        .ok()
        .map(|i| list[i].clone())
}

impl Default for FleetStore {
    fn default() -> Self {
        FleetStore::new()
    }
}
