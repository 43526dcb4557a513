//! Webhook alerts over real HTTP on loopback: a receiver that refuses the first two tries
//! still gets each problem once when it opens and once when it recovers, signed with the
//! shared secret; a webhook that is not a URL is refused at start-up.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use bots_status_core::model::{Connector, Environment};
use bots_status_core::status::ConnectorStatus;
use bots_status_server::{Config, Server, Speed, Webhooks};
use common::*;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;

const SECRET: &str = "hook-secret";

/// What the receiver took (2xx), in order, and how many tries it was sent.
#[derive(Default)]
struct Received {
    tries: usize,
    taken: Vec<(HeaderMap, Vec<u8>)>,
}

/// A webhook receiver on a loopback port that answers 500 to the first two tries.
async fn receiver() -> (String, Arc<Mutex<Received>>, tokio::task::JoinHandle<()>) {
    let received = Arc::new(Mutex::new(Received::default()));
    let state = received.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let state = state.clone();
            async move {
                let mut r = state.lock().unwrap();
                r.tries += 1;
                if r.tries <= 2 {
                    return AxumStatus::INTERNAL_SERVER_ERROR;
                }
                r.taken.push((headers, body.to_vec()));
                AxumStatus::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .await
            .expect("the receiver serves");
    });
    (url, received, task)
}

fn bodies(received: &Mutex<Received>) -> Vec<Value> {
    received
        .lock()
        .unwrap()
        .taken
        .iter()
        .map(|(_, body)| serde_json::from_slice(body).expect("a JSON body"))
        .collect()
}

/// The alerts taken about `bot` of kind `kind`, as their event names.
fn events_of(received: &Mutex<Received>, kind: &str, bot: &str) -> Vec<String> {
    bodies(received)
        .into_iter()
        .filter(|b| b["alert"]["kind"] == kind && b["alert"]["bot"] == bot)
        .map(|b| b["event"].as_str().expect("an event").to_owned())
        .collect()
}

async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A Production bot with exactly two connectors, both online, with the fewest conversations:
/// one stop loses its failover and nothing else.
fn bot_with_two_online(fleet: &[Connector]) -> (String, Vec<&Connector>) {
    let mut bots: BTreeMap<&str, Vec<&Connector>> = BTreeMap::new();
    for c in fleet
        .iter()
        .filter(|c| c.environment() == Environment::Production)
    {
        bots.entry(&c.bot.id.0).or_default().push(c);
    }
    bots.into_iter()
        .filter(|(_, cs)| {
            cs.len() == 2
                && cs
                    .iter()
                    .all(|c| c.state.status() == ConnectorStatus::Online)
        })
        .min_by_key(|(_, cs)| cs.iter().map(|c| c.concurrent_conversations).sum::<u32>())
        .map(|(id, cs)| (id.to_owned(), cs))
        .expect("a Production bot with two online connectors")
}

#[tokio::test]
async fn a_lost_failover_is_posted_once_when_it_opens_and_once_when_it_recovers() {
    let (url, received, receiver_task) = receiver().await;
    let (server, api) = start(Config {
        // Simulated time moves a whole start on at each tick, so a start settles at the next.
        speed: Speed::Instant,
        tick: Duration::from_millis(300),
        webhooks: Webhooks {
            urls: vec![url],
            secret: Some(SECRET.to_owned()),
        },
        ..config()
    })
    .await;
    let fleet = api.fleet().await.connectors;
    let (bot, connectors) = bot_with_two_online(&fleet);
    let stopped = connectors[0].id;

    let (status, body) = api
        .post(
            &format!("/connectors/{}/actions", stopped.0),
            json!({"action": "stop"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    until("the lost failover", || {
        events_of(&received, "FailoverLost", &bot) == ["opened"]
    })
    .await;
    let opened = bodies(&received)
        .into_iter()
        .find(|b| b["alert"]["kind"] == "FailoverLost" && b["alert"]["bot"] == bot.as_str())
        .expect("the alert");
    assert_eq!(opened["environment"], "Production");
    assert!(
        opened["message"]
            .as_str()
            .expect("a message")
            .ends_with("has 1 online Production connector: no failover."),
        "{opened}"
    );

    let (status, body) = api
        .post(
            &format!("/connectors/{}/actions", stopped.0),
            json!({"action": "start"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    until("the recovery", || {
        events_of(&received, "FailoverLost", &bot) == ["opened", "recovered"]
    })
    .await;
    // Ticks go on changing the fleet's load (eight ticks and two of the watcher's looks in
    // this time): no more is posted about this problem. (An absence cannot be waited for,
    // only given time.)
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        events_of(&received, "FailoverLost", &bot),
        ["opened", "recovered"]
    );

    // The metrics agree: the first two tries failed and were tried again, every taken one
    // was delivered, and the open problems are those opened and not yet recovered.
    let metrics_url = format!("{}/metrics", api.base.trim_end_matches("/api/v1"));
    let scrape = || async {
        api.client
            .get(&metrics_url)
            .bearer_auth(ADMIN)
            .send()
            .await
            .expect("an answer")
            .text()
            .await
            .expect("a body")
    };
    let open_by_kind = |received: &Mutex<Received>| {
        let mut open: BTreeMap<String, i64> = BTreeMap::new();
        for body in bodies(received) {
            let kind = body["alert"]["kind"].as_str().expect("a kind").to_owned();
            *open.entry(kind).or_default() += if body["event"] == "opened" { 1 } else { -1 };
        }
        open
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = scrape().await;
        let taken = received.lock().unwrap().taken.len();
        let expected: Vec<String> = ["NotConnected", "FailoverLost", "OverCapacity"]
            .iter()
            .map(|kind| {
                let n = open_by_kind(&received).get(*kind).copied().unwrap_or(0);
                format!("bots_status_alerts_open{{kind=\"{kind}\"}} {n}")
            })
            .chain([
                "bots_status_webhook_tries_total{result=\"failed\"} 2".to_owned(),
                format!("bots_status_webhook_tries_total{{result=\"delivered\"}} {taken}"),
            ])
            .collect();
        if expected.iter().all(|line| text.lines().any(|l| l == line)) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the metrics never agreed: {expected:?}\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    {
        let received = received.lock().unwrap();
        assert!(
            received.tries > received.taken.len(),
            "the first tries were refused and retried"
        );
        let mut last = 0;
        for (headers, body) in &received.taken {
            let parsed: Value = serde_json::from_slice(body).expect("JSON");
            let delivery = parsed["delivery"].as_u64().expect("a delivery number");
            // Every alert taken, the refused ones included, once each and in order.
            assert_eq!(delivery, last + 1, "in order, none lost, none twice");
            last = delivery;
            assert_eq!(
                headers["x-bots-status-event"],
                parsed["event"].as_str().expect("event")
            );
            let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("a key");
            mac.update(body);
            let expected: String = mac
                .finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                headers["x-bots-status-signature"],
                format!("sha256={expected}").as_str()
            );
        }
    }
    server.stop().await;
    receiver_task.abort();
}

#[tokio::test]
async fn a_webhook_that_is_not_an_http_url_is_refused_at_start() {
    for bad in ["ftp://alerts.example/hook", "not a url", "http://"] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let refused = Server::start(
            Config {
                webhooks: Webhooks {
                    urls: vec![bad.to_owned()],
                    secret: None,
                },
                ..config()
            },
            listener,
        )
        .await
        .err()
        .expect("refused");
        assert!(refused.contains("--webhook"), "{refused}");
    }
}
