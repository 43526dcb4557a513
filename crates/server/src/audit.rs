//! The fleet's durable record in SQLite: every status change and every operator action, one
//! row each, written in the transaction of the change it records and pruned in the same one
//! (by age, and by bytes, oldest first). Read for `GET /api/v1/history` and
//! `GET /api/v1/connectors/{id}/timeline` on a connection of its own, so a write in progress
//! (or a lock another process holds) does not hold up a read.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bots_status_core::audit::{Entry, EntryKind, HistoryQuery, PAGE_MAX};
use bots_status_core::model::{ConnectorId, Environment, Millis};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction, params, params_from_iter};

use crate::persist::SaveError;

pub const TABLE: &str = "CREATE TABLE IF NOT EXISTS history (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        connector INTEGER,
        bot TEXT NOT NULL,
        agent TEXT NOT NULL,
        environment TEXT,
        component TEXT,
        actor TEXT,
        problem INTEGER NOT NULL,
        size INTEGER NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS history_at ON history (at);
    CREATE INDEX IF NOT EXISTS history_connector ON history (connector, id);";

/// How much of the past the record keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keep {
    /// Entries older than this (in the fleet's time) go.
    pub age: Duration,
    /// The oldest entries go while the rows hold more than this.
    pub bytes: u64,
}

impl Default for Keep {
    fn default() -> Keep {
        Keep {
            age: Duration::from_secs(30 * 24 * 3600),
            bytes: 256 * 1024 * 1024,
        }
    }
}

/// Where the record stands: the next entry's id and what the rows hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub next_id: u64,
    pub bytes: u64,
}

impl Tally {
    pub fn read(conn: &Connection) -> rusqlite::Result<Tally> {
        conn.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1, COALESCE(SUM(size), 0) FROM history",
            [],
            |r| {
                Ok(Tally {
                    next_id: r.get::<_, i64>(0)? as u64,
                    bytes: r.get::<_, i64>(1)? as u64,
                })
            },
        )
    }
}

fn environment_text(e: Environment) -> &'static str {
    e.label()
}

fn kind_text(k: EntryKind) -> &'static str {
    match k {
        EntryKind::Status => "status",
        EntryKind::Action => "action",
    }
}

/// Writes `entries` (numbering them from the tally on) and prunes what `keep` lets go of as
/// of `now`; returns the tally once the transaction commits.
pub fn write(
    tx: &Transaction<'_>,
    entries: &mut [Entry],
    tally: Tally,
    keep: &Keep,
    now: Millis,
) -> Result<Tally, SaveError> {
    let mut tally = tally;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO history (id, at, kind, connector, bot, agent, environment, component, actor, problem, size, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for entry in entries.iter_mut() {
            entry.id = tally.next_id;
            let body = serde_json::to_string(entry)?;
            // The row's text and the bookkeeping around it.
            let size = body.len() as u64 + 64;
            insert.execute(params![
                entry.id as i64,
                entry.at.0 as i64,
                kind_text(entry.kind),
                entry.connector.map(|c| c.0 as i64),
                entry.bot,
                entry.agent,
                entry.environment.map(environment_text),
                entry.component.map(|d| d.slug()),
                entry.actor,
                entry.problem,
                size as i64,
                body,
            ])?;
            tally.next_id += 1;
            tally.bytes += size;
        }
    }
    let cutoff = now.0.saturating_sub(keep.age.as_millis() as u64);
    let aged: i64 = tx.query_row(
        "SELECT COALESCE(SUM(size), 0) FROM history WHERE at < ?1",
        [cutoff as i64],
        |r| r.get(0),
    )?;
    if aged > 0 {
        tx.execute("DELETE FROM history WHERE at < ?1", [cutoff as i64])?;
        tally.bytes = tally.bytes.saturating_sub(aged as u64);
    }
    if tally.bytes > keep.bytes {
        // The oldest rows whose sizes add up to what is over, and no more.
        let over = tally.bytes - keep.bytes;
        let last: Option<i64> = tx.query_row(
            "SELECT MIN(id) FROM (SELECT id, SUM(size) OVER (ORDER BY id) AS run FROM history) WHERE run >= ?1",
            [over as i64],
            |r| r.get(0),
        )?;
        if let Some(last) = last {
            let freed: i64 = tx.query_row(
                "SELECT COALESCE(SUM(size), 0) FROM history WHERE id <= ?1",
                [last],
                |r| r.get(0),
            )?;
            tx.execute("DELETE FROM history WHERE id <= ?1", [last])?;
            tally.bytes = tally.bytes.saturating_sub(freed as u64);
        }
    }
    Ok(tally)
}

/// Reads the record, on its own connection (or, for a database in memory, the writer's).
#[derive(Clone)]
pub struct Reader {
    conn: Arc<Mutex<Connection>>,
}

fn sqlite(e: rusqlite::Error) -> String {
    format!("the history cannot be read (SQLite: {e})")
}

impl Reader {
    pub fn new(conn: Arc<Mutex<Connection>>) -> Reader {
        Reader { conn }
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The page `query` asks for, newest first, as the JSON the API answers: the rows'
    /// bodies as they were written, and where the next page starts.
    pub fn page(&self, query: &HistoryQuery) -> Result<String, String> {
        let mut clauses = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        // Each `?` of a clause takes the next of its values.
        let mut add_all = |clause: &str, given: Vec<Value>| {
            let mut numbered = String::new();
            for (i, part) in clause.split('?').enumerate() {
                if i > 0 {
                    numbered.push_str(&format!("?{}", values.len() + i));
                }
                numbered.push_str(part);
            }
            values.extend(given);
            clauses.push(numbered);
        };

        if let Some(c) = query.connector {
            add_all("connector = ?", vec![Value::Integer(c.0 as i64)]);
        }
        if let Some(bot) = &query.bot {
            add_all("bot = ? COLLATE NOCASE", vec![Value::Text(bot.clone())]);
        }
        if let Some(e) = query.environment {
            add_all(
                "environment = ?",
                vec![Value::Text(environment_text(e).to_owned())],
            );
        }
        if let Some(d) = query.component {
            add_all("component = ?", vec![Value::Text(d.slug().to_owned())]);
        }
        if let Some(actor) = &query.actor {
            add_all("actor = ? COLLATE NOCASE", vec![Value::Text(actor.clone())]);
        }
        if let Some(k) = query.kind {
            add_all("kind = ?", vec![Value::Text(kind_text(k).to_owned())]);
        }
        let text = query.text.trim();
        if !text.is_empty() {
            // LIKE ignores ASCII case; its wildcards in the text are taken as themselves.
            let escaped: String = text
                .chars()
                .flat_map(|c| match c {
                    '%' | '_' | '\\' => vec!['\\', c],
                    c => vec![c],
                })
                .collect();
            let pattern = Value::Text(format!("%{escaped}%"));
            match query.text_number() {
                Some(number) => add_all(
                    "(bot LIKE ? ESCAPE '\\' OR agent LIKE ? ESCAPE '\\' OR connector = ?)",
                    vec![pattern.clone(), pattern, Value::Integer(number as i64)],
                ),
                None => add_all(
                    "(bot LIKE ? ESCAPE '\\' OR agent LIKE ? ESCAPE '\\')",
                    vec![pattern.clone(), pattern],
                ),
            }
        }
        if query.problems_only {
            add_all("problem = ?", vec![Value::Integer(1)]);
        }
        if let Some(t) = query.since {
            add_all("at >= ?", vec![Value::Integer(t.0 as i64)]);
        }
        if let Some(t) = query.until {
            add_all("at < ?", vec![Value::Integer(t.0 as i64)]);
        }
        if let Some(b) = query.before {
            add_all("id < ?", vec![Value::Integer(b as i64)]);
        }
        let limit = query.limit.clamp(1, PAGE_MAX);
        let sql = format!(
            "SELECT id, body FROM history {} ORDER BY id DESC LIMIT {}",
            if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            },
            limit + 1
        );
        let conn = self.conn();
        let mut statement = conn.prepare_cached(&sql).map_err(sqlite)?;
        let rows: Vec<(i64, String)> = statement
            .query_map(params_from_iter(values), |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(sqlite)?;
        let more = rows.len() > limit;
        let shown = &rows[..rows.len().min(limit)];
        let mut out = String::from("{\"entries\":[");
        for (i, (_, body)) in shown.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(body);
        }
        out.push(']');
        if let (true, Some((id, _))) = (more, shown.last()) {
            out.push_str(&format!(",\"next\":{id}"));
        }
        out.push('}');
        Ok(out)
    }

    /// `connector`'s status changes at or after `since`, oldest first.
    pub fn status_changes(
        &self,
        connector: ConnectorId,
        since: Millis,
    ) -> Result<Vec<Entry>, String> {
        let conn = self.conn();
        let mut statement = conn
            .prepare_cached(
                "SELECT body FROM history WHERE connector = ?1 AND kind = 'status' AND at >= ?2 ORDER BY id",
            )
            .map_err(sqlite)?;
        let bodies: Vec<String> = statement
            .query_map(params![connector.0 as i64, since.0 as i64], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(sqlite)?;
        bodies
            .iter()
            .map(|b| {
                serde_json::from_str(b).map_err(|e| format!("a history row cannot be read: {e}"))
            })
            .collect()
    }

    /// When the record began: nothing before it is known.
    pub fn began(&self) -> Result<Millis, String> {
        let conn = self.conn();
        let raw: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'history_began'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(sqlite)?;
        Ok(Millis(raw.and_then(|r| r.parse().ok()).unwrap_or(0)))
    }
}
