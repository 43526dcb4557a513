//! "Custom Configurations": the key/value rows of the form, each key offered from the ten
//! documented keys with its description and default, and the row's problems under it.

use bots_status_core::config::{ConfigEntry, KNOWN_KEYS, known_key};
use bots_status_core::limits::MAX_CONFIG_ROWS;
use bots_status_core::settings::Field;
use leptos::html;
use leptos::prelude::*;

use super::state::FormState;
use crate::components::dialog::{elements, next_id};
use crate::components::field::Messages;
use crate::components::when::When;

/// "Custom Configurations": key/value rows added with "+", each key offered from the known
/// keys with its default and description.
#[component]
pub(super) fn ConfigRows(
    /// The open form, whose draft holds the rows.
    form: FormState,
) -> impl IntoView {
    let list_id = format!("bs-keys-{}", next_id());
    // How many rows the draft has: it changes with a row added or removed, not at every
    // keystroke, so the rows are made again only then.
    let rows = Memo::new(move |_| form.draft.with(|d| d.custom_config.len()));
    let full = move || rows.get() >= MAX_CONFIG_ROWS;
    let add_button = NodeRef::<html::Button>::new();
    view! {
        <fieldset class="bs-config">
            <legend class="bs-field__label">"Custom Configurations"</legend>
            <datalist id=list_id.clone()>
                {KNOWN_KEYS.iter().map(|k| view! { <option value=k.name>{k.description}</option> }.into_any()).collect_view()}
            </datalist>
            <When when=move || rows.get() == 0>
                <p class="bs-field__hint">"None: every key has its default. Add a row with +."</p>
            </When>
            // By position, as the rows are numbered (see `ScenarioList`).
            {move || {
                (0..rows.get())
                    .map(|row| view! { <ConfigRow form=form row=row list_id=list_id.clone() /> }.into_any())
                    .collect_view()
            }}
            <button
                type="button"
                class="bs-button bs-config__add"
                node_ref=add_button
                aria-label="Add a custom configuration row"
                disabled=full
                title=move || if full() {
                    format!("A connector takes at most {MAX_CONFIG_ROWS} custom configuration rows.")
                } else {
                    "Add a custom configuration row".to_owned()
                }
                on:click=move |_| {
                    form.draft.update(|d| d.custom_config.push(ConfigEntry::new("", "")));
                    // Straight into the new row's key.
                    request_animation_frame(move || {
                        if let Some(fieldset) = add_button.get_untracked().and_then(|b| b.parent_element())
                            && let Some(last) = elements(&fieldset, "input[data-part='key']").pop()
                        {
                            let _ = last.focus();
                        }
                    });
                }
            >
                "+"
            </button>
        </fieldset>
    }
}

#[component]
fn ConfigRow(
    /// The open form.
    form: FormState,
    /// Which row of the draft (from 0).
    row: usize,
    /// The id of the datalist of known keys.
    list_id: String,
) -> impl IntoView {
    let entry = move || {
        form.draft.with(|d| {
            d.custom_config
                .get(row)
                .cloned()
                .unwrap_or_else(|| ConfigEntry::new("", ""))
        })
    };
    let spec = move || known_key(entry().key.trim());
    let ids = next_id();
    let key_msg = format!("bs-row-{ids}-key");
    let value_msg = format!("bs-row-{ids}-value");
    let about = format!("bs-row-{ids}-about");
    view! {
        <div class="bs-config__row" role="group" aria-label=format!("Custom configuration row {}", row + 1)>
            <label class="bs-config__part">
                <span class="bs-field__label">"Key"</span>
                <input
                    class="bs-input"
                    data-part="key"
                    list=list_id
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || entry().key
                    aria-invalid=move || form.has_error(Field::ConfigKey(row)).to_string()
                    aria-describedby=format!("{key_msg} {about}")
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        form.change(Field::ConfigKey(row), |d| {
                            if let Some(e) = d.custom_config.get_mut(row) {
                                e.key = value;
                            }
                        });
                    }
                    on:change=move |_| {
                        // A known key chosen for an empty value starts from its default.
                        if let Some(spec) = spec()
                            && entry().value.trim().is_empty()
                        {
                            form.draft.update(|d| {
                                if let Some(e) = d.custom_config.get_mut(row) {
                                    e.value = spec.default.to_owned();
                                }
                            });
                        }
                    }
                />
            </label>
            <label class="bs-config__part">
                <span class="bs-field__label">"Value"</span>
                <input
                    class="bs-input"
                    data-part="value"
                    autocomplete="off"
                    spellcheck="false"
                    placeholder=move || spec().map(|s| s.default)
                    prop:value=move || entry().value
                    aria-invalid=move || form.has_error(Field::ConfigValue(row)).to_string()
                    aria-describedby=value_msg.clone()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        form.change(Field::ConfigValue(row), |d| {
                            if let Some(e) = d.custom_config.get_mut(row) {
                                e.value = value;
                            }
                        });
                    }
                />
            </label>
            <button
                type="button"
                class="bs-button bs-button--quiet bs-config__remove"
                aria-label=format!("Remove row {}", row + 1)
                on:click=move |_| form.remove_row(row)
            >
                "Remove"
            </button>
            <p class="bs-field__hint bs-config__about" id=about>
                {move || spec().map(|s| {
                    let only = if s.chat { "" } else { " Messaging only." };
                    format!("{} Takes {}; default {}.{only}", s.description, s.kind.describe(), s.default)
                })}
            </p>
            <Messages id=key_msg problems=Signal::derive(move || form.problems(Field::ConfigKey(row))) />
            <Messages id=value_msg problems=Signal::derive(move || form.problems(Field::ConfigValue(row))) />
        </div>
    }
}
