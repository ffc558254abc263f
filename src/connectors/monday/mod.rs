//! monday.com connector (see ../shared/docs/monday-api.md): [`sync`] crawls every board the token can
//! read into a [`Sink`](crate::connectors::Sink).
//!
//! A run has three phases, checkpointed in [`state::SyncState`] with every committed batch:
//! 1. **Items** ([`listing`], [`board`]): list boards (`boards`, paginated, subitem boards and
//!    workdocs left out), then per board `items_page` (filtered `__last_updated__ >= since`,
//!    oldest change first) and `next_items_page` with the cursor; subitems are fetched by id.
//!    Each page is committed with the board's resume point.
//! 2. **Updates** ([`refresh`], incremental runs only): items that got updates (comments)
//!    since the last mark, found through root `updates` newest first, are refetched; so are
//!    items whose updates from the [`Tuning::reply_lookback`] window got replies since.
//! 3. **Sweep** ([`sweep`]): an id-only listing of every board is compared with the store;
//!    missing ids are confirmed through root `items(ids:)` `state` and deleted. Subitems
//!    edited, added or removed since they were stored (which leaves the parent's
//!    `updated_at` alone) are refetched, with their parents.
//!
//! [`driver::Crawler`] runs the phases, lending each a [`step::Step`] (the read-only API side,
//! the writer, the board listing, the adaptive [`limits::Limits`]). Requests go through
//! [`client::Client`] (headers, pacing, retries); every failure is an [`errors::ApiFailure`]
//! decided in [`errors`].

pub mod attachments;
pub mod board;
pub mod client;
pub mod driver;
pub mod errors;
pub mod limits;
pub mod listing;
pub mod queries;
pub mod refresh;
pub mod state;
pub mod step;
pub mod sweep;
pub mod updates;

#[cfg(test)]
mod tests;

use std::time::Duration;

use crate::connectors::{ConnectorError, SyncRun, SyncSummary};

/// Knobs with production defaults; tests shrink the waits.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// Multiplies every wait (server-requested or backoff); `1.0` in production.
    pub time_scale: f64,
    pub boards_per_page: u32,
    /// First `items_page` size; adapted to the measured complexity afterwards (at most
    /// [`limits::MAX_PAGE`]).
    pub items_per_page: u32,
    /// Target complexity per query, well under the 5,000,000 single-query cap.
    pub max_query_cost: u64,
    /// Page size of the id-only deletion sweep.
    pub sweep_per_page: u32,
    pub updates_per_page: u32,
    /// Re-fetch window before the last mark (the `__last_updated__` granularity is unknown).
    pub overlap: Duration,
    /// How far before the updates mark updates are still checked for new replies (a reply
    /// bumps neither its update nor its item).
    pub reply_lookback: Duration,
    pub max_transient_retries: u32,
    /// Cursor-expired restarts in a row without progress before a board is skipped.
    pub max_chain_restarts: u32,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            time_scale: 1.0,
            boards_per_page: 50,
            items_per_page: 25,
            max_query_cost: 1_500_000,
            sweep_per_page: 500,
            updates_per_page: 100,
            overlap: Duration::from_secs(10 * 60),
            reply_lookback: Duration::from_secs(30 * 24 * 3600),
            max_transient_retries: 5,
            max_chain_restarts: 5,
        }
    }
}

impl Tuning {
    /// A wait as this run should sleep it.
    pub fn scale(&self, d: Duration) -> Duration {
        d.mul_f64(self.time_scale.clamp(0.0, 1.0))
    }
}

/// Syncs one monday.com source into `sink`, resuming from the state it last committed.
pub async fn sync(run: SyncRun<'_>, tuning: Tuning) -> Result<SyncSummary, ConnectorError> {
    let mut crawler = driver::Crawler::new(run.cfg, run.sink, run.progress, tuning)?;
    crawler.run(run.opts).await
}
