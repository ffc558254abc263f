//! Items fetched by id: subitems of each crawled page, and (in incremental runs) items that
//! received updates since the last mark — posting an update may not bump `updated_at`
//! (../shared/docs/monday-api.md §5.4, §7), so root `updates` (newest first) is read back to the mark.
//! Also where documents are flattened and upserted (`Step::flatten_with_subitems`).

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use super::errors::{decide, missing, ApiFailure, Decision, Scope, Stop};
use super::limits::{adapted, MAX_UPDATE_PAGES};
use super::listing::is_crawlable;
use super::queries::{self, MAX_IDS};
use super::state::Phase;
use super::step::Step;
use super::updates::{created_at, Updates};
use crate::connectors::{Batch, ConnectorError};
use crate::document::Document;
use crate::flatten::monday::{flatten_item, id_of, ItemContext};

impl Step<'_, '_> {
    /// Flattens a page's items and their subitems (fetched by id), updates included.
    pub(super) async fn flatten_with_subitems(
        &mut self,
        board: &Value,
        mut items: Vec<Value>,
        updates: &mut Updates,
    ) -> Result<Vec<Document>, Stop> {
        let mut parent_of: HashMap<String, usize> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let subs = item
                .get("subitems")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            parent_of.extend(
                subs.iter()
                    .filter_map(|s| id_of(s.get("id")))
                    .map(|id| (id, i)),
            );
        }
        let mut wanted: Vec<String> = parent_of.keys().cloned().collect();
        wanted.sort();
        let mut subs = match self.items_by_id(&wanted).await {
            Ok(subs) => subs,
            Err(f) if decide(&f, Scope::Part) == Decision::Skip => {
                tracing::warn!(
                    "monday.com: subitems not readable: {}",
                    self.api.describe(&f)
                );
                Vec::new()
            }
            Err(f) => return Err(f.into()),
        };
        subs.retain(|s| id_of(s.get("id")).is_some_and(|id| parent_of.contains_key(&id)));
        let top = items.len();
        items.append(&mut subs);
        self.fill_updates(&mut items, updates).await?;
        let mut docs = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let parent = (i >= top)
                .then(|| id_of(item.get("id")).and_then(|id| parent_of.get(&id).copied()))
                .flatten()
                .map(|p| &items[p]);
            docs.push(self.flatten(item, board, parent));
        }
        Ok(docs)
    }

    /// Flattens one item; a subitem's values are titled with its own board's columns.
    fn flatten(&mut self, item: &Value, board: &Value, parent: Option<&Value>) -> Document {
        let own_board = id_of(item.pointer("/board/id")).and_then(|b| self.boards.by_id.get(&b));
        let columns = parent.and(own_board).and_then(|b| b.get("columns"));
        let ctx = ItemContext {
            source: &self.api.cfg.name,
            board,
            columns,
            parent,
            account_slug: self.boards.account_slug.as_deref(),
        };
        let flat = flatten_item(item, &ctx);
        let updates = item
            .get("updates")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        self.w.saw_updates(updates);
        self.w.summary.unknown_types += flat.unknown_types;
        flat.doc
    }

    /// Root `items(ids:)` with the full item fields, in requests sized like the item pages
    /// (their cost is per item), halved when a request still exceeds the complexity cap.
    pub(super) async fn items_by_id(&mut self, ids: &[String]) -> Result<Vec<Value>, ApiFailure> {
        let mut out = Vec::with_capacity(ids.len());
        let mut rest = ids;
        while !rest.is_empty() {
            let n = (self.limits.by_id as usize)
                .clamp(1, MAX_IDS)
                .min(rest.len());
            let (chunk, tail) = rest.split_at(n);
            let vars = json!({ "ids": chunk, "limit": n });
            let resp = match self.api.query(queries::ITEMS_BY_ID, vars).await {
                Ok(resp) => resp,
                Err(f) => match decide(&f, Scope::Batch { size: n as u32 }) {
                    Decision::ShrinkPage => {
                        self.limits.by_id = (n as u32 / 2).max(1);
                        continue;
                    }
                    _ => return Err(f),
                },
            };
            let items = resp
                .data
                .get("items")
                .and_then(Value::as_array)
                .ok_or_else(|| missing("items", &resp))?;
            out.extend(items.iter().filter(|i| i.is_object()).cloned());
            self.limits.by_id =
                adapted(n as u32, &resp.data, self.api.tuning.max_query_cost).min(MAX_IDS as u32);
            rest = tail;
        }
        Ok(out)
    }

    /// Refetches items commented on since the last mark that the board crawl did not see.
    pub(super) async fn updates_phase(&mut self) -> Result<(), ConnectorError> {
        let mut ids = self.commented_items(self.updates_since()).await?;
        ids.retain(|id| !self.w.fetched.contains(id));
        self.refetch(ids).await?;
        self.w.run_state().phase = Phase::Sweep;
        self.w.commit(Batch::default())
    }

    /// Fetches items (or subitems) by id with their updates and upserts the active ones that
    /// live on crawled boards.
    pub(super) async fn refetch(&mut self, ids: Vec<String>) -> Result<(), ConnectorError> {
        for chunk in ids.chunks(MAX_IDS) {
            let mut items = match self.items_by_id(chunk).await {
                Ok(items) => items,
                Err(f) if decide(&f, Scope::Part) == Decision::Skip => continue,
                Err(f) => return Err(self.api.fatal(f)),
            };
            if let Err(f) = self.fill_updates(&mut items, &mut Updates::ById).await {
                return Err(self.api.fatal(f));
            }
            let docs = items
                .iter()
                .filter_map(|item| self.flatten_placed(item))
                .collect();
            self.w.upsert(docs, self.api.progress)?;
        }
        Ok(())
    }

    /// Item ids with updates, or replies, created at or after `since` (all when `None`),
    /// newest first. Updates older than `since` are read back to the reply lookback.
    async fn commented_items(
        &mut self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<Vec<String>, ConnectorError> {
        let limit = self.api.tuning.updates_per_page.max(1);
        let lookback =
            chrono::Duration::from_std(self.api.tuning.reply_lookback).unwrap_or_default();
        let start = self.api.cfg.start_date;
        let floor = since.map(|s| start.map_or(s - lookback, |st| st.max(s - lookback)));
        let mut from = floor.map(|s| s.format("%Y-%m-%d").to_string());
        let mut ids: Vec<String> = Vec::new();
        let mut known: HashSet<String> = HashSet::new();
        let mut page = 0;
        while page < MAX_UPDATE_PAGES {
            page += 1;
            let (query, vars) = match &from {
                Some(from) => (
                    queries::RECENT_UPDATES,
                    json!({ "limit": limit, "page": page, "from": from }),
                ),
                None => (
                    queries::RECENT_UPDATES_ANY_DATE,
                    json!({ "limit": limit, "page": page }),
                ),
            };
            let resp = match self.api.query(query, vars).await {
                Ok(r) => r,
                Err(ApiFailure::Rejected(m)) if from.is_some() && page == 1 => {
                    // The one query-shape fallback, outside `decide` on purpose.
                    // Older API versions lack `from_date`: read newest first without it.
                    tracing::info!("monday.com: updates without from_date ({m})");
                    from = None;
                    page = 0;
                    continue;
                }
                Err(f) if decide(&f, Scope::Part) == Decision::Skip => {
                    tracing::warn!("monday.com: cannot list updates: {}", self.api.describe(&f));
                    break;
                }
                Err(f) => return Err(self.api.fatal(f)),
            };
            let list = resp
                .data
                .get("updates")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            self.w.saw_updates(&list);
            let is_new = |t: Option<chrono::DateTime<chrono::Utc>>| {
                since.is_none_or(|s| t.is_some_and(|t| t >= s))
            };
            let mut reached_floor = false;
            for u in &list {
                let created = created_at(u);
                if created.is_some_and(|c| floor.is_some_and(|f| c < f)) {
                    reached_floor = true;
                    continue;
                }
                let replies = u.get("replies").and_then(Value::as_array);
                let replied = replies.is_some_and(|r| r.iter().any(|r| is_new(created_at(r))));
                if !is_new(created) && !replied {
                    continue;
                }
                if let Some(id) = id_of(u.get("item_id")).filter(|id| known.insert(id.clone())) {
                    ids.push(id);
                }
            }
            if reached_floor || list.len() < limit as usize {
                break;
            }
        }
        Ok(ids)
    }

    /// Flattens an item fetched by id if it is active and lives on a crawled board.
    fn flatten_placed(&mut self, item: &Value) -> Option<Document> {
        if item
            .get("state")
            .and_then(Value::as_str)
            .is_some_and(|s| s != "active")
        {
            return None;
        }
        let parent = item
            .get("parent_item")
            .filter(|p| id_of(p.get("id")).is_some())
            .cloned();
        let holder = parent.as_ref().unwrap_or(item);
        let board_id = id_of(holder.pointer("/board/id"))?;
        let board = self
            .boards
            .by_id
            .get(&board_id)
            .filter(|b| is_crawlable(b))?
            .clone();
        Some(self.flatten(item, &board, parent.as_ref()))
    }
}
