//! Notion connector: crawls a workspace through the public REST API (../shared/docs/notion-api.md) into
//! a [`Sink`](crate::connectors::Sink), one checkpointed [`Batch`](crate::connectors::Batch) at a time.
//!
//! [`client`] sends paced, retried requests; [`errors`] decides in one place what each API
//! failure means; [`fetch`] fetches pages (blocks walked iteratively, cycle-safe) and databases
//! (data sources, rows); [`driver`] drives a sync: search listing → follow-up checks → task
//! queue → final state; [`state`] is what is saved between syncs; [`Tuning`] holds the knobs
//! tests shrink. Text comes from the pure [`crate::flatten::notion`].
//!
//! Incremental syncs compare each search result's `last_edited_time` with the stored document,
//! so an unchanged workspace costs only the search listing. Search is listed to the end while it
//! fits in 10 result pages (so unshared or trashed pages leave at the next sync: absence is
//! confirmed with a GET); larger workspaces stop at the high-water mark minus 5 minutes
//! (minute-precision timestamps). Pages search never returns (§1.3) are reached through the
//! `child_page` / `child_database` / `link_to_page` blocks of pages that changed, and everything
//! known is re-checked by a deep reconciliation every 12 hours (or `--full`). [`comments`]
//! decides whose comments a run re-reads (they do not bump `last_edited_time`); they are kept
//! as the page's `comments` part and appended to its document.

pub mod attachments;
pub mod client;
pub mod comments;
pub mod driver;
pub mod errors;
pub mod fetch;
pub mod state;

#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::connectors::http::Backoff;
use crate::connectors::{ConnectorError, SyncRun, SyncSummary};

pub use client::NOTION_VERSION;

/// Knobs with production defaults; tests shrink the waits and checkpoint more often.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Backoff for transient failures (5xx, timeouts, malformed bodies).
    pub backoff: Backoff,
    /// Task outcomes between two checkpoints (each checkpoint is one store transaction).
    pub checkpoint_every: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            backoff: Backoff::new(Duration::from_millis(500), Duration::from_secs(30), 6),
            checkpoint_every: 25,
        }
    }
}

/// Syncs one Notion source into `sink`, resuming an interrupted sync if there is one.
///
/// A 401 stops with [`ConnectorError::Auth`] and commits nothing more; pages that cannot be read
/// (403/404) are skipped and recorded in the batch.
pub async fn sync(run: SyncRun<'_>, tuning: Tuning) -> Result<SyncSummary, ConnectorError> {
    let SyncRun {
        cfg,
        sink,
        opts,
        progress,
    } = run;
    let client = client::Client::new(cfg, progress, tuning.backoff)?;
    let mut crawler = driver::Crawler::new(cfg, &client, sink, opts, tuning.checkpoint_every)?;
    let result = crawler.run().await;
    let mut summary = std::mem::take(&mut crawler.summary);
    summary.requests = client.requests();
    result.map(|()| summary)
}
