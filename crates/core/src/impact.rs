//! What an action would do to each Production bot's failover and capacity, judged on the
//! fleet as it would be afterwards: "Billing Desk would have 1 online Production connector:
//! no failover", "Travel Router's 200 conversations would fall on 3 connectors, 67 each".
//!
//! The spec's rules are [`crate::advice`]'s: two Production connectors per bot for failover,
//! 50 conversations per connector. An action that would leave a bot with nobody online in
//! Production asks for an explicit confirmation ([`Impact::needs_confirmation`]).

use crate::advice::{MAX_CONVERSATIONS_PER_CONNECTOR, MIN_PRODUCTION_CONNECTORS};
use crate::lifecycle::ActionKind;
use crate::model::{BotId, Connector, ConnectorId, Environment};
use crate::order::{Groups, IdSet};
use crate::status::ConnectorStatus;
use crate::words::plural;

/// One Production bot the action touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotImpact {
    pub bot_id: BotId,
    pub bot_name: String,
    /// Its Production connectors that are Online now, and afterwards.
    pub online_before: usize,
    pub online_after: usize,
    /// Its Production connectors (any status) now, and afterwards.
    pub connectors_before: usize,
    pub connectors_after: usize,
    /// The conversations its Production connectors handle now: they move to the ones still
    /// online.
    pub conversations: u32,
}

impl BotImpact {
    /// Whether the action would leave nobody online to answer the bot in Production.
    pub fn leaves_none_online(&self) -> bool {
        self.online_before > 0 && self.online_after == 0
    }

    /// Conversations each remaining online connector would have (rounded up).
    fn per_connector(&self) -> Option<u32> {
        u32::try_from(self.online_after)
            .ok()
            .filter(|n| *n > 0)
            .map(|n| self.conversations.div_ceil(n))
    }

    /// What the dialog says about this bot; empty when the action costs it nothing that
    /// matters. `restarting` says the loss lasts only while the connectors restart.
    pub fn lines(&self, restarting: bool) -> Vec<String> {
        let name = &self.bot_name;
        let during = if restarting {
            " while they restart"
        } else {
            ""
        };
        let mut lines = Vec::new();
        if self.online_after < self.online_before {
            match self.online_after {
                0 => lines.push(format!(
                    "{name} would have 0 online Production connectors{during}: nobody answers its conversations."
                )),
                n if n < MIN_PRODUCTION_CONNECTORS => lines.push(format!(
                    "{name} would have {n} online Production connector{}{during}: no failover.",
                    plural(n)
                )),
                _ => {}
            }
            if let Some(each) = self.per_connector()
                && each > MAX_CONVERSATIONS_PER_CONNECTOR
            {
                let n = self.online_after;
                lines.push(format!(
                    "{name}'s {} conversations would fall on {n} connector{}{during}, {each} each ({MAX_CONVERSATIONS_PER_CONNECTOR} is the baseline).",
                    self.conversations,
                    plural(n)
                ));
            }
        }
        if self.connectors_after < self.connectors_before
            && self.connectors_after < MIN_PRODUCTION_CONNECTORS
        {
            lines.push(match self.connectors_after {
                0 => format!("{name} would have no connector left in Production."),
                n => format!(
                    "{name} would have {n} Production connector{} left: no failover.",
                    plural(n)
                ),
            });
        }
        lines
    }
}

/// What an action would do to the Production bots it touches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impact {
    /// The bots it costs failover, capacity or all their connectors, by name.
    pub bots: Vec<BotImpact>,
    restarting: bool,
}

impl Impact {
    /// The impact of `kind` on the `affected` connectors (the plan's), over `fleet`.
    pub fn of(kind: ActionKind, affected: &[ConnectorId], fleet: &[Connector]) -> Impact {
        let affected = IdSet::new(affected.iter().copied());
        // Which bots the action touches in Production: only those are counted.
        let mut touched: Groups<()> = Groups::default();
        for c in fleet {
            if affected.contains(c.id) && c.environment() == Environment::Production {
                touched.first(&c.bot.id.0);
            }
        }
        let mut bots: Groups<BotImpact> = Groups::default();
        for c in fleet {
            if c.environment() != Environment::Production || !touched.contains(&c.bot.id.0) {
                continue;
            }
            let bot = bots.entry(&c.bot.id.0, || BotImpact {
                bot_id: c.bot.id.clone(),
                bot_name: c.bot.name.clone(),
                online_before: 0,
                online_after: 0,
                connectors_before: 0,
                connectors_after: 0,
                conversations: 0,
            });
            let acted_on = affected.contains(c.id);
            let online = c.state.status() == ConnectorStatus::Online;
            bot.connectors_before += 1;
            bot.conversations = bot.conversations.saturating_add(c.concurrent_conversations);
            if online {
                bot.online_before += 1;
            }
            let (stays, online_after) = match kind {
                // Stop and Restart leave it in Production, not online (for a while).
                ActionKind::Stop | ActionKind::Restart if acted_on => (true, false),
                // Delete and Re-deploy (from Production) take it out of Production.
                ActionKind::Delete | ActionKind::Redeploy if acted_on => (false, false),
                // Start brings it back only once it connects: not counted as online yet.
                _ => (true, online),
            };
            if stays {
                bot.connectors_after += 1;
            }
            if online_after {
                bot.online_after += 1;
            }
        }
        let restarting = kind == ActionKind::Restart;
        let mut bots: Vec<BotImpact> = bots
            .into_values()
            .into_iter()
            .filter(|b| !b.lines(restarting).is_empty())
            .collect();
        crate::order::sort_by(&mut bots, |a, b| {
            a.bot_name.cmp(&b.bot_name).then(a.bot_id.cmp(&b.bot_id))
        });
        Impact { bots, restarting }
    }

    /// Every line the dialog shows, bot by bot.
    pub fn lines(&self) -> Vec<String> {
        self.bots
            .iter()
            .flat_map(|b| b.lines(self.restarting))
            .collect()
    }

    /// The bots that would have nobody online in Production: confirming needs more than
    /// a "Yes" then.
    pub fn left_with_none_online(&self) -> Vec<&str> {
        self.bots
            .iter()
            .filter(|b| b.leaves_none_online())
            .map(|b| b.bot_name.as_str())
            .collect()
    }

    pub fn needs_confirmation(&self) -> bool {
        !self.left_with_none_online().is_empty()
    }

    /// Whether what the user typed confirms: the one bot's name (spaces and case aside).
    pub fn confirmed_by(&self, typed: &str) -> bool {
        match self.left_with_none_online().as_slice() {
            [] => true,
            [one] => typed.trim().eq_ignore_ascii_case(one.trim()),
            // Several bots: the dialog asks for a tick, not a name.
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::tests_support::{connector, with_state};
    use crate::model::ConversationType;
    use crate::status::{BotServerConnection, CloudConnection, ConnectorState, LinkHealth, Links};

    /// A bot's Production connectors: `online` of them Online with `each` conversations, and
    /// `stopped` Stopped; ids from `first`. The bot is named `name`.
    fn bot(name: &str, first: u64, online: u64, stopped: u64, each: u32) -> Vec<Connector> {
        let up = ConnectorState::Online {
            links: Links {
                cloud: CloudConnection::new(ConversationType::Messaging, LinkHealth::Up),
                bot_server: BotServerConnection::new(true),
            },
        };
        let named = |mut c: Connector| {
            c.bot.name = name.to_owned();
            c
        };
        let mut out = Vec::new();
        for i in 0..online {
            let c = connector(first + i, name, Environment::Production, each);
            out.push(named(with_state(c, up.clone())));
        }
        for i in 0..stopped {
            let c = connector(first + online + i, name, Environment::Production, 0);
            out.push(named(with_state(c, ConnectorState::Stopped)));
        }
        out
    }

    #[test]
    fn stopping_one_of_two_online_connectors_costs_the_bot_its_failover() {
        let fleet = bot("Billing Desk", 1, 2, 0, 10);
        let impact = Impact::of(ActionKind::Stop, &[ConnectorId(1)], &fleet);
        assert_eq!(
            impact.lines(),
            vec!["Billing Desk would have 1 online Production connector: no failover."]
        );
        assert!(!impact.needs_confirmation());
    }

    #[test]
    fn stopping_every_online_connector_needs_the_bots_name() {
        let fleet = bot("Billing Desk", 1, 2, 0, 10);
        let impact = Impact::of(ActionKind::Stop, &[ConnectorId(1), ConnectorId(2)], &fleet);
        assert_eq!(
            impact.lines(),
            vec![
                "Billing Desk would have 0 online Production connectors: nobody answers its conversations."
            ]
        );
        assert!(impact.needs_confirmation());
        assert!(!impact.confirmed_by("Billing"));
        assert!(impact.confirmed_by("  billing desk "));
    }

    #[test]
    fn the_conversations_of_a_stopped_connector_fall_on_the_others() {
        let fleet = bot("Travel Router", 1, 4, 0, 50);
        let impact = Impact::of(ActionKind::Stop, &[ConnectorId(1)], &fleet);
        assert_eq!(
            impact.lines(),
            vec![
                "Travel Router's 200 conversations would fall on 3 connectors, 67 each (50 is the baseline)."
            ]
        );
        // A restart says the loss lasts while it restarts.
        let restart = Impact::of(ActionKind::Restart, &[ConnectorId(1)], &fleet);
        assert!(restart.lines()[0].contains("on 3 connectors while they restart, 67 each"));
    }

    #[test]
    fn an_action_that_keeps_failover_and_capacity_says_nothing() {
        let fleet = bot("Calm Bot", 1, 3, 0, 10);
        assert!(
            Impact::of(ActionKind::Stop, &[ConnectorId(1)], &fleet)
                .bots
                .is_empty()
        );
        // Demo connectors do not count.
        let demo = vec![connector(9, "Demo Bot", Environment::Demo, 10)];
        assert!(
            Impact::of(ActionKind::Stop, &[ConnectorId(9)], &demo)
                .bots
                .is_empty()
        );
    }

    #[test]
    fn deleting_a_stopped_connector_can_leave_a_bot_without_failover() {
        let fleet = bot("Billing Desk", 1, 1, 1, 10);
        let impact = Impact::of(ActionKind::Delete, &[ConnectorId(2)], &fleet);
        assert_eq!(
            impact.lines(),
            vec!["Billing Desk would have 1 Production connector left: no failover."]
        );
        let redeploy = Impact::of(ActionKind::Redeploy, &[ConnectorId(2)], &fleet);
        assert_eq!(redeploy.lines(), impact.lines());
    }

    #[test]
    fn several_bots_left_with_none_online_are_confirmed_by_a_tick_not_a_name() {
        let mut fleet = bot("Alpha", 1, 1, 0, 5);
        fleet.extend(bot("Beta", 10, 1, 0, 5));
        let impact = Impact::of(ActionKind::Stop, &[ConnectorId(1), ConnectorId(10)], &fleet);
        assert_eq!(impact.left_with_none_online(), vec!["Alpha", "Beta"]);
        assert!(!impact.confirmed_by("Alpha"));
    }
}
