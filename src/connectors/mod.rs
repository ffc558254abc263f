//! Connectors crawl a remote workspace and hand [`Document`](crate::Document)s to a [`Sink`]
//! (the hand-over types live in [`crate::ingest`] and are re-exported here).
//!
//! A connector (`notion::sync`, `monday::sync`) talks HTTP to its API, turns responses into
//! documents with the pure functions in [`crate::flatten`], and commits them in [`Batch`]es
//! together with its resumable sync state. It knows nothing about tantivy: the sink (the store,
//! see [`crate::sync`]) is the only thing it writes to. Each batch is committed atomically with
//! the state that produced it, so a killed sync resumes from its last checkpoint.
//!
//! Shared plumbing for both connectors lives in [`http`]: the client-side rate limiter and the
//! bounded exponential backoff with jitter.

pub mod files;
pub mod http;
pub mod monday;
pub mod notion;
#[cfg(test)]
pub mod testing;

pub use crate::ingest::{Batch, DocMeta, DocPart, Sink, SinkError, Skip, SyncSummary};

/// How a sync should run.
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Ignore saved high-water marks and re-crawl everything.
    pub full: bool,
}

/// What one connector sync works on; both `notion::sync` and `monday::sync` take it, with
/// their own `Tuning` (`Default` for real use; tests shrink its waits).
pub struct SyncRun<'a> {
    pub cfg: &'a crate::config::SourceConfig,
    /// Where documents and sync state are committed.
    pub sink: &'a mut dyn Sink,
    pub opts: &'a SyncOptions,
    pub progress: &'a dyn Progress,
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
}

impl ConnectorError {
    /// What to do next: the message says what went wrong, this what fixes it.
    pub fn hint(&self) -> &'static str {
        match self {
            ConnectorError::Auth(_) => {
                "check the token (or the environment variable `token_env`/`auth_token_env` \
                 names); the store and index were left as they were"
            }
            ConnectorError::QuotaExhausted(_) => {
                "wait until the quota resets (see the message), then run `trove sync` again; \
                 everything committed so far is kept"
            }
            ConnectorError::Unreachable(_) => {
                "check the source's `api_url` and the network, then run `trove sync` again; \
                 everything committed so far is kept and the sync resumes where it stopped"
            }
            ConnectorError::Protocol(_) => {
                "check that the source's `api_url` points at the API itself (not a proxy or a web \
                 page); if it does, run again with `-v` and report the log"
            }
            ConnectorError::Sink(e) if crate::error::is_disk_full_text(&e.0) => {
                crate::error::DISK_FULL_HINT
            }
            ConnectorError::Sink(_) => {
                "check free disk space and the permissions of the data folder, then run \
                 `trove sync` again"
            }
        }
    }
}
