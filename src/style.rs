//! The app's stylesheet, compiled in: the app carries it into its own root element, so a host
//! page needs one script and nothing else, and unmounting takes the styles with the app.

/// Every stylesheet of `style/`, in cascade order (the reset first).
pub const CSS: &str = concat!(
    include_str!("../style/tokens.css"),
    include_str!("../style/app.css"),
    include_str!("../style/controls.css"),
    include_str!("../style/dashboard.css"),
    include_str!("../style/table.css"),
    include_str!("../style/simulation.css"),
    include_str!("../style/actions.css"),
    include_str!("../style/forms.css"),
);
