//! A deterministic model of a fleet over time: connectors start and settle, external
//! resources go down and come back, and conversation load moves between a bot's online
//! connectors. The caller passes the time in; randomness comes from the seed, so the same
//! seed and the same inputs always give the same history.

use serde::{Deserialize, Serialize};
use std::ops::Range;

pub use faults::{DISABLE_AFTER_MS, LoginPolicy};
use starts::Starts;

use crate::access::{Permissions, Persona, Session};
use crate::fleet::{Fleet, HOME_ACCOUNT, SAMPLE_USER, SeededRng};
use crate::lifecycle::{
    Action, Applied, Context, Lifecycle, Login, Reachability, Refused, settled_state,
};
use crate::limits::MAX_CONNECTORS;
use crate::model::{
    BotId, BotRef, Connector, ConnectorId, ConnectorSettings, ConversationType, Environment, Millis,
};
use crate::order::TextMap;
use crate::pcs::{PcsAction, PcsConnector};
use crate::settings::{bot_problems, normalize, normalize_bot};
use crate::status::{ConnectorState, LinkHealth};
use crate::troubleshooting::Component;

/// A start takes tens of seconds to a few minutes ("it can take a few minutes").
pub const START_MIN_MS: u64 = 20_000;
pub const START_SPREAD_MS: u64 = 100_000;
/// How often conversation load moves between connectors.
pub const LOAD_PERIOD_MS: u64 = 30_000;

/// An external server a connector depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Resource {
    MessagingServer,
    ChatServer,
    BotServer,
}

impl Resource {
    pub const ALL: [Resource; 3] = [
        Resource::MessagingServer,
        Resource::ChatServer,
        Resource::BotServer,
    ];

    /// The health values this server can have: only the chat server has agents away.
    pub fn healths(self) -> &'static [LinkHealth] {
        match self {
            Resource::ChatServer => &[LinkHealth::Up, LinkHealth::Away, LinkHealth::Down],
            _ => &[LinkHealth::Up, LinkHealth::Down],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Resource::MessagingServer => "Conversational Cloud messaging server",
            Resource::ChatServer => "Conversational Cloud chat server",
            Resource::BotServer => "Bot server",
        }
    }
}

/// The health of the external servers of one environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Resources {
    pub messaging: LinkHealth,
    pub chat: LinkHealth,
    pub bot_server: LinkHealth,
}

impl Default for Resources {
    fn default() -> Self {
        Resources {
            messaging: LinkHealth::Up,
            chat: LinkHealth::Up,
            bot_server: LinkHealth::Up,
        }
    }
}

impl Resources {
    pub fn get(&self, resource: Resource) -> LinkHealth {
        match resource {
            Resource::MessagingServer => self.messaging,
            Resource::ChatServer => self.chat,
            Resource::BotServer => self.bot_server,
        }
    }

    fn slot(&mut self, resource: Resource) -> &mut LinkHealth {
        match resource {
            Resource::MessagingServer => &mut self.messaging,
            Resource::ChatServer => &mut self.chat,
            Resource::BotServer => &mut self.bot_server,
        }
    }
}

/// One thing that changed, for the UI's store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Change {
    Connector(Box<Connector>),
    /// Only the connector's conversation count moved (the periodic load update): its new
    /// count and version, without the rest, which is as it was.
    Load {
        id: ConnectorId,
        version: u64,
        conversations: u32,
    },
    Removed(ConnectorId),
    Pcs(Box<PcsConnector>),
}

impl Change {
    /// The change of the connector `c`'s load to what it is now.
    pub fn load_of(c: &Connector) -> Change {
        Change::Load {
            id: c.id,
            version: c.version,
            conversations: c.concurrent_conversations,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Simulator {
    pub fleet: Fleet,
    /// Production and Demo resources.
    production: Resources,
    demo: Resources,
    /// The user the simulated session belongs to; bot users others created answer 401.
    pub user: String,
    /// Which rights the user signs in with.
    #[serde(default)]
    pub persona: Persona,
    rng: SeededRng,
    now: Millis,
    /// When each starting connector finishes starting.
    #[cfg_attr(
        feature = "schema",
        schemars(with = "std::collections::BTreeMap<ConnectorId, Millis>")
    )]
    starts: Starts,
    pcs_start: Option<Millis>,
    /// Concurrent conversations each bot's traffic asks for, by bot id.
    #[cfg_attr(
        feature = "schema",
        schemars(with = "std::collections::BTreeMap<BotId, u32>")
    )]
    demand: TextMap<u32>,
    next_load_at: Millis,
    /// The account login policies and the IPs bot servers log in from.
    #[serde(default)]
    login_policy: LoginPolicy,
}

impl Simulator {
    pub fn new(seed: u64, size: usize, now: Millis) -> Simulator {
        let fleet = Fleet::generate(seed, size, now);
        let mut sim = Simulator {
            fleet,
            production: Resources::default(),
            demo: Resources::default(),
            user: SAMPLE_USER.to_owned(),
            persona: Persona::default(),
            // A stream of its own, so the fleet and its history draw different numbers.
            rng: SeededRng::new(seed ^ 0x5EED_5EED_5EED_5EED),
            now,
            starts: Starts::default(),
            pcs_start: None,
            demand: TextMap::default(),
            next_load_at: now.plus(LOAD_PERIOD_MS),
            login_policy: LoginPolicy::default(),
        };
        let starting: Vec<_> = sim
            .fleet
            .connectors
            .iter()
            .filter_map(|c| match c.state {
                ConnectorState::Starting { since, .. } => Some((c.id, since)),
                _ => None,
            })
            .collect();
        for (id, since) in starting {
            let ready = sim.start_duration();
            sim.starts.insert(id, since.plus(ready));
        }
        let demands = sim.fleet.connectors.iter();
        let demands = demands.map(|c| (c.bot.id.0.clone(), c.concurrent_conversations));
        sim.demand = TextMap::gathered(demands.collect(), |sum, more| *sum += more);
        sim
    }

    /// Who is signed in, with which rights.
    pub fn session(&self) -> Session {
        self.persona.session(&self.user, HOME_ACCOUNT)
    }

    pub fn now(&self) -> Millis {
        self.now
    }

    pub fn connectors(&self) -> &[Connector] {
        &self.fleet.connectors
    }

    /// Where connector `id` is in the fleet. The fleet is kept in id order (ids are given in
    /// increasing order and never reused while they exist), so this is a binary search; a
    /// miss is confirmed by a scan, so a list out of order is never misread.
    fn index_of(&self, id: ConnectorId) -> Option<usize> {
        let list = &self.fleet.connectors;
        list.binary_search_by_key(&id, |c| c.id)
            .ok()
            .or_else(|| list.iter().position(|c| c.id == id))
    }

    /// Connector `id`, if it exists.
    pub fn connector(&self, id: ConnectorId) -> Option<&Connector> {
        self.index_of(id).map(|i| &self.fleet.connectors[i])
    }

    pub fn resources(&self, environment: Environment) -> Resources {
        match environment {
            Environment::Production => self.production,
            Environment::Demo => self.demo,
        }
    }

    fn start_duration(&mut self) -> u64 {
        START_MIN_MS + self.rng.below(START_SPREAD_MS)
    }

    /// What `connector` finds when it connects now.
    pub fn reachability(&self, connector: &Connector) -> Reachability {
        let user = self.fleet.directory.find(
            &connector.settings.account,
            &connector.settings.agent_user_id,
        );
        let login = match user {
            Some(u) if !u.enabled => Login::DisabledByLoginPolicy,
            Some(u) if u.created_by != self.user => Login::Unauthorized,
            _ => Login::Ok,
        };
        let res = self.resources(connector.environment());
        let cloud = match connector.conversation_type() {
            ConversationType::Messaging => res.messaging,
            ConversationType::Chat => res.chat,
        };
        Reachability {
            login,
            cloud,
            bot_server_up: res.bot_server != LinkHealth::Down,
        }
    }

    fn context(&self, connector: &Connector, permissions: Permissions) -> Context {
        let agent_active = self.fleet.directory.is_enabled(
            &connector.settings.account,
            &connector.settings.agent_user_id,
        );
        Context {
            agent_active,
            permissions,
        }
    }

    /// Performs `action` on one connector at `now`.
    pub fn act(
        &mut self,
        id: ConnectorId,
        mut action: Action,
        permissions: Permissions,
        now: Millis,
    ) -> Result<Change, Refused> {
        self.now = self.now.max(now);
        if let Action::Edit(settings) = &mut action {
            normalize(settings);
        }
        let index = self.index_of(id).ok_or(Refused::Gone)?;
        let ctx = self.context(&self.fleet.connectors[index], permissions);
        if let Action::Edit(after) = &action {
            Lifecycle::check_edit(
                &self.fleet.connectors[index].settings,
                after,
                &self.fleet.directory,
                &self.user,
                permissions,
            )?;
        }
        match Lifecycle::apply(&self.fleet.connectors[index], action, &ctx, self.now)? {
            Applied::Deleted(id) => {
                self.fleet.connectors.remove(index);
                self.starts.remove(id);
                Ok(Change::Removed(id))
            }
            Applied::Changed(next) => {
                // A real process settles its own start (it reports); the simulator plays the rest.
                if let (ConnectorState::Starting { since, .. }, None) =
                    (&next.state, &next.reported)
                {
                    let since = *since;
                    let ready = self.start_duration();
                    self.starts.insert(id, since.plus(ready));
                } else {
                    self.starts.remove(id);
                }
                self.fleet.connectors[index] = (*next).clone();
                Ok(Change::Connector(next))
            }
        }
    }

    /// Puts `next` in the place of the connector with its id (a process's report, a hand-over,
    /// a silence: [`crate::protocol`]), and the change that announces it. A connector a process
    /// plays is no longer settled by the simulator.
    pub fn replace(&mut self, next: Connector) -> Option<Change> {
        let i = self.index_of(next.id)?;
        let change = crate::protocol::change(&self.fleet.connectors[i], next.clone());
        if next.reported.is_some() {
            self.starts.remove(next.id);
        }
        self.fleet.connectors[i] = next;
        Some(change)
    }

    /// Adds a connector to `bot` at `now`: it is Ready to Start until someone starts it. What
    /// the user typed is trimmed first, so every check sees what is kept.
    pub fn add(
        &mut self,
        mut bot: BotRef,
        mut settings: ConnectorSettings,
        permissions: Permissions,
        now: Millis,
    ) -> Result<Change, Refused> {
        self.now = self.now.max(now);
        normalize_bot(&mut bot);
        normalize(&mut settings);
        let problems = bot_problems(&bot);
        if !problems.is_empty() {
            return Err(Refused::InvalidSettings { problems });
        }
        if self.fleet.connectors.len() >= MAX_CONNECTORS {
            return Err(Refused::FleetFull {
                limit: MAX_CONNECTORS,
            });
        }
        Lifecycle::check_add(&settings, &self.fleet.directory, &self.user, permissions)?;
        let connector = Connector::added(self.next_connector_id(), bot, settings);
        self.fleet.connectors.push(connector.clone());
        Ok(Change::Connector(Box::new(connector)))
    }

    /// The number the next added connector gets: one above the highest in the fleet.
    pub fn next_connector_id(&self) -> ConnectorId {
        let highest = self.fleet.connectors.iter().map(|c| c.id.0).max();
        ConnectorId(highest.unwrap_or(0) + 1)
    }

    pub fn act_on_pcs(
        &mut self,
        action: PcsAction,
        permissions: Permissions,
        now: Millis,
    ) -> Result<Change, Refused> {
        self.now = self.now.max(now);
        let next = self.fleet.pcs.apply(action, permissions, self.now)?;
        if action == PcsAction::RedeployConnector {
            let ready = self.start_duration();
            self.pcs_start = Some(self.now.plus(ready));
        }
        self.fleet.pcs = next.clone();
        Ok(Change::Pcs(Box::new(next)))
    }

    /// Takes a resource of one environment down, up, or (the chat server) away, and applies it
    /// to every online connector of that environment that depends on it.
    pub fn set_resource(
        &mut self,
        environment: Environment,
        resource: Resource,
        health: LinkHealth,
    ) -> Vec<Change> {
        let res = match environment {
            Environment::Production => &mut self.production,
            Environment::Demo => &mut self.demo,
        };
        *res.slot(resource) = health;
        let component = match resource {
            Resource::MessagingServer | Resource::ChatServer => Component::ConversationalCloud,
            Resource::BotServer => Component::BotServer,
        };
        let mut changes = Vec::new();
        for c in &mut self.fleet.connectors {
            let depends = c.environment() == environment
                && match resource {
                    Resource::MessagingServer => {
                        c.conversation_type() == ConversationType::Messaging
                    }
                    Resource::ChatServer => c.conversation_type() == ConversationType::Chat,
                    Resource::BotServer => true,
                };
            if !depends || c.reported.is_some() {
                continue;
            }
            if let Some(next) = Lifecycle::observe_component(c, component, health) {
                *c = next.clone();
                changes.push(Change::Connector(Box::new(next)));
            }
        }
        changes
    }

    /// Flips the bot server connection of `count` online connectors, spread over the fleet:
    /// a burst of status changes of a known size, for benchmarks and drills.
    pub fn flip_bot_server_links(&mut self, count: usize) -> Vec<Change> {
        let online: Vec<usize> = (0..self.fleet.connectors.len())
            .filter(|&i| {
                let c = &self.fleet.connectors[i];
                c.state.status() == crate::ConnectorStatus::Online && c.reported.is_none()
            })
            .collect();
        let mut changes = Vec::new();
        let stride = (online.len() / count.max(1)).max(1);
        for &i in online.iter().step_by(stride).take(count) {
            let c = &self.fleet.connectors[i];
            let up = c.state.links().is_some_and(|l| l.bot_server.is_connected());
            let health = if up { LinkHealth::Down } else { LinkHealth::Up };
            if let Some(next) = Lifecycle::observe_component(c, Component::BotServer, health) {
                self.fleet.connectors[i] = next.clone();
                changes.push(Change::Connector(Box::new(next)));
            }
        }
        changes
    }

    /// Lets time pass until `now`: starts that are due settle, and conversation load moves.
    pub fn advance_to(&mut self, now: Millis) -> Vec<Change> {
        let mut changes = Vec::new();
        if now <= self.now {
            return changes;
        }
        self.now = now;
        for id in self.starts.take_due(now) {
            if let Some(i) = self.index_of(id) {
                let seen = self.reachability(&self.fleet.connectors[i]);
                if let Some(next) = Lifecycle::settle(&self.fleet.connectors[i], &seen) {
                    self.fleet.connectors[i] = next.clone();
                    changes.push(Change::Connector(Box::new(next)));
                }
            }
        }
        if self.pcs_start.is_some_and(|at| at <= now) {
            self.pcs_start = None;
            let res = self.resources(Environment::Production);
            let seen = Reachability {
                login: Login::Ok,
                cloud: res.messaging,
                bot_server_up: res.bot_server != LinkHealth::Down,
            };
            let mut pcs = self.fleet.pcs.clone();
            pcs.state = settled_state(ConversationType::Messaging, &seen);
            pcs.version += 1;
            self.fleet.pcs = pcs.clone();
            changes.push(Change::Pcs(Box::new(pcs)));
        }
        changes.extend(self.enforce_login_policy());
        if now >= self.next_load_at {
            // One update however long the gap, so a long absence costs no more than a tick.
            self.next_load_at = now.plus(LOAD_PERIOD_MS);
            changes.extend(self.move_load());
        }
        changes
    }

    /// The periodic load update at once, whenever it is due: what `advance_to` does every
    /// [`LOAD_PERIOD_MS`], for benchmarks and drills.
    pub fn move_load_now(&mut self) -> Vec<Change> {
        self.next_load_at = self.now.plus(LOAD_PERIOD_MS);
        self.move_load()
    }

    /// Each bot's demand drifts; its online connectors share it as evenly as they can.
    /// Stopped connectors keep their in-progress conversations as they are.
    ///
    /// The bots come in id order, as the demands are kept, so the two are read side by side
    /// rather than each bot looked up: at 100,000 connectors (35,000 bots) the update took
    /// 23 to 30 ms natively with a map of the bots and a lookup of each, 7 ms this way (1.4 and
    /// 0.4 ms at 10,000), for the same loads.
    fn move_load(&mut self) -> Vec<Change> {
        let (indices, bots) = self.online_by_bot();
        let mut changes = Vec::with_capacity(indices.len());
        let mut new_bots = Vec::new();
        let mut demands = self.demand.iter_mut().peekable();
        for bot in bots {
            let id = self.fleet.connectors[indices[bot.start]].bot.id.0.as_str();
            while demands.next_if(|(known, _)| *known < id).is_some() {}
            let step = self.rng.below(11) as i64 - 5;
            let drift = |demand: u32| (demand as i64 + step).clamp(0, 400) as u32;
            let demand = match demands.next_if(|(known, _)| *known == id) {
                Some((_, demand)) => {
                    *demand = drift(*demand);
                    *demand
                }
                None => {
                    new_bots.push((id.to_owned(), drift(0)));
                    drift(0)
                }
            };
            share_load(
                &mut self.fleet.connectors,
                &indices[bot],
                demand,
                &mut changes,
            );
        }
        drop(demands);
        self.demand.extend(new_bots);
        changes
    }

    /// The indices of each bot's online connectors, by bot id (a bot's own in the fleet's
    /// order): all of them in one list, and each bot's range of it. A bot's connectors mostly
    /// stand together in the fleet, so the fleet is read as runs of one bot's connectors,
    /// which are put in order only when they are not.
    fn online_by_bot(&self) -> (Vec<usize>, Vec<Range<usize>>) {
        let connectors = &self.fleet.connectors;
        let mut indices: Vec<usize> = Vec::new();
        let mut runs: Vec<Range<usize>> = Vec::new();
        for (i, c) in connectors.iter().enumerate() {
            if !takes_load(c) {
                continue;
            }
            match runs.last_mut() {
                Some(run) if connectors[indices[run.start]].bot.id == c.bot.id => run.end += 1,
                _ => runs.push(indices.len()..indices.len() + 1),
            }
            indices.push(i);
        }
        let bot = |run: &Range<usize>| &connectors[indices[run.start]].bot.id;
        if runs.is_sorted_by(|a, b| bot(a) < bot(b)) {
            return (indices, runs);
        }
        crate::order::sort_by(&mut runs, |a, b| bot(a).cmp(bot(b)));
        let mut sorted = Vec::with_capacity(indices.len());
        let mut bots: Vec<Range<usize>> = Vec::new();
        for run in runs {
            let start = sorted.len();
            sorted.extend_from_slice(&indices[run.clone()]);
            match bots.last_mut() {
                Some(last) if connectors[sorted[last.start]].bot.id == *bot(&run) => {
                    last.end = sorted.len();
                }
                _ => bots.push(start..sorted.len()),
            }
        }
        (sorted, bots)
    }

    /// The indices of `bot`'s online connectors.
    fn online_of(&self, bot: &BotId) -> Vec<usize> {
        let connectors = self.fleet.connectors.iter().enumerate();
        connectors
            .filter(|(_, c)| &c.bot.id == bot && takes_load(c))
            .map(|(i, _)| i)
            .collect()
    }

    /// The concurrent conversations `bot`'s traffic asks for.
    pub fn demand(&self, bot: &BotId) -> u32 {
        self.demand.get(&bot.0).copied().unwrap_or(0)
    }
}

/// Spreads `demand` conversations over the connectors at `indices` as evenly as it goes, and
/// says what changed in `changes`.
fn share_load(
    connectors: &mut [Connector],
    indices: &[usize],
    demand: u32,
    changes: &mut Vec<Change>,
) {
    let n = indices.len().max(1) as u32;
    let (share, extra) = (demand / n, demand % n);
    for (k, &i) in indices.iter().enumerate() {
        let load = share + u32::from((k as u32) < extra);
        let c = &mut connectors[i];
        if c.concurrent_conversations != load {
            c.concurrent_conversations = load;
            c.version += 1;
            changes.push(Change::load_of(c));
        }
    }
}

/// Whether the simulator shares its bot's traffic with `c`: online, and not a real process's
/// (which reports its own load).
fn takes_load(c: &Connector) -> bool {
    c.state.status() == crate::ConnectorStatus::Online && c.reported.is_none()
}

pub mod faults;
mod starts;

#[cfg(test)]
mod tests;
