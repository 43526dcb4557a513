//! `cargo xtask post-build`: Trunk's post-build hook (`Trunk.toml`). In a release build it
//! shrinks what Trunk staged before it is copied to `dist/`; other builds are left as they are.
//!
//! 1. The module's functions go in the order gzip compresses best (`wasm_order.rs`).
//! 2. wasm-bindgen's JavaScript glue is minified by esbuild (`cargo xtask setup` installs it
//!    into `.tools/`): 11.5 to 8.5 KB gzip. Its exports keep their names, which index.html and
//!    host pages import (see "Embedding" in the README).
//!
//! Both files change after Trunk wrote their `integrity` hashes, so index.html asks Trunk for
//! none (`data-integrity="none"`): a stale hash makes the browser refuse a module preload.

use std::path::{Path, PathBuf};

use crate::run::command;
use crate::wasm_order;

pub fn post_build() -> Result<(), String> {
    if std::env::var("TRUNK_PROFILE").as_deref() != Ok("release") {
        return Ok(());
    }
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("post-build is Trunk's post-build hook: TRUNK_STAGING_DIR is not set")?;
    wasm_order::order_functions(&staging)?;
    minify_glue(&staging)
}

/// The glue beside the staged `NAME_bg.wasm`, `NAME.js`, minified in place.
fn minify_glue(staging: &Path) -> Result<(), String> {
    let wasm = wasm_order::staged_module(staging)?;
    let name = wasm
        .file_name()
        .map(|n| n.to_string_lossy().replace("_bg.wasm", ".js"))
        .ok_or_else(|| format!("{} has no file name", wasm.display()))?;
    let glue = staging.join(name);
    let glue = glue.to_string_lossy();
    command(
        "esbuild",
        &[
            &glue,
            "--minify",
            "--format=esm",
            "--log-level=warning",
            "--allow-overwrite",
            &format!("--outfile={glue}"),
        ],
        &std::env::var_os("PATH").unwrap_or_default(),
    )
}
