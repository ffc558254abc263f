//! Updates (comments) for the items about to be flattened (`Step::fill_updates`), read the
//! way an [`Updates`] value says.
//!
//! Complexity is estimated from list limits, so nesting `updates(limit: 25)` in item pages
//! charges 25 updates per item whether it has any or not — most of a page's cost. Items
//! therefore come without updates, and updates are read one of two ways:
//! * a board's **first crawl** reads all of the board's updates once (`boards { updates }`,
//!   100 per page, cost proportional to the updates that exist), likewise for the subitem
//!   boards its subitems live on;
//! * otherwise (incremental runs see few items) `items(ids:) { updates(limit: 25) }` for
//!   just those items.
//!
//! Either way each item keeps its 25 newest updates, so a document does not change with the
//! way it was fetched.

use std::collections::HashMap;

use serde_json::{json, Value};

use chrono::{DateTime, Utc};

use super::errors::{decide, ApiFailure, Decision, Scope};
use super::limits::{adapted, MAX_BOARD_UPDATE_PAGES, MAX_UPDATES_PAGE};
use super::queries::{self, MAX_IDS, UPDATES_PER_ITEM};
use super::step::Step;
use crate::flatten::monday::{id_of, parse_time};

/// Updates of one board by item id, newest first.
pub type UpdatesByItem = HashMap<String, Vec<Value>>;

/// How the items being flattened get their updates; passed along with them.
pub enum Updates {
    /// `items(ids:) { updates }` for just those items (incremental runs see few items).
    ById,
    /// Each board's updates read once, on first use, and kept here (`None`: too many, read by
    /// id instead). A board's first crawl sees every item, so this is cheaper there.
    PerBoard(HashMap<String, Option<UpdatesByItem>>),
}

impl Updates {
    pub fn per_board() -> Self {
        Updates::PerBoard(HashMap::new())
    }
}

impl Step<'_, '_> {
    /// Sets `updates` on every item: from prefetched board updates when this is a board's
    /// first crawl, else by id.
    pub(super) async fn fill_updates(
        &mut self,
        items: &mut [Value],
        updates: &mut Updates,
    ) -> Result<(), ApiFailure> {
        let mut missing: Vec<String> = Vec::new();
        for item in items.iter_mut() {
            let board = id_of(item.pointer("/board/id")).unwrap_or_default();
            let id = id_of(item.get("id")).unwrap_or_default();
            match self.board_updates(updates, &board).await? {
                Some(map) => set_updates(item, map.get(&id).cloned().unwrap_or_default()),
                None => missing.push(id),
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let fetched = self.updates_by_id(&missing).await?;
        for item in items.iter_mut() {
            let id = id_of(item.get("id")).unwrap_or_default();
            if let Some(ups) = fetched.get(&id) {
                set_updates(item, ups.clone());
            }
        }
        Ok(())
    }

    /// The prefetched updates of `board` when boards are being crawled for the first time
    /// (read on first use; `None` otherwise, or when there are too many).
    async fn board_updates<'u>(
        &mut self,
        updates: &'u mut Updates,
        board: &str,
    ) -> Result<Option<&'u UpdatesByItem>, ApiFailure> {
        let Updates::PerBoard(prefetched) = updates else {
            return Ok(None);
        };
        if board.is_empty() {
            return Ok(None);
        }
        if !prefetched.contains_key(board) {
            let map = self.read_board_updates(board).await?;
            prefetched.insert(board.to_owned(), map);
        }
        Ok(prefetched.get(board).and_then(Option::as_ref))
    }

    /// Every update of one board by item, or `None` when there are too many or they cannot
    /// be read (items then get theirs by id).
    async fn read_board_updates(
        &mut self,
        board: &str,
    ) -> Result<Option<UpdatesByItem>, ApiFailure> {
        let limit = self.api.tuning.updates_per_page.clamp(1, MAX_UPDATES_PAGE);
        let mut by_item = UpdatesByItem::new();
        for page in 1..=MAX_BOARD_UPDATE_PAGES {
            let vars = json!({ "board": [board], "limit": limit, "page": page });
            let resp = match self.api.query(queries::BOARD_UPDATES, vars).await {
                Ok(r) => r,
                Err(f) if decide(&f, Scope::Optional) == Decision::Skip => return Ok(None),
                Err(f) => return Err(f),
            };
            let Some(list) = resp
                .data
                .pointer("/boards/0/updates")
                .and_then(Value::as_array)
            else {
                return Ok(None);
            };
            self.w.saw_updates(list);
            for u in list {
                if let Some(item) = id_of(u.get("item_id")) {
                    by_item.entry(item).or_default().push(u.clone());
                }
            }
            if list.len() < limit as usize {
                return Ok(Some(by_item));
            }
        }
        Ok(None)
    }

    /// `items(ids:) { updates }` in requests sized by measured complexity.
    async fn updates_by_id(&mut self, ids: &[String]) -> Result<UpdatesByItem, ApiFailure> {
        let mut out = UpdatesByItem::new();
        let mut rest = ids;
        while !rest.is_empty() {
            let n = (self.limits.updates as usize)
                .clamp(1, MAX_IDS)
                .min(rest.len());
            let (chunk, tail) = rest.split_at(n);
            let resp = match self
                .api
                .query(queries::ITEM_UPDATES, json!({ "ids": chunk, "limit": n }))
                .await
            {
                Ok(r) => r,
                Err(f) if decide(&f, Scope::Batch { size: n as u32 }) == Decision::ShrinkPage => {
                    self.limits.updates = (n as u32 / 2).max(1);
                    continue;
                }
                Err(f) => return Err(f),
            };
            let items = resp
                .data
                .get("items")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for item in items {
                let Some(id) = id_of(item.get("id")) else {
                    continue;
                };
                let ups = item
                    .get("updates")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                self.w.saw_updates(&ups);
                out.insert(id, ups);
            }
            self.limits.updates =
                adapted(n as u32, &resp.data, self.api.tuning.max_query_cost).min(MAX_IDS as u32);
            rest = tail;
        }
        Ok(out)
    }
}

/// A post's (update's or reply's) `created_at`.
pub fn created_at(post: &Value) -> Option<DateTime<Utc>> {
    post.get("created_at")
        .and_then(Value::as_str)
        .and_then(parse_time)
}

/// Gives an item its updates, newest first, at most as many as the per-item requests return.
fn set_updates(item: &mut Value, mut updates: Vec<Value>) {
    updates.truncate(UPDATES_PER_ITEM as usize);
    for u in &mut updates {
        if let Some(obj) = u.as_object_mut() {
            obj.remove("item_id");
        }
    }
    if let Some(obj) = item.as_object_mut() {
        obj.insert("updates".into(), Value::Array(updates));
    }
}
