//! A connector's timeline in its details view: one horizontal lane per status dimension, so an
//! operator sees when it dropped, for how long, and which component; with the drops in words
//! beneath, for those who do not read colours.

use bots_status_core::history::{Timeline as Lanes, duration_text};
use bots_status_core::model::ConnectorId;
use leptos::prelude::*;

use crate::format::TimeZone;
use crate::format::time_of_day;
use crate::store::FleetStore;

#[component]
pub fn Timeline(
    /// The connector whose timeline this is.
    id: ConnectorId,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let zone = TimeZone::from_context();
    let timeline = Memo::new(move |_| {
        let connector = store.get(id)?;
        let now = store.backend_now_tracked(web_sys::js_sys::Date::now());
        Some(store.history.with(|h| h.timeline(&connector, now)))
    });
    view! {
        <section class="bs-timeline" aria-label="Timeline">
            <h4>"Timeline"</h4>
            {move || timeline.get().map(|t| lanes(&t, zone))}
        </section>
    }
}

fn lanes(t: &Lanes, zone: TimeZone) -> impl IntoView + use<> {
    let span = t.span_ms().max(1) as f64;
    let start = t.start.0;
    let at = move |ms: u64| time_of_day(ms as f64, zone);
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
                            style=format!("left:{left:.3}%;width:{width:.3}%")
                            title=title.clone()
                            aria-label=title
                            data-label=s.reading.label
                        ></span>
                    }
                })
                .collect_view();
            view! {
                <div class="bs-timeline__lane" data-dimension=lane.dimension.slug()>
                    <span class="bs-timeline__name">{lane.dimension.label()}</span>
                    <span class="bs-timeline__bar">{segments}</span>
                </div>
            }
        })
        .collect_view();
    let drops = t.drops();
    let since = at(start);
    let drops_view = if drops.is_empty() {
        view! { <p class="bs-timeline__none">{format!("Nothing has dropped since {since}.")}</p> }
            .into_any()
    } else {
        view! {
            <ul class="bs-timeline__drops">
                {drops
                    .into_iter()
                    .map(|d| {
                        let how_long = duration_text(d.duration_ms());
                        let text = if d.ongoing && d.before_start {
                            format!("{}: {} since before {}, when this page began watching", d.dimension.label(), d.label, at(d.from.0))
                        } else if d.ongoing {
                            format!("{}: {} since {} ({how_long} so far)", d.dimension.label(), d.label, at(d.from.0))
                        } else if d.before_start {
                            format!("{}: {} until {}, from before this page began watching", d.dimension.label(), d.label, at(d.to.0))
                        } else {
                            format!("{}: {} at {} for {how_long}, then recovered", d.dimension.label(), d.label, at(d.from.0))
                        };
                        view! { <li data-ongoing=d.ongoing.to_string()>{text}</li> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <p class="bs-timeline__span">
            {format!("From {since} to {} ({}).", at(t.end.0), duration_text(t.span_ms()))}
        </p>
        <div class="bs-timeline__lanes">{bars}</div>
        {drops_view}
    }
}
