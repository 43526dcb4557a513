//! The lifecycle actions of the Bot Agents page: the Actions list over the selection, the
//! same list per row, and the dialog that says what an action will do, asks for a "Yes",
//! acts connector by connector and reports what happened to each.
//!
//! Every decision (which connectors an action applies to, which it skips and why) is the
//! core's [`BulkPlan`]; the backend checks each action again when it performs it.

use std::collections::BTreeSet;

use bots_status_core::bulk::{BulkPlan, report};
use bots_status_core::lifecycle::{Action, ActionKind, Context};
use bots_status_core::model::{Connector, ConnectorId, Environment};
use bots_status_core::status::StatusValue;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

use crate::context::HostEvents;

use super::choice::Choice;
use super::dialog::{Modal, elements, focus_when_mounted, next_id};
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
const NAMED: usize = 100;

/// Where an action is: what its dialog shows.
#[derive(Clone, Debug, PartialEq)]
enum Step {
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
enum Outcome {
    Done,
    Skipped(String),
    Failed(String),
}

/// One action at a time on the Bot Agents page: the menus start it, its dialog shows it.
#[derive(Clone, Copy)]
pub struct ActionFlow {
    step: RwSignal<Option<Step>>,
    /// (done, total) while an action is working.
    progress: RwSignal<(usize, usize)>,
    /// Bumped by each new action, so a dialog closed mid-way is not reopened by it.
    generation: StoredValue<u64>,
    store: FleetStore,
    /// The connectors the current filter shows: the only ones an action may touch.
    shown: Memo<Vec<ConnectorId>>,
    backend: BackendRef,
    toasts: Toasts,
    events: StoredValue<HostEvents>,
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
    fn shown_set(&self) -> BTreeSet<ConnectorId> {
        self.shown.with(|r| r.iter().copied().collect())
    }

    /// What the lifecycle needs to judge an action of the Actions list.
    fn context(&self) -> impl Fn(&Connector) -> Context + use<> {
        let permissions = self.store.permissions();
        // None of the list's actions depends on the bot agent being enabled (only Edit
        // does, and it has its own form), so the plan does not need the agent directory.
        move |_| Context {
            agent_active: true,
            permissions,
        }
    }

    /// Plans this very `action` over `targets`, as the fleet stands now.
    fn plan(&self, action: &Action, targets: &[ConnectorId]) -> BulkPlan {
        let shown = self.shown_set();
        let context = self.context();
        self.store
            .connectors
            .with(|list| BulkPlan::for_action(action, targets, &shown, list, context))
    }

    /// The plans of every entry of the Actions list, for `targets`.
    fn menu_plans(&self, targets: &[ConnectorId]) -> Vec<BulkPlan> {
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
        let action = match kind {
            ActionKind::Start => Action::Start,
            ActionKind::Stop => Action::Stop,
            ActionKind::Restart => Action::Restart,
            ActionKind::Delete => Action::Delete,
            ActionKind::Redeploy => {
                // Most often an operator moves Demo connectors to Production: offer the
                // other environment of the first one.
                let from = targets
                    .iter()
                    .find_map(|id| self.store.get_untracked(*id))
                    .map(|c| c.environment());
                let to = match from {
                    Some(Environment::Production) => Environment::Demo,
                    _ => Environment::Production,
                };
                self.step.set(Some(Step::ChooseEnvironment { targets, to }));
                return;
            }
            // Edit has its own form, not this list.
            ActionKind::Edit => return,
        };
        let plan = untrack(|| self.plan(&action, &targets));
        self.step.set(Some(Step::Confirm { action, plan }));
    }

    fn cancel(&self) {
        self.step.set(None);
    }

    /// "Bot A — agent-7 (Production)", or the id of a connector that is gone.
    fn name(&self, id: ConnectorId) -> String {
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
    fn show(&self, generation: u64, step: Step) {
        if self.generation.get_value() == generation && self.step.with_untracked(Option::is_some) {
            self.step.set(Some(step));
        }
    }

    /// Performs the confirmed plan, one connector after another, then reports.
    fn run(self, action: Action, plan: BulkPlan) {
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
        spawn_local(async move {
            for (done, line) in lines.iter_mut().enumerate() {
                let id = line.0;
                // A delete names the version the operator confirmed, so it never removes
                // what someone else changed meanwhile. Other actions do not: the counters
                // move a running connector's version on every few seconds, and the lifecycle
                // checks each action against the connector as it is anyway.
                let seen = matches!(action, Action::Delete)
                    .then(|| self.store.get_untracked(id).map(|c| c.version))
                    .flatten();
                let future = self.backend.with_value(|b| b.act(id, action.clone(), seen));
                line.2 = match future.await {
                    Ok(_) => Outcome::Done,
                    Err(BackendError::Refused(why)) => Outcome::Skipped(why.short().to_owned()),
                    Err(BackendError::Conflict(now)) => Outcome::Skipped(format!(
                        "changed since you confirmed (now {}); look at it again",
                        now.state.status().label()
                    )),
                    Err(BackendError::Failed(why)) => Outcome::Failed(why),
                    Err(other) => Outcome::Failed(other.to_string()),
                };
                let _ = self.progress.try_set((done + 1, total));
            }
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

/// The "Actions" menu button over the selected connectors.
#[component]
pub fn ActionsMenu(flow: ActionFlow, targets: Signal<Vec<ConnectorId>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();
    let close = Callback::new(move |()| {
        open.set(false);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    });
    view! {
        <div class="bs-menu-anchor">
            <button
                type="button"
                class="bs-button"
                node_ref=button
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "ArrowDown" {
                        ev.prevent_default();
                        open.set(true);
                    }
                }
            >
                "Actions"
                <span aria-hidden="true">" ▾"</span>
            </button>
            <Show when=move || open.get()>
                <MenuList flow=flow targets=targets.get_untracked() label="Actions".to_owned() on_close=close />
            </Show>
        </div>
    }
}

/// Where a row's menu opens: for which connector, and where in the window (pixels from
/// its left, and from its top or, to open upwards, its bottom).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowMenuAt {
    pub id: ConnectorId,
    pub left: f64,
    pub top: Option<f64>,
    pub bottom: Option<f64>,
}

impl RowMenuAt {
    fn style(&self) -> String {
        let vertical = match (self.top, self.bottom) {
            (Some(top), _) => format!("top: {top}px;"),
            (None, Some(bottom)) => format!("bottom: {bottom}px;"),
            (None, None) => String::new(),
        };
        format!("left: {}px; {vertical}", self.left)
    }
}

/// A row's own Actions menu, for its one connector. It lives outside the scrolled table,
/// so a live update that re-renders the row does not close it. `rows` is the element the
/// rows are in: closing returns focus to the row's button there, never to another app's.
#[component]
pub fn RowMenu(
    flow: ActionFlow,
    at: RwSignal<Option<RowMenuAt>>,
    rows: NodeRef<html::Section>,
) -> impl IntoView {
    view! {
        {move || at.get().map(|place| {
            let close = Callback::new(move |()| {
                at.set(None);
                // The row may have been re-rendered meanwhile: find its menu button again.
                let selector = format!("[data-row-menu='{}']", place.id.0);
                if let Some(button) = rows
                    .get_untracked()
                    .and_then(|r| r.query_selector(&selector).ok().flatten())
                    .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = button.focus();
                }
            });
            view! {
                <div class="bs-row-menu" style=place.style()>
                    <MenuList flow=flow targets=vec![place.id] label=format!("Actions for {}", flow.name(place.id)) on_close=close />
                </div>
            }
        })}
    }
}

/// The entries of an Actions menu, each with what it would do for `targets` or why it
/// cannot. Arrow keys move between entries, Escape closes, Tab leaves.
#[component]
fn MenuList(
    flow: ActionFlow,
    targets: Vec<ConnectorId>,
    label: String,
    on_close: Callback<()>,
) -> impl IntoView {
    let list = NodeRef::<html::Div>::new();
    let plans = {
        let targets = targets.clone();
        Memo::new(move |_| flow.menu_plans(&targets))
    };
    Effect::new(move |_| {
        if let Some(first) = list.get().and_then(|l| items(&l).into_iter().next()) {
            let _ = first.focus();
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        let Some(l) = list.get_untracked() else {
            return;
        };
        let entries = items(&l);
        let active = document().active_element();
        let at = entries
            .iter()
            .position(|e| active.as_ref() == Some(e.unchecked_ref::<web_sys::Element>()));
        let n = entries.len();
        let go = match ev.key().as_str() {
            "ArrowDown" => Some(at.map_or(0, |i| (i + 1) % n)),
            "ArrowUp" => Some(at.map_or(n.saturating_sub(1), |i| (i + n - 1) % n)),
            "Home" => Some(0),
            "End" => Some(n.saturating_sub(1)),
            "Escape" => {
                ev.prevent_default();
                ev.stop_propagation();
                on_close.run(());
                None
            }
            "Tab" => {
                on_close.run(());
                None
            }
            _ => None,
        };
        if let Some(i) = go
            && let Some(entry) = entries.get(i)
        {
            ev.prevent_default();
            let _ = entry.focus();
        }
    };
    // Clicking elsewhere moves focus out of the menu, which closes it.
    let on_focusout = move |ev: web_sys::FocusEvent| {
        let next = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = list
            .get_untracked()
            .is_some_and(|l| next.as_ref().is_some_and(|n| l.contains(Some(n))));
        if !inside {
            on_close.run(());
        }
    };
    view! {
        <div class="bs-menu" role="menu" aria-label=label node_ref=list on:keydown=on_keydown on:focusout=on_focusout>
            {MENU
                .into_iter()
                .enumerate()
                .map(|(i, kind)| {
                    let why_not = move || plans.with(|p| p[i].why_impossible());
                    let what = move || why_not().unwrap_or_else(|| plans.with(|p| p[i].summary()));
                    let label_id = format!("bs-menu-{}", next_id());
                    let desc_id = format!("{label_id}-desc");
                    let (labelled_by, described_by) = (label_id.clone(), desc_id.clone());
                    let targets = targets.clone();
                    view! {
                        <button
                            type="button"
                            role="menuitem"
                            class="bs-menu__item"
                            tabindex="-1"
                            aria-labelledby=labelled_by
                            aria-describedby=described_by
                            aria-disabled=move || why_not().is_some().to_string()
                            on:click=move |_| {
                                if why_not().is_none() {
                                    on_close.run(());
                                    flow.begin(kind, targets.clone());
                                }
                            }
                        >
                            <span class="bs-menu__label" id=label_id>{kind.label()}</span>
                            <span class="bs-menu__desc" id=desc_id>{what}</span>
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
}

/// The entries of a menu, in order.
fn items(list: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    elements(list, "[role='menuitem']")
}

/// The dialog of the current action, whichever step it is at.
#[component]
pub fn ActionDialog(flow: ActionFlow) -> impl IntoView {
    // A step is rebuilt only when it really changes, so focus stays where it is.
    let current = Memo::new(move |_| flow.step.get());
    let title = Signal::derive(move || {
        current.with(|s| match s {
            Some(Step::ChooseEnvironment { .. }) => ActionKind::Redeploy.label().to_owned(),
            Some(Step::Confirm { action, .. }) => format!("{}?", action.kind().label()),
            Some(Step::Working { kind }) | Some(Step::Results { kind, .. }) => {
                kind.label().to_owned()
            }
            None => String::new(),
        })
    });
    let cancel = Callback::new(move |()| flow.cancel());
    view! {
        <Show when=move || current.with(Option::is_some)>
            <Modal title=title on_cancel=cancel>
                {move || match current.get() {
                    Some(Step::ChooseEnvironment { targets, to }) => {
                        choose_environment(flow, targets, to).into_any()
                    }
                    Some(Step::Confirm { action, plan }) => confirm(flow, action, plan).into_any(),
                    Some(Step::Working { kind }) => working(flow, kind).into_any(),
                    Some(Step::Results { kind, summary, lines }) => results(flow, kind, summary, lines).into_any(),
                    None => ().into_any(),
                }}
            </Modal>
        </Show>
    }
}

fn choose_environment(
    flow: ActionFlow,
    targets: Vec<ConnectorId>,
    initial: Environment,
) -> impl IntoView {
    let to = RwSignal::new(initial);
    let plan = Memo::new(move |_| flow.plan(&Action::Redeploy(to.get()), &targets));
    let why_not = move || plan.with(BulkPlan::why_impossible);
    let save = move |_| {
        flow.step.set(Some(Step::Confirm {
            action: Action::Redeploy(to.get_untracked()),
            plan: plan.get_untracked(),
        }))
    };
    view! {
        <p class="bs-dialog__text">"Choose the environment to move the selected agents to."</p>
        <Choice
            label="Environment"
            options=Environment::ALL.to_vec()
            slug={|e: Environment| e.label()}
            text=Callback::new(|e: Environment| e.label().to_owned())
            current=to.into()
            on_change=Callback::new(move |e| to.set(e))
        />
        {move || view! { <PlanView flow=flow plan=plan.get() lead=plan.with(|p| p.lead(&Action::Redeploy(to.get()))) /> }}
        <p class="bs-dialog__note">{ActionKind::Redeploy.note()}</p>
        <div class="bs-dialog__buttons">
            <button type="button" class="bs-button" on:click=move |_| flow.cancel()>"Cancel"</button>
            <button
                type="button"
                class="bs-button bs-button--primary"
                disabled=move || why_not().is_some()
                title=move || why_not().unwrap_or_default()
                on:click=save
            >
                "Save Settings"
            </button>
        </div>
    }
}

fn confirm(flow: ActionFlow, action: Action, plan: BulkPlan) -> impl IntoView {
    let kind = action.kind();
    let destructive = kind.is_destructive();
    let lead = plan.lead(&action);
    let possible = plan.is_possible();
    let (cancel_button, yes_button) = (NodeRef::new(), NodeRef::new());
    // The safe choice has focus first: confirming is never the default of a destructive
    // action.
    focus_when_mounted(if destructive {
        cancel_button
    } else {
        yes_button
    });
    let go = {
        let plan = plan.clone();
        move |_| flow.run(action.clone(), plan.clone())
    };
    view! {
        <PlanView flow=flow plan=plan lead=lead />
        <p class="bs-dialog__note">{kind.note()}</p>
        <div class="bs-dialog__buttons">
            <button type="button" class="bs-button" node_ref=cancel_button on:click=move |_| flow.cancel()>
                "Cancel"
            </button>
            <button
                type="button"
                class="bs-button"
                class:bs-button--danger=destructive
                class:bs-button--primary=!destructive
                node_ref=yes_button
                disabled=!possible
                on:click=go
            >
                "Yes"
            </button>
        </div>
    }
}

fn working(flow: ActionFlow, kind: ActionKind) -> impl IntoView {
    let hide = NodeRef::new();
    focus_when_mounted(hide);
    view! {
        <p class="bs-dialog__text" role="status">
            {move || {
                let (done, total) = flow.progress.get();
                format!("{}: {done} of {total} done…", kind.label())
            }}
        </p>
        <div class="bs-dialog__buttons">
            <button type="button" class="bs-button" node_ref=hide on:click=move |_| flow.cancel()>
                "Hide (it carries on)"
            </button>
        </div>
    }
}

fn results(
    flow: ActionFlow,
    kind: ActionKind,
    summary: String,
    lines: Vec<(String, Outcome)>,
) -> impl IntoView {
    let total = lines.len();
    let close = NodeRef::new();
    focus_when_mounted(close);
    view! {
        <p class="bs-dialog__lead" role="status">{summary}</p>
        <ul class="bs-dialog__list" aria-label="Result per connector">
            {lines
                .into_iter()
                .take(NAMED)
                .map(|(name, outcome)| {
                    let (class, text) = match outcome {
                        Outcome::Done => ("bs-result bs-result--done", kind.done().to_owned()),
                        Outcome::Skipped(why) => ("bs-result bs-result--skipped", format!("skipped: {why}")),
                        Outcome::Failed(why) => ("bs-result bs-result--failed", format!("failed: {why}")),
                    };
                    view! {
                        <li>
                            <span class="bs-dialog__name">{name}</span>
                            " "
                            <span class=class>{text}</span>
                        </li>
                    }
                })
                .collect_view()}
            {and_more(total)}
        </ul>
        <div class="bs-dialog__buttons">
            <button type="button" class="bs-button bs-button--primary" node_ref=close on:click=move |_| flow.cancel()>
                "Close"
            </button>
        </div>
    }
}

/// "…and 12 more" closing a list cut at [`NAMED`] entries of `total`.
fn and_more(total: usize) -> Option<impl IntoView> {
    (total > NAMED).then(|| view! { <li>{format!("…and {} more", total - NAMED)}</li> })
}

/// What an action will do: how many it affects, named, and which it skips and why.
#[component]
fn PlanView(flow: ActionFlow, plan: BulkPlan, lead: String) -> impl IntoView {
    let affected = plan.affected.len();
    let skipped = plan.skipped.len();
    view! {
        <p class="bs-dialog__lead">{lead}</p>
        {(affected > 0).then(|| view! {
            <ul class="bs-dialog__list" aria-label="Affected connectors">
                {plan.affected.iter().take(NAMED).map(|id| view! { <li>{flow.name(*id)}</li> }).collect_view()}
                {and_more(affected)}
            </ul>
        })}
        {(skipped > 0).then(|| view! {
            <p class="bs-dialog__text bs-dialog__skipped">{plan.skipped_summary()}</p>
            <ul class="bs-dialog__list" aria-label="Skipped connectors">
                {plan.skipped.iter().take(NAMED).map(|(id, skip)| view! {
                    <li>
                        <span class="bs-dialog__name">{flow.name(*id)}</span>
                        " "
                        <span class="bs-result bs-result--skipped">{format!("skipped: {}", skip.message())}</span>
                    </li>
                }).collect_view()}
                {and_more(skipped)}
            </ul>
        })}
    }
}
