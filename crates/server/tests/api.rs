//! The reference server over real HTTP on loopback: every endpoint, every refusal, 409 on a
//! stale version, a restart from SQLite, and an event stream that resumes with no gap.

#![allow(clippy::expect_used)]

mod common;

use bots_status_core::access::Session;
use bots_status_core::api::{ErrorCode, FleetPage};
use bots_status_core::lifecycle::Refused;
use bots_status_core::model::{Connector, Environment};
use bots_status_core::status::ConnectorStatus;
use bots_status_server::{Config, Token};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn the_session_needs_a_known_token_and_says_who_signed_in() {
    let (_server, api) = start(config()).await;
    let (status, body) = api.get("/session").await;
    assert_eq!(status, StatusCode::OK);
    let session: Session = serde_json::from_value(body).expect("a session");
    assert!(session.permissions.administrator);

    let response = api
        .client
        .get(format!("{}/session", api.base))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body: Value = response.json().await.expect("json");
    assert_eq!(error(&body).code, ErrorCode::Unauthenticated);

    let (status, body) = api
        .call(reqwest::Method::GET, "/session", "wrong", None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error(&body).message.contains("not known"));

    // Without Bot Status Access the session still answers (the app says why), the rest not.
    let (status, body) = api
        .call(reqwest::Method::GET, "/session", OUTSIDER, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !serde_json::from_value::<Session>(body)
            .expect("session")
            .permissions
            .bot_status_access
    );
    let (status, body) = api
        .call(reqwest::Method::GET, "/connectors", OUTSIDER, None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error(&body).message.contains("Bot Status Access"));
}

#[tokio::test]
async fn the_list_takes_the_app_s_filters_and_refuses_unknown_ones() {
    let (_server, api) = start(config()).await;
    let all = api.fleet().await;
    assert!(all.connectors.len() >= 50, "{}", all.connectors.len());
    assert!(
        all.connectors
            .iter()
            .any(|c| c.environment() == Environment::Demo)
    );

    let (status, body) = api.get("/connectors?env=demo&status=online").await;
    assert_eq!(status, StatusCode::OK);
    let demo: FleetPage = serde_json::from_value(body).expect("page");
    assert!(!demo.connectors.is_empty());
    assert!(demo.connectors.iter().all(
        |c| c.environment() == Environment::Demo && c.state.status() == ConnectorStatus::Online
    ));

    let (status, body) = api.get("/connectors?colour=red").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&body).message.contains("colour"), "{body}");

    let one = &all.connectors[0];
    let (status, body) = api.get(&format!("/connectors/{}", one.id.0)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_value::<Connector>(body).expect("connector"),
        *one
    );
    let (status, body) = api.get("/connectors/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error(&body).code, ErrorCode::NotFound);
    let (status, body) = api.get("/connectors/abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error(&body).field.as_deref(), Some("id"));
    let (status, _) = api.get("/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_action_over_a_stale_version_is_a_conflict_with_the_current_state() {
    let (_server, api) = start(config()).await;
    let stopped = api.first(ConnectorStatus::Stopped).await;
    let path = format!("/connectors/{}/actions", stopped.id.0);

    let (status, body) = api
        .post(
            &path,
            json!({"action": "start", "version": stopped.version}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let started: Connector = serde_json::from_value(body).expect("connector");
    assert_eq!(started.state.status(), ConnectorStatus::Starting);
    assert!(started.version > stopped.version);

    // Someone acting on what they saw before the start is told, with the connector as it is.
    let (status, body) = api
        .post(&path, json!({"action": "stop", "version": stopped.version}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let err = error(&body);
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(err.field.as_deref(), Some("version"));
    assert_eq!(err.current.as_deref(), Some(&started));

    // Over the current version the lifecycle decides: a starting connector cannot start.
    let (status, body) = api
        .post(
            &path,
            json!({"action": "start", "version": started.version}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error(&body).refused.as_deref(),
        Some(&Refused::AlreadyStarting)
    );

    let (status, body) = api.post(&path, json!({"action": "redeploy"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error(&body).field.as_deref(), Some("environment"));
    let (status, body) = api.post(&path, json!({"action": "fly"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&body).message.contains("cannot be read"), "{body}");
}

#[tokio::test]
async fn a_bulk_action_reports_each_connector() {
    let (_server, api) = start(config()).await;
    let online = api.first(ConnectorStatus::Online).await;
    let stopped = api.first(ConnectorStatus::Stopped).await;
    let (status, body) = api
        .post(
            "/actions",
            json!({"action": "stop", "connectors": [
                {"id": online.id.0, "version": online.version},
                {"id": stopped.id.0, "version": stopped.version},
                {"id": 999999, "version": null}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["id"], online.id.0);
    assert_eq!(
        results[0]["done"]["state"]["status"], "Stopped",
        "{}",
        results[0]
    );
    assert_eq!(results[1]["error"]["refused"]["reason"], "AlreadyStopped");
    assert_eq!(results[2]["error"]["code"], "not_found");

    // A bulk delete names each version it saw: the stale one is kept, the current one goes.
    let (_, now) = api.get(&format!("/connectors/{}", stopped.id.0)).await;
    let version = now["version"].as_u64().expect("a version");
    let other = results[0]["done"]["id"].as_u64().expect("the stopped one");
    let (status, body) = api
        .post(
            "/actions",
            json!({"action": "delete", "connectors": [
                {"id": stopped.id.0, "version": version},
                {"id": other, "version": 1}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["deleted"], true, "{body}");
    assert_eq!(body["results"][1]["error"]["code"], "conflict", "{body}");
    let (status, _) = api.get(&format!("/connectors/{}", stopped.id.0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn edit_add_and_delete_follow_the_core_s_rules() {
    let (_server, api) = start(config()).await;
    let online = api.first(ConnectorStatus::Online).await;
    let mut settings = online.settings.clone();
    settings.role = match settings.role {
        bots_status_core::Role::Agent => bots_status_core::Role::Manager,
        bots_status_core::Role::Manager => bots_status_core::Role::Agent,
    };
    let put = |id: u64, body: Value| {
        api.call(
            reqwest::Method::PUT,
            format!("/connectors/{id}"),
            ADMIN,
            Some(body),
        )
    };
    let (status, body) = put(
        online.id.0,
        json!({"version": online.version, "settings": settings}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        matches!(
            error(&body).refused.as_deref(),
            Some(Refused::MustBeStopped { .. })
        ),
        "{body}"
    );

    let stopped = api.first(ConnectorStatus::Stopped).await;
    let mut settings = stopped.settings.clone();
    settings.advanced.fallback_skill_id = Some(12345);
    let (status, body) = put(
        stopped.id.0,
        json!({"version": stopped.version, "settings": settings}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let edited: Connector = serde_json::from_value(body).expect("connector");
    assert_eq!(edited.settings.advanced.fallback_skill_id, Some(12345));
    let (status, _) = put(
        stopped.id.0,
        json!({"version": stopped.version, "settings": settings}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Validation is the core's: an https-less webhook is refused with the field's message.
    settings.advanced.external_webhook_url = Some("http://example.com/hook".to_owned());
    let (status, body) = put(
        stopped.id.0,
        json!({"version": edited.version, "settings": settings}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let err = error(&body);
    assert_eq!(err.field.as_deref(), Some("settings"));
    assert!(err.message.contains("https"), "{}", err.message);

    // Adding: the user's own agent works, someone else's is the spec's 401.
    let (_, agents) = api
        .get(&format!(
            "/accounts/{}/agents",
            bots_status_core::fleet::HOME_ACCOUNT
        ))
        .await;
    let agents = agents.as_array().expect("agents").clone();
    let agent = |own: bool| {
        agents
            .iter()
            .find(|a| (a["created_by"] == bots_status_core::fleet::SAMPLE_USER) == own)
            .expect("such an agent")["login_name"]
            .as_str()
            .expect("a name")
            .to_owned()
    };
    let mut new = stopped.settings.clone();
    new.environment = Environment::Demo;
    new.agent_user_id = agent(false);
    new.account = bots_status_core::fleet::HOME_ACCOUNT.to_owned();
    let bot = json!({"id": stopped.bot.id.0, "name": stopped.bot.name});
    let (status, body) = api
        .post("/connectors", json!({"bot": bot, "settings": new}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let err = error(&body);
    assert_eq!(err.field.as_deref(), Some("agentUserId"));
    assert!(err.message.starts_with("401 unauthorized"));

    new.agent_user_id = agent(true);
    let (status, body) = api
        .post("/connectors", json!({"bot": bot, "settings": new}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let added: Connector = serde_json::from_value(body).expect("connector");
    assert_eq!(added.state.status(), ConnectorStatus::ReadyToStart);

    // A bot developer may not deploy to Production.
    new.environment = Environment::Production;
    let (status, body) = api
        .call(
            reqwest::Method::POST,
            "/connectors",
            DEVELOPER,
            Some(json!({"bot": bot, "settings": new})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        error(&body).refused.as_deref(),
        Some(&Refused::NoProductionRights)
    );

    let delete = |version: u64| {
        api.call(
            reqwest::Method::DELETE,
            format!("/connectors/{}?version={version}", added.id.0),
            ADMIN,
            None,
        )
    };
    let (status, _) = delete(added.version + 7).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = delete(added.version).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = api.get(&format!("/connectors/{}", added.id.0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn agents_and_pcs_answer_with_the_core_s_reasons() {
    let (_server, api) = start(config()).await;
    let (status, body) = api.get("/accounts/00000000/agents").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error(&body).message.contains("was not found"));
    let (status, body) = api.get("/accounts/22019744/agents").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(error(&body).message.contains("no user in account"));

    let (status, body) = api.get("/pcs").await;
    assert_eq!(status, StatusCode::OK);
    let version = body["version"].as_u64().expect("a version");
    let (status, body) = api
        .post(
            "/pcs/actions",
            json!({"action": "RefreshSurveys", "version": version}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = api
        .post(
            "/pcs/actions",
            json!({"action": "RefreshSurveys", "version": version}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_stream_that_reconnects_with_last_event_id_misses_nothing() {
    let (_server, api) = start(config()).await;
    let page = api.fleet().await;
    let online = api.first(ConnectorStatus::Online).await;

    let mut stream = Stream::open(&api, page.last_event_id).await;
    let versions = stop_and_start(&api, online.id.0).await;
    let seen = stream.changes_of(online.id.0, 1).await;
    assert_eq!(seen[0].state.status(), ConnectorStatus::Stopped);
    let resume_from = stream.last;
    drop(stream);

    // The reconnected stream goes on from the last id it saw: the start, then what happened
    // while nobody listened, in order.
    let more = stop_and_start(&api, online.id.0).await;
    let mut resumed = Stream::open(&api, resume_from).await;
    let seen = resumed.changes_of(online.id.0, 3).await;
    let seen_versions: Vec<u64> = seen.iter().map(|c| c.version).collect();
    assert_eq!(seen_versions, [versions[1], more[0], more[1]]);
    assert_eq!(seen[0].state.status(), ConnectorStatus::Starting);

    // An id the server no longer knows asks the client to read the list again.
    let mut future = Stream::open(&api, page.last_event_id + 10_000).await;
    let event = future.next().await.expect("an event");
    assert_eq!(event.kind, "reset");
}

#[tokio::test]
async fn a_restart_keeps_every_acknowledged_change_and_the_stream_resumes() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = dir.path().join("fleet.sqlite");
    let config = || Config {
        db: Some(db.clone()),
        ..config()
    };

    let (server, api) = start(config()).await;
    let online = api.first(ConnectorStatus::Online).await;
    let before = api.fleet().await.last_event_id;
    let versions = stop_and_start(&api, online.id.0).await;
    let acknowledged = api.fleet().await;
    server.stop().await;

    let (_server, api) = start(config()).await;
    let reloaded = api.fleet().await;
    assert_eq!(reloaded.connectors, acknowledged.connectors);
    assert_eq!(reloaded.last_event_id, acknowledged.last_event_id);
    let (_, body) = api.get(&format!("/connectors/{}", online.id.0)).await;
    assert_eq!(body["version"].as_u64(), versions.last().copied());

    // A client that saw only what came before the restart gets the rest from the new process.
    let mut stream = Stream::open(&api, before).await;
    let seen: Vec<u64> = stream
        .changes_of(online.id.0, 2)
        .await
        .iter()
        .map(|c| c.version)
        .collect();
    assert_eq!(seen, versions);
}

#[tokio::test]
async fn the_fault_mode_fails_requests_and_drops_streams_and_only_an_admin_sets_it() {
    let (_server, api) = start(config()).await;
    let (status, body) = api.set_faults(DEVELOPER, json!({"errorRate": 1.0})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, _) = api.set_faults(ADMIN, json!({"errorRate": 1.0})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = api.get("/connectors").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error(&body).code, ErrorCode::Unavailable);

    let (status, _) = api
        .set_faults(ADMIN, json!({"errorRate": 0.5, "dropStreamsAfter": 1}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let answers: Vec<StatusCode> = {
        let mut v = Vec::new();
        for _ in 0..10 {
            v.push(api.get("/session").await.0);
        }
        v
    };
    assert_eq!(
        answers
            .iter()
            .filter(|s| **s == StatusCode::SERVICE_UNAVAILABLE)
            .count(),
        5,
        "{answers:?}"
    );

    let (status, _) = api.set_faults(ADMIN, json!({"dropStreamsAfter": 1})).await;
    assert_eq!(status, StatusCode::OK);
    let last = api.fleet().await.last_event_id;
    let online = api.first(ConnectorStatus::Online).await;
    let mut stream = Stream::open(&api, last).await;
    stop_and_start(&api, online.id.0).await;
    stream.change().await;
    assert!(
        stream.next().await.is_none(),
        "the stream is closed after one event"
    );

    let (status, body) = api.set_faults(ADMIN, json!({"errorRate": 2})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error(&body).field.as_deref(), Some("errorRate"));
}

#[tokio::test]
async fn an_outage_set_by_an_admin_reaches_the_connectors() {
    let (_server, api) = start(config()).await;
    let (status, body) = api
        .call(
            reqwest::Method::PUT,
            "/admin/resources",
            ADMIN,
            Some(json!({"environment": "Production", "resource": "BotServer", "health": "Down"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let fleet = api.fleet().await;
    let online_production: Vec<_> = fleet
        .connectors
        .iter()
        .filter(|c| {
            c.environment() == Environment::Production
                && c.state.status() == ConnectorStatus::Online
        })
        .collect();
    assert!(!online_production.is_empty());
    assert!(online_production.iter().all(|c| {
        c.state
            .links()
            .is_some_and(|l| !l.bot_server.is_connected())
    }));
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_the_error_shape_and_cors_admits_the_portal() {
    let (_server, api) = start(config()).await;
    let huge = "x".repeat(100 * 1024);
    let response = api
        .client
        .post(format!("{}/connectors", api.base))
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
        .body(format!("{{\"bot\": \"{huge}\"}}"))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error(&body).code, ErrorCode::TooLarge);

    let response = api
        .client
        .post(format!("{}/connectors", api.base))
        .bearer_auth(ADMIN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let preflight = api
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/connectors", api.base))
        .header("Origin", "http://portal.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("answer");
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://portal.example"
    );
    let other = api
        .client
        .get(format!("{}/session", api.base))
        .bearer_auth(ADMIN)
        .header("Origin", "http://elsewhere.example")
        .send()
        .await
        .expect("answer");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[test]
fn tokens_and_speeds_are_read_with_clear_errors() {
    let token: Token = "s3cret:developer".parse().expect("token");
    assert_eq!(
        token.persona,
        bots_status_core::access::Persona::BotDeveloper
    );
    assert!(
        "x:boss"
            .parse::<Token>()
            .expect_err("unknown role")
            .contains("admin, developer or none")
    );
    assert!(":admin".parse::<Token>().is_err());
    assert!("0".parse::<bots_status_server::Speed>().is_err());
    assert_eq!(
        "instant".parse::<bots_status_server::Speed>(),
        Ok(bots_status_server::Speed::Instant)
    );
}
