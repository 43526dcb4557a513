//! `GET /metrics` over real HTTP on loopback, read back with a Prometheus text parser: the
//! connector counts are the fleet's and move with it, actions are counted by kind and result
//! (a save over a locked database as failed), the stream clients come and go, request
//! latencies are labelled by route pattern, and a scrape needs a token that may use the app.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bots_status_core::model::Environment;
use bots_status_core::status::{ConnectorStatus, StatusValue};
use bots_status_server::Config;
use common::*;
use openmetrics_parser::{PrometheusValue, prometheus::parse_prometheus};
use reqwest::StatusCode;
use serde_json::json;

/// One series of a scrape: its family's name, its labels and its value.
#[derive(Debug)]
struct Sample {
    metric: String,
    labels: BTreeMap<String, String>,
    value: Value,
}

#[derive(Debug)]
enum Value {
    Number(f64),
    /// A histogram's count of observations.
    Histogram(u64),
}

/// The parsed scrape, with the token `token`; panics unless it is a 200 in the text format.
async fn scrape(api: &Api, token: &str) -> Vec<Sample> {
    let response = api
        .client
        .get(metrics_url(api))
        .bearer_auth(token)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4"
    );
    let text = response.text().await.expect("a body");
    let exposition = parse_prometheus(&text).expect("Prometheus text");
    let mut samples = Vec::new();
    for (name, family) in &exposition.families {
        for sample in family.iter_samples() {
            let labels = sample
                .get_labelset()
                .expect("labels")
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let value = match &sample.value {
                PrometheusValue::Gauge(n) | PrometheusValue::Unknown(n) => {
                    Value::Number(n.as_f64())
                }
                PrometheusValue::Counter(c) => Value::Number(c.value.as_f64()),
                PrometheusValue::Histogram(h) => Value::Histogram(h.count.expect("a count")),
                PrometheusValue::Summary(_) => panic!("no summary is served"),
            };
            samples.push(Sample {
                metric: name.clone(),
                labels,
                value,
            });
        }
    }
    samples
}

fn metrics_url(api: &Api) -> String {
    format!("{}/metrics", api.base.trim_end_matches("/api/v1"))
}

fn number(value: &Value) -> f64 {
    match value {
        Value::Number(v) => *v,
        Value::Histogram(_) => panic!("a single number, not a histogram"),
    }
}

fn label<'a>(sample: &'a Sample, name: &str) -> Option<&'a str> {
    sample.labels.get(name).map(String::as_str)
}

/// The value of `metric` with exactly these labels, or 0 when the scrape has no such sample
/// (Prometheus' own reading of a series that is not there yet).
fn value(samples: &[Sample], metric: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|s| s.metric == metric)
        .find(|s| {
            s.labels.len() == labels.len() && labels.iter().all(|(k, v)| label(s, k) == Some(v))
        })
        .map_or(0.0, |s| number(&s.value))
}

fn connectors(samples: &[Sample], environment: &str, status: &str) -> f64 {
    value(
        samples,
        "bots_status_connectors",
        &[
            ("environment", environment),
            ("dimension", "connector"),
            ("status", status),
        ],
    )
}

fn actions(samples: &[Sample], action: &str, result: &str) -> f64 {
    value(
        samples,
        "bots_status_actions_total",
        &[("action", action), ("result", result)],
    )
}

#[tokio::test]
async fn the_connector_counts_are_the_fleet_s_in_every_dimension_and_move_with_it() {
    let (_server, api) = start(config()).await;
    let fleet = api.fleet().await.connectors;
    let samples = scrape(&api, ADMIN).await;

    for dimension in ["connector", "cloud", "bot_server"] {
        let total: f64 = samples
            .iter()
            .filter(|s| {
                s.metric == "bots_status_connectors" && label(s, "dimension") == Some(dimension)
            })
            .map(|s| number(&s.value))
            .sum();
        assert_eq!(total as usize, fleet.len(), "{dimension}");
    }
    for environment in [Environment::Production, Environment::Demo] {
        for status in [
            ConnectorStatus::Online,
            ConnectorStatus::Stopped,
            ConnectorStatus::NotConnected,
        ] {
            let expected = fleet
                .iter()
                .filter(|c| c.environment() == environment && c.state.status() == status)
                .count();
            assert_eq!(
                connectors(&samples, environment.label(), status.label()) as usize,
                expected,
                "{} {}",
                environment.label(),
                status.label()
            );
        }
    }
    let not_applicable = fleet
        .iter()
        .filter(|c| c.state.statuses().bot_server.label() == "N/A")
        .count();
    let shown = value(
        &samples,
        "bots_status_connectors",
        &[
            ("environment", "Production"),
            ("dimension", "bot_server"),
            ("status", "N/A"),
        ],
    ) + value(
        &samples,
        "bots_status_connectors",
        &[
            ("environment", "Demo"),
            ("dimension", "bot_server"),
            ("status", "N/A"),
        ],
    );
    assert_eq!(shown as usize, not_applicable);

    // A stop moves one connector from Online to Stopped, and is counted as done.
    let online = api.first(ConnectorStatus::Online).await;
    let environment = online.environment().label();
    let (status, body) = api
        .post(
            &format!("/connectors/{}/actions", online.id.0),
            json!({"action": "stop"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = scrape(&api, ADMIN).await;
    assert_eq!(
        connectors(&after, environment, "Online"),
        connectors(&samples, environment, "Online") - 1.0
    );
    assert_eq!(
        connectors(&after, environment, "Stopped"),
        connectors(&samples, environment, "Stopped") + 1.0
    );
    assert_eq!(actions(&after, "stop", "done"), 1.0);
}

#[tokio::test]
async fn actions_are_counted_by_kind_and_result_one_per_connector_of_a_bulk_action() {
    let (_dir, db) = temp_db();
    let (_server, api) = start(Config {
        db: Some(db.clone()),
        ..config()
    })
    .await;
    let online = api.first(ConnectorStatus::Online).await;
    let stopped = api.first(ConnectorStatus::Stopped).await;

    // Stopping a stopped connector is refused by the lifecycle.
    let (status, _) = api
        .post(
            &format!("/connectors/{}/actions", stopped.id.0),
            json!({"action": "stop"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // One bulk restart: the online one is done, the stopped one refused.
    let (status, body) = api
        .post(
            "/actions",
            json!({"action": "restart", "connectors": [
                {"id": online.id.0, "version": null},
                {"id": stopped.id.0, "version": null},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A save over a locked database is not done: it counts as failed.
    let lock = hold_write_lock(&db);
    let (status, _) = api
        .post(
            &format!("/connectors/{}/actions", online.id.0),
            json!({"action": "stop"}),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, _) = api
        .post(
            "/actions",
            json!({"action": "stop", "connectors": [
                {"id": online.id.0, "version": null},
                {"id": stopped.id.0, "version": null},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    drop(lock);

    let samples = scrape(&api, ADMIN).await;
    assert_eq!(actions(&samples, "stop", "refused"), 1.0);
    assert_eq!(actions(&samples, "restart", "done"), 1.0);
    assert_eq!(actions(&samples, "restart", "refused"), 1.0);
    assert_eq!(actions(&samples, "stop", "failed"), 3.0);
    assert_eq!(actions(&samples, "stop", "done"), 0.0);
}

#[tokio::test]
async fn latencies_are_labelled_by_route_pattern_and_stream_clients_come_and_go() {
    let (_server, api) = start(config()).await;
    for id in [1, 2, 3, 999_999] {
        api.get(&format!("/connectors/{id}")).await;
    }
    // A method no route takes gets no label of its own.
    let odd = reqwest::Method::from_bytes(b"BREW").expect("a method");
    api.client
        .request(odd, format!("{}/connectors/1", api.base))
        .bearer_auth(ADMIN)
        .send()
        .await
        .expect("an answer");
    let fleet = api.fleet().await;
    let stream = Stream::open(&api, fleet.last_event_id).await;

    let samples = scrape(&api, ADMIN).await;
    let routes: Vec<&str> = samples
        .iter()
        .filter(|s| s.metric == "bots_status_http_request_duration_seconds")
        .filter_map(|s| label(s, "route"))
        .collect();
    assert!(routes.contains(&"/api/v1/connectors/{id}"), "{routes:?}");
    assert!(
        routes.iter().all(|r| !r
            .trim_start_matches("/api/v1")
            .chars()
            .any(|c| c.is_ascii_digit())),
        "no label holds a connector's id: {routes:?}"
    );
    let methods: Vec<&str> = samples
        .iter()
        .filter(|s| s.metric == "bots_status_http_request_duration_seconds")
        .filter_map(|s| label(s, "method"))
        .collect();
    assert!(!methods.contains(&"BREW"), "{methods:?}");
    let histogram = samples
        .iter()
        .find(|s| {
            s.metric == "bots_status_http_request_duration_seconds"
                && label(s, "route") == Some("/api/v1/connectors/{id}")
                && label(s, "status") == Some("200")
        })
        .expect("the reads of one connector");
    assert!(
        matches!(histogram.value, Value::Histogram(3)),
        "three reads: {histogram:?}"
    );
    assert_eq!(
        value(&samples, "bots_status_event_stream_clients", &[]),
        1.0
    );

    drop(stream);
    // The server sees the stream close when it next writes to it, or at its keep-alive:
    // wait for that, bounded.
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let samples = scrape(&api, ADMIN).await;
        if value(&samples, "bots_status_event_stream_clients", &[]) == 0.0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed stream is still counted"
        );
        // Make a change, so the server writes to the closed stream and finds it gone.
        let online = api.first(ConnectorStatus::Online).await;
        api.post(
            &format!("/connectors/{}/actions", online.id.0),
            json!({"action": "restart"}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_scrape_needs_a_token_that_may_use_the_app() {
    let (_server, api) = start(config()).await;
    let url = metrics_url(&api);
    let none = api.client.get(&url).send().await.expect("an answer");
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let unknown = api
        .client
        .get(&url)
        .bearer_auth("not-a-token")
        .send()
        .await
        .expect("an answer");
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let outsider = api
        .client
        .get(&url)
        .bearer_auth(OUTSIDER)
        .send()
        .await
        .expect("an answer");
    assert_eq!(outsider.status(), StatusCode::FORBIDDEN);
    // The event stream's query token opens the stream only, not the metrics.
    let by_query = api
        .client
        .get(format!("{url}?access_token={ADMIN}"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(by_query.status(), StatusCode::UNAUTHORIZED);
    // A developer may use the app, so may scrape.
    scrape(&api, DEVELOPER).await;
}

// Several workers, so the scrapes are answered at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scrapes_at_the_same_time_each_count_the_whole_fleet() {
    let (_server, api) = start(Config {
        fleet: 3000,
        ..config()
    })
    .await;
    let fleet = api.fleet().await.connectors.len();
    for _ in 0..60 {
        let scrapes = (0..16).map(|_| scrape(&api, ADMIN));
        for samples in futures_util::future::join_all(scrapes).await {
            let total: f64 = samples
                .iter()
                .filter(|s| {
                    s.metric == "bots_status_connectors"
                        && label(s, "dimension") == Some("connector")
                })
                .map(|s| number(&s.value))
                .sum();
            assert_eq!(total as usize, fleet, "a scrape saw a part of the counts");
        }
    }
}
