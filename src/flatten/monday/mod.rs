//! monday.com item JSON → [`Document`] ([`flatten_item`]).
//!
//! Input is an item as the GraphQL API returns it (`column_values`, `updates` with `replies`,
//! `group`, `creator`, `subitems { id name }`) plus an [`ItemContext`]: the board it lives on
//! (name, workspace, groups, columns) and, for subitems, the parent item. Output is one
//! document whose body lists every non-empty column as `Column title: text`, then subitem
//! names, then the updates and replies (HTML → text via [`super::html`]).
//!
//! Column titles come from the board's `columns` (column values carry no title unless asked),
//! `display_value` stands in for the always-null `text` of mirror, board_relation and
//! dependency columns (../shared/docs/monday-api.md §2.3). Unknown column types never fail: their `text`
//! is used when present, otherwise they are counted in [`Flattened::unknown_types`].

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::html::html_to_text;
use crate::document::{doc_id, Document, SourceKind};

/// Where an item lives: what [`flatten_item`] needs beyond the item itself.
#[derive(Debug, Clone, Copy)]
pub struct ItemContext<'a> {
    /// The configured source name (document id prefix).
    pub source: &'a str,
    /// The board of the top-level item (`id name url workspace{name} groups{id title}
    /// columns{id title type}`). For a subitem: the parent's board (it gives the path).
    pub board: &'a Value,
    /// Columns that title the item's values when they are not `board.columns` (a subitem's
    /// values belong to its `sub_items_board`).
    pub columns: Option<&'a Value>,
    /// The parent item, for subitems (`id name group{id title}`).
    pub parent: Option<&'a Value>,
    /// Account slug (`<slug>.monday.com`) for URLs when the item has none.
    pub account_slug: Option<&'a str>,
}

/// A flattened item and what flattening met on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Flattened {
    pub doc: Document,
    /// Column values of unknown type without any text.
    pub unknown_types: u64,
}

/// Column types of API 2026-10 plus the legacy (pre-2023-10) names.
const KNOWN_TYPES: &[&str] = &[
    "auto_number",
    "board_relation",
    "button",
    "checkbox",
    "color_picker",
    "country",
    "creation_log",
    "date",
    "dependency",
    "doc",
    "dropdown",
    "email",
    "file",
    "formula",
    "group",
    "hour",
    "integration",
    "item_assignees",
    "item_id",
    "last_updated",
    "link",
    "location",
    "long_text",
    "mirror",
    "numbers",
    "people",
    "phone",
    "progress",
    "rating",
    "status",
    "tags",
    "team",
    "text",
    "timeline",
    "time_tracking",
    "vote",
    "week",
    "world_clock",
    "unsupported",
    "name",
    "person",
    "direct_doc",
    "subtasks",
    "color",
    "multiple-person",
    "tag",
    "pulse-updated",
    "pulse-id",
    "long-text",
    "numeric",
    "boolean",
    "timerange",
    "lookup",
    "board-relation",
    "subtasks",
    "dependency",
];

/// Flattens one item (or subitem) into a document.
pub fn flatten_item(item: &Value, ctx: &ItemContext<'_>) -> Flattened {
    let id = id_of(item.get("id")).unwrap_or_default();
    let parent_id = parent_native_id(item, ctx);
    let mut doc = Document::new(
        doc_id(ctx.source, &id),
        str_at(item, "name").unwrap_or_default(),
        "",
    );
    doc.source = ctx.source.to_owned();
    doc.source_kind = Some(SourceKind::Monday);
    doc.kind = if parent_id.is_some() {
        "subitem"
    } else {
        "item"
    }
    .to_owned();
    doc.parent_id = parent_id.map(|p| doc_id(ctx.source, &p));
    doc.url = item_url(item, ctx, &id);
    doc.path = item_path(item, ctx);
    doc.created_at = str_at(item, "created_at").and_then(parse_time);
    doc.updated_at = str_at(item, "updated_at").and_then(parse_time);

    let columns = Columns::flatten(item, ctx);
    let mut sections = vec![columns.lines.join("\n")];
    sections.push(subitem_line(item));
    sections.extend(update_blocks(item));
    doc.body = sections
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    doc.tags = dedup(columns.tags);
    let mut authors = columns.authors;
    authors.extend(
        item.pointer("/creator/name")
            .and_then(Value::as_str)
            .map(str::to_owned),
    );
    doc.authors = dedup(authors);
    doc.raw = item.clone();
    unsign_asset_links(&mut doc.raw);
    Flattened {
        doc,
        unknown_types: columns.unknown,
    }
}

/// What the column values contribute.
#[derive(Default)]
struct Columns {
    lines: Vec<String>,
    tags: Vec<String>,
    authors: Vec<String>,
    unknown: u64,
}

impl Columns {
    fn flatten(item: &Value, ctx: &ItemContext<'_>) -> Columns {
        let titles = ctx.columns.or_else(|| ctx.board.get("columns"));
        let mut out = Columns::default();
        for cv in array_at(item, "column_values") {
            out.add(cv, titles);
        }
        out
    }

    fn add(&mut self, cv: &Value, titles: Option<&Value>) {
        let id = str_at(cv, "id").unwrap_or_default();
        let kind = str_at(cv, "type").unwrap_or_default();
        if id == "name" || kind == "name" {
            return; // the item name is the title (Airbyte's synthetic fixtures include it)
        }
        let Some(text) = column_text(cv) else {
            if !KNOWN_TYPES.contains(&kind) {
                self.unknown += 1;
            }
            return;
        };
        if text.is_empty() {
            return;
        }
        let title = column_title(cv, titles, id);
        match kind {
            "status" | "color" => self.tags.push(text.clone()),
            "tags" | "tag" | "dropdown" => self.tags.extend(split_list(&text)),
            "people" | "multiple-person" | "person" | "item_assignees" => {
                self.authors.extend(split_list(&text))
            }
            _ => {}
        }
        self.lines.push(format!("{title}: {text}"));
    }
}

/// `text`, or `display_value` when `text` is null or empty (mirror, board_relation, dependency).
fn column_text(cv: &Value) -> Option<String> {
    let text = str_at(cv, "text").map(str::trim);
    let display = str_at(cv, "display_value").map(str::trim);
    match (text, display) {
        (Some(t), _) if !t.is_empty() => Some(t.to_owned()),
        (_, Some(d)) if !d.is_empty() => Some(d.to_owned()),
        (Some(t), _) => Some(t.to_owned()),
        (None, Some(d)) => Some(d.to_owned()),
        (None, None) => None,
    }
}

fn column_title(cv: &Value, titles: Option<&Value>, id: &str) -> String {
    let from_board = titles
        .and_then(Value::as_array)
        .and_then(|cols| cols.iter().find(|c| str_at(c, "id") == Some(id)))
        .and_then(|c| str_at(c, "title"));
    from_board
        .or_else(|| cv.pointer("/column/title").and_then(Value::as_str))
        .unwrap_or(id)
        .to_owned()
}

fn subitem_line(item: &Value) -> String {
    let names: Vec<&str> = array_at(item, "subitems")
        .iter()
        .filter_map(|s| str_at(s, "name"))
        .filter(|n| !n.trim().is_empty())
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("Subitems: {}", names.join(", "))
    }
}

/// One block per update: `Update by <author> on <date>: <text>`, replies indented below.
fn update_blocks(item: &Value) -> Vec<String> {
    let mut blocks = Vec::new();
    for update in array_at(item, "updates") {
        let mut lines: Vec<String> = post_line("Update", update).into_iter().collect();
        for reply in array_at(update, "replies") {
            lines.extend(post_line("Reply", reply).map(|l| indent(&l)));
        }
        if !lines.is_empty() {
            blocks.push(lines.join("\n"));
        }
    }
    blocks
}

fn post_line(what: &str, post: &Value) -> Option<String> {
    let text = post_text(post)?;
    let mut head = what.to_owned();
    if let Some(author) = post.pointer("/creator/name").and_then(Value::as_str) {
        head.push_str(&format!(" by {author}"));
    }
    if let Some(date) = str_at(post, "created_at").and_then(|d| d.get(..10)) {
        head.push_str(&format!(" on {date}"));
    }
    Some(format!("{head}: {text}"))
}

/// The body as text (`body` is HTML); `text_body` when the HTML renders to nothing.
fn post_text(post: &Value) -> Option<String> {
    let from_html = str_at(post, "body").map(html_to_text).unwrap_or_default();
    if !from_html.is_empty() {
        return Some(from_html);
    }
    let plain = str_at(post, "text_body")
        .unwrap_or_default()
        .replace('\u{feff}', "");
    let plain = plain.trim();
    (!plain.is_empty()).then(|| plain.to_owned())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parent_native_id(item: &Value, ctx: &ItemContext<'_>) -> Option<String> {
    ctx.parent
        .and_then(|p| id_of(p.get("id")))
        .or_else(|| id_of(item.pointer("/parent_item/id")))
}

/// `[workspace, board, group]`, plus the parent item's name for subitems.
fn item_path(item: &Value, ctx: &ItemContext<'_>) -> Vec<String> {
    let workspace = match ctx.board.get("workspace") {
        Some(ws) if ws.is_object() => str_at(ws, "name").unwrap_or_default().to_owned(),
        _ => "Main workspace".to_owned(), // `workspace` is null for the main workspace
    };
    let board = str_at(ctx.board, "name").unwrap_or_default().to_owned();
    let grouped = ctx.parent.unwrap_or(item);
    let group = group_title(grouped, ctx.board).unwrap_or_default();
    let parent = ctx
        .parent
        .and_then(|p| str_at(p, "name"))
        .unwrap_or_default()
        .to_owned();
    [workspace, board, group, parent]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect()
}

fn group_title(item: &Value, board: &Value) -> Option<String> {
    if let Some(title) = item.pointer("/group/title").and_then(Value::as_str) {
        return Some(title.to_owned());
    }
    let gid = item.pointer("/group/id").and_then(Value::as_str)?;
    array_at(board, "groups")
        .iter()
        .find(|g| str_at(g, "id") == Some(gid))
        .and_then(|g| str_at(g, "title"))
        .map(str::to_owned)
}

fn item_url(item: &Value, ctx: &ItemContext<'_>, id: &str) -> String {
    if let Some(url) = str_at(item, "url").filter(|u| !u.is_empty()) {
        return url.to_owned();
    }
    let board = id_of(item.pointer("/board/id"))
        .or_else(|| id_of(ctx.board.get("id")))
        .unwrap_or_default();
    let host = match ctx.account_slug {
        Some(slug) if !slug.is_empty() => format!("{slug}.monday.com"),
        _ => "monday.com".to_owned(),
    };
    format!("https://{host}/boards/{board}/pulses/{id}")
}

/// Parses the API's date-times (`2025-10-24T18:30:06Z`, `2025-02-12 06:54:18 +0000`, dates).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z") {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()?
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
}

fn split_list(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(", ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn dedup(values: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// An id: a string (`ID!`), or a number in some older responses; `null` and `""` are none.
pub fn id_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn array_at<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Drops the signed query string of each asset's `public_url` from the raw item kept in the
/// store: monday.com signs a new link (valid for an hour) in every response, so keeping it
/// would make an unchanged item look changed at every read and store a link nobody can use.
pub fn unsign_asset_links(item: &mut Value) {
    let assets = item.get_mut("assets").and_then(Value::as_array_mut);
    for asset in assets.into_iter().flatten() {
        if let Some(Value::String(url)) = asset.get_mut("public_url") {
            if let Some(q) = url.find('?') {
                url.truncate(q);
            }
        }
    }
}

#[cfg(test)]
mod tests;
