//! `cargo xtask post-build`: Trunk's post-build hook (`Trunk.toml`). In a release build it
//! shrinks what Trunk staged before it is copied to `dist/`; other builds are left as they are.
//!
//! 1. The stream classes nothing calls leave the module's exports and the glue
//!    (`stream_exports.rs`).
//! 2. The module's functions go in the order gzip compresses best, and what no export
//!    reaches goes (`wasm_order.rs`).
//! 3. The functions the module imports from the glue get short names, in both files
//!    (`import_names.rs`).
//! 4. wasm-bindgen's JavaScript glue and the snippets beside it are minified by esbuild
//!    (`cargo xtask setup` installs it into `.tools/`). Their exports keep their names, which
//!    index.html and host pages import (see "Embedding" in the README).
//! 5. index.html loses its comments, which are for whoever edits it, and the blank lines
//!    they leave: 0.3 KB of the download.
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
    minify(&glue)?;
    for snippet in snippets(&staging.join("snippets"))? {
        minify(&snippet)?;
    }
    let page = staging.join("index.html");
    let html = std::fs::read_to_string(&page)
        .map_err(|e| format!("cannot read {}: {e}", page.display()))?;
    std::fs::write(&page, without_comments(&html))
        .map_err(|e| format!("cannot write {}: {e}", page.display()))
}

/// Every JavaScript file under `dir` (wasm-bindgen's snippets: one folder per crate), if
/// there is such a folder.
fn snippets(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = crate::run::files_under(dir)?;
    files.retain(|path| path.extension().is_some_and(|e| e == "js"));
    Ok(files)
}

/// `html` without its comments (`<!-- … -->`) and without the blank lines. An unclosed
/// comment runs to the end, as in a browser. It reads no markup, so it is for a page like
/// ours, with no `<!--` in a script and no `pre` or `textarea` whose blank lines matter.
fn without_comments(html: &str) -> String {
    let mut kept = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        kept.push_str(&rest[..start]);
        rest = rest[start + 4..]
            .find("-->")
            .map_or("", |end| &rest[start + 4 + end + 3..]);
    }
    kept.push_str(rest);
    let mut out = String::with_capacity(kept.len());
    for line in kept.lines().filter(|l| !l.trim().is_empty()) {
        out.push_str(line);
        out.push('\n');
    }
    out
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

/// The JavaScript file `glue` (an ES module), minified in place.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_keeps_everything_but_its_comments_and_blank_lines() {
        let html = "<head>\n  <!-- one\n  two -->\n  <title>A <!-- x --> B</title>\n\n  <p>--></p>\n</head>\n";
        assert_eq!(
            without_comments(html),
            "<head>\n  <title>A  B</title>\n  <p>--></p>\n</head>\n"
        );
        assert_eq!(without_comments("<p>a</p><!-- never closed"), "<p>a</p>\n");
        assert_eq!(without_comments("<p>a</p>"), "<p>a</p>\n");
    }
}
