//! A labelled `<select>` over a fixed set of values: the one shape every filter and picker
//! of the app has. The selected option follows `current`, whatever changed it.

use leptos::prelude::*;

#[component]
pub fn Choice<T>(
    /// The visible label, also the select's accessible name.
    label: &'static str,

    /// Every value, in the order offered.
    options: Vec<T>,
    /// A stable string per value, for the `<option value>`.
    slug: fn(T) -> &'static str,
    /// What an option reads; may read signals (counts update in place).
    text: Callback<T, String>,

    /// The value shown as chosen (tracked), whatever changed it.
    current: Signal<T>,

    /// Takes the value the user chose.
    on_change: Callback<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let values = options.clone();
    view! {
        <label class="bs-field">
            <span class="bs-field__label">{label}</span>
            <select
                class="bs-select"
                on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    if let Some(v) = values.iter().copied().find(|v| slug(*v) == chosen) {
                        on_change.run(v);
                    }
                }
            >
                {options
                    .into_iter()
                    .map(|v| {
                        view! {
                            <option value=slug(v) prop:selected=move || current.get() == v>
                                {move || text.run(v)}
                            </option>
                        }.into_any()
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
