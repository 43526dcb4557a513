//! `cargo xtask test`: every check the project has, in the order a failure is cheapest to see.

use std::time::{Duration, Instant};

use crate::browser::{Driver, wait_until};
use crate::live_server::LiveServer;
use crate::run::{command, command_with_env};
use crate::setup::{Tools, setup};
use crate::static_server;

const WASM: &str = "wasm32-unknown-unknown";

/// How the browser tests' reference server runs: any free port, a small fleet whose starts
/// complete at the next tick, callable from the test page's origin, and the three tokens the
/// tests use (`tests/live.rs`).
const LIVE_TEST_SERVER: [&str; 16] = [
    "--listen",
    "127.0.0.1:0",
    "--fleet",
    "40",
    "--speed",
    "instant",
    "--cors-origin",
    "*",
    "--token",
    "live-test-admin:admin",
    "--token",
    "live-test-developer:developer",
    "--token",
    "live-test-operator:admin:Olga Ops",
    "--seed",
    "2026",
];

/// The control plane whose connectors are real processes (`tests/live.rs`): no simulated
/// fleet, time at the wall clock's pace, a one-second heartbeat.
const REAL_CONNECTORS_SERVER: [&str; 12] = [
    "--listen",
    "127.0.0.1:0",
    "--fleet",
    "0",
    "--heartbeat-ms",
    "1000",
    "--cors-origin",
    "*",
    "--token",
    "live-test-admin:admin",
    "--seed",
    "2026",
];

/// One named check of the test command.
type Check<'a> = (&'static str, Box<dyn Fn() -> Result<(), String> + 'a>);

pub fn test() -> Result<(), String> {
    let tools = setup()?;
    let cargo = |args: &[&str]| command("cargo", args, &tools.path);
    let chromedriver = tools.chromedriver.to_string_lossy().into_owned();
    let steps: Vec<Check<'_>> = vec![
        ("rustfmt", Box::new(|| cargo(&["fmt", "--all", "--check"]))),
        (
            "clippy, native crates",
            Box::new(|| {
                cargo(&[
                    "clippy",
                    "--workspace",
                    "--exclude",
                    "bots-status",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ])
            }),
        ),
        (
            "clippy, wasm app",
            Box::new(|| {
                cargo(&[
                    "clippy",
                    "-p",
                    "bots-status",
                    "--target",
                    WASM,
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ])
            }),
        ),
        (
            "native tests",
            Box::new(|| {
                // The Node.js connector's test (crates/connector/tests/node.rs) finds its
                // packages where setup put them.
                let modules = tools.root.join(".tools").join("node_modules");
                command_with_env(
                    "cargo",
                    &["test", "--workspace", "--exclude", "bots-status"],
                    &tools.path,
                    &[("BOTS_STATUS_NODE_PATH", &modules.to_string_lossy())],
                )
            }),
        ),
        (
            "browser tests (headless Chromium)",
            Box::new(|| {
                // The live adapter's tests (tests/live.rs) call a real reference server.
                let server = LiveServer::start(&tools, false, &LIVE_TEST_SERVER, false)?;
                println!("reference server for tests/live.rs at {}", server.url);
                // And a control plane of real connectors: no simulated fleet, the testbed,
                // and three connector processes (stopped by their ids when this step ends).
                let testbed = LiveServer::start_binary(
                    &tools,
                    "bots-status-testbed",
                    false,
                    &["--listen", "127.0.0.1:0"],
                    false,
                )?;
                let plane = LiveServer::start(&tools, false, &REAL_CONNECTORS_SERVER, false)?;
                command(
                    "cargo",
                    &["build", "-p", "bots-status-connector"],
                    &tools.path,
                )?;
                let binary = tools.root.join("target/debug/bots-status-connector");
                let _processes = crate::fleet::populate(
                    &plane.url,
                    Some("live-test-admin"),
                    &testbed.url,
                    &binary,
                    3,
                )?;
                println!("three real connectors for tests/live.rs at {}", plane.url);
                command_with_env(
                    "cargo",
                    &["test", "-p", "bots-status", "--target", WASM],
                    &tools.path,
                    &[
                        ("CHROMEDRIVER", &chromedriver),
                        ("WASM_BINDGEN_TEST_TIMEOUT", "120"),
                        ("BOTS_STATUS_LIVE_API", &server.url),
                        ("BOTS_STATUS_REAL_API", &plane.url),
                    ],
                )
            }),
        ),
        (
            "release build (trunk, wasm-opt -Oz, functions ordered for gzip)",
            Box::new(|| command("trunk", &["build", "--release"], &tools.path)),
        ),
        (
            "release bundle starts in Chromium",
            Box::new(|| release_bundle_starts(&tools)),
        ),
    ];

    let mut results = Vec::new();
    for (name, step) in &steps {
        println!("\n=== {name}");
        let started = Instant::now();
        let outcome = step();
        if let Err(e) = &outcome {
            eprintln!("FAILED: {name}: {e}");
        }
        results.push((*name, outcome.is_ok(), started.elapsed().as_secs_f64()));
    }

    println!("\n=== summary");
    for (name, passed, secs) in &results {
        println!(
            "{:<6} {name} ({secs:.1}s)",
            if *passed { "ok" } else { "FAILED" }
        );
    }
    let failed = results.iter().filter(|(_, passed, _)| !passed).count();
    println!("xtask: {} passed, {failed} failed", results.len() - failed);
    if failed == 0 {
        Ok(())
    } else {
        Err(format!("{failed} check(s) failed"))
    }
}

/// Serves `dist/` as a web server would and checks, in headless Chromium, that the optimized
/// bundle instantiates and the app mounts: a module that builds but fails to load (as
/// Debian's wasm-opt 108 output does) must fail the test command.
pub fn release_bundle_starts(tools: &Tools) -> Result<(), String> {
    let dist = tools.root.join("dist");
    // index.html keeps the names for the post-build hook, which must not ship them.
    crate::wasm_order::shipped_without_names(&dist)?;
    let port = static_server::serve(&dist)?;
    let driver = Driver::start(tools)?;
    let session = driver.session(1280, 900)?;
    session.navigate(&format!("http://127.0.0.1:{port}/"))?;
    let heading = session.wait_for_app()?;
    if heading.trim() != "Bots Status" {
        return Err(format!("the app mounted but its heading reads {heading:?}"));
    }
    let metrics =
        session.execute("return document.querySelectorAll('.bs-app .bs-metric').length;")?;
    if metrics.as_u64() != Some(4) {
        return Err(format!(
            "expected the four dashboard metrics, found {metrics}"
        ));
    }
    println!("the release bundle mounted: heading {heading:?}, {metrics} metrics");
    // The example portal page embeds the same bundle twice: as <bots-status> and by mount().
    session.navigate(&format!("http://127.0.0.1:{port}/embed/"))?;
    session.wait_for_app()?;
    let embedded = wait_until(Duration::from_secs(30), "both embedded apps", || {
        let count = session.execute(
            "return document.querySelectorAll('bots-status .bs-app .bs-metric').length
               + document.querySelectorAll('#dashboard .bs-app .bs-metric').length;",
        )?;
        Ok(count.as_u64() == Some(8))
    });
    embedded
        .map_err(|e| format!("the example host page (dist/embed/) did not mount both apps: {e}"))?;
    println!("the example host page mounted both embedded apps");
    Ok(())
}
