//! When each starting connector finishes starting.

use serde::{Deserialize, Serialize};

use crate::model::{ConnectorId, Millis};
use crate::order::sort_by_key;

/// How many connectors started since the list was last put in order wait beside it.
const RECENT: usize = 256;

/// When each starting connector finishes starting, by connector id: written and read as the
/// JSON object a `BTreeMap<ConnectorId, Millis>` is, so a saved simulation reads the same,
/// without a copy of the B-tree's code for its type in the web app.
///
/// A list sorted by id alone would go quadratic at 100,000 connectors: a bulk start of every
/// other connector while the rest are still starting moves half the list for each start. So
/// the list in id order takes a start of a connector it holds in place, the others wait in a
/// short list beside it until [`RECENT`] of them are merged in at once, and a removal only
/// marks its entry, which the next merge drops.
#[derive(Clone, Debug, Default)]
pub struct Starts {
    /// In id order; `None`: removed since the last merge.
    sorted: Vec<(ConnectorId, Option<Millis>)>,
    /// Connectors not in `sorted`, in the order they came.
    recent: Vec<(ConnectorId, Millis)>,
}

impl Starts {
    /// `id` finishes starting `at`, in place of what was known of it.
    pub fn insert(&mut self, id: ConnectorId, at: Millis) {
        if let Ok(i) = self.slot(id) {
            self.sorted[i].1 = Some(at);
        } else if let Some(entry) = self.recent.iter_mut().find(|(r, _)| *r == id) {
            entry.1 = at;
        } else {
            self.recent.push((id, at));
            if self.recent.len() >= RECENT {
                self.merge();
            }
        }
    }

    /// `id` no longer starts.
    pub fn remove(&mut self, id: ConnectorId) {
        match self.slot(id) {
            Ok(i) => self.sorted[i].1 = None,
            Err(_) => self.recent.retain(|(r, _)| *r != id),
        }
    }

    /// The connectors due by `now`, in id order, no longer held.
    pub fn take_due(&mut self, now: Millis) -> Vec<ConnectorId> {
        if !self.recent.is_empty() {
            self.merge();
        }
        let mut due = Vec::new();
        self.sorted.retain(|&(id, at)| match at {
            Some(at) if at <= now => {
                due.push(id);
                false
            }
            at => at.is_some(),
        });
        due
    }

    /// When each connector finishes starting, in no particular order.
    pub fn times(&self) -> impl Iterator<Item = Millis> + '_ {
        let sorted = self.sorted.iter().filter_map(|(_, at)| *at);
        sorted.chain(self.recent.iter().map(|(_, at)| *at))
    }

    /// Every connector and when it finishes starting, in id order.
    pub fn entries(&self) -> Vec<(ConnectorId, Millis)> {
        let mut copy = self.clone();
        copy.merge();
        copy.sorted
            .into_iter()
            .filter_map(|(id, at)| Some((id, at?)))
            .collect()
    }

    fn slot(&self, id: ConnectorId) -> Result<usize, usize> {
        self.sorted.binary_search_by_key(&id, |(id, _)| *id)
    }

    /// Puts the recent connectors in their places and drops the removed ones. No recent id is
    /// in `sorted`, so none comes twice.
    fn merge(&mut self) {
        let mut recent = std::mem::take(&mut self.recent);
        sort_by_key(&mut recent, |(id, _)| *id);
        let old = std::mem::take(&mut self.sorted);
        let mut merged = Vec::with_capacity(old.len() + recent.len());
        let mut recent = recent.into_iter().peekable();
        for (id, at) in old {
            while let Some((r, r_at)) = recent.next_if(|(r, _)| *r < id) {
                merged.push((r, Some(r_at)));
            }
            if at.is_some() {
                merged.push((id, at));
            }
        }
        merged.extend(recent.map(|(id, at)| (id, Some(at))));
        self.sorted = merged;
    }
}

impl PartialEq for Starts {
    fn eq(&self, other: &Starts) -> bool {
        self.entries() == other.entries()
    }
}

impl Eq for Starts {}

impl Serialize for Starts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.entries())
    }
}

impl<'de> Deserialize<'de> for Starts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = Starts;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Starts, A::Error> {
                let mut starts = Starts::default();
                // Of an id read twice the later time stays, as the B-tree map kept it.
                while let Some((id, at)) = map.next_entry()? {
                    starts.insert(id, at);
                }
                starts.merge();
                Ok(starts)
            }
        }
        d.deserialize_map(Pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[derive(Clone, Debug)]
    enum Step {
        Insert(u64, u64),
        Remove(u64),
        TakeDue(u64),
    }

    fn step() -> impl Strategy<Value = Step> {
        // Few ids, so the same ones come back; many steps, so merges happen.
        prop_oneof![
            4 => (0..600u64, 0..1_000u64).prop_map(|(id, at)| Step::Insert(id, at)),
            2 => (0..600u64).prop_map(Step::Remove),
            1 => (0..1_000u64).prop_map(Step::TakeDue),
        ]
    }

    proptest! {
        #[test]
        fn starts_answer_as_the_b_tree_map_did(steps in proptest::collection::vec(step(), 0..1_500)) {
            let mut starts = Starts::default();
            let mut tree: BTreeMap<ConnectorId, Millis> = BTreeMap::new();
            for step in steps {
                match step {
                    Step::Insert(id, at) => {
                        starts.insert(ConnectorId(id), Millis(at));
                        tree.insert(ConnectorId(id), Millis(at));
                    }
                    Step::Remove(id) => {
                        starts.remove(ConnectorId(id));
                        tree.remove(&ConnectorId(id));
                    }
                    Step::TakeDue(now) => {
                        let due: Vec<ConnectorId> = tree
                            .iter()
                            .filter(|(_, at)| **at <= Millis(now))
                            .map(|(id, _)| *id)
                            .collect();
                        for id in &due {
                            tree.remove(id);
                        }
                        prop_assert_eq!(starts.take_due(Millis(now)), due);
                    }
                }
                let mut times: Vec<Millis> = starts.times().collect();
                times.sort();
                let mut expected: Vec<Millis> = tree.values().copied().collect();
                expected.sort();
                prop_assert_eq!(times, expected);
            }
            prop_assert_eq!(
                starts.entries(),
                tree.iter().map(|(id, at)| (*id, *at)).collect::<Vec<_>>()
            );
            prop_assert_eq!(
                serde_json::to_string(&starts).unwrap(),
                serde_json::to_string(&tree).unwrap()
            );
        }
    }

    #[test]
    fn starts_read_what_the_b_tree_map_wrote() {
        let tree = BTreeMap::from([
            (ConnectorId(12), Millis(5)),
            (ConnectorId(3), Millis(9)),
            (ConnectorId(40), Millis(1)),
        ]);
        let text = serde_json::to_string(&tree).unwrap();
        assert_eq!(text, r#"{"3":9,"12":5,"40":1}"#);
        let read: Starts = serde_json::from_str(&text).unwrap();
        assert_eq!(
            read.entries(),
            [
                (ConnectorId(3), Millis(9)),
                (ConnectorId(12), Millis(5)),
                (ConnectorId(40), Millis(1))
            ]
        );
        // Unsorted, with an id twice: the later time stays, as in the map.
        let read: Starts = serde_json::from_str(r#"{"40":1,"3":9,"40":7}"#).unwrap();
        let tree: BTreeMap<ConnectorId, Millis> =
            serde_json::from_str(r#"{"40":1,"3":9,"40":7}"#).unwrap();
        assert_eq!(read.entries(), tree.into_iter().collect::<Vec<_>>());
        assert!(serde_json::from_str::<Starts>("[1,2]").is_err());
        assert!(serde_json::from_str::<Starts>(r#"{"x":1}"#).is_err());
    }

    #[test]
    fn a_bulk_start_between_pending_starts_keeps_every_one() {
        // 50,000 starting, then the other 50,000 started one by one: what a sorted list
        // would have moved 1.25 billion entries for.
        let mut starts = Starts::default();
        for id in (0..100_000).step_by(2) {
            starts.insert(ConnectorId(id), Millis(id));
        }
        for id in (1..100_000).step_by(2) {
            starts.insert(ConnectorId(id), Millis(id));
        }
        assert!(starts.recent.len() < RECENT, "merged as they came");
        let entries = starts.entries();
        assert_eq!(entries.len(), 100_000);
        assert!(
            entries
                .iter()
                .enumerate()
                .all(|(i, &(id, at))| id.0 == i as u64 && at.0 == id.0)
        );
        assert_eq!(
            starts.take_due(Millis(9)),
            (0..10).map(ConnectorId).collect::<Vec<_>>()
        );
    }
}
