use super::*;
use crate::access::Permissions;
use crate::lifecycle::Refused;
use crate::model::ConnectorId;
use crate::simulator::START_MIN_MS;
use crate::simulator::START_SPREAD_MS;

const NOW: Millis = Millis(1_700_000_000_000);

fn ids(sim: &Simulator, bot: &str) -> Vec<ConnectorId> {
    sim.connectors()
        .iter()
        .filter(|c| c.bot.name == bot)
        .map(|c| c.id)
        .collect()
}

fn rights(sim: &Simulator) -> Permissions {
    sim.session().permissions
}

fn act(sim: &mut Simulator, id: ConnectorId, action: Action) -> Result<(), Refused> {
    let (permissions, now) = (rights(sim), sim.now());
    sim.act(id, action, permissions, now).map(|_| ())
}

/// Lets every pending start finish.
fn let_starts_finish(sim: &mut Simulator) {
    let until = sim.now().plus(START_MIN_MS + START_SPREAD_MS + 1);
    sim.advance_to(until);
}

/// Adds a connector for `bot` with bot user `agent`, like the bot's first one.
fn add(sim: &mut Simulator, bot: &str, agent: &str) -> Result<ConnectorId, Refused> {
    let first = sim
        .connectors()
        .iter()
        .find(|c| c.bot.name == bot)
        .cloned()
        .ok_or(Refused::Gone)?;
    let mut settings = first.settings.clone();
    settings.agent_user_id = agent.to_owned();
    let (permissions, now) = (rights(sim), sim.now());
    match sim.add(first.bot.clone(), settings, permissions, now)? {
        crate::simulator::Change::Connector(c) => Ok(c.id),
        _ => Err(Refused::Gone),
    }
}

fn solved(scenario: &Scenario, sim: &Simulator) -> bool {
    scenario.progress(sim).map(|p| p.solved()).unwrap_or(false)
}

/// What a trainee does to fix each built-in scenario, through the same operations the UI
/// offers (the app's actions, and the Simulation area's "outside the app" fixes).
fn fix(id: &str, sim: &mut Simulator) {
    match id {
        "offline-after-outage" => {
            for c in ids(sim, "Billing Desk") {
                act(sim, c, Action::Restart).unwrap();
            }
            let_starts_finish(sim);
        }
        "two-of-four-disabled" => {
            sim.whitelist_ip_range(HOME_ACCOUNT);
            for n in [2, 4] {
                sim.enable_bot_user(&agent_name("Roaming Helper", n))
                    .unwrap();
            }
            let list = ids(sim, "Roaming Helper");
            for c in [list[1], list[3]] {
                act(sim, c, Action::Start).unwrap();
            }
            let_starts_finish(sim);
        }
        "unauthorized-on-add" => {
            let refused = add(sim, "Claims Intake", "claims-intake-agent-2").unwrap_err();
            assert!(matches!(refused, Refused::Unauthorized { .. }), "{refused}");
            let id = add(sim, "Claims Intake", "claims-intake-agent-3").unwrap();
            act(sim, id, Action::Start).unwrap();
            let_starts_finish(sim);
        }
        "production-without-failover" => {
            let id = add(sim, "Pharmacy Concierge", "pharmacy-concierge-agent-2").unwrap();
            act(sim, id, Action::Start).unwrap();
            let_starts_finish(sim);
        }
        "capacity-200" => {
            for n in [3, 4] {
                let id = add(sim, "Travel Router", &agent_name("Travel Router", n)).unwrap();
                act(sim, id, Action::Start).unwrap();
            }
            let_starts_finish(sim);
        }
        "edit-running-config" => {
            for c in ids(sim, "Support Assistant") {
                let mut settings = sim
                    .connectors()
                    .iter()
                    .find(|x| x.id == c)
                    .unwrap()
                    .settings
                    .clone();
                settings.advanced.custom_config = vec![ConfigEntry::new("messageDelay", "1000")];
                let edit = Action::Edit(Box::new(settings));
                assert!(matches!(
                    act(sim, c, edit.clone()),
                    Err(Refused::MustBeStopped { .. })
                ));
                act(sim, c, Action::Stop).unwrap();
                act(sim, c, edit).unwrap();
                act(sim, c, Action::Start).unwrap();
            }
            let_starts_finish(sim);
        }
        "bot-server-outage" => {
            let second = ids(sim, "Fraud Router")[1];
            act(sim, second, Action::Start).unwrap();
            let_starts_finish(sim);
        }
        other => panic!("no fix written for the built-in scenario {other}: add one here"),
    }
}

#[test]
fn there_are_at_least_six_builtin_scenarios_and_they_parse() {
    let scenarios = parse_scenarios(BUILTIN_JSON).unwrap();
    assert!(scenarios.len() >= 6);
    assert_eq!(builtin(), scenarios);
    assert!(scenarios.iter().all(|s| !s.hints.is_empty()));
}

#[test]
fn every_builtin_scenario_fails_its_check_before_the_fix_and_passes_after() {
    for scenario in builtin() {
        let mut sim = scenario.set_up(NOW).unwrap();
        assert!(
            !solved(&scenario, &sim),
            "{} is solved before any fix",
            scenario.id
        );
        // Time alone does not fix it.
        let later = sim.now().plus(10 * 60_000);
        sim.advance_to(later);
        assert!(
            !solved(&scenario, &sim),
            "{} solved itself by waiting",
            scenario.id
        );
        fix(&scenario.id, &mut sim);
        let progress = scenario.progress(&sim).unwrap();
        assert!(
            progress.solved(),
            "{} is not solved by its fix: {:?}",
            scenario.id,
            progress
        );
    }
}

#[test]
fn a_scenario_sets_up_the_same_fleet_every_time() {
    for scenario in builtin() {
        assert_eq!(scenario.set_up(NOW).unwrap(), scenario.set_up(NOW).unwrap());
    }
}

#[test]
fn re_enabling_the_bot_users_without_fixing_the_login_policy_does_not_last() {
    let scenario = builtin()
        .into_iter()
        .find(|s| s.id == "two-of-four-disabled")
        .unwrap();
    let mut sim = scenario.set_up(NOW).unwrap();
    let list = ids(&sim, "Roaming Helper");
    let states: Vec<_> = list
        .iter()
        .map(|id| {
            sim.connectors()
                .iter()
                .find(|c| c.id == *id)
                .unwrap()
                .state
                .problem()
                .copied()
        })
        .collect();
    // Two of four are disabled by the login policy; the other two run.
    assert_eq!(
        states
            .iter()
            .filter(|p| **p == Some(Problem::DisabledByLoginPolicy))
            .count(),
        2
    );
    for n in [2, 4] {
        sim.enable_bot_user(&agent_name("Roaming Helper", n))
            .unwrap();
    }
    for c in [list[1], list[3]] {
        act(&mut sim, c, Action::Start).unwrap();
    }
    let_starts_finish(&mut sim);
    let p = scenario.progress(&sim).unwrap();
    assert!(!p.solved(), "the login policy goal still fails: {p:?}");
    // A minute or two later they are disabled again.
    let later = sim.now().plus(crate::simulator::DISABLE_AFTER_MS + 1);
    sim.advance_to(later);
    assert!(
        !sim.fleet
            .directory
            .is_enabled(HOME_ACCOUNT, &agent_name("Roaming Helper", 2))
    );
}

#[test]
fn progress_says_how_far_along_each_goal_is() {
    let scenario = builtin()
        .into_iter()
        .find(|s| s.id == "offline-after-outage")
        .unwrap();
    let sim = scenario.set_up(NOW).unwrap();
    let progress = scenario.progress(&sim).unwrap();
    assert_eq!(progress.goals.len(), 1);
    assert!(
        progress.goals[0].text.contains("(0 of 3 now)"),
        "{}",
        progress.goals[0].text
    );
}

#[test]
fn hints_are_counted_and_stop_once_solved() {
    let scenario = builtin()
        .into_iter()
        .find(|s| s.id == "two-of-four-disabled")
        .unwrap();
    let mut attempt = Attempt::new(&scenario, Millis(1_000));
    let first = attempt.take_hint(&scenario).unwrap();
    let second = attempt.take_hint(&scenario).unwrap();
    assert!(second.contains("static IP"), "the spec's remedy: {second}");
    assert_ne!(first, second);
    assert_eq!(attempt.hints_used, 2);
    assert_eq!(attempt.hints_shown(&scenario), vec![first, second]);
    let done = Progress {
        goals: vec![Checked {
            text: String::new(),
            met: true,
        }],
    };
    attempt.observe(&done, Millis(91_000));
    attempt.observe(&done, Millis(200_000));
    assert_eq!(attempt.elapsed_ms(Millis(500_000)), 90_000);
    assert_eq!(attempt.take_hint(&scenario), None);
}

#[test]
fn a_trainers_file_with_one_scenario_loads() {
    let text = r#"{
        "id": "mine", "title": "Mine", "situation": "s", "objective": "o",
        "setup": [ { "do": "add_bot", "bot": "Quiz Bot", "environment": "Demo",
                     "conversation_type": "Chat", "stopped": 1 } ],
        "goals": [ { "check": "all_healthy", "bot": "Quiz Bot" } ],
        "hints": [ { "remedy": { "kind": "Unauthorized" } }, "Start it." ]
    }"#;
    let scenarios = parse_scenarios(text).unwrap();
    assert_eq!(scenarios[0].hints[1], Hint::Text("Start it.".to_owned()));
    assert!(scenarios[0].hints[0].text().contains("401"));
}

#[test]
fn bad_files_are_refused_with_where_and_why() {
    let syntax = parse_scenarios("[ { \"id\": \"x\", ").unwrap_err();
    assert!(
        matches!(syntax, ScenarioError::Syntax { line: 1, .. }),
        "{syntax}"
    );
    let unknown = parse_scenarios(r#"[{"id":"x","title":"t","situation":"s","objective":"o","setup":[{"do":"explode"}],"goals":[]}]"#).unwrap_err();
    assert!(unknown.to_string().contains("explode"), "{unknown}");
    let no_bot = parse_scenarios(r#"[{"id":"x","title":"t","situation":"s","objective":"o","setup":[],"goals":[{"check":"all_healthy","bot":"Ghost"}]}]"#).unwrap_err();
    assert_eq!(
        no_bot.to_string(),
        "Scenario \"x\": a goal names the bot Ghost, which the setup never adds"
    );
    let no_goals = parse_scenarios(
        r#"{"id":"x","title":"t","situation":"s","objective":"o","setup":[],"goals":[]}"#,
    )
    .unwrap_err();
    assert!(no_goals.to_string().contains("no goals"), "{no_goals}");
    assert_eq!(parse_scenarios("[]").unwrap_err(), ScenarioError::Empty);
    let twice = format!(
        "[{0},{0}]",
        r#"{"id":"x","title":"t","situation":"s","objective":"o","setup":[{"do":"add_bot","bot":"B","environment":"Demo","conversation_type":"Chat","stopped":1}],"goals":[{"check":"all_healthy","bot":"B"}]}"#
    );
    let twice = parse_scenarios(&twice).unwrap_err().to_string();
    assert!(twice.contains("same id"), "{twice}");
}

#[test]
fn replaying_the_setup_history_reaches_the_fleet_the_trainee_finds() {
    for scenario in builtin() {
        let (sim, history) = scenario.set_up_recorded(NOW).unwrap();
        let mut fleet = history.before.clone();
        let mut last = history.started;
        for (at, changes) in &history.steps {
            assert!(*at >= last, "steps run forward in time");
            last = *at;
            for change in changes {
                match change {
                    crate::simulator::Change::Connector(c) => {
                        match fleet.iter_mut().find(|x| x.id == c.id) {
                            Some(x) => *x = (**c).clone(),
                            None => fleet.push((**c).clone()),
                        }
                    }
                    crate::simulator::Change::Load {
                        id,
                        version,
                        conversations,
                    } => {
                        if let Some(x) = fleet.iter_mut().find(|x| x.id == *id) {
                            x.version = *version;
                            x.concurrent_conversations = *conversations;
                        }
                    }
                    crate::simulator::Change::Removed(id) => fleet.retain(|x| x.id != *id),
                    crate::simulator::Change::Pcs(_) => {}
                }
            }
        }
        assert_eq!(fleet, sim.connectors(), "{}", scenario.id);
    }
}

/// The smallest scenario that parses, with `extra` merged over it.
fn scenario_with(extra: serde_json::Value) -> String {
    let mut base = serde_json::json!({
        "id": "limits",
        "title": "Limits",
        "situation": "s",
        "objective": "o",
        "fleet_size": 4,
        "setup": [{"do": "add_bot", "bot": "Desk", "environment": "Demo",
                   "conversation_type": "Chat", "online": 1}],
        "goals": [{"check": "all_healthy", "bot": "Desk"}]
    });
    if let (Some(base), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            base.insert(k.clone(), v.clone());
        }
    }
    base.to_string()
}

#[test]
fn a_scenario_s_numbers_are_capped_with_the_limit_named() {
    assert!(parse_scenarios(&scenario_with(serde_json::json!({}))).is_ok());
    let refused = |extra: serde_json::Value| match parse_scenarios(&scenario_with(extra)) {
        Err(ScenarioError::Invalid { why, .. }) => why,
        other => panic!("not refused: {other:?}"),
    };
    let why = refused(serde_json::json!({"fleet_size": 1_000_000}));
    assert!(
        why.contains("fleet_size is 1,000,000; at most 10,000"),
        "{why}"
    );
    let why = refused(serde_json::json!({"setup": [
        {"do": "add_bot", "bot": "Desk", "environment": "Demo", "conversation_type": "Chat", "online": 1},
        {"do": "wait", "seconds": 253_402_300_800_u64}
    ]}));
    assert!(
        why.contains("a wait is 253,402,300,800; at most 604,800"),
        "{why}"
    );
    let why = refused(serde_json::json!({"setup": [
        {"do": "add_bot", "bot": "Desk", "environment": "Demo", "conversation_type": "Chat", "online": 5000}
    ]}));
    assert!(why.contains("at most 100"), "{why}");
    let why = refused(serde_json::json!({"setup": [
        {"do": "add_bot", "bot": "Desk", "environment": "Demo", "conversation_type": "Chat", "online": 1},
        {"do": "spike", "bot": "Desk", "concurrent": 4_000_000_000_u32}
    ]}));
    assert!(why.contains("the spike of Desk"), "{why}");
}

#[test]
fn a_scenario_file_is_bounded_in_size_and_count() {
    let huge = format!(
        "[{}]",
        vec![scenario_with(serde_json::json!({})); 1].join(",")
    ) + &" ".repeat(limits::MAX_SCENARIO_FILE_BYTES);
    assert!(matches!(
        parse_scenarios(&huge),
        Err(ScenarioError::TooLarge { .. })
    ));
    let many: Vec<String> = (0..=limits::MAX_SCENARIOS)
        .map(|i| scenario_with(serde_json::json!({"id": format!("s{i}")})))
        .collect();
    let err = parse_scenarios(&format!("[{}]", many.join(","))).expect_err("too many");
    assert!(err.to_string().contains("at most 100"), "{err}");
}

#[test]
fn every_step_goal_and_hint_reads_back_as_written_with_its_tag_anywhere() {
    use crate::tagged::tests::reads_back;
    let bot = || "Sales Bot".to_owned();
    for step in [
        Setup::AddBot {
            bot: bot(),
            environment: Environment::Production,
            conversation_type: ConversationType::Chat,
            online: 3,
            stopped: 1,
            spare_agents: 2,
            config: vec![ConfigEntry {
                key: "retryLimit".to_owned(),
                value: "3".to_owned(),
            }],
            concurrent: 120,
        },
        Setup::Resource {
            environment: Environment::Demo,
            resource: Resource::BotServer,
            health: LinkHealth::Down,
        },
        Setup::Wait { seconds: 90 },
        Setup::Restart {
            bot: bot(),
            connector: 2,
        },
        Setup::DynamicIps { bot: bot() },
        Setup::DisableByLoginPolicy {
            agent: "sales-bot-agent-1".to_owned(),
        },
        Setup::SomeoneElseCreated {
            agent: "sales-bot-agent-2".to_owned(),
        },
        Setup::Spike {
            bot: bot(),
            concurrent: 400,
        },
    ] {
        reads_back(&step);
    }
    for goal in [
        Goal::AllHealthy { bot: bot() },
        Goal::HealthyConnectors {
            bot: bot(),
            environment: Environment::Production,
            at_least: 2,
        },
        Goal::Capacity {
            bot: bot(),
            concurrent: 300,
        },
        Goal::LoginPolicyFixed { bot: bot() },
        Goal::Config {
            bot: bot(),
            key: "retryLimit".to_owned(),
            value: "5".to_owned(),
        },
    ] {
        reads_back(&goal);
    }
    for hint in [
        Hint::Remedy {
            remedy: Problem::Unauthorized,
        },
        Hint::Text("Look at the Bot Server column.".to_owned()),
    ] {
        reads_back(&hint);
    }
}

#[test]
fn a_step_or_goal_with_another_variant_s_field_a_missing_one_or_a_stray_one_is_refused_by_name() {
    fn refused<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str, says: &str) {
        let err = serde_json::from_str::<T>(text).expect_err(text).to_string();
        assert!(err.contains(says), "{text}: {err}");
    }
    refused::<Setup>(
        r#"{"do": "wait", "seconds": 5, "bot": "Sales Bot"}"#,
        "unknown field `bot`, expected `seconds`",
    );
    refused::<Setup>(
        r#"{"do": "spike", "bot": "Sales Bot"}"#,
        "missing field `concurrent`",
    );
    refused::<Setup>(
        r#"{"do": "wait", "seconds": 5, "colour": "red"}"#,
        "unknown field `colour`",
    );
    refused::<Setup>(r#"{"do": "fly"}"#, "unknown variant `fly`");
    refused::<Goal>(
        r#"{"check": "all_healthy", "bot": "Sales Bot", "key": "k"}"#,
        "unknown field `key`, expected `bot`",
    );
    refused::<Goal>(
        r#"{"check": "config", "bot": "Sales Bot", "key": "k"}"#,
        "missing field `value`",
    );
    // The defaults of adding a bot.
    let step: Setup = serde_json::from_str(
        r#"{"bot": "B", "environment": "Demo", "conversation_type": "Messaging", "do": "add_bot"}"#,
    )
    .expect("a step");
    assert_eq!(
        step,
        Setup::AddBot {
            bot: "B".to_owned(),
            environment: Environment::Demo,
            conversation_type: ConversationType::Messaging,
            online: 0,
            stopped: 0,
            spare_agents: 0,
            config: Vec::new(),
            concurrent: 0,
        }
    );
    let err = serde_json::from_str::<Hint>("42").expect_err("a number is no hint");
    assert!(err.to_string().contains("a hint: text"), "{err}");
}
