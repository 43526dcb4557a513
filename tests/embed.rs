//! Embedding in a real browser: a hostile host stylesheet, unmount leaving the document as it
//! was, two instances side by side, the host's URL left alone (or only its fragment used when
//! allowed), the `<bots-status>` element's attributes and its errors, and the events the host
//! hears.

// clippy does not see #[wasm_bindgen_test] functions as tests; an expect here is an assertion.
#![allow(clippy::expect_used)]

mod support;

use std::cell::RefCell;
use std::rc::Rc;

use bots_status::embed::{define_element, mount};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The options object a host page would pass.
fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("valid JSON")
}

/// A host stylesheet written to break whatever it reaches.
const HOSTILE: &str = "
* { box-sizing: content-box; }
div, section, header, main, nav, p, span, label, table, tr, td, th, h1, h2, h3 {
  margin: 13px; padding: 17px; border: 3px solid red; float: left; line-height: 3;
  letter-spacing: 3px; text-transform: uppercase; font-family: serif;
}
table { display: block; width: 50px; }
td { height: 90px; }
button, input, select { width: 300px; height: 80px; font-size: 30px; position: relative; top: 20px; }
h1, h2 { font-size: 60px; }
dialog { display: none; }
.card, .button, .table { background: hotpink; }
";

fn computed(element: &Element, property: &str) -> String {
    web_sys::window()
        .expect("window")
        .get_computed_style(element)
        .expect("style")
        .expect("computed")
        .get_property_value(property)
        .expect("property")
}

/// The rules the browser reads from `css`, one per line, as it writes them back.
fn rules_read_from(css: &str) -> String {
    let read = js_sys::Function::new_with_args(
        "css",
        "const sheet = new CSSStyleSheet(); sheet.replaceSync(css); \
         return Array.from(sheet.cssRules, rule => rule.cssText).join('\\n');",
    );
    read.call1(&JsValue::NULL, &JsValue::from_str(css))
        .expect("the stylesheet is read")
        .as_string()
        .expect("text")
}

/// `build.rs` minifies the stylesheet the app carries; the browser must read the same rules
/// from it as from the files of `style/` it joined, in the same order.
#[wasm_bindgen_test]
fn the_shipped_stylesheet_reads_as_the_style_files_do() {
    let files = include_str!(concat!(env!("OUT_DIR"), "/style.source.css"));
    let shipped = bots_status::style::CSS;
    assert!(
        shipped.len() < files.len() * 9 / 10,
        "the shipped stylesheet is minified"
    );
    let (expected, read) = (rules_read_from(files), rules_read_from(shipped));
    assert!(
        expected.lines().count() > 100,
        "the files hold the app's rules"
    );
    for (line, (want, got)) in expected.lines().zip(read.lines()).enumerate() {
        assert_eq!(got, want, "rule {line} of the shipped stylesheet");
    }
    assert_eq!(
        read.lines().count(),
        expected.lines().count(),
        "as many rules"
    );
}

#[wasm_bindgen_test]
async fn a_hostile_host_stylesheet_does_not_break_the_layout() {
    let style = document().create_element("style").expect("style");
    style.set_text_content(Some(HOSTILE));
    document()
        .head()
        .expect("head")
        .append_child(&style)
        .expect("add");
    let host = fresh_host();
    let _app = mount(
        host.clone(),
        options(r#"{"page": "agents", "seed": 7, "fleet": 80}"#),
    )
    .expect("mounted");
    wait_for("rows", || !query_all(&host, ".bs-row").is_empty()).await;
    // The virtualized table needs its rows exactly 44 pixels high.
    for row in query_all(&host, ".bs-row") {
        let height = row.unchecked_ref::<HtmlElement>().offset_height();
        assert_eq!(height, 44, "row height under the host's styles");
    }
    // The four metrics stay side by side, in the app's font and case.
    let metrics = query_all(&host, ".bs-metric");
    assert_eq!(metrics.len(), 4);
    let top = metrics[0].get_bounding_client_rect().top();
    assert!(
        metrics
            .iter()
            .all(|m| m.get_bounding_client_rect().top() == top)
    );
    let heading = query(&host, ".bs-title");
    assert_eq!(computed(&heading, "text-transform"), "none");
    assert_eq!(computed(&heading, "letter-spacing"), "normal");
    assert!(!computed(&heading, "font-family").starts_with("serif"));
    let button = query(&host, ".bs-nav__link");
    assert_eq!(computed(&button, "position"), "static");
    assert_ne!(computed(&button, "width"), "300px");
    style.remove();
}

#[wasm_bindgen_test]
async fn unmount_leaves_the_document_as_it_was() {
    let host = fresh_host();
    let body_before = document().body().expect("body").inner_html();
    let key = "bots-status-test/embed-unmount";
    let _ = storage().remove_item(key);
    let mut app = mount(
        host.clone(),
        options(&format!(r#"{{"storageKey": "{key}", "fleet": 40}}"#)),
    )
    .expect("mounted");
    wait_for("the app", || !query_all(&host, ".bs-metric").is_empty()).await;
    click_button(&host, "Bot Agents");
    wait_for("rows", || !query_all(&host, ".bs-row").is_empty()).await;
    app.unmount();
    assert_eq!(host.child_element_count(), 0, "no nodes left in the host");
    assert_eq!(document().body().expect("body").inner_html(), body_before);
    // Saved once on unmount; no listener is left to save again on the page's way out.
    assert!(storage().get_item(key).expect("read").is_some());
    storage().remove_item(key).expect("remove");
    let pagehide = web_sys::Event::new("pagehide").expect("event");
    web_sys::window()
        .expect("window")
        .dispatch_event(&pagehide)
        .expect("dispatch");
    assert_eq!(storage().get_item(key).expect("read"), None);
    app.unmount();
}

#[wasm_bindgen_test]
async fn two_instances_on_one_page_keep_their_own_state() {
    let (a, b) = (fresh_host(), fresh_host());
    let both = r#"{"page": "agents", "fleet": 60, "filters": "cols=agent,environment,status"}"#;
    let _first = mount(a.clone(), options(both)).expect("a");
    let _second = mount(b.clone(), options(both)).expect("b");
    wait_for("both tables", || {
        !query_all(&a, ".bs-row").is_empty() && !query_all(&b, ".bs-row").is_empty()
    })
    .await;
    choose(&a, "Environment", "demo");
    click_with_shift(&query(&a, ".bs-row input[type=checkbox]"), false);
    wait_for("a's filter and selection", || {
        column(&a, "Environment").iter().all(|e| e == "Demo") && text(&a).contains("1 selected")
    })
    .await;
    assert!(
        column(&b, "Environment").iter().all(|e| e == "Production"),
        "b keeps its filter"
    );
    assert!(text(&b).contains("0 selected"));
    // Their element ids never collide.
    let ids: Vec<String> = query_all(&document().body().expect("body"), "[id]")
        .iter()
        .map(|e| e.id())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "duplicate ids: {ids:?}");
}

#[wasm_bindgen_test]
async fn the_host_url_is_untouched_unless_the_fragment_is_allowed() {
    let window = web_sys::window().expect("window");
    let href = window.location().href().expect("href");
    let history = window.history().expect("history").length().expect("length");
    let host = fresh_host();
    let app = mount(host.clone(), options(r#"{"page": "agents"}"#)).expect("mounted");
    wait_for("rows", || !query_all(&host, ".bs-row").is_empty()).await;
    choose(&host, "Environment", "demo");
    type_into(&host, "Search", "bot");
    // Longer than the app waits before it would write a URL: until the clock moves on.
    let first = text(&query(&host, ".bs-updated"));
    wait_for("the next update", || {
        text(&query(&host, ".bs-updated")) != first
    })
    .await;
    assert_eq!(window.location().href().expect("href"), href);
    assert_eq!(
        window.history().expect("history").length().expect("length"),
        history
    );
    drop(app);

    // A host that allows the fragment gets the view there, and its path and query stay.
    let original = window.location().href().expect("href");
    let search = window.location().search().expect("search");
    let pathname = window.location().pathname().expect("path");
    let host = fresh_host();
    let _app = mount(
        host.clone(),
        options(r#"{"page": "agents", "url": "fragment"}"#),
    )
    .expect("mounted");

    wait_for("rows", || !query_all(&host, ".bs-row").is_empty()).await;
    choose(&host, "Environment", "demo");
    wait_for("the fragment", || {
        window
            .location()
            .hash()
            .is_ok_and(|h| h.contains("view=agents") && h.contains("env=demo"))
    })
    .await;
    assert_eq!(window.location().search().expect("search"), search);
    assert_eq!(window.location().pathname().expect("path"), pathname);
    window
        .history()
        .expect("history")
        .replace_state_with_url(&JsValue::NULL, "", Some(&original))
        .expect("restore the URL");
}

/// A `<bots-status>` element with `attributes`, in a fresh host.
fn element(attributes: &[(&str, &str)]) -> (HtmlElement, Element) {
    define_element();
    let host = fresh_host();
    let el = document().create_element("bots-status").expect("element");
    for (name, value) in attributes {
        el.set_attribute(name, value).expect("attribute");
    }
    host.append_child(&el).expect("append");
    (host, el)
}

#[wasm_bindgen_test]
async fn the_custom_element_honours_its_attributes() {
    let (host, el) = element(&[
        ("page", "agents"),
        (
            "filters",
            "env=demo&type=messaging&cols=environment,type,status",
        ),
        ("fleet", "60"),
        ("clock", "utc"),
        ("theme", "dark"),
    ]);
    wait_for("rows", || !query_all(&el, ".bs-row").is_empty()).await;
    assert_eq!(
        query(&el, ".bs-app").get_attribute("data-theme").as_deref(),
        Some("dark")
    );
    assert!(column(&el, "Environment").iter().all(|e| e == "Demo"));
    assert!(
        column(&el, "Conversation type")
            .iter()
            .all(|t| t == "Messaging")
    );
    assert!(text(&query(&el, ".bs-updated")).ends_with("UTC"));
    // A changed attribute restarts it with the new options.
    el.set_attribute("page", "dashboard").expect("attribute");
    wait_for("the dashboard", || {
        query_all(&el, ".bs-row").is_empty() && !query_all(&el, ".bs-metric").is_empty()
    })
    .await;
    // Taken out of the page, it unmounts.
    el.remove();
    assert_eq!(query_all(&el, ".bs-app").len(), 0);
    assert_eq!(host.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn options_of_any_javascript_type_are_read_and_a_non_object_is_refused() {
    // Numbers and booleans are read as their text, as attributes would give them.
    let host = fresh_host();
    let _app = mount(
        host.clone(),
        options(r#"{"page": "agents", "fleet": 30, "seed": 7, "speed": "instant"}"#),
    )
    .expect("mounted");
    wait_for("the 30 connectors", || {
        query_all(&host, ".bs-count")
            .first()
            .is_some_and(|c| text(c).contains("of 30 connectors"))
    })
    .await;
    let bad = mount(host.clone(), options(r#"{"fleet": true}"#)).map(|_| ());
    assert!(bad.is_err(), "fleet=true is no size");
    wait_for("its error", || {
        text(&host).contains("Bots Status cannot start: fleet=\"true\" must be a number")
    })
    .await;
    for not_an_object in [
        JsValue::from(5),
        options("[\"agents\"]"),
        JsValue::from("agents"),
    ] {
        let host = fresh_host();
        assert!(mount(host.clone(), not_an_object).is_err());
        assert!(
            text(&host).contains(
                "Bots Status cannot start: the options must be an object, e.g. { page: \"agents\" }"
            ),
            "{}",
            text(&host)
        );
    }
}

#[wasm_bindgen_test]
async fn bad_attributes_give_a_clear_error_inside_the_element() {
    let (_host, el) = element(&[("fleet", "lots")]);
    wait_for("the error", || {
        text(&el).contains(
            "Bots Status cannot start: fleet=\"lots\" must be a number of connectors from 1 to 100000.",
        )
    })
    .await;
    assert!(query_all(&el, ".bs-metric").is_empty());
    assert_eq!(
        query(&el, "[role=alert]").get_attribute("role").as_deref(),
        Some("alert")
    );
    // Fixing the attribute replaces the error with the app.
    el.set_attribute("fleet", "20").expect("attribute");
    wait_for("the app", || {
        !query_all(&el, ".bs-metric").is_empty() && !text(&el).contains("cannot start")
    })
    .await;
    let (_h2, other) = element(&[("colour", "red"), ("page", "nowhere")]);
    wait_for("the error", || text(&other).contains("cannot start")).await;
    let said = text(&other);
    assert!(
        said.contains("\"colour\" is not an option")
            || said.contains("page=\"nowhere\" is not one of dashboard, agents, pcs, events."),
        "{said}"
    );
}

#[wasm_bindgen_test]
async fn live_options_are_checked_and_an_unreachable_api_is_said() {
    let (_host, el) = element(&[("backend", "live")]);
    wait_for("the error", || {
        text(&el).contains("backend=\"live\" needs api, the address of the Bots Status API")
    })
    .await;
    let (_host, el) = element(&[("api", "fleet.example")]);
    wait_for("the error", || {
        text(&el).contains("api: \"fleet.example\" is not an address")
    })
    .await;
    // Nothing listens on the discard port: the app says so and keeps trying.
    let host = fresh_host();
    let _app = mount(
        host.clone(),
        options(r#"{"api": "http://127.0.0.1:9", "token": "t", "page": "agents"}"#),
    )
    .expect("mounted");
    wait_for("the reconnecting state", || {
        query_all(&host, ".bs-connection")
            .first()
            .is_some_and(|b| text(b) == "Live API · reconnecting…")
    })
    .await;
    assert!(
        text(&query(&host, ".bs-notices"))
            .contains("The server at http://127.0.0.1:9 could not be reached"),
        "{}",
        text(&query(&host, ".bs-notices"))
    );
    assert!(
        text(&query(&host, ".bs-connection-status"))
            .starts_with("The server cannot be reached yet; trying again…")
    );
}

#[wasm_bindgen_test]
async fn the_host_hears_of_selections_and_actions() {
    let host = fresh_host();
    let heard: Rc<RefCell<Vec<(String, String)>>> = Rc::default();
    for name in ["bots-status:selection", "bots-status:action"] {
        let heard = heard.clone();
        let listener =
            Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
                let detail = js_sys::JSON::stringify(&e.detail())
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default();
                heard.borrow_mut().push((e.type_(), detail));
            });
        host.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref())
            .expect("listen");
        listener.forget();
    }
    let _app = mount(
        host.clone(),
        options(r#"{"page": "agents", "fleet": 60, "speed": "instant"}"#),
    )
    .expect("mounted");
    wait_for("rows", || !query_all(&host, ".bs-row").is_empty()).await;
    isolate(&host, "online").await;
    click_with_shift(&query(&host, ".bs-row input[type=checkbox]"), false);
    wait_for("the selection event", || {
        heard.borrow().iter().any(|(t, d)| {
            t == "bots-status:selection" && d.starts_with("{\"count\":1,\"connectorIds\":[")
        })
    })
    .await;
    query(&host, "button[aria-haspopup=menu]")
        .unchecked_ref::<HtmlElement>()
        .click();
    wait_for("the menu", || !query_all(&host, "[role=menu]").is_empty()).await;
    let stop = query_all(&host, "[role=menuitem]")
        .into_iter()
        .find(|i| text(i).starts_with("Stop Agent"))
        .expect("Stop Agent");
    stop.unchecked_ref::<HtmlElement>().click();
    wait_for("the dialog", || {
        !query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    confirm_and_close(&host).await;
    let heard = heard.borrow();
    let action = heard
        .iter()
        .find(|(t, _)| t == "bots-status:action")
        .expect("an action event");
    assert!(
        action.1.contains("\"action\":\"Stop Agent\""),
        "{}",
        action.1
    );
    assert!(action.1.contains("\"done\":1"), "{}", action.1);
    assert!(
        action.1.ends_with("\"done\":1,\"skipped\":0,\"failed\":0}"),
        "{}",
        action.1
    );
}

#[wasm_bindgen_test]
fn the_hosted_page_reads_the_same_options_and_says_what_it_did_not_use() {
    let config = bots_status::hosted_config("?fleet=0&seed=7&speed=fast&view=agents");
    assert_eq!(config.simulation.seed, 7);
    assert_eq!(
        config.notices,
        [
            "The link's fleet= is not used: fleet=\"0\" must be a number of connectors from 1 to 100000.",
            "The link's speed= is not used: speed=\"fast\" is not one of 1, 10, 60, instant.",
        ]
    );
    // A valid size is a fresh fleet, kept nowhere.
    let config = bots_status::hosted_config("?fleet=300");
    assert_eq!(config.simulation.size, 300);
    assert_eq!(config.simulation.storage_key, None);
    assert!(config.notices.is_empty());
    // Every page can be embedded, the event log included.
    let options = [("page".to_owned(), "events".to_owned())];
    let embedded = bots_status::embed::config_from(&options).expect("the event log");
    assert_eq!(embedded.page, Some(bots_status::view::Page::Events));
}
