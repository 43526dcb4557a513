//! The app's effects, each one closure behind a pointer.
//!
//! Leptos runs each `Effect::new` as its own async task, so each closure an effect is given
//! is another copy of that task's loop in the WebAssembly, about 800 bytes each. [`effect`]
//! gives Leptos one closure type, a boxed one, so the app carries the loop once. It runs
//! what it is given as `Effect::new` would: after the current work, and again whenever what
//! it read changes.

use leptos::prelude::{Effect, LocalStorage};

/// An effect running `f`, as `Effect::new(move |_| f())` does.
pub fn effect(f: impl FnMut() + 'static) -> Effect<LocalStorage> {
    let mut f: Box<dyn FnMut()> = Box::new(f);
    Effect::new(move |_| f())
}
