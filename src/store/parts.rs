//! Extra parts of documents and the flattening context, kept for `rebuild --reflatten`.
//!
//! `doc_parts` holds each document's [`DocPart`]s (a page's comments; later attachment text)
//! as zstd-compressed raw JSON, removed with their document. `flatten_context` holds, per
//! source and key, what flattening needs besides the records (Notion user names and page
//! titles, monday boards). Both are written in the same transaction as the batch that
//! carries them ([`SourceSink`](super::SourceSink)).

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::Value;

use super::{compress_raw, decompress_raw, Result, Store};
use crate::ingest::DocPart;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS doc_parts (
    doc_id TEXT NOT NULL,
    name TEXT NOT NULL,
    raw BLOB NOT NULL,
    PRIMARY KEY (doc_id, name)
);
CREATE TABLE IF NOT EXISTS flatten_context (
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (source, key)
);
";

/// Sets (or, for a null `raw`, removes) parts inside an open transaction.
pub(super) fn set_parts(tx: &Transaction, parts: &[DocPart]) -> Result<()> {
    let mut put = tx.prepare_cached(
        "INSERT INTO doc_parts(doc_id, name, raw) VALUES (?1, ?2, ?3)
         ON CONFLICT(doc_id, name) DO UPDATE SET raw = excluded.raw",
    )?;
    let mut del = tx.prepare_cached("DELETE FROM doc_parts WHERE doc_id = ?1 AND name = ?2")?;
    for p in parts {
        match compress_raw(&p.raw) {
            Some(blob) => put.execute(params![p.doc_id, p.name, blob])?,
            None => del.execute(params![p.doc_id, p.name])?,
        };
    }
    Ok(())
}

/// Removes every part of a deleted document.
pub(super) fn drop_parts(tx: &Transaction, doc_id: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM doc_parts WHERE doc_id = ?1")?
        .execute([doc_id])?;
    Ok(())
}

/// Replaces context values of one source inside an open transaction.
pub(super) fn set_context(tx: &Transaction, source: &str, ctx: &[(String, Value)]) -> Result<()> {
    let mut put = tx.prepare_cached(
        "INSERT INTO flatten_context(source, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT(source, key) DO UPDATE SET value = excluded.value",
    )?;
    for (key, value) in ctx {
        let blob = compress_raw(value).unwrap_or_default();
        put.execute(params![source, key, blob])?;
    }
    Ok(())
}

/// The parts of one document, by name.
pub(super) fn parts_of(conn: &Connection, doc_id: &str) -> Result<Vec<DocPart>> {
    let mut stmt =
        conn.prepare_cached("SELECT name, raw FROM doc_parts WHERE doc_id = ?1 ORDER BY name")?;
    let rows = stmt.query_map([doc_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, blob) = row?;
        out.push(DocPart {
            doc_id: doc_id.to_owned(),
            raw: decompress_raw(doc_id, Some(blob))?,
            name,
        });
    }
    Ok(out)
}

impl Store {
    /// The stored parts of one document (comments, …), by name.
    pub fn parts(&self, doc_id: &str) -> Result<Vec<DocPart>> {
        parts_of(self.conn(), doc_id)
    }

    /// Every stored part (for `rebuild --reflatten`).
    pub fn all_parts(&self) -> Result<Vec<DocPart>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT doc_id, name, raw FROM doc_parts ORDER BY doc_id, name")?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let doc_id: String = row.get(0)?;
            let raw = decompress_raw(&doc_id, Some(row.get(2)?))?;
            out.push(DocPart {
                name: row.get(1)?,
                raw,
                doc_id,
            });
        }
        Ok(out)
    }

    /// One flattening context value of a source (`None` when never written).
    pub fn context(&self, source: &str, key: &str) -> Result<Option<Value>> {
        let blob: Option<Vec<u8>> = self
            .conn()
            .query_row(
                "SELECT value FROM flatten_context WHERE source = ?1 AND key = ?2",
                params![source, key],
                |r| r.get(0),
            )
            .optional()?;
        match blob {
            None => Ok(None),
            Some(b) if b.is_empty() => Ok(Some(Value::Null)),
            Some(b) => decompress_raw(&format!("{source} context {key}"), Some(b)).map(Some),
        }
    }
}
