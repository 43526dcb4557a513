//! One status value as shown in a cell: its label, coloured by tone, described on hover and
//! to assistive technology.

use bots_status_core::status::StatusValue;
use leptos::prelude::*;

#[component]
pub fn StatusBadge<T: StatusValue + Send + Sync + 'static>(value: T) -> impl IntoView {
    let class = format!("bs-status bs-status--{}", value.tone().name());
    view! {
        <span class=class title=value.description()>
            {value.label()}
        </span>
    }
}
