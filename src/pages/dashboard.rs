//! The dashboard: the four metrics, a status breakdown, and the bots that need attention.

use bots_status_core::advice::advise;
use bots_status_core::model::Environment;
use bots_status_core::query::{ConnectorQuery, EnvironmentFilter};
use bots_status_core::words::thousands;
use leptos::prelude::*;

use crate::components::chart::StatusChart;
use crate::components::environment_picker::EnvironmentPicker;
use crate::components::metrics_bar::MetricsBar;
use crate::components::when::When;
use crate::store::FleetStore;
use crate::view::{Page, ViewState};

/// How many bots needing attention the list shows at first, and how many more each "Show
/// more" adds. A fleet of 100,000 has thousands of them: listed whole, they are read by no one
/// and were most of the page's first paint (7,287 rows of 29,572 elements).
const ADVICE_FIRST: usize = 20;
const ADVICE_MORE: usize = 100;

#[component]
pub fn Dashboard() -> impl IntoView {
    let store = FleetStore::from_context();
    let view_state = ViewState::from_context();
    let environment = Signal::derive(move || view_state.query.with(|q| q.environment));
    let set_environment = Callback::new(move |env: EnvironmentFilter| {
        view_state.query.update(|q| q.environment = env);
    });
    let advice = Memo::new(move |_| store.connectors.with(|c| advise(c)));
    let shown = RwSignal::new(ADVICE_FIRST);
    let hidden = move || advice.with(Vec::len).saturating_sub(shown.get());
    view! {
        <section class="bs-page" aria-label="Dashboard">
            <div class="bs-toolbar">
                <h2 class="bs-heading">"Dashboard"</h2>
                <EnvironmentPicker value=environment on_change=set_environment />
            </div>
            <MetricsBar />
            <div class="bs-panels">
                <StatusChart />
                <section class="bs-panel" aria-label="Bots needing attention">
                    <h3 class="bs-panel__title">"Bots needing attention"</h3>
                    <p class="bs-panel__hint">
                        "Production bots need at least two connectors for failover, and one connector per 50 concurrent conversations."
                    </p>
                    <When
                        when=move || !advice.with(Vec::is_empty)
                        fallback=|| view! { <p class="bs-empty">"Every production bot has enough connectors."</p> }
                    >
                        <ul class="bs-advice">
                            // Made again when the advice changes (see `ScenarioList`).
                            {move || advice.with(|a| a[..a.len().min(shown.get())].to_vec()).into_iter().map(|a| {
                                    let name = a.bot_name.clone();
                                    let kind = if a.needs_failover { "Failover" } else { "Capacity" };
                                    view! {
                                        <li class="bs-advice__item">
                                            <span class="bs-advice__kind">{kind}</span>
                                            <span class="bs-advice__text">{a.message()}</span>
                                            <button
                                                type="button"
                                                class="bs-button bs-button--quiet"
                                                on:click=move |_| {
                                                    view_state.show(Page::Agents, ConnectorQuery {
                                                        environment: EnvironmentFilter::Only(Environment::Production),
                                                        text: name.clone(),
                                                        ..ConnectorQuery::default()
                                                    })
                                                }
                                            >
                                                "Show connectors"
                                            </button>
                                        </li>
                                    }.into_any()
                                }).collect_view()}
                        </ul>
                        <When when=move || hidden() != 0>
                            <p class="bs-panel__hint">
                                {move || format!(
                                    "Showing {} of {} bots.",
                                    thousands(shown.get() as u64),
                                    thousands(advice.with(Vec::len) as u64),
                                )}
                            </p>
                            <button
                                type="button"
                                class="bs-button"
                                on:click=move |_| shown.update(|n| *n += ADVICE_MORE)
                            >
                                {move || format!("Show {} more", hidden().min(ADVICE_MORE))}
                            </button>
                        </When>
                    </When>
                </section>
            </div>
        </section>
    }
}
