//! The PCS Connector tab: the survey bots that share the one PCS connector, one per row.

use bots_status_core::pcs::SURVEY_CONNECTOR_USER;
use bots_status_core::status::StatusValue;
use leptos::prelude::*;

use super::status_badge::StatusBadge;
use crate::store::FleetStore;

#[component]
pub fn PcsTab(store: FleetStore) -> impl IntoView {
    view! {
        <div role="tabpanel" aria-label="PCS Connector">
            {move || match store.pcs.get() {
                None => view! { <p class="bs-empty">"Waiting for the backend…"</p> }.into_any(),
                Some(pcs) => {
                    let deployed = pcs.surveys_deployed();
                    let status = pcs.state.status();
                    view! {
                        <p class="bs-panel__hint">
                            "All post-conversation survey bots share one PCS connector; its status is "
                            <StatusBadge value=status />
                            ". Any operation on it affects every survey bot."
                        </p>
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
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}
