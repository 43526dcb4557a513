//! Bulk actions over a selection: which connectors an action will touch, which it skips and
//! why, said before acting; and the per-connector result after.
//!
//! A bulk action never touches a connector the operator cannot see: selected connectors that
//! the current filter hides are skipped, not acted on.

use crate::lifecycle::{Action, ActionKind, Context, Lifecycle, Refused};
use crate::model::{Connector, ConnectorId};
use crate::order::IdSet;

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
        shown: &IdSet,
        connectors: &[Connector],
        context_of: impl Fn(&Connector) -> Context,
    ) -> BulkPlan {
        Self::judged(kind, selected, shown, connectors, |c| {
            Lifecycle::permits(c, kind, &context_of(c))
        })
    }

    /// Plans this very `action` (a redeploy with its target environment): connectors it
    /// cannot apply to (already there, no right to deploy there) are skipped too.
    pub fn for_action(
        action: &Action,
        selected: &[ConnectorId],
        shown: &IdSet,
        connectors: &[Connector],
        context_of: impl Fn(&Connector) -> Context,
    ) -> BulkPlan {
        Self::judged(action.kind(), selected, shown, connectors, |c| {
            Lifecycle::check(c, action, &context_of(c))
        })
    }

    fn judged(
        kind: ActionKind,
        selected: &[ConnectorId],
        shown: &IdSet,
        connectors: &[Connector],
        verdict_of: impl Fn(&Connector) -> Result<(), Refused>,
    ) -> BulkPlan {
        // The store keeps its list in id order; a caller's list in any other order is put
        // in it here.
        let mut by_id: Vec<&Connector> = connectors.iter().collect();
        if !by_id.is_sorted_by_key(|c| c.id) {
            crate::order::sort_by_key(&mut by_id, |c| c.id);
        }
        let find = |id: ConnectorId| {
            by_id
                .binary_search_by_key(&id, |c| c.id)
                .ok()
                .map(|i| by_id[i])
        };
        let mut plan = BulkPlan {
            kind,
            affected: Vec::new(),
            skipped: Vec::new(),
        };
        for &id in selected {
            let verdict = match find(id) {
                None => Err(Skip::Refused(Refused::Gone)),
                Some(_) if !shown.contains(id) => Err(Skip::NotShown),
                Some(c) => verdict_of(c).map_err(Skip::Refused),
            };
            match verdict {
                Ok(()) => plan.affected.push(id),
                Err(skip) => plan.skipped.push((id, skip)),
            }
        }
        plan
    }

    /// What confirming will do: "3 connectors will be stopped." For a redeploy, where to.
    pub fn lead(&self, action: &Action) -> String {
        let n = self.affected.len();
        let noun = if n == 1 { "connector" } else { "connectors" };
        let what = match action {
            Action::Start => "be started".to_owned(),
            Action::Stop => "be stopped".to_owned(),
            Action::Restart => "be stopped and started again".to_owned(),
            Action::Edit(_) => "be saved".to_owned(),
            Action::Delete => "be deleted".to_owned(),
            Action::Redeploy(to) => format!("move to {}", to.label()),
        };
        format!("{n} {noun} will {what}.")
    }

    /// Whether the action can do anything at all for this selection.
    pub fn is_possible(&self) -> bool {
        !self.affected.is_empty()
    }

    /// "3 connectors affected; 2 skipped: already stopped; 1 skipped: never started."
    pub fn summary(&self) -> String {
        let mut parts = vec![format!(
            "{} connector{} affected",
            self.affected.len(),
            crate::words::plural(self.affected.len())
        )];
        parts.extend(group_skips(&self.skipped));
        parts.join("; ")
    }

    /// "2 skipped: already stopped; 1 skipped: never started", or "" when none is skipped.
    pub fn skipped_summary(&self) -> String {
        group_skips(&self.skipped).join("; ")
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

/// What a bulk action did, counted, for the status line after it: "Stop Agent: 3 stopped,
/// 2 skipped, 1 failed."
pub fn report(kind: ActionKind, done: usize, skipped: usize, failed: usize) -> String {
    let mut parts = vec![format!("{done} {}", kind.done())];
    if skipped > 0 {
        parts.push(format!("{skipped} skipped"));
    }
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    format!("{}: {}.", kind.label(), parts.join(", "))
}

/// "2 skipped: already stopped", one entry per distinct reason, most frequent first.
fn group_skips(skipped: &[(ConnectorId, Skip)]) -> Vec<String> {
    let mut counts: std::collections::BTreeMap<&'static str, usize> = Default::default();
    for (_, skip) in skipped {
        *counts.entry(skip.short()).or_default() += 1;
    }
    let mut groups: Vec<_> = counts.into_iter().collect();
    crate::order::sort_by(&mut groups, |a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
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
            permissions: Permissions::OPERATOR,
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
        let shown = IdSet::new(ids.iter().copied());
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
        let shown = IdSet::new([ConnectorId(1)]);
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
    fn a_fleet_and_a_listing_in_any_order_plan_as_in_id_order() {
        // The store's list is in id order; a caller's need not be, nor is the table's.
        let fleet = vec![
            stopped(40),
            online(7),
            stopped(1_000),
            online(3),
            stopped(12),
        ];
        let selected = [
            ConnectorId(12),
            ConnectorId(3),
            ConnectorId(99),
            ConnectorId(1_000),
            ConnectorId(7),
        ];
        let shown = IdSet::new([1_000, 3, 40, 12, 99].map(ConnectorId));
        let plan = BulkPlan::new(ActionKind::Start, &selected, &shown, &fleet, ctx);
        assert_eq!(plan.affected, vec![ConnectorId(12), ConnectorId(1_000)]);
        assert_eq!(
            plan.skipped,
            vec![
                (ConnectorId(3), Skip::Refused(Refused::AlreadyOnline)),
                (ConnectorId(99), Skip::Refused(Refused::Gone)),
                (ConnectorId(7), Skip::NotShown),
            ]
        );
        let mut in_order = fleet.clone();
        in_order.sort_by_key(|c| c.id);
        let again = BulkPlan::new(ActionKind::Start, &selected, &shown, &in_order, ctx);
        assert_eq!(again, plan);
        assert!(!IdSet::default().contains(ConnectorId(3)));
    }

    #[test]
    fn a_connector_deleted_elsewhere_is_skipped_as_gone() {
        let fleet = vec![stopped(1)];
        let shown = IdSet::new([ConnectorId(1), ConnectorId(9)]);
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
        let shown = IdSet::new(ids);
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

    #[test]
    fn a_redeploy_skips_connectors_already_in_its_target_environment() {
        let demo = with_state(
            connector(2, "bot", Environment::Demo, 0),
            ConnectorState::Stopped,
        );
        let fleet = vec![stopped(1), demo, online(3)];
        let ids: Vec<_> = fleet.iter().map(|c| c.id).collect();
        let shown = IdSet::new(ids.iter().copied());
        let plan = BulkPlan::for_action(
            &Action::Redeploy(Environment::Production),
            &ids,
            &shown,
            &fleet,
            ctx,
        );
        assert_eq!(plan.affected, vec![ConnectorId(2)]);
        assert_eq!(
            plan.summary(),
            "1 connector affected; 1 skipped: already there; 1 skipped: still running"
        );
    }

    #[test]
    fn a_redeploy_into_production_without_the_right_is_skipped_as_not_permitted() {
        let demo = with_state(
            connector(1, "bot", Environment::Demo, 0),
            ConnectorState::Stopped,
        );
        let fleet = vec![demo];
        let shown = IdSet::new([ConnectorId(1)]);
        let no_rights = |_: &Connector| Context {
            agent_active: true,
            permissions: Permissions::default(),
        };
        let plan = BulkPlan::for_action(
            &Action::Redeploy(Environment::Production),
            &[ConnectorId(1)],
            &shown,
            &fleet,
            no_rights,
        );
        assert_eq!(
            plan.skipped,
            vec![(ConnectorId(1), Skip::Refused(Refused::NoProductionRights))]
        );
    }

    #[test]
    fn the_dialog_says_what_confirming_will_do_and_the_report_what_it_did() {
        let fleet = vec![online(1), online(2), stopped(3)];
        let ids: Vec<_> = fleet.iter().map(|c| c.id).collect();
        let shown = IdSet::new(ids.iter().copied());
        let stop = BulkPlan::for_action(&Action::Stop, &ids, &shown, &fleet, ctx);
        assert_eq!(stop.lead(&Action::Stop), "2 connectors will be stopped.");
        let redeploy = BulkPlan::for_action(
            &Action::Redeploy(Environment::Demo),
            &ids,
            &shown,
            &fleet,
            ctx,
        );
        assert_eq!(
            redeploy.lead(&Action::Redeploy(Environment::Demo)),
            "1 connector will move to Demo."
        );
        assert_eq!(
            report(ActionKind::Stop, 2, 1, 0),
            "Stop Agent: 2 stopped, 1 skipped."
        );
        assert_eq!(
            report(ActionKind::Start, 1, 0, 1),
            "Start Agent: 1 starting, 1 failed."
        );
    }
}
