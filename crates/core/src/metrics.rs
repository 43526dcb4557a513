//! The four dashboard metrics. They are filtered by environment only: no other filter of the
//! Bot Agents page changes them (the spec says so), so they take an [`EnvironmentFilter`] and
//! nothing else.

use crate::model::{Connector, Environment};
use crate::query::{ConnectorQuery, EnvironmentFilter, LinkFacet};
use crate::status::{ConnectorStatus, Tone};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Metric {
    Active,
    NotConnectedToCloud,
    NotConnectedToBotServer,
    Stopped,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Active,
        Metric::NotConnectedToCloud,
        Metric::NotConnectedToBotServer,
        Metric::Stopped,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Metric::Active => "Active agents",
            Metric::NotConnectedToCloud => "Agents not connected to Conversational Cloud",
            Metric::NotConnectedToBotServer => "Agents not connected to Bot Server",
            Metric::Stopped => "Stopped agents",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Metric::Active => "Connectors whose status is Online.",
            Metric::NotConnectedToCloud => {
                "Connectors whose Conversational Cloud connection is Not Connected (Messaging) or Offline (Chat), including connectors that have just started."
            }
            Metric::NotConnectedToBotServer => {
                "Connectors whose Bot Server connection is Not Connected, including connectors that have just started."
            }
            Metric::Stopped => "Connectors that were manually stopped.",
        }
    }

    /// How a count of this metric should look: disconnected agents are bad news, stopped ones
    /// worth a look, and a count of zero is nothing to see.
    pub fn tone(self, count: usize) -> Tone {
        match (self, count) {
            (Metric::Active, 0) => Tone::Neutral,
            (Metric::Active, _) => Tone::Good,
            (_, 0) => Tone::Neutral,
            (Metric::NotConnectedToCloud | Metric::NotConnectedToBotServer, _) => Tone::Bad,
            (Metric::Stopped, _) => Tone::Warning,
        }
    }

    /// The Bot Agents filter that lists exactly the connectors this metric counts, in the
    /// given environment.
    pub fn query(self, environment: EnvironmentFilter) -> ConnectorQuery {
        let mut query = ConnectorQuery {
            environment,
            ..ConnectorQuery::default()
        };
        match self {
            Metric::Active => query.status = Some(ConnectorStatus::Online),
            Metric::NotConnectedToCloud => query.cloud = Some(LinkFacet::NotConnected),
            Metric::NotConnectedToBotServer => query.bot_server = Some(LinkFacet::NotConnected),
            Metric::Stopped => query.status = Some(ConnectorStatus::Stopped),
        }
        query
    }

    pub fn counts(self, connector: &Connector) -> bool {
        // One definition: the metric counts what its filter lists.
        let query = self.query(EnvironmentFilter::All);
        query.matches_facets(connector)
    }
}

/// The four counts for one environment filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    pub active: usize,
    pub not_connected_to_cloud: usize,
    pub not_connected_to_bot_server: usize,
    pub stopped: usize,
    /// Connectors in the environment at all.
    pub total: usize,
}

impl Metrics {
    pub fn compute<'a>(
        connectors: impl IntoIterator<Item = &'a Connector>,
        environment: EnvironmentFilter,
    ) -> Metrics {
        let mut m = Metrics::default();
        // The same definition as `Metric::counts`, with each metric's filter built once.
        let filters = Metric::ALL.map(|metric| (metric, metric.query(EnvironmentFilter::All)));
        for c in connectors
            .into_iter()
            .filter(|c| environment.admits(c.environment()))
        {
            m.total += 1;
            for (metric, filter) in &filters {
                if filter.matches_facets(c) {
                    *m.slot(*metric) += 1;
                }
            }
        }
        m
    }

    pub fn get(&self, metric: Metric) -> usize {
        match metric {
            Metric::Active => self.active,
            Metric::NotConnectedToCloud => self.not_connected_to_cloud,
            Metric::NotConnectedToBotServer => self.not_connected_to_bot_server,
            Metric::Stopped => self.stopped,
        }
    }

    fn slot(&mut self, metric: Metric) -> &mut usize {
        match metric {
            Metric::Active => &mut self.active,
            Metric::NotConnectedToCloud => &mut self.not_connected_to_cloud,
            Metric::NotConnectedToBotServer => &mut self.not_connected_to_bot_server,
            Metric::Stopped => &mut self.stopped,
        }
    }
}

/// Metrics for each environment filter a page offers, in the order shown.
pub fn environments() -> [EnvironmentFilter; 3] {
    [
        EnvironmentFilter::Only(Environment::Production),
        EnvironmentFilter::Only(Environment::Demo),
        EnvironmentFilter::All,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::tests_support::{connector, with_state};
    use crate::model::ConversationType;
    use crate::status::{BotServerConnection, CloudConnection, ConnectorState, LinkHealth, Links};

    fn online(cloud: LinkHealth, bot_server_up: bool, ct: ConversationType) -> ConnectorState {
        ConnectorState::Online {
            links: Links {
                cloud: CloudConnection::new(ct, cloud),
                bot_server: BotServerConnection::new(bot_server_up),
            },
        }
    }

    #[test]
    fn metrics_count_each_dimension_in_the_chosen_environment_only() {
        let fleet = [
            with_state(
                connector(1, "a", Environment::Production, 0),
                online(LinkHealth::Up, true, ConversationType::Messaging),
            ),
            with_state(
                connector(2, "a", Environment::Production, 0),
                online(LinkHealth::Down, true, ConversationType::Messaging),
            ),
            with_state(
                connector(3, "b", Environment::Production, 0),
                online(LinkHealth::Up, false, ConversationType::Messaging),
            ),
            with_state(
                connector(4, "b", Environment::Production, 0),
                ConnectorState::Stopped,
            ),
            with_state(
                connector(5, "c", Environment::Demo, 0),
                ConnectorState::Stopped,
            ),
        ];
        let prod = Metrics::compute(&fleet, EnvironmentFilter::Only(Environment::Production));
        assert_eq!(prod.active, 3);
        assert_eq!(prod.not_connected_to_cloud, 1);
        assert_eq!(prod.not_connected_to_bot_server, 1);
        assert_eq!(prod.stopped, 1);
        assert_eq!(prod.total, 4);
        let demo = Metrics::compute(&fleet, EnvironmentFilter::Only(Environment::Demo));
        assert_eq!((demo.active, demo.stopped, demo.total), (0, 1, 1));
        assert_eq!(Metrics::compute(&fleet, EnvironmentFilter::All).stopped, 2);
    }

    #[test]
    fn an_offline_chat_connection_counts_as_not_connected_to_conversational_cloud() {
        let c = with_state(
            connector(1, "a", Environment::Production, 0),
            online(LinkHealth::Down, true, ConversationType::Chat),
        );
        assert!(Metric::NotConnectedToCloud.counts(&c));
    }

    #[test]
    fn agents_away_are_not_counted_as_not_connected() {
        let c = with_state(
            connector(1, "a", Environment::Production, 0),
            online(LinkHealth::Away, true, ConversationType::Chat),
        );
        assert!(!Metric::NotConnectedToCloud.counts(&c));
    }

    #[test]
    fn a_stopped_connector_is_not_counted_as_not_connected_its_connections_are_na() {
        let c = with_state(
            connector(1, "a", Environment::Production, 0),
            ConnectorState::Stopped,
        );
        assert!(!Metric::NotConnectedToCloud.counts(&c));
        assert!(!Metric::NotConnectedToBotServer.counts(&c));
        assert!(Metric::Stopped.counts(&c));
    }

    #[test]
    fn disconnected_agents_are_shown_as_bad_news_and_zero_as_nothing() {
        assert_eq!(Metric::NotConnectedToCloud.tone(3), Tone::Bad);
        assert_eq!(Metric::NotConnectedToBotServer.tone(0), Tone::Neutral);
        assert_eq!(Metric::Stopped.tone(1), Tone::Warning);
        assert_eq!(Metric::Active.tone(9), Tone::Good);
    }

    #[test]
    fn each_metric_opens_a_filter_that_lists_what_it_counts() {
        let env = EnvironmentFilter::Only(Environment::Demo);
        assert_eq!(
            Metric::Active.query(env).status,
            Some(ConnectorStatus::Online)
        );
        assert_eq!(
            Metric::Stopped.query(env).status,
            Some(ConnectorStatus::Stopped)
        );
        assert_eq!(
            Metric::NotConnectedToCloud.query(env).cloud,
            Some(LinkFacet::NotConnected)
        );
        assert_eq!(
            Metric::NotConnectedToBotServer.query(env).bot_server,
            Some(LinkFacet::NotConnected)
        );
        for m in Metric::ALL {
            assert_eq!(m.query(env).environment, env);
        }
    }
}
