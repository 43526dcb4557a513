//! The table's checkbox selection: toggling, shift-click ranges over the rows as shown,
//! select-all over the filtered rows, and dropping rows that leave the filter (with a count,
//! so the UI can say so).

use std::collections::BTreeSet;

use crate::model::ConnectorId;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    ids: BTreeSet<ConnectorId>,
    /// The row a shift-click range starts from.
    anchor: Option<ConnectorId>,
}

impl Selection {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn contains(&self, id: ConnectorId) -> bool {
        self.ids.contains(&id)
    }

    pub fn ids(&self) -> impl Iterator<Item = ConnectorId> + '_ {
        self.ids.iter().copied()
    }

    pub fn as_set(&self) -> &BTreeSet<ConnectorId> {
        &self.ids
    }

    /// A plain click on a row's checkbox.
    pub fn toggle(&mut self, id: ConnectorId) {
        if !self.ids.remove(&id) {
            self.ids.insert(id);
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
        let select = !self.ids.contains(&id);
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        for &row in &shown[lo..=hi] {
            if select {
                self.ids.insert(row);
            } else {
                self.ids.remove(&row);
            }
        }
        self.anchor = Some(id);
    }

    /// Whether every shown row is selected (and there is at least one).
    pub fn all_shown_selected(&self, shown: &[ConnectorId]) -> bool {
        !shown.is_empty() && shown.iter().all(|id| self.ids.contains(id))
    }

    /// The header checkbox: selects every shown row, or clears them all when all were selected.
    pub fn toggle_all(&mut self, shown: &[ConnectorId]) {
        if self.all_shown_selected(shown) {
            for id in shown {
                self.ids.remove(id);
            }
        } else {
            self.ids.extend(shown.iter().copied());
        }
    }

    pub fn clear(&mut self) {
        self.ids.clear();
        self.anchor = None;
    }

    /// Drops selected rows that are no longer shown; returns how many were dropped.
    pub fn retain_shown(&mut self, is_shown: impl Fn(&ConnectorId) -> bool) -> usize {
        let before = self.ids.len();
        self.ids.retain(|id| is_shown(id));
        before - self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
