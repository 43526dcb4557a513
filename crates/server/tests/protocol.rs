//! The connector protocol over real HTTP: connector tokens, orders, reports and silence.

#![allow(clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use bots_status_core::model::{Connector, ConversationType};
use bots_status_core::status::ConnectorStatus;
use bots_status_server::Config;
use common::{
    ADMIN, Api, DEVELOPER, Stream, act, config, db_bytes, error, hold_write_lock, start, temp_db,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn issue(api: &Api, id: u64) -> String {
    let (status, body) = api
        .post(&format!("/connectors/{id}/token"), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["connector"], id, "{body}");
    let token = body["token"].as_str().expect("a token").to_owned();
    assert!(token.starts_with("bsc_") && token.len() == 68, "{token}");
    token
}

async fn report(api: &Api, token: &str, body: Value) -> (StatusCode, Value) {
    api.call(Method::POST, "/connector/report", token, Some(body))
        .await
}

async fn desired(api: &Api, token: &str) -> (StatusCode, Value) {
    api.call(Method::GET, "/connector/desired", token, None)
        .await
}

async fn connector(api: &Api, id: u64) -> Connector {
    let (status, body) = api.get(&format!("/connectors/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("a connector")
}

/// The words of `ct`'s Conversational Cloud link when it is up, and a word it cannot have.
fn cloud_words(ct: ConversationType) -> (&'static str, &'static str) {
    match ct {
        ConversationType::Messaging => ("Connected", "Online"),
        ConversationType::Chat => ("Online", "Connected"),
    }
}

fn online(generation: u64, ct: ConversationType, conversations: u32) -> Value {
    json!({
        "generation": generation,
        "status": "Online",
        "cloud": cloud_words(ct).0,
        "botServer": "Connected",
        "conversations": conversations,
    })
}

fn starting(generation: u64) -> Value {
    json!({"generation": generation, "status": "Starting", "cloud": "Away", "botServer": "Not Connected"})
}

/// Waits, bounded, until connector `id` is as `done` says.
async fn until(api: &Api, id: u64, what: &str, done: impl Fn(&Connector) -> bool) -> Connector {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let c = connector(api, id).await;
        if done(&c) {
            return c;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {c:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn orders(api: &Api, token: &str) -> Stream {
    let response = api
        .client
        .get(format!("{}/connector/orders", api.base))
        .bearer_auth(token)
        .send()
        .await
        .expect("the orders stream");
    assert_eq!(response.status(), StatusCode::OK);
    Stream {
        response,
        buffer: String::new(),
        last: 0,
    }
}

async fn next_order(stream: &mut Stream) -> (String, Value) {
    let event = stream.next().await.expect("an order");
    (
        event.kind,
        serde_json::from_str(&event.data).expect("an order's JSON"),
    )
}

fn no_report_since(c: &Connector) -> bool {
    matches!(
        c.state,
        bots_status_core::ConnectorState::NotConnected {
            problem: bots_status_core::troubleshooting::Problem::NoReport { .. },
            ..
        }
    )
}

#[tokio::test]
async fn a_connector_token_reports_for_its_connector_and_opens_nothing_else() {
    let (_server, api) = start(config()).await;
    let played = api.first(ConnectorStatus::Stopped).await;
    let other = api.first(ConnectorStatus::Online).await;
    let (id, ct) = (played.id.0, played.conversation_type());

    let (status, body) = api
        .call(
            Method::POST,
            format!("/connectors/{id}/token"),
            DEVELOPER,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        error(&body).message.contains("Only an administrator"),
        "{body}"
    );
    let token = issue(&api, id).await;
    let handed = connector(&api, id).await;
    assert_eq!(handed.reported.map(|r| r.generation), Some(1));
    assert_eq!(handed.state, played.state, "a hand-over keeps the state");

    // Nothing but the protocol's paths opens with it.
    for (method, path) in [
        (Method::GET, "/connectors".to_owned()),
        (Method::GET, format!("/connectors/{id}")),
        (Method::POST, format!("/connectors/{}/actions", other.id.0)),
        (Method::POST, format!("/connectors/{id}/actions")),
        (Method::POST, format!("/connectors/{id}/token")),
        (Method::GET, "/history".to_owned()),
        (Method::GET, "/admin/faults".to_owned()),
        (Method::POST, "/admin/clock".to_owned()),
        (Method::GET, "/session".to_owned()),
    ] {
        let (status, body) = api
            .call(
                method.clone(),
                path.clone(),
                &token,
                Some(json!({"action": "stop"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
        assert!(
            error(&body)
                .message
                .contains("connector token only reports"),
            "{body}"
        );
    }
    let stream = api
        .client
        .get(format!("{}/events?access_token={token}", api.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(stream.status(), StatusCode::FORBIDDEN);
    // An operator's token does not report.
    let (status, _) = report(&api, ADMIN, online(1, ct, 0)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, orders) = desired(&api, &token).await;
    assert_eq!(status, StatusCode::OK, "{orders}");
    assert_eq!(orders["connector"], id);
    assert_eq!(orders["run"], false);
    assert_eq!(orders["generation"], 1);
    assert_eq!(
        orders["settings"]["agent_user_id"],
        played.settings.agent_user_id
    );

    let (status, body) = report(&api, &token, online(1, ct, 0)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(error(&body).message.contains("is to be stopped"), "{body}");

    act(&api, id, "start").await;
    let (_, orders) = desired(&api, &token).await;
    assert_eq!(
        (orders["run"].as_bool(), orders["generation"].as_u64()),
        (Some(true), Some(2))
    );

    let mut wrong = online(2, ct, 0);
    wrong["cloud"] = json!(cloud_words(ct).1);
    let (status, body) = report(&api, &token, wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let said = error(&body).message;
    assert!(
        said.contains(&format!("A {} connector", ct.label()))
            && said.contains(&format!("not \"{}\"", cloud_words(ct).1)),
        "{said}"
    );
    let (status, body) = report(&api, &token, online(1, ct, 0)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(error(&body).message.contains("current run is 2"), "{body}");
    let (status, body) = report(
        &api,
        &token,
        json!({"generation": 2, "status": "Online", "connector": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, body) = report(&api, &token, starting(2)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["changed"], true);
    let (status, body) = report(&api, &token, online(2, ct, 3)).await;
    assert_eq!(
        (status, body["changed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    assert_eq!(
        body["desired"]["run"], true,
        "the answer carries the orders"
    );
    let now = connector(&api, id).await;
    assert_eq!(now.state.status(), ConnectorStatus::Online);
    assert_eq!(now.concurrent_conversations, 3);
    let (status, body) = report(&api, &token, online(2, ct, 3)).await;
    assert_eq!(
        (status, body["changed"].as_bool()),
        (StatusCode::OK, Some(false)),
        "a heartbeat"
    );

    // A new token replaces the old one.
    let newer = issue(&api, id).await;
    let (status, body) = desired(&api, &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(
        error(&body).message.contains("replaced by a newer one"),
        "{body}"
    );
    assert_eq!(desired(&api, &newer).await.0, StatusCode::OK);
    assert_eq!(
        connector(&api, id).await.reported.map(|r| r.generation),
        Some(2),
        "the run goes on"
    );
    let (status, _) = desired(&api, "bsc_0000").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = desired(&api, "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The history has who handed it over and what the process reported; the metrics count
    // the reports.
    let (_, history) = api.get(&format!("/history?connector={id}&limit=100")).await;
    let entries = history["entries"].as_array().expect("entries");
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "issue-token" && e["actor"] == "unnamed admin token"),
        "{history}"
    );
    assert!(
        entries
            .iter()
            .any(|e| e["component"] == "connector" && e["to"] == "Online"),
        "{history}"
    );
    let metrics = api
        .client
        .get(format!("{}/metrics", api.base.trim_end_matches("/api/v1")))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let count = |result: &str| -> f64 {
        metrics
            .lines()
            .find(|l| l.starts_with(&format!("bots_status_reports_total{{result=\"{result}\"}}")))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {result} reports in {metrics}"))
    };
    assert_eq!(count("accepted"), 3.0, "{metrics}");
    assert_eq!(count("refused"), 3.0, "{metrics}");
}

#[tokio::test]
async fn orders_stream_as_they_change_and_a_silent_process_is_not_connected_until_it_reports_again()
{
    let (_server, api) = start(Config {
        heartbeat: Duration::from_millis(200),
        tick: Duration::from_millis(50),
        ..config()
    })
    .await;
    let played = api.first(ConnectorStatus::Stopped).await;
    let (id, ct) = (played.id.0, played.conversation_type());
    let token = issue(&api, id).await;
    let mut stream = orders(&api, &token).await;
    let (kind, order) = next_order(&mut stream).await;
    assert_eq!(
        (kind.as_str(), order["run"].as_bool()),
        ("desired", Some(false))
    );
    assert_eq!(order["heartbeatMs"], 200);

    act(&api, id, "start").await;
    let (kind, order) = next_order(&mut stream).await;
    assert_eq!(kind, "desired");
    assert_eq!(
        (order["run"].as_bool(), order["generation"].as_u64()),
        (Some(true), Some(2))
    );
    assert_eq!(report(&api, &token, starting(2)).await.0, StatusCode::OK);
    assert_eq!(
        report(&api, &token, online(2, ct, 1)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        connector(&api, id).await.state.status(),
        ConnectorStatus::Online
    );

    // The process falls silent: three heartbeats (600 ms) later the connector is Not
    // Connected, saying since when.
    let last = connector(&api, id).await;
    let silent = until(&api, id, "no report", no_report_since).await;
    let troubles = bots_status_core::troubleshooting::diagnose(&silent.state);
    assert!(
        troubles[0]
            .title()
            .starts_with("No report from the connector since "),
        "{troubles:?}"
    );
    assert!(silent.version > last.version);
    // The stream of changes the app reads has it too: no orders change (it is still to run).
    let (status, body) = desired(&api, &token).await;
    assert_eq!(
        (status, body["run"].as_bool()),
        (StatusCode::OK, Some(true))
    );

    // A process that comes back with the same token, in the same run, is Online again.
    assert_eq!(report(&api, &token, starting(2)).await.0, StatusCode::OK);
    assert_eq!(
        report(&api, &token, online(2, ct, 0)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        connector(&api, id).await.state.status(),
        ConnectorStatus::Online
    );

    act(&api, id, "stop").await;
    let (_, order) = next_order(&mut stream).await;
    assert_eq!(order["run"], false);
    let (status, body) = report(&api, &token, json!({"generation": 2, "status": "Stopped"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A stopped connector is not waited for.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        connector(&api, id).await.state.status(),
        ConnectorStatus::Stopped
    );

    // A start no process picks up stays Starting for the pickup time (18 heartbeats, 3.6 s
    // here), then is Not Connected since the start.
    act(&api, id, "start").await;
    let started = until(&api, id, "starting", |c| {
        c.state.status() == ConnectorStatus::Starting
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        connector(&api, id).await.state.status(),
        ConnectorStatus::Starting
    );
    let untaken = until(&api, id, "an untaken start", no_report_since).await;
    let bots_status_core::ConnectorState::Starting { since, .. } = started.state else {
        panic!("starting");
    };
    assert!(matches!(
        untaken.state,
        bots_status_core::ConnectorState::NotConnected {
            problem: bots_status_core::troubleshooting::Problem::NoReport { since: s },
            ..
        } if s == since
    ));

    // Deleted, the connector's orders end with "gone", and its token opens nothing.
    act(&api, id, "stop").await;
    let (status, body) = api
        .call(Method::DELETE, format!("/connectors/{id}"), ADMIN, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    loop {
        let (kind, _) = next_order(&mut stream).await;
        if kind == "gone" {
            break;
        }
    }
    assert_eq!(desired(&api, &token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_survive_a_restart_and_a_locked_database_issues_none_and_takes_no_report() {
    let (_dir, db) = temp_db();
    let settings = || Config {
        db: Some(db.clone()),
        ..config()
    };
    let (server, api) = start(settings()).await;
    let played = api.first(ConnectorStatus::Stopped).await;
    let (id, ct) = (played.id.0, played.conversation_type());
    let token = issue(&api, id).await;
    act(&api, id, "start").await;
    server.stop().await;

    let (server, api) = start(settings()).await;
    let (status, orders) = desired(&api, &token).await;
    assert_eq!(status, StatusCode::OK, "the token is kept: {orders}");
    assert_eq!(
        (orders["run"].as_bool(), orders["generation"].as_u64()),
        (Some(true), Some(2))
    );

    let lock = hold_write_lock(&db);
    let other = api.first(ConnectorStatus::Stopped).await;
    let (status, body) = api
        .post(&format!("/connectors/{}/token", other.id.0), json!({}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(error(&body).message.starts_with("Not done"), "{body}");
    let (status, body) = report(&api, &token, starting(2)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        connector(&api, id).await.state.status(),
        ConnectorStatus::Starting,
        "a report not saved changed nothing"
    );
    assert_eq!(
        connector(&api, other.id.0).await.reported,
        None,
        "nor was it handed over"
    );
    drop(lock);
    assert_eq!(report(&api, &token, starting(2)).await.0, StatusCode::OK);
    assert_eq!(
        report(&api, &token, online(2, ct, 2)).await.0,
        StatusCode::OK
    );
    server.stop().await;

    let (_server, api) = start(settings()).await;
    let after = connector(&api, id).await;
    assert_eq!(after.state.status(), ConnectorStatus::Online);
    assert_eq!(after.concurrent_conversations, 2);
    let (_, body) = api.get(&format!("/connectors/{}", other.id.0)).await;
    assert!(body.get("reported").is_none(), "{body}");
}

#[tokio::test]
async fn a_full_database_issues_no_token_it_cannot_keep() {
    let (_dir, db) = temp_db();
    let (server, api) = start(Config {
        db: Some(db.clone()),
        ..config()
    })
    .await;
    let fleet = api.fleet().await;
    server.stop().await;
    let used = db_bytes(&db);
    let (server, api) = start(Config {
        db: Some(db.clone()),
        max_db_bytes: Some(used + 16 * 1024),
        ..config()
    })
    .await;
    let mut kept = Vec::new();
    let mut refused = 0;
    for c in &fleet.connectors {
        let (status, body) = api
            .post(&format!("/connectors/{}/token", c.id.0), json!({}))
            .await;
        if status == StatusCode::CREATED {
            kept.push((c.id.0, body["token"].as_str().expect("token").to_owned()));
        } else {
            assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
            assert!(error(&body).message.contains("full"), "{body}");
            refused += 1;
            if refused == 3 {
                break;
            }
        }
    }
    assert!(
        refused > 0,
        "the database filled up ({} tokens kept)",
        kept.len()
    );
    server.stop().await;
    let (_server, api) = start(Config {
        db: Some(db.clone()),
        ..config()
    })
    .await;
    // Exactly the tokens it answered with work after a restart, and only their connectors are
    // handed over.
    for (id, token) in &kept {
        assert_eq!(
            desired(&api, token).await.0,
            StatusCode::OK,
            "connector {id}"
        );
    }
    let handed = api
        .fleet()
        .await
        .connectors
        .iter()
        .filter(|c| c.reported.is_some())
        .count();
    assert_eq!(handed, kept.len());
}

#[tokio::test]
async fn a_server_with_no_simulated_fleet_runs_only_what_is_added() {
    let (_server, api) = start(Config {
        fleet: 0,
        ..config()
    })
    .await;
    let fleet = api.fleet().await;
    assert!(fleet.connectors.is_empty(), "{:?}", fleet.connectors.len());
    let settings = json!({
        "account": bots_status_core::fleet::HOME_ACCOUNT,
        "agent_user_id": "spare-bot-0-0",
        "role": "Agent",
        "conversation_type": "Messaging",
        "environment": "Demo",
        "advanced": {"fallback_skill_id": null, "external_webhook_url": null, "custom_config": [], "accessibility": false},
    });
    let (status, body) = api
        .post(
            "/connectors",
            json!({"bot": {"id": "real-1", "name": "Real bot"}, "settings": settings}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_u64().expect("an id");
    let token = issue(&api, id).await;
    act(&api, id, "start").await;
    assert_eq!(report(&api, &token, starting(2)).await.0, StatusCode::OK);
    assert_eq!(
        report(&api, &token, online(2, ConversationType::Messaging, 0))
            .await
            .0,
        StatusCode::OK
    );
    let fleet = api.fleet().await;
    assert_eq!(fleet.connectors.len(), 1);
    assert_eq!(fleet.connectors[0].state.status(), ConnectorStatus::Online);
}
