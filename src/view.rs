//! What the operator is looking at: the open page and the connector query every page shares,
//! where that view is kept in the page URL (if anywhere), and how the URL follows it.
//!
//! This module knows pages by name only; it never builds one.

use bots_status_core::query::ConnectorQuery;
use bots_status_core::views::{Columns, SavedViews};
use leptos::prelude::*;

use crate::effect::effect;
use crate::prefs::PrefsKey;
use crate::url;

/// Which page is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Dashboard,
    Agents,
    Pcs,
    Events,
}

impl Page {
    /// Every page, in the order the options list them.
    pub const ALL: [Page; 4] = [Page::Dashboard, Page::Agents, Page::Pcs, Page::Events];

    pub fn slug(self) -> &'static str {
        match self {
            Page::Dashboard => "dashboard",
            Page::Agents => "agents",
            Page::Pcs => "pcs",
            Page::Events => "events",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Page> {
        Page::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

/// Where the app keeps its view (page and filters) in the page URL, if anywhere.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UrlMode {
    /// Not at all: the view lives in the app's state (the default when embedded).
    #[default]
    Off,
    /// In the query string (`?view=agents&env=demo`): the hosted page.
    Query,
    /// In the fragment (`#view=agents&env=demo`), for a host that allows it.
    Fragment,
}

/// The view state every page shares: the open page, the connector query and the table's
/// columns; with the views saved in this browser.
#[derive(Clone, Copy)]
pub struct ViewState {
    pub page: RwSignal<Page>,
    pub query: RwSignal<ConnectorQuery>,
    pub columns: RwSignal<Columns>,
    pub saved: RwSignal<SavedViews>,
    prefs: StoredValue<PrefsKey>,
}

/// How long the view must stay unchanged before the URL follows it.
const URL_SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

impl ViewState {
    /// The view a new app opens on: what the URL names (in `mode`), else the default saved
    /// view (when the view lives in the URL), else `page`, `query` and `columns` (else the
    /// columns kept in this browser); with what the user
    /// should be told (the parts of the URL that were not understood, storage unreadable).
    pub fn open(
        mode: UrlMode,
        page: Option<Page>,
        query: &ConnectorQuery,
        columns: Option<Columns>,
        prefs: PrefsKey,
    ) -> (ViewState, Vec<String>) {
        let from_url = match mode {
            UrlMode::Query => url::location_search(),
            UrlMode::Fragment => url::location_hash(),
            UrlMode::Off => String::new(),
        };
        let from_url = from_url.trim_start_matches(['?', '#']);
        let (parsed, ignored) = url::parse(from_url);
        let (saved, unreadable) = prefs.views();
        let mut notices = Vec::new();
        // A fragment that holds nothing of the app's (the host's own, say) leaves the options
        // in charge, and is not reported as a link the app failed to understand.
        let understood = !from_url.is_empty() && ignored.len() < from_url.split('&').count();
        let link = if understood {
            if !ignored.is_empty() {
                notices.push(format!(
                    "Some parts of the link were not understood and were ignored: {}.",
                    ignored.join(", ")
                ));
            }
            parsed
        } else if let Some(view) = saved.default_view().filter(|_| mode != UrlMode::Off) {
            url::parse(&view.link).0
        } else {
            url::Link {
                page: page.unwrap_or(Page::Dashboard),
                query: query.clone(),
                columns,
            }
        };
        notices.extend(unreadable);
        let columns = link.columns.unwrap_or_else(|| prefs.columns());
        let view = ViewState {
            page: RwSignal::new(link.page),
            query: RwSignal::new(link.query),
            columns: RwSignal::new(columns),
            saved: RwSignal::new(saved),
            prefs: StoredValue::new(prefs),
        };
        (view, notices)
    }

    /// The current view as a saved view keeps it (`view=agents&env=all&cols=…`).
    pub fn link(&self) -> String {
        url::view_link(
            self.page.get_untracked(),
            &self.query.get_untracked(),
            self.columns.get_untracked(),
        )
    }

    /// Opens a view's link: its page, query and columns (the default ones if it names none).
    pub fn open_link(&self, link: &str) {
        let (parsed, _) = url::parse(link);
        self.columns.set(parsed.columns.unwrap_or_default());
        self.show(parsed.page, parsed.query);
    }

    /// Shows `columns`, and keeps the choice in this browser.
    pub fn set_columns(&self, columns: Columns) -> Result<(), String> {
        self.columns.set(columns);
        self.prefs.with_value(|p| p.save_columns(columns))
    }

    /// Changes the saved views with `change`, and keeps them; on a refusal or a storage
    /// failure nothing is lost from the page (the list shows the change either way, and
    /// the error says it is not kept).
    pub fn change_saved<T>(
        &self,
        change: impl FnOnce(&mut SavedViews) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut views = self.saved.get_untracked();
        let done = change(&mut views)?;
        self.saved.set(views.clone());
        self.prefs
            .with_value(|p| p.save_views(&views))
            .map_err(|why| format!("Not kept in this browser: {why}."))?;
        Ok(done)
    }

    /// Opens `page`; opening the page already shown changes nothing (and rebuilds nothing).
    pub fn go(&self, page: Page) {
        if self.page.get_untracked() != page {
            self.page.set(page);
        }
    }

    /// Opens `page` with `query`.
    pub fn show(&self, page: Page, query: ConnectorQuery) {
        self.query.set(query);
        self.go(page);
    }

    /// Keeps the view in the URL (`mode`) as it changes: once it has settled, since
    /// browsers throttle history updates (Safari refuses more than 100 in 30 seconds) and
    /// each costs a millisecond or more.
    pub fn follow_in_url(self, mode: UrlMode) {
        if mode == UrlMode::Off {
            return;
        }
        let pending = StoredValue::new_local(None::<TimeoutHandle>);
        effect(move || {
            let (page, query, columns) = (self.page.get(), self.query.get(), self.columns.get());
            if let Some(earlier) = pending.get_value() {
                earlier.clear();
            }
            let write = set_timeout_with_handle(
                move || match mode {
                    UrlMode::Fragment => url::write_fragment(page, &query, columns),
                    _ => url::write(page, &query, columns),
                },
                URL_SETTLE,
            );
            pending.set_value(write.ok());
        });
    }

    /// The view state of the app this component is in.
    pub fn from_context() -> ViewState {
        expect_context::<ViewState>()
    }
}
