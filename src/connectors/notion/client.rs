//! [`Client`]: authenticated, paced, retrying requests to the Notion API.
//!
//! Every response that is not a 200 becomes an [`ApiError`], and [`super::errors`] decides
//! what it means (retry / skip / restart-the-listing / abort). Callers only see a JSON value or
//! a [`Failure`]. Search and query are POSTs but read-only, so
//! they are retried like GETs. The token is sent only in the `Authorization` header and scrubbed
//! from every error text.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::errors::{
    abort_error, classify, decide, excerpt, skip, ApiError, Attempts, Decision, Failure,
};
use crate::config::SourceConfig;
use crate::connectors::files::Downloader;
use crate::connectors::http::{
    describe, http_client, parse_retry_after, Backoff, RateLimiter, RetryBudget,
};
use crate::connectors::{ConnectorError, Progress};
use crate::secret::Secret;

/// The pinned API version: databases hold data sources; `in_trash` (and, until 2026-03-11,
/// `archived`) flag trashed objects. Responses of 2026-03-11 are read too.
pub const NOTION_VERSION: &str = "2025-09-03";
/// Requests in flight at once, per source.
pub const MAX_IN_FLIGHT: usize = 3;
/// Invalid-cursor restarts of one listing before giving up on it.
const MAX_RESTARTS: u32 = 3;

/// A Notion API client for one source.
pub struct Client<'a> {
    http: reqwest::Client,
    base: String,
    token: Secret,
    limiter: RateLimiter,
    slots: Semaphore,
    backoff: Backoff,
    progress: &'a dyn Progress,
    requests: AtomicU64,
    timeout: Duration,
    retry_budget: Duration,
    /// Attachment downloads: a separate client that never carries the token.
    files: Downloader,
}

impl<'a> Client<'a> {
    pub fn new(
        cfg: &SourceConfig,
        progress: &'a dyn Progress,
        backoff: Backoff,
    ) -> Result<Self, ConnectorError> {
        let http = http_client(cfg.request_timeout)
            .map_err(|e| ConnectorError::Unreachable(format!("cannot build HTTP client: {e}")))?;
        Ok(Client {
            http,
            base: cfg.api_url.trim_end_matches('/').to_owned(),
            token: cfg.token.clone(),
            limiter: RateLimiter::new(cfg.requests_per_second),
            slots: Semaphore::new(MAX_IN_FLIGHT),
            backoff,
            progress,
            requests: AtomicU64::new(0),
            timeout: cfg.request_timeout,
            retry_budget: cfg.retry_budget,
            files: Downloader::new(cfg.attachments.clone())?,
        })
    }

    /// Requests sent so far (retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn progress(&self) -> &dyn Progress {
        self.progress
    }

    /// The attachment downloader (no token, own redirect rules).
    pub fn files(&self) -> &Downloader {
        &self.files
    }

    /// `GET /v1/<path>?<query>`.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, Failure> {
        self.call(Method::GET, path, query, None).await
    }

    /// `POST /v1/<path>` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, Failure> {
        self.call(Method::POST, path, &[], Some(body)).await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, Failure> {
        let what = format!("{method} /v1/{path}");
        let mut attempts = Attempts::default();
        let mut backoff = self.backoff.clone();
        let budget = RetryBudget::start(self.retry_budget);
        loop {
            let err = match self.once(method.clone(), path, query, body).await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            match decide(&err, &mut attempts, &mut backoff) {
                Decision::Retry(wait) if !budget.allows(wait) => {
                    let what = format!("{what} ({})", budget.exhausted());
                    return Err(Failure::Abort(abort_error(&err, &what)));
                }
                Decision::Retry(wait) => self.wait(&err, wait, &what).await,
                Decision::Skip => return Err(skip(err)),
                Decision::Restart => return Err(Failure::InvalidCursor),
                Decision::Abort => return Err(Failure::Abort(abort_error(&err, &what))),
            }
        }
    }

    async fn wait(&self, err: &ApiError, wait: Duration, what: &str) {
        let why = match err {
            ApiError::RateLimited { .. } => "rate limited".to_owned(),
            ApiError::Transient(m) | ApiError::Malformed(m) => m.clone(),
            other => format!("{other:?}"),
        };
        self.progress.message(&format!(
            "waiting {:.1}s before retrying {what}: {why}",
            wait.as_secs_f64()
        ));
        tracing::debug!(what, wait_ms = wait.as_millis() as u64, why, "notion retry");
        if matches!(err, ApiError::RateLimited { .. }) {
            // Everyone waits: the budget is per integration, not per request.
            self.limiter.pause(wait);
        } else {
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP exchange.
    async fn once(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ApiError> {
        let _slot = self.slots.acquire().await;
        self.limiter.acquire().await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.progress.inc("requests", 1);
        let mut req = self
            .http
            .request(method, format!("{}/v1/{path}", self.base))
            .bearer_auth(self.token.expose())
            .header("Notion-Version", NOTION_VERSION);
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| self.network_error(&e))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(Some(v)));
        let text = resp.text().await.map_err(|e| self.network_error(&e))?;
        let text = self.token.scrub(&text);
        if status == 200 {
            return parse_object(&text);
        }
        Err(classify(status, &text, retry_after))
    }
}

impl Client<'_> {
    /// A request that got no (complete) answer: retried like a 5xx.
    fn network_error(&self, e: &reqwest::Error) -> ApiError {
        ApiError::Transient(self.token.scrub(&describe(e, self.timeout)))
    }
}

/// A 200 body must be a JSON object. Its `request_id` (new on every response) is dropped, so
/// a document built from a page fetched again is identical when nothing changed.
fn parse_object(text: &str) -> Result<Value, ApiError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(mut o)) => {
            o.remove("request_id");
            Ok(Value::Object(o))
        }
        Ok(_) => Err(ApiError::Malformed(
            "response is JSON but not an object".into(),
        )),
        Err(e) => Err(ApiError::Malformed(format!(
            "invalid JSON ({e}): {}",
            excerpt(text)
        ))),
    }
}

/// Which page of a list to fetch next.
#[derive(Debug, Default)]
struct Cursor {
    next: Option<String>,
    seen: HashSet<String>,
}

impl Cursor {
    /// Advances from one list response; `false` once the list is done. A repeated or missing
    /// cursor with `has_more: true` ends the list rather than looping forever (§4).
    fn advance(&mut self, page: &Value) -> bool {
        let has_more = page.get("has_more").and_then(Value::as_bool) == Some(true);
        let next = page.get("next_cursor").and_then(Value::as_str);
        if page.pointer("/request_status/type").and_then(Value::as_str) == Some("incomplete") {
            // Queries stop at 10,000 results (../shared/docs/notion-api.md §1.7).
            tracing::warn!(status = %page["request_status"], "notion list incomplete; later items not indexed");
        }
        match next {
            Some(c) if has_more && self.seen.insert(c.to_owned()) => {
                self.next = Some(c.to_owned());
                true
            }
            _ if has_more => {
                tracing::warn!("notion list says has_more without a new cursor; stopping it");
                false
            }
            _ => false,
        }
    }
}

/// `results` of a list response.
pub fn results(page: &Value, what: &str) -> Result<Vec<Value>, Failure> {
    match page.get("results").and_then(Value::as_array) {
        Some(r) => Ok(r.clone()),
        None => Err(Failure::Abort(ConnectorError::Protocol(format!(
            "Notion answered {what} without a `results` array"
        )))),
    }
}

impl Client<'_> {
    /// Every item of a GET list endpoint (`page_size=100`, cursor in the query), restarting
    /// the listing when Notion rejects a cursor.
    pub async fn list_get(&self, path: &str) -> Result<Vec<Value>, Failure> {
        self.list(path, None).await
    }

    /// Every item of a POST list endpoint (cursor in the JSON body).
    pub async fn list_post(&self, path: &str, body: Value) -> Result<Vec<Value>, Failure> {
        self.list(path, Some(body)).await
    }

    async fn list(&self, path: &str, body: Option<Value>) -> Result<Vec<Value>, Failure> {
        let mut restarts = 0;
        'restart: loop {
            let mut items = Vec::new();
            let mut cursor = Cursor::default();
            loop {
                let page = match self
                    .list_page(path, body.as_ref(), cursor.next.as_deref())
                    .await
                {
                    Err(Failure::InvalidCursor) if restarts < MAX_RESTARTS => {
                        restarts += 1;
                        continue 'restart;
                    }
                    Err(Failure::InvalidCursor) => {
                        return Err(Failure::Skip {
                            status: 400,
                            reason: format!("/v1/{path}: Notion kept rejecting the cursor"),
                        })
                    }
                    other => other?,
                };
                items.extend(results(&page, path)?);
                if !cursor.advance(&page) {
                    return Ok(items);
                }
            }
        }
    }

    /// One page of a list endpoint.
    pub async fn list_page(
        &self,
        path: &str,
        body: Option<&Value>,
        cursor: Option<&str>,
    ) -> Result<Value, Failure> {
        match body {
            None => {
                let mut q = vec![("page_size", "100".to_owned())];
                if let Some(c) = cursor {
                    q.push(("start_cursor", c.to_owned()));
                }
                self.get(path, &q).await
            }
            Some(b) => {
                let mut b = b.clone();
                b["page_size"] = json!(100);
                if let Some(c) = cursor {
                    b["start_cursor"] = json!(c);
                }
                self.post(path, &b).await
            }
        }
    }
}

/// Whether a list response says there is another page, and its cursor.
pub fn next_cursor(page: &Value) -> Option<String> {
    let mut c = Cursor::default();
    if c.advance(page) {
        c.next
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (found by tests/sync/notion.rs): the per-response `request_id` ended up in
    /// documents' raw JSON, so `--full` rewrote (and re-indexed) unchanged pages.
    #[test]
    fn request_id_is_dropped_from_objects() {
        let v = parse_object(r#"{"object":"page","id":"p","request_id":"r-1"}"#).unwrap();
        assert_eq!(v, json!({"object": "page", "id": "p"}));
    }

    #[test]
    fn repeated_cursor_ends_listing() {
        let mut c = Cursor::default();
        let page = json!({"has_more": true, "next_cursor": "a"});
        assert!(c.advance(&page));
        assert!(!c.advance(&page));
        assert!(!c.advance(&json!({"has_more": true, "next_cursor": null})));
    }
}
