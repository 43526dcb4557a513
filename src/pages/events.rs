//! The fleet's event log: what happened — every status change, and every action with who asked
//! and how it ended — newest first, a page at a time, from the backend's history (the server's
//! durable one in live mode, the simulation's own record otherwise). Filtered by environment,
//! component, text, actor and "problems only", and exported as CSV across every page.

use bots_status_core::audit::{Entry, EntryKind, HistoryPage, HistoryQuery, PAGE_MAX, to_csv};
use bots_status_core::history::Dimension;
use bots_status_core::metrics::environments;
use bots_status_core::query::EnvironmentFilter;
use bots_status_core::words::plural;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::backend::BackendRef;
use crate::components::choice::Choice;
use crate::effect::effect;
use crate::format::TimeZone;
use crate::format::time_of_day;
use crate::store::FleetStore;

/// How many rows a page of the log shows.
const SHOWN: usize = 100;
/// The most pages an export reads: 200 of 500, what a history of 30 days holds many times over.
const EXPORT_PAGES: usize = 200;
/// The component filter: every component, or one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ComponentFilter(Option<Dimension>);

impl ComponentFilter {
    const ALL: [ComponentFilter; 4] = [
        ComponentFilter(None),
        ComponentFilter(Some(Dimension::Connector)),
        ComponentFilter(Some(Dimension::Cloud)),
        ComponentFilter(Some(Dimension::BotServer)),
    ];

    fn slug(self) -> &'static str {
        self.0.map_or("all", Dimension::slug)
    }

    fn label(self) -> &'static str {
        self.0.map_or("All components", Dimension::label)
    }
}

#[component]
pub fn EventLog() -> impl IntoView {
    let store = FleetStore::from_context();
    let backend = expect_context::<BackendRef>();
    let zone = TimeZone::from_context();
    let environment = RwSignal::new(EnvironmentFilter::All);
    let component = RwSignal::new(ComponentFilter(None));
    let text = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let problems_only = RwSignal::new(false);
    let query = Memo::new(move |_| HistoryQuery {
        environment: match environment.get() {
            EnvironmentFilter::All => None,
            EnvironmentFilter::Only(e) => Some(e),
        },
        component: component.get().0,
        problems_only: problems_only.get(),
        text: text.get(),
        actor: Some(actor.get().trim().to_owned()).filter(|a| !a.is_empty()),
        limit: SHOWN,
        ..HistoryQuery::default()
    });
    let rows = RwSignal::new(Vec::<Entry>::new());
    let next = RwSignal::new(None::<u64>);
    let loaded = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    // Each read is numbered: an answer to an older one (filters changed since) is dropped.
    let reads = StoredValue::new(0u64);
    let read = move |query: HistoryQuery, append: bool| {
        let id = reads.get_value() + 1;
        reads.set_value(id);
        let backend = backend.get_value();
        spawn_local(async move {
            let answer = backend.history(query).await;
            // An answer for a page that has closed, or to an older read, is dropped.
            if reads.try_get_value() != Some(id) {
                return;
            }
            match answer {
                Ok(HistoryPage {
                    entries,
                    next: more,
                }) => {
                    if append {
                        rows.update(|r| r.extend(entries));
                    } else {
                        rows.set(entries);
                    }
                    next.set(more);
                    failed.set(None);
                }
                Err(e) => failed.set(Some(format!("The history cannot be read: {e}"))),
            }
            loaded.set(true);
        });
    };
    // The first page again whenever the filters change or something happens in the fleet;
    // pages already opened below it are read again by "Show older".
    effect(move || {
        let q = query.get();
        store.history.with(|h| h.len());
        read(q, false);
    });
    let older = move |_| {
        if let Some(before) = next.get_untracked() {
            read(
                HistoryQuery {
                    before: Some(before),
                    ..query.get_untracked()
                },
                true,
            );
        }
    };
    let export_failed = RwSignal::new(None::<String>);
    let exporting = RwSignal::new(false);
    let export = move |_| {
        let backend = backend.get_value();
        let mut q = HistoryQuery {
            limit: PAGE_MAX,
            ..query.get_untracked()
        };
        exporting.set(true);
        spawn_local(async move {
            // Every page the filters select, oldest first in the file.
            let mut all = Vec::new();
            let mut outcome = Ok(());
            for _ in 0..EXPORT_PAGES {
                match backend.history(q.clone()).await {
                    Ok(page) => {
                        all.extend(page.entries);
                        match page.next {
                            Some(before) => q.before = Some(before),
                            None => break,
                        }
                    }
                    Err(e) => {
                        outcome = Err(format!("The export stopped: {e}"));
                        break;
                    }
                }
            }
            all.reverse();
            exporting.set(false);
            export_failed.set(
                outcome
                    .and_then(|()| download("bots-status-events.csv", &to_csv(&all)))
                    .err(),
            );
        });
    };
    view! {
        <section class="bs-events" aria-label="Event log">
            <h2>"Event log"</h2>
            <p class="bs-events__intro">
                "What happened to the fleet: every status change of every connector, and every action with who asked for it and how it ended."
            </p>
            <div class="bs-filters" role="group" aria-label="Event filters">
                <Choice
                    label="Environment"
                    options=environments().to_vec()
                    slug=EnvironmentFilter::slug
                    text=Callback::new(|e: EnvironmentFilter| e.label().to_owned())
                    current=environment.into()
                    on_change=Callback::new(move |e| environment.set(e))
                />
                <Choice
                    label="Component"
                    options=ComponentFilter::ALL.to_vec()
                    slug=ComponentFilter::slug
                    text=Callback::new(|c: ComponentFilter| c.label().to_owned())
                    current=component.into()
                    on_change=Callback::new(move |c| component.set(c))
                />
                <label class="bs-field">
                    <span class="bs-field__label">"Search"</span>
                    <input
                        type="search"
                        class="bs-input"
                        placeholder="Bot, agent user or #connector"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    />
                </label>
                <label class="bs-field">
                    <span class="bs-field__label">"Actor"</span>
                    <input
                        type="search"
                        class="bs-input"
                        placeholder="Who acted"
                        prop:value=move || actor.get()
                        on:input=move |ev| actor.set(event_target_value(&ev))
                    />
                </label>
                <label class="bs-check">
                    <input
                        type="checkbox"
                        prop:checked=move || problems_only.get()
                        on:change=move |ev| problems_only.set(event_target_checked(&ev))
                    />
                    "Problems only"
                </label>
                <button
                    type="button"
                    class="bs-button"
                    on:click=export
                    disabled=move || rows.with(Vec::is_empty) || exporting.get()
                >
                    {move || String::from(if exporting.get() { "Exporting…" } else { "Export CSV" })}
                </button>
            </div>
            {move || export_failed.get().map(|why| view! { <p class="bs-field__error" role="alert">{why}</p> }.into_any())}
            {move || failed.get().map(|why| view! { <p class="bs-field__error" role="alert">{why}</p> }.into_any())}
            <p class="bs-count" aria-live="polite">
                {move || {
                    let n = rows.with(Vec::len);
                    let filtered = query.with(|q| {
                        q.environment.is_some() || q.component.is_some() || q.problems_only
                            || !q.text.trim().is_empty() || q.actor.is_some()
                    });
                    match n {
                        _ if !loaded.get() => "Reading the history…".to_owned(),
                        0 if filtered => "Nothing that happened matches these filters.".to_owned(),
                        0 => "Nothing has happened yet.".to_owned(),
                        n if next.with(Option::is_some) => format!("The newest {n} events (older ones below)."),
                        n => format!("{n} event{}.", plural(n)),
                    }
                }}
            </p>
            <div class="bs-table-scroll">
                <table class="bs-table bs-events__table">
                    <thead>
                        <tr>
                            <th scope="col">"Time"</th>
                            <th scope="col">"Connector"</th>
                            <th scope="col">"Environment"</th>
                            <th scope="col">"Component"</th>
                            <th scope="col">"Change"</th>
                            <th scope="col">"Actor"</th>
                            <th scope="col">"Detail"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || rows.get().into_iter().map(|e| row(e, zone)).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || next.with(Option::is_some).then(|| view! {
                <button type="button" class="bs-button" on:click=older>"Show older"</button>
            }.into_any())}
        </section>
    }
}

/// One entry as a row: a status change with its two statuses, or an action and its outcome.
fn row(e: Entry, zone: TimeZone) -> AnyView {
    let connector = match e.connector {
        Some(id) if e.agent.is_empty() => format!("#{id} {}", e.bot),
        Some(id) => format!("#{id} {} ({})", e.bot, e.agent),
        None => e.bot.clone(),
    };
    let change = match e.event() {
        Some(event) => view! {
            <span class=format!("bs-status bs-status--{}", event.from.tone.name())>{event.from.label}</span>
            " → "
            <span class=format!("bs-status bs-status--{}", event.to.tone.name())>{event.to.label}</span>
        }
        .into_any(),
        None => {
            let tone = if e.problem { "bad" } else { "good" };
            let outcome = e.outcome.map_or("", |o| o.label());
            view! {
                {e.action.clone().unwrap_or_default()}
                ": "
                <span class=format!("bs-status bs-status--{tone}")>{outcome}</span>
            }
            .into_any()
        }
    };
    let kind = match e.kind {
        EntryKind::Status => "status",
        EntryKind::Action => "action",
    };
    view! {
        <tr
            class="bs-events__row"
            data-kind=kind
            data-connector=e.connector.map(|c| c.to_string()).unwrap_or_default()
        >
            <td>{time_of_day(e.at.0 as f64, zone)}</td>
            <td>{connector}</td>
            <td>{e.environment.map_or("", |env| env.label())}</td>
            <td>{e.component.map_or("Action", Dimension::label)}</td>
            <td>{change}</td>
            <td>{e.actor.clone().unwrap_or_default()}</td>
            <td>{e.detail.clone().unwrap_or_default()}</td>
        </tr>
    }
    .into_any()
}

/// Offers `text` as a file download named `name`.
fn download(name: &str, text: &str) -> Result<(), String> {
    let fail = |_| "The browser refused to create the file.".to_owned();
    let parts = web_sys::js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "No document to download from.".to_owned())?;
    let link = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| "The browser refused to create the file.".to_owned())?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
