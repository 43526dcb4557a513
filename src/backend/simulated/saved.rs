//! Where the simulated backend keeps its state between visits: localStorage, as JSON of a
//! versioned shape. What cannot be read is reported, never trusted, never fatal.

use bots_status_core::json;
use bots_status_core::simulator::Simulator;
use serde::{Deserialize, Serialize};

use crate::simulation::{Exercise, Speed};
use crate::storage;

/// The version of what is saved; bump it when the saved shape changes.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
pub struct Saved {
    format: u32,
    pub speed: Speed,
    pub sim: Simulator,
    #[serde(default)]
    pub paused: bool,
    #[serde(default)]
    pub exercise: Option<Exercise>,
}

impl Saved {
    pub fn new(speed: Speed, sim: Simulator, paused: bool, exercise: Option<Exercise>) -> Saved {
        Saved {
            format: FORMAT,
            speed,
            sim,
            paused,
            exercise,
        }
    }
}

/// What is kept under `key`: `Ok(None)` when nothing is, `Err` with the notice to show when
/// what is kept cannot be used (a fresh fleet starts instead).
pub fn restore(key: &str) -> Result<Option<Saved>, String> {
    let Some(text) = storage::read(key) else {
        return Ok(None);
    };
    match json::from_str::<Saved>(&text) {
        Ok(saved) if saved.format == FORMAT => Ok(Some(saved)),
        Ok(saved) => Err(format!(
            "The saved simulation is from another version (format {}), so a fresh fleet was started.",
            saved.format
        )),
        Err(e) => Err(format!(
            "The saved simulation could not be read ({e}), so a fresh fleet was started."
        )),
    }
}

/// Keeps `saved` under `key`, or says why the browser would not.
pub fn write(key: &str, saved: &Saved) -> Result<(), String> {
    let text = serde_json::to_string(saved).map_err(|e| e.to_string())?;
    storage::local()
        .ok_or_else(|| "no localStorage".to_owned())?
        .set_item(key, &text)
        .map_err(|_| "the browser refused to store it (storage full?)".to_owned())
}
