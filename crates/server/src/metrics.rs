//! `GET /metrics`: the fleet and the server in the Prometheus text format, for the monitoring
//! an operations team already runs. The exposition is the `prometheus` crate's (TiKV's, the
//! most used Rust client): its `TextEncoder` writes format 0.0.4, which every Prometheus
//! version scrapes, and its registry checks names and label sets as they are registered.
//!
//! The connector counts are taken from the committed fleet at each scrape (one pass over it,
//! nothing kept between scrapes that could drift); actions, requests and stream clients are
//! counted as they happen.

use std::collections::BTreeMap;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use bots_status_core::api::{ApiError, ErrorCode};
use bots_status_core::lifecycle::ActionKind;
use bots_status_core::model::Connector;
use bots_status_core::status::StatusValue;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// The request latency buckets, in seconds: a read takes a millisecond, a saved write tens.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// What an action came to, as the `result` label says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The lifecycle, the validation, the permissions or a version check said no.
    Refused,
    /// The server could not do it (storage full or locked, a failure while writing).
    Failed,
}

impl Outcome {
    pub fn of<T>(result: &Result<T, ApiError>) -> Outcome {
        match result {
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::of_error(e),
        }
    }

    pub fn of_error(error: &ApiError) -> Outcome {
        match error.code {
            ErrorCode::Internal | ErrorCode::Unavailable => Outcome::Failed,
            _ => Outcome::Refused,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// The `action` label of a connector action.
pub fn action_label(kind: ActionKind) -> &'static str {
    kind.slug()
}

pub struct Metrics {
    registry: Registry,
    /// Held from setting the connector counts to reading them back, so that two scrapes at
    /// once never see each other's half-set counts.
    scrape: std::sync::Mutex<()>,
    connectors: IntGaugeVec,
    actions: IntCounterVec,
    stream_clients: IntGauge,
    requests: HistogramVec,
    alerts_open: IntGaugeVec,
    webhook_tries: IntCounterVec,
    reports: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some("bots_status".to_owned()), None)?;
        let connectors = IntGaugeVec::new(
            Opts::new(
                "connectors",
                "Connectors by environment and status, once per status dimension (connector, cloud, bot_server); status is the label the app shows.",
            ),
            &["environment", "dimension", "status"],
        )?;
        let actions = IntCounterVec::new(
            Opts::new(
                "actions_total",
                "Operator actions on connectors (one per connector of a bulk action) by kind and result: done, refused or failed.",
            ),
            &["action", "result"],
        )?;
        let stream_clients = IntGauge::new(
            "event_stream_clients",
            "Clients following the event stream (GET /api/v1/events) now.",
        )?;
        let requests = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "The time to answer an HTTP request, by method, route and status code.",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route", "status"],
        )?;
        let alerts_open = IntGaugeVec::new(
            Opts::new(
                "alerts_open",
                "Problems of Production open now, by kind (NotConnected, FailoverLost, OverCapacity); counted while webhooks are set.",
            ),
            &["kind"],
        )?;
        let webhook_tries = IntCounterVec::new(
            Opts::new(
                "webhook_tries_total",
                "Tries to deliver an alert to a webhook, by result: delivered (2xx), failed (another answer or none; tried again), given_up (the last try failed).",
            ),
            &["result"],
        )?;
        let reports = IntCounterVec::new(
            Opts::new(
                "reports_total",
                "Reports received from real connector processes (docs/connector-protocol.md), by result: accepted (heartbeats included), refused (the reason is in the answer) or failed (not saved).",
            ),
            &["result"],
        )?;
        for result in ["accepted", "refused", "failed"] {
            reports.with_label_values(&[result]);
        }
        registry.register(Box::new(reports.clone()))?;
        registry.register(Box::new(connectors.clone()))?;
        registry.register(Box::new(alerts_open.clone()))?;
        registry.register(Box::new(webhook_tries.clone()))?;
        registry.register(Box::new(actions.clone()))?;
        registry.register(Box::new(stream_clients.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        Ok(Metrics {
            registry,
            scrape: std::sync::Mutex::new(()),
            connectors,
            actions,
            stream_clients,
            requests,
            alerts_open,
            webhook_tries,
            reports,
        })
    }

    /// Counts `n` actions of `kind` that came to `outcome`.
    pub fn action(&self, kind: &str, outcome: Outcome, n: u64) {
        self.actions
            .with_label_values(&[kind, outcome.label()])
            .inc_by(n);
    }

    /// How many problems of each kind are open now.
    pub fn alerts_open(&self, counts: &BTreeMap<&'static str, i64>) {
        for kind in ["NotConnected", "FailoverLost", "OverCapacity"] {
            self.alerts_open
                .with_label_values(&[kind])
                .set(counts.get(kind).copied().unwrap_or(0));
        }
    }

    /// One try to deliver an alert: "delivered", "failed" or "given_up".
    pub fn webhook_try(&self, result: &str) {
        self.webhook_tries.with_label_values(&[result]).inc();
    }

    /// One report of a connector process: "accepted", "refused" or "failed".
    pub fn report(&self, result: &str) {
        self.reports.with_label_values(&[result]).inc();
    }

    /// A client follows the event stream until the guard is dropped.
    pub fn stream_client(&self) -> StreamClient {
        self.stream_clients.inc();
        StreamClient(self.stream_clients.clone())
    }

    /// The text of a scrape, with the connector counts of `connectors`.
    pub fn render(&self, connectors: &[Connector]) -> String {
        // Counted apart first: a few dozen series, set once each, rather than three labelled
        // increments per connector (100,000 of them at most).
        let mut counts: BTreeMap<[&'static str; 3], i64> = BTreeMap::new();
        for c in connectors {
            let environment = c.environment().label();
            let shown = c.state.statuses();
            for (dimension, status) in [
                ("connector", shown.connector.label()),
                ("cloud", shown.cloud.label()),
                ("bot_server", shown.bot_server.label()),
            ] {
                *counts.entry([environment, dimension, status]).or_default() += 1;
            }
        }
        // Nothing is left half-done under the lock, so a poisoned one is as good as any.
        let _scraping = self
            .scrape
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.connectors.reset();
        for (labels, n) in counts {
            self.connectors.with_label_values(&labels).set(n);
        }
        let mut text = Vec::new();
        // Encoding into memory fails only on a metric the registry would not have taken.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut text) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        String::from_utf8_lossy(&text).into_owned()
    }
}

/// Counts one event-stream client while it lives.
pub struct StreamClient(IntGauge);

impl Drop for StreamClient {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Middleware: the latency of every request, by its route's pattern (`/api/v1/connectors/{id}`,
/// never the path itself, so the label set stays small), or "unmatched".
pub async fn time_requests(
    axum::extract::State(metrics): axum::extract::State<std::sync::Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    // A client may send any method: only the ones the API knows get a label of their own.
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::HEAD => "HEAD",
        _ => "other",
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    metrics
        .requests
        .with_label_values(&[method, route.as_str(), response.status().as_str()])
        .observe(started.elapsed().as_secs_f64());
    response
}
