//! How large anything a user sends may be: the rules that keep one user from growing the
//! fleet's memory or disk without bound. They live here, not in a server, so the app's form
//! and every backend refuse the same input with the same sentence.
//!
//! Each refusal names the field and the limit. Input is trimmed once at the boundary
//! ([`crate::settings::normalize`]) before any limit or rule sees it.

/// Bot id and name, agent user ID, account: characters at most.
pub const MAX_NAME_CHARS: usize = 200;
/// Custom configuration rows of one connector at most.
pub const MAX_CONFIG_ROWS: usize = 50;
/// A custom configuration value at most: the spec's message limit ("less than 5000
/// characters"), so no configured message is longer than the platform delivers.
pub const MAX_VALUE_CHARS: usize = 5_000;
/// An External Webhook URL at most (browsers and proxies cut longer URLs anyway).
pub const MAX_URL_CHARS: usize = 2_048;
/// Connectors in one fleet at most, the PCS connector aside.
pub const MAX_CONNECTORS: usize = 100_000;

/// A training scenario file at most, in bytes.
pub const MAX_SCENARIO_FILE_BYTES: usize = 1024 * 1024;
/// Scenarios in one file at most.
pub const MAX_SCENARIOS: usize = 100;
/// Setup steps (and goals, and hints) of one scenario at most.
pub const MAX_SCENARIO_STEPS: usize = 200;
/// The rest of a scenario's fleet at most: a classroom exercise, not a load test.
pub const MAX_SCENARIO_FLEET: usize = 10_000;
/// Connectors and spare bot users a scenario bot adds at most.
pub const MAX_SCENARIO_BOT_USERS: usize = 100;
/// Concurrent conversations a scenario asks for at most.
pub const MAX_SCENARIO_CONCURRENT: u32 = 100_000;
/// One `wait` step at most: a week of simulated time.
pub const MAX_SCENARIO_WAIT_SECONDS: u64 = 7 * 24 * 60 * 60;

pub use crate::words::thousands;

/// "Agent User ID has 230 characters; at most 200 are allowed." when `value` is too long.
pub fn too_long(label: &str, value: &str, max: usize) -> Option<String> {
    let chars = value.chars().count();
    (chars > max).then(|| {
        format!(
            "{label} has {} characters; at most {} are allowed.",
            thousands(chars as u64),
            thousands(max as u64)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_the_field_the_length_and_the_limit() {
        assert_eq!(too_long("Bot name", &"x".repeat(200), MAX_NAME_CHARS), None);
        assert_eq!(
            too_long("Bot name", &"é".repeat(201), MAX_NAME_CHARS).as_deref(),
            Some("Bot name has 201 characters; at most 200 are allowed.")
        );
        assert_eq!(
            too_long("Value", &"x".repeat(60_000), MAX_VALUE_CHARS).as_deref(),
            Some("Value has 60,000 characters; at most 5,000 are allowed.")
        );
    }
}
