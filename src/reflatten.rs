//! `rebuild --reflatten`: the flatteners run again over the raw API JSON the store keeps, so a
//! flattening fix reaches the index without a crawl.
//!
//! [`reflatten`] reads every stored document with its raw JSON, the flattening context each
//! source saved (Notion user names and page titles, monday boards and account slug) and the
//! documents' parts (comments), rebuilds each document in parallel (rayon) with the same pure
//! functions the connectors use ([`crate::flatten::notion::stored::from_stored`],
//! [`crate::flatten::monday::flatten_item`], then [`crate::flatten::parts::compose`]), and
//! writes back the ones that changed. Documents without raw JSON (imported ones) are kept.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::Value;

use crate::document::{Document, SourceKind};
use crate::flatten::monday::{flatten_item, id_of, ItemContext};
use crate::flatten::notion::stored::from_stored;
use crate::flatten::notion::Lookup;
use crate::flatten::parts::compose;
use crate::ingest::{context_keys as keys, Attachment, DocPart};
use crate::store::{Store, StoreError, Upserted};

/// What a reflatten did and how fast.
#[derive(Debug, Clone, Default)]
pub struct ReflattenStats {
    /// Documents read from the store.
    pub documents: u64,
    /// Documents flattened again (the others have no raw JSON to flatten).
    pub reflattened: u64,
    /// Documents whose flattened form changed (written back with a new change number).
    pub changed: u64,
    /// Time spent flattening only (reading and writing the store excluded).
    pub flatten_time: Duration,
    pub elapsed: Duration,
}

impl ReflattenStats {
    /// Documents flattened per second of flattening.
    pub fn docs_per_sec(&self) -> f64 {
        self.reflattened as f64 / self.flatten_time.as_secs_f64().max(1e-9)
    }
}

/// One source's saved context.
#[derive(Default)]
struct Context {
    lookup: Lookup,
    boards: HashMap<String, Value>,
    slug: Option<String>,
}

/// Re-runs the flatteners over every stored document and writes back what changed.
pub fn reflatten(store: &mut Store) -> Result<ReflattenStats, StoreError> {
    let start = Instant::now();
    let mut docs = Vec::new();
    store.for_each(None, true, |d| {
        docs.push(d);
        Ok(())
    })?;
    let parts = all_parts(store)?;
    let mut files: HashMap<String, Vec<Attachment>> = HashMap::new();
    for d in &docs {
        let f = store.attachments(&d.id)?;
        if !f.is_empty() {
            files.insert(d.id.clone(), f);
        }
    }
    let mut contexts: HashMap<String, Context> = HashMap::new();
    for d in &docs {
        if !contexts.contains_key(&d.source) {
            contexts.insert(d.source.clone(), load_context(store, &d.source)?);
        }
    }
    let by_id: HashMap<&str, &Document> = docs.iter().map(|d| (d.id.as_str(), d)).collect();
    let t = Instant::now();
    let redone: Vec<Document> = docs
        .par_iter()
        .filter_map(|d| {
            let ctx = contexts.get(&d.source)?;
            let own = parts.get(&d.id).map(Vec::as_slice).unwrap_or(&[]);
            let attached = files.get(&d.id).map(Vec::as_slice).unwrap_or(&[]);
            redo(d, ctx, own, attached, &by_id)
        })
        .collect();
    let flatten_time = t.elapsed();
    let reflattened = redone.len() as u64;
    let results = store.upsert_all(&redone)?;
    let changed = results
        .iter()
        .filter(|r| **r != Upserted::Unchanged)
        .count() as u64;
    Ok(ReflattenStats {
        documents: docs.len() as u64,
        reflattened,
        changed,
        flatten_time,
        elapsed: start.elapsed(),
    })
}

/// One document flattened again, or `None` when it has nothing to flatten from.
fn redo(
    d: &Document,
    ctx: &Context,
    parts: &[DocPart],
    attached: &[Attachment],
    by_id: &HashMap<&str, &Document>,
) -> Option<Document> {
    let mut doc = match d.source_kind? {
        SourceKind::Notion => from_stored(d, &ctx.lookup)?.value,
        SourceKind::Monday => monday_item(d, ctx, by_id)?,
    };
    // In the crawl's order: attachment text, then the composed parts (comments).
    crate::flatten::attachments::append(&mut doc, attached);
    compose(&mut doc, parts, &ctx.lookup);
    Some(doc)
}

/// A monday item or subitem from its raw item JSON: a subitem's path and URL come from its
/// parent's board, its column titles from its own (subitem) board.
fn monday_item(d: &Document, ctx: &Context, by_id: &HashMap<&str, &Document>) -> Option<Document> {
    let item = &d.raw;
    if !item.is_object() {
        return None;
    }
    let parent = item
        .get("parent_item")
        .filter(|p| id_of(p.get("id")).is_some())
        .or_else(|| {
            let pid = d.parent_id.as_deref()?;
            by_id.get(pid).map(|p| &p.raw)
        });
    let holder = parent.unwrap_or(item);
    let board = ctx.boards.get(&id_of(holder.pointer("/board/id"))?)?;
    let own = id_of(item.pointer("/board/id")).and_then(|b| ctx.boards.get(&b));
    let columns = parent.and(own).and_then(|b| b.get("columns"));
    let flat = flatten_item(
        item,
        &ItemContext {
            source: &d.source,
            board,
            columns,
            parent,
            account_slug: ctx.slug.as_deref(),
        },
    );
    Some(flat.doc)
}

fn load_context(store: &Store, source: &str) -> Result<Context, StoreError> {
    let map = |v: Option<Value>| -> HashMap<String, String> {
        v.and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    };
    let lookup = Lookup {
        users: map(store.context(source, keys::NOTION_USERS)?),
        titles: map(store.context(source, keys::NOTION_TITLES)?),
    };
    let boards = store
        .context(source, keys::MONDAY_BOARDS)?
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let slug = store
        .context(source, keys::MONDAY_SLUG)?
        .and_then(|v| v.as_str().map(str::to_owned));
    Ok(Context {
        lookup,
        boards,
        slug,
    })
}

fn all_parts(store: &Store) -> Result<HashMap<String, Vec<DocPart>>, StoreError> {
    let mut out: HashMap<String, Vec<DocPart>> = HashMap::new();
    for p in store.all_parts()? {
        out.entry(p.doc_id.clone()).or_default().push(p);
    }
    Ok(out)
}
