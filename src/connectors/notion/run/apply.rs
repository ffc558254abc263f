//! Step 3 of a run, the store side: turns a fetched page or database into documents, and
//! queues what its blocks point to (`child_page`, `child_database`, `link_to_page`) and former
//! children that vanished (re-checked: absent is not deleted until Notion confirms it).

use std::collections::HashSet;

use serde_json::Value;

use super::{check_task, Crawler};
use crate::connectors::notion::crawl::{edited, is_trashed, DatabaseFetch, Walk};
use crate::connectors::notion::state::{self, Kind, Task, TaskKind};
use crate::connectors::ConnectorError;
use crate::flatten::notion::{
    database_document, database_title, is_row, normalize_id, page_document, page_title,
    PageDocInput,
};

impl Crawler<'_> {
    pub(super) fn on_page(
        &mut self,
        task: &Task,
        page: Value,
        walk: Walk,
        climbed: Option<String>,
    ) -> Result<(), ConnectorError> {
        let id = task.id.clone();
        let parent = self.resolve_parent(task, &page, climbed);
        let kind = if is_row(&page) { Kind::Row } else { Kind::Page };
        self.note(&id, page_title(&page), parent.clone(), kind);
        let path = state::path(&self.state.tree, parent.as_deref());
        let flat = page_document(PageDocInput {
            source: &self.cfg.name,
            page: &page,
            blocks: &walk.blocks,
            path,
            parent,
            lookup: &self.lookup,
        });
        self.summary.unknown_types += flat.unknown;
        self.upsert(&id, flat.value)?;
        self.follow_links(&id, &walk);
        Ok(())
    }

    /// Queues what a page's blocks point to, and re-checks former children that vanished.
    pub(super) fn follow_links(&mut self, id: &str, walk: &Walk) {
        let linked: HashSet<&String> = walk
            .child_pages
            .iter()
            .chain(&walk.child_databases)
            .collect();
        let vanished: Vec<(String, Kind)> = state::children_of(&self.state.tree, id)
            .filter(|(cid, n)| !linked.contains(cid) && !n.in_search && n.kind != Kind::Row)
            .map(|(cid, n)| (cid.clone(), n.kind))
            .collect();
        let parent = Some(id.to_owned());
        for c in &walk.child_pages {
            self.enqueue(Task {
                id: c.clone(),
                kind: TaskKind::Page,
                parent: parent.clone(),
                json: None,
            });
        }
        for d in &walk.child_databases {
            let kind = TaskKind::Database { rows: true };
            self.enqueue(Task {
                id: d.clone(),
                kind,
                parent: parent.clone(),
                json: None,
            });
        }
        for p in &walk.linked_pages {
            self.enqueue(check_task(p.clone(), Kind::Page, true));
        }
        for d in &walk.linked_databases {
            self.enqueue(check_task(d.clone(), Kind::Database, true));
        }
        for (cid, kind) in vanished {
            self.enqueue(check_task(cid, kind, false));
        }
    }

    pub(super) fn on_database(
        &mut self,
        task: &Task,
        fetch: DatabaseFetch,
    ) -> Result<(), ConnectorError> {
        let id = task.id.clone();
        let db = &fetch.database;
        let parent = task
            .parent
            .clone()
            .or_else(|| self.json_parent(db))
            .or_else(|| self.state.tree.get(&id).and_then(|n| n.parent.clone()));
        self.note(&id, database_title(db), parent.clone(), Kind::Database);
        if let Some(node) = self.state.tree.get_mut(&id) {
            // Lets rows whose parent names only the data source find their database.
            for ds in fetch
                .sources
                .iter()
                .filter_map(|s| s.get("id").and_then(Value::as_str))
            {
                node.sources.entry(normalize_id(ds)).or_default();
            }
        }
        for s in fetch.skipped {
            self.batch.skipped.push(s);
            self.summary.skipped += 1;
        }
        let stored = self.stored_updated(&id)?;
        if self.run.force || stored.is_none() || stored != edited(db) {
            let path = state::path(&self.state.tree, parent.as_deref());
            let doc = database_document(&self.cfg.name, db, &fetch.sources, path, parent);
            self.upsert(&id, doc)?;
        } else {
            self.summary.unchanged += 1;
        }
        if let Some(rows) = fetch.rows {
            self.on_rows(&id, rows)?;
        }
        Ok(())
    }

    pub(super) fn on_rows(&mut self, db: &str, rows: Vec<Value>) -> Result<(), ConnectorError> {
        let mut alive = HashSet::new();
        for row in rows {
            let rid = normalize_id(row.get("id").and_then(Value::as_str).unwrap_or(""));
            if rid.is_empty() {
                continue;
            }
            alive.insert(rid.clone());
            self.note(&rid, page_title(&row), Some(db.to_owned()), Kind::Row);
            if is_trashed(&row) {
                self.delete_known(&rid)?;
                continue;
            }
            if !self.run.done.contains(&rid) {
                self.consider_page(rid, row, Some(db.to_owned()))?;
            }
        }
        let gone: Vec<String> = state::children_of(&self.state.tree, db)
            .filter(|(rid, n)| n.kind == Kind::Row && !alive.contains(*rid))
            .map(|(rid, _)| rid.clone())
            .collect();
        for rid in gone {
            self.enqueue(check_task(rid, Kind::Row, false));
        }
        Ok(())
    }
}
