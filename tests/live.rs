//! The live adapter against the real reference server that `cargo xtask test` starts
//! (`BOTS_STATUS_LIVE_API`): the list, an action, a conflict, a dropped stream and its
//! resumption, server errors, a refused token, the connection control, and what the server's
//! history and the fleet tell (the Event log, a timeline, the Problems area and the title).
//!
//! The tests share the server's one fleet, so each picks its connectors by their state on the
//! server, and every test that turns a fault on turns it off again.

// clippy does not see #[wasm_bindgen_test] functions as tests; an expect here is an assertion.
#![allow(clippy::expect_used)]

mod support;

use bots_status::app::AppConfig;
use bots_status::backend::Mode;
use bots_status::backend::live::LiveOptions;
use bots_status_core::api::FleetPage;
use bots_status_core::model::{Connector, Environment};
use bots_status_core::status::{ConnectorStatus, StatusValue};
use gloo_net::http::{Method, RequestBuilder};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

const ADMIN: &str = "live-test-admin";

/// The reference server's address, given at build time by `cargo xtask test`.
fn api() -> String {
    match option_env!("BOTS_STATUS_LIVE_API") {
        Some(url) => url.to_owned(),
        None => panic!(
            "BOTS_STATUS_LIVE_API is not set: run the browser tests with `cargo xtask test`, which starts the reference server for them"
        ),
    }
}

fn live(token: &str) -> AppConfig {
    live_at(api(), token)
}

/// The app on the live API at `base_url`, signed in with `token`.
fn live_at(base_url: String, token: &str) -> AppConfig {
    AppConfig {
        backend: Mode::Live(LiveOptions {
            base_url,
            token: Some(token.to_owned()),
        }),
        ..AppConfig::default()
    }
}

/// An administrator whose token carries a name, "Olga Ops": the history's actor.
const OPERATOR: &str = "live-test-operator";

/// Another client of the same server: an administrator calling the API directly.
async fn call(method: Method, path: &str, body: Option<serde_json::Value>) -> (u16, String) {
    call_as(ADMIN, method, path, body).await
}

async fn call_as(
    token: &str,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, String) {
    let request = RequestBuilder::new(&format!("{}/api/v1{path}", api()))
        .method(method)
        .header("Authorization", &format!("Bearer {token}"));
    let request = match body {
        Some(body) => request
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .expect("a JSON body"),
        None => request.build().expect("a request"),
    };
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    (status, response.text().await.expect("a body"))
}

async fn server_fleet() -> Vec<Connector> {
    let (status, text) = call(Method::GET, "/connectors", None).await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str::<FleetPage>(&text)
        .expect("a fleet page")
        .connectors
}

/// A connector the server has in `status` (the first by id).
async fn server_connector_in(status: ConnectorStatus) -> Option<Connector> {
    server_fleet()
        .await
        .into_iter()
        .find(|c| c.state.status() == status)
}

/// A stopped connector: one the fleet has, or one stopped for the test (the tests share the
/// server's fleet, and some of them start connectors).
async fn a_stopped_connector() -> Connector {
    if let Some(stopped) = server_connector_in(ConnectorStatus::Stopped).await {
        return stopped;
    }
    let online = server_connector_in(ConnectorStatus::Online)
        .await
        .expect("an online connector");
    act(&online, "stop").await;
    server_connector(online.id.0).await
}

async fn server_connector(id: u64) -> Connector {
    let (status, text) = call(Method::GET, &format!("/connectors/{id}"), None).await;
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).expect("a connector")
}

async fn act(connector: &Connector, action: &str) {
    let (status, text) = call(
        Method::POST,
        &format!("/connectors/{}/actions", connector.id.0),
        Some(json!({ "action": action })),
    )
    .await;
    assert_eq!(status, 200, "{action}: {text}");
}

async fn set_faults(faults: serde_json::Value) {
    let (status, text) = call(Method::PUT, "/admin/faults", Some(faults)).await;
    assert_eq!(status, 200, "{text}");
}

/// The header's connection control.
fn badge(host: &Element) -> String {
    text(&query(host, ".bs-connection"))
}

async fn wait_live(host: &Element) {
    wait_for("the live connection", || badge(host) == "Live API · live").await;
}

/// Where `agent`'s row is among the rows shown.
fn row_of(host: &Element, agent: &str) -> Option<usize> {
    column(host, "Agent user ID")
        .iter()
        .position(|a| a == agent)
}

/// Searches the table, in every environment, for `agent` (which may match others too);
/// returns its row and its Bot Agent Connector status.
async fn find(host: &Element, agent: &str) -> (usize, String) {
    choose(host, "Environment", "all");
    type_into(host, "Search", agent);
    wait_for(&format!("the row of {agent}"), || {
        row_of(host, agent).is_some()
            && column(host, "Agent user ID")
                .iter()
                .all(|a| a.contains(agent))
    })
    .await;
    let row = row_of(host, agent).expect("its row");
    (row, column(host, "Bot Agent Connector")[row].clone())
}

/// Opens the details of `agent`'s connector, found by searching for it.
async fn details_of(host: &Element, agent: &str) {
    let (row, _) = find(host, agent).await;
    click_button(&query_all(host, ".bs-row")[row], &column(host, "Bot")[row]);
    wait_for("the details", || !query_all(host, ".bs-details").is_empty()).await;
}

async fn status_of(host: &Element, agent: &str) -> String {
    find(host, agent).await.1
}

/// The connector once the server has finished starting it (its starts complete at the next
/// tick).
async fn settled(id: u64) -> Connector {
    let started = js_sys::Date::now();
    loop {
        let now = server_connector(id).await;
        if now.state.status() != ConnectorStatus::Starting {
            return now;
        }
        assert!(
            js_sys::Date::now() - started < 10_000.0,
            "{id} never settled"
        );
        tick().await;
    }
}

/// Waits until the table shows the connector as the server has it once settled.
async fn wait_same_as_server(host: &Element, connector: &Connector) {
    let now = settled(connector.id.0).await;
    let expected = now.state.status().label();
    let agent = now.settings.agent_user_id.clone();
    find(host, &agent).await;
    wait_for(&format!("{agent} to show {expected}"), || {
        row_of(host, &agent).is_some_and(|row| column(host, "Bot Agent Connector")[row] == expected)
    })
    .await;
}

/// wasm-bindgen-test runs async tests concurrently, and these share one server whose fault
/// mode is global: each test waits for its turn. A test that failed never gives its turn
/// back, so a turn is taken over after a minute.
static BUSY: AtomicBool = AtomicBool::new(false);

struct Turn;

impl Drop for Turn {
    fn drop(&mut self) {
        BUSY.store(false, Ordering::SeqCst);
    }
}

async fn my_turn() -> Turn {
    let started = js_sys::Date::now();
    while BUSY.swap(true, Ordering::SeqCst) && js_sys::Date::now() - started < 60_000.0 {
        tick().await;
    }
    Turn
}

/// Mounts an app on the server (with no fault left on by an earlier test) once it is live.
async fn start_live() -> (Element, bots_status::AppHandle) {
    set_faults(json!({})).await;
    let (host, app) = mount(live(ADMIN));
    wait_live(&host).await;
    (host.into(), app)
}

#[wasm_bindgen_test]
async fn the_session_and_the_list_come_from_the_server() {
    let _turn = my_turn().await;
    let (host, _app) = start_live().await;
    assert!(text(&query(&host, ".bs-user")).contains("Administrator"));
    // No simulation area: this is not simulated data.
    assert!(query_all(&host, ".bs-simulation").is_empty());
    open_agents(&host).await;
    let theirs = server_fleet().await;
    for connector in theirs.iter().take(3) {
        let shown = status_of(&host, &connector.settings.agent_user_id).await;
        assert_eq!(shown, connector.state.status().label());
    }
}

#[wasm_bindgen_test]
async fn an_action_reaches_the_server_and_its_outcome_comes_back_on_the_stream() {
    let _turn = my_turn().await;
    let stopped = a_stopped_connector().await;
    let (host, _app) = start_live().await;
    open_agents(&host).await;
    let (row, status) = find(&host, &stopped.settings.agent_user_id).await;
    assert_eq!(status, "Stopped");
    select_row(&host, row);
    choose_action(&host, "Start Agent").await;
    let results = confirm_and_close(&host).await;
    assert!(results.contains("Start Agent: 1 starting."), "{results}");
    assert_ne!(
        server_connector(stopped.id.0).await.state.status(),
        ConnectorStatus::Stopped,
        "started on the server"
    );
    // How the start ended (Online, or Not Connected with its reason) arrives on the stream.
    wait_same_as_server(&host, &stopped).await;
}

#[wasm_bindgen_test]
async fn a_save_over_a_newer_version_gets_the_conflict_and_keeps_the_edit() {
    let _turn = my_turn().await;
    let target = a_stopped_connector().await;
    let (host, _app) = start_live().await;
    open_agents(&host).await;
    details_of(&host, &target.settings.agent_user_id).await;
    let form = edit_form(&host).await;
    open_advanced(&form);
    set_value(&control(&form, "Fallback Skill ID"), "4242", "input");

    // Meanwhile someone starts and stops it: the same settings, a newer version.
    act(&target, "start").await;
    act(&target, "stop").await;

    click_button(&form, "Save");
    wait_for("the conflict", || {
        text(&form).contains("Not saved: this connector was updated since you opened the form")
    })
    .await;
    assert_eq!(
        value_of(&control(&form, "Fallback Skill ID")),
        "4242",
        "kept"
    );
    assert_eq!(
        server_connector(target.id.0)
            .await
            .settings
            .advanced
            .fallback_skill_id,
        target.settings.advanced.fallback_skill_id,
        "nothing was overwritten"
    );
    // Saving again applies the edit over the version it now knows.
    click_button(&form, "Save");
    wait_for("the form to close", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    assert_eq!(
        server_connector(target.id.0)
            .await
            .settings
            .advanced
            .fallback_skill_id,
        Some(4242)
    );
}

#[wasm_bindgen_test]
async fn a_dropped_stream_is_resumed_without_missing_a_change() {
    let _turn = my_turn().await;
    let (host, _app) = start_live().await;
    open_agents(&host).await;
    // Every stream is closed after one event from now on.
    set_faults(json!({ "dropStreamsAfter": 1 })).await;
    let online: Vec<Connector> = server_fleet()
        .await
        .into_iter()
        .filter(|c| c.state.status() == ConnectorStatus::Online)
        .take(4)
        .collect();
    assert_eq!(online.len(), 4, "enough online connectors");
    act(&online[0], "stop").await;
    wait_for("the drop to show", || {
        badge(&host) == "Live API · reconnecting…"
    })
    .await;
    for c in &online[1..] {
        act(c, "stop").await;
    }
    for c in &online[..2] {
        act(c, "start").await;
    }
    set_faults(json!({})).await;
    // Each change reached the page, though the stream was cut after every one of them.
    for c in &online {
        wait_same_as_server(&host, c).await;
    }
    wait_live(&host).await;
}

#[wasm_bindgen_test]
async fn server_errors_are_shown_and_the_connection_comes_back() {
    let _turn = my_turn().await;
    let online = server_connector_in(ConnectorStatus::Online)
        .await
        .expect("an online connector");
    let (host, _app) = start_live().await;
    open_agents(&host).await;
    let (row, _) = find(&host, &online.settings.agent_user_id).await;

    // Every API request fails: an action says so.
    set_faults(json!({ "errorRate": 1.0, "dropStreamsAfter": 1 })).await;
    select_row(&host, row);
    choose_action(&host, "Stop Agent").await;
    let results = confirm_and_close(&host).await;
    assert!(
        results.contains("The server cannot answer now (503"),
        "{results}"
    );

    // A change cuts the stream, and it cannot be opened again: the page keeps the fleet and
    // says since when it is offline.
    let (status, text_) = call(
        Method::PUT,
        "/admin/resources",
        Some(json!({ "environment": "Demo", "resource": "BotServer", "health": "Down" })),
    )
    .await;
    assert_eq!(status, 204, "{text_}");
    wait_for_within("offline", 15_000, || {
        badge(&host).starts_with("Live API · offline since")
    })
    .await;
    let line = text(&query(&host, ".bs-connection-status"));
    assert!(line.contains("The page shows the fleet as of"), "{line}");
    assert_eq!(
        column(&host, "Agent user ID"),
        vec![online.settings.agent_user_id.clone()],
        "still shown"
    );
    // Every status in the table is marked as possibly out of date, as of the last update.
    let stale = text(&query(&host, ".bs-stale"));
    assert!(stale.contains("these statuses are as of"), "{stale}");
    let scroller = || query(&host, ".bs-table-scroll").get_attribute("data-stale");
    assert_eq!(scroller().as_deref(), Some("true"));
    open_details(&host).await;
    let details = text(&query(&host, ".bs-details"));
    assert!(
        details.contains("Confirmed") && details.contains("Not since"),
        "{details}"
    );
    click_button(&query(&host, ".bs-details"), "Close");

    // The server is back: "Retry now" reconnects at once.
    set_faults(json!({})).await;
    assert_eq!(
        server_connector(online.id.0).await.state.status(),
        ConnectorStatus::Online,
        "the failed stop did nothing"
    );
    click_button(&query(&host, ".bs-connection-status"), "Retry now");
    wait_live(&host).await;
    wait_for("current statuses", || {
        query_all(&host, ".bs-stale").is_empty()
    })
    .await;
    assert_eq!(scroller().as_deref(), Some("false"));
    open_details(&host).await;
    let details = text(&query(&host, ".bs-details"));
    assert!(details.contains("By the server at"), "{details}");
    let (status, text_) = call(
        Method::PUT,
        "/admin/resources",
        Some(json!({ "environment": "Demo", "resource": "BotServer", "health": "Up" })),
    )
    .await;
    assert_eq!(status, 204, "{text_}");
    assert!(query_all(&host, ".bs-connection-status").is_empty());
}

#[wasm_bindgen_test]
async fn a_refused_token_is_explained() {
    let _turn = my_turn().await;
    let (host, _app) = mount(live("not-a-token"));
    wait_for("the refusal", || {
        badge(&host) == "Live API · access refused"
    })
    .await;
    let line = text(&query(&host, ".bs-connection-status"));
    assert!(
        line.starts_with("The server did not accept the access token (401"),
        "{line}"
    );
    assert!(line.contains("Check the token under Connection"), "{line}");
}

/// Opens the Connection dialog from the header; returns it.
async fn open_connection(host: &Element) -> Element {
    query(host, ".bs-connection")
        .dyn_into::<HtmlElement>()
        .expect("a button")
        .click();
    wait_for("the dialog", || !query_all(host, "dialog[open]").is_empty()).await;
    query(host, "dialog[open]")
}

/// A simulated app's Connection dialog, switched to "Live API" with its address field shown.
async fn live_choice(key: &str) -> (HtmlElement, bots_status::AppHandle, Element) {
    let (host, app) = mount(fresh_config(key));
    wait_for("the simulated backend", || {
        badge(&host) == "Simulated backend"
    })
    .await;
    let dialog = open_connection(&host).await;
    control(&dialog, "Live API: a Bots Status server (see docs/api.md)").click();
    wait_for("the address field", || {
        !query_all(&dialog, "input[type=url]").is_empty()
    })
    .await;
    (host, app, dialog)
}

#[wasm_bindgen_test]
async fn the_connection_control_switches_between_simulated_and_live() {
    let _turn = my_turn().await;
    let (host, _app, dialog) = live_choice("live-switch").await;
    assert_eq!(query_all(&host, ".bs-simulation").len(), 1);

    // An address that is not one is said next to it, and kept.
    set_value(&control(&dialog, "API address"), "fleet.example", "input");
    click_button(&dialog, "Connect");
    wait_for("the address problem", || {
        text(&dialog).contains("is not an address: it starts with http:// or https://")
    })
    .await;
    assert_eq!(value_of(&control(&dialog, "API address")), "fleet.example");

    set_value(&control(&dialog, "API address"), &api(), "input");
    set_value(&control(&dialog, "Access token"), ADMIN, "input");
    click_button(&dialog, "Connect");
    wait_live(&host).await;
    assert!(query_all(&host, ".bs-simulation").is_empty());
    open_agents(&host).await;
    let first = server_fleet().await.remove(0);
    status_of(&host, &first.settings.agent_user_id).await;

    // And back to the simulator.
    let dialog = open_connection(&host).await;
    control(
        &dialog,
        "Simulated: the built-in simulator, for practice and demonstrations",
    )
    .click();
    wait_for("the simulator's button", || {
        query_all(&dialog, "button")
            .iter()
            .any(|b| text(b) == "Use the simulator")
    })
    .await;
    click_button(&dialog, "Use the simulator");
    wait_for("the simulated backend", || {
        badge(&host) == "Simulated backend"
    })
    .await;
    wait_for("the simulation area", || {
        query_all(&host, ".bs-simulation").len() == 1
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_pcs_operation_over_a_version_someone_else_moved_on_is_not_done() {
    let _turn = my_turn().await;
    let (host, _app) = start_live().await;
    open_agents(&host).await;
    click_button(&host, "PCS Connector");
    wait_for("the survey bots", || {
        text(&host).contains("Survey Connector")
    })
    .await;
    click_button(&host, "Refresh Surveys");
    wait_for("the warning", || {
        !query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    // Meanwhile another operator refreshes them.
    let (_, text_before) = call(Method::GET, "/pcs", None).await;
    let before: serde_json::Value = serde_json::from_str(&text_before).expect("the PCS connector");
    let (status, body) = call(
        Method::POST,
        "/pcs/actions",
        Some(json!({"action": "RefreshSurveys", "version": before["version"]})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    click_button(&query(&host, "dialog[open]"), "Yes");
    wait_for("the refusal", || {
        text(&query(&host, ".bs-toasts")).contains("changed since you saw it")
    })
    .await;
    let (_, text_after) = call(Method::GET, "/pcs", None).await;
    let after: serde_json::Value = serde_json::from_str(&text_after).expect("the PCS connector");
    assert_eq!(
        after["surveys_generation"].as_u64(),
        before["surveys_generation"].as_u64().map(|g| g + 1),
        "only the other operator's refresh was done"
    );
}

#[wasm_bindgen_test]
async fn a_token_never_goes_unencrypted_to_another_machine_without_consent() {
    let _turn = my_turn().await;
    let (host, _app, dialog) = live_choice("live-clear-token").await;
    set_value(
        &control(&dialog, "API address"),
        "http://fleet.example.com",
        "input",
    );
    set_value(&control(&dialog, "Access token"), "s3cret", "input");
    wait_for("the warning", || text(&dialog).contains("unencrypted")).await;
    click_button(&dialog, "Connect");
    wait_for("the refusal", || {
        text(&dialog).contains("Not connected: tick the box above")
    })
    .await;
    // Nothing was switched, and nothing was sent.
    assert_eq!(badge(&host), "Simulated backend");
    assert!(
        !query_all(&host, "dialog[open]").is_empty(),
        "the dialog stays"
    );
    // https, or this machine, needs no consent.
    set_value(
        &control(&dialog, "API address"),
        "https://fleet.example.com",
        "input",
    );
    wait_for("the warning to go", || {
        !text(&dialog).contains("unencrypted")
    })
    .await;
    click_button(&dialog, "Cancel");
}

#[wasm_bindgen_test]
async fn the_event_log_shows_what_happened_before_the_page_opened_and_who_did_it() {
    let _turn = my_turn().await;
    // Before the app opens, Olga starts a stopped connector on the server.
    let stopped = a_stopped_connector().await;
    let id = stopped.id.0;
    let (status, answer) = call_as(
        OPERATOR,
        Method::POST,
        &format!("/connectors/{id}/actions"),
        Some(json!({ "action": "start" })),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (host, _app) = start_live().await;
    click_button(&host, "Event log");
    wait_for("the event log", || {
        !query_all(&host, ".bs-events").is_empty()
    })
    .await;
    type_into(&host, "Search", &format!("#{id}"));
    let rows = || query_all(&host, ".bs-events__row");
    wait_for("Olga's start and the change it made", || {
        rows().iter().any(|r| {
            r.get_attribute("data-kind").as_deref() == Some("action")
                && text(r).contains("start: Done")
                && text(r).contains("Olga Ops")
        }) && rows().iter().any(|r| {
            r.get_attribute("data-kind").as_deref() == Some("status")
                && text(r).contains("Bot Agent Connector")
                && text(r).contains("Stopped → Starting")
        })
    })
    .await;
    // The actor filter keeps Olga's actions only.
    type_into(&host, "Actor", "olga ops");
    wait_for("Olga's actions alone", || {
        !rows().is_empty() && rows().iter().all(|r| text(r).contains("Olga Ops"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_connector_s_timeline_shows_a_stop_from_before_the_page_opened_with_its_uptime() {
    let _turn = my_turn().await;
    // Before the app opens, an online connector is stopped and started again on the server.
    let online = server_connector_in(ConnectorStatus::Online)
        .await
        .expect("an online connector");
    act(&online, "stop").await;
    act(&online, "start").await;
    assert_eq!(
        settled(online.id.0).await.state.status(),
        ConnectorStatus::Online
    );
    let (host, _app) = start_live().await;
    open_agents(&host).await;
    details_of(&host, &online.settings.agent_user_id).await;
    let lane = || {
        query_all(
            &host,
            ".bs-timeline [data-dimension=connector] .bs-timeline__segment",
        )
        .iter()
        .filter_map(|s| s.get_attribute("data-label"))
        .collect::<Vec<_>>()
    };
    wait_for("the stop on its timeline", || {
        lane().iter().any(|l| l == "Stopped")
    })
    .await;
    assert_eq!(lane().last().map(String::as_str), Some("Online"));
    let uptime = || text(&query(&host, ".bs-timeline__uptime"));
    assert!(
        uptime().starts_with("Uptime ") && !uptime().starts_with("Uptime 100.0 %"),
        "{}",
        uptime()
    );
}

#[wasm_bindgen_test]
async fn a_new_production_problem_on_the_server_is_counted_in_the_problems_area_and_the_title() {
    let _turn = my_turn().await;
    set_faults(json!({})).await;
    // A Production bot with two online connectors or more: its failover holds.
    let mut bots: std::collections::BTreeMap<String, Vec<Connector>> = Default::default();
    for c in server_fleet().await {
        if c.environment() == Environment::Production && c.state.status() == ConnectorStatus::Online
        {
            bots.entry(c.bot.id.0.clone()).or_default().push(c);
        }
    }
    let online = bots
        .into_values()
        .find(|cs| cs.len() >= 2)
        .expect("a Production bot with two online connectors");
    let bot = online[0].bot.name.clone();

    let base = "Bots Status live test".to_owned();
    set_document_title(&base);
    let title = document_title;
    let mut config = live(ADMIN);
    config.title = true;
    let (host, _app) = mount(config);
    let host: Element = host.into();
    wait_live(&host).await;
    problems_looked(&host).await;
    let new = || new_problems(&host);
    let failover_lost = || {
        query_all(&host, ".bs-problems__item").into_iter().any(|p| {
            p.get_attribute("data-kind").as_deref() == Some("FailoverLost")
                && text(&p).contains(&bot)
        })
    };
    query(&host, ".bs-problems__toggle")
        .dyn_into::<HtmlElement>()
        .expect("the toggle")
        .click();
    click_button(&query(&host, ".bs-problems"), "Acknowledge all");
    wait_for("nothing new", || new().is_empty() && title() == base).await;
    assert!(!failover_lost(), "{bot} had its failover");

    // Another client stops all but one of them: the bot has lost its failover.
    for c in &online[1..] {
        act(c, "stop").await;
    }
    wait_for("the lost failover, new", || {
        new().iter().any(|p| {
            p.get_attribute("data-kind").as_deref() == Some("FailoverLost")
                && text(p).contains(&bot)
        })
    })
    .await;
    wait_for("the title counting the new problems", || {
        title() == format!("({}) {base}", new().len())
    })
    .await;

    // Started again, the bot recovers and its problem leaves the list.
    for c in &online[1..] {
        act(c, "start").await;
        settled(c.id.0).await;
    }
    let recovered = server_fleet()
        .await
        .iter()
        .filter(|c| c.bot.id == online[0].bot.id && c.state.status() == ConnectorStatus::Online)
        .count();
    if recovered >= 2 {
        wait_for("the recovery", || !failover_lost()).await;
    }
}

#[wasm_bindgen_test]
async fn a_connector_handed_to_a_process_says_so_and_its_silence_shows_since_when() {
    let _turn = my_turn().await;
    set_faults(json!({})).await;
    // A connector of its own, added for a real process, so no other test acts on it.
    let settings = json!({
        "account": bots_status_core::fleet::HOME_ACCOUNT,
        "agent_user_id": "spare-bot-0-1",
        "role": "Agent",
        "conversation_type": "Messaging",
        "environment": "Demo",
        "advanced": { "fallback_skill_id": null, "external_webhook_url": null,
                      "custom_config": [], "accessibility": false },
    });
    let (status, text_) = call(
        Method::POST,
        "/connectors",
        Some(json!({ "bot": { "id": "real-bot", "name": "Real Process Bot" }, "settings": settings })),
    )
    .await;
    assert_eq!(status, 201, "{text_}");
    let added: Connector = serde_json::from_str(&text_).expect("a connector");
    let (status, text_) = call(
        Method::POST,
        &format!("/connectors/{}/token", added.id.0),
        None,
    )
    .await;
    assert_eq!(status, 201, "{text_}");
    let issued: serde_json::Value = serde_json::from_str(&text_).expect("JSON");
    let token = issued["token"].as_str().expect("a token").to_owned();
    // A connector token opens nothing of the app's API.
    assert_eq!(
        call_as(&token, Method::GET, "/connectors", None).await.0,
        403
    );
    act(&added, "start").await;
    let (status, text_) = call_as(
        &token,
        Method::POST,
        "/connector/report",
        Some(json!({ "generation": 2, "status": "Starting", "cloud": "Not Connected", "botServer": "Not Connected" })),
    )
    .await;
    assert_eq!(status, 200, "{text_}");

    let (host, _app) = start_live().await;
    open_agents(&host).await;
    details_of(&host, "spare-bot-0-1").await;
    let source = || text(&query(&host, ".bs-details__source"));
    assert_eq!(source(), "Reported by its connector process, run 2");
    // The process says nothing more: within three heartbeats of the server's clock (this
    // server's runs fast), the connector is Not Connected, saying since when, with the remedy.
    let problem = || {
        query_all(&host, ".bs-problem")
            .first()
            .map(text)
            .unwrap_or_default()
    };
    wait_for_within("the silence", 15_000, || {
        problem().starts_with("No report from the connector since ")
    })
    .await;
    assert!(problem().contains("connector token"), "{}", problem());
    assert!(
        !problem().contains("UTC"),
        "in the user's time: {}",
        problem()
    );

    // Gone again, so the fleet is as the other tests expect it.
    act(&added, "stop").await;
    let (status, text_) = call(Method::DELETE, &format!("/connectors/{}", added.id.0), None).await;
    assert_eq!(status, 204, "{text_}");
    assert_eq!(
        call_as(&token, Method::GET, "/connector/desired", None)
            .await
            .0,
        401,
        "its token went with it"
    );
}

/// The control plane whose three connectors are real processes against the testbed, given
/// at build time by `cargo xtask test`.
fn real_api() -> String {
    match option_env!("BOTS_STATUS_REAL_API") {
        Some(url) => url.to_owned(),
        None => panic!(
            "BOTS_STATUS_REAL_API is not set: run the browser tests with `cargo xtask test`, which starts real connector processes for them"
        ),
    }
}

#[wasm_bindgen_test]
async fn three_real_connector_processes_come_online_in_the_app_with_their_conversations() {
    let _turn = my_turn().await;
    let (host, _app) = mount(live_at(real_api(), ADMIN));
    wait_live(&host).await;
    open_agents(&host).await;
    choose(&host, "Environment", "all");
    // Each process connects to the testbed's servers and is assigned two conversations.
    wait_for_within(
        "three Online connectors with two conversations each",
        30_000,
        || {
            let statuses = column(&host, "Bot Agent Connector");
            statuses.len() == 3
                && statuses.iter().all(|s| s == "Online")
                && column(&host, "Conversations").iter().all(|n| n == "2")
        },
    )
    .await;
    assert_eq!(
        column(&host, "Bot Server"),
        vec!["Connected"; 3],
        "each checked its bot server"
    );
    click_button(&query_all(&host, ".bs-row")[0], &column(&host, "Bot")[0]);
    wait_for("the details", || {
        !query_all(&host, ".bs-details").is_empty()
    })
    .await;
    assert_eq!(
        text(&query(&host, ".bs-details__source")),
        "Reported by its connector process, run 2"
    );
    click_button(&query(&host, ".bs-details"), "Close");

    // Restarted from the app, its process takes up the new run and comes back Online.
    let agent = column(&host, "Agent user ID")[0].clone();
    select_row(&host, 0);
    choose_action(&host, "Restart Agents").await;
    confirm_and_close(&host).await;
    details_of(&host, &agent).await;
    wait_for_within("the new run, Online", 20_000, || {
        query_all(&host, ".bs-details__source")
            .first()
            .map(text)
            .as_deref()
            == Some("Reported by its connector process, run 3")
            && text(&query(&host, ".bs-details")).contains(
                "The connector is running, and all end-to-end connections are working well.",
            )
    })
    .await;
}
