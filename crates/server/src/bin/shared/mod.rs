//! What the load runs share.

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
