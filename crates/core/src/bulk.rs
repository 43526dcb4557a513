//! Bulk actions over a selection: which connectors an action will touch, which it skips and
//! why, said before acting; and the per-connector result after.
//!
//! A bulk action never touches a connector the operator cannot see: selected connectors that
//! the current filter hides are skipped, not acted on.

use std::collections::{BTreeMap, BTreeSet};

use crate::lifecycle::{ActionKind, Context, Lifecycle, Refused};
use crate::model::{Connector, ConnectorId};

/// Why a selected connector is left out of a bulk action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    Refused(Refused),
    /// Selected earlier, but the current filter no longer shows it.
    NotShown,
}

impl Skip {
    pub fn short(&self) -> &'static str {
        match self {
            Skip::Refused(r) => r.short(),
            Skip::NotShown => "hidden by the current filter",
        }
    }

    pub fn message(&self) -> String {
        match self {
            Skip::Refused(r) => r.to_string(),
            Skip::NotShown => "The current filter hides it, so it is left alone.".to_owned(),
        }
    }
}

/// What a bulk action will do, shown in its confirmation dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BulkPlan {
    pub kind: ActionKind,
    /// The connectors it acts on, in selection order.
    pub affected: Vec<ConnectorId>,
    pub skipped: Vec<(ConnectorId, Skip)>,
}

impl BulkPlan {
    /// Plans `kind` for the `selected` connectors, of which only those in `shown` may be
    /// touched. `connectors` is the whole fleet as the caller knows it.
    pub fn new(
        kind: ActionKind,
        selected: &[ConnectorId],
        shown: &BTreeSet<ConnectorId>,
        connectors: &[Connector],
        context_of: impl Fn(&Connector) -> Context,
    ) -> BulkPlan {
        let by_id: BTreeMap<ConnectorId, &Connector> =
            connectors.iter().map(|c| (c.id, c)).collect();
        let mut plan = BulkPlan {
            kind,
            affected: Vec::new(),
            skipped: Vec::new(),
        };
        for &id in selected {
            let verdict = match by_id.get(&id) {
                None => Err(Skip::Refused(Refused::Gone)),
                Some(_) if !shown.contains(&id) => Err(Skip::NotShown),
                Some(c) => Lifecycle::permits(c, kind, &context_of(c)).map_err(Skip::Refused),
            };
            match verdict {
                Ok(()) => plan.affected.push(id),
                Err(skip) => plan.skipped.push((id, skip)),
            }
        }
        plan
    }

    /// Whether the action can do anything at all for this selection.
    pub fn is_possible(&self) -> bool {
        !self.affected.is_empty()
    }

    /// "3 will be stopped; 2 skipped: already stopped; 1 skipped: never started."
    pub fn summary(&self) -> String {
        let mut parts = vec![format!(
            "{} connector{} affected",
            self.affected.len(),
            if self.affected.len() == 1 { "" } else { "s" }
        )];
        parts.extend(group_skips(&self.skipped));
        parts.join("; ")
    }

    /// Why the action is disabled for this selection, when it is: the reasons, grouped.
    pub fn why_impossible(&self) -> Option<String> {
        (!self.is_possible()).then(|| {
            let reasons = group_skips(&self.skipped);
            if reasons.is_empty() {
                "Select connectors first.".to_owned()
            } else {
                format!("Nothing to do: {}.", reasons.join("; "))
            }
        })
    }
}

/// "2 skipped: already stopped", one entry per distinct reason, most frequent first.
fn group_skips(skipped: &[(ConnectorId, Skip)]) -> Vec<String> {
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (_, skip) in skipped {
        *counts.entry(skip.short()).or_default() += 1;
    }
    let mut groups: Vec<_> = counts.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    groups
        .into_iter()
        .map(|(reason, n)| format!("{n} skipped: {reason}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Permissions;
    use crate::fleet::tests_support::{connector, with_state};
    use crate::model::{ConversationType, Environment};
    use crate::status::{BotServerConnection, CloudConnection, ConnectorState, LinkHealth, Links};

    fn ctx(_: &Connector) -> Context {
        Context {
            agent_active: true,
            permissions: Permissions {
                bot_status_access: true,
                administrator: false,
            },
        }
    }

    fn online(id: u64) -> Connector {
        with_state(
            connector(id, "bot", Environment::Production, 0),
            ConnectorState::Online {
                links: Links {
                    cloud: CloudConnection::new(ConversationType::Messaging, LinkHealth::Up),
                    bot_server: BotServerConnection::Connected,
                },
            },
        )
    }

    fn stopped(id: u64) -> Connector {
        with_state(
            connector(id, "bot", Environment::Production, 0),
            ConnectorState::Stopped,
        )
    }

    #[test]
    fn a_mixed_selection_says_how_many_are_affected_and_why_others_are_skipped() {
        let fleet = vec![online(1), online(2), stopped(3), stopped(4), online(5)];
        let ids: Vec<_> = fleet.iter().map(|c| c.id).collect();
        let shown: BTreeSet<_> = ids.iter().copied().collect();
        let plan = BulkPlan::new(ActionKind::Stop, &ids, &shown, &fleet, ctx);
        assert_eq!(
            plan.affected,
            vec![ConnectorId(1), ConnectorId(2), ConnectorId(5)]
        );
        assert_eq!(
            plan.summary(),
            "3 connectors affected; 2 skipped: already stopped"
        );
    }

    #[test]
    fn a_connector_hidden_by_the_filter_is_never_acted_on() {
        let fleet = vec![stopped(1), stopped(2)];
        let shown: BTreeSet<_> = [ConnectorId(1)].into_iter().collect();
        let plan = BulkPlan::new(
            ActionKind::Delete,
            &[ConnectorId(1), ConnectorId(2)],
            &shown,
            &fleet,
            ctx,
        );
        assert_eq!(plan.affected, vec![ConnectorId(1)]);
        assert_eq!(plan.skipped, vec![(ConnectorId(2), Skip::NotShown)]);
    }

    #[test]
    fn a_connector_deleted_elsewhere_is_skipped_as_gone() {
        let fleet = vec![stopped(1)];
        let shown: BTreeSet<_> = [ConnectorId(1), ConnectorId(9)].into_iter().collect();
        let plan = BulkPlan::new(ActionKind::Start, &[ConnectorId(9)], &shown, &fleet, ctx);
        assert_eq!(
            plan.skipped,
            vec![(ConnectorId(9), Skip::Refused(Refused::Gone))]
        );
    }

    #[test]
    fn an_action_valid_for_none_of_the_selection_says_why_it_is_disabled() {
        let fleet = vec![online(1), online(2)];
        let ids = [ConnectorId(1), ConnectorId(2)];
        let shown: BTreeSet<_> = ids.into_iter().collect();
        let plan = BulkPlan::new(ActionKind::Redeploy, &ids, &shown, &fleet, ctx);
        assert!(!plan.is_possible());
        assert_eq!(
            plan.why_impossible().as_deref(),
            Some("Nothing to do: 2 skipped: still running.")
        );
        let empty = BulkPlan::new(ActionKind::Start, &[], &shown, &fleet, ctx);
        assert_eq!(
            empty.why_impossible().as_deref(),
            Some("Select connectors first.")
        );
    }
}
