use super::*;

fn valid_draft() -> SettingsDraft {
    SettingsDraft {
        account: "12345678".into(),
        agent_user_id: "billing-bot".into(),
        ..SettingsDraft::default()
    }
}

fn messages(parsed: &Parsed, field: Field) -> Vec<String> {
    parsed
        .problems_for(field)
        .map(|p| p.message.clone())
        .collect()
}

#[test]
fn a_complete_draft_parses_into_settings() {
    let mut draft = valid_draft();
    draft.fallback_skill_id = " 42 ".into();
    draft.external_webhook_url = "https://bots.example.com:8443/hook?x=1".into();
    let parsed = draft.parse();
    assert_eq!(parsed.problems, vec![]);
    let settings = parsed.settings.expect("valid");
    assert_eq!(settings.advanced.fallback_skill_id, Some(42));
    assert_eq!(
        settings.advanced.external_webhook_url.as_deref(),
        Some("https://bots.example.com:8443/hook?x=1")
    );
}

#[test]
fn the_account_number_is_required_and_numeric() {
    let mut draft = valid_draft();
    draft.account = "".into();
    assert_eq!(
        messages(&draft.parse(), Field::Account),
        vec!["Enter the account number."]
    );
    draft.account = "acct-1".into();
    assert!(messages(&draft.parse(), Field::Account)[0].contains("digits only"));
}

#[test]
fn the_agent_user_must_be_chosen() {
    let mut draft = valid_draft();
    draft.agent_user_id = " ".into();
    let parsed = draft.parse();
    assert!(parsed.settings.is_none());
    assert_eq!(messages(&parsed, Field::AgentUserId).len(), 1);
}

#[test]
fn a_fallback_skill_id_is_numeric() {
    let mut draft = valid_draft();
    draft.fallback_skill_id = "sales".into();
    let parsed = draft.parse();
    assert!(parsed.settings.is_none());
    assert!(messages(&parsed, Field::FallbackSkillId)[0].contains("is a number"));
}

#[test]
fn an_https_less_webhook_is_refused() {
    let mut draft = valid_draft();
    draft.external_webhook_url = "http://bots.example.com/hook".into();
    let parsed = draft.parse();
    assert!(parsed.settings.is_none());
    assert!(messages(&parsed, Field::ExternalWebhookUrl)[0].contains("https://"));
}

#[test]
fn malformed_webhook_urls_say_what_is_wrong() {
    assert!(check_webhook_url("https://").is_err());
    assert!(check_webhook_url("https:///path").is_err());
    assert!(check_webhook_url("https://exa mple.com").is_err());
    assert!(check_webhook_url("https://example.com:99999/").is_err());
    assert!(check_webhook_url("https://bad_host!/").is_err());
    assert!(check_webhook_url("https://[::1/").is_err());
    assert_eq!(check_webhook_url("HTTPS://Example.com/"), Ok(()));
    assert_eq!(check_webhook_url("https://[2001:db8::1]:443/x"), Ok(()));
    assert_eq!(check_webhook_url("https://user@example.com/x"), Ok(()));
}

#[test]
fn custom_configuration_findings_point_at_their_row_and_input() {
    let mut draft = valid_draft();
    draft.custom_config = vec![
        ConfigEntry::new("messageDelay", "fast"),
        ConfigEntry::new("newFlag", "1"),
    ];
    let parsed = draft.parse();
    assert!(parsed.settings.is_none());
    assert_eq!(messages(&parsed, Field::ConfigValue(0)).len(), 1);
    let warnings: Vec<_> = parsed.problems_for(Field::ConfigKey(1)).collect();
    assert_eq!(warnings.len(), 1);
    assert!(!warnings[0].is_error());
}

#[test]
fn warnings_alone_do_not_stop_a_save() {
    let mut draft = valid_draft();
    draft.custom_config = vec![ConfigEntry::new("newFlag", "1")];
    let parsed = draft.parse();
    assert!(parsed.settings.is_some());
    assert_eq!(parsed.problems.len(), 1);
}

#[test]
fn a_draft_round_trips_through_settings() {
    let mut draft = valid_draft();
    draft.fallback_skill_id = "7".into();
    draft.accessibility = true;
    let settings = draft.parse().settings.expect("valid");
    assert_eq!(SettingsDraft::from_settings(&settings), draft);
}

fn directory() -> AgentDirectory {
    let user = |account: &str, name: &str, enabled: bool, by: &str| AgentUser {
        account: account.into(),
        login_name: name.into(),
        enabled,
        created_by: by.into(),
    };
    AgentDirectory::new(
        vec![
            user("111", "bot-a", true, "me"),
            user("111", "bot-b", false, "me"),
            user("111", "bot-c", true, "someone-else"),
            user("222", "bot-d", true, "me"),
        ],
        vec!["111".into()],
    )
}

#[test]
fn only_enabled_bot_agents_of_the_account_can_be_chosen() {
    let dir = directory();
    let names: Vec<_> = dir
        .enabled_agents("111")
        .expect("member")
        .iter()
        .map(|u| u.login_name.as_str())
        .collect();
    assert_eq!(names, vec!["bot-a", "bot-c"]);
    assert!(dir.is_enabled("111", "bot-a"));
    assert!(!dir.is_enabled("111", "bot-b"));
}

#[test]
fn an_unknown_account_or_one_without_your_user_gives_a_clear_message() {
    let dir = directory();
    let unknown = dir.enabled_agents("999").expect_err("unknown");
    assert!(unknown.to_string().contains("not found"));
    let foreign = dir.enabled_agents("222").expect_err("not a member");
    assert!(foreign.to_string().contains("no user in account 222"));
}

#[test]
fn adding_a_connector_for_someone_elses_bot_user_fails_with_401() {
    let dir = directory();
    assert_eq!(
        dir.may_add_for("111", "bot-c", "me"),
        Err(Problem::Unauthorized)
    );
    assert_eq!(dir.may_add_for("111", "bot-a", "me"), Ok(()));
}

fn settings_for(account: &str, agent: &str) -> ConnectorSettings {
    let mut draft = valid_draft();
    draft.account = account.into();
    draft.agent_user_id = agent.into();
    draft.parse().settings.expect("valid")
}

#[test]
fn a_save_rechecks_the_account_and_the_agent() {
    let dir = directory();
    assert_eq!(dir.agent_problems(&settings_for("111", "bot-a")), vec![]);
    let disabled = dir.agent_problems(&settings_for("111", "bot-b"));
    assert_eq!(disabled[0].field, Field::AgentUserId);
    assert!(disabled[0].message.contains("bot-b is disabled"));
    let missing = dir.agent_problems(&settings_for("111", "bot-z"));
    assert!(missing[0].message.contains("no bot agent bot-z"));
    let foreign = dir.agent_problems(&settings_for("222", "bot-d"));
    assert_eq!(foreign[0].field, Field::Account);
}

#[test]
fn connector_changes_name_settings_and_status_but_not_counters() {
    use crate::model::{BotRef, ConnectorId};
    let bot = BotRef {
        id: crate::model::BotId("bot-a".into()),
        name: "Bot A".into(),
    };
    let before = crate::Connector::added(ConnectorId(1), bot, settings_for("111", "bot-a"));
    let mut busier = before.clone();
    busier.concurrent_conversations = 7;
    busier.version += 1;
    assert_eq!(connector_changes(&before, &busier), Vec::<&str>::new());
    let mut stopped = busier.clone();
    stopped.state = crate::ConnectorState::Stopped;
    stopped.settings.role = crate::model::Role::Manager;
    assert_eq!(connector_changes(&before, &stopped), vec!["Role", "Status"]);
}

#[test]
fn changed_fields_name_what_someone_else_saved() {
    let before = settings_for("111", "bot-a");
    assert_eq!(changed_fields(&before, &before), Vec::<&str>::new());
    let mut after = before.clone();
    after.role = crate::model::Role::Manager;
    after
        .advanced
        .custom_config
        .push(ConfigEntry::new("messageDelay", "3000"));
    assert_eq!(
        changed_fields(&before, &after),
        vec!["Role", "Custom Configurations"]
    );
}

mod limits_and_trimming {
    use super::valid_draft as draft;
    use super::*;
    use crate::config::{ConfigEntry, ConfigIssue};
    use crate::limits::{MAX_CONFIG_ROWS, MAX_NAME_CHARS, MAX_VALUE_CHARS};
    use crate::model::{BotId, BotRef};

    fn errors(draft: &SettingsDraft, field: Field) -> Vec<String> {
        draft
            .parse()
            .problems_for(field)
            .filter(|p| p.is_error())
            .map(|p| p.message.clone())
            .collect()
    }

    #[test]
    fn an_agent_user_id_has_at_most_200_characters() {
        let mut d = draft();
        d.agent_user_id = "a".repeat(MAX_NAME_CHARS);
        assert!(errors(&d, Field::AgentUserId).is_empty());
        d.agent_user_id.push('a');
        assert_eq!(
            errors(&d, Field::AgentUserId),
            ["Agent User ID has 201 characters; at most 200 are allowed."]
        );
    }

    #[test]
    fn at_most_50_configuration_rows_each_past_the_limit_marked() {
        let mut d = draft();
        d.custom_config = (0..MAX_CONFIG_ROWS + 2)
            .map(|i| ConfigEntry::new(&format!("custom{i}"), "x"))
            .collect();
        assert!(errors(&d, Field::ConfigKey(MAX_CONFIG_ROWS - 1)).is_empty());
        for row in [MAX_CONFIG_ROWS, MAX_CONFIG_ROWS + 1] {
            assert_eq!(
                errors(&d, Field::ConfigKey(row)),
                [ConfigIssue::TooManyRows { max: 50 }.to_string()]
            );
        }
        assert!(d.parse().settings.is_none());
    }

    #[test]
    fn every_value_known_key_or_not_has_at_most_5000_characters() {
        let mut d = draft();
        d.custom_config = vec![
            ConfigEntry::new("myOwnKey", &"v".repeat(MAX_VALUE_CHARS + 1)),
            ConfigEntry::new("defaultGreetingMessage", &"v".repeat(MAX_VALUE_CHARS + 1)),
            ConfigEntry::new("messageDelay", &"9".repeat(60_000)),
            ConfigEntry::new(&"k".repeat(MAX_NAME_CHARS + 1), "1"),
        ];
        for row in 0..3 {
            let found = errors(&d, Field::ConfigValue(row));
            assert_eq!(found.len(), 1, "row {row}: {found:?}");
            assert!(found[0].contains("at most 5,000 characters"), "{found:?}");
        }
        assert_eq!(
            errors(&d, Field::ConfigKey(3)),
            ["A key has at most 200 characters."]
        );
    }

    #[test]
    fn a_webhook_url_is_bounded_too() {
        let mut d = draft();
        d.external_webhook_url = format!("https://example.com/{}", "p".repeat(3000));
        let found = errors(&d, Field::ExternalWebhookUrl);
        assert!(found[0].contains("at most 2,048"), "{found:?}");
    }

    #[test]
    fn a_bot_needs_an_id_and_a_name_of_at_most_200_characters() {
        let bot = |id: &str, name: &str| BotRef {
            id: BotId(id.into()),
            name: name.into(),
        };
        assert!(bot_problems(&bot("bot-1", "Billing")).is_empty());
        let long = bot_problems(&bot("bot-1", &"n".repeat(201)));
        assert_eq!(long.len(), 1);
        assert_eq!(long[0].field, Field::Bot);
        assert!(long[0].message.starts_with("Bot name has 201 characters"));
        assert!(
            bot_problems(&bot(" ", "Billing"))[0]
                .message
                .contains("Bot id is empty")
        );
    }

    #[test]
    fn settings_are_trimmed_once_where_they_enter() {
        let mut d = draft();
        d.account = " 12345678\t".into();
        d.agent_user_id = "\u{a0}billing-bot ".into();
        d.external_webhook_url = "   ".into();
        d.custom_config = vec![ConfigEntry::new(" messageDelay ", " 500 ")];
        let settings = d.parse().settings.expect("valid once trimmed");
        assert_eq!(settings.account, "12345678");
        assert_eq!(settings.agent_user_id, "billing-bot");
        assert_eq!(settings.advanced.external_webhook_url, None);
        assert_eq!(
            settings.advanced.custom_config,
            [ConfigEntry::new("messageDelay", "500")]
        );
    }
}

#[test]
fn an_account_number_is_digits_only_and_at_most_twenty() {
    assert!(is_account_number("31487985"));
    assert!(is_account_number(" 31487985 "));
    assert!(!is_account_number(""));
    assert!(!is_account_number("3148-7985"));
    assert!(!is_account_number(&"1".repeat(21)));
}

#[test]
fn the_directory_finds_users_however_they_were_stored_or_added() {
    let user = |account: &str, name: &str| AgentUser {
        account: account.into(),
        login_name: name.into(),
        enabled: true,
        created_by: "me".into(),
    };
    let stored = serde_json::json!({
        "users": [user("2", "zed"), user("1", "amy"), user("2", "amy")],
        "member_of": ["1"]
    });
    let mut dir: AgentDirectory = serde_json::from_value(stored).expect("a directory");
    assert_eq!(dir.find("2", "amy").map(|u| u.account.as_str()), Some("2"));
    assert_eq!(dir.find("1", "zed"), None);
    assert!(dir.find_login("zed").is_some());
    dir.add(user("1", "bob"));
    let logins: Vec<&str> = dir.users().iter().map(|u| u.login_name.as_str()).collect();
    assert_eq!(logins, ["amy", "amy", "bob", "zed"]);
    assert!(dir.is_enabled("1", "bob"));
    if let Some(u) = dir.find_login_mut("bob") {
        u.enabled = false;
    }
    assert!(!dir.is_enabled("1", "bob"));
}
