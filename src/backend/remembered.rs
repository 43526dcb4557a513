//! The live connection a user asked this browser to remember (the hosted page only): the API
//! address and the token, in localStorage, and whether the user accepted sending that token
//! unencrypted. Nothing is kept unless asked.

use bots_status_core::json;
use bots_status_core::live::{base_url, token_in_clear};
use serde::{Deserialize, Serialize};

use super::Mode;
use super::live::LiveOptions;
use crate::storage;

/// Where a connection the user asked to remember is kept (the hosted page only).
const REMEMBERED: &str = "bots-status/connection";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Remembered {
    base_url: String,
    token: Option<String>,
    /// The user accepted sending the token to this plain-http address of another machine.
    #[serde(default)]
    token_in_clear_accepted: bool,
}

/// The live connection this browser was asked to remember, if any.
pub fn remembered() -> Option<Mode> {
    let text = storage::read(REMEMBERED)?;
    let saved: Remembered = json::from_str(&text).ok()?;
    let base_url = base_url(&saved.base_url).ok()?;
    // A token never goes unencrypted to another machine unless the user said it may.
    let token = saved
        .token
        .filter(|_| saved.token_in_clear_accepted || token_in_clear(&base_url).is_none());
    Some(Mode::Live(LiveOptions { base_url, token }))
}

/// Keeps `options` in this browser, or forgets what was kept.
pub fn remember(options: Option<&LiveOptions>) -> Result<(), String> {
    let storage = storage::local().ok_or("this browser has no local storage")?;
    match options {
        Some(o) => {
            let text = serde_json::to_string(&Remembered {
                base_url: o.base_url.clone(),
                token: o.token.clone(),
                // Connecting with a token in clear needs the consent, so it was given.
                token_in_clear_accepted: o.token.is_some() && token_in_clear(&o.base_url).is_some(),
            })
            .map_err(|e| e.to_string())?;
            storage
                .set_item(REMEMBERED, &text)
                .map_err(|_| "the browser refused to store it".to_owned())
        }
        None => storage
            .remove_item(REMEMBERED)
            .map_err(|_| "the browser refused to change its storage".to_owned()),
    }
}
