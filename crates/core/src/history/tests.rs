use super::*;
use crate::fleet::tests_support as sample;
use crate::model::ConversationType;
use crate::status::{BotServerConnection, CloudConnection, LinkHealth, Links};
use crate::troubleshooting::{Component, Problem};

pub(crate) fn online(cloud: LinkHealth, bot_server: bool) -> ConnectorState {
    ConnectorState::Online {
        links: Links {
            cloud: CloudConnection::new(ConversationType::Messaging, cloud),
            bot_server: BotServerConnection::new(bot_server),
        },
    }
}

/// Connector 7 of the bot "Billing Desk", a Production Messaging one, in `state`.
pub(crate) fn connector(state: ConnectorState) -> Connector {
    let mut c = sample::connector(7, "billing", Environment::Production, 0);
    c.bot.name = "Billing Desk".to_owned();
    c.settings.conversation_type = ConversationType::Messaging;
    sample::with_state(c, state)
}

#[test]
fn only_the_statuses_that_changed_become_events() {
    let mut history = History::new();
    history.record(&connector(online(LinkHealth::Up, true)), Millis(1_000));
    assert!(
        history.is_empty(),
        "the first sighting is a start, not an event"
    );
    history.record(&connector(online(LinkHealth::Down, true)), Millis(5_000));
    let events: Vec<_> = history.events().collect();
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].summary(),
        "Conversational Cloud: Connected → Not Connected"
    );
    assert_eq!(events[0].at, Millis(5_000));
    // Seeing the same state again adds nothing.
    history.record(&connector(online(LinkHealth::Down, true)), Millis(6_000));
    assert_eq!(history.len(), 1);
}

#[test]
fn a_connector_that_fails_says_why_and_loses_both_connections() {
    let mut history = History::new();
    history.record(&connector(online(LinkHealth::Up, true)), Millis(0));
    let failed = ConnectorState::NotConnected {
        links: Links::fresh(ConversationType::Messaging),
        problem: Problem::FailedConnection {
            component: Component::BotServer,
        },
    };
    history.record(&connector(failed), Millis(10_000));
    let events: Vec<_> = history.events().collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].dimension, Dimension::Connector);
    assert_eq!(
        events[0].detail.as_deref(),
        Some("Failed connection to Bot Server")
    );
    assert!(events.iter().all(|e| e.to.is_problem()));
}

#[test]
fn the_timeline_shows_when_a_component_dropped_for_how_long_and_that_it_recovered() {
    let mut history = History::new();
    history.record(&connector(online(LinkHealth::Up, true)), Millis(0));
    history.record(&connector(online(LinkHealth::Down, true)), Millis(60_000));
    history.record(&connector(online(LinkHealth::Up, true)), Millis(185_000));
    let c = connector(online(LinkHealth::Up, true));
    let timeline = history.timeline(&c, Millis(300_000));
    assert_eq!(timeline.span_ms(), 300_000);
    let cloud = &timeline.lanes[1];
    assert_eq!(cloud.dimension, Dimension::Cloud);
    let labels: Vec<_> = cloud
        .segments
        .iter()
        .map(|s| (s.reading.label, s.duration_ms()))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("Connected", 60_000),
            ("Not Connected", 125_000),
            ("Connected", 115_000)
        ]
    );
    // The other lanes stayed as they were, all along.
    assert_eq!(timeline.lanes[0].segments.len(), 1);
    let drops = timeline.drops();
    assert_eq!(drops.len(), 1);
    assert_eq!(
        (drops[0].dimension, drops[0].from, drops[0].ongoing),
        (Dimension::Cloud, Millis(60_000), false)
    );
    assert_eq!(duration_text(drops[0].duration_ms()), "2 min 5 s");
}

#[test]
fn a_drop_that_lasts_until_now_is_ongoing() {
    let mut history = History::new();
    history.record(&connector(online(LinkHealth::Up, true)), Millis(0));
    history.record(&connector(online(LinkHealth::Up, false)), Millis(1_000));
    let timeline = history.timeline(&connector(online(LinkHealth::Up, false)), Millis(4_000));
    let drops = timeline.drops();
    assert_eq!(drops.len(), 1);
    assert!(drops[0].ongoing);
    assert!(!drops[0].before_start);
    assert_eq!(drops[0].dimension, Dimension::BotServer);
    // A connector first seen failing was failing before that.
    let mut fresh = History::new();
    fresh.record(&connector(online(LinkHealth::Up, false)), Millis(0));
    let drops = fresh
        .timeline(&connector(online(LinkHealth::Up, false)), Millis(9))
        .drops();
    assert!(drops[0].before_start && drops[0].ongoing);
}

#[test]
fn the_history_keeps_a_bounded_number_of_events() {
    let mut history = History::new();
    for i in 0..(KEEP_EVENTS as u64 + 10) {
        let up = i % 2 == 0;
        history.record(&connector(online(LinkHealth::Up, up)), Millis(i));
    }
    assert_eq!(history.len(), KEEP_EVENTS);
    assert_eq!(history.forgotten(), 9);
}

#[test]
fn a_time_past_the_year_9999_is_written_not_panicked_over() {
    assert_eq!(iso_time(Millis(0)), "1970-01-01T00:00:00.000Z");
    let far = Millis(253_402_300_800 * 1000);
    assert!(iso_time(far).contains("ms after 1970"), "{}", iso_time(far));
    assert!(iso_time(Millis(u64::MAX)).starts_with(&u64::MAX.to_string()));
}

#[test]
fn the_last_change_is_the_newest_event_or_the_first_sighting() {
    let mut history = History::new();
    let id = connector(online(LinkHealth::Up, true)).id;
    assert_eq!(history.last_change(id), None);
    history.record(&connector(online(LinkHealth::Up, true)), Millis(1_000));
    assert_eq!(
        history.last_change(id),
        Some(LastChange::SeenSince(Millis(1_000)))
    );
    history.record(&connector(online(LinkHealth::Down, true)), Millis(5_000));
    history.record(&connector(online(LinkHealth::Down, true)), Millis(9_000));
    assert_eq!(
        history.last_change(id),
        Some(LastChange::Changed(Millis(5_000)))
    );
}

#[test]
fn a_timeline_carried_on_to_now_keeps_its_readings_to_the_end() {
    let mut history = History::new();
    history.record(&connector(online(LinkHealth::Up, true)), Millis(0));
    history.record(&connector(online(LinkHealth::Up, false)), Millis(1_000));
    let down = connector(online(LinkHealth::Up, false));
    let timeline = history.timeline(&down, Millis(2_000));
    let later = timeline.clone().until(Millis(4_000));
    assert_eq!(later.end, Millis(4_000));
    for (before, after) in timeline.lanes.iter().zip(&later.lanes) {
        assert_eq!(before.segments.len(), after.segments.len());
        assert_eq!(after.segments.last().unwrap().to, Millis(4_000));
    }
    assert_eq!(later.uptime(), Some(0.25));
    // An earlier "now" changes nothing.
    assert_eq!(timeline.clone().until(Millis(1_500)), timeline);
}

#[test]
fn uptime_reads_as_a_percentage_that_never_hides_a_drop() {
    assert_eq!(percent_text(50.0 / 60.0), "83.3 %");
    assert_eq!(percent_text(1.0), "100.0 %");
    assert_eq!(percent_text(0.99999), "99.9 %");
    assert_eq!(percent_text(0.00001), "0.1 %");
    assert_eq!(percent_text(0.0), "0.0 %");
}

#[test]
fn a_period_ends_now_and_never_before_the_epoch() {
    assert_eq!(Period::Hour.since(Millis(5_000_000)), Millis(1_400_000));
    assert_eq!(Period::Week.since(Millis(5)), Millis(0));
    assert_eq!(Period::default(), Period::Day);
}

#[test]
fn a_snapshot_is_noted_as_its_connectors_one_by_one() {
    let fleet = crate::fleet::Fleet::generate(5, 300, Millis(0));
    let (first, later) = (Millis(1_000), Millis(9_000));
    let mut at_once = History::new();
    at_once.record_all(&fleet.connectors, first);
    let mut one_by_one = History::new();
    for c in &fleet.connectors {
        one_by_one.record(c, first);
    }
    assert_eq!(at_once, one_by_one);
    // A snapshot over a known fleet (a reconnect) notes what changed meanwhile.
    let mut changed = fleet.connectors.clone();
    changed[3].state = online(LinkHealth::Down, false);
    at_once.record_all(&changed, later);
    for c in &changed {
        one_by_one.record(c, later);
    }
    assert_eq!(at_once, one_by_one);
    assert!(
        !at_once.is_empty(),
        "the changed connector's statuses are events"
    );
}

#[test]
fn a_snapshot_in_any_order_and_a_removal_are_noted_by_connector() {
    let fleet = crate::fleet::Fleet::generate(8, 200, Millis(0));
    let mut reversed = fleet.connectors.clone();
    reversed.reverse();
    let mut at_once = History::new();
    at_once.record_all(&reversed, Millis(1_000));
    let mut one_by_one = History::new();
    for c in &fleet.connectors {
        one_by_one.record(c, Millis(1_000));
    }
    assert_eq!(at_once, one_by_one);

    // A deleted connector is forgotten: seen again, it starts a new history, not an event.
    let mut gone = fleet.connectors[17].clone();
    at_once.removed(gone.id);
    assert_eq!(at_once.last_change(gone.id), None);
    gone.state = online(LinkHealth::Down, false);
    at_once.record(&gone, Millis(5_000));
    assert!(at_once.is_empty());
    assert_eq!(
        at_once.last_change(gone.id),
        Some(LastChange::SeenSince(Millis(5_000)))
    );
    // Its neighbours are known as before.
    let next = &fleet.connectors[18];
    assert_eq!(
        at_once.last_change(next.id),
        Some(LastChange::SeenSince(Millis(1_000)))
    );
}
