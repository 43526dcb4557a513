//! The problems of Production someone should be told about: a connector Not Connected, a bot
//! without failover (fewer than two online connectors), a bot over capacity (more than 50
//! conversations per online connector). [`open_alerts`] says which are open in a fleet; the
//! reference server compares each state with the last to alert once when a problem opens and
//! once when it recovers.

use serde::Serialize;

use crate::advice::{MAX_CONVERSATIONS_PER_CONNECTOR, MIN_PRODUCTION_CONNECTORS};
use crate::model::{BotId, Connector, ConnectorId, Environment, Millis};
use crate::order::Groups;
use crate::status::ConnectorStatus;
use crate::words::plural;

/// One open problem, as it is told apart from the others: a problem that stays open under
/// the same key is the same problem, however its counts move.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind")]
pub enum Alert {
    /// A Production connector is Not Connected.
    NotConnected { connector: ConnectorId, bot: BotId },
    /// A bot has fewer than two online Production connectors: no failover.
    FailoverLost { bot: BotId },
    /// A bot's online Production connectors hold more than 50 conversations each on average.
    OverCapacity { bot: BotId },
}

impl Alert {
    /// The kind's name, as its JSON `kind` says it.
    pub fn kind(&self) -> &'static str {
        match self {
            Alert::NotConnected { .. } => "NotConnected",
            Alert::FailoverLost { .. } => "FailoverLost",
            Alert::OverCapacity { .. } => "OverCapacity",
        }
    }
}

impl Alert {
    /// A short stable key ("NotConnected:12", "FailoverLost:bot-7"): what the app keeps to
    /// remember which problems the user has acknowledged.
    pub fn key(&self) -> String {
        match self {
            Alert::NotConnected { connector, .. } => format!("NotConnected:{}", connector.0),
            Alert::FailoverLost { bot } => format!("FailoverLost:{}", bot.0),
            Alert::OverCapacity { bot } => format!("OverCapacity:{}", bot.0),
        }
    }
}

/// One open problem as the app lists it: what it says, when it was first seen open, and
/// whether the user has acknowledged it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenProblem {
    pub alert: Alert,
    pub text: String,
    pub since: Millis,
    pub acknowledged: bool,
}

/// The open problems of Production as a user watches them: each is new until acknowledged,
/// and is forgotten when it recovers, so it is new again if it opens again.
///
/// Kept in sorted vectors rather than maps: a look walks the open problems in order once, as
/// [`open_alerts`] gives them, and the app downloads no B-tree of alerts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Watch {
    /// Each open problem, by alert.
    open: Vec<OpenProblem>,
    /// Keys acknowledged in an earlier visit, not yet seen open in this one; sorted.
    remembered: Vec<String>,
    unacknowledged: usize,
}

/// What one look at the fleet changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Looked {
    /// The problems newly open and not acknowledged: what to tell the user of.
    pub opened: Vec<OpenProblem>,
    /// Whether the acknowledgements to keep changed (one recovered, or one remembered from an
    /// earlier visit was let go).
    pub acknowledgements_moved: bool,
}

impl Watch {
    /// A watch that remembers the problems acknowledged earlier by their [`Alert::key`].
    pub fn remembering(acknowledged: impl IntoIterator<Item = String>) -> Watch {
        let mut remembered: Vec<String> = acknowledged.into_iter().collect();
        crate::order::sort(&mut remembered);
        remembered.dedup();
        Watch {
            remembered,
            ..Watch::default()
        }
    }

    /// Takes the problems open at `at`. A problem that recovered is forgotten, its
    /// acknowledgement with it. The remembered acknowledgements hold for the problems
    /// open at the first look; the others are let go.
    /// `now_open` is in alert order, as [`open_alerts`] gives it.
    pub fn update(&mut self, now_open: Vec<(Alert, String)>, at: Millis) -> Looked {
        let mut looked = Looked::default();
        let mut found = 0;
        let mut before = std::mem::take(&mut self.open).into_iter().peekable();
        for (alert, text) in now_open {
            // Both in alert order: what is passed over in `before` has recovered.
            while let Some(gone) = before.next_if(|p| p.alert < alert) {
                looked.acknowledgements_moved |= gone.acknowledged;
            }
            let problem = match before.next_if(|p| p.alert == alert) {
                Some(p) => OpenProblem { text, ..p },
                None => {
                    let acknowledged = self.remembered.binary_search(&alert.key()).is_ok();
                    found += usize::from(acknowledged);
                    let problem = OpenProblem {
                        alert,
                        text,
                        since: at,
                        acknowledged,
                    };
                    if !acknowledged {
                        looked.opened.push(problem.clone());
                    }
                    problem
                }
            };
            self.open.push(problem);
        }
        looked.acknowledgements_moved |= before.any(|gone| gone.acknowledged);
        // The remembered ones not open now are let go.
        looked.acknowledgements_moved |= found < self.remembered.len();
        self.remembered.clear();
        self.count();
        looked
    }

    fn count(&mut self) {
        self.unacknowledged = self.open.iter().filter(|p| !p.acknowledged).count();
    }

    pub fn acknowledge(&mut self, alert: &Alert) {
        if let Ok(i) = self.open.binary_search_by(|p| p.alert.cmp(alert)) {
            self.open[i].acknowledged = true;
        }
        self.count();
    }

    pub fn acknowledge_all(&mut self) {
        for p in &mut self.open {
            p.acknowledged = true;
        }
        self.count();
    }

    /// The keys of the acknowledged problems still open: what to remember.
    pub fn acknowledged(&self) -> impl Iterator<Item = String> + '_ {
        self.open
            .iter()
            .filter(|p| p.acknowledged)
            .map(|p| p.alert.key())
            .chain(self.remembered.iter().cloned())
    }

    /// How many open problems the user has not acknowledged.
    pub fn unacknowledged(&self) -> usize {
        self.unacknowledged
    }

    /// How many problems are open in all.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// The first `at_most` open problems, those not acknowledged first, newest first within
    /// each.
    pub fn problems(&self, at_most: usize) -> Vec<OpenProblem> {
        let mut all: Vec<&OpenProblem> = self.open.iter().collect();
        crate::order::sort_by(&mut all, |a, b| {
            a.acknowledged
                .cmp(&b.acknowledged)
                .then(b.since.cmp(&a.since))
                .then_with(|| a.alert.cmp(&b.alert))
        });
        all.into_iter().take(at_most).cloned().collect()
    }
}

/// The document's title with the count of problems not yet acknowledged: "(3) Bots Status".
pub fn titled(count: usize, title: &str) -> String {
    if count == 0 {
        title.to_owned()
    } else {
        format!("({count}) {title}")
    }
}

/// Each bot's Production connectors: (name, connectors, online, conversations on the online).
fn production_bots(connectors: &[Connector]) -> Vec<(&BotId, &str, usize, usize, u64)> {
    let mut bots: Groups<(&BotId, &str, usize, usize, u64)> = Groups::default();
    for c in connectors {
        if c.environment() != Environment::Production {
            continue;
        }
        let bot = bots.entry(&c.bot.id.0, || (&c.bot.id, &c.bot.name, 0, 0, 0));
        bot.2 += 1;
        if c.state.status() == ConnectorStatus::Online {
            bot.3 += 1;
            bot.4 += u64::from(c.concurrent_conversations);
        }
    }
    bots.into_values()
}

/// Every open problem of Production in `connectors`, with the sentence that tells it, in
/// alert order (each alert once).
pub fn open_alerts(connectors: &[Connector]) -> Vec<(Alert, String)> {
    let mut open = Vec::new();
    for c in connectors {
        if c.environment() == Environment::Production
            && c.state.status() == ConnectorStatus::NotConnected
        {
            open.push((
                Alert::NotConnected {
                    connector: c.id,
                    bot: c.bot.id.clone(),
                },
                format!(
                    "{}'s Production connector {} (#{}) is Not Connected.",
                    c.bot.name, c.settings.agent_user_id, c.id.0
                ),
            ));
        }
    }
    for (bot, name, _, online, conversations) in production_bots(connectors) {
        if online < MIN_PRODUCTION_CONNECTORS {
            let outcome = if online == 0 {
                "nobody answers"
            } else {
                "no failover"
            };
            open.push((
                Alert::FailoverLost { bot: bot.clone() },
                format!(
                    "{name} has {online} online Production connector{}: {outcome}.",
                    plural(online)
                ),
            ));
        }
        let limit = u64::from(MAX_CONVERSATIONS_PER_CONNECTOR) * online as u64;
        if online > 0 && conversations > limit {
            open.push((
                Alert::OverCapacity { bot: bot.clone() },
                format!(
                    "{name}'s {conversations} conversations are on {online} online Production connector{}, {} each ({MAX_CONVERSATIONS_PER_CONNECTOR} is the baseline).",
                    plural(online),
                    conversations.div_ceil(online as u64)
                ),
            ));
        }
    }
    // Connectors come once each and bots once each (`production_bots`): no alert twice.
    crate::order::sort_by(&mut open, |a, b| a.0.cmp(&b.0));
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::Fleet;
    use crate::status::ConnectorState;
    use crate::troubleshooting::{Component, Problem};

    /// A bot's Production connectors, all online with `conversations` each.
    fn bot(id: &str, online: usize, conversations: u32) -> Vec<Connector> {
        let template = Fleet::generate(7, 60, Millis(0))
            .connectors
            .into_iter()
            .find(|c| {
                c.environment() == Environment::Production
                    && c.state.status() == ConnectorStatus::Online
            })
            .expect("an online Production connector");
        (0..online)
            .map(|k| {
                let mut c = template.clone();
                c.id = ConnectorId(1000 + k as u64 + 100 * id.len() as u64);
                c.bot.id = BotId(id.to_owned());
                c.bot.name = format!("Bot {id}");
                c.concurrent_conversations = conversations;
                c
            })
            .collect()
    }

    fn kinds(open: &[(Alert, String)]) -> Vec<&Alert> {
        open.iter().map(|(alert, _)| alert).collect()
    }

    fn text_of<'a>(open: &'a [(Alert, String)], alert: &Alert) -> &'a str {
        open.iter()
            .find(|(a, _)| a == alert)
            .map_or("(not open)", |(_, text)| text.as_str())
    }

    #[test]
    fn two_online_connectors_under_the_baseline_are_no_problem() {
        assert!(open_alerts(&bot("a", 2, 50)).is_empty());
    }

    #[test]
    fn one_online_connector_is_failover_lost_and_none_is_nobody_answering() {
        let mut fleet = bot("a", 2, 10);
        fleet[1].state = ConnectorState::Stopped;
        fleet[1].concurrent_conversations = 0;
        let open = open_alerts(&fleet);
        let key = Alert::FailoverLost {
            bot: BotId("a".into()),
        };
        assert_eq!(kinds(&open), [&key]);
        assert_eq!(
            text_of(&open, &key),
            "Bot a has 1 online Production connector: no failover."
        );
        fleet[0].state = ConnectorState::Stopped;
        assert_eq!(
            text_of(&open_alerts(&fleet), &key),
            "Bot a has 0 online Production connectors: nobody answers."
        );
    }

    #[test]
    fn more_than_fifty_conversations_per_online_connector_is_over_capacity() {
        let fleet = bot("b", 3, 67);
        let open = open_alerts(&fleet);
        let key = Alert::OverCapacity {
            bot: BotId("b".into()),
        };
        assert_eq!(kinds(&open), [&key]);
        assert_eq!(
            text_of(&open, &key),
            "Bot b's 201 conversations are on 3 online Production connectors, 67 each (50 is the baseline)."
        );
        // Conversations left on a stopped connector count for nobody.
        let mut fleet = bot("b", 3, 50);
        fleet[2].state = ConnectorState::Stopped;
        fleet[2].concurrent_conversations = 400;
        assert!(open_alerts(&fleet).is_empty());
    }

    #[test]
    fn a_production_connector_not_connected_is_its_own_problem_and_demo_is_none() {
        let mut fleet = bot("c", 3, 10);
        let ConnectorState::Online { links } = fleet[0].state.clone() else {
            panic!("online");
        };
        fleet[0].state = ConnectorState::NotConnected {
            links,
            problem: Problem::FailedConnection {
                component: Component::BotServer,
            },
        };
        let mut demo = bot("demo", 1, 0);
        demo[0].settings.environment = Environment::Demo;
        demo[0].state = fleet[0].state.clone();
        fleet.extend(demo);
        let open = open_alerts(&fleet);
        assert_eq!(
            kinds(&open),
            [&Alert::NotConnected {
                connector: fleet[0].id,
                bot: BotId("c".into())
            }]
        );
    }

    #[test]
    fn a_fleet_s_alerts_come_once_each_in_alert_order() {
        let mut fleet = Fleet::generate(3, 2_000, Millis(0)).connectors;
        for c in fleet.iter_mut().step_by(7) {
            c.state = ConnectorState::Stopped;
        }
        let open = open_alerts(&fleet);
        let kinds: std::collections::BTreeSet<&str> = open.iter().map(|(a, _)| a.kind()).collect();
        assert!(kinds.len() >= 2, "{kinds:?}");
        assert!(
            open.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, none twice"
        );
    }

    #[test]
    fn each_kind_is_named_as_its_json_says() {
        let bot = BotId("e".into());
        for alert in [
            Alert::NotConnected {
                connector: ConnectorId(1),
                bot: bot.clone(),
            },
            Alert::FailoverLost { bot: bot.clone() },
            Alert::OverCapacity { bot },
        ] {
            let json = serde_json::to_value(&alert).expect("JSON");
            assert_eq!(json["kind"], alert.kind());
        }
    }

    #[test]
    fn the_same_problem_keeps_its_key_while_its_counts_move() {
        let mut fleet = bot("d", 2, 80);
        let before: Vec<Alert> = open_alerts(&fleet).into_iter().map(|(a, _)| a).collect();
        fleet[0].concurrent_conversations = 95;
        let after: Vec<Alert> = open_alerts(&fleet).into_iter().map(|(a, _)| a).collect();
        assert_eq!(before, after);
    }

    fn problems(keys: &[(&str, u64)]) -> Vec<(Alert, String)> {
        let mut open: Vec<(Alert, String)> = keys
            .iter()
            .map(|(bot, connector)| {
                let alert = if *connector == 0 {
                    Alert::FailoverLost {
                        bot: BotId((*bot).into()),
                    }
                } else {
                    Alert::NotConnected {
                        connector: ConnectorId(*connector),
                        bot: BotId((*bot).into()),
                    }
                };
                (alert, format!("{bot} {connector}"))
            })
            .collect();
        open.sort_by(|a, b| a.0.cmp(&b.0));
        open
    }

    #[test]
    fn a_problem_is_new_until_acknowledged_and_new_again_when_it_reopens() {
        let mut watch = Watch::default();
        let opened = watch
            .update(problems(&[("a", 1), ("b", 0)]), Millis(10))
            .opened;
        assert_eq!(opened.len(), 2);
        assert_eq!(watch.unacknowledged(), 2);
        assert_eq!(
            titled(watch.unacknowledged(), "Bots Status"),
            "(2) Bots Status"
        );
        // Still open later: nothing new, and it keeps when it opened.
        assert_eq!(
            watch.update(problems(&[("a", 1), ("b", 0)]), Millis(20)),
            Looked::default()
        );
        let first = &watch.problems(10)[0];
        assert_eq!(first.since, Millis(10));
        watch.acknowledge(&first.alert.clone());
        assert_eq!(watch.unacknowledged(), 1);
        let listed = watch.problems(10);
        assert!(!listed[0].acknowledged && listed[1].acknowledged);
        assert_eq!(watch.problems(1).len(), 1);
        // It recovers, then opens again: new again.
        let acknowledged = listed[1].alert.clone();
        let without = problems(&[("a", 1), ("b", 0)])
            .into_iter()
            .filter(|(a, _)| *a != acknowledged)
            .collect();
        assert!(watch.update(without, Millis(30)).acknowledgements_moved);
        assert_eq!(watch.acknowledged().count(), 0);
        let again = watch
            .update(problems(&[("a", 1), ("b", 0)]), Millis(40))
            .opened;
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].since, Millis(40));
        assert_eq!(watch.problems(10)[0].since, Millis(40), "newest first");
        watch.acknowledge_all();
        assert_eq!(watch.unacknowledged(), 0);
        assert_eq!(titled(0, "Bots Status"), "Bots Status");
    }

    #[test]
    fn acknowledgements_remembered_from_before_hold_for_problems_still_open() {
        let mut watch =
            Watch::remembering(["NotConnected:1".to_owned(), "FailoverLost:gone".to_owned()]);
        let looked = watch.update(problems(&[("a", 1), ("b", 0)]), Millis(0));
        assert_eq!(
            looked.opened.len(),
            1,
            "the acknowledged one is not told again"
        );
        assert!(looked.acknowledgements_moved, "the one gone is let go");
        assert_eq!(watch.unacknowledged(), 1);
        assert_eq!(watch.acknowledged().collect::<Vec<_>>(), ["NotConnected:1"]);
        // Acknowledging a problem that is not open does nothing.
        watch.acknowledge(&Alert::OverCapacity {
            bot: BotId("z".into()),
        });
        assert_eq!(watch.acknowledged().count(), 1);
    }
}
