//! `bots-status-server`: the reference server of the Bots Status live contract.

use std::path::PathBuf;

use bots_status_core::api::Faults;
use bots_status_core::limits::MAX_CONNECTORS;
use bots_status_server::{Config, Keep, Limits, Server, Speed, Token, Webhooks};
use clap::Parser;

/// Serves a simulated fleet over the Bots Status HTTP contract (docs/api.md).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: String,
    /// SQLite file for the state; without it the state lives in memory only.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Seed of a new fleet (same seed, same fleet).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Connectors in a new fleet; 0 starts with none, for real connectors added through the
    /// API or the app (docs/connector-protocol.md).
    #[arg(long, default_value_t = 60)]
    fleet: usize,
    /// Simulated time against the wall clock: a factor (1, 10, 60…) or "instant".
    #[arg(long, default_value = "1")]
    speed: Speed,
    /// A bearer token, "SECRET" (administrator), "SECRET:admin|developer|none", or with the
    /// name the history gives its actions, "SECRET:admin:ana"; repeatable.
    /// Arguments show in `ps`: prefer --token-file or BOTS_STATUS_TOKENS. Without any token,
    /// every request is an administrator's, and the server listens on loopback only.
    #[arg(long = "token")]
    tokens: Vec<Token>,
    /// A file of tokens, one "SECRET[:role[:name]]" per line ("#" starts a comment).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Replace the fleet the --db file holds with a new one. Without it a new fleet is made
    /// only in a file that does not exist yet; a damaged or partial file is refused.
    #[arg(long)]
    new_fleet: bool,
    /// The most the --db file may grow to, in megabytes; writes past it answer 503.
    #[arg(long)]
    max_db_mb: Option<u64>,
    /// Open connections at most (default: what the open-file limit allows, up to 4096).
    #[arg(long)]
    max_connections: Option<usize>,
    /// An origin allowed to call the API from a browser (an embedding host), or "*"; repeatable.
    #[arg(long = "cors-origin")]
    cors: Vec<String>,
    /// The built app (trunk's dist/) to serve at /.
    #[arg(long)]
    static_dir: Option<PathBuf>,
    /// Fault mode: milliseconds added to every API answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Fault mode: the share of API requests (0 to 1) answered 503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Fault mode: close each event stream after this many events.
    #[arg(long)]
    drop_streams_after: Option<u32>,
    /// Post an alert to this URL (http:// or https://) when a Production connector goes Not
    /// Connected, a bot has fewer than two online Production connectors, or more than 50
    /// conversations per online one, and again when each recovers; repeatable.
    #[arg(long = "webhook")]
    webhooks: Vec<String>,
    /// A file holding the secret that signs each webhook body (X-Bots-Status-Signature:
    /// sha256=HMAC), or the environment variable BOTS_STATUS_WEBHOOK_SECRET.
    #[arg(long)]
    webhook_secret_file: Option<PathBuf>,
    /// Days of history (status changes and actions) kept; older entries are pruned as new
    /// ones are written.
    #[arg(long, default_value_t = 30)]
    history_days: u64,
    /// The most the history may hold, in megabytes; the oldest entries go first.
    #[arg(long, default_value_t = 256)]
    history_max_mb: u64,
    /// How often a real connector process reports when nothing changes, in milliseconds
    /// (100 to 600000); after three missed heartbeats its connector is Not Connected.
    #[arg(long, default_value_t = bots_status_core::protocol::HEARTBEAT_MS)]
    heartbeat_ms: u64,
    /// Logs as JSON lines instead of text.
    #[arg(long)]
    log_json: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if args.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    if let Err(e) = run(args).await {
        eprintln!("bots-status-server: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let faults = Faults {
        latency_ms: args.latency_ms,
        error_rate: args.error_rate,
        drop_streams_after: args.drop_streams_after,
    };
    bots_status_server::check_faults(&faults).map_err(|e| {
        format!(
            "--{}: {}",
            if e.field.as_deref() == Some("latencyMs") {
                "latency-ms"
            } else {
                "error-rate"
            },
            e.message
        )
    })?;
    if args.fleet > MAX_CONNECTORS {
        return Err(format!(
            "--fleet {} is more than the {MAX_CONNECTORS} connectors a fleet holds",
            args.fleet
        ));
    }
    if args.history_days == 0 || args.history_max_mb == 0 {
        return Err(
            "--history-days and --history-max-mb must be at least 1 (a history of nothing would be pruned as it is written)"
                .to_owned(),
        );
    }
    if !(100..=600_000).contains(&args.heartbeat_ms) {
        return Err(format!(
            "--heartbeat-ms {} must be from 100 to 600000 (ten minutes)",
            args.heartbeat_ms
        ));
    }
    let mut tokens = args.tokens;
    if let Some(file) = &args.token_file {
        tokens.extend(Token::read_file(file)?);
    }
    if let Ok(list) = std::env::var("BOTS_STATUS_TOKENS") {
        tokens.extend(Token::parse_list(&list, "BOTS_STATUS_TOKENS")?);
    }
    if tokens.is_empty() {
        tracing::warn!("no token given: every request is an administrator's (loopback only)");
    }
    let secret = match &args.webhook_secret_file {
        Some(file) => Some(
            std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?
                .trim()
                .to_owned(),
        ),
        None => std::env::var("BOTS_STATUS_WEBHOOK_SECRET").ok(),
    };
    let config = Config {
        db: args.db,
        seed: args.seed,
        fleet: args.fleet,
        speed: args.speed,
        tokens,
        cors: args.cors,
        static_dir: args.static_dir,
        faults,
        new_fleet: args.new_fleet,
        max_db_bytes: args.max_db_mb.map(|mb| mb.saturating_mul(1024 * 1024)),
        limits: Limits {
            max_connections: args.max_connections,
            ..Limits::default()
        },
        webhooks: Webhooks {
            urls: args.webhooks,
            secret,
        },
        history: Keep {
            age: std::time::Duration::from_secs(args.history_days.saturating_mul(24 * 3600)),
            bytes: args.history_max_mb.saturating_mul(1024 * 1024),
        },
        heartbeat: std::time::Duration::from_millis(args.heartbeat_ms),
        ..Config::default()
    };
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    if let Ok(addr) = listener.local_addr() {
        bots_status_server::check_listen(&addr, &config.tokens)?;
    }
    let server = Server::start(config, listener).await?;
    tracing::info!(addr = %server.addr, "serving");
    // The line scripts wait for (xtask reads the address from it).
    println!("listening on http://{}", server.addr);
    tokio::select! {
        () = server.wait() => Err("the server stopped".to_owned()),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
