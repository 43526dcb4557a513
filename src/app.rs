//! The application shell: header and the dashboard over a seeded sample fleet.

use bots_status_core::fleet::Fleet;
use bots_status_core::model::Millis;
use leptos::prelude::*;

use crate::components::dashboard::Dashboard;

/// The seed and size of the sample fleet the shell shows until the simulated backend arrives.
pub const SAMPLE_SEED: u64 = 2026;
pub const SAMPLE_SIZE: usize = 48;

/// The sample fleet as the app shows it.
pub fn sample_fleet() -> Fleet {
    Fleet::generate(SAMPLE_SEED, SAMPLE_SIZE, Millis(js_sys_now()))
}

fn js_sys_now() -> u64 {
    // Date.now() is a whole number of milliseconds; anything else means no usable clock.
    let now = web_sys::js_sys::Date::now();
    if now.is_finite() && now >= 0.0 {
        now as u64
    } else {
        0
    }
}

#[component]
pub fn App() -> impl IntoView {
    let fleet = sample_fleet();
    view! {
        <div class="bs-app">
            <header class="bs-header">
                <h1 class="bs-title">"Bots Status"</h1>
                <span class="bs-badge" title="Data comes from the built-in simulator, not a live API.">
                    "Simulated backend"
                </span>
            </header>
            <main class="bs-main">
                <Dashboard connectors=fleet.connectors />
            </main>
        </div>
    }
}
