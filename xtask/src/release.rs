//! `cargo xtask post-build`: Trunk's post-build hook (`Trunk.toml`). In a release build it
//! shrinks what Trunk staged before it is copied to `dist/`; other builds are left as they are.
//!
//! 1. The stream classes nothing calls leave the module's exports and the glue
//!    (`stream_exports.rs`).
//! 2. The module's functions go in the order gzip compresses best, and what no export
//!    reaches goes (`wasm_order.rs`).
//! 3. The functions the module imports from the glue get short names, in both files
//!    (`import_names.rs`).
//! 4. wasm-bindgen's JavaScript glue is minified by esbuild (`cargo xtask setup` installs it
//!    into `.tools/`). Its exports keep their names, which index.html and host pages import
//!    (see "Embedding" in the README).
//!
//! Both files change after Trunk wrote their `integrity` hashes, so index.html asks Trunk for
//! none (`data-integrity="none"`): a stale hash makes the browser refuse a module preload.

use std::path::{Path, PathBuf};

use crate::run::command;
use crate::{import_names, stream_exports, wasm_order};

pub fn post_build() -> Result<(), String> {
    if std::env::var("TRUNK_PROFILE").as_deref() != Ok("release") {
        return Ok(());
    }
    let staging = std::env::var_os("TRUNK_STAGING_DIR")
        .map(PathBuf::from)
        .ok_or("post-build is Trunk's post-build hook: TRUNK_STAGING_DIR is not set")?;
    let (wasm, glue) = staged_files(&staging)?;
    stream_exports::drop(&wasm, &glue)?;
    wasm_order::order_functions(&staging)?;
    import_names::shorten(&wasm, &glue)?;
    minify(&glue)
}

/// The staged `NAME_bg.wasm` and its glue beside it, `NAME.js`.
fn staged_files(staging: &Path) -> Result<(PathBuf, PathBuf), String> {
    let wasm = wasm_order::staged_module(staging)?;
    let name = wasm
        .file_name()
        .map(|n| n.to_string_lossy().replace("_bg.wasm", ".js"))
        .ok_or_else(|| format!("{} has no file name", wasm.display()))?;
    let glue = staging.join(name);
    Ok((wasm, glue))
}

/// The JavaScript file `glue`, minified in place.
fn minify(glue: &Path) -> Result<(), String> {
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
    .map_err(|e| {
        format!("{e} (`cargo xtask setup` installs esbuild into .tools/, which must be on PATH)")
    })
}
