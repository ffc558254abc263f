//! [`ClusterHandle`]: `serve`'s view of the `[typesense]` cluster. With `--engine typesense`
//! (or `engine = "typesense"`), `/search` and `/documents/{id}` are answered by the cluster
//! through the [`Engine`] boundary with the same JSON as the local index gives; in every case
//! `/status` and `/metrics` report the cluster's lag behind the store and each node's health.

use serde::Serialize;

use super::errors::ApiError;
use crate::cluster::typesense::Typesense;
use crate::cluster::{ClusterConfig, Engine, Lag, NodeHealth, SearchFailure};
use crate::document::Document;
use crate::search::{SearchRequest, SearchResponse};
use crate::store::Store;

/// The cluster `serve` knows about.
#[derive(Debug, Clone)]
pub struct ClusterServe {
    pub config: ClusterConfig,
    /// Answer searches from the cluster instead of the local index.
    pub search: bool,
}

/// A connected cluster.
#[derive(Debug)]
pub struct ClusterHandle {
    pub engine: Typesense,
    pub alias: String,
    /// Searches and documents come from the cluster.
    pub serves_search: bool,
}

/// The cluster part of `/status` and `trove status --json`.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterStatus {
    pub alias: String,
    pub serves_search: bool,
    pub lag: Lag,
    pub nodes: Vec<NodeHealth>,
}

impl ClusterHandle {
    pub fn new(c: &ClusterServe) -> anyhow::Result<ClusterHandle> {
        Ok(ClusterHandle {
            engine: Typesense::new(&c.config.nodes, c.config.api_key.clone())?,
            alias: c.config.collection.clone(),
            serves_search: c.search,
        })
    }

    /// A search answered by the cluster.
    pub async fn search(&self, req: &SearchRequest) -> Result<SearchResponse, ApiError> {
        Engine::search(&self.engine, &self.alias, req)
            .await
            .map_err(|e| match e {
                SearchFailure::BadQuery(q) => ApiError::BadQuery(q.to_string()),
                e @ SearchFailure::ModeUnavailable(_) => ApiError::BadParameter(e.to_string()),
                SearchFailure::Cluster(c) => ApiError::Upstream(crate::error::chain(&c)),
            })
    }

    /// A document from the cluster.
    pub async fn document(&self, id: &str) -> Result<Option<Document>, ApiError> {
        Engine::document(&self.engine, &self.alias, id)
            .await
            .map_err(|e| ApiError::Upstream(crate::error::chain(&e)))
    }

    /// Lag (from the store's push record) and node health (asked now).
    pub async fn status(&self, lag: Lag) -> ClusterStatus {
        ClusterStatus {
            alias: self.alias.clone(),
            serves_search: self.serves_search,
            lag,
            nodes: self.engine.client.health().await,
        }
    }
}

/// The store's view of how far the cluster is behind.
pub fn lag(store: &Store, alias: &str) -> Result<Lag, ApiError> {
    Lag::of(store, alias).map_err(ApiError::internal)
}
