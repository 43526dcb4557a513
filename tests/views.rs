//! The table an operator arranges: the columns that fit, the column chooser, saved views
//! (kept, reloaded as the default, opened by link, refused with a reason, kept through a
//! full or unreadable storage), the page at a phone's width, and how every page reads in
//! both themes (axe-core, injected into the test page).

#![cfg(target_arch = "wasm32")]
#![allow(clippy::expect_used)]

mod support;

use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The default columns under the default filter (Production): every one but the Environment.
const DEFAULT_HEADERS: [&str; 9] = [
    "Bot",
    "Agent user ID",
    "Account",
    "Conversation type",
    "Role",
    "Conversations",
    "Bot Agent Connector",
    "Conversational Cloud",
    "Bot Server",
];

/// The headers that name a column (the checkbox and row-menu columns have none).
fn named_headers(host: &web_sys::Element) -> Vec<String> {
    headers(host)
        .into_iter()
        .filter(|h| !h.is_empty() && h != "Row actions")
        .collect()
}

/// Opens the disclosure whose summary reads `label` ("Columns", "Views").
fn open_disclosure(host: &web_sys::Element, label: &str) -> web_sys::Element {
    let details = query_all(host, "details.bs-popover")
        .into_iter()
        .find(|d| text(&query(d, "summary")).starts_with(label))
        .unwrap_or_else(|| panic!("no {label} control"));
    details
        .clone()
        .dyn_into::<web_sys::HtmlDetailsElement>()
        .expect("details")
        .set_open(true);
    details
}

/// The checkbox labelled `label` inside `root`.
fn checkbox(root: &web_sys::Element, label: &str) -> web_sys::HtmlInputElement {
    query_all(root, "label.bs-check")
        .into_iter()
        .find(|l| text(l) == label)
        .map(|l| query(&l, "input").dyn_into().expect("input"))
        .unwrap_or_else(|| panic!("no checkbox {label}"))
}

/// A copy of the app's page (its markup with its own stylesheet) laid out in a frame
/// `width` pixels wide: the browser lays it out as a window of that width would, media
/// queries included.
async fn laid_out_at(host: &web_sys::Element, width: u32) -> (web_sys::Element, web_sys::Document) {
    let frame = document().create_element("iframe").expect("iframe");
    frame
        .set_attribute(
            "style",
            &format!("position:absolute;left:-20000px;top:0;width:{width}px;height:900px;border:0"),
        )
        .expect("style");
    let page = format!(
        "<!doctype html><html><head><meta charset=utf-8></head><body style=\"margin:0\">{}</body></html>",
        host.outer_html()
    );
    frame.set_attribute("srcdoc", &page).expect("srcdoc");
    document()
        .body()
        .expect("body")
        .append_child(&frame)
        .expect("attach");
    let loaded = || {
        let frame: web_sys::HtmlIFrameElement = frame.clone().dyn_into().expect("frame");
        frame.content_document().filter(|d| {
            d.ready_state() == "complete" && d.query_selector(".bs-app").ok().flatten().is_some()
        })
    };
    wait_for("the laid-out copy", || loaded().is_some()).await;
    let doc = loaded().expect("loaded");
    (frame, doc)
}

#[wasm_bindgen_test]
async fn the_default_columns_fit_1280_pixels_and_no_header_is_cut() {
    let (host, _app) = mount(fresh_config("columns-fit"));
    open_agents(&host).await;
    assert_eq!(named_headers(&host), DEFAULT_HEADERS);
    let (frame, doc) = laid_out_at(&host, 1280).await;
    let scroller = doc
        .query_selector(".bs-table-scroll")
        .ok()
        .flatten()
        .expect("table");
    assert!(
        scroller.scroll_width() <= scroller.client_width(),
        "the table scrolls sideways at 1280 px: {} > {}",
        scroller.scroll_width(),
        scroller.client_width()
    );
    let heads = doc.query_selector_all(".bs-table thead th").expect("heads");
    for i in 0..heads.length() {
        // Elements of the frame's document are not the test page's `Element`s to `instanceof`.
        let th: web_sys::Element = heads.item(i).expect("th").unchecked_into();
        assert!(
            th.scroll_width() <= th.client_width(),
            "the header {:?} is cut: {} > {}",
            th.text_content(),
            th.scroll_width(),
            th.client_width()
        );
    }
    frame.remove();
    // Every environment: the Environment column is back.
    choose(&host, "Environment", "all");
    wait_for("the Environment column", || {
        named_headers(&host).contains(&"Environment".to_owned())
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_column_hidden_in_the_chooser_stays_hidden_after_a_reload_until_reset() {
    let config = fresh_config("columns-kept");
    {
        let (host, _app) = mount(config.clone());
        open_agents(&host).await;
        let chooser = open_disclosure(&host, "Columns");
        checkbox(&chooser, "Account").click();
        checkbox(&chooser, "Role").click();
        wait_for("Account and Role hidden", || {
            let h = named_headers(&host);
            !h.contains(&"Account".to_owned()) && !h.contains(&"Role".to_owned())
        })
        .await;
        // The row's cells follow the headers.
        assert_eq!(
            query_all(&query(&host, ".bs-row"), "td").len(),
            headers(&host).len()
        );
    }
    let (host, _app) = mount(config);
    open_agents(&host).await;
    let shown = named_headers(&host);
    assert!(
        !shown.contains(&"Account".to_owned()) && shown.contains(&"Agent user ID".to_owned()),
        "{shown:?}"
    );
    let chooser = open_disclosure(&host, "Columns");
    assert!(!checkbox(&chooser, "Account").checked());
    click_button(&chooser, "Reset to default");
    wait_for("the default columns", || {
        named_headers(&host) == DEFAULT_HEADERS
    })
    .await;
}

/// The test page's URL, put back when a test that moves it ends.
struct UrlGuard(String);

impl Drop for UrlGuard {
    fn drop(&mut self) {
        let window = web_sys::window().expect("window");
        let _ = window.history().expect("history").replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&self.0),
        );
    }
}

fn set_hash(hash: &str) {
    let window = web_sys::window().expect("window");
    let location = window.location();
    let url = format!(
        "{}{}{hash}",
        location.pathname().expect("path"),
        location.search().expect("search")
    );
    window
        .history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url))
        .expect("replaceState");
}

fn select_value(host: &web_sys::Element, label: &str) -> String {
    let select: web_sys::HtmlSelectElement = query(&field(host, label), "select")
        .dyn_into()
        .expect("a select");
    select.value()
}

#[wasm_bindgen_test]
async fn a_saved_view_opens_as_the_default_after_a_reload_and_by_its_link() {
    let _url = UrlGuard(
        web_sys::window()
            .expect("w")
            .location()
            .href()
            .expect("href"),
    );
    set_hash("");
    let mut config = fresh_config("views-default");
    config.url = bots_status::view::UrlMode::Fragment;
    let link;
    {
        let (host, _app) = mount(config.clone());
        open_agents(&host).await;
        choose(&host, "Environment", "all");
        choose(&host, "Bot Agent Connector", "online");
        let views = open_disclosure(&host, "Views");
        type_into(&views, "Save this view as", "  Night shift ");
        click_button(&views, "Save view");
        wait_for("the saved view", || text(&views).contains("Night shift")).await;
        click_button(&views, "Default");
        wait_for("the default mark", || text(&views).contains("default")).await;
        link = query(&views, "a.bs-button")
            .get_attribute("href")
            .expect("a link");
        assert_eq!(link, "?view=agents&env=all&status=online");
        // Another view on screen when the page goes away.
        choose(&host, "Environment", "demo");
        wait_for("the fragment", || {
            web_sys::window()
                .expect("w")
                .location()
                .hash()
                .unwrap_or_default()
                .contains("env=demo")
        })
        .await;
    }
    // A fresh visit whose address names no view opens the default one.
    set_hash("");
    {
        let (host, _app) = mount(config.clone());
        wait_for("the default view", || {
            !query_all(&host, ".bs-row").is_empty()
        })
        .await;
        assert_eq!(select_value(&host, "Environment"), "all");
        assert_eq!(select_value(&host, "Bot Agent Connector"), "online");
        assert!(
            column(&host, "Bot Agent Connector")
                .iter()
                .all(|s| s == "Online")
        );
    }
    // A link to another view wins over the default; the saved view's own link opens it.
    set_hash("#view=agents&env=demo");
    {
        let (host, _app) = mount(config.clone());
        wait_for("the linked view", || {
            !query_all(&host, ".bs-row").is_empty()
        })
        .await;
        assert_eq!(select_value(&host, "Environment"), "demo");
    }
    set_hash(&format!("#{}", link.trim_start_matches('?')));
    let (host, _app) = mount(config);
    wait_for("the view's link", || {
        !query_all(&host, ".bs-row").is_empty()
    })
    .await;
    assert_eq!(select_value(&host, "Bot Agent Connector"), "online");
}

#[wasm_bindgen_test]
async fn a_view_is_refused_a_name_it_cannot_have_and_renamed_and_deleted() {
    let (host, _app) = mount(fresh_config("views-names"));
    open_agents(&host).await;
    let views = open_disclosure(&host, "Views");
    click_button(&views, "Save view");
    wait_for("the refusal", || {
        text(&views).contains("Give the view a name.")
    })
    .await;
    type_into(&views, "Save this view as", "Problems first");
    click_button(&views, "Save view");
    wait_for("the taken name", || {
        text(&views).contains("There is already a view named \"Problems first\"")
    })
    .await;
    // The name typed is still there to correct.
    let input: web_sys::HtmlInputElement = query(&field(&views, "Save this view as"), "input")
        .dyn_into()
        .expect("input");
    assert_eq!(input.value(), "Problems first");
    type_into(&views, "Save this view as", "Chat only");
    click_button(&views, "Save view");
    wait_for("the saved view", || text(&views).contains("Chat only")).await;
    click_button(&views, "Rename");
    wait_for("the name field", || {
        !query_all(&views, ".bs-views__rename").is_empty()
    })
    .await;
    let rename: web_sys::HtmlInputElement = query(&views, ".bs-views__rename")
        .dyn_into()
        .expect("input");
    set_value(&rename.clone().unchecked_into(), "Chat, all day", "input");
    click_button(&views, "Save name");
    wait_for("the new name", || text(&views).contains("Chat, all day")).await;
    let delete = query_all(&views, "button")
        .into_iter()
        .find(|b| b.get_attribute("aria-label").as_deref() == Some("Delete Chat, all day"))
        .expect("a delete button");
    delete.unchecked_into::<web_sys::HtmlElement>().click();
    wait_for("the view gone", || !text(&views).contains("Chat, all day")).await;
}

#[wasm_bindgen_test]
async fn the_built_in_problems_first_view_sorts_the_worst_first() {
    let (host, _app) = mount(fresh_config("views-problems"));
    open_agents(&host).await;
    let views = open_disclosure(&host, "Views");
    click_button(&views, "Problems first");
    wait_for("the Problems first order", || {
        query_all(&host, "button[aria-pressed=true]")
            .iter()
            .any(|b| text(b) == "Problems first")
    })
    .await;
    let statuses = column(&host, "Bot Agent Connector");
    assert_eq!(
        statuses.first().map(String::as_str),
        Some("Not Connected"),
        "{statuses:?}"
    );
}

#[wasm_bindgen_test]
async fn a_view_saved_while_storage_is_full_stays_on_the_page_with_the_reason() {
    let (host, _app) = mount(fresh_config("views-full"));
    open_agents(&host).await;
    let fillers = fill_storage();
    let views = open_disclosure(&host, "Views");
    type_into(
        &views,
        "Save this view as",
        &"A long name for a view ".repeat(2),
    );
    click_button(&views, "Save view");
    let said = {
        let views = views.clone();
        move || text(&views)
    };
    wait_for("the reason", || said().contains("Not kept in this browser")).await;
    assert!(said().contains("full or turned off"), "{}", said());
    assert!(
        said().contains("A long name for a view"),
        "the view stays listed"
    );
    drop(fillers);
}

#[wasm_bindgen_test]
async fn unreadable_saved_views_are_reported_and_kept_aside_when_saved_over() {
    let config = fresh_config("views-unreadable");
    let key = config.prefs.0.clone().expect("a prefs key");
    storage()
        .set_item(
            &format!("{key}/views"),
            "{\"version\":1,\"views\":\"half written",
        )
        .expect("store");
    let (host, _app) = mount(config);
    wait_for("the notice", || {
        text(&host).contains("The views saved in this browser could not be read")
    })
    .await;
    open_agents(&host).await;
    let views = open_disclosure(&host, "Views");
    type_into(&views, "Save this view as", "Fresh start");
    click_button(&views, "Save view");
    wait_for("the saved view", || text(&views).contains("Fresh start")).await;
    assert_eq!(
        storage()
            .get_item(&format!("{key}/views.unreadable"))
            .expect("read"),
        Some("{\"version\":1,\"views\":\"half written".to_owned())
    );
}

#[wasm_bindgen_test]
async fn at_390_pixels_the_page_does_not_scroll_sideways_and_the_metrics_sit_two_by_two() {
    let (host, _app) = mount(fresh_config("narrow"));
    open_agents(&host).await;
    let (frame, doc) = laid_out_at(&host, 390).await;
    let root = doc.document_element().expect("root");
    assert!(
        root.scroll_width() <= 390,
        "the page is {} px wide at 390",
        root.scroll_width()
    );
    let cards = doc.query_selector_all(".bs-metric").expect("metrics");
    let top = |i: u32| -> f64 {
        let card: web_sys::Element = cards.item(i).expect("card").unchecked_into();
        card.get_bounding_client_rect().top()
    };
    assert_eq!(cards.length(), 4);
    assert_eq!(top(0), top(1), "the first two metrics share a row");
    assert_eq!(top(2), top(3), "the last two metrics share a row");
    assert!(top(2) > top(0));
    frame.remove();
}

/// axe-core, as the setup installs it (npm, into `.tools/`).
const AXE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/.tools/node_modules/axe-core/axe.min.js"
));

/// axe-core's serious and critical violations of WCAG 2.1 A and AA inside `root`, one line
/// each: the rule, how many elements, and the first of them.
async fn serious_violations(root: &web_sys::Element) -> Vec<String> {
    let window = web_sys::window().expect("window");
    let axe_key = wasm_bindgen::JsValue::from_str("axe");
    if !js_sys::Reflect::has(&window, &axe_key).unwrap_or(false) {
        js_sys::eval(AXE).expect("axe-core loads");
    }
    let axe = js_sys::Reflect::get(&window, &axe_key).expect("axe");
    let run: js_sys::Function = js_sys::Reflect::get(&axe, &"run".into())
        .expect("axe.run")
        .unchecked_into();
    let options = js_sys::JSON::parse(
        r#"{"runOnly":{"type":"tag","values":["wcag2a","wcag2aa","wcag21a","wcag21aa"]},"resultTypes":["violations"]}"#,
    )
    .expect("options");
    let promise: js_sys::Promise = run
        .call2(&axe, root, &options)
        .expect("axe.run runs")
        .unchecked_into();
    let results = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("axe finishes");
    let violations = js_sys::Reflect::get(&results, &"violations".into()).expect("violations");
    let text = js_sys::JSON::stringify(&violations)
        .expect("JSON")
        .as_string()
        .unwrap_or_default();
    let list: serde_json::Value = serde_json::from_str(&text).expect("violations as JSON");
    list.as_array()
        .into_iter()
        .flatten()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            let nodes = v["nodes"].as_array().map_or(0, Vec::len);
            format!(
                "{} ({} elements, e.g. {}: {})",
                v["id"], nodes, v["nodes"][0]["html"], v["nodes"][0]["failureSummary"]
            )
        })
        .collect()
}

#[wasm_bindgen_test]
async fn every_page_reads_at_aa_in_the_light_and_the_dark_theme() {
    let mut found = Vec::new();
    for theme in [
        bots_status::theme::Theme::Light,
        bots_status::theme::Theme::Dark,
    ] {
        let mut config = instant(&format!("axe-{}", theme.slug()));
        config.theme = Some(theme);
        let (host, _app) = mount(config);
        wait_for("the dashboard", || {
            !query_all(&host, ".bs-metric").is_empty()
        })
        .await;
        let root = query(&host, ".bs-app");
        assert_eq!(
            root.get_attribute("data-theme").as_deref(),
            Some(theme.slug())
        );
        let mut check = async |page: &str| {
            for v in serious_violations(&host).await {
                found.push(format!("{} theme, {page}: {v}", theme.slug()));
            }
        };
        check("dashboard").await;
        open_agents(&host).await;
        check("Bot Agents").await;
        select_row(&host, 0);
        choose_action(&host, "Stop Agent").await;
        check("an action dialog").await;
        click_button(&dialog(&host), "Cancel");
        wait_for("the dialog closed", || {
            query_all(&host, "dialog[open]").is_empty()
        })
        .await;
        click_button(&host, "New Bot Connector");
        wait_for("the form", || {
            !query_all(&host, "dialog[open] form").is_empty()
        })
        .await;
        check("the connector form").await;
        click_button(&dialog(&host), "Cancel");
        wait_for("the form closed", || {
            query_all(&host, "dialog[open]").is_empty()
        })
        .await;
        click_button(&host, "Event log");
        wait_for("the event log", || text(&host).contains("Event log")).await;
        check("the Event log").await;
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[wasm_bindgen_test]
async fn the_theme_chosen_in_the_header_is_kept_and_auto_follows_the_system() {
    let config = fresh_config("theme");
    let shown = |host: &web_sys::Element| query(host, ".bs-app").get_attribute("data-theme");
    {
        let (host, _app) = mount(config.clone());
        wait_for("the app", || !query_all(&host, ".bs-metric").is_empty()).await;
        let system_dark = web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|q| q.matches());
        let system = if system_dark { "dark" } else { "light" };
        assert_eq!(
            shown(&host).as_deref(),
            Some(system),
            "auto is the system's"
        );
        let select: web_sys::HtmlElement =
            query(&host, "select.bs-theme").dyn_into().expect("select");
        set_value(&select, "dark", "change");
        wait_for("the dark theme", || shown(&host).as_deref() == Some("dark")).await;
    }
    let (host, _app) = mount(config);
    wait_for("the app", || !query_all(&host, ".bs-metric").is_empty()).await;
    assert_eq!(
        shown(&host).as_deref(),
        Some("dark"),
        "kept in this browser"
    );
    let select: web_sys::HtmlElement = query(&host, "select.bs-theme").dyn_into().expect("select");
    assert_eq!(value_of(&select), "dark");
    set_value(&select, "light", "change");
    wait_for("the light theme", || {
        shown(&host).as_deref() == Some("light")
    })
    .await;
}
