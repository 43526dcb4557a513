//! The Environment filter: the one filter that changes the metrics.

use bots_status_core::metrics::environments;
use bots_status_core::query::EnvironmentFilter;
use leptos::prelude::*;

#[component]
pub fn EnvironmentPicker(
    value: ReadSignal<EnvironmentFilter>,
    set_value: WriteSignal<EnvironmentFilter>,
) -> impl IntoView {
    view! {
        <label class="bs-field">
            <span class="bs-field__label">"Environment"</span>
            <select
                class="bs-select"
                prop:value=move || value.get().slug()
                on:change=move |ev| {
                    if let Some(filter) = EnvironmentFilter::from_slug(&event_target_value(&ev)) {
                        set_value.set(filter);
                    }
                }
            >
                {environments()
                    .into_iter()
                    .map(|env| view! { <option value=env.slug()>{env.label()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
