//! The Environment filter: the one filter that changes the metrics.

use bots_status_core::metrics::environments;
use bots_status_core::query::EnvironmentFilter;
use leptos::prelude::*;

use super::choice::Choice;

#[component]
pub fn EnvironmentPicker(
    /// The environment filter shown (tracked).
    value: Signal<EnvironmentFilter>,

    /// Takes the filter chosen.
    on_change: Callback<EnvironmentFilter>,
) -> impl IntoView {
    view! {
        <Choice
            label="Environment"
            options=environments().to_vec()
            slug=EnvironmentFilter::slug
            text=Callback::new(|e: EnvironmentFilter| e.label().to_owned())
            current=value
            on_change=on_change
        />
    }
}
