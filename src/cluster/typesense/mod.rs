//! [`Typesense`]: the [`Engine`](super::Engine) for a Typesense 0.24 cluster.
//!
//! [`client`] speaks HTTP with failover across nodes, [`schema`] derives the collection from
//! `schema/trove.toml` and turns documents into Typesense JSON, [`query`] translates trove's
//! query language into search parameters, and [`search`] maps answers back into trove's
//! [`SearchResponse`](crate::search::SearchResponse).
//!
//! Writes: upserts go through `POST /collections/{c}/documents/import?action=upsert` (JSONL,
//! one result line per document, every line checked); deletes by id through
//! `DELETE /collections/{c}/documents?filter_by=id:[…]`. Both are idempotent, so a batch that
//! failed half-way is simply sent again.

pub mod client;
mod engine;
pub mod query;
pub mod schema;
pub mod search;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub use client::{Client, NodeHealth, Retry};
pub use schema::CollectionSchema;

use crate::document::Document;
use crate::secret::Secret;

/// A Typesense failure. `Auth`, `Unavailable` and `Config` are the user's to fix; the message
/// says how. The API key never appears in these texts.
#[derive(Debug, thiserror::Error)]
pub enum TypesenseError {
    #[error("typesense: {0}")]
    Config(String),
    #[error(
        "the Typesense cluster refused the API key (401/403); check the key in the environment \
         variable named by `typesense.api_key_env`"
    )]
    Auth,
    #[error(
        "no Typesense node answered ({nodes}); check that the cluster is running and \
         `typesense.nodes` is right. Last error: {last}"
    )]
    Unavailable { nodes: String, last: String },
    #[error("typesense answered {status} to {what}: {message}")]
    Rejected {
        what: String,
        status: u16,
        message: String,
    },
    #[error(
        "typesense nodes {nodes} did not catch up within {secs}s: {what}; check their logs \
         and disk, then run `trove push` again"
    )]
    NotSettled {
        nodes: String,
        secs: u64,
        what: String,
    },
    #[error("typesense rejected document {id}: {message}")]
    Document { id: String, message: String },
    #[error("unexpected answer from typesense to {what}: {message}")]
    Malformed { what: String, message: String },
}

pub type Result<T> = std::result::Result<T, TypesenseError>;

/// Documents per import request.
pub const IMPORT_BATCH: usize = 2_000;
/// Ids per delete-by-filter request (keeps the URL short).
const DELETE_BATCH: usize = 100;

/// A Typesense cluster.
#[derive(Debug)]
pub struct Typesense {
    pub client: Client,
    pub schema: CollectionSchema,
}

impl Typesense {
    pub fn new(nodes: &[String], key: Secret) -> Result<Typesense> {
        Ok(Typesense {
            client: Client::new(nodes, key)?,
            schema: CollectionSchema::builtin()?,
        })
    }

    fn read_retry(&self) -> Retry {
        Retry::read(self.client.node_count())
    }

    /// `GET path` parsed as JSON; `None` on 404.
    pub async fn get_json(&self, path: &str) -> Result<Option<Value>> {
        let r = self
            .client
            .send(Method::GET, path, None, self.read_retry())
            .await?;
        if r.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        parse_ok(path, r).map(Some)
    }

    /// The collection an alias points to.
    pub async fn alias_target(&self, alias: &str) -> Result<Option<String>> {
        let v = self.get_json(&format!("/aliases/{}", enc(alias))).await?;
        Ok(v.and_then(|v| v["collection_name"].as_str().map(str::to_owned)))
    }

    /// Whether a real collection (not an alias) is named `name`.
    pub async fn collection_exists(&self, name: &str) -> Result<bool> {
        let v = self
            .get_json(&format!("/collections/{}", enc(name)))
            .await?;
        Ok(v.is_some_and(|v| v["name"] == name))
    }

    /// Every collection's name.
    pub async fn collections(&self) -> Result<Vec<String>> {
        let v = self.get_json("/collections").await?.unwrap_or_default();
        Ok(v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .collect())
    }

    /// Creates the collection `name` with trove's schema.
    pub async fn create_collection(&self, name: &str) -> Result<()> {
        let body = self.schema.collection(name).to_string();
        let what = format!("creating collection {name}");
        let r = self.write(Method::POST, "/collections", body, JSON).await?;
        if r.status == StatusCode::CONFLICT {
            return Ok(()); // a retried create that had in fact succeeded
        }
        parse_ok(&what, r).map(drop)
    }

    /// Points `alias` at `collection` (atomic on the server).
    pub async fn point_alias(&self, alias: &str, collection: &str) -> Result<()> {
        let body = json!({ "collection_name": collection }).to_string();
        let path = format!("/aliases/{}", enc(alias));
        let r = self.write(Method::PUT, &path, body, JSON).await?;
        parse_ok(&path, r).map(drop)
    }

    /// Waits until every reachable node resolves `alias` to `collection` and holds as many
    /// documents in it as the most advanced node. Followers apply the replicated log after the
    /// leader acknowledged it, and index documents asynchronously after that; until they have,
    /// a search sent there would get a 404 (alias unknown) or a partial answer.
    pub async fn settle(
        &self,
        alias: &str,
        collection: &str,
        timeout: std::time::Duration,
    ) -> Result<()> {
        let start = std::time::Instant::now();
        loop {
            let behind = self.nodes_behind(alias, collection).await;
            if behind.is_empty() {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(TypesenseError::NotSettled {
                    nodes: behind.join(", "),
                    secs: timeout.as_secs(),
                    what: format!("`{alias}` → `{collection}` with every document"),
                });
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// Each node's document count of `collection` (`None` for a node that did not say).
    pub async fn counts(&self, collection: &str) -> Vec<Option<u64>> {
        let path = format!("/collections/{}", enc(collection));
        self.client
            .get_each(&path)
            .await
            .iter()
            .map(|r| {
                let r = r.as_ref().ok()?;
                serde_json::from_str::<Value>(&r.body).ok()?["num_documents"].as_u64()
            })
            .collect()
    }

    /// Reachable nodes that do not yet resolve `alias` to `collection` with every document.
    /// Unreachable nodes are left out: they catch up when they return.
    async fn nodes_behind(&self, alias: &str, collection: &str) -> Vec<String> {
        let aliases = self
            .client
            .get_each(&format!("/aliases/{}", enc(alias)))
            .await;
        let counts = self
            .client
            .get_each(&format!("/collections/{}", enc(collection)))
            .await;
        let count = |r: &std::result::Result<client::Reply, String>| {
            r.as_ref().ok().and_then(|r| {
                serde_json::from_str::<Value>(&r.body).ok()?["num_documents"].as_u64()
            })
        };
        let most = counts.iter().filter_map(count).max().unwrap_or(0);
        let urls = self.client.urls();
        aliases
            .iter()
            .zip(&counts)
            .zip(urls.split(", "))
            .filter(|((a, c), _)| match a {
                Ok(r) => {
                    !r.body
                        .contains(&format!("\"collection_name\":\"{collection}\""))
                        || count(c) != Some(most)
                }
                Err(_) => false,
            })
            .map(|(_, url)| url.to_owned())
            .collect()
    }

    /// Drops a collection (already gone is fine).
    pub async fn drop_collection(&self, name: &str) -> Result<()> {
        self.delete_path(&format!("/collections/{}", enc(name)))
            .await
    }

    /// Documents in a collection.
    pub async fn count(&self, collection: &str) -> Result<u64> {
        let path = format!("/collections/{}", enc(collection));
        let v = self
            .get_json(&path)
            .await?
            .ok_or(TypesenseError::Rejected {
                what: path.clone(),
                status: 404,
                message: format!("collection {collection} does not exist"),
            })?;
        v["num_documents"]
            .as_u64()
            .ok_or_else(|| malformed(&path, "no num_documents"))
    }

    /// Upserts documents; every result line must say `success`. Failed lines that Typesense
    /// marks retryable (5xx codes, e.g. during a leader election) fail the whole batch with
    /// `Unavailable`-like errors the caller retries; a 4xx line is the document's fault.
    pub async fn import(&self, collection: &str, docs: &[Document]) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let mut body = String::with_capacity(docs.len() * 512);
        for d in docs {
            body.push_str(&self.schema.to_json(d).to_string());
            body.push('\n');
        }
        self.import_jsonl(collection, body).await
    }

    /// Imports a JSONL body (used by [`import`](Self::import) and the benchmark).
    pub async fn import_jsonl(&self, collection: &str, body: String) -> Result<()> {
        let path = format!(
            "/collections/{}/documents/import?action=upsert",
            enc(collection)
        );
        let start = std::time::Instant::now();
        loop {
            let r = self
                .write(Method::POST, &path, body.clone(), "text/plain")
                .await?;
            if !r.status.is_success() {
                return Err(rejected(&path, r));
            }
            match check_import_lines(&r.body) {
                Ok(()) => return Ok(()),
                Err(LineFailure::Retryable(msg)) if start.elapsed() < Retry::write().deadline => {
                    tracing::debug!(%msg, "import lines failed transiently; sending again");
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                }
                Err(LineFailure::Retryable(message)) => {
                    return Err(TypesenseError::Unavailable {
                        nodes: self.client.urls(),
                        last: message,
                    })
                }
                Err(LineFailure::Document { id, message }) => {
                    return Err(TypesenseError::Document { id, message })
                }
            }
        }
    }

    /// Deletes documents by id (ids already gone are fine).
    pub async fn delete(&self, collection: &str, ids: &[String]) -> Result<()> {
        for chunk in ids.chunks(DELETE_BATCH) {
            let (quotable, odd): (Vec<&String>, Vec<&String>) =
                chunk.iter().partition(|id| !id.contains('`'));
            if !quotable.is_empty() {
                let list: Vec<String> = quotable.iter().map(|id| format!("`{id}`")).collect();
                let filter = format!("id:[{}]", list.join(","));
                let path = format!(
                    "/collections/{}/documents?filter_by={}",
                    enc(collection),
                    enc(&filter)
                );
                let r = self
                    .write(Method::DELETE, &path, String::new(), JSON)
                    .await?;
                parse_ok(&format!("deleting from {collection}"), r)?;
            }
            for id in odd {
                self.delete_one(collection, id).await?;
            }
        }
        Ok(())
    }

    async fn delete_one(&self, collection: &str, id: &str) -> Result<()> {
        self.delete_path(&format!(
            "/collections/{}/documents/{}",
            enc(collection),
            enc(id)
        ))
        .await
    }

    /// DELETE of one resource; a 404 (already gone) is fine.
    async fn delete_path(&self, path: &str) -> Result<()> {
        let r = self
            .write(Method::DELETE, path, String::new(), JSON)
            .await?;
        if r.status == StatusCode::NOT_FOUND {
            return Ok(());
        }
        parse_ok(path, r).map(drop)
    }

    /// One document's stored JSON (the `doc` field), by id.
    pub async fn document(&self, collection: &str, id: &str) -> Result<Option<Document>> {
        let path = format!("/collections/{}/documents/{}", enc(collection), enc(id));
        let Some(v) = self.get_json(&path).await? else {
            return Ok(None);
        };
        let text = v[schema::DOC_FIELD]
            .as_str()
            .ok_or_else(|| malformed(&path, "the document has no `doc` field"))?;
        serde_json::from_str(text)
            .map(Some)
            .map_err(|e| malformed(&path, &e.to_string()))
    }

    async fn write(
        &self,
        method: Method,
        path: &str,
        body: String,
        ctype: &'static str,
    ) -> Result<client::Reply> {
        let body = (!body.is_empty() || method != Method::DELETE).then_some((body, ctype));
        self.client.send(method, path, body, Retry::write()).await
    }
}

const JSON: &str = "application/json";

/// Percent-encodes a path segment or query value.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn malformed(what: &str, message: &str) -> TypesenseError {
    TypesenseError::Malformed {
        what: what.to_owned(),
        message: message.to_owned(),
    }
}

fn rejected(what: &str, r: client::Reply) -> TypesenseError {
    let message = serde_json::from_str::<Value>(&r.body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or(r.body);
    TypesenseError::Rejected {
        what: what.to_owned(),
        status: r.status.as_u16(),
        message,
    }
}

/// A 2xx answer's JSON body, or the error it describes.
pub(crate) fn parse_ok(what: &str, r: client::Reply) -> Result<Value> {
    if !r.status.is_success() {
        return Err(rejected(what, r));
    }
    serde_json::from_str(&r.body).map_err(|e| malformed(what, &e.to_string()))
}

enum LineFailure {
    Retryable(String),
    Document { id: String, message: String },
}

/// Checks every result line of an import.
fn check_import_lines(body: &str) -> std::result::Result<(), LineFailure> {
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line)
            .map_err(|e| LineFailure::Retryable(format!("unreadable import result: {e}")))?;
        if v["success"] == true {
            continue;
        }
        let message = v["error"].as_str().unwrap_or("unknown error").to_owned();
        let code = v["code"].as_u64().unwrap_or(500);
        if code >= 500 || code == 0 {
            return Err(LineFailure::Retryable(message));
        }
        let id = v["document"]
            .as_str()
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
            .and_then(|d| d["id"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return Err(LineFailure::Document { id, message });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_lines_are_all_checked() {
        assert!(check_import_lines("{\"success\":true}\n{\"success\":true}\n").is_ok());
        let bad = "{\"success\":true}\n{\"code\":400,\"document\":\"{\\\"id\\\":\\\"a:3\\\"}\",\"error\":\"Field `tags` must be an array.\",\"success\":false}";
        match check_import_lines(bad) {
            Err(LineFailure::Document { id, message }) => {
                assert_eq!(id, "a:3");
                assert!(message.contains("array"));
            }
            _ => panic!("a 400 line is the document's fault"),
        }
        let busy = "{\"code\":503,\"error\":\"Not Ready or Lagging\",\"success\":false}";
        assert!(matches!(
            check_import_lines(busy),
            Err(LineFailure::Retryable(_))
        ));
    }

    #[test]
    fn encoding_keeps_ids_in_one_segment() {
        assert_eq!(enc("notion:a/b c"), "notion%3Aa%2Fb%20c");
    }
}
