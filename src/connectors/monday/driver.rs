//! The [`Crawler`]: one run of one source. It loads the saved [`SyncState`], lists the
//! boards ([`super::listing`]), drives the phases in order (items per board in
//! [`super::board`], commented items in [`super::refresh`], deletions in [`super::sweep`])
//! and commits every step with the state to resume from. High-water marks are derived from
//! the data (server clock) and kept per board, so a board seen for the first time is crawled
//! in full. Each phase gets a [`Step`] borrowing the run's four parts; no phase imports this
//! module.

use super::client::Client;
use super::limits::Limits;
use super::listing::{list_boards, Boards};
use super::state::{Phase, RunState, SyncState};
use super::step::{Api, Step, Writer};
use super::Tuning;
use crate::config::SourceConfig;
use crate::connectors::{Batch, ConnectorError, Progress, Sink, SyncOptions, SyncSummary};
use crate::flatten::monday::id_of;

/// One run of one source.
pub struct Crawler<'a> {
    api: Api<'a>,
    w: Writer<'a>,
    boards: Boards,
    limits: Limits,
}

impl<'a> Crawler<'a> {
    pub fn new(
        cfg: &'a SourceConfig,
        sink: &'a mut dyn Sink,
        progress: &'a dyn Progress,
        tuning: Tuning,
    ) -> Result<Self, ConnectorError> {
        let client =
            Client::new(cfg, tuning.clone()).map_err(|f| f.into_connector_error(&cfg.token))?;
        let limits = Limits::new(tuning.items_per_page);
        Ok(Crawler {
            api: Api {
                cfg,
                client,
                progress,
                tuning,
            },
            w: Writer::new(sink),
            boards: Boards::default(),
            limits,
        })
    }

    /// Runs (or resumes) a sync to completion.
    pub async fn run(&mut self, opts: &SyncOptions) -> Result<SyncSummary, ConnectorError> {
        let mut state = SyncState::from_saved(self.w.sink.load_state()?);
        let run = match state.run.take() {
            Some(r) if !opts.full || r.full => r,
            _ => RunState::new(opts.full),
        };
        state.run = Some(run);
        self.w.state = state;
        self.boards = list_boards(&self.api).await?;
        self.record_denied()?;
        if self.phase() == Phase::Items {
            self.items_phase().await?;
        }
        if self.phase() == Phase::Updates {
            self.step().updates_phase().await?;
        }
        if self.phase() == Phase::Sweep {
            self.step().sweep_phase().await?;
        }
        self.finish()?;
        Ok(self.final_summary())
    }

    /// The run's parts, lent to one phase.
    fn step(&mut self) -> Step<'_, 'a> {
        Step {
            api: &self.api,
            w: &mut self.w,
            boards: &self.boards,
            limits: &mut self.limits,
        }
    }

    fn phase(&self) -> Phase {
        self.w.state.run.as_ref().map_or(Phase::Sweep, |r| r.phase)
    }

    /// An incremental run looks for commented items too; a first or full run sees them all.
    fn incremental(&self) -> bool {
        let state = &self.w.state;
        state.mark.is_some() && state.run.as_ref().is_some_and(|r| !r.full)
    }

    fn finish(&mut self) -> Result<(), ConnectorError> {
        let state = &mut self.w.state;
        let run = state.run.take();
        state.mark = run.as_ref().map(|r| r.started_at).or(state.mark);
        let newest = run.and_then(|r| r.newest_update);
        state.updates_mark = state.updates_mark.max(newest);
        let listed = &self.boards.by_id;
        state.marks.retain(|id, _| listed.contains_key(id));
        self.w.commit(Batch::default())
    }

    fn final_summary(&self) -> SyncSummary {
        let mut s = self.w.summary.clone();
        s.requests = self.api.client.requests();
        s.complexity = self.api.client.complexity();
        s
    }

    /// Records unreadable listed boards as skipped, and clears the ones no longer listed so.
    fn record_denied(&mut self) -> Result<(), ConnectorError> {
        let now: Vec<String> = self
            .boards
            .denied
            .iter()
            .map(|s| s.native_id.clone())
            .collect();
        let stale: Vec<String> = self
            .w
            .state
            .denied
            .iter()
            .filter(|id| !now.contains(id))
            .cloned()
            .collect();
        if now.is_empty() && stale.is_empty() {
            return Ok(());
        }
        self.w.summary.skipped += now.len() as u64;
        self.w.state.denied = now;
        let skipped = self.boards.denied.clone();
        self.w.commit(Batch {
            skipped,
            unskipped: stale,
            ..Batch::default()
        })
    }

    async fn items_phase(&mut self) -> Result<(), ConnectorError> {
        let boards = self.boards.crawlable.clone();
        for board in &boards {
            let id = id_of(board.get("id")).unwrap_or_default();
            if self.w.run_state().boards_done.contains(&id) {
                continue;
            }
            self.step().crawl_board(board, &id).await?;
        }
        let next = if self.incremental() {
            Phase::Updates
        } else {
            Phase::Sweep
        };
        self.w.run_state().phase = next;
        self.w.commit(Batch::default())
    }
}
