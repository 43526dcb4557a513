//! `cargo xtask`: the project's own commands.
//!
//! - `setup`  installs what is missing (wasm target, trunk, wasm-bindgen-cli at the Cargo.lock
//!   version, wasm-opt from npm's binaryen, Chromium and chromedriver) and skips what is there.
//! - `serve`  setup, then serves the app on the built-in simulator.
//! - `live`   setup, builds the app, and runs the reference server (crates/server) serving it
//!   and the live API on one address: a complete live setup. Extra arguments go to the server.
//! - `fleet [--connectors N]`  the reference server with no simulated fleet, the testbed and N
//!   real connector processes (default 6) reporting into it, the app served with them.
//! - `test`   setup, then every check: fmt, clippy (native and wasm), native tests, browser
//!   tests in headless Chromium, and a release build that must start in the browser.
//! - `bench`  the release build with 10,000 connectors in Chromium: interaction timings and
//!   download sizes (reported, never asserted).
//! - `check-bundle`  only the last check: the built `dist/` must start in Chromium.
//! - `post-build`  Trunk's post-build hook: drops the stream classes nothing calls
//!   (`stream_exports`), orders a release module's functions so it compresses well
//!   (`wasm_order`), shortens the names it imports from its JavaScript glue
//!   (`import_names`) and minifies the glue (`release`).
//! - `screenshot URL FILE [WIDTHxHEIGHT] [--click TEXT]...`  a PNG of a page once the app has
//!   mounted, after clicking (in order) the buttons, menu entries or checkboxes whose text or
//!   label starts with each TEXT.
//!
//! It never downloads anything but through cargo, npm and apt, so it works on a closed network.

mod bench;
mod browser;
mod fleet;
mod import_names;
mod live_server;
mod release;
mod run;
mod setup;
mod static_server;
mod stream_exports;
mod test;
mod wasm_order;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::setup().map(|_| ()),
        Some("serve") => serve(),
        Some("live") => live(&args[1..]),
        Some("fleet") => fleet::fleet(&args[1..]),
        Some("test") => test::test(),
        Some("bench") => bench::bench(),
        Some("check-bundle") => {
            setup::setup().and_then(|tools| test::release_bundle_starts(&tools))
        }
        Some("post-build") => release::post_build(),
        Some("screenshot") => screenshot(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <setup | serve | live [SERVER FLAGS] | fleet [--connectors N] | test | bench | check-bundle | screenshot URL FILE [WIDTHxHEIGHT] [--click TEXT]...>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve() -> Result<(), String> {
    let tools = setup::setup()?;
    println!(
        "Serving Bots Status on the built-in simulator at http://127.0.0.1:8080/ (Ctrl-C stops)"
    );
    run::command("trunk", &["serve"], &tools.path).map(|_| ())
}

/// The release app and the reference server on one address, the app opened on the live API.
fn live(extra: &[String]) -> Result<(), String> {
    let tools = setup::setup()?;
    run::command("trunk", &["build", "--release"], &tools.path)?;
    let dist = tools.root.join("dist");
    let dist = dist.to_string_lossy();
    let mut args = vec!["--static-dir", &dist];
    let listen_given = extra.iter().any(|a| a.starts_with("--listen"));
    if !listen_given {
        args.extend(["--listen", "127.0.0.1:8787"]);
    }
    args.extend(extra.iter().map(String::as_str));
    let server = live_server::LiveServer::start(&tools, true, &args, true)?;
    println!(
        "\nBots Status on the live API: open {0}/?api={0} (Ctrl-C stops)\n",
        server.url
    );
    server.wait()
}

fn screenshot(args: &[String]) -> Result<(), String> {
    const USAGE: &str = "usage: cargo xtask screenshot URL FILE [WIDTHxHEIGHT] [--click TEXT]...";
    let (Some(url), Some(file)) = (args.first(), args.get(1)) else {
        return Err(USAGE.into());
    };
    let mut rest = &args[2..];
    let mut size = "1280x900";
    if let Some(first) = rest.first()
        && !first.starts_with("--")
    {
        size = first;
        rest = &rest[1..];
    }
    let (w, h) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .ok_or_else(|| format!("size must look like 1280x900, not {size}"))?;
    let mut clicks = Vec::new();
    while let [flag, text, tail @ ..] = rest {
        if flag != "--click" {
            return Err(USAGE.into());
        }
        clicks.push(text.clone());
        rest = tail;
    }
    if !rest.is_empty() {
        return Err(USAGE.into());
    }
    let tools = setup::setup()?;
    let driver = browser::Driver::start(&tools)?;
    let session = driver.session(w, h)?;
    session.navigate(url)?;
    session.wait_for_app()?;
    for text in &clicks {
        session.click_text(text)?;
    }
    session.screenshot(std::path::Path::new(file))?;
    println!("wrote {file} ({w}x{h})");
    Ok(())
}
