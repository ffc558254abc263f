//! Step 3 of a run, the store side: turns a fetched page or database into documents, and
//! queues what its blocks point to (`child_page`, `child_database`, `link_to_page`) and former
//! children that vanished (re-checked: absent is not deleted until Notion confirms it).

use std::collections::HashSet;

use serde_json::Value;

use super::{check_task, Crawler};
use crate::connectors::files::skips;
use crate::connectors::notion::fetch::{edited, is_trashed, DatabaseFetch, Walk};
use crate::connectors::notion::state::{self, Kind, Task, TaskKind};
use crate::connectors::ConnectorError;
use crate::flatten::attachments::append as append_attachments;
use crate::flatten::notion::BlockEntry;
use crate::flatten::notion::{
    database_document, database_title, is_row, normalize_id, page_document, page_title,
    PageDocInput,
};
use crate::flatten::parts::compose;
use crate::ingest::{Attached, Attachment};

/// A document held back because an ancestor in its breadcrumb is not known yet.
///
/// Search returns pages in edit order, not tree order, and pages it omits are only met when
/// the crawl reaches them; building a page before an omitted ancestor is noted would cut its
/// breadcrumb short, and the result would depend on crawl timing (a resumed sync would differ
/// from a clean one). Held-back documents are built as soon as the ancestor is noted, or at
/// the end of the crawl (an ancestor that never turns up is not readable).
pub(super) struct Deferred {
    task: Task,
    parent: Option<String>,
    doc: Pending,
}

enum Pending {
    Page {
        page: Value,
        blocks: Vec<BlockEntry>,
        attachments: Vec<Attachment>,
    },
    Database {
        database: Value,
        sources: Vec<Value>,
    },
}

impl Crawler<'_> {
    /// Notes a fetched page, queues what it links to and builds its document, or holds the
    /// document back while an ancestor is still unknown (see [`Deferred`]). True when built.
    pub(super) fn on_page(
        &mut self,
        task: &Task,
        page: Value,
        walk: Walk,
        climbed: Option<String>,
        attachments: Vec<Attachment>,
    ) -> Result<bool, ConnectorError> {
        let id = task.id.clone();
        let parent = self.resolve_parent(task, &page, climbed);
        let kind = if is_row(&page) { Kind::Row } else { Kind::Page };
        self.note(&id, page_title(&page), parent.clone(), kind);
        self.follow_links(&id, &walk);
        let pending = Pending::Page {
            page,
            blocks: walk.blocks,
            attachments,
        };
        self.build_or_defer(task, parent, pending)
    }

    fn build_or_defer(
        &mut self,
        task: &Task,
        parent: Option<String>,
        doc: Pending,
    ) -> Result<bool, ConnectorError> {
        let d = Deferred {
            task: Task {
                json: None,
                ..task.clone()
            },
            parent,
            doc,
        };
        if state::ancestors_known(&self.state.tree, d.parent.as_deref(), &self.run.unresolved) {
            self.build(d)?;
            return Ok(true);
        }
        self.deferred_docs.push(d);
        Ok(false)
    }

    /// Builds the held-back documents whose ancestors are now known (`all`: every one, at the
    /// end of the crawl, when what is still unknown is unreadable). Returns how many.
    pub(super) fn build_deferred(&mut self, all: bool) -> Result<usize, ConnectorError> {
        let (ready, waiting): (Vec<Deferred>, Vec<Deferred>) =
            std::mem::take(&mut self.deferred_docs)
                .into_iter()
                .partition(|d| {
                    all || state::ancestors_known(
                        &self.state.tree,
                        d.parent.as_deref(),
                        &self.run.unresolved,
                    )
                });
        self.deferred_docs = waiting;
        let n = ready.len();
        for d in ready {
            let id = d.task.id.clone();
            self.build(d)?;
            self.queued.remove(&id);
            self.run.done.insert(id);
        }
        Ok(n)
    }

    /// Tasks of held-back documents (saved with a checkpoint: redone after a resume).
    pub(super) fn deferred_tasks(&self) -> impl Iterator<Item = Task> + '_ {
        self.deferred_docs.iter().map(|d| d.task.clone())
    }

    fn build(&mut self, d: Deferred) -> Result<(), ConnectorError> {
        let id = d.task.id;
        if !self.state.tree.contains_key(&id) {
            // Deleted (with an ancestor) while it waited.
            return Ok(());
        }
        let path = state::path(&self.state.tree, d.parent.as_deref());
        match d.doc {
            Pending::Page {
                page,
                blocks,
                attachments,
            } => {
                let flat = page_document(PageDocInput {
                    source: &self.cfg.name,
                    page: &page,
                    blocks: &blocks,
                    path,
                    parent: d.parent,
                    lookup: &self.lookup,
                });
                let mut doc = flat.value;
                self.attach(&mut doc, attachments);
                let parts = self.sink.parts(&doc.id)?;
                let unknown = flat.unknown + compose(&mut doc, &parts, &self.lookup);
                self.summary.unknown_types += unknown;
                self.upsert(&id, doc)
            }
            Pending::Database { database, sources } => {
                let stored = self.stored_updated(&id)?;
                if self.run.force || stored.is_none() || stored != edited(&database) {
                    let doc =
                        database_document(&self.cfg.name, &database, &sources, path, d.parent);
                    self.upsert(&id, doc)
                } else {
                    self.summary.unchanged += 1;
                    Ok(())
                }
            }
        }
    }

    /// Appends the text of a page's files to its document and records them (text and skips).
    fn attach(&mut self, doc: &mut crate::Document, files: Vec<Attachment>) {
        append_attachments(doc, &files);
        let (skipped, fine) = skips(&files);
        self.summary.skipped += skipped.len() as u64;
        self.batch.skipped.extend(skipped);
        self.batch.unskipped.extend(fine);
        self.batch.attachments.push(Attached {
            doc_id: doc.id.clone(),
            files,
        });
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

    /// Notes a fetched database, builds (or holds back) its document and handles its rows.
    /// True when the document was built or is unchanged.
    pub(super) fn on_database(
        &mut self,
        task: &Task,
        fetch: DatabaseFetch,
    ) -> Result<bool, ConnectorError> {
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
        let pending = Pending::Database {
            database: fetch.database,
            sources: fetch.sources,
        };
        let built = self.build_or_defer(task, parent, pending)?;
        if let Some(rows) = fetch.rows {
            self.on_rows(&id, rows)?;
        }
        Ok(built)
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
