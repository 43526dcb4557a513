use super::*;
use crate::fleet::tests_support::{connector, with_state};
use crate::model::Role;
use crate::status::StatusValue;

const OPERATOR: Context = Context {
    agent_active: true,
    permissions: Permissions::OPERATOR,
};

fn in_state(status: ConnectorStatus) -> Connector {
    let ct = ConversationType::Messaging;
    let state = match status {
        ConnectorStatus::ReadyToStart => ConnectorState::ReadyToStart,
        ConnectorStatus::Starting => ConnectorState::Starting {
            since: Millis(0),
            links: Links::fresh(ct),
        },
        ConnectorStatus::Online => ConnectorState::Online {
            links: Links {
                cloud: CloudConnection::new(ct, LinkHealth::Up),
                bot_server: BotServerConnection::Connected,
            },
        },
        ConnectorStatus::NotConnected => ConnectorState::NotConnected {
            links: Links::fresh(ct),
            problem: Problem::FailedConnection {
                component: Component::BotServer,
            },
        },
        ConnectorStatus::Stopped => ConnectorState::Stopped,
    };
    with_state(connector(1, "bot", Environment::Demo, 0), state)
}

fn changed(result: Result<Applied, Refused>) -> Connector {
    match result {
        Ok(Applied::Changed(c)) => *c,
        other => panic!("expected a change, got {other:?}"),
    }
}

#[test]
fn every_action_in_every_state_is_either_allowed_or_refused_with_a_reason() {
    use ConnectorStatus as S;
    // (action, states in which it is allowed) — straight from the spec's lifecycle.
    let allowed: [(ActionKind, &[S]); 6] = [
        (
            ActionKind::Start,
            &[S::ReadyToStart, S::Stopped, S::NotConnected],
        ),
        (ActionKind::Stop, &[S::Starting, S::Online, S::NotConnected]),
        (
            ActionKind::Restart,
            &[S::Starting, S::Online, S::NotConnected],
        ),
        (
            ActionKind::Edit,
            &[S::ReadyToStart, S::Stopped, S::NotConnected],
        ),
        (
            ActionKind::Delete,
            &[S::ReadyToStart, S::Stopped, S::NotConnected],
        ),
        (ActionKind::Redeploy, &[S::ReadyToStart, S::Stopped]),
    ];
    for (kind, states) in allowed {
        for status in S::ALL {
            let verdict = Lifecycle::permits(&in_state(status), kind, &OPERATOR);
            if states.contains(&status) {
                assert_eq!(verdict, Ok(()), "{kind:?} in {status:?}");
            } else {
                let refusal = verdict.expect_err("must be refused");
                assert!(!refusal.to_string().is_empty(), "{kind:?} in {status:?}");
                assert!(!refusal.short().is_empty());
            }
        }
    }
}

#[test]
fn start_goes_through_starting() {
    for status in [
        ConnectorStatus::ReadyToStart,
        ConnectorStatus::Stopped,
        ConnectorStatus::NotConnected,
    ] {
        let next = changed(Lifecycle::apply(
            &in_state(status),
            Action::Start,
            &OPERATOR,
            Millis(9),
        ));
        assert_eq!(next.state.status(), ConnectorStatus::Starting);
        assert_eq!(next.state.statuses().cloud.label(), "Not Connected");
    }
}

#[test]
fn a_start_ends_online_when_every_component_connects() {
    let starting = changed(Lifecycle::apply(
        &in_state(ConnectorStatus::Stopped),
        Action::Start,
        &OPERATOR,
        Millis(0),
    ));
    let settled = Lifecycle::settle(&starting, &Reachability::ALL_UP).expect("it was starting");
    assert_eq!(settled.state.status(), ConnectorStatus::Online);
    let shown = settled.state.statuses();
    assert_eq!(shown.cloud.label(), "Connected");
    assert_eq!(shown.bot_server.label(), "Connected");
}

#[test]
fn a_start_ends_not_connected_naming_the_failing_component() {
    let starting = changed(Lifecycle::apply(
        &in_state(ConnectorStatus::Stopped),
        Action::Start,
        &OPERATOR,
        Millis(0),
    ));
    let seen = Reachability {
        bot_server_up: false,
        ..Reachability::ALL_UP
    };
    let settled = Lifecycle::settle(&starting, &seen).expect("it was starting");
    assert_eq!(settled.state.status(), ConnectorStatus::NotConnected);
    assert_eq!(
        settled.state.problem(),
        Some(&Problem::FailedConnection {
            component: Component::BotServer
        })
    );
    assert_eq!(settled.state.statuses().cloud.label(), "Connected");
    assert_eq!(settled.state.statuses().bot_server.label(), "Not Connected");
}

#[test]
fn a_bot_user_created_by_someone_else_fails_the_start_with_401() {
    let starting = changed(Lifecycle::apply(
        &in_state(ConnectorStatus::ReadyToStart),
        Action::Start,
        &OPERATOR,
        Millis(0),
    ));
    let seen = Reachability {
        login: Login::Unauthorized,
        ..Reachability::ALL_UP
    };
    let settled = Lifecycle::settle(&starting, &seen).expect("it was starting");
    assert_eq!(settled.state.problem(), Some(&Problem::Unauthorized));
}

#[test]
fn settle_leaves_a_connector_that_is_not_starting_alone() {
    assert_eq!(
        Lifecycle::settle(&in_state(ConnectorStatus::Online), &Reachability::ALL_UP),
        None
    );
}

#[test]
fn stop_is_refused_while_ready_to_start() {
    let refused = Lifecycle::apply(
        &in_state(ConnectorStatus::ReadyToStart),
        Action::Stop,
        &OPERATOR,
        Millis(0),
    );
    assert_eq!(refused, Err(Refused::NeverStarted));
}

#[test]
fn stopping_a_stopped_connector_is_refused_as_already_stopped() {
    let refused = Lifecycle::apply(
        &in_state(ConnectorStatus::Stopped),
        Action::Stop,
        &OPERATOR,
        Millis(0),
    );
    assert_eq!(refused, Err(Refused::AlreadyStopped));
    assert_eq!(Refused::AlreadyStopped.short(), "already stopped");
}

#[test]
fn stop_leaves_in_progress_conversations_as_they_are() {
    let mut online = in_state(ConnectorStatus::Online);
    online.concurrent_conversations = 12;
    let stopped = changed(Lifecycle::apply(
        &online,
        Action::Stop,
        &OPERATOR,
        Millis(0),
    ));
    assert_eq!(stopped.state.status(), ConnectorStatus::Stopped);
    assert_eq!(stopped.concurrent_conversations, 12);
}

#[test]
fn restart_is_stop_then_start() {
    let restarted = changed(Lifecycle::apply(
        &in_state(ConnectorStatus::Online),
        Action::Restart,
        &OPERATOR,
        Millis(3),
    ));
    assert_eq!(
        restarted.state,
        ConnectorState::Starting {
            since: Millis(3),
            links: Links::fresh(ConversationType::Messaging)
        }
    );
    assert_eq!(
        Lifecycle::apply(
            &in_state(ConnectorStatus::Stopped),
            Action::Restart,
            &OPERATOR,
            Millis(0)
        ),
        Err(Refused::NotRunning)
    );
}

#[test]
fn a_restart_re_establishes_a_dropped_messaging_connection() {
    let online = in_state(ConnectorStatus::Online);
    let outage = Reachability {
        cloud: LinkHealth::Down,
        ..Reachability::ALL_UP
    };
    let dropped = Lifecycle::observe(&online, &outage).expect("the connection drops");
    assert_eq!(dropped.state.statuses().cloud.label(), "Not Connected");
    // The server is back, but the connection stays dropped until a restart.
    assert_eq!(Lifecycle::observe(&dropped, &Reachability::ALL_UP), None);
    let restarted = changed(Lifecycle::apply(
        &dropped,
        Action::Restart,
        &OPERATOR,
        Millis(1),
    ));
    let settled = Lifecycle::settle(&restarted, &Reachability::ALL_UP).expect("it was starting");
    assert_eq!(settled.state.statuses().cloud.label(), "Connected");
}

#[test]
fn a_login_policy_lockout_takes_a_running_connector_down() {
    let online = in_state(ConnectorStatus::Online);
    let seen = Reachability {
        login: Login::DisabledByLoginPolicy,
        ..Reachability::ALL_UP
    };
    let down = Lifecycle::observe(&online, &seen).expect("it goes down");
    assert_eq!(down.state.problem(), Some(&Problem::DisabledByLoginPolicy));
}

#[test]
fn edit_is_refused_while_running_with_what_to_do() {
    for status in [ConnectorStatus::Online, ConnectorStatus::Starting] {
        let c = in_state(status);
        let refused = Lifecycle::apply(
            &c,
            Action::Edit(Box::new(c.settings.clone())),
            &OPERATOR,
            Millis(0),
        );
        let refusal = refused.expect_err("running connectors cannot be edited");
        assert_eq!(refusal.to_string(), "Stop the connector before editing it.");
    }
}

#[test]
fn edit_needs_an_active_bot_agent() {
    let c = in_state(ConnectorStatus::Stopped);
    let ctx = Context {
        agent_active: false,
        ..OPERATOR
    };
    let refused = Lifecycle::apply(
        &c,
        Action::Edit(Box::new(c.settings.clone())),
        &ctx,
        Millis(0),
    );
    assert_eq!(refused, Err(Refused::AgentInactive));
}

#[test]
fn an_edit_replaces_the_settings_and_keeps_the_connector_stopped() {
    let c = in_state(ConnectorStatus::Stopped);
    let mut settings = c.settings.clone();
    settings.role = Role::Manager;
    let edited = changed(Lifecycle::apply(
        &c,
        Action::Edit(Box::new(settings)),
        &OPERATOR,
        Millis(0),
    ));
    assert_eq!(edited.settings.role, Role::Manager);
    assert_eq!(edited.state.status(), ConnectorStatus::Stopped);
    assert_eq!(edited.version, c.version + 1);
}

#[test]
fn an_edit_with_invalid_custom_configuration_is_refused_with_the_problem() {
    let c = in_state(ConnectorStatus::Stopped);
    let mut settings = c.settings.clone();
    settings.advanced.custom_config = vec![crate::config::ConfigEntry::new("messageDelay", "-5")];
    let refusal = Lifecycle::apply(&c, Action::Edit(Box::new(settings)), &OPERATOR, Millis(0))
        .expect_err("a negative delay is invalid");
    assert!(
        refusal.to_string().contains("cannot be negative"),
        "{refusal}"
    );
}

#[test]
fn delete_is_refused_while_running_and_allowed_otherwise() {
    let refusal = Lifecycle::apply(
        &in_state(ConnectorStatus::Online),
        Action::Delete,
        &OPERATOR,
        Millis(0),
    )
    .expect_err("running");
    assert_eq!(
        refusal.to_string(),
        "Stop the connector before deleting it."
    );
    let stopped = in_state(ConnectorStatus::Stopped);
    assert_eq!(
        Lifecycle::apply(&stopped, Action::Delete, &OPERATOR, Millis(0)),
        Ok(Applied::Deleted(stopped.id))
    );
}

#[test]
fn redeploy_moves_a_stopped_connector_and_leaves_it_stopped() {
    let moved = changed(Lifecycle::apply(
        &in_state(ConnectorStatus::Stopped),
        Action::Redeploy(Environment::Production),
        &OPERATOR,
        Millis(0),
    ));
    assert_eq!(moved.environment(), Environment::Production);
    assert_eq!(moved.state.status(), ConnectorStatus::Stopped);
}

#[test]
fn redeploy_is_refused_for_an_online_connector() {
    let refusal = Lifecycle::apply(
        &in_state(ConnectorStatus::Online),
        Action::Redeploy(Environment::Production),
        &OPERATOR,
        Millis(0),
    )
    .expect_err("online");
    assert_eq!(
        refusal.to_string(),
        "Stop the connector before redeploying it."
    );
}

#[test]
fn redeploy_to_the_same_environment_is_refused() {
    let refused = Lifecycle::apply(
        &in_state(ConnectorStatus::Stopped),
        Action::Redeploy(Environment::Demo),
        &OPERATOR,
        Millis(0),
    );
    assert_eq!(
        refused,
        Err(Refused::SameEnvironment {
            environment: Environment::Demo
        })
    );
}

#[test]
fn deploying_into_production_needs_the_permission() {
    let developer = Context {
        agent_active: true,
        permissions: Permissions::default(),
    };
    let stopped = in_state(ConnectorStatus::Stopped);
    assert_eq!(
        Lifecycle::apply(
            &stopped,
            Action::Redeploy(Environment::Production),
            &developer,
            Millis(0)
        ),
        Err(Refused::NoProductionRights)
    );
    let mut to_production = stopped.settings.clone();
    to_production.environment = Environment::Production;
    assert_eq!(
        Lifecycle::apply(
            &stopped,
            Action::Edit(Box::new(to_production)),
            &developer,
            Millis(0)
        ),
        Err(Refused::NoProductionRights)
    );
    assert!(
        Refused::NoProductionRights
            .to_string()
            .contains("Bot Status Access")
    );
}

#[test]
fn every_action_kind_has_the_spec_label() {
    let labels: Vec<_> = ActionKind::ALL.iter().map(|k| k.label()).collect();
    for expected in [
        "Restart Agents",
        "Start Agent",
        "Stop Agent",
        "Re-deploy Agent",
        "Delete",
    ] {
        assert!(labels.contains(&expected), "{expected}");
    }
}

#[test]
fn actions_travel_as_json() {
    let action = Action::Redeploy(Environment::Production);
    let json = serde_json::to_string(&action).expect("serializes");
    assert_eq!(
        serde_json::from_str::<Action>(&json).expect("parses"),
        action
    );
    let refused = Refused::MustBeStopped {
        action: ActionKind::Delete,
    };
    let json = serde_json::to_string(&refused).expect("serializes");
    assert_eq!(
        serde_json::from_str::<Refused>(&json).expect("parses"),
        refused
    );
}

mod adding {
    use super::*;
    use crate::settings::{AgentDirectory, AgentUser, Field, SettingsDraft};

    fn directory() -> AgentDirectory {
        let user = |name: &str, enabled: bool, by: &str| AgentUser {
            account: "111".into(),
            login_name: name.into(),
            enabled,
            created_by: by.into(),
        };
        AgentDirectory::new(
            vec![
                user("mine", true, "me"),
                user("off", false, "me"),
                user("theirs", true, "them"),
            ],
            vec!["111".into()],
        )
    }

    fn settings(agent: &str, environment: Environment) -> ConnectorSettings {
        SettingsDraft {
            account: "111".into(),
            agent_user_id: agent.into(),
            environment,
            ..SettingsDraft::default()
        }
        .parse()
        .settings
        .expect("valid")
    }

    #[test]
    fn a_valid_connector_of_your_own_bot_user_may_be_added() {
        let s = settings("mine", Environment::Production);
        assert_eq!(
            Lifecycle::check_add(&s, &directory(), "me", Permissions::OPERATOR),
            Ok(())
        );
    }

    #[test]
    fn a_disabled_agent_is_refused_at_its_field() {
        let s = settings("off", Environment::Demo);
        let Err(Refused::InvalidSettings { problems }) =
            Lifecycle::check_add(&s, &directory(), "me", Permissions::OPERATOR)
        else {
            panic!("refused");
        };
        assert_eq!(problems[0].field, Field::AgentUserId);
    }

    #[test]
    fn production_needs_the_right_and_someone_elses_user_answers_401() {
        let dir = directory();
        assert_eq!(
            Lifecycle::check_add(
                &settings("mine", Environment::Production),
                &dir,
                "me",
                Permissions::BOT_DEVELOPER
            ),
            Err(Refused::NoProductionRights)
        );
        let refused = Lifecycle::check_add(
            &settings("theirs", Environment::Demo),
            &dir,
            "me",
            Permissions::OPERATOR,
        )
        .expect_err("401");
        assert_eq!(
            refused,
            Refused::Unauthorized {
                agent: "theirs".into()
            }
        );
        let text = refused.to_string();
        assert!(text.starts_with("401 unauthorized"));
        assert!(text.contains("creator of the bot user"));
    }

    #[test]
    fn an_edit_that_keeps_its_agent_needs_no_directory_check() {
        let dir = directory();
        let before = settings("theirs", Environment::Demo);
        let mut after = before.clone();
        after.role = Role::Manager;
        assert_eq!(
            Lifecycle::check_edit(&before, &after, &dir, "me", Permissions::OPERATOR),
            Ok(())
        );
        after.agent_user_id = "off".into();
        assert!(matches!(
            Lifecycle::check_edit(&before, &after, &dir, "me", Permissions::OPERATOR),
            Err(Refused::InvalidSettings { .. })
        ));
    }
}

#[test]
fn every_change_to_a_production_connector_needs_the_production_right() {
    let developer = Context {
        agent_active: true,
        permissions: Permissions::BOT_DEVELOPER,
    };
    for status in [
        ConnectorStatus::ReadyToStart,
        ConnectorStatus::Starting,
        ConnectorStatus::Online,
        ConnectorStatus::NotConnected,
        ConnectorStatus::Stopped,
    ] {
        let mut production = in_state(status);
        production.settings.environment = Environment::Production;
        for kind in ActionKind::ALL {
            assert_eq!(
                Lifecycle::permits(&production, kind, &developer),
                Err(Refused::NoProductionRights),
                "{kind:?} of a {status:?} Production connector"
            );
        }
        // The same connector in Demo is the developer's to manage.
        let demo = in_state(status);
        let allowed = ActionKind::ALL
            .into_iter()
            .filter(|k| Lifecycle::permits(&demo, *k, &developer).is_ok())
            .count();
        assert!(allowed > 0, "{status:?} in Demo allows nothing");
    }
    // Moving out of Production is a change to Production too.
    let mut stopped = in_state(ConnectorStatus::Stopped);
    stopped.settings.environment = Environment::Production;
    assert_eq!(
        Lifecycle::apply(
            &stopped,
            Action::Redeploy(Environment::Demo),
            &developer,
            Millis(0)
        ),
        Err(Refused::NoProductionRights)
    );
    let mut to_demo = stopped.settings.clone();
    to_demo.environment = Environment::Demo;
    assert_eq!(
        Lifecycle::apply(
            &stopped,
            Action::Edit(Box::new(to_demo)),
            &developer,
            Millis(0)
        ),
        Err(Refused::NoProductionRights)
    );
    assert_eq!(
        Lifecycle::apply(&stopped, Action::Delete, &developer, Millis(0)),
        Err(Refused::NoProductionRights)
    );
}

#[test]
fn a_full_fleet_refuses_the_next_connector_with_its_limit() {
    let message = Refused::FleetFull { limit: 100_000 }.to_string();
    assert!(message.contains("100,000 connectors"), "{message}");
}

#[test]
fn a_kind_that_needs_nothing_more_is_its_action_and_a_redeploy_goes_elsewhere() {
    assert_eq!(ActionKind::Stop.action(), Some(Action::Stop));
    assert_eq!(ActionKind::Delete.action(), Some(Action::Delete));
    assert_eq!(ActionKind::Redeploy.action(), None);
    assert_eq!(ActionKind::Edit.action(), None);
    assert_eq!(
        redeploy_target(Some(Environment::Production)),
        Environment::Demo
    );
    assert_eq!(
        redeploy_target(Some(Environment::Demo)),
        Environment::Production
    );
    assert_eq!(redeploy_target(None), Environment::Production);
}

#[test]
fn every_refusal_reads_back_as_written_with_its_reason_anywhere() {
    use crate::config::Severity;
    use crate::settings::Field;
    for refused in [
        Refused::AlreadyOnline,
        Refused::AlreadyStarting,
        Refused::AlreadyStopped,
        Refused::NeverStarted,
        Refused::NotRunning,
        Refused::MustBeStopped {
            action: ActionKind::Redeploy,
        },
        Refused::AgentInactive,
        Refused::SameEnvironment {
            environment: Environment::Demo,
        },
        Refused::NoProductionRights,
        Refused::Gone,
        Refused::FleetFull { limit: 100_000 },
        Refused::InvalidSettings {
            problems: vec![SettingsProblem {
                field: Field::AgentUserId,
                severity: Severity::Error,
                message: "Enter the bot agent user ID.".to_owned(),
            }],
        },
        Refused::Unauthorized {
            agent: "colleague-bot-1".to_owned(),
        },
    ] {
        crate::tagged::tests::reads_back(&refused);
    }
    let err = serde_json::from_str::<Refused>(r#"{"reason": "FleetFull"}"#).expect_err("no limit");
    assert!(err.to_string().contains("missing field `limit`"), "{err}");
}
