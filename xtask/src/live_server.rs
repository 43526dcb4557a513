//! The reference server (`crates/server`) as the browser tests and `cargo xtask live` run it:
//! built by cargo, started on the address asked for, and stopped when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::run::command;
use crate::setup::Tools;

pub struct LiveServer {
    child: Child,
    /// `http://127.0.0.1:PORT`, as the server said it listens.
    pub url: String,
}

impl LiveServer {
    /// Builds the server (`release` or debug) and starts it with `args`; returns once it
    /// listens. Its log lines go to this process's output only when `echo` is set.
    pub fn start(
        tools: &Tools,
        release: bool,
        args: &[&str],
        echo: bool,
    ) -> Result<LiveServer, String> {
        LiveServer::start_binary(tools, "bots-status-server", release, args, echo)
    }

    /// [`LiveServer::start`] of another of the workspace's servers (the package and its
    /// binary share `name`), which says "listening on URL" once it listens.
    pub fn start_binary(
        tools: &Tools,
        name: &str,
        release: bool,
        args: &[&str],
        echo: bool,
    ) -> Result<LiveServer, String> {
        let mut build = vec!["build", "-p", name, "--bin", name];
        if release {
            build.push("--release");
        }
        command("cargo", &build, &tools.path)?;
        let binary = tools
            .root
            .join("target")
            .join(if release { "release" } else { "debug" })
            .join(name);
        let mut child = Command::new(&binary)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or("the server's output cannot be read")?;
        let (found, address) = mpsc::channel();
        // Reads every line, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = found.send(url.trim().to_owned());
                }
                if echo {
                    println!("{line}");
                }
            }
        });
        match address.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => Ok(LiveServer { child, url }),
            Err(_) => {
                let _ = child.kill();
                Err(format!("{name} did not say where it listens within 60 s"))
            }
        }
    }

    /// Waits until the server stops (Ctrl-C).
    pub fn wait(mut self) -> Result<(), String> {
        self.child
            .wait()
            .map(|_| ())
            .map_err(|e| format!("the server: {e}"))
    }
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
