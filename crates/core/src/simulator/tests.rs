use super::*;
use crate::ConnectorStatus;
use crate::status::StatusValue;
use crate::troubleshooting::{Component, Problem};
use std::collections::BTreeMap;

const OPERATOR: Permissions = Permissions::OPERATOR;

fn sim() -> Simulator {
    Simulator::new(42, 200, Millis(1_000_000))
}

fn find(sim: &Simulator, status: ConnectorStatus, ct: ConversationType) -> ConnectorId {
    sim.connectors()
        .iter()
        .find(|c| {
            c.state.status() == status
                && c.conversation_type() == ct
                && sim.reachability(c).login == Login::Ok
        })
        .map(|c| c.id)
        .expect("the sample fleet has one")
}

fn get(sim: &Simulator, id: ConnectorId) -> &Connector {
    sim.connectors()
        .iter()
        .find(|c| c.id == id)
        .expect("exists")
}

/// Drives a run: a start, an outage, time passing, and returns everything that changed.
fn history(mut sim: Simulator) -> Vec<Change> {
    let mut all = Vec::new();
    let stopped = find(&sim, ConnectorStatus::Stopped, ConversationType::Messaging);
    let t0 = sim.now();
    all.push(
        sim.act(stopped, Action::Start, OPERATOR, t0)
            .expect("start"),
    );
    for step in 1..=20 {
        all.extend(sim.advance_to(t0.plus(step * 15_000)));
        if step == 5 {
            all.extend(sim.set_resource(
                Environment::Production,
                Resource::MessagingServer,
                LinkHealth::Down,
            ));
        }
    }
    all
}

#[test]
fn the_same_seed_and_inputs_give_the_same_history() {
    assert_eq!(history(sim()), history(sim()));
    assert_ne!(
        history(sim()),
        history(Simulator::new(43, 200, Millis(1_000_000)))
    );
}

#[test]
fn a_saved_simulation_continues_exactly_as_the_original() {
    let original = sim();
    let json = serde_json::to_string(&original).expect("serializes");
    let restored: Simulator = serde_json::from_str(&json).expect("parses");
    assert_eq!(history(restored), history(original));
}

#[test]
fn a_start_takes_tens_of_seconds_to_minutes_and_ends_online() {
    let mut sim = sim();
    let id = find(&sim, ConnectorStatus::Stopped, ConversationType::Messaging);
    let t0 = sim.now();
    sim.act(id, Action::Start, OPERATOR, t0).expect("start");
    assert_eq!(get(&sim, id).state.status(), ConnectorStatus::Starting);
    sim.advance_to(t0.plus(START_MIN_MS - 1));
    assert_eq!(
        get(&sim, id).state.status(),
        ConnectorStatus::Starting,
        "too quick"
    );
    sim.advance_to(t0.plus(START_MIN_MS + START_SPREAD_MS));
    assert_eq!(get(&sim, id).state.status(), ConnectorStatus::Online);
}

#[test]
fn starting_while_the_messaging_server_is_down_ends_not_connected() {
    let mut sim = sim();
    let id = find(&sim, ConnectorStatus::Stopped, ConversationType::Messaging);
    let env = get(&sim, id).environment();
    sim.set_resource(env, Resource::MessagingServer, LinkHealth::Down);
    let t0 = sim.now();
    sim.act(id, Action::Start, OPERATOR, t0).expect("start");
    sim.advance_to(t0.plus(START_MIN_MS + START_SPREAD_MS));
    assert_eq!(
        get(&sim, id).state.problem(),
        Some(&Problem::FailedConnection {
            component: Component::ConversationalCloud
        })
    );
}

#[test]
fn an_outage_drops_connections_and_a_restart_after_recovery_restores_them() {
    let mut sim = sim();
    let id = find(&sim, ConnectorStatus::Online, ConversationType::Messaging);
    let env = get(&sim, id).environment();
    let chat_before: Vec<_> = sim
        .connectors()
        .iter()
        .filter(|c| c.conversation_type() == ConversationType::Chat)
        .map(|c| c.state.clone())
        .collect();
    let changes = sim.set_resource(env, Resource::MessagingServer, LinkHealth::Down);
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::Connector(c) if c.id == id))
    );
    assert_eq!(
        get(&sim, id).state.statuses().cloud.label(),
        "Not Connected"
    );
    let chat_after: Vec<_> = sim
        .connectors()
        .iter()
        .filter(|c| c.conversation_type() == ConversationType::Chat)
        .map(|c| c.state.clone())
        .collect();
    assert_eq!(
        chat_before, chat_after,
        "a messaging outage leaves Chat connectors alone"
    );
    sim.set_resource(env, Resource::MessagingServer, LinkHealth::Up);
    assert_eq!(
        get(&sim, id).state.statuses().cloud.label(),
        "Not Connected",
        "stays dropped"
    );
    let t0 = sim.now();
    sim.act(id, Action::Restart, OPERATOR, t0).expect("restart");
    sim.advance_to(t0.plus(START_MIN_MS + START_SPREAD_MS));
    assert_eq!(get(&sim, id).state.statuses().cloud.label(), "Connected");
}

#[test]
fn a_bot_server_outage_shows_in_the_bot_server_column() {
    let mut sim = sim();
    let id = find(&sim, ConnectorStatus::Online, ConversationType::Chat);
    let env = get(&sim, id).environment();
    sim.set_resource(env, Resource::BotServer, LinkHealth::Down);
    assert_eq!(
        get(&sim, id).state.statuses().bot_server.label(),
        "Not Connected"
    );
    sim.set_resource(env, Resource::BotServer, LinkHealth::Up);
    assert_eq!(
        get(&sim, id).state.statuses().bot_server.label(),
        "Connected"
    );
}

#[test]
fn a_bots_load_is_spread_evenly_over_its_online_connectors() {
    let mut sim = sim();
    sim.advance_to(sim.now().plus(LOAD_PERIOD_MS));
    let mut by_bot: BTreeMap<&BotId, Vec<u32>> = BTreeMap::new();
    for c in sim.connectors() {
        if c.state.status() == ConnectorStatus::Online {
            by_bot
                .entry(&c.bot.id)
                .or_default()
                .push(c.concurrent_conversations);
        }
    }
    assert!(by_bot.values().any(|loads| loads.len() > 1));
    for loads in by_bot.values() {
        let (min, max) = (loads.iter().min(), loads.iter().max());
        assert!(
            max.zip(min).is_none_or(|(max, min)| max - min <= 1),
            "{loads:?}"
        );
    }
}

#[test]
fn each_bots_online_connectors_are_found_wherever_they_stand_in_the_fleet() {
    let mut sim = sim();
    // Interleave the fleet, so a bot's connectors no longer stand together.
    let n = sim.fleet.connectors.len();
    let (front, back) = sim.fleet.connectors.split_at(n / 2);
    let mut mixed = Vec::new();
    for (a, b) in front.iter().zip(back) {
        mixed.extend([b.clone(), a.clone()]);
    }
    mixed.extend(back.iter().skip(front.len()).cloned());
    sim.fleet.connectors = mixed;
    let mut expected: BTreeMap<BotId, Vec<usize>> = BTreeMap::new();
    for (i, c) in sim.fleet.connectors.iter().enumerate() {
        if takes_load(c) {
            expected.entry(c.bot.id.clone()).or_default().push(i);
        }
    }
    assert!(expected.values().any(|indices| indices.len() > 1));
    let (indices, bots) = sim.online_by_bot();
    let grouped: Vec<(BotId, Vec<usize>)> = bots
        .into_iter()
        .map(|bot| {
            let id = sim.fleet.connectors[indices[bot.start]].bot.id.clone();
            (id, indices[bot].to_vec())
        })
        .collect();
    assert_eq!(grouped, expected.into_iter().collect::<Vec<_>>());
}

#[test]
fn a_load_update_says_only_the_loads_and_they_are_the_whole_change() {
    let mut sim = sim();
    let mut replayed = sim.connectors().to_vec();
    let changes = sim.move_load_now();
    assert!(!changes.is_empty());
    for change in &changes {
        let Change::Load {
            id,
            version,
            conversations,
        } = change
        else {
            panic!("a load update changed more than a load: {change:?}");
        };
        let c = replayed.iter_mut().find(|c| c.id == *id).expect("known");
        assert!(*version > c.version);
        c.version = *version;
        c.concurrent_conversations = *conversations;
    }
    assert_eq!(replayed, sim.connectors());
    let text = serde_json::to_string(&changes[0]).expect("serializes");
    assert!(text.starts_with(r#"{"Load":{"id":"#), "{text}");
    assert_eq!(
        serde_json::from_str::<Change>(&text).ok().as_ref(),
        Some(&changes[0])
    );
}

#[test]
fn stopping_leaves_in_progress_conversations_as_they_are() {
    let mut sim = sim();
    sim.advance_to(sim.now().plus(LOAD_PERIOD_MS));
    let id = sim
        .connectors()
        .iter()
        .find(|c| c.state.status() == ConnectorStatus::Online && c.concurrent_conversations > 0)
        .map(|c| c.id)
        .expect("a busy connector");
    let before = get(&sim, id).concurrent_conversations;
    let t0 = sim.now();
    sim.act(id, Action::Stop, OPERATOR, t0).expect("stop");
    sim.advance_to(t0.plus(5 * LOAD_PERIOD_MS));
    assert_eq!(get(&sim, id).concurrent_conversations, before);
}

#[test]
fn a_bot_user_created_by_someone_else_answers_401_on_start() {
    let mut sim = sim();
    let id = sim
        .connectors()
        .iter()
        .find(|c| {
            sim.reachability(c).login == Login::Unauthorized
                && c.state.status() != ConnectorStatus::Online
                && c.state.status() != ConnectorStatus::Starting
        })
        .map(|c| c.id)
        .expect("the sample has one");
    let t0 = sim.now();
    sim.act(id, Action::Start, OPERATOR, t0).expect("start");
    sim.advance_to(t0.plus(START_MIN_MS + START_SPREAD_MS));
    assert_eq!(get(&sim, id).state.problem(), Some(&Problem::Unauthorized));
}

#[test]
fn deleting_removes_the_connector_and_acting_on_it_again_is_refused() {
    let mut sim = sim();
    let id = find(&sim, ConnectorStatus::Stopped, ConversationType::Messaging);
    let t0 = sim.now();
    assert_eq!(
        sim.act(id, Action::Delete, OPERATOR, t0),
        Ok(Change::Removed(id))
    );
    assert_eq!(sim.act(id, Action::Start, OPERATOR, t0), Err(Refused::Gone));
}

#[test]
fn redeploying_the_pcs_connector_restarts_it() {
    let mut sim = sim();
    let t0 = sim.now();
    sim.act_on_pcs(PcsAction::RedeployConnector, Permissions::ADMINISTRATOR, t0)
        .expect("redeploy");
    assert_eq!(sim.fleet.pcs.state.status(), ConnectorStatus::Starting);
    sim.advance_to(t0.plus(START_MIN_MS + START_SPREAD_MS));
    assert!(sim.fleet.pcs.surveys_deployed());
}

#[test]
fn a_burst_flips_exactly_the_requested_number_of_bot_server_links() {
    let mut sim = Simulator::new(5, 1000, Millis(0));
    let changes = sim.flip_bot_server_links(10);
    assert_eq!(changes.len(), 10);
    for change in changes {
        let Change::Connector(c) = change else {
            panic!("a connector change")
        };
        assert_eq!(c.state.status(), ConnectorStatus::Online);
    }
}

fn new_settings(sim: &Simulator, login: &str, environment: Environment) -> ConnectorSettings {
    let user = sim
        .fleet
        .directory
        .find_login(login)
        .expect("the sample fleet has it");
    let mut settings = sim.connectors()[0].settings.clone();
    settings.account = user.account.clone();
    settings.agent_user_id = user.login_name.clone();
    settings.environment = environment;
    settings
}

#[test]
fn an_added_connector_is_ready_to_start_with_a_new_id() {
    let mut sim = sim();
    let bot = sim.connectors()[0].bot.clone();
    let highest = sim.connectors().iter().map(|c| c.id).max().expect("some");
    let settings = new_settings(&sim, "spare-bot-0-0", Environment::Demo);
    let Ok(Change::Connector(added)) = sim.add(bot.clone(), settings, OPERATOR, Millis(1_000_000))
    else {
        panic!("added");
    };
    assert!(added.id > highest);
    assert_eq!(added.bot, bot);
    assert_eq!(added.state.status(), ConnectorStatus::ReadyToStart);
    assert_eq!(get(&sim, added.id).settings.agent_user_id, "spare-bot-0-0");
}

#[test]
fn adding_is_refused_for_a_disabled_agent_someone_elses_agent_or_without_production() {
    let mut sim = sim();
    let bot = sim.connectors()[0].bot.clone();
    let count = sim.connectors().len();
    let disabled = new_settings(&sim, "spare-bot-0-2", Environment::Demo);
    assert!(matches!(
        sim.add(bot.clone(), disabled, OPERATOR, Millis(1_000_000)),
        Err(Refused::InvalidSettings { .. })
    ));
    let theirs = new_settings(&sim, "colleague-bot-0", Environment::Demo);
    assert!(matches!(
        sim.add(bot.clone(), theirs, OPERATOR, Millis(1_000_000)),
        Err(Refused::Unauthorized { .. })
    ));
    let production = new_settings(&sim, "spare-bot-0-0", Environment::Production);
    assert_eq!(
        sim.add(
            bot,
            production,
            Permissions::BOT_DEVELOPER,
            Millis(1_000_000)
        ),
        Err(Refused::NoProductionRights)
    );
    assert_eq!(sim.connectors().len(), count, "nothing was added");
}

#[test]
fn the_session_follows_the_persona() {
    let mut sim = sim();
    assert!(sim.session().permissions.administrator);
    sim.persona = Persona::NoAccess;
    assert!(sim.session().permissions.may_open_app().is_err());
}

fn online_of(sim: &Simulator, ct: ConversationType) -> Connector {
    get(sim, find(sim, ConnectorStatus::Online, ct)).clone()
}

#[test]
fn disabling_a_bot_user_by_the_login_policy_fails_its_running_connector_until_enabled() {
    let mut sim = sim();
    let c = online_of(&sim, ConversationType::Messaging);
    let login = c.settings.agent_user_id.clone();
    let changes = sim.disable_by_login_policy(&login).expect("a user");
    assert!(!changes.is_empty());
    assert_eq!(
        get(&sim, c.id).state.problem(),
        Some(&Problem::DisabledByLoginPolicy)
    );
    // Starting again fails the same way until the agent manager enables the user.
    let t0 = sim.now();
    sim.act(c.id, Action::Start, OPERATOR, t0).expect("start");
    sim.advance_to(t0.plus(START_MIN_MS + START_SPREAD_MS));
    assert_eq!(
        get(&sim, c.id).state.problem(),
        Some(&Problem::DisabledByLoginPolicy)
    );
    sim.enable_bot_user(&login).expect("a user");
    let t1 = sim.now();
    sim.act(c.id, Action::Start, OPERATOR, t1).expect("start");
    sim.advance_to(t1.plus(START_MIN_MS + START_SPREAD_MS));
    assert_eq!(get(&sim, c.id).state.status(), ConnectorStatus::Online);
    assert_eq!(
        sim.disable_by_login_policy("nobody"),
        Err(faults::FaultError::NoSuchUser("nobody".to_owned()))
    );
}

#[test]
fn a_dynamic_ip_gets_a_bot_user_disabled_a_minute_or_two_after_login_unless_whitelisted() {
    let mut sim = sim();
    let c = online_of(&sim, ConversationType::Messaging);
    let login = c.settings.agent_user_id.clone();
    sim.put_on_dynamic_ip(&login).expect("a user");
    assert_eq!(
        sim.next_due(),
        sim.now().plus(DISABLE_AFTER_MS).min(sim.next_due())
    );
    let t0 = sim.now();
    sim.advance_to(t0.plus(DISABLE_AFTER_MS));
    assert_eq!(
        get(&sim, c.id).state.problem(),
        Some(&Problem::DisabledByLoginPolicy)
    );
    // With the range whitelisted, enabling and starting lasts.
    sim.whitelist_ip_range(&c.settings.account);
    assert!(!sim.logs_in_from_outside_whitelist(&login));
    sim.enable_bot_user(&login).expect("a user");
    let t1 = sim.now();
    sim.act(c.id, Action::Start, OPERATOR, t1).expect("start");
    sim.advance_to(t1.plus(START_MIN_MS + START_SPREAD_MS + 10 * DISABLE_AFTER_MS));
    assert_eq!(get(&sim, c.id).state.status(), ConnectorStatus::Online);
}

#[test]
fn a_bot_user_handed_to_someone_else_answers_401_at_its_next_start() {
    let mut sim = sim();
    let c = online_of(&sim, ConversationType::Chat);
    sim.hand_to_someone_else(&c.settings.agent_user_id)
        .expect("a user");
    assert_eq!(
        get(&sim, c.id).state.status(),
        ConnectorStatus::Online,
        "a running login stays"
    );
    let t0 = sim.now();
    sim.act(c.id, Action::Restart, OPERATOR, t0)
        .expect("restart");
    sim.advance_to(t0.plus(START_MIN_MS + START_SPREAD_MS));
    assert_eq!(
        get(&sim, c.id).state.problem(),
        Some(&Problem::Unauthorized)
    );
}

#[test]
fn a_traffic_spike_is_shared_at_once_by_the_bots_online_connectors() {
    let mut sim = sim();
    let c = online_of(&sim, ConversationType::Messaging);
    sim.spike(&c.bot.id, 301).expect("a bot");
    let loads: Vec<u32> = sim
        .connectors()
        .iter()
        .filter(|x| x.bot.id == c.bot.id && x.state.status() == ConnectorStatus::Online)
        .map(|x| x.concurrent_conversations)
        .collect();
    assert_eq!(loads.iter().sum::<u32>(), 301);
    assert!(loads.iter().max().unwrap_or(&0) - loads.iter().min().unwrap_or(&0) <= 1);
    assert_eq!(sim.demand(&c.bot.id), 301);
}

#[test]
fn a_single_step_goes_exactly_to_the_next_thing_due() {
    let mut sim = sim();
    let stopped = find(&sim, ConnectorStatus::Stopped, ConversationType::Messaging);
    let t0 = sim.now();
    sim.act(stopped, Action::Start, OPERATOR, t0)
        .expect("start");
    let mut steps = 0;
    while get(&sim, stopped).state.status() == ConnectorStatus::Starting {
        let due = sim.next_due();
        sim.step();
        assert_eq!(sim.now(), due);
        steps += 1;
        assert!(steps < 50, "a start settles within a few steps");
    }
    assert!(sim.now().since(t0) >= START_MIN_MS);
}

#[test]
fn adding_trims_the_bot_and_refuses_one_too_long_or_past_the_fleet_s_limit() {
    let mut sim = sim();
    let mut bot = sim.connectors()[0].bot.clone();
    let settings = new_settings(&sim, "spare-bot-0-0", Environment::Demo);
    let too_long = BotRef {
        name: "n".repeat(201),
        ..bot.clone()
    };
    let Err(Refused::InvalidSettings { problems }) =
        sim.add(too_long, settings.clone(), OPERATOR, Millis(1_000_000))
    else {
        panic!("a 201-character bot name is refused");
    };
    assert!(problems[0].message.contains("at most 200"));

    let name = bot.name.clone();
    bot.name = format!("  {name} ");
    let Ok(Change::Connector(added)) = sim.add(bot, settings.clone(), OPERATOR, Millis(1_000_000))
    else {
        panic!("added");
    };
    assert_eq!(added.bot.name, name);

    let template = sim.connectors()[0].clone();
    let mut id = sim.next_connector_id().0;
    while sim.connectors().len() < crate::limits::MAX_CONNECTORS {
        let mut c = template.clone();
        c.id = ConnectorId(id);
        id += 1;
        sim.fleet.connectors.push(c);
    }
    let bot = template.bot.clone();
    assert_eq!(
        sim.add(bot, settings, OPERATOR, Millis(1_000_000)),
        Err(Refused::FleetFull { limit: 100_000 })
    );
}

#[test]
fn a_bot_user_s_notes_say_what_a_trainer_did_to_it() {
    let mut sim = sim();
    let login = "spare-bot-0-0".to_owned();
    assert!(sim.user_notes(&login).is_empty());
    sim.disable_by_login_policy(&login).expect("a user");
    assert_eq!(sim.user_notes(&login), ["disabled"]);
    sim.hand_to_someone_else(&login).expect("a user");
    assert_eq!(sim.user_notes(&login), ["disabled", "someone else's"]);
    assert!(sim.user_notes("nobody").is_empty());
}

#[test]
fn a_connector_is_found_by_id_after_adds_and_deletes() {
    let mut sim = sim();
    let first = sim.connectors()[0].id;
    let last = sim.connectors().last().expect("connectors").id;
    assert_eq!(sim.connector(first).map(|c| c.id), Some(first));
    assert_eq!(sim.connector(last).map(|c| c.id), Some(last));
    let bot = sim.connectors()[0].bot.clone();
    let settings = new_settings(&sim, "spare-bot-0-0", Environment::Demo);
    let Ok(Change::Connector(added)) = sim.add(bot, settings, OPERATOR, Millis(1_000_000)) else {
        panic!("added");
    };
    assert_eq!(sim.connector(added.id).map(|c| c.id), Some(added.id));
    sim.act(added.id, Action::Delete, OPERATOR, Millis(1_000_001))
        .expect("deleted");
    assert!(sim.connector(added.id).is_none());
    assert!(sim.connector(ConnectorId(u64::MAX)).is_none());
}
