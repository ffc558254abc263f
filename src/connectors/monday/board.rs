//! The items of one board: its `items_page` → `next_items_page` chain, page by page.
//!
//! Chains are ordered by `__last_updated__` ascending, so the newest committed `updated_at`
//! is a safe restart point: when a cursor expires (or a killed run resumes) the chain
//! restarts with `__last_updated__ >= resume_from`, and ids already seen are skipped. If the
//! server ever returns items out of order, the chain restarts from the board's `since`
//! instead and relies on the seen-id set alone.
//!
//! Items come without updates; [`super::updates`] adds them (a board's first crawl reads
//! the board's updates once).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::crawl::{adapted, missing, Crawler, Stop};
use super::errors::{decide, ApiFailure, Decision, GqlResponse, Scope};
use super::queries;
use super::state::BoardCursor;
use crate::connectors::{Batch, ConnectorError, Skip};
use crate::flatten::monday::{id_of, parse_time};

/// Request sizes, adapted separately per query shape (their per-item costs differ a lot).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Items per page.
    pub pages: u32,
    /// Items per root `items(ids:)` request (≤ 100).
    pub by_id: u32,
    /// Items per `items(ids:) { updates }` request (≤ 100).
    pub updates: u32,
}

/// The per-chain bookkeeping of one board.
#[derive(Clone)]
struct Chain {
    /// The board's filter: items changed before are not wanted.
    since: Option<DateTime<Utc>>,
    seen: HashSet<String>,
    last: Option<DateTime<Utc>>,
    /// The newest `updated_at` seen in this chain (the board's next mark).
    newest: Option<DateTime<Utc>>,
    ordered: bool,
}

impl Crawler<'_> {
    /// Crawls one board, restarting its chain when the cursor expires; records a skip when
    /// the board cannot be read.
    pub(super) async fn crawl_board(
        &mut self,
        board: &Value,
        id: &str,
    ) -> Result<(), ConnectorError> {
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
        // A first crawl sees every item: reading the board's updates once is cheaper than
        // asking for each item's.
        self.prefetch = self.full() || !self.state.marks.contains_key(id);
        self.prefetched.clear();
        self.limits.pages = self.limits.pages.min(self.first_page_cap(board));
        let skip = self.run_chain(board, id, &mut chain).await;
        self.prefetch = false;
        self.prefetched.clear();
        let resumed = self.run_state().board.as_ref().and_then(|c| c.resume_from);
        self.board_done(id, skip?, chain.newest.max(resumed))
    }

    /// Runs the chain to its end, restarting it as [`decide`] says; returns why the board
    /// is skipped, if it is.
    async fn run_chain(
        &mut self,
        board: &Value,
        id: &str,
        chain: &mut Chain,
    ) -> Result<Option<ApiFailure>, ConnectorError> {
        let mut restarts = 0;
        loop {
            let seen = chain.seen.len();
            let outcome = self.board_chain(board, id, chain).await;
            if chain.seen.len() > seen {
                restarts = 0; // each restart that commits something is progress
            }
            let failure = match outcome {
                Ok(()) => return Ok(None),
                Err(Stop::Fatal(e)) => return Err(e),
                Err(Stop::Api(f)) => f,
            };
            let page_limit = self.limits.pages;
            let scope = Scope::Chain {
                restarts,
                max_restarts: self.tuning.max_chain_restarts,
                page_limit,
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
                    self.limits.pages = (page_limit / 2).max(1);
                    tracing::info!(
                        board = id,
                        "monday.com: {}; smaller pages",
                        self.describe(&failure)
                    );
                }
                Decision::Skip => return Ok(Some(failure)),
                Decision::Retry(_) | Decision::Abort => return Err(self.fatal(failure)),
            }
        }
    }

    /// Complexity is charged by the page `limit`, not by the items returned: a first crawl
    /// asks for no more than the board holds, an incremental one (few changes expected)
    /// starts small and grows with full pages.
    fn first_page_cap(&self, board: &Value) -> u32 {
        let start = self.tuning.items_per_page.clamp(1, 500);
        if !self.prefetch {
            return start;
        }
        let count = board.get("items_count").and_then(Value::as_u64);
        count.map_or(500, |n| n.clamp(1, 500) as u32)
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
                if let Some(mark) = self.state.marks.get(id).copied().max(newest) {
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
        let vars = json!({ "board": [id], "limit": self.limits.pages, "params": queries::items_params(since) });
        let resp = self.query(queries::FIRST_ITEMS_PAGE, vars).await?;
        let page = first_page(&resp)?;
        self.limits.pages = adapted(self.limits.pages, &resp.data, self.tuning.max_query_cost);
        let mut cursor = self.take_page(board, page, chain).await?;
        while let Some(c) = cursor {
            let vars = json!({ "cursor": c, "limit": self.limits.pages });
            let resp = self.query(queries::NEXT_ITEMS_PAGE, vars).await?;
            let page = resp.data.get("next_items_page").filter(|p| p.is_object());
            let page = page.ok_or_else(|| missing("next_items_page", &resp))?;
            self.limits.pages = adapted(self.limits.pages, &resp.data, self.tuning.max_query_cost);
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
        let docs = self.flatten_with_subitems(board, fresh).await?;
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
