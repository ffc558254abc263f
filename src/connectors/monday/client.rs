//! [`Client`]: one GraphQL endpoint, one token, and every rule about *sending*: the
//! `Authorization` / `API-Version` headers, the client-side [`RateLimiter`], retries decided
//! by [`errors::decide`], and pacing to the per-minute complexity budget.
//!
//! Every query asks for `complexity { before after query reset_in_x_seconds }`
//! (../shared/docs/monday-api.md §2.8); when the budget left (`after`) drops below the most expensive
//! query seen so far, the client waits `reset_in_x_seconds` before the next request instead of
//! running into `COMPLEXITY_BUDGET_EXHAUSTED`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{json, Value};

use super::errors::{self, ApiFailure, Decision, GqlResponse, Scope};
use super::Tuning;
use crate::config::SourceConfig;
use crate::connectors::http::{http_client, parse_retry_after, Backoff, RateLimiter};
use crate::connectors::Progress;
use crate::secret::Secret;

/// The monday.com request timeout (docs: "all API calls follow a 60-second timeout").
const TIMEOUT: Duration = Duration::from_secs(60);

/// A monday.com GraphQL client for one source.
pub struct Client {
    http: reqwest::Client,
    url: String,
    version: String,
    token: Secret,
    limiter: RateLimiter,
    tuning: Tuning,
    requests: AtomicU64,
    complexity: AtomicU64,
    /// The most expensive query so far: what the budget must still cover.
    max_cost: AtomicU64,
}

impl Client {
    pub fn new(cfg: &SourceConfig, tuning: Tuning) -> Result<Client, ApiFailure> {
        let http = http_client(TIMEOUT)
            .map_err(|e| ApiFailure::Malformed(format!("cannot build HTTP client: {e}")))?;
        Ok(Client {
            http,
            url: cfg.api_url.clone(),
            version: cfg.api_version.clone(),
            token: cfg.token.clone(),
            limiter: RateLimiter::new(cfg.requests_per_second),
            tuning,
            requests: AtomicU64::new(0),
            complexity: AtomicU64::new(0),
            max_cost: AtomicU64::new(0),
        })
    }

    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// HTTP requests sent so far (retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Complexity points spent so far (`complexity.query` summed).
    pub fn complexity(&self) -> u64 {
        self.complexity.load(Ordering::Relaxed)
    }

    /// Runs one query, retrying rate limits and transient failures; returns the final failure.
    pub async fn query(
        &self,
        query: &str,
        variables: Value,
        progress: &dyn Progress,
    ) -> Result<GqlResponse, ApiFailure> {
        let body = json!({ "query": query, "variables": variables });
        let mut backoff = Backoff::new(
            self.tuning.scale(Duration::from_millis(500)),
            self.tuning.scale(Duration::from_secs(30)),
            self.tuning.max_transient_retries,
        );
        let mut attempt = 0;
        loop {
            let outcome = self.send_once(&body, progress).await;
            let failure = match outcome {
                Ok(resp) => {
                    self.pace(&resp.data, progress).await;
                    return Ok(resp);
                }
                Err(f) => f,
            };
            let scope = Scope::Request {
                attempt,
                backoff: backoff.delay(attempt),
            };
            let Decision::Retry(wait) = errors::decide(&failure, scope) else {
                return Err(failure);
            };
            attempt += 1;
            let what = self.token.scrub(&failure.describe());
            tracing::warn!(attempt, wait_s = wait.as_secs_f64(), "monday.com: {what}");
            progress.message(&format!("waiting {}s: {what}", wait.as_secs()));
            let wait = self.tuning.scale(wait);
            if matches!(failure, ApiFailure::RateLimited { .. }) {
                self.limiter.pause(wait);
            }
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(
        &self,
        body: &Value,
        progress: &dyn Progress,
    ) -> Result<GqlResponse, ApiFailure> {
        self.limiter.acquire().await;
        self.requests.fetch_add(1, Ordering::Relaxed);
        progress.inc("requests", 1);
        let sent = self
            .http
            .post(&self.url)
            .header("Authorization", self.token.expose())
            .header("API-Version", &self.version)
            .json(body)
            .send()
            .await;
        let resp = sent.map_err(|e| self.network_failure(e))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = parse_retry_after(header("retry-after").as_deref());
        if let Some(id) = header("x-request-id") {
            tracing::debug!(status, request_id = %id, "monday.com response");
        }
        let bytes = resp.bytes().await.map_err(|e| self.network_failure(e))?;
        errors::classify(status, retry_after, &bytes)
    }

    fn network_failure(&self, e: reqwest::Error) -> ApiFailure {
        let message = self.token.scrub(&format!(
            "{} ({})",
            e,
            if e.is_timeout() { "timeout" } else { "network" }
        ));
        ApiFailure::Transient {
            wait: None,
            message,
        }
    }

    /// Counts the complexity spent and waits for the budget to refill when it runs low.
    async fn pace(&self, data: &Value, progress: &dyn Progress) {
        let Some(c) = data.get("complexity").filter(|c| c.is_object()) else {
            return;
        };
        let num = |k: &str| c.get(k).and_then(Value::as_u64);
        let cost = num("query").unwrap_or(0);
        self.complexity.fetch_add(cost, Ordering::Relaxed);
        let needed = self.max_cost.fetch_max(cost, Ordering::Relaxed).max(cost);
        let (Some(after), Some(reset)) = (num("after"), num("reset_in_x_seconds")) else {
            return;
        };
        if after < needed {
            progress.message(&format!(
                "waiting {reset}s: complexity budget low ({after} left)"
            ));
            tokio::time::sleep(self.tuning.scale(Duration::from_secs(reset.min(120)))).await;
        }
    }
}
