//! `bots-status-testbed`: the messaging, chat and bot servers a reference connector talks to,
//! on loopback, for tests and for classes with real processes (see the crate's docs).

use bots_status_testbed::{Options, Testbed};
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
    let options = Options {
        per_connector: args.conversations,
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
