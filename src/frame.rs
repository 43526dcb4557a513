//! Asking the browser for a frame as the page's work begins.
//!
//! The browser begins a frame on its 60 Hz clock only if the page has asked for one by then:
//! a change to the document, or a `requestAnimationFrame`. A frame its clock begins while the
//! page handles an input or a backend batch, before the first change that work makes to the
//! document, is let pass, and the change shows a whole frame later. Asked for as the work
//! begins, that frame runs as soon as the work is done, and shows it.

use std::cell::Cell;

use leptos::prelude::request_animation_frame;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

thread_local! {
    /// A frame was asked for and has not begun yet.
    static ASKED: Cell<bool> = const { Cell::new(false) };
}

/// The inputs that start the app's work; each asks for a frame before the app handles it.
const INPUTS: [&str; 4] = ["click", "input", "change", "keydown"];

/// Asks for the next frame, unless it is asked for already.
pub fn soon() {
    if !ASKED.replace(true) {
        request_animation_frame(|| ASKED.set(false));
    }
}

/// Asks for a frame at every input inside `root`, before the app's handlers see it (a
/// capturing listener); dropping it removes the listeners.
pub struct OnInput {
    root: web_sys::EventTarget,
    listener: Closure<dyn Fn()>,
}

impl OnInput {
    pub fn new(root: &web_sys::EventTarget) -> Self {
        let listener = Closure::<dyn Fn()>::new(soon);
        for input in INPUTS {
            let _ = root.add_event_listener_with_callback_and_bool(
                input,
                listener.as_ref().unchecked_ref(),
                true,
            );
        }
        Self {
            root: root.clone(),
            listener,
        }
    }
}

impl Drop for OnInput {
    fn drop(&mut self) {
        for input in INPUTS {
            let _ = self.root.remove_event_listener_with_callback_and_bool(
                input,
                self.listener.as_ref().unchecked_ref(),
                true,
            );
        }
    }
}
