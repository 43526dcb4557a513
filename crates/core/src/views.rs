//! How an operator arranges the Bot Agents table and keeps the arrangement: which columns it
//! shows ([`Column`], [`ColumnSet`]), and named views of filters, search, sort and columns
//! ([`SavedViews`]), each of which is also a link.
//!
//! A view is kept as the query string the page URL holds for it (`view=agents&env=all&…`),
//! so a saved view, a bookmark and a shared link are one format. This module never reads
//! storage: the app hands it the stored text and stores what it returns.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::query::{ConnectorQuery, EnvironmentFilter, SortKey};

/// A column of the connector table, in the order the table shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    Bot,
    AgentUserId,
    Account,
    Environment,
    ConversationType,
    Role,
    Conversations,
    ConnectorStatus,
    Cloud,
    BotServer,
}

impl Column {
    pub const ALL: [Column; 10] = [
        Column::Bot,
        Column::AgentUserId,
        Column::Account,
        Column::Environment,
        Column::ConversationType,
        Column::Role,
        Column::Conversations,
        Column::ConnectorStatus,
        Column::Cloud,
        Column::BotServer,
    ];

    /// The column's header.
    pub fn label(self) -> &'static str {
        match self {
            Column::Bot => "Bot",
            Column::AgentUserId => "Agent user ID",
            Column::Account => "Account",
            Column::Environment => "Environment",
            Column::ConversationType => "Conversation type",
            Column::Role => "Role",
            Column::Conversations => "Conversations",
            Column::ConnectorStatus => "Bot Agent Connector",
            Column::Cloud => "Conversational Cloud",
            Column::BotServer => "Bot Server",
        }
    }

    /// The sort a click on its header chooses.
    pub fn sort(self) -> SortKey {
        match self {
            Column::Bot => SortKey::Bot,
            Column::AgentUserId => SortKey::AgentUserId,
            Column::Account => SortKey::Account,
            Column::Environment => SortKey::Environment,
            Column::ConversationType => SortKey::ConversationType,
            Column::Role => SortKey::Role,
            Column::Conversations => SortKey::Concurrent,
            Column::ConnectorStatus => SortKey::ConnectorStatus,
            Column::Cloud => SortKey::Cloud,
            Column::BotServer => SortKey::BotServer,
        }
    }

    /// The column's name in a link: the same word as its sort.
    pub fn slug(self) -> &'static str {
        self.sort().slug()
    }

    pub fn from_slug(slug: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.slug() == slug)
    }

    /// Whether the operator may hide it: the bot's name names the row, so it stays.
    pub fn hideable(self) -> bool {
        self != Column::Bot
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of columns (the bot's always among them).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ColumnSet(u16);

impl fmt::Debug for ColumnSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl ColumnSet {
    /// Every column.
    pub fn all() -> ColumnSet {
        ColumnSet::of(Column::ALL)
    }

    pub fn of(columns: impl IntoIterator<Item = Column>) -> ColumnSet {
        let bits = columns
            .into_iter()
            .fold(Column::Bot.bit(), |b, c| b | c.bit());
        ColumnSet(bits)
    }

    /// What the table shows until the operator chooses: every column but the ones the
    /// filters make constant (the Environment while one environment is shown), so the bot
    /// and its three statuses fit a 1280-pixel screen without scrolling sideways.
    pub fn default_for(query: &ConnectorQuery) -> ColumnSet {
        match query.environment {
            EnvironmentFilter::All => ColumnSet::all(),
            EnvironmentFilter::Only(_) => ColumnSet::all().with(Column::Environment, false),
        }
    }

    pub fn contains(self, column: Column) -> bool {
        self.0 & column.bit() != 0
    }

    /// This set with `column` shown or hidden (the bot's column is never hidden).
    pub fn with(self, column: Column, shown: bool) -> ColumnSet {
        if shown {
            ColumnSet(self.0 | column.bit())
        } else if column.hideable() {
            ColumnSet(self.0 & !column.bit())
        } else {
            self
        }
    }

    /// The columns, in table order.
    pub fn iter(self) -> impl Iterator<Item = Column> {
        Column::ALL.into_iter().filter(move |c| self.contains(*c))
    }

    /// The set as a link writes it: `agent,status,cloud`.
    pub fn to_slugs(self) -> String {
        let slugs: Vec<&str> = self
            .iter()
            .filter(|c| c.hideable())
            .map(Column::slug)
            .collect();
        slugs.join(",")
    }

    /// A set as a link writes it; `None` when a name is not a column's.
    pub fn from_slugs(slugs: &str) -> Option<ColumnSet> {
        slugs
            .split(',')
            .filter(|s| !s.is_empty())
            .map(Column::from_slug)
            .collect::<Option<Vec<_>>>()
            .map(ColumnSet::of)
    }
}

/// The columns a view shows: the default for its filters, or the operator's own choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Columns {
    #[default]
    Default,
    Chosen(ColumnSet),
}

impl Columns {
    /// The columns shown with `query`.
    pub fn resolve(self, query: &ConnectorQuery) -> ColumnSet {
        match self {
            Columns::Default => ColumnSet::default_for(query),
            Columns::Chosen(set) => set,
        }
    }

    /// The choice after the operator shows or hides `column`, starting from what is shown.
    pub fn toggled(self, query: &ConnectorQuery, column: Column) -> Columns {
        let shown = self.resolve(query);
        Columns::Chosen(shown.with(column, !shown.contains(column)))
    }

    /// The link parameter's value (`cols=…`), or `None` for the default.
    pub fn to_param(self) -> Option<String> {
        match self {
            Columns::Default => None,
            Columns::Chosen(set) => Some(set.to_slugs()),
        }
    }
}

/// A named view: the query string of its link (`view=agents&env=all&sort=problems`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SavedView {
    pub name: String,
    pub link: String,
}

/// Why a view could not be saved or renamed: what the operator reads next to the name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ViewRefused {
    #[error("Give the view a name.")]
    NoName,
    #[error("A view's name is at most {} characters.", SavedViews::MAX_NAME)]
    NameTooLong,
    #[error(
        "There is already a view named \"{0}\": choose another name, or delete that one first."
    )]
    Taken(String),
    #[error(
        "At most {} views can be saved: delete one first.",
        SavedViews::MAX_VIEWS
    )]
    TooMany,
    #[error("There is no view named \"{0}\" any more.")]
    Missing(String),
}

/// Why the stored views could not be read. They are left where they were.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ViewsUnreadable {
    #[error("they were saved by a newer version of Bots Status (format {0})")]
    NewerVersion(u32),
    #[error("they are not in the expected format ({0})")]
    Malformed(String),
}

/// The views an operator saved in this browser, and which one the page opens with.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SavedViews {
    views: Vec<SavedView>,
    default: Option<String>,
}

/// What storage holds: the views with the format's version. (Fields spelled out rather
/// than a flattened `SavedViews`: serde's flatten costs the app's download kilobytes.)
#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct Stored {
    version: u32,
    views: Vec<SavedView>,
    default: Option<String>,
}

impl SavedViews {
    /// The version of the stored format.
    pub const VERSION: u32 = 1;
    pub const MAX_VIEWS: usize = 50;
    /// Characters in a name.
    pub const MAX_NAME: usize = 60;
    /// The view every table offers without saving it.
    pub const PROBLEMS_FIRST: &'static str = "Problems first";

    /// The built-in views: name and link.
    pub fn built_in() -> [SavedView; 1] {
        [SavedView {
            name: SavedViews::PROBLEMS_FIRST.to_owned(),
            link: "view=agents&sort=problems".to_owned(),
        }]
    }

    pub fn list(&self) -> &[SavedView] {
        &self.views
    }

    pub fn get(&self, name: &str) -> Option<&SavedView> {
        self.views.iter().find(|v| v.name == name)
    }

    /// The view the page opens with, if the operator chose one.
    pub fn default_view(&self) -> Option<&SavedView> {
        self.default.as_deref().and_then(|name| self.get(name))
    }

    pub fn default_name(&self) -> Option<&str> {
        self.default_view().map(|v| v.name.as_str())
    }

    /// A name as it will be kept (trimmed), or why it cannot be; `keep` is a view that
    /// may already carry it (the one being renamed).
    fn check_name(&self, name: &str, keep: Option<&str>) -> Result<String, ViewRefused> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ViewRefused::NoName);
        }
        if name.chars().count() > SavedViews::MAX_NAME {
            return Err(ViewRefused::NameTooLong);
        }
        let taken = SavedViews::built_in().iter().any(|v| v.name == name)
            || self
                .views
                .iter()
                .any(|v| v.name == name && Some(name) != keep);
        if taken {
            return Err(ViewRefused::Taken(name.to_owned()));
        }
        Ok(name.to_owned())
    }

    /// Saves the view `link` under `name`; returns the name as kept.
    pub fn save(&mut self, name: &str, link: &str) -> Result<String, ViewRefused> {
        let name = self.check_name(name, None)?;
        if self.views.len() >= SavedViews::MAX_VIEWS {
            return Err(ViewRefused::TooMany);
        }
        self.views.push(SavedView {
            name: name.clone(),
            link: link.to_owned(),
        });
        Ok(name)
    }

    /// Renames a view (and the default with it); returns the new name as kept.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<String, ViewRefused> {
        let to = self.check_name(to, Some(from))?;
        let view = self
            .views
            .iter_mut()
            .find(|v| v.name == from)
            .ok_or_else(|| ViewRefused::Missing(from.to_owned()))?;
        view.name = to.clone();
        if self.default.as_deref() == Some(from) {
            self.default = Some(to.clone());
        }
        Ok(to)
    }

    /// Deletes a view; the page then opens as it would without a default, if it was that.
    pub fn delete(&mut self, name: &str) {
        self.views.retain(|v| v.name != name);
        if self.default.as_deref() == Some(name) {
            self.default = None;
        }
    }

    /// Makes `name` the view the page opens with, or none.
    pub fn set_default(&mut self, name: Option<&str>) -> Result<(), ViewRefused> {
        match name {
            Some(n) if self.get(n).is_none() => Err(ViewRefused::Missing(n.to_owned())),
            _ => {
                self.default = name.map(str::to_owned);
                Ok(())
            }
        }
    }

    /// The text storage keeps.
    pub fn to_stored(&self) -> String {
        let stored = Stored {
            version: SavedViews::VERSION,
            views: self.views.clone(),
            default: self.default.clone(),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// The views from storage's text.
    pub fn from_stored(text: &str) -> Result<SavedViews, ViewsUnreadable> {
        #[derive(Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        struct Version {
            version: u32,
        }
        let version: Version =
            crate::json::from_str(text).map_err(|e| ViewsUnreadable::Malformed(e.to_string()))?;
        if version.version > SavedViews::VERSION {
            return Err(ViewsUnreadable::NewerVersion(version.version));
        }
        let stored: Stored =
            crate::json::from_str(text).map_err(|e| ViewsUnreadable::Malformed(e.to_string()))?;
        let mut views = SavedViews {
            views: stored.views,
            default: stored.default,
        };
        // A name storage holds twice, empty or too long was not saved by us: keep the first.
        let mut seen = crate::order::TextSet::default();
        views.views.retain(|v| {
            !v.name.trim().is_empty()
                && v.name.chars().count() <= SavedViews::MAX_NAME
                && seen.insert(v.name.clone())
        });
        views.views.truncate(SavedViews::MAX_VIEWS);
        Ok(views)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Environment;

    #[test]
    fn the_default_columns_hide_the_environment_only_while_one_environment_is_shown() {
        let production = ConnectorQuery::default();
        let shown = ColumnSet::default_for(&production);
        assert!(!shown.contains(Column::Environment));
        assert!(shown.contains(Column::Account) && shown.contains(Column::BotServer));
        let all = ConnectorQuery {
            environment: EnvironmentFilter::All,
            ..ConnectorQuery::default()
        };
        assert_eq!(ColumnSet::default_for(&all), ColumnSet::all());
        let demo = ConnectorQuery {
            environment: EnvironmentFilter::Only(Environment::Demo),
            ..ConnectorQuery::default()
        };
        assert!(!ColumnSet::default_for(&demo).contains(Column::Environment));
    }

    #[test]
    fn the_bots_column_cannot_be_hidden() {
        let set = ColumnSet::all().with(Column::Bot, false);
        assert!(set.contains(Column::Bot));
        assert!(ColumnSet::of([]).contains(Column::Bot));
        assert!(ColumnSet::from_slugs("").is_some_and(|s| s.contains(Column::Bot)));
    }

    #[test]
    fn a_column_choice_survives_its_link() {
        let chosen = ColumnSet::of([Column::Role, Column::Cloud, Column::ConnectorStatus]);
        let slugs = chosen.to_slugs();
        assert_eq!(slugs, "role,status,cloud");
        assert_eq!(ColumnSet::from_slugs(&slugs), Some(chosen));
        assert_eq!(ColumnSet::from_slugs("role,nonsense"), None);
        assert_eq!(
            ColumnSet::from_slugs(&ColumnSet::all().to_slugs()),
            Some(ColumnSet::all())
        );
    }

    #[test]
    fn toggling_starts_from_what_is_shown() {
        let q = ConnectorQuery::default();
        let chosen = Columns::Default.toggled(&q, Column::Account);
        let set = chosen.resolve(&q);
        assert!(!set.contains(Column::Account));
        assert!(
            !set.contains(Column::Environment),
            "the default's hidden column stays hidden"
        );
        assert_eq!(Columns::Default.to_param(), None);
        assert!(chosen.to_param().is_some_and(|p| !p.contains("account")));
    }

    #[test]
    fn views_are_named_once_renamed_and_deleted_with_their_default() {
        let mut views = SavedViews::default();
        assert_eq!(
            views.save("  Night shift ", "view=agents&env=all"),
            Ok("Night shift".into())
        );
        assert_eq!(
            views.save("Night shift", "x"),
            Err(ViewRefused::Taken("Night shift".into()))
        );
        assert_eq!(
            views.save("Problems first", "x"),
            Err(ViewRefused::Taken("Problems first".into()))
        );
        assert_eq!(views.save("   ", "x"), Err(ViewRefused::NoName));
        assert_eq!(
            views.save(&"n".repeat(61), "x"),
            Err(ViewRefused::NameTooLong)
        );
        assert!(views.save(&"n".repeat(60), "x").is_ok());
        views.set_default(Some("Night shift")).unwrap();
        assert_eq!(views.rename("Night shift", "Nights"), Ok("Nights".into()));
        assert_eq!(views.default_name(), Some("Nights"));
        assert_eq!(
            views.rename("Nights", "Nights"),
            Ok("Nights".into()),
            "a rename to itself"
        );
        assert_eq!(
            views.rename("Gone", "Other"),
            Err(ViewRefused::Missing("Gone".into()))
        );
        assert_eq!(
            views.set_default(Some("Gone")),
            Err(ViewRefused::Missing("Gone".into()))
        );
        views.delete("Nights");
        assert_eq!(views.default_view(), None);
        assert_eq!(views.list().len(), 1);
    }

    #[test]
    fn at_most_fifty_views_are_kept() {
        let mut views = SavedViews::default();
        for n in 0..SavedViews::MAX_VIEWS {
            views.save(&format!("v{n}"), "x").unwrap();
        }
        assert_eq!(views.save("one more", "x"), Err(ViewRefused::TooMany));
    }

    #[test]
    fn stored_views_read_back_and_unreadable_ones_say_why() {
        let mut views = SavedViews::default();
        views
            .save(
                "Demo chat",
                "view=agents&env=demo&type=chat&cols=agent,status",
            )
            .unwrap();
        views.set_default(Some("Demo chat")).unwrap();
        let text = views.to_stored();
        assert!(text.contains("\"version\":1"), "{text}");
        assert_eq!(SavedViews::from_stored(&text), Ok(views));
        assert_eq!(
            SavedViews::from_stored(r#"{"version":7,"views":[]}"#),
            Err(ViewsUnreadable::NewerVersion(7))
        );
        assert!(matches!(
            SavedViews::from_stored("{not json"),
            Err(ViewsUnreadable::Malformed(_))
        ));
        assert!(matches!(
            SavedViews::from_stored(r#"{"version":1,"views":"no"}"#),
            Err(ViewsUnreadable::Malformed(_))
        ));
        let doubled = r#"{"version":1,"views":[{"name":"a","link":"1"},{"name":"a","link":"2"},{"name":" ","link":"3"}],"default":null}"#;
        let read = SavedViews::from_stored(doubled).unwrap();
        assert_eq!(
            read.list(),
            &[SavedView {
                name: "a".into(),
                link: "1".into()
            }]
        );
    }
}
