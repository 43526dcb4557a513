//! The application: backend, store, which page is open, and the URL that reproduces the view.

use std::rc::Rc;

use bots_status_core::query::ConnectorQuery;
use leptos::prelude::*;

use crate::backend::simulated::SimulationOptions;
use crate::backend::{Active, Adapter, BackendRef, Mode, Sink};
use crate::components::access_denied::AccessDenied;
use crate::components::agents::BotAgents;
use crate::components::connection::{ConnectionControl, ConnectionStatus};
use crate::components::dashboard::Dashboard;
use crate::components::event_log::EventLog;
use crate::components::notices::Notices;
use crate::components::simulation::SimulationPanel;
use crate::components::toasts::{ToastList, Toasts};
use crate::components::training::ExerciseBar;
use crate::store::FleetStore;
use crate::url;

/// Which page is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Dashboard,
    Agents,
    Pcs,
    Events,
}

impl Page {
    pub fn slug(self) -> &'static str {
        match self {
            Page::Dashboard => "dashboard",
            Page::Agents => "agents",
            Page::Pcs => "pcs",
            Page::Events => "events",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Page> {
        [Page::Dashboard, Page::Agents, Page::Pcs, Page::Events]
            .into_iter()
            .find(|p| p.slug() == slug)
    }
}

/// Where the app keeps its view (page and filters) in the page URL, if anywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UrlMode {
    /// Not at all: the view lives in the app's state (the default when embedded).
    #[default]
    Off,
    /// In the query string (`?view=agents&env=demo`): the hosted page.
    Query,
    /// In the fragment (`#view=agents&env=demo`), for a host that allows it.
    Fragment,
}

/// Which time zone times are shown in; the format (HH:MM:SS) is the same in every locale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    #[default]
    Local,
    Utc,
}

/// How an app instance runs.
#[derive(Clone, Debug, Default)]
pub struct AppConfig {
    /// The backend it starts with; the header's connection control switches it.
    pub backend: Mode,
    /// Whether the connection control may keep a live connection in localStorage when the
    /// user asks (the hosted page; an embedded app gets its connection from its host).
    pub remember_connection: bool,
    pub simulation: SimulationOptions,
    pub url: UrlMode,
    /// The view to open when the URL does not name one.
    pub page: Option<Page>,
    pub query: ConnectorQuery,
    pub clock: Clock,
    /// The element that receives the app's events (`bots-status:action`, …), if any.
    pub events: Option<web_sys::HtmlElement>,
    /// What the user should be told as the app starts (a link's part that was not used).
    pub notices: Vec<String>,
}

/// The view state every page shares: the open page and the connector query.
#[derive(Clone, Copy)]
pub struct View {
    pub page: RwSignal<Page>,
    pub query: RwSignal<ConnectorQuery>,
}

impl View {
    /// Opens `page`; opening the page already shown changes nothing (and rebuilds nothing).
    pub fn go(&self, page: Page) {
        if self.page.get_untracked() != page {
            self.page.set(page);
        }
    }

    pub fn open(&self, page: Page, query: ConnectorQuery) {
        self.query.set(query);
        self.go(page);
    }
}

/// How long the view must stay unchanged before the URL follows it.
const URL_SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

/// Switches the app to another backend (the connection control).
pub type SwitchBackend = StoredValue<Rc<dyn Fn(Mode)>, LocalStorage>;

/// The app, running its backend in `active`. Mount it with [`crate::mount_app`], whose handle
/// stops the backend on unmount.
#[component]
pub fn App(config: AppConfig, active: Active) -> impl IntoView {
    let store = FleetStore::new();
    let from_url = match config.url {
        UrlMode::Query => url::location_search(),
        UrlMode::Fragment => url::location_hash(),
        UrlMode::Off => String::new(),
    };
    let from_url = from_url.trim_start_matches(['?', '#']);
    let parsed = url::parse(from_url);
    // A fragment that holds nothing of the app's (the host's own, say) leaves the options in
    // charge, and is not reported as a link the app failed to understand.
    let understood = !from_url.is_empty() && parsed.2.len() < from_url.split('&').count();
    let (initial_page, initial_query, ignored) = if understood {
        parsed
    } else {
        (
            config.page.unwrap_or(Page::Dashboard),
            config.query.clone(),
            Vec::new(),
        )
    };
    store
        .notices
        .update(|n| n.extend(config.notices.iter().cloned()));
    if !ignored.is_empty() {
        store.notices.update(|n| {
            n.push(format!(
                "Some parts of the link were not understood and were ignored: {}.",
                ignored.join(", ")
            ))
        });
    }
    let view_state = View {
        page: RwSignal::new(initial_page),
        query: RwSignal::new(initial_query),
    };
    if config.url != UrlMode::Off {
        let mode = config.url;
        // Browsers throttle history updates (Safari refuses more than 100 in 30 seconds) and
        // each costs a millisecond or more, so a burst of keystrokes or sorts writes the URL
        // once, when it settles.
        let pending = StoredValue::new_local(None::<TimeoutHandle>);
        Effect::new(move |_| {
            let (page, query) = (view_state.page.get(), view_state.query.get());
            if let Some(earlier) = pending.get_value() {
                earlier.clear();
            }
            let write = set_timeout_with_handle(
                move || match mode {
                    UrlMode::Fragment => url::write_fragment(page, &query),
                    _ => url::write(page, &query),
                },
                URL_SETTLE,
            );
            pending.set_value(write.ok());
        });
    }

    let sink: Sink = Rc::new(move |event| store.apply(event, web_sys::js_sys::Date::now()));
    let first = Adapter::start(&config.backend, &config.simulation);
    let backend: BackendRef = StoredValue::new_local(first.backend());
    active.run(first, sink.clone());
    provide_context::<BackendRef>(backend);
    // Set by a switch, which also builds every page afresh over the other fleet.
    let adapter = RwSignal::new_local(active.adapter());
    let mode =
        Signal::derive(move || adapter.with(|a| a.as_ref().map(Adapter::mode).unwrap_or_default()));
    let switch: SwitchBackend = StoredValue::new_local(Rc::new({
        let (active, simulation) = (active.clone(), config.simulation.clone());
        move |next: Mode| {
            active.stop();
            store.clear();
            let started = Adapter::start(&next, &simulation);
            backend.set_value(started.backend());
            active.run(started, sink.clone());
            adapter.set(active.adapter());
        }
    }));
    let running = send_wrapper::SendWrapper::new(active);
    on_cleanup(move || running.stop());
    let toasts = Toasts::new();
    provide_context(toasts);
    provide_context(config.clock);
    provide_context(EventsOut(send_wrapper::SendWrapper::new(
        config.events.clone(),
    )));

    // Without Bot Status Access nothing but the reason shows (and the simulation area, so a
    // trainee can sign in as someone else).
    let denied = Memo::new(move |_| {
        store.session.with(|s| {
            s.as_ref().and_then(|s| {
                s.permissions
                    .may_open_app()
                    .err()
                    .map(|why| (why.to_string(), s.user_name.clone()))
            })
        })
    });
    let nav = move |page: Page, label: &'static str| {
        view! {
            <button
                type="button"
                class="bs-nav__link"
                aria-current=move || (view_state.page.get() == page || (page == Page::Agents && view_state.page.get() == Page::Pcs)).then_some("page")
                on:click=move |_| view_state.go(page)
            >
                {label}
            </button>
        }
    };

    view! {
        <div class="bs-app">
            <style>{crate::style::CSS}</style>
            <header class="bs-header">
                <h1 class="bs-title">"Bots Status"</h1>
                <Show when=move || denied.with(Option::is_none)>
                    <nav class="bs-nav" aria-label="Pages">
                        {nav(Page::Dashboard, "Dashboard")}
                        {nav(Page::Agents, "Bot Agents")}
                        {nav(Page::Events, "Event log")}
                    </nav>
                </Show>
                <span class="bs-user">
                    {move || store.session.with(|s| s.as_ref().map(|s| format!("{} · {}", s.user_name, s.role)))}
                </span>
                <ConnectionControl store=store mode=mode switch=switch remember=config.remember_connection />
            </header>
            <ConnectionStatus store=store adapter=adapter />
            <Notices notices=store.notices />
            <ToastList toasts=toasts />
            {move || match adapter.get() {
                Some(Adapter::Simulated(sim)) => Some(view! { <ExerciseBar sim=StoredValue::new_local(sim) store=store /> }),
                _ => None,
            }}
            <main class="bs-main">
                {move || match (denied.get(), view_state.page.get(), adapter.track()) {
                    (Some((reason, user)), _, _) => view! { <AccessDenied reason=reason user=user /> }.into_any(),
                    (None, Page::Dashboard, _) => view! { <Dashboard store=store view_state=view_state /> }.into_any(),
                    (None, Page::Agents | Page::Pcs, _) => view! { <BotAgents store=store view_state=view_state /> }.into_any(),
                    (None, Page::Events, _) => view! { <EventLog store=store /> }.into_any(),
                }}
            </main>
            {move || match adapter.get() {
                Some(Adapter::Simulated(sim)) => Some(view! { <SimulationPanel sim=StoredValue::new_local(sim) store=store /> }),
                _ => None,
            }}
        </div>
    }
}

/// Tells the host element what happened, as DOM `CustomEvent`s that bubble (and cross a
/// shadow root): `bots-status:action` and `bots-status:selection`. Nothing is sent when the
/// app has no host element to tell.
#[derive(Clone)]
pub struct EventsOut(send_wrapper::SendWrapper<Option<web_sys::HtmlElement>>);

impl EventsOut {
    /// The app's event target, from context (none outside an app).
    pub fn from_context() -> EventsOut {
        use_context::<EventsOut>()
            .unwrap_or_else(|| EventsOut(send_wrapper::SendWrapper::new(None)))
    }

    /// Whether anyone is told: only an embedded app has a host element.
    pub fn has_target(&self) -> bool {
        self.0.is_some()
    }

    /// `bots-status:action`: an action finished, with what happened.
    pub fn action(&self, action: &str, summary: &str, done: usize, skipped: usize, failed: usize) {
        self.emit(
            "action",
            &serde_json::json!({
                "action": action,
                "summary": summary,
                "done": done,
                "skipped": skipped,
                "failed": failed,
            }),
        );
    }

    /// Dispatches `bots-status:{name}` with `detail` on the host element.
    pub fn emit(&self, name: &str, detail: &serde_json::Value) {
        let Some(target) = self.0.as_ref() else {
            return;
        };
        let init = web_sys::CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        if let Ok(detail) = web_sys::js_sys::JSON::parse(&detail.to_string()) {
            init.set_detail(&detail);
        }
        if let Ok(event) =
            web_sys::CustomEvent::new_with_event_init_dict(&format!("bots-status:{name}"), &init)
        {
            let _ = target.dispatch_event(&event);
        }
    }
}
