//! `bots-status-report-load`: a bounded load run of the connector protocol on loopback (run
//! by `cargo xtask bench`).
//!
//! Starts the server with a SQLite file and no simulated fleet, adds the connectors, issues
//! each a connector token and starts it, then has each report every heartbeat for the run's
//! length (every report a change of its conversations, so each must reach the stream). It
//! checks that every report that changed something is on the event stream, and that no
//! connector was timed out while it reported. Prints reports per second and latency as a
//! Markdown table; exits non-zero if a report was lost or a connector falsely timed out.

mod shared;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bots_status_core::simulator::Change;
use bots_status_core::troubleshooting::Problem;
use bots_status_server::Config;
use clap::Parser;
use futures_util::StreamExt;
use serde_json::{Value, json};

/// A bounded load run of the connector protocol against the reference server on loopback.
#[derive(Parser, Debug)]
struct Args {
    /// Connectors reporting.
    #[arg(long, default_value_t = 200)]
    connectors: usize,
    /// How long they report, in seconds.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// The heartbeat, in milliseconds: each connector reports this often.
    #[arg(long, default_value_t = 1000)]
    heartbeat_ms: u64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    shared::finish("bots-status-report-load", run(&args).await);
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    body: Value,
) -> Result<Value, String> {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(format!("{url} answered {status}: {body}"));
    }
    Ok(body)
}

async fn run(args: &Args) -> Result<String, String> {
    let dir = shared::scratch("bots-status-report-load")?;
    let config = Config {
        db: Some(dir.join("fleet.sqlite")),
        fleet: 0,
        heartbeat: Duration::from_millis(args.heartbeat_ms),
        tick: Duration::from_millis(200),
        ..Config::default()
    };
    let (server, base) = shared::serve(config).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connectors)
        .build()
        .map_err(|e| e.to_string())?;

    let agents = [
        ("31487985", "spare-bot-0-0"),
        ("31487985", "spare-bot-0-1"),
        ("70071528", "spare-bot-1-0"),
        ("70071528", "spare-bot-1-1"),
    ];
    let mut tokens = Vec::new();
    for i in 0..args.connectors {
        let (account, agent) = agents[i % agents.len()];
        let added = post(
            &client,
            &format!("{base}/connectors"),
            None,
            json!({
            "bot": {"id": format!("load-{}", i / 4), "name": format!("Load bot {}", i / 4)},
            "settings": {"account": account, "agent_user_id": agent, "role": "Agent",
                "conversation_type": "Messaging", "environment": "Demo",
                "advanced": {"fallback_skill_id": null, "external_webhook_url": null,
                             "custom_config": [], "accessibility": false}}}),
        )
        .await?;
        let id = added["id"].as_u64().ok_or("no id")?;
        let issued = post(
            &client,
            &format!("{base}/connectors/{id}/token"),
            None,
            json!({}),
        )
        .await?;
        let token = issued["token"].as_str().ok_or("no token")?.to_owned();
        post(
            &client,
            &format!("{base}/connectors/{id}/actions"),
            None,
            json!({"action": "start"}),
        )
        .await?;
        tokens.push((id, token));
    }
    let start_id: u64 = shared::last_event_id(&client, &base).await?;
    let stream = client
        .get(format!("{base}/events"))
        .header("Last-Event-ID", start_id.to_string())
        .send()
        .await
        .map_err(|e| format!("the stream did not open: {e}"))?;
    let (end_tx, end) = tokio::sync::watch::channel(None);
    let watcher = tokio::spawn(watch(stream, start_id, end));

    // Each connector reports every heartbeat, its first one a moment apart from the others'.
    let started = Instant::now();
    let until = started + Duration::from_secs(args.seconds);
    let heartbeat = Duration::from_millis(args.heartbeat_ms);
    let mut tasks = Vec::new();
    for (k, (id, token)) in tokens.into_iter().enumerate() {
        let client = client.clone();
        let url = format!("{base}/connector/report");
        let offset = heartbeat.mul_f64(k as f64 / args.connectors.max(1) as f64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(offset).await;
            let mut next = Instant::now();
            let (mut latencies, mut changed, mut sent) = (Vec::new(), 0u64, 0u64);
            let mut round = 0u32;
            while Instant::now() < until {
                round += 1;
                let t0 = Instant::now();
                let body = json!({"generation": 2, "status": "Online", "cloud": "Connected",
                    "botServer": "Connected", "conversations": round % 7});
                let answer = post(&client, &url, Some(&token), body).await?;
                latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
                sent += 1;
                if answer["changed"] == true {
                    changed += 1;
                }
                next += heartbeat;
                tokio::time::sleep_until(next.into()).await;
            }
            Ok::<_, String>((id, sent, changed, latencies))
        }));
    }
    let mut latencies = Vec::new();
    let mut changed_by: HashMap<u64, u64> = HashMap::new();
    let mut sent = 0;
    for task in tasks {
        let (id, s, c, mut l) = task.await.map_err(|e| e.to_string())??;
        sent += s;
        changed_by.insert(id, c);
        latencies.append(&mut l);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let end_id: u64 = shared::last_event_id(&client, &base).await?;
    let _ = end_tx.send(Some(end_id));
    let seen = tokio::time::timeout(Duration::from_secs(60), watcher)
        .await
        .map_err(|_| "the stream did not reach the last change within 60 s".to_owned())?
        .map_err(|e| e.to_string())??;
    server.stop().await;
    let _ = std::fs::remove_dir_all(&dir);

    let mut problems = Vec::new();
    let reflected: u64 = changed_by
        .iter()
        .map(|(id, changed)| {
            let on_stream = seen.changes.get(id).copied().unwrap_or(0);
            // The first report's change is a whole connector (Starting to Online); the rest
            // are load updates: each one a change on the stream.
            if on_stream < *changed {
                problems.push(format!("connector {id}: {changed} reports changed it, {on_stream} changes on the stream"));
            }
            on_stream.min(*changed)
        })
        .sum();
    let total_changed: u64 = changed_by.values().sum();
    if !seen.timed_out.is_empty() {
        problems.push(format!(
            "falsely timed out while reporting: {:?}",
            seen.timed_out
        ));
    }
    latencies.sort_by(f64::total_cmp);
    let mut report = format!(
        "Connector protocol load run: {} connectors reporting every {} ms for {} s, loopback, SQLite with synchronous=FULL\n\n",
        args.connectors, args.heartbeat_ms, args.seconds
    );
    report.push_str("| measure | value |\n| --- | ---: |\n");
    report.push_str(&format!(
        "| reports per second | {:.0} |\n",
        sent as f64 / elapsed
    ));
    report.push_str(&shared::latency_rows("report", &latencies));
    report.push_str(&format!(
        "| reports that changed a connector, on the stream | {reflected} of {total_changed} |\n"
    ));
    report.push_str(&format!(
        "| connectors falsely timed out | {} of {} |\n",
        seen.timed_out.len(),
        args.connectors
    ));
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(format!("{report}\n{}", problems.join("\n")))
    }
}

/// What the event stream showed.
struct Seen {
    /// Changes of each connector.
    changes: HashMap<u64, u64>,
    /// Connectors the stream showed Not Connected for want of a report.
    timed_out: Vec<u64>,
}

async fn watch(
    response: reqwest::Response,
    after: u64,
    mut end: tokio::sync::watch::Receiver<Option<u64>>,
) -> Result<Seen, String> {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut last = after;
    let mut seen = Seen {
        changes: HashMap::new(),
        timed_out: Vec::new(),
    };
    loop {
        if end.borrow().is_some_and(|e| last >= e) {
            return Ok(seen);
        }
        let chunk = tokio::select! {
            chunk = body.next() => match chunk {
                Some(chunk) => chunk.map_err(|e| e.to_string())?,
                None => return Err("the stream ended".to_owned()),
            },
            changed = end.changed() => {
                changed.map_err(|e| e.to_string())?;
                continue;
            }
        };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(at) = buffer.find("\n\n") {
            let block: String = buffer.drain(..at + 2).collect();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(id) = line.strip_prefix("id:") {
                    last = id.trim().parse().map_err(|_| "a bad id".to_owned())?;
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            match serde_json::from_str::<Change>(&data) {
                Ok(Change::Load { id, .. }) => *seen.changes.entry(id.0).or_default() += 1,
                Ok(Change::Connector(c)) => {
                    *seen.changes.entry(c.id.0).or_default() += 1;
                    if let bots_status_core::ConnectorState::NotConnected {
                        problem: Problem::NoReport { .. },
                        ..
                    } = c.state
                    {
                        seen.timed_out.push(c.id.0);
                    }
                }
                _ => {}
            }
        }
    }
}
