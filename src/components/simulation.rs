//! The simulation area: clearly marked, so nobody mistakes simulated data for a live fleet.

use leptos::prelude::*;

use super::choice::Choice;
use crate::backend::simulated::{SimulatedBackend, Speed};

#[component]
pub fn SimulationPanel(sim: StoredValue<SimulatedBackend, LocalStorage>) -> impl IntoView {
    let speed = RwSignal::new(sim.with_value(SimulatedBackend::speed));
    view! {
        <section class="bs-simulation" aria-label="Simulation">
            <h2 class="bs-simulation__title">"Simulation"</h2>
            <p class="bs-simulation__hint">"This data comes from the built-in simulator, not from a live fleet."</p>
            <Choice
                label="Simulation speed"
                options=Speed::ALL.to_vec()
                slug=Speed::slug
                text=Callback::new(|s: Speed| s.label().to_owned())
                current=speed.into()
                on_change=Callback::new(move |s| {
                    speed.set(s);
                    sim.with_value(|b| b.set_speed(s));
                })
            />
            <button type="button" class="bs-button" on:click=move |_| sim.with_value(SimulatedBackend::reset)>
                "Reset simulation"
            </button>
        </section>
    }
}
