//! The application: it starts the backend, provides the app-wide handles ([`AppContext`]) and
//! composes the header, the open page and the simulation area. It decides nothing a page or
//! component shows.

use std::rc::Rc;

use bots_status_core::query::ConnectorQuery;
use bots_status_core::views::Columns;
use leptos::prelude::*;

use crate::backend::simulated::SimulationOptions;
use crate::backend::{Adapter, BackendRef, Mode, Running, Sink};
use crate::components::access_denied::AccessDenied;
use crate::components::connection::{ConnectionControl, ConnectionStatus};
use crate::components::notices::Notices;
use crate::components::problems::Problems;
use crate::components::shortcuts::KeyboardShortcuts;
use crate::components::simulation::SimulationPanel;
use crate::components::toasts::{ToastList, Toasts};
use crate::components::training::ExerciseBar;
use crate::components::when::When;
use crate::context::{AppContext, HostEvents, SwitchBackend};
use crate::format::TimeZone;
use crate::pages::agents::BotAgents;
use crate::pages::dashboard::Dashboard;
use crate::pages::events::EventLog;
use crate::prefs::PrefsKey;
use crate::store::FleetStore;
use crate::theme::{Theme, shows_dark};
use crate::view::{Page, UrlMode, ViewState};

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
    /// The columns to show when the URL does not name them (else the ones kept in this
    /// browser).
    pub columns: Option<Columns>,
    /// Where the operator's columns, saved views and theme are kept in this browser, if
    /// anywhere.
    pub prefs: PrefsKey,
    /// Whether the document's title counts the new problems of Production ("(3) Bots
    /// Status"): the hosted page does; an embedded app leaves its host's title alone.
    pub title: bool,
    /// The theme the host asks for; else the one kept in this browser, else the system's.
    pub theme: Option<Theme>,
    pub zone: TimeZone,
    /// The element that receives the app's events (`bots-status:action`, …), if any.
    pub events: Option<web_sys::HtmlElement>,
    /// What the user should be told as the app starts (a link's part that was not used).
    pub notices: Vec<String>,
}

/// The app, running its backend in `running`. Mount it with [`crate::mount_app`], whose
/// handle stops the backend on unmount.
#[component]
pub fn App(
    /// How this instance runs: its backend, view, time zone and host.
    config: AppConfig,
    /// Where the app keeps its running backend; the mount handle stops it.
    running: Running,
) -> impl IntoView {
    let store = FleetStore::new();
    let (view, told) = ViewState::open(
        config.url,
        config.page,
        &config.query,
        config.columns,
        config.prefs.clone(),
    );
    store.notices.update(|n| {
        n.extend(config.notices.iter().cloned());
        n.extend(told);
    });
    view.follow_in_url(config.url);

    let sink: Sink = Rc::new(move |event| store.apply(event, web_sys::js_sys::Date::now()));
    let first = Adapter::start(&config.backend, &config.simulation);
    let backend: BackendRef = StoredValue::new_local(first.backend());
    running.run(first, sink.clone());
    // Set by a switch, which also builds every page afresh over the other fleet.
    let adapter = RwSignal::new_local(running.adapter());
    let switch = SwitchBackend(StoredValue::new_local(Rc::new({
        let (running, simulation) = (running.clone(), config.simulation.clone());
        move |next: Mode| {
            running.stop();
            store.clear();
            let started = Adapter::start(&next, &simulation);
            backend.set_value(started.backend());
            running.run(started, sink.clone());
            adapter.set(running.adapter());
        }
    })));
    let stopping = send_wrapper::SendWrapper::new(running);
    on_cleanup(move || stopping.stop());
    let toasts = Toasts::new();
    AppContext {
        store,
        view,
        backend,
        toasts,
        zone: config.zone,
        events: HostEvents::new(config.events.clone()),
        switch,
    }
    .provide();

    let mode =
        Signal::derive(move || adapter.with(|a| a.as_ref().map(Adapter::mode).unwrap_or_default()));
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
                aria-current=move || (view.page.get() == page || (page == Page::Agents && view.page.get() == Page::Pcs)).then_some("page")
                on:click=move |_| view.go(page)
            >
                {label}
            </button>
        }
    };

    let app_root = NodeRef::<leptos::html::Div>::new();
    let theme = RwSignal::new(
        config
            .theme
            .or_else(|| config.prefs.theme())
            .unwrap_or_default(),
    );
    let dark = shows_dark(theme);
    let prefs = StoredValue::new(config.prefs.clone());
    let choose_theme = move |chosen: Theme| {
        theme.set(chosen);
        if let Err(why) = prefs.with_value(|p| p.save_theme(chosen)) {
            toasts.failed(format!(
                "The theme is shown but not kept in this browser: {why}."
            ));
        }
    };
    view! {
        <div
            class="bs-app"
            node_ref=app_root
            data-theme=move || String::from(if dark.get() { "dark" } else { "light" })
        >
            <style>{crate::style::CSS}</style>
            <header class="bs-header">
                <h1 class="bs-title">"Bots Status"</h1>
                <When when=move || denied.with(Option::is_none)>
                    <nav class="bs-nav" aria-label="Pages">
                        {nav(Page::Dashboard, "Dashboard")}
                        {nav(Page::Agents, "Bot Agents")}
                        {nav(Page::Events, "Event log")}
                    </nav>
                </When>
                <span class="bs-user">
                    {move || store.session.with(|s| s.as_ref().map(|s| format!("{} · {}", s.user_name, s.role)))}
                </span>
                <Problems prefs=config.prefs.clone() title=config.title />
                <ConnectionControl mode=mode remember=config.remember_connection />
                <KeyboardShortcuts root=app_root />
                <select
                    class="bs-select bs-theme"
                    aria-label="Theme"
                    on:change=move |ev| {
                        if let Some(t) = Theme::from_slug(&event_target_value(&ev)) {
                            choose_theme(t);
                        }
                    }
                >
                    {Theme::ALL.into_iter().map(|t| view! {
                        <option value=t.slug() selected=move || theme.get() == t>{t.label()}</option>
                    }.into_any()).collect_view()}
                </select>
            </header>
            <ConnectionStatus adapter=adapter />
            <Notices notices=store.notices />
            <ToastList toasts=toasts />
            {move || match adapter.get() {
                Some(Adapter::Simulated(sim)) => Some(view! { <ExerciseBar sim=StoredValue::new_local(sim) /> }.into_any()),
                _ => None,
            }}
            <main class="bs-main">
                {move || match (denied.get(), view.page.get(), adapter.track()) {
                    (Some((reason, user)), _, _) => view! { <AccessDenied reason=reason user=user /> }.into_any(),
                    (None, Page::Dashboard, _) => view! { <Dashboard /> }.into_any(),
                    (None, Page::Agents | Page::Pcs, _) => view! { <BotAgents /> }.into_any(),
                    (None, Page::Events, _) => view! { <EventLog /> }.into_any(),
                }}
            </main>
            {move || match adapter.get() {
                Some(Adapter::Simulated(sim)) => Some(view! { <SimulationPanel sim=StoredValue::new_local(sim) /> }.into_any()),
                _ => None,
            }}
        </div>
    }
}
