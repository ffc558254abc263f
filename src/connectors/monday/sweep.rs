//! The deletion sweep: `items_page` never returns archived or deleted items, and activity
//! logs are capped and undocumented, so deletions are found by comparison instead
//! (../shared/docs/monday-api.md §5.6a). Each crawlable board is listed id-only ([`super::limits::MAX_PAGE`] per page, with
//! subitem ids); stored documents not seen are *candidates*, confirmed through root
//! `items(ids:)`, which returns archived and deleted items with their `state`. A candidate is
//! deleted when it is missing, deleted or archived, or when its board is no longer visible
//! (deleted, archived or unshared boards): nothing is deleted on a mere absence from a sweep
//! that may have been incomplete.
//!
//! The listing also carries each subitem's `updated_at`. Subitems are only fetched with their
//! parent, and editing a subitem leaves the parent's `updated_at` alone, so a subitem whose
//! `updated_at` differs from the stored one (or that is not stored) is refetched here, with
//! its parent (whose body lists the subitem names); so is a parent whose listed subitems are
//! not the stored ones (a subitem archived or deleted).

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use serde_json::{json, Value};

use super::errors::{decide, missing, ApiFailure, Decision, Scope};
use super::limits::{adapted, board_page_cap, page_limit};
use super::queries::{self, MAX_IDS};
use super::step::Step;
use crate::connectors::{Batch, ConnectorError, DocMeta};
use crate::flatten::monday::{id_of, parse_time};

/// What the id-only listing of the boards found.
#[derive(Default)]
struct Listing {
    /// Every live item and subitem id.
    live: HashSet<String>,
    /// `(subitem id, parent id, subitem updated_at)`.
    subitems: Vec<(String, String, Option<DateTime<Utc>>)>,
    /// Every listed item's subitem ids.
    children: HashMap<String, BTreeSet<String>>,
}

/// What `items(ids:)` says about one item.
struct Found {
    state: String,
    board: Option<String>,
}

impl Step<'_, '_> {
    /// Deletes stored items that are gone; completes the run's last phase.
    pub(super) async fn sweep_phase(&mut self) -> Result<(), ConnectorError> {
        // Before a first complete run, everything stored came from this run: nothing to sweep.
        if self.w.state.mark.is_none() {
            return Ok(());
        }
        let stored = self.w.sink.list_docs()?;
        if stored.is_empty() {
            return Ok(());
        }
        let mut listing = Listing::default();
        let boards = self.boards.crawlable.clone();
        for board in &boards {
            let id = id_of(board.get("id")).unwrap_or_default();
            self.sweep_board(&id, board_page_cap(board), &mut listing)
                .await?;
        }
        let prefix = format!("{}:", self.api.cfg.name);
        let stale = self.stale_subitems(&listing, &stored, &prefix);
        self.refetch(stale).await?;
        let live = listing.live;
        let candidates: Vec<&DocMeta> = stored
            .iter()
            .filter(|d| {
                d.id.strip_prefix(&prefix)
                    .is_some_and(|n| !live.contains(n))
            })
            .collect();
        for chunk in candidates.chunks(MAX_IDS) {
            let deletes = self.confirm_gone(chunk, &prefix).await?;
            if !deletes.is_empty() {
                self.w.summary.deleted += deletes.len() as u64;
                self.w.commit(Batch {
                    deletes,
                    ..Batch::default()
                })?;
            }
        }
        Ok(())
    }

    /// Subitems (and their parents) whose stored version is missing or out of date, and
    /// parents whose stored subitems are not the listed ones (a subitem archived, deleted or
    /// added: the parent's body lists their names), unless this run already fetched them.
    fn stale_subitems(&self, listing: &Listing, stored: &[DocMeta], prefix: &str) -> Vec<String> {
        let mut stored_children: HashMap<&str, BTreeSet<String>> = HashMap::new();
        for d in stored {
            let parent = d.parent_id.as_deref().and_then(|p| p.strip_prefix(prefix));
            if let (Some(parent), Some(id)) = (parent, d.id.strip_prefix(prefix)) {
                stored_children
                    .entry(parent)
                    .or_default()
                    .insert(id.to_owned());
            }
        }
        let stored: HashMap<&str, Option<DateTime<Utc>>> = stored
            .iter()
            .filter_map(|d| Some((d.id.strip_prefix(prefix)?, d.updated_at)))
            .collect();
        let none = BTreeSet::new();
        let mut stale: BTreeSet<String> = listing
            .children
            .iter()
            .filter(|(p, subs)| {
                stored.contains_key(p.as_str())
                    && !self.w.fetched.contains(*p)
                    && stored_children.get(p.as_str()).unwrap_or(&none) != *subs
            })
            .map(|(p, _)| p.clone())
            .collect();
        for (sub, parent, at) in &listing.subitems {
            let current = stored.get(sub.as_str()).is_some_and(|t| t == at);
            if !current && !self.w.fetched.contains(sub) && stored.contains_key(parent.as_str()) {
                stale.insert(sub.clone());
                if !self.w.fetched.contains(parent) {
                    stale.insert(parent.clone());
                }
            }
        }
        stale.into_iter().collect()
    }

    /// Adds every live item and subitem id of one board to `listing` (best effort).
    async fn sweep_board(
        &mut self,
        board: &str,
        limit: u32,
        live: &mut Listing,
    ) -> Result<(), ConnectorError> {
        let mut limit = page_limit(self.api.tuning.sweep_per_page).min(limit);
        let mut restarts = 0;
        loop {
            let seen = live.live.len();
            let outcome = self.sweep_chain(board, live, &mut limit).await;
            if live.live.len() > seen {
                restarts = 0;
            }
            let Err(failure) = outcome else {
                return Ok(());
            };
            let scope = Scope::Chain {
                restarts,
                max_restarts: self.api.tuning.max_chain_restarts,
                page_limit: limit,
            };
            match decide(&failure, scope) {
                Decision::RestartChain => restarts += 1,
                Decision::ShrinkPage => limit = (limit / 2).max(1),
                Decision::Skip => {
                    // Incomplete sweeps are safe: candidates are confirmed before deletion.
                    tracing::warn!(
                        board,
                        "monday.com: sweep incomplete: {}",
                        self.api.describe(&failure)
                    );
                    return Ok(());
                }
                Decision::Retry(_) | Decision::Abort => return Err(self.api.fatal(failure)),
            }
        }
    }

    async fn sweep_chain(
        &mut self,
        board: &str,
        live: &mut Listing,
        limit: &mut u32,
    ) -> Result<(), ApiFailure> {
        let target = self.api.tuning.max_query_cost;
        let resp = self
            .api
            .query(
                queries::SWEEP_FIRST,
                json!({ "board": [board], "limit": *limit }),
            )
            .await?;
        let boards = resp
            .data
            .get("boards")
            .and_then(Value::as_array)
            .ok_or_else(|| missing("boards", &resp))?;
        let Some(page) = boards
            .first()
            .and_then(|b| b.get("items_page"))
            .filter(|p| p.is_object())
        else {
            return Err(ApiFailure::Forbidden("board not readable".into()));
        };
        *limit = adapted(*limit, &resp.data, target);
        let mut cursor = collect_ids(page, live);
        while let Some(c) = cursor {
            let resp = self
                .api
                .query(queries::SWEEP_NEXT, json!({ "cursor": c, "limit": *limit }))
                .await?;
            let page = resp
                .data
                .get("next_items_page")
                .filter(|p| p.is_object())
                .ok_or_else(|| missing("next_items_page", &resp))?;
            *limit = adapted(*limit, &resp.data, target);
            cursor = collect_ids(page, live);
            if cursor.as_deref() == Some(c.as_str()) {
                return Err(ApiFailure::Malformed(
                    "next_items_page returned the same cursor".into(),
                ));
            }
        }
        Ok(())
    }

    /// The ids of `chunk` confirmed gone (as document ids).
    async fn confirm_gone(
        &mut self,
        chunk: &[&DocMeta],
        prefix: &str,
    ) -> Result<Vec<String>, ConnectorError> {
        let ids: Vec<&str> = chunk
            .iter()
            .filter_map(|d| d.id.strip_prefix(prefix))
            .collect();
        let vars = json!({ "ids": ids, "limit": ids.len() });
        let resp = match self.api.query(queries::ITEM_STATES, vars).await {
            Ok(r) => r,
            Err(f) if decide(&f, Scope::Optional) == Decision::Skip => {
                tracing::warn!(
                    "monday.com: cannot confirm deletions: {}",
                    self.api.describe(&f)
                );
                return Ok(Vec::new());
            }
            Err(f) => return Err(self.api.fatal(f)),
        };
        let Some(items) = resp.data.get("items").and_then(Value::as_array) else {
            return Err(self.api.fatal(missing("items", &resp)));
        };
        // A missing id is gone (or no longer visible) unless some other error may have hidden it.
        let trust_missing = resp.errors.iter().all(|e| e.denies_access());
        let found: HashMap<String, Found> = items
            .iter()
            .filter_map(|i| {
                let id = id_of(i.get("id"))?;
                let state = i
                    .get("state")
                    .and_then(Value::as_str)
                    .unwrap_or("active")
                    .to_owned();
                Some((
                    id,
                    Found {
                        state,
                        board: id_of(i.pointer("/board/id")),
                    },
                ))
            })
            .collect();
        let gone = |d: &DocMeta| {
            let native = d.id.strip_prefix(prefix).unwrap_or_default();
            match found.get(native) {
                None => trust_missing,
                Some(f) if f.state == "deleted" || f.state == "archived" => true,
                Some(f) => {
                    d.parent_id.is_none()
                        && f.board
                            .as_ref()
                            .is_none_or(|b| !self.boards.by_id.contains_key(b))
                }
            }
        };
        Ok(chunk
            .iter()
            .filter(|d| gone(d))
            .map(|d| d.id.clone())
            .collect())
    }
}

/// Adds a page's item and subitem ids to `listing`; returns the next cursor.
fn collect_ids(page: &Value, listing: &mut Listing) -> Option<String> {
    for item in page
        .get("items")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let Some(parent) = id_of(item.get("id")) else {
            continue;
        };
        listing.live.insert(parent.clone());
        let children = listing.children.entry(parent.clone()).or_default();
        let subs = item
            .get("subitems")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for sub in subs {
            let Some(id) = id_of(sub.get("id")) else {
                continue;
            };
            let at = sub
                .get("updated_at")
                .and_then(Value::as_str)
                .and_then(parse_time);
            children.insert(id.clone());
            listing.live.insert(id.clone());
            listing.subitems.push((id, parent.clone(), at));
        }
    }
    page.get("cursor")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
}
