use super::*;
use crate::fleet::Fleet;
use crate::model::Millis;

fn fleet() -> Vec<Connector> {
    Fleet::generate(11, 300, Millis(1_000_000)).connectors
}

#[test]
fn the_default_view_is_production_sorted_by_bot_name() {
    let q = ConnectorQuery::default();
    assert_eq!(
        q.environment,
        EnvironmentFilter::Only(Environment::Production)
    );
    let all = fleet();
    let rows = q.select(&all);
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|&i| all[i].environment() == Environment::Production)
    );
    assert!(
        rows.windows(2)
            .all(|w| cmp_text(&all[w[0]].bot.name, &all[w[1]].bot.name).is_le())
    );
}

#[test]
fn search_matches_bot_and_agent_names_case_insensitively() {
    let all = fleet();
    let q = ConnectorQuery {
        environment: EnvironmentFilter::All,
        text: "BILLING".into(),
        ..ConnectorQuery::default()
    };
    let rows = q.select(&all);
    assert!(!rows.is_empty());
    for i in rows {
        let c = &all[i];
        assert!(
            c.bot.name.to_lowercase().contains("billing")
                || c.settings.agent_user_id.contains("billing")
        );
    }
}

#[test]
fn each_status_filter_keeps_only_matching_rows() {
    let all = fleet();
    for status in ConnectorStatus::ALL {
        let q = ConnectorQuery {
            environment: EnvironmentFilter::All,
            status: Some(status),
            ..ConnectorQuery::default()
        };
        let rows = q.select(&all);
        assert!(rows.iter().all(|&i| all[i].state.status() == status));
        let expected = all.iter().filter(|c| c.state.status() == status).count();
        assert_eq!(rows.len(), expected);
    }
}

#[test]
fn na_filter_finds_connectors_without_live_connections() {
    let all = fleet();
    let q = ConnectorQuery {
        environment: EnvironmentFilter::All,
        cloud: Some(LinkFacet::NotApplicable),
        ..ConnectorQuery::default()
    };
    for i in q.select(&all) {
        assert!(!all[i].state.status().is_running());
        assert!(all[i].state.links().is_none());
    }
}

#[test]
fn sorting_descending_reverses_and_ties_keep_id_order() {
    let all = fleet();
    let asc = ConnectorQuery {
        environment: EnvironmentFilter::All,
        sort: SortKey::Concurrent,
        ..ConnectorQuery::default()
    };
    let desc = ConnectorQuery {
        descending: true,
        ..asc.clone()
    };
    let (a, d) = (asc.select(&all), desc.select(&all));
    assert!(a.windows(2).all(|w| {
        let (x, y) = (&all[w[0]], &all[w[1]]);
        (x.concurrent_conversations, x.id) < (y.concurrent_conversations, y.id)
    }));
    assert_eq!(
        all[a[a.len() - 1]].concurrent_conversations,
        all[d[0]].concurrent_conversations
    );
}

#[test]
fn every_sort_key_sorts_without_losing_rows() {
    let all = fleet();
    for sort in SortKey::ALL {
        let q = ConnectorQuery {
            environment: EnvironmentFilter::All,
            sort,
            ..ConnectorQuery::default()
        };
        assert_eq!(q.select(&all).len(), all.len(), "{sort:?}");
    }
}

#[test]
fn a_query_round_trips_through_the_url() {
    let q = ConnectorQuery {
        environment: EnvironmentFilter::All,
        status: Some(ConnectorStatus::NotConnected),
        cloud: Some(LinkFacet::Away),
        bot_server: Some(LinkFacet::NotConnected),
        conversation_type: Some(ConversationType::Chat),
        text: "a&b=c <b>ü".into(),
        sort: SortKey::BotServer,
        descending: true,
    };
    let (back, ignored) = ConnectorQuery::from_query_string(&q.to_query_string());
    assert_eq!(back, q);
    assert!(ignored.is_empty());
}

#[test]
fn the_default_query_has_an_empty_query_string() {
    assert_eq!(ConnectorQuery::default().to_query_string(), "");
    assert_eq!(
        ConnectorQuery::from_query_string("").0,
        ConnectorQuery::default()
    );
}

#[test]
fn unknown_url_parameters_are_ignored_and_reported() {
    let (q, ignored) = ConnectorQuery::from_query_string("?status=online&status2=x&env=mars");
    assert_eq!(q.status, Some(ConnectorStatus::Online));
    assert_eq!(q.environment, EnvironmentFilter::default());
    assert_eq!(ignored, vec!["status2=x".to_owned(), "env=mars".to_owned()]);
}

#[test]
fn facet_counts_match_what_each_filter_value_would_show() {
    let all = fleet();
    let base = ConnectorQuery {
        conversation_type: Some(ConversationType::Messaging),
        ..ConnectorQuery::default()
    };
    let counts = base.facet_counts(&all);
    for status in ConnectorStatus::ALL {
        let q = ConnectorQuery {
            status: Some(status),
            ..base.clone()
        };
        assert_eq!(counts.status(status), q.select(&all).len(), "{status:?}");
    }
    for f in LinkFacet::CLOUD {
        let q = ConnectorQuery {
            cloud: Some(f),
            ..base.clone()
        };
        assert_eq!(counts.cloud(f), q.select(&all).len(), "{f:?}");
    }
    for f in LinkFacet::BOT_SERVER {
        let q = ConnectorQuery {
            bot_server: Some(f),
            ..base.clone()
        };
        assert_eq!(counts.bot_server(f), q.select(&all).len(), "{f:?}");
    }
    // The type facet ignores the type filter itself.
    for t in ConversationType::ALL {
        let q = ConnectorQuery {
            conversation_type: Some(t),
            ..base.clone()
        };
        assert_eq!(counts.conversation_type(t), q.select(&all).len(), "{t:?}");
    }
}

#[test]
fn search_ignores_case_in_non_ascii_names_too() {
    let mut all = fleet();
    all[0].bot.name = "Ärztekammer Bot".into();
    let q = ConnectorQuery {
        environment: EnvironmentFilter::All,
        text: "ärztek".into(),
        ..ConnectorQuery::default()
    };
    assert_eq!(q.select(&all), vec![0]);
    assert!(crate::caseless::contains("Billing Bot", "ing b"));
    assert!(!crate::caseless::contains("Billing", "billings"));
}

#[test]
fn problems_first_lists_the_worst_status_first_then_by_bot() {
    let all = fleet();
    let q = ConnectorQuery {
        environment: EnvironmentFilter::All,
        sort: SortKey::Problems,
        ..ConnectorQuery::default()
    };
    let rows = q.select(&all);
    assert_eq!(rows.len(), all.len());
    let first = &all[rows[0]];
    assert_eq!(first.state.status(), ConnectorStatus::NotConnected);
    assert_eq!(
        all[*rows.last().expect("rows")].state.status(),
        ConnectorStatus::Stopped
    );
    for w in rows.windows(2) {
        let (a, b) = (&all[w[0]], &all[w[1]]);
        let (ca, cb) = (a.state.concern(), b.state.concern());
        assert!(ca < cb || (ca == cb && cmp_text(&a.bot.name, &b.bot.name).is_le()));
    }
    // Each step of the order is a status a user can tell apart.
    let order: Vec<ConnectorStatus> = rows.iter().map(|&i| all[i].state.status()).collect();
    let place = |s: ConnectorStatus| {
        [
            ConnectorStatus::NotConnected,
            ConnectorStatus::Starting,
            ConnectorStatus::Online,
            ConnectorStatus::ReadyToStart,
            ConnectorStatus::Stopped,
        ]
        .iter()
        .position(|x| *x == s)
    };
    assert!(order.windows(2).all(|w| place(w[0]) <= place(w[1])));
    assert_eq!(SortKey::from_slug("problems"), Some(SortKey::Problems));
    let mut q = ConnectorQuery {
        sort: SortKey::Concurrent,
        descending: true,
        ..ConnectorQuery::default()
    };
    q.toggle_problems_first();
    assert_eq!((q.sort, q.descending), (SortKey::Problems, false));
    assert_eq!(q.to_query_string(), "sort=problems");
    q.toggle_problems_first();
    assert_eq!((q.sort, q.descending), (SortKey::default(), false));
}
