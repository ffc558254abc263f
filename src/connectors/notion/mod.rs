//! Notion connector: crawls a workspace through the public REST API (docs/notion-api.md) into
//! a [`Sink`], one checkpointed [`Batch`](crate::connectors::Batch) at a time.
//!
//! [`client`] sends paced, retried requests and decides in one place what each API failure means;
//! [`crawl`] fetches pages (blocks walked iteratively, cycle-safe) and databases (data sources,
//! rows); [`run`] drives a sync: search listing → follow-up checks → task queue → final state;
//! [`state`] is what is saved between syncs. Text comes from the pure [`crate::flatten::notion`].
//!
//! Incremental syncs compare each search result's `last_edited_time` with the stored document,
//! so an unchanged workspace costs only the search listing. Search is listed to the end while it
//! fits in 10 result pages (so unshared or trashed pages leave at the next sync: absence is
//! confirmed with a GET); larger workspaces stop at the high-water mark minus 5 minutes
//! (minute-precision timestamps). Pages search never returns (§1.3) are reached through the
//! `child_page` / `child_database` / `link_to_page` blocks of pages that changed, and everything
//! known is re-checked by a deep reconciliation every 12 hours (or `--full`).

pub mod client;
pub mod crawl;
pub mod run;
pub mod state;

#[cfg(test)]
mod tests;

use crate::config::SourceConfig;
use crate::connectors::{ConnectorError, Progress, Sink, SyncOptions, SyncSummary};

pub use client::NOTION_VERSION;

/// Syncs one Notion source into `sink`, resuming an interrupted sync if there is one.
///
/// A 401 stops with [`ConnectorError::Auth`] and commits nothing more; pages that cannot be read
/// (403/404) are skipped and recorded in the batch.
pub async fn sync(
    cfg: &SourceConfig,
    sink: &mut dyn Sink,
    opts: &SyncOptions,
    progress: &dyn Progress,
) -> Result<SyncSummary, ConnectorError> {
    let client = client::Client::new(cfg, progress)?;
    let mut crawler = run::Crawler::new(cfg, &client, sink, opts)?;
    let result = crawler.run().await;
    let mut summary = std::mem::take(&mut crawler.summary);
    summary.requests = client.requests();
    result.map(|()| summary)
}
