//! What the app's live adapter decides without touching the network: the API address a person
//! typed, how long to wait before trying again, what the connection state is, and which
//! changes of the event stream to apply (none twice, none lost across a `reset`).

use crate::model::Millis;
use crate::simulator::Change;

/// The API's base address from what a person typed: `https://fleet.example`,
/// `http://127.0.0.1:8787/` or the same with `/api/v1` all name the same server. The result
/// has no trailing slash and no API prefix; anything else is refused with a sentence saying
/// what an address looks like.
pub fn base_url(input: &str) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("Enter the API address, e.g. https://fleet.example.com.".to_owned());
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(format!(
            "\"{text}\" is not an address: it starts with http:// or https://, e.g. https://fleet.example.com."
        ));
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(format!(
            "\"{text}\" uses {scheme}://; the API is reached over http:// or https://."
        ));
    }
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) || rest.contains(['?', '#']) {
        return Err(format!(
            "\"{text}\" is not an address the app can call: give the server's address without a query, e.g. https://fleet.example.com."
        ));
    }
    let mut base = text.trim_end_matches('/').to_owned();
    if let Some(stripped) = base.strip_suffix(crate::api::PREFIX) {
        base = stripped.trim_end_matches('/').to_owned();
    }
    Ok(base)
}

/// Why sending a token to `base` (an address from [`base_url`]) needs the user's consent: a
/// plain `http://` address of another machine carries it unencrypted, where anyone on the way
/// can read it. `None` for https and for this machine (loopback).
pub fn token_in_clear(base: &str) -> Option<String> {
    let rest = base.strip_prefix("http://").or_else(|| {
        base.get(..7)
            .filter(|s| s.eq_ignore_ascii_case("http://"))
            .map(|_| &base[7..])
    })?;
    let authority = rest.split('/').next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    }
    .trim_end_matches('.')
    .to_ascii_lowercase();
    // Read by hand: the standard library's address parser would add kilobytes to the app.
    let ipv4_loopback = host.strip_prefix("127.").is_some_and(|rest| {
        rest.split('.').count() == 3 && rest.split('.').all(|p| p.parse::<u8>().is_ok())
    });
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || ipv4_loopback
        || host == "::1"
        || host == "0:0:0:0:0:0:0:1";
    (!loopback).then(|| {
        format!(
            "{base} is plain http on another machine: the access token would travel unencrypted, readable by anyone on the network path. Use https, or confirm that this network is trusted."
        )
    })
}

/// Waits that double from `first_ms` up to `max_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub first_ms: u64,
    pub max_ms: u64,
}

impl Backoff {
    /// Reads (session, list, agents): a few quick tries, then the error is shown.
    pub const READS: Backoff = Backoff {
        first_ms: 300,
        max_ms: 2400,
    };
    /// The event stream: it keeps trying, at most every 30 seconds.
    pub const STREAM: Backoff = Backoff {
        first_ms: 500,
        max_ms: 30_000,
    };

    /// How long to wait before try number `attempt` + 1 (`attempt` 0 is the first retry).
    pub fn delay_ms(self, attempt: u32) -> u64 {
        self.first_ms
            .saturating_mul(1_u64 << attempt.min(20))
            .min(self.max_ms)
    }
}

/// How many tries a read gets before its error is shown.
pub const READ_TRIES: u32 = 3;

/// After this many failed tries to get the stream back, the app says it is offline.
pub const OFFLINE_AFTER: u32 = 3;

/// The live connection as the header shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// Reading the session and the list for the first time.
    Connecting,
    /// The event stream is open: what the page shows is current.
    Live,
    /// The stream dropped at `since`; trying again.
    Reconnecting { since: Millis },
    /// Still no stream after several tries since `since`; trying again less often.
    Offline { since: Millis },
    /// The server refused the token or the user (401/403): trying again would not help.
    Refused(String),
}

impl Link {
    /// Whether the statuses the page shows may be out of date: the stream that keeps them
    /// current is down (or was refused), so they are as of the last word from the server.
    pub fn statuses_may_be_stale(&self) -> bool {
        matches!(
            self,
            Link::Reconnecting { .. } | Link::Offline { .. } | Link::Refused(_)
        )
    }

    /// The state after try number `attempt` (0 for the drop itself) failed at `now`: the
    /// time the connection was lost is kept across tries.
    pub fn after_failure(&self, attempt: u32, now: Millis) -> Link {
        let since = match self {
            Link::Reconnecting { since } | Link::Offline { since } => *since,
            _ => now,
        };
        if attempt >= OFFLINE_AFTER {
            Link::Offline { since }
        } else {
            Link::Reconnecting { since }
        }
    }
}

/// The position in the event stream: applies each change once, in order, and holds changes
/// back while the list is read again after a `reset`, so the older list cannot undo them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    last: u64,
    /// Changes that arrived while the list was being read again.
    held: Option<Vec<(u64, Change)>>,
}

impl Cursor {
    /// A cursor after the list that included every change up to `last_event_id`.
    pub fn new(last_event_id: u64) -> Cursor {
        Cursor {
            last: last_event_id,
            held: None,
        }
    }

    /// The id to resume the stream after.
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Whether the list is being read again.
    pub fn resyncing(&self) -> bool {
        self.held.is_some()
    }

    /// A change from the stream: returned when it is to be applied now; `None` when it was
    /// applied already or is held until the list arrives.
    pub fn change(&mut self, id: u64, change: Change) -> Option<Change> {
        if let Some(held) = &mut self.held {
            held.push((id, change));
            return None;
        }
        if id <= self.last {
            return None;
        }
        self.last = id;
        Some(change)
    }

    /// The server no longer has the changes after `last`: read the list again, holding what
    /// the stream sends meanwhile.
    pub fn reset(&mut self) {
        self.held.get_or_insert_with(Vec::new);
    }

    /// The list was read again, up to `last_event_id`: the held changes it does not include,
    /// in order, to apply over it.
    pub fn relisted(&mut self, last_event_id: u64) -> Vec<Change> {
        let held = self.held.take().unwrap_or_default();
        self.last = last_event_id;
        held.into_iter()
            .filter_map(|(id, change)| self.change(id, change))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConnectorId;

    #[test]
    fn statuses_may_be_stale_only_while_the_stream_is_down() {
        let since = Millis(5);
        assert!(!Link::Connecting.statuses_may_be_stale());
        assert!(!Link::Live.statuses_may_be_stale());
        assert!(Link::Reconnecting { since }.statuses_may_be_stale());
        assert!(Link::Offline { since }.statuses_may_be_stale());
        assert!(Link::Refused("no".into()).statuses_may_be_stale());
    }

    #[test]
    fn a_token_for_plain_http_on_another_machine_needs_consent() {
        for base in [
            "http://fleet.example.com",
            "http://10.0.0.5:8787",
            "HTTP://ops.internal",
        ] {
            assert!(
                token_in_clear(base).is_some_and(|w| w.contains("unencrypted")),
                "{base}"
            );
        }
        for base in [
            "https://fleet.example.com",
            "http://127.0.0.1:8787",
            "http://localhost:8787",
            "http://[::1]:8787",
            "http://app.localhost",
        ] {
            assert_eq!(token_in_clear(base), None, "{base}");
        }
    }

    #[test]
    fn addresses_are_normalized_or_refused_with_a_reason() {
        for typed in [
            "http://127.0.0.1:8787",
            " http://127.0.0.1:8787/ ",
            "http://127.0.0.1:8787/api/v1",
            "http://127.0.0.1:8787/api/v1/",
        ] {
            assert_eq!(base_url(typed).as_deref(), Ok("http://127.0.0.1:8787"));
        }
        assert_eq!(
            base_url("https://portal.example/bots").as_deref(),
            Ok("https://portal.example/bots")
        );
        assert!(base_url("").unwrap_err().contains("Enter the API address"));
        assert!(base_url("fleet.example").unwrap_err().contains("http://"));
        assert!(
            base_url("ftp://fleet.example")
                .unwrap_err()
                .contains("ftp://")
        );
        assert!(base_url("https://").is_err());
        assert!(base_url("https://fleet.example/?x=1").is_err());
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let b = Backoff::STREAM;
        let delays: Vec<u64> = (0..8).map(|a| b.delay_ms(a)).collect();
        assert_eq!(
            delays,
            [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]
        );
        assert_eq!(b.delay_ms(u32::MAX), 30_000);
    }

    #[test]
    fn a_drop_reconnects_then_goes_offline_keeping_when_it_was_lost() {
        let lost = Link::Live.after_failure(0, Millis(1000));
        assert_eq!(
            lost,
            Link::Reconnecting {
                since: Millis(1000)
            }
        );
        let later = lost.after_failure(OFFLINE_AFTER, Millis(9000));
        assert_eq!(
            later,
            Link::Offline {
                since: Millis(1000)
            }
        );
    }

    #[test]
    fn the_cursor_applies_each_change_once_and_in_order() {
        let mut cursor = Cursor::new(10);
        let change = |n| Change::Removed(ConnectorId(n));
        assert_eq!(cursor.change(9, change(9)), None, "in the list already");
        assert_eq!(cursor.change(11, change(11)), Some(change(11)));
        assert_eq!(cursor.change(11, change(11)), None, "sent twice");
        assert_eq!(cursor.last(), 11);
    }

    #[test]
    fn after_a_reset_only_changes_newer_than_the_new_list_are_applied() {
        let mut cursor = Cursor::new(10);
        let change = |n| Change::Removed(ConnectorId(n));
        cursor.reset();
        assert!(cursor.resyncing());
        // The stream goes on while the list is read: nothing is applied to the old list.
        assert_eq!(cursor.change(20, change(20)), None);
        assert_eq!(cursor.change(21, change(21)), None);
        assert_eq!(cursor.change(22, change(22)), None);
        // The list arrives including change 21; only 22 is newer.
        assert_eq!(cursor.relisted(21), vec![change(22)]);
        assert!(!cursor.resyncing());
        assert_eq!(cursor.last(), 22);
        assert_eq!(cursor.change(23, change(23)), Some(change(23)));
    }
}
