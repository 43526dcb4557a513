//! The table's arrangement controls: the column chooser and the saved views. Each is a
//! disclosure (`<details>`) over the table: what it changes is the view state, which the URL
//! and this browser's storage follow.

use bots_status_core::views::{Column, Columns, SavedView, SavedViews, ViewRefused};
use leptos::html;
use leptos::prelude::*;
use web_sys::KeyboardEvent;

use crate::components::toasts::Toasts;
use crate::components::when::When;
use crate::view::ViewState;

/// Closes a disclosure, returning focus to its summary.
fn close(panel: NodeRef<html::Details>) {
    if let Some(d) = panel.get_untracked() {
        d.set_open(false);
        if let Ok(Some(summary)) = d.query_selector("summary")
            && let Ok(summary) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(summary)
        {
            let _ = summary.focus();
        }
    }
}

/// Escape closes the disclosure it is pressed in.
fn escape_closes(panel: NodeRef<html::Details>) -> impl Fn(KeyboardEvent) {
    move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && panel.get_untracked().is_some_and(|d| d.open()) {
            ev.stop_propagation();
            close(panel);
        }
    }
}

/// "Columns": show or hide each column but the bot's, or go back to the default.
#[component]
pub fn ColumnChooser() -> impl IntoView {
    let view_state = ViewState::from_context();
    let toasts = Toasts::from_context();
    let panel = NodeRef::<html::Details>::new();
    let shown = Memo::new(move |_| {
        let columns = view_state.columns.get();
        view_state.query.with(|q| columns.resolve(q))
    });
    let keep = move |columns: Columns| {
        if let Err(why) = view_state.set_columns(columns) {
            toasts.failed(format!(
                "The columns are shown but not kept in this browser: {why}."
            ));
        }
    };
    view! {
        <details class="bs-popover" node_ref=panel on:keydown=escape_closes(panel)>
            <summary class="bs-button">"Columns" <span aria-hidden="true">" ▾"</span></summary>
            <div class="bs-popover__panel">
                <fieldset class="bs-popover__group">
                    <legend>"Show columns"</legend>
                    {Column::ALL
                        .into_iter()
                        .filter(|c| c.hideable())
                        .map(|column| view! {
                            <label class="bs-check">
                                <input
                                    type="checkbox"
                                    prop:checked=move || shown.get().contains(column)
                                    on:change=move |_| {
                                        let next = view_state.query.with_untracked(|q| {
                                            view_state.columns.get_untracked().toggled(q, column)
                                        });
                                        keep(next);
                                    }
                                />
                                {column.label()}
                            </label>
                        }.into_any())
                        .collect_view()}
                </fieldset>
                <button
                    type="button"
                    class="bs-button bs-button--quiet"
                    disabled=move || view_state.columns.get() == Columns::Default
                    on:click=move |_| keep(Columns::Default)
                >
                    "Reset to default"
                </button>
                <p class="bs-popover__hint">"By default every column shows but the Environment while one environment is filtered."</p>
            </div>
        </details>
    }
}

/// "Views": the built-in and saved views (open, rename, delete, make default, link), and
/// saving the current one under a name.
#[component]
pub fn ViewsMenu() -> impl IntoView {
    let view_state = ViewState::from_context();
    let panel = NodeRef::<html::Details>::new();
    let name = RwSignal::new(String::new());
    let refused = RwSignal::new(None::<String>);
    let open = move |link: String| {
        view_state.open_link(&link);
        close(panel);
    };
    let save = move || {
        let link = view_state.link();
        let typed = name.get_untracked();
        match view_state.change_saved(|v| v.save(&typed, &link).map_err(|e| e.to_string())) {
            Ok(_) => {
                name.set(String::new());
                refused.set(None);
            }
            Err(why) => refused.set(Some(why)),
        }
    };
    view! {
        <details class="bs-popover" node_ref=panel on:keydown=escape_closes(panel)>
            <summary class="bs-button">"Views" <span aria-hidden="true">" ▾"</span></summary>
            <div class="bs-popover__panel bs-views" role="group" aria-label="Views">
                <ul class="bs-views__list">
                    {SavedViews::built_in()
                        .into_iter()
                        .map(|v| view! {
                            <li class="bs-views__item">
                                <button type="button" class="bs-linklike" on:click={
                                    let link = v.link.clone();
                                    move |_| open(link.clone())
                                }>
                                    {v.name.clone()}
                                </button>
                                <span class="bs-views__note">"built in"</span>
                            </li>
                        }.into_any())
                        .collect_view()}
                    // A short list, made again when it changes (see `ScenarioList`).
                    {move || {
                        let saved = view_state.saved.get();
                        saved
                            .list()
                            .iter()
                            .map(|v| view! { <SavedViewItem view=v.clone() on_open=Callback::new(open) /> }.into_any())
                            .collect_view()
                    }}
                </ul>
                <form class="bs-views__save" on:submit=move |ev| {
                    ev.prevent_default();
                    save();
                }>
                    <label class="bs-field">
                        <span class="bs-field__label">"Save this view as"</span>
                        <input
                            class="bs-input"
                            type="text"
                            maxlength=SavedViews::MAX_NAME.to_string()
                            prop:value=move || name.get()
                            aria-invalid=move || refused.with(Option::is_some).to_string()
                            on:input=move |ev| name.set(event_target_value(&ev))
                        />
                    </label>
                    <button type="submit" class="bs-button">"Save view"</button>
                    <p class="bs-field__error" role="alert">{move || refused.get()}</p>
                </form>
            </div>
        </details>
    }
}

/// A change to the saved views, which may be refused.
type Change = Box<dyn FnOnce(&mut SavedViews) -> Result<(), ViewRefused>>;

/// One saved view: open it, copy its link, make it the default, rename or delete it.
#[component]
fn SavedViewItem(view: SavedView, on_open: Callback<String>) -> impl IntoView {
    let view_state = ViewState::from_context();
    let renaming = RwSignal::new(None::<String>);
    let refused = RwSignal::new(None::<String>);
    let name = StoredValue::new(view.name.clone());
    let link = StoredValue::new(view.link.clone());
    let is_default = move || {
        view_state
            .saved
            .with(|s| s.default_name() == Some(name.get_value().as_str()))
    };
    let change = move |f: Change| match view_state.change_saved(|v| f(v).map_err(|e| e.to_string()))
    {
        Ok(()) => {
            refused.set(None);
            renaming.set(None);
        }
        Err(why) => refused.set(Some(why)),
    };
    let rename = move || {
        let to = renaming.get_untracked().unwrap_or_default();
        change(Box::new(move |v| {
            v.rename(&name.get_value(), &to).map(|_| ())
        }));
    };
    view! {
        <li class="bs-views__item">
            <When
                when=move || renaming.with(Option::is_some)
                fallback=move || view! {
                    <button type="button" class="bs-linklike" on:click=move |_| on_open.run(link.get_value())>
                        {name.get_value()}
                    </button>
                    <When when=is_default>
                        <span class="bs-views__note">"default"</span>
                    </When>
                }
            >
                <input
                    class="bs-input bs-views__rename"
                    type="text"
                    aria-label=format!("New name for {}", name.get_value())
                    maxlength=SavedViews::MAX_NAME.to_string()
                    prop:value=move || renaming.get().unwrap_or_default()
                    on:input=move |ev| renaming.set(Some(event_target_value(&ev)))
                    on:keydown=move |ev: KeyboardEvent| match ev.key().as_str() {
                        "Enter" => {
                            ev.prevent_default();
                            rename();
                        }
                        "Escape" => {
                            ev.stop_propagation();
                            renaming.set(None);
                            refused.set(None);
                        }
                        _ => {}
                    }
                />
                <button type="button" class="bs-button bs-button--quiet" on:click=move |_| rename()>"Save name"</button>
            </When>
            <span class="bs-views__actions">
                <a class="bs-button bs-button--quiet" href=move || format!("?{}", link.get_value()) title="A link to this view: copy it or open it in a new tab">"Link"</a>
                <button
                    type="button"
                    class="bs-button bs-button--quiet"
                    aria-pressed=move || is_default().to_string()
                    title="Open the Bot Agents page with this view when the link names no other"
                    on:click=move |_| {
                        let make = (!is_default()).then(|| name.get_value());
                        change(Box::new(move |v| v.set_default(make.as_deref())));
                    }
                >
                    "Default"
                </button>
                <button type="button" class="bs-button bs-button--quiet" on:click=move |_| renaming.set(Some(name.get_value()))>"Rename"</button>
                <button
                    type="button"
                    class="bs-button bs-button--quiet"
                    aria-label=format!("Delete {}", name.get_value())
                    on:click=move |_| change(Box::new(move |v| {
                        v.delete(&name.get_value());
                        Ok(())
                    }))
                >
                    "Delete"
                </button>
            </span>
            <p class="bs-field__error" role="alert">{move || refused.get()}</p>
        </li>
    }
}
