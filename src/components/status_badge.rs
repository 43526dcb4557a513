//! One status value as shown in a cell: its label, coloured by tone, described on hover and
//! to assistive technology. The value is a signal, so a table row that is reused for another
//! connector updates its badges in place.

use bots_status_core::status::StatusValue;
use leptos::prelude::*;

#[component]
pub fn StatusBadge<T: StatusValue + Copy + Send + Sync + 'static>(
    /// The status to show (tracked), with its tone and description.
    value: Signal<T>,
) -> impl IntoView {
    view! {
        <span
            class=move || format!("bs-status bs-status--{}", value.get().tone().name())
            title=move || value.get().description().to_owned()
        >
            {move || value.get().label().to_owned()}
        </span>
    }
}
