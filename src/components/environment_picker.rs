//! The Environment filter: the one filter that changes the metrics.

use bots_status_core::metrics::environments;
use bots_status_core::query::EnvironmentFilter;
use leptos::prelude::*;

#[component]
pub fn EnvironmentPicker(
    value: Signal<EnvironmentFilter>,
    on_change: Callback<EnvironmentFilter>,
) -> impl IntoView {
    view! {
        <label class="bs-field">
            <span class="bs-field__label">"Environment"</span>
            <select
                class="bs-select"
                on:change=move |ev| {
                    if let Some(filter) = EnvironmentFilter::from_slug(&event_target_value(&ev)) {
                        on_change.run(filter);
                    }
                }
            >
                {environments()
                    .into_iter()
                    .map(|env| view! { <option value=env.slug() prop:selected=move || value.get() == env>{env.label()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
