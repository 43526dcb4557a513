//! The reference server of the Bots Status live contract (`docs/api.md`).
//!
//! It runs the core's simulator at a chosen speed and serves it over HTTP: every rule is the
//! core's, so it validates exactly as the app does. Every change gets an event id and goes to
//! SQLite before it is acknowledged, so a restart loses nothing a client was told happened,
//! and a client that reconnects with `Last-Event-ID` misses nothing.

mod alerts;
mod audit;
mod fleet;
mod log;
mod metrics;
pub mod openapi;
mod persist;
mod processes;
mod routes;
mod serve;
mod stream;
mod writer;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bots_status_core::access::Persona;
use bots_status_core::api::Faults;
use tokio::net::TcpListener;

pub use alerts::Webhooks;
pub use audit::Keep;
use fleet::Fleet;
pub use log::Retention;
pub use routes::{MAX_LATENCY_MS, check_faults};
pub use serve::Limits;

/// How simulated time runs against the wall clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    Times(u32),
    /// Every pending start completes at the next tick.
    Instant,
}

impl std::str::FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Speed, String> {
        match s {
            "instant" => Ok(Speed::Instant),
            n => n
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=3600).contains(n))
                .map(Speed::Times)
                .ok_or_else(|| {
                    format!("speed \"{s}\" must be a factor from 1 to 3600, or \"instant\"")
                }),
        }
    }
}

/// A bearer token, whose rights it carries, and whose it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub secret: String,
    pub persona: Persona,
    /// The person or system behind it: the history names them as the actor of what they did.
    pub name: Option<String>,
}

/// The longest name a token may carry.
pub const TOKEN_NAME_MAX: usize = 60;

fn role(slug: &str) -> Option<Persona> {
    Persona::ALL.into_iter().find(|p| p.slug() == slug)
}

impl std::str::FromStr for Token {
    type Err = String;
    /// `SECRET` (an administrator), `SECRET:admin|developer|none`, or
    /// `SECRET:admin|developer|none:NAME`.
    fn from_str(s: &str) -> Result<Token, String> {
        let wrong = |slug: &str| {
            format!(
                "token role \"{slug}\" must be admin, developer or none (a name comes after the role: SECRET:admin:ana)"
            )
        };
        let (secret, persona, name) = match s.rsplit_once(':') {
            None => (s, Persona::Administrator, None),
            Some((secret, last)) => match (role(last), secret.rsplit_once(':')) {
                (Some(persona), _) => (secret, persona, None),
                (None, Some((secret, slug))) => {
                    (secret, role(slug).ok_or_else(|| wrong(slug))?, Some(last))
                }
                (None, None) => return Err(wrong(last)),
            },
        };
        if secret.is_empty() {
            return Err("a token cannot be empty".to_owned());
        }
        if let Some(name) = name {
            let name = name.trim();
            if name.is_empty()
                || name.chars().count() > TOKEN_NAME_MAX
                || name.chars().any(char::is_control)
            {
                return Err(format!(
                    "a token's name must be 1 to {TOKEN_NAME_MAX} characters, without control characters"
                ));
            }
        }
        Ok(Token {
            secret: secret.to_owned(),
            persona,
            name: name.map(|n| n.trim().to_owned()),
        })
    }
}

/// Who makes a request: the rights of their token, and what the history calls them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    pub persona: Persona,
    /// The token's name, if it has one.
    pub name: Option<String>,
    /// The token's name, "unnamed developer token", or "local" without tokens.
    pub actor: String,
}

impl Caller {
    /// Everyone, on a server without tokens (loopback only).
    pub fn local() -> Caller {
        Caller {
            persona: Persona::Administrator,
            name: None,
            actor: "local".to_owned(),
        }
    }

    pub fn of(token: &Token) -> Caller {
        Caller {
            persona: token.persona,
            name: token.name.clone(),
            actor: token
                .name
                .clone()
                .unwrap_or_else(|| format!("unnamed {} token", token.persona.slug())),
        }
    }
}

impl Token {
    /// The tokens of a token file or of `BOTS_STATUS_TOKENS`: one `SECRET[:role]` per line (or
    /// separated by commas or spaces); blank lines and lines starting with `#` are skipped.
    /// `origin` names where they came from in an error.
    pub fn parse_list(text: &str, origin: &str) -> Result<Vec<Token>, String> {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .flat_map(|line| line.split([',', ' ', '\t']))
            .filter(|item| !item.is_empty())
            .map(|item| item.parse().map_err(|e| format!("{origin}: {e}")))
            .collect()
    }

    /// The tokens of `path` (`--token-file`).
    pub fn read_file(path: &Path) -> Result<Vec<Token>, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?;
        Token::parse_list(&text, &path.display().to_string())
    }
}

/// Everything the server is started with.
#[derive(Clone, Debug)]
pub struct Config {
    /// The SQLite file; `None` keeps the state in memory.
    pub db: Option<PathBuf>,
    pub seed: u64,
    pub fleet: usize,
    pub speed: Speed,
    /// With no token, every request is an administrator's (for local runs only).
    pub tokens: Vec<Token>,
    /// Origins allowed to call the API from a browser; `*` allows any.
    pub cors: Vec<String>,
    /// Built app to serve at `/` (trunk's `dist/`).
    pub static_dir: Option<PathBuf>,
    pub faults: Faults,
    /// How often simulated time moves on.
    pub tick: Duration,
    /// Replace the fleet `db` holds with a new one (only an absent file makes one otherwise).
    pub new_fleet: bool,
    /// How long a write waits for a database lock held by another process; then 503.
    pub busy_timeout: Duration,
    /// The most the database file may grow to; a write past it answers 503.
    pub max_db_bytes: Option<u64>,
    /// How much of the past is kept for streams that resume.
    pub retention: Retention,
    /// Connections: how many, and how long each may wait or sit idle.
    pub limits: Limits,
    /// Where alerts about Production are posted.
    pub webhooks: Webhooks,
    /// How much of the history (status changes and actions) is kept.
    pub history: Keep,
    /// How often a real connector process reports when nothing changes; three missed make
    /// its connector Not Connected.
    pub heartbeat: Duration,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            db: None,
            seed: 2026,
            fleet: 60,
            speed: Speed::Times(1),
            tokens: Vec::new(),
            cors: Vec::new(),
            static_dir: None,
            faults: Faults::default(),
            tick: Duration::from_millis(1000),
            new_fleet: false,
            busy_timeout: Duration::from_millis(250),
            max_db_bytes: None,
            retention: Retention::default(),
            limits: Limits::default(),
            webhooks: Webhooks::default(),
            history: Keep::default(),
            heartbeat: Duration::from_millis(bots_status_core::protocol::HEARTBEAT_MS),
        }
    }
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    fleet: Arc<Fleet>,
    task: tokio::task::JoinHandle<()>,
    alerts: Vec<tokio::task::JoinHandle<()>>,
}

/// Whether a server on `addr` may run with `tokens`: without any, every request is an
/// administrator's, which is safe on loopback only.
pub fn check_listen(addr: &SocketAddr, tokens: &[Token]) -> Result<(), String> {
    if tokens.is_empty() && !addr.ip().is_loopback() {
        return Err(format!(
            "{addr} is reachable from other machines, and without a token anyone there could change the fleet. Give --token (or --token-file, or BOTS_STATUS_TOKENS), or listen on 127.0.0.1."
        ));
    }
    Ok(())
}

impl Server {
    /// Opens (or creates) the state and serves on `listener` until dropped or stopped.
    pub async fn start(config: Config, listener: TcpListener) -> Result<Server, String> {
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        check_listen(&addr, &config.tokens)?;
        config.webhooks.check()?;
        let fleet = Arc::new(Fleet::open(&config)?);
        let router = routes::router(fleet.clone(), &config)?;
        let ticking = fleet.clone();
        let tick = config.tick;
        let limits = config.limits;
        let task = tokio::spawn(async move {
            // The first tick comes one period after the start, not at once.
            let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + tick, tick);
            tokio::select! {
                () = serve::serve(listener, router, limits) => {}
                () = async {
                    loop {
                        interval.tick().await;
                        ticking.tick();
                    }
                } => {}
            }
        });
        let alerts = alerts::start(fleet.clone(), &config.webhooks);
        Ok(Server {
            addr,
            fleet,
            task,
            alerts,
        })
    }

    /// Stops serving and waits for the writer to finish what it was doing: what was
    /// acknowledged is in SQLite, and the database is closed.
    pub async fn stop(self) {
        self.task.abort();
        for task in &self.alerts {
            task.abort();
        }
        let writer = self.fleet.close();
        if let Some(writer) = writer {
            let _ = tokio::task::spawn_blocking(move || writer.join()).await;
        }
    }

    /// Waits until the server stops by itself (it does not, unless it fails).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
        for task in &self.alerts {
            task.abort();
        }
        let _ = self.fleet.close();
    }
}
