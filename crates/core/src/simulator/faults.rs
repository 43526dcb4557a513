//! The failures a trainer injects, from the troubleshooting pages, and the fixes made outside
//! the app (in Conversational Cloud, or on the servers the bots run on) that end them:
//!
//! - a bot user disabled by the account's login policy, once or (a server with a dynamic IP
//!   outside the whitelist) again a minute or two after every time it is enabled and logs in;
//! - a bot user someone else created, which answers 401;
//! - a traffic spike on a bot;
//! - pausing and single-stepping time, through [`Simulator::next_due`].

use serde::{Deserialize, Serialize};

use super::{Change, Simulator};
use crate::fleet::OTHER_USER;
use crate::lifecycle::{Lifecycle, Login, Reachability};
use crate::model::{BotId, Millis};
use crate::order::{TextMap, TextSet};
use crate::status::ConnectorStatus;

/// How long after logging in from a non-whitelisted IP a bot user is disabled ("after a minute
/// or two").
pub const DISABLE_AFTER_MS: u64 = 90_000;

/// What decides whether a bot user's logins are refused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LoginPolicy {
    /// Bot users whose servers log in from dynamic IPs that are often outside the whitelist.
    dynamic_ip: TextSet,
    /// Accounts whose Login Policy whitelists the full IP range of the bot servers.
    range_whitelisted: TextSet,
    /// When each bot user that logged in from outside the whitelist gets disabled.
    #[cfg_attr(
        feature = "schema",
        schemars(with = "std::collections::BTreeMap<String, Millis>")
    )]
    disable_at: TextMap<Millis>,
}

/// Why a fault or a fix could not be applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    #[error("There is no bot user {0}.")]
    NoSuchUser(String),
    #[error("There is no bot named {0}.")]
    NoSuchBot(String),
}

impl Simulator {
    fn user_mut(&mut self, login: &str) -> Result<&mut crate::settings::AgentUser, FaultError> {
        self.fleet
            .directory
            .find_login_mut(login)
            .ok_or_else(|| FaultError::NoSuchUser(login.to_owned()))
    }

    fn account_of(&self, login: &str) -> Option<&str> {
        self.fleet
            .directory
            .find_login(login)
            .map(|u| u.account.as_str())
    }

    /// What a trainer should know of bot user `login` at a glance: "disabled", "someone
    /// else's", "dynamic IP" (empty when none applies).
    pub fn user_notes(&self, login: &str) -> Vec<&'static str> {
        let mut notes = Vec::new();
        if let Some(user) = self.fleet.directory.find_login(login) {
            if !user.enabled {
                notes.push("disabled");
            }
            if user.created_by != self.user {
                notes.push("someone else's");
            }
        }
        if self.logs_in_from_outside_whitelist(login) {
            notes.push("dynamic IP");
        }
        notes
    }

    /// Whether `login`'s server logs in from an IP the login policy refuses.
    pub fn logs_in_from_outside_whitelist(&self, login: &str) -> bool {
        self.login_policy.dynamic_ip.contains(login)
            && self
                .account_of(login)
                .is_none_or(|a| !self.login_policy.range_whitelisted.contains(a))
    }

    /// Whether the account's Login Policy whitelists the bot servers' full IP range.
    pub fn range_whitelisted(&self, account: &str) -> bool {
        self.login_policy.range_whitelisted.contains(account)
    }

    /// The bot users whose servers have dynamic IPs outside the whitelist.
    pub fn dynamic_ip_users(&self) -> impl Iterator<Item = &str> {
        self.login_policy
            .dynamic_ip
            .iter()
            .filter(|login| self.logs_in_from_outside_whitelist(login))
    }

    /// The login policy disables `login` after failed logins: its running connectors fail
    /// with the spec's "disabled by the login policy".
    pub fn disable_by_login_policy(&mut self, login: &str) -> Result<Vec<Change>, FaultError> {
        self.user_mut(login)?.enabled = false;
        self.login_policy.disable_at.remove(login);
        Ok(self.relogin(login))
    }

    /// Moves `login`'s server to a dynamic IP outside the whitelist: a minute or two after each
    /// time it logs in, the login policy disables it.
    pub fn put_on_dynamic_ip(&mut self, login: &str) -> Result<Vec<Change>, FaultError> {
        self.user_mut(login)?;
        self.login_policy.dynamic_ip.insert(login.to_owned());
        Ok(self.enforce_login_policy())
    }

    /// The "two of four bots disabled" case: every other bot user of `bot` (two of four) runs
    /// on a server with a dynamic IP.
    pub fn put_half_on_dynamic_ips(&mut self, bot: &BotId) -> Result<Vec<Change>, FaultError> {
        let mut logins: Vec<String> = self
            .fleet
            .connectors
            .iter()
            .filter(|c| &c.bot.id == bot)
            .map(|c| c.settings.agent_user_id.clone())
            .collect();
        logins.dedup();
        if logins.is_empty() {
            return Err(FaultError::NoSuchBot(bot.0.clone()));
        }
        let mut changes = Vec::new();
        for login in logins.iter().skip(1).step_by(2) {
            changes.extend(self.put_on_dynamic_ip(login)?);
        }
        Ok(changes)
    }

    /// The fix: a static IP for `login`'s server, added to the Login Policy whitelist.
    pub fn give_static_ip(&mut self, login: &str) -> Result<(), FaultError> {
        self.user_mut(login)?;
        self.login_policy.dynamic_ip.remove(login);
        self.login_policy.disable_at.remove(login);
        Ok(())
    }

    /// The other fix: the account's Login Policy whitelists the full IP range of the servers
    /// running bot services.
    pub fn whitelist_ip_range(&mut self, account: &str) {
        self.login_policy
            .range_whitelisted
            .insert(account.to_owned());
        let spared: Vec<String> = self
            .login_policy
            .disable_at
            .iter()
            .map(|(login, _)| login)
            .filter(|login| self.account_of(login) == Some(account))
            .map(str::to_owned)
            .collect();
        for login in spared {
            self.login_policy.disable_at.remove(&login);
        }
    }

    /// The agent manager enables `login` again in Conversational Cloud. Its connectors stay
    /// as they are until someone starts them.
    pub fn enable_bot_user(&mut self, login: &str) -> Result<(), FaultError> {
        self.user_mut(login)?.enabled = true;
        Ok(())
    }

    /// Someone else created `login`: connecting with it answers 401 from its next start, and
    /// adding a connector for it is refused.
    pub fn hand_to_someone_else(&mut self, login: &str) -> Result<(), FaultError> {
        self.user_mut(login)?.created_by = OTHER_USER.to_owned();
        Ok(())
    }

    /// A traffic spike: `bot`'s traffic asks for `concurrent` conversations, shared at once by
    /// its online connectors.
    pub fn spike(&mut self, bot: &BotId, concurrent: u32) -> Result<Vec<Change>, FaultError> {
        if !self.fleet.connectors.iter().any(|c| &c.bot.id == bot) {
            return Err(FaultError::NoSuchBot(bot.0.clone()));
        }
        *self.demand.entry(&bot.0, || 0) = concurrent;
        let online = self.online_of(bot);
        let mut changes = Vec::new();
        super::share_load(
            &mut self.fleet.connectors,
            &online,
            concurrent,
            &mut changes,
        );
        Ok(changes)
    }

    /// When the next thing is due to happen on its own: a start settling, a bot user being
    /// disabled, load moving. A single step goes exactly there.
    pub fn next_due(&self) -> Millis {
        self.starts
            .times()
            .chain(self.pcs_start)
            .chain(self.login_policy.disable_at.values().copied())
            .chain([self.next_load_at])
            .min()
            .unwrap_or(self.next_load_at)
            .max(self.now.plus(1))
    }

    /// Lets time run to the next thing due (see [`Simulator::next_due`]).
    pub fn step(&mut self) -> Vec<Change> {
        let due = self.next_due();
        self.advance_to(due)
    }

    /// Schedules the disabling of each bot user that is logged in from outside the whitelist,
    /// and disables those whose time has come.
    pub(super) fn enforce_login_policy(&mut self) -> Vec<Change> {
        let logged_in: Vec<String> = self
            .login_policy
            .dynamic_ip
            .iter()
            .filter(|login| self.logs_in_from_outside_whitelist(login))
            .filter(|login| {
                self.fleet.connectors.iter().any(|c| {
                    c.settings.agent_user_id == *login
                        && c.state.status() == ConnectorStatus::Online
                })
            })
            .map(str::to_owned)
            .collect();
        let now = self.now;
        for login in &logged_in {
            self.login_policy
                .disable_at
                .entry(login, || now.plus(DISABLE_AFTER_MS));
        }
        let due: Vec<String> = self
            .login_policy
            .disable_at
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(login, _)| login.to_owned())
            .collect();
        let mut changes = Vec::new();
        for login in due {
            if let Ok(more) = self.disable_by_login_policy(&login) {
                changes.extend(more);
            }
        }
        changes
    }

    /// Applies what `login`'s connectors now find when they log in to the running ones.
    fn relogin(&mut self, login: &str) -> Vec<Change> {
        let mut changes = Vec::new();
        for i in 0..self.fleet.connectors.len() {
            let c = &self.fleet.connectors[i];
            if c.settings.agent_user_id != login || c.reported.is_some() {
                continue;
            }
            let seen: Reachability = self.reachability(c);
            if seen.login == Login::Ok {
                continue;
            }
            if let Some(next) = Lifecycle::observe(c, &seen) {
                self.fleet.connectors[i] = next.clone();
                changes.push(Change::Connector(Box::new(next)));
            }
        }
        changes
    }
}
