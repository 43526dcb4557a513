//! `bots-status-connector`: the reference connector process of the connector protocol
//! (`docs/connector-protocol.md`).
//!
//! It follows its connector's desired state from the control plane's order stream, holds a
//! WebSocket to the messaging server (Messaging connectors) or polls the chat server (Chat
//! connectors), checks the bot server over HTTP, counts the conversations it is assigned, and
//! reports what it finds at every change and every heartbeat. A refused connection is retried
//! with exponential backoff and jitter; a refused login (401, or the login policy's lockout)
//! waits for a restart, as does a dropped messaging connection, as the spec says. On Stop it
//! closes its connections and leaves the conversations in progress as they are.

mod control;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

/// Follows a Bots Status connector's orders and reports its real statuses.
#[derive(Parser, Debug, Clone)]
#[command(version, about)]
pub struct Args {
    /// The control plane (the Bots Status server), e.g. http://127.0.0.1:8787.
    #[arg(long, env = "BOTS_STATUS_CONTROL_PLANE")]
    control_plane: String,
    /// The connector token (bsc_…) an administrator issued for this connector. Arguments show
    /// in `ps`: prefer --token-file or the environment variable.
    #[arg(long, env = "BOTS_STATUS_CONNECTOR_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// A file holding the connector token.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// The messaging server's WebSocket URL (Messaging connectors); the agent user ID is
    /// added as ?agent=.
    #[arg(long, default_value = "ws://127.0.0.1:8790/messaging")]
    messaging_url: String,
    /// The chat server's URL (Chat connectors), polled every heartbeat.
    #[arg(long, default_value = "http://127.0.0.1:8790/chat")]
    chat_url: String,
    /// The bot server's health URL, checked every heartbeat.
    #[arg(long, default_value = "http://127.0.0.1:8790/bot")]
    bot_server_url: String,
    /// The longest wait between two tries of a refused connection, in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    max_backoff_ms: u64,
}

impl Args {
    fn token(&self) -> Result<String, String> {
        let token = match (&self.token, &self.token_file) {
            (_, Some(file)) => std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?,
            (Some(token), None) => token.clone(),
            (None, None) => {
                return Err(
                    "no connector token: give --token-file, BOTS_STATUS_CONNECTOR_TOKEN or --token"
                        .to_owned(),
                );
            }
        };
        let token = token.trim().to_owned();
        if !token.starts_with("bsc_") {
            return Err("a connector token starts with bsc_ (POST /api/v1/connectors/{id}/token issues one)".to_owned());
        }
        Ok(token)
    }

    pub fn max_backoff(&self) -> Duration {
        Duration::from_millis(self.max_backoff_ms.max(100))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let token = match args.token() {
        Ok(token) => token,
        Err(e) => {
            eprintln!("bots-status-connector: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = tokio::select! {
        outcome = control::follow(args, token) => outcome,
        _ = tokio::signal::ctrl_c() => Ok("interrupted".to_owned()),
    };
    match outcome {
        Ok(why) => {
            eprintln!("bots-status-connector: {why}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bots-status-connector: {e}");
            ExitCode::from(2)
        }
    }
}
