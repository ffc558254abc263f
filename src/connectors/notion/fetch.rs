//! The network side of one [`Task`]: fetch a page and walk its blocks, or fetch a database, its
//! data sources and their rows. Jobs talk only to the [`Client`]; deciding what the results mean
//! for the store happens in [`super::driver`].
//!
//! The block walk is iterative (an explicit stack of child iterators), so a page nested 1,000
//! levels deep costs heap, not call stack, and it keeps a visited set: synced blocks can form
//! cycles (../shared/docs/notion-api.md §2, Onyx PR #12040).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::client::Client;
use super::errors::{failure_reason, Failure};
use super::state::{Task, TaskKind};
use crate::connectors::{ConnectorError, Skip};
use crate::flatten::notion::{block_entry, normalize_id, parse_time, BlockEntry};

/// Blocks fetched for one page at most; beyond that the rest of the page is dropped.
const MAX_BLOCKS_PER_PAGE: usize = 100_000;

/// Everything a job needs besides the client.
#[derive(Debug, Clone)]
pub struct Job {
    pub task: Task,
    /// `updated_at` of the stored document, if any.
    pub stored: Option<DateTime<Utc>>,
    pub force: bool,
    pub start_date: Option<DateTime<Utc>>,
    /// The parent the crawler already knows; when unknown and the page sits inside a block,
    /// the job climbs block parents to find the page (../shared/docs/notion-api.md §1.5, Dust).
    pub known_parent: Option<String>,
}

/// What a job found.
#[derive(Debug)]
pub enum Outcome {
    /// A new or changed page, with its blocks and (when it had to be looked up) its parent.
    Page {
        page: Value,
        walk: Walk,
        climbed_parent: Option<String>,
    },
    /// The stored copy is current; no block was fetched.
    Unchanged {
        page: Value,
    },
    /// Last edited before the source's `start_date`.
    TooOld {
        page: Value,
    },
    /// `in_trash` / `archived`.
    Trashed,
    /// 403 / 404 or another rejection; `status` 403/404 means gone or no longer shared.
    Unreadable {
        status: u16,
        reason: String,
    },
    /// The page is readable but its content is not: skipped, kept in the store.
    BlocksUnreadable {
        page: Value,
        reason: String,
    },
    Database(DatabaseFetch),
    Abort(ConnectorError),
}

/// A database with its data sources and rows.
#[derive(Debug)]
pub struct DatabaseFetch {
    pub database: Value,
    /// Data source objects (schema), or `{"id"}` when one could not be read.
    pub sources: Vec<Value>,
    /// Rows of all data sources, when asked for.
    pub rows: Option<Vec<Value>>,
    pub skipped: Vec<Skip>,
}

/// A page's blocks and the objects they point to.
#[derive(Debug, Default)]
pub struct Walk {
    pub blocks: Vec<BlockEntry>,
    /// `child_page` ids (children of this page).
    pub child_pages: Vec<String>,
    /// `child_database` ids.
    pub child_databases: Vec<String>,
    /// `link_to_page` targets: pages and databases living elsewhere.
    pub linked_pages: Vec<String>,
    pub linked_databases: Vec<String>,
}

/// Runs one job.
pub async fn run_job(client: &Client<'_>, job: Job) -> Outcome {
    let result = match job.task.kind {
        TaskKind::Page => page_job(client, &job).await,
        TaskKind::Database { rows } => database_job(client, &job.task.id, rows).await,
    };
    result.unwrap_or_else(|f| match f {
        Failure::Skip { status, reason } => Outcome::Unreadable { status, reason },
        Failure::InvalidCursor => Outcome::Unreadable {
            status: 400,
            reason: "invalid cursor".into(),
        },
        Failure::Abort(e) => Outcome::Abort(e),
    })
}

/// Documents are named after the id the crawler asked for, whatever the body says.
fn pin_id(obj: &mut Value, id: &str) {
    if let Some(map) = obj.as_object_mut() {
        map.insert("id".into(), Value::String(id.to_owned()));
    }
}

/// Whether an object is in the trash (`in_trash`, or `archived` before 2026-03-11).
pub fn is_trashed(obj: &Value) -> bool {
    ["in_trash", "archived"]
        .iter()
        .any(|k| obj.get(*k).and_then(Value::as_bool) == Some(true))
}

/// `last_edited_time` of an object.
pub fn edited(obj: &Value) -> Option<DateTime<Utc>> {
    obj.get("last_edited_time")
        .and_then(Value::as_str)
        .and_then(parse_time)
}

async fn page_job(client: &Client<'_>, job: &Job) -> Result<Outcome, Failure> {
    let id = &job.task.id;
    let mut page = match &job.task.json {
        Some(p) => p.clone(),
        None => client.get(&format!("pages/{id}"), &[]).await?,
    };
    pin_id(&mut page, id);
    if is_trashed(&page) {
        return Ok(Outcome::Trashed);
    }
    let edited = edited(&page);
    if let (Some(start), Some(e)) = (job.start_date, edited) {
        if e < start {
            return Ok(Outcome::TooOld { page });
        }
    }
    if !job.force && edited.is_some() && job.stored == edited {
        return Ok(Outcome::Unchanged { page });
    }
    let walk = match walk_blocks(client, id).await {
        Ok(w) => w,
        Err(Failure::Abort(e)) => return Err(Failure::Abort(e)),
        Err(f) => {
            let reason = failure_reason(&f);
            return Ok(Outcome::BlocksUnreadable { page, reason });
        }
    };
    let climbed_parent = match (&job.known_parent, block_parent(&page)) {
        (None, Some(block)) => climb(client, block).await?,
        _ => None,
    };
    client.progress().inc("pages", 1);
    Ok(Outcome::Page {
        page,
        walk,
        climbed_parent,
    })
}

/// Levels of `block_id` parents climbed at most to find a page.
const MAX_CLIMB: usize = 8;

fn block_parent(obj: &Value) -> Option<String> {
    let parent = obj.get("parent")?;
    (parent.get("type").and_then(Value::as_str) == Some("block_id"))
        .then(|| {
            parent
                .get("block_id")
                .and_then(Value::as_str)
                .map(normalize_id)
        })
        .flatten()
}

/// Follows `block_id` parents up to the page that contains them.
async fn climb(client: &Client<'_>, mut block: String) -> Result<Option<String>, Failure> {
    for _ in 0..MAX_CLIMB {
        let b = match client.get(&format!("blocks/{block}"), &[]).await {
            Ok(b) => b,
            Err(Failure::Abort(e)) => return Err(Failure::Abort(e)),
            Err(_) => return Ok(None),
        };
        match b.pointer("/parent/type").and_then(Value::as_str) {
            Some("page_id") => {
                let p = b.pointer("/parent/page_id").and_then(Value::as_str);
                return Ok(p.map(normalize_id));
            }
            Some("block_id") => match block_parent(&b) {
                Some(next) => block = next,
                None => return Ok(None),
            },
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// Fetches every block under `page_id`, depth first, into a flat pre-order list.
pub async fn walk_blocks(client: &Client<'_>, page_id: &str) -> Result<Walk, Failure> {
    let mut walk = Walk::default();
    let mut visited: HashSet<String> = HashSet::from([normalize_id(page_id)]);
    let top = client
        .list_get(&format!("blocks/{page_id}/children"))
        .await?;
    let mut stack = vec![(top.into_iter(), 0usize)];
    while let Some((iter, depth)) = stack.last_mut() {
        let depth = *depth;
        let Some(block) = iter.next() else {
            stack.pop();
            continue;
        };
        if walk.blocks.len() >= MAX_BLOCKS_PER_PAGE {
            tracing::warn!(page_id, "page has too many blocks; the rest is not indexed");
            break;
        }
        note_links(&block, &mut walk);
        let sources = child_sources(&block);
        walk.blocks.push(block_entry(depth, block));
        let kids = fetch_children(client, &sources, &mut visited).await?;
        if !kids.is_empty() {
            stack.push((kids.into_iter(), depth + 1));
        }
    }
    client.progress().inc("blocks", walk.blocks.len() as u64);
    Ok(walk)
}

fn note_links(block: &Value, walk: &mut Walk) {
    let id = block.get("id").and_then(Value::as_str).map(normalize_id);
    match block.get("type").and_then(Value::as_str) {
        Some("child_page") => walk.child_pages.extend(id),
        Some("child_database") => walk.child_databases.extend(id),
        Some("link_to_page") => {
            let l = &block["link_to_page"];
            if let Some(p) = l.get("page_id").and_then(Value::as_str) {
                walk.linked_pages.push(normalize_id(p));
            }
            if let Some(d) = l.get("database_id").and_then(Value::as_str) {
                walk.linked_databases.push(normalize_id(d));
            }
        }
        _ => {}
    }
}

/// Where a block's children are listed: its own id, with the original as fallback for synced
/// references (§2 "Synced blocks"), or the ids a `meeting_notes` block refers to.
fn child_sources(block: &Value) -> Vec<(String, Option<String>)> {
    let ty = block.get("type").and_then(Value::as_str).unwrap_or("");
    let id = block.get("id").and_then(Value::as_str).map(normalize_id);
    let payload = block.get(ty).unwrap_or(&Value::Null);
    if matches!(ty, "meeting_notes" | "transcription") {
        let refs = payload.get("children").and_then(Value::as_object);
        return refs
            .into_iter()
            .flat_map(|m| m.values())
            .filter_map(Value::as_str)
            .map(|r| (normalize_id(r), None))
            .collect();
    }
    if matches!(ty, "child_page" | "child_database") {
        return Vec::new();
    }
    if block.get("has_children").and_then(Value::as_bool) != Some(true) {
        return Vec::new();
    }
    let original = payload
        .pointer("/synced_from/block_id")
        .and_then(Value::as_str)
        .map(normalize_id);
    id.map(|id| vec![(id, original)]).unwrap_or_default()
}

/// Lists the children of each source not visited yet. A 404 on a synced reference falls back
/// to the original; any other unreadable subtree is skipped (the page still indexes).
async fn fetch_children(
    client: &Client<'_>,
    sources: &[(String, Option<String>)],
    visited: &mut HashSet<String>,
) -> Result<Vec<Value>, Failure> {
    let mut kids = Vec::new();
    for (id, fallback) in sources {
        for c in std::iter::once(id).chain(fallback.iter()) {
            if !visited.insert(c.clone()) {
                break;
            }
            match client.list_get(&format!("blocks/{c}/children")).await {
                Ok(list) => {
                    kids.extend(list);
                    break;
                }
                Err(Failure::Abort(e)) => return Err(Failure::Abort(e)),
                Err(f) => {
                    tracing::debug!(block = %c, failure = ?f, "skipping unreadable block children")
                }
            }
        }
    }
    Ok(kids)
}

async fn database_job(client: &Client<'_>, id: &str, rows: bool) -> Result<Outcome, Failure> {
    let mut database = client.get(&format!("databases/{id}"), &[]).await?;
    pin_id(&mut database, id);
    if is_trashed(&database) {
        return Ok(Outcome::Trashed);
    }
    let ids: Vec<String> = database
        .get("data_sources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| d.get("id").and_then(Value::as_str).map(normalize_id))
        .collect();
    let mut fetch = DatabaseFetch {
        database,
        sources: Vec::new(),
        rows: rows.then(Vec::new),
        skipped: Vec::new(),
    };
    for ds in ids {
        fetch.sources.push(data_source(client, &ds).await?);
        if let Some(all) = fetch.rows.as_mut() {
            match client
                .list_post(&format!("data_sources/{ds}/query"), json!({}))
                .await
            {
                Ok(r) => {
                    client.progress().inc("rows", r.len() as u64);
                    all.extend(r);
                }
                Err(Failure::Abort(e)) => return Err(Failure::Abort(e)),
                Err(f) => fetch.skipped.push(Skip {
                    native_id: ds.clone(),
                    what: "data_source".into(),
                    reason: failure_reason(&f),
                }),
            }
        }
    }
    Ok(Outcome::Database(fetch))
}

/// A data source's schema, or just its id when it cannot be read.
async fn data_source(client: &Client<'_>, id: &str) -> Result<Value, Failure> {
    match client.get(&format!("data_sources/{id}"), &[]).await {
        Ok(v) => Ok(v),
        Err(Failure::Abort(e)) => Err(Failure::Abort(e)),
        Err(_) => Ok(json!({ "id": id })),
    }
}
