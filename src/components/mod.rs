//! UI components, one idea each.

pub mod access_denied;
pub mod actions;
pub mod agents;
pub mod chart;
pub mod choice;
pub mod connection;
pub mod connector_form;
pub mod dashboard;
pub mod details;
pub mod dialog;
pub mod environment_picker;
pub mod event_log;
pub mod faults;
pub mod filters;
pub mod legend;
pub mod metrics_bar;
pub mod notices;
pub mod pcs;
pub mod simulation;
pub mod status_badge;
pub mod table;
pub mod timeline;
pub mod toasts;
pub mod training;
