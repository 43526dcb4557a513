//! The recent numbered changes, kept for streams that resume: bounded in count and in bytes,
//! pruned as each change is written (the database keeps the same window, pruned in the same
//! transaction). Each change is serialized once, when it is made; every stream sends those
//! bytes as they are.

use std::collections::VecDeque;
use std::sync::Arc;

/// One change as the stream sends it: its id and the JSON of the core's `Change`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    pub id: u64,
    pub data: String,
}

impl Logged {
    /// What keeping it costs, roughly: its text and the bookkeeping around it.
    fn cost(&self) -> usize {
        self.data.len() + 64
    }
}

/// How much of the past the log keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub events: usize,
    pub bytes: usize,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            events: 50_000,
            bytes: 32 * 1024 * 1024,
        }
    }
}

/// Where a stream resumes: the changes after the id it asked for, or a gap it cannot bridge.
pub enum Resume {
    Events(Vec<Arc<Logged>>),
    /// The changes after the id are no longer kept: the client must read the list again.
    Gap {
        last_event_id: u64,
    },
}

pub struct EventLog {
    /// Consecutive ids, oldest first.
    events: VecDeque<Arc<Logged>>,
    bytes: usize,
    last_event_id: u64,
    retention: Retention,
}

impl EventLog {
    /// The log as loaded: the newest of `events` that fit, up to `last_event_id`.
    pub fn new(events: Vec<Logged>, last_event_id: u64, retention: Retention) -> EventLog {
        let mut log = EventLog {
            events: VecDeque::new(),
            bytes: 0,
            last_event_id,
            retention,
        };
        // Only a run of consecutive ids ending at the last one can be resumed from.
        let mut run: Vec<Logged> = Vec::new();
        for e in events.into_iter().rev() {
            let expected = run.last().map_or(last_event_id, |newer| newer.id - 1);
            if e.id != expected {
                break;
            }
            run.push(e);
        }
        for e in run.into_iter().rev() {
            log.bytes += e.cost();
            log.events.push_back(Arc::new(e));
        }
        log.prune();
        log
    }

    #[cfg(test)]
    pub fn last_event_id(&self) -> u64 {
        self.last_event_id
    }

    /// The oldest id kept once `new` are added: what the database keeps from too.
    pub fn oldest_after(&self, new: &[Logged]) -> u64 {
        let mut count = self.events.len() + new.len();
        let mut bytes = self.bytes + new.iter().map(Logged::cost).sum::<usize>();
        let mut oldest = self.events.front().map_or_else(
            || new.first().map_or(self.last_event_id + 1, |e| e.id),
            |e| e.id,
        );
        let mut dropped = self
            .events
            .iter()
            .map(|e| e.cost())
            .chain(new.iter().map(Logged::cost));
        while count > self.retention.events || bytes > self.retention.bytes {
            let Some(cost) = dropped.next() else { break };
            count -= 1;
            bytes -= cost;
            oldest += 1;
        }
        oldest
    }

    /// Adds the changes just saved (they follow the last id) and lets the oldest go.
    pub fn append(&mut self, new: Vec<Logged>) -> Vec<Arc<Logged>> {
        let added: Vec<Arc<Logged>> = new.into_iter().map(Arc::new).collect();
        for e in &added {
            self.last_event_id = e.id;
            self.bytes += e.cost();
            self.events.push_back(e.clone());
        }
        self.prune();
        added
    }

    fn prune(&mut self) {
        while self.events.len() > self.retention.events || self.bytes > self.retention.bytes {
            match self.events.pop_front() {
                Some(e) => self.bytes -= e.cost(),
                None => break,
            }
        }
    }

    /// The changes after `after`, at most `max` of them and (but for the first) at most
    /// `max_bytes` of text, or the gap a client must bridge by reading the list.
    pub fn after(&self, after: u64, max: usize, max_bytes: usize) -> Resume {
        let gap = Resume::Gap {
            last_event_id: self.last_event_id,
        };
        if after == self.last_event_id {
            return Resume::Events(Vec::new());
        }
        // An id from the future is from another run of the server (an in-memory one restarted).
        if after > self.last_event_id {
            return gap;
        }
        let Some(oldest) = self.events.front().map(|e| e.id) else {
            return gap;
        };
        if after + 1 < oldest {
            return gap;
        }
        let start = (after + 1 - oldest) as usize;
        let mut bytes = 0;
        let chunk = self
            .events
            .iter()
            .skip(start)
            .take(max)
            .take_while(|e| {
                let first = bytes == 0;
                bytes += e.data.len();
                first || bytes <= max_bytes
            })
            .cloned()
            .collect();
        Resume::Events(chunk)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.events.len()
    }

    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(id: u64, size: usize) -> Logged {
        Logged {
            id,
            data: "x".repeat(size),
        }
    }

    fn ids(resume: Resume) -> Vec<u64> {
        match resume {
            Resume::Events(e) => e.iter().map(|e| e.id).collect(),
            Resume::Gap { .. } => panic!("a gap"),
        }
    }

    #[test]
    fn the_log_is_bounded_in_bytes_and_says_what_the_database_keeps() {
        let retention = Retention {
            events: 100,
            bytes: 10 * (100 + 64),
        };
        let mut log = EventLog::new(Vec::new(), 0, retention);
        let batch: Vec<Logged> = (1..=25).map(|id| logged(id, 100)).collect();
        assert_eq!(log.oldest_after(&batch), 16);
        log.append(batch);
        assert_eq!(log.len(), 10);
        assert!(log.bytes() <= retention.bytes);
        assert_eq!(ids(log.after(20, 3, usize::MAX)), [21, 22, 23]);
        assert!(matches!(
            log.after(3, 10, usize::MAX),
            Resume::Gap { last_event_id: 25 }
        ));
        assert!(matches!(log.after(99, 10, usize::MAX), Resume::Gap { .. }));
        assert_eq!(ids(log.after(25, 10, usize::MAX)), Vec::<u64>::new());
        // A chunk is bounded in bytes too, yet never empty while changes wait.
        assert_eq!(ids(log.after(20, 10, 250)), [21, 22]);
        assert_eq!(ids(log.after(20, 10, 1)), [21]);
    }

    #[test]
    fn a_change_larger_than_the_log_is_still_announced_but_not_kept() {
        let retention = Retention {
            events: 100,
            bytes: 1000,
        };
        let mut log = EventLog::new(Vec::new(), 0, retention);
        assert_eq!(log.oldest_after(&[logged(1, 5000)]), 2);
        log.append(vec![logged(1, 5000)]);
        assert_eq!(log.len(), 0);
        assert_eq!(log.last_event_id(), 1);
        assert_eq!(ids(log.after(1, 10, usize::MAX)), Vec::<u64>::new());
        assert!(matches!(log.after(0, 10, usize::MAX), Resume::Gap { .. }));
    }

    #[test]
    fn a_loaded_log_keeps_only_the_consecutive_run_ending_at_the_last_id() {
        let loaded = vec![logged(3, 1), logged(5, 1), logged(6, 1)];
        let log = EventLog::new(loaded, 6, Retention::default());
        assert_eq!(ids(log.after(4, 10, usize::MAX)), [5, 6]);
        assert!(matches!(log.after(3, 10, usize::MAX), Resume::Gap { .. }));
    }
}
