//! The app in a real browser: dashboard, Bot Agents table, filters, selection, details, the
//! simulated backend's clock and its saved state. Each test mounts its own instance with its
//! own storage key and asserts what a user sees.

// clippy does not see #[wasm_bindgen_test] functions as tests; an expect here is an assertion.
#![allow(clippy::expect_used)]

mod support;

use support::document;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn metrics(root: &web_sys::Element) -> Vec<String> {
    [
        "Active agents",
        "Agents not connected to Conversational Cloud",
        "Agents not connected to Bot Server",
        "Stopped agents",
    ]
    .map(|l| metric(root, l))
    .to_vec()
}

#[wasm_bindgen_test]
async fn the_dashboard_shows_the_four_metrics_and_a_status_chart() {
    let (host, _app) = mount(fresh_config("dashboard"));
    assert_eq!(text(&query(&host, "h1")), "Bots Status");
    let shown = metrics(&host);
    assert!(
        shown.iter().all(|m| m.parse::<usize>().is_ok()),
        "{shown:?}"
    );
    assert!(
        query(&host, "svg.bs-chart")
            .get_attribute("aria-label")
            .unwrap_or_default()
            .contains("Online:")
    );
    assert!(text(&host).contains("Bots needing attention"));
}

/// The bots needing attention, as the dashboard lists them.
fn advice_items(host: &web_sys::Element) -> usize {
    query_all(host, ".bs-advice__item").len()
}

#[wasm_bindgen_test]
async fn the_dashboard_lists_the_first_bots_needing_attention_and_more_on_request() {
    let mut config = fresh_config("advice-more");
    config.simulation.size = 2_000;
    let (host, _app) = mount(config);
    click_button(&host, "Pause");
    wait_for("the first bots needing attention", || {
        advice_items(&host) == 20
    })
    .await;
    let panel = query(&host, "[aria-label='Bots needing attention']");
    let said = text(&panel);
    let total: usize = said
        .split("Showing 20 of ")
        .nth(1)
        .and_then(|rest| rest.split(" bots.").next())
        .and_then(|n| n.replace(',', "").parse().ok())
        .unwrap_or_else(|| panic!("no count of the bots in {said:?}"));
    // Seed 7's 2,000 connectors: more than one "Show more" adds, fewer than two.
    assert!(
        (121..=220).contains(&total),
        "2,000 connectors leave {total} bots needing attention"
    );
    click_button(&host, "Show 100 more");
    wait_for("a hundred more", || advice_items(&host) == 120).await;
    assert!(text(&panel).contains(&format!("Showing 120 of {total} bots.")));
    let rest = total - 120;
    click_button(&host, &format!("Show {rest} more"));
    wait_for("the rest", || advice_items(&host) == total).await;
    assert!(!text(&panel).contains("Showing"), "every bot is listed");
    assert!(
        query_all(&panel, "button")
            .iter()
            .all(|b| !text(b).ends_with(" more"))
    );
}

#[wasm_bindgen_test]
async fn metrics_ignore_every_filter_but_environment() {
    let (host, _app) = mount(fresh_config("metrics-filters"));
    open_agents(&host).await;
    let before = metrics(&host);
    choose(&host, "Bot Agent Connector", "stopped");
    choose(&host, "Conversation type", "Chat");
    type_into(&host, "Search", "zzz-no-such-bot");
    wait_for("the filters to apply", || {
        text(&host).contains("No connectors match")
    })
    .await;
    assert_eq!(
        metrics(&host),
        before,
        "non-environment filters changed the metrics"
    );
    choose(&host, "Environment", "demo");
    wait_for("the demo metrics", || metrics(&host) != before).await;
}

#[wasm_bindgen_test]
async fn clicking_a_metric_lists_exactly_what_it_counts() {
    let (host, _app) = mount(fresh_config("metric-click"));
    let stopped = metric(&host, "Stopped agents");
    click_button(&host, &format!("{stopped}Stopped agents"));
    wait_for("the stopped connectors", || {
        !query_all(&host, ".bs-row").is_empty()
    })
    .await;
    let statuses = column(&host, "Bot Agent Connector");
    assert_eq!(statuses.len().to_string(), stopped);
    assert!(statuses.iter().all(|s| s == "Stopped"), "{statuses:?}");
    assert!(text(&host).contains(&format!("Showing {stopped} of")));
}

#[wasm_bindgen_test]
async fn a_stopped_connector_shows_na_for_its_connections() {
    let (host, _app) = mount(fresh_config("na"));
    open_agents(&host).await;
    choose(&host, "Bot Agent Connector", "stopped");
    wait_for("only stopped rows", || {
        column(&host, "Bot Agent Connector")
            .iter()
            .all(|s| s == "Stopped")
    })
    .await;
    assert!(
        column(&host, "Conversational Cloud")
            .iter()
            .all(|s| s == "N/A")
    );
    assert!(column(&host, "Bot Server").iter().all(|s| s == "N/A"));
    let cloud = headers(&host)
        .iter()
        .position(|h| h == "Conversational Cloud")
        .expect("a Cloud column");
    let cell = query(
        &query_all(&query(&host, ".bs-row"), "td")[cloud],
        ".bs-status",
    );
    assert!(
        cell.get_attribute("title")
            .unwrap_or_default()
            .contains("not running")
    );
}

/// The table keeps its rows by their place in the window: when a search leaves fewer
/// connectors than the window holds, the rows beyond them go, and they come back with the
/// next connectors when the search is cleared.
#[wasm_bindgen_test]
async fn the_rows_follow_a_search_that_changes_their_number() {
    let (host, _app) = mount(fresh_config("rows-follow"));
    open_agents(&host).await;
    let first = column(&host, "Bot");
    let window = first.len();
    assert!(window > 3, "a window of rows: {first:?}");
    let bot = first.last().expect("a row").clone();
    type_into(&host, "Search", &bot);
    wait_for("only the bot's rows", || {
        let bots = column(&host, "Bot");
        !bots.is_empty() && bots.len() < window && bots.iter().all(|b| *b == bot)
    })
    .await;
    let shown: usize = text(&query(&host, ".bs-count"))
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert_eq!(column(&host, "Bot").len(), shown, "one row for each match");
    type_into(&host, "Search", "");
    wait_for("the first rows again", || column(&host, "Bot") == first).await;
}

#[wasm_bindgen_test]
async fn select_all_takes_only_the_filtered_rows_and_rows_leaving_the_filter_are_deselected() {
    let (host, _app) = mount(fresh_config("select"));
    open_agents(&host).await;
    choose(&host, "Bot Agent Connector", "online");
    wait_for("only online rows", || {
        column(&host, "Bot Agent Connector")
            .iter()
            .all(|s| s == "Online")
    })
    .await;
    let shown = text(&query(&host, ".bs-count"));
    let n: usize = shown
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a count");
    let all = query(&host, "input[aria-label='Select all shown connectors']");
    click_with_shift(&all, false);
    wait_for("the selection count", || {
        text(&host).contains(&format!("{n} selected"))
    })
    .await;
    // Narrowing the filter deselects what it hides, and says so.
    choose(&host, "Conversation type", "Chat");
    wait_for("the deselection notice", || {
        text(&host).contains("left the filter")
    })
    .await;
    let now: usize = text(&query(&host, ".bs-selection span"))
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("count");
    assert!(now < n);
    assert!(
        column(&host, "Conversation type")
            .iter()
            .all(|t| t == "Chat")
    );
}

#[wasm_bindgen_test]
async fn shift_click_selects_a_range_of_rows() {
    let (host, _app) = mount(fresh_config("shift"));
    open_agents(&host).await;
    let boxes = query_all(&host, ".bs-row input[type=checkbox]");
    click_with_shift(&boxes[1], false);
    click_with_shift(&boxes[4], true);
    wait_for("four selected", || text(&host).contains("4 selected")).await;
}

#[wasm_bindgen_test]
async fn the_conversation_counts_follow_the_load_update() {
    let (host, app) = mount(fresh_config("load-update"));
    open_agents(&host).await;
    let sim = app.backend().expect("the simulated backend");
    sim.set_paused(true);
    // The shown rows' counts, and the simulator's for the same agents.
    let shown = || -> Vec<(String, String)> {
        column(&host, "Agent user ID")
            .into_iter()
            .zip(column(&host, "Conversations"))
            .collect()
    };
    let simulated = |rows: &[(String, String)]| -> Vec<(String, String)> {
        sim.with_simulator(|s| {
            rows.iter()
                .map(|(agent, _)| {
                    let c = s
                        .connectors()
                        .iter()
                        .find(|c| &c.settings.agent_user_id == agent);
                    (
                        agent.clone(),
                        c.map_or_else(String::new, |c| c.concurrent_conversations.to_string()),
                    )
                })
                .collect()
        })
    };
    let before = shown();
    assert!(!before.is_empty());
    // Demand drifts a few conversations per update; within ten, a shown count moves.
    for _ in 0..10 {
        sim.load_update();
        if simulated(&before) != before {
            break;
        }
    }
    assert_ne!(
        simulated(&before),
        before,
        "a load update moved a shown count"
    );
    wait_for("the rows to show the simulator's counts", || {
        let now = shown();
        now == simulated(&now)
    })
    .await;
}

/// A count kept in a JS object, for functions the test hands the page.
struct JsCount(js_sys::Object);

impl JsCount {
    fn new() -> Self {
        let count = js_sys::Object::new();
        js_sys::Reflect::set(&count, &"n".into(), &0.into()).expect("a counter");
        Self(count)
    }

    /// The function `body` returns, run with this `count` and `arg`: it counts its calls in
    /// `count.n`.
    fn function(&self, body: &str, arg: &wasm_bindgen::JsValue) -> js_sys::Function {
        js_sys::Function::new_with_args("count, arg", body)
            .call2(&wasm_bindgen::JsValue::NULL, &self.0, arg)
            .expect("a counting function")
            .into()
    }

    fn so_far(&self) -> f64 {
        js_sys::Reflect::get(&self.0, &"n".into())
            .ok()
            .and_then(|n| n.as_f64())
            .expect("a count")
    }
}

/// Counts the page's `requestAnimationFrame` calls while it lives; dropped, it puts the
/// browser's own back.
struct FrameRequests {
    original: wasm_bindgen::JsValue,
    count: JsCount,
}

impl FrameRequests {
    fn count() -> Self {
        let window = web_sys::window().expect("window");
        let original = js_sys::Reflect::get(&window, &"requestAnimationFrame".into())
            .expect("requestAnimationFrame");
        let count = JsCount::new();
        let counting = count.function(
            "return function (callback) { count.n += 1; return arg.call(window, callback); };",
            &original,
        );
        js_sys::Reflect::set(&window, &"requestAnimationFrame".into(), &counting)
            .expect("requestAnimationFrame replaced");
        Self { original, count }
    }

    fn so_far(&self) -> f64 {
        self.count.so_far()
    }
}

impl Drop for FrameRequests {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            let _ = js_sys::Reflect::set(&window, &"requestAnimationFrame".into(), &self.original);
        }
    }
}

/// Resumes in the next frame's callbacks, after those asked for before.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("window")
            .request_animation_frame(&resolve);
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("a frame");
}

/// An input reaching the app, and a backend batch, ask the browser for a frame before the app
/// works on them, so a frame its clock begins meanwhile shows their change when they are done
/// rather than a frame later (src/frame.rs). Unmounted, the app asks for none.
#[wasm_bindgen_test]
async fn inputs_and_backend_batches_ask_for_a_frame_as_they_begin() {
    use wasm_bindgen::JsCast;
    let (host, app) = mount(fresh_config("frame-requests"));
    wait_for("the dashboard", || !query_all(&host, "h1").is_empty()).await;
    let heading: web_sys::HtmlElement = query(&host, "h1").dyn_into().expect("an element");
    let frames = FrameRequests::count();
    // In a frame's callbacks, every frame asked for before has begun: none is pending.
    next_frame().await;
    let before = frames.so_far();
    heading.click();
    assert!(frames.so_far() > before, "a click asked for a frame");
    next_frame().await;
    let before = frames.so_far();
    app.backend().expect("the simulated backend").burst(3);
    assert!(
        frames.so_far() > before,
        "a backend batch asked for a frame"
    );
    drop(app);
    next_frame().await;
    let before = frames.so_far();
    // A listener left behind would throw (its closure is gone): the page reports that as
    // an error event.
    let errors = JsCount::new();
    let on_error = errors.function(
        "return () => { count.n += 1; };",
        &wasm_bindgen::JsValue::UNDEFINED,
    );
    let window = web_sys::window().expect("window");
    window
        .add_event_listener_with_callback("error", on_error.unchecked_ref())
        .expect("listening for errors");
    host.click();
    let _ = window.remove_event_listener_with_callback("error", on_error.unchecked_ref());
    assert_eq!(
        frames.so_far(),
        before,
        "an unmounted app asks for no frame"
    );
    assert_eq!(
        errors.so_far(),
        0.0,
        "no listener of the unmounted app is left"
    );
}

/// WCAG's contrast ratio of two computed colours ("rgb(r, g, b)").
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |css: &str| -> f64 {
        let channels: Vec<f64> = css
            .trim_start_matches("rgba(")
            .trim_start_matches("rgb(")
            .trim_end_matches(')')
            .split(',')
            .take(3)
            .map(|v| v.trim().parse::<f64>().expect("a channel") / 255.0)
            .map(|c| {
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            })
            .collect();
        0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[wasm_bindgen_test]
async fn every_status_badge_reads_at_aa_contrast() {
    let (host, _app) = mount(fresh_config("contrast"));
    open_agents(&host).await;
    let window = web_sys::window().expect("a window");
    let mut tones = std::collections::BTreeSet::new();
    for badge in query_all(&host, ".bs-status") {
        let style = window
            .get_computed_style(&badge)
            .expect("a style")
            .expect("computed");
        let color = style.get_property_value("color").expect("a colour");
        let background = style
            .get_property_value("background-color")
            .expect("a background");
        let ratio = contrast(&color, &background);
        assert!(
            ratio >= 4.5,
            "{:?} \"{}\": {color} on {background} is {ratio:.2}:1",
            badge.class_name(),
            text(&badge)
        );
        tones.insert(badge.class_name());
    }
    assert_eq!(
        tones.len(),
        5,
        "every tone is on the page (the legend): {tones:?}"
    );
}

#[wasm_bindgen_test]
async fn sorting_by_a_column_orders_the_rows_and_says_so() {
    let (host, _app) = mount(fresh_config("sort"));
    open_agents(&host).await;
    click_button(&host, "Conversations");
    wait_for("ascending order", || {
        let v: Vec<u32> = column(&host, "Conversations")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        v.windows(2).all(|w| w[0] <= w[1]) && !v.is_empty()
    })
    .await;
    click_button(&host, "Conversations▲");
    wait_for("descending order", || {
        let v: Vec<u32> = column(&host, "Conversations")
            .iter()
            .filter_map(|s| s.parse().ok())
            .collect();
        v.windows(2).all(|w| w[0] >= w[1]) && v.first() != v.last()
    })
    .await;
    let header = query_all(&host, "th")
        .into_iter()
        .find(|th| text(th).starts_with("Conversations"))
        .expect("header");
    assert_eq!(
        header.get_attribute("aria-sort").as_deref(),
        Some("descending")
    );
}

#[wasm_bindgen_test]
async fn clicking_a_row_shows_its_statuses_and_the_remedy_for_its_error() {
    let (host, _app) = mount(fresh_config("details"));
    open_agents(&host).await;
    choose(&host, "Environment", "all");
    choose(&host, "Bot Agent Connector", "not-connected");
    wait_for("failed connectors", || {
        column(&host, "Bot Agent Connector")
            .iter()
            .all(|s| s == "Not Connected")
    })
    .await;
    let row = query(&host, ".bs-row td:nth-child(3)");
    click_with_shift(&row, false);
    wait_for("the details panel", || {
        !query_all(&host, ".bs-details").is_empty()
    })
    .await;
    let details = text(&query(&host, ".bs-details"));
    assert!(details.contains("What is wrong"), "{details}");
    assert!(details.contains("Remedy:"), "{details}");
    assert!(details.contains("Last change"), "{details}");
    // The simulated backend is the page's own: nothing to confirm against.
    assert!(!details.contains("Confirmed"), "{details}");
    // Escape closes it.
    press(&query(&host, ".bs-details button"), "Escape", false);
    wait_for("the panel to close", || {
        query_all(&host, ".bs-details").is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_status_change_from_the_simulator_appears_without_reload() {
    let (host, _app) = mount(fresh_config("live"));
    open_agents(&host).await;
    choose(&host, "Environment", "all");
    choose(&host, "Bot Agent Connector", "starting");
    wait_for("starting connectors", || {
        !column(&host, "Bot Agent Connector").is_empty()
    })
    .await;
    choose(&host, "Simulation speed", "instant");
    wait_for("the starts to settle", || {
        text(&host).contains("No connectors match")
    })
    .await;
    assert!(text(&host).contains("Last updated"));
}

#[wasm_bindgen_test]
async fn the_simulated_state_survives_a_reload() {
    let key = "reload";
    let first = fresh_config(key);
    {
        let (host, _app) = mount(first);
        choose(&host, "Simulation speed", "instant");
        // Let the instant clock settle every pending start.
        open_agents(&host).await;
        choose(&host, "Environment", "all");
        choose(&host, "Bot Agent Connector", "starting");
        wait_for("no starting connectors", || {
            text(&host).contains("No connectors match")
        })
        .await;
    } // unmounting saves
    let saved = storage()
        .get_item("bots-status-test/reload")
        .expect("read")
        .unwrap_or_default();
    let starting = saved.matches("\"Starting\"").count();
    assert_eq!(
        starting,
        0,
        "saved speed/state: {}",
        &saved[..200.min(saved.len())]
    );
    let (host, _app) = mount(config(key));
    open_agents(&host).await;
    choose(&host, "Environment", "all");
    choose(&host, "Bot Agent Connector", "starting");
    let seen = || {
        format!(
            "the saved state, saw {:?} / {}",
            column(&host, "Bot Agent Connector"),
            text(&host).chars().take(400).collect::<String>()
        )
    };
    tick().await;
    tick().await;
    let what = seen();
    wait_for(&what, || text(&host).contains("No connectors match")).await;
    assert!(!text(&host).contains("fresh fleet"));
}

#[wasm_bindgen_test]
async fn corrupt_saved_state_gives_a_notice_and_a_fresh_fleet() {
    let config = config("corrupt");
    let key = config.simulation.storage_key.clone().expect("a key");
    storage()
        .set_item(&key, "{\"format\": 1, \"sim\": [oops")
        .expect("write");
    let (host, _app) = mount(config);
    wait_for("the notice", || text(&host).contains("could not be read")).await;
    assert!(metrics(&host).iter().all(|m| m.parse::<usize>().is_ok()));
}

#[wasm_bindgen_test]
async fn a_bot_name_with_markup_is_shown_as_text() {
    let config = fresh_config("markup");
    let key = config.simulation.storage_key.clone().expect("a key");
    drop(mount(config.clone()));
    let saved = storage().get_item(&key).expect("read").expect("saved");
    let mut value: serde_json::Value = serde_json::from_str(&saved).expect("json");
    value["sim"]["fleet"]["connectors"][0]["bot"]["name"] =
        "<b id=\"injected\">Bold</b> & co".into();
    storage().set_item(&key, &value.to_string()).expect("write");
    let (host, _app) = mount(config);
    open_agents(&host).await;
    choose(&host, "Environment", "all");
    type_into(&host, "Search", "<b id");
    wait_for("the row", || {
        column(&host, "Bot")
            .iter()
            .any(|n| n == "<b id=\"injected\">Bold</b> & co")
    })
    .await;
    assert!(document().get_element_by_id("injected").is_none());
}

#[wasm_bindgen_test]
async fn the_url_reproduces_the_view() {
    let window = web_sys::window().expect("window");
    let original = window.location().href().expect("href");
    let mut cfg = fresh_config("url");
    cfg.url = bots_status::view::UrlMode::Query;
    {
        let (host, _app) = mount(cfg.clone());
        open_agents(&host).await;
        choose(&host, "Bot Agent Connector", "stopped");
        type_into(&host, "Search", "Billing");
        wait_for("the URL", || {
            window
                .location()
                .search()
                .unwrap_or_default()
                .contains("status=stopped")
        })
        .await;
    }
    let search = window.location().search().expect("search");
    assert!(
        search.contains("view=agents") && search.contains("q=Billing"),
        "{search}"
    );
    let (host, _app) = mount(cfg);
    wait_for("the restored view", || {
        !query_all(&host, ".bs-filters").is_empty()
    })
    .await;
    let status: web_sys::HtmlSelectElement =
        wasm_bindgen::JsCast::dyn_into(query_all(&host, ".bs-filters select")[1].clone())
            .expect("select");
    assert_eq!(status.value(), "stopped");
    let _ = window.history().expect("history").replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some(&original),
    );
}

#[wasm_bindgen_test]
async fn a_chart_bar_opens_its_list_from_the_keyboard() {
    let (host, _app) = mount(fresh_config("chart-keys"));
    let bar = query_all(&host, ".bs-chart__row")
        .into_iter()
        .find(|g| {
            g.get_attribute("aria-label")
                .unwrap_or_default()
                .starts_with("Online ")
        })
        .expect("an Online bar");
    press(&bar, "Enter", false);
    wait_for("the online connectors", || {
        !query_all(&host, ".bs-row").is_empty()
    })
    .await;
    assert!(
        column(&host, "Bot Agent Connector")
            .iter()
            .all(|s| s == "Online")
    );
}

#[wasm_bindgen_test]
async fn problems_first_lists_the_worst_statuses_first_and_toggles_back() {
    let (host, _app) = mount(fresh_config("problems-first"));
    open_agents(&host).await;
    choose(&host, "Environment", "all");
    let button = || {
        query_all(&host, "button")
            .into_iter()
            .find(|b| text(b) == "Problems first")
            .expect("the Problems first button")
    };
    assert_eq!(
        button().get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    click_button(&host, "Problems first");
    let place = |status: &str| {
        [
            "Not Connected",
            "Starting",
            "Online",
            "Ready to Start",
            "Stopped",
        ]
        .iter()
        .position(|s| *s == status)
    };
    wait_for("the worst statuses first", || {
        let shown = column(&host, "Bot Agent Connector");
        shown.first().map(String::as_str) == Some("Not Connected")
            && shown.windows(2).all(|w| place(&w[0]) <= place(&w[1]))
    })
    .await;
    assert_eq!(
        button().get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    // No column claims the order.
    assert!(
        query_all(&host, "th")
            .iter()
            .all(|th| th.get_attribute("aria-sort").as_deref() != Some("ascending")),
        "a column header says it sorts"
    );
    click_button(&host, "Problems first");
    wait_for("the default order by bot", || {
        let bots = column(&host, "Bot");
        button().get_attribute("aria-pressed").as_deref() == Some("false")
            && bots
                .windows(2)
                .all(|w| w[0].to_lowercase() <= w[1].to_lowercase())
    })
    .await;
}

#[wasm_bindgen_test]
async fn slash_focuses_the_search_and_question_mark_lists_the_shortcuts_but_not_while_typing() {
    let (host, _app) = mount(fresh_config("shortcuts"));
    wait_for("the dashboard", || {
        !query_all(&host, ".bs-metric").is_empty()
    })
    .await;
    let active = || document().active_element();
    // From the dashboard, "/" opens the Bot Agents page with the search focused.
    press(&query(&host, ".bs-title"), "/", false);
    wait_for("the focused search", || {
        active().is_some_and(|a| a.get_attribute("aria-keyshortcuts").as_deref() == Some("/"))
    })
    .await;
    let search = active().expect("the search");
    // Typing in a field is typing: "?" and "/" do nothing there.
    for key in ["?", "/"] {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        init.set_cancelable(true);
        let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init)
            .expect("event");
        search.dispatch_event(&event).expect("dispatch");
        assert!(!event.default_prevented(), "{key} was taken from the field");
    }
    tick().await;
    assert!(query_all(&host, "dialog[open]").is_empty());
    // Anywhere else, "?" lists the shortcuts; Escape closes the list.
    press(&query(&host, ".bs-count"), "?", true);
    wait_for("the shortcuts", || {
        query_all(&host, "dialog[open]").first().is_some_and(|d| {
            text(d).contains("Keyboard shortcuts") && text(d).contains("Search the connectors")
        })
    })
    .await;
    press(&query(&host, "dialog[open] button"), "Escape", false);
    wait_for("the list closed", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    // With Ctrl held, a key is the browser's.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("/");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    query(&host, ".bs-count")
        .dispatch_event(&event)
        .expect("dispatch");
    assert!(!event.default_prevented());
}

#[wasm_bindgen_test]
async fn copy_details_gives_the_ids_statuses_and_remedy_of_a_failed_connector() {
    let (host, _app) = mount(fresh_config("copy-details"));
    open_agents(&host).await;
    let agent = isolate(&host, "not-connected").await;
    click_button(&query(&host, ".bs-row"), &column(&host, "Bot")[0]);
    wait_for("the details", || {
        !query_all(&host, ".bs-details").is_empty()
    })
    .await;
    click_button(&query(&host, ".bs-details"), "Copy details");
    wait_for("the copied text and its outcome", || {
        !query_all(&host, ".bs-copy__text").is_empty()
            && !text(&query(&host, ".bs-copy__outcome")).is_empty()
    })
    .await;
    let copied: web_sys::HtmlTextAreaElement =
        wasm_bindgen::JsCast::dyn_into(query(&host, ".bs-copy__text")).expect("textarea");
    let report = copied.value();
    assert!(
        report.contains(&format!("agent user ID {agent}")),
        "{report}"
    );
    assert!(
        report.contains("Bot Agent Connector: Not Connected"),
        "{report}"
    );
    assert!(report.contains("Remedy: "), "{report}");
    let outcome = text(&query(&host, ".bs-copy__outcome"));
    assert!(
        outcome == "Copied to the clipboard." || outcome.starts_with("Select it and copy it"),
        "{outcome}"
    );
}
