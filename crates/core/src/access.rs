//! Who may do what: the session's permissions and the rules that read them.
//!
//! The spec says Production needs "the role of Bot Status Access or Administrator", while the
//! whole app needs Bot Status Access; taken literally, everyone inside the app could deploy to
//! Production, and a bot developer who tests in Demo could never be kept out of it. So the
//! Production right is a permission of its own ([`Permissions::production`]), which an
//! operator with full Bot Status Access holds and a bot developer does not; an administrator
//! always may.
//!
//! The rule, decided by [`Permissions::may_change`] alone: **every change to a Production
//! connector** — add, edit, start, stop, restart, redeploy into or out of Production, delete —
//! **and every PCS operation** (the PCS connector serves Production) needs the Production
//! right. The app (to disable what it would refuse), the simulated backend and the server all
//! call it.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::Environment;

/// The permissions of the signed-in user that Bots Status cares about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Permissions {
    /// Needed to open Bots Status at all.
    pub bot_status_access: bool,
    pub administrator: bool,
    /// May change Production connectors and the PCS connector (see [`Permissions::may_change`]).
    #[serde(default)]
    pub production: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Session {
    pub user_name: String,
    /// What the user is, in words ("Administrator").
    pub role: String,
    pub permissions: Permissions,
    /// The account the user signed in to: the add form starts with it.
    pub account: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AccessDenied {
    #[error(
        "You need the Bot Status Access permission to use Bots Status. Ask an administrator of your account to grant it."
    )]
    NoBotStatusAccess,
    #[error(
        "Changing Production needs the Production right (Bot Status Access for Production, or the Administrator role), which bot developers do not have: use Demo, or ask an operator."
    )]
    NoProductionRights,
}

impl Permissions {
    /// Everything: an administrator of the account.
    pub const ADMINISTRATOR: Permissions = Permissions {
        bot_status_access: true,
        administrator: true,
        production: true,
    };
    /// Bot Status Access with Production: the operator who runs the fleet.
    pub const OPERATOR: Permissions = Permissions {
        bot_status_access: true,
        administrator: false,
        production: true,
    };
    /// Bot Status Access for Demo only: a bot developer who deploys for testing.
    pub const BOT_DEVELOPER: Permissions = Permissions {
        bot_status_access: true,
        administrator: false,
        production: false,
    };

    pub fn may_open_app(self) -> Result<(), AccessDenied> {
        if self.bot_status_access {
            Ok(())
        } else {
            Err(AccessDenied::NoBotStatusAccess)
        }
    }

    /// Whether the user may change a connector in `environment`, or put one there: add, edit,
    /// start, stop, restart, redeploy (judged for where it is and where it goes) and delete.
    /// PCS operations are changes to Production.
    pub fn may_change(self, environment: Environment) -> Result<(), AccessDenied> {
        match environment {
            Environment::Demo => Ok(()),
            Environment::Production if self.production || self.administrator => Ok(()),
            Environment::Production => Err(AccessDenied::NoProductionRights),
        }
    }
}

/// The users the simulator can sign in as, to show what each of them meets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Persona {
    #[default]
    Administrator,
    BotDeveloper,
    NoAccess,
}

impl Persona {
    pub const ALL: [Persona; 3] = [
        Persona::Administrator,
        Persona::BotDeveloper,
        Persona::NoAccess,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Persona::Administrator => "Administrator",
            Persona::BotDeveloper => "Bot developer (Demo only)",
            Persona::NoAccess => "User without Bot Status Access",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Persona::Administrator => "admin",
            Persona::BotDeveloper => "developer",
            Persona::NoAccess => "none",
        }
    }

    pub fn permissions(self) -> Permissions {
        match self {
            Persona::Administrator => Permissions::ADMINISTRATOR,
            Persona::BotDeveloper => Permissions::BOT_DEVELOPER,
            Persona::NoAccess => Permissions::default(),
        }
    }

    /// The same person under each persona, so the bot users they created stay theirs.
    pub fn session(self, user_name: &str, account: &str) -> Session {
        Session {
            user_name: user_name.to_owned(),
            role: self.label().to_owned(),
            permissions: self.permissions(),
            account: account.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_needs_bot_status_access() {
        let none = Permissions::default();
        assert_eq!(none.may_open_app(), Err(AccessDenied::NoBotStatusAccess));
        assert!(
            AccessDenied::NoBotStatusAccess
                .to_string()
                .contains("Bot Status Access")
        );
        assert_eq!(Permissions::BOT_DEVELOPER.may_open_app(), Ok(()));
        assert_eq!(
            Persona::NoAccess.permissions().may_open_app(),
            Err(AccessDenied::NoBotStatusAccess)
        );
    }

    #[test]
    fn changing_production_needs_the_production_right_or_administrator() {
        let developer = Permissions::BOT_DEVELOPER;
        assert_eq!(
            developer.may_change(Environment::Production),
            Err(AccessDenied::NoProductionRights)
        );
        assert_eq!(developer.may_change(Environment::Demo), Ok(()));
        let admin = Permissions {
            administrator: true,
            ..Permissions::default()
        };
        assert_eq!(admin.may_change(Environment::Production), Ok(()));
        assert_eq!(
            Permissions::OPERATOR.may_change(Environment::Production),
            Ok(())
        );
    }

    #[test]
    fn personas_keep_the_person_and_change_the_rights() {
        let dev = Persona::BotDeveloper.session("a@example.com", "1");
        let admin = Persona::Administrator.session("a@example.com", "1");
        assert_eq!(dev.user_name, admin.user_name);
        assert!(!dev.permissions.production);
        assert!(admin.permissions.production);
    }
}
