//! The items of one board: its `items_page` → `next_items_page` chain, page by page.
//!
//! Chains are ordered by `__last_updated__` ascending, so the newest committed `updated_at`
//! is a safe restart point: when a cursor expires (or a killed run resumes) the chain
//! restarts with `__last_updated__ >= resume_from`, and ids already seen are skipped. If the
//! server ever returns items out of order, the chain restarts from the board's `since`
//! instead and relies on the seen-id set alone.
//!
//! Items come without updates; [`super::updates`] adds them as the [`Updates`] value passed
//! along says (a board's first crawl reads the board's updates once).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::errors::{decide, missing, ApiFailure, Decision, GqlResponse, Scope, Stop};
use super::limits::{adapted, board_page_cap, page_limit};
use super::queries;
use super::state::BoardCursor;
use super::step::Step;
use super::updates::Updates;
use crate::connectors::{Batch, ConnectorError, Skip};
use crate::flatten::monday::{id_of, parse_time};

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

impl Step<'_, '_> {
    /// Crawls one board, restarting its chain when the cursor expires; records a skip when
    /// the board cannot be read.
    pub(super) async fn crawl_board(
        &mut self,
        board: &Value,
        id: &str,
    ) -> Result<(), ConnectorError> {
        let cursor = match self.w.run_state().board.take() {
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
        self.w.run_state().board = Some(cursor);
        // A first crawl sees every item: reading the board's updates once is cheaper than
        // asking for each item's.
        let first = self.w.full() || !self.w.state.marks.contains_key(id);
        let mut updates = if first {
            Updates::per_board()
        } else {
            Updates::ById
        };
        self.limits.pages = self.limits.pages.min(self.first_page_cap(board, first));
        let skip = self.run_chain(board, id, &mut chain, &mut updates).await;
        let resumed = self
            .w
            .run_state()
            .board
            .as_ref()
            .and_then(|c| c.resume_from);
        self.board_done(id, skip?, chain.newest.max(resumed))
    }

    /// Runs the chain to its end, restarting it as [`decide`] says; returns why the board
    /// is skipped, if it is.
    async fn run_chain(
        &mut self,
        board: &Value,
        id: &str,
        chain: &mut Chain,
        updates: &mut Updates,
    ) -> Result<Option<ApiFailure>, ConnectorError> {
        let mut restarts = 0;
        loop {
            let seen = chain.seen.len();
            let outcome = self.board_chain(board, id, chain, updates).await;
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
                max_restarts: self.api.tuning.max_chain_restarts,
                page_limit,
            };
            match decide(&failure, scope) {
                Decision::RestartChain => {
                    restarts += 1;
                    tracing::info!(
                        board = id,
                        restarts,
                        "monday.com: {}; restarting chain",
                        self.api.describe(&failure)
                    );
                    self.api
                        .progress
                        .message(&format!("board {id}: cursor expired, restarting its pages"));
                }
                Decision::ShrinkPage => {
                    self.limits.pages = (page_limit / 2).max(1);
                    tracing::info!(
                        board = id,
                        "monday.com: {}; smaller pages",
                        self.api.describe(&failure)
                    );
                }
                Decision::Skip => return Ok(Some(failure)),
                Decision::Retry(_) | Decision::Abort => return Err(self.api.fatal(failure)),
            }
        }
    }

    /// Complexity is charged by the page `limit`, not by the items returned: a first crawl
    /// asks for no more than the board holds, an incremental one (few changes expected)
    /// starts small and grows with full pages.
    fn first_page_cap(&self, board: &Value, first_crawl: bool) -> u32 {
        if first_crawl {
            board_page_cap(board)
        } else {
            page_limit(self.api.tuning.items_per_page)
        }
    }

    /// Marks a board complete (or skipped) and commits that.
    fn board_done(
        &mut self,
        id: &str,
        skip: Option<ApiFailure>,
        newest: Option<DateTime<Utc>>,
    ) -> Result<(), ConnectorError> {
        let run = self.w.run_state();
        run.boards_done.insert(id.to_owned());
        run.board = None;
        let mut batch = Batch::default();
        match skip {
            Some(f) => {
                let reason = self.api.describe(&f);
                tracing::warn!(board = id, "monday.com: skipping board: {reason}");
                self.w.summary.skipped += 1;
                batch.skipped.push(Skip {
                    native_id: id.to_owned(),
                    what: "board".into(),
                    reason,
                });
            }
            None => {
                if let Some(mark) = self.w.state.marks.get(id).copied().max(newest) {
                    self.w.state.marks.insert(id.to_owned(), mark);
                }
                batch.unskipped.push(id.to_owned());
            }
        }
        self.api.progress.inc("boards", 1);
        self.w.commit(batch)
    }

    /// One pass over the board's pages, from the first page to a null cursor.
    async fn board_chain(
        &mut self,
        board: &Value,
        id: &str,
        chain: &mut Chain,
        updates: &mut Updates,
    ) -> Result<(), Stop> {
        let resume = self
            .w
            .run_state()
            .board
            .as_ref()
            .and_then(|c| c.resume_from);
        let since = match (chain.since, resume) {
            (s, Some(r)) if chain.ordered => Some(s.map_or(r, |s| s.max(r))),
            (s, _) => s,
        };
        let vars = json!({ "board": [id], "limit": self.limits.pages, "params": queries::items_params(since) });
        let resp = self.api.query(queries::FIRST_ITEMS_PAGE, vars).await?;
        let page = first_page(&resp)?;
        self.limits.pages = adapted(
            self.limits.pages,
            &resp.data,
            self.api.tuning.max_query_cost,
        );
        let mut cursor = self.take_page(board, page, chain, updates).await?;
        while let Some(c) = cursor {
            let vars = json!({ "cursor": c, "limit": self.limits.pages });
            let resp = self.api.query(queries::NEXT_ITEMS_PAGE, vars).await?;
            let page = resp.data.get("next_items_page").filter(|p| p.is_object());
            let page = page.ok_or_else(|| missing("next_items_page", &resp))?;
            self.limits.pages = adapted(
                self.limits.pages,
                &resp.data,
                self.api.tuning.max_query_cost,
            );
            cursor = self.take_page(board, page, chain, updates).await?;
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
        updates: &mut Updates,
    ) -> Result<Option<String>, Stop> {
        let items = page
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut next = chain.clone();
        let mut cursor = self.w.run_state().board.clone().unwrap_or_default();
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
        let docs = self.flatten_with_subitems(board, fresh, updates).await?;
        *chain = next;
        self.w.summary.unchanged += unchanged;
        self.w.run_state().board = Some(cursor);
        self.w.upsert(docs, self.api.progress)?;
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
