//! The [`Crawler`]: drives one run through its phases (see the parent module) and owns the
//! items phase — board discovery and each board's `items_page` → `next_items_page` chain.
//!
//! Chains are ordered by `__last_updated__` ascending, so the newest committed `updated_at`
//! is a safe restart point: when a cursor expires (or a killed run resumes) the board's chain
//! restarts with `__last_updated__ >= resume_from`, and ids already seen are skipped. If the
//! server ever returns items out of order, the chain restarts from the board's `since` instead
//! and relies on the seen-id set alone.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::client::Client;
use super::errors::{decide, ApiFailure, Decision, GqlResponse, Scope};
use super::queries;
use super::state::{BoardCursor, Phase, RunState, SyncState};
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
    pub(super) page_limit: u32,
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

/// The per-chain bookkeeping of one board.
#[derive(Clone)]
struct Chain {
    /// The newest `updated_at` seen in this chain (the board's next mark).
    newest: Option<DateTime<Utc>>,
    /// The board's filter: items changed before are not wanted.
    since: Option<DateTime<Utc>>,
    seen: HashSet<String>,
    last: Option<DateTime<Utc>>,
    ordered: bool,
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
        let page_limit = tuning.items_per_page.clamp(1, 500);
        Ok(Crawler {
            cfg,
            client,
            sink,
            progress,
            tuning,
            state: SyncState::default(),
            summary: SyncSummary::default(),
            boards: Boards::default(),
            fetched: HashSet::new(),
            page_limit,
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

    fn full(&self) -> bool {
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

    /// Notes the newest update `created_at` in `updates` (the next runs' updates mark).
    pub(super) fn saw_updates(&mut self, updates: &[Value]) {
        let newest = updates
            .iter()
            .filter_map(|u| {
                u.get("created_at")
                    .and_then(Value::as_str)
                    .and_then(parse_time)
            })
            .max();
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

    /// Crawls one board's chain, restarting it when the cursor expires.
    async fn crawl_board(&mut self, board: &Value, id: &str) -> Result<(), ConnectorError> {
        let cursor = match self.run_state().board.take() {
            Some(c) if c.board_id == id => c,
            _ => BoardCursor {
                board_id: id.to_owned(),
                ..Default::default()
            },
        };
        let mut chain = Chain {
            since: self.board_since(id),
            seen: cursor.boundary_ids.iter().cloned().collect(),
            last: None,
            newest: None,
            ordered: true,
        };
        self.run_state().board = Some(cursor);
        let mut restarts = 0;
        let skip = loop {
            let seen = chain.seen.len();
            let outcome = self.board_chain(board, id, &mut chain).await;
            if chain.seen.len() > seen {
                restarts = 0; // each restart that commits something is progress
            }
            let failure = match outcome {
                Ok(()) => break None,
                Err(Stop::Fatal(e)) => return Err(e),
                Err(Stop::Api(f)) => f,
            };
            let scope = Scope::Chain {
                restarts,
                max_restarts: self.tuning.max_chain_restarts,
                page_limit: self.page_limit,
            };
            match decide(&failure, scope) {
                Decision::RestartChain => {
                    restarts += 1;
                    tracing::info!(
                        board = id,
                        restarts,
                        "monday.com: {}; restarting chain",
                        self.describe(&failure)
                    );
                    self.progress
                        .message(&format!("board {id}: cursor expired, restarting its pages"));
                }
                Decision::ShrinkPage => {
                    self.page_limit = (self.page_limit / 2).max(1);
                    tracing::info!(
                        board = id,
                        limit = self.page_limit,
                        "monday.com: {}; smaller pages",
                        self.describe(&failure)
                    );
                }
                Decision::Skip => break Some(failure),
                Decision::Retry(_) | Decision::Abort => return Err(self.fatal(failure)),
            }
        };
        let resumed = self.run_state().board.as_ref().and_then(|c| c.resume_from);
        self.board_done(id, skip, chain.newest.max(resumed))
    }

    /// Marks a board complete (or skipped) and commits that.
    fn board_done(
        &mut self,
        id: &str,
        skip: Option<ApiFailure>,
        newest: Option<DateTime<Utc>>,
    ) -> Result<(), ConnectorError> {
        let run = self.run_state();
        run.boards_done.insert(id.to_owned());
        run.board = None;
        let mut batch = Batch::default();
        match skip {
            Some(f) => {
                let reason = self.describe(&f);
                tracing::warn!(board = id, "monday.com: skipping board: {reason}");
                self.summary.skipped += 1;
                batch.skipped.push(Skip {
                    native_id: id.to_owned(),
                    what: "board".into(),
                    reason,
                });
            }
            None => {
                let mark = self.state.marks.get(id).copied().max(newest);
                if let Some(mark) = mark {
                    self.state.marks.insert(id.to_owned(), mark);
                }
                batch.unskipped.push(id.to_owned());
            }
        }
        self.progress.inc("boards", 1);
        self.commit(batch)
    }

    /// One pass over the board's pages, from the first page to a null cursor.
    async fn board_chain(
        &mut self,
        board: &Value,
        id: &str,
        chain: &mut Chain,
    ) -> Result<(), Stop> {
        let resume = self.run_state().board.as_ref().and_then(|c| c.resume_from);
        let since = match (chain.since, resume) {
            (s, Some(r)) if chain.ordered => Some(s.map_or(r, |s| s.max(r))),
            (s, _) => s,
        };
        let vars = json!({ "board": [id], "limit": self.page_limit, "params": queries::items_params(since) });
        let resp = self.query(queries::FIRST_ITEMS_PAGE, vars).await?;
        let page = first_page(&resp)?;
        self.adapt_limit(&resp.data);
        let mut cursor = self.take_page(board, page, chain).await?;
        while let Some(c) = cursor {
            let vars = json!({ "cursor": c, "limit": self.page_limit });
            let resp = self.query(queries::NEXT_ITEMS_PAGE, vars).await?;
            let page = resp
                .data
                .get("next_items_page")
                .filter(|p| p.is_object())
                .ok_or_else(|| missing("next_items_page", &resp))?;
            self.adapt_limit(&resp.data);
            cursor = self.take_page(board, page, chain).await?;
            if cursor.as_deref() == Some(c.as_str()) {
                return Err(ApiFailure::Malformed(
                    "next_items_page returned the same cursor".into(),
                )
                .into());
            }
        }
        Ok(())
    }

    /// Flattens and commits one page; returns the next cursor. The chain's bookkeeping
    /// (seen ids, resume point) only advances once the page's documents are built, so a page
    /// that fails half-way is fetched again in full by the restarted chain.
    async fn take_page(
        &mut self,
        board: &Value,
        page: &Value,
        chain: &mut Chain,
    ) -> Result<Option<String>, Stop> {
        let items = page
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut next = chain.clone();
        let mut cursor = self.run_state().board.clone().unwrap_or_default();
        let mut fresh = Vec::new();
        let mut unchanged = 0;
        for item in items {
            let Some(id) = id_of(item.get("id")) else {
                continue;
            };
            if !next.seen.insert(id.clone()) {
                continue;
            }
            let updated = item
                .get("updated_at")
                .and_then(Value::as_str)
                .and_then(parse_time);
            if let (Some(prev), Some(now)) = (next.last, updated) {
                next.ordered &= prev <= now;
            }
            next.last = updated.or(next.last);
            next.newest = next.newest.max(updated);
            cursor.record(&id, updated, next.ordered);
            let inactive = item
                .get("state")
                .and_then(Value::as_str)
                .is_some_and(|s| s != "active");
            match (next.since, updated) {
                _ if inactive => {} // left to the sweep
                (Some(s), Some(u)) if u < s => unchanged += 1,
                _ => fresh.push(item),
            }
        }
        let docs = self.flatten_with_subitems(board, &fresh).await?;
        *chain = next;
        self.summary.unchanged += unchanged;
        self.run_state().board = Some(cursor);
        self.upsert(docs)?;
        Ok(page
            .get("cursor")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_owned))
    }

    /// Keeps each page's complexity near the target.
    fn adapt_limit(&mut self, data: &Value) {
        self.page_limit = adapted(self.page_limit, data, self.tuning.max_query_cost);
    }
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

/// `boards[0].items_page` of a first-page response; a null board is an unauthorized one.
fn first_page(resp: &GqlResponse) -> Result<&Value, ApiFailure> {
    let boards = resp
        .data
        .get("boards")
        .and_then(Value::as_array)
        .ok_or_else(|| missing("boards", resp))?;
    let Some(board) = boards.first() else {
        return Err(ApiFailure::NotFound("board no longer exists".into()));
    };
    if board.is_null() {
        let why = resp
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "board not readable".into());
        return Err(ApiFailure::Forbidden(why));
    }
    board
        .get("items_page")
        .filter(|p| p.is_object())
        .ok_or_else(|| missing("items_page", resp))
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
