//! The lifecycle actions of the Bot Agents page: the Actions list over the selection, the
//! same list per row, and the dialog that says what an action will do, asks for a "Yes",
//! acts connector by connector and reports what happened to each.
//!
//! Every decision (which connectors an action applies to, which it skips and why) is the
//! core's [`BulkPlan`]; the backend checks each action again when it performs it.

use bots_status_core::api::Target;
use bots_status_core::bulk::{BulkPlan, report};
use bots_status_core::lifecycle::{Action, ActionKind, Context, redeploy_target};
use bots_status_core::model::{Connector, ConnectorId, Environment};
use bots_status_core::order::IdSet;
use bots_status_core::status::StatusValue;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::context::HostEvents;

mod dialog;
mod menu;

pub use dialog::ActionDialog;
pub use menu::{ActionsMenu, RowMenu, RowMenuAt};

use super::toasts::Toasts;
use crate::backend::{BackendError, BackendRef};
use crate::store::FleetStore;

/// The Actions list, in the spec's order.
pub const MENU: [ActionKind; 5] = [
    ActionKind::Restart,
    ActionKind::Start,
    ActionKind::Stop,
    ActionKind::Redeploy,
    ActionKind::Delete,
];

/// At most this many connectors are named in a dialog; the rest are counted.
pub(super) const NAMED: usize = 100;

/// Where an action is: what its dialog shows.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Step {
    /// Re-deploy's first step: where to (starting with `to`).
    ChooseEnvironment {
        targets: Vec<ConnectorId>,
        to: Environment,
    },
    /// What the action will do; "Yes" goes ahead.
    Confirm { action: Action, plan: BulkPlan },
    /// Acting, connector by connector; how far is in [`ActionFlow::progress`].
    Working { kind: ActionKind },
    /// What happened to each connector.
    Results {
        kind: ActionKind,
        summary: String,
        lines: Vec<(String, Outcome)>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Outcome {
    Done,
    Skipped(String),
    Failed(String),
}

/// One action at a time on the Bot Agents page: the menus start it, its dialog shows it.
#[derive(Clone, Copy)]
pub struct ActionFlow {
    pub(super) step: RwSignal<Option<Step>>,
    /// (done, total) while an action is working.
    pub(super) progress: RwSignal<(usize, usize)>,
    /// Bumped by each new action, so a dialog closed mid-way is not reopened by it.
    pub(super) generation: StoredValue<u64>,
    pub(super) store: FleetStore,
    /// The connectors the current filter shows: the only ones an action may touch.
    pub(super) shown: Memo<Vec<ConnectorId>>,
    pub(super) backend: BackendRef,
    pub(super) toasts: Toasts,
    pub(super) events: StoredValue<HostEvents>,
}

impl ActionFlow {
    pub fn new(store: FleetStore, shown: Memo<Vec<ConnectorId>>, backend: BackendRef) -> Self {
        ActionFlow {
            step: RwSignal::new(None),
            progress: RwSignal::new((0, 0)),
            generation: StoredValue::new(0),
            store,
            shown,
            backend,
            toasts: Toasts::from_context(),
            events: StoredValue::new(HostEvents::from_context()),
        }
    }

    /// The connectors the filter shows (tracked, so menus follow updates).
    pub(super) fn shown_set(&self) -> IdSet {
        self.shown.with(|r| IdSet::new(r.iter().copied()))
    }

    /// What the lifecycle needs to judge an action of the Actions list.
    pub(super) fn context(&self) -> impl Fn(&Connector) -> Context + use<> {
        let permissions = self.store.permissions();
        // None of the list's actions depends on the bot agent being enabled (only Edit
        // does, and it has its own form), so the plan does not need the agent directory.
        move |_| Context {
            agent_active: true,
            permissions,
        }
    }

    /// Plans this very `action` over `targets`, as the fleet stands now.
    pub(super) fn plan(&self, action: &Action, targets: &[ConnectorId]) -> BulkPlan {
        let shown = self.shown_set();
        let context = self.context();
        self.store
            .connectors
            .with(|list| BulkPlan::for_action(action, targets, &shown, list, context))
    }

    /// The plans of every entry of the Actions list, for `targets`.
    pub(super) fn menu_plans(&self, targets: &[ConnectorId]) -> Vec<BulkPlan> {
        let shown = self.shown_set();
        let context = self.context();
        self.store.connectors.with(|list| {
            MENU.iter()
                .map(|kind| BulkPlan::new(*kind, targets, &shown, list, &context))
                .collect()
        })
    }

    /// Opens the dialog of `kind` for `targets`.
    pub fn begin(&self, kind: ActionKind, targets: Vec<ConnectorId>) {
        self.generation.update_value(|g| *g += 1);
        let action = match (kind, kind.action()) {
            (_, Some(action)) => action,
            (ActionKind::Redeploy, None) => {
                let from = targets
                    .iter()
                    .find_map(|id| self.store.get_untracked(*id))
                    .map(|c| c.environment());
                self.step.set(Some(Step::ChooseEnvironment {
                    targets,
                    to: redeploy_target(from),
                }));
                return;
            }
            // Edit has its own form, not this list.
            (_, None) => return,
        };
        let plan = untrack(|| self.plan(&action, &targets));
        self.step.set(Some(Step::Confirm { action, plan }));
    }

    pub(super) fn cancel(&self) {
        self.step.set(None);
    }

    /// "Bot A — agent-7 (Production)", or the id of a connector that is gone.
    pub(super) fn name(&self, id: ConnectorId) -> String {
        match self.store.get_untracked(id) {
            Some(c) => format!(
                "{} — {} ({})",
                c.bot.name,
                c.settings.agent_user_id,
                c.environment().label()
            ),
            None => format!("Connector {id}"),
        }
    }

    /// Shows `step` unless the operator closed this action's dialog meanwhile.
    pub(super) fn show(&self, generation: u64, step: Step) {
        if self.generation.get_value() == generation && self.step.with_untracked(Option::is_some) {
            self.step.set(Some(step));
        }
    }

    /// Performs the confirmed plan, one connector after another, then reports.
    pub(super) fn run(self, action: Action, plan: BulkPlan) {
        let generation = self.generation.get_value();
        let kind = action.kind();
        let total = plan.affected.len();
        let mut lines: Vec<(ConnectorId, String, Outcome)> = plan
            .affected
            .iter()
            .map(|id| (*id, self.name(*id), Outcome::Done))
            .collect();
        let skipped: Vec<(String, Outcome)> = plan
            .skipped
            .iter()
            .map(|(id, skip)| (self.name(*id), Outcome::Skipped(skip.short().to_owned())))
            .collect();
        self.progress.set((0, total));
        self.show(generation, Step::Working { kind });
        // One request for the whole action (in chunks), not one per connector. A delete
        // names the version the operator confirmed, so it never removes what someone else
        // changed meanwhile. Other actions do not: the counters move a running connector's
        // version every few seconds, and the lifecycle checks each action against the
        // connector as it is anyway.
        let targets: Vec<Target> = plan
            .affected
            .iter()
            .map(|id| Target {
                id: *id,
                version: matches!(action, Action::Delete)
                    .then(|| self.store.get_untracked(*id).map(|c| c.version))
                    .flatten(),
            })
            .collect();
        let future = self
            .backend
            .with_value(|b| b.act_on_many(action.clone(), targets));
        spawn_local(async move {
            let mut acted = future.await;
            bots_status_core::order::sort_by_key(&mut acted, |(id, _)| *id);
            for line in &mut lines {
                let result = acted
                    .binary_search_by_key(&line.0, |(id, _)| *id)
                    .ok()
                    .and_then(|i| acted.get(i))
                    .map(|(_, result)| result);
                line.2 = match result {
                    Some(Ok(_)) => Outcome::Done,
                    Some(Err(BackendError::Refused(why))) => {
                        Outcome::Skipped(why.short().to_owned())
                    }
                    Some(Err(BackendError::Conflict(now))) => Outcome::Skipped(format!(
                        "changed since you confirmed (now {}); look at it again",
                        now.state.status().label()
                    )),
                    Some(Err(BackendError::Failed(why))) => Outcome::Failed(why.clone()),
                    Some(Err(other)) => Outcome::Failed(other.to_string()),
                    None => Outcome::Failed("the backend did not say what it did".to_owned()),
                };
            }
            let _ = self.progress.try_set((total, total));
            let mut lines: Vec<(String, Outcome)> =
                lines.into_iter().map(|(_, name, o)| (name, o)).collect();
            lines.extend(skipped);
            let count = |f: fn(&Outcome) -> bool| lines.iter().filter(|(_, o)| f(o)).count();
            let failed = count(|o| matches!(o, Outcome::Failed(_)));
            let (done, skipped) = (
                count(|o| *o == Outcome::Done),
                count(|o| matches!(o, Outcome::Skipped(_))),
            );
            let summary = report(kind, done, skipped, failed);
            self.events
                .with_value(|e| e.action(kind.label(), &summary, done, skipped, failed));
            if failed > 0 {
                let first = lines.iter().find_map(|(name, o)| match o {
                    Outcome::Failed(why) => Some(format!("{name}: {why}")),
                    _ => None,
                });
                self.toasts.failed(format!(
                    "{summary} {} The selection is kept, so you can try again.",
                    first.unwrap_or_default()
                ));
            } else {
                self.toasts.done(summary.clone());
            }
            self.show(
                generation,
                Step::Results {
                    kind,
                    summary,
                    lines,
                },
            );
        });
    }
}
