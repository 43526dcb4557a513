//! The app's stylesheet, compiled in: the app carries it into its own root element, so a host
//! page needs one script and nothing else, and unmounting takes the styles with the app.

/// Every stylesheet of `style/`, in cascade order (the reset first), minified by `build.rs`.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/style.css"));
