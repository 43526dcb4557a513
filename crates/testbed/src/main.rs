//! `bots-status-testbed`: the messaging, chat and bot servers a reference connector talks to,
//! on loopback, for tests and for classes with real processes (see the crate's docs).

use bots_status_testbed::{Health, Options, Testbed};
use clap::Parser;

/// Loopback messaging (WebSocket), chat and bot servers, each taken down, slowed or made to
/// refuse logins through PUT /admin/messaging|chat|bot|logins|conversations.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on (loopback: it is a stand-in, not a service).
    #[arg(long, default_value = "127.0.0.1:8790")]
    listen: String,
    /// Conversations assigned to each connected connector.
    #[arg(long, default_value_t = 2)]
    conversations: usize,
    /// Start with the messaging server down.
    #[arg(long)]
    messaging_down: bool,
    /// The chat server at the start: up, down or away.
    #[arg(long, default_value = "up")]
    chat: String,
    /// Start with the bot server down.
    #[arg(long)]
    bot_down: bool,
    /// Milliseconds the bot server takes to answer (a slow bot server), at most 60000.
    #[arg(long, default_value_t = 0)]
    bot_delay_ms: u64,
    /// A bot user whose login is refused with 401 ("unauthorized"); repeatable.
    #[arg(long = "refuse")]
    refuse: Vec<String>,
    /// A bot user the account's login policy locked out (403); repeatable.
    #[arg(long = "lockout")]
    lockout: Vec<String>,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("bots-status-testbed: cannot listen on {}: {e}", args.listen);
            std::process::exit(1);
        }
    };
    let chat = match args.chat.as_str() {
        "up" => Health::Up,
        "down" => Health::Down,
        "away" => Health::Away,
        other => {
            eprintln!("bots-status-testbed: --chat {other} must be up, down or away");
            std::process::exit(2);
        }
    };
    let down = |d: bool| if d { Health::Down } else { Health::Up };
    let options = Options {
        per_connector: args.conversations,
        messaging: down(args.messaging_down),
        chat,
        bot: down(args.bot_down),
        bot_delay_ms: args.bot_delay_ms,
        refuse: args.refuse.into_iter().collect(),
        lockout: args.lockout.into_iter().collect(),
    };
    match Testbed::start(listener, options).await {
        Ok(testbed) => {
            // The line scripts wait for.
            println!("listening on http://{}", testbed.addr);
            tokio::select! {
                () = testbed.wait() => std::process::exit(1),
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(e) => {
            eprintln!("bots-status-testbed: {e}");
            std::process::exit(1);
        }
    }
}
