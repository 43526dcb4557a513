//! Helpers for browser tests: a fresh host element, waiting for a condition, reading what a
//! user sees.

// Test helpers fail the test loudly when the page is not what a test expects. Each test file
// is its own crate and uses part of this module, so what one file leaves unused is not dead.
#![allow(dead_code, clippy::expect_used)]

use bots_status::app::AppConfig;
use bots_status::backend::simulated::{SimulationOptions, Speed};
use bots_status::prefs::PrefsKey;
use bots_status::{AppHandle, mount_app};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

pub fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser test has a document")
}

/// A new, empty element attached to the page, for one test's app to live in.
pub fn fresh_host() -> HtmlElement {
    let doc = document();
    let host: HtmlElement = doc
        .create_element("div")
        .expect("create div")
        .dyn_into()
        .expect("div is an HtmlElement");
    doc.body()
        .expect("body")
        .append_child(&host)
        .expect("attach host");
    host
}

/// Yields to the browser once (a macrotask), so scheduled effects and rendering run.
pub async fn tick() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let window = web_sys::window().expect("window");
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .expect("setTimeout");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("timer resolves");
}

/// Waits until `condition` holds, failing the test with `what` after five seconds.
pub async fn wait_for(what: &str, condition: impl Fn() -> bool) {
    wait_for_within(what, 5000, condition).await;
}

/// Waits until `condition` holds, failing the test with `what` after `ms` milliseconds.
pub async fn wait_for_within(what: &str, ms: u32, condition: impl Fn() -> bool) {
    let started = js_sys::Date::now();
    while !condition() {
        if js_sys::Date::now() - started > f64::from(ms) {
            panic!("timed out waiting for {what}");
        }
        tick().await;
    }
}

pub fn text(element: &Element) -> String {
    element.text_content().unwrap_or_default().trim().to_owned()
}

pub fn query(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

pub fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).expect("valid selector");
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// The form field (its `<label>`) whose visible label reads `label`.
pub fn field(root: &Element, label: &str) -> Element {
    query_all(root, "label")
        .into_iter()
        .find(|l| {
            l.query_selector(".bs-field__label")
                .ok()
                .flatten()
                .is_some_and(|span| text(&span) == label)
        })
        .unwrap_or_else(|| panic!("no field labelled {label}"))
}

/// Picks `value` in the `<select>` whose label reads `label`, as a user would.
pub fn choose(root: &Element, label: &str, value: &str) {
    let field = field(root, label);
    let select: web_sys::HtmlSelectElement = query(&field, "select").dyn_into().expect("a select");
    select.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("change", &init).expect("event");
    select.dispatch_event(&event).expect("dispatch");
}

/// Clicks the button whose text is `label` inside `root`.
pub fn click_button(root: &Element, label: &str) {
    let button = query_all(root, "button")
        .into_iter()
        .find(|b| text(b) == label)
        .unwrap_or_else(|| panic!("no button reading {label}"));
    button.dyn_into::<HtmlElement>().expect("a button").click();
}

/// Clicks `element`, with Shift held when `shift` is true.
pub fn click_with_shift(element: &Element, shift: bool) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_shift_key(shift);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).expect("event");
    element.dispatch_event(&event).expect("dispatch");
}

/// Types `value` into the text input labelled `label`.
pub fn type_into(root: &Element, label: &str, value: &str) {
    let field = field(root, label);
    let input: web_sys::HtmlInputElement = query(&field, "input").dyn_into().expect("an input");
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).expect("event");
    input.dispatch_event(&event).expect("dispatch");
}

pub fn storage() -> web_sys::Storage {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage")
}

/// This site's storage filled until the browser refuses more; freed again when dropped, even
/// when the test fails.
pub struct Fillers(Vec<String>);

impl Drop for Fillers {
    fn drop(&mut self) {
        for key in &self.0 {
            let _ = storage().remove_item(key);
        }
    }
}

/// Fills the storage with large items, then ever smaller ones, so not even a few bytes are
/// left (each loop is bounded).
pub fn fill_storage() -> Fillers {
    let mut fillers = Fillers(Vec::new());
    for size in [512 * 1024, 32 * 1024, 1024, 64, 1] {
        let chunk = "x".repeat(size);
        for _ in 0..4096 {
            let key = format!("bots-status-test/filler-{}", fillers.0.len());
            if storage().set_item(&key, &chunk).is_err() {
                break;
            }
            fillers.0.push(key);
        }
    }
    fillers
}

pub fn config(key: &str) -> AppConfig {
    AppConfig {
        simulation: SimulationOptions {
            seed: 7,
            size: 80,
            storage_key: Some(format!("bots-status-test/{key}")),
            speed: Speed::RealTime,
        },
        prefs: PrefsKey(Some(format!("bots-status-test/{key}-prefs"))),
        ..AppConfig::default()
    }
}

pub fn fresh_config(key: &str) -> AppConfig {
    let config = config(key);
    if let Some(k) = &config.simulation.storage_key {
        let _ = storage().remove_item(k);
    }
    if let Some(k) = &config.prefs.0 {
        for what in ["views", "views.unreadable", "columns", "theme"] {
            let _ = storage().remove_item(&format!("{k}/{what}"));
        }
    }
    config
}

/// Mounts an app; it is unmounted when the returned handle drops.
pub fn mount(config: AppConfig) -> (web_sys::HtmlElement, AppHandle) {
    let host = fresh_host();
    let handle = mount_app(host.clone(), config);
    (host, handle)
}

/// The text of the column headed `header` ("Bot Agent Connector") in every rendered row.
pub fn column(root: &web_sys::Element, header: &str) -> Vec<String> {
    column_or_none(root, header).unwrap_or_else(|| panic!("no column {header}"))
}

/// [`column`], or `None` while the table does not show that column.
pub fn column_or_none(root: &web_sys::Element, header: &str) -> Option<Vec<String>> {
    let n = headers(root).iter().position(|h| h == header)?;
    Some(
        query_all(root, ".bs-row")
            .iter()
            .map(|row| text(&query_all(row, "td")[n]))
            .collect(),
    )
}

/// The table's headers, without their sort arrows.
pub fn headers(root: &web_sys::Element) -> Vec<String> {
    query_all(root, ".bs-table thead th")
        .iter()
        .map(|th| text(th).trim_end_matches(['▲', '▼']).to_owned())
        .collect()
}

/// A fresh app whose simulated starts finish at once.
pub fn instant(key: &str) -> AppConfig {
    let mut config = fresh_config(key);
    config.simulation.speed = Speed::Instant;
    config
}

/// The value a dashboard metric shows ("12", or "N/A" before the backend answers).
pub fn metric(root: &Element, label: &str) -> String {
    let card = query_all(root, ".bs-metric")
        .into_iter()
        .find(|c| text(&query(c, ".bs-metric__label")) == label)
        .unwrap_or_else(|| panic!("no metric {label}"));
    text(&query(&card, ".bs-metric__value"))
}

/// Presses `key` on `target` (keydown, bubbling), with Shift held when `shift` is true.
pub fn press(target: &Element, key: &str, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    target.dispatch_event(&event).expect("dispatch");
}

pub async fn open_agents(root: &web_sys::Element) {
    click_button(root, "Bot Agents");
    wait_for("the connector table", || {
        !query_all(root, ".bs-row").is_empty()
    })
    .await;
}

/// Filters the table to the connectors whose Bot Agent Connector status is `status` (a
/// filter slug), and waits until it shows only those.
pub async fn show_status(host: &Element, status: &str) {
    choose(host, "Bot Agent Connector", status);
    wait_for(&format!("{status} rows"), || {
        let shown = column(host, "Bot Agent Connector");
        !shown.is_empty() && shown.iter().all(|s| slug(s) == status)
    })
    .await;
}

/// Narrows the table to one connector whose Bot Agent Connector status is `status` (a
/// filter slug), by searching for its agent user ID; returns that ID.
pub async fn isolate(host: &Element, status: &str) -> String {
    show_status(host, status).await;
    let agent = column(host, "Agent user ID")[0].clone();
    choose(host, "Bot Agent Connector", "");
    type_into(host, "Search", &agent);
    wait_for("the one connector", || {
        column(host, "Agent user ID") == vec![agent.clone()]
    })
    .await;
    agent
}

pub fn slug(status: &str) -> String {
    status
        .to_lowercase()
        .replace(' ', "-")
        .replace("ready-to-start", "ready")
}

/// The control a `<label>` reading `label` names: by its `for`, or the one it wraps.
pub fn control(root: &Element, label: &str) -> HtmlElement {
    let found = query_all(root, "label")
        .into_iter()
        .find(|l| {
            let own = l
                .query_selector(".bs-field__label")
                .ok()
                .flatten()
                .map_or_else(|| text(l), |span| text(&span));
            own == label
        })
        .unwrap_or_else(|| panic!("no label {label}"));
    let target = match found.get_attribute("for") {
        Some(id) => document().get_element_by_id(&id),
        None => found.query_selector("input, select").ok().flatten(),
    };
    target
        .unwrap_or_else(|| panic!("label {label} names no control"))
        .dyn_into()
        .expect("an HTML control")
}

/// Sets an input's or select's value and fires `event` ("input" or "change"), as typing or
/// choosing does.
pub fn set_value(control: &HtmlElement, value: &str, event: &str) {
    if let Some(input) = control.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(select) = control.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.set_value(value);
    }
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict(event, &init).expect("event");
    control.dispatch_event(&event).expect("dispatch");
}

/// The value an input or select shows now.
pub fn value_of(control: &HtmlElement) -> String {
    if let Some(input) = control.dyn_ref::<web_sys::HtmlInputElement>() {
        input.value()
    } else if let Some(select) = control.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}

/// Says Yes to the open action dialog, then closes its results; returns what they said.
/// Where the action would leave a bot with nobody online, it first gives the confirmation
/// the dialog asks for (the bot's name, or the tick).
pub async fn confirm_and_close(host: &Element) -> String {
    if let Some(ask) = query_all(host, "dialog[open] .bs-impact__confirm").first() {
        let input: web_sys::HtmlInputElement = query(ask, "input").dyn_into().expect("input");
        if input.type_() == "checkbox" {
            input.click();
        } else {
            let label = text(&query(ask, ".bs-field__label"));
            let name = label
                .strip_prefix("Type ")
                .and_then(|l| l.strip_suffix(" to confirm"))
                .expect("the bot's name");
            set_value(&input.clone().unchecked_into(), name, "input");
        }
        tick().await;
    }
    click_button(&query(host, "dialog[open]"), "Yes");
    wait_for("the results", || {
        query_all(host, "dialog[open] [aria-label='Result per connector']").len() == 1
    })
    .await;
    let results = text(&query(host, "dialog[open]"));
    click_button(&query(host, "dialog[open]"), "Close");
    wait_for("the dialog to close", || {
        query_all(host, "dialog[open]").is_empty()
    })
    .await;
    results
}

pub fn select_row(host: &Element, n: usize) {
    click_with_shift(&query_all(host, ".bs-row input[type=checkbox]")[n], false);
}

pub fn actions_button(host: &Element) -> HtmlElement {
    query_all(host, "button[aria-haspopup=menu]")
        .into_iter()
        .find(|b| text(b).starts_with("Actions"))
        .expect("an Actions button")
        .dyn_into()
        .expect("a button")
}

/// The entry `label` of the open menu.
pub fn menu_item(host: &Element, label: &str) -> HtmlElement {
    query_all(host, "[role=menu] [role=menuitem]")
        .into_iter()
        .find(|i| text(&query(i, ".bs-menu__label")) == label)
        .unwrap_or_else(|| panic!("no menu entry {label}"))
        .dyn_into()
        .expect("a button")
}

pub async fn open_actions(host: &Element) {
    actions_button(host).click();
    wait_for("the Actions menu", || {
        !query_all(host, "[role=menu]").is_empty()
    })
    .await;
}

pub async fn choose_action(host: &Element, label: &str) -> Element {
    open_actions(host).await;
    menu_item(host, label).click();
    wait_for("the dialog", || !query_all(host, "dialog[open]").is_empty()).await;
    query(host, "dialog[open]")
}

pub fn dialog(host: &Element) -> Element {
    query(host, "dialog[open]")
}

/// Opens the details of the first row.
pub async fn open_details(host: &Element) {
    click_button(&query(host, ".bs-row"), &column(host, "Bot")[0]);
    wait_for("the details", || !query_all(host, ".bs-details").is_empty()).await;
}

/// Opens the edit form from the open details, once they offer Edit; returns its dialog.
pub async fn edit_form(host: &Element) -> Element {
    wait_for("the Edit button", || {
        query_all(&query(host, ".bs-details"), "button")
            .iter()
            .any(|b| text(b) == "Edit")
    })
    .await;
    click_button(&query(host, ".bs-details"), "Edit");
    wait_for("the edit form", || {
        !query_all(host, "dialog[open] form").is_empty()
    })
    .await;
    dialog(host)
}

pub fn open_advanced(form: &Element) {
    let details: web_sys::HtmlDetailsElement = query(form, "details").dyn_into().expect("details");
    details.set_open(true);
}

/// The test page's title, as the browser shows it.
pub fn document_title() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
        .title()
}

pub fn set_document_title(title: &str) {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
        .set_title(title);
}

/// Waits until the Problems area has looked at the fleet once.
pub async fn problems_looked(host: &Element) {
    wait_for("the first look at the fleet", || {
        query(host, ".bs-problems")
            .get_attribute("data-looked")
            .as_deref()
            == Some("true")
    })
    .await;
}

/// The open problems the Problems area lists as new (not acknowledged).
pub fn new_problems(host: &Element) -> Vec<Element> {
    query_all(host, ".bs-problems__item[data-acknowledged=false]")
}
