//! SQLite: the connectors one row each, the rest of the simulator as one document, and the
//! recent numbered changes. A commit writes all three in one transaction, and prunes the
//! changes no stream will ask for again in the same one.
//!
//! Opening never guesses: only an absent file (or `--new-fleet`) makes a new fleet. A file
//! that is empty, damaged, someone else's or half-written is refused with what is wrong and
//! what to do, and no row of it is deleted.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bots_status_core::audit::Entry;
use bots_status_core::model::ConnectorId;
use bots_status_core::simulator::{Change, Simulator};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};

use crate::audit::{self, Keep, Reader, Tally};
use crate::log::Logged;
use crate::processes::TokenHash;

/// The shape of what is stored; a file of another format is refused, not misread.
const FORMAT: i64 = 1;
const TABLES: [&str; 3] = ["connectors", "events", "meta"];

pub struct Db {
    /// Shared with the history's reader only when the database lives in memory.
    conn: Arc<Mutex<Connection>>,
    path: Option<PathBuf>,
    busy_timeout: Duration,
    tally: Tally,
    keep: Keep,
}

/// What an existing database holds.
pub struct Loaded {
    pub sim: Simulator,
    /// The kept changes, oldest first.
    pub log: Vec<Logged>,
    pub last_event_id: u64,
}

/// How the database is opened.
#[derive(Clone, Debug)]
pub struct Options {
    /// Replace whatever fleet the file holds with a new one.
    pub new_fleet: bool,
    /// How long a write waits for a lock another process holds before it gives up.
    pub busy_timeout: Duration,
    /// The most the file may grow to (SQLite's `max_page_count`); a write past it fails as a
    /// full disk would.
    pub max_bytes: Option<u64>,
    /// How much of the history is kept.
    pub keep: Keep,
}

/// Why a write was not saved. Each is "Not done": the transaction was rolled back.
#[derive(Debug)]
pub enum SaveError {
    /// Another process holds the write lock longer than the busy timeout.
    Busy,
    /// The disk (or the database's size limit) is full.
    Full,
    Other(String),
}

impl std::fmt::Display for SaveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaveError::Busy => f.write_str(
                "the database is busy (another process holds its write lock), so the change could not be saved",
            ),
            SaveError::Full => f.write_str(
                "the database's disk is full (or the database reached its size limit), so the change could not be saved",
            ),
            SaveError::Other(e) => write!(f, "the change could not be saved ({e})"),
        }
    }
}

impl From<rusqlite::Error> for SaveError {
    fn from(e: rusqlite::Error) -> SaveError {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => SaveError::Busy,
            Some(ErrorCode::DiskFull) => SaveError::Full,
            _ => SaveError::Other(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for SaveError {
    fn from(e: serde_json::Error) -> SaveError {
        SaveError::Other(e.to_string())
    }
}

fn sqlite(e: impl std::fmt::Display) -> String {
    format!("SQLite: {e}")
}

/// What to do about a file that cannot be used as it is.
fn advice(path: &Path) -> String {
    format!(
        "Restore {} from a backup, or start with --new-fleet to replace it with a new fleet (what it holds is then lost), or give another --db file.",
        path.display()
    )
}

impl Db {
    /// Opens `path` (or memory) and reads what it holds: `None` means a new fleet is to be
    /// made (and saved with [`Db::save_all`]).
    pub fn open(path: Option<&Path>, options: &Options) -> Result<(Db, Option<Loaded>), String> {
        let Some(path) = path else {
            let mut db = Db::connect(Connection::open_in_memory().map_err(sqlite)?, options)?;
            db.create_tables()?;
            return Ok((db, None));
        };
        let existed = path.exists();
        if existed {
            let size = std::fs::metadata(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .len();
            if size == 0 && !options.new_fleet {
                return Err(format!(
                    "{} exists but is empty (0 bytes), so it holds no fleet. A new fleet is made only in a file that does not exist yet: remove it, or start with --new-fleet.",
                    path.display()
                ));
            }
        }
        let conn =
            Connection::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let mut db = Db::connect(conn, options).map_err(|e| {
            format!(
                "{} cannot be used as a Bots Status database: {e}. {}",
                path.display(),
                advice(path)
            )
        })?;
        db.path = Some(path.to_owned());
        if existed {
            db.check_integrity(path)?;
        }
        let tables = db.tables()?;
        let ours = TABLES.iter().all(|t| tables.iter().any(|have| have == t));
        if !tables.is_empty() && !ours {
            return Err(format!(
                "{} is not a Bots Status database (it has the tables {}). Give another --db file.",
                path.display(),
                tables.join(", ")
            ));
        }
        db.create_tables()?;
        if options.new_fleet || tables.is_empty() {
            return Ok((db, None));
        }
        let loaded = db
            .load()
            .map_err(|e| format!("{} cannot be loaded: {e}. {}", path.display(), advice(path)))?;
        Ok((db, Some(loaded)))
    }

    fn connect(conn: Connection, options: &Options) -> Result<Db, String> {
        conn.busy_timeout(options.busy_timeout).map_err(sqlite)?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")
            .map_err(sqlite)?;
        if let Some(bytes) = options.max_bytes {
            let page: u64 = conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .map_err(sqlite)?;
            let pages = (bytes / page.max(1)).max(1);
            conn.pragma_update(None, "max_page_count", pages)
                .map_err(sqlite)?;
        }
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            path: None,
            busy_timeout: options.busy_timeout,
            tally: Tally::default(),
            keep: options.keep,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A reader of the history: its own read-only connection to the file, or (in memory) the
    /// writer's.
    pub fn reader(&self) -> Result<Reader, String> {
        let Some(path) = &self.path else {
            return Ok(Reader::new(self.conn.clone()));
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| format!("cannot open {} to read its history: {e}", path.display()))?;
        conn.busy_timeout(self.busy_timeout).map_err(sqlite)?;
        Ok(Reader::new(Arc::new(Mutex::new(conn))))
    }

    fn check_integrity(&self, path: &Path) -> Result<(), String> {
        let conn = self.conn();
        let mut statement = conn.prepare("PRAGMA quick_check").map_err(|e| {
            format!(
                "{} cannot be checked: {e}. {}",
                path.display(),
                advice(path)
            )
        })?;
        let found: Vec<String> = statement
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| {
                format!(
                    "{} cannot be checked: {e}. {}",
                    path.display(),
                    advice(path)
                )
            })?;
        if found.len() == 1 && found[0] == "ok" {
            return Ok(());
        }
        Err(format!(
            "{} is damaged (SQLite's quick_check found: {}). {}",
            path.display(),
            found.into_iter().take(3).collect::<Vec<_>>().join("; "),
            advice(path)
        ))
    }

    fn tables(&self) -> Result<Vec<String>, String> {
        let conn = self.conn();
        let mut statement = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .map_err(sqlite)?;
        statement
            .query_map([], |r| r.get::<_, String>(0))
            .and_then(|rows| rows.collect())
            .map_err(sqlite)
    }

    /// The tables, and the history's (which a database of an earlier server lacks).
    fn create_tables(&mut self) -> Result<(), String> {
        let conn = self.conn();
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS connectors (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS connector_tokens (connector INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE);",
        )
        .map_err(sqlite)?;
        conn.execute_batch(audit::TABLE).map_err(sqlite)?;
        let tally = Tally::read(&conn).map_err(sqlite)?;
        drop(conn);
        self.tally = tally;
        Ok(())
    }

    fn meta(&self, key: &str) -> Result<Option<String>, String> {
        self.conn()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(sqlite)
    }

    /// Everything an existing fleet's database holds, each part checked: a file missing one
    /// is refused, never taken for a new one.
    fn load(&self) -> Result<Loaded, String> {
        let format = self
            .meta("format")?
            .ok_or("it has no format record, so it was never completely written")?;
        if format != FORMAT.to_string() {
            return Err(format!(
                "it holds format {format}; this server reads format {FORMAT}"
            ));
        }
        let rest = self
            .meta("simulator")?
            .ok_or("it has connectors but not the rest of the fleet (no simulator record)")?;
        let mut sim: Simulator = serde_json::from_str(&rest)
            .map_err(|e| format!("its simulator record cannot be read: {e}"))?;
        let raw_last = self
            .meta("last_event_id")?
            .ok_or("it has no last_event_id record")?;
        let last_event_id: u64 = raw_last
            .parse()
            .map_err(|_| format!("its last_event_id {raw_last:?} is not a number"))?;
        let conn = self.conn();
        let mut rows = conn
            .prepare("SELECT id, body FROM connectors ORDER BY id")
            .map_err(sqlite)?;
        sim.fleet.connectors = rows
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(sqlite)?
            .map(|row| {
                let (id, body) = row.map_err(sqlite)?;
                serde_json::from_str(&body)
                    .map_err(|e| format!("its connector {id} cannot be read: {e}"))
            })
            .collect::<Result<_, String>>()?;
        drop(rows);
        let newest: Option<i64> = conn
            .query_row("SELECT MAX(id) FROM events", [], |r| r.get(0))
            .map_err(sqlite)?;
        if let Some(newest) = newest
            && newest as u64 > last_event_id
        {
            return Err(format!(
                "it holds change {newest}, newer than its last_event_id {last_event_id}"
            ));
        }
        let mut events = conn
            .prepare("SELECT id, body FROM events ORDER BY id")
            .map_err(sqlite)?;
        let log = events
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .map_err(sqlite)?
            .map(|row| {
                let (id, body) = row.map_err(sqlite)?;
                // Read it once, so a damaged change is found now, not by a stream later.
                serde_json::from_str::<Change>(&body)
                    .map_err(|e| format!("its change {id} cannot be read: {e}"))?;
                Ok(Logged {
                    id: id as u64,
                    data: body,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        drop(events);
        // A fleet saved by a server without a history: its history begins now.
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('history_began', ?1)",
            [sim.now().0.to_string()],
        )
        .map_err(sqlite)?;
        Ok(Loaded {
            sim,
            log,
            last_event_id,
        })
    }

    /// The connector tokens' hashes, and whose each is.
    pub fn tokens(&self) -> Result<Vec<(ConnectorId, TokenHash)>, String> {
        let conn = self.conn();
        let mut rows = conn
            .prepare("SELECT connector, hash FROM connector_tokens")
            .map_err(sqlite)?;
        rows.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .map_err(sqlite)?
            .map(|row| {
                let (id, hash) = row.map_err(sqlite)?;
                let hash = TokenHash::try_from(hash.as_slice())
                    .map_err(|_| format!("the token of connector {id} is damaged"))?;
                Ok((ConnectorId(id as u64), hash))
            })
            .collect()
    }

    /// Saves a new fleet whole, replacing what the file held (`--new-fleet`, or a new file).
    pub fn save_all(&mut self, sim: &mut Simulator) -> Result<(), String> {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(sqlite)?;
        tx.execute("DELETE FROM connectors", []).map_err(sqlite)?;
        tx.execute("DELETE FROM events", []).map_err(sqlite)?;
        // Connector numbers are reused: another fleet's history would be misread as this one's.
        tx.execute("DELETE FROM history", []).map_err(sqlite)?;
        tx.execute("DELETE FROM connector_tokens", [])
            .map_err(sqlite)?;
        {
            let mut insert = tx
                .prepare("INSERT INTO connectors (id, body) VALUES (?1, ?2)")
                .map_err(sqlite)?;
            for c in sim.connectors() {
                let body = serde_json::to_string(c).map_err(sqlite)?;
                insert
                    .execute(params![c.id.0 as i64, body])
                    .map_err(sqlite)?;
            }
        }
        write_rest(&tx, sim).map_err(|e| e.to_string())?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?1), ('last_event_id', '0'), ('history_began', ?2)",
            [FORMAT.to_string(), sim.now().0.to_string()],
        )
        .map_err(sqlite)?;
        tx.commit().map_err(sqlite)?;
        drop(conn);
        self.tally = Tally::default();
        self.tally.next_id = 1;
        Ok(())
    }

    /// Saves the connectors `events` touched, the rest of the simulator, the events and the
    /// history `entries` (numbering them), and forgets the changes older than `keep_from` and
    /// the history the retention lets go of, in one transaction: all of it or nothing.
    pub fn save_changes(
        &mut self,
        sim: &mut Simulator,
        changes: &[Change],
        events: &[Logged],
        keep_from: u64,
        entries: &mut [Entry],
        tokens: &[(ConnectorId, TokenHash)],
    ) -> Result<(), SaveError> {
        let conn = self.conn.clone();
        let mut conn = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut upsert =
                tx.prepare_cached("INSERT OR REPLACE INTO connectors (id, body) VALUES (?1, ?2)")?;
            let mut delete = tx.prepare_cached("DELETE FROM connectors WHERE id = ?1")?;
            let mut event = tx.prepare_cached("INSERT INTO events (id, body) VALUES (?1, ?2)")?;
            let mut forget =
                tx.prepare_cached("DELETE FROM connector_tokens WHERE connector = ?1")?;
            for (change, e) in changes.iter().zip(events) {
                match change {
                    Change::Connector(c) => {
                        upsert.execute(params![c.id.0 as i64, serde_json::to_string(c)?])?;
                    }
                    Change::Load { id, .. } => {
                        if let Some(c) = sim.connector(*id) {
                            upsert.execute(params![id.0 as i64, serde_json::to_string(c)?])?;
                        }
                    }
                    Change::Removed(id) => {
                        delete.execute([id.0 as i64])?;
                        forget.execute([id.0 as i64])?;
                    }
                    Change::Pcs(_) => {}
                }
                event.execute(params![e.id as i64, e.data])?;
            }
            let mut issue = tx.prepare_cached(
                "INSERT OR REPLACE INTO connector_tokens (connector, hash) VALUES (?1, ?2)",
            )?;
            for (id, hash) in tokens {
                issue.execute(params![id.0 as i64, &hash[..]])?;
            }
        }
        let tally = audit::write(&tx, entries, self.tally, &self.keep, sim.now())?;
        if let Some(last) = events.last() {
            tx.execute("DELETE FROM events WHERE id < ?1", [keep_from as i64])?;
            write_rest(&tx, sim)?;
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_event_id', ?1)",
                [last.id.to_string()],
            )?;
        }
        tx.commit()?;
        self.tally = tally;
        Ok(())
    }
}

/// The simulator without its connectors (they have their own rows).
fn write_rest(tx: &rusqlite::Transaction<'_>, sim: &mut Simulator) -> Result<(), SaveError> {
    let connectors = std::mem::take(&mut sim.fleet.connectors);
    let body = serde_json::to_string(sim);
    sim.fleet.connectors = connectors;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('simulator', ?1)",
        [body?],
    )?;
    Ok(())
}
