//! Training mode in a real browser: a scenario from start to solved, a resource outage in all
//! three status columns and the metrics, the timeline and event log of a connector that
//! dropped and recovered, and a bot user the login policy disabled, whose connector's details
//! refuse Edit.

// clippy does not see #[wasm_bindgen_test] functions as tests; an expect here is an assertion.
#![allow(clippy::expect_used)]

mod support;

use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn click(element: &Element) {
    element
        .clone()
        .dyn_into::<HtmlElement>()
        .expect("an element")
        .click();
}

/// The number a dashboard metric shows.
fn count(host: &Element, label: &str) -> u32 {
    metric(host, label).parse().expect("a count")
}

fn simulated_time(host: &Element) -> String {
    text(&query(host, ".bs-simulation__time"))
}

/// Waits until the simulated clock has moved on from what it shows now.
async fn let_time_pass(host: &Element) {
    let before = simulated_time(host);
    wait_for("simulated time to pass", || simulated_time(host) != before).await;
}

#[wasm_bindgen_test]
async fn a_scenario_is_set_up_checked_against_the_fleet_and_solved_with_a_hint() {
    let (host, _app) = mount(instant("training-scenario"));
    wait_for("the scenario list", || {
        !query_all(&host, ".bs-training__item").is_empty()
    })
    .await;
    assert!(query_all(&host, ".bs-training__item").len() >= 6);
    click(&query(
        &host,
        "button[aria-label='Start: Connectors offline after an outage']",
    ));
    wait_for("the exercise", || {
        !query_all(&host, ".bs-exercise").is_empty()
    })
    .await;
    let bar = query(&host, ".bs-exercise");
    assert!(
        text(&bar).contains("Objective: Bring every connector of Billing Desk back Online"),
        "{}",
        text(&bar)
    );
    let goal = query(&bar, ".bs-exercise__goals li");
    assert_eq!(goal.get_attribute("data-met").as_deref(), Some("false"));
    assert!(text(&goal).contains("(0 of 3 now)"), "{}", text(&goal));

    click_button(&bar, "Show a hint (4 left)");
    wait_for("the first hint", || {
        query_all(&host, ".bs-exercise__hints li").len() == 1
    })
    .await;
    assert!(text(&query(&host, ".bs-exercise__time")).contains("hints used 1"));

    // What happened before the trainee arrived is in the event log: the outage, and the start
    // that failed during it.
    click_button(&host, "Event log");
    wait_for("the event log", || {
        !query_all(&host, ".bs-events").is_empty()
    })
    .await;
    type_into(&host, "Search", "Billing Desk");
    wait_for("the setup's events", || {
        query_all(&host, ".bs-events__row")
            .iter()
            .any(|r| text(r).contains("Failed connection to Conversational Cloud"))
            && query_all(&host, ".bs-events__row").iter().any(|r| {
                text(r).contains("Conversational Cloud")
                    && text(r).contains("Connected → Not Connected")
            })
    })
    .await;

    // The fix: restart Billing Desk's three connectors.
    open_agents(&host).await;
    type_into(&host, "Search", "Billing Desk");
    wait_for("Billing Desk's connectors", || {
        column(&host, "Bot").len() == 3 && column(&host, "Bot").iter().all(|b| b == "Billing Desk")
    })
    .await;
    let statuses = column(&host, "Bot Agent Connector");
    assert!(
        statuses.contains(&"Not Connected".to_owned()),
        "{statuses:?}"
    );
    for n in 0..3 {
        select_row(&host, n);
    }
    choose_action(&host, "Restart Agents").await;
    let results = confirm_and_close(&host).await;
    assert!(results.contains("3 restarting"), "{results}");
    wait_for("the exercise to be solved", || {
        query_all(&host, ".bs-exercise__solved")
            .first()
            .is_some_and(|p| text(p).contains("with 1 hint"))
    })
    .await;
    assert_eq!(column(&host, "Bot Agent Connector"), vec!["Online"; 3]);
    assert_eq!(
        query(&host, ".bs-exercise__goals li")
            .get_attribute("data-met")
            .as_deref(),
        Some("true")
    );
    // Solved stays solved; no more hints are offered.
    assert!(
        query_all(&bar, "button")
            .iter()
            .all(|b| !text(b).starts_with("Show a hint"))
    );
}

#[wasm_bindgen_test]
async fn a_resource_outage_shows_in_all_three_status_columns_and_the_metrics() {
    let (host, _app) = mount(instant("training-outage"));
    wait_for("the metrics", || count(&host, "Active agents") > 0).await;
    let cloud_before = count(&host, "Agents not connected to Conversational Cloud");
    let bot_server_before = count(&host, "Agents not connected to Bot Server");
    choose(&host, "Conversational Cloud messaging server", "down");
    choose(&host, "Bot server", "down");
    wait_for("the metrics to count the outage", || {
        count(&host, "Agents not connected to Conversational Cloud") > cloud_before
            && count(&host, "Agents not connected to Bot Server") > bot_server_before
    })
    .await;
    // A running messaging connector keeps running, with both connections lost.
    open_agents(&host).await;
    choose(&host, "Conversation type", "Messaging");
    isolate(&host, "online").await;
    assert_eq!(column(&host, "Conversational Cloud"), vec!["Not Connected"]);
    assert_eq!(column(&host, "Bot Server"), vec!["Not Connected"]);
    // Restarted during the outage, it fails: all three columns say so.
    select_row(&host, 0);
    choose_action(&host, "Restart Agents").await;
    confirm_and_close(&host).await;
    choose(&host, "Bot Agent Connector", "");
    wait_for("the failed start", || {
        column(&host, "Bot Agent Connector").len() == 1
            && column(&host, "Bot Agent Connector")[0] == "Not Connected"
    })
    .await;
    assert_eq!(column(&host, "Conversational Cloud"), vec!["Not Connected"]);
    assert_eq!(column(&host, "Bot Server"), vec!["Not Connected"]);
}

#[wasm_bindgen_test]
async fn the_timeline_and_event_log_show_a_connector_that_dropped_and_recovered() {
    let (host, _app) = mount(instant("training-timeline"));
    open_agents(&host).await;
    let agent = isolate(&host, "online").await;
    assert_eq!(column(&host, "Bot Server"), vec!["Connected"]);
    let_time_pass(&host).await;
    choose(&host, "Bot server", "down");
    wait_for("the drop", || {
        column(&host, "Bot Server") == vec!["Not Connected"]
    })
    .await;
    let_time_pass(&host).await;
    choose(&host, "Bot server", "up");
    wait_for("the recovery", || {
        column(&host, "Bot Server") == vec!["Connected"]
    })
    .await;
    let_time_pass(&host).await;

    open_details(&host).await;
    let labels = || {
        query_all(
            &host,
            ".bs-timeline [data-dimension=bot-server] .bs-timeline__segment",
        )
        .iter()
        .filter_map(|s| s.get_attribute("data-label"))
        .collect::<Vec<_>>()
    };
    wait_for("the timeline", || !labels().is_empty()).await;
    assert_eq!(labels(), vec!["Connected", "Not Connected", "Connected"]);
    let timeline = query(&host, ".bs-timeline");
    // Down for part of the time the record holds: its uptime says so, below 100 %.
    let uptime = text(&query(&timeline, ".bs-timeline__uptime"));
    assert!(
        uptime.starts_with("Uptime ") && !uptime.starts_with("Uptime 100.0 %"),
        "{uptime}"
    );
    // The other components did not move.
    assert_eq!(
        query_all(
            &query(&timeline, "[data-dimension=connector]"),
            ".bs-timeline__segment"
        )
        .len(),
        1
    );
    let drops = query_all(&timeline, ".bs-timeline__drops li");
    assert_eq!(drops.len(), 1);
    let said = text(&drops[0]);
    assert!(
        said.starts_with("Bot Server: Not Connected at ") && said.ends_with("then recovered"),
        "{said}"
    );
    assert_eq!(
        drops[0].get_attribute("data-ongoing").as_deref(),
        Some("false")
    );

    // The fleet's event log has both changes of this connector, newest first.
    click_button(&host, "Event log");
    wait_for("the event log", || {
        !query_all(&host, ".bs-events__row").is_empty()
    })
    .await;
    choose(&host, "Component", "bot-server");
    type_into(&host, "Search", &agent);
    wait_for("this connector's events", || {
        query_all(&host, ".bs-events__row").len() == 2
    })
    .await;
    let rows = query_all(&host, ".bs-events__row");
    assert!(
        text(&rows[0]).contains("Not Connected → Connected"),
        "{}",
        text(&rows[0])
    );
    assert!(
        text(&rows[1]).contains("Connected → Not Connected"),
        "{}",
        text(&rows[1])
    );
    let export = query_all(&host, "button")
        .into_iter()
        .find(|b| text(b) == "Export CSV")
        .expect("an export button");
    assert!(!export.has_attribute("disabled"));
    // Problems only leaves the drop.
    let problems: HtmlElement = query(&field_check(&host, "Problems only"), "input")
        .dyn_into()
        .expect("a checkbox");
    problems.click();
    wait_for("the drop alone", || {
        query_all(&host, ".bs-events__row").len() == 1
    })
    .await;
}

/// The checkbox label whose text is `label`.
fn field_check(host: &Element, label: &str) -> Element {
    query_all(host, "label.bs-check")
        .into_iter()
        .find(|l| text(l) == label)
        .unwrap_or_else(|| panic!("no checkbox {label}"))
}

#[wasm_bindgen_test]
async fn the_trainer_finds_a_bot_user_by_typing_part_of_its_name() {
    let (host, _app) = mount(fresh_config("faults-find"));
    wait_for("the simulation area", || {
        !query_all(&host, ".bs-simulation__faults select").is_empty()
    })
    .await;
    let users = || query_all(&control(&host, "Bot user"), "option").len();
    wait_for("the bot users", || users() > 3).await;
    type_into(&host, "Find a bot user", "colleague");
    wait_for("only the colleagues' users", || {
        let listed: Vec<String> = query_all(&control(&host, "Bot user"), "option")
            .iter()
            .map(text)
            .collect();
        !listed.is_empty() && listed.iter().all(|t| t.starts_with("colleague-bot-"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_new_production_problem_is_counted_in_the_problems_area_and_the_title() {
    let base = "Bots Status test page".to_owned();
    set_document_title(&base);
    let mut config = instant("training-problems");
    config.title = true;
    let (host, _app) = mount(config);
    problems_looked(&host).await;
    let new = || new_problems(&host);
    let badge = || {
        query(&host, ".bs-problems__count")
            .get_attribute("data-count")
            .unwrap_or_default()
    };
    // What is open as the page opens is acknowledged: nothing is new, and the title is bare.
    click(&query(&host, ".bs-problems__toggle"));
    click_button(&query(&host, ".bs-problems"), "Acknowledge all");
    wait_for("nothing new", || new().is_empty() && badge() == "0").await;
    assert_eq!(document_title(), base);

    // A Production connector restarted while its servers are down fails to connect.
    choose(&host, "Conversational Cloud messaging server", "down");
    choose(&host, "Bot server", "down");
    open_agents(&host).await;
    choose(&host, "Environment", "production");
    choose(&host, "Conversation type", "Messaging");
    let agent = isolate(&host, "online").await;
    select_row(&host, 0);
    choose_action(&host, "Restart Agents").await;
    confirm_and_close(&host).await;
    wait_for("the new problem", || {
        new()
            .iter()
            .any(|p| text(p).contains(&agent) && text(p).contains("is Not Connected"))
    })
    .await;
    let count = new().len();
    assert_eq!(badge(), count.to_string());
    assert_eq!(document_title(), format!("({count}) {base}"));

    // Acknowledged, it stays listed but is no longer counted.
    let item = new()
        .into_iter()
        .find(|p| text(p).contains(&agent))
        .expect("its item");
    click_button(&item, "Acknowledge");
    wait_for("one fewer", || new().len() == count - 1).await;
    assert!(
        query_all(&host, ".bs-problems__item[data-acknowledged=true]")
            .iter()
            .any(|p| text(p).contains(&agent))
    );
    // Escape closes the panel.
    press(&query(&host, ".bs-problems__panel button"), "Escape", false);
    assert!(!query(&host, ".bs-problems").has_attribute("open"));
    let title = if count == 1 {
        base.clone()
    } else {
        format!("({}) {base}", count - 1)
    };
    assert_eq!(document_title(), title);
}

#[wasm_bindgen_test]
async fn an_acknowledgement_holds_on_a_full_storage_and_after_a_reload() {
    let config = instant("training-acknowledged");
    let (host, app) = mount(config.clone());
    problems_looked(&host).await;
    let acknowledged =
        |host: &Element| query_all(host, ".bs-problems__item[data-acknowledged=true]").len();
    let new = new_problems;
    click(&query(&host, ".bs-problems__toggle"));
    wait_for("two open problems", || new(&host).len() >= 2).await;

    // With the storage full, an acknowledgement holds on the page and the reason is said.
    let fillers = fill_storage();
    click_button(&new(&host)[0], "Acknowledge");
    wait_for("the reason", || {
        text(&query(&host, ".bs-toasts")).contains("full or turned off")
    })
    .await;
    assert!(
        text(&query(&host, ".bs-toasts"))
            .contains("The acknowledgement is not kept in this browser")
    );
    assert_eq!(acknowledged(&host), 1);
    drop(fillers);

    // With room again, all of them are kept.
    click_button(&query(&host, ".bs-problems"), "Acknowledge all");
    wait_for("all acknowledged", || new(&host).is_empty()).await;
    let before = acknowledged(&host);
    drop(app);

    // The same browser, the same fleet: what was acknowledged still is.
    let (host, _app) = mount(config);
    problems_looked(&host).await;
    click(&query(&host, ".bs-problems__toggle"));
    wait_for("the acknowledged problems", || {
        acknowledged(&host) >= before.min(1)
    })
    .await;
    assert!(
        acknowledged(&host) + 2 >= before,
        "{} of {before} still acknowledged",
        acknowledged(&host)
    );
}

/// Opens the details of the one connector whose agent user ID is `agent`.
async fn details_of(host: &Element, agent: &str) {
    type_into(host, "Search", agent);
    wait_for("the one connector", || {
        column(host, "Agent user ID") == vec![agent.to_owned()]
    })
    .await;
    open_details(host).await;
}

fn details_offer_edit(host: &Element) -> bool {
    query_all(&query(host, ".bs-details"), "button")
        .iter()
        .any(|b| text(b) == "Edit")
}

fn read_only_note(host: &Element) -> Option<String> {
    query_all(host, ".bs-details__readonly").first().map(text)
}

#[wasm_bindgen_test]
async fn the_details_refuse_edit_while_the_connector_s_bot_agent_user_is_disabled() {
    let (host, _app) = mount(fresh_config("agent-disabled"));
    open_agents(&host).await;
    show_status(&host, "online").await;
    let disabled = column(&host, "Agent user ID")[0].clone();
    // A stopped connector may be edited while its agent is enabled.
    show_status(&host, "stopped").await;
    let enabled = column(&host, "Agent user ID")
        .into_iter()
        .find(|a| *a != disabled)
        .expect("a stopped connector of another bot agent");
    choose(&host, "Bot Agent Connector", "");

    type_into(&host, "Find a bot user", &disabled);
    wait_for("the bot user to pick", || {
        query_all(&control(&host, "Bot user"), "option")
            .iter()
            .any(|o| o.get_attribute("value").as_deref() == Some(disabled.as_str()))
    })
    .await;
    choose(&host, "Bot user", &disabled);
    click_button(&host, "Disable by login policy");
    // The picker says what the fault did to the user.
    wait_for("the picker's note of the disabled user", || {
        query_all(&control(&host, "Bot user"), "option")
            .iter()
            .any(|o| {
                o.get_attribute("value").as_deref() == Some(disabled.as_str())
                    && text(o).contains("· disabled")
            })
    })
    .await;

    details_of(&host, &disabled).await;
    let refusal = "Read-only: Its bot agent user is disabled: enable it in Conversational Cloud before editing the connector.";
    wait_for("the refusal to edit", || {
        read_only_note(&host).as_deref() == Some(refusal)
    })
    .await;
    assert!(
        !details_offer_edit(&host),
        "no Edit while the agent is disabled"
    );

    // Another connector's agent is asked about afresh, and so is the first one's again.
    details_of(&host, &enabled).await;
    wait_for("Edit for the enabled agent", || {
        details_offer_edit(&host) && read_only_note(&host).is_none()
    })
    .await;
    details_of(&host, &disabled).await;
    wait_for("the refusal again", || {
        read_only_note(&host).as_deref() == Some(refusal)
    })
    .await;
    assert!(!details_offer_edit(&host));
}
