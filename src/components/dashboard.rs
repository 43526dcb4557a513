//! The dashboard: the four metrics, filtered by environment only.

use bots_status_core::metrics::{Metric, Metrics};
use bots_status_core::model::Connector;
use bots_status_core::query::EnvironmentFilter;
use leptos::prelude::*;

use super::environment_picker::EnvironmentPicker;

#[component]
pub fn Dashboard(connectors: Vec<Connector>) -> impl IntoView {
    let (environment, set_environment) = signal(EnvironmentFilter::default());
    let connectors = StoredValue::new(connectors);
    let metrics = Memo::new(move |_| {
        let env = environment.get();
        connectors.with_value(|c| Metrics::compute(c, env))
    });
    view! {
        <section class="bs-dashboard" aria-label="Dashboard">
            <div class="bs-toolbar">
                <h2 class="bs-heading">"Dashboard"</h2>
                <EnvironmentPicker value=environment set_value=set_environment />
            </div>
            <ul class="bs-metrics" aria-label="Metrics">
                {Metric::ALL
                    .into_iter()
                    .map(|metric| {
                        view! {
                            <li class="bs-metric" title=metric.description()>
                                <span class=move || {
                                    let tone = metric.tone(metrics.get().get(metric));
                                    format!("bs-metric__value bs-tone-{}", tone.name())
                                }>
                                    {move || metrics.get().get(metric)}
                                </span>
                                <span class="bs-metric__label">{metric.label()}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p class="bs-note">
                {move || {
                    let m = metrics.get();
                    format!("{} connectors in {}.", m.total, environment.get().label())
                }}
            </p>
        </section>
    }
}
