//! What a connector hands to the store, and what the store tells it back: a [`Batch`] of
//! documents, deletions and [`Skip`]s committed atomically with the connector's resumable
//! state through a [`Sink`], the [`DocMeta`] of stored documents for incremental decisions, and
//! the [`SyncSummary`] of a run. Neutral ground: [`crate::connectors`] produce these and
//! [`crate::store`] consumes them, and neither imports the other.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::document::Document;

/// A document the connector decided not to index, and why (shown by `trove status --skipped`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skip {
    /// The native id (page id, item id, board id) of what was skipped.
    pub native_id: String,
    /// What it is (`page`, `board`, `block`, …).
    pub what: String,
    /// Why, in words (`403 restricted_resource: …`).
    pub reason: String,
}

/// One atomic unit of progress: documents to upsert, ids to delete, things skipped, and the
/// connector state to resume from once they are committed.
#[derive(Debug, Default)]
pub struct Batch {
    pub upserts: Vec<Document>,
    /// Document ids (`<source>:<native id>`) to delete. Deleting an id also deletes every
    /// stored document whose `parent_id` chain leads to it.
    pub deletes: Vec<String>,
    pub skipped: Vec<Skip>,
    /// Native ids that are no longer skipped (they were fetched fine this time).
    pub unskipped: Vec<String>,
    /// The connector's own resumable state (cursors, high-water marks, work queues).
    pub state: Option<serde_json::Value>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty()
            && self.deletes.is_empty()
            && self.skipped.is_empty()
            && self.unskipped.is_empty()
            && self.state.is_none()
    }
}

/// What the store knows about a stored document, for incremental decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct DocMeta {
    pub id: String,
    pub kind: String,
    pub parent_id: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<&Document> for DocMeta {
    fn from(d: &Document) -> Self {
        DocMeta {
            id: d.id.clone(),
            kind: d.kind.clone(),
            parent_id: d.parent_id.clone(),
            updated_at: d.updated_at,
        }
    }
}

/// Failure of the sink (the store) itself; aborts the sync.
#[derive(Debug, thiserror::Error)]
#[error("store error: {0}")]
pub struct SinkError(pub String);

/// Where a connector writes. Implemented by the store for one source.
pub trait Sink: Send {
    /// The state saved by the last committed batch of this source, if any.
    fn load_state(&self) -> Result<Option<serde_json::Value>, SinkError>;
    /// Atomically applies the batch (documents, deletions, skips and state).
    fn commit(&mut self, batch: Batch) -> Result<(), SinkError>;
    /// Metadata of one stored document of this source.
    fn doc_meta(&self, id: &str) -> Result<Option<DocMeta>, SinkError>;
    /// Metadata of every stored document of this source.
    fn list_docs(&self) -> Result<Vec<DocMeta>, SinkError>;
}

/// Counters a connector reports at the end (and live, through [`Progress`](crate::connectors::Progress)).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub added: u64,
    pub updated: u64,
    pub deleted: u64,
    pub skipped: u64,
    pub unchanged: u64,
    pub requests: u64,
    /// Unknown block / property / column / mention types met and skipped while flattening.
    pub unknown_types: u64,
    /// monday.com complexity points spent (0 for Notion).
    pub complexity: u64,
}
