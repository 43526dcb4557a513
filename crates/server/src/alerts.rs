//! Webhook alerts (`--webhook URL`): a JSON POST when a problem of Production opens (a
//! connector Not Connected, a bot without failover, a bot over capacity; the core's
//! [`bots_status_core::alerts`]) and when it recovers — once each, however often the fleet
//! changes in between.
//!
//! A watcher compares each committed state with the last (at most every [`CHECK`], and only
//! when something changed), so the API never waits for an alert. Each webhook has its own
//! queue, delivered in order, each delivery retried with backoff until the receiver answers
//! 2xx or [`ATTEMPTS`] tries have failed. With a shared secret each body is signed:
//! `X-Bots-Status-Signature: sha256=<hex HMAC-SHA256 of the body>`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bots_status_core::alerts::Alert;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::fleet::Fleet;
use crate::metrics::Metrics;

/// How often the watcher looks for a changed fleet.
const CHECK: Duration = Duration::from_secs(1);
/// Tries per delivery, the first included; the waits between them double from
/// [`FIRST_RETRY`] up to [`LONGEST_WAIT`] (about four minutes in all).
const ATTEMPTS: u32 = 12;
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LONGEST_WAIT: Duration = Duration::from_secs(60);
/// How long a receiver has to answer one try.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries waiting per webhook; past it the newest is dropped and logged.
const QUEUE: usize = 1024;

/// Where alerts go, and the secret that signs them.
#[derive(Clone, Debug, Default)]
pub struct Webhooks {
    pub urls: Vec<String>,
    pub secret: Option<String>,
}

impl Webhooks {
    /// Refuses what could never be delivered: only `http://` and `https://` URLs.
    pub fn check(&self) -> Result<(), String> {
        for url in &self.urls {
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| format!("--webhook {url} is not a URL: {e}"))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
                return Err(format!(
                    "--webhook {url} must be an http:// or https:// URL with a host"
                ));
            }
        }
        if self.secret.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return Err("the webhook secret is empty".to_owned());
        }
        Ok(())
    }
}

/// What a receiver gets.
#[derive(Debug, Serialize)]
struct Delivery<'a> {
    /// Increases by one per alert this server sends (opened and recovered alike).
    delivery: u64,
    /// "opened" or "recovered".
    event: &'static str,
    alert: &'a Alert,
    environment: &'static str,
    /// The sentence of the problem as it opened.
    message: &'a str,
    /// When the server saw it, RFC 3339 UTC.
    at: String,
}

/// Starts watching `fleet` and delivering to every webhook; the handles stop it.
pub fn start(fleet: Arc<Fleet>, hooks: &Webhooks) -> Vec<JoinHandle<()>> {
    if hooks.urls.is_empty() {
        return Vec::new();
    }
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    let mut tasks = Vec::new();
    let mut queues = Vec::new();
    for url in &hooks.urls {
        let (tx, rx) = mpsc::channel(QUEUE);
        queues.push((url.clone(), tx));
        tasks.push(tokio::spawn(deliver(
            client.clone(),
            url.clone(),
            hooks.secret.clone(),
            rx,
            fleet.metrics().clone(),
        )));
    }
    tasks.push(tokio::spawn(watch(fleet, queues)));
    tasks
}

type Queue = mpsc::Sender<Arc<(String, Vec<u8>)>>;

async fn watch(fleet: Arc<Fleet>, queues: Vec<(String, Queue)>) {
    // Each open problem with the sentence it opened with.
    let mut open: BTreeMap<Alert, String> = BTreeMap::new();
    let mut seen = None;
    let mut delivery = 0;
    let mut interval = tokio::time::interval(CHECK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let last = fleet.last_event_id();
        if seen == Some(last) {
            continue;
        }
        seen = Some(last);
        // A pass over the whole fleet: off the async workers, like a scrape.
        let reading = fleet.clone();
        let Ok(now) = tokio::task::spawn_blocking(move || reading.open_alerts()).await else {
            tracing::error!("the open problems could not be read; trying again");
            seen = None;
            continue;
        };
        let mut counts = BTreeMap::new();
        for alert in now.keys() {
            *counts.entry(alert.kind()).or_default() += 1;
        }
        fleet.metrics().alerts_open(&counts);
        let at = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
        let mut bodies = Vec::new();
        let mut body = |event: &'static str, alert: &Alert, message: &str| {
            delivery += 1;
            let delivery = Delivery {
                delivery,
                event,
                alert,
                environment: "Production",
                message,
                at: at.clone(),
            };
            match serde_json::to_vec(&delivery) {
                Ok(bytes) => bodies.push(Arc::new((event.to_owned(), bytes))),
                Err(e) => tracing::error!(error = %e, "an alert could not be written"),
            }
        };
        for (alert, message) in &open {
            if !now.contains_key(alert) {
                body("recovered", alert, message);
            }
        }
        for (alert, message) in &now {
            if !open.contains_key(alert) {
                body("opened", alert, message);
            }
        }
        for body in bodies {
            for (url, queue) in &queues {
                if queue.try_send(body.clone()).is_err() {
                    tracing::error!(%url, "webhook queue full: an alert was dropped");
                }
            }
        }
        open = now
            .into_iter()
            .map(|(alert, message)| {
                let message = open.remove(&alert).unwrap_or(message);
                (alert, message)
            })
            .collect();
    }
}

fn signature(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        // HMAC takes a key of any length.
        return String::new();
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

async fn deliver(
    client: reqwest::Client,
    url: String,
    secret: Option<String>,
    mut queue: mpsc::Receiver<Arc<(String, Vec<u8>)>>,
    metrics: Arc<Metrics>,
) {
    while let Some(item) = queue.recv().await {
        let (event, body) = &*item;
        let mut wait = FIRST_RETRY;
        for attempt in 1..=ATTEMPTS {
            let mut request = client
                .post(&url)
                .header("content-type", "application/json")
                .header("x-bots-status-event", event.as_str())
                .body(body.clone());
            if let Some(secret) = &secret {
                request = request.header("x-bots-status-signature", signature(secret, body));
            }
            match request.send().await {
                Ok(answer) if answer.status().is_success() => {
                    metrics.webhook_try("delivered");
                    break;
                }
                Ok(answer) => {
                    tracing::warn!(%url, attempt, status = %answer.status(), "webhook refused an alert")
                }
                Err(e) => tracing::warn!(%url, attempt, error = %e, "webhook unreachable"),
            }
            if attempt == ATTEMPTS {
                metrics.webhook_try("given_up");
                tracing::error!(%url, "webhook: an alert was given up after {ATTEMPTS} tries");
                break;
            }
            metrics.webhook_try("failed");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(LONGEST_WAIT);
        }
    }
}
