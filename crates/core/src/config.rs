//! Custom configuration fields: the known keys, validation of a connector's key/value list,
//! and configuration drift between the connectors of one bot.
//!
//! The spec warns that a mis-configured duplicate connector makes one bot behave differently
//! from its twins, so validation is precise per entry and [`drift`] shows the differences.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use crate::limits::{MAX_CONFIG_ROWS, MAX_NAME_CHARS, MAX_VALUE_CHARS};
use crate::model::{Connector, ConnectorId, ConversationType};
use crate::order::TextMap;

/// One key/value row of a connector's custom configuration, as the user typed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConfigEntry {
    pub key: String,
    pub value: String,
}

impl ConfigEntry {
    pub fn new(key: &str, value: &str) -> ConfigEntry {
        ConfigEntry {
            key: key.to_owned(),
            value: value.to_owned(),
        }
    }
}

/// What kind of value a known key takes, with the range that is sane for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Milliseconds { min: u64, max: u64 },
    Count { min: u64, max: u64 },
    Text { max_chars: usize },
    Boolean,
    Choice(&'static [&'static str]),
}

impl ValueKind {
    pub fn describe(self) -> String {
        match self {
            ValueKind::Milliseconds { min, max } => {
                format!("milliseconds, {min} to {max}")
            }
            ValueKind::Count { min, max } => format!("a whole number, {min} to {max}"),
            ValueKind::Text { max_chars } => format!("text, up to {max_chars} characters"),
            ValueKind::Boolean => "true or false".to_owned(),
            ValueKind::Choice(options) => options.join(" or "),
        }
    }
}

/// One of the ten custom configuration keys the spec documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    pub name: &'static str,
    pub kind: ValueKind,
    pub default: &'static str,
    pub messaging: bool,
    pub chat: bool,
    pub description: &'static str,
}

impl KeySpec {
    pub fn applies_to(&self, conversation_type: ConversationType) -> bool {
        match conversation_type {
            ConversationType::Messaging => self.messaging,
            ConversationType::Chat => self.chat,
        }
    }
}

/// Longest message the platform delivers; a longer greeting would never arrive.
const MAX_MESSAGE_CHARS: usize = MAX_VALUE_CHARS;
const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const HOUR_MS: u64 = 60 * 60 * 1000;
const MINUTE_MS: u64 = 60 * 1000;

pub const KNOWN_KEYS: [KeySpec; 10] = [
    KeySpec {
        name: "fallbackEscalationTime",
        kind: ValueKind::Milliseconds {
            min: 0,
            max: DAY_MS,
        },
        default: "180000",
        messaging: true,
        chat: false,
        description: "Time in milliseconds to pass before invoking fallback escalation.",
    },
    KeySpec {
        name: "defaultGreetingMessage",
        kind: ValueKind::Text {
            max_chars: MAX_MESSAGE_CHARS,
        },
        default: "hi",
        messaging: true,
        chat: true,
        description: "Greeting message sent to the bot when the user connects.",
    },
    KeySpec {
        name: "defaultStepupMessage",
        kind: ValueKind::Text {
            max_chars: MAX_MESSAGE_CHARS,
        },
        default: "_STEPUP_",
        messaging: true,
        chat: false,
        description: "StepUp message sent to the bot when Stepup Authentication happens.",
    },
    KeySpec {
        name: "messageDelay",
        kind: ValueKind::Milliseconds {
            min: 0,
            max: MINUTE_MS,
        },
        default: "300",
        messaging: true,
        chat: false,
        description: "Milliseconds to wait for more user messages before sending them to the bot as one (3 seconds is 3000).",
    },
    KeySpec {
        name: "skipAgentMessage",
        kind: ValueKind::Boolean,
        default: "false",
        messaging: true,
        chat: false,
        description: "If true, the receiving bot ignores a last message from an agent and sees the last consumer message first; useful when a routing bot hands over to a specialist bot.",
    },
    KeySpec {
        name: "tileDisplay",
        kind: ValueKind::Choice(&["vertical", "horizontal"]),
        default: "vertical",
        messaging: true,
        chat: false,
        description: "Vertical or horizontal display of rich structured content (FB, Web, GRBM); horizontal resolves formatting issues on some channels.",
    },
    KeySpec {
        name: "messageResendMaxRetries",
        kind: ValueKind::Count { min: 0, max: 100 },
        default: "1",
        messaging: true,
        chat: false,
        description: "How many times a message is resent when the bot neither responds nor marks it seen.",
    },
    KeySpec {
        name: "retryMessageInterval",
        kind: ValueKind::Milliseconds {
            min: 100,
            max: HOUR_MS,
        },
        default: "30000",
        messaging: true,
        chat: false,
        description: "Milliseconds to wait before resending a message (with messageResendMaxRetries).",
    },
    KeySpec {
        name: "maxEscalationRetries",
        kind: ValueKind::Count { min: 0, max: 100 },
        default: "5",
        messaging: true,
        chat: false,
        description: "Maximum number of _agent_escalation_failed_ messages sent when escalation keeps failing.",
    },
    KeySpec {
        name: "ringAcceptWait",
        kind: ValueKind::Milliseconds {
            min: 0,
            max: MINUTE_MS,
        },
        default: "100",
        messaging: true,
        chat: false,
        description: "Milliseconds to wait before the bot accepts the ring from UMS.",
    },
];

pub fn known_key(name: &str) -> Option<&'static KeySpec> {
    KNOWN_KEYS.iter().find(|k| k.name == name)
}

/// Which input of a row a finding belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum EntryPart {
    Key,
    Value,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Severity {
    Error,
    /// Allowed, but worth a second look.
    Warning,
}

/// A problem with one row of a custom configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "issue")]
pub enum ConfigIssue {
    EmptyKey,
    UnknownKey {
        key: String,
        /// A known key that differs only in letter case.
        did_you_mean: Option<String>,
    },
    DuplicateKey {
        key: String,
        first_row: usize,
    },
    NotApplicable {
        key: String,
        conversation_type: ConversationType,
    },
    EmptyValue {
        key: String,
    },
    NotAWholeNumber {
        key: String,
        expected: String,
    },
    Negative {
        key: String,
    },
    OutOfRange {
        key: String,
        min: u64,
        max: u64,
        unit: String,
    },
    NotABoolean {
        key: String,
    },
    NotAChoice {
        key: String,
        choices: Vec<String>,
    },
    TooLong {
        key: String,
        max_chars: usize,
    },
    /// A row past the most rows a connector keeps.
    TooManyRows {
        max: usize,
    },
    KeyTooLong {
        max_chars: usize,
    },
}

impl ConfigIssue {
    pub fn severity(&self) -> Severity {
        match self {
            ConfigIssue::UnknownKey { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    pub fn part(&self) -> EntryPart {
        match self {
            ConfigIssue::EmptyKey
            | ConfigIssue::UnknownKey { .. }
            | ConfigIssue::DuplicateKey { .. }
            | ConfigIssue::NotApplicable { .. }
            | ConfigIssue::TooManyRows { .. }
            | ConfigIssue::KeyTooLong { .. } => EntryPart::Key,
            _ => EntryPart::Value,
        }
    }
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigIssue::EmptyKey => write!(f, "Enter a key, or remove this row."),
            ConfigIssue::UnknownKey {
                key,
                did_you_mean: Some(known),
            } => write!(
                f,
                "\"{key}\" is not a known key. Keys are case-sensitive: did you mean \"{known}\"?"
            ),
            ConfigIssue::UnknownKey {
                key,
                did_you_mean: None,
            } => write!(
                f,
                "\"{key}\" is not one of the documented keys. It will be passed to the connector as it is; check the spelling."
            ),
            ConfigIssue::DuplicateKey { key, first_row } => write!(
                f,
                "\"{key}\" is already set in row {}. Keep one of the two rows.",
                first_row + 1
            ),
            ConfigIssue::NotApplicable {
                key,
                conversation_type,
            } => write!(
                f,
                "\"{key}\" applies to Messaging connectors only, not {}. Remove this row.",
                conversation_type.label()
            ),
            ConfigIssue::EmptyValue { key } => {
                write!(f, "Enter a value for \"{key}\", or remove this row.")
            }
            ConfigIssue::NotAWholeNumber { key, expected } => write!(
                f,
                "\"{key}\" takes {expected}: write the number itself, without units or arithmetic."
            ),
            ConfigIssue::Negative { key } => {
                write!(f, "\"{key}\" cannot be negative.")
            }
            ConfigIssue::OutOfRange {
                key,
                min,
                max,
                unit,
            } => write!(f, "\"{key}\" must be between {min} and {max} {unit}."),
            ConfigIssue::NotABoolean { key } => {
                write!(f, "\"{key}\" takes true or false (lowercase).")
            }
            ConfigIssue::NotAChoice { key, choices } => {
                write!(f, "\"{key}\" takes {}.", choices.join(" or "))
            }
            ConfigIssue::TooLong { key, max_chars } => write!(
                f,
                "\"{key}\" is too long: at most {} characters are delivered.",
                crate::limits::thousands(*max_chars as u64)
            ),
            ConfigIssue::TooManyRows { max } => write!(
                f,
                "A connector takes at most {max} custom configuration rows: remove this row."
            ),
            ConfigIssue::KeyTooLong { max_chars } => {
                write!(f, "A key has at most {max_chars} characters.")
            }
        }
    }
}

/// A finding about one row (0-based) of a custom configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RowIssue {
    pub row: usize,
    pub issue: ConfigIssue,
}

/// Validates a whole key/value list for a connector of `conversation_type`. Every row gets
/// every finding that applies to it; an empty result means the configuration is clean.
pub fn validate(entries: &[ConfigEntry], conversation_type: ConversationType) -> Vec<RowIssue> {
    let mut findings = Vec::new();
    let mut first_seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (row, entry) in entries.iter().enumerate() {
        let key = entry.key.trim();
        let mut push = |issue| findings.push(RowIssue { row, issue });
        if row >= MAX_CONFIG_ROWS {
            push(ConfigIssue::TooManyRows {
                max: MAX_CONFIG_ROWS,
            });
            continue;
        }
        if key.is_empty() {
            push(ConfigIssue::EmptyKey);
            continue;
        }
        if key.chars().count() > MAX_NAME_CHARS {
            push(ConfigIssue::KeyTooLong {
                max_chars: MAX_NAME_CHARS,
            });
            continue;
        }
        // Every value, a known key's or not, is a message-sized text at most.
        let value_too_long = entry.value.trim().chars().count() > MAX_VALUE_CHARS;
        if let Some(&first_row) = first_seen.get(key) {
            push(ConfigIssue::DuplicateKey {
                key: key.to_owned(),
                first_row,
            });
        } else {
            first_seen.insert(key, row);
        }
        match known_key(key) {
            None => push(ConfigIssue::UnknownKey {
                key: key.to_owned(),
                did_you_mean: KNOWN_KEYS
                    .iter()
                    .find(|k| k.name.eq_ignore_ascii_case(key))
                    .map(|k| k.name.to_owned()),
            }),
            Some(spec) if !spec.applies_to(conversation_type) => {
                push(ConfigIssue::NotApplicable {
                    key: key.to_owned(),
                    conversation_type,
                });
            }
            Some(_) if value_too_long => {}
            Some(spec) => {
                if let Some(issue) = check_value(spec, &entry.value) {
                    push(issue);
                }
            }
        }
        if value_too_long {
            push(ConfigIssue::TooLong {
                key: key.to_owned(),
                max_chars: MAX_VALUE_CHARS,
            });
        }
    }
    findings
}

fn check_value(spec: &KeySpec, raw: &str) -> Option<ConfigIssue> {
    let key = spec.name.to_owned();
    let value = raw.trim();
    if value.is_empty() {
        return Some(ConfigIssue::EmptyValue { key });
    }
    match spec.kind {
        ValueKind::Milliseconds { min, max } => check_number(key, value, min, max, "milliseconds"),
        ValueKind::Count { min, max } => check_number(key, value, min, max, ""),
        ValueKind::Text { max_chars } => {
            (value.chars().count() > max_chars).then_some(ConfigIssue::TooLong { key, max_chars })
        }
        ValueKind::Boolean => {
            (value != "true" && value != "false").then_some(ConfigIssue::NotABoolean { key })
        }
        ValueKind::Choice(choices) => {
            (!choices.contains(&value)).then(|| ConfigIssue::NotAChoice {
                key,
                choices: choices.iter().map(|c| (*c).to_owned()).collect(),
            })
        }
    }
}

fn check_number(key: String, value: &str, min: u64, max: u64, unit: &str) -> Option<ConfigIssue> {
    let (negative, digits) = match value.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, value.strip_prefix('+').unwrap_or(value)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        let expected = if unit.is_empty() {
            "a whole number".to_owned()
        } else {
            format!("a whole number of {unit}")
        };
        return Some(ConfigIssue::NotAWholeNumber { key, expected });
    }
    if negative && digits.bytes().any(|b| b != b'0') {
        return Some(ConfigIssue::Negative { key });
    }
    // All digits: only overflow can make parsing fail, and that is out of range too.
    let in_range = digits
        .parse::<u64>()
        .is_ok_and(|n| (min..=max).contains(&n));
    (!in_range).then(|| ConfigIssue::OutOfRange {
        key,
        min,
        max,
        unit: if unit.is_empty() { "" } else { unit }.to_owned(),
    })
}

/// The value each key has on a connector: what it sets, else the documented default for the
/// keys that apply to its conversation type. Unknown keys appear only where set. In a
/// [`TextMap`], sorted by key: a B-tree map of text to text was a copy of the B-tree's code
/// of its own in the web app.
pub fn effective(entries: &[ConfigEntry], conversation_type: ConversationType) -> TextMap<String> {
    let mut values = TextMap::default();
    for entry in entries {
        let key = entry.key.trim();
        if !key.is_empty() {
            // The first of duplicate rows is the one kept.
            values.entry(key, || entry.value.trim().to_owned());
        }
    }
    for spec in KNOWN_KEYS
        .iter()
        .filter(|k| k.applies_to(conversation_type))
    {
        values.entry(spec.name, || spec.default.to_owned());
    }
    values
}

/// One key whose effective value differs between connectors of the same bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Drift {
    pub key: String,
    /// Each connector's value, `None` where the key is not set at all.
    pub values: Vec<(ConnectorId, Option<String>)>,
}

/// Configuration drift between `connectors`, which the caller takes from one bot. Keys come in
/// alphabetical order, connectors in the order given.
pub fn drift(connectors: &[&Connector]) -> Vec<Drift> {
    let configs: Vec<_> = connectors
        .iter()
        .map(|c| {
            (
                c.id,
                c.settings.advanced.custom_config.as_slice(),
                c.conversation_type(),
            )
        })
        .collect();
    drift_between(&configs)
}

/// The drift a draft would make: `entries` (of conversation type `ct`, for the connector
/// `here` being edited, or any id for a new one) against `bot`'s other connectors. The
/// draft's value comes first in each [`Drift`].
pub fn draft_drift(
    here: ConnectorId,
    entries: &[ConfigEntry],
    ct: ConversationType,
    bot: &crate::model::BotId,
    connectors: &[Connector],
) -> Vec<Drift> {
    let mut configs = vec![(here, entries, ct)];
    configs.extend(
        connectors
            .iter()
            .filter(|c| &c.bot.id == bot && c.id != here)
            .map(|c| {
                (
                    c.id,
                    c.settings.advanced.custom_config.as_slice(),
                    c.conversation_type(),
                )
            }),
    );
    drift_between(&configs)
}

/// Drift between configurations that need not be saved yet: the add/edit form compares what
/// is typed (under the id it will have, or any id for a new one) with the bot's connectors.
pub fn drift_between(configs: &[(ConnectorId, &[ConfigEntry], ConversationType)]) -> Vec<Drift> {
    if configs.len() < 2 {
        return Vec::new();
    }
    let per_connector: Vec<_> = configs
        .iter()
        .map(|(id, entries, ct)| (*id, effective(entries, *ct)))
        .collect();
    let mut keys: Vec<&str> = per_connector
        .iter()
        .flat_map(|(_, values)| values.iter().map(|(key, _)| key))
        .collect();
    crate::order::sort(&mut keys);
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| {
            let values: Vec<_> = per_connector
                .iter()
                .map(|(id, m)| (*id, m.get(key).cloned()))
                .collect();
            let first = &values[0].1;
            values.iter().any(|(_, v)| v != first).then(|| Drift {
                key: key.to_owned(),
                values,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
