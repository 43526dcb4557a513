//! A modal dialog: focus moves into it, Tab stays inside it, Escape cancels it, and focus
//! returns to the control that had it before it opened.
//!
//! It is a native `<dialog>` opened with `showModal()`, so the rest of the page is inert and
//! the dialog sits in the top layer, above the host page in an embedding too. The focus trap
//! and Escape are also handled here, because the browser lets Tab leave for its own controls.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;

use crate::effect::effect;

/// What a dialog's controls are found by when it moves focus.
const FOCUSABLE: &str = "button:not([disabled]), select:not([disabled]), input:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";

#[component]
pub fn Modal(
    /// The dialog's heading, which also names it for assistive technology.

    /// The dialog's heading and accessible name.
    #[prop(into)]
    title: Signal<String>,
    /// Escape, and whatever cancel button the content has, call this.

    /// Called on Escape or the close button; the caller decides whether it closes.
    on_cancel: Callback<()>,

    /// The dialog's content.
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let heading_id = format!("bs-dialog-{}", next_id());
    let opener = StoredValue::new_local(
        document()
            .active_element()
            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()),
    );

    effect(move || {
        let Some(el) = dialog.get() else {
            return;
        };
        if !el.open() {
            let _ = el.show_modal();
        }
        // The first control, unless the content focuses another (`focus_when_mounted`).
        if let Some(first) = elements(&el, FOCUSABLE).first() {
            let _ = first.focus();
        }
    });

    on_cleanup(move || {
        if let Some(el) = dialog.get_untracked()
            && el.open()
        {
            el.close();
        }
        if let Some(opener) = opener.get_value()
            && opener.is_connected()
        {
            let _ = opener.focus();
        }
    });

    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" => {
            ev.prevent_default();
            on_cancel.run(());
        }
        "Tab" => {
            let Some(el) = dialog.get_untracked() else {
                return;
            };
            let items = elements(&el, FOCUSABLE);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                ev.prevent_default();
                return;
            };
            let active = document().active_element();
            let inside = active.as_ref().is_some_and(|a| el.contains(Some(a)));
            let at = |item: &web_sys::HtmlElement| {
                active
                    .as_ref()
                    .is_some_and(|a| a == item.unchecked_ref::<web_sys::Element>())
            };
            let wrap_to = if ev.shift_key() && (at(first) || !inside) {
                Some(last)
            } else if !ev.shift_key() && (at(last) || !inside) {
                Some(first)
            } else {
                None
            };
            if let Some(target) = wrap_to {
                ev.prevent_default();
                let _ = target.focus();
            }
        }
        _ => {}
    };

    let labelled_by = heading_id.clone();
    view! {
        <dialog
            class="bs-dialog"
            node_ref=dialog
            aria-labelledby=labelled_by
            on:keydown=on_keydown
            // The browser's own Escape handling closes the dialog behind our back; cancel
            // through the owner instead, so its state stays the truth.
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                on_cancel.run(());
            }
        >
            <h2 class="bs-dialog__title" id=heading_id>{move || title.get()}</h2>
            {children()}
        </dialog>
    }
}

/// Focuses the button once it is in the page: the control a dialog's step starts on, when
/// the step replaces the content that had focus.
pub fn focus_when_mounted(button: NodeRef<html::Button>) {
    effect(move || {
        if let Some(b) = button.get() {
            let _ = b.focus();
        }
    });
}

/// The elements inside `root` that match `selector`, in document order: for a dialog, its
/// enabled controls in tab order (the dialogs set no tabindex and hide nothing); for a menu,
/// its entries.
pub fn elements(root: &web_sys::Element, selector: &str) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// A number unique on this page, for element ids that tie labels to controls.
pub fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
