//! [`Step`]: what a phase of a run works with, as four explicit parts: the read-only [`Api`]
//! (config, client, progress, tuning), the [`Writer`] (sink, saved state, summary, ids fetched
//! this run), the [`Boards`] listing and the adaptive [`Limits`]. The driver builds one per
//! phase; the phase files (`board`, `updates`, `refresh`, `sweep`) extend it and never import
//! the driver. How items get their updates is an [`super::updates::Updates`] value passed
//! along with the items, not a mode stored here.

use std::collections::HashSet;
use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::client::Client;
use super::errors::{ApiFailure, GqlResponse};
use super::limits::Limits;
use super::listing::Boards;
use super::state::{RunState, SyncState};
use super::Tuning;
use crate::config::SourceConfig;
use crate::connectors::{Batch, ConnectorError, Progress, Sink, SyncSummary};
use crate::document::Document;

/// What every phase reads and none writes.
pub struct Api<'a> {
    pub cfg: &'a SourceConfig,
    pub client: Client,
    pub progress: &'a dyn Progress,
    pub tuning: Tuning,
}

impl Api<'_> {
    /// Sends one query. Borrows only the client and progress (both `Sync`), so the sync
    /// future stays `Send` although the sink is not `Sync`.
    pub fn query<'s>(
        &'s self,
        q: &'s str,
        vars: Value,
    ) -> impl Future<Output = Result<GqlResponse, ApiFailure>> + Send + 's {
        self.client.query(q, vars, self.progress)
    }

    /// A failure in words for logs and skip reasons, token scrubbed.
    pub fn describe(&self, f: &ApiFailure) -> String {
        self.client.token().scrub(&f.describe())
    }

    /// Turns a final API failure into the user-facing error (token scrubbed).
    pub fn fatal(&self, f: ApiFailure) -> ConnectorError {
        f.into_connector_error(self.client.token())
    }

    /// `mark` minus the overlap, never before `start_date`; `start_date` without a mark (or
    /// in a full run).
    pub fn since_mark(&self, mark: Option<DateTime<Utc>>, full: bool) -> Option<DateTime<Utc>> {
        let start = self.cfg.start_date;
        let Some(mark) = mark.filter(|_| !full) else {
            return start;
        };
        let back = mark - chrono::Duration::from_std(self.tuning.overlap).unwrap_or_default();
        Some(start.map_or(back, |s| s.max(back)))
    }
}

/// Everything a run writes: the sink, the state committed with each batch, the summary.
pub struct Writer<'a> {
    pub sink: &'a mut dyn Sink,
    pub state: SyncState,
    pub summary: SyncSummary,
    /// Item ids upserted during this process's run (to avoid refetching them).
    pub fetched: HashSet<String>,
}

impl<'a> Writer<'a> {
    pub fn new(sink: &'a mut dyn Sink) -> Self {
        Writer {
            sink,
            state: SyncState::default(),
            summary: SyncSummary::default(),
            fetched: HashSet::new(),
        }
    }

    pub fn run_state(&mut self) -> &mut RunState {
        self.state.run.get_or_insert_with(|| RunState::new(false))
    }

    pub fn full(&self) -> bool {
        self.state.run.as_ref().is_some_and(|r| r.full)
    }

    /// Notes the newest update or reply `created_at` in `updates` (the next runs' updates
    /// mark).
    pub fn saw_updates(&mut self, updates: &[Value]) {
        let replies = updates
            .iter()
            .filter_map(|u| u.get("replies").and_then(Value::as_array))
            .flatten();
        let newest = updates
            .iter()
            .chain(replies)
            .filter_map(super::updates::created_at)
            .max();
        let run = self.run_state();
        run.newest_update = run.newest_update.max(newest);
    }

    /// Commits `batch` with the current state attached.
    pub fn commit(&mut self, mut batch: Batch) -> Result<(), ConnectorError> {
        batch.state = Some(self.state.to_json());
        self.sink.commit(batch)?;
        Ok(())
    }

    /// Commits documents as one batch, counting added vs updated.
    pub fn upsert(
        &mut self,
        docs: Vec<Document>,
        progress: &dyn Progress,
    ) -> Result<(), ConnectorError> {
        for doc in &docs {
            match self.sink.doc_meta(&doc.id)? {
                Some(_) => self.summary.updated += 1,
                None => self.summary.added += 1,
            }
            let native = doc.id.split_once(':').map_or(doc.id.as_str(), |(_, n)| n);
            self.fetched.insert(native.to_owned());
        }
        progress.inc("items", docs.len() as u64);
        self.commit(Batch {
            upserts: docs,
            ..Batch::default()
        })
    }
}

/// One phase's view of the run: four explicit parts, borrowed from the driver.
pub struct Step<'r, 'a> {
    pub api: &'r Api<'a>,
    pub w: &'r mut Writer<'a>,
    pub boards: &'r Boards,
    pub limits: &'r mut Limits,
}

impl Step<'_, '_> {
    /// Items of `board` changed before this are not fetched: its own mark, so a board seen
    /// for the first time (new, newly shared, skipped last time) is crawled in full.
    pub fn board_since(&self, board: &str) -> Option<DateTime<Utc>> {
        let mark = self.w.state.marks.get(board).copied();
        self.api.since_mark(mark, self.w.full())
    }

    /// Updates created before this are not looked at (the newest seen, minus overlap).
    pub fn updates_since(&self) -> Option<DateTime<Utc>> {
        self.api
            .since_mark(self.w.state.updates_mark, self.w.full())
    }
}
