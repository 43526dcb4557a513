//! The reference server of the Bots Status live contract (`docs/api.md`).
//!
//! It runs the core's simulator at a chosen speed and serves it over HTTP: every rule is the
//! core's, so it validates exactly as the app does. Every change gets an event id and goes to
//! SQLite before it is acknowledged, so a restart loses nothing a client was told happened,
//! and a client that reconnects with `Last-Event-ID` misses nothing.

mod fleet;
mod persist;
mod routes;
mod stream;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bots_status_core::access::Persona;
use bots_status_core::api::Faults;
use tokio::net::TcpListener;

pub use fleet::Fleet;

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

/// A bearer token and whose rights it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub secret: String,
    pub persona: Persona,
}

impl std::str::FromStr for Token {
    type Err = String;
    /// `SECRET` (an administrator) or `SECRET:admin|developer|none`.
    fn from_str(s: &str) -> Result<Token, String> {
        let (secret, persona) = match s.rsplit_once(':') {
            Some((secret, slug)) => {
                let persona = Persona::ALL
                    .into_iter()
                    .find(|p| p.slug() == slug)
                    .ok_or_else(|| {
                        format!("token role \"{slug}\" must be admin, developer or none")
                    })?;
                (secret, persona)
            }
            None => (s, Persona::Administrator),
        };
        if secret.is_empty() {
            return Err("a token cannot be empty".to_owned());
        }
        Ok(Token {
            secret: secret.to_owned(),
            persona,
        })
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
        }
    }
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub fleet: Arc<Fleet>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Opens (or creates) the state and serves on `listener` until dropped or stopped.
    pub async fn start(config: Config, listener: TcpListener) -> Result<Server, String> {
        let addr = listener
            .local_addr()
            .map_err(|e| format!("cannot read the listening address: {e}"))?;
        let fleet = Arc::new(Fleet::open(&config)?);
        let router = routes::router(fleet.clone(), &config)?;
        let ticking = fleet.clone();
        let tick = config.tick;
        let task = tokio::spawn(async move {
            let mut interval = tokio::time::interval(tick);
            let serving = axum::serve(listener, router);
            tokio::select! {
                result = serving => {
                    if let Err(e) = result {
                        tracing::error!(error = %e, "the server stopped");
                    }
                }
                () = async {
                    loop {
                        interval.tick().await;
                        ticking.tick();
                    }
                } => {}
            }
        });
        Ok(Server { addr, fleet, task })
    }

    /// Stops serving; what was acknowledged is in SQLite already.
    pub async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
        self.fleet.close_streams();
    }

    /// Waits until the server stops by itself (it does not, unless it fails).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}
