//! What the load runs share.

use std::path::PathBuf;

use bots_status_server::{Config, Server};

/// Prints a load run's table, or says why `name`'s run failed and exits non-zero.
pub fn finish(name: &str, result: Result<String, String>) {
    match result {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("{name}: {e}");
            std::process::exit(1);
        }
    }
}

/// A fresh temporary folder of `name`'s run (and this process), for its database.
pub fn scratch(name: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// The reference server with `config` on a loopback port, and the base of its API.
pub async fn serve(config: Config) -> Result<(Server, String), String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let server = Server::start(config, listener).await?;
    let base = format!("http://{}/api/v1", server.addr);
    Ok((server, base))
}

/// The `q` quantile (0 to 1) of `sorted`.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(((sorted.len() - 1) as f64) * q).round() as usize]
}

/// The table rows of `sorted` latencies in milliseconds: "| action latency, median | 25.6 ms |"
/// and the p95 and the max, for `what` ("action", "report").
pub fn latency_rows(what: &str, sorted: &[f64]) -> String {
    format!(
        "| {what} latency, median | {:.1} ms |\n| {what} latency, p95 | {:.1} ms |\n| {what} latency, max | {:.1} ms |\n",
        percentile(sorted, 0.5),
        percentile(sorted, 0.95),
        sorted.last().copied().unwrap_or(0.0)
    )
}

/// The server's last event id, from `/health`.
pub async fn last_event_id(client: &reqwest::Client, base: &str) -> Result<u64, String> {
    client
        .get(format!("{base}/health"))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json::<serde_json::Value>()
        .await
        .map_err(|e| e.to_string())?["lastEventId"]
        .as_u64()
        .ok_or_else(|| "no lastEventId".to_owned())
}
