//! What an operator keeps in this browser between visits: the table's columns, the saved
//! views, the theme, the problems acknowledged and the notification opt-in, in localStorage
//! under the app's key (`bots-status/views`, `bots-status/columns`, …).
//! Read once as the app starts, written on each change. An entry that cannot be read is
//! reported and left as it was: it is moved aside (`…/views.unreadable`) only when the
//! operator saves over it.

use bots_status_core::views::{ColumnSet, Columns, SavedViews};

use crate::storage::{self, read};
use crate::theme::Theme;

/// Where an app keeps its preferences: a key prefix, or nowhere.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrefsKey(pub Option<String>);

impl PrefsKey {
    fn item(&self, what: &str) -> Option<String> {
        self.0.as_ref().map(|k| format!("{k}/{what}"))
    }

    /// The saved views, or why what is stored could not be read (then none).
    pub fn views(&self) -> (SavedViews, Option<String>) {
        let Some(text) = self.item("views").and_then(|k| read(&k)) else {
            return (SavedViews::default(), None);
        };
        match SavedViews::from_stored(&text) {
            Ok(views) => (views, None),
            Err(why) => (
                SavedViews::default(),
                Some(format!(
                    "The views saved in this browser could not be read: {why}. They are kept as \
                     they were until you save a view."
                )),
            ),
        }
    }

    /// Keeps `views`, or says why the browser would not.
    pub fn save_views(&self, views: &SavedViews) -> Result<(), String> {
        let Some(key) = self.item("views") else {
            return Ok(());
        };
        if let Some(old) = read(&key)
            && SavedViews::from_stored(&old).is_err()
        {
            write(&format!("{key}.unreadable"), &old)?;
        }
        write(&key, &views.to_stored())
    }

    /// The columns chosen last in this browser (the default if none or unreadable).
    pub fn columns(&self) -> Columns {
        self.item("columns")
            .and_then(|k| read(&k))
            .map_or(Columns::Default, |text| match text.as_str() {
                "default" => Columns::Default,
                slugs => ColumnSet::from_slugs(slugs).map_or(Columns::Default, Columns::Chosen),
            })
    }

    /// The theme chosen last in this browser, if any.
    pub fn theme(&self) -> Option<Theme> {
        self.item("theme")
            .and_then(|k| read(&k))
            .and_then(|t| Theme::from_slug(&t))
    }

    pub fn save_theme(&self, theme: Theme) -> Result<(), String> {
        match self.item("theme") {
            Some(key) => write(&key, theme.slug()),
            None => Ok(()),
        }
    }

    pub fn save_columns(&self, columns: Columns) -> Result<(), String> {
        match self.item("columns") {
            Some(key) => write(
                &key,
                &columns.to_param().unwrap_or_else(|| "default".into()),
            ),
            None => Ok(()),
        }
    }
}

impl PrefsKey {
    /// The keys of the problems acknowledged in this browser and still open when it last
    /// looked ([`bots_status_core::alerts::Alert::key`]).
    pub fn acknowledged(&self) -> Vec<String> {
        self.item("acknowledged")
            .and_then(|k| read(&k))
            .map(|text| text.lines().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    pub fn save_acknowledged(&self, keys: impl Iterator<Item = String>) -> Result<(), String> {
        match self.item("acknowledged") {
            Some(key) => write(&key, &keys.collect::<Vec<_>>().join("\n")),
            None => Ok(()),
        }
    }

    /// Whether the user asked to be told of new problems by the browser's notifications.
    pub fn notifications(&self) -> bool {
        self.item("notifications")
            .and_then(|k| read(&k))
            .is_some_and(|v| v == "on")
    }

    pub fn save_notifications(&self, on: bool) -> Result<(), String> {
        match self.item("notifications") {
            Some(key) => write(&key, if on { "on" } else { "off" }),
            None => Ok(()),
        }
    }
}

fn write(key: &str, value: &str) -> Result<(), String> {
    storage::local()
        .ok_or("this browser keeps no local storage")?
        .set_item(key, value)
        .map_err(|_| "the browser's storage for this site is full or turned off".to_owned())
}
