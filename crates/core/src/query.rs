//! The Bot Agents table's filter, search and sort, and its round trip through a URL query
//! string (so a link reproduces the view).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use crate::caseless;
use crate::model::{Connector, ConnectorId, ConversationType, Environment};
use crate::status::{ConnectorState, ConnectorStatus, LinkHealth, StatusValue};

/// The Environment filter. The Bot Agents page shows Production by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum EnvironmentFilter {
    All,
    Only(Environment),
}

impl Default for EnvironmentFilter {
    fn default() -> Self {
        EnvironmentFilter::Only(Environment::Production)
    }
}

impl EnvironmentFilter {
    pub fn admits(self, environment: Environment) -> bool {
        match self {
            EnvironmentFilter::All => true,
            EnvironmentFilter::Only(e) => e == environment,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EnvironmentFilter::All => "All environments",
            EnvironmentFilter::Only(e) => e.label(),
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            EnvironmentFilter::All => "all",
            EnvironmentFilter::Only(Environment::Demo) => "demo",
            EnvironmentFilter::Only(Environment::Production) => "production",
        }
    }

    pub fn from_slug(slug: &str) -> Option<EnvironmentFilter> {
        [
            EnvironmentFilter::All,
            EnvironmentFilter::Only(Environment::Demo),
            EnvironmentFilter::Only(Environment::Production),
        ]
        .into_iter()
        .find(|e| e.slug() == slug)
    }
}

/// A filter value for a connection column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum LinkFacet {
    /// Connected (Messaging, Bot Server) or Online (Chat).
    Connected,
    /// Not Connected (Messaging, Bot Server) or Offline (Chat).
    NotConnected,
    Away,
    NotApplicable,
}

impl LinkFacet {
    pub const CLOUD: [LinkFacet; 4] = [
        LinkFacet::Connected,
        LinkFacet::NotConnected,
        LinkFacet::Away,
        LinkFacet::NotApplicable,
    ];
    pub const BOT_SERVER: [LinkFacet; 3] = [
        LinkFacet::Connected,
        LinkFacet::NotConnected,
        LinkFacet::NotApplicable,
    ];

    pub fn label(self) -> &'static str {
        match self {
            LinkFacet::Connected => "Connected / Online",
            LinkFacet::NotConnected => "Not Connected / Offline",
            LinkFacet::Away => "Away",
            LinkFacet::NotApplicable => "N/A",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            LinkFacet::Connected => "connected",
            LinkFacet::NotConnected => "not-connected",
            LinkFacet::Away => "away",
            LinkFacet::NotApplicable => "na",
        }
    }

    pub fn from_slug(slug: &str) -> Option<LinkFacet> {
        LinkFacet::CLOUD.into_iter().find(|f| f.slug() == slug)
    }

    pub fn of_cloud(state: &ConnectorState) -> LinkFacet {
        match state.links().map(|l| l.cloud.health()) {
            Some(LinkHealth::Up) => LinkFacet::Connected,
            Some(LinkHealth::Down) => LinkFacet::NotConnected,
            Some(LinkHealth::Away) => LinkFacet::Away,
            None => LinkFacet::NotApplicable,
        }
    }

    pub fn of_bot_server(state: &ConnectorState) -> LinkFacet {
        match state.links().map(|l| l.bot_server.is_connected()) {
            Some(true) => LinkFacet::Connected,
            Some(false) => LinkFacet::NotConnected,
            None => LinkFacet::NotApplicable,
        }
    }
}

/// A sortable column of the table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum SortKey {
    #[default]
    Bot,
    AgentUserId,
    Account,
    Environment,
    ConversationType,
    Role,
    Concurrent,
    ConnectorStatus,
    Cloud,
    BotServer,
    /// "Problems first": the worst of a connector's statuses first
    /// ([`ConnectorState::concern`]), then by bot.
    Problems,
}

impl SortKey {
    pub const ALL: [SortKey; 11] = [
        SortKey::Bot,
        SortKey::AgentUserId,
        SortKey::Account,
        SortKey::Environment,
        SortKey::ConversationType,
        SortKey::Role,
        SortKey::Concurrent,
        SortKey::ConnectorStatus,
        SortKey::Cloud,
        SortKey::BotServer,
        SortKey::Problems,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            SortKey::Bot => "bot",
            SortKey::AgentUserId => "agent",
            SortKey::Account => "account",
            SortKey::Environment => "environment",
            SortKey::ConversationType => "type",
            SortKey::Role => "role",
            SortKey::Concurrent => "conversations",
            SortKey::ConnectorStatus => "status",
            SortKey::Cloud => "cloud",
            SortKey::BotServer => "bot-server",
            SortKey::Problems => "problems",
        }
    }

    pub fn from_slug(slug: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Whether this column's order moves with a connector's state or load; the others
    /// follow its listing alone ([`Connector::same_listing`]), so a status batch or a load
    /// update leaves an order by them as it was.
    pub fn reads_state(self) -> bool {
        matches!(
            self,
            SortKey::Concurrent
                | SortKey::ConnectorStatus
                | SortKey::Cloud
                | SortKey::BotServer
                | SortKey::Problems
        )
    }

    /// What this column orders a connector by.
    fn value(self, c: &Connector) -> SortValue<'_> {
        match self {
            SortKey::Bot => SortValue::Folded(Folded(&c.bot.name)),
            SortKey::AgentUserId => SortValue::Folded(Folded(&c.settings.agent_user_id)),
            SortKey::Account => SortValue::Text(&c.settings.account),
            SortKey::Environment => SortValue::Number(c.environment() as u64),
            SortKey::ConversationType => SortValue::Number(c.conversation_type() as u64),
            SortKey::Role => SortValue::Number(c.settings.role as u64),
            SortKey::Concurrent => SortValue::Number(u64::from(c.concurrent_conversations)),
            SortKey::ConnectorStatus => SortValue::Number(c.state.status() as u64),
            SortKey::Cloud => SortValue::Text(c.state.statuses().cloud.label()),
            SortKey::BotServer => SortValue::Text(c.state.statuses().bot_server.label()),
            SortKey::Problems => SortValue::Concern(c.state.concern(), Folded(&c.bot.name)),
        }
    }
}

/// A connector's value in the sorted column, read once per sort rather than on every
/// comparison. One sort only ever compares values of the same kind. Enums order as declared.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SortValue<'a> {
    Number(u64),
    Text(&'a str),
    Folded(Folded<'a>),
    /// How much it needs looking at, then the bot's name.
    Concern(u8, Folded<'a>),
}

/// Text ordered case-insensitively (see [`cmp_text`]).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Folded<'a>(&'a str);

impl Ord for Folded<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_text(self.0, other.0)
    }
}

impl PartialOrd for Folded<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Case-insensitive order, ties broken by the exact text. ASCII names (the usual case) are
/// compared byte by byte, which keeps a 10,000-row sort within a frame.
fn cmp_text(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        let (x, y) = (a.as_bytes(), b.as_bytes());
        for i in 0..x.len().min(y.len()) {
            let (p, q) = (x[i].to_ascii_lowercase(), y[i].to_ascii_lowercase());
            if p != q {
                return p.cmp(&q);
            }
        }
        return x.len().cmp(&y.len()).then_with(|| a.cmp(b));
    }
    let by_letters = a
        .chars()
        .flat_map(caseless::lower)
        .cmp(b.chars().flat_map(caseless::lower));
    by_letters.then_with(|| a.cmp(b))
}

/// Everything that decides which connectors the table lists, and in which order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConnectorQuery {
    pub environment: EnvironmentFilter,
    pub status: Option<ConnectorStatus>,
    pub cloud: Option<LinkFacet>,
    pub bot_server: Option<LinkFacet>,
    pub conversation_type: Option<ConversationType>,
    /// Case-insensitive search over bot names and agent user IDs.
    pub text: String,
    pub sort: SortKey,
    pub descending: bool,
}

impl ConnectorQuery {
    /// Whether `connector` passes every filter of this query.
    pub fn matches(&self, connector: &Connector) -> bool {
        self.matches_with(connector, self.needle().as_ref())
    }

    /// [`Self::matches`] with the search text already prepared, for passes over a fleet.
    fn matches_with(&self, connector: &Connector, needle: Option<&Needle>) -> bool {
        self.environment.admits(connector.environment())
            && self.matches_facets(connector)
            && needle.is_none_or(|n| n.found_in(connector))
    }

    /// The status and conversation-type filters alone (not environment, not text).
    pub fn matches_facets(&self, connector: &Connector) -> bool {
        let state = &connector.state;
        self.status.is_none_or(|s| s == state.status())
            && self.cloud.is_none_or(|f| f == LinkFacet::of_cloud(state))
            && self
                .bot_server
                .is_none_or(|f| f == LinkFacet::of_bot_server(state))
            && self
                .conversation_type
                .is_none_or(|t| t == connector.conversation_type())
    }

    /// The search text, prepared once for matching many connectors.
    fn needle(&self) -> Option<Needle> {
        let text = self.text.trim();
        (!text.is_empty()).then(|| Needle(caseless::lowercase(text)))
    }

    /// Whether any filter beyond the environment is set.
    pub fn is_narrowed(&self) -> bool {
        self.status.is_some()
            || self.cloud.is_some()
            || self.bot_server.is_some()
            || self.conversation_type.is_some()
            || !self.text.trim().is_empty()
    }

    /// How many rows each filter value would show, given every *other* filter of this query
    /// (the usual faceted-search count), in one pass over the fleet.
    pub fn facet_counts(&self, connectors: &[Connector]) -> FacetCounts {
        let needle = self.needle();
        self.count_facets(connectors.iter().filter(|c| {
            self.environment.admits(c.environment())
                && needle.as_ref().is_none_or(|n| n.found_in(c))
        }))
    }

    /// [`Self::facet_counts`] over connectors already known to pass the environment filter
    /// and the search (see [`FleetIndex::searched`]).
    pub fn facet_counts_among(&self, connectors: &[Connector], searched: &[usize]) -> FacetCounts {
        self.count_facets(searched.iter().filter_map(|&i| connectors.get(i)))
    }

    fn count_facets<'a>(&self, searched: impl Iterator<Item = &'a Connector>) -> FacetCounts {
        let mut counts = FacetCounts::default();
        for c in searched {
            let state = &c.state;
            let status_ok = self.status.is_none_or(|s| s == state.status());
            let cloud = LinkFacet::of_cloud(state);
            let cloud_ok = self.cloud.is_none_or(|f| f == cloud);
            let bot = LinkFacet::of_bot_server(state);
            let bot_ok = self.bot_server.is_none_or(|f| f == bot);
            let ct = c.conversation_type();
            let type_ok = self.conversation_type.is_none_or(|t| t == ct);
            if cloud_ok && bot_ok && type_ok {
                counts.status[status_index(state.status())] += 1;
            }
            if status_ok && bot_ok && type_ok {
                counts.cloud[facet_index(cloud)] += 1;
            }
            if status_ok && cloud_ok && type_ok {
                counts.bot_server[facet_index(bot)] += 1;
            }
            if status_ok && cloud_ok && bot_ok {
                counts.conversation_type[usize::from(ct == ConversationType::Messaging)] += 1;
            }
        }
        counts
    }

    /// Indices into `connectors` of the rows to show, in display order. Ties keep the
    /// connectors' id order, so the order is stable across status updates.
    pub fn select(&self, connectors: &[Connector]) -> Vec<usize> {
        let mut rows = self.matching(connectors);
        self.order(connectors, &mut rows);
        rows
    }

    /// Indices into `connectors` of the rows the filters let through, in list order.
    pub fn matching(&self, connectors: &[Connector]) -> Vec<usize> {
        let needle = self.needle();
        (0..connectors.len())
            .filter(|&i| self.matches_with(&connectors[i], needle.as_ref()))
            .collect()
    }

    /// [`Self::matching`] over connectors already known to pass the environment filter and
    /// the search (see [`FleetIndex::searched`]): the status and type filters alone are left.
    pub fn matching_among(&self, connectors: &[Connector], searched: &[usize]) -> Vec<usize> {
        searched
            .iter()
            .copied()
            .filter(|&i| connectors.get(i).is_some_and(|c| self.matches_facets(c)))
            .collect()
    }

    /// Puts `rows` (indices into `connectors`) in display order, ties by id.
    pub fn order(&self, connectors: &[Connector], rows: &mut [usize]) {
        // Each row's value is read once into a compact list, so the comparisons do not chase
        // connectors around memory. Ties are broken by id, so the order is total and an
        // unstable sort gives the same result as a stable one, faster.
        let mut keyed: Vec<(SortValue<'_>, ConnectorId, usize)> = rows
            .iter()
            .map(|&i| (self.sort.value(&connectors[i]), connectors[i].id, i))
            .collect();
        keyed.sort_unstable_by(|a, b| {
            let by_key = if self.descending {
                b.0.cmp(&a.0)
            } else {
                a.0.cmp(&b.0)
            };
            by_key.then(a.1.cmp(&b.1))
        });
        for (row, (_, _, i)) in rows.iter_mut().zip(keyed) {
            *row = i;
        }
    }

    /// Turns "Problems first" on (worst status first, then by bot), or off again to the
    /// default order.
    pub fn toggle_problems_first(&mut self) {
        self.sort = if self.sort == SortKey::Problems {
            SortKey::default()
        } else {
            SortKey::Problems
        };
        self.descending = false;
    }

    /// The same filters in the default order: what facet counts and the matching set depend
    /// on, so a new sort does not recompute them.
    pub fn filters_only(&self) -> ConnectorQuery {
        ConnectorQuery {
            sort: SortKey::default(),
            descending: false,
            ..self.clone()
        }
    }

    /// The query as a URL query string; defaults are left out so links stay short.
    pub fn to_query_string(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if self.environment != EnvironmentFilter::default() {
            out.append_pair("env", self.environment.slug());
        }
        if let Some(s) = self.status {
            out.append_pair("status", s.slug());
        }
        if let Some(f) = self.cloud {
            out.append_pair("cloud", f.slug());
        }
        if let Some(f) = self.bot_server {
            out.append_pair("botserver", f.slug());
        }
        if let Some(t) = self.conversation_type {
            out.append_pair("type", &t.label().to_ascii_lowercase());
        }
        if !self.text.is_empty() {
            out.append_pair("q", &self.text);
        }
        if self.sort != SortKey::default() {
            out.append_pair("sort", self.sort.slug());
        }
        if self.descending {
            out.append_pair("desc", "1");
        }
        out.finish()
    }

    /// Reads a query string. Unknown or malformed parameters are skipped and reported, so a
    /// hand-edited link still opens, with a notice of what was ignored.
    pub fn from_query_string(query: &str) -> (ConnectorQuery, Vec<String>) {
        let mut q = ConnectorQuery::default();
        let mut ignored = Vec::new();
        let query = query.strip_prefix('?').unwrap_or(query);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let ok = match key.as_ref() {
                "env" => EnvironmentFilter::from_slug(&value).map(|v| q.environment = v),
                "status" => ConnectorStatus::from_slug(&value).map(|v| q.status = Some(v)),
                "cloud" => LinkFacet::from_slug(&value).map(|v| q.cloud = Some(v)),
                "botserver" => LinkFacet::from_slug(&value)
                    .filter(|f| *f != LinkFacet::Away)
                    .map(|v| q.bot_server = Some(v)),
                "type" => ConversationType::ALL
                    .into_iter()
                    .find(|t| t.label().eq_ignore_ascii_case(&value))
                    .map(|v| q.conversation_type = Some(v)),
                "q" => {
                    q.text = value.to_string();
                    Some(())
                }
                "sort" => SortKey::from_slug(&value).map(|v| q.sort = v),
                "desc" => {
                    q.descending = value == "1";
                    Some(())
                }
                _ => None,
            };
            if ok.is_none() {
                ignored.push(format!("{key}={value}"));
            }
        }
        (q, ignored)
    }
}

/// Search text in lowercase, matched against bot and agent names without allocating for the
/// (usual) ASCII names.
struct Needle(String);

impl Needle {
    fn found_in(&self, connector: &Connector) -> bool {
        caseless::contains(&connector.bot.name, &self.0)
            || caseless::contains(&connector.settings.agent_user_id, &self.0)
    }
}

/// Row counts per filter value, for the filter controls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FacetCounts {
    status: [usize; 5],
    cloud: [usize; 4],
    bot_server: [usize; 4],
    /// Chat, Messaging.
    conversation_type: [usize; 2],
}

impl FacetCounts {
    pub fn status(&self, s: ConnectorStatus) -> usize {
        self.status[status_index(s)]
    }

    pub fn cloud(&self, f: LinkFacet) -> usize {
        self.cloud[facet_index(f)]
    }

    pub fn bot_server(&self, f: LinkFacet) -> usize {
        self.bot_server[facet_index(f)]
    }

    pub fn conversation_type(&self, t: ConversationType) -> usize {
        self.conversation_type[usize::from(t == ConversationType::Messaging)]
    }
}

fn status_index(s: ConnectorStatus) -> usize {
    ConnectorStatus::ALL
        .iter()
        .position(|x| *x == s)
        .unwrap_or(0)
}

fn facet_index(f: LinkFacet) -> usize {
    LinkFacet::CLOUD.iter().position(|x| *x == f).unwrap_or(0)
}

mod index;
pub use index::FleetIndex;

#[cfg(test)]
mod tests;
