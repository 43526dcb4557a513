//! `cargo xtask bench`: the release build in headless Chromium with a 10,000-connector fleet,
//! then a load run of the reference server (`bots-status-load`).
//!
//! Each interaction is timed inside the page, from the input event to the moment every effect
//! has run and layout is done (a macrotask after the event, then a forced layout). Timing is
//! reported, never asserted: these machines are shared and noisy.

use std::io::Write;

use crate::browser::Driver;
use crate::run::command;
use crate::setup::setup;
use crate::static_server;

const FLEET: usize = 10_000;
const RUNS: usize = 25;
const PAINT_RUNS: usize = 5;
/// One frame at 60 Hz.
const FRAME_MS: f64 = 16.7;

/// Shared helpers for the in-page measurements.
const PRELUDE: &str = r#"
const done = arguments[arguments.length - 1];
const macrotask = () => new Promise(r => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
async function measure(act) {
  await frame();
  const t0 = performance.now();
  act();
  await macrotask();
  void document.body.offsetHeight;
  return performance.now() - t0;
}
function field(label) {
  for (const l of document.querySelectorAll('.bs-app label')) {
    const span = l.querySelector('.bs-field__label');
    if (span && span.textContent.trim() === label) return l.querySelector('input, select');
  }
  throw new Error('no field ' + label);
}
function header(text) {
  for (const b of document.querySelectorAll('.bs-app thead th button')) if (b.textContent.trim().replace(/[▲▼]/g, '') === text) return b;
  throw new Error('no column ' + text);
}
function button(text) {
  for (const b of document.querySelectorAll('.bs-app button')) if (b.textContent.trim().startsWith(text)) return b;
  throw new Error('no button ' + text);
}
"#;

pub fn bench() -> Result<(), String> {
    let tools = setup()?;
    command("trunk", &["build", "--release"], &tools.path)?;
    let port = static_server::serve(&tools.root.join("dist"))?;
    let url = format!("http://127.0.0.1:{port}/?fleet={FLEET}&bench=1&speed=1");
    let driver = Driver::start(&tools)?;
    let session = driver.session(1400, 900)?;

    let mut paint = Vec::new();
    for _ in 0..PAINT_RUNS {
        session.navigate(&url)?;
        let ms = session.execute_async(
            &format!(
                "{PRELUDE}
                 (async () => {{
                   while (!/^[0-9]+$/.test((document.querySelector('.bs-metric__value') || {{}}).textContent || '')) await frame();
                   done(performance.now());
                 }})().catch(e => done('error: ' + e));"
            ),
            60_000,
        )?;
        paint.push(number(&ms)?);
    }

    let interactions = session.execute_async(
        &format!(
            "{PRELUDE}
             (async () => {{
               button('Bot Agents').click();
               while (document.querySelectorAll('.bs-row').length === 0) await frame();
               const runs = {RUNS};
               const out = {{ filter: [], sort: [], selectAll: [], batch: [] }};
               const search = field('Search');
               const words = ['b', 'bi', 'bil', 'bill', 'billi', 'billin', 'billing', ''];
               for (let i = 0; i < runs; i++) out.filter.push(await measure(() => {{
                 search.value = words[i % words.length];
                 search.dispatchEvent(new Event('input', {{ bubbles: true }}));
               }}));
               search.value = ''; search.dispatchEvent(new Event('input', {{ bubbles: true }})); await macrotask();
               for (let i = 0; i < runs; i++) out.sort.push(await measure(() => header(i % 2 ? 'Bot' : 'Conversations').click()));
               const all = document.querySelector('input[aria-label=\"Select all shown connectors\"]');
               for (let i = 0; i < runs; i++) out.selectAll.push(await measure(() => all.click()));
               for (let i = 0; i < runs; i++) out.batch.push(await measure(() => window.botsStatusBench.burst({batch})));
               out.rows = document.querySelector('.bs-count').textContent;
               done(out);
             }})().catch(e => done('error: ' + e));",
            batch = FLEET / 100
        ),
        300_000,
    )?;
    if let Some(err) = interactions.as_str() {
        return Err(format!("the benchmark script failed: {err}"));
    }

    let mut report = String::new();
    report.push_str(&format!(
        "Bots Status benchmark: release build, {FLEET} connectors, headless Chromium, {RUNS} runs each ({PAINT_RUNS} for first paint)\n\n"
    ));
    report.push_str("| measure | median | p95 | goal |\n| --- | ---: | ---: | --- |\n");
    let mut row = |name: &str, samples: &mut Vec<f64>, goal: f64| {
        samples.sort_by(f64::total_cmp);
        let (median, p95) = (percentile(samples, 0.5), percentile(samples, 0.95));
        let verdict = if p95 <= goal { "met" } else { "missed" };
        report.push_str(&format!(
            "| {name} | {median:.1} ms | {p95:.1} ms | ≤ {goal:.1} ms ({verdict}) |\n"
        ));
    };
    row(
        "first paint of the dashboard after navigation",
        &mut paint,
        1000.0,
    );
    for (key, name) in [
        ("filter", "filter keystroke to repaint"),
        ("sort", "sort"),
        ("selectAll", "select-all"),
        ("batch", "backend batch updating 1% of statuses"),
    ] {
        let mut samples: Vec<f64> = interactions[key]
            .as_array()
            .ok_or_else(|| format!("no samples for {key}"))?
            .iter()
            .filter_map(serde_json::Value::as_f64)
            .collect();
        row(name, &mut samples, FRAME_MS);
    }
    report.push_str("\n| shipped file | bytes | gzip -9 |\n| --- | ---: | ---: |\n");
    let dist = tools.root.join("dist");
    let mut files = shipped_files(&dist)?;
    files.sort();
    let (mut raw_total, mut gz_total) = (0, 0);
    for path in files {
        let bytes =
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let gz = gzip_len(&bytes)?;
        raw_total += bytes.len();
        gz_total += gz;
        let name = path
            .strip_prefix(&dist)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        report.push_str(&format!("| {name} | {} | {gz} |\n", bytes.len()));
    }
    report.push_str(&format!("| **total** | {raw_total} | **{gz_total}** |\n"));
    println!("\n{report}");

    // The reference server under load: many event streams and a burst of actions; it fails
    // (unlike the timings) if any client missed a change or a restart lost an acknowledged one.
    println!("Load run of the reference server (crates/server, release build):\n");
    command(
        "cargo",
        &[
            "run",
            "--release",
            "--quiet",
            "-p",
            "bots-status-server",
            "--bin",
            "bots-status-load",
        ],
        &tools.path,
    )
    .map_err(|e| format!("the load run found a problem: {e}"))?;
    Ok(())
}

/// Every file the app's users download from `dist` (the JS snippets included), but not the
/// example host page in `dist/embed/`.
fn shipped_files(dir: &std::path::Path) -> Result<Vec<std::path::PathBuf>, String> {
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "embed") {
                files.extend(shipped_files(&path)?);
            }
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

fn number(v: &serde_json::Value) -> Result<f64, String> {
    v.as_f64()
        .ok_or_else(|| format!("expected a number from the page, got {v}"))
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn gzip_len(bytes: &[u8]) -> Result<usize, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map(|v| v.len()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let samples = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&samples, 0.5), 6.0);
        assert_eq!(percentile(&samples, 0.95), 10.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
