//! What searching and ordering a whole fleet needs, prepared once rather than on every
//! keystroke or status batch: each connector's bot name and agent user ID lowercased, in one
//! string, and (built the first time a column is sorted by) its rank by each text column.
//!
//! It depends only on what a connector is listed as ([`Connector::same_listing`]), never on
//! its state or load: a status batch leaves it valid; connectors coming, going or being
//! renamed call for a new one. The list it is built over is sorted by id, so a connector's
//! index in it is also its place in id order, the tie-break of every sort.

use std::sync::OnceLock;

use super::{ConnectorQuery, SortKey, SortValue};
use crate::caseless::push_lowercase;
use crate::model::Connector;
use crate::order;

#[derive(Debug, Default)]
pub struct FleetIndex {
    /// Every connector's name then agent user ID, lowercased, one after the other.
    text: String,
    /// Connector i's name is `text[bounds[i].0..bounds[i].1]`, its agent user ID
    /// `text[bounds[i].1..bounds[i].2]`.
    bounds: Vec<(u32, u32, u32)>,
    /// Ranks by bot name, agent user ID and account, built the first time they are needed.
    ranks: [OnceLock<Vec<u32>>; 3],
}

/// What a column orders by, as a number that orders the same way.
enum Column {
    /// A text column: the connector's rank among all of them (see [`FleetIndex::ranks`]).
    Ranked(usize),
    /// A column whose value is already a small number.
    Number,
    /// A connection column: the place of its label among every label there is.
    Label,
    /// "Problems first": the connector's concern, then its rank by bot name.
    Concern,
}

/// Every label a connection column can show, in the order text sorts them.
const LINK_LABELS: [&str; 6] = [
    "Away",
    "Connected",
    "N/A",
    "Not Connected",
    "Offline",
    "Online",
];

impl Column {
    fn of(key: SortKey) -> Column {
        match key {
            SortKey::Bot => Column::Ranked(0),
            SortKey::AgentUserId => Column::Ranked(1),
            SortKey::Account => Column::Ranked(2),
            SortKey::Cloud | SortKey::BotServer => Column::Label,
            SortKey::Problems => Column::Concern,
            SortKey::Environment
            | SortKey::ConversationType
            | SortKey::Role
            | SortKey::Concurrent
            | SortKey::ConnectorStatus => Column::Number,
        }
    }
}

impl FleetIndex {
    /// The index of `connectors`, which must be sorted by id (as the UI's store and the
    /// simulator keep them).
    pub fn new(connectors: &[Connector]) -> FleetIndex {
        debug_assert!(connectors.windows(2).all(|w| w[0].id < w[1].id));
        let mut text = String::new();
        let mut bounds = Vec::with_capacity(connectors.len());
        let at = |text: &String| u32::try_from(text.len()).unwrap_or(u32::MAX);
        for c in connectors {
            let start = at(&text);
            push_lowercase(&mut text, &c.bot.name);
            let middle = at(&text);
            push_lowercase(&mut text, &c.settings.agent_user_id);
            bounds.push((start, middle, at(&text)));
        }
        FleetIndex {
            text,
            bounds,
            ranks: Default::default(),
        }
    }

    /// How many connectors the index was built over.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Indices (in list order) of the connectors in the query's environment whose bot name
    /// or agent user ID contains its search text, ignoring case: what the status and type
    /// filters then narrow ([`ConnectorQuery::matching_among`]) and count
    /// ([`ConnectorQuery::facet_counts_among`]). `connectors` is the list the index was
    /// built over.
    pub fn searched(&self, connectors: &[Connector], query: &ConnectorQuery) -> Vec<usize> {
        let in_environment = |i: &usize| {
            connectors
                .get(*i)
                .is_some_and(|c| query.environment.admits(c.environment()))
        };
        match query.needle() {
            None => (0..connectors.len()).filter(in_environment).collect(),
            Some(needle) => self
                .containing(&needle.0)
                .into_iter()
                .filter(in_environment)
                .collect(),
        }
    }

    /// The connectors with `needle` (lowercase, not empty) inside their name or agent user
    /// ID: one scan of the whole text, which skips to the next connector at each find.
    fn containing(&self, needle: &str) -> Vec<usize> {
        let mut found = Vec::new();
        let (mut from, mut i) = (0, 0);
        while let Some(offset) = self.text.get(from..).and_then(|t| t.find(needle)) {
            let at = from + offset;
            while i < self.bounds.len() && (self.bounds[i].2 as usize) <= at {
                i += 1;
            }
            let Some(&(_, middle, end)) = self.bounds.get(i) else {
                break;
            };
            let field_end = if at < middle as usize { middle } else { end };
            if at + needle.len() <= field_end as usize {
                found.push(i);
                from = end as usize;
                i += 1;
            } else {
                // The find runs from one field into the next: look again one character on.
                let step = self.text[at..].chars().next().map_or(1, char::len_utf8);
                from = at + step;
            }
        }
        found
    }

    /// Puts `rows` (indices into `connectors`, the list the index was built over) in the
    /// query's display order, ties by id: the same order as [`ConnectorQuery::order`], with
    /// each row's value read as one number, so the sort compares integers.
    pub fn order(&self, connectors: &[Connector], query: &ConnectorQuery, rows: &mut [usize]) {
        let column = Column::of(query.sort);
        let ranks = match column {
            Column::Ranked(slot) => Some(self.ranks(slot, query.sort, connectors)),
            Column::Concern => Some(self.ranks(0, SortKey::Bot, connectors)),
            Column::Number | Column::Label => None,
        };
        let rank = |i: usize| ranks.and_then(|r| r.get(i)).copied().unwrap_or(0);
        let value = |i: usize| -> u32 {
            match column {
                Column::Ranked(_) => rank(i),
                // A fleet has at most 100,000 connectors: a bot's rank fits in 24 bits.
                Column::Concern => {
                    (u32::from(connectors[i].state.concern()) << 24) | rank(i).min((1 << 24) - 1)
                }
                Column::Number | Column::Label => match query.sort.value(&connectors[i]) {
                    SortValue::Number(n) => u32::try_from(n).unwrap_or(u32::MAX),
                    SortValue::Text(t) => {
                        LINK_LABELS.iter().position(|l| *l == t).unwrap_or(0) as u32
                    }
                    SortValue::Folded(_) | SortValue::Concern(..) => 0,
                },
            }
        };
        let mut keyed: Vec<u64> = rows
            .iter()
            .map(|&i| {
                let v = value(i);
                let v = if query.descending { !v } else { v };
                (u64::from(v) << 32) | i as u64
            })
            .collect();
        keyed.sort_unstable();
        for (row, key) in rows.iter_mut().zip(keyed) {
            *row = (key & u64::from(u32::MAX)) as usize;
        }
    }

    /// Each connector's rank by a text column: equal texts share one, and the ranks order as
    /// the texts do.
    fn ranks(&self, slot: usize, key: SortKey, connectors: &[Connector]) -> &[u32] {
        self.ranks[slot].get_or_init(|| {
            let mut by_value: Vec<usize> = (0..connectors.len()).collect();
            // Once per column and list, so through the app's one sort (`order`).
            order::sort_by(&mut by_value, |&a, &b| {
                key.value(&connectors[a]).cmp(&key.value(&connectors[b]))
            });
            let mut ranks = vec![0; connectors.len()];
            let mut rank = 0;
            for (k, &i) in by_value.iter().enumerate() {
                if k > 0 && key.value(&connectors[by_value[k - 1]]) != key.value(&connectors[i]) {
                    rank += 1;
                }
                ranks[i] = rank;
            }
            ranks
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::Fleet;
    use crate::model::Millis;
    use crate::query::{EnvironmentFilter, LinkFacet};
    use crate::status::StatusValue;

    fn fleet(seed: u64, n: usize) -> Vec<Connector> {
        let mut list = Fleet::generate(seed, n, Millis(1_000_000)).connectors;
        list.sort_by_key(|c| c.id);
        list
    }

    #[test]
    fn the_link_labels_are_every_label_in_text_order() {
        assert!(LINK_LABELS.windows(2).all(|w| w[0] < w[1]));
        for c in fleet(3, 400) {
            let shown = c.state.statuses();
            assert!(
                LINK_LABELS.contains(&shown.cloud.label()),
                "{}",
                shown.cloud.label()
            );
            assert!(LINK_LABELS.contains(&shown.bot_server.label()));
        }
    }

    #[test]
    fn it_finds_and_orders_as_the_query_does() {
        let list = fleet(7, 600);
        let index = FleetIndex::new(&list);
        let texts = ["", "b", "BILL", "bot-1", "-", "zzz", "é"];
        for (k, text) in texts.into_iter().enumerate() {
            for sort in SortKey::ALL {
                for descending in [false, true] {
                    let q = ConnectorQuery {
                        environment: if k % 2 == 0 {
                            EnvironmentFilter::All
                        } else {
                            EnvironmentFilter::default()
                        },
                        cloud: (k == 3).then_some(LinkFacet::Connected),
                        text: text.to_owned(),
                        sort,
                        descending,
                        ..ConnectorQuery::default()
                    };
                    let searched = index.searched(&list, &q);
                    let mut rows = q.matching_among(&list, &searched);
                    assert_eq!(rows, q.matching(&list), "{q:?}");
                    index.order(&list, &q, &mut rows);
                    assert_eq!(rows, q.select(&list), "{q:?}");
                    assert_eq!(
                        q.facet_counts_among(&list, &searched),
                        q.facet_counts(&list)
                    );
                }
            }
        }
    }

    #[test]
    fn a_column_that_reads_no_state_orders_the_same_whatever_the_states() {
        let list = fleet(5, 300);
        let mut moved = list.clone();
        for (i, c) in moved.iter_mut().enumerate() {
            c.state = list[(i * 7 + 3) % list.len()].state.clone();
            c.concurrent_conversations = (i as u32 * 13) % 50;
            assert!(c.same_listing(&list[i]));
        }
        for sort in SortKey::ALL.into_iter().filter(|k| !k.reads_state()) {
            let q = ConnectorQuery {
                environment: EnvironmentFilter::All,
                sort,
                ..ConnectorQuery::default()
            };
            let (mut a, mut b): (Vec<usize>, Vec<usize>) = ((0..300).collect(), (0..300).collect());
            FleetIndex::new(&list).order(&list, &q, &mut a);
            FleetIndex::new(&moved).order(&moved, &q, &mut b);
            assert_eq!(a, b, "{sort:?}");
        }
    }

    #[test]
    fn a_find_across_two_fields_or_two_connectors_is_no_match() {
        let mut list = fleet(1, 2);
        list[0].bot.name = "Alpha".into();
        list[0].settings.agent_user_id = "beta".into();
        list[1].bot.name = "Gamma".into();
        list[1].settings.agent_user_id = "ÉCLAIR".into();
        let index = FleetIndex::new(&list);
        let found = |text: &str| searched_for(&index, &list, text);
        assert_eq!(found("hab"), Vec::<usize>::new(), "name into agent user ID");
        assert_eq!(
            found("tag"),
            Vec::<usize>::new(),
            "one connector into the next"
        );
        assert_eq!(found("ALPHA"), vec![0]);
        assert_eq!(found("a"), vec![0, 1]);
        assert_eq!(found("éclair"), vec![1]);
        assert_eq!(found("lai"), vec![1]);
    }

    #[test]
    fn a_name_beyond_ascii_is_found_however_its_case_is_typed() {
        let mut list = fleet(2, 3);
        list[0].bot.name = "ΟΔΟΣ Desk".into();
        list[1].bot.name = "Ünïcode Straße".into();
        list[2].settings.agent_user_id = "İlkay".into();
        let index = FleetIndex::new(&list);
        let found = |text: &str| searched_for(&index, &list, text);
        // The final sigma, typed as either sigma or as the capital.
        assert_eq!(found("οδος"), vec![0]);
        assert_eq!(found("οδοσ desk"), vec![0]);
        assert_eq!(found("ΟΔΟΣ"), vec![0]);
        assert_eq!(
            found("ÜNÏCODE STRASSE"),
            Vec::<usize>::new(),
            "no case folding of ß"
        );
        assert_eq!(found("ünïcode straße"), vec![1]);
        assert_eq!(found("İLKAY"), vec![2]);
        assert_eq!(
            found("ilkay"),
            Vec::<usize>::new(),
            "İ lowers to i and a dot above"
        );
    }

    /// The rows the index finds for `text` in every environment, checked against the
    /// query's own matching.
    fn searched_for(index: &FleetIndex, list: &[Connector], text: &str) -> Vec<usize> {
        let q = ConnectorQuery {
            environment: EnvironmentFilter::All,
            text: text.into(),
            ..ConnectorQuery::default()
        };
        let searched = index.searched(list, &q);
        assert_eq!(
            q.matching_among(list, &searched),
            q.matching(list),
            "{text}"
        );
        searched
    }
}
