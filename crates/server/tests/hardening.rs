//! The server keeps its word under faults, hostile users and load: a save that fails leaves
//! nothing behind, a locked disk stalls nothing but writes, no user grows memory or disk
//! without bound, Production is protected by every path, input is trimmed once, a damaged
//! database is never silently replaced, and the smaller doors are shut. Everything runs on
//! loopback; every process a test starts is stopped by its id.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bots_status_core::api::ErrorCode;
use bots_status_core::lifecycle::Refused;
use bots_status_core::model::{Connector, Environment};
use bots_status_core::status::ConnectorStatus;
use bots_status_server::{Config, Limits, Retention, Server, Token};
use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn rows(db: &Path, table: &str) -> i64 {
    rusqlite::Connection::open(db)
        .expect("open")
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .expect("a count")
}

/// A custom configuration of about `kb` kilobytes, within every limit (unknown keys are
/// allowed, with a warning); `variant` makes two of them differ.
fn big_config(kb: usize, variant: char) -> Value {
    let rows: Vec<Value> = (0..kb.div_ceil(4))
        .map(|i| json!({"key": format!("bulk{i}"), "value": variant.to_string().repeat(4000)}))
        .collect();
    Value::Array(rows)
}

/// Asks to set `connector`'s custom configuration: the answer.
async fn edit_config(api: &Api, connector: &Connector, config: Value) -> (StatusCode, Value) {
    let mut settings = serde_json::to_value(&connector.settings).expect("settings");
    settings["advanced"]["custom_config"] = config;
    api.call(
        reqwest::Method::PUT,
        format!("/connectors/{}", connector.id.0),
        ADMIN,
        Some(json!({"version": connector.version, "settings": settings})),
    )
    .await
}

/// Sets `connector`'s custom configuration (it must be stopped); the new version.
async fn set_config(api: &Api, connector: &Connector, config: Value) -> u64 {
    let (status, body) = edit_config(api, connector, config).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["version"].as_u64().expect("a version")
}

fn not_done(status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let err = error(body);
    assert_eq!(err.code, ErrorCode::Unavailable);
    assert!(err.message.starts_with("Not done"), "{}", err.message);
}

// ---------------------------------------------------------------------------------------
// 1. A failed save leaves nothing behind.

#[tokio::test]
async fn a_write_over_a_locked_database_answers_503_and_leaves_nothing_behind() {
    let (_dir, db) = temp_db();
    let settings = || Config {
        db: Some(db.clone()),
        ..config()
    };
    let (server, api) = start(settings()).await;
    let online = api.first(ConnectorStatus::Online).await;
    let before = api.fleet().await;
    let mut stream = Stream::open(&api, before.last_event_id).await;

    let lock = hold_write_lock(&db);
    let (status, body) = api
        .post(
            &format!("/connectors/{}/actions", online.id.0),
            json!({"action": "stop"}),
        )
        .await;
    not_done(status, &body);
    assert!(error(&body).message.contains("busy"), "{body}");
    let (status, body) = api
        .post(
            "/actions",
            json!({"action": "stop", "connectors": [{"id": online.id.0, "version": null}]}),
        )
        .await;
    not_done(status, &body);
    let after = api.fleet().await;
    for (a, b) in after.connectors.iter().zip(&before.connectors) {
        assert_eq!(a, b, "nothing changed");
    }
    assert_eq!(after.connectors.len(), before.connectors.len());
    assert_eq!(after.last_event_id, before.last_event_id);
    drop(lock);

    // The next change is the next id: nothing was streamed for the failed ones.
    let other = after
        .connectors
        .iter()
        .find(|c| c.state.status() == ConnectorStatus::Online && c.id != online.id)
        .expect("another online connector");
    let (status, body) = api
        .post(
            &format!("/connectors/{}/actions", other.id.0),
            json!({"action": "stop"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (id, change) = stream.change().await;
    assert_eq!(id, before.last_event_id + 1);
    let bots_status_core::simulator::Change::Connector(changed) = change else {
        panic!("a connector change");
    };
    assert_eq!(changed.id, other.id);

    // And a restart brings back what was saved, not what was refused.
    server.stop().await;
    let (_server, api) = start(settings()).await;
    let (_, body) = api.get(&format!("/connectors/{}", online.id.0)).await;
    assert_eq!(body["state"]["status"], "Online", "{body}");
}

#[tokio::test]
async fn a_full_disk_refuses_adds_and_lists_exactly_the_rows_saved() {
    let (_dir, db) = temp_db();
    let (server, api) = start(Config {
        db: Some(db.clone()),
        ..config()
    })
    .await;
    let template = api.first(ConnectorStatus::Stopped).await;
    let count = api.fleet().await.connectors.len();
    server.stop().await;
    let used = db_bytes(&db);
    let (server, api) = start(Config {
        db: Some(db.clone()),
        max_db_bytes: Some(used + 256 * 1024),
        ..config()
    })
    .await;
    let mut settings = serde_json::to_value(&template.settings).expect("settings");
    settings["environment"] = json!("Demo");
    settings["agent_user_id"] = json!("spare-bot-0-0");
    settings["account"] = json!(bots_status_core::fleet::HOME_ACCOUNT);
    settings["advanced"]["custom_config"] = big_config(48, 'a');
    let bot = json!({"id": template.bot.id.0, "name": template.bot.name});
    let (mut added, mut refused) = (0, 0);
    for _ in 0..20 {
        let (status, body) = api
            .post("/connectors", json!({"bot": bot, "settings": settings}))
            .await;
        if status == StatusCode::CREATED {
            added += 1;
        } else {
            not_done(status, &body);
            assert!(error(&body).message.contains("full"), "{body}");
            refused += 1;
        }
    }
    assert!(refused > 0, "the limit was reached ({added} added)");
    assert_eq!(api.fleet().await.connectors.len(), count + added);
    server.stop().await;
    assert_eq!(rows(&db, "connectors") as usize, count + added);
    let (_server, api) = start(Config {
        db: Some(db.clone()),
        ..config()
    })
    .await;
    assert_eq!(api.fleet().await.connectors.len(), count + added);
    // The history has each add that was saved, and none of those the full disk refused:
    // an entry is written in the transaction of what it records.
    let (status, body) = api.get("/history?kind=action&limit=500").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let adds = body["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "add")
        .inspect(|e| assert_eq!(e["outcome"], "done", "{e}"))
        .count();
    assert_eq!(adds, added);
}

// ---------------------------------------------------------------------------------------
// 2. A busy database does not stall the server.

#[tokio::test]
async fn a_held_write_lock_stalls_neither_health_nor_reads_nor_files_nor_streams() {
    let (dir, db) = temp_db();
    let site = dir.path().join("site");
    std::fs::create_dir(&site).expect("a folder");
    std::fs::write(site.join("index.html"), "<!doctype html><title>app</title>").expect("index");
    std::fs::write(site.join("app.js"), "console.log(1)").expect("a file");
    let (_server, api) = start(Config {
        db: Some(db.clone()),
        static_dir: Some(site),
        busy_timeout: Duration::from_secs(2),
        ..config()
    })
    .await;
    let page = api.fleet().await;
    let mut stream = Stream::open(&api, page.last_event_id).await;
    let online: Vec<u64> = page
        .connectors
        .iter()
        .filter(|c| c.state.status() == ConnectorStatus::Online)
        .map(|c| c.id.0)
        .take(4)
        .collect();

    let lock = hold_write_lock(&db);
    let mut writes = Vec::new();
    for id in &online {
        let (base, client) = (api.base.clone(), api.client.clone());
        let id = *id;
        writes.push(tokio::spawn(async move {
            client
                .post(format!("{base}/connectors/{id}/actions"))
                .bearer_auth(ADMIN)
                .json(&json!({"action": "stop"}))
                .send()
                .await
                .expect("an answer")
                .status()
        }));
    }
    let root = api.base.trim_end_matches("/api/v1").to_owned();
    let mut health = Vec::new();
    let mut slowest = Duration::ZERO;
    let until = Instant::now() + Duration::from_millis(2500);
    while Instant::now() < until {
        for url in [
            format!("{}/health", api.base),
            format!("{}/session", api.base),
            format!("{}/connectors?env=demo", api.base),
            format!("{root}/app.js"),
        ] {
            let started = Instant::now();
            let response = api
                .client
                .get(&url)
                .bearer_auth(ADMIN)
                .send()
                .await
                .expect("an answer");
            let took = started.elapsed();
            assert_eq!(response.status(), StatusCode::OK, "{url}");
            slowest = slowest.max(took);
            if url.ends_with("/health") {
                health.push(took);
            }
        }
        // A stream opened while the lock is held answers at once too.
        let opened = Instant::now();
        drop(Stream::open(&api, page.last_event_id).await);
        slowest = slowest.max(opened.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    health.sort();
    let median = health[health.len() / 2];
    assert!(
        median < Duration::from_millis(100),
        "/health's median {median:?} while a write waited"
    );
    assert!(
        slowest < Duration::from_secs(1),
        "the slowest answer took {slowest:?}"
    );
    drop(lock);
    for write in writes {
        let status = write.await.expect("the write ran");
        assert!(
            status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::OK,
            "{status}"
        );
    }
    // The open stream is still there, and carries what is saved now.
    let (status, _) = api
        .post(
            &format!("/connectors/{}/actions", online[0]),
            json!({"action": "restart"}),
        )
        .await;
    assert!(status.is_success() || status == StatusCode::UNPROCESSABLE_ENTITY);
    let next = stream.next().await.expect("the stream still delivers");
    assert_eq!(next.kind, "change");
}

// ---------------------------------------------------------------------------------------
// 3. No user grows memory or disk without bound.

#[tokio::test]
async fn input_past_its_limit_is_refused_naming_the_field_and_the_limit() {
    let (_server, api) = start(config()).await;
    let template = api.first(ConnectorStatus::Stopped).await;
    let bot = json!({"id": template.bot.id.0, "name": template.bot.name});
    let mut settings = serde_json::to_value(&template.settings).expect("settings");
    settings["environment"] = json!("Demo");
    settings["account"] = json!(bots_status_core::fleet::HOME_ACCOUNT);
    settings["agent_user_id"] = json!("spare-bot-0-0");
    let add = |bot: Value, settings: Value| {
        api.post("/connectors", json!({"bot": bot, "settings": settings}))
    };

    let mut long_agent = settings.clone();
    long_agent["agent_user_id"] = json!("a".repeat(201));
    let mut many_rows = settings.clone();
    many_rows["advanced"]["custom_config"] = Value::Array(
        (0..51)
            .map(|i| json!({"key": format!("k{i}"), "value": "1"}))
            .collect(),
    );
    let mut long_value = settings.clone();
    long_value["advanced"]["custom_config"] = json!([{"key": "myKey", "value": "v".repeat(5001)}]);
    let long_bot = json!({"id": template.bot.id.0, "name": "n".repeat(201)});
    for (bot, settings, said) in [
        (
            bot.clone(),
            long_agent,
            "Agent User ID has 201 characters; at most 200",
        ),
        (
            bot.clone(),
            many_rows,
            "at most 50 custom configuration rows",
        ),
        (bot.clone(), long_value, "at most 5,000 characters"),
        (long_bot, settings.clone(), "Bot name has 201 characters"),
    ] {
        let (status, body) = add(bot, settings).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(error(&body).message.contains(said), "{said}: {body}");
    }

    let (status, body) = add(bot, settings).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the same add within the limits: {body}"
    );
}

#[tokio::test]
async fn the_event_log_is_bounded_in_bytes_and_pruned_as_it_is_written() {
    let (_dir, db) = temp_db();
    let (_server, api) = start(Config {
        db: Some(db.clone()),
        retention: Retention {
            events: 50_000,
            bytes: 1024 * 1024,
        },
        ..config()
    })
    .await;
    let first = api.fleet().await.last_event_id;
    let mut connector = api.first(ConnectorStatus::Stopped).await;
    for i in 0..40 {
        let version = set_config(
            &api,
            &connector,
            big_config(40, if i % 2 == 0 { 'a' } else { 'b' }),
        )
        .await;
        connector.version = version;
    }
    let bytes: i64 = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row(
            "SELECT COALESCE(SUM(LENGTH(body)), 0) FROM events",
            [],
            |r| r.get(0),
        )
        .expect("a sum");
    assert!(bytes <= 1024 * 1024, "{bytes} bytes of changes kept");
    assert!(rows(&db, "events") < 40, "the oldest changes went");
    // A client that asks for what is gone is told to read the list again.
    let mut stream = Stream::open(&api, first).await;
    let event = stream.next().await.expect("an event");
    assert_eq!(event.kind, "reset");
}

/// A server process of its own, stopped by its id when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Process {
    fn start(args: &[&str], env: &[(&str, &str)], ulimit_files: Option<u32>) -> Process {
        let binary = env!("CARGO_BIN_EXE_bots-status-server");
        let mut command = match ulimit_files {
            Some(n) => {
                let mut c = Command::new("sh");
                c.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(binary);
                c
            }
            None => Command::new(binary),
        };
        command
            .args(["--listen", "127.0.0.1:0", "--speed", "1"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the server starts");
        let mut out = child.stdout.take().expect("its output");
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\n") {
            match out.read(&mut byte) {
                Ok(1) => line.push(byte[0]),
                _ => break,
            }
        }
        let text = String::from_utf8_lossy(&line);
        let base = text
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("the server said {text:?}"))
            .to_owned();
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = out.read_to_end(&mut sink);
        });
        Process { child, base }
    }

    fn api(&self) -> Api {
        Api {
            base: format!("{}/api/v1", self.base),
            client: reqwest::Client::new(),
        }
    }

    /// The process's resident memory, in megabytes.
    fn rss_mb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("its status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmRSS")
            / 1024
    }

    fn addr(&self) -> String {
        self.base.trim_start_matches("http://").to_owned()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An event stream client that sends its request and then never reads.
fn idle_reader(addr: &str, after: u64) -> std::net::TcpStream {
    let mut socket = std::net::TcpStream::connect(addr).expect("connects");
    write!(
        socket,
        "GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {ADMIN}\r\nLast-Event-ID: {after}\r\n\r\n"
    )
    .expect("the request is sent");
    socket
}

#[tokio::test]
async fn twenty_clients_that_never_read_cost_bounded_memory_given_back_when_they_go() {
    let (_dir, db) = temp_db();
    let db_arg = db.display().to_string();
    let server = Process::start(
        &["--db", &db_arg, "--token", ADMIN, "--fleet", "400"],
        &[],
        None,
    );
    let api = server.api();
    // Twenty stopped connectors with 20 KB of configuration each: every change of one is
    // a 20 KB event.
    let page = api.fleet().await;
    let mut heavy = Vec::new();
    for c in page
        .connectors
        .iter()
        .filter(|c| c.state.status() == ConnectorStatus::Stopped)
    {
        if heavy.len() == 20 {
            break;
        }
        // Only a connector whose bot agent is enabled can be edited.
        let (status, _) = edit_config(&api, c, big_config(20, 'x')).await;
        if status == StatusCode::OK {
            heavy.push(c.id.0);
        }
    }
    assert_eq!(heavy.len(), 20);
    let targets: Vec<Value> = heavy
        .iter()
        .map(|id| json!({"id": id, "version": null}))
        .collect();
    let burst = |n: usize| {
        let api = &api;
        let targets = targets.clone();
        async move {
            for i in 0..n {
                let action = if i % 2 == 0 { "start" } else { "stop" };
                let (status, body) = api
                    .post("/actions", json!({"action": action, "connectors": targets}))
                    .await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
        }
    };
    let from = api.fleet().await.last_event_id;
    burst(50).await; // 1,000 changes of 20 KB: a 20 MB backlog
    let baseline = server.rss_mb();
    let readers: Vec<_> = (0..20).map(|_| idle_reader(&server.addr(), from)).collect();
    burst(50).await; // 1,000 more while nobody reads
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = server.rss_mb();
    assert!(
        during < 200,
        "{during} MB with 20 idle readers (baseline {baseline} MB)"
    );
    drop(readers);
    // The server notices the closed sockets at its next write or check.
    burst(2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = server.rss_mb();
    eprintln!(
        "server RSS: {baseline} MB before the readers, {during} MB with them, {after} MB after"
    );
    assert!(
        after <= baseline + 50,
        "{after} MB after the readers went (baseline {baseline} MB, {during} MB with them)"
    );
}

// It reads with blocking sockets: the server needs a thread of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_sends_nothing_or_sits_idle_is_closed() {
    let (server, _api) = start(Config {
        limits: Limits {
            header_timeout: Duration::from_millis(800),
            idle_timeout: Duration::from_millis(800),
            ..Limits::default()
        },
        ..config()
    })
    .await;
    let closed_within = |mut socket: std::net::TcpStream, limit: Duration| {
        socket
            .set_read_timeout(Some(limit))
            .expect("a read timeout");
        let mut buffer = [0u8; 4096];
        loop {
            match socket.read(&mut buffer) {
                Ok(0) => return true,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    };
    let addr = server.addr.to_string();
    let silent = std::net::TcpStream::connect(&addr).expect("connects");
    assert!(
        closed_within(silent, Duration::from_secs(5)),
        "a silent connection stays open"
    );

    let mut slow = std::net::TcpStream::connect(&addr).expect("connects");
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .expect("half a request");
    assert!(
        closed_within(slow, Duration::from_secs(5)),
        "a half-sent request keeps its connection"
    );

    let mut used = std::net::TcpStream::connect(&addr).expect("connects");
    write!(used, "GET /api/v1/health HTTP/1.1\r\nHost: {addr}\r\n\r\n").expect("a request");
    assert!(
        closed_within(used, Duration::from_secs(5)),
        "an idle keep-alive connection stays open"
    );
}

#[tokio::test]
async fn idle_sockets_past_the_open_file_limit_leave_health_answering() {
    let server = Process::start(&["--token", ADMIN], &[], Some(128));
    let idle: Vec<std::net::TcpStream> = (0..140)
        .filter_map(|_| std::net::TcpStream::connect(server.addr()).ok())
        .collect();
    assert!(idle.len() >= 128, "{} sockets opened", idle.len());
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/health", server.base))
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("/health answers while 140 idle sockets are open");
    assert_eq!(response.status(), StatusCode::OK);
    drop(idle);
}

// It reads with blocking sockets: the server needs a thread of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_disconnected_and_resumes_from_its_last_event() {
    let (server, api) = start(Config {
        limits: Limits {
            write_timeout: Duration::from_millis(500),
            ..Limits::default()
        },
        ..config()
    })
    .await;
    let from = api.fleet().await.last_event_id;
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.set_recv_buffer_size(4096).expect("a small buffer");
    let stream = socket.connect(server.addr).await.expect("connects");
    let mut stream = stream.into_std().expect("a std socket");
    stream.set_nonblocking(false).expect("blocking");
    write!(
        stream,
        "GET /api/v1/events HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {ADMIN}\r\nLast-Event-ID: {from}\r\n\r\n",
        server.addr
    )
    .expect("the request");
    // 16 MB of changes: more than the sockets on either side can hold.
    let mut connector = api.first(ConnectorStatus::Stopped).await;
    for i in 0..400 {
        connector.version = set_config(
            &api,
            &connector,
            big_config(40, if i % 2 == 0 { 'a' } else { 'b' }),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut received = String::new();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a timeout");
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => received.push_str(&String::from_utf8_lossy(&buffer[..n])),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("the stream was not closed: {e}"),
        }
    }
    let last_seen = received
        .lines()
        .filter_map(|l| l.strip_prefix("id: ").or_else(|| l.strip_prefix("id:")))
        .filter_map(|v| v.trim().parse::<u64>().ok())
        .max()
        .unwrap_or(from);
    let newest = api.fleet().await.last_event_id;
    assert!(
        last_seen < newest,
        "the stream was cut before the end ({last_seen} of {newest})"
    );
    // It resumes where it was cut.
    let mut resumed = Stream::open(&api, last_seen).await;
    let (id, _) = resumed.change().await;
    assert_eq!(id, last_seen + 1);
}

// ---------------------------------------------------------------------------------------
// 4. Production is protected by every path.

#[tokio::test]
async fn without_the_production_right_nothing_about_production_changes() {
    let (_server, api) = start(config()).await;
    let page = api.fleet().await;
    let production = |status: ConnectorStatus| {
        page.connectors
            .iter()
            .find(|c| c.environment() == Environment::Production && c.state.status() == status)
            .cloned()
            .unwrap_or_else(|| panic!("a {status:?} Production connector"))
    };
    let as_developer = |method: reqwest::Method, path: String, body: Option<Value>| {
        api.call(method, path, DEVELOPER, body)
    };
    let forbidden = |status: StatusCode, body: &Value| {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(
            error(body).refused.as_deref(),
            Some(&Refused::NoProductionRights),
            "{body}"
        );
    };
    let online = production(ConnectorStatus::Online);
    let stopped = production(ConnectorStatus::Stopped);
    for (connector, action) in [(&online, "stop"), (&online, "restart"), (&stopped, "start")] {
        let (status, body) = as_developer(
            reqwest::Method::POST,
            format!("/connectors/{}/actions", connector.id.0),
            Some(json!({"action": action})),
        )
        .await;
        forbidden(status, &body);
    }
    let (status, body) = as_developer(
        reqwest::Method::POST,
        format!("/connectors/{}/actions", stopped.id.0),
        Some(json!({"action": "redeploy", "environment": "Demo"})),
    )
    .await;
    forbidden(status, &body);
    let mut to_demo = stopped.settings.clone();
    to_demo.environment = Environment::Demo;
    let (status, body) = as_developer(
        reqwest::Method::PUT,
        format!("/connectors/{}", stopped.id.0),
        Some(json!({"version": stopped.version, "settings": to_demo})),
    )
    .await;
    forbidden(status, &body);
    let (status, body) = as_developer(
        reqwest::Method::DELETE,
        format!("/connectors/{}", stopped.id.0),
        None,
    )
    .await;
    forbidden(status, &body);

    // A bulk action reports each Production connector, and does the Demo ones.
    let demo = page
        .connectors
        .iter()
        .find(|c| {
            c.environment() == Environment::Demo && c.state.status() == ConnectorStatus::Online
        })
        .expect("an online Demo connector");
    let (status, body) = as_developer(
        reqwest::Method::POST,
        "/actions".to_owned(),
        Some(json!({"action": "stop", "connectors": [
            {"id": online.id.0, "version": null}, {"id": demo.id.0, "version": null}
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["results"][0]["error"]["refused"]["reason"], "NoProductionRights",
        "{body}"
    );
    assert_eq!(body["results"][0]["error"]["code"], "forbidden");
    assert_eq!(
        body["results"][1]["done"]["state"]["status"], "Stopped",
        "{body}"
    );

    for action in ["RedeployConnector", "RefreshSurveys"] {
        let (status, body) = as_developer(
            reqwest::Method::POST,
            "/pcs/actions".to_owned(),
            Some(json!({"action": action, "version": page.pcs.version})),
        )
        .await;
        forbidden(status, &body);
    }
    // Nothing of it happened.
    let now = api.fleet().await;
    let same = |c: &Connector| {
        now.connectors
            .iter()
            .any(|n| n.id == c.id && n.version == c.version)
    };
    assert!(same(&online) && same(&stopped));
    assert_eq!(now.pcs, page.pcs);
}

// ---------------------------------------------------------------------------------------
// 5. Input is normalized once.

#[tokio::test]
async fn whitespace_around_a_name_never_gets_past_a_check() {
    let (_server, api) = start(config()).await;
    let template = api.first(ConnectorStatus::Stopped).await;
    let bot = json!({"id": template.bot.id.0, "name": template.bot.name});
    let with = |account: &str, agent: &str| {
        let mut settings = serde_json::to_value(&template.settings).expect("settings");
        settings["environment"] = json!("Demo");
        settings["account"] = json!(account);
        settings["agent_user_id"] = json!(agent);
        json!({"bot": bot, "settings": settings})
    };
    let home = bots_status_core::fleet::HOME_ACCOUNT;
    for (account, agent) in [
        (home.to_owned(), "colleague-bot-0 ".to_owned()),
        (format!(" {home}"), "colleague-bot-0".to_owned()),
        (home.to_owned(), "\tcolleague-bot-0\u{a0}".to_owned()),
    ] {
        let (status, body) = api.post("/connectors", with(&account, &agent)).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{agent:?}: {body}"
        );
        assert!(
            matches!(
                error(&body).refused.as_deref(),
                Some(Refused::Unauthorized { .. })
            ),
            "{agent:?}: {body}"
        );
    }
    // What is kept is trimmed.
    let (status, body) = api
        .post("/connectors", with(&format!("{home} "), " spare-bot-0-0 "))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["settings"]["agent_user_id"], "spare-bot-0-0");
    assert_eq!(body["settings"]["account"], home);
}

// ---------------------------------------------------------------------------------------
// 6. A damaged database is never silently replaced.

async fn start_on(db: &Path, new_fleet: bool) -> Result<Server, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    Server::start(
        Config {
            db: Some(db.to_owned()),
            new_fleet,
            ..config()
        },
        listener,
    )
    .await
}

/// Starting on `db` is refused with a sentence that says each of `says`.
async fn refused_saying(db: &Path, new_fleet: bool, says: &[&str]) {
    let refused = start_on(db, new_fleet).await.err().expect("refused");
    for part in says {
        assert!(refused.contains(part), "{part:?} not in: {refused}");
    }
}

/// A database a server made and closed.
async fn made(db: &Path) {
    start_on(db, false).await.expect("a new fleet").stop().await;
}

fn set_meta(db: &Path, sql: &str) {
    rusqlite::Connection::open(db)
        .expect("open")
        .execute_batch(sql)
        .expect("the change");
}

#[tokio::test]
async fn an_empty_file_is_refused_unless_a_new_fleet_is_asked_for() {
    let (_dir, db) = temp_db();
    std::fs::write(&db, b"").expect("an empty file");
    refused_saying(&db, false, &["is empty", "--new-fleet"]).await;
    assert_eq!(std::fs::metadata(&db).expect("still there").len(), 0);
    start_on(&db, true)
        .await
        .expect("a new fleet on request")
        .stop()
        .await;
    assert!(rows(&db, "connectors") > 0);
}

#[tokio::test]
async fn a_partial_database_is_refused_and_none_of_its_rows_are_deleted() {
    let (_dir, db) = temp_db();
    made(&db).await;
    let connectors = rows(&db, "connectors");
    set_meta(&db, "DELETE FROM meta WHERE key = 'simulator'");
    refused_saying(
        &db,
        false,
        &["no simulator record", "--new-fleet", "backup"],
    )
    .await;
    assert_eq!(rows(&db, "connectors"), connectors, "no row was deleted");
}

#[tokio::test]
async fn an_unreadable_last_event_id_or_a_change_past_it_is_refused() {
    let (_dir, db) = temp_db();
    made(&db).await;
    set_meta(
        &db,
        "UPDATE meta SET value = 'many' WHERE key = 'last_event_id'",
    );
    refused_saying(&db, false, &["last_event_id \"many\" is not a number"]).await;
    set_meta(
        &db,
        "UPDATE meta SET value = '0' WHERE key = 'last_event_id';
         INSERT INTO events (id, body) VALUES (7, '{\"Removed\":1}');",
    );
    refused_saying(&db, false, &["newer than its last_event_id"]).await;
}

#[tokio::test]
async fn a_file_that_is_not_a_database_or_is_damaged_or_someone_else_s_is_refused() {
    let (_dir, db) = temp_db();
    std::fs::write(&db, vec![0x42u8; 64 * 1024]).expect("garbage");
    refused_saying(&db, false, &["cannot be used as a Bots Status database"]).await;
    assert_eq!(std::fs::read(&db).expect("kept"), vec![0x42u8; 64 * 1024]);

    let (_dir2, other) = temp_db();
    set_meta(
        &other,
        "CREATE TABLE invoices (id INTEGER); INSERT INTO invoices VALUES (1);",
    );
    refused_saying(&other, true, &["is not a Bots Status database"]).await;
    assert_eq!(rows(&other, "invoices"), 1);

    let (_dir3, damaged) = temp_db();
    made(&damaged).await;
    // Checkpointed into the main file, then pages in its middle overwritten.
    set_meta(
        &damaged,
        "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;",
    );
    let mut bytes = std::fs::read(&damaged).expect("the file");
    assert!(bytes.len() > 3 * 4096, "{} bytes", bytes.len());
    let end = bytes.len() - 4096;
    for b in &mut bytes[4096 * 2..end] {
        *b = 0xA5;
    }
    std::fs::write(&damaged, &bytes).expect("damage");
    let refused = start_on(&damaged, false).await.err().expect("refused");
    assert!(
        refused.contains("damaged") || refused.contains("cannot be"),
        "{refused}"
    );
}

// ---------------------------------------------------------------------------------------
// 7. The smaller doors.

#[tokio::test]
async fn an_access_token_in_the_query_opens_the_event_stream_only() {
    let (_server, api) = start(config()).await;
    for path in ["/connectors", "/admin/faults", "/session"] {
        let response = api
            .client
            .get(format!("{}{path}?access_token={ADMIN}", api.base))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    let response = api
        .client
        .get(format!("{}/events?access_token={ADMIN}", api.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::OK);
}

#[test]
fn tokens_come_from_a_file_or_the_environment_too() {
    let tokens = Token::parse_list(
        "# operators\nalpha\nbeta:developer, gamma:none\n\n",
        "tokens.txt",
    )
    .expect("tokens");
    let secrets: Vec<&str> = tokens.iter().map(|t| t.secret.as_str()).collect();
    assert_eq!(secrets, ["alpha", "beta", "gamma"]);
    let err = Token::parse_list("x:boss", "tokens.txt").expect_err("a bad role");
    assert!(err.starts_with("tokens.txt: "), "{err}");

    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("tokens");
    std::fs::write(&file, "from-file:developer\n").expect("written");
    let file_arg = file.display().to_string();
    let server = Process::start(
        &["--token-file", &file_arg],
        &[("BOTS_STATUS_TOKENS", "from-env")],
        None,
    );
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let session = |token: &str| {
        runtime.block_on(async {
            reqwest::Client::new()
                .get(format!("{}/api/v1/session", server.base))
                .bearer_auth(token)
                .send()
                .await
                .expect("an answer")
                .status()
        })
    };
    assert_eq!(session("from-file"), StatusCode::OK);
    assert_eq!(session("from-env"), StatusCode::OK);
    assert_eq!(session("from-files"), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_tokens_the_server_is_loopback_only_and_checks_the_host() {
    assert!(bots_status_server::check_listen(&"0.0.0.0:8787".parse().unwrap(), &[]).is_err());
    assert!(bots_status_server::check_listen(&"127.0.0.1:8787".parse().unwrap(), &[]).is_ok());
    let tokens = ["s3cret".parse::<Token>().unwrap()];
    assert!(bots_status_server::check_listen(&"0.0.0.0:8787".parse().unwrap(), &tokens).is_ok());
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .expect("a port");
    let refused = Server::start(Config::default(), listener)
        .await
        .err()
        .expect("refused");
    assert!(refused.contains("--token"), "{refused}");

    let (server, api) = start(Config {
        tokens: Vec::new(),
        ..config()
    })
    .await;
    let health = |host: String| {
        let client = api.client.clone();
        let url = format!("{}/health", api.base);
        async move {
            client
                .get(url)
                .header("Host", host)
                .send()
                .await
                .expect("an answer")
        }
    };
    let port = server.addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "[::1]".to_owned(),
    ] {
        assert_eq!(
            health(host.clone()).await.status(),
            StatusCode::OK,
            "{host}"
        );
    }
    let rebound = health(format!("evil.example:{port}")).await;
    assert_eq!(rebound.status(), StatusCode::FORBIDDEN);
    let body: Value = rebound.json().await.expect("the error shape");
    assert!(error(&body).message.contains("localhost"), "{body}");
}

// It reads with blocking sockets: the server needs a thread of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_never_serve_dotfiles_escapes_or_protocol_relative_redirects() {
    let dir = tempfile::tempdir().expect("a folder");
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("sub")).expect("folders");
    std::fs::write(site.join("index.html"), "<title>app</title>").expect("index");
    std::fs::write(site.join("app.js"), "ok").expect("a file");
    std::fs::write(site.join(".env"), "SECRET=1").expect("a dotfile");
    std::fs::write(dir.path().join("outside.txt"), "private").expect("outside");
    std::os::unix::fs::symlink(dir.path().join("outside.txt"), site.join("link.txt"))
        .expect("a link");
    let (server, _api) = start(Config {
        static_dir: Some(site),
        ..config()
    })
    .await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let get = |path: &str| {
        let url = format!("http://{}{path}", server.addr);
        let client = client.clone();
        async move { client.get(url).send().await.expect("an answer") }
    };
    assert_eq!(get("/app.js").await.text().await.expect("text"), "ok");
    assert!(
        get("/agents")
            .await
            .text()
            .await
            .expect("text")
            .contains("<title>app")
    );
    // Sent as they are: an HTTP client would tidy some of these paths before sending them.
    let raw = |path: &str| {
        let mut socket = std::net::TcpStream::connect(server.addr).expect("connects");
        write!(
            socket,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        )
        .expect("a request");
        let mut answer = String::new();
        socket.read_to_string(&mut answer).expect("an answer");
        answer
    };
    for path in [
        "/.env",
        "/%2eenv",
        "/link.txt",
        "//evil.example",
        "//evil.example/x",
        "/sub//x",
        "/%2e%2e/outside.txt",
        "/sub/%2e%2e/%2e%2e/outside.txt",
        "/%2fetc%2fpasswd",
    ] {
        let answer = raw(path);
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
        assert!(
            !answer.to_ascii_lowercase().contains("\r\nlocation:"),
            "{path} redirects: {answer}"
        );
        assert!(
            answer.contains("\"code\":\"not_found\""),
            "{path}: {answer}"
        );
        assert!(
            !answer.contains("private") && !answer.contains("SECRET"),
            "{path}: {answer}"
        );
    }
}

#[tokio::test]
async fn every_rejection_has_the_error_shape_and_latency_is_capped() {
    let (_server, api) = start(config()).await;
    let (status, body) = api
        .call(
            reqwest::Method::DELETE,
            "/connectors/1?version=abc",
            ADMIN,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error(&body).field.as_deref(), Some("version"));
    let (status, body) = api
        .call(reqwest::Method::PATCH, "/connectors", ADMIN, None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error(&body).code, ErrorCode::MethodNotAllowed);
    let (status, body) = api
        .set_faults(ADMIN, json!({"latencyMs": 86_400_000}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error(&body).field.as_deref(), Some("latencyMs"));
    let response = api
        .client
        .get(api.base.trim_end_matches("/api/v1").to_owned() + "/nothing")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.expect("the error shape");
    assert_eq!(error(&body).code, ErrorCode::NotFound);
}

#[test]
fn the_release_server_unwinds_on_a_panic_while_the_wasm_app_aborts() {
    // The workspace's release profile is the server's: a handler's panic must unwind into a
    // 500 (the catch-panic layer), not end the process. wasm32-unknown-unknown aborts by
    // itself, so the app keeps its size.
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml"))
            .expect("the workspace manifest");
    let release = manifest
        .split("[profile.release]")
        .nth(1)
        .expect("a release profile")
        .split("\n[")
        .next()
        .unwrap_or_default();
    assert!(!release.contains("panic = \"abort\""), "{release}");
}

/// The periodic load update streams only the counts (`Change::Load`), and what it changes is
/// saved: a restarted server's fleet is the fleet before plus every change it streamed.
#[tokio::test]
async fn a_load_update_streams_only_the_counts_and_a_restart_keeps_them() {
    use bots_status_core::simulator::Change;
    let (_dir, db) = temp_db();
    let settings = |tick: Duration| Config {
        db: Some(db.clone()),
        speed: bots_status_server::Speed::Times(60),
        tick,
        ..config()
    };
    // Every 50 ms the simulation moves 3 s on: a load update every half second.
    let (server, api) = start(settings(Duration::from_millis(50))).await;
    let before = api.fleet().await;
    let mut stream = Stream::open(&api, before.last_event_id).await;
    let first_load = tokio::time::timeout(Duration::from_secs(20), async {
        for _ in 0..5_000 {
            if let (_, Change::Load { id, .. }) = stream.change().await {
                return Some(id);
            }
        }
        None
    })
    .await
    .expect("a load update within 20 s");
    assert!(first_load.is_some(), "a load update within 5,000 changes");
    server.stop().await;

    // The restarted server (its clock all but stopped) replays what it saved.
    let (_server, api) = start(settings(Duration::from_secs(3600))).await;
    let after = api.fleet().await;
    let mut replayed = before.connectors.clone();
    let mut stream = Stream::open(&api, before.last_event_id).await;
    let mut loads = 0;
    while stream.last < after.last_event_id {
        match stream.change().await.1 {
            Change::Connector(c) => match replayed.iter_mut().find(|x| x.id == c.id) {
                Some(x) => *x = *c,
                None => replayed.push(*c),
            },
            Change::Load {
                id,
                version,
                conversations,
            } => {
                loads += 1;
                let c = replayed.iter_mut().find(|x| x.id == id).expect("known");
                assert!(version > c.version, "a load moves the version on");
                c.version = version;
                c.concurrent_conversations = conversations;
            }
            Change::Removed(id) => replayed.retain(|x| x.id != id),
            Change::Pcs(_) => {}
        }
    }
    assert!(loads > 0, "the saved changes hold the load update");
    let mut saved = after.connectors;
    saved.sort_by_key(|c| c.id);
    replayed.sort_by_key(|c| c.id);
    assert_eq!(saved, replayed);
}
