//! [`SourceSink`]: the store seen by one connector, implementing [`Sink`]. A batch's documents,
//! deletions, skips and resumable state are committed in one SQLite transaction.

use chrono::Utc;
use rusqlite::{params, OptionalExtension};

use super::{delete_in, parts, upsert_in, Store, Upserted};
use crate::document::Document;
use crate::document::SourceKind;
use crate::ingest::{Batch, DocMeta, DocPart, Sink, SinkError};

/// A hook run after each committed batch.
type CommitHook<'a> = Box<dyn FnMut(&mut Store) + Send + 'a>;

/// The store scoped to one source. Counts what its commits did.
pub struct SourceSink<'a> {
    store: &'a mut Store,
    source: String,
    kind: SourceKind,
    /// Added / updated / unchanged / deleted, as the store saw them.
    pub counts: SinkCounts,
    /// Called after every committed batch (the sync driver uses it to refresh the index).
    on_commit: Option<CommitHook<'a>>,
}

/// What the commits of one sync did to the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SinkCounts {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub deleted: u64,
}

impl<'a> SourceSink<'a> {
    pub fn new(store: &'a mut Store, source: &str, kind: SourceKind) -> Self {
        SourceSink {
            store,
            source: source.to_owned(),
            kind,
            counts: SinkCounts::default(),
            on_commit: None,
        }
    }

    /// Runs `f` after every committed batch.
    pub fn on_commit(mut self, f: impl FnMut(&mut Store) + Send + 'a) -> Self {
        self.on_commit = Some(Box::new(f));
        self
    }

    fn apply(&mut self, batch: Batch) -> super::Result<()> {
        let tx = self.store.conn_mut().transaction()?;
        for r in upsert_in(&tx, &batch.upserts)? {
            match r {
                Upserted::Added => self.counts.added += 1,
                Upserted::Updated => self.counts.updated += 1,
                Upserted::Unchanged => self.counts.unchanged += 1,
            }
        }
        self.counts.deleted += delete_in(&tx, &batch.deletes)?;
        parts::set_parts(&tx, &batch.parts)?;
        parts::set_context(&tx, &self.source, &batch.context)?;
        super::attachments::replace_in(&tx, &batch.attachments)?;
        if !batch.deletes.is_empty() {
            super::attachments::drop_orphans_in(&tx)?;
        }
        {
            let now = Utc::now().to_rfc3339();
            let mut skip = tx.prepare_cached(
                "INSERT INTO skipped(source, native_id, what, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(source, native_id) DO UPDATE SET what = excluded.what,
                    reason = excluded.reason, at = excluded.at",
            )?;
            for s in &batch.skipped {
                skip.execute(params![self.source, s.native_id, s.what, s.reason, now])?;
            }
            let mut unskip =
                tx.prepare_cached("DELETE FROM skipped WHERE source = ?1 AND native_id = ?2")?;
            for id in &batch.unskipped {
                unskip.execute(params![self.source, id])?;
            }
        }
        if let Some(state) = &batch.state {
            tx.execute(
                "INSERT INTO sources(name, kind, state) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, state = excluded.state",
                params![self.source, self.kind.as_str(), state.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn sink_err(e: super::StoreError) -> SinkError {
    SinkError(crate::error::chain(&e))
}

impl Sink for SourceSink<'_> {
    fn load_state(&self) -> Result<Option<serde_json::Value>, SinkError> {
        let state: Option<Option<String>> = self
            .store
            .conn()
            .query_row(
                "SELECT state FROM sources WHERE name = ?1",
                [&self.source],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| SinkError(crate::error::chain(&e)))?;
        match state.flatten() {
            None => Ok(None),
            Some(s) => serde_json::from_str(&s).map(Some).map_err(|e| {
                SinkError(format!(
                    "saved sync state of `{}` is unreadable: {e}",
                    self.source
                ))
            }),
        }
    }

    fn commit(&mut self, batch: Batch) -> Result<(), SinkError> {
        if batch.is_empty() {
            return Ok(());
        }
        self.apply(batch)
            .map_err(|e| sink_err(self.store.diagnose(e)))?;
        if let Some(f) = self.on_commit.as_mut() {
            f(self.store);
        }
        Ok(())
    }

    fn doc_meta(&self, id: &str) -> Result<Option<DocMeta>, SinkError> {
        let mut stmt = self
            .store
            .conn()
            .prepare_cached("SELECT id, kind, parent_id, updated_at FROM documents WHERE id = ?1 AND source = ?2")
            .map_err(|e| SinkError(crate::error::chain(&e)))?;
        stmt.query_row(params![id, self.source], meta_from_row)
            .optional()
            .map_err(|e| SinkError(crate::error::chain(&e)))
    }

    fn list_docs(&self) -> Result<Vec<DocMeta>, SinkError> {
        let mut stmt = self
            .store
            .conn()
            .prepare_cached(
                "SELECT id, kind, parent_id, updated_at FROM documents WHERE source = ?1",
            )
            .map_err(|e| SinkError(crate::error::chain(&e)))?;
        let rows = stmt
            .query_map([&self.source], meta_from_row)
            .map_err(|e| SinkError(crate::error::chain(&e)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| SinkError(crate::error::chain(&e)))
    }

    fn stored(&self, id: &str) -> Result<Option<Document>, SinkError> {
        let doc = self.store.get(id).map_err(sink_err)?;
        Ok(self.own(doc))
    }

    fn parts(&self, id: &str) -> Result<Vec<DocPart>, SinkError> {
        self.store.parts(id).map_err(sink_err)
    }

    fn attachments(&self, id: &str) -> Result<Vec<crate::ingest::Attachment>, SinkError> {
        self.store.attachments(id).map_err(sink_err)
    }
}

impl SourceSink<'_> {
    fn own(&self, doc: Option<Document>) -> Option<Document> {
        doc.filter(|d| d.source == self.source)
    }
}

fn meta_from_row(r: &rusqlite::Row) -> rusqlite::Result<DocMeta> {
    let updated: Option<String> = r.get(3)?;
    Ok(DocMeta {
        id: r.get(0)?,
        kind: r.get(1)?,
        parent_id: r.get(2)?,
        updated_at: updated
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok())
            .map(|t| t.with_timezone(&Utc)),
    })
}
