//! Pages, database rows and databases → [`Document`]s.
//!
//! A page or row document is `<source>:<page id>` with kind `page` or `database_row`; its body is
//! the non-title properties as `Name: value` lines, then the page's blocks. A database document
//! (kind `database`) holds the title, description and property names, so databases are
//! searchable and deleting one removes its rows (their `parent_id` is the database).

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{flatten_blocks, flatten_properties, normalize_id, rich_text, str_at, BlockEntry};
use super::{Flat, Lookup};
use crate::document::{doc_id, Document, SourceKind};

/// Title used when a page or database has none.
pub const UNTITLED: &str = "Untitled";

/// Everything [`page_document`] needs.
#[derive(Debug, Clone)]
pub struct PageDocInput<'a> {
    /// The configured source name (document id prefix).
    pub source: &'a str,
    /// The page object (`GET /v1/pages/{id}`, a search result or a query row).
    pub page: &'a Value,
    /// The page's blocks, flat and in pre-order (see [`BlockEntry`]).
    pub blocks: &'a [BlockEntry],
    /// Ancestor titles, outermost first, excluding the page itself.
    pub path: Vec<String>,
    /// Native id of the parent document when the crawler knows better than `page.parent`
    /// (a page inside a toggle has a `block_id` parent; a row's parent is its database).
    pub parent: Option<String>,
    pub lookup: &'a Lookup,
}

/// Builds the document of a page or database row; `unknown` counts skipped unknown types.
pub fn page_document(input: PageDocInput<'_>) -> Flat<Document> {
    let page = input.page;
    let id = normalize_id(str_at(page, "id").unwrap_or(""));
    let props = flatten_properties(
        page.get("properties").unwrap_or(&Value::Null),
        input.lookup,
        true,
    );
    let blocks = flatten_blocks(input.blocks, input.lookup);
    let mut body = props.value.lines.join("\n");
    if !body.is_empty() && !blocks.value.is_empty() {
        body.push_str("\n\n");
    }
    body.push_str(&blocks.value);
    let parent = input.parent.or_else(|| page_parent(page));
    let mut doc = base_document(input.source, &id, page_title(page), body, page);
    doc.kind = if is_row(page) { "database_row" } else { "page" }.to_owned();
    doc.path = input.path;
    doc.parent_id = parent.map(|p| doc_id(input.source, &normalize_id(&p)));
    doc.authors = authors(page, input.lookup);
    doc.tags = dedup(props.value.tags);
    doc.raw = json!({ "page": page, "blocks": input.blocks });
    unsign_file_links(&mut doc.raw);
    Flat {
        value: doc,
        unknown: props.unknown + blocks.unknown,
    }
}

/// Builds the document of a database container from `GET /v1/databases/{id}` and the data
/// source objects it lists (for property names; may be empty).
pub fn database_document(
    source: &str,
    database: &Value,
    data_sources: &[Value],
    path: Vec<String>,
    parent: Option<String>,
) -> Document {
    let id = normalize_id(str_at(database, "id").unwrap_or(""));
    let description = rich_text(database.get("description").unwrap_or(&Value::Null)).value;
    let mut names: Vec<&str> = data_sources
        .iter()
        .filter_map(|ds| ds.get("properties").and_then(Value::as_object))
        .flat_map(|props| props.keys().map(String::as_str))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut body = description;
    if !names.is_empty() {
        if !body.is_empty() {
            body.push('\n');
        }
        body.push_str(&format!("Properties: {}", names.join(", ")));
    }
    let mut doc = base_document(source, &id, database_title(database), body, database);
    doc.kind = "database".to_owned();
    doc.path = path;
    doc.parent_id = parent
        .or_else(|| page_parent(database))
        .map(|p| doc_id(source, &normalize_id(&p)));
    doc.raw = json!({ "database": database, "data_sources": data_sources });
    doc
}

fn base_document(source: &str, id: &str, title: String, body: String, obj: &Value) -> Document {
    let mut doc = Document::new(doc_id(source, id), title, body);
    doc.source = source.to_owned();
    doc.source_kind = Some(SourceKind::Notion);
    doc.url = str_at(obj, "url").unwrap_or("").to_owned();
    doc.created_at = str_at(obj, "created_time").and_then(parse_time);
    doc.updated_at = str_at(obj, "last_edited_time").and_then(parse_time);
    doc
}

/// A page's title: its `title`-typed property (keyed `title` on pages, the column name on rows).
pub fn page_title(page: &Value) -> String {
    let title = page
        .get("properties")
        .and_then(Value::as_object)
        .and_then(|m| m.values().find(|p| str_at(p, "type") == Some("title")))
        .map(|p| rich_text(p.get("title").unwrap_or(&Value::Null)).value)
        .unwrap_or_default();
    non_empty(title)
}

/// A database's (or data source's) title.
pub fn database_title(database: &Value) -> String {
    non_empty(rich_text(database.get("title").unwrap_or(&Value::Null)).value)
}

fn non_empty(title: String) -> String {
    if title.trim().is_empty() {
        UNTITLED.to_owned()
    } else {
        title
    }
}

/// The native id of the parent document named by `obj.parent`: a page, or for rows the
/// database. `block_id`, `workspace` and unknown parents give `None`.
pub fn page_parent(obj: &Value) -> Option<String> {
    let parent = obj.get("parent")?;
    let key = match str_at(parent, "type")? {
        "page_id" => "page_id",
        "database_id" | "data_source_id" => "database_id",
        _ => return None,
    };
    str_at(parent, key).map(normalize_id)
}

/// Whether a page is a database row (its parent is a database or data source).
pub fn is_row(page: &Value) -> bool {
    matches!(
        page.pointer("/parent/type").and_then(Value::as_str),
        Some("database_id" | "data_source_id")
    )
}

/// Parses Notion timestamps (`2022-04-23T21:02:00.000Z`, `…:57.778+00:00`).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn authors(page: &Value, lookup: &Lookup) -> Vec<String> {
    let names = ["created_by", "last_edited_by"]
        .iter()
        .filter_map(|k| page.get(*k))
        .filter_map(|u| lookup.user_name(u))
        .collect();
    dedup(names)
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Drops what changes on every read of a Notion-hosted file from the raw JSON kept in the
/// store: the link's signed query string and its `expiry_time`. Notion signs a new link for
/// each response and the old one stops working within the hour, so keeping it would make an
/// unchanged page look changed at every fetch and would store a link nobody can use.
pub fn unsign_file_links(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Object(file)) = map.get_mut("file") {
                if file.contains_key("expiry_time") {
                    file.remove("expiry_time");
                    if let Some(Value::String(url)) = file.get_mut("url") {
                        if let Some(q) = url.find('?') {
                            url.truncate(q);
                        }
                    }
                }
            }
            map.values_mut().for_each(unsign_file_links);
        }
        Value::Array(items) => items.iter_mut().for_each(unsign_file_links),
        _ => {}
    }
}

#[cfg(test)]
mod unsign_tests {
    use super::*;

    #[test]
    fn signed_file_links_lose_their_signature_and_expiry_and_nothing_else() {
        let mut v = json!({"blocks": [{"block": {"type": "file", "file": {
            "url": "https://prod-files-secure.s3.us-west-2.amazonaws.com/ws/f/a.pdf?X-Amz-Signature=1",
            "expiry_time": "2025-09-13T07:47:52.410Z"}, "name": "a.pdf"}},
            {"block": {"type": "bookmark", "bookmark": {"url": "https://example.com/?q=1"}}}]});
        unsign_file_links(&mut v);
        assert_eq!(
            v["blocks"][0]["block"]["file"],
            json!({"url": "https://prod-files-secure.s3.us-west-2.amazonaws.com/ws/f/a.pdf"})
        );
        assert_eq!(
            v["blocks"][1]["block"]["bookmark"]["url"],
            "https://example.com/?q=1"
        );
    }
}
