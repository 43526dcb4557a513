//! One sort for the app. Every `sort_by` of another element type or comparator is its own copy
//! of the standard library's sort in the WebAssembly, about 4 KB each: a dozen of them were a
//! tenth of the code. [`sort_by`] sorts a permutation of indices with the comparator behind a
//! reference, so the app carries one copy of the sort; what is left per type is the small loop
//! that moves the elements into place. The table's sorts, which run on every keystroke at
//! 100,000 connectors, keep the standard ones (`query`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Connector, ConnectorId};

/// Sorts `items` by `cmp`, stably (equal elements keep their order), like `slice::sort_by`.
pub fn sort_by<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let Ok(n) = u32::try_from(items.len()) else {
        // Beyond any fleet this app holds: the standard sort, copy or not.
        items.sort_by(cmp);
        return;
    };
    if n < 2 {
        return;
    }
    let mut order: Vec<u32> = (0..n).collect();
    {
        let items = &*items;
        sort_indices(&mut order, &mut |a, b| {
            cmp(&items[a as usize], &items[b as usize])
        });
    }
    permute(items, &mut order);
}

/// Sorts `items` by the key `key` gives each, stably, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in their natural order, like `slice::sort`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// `items` as a set, inserted one by one. `collect()` into a `BTreeSet` sorts them first, with
/// a copy of the standard sort for each element type; for the few keys of the connectors'
/// configurations, inserting costs no more.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

/// A set of connector ids, kept sorted in a list (not a B-tree set, whose `collect()` links a
/// copy of the standard sort of its own, and whose search, insertion and rebalancing are
/// another copy of the B-tree for each type). The connectors the current filter shows, for
/// a plan to ask whether a selected one is among them: at 100,000 shown connectors, opening
/// the Actions menu sorts them once for every entry's plan. The connectors an action's
/// impact is judged for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdSet(Vec<u64>);

impl IdSet {
    pub fn new(ids: impl IntoIterator<Item = ConnectorId>) -> IdSet {
        let mut ids: Vec<u64> = ids.into_iter().map(|id| id.0).collect();
        ids.sort_unstable();
        IdSet(ids)
    }

    pub fn contains(&self, id: ConnectorId) -> bool {
        self.0.binary_search(&id.0).is_ok()
    }
}

/// Texts, once each, kept sorted in a list: what a `BTreeSet<String>` keeps, and written and
/// read as the same JSON array (one read unsorted or with repeats is sorted and made unique),
/// without a copy of the B-tree's code. For the few texts of the simulated login policy and
/// of the saved views' names: an insertion moves the texts after it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct TextSet(Vec<String>);

impl TextSet {
    pub fn contains(&self, text: &str) -> bool {
        self.slot(text).is_ok()
    }

    /// Adds `text`; whether it was not there yet.
    pub fn insert(&mut self, text: String) -> bool {
        match self.slot(&text) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, text);
                true
            }
        }
    }

    pub fn remove(&mut self, text: &str) -> bool {
        self.slot(text).map(|at| self.0.remove(at)).is_ok()
    }

    /// The texts, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    fn slot(&self, text: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|t| t.as_str().cmp(text))
    }
}

impl<'de> serde::Deserialize<'de> for TextSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut texts = Vec::<String>::deserialize(d)?;
        sort(&mut texts);
        texts.dedup();
        Ok(TextSet(texts))
    }
}

/// A value for each of a few texts, kept sorted by text in a list: what a
/// `BTreeMap<String, V>` keeps, and written and read as the same JSON object (of a name read
/// twice, the later value is kept, as the map keeps it), without a copy of the B-tree's code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextMap<V>(Vec<(String, V)>);

impl<V> Default for TextMap<V> {
    fn default() -> Self {
        TextMap(Vec::new())
    }
}

impl<V> TextMap<V> {
    /// The value of `text`, put there by `new` if it had none.
    pub fn entry(&mut self, text: &str, new: impl FnOnce() -> V) -> &mut V {
        let at = match self.slot(text) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (text.to_owned(), new()));
                at
            }
        };
        &mut self.0[at].1
    }

    pub fn get(&self, text: &str) -> Option<&V> {
        self.slot(text).ok().map(|at| &self.0[at].1)
    }

    pub fn remove(&mut self, text: &str) -> Option<V> {
        self.slot(text).ok().map(|at| self.0.remove(at).1)
    }

    /// The texts and their values, in the texts' order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(text, value)| (text.as_str(), value))
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, value)| value)
    }

    /// The texts and their values to change, in the texts' order.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut V)> {
        self.0
            .iter_mut()
            .map(|(text, value)| (text.as_str(), value))
    }

    /// The map of `pairs`, in any order: the values of a text that comes more than once are
    /// folded by `fold` (the one kept so far, the next one), in the order they came.
    pub fn gathered(mut pairs: Vec<(String, V)>, mut fold: impl FnMut(&mut V, V)) -> TextMap<V> {
        // A stable sort, so a text's values stay in the order they came.
        if !pairs.is_sorted_by(|a, b| a.0 <= b.0) {
            sort_by(&mut pairs, |a, b| a.0.cmp(&b.0));
        }
        let mut kept: Vec<(String, V)> = Vec::with_capacity(pairs.len());
        for (text, value) in pairs {
            match kept.last_mut() {
                Some(last) if last.0 == text => fold(&mut last.1, value),
                _ => kept.push((text, value)),
            }
        }
        TextMap(kept)
    }

    /// Adds `pairs`, in any order; a text it holds already takes the value `pairs` gives it.
    pub fn extend(&mut self, pairs: Vec<(String, V)>) {
        // Most load updates bring no new bot: leave the map as it is, not rebuilt.
        if pairs.is_empty() {
            return;
        }
        let mut all = std::mem::take(&mut self.0);
        all.extend(pairs);
        *self = TextMap::gathered(all, |kept, later| *kept = later);
    }

    fn slot(&self, text: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(t, _)| t.as_str().cmp(text))
    }
}

impl<V: serde::Serialize> serde::Serialize for TextMap<V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(text, value)| (text, value)))
    }
}

impl<'de, V: serde::Deserialize<'de>> serde::Deserialize<'de> for TextMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Pairs<V>(std::marker::PhantomData<V>);
        impl<'de, V: serde::Deserialize<'de>> serde::de::Visitor<'de> for Pairs<V> {
            type Value = TextMap<V>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<TextMap<V>, A::Error> {
                let mut pairs: Vec<(String, V)> = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                // Of a name read twice the later value stays.
                Ok(TextMap::gathered(pairs, |kept, later| *kept = later))
            }
        }
        d.deserialize_map(Pairs(std::marker::PhantomData))
    }
}

/// Values gathered by a text key (a bot's id), in the order their keys first came. Every
/// caller shares one B-tree type, text to slot, where a B-tree map of each value type was a
/// copy of the B-tree's code (about 4 KB each) in the web app: the failover advice, an
/// action's impact, the alerts and the bot lists each gathered by bot in one of their own.
#[derive(Clone, Debug)]
pub struct Groups<'a, V> {
    slots: BTreeMap<&'a str, usize>,
    values: Vec<V>,
}

impl<V> Default for Groups<'_, V> {
    fn default() -> Self {
        Groups {
            slots: BTreeMap::new(),
            values: Vec::new(),
        }
    }
}

impl<'a, V> Groups<'a, V> {
    /// The value of `key`, made by `new` if the key is new.
    pub fn entry(&mut self, key: &'a str, new: impl FnOnce() -> V) -> &mut V {
        let next = self.values.len();
        let slot = *self.slots.entry(key).or_insert(next);
        if slot == next {
            self.values.push(new());
        }
        &mut self.values[slot]
    }

    /// Whether `key` came before; it counts as come from now on.
    pub fn first(&mut self, key: &'a str) -> bool
    where
        V: Default,
    {
        let before = self.values.len();
        self.entry(key, V::default);
        self.values.len() > before
    }

    pub fn contains(&self, key: &str) -> bool {
        self.slots.contains_key(key)
    }

    /// The values, in the order their keys first came.
    pub fn into_values(self) -> Vec<V> {
        self.values
    }
}

/// What is known of each connector, by id: a list kept in id order, searched by halves.
/// The fleet's histories keep one (the statuses last seen of every connector): unlike a
/// B-tree map, it links no code of its own for each value type, and one built from a snapshot
/// in id order (as the store and the simulator keep theirs) is not sorted at all. Connectors
/// come and go one at a time, so an insert or a removal moving the list is no concern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ById<V>(Vec<(ConnectorId, V)>);

impl<V> Default for ById<V> {
    fn default() -> Self {
        ById(Vec::new())
    }
}

impl<V> ById<V> {
    /// Every connector of `connectors` with what `value` says of it.
    pub fn of(connectors: &[Connector], value: impl FnMut(&Connector) -> V) -> ById<V> {
        let mut value = value;
        let mut list: Vec<(ConnectorId, V)> = connectors.iter().map(|c| (c.id, value(c))).collect();
        if !list.is_sorted_by_key(|(id, _)| *id) {
            sort_by_key(&mut list, |(id, _)| *id);
        }
        ById(list)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn slot(&self, id: ConnectorId) -> Result<usize, usize> {
        self.0.binary_search_by_key(&id, |(id, _)| *id)
    }

    pub fn get(&self, id: ConnectorId) -> Option<&V> {
        self.slot(id).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut(&mut self, id: ConnectorId) -> Option<&mut V> {
        self.slot(id).ok().map(|i| &mut self.0[i].1)
    }

    /// Keeps `value` for `id`, and gives back what was kept before.
    pub fn insert(&mut self, id: ConnectorId, value: V) -> Option<V> {
        match self.slot(id) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (id, value));
                None
            }
        }
    }

    pub fn remove(&mut self, id: ConnectorId) -> Option<V> {
        self.slot(id).ok().map(|i| self.0.remove(i).1)
    }
}

/// Where `key` is in `items` (sorted by `key_of`, each key once), as `binary_search_by_key`
/// answers, looking from `from` onwards first, in steps that double. A batch of changes in
/// id order finds each connector a few steps after the one before, where a search from the
/// middle of the list would read log2(n) connectors far apart: at 100,000 connectors that
/// was 17 cache misses for each of a load update's 54,000 changes.
pub fn seek_by_key<T, K: Ord>(
    items: &[T],
    from: usize,
    key: &K,
    key_of: impl Fn(&T) -> K,
) -> Result<usize, usize> {
    if items.get(from).is_none_or(|item| key_of(item) > *key) {
        return items.binary_search_by_key(key, key_of);
    }
    // items[low] <= key < items[high], the end standing for a key past them all.
    let (mut low, mut step) = (from, 1);
    let high = loop {
        let probe = low + step;
        if probe >= items.len() || key_of(&items[probe]) > *key {
            break probe.min(items.len());
        }
        low = probe;
        step *= 2;
    };
    match items[low..high].binary_search_by_key(key, key_of) {
        Ok(i) => Ok(low + i),
        Err(i) => Err(low + i),
    }
}

/// The one instance of the standard sort: indices, compared through a reference.
#[inline(never)]
fn sort_indices(order: &mut [u32], cmp: &mut dyn FnMut(u32, u32) -> Ordering) {
    order.sort_by(|&a, &b| cmp(a, b));
}

/// Puts `items` in the order `order` gives (position `k` takes the element at `order[k]`),
/// following each cycle of the permutation with swaps. `order` is used up.
fn permute<T>(items: &mut [T], order: &mut [u32]) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = at as u32;
            if from == start || from == at {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn text_sets_and_maps_answer_and_read_as_b_trees_do() {
        let mut set = TextSet::default();
        let mut tree = BTreeSet::new();
        for (i, text) in ["b", "a", "b", "c", "a", "d"].into_iter().enumerate() {
            if i % 4 == 3 {
                assert_eq!(set.remove(text), tree.remove(text), "{text}");
            } else {
                assert_eq!(
                    set.insert(text.to_owned()),
                    tree.insert(text.to_owned()),
                    "{text}"
                );
            }
            assert_eq!(
                set.iter().collect::<Vec<_>>(),
                tree.iter().map(String::as_str).collect::<Vec<_>>()
            );
        }
        assert!(set.contains("a") && !set.contains("z"));
        assert_eq!(
            serde_json::to_string(&set).unwrap(),
            serde_json::to_string(&tree).unwrap()
        );
        let read: TextSet = serde_json::from_str(r#"["c","a","c","b"]"#).unwrap();
        assert_eq!(read.iter().collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(serde_json::from_str::<TextSet>(r#"{"a":1}"#).is_err());

        let mut map: TextMap<u64> = TextMap::default();
        let mut tree = BTreeMap::new();
        for (text, n) in [("b", 1), ("a", 2), ("b", 3), ("c", 4)] {
            *map.entry(text, || n) += 10;
            *tree.entry(text.to_owned()).or_insert(n) += 10;
        }
        assert_eq!(map.remove("c"), tree.remove("c"));
        assert_eq!(map.remove("zz"), tree.remove("zz"));
        assert_eq!(
            serde_json::to_string(&map).unwrap(),
            serde_json::to_string(&tree).unwrap()
        );
        assert_eq!(
            map.values().copied().collect::<Vec<_>>(),
            tree.values().copied().collect::<Vec<_>>()
        );
        let read: TextMap<u64> = serde_json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        let from_tree: BTreeMap<String, u64> =
            serde_json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        assert_eq!(
            read.iter()
                .map(|(k, v)| (k.to_owned(), *v))
                .collect::<Vec<_>>(),
            from_tree.into_iter().collect::<Vec<_>>()
        );
        assert!(serde_json::from_str::<TextMap<u64>>("[1]").is_err());
    }

    #[test]
    fn groups_gather_by_key_in_the_order_keys_came() {
        let mut groups: Groups<Vec<u32>> = Groups::default();
        for (key, n) in [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5)] {
            groups.entry(key, Vec::new).push(n);
        }
        assert!(groups.contains("c") && !groups.contains("d"));
        assert_eq!(groups.into_values(), [vec![1, 3], vec![2, 5], vec![4]]);
        let mut seen: Groups<()> = Groups::default();
        let firsts: Vec<bool> = ["x", "y", "x", "x", "z", "y"].map(|k| seen.first(k)).into();
        assert_eq!(firsts, [true, true, false, false, true, false]);
    }

    proptest! {
        #[test]
        fn it_sorts_as_the_standard_stable_sort_does(items in prop::collection::vec((0u8..6, any::<u16>()), 0..300)) {
            // Sorting by the first field alone: equal keys must keep their order.
            let mut ours = items.clone();
            sort_by_key(&mut ours, |&(k, _)| k);
            let mut std = items.clone();
            std.sort_by_key(|&(k, _)| k);
            prop_assert_eq!(ours, std);
            let mut ours = items.clone();
            sort(&mut ours);
            let mut std = items;
            std.sort();
            prop_assert_eq!(ours, std);
        }
    }

    proptest! {
        #[test]
        fn by_id_answers_as_a_b_tree_map_does(
            ops in prop::collection::vec((0u8..3, 0u64..40, any::<u16>()), 0..200),
            start in prop::collection::vec(0u64..40, 0..40),
        ) {
            // Built from connectors in any order (each id once, as in a fleet), then inserts
            // and removals.
            let mut seen = BTreeSet::new();
            let connectors: Vec<Connector> = start
                .iter()
                .filter(|id| seen.insert(**id))
                .map(|&id| {
                    crate::fleet::tests_support::connector(
                        id,
                        "bot",
                        crate::model::Environment::Production,
                        0,
                    )
                })
                .collect();
            let mut ours = ById::of(&connectors, |c| c.id.0 as u16);
            let mut theirs: BTreeMap<ConnectorId, u16> = connectors.iter().map(|c| (c.id, c.id.0 as u16)).collect();
            for (op, id, value) in ops {
                let id = ConnectorId(id);
                match op {
                    0 => prop_assert_eq!(ours.insert(id, value), theirs.insert(id, value)),
                    1 => prop_assert_eq!(ours.remove(id), theirs.remove(&id)),
                    _ => {
                        if let (Some(a), Some(b)) = (ours.get_mut(id), theirs.get_mut(&id)) {
                            *a = a.wrapping_add(value);
                            *b = b.wrapping_add(value);
                        }
                    }
                }
                prop_assert_eq!(ours.is_empty(), theirs.is_empty());
            }
            for id in 0..40 {
                let id = ConnectorId(id);
                prop_assert_eq!(ours.get(id), theirs.get(&id));
            }
        }
    }

    proptest! {
        #[test]
        fn seeking_answers_as_a_binary_search_does(
            keys in prop::collection::btree_set(0u32..500, 0..120),
            from in 0usize..130,
            wanted in prop::collection::vec(0u32..510, 1..40),
        ) {
            let items: Vec<u32> = keys.into_iter().collect();
            for key in wanted {
                prop_assert_eq!(
                    seek_by_key(&items, from, &key, |k| *k),
                    items.binary_search(&key)
                );
            }
        }
    }

    #[test]
    fn a_set_is_what_collect_gives() {
        let items = [5, 1, 5, 3, 1];
        assert_eq!(set_of(items), items.into_iter().collect::<BTreeSet<_>>());
    }

    #[test]
    fn sorted_and_reversed_lists_come_out_in_order() {
        let mut up: Vec<u32> = (0..1_000).collect();
        sort(&mut up);
        assert!(up.windows(2).all(|w| w[0] < w[1]));
        let mut down: Vec<String> = (0..1_000).rev().map(|i| format!("{i:04}")).collect();
        sort(&mut down);
        assert_eq!(down.first().map(String::as_str), Some("0000"));
        assert!(down.windows(2).all(|w| w[0] < w[1]));
    }
}
