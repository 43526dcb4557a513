//! The application: backend, store, which page is open, and the URL that reproduces the view.

use std::rc::Rc;

use bots_status_core::query::ConnectorQuery;
use leptos::prelude::*;

use crate::backend::simulated::{SimulatedBackend, SimulationOptions};
use crate::backend::{Backend, BackendRef};
use crate::components::access_denied::AccessDenied;
use crate::components::agents::BotAgents;
use crate::components::dashboard::Dashboard;
use crate::components::notices::Notices;
use crate::components::simulation::SimulationPanel;
use crate::components::toasts::{ToastList, Toasts};
use crate::store::FleetStore;
use crate::url;

/// Which page is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Dashboard,
    Agents,
    Pcs,
}

impl Page {
    pub fn slug(self) -> &'static str {
        match self {
            Page::Dashboard => "dashboard",
            Page::Agents => "agents",
            Page::Pcs => "pcs",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Page> {
        [Page::Dashboard, Page::Agents, Page::Pcs]
            .into_iter()
            .find(|p| p.slug() == slug)
    }
}

/// How an app instance runs.
#[derive(Clone, Debug, Default)]
pub struct AppConfig {
    pub simulation: SimulationOptions,
    /// Whether the app may keep its view in the page URL (the hosted page does).
    pub url_sync: bool,
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

/// The app over a running simulated backend. Mount it with [`crate::mount_app`], whose handle
/// stops the backend on unmount.
#[component]
pub fn App(config: AppConfig, sim: SimulatedBackend) -> impl IntoView {
    let store = FleetStore::new();
    let (initial_page, initial_query, ignored) = if config.url_sync {
        url::read()
    } else {
        (Page::Dashboard, ConnectorQuery::default(), Vec::new())
    };
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
    if config.url_sync {
        // Browsers throttle history updates (Safari refuses more than 100 in 30 seconds) and
        // each costs a millisecond or more, so a burst of keystrokes or sorts writes the URL
        // once, when it settles.
        let pending = StoredValue::new_local(None::<TimeoutHandle>);
        Effect::new(move |_| {
            let (page, query) = (view_state.page.get(), view_state.query.get());
            if let Some(earlier) = pending.get_value() {
                earlier.clear();
            }
            let write = set_timeout_with_handle(move || url::write(page, &query), URL_SETTLE);
            pending.set_value(write.ok());
        });
    }

    let watch = sim.watch(Rc::new(move |event| {
        store.apply(event, web_sys::js_sys::Date::now())
    }));
    let watch = send_wrapper::SendWrapper::new(watch);
    on_cleanup(move || drop(watch));
    let backend: Rc<dyn Backend> = Rc::new(sim.clone());
    provide_context::<BackendRef>(StoredValue::new_local(backend));
    let toasts = Toasts::new();
    provide_context(toasts);
    let sim_handle = StoredValue::new_local(sim);

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
            <header class="bs-header">
                <h1 class="bs-title">"Bots Status"</h1>
                <Show when=move || denied.with(Option::is_none)>
                    <nav class="bs-nav" aria-label="Pages">
                        {nav(Page::Dashboard, "Dashboard")}
                        {nav(Page::Agents, "Bot Agents")}
                    </nav>
                </Show>
                <span class="bs-user">
                    {move || store.session.with(|s| s.as_ref().map(|s| format!("{} · {}", s.user_name, s.role)))}
                </span>
                <span class="bs-badge" title="Data comes from the built-in simulator, not a live API.">
                    "Simulated backend"
                </span>
            </header>
            <Notices notices=store.notices />
            <ToastList toasts=toasts />
            <main class="bs-main">
                {move || match (denied.get(), view_state.page.get()) {
                    (Some((reason, user)), _) => view! { <AccessDenied reason=reason user=user /> }.into_any(),
                    (None, Page::Dashboard) => view! { <Dashboard store=store view_state=view_state /> }.into_any(),
                    (None, Page::Agents | Page::Pcs) => view! { <BotAgents store=store view_state=view_state /> }.into_any(),
                }}
            </main>
            <SimulationPanel sim=sim_handle />
        </div>
    }
}
