//! `cargo xtask fleet [--connectors N]`: the reference server with no simulated fleet, the
//! testbed, and N real `bots-status-connector` processes reporting into it (default 6: two
//! bots, Demo and Production), with the app served by the same server. Ctrl-C stops them all;
//! each process is stopped by its id when this command ends.

use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

use crate::live_server::LiveServer;
use crate::run::command;
use crate::setup;

/// A connector process, killed and reaped when dropped.
pub struct Connector(Child);

impl Drop for Connector {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The sample directory's own enabled bot users (`--fleet 0` keeps them): account, login.
const AGENTS: [(&str, &str); 4] = [
    ("31487985", "spare-bot-0-0"),
    ("31487985", "spare-bot-0-1"),
    ("70071528", "spare-bot-1-0"),
    ("70071528", "spare-bot-1-1"),
];

fn connectors_asked(args: &[String]) -> Result<usize, String> {
    match args {
        [] => Ok(6),
        [flag, n] if flag == "--connectors" => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| format!("--connectors {n} must be a number from 1 to 200")),
        _ => Err("usage: cargo xtask fleet [--connectors N]".to_owned()),
    }
}

fn post(url: &str, token: Option<&str>, body: Value) -> Result<Value, String> {
    let mut request = ureq::post(url);
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    request
        .send_json(body)
        .map_err(|e| match e {
            ureq::Error::Status(code, response) => {
                format!(
                    "{url}: {code} {}",
                    response.into_string().unwrap_or_default()
                )
            }
            other => format!("{url}: {other}"),
        })?
        .into_json()
        .map_err(|e| format!("{url}: {e}"))
}

pub fn fleet(args: &[String]) -> Result<(), String> {
    let count = connectors_asked(args)?;
    let tools = setup::setup()?;
    command("trunk", &["build", "--release"], &tools.path)?;
    command(
        "cargo",
        &["build", "--release", "-p", "bots-status-connector"],
        &tools.path,
    )?;
    let testbed = LiveServer::start_binary(
        &tools,
        "bots-status-testbed",
        true,
        &["--listen", "127.0.0.1:0"],
        false,
    )?;
    let dist = tools.root.join("dist");
    let dist = dist.to_string_lossy();
    let server = LiveServer::start(
        &tools,
        true,
        &[
            "--static-dir",
            &dist,
            "--listen",
            "127.0.0.1:8787",
            "--fleet",
            "0",
        ],
        false,
    )?;
    let binary = tools
        .root
        .join("target")
        .join("release")
        .join("bots-status-connector");
    let processes = populate(&server.url, None, &testbed.url, &binary, count)?;
    println!(
        "\n{count} real connectors report into {url}.\nOpen {url}/?api={url} to watch them.\n\
         Break things through the testbed ({bed_url}):\n  \
         curl -X PUT {bed_url}/admin/messaging -H 'content-type: application/json' -d '{{\"state\":\"down\"}}'\n  \
         curl -X PUT {bed_url}/admin/bot -H 'content-type: application/json' -d '{{\"state\":\"up\",\"delayMs\":4000}}'\n  \
         curl -X PUT {bed_url}/admin/logins -H 'content-type: application/json' -d '{{\"lockout\":[\"spare-bot-0-0\"]}}'\n\
         or stop a connector process (kill PID) and watch its silence. Ctrl-C stops everything.\n",
        url = server.url,
        bed_url = testbed.url,
    );
    for p in &processes {
        println!("  connector process {}", p.0.id());
    }
    let waited = server.wait();
    drop(processes);
    drop(testbed);
    waited
}

/// Adds `count` connectors to the server at `url` (two bots, Demo and Production; Messaging
/// and Chat), issues each its token, starts a `binary` process for each against the testbed
/// at `bed_url`, and starts the connector.
pub fn populate(
    url: &str,
    token: Option<&str>,
    bed_url: &str,
    binary: &std::path::Path,
    count: usize,
) -> Result<Vec<Connector>, String> {
    let api = format!("{url}/api/v1");
    let bed = bed_url.trim_start_matches("http://");
    let mut processes = Vec::new();
    for i in 0..count {
        let (environment, bot) = if i % 2 == 0 {
            (
                "Demo",
                json!({"id": "helper-demo", "name": "Helper (Demo)"}),
            )
        } else {
            (
                "Production",
                json!({"id": "helper-production", "name": "Helper (Production)"}),
            )
        };
        let (account, agent) = AGENTS[i % AGENTS.len()];
        let conversation_type = if i % 3 == 2 { "Chat" } else { "Messaging" };
        let added = post(
            &format!("{api}/connectors"),
            token,
            json!({"bot": bot, "settings": {
                "account": account, "agent_user_id": agent, "role": "Agent",
                "conversation_type": conversation_type, "environment": environment,
                "advanced": {"fallback_skill_id": null, "external_webhook_url": null,
                             "custom_config": [], "accessibility": false}}}),
        )?;
        let id = added["id"].as_u64().ok_or("an added connector has no id")?;
        let issued = post(&format!("{api}/connectors/{id}/token"), token, json!({}))?;
        let connector_token = issued["token"].as_str().ok_or("no token was issued")?;
        let child = Command::new(binary)
            .args([
                "--control-plane",
                url,
                "--messaging-url",
                &format!("ws://{bed}/messaging"),
                "--chat-url",
                &format!("http://{bed}/chat"),
                "--bot-server-url",
                &format!("http://{bed}/bot"),
            ])
            .env("BOTS_STATUS_CONNECTOR_TOKEN", connector_token)
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        processes.push(Connector(child));
        post(
            &format!("{api}/connectors/{id}/actions"),
            token,
            json!({"action": "start"}),
        )?;
    }
    Ok(processes)
}
