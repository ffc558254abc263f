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

/// An extra part of a document kept beside it in the store (a page's comments; later the
/// text of its attachments): raw API JSON that [`crate::flatten::parts::compose`] turns into a
/// section of the document's body, at sync time and again at `rebuild --reflatten`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocPart {
    /// The document (`<source>:<native id>`).
    pub doc_id: String,
    /// Which part (`comments`, …); one part of each name per document.
    pub name: String,
    /// The part's raw JSON; `null` removes the part.
    pub raw: serde_json::Value,
}

/// Keys of the flattening context connectors save ([`Batch::context`]) for
/// `rebuild --reflatten`.
pub mod context_keys {
    /// Notion user id → name.
    pub const NOTION_USERS: &str = "notion.users";
    /// Notion page or database id → title (link targets, relations).
    pub const NOTION_TITLES: &str = "notion.titles";
    /// monday board id → board (`name workspace groups columns type`).
    pub const MONDAY_BOARDS: &str = "monday.boards";
    /// monday account slug (item URLs).
    pub const MONDAY_SLUG: &str = "monday.account_slug";
}

/// One file attached to a document: its text, or why it has none. The store keeps these
/// (table `attachments`) so the text can be appended again without downloading the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Identity of the file without its expiring URL (Notion: the storage path; monday.com:
    /// `asset:<id>`). Also the `native_id` of its skip entry.
    pub key: String,
    /// The file name as uploaded.
    pub name: String,
    /// Extracted text (`None` when skipped).
    pub text: Option<String>,
    /// Why there is no text (over a limit, encrypted, unreadable, refused redirect …).
    pub skipped: Option<String>,
}

/// The complete set of attachments of one document (replaces what the store had for it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attached {
    pub doc_id: String,
    pub files: Vec<Attachment>,
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
    /// Attachment sets of upserted documents (each replaces the document's stored set).
    pub attachments: Vec<Attached>,
    /// The connector's own resumable state (cursors, high-water marks, work queues).
    pub state: Option<serde_json::Value>,
    /// Document parts to set (or remove, when `raw` is null).
    pub parts: Vec<DocPart>,
    /// What flattening needs besides the records, by key (user names, page titles, boards),
    /// kept for `rebuild --reflatten`; a key replaces its previous value.
    pub context: Vec<(String, serde_json::Value)>,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.upserts.is_empty()
            && self.deletes.is_empty()
            && self.skipped.is_empty()
            && self.unskipped.is_empty()
            && self.attachments.is_empty()
            && self.state.is_none()
            && self.parts.is_empty()
            && self.context.is_empty()
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
    /// One stored document of this source, raw JSON included.
    fn stored(&self, id: &str) -> Result<Option<Document>, SinkError>;
    /// The stored parts of one document (see [`DocPart`]), by name.
    fn parts(&self, id: &str) -> Result<Vec<DocPart>, SinkError>;
    /// The stored attachments of one document (text or skip reason), in order.
    fn attachments(&self, id: &str) -> Result<Vec<Attachment>, SinkError>;
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
