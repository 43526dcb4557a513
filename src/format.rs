//! Times as the app writes them: HH:MM:SS in every locale, in the browser's time zone or in
//! UTC. Counts and limits come from the core (`bots_status_core::words`).

use bots_status_core::model::Millis;

/// Which time zone times are shown in; the format (HH:MM:SS) is the same in every locale.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeZone {
    #[default]
    Local,
    Utc,
}

impl TimeZone {
    /// The time zone of the app this component is in.
    pub fn from_context() -> TimeZone {
        leptos::prelude::use_context::<TimeZone>().unwrap_or_default()
    }
}

/// A wall-clock time (ms since 1970) as "16:42:05", or "16:42:05 UTC".
pub fn time_of_day(ms: f64, zone: TimeZone) -> String {
    let date = web_sys::js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    match zone {
        TimeZone::Local => format!(
            "{:02}:{:02}:{:02}",
            date.get_hours(),
            date.get_minutes(),
            date.get_seconds()
        ),
        TimeZone::Utc => format!(
            "{:02}:{:02}:{:02} UTC",
            date.get_utc_hours(),
            date.get_utc_minutes(),
            date.get_utc_seconds()
        ),
    }
}

/// A moment as "10:42" (or "10:42 UTC"): when a connection was lost.
pub fn hour_and_minute(at: Millis, zone: TimeZone) -> String {
    let full = time_of_day(at.0 as f64, zone);
    // HH:MM:SS[ UTC] without the seconds.
    format!("{}{}", &full[..5], &full[8..])
}

/// A duration as "2:05" (minutes and seconds): how long an exercise has taken.
pub fn minutes_and_seconds(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A moment as "16:42:05" when it falls on the same day as `now`, else as
/// "2026-11-30 16:42:05": the times of a week's timeline.
pub fn moment(ms: f64, now: f64, zone: TimeZone) -> String {
    let day = |ms: f64| {
        let d = web_sys::js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
        match zone {
            TimeZone::Local => (d.get_full_year(), d.get_month() + 1, d.get_date()),
            TimeZone::Utc => (
                d.get_utc_full_year(),
                d.get_utc_month() + 1,
                d.get_utc_date(),
            ),
        }
    };
    let time = time_of_day(ms, zone);
    let (y, m, d) = day(ms);
    if (y, m, d) == day(now) {
        time
    } else {
        format!("{y:04}-{m:02}-{d:02} {time}")
    }
}
