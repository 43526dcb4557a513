//! The table's checkbox selection: toggling, shift-click ranges over the rows as shown,
//! select-all over the filtered rows, and dropping rows that leave the filter (with a count,
//! so the UI can say so).

use crate::model::ConnectorId;

/// The selected connectors, as a list of their ids kept in order (no B-tree set: the
/// WebAssembly carries no B-tree code of its own for it, and selecting 100,000 shown rows is
/// one sort of numbers rather than 100,000 inserts).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// In ascending order, each once.
    ids: Vec<u64>,
    /// The row a shift-click range starts from.
    anchor: Option<ConnectorId>,
}

/// `ids` in ascending order, each once.
fn sorted(ids: impl IntoIterator<Item = ConnectorId>) -> Vec<u64> {
    let mut ids: Vec<u64> = ids.into_iter().map(|id| id.0).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

impl Selection {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: ConnectorId) -> bool {
        self.ids.binary_search(&id.0).is_ok()
    }

    /// The selected ids, in ascending order.
    pub fn ids(&self) -> impl Iterator<Item = ConnectorId> + '_ {
        self.ids.iter().map(|&id| ConnectorId(id))
    }

    /// A plain click on a row's checkbox.
    pub fn toggle(&mut self, id: ConnectorId) {
        match self.ids.binary_search(&id.0) {
            Ok(i) => {
                self.ids.remove(i);
            }
            Err(i) => self.ids.insert(i, id.0),
        }
        self.anchor = Some(id);
    }

    /// A shift-click on `id`: every row between the last clicked one and `id`, in the order
    /// shown, takes the state `id` gets. Without an anchor on screen it is a plain toggle.
    pub fn toggle_range(&mut self, id: ConnectorId, shown: &[ConnectorId]) {
        let anchor_at = self.anchor.and_then(|a| shown.iter().position(|&s| s == a));
        let (Some(from), Some(to)) = (anchor_at, shown.iter().position(|&s| s == id)) else {
            self.toggle(id);
            return;
        };
        let select = !self.contains(id);
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        self.set(&shown[lo..=hi], select);
        self.anchor = Some(id);
    }

    /// Selects every one of `rows`, or deselects them all.
    fn set(&mut self, rows: &[ConnectorId], select: bool) {
        if select {
            self.ids = sorted(self.ids().chain(rows.iter().copied()));
        } else {
            let rows = sorted(rows.iter().copied());
            self.ids.retain(|id| rows.binary_search(id).is_err());
        }
    }

    /// Whether every shown row is selected (and there is at least one).
    pub fn all_shown_selected(&self, shown: &[ConnectorId]) -> bool {
        !shown.is_empty() && shown.iter().all(|&id| self.contains(id))
    }

    /// The header checkbox: selects every shown row, or clears them all when all were selected.
    pub fn toggle_all(&mut self, shown: &[ConnectorId]) {
        let select = !self.all_shown_selected(shown);
        self.set(shown, select);
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.anchor = None;
    }

    /// Drops selected rows that are no longer shown; returns how many were dropped.
    pub fn retain_shown(&mut self, is_shown: impl Fn(&ConnectorId) -> bool) -> usize {
        let before = self.ids.len();
        self.ids.retain(|&id| is_shown(&ConnectorId(id)));
        before - self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ids(n: &[u64]) -> Vec<ConnectorId> {
        n.iter().map(|&i| ConnectorId(i)).collect()
    }

    #[test]
    fn a_click_toggles_one_row() {
        let mut s = Selection::default();
        s.toggle(ConnectorId(3));
        assert!(s.contains(ConnectorId(3)));
        s.toggle(ConnectorId(3));
        assert!(s.is_empty());
    }

    #[test]
    fn shift_click_selects_the_range_in_the_order_shown() {
        let shown = ids(&[5, 2, 9, 4, 7]);
        let mut s = Selection::default();
        s.toggle(ConnectorId(2));
        s.toggle_range(ConnectorId(7), &shown);
        assert_eq!(s.ids().collect::<Vec<_>>(), ids(&[2, 4, 7, 9]));
        // Shift-clicking a selected row clears the range back to the new anchor.
        s.toggle_range(ConnectorId(9), &shown);
        assert_eq!(s.ids().collect::<Vec<_>>(), ids(&[2]));
    }

    #[test]
    fn shift_click_without_an_anchor_on_screen_is_a_plain_toggle() {
        let mut s = Selection::default();
        s.toggle(ConnectorId(1));
        s.toggle_range(ConnectorId(3), &ids(&[2, 3]));
        assert_eq!(s.ids().collect::<Vec<_>>(), ids(&[1, 3]));
    }

    #[test]
    fn select_all_takes_only_the_shown_rows_and_a_second_click_clears_them() {
        let mut s = Selection::default();
        s.toggle(ConnectorId(99));
        let shown = ids(&[1, 2, 3]);
        s.toggle_all(&shown);
        assert!(s.all_shown_selected(&shown));
        assert_eq!(s.len(), 4);
        s.toggle_all(&shown);
        assert_eq!(s.ids().collect::<Vec<_>>(), ids(&[99]));
    }

    #[test]
    fn rows_that_leave_the_filter_are_dropped_and_counted() {
        let mut s = Selection::default();
        s.toggle_all(&ids(&[1, 2, 3]));
        let still: BTreeSet<_> = ids(&[2]).into_iter().collect();
        assert_eq!(s.retain_shown(|id| still.contains(id)), 2);
        assert_eq!(s.ids().collect::<Vec<_>>(), ids(&[2]));
    }

    proptest::proptest! {
        /// Clicks, shift-clicks, select-all and filtering leave what a set of the ids would.
        #[test]
        fn it_selects_as_a_set_of_the_ids_would(
            clicks in proptest::collection::vec((0u8..4, 0u64..30, proptest::collection::vec(0u64..30, 0..12)), 0..60),
        ) {
            let mut s = Selection::default();
            let mut set: BTreeSet<ConnectorId> = BTreeSet::new();
            let mut anchor: Option<ConnectorId> = None;
            for (kind, id, rows) in clicks {
                let (id, mut shown) = (ConnectorId(id), ids(&rows));
                shown.dedup();
                match kind {
                    0 => {
                        s.toggle(id);
                        if !set.remove(&id) {
                            set.insert(id);
                        }
                        anchor = Some(id);
                    }
                    1 => {
                        s.toggle_range(id, &shown);
                        let from = anchor.and_then(|a| shown.iter().position(|&r| r == a));
                        match (from, shown.iter().position(|&r| r == id)) {
                            (Some(from), Some(to)) => {
                                let select = !set.contains(&id);
                                for row in &shown[from.min(to)..=from.max(to)] {
                                    if select {
                                        set.insert(*row);
                                    } else {
                                        set.remove(row);
                                    }
                                }
                            }
                            _ => {
                                if !set.remove(&id) {
                                    set.insert(id);
                                }
                            }
                        }
                        anchor = Some(id);
                    }
                    2 => {
                        let all = !shown.is_empty() && shown.iter().all(|r| set.contains(r));
                        proptest::prop_assert_eq!(s.all_shown_selected(&shown), all);
                        s.toggle_all(&shown);
                        for row in &shown {
                            if all {
                                set.remove(row);
                            } else {
                                set.insert(*row);
                            }
                        }
                    }
                    _ => {
                        let keep: BTreeSet<ConnectorId> = shown.iter().copied().collect();
                        let dropped = set.iter().filter(|i| !keep.contains(i)).count();
                        proptest::prop_assert_eq!(s.retain_shown(|i| keep.contains(i)), dropped);
                        set.retain(|i| keep.contains(i));
                    }
                }
                proptest::prop_assert_eq!(s.ids().collect::<Vec<_>>(), set.iter().copied().collect::<Vec<_>>());
                proptest::prop_assert_eq!(s.len(), set.len());
                proptest::prop_assert_eq!(s.contains(id), set.contains(&id));
            }
        }
    }
}
