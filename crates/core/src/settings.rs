//! The add/edit form's rules: a [`SettingsDraft`] holds exactly what the user typed (so a
//! failed save loses nothing), [`SettingsDraft::parse`] turns it into [`ConnectorSettings`] or
//! per-field problems, and [`AgentDirectory`] says which bot agent users may be chosen.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::config::{self, ConfigEntry, EntryPart, Severity};
use crate::limits::{self, MAX_NAME_CHARS, MAX_URL_CHARS};
use crate::model::{
    AdvancedOptions, BotRef, ConnectorSettings, ConversationType, Environment, Role,
};
use crate::troubleshooting::Problem;

/// The form input a finding belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Field {
    /// The bot a new connector serves.
    Bot,
    Account,
    AgentUserId,
    FallbackSkillId,
    ExternalWebhookUrl,
    ConfigKey(usize),
    ConfigValue(usize),
}

/// One finding about the form, shown next to its field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SettingsProblem {
    pub field: Field,
    pub severity: Severity,
    pub message: String,
}

impl SettingsProblem {
    fn error(field: Field, message: impl Into<String>) -> SettingsProblem {
        SettingsProblem {
            field,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for SettingsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every problem with already-typed settings: account number, agent user, webhook URL and the
/// custom configuration. Warnings are included; callers that save filter on
/// [`SettingsProblem::is_error`].
pub fn settings_problems(settings: &ConnectorSettings) -> Vec<SettingsProblem> {
    let mut problems = Vec::new();
    if let Err(message) = check_account(&settings.account) {
        problems.push(SettingsProblem::error(Field::Account, message));
    }
    if settings.agent_user_id.trim().is_empty() {
        problems.push(SettingsProblem::error(
            Field::AgentUserId,
            "Choose the bot agent user (its login name).",
        ));
    } else if let Some(message) =
        limits::too_long("Agent User ID", &settings.agent_user_id, MAX_NAME_CHARS)
    {
        problems.push(SettingsProblem::error(Field::AgentUserId, message));
    }
    if let Some(url) = &settings.advanced.external_webhook_url {
        let checked = match limits::too_long("External Webhook URL", url, MAX_URL_CHARS) {
            Some(message) => Err(message),
            None => check_webhook_url(url).map_err(str::to_owned),
        };
        if let Err(message) = checked {
            problems.push(SettingsProblem::error(Field::ExternalWebhookUrl, message));
        }
    }
    for finding in config::validate(&settings.advanced.custom_config, settings.conversation_type) {
        let field = match finding.issue.part() {
            EntryPart::Key => Field::ConfigKey(finding.row),
            EntryPart::Value => Field::ConfigValue(finding.row),
        };
        problems.push(SettingsProblem {
            field,
            severity: finding.issue.severity(),
            message: finding.issue.to_string(),
        });
    }
    problems
}

/// What is wrong with the bot a new connector names: the bot list offers only real bots, but
/// an API client may send anything.
pub fn bot_problems(bot: &BotRef) -> Vec<SettingsProblem> {
    let mut problems = Vec::new();
    for (label, value) in [("Bot id", &bot.id.0), ("Bot name", &bot.name)] {
        let message = if value.trim().is_empty() {
            Some(format!(
                "{label} is empty: choose the bot this connector serves."
            ))
        } else {
            limits::too_long(label, value, MAX_NAME_CHARS)
        };
        if let Some(message) = message {
            problems.push(SettingsProblem::error(Field::Bot, message));
        }
    }
    problems
}

/// Trims what a person or a client typed, once, where it enters: every later rule (the 401
/// check, the agent directory, the limits) then sees the same value. An empty webhook URL is
/// none.
pub fn normalize(settings: &mut ConnectorSettings) {
    trim_in_place(&mut settings.account);
    trim_in_place(&mut settings.agent_user_id);
    let advanced = &mut settings.advanced;
    if let Some(url) = &mut advanced.external_webhook_url {
        trim_in_place(url);
        if url.is_empty() {
            advanced.external_webhook_url = None;
        }
    }
    for entry in &mut advanced.custom_config {
        trim_in_place(&mut entry.key);
        trim_in_place(&mut entry.value);
    }
}

/// Trims a bot's id and name, as [`normalize`] does a connector's settings.
pub fn normalize_bot(bot: &mut BotRef) {
    trim_in_place(&mut bot.id.0);
    trim_in_place(&mut bot.name);
}

fn trim_in_place(value: &mut String) {
    let trimmed = value.trim();
    if trimmed.len() != value.len() {
        *value = trimmed.to_owned();
    }
}

/// Whether `account` can be an account number (digits only, at most 20): whether its bot
/// agents are worth looking up.
pub fn is_account_number(account: &str) -> bool {
    check_account(account).is_ok()
}

fn check_account(account: &str) -> Result<(), &'static str> {
    let account = account.trim();
    if account.is_empty() {
        Err("Enter the account number.")
    } else if !account.bytes().all(|b| b.is_ascii_digit()) {
        Err("An account number has digits only, e.g. 12345678.")
    } else if account.len() > 20 {
        Err("That account number is too long: at most 20 digits.")
    } else {
        Ok(())
    }
}

/// An external webhook receives user messages over HTTP, so it must be an https URL with a
/// host. Checked by hand rather than with the `url` crate, whose IDNA tables would add more
/// to the download than this whole check is worth.
pub fn check_webhook_url(url: &str) -> Result<(), &'static str> {
    let url = url.trim();
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A URL cannot contain spaces.");
    }
    let Some(rest) = url
        .get(..8)
        .filter(|scheme| scheme.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])
    else {
        return Err("Use an https:// URL: messages are posted to it and must be encrypted.");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((host, after)) => (host, after.strip_prefix(':')),
            None => return Err("The URL's IPv6 host is missing its closing ']'."),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err("The URL has no host, e.g. https://bots.example.com/hook.");
    }
    let host_ok = host
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !host.starts_with(['.', '-'])
        && !host.ends_with('-');
    if !host_ok {
        return Err("The URL's host name has characters a host name cannot have.");
    }
    if let Some(port) = port
        && !port.parse::<u16>().is_ok_and(|p| p > 0)
    {
        return Err("The URL's port must be a number from 1 to 65535.");
    }
    Ok(())
}

/// What differs between two versions of a connector, as a person names it: its settings'
/// fields, then its status. Empty when only its counters moved on.
pub fn connector_changes(before: &crate::Connector, after: &crate::Connector) -> Vec<&'static str> {
    let mut changes = changed_fields(&before.settings, &after.settings);
    if before.state.status() != after.state.status() {
        changes.push("Status");
    }
    changes
}

/// The form labels of the settings that differ between `before` and `after`: what an editor
/// is told when someone else saved the connector while their form was open.
pub fn changed_fields(before: &ConnectorSettings, after: &ConnectorSettings) -> Vec<&'static str> {
    let (a, b) = (&before.advanced, &after.advanced);
    [
        ("Account number", before.account != after.account),
        ("Agent User ID", before.agent_user_id != after.agent_user_id),
        ("Role", before.role != after.role),
        (
            "Conversation Type",
            before.conversation_type != after.conversation_type,
        ),
        ("Deploy to", before.environment != after.environment),
        (
            "Fallback Skill ID",
            a.fallback_skill_id != b.fallback_skill_id,
        ),
        (
            "External Webhook URL",
            a.external_webhook_url != b.external_webhook_url,
        ),
        ("Custom Configurations", a.custom_config != b.custom_config),
        ("Accessibility", a.accessibility != b.accessibility),
    ]
    .into_iter()
    .filter_map(|(label, changed)| changed.then_some(label))
    .collect()
}

/// What the add/edit form holds, exactly as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SettingsDraft {
    pub account: String,
    pub agent_user_id: String,
    pub role: Role,
    pub conversation_type: ConversationType,
    pub environment: Environment,
    pub fallback_skill_id: String,
    pub external_webhook_url: String,
    pub custom_config: Vec<ConfigEntry>,
    pub accessibility: bool,
}

impl Default for SettingsDraft {
    fn default() -> Self {
        SettingsDraft {
            account: String::new(),
            agent_user_id: String::new(),
            role: Role::Agent,
            conversation_type: ConversationType::Messaging,
            // Bot developers deploy for testing; Demo is the safe choice.
            environment: Environment::Demo,
            fallback_skill_id: String::new(),
            external_webhook_url: String::new(),
            custom_config: Vec::new(),
            accessibility: false,
        }
    }
}

impl SettingsDraft {
    pub fn from_settings(settings: &ConnectorSettings) -> SettingsDraft {
        let advanced = &settings.advanced;
        SettingsDraft {
            account: settings.account.clone(),
            agent_user_id: settings.agent_user_id.clone(),
            role: settings.role,
            conversation_type: settings.conversation_type,
            environment: settings.environment,
            fallback_skill_id: advanced
                .fallback_skill_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            external_webhook_url: advanced.external_webhook_url.clone().unwrap_or_default(),
            custom_config: advanced.custom_config.clone(),
            accessibility: advanced.accessibility,
        }
    }

    /// The settings this draft describes, and every finding about it. `settings` is `None`
    /// exactly when a finding is an error; warnings alone do not stop a save.
    pub fn parse(&self) -> Parsed {
        let mut problems = Vec::new();
        let skill = self.fallback_skill_id.trim();
        let fallback_skill_id = if skill.is_empty() {
            None
        } else if let Ok(id) = skill.parse::<u64>() {
            Some(id)
        } else {
            problems.push(SettingsProblem::error(
                Field::FallbackSkillId,
                "A fallback skill ID is a number, e.g. 1234567890. Leave it empty for none.",
            ));
            None
        };
        let mut settings = ConnectorSettings {
            account: self.account.clone(),
            agent_user_id: self.agent_user_id.clone(),
            role: self.role,
            conversation_type: self.conversation_type,
            environment: self.environment,
            advanced: AdvancedOptions {
                fallback_skill_id,
                external_webhook_url: Some(self.external_webhook_url.clone()),
                custom_config: self.custom_config.clone(),
                accessibility: self.accessibility,
            },
        };
        normalize(&mut settings);
        problems.extend(settings_problems(&settings));
        let ok = !problems.iter().any(SettingsProblem::is_error);
        Parsed {
            settings: ok.then_some(settings),
            problems,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub settings: Option<ConnectorSettings>,
    pub problems: Vec<SettingsProblem>,
}

impl Parsed {
    pub fn problems_for(&self, field: Field) -> impl Iterator<Item = &SettingsProblem> {
        self.problems.iter().filter(move |p| p.field == field)
    }
}

/// A bot agent user of a Conversational Cloud account (a user whose type is "Bot").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AgentUser {
    pub account: String,
    pub login_name: String,
    pub enabled: bool,
    /// Who created the user; only they may add connectors for it.
    pub created_by: String,
}

/// Why the Agent User ID list for an account cannot be shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum AgentListError {
    #[error("Account {0} was not found. Check the account number.")]
    UnknownAccount(String),
    #[error(
        "You have no user in account {0}, so its bot agents cannot be listed. Use an account you have a user in."
    )]
    NoUserInAccount(String),
}

/// The bot agent users of the accounts the current user can see. The users are kept sorted by
/// login name (then account), so finding one costs a binary search, not a scan: a fleet of
/// 100,000 connectors has as many users.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(from = "Unsorted")]
pub struct AgentDirectory {
    users: Vec<AgentUser>,
    /// Accounts in which the current user has a user account.
    pub member_of: Vec<String>,
}

/// A directory as stored, in whatever order: sorted as it is read.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
struct Unsorted {
    users: Vec<AgentUser>,
    member_of: Vec<String>,
}

impl From<Unsorted> for AgentDirectory {
    fn from(raw: Unsorted) -> AgentDirectory {
        AgentDirectory::new(raw.users, raw.member_of)
    }
}

fn user_key(u: &AgentUser) -> (&str, &str) {
    (u.login_name.as_str(), u.account.as_str())
}

impl AgentDirectory {
    pub fn new(mut users: Vec<AgentUser>, member_of: Vec<String>) -> AgentDirectory {
        crate::order::sort_by(&mut users, |a, b| user_key(a).cmp(&user_key(b)));
        AgentDirectory { users, member_of }
    }

    /// Every user, by login name.
    pub fn users(&self) -> &[AgentUser] {
        &self.users
    }

    /// Adds `user` in its place.
    pub fn add(&mut self, user: AgentUser) {
        let at = self
            .users
            .partition_point(|u| user_key(u) < user_key(&user));
        self.users.insert(at, user);
    }

    /// The users named `login`, in any account (a login name is unique within one).
    fn named(&self, login: &str) -> std::ops::Range<usize> {
        let start = self
            .users
            .partition_point(|u| u.login_name.as_str() < login);
        let end = start + self.users[start..].partition_point(|u| u.login_name == login);
        start..end
    }

    /// The user `login` of `account`.
    pub fn find(&self, account: &str, login: &str) -> Option<&AgentUser> {
        self.users[self.named(login)]
            .iter()
            .find(|u| u.account == account)
    }

    /// The first user named `login`, whatever its account (the trainer's controls name users
    /// by login alone).
    pub fn find_login(&self, login: &str) -> Option<&AgentUser> {
        self.users[self.named(login)].first()
    }

    /// The first user named `login`, to change what it is (enabled, who created it).
    pub fn find_login_mut(&mut self, login: &str) -> Option<&mut AgentUser> {
        let range = self.named(login);
        self.users[range].first_mut()
    }

    /// The choices for "Agent User ID": only *enabled* bot agents of `account`.
    pub fn enabled_agents(&self, account: &str) -> Result<Vec<&AgentUser>, AgentListError> {
        let account = account.trim();
        if !self.users.iter().any(|u| u.account == account) {
            return Err(AgentListError::UnknownAccount(account.to_owned()));
        }
        if !self.member_of.iter().any(|a| a == account) {
            return Err(AgentListError::NoUserInAccount(account.to_owned()));
        }
        Ok(self
            .users
            .iter()
            .filter(|u| u.account == account && u.enabled)
            .collect())
    }

    /// Why `settings` name an account or bot agent that cannot be chosen, if they do: what
    /// a save re-checks, since the list the form offered may be stale.
    pub fn agent_problems(&self, settings: &ConnectorSettings) -> Vec<SettingsProblem> {
        let account = settings.account.trim();
        let agent = settings.agent_user_id.trim();
        match self.enabled_agents(account) {
            Err(why) => vec![SettingsProblem::error(Field::Account, why.to_string())],
            Ok(agents) if agents.iter().any(|u| u.login_name == agent) => Vec::new(),
            Ok(_) => {
                let disabled = self.find(account, agent).is_some();
                let message = if disabled {
                    format!(
                        "The bot agent {agent} is disabled in account {account}. Enable it in Conversational Cloud, or choose an enabled one."
                    )
                } else {
                    format!(
                        "There is no bot agent {agent} in account {account}. Choose one from the list."
                    )
                };
                vec![SettingsProblem::error(Field::AgentUserId, message)]
            }
        }
    }

    pub fn is_enabled(&self, account: &str, login_name: &str) -> bool {
        self.find(account, login_name).is_some_and(|u| u.enabled)
    }

    /// Adding a connector for a bot user someone else created fails with the spec's 401.
    pub fn may_add_for(
        &self,
        account: &str,
        login_name: &str,
        current_user: &str,
    ) -> Result<(), Problem> {
        match self.find(account, login_name) {
            Some(user) if user.created_by != current_user => Err(Problem::Unauthorized),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
