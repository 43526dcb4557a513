//! The view in the page URL, for the hosted page: `?view=agents&env=demo&status=online…`, so
//! a link reproduces what the operator sees. Embedded instances leave the URL alone, or keep
//! the same parameters in its fragment when the host allows it.

use bots_status_core::query::ConnectorQuery;
use bots_status_core::views::{ColumnSet, Columns};

use crate::view::Page;

/// The page URL's query string (`?…`), or empty outside a browser window.
pub fn location_search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page URL's fragment (`#…`), or empty.
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Parameters that configure the app rather than the view; they are read elsewhere.
const APP_PARAMS: [&str; 6] = ["fleet", "seed", "speed", "bench", "api", "theme"];

/// Parameters read once as the app starts and then taken out of the address bar, so a
/// bookmark or a shared link does not carry them (the access token).
const READ_ONCE: [&str; 1] = ["token"];

/// A query value as written in a URL (`%2F`, `+`), decoded; left as it is when it is not
/// valid percent-encoding.
pub fn decode(value: &str) -> String {
    let spaced = value.replace('+', " ");
    web_sys::js_sys::decode_uri_component(&spaced)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or(spaced)
}

/// What a link names: the page, the query, and the columns if it chose them.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub page: Page,
    pub query: ConnectorQuery,
    pub columns: Option<Columns>,
}

/// What a query string or fragment names, and the parameters that were not understood.
pub fn parse(search: &str) -> (Link, Vec<String>) {
    let search = search.strip_prefix('?').unwrap_or(search);
    let mut page = Page::Dashboard;
    let mut columns = None;
    let mut rest = Vec::new();
    let mut ignored = Vec::new();
    for part in search.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        if key == "view" {
            match Page::from_slug(value) {
                Some(p) => page = p,
                None => ignored.push(part.to_owned()),
            }
        } else if key == "cols" {
            match ColumnSet::from_slugs(&decode(value)) {
                Some(set) => columns = Some(Columns::Chosen(set)),
                None => ignored.push(part.to_owned()),
            }
        } else if !APP_PARAMS.contains(&key) && !READ_ONCE.contains(&key) {
            rest.push(part);
        }
    }
    let (query, mut more) = ConnectorQuery::from_query_string(&rest.join("&"));
    ignored.append(&mut more);
    (
        Link {
            page,
            query,
            columns,
        },
        ignored,
    )
}

/// The view's own parameters: `view=agents&env=demo…&cols=…` (nothing for the unfiltered
/// dashboard).
fn view_parts(page: Page, query: &ConnectorQuery, columns: Columns) -> Vec<String> {
    let mut parts = Vec::new();
    if page != Page::Dashboard {
        parts.push(format!("view={}", page.slug()));
    }
    let q = query.to_query_string();
    if !q.is_empty() {
        parts.push(q);
    }
    if let Some(cols) = columns.to_param() {
        parts.push(format!("cols={cols}"));
    }
    parts
}

/// The view as a link's query string, without the leading `?` and without the app's own
/// parameters: what a saved view keeps.
pub fn view_link(page: Page, query: &ConnectorQuery, columns: Columns) -> String {
    view_parts(page, query, columns).join("&")
}

/// The query string the hosted page shows for the view.
pub fn format(page: Page, query: &ConnectorQuery, columns: Columns) -> String {
    let mut parts = view_parts(page, query, columns);
    // Keep the app's own parameters (fleet size, seed) so a reload keeps the same fleet.
    let search = location_search();
    for part in search.trim_start_matches('?').split('&') {
        if APP_PARAMS
            .iter()
            .any(|p| part.starts_with(&format!("{p}=")))
        {
            parts.push(part.to_owned());
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Replaces the URL's query with the view, without adding a history entry per keystroke.
pub fn write(page: Page, query: &ConnectorQuery, columns: Columns) {
    let search = format(page, query, columns);
    if location_search() != search {
        replace(&search, &location_hash());
    }
}

/// Keeps the view in the URL's fragment instead, for a host that allows it: its path and
/// query stay as they are.
pub fn write_fragment(page: Page, query: &ConnectorQuery, columns: Columns) {
    let parts = view_parts(page, query, columns);
    let hash = if parts.is_empty() {
        String::new()
    } else {
        format!("#{}", parts.join("&"))
    };
    if location_hash() != hash {
        replace(&location_search(), &hash);
    }
}

/// Replaces the page URL's query and fragment, keeping its path.
fn replace(search: &str, hash: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{path}{search}{hash}")),
        );
    }
}
