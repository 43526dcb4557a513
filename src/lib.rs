//! The Bots Status web app: a thin Leptos UI over `bots_status_core`.
//!
//! Components gather intent and show state derived from the core; they never re-decide a
//! domain rule. Nothing here touches the host page beyond the element the app is mounted in,
//! so the same build serves the hosted page and embedding ([`embed`]).

pub mod app;
pub mod backend;
pub mod components;
pub mod context;
pub mod effect;
pub mod embed;
pub mod format;
pub mod frame;
pub mod options;
pub mod pages;
pub mod prefs;
pub mod simulation;
pub mod storage;
pub mod store;
pub mod style;
pub mod theme;
pub mod url;
pub mod view;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

pub use app::{App, AppConfig};

/// The id of the element `index.html` provides for the app.
pub const MOUNT_ID: &str = "bots-status";

/// Entry point of the module: defines the `<bots-status>` element for host pages, and on the
/// hosted page (the one with `#bots-status`) mounts the app there.
pub fn start() {
    console_error_panic_hook::set_once();
    embed::define_element();
    let Some(target) = document()
        .get_element_by_id(MOUNT_ID)
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        // A host page: it mounts the app itself (`mount`, or `<bots-status>`).
        return;
    };
    // Clear the loading notice the page shows until the app is running.
    target.set_inner_html("");
    let search = url::location_search();
    let handle = mount_app(target, hosted_config(&search));
    if search.contains("bench=1") {
        expose_bench_hook(&handle);
    }
    // The hosted page lives as long as the page does.
    std::mem::forget(handle);
}

/// `window.botsStatusBench`, for `cargo xtask bench`: `burst(n)` (n status changes through
/// the backend), `loadUpdate()` (the periodic load update of every online connector) and
/// `wasmBytes()` (the module's memory). Only the hosted page with `?bench=1` defines it.
fn expose_bench_hook(handle: &AppHandle) {
    use wasm_bindgen::closure::Closure;
    let hook = web_sys::js_sys::Object::new();
    let running = handle.running.clone();
    let burst = Closure::<dyn Fn(u32)>::new(move |n: u32| {
        if let Some(sim) = running.simulated() {
            sim.burst(n as usize);
        }
    });
    let running = handle.running.clone();
    let load_update = Closure::<dyn Fn()>::new(move || {
        if let Some(sim) = running.simulated() {
            sim.load_update();
        }
    });
    let wasm_bytes = Closure::<dyn Fn() -> f64>::new(|| {
        wasm_bindgen::memory()
            .dyn_into::<web_sys::js_sys::WebAssembly::Memory>()
            .map(|m| {
                f64::from(
                    m.buffer()
                        .unchecked_into::<web_sys::js_sys::ArrayBuffer>()
                        .byte_length(),
                )
            })
            .unwrap_or(0.0)
    });
    for (name, f) in [
        ("burst", burst.as_ref()),
        ("loadUpdate", load_update.as_ref()),
        ("wasmBytes", wasm_bytes.as_ref()),
    ] {
        let _ = web_sys::js_sys::Reflect::set(&hook, &name.into(), f);
    }
    burst.forget();
    load_update.forget();
    wasm_bytes.forget();
    if let Some(window) = web_sys::window() {
        let _ = web_sys::js_sys::Reflect::set(&window, &"botsStatusBench".into(), &hook);
    }
}

/// A mounted app. Dropping it stops its backend (the simulated clock and its page listener,
/// saving its state; or the live stream and its retries) and removes the app from the page.
pub struct AppHandle {
    running: backend::Running,
    _view: Box<dyn std::any::Any>,
    _on_input: frame::OnInput,
}

impl AppHandle {
    /// The app's simulated backend, as another writer to the same fleet would reach it;
    /// `None` while the app runs live.
    pub fn backend(&self) -> Option<backend::simulated::SimulatedBackend> {
        self.running.simulated()
    }
}

impl Drop for AppHandle {
    fn drop(&mut self) {
        self.running.stop();
    }
}

/// Mounts the app into `target` with `config`.
pub fn mount_app(target: web_sys::HtmlElement, config: AppConfig) -> AppHandle {
    let running = backend::Running::default();
    let app_running = running.clone();
    let on_input = frame::OnInput::new(&target);
    let view = mount_to(
        target,
        move || view! { <App config=config running=app_running /> },
    );
    AppHandle {
        running,
        _view: Box::new(view),
        _on_input: on_input,
    }
}

/// The hosted page's configuration, from its URL: `fleet=N` (a fresh simulated fleet of N
/// connectors, not saved), `seed=S`, `speed=1|10|60|instant`, `bench=1` (exposes the
/// benchmark hook), and `api=URL` with an optional `token=T` (the live API; the token is taken
/// out of the address bar once read). Without `api`, a connection the user asked to remember
/// is used, else the simulated backend. A value that is not understood is said in a notice,
/// and the app starts without it.
pub fn hosted_config(search: &str) -> AppConfig {
    let mut reading = options::Options::new(AppConfig {
        backend: backend::remembered::remembered().unwrap_or_default(),
        remember_connection: true,
        title: true,
        url: view::UrlMode::Query,
        prefs: prefs::PrefsKey(Some("bots-status".to_owned())),
        ..AppConfig::default()
    });
    let mut notices = Vec::new();
    let (mut fresh_fleet, mut bad_api) = (false, false);
    for part in search.trim_start_matches('?').split('&') {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        // The rest of the link is the view's (`url.rs`), or the benchmark's.
        if !["fleet", "seed", "speed", "api", "token", "theme"].contains(&key) {
            continue;
        }
        match reading.set(key, &url::decode(value)) {
            Ok(()) => fresh_fleet |= key == "fleet",
            Err(why) if key == "api" => {
                bad_api = true;
                notices.push(format!(
                    "The link's api= is not used: {} The simulated backend runs instead.",
                    why.trim_start_matches("api: ")
                ));
            }
            Err(why) => notices.push(format!("The link's {key}= is not used: {why}")),
        }
    }
    let mut config = reading.finish().unwrap_or_default();
    if bad_api {
        config.backend = backend::Mode::Simulated;
    }
    if fresh_fleet {
        // A fleet of another size is a fresh one, not the one kept in this browser.
        config.simulation.storage_key = None;
    }
    config.notices = notices;
    config
}
