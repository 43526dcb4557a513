//! The simulation area: clearly marked, so nobody mistakes simulated data for a live fleet.

use bots_status_core::access::Persona;
use bots_status_core::model::Environment;
use bots_status_core::simulator::Resource;
use bots_status_core::status::LinkHealth;
use leptos::prelude::*;

use super::choice::Choice;
use super::faults::FaultControls;
use super::training::ScenarioList;
use crate::backend::simulated::{SimulatedBackend, Speed};
use crate::format::TimeZone;
use crate::format::time_of_day;
use crate::store::FleetStore;

#[component]
pub fn SimulationPanel(
    /// The simulated backend the controls drive.
    sim: StoredValue<SimulatedBackend, LocalStorage>,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let zone = TimeZone::from_context();
    // Every control shows what the simulated backend says it holds, and nothing else.
    let paused = Memo::new(move |_| {
        store
            .simulation
            .with(|s| s.as_ref().is_some_and(|s| s.paused))
    });
    let speed = Signal::derive(move || {
        store
            .simulation
            .with(|s| s.as_ref().map(|s| s.speed))
            .unwrap_or_else(|| sim.with_value(SimulatedBackend::speed))
    });
    let persona = Signal::derive(move || {
        store
            .simulation
            .with(|s| s.as_ref().map(|s| s.persona))
            .unwrap_or_else(|| sim.with_value(SimulatedBackend::persona))
    });
    view! {
        <section class="bs-simulation" aria-label="Simulation">
            <h2 class="bs-simulation__title">"Simulation"</h2>
            <p class="bs-simulation__hint">"This data comes from the built-in simulator, not from a live fleet."</p>
            <ScenarioList sim=sim />
            <div class="bs-simulation__clock" role="group" aria-label="Simulated time">
                <span class="bs-simulation__time">
                    {move || store.simulation.with(|s| s.as_ref().map(|s| format!("Simulated time {}", time_of_day(s.now.0 as f64, zone))))}
                </span>
                <button
                    type="button"
                    class="bs-button"
                    aria-pressed=move || paused.get().to_string()
                    on:click=move |_| sim.with_value(|b| b.set_paused(!paused.get_untracked()))
                >
                    {move || String::from(if paused.get() { "Resume" } else { "Pause" })}
                </button>
                <button
                    type="button"
                    class="bs-button"
                    title="Let simulated time run to the next thing due: a start settling, a bot user being disabled, load moving."
                    disabled=move || !paused.get()
                    on:click=move |_| sim.with_value(SimulatedBackend::step)
                >
                    "Step"
                </button>
            </div>
            <Choice
                label="Simulation speed"
                options=Speed::ALL.to_vec()
                slug=Speed::slug
                text=Callback::new(|s: Speed| s.label().to_owned())
                current=speed
                on_change=Callback::new(move |s| sim.with_value(|b| b.set_speed(s)))
            />
            <Choice
                label="Signed in as"
                options=Persona::ALL.to_vec()
                slug=Persona::slug
                text=Callback::new(|p: Persona| p.label().to_owned())
                current=persona
                on_change=Callback::new(move |p| sim.with_value(|b| b.set_persona(p)))
            />
            <button type="button" class="bs-button" on:click=move |_| sim.with_value(SimulatedBackend::reset)>
                "Reset simulation"
            </button>
            <label class="bs-check">
                <input
                    type="checkbox"
                    on:change=move |ev| sim.with_value(|s| s.set_failing(event_target_checked(&ev)))
                />
                "The backend fails every action"
            </label>
            {Environment::ALL
                .into_iter()
                .rev()
                .map(|environment| view! { <Servers sim=sim environment=environment /> }.into_any())
                .collect_view()}
            <FaultControls sim=sim />
        </section>
    }
}

/// The external servers of one environment, each of which can be taken down (and the chat
/// server's agents sent away): what a connector finds when it connects, and what drops the
/// connections of those that are online.
#[component]
fn Servers(
    /// The simulated backend whose servers these are.
    sim: StoredValue<SimulatedBackend, LocalStorage>,

    /// Whose servers.
    environment: Environment,
) -> impl IntoView {
    let store = FleetStore::from_context();
    view! {
        <fieldset class="bs-simulation__servers">
            <legend>{format!("{} servers", environment.label())}</legend>
            {Resource::ALL
                .into_iter()
                .map(|resource| {
                    let health = Signal::derive(move || {
                        store
                            .simulation
                            .with(|s| s.as_ref().map(|s| s.resources(environment)))
                            .unwrap_or_else(|| sim.with_value(|b| b.resources(environment)))
                            .get(resource)
                    });
                    view! {
                        <Choice
                            label=resource.label()
                            options=resource.healths().to_vec()
                            slug=LinkHealth::slug
                            text=Callback::new(|h: LinkHealth| h.label().to_owned())
                            current=health
                            on_change=Callback::new(move |h| sim.with_value(|s| s.set_resource(environment, resource, h)))
                        />
                    }.into_any()
                })
                .collect_view()}
        </fieldset>
    }
}
