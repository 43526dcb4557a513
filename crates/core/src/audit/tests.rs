use super::*;
use crate::history::tests::connector;
use crate::history::{History, readings, status_changes};
use crate::status::{ConnectorState, LinkHealth};

const MINUTE: u64 = 60_000;

fn online(bot_server: bool) -> ConnectorState {
    crate::history::tests::online(LinkHealth::Up, bot_server)
}

fn action(id: u64, at: u64, actor: &str, outcome: Outcome) -> Entry {
    Entry {
        id,
        at: Millis(at),
        kind: EntryKind::Action,
        connector: Some(ConnectorId(7)),
        bot: "Billing Desk".to_owned(),
        agent: String::new(),
        environment: Some(Environment::Production),
        component: None,
        from: None,
        to: None,
        problem: outcome != Outcome::Done,
        actor: Some(actor.to_owned()),
        action: Some("stop".to_owned()),
        outcome: Some(outcome),
        detail: None,
    }
}

#[test]
fn ten_minutes_down_in_an_hour_is_83_percent_uptime() {
    let up = connector(online(true));
    let down = connector(online(false));
    let mut events = status_changes(&readings(&up.state), &down, Millis(50 * MINUTE));
    events.extend(status_changes(
        &readings(&down.state),
        &up,
        Millis(60 * MINUTE),
    ));
    let timeline = Timeline::of(&events, readings(&up.state), Millis(0), Millis(60 * MINUTE));
    let uptime = timeline.uptime().expect("an hour is a period");
    assert!((uptime - 50.0 / 60.0).abs() < 1e-9, "{uptime}");
    assert_eq!(format!("{:.1} %", uptime * 100.0), "83.3 %");
    // A period of no time has no uptime, rather than 0 % or 100 %.
    let empty = Timeline::of(&events, readings(&up.state), Millis(5), Millis(5));
    assert_eq!(empty.uptime(), None);
}

#[test]
fn a_stopped_or_starting_connector_is_not_up() {
    let up = connector(online(true));
    let stopped = connector(ConnectorState::Stopped);
    let events = status_changes(&readings(&up.state), &stopped, Millis(30 * MINUTE));
    let timeline = Timeline::of(
        &events,
        readings(&stopped.state),
        Millis(0),
        Millis(60 * MINUTE),
    );
    assert_eq!(timeline.uptime(), Some(0.5));
}

#[test]
fn a_status_entry_reads_back_as_the_event_it_records() {
    let up = connector(online(true));
    let down = connector(online(false));
    let event = status_changes(&readings(&up.state), &down, Millis(9))
        .pop()
        .expect("the bot server dropped");
    let entry = Entry::status(41, &event);
    assert!(entry.problem);
    assert_eq!(entry.summary(), "Bot Server: Connected → Not Connected");
    let json = serde_json::to_string(&entry).expect("an entry serializes");
    assert!(json.contains(r#""component":"bot-server""#), "{json}");
    let back: Entry = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(back.event(), Some(event));
}

#[test]
fn pages_neither_skip_nor_repeat_when_entries_arrive_meanwhile() {
    let mut newest_first: Vec<Entry> = (1..=25)
        .rev()
        .map(|id| action(id, id * 1000, "ana", Outcome::Done))
        .collect();
    let mut query = HistoryQuery {
        limit: 10,
        ..HistoryQuery::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = query.page(&newest_first);
        seen.extend(page.entries.iter().map(|e| e.id));
        // Something happens between two pages: it is newer than every page still to come.
        let id = newest_first[0].id + 1;
        newest_first.insert(0, action(id, id * 1000, "ben", Outcome::Done));
        match page.next {
            Some(next) => query.before = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, (1..=25).rev().collect::<Vec<_>>());
}

fn ids(page: &HistoryPage) -> Vec<u64> {
    page.entries.iter().map(|e| e.id).collect()
}

#[test]
fn the_filters_narrow_and_read_from_the_query_string() {
    let entries = [
        action(3, 3000, "Ana", Outcome::Refused),
        action(2, 2000, "ben", Outcome::Done),
        action(1, 1000, "ana", Outcome::Done),
    ];
    let q = HistoryQuery::from_query_string("?actor=ANA&problems=1&limit=5").expect("readable");
    assert_eq!(q.limit, 5);
    assert_eq!(ids(&q.page(&entries)), [3]);
    let q = HistoryQuery::from_query_string("since=1500&until=3000").expect("readable");
    assert_eq!(ids(&q.page(&entries)), [2]);
    let q = HistoryQuery::from_query_string("q=%237").expect("readable");
    assert_eq!(
        ids(&q.page(&entries)),
        [3, 2, 1],
        "#7 is the connector number"
    );
    let q = HistoryQuery::from_query_string("q=BILLING").expect("readable");
    assert_eq!(ids(&q.page(&entries)).len(), 3, "part of the bot's name");
    let q = HistoryQuery::from_query_string("q=nobody").expect("readable");
    assert!(ids(&q.page(&entries)).is_empty());
    let round = HistoryQuery {
        connector: Some(ConnectorId(7)),
        bot: Some("Billing Desk".to_owned()),
        environment: Some(Environment::Production),
        component: Some(Dimension::BotServer),
        actor: Some("ana".to_owned()),
        kind: Some(EntryKind::Status),
        text: "desk".to_owned(),
        problems_only: true,
        since: Some(Millis(1)),
        until: Some(Millis(2)),
        before: Some(3),
        limit: 20,
    };
    assert_eq!(
        HistoryQuery::from_query_string(&round.to_query_string()),
        Ok(round)
    );
    let wrong = HistoryQuery::from_query_string("limit=100000&env=staging&colour=red")
        .expect_err("none of these can be read");
    assert!(wrong.contains("limit=100000"), "{wrong}");
    assert!(wrong.contains("env=staging"), "{wrong}");
    assert!(wrong.contains("colour=red"), "{wrong}");
}

#[test]
fn a_history_s_timeline_comes_out_as_the_api_gives_it() {
    let mut history = History::new();
    history.record(&connector(online(true)), Millis(0));
    history.record(&connector(online(false)), Millis(10 * MINUTE));
    let now = connector(online(false));
    let timeline = history.timeline(&now, Millis(20 * MINUTE));
    let body = TimelineBody::of(ConnectorId(7), &timeline);
    assert_eq!(body.uptime, Some(0.5));
    assert_eq!(body.lanes[2].segments[1].status, "Not Connected");
    assert_eq!(body.lanes[2].segments[1].tone, "bad");
    assert_eq!(body.timeline(), Some(timeline));
}

#[test]
fn a_record_keeps_what_changed_and_who_acted_newest_first() {
    let mut record = Record::new();
    record.observe(&connector(online(true)), Millis(0));
    assert!(
        record.is_empty(),
        "the first sighting is a start, not an entry"
    );
    record.observe(&connector(online(false)), Millis(10));
    record.action(
        Subject::of(ConnectorId(7), Some(&connector(online(false)))).entry(
            "Ana",
            "restart",
            Millis(20),
            Outcome::Done,
            None,
        ),
    );
    let page = record.page(&HistoryQuery {
        limit: 10,
        ..HistoryQuery::default()
    });
    assert_eq!(ids(&page), [2, 1]);
    assert_eq!(page.entries[0].actor.as_deref(), Some("Ana"));
    assert_eq!(page.entries[0].bot, "Billing Desk");
    assert_eq!(
        page.entries[1].summary(),
        "Bot Server: Connected → Not Connected"
    );
}

#[test]
fn entries_export_as_csv_with_the_actor_and_formulas_as_text() {
    let mut e = action(1, 0, "=HYPERLINK(\"x\")", Outcome::Refused);
    e.detail = Some("No Production right".to_owned());
    let csv = to_csv([&e]);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .expect("a header")
            .contains(",actor,action,outcome,detail")
    );
    let row = lines.next().expect("a row");
    assert!(
        row.starts_with("1970-01-01T00:00:00.000Z,7,Billing Desk,"),
        "{row}"
    );
    assert!(row.contains("'=HYPERLINK"), "{row}");
    assert!(row.ends_with(",stop,Refused,No Production right"), "{row}");
}

#[test]
fn a_record_s_timeline_starts_where_it_began_and_counts_uptime_over_the_period() {
    let mut record = Record::new();
    record.observe(&connector(online(true)), Millis(10 * MINUTE));
    record.observe(&connector(online(false)), Millis(60 * MINUTE));
    record.observe(&connector(online(true)), Millis(70 * MINUTE));
    // Asked from 0, it starts when the record began: 10 of 60 minutes down.
    let body = record.timeline(&connector(online(true)), Millis(0), Millis(70 * MINUTE));
    assert_eq!(body.since, Millis(10 * MINUTE));
    assert_eq!(body.until, Millis(70 * MINUTE));
    assert!((body.uptime.unwrap() - 50.0 / 60.0).abs() < 1e-9);
    // Asked from within the drop, the lane opens on what the drop came to.
    let body = record.timeline(
        &connector(online(true)),
        Millis(65 * MINUTE),
        Millis(75 * MINUTE),
    );
    let lane = &body.lanes[2].segments;
    assert_eq!(
        lane.iter().map(|s| s.status.as_str()).collect::<Vec<_>>(),
        ["Not Connected", "Connected"]
    );
    assert_eq!(body.uptime, Some(0.5));
}

#[test]
fn status_entries_export_as_csv_quoted_and_with_formulas_as_text() {
    let mut history = History::new();
    let mut c = connector(online(true));
    c.bot.name = "=HYPERLINK(\"http://evil.example\",\"click\"), \"Desk\"".to_owned();
    c.settings.agent_user_id = "@SUM(A1)".to_owned();
    history.record(&c, Millis(0));
    c.state = online(false);
    history.record(&c, Millis(1_700_000_000_123));
    let entries: Vec<Entry> = history.events().map(|e| Entry::status(1, e)).collect();
    let csv = to_csv(&entries);
    let row = csv.lines().nth(1).expect("a row");
    assert!(
        row.starts_with("2023-11-14T22:13:20.123Z,7,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\"), \"\"Desk\"\"\",'@SUM(A1),"),
        "{row}"
    );
    assert!(
        row.ends_with(",Production,status,Bot Server,Connected,Not Connected,,,,"),
        "{row}"
    );
    for formula in ["+1", "-1", "\tx", "\rx"] {
        assert!(
            crate::history::csv_text(formula).starts_with('\''),
            "{formula:?}"
        );
    }
    assert_eq!(crate::history::csv_text("Billing"), "Billing");
}

proptest::proptest! {
    /// The Event log's CSV reads as the `csv` crate writes it, byte for byte: quoting, doubled
    /// quotes, line breaks and empty cells alike.
    #[test]
    fn csv_rows_are_what_the_csv_crate_writes(
        rows in proptest::collection::vec(
            proptest::collection::vec("[a-z ,\"\r\n'=é]{0,6}", 2..14),
            0..5,
        )
    ) {
        let mut ours = String::new();
        let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for row in &rows {
            push_csv_row(&mut ours, &row.iter().map(String::as_str).collect::<Vec<_>>());
            theirs.write_record(row).expect("written");
        }
        let theirs = String::from_utf8(theirs.into_inner().expect("flushed")).expect("UTF-8");
        proptest::prop_assert_eq!(ours, theirs);
    }
}

#[test]
fn a_snapshot_is_observed_as_its_connectors_one_by_one() {
    let fleet = crate::fleet::Fleet::generate(11, 300, Millis(0));
    let mut shuffled = fleet.connectors.clone();
    shuffled.reverse();
    let mut at_once = Record::new();
    at_once.observe_all(&shuffled, Millis(1_000));
    let mut one_by_one = Record::new();
    for c in &fleet.connectors {
        one_by_one.observe(c, Millis(1_000));
    }
    assert_eq!(at_once, one_by_one);
    // Over connectors it has seen, a snapshot records what changed meanwhile.
    let mut changed = fleet.connectors.clone();
    changed[5].state = online(false);
    changed[6].state = ConnectorState::Stopped;
    at_once.observe_all(&changed, Millis(9_000));
    for c in &changed {
        one_by_one.observe(c, Millis(9_000));
    }
    assert_eq!(at_once, one_by_one);
    assert!(
        !at_once.is_empty(),
        "the stopped connectors' changes are entries"
    );
}
