//! Training: the scenario list with a loader for a trainer's own file (in the simulation
//! area), and the exercise bar above the pages while an exercise runs: its objective, each goal
//! checked against the simulated state, hints, and the time taken.

use bots_status_core::history::duration_text;
use bots_status_core::training::{Scenario, builtin, parse_scenarios};
use bots_status_core::words::plural;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::format::minutes_and_seconds;

use crate::backend::simulated::SimulatedBackend;
use crate::store::FleetStore;

#[component]
pub fn ScenarioList(
    /// The simulated backend an exercise is set up in.
    sim: StoredValue<SimulatedBackend, LocalStorage>,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let scenarios = RwSignal::new(builtin());
    let message = RwSignal::new(None::<Result<String, String>>);
    let running = Memo::new(move |_| {
        store.simulation.with(|s| {
            s.as_ref()
                .and_then(|s| s.exercise.as_ref().map(|(e, _)| e.scenario.id.clone()))
        })
    });
    let start = move |scenario: Scenario| {
        let title = scenario.title.clone();
        let result = sim.with_value(|b| b.start_exercise(scenario));
        message.set(Some(
            result
                .map(|()| {
                    format!("Exercise started: {title}. Its objective is at the top of the page.")
                })
                .map_err(|e| e.to_string()),
        ));
    };
    let load = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        // A file past the limit is refused before the browser reads it into memory.
        let bytes = file.size() as usize;
        if bytes > bots_status_core::limits::MAX_SCENARIO_FILE_BYTES {
            let why = bots_status_core::training::ScenarioError::TooLarge { bytes };
            message.set(Some(Err(format!("{name} was not loaded. {why}"))));
            return;
        }
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            let outcome = match text {
                None => Err(format!("{name} could not be read.")),
                Some(text) => match parse_scenarios(&text) {
                    Ok(loaded) => {
                        let n = loaded.len();
                        scenarios.update(|list| {
                            for s in loaded {
                                match list.iter_mut().find(|o| o.id == s.id) {
                                    Some(same) => *same = s,
                                    None => list.push(s),
                                }
                            }
                        });
                        Ok(format!("Loaded {n} scenario{} from {name}.", plural(n)))
                    }
                    Err(why) => Err(format!("{name} was not loaded. {why}")),
                },
            };
            let _ = message.try_set(Some(outcome));
        });
    };
    view! {
        <fieldset class="bs-simulation__servers bs-training">
            <legend>"Training scenarios"</legend>
            <ul class="bs-training__list">
                // The list is made again when it changes, each item rebuilt in place, not
                // kept by a key with `For`: each `For` is a copy of the keyed diff for its
                // types (1 to 3 KB of the gzipped download), and these lists are short.
                {move || scenarios.get().into_iter().map(|scenario| {
                        let id = scenario.id.clone();
                        let title = scenario.title.clone();
                        let situation = scenario.situation.clone();
                        let label = format!("Start: {title}");
                        let slug = id.clone();
                        view! {
                            <li class="bs-training__item" data-scenario=slug>
                                <strong>{title}</strong>
                                <span class="bs-training__situation">{situation}</span>
                                <button
                                    type="button"
                                    class="bs-button"
                                    aria-label=label
                                    on:click=move |_| start(scenario.clone())
                                >
                                    {move || String::from(if running.get().as_deref() == Some(id.as_str()) { "Start again" } else { "Start" })}
                                </button>
                            </li>
                        }.into_any()
                    }).collect_view()}
            </ul>
            <label class="bs-field">
                <span class="bs-field__label">"Load scenarios from a file (JSON)"</span>
                <input type="file" class="bs-training__file" accept=".json,application/json" on:change=load />
            </label>
            {move || message.get().map(|m| match m {
                Ok(text) => view! { <p class="bs-simulation__outcome" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="bs-field__error" role="alert">{text}</p> }.into_any(),
            })}
        </fieldset>
    }
}

#[component]
pub fn ExerciseBar(
    /// The simulated backend running the exercise.
    sim: StoredValue<SimulatedBackend, LocalStorage>,
) -> impl IntoView {
    let store = FleetStore::from_context();
    let exercise = Memo::new(move |_| {
        store
            .simulation
            .with(|s| s.as_ref().and_then(|s| s.exercise.clone()))
    });
    // The time taken runs on the wall clock, paused simulation or not.
    let wall = RwSignal::new(web_sys::js_sys::Date::now());
    let timer = set_interval_with_handle(
        move || {
            let _ = wall.try_set(web_sys::js_sys::Date::now());
        },
        std::time::Duration::from_secs(1),
    )
    .ok();
    on_cleanup(move || {
        if let Some(t) = timer {
            t.clear();
        }
    });
    let bar = move || {
        exercise.get().map(|(ex, progress)| {
            let solved = ex.attempt.solved_at.is_some();
            let hints = ex.attempt.hints_shown(&ex.scenario);
            let left = ex.scenario.hints.len() - ex.attempt.hints_used;
            let attempt = ex.attempt.clone();
            let used = attempt.hints_used;
            view! {
                <section class="bs-exercise" aria-label="Exercise" data-solved=solved.to_string()>
                    <div class="bs-exercise__head">
                        <h2 class="bs-exercise__title">{format!("Exercise: {}", ex.scenario.title)}</h2>
                        <span class="bs-exercise__time">
                            {move || format!(
                                "Time {} · hints used {used}",
                                minutes_and_seconds(attempt.elapsed_ms(bots_status_core::model::Millis(wall.get() as u64)))
                            )}
                        </span>
                        <button type="button" class="bs-button" on:click=move |_| sim.with_value(SimulatedBackend::end_exercise)>
                            "End exercise"
                        </button>
                    </div>
                    <p class="bs-exercise__situation">{ex.scenario.situation.clone()}</p>
                    <p class="bs-exercise__objective"><strong>"Objective: "</strong>{ex.scenario.objective.clone()}</p>
                    <ul class="bs-exercise__goals" aria-label="Goals">
                        {progress.goals.into_iter().map(|g| view! {
                            <li data-met=g.met.to_string()>
                                <span class="bs-exercise__mark" aria-hidden="true">{if g.met { "✓" } else { "○" }}</span>
                                <span class="bs-visually-hidden">{if g.met { "Met: " } else { "Not met yet: " }}</span>
                                {g.text}
                            </li>
                        }.into_any()).collect_view()}
                    </ul>
                    {ex.attempt.solved_at.map(|at| {
                        let taken = duration_text(at.since(ex.attempt.started));
                        view! {
                            <p class="bs-exercise__solved" role="status">
                                {format!(
                                    "Solved in {taken} with {used} hint{}. The check ran on the simulated fleet, not on the buttons you clicked.",
                                    plural(used)
                                )}
                            </p>
                        }
                    })}
                    {(!hints.is_empty()).then(|| view! {
                        <ol class="bs-exercise__hints" aria-label="Hints">
                            {hints.into_iter().map(|h| view! { <li>{h}</li> }.into_any()).collect_view()}
                        </ol>
                    }.into_any())}
                    {(!solved).then(|| view! {
                        <button
                            type="button"
                            class="bs-button"
                            disabled=left == 0
                            on:click=move |_| sim.with_value(SimulatedBackend::take_hint)
                        >
                            {if left == 0 { "No hints left".to_owned() } else { format!("Show a hint ({left} left)") }}
                        </button>
                    }.into_any())}
                </section>
            }
            .into_any()
        })
    };
    view! { {move || bar()} }
}
