//! The Bots Status domain.
//!
//! Everything the product knows about bot agent connectors lives here: the connector and its
//! settings ([`model`]), the three status dimensions with their spec descriptions ([`status`]),
//! which action is allowed in which state and what it leads to ([`lifecycle`]), the custom
//! configuration fields and their validation ([`config`]), the add/edit form rules
//! ([`settings`]), bulk-action plans over a selection ([`bulk`]), failover and capacity advice
//! ([`advice`]) and what an action would do to them ([`impact`]), the problems of Production to alert on ([`alerts`]), dashboard metrics ([`metrics`]), the table's filter/sort/search model
//! ([`query`]) with its columns and saved views ([`views`]) and checkbox selection ([`selection`]), the troubleshooting catalog ([`troubleshooting`]), permissions ([`access`]),
//! the size limits of everything a user sends ([`limits`]),
//! the live client's decisions ([`live`]) and the HTTP contract's bodies ([`api`]),
//! the PCS connector ([`pcs`]), the rules of real connector processes ([`protocol`]), a seeded sample fleet ([`fleet`]) and a deterministic simulator
//! of that fleet over time ([`simulator`]), with the failures a trainer injects; the history of
//! status changes behind timelines and the event log ([`history`]) and the durable record the
//! live API pages through ([`audit`]), and training scenarios
//! ([`training`]).
//!
//! This crate must never do I/O, read a clock or draw randomness of its own, and must never
//! depend on wasm or a UI framework: time arrives as [`model::Millis`] and randomness as a seed.
//! The web app, its simulated backend and the reference server all call it, so they all hold
//! the same rules.

pub mod access;
pub mod advice;
pub mod alerts;
pub mod api;
pub mod audit;
pub mod bulk;
pub mod caseless;
pub mod config;
pub mod fleet;
pub mod history;
pub mod impact;
pub mod json;
pub mod lifecycle;
pub mod limits;
pub mod live;
pub mod metrics;
pub mod model;
pub mod order;
pub mod pcs;
pub mod protocol;
pub mod query;
pub mod selection;
pub mod settings;
pub mod simulator;
pub mod status;
mod tagged;
pub mod training;
pub mod troubleshooting;
pub mod views;
pub mod words;

pub use lifecycle::{Action, Lifecycle, Refused};
pub use model::{Connector, ConnectorSettings, ConversationType, Environment, Role};
pub use status::{ConnectorState, ConnectorStatus};
