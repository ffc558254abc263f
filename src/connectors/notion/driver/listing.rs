//! Step 1 of a run: the `POST /v1/search` listing, newest edits first. Each result is compared
//! with the stored document; only new or changed pages (and databases whose data sources
//! changed) become tasks. A rejected cursor restarts the listing; past the high-water mark an
//! incremental run of a large workspace stops early.

use chrono::Utc;
use serde_json::{json, Value};

use super::{abort, Crawler, MAX_LISTING_RESTARTS};
use crate::connectors::notion::client::{next_cursor, results};
use crate::connectors::notion::errors::{failure_reason, Failure};
use crate::connectors::notion::fetch::{edited, is_trashed};
use crate::connectors::notion::state::{Kind, Task, TaskKind};
use crate::connectors::ConnectorError;
use crate::flatten::notion::{database_title, is_row, normalize_id, page_title};

impl Crawler<'_> {
    // ---- 1. search listing -------------------------------------------------------------

    pub(super) async fn list_search(&mut self) -> Result<(), ConnectorError> {
        let body = json!({"sort": {"timestamp": "last_edited_time", "direction": "descending"}});
        while !self.run.listing.finished {
            let cursor = self.run.listing.cursor.clone();
            let page = match self
                .client
                .list_page("search", Some(&body), cursor.as_deref())
                .await
            {
                Ok(p) => p,
                Err(Failure::InvalidCursor) => {
                    self.restart_listing();
                    continue;
                }
                Err(Failure::Abort(e)) => return Err(e),
                Err(f) => {
                    return Err(ConnectorError::Protocol(format!(
                        "Notion search failed: {}",
                        failure_reason(&f)
                    )))
                }
            };
            let items = results(&page, "search").map_err(abort)?;
            let oldest = items.iter().filter_map(edited).min();
            for item in items {
                self.on_search_result(item)?;
            }
            self.advance_listing(&page, oldest);
            self.checkpoint()?;
        }
        Ok(())
    }

    pub(super) fn restart_listing(&mut self) {
        let l = &mut self.run.listing;
        l.restarts += 1;
        l.cursor = None;
        if l.restarts > MAX_LISTING_RESTARTS {
            tracing::warn!("search cursor rejected repeatedly; listing treated as incomplete");
            l.finished = true;
        }
    }

    pub(super) fn advance_listing(&mut self, page: &Value, oldest: Option<chrono::DateTime<Utc>>) {
        let run = &mut self.run;
        run.listing.pages += 1;
        match next_cursor(page) {
            Some(c) => run.listing.cursor = Some(c),
            None => {
                run.listing.finished = true;
                run.listing.complete = true;
            }
        }
        let past_cutoff = matches!((oldest, run.cutoff), (Some(o), Some(c)) if o < c);
        if !run.full_listing && past_cutoff {
            run.listing.finished = true;
        }
    }

    pub(super) fn on_search_result(&mut self, item: Value) -> Result<(), ConnectorError> {
        let id = normalize_id(item.get("id").and_then(Value::as_str).unwrap_or(""));
        if id.is_empty() {
            return Ok(());
        }
        if let Some(e) = edited(&item) {
            let l = &mut self.run.listing;
            l.max_edited = Some(l.max_edited.map_or(e, |m| m.max(e)));
        }
        match item.get("object").and_then(Value::as_str) {
            Some("page") => self.on_search_page(id, item),
            Some("data_source") => {
                let db = item
                    .pointer("/parent/database_id")
                    .and_then(Value::as_str)
                    .map(normalize_id);
                match db {
                    Some(db) => self.on_search_database(db, id, &item),
                    None => Ok(()),
                }
            }
            Some("database") => self.on_search_database(id.clone(), id, &item),
            _ => Ok(()),
        }
    }

    pub(super) fn on_search_page(&mut self, id: String, page: Value) -> Result<(), ConnectorError> {
        self.run.seen.insert(id.clone());
        let kind = if is_row(&page) { Kind::Row } else { Kind::Page };
        let parent = self.json_parent(&page);
        self.note(&id, page_title(&page), parent.clone(), kind);
        let top_level = page.pointer("/parent/type").and_then(Value::as_str) == Some("workspace");
        if !top_level {
            self.mark_unresolved(&id);
        }
        if is_trashed(&page) {
            return self.delete_known(&id);
        }
        let Some(task) = self.page_task(id, page, None)? else {
            return Ok(());
        };
        let Some(db) = parent.filter(|_| kind == Kind::Row) else {
            self.enqueue(task);
            return Ok(());
        };
        if !self.indexed_database(&db) {
            // A row of a database we never met: index the database with all its rows too
            // (search is not exhaustive).
            self.enqueue(Task {
                id: db.clone(),
                kind: TaskKind::Database { rows: true },
                parent: None,
                json: None,
            });
        }
        if self.queued.contains(&db) {
            // Build the row after its database, so its breadcrumb is known.
            self.deferred_rows.entry(db).or_default().push(task);
        } else {
            self.enqueue(task);
        }
        Ok(())
    }

    /// Notes that a node's parent is still to be found (its own task will tell).
    fn mark_unresolved(&mut self, id: &str) {
        if self.state.tree.get(id).is_some_and(|n| n.parent.is_none()) {
            self.run.unresolved.insert(id.to_owned());
        }
    }

    fn indexed_database(&self, db: &str) -> bool {
        self.state
            .tree
            .get(db)
            .is_some_and(|n| n.kind == Kind::Database)
    }

    /// Queues a page whose JSON we have, unless it is too old or unchanged.
    pub(super) fn consider_page(
        &mut self,
        id: String,
        page: Value,
        parent: Option<String>,
    ) -> Result<(), ConnectorError> {
        if let Some(task) = self.page_task(id, page, parent)? {
            self.enqueue(task);
        }
        Ok(())
    }

    /// The task for a page whose JSON we have; `None` when it is too old or unchanged.
    fn page_task(
        &mut self,
        id: String,
        page: Value,
        parent: Option<String>,
    ) -> Result<Option<Task>, ConnectorError> {
        let edited = edited(&page);
        if let (Some(start), Some(e)) = (self.cfg.start_date, edited) {
            if e < start {
                return Ok(None);
            }
        }
        let stored = self.stored_updated(&id)?;
        if !self.run.force && edited.is_some() && stored == edited {
            self.summary.unchanged += 1;
            self.run.done.insert(id);
            return Ok(None);
        }
        Ok(Some(Task {
            id,
            kind: TaskKind::Page,
            parent,
            json: Some(page),
        }))
    }

    pub(super) fn on_search_database(
        &mut self,
        db: String,
        source: String,
        item: &Value,
    ) -> Result<(), ConnectorError> {
        self.run.seen.insert(db.clone());
        let stamp = item
            .get("last_edited_time")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let title = database_title(item);
        let known = self
            .state
            .tree
            .get(&db)
            .and_then(|n| n.sources.get(&source))
            .cloned();
        let parent = self.state.tree.get(&db).and_then(|n| n.parent.clone());
        self.note(&db, title, parent, Kind::Database);
        self.mark_unresolved(&db);
        if let Some(node) = self.state.tree.get_mut(&db) {
            node.sources.insert(source, stamp.clone());
        }
        if self.run.force || is_trashed(item) || known.as_deref() != Some(stamp.as_str()) {
            self.enqueue(Task {
                id: db,
                kind: TaskKind::Database { rows: true },
                parent: None,
                json: None,
            });
        }
        Ok(())
    }
}
