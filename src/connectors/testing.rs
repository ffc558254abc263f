//! [`MemSink`]: the in-memory [`Sink`] both connectors' tests write into. It applies batches
//! like the store does (deletes follow `parent_id` chains, skips replaced by id) and can
//! "crash" like a killed process.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::connectors::{Batch, DocMeta, Sink, SinkError, Skip};
use crate::document::Document;

/// An in-memory store: applies batches like the real one (deletes follow `parent_id` chains).
#[derive(Default)]
pub struct MemSink {
    pub docs: BTreeMap<String, Document>,
    pub state: Option<Value>,
    pub skipped: Vec<Skip>,
    pub commits: usize,
    /// Fail (like a crash before the write) once this many commits succeeded.
    pub crash_after: Option<usize>,
}

impl Sink for MemSink {
    fn load_state(&self) -> Result<Option<Value>, SinkError> {
        Ok(self.state.clone())
    }

    fn commit(&mut self, batch: Batch) -> Result<(), SinkError> {
        if self.crash_after.is_some_and(|n| self.commits >= n) {
            return Err(SinkError("simulated crash".into()));
        }
        self.commits += 1;
        for d in batch.upserts {
            self.docs.insert(d.id.clone(), d);
        }
        for id in batch.deletes {
            self.delete_tree(&id);
        }
        let replaced: Vec<&str> = batch.skipped.iter().map(|s| s.native_id.as_str()).collect();
        self.skipped.retain(|s| {
            !batch.unskipped.contains(&s.native_id) && !replaced.contains(&s.native_id.as_str())
        });
        self.skipped.extend(batch.skipped);
        if batch.state.is_some() {
            self.state = batch.state;
        }
        Ok(())
    }

    fn doc_meta(&self, id: &str) -> Result<Option<DocMeta>, SinkError> {
        Ok(self.docs.get(id).map(DocMeta::from))
    }

    fn list_docs(&self) -> Result<Vec<DocMeta>, SinkError> {
        Ok(self.docs.values().map(DocMeta::from).collect())
    }
}

impl MemSink {
    /// The recorded skip of `native_id`.
    pub fn skip(&self, native_id: &str) -> Option<&Skip> {
        self.skipped.iter().find(|s| s.native_id == native_id)
    }

    /// Stored document ids, sorted.
    pub fn ids(&self) -> Vec<String> {
        self.docs.keys().cloned().collect()
    }

    /// Removes `root` and every document under it (following `parent_id`).
    fn delete_tree(&mut self, root: &str) {
        let mut doomed = vec![root.to_owned()];
        let mut i = 0;
        while i < doomed.len() {
            let kids: Vec<String> = self
                .docs
                .values()
                .filter(|d| d.parent_id.as_deref() == Some(doomed[i].as_str()))
                .map(|d| d.id.clone())
                .filter(|k| !doomed.contains(k))
                .collect();
            doomed.extend(kids);
            i += 1;
        }
        for d in doomed {
            self.docs.remove(&d);
        }
    }

    /// `id → (kind, parent, title, body)` without the raw JSON, for comparisons and snapshots.
    pub fn summary(&self) -> Value {
        let docs: serde_json::Map<String, Value> = self
            .docs
            .values()
            .map(|d| {
                let v = json!({"kind": d.kind, "title": d.title, "parent": d.parent_id, "path": d.path,
                               "body": d.body, "tags": d.tags, "authors": d.authors, "updated": d.updated_at});
                (d.id.clone(), v)
            })
            .collect();
        Value::Object(docs)
    }
}
