//! The [`Store`]: an SQLite database (WAL mode) under the data folder that is trove's source of
//! truth. It holds documents (flattened fields plus zstd-compressed raw JSON), per-source sync
//! state, skipped records, and a monotonically increasing change sequence.
//!
//! Every upsert stamps the document row with the next sequence number; every delete moves the
//! id to `tombstones` with the next number. The index records the last number it applied (see
//! [`crate::index`]) and catches up with [`Store::changes_since`], so a crash between a store
//! write and an index commit loses nothing and duplicates nothing.

mod attachments;
mod parts;
mod sink;
mod sources;
mod vectors;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::document::{Document, SourceKind};

pub use sink::SourceSink;
pub use sources::{SourceStatus, SyncRun};
pub use vectors::{Quantized, Unembedded};

/// File name of the store inside the data folder.
pub const STORE_FILE: &str = "store.sqlite3";

/// A store failure. `Corrupt` and `Sqlite` are internal; the message says which file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "cannot create the data folder {path} (choose another with --data-dir or TROVE_DATA_DIR)"
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("store")]
    Sqlite(#[from] rusqlite::Error),
    /// A write failed because the disk is full, or a file size limit was reached.
    #[error("the disk holding {path} is full (no space left, or a file size limit reached)")]
    DiskFull {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("store holds an unreadable record {id}: {message}")]
    Corrupt { id: String, message: String },
    /// A `for_each` callback could not write its output.
    #[error("writing output")]
    Output(#[from] std::io::Error),
    #[error("store was written by a newer trove (store version {found}, this build knows {known}); upgrade trove")]
    TooNew { found: i64, known: i64 },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Store layout version (bumped on incompatible table changes).
const STORE_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    source TEXT NOT NULL,
    source_kind TEXT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT NOT NULL,
    path TEXT NOT NULL,
    parent_id TEXT,
    authors TEXT NOT NULL,
    created_at TEXT,
    updated_at TEXT,
    tags TEXT NOT NULL,
    raw BLOB,
    hash INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_seq ON documents(seq);
-- (source, source_kind) covers the per-source counts and kinds of `source_statuses`; it
-- replaces the index on `source` alone of older stores.
CREATE INDEX IF NOT EXISTS documents_source_kind ON documents(source, source_kind);
DROP INDEX IF EXISTS documents_source;
CREATE INDEX IF NOT EXISTS documents_parent ON documents(parent_id);
CREATE TABLE IF NOT EXISTS tombstones (id TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS tombstones_seq ON tombstones(seq);
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT,
    status TEXT NOT NULL DEFAULT 'never synced',
    last_sync_at TEXT,
    last_error TEXT,
    last_summary TEXT
);
CREATE TABLE IF NOT EXISTS skipped (
    source TEXT NOT NULL,
    native_id TEXT NOT NULL,
    what TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (source, native_id)
);
";

/// `path` as the path part of an SQLite `file:` URI (`?`, `#` and `%` escaped).
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '?' | '#' | '%' => out.push_str(&format!("%{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Creates the store file owner-only before SQLite does (SQLite gives the `-wal` and `-shm`
/// files the database file's mode), and tightens the files of an older, looser store. A
/// failure is left to SQLite's open, which names the file.
fn prepare_store_files(path: &Path) {
    if let Err(e) = crate::private::prepare_file(path) {
        tracing::debug!(path = %path.display(), error = %e, "cannot pre-create the store file");
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        crate::private::tighten(Path::new(&side), crate::private::FILE_MODE);
    }
}

/// What an upsert did to one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Added,
    Updated,
    /// Same content as stored: no new change sequence number.
    Unchanged,
}

/// One change for the index to apply.
#[derive(Debug)]
pub enum Change {
    Upsert(Box<Document>),
    Delete(String),
}

/// The SQLite-backed document store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`. An existing store in a folder this
    /// process cannot write is opened read-only instead ([`is_read_only`](Self::is_read_only)):
    /// reading works, and the first write fails naming the read-only database.
    pub fn open(data_dir: &Path) -> Result<Store> {
        let path = data_dir.join(STORE_FILE);
        if path.exists() && !crate::private::writable(data_dir) {
            return Self::open_read_only(&path);
        }
        // Owner-only: the documents are everything synced from the workspaces.
        crate::private::create_dir(data_dir).map_err(|source| StoreError::CreateDir {
            path: data_dir.to_owned(),
            source,
        })?;
        let path = data_dir.join(STORE_FILE);
        prepare_store_files(&path);
        let conn = Connection::open(&path).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL in WAL mode is durable against process crashes (what `kill -9` does).
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(vectors::SCHEMA)?;
        conn.execute_batch(parts::SCHEMA)?;
        conn.execute_batch(attachments::SCHEMA)?;
        let store = Store {
            conn,
            path,
            read_only: false,
        };
        store.check_version()?;
        Ok(store)
    }

    /// Opens the store at `path` without writing anything: no schema, no journal mode, no
    /// `-wal`/`-shm` files. SQLite needs those files to read a WAL database; when they are
    /// absent (trove closed cleanly) and cannot be created, the file is read as immutable.
    fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut last = None;
        for mode in ["mode=ro", "immutable=1"] {
            let uri = format!("file:{}?{mode}", uri_path(path));
            let attempt = Connection::open_with_flags(&uri, flags).and_then(|conn| {
                conn.query_row("SELECT count(*) FROM meta", [], |r| r.get::<_, i64>(0))?;
                Ok(conn)
            });
            match attempt {
                Ok(conn) => {
                    let store = Store {
                        conn,
                        path: path.to_owned(),
                        read_only: true,
                    };
                    store.check_version()?;
                    return Ok(store);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(StoreError::Open {
            path: path.to_owned(),
            source: last.unwrap_or(rusqlite::Error::InvalidQuery),
        })
    }

    /// Whether the store was opened read-only (its folder is not writable).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn check_version(&self) -> Result<()> {
        match self.meta("store_version")? {
            None if self.read_only => Ok(()),
            None => self.set_meta("store_version", &STORE_VERSION.to_string()),
            Some(v) => {
                let found = v.parse::<i64>().unwrap_or(i64::MAX);
                if found > STORE_VERSION {
                    return Err(StoreError::TooNew {
                        found,
                        known: STORE_VERSION,
                    });
                }
                Ok(())
            }
        }
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// The highest change sequence number handed out so far (0 for an empty store).
    pub fn max_seq(&self) -> Result<u64> {
        Ok(read_seq(&self.conn)?)
    }

    /// Upserts documents in one transaction. Returns what happened to each.
    pub fn upsert_all(&mut self, docs: &[Document]) -> Result<Vec<Upserted>> {
        let written = (|| {
            let tx = self.conn.transaction()?;
            let out = upsert_in(&tx, docs)?;
            tx.commit()?;
            Ok(out)
        })();
        written.map_err(|e| self.diagnose(e))
    }

    /// Deletes documents (and their subtrees by `parent_id`) in one transaction; returns the
    /// number of documents removed.
    pub fn delete_all(&mut self, ids: &[String]) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let n = delete_in(&tx, ids)?;
        tx.commit()?;
        Ok(n)
    }

    /// One document by id, raw JSON included.
    pub fn get(&self, id: &str) -> Result<Option<Document>> {
        let sql = format!("SELECT {DOC_COLUMNS}, raw FROM documents WHERE id = ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([id])?;
        match rows.next()? {
            Some(row) => Ok(Some(doc_from_row(row, true)?)),
            None => Ok(None),
        }
    }

    /// Bodies of several documents, for snippets (missing ids are left out).
    pub fn bodies(&self, ids: &[&str]) -> Result<std::collections::HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT body FROM documents WHERE id = ?1")?;
        let mut out = std::collections::HashMap::new();
        for id in ids {
            if let Some(body) = stmt.query_row([id], |r| r.get::<_, String>(0)).optional()? {
                out.insert((*id).to_owned(), body);
            }
        }
        Ok(out)
    }

    /// The first `max_chars` characters of several bodies, for snippets (missing ids are left
    /// out). SQLite cuts them, so a 20 MB body is never copied whole into the process.
    pub fn body_prefixes(
        &self,
        ids: &[&str],
        max_chars: usize,
    ) -> Result<std::collections::HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT substr(body, 1, ?2) FROM documents WHERE id = ?1")?;
        let max = i64::try_from(max_chars).unwrap_or(i64::MAX);
        let mut out = std::collections::HashMap::new();
        for id in ids {
            let row = stmt.query_row(rusqlite::params![id, max], |r| r.get::<_, String>(0));
            if let Some(body) = row.optional()? {
                out.insert((*id).to_owned(), body);
            }
        }
        Ok(out)
    }

    /// Runs `f`'s reads in one read transaction: one snapshot, and one round of SQLite's file
    /// locking for all of them instead of one per statement (a page of hits reads ten bodies).
    pub fn reading<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let out = f(self);
        // Nothing was written: ending the transaction either way only releases the snapshot.
        drop(tx);
        out
    }

    /// The first `max_bytes` of a document's body (cut back to a whole character), and whether
    /// that is the whole body; `None` for an unknown id. A body of at most `max_bytes` (most
    /// are) comes whole with the row's lookup; a longer one is read with SQLite's incremental
    /// blob reads, which load only the pages holding those bytes, not the whole body.
    /// (`octet_length` reads the stored size without loading the value; opening a blob
    /// compiles a statement each time, a third of a short body's read.)
    pub fn body_head(&self, id: &str, max_bytes: usize) -> Result<Option<(String, bool)>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT rowid, CASE WHEN octet_length(body) <= ?2 THEN body END \
                 FROM documents WHERE id = ?1",
            )?
            .query_row(
                rusqlite::params![id, i64::try_from(max_bytes).unwrap_or(i64::MAX)],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)),
            )
            .optional()?;
        let rowid = match row {
            None => return Ok(None),
            Some((_, Some(whole))) => return Ok(Some((whole, true))),
            Some((rowid, None)) => rowid,
        };
        let blob = self
            .conn
            .blob_open(rusqlite::MAIN_DB, c"documents", c"body", rowid, true)?;
        let n = blob.len().min(max_bytes);
        let mut buf = vec![0u8; n];
        blob.read_at_exact(&mut buf, 0)?;
        let whole = n == blob.len();
        let text = match String::from_utf8(buf) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let mut b = e.into_bytes();
                b.truncate(valid);
                String::from_utf8(b).unwrap_or_default()
            }
        };
        Ok(Some((text, whole)))
    }

    /// The titles and bodies of the first documents in storage order (a sample), as long as
    /// `takes` accepts them: reading stops at the first it refuses.
    pub fn sample_texts(
        &self,
        mut takes: impl FnMut(&str, &str) -> bool,
    ) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT title, body FROM documents")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let (title, body): (String, String) = (row.get(0)?, row.get(1)?);
            if !takes(&title, &body) {
                break;
            }
            out.push((title, body));
        }
        Ok(out)
    }

    /// Calls `f` with every document (ordered by id), optionally of one source.
    pub fn for_each(
        &self,
        source: Option<&str>,
        with_raw: bool,
        mut f: impl FnMut(Document) -> Result<()>,
    ) -> Result<u64> {
        let raw_col = if with_raw { ", raw" } else { "" };
        let sql = format!(
            "SELECT {DOC_COLUMNS}{raw_col} FROM documents WHERE (?1 IS NULL OR source = ?1) ORDER BY id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([source])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            f(doc_from_row(row, with_raw)?)?;
            n += 1;
        }
        Ok(n)
    }

    /// Streams every change with sequence number in `(after, upto]` to `f`, where `upto` is the
    /// store's sequence at the start of the call (read in one snapshot). Returns `upto`.
    pub fn changes_since(
        &mut self,
        after: u64,
        mut f: impl FnMut(Change) -> Result<()>,
    ) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let upto = read_seq(&tx)?;
        {
            let mut dels = tx.prepare("SELECT id FROM tombstones WHERE seq > ?1 AND seq <= ?2")?;
            let mut rows = dels.query(params![after as i64, upto as i64])?;
            while let Some(row) = rows.next()? {
                f(Change::Delete(row.get(0)?))?;
            }
            // From zero (a rebuild) the table is read in storage order: every row of the
            // snapshot is <= upto, and skipping the sort makes the scan sequential.
            let sql = if after == 0 {
                format!("SELECT {DOC_COLUMNS} FROM documents WHERE ?1 = 0 AND ?2 >= 0")
            } else {
                format!(
                    "SELECT {DOC_COLUMNS} FROM documents WHERE seq > ?1 AND seq <= ?2 ORDER BY seq"
                )
            };
            let mut docs = tx.prepare(&sql)?;
            let mut rows = docs.query(params![after as i64, upto as i64])?;
            while let Some(row) = rows.next()? {
                f(Change::Upsert(Box::new(doc_from_row(row, false)?)))?;
            }
        }
        tx.finish()?;
        Ok(upto)
    }

    /// Streams every change with sequence number in `(after, upto]` to `f` as `(seq, change)`,
    /// `upto` being the store's sequence at the start of the call (one snapshot): deletes
    /// first, then upserts in sequence order with their raw JSON. Because tombstoned and stored
    /// ids are disjoint, a consumer that has applied every delete and the upserts up to some
    /// `seq` reflects the store up to `seq`, which makes progress recordable mid-stream (the
    /// cluster push relies on this). Returns `upto`.
    pub fn changes_in_order(
        &mut self,
        after: u64,
        mut f: impl FnMut(u64, Change) -> Result<()>,
    ) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let upto = read_seq(&tx)?;
        {
            let mut dels =
                tx.prepare("SELECT seq, id FROM tombstones WHERE seq > ?1 AND seq <= ?2")?;
            let mut rows = dels.query(params![after as i64, upto as i64])?;
            while let Some(row) = rows.next()? {
                f(row.get::<_, i64>(0)? as u64, Change::Delete(row.get(1)?))?;
            }
            let sql = format!(
                "SELECT {DOC_COLUMNS}, raw, seq FROM documents WHERE seq > ?1 AND seq <= ?2 ORDER BY seq"
            );
            let mut docs = tx.prepare(&sql)?;
            let mut rows = docs.query(params![after as i64, upto as i64])?;
            while let Some(row) = rows.next()? {
                let seq = row.get::<_, i64>(14)? as u64;
                f(seq, Change::Upsert(Box::new(doc_from_row(row, true)?)))?;
            }
        }
        tx.finish()?;
        Ok(upto)
    }

    /// A value other parts of trove keep in the store's `meta` table (e.g. what was pushed to
    /// a cluster), by key.
    pub fn note(&self, key: &str) -> Result<Option<String>> {
        self.meta(&format!("note:{key}"))
    }

    /// Sets a [`note`](Self::note).
    pub fn set_note(&self, key: &str, value: &str) -> Result<()> {
        self.set_meta(&format!("note:{key}"), value)
    }

    /// Number of documents, optionally of one source.
    pub fn count(&self, source: Option<&str>) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM documents WHERE (?1 IS NULL OR source = ?1)",
            [source],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Document counts per source name.
    pub fn counts_by_source(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT source, COUNT(*) FROM documents GROUP BY source ORDER BY source")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// `err`, or [`StoreError::DiskFull`] when SQLite could not write because the disk is full.
    /// SQLite reports a file size limit (`EFBIG`) as a plain I/O error; the OS error it kept
    /// says which.
    pub(crate) fn diagnose(&self, err: StoreError) -> StoreError {
        let StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, msg)) = err else {
            return err;
        };
        // SAFETY: the handle belongs to this open connection, which `&self` keeps alive and
        // which no other thread uses meanwhile (`Connection` is not `Sync`).
        let errno = unsafe { rusqlite::ffi::sqlite3_system_errno(self.conn.handle()) };
        let full = f.code == rusqlite::ErrorCode::DiskFull
            || (f.code == rusqlite::ErrorCode::SystemIoFailure
                && crate::error::is_disk_full_errno(errno));
        let source = rusqlite::Error::SqliteFailure(f, msg);
        if full {
            StoreError::DiskFull {
                path: self.path.clone(),
                source,
            }
        } else {
            StoreError::Sqlite(source)
        }
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

const DOC_COLUMNS: &str =
    "id, source, source_kind, kind, title, body, url, path, parent_id, authors, created_at, updated_at, tags";

fn read_seq(conn: &Connection) -> rusqlite::Result<u64> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'seq'", [], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|s| s.parse().ok()).unwrap_or(0))
}

fn next_seq(tx: &Transaction) -> rusqlite::Result<u64> {
    let next = read_seq(tx)? + 1;
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('seq', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [next.to_string()],
    )?;
    Ok(next)
}

/// Upserts inside an open transaction.
pub(crate) fn upsert_in(tx: &Transaction, docs: &[Document]) -> Result<Vec<Upserted>> {
    let mut existing = tx.prepare_cached("SELECT hash FROM documents WHERE id = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO documents (id, seq, source, source_kind, kind, title, body, url, path, parent_id,
            authors, created_at, updated_at, tags, raw, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, source = excluded.source,
            source_kind = excluded.source_kind, kind = excluded.kind, title = excluded.title,
            body = excluded.body, url = excluded.url, path = excluded.path,
            parent_id = excluded.parent_id, authors = excluded.authors,
            created_at = excluded.created_at, updated_at = excluded.updated_at,
            tags = excluded.tags, raw = excluded.raw, hash = excluded.hash",
    )?;
    let mut untomb = tx.prepare_cached("DELETE FROM tombstones WHERE id = ?1")?;
    let mut out = Vec::with_capacity(docs.len());
    for doc in docs {
        let hash = content_hash(doc);
        let old: Option<i64> = existing.query_row([&doc.id], |r| r.get(0)).optional()?;
        if old == Some(hash) {
            out.push(Upserted::Unchanged);
            continue;
        }
        let seq = next_seq(tx)?;
        let raw = compress_raw(&doc.raw);
        insert.execute(params![
            doc.id,
            seq as i64,
            doc.source,
            doc.source_kind.map(|k| k.as_str()),
            doc.kind,
            doc.title,
            doc.body,
            doc.url,
            to_json(&doc.path),
            doc.parent_id,
            to_json(&doc.authors),
            doc.created_at.map(|t| t.to_rfc3339()),
            doc.updated_at.map(|t| t.to_rfc3339()),
            to_json(&doc.tags),
            raw,
            hash,
        ])?;
        untomb.execute([&doc.id])?;
        out.push(if old.is_some() {
            Upserted::Updated
        } else {
            Upserted::Added
        });
    }
    Ok(out)
}

/// Deletes ids and their `parent_id` subtrees inside an open transaction.
pub(crate) fn delete_in(tx: &Transaction, ids: &[String]) -> Result<u64> {
    let mut children = tx.prepare_cached("SELECT id FROM documents WHERE parent_id = ?1")?;
    let mut del = tx.prepare_cached("DELETE FROM documents WHERE id = ?1")?;
    let mut tomb = tx.prepare_cached(
        "INSERT INTO tombstones(id, seq) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq",
    )?;
    let mut queue: Vec<String> = ids.to_vec();
    let mut seen = std::collections::HashSet::new();
    let mut removed = 0;
    // Iterative walk: subtrees can be thousands of levels deep.
    while let Some(id) = queue.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let kids = children.query_map([&id], |r| r.get::<_, String>(0))?;
        for kid in kids {
            queue.push(kid?);
        }
        parts::drop_parts(tx, &id)?;
        if del.execute([&id])? > 0 {
            removed += 1;
            let seq = next_seq(tx)?;
            tomb.execute(params![id, seq as i64])?;
        }
    }
    Ok(removed)
}

fn to_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn compress_raw(raw: &serde_json::Value) -> Option<Vec<u8>> {
    if raw.is_null() {
        return None;
    }
    let bytes = serde_json::to_vec(raw).ok()?;
    zstd::bulk::compress(&bytes, 3).ok()
}

fn decompress_raw(id: &str, blob: Option<Vec<u8>>) -> Result<serde_json::Value> {
    let Some(blob) = blob else {
        return Ok(serde_json::Value::Null);
    };
    let corrupt = |message: String| StoreError::Corrupt {
        id: id.to_owned(),
        message,
    };
    let bytes = zstd::stream::decode_all(&blob[..]).map_err(|e| corrupt(e.to_string()))?;
    serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))
}

/// A stable content fingerprint (FNV-1a over the serialized document) to skip no-op upserts.
fn content_hash(doc: &Document) -> i64 {
    let bytes = serde_json::to_vec(doc).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

fn parse_time(id: &str, s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| StoreError::Corrupt {
                id: id.to_owned(),
                message: format!("bad timestamp `{s}`: {e}"),
            })
    })
    .transpose()
}

fn parse_list(id: &str, s: String) -> Result<Vec<String>> {
    serde_json::from_str(&s).map_err(|e| StoreError::Corrupt {
        id: id.to_owned(),
        message: e.to_string(),
    })
}

fn doc_from_row(row: &rusqlite::Row, with_raw: bool) -> Result<Document> {
    let id: String = row.get(0)?;
    let source_kind: Option<String> = row.get(2)?;
    let raw = if with_raw {
        decompress_raw(&id, row.get(13)?)?
    } else {
        serde_json::Value::Null
    };
    Ok(Document {
        source: row.get(1)?,
        source_kind: source_kind.and_then(|k| k.parse::<SourceKind>().ok()),
        kind: row.get(3)?,
        title: row.get(4)?,
        body: row.get(5)?,
        url: row.get(6)?,
        path: parse_list(&id, row.get(7)?)?,
        parent_id: row.get(8)?,
        authors: parse_list(&id, row.get(9)?)?,
        created_at: parse_time(&id, row.get(10)?)?,
        updated_at: parse_time(&id, row.get(11)?)?,
        tags: parse_list(&id, row.get(12)?)?,
        raw,
        id,
    })
}

#[cfg(test)]
mod tests;
