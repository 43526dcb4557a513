//! What the operator is looking at: the open page and the connector query every page shares,
//! where that view is kept in the page URL (if anywhere), and how the URL follows it.
//!
//! This module knows pages by name only; it never builds one.

use bots_status_core::query::ConnectorQuery;
use leptos::prelude::*;

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

/// The view state every page shares: the open page and the connector query.
#[derive(Clone, Copy)]
pub struct ViewState {
    pub page: RwSignal<Page>,
    pub query: RwSignal<ConnectorQuery>,
}

/// How long the view must stay unchanged before the URL follows it.
const URL_SETTLE: std::time::Duration = std::time::Duration::from_millis(150);

impl ViewState {
    /// The view a new app opens on: what the URL names (in `mode`), else `page` and `query`;
    /// with what the URL held that was not understood.
    pub fn open(
        mode: UrlMode,
        page: Option<Page>,
        query: &ConnectorQuery,
    ) -> (ViewState, Vec<String>) {
        let from_url = match mode {
            UrlMode::Query => url::location_search(),
            UrlMode::Fragment => url::location_hash(),
            UrlMode::Off => String::new(),
        };
        let from_url = from_url.trim_start_matches(['?', '#']);
        let parsed = url::parse(from_url);
        // A fragment that holds nothing of the app's (the host's own, say) leaves the options
        // in charge, and is not reported as a link the app failed to understand.
        let understood = !from_url.is_empty() && parsed.2.len() < from_url.split('&').count();
        let (page, query, ignored) = if understood {
            parsed
        } else {
            (page.unwrap_or(Page::Dashboard), query.clone(), Vec::new())
        };
        let view = ViewState {
            page: RwSignal::new(page),
            query: RwSignal::new(query),
        };
        (view, ignored)
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
        Effect::new(move |_| {
            let (page, query) = (self.page.get(), self.query.get());
            if let Some(earlier) = pending.get_value() {
                earlier.clear();
            }
            let write = set_timeout_with_handle(
                move || match mode {
                    UrlMode::Fragment => url::write_fragment(page, &query),
                    _ => url::write(page, &query),
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
