use super::*;
use crate::fleet::tests_support::connector;
use crate::model::Environment;

fn issues(entries: &[(&str, &str)], ct: ConversationType) -> Vec<(usize, ConfigIssue)> {
    let entries: Vec<_> = entries
        .iter()
        .map(|(k, v)| ConfigEntry::new(k, v))
        .collect();
    validate(&entries, ct)
        .into_iter()
        .map(|f| (f.row, f.issue))
        .collect()
}

fn only_issue(key: &str, value: &str, ct: ConversationType) -> ConfigIssue {
    let mut found = issues(&[(key, value)], ct);
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0).1
}

#[test]
fn the_ten_documented_keys_have_the_spec_defaults() {
    let defaults: Vec<_> = KNOWN_KEYS.iter().map(|k| (k.name, k.default)).collect();
    assert_eq!(
        defaults,
        vec![
            ("fallbackEscalationTime", "180000"),
            ("defaultGreetingMessage", "hi"),
            ("defaultStepupMessage", "_STEPUP_"),
            ("messageDelay", "300"),
            ("skipAgentMessage", "false"),
            ("tileDisplay", "vertical"),
            ("messageResendMaxRetries", "1"),
            ("retryMessageInterval", "30000"),
            ("maxEscalationRetries", "5"),
            ("ringAcceptWait", "100"),
        ]
    );
}

#[test]
fn every_default_is_valid_for_its_own_key() {
    for spec in KNOWN_KEYS {
        assert_eq!(check_value(&spec, spec.default), None, "{}", spec.name);
    }
}

#[test]
fn only_the_greeting_applies_to_chat() {
    let chat: Vec<_> = KNOWN_KEYS
        .iter()
        .filter(|k| k.applies_to(ConversationType::Chat))
        .map(|k| k.name)
        .collect();
    assert_eq!(chat, vec!["defaultGreetingMessage"]);
    assert!(
        KNOWN_KEYS
            .iter()
            .all(|k| k.applies_to(ConversationType::Messaging))
    );
}

#[test]
fn a_clean_configuration_has_no_findings() {
    let found = issues(
        &[
            ("messageDelay", "3000"),
            ("skipAgentMessage", "true"),
            ("tileDisplay", "horizontal"),
        ],
        ConversationType::Messaging,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn chat_rejects_messaging_only_keys() {
    let issue = only_issue("messageDelay", "300", ConversationType::Chat);
    assert_eq!(issue.severity(), Severity::Error);
    assert_eq!(issue.part(), EntryPart::Key);
    assert_eq!(
        issue.to_string(),
        "\"messageDelay\" applies to Messaging connectors only, not Chat. Remove this row."
    );
    assert!(
        issues(
            &[("defaultGreetingMessage", "hello")],
            ConversationType::Chat
        )
        .is_empty()
    );
}

#[test]
fn a_duplicate_key_names_the_row_that_sets_it_first() {
    let found = issues(
        &[("messageDelay", "300"), ("messageDelay", "500")],
        ConversationType::Messaging,
    );
    assert_eq!(
        found,
        vec![(
            1,
            ConfigIssue::DuplicateKey {
                key: "messageDelay".into(),
                first_row: 0
            }
        )]
    );
    assert!(found[0].1.to_string().contains("row 1"));
}

#[test]
fn an_unknown_key_is_a_warning_and_is_allowed() {
    let issue = only_issue("myCustomFlag", "on", ConversationType::Messaging);
    assert_eq!(issue.severity(), Severity::Warning);
    assert!(issue.to_string().contains("not one of the documented keys"));
}

#[test]
fn a_key_in_the_wrong_case_suggests_the_known_key() {
    let issue = only_issue("MessageDelay", "300", ConversationType::Messaging);
    assert!(
        issue.to_string().contains("did you mean \"messageDelay\""),
        "{issue}"
    );
}

#[test]
fn milliseconds_must_be_a_whole_number() {
    for bad in ["3 * 1000 * 60", "0.3", "300ms", "abc"] {
        let issue = only_issue("messageDelay", bad, ConversationType::Messaging);
        assert!(
            matches!(issue, ConfigIssue::NotAWholeNumber { .. }),
            "{bad}: {issue:?}"
        );
        assert_eq!(issue.part(), EntryPart::Value);
    }
}

#[test]
fn a_negative_value_is_refused() {
    let issue = only_issue("fallbackEscalationTime", "-1", ConversationType::Messaging);
    assert_eq!(
        issue.to_string(),
        "\"fallbackEscalationTime\" cannot be negative."
    );
    // "-0" is just zero.
    assert!(issues(&[("messageDelay", "-0")], ConversationType::Messaging).is_empty());
}

#[test]
fn an_absurd_value_is_out_of_range() {
    let issue = only_issue("messageDelay", "3600000", ConversationType::Messaging);
    assert_eq!(
        issue.to_string(),
        "\"messageDelay\" must be between 0 and 60000 milliseconds."
    );
    let issue = only_issue(
        "maxEscalationRetries",
        "99999999999999999999999",
        ConversationType::Messaging,
    );
    assert!(matches!(issue, ConfigIssue::OutOfRange { .. }));
}

#[test]
fn booleans_and_choices_take_only_their_documented_values() {
    assert!(matches!(
        only_issue("skipAgentMessage", "True", ConversationType::Messaging),
        ConfigIssue::NotABoolean { .. }
    ));
    let issue = only_issue("tileDisplay", "diagonal", ConversationType::Messaging);
    assert_eq!(
        issue.to_string(),
        "\"tileDisplay\" takes vertical or horizontal."
    );
}

#[test]
fn empty_keys_and_values_are_reported() {
    assert_eq!(
        only_issue("  ", "x", ConversationType::Messaging),
        ConfigIssue::EmptyKey
    );
    assert!(matches!(
        only_issue("messageDelay", " ", ConversationType::Messaging),
        ConfigIssue::EmptyValue { .. }
    ));
}

#[test]
fn a_greeting_longer_than_a_deliverable_message_is_refused() {
    let long = "a".repeat(5001);
    assert!(matches!(
        only_issue("defaultGreetingMessage", &long, ConversationType::Chat),
        ConfigIssue::TooLong { .. }
    ));
}

/// `values` as (key, value) pairs, in order.
fn pairs(values: &TextMap<String>) -> Vec<(String, String)> {
    values
        .iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
}

#[test]
fn effective_values_fill_in_defaults_for_applicable_keys() {
    let values = effective(
        &[ConfigEntry::new("messageDelay", " 500 ")],
        ConversationType::Messaging,
    );
    assert_eq!(values.get("messageDelay").map(String::as_str), Some("500"));
    assert_eq!(
        values.get("ringAcceptWait").map(String::as_str),
        Some("100")
    );
    assert_eq!(values.get("nonsense"), None);
    assert!(
        pairs(&values).windows(2).all(|w| w[0].0 < w[1].0),
        "sorted, one each"
    );
    let chat = effective(&[], ConversationType::Chat);
    assert_eq!(
        chat.iter().map(|(k, _)| k).collect::<Vec<_>>(),
        vec!["defaultGreetingMessage"]
    );
    // The first of duplicate rows is the one kept, wherever the others are.
    let twice = effective(
        &[
            ConfigEntry::new("zeta", "1"),
            ConfigEntry::new(" messageDelay", "first"),
            ConfigEntry::new("alpha", "2"),
            ConfigEntry::new("messageDelay ", "second"),
            ConfigEntry::new("  ", "no key"),
        ],
        ConversationType::Chat,
    );
    assert_eq!(
        pairs(&twice),
        [
            ("alpha", "2"),
            ("defaultGreetingMessage", "hi"),
            ("messageDelay", "first"),
            ("zeta", "1")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
}

#[test]
fn drift_shows_each_key_that_differs_between_connectors_of_a_bot() {
    let a = connector(1, "bot", Environment::Production, 0);
    let mut b = connector(2, "bot", Environment::Production, 0);
    b.settings.advanced.custom_config = vec![ConfigEntry::new("messageDelay", "3000")];
    let found = drift(&[&a, &b]);
    assert_eq!(
        found,
        vec![Drift {
            key: "messageDelay".into(),
            values: vec![(a.id, Some("300".into())), (b.id, Some("3000".into()))],
        }]
    );
}

#[test]
fn setting_a_key_to_its_default_is_not_drift() {
    let a = connector(1, "bot", Environment::Production, 0);
    let mut b = connector(2, "bot", Environment::Production, 0);
    b.settings.advanced.custom_config = vec![ConfigEntry::new("messageDelay", "300")];
    assert!(drift(&[&a, &b]).is_empty());
    assert!(drift(&[&a]).is_empty());
}

#[test]
fn an_unknown_key_set_on_one_connector_only_is_drift() {
    let a = connector(1, "bot", Environment::Production, 0);
    let mut b = connector(2, "bot", Environment::Production, 0);
    b.settings.advanced.custom_config = vec![ConfigEntry::new("experiment", "on")];
    let found = drift(&[&a, &b]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].values[0].1, None);
}

#[test]
fn a_draft_s_drift_puts_the_draft_first_and_leaves_the_edited_connector_out() {
    let mut saved = connector(1, "bot", Environment::Production, 0);
    saved.settings.advanced.custom_config = vec![ConfigEntry::new("messageDelay", "300")];
    let other_bot = connector(2, "other", Environment::Production, 0);
    let draft = [ConfigEntry::new("messageDelay", "900")];
    let fleet = [saved.clone(), other_bot];
    let drift = draft_drift(
        crate::model::ConnectorId(0),
        &draft,
        ConversationType::Messaging,
        &saved.bot.id,
        &fleet,
    );
    assert_eq!(drift.len(), 1);
    assert_eq!(drift[0].values[0].1.as_deref(), Some("900"));
    assert_eq!(drift[0].values[1], (saved.id, Some("300".to_owned())));
    // Editing connector 1 itself compares it with nobody.
    assert!(
        draft_drift(
            saved.id,
            &draft,
            ConversationType::Messaging,
            &saved.bot.id,
            &fleet
        )
        .is_empty()
    );
}

proptest::proptest! {
    /// `effective` gives what a B-tree map of the rows (the first of each key) with the
    /// defaults filled in gives, in the map's order.
    #[test]
    fn effective_values_are_the_maps(
        rows in proptest::collection::vec(("( ?)(messageDelay|ringAcceptWait|a|b|Z|)( ?)", "[a-z0-9 ]{0,3}"), 0..12),
        chat in proptest::bool::ANY,
    ) {
        let ct = if chat { ConversationType::Chat } else { ConversationType::Messaging };
        let entries: Vec<ConfigEntry> = rows.iter().map(|(k, v)| ConfigEntry::new(k, v)).collect();
        let mut map = std::collections::BTreeMap::new();
        for e in &entries {
            if !e.key.trim().is_empty() {
                map.entry(e.key.trim().to_owned()).or_insert_with(|| e.value.trim().to_owned());
            }
        }
        for spec in KNOWN_KEYS.iter().filter(|k| k.applies_to(ct)) {
            map.entry(spec.name.to_owned()).or_insert_with(|| spec.default.to_owned());
        }
        proptest::prop_assert_eq!(pairs(&effective(&entries, ct)), map.into_iter().collect::<Vec<_>>());
    }
}
