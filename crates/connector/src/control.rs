//! The control plane's side of the process: the order stream, the reports, and which run is
//! going on.

use std::time::Duration;

use bots_status_core::protocol::{Desired, Report, ReportedStatus};
use futures_util::StreamExt;
use reqwest::StatusCode;
use tokio::sync::watch;

use crate::Args;
use crate::run;

/// How the order stream ended, when it did.
#[derive(Clone, Copy)]
enum Ended {
    /// The connector was deleted: the process has nothing more to do.
    Gone,
    /// The token is not known (any more).
    Refused,
}

/// Follows the orders until the connector is deleted (`Ok`) or the token is refused (`Err`).
pub async fn follow(args: Args, token: String) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        // The server closes a keep-alive connection that sat idle for 10 s; a heartbeat of 10 s
        // would race it on a pooled one.
        .pool_idle_timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
    let base = format!("{}/api/v1", args.control_plane.trim_end_matches('/'));
    let (orders_tx, mut orders) = watch::channel::<Option<Desired>>(None);
    let (observed_tx, observed) = watch::channel(run::stopped(0));
    let (ended_tx, mut ended) = watch::channel::<Option<Ended>>(None);

    // The order stream, reconnected with backoff; it ends the process when it ends.
    let stream = tokio::spawn({
        let (client, base, token, args) =
            (client.clone(), base.clone(), token.clone(), args.clone());
        async move {
            let mut attempt = 0;
            loop {
                match read_orders(&client, &base, &token, &orders_tx).await {
                    Ok(end) => {
                        let _ = ended_tx.send(Some(end));
                        return;
                    }
                    Err(e) => {
                        eprintln!("bots-status-connector: the order stream: {e}; reconnecting");
                        attempt += 1;
                        tokio::time::sleep(run::backoff(attempt, args.max_backoff())).await;
                    }
                }
            }
        }
    });
    // The reports: at every change, and every heartbeat.
    let reporter = tokio::spawn(report(
        client.clone(),
        base.clone(),
        token.clone(),
        observed,
        orders.clone(),
    ));

    let mut current: Option<run::Running> = None;
    let outcome = loop {
        tokio::select! {
            changed = orders.changed() => if changed.is_err() { break Ok("the order stream ended".to_owned()) },
            _ = ended.changed() => {
                let end = *ended.borrow();
                break match end {
                    Some(Ended::Refused) => Err("the control plane does not know this connector token: it was replaced by a newer one, its connector was deleted, or it was never issued".to_owned()),
                    Some(Ended::Gone) | None => Ok("the connector was deleted".to_owned()),
                };
            }
        }
        let Some(desired) = orders.borrow_and_update().clone() else {
            continue;
        };
        let same_run = current
            .as_ref()
            .is_some_and(|r| r.generation == desired.generation);
        if desired.run && !same_run {
            if let Some(old) = current.take() {
                old.stop().await;
            }
            current = Some(run::start(
                desired,
                args.clone(),
                client.clone(),
                observed_tx.clone(),
            ));
        } else if !desired.run {
            if let Some(old) = current.take() {
                old.stop().await;
            }
            // Conversations in progress are left as they are.
            observed_tx.send_if_modified(|o| {
                let stopped = Report {
                    conversations: o.conversations,
                    ..run::stopped(desired.generation)
                };
                let moved = *o != stopped;
                *o = stopped;
                moved
            });
        }
    };
    if let Some(run) = current.take() {
        run.stop().await;
    }
    stream.abort();
    reporter.abort();
    outcome
}

/// Reads the order stream until it ends: every `desired` event goes to `orders`.
async fn read_orders(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    orders: &watch::Sender<Option<Desired>>,
) -> Result<Ended, String> {
    let response = client
        .get(format!("{base}/connector/orders"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    match response.status() {
        StatusCode::OK => {}
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => return Ok(Ended::Refused),
        other => return Err(format!("it answered {other}")),
    }
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let (mut kind, mut data) = (String::new(), String::new());
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    kind = v.trim().to_owned();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            match kind.as_str() {
                "desired" => match serde_json::from_str::<Desired>(&data) {
                    Ok(desired) => {
                        orders.send_if_modified(|o| {
                            let moved = o.as_ref() != Some(&desired);
                            *o = Some(desired);
                            moved
                        });
                    }
                    Err(e) => eprintln!("bots-status-connector: an order it cannot read: {e}"),
                },
                "gone" => return Ok(Ended::Gone),
                _ => {}
            }
        }
    }
    Err("the control plane closed the order stream".to_owned())
}

/// Sends what the process finds: at once on each change, else every heartbeat. A report that
/// cannot be delivered is sent again (the newest one) at the next heartbeat.
async fn report(
    client: reqwest::Client,
    base: String,
    token: String,
    mut observed: watch::Receiver<Report>,
    orders: watch::Receiver<Option<Desired>>,
) {
    loop {
        let heartbeat = orders
            .borrow()
            .as_ref()
            .map_or(10_000, |d| d.heartbeat_ms.max(100));
        let now = observed.borrow_and_update().clone();
        // Nothing to say before the first orders: the run is not known yet.
        if orders.borrow().is_some() {
            let sent = client
                .post(format!("{base}/connector/report"))
                .bearer_auth(&token)
                .timeout(Duration::from_millis(heartbeat.max(1_000)))
                .json(&now)
                .send()
                .await;
            match sent {
                // The answer carries the orders as of this report, but the stream's are newer
                // when both are at hand: an answer overtaken by a Start would undo it. So this
                // process follows the stream alone.
                Ok(response) if response.status().is_success() => {}
                // Another run than the control plane's: its orders are on their way.
                Ok(response) if response.status() == StatusCode::CONFLICT => {}
                Ok(response) => {
                    let status = response.status();
                    let text = response.text().await.unwrap_or_default();
                    if now.status != ReportedStatus::Stopped
                        || status != StatusCode::UNPROCESSABLE_ENTITY
                    {
                        eprintln!("bots-status-connector: a report was refused ({status}): {text}");
                    }
                }
                Err(e) => eprintln!("bots-status-connector: a report was not delivered: {e}"),
            }
        }
        tokio::select! {
            changed = observed.changed() => if changed.is_err() { return },
            () = tokio::time::sleep(Duration::from_millis(heartbeat)) => {}
        }
    }
}
