//! SQLite: the connectors one row each, the rest of the simulator as one document, and every
//! numbered change. A commit writes all three in one transaction.

use std::collections::VecDeque;
use std::path::Path;

use bots_status_core::api::Event;
use bots_status_core::simulator::{Change, Simulator};
use rusqlite::{Connection, OptionalExtension, params};

/// The shape of what is stored; a file of another format is refused, not misread.
const FORMAT: i64 = 1;

pub struct Db {
    conn: Connection,
}

pub struct Loaded {
    pub sim: Simulator,
    pub log: VecDeque<Event>,
    pub last_event_id: u64,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("SQLite: {e}")
}

impl Db {
    pub fn open(path: Option<&Path>) -> Result<Db, String> {
        let conn = match path {
            Some(path) => Connection::open(path)
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?,
            None => Connection::open_in_memory().map_err(err)?,
        };
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS connectors (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, body TEXT NOT NULL);",
        )
        .map_err(err)?;
        let db = Db { conn };
        if let Some(format) = db.meta("format")?
            && format != FORMAT.to_string()
        {
            return Err(format!(
                "the database holds format {format}; this server reads format {FORMAT}. Start with another --db file."
            ));
        }
        Ok(db)
    }

    fn meta(&self, key: &str) -> Result<Option<String>, String> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(err)
    }

    /// What was saved, with the last `log_len` changes, or `None` for a new database.
    pub fn load(&mut self, log_len: usize) -> Result<Option<Loaded>, String> {
        let Some(rest) = self.meta("simulator")? else {
            return Ok(None);
        };
        let mut sim: Simulator = serde_json::from_str(&rest)
            .map_err(|e| format!("the saved simulator cannot be read: {e}"))?;
        let mut rows = self
            .conn
            .prepare("SELECT body FROM connectors ORDER BY id")
            .map_err(err)?;
        sim.fleet.connectors = rows
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(err)?
            .map(|body| {
                let body = body.map_err(err)?;
                serde_json::from_str(&body)
                    .map_err(|e| format!("a saved connector cannot be read: {e}"))
            })
            .collect::<Result<_, String>>()?;
        drop(rows);
        let last_event_id: u64 = self
            .meta("last_event_id")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut events = self
            .conn
            .prepare("SELECT id, body FROM events WHERE id > ?1 ORDER BY id")
            .map_err(err)?;
        let from = last_event_id.saturating_sub(log_len as u64) as i64;
        let log = events
            .query_map([from], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(err)?
            .map(|row| {
                let (id, body) = row.map_err(err)?;
                let change: Change = serde_json::from_str(&body)
                    .map_err(|e| format!("a saved change cannot be read: {e}"))?;
                Ok(Event {
                    id: id as u64,
                    change,
                })
            })
            .collect::<Result<VecDeque<_>, String>>()?;
        drop(events);
        // Older changes are no use to a stream: it reads the list again instead.
        self.conn
            .execute("DELETE FROM events WHERE id <= ?1", [from])
            .map_err(err)?;
        Ok(Some(Loaded {
            sim,
            log,
            last_event_id,
        }))
    }

    /// Saves a new fleet whole.
    pub fn save_all(&mut self, sim: &mut Simulator) -> Result<(), String> {
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute("DELETE FROM connectors", []).map_err(err)?;
        {
            let mut insert = tx
                .prepare("INSERT INTO connectors (id, body) VALUES (?1, ?2)")
                .map_err(err)?;
            for c in sim.connectors() {
                let body = serde_json::to_string(c).map_err(err)?;
                insert.execute(params![c.id.0 as i64, body]).map_err(err)?;
            }
        }
        write_rest(&tx, sim)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('format', ?1), ('last_event_id', '0')",
            [FORMAT.to_string()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Saves the connectors `events` touched, the rest of the simulator and the events.
    pub fn save_changes(&mut self, sim: &mut Simulator, events: &[Event]) -> Result<(), String> {
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut upsert = tx
                .prepare("INSERT OR REPLACE INTO connectors (id, body) VALUES (?1, ?2)")
                .map_err(err)?;
            let mut delete = tx
                .prepare("DELETE FROM connectors WHERE id = ?1")
                .map_err(err)?;
            let mut event = tx
                .prepare("INSERT INTO events (id, body) VALUES (?1, ?2)")
                .map_err(err)?;
            for e in events {
                match &e.change {
                    Change::Connector(c) => {
                        let body = serde_json::to_string(c).map_err(err)?;
                        upsert.execute(params![c.id.0 as i64, body]).map_err(err)?;
                    }
                    Change::Removed(id) => {
                        delete.execute([id.0 as i64]).map_err(err)?;
                    }
                    Change::Pcs(_) => {}
                }
                let body = serde_json::to_string(&e.change).map_err(err)?;
                event.execute(params![e.id as i64, body]).map_err(err)?;
            }
        }
        write_rest(&tx, sim)?;
        let last = events.last().map_or(0, |e| e.id);
        tx.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_event_id', ?1)",
            [last.to_string()],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }
}

/// The simulator without its connectors (they have their own rows).
fn write_rest(tx: &rusqlite::Transaction<'_>, sim: &mut Simulator) -> Result<(), String> {
    let connectors = std::mem::take(&mut sim.fleet.connectors);
    let body = serde_json::to_string(sim);
    sim.fleet.connectors = connectors;
    let body = body.map_err(err)?;
    tx.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('simulator', ?1)",
        [body],
    )
    .map_err(err)?;
    Ok(())
}
