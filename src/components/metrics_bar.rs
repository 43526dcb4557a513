//! The four metrics, filtered by the Environment filter only. Each opens the Bot Agents page
//! filtered to what it counts.

use bots_status_core::metrics::{Metric, Metrics};
use bots_status_core::query::EnvironmentFilter;
use leptos::prelude::*;

use crate::store::FleetStore;
use crate::view::{Page, ViewState};

#[component]
pub fn MetricsBar() -> impl IntoView {
    let store = FleetStore::from_context();
    let view_state = ViewState::from_context();
    let environment = Memo::new(move |_| view_state.query.with(|q| q.environment));
    let metrics = Memo::new(move |_| {
        let env: EnvironmentFilter = environment.get();
        // The metrics count statuses: a load update leaves them as they were.
        store.statuses.track();
        store
            .connectors
            .with_untracked(|c| Metrics::compute(c, env))
    });
    view! {
        <ul class="bs-metrics" aria-label="Metrics">
            {Metric::ALL
                .into_iter()
                .map(|metric| {
                    let count = move || {
                        if store.loaded() { metrics.get().get(metric).to_string() } else { "N/A".to_owned() }
                    };
                    let tone = move || {
                        format!("bs-metric__value bs-tone-{}", metric.tone(metrics.get().get(metric)).name())
                    };
                    view! {
                        <li class="bs-metric">
                            <button
                                type="button"
                                class="bs-metric__button"
                                title=format!("{} Click to list them.", metric.description())
                                on:click=move |_| {
                                    view_state.show(Page::Agents, metric.query(environment.get_untracked()))
                                }
                            >
                                <span class=tone>{move || count()}</span>
                                <span class="bs-metric__label">{metric.label()}</span>
                            </button>
                        </li>
                    }.into_any()
                })
                .collect_view()}
        </ul>
    }
}
