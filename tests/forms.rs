//! The add and edit forms in a real browser: the agent list, each validation message as the
//! user types, what a save refuses and what it keeps, read-only while running, Production
//! without the permission, configuration drift, the 401 path, and access denied.

// clippy does not see #[wasm_bindgen_test] functions as tests; an expect here is an assertion.
#![allow(clippy::expect_used)]

mod support;

use bots_status_core::fleet::Fleet;
use bots_status_core::model::{ConversationType, Millis};
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// The account the simulated user signs in to (its agents fill the list at once).
const HOME: &str = "31487985";

/// Opens "New Bot Connector" and waits for the account's agents.
async fn open_add_form(host: &Element) -> Element {
    open_agents(host).await;
    click_button(host, "New Bot Connector");
    wait_for("the form", || {
        !query_all(host, "dialog[open] form").is_empty()
    })
    .await;
    let form = dialog(host);
    wait_for("the account's agents", || {
        !control(&form, "Agent User ID")
            .unchecked_ref::<web_sys::HtmlSelectElement>()
            .disabled()
    })
    .await;
    form
}

/// The texts of the options of the select labelled `label`, without its placeholder.
fn options(form: &Element, label: &str) -> Vec<String> {
    query_all(&control(form, label), "option")
        .iter()
        .filter(|o| o.get_attribute("value").is_some_and(|v| !v.is_empty()))
        .map(text)
        .collect()
}

/// Every message shown for the control labelled `label` (its `aria-describedby`).
fn messages_of(control: &HtmlElement) -> String {
    control
        .get_attribute("aria-describedby")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|id| document().get_element_by_id(id))
        .filter(|e| e.class_list().contains("bs-field__messages"))
        .map(|e| text(&e))
        .collect::<Vec<_>>()
        .join(" ")
}

fn radio(form: &Element, label: &str) -> HtmlInputElement {
    let label = query_all(form, "label.bs-radio")
        .into_iter()
        .find(|l| text(l) == label)
        .unwrap_or_else(|| panic!("no radio {label}"));
    query(&label, "input").dyn_into().expect("a radio")
}

/// Adds a custom configuration row and fills it; returns the row.
async fn add_row(form: &Element, key: &str, value: &str) -> Element {
    let before = query_all(form, ".bs-config__row").len();
    query(form, "button[aria-label='Add a custom configuration row']")
        .unchecked_ref::<HtmlElement>()
        .click();
    wait_for("a new row", || {
        query_all(form, ".bs-config__row").len() == before + 1
    })
    .await;
    let row = query_all(form, ".bs-config__row")[before].clone();
    set_value(&control(&row, "Key"), key, "input");
    set_value(&control(&row, "Value"), value, "input");
    row
}

/// Waits until `row`'s key is known: its description shows under it.
async fn wait_for_about(row: &Element, description: &str) {
    wait_for(&format!("the key's description ({description})"), || {
        text(&query(row, ".bs-config__about")).contains(description)
    })
    .await;
}

/// Fills the required fields with a valid new connector of the first bot.
fn fill_valid(form: &Element, agent: &str) {
    let bot = control(form, "Bot");
    let first_bot = query_all(&bot, "option")[1]
        .get_attribute("value")
        .expect("a bot");
    set_value(&bot, &first_bot, "change");
    set_value(&control(form, "Agent User ID"), agent, "change");
}

fn toasts(host: &Element) -> String {
    query_all(host, ".bs-toast").iter().map(text).collect()
}

#[wasm_bindgen_test]
async fn the_agent_list_holds_only_the_enabled_agents_of_the_account() {
    let (host, _app) = mount(fresh_config("form-agents"));
    let form = open_add_form(&host).await;
    assert_eq!(value_of(&control(&form, "Account number")), HOME);
    let fleet = Fleet::generate(7, 80, Millis(0));
    let expected: Vec<String> = fleet
        .directory
        .enabled_agents(HOME)
        .expect("a member")
        .iter()
        .map(|u| u.login_name.clone())
        .collect();
    let shown = options(&form, "Agent User ID");
    assert_eq!(shown, expected);
    assert!(!shown.contains(&"spare-bot-0-2".to_owned()), "disabled");
    assert!(text(&form).contains("Only enabled agents are listed."));

    // An unknown account, and one the user has no user in, say so.
    let account = control(&form, "Account number");
    set_value(&account, "99999999", "input");
    click_button(&form, "Find bot agents");
    wait_for("the unknown account message", || {
        text(&form).contains("Account 99999999 was not found. Check the account number.")
    })
    .await;
    set_value(&account, "22019744", "input");
    click_button(&form, "Find bot agents");
    wait_for("the no-user message", || {
        text(&form).contains("You have no user in account 22019744")
    })
    .await;
}

#[wasm_bindgen_test]
async fn each_field_explains_its_problem_as_the_user_types() {
    let (host, _app) = mount(fresh_config("form-validation"));
    let form = open_add_form(&host).await;
    let account = control(&form, "Account number");
    set_value(&account, "12ab", "input");
    wait_for("the account message", || {
        messages_of(&account).contains("An account number has digits only, e.g. 12345678.")
    })
    .await;
    assert_eq!(
        account.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    set_value(&account, HOME, "input");
    wait_for("the message to go", || messages_of(&account).is_empty()).await;

    open_advanced(&form);
    let skill = control(&form, "Fallback Skill ID");
    set_value(&skill, "12x", "input");
    wait_for("the skill message", || {
        messages_of(&skill).contains("A fallback skill ID is a number")
    })
    .await;
    let webhook = control(&form, "External Webhook URL");
    set_value(&webhook, "http://bots.example.com/hook", "input");
    wait_for("the webhook message", || {
        messages_of(&webhook).contains("Use an https:// URL")
    })
    .await;

    let cases = [
        ("messageDelay", "-5", "\"messageDelay\" cannot be negative."),
        (
            "messageDelay",
            "99999999",
            "\"messageDelay\" must be between 0 and 60000 milliseconds.",
        ),
        (
            "retryMessageInterval",
            "3s",
            "\"retryMessageInterval\" takes a whole number of milliseconds",
        ),
        (
            "skipAgentMessage",
            "yes",
            "takes true or false (lowercase).",
        ),
        ("tileDisplay", "diagonal", "takes vertical or horizontal."),
    ];
    for (n, (key, value, message)) in cases.iter().enumerate() {
        let row = add_row(&form, key, value).await;
        wait_for(message, || {
            messages_of(&control(&row, "Value")).contains(message)
        })
        .await;
        assert_eq!(query_all(&form, ".bs-config__row").len(), n + 1);
    }
    // The second messageDelay row is a duplicate of the first.
    let rows = query_all(&form, ".bs-config__row");
    assert!(
        messages_of(&control(&rows[1], "Key"))
            .contains("\"messageDelay\" is already set in row 1. Keep one of the two rows."),
        "{}",
        messages_of(&control(&rows[1], "Key"))
    );
    // Unknown keys are allowed with a warning; a case slip is pointed out.
    let free = add_row(&form, "myOwnFlag", "1").await;
    wait_for("the unknown-key warning", || {
        messages_of(&control(&free, "Key")).contains("is not one of the documented keys")
    })
    .await;
    assert!(query_all(&free, ".bs-field__warning").len() == 1);
    let slip = add_row(&form, "messagedelay", "1").await;
    wait_for("the did-you-mean", || {
        messages_of(&control(&slip, "Key")).contains("did you mean \"messageDelay\"?")
    })
    .await;
    // A known key's description and default are offered.
    assert!(text(&rows[0]).contains("default 300"), "{}", text(&rows[0]));
    // Removing a row moves the later ones up, with their values.
    query(&rows[0], "button[aria-label='Remove row 1']")
        .unchecked_ref::<HtmlElement>()
        .click();
    wait_for("one row fewer", || {
        query_all(&form, ".bs-config__row").len() == cases.len() + 1
    })
    .await;
    let first = &query_all(&form, ".bs-config__row")[0];
    assert_eq!(value_of(&control(first, "Value")), "99999999");
}

#[wasm_bindgen_test]
async fn chat_connectors_reject_messaging_only_keys() {
    let (host, _app) = mount(fresh_config("form-chat"));
    let form = open_add_form(&host).await;
    open_advanced(&form);
    let row = add_row(&form, "messageDelay", "300").await;
    wait_for_about(&row, "Milliseconds to wait").await;
    assert!(
        messages_of(&control(&row, "Key")).is_empty(),
        "fine for Messaging"
    );
    radio(&form, "Chat").click();
    wait_for("the Chat refusal", || {
        messages_of(&control(&row, "Key"))
            .contains("\"messageDelay\" applies to Messaging connectors only, not Chat.")
    })
    .await;
    // defaultGreetingMessage applies to both.
    let greeting = add_row(&form, "defaultGreetingMessage", "hi").await;
    wait_for_about(&greeting, "Greeting message").await;
    assert!(messages_of(&control(&greeting, "Key")).is_empty());
}

#[wasm_bindgen_test]
async fn a_save_with_problems_is_refused_and_keeps_everything_typed() {
    let (host, _app) = mount(fresh_config("form-refused"));
    let form = open_add_form(&host).await;
    fill_valid(&form, "spare-bot-0-0");
    // The https-less webhook is typed with Advanced Options closed, then closed again.
    open_advanced(&form);
    set_value(
        &control(&form, "External Webhook URL"),
        "http://bots.example.com/hook",
        "input",
    );
    add_row(&form, "messageDelay", "2500").await;
    query(&form, "details")
        .unchecked_ref::<web_sys::HtmlDetailsElement>()
        .set_open(false);
    click_button(&form, "Save");
    wait_for("the refusal", || {
        text(&form)
            .contains("Not saved: fix the 1 problem marked above. Everything you entered is kept.")
    })
    .await;
    // Still open, the advanced options shown where the problem is, nothing lost.
    assert!(!query_all(&host, "dialog[open] form").is_empty());
    wait_for("the advanced options to open", || {
        query(&form, "details")
            .unchecked_ref::<web_sys::HtmlDetailsElement>()
            .open()
    })
    .await;
    let webhook = control(&form, "External Webhook URL");
    assert_eq!(value_of(&webhook), "http://bots.example.com/hook");
    assert!(messages_of(&webhook).contains("Use an https:// URL"));
    assert_eq!(
        value_of(&control(&query(&form, ".bs-config__row"), "Value")),
        "2500"
    );
    assert_eq!(value_of(&control(&form, "Agent User ID")), "spare-bot-0-0");
    wait_for("focus on the webhook", || {
        document()
            .active_element()
            .is_some_and(|a| a == *webhook.unchecked_ref::<Element>())
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_failed_save_keeps_the_form_for_a_retry() {
    let (host, _app) = mount(fresh_config("form-failed"));
    let form = open_add_form(&host).await;
    fill_valid(&form, "spare-bot-0-1");
    open_advanced(&form);
    set_value(&control(&form, "Fallback Skill ID"), "4455", "input");
    // The drill in the simulation area makes the backend fail.
    let drill: HtmlInputElement = query(&host, ".bs-simulation .bs-check input")
        .dyn_into()
        .expect("checkbox");
    drill.click();
    click_button(&form, "Save");
    wait_for("the failure", || {
        text(&form).contains("Not saved: The backend failed")
            && text(&form).contains("Everything you entered is kept; try again.")
    })
    .await;
    assert_eq!(value_of(&control(&form, "Fallback Skill ID")), "4455");
    assert_eq!(value_of(&control(&form, "Agent User ID")), "spare-bot-0-1");
    // Once the backend answers again the same form saves.
    drill.click();
    click_button(&form, "Save");
    wait_for("the form to close", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    assert!(
        toasts(&host).contains(
            "connector for spare-bot-0-1 added to Demo, Ready to Start. Start it to deploy the bot."
        ),
        "{}",
        toasts(&host)
    );
    // It is in the table, Ready to Start.
    choose(&host, "Environment", "all");
    type_into(&host, "Search", "spare-bot-0-1");
    wait_for("the new connector", || {
        column(&host, "Agent user ID") == vec!["spare-bot-0-1".to_owned()]
            && column(&host, "Bot Agent Connector") == vec!["Ready to Start".to_owned()]
    })
    .await;
}

#[wasm_bindgen_test]
async fn someone_else_s_bot_user_gets_the_401_with_its_remedy() {
    let (host, _app) = mount(fresh_config("form-401"));
    let form = open_add_form(&host).await;
    fill_valid(&form, "colleague-bot-0");
    click_button(&form, "Save");
    let agent = control(&form, "Agent User ID");
    wait_for("the 401", || {
        messages_of(&agent)
            .contains("401 unauthorized: the bot user colleague-bot-0 was not created by you.")
    })
    .await;
    let said = messages_of(&agent);
    assert!(
        said.contains("Add the agent connector for a different bot user that you have created, or have the creator of the bot user add the agent connector."),
        "{said}"
    );
    assert!(
        !query_all(&host, "dialog[open] form").is_empty(),
        "kept open"
    );
    // Choosing one's own bot user clears it.
    set_value(&agent, "spare-bot-0-0", "change");
    wait_for("the 401 to go", || !messages_of(&agent).contains("401")).await;
}

#[wasm_bindgen_test]
async fn production_is_refused_without_the_permission() {
    let (host, _app) = mount(fresh_config("form-production"));
    choose(&host, "Signed in as", "developer");
    let form = open_add_form(&host).await;
    let production = radio(&form, "Production");
    assert!(production.disabled());
    assert!(!radio(&form, "Demo").disabled());
    assert!(radio(&form, "Demo").checked());
    assert!(
        text(&form).contains("Changing Production needs the Production right"),
        "{}",
        text(&form)
    );
    click_button(&form, "Cancel");
    // An administrator may.
    wait_for("the form to close", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    choose(&host, "Signed in as", "admin");
    click_button(&host, "New Bot Connector");
    wait_for("the form", || {
        !query_all(&host, "dialog[open] form").is_empty()
    })
    .await;
    assert!(!radio(&dialog(&host), "Production").disabled());
}

#[wasm_bindgen_test]
async fn editing_is_read_only_while_running_and_saves_when_stopped() {
    let (host, _app) = mount(fresh_config("form-edit"));
    open_agents(&host).await;
    isolate(&host, "online").await;
    open_details(&host).await;
    let details = query(&host, ".bs-details");
    assert!(
        text(&details).contains("Read-only: Stop the connector before editing it."),
        "{}",
        text(&details)
    );
    assert!(
        !query_all(&details, "button")
            .iter()
            .any(|b| text(b) == "Edit"),
        "no Edit while running"
    );
    // The Stop shortcut stops it; then it can be edited.
    click_button(&details, "Stop");
    wait_for("the stop dialog", || {
        !query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    confirm_and_close(&host).await;
    let form = edit_form(&host).await;
    assert!(text(&form).contains("Edit Agent Connector"));
    radio(&form, "Manager").click();
    click_button(&form, "Save");
    wait_for("the form to close", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    assert!(
        toasts(&host)
            .contains("settings saved. Saved changes take effect the next time the agent starts."),
        "{}",
        toasts(&host)
    );
    wait_for("the new role in the details", || {
        text(&query(&host, ".bs-details")).contains("RoleManager")
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_form_shows_how_its_configuration_differs_from_the_bot_s_other_connectors() {
    let (host, _app) = mount(fresh_config("form-drift"));
    let form = open_add_form(&host).await;
    fill_valid(&form, "spare-bot-0-0");
    // A Messaging bot whose connectors all keep the defaults.
    let fleet = Fleet::generate(7, 80, Millis(0));
    let plain = fleet
        .connectors
        .iter()
        .find(|c| {
            fleet
                .connectors
                .iter()
                .filter(|o| o.bot.id == c.bot.id)
                .all(|o| {
                    o.conversation_type() == ConversationType::Messaging
                        && o.settings.advanced.custom_config.is_empty()
                })
        })
        .expect("the sample fleet has one");
    set_value(&control(&form, "Bot"), &plain.bot.id.0, "change");
    open_advanced(&form);
    // The documented default is what the other connectors have: no drift yet, once the row
    // has been rendered.
    let row = add_row(&form, "ringAcceptWait", "100").await;
    wait_for_about(&row, "before the bot accepts the ring").await;
    assert!(query_all(&form, ".bs-drift").is_empty(), "the same so far");
    set_value(&control(&row, "Value"), "2500", "input");
    wait_for("the drift", || !query_all(&form, ".bs-drift").is_empty()).await;
    let drift = text(&query(&form, ".bs-drift"));
    assert!(drift.contains("ringAcceptWait"), "{drift}");
    assert!(drift.contains("2500"), "{drift}");
    assert!(drift.contains(": 100"), "the others' default: {drift}");
}

#[wasm_bindgen_test]
async fn without_bot_status_access_the_app_says_which_permission_is_needed() {
    let (host, _app) = mount(fresh_config("form-denied"));
    open_agents(&host).await;
    choose(&host, "Signed in as", "none");
    wait_for("access denied", || text(&host).contains("Access denied")).await;
    assert!(text(&host).contains("You need the Bot Status Access permission to use Bots Status."));
    assert!(query_all(&host, ".bs-row").is_empty(), "no fleet shown");
    assert!(query_all(&host, "nav").is_empty(), "no pages to go to");
    choose(&host, "Signed in as", "admin");
    wait_for("the app again", || !text(&host).contains("Access denied")).await;
}

#[wasm_bindgen_test]
async fn the_edit_window_deletes_a_stopped_connector_after_a_yes() {
    let (host, _app) = mount(fresh_config("form-delete"));
    open_agents(&host).await;
    let agent = isolate(&host, "stopped").await;
    open_details(&host).await;
    let form = edit_form(&host).await;
    click_button(&form, "Delete");
    wait_for("the confirmation", || {
        query_all(&host, "dialog[open]").len() == 2
    })
    .await;
    let confirm = query_all(&host, "dialog[open]")
        .into_iter()
        .find(|d| query_all(d, "form").is_empty())
        .expect("the confirmation dialog");
    let said = text(&confirm);
    assert!(
        said.contains(&agent) && said.contains("Deleting cannot be undone."),
        "{said}"
    );
    click_button(&confirm, "Yes");
    wait_for("the connector to go", || {
        query_all(&host, ".bs-row").is_empty() && query_all(&host, "dialog[open] form").is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn closing_a_changed_form_asks_before_discarding() {
    let (host, _app) = mount(fresh_config("form-discard"));
    let form = open_add_form(&host).await;
    open_advanced(&form);
    set_value(&control(&form, "Fallback Skill ID"), "777", "input");
    // Escape, as a user might press it by accident.
    press(&control(&form, "Fallback Skill ID"), "Escape", false);
    wait_for("the question", || {
        text(&form).contains("You have changes that are not saved. Discard them?")
    })
    .await;
    wait_for("focus on Keep editing", || {
        document()
            .active_element()
            .is_some_and(|a| text(&a) == "Keep editing")
    })
    .await;
    click_button(&form, "Keep editing");
    wait_for("the question to go", || {
        !text(&form).contains("Discard them?")
    })
    .await;
    assert_eq!(value_of(&control(&form, "Fallback Skill ID")), "777");
    click_button(&form, "Cancel");
    wait_for("the question", || text(&form).contains("Discard them?")).await;
    click_button(&form, "Discard changes");
    wait_for("the form to close", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_save_over_someone_else_s_change_stops_and_says_what_changed() {
    use bots_status::backend::{Backend, BackendEvent};
    use bots_status_core::lifecycle::Action;
    use bots_status_core::model::Role;

    let (host, app) = mount(fresh_config("form-conflict"));
    open_agents(&host).await;
    let agent = isolate(&host, "stopped").await;
    open_details(&host).await;
    let form = edit_form(&host).await;
    open_advanced(&form);
    set_value(&control(&form, "Fallback Skill ID"), "4242", "input");

    // Meanwhile another writer saves the same connector with another role.
    let backend = app.backend().expect("the simulated backend");
    let seen = std::rc::Rc::new(std::cell::RefCell::new(None));
    let keep = seen.clone();
    let watch = backend.watch(std::rc::Rc::new(move |event| {
        if let BackendEvent::Snapshot(s) = event {
            *keep.borrow_mut() = s
                .connectors
                .iter()
                .find(|c| c.settings.agent_user_id == agent)
                .cloned();
        }
    }));
    drop(watch);
    let theirs = seen.borrow().clone().expect("the connector");
    let mut settings = theirs.settings.clone();
    settings.role = match settings.role {
        Role::Agent => Role::Manager,
        Role::Manager => Role::Agent,
    };
    backend
        .act(
            theirs.id,
            Action::Edit(Box::new(settings)),
            Some(theirs.version),
        )
        .await
        .expect("the other save");

    click_button(&form, "Save");
    wait_for("the conflict", || {
        text(&form).contains("Not saved: this connector's Role changed since you opened the form")
    })
    .await;
    assert_eq!(
        value_of(&control(&form, "Fallback Skill ID")),
        "4242",
        "kept"
    );
    // Saving again keeps the user's values.
    click_button(&form, "Save");
    wait_for("the form to close", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    wait_for("the saved skill in the details", || {
        text(&query(&host, ".bs-details")).contains("4242")
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_connector_edited_to_another_agent_is_searched_and_sorted_by_its_new_one() {
    let (host, _app) = mount(fresh_config("form-relisted"));
    open_agents(&host).await;
    let before = isolate(&host, "stopped").await;
    open_details(&host).await;
    let form = edit_form(&host).await;
    let agents = options(&form, "Agent User ID");
    let after = agents
        .iter()
        .find(|a| **a != before && !a.is_empty())
        .expect("another agent of the account")
        .clone();
    set_value(&control(&form, "Agent User ID"), &after, "change");
    click_button(&form, "Save");
    wait_for("the form to close", || {
        query_all(&host, "dialog[open]").is_empty()
    })
    .await;
    // The search still reads the old agent user ID: the connector no longer has it.
    wait_for("no row for the old agent user ID", || {
        column(&host, "Agent user ID").is_empty()
            && text(&host).contains("No connectors match these filters.")
    })
    .await;
    type_into(&host, "Search", &after);
    wait_for("the connector under its new agent user ID", || {
        column(&host, "Agent user ID").contains(&after)
    })
    .await;
    // And the Agent user ID column sorts it by the new one.
    type_into(&host, "Search", "");
    choose(&host, "Environment", "all");
    query_all(&host, "thead th button")
        .into_iter()
        .find(|b| text(b).starts_with("Agent user ID"))
        .expect("the column")
        .dyn_into::<HtmlElement>()
        .expect("a button")
        .click();
    wait_for("the table sorted by agent user ID", || {
        let shown = column(&host, "Agent user ID");
        shown.len() > 1
            && shown
                .windows(2)
                .all(|w| w[0].to_lowercase() <= w[1].to_lowercase())
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_bot_is_found_by_part_of_its_name_and_stays_chosen() {
    let (host, _app) = mount(fresh_config("form-bot-search"));
    let form = open_add_form(&host).await;
    let bot = control(&form, "Bot");
    let names = || -> Vec<String> { query_all(&bot, "option").iter().skip(1).map(text).collect() };
    let all = names();
    assert!(all.len() > 2, "{all:?}");
    let wanted = all[1].clone();
    set_value(
        &control(&form, "Find a bot"),
        &wanted.to_lowercase(),
        "input",
    );
    wait_for("the narrowed list", || {
        names().iter().all(|n| n.contains(&wanted))
    })
    .await;
    assert!(names().contains(&wanted));
    let value = query_all(&bot, "option")
        .into_iter()
        .find(|o| text(o) == wanted)
        .and_then(|o| o.get_attribute("value"))
        .expect("the bot's option");
    set_value(&bot, &value, "change");
    // A search that matches nothing says so, and keeps the chosen bot.
    set_value(
        &control(&form, "Find a bot"),
        "no bot is named this",
        "input",
    );
    wait_for("the empty search", || {
        text(&form).contains("No bot's name holds that.")
    })
    .await;
    assert_eq!(names(), vec![wanted.clone()]);
    assert_eq!(value_of(&bot), value);
}
