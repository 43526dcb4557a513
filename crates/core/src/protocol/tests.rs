use super::*;
use crate::access::Persona;
use crate::fleet::tests_support::{connector, with_state};
use crate::lifecycle::{Action, Context, Lifecycle};
use crate::model::{ConnectorId, Environment};
use crate::simulator::Simulator;
use crate::troubleshooting::Component;

const HB: u64 = HEARTBEAT_MS;

fn ctx() -> Context {
    Context {
        agent_active: true,
        permissions: Persona::Administrator.permissions(),
    }
}

/// A Messaging connector a process plays, in run 1, in `state`.
fn played(state: ConnectorState) -> Connector {
    let c = with_state(connector(1, "b", Environment::Production, 0), state);
    hand_over(&c).expect("a simulated connector is handed over")
}

fn online_links() -> Links {
    Links {
        cloud: CloudConnection::Messaging(MessagingLink::Connected),
        bot_server: BotServerConnection::Connected,
    }
}

fn report(status: ReportedStatus, cloud: CloudReport, conversations: u32) -> Report {
    Report {
        generation: 1,
        status,
        cloud: Some(cloud),
        bot_server: Some(BotServerReport::Connected),
        conversations,
        problem: None,
    }
}

fn applied(c: &Connector, action: Action) -> Connector {
    match Lifecycle::apply(c, action, &ctx(), Millis(5_000)).expect("allowed") {
        crate::lifecycle::Applied::Changed(next) => *next,
        crate::lifecycle::Applied::Deleted(_) => panic!("deleted"),
    }
}

#[test]
fn a_start_and_a_restart_begin_a_new_run_and_a_stop_ends_it() {
    let c = played(ConnectorState::Stopped);
    assert_eq!(c.reported, Some(Reported { generation: 1 }));
    assert_eq!(hand_over(&c), None, "handed over once");
    let desired = Desired::of(&c, HB).expect("a played connector has orders");
    assert!(!desired.run);
    let started = applied(&c, Action::Start);
    let desired = Desired::of(&started, HB).expect("orders");
    assert!(desired.run);
    assert_eq!(desired.generation, 2);
    assert_eq!(desired.settings, c.settings);
    let restarted = applied(&started, Action::Restart);
    assert_eq!(Desired::of(&restarted, HB).map(|d| d.generation), Some(3));
    let stopped = applied(&restarted, Action::Stop);
    let desired = Desired::of(&stopped, HB).expect("orders");
    assert!(!desired.run);
    assert_eq!(desired.generation, 3, "a stop begins no run");
    let simulated = connector(2, "b", Environment::Demo, 0);
    assert_eq!(Desired::of(&simulated, HB), None);
}

#[test]
fn an_edit_of_a_stopped_connector_reaches_the_process_with_its_next_run() {
    let c = played(ConnectorState::Stopped);
    let mut settings = c.settings.clone();
    settings.advanced.accessibility = true;
    let edited = applied(&c, Action::Edit(Box::new(settings.clone())));
    let desired = Desired::of(&edited, HB).expect("orders");
    assert_eq!(desired.generation, 1, "saved, not yet started");
    let started = applied(&edited, Action::Start);
    let desired = Desired::of(&started, HB).expect("orders");
    assert_eq!((desired.run, desired.generation), (true, 2));
    assert_eq!(desired.settings, settings);
}

#[test]
fn a_report_of_the_current_run_becomes_the_connectors_statuses() {
    let c = played(ConnectorState::Online {
        links: online_links(),
    });
    let starting = report(ReportedStatus::Starting, CloudReport::NotConnected, 0);
    let next = apply_report(&c, &starting, Millis(9_000))
        .expect("taken")
        .expect("changed");
    assert!(matches!(
        next.state,
        ConnectorState::Starting {
            since: Millis(9_000),
            ..
        }
    ));
    assert_eq!(next.version, c.version + 1);
    let online = report(ReportedStatus::Online, CloudReport::Connected, 4);
    let next = apply_report(&next, &online, Millis(10_000))
        .expect("taken")
        .expect("changed");
    assert_eq!(
        next.state,
        ConnectorState::Online {
            links: online_links()
        }
    );
    assert_eq!(next.concurrent_conversations, 4);
    assert_eq!(
        apply_report(&next, &online, Millis(20_000)),
        Ok(None),
        "a heartbeat that confirms what is known changes nothing"
    );
    let busier = report(ReportedStatus::Online, CloudReport::Connected, 7);
    let after = apply_report(&next, &busier, Millis(21_000))
        .expect("taken")
        .expect("changed");
    assert_eq!(
        change(&next, after.clone()),
        Change::Load {
            id: after.id,
            version: after.version,
            conversations: 7
        },
        "a change of the load alone is sent as a load update"
    );
    let failed = Report {
        problem: Some(Problem::FailedConnection {
            component: Component::BotServer,
        }),
        bot_server: Some(BotServerReport::NotConnected),
        ..report(ReportedStatus::NotConnected, CloudReport::Connected, 0)
    };
    let down = apply_report(&after, &failed, Millis(22_000))
        .expect("taken")
        .expect("changed");
    assert!(matches!(change(&after, down.clone()), Change::Connector(_)));
    assert_eq!(
        crate::troubleshooting::diagnose(&down.state),
        vec![Problem::FailedConnection {
            component: Component::BotServer
        }]
    );
}

#[test]
fn a_value_the_conversation_type_cannot_have_is_refused_with_the_values_it_can() {
    let mut c = played(ConnectorState::Starting {
        since: Millis(0),
        links: Links::fresh(ConversationType::Messaging),
    });
    let wrong = report(ReportedStatus::Online, CloudReport::Online, 0);
    let refused = apply_report(&c, &wrong, Millis(1)).expect_err("Online is a Chat value");
    assert_eq!(
        refused.to_string(),
        "A Messaging connector reports its Conversational Cloud link as Connected, Not Connected or Away, not \"Online\"."
    );
    c.settings.conversation_type = ConversationType::Chat;
    let wrong = report(ReportedStatus::Online, CloudReport::Connected, 0);
    assert_eq!(
        apply_report(&c, &wrong, Millis(1)).map_err(|e| e.to_string()),
        Err("A Chat connector reports its Conversational Cloud link as Online, Offline or Away, not \"Connected\".".to_owned())
    );
    let dropped = Report {
        problem: Some(Problem::MessagingConnectionDropped),
        ..report(ReportedStatus::NotConnected, CloudReport::Offline, 0)
    };
    assert_eq!(
        apply_report(&c, &dropped, Millis(1)),
        Err(ReportRefused::NoMessagingConnection)
    );
    let right = report(ReportedStatus::Online, CloudReport::Away, 0);
    let next = apply_report(&c, &right, Millis(1))
        .expect("taken")
        .expect("changed");
    assert_eq!(
        next.state.links().map(|l| l.cloud),
        Some(CloudConnection::Chat(ChatLink::Away))
    );
}

#[test]
fn a_report_that_breaks_a_rule_is_refused_with_the_reason() {
    let c = played(ConnectorState::Online {
        links: online_links(),
    });
    let at = Millis(1);
    let stale = Report {
        generation: 0,
        ..report(ReportedStatus::Online, CloudReport::Connected, 0)
    };
    assert_eq!(
        apply_report(&c, &stale, at),
        Err(ReportRefused::WrongGeneration {
            reported: 0,
            current: 1
        })
    );
    let half = Report {
        bot_server: None,
        ..report(ReportedStatus::Online, CloudReport::Connected, 0)
    };
    assert_eq!(
        apply_report(&c, &half, at),
        Err(ReportRefused::MissingLinks(ReportedStatus::Online))
    );
    let unexplained = report(ReportedStatus::NotConnected, CloudReport::NotConnected, 0);
    assert_eq!(
        apply_report(&c, &unexplained, at),
        Err(ReportRefused::MissingProblem)
    );
    let odd = Report {
        problem: Some(Problem::Unauthorized),
        ..report(ReportedStatus::Online, CloudReport::Connected, 0)
    };
    assert_eq!(
        apply_report(&c, &odd, at),
        Err(ReportRefused::UnexpectedProblem(ReportedStatus::Online))
    );
    let forged = Report {
        problem: Some(Problem::NoReport { since: Millis(0) }),
        ..report(ReportedStatus::NotConnected, CloudReport::NotConnected, 0)
    };
    assert_eq!(
        apply_report(&c, &forged, at),
        Err(ReportRefused::ServerOnlyProblem)
    );
    let crowd = report(
        ReportedStatus::Online,
        CloudReport::Connected,
        MAX_REPORTED_CONVERSATIONS + 1,
    );
    assert_eq!(
        apply_report(&c, &crowd, at).map_err(|e| e.to_string()),
        Err("100,001 conversations is more than a report may claim (100,000).".to_owned())
    );
    assert_eq!(
        apply_report(
            &c,
            &report(ReportedStatus::Stopped, CloudReport::Connected, 0),
            at
        ),
        Err(ReportRefused::ShouldRun)
    );
    let simulated = connector(2, "b", Environment::Demo, 0);
    assert_eq!(
        apply_report(
            &simulated,
            &report(ReportedStatus::Stopped, CloudReport::Connected, 0),
            at
        ),
        Err(ReportRefused::NotReported(ConnectorId(2)))
    );
}

#[test]
fn a_stopped_connector_takes_only_stopped_reports() {
    let c = played(ConnectorState::Stopped);
    let online = report(ReportedStatus::Online, CloudReport::Connected, 0);
    assert_eq!(
        apply_report(&c, &online, Millis(1)).map_err(|e| e.to_string()),
        Err(
            "The connector is to be stopped: close its connections and report Stopped, not Online."
                .to_owned()
        )
    );
    let stopped = Report {
        cloud: None,
        bot_server: None,
        ..report(ReportedStatus::Stopped, CloudReport::Connected, 0)
    };
    assert_eq!(apply_report(&c, &stopped, Millis(1)), Ok(None));
    let never = played(ConnectorState::ReadyToStart);
    assert_eq!(apply_report(&never, &stopped, Millis(1)), Ok(None));
}

#[test]
fn a_dropped_messaging_connection_stays_dropped_until_the_next_run() {
    let c = played(ConnectorState::Online {
        links: online_links(),
    });
    let dropped = apply_report(
        &c,
        &report(ReportedStatus::Online, CloudReport::NotConnected, 0),
        Millis(1),
    )
    .expect("taken")
    .expect("changed");
    let back = report(ReportedStatus::Online, CloudReport::Connected, 0);
    assert_eq!(
        apply_report(&dropped, &back, Millis(2)),
        Err(ReportRefused::DroppedStaysDropped)
    );
    let restarted = applied(&dropped, Action::Restart);
    let back = Report {
        generation: 2,
        ..back
    };
    let next = apply_report(&restarted, &back, Millis(6_000))
        .expect("taken")
        .expect("changed");
    assert_eq!(
        next.state,
        ConnectorState::Online {
            links: online_links()
        }
    );
}

#[test]
fn a_silent_process_is_not_connected_after_three_heartbeats_and_an_untaken_start_after_the_pickup_time()
 {
    let c = played(ConnectorState::Online {
        links: online_links(),
    });
    let heard = Millis(100_000);
    let limit = heard.plus(SILENT_HEARTBEATS * HB);
    assert_eq!(silence(&c, heard, limit, HB), None, "in time");
    let silent = silence(&c, heard, limit.plus(1), HB).expect("timed out");
    assert_eq!(
        silent.state,
        ConnectorState::NotConnected {
            links: Links::fresh(ConversationType::Messaging),
            problem: Problem::NoReport { since: heard },
        }
    );
    assert_eq!(silent.version, c.version + 1);
    assert_eq!(
        silence(&silent, heard, limit.plus(HB * 100), HB),
        None,
        "once"
    );

    let start = Millis(200_000);
    let starting = played(ConnectorState::Starting {
        since: start,
        links: Links::fresh(ConversationType::Messaging),
    });
    let pickup = start.plus(PICKUP_HEARTBEATS * HB);
    assert_eq!(
        silence(&starting, heard, pickup, HB),
        None,
        "a start may take a few minutes"
    );
    let untaken = silence(&starting, heard, pickup.plus(1), HB).expect("timed out");
    assert!(matches!(
        untaken.state,
        ConnectorState::NotConnected {
            problem: Problem::NoReport { since },
            ..
        } if since == start
    ));
    let taken_up = start.plus(1_000);
    assert!(
        silence(
            &starting,
            taken_up,
            taken_up.plus(SILENT_HEARTBEATS * HB + 1),
            HB
        )
        .is_some(),
        "a process that took the start up and fell silent is allowed heartbeats, not minutes"
    );
    let simulated = connector(3, "b", Environment::Demo, 0);
    assert_eq!(silence(&simulated, Millis(0), Millis(u64::MAX), HB), None);
}

#[test]
fn the_simulator_leaves_a_played_connector_to_its_process() {
    let mut sim = Simulator::new(11, 40, Millis(0));
    let id = sim
        .connectors()
        .iter()
        .find(|c| {
            matches!(
                c.state,
                ConnectorState::Stopped | ConnectorState::ReadyToStart
            )
        })
        .map(|c| c.id)
        .expect("a stopped connector");
    let before = sim.connector(id).cloned().expect("there");
    let handed = hand_over(&before).expect("handed over");
    assert!(matches!(sim.replace(handed), Some(Change::Connector(_))));
    let perms = Persona::Administrator.permissions();
    let started = sim.act(id, Action::Start, perms, Millis(1_000));
    assert!(started.is_ok(), "{started:?}");
    sim.advance_to(Millis(3_600_000));
    let after = sim.connector(id).expect("there");
    assert!(
        matches!(after.state, ConnectorState::Starting { .. }),
        "only its process settles its start: {:?}",
        after.state
    );
    assert_eq!(after.reported, Some(Reported { generation: 2 }));
    assert_eq!(after.concurrent_conversations, 0, "nor is it given load");
}

#[test]
fn a_report_reads_from_the_protocols_json_and_nothing_else() {
    let report: Report = serde_json::from_str(
        r#"{"generation":2,"status":"NotConnected","cloud":"Not Connected","botServer":"Connected","conversations":0,"problem":{"kind":"FailedConnection","component":"ConversationalCloud"}}"#,
    )
    .expect("the documented shape");
    assert_eq!(report.cloud, Some(CloudReport::NotConnected));
    assert_eq!(
        report.problem,
        Some(Problem::FailedConnection {
            component: Component::ConversationalCloud
        })
    );
    let heartbeat: Report = serde_json::from_str(r#"{"generation":1,"status":"Stopped"}"#)
        .expect("a stopped process's heartbeat");
    assert_eq!(heartbeat.conversations, 0);
    assert!(
        serde_json::from_str::<Report>(r#"{"generation":1,"status":"Stopped","connector":9}"#)
            .is_err(),
        "a field the protocol does not have is refused, not ignored"
    );
}

#[test]
fn a_silence_is_titled_with_the_time_of_the_last_report() {
    let p = Problem::NoReport {
        since: Millis((10 * 3600 + 42 * 60 + 5) * 1000),
    };
    assert_eq!(p.title(), "No report from the connector since 10:42:05 UTC");
    assert_eq!(
        p.title_with(&|_| "10:42:05".to_owned()),
        "No report from the connector since 10:42:05"
    );
    assert!(p.remedy().contains("connector token"));
}
