//! The fleet's event log: every status change since the backend started, newest first,
//! filtered by environment, component, text and "problems only", and exported as CSV (what
//! the filters let through, oldest first).

use bots_status_core::history::{Dimension, EventFilter, to_csv};
use bots_status_core::metrics::environments;
use bots_status_core::query::EnvironmentFilter;
use bots_status_core::words::plural;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::choice::Choice;
use crate::format::TimeZone;
use crate::format::time_of_day;
use crate::store::FleetStore;

/// How many rows the log shows; the export has them all.
const SHOWN: usize = 200;

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
    let zone = TimeZone::from_context();
    let environment = RwSignal::new(EnvironmentFilter::All);
    let component = RwSignal::new(ComponentFilter(None));
    let text = RwSignal::new(String::new());
    let problems_only = RwSignal::new(false);
    let filter = Memo::new(move |_| EventFilter {
        environment: match environment.get() {
            EnvironmentFilter::All => None,
            EnvironmentFilter::Only(e) => Some(e),
        },
        dimension: component.get().0,
        problems_only: problems_only.get(),
        text: text.get(),
    });
    // One pass over the history: how many events match, and the newest of them to show.
    let shown = Memo::new(move |_| {
        let f = filter.get();
        store.history.with(|h| {
            let mut rows = Vec::new();
            let mut matching = 0;
            for event in h.newest_first(&f) {
                if rows.len() < SHOWN {
                    rows.push(event.clone());
                }
                matching += 1;
            }
            (matching, rows)
        })
    });
    let matching = move || shown.with(|(n, _)| *n);
    let export_failed = RwSignal::new(None::<String>);
    let export = move |_| {
        let f = filter.get_untracked();
        let csv = store.history.with_untracked(|h| {
            let mut events: Vec<_> = h.newest_first(&f).collect();
            events.reverse();
            to_csv(events)
        });
        export_failed.set(download("bots-status-events.csv", &csv).err());
    };
    view! {
        <section class="bs-events" aria-label="Event log">
            <h2>"Event log"</h2>
            <p class="bs-events__intro">
                "Every status change of every connector since the app started watching this fleet: what dropped, when, and what came back."
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
                <label class="bs-check">
                    <input
                        type="checkbox"
                        prop:checked=move || problems_only.get()
                        on:change=move |ev| problems_only.set(event_target_checked(&ev))
                    />
                    "Problems only"
                </label>
                <button type="button" class="bs-button" on:click=export disabled=move || matching() == 0>
                    "Export CSV"
                </button>
            </div>
            {move || export_failed.get().map(|why| view! { <p class="bs-field__error" role="alert">{why}</p> })}
            <p class="bs-count" aria-live="polite">
                {move || {
                    let (n, total) = (matching(), store.history.with(|h| h.len()));
                    match n {
                        0 if total == 0 => "No status has changed yet.".to_owned(),
                        0 => format!("None of the {total} events match these filters."),
                        n if n > SHOWN => format!("The newest {SHOWN} of {n} matching events (the export has all {n})."),
                        n => format!("{n} matching event{}.", plural(n)),
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
                            <th scope="col">"Detail"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || shown.with(|(_, rows)| rows.clone()).into_iter().map(|e| view! {
                            <tr class="bs-events__row" data-connector=e.connector.to_string()>
                                <td>{time_of_day(e.at.0 as f64, zone)}</td>
                                <td>{format!("#{} {} ({})", e.connector, e.bot, e.agent)}</td>
                                <td>{e.environment.label()}</td>
                                <td>{e.dimension.label()}</td>
                                <td>
                                    <span class=format!("bs-status bs-status--{}", e.from.tone.name())>{e.from.label}</span>
                                    " → "
                                    <span class=format!("bs-status bs-status--{}", e.to.tone.name())>{e.to.label}</span>
                                </td>
                                <td>{e.detail.clone().unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
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
