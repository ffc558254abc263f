//! Clustered search engines trove keeps in step with its store, and serves search from.
//!
//! The store stays the source of truth; a cluster holds a searchable copy, pushed by change
//! sequence the way the local index catches up (see [`crate::index`]). The boundary is the
//! [`Engine`] trait: collections behind an alias, idempotent bulk upserts and deletes by id,
//! an atomic alias move, counts, node health, search and document lookup. [`push()`] drives any
//! engine from the store; [`typesense`] is the one engine trove ships. An OpenSearch or
//! Elasticsearch target would follow the same shape (`_bulk` NDJSON for [`Engine::bulk_line`]
//! and [`Engine::upsert`], `delete_by_query` on ids, `_aliases` actions for the swap).
//!
//! [`PushState`] (in the store's `meta` table) records which physical collection the alias
//! should point at and the last store sequence the cluster acknowledged; [`Lag`] compares it
//! with the store for `status` and `/metrics`.

pub mod config;
pub mod push;
pub mod typesense;

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::document::Document;
use crate::search::{SearchRequest, SearchResponse};
use crate::store::{Store, StoreError};
pub use config::ClusterConfig;
pub use push::{push, PushError, PushOptions, PushReport};
pub use typesense::NodeHealth;

/// A failure of a search against an engine: the query's fault (400) or the cluster's.
pub type SearchFailure = typesense::search::ClusterSearchError;

/// What trove needs from a replicated search engine.
///
/// Writes are idempotent (upsert by id, delete of a missing id is fine), so a batch whose
/// acknowledgement was lost is simply sent again; an `Err` means the batch may or may not have
/// been applied, never that it was half-applied in a way a resend cannot fix.
pub trait Engine: Send + Sync + 'static {
    /// The engine's error; user-facing messages say what to fix.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The physical collection `alias` points at, if the alias exists.
    fn alias_target(
        &self,
        alias: &str,
    ) -> impl Future<Output = Result<Option<String>, Self::Error>> + Send;
    /// Whether a physical collection is named `name`.
    fn collection_exists(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<bool, Self::Error>> + Send;
    /// Every physical collection's name.
    fn collections(&self) -> impl Future<Output = Result<Vec<String>, Self::Error>> + Send;
    /// Creates an empty collection with trove's schema.
    fn create_collection(&self, name: &str)
        -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// One line of a bulk body for `doc` (rendered off the async path by the push reader).
    fn bulk_line(&self, doc: &Document) -> String;
    /// Upserts a bulk body of [`bulk_line`](Self::bulk_line)s; `Ok` only when every document
    /// was acknowledged.
    fn upsert(
        &self,
        collection: &str,
        body: String,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Deletes documents by id.
    fn delete(
        &self,
        collection: &str,
        ids: &[String],
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Moves (or creates) `alias` to point at `collection`, atomically for readers.
    fn point_alias(
        &self,
        alias: &str,
        collection: &str,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Waits until every reachable node serves `alias` → `collection` (replicas apply writes
    /// after the acknowledgement), so no search lands on a node that does not know it yet.
    fn settle(
        &self,
        alias: &str,
        collection: &str,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Drops a collection.
    fn drop_collection(&self, name: &str) -> impl Future<Output = Result<(), Self::Error>> + Send;
    /// Documents in a collection (or behind an alias).
    fn count(&self, collection: &str) -> impl Future<Output = Result<u64, Self::Error>> + Send;
    /// Each node's health.
    fn health(&self) -> impl Future<Output = Vec<NodeHealth>> + Send;
    /// Answers a search with the same response the local index gives.
    fn search(
        &self,
        collection: &str,
        req: &SearchRequest,
    ) -> impl Future<Output = Result<SearchResponse, SearchFailure>> + Send;
    /// One stored document by id.
    fn document(
        &self,
        collection: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Document>, Self::Error>> + Send;
}

/// What the store remembers about pushes to one alias.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PushState {
    /// The physical collection the alias should point at.
    pub collection: String,
    /// The last store sequence the cluster acknowledged.
    pub seq: u64,
    /// When the cluster last reflected everything in the store.
    pub caught_up_at: Option<DateTime<Utc>>,
}

fn state_key(alias: &str) -> String {
    format!("cluster:{alias}")
}

impl PushState {
    /// The recorded state for `alias`, if any push happened.
    pub fn load(store: &Store, alias: &str) -> Result<Option<PushState>, StoreError> {
        Ok(store
            .note(&state_key(alias))?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Records the state (only ever after the cluster acknowledged it).
    pub fn save(&self, store: &Store, alias: &str) -> Result<(), StoreError> {
        let text = serde_json::to_string(self).unwrap_or_default();
        store.set_note(&state_key(alias), &text)
    }
}

/// How far the cluster is behind the store.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Lag {
    /// Store changes not yet acknowledged by the cluster.
    pub changes: u64,
    /// Seconds the cluster has been behind (0 when caught up).
    pub seconds: f64,
    /// The last store sequence the cluster acknowledged (0 when never pushed).
    pub pushed_seq: u64,
    pub store_seq: u64,
    pub collection: Option<String>,
}

impl Lag {
    /// Compares the recorded push state of `alias` with the store.
    pub fn of(store: &Store, alias: &str) -> Result<Lag, StoreError> {
        let state = PushState::load(store, alias)?;
        let store_seq = store.max_seq()?;
        let pushed_seq = state.as_ref().map_or(0, |s| s.seq);
        let changes = store_seq.saturating_sub(pushed_seq);
        let seconds = match state.as_ref().and_then(|s| s.caught_up_at) {
            _ if changes == 0 => 0.0,
            Some(t) => (Utc::now() - t).num_milliseconds().max(0) as f64 / 1000.0,
            None => f64::NAN,
        };
        Ok(Lag {
            changes,
            seconds,
            pushed_seq,
            store_seq,
            collection: state.map(|s| s.collection),
        })
    }
}
