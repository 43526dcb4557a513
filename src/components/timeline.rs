//! A connector's timeline in its details view: one horizontal lane per status dimension over
//! the last hour, day or week, from the backend's record (the server's durable history in live
//! mode), so an operator sees when it dropped, for how long, which component, and its uptime;
//! with the drops in words beneath, for those who do not read colours.

use bots_status_core::audit::TimelineBody;
use bots_status_core::history::{Period, Timeline as Lanes, duration_text, percent_text, readings};
use bots_status_core::model::{ConnectorId, Millis};
use bots_status_core::words::decimal;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::backend::BackendRef;
use crate::components::choice::Choice;
use crate::effect::effect;
use crate::format::{TimeZone, moment};
use crate::store::FleetStore;

#[component]
pub fn Timeline(
    /// The connector whose timeline this is.
    id: ConnectorId,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let backend = expect_context::<BackendRef>();
    let zone = TimeZone::from_context();
    let period = RwSignal::new(Period::default());
    // What the connector shows now: a change of it is a new segment, read again. A load
    // change is none.
    let shown = Memo::new(move |_| store.get(id).map(|c| readings(&c.state)));
    // The body read, with the period it was asked for and where that began.
    let body = RwSignal::new(None::<(Period, Millis, TimelineBody)>);
    let failed = RwSignal::new(None::<String>);
    // Each read is numbered: an answer to an older one is dropped.
    let reads = StoredValue::new(0u64);
    effect(move || {
        let period = period.get();
        if shown.get().is_none() {
            return;
        }
        let read = reads.get_value() + 1;
        reads.set_value(read);
        let since = period.since(store.backend_now(web_sys::js_sys::Date::now()));
        let backend = backend.get_value();
        spawn_local(async move {
            let answer = backend.timeline(id, since).await;
            // An answer for details that have closed, or to an older read, is dropped.
            if reads.try_get_value() != Some(read) {
                return;
            }
            match answer {
                Ok(b) => {
                    body.set(Some((period, since, b)));
                    failed.set(None);
                }
                Err(e) => failed.set(Some(format!("The timeline cannot be read: {e}"))),
            }
        });
    });
    // The lanes as read, carried on to now (moving with each event the store takes): nothing
    // has changed since, or it would be read again.
    let timeline = Memo::new(move |_| {
        shown.get()?;
        store.updated_at.track();
        let now = store.backend_now_tracked(web_sys::js_sys::Date::now());
        let (period, since, lanes) = body.with(|b| {
            b.as_ref()
                .and_then(|(period, since, b)| Some((*period, *since, b.timeline()?)))
        })?;
        Some((lanes.until(now), period, since))
    });
    view! {
        <section class="bs-timeline" aria-label="Timeline">
            <div class="bs-timeline__head">
                <h4>"Timeline"</h4>
                <Choice
                    label="Period"
                    options=Period::ALL.to_vec()
                    slug=Period::slug
                    text=Callback::new(|p: Period| p.label().to_owned())
                    current=period.into()
                    on_change=Callback::new(move |p| period.set(p))
                />
            </div>
            {move || failed.get().map(|f| view! { <p class="bs-timeline__failed" role="alert">{f}</p> }.into_any())}
            {move || match timeline.get() {
                Some((t, period, since)) => lanes(&t, period, since, zone).into_any(),
                None if failed.with(Option::is_none) => {
                    view! { <p class="bs-timeline__none">"Reading the timeline…"</p> }.into_any()
                }
                None => ().into_any(),
            }}
        </section>
    }
}

fn lanes(t: &Lanes, period: Period, since: Millis, zone: TimeZone) -> impl IntoView + use<> {
    let span = t.span_ms().max(1) as f64;
    let start = t.start.0;
    let end = t.end.0 as f64;
    let at = move |ms: u64| moment(ms as f64, end, zone);
    // Where the record begins within the period, the timeline does: it says so.
    let history_begins = t.start > since;
    let origin = if history_begins {
        "when the history begins"
    } else {
        "the start of the period"
    };
    let uptime = t.uptime().map(|share| {
        let over = if history_begins {
            format!("since {}, when the history begins", at(start))
        } else {
            format!("over {}", period.words())
        };
        view! {
            <p class="bs-timeline__uptime" data-uptime=decimal(share, 4)>
                <strong>{format!("Uptime {}", percent_text(share))}</strong>
                {format!(" {over}: Online with both links up.")}
            </p>
        }
        .into_any()
    });
    let bars = t
        .lanes
        .iter()
        .map(|lane| {
            let segments = lane
                .segments
                .iter()
                .map(|s| {
                    let left = (s.from.0 - start) as f64 / span * 100.0;
                    let width = (s.duration_ms() as f64 / span * 100.0).max(0.5);
                    let title = format!(
                        "{}: {} from {} to {} ({})",
                        lane.dimension.label(),
                        s.reading.label,
                        at(s.from.0),
                        at(s.to.0),
                        duration_text(s.duration_ms())
                    );
                    view! {
                        <span
                            class=format!("bs-timeline__segment bs-status--{}", s.reading.tone.name())
                            style=format!("left:{}%;width:{}%", decimal(left, 3), decimal(width, 3))
                            title=title.clone()
                            aria-label=title
                            data-label=s.reading.label
                        ></span>
                    }
                    .into_any()
                })
                .collect_view();
            view! {
                <div class="bs-timeline__lane" data-dimension=lane.dimension.slug()>
                    <span class="bs-timeline__name">{lane.dimension.label()}</span>
                    <span class="bs-timeline__bar">{segments}</span>
                </div>
            }
            .into_any()
        })
        .collect_view();
    let drops = t.drops();
    let from = at(start);
    let drops_view = if drops.is_empty() {
        view! { <p class="bs-timeline__none">{format!("Nothing has dropped since {from}.")}</p> }
            .into_any()
    } else {
        view! {
            <ul class="bs-timeline__drops">
                {drops
                    .into_iter()
                    .map(|d| {
                        let how_long = duration_text(d.duration_ms());
                        let what = format!("{}: {}", d.dimension.label(), d.label);
                        let text = if d.ongoing && d.before_start {
                            format!("{what} since before {} ({origin})", at(d.from.0))
                        } else if d.ongoing {
                            format!("{what} since {} ({how_long} so far)", at(d.from.0))
                        } else if d.before_start {
                            format!("{what} until {}, from before {from} ({origin})", at(d.to.0))
                        } else {
                            format!("{what} at {} for {how_long}, then recovered", at(d.from.0))
                        };
                        view! { <li data-ongoing=d.ongoing.to_string()>{text}</li> }.into_any()
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        {uptime}
        <p class="bs-timeline__span">
            {format!("From {from} to {} ({}).", at(t.end.0), duration_text(t.span_ms()))}
        </p>
        <div class="bs-timeline__lanes">{bars}</div>
        {drops_view}
    }
}
