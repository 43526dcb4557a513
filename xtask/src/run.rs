//! Running commands with the project's tool PATH, and reading their versions.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Every file under `dir`, at any depth, in no particular order.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?
    {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            files.extend(files_under(&path)?);
        } else {
            files.push(path);
        }
    }
    Ok(files)
}

/// Runs `program args` with `path` as PATH, inheriting stdio; fails on a non-zero exit.
pub fn command(program: &str, args: &[&str], path: &OsString) -> Result<(), String> {
    command_with_env(program, args, path, &[])
}

pub fn command_with_env(
    program: &str,
    args: &[&str],
    path: &OsString,
    env: &[(&str, &str)],
) -> Result<(), String> {
    let mut cmd = Command::new(program);
    cmd.args(args).env("PATH", path);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("could not run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// The first line a program prints for `args` (e.g. `--version`), if it runs at all.
pub fn output_line(program: &str, args: &[&str], path: &OsString) -> Option<String> {
    output_lines(program, args, path)?.into_iter().next()
}

/// Every line (trimmed) a program prints for `args`, if it runs and succeeds.
pub fn output_lines(program: &str, args: &[&str], path: &OsString) -> Option<Vec<String>> {
    let out = Command::new(program)
        .args(args)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_owned())
            .collect(),
    )
}
