//! What the Bot Agents page derives and holds: the connectors its query shows, in order; the
//! checkbox selection over them; and the handles its controls open — the action flow, the
//! details panel, a row's menu and the add/edit form. The page provides it as context; the
//! table, the details and the dialogs take it from there.

use std::sync::Arc;

use bots_status_core::model::ConnectorId;
use bots_status_core::query::{ConnectorQuery, FacetCounts, FleetIndex};
use bots_status_core::selection::Selection;
use bots_status_core::words::plural;
use leptos::prelude::*;

use crate::backend::BackendRef;
use crate::components::actions::{ActionFlow, RowMenuAt};
use crate::components::connector_form::FormOpener;
use crate::context::HostEvents;
use crate::effect::effect;
use crate::store::FleetStore;

#[derive(Clone, Copy)]
pub struct AgentsPage {
    /// The connectors the query shows, in its order: the only ones an action may touch.
    pub rows: Memo<Vec<ConnectorId>>,
    /// The same connectors as indices into the store's list, in its (id) order.
    matching: Memo<Vec<usize>>,
    /// How many connectors each filter value would show.
    pub counts: Memo<FacetCounts>,
    pub selection: RwSignal<Selection>,
    /// Why selected connectors were deselected ("2 selected connectors left the filter…").
    pub deselected: RwSignal<Option<String>>,
    pub flow: ActionFlow,
    /// The connector whose details are open.
    pub details: RwSignal<Option<ConnectorId>>,
    /// The row whose own Actions menu is open, and where.
    pub row_menu: RwSignal<Option<RowMenuAt>>,
    pub forms: FormOpener,
}

impl AgentsPage {
    /// The page's controller over `query`.
    pub fn new(store: FleetStore, query: RwSignal<ConnectorQuery>) -> AgentsPage {
        // Each step depends on as little as it can, so a status batch redoes only the steps
        // that read statuses, and a new sort only re-sorts. The index and the search depend
        // on what connectors are listed as, never on their states.
        let index = Memo::new(move |_| {
            store.roster.track();
            Indexed(Arc::new(
                store.connectors.with_untracked(|l| FleetIndex::new(l)),
            ))
        });
        let search = Memo::new(move |_| {
            query.with(|q| ConnectorQuery {
                environment: q.environment,
                text: q.text.clone(),
                ..ConnectorQuery::default()
            })
        });
        let searched = Memo::new(move |_| {
            index.with(|ix| {
                search.with(|q| store.connectors.with_untracked(|l| ix.0.searched(l, q)))
            })
        });
        let filters = Memo::new(move |_| query.with(ConnectorQuery::filters_only));
        // The filters and their counts read statuses and the listing, never a load.
        let matching = Memo::new(move |_| {
            store.statuses.track();
            let among = |s: &Vec<usize>, q: &ConnectorQuery| {
                store.connectors.with_untracked(|l| q.matching_among(l, s))
            };
            searched.with(|s| filters.with(|q| among(s, q)))
        });
        let counts = Memo::new(move |_| {
            store.statuses.track();
            let among = |s: &Vec<usize>, q: &ConnectorQuery| {
                store
                    .connectors
                    .with_untracked(|l| q.facet_counts_among(l, s))
            };
            searched.with(|s| filters.with(|q| among(s, q)))
        });
        let rows = Memo::new(move |_| {
            let mut order = matching.get();
            index.with(|ix| {
                query.with(|q| {
                    // An order by the listing alone (the default, by bot) is left as it is
                    // by a status batch or a load update; the matching rows still follow.
                    if q.sort.reads_state() {
                        store.connectors.track();
                    }
                    store.connectors.with_untracked(|list| {
                        ix.0.order(list, q, &mut order);
                        order.into_iter().map(|i| list[i].id).collect::<Vec<_>>()
                    })
                })
            })
        });
        let page = AgentsPage {
            rows,
            matching,
            counts,
            selection: RwSignal::new(Selection::default()),
            deselected: RwSignal::new(None),
            flow: ActionFlow::new(store, rows, expect_context::<BackendRef>()),
            details: RwSignal::new(None),
            row_menu: RwSignal::new(None),
            forms: FormOpener::new(),
        };
        page.tell_the_host_of_the_selection();
        page.deselect_what_leaves_the_filter(store);
        page
    }

    pub fn from_context() -> AgentsPage {
        expect_context::<AgentsPage>()
    }

    /// The host hears of every change of the selection (not of the empty one it starts
    /// with). Select-all is timed by the benchmark: the hosted page, which tells no host,
    /// pays nothing.
    fn tell_the_host_of_the_selection(&self) {
        let events = StoredValue::new(HostEvents::from_context());
        let selection = self.selection;
        let mut seen = false;
        effect(move || {
            if !events.with_value(HostEvents::has_target) {
                return;
            }
            let ids: Vec<u64> = selection.with(|s| s.ids().map(|id| id.0).collect());
            if std::mem::replace(&mut seen, true) {
                events.with_value(|e| e.selection(&ids));
            }
        });
    }

    /// Rows that leave the filter leave the selection too, and the user is told; deleted
    /// connectors just leave it (the action's report said so).
    fn deselect_what_leaves_the_filter(&self, store: FleetStore) {
        let (matching, selection, deselected) = (self.matching, self.selection, self.deselected);
        effect(move || {
            matching.track();
            if selection.with_untracked(Selection::is_empty) {
                return;
            }
            // The shown ids in id order (the list's), so each selected one is a binary search.
            let shown: Vec<ConnectorId> = matching.with(|m| {
                store
                    .connectors
                    .with_untracked(|list| m.iter().map(|&i| list[i].id).collect())
            });
            let is_shown = |id: &ConnectorId| shown.binary_search(id).is_ok();
            if selection.with_untracked(|s| s.ids().all(|id| is_shown(&id))) {
                return;
            }
            // Deleted connectors leave the selection too, but silently.
            let hidden = selection.with_untracked(|s| {
                let exists = |id: ConnectorId| {
                    store
                        .connectors
                        .with_untracked(|l| l.binary_search_by_key(&id, |c| c.id).is_ok())
                };
                s.ids().filter(|id| !is_shown(id) && exists(*id)).count()
            });
            selection.update(|s| {
                s.retain_shown(is_shown);
            });
            if hidden > 0 {
                deselected.set(Some(format!(
                    "{hidden} selected connector{} left the filter and {} deselected.",
                    plural(hidden),
                    if hidden == 1 { "was" } else { "were" }
                )));
            }
        });
    }

    /// The selected connectors (tracked).
    pub fn selected(&self) -> Signal<Vec<ConnectorId>> {
        let selection = self.selection;
        Signal::derive(move || selection.with(|s| s.ids().collect::<Vec<_>>()))
    }
}

/// The fleet index of the roster as it is; a new one is never equal to the last.
#[derive(Clone)]
struct Indexed(Arc<FleetIndex>);

impl PartialEq for Indexed {
    fn eq(&self, other: &Indexed) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
