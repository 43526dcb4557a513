//! Lifecycle actions in a real browser: the Actions list and the row menu, their dialogs
//! (what they say, where focus goes), each action and each refusal, mixed selections, the
//! restart that restores a dropped connection, and the PCS connector's warning.

// clippy does not see #[wasm_bindgen_test] functions as tests; an expect here is an assertion.
#![allow(clippy::expect_used)]

mod support;

use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The accessible description of a menu entry: what it would do, or why it cannot.
fn description(item: &Element) -> String {
    let id = item.get_attribute("aria-describedby").expect("described");
    text(&document().get_element_by_id(&id).expect("description"))
}

fn active_text() -> String {
    document()
        .active_element()
        .map(|e| text(&e))
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn stop_asks_for_yes_then_the_connector_is_stopped_with_na_connections() {
    let (host, _app) = mount(instant("stop"));
    open_agents(&host).await;
    let agent = isolate(&host, "online").await;
    select_row(&host, 0);
    let dialog = choose_action(&host, "Stop Agent").await;
    let said = text(&dialog);
    assert!(said.contains("1 connector will be stopped."), "{said}");
    assert!(said.contains(&agent), "{said}");
    assert!(said.contains("In-progress conversations are left as they are"));
    // Stopping takes an agent out of service: the default is to cancel.
    assert_eq!(active_text(), "Cancel");
    let results = confirm_and_close(&host).await;
    assert!(results.contains("Stop Agent: 1 stopped."), "{results}");
    wait_for("the stopped row", || {
        column(&host, "Bot Agent Connector") == vec!["Stopped"]
    })
    .await;
    assert_eq!(column(&host, "Conversational Cloud"), vec!["N/A"]);
    assert_eq!(column(&host, "Bot Server"), vec!["N/A"]);
    // Focus is back on the control that opened the dialog, and the outcome was announced.
    assert!(active_text().starts_with("Actions"));
    assert!(text(&query(&host, ".bs-toasts [role=status]")).contains("Stop Agent: 1 stopped."));
    // The selection is kept, for a follow-up action.
    assert!(text(&host).contains("1 selected"));
}

#[wasm_bindgen_test]
async fn a_dismissed_toast_hides_and_the_others_keep_their_place_and_text() {
    use bots_status::components::toasts::{ToastList, Toasts};
    use leptos::prelude::*;

    let host = fresh_host();
    let toasts = Toasts::new();
    let _mounted =
        leptos::mount::mount_to(host.clone(), move || view! { <ToastList toasts=toasts /> });
    toasts.failed("The first failed.");
    toasts.failed("The second failed.");
    let shown = || query_all(&host, "[role=alert] .bs-toast");
    wait_for("two toasts", || shown().len() == 2).await;
    let (first, second) = (shown()[0].clone(), shown()[1].clone());
    click_button(&first, "Dismiss");
    wait_for("the first hidden", || first.has_attribute("hidden")).await;
    // The second is the same element with the same text, so its live region has nothing new
    // to announce, and it still shows.
    assert!(shown()[1].is_same_node(Some(&second)));
    assert_eq!(text(&query(&second, "span")), "The second failed.");
    assert!(!second.has_attribute("hidden"));
    // A new one comes after them; with the last shown one dismissed, they all go.
    toasts.failed("The third failed.");
    wait_for("a third toast", || shown().len() == 3).await;
    assert_eq!(text(&query(&shown()[2], "span")), "The third failed.");
    click_button(&second, "Dismiss");
    wait_for("the second hidden", || second.has_attribute("hidden")).await;
    assert_eq!(
        shown()
            .iter()
            .filter(|t| !t.has_attribute("hidden"))
            .count(),
        1
    );
    click_button(&shown()[2], "Dismiss");
    wait_for("the region empty", || shown().is_empty()).await;
}

#[wasm_bindgen_test]
async fn start_says_it_can_take_minutes_and_ends_online_or_not_connected() {
    let (host, _app) = mount(instant("start"));
    open_agents(&host).await;
    isolate(&host, "stopped").await;
    select_row(&host, 0);
    let said = text(&choose_action(&host, "Start Agent").await);
    assert!(said.contains("1 connector will be started."), "{said}");
    assert!(said.contains("It can take a few minutes"), "{said}");
    let results = confirm_and_close(&host).await;
    assert!(results.contains("Start Agent: 1 starting."), "{results}");
    wait_for("the start to settle", || {
        matches!(
            column(&host, "Bot Agent Connector")
                .first()
                .map(String::as_str),
            Some("Online" | "Not Connected")
        )
    })
    .await;
}

#[wasm_bindgen_test]
async fn actions_that_do_not_apply_are_disabled_with_the_reason() {
    let (host, _app) = mount(fresh_config("refusals"));
    open_agents(&host).await;
    isolate(&host, "stopped").await;
    select_row(&host, 0);
    open_actions(&host).await;
    let stop = menu_item(&host, "Stop Agent");
    assert_eq!(stop.get_attribute("aria-disabled").as_deref(), Some("true"));
    assert_eq!(
        description(&stop),
        "Nothing to do: 1 skipped: already stopped."
    );
    // A disabled entry does nothing when chosen: once the Escape after it has closed the
    // menu, no dialog has opened either.
    stop.click();
    press(&query(&host, "[role=menu]"), "Escape", false);
    wait_for("the menu to close", || {
        query_all(&host, "[role=menu]").is_empty()
    })
    .await;
    assert!(query_all(&host, "dialog[open]").is_empty());

    // An online connector can be neither redeployed nor deleted.
    click_button(&host, "Clear selection");
    type_into(&host, "Search", "");
    isolate(&host, "online").await;
    select_row(&host, 0);
    open_actions(&host).await;
    for label in ["Re-deploy Agent", "Delete"] {
        let item = menu_item(&host, label);
        assert_eq!(item.get_attribute("aria-disabled").as_deref(), Some("true"));
        assert_eq!(
            description(&item),
            "Nothing to do: 1 skipped: still running."
        );
    }
    assert_eq!(
        menu_item(&host, "Stop Agent")
            .get_attribute("aria-disabled")
            .as_deref(),
        Some("false")
    );
}

#[wasm_bindgen_test]
async fn a_mixed_selection_says_how_many_are_affected_and_which_are_skipped_and_why() {
    let (host, _app) = mount(fresh_config("mixed"));
    open_agents(&host).await;
    // Search for bot names until the rows (all of them in view) mix running and stopped.
    let words: Vec<String> = column(&host, "Bot")
        .iter()
        .filter_map(|b| b.split_whitespace().next().map(str::to_owned))
        .collect();
    let mut mixed = None;
    for word in words {
        type_into(&host, "Search", &word);
        wait_for("the search", || {
            let bots = column(&host, "Bot");
            !bots.is_empty() && bots.iter().all(|b| b.contains(&word))
        })
        .await;
        let statuses = column(&host, "Bot Agent Connector");
        let all_in_view =
            text(&query(&host, ".bs-count")).starts_with(&format!("Showing {} of", statuses.len()));
        let running = statuses
            .iter()
            .filter(|s| matches!(s.as_str(), "Starting" | "Online" | "Not Connected"))
            .count();
        let stopped = statuses.iter().filter(|s| *s == "Stopped").count();
        if all_in_view && running > 0 && stopped > 0 {
            mixed = Some((running, stopped));
            break;
        }
    }
    let (running, stopped) = mixed.expect("a search that gives a mixed selection");
    click_with_shift(
        &query(&host, "input[aria-label='Select all shown connectors']"),
        false,
    );
    let said = text(&choose_action(&host, "Stop Agent").await);
    let plural = if running == 1 { "" } else { "s" };
    assert!(
        said.contains(&format!("{running} connector{plural} will be stopped.")),
        "{said}"
    );
    assert!(
        said.contains(&format!("{stopped} skipped: already stopped")),
        "{said}"
    );
    assert!(said.contains("skipped: It is already stopped."), "{said}");
    let results = confirm_and_close(&host).await;
    assert!(
        results.contains(&format!("{running} stopped")) && results.contains("skipped"),
        "{results}"
    );
    wait_for("every row stopped or never started", || {
        column(&host, "Bot Agent Connector")
            .iter()
            .all(|s| s == "Stopped" || s == "Ready to Start")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_dialog_takes_focus_keeps_tab_inside_and_escape_returns_focus() {
    let (host, _app) = mount(fresh_config("focus"));
    open_agents(&host).await;
    isolate(&host, "online").await;
    select_row(&host, 0);
    let dialog = choose_action(&host, "Stop Agent").await;
    assert_eq!(active_text(), "Cancel");
    // Tab from the last control wraps to the first, Shift+Tab from the first to the last.
    let yes: HtmlElement = query_all(&dialog, "button")
        .into_iter()
        .find(|b| text(b) == "Yes")
        .expect("Yes")
        .dyn_into()
        .expect("button");
    yes.focus().expect("focus");
    press(&yes, "Tab", false);
    assert_eq!(active_text(), "Cancel");
    let cancel = document().active_element().expect("focused");
    press(&cancel, "Tab", true);
    assert_eq!(active_text(), "Yes");
    // Escape cancels, and focus is back on the Actions button.
    press(&yes, "Escape", false);
    wait_for("the dialog to close", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    assert!(active_text().starts_with("Actions"), "{}", active_text());
    assert_eq!(
        column(&host, "Bot Agent Connector"),
        vec!["Online"],
        "cancel changed nothing"
    );
}

#[wasm_bindgen_test]
async fn restart_re_establishes_a_connection_dropped_by_an_outage() {
    let (host, _app) = mount(instant("restart"));
    open_agents(&host).await;
    choose(&host, "Conversation type", "Messaging");
    choose(&host, "Conversational Cloud", "connected");
    isolate(&host, "online").await;
    assert_eq!(column(&host, "Conversational Cloud"), vec!["Connected"]);
    choose(&host, "Conversational Cloud", "");
    choose(&host, "Conversational Cloud messaging server", "down");
    wait_for("the dropped connection", || {
        column(&host, "Conversational Cloud") == vec!["Not Connected"]
    })
    .await;
    // The server coming back does not restore a dropped messaging connection (once the
    // Actions menu opened after it has rendered, so has whatever the return changed) ...
    choose(&host, "Conversational Cloud messaging server", "up");
    select_row(&host, 0);
    open_actions(&host).await;
    assert_eq!(column(&host, "Conversational Cloud"), vec!["Not Connected"]);
    // ... a restart does.
    menu_item(&host, "Restart Agents").click();
    wait_for("the dialog", || {
        !query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    let said = text(&dialog(&host));
    assert!(said.contains("will be stopped and started again"), "{said}");
    confirm_and_close(&host).await;
    wait_for("the restored connection", || {
        column(&host, "Bot Agent Connector") == vec!["Online"]
            && column(&host, "Conversational Cloud") == vec!["Connected"]
    })
    .await;
}

#[wasm_bindgen_test]
async fn redeploy_chooses_an_environment_saves_confirms_and_leaves_the_agent_stopped() {
    let (host, _app) = mount(fresh_config("redeploy"));
    open_agents(&host).await;
    let agent = isolate(&host, "stopped").await;
    select_row(&host, 0);
    let dialog = choose_action(&host, "Re-deploy Agent").await;
    assert!(text(&dialog).contains("1 connector will move to Demo."));
    click_button(&dialog, "Save Settings");
    wait_for("the confirmation", || {
        text(&query(&host, "dialog[open]")).contains("Re-deploy Agent?")
    })
    .await;
    assert_eq!(active_text(), "Cancel");
    let results = confirm_and_close(&host).await;
    assert!(results.contains("Re-deploy Agent: 1 moved."), "{results}");
    // It left the Production list; in Demo it is there, still stopped.
    choose(&host, "Environment", "demo");
    wait_for("the moved connector", || {
        column(&host, "Agent user ID") == vec![agent.clone()]
    })
    .await;
    assert_eq!(column(&host, "Bot Agent Connector"), vec!["Stopped"]);
    // With every environment shown, the Environment column is back and says so.
    choose(&host, "Environment", "all");
    wait_for("the Environment column", || {
        column_or_none(&host, "Environment") == Some(vec!["Demo".to_owned()])
    })
    .await;
}

#[wasm_bindgen_test]
async fn delete_names_what_it_deletes_and_the_row_goes() {
    let (host, _app) = mount(fresh_config("delete"));
    open_agents(&host).await;
    let agent = isolate(&host, "stopped").await;
    let bot = column(&host, "Bot")[0].clone();
    select_row(&host, 0);
    let said = text(&choose_action(&host, "Delete").await);
    assert!(said.contains(&format!("{bot} — {agent}")), "{said}");
    assert!(said.contains("cannot be undone"), "{said}");
    assert_eq!(active_text(), "Cancel");
    confirm_and_close(&host).await;
    wait_for("the row to go", || {
        text(&host).contains("No connectors match these filters.")
    })
    .await;
    assert!(text(&host).contains("0 selected"));
    assert!(!text(&host).contains("left the filter"));
}

#[wasm_bindgen_test]
async fn a_row_menu_acts_on_its_one_connector() {
    let (host, _app) = mount(instant("row-menu"));
    open_agents(&host).await;
    let agent = isolate(&host, "online").await;
    let button: HtmlElement = query(&host, ".bs-row [aria-haspopup=menu]")
        .dyn_into()
        .expect("button");
    assert!(
        button
            .get_attribute("aria-label")
            .unwrap_or_default()
            .contains(&agent)
    );
    button.click();
    wait_for("the row menu", || {
        !query_all(&host, ".bs-row-menu [role=menu]").is_empty()
    })
    .await;
    assert_eq!(
        active_text(),
        menu_item(&host, "Restart Agents")
            .text_content()
            .unwrap_or_default()
            .trim()
    );
    // Arrow keys move through the entries.
    press(
        &document().active_element().expect("focus"),
        "ArrowDown",
        false,
    );
    assert!(active_text().starts_with("Start Agent"));
    press(
        &document().active_element().expect("focus"),
        "ArrowDown",
        false,
    );
    assert!(active_text().starts_with("Stop Agent"));
    menu_item(&host, "Stop Agent").click();
    wait_for("the dialog", || {
        !query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    assert!(text(&query(&host, "dialog[open]")).contains("1 connector will be stopped."));
    confirm_and_close(&host).await;
    wait_for("the stopped row", || {
        column(&host, "Bot Agent Connector") == vec!["Stopped"]
    })
    .await;
    assert!(
        text(&host).contains("0 selected"),
        "the row menu ignores the selection"
    );
}

#[wasm_bindgen_test]
async fn pcs_operations_warn_that_every_survey_bot_is_affected() {
    let (host, _app) = mount(fresh_config("pcs"));
    open_agents(&host).await;
    click_button(&host, "PCS Connector");
    wait_for("the survey bots", || {
        text(&host).contains("Survey Connector")
    })
    .await;
    let survey_bots = query_all(&host, "[aria-label='PCS Connector'] tbody tr").len();
    click_button(&host, "Refresh Surveys");
    wait_for("the warning", || {
        !query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    let said = text(&query(&host, "dialog[open]"));
    assert!(
        said.contains(&format!("affects every survey bot ({survey_bots})")),
        "{said}"
    );
    assert_eq!(active_text(), "Cancel");
    click_button(&query(&host, "dialog[open]"), "Yes");
    wait_for("the confirmation toast", || {
        text(&query(&host, ".bs-toasts")).contains("Surveys refreshed")
    })
    .await;
    assert!(query_all(&host, "dialog[open]").is_empty());
}

#[wasm_bindgen_test]
async fn a_failing_backend_gives_the_reason_and_keeps_the_selection_for_a_retry() {
    let (host, _app) = mount(fresh_config("failing"));
    open_agents(&host).await;
    isolate(&host, "online").await;
    select_row(&host, 0);
    let drill: HtmlElement = query_all(&host, "label.bs-check")
        .into_iter()
        .find(|l| text(l) == "The backend fails every action")
        .map(|l| query(&l, "input"))
        .expect("the failure drill")
        .dyn_into()
        .expect("an input");
    drill.click();
    choose_action(&host, "Stop Agent").await;
    let results = confirm_and_close(&host).await;
    assert!(
        results.contains("Stop Agent: 0 stopped, 1 failed."),
        "{results}"
    );
    assert!(
        results.contains("failed: the backend did not answer"),
        "{results}"
    );
    let alert = text(&query(&host, ".bs-toasts [role=alert]"));
    assert!(alert.contains("the backend did not answer"), "{alert}");
    assert!(alert.contains("The selection is kept"), "{alert}");
    assert!(text(&host).contains("1 selected"));
    assert_eq!(column(&host, "Bot Agent Connector"), vec!["Online"]);
    // Once the backend answers again, the same selection can be retried.
    drill.click();
    choose_action(&host, "Stop Agent").await;
    let retried = confirm_and_close(&host).await;
    assert!(retried.contains("Stop Agent: 1 stopped."), "{retried}");
}

#[wasm_bindgen_test]
async fn a_connector_s_details_offer_its_actions() {
    let (host, _app) = mount(fresh_config("details-actions"));
    open_agents(&host).await;
    let agent = isolate(&host, "online").await;
    click_button(&query(&host, ".bs-row"), &column(&host, "Bot")[0]);
    wait_for("the details", || {
        !query_all(&host, ".bs-details").is_empty()
    })
    .await;
    let details = query(&host, ".bs-details");
    let actions: HtmlElement = query(&details, "button[aria-haspopup=menu]")
        .dyn_into()
        .expect("button");
    actions.click();
    wait_for("its menu", || {
        !query_all(&details, "[role=menu]").is_empty()
    })
    .await;
    assert_eq!(
        menu_item(&details, "Delete")
            .get_attribute("aria-disabled")
            .as_deref(),
        Some("true"),
        "an online connector cannot be deleted"
    );
    menu_item(&details, "Stop Agent").click();
    wait_for("the dialog", || {
        !query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    let said = text(&query(&host, "dialog[open]"));
    assert!(
        said.contains(&agent) && said.contains("1 connector will be stopped."),
        "{said}"
    );
    confirm_and_close(&host).await;
    wait_for("the details to show it stopped", || {
        text(&query(&host, ".bs-details")).contains("Stopped")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_bot_developer_may_change_nothing_in_production_and_is_told_why() {
    let (host, _app) = mount(fresh_config("developer-production"));
    choose(&host, "Signed in as", "developer");
    open_agents(&host).await;
    // The page opens on Production: every action is disabled with the Production right.
    isolate(&host, "online").await;
    select_row(&host, 0);
    open_actions(&host).await;
    for label in ["Restart Agents", "Stop Agent", "Delete"] {
        let item = menu_item(&host, label);
        assert!(
            item.get_attribute("aria-disabled").as_deref() == Some("true")
                || item.has_attribute("disabled"),
            "{label} is offered"
        );
        assert!(
            description(&item).contains("no permission"),
            "{label}: {}",
            description(&item)
        );
    }
    press(&query(&host, "[role=menu]"), "Escape", false);

    // The shared PCS connector serves Production: its operations are refused the same way.
    click_button(&host, "PCS Connector");
    wait_for("the survey bots", || {
        text(&host).contains("Survey Connector")
    })
    .await;
    for label in ["Redeploy Connector", "Refresh Surveys"] {
        let button: HtmlElement = query_all(&host, "button")
            .into_iter()
            .find(|b| text(b) == label)
            .expect("the operation")
            .dyn_into()
            .expect("a button");
        assert!(button.has_attribute("disabled"), "{label} is enabled");
        assert!(
            button
                .get_attribute("title")
                .unwrap_or_default()
                .contains("needs the Production right"),
            "{label}"
        );
    }
}

/// A Production bot whose Online connectors the table can isolate by searching its name,
/// with `wanted` of them online: its name and their conversations. The table is left
/// showing just those connectors.
async fn bot_online_on(host: &Element, wanted: impl Fn(usize) -> bool) -> (String, Vec<u32>) {
    choose(host, "Bot Agent Connector", "online");
    wait_for("online rows", || {
        let shown = column(host, "Bot Agent Connector");
        !shown.is_empty() && shown.iter().all(|s| s == "Online")
    })
    .await;
    let names: std::collections::BTreeSet<String> = column(host, "Bot").into_iter().collect();
    for name in names {
        type_into(host, "Search", &name);
        wait_for("the bot's rows", || {
            let bots = column(host, "Bot");
            !bots.is_empty() && bots.iter().all(|b| b.contains(&name))
        })
        .await;
        let bots = column(host, "Bot");
        if bots.iter().all(|b| *b == name) && wanted(bots.len()) {
            let load = column(host, "Conversations")
                .iter()
                .map(|n| n.parse().expect("a number"))
                .collect();
            return (name, load);
        }
    }
    panic!("no Production bot with such online connectors in the sample fleet");
}

#[wasm_bindgen_test]
async fn stopping_every_online_connector_of_a_bot_asks_for_its_name() {
    let (host, _app) = mount(instant("impact-none"));
    open_agents(&host).await;
    let (bot, _) = bot_online_on(&host, |n| n >= 1).await;
    click_with_shift(&query(&host, ".bs-table thead input[type=checkbox]"), false);
    let dialog = choose_action(&host, "Stop Agent").await;
    let said = text(&dialog);
    assert!(
        said.contains(&format!(
            "{bot} would have 0 online Production connectors: nobody answers its conversations."
        )),
        "{said}"
    );
    let yes = || {
        query_all(&dialog, "button")
            .into_iter()
            .find(|b| text(b) == "Yes")
            .expect("Yes")
            .dyn_into::<web_sys::HtmlButtonElement>()
            .expect("a button")
    };
    assert!(yes().disabled(), "Yes waits for the bot's name");
    let label = format!("Type {bot} to confirm");
    type_into(&dialog, &label, "not the name");
    tick().await;
    assert!(yes().disabled());
    type_into(&dialog, &label, &bot.to_lowercase());
    wait_for("Yes enabled", || !yes().disabled()).await;
    let results = confirm_and_close(&host).await;
    assert!(results.contains("Stop Agent:"), "{results}");
}

#[wasm_bindgen_test]
async fn stopping_one_of_two_online_connectors_says_failover_is_lost_and_where_the_load_goes() {
    let (host, _app) = mount(instant("impact-failover"));
    open_agents(&host).await;
    let (bot, _) = bot_online_on(&host, |n| n == 2).await;
    select_row(&host, 0);
    let dialog = choose_action(&host, "Stop Agent").await;
    let said = text(&dialog);
    assert!(
        said.contains(&format!(
            "{bot} would have 1 online Production connector: no failover."
        )),
        "{said}"
    );
    click_button(&dialog, "Cancel");
    wait_for("the dialog closed", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    // A traffic spike of 220 conversations on the bot: stopping one of its two connectors
    // would put them all on the other. The clock is paused first: at instant speed every
    // tick moves each bot's demand, and the sum would not stay 220 long enough to be read
    // on a loaded machine.
    let sim = query(&host, ".bs-simulation");
    click_button(&query(&sim, ".bs-simulation__clock"), "Pause");
    wait_for("the clock paused", || {
        query_all(&sim, ".bs-simulation__clock button")
            .iter()
            .any(|b| text(b) == "Resume")
    })
    .await;
    let traffic = query_all(&sim, "fieldset")
        .into_iter()
        .find(|f| {
            query_all(f, "button")
                .iter()
                .any(|b| text(b) == "Traffic spike")
        })
        .expect("the traffic controls");
    let bot_select = control(&traffic, "Bot");
    let bot_id = query_all(&bot_select, "option")
        .into_iter()
        .find(|o| text(o) == bot)
        .and_then(|o| o.get_attribute("value"))
        .expect("the bot among the simulation's");
    set_value(&bot_select, &bot_id, "change");
    set_value(
        &control(&traffic, "Concurrent conversations"),
        "220",
        "input",
    );
    click_button(&traffic, "Traffic spike");
    wait_for("the spike in the table", || {
        column(&host, "Conversations")
            .iter()
            .map(|n| n.parse::<u32>().unwrap_or(0))
            .sum::<u32>()
            == 220
    })
    .await;
    // The selection is kept after Cancel.
    let dialog = choose_action(&host, "Stop Agent").await;
    let said = text(&dialog);
    assert!(
        said.contains(&format!(
            "{bot}'s 220 conversations would fall on 1 connector, 220 each (50 is the baseline)."
        )),
        "{said}"
    );
    // One bot keeps a connector online: a plain Yes.
    let yes = query_all(&dialog, "button")
        .into_iter()
        .find(|b| text(b) == "Yes")
        .expect("Yes")
        .dyn_into::<web_sys::HtmlButtonElement>()
        .expect("a button");
    assert!(!yes.disabled());
    click_button(&dialog, "Cancel");
}
