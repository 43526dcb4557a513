//! Property tests: no sequence of actions and observations reaches an undefined state, and
//! validation never panics on arbitrary input.

use bots_status_core::access::Permissions;
use bots_status_core::config::{self, ConfigEntry};
use bots_status_core::fleet::{Fleet, HOME_ACCOUNT};
use bots_status_core::lifecycle::{Action, Applied, Context, Lifecycle, Login, Reachability};
use bots_status_core::model::{Connector, ConversationType, Environment, Millis};
use bots_status_core::query::ConnectorQuery;
use bots_status_core::settings::{Field, SettingsDraft, check_webhook_url};
use bots_status_core::simulator::Simulator;
use bots_status_core::status::{ConnectorState, LinkHealth, StatusValue};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Act(Action),
    Settle(Reachability),
    Observe(Reachability),
}

fn reachability() -> impl Strategy<Value = Reachability> {
    (
        prop_oneof![
            Just(Login::Ok),
            Just(Login::Unauthorized),
            Just(Login::DisabledByLoginPolicy)
        ],
        prop_oneof![
            Just(LinkHealth::Up),
            Just(LinkHealth::Down),
            Just(LinkHealth::Away)
        ],
        any::<bool>(),
    )
        .prop_map(|(login, cloud, bot_server_up)| Reachability {
            login,
            cloud,
            bot_server_up,
        })
}

/// A whitespace character a person may paste around a name: ASCII and Unicode spaces.
fn whitespace() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        " ", "\t", "\n", "\r", "\u{a0}", "\u{2003}", "\u{3000}", "\u{feff}",
    ])
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Act(Action::Start)),
        Just(Step::Act(Action::Stop)),
        Just(Step::Act(Action::Restart)),
        Just(Step::Act(Action::Delete)),
        Just(Step::Act(Action::Redeploy(Environment::Demo))),
        Just(Step::Act(Action::Redeploy(Environment::Production))),
        reachability().prop_map(Step::Settle),
        reachability().prop_map(Step::Observe),
    ]
}

/// What must hold of every connector, whatever happened to it.
fn assert_well_formed(c: &Connector) {
    let shown = c.state.statuses();
    assert!(!shown.connector.label().is_empty());
    match &c.state {
        ConnectorState::ReadyToStart | ConnectorState::Stopped => {
            assert_eq!(shown.cloud.label(), "N/A");
            assert_eq!(shown.bot_server.label(), "N/A");
        }
        ConnectorState::Starting { links, .. }
        | ConnectorState::Online { links }
        | ConnectorState::NotConnected { links, .. } => {
            // The Conversational Cloud status always matches the conversation type.
            assert_eq!(links.cloud.conversation_type(), c.conversation_type());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_sequence_of_actions_reaches_an_undefined_state(
        seed in 0u64..50,
        steps in proptest::collection::vec(step(), 0..40),
        administrator in any::<bool>(),
        agent_active in any::<bool>(),
    ) {
        let fleet = Fleet::generate(seed, 5, Millis(0));
        let ctx = Context {
            agent_active,
            permissions: Permissions { bot_status_access: false, administrator, production: false },
        };
        for start in fleet.connectors {
            let mut c = start;
            let mut version = c.version;
            for (t, step) in steps.iter().enumerate() {
                let now = Millis(t as u64 * 1000);
                let next = match step {
                    Step::Act(action) => match Lifecycle::apply(&c, action.clone(), &ctx, now) {
                        Ok(Applied::Changed(next)) => Some(*next),
                        Ok(Applied::Deleted(_)) => break,
                        Err(refused) => {
                            prop_assert!(!refused.to_string().is_empty());
                            None
                        }
                    },
                    Step::Settle(seen) => Lifecycle::settle(&c, seen),
                    Step::Observe(seen) => Lifecycle::observe(&c, seen),
                };
                if let Some(next) = next {
                    // Every change is visible to a writer holding the old version.
                    prop_assert!(next.version > version);
                    version = next.version;
                    c = next;
                }
                assert_well_formed(&c);
            }
        }
    }

    #[test]
    fn config_validation_never_panics_and_reports_rows_that_exist(
        entries in proptest::collection::vec((".{0,30}", ".{0,30}"), 0..12),
        chat in any::<bool>(),
    ) {
        let entries: Vec<_> = entries.iter().map(|(k, v)| ConfigEntry::new(k, v)).collect();
        let ct = if chat { ConversationType::Chat } else { ConversationType::Messaging };
        for finding in config::validate(&entries, ct) {
            prop_assert!(finding.row < entries.len());
            prop_assert!(!finding.issue.to_string().is_empty());
        }
        let _ = config::effective(&entries, ct);
    }

    #[test]
    fn known_keys_with_arbitrary_values_never_panic(
        key in proptest::sample::select(config::KNOWN_KEYS.iter().map(|k| k.name).collect::<Vec<_>>()),
        value in "\\PC{0,40}|-?[0-9]{0,25}",
    ) {
        let _ = config::validate(&[ConfigEntry::new(key, &value)], ConversationType::Messaging);
    }

    #[test]
    fn form_parsing_never_panics_and_errors_mean_no_settings(
        account in "\\PC{0,25}",
        agent in "\\PC{0,25}",
        skill in "\\PC{0,25}",
        url in "\\PC{0,60}|https://\\PC{0,40}",
    ) {
        let draft = SettingsDraft {
            account,
            agent_user_id: agent,
            fallback_skill_id: skill,
            external_webhook_url: url.clone(),
            ..SettingsDraft::default()
        };
        let parsed = draft.parse();
        let has_error = parsed.problems.iter().any(|p| p.is_error());
        prop_assert_eq!(parsed.settings.is_none(), has_error);
        let _ = check_webhook_url(&url);
    }

    #[test]
    fn a_webhook_without_https_is_always_refused(url in "\\PC{0,60}|http://\\PC{0,30}|ftp://[a-z.]{1,20}") {
        prop_assume!(!url.trim().to_ascii_lowercase().starts_with("https://"));
        prop_assert!(check_webhook_url(&url).is_err());
    }

    #[test]
    fn chat_connectors_never_accept_a_messaging_only_key(
        key in proptest::sample::select(
            config::KNOWN_KEYS.iter().filter(|k| !k.chat).map(|k| k.name).collect::<Vec<_>>()
        ),
        value in "\\PC{0,20}",
    ) {
        let findings = config::validate(&[ConfigEntry::new(key, &value)], ConversationType::Chat);
        prop_assert!(findings.iter().any(|f| f.issue.severity() == config::Severity::Error
            && f.issue.part() == config::EntryPart::Key));
    }

    #[test]
    fn every_form_problem_points_at_an_input_that_exists(
        rows in proptest::collection::vec(("\\PC{0,20}", "\\PC{0,20}"), 0..8),
        skill in "\\PC{0,12}",
        chat in any::<bool>(),
    ) {
        let draft = SettingsDraft {
            account: "123".into(),
            agent_user_id: "bot".into(),
            fallback_skill_id: skill,
            conversation_type: if chat { ConversationType::Chat } else { ConversationType::Messaging },
            custom_config: rows.iter().map(|(k, v)| ConfigEntry::new(k, v)).collect(),
            ..SettingsDraft::default()
        };
        for problem in draft.parse().problems {
            match problem.field {
                Field::ConfigKey(row) | Field::ConfigValue(row) => prop_assert!(row < rows.len()),
                _ => {}
            }
            prop_assert!(!problem.message.is_empty());
        }
    }

    #[test]
    fn no_whitespace_variant_of_a_refused_agent_is_accepted(
        before in proptest::collection::vec(whitespace(), 0..3),
        after in proptest::collection::vec(whitespace(), 0..3),
        around_account in any::<bool>(),
        agent in proptest::sample::select(vec!["colleague-bot-0", "spare-bot-0-2", "no-such-bot"]),
    ) {
        let mut sim = Simulator::new(2026, 20, Millis(0));
        let count = sim.connectors().len();
        let pad = |s: &str| format!("{}{s}{}", before.concat(), after.concat());
        let first = sim.connectors()[0].clone();
        let mut settings = first.settings.clone();
        settings.environment = Environment::Demo;
        settings.account = if around_account { pad(HOME_ACCOUNT) } else { HOME_ACCOUNT.to_owned() };
        settings.agent_user_id = pad(agent);
        let added = sim.add(first.bot.clone(), settings.clone(), Permissions::OPERATOR, Millis(1));
        prop_assert!(added.is_err(), "{:?} was accepted", settings.agent_user_id);
        prop_assert_eq!(sim.connectors().len(), count);
        // Nor may an edit move a connector onto it.
        let stopped = sim.connectors().iter().find(|c| c.state == ConnectorState::Stopped).cloned();
        if let Some(stopped) = stopped {
            let mut edited = stopped.settings.clone();
            edited.account = settings.account.clone();
            edited.agent_user_id = settings.agent_user_id.clone();
            let result = sim.act(stopped.id, Action::Edit(Box::new(edited)), Permissions::ADMINISTRATOR, Millis(2));
            prop_assert!(result.is_err(), "an edit onto {:?} was saved", settings.agent_user_id);
        }
    }

    #[test]
    fn any_query_string_parses_without_panicking(query in "\\PC{0,80}") {
        let (q, _) = ConnectorQuery::from_query_string(&query);
        // Whatever was understood survives a round trip.
        let (again, ignored) = ConnectorQuery::from_query_string(&q.to_query_string());
        prop_assert_eq!(again, q);
        prop_assert!(ignored.is_empty());
    }
}
