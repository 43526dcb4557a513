//! The fleet's durable record, as the live API gives it (`GET /api/v1/history`,
//! `GET /api/v1/connectors/{id}/timeline`): every change of a connector's three statuses and
//! every operator action with who did it and how it ended, newest first, paged by a cursor
//! that a change made meanwhile cannot shift.
//!
//! The server keeps it in SQLite; the simulated backend answers the same questions from its
//! own [`crate::history::History`], so both modes show the same pages.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::caseless;
use crate::history::{Dimension, Event, KEEP_EVENTS, Reading, Timeline, readings, status_changes};
use crate::model::{Connector, ConnectorId, Environment, Millis};
use crate::order::ById;

/// The most entries one page holds; `limit` asks for fewer.
pub const PAGE_MAX: usize = 500;
/// A page's size when `limit` is not given.
pub const PAGE_DEFAULT: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// One of a connector's three statuses changed.
    Status,
    /// Someone asked for an action.
    Action,
}

/// How an action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Done,
    /// Not allowed, or the connector had moved on: `detail` says why.
    Refused,
    /// The server failed while doing it: `detail` says how.
    Failed,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Done => "Done",
            Outcome::Refused => "Refused",
            Outcome::Failed => "Failed",
        }
    }
}

/// One thing that happened. A status change fills `component`, `from` and `to`; an action
/// fills `actor`, `action` and `outcome`. `detail` is a status's error or an action's reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Grows with every entry: newer entries have larger ids.
    pub id: u64,
    pub at: Millis,
    pub kind: EntryKind,
    /// `None` for the PCS connector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector: Option<ConnectorId>,
    #[serde(default)]
    pub bot: String,
    #[serde(default)]
    pub agent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Dimension>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// A change into a failing status, or an action that did not get done.
    #[serde(default)]
    pub problem: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The action as the API names it ("stop", "redeploy", "pcs_refresh").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Entry {
    /// A status change as an entry numbered `id`.
    pub fn status(id: u64, event: &Event) -> Entry {
        Entry {
            id,
            at: event.at,
            kind: EntryKind::Status,
            connector: Some(event.connector),
            bot: event.bot.clone(),
            agent: event.agent.clone(),
            environment: Some(event.environment),
            component: Some(event.dimension),
            from: Some(event.from.label.to_owned()),
            to: Some(event.to.label.to_owned()),
            problem: event.to.is_problem(),
            actor: None,
            action: None,
            outcome: None,
            detail: event.detail.clone(),
        }
    }

    /// The status change this entry records, read back; `None` for an action or a label the
    /// component never shows.
    pub fn event(&self) -> Option<Event> {
        let dimension = self.component?;
        Some(Event {
            at: self.at,
            connector: self.connector?,
            bot: self.bot.clone(),
            agent: self.agent.clone(),
            environment: self.environment?,
            dimension,
            from: Reading::known(dimension, self.from.as_deref()?)?,
            to: Reading::known(dimension, self.to.as_deref()?)?,
            detail: self.detail.clone(),
        })
    }

    /// What happened, in words: "Bot Server: Connected → Not Connected", "stop: Done".
    pub fn summary(&self) -> String {
        match (self.kind, self.component) {
            (EntryKind::Status, Some(d)) => format!(
                "{}: {} → {}",
                d.label(),
                self.from.as_deref().unwrap_or("?"),
                self.to.as_deref().unwrap_or("?")
            ),
            _ => format!(
                "{}: {}",
                self.action.as_deref().unwrap_or("action"),
                self.outcome.map_or("?", Outcome::label)
            ),
        }
    }
}

/// What an action was asked of, as the history names it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    pub connector: Option<ConnectorId>,
    pub bot: String,
    pub agent: String,
    pub environment: Option<Environment>,
}

impl Subject {
    /// Connector `id`, as `connector` (what is known of it before the action) names it.
    pub fn of(id: ConnectorId, connector: Option<&Connector>) -> Subject {
        Subject {
            connector: Some(id),
            bot: connector.map(|c| c.bot.name.clone()).unwrap_or_default(),
            agent: connector
                .map(|c| c.settings.agent_user_id.clone())
                .unwrap_or_default(),
            environment: connector.map(Connector::environment),
        }
    }

    /// The shared PCS connector, which serves Production.
    pub fn pcs() -> Subject {
        Subject {
            connector: None,
            bot: "PCS".to_owned(),
            agent: String::new(),
            environment: Some(Environment::Production),
        }
    }

    /// The entry of `actor` asking for `action` of this at `at`, and how it ended.
    pub fn entry(
        self,
        actor: &str,
        action: &str,
        at: Millis,
        outcome: Outcome,
        detail: Option<String>,
    ) -> Entry {
        Entry {
            id: 0,
            at,
            kind: EntryKind::Action,
            connector: self.connector,
            bot: self.bot,
            agent: self.agent,
            environment: self.environment,
            component: None,
            from: None,
            to: None,
            problem: outcome != Outcome::Done,
            actor: Some(actor.to_owned()),
            action: Some(action.to_owned()),
            outcome: Some(outcome),
            detail,
        }
    }
}

/// What happens in a fleet, kept in memory: the simulated backend's answer to the history's
/// questions, as the server's database is the live one's. Bounded: the oldest go first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// Oldest first.
    entries: VecDeque<Entry>,
    shown: ById<[Reading; 3]>,
    last_id: u64,
    /// Since when it knows what happened: its first sighting, or the newest entry it has let
    /// go of.
    began: Option<Millis>,
}

impl Record {
    pub fn new() -> Record {
        Record::default()
    }

    fn push(&mut self, mut entry: Entry) {
        self.last_id += 1;
        entry.id = self.last_id;
        self.entries.push_back(entry);
        while self.entries.len() > KEEP_EVENTS {
            if let Some(gone) = self.entries.pop_front() {
                self.began = Some(self.began.map_or(gone.at, |b| b.max(gone.at)));
            }
        }
    }

    /// Notes `connector` as seen at `at`: each status that differs from the last sighting
    /// becomes an entry. The first sighting is where its record starts.
    pub fn observe(&mut self, connector: &Connector, at: Millis) {
        self.began.get_or_insert(at);
        let now = readings(&connector.state);
        if let Some(before) = self.shown.insert(connector.id, now) {
            for event in status_changes(&before, connector, at) {
                self.push(Entry::status(0, &event));
            }
        }
    }

    /// Notes every connector of a snapshot at `at`, as [`Record::observe`] notes each: a
    /// record that has seen none of them yet is built in one go.
    pub fn observe_all(&mut self, connectors: &[Connector], at: Millis) {
        if !self.shown.is_empty() {
            for c in connectors {
                self.observe(c, at);
            }
            return;
        }
        self.began.get_or_insert(at);
        self.shown = ById::of(connectors, |c| readings(&c.state));
    }

    /// Forgets a deleted connector's current state; its entries stay.
    pub fn removed(&mut self, id: ConnectorId) {
        self.shown.remove(id);
    }

    /// Keeps an action's entry.
    pub fn action(&mut self, entry: Entry) {
        self.push(entry);
    }

    /// The page `query` asks for.
    pub fn page(&self, query: &HistoryQuery) -> HistoryPage {
        query.page(self.entries.iter().rev())
    }

    /// `connector`'s timeline from `since` until `now`, as the server's
    /// `GET /connectors/{id}/timeline` gives it.
    pub fn timeline(&self, connector: &Connector, since: Millis, now: Millis) -> TimelineBody {
        // `timeline_body` passes over the other connectors' entries.
        let entries = self.entries.iter().filter(|e| e.at >= since);
        timeline_body(connector, entries, since, self.began.unwrap_or(now), now)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Which entries a history request asks for; each filter narrows, and all hold at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryQuery {
    pub connector: Option<ConnectorId>,
    /// The bot's name, whole, ignoring case.
    pub bot: Option<String>,
    pub environment: Option<Environment>,
    pub component: Option<Dimension>,
    /// The actor, whole, ignoring case; only actions have one.
    pub actor: Option<String>,
    pub kind: Option<EntryKind>,
    /// Part of the bot's name or the agent user ID, ignoring case, or a connector number
    /// (`7` or `#7`).
    pub text: String,
    /// Changes into a failing status, and actions that were not done.
    pub problems_only: bool,
    /// At or after this time.
    pub since: Option<Millis>,
    /// Before this time.
    pub until: Option<Millis>,
    /// Entries older than this id: the `next` of the page before.
    pub before: Option<u64>,
    pub limit: usize,
}

fn environment_slug(e: Environment) -> &'static str {
    match e {
        Environment::Demo => "demo",
        Environment::Production => "production",
    }
}

fn kind_slug(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Status => "status",
        EntryKind::Action => "action",
    }
}

impl HistoryQuery {
    /// Reads `?connector=7&bot=…&env=production&component=bot-server&actor=…&kind=action&
    /// problems=1&since=MS&until=MS&before=ID&limit=N`: the query, or what cannot be read.
    pub fn from_query_string(query: &str) -> Result<HistoryQuery, String> {
        let mut q = HistoryQuery {
            limit: PAGE_DEFAULT,
            ..HistoryQuery::default()
        };
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut wrong = Vec::new();
        let number = |v: &str| v.trim().parse::<u64>().ok();
        let text = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let ok = match key.as_ref() {
                "connector" => number(&value).map(|n| q.connector = Some(ConnectorId(n))),
                "bot" => text(&value).map(|v| q.bot = Some(v)),
                "env" => Environment::ALL
                    .into_iter()
                    .find(|e| environment_slug(*e) == value)
                    .map(|e| q.environment = Some(e)),
                "component" => Dimension::from_slug(&value).map(|d| q.component = Some(d)),
                "actor" => text(&value).map(|v| q.actor = Some(v)),
                "q" => {
                    q.text = value.to_string();
                    Some(())
                }
                "kind" => [EntryKind::Status, EntryKind::Action]
                    .into_iter()
                    .find(|k| kind_slug(*k) == value)
                    .map(|k| q.kind = Some(k)),
                "problems" => match value.as_ref() {
                    "1" | "true" => Some(true),
                    "0" | "false" => Some(false),
                    _ => None,
                }
                .map(|on| q.problems_only = on),
                "since" => number(&value).map(|n| q.since = Some(Millis(n))),
                "until" => number(&value).map(|n| q.until = Some(Millis(n))),
                "before" => number(&value).map(|n| q.before = Some(n)),
                "limit" => number(&value)
                    .filter(|n| (1..=PAGE_MAX as u64).contains(n))
                    .map(|n| q.limit = n as usize),
                // The event stream's token may ride in the query; it is not a filter.
                "access_token" => Some(()),
                _ => None,
            };
            if ok.is_none() {
                wrong.push(format!("{key}={value}"));
            }
        }
        if wrong.is_empty() {
            Ok(q)
        } else {
            Err(format!(
                "These history filters cannot be read: {}. Numbers are whole (times in milliseconds since 1970), env is demo or production, component is connector, cloud or bot-server, kind is status or action, and limit is from 1 to {PAGE_MAX}.",
                wrong.join(", ")
            ))
        }
    }

    /// The query as [`HistoryQuery::from_query_string`] reads it, without the `?`.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(c) = self.connector {
            out.append_pair("connector", &c.0.to_string());
        }
        if let Some(b) = &self.bot {
            out.append_pair("bot", b);
        }
        if let Some(e) = self.environment {
            out.append_pair("env", environment_slug(e));
        }
        if let Some(d) = self.component {
            out.append_pair("component", d.slug());
        }
        if let Some(a) = &self.actor {
            out.append_pair("actor", a);
        }
        if let Some(k) = self.kind {
            out.append_pair("kind", kind_slug(k));
        }
        if !self.text.trim().is_empty() {
            out.append_pair("q", self.text.trim());
        }
        if self.problems_only {
            out.append_pair("problems", "1");
        }
        if let Some(t) = self.since {
            out.append_pair("since", &t.0.to_string());
        }
        if let Some(t) = self.until {
            out.append_pair("until", &t.0.to_string());
        }
        if let Some(b) = self.before {
            out.append_pair("before", &b.to_string());
        }
        if self.limit != PAGE_DEFAULT && self.limit != 0 {
            out.append_pair("limit", &self.limit.to_string());
        }
        out.finish()
    }

    /// Whether `entry` is one this query asks for (its page aside).
    pub fn matches(&self, entry: &Entry) -> bool {
        let same = |want: &Option<String>, have: &str| {
            want.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(have))
        };
        self.connector.is_none_or(|c| entry.connector == Some(c))
            && same(&self.bot, &entry.bot)
            && self
                .environment
                .is_none_or(|e| entry.environment == Some(e))
            && self.component.is_none_or(|d| entry.component == Some(d))
            && self.actor.as_ref().is_none_or(|a| {
                entry
                    .actor
                    .as_deref()
                    .is_some_and(|have| have.eq_ignore_ascii_case(a))
            })
            && self.kind.is_none_or(|k| entry.kind == k)
            && self.text_matches(entry)
            && (!self.problems_only || entry.problem)
            && self.since.is_none_or(|t| entry.at >= t)
            && self.until.is_none_or(|t| entry.at < t)
            && self.before.is_none_or(|b| entry.id < b)
    }

    /// The connector number the text names, if it is one (`7`, `#7`).
    pub fn text_number(&self) -> Option<u64> {
        self.text.trim().trim_start_matches('#').parse().ok()
    }

    fn text_matches(&self, entry: &Entry) -> bool {
        let text = caseless::lowercase(self.text.trim());
        text.is_empty()
            || caseless::contains(&entry.bot, &text)
            || caseless::contains(&entry.agent, &text)
            || self
                .text_number()
                .is_some_and(|n| entry.connector == Some(ConnectorId(n)))
    }

    /// The page of `newest_first` (entries newest first) this query asks for.
    pub fn page<'a>(&self, newest_first: impl IntoIterator<Item = &'a Entry>) -> HistoryPage {
        let limit = self.limit.clamp(1, PAGE_MAX);
        let mut entries: Vec<Entry> = newest_first
            .into_iter()
            .filter(|e| self.matches(e))
            .take(limit + 1)
            .cloned()
            .collect();
        let more = entries.len() > limit;
        entries.truncate(limit);
        HistoryPage {
            next: entries.last().filter(|_| more).map(|e| e.id),
            entries,
        }
    }
}

/// Entries as CSV, one row each, with a header: what a spreadsheet or a ticket takes. Text
/// cells that look like formulas open as text ([`crate::history::csv_text`]).
pub fn to_csv<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> String {
    use crate::history::{csv_text, iso_time};
    let mut out = String::new();
    push_csv_row(
        &mut out,
        &[
            "time_utc",
            "connector",
            "bot",
            "agent_user_id",
            "environment",
            "kind",
            "component",
            "from",
            "to",
            "actor",
            "action",
            "outcome",
            "detail",
        ],
    );
    for e in entries {
        let time = iso_time(e.at);
        let connector = e.connector.map(|c| c.to_string()).unwrap_or_default();
        let cells = [
            time.as_str(),
            connector.as_str(),
            e.bot.as_str(),
            e.agent.as_str(),
            e.environment.map_or("", Environment::label),
            match e.kind {
                EntryKind::Status => "status",
                EntryKind::Action => "action",
            },
            e.component.map_or("", Dimension::label),
            e.from.as_deref().unwrap_or(""),
            e.to.as_deref().unwrap_or(""),
            e.actor.as_deref().unwrap_or(""),
            e.action.as_deref().unwrap_or(""),
            e.outcome.map_or("", Outcome::label),
            e.detail.as_deref().unwrap_or(""),
        ]
        .map(csv_text);
        push_csv_row(&mut out, &cells.each_ref().map(|cell| cell.as_ref()));
    }
    out
}

/// One CSV row as RFC 4180 has it, ended by `\n`: a cell holding a comma, a quote or a line
/// break is quoted, its quotes doubled. It is what the `csv` crate writes (a test checks),
/// without the crate: its writer carries a float parser, for a quoting style this never uses,
/// that cost the app's download 15 KB gzip.
fn push_csv_row(out: &mut String, cells: &[&str]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}

/// One page of history, newest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub entries: Vec<Entry>,
    /// Where the next (older) page starts: send it as `before`. `None` on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
}

/// One stretch of one lane, as the timeline API gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SegmentBody {
    pub from: Millis,
    pub to: Millis,
    pub status: String,
    /// good, progress, warning, bad or neutral: how the app colours it.
    pub tone: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LaneBody {
    pub component: Dimension,
    pub segments: Vec<SegmentBody>,
}

/// `GET /connectors/{id}/timeline`: the three lanes over a period, and the uptime in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TimelineBody {
    pub connector: ConnectorId,
    pub since: Millis,
    pub until: Millis,
    /// The share of the period (0 to 1) it was Online with both links up; `None` for an
    /// empty period.
    pub uptime: Option<f64>,
    pub lanes: Vec<LaneBody>,
}

impl TimelineBody {
    pub fn of(connector: ConnectorId, timeline: &Timeline) -> TimelineBody {
        TimelineBody {
            connector,
            since: timeline.start,
            until: timeline.end,
            uptime: timeline.uptime(),
            lanes: timeline
                .lanes
                .iter()
                .map(|lane| LaneBody {
                    component: lane.dimension,
                    segments: lane
                        .segments
                        .iter()
                        .map(|s| SegmentBody {
                            from: s.from,
                            to: s.to,
                            status: s.reading.label.to_owned(),
                            tone: s.reading.tone.name().to_owned(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The timeline this body describes, read back; `None` for a lane missing or a status
    /// its component never shows.
    pub fn timeline(&self) -> Option<Timeline> {
        let lane = |dimension: Dimension| {
            let body = self.lanes.iter().find(|l| l.component == dimension)?;
            let segments = body
                .segments
                .iter()
                .map(|s| {
                    Some(crate::history::Segment {
                        from: s.from,
                        to: s.to,
                        reading: Reading::known(dimension, &s.status)?,
                    })
                })
                .collect::<Option<Vec<_>>>()?;
            Some(crate::history::Lane {
                dimension,
                segments,
            })
        };
        let [a, b, c] = Dimension::ALL.map(lane);
        Some(Timeline {
            start: self.since,
            end: self.until,
            lanes: [a?, b?, c?],
        })
    }
}

/// `connector`'s three lanes from `since` until `now` out of its status entries since then,
/// oldest first (any other entries are passed over), with its uptime. A record that `began`
/// after `since` starts the timeline there: what came before it is not known.
pub fn timeline_body<'a>(
    connector: &Connector,
    entries: impl IntoIterator<Item = &'a Entry>,
    since: Millis,
    began: Millis,
    now: Millis,
) -> TimelineBody {
    let events: Vec<Event> = entries
        .into_iter()
        .filter(|e| e.connector == Some(connector.id))
        .filter_map(Entry::event)
        .collect();
    let start = since.max(began).min(now);
    let timeline = Timeline::of(&events, readings(&connector.state), start, now);
    TimelineBody::of(connector.id, &timeline)
}

#[cfg(test)]
mod tests;
