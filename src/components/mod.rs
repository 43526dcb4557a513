//! UI components, one idea each.

pub mod dashboard;
pub mod environment_picker;
