//! The simulation area: clearly marked, so nobody mistakes simulated data for a live fleet.

use leptos::prelude::*;

use crate::backend::simulated::{SimulatedBackend, Speed};

#[component]
pub fn SimulationPanel(sim: StoredValue<SimulatedBackend, LocalStorage>) -> impl IntoView {
    let speed = RwSignal::new(sim.with_value(SimulatedBackend::speed));
    view! {
        <section class="bs-simulation" aria-label="Simulation">
            <h2 class="bs-simulation__title">"Simulation"</h2>
            <p class="bs-simulation__hint">"This data comes from the built-in simulator, not from a live fleet."</p>
            <label class="bs-field">
                <span class="bs-field__label">"Simulation speed"</span>
                <select
                    class="bs-select"
                    on:change=move |ev| {
                        if let Some(s) = Speed::from_slug(&event_target_value(&ev)) {
                            speed.set(s);
                            sim.with_value(|b| b.set_speed(s));
                        }
                    }
                >
                    {Speed::ALL.into_iter().map(|s| view! { <option value=s.slug() prop:selected=move || speed.get() == s>{s.label()}</option> }).collect_view()}
                </select>
            </label>
            <button type="button" class="bs-button" on:click=move |_| sim.with_value(SimulatedBackend::reset)>
                "Reset simulation"
            </button>
        </section>
    }
}
