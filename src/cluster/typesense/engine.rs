//! [`Typesense`] as an [`Engine`]: the push driver and `serve` talk to the cluster only
//! through this boundary.

use super::search::ClusterSearchError;
use super::{NodeHealth, Typesense, TypesenseError};
use crate::cluster::Engine;
use crate::document::Document;
use crate::search::{SearchRequest, SearchResponse};

impl Engine for Typesense {
    type Error = TypesenseError;

    async fn alias_target(&self, alias: &str) -> Result<Option<String>, TypesenseError> {
        Typesense::alias_target(self, alias).await
    }

    async fn collection_exists(&self, name: &str) -> Result<bool, TypesenseError> {
        Typesense::collection_exists(self, name).await
    }

    async fn collections(&self) -> Result<Vec<String>, TypesenseError> {
        Typesense::collections(self).await
    }

    async fn create_collection(&self, name: &str) -> Result<(), TypesenseError> {
        Typesense::create_collection(self, name).await
    }

    fn bulk_line(&self, doc: &Document) -> String {
        self.schema.to_json(doc).to_string()
    }

    async fn upsert(&self, collection: &str, body: String) -> Result<(), TypesenseError> {
        self.import_jsonl(collection, body).await
    }

    async fn delete(&self, collection: &str, ids: &[String]) -> Result<(), TypesenseError> {
        Typesense::delete(self, collection, ids).await
    }

    async fn point_alias(&self, alias: &str, collection: &str) -> Result<(), TypesenseError> {
        Typesense::point_alias(self, alias, collection).await
    }

    async fn settle(&self, alias: &str, collection: &str) -> Result<(), TypesenseError> {
        Typesense::settle(self, alias, collection, std::time::Duration::from_secs(120)).await
    }

    async fn drop_collection(&self, name: &str) -> Result<(), TypesenseError> {
        Typesense::drop_collection(self, name).await
    }

    async fn count(&self, collection: &str) -> Result<u64, TypesenseError> {
        Typesense::count(self, collection).await
    }

    async fn health(&self) -> Vec<NodeHealth> {
        self.client.health().await
    }

    async fn search(
        &self,
        collection: &str,
        req: &SearchRequest,
    ) -> Result<SearchResponse, ClusterSearchError> {
        Typesense::search(self, collection, req).await
    }

    async fn document(
        &self,
        collection: &str,
        id: &str,
    ) -> Result<Option<Document>, TypesenseError> {
        Typesense::document(self, collection, id).await
    }
}
