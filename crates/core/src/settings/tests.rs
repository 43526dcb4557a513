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
    AgentDirectory {
        users: vec![
            user("111", "bot-a", true, "me"),
            user("111", "bot-b", false, "me"),
            user("111", "bot-c", true, "someone-else"),
            user("222", "bot-d", true, "me"),
        ],
        member_of: vec!["111".into()],
    }
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
