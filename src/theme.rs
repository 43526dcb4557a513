//! The colour theme: light, dark, or the system's (`prefers-color-scheme`), chosen in the
//! header, kept in this browser with the other preferences, or set by an embedding host
//! (`theme="light|dark|auto"`). The root element says which one shows (`data-theme`); the
//! stylesheet's tokens do the rest.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// The theme an operator chose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    /// The system's: dark when it prefers dark.
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    pub fn slug(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.slug() == slug)
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::Auto => "Theme: as the system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

const DARK_QUERY: &str = "(prefers-color-scheme: dark)";

fn system_prefers_dark() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media(DARK_QUERY).ok().flatten())
        .is_some_and(|q| q.matches())
}

/// Whether the page shows dark for `chosen`, following the system's preference as it
/// changes while the app runs.
pub fn shows_dark(chosen: RwSignal<Theme>) -> Signal<bool> {
    let system = RwSignal::new(system_prefers_dark());
    if let Some(query) = web_sys::window().and_then(|w| w.match_media(DARK_QUERY).ok().flatten()) {
        let listener = Closure::<dyn Fn()>::new(move || system.set(system_prefers_dark()));
        let _ = query.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
        let kept = send_wrapper::SendWrapper::new((query, listener));
        on_cleanup(move || {
            let (query, listener) = kept.take();
            let _ = query
                .remove_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
        });
    }
    Signal::derive(move || match chosen.get() {
        Theme::Auto => system.get(),
        Theme::Light => false,
        Theme::Dark => true,
    })
}
