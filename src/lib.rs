//! The Bots Status web app: a thin Leptos UI over `bots_status_core`.
//!
//! Components gather intent and show state derived from the core; they never re-decide a
//! domain rule. Nothing here touches the host page beyond the element the app is mounted in,
//! so the same build serves the hosted page and (later) embedding.

pub mod app;
pub mod components;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub use app::App;

/// The id of the element `index.html` provides for the app.
pub const MOUNT_ID: &str = "bots-status";

/// Entry point of the hosted page: mounts the app into `#bots-status` (or the body).
pub fn start() {
    console_error_panic_hook::set_once();
    let target = document()
        .get_element_by_id(MOUNT_ID)
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        .or_else(|| document().body());
    let Some(target) = target else {
        web_sys::console::error_1(&"Bots Status: no element to mount into".into());
        return;
    };
    // Clear the loading notice the page shows until the app is running.
    target.set_inner_html("");
    mount_to(target, App).forget();
}
