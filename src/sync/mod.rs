//! The sync driver: runs one source's connector into the store and keeps the index following.
//!
//! [`sync_source`] marks the source running, hands the connector a [`SourceSink`] (every batch
//! it commits is durable at once), refreshes the index at most about once a second while the
//! crawl goes on (so `trove serve` sees progress), catches the index up at the end, and records
//! the outcome for `trove status`.

mod lock;

use std::path::Path;
use std::time::{Duration, Instant};

use crate::config::SourceConfig;
use crate::connectors::{self, ConnectorError, Progress, SyncOptions, SyncSummary};
use crate::document::SourceKind;
use crate::index::{IndexError, TroveIndex};
use crate::store::{SourceSink, Store, StoreError, SyncRun};
pub use lock::{LockError, SyncLock, SYNC_LOCK_FILE};

/// How often, at most, the index is refreshed during a crawl.
const INDEX_REFRESH: Duration = Duration::from_secs(1);

/// A failure of the sync machinery itself (not of the remote API).
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// How one source's sync ended.
#[derive(Debug)]
pub struct Outcome {
    pub source: String,
    pub summary: SyncSummary,
    pub elapsed: Duration,
    /// `None` when the sync completed.
    pub error: Option<ConnectorError>,
}

/// Syncs one source into the data folder.
pub async fn sync_source(
    data_dir: &Path,
    cfg: &SourceConfig,
    opts: &SyncOptions,
    progress: &dyn Progress,
) -> Result<Outcome, SyncError> {
    let start = Instant::now();
    let mut store = Store::open(data_dir)?;
    // After the store opened (it creates the folder); held until this sync returns.
    let _lock = SyncLock::acquire(data_dir)?;
    let mut index = TroveIndex::open(data_dir)?;
    store.mark_running(&cfg.name, cfg.kind.as_str())?;
    let mut last_refresh = Instant::now();
    let (result, counts) = {
        let mut sink = SourceSink::new(&mut store, &cfg.name, cfg.kind).on_commit(|store| {
            if last_refresh.elapsed() >= INDEX_REFRESH {
                if let Err(e) = index.try_catch_up(store) {
                    tracing::warn!(error = %e, "index refresh during sync failed; will retry at the end");
                }
                last_refresh = Instant::now();
            }
        });
        let run = connectors::SyncRun {
            cfg,
            sink: &mut sink,
            opts,
            progress,
        };
        let result = match cfg.kind {
            SourceKind::Notion => connectors::notion::sync(run, Default::default()).await,
            SourceKind::Monday => connectors::monday::sync(run, Default::default()).await,
        };
        (result, sink.counts)
    };
    // catch_up follows a generation another process swapped in meanwhile.
    index.catch_up(&mut store)?;
    let (mut summary, error) = match result {
        Ok(s) => (s, None),
        Err(e) => (SyncSummary::default(), Some(e)),
    };
    // The store saw every commit; its counts are the truth.
    summary.added = counts.added;
    summary.updated = counts.updated;
    summary.deleted = counts.deleted;
    summary.unchanged = summary.unchanged.max(counts.unchanged);
    store.record_run(
        &cfg.name,
        &SyncRun {
            summary: summary.clone(),
            error: error.as_ref().map(|e| e.to_string()),
        },
    )?;
    Ok(Outcome {
        source: cfg.name.clone(),
        summary,
        elapsed: start.elapsed(),
        error,
    })
}
