//! Keyboard shortcuts: `/` focuses the connector search (opening the Bot Agents page if need
//! be), `?` lists the shortcuts. A shortcut never fires while the user types in a field or
//! holds Ctrl, Alt or Meta, and acts only for the app the key was pressed in (or, with
//! nothing focused, for the page's first app), never for the host page.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::dialog::Modal;
use crate::components::when::When;
use crate::view::{Page, ViewState};

/// What the list of shortcuts shows: keys and what they do.
const SHORTCUTS: [(&str, &str); 3] = [
    ("/", "Search the connectors"),
    ("?", "Show these shortcuts"),
    ("Esc", "Close a dialog, a menu or the details"),
];

/// Whether a key pressed on `target` is typing: in a text field, a list or editable text.
fn typing(target: &web_sys::Element) -> bool {
    let tag = target.tag_name();
    matches!(tag.as_str(), "INPUT" | "TEXTAREA" | "SELECT")
        || target
            .dyn_ref::<web_sys::HtmlElement>()
            .is_some_and(|el| el.is_content_editable())
}

/// Whether a key pressed on `target` is meant for the app in `root`.
fn for_this_app(root: &web_sys::Element, target: &web_sys::Element) -> bool {
    if root.contains(Some(target)) {
        return true;
    }
    // Nothing focused: the page's first app takes it.
    let nothing_focused = matches!(target.tag_name().as_str(), "BODY" | "HTML");
    nothing_focused
        && document()
            .query_selector(".bs-app")
            .ok()
            .flatten()
            .is_some_and(|first| &first == root)
}

/// Focuses the search field in `root`, once it is there.
fn focus_search(root: web_sys::Element, tries: u32) {
    let field = root
        .query_selector("[aria-keyshortcuts='/']")
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    match field {
        Some(field) => {
            let _ = field.focus();
        }
        // The page is being built: try again next frame.
        None if tries > 0 => request_animation_frame(move || focus_search(root, tries - 1)),
        None => {}
    }
}

#[component]
pub fn KeyboardShortcuts(
    /// The app's root element.
    root: NodeRef<html::Div>,
) -> impl IntoView {
    let view_state = ViewState::from_context();
    let listing = RwSignal::new(false);
    let handle = window_event_listener(ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.alt_key() || ev.meta_key() || ev.default_prevented() {
            return;
        }
        let (Some(root), Some(target)) = (
            root.get_untracked(),
            ev.target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok()),
        ) else {
            return;
        };
        if typing(&target) || !for_this_app(&root, &target) {
            return;
        }
        match ev.key().as_str() {
            "/" => {
                ev.prevent_default();
                if view_state.page.get_untracked() != Page::Agents {
                    view_state.go(Page::Agents);
                }
                focus_search(root.into(), 10);
            }
            "?" => {
                ev.prevent_default();
                listing.set(true);
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
    let close = Callback::new(move |()| listing.set(false));
    view! {
        <button
            type="button"
            class="bs-button bs-button--quiet bs-shortcuts-button"
            aria-keyshortcuts="?"
            title="Keyboard shortcuts (?)"
            on:click=move |_| listing.set(true)
        >
            "Shortcuts"
        </button>
        <When when=move || listing.get()>
            <Modal title="Keyboard shortcuts" on_cancel=close>
                <dl class="bs-shortcuts">
                    {SHORTCUTS
                        .into_iter()
                        .map(|(key, what)| view! { <dt><kbd>{key}</kbd></dt><dd>{what}</dd> }.into_any())
                        .collect_view()}
                </dl>
                <p class="bs-note">"Shortcuts do nothing while you type in a field."</p>
                <div class="bs-button-row">
                    <button type="button" class="bs-button" on:click=move |_| close.run(())>"Close"</button>
                </div>
            </Modal>
        </When>
    }
}
