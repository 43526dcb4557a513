//! The app-wide handles every component may take from context, and the one place that
//! provides them.
//!
//! The rule (ARCHITECTURE.md): what every page shares comes from context — the store
//! ([`FleetStore`]), the view ([`ViewState`]), the backend ([`BackendRef`]), the toasts
//! ([`Toasts`]), the time zone ([`TimeZone`]), the host's events ([`HostEvents`]) and the
//! backend switch ([`SwitchBackend`]). Props carry the leaf data a component shows.

use std::rc::Rc;

use leptos::prelude::*;

use crate::backend::{BackendRef, Mode};
use crate::components::toasts::Toasts;
use crate::format::TimeZone;
use crate::store::FleetStore;
use crate::view::ViewState;

/// Switches the app to another backend (the connection control).
#[derive(Clone, Copy)]
pub struct SwitchBackend(pub StoredValue<Rc<dyn Fn(Mode)>, LocalStorage>);

impl SwitchBackend {
    pub fn to(&self, mode: Mode) {
        self.0.with_value(|switch| switch(mode));
    }
}

/// Everything an app instance provides to the components inside it.
pub struct AppContext {
    pub store: FleetStore,
    pub view: ViewState,
    pub backend: BackendRef,
    pub toasts: Toasts,
    pub zone: TimeZone,
    pub events: HostEvents,
    pub switch: SwitchBackend,
}

impl AppContext {
    /// Makes the handles available to every component below the caller.
    pub fn provide(self) {
        provide_context(self.store);
        provide_context(self.view);
        provide_context::<BackendRef>(self.backend);
        provide_context(self.toasts);
        provide_context(self.zone);
        provide_context(self.events);
        provide_context(self.switch);
    }
}

/// Tells the host element what happened, as DOM `CustomEvent`s that bubble (and cross a
/// shadow root): `bots-status:action` and `bots-status:selection`. Nothing is sent when the
/// app has no host element to tell.
#[derive(Clone)]
pub struct HostEvents(send_wrapper::SendWrapper<Option<web_sys::HtmlElement>>);

impl HostEvents {
    pub fn new(target: Option<web_sys::HtmlElement>) -> HostEvents {
        HostEvents(send_wrapper::SendWrapper::new(target))
    }

    /// The app's event target, from context (none outside an app).
    pub fn from_context() -> HostEvents {
        use_context::<HostEvents>().unwrap_or_else(|| HostEvents::new(None))
    }

    /// Whether anyone is told: only an embedded app has a host element.
    pub fn has_target(&self) -> bool {
        self.0.is_some()
    }

    /// `bots-status:action`: an action finished, with what happened.
    pub fn action(&self, action: &str, summary: &str, done: usize, skipped: usize, failed: usize) {
        #[derive(serde::Serialize)]
        struct Finished<'a> {
            action: &'a str,
            summary: &'a str,
            done: usize,
            skipped: usize,
            failed: usize,
        }
        self.emit(
            "action",
            &Finished {
                action,
                summary,
                done,
                skipped,
                failed,
            },
        );
    }

    /// `bots-status:selection`: the selection changed, to these connectors.
    pub fn selection(&self, ids: &[u64]) {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Selected<'a> {
            count: usize,
            connector_ids: &'a [u64],
        }
        self.emit(
            "selection",
            &Selected {
                count: ids.len(),
                connector_ids: ids,
            },
        );
    }

    /// Dispatches `bots-status:{name}` with `detail` on the host element.
    fn emit(&self, name: &str, detail: &impl serde::Serialize) {
        let Some(target) = self.0.as_ref() else {
            return;
        };
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        let detail = serde_json::to_string(detail)
            .ok()
            .and_then(|text| web_sys::js_sys::JSON::parse(&text).ok());
        if let Some(detail) = detail {
            init.set_detail(&detail);
        }
        if let Ok(event) =
            web_sys::CustomEvent::new_with_event_init_dict(&format!("bots-status:{name}"), &init)
        {
            let _ = target.dispatch_event(&event);
        }
    }
}
