//! What happened to each connector over time: every change of any of its three statuses, as an
//! [`Event`], kept in a [`History`] that whoever watches the fleet feeds with each connector it
//! sees. From it come a connector's [`Timeline`] (when it dropped, for how long, which
//! component) and the fleet's event log, filtered by an [`EventFilter`] and exported as CSV.
//!
//! The history never reads a clock: each observation comes with its time.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use crate::model::{Connector, ConnectorId, Environment, Millis};
use crate::order::ById;
use crate::status::{ConnectorState, Shown, StatusValue, Tone};

/// How many events a history keeps; the oldest go first.
pub const KEEP_EVENTS: usize = 20_000;

/// One of the three status columns; in JSON by its slug.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    Connector,
    Cloud,
    BotServer,
}

impl Dimension {
    pub const ALL: [Dimension; 3] = [Dimension::Connector, Dimension::Cloud, Dimension::BotServer];

    pub fn label(self) -> &'static str {
        match self {
            Dimension::Connector => "Bot Agent Connector",
            Dimension::Cloud => "Conversational Cloud",
            Dimension::BotServer => "Bot Server",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Dimension::Connector => "connector",
            Dimension::Cloud => "cloud",
            Dimension::BotServer => "bot-server",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.slug() == slug)
    }
}

/// A status as shown in one column: its label ("Not Connected", "N/A") and tone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reading {
    pub label: &'static str,
    pub tone: Tone,
}

impl Reading {
    fn of(value: &impl StatusValue) -> Reading {
        Reading {
            label: value.label(),
            tone: value.tone(),
        }
    }

    /// Whether this reading is a failure worth an operator's attention.
    pub fn is_problem(self) -> bool {
        self.tone == Tone::Bad
    }
}

impl Reading {
    /// The reading `dimension` shows with `label` ("Not Connected"), as a history read back
    /// from storage names it; `None` for a label the dimension never shows.
    pub fn known(dimension: Dimension, label: &str) -> Option<Reading> {
        use crate::status::{
            BotServerConnection, ChatLink, CloudConnection, ConnectorStatus, MessagingLink,
        };
        let na = Shown::<ConnectorStatus>::NotApplicable;
        let mut all: Vec<Reading> = vec![Reading::of(&na)];
        match dimension {
            Dimension::Connector => all.extend(ConnectorStatus::ALL.iter().map(Reading::of)),
            Dimension::Cloud => all.extend(
                [
                    CloudConnection::Messaging(MessagingLink::Connected),
                    CloudConnection::Messaging(MessagingLink::NotConnected),
                    CloudConnection::Messaging(MessagingLink::Away),
                    CloudConnection::Chat(ChatLink::Online),
                    CloudConnection::Chat(ChatLink::Offline),
                    CloudConnection::Chat(ChatLink::Away),
                ]
                .iter()
                .map(Reading::of),
            ),
            Dimension::BotServer => all.extend(
                [
                    BotServerConnection::Connected,
                    BotServerConnection::NotConnected,
                ]
                .iter()
                .map(Reading::of),
            ),
        }
        all.into_iter().find(|r| r.label == label)
    }
}

/// The three readings of a state, in [`Dimension::ALL`] order.
pub fn readings(state: &ConnectorState) -> [Reading; 3] {
    let shown = state.statuses();
    [
        Reading::of(&shown.connector),
        Reading::of(&shown.cloud),
        Reading::of(&shown.bot_server),
    ]
}

/// One status of one connector changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub at: Millis,
    pub connector: ConnectorId,
    pub bot: String,
    pub agent: String,
    pub environment: Environment,
    pub dimension: Dimension,
    pub from: Reading,
    pub to: Reading,
    /// Why, where the state says: the error of a connector that became Not Connected.
    pub detail: Option<String>,
}

impl Event {
    /// "Conversational Cloud: Connected → Not Connected".
    pub fn summary(&self) -> String {
        format!(
            "{}: {} → {}",
            self.dimension.label(),
            self.from.label,
            self.to.label
        )
    }
}

/// When a connector's statuses last changed, as far as a history knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LastChange {
    /// A status changed at this time.
    Changed(Millis),
    /// Nothing changed since it was first seen, at this time.
    SeenSince(Millis),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Known {
    readings: [Reading; 3],
    first_seen: Millis,
}

/// The fleet's history of status changes, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    events: VecDeque<Event>,
    known: ById<Known>,
    /// Events let go of to stay within [`KEEP_EVENTS`].
    forgotten: usize,
}

impl History {
    pub fn new() -> History {
        History::default()
    }

    /// Notes `connector` as seen at `at`: each status that differs from the last time it was
    /// seen becomes an event. The first sighting is where its history starts, not an event.
    pub fn record(&mut self, connector: &Connector, at: Millis) {
        let now = readings(&connector.state);
        let Some(known) = self.known.get_mut(connector.id) else {
            let known = Known {
                readings: now,
                first_seen: at,
            };
            self.known.insert(connector.id, known);
            return;
        };
        let before = std::mem::replace(&mut known.readings, now);
        self.events.extend(status_changes(&before, connector, at));
        while self.events.len() > KEEP_EVENTS {
            self.events.pop_front();
            self.forgotten += 1;
        }
    }

    /// Notes every connector of a snapshot at `at`, as [`History::record`] notes each. A
    /// history that knows none of them yet (a new fleet) is built in one go: at 100,000
    /// connectors that is a fraction of the time their inserts one by one take.
    pub fn record_all(&mut self, connectors: &[Connector], at: Millis) {
        if !self.known.is_empty() {
            for c in connectors {
                self.record(c, at);
            }
            return;
        }
        self.known = ById::of(connectors, |c| Known {
            readings: readings(&c.state),
            first_seen: at,
        });
    }

    /// Forgets a deleted connector's current state; its events stay in the log.
    pub fn removed(&mut self, id: ConnectorId) {
        self.known.remove(id);
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// How many of the oldest events were let go of.
    pub fn forgotten(&self) -> usize {
        self.forgotten
    }

    pub fn events(&self) -> impl DoubleEndedIterator<Item = &Event> {
        self.events.iter()
    }

    /// When `id`'s statuses last changed, as far as this history knows: its newest event,
    /// else when it was first seen (`None` for a connector never seen).
    pub fn last_change(&self, id: ConnectorId) -> Option<LastChange> {
        match self.events.iter().rev().find(|e| e.connector == id) {
            Some(e) => Some(LastChange::Changed(e.at)),
            None => self
                .known
                .get(id)
                .map(|k| LastChange::SeenSince(k.first_seen)),
        }
    }

    /// `connector`'s statuses from when it was first seen until `now`, one lane per dimension:
    /// what the tests build timelines from (the app reads its timelines from the backend's
    /// record, `crate::audit::timeline_body`).
    #[cfg(test)]
    pub(crate) fn timeline(&self, connector: &Connector, now: Millis) -> Timeline {
        let start = self
            .known
            .get(connector.id)
            .map_or(now, |k| k.first_seen)
            .min(now);
        let events = self.events.iter().filter(|e| e.connector == connector.id);
        Timeline::of(events, readings(&connector.state), start, now)
    }
}

/// The events of `connector` changing from the readings `before` (in [`Dimension::ALL`]
/// order) to what it shows now, at `at`: one per status that differs.
pub fn status_changes(before: &[Reading; 3], connector: &Connector, at: Millis) -> Vec<Event> {
    let now = readings(&connector.state);
    Dimension::ALL
        .into_iter()
        .enumerate()
        .filter(|(i, _)| before[*i] != now[*i])
        .map(|(i, dimension)| Event {
            at,
            connector: connector.id,
            bot: connector.bot.name.clone(),
            agent: connector.settings.agent_user_id.clone(),
            environment: connector.environment(),
            dimension,
            from: before[i],
            to: now[i],
            detail: match (dimension, connector.state.problem()) {
                (Dimension::Connector, Some(problem)) => Some(problem.title()),
                _ => None,
            },
        })
        .collect()
}

/// A stretch of time during which one status stayed the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub from: Millis,
    pub to: Millis,
    pub reading: Reading,
}

impl Segment {
    pub fn duration_ms(&self) -> u64 {
        self.to.since(self.from)
    }
}

/// One dimension's segments, in time order, without gaps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    pub dimension: Dimension,
    pub segments: Vec<Segment>,
}

/// A connector's three lanes over the same span of time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    pub start: Millis,
    pub end: Millis,
    pub lanes: [Lane; 3],
}

/// A stretch during which one component was failing; `ongoing` when it still is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drop {
    pub dimension: Dimension,
    pub label: &'static str,
    pub from: Millis,
    pub to: Millis,
    pub ongoing: bool,
    /// It was already failing when the history of this connector began, so it started
    /// earlier than `from`.
    pub before_start: bool,
}

impl Drop {
    pub fn duration_ms(&self) -> u64 {
        self.to.since(self.from)
    }
}

impl Timeline {
    /// One connector's lanes from `start` to `now`, out of its status changes in time order,
    /// ending in the readings it shows now. Before its first change in
    /// a lane, that lane shows what the change came from.
    pub fn of<'a>(
        events: impl IntoIterator<Item = &'a Event>,
        current: [Reading; 3],
        start: Millis,
        now: Millis,
    ) -> Timeline {
        let mut changes: [Vec<&Event>; 3] = Default::default();
        for e in events {
            changes[e.dimension as usize].push(e);
        }
        let lanes = Dimension::ALL.map(|dimension| {
            let index = dimension as usize;
            let changes = &changes[index];
            let mut segments = Vec::new();
            let mut from = start;
            let mut reading = changes.first().map_or(current[index], |e| e.from);
            for change in changes {
                if change.at > from {
                    segments.push(Segment {
                        from,
                        to: change.at,
                        reading,
                    });
                }
                from = change.at.max(from);
                reading = change.to;
            }
            segments.push(Segment {
                from,
                to: now.max(from),
                reading,
            });
            Lane {
                dimension,
                segments,
            }
        });
        Timeline {
            start,
            end: now.max(start),
            lanes,
        }
    }

    /// The share of the span (0 to 1) during which the connector was Online with both links
    /// up: every lane Good at once. `None` for an empty span.
    pub fn uptime(&self) -> Option<f64> {
        let span = self.span_ms();
        if span == 0 {
            return None;
        }
        // Walk the three lanes together: each boundary of any lane starts a stretch.
        let mut bounds: Vec<Millis> = self
            .lanes
            .iter()
            .flat_map(|l| l.segments.iter().flat_map(|s| [s.from, s.to]))
            .filter(|t| *t >= self.start && *t <= self.end)
            .collect();
        crate::order::sort(&mut bounds);
        bounds.dedup();
        // Each lane's segments are in time order, so one cursor per lane walks them once.
        let mut at = [0usize; 3];
        let mut up = 0;
        for w in bounds.windows(2) {
            let all_good = self.lanes.iter().zip(at.iter_mut()).all(|(lane, i)| {
                while *i < lane.segments.len() && lane.segments[*i].to <= w[0] {
                    *i += 1;
                }
                lane.segments
                    .get(*i)
                    .is_some_and(|s| s.from <= w[0] && s.reading.tone == Tone::Good)
            });
            if all_good {
                up += w[1].since(w[0]);
            }
        }
        Some(up as f64 / span as f64)
    }

    /// The same timeline carried on to `now`: each lane's last reading holds until then, as
    /// nothing has changed since it was made. An earlier `now` leaves it as it is.
    pub fn until(mut self, now: Millis) -> Timeline {
        if now > self.end {
            self.end = now;
            for lane in &mut self.lanes {
                if let Some(last) = lane.segments.last_mut() {
                    last.to = now;
                }
            }
        }
        self
    }

    pub fn span_ms(&self) -> u64 {
        self.end.since(self.start)
    }

    /// Every stretch of a failing status, oldest first: what dropped, when, for how long.
    pub fn drops(&self) -> Vec<Drop> {
        let mut drops: Vec<Drop> = self
            .lanes
            .iter()
            .flat_map(|lane| {
                let start = self.start;
                let last = lane.segments.len().saturating_sub(1);
                lane.segments
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.reading.is_problem())
                    .map(move |(i, s)| Drop {
                        dimension: lane.dimension,
                        label: s.reading.label,
                        from: s.from,
                        to: s.to,
                        ongoing: i == last,
                        before_start: s.from == start,
                    })
            })
            .collect();
        crate::order::sort_by_key(&mut drops, |d| (d.from, d.dimension));
        drops
    }
}

/// How far back a connector's timeline looks: the last hour, day or week.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Period {
    Hour,
    #[default]
    Day,
    Week,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Hour, Period::Day, Period::Week];

    pub fn ms(self) -> u64 {
        const HOUR: u64 = 3_600_000;
        match self {
            Period::Hour => HOUR,
            Period::Day => 24 * HOUR,
            Period::Week => 7 * 24 * HOUR,
        }
    }

    /// What the choice reads: "Last hour".
    pub fn label(self) -> &'static str {
        match self {
            Period::Hour => "Last hour",
            Period::Day => "Last 24 hours",
            Period::Week => "Last 7 days",
        }
    }

    /// The period in a sentence: "Uptime over the last hour".
    pub fn words(self) -> &'static str {
        match self {
            Period::Hour => "the last hour",
            Period::Day => "the last 24 hours",
            Period::Week => "the last 7 days",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Period::Hour => "1h",
            Period::Day => "24h",
            Period::Week => "7d",
        }
    }

    /// Where the period that ends at `now` begins.
    pub fn since(self, now: Millis) -> Millis {
        Millis(now.0.saturating_sub(self.ms()))
    }
}

/// "83.3 %": a share (0 to 1) as a percentage with one decimal, never rounded up to 100 %
/// while any of it was down, nor down to 0 % while any of it was up.
pub fn percent_text(share: f64) -> String {
    let tenths = (share.clamp(0.0, 1.0) * 1000.0).round();
    let tenths = if share < 1.0 {
        tenths.min(999.0)
    } else {
        tenths
    };
    let tenths = if share > 0.0 { tenths.max(1.0) } else { tenths };
    format!("{} %", crate::words::decimal(tenths / 10.0, 1))
}

/// "2 min 5 s", "45 s", "1 h 3 min": a duration as a person reads it.
pub fn duration_text(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..3600 if s.is_multiple_of(60) => format!("{} min", s / 60),
        60..3600 => format!("{} min {} s", s / 60, s % 60),
        _ => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// The first millisecond ISO 8601's four-digit years cannot write (the year 10000).
const YEAR_10000_MS: u64 = 253_402_300_800_000;

/// An event's time as ISO 8601 in UTC, to the millisecond; a time past the year 9999 (which
/// only a hand-written scenario could reach) is written as milliseconds since 1970.
pub fn iso_time(at: Millis) -> String {
    if at.0 >= YEAR_10000_MS {
        return format!("{} ms after 1970-01-01T00:00:00Z", at.0);
    }
    let time = SystemTime::UNIX_EPOCH + Duration::from_millis(at.0);
    humantime::format_rfc3339_millis(time).to_string()
}

/// A text cell as a spreadsheet may safely open it: one that starts like a formula (`=`, `+`,
/// `-`, `@`, or a tab or carriage return before one) is prefixed with `'`, so a bot named
/// `=HYPERLINK(…)` is shown as text, never run (OWASP's CSV injection advice).
pub fn csv_text(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
pub(crate) mod tests;
