//! Who may do what: the session's permissions and the rules that read them.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::model::Environment;

/// The permissions of the signed-in user that Bots Status cares about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Needed to open Bots Status at all.
    pub bot_status_access: bool,
    pub administrator: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user_name: String,
    pub permissions: Permissions,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AccessDenied {
    #[error(
        "You need the Bot Status Access permission to use Bots Status. Ask an administrator of your account to grant it."
    )]
    NoBotStatusAccess,
    #[error(
        "Deploying to Production needs the Bot Status Access permission or the Administrator role. Choose Demo, or ask an administrator."
    )]
    NoProductionRights,
}

impl Permissions {
    pub fn may_open_app(self) -> Result<(), AccessDenied> {
        if self.bot_status_access {
            Ok(())
        } else {
            Err(AccessDenied::NoBotStatusAccess)
        }
    }

    /// Adding, editing or redeploying a connector into `environment`.
    pub fn may_deploy_to(self, environment: Environment) -> Result<(), AccessDenied> {
        match environment {
            Environment::Demo => Ok(()),
            Environment::Production if self.bot_status_access || self.administrator => Ok(()),
            Environment::Production => Err(AccessDenied::NoProductionRights),
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
        let granted = Permissions {
            bot_status_access: true,
            administrator: false,
        };
        assert_eq!(granted.may_open_app(), Ok(()));
    }

    #[test]
    fn production_needs_bot_status_access_or_administrator() {
        let developer = Permissions::default();
        assert_eq!(
            developer.may_deploy_to(Environment::Production),
            Err(AccessDenied::NoProductionRights)
        );
        assert_eq!(developer.may_deploy_to(Environment::Demo), Ok(()));
        let admin = Permissions {
            bot_status_access: false,
            administrator: true,
        };
        assert_eq!(admin.may_deploy_to(Environment::Production), Ok(()));
        let operator = Permissions {
            bot_status_access: true,
            administrator: false,
        };
        assert_eq!(operator.may_deploy_to(Environment::Production), Ok(()));
    }
}
