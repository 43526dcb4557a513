//! A form's fields, the same everywhere: a labelled text input with its hint and its
//! problems under it, the problems themselves (errors, and warnings that do not stop a save),
//! and a group of radio buttons whose refused options say why. Each wires its id, label and
//! messages for assistive technology; what a field holds and what is wrong with it come from
//! the caller.

use bots_status_core::settings::SettingsProblem;
use leptos::prelude::*;

use super::dialog::next_id;

/// A text input with its label, hint and problems: `{id}-msg` holds the problems, and an
/// error among them marks the input invalid.
#[component]
pub fn TextField(
    /// The label, also the input's accessible name.
    label: &'static str,
    /// The input's id, unique in the page.
    id: String,
    /// What the field holds (tracked).
    #[prop(into)]
    value: Signal<String>,
    /// Takes what the user typed.
    on_input: Callback<String>,
    /// The problems to show under the field (tracked).
    #[prop(into)]
    problems: Signal<Vec<SettingsProblem>>,
    /// `text` unless given (`url`, `password`).
    #[prop(default = None)]
    input_type: Option<&'static str>,
    /// The keyboard a phone offers (`numeric`).
    #[prop(default = None)]
    inputmode: Option<&'static str>,

    /// Shown while the field is empty.
    #[prop(default = None)]
    placeholder: Option<&'static str>,
    /// A sentence under the input saying what it is for.
    #[prop(default = None)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let messages = format!("{id}-msg");
    view! {
        <div class="bs-form__field">
            <label class="bs-field__label" for=id.clone()>{label}</label>
            <input
                id=id
                class="bs-input"
                type=input_type.unwrap_or("text")
                inputmode=inputmode
                placeholder=placeholder
                autocomplete="off"
                prop:value=move || value.get()
                aria-invalid=move || problems.with(|p| p.iter().any(SettingsProblem::is_error)).to_string()
                aria-describedby=messages.clone()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
            {hint.map(|hint| view! { <p class="bs-field__hint">{hint}</p> }.into_any())}
            <Messages id=messages problems=problems />
        </div>
    }
}

/// A field's problems, under it: errors, and warnings that do not stop a save.
#[component]
pub fn Messages(
    /// The element's id, named by the field's `aria-describedby`.
    id: String,
    /// What to show (tracked): errors, and warnings that do not stop a save.
    problems: Signal<Vec<SettingsProblem>>,
) -> impl IntoView {
    view! {
        <div id=id class="bs-field__messages">
            {move || problems.get().into_iter().map(|p| {
                let warning = !p.is_error();
                view! {
                    <p class=if warning { "bs-field__warning" } else { "bs-field__error" }>
                        {warning.then(|| view! { <span class="bs-visually-hidden">"Warning: "</span> }.into_any())}
                        {p.message}
                    </p>
                }.into_any()
            }).collect_view()}
        </div>
    }
}

/// A group of radio buttons; an option the user may not choose is disabled with the reason
/// shown under the group.
#[component]
pub fn Radios<T>(
    /// The group's legend, also its accessible name.
    legend: &'static str,

    /// Every value, in the order offered.
    options: Vec<T>,

    /// What an option reads.
    text: fn(T) -> &'static str,

    /// The value checked (tracked).
    current: Signal<T>,

    /// Why an option may not be chosen, if it may not; it is disabled and the reason shown.
    refusal: Callback<T, Option<String>>,

    /// Takes the value the user checked.
    on_change: Callback<T>,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let name = format!("bs-radio-{}", next_id());
    let reasons = options.clone();
    view! {
        <fieldset class="bs-radios">
            <legend class="bs-field__label">{legend}</legend>
            {options.into_iter().map(|v| {
                let name = name.clone();
                view! {
                    <label class="bs-radio">
                        <input
                            type="radio"
                            name=name
                            prop:checked=move || current.get() == v
                            disabled=move || refusal.run(v).is_some()
                            on:change=move |_| on_change.run(v)
                        />
                        {text(v)}
                    </label>
                }.into_any()
            }).collect_view()}
            {move || reasons.iter().filter_map(|v| refusal.run(*v)).map(|why| view! {
                <p class="bs-field__hint">{why}</p>
            }.into_any()).collect_view()}
        </fieldset>
    }
}
