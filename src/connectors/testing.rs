//! [`MemSink`]: the in-memory [`Sink`] both connectors' tests write into. It applies batches
//! like the store does (deletes follow `parent_id` chains, skips replaced by id) and can
//! "crash" like a killed process.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::connectors::{Batch, DocMeta, DocPart, Sink, SinkError, Skip};
use crate::document::Document;

/// An in-memory store: applies batches like the real one (deletes follow `parent_id` chains).
#[derive(Default)]
pub struct MemSink {
    pub docs: BTreeMap<String, Document>,
    pub state: Option<Value>,
    pub skipped: Vec<Skip>,
    /// Document parts by `(doc id, name)`.
    pub parts: BTreeMap<(String, String), Value>,
    /// Flattening context by key.
    pub context: BTreeMap<String, Value>,
    /// Attachments by document id (each batch's set replaces a document's).
    pub attachments: BTreeMap<String, Vec<crate::ingest::Attachment>>,
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
        for p in batch.parts {
            let key = (p.doc_id, p.name);
            if p.raw.is_null() {
                self.parts.remove(&key);
            } else {
                self.parts.insert(key, p.raw);
            }
        }
        self.context.extend(batch.context);
        for a in batch.attachments {
            self.attachments.insert(a.doc_id, a.files);
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

    fn stored(&self, id: &str) -> Result<Option<Document>, SinkError> {
        Ok(self.docs.get(id).cloned())
    }

    fn parts(&self, id: &str) -> Result<Vec<DocPart>, SinkError> {
        let parts = self.parts.iter().filter(|((d, _), _)| d == id);
        Ok(parts
            .map(|((doc_id, name), raw)| DocPart {
                doc_id: doc_id.clone(),
                name: name.clone(),
                raw: raw.clone(),
            })
            .collect())
    }

    fn attachments(&self, id: &str) -> Result<Vec<crate::ingest::Attachment>, SinkError> {
        Ok(self.attachments.get(id).cloned().unwrap_or_default())
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
            self.parts.retain(|(id, _), _| *id != d);
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
