//! Failover and capacity advice for production bots.
//!
//! The spec: deploy at least two connectors per production bot, so the second supports
//! failover; and plan no more than 50 concurrent conversations per connector (4 connectors
//! for 200 conversations).

use crate::model::{BotId, Connector, Environment};
use crate::order::Groups;

pub const MAX_CONVERSATIONS_PER_CONNECTOR: u32 = 50;
pub const MIN_PRODUCTION_CONNECTORS: usize = 2;

/// How many connectors a production bot should have for `concurrent` conversations.
pub fn recommended_connectors(concurrent: u32) -> usize {
    let for_load = concurrent.div_ceil(MAX_CONVERSATIONS_PER_CONNECTOR) as usize;
    for_load.max(MIN_PRODUCTION_CONNECTORS)
}

/// A production bot that needs attention, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BotAdvice {
    pub bot_id: BotId,
    pub bot_name: String,
    /// Connectors the bot has in Production.
    pub connectors: usize,
    /// Conversations its connectors handle now.
    pub concurrent: u32,
    pub recommended: usize,
    pub needs_failover: bool,
    pub over_capacity: bool,
}

impl BotAdvice {
    pub fn message(&self) -> String {
        let mut parts = Vec::new();
        if self.needs_failover {
            parts.push(format!(
                "has {} production connector{}; deploy at least {MIN_PRODUCTION_CONNECTORS} so one can take over if the other goes down",
                self.connectors,
                crate::words::plural(self.connectors)
            ));
        }
        if self.over_capacity {
            parts.push(format!(
                "handles {} concurrent conversations on {} connector{}; at most {MAX_CONVERSATIONS_PER_CONNECTOR} per connector means {} connectors",
                self.concurrent,
                self.connectors,
                crate::words::plural(self.connectors),
                self.recommended
            ));
        }
        format!("{} {}.", self.bot_name, parts.join(", and "))
    }
}

/// Every production bot with fewer connectors than failover or its load needs, by bot name.
pub fn advise<'a>(connectors: impl IntoIterator<Item = &'a Connector>) -> Vec<BotAdvice> {
    let mut bots: Groups<(&BotId, &str, usize, u32)> = Groups::default();
    for c in connectors {
        if c.environment() != Environment::Production {
            continue;
        }
        let entry = bots.entry(&c.bot.id.0, || (&c.bot.id, &c.bot.name, 0, 0));
        entry.2 += 1;
        entry.3 = entry.3.saturating_add(c.concurrent_conversations);
    }
    let mut advice: Vec<BotAdvice> = bots
        .into_values()
        .into_iter()
        .filter_map(|(id, name, count, concurrent)| {
            let recommended = recommended_connectors(concurrent);
            let needs_failover = count < MIN_PRODUCTION_CONNECTORS;
            let over_capacity = count < recommended && recommended > MIN_PRODUCTION_CONNECTORS;
            (needs_failover || over_capacity).then(|| BotAdvice {
                bot_id: id.clone(),
                bot_name: name.to_owned(),
                connectors: count,
                concurrent,
                recommended,
                needs_failover,
                over_capacity,
            })
        })
        .collect();
    crate::order::sort_by(&mut advice, |a, b| {
        a.bot_name.cmp(&b.bot_name).then(a.bot_id.cmp(&b.bot_id))
    });
    advice
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::tests_support::connector;
    use crate::model::Environment;

    #[test]
    fn two_hundred_concurrent_conversations_need_four_connectors() {
        assert_eq!(recommended_connectors(200), 4);
    }

    #[test]
    fn a_production_bot_needs_at_least_two_connectors_whatever_its_load() {
        assert_eq!(recommended_connectors(0), 2);
        assert_eq!(recommended_connectors(50), 2);
        assert_eq!(recommended_connectors(101), 3);
        assert_eq!(
            recommended_connectors(u32::MAX),
            u32::MAX.div_ceil(50) as usize
        );
    }

    #[test]
    fn a_production_bot_with_one_connector_is_flagged_for_failover() {
        let only = connector(1, "bot-a", Environment::Production, 10);
        let advice = advise([&only]);
        assert_eq!(advice.len(), 1);
        assert!(advice[0].needs_failover);
        assert!(!advice[0].over_capacity);
        assert!(advice[0].message().contains("at least 2"));
    }

    #[test]
    fn demo_bots_get_no_failover_advice() {
        let only = connector(1, "bot-a", Environment::Demo, 10);
        assert!(advise([&only]).is_empty());
    }

    #[test]
    fn a_bot_with_more_load_than_its_connectors_carry_is_over_capacity() {
        let a = connector(1, "bot-a", Environment::Production, 100);
        let b = connector(2, "bot-a", Environment::Production, 100);
        let advice = advise([&a, &b]);
        assert_eq!(advice.len(), 1);
        assert!(advice[0].over_capacity);
        assert!(!advice[0].needs_failover);
        assert_eq!(advice[0].recommended, 4);
        assert!(advice[0].message().contains("4 connectors"));
    }

    #[test]
    fn a_bot_with_enough_connectors_needs_no_advice() {
        let a = connector(1, "bot-a", Environment::Production, 50);
        let b = connector(2, "bot-a", Environment::Production, 50);
        assert!(advise([&a, &b]).is_empty());
    }
}
