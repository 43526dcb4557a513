//! UI components, one idea each.

pub mod access_denied;
pub mod actions;
pub mod chart;
pub mod choice;
pub mod connection;
pub mod connector_form;
pub mod copy_details;
pub mod dialog;
pub mod drift;
pub mod environment_picker;
pub mod faults;
pub mod field;
pub mod filters;
pub mod legend;
pub mod metrics_bar;
pub mod notices;
pub mod problems;
pub mod shortcuts;
pub mod simulation;
pub mod status_badge;
pub mod timeline;
pub mod toasts;
pub mod training;
pub mod view_controls;
pub mod when;
