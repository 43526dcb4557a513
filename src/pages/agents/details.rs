//! A connector's details: each component's status with its description, what is wrong and
//! the remedy from the troubleshooting catalog, its settings, and how its configuration
//! differs from the bot's other connectors. It is the "View/Edit Agent Connector" window:
//! its Edit button opens the form while the connector may be edited, and otherwise it says
//! why not, with a Stop shortcut for a running connector.

use bots_status_core::config::drift;
use bots_status_core::history::LastChange;
use bots_status_core::lifecycle::{ActionKind, Context, Lifecycle};
use bots_status_core::model::{Connector, Millis};
use bots_status_core::status::StatusValue;
use bots_status_core::troubleshooting::diagnose;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::AgentsPage;
use crate::backend::BackendRef;
use crate::components::actions::ActionsMenu;
use crate::components::copy_details::CopyDetails;
use crate::components::drift::DriftTable;
use crate::components::status_badge::StatusBadge;
use crate::components::timeline::Timeline;
use crate::components::when::When;
use crate::effect::effect;
use crate::format::{TimeZone, moment, time_of_day};
use crate::store::FleetStore;

#[component]
pub fn Details() -> impl IntoView {
    let AgentsPage {
        details: open,
        flow,
        forms,
        ..
    } = AgentsPage::from_context();
    let store = FleetStore::from_context();
    let close_button = NodeRef::<html::Button>::new();
    let connector = Memo::new(move |_| open.get().and_then(|id| store.get(id)));
    let backend = expect_context::<BackendRef>();
    // Whether the connector's bot agent is enabled: asked of the backend (the agents of its
    // account) when another agent shows, not on each status change. Unknown (`None`) while
    // the answer is on its way or could not be had; the save re-checks.
    let agent = Memo::new(move |_| {
        connector.with(|c| {
            c.as_ref()
                .map(|c| (c.settings.account.clone(), c.settings.agent_user_id.clone()))
        })
    });
    let agent_active = RwSignal::new(None::<bool>);
    effect(move || {
        let asked = agent.get();
        agent_active.set(None);
        let Some((account, login)) = asked.clone() else {
            return;
        };
        let future = backend.with_value(|b| b.agents(&account));
        spawn_local(async move {
            let agents = future.await.ok();
            // Only the answer for the agent shown now: the panel may have moved on, or closed.
            if agent.try_get_untracked() == Some(asked) {
                agent_active.try_set(agents.map(|a| a.iter().any(|u| u.login_name == login)));
            }
        });
    });
    let edit_refusal = Memo::new(move |_| {
        let c = connector.get()?;
        let ctx = Context {
            agent_active: agent_active.get().unwrap_or(true),
            permissions: store.permissions(),
        };
        Lifecycle::permits(&c, ActionKind::Edit, &ctx)
            .err()
            .map(|why| {
                (
                    why.to_string(),
                    Lifecycle::permits(&c, ActionKind::Stop, &ctx).is_ok(),
                )
            })
    });
    // Move focus into the panel when it opens, so keyboard users land on it.
    effect(move || {
        if open.get().is_some()
            && let Some(button) = close_button.get()
        {
            let _ = button.focus();
        }
    });
    let siblings_drift = Memo::new(move |_| {
        let Some(c) = connector.get() else {
            return Vec::new();
        };
        store.connectors.with(|list| {
            let same_bot: Vec<_> = list.iter().filter(|o| o.bot.id == c.bot.id).collect();
            drift(&same_bot)
        })
    });
    let zone = TimeZone::from_context();
    // When its statuses last changed, as far as this page's history knows.
    let last_change = Memo::new(move |_| {
        let id = open.get()?;
        let at = |m: Millis| time_of_day(m.0 as f64, zone);
        Some(match store.history.with(|h| h.last_change(id))? {
            LastChange::Changed(m) => at(m),
            LastChange::SeenSince(m) => format!("None since this page first saw it, at {}", at(m)),
        })
    });
    // Live: when the server last confirmed what the page shows.
    let confirmed = Memo::new(move |_| {
        let link = store.connection.get()?;
        let last = store
            .updated_at
            .get()
            .map_or_else(|| "never".to_owned(), |ms| time_of_day(ms, zone));
        Some(if link.statuses_may_be_stale() {
            format!(
                "Not since {last}: the live connection is down, so the statuses may have changed."
            )
        } else {
            format!("By the server at {last}; changes arrive as they happen.")
        })
    });
    view! {
            <When when=move || open.get().is_some()>
                <aside
                    class="bs-details"
                    role="dialog"
                    aria-label="Connector details"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            open.set(None);
                        }
                    }
                >
                    <div class="bs-details__head">
                        <h3 class="bs-details__title">
                            {move || connector.get().map(|c| c.bot.name).unwrap_or_else(|| "Connector deleted".to_owned())}
                        </h3>
                        <div class="bs-button-row">
                            <ActionsMenu flow=flow targets=Signal::derive(move || open.get().into_iter().collect()) />
                            <button type="button" class="bs-button" node_ref=close_button on:click=move |_| open.set(None)>
                                "Close"
                            </button>
                        </div>
                    </div>
                    {move || match connector.get() {
                        None => view! { <p class="bs-empty">"This connector no longer exists."</p> }.into_any(),
                        Some(c) => {
                            let shown = c.state.statuses();
                            let problems = diagnose(&c.state);
                            let s = c.settings.clone();
                            view! {
                                <dl class="bs-details__statuses">
                                    <dt>"Bot Agent Connector"</dt>
                                    <dd><StatusBadge value=Signal::stored(shown.connector) /><span class="bs-details__desc">{shown.connector.description()}</span></dd>
                                    <dt>"Conversational Cloud"</dt>
                                    <dd><StatusBadge value=Signal::stored(shown.cloud) /><span class="bs-details__desc">{shown.cloud.description()}</span></dd>
                                    <dt>"Bot Server"</dt>
                                    <dd><StatusBadge value=Signal::stored(shown.bot_server) /><span class="bs-details__desc">{shown.bot_server.description()}</span></dd>
                                    <dt>"Source"</dt>
                                    <dd class="bs-details__source">{source(&c)}</dd>
                                    <dt>"Last change"</dt>
                                    <dd class="bs-details__changed">{move || last_change.get()}</dd>
                                    {move || confirmed.get().map(|said| view! {
                                        <dt>"Confirmed"</dt>
                                        <dd class="bs-details__confirmed">{said}</dd>
                                    }.into_any())}
                                </dl>
                                <Timeline id=c.id />
                                {(!problems.is_empty()).then(|| view! {
                                    <section class="bs-problems" aria-label="Troubleshooting">
                                        <h4>"What is wrong"</h4>
                                        <CopyDetails connector=connector />
                                        {problems.into_iter().map(|p| view! {
                                            <div class="bs-problem">
                                                <p class="bs-problem__title">{p.title_with(&|m| moment(m.0 as f64, web_sys::js_sys::Date::now(), zone))}</p>
                                                <p>{p.explanation()}</p>
                                                <p><strong>"Remedy: "</strong>{p.remedy()}</p>
                                            </div>
                                        }.into_any()).collect_view()}
                                    </section>
                                }.into_any())}
                                <div class="bs-details__settings-head">
                                    <h4>"Settings"</h4>
                                    <div class="bs-button-row">
                                        {move || match edit_refusal.get() {
                                            None => view! {
                                                <button type="button" class="bs-button bs-button--primary" on:click=move |_| {
                                                    if let Some(id) = open.get_untracked() {
                                                        forms.edit(id);
                                                    }
                                                }>"Edit"</button>
                                            }.into_any(),
                                            Some((_, true)) => view! {
                                                <button type="button" class="bs-button" on:click=move |_| {
                                                    if let Some(id) = open.get_untracked() {
                                                        flow.begin(ActionKind::Stop, vec![id]);
                                                    }
                                                }>"Stop"</button>
                                            }.into_any(),
                                            Some((_, false)) => ().into_any(),
                                        }}
                                        <button type="button" class="bs-button" on:click={
                                            let bot = c.bot.id.clone();
                                            move |_| forms.add(Some(bot.clone()))
                                        }>"New connector for this bot"</button>
                                    </div>
                                </div>
                                {move || edit_refusal.get().map(|(why, _)| view! {
                                    <p class="bs-details__readonly" role="note">
                                        <strong>"Read-only: "</strong>{why}
                                    </p>
                                }.into_any())}
                                <dl class="bs-details__settings">
                                    <dt>"Agent user ID"</dt><dd>{s.agent_user_id.clone()}</dd>
                                    <dt>"Account"</dt><dd>{s.account.clone()}</dd>
                                    <dt>"Role"</dt><dd>{s.role.label()}</dd>
                                    <dt>"Conversation type"</dt><dd>{s.conversation_type.label()}</dd>
                                    <dt>"Environment"</dt><dd>{s.environment.label()}</dd>
                                    <dt>"Concurrent conversations"</dt><dd>{c.concurrent_conversations}</dd>
                                    <dt>"Fallback skill ID"</dt><dd>{s.advanced.fallback_skill_id.map_or_else(|| "None".to_owned(), |id| id.to_string())}</dd>
                                    <dt>"External webhook URL"</dt><dd>{s.advanced.external_webhook_url.clone().unwrap_or_else(|| "None (WebSocket)".to_owned())}</dd>
                                    <dt>"Accessibility"</dt><dd>{if s.advanced.accessibility { "On" } else { "Off" }}</dd>
                                    <dt>"Custom configuration"</dt>
                                    <dd>
                                        {if s.advanced.custom_config.is_empty() {
                                            "None (defaults)".to_owned()
                                        } else {
                                            s.advanced.custom_config.iter().map(|e| format!("{} = {}", e.key, e.value)).collect::<Vec<_>>().join(", ")
                                        }}
                                    </dd>
                                </dl>
                            }.into_any()
                            .into_any()
                        }
                    }}
                    <When when=move || !siblings_drift.with(Vec::is_empty)>
                        <section class="bs-drift" aria-label="Configuration drift">
                            <h4>"Configuration differs between this bot's connectors"</h4>
    <DriftTable drift=siblings_drift draft_first=false />
                        </section>
                    </When>
                </aside>
            </When>
        }
}

/// Where the connector's statuses come from: a real process, or a simulator.
fn source(c: &Connector) -> String {
    match &c.reported {
        Some(r) => format!("Reported by its connector process, run {}", r.generation),
        None => "Simulated".to_owned(),
    }
}
