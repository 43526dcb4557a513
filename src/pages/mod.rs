//! One module per page: each builds its own controller (what it derives from the store and
//! what its controls open) and composes components over it. `App` only chooses which page
//! shows.

pub mod agents;
pub mod dashboard;
pub mod events;
pub mod pcs;
