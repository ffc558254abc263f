//! The resumable sync state saved with every committed [`crate::connectors::Batch`].
//!
//! High-water marks come from the data (server clock), never from the local clock, so clock
//! skew cannot hide changes: [`SyncState::marks`] hold each board's newest item `updated_at`,
//! [`SyncState::updates_mark`] the newest comment seen; [`SyncState::mark`] only records that
//! a run completed.
//! [`RunState`] describes the run in progress: which phase, which boards are done, and where
//! the current board's chain stands ([`BoardCursor`]). Cursors themselves are not saved: they
//! expire 60 minutes after a chain starts, so a resumed board restarts its chain from the
//! newest `updated_at` already committed (items come oldest change first) and skips the ids
//! committed at exactly that instant.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Everything the connector keeps between runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// Start of the last complete run (local clock): set once a first run completed, which
    /// makes later runs incremental.
    #[serde(default)]
    pub mark: Option<DateTime<Utc>>,
    /// Per board: the newest `updated_at` seen on its items (server clock) by runs that
    /// crawled it completely; its items changed since (minus overlap) are fetched next time.
    /// Boards without a mark are crawled in full.
    #[serde(default)]
    pub marks: BTreeMap<String, DateTime<Utc>>,
    /// The newest update (comment) `created_at` seen (server clock): the next incremental
    /// run looks for items commented on since.
    #[serde(default)]
    pub updates_mark: Option<DateTime<Utc>>,
    /// Skip ids recorded for unreadable (`null`) listing entries, cleared when they go away.
    #[serde(default)]
    pub denied: Vec<String>,
    /// The run in progress, if the last one did not finish.
    #[serde(default)]
    pub run: Option<RunState>,
}

/// Where a run stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunState {
    /// Becomes the new [`SyncState::mark`] when the run completes.
    pub started_at: DateTime<Utc>,
    /// Started with `--full`.
    #[serde(default)]
    pub full: bool,
    pub phase: Phase,
    /// Boards whose items phase is complete.
    #[serde(default)]
    pub boards_done: BTreeSet<String>,
    /// The board being crawled.
    #[serde(default)]
    pub board: Option<BoardCursor>,
    /// The newest update `created_at` seen by this run so far.
    #[serde(default)]
    pub newest_update: Option<DateTime<Utc>>,
}

/// The phases of a run, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Crawl each board's items changed since its mark.
    Items,
    /// Refetch items that received updates (comments) since the last mark.
    Updates,
    /// Compare each board's live item ids with the store; delete what is gone.
    Sweep,
}

/// Progress inside one board's chain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BoardCursor {
    pub board_id: String,
    /// Newest `updated_at` committed so far, when the server returned items in order.
    pub resume_from: Option<DateTime<Utc>>,
    /// Ids committed with `updated_at == resume_from` (skipped when the chain restarts).
    #[serde(default)]
    pub boundary_ids: Vec<String>,
}

impl SyncState {
    /// Reads the saved state; anything unreadable starts over (a full crawl, nothing lost).
    pub fn from_saved(saved: Option<serde_json::Value>) -> SyncState {
        match saved.map(serde_json::from_value::<SyncState>) {
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                tracing::warn!("monday.com: ignoring unreadable saved state: {e}");
                SyncState::default()
            }
            None => SyncState::default(),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl RunState {
    /// A fresh run starting now.
    pub fn new(full: bool) -> RunState {
        RunState {
            started_at: chrono::Utc::now(),
            full,
            phase: Phase::Items,
            boards_done: BTreeSet::new(),
            board: None,
            newest_update: None,
        }
    }
}

impl BoardCursor {
    /// Records a committed item: advances the resume point, or drops it when out of order.
    pub fn record(&mut self, id: &str, updated_at: Option<DateTime<Utc>>, ordered: bool) {
        if !ordered {
            self.resume_from = None;
            self.boundary_ids.clear();
            return;
        }
        let Some(t) = updated_at else { return };
        match self.resume_from {
            Some(r) if r == t => self.boundary_ids.push(id.to_owned()),
            Some(r) if r > t => {}
            _ => {
                self.resume_from = Some(t);
                self.boundary_ids = vec![id.to_owned()];
            }
        }
    }
}
