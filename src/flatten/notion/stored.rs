//! Rebuilding a Notion document from its stored copy ([`from_stored`]): the raw JSON the
//! crawl kept (`{"page", "blocks"}` or `{"database", "data_sources"}`) flattened again, with
//! the breadcrumb and parent the crawl gave it. What the connector uses when only a page's
//! comments changed, and what `rebuild --reflatten` runs over every stored document.

use serde_json::Value;

use super::{database_document, page_document, Flat, Lookup, PageDocInput};
use crate::document::Document;

/// The document rebuilt from `stored.raw`, or `None` when the raw JSON is not a Notion
/// record (imported documents, or stored without raw JSON).
pub fn from_stored(stored: &Document, lookup: &Lookup) -> Option<Flat<Document>> {
    let raw = &stored.raw;
    let parent = parent_native(stored);
    if let Some(page) = raw.get("page").filter(|p| p.is_object()) {
        let blocks = raw
            .get("blocks")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        return Some(page_document(PageDocInput {
            source: &stored.source,
            page,
            blocks,
            path: stored.path.clone(),
            parent,
            lookup,
        }));
    }
    let database = raw.get("database").filter(|d| d.is_object())?;
    let sources = raw
        .get("data_sources")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    let doc = database_document(
        &stored.source,
        database,
        sources,
        stored.path.clone(),
        parent,
    );
    Some(Flat {
        value: doc,
        unknown: 0,
    })
}

/// The native id of the stored parent (`<source>:<id>` → `<id>`).
fn parent_native(stored: &Document) -> Option<String> {
    let prefix = format!("{}:", stored.source);
    stored
        .parent_id
        .as_deref()
        .and_then(|p| p.strip_prefix(&prefix))
        .map(str::to_owned)
}
