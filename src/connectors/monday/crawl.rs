//! The [`Crawler`]: one run of one source. It loads the saved [`SyncState`], lists the
//! boards ([`Boards`]), drives the phases in order (items per board in [`super::board`],
//! commented items in [`super::refresh`], deletions in [`super::sweep`]) and commits every
//! step with the state to resume from. High-water marks are derived from the data (server
//! clock) and kept per board, so a board seen for the first time is crawled in full.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::board::Limits;
use super::client::Client;
use super::errors::{ApiFailure, GqlResponse};
use super::queries::{self, MAX_IDS};
use super::state::{Phase, RunState, SyncState};
use super::updates::UpdatesByItem;
use super::Tuning;
use crate::config::SourceConfig;
use crate::connectors::{Batch, ConnectorError, Progress, Sink, Skip, SyncOptions, SyncSummary};
use crate::flatten::monday::{id_of, parse_time};

/// What the board listing found.
#[derive(Debug, Default)]
pub struct Boards {
    /// Boards whose items are crawled, in crawl order (by id).
    pub crawlable: Vec<Value>,
    /// Every listed board by id, subitem boards included (their columns title subitems).
    pub by_id: HashMap<String, Value>,
    pub account_slug: Option<String>,
    /// `null` entries of the listing: boards the token may not read (their ids are hidden).
    pub denied: Vec<Skip>,
}

/// Listing pages read at most (50 boards each by default).
const MAX_BOARD_PAGES: usize = 10_000;

/// One run of one source.
pub struct Crawler<'a> {
    pub(super) cfg: &'a SourceConfig,
    pub(super) client: Client,
    pub(super) sink: &'a mut dyn Sink,
    pub(super) progress: &'a dyn Progress,
    pub(super) tuning: Tuning,
    pub(super) state: SyncState,
    pub(super) summary: SyncSummary,
    pub(super) boards: Boards,
    /// Item ids upserted during this process's run (to avoid refetching them).
    pub(super) fetched: HashSet<String>,
    pub(super) limits: Limits,
    /// Whether the board being crawled reads updates per board (its first crawl).
    pub(super) prefetch: bool,
    /// Prefetched updates per board (`None`: too many, read per item), for one board crawl.
    pub(super) prefetched: HashMap<String, Option<UpdatesByItem>>,
}

/// Why a board's chain stopped: an API failure (maybe retried by restarting or skipping the
/// board) or a fatal error (the store failed).
pub(super) enum Stop {
    Api(ApiFailure),
    Fatal(ConnectorError),
}

impl From<ApiFailure> for Stop {
    fn from(f: ApiFailure) -> Self {
        Stop::Api(f)
    }
}

impl From<ConnectorError> for Stop {
    fn from(e: ConnectorError) -> Self {
        Stop::Fatal(e)
    }
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
        let first = tuning.items_per_page.clamp(1, 500);
        let by_id = first.min(MAX_IDS as u32);
        let limits = Limits {
            pages: first,
            by_id,
            updates: by_id,
        };
        Ok(Crawler {
            cfg,
            client,
            sink,
            progress,
            tuning,
            state: SyncState::default(),
            summary: SyncSummary::default(),
            boards: Boards::default(),
            prefetch: false,
            prefetched: HashMap::new(),
            fetched: HashSet::new(),
            limits,
        })
    }

    /// Runs (or resumes) a sync to completion.
    pub async fn run(&mut self, opts: &SyncOptions) -> Result<SyncSummary, ConnectorError> {
        self.state = SyncState::from_saved(self.sink.load_state()?);
        let run = match self.state.run.take() {
            Some(r) if !opts.full || r.full => r,
            _ => RunState::new(opts.full),
        };
        self.state.run = Some(run);
        self.boards = self.list_boards().await?;
        self.record_denied()?;
        if self.phase() == Phase::Items {
            self.items_phase().await?;
        }
        if self.phase() == Phase::Updates {
            self.updates_phase().await?;
        }
        if self.phase() == Phase::Sweep {
            self.sweep_phase().await?;
        }
        self.finish()?;
        Ok(self.final_summary())
    }

    pub(super) fn run_state(&mut self) -> &mut RunState {
        self.state.run.get_or_insert_with(|| RunState::new(false))
    }

    fn phase(&self) -> Phase {
        self.state.run.as_ref().map_or(Phase::Sweep, |r| r.phase)
    }

    /// An incremental run looks for commented items too; a first or full run sees them all.
    fn incremental(&self) -> bool {
        self.state.mark.is_some() && self.state.run.as_ref().is_some_and(|r| !r.full)
    }

    pub(super) fn full(&self) -> bool {
        self.state.run.as_ref().is_some_and(|r| r.full)
    }

    /// `mark` minus the overlap, never before `start_date`; `start_date` without a mark.
    fn since_mark(&self, mark: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
        let start = self.cfg.start_date;
        let Some(mark) = mark.filter(|_| !self.full()) else {
            return start;
        };
        let back = mark - chrono::Duration::from_std(self.tuning.overlap).unwrap_or_default();
        Some(start.map_or(back, |s| s.max(back)))
    }

    /// Items of `board` changed before this are not fetched: its own mark, so a board seen
    /// for the first time (new, newly shared, skipped last time) is crawled in full.
    pub(super) fn board_since(&self, board: &str) -> Option<DateTime<Utc>> {
        self.since_mark(self.state.marks.get(board).copied())
    }

    /// Updates created before this are not looked at (the newest seen, minus overlap).
    pub(super) fn updates_since(&self) -> Option<DateTime<Utc>> {
        self.since_mark(self.state.updates_mark)
    }

    /// Notes the newest update or reply `created_at` in `updates` (the next runs' updates
    /// mark).
    pub(super) fn saw_updates(&mut self, updates: &[Value]) {
        let replies = updates
            .iter()
            .filter_map(|u| u.get("replies").and_then(Value::as_array))
            .flatten();
        let newest = updates.iter().chain(replies).filter_map(created_at).max();
        let run = self.run_state();
        run.newest_update = run.newest_update.max(newest);
    }

    /// Commits `batch` with the current state attached.
    pub(super) fn commit(&mut self, mut batch: Batch) -> Result<(), ConnectorError> {
        batch.state = Some(self.state.to_json());
        self.sink.commit(batch)?;
        Ok(())
    }

    /// A failure in words for logs and skip reasons, token scrubbed.
    pub(super) fn describe(&self, f: &ApiFailure) -> String {
        self.client.token().scrub(&f.describe())
    }

    /// Turns a final API failure into the user-facing error (token scrubbed).
    pub(super) fn fatal(&self, f: ApiFailure) -> ConnectorError {
        f.into_connector_error(self.client.token())
    }

    /// Sends one query. Borrows only the client and progress (both `Sync`), so the sync
    /// future stays `Send` although the sink is not `Sync`.
    pub(super) fn query<'s>(
        &'s self,
        q: &'s str,
        vars: Value,
    ) -> impl Future<Output = Result<GqlResponse, ApiFailure>> + Send + 's {
        self.client.query(q, vars, self.progress)
    }

    fn finish(&mut self) -> Result<(), ConnectorError> {
        let run = self.state.run.take();
        self.state.mark = run.as_ref().map(|r| r.started_at).or(self.state.mark);
        let newest = run.and_then(|r| r.newest_update);
        self.state.updates_mark = self.state.updates_mark.max(newest);
        let listed = &self.boards.by_id;
        self.state.marks.retain(|id, _| listed.contains_key(id));
        self.commit(Batch::default())
    }

    fn final_summary(&self) -> SyncSummary {
        let mut s = self.summary.clone();
        s.requests = self.client.requests();
        s.complexity = self.client.complexity();
        s
    }

    /// Lists every active board the token can read, page by page.
    async fn list_boards(&mut self) -> Result<Boards, ConnectorError> {
        let mut boards = Boards::default();
        let limit = self.tuning.boards_per_page.max(1) as usize;
        for page in 1..=MAX_BOARD_PAGES {
            let vars = json!({ "limit": limit, "page": page });
            let resp = self
                .query(queries::BOARDS, vars)
                .await
                .map_err(|f| self.fatal(f))?;
            let Some(list) = resp.data.get("boards").and_then(Value::as_array) else {
                let body = resp.data.to_string();
                return Err(self.fatal(ApiFailure::Malformed(format!(
                    "`boards` missing in {body:.200}"
                ))));
            };
            let known = boards.by_id.len();
            for (i, b) in list.iter().enumerate() {
                if b.is_null() {
                    boards
                        .denied
                        .push(denied_board(&resp, (page - 1) * limit, i));
                } else if let Some(id) = id_of(b.get("id")) {
                    boards.by_id.entry(id).or_insert_with(|| b.clone());
                }
            }
            // A short page ends the listing; a page of nothing new means the server ignores
            // `page` (stop rather than loop forever).
            let stuck = boards.by_id.len() == known && list.iter().all(|b| !b.is_null());
            if list.len() < limit || stuck {
                break;
            }
        }
        let mut crawlable: Vec<Value> = boards
            .by_id
            .values()
            .filter(|b| is_crawlable(b))
            .cloned()
            .collect();
        crawlable.sort_by_key(sort_key);
        boards.account_slug = crawlable.iter().find_map(account_slug);
        boards.crawlable = crawlable;
        Ok(boards)
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
            .state
            .denied
            .iter()
            .filter(|id| !now.contains(id))
            .cloned()
            .collect();
        if now.is_empty() && stale.is_empty() {
            return Ok(());
        }
        self.summary.skipped += now.len() as u64;
        self.state.denied = now;
        let skipped = self.boards.denied.clone();
        self.commit(Batch {
            skipped,
            unskipped: stale,
            ..Batch::default()
        })
    }

    async fn items_phase(&mut self) -> Result<(), ConnectorError> {
        let boards = self.boards.crawlable.clone();
        for board in &boards {
            let id = id_of(board.get("id")).unwrap_or_default();
            if self.run_state().boards_done.contains(&id) {
                continue;
            }
            self.crawl_board(board, &id).await?;
        }
        let next = if self.incremental() {
            Phase::Updates
        } else {
            Phase::Sweep
        };
        self.run_state().phase = next;
        self.commit(Batch::default())
    }
}

/// A post's `created_at`.
pub(super) fn created_at(post: &Value) -> Option<DateTime<Utc>> {
    post.get("created_at")
        .and_then(Value::as_str)
        .and_then(parse_time)
}

/// The next page size: near `target` complexity per query (cost is roughly linear in the
/// limit), shrinking at once when too expensive and growing at most twofold, within 1..=500.
pub(super) fn adapted(limit: u32, data: &Value, target: u64) -> u32 {
    let Some(cost) = data
        .pointer("/complexity/query")
        .and_then(Value::as_u64)
        .filter(|c| *c > 0)
    else {
        return limit;
    };
    let target = target.max(1);
    let scaled = (u64::from(limit) * target / cost).clamp(1, 500) as u32;
    if cost > target {
        scaled
    } else {
        scaled.min(limit.saturating_mul(2)).max(limit)
    }
}

/// The skip record of a `null` listing entry at `offset + i`, with the error at its path.
fn denied_board(resp: &GqlResponse, offset: usize, i: usize) -> Skip {
    let at_path = |e: &&super::errors::ErrorEntry| {
        e.path.first().and_then(Value::as_str) == Some("boards")
            && e.path.get(1).and_then(Value::as_u64) == Some(i as u64)
    };
    let why = resp
        .errors
        .iter()
        .find(at_path)
        .or(resp.errors.first())
        .map_or("not readable", |e| e.message.as_str());
    Skip {
        native_id: format!("board-listing-{}", offset + i),
        what: "board".into(),
        reason: format!("403 {why} (monday hides the id of this board)"),
    }
}

pub(super) fn missing(what: &str, resp: &GqlResponse) -> ApiFailure {
    let why = resp
        .errors
        .first()
        .map(|e| format!(" ({})", e.message))
        .unwrap_or_default();
    ApiFailure::Malformed(format!("`{what}` missing from the response{why}"))
}

/// Subitem boards arrive through their parents; workdocs have no items worth indexing.
pub(super) fn is_crawlable(board: &Value) -> bool {
    let kind = board.get("type").and_then(Value::as_str).unwrap_or("board");
    let active = board
        .get("state")
        .and_then(Value::as_str)
        .is_none_or(|s| s == "active");
    active && kind != "sub_items_board" && kind != "document"
}

/// `acme` from a board URL `https://acme.monday.com/boards/1` (for items without a URL).
fn account_slug(board: &Value) -> Option<String> {
    let url = board.get("url")?.as_str()?;
    let host = url.split("://").nth(1)?.split('/').next()?;
    let slug = host.strip_suffix(".monday.com")?;
    (!slug.is_empty() && !slug.contains('.')).then(|| slug.to_owned())
}

/// Numeric ids sort numerically (oldest board first), anything else after.
fn sort_key(board: &Value) -> (u128, String) {
    let id = id_of(board.get("id")).unwrap_or_default();
    (id.parse().unwrap_or(u128::MAX), id)
}
