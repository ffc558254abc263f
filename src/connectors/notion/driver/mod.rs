//! [`Crawler`]: one sync of one Notion source, from search listing to final checkpoint.
//!
//! 1. **List** `POST /v1/search` (newest edits first), comparing each result's
//!    `last_edited_time` with the stored document: only new or changed pages become [`Task`]s.
//! 2. **Follow up** once the listing ends: objects search returned last time but not now are
//!    re-checked (absence is not proof, §1.3); a deep run re-checks everything in the tree.
//! 3. **Drain** the task queue with up to [`MAX_IN_FLIGHT`] jobs at once; each outcome turns into
//!    upserts / deletes / skips, and `child_page`, `child_database` and `link_to_page` targets
//!    become new tasks, so pages search never returns are still crawled. A document whose
//!    breadcrumb runs into an ancestor not known yet waits for it (`apply::Deferred`), so
//!    breadcrumbs do not depend on crawl order.
//! 4. **Finish**: save the high-water mark and tree, clear the run.
//!
//! Progress is committed every [`Tuning::checkpoint_every`](super::Tuning) outcomes and after each search page, with
//! the state needed to resume.

mod apply;
mod listing;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use chrono::{Duration as Span, Utc};
use serde_json::Value;

use super::client::{Client, MAX_IN_FLIGHT};
use super::errors::{failure_reason, Failure};
use super::fetch::{run_job, Job, Outcome};
use super::state::{self, Kind, Listing, Node, Run, State, Task, TaskKind};
use crate::config::SourceConfig;
use crate::connectors::{Batch, ConnectorError, Sink, Skip, SyncOptions, SyncSummary};
use crate::document::doc_id;
use crate::flatten::notion::{is_row, normalize_id, page_parent, page_title, Lookup};

/// How often a sync re-checks everything it knows (Dust garbage-collects every 12 h).
const DEEP_EVERY: Span = Span::hours(12);
/// Timestamps have minute precision: re-read this much before the high-water mark.
const OVERLAP: Span = Span::minutes(5);
/// Below this many result pages, search is always listed to the end, so pages that are no
/// longer shared leave the store at the next sync; above it, incremental runs stop early.
const FULL_LISTING_MAX_PAGES: u32 = 10;
/// Invalid-cursor restarts of the search listing before it is treated as incomplete.
const MAX_LISTING_RESTARTS: u32 = 3;

type InFlight<'c> = Pin<Box<dyn Future<Output = (Task, Outcome)> + Send + 'c>>;

/// One sync of one source.
pub struct Crawler<'c> {
    cfg: &'c SourceConfig,
    client: &'c Client<'c>,
    sink: &'c mut dyn Sink,
    state: State,
    run: Run,
    lookup: Lookup,
    users_loaded: bool,
    batch: Batch,
    since_checkpoint: usize,
    checkpoint_every: usize,
    inflight: Vec<InFlight<'c>>,
    inflight_tasks: Vec<Task>,
    queued: HashSet<String>,
    /// Rows found by search whose database is being fetched first (in memory only: after a
    /// resume, the database's row query finds them anyway).
    deferred_rows: HashMap<String, Vec<Task>>,
    /// Documents waiting for an unknown ancestor (in memory; their tasks are checkpointed).
    deferred_docs: Vec<apply::Deferred>,
    pub summary: SyncSummary,
}

impl<'c> Crawler<'c> {
    /// Loads saved state and resumes the unfinished run, or plans a new one.
    pub fn new(
        cfg: &'c SourceConfig,
        client: &'c Client<'c>,
        sink: &'c mut dyn Sink,
        opts: &SyncOptions,
        checkpoint_every: usize,
    ) -> Result<Self, ConnectorError> {
        let mut state = State::from_saved(sink.load_state()?);
        let run = match state.run.take() {
            Some(run) if !opts.full || run.force => run,
            _ => plan(&state, opts.full),
        };
        let mut lookup = Lookup::default();
        for (id, node) in &state.tree {
            lookup.titles.insert(id.clone(), node.title.clone());
        }
        let queued = run.queue.iter().map(|t| t.id.clone()).collect();
        Ok(Crawler {
            cfg,
            client,
            sink,
            state,
            run,
            lookup,
            users_loaded: false,
            batch: Batch::default(),
            since_checkpoint: 0,
            checkpoint_every: checkpoint_every.max(1),
            inflight: Vec::new(),
            inflight_tasks: Vec::new(),
            queued,
            deferred_rows: HashMap::new(),
            deferred_docs: Vec::new(),
            summary: SyncSummary::default(),
        })
    }

    /// Runs the sync to the end. On error nothing more is committed.
    pub async fn run(&mut self) -> Result<(), ConnectorError> {
        self.list_search().await?;
        self.follow_up()?;
        self.drain().await?;
        self.finish()
    }

    // ---- 2. follow-up checks -----------------------------------------------------------

    fn follow_up(&mut self) -> Result<(), ConnectorError> {
        if self.run.listing.followed_up {
            return Ok(());
        }
        let mut checks: Vec<(String, Kind)> = Vec::new();
        for (id, node) in &self.state.tree {
            let missing = !self.run.seen.contains(id);
            let absent = self.run.listing.complete && node.in_search && missing;
            // Rows need no GET of their own: re-querying their database covers them.
            let deep_check = match node.kind {
                Kind::Database => true,
                Kind::Page => missing,
                Kind::Row => false,
            };
            if absent || (self.run.deep && deep_check) {
                checks.push((id.clone(), node.kind));
            }
        }
        if self.run.deep {
            // Stored documents the tree does not know (state lost or from an older layout).
            let prefix = format!("{}:", self.cfg.name);
            for meta in self.sink.list_docs()? {
                let Some(native) = meta.id.strip_prefix(&prefix) else {
                    continue;
                };
                if !self.state.tree.contains_key(native) && !self.run.seen.contains(native) {
                    let kind = if meta.kind == "database" {
                        Kind::Database
                    } else {
                        Kind::Page
                    };
                    checks.push((native.to_owned(), kind));
                }
            }
        }
        for (id, kind) in checks {
            let rows = self.run.deep;
            self.enqueue(check_task(id, kind, rows));
        }
        self.run.listing.followed_up = true;
        Ok(())
    }

    // ---- 3. drain the queue ------------------------------------------------------------

    async fn drain(&mut self) -> Result<(), ConnectorError> {
        loop {
            self.fill()?;
            if self.inflight.is_empty() {
                if self.deferred_docs.is_empty() {
                    return Ok(());
                }
                // Nothing left to crawl: ancestors still unknown will stay unknown.
                self.since_checkpoint += self.build_deferred(true)?;
                continue;
            }
            let (task, outcome) = next_done(&mut self.inflight).await;
            self.inflight_tasks.retain(|t| t.id != task.id);
            let finished = self.handle(&task, outcome).await?;
            // Whatever its parent turned out to be, it is as resolved as it gets.
            self.run.unresolved.remove(&task.id);
            if finished {
                self.queued.remove(&task.id);
                self.run.done.insert(task.id);
            }
            self.since_checkpoint += 1 + self.build_deferred(false)?;
            if self.since_checkpoint >= self.checkpoint_every {
                self.checkpoint()?;
            }
        }
    }

    /// Starts queued jobs up to the concurrency bound.
    fn fill(&mut self) -> Result<(), ConnectorError> {
        while self.inflight.len() < MAX_IN_FLIGHT {
            let Some(task) = self.run.queue.pop_front() else {
                break;
            };
            if self.run.done.contains(&task.id) {
                self.queued.remove(&task.id);
                continue;
            }
            let stored = match task.kind {
                TaskKind::Page => self.stored_updated(&task.id)?,
                TaskKind::Database { .. } => None,
            };
            let known_parent = task
                .parent
                .clone()
                .or_else(|| self.state.tree.get(&task.id).and_then(|n| n.parent.clone()));
            let job = Job {
                task: task.clone(),
                stored,
                force: self.run.force,
                start_date: self.cfg.start_date,
                known_parent,
            };
            let client = self.client;
            self.inflight_tasks.push(Task {
                json: None,
                ..task.clone()
            });
            self.inflight
                .push(Box::pin(async move { (task, run_job(client, job).await) }));
        }
        Ok(())
    }

    /// Applies one job's outcome; false when its document waits for an ancestor.
    async fn handle(&mut self, task: &Task, outcome: Outcome) -> Result<bool, ConnectorError> {
        let mut finished = true;
        match outcome {
            Outcome::Abort(e) => return Err(e),
            Outcome::Page {
                page,
                walk,
                climbed_parent,
            } => {
                self.ensure_users().await?;
                finished = self.on_page(task, page, walk, climbed_parent)?;
            }
            Outcome::Unchanged { page } => {
                self.summary.unchanged += 1;
                let parent = self.resolve_parent(task, &page, None);
                let kind = if is_row(&page) { Kind::Row } else { Kind::Page };
                self.note(&task.id, page_title(&page), parent, kind);
            }
            Outcome::TooOld { .. } => {}
            Outcome::Trashed => self.delete_known(&task.id)?,
            Outcome::Unreadable { status, reason } => {
                self.skip(&task.id, task_what(task), reason);
                if matches!(status, 403 | 404) {
                    self.delete_known(&task.id)?;
                }
            }
            Outcome::BlocksUnreadable { reason, .. } => self.skip(&task.id, "page", reason),
            Outcome::Database(fetch) => {
                self.ensure_users().await?;
                finished = self.on_database(task, fetch)?;
            }
        }
        for row in self.deferred_rows.remove(&task.id).unwrap_or_default() {
            self.enqueue(row);
        }
        Ok(finished)
    }

    // ---- 4. finish ---------------------------------------------------------------------

    fn finish(&mut self) -> Result<(), ConnectorError> {
        let listing = &self.run.listing;
        if listing.complete {
            for (id, node) in self.state.tree.iter_mut() {
                node.in_search = self.run.seen.contains(id);
            }
            self.state.listing_pages = listing.pages;
        }
        if let Some(m) = listing.max_edited {
            self.state.high_water = Some(self.state.high_water.map_or(m, |h| h.max(m)));
        }
        if self.run.deep {
            self.state.last_deep = Some(Utc::now());
        }
        self.state.run = None;
        self.commit_with(None)
    }

    // ---- helpers -----------------------------------------------------------------------

    fn enqueue(&mut self, task: Task) {
        if self.run.done.contains(&task.id) {
            return;
        }
        if !self.queued.insert(task.id.clone()) {
            // Already queued: a database check may need upgrading to a full row query.
            if let TaskKind::Database { rows: true } = task.kind {
                for t in self.run.queue.iter_mut().filter(|t| t.id == task.id) {
                    t.kind = TaskKind::Database { rows: true };
                }
            }
            return;
        }
        self.run.queue.push_back(task);
    }

    fn note(&mut self, id: &str, title: String, parent: Option<String>, kind: Kind) {
        self.lookup.titles.insert(id.to_owned(), title.clone());
        let node = self
            .state
            .tree
            .entry(id.to_owned())
            .or_insert_with(|| Node {
                title: String::new(),
                parent: None,
                kind,
                in_search: false,
                sources: Default::default(),
            });
        node.title = title;
        node.kind = kind;
        if parent.is_some() && parent.as_deref() != Some(id) {
            node.parent = parent;
            self.run.unresolved.remove(id);
        }
    }

    /// The parent a page's JSON names (rows: the database, via the data source if needed).
    fn json_parent(&self, obj: &Value) -> Option<String> {
        page_parent(obj).or_else(|| {
            let ds = obj
                .pointer("/parent/data_source_id")
                .and_then(Value::as_str)?;
            let ds = normalize_id(ds);
            self.state
                .tree
                .iter()
                .find(|(_, n)| n.sources.contains_key(&ds))
                .map(|(id, _)| id.clone())
        })
    }

    fn resolve_parent(&self, task: &Task, page: &Value, climbed: Option<String>) -> Option<String> {
        task.parent
            .clone()
            .or_else(|| self.json_parent(page))
            .or_else(|| self.state.tree.get(&task.id).and_then(|n| n.parent.clone()))
            .or(climbed)
    }

    fn stored_updated(
        &self,
        native: &str,
    ) -> Result<Option<chrono::DateTime<Utc>>, ConnectorError> {
        let meta = self.sink.doc_meta(&doc_id(&self.cfg.name, native))?;
        Ok(meta.and_then(|m| m.updated_at))
    }

    fn upsert(&mut self, native: &str, doc: crate::Document) -> Result<(), ConnectorError> {
        let existed = self.sink.doc_meta(&doc.id)?.is_some();
        if existed {
            self.summary.updated += 1;
        } else {
            self.summary.added += 1;
        }
        self.batch.unskipped.push(native.to_owned());
        self.batch.upserts.push(doc);
        Ok(())
    }

    /// Deletes a stored object and everything known below it. An object that was never
    /// indexed (an unshared parent, a dead link target) deletes nothing: its children may well
    /// be shared on their own.
    fn delete_known(&mut self, id: &str) -> Result<(), ConnectorError> {
        if !self.is_stored(id)? {
            self.state.tree.remove(id);
            return Ok(());
        }
        for native in state::subtree(&self.state.tree, id) {
            if self.is_stored(&native)? {
                self.summary.deleted += 1;
            }
            let did = doc_id(&self.cfg.name, &native);
            self.batch.upserts.retain(|d| d.id != did);
            self.batch.deletes.push(did);
            self.state.tree.remove(&native);
        }
        Ok(())
    }

    /// Whether the store has (or this batch adds) the document of `native`.
    fn is_stored(&self, native: &str) -> Result<bool, ConnectorError> {
        let did = doc_id(&self.cfg.name, native);
        Ok(self.sink.doc_meta(&did)?.is_some() || self.batch.upserts.iter().any(|d| d.id == did))
    }

    fn skip(&mut self, id: &str, what: &str, reason: String) {
        tracing::info!(id, what, reason, "notion: skipped");
        self.summary.skipped += 1;
        self.batch.skipped.push(Skip {
            native_id: id.to_owned(),
            what: what.to_owned(),
            reason,
        });
    }

    /// Loads user names once, the first time a document is built (403 = no capability: ids only).
    async fn ensure_users(&mut self) -> Result<(), ConnectorError> {
        if self.users_loaded {
            return Ok(());
        }
        self.users_loaded = true;
        match self.client.list_get("users").await {
            Ok(users) => {
                for u in users {
                    let id = u.get("id").and_then(Value::as_str);
                    let name = u.get("name").and_then(Value::as_str);
                    if let (Some(id), Some(name)) = (id, name) {
                        self.lookup.users.insert(id.to_owned(), name.to_owned());
                    }
                }
                Ok(())
            }
            Err(Failure::Abort(e)) => Err(e),
            Err(f) => {
                tracing::info!(
                    reason = failure_reason(&f),
                    "notion: cannot list users; authors stay unnamed"
                );
                Ok(())
            }
        }
    }

    /// Commits what was gathered plus the state to resume from.
    fn checkpoint(&mut self) -> Result<(), ConnectorError> {
        let mut run = self.run.clone();
        let mut queue: std::collections::VecDeque<Task> = self
            .inflight_tasks
            .iter()
            .cloned()
            .chain(self.deferred_tasks())
            .collect();
        queue.extend(run.queue.drain(..));
        run.queue = queue;
        self.commit_with(Some(run))
    }

    fn commit_with(&mut self, run: Option<Run>) -> Result<(), ConnectorError> {
        self.state.run = run;
        let state = serde_json::to_value(&self.state)
            .map_err(|e| ConnectorError::Protocol(format!("cannot save Notion sync state: {e}")))?;
        self.state.run = None;
        let mut batch = std::mem::take(&mut self.batch);
        batch.state = Some(state);
        self.sink.commit(batch)?;
        self.since_checkpoint = 0;
        Ok(())
    }
}

/// Plans a new run from saved state.
fn plan(state: &State, full: bool) -> Run {
    let now = Utc::now();
    let deep = full || state.last_deep.is_none_or(|t| now - t >= DEEP_EVERY);
    Run {
        force: full,
        deep,
        full_listing: deep || state.listing_pages <= FULL_LISTING_MAX_PAGES,
        cutoff: state.high_water.map(|h| h - OVERLAP),
        listing: Listing::default(),
        seen: Default::default(),
        queue: Default::default(),
        done: Default::default(),
        unresolved: Default::default(),
    }
}

/// A task that (re)checks a known object: a GET for pages, the database for databases.
fn check_task(id: String, kind: Kind, rows: bool) -> Task {
    let kind = match kind {
        Kind::Database => TaskKind::Database { rows },
        Kind::Page | Kind::Row => TaskKind::Page,
    };
    Task {
        id,
        kind,
        parent: None,
        json: None,
    }
}

fn task_what(task: &Task) -> &'static str {
    match task.kind {
        TaskKind::Page => "page",
        TaskKind::Database { .. } => "database",
    }
}

fn abort(f: Failure) -> ConnectorError {
    match f {
        Failure::Abort(e) => e,
        other => ConnectorError::Protocol(failure_reason(&other)),
    }
}

/// Waits for the first of the in-flight jobs to finish and removes it.
async fn next_done<T>(inflight: &mut Vec<Pin<Box<dyn Future<Output = T> + Send + '_>>>) -> T {
    std::future::poll_fn(|cx| {
        for i in 0..inflight.len() {
            if let Poll::Ready(out) = inflight[i].as_mut().poll(cx) {
                drop(inflight.swap_remove(i));
                return Poll::Ready(out);
            }
        }
        Poll::Pending
    })
    .await
}
