//! The durable history over real HTTP: what happened and who did it survives a restart, pages
//! without gaps or repeats, is pruned by age and size, and gives a timeline with uptime.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use bots_status_core::audit::{Entry, EntryKind, HistoryPage, Outcome, TimelineBody};
use bots_status_core::model::{Connector, Environment};
use bots_status_core::status::ConnectorStatus;
use bots_status_server::{Config, Keep};
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

const ANA: &str = "ana-secret";
const BEN: &str = "ben-secret";
const MINUTE: u64 = 60_000;

fn named() -> Config {
    Config {
        tokens: vec![
            format!("{ANA}:admin:Ana Lima").parse().expect("token"),
            format!("{BEN}:developer:ben").parse().expect("token"),
            ADMIN.parse().expect("token"),
            format!("{OUTSIDER}:none").parse().expect("token"),
        ],
        ..config()
    }
}

async fn page(api: &Api, query: &str) -> HistoryPage {
    let (status, body) = api.get(&format!("/history?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value(body).expect("a history page")
}

async fn act_as(api: &Api, token: &str, id: u64, action: &str) -> StatusCode {
    api.call(
        Method::POST,
        format!("/connectors/{id}/actions"),
        token,
        Some(json!({ "action": action })),
    )
    .await
    .0
}

fn in_env(fleet: &[Connector], env: Environment, status: ConnectorStatus) -> &Connector {
    fleet
        .iter()
        .find(|c| c.environment() == env && c.state.status() == status)
        .expect("a connector of that kind")
}

/// A server on `config`, and a Demo connector Ana has just stopped.
async fn with_a_stop(config: Config) -> (bots_status_server::Server, Api, u64) {
    let (server, api) = start(config).await;
    let fleet = api.fleet().await.connectors;
    let demo = in_env(&fleet, Environment::Demo, ConnectorStatus::Online)
        .id
        .0;
    assert_eq!(act_as(&api, ANA, demo, "stop").await, StatusCode::OK);
    (server, api, demo)
}

#[tokio::test]
async fn what_happened_and_who_did_it_survives_a_restart() {
    let (_dir, db) = temp_db();
    let config = Config {
        db: Some(db.clone()),
        ..named()
    };
    let (server, api) = start(config.clone()).await;
    let fleet = api.fleet().await.connectors;
    let demo = in_env(&fleet, Environment::Demo, ConnectorStatus::Online)
        .id
        .0;
    let production = in_env(&fleet, Environment::Production, ConnectorStatus::Online)
        .id
        .0;
    assert_eq!(act_as(&api, ANA, demo, "stop").await, StatusCode::OK);
    // A developer may not change Production: refused, and kept with the reason.
    assert_eq!(
        act_as(&api, BEN, production, "stop").await,
        StatusCode::FORBIDDEN
    );
    let before = page(&api, "").await;
    server.stop().await;

    let (server, api) = start(config).await;
    let after = page(&api, "").await;
    assert_eq!(after, before, "the history is as it was before the restart");
    let actions: Vec<&Entry> = after
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Action)
        .collect();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0].actor.as_deref(), Some("ben"));
    assert_eq!(actions[0].outcome, Some(Outcome::Refused));
    assert_eq!(actions[0].connector.map(|c| c.0), Some(production));
    assert!(
        actions[0]
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("Production"),
        "the reason is kept: {:?}",
        actions[0].detail
    );
    assert_eq!(actions[1].actor.as_deref(), Some("Ana Lima"));
    assert_eq!(actions[1].action.as_deref(), Some("stop"));
    assert_eq!(actions[1].outcome, Some(Outcome::Done));
    // Her stop changed the connector's statuses, and each change is there after her action.
    let stopped = page(&api, &format!("connector={demo}&kind=status")).await;
    let summaries: Vec<String> = stopped.entries.iter().map(Entry::summary).collect();
    assert!(
        summaries.contains(&"Bot Agent Connector: Online → Stopped".to_owned()),
        "{summaries:?}"
    );
    assert!(stopped.entries.iter().all(|e| e.id > actions[1].id));
    // The search takes part of the bot's name, ignoring case, or the connector's number.
    let bot = &actions[1].bot;
    let part = bot[1..bot.len() - 1].to_uppercase();
    let found = page(&api, &format!("q={}&kind=action", part.replace(' ', "%20"))).await;
    assert!(
        found.entries.iter().any(|e| e.id == actions[1].id),
        "{part}: {found:?}"
    );
    let found = page(&api, &format!("q=%23{demo}")).await;
    assert!(
        found
            .entries
            .iter()
            .all(|e| e.connector.map(|c| c.0) == Some(demo))
    );
    assert!(!found.entries.is_empty());
    let found = page(&api, "q=50%25_off").await;
    assert!(
        found.entries.is_empty(),
        "LIKE's wildcards are plain text: {found:?}"
    );
    // The actor filter finds hers; the session says who the token is.
    let hers = page(&api, "actor=ana%20lima").await;
    assert_eq!(hers.entries.len(), 1);
    let (_, session) = api.call(Method::GET, "/session", ANA, None).await;
    assert_eq!(session["user_name"], "Ana Lima", "{session}");
    // What comes after the restart is numbered after what came before.
    assert_eq!(act_as(&api, ANA, demo, "start").await, StatusCode::OK);
    let newest = page(&api, "limit=1&kind=action").await;
    assert!(newest.entries[0].id > before.entries[0].id);
    server.stop().await;
}

#[tokio::test]
async fn pages_have_no_gaps_or_repeats_when_something_happens_meanwhile() {
    let (server, api) = start(named()).await;
    let fleet = api.fleet().await.connectors;
    let demo: Vec<u64> = fleet
        .iter()
        .filter(|c| {
            c.environment() == Environment::Demo && c.state.status() == ConnectorStatus::Online
        })
        .map(|c| c.id.0)
        .take(4)
        .collect();
    for id in &demo {
        assert_eq!(act_as(&api, ANA, *id, "stop").await, StatusCode::OK);
        assert_eq!(act_as(&api, ANA, *id, "start").await, StatusCode::OK);
    }
    let everything: Vec<u64> = page(&api, "limit=500")
        .await
        .entries
        .iter()
        .map(|e| e.id)
        .collect();
    assert!(everything.len() > 14, "{everything:?}");
    let mut seen = Vec::new();
    let mut query = "limit=5".to_owned();
    loop {
        let next = page(&api, &query).await;
        seen.extend(next.entries.iter().map(|e| e.id));
        // Something happens between two pages.
        assert_eq!(act_as(&api, ANA, demo[0], "restart").await, StatusCode::OK);
        match next.next {
            Some(before) => query = format!("limit=5&before={before}"),
            None => break,
        }
    }
    let newest_at_start = everything[0];
    let first_page_extra: Vec<u64> = seen
        .iter()
        .copied()
        .filter(|id| *id > newest_at_start)
        .collect();
    assert!(
        first_page_extra.is_empty(),
        "nothing newer than the first page: {first_page_extra:?}"
    );
    assert_eq!(seen, everything, "every entry once, newest first");
    assert_eq!(seen.iter().collect::<BTreeSet<_>>().len(), seen.len());

    // Filters that cannot be read are refused, not ignored; a token without access is not let in.
    let (status, body) = api.get("/history?limit=0&env=staging").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error(&body).message.contains("env=staging"), "{body}");
    let (status, _) = api.call(Method::GET, "/history", OUTSIDER, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api
        .client
        .get(format!("{}/history", api.base))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .expect("an answer");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test]
async fn the_history_is_pruned_by_age_and_by_size_as_it_is_written() {
    let (server, api, demo) = with_a_stop(Config {
        history: Keep {
            age: Duration::from_secs(3600),
            bytes: 1024 * 1024,
        },
        ..named()
    })
    .await;
    let old = page(&api, "").await;
    assert!(!old.entries.is_empty());
    // Two hours later, the next write lets go of what is older than an hour.
    let (status, body) = api
        .post("/admin/clock", json!({ "advanceMs": 120 * MINUTE }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(act_as(&api, ANA, demo, "start").await, StatusCode::OK);
    let now = page(&api, "limit=500").await;
    let oldest_kept = now
        .entries
        .iter()
        .map(|e| e.id)
        .min()
        .expect("the start is kept");
    assert!(
        old.entries.iter().all(|e| e.id < oldest_kept),
        "the entries of two hours ago are gone: {now:?}"
    );
    assert!(
        now.entries
            .iter()
            .any(|e| e.action.as_deref() == Some("start"))
    );
    server.stop().await;

    // Bounded in bytes: a small budget keeps the newest entries only.
    let (server, api) = start(Config {
        history: Keep {
            age: Duration::from_secs(3600),
            bytes: 4 * 1024,
        },
        ..named()
    })
    .await;
    for _ in 0..15 {
        assert_eq!(act_as(&api, ANA, demo, "restart").await, StatusCode::OK);
    }
    let kept = page(&api, "limit=500").await.entries;
    let bytes: usize = kept
        .iter()
        .map(|e| serde_json::to_string(e).expect("json").len() + 64)
        .sum();
    assert!(bytes <= 4 * 1024, "{bytes} bytes kept");
    assert!(kept.len() >= 5, "the newest are kept: {}", kept.len());
    assert_eq!(kept[0].action.as_deref(), Some("restart"));
    server.stop().await;
}

#[tokio::test]
async fn ten_minutes_of_a_one_hour_timeline_down_is_83_percent_uptime() {
    let (server, api) = start(named()).await;
    let fleet = api.fleet().await.connectors;
    let connector = fleet
        .iter()
        .find(|c| {
            c.environment() == Environment::Production
                && c.state.status() == ConnectorStatus::Online
                && c.state.concern() == 3
        })
        .expect("a healthy Production connector")
        .id
        .0;
    let (status, body) = api.get(&format!("/connectors/{connector}/timeline")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let start: TimelineBody = serde_json::from_value(body).expect("a timeline");
    let t0 = start.until.0;
    let clock = |ms: u64| api.post("/admin/clock", json!({ "advanceMs": ms }));
    let bot_server = |health: &str| {
        api.call(
            Method::PUT,
            "/admin/resources",
            ADMIN,
            Some(json!({"environment": "Production", "resource": "BotServer", "health": health})),
        )
    };
    assert_eq!(clock(50 * MINUTE).await.0, StatusCode::OK);
    assert_eq!(bot_server("Down").await.0, StatusCode::NO_CONTENT);
    assert_eq!(clock(10 * MINUTE).await.0, StatusCode::OK);
    assert_eq!(bot_server("Up").await.0, StatusCode::NO_CONTENT);

    let (status, body) = api
        .get(&format!("/connectors/{connector}/timeline?since={t0}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let timeline: TimelineBody = serde_json::from_value(body.clone()).expect("a timeline");
    assert_eq!(timeline.since.0, t0);
    assert_eq!(timeline.until.0, t0 + 60 * MINUTE);
    let uptime = timeline.uptime.expect("an hour has an uptime");
    assert_eq!(format!("{:.1} %", uptime * 100.0), "83.3 %", "{body}");
    let lane = timeline
        .lanes
        .iter()
        .find(|l| l.component == bots_status_core::history::Dimension::BotServer)
        .expect("a bot server lane");
    let down: Vec<_> = lane.segments.iter().filter(|s| s.tone == "bad").collect();
    assert_eq!(down.len(), 1, "{body}");
    assert_eq!(down[0].to.0 - down[0].from.0, 10 * MINUTE);

    // A connector that does not exist has no timeline; a period must be a number.
    let (status, _) = api.get("/connectors/999999/timeline").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = api
        .get(&format!("/connectors/{connector}/timeline?since=yesterday"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    server.stop().await;
}

#[tokio::test]
async fn the_history_answers_while_another_process_holds_the_write_lock() {
    let (_dir, db) = temp_db();
    let (server, api, demo) = with_a_stop(Config {
        db: Some(db.clone()),
        ..named()
    })
    .await;
    let before = page(&api, "").await;
    let lock = hold_write_lock(&db);
    // The write cannot be saved: not done, and not in the history either.
    assert_eq!(
        act_as(&api, ANA, demo, "start").await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        page(&api, "").await,
        before,
        "reads go on, and show nothing of it"
    );
    drop(lock);
    assert_eq!(act_as(&api, ANA, demo, "start").await, StatusCode::OK);
    assert_eq!(page(&api, "limit=1").await.entries.len(), 1);
    server.stop().await;
}
