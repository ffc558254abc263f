//! [`Client`]: HTTP to a Typesense cluster with failover across its nodes, the way Typesense's
//! official clients do it (typesense-go's `ApiClient`, typesense-js's `ApiCall`):
//!
//! - requests go to the nodes round-robin; a node that failed (connection error, timeout or a
//!   5xx answer) is marked unhealthy and skipped for [`Client::backoff`] (the official clients'
//!   `healthcheck_interval_seconds`), after which it gets another chance;
//! - a failed attempt is retried on the next node after a short pause, within a [`Retry`]
//!   budget: searches get a few attempts, writes ride out a leader election;
//! - 4xx answers are final (the request itself is wrong), they are never retried.
//!
//! The API key travels in the `X-TYPESENSE-API-KEY` header only; error texts are scrubbed of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};

use super::TypesenseError;
use crate::secret::Secret;

/// How long an unhealthy node is skipped (typesense-js: `healthcheckIntervalSeconds`).
pub const NODE_BACKOFF: Duration = Duration::from_secs(15);

/// How hard one request tries before giving up.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in total (across nodes).
    pub attempts: u32,
    /// Pause between attempts (doubles up to 2 s).
    pub interval: Duration,
    /// Give up after this long even with attempts left.
    pub deadline: Duration,
    /// Per-attempt timeout.
    pub timeout: Duration,
}

impl Retry {
    /// For searches and reads: every node once plus one, quickly.
    pub fn read(nodes: usize) -> Retry {
        Retry {
            attempts: nodes as u32 + 1,
            interval: Duration::from_millis(100),
            deadline: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
        }
    }

    /// For writes: long enough to outlast a leader election (seconds to tens of seconds).
    pub fn write() -> Retry {
        Retry {
            attempts: 200,
            interval: Duration::from_millis(200),
            deadline: Duration::from_secs(120),
            timeout: Duration::from_secs(120),
        }
    }
}

/// One node and its health as this client saw it.
#[derive(Debug)]
struct Node {
    url: String,
    /// `None` while healthy; the instant it last failed otherwise.
    failed_at: Mutex<Option<Instant>>,
}

impl Node {
    fn usable(&self, backoff: Duration) -> bool {
        let failed = *self.failed_at.lock().unwrap_or_else(|e| e.into_inner());
        failed.is_none_or(|t| t.elapsed() >= backoff)
    }

    fn mark(&self, ok: bool) {
        let mut f = self.failed_at.lock().unwrap_or_else(|e| e.into_inner());
        *f = if ok { None } else { Some(Instant::now()) };
    }
}

/// A node's state for `status` and `/metrics`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NodeHealth {
    pub url: String,
    /// `/health` answered `{"ok": true}`.
    pub ok: bool,
    /// `leader`, `follower`, or another Raft state; `None` when the node did not say.
    pub role: Option<String>,
    /// Why the node is not ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A response body and its status.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: String,
}

/// The failover HTTP client.
#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    nodes: Vec<Node>,
    next: AtomicUsize,
    /// The node `/debug` last named leader (`usize::MAX`: unknown). Writes go there first:
    /// a follower would forward them, moving every bulk body one extra hop.
    leader: AtomicUsize,
    key: Secret,
    /// How long a failed node is skipped.
    pub backoff: Duration,
}

impl Client {
    /// A client for `nodes` (base URLs such as `http://10.0.0.1:8108`).
    pub fn new(nodes: &[String], key: Secret) -> Result<Client, TypesenseError> {
        if nodes.is_empty() {
            return Err(TypesenseError::Config("`typesense.nodes` is empty".into()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .pool_max_idle_per_host(32)
            .build()
            .map_err(|e| TypesenseError::Config(format!("http client: {e}")))?;
        Ok(Client {
            http,
            nodes: nodes
                .iter()
                .map(|u| Node {
                    url: u.trim_end_matches('/').to_owned(),
                    failed_at: Mutex::new(None),
                })
                .collect(),
            next: AtomicUsize::new(0),
            leader: AtomicUsize::new(usize::MAX),
            key,
            backoff: NODE_BACKOFF,
        })
    }

    /// Number of configured nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The next node to try: round-robin over the usable ones, or simply the next one when
    /// every node is backing off (typesense-go does the same).
    fn pick(&self) -> &Node {
        let n = self.nodes.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.nodes[(start + i) % n])
            .find(|node| node.usable(self.backoff))
            .unwrap_or(&self.nodes[start % n])
    }

    /// The known leader if it is usable, else the next node round-robin.
    fn pick_for(&self, method: &Method) -> &Node {
        let leader = self.leader.load(Ordering::Relaxed);
        match self.nodes.get(leader) {
            Some(node) if *method != Method::GET && node.usable(self.backoff) => node,
            _ => self.pick(),
        }
    }

    /// Sends `method path` (path with query string) with an optional body, failing over
    /// between nodes within `retry`. Returns the first non-5xx answer.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<(String, &'static str)>,
        retry: Retry,
    ) -> Result<Reply, TypesenseError> {
        let start = Instant::now();
        let mut pause = retry.interval;
        let mut last = String::new();
        for attempt in 1..=retry.attempts {
            let node = self.pick_for(&method);
            match self.once(node, &method, path, body.as_ref(), retry).await {
                Ok(reply) if !reply.status.is_server_error() => {
                    node.mark(true);
                    return check_auth(reply);
                }
                Ok(reply) => {
                    last = format!("{} answered {}: {}", node.url, reply.status, reply.body);
                }
                Err(e) => last = format!("{}: {e}", node.url),
            }
            node.mark(false);
            tracing::debug!(attempt, error = %self.key.scrub(&last), "typesense request failed");
            if attempt == retry.attempts || start.elapsed() + pause > retry.deadline {
                break;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
        Err(TypesenseError::Unavailable {
            nodes: self.urls(),
            last: self.key.scrub(&last),
        })
    }

    async fn once(
        &self,
        node: &Node,
        method: &Method,
        path: &str,
        body: Option<&(String, &'static str)>,
        retry: Retry,
    ) -> Result<Reply, reqwest::Error> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", node.url))
            .header("X-TYPESENSE-API-KEY", self.key.expose())
            .timeout(retry.timeout);
        if let Some((text, ctype)) = body {
            req = req.header("Content-Type", *ctype).body(text.clone());
        }
        let resp = req.send().await?;
        let status = resp.status();
        let body = resp.text().await?;
        Ok(Reply { status, body })
    }

    /// `GET path` on every node directly (no failover): each node's answer, or why it had none.
    pub async fn get_each(&self, path: &str) -> Vec<Result<Reply, String>> {
        let retry = Retry::read(1);
        let each = self.nodes.iter().map(|n| async move {
            self.once(n, &Method::GET, path, None, retry)
                .await
                .map_err(|e| e.to_string())
        });
        futures_util::future::join_all(each).await
    }

    /// The node URLs, comma-separated, for messages.
    pub fn urls(&self) -> String {
        self.nodes
            .iter()
            .map(|n| n.url.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Asks every node for `/health` and its Raft state (`/debug`), concurrently.
    pub async fn health(&self) -> Vec<NodeHealth> {
        let checks = self.nodes.iter().map(|n| self.node_health(n));
        let health = futures_util::future::join_all(checks).await;
        let leader = health
            .iter()
            .position(|h| h.role.as_deref() == Some("leader"));
        self.leader
            .store(leader.unwrap_or(usize::MAX), Ordering::Relaxed);
        health
    }

    async fn node_health(&self, node: &Node) -> NodeHealth {
        let retry = Retry::read(1);
        let mut h = NodeHealth {
            url: node.url.clone(),
            ok: false,
            role: None,
            error: None,
        };
        match self.once(node, &Method::GET, "/health", None, retry).await {
            Ok(r) => {
                h.ok = r.status.is_success() && r.body.contains("true");
                if !h.ok {
                    h.error = Some(format!("/health answered {}: {}", r.status, r.body));
                }
            }
            Err(e) => h.error = Some(format!("unreachable: {e}")),
        }
        if let Ok(r) = self.once(node, &Method::GET, "/debug", None, retry).await {
            h.role = serde_json::from_str::<serde_json::Value>(&r.body)
                .ok()
                .and_then(|v| v["state"].as_u64())
                .map(raft_state);
        }
        node.mark(h.ok);
        h
    }
}

/// Typesense's `/debug` `state` number as a word (braft's `State` enum).
fn raft_state(n: u64) -> String {
    match n {
        1 => "leader",
        2 => "transferring",
        3 => "candidate",
        4 => "follower",
        5 => "error",
        6 => "uninitialized",
        7 => "shutting down",
        8 => "shut down",
        _ => "unknown",
    }
    .to_owned()
}

/// 401/403 mean the API key is wrong for every node: never retried, always explained.
fn check_auth(reply: Reply) -> Result<Reply, TypesenseError> {
    match reply.status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Err(TypesenseError::Auth),
        _ => Ok(reply),
    }
}
