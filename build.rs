//! The app's stylesheet, minified: every file of `style/` in cascade order, without comments
//! and without the whitespace CSS does not read, into `$OUT_DIR/style.css`, which
//! `src/style.rs` compiles in. 7.9 to 6.2 KB gzip. The files joined as they are go to
//! `$OUT_DIR/style.source.css`, where `tests/embed.rs` reads them to check in the browser that
//! both parse to the same rules.

use std::path::Path;

/// Every stylesheet of `style/`, in cascade order (the reset first).
const FILES: [&str; 8] = [
    "tokens.css",
    "app.css",
    "controls.css",
    "dashboard.css",
    "table.css",
    "simulation.css",
    "actions.css",
    "forms.css",
];

fn main() {
    println!("cargo::rerun-if-changed=style");
    let mut css = String::new();
    for file in FILES {
        let path = Path::new("style").join(file);
        match std::fs::read_to_string(&path) {
            Ok(text) => css.push_str(&text),
            Err(e) => panic!("cannot read {}: {e}", path.display()),
        }
        css.push('\n');
    }
    let Some(out) = std::env::var_os("OUT_DIR") else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    for (file, text) in [("style.css", minify(&css)), ("style.source.css", css)] {
        let path = Path::new(&out).join(file);
        if let Err(e) = std::fs::write(&path, text) {
            panic!("cannot write {}: {e}", path.display());
        }
    }
}

/// `css` without its comments, each run of whitespace one space, and none next to the
/// characters that end or separate what CSS reads (`{ } ; >`), nor the `;` before a `}`.
/// Quoted strings are copied as they are, and so is the one space after a comma: the browser
/// keeps a custom property's value as it was written.
fn minify(css: &str) -> String {
    const TIGHT: &[char] = &['{', '}', ';', '>'];
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            let mut last = ' ';
            for inner in chars.by_ref() {
                if last == '*' && inner == '/' {
                    break;
                }
                last = inner;
            }
            space = true;
            continue;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if c == '}' && out.ends_with(';') {
            out.pop();
        }
        if space && !out.is_empty() && !out.ends_with(TIGHT) && !TIGHT.contains(&c) {
            out.push(' ');
        }
        space = false;
        out.push(c);
        if c == '"' || c == '\'' {
            let mut escaped = false;
            for inner in chars.by_ref() {
                out.push(inner);
                if inner == c && !escaped {
                    break;
                }
                escaped = inner == '\\' && !escaped;
            }
        }
    }
    out
}
