//! Connectors crawl a remote workspace and hand [`Document`]s to a [`Sink`].
//!
//! A connector (`notion::sync`, `monday::sync`) talks HTTP to its API, turns responses into
//! documents with the pure functions in [`crate::flatten`], and commits them in [`Batch`]es
//! together with its resumable sync state. It knows nothing about tantivy: the sink (the store,
//! see [`crate::sync`]) is the only thing it writes to. Each batch is committed atomically with
//! the state that produced it, so a killed sync resumes from its last checkpoint.
//!
//! Shared plumbing for both connectors lives in [`http`]: the client-side rate limiter and the
//! bounded exponential backoff with jitter.

pub mod http;
pub mod monday;
pub mod notion;

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

/// How a sync should run.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Ignore saved high-water marks and re-crawl everything.
    pub full: bool,
}

/// Counters a connector reports at the end (and live, through [`Progress`]).
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

/// Live progress: connectors bump counters; the CLI draws them (a bar on a TTY).
pub trait Progress: Send + Sync {
    /// `what` is a short counter name: `pages`, `blocks`, `items`, `requests`, `boards`, …
    fn inc(&self, what: &'static str, n: u64);
    /// A one-line message about what is happening now (e.g. `waiting 30s: rate limited`).
    fn message(&self, msg: &str);
}

/// A [`Progress`] that ignores everything (tests, non-TTY runs).
pub struct NoProgress;

impl Progress for NoProgress {
    fn inc(&self, _: &'static str, _: u64) {}
    fn message(&self, _: &str) {}
}

/// A [`Progress`] that records what connectors report (for tests).
#[cfg(test)]
#[derive(Default)]
pub(crate) struct RecordingProgress {
    pub messages: std::sync::Mutex<Vec<String>>,
    pub counters: std::sync::Mutex<std::collections::BTreeMap<&'static str, u64>>,
}

#[cfg(test)]
impl Progress for RecordingProgress {
    fn inc(&self, what: &'static str, n: u64) {
        *self.counters.lock().unwrap().entry(what).or_default() += n;
    }
    fn message(&self, msg: &str) {
        self.messages.lock().unwrap().push(msg.to_owned());
    }
}

/// Why a sync of one source stopped. The CLI prints it and exits non-zero; what was committed
/// before stays committed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The token was rejected: the message says which service and what to do.
    #[error("{0}")]
    Auth(String),
    /// A limit that waiting a few minutes will not fix (monday daily limit).
    #[error("{0}")]
    QuotaExhausted(String),
    /// The server could not be reached after retries.
    #[error("{0}")]
    Unreachable(String),
    /// The server answered something that does not follow the API (after retries).
    #[error("{0}")]
    Protocol(String),
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The sync was interrupted (Ctrl-C); state up to the last checkpoint is kept.
    #[error("sync interrupted; run it again to resume from the last checkpoint")]
    Interrupted,
}
