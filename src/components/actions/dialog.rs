//! The dialog of an action, step by step: where a redeploy goes, what the action will do and
//! a "Yes", its progress, and what happened to each connector.

use bots_status_core::bulk::BulkPlan;
use bots_status_core::impact::Impact;
use bots_status_core::lifecycle::{Action, ActionKind};
use bots_status_core::model::{ConnectorId, Environment};
use leptos::prelude::*;

use super::{ActionFlow, NAMED, Outcome, Step};
use crate::components::choice::Choice;
use crate::components::dialog::{Modal, focus_when_mounted};
use crate::components::when::When;

/// The dialog of the current action, whichever step it is at.
#[component]
pub fn ActionDialog(
    /// The page's action flow: the step it is at is what shows.
    flow: ActionFlow,
) -> impl IntoView {
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
        <When when=move || current.with(Option::is_some)>
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
        </When>
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
        {move || view! { <PlanView flow=flow plan=plan.get() lead=plan.with(|p| p.lead(&Action::Redeploy(to.get()))) /> }.into_any()}
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
    // What it would do to each Production bot's failover and capacity, as the fleet is when
    // the dialog opens (the plan is of that moment too).
    let impact = flow
        .store
        .connectors
        .with_untracked(|list| Impact::of(kind, &plan.affected, list));
    let impact = StoredValue::new(impact);
    let typed = RwSignal::new(String::new());
    let ticked = RwSignal::new(false);
    let confirmed = move || {
        impact
            .with_value(|i| !i.needs_confirmation() || i.confirmed_by(&typed.get()) || ticked.get())
    };
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
        <ImpactView impact=impact typed=typed ticked=ticked />
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
                disabled=move || !possible || !confirmed()
                on:click=go
            >
                "Yes"
            </button>
        </div>
    }
}

/// The failover and capacity lines of an action, and the confirmation it needs when a bot
/// would be left with nobody online in Production: its name typed, or (several bots) a tick.
#[component]
fn ImpactView(
    impact: StoredValue<Impact>,
    typed: RwSignal<String>,
    ticked: RwSignal<bool>,
) -> impl IntoView {
    let lines = impact.with_value(Impact::lines);
    if lines.is_empty() {
        return ().into_any();
    }
    let none_online: Vec<String> = impact.with_value(|i| {
        i.left_with_none_online()
            .into_iter()
            .map(str::to_owned)
            .collect()
    });
    let ask = match none_online.as_slice() {
        [] => ().into_any(),
        [one] => view! {
            <label class="bs-field bs-impact__confirm">
                <span class="bs-field__label">{format!("Type {one} to confirm")}</span>
                <input
                    class="bs-input"
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
            </label>
        }
        .into_any(),
        several => {
            let names = several.join(", ");
            view! {
                <label class="bs-check bs-impact__confirm">
                    <input type="checkbox" prop:checked=move || ticked.get() on:change=move |ev| ticked.set(event_target_checked(&ev)) />
                    {format!("I understand: {names} would have no online Production connector.")}
                </label>
            }
            .into_any()
        }
    };
    view! {
        <section class="bs-impact" aria-label="Failover and capacity">
            <h3 class="bs-impact__title">"Failover and capacity afterwards"</h3>
            <ul class="bs-impact__lines">
                {lines.into_iter().map(|l| view! { <li>{l}</li> }.into_any()).collect_view()}
            </ul>
            {ask}
        </section>
    }
    .into_any()
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
                    }.into_any()
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
fn and_more(total: usize) -> Option<AnyView> {
    (total > NAMED).then(|| view! { <li>{format!("…and {} more", total - NAMED)}</li> }.into_any())
}

/// What an action will do: how many it affects, named, and which it skips and why.
#[component]
fn PlanView(
    /// Names the connectors.
    flow: ActionFlow,
    /// What the action affects and skips.
    plan: BulkPlan,
    /// The sentence that opens it ("3 connectors will be stopped.").
    lead: String,
) -> impl IntoView {
    let affected = plan.affected.len();
    let skipped = plan.skipped.len();
    view! {
        <p class="bs-dialog__lead">{lead}</p>
        {(affected > 0).then(|| view! {
            <ul class="bs-dialog__list" aria-label="Affected connectors">
                {plan.affected.iter().take(NAMED).map(|id| view! { <li>{flow.name(*id)}</li> }.into_any()).collect_view()}
                {and_more(affected)}
            </ul>
        }.into_any())}
        {(skipped > 0).then(|| view! {
            <p class="bs-dialog__text bs-dialog__skipped">{plan.skipped_summary()}</p>
            <ul class="bs-dialog__list" aria-label="Skipped connectors">
                {plan.skipped.iter().take(NAMED).map(|(id, skip)| view! {
                    <li>
                        <span class="bs-dialog__name">{flow.name(*id)}</span>
                        " "
                        <span class="bs-result bs-result--skipped">{format!("skipped: {}", skip.message())}</span>
                    </li>
                }.into_any()).collect_view()}
                {and_more(skipped)}
            </ul>
        }.into_any())}
    }
}
