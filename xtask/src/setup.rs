//! `cargo xtask setup`: installs what the project needs, and only what is missing.
//!
//! Each tool is checked at the version the project needs before anything is installed, so a
//! second run takes seconds. Installs go through the ordinary registries only: rustup for the
//! wasm target, cargo for trunk and wasm-bindgen-cli, npm for binaryen's wasm-opt, esbuild and
//! the test tools (into `.tools/`), apt for Chromium and chromedriver.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::run::{command, command_with_env, output_line, output_lines};

/// trunk 0.22 needs a newer rustc than the project's pinned 1.95.
const TRUNK_VERSION: &str = "0.21.14";
/// Must match `[tools] wasm_opt` in Trunk.toml. npm's binaryen runs anywhere node does, and its
/// output loads in Chromium (Debian's binaryen 108 produces modules that fail to instantiate).
const BINARYEN_VERSION: &str = "132";
/// axe-core, the accessibility checker the browser tests inject into their page.
const AXE_VERSION: &str = "4.14.1";
/// esbuild, which minifies the release build's JavaScript glue (`release.rs`).
const ESBUILD_VERSION: &str = "0.28.2";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Where the tools are, for the commands that use them.
pub struct Tools {
    pub root: PathBuf,
    /// PATH with `.tools/node_modules/.bin` and cargo's bin directory in front.
    pub path: OsString,
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

pub fn project_root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

pub fn setup() -> Result<Tools, String> {
    let started = Instant::now();
    let root = project_root();
    let path = tool_path(&root)?;
    wasm_target(&path)?;
    trunk(&path)?;
    wasm_bindgen(&root, &path)?;
    wasm_opt(&root, &path)?;
    npm_tools(&root, &path)?;
    node_connector(&root, &path)?;
    let (chromium, chromedriver) = chromium(&path)?;
    println!("setup: ready in {:.1}s", started.elapsed().as_secs_f64());
    Ok(Tools {
        root,
        path,
        chromium,
        chromedriver,
    })
}

fn tool_path(root: &Path) -> Result<OsString, String> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin"));
    let mut dirs = vec![root.join(".tools/node_modules/.bin")];
    dirs.extend(cargo_bin);
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).map_err(|e| format!("bad PATH: {e}"))
}

fn ok(tool: &str, version: &str) {
    println!("setup: {tool} {version} is installed");
}

fn installing(tool: &str, how: &str) {
    println!("setup: installing {tool} ({how}); a cold install can take several minutes");
}

fn wasm_target(path: &OsString) -> Result<(), String> {
    let installed =
        output_lines("rustup", &["target", "list", "--installed"], path).unwrap_or_default();
    if installed.iter().any(|t| t == WASM_TARGET) {
        ok("Rust target", WASM_TARGET);
        return Ok(());
    }
    installing(WASM_TARGET, "rustup target add");
    command("rustup", &["target", "add", WASM_TARGET], path)
}

fn trunk(path: &OsString) -> Result<(), String> {
    let minor = TRUNK_VERSION
        .rsplit_once('.')
        .map_or(TRUNK_VERSION, |(m, _)| m);
    if let Some(v) = output_line("trunk", &["--version"], path)
        && v.starts_with(&format!("trunk {minor}."))
    {
        ok("trunk", v.trim_start_matches("trunk "));
        return Ok(());
    }
    installing("trunk", "cargo install");
    cargo_install("trunk", TRUNK_VERSION, path)
}

fn cargo_install(krate: &str, version: &str, path: &OsString) -> Result<(), String> {
    let locked = command(
        "cargo",
        &["install", krate, "--version", version, "--locked"],
        path,
    );
    if locked.is_ok() {
        return locked;
    }
    // A locked install fails when the registry lacks one pinned dependency version.
    println!("setup: retrying {krate} without --locked");
    command("cargo", &["install", krate, "--version", version], path)
}

/// The version of `name` that Cargo.lock pins.
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim();
            return version
                .strip_prefix("version = \"")?
                .strip_suffix('"')
                .map(str::to_owned);
        }
    }
    None
}

fn wasm_bindgen(root: &Path, path: &OsString) -> Result<(), String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let version =
        locked_version(&lock, "wasm-bindgen").ok_or("Cargo.lock has no wasm-bindgen entry")?;
    let want = format!("wasm-bindgen {version}");
    let have = output_line("wasm-bindgen", &["--version"], path);
    let runner = output_line("wasm-bindgen-test-runner", &["--version"], path);
    if have.as_deref() == Some(want.as_str()) && runner.is_some_and(|r| r.ends_with(&version)) {
        ok("wasm-bindgen-cli", &version);
        return Ok(());
    }
    installing(
        &format!("wasm-bindgen-cli {version}"),
        "cargo install, without --locked",
    );
    // `--locked` fails here: the registry lacks one of its locked dependency versions.
    command(
        "cargo",
        &[
            "install",
            "wasm-bindgen-cli",
            "--version",
            &version,
            "--force",
        ],
        path,
    )
}

fn wasm_opt(root: &Path, path: &OsString) -> Result<(), String> {
    let want = format!("wasm-opt version {BINARYEN_VERSION}");
    let local = root.join(".tools/node_modules/.bin/wasm-opt");
    if output_line(&local.to_string_lossy(), &["--version"], path)
        .is_some_and(|v| v.starts_with(&want))
    {
        ok("wasm-opt", BINARYEN_VERSION);
        return Ok(());
    }
    if output_line("npm", &["--version"], path).is_none() {
        apt_install(
            &["nodejs", "npm"],
            "Node.js and npm (to install wasm-opt)",
            path,
        )?;
    }
    installing(
        &format!("wasm-opt {BINARYEN_VERSION}"),
        "npm package binaryen into .tools/",
    );
    npm_install(root, &format!("binaryen@{BINARYEN_VERSION}.0.0"), path)
}

/// Installs the npm `package` (`name@version`) into `.tools/`.
fn npm_install(root: &Path, package: &str, path: &OsString) -> Result<(), String> {
    let tools = root.join(".tools");
    std::fs::create_dir_all(&tools).map_err(|e| format!("cannot create .tools/: {e}"))?;
    command(
        "npm",
        &[
            "install",
            "--prefix",
            &tools.to_string_lossy(),
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            package,
        ],
        path,
    )
}

/// npm's axe-core, which the browser tests inject into their page (`tests/views.rs`), and
/// esbuild, which the release build's post-build hook runs (`release.rs`), into `.tools/`.
fn npm_tools(root: &Path, path: &OsString) -> Result<(), String> {
    npm_packages(
        root,
        &[("axe-core", AXE_VERSION), ("esbuild", ESBUILD_VERSION)],
        "npm packages of the browser tests and the release build into .tools/",
        path,
    )
}

/// The Node.js connector example's packages (`examples/connector-node/package.json`), into
/// `.tools/`, where its test finds them (`NODE_PATH`).
pub const NODE_CONNECTOR_PACKAGES: [(&str, &str); 2] = [("ws", "8.18.3"), ("eventsource", "2.0.2")];

fn node_connector(root: &Path, path: &OsString) -> Result<(), String> {
    npm_packages(
        root,
        &NODE_CONNECTOR_PACKAGES,
        "npm packages of examples/connector-node into .tools/",
        path,
    )
}

/// Installs into `.tools/` each of `packages` (name, version) not already there at its
/// version.
fn npm_packages(
    root: &Path,
    packages: &[(&str, &str)],
    why: &str,
    path: &OsString,
) -> Result<(), String> {
    let modules = root.join(".tools/node_modules");
    let missing: Vec<String> = packages
        .iter()
        .filter(|(name, version)| {
            let manifest = modules.join(name).join("package.json");
            !std::fs::read_to_string(&manifest)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .is_some_and(|v| v["version"] == *version)
        })
        .map(|(name, version)| format!("{name}@{version}"))
        .collect();
    if missing.is_empty() {
        let installed: Vec<String> = packages.iter().map(|(n, v)| format!("{n} {v}")).collect();
        println!("setup: {} installed", installed.join(", "));
        return Ok(());
    }
    installing(&missing.join(", "), why);
    for package in &missing {
        npm_install(root, package, path)?;
    }
    Ok(())
}

fn chromium(path: &OsString) -> Result<(PathBuf, PathBuf), String> {
    let find = || {
        let browser = output_line("chromium", &["--version"], path);
        let driver = output_line("chromedriver", &["--version"], path);
        browser.zip(driver)
    };
    if find().is_none() {
        apt_install(
            &["chromium", "chromium-driver"],
            "Chromium and chromedriver",
            path,
        )?;
    }
    let (browser, driver) =
        find().ok_or("Chromium or chromedriver still does not run after installing")?;
    let major = |v: &str| {
        v.split_whitespace()
            .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .and_then(|w| w.split('.').next())
            .map(str::to_owned)
    };
    if major(&browser) != major(&driver) {
        return Err(format!(
            "Chromium and chromedriver differ in major version ({browser} / {driver}): install matching ones (apt-get install chromium chromium-driver)"
        ));
    }
    ok("Chromium", &browser);
    Ok((which("chromium", path)?, which("chromedriver", path)?))
}

fn which(program: &str, path: &OsString) -> Result<PathBuf, String> {
    std::env::split_paths(path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| format!("{program} is not on PATH"))
}

fn is_root() -> bool {
    output_line("id", &["-u"], &std::env::var_os("PATH").unwrap_or_default()).as_deref()
        == Some("0")
}

fn apt_install(packages: &[&str], what: &str, path: &OsString) -> Result<(), String> {
    if !is_root() {
        return Err(format!(
            "{what} are missing. Install them with: sudo apt-get install {}",
            packages.join(" ")
        ));
    }
    installing(what, "apt-get");
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    command_with_env("apt-get", &["update", "-qq"], path, &env)?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend_from_slice(packages);
    command_with_env("apt-get", &args, path, &env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_locked_version_of_a_package() {
        let lock = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n[[package]]\nname = \"wasm-bindgen-test\"\nversion = \"0.3.80\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            locked_version(lock, "wasm-bindgen-test").as_deref(),
            Some("0.3.80")
        );
        assert_eq!(locked_version(lock, "trunk"), None);
    }
}
