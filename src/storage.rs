//! The browser's localStorage, where the app keeps what outlasts a visit: the preferences
//! ([`crate::prefs`]), the saved simulation and the remembered live connection. Each keeper
//! says in its own words why a write was refused.

/// This page's localStorage, if the browser gives it one.
pub fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What is kept under `key`, if anything (and the storage can be read).
pub fn read(key: &str) -> Option<String> {
    local()?.get_item(key).ok()?
}
