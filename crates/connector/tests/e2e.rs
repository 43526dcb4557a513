//! End to end on loopback: the reference server (in this process), the testbed (in this
//! process) and real `bots-status-connector` processes, each stopped by its id at the end.
//! Every wait is bounded.

#![allow(clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use bots_status_core::ConnectorState;
use bots_status_core::config::ConfigEntry;
use bots_status_core::model::ConversationType;
use bots_status_core::status::{ConnectorStatus, LinkHealth};
use bots_status_core::troubleshooting::Problem;
use common::{WAIT, World, online_with, status};
use serde_json::json;

#[tokio::test]
async fn real_connectors_follow_their_orders_and_report_what_their_servers_do() {
    let world = World::start().await;
    let accounts = ["31487985", "70071528"];
    let (a, token_a) = world
        .add("spare-bot-0-0", accounts[0], ConversationType::Messaging)
        .await;
    let (b, token_b) = world
        .add("spare-bot-1-0", accounts[1], ConversationType::Messaging)
        .await;
    let (c, token_c) = world
        .add("spare-bot-0-1", accounts[0], ConversationType::Chat)
        .await;
    let mut processes = vec![
        world.spawn(&token_a),
        world.spawn(&token_b),
        world.spawn(&token_c),
    ];
    for id in [a, b, c] {
        world.act(id, "start").await;
    }

    // All three come Online with the conversations the testbed assigns.
    world
        .until(&[a, b, c], "three Online connectors", |c| {
            online_with(LinkHealth::Up, true)(c) && c.concurrent_conversations == 2
        })
        .await;
    assert_eq!(
        world.connections().await.len(),
        2,
        "the two Messaging ones hold a socket"
    );

    // The messaging server goes down: the Messaging connectors' Conversational Cloud is Not
    // Connected; it stays so when the server is back, until they are restarted.
    world.set("messaging", "down").await;
    world
        .until(
            &[a, b],
            "messaging dropped",
            online_with(LinkHealth::Down, true),
        )
        .await;
    assert!(
        online_with(LinkHealth::Up, true)(&world.connector(c).await),
        "Chat is not on it"
    );
    world.set("messaging", "up").await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for id in [a, b] {
        assert!(
            online_with(LinkHealth::Down, true)(&world.connector(id).await),
            "a dropped messaging connection waits for a restart"
        );
    }
    world.act(a, "restart").await;
    world.act(b, "restart").await;
    world
        .until(
            &[a, b],
            "reconnected by the restart",
            online_with(LinkHealth::Up, true),
        )
        .await;

    // The bot server goes down and back: Bot Server follows, on every connector.
    world.set("bot", "down").await;
    world
        .until(&[a, b, c], "bot server down", |c| {
            matches!(c.state, ConnectorState::Online { links } if !links.bot_server.is_connected())
        })
        .await;
    world.set("bot", "up").await;
    world
        .until(
            &[a, b, c],
            "bot server back",
            online_with(LinkHealth::Up, true),
        )
        .await;

    // Stop: the process closes its connection and says Stopped, keeping its conversations.
    world.act(a, "stop").await;
    world
        .until(&[a], "stopped", status(ConnectorStatus::Stopped))
        .await;
    let deadline = Instant::now() + WAIT;
    while world
        .connections()
        .await
        .iter()
        .any(|c| c["agent"] == "spare-bot-0-0")
    {
        assert!(
            Instant::now() < deadline,
            "the stopped process closed its socket"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // An edit of the stopped connector's custom configuration reaches the process at its
    // next start: it tells the messaging server what it runs with.
    let stopped = world.connector(a).await;
    let mut settings = stopped.settings.clone();
    settings.advanced.custom_config = vec![ConfigEntry::new("messageDelay", "1500")];
    let (code, body) = world
        .call(
            reqwest::Method::PUT,
            &format!("/connectors/{a}"),
            Some(json!({"version": stopped.version, "settings": settings})),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    world.act(a, "start").await;
    world
        .until(&[a], "started again", online_with(LinkHealth::Up, true))
        .await;
    let said = world.connections().await;
    let runs_with = said
        .iter()
        .find(|c| c["agent"] == "spare-bot-0-0")
        .map(|c| c["config"].clone())
        .expect("connected again");
    assert_eq!(
        runs_with,
        json!([{"key": "messageDelay", "value": "1500"}]),
        "{said:?}"
    );

    // kill -9: three heartbeats later it is Not Connected, "No report since"; a new process
    // with the same token brings it back without a restart.
    let killed = processes.remove(1);
    drop(killed);
    world
        .until(&[b], "no report", |c| {
            matches!(
                c.state,
                ConnectorState::NotConnected {
                    problem: Problem::NoReport { .. },
                    ..
                }
            )
        })
        .await;
    let _again = world.spawn(&token_b);
    world
        .until(&[b], "Online again", online_with(LinkHealth::Up, true))
        .await;
    drop(processes);
    world.server.stop().await;
}

#[tokio::test]
async fn a_refused_login_is_reported_with_its_problem_and_waits_for_a_restart() {
    let world = World::start().await;
    let (a, token) = world
        .add("spare-bot-0-1", "31487985", ConversationType::Messaging)
        .await;
    let response = world
        .client
        .put(format!("http://{}/admin/logins", world.testbed.addr))
        .json(&json!({"refuse": ["spare-bot-0-1"]}))
        .send()
        .await
        .expect("the testbed answers");
    assert_eq!(response.status().as_u16(), 204);
    let _process = world.spawn(&token);
    world.act(a, "start").await;
    world
        .until(&[a], "401", |c| {
            matches!(
                c.state,
                ConnectorState::NotConnected {
                    problem: Problem::Unauthorized,
                    ..
                }
            )
        })
        .await;
    // The login is let in again; the connector waits for its restart, then is Online.
    let response = world
        .client
        .put(format!("http://{}/admin/logins", world.testbed.addr))
        .json(&json!({}))
        .send()
        .await
        .expect("the testbed answers");
    assert_eq!(response.status().as_u16(), 204);
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(
        world.connector(a).await.state.status(),
        ConnectorStatus::NotConnected
    );
    world.act(a, "restart").await;
    world
        .until(&[a], "Online", online_with(LinkHealth::Up, true))
        .await;
    // Deleted: the process is told it is gone, and ends by itself.
    world.act(a, "stop").await;
    world
        .until(&[a], "stopped", status(ConnectorStatus::Stopped))
        .await;
    let (code, _) = world
        .call(reqwest::Method::DELETE, &format!("/connectors/{a}"), None)
        .await;
    assert_eq!(code, 204);
    let mut process = _process;
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(exit) = process.0.try_wait().expect("the process") {
            assert!(exit.success(), "{exit:?}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the process ends once its connector is gone"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    world.server.stop().await;
}
