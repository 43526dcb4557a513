//! `bots-status-load`: a bounded load run of the reference server on loopback (run by
//! `cargo xtask bench`).
//!
//! Starts the server with a SQLite file, opens many event-stream clients, fires a burst of
//! concurrent actions, then checks that every client saw every change (ids without a gap, up
//! to the last) and that every acknowledged action is in the state a restarted server reads
//! back. Prints throughput and latency as a Markdown table; exits non-zero if anything was lost.

mod shared;

use std::time::{Duration, Instant};

use bots_status_core::api::FleetPage;
use bots_status_core::model::Connector;
use bots_status_core::status::ConnectorStatus;
use bots_status_server::Config;
use clap::Parser;
use futures_util::StreamExt;

/// A bounded load run against the reference server on loopback.
#[derive(Parser, Debug)]
struct Args {
    /// Event-stream clients open during the burst.
    #[arg(long, default_value_t = 200)]
    clients: usize,
    /// Actions in the burst (stop or start, alternating per connector).
    #[arg(long, default_value_t = 2000)]
    actions: usize,
    /// Actions in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Connectors in the fleet.
    #[arg(long, default_value_t = 1000)]
    fleet: usize,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    shared::finish("bots-status-load", run(&args).await);
}

async fn run(args: &Args) -> Result<String, String> {
    let dir = shared::scratch("bots-status-load")?;
    let db = dir.join("fleet.sqlite");
    let config = Config {
        db: Some(db.clone()),
        fleet: args.fleet,
        // Only the burst changes the fleet, so every change is accounted for.
        tick: Duration::from_secs(24 * 3600),
        ..Config::default()
    };
    let (server, base) = shared::serve(config.clone()).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .map_err(|e| e.to_string())?;

    let page: FleetPage = client
        .get(format!("{base}/connectors"))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let start_id = page.last_event_id;
    // Connectors a stop/start cycle always applies to: online or stopped ones.
    let targets: Vec<Connector> = page
        .connectors
        .into_iter()
        .filter(|c| {
            matches!(
                c.state.status(),
                ConnectorStatus::Online | ConnectorStatus::Stopped
            )
        })
        .collect();
    if targets.is_empty() {
        return Err("the fleet has no online or stopped connector".to_owned());
    }

    // The listeners: each checks the ids it sees follow one another, up to the last one.
    let (target, end) = tokio::sync::watch::channel(None);
    let mut listeners = Vec::new();
    for _ in 0..args.clients {
        let response = client
            .get(format!("{base}/events"))
            .header("Last-Event-ID", start_id.to_string())
            .send()
            .await
            .map_err(|e| format!("a stream did not open: {e}"))?;
        listeners.push(tokio::spawn(listen(response, start_id, end.clone())));
    }

    // The burst. Each connector alternates stop and start, beginning with whichever applies,
    // so every action applies; one connector's actions must not overtake each other, so each
    // connector's run is one task. The actions are spread over the connectors round-robin.
    let started = Instant::now();
    let n = targets.len();
    let per_connector: Vec<(u64, Vec<&'static str>)> = targets
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let count = args.actions / n + usize::from(k < args.actions % n);
            let online = c.state.status() == ConnectorStatus::Online;
            let actions = (0..count)
                .map(|round| {
                    if online == round.is_multiple_of(2) {
                        "stop"
                    } else {
                        "start"
                    }
                })
                .collect();
            (c.id.0, actions)
        })
        .filter(|(_, actions): &(u64, Vec<&str>)| !actions.is_empty())
        .collect();
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let mut tasks = Vec::new();
    for (id, actions) in per_connector {
        let client = client.clone();
        let base = base.clone();
        let semaphore = semaphore.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut last_version = None;
            for action in actions {
                let _permit = semaphore.acquire().await.map_err(|e| e.to_string())?;
                let t0 = Instant::now();
                let response = client
                    .post(format!("{base}/connectors/{id}/actions"))
                    .json(&serde_json::json!({ "action": action }))
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status();
                let body: serde_json::Value = response.json().await.map_err(|e| e.to_string())?;
                if !status.is_success() {
                    return Err(format!("{action} on {id} answered {status}: {body}"));
                }
                latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
                last_version = body["version"].as_u64();
            }
            Ok::<_, String>((id, last_version, latencies))
        }));
    }
    let mut latencies = Vec::new();
    let mut acknowledged = Vec::new();
    for task in tasks {
        let (id, version, mut l) = task.await.map_err(|e| e.to_string())??;
        latencies.append(&mut l);
        acknowledged.push((id, version));
    }
    let burst = started.elapsed().as_secs_f64();
    let end_id: u64 = shared::last_event_id(&client, &base).await?;
    let expected = end_id - start_id;

    // Every listener must reach the last id; they get a bounded while to drain.
    let _ = target.send(Some(end_id));
    let mut complete = 0;
    let mut problems = Vec::new();
    for listener in listeners {
        match tokio::time::timeout(Duration::from_secs(60), listener).await {
            Ok(Ok(Ok(last))) if last == end_id => complete += 1,
            Ok(Ok(Ok(last))) => problems.push(format!("a client stopped at {last} of {end_id}")),
            Ok(Ok(Err(e))) => problems.push(e),
            Ok(Err(e)) => problems.push(e.to_string()),
            Err(_) => problems.push("a client did not get every change within 60 s".to_owned()),
        }
    }
    let drained = started.elapsed().as_secs_f64();

    // A restarted server reads back every acknowledged action.
    server.stop().await;
    let (restarted, base) = shared::serve(config).await?;
    let reloaded: FleetPage = client
        .get(format!("{base}/connectors"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let mut lost = 0;
    for (id, version) in &acknowledged {
        let now = reloaded
            .connectors
            .iter()
            .find(|c| c.id.0 == *id)
            .map(|c| c.version);
        if now != *version {
            lost += 1;
            problems.push(format!(
                "connector {id}: acknowledged version {version:?}, read back {now:?}"
            ));
        }
    }
    if reloaded.last_event_id != end_id {
        problems.push(format!(
            "last event id {end_id} acknowledged, {} read back",
            reloaded.last_event_id
        ));
    }
    restarted.stop().await;
    let _ = std::fs::remove_dir_all(&dir);

    latencies.sort_by(f64::total_cmp);
    let mut report = format!(
        "Reference server load run: {} connectors, {} event-stream clients, {} actions ({} at a time), loopback, SQLite with synchronous=FULL\n\n",
        args.fleet, args.clients, args.actions, args.concurrency
    );
    report.push_str("| measure | value |\n| --- | ---: |\n");
    report.push_str(&format!(
        "| actions per second | {:.0} |\n",
        args.actions as f64 / burst
    ));
    report.push_str(&shared::latency_rows("action", &latencies));
    report.push_str(&format!(
        "| events delivered (changes × clients) | {} in {:.2} s |\n",
        expected * args.clients as u64,
        drained
    ));
    report.push_str(&format!(
        "| clients that saw every change, in order, no gap | {complete} of {} |\n",
        args.clients
    ));
    report.push_str(&format!(
        "| acknowledged actions lost after a restart | {lost} of {} connectors checked |\n",
        acknowledged.len()
    ));
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(format!("{report}\n{}", problems.join("\n")))
    }
}

/// Reads one event stream, checking ids follow one another, until it has seen the id `target`
/// comes to hold; returns the last id it saw.
async fn listen(
    response: reqwest::Response,
    after: u64,
    mut target: tokio::sync::watch::Receiver<Option<u64>>,
) -> Result<u64, String> {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut last = after;
    loop {
        if target.borrow().is_some_and(|end| last >= end) {
            return Ok(last);
        }
        let chunk = tokio::select! {
            chunk = body.next() => match chunk {
                Some(chunk) => chunk,
                None => return Ok(last),
            },
            changed = target.changed() => {
                changed.map_err(|e| e.to_string())?;
                continue;
            }
        };
        let chunk = chunk.map_err(|e| e.to_string())?;
        buffer.push_str(std::str::from_utf8(&chunk).map_err(|e| e.to_string())?);
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            for line in block.lines() {
                if let Some(id) = line.strip_prefix("id:") {
                    let id: u64 = id.trim().parse().map_err(|_| "a bad id".to_owned())?;
                    if id != last + 1 {
                        return Err(format!("a gap: {last} then {id}"));
                    }
                    last = id;
                }
            }
        }
    }
}
