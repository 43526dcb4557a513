//! What a simulated backend tells the pages about its simulation: its clock, its speed, and
//! the exercise under way. The store keeps it; pages show it without knowing the adapter.

use bots_status_core::access::Persona;
use bots_status_core::model::{Environment, Millis};
use bots_status_core::simulator::{Resources, START_MIN_MS, START_SPREAD_MS};
use bots_status_core::training::{Attempt, Progress, Scenario};
use serde::{Deserialize, Serialize};

/// What one tick of the instant mode moves the clock by: more than any start takes.
const INSTANT_STEP_MS: u64 = START_MIN_MS + START_SPREAD_MS;

/// How fast simulated time runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Speed {
    RealTime,
    Times10,
    Times60,
    /// Every pending start completes at the next tick.
    Instant,
}

impl Speed {
    pub const ALL: [Speed; 4] = [
        Speed::RealTime,
        Speed::Times10,
        Speed::Times60,
        Speed::Instant,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Speed::RealTime => "1×",
            Speed::Times10 => "10×",
            Speed::Times60 => "60×",
            Speed::Instant => "Instant",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Speed::RealTime => "1",
            Speed::Times10 => "10",
            Speed::Times60 => "60",
            Speed::Instant => "instant",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Speed> {
        Speed::ALL.into_iter().find(|s| s.slug() == slug)
    }

    /// How far simulated time moves while `wall_ms` pass on the wall clock.
    pub fn step(self, wall_ms: f64) -> u64 {
        let wall = wall_ms.max(0.0) as u64;
        match self {
            Speed::RealTime => wall,
            Speed::Times10 => wall * 10,
            Speed::Times60 => wall * 60,
            Speed::Instant => INSTANT_STEP_MS,
        }
    }
}

/// A training exercise under way: the scenario and the trainee's attempt at it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exercise {
    pub scenario: Scenario,
    pub attempt: Attempt,
}

/// What the simulation area and the training bar show: the simulated clock, whether it runs
/// and how fast, who is signed in, the health of each environment's servers, and the
/// exercise with its goals checked against the simulated state. The controls show this, and
/// only this: they keep no copy of their own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulationState {
    pub now: Millis,
    pub paused: bool,
    pub speed: Speed,
    pub persona: Persona,
    pub production: Resources,
    pub demo: Resources,
    pub exercise: Option<(Exercise, Progress)>,
    /// Moves on whenever the simulator's own state (users, login policy, servers) changes.
    pub revision: u64,
}

impl SimulationState {
    /// The health of `environment`'s external servers.
    pub fn resources(&self, environment: Environment) -> Resources {
        match environment {
            Environment::Production => self.production,
            Environment::Demo => self.demo,
        }
    }
}
