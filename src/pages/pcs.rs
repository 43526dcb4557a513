//! The PCS Connector tab: the survey bots that share the one PCS connector, one per row, and
//! the connector's two operations, each preceded by a warning that every survey bot is
//! affected.

use bots_status_core::pcs::{PcsAction, SURVEY_CONNECTOR_USER};
use bots_status_core::status::StatusValue;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::backend::BackendRef;
use crate::components::dialog::{Modal, focus_when_mounted};
use crate::components::status_badge::StatusBadge;
use crate::components::toasts::Toasts;
use crate::context::HostEvents;
use crate::store::FleetStore;

const ACTIONS: [PcsAction; 2] = [PcsAction::RedeployConnector, PcsAction::RefreshSurveys];

#[component]
pub fn PcsTab() -> impl IntoView {
    let store = FleetStore::from_context();
    let backend = expect_context::<BackendRef>();
    let toasts = Toasts::from_context();
    let events = StoredValue::new(HostEvents::from_context());
    // The operation being confirmed, with the version of the PCS connector the warning showed.
    let pending = RwSignal::new(None::<(PcsAction, Option<u64>)>);
    let survey_bots = move || {
        store
            .pcs
            .with(|p| p.as_ref().map_or(0, |p| p.survey_bots.len()))
    };
    let act = move |action: PcsAction, seen: Option<u64>| {
        pending.set(None);
        let future = backend.with_value(|b| b.act_on_pcs(action, seen));
        spawn_local(async move {
            match future.await {
                Ok(_) => {
                    toasts.done(action.done());
                    events.with_value(|e| e.action(action.label(), action.done(), 1, 0, 0));
                }
                Err(why) => {
                    let text = format!("{} failed: {why}", action.label());
                    events.with_value(|e| e.action(action.label(), &text, 0, 0, 1));
                    toasts.failed(text);
                }
            }
        });
    };
    view! {
        <div role="tabpanel" aria-label="PCS Connector">
            <div class="bs-table-bar">
                <p class="bs-panel__hint">
                    "All post-conversation survey bots share one PCS connector; its status is "
                    {move || store.pcs.get().map(|p| view! { <StatusBadge value=Signal::stored(p.state.status()) /> }.into_any())}
                    ". Any operation on it affects every survey bot."
                </p>
                <div class="bs-button-row">
                    {ACTIONS
                        .into_iter()
                        .map(|action| {
                            let refused = move || {
                                let permissions = store.permissions();
                                store.pcs.with(|p| match p {
                                    None => Some("Waiting for the backend…".to_owned()),
                                    Some(p) => p.permits(action, permissions).err().map(|r| r.to_string()),
                                })
                            };
                            view! {
                                <button
                                    type="button"
                                    class="bs-button"
                                    disabled=move || refused().is_some()
                                    title=move || refused().unwrap_or_default()
                                    on:click=move |_| {
                                        let seen = store.pcs.with_untracked(|p| p.as_ref().map(|p| p.version));
                                        pending.set(Some((action, seen)));
                                    }
                                >
                                    {action.label()}
                                </button>
                            }.into_any()
                        })
                        .collect_view()}
                </div>
            </div>
            {move || match store.pcs.get() {
                None => view! { <p class="bs-empty">"Waiting for the backend…"</p> }.into_any(),
                Some(pcs) => {
                    let deployed = pcs.surveys_deployed();
                    let status = pcs.state.status();
                    view! {
                        <div class="bs-table-scroll">
                            <table class="bs-table bs-table--compact">
                                <thead>
                                    <tr>
                                        <th class="bs-cell" scope="col">"Survey bot"</th>
                                        <th class="bs-cell" scope="col">"User name"</th>
                                        <th class="bs-cell" scope="col">"Deployment"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {pcs.survey_bots.into_iter().map(|bot| view! {
                                        <tr class="bs-row">
                                            <td class="bs-cell">{bot.name}</td>
                                            <td class="bs-cell">{SURVEY_CONNECTOR_USER}</td>
                                            <td class="bs-cell">
                                                <span
                                                    class=if deployed { "bs-status bs-status--good" } else { "bs-status bs-status--neutral" }
                                                    title=status.description()
                                                >
                                                    {if deployed { "Deployed" } else { "Not deployed" }}
                                                </span>
                                            </td>
                                        </tr>
                                    }.into_any()).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                    .into_any()
                }
            }}
            {move || pending.get().map(|(action, seen)| {
                let cancel = NodeRef::<html::Button>::new();
                focus_when_mounted(cancel);
                view! {
                    <Modal title=format!("{}?", action.label()) on_cancel=Callback::new(move |()| pending.set(None))>
                        <p class="bs-dialog__lead">{action.warning(survey_bots())}</p>
                        <div class="bs-dialog__buttons">
                            <button type="button" class="bs-button" node_ref=cancel on:click=move |_| pending.set(None)>
                                "Cancel"
                            </button>
                            <button type="button" class="bs-button bs-button--danger" on:click=move |_| act(action, seen)>
                                "Yes"
                            </button>
                        </div>
                    </Modal>
                }.into_any()
            })}
        </div>
    }
}
