//! Blocks → text. Input is a page's blocks as a flat pre-order list of [`BlockEntry`] values
//! (`{"depth": n, "block": {…}}`, depth 0 = direct child of the page): flat so that a page nested
//! 1,000 levels deep neither overflows a recursive walk nor exceeds serde_json's recursion limit
//! when the raw JSON is read back from the store.
//!
//! One line (or fenced block) per block, following ../shared/docs/notion-api.md §2: headings keep their
//! level (`# `…`#### `), list items get `- ` / `1. ` and to-dos `[x] ` / `[ ] `, nested list
//! items are indented, table rows join cells with ` | `, code is fenced with its language, media
//! keep their caption and external URL, `child_page` / `child_database` render as their title.

use serde_json::{json, Value};

use super::{rich_text, str_at, Flat, Lookup};

/// One entry of a page's flat block list: `{"depth": n, "block": <block object>}`.
pub type BlockEntry = Value;

/// Builds a [`BlockEntry`].
pub fn block_entry(depth: usize, block: Value) -> BlockEntry {
    json!({ "depth": depth, "block": block })
}

/// Block types that carry no text of their own (their children, if any, do).
const SILENT: &[&str] = &[
    "divider",
    "breadcrumb",
    "table_of_contents",
    "table",
    "column_list",
    "column",
    "synced_block",
    "tab",
    "button",
];

/// Nesting beyond this is rendered at this depth. The depth comes from the stored JSON, and
/// both the indent and the per-depth list numbering grow with it, so an absurd depth (a
/// hostile workspace, a damaged store) must not turn into a huge allocation.
const MAX_DEPTH: usize = 16;

/// Flattens a page's block list into text, one block per line.
pub fn flatten_blocks(entries: &[BlockEntry], lookup: &Lookup) -> Flat<String> {
    let mut out = Flat::default();
    let mut lines: Vec<String> = Vec::new();
    let mut numbers = ListNumbers::default();
    for entry in entries {
        let depth = entry
            .get("depth")
            .and_then(Value::as_u64)
            .map_or(0, |d| d.min(MAX_DEPTH as u64) as usize);
        let Some(block) = entry.get("block") else {
            out.unknown += 1;
            continue;
        };
        let number = numbers.next(depth, block);
        let rendered = render_block(block, depth, number, lookup);
        out.unknown += rendered.unknown;
        if !rendered.value.is_empty() {
            lines.push(rendered.value);
        }
    }
    out.value = lines.join("\n");
    out
}

/// Numbering of consecutive `numbered_list_item` siblings, per depth.
#[derive(Default)]
struct ListNumbers {
    counters: Vec<u64>,
}

impl ListNumbers {
    fn next(&mut self, depth: usize, block: &Value) -> u64 {
        self.counters.resize(depth + 1, 0);
        if str_at(block, "type") != Some("numbered_list_item") {
            self.counters[depth] = 0;
            return 0;
        }
        let start = block
            .pointer("/numbered_list_item/list_start_index")
            .and_then(Value::as_u64);
        self.counters[depth] = match (self.counters[depth], start) {
            (0, Some(s)) => s,
            (n, _) => n + 1,
        };
        self.counters[depth]
    }
}

/// The text of one block (without its children).
fn render_block(block: &Value, depth: usize, number: u64, lookup: &Lookup) -> Flat<String> {
    let ty = str_at(block, "type").unwrap_or("");
    let payload = block.get(ty).unwrap_or(&Value::Null);
    let rt = |key: &str| rich_text(payload.get(key).unwrap_or(&Value::Null));
    let indent = "  ".repeat(depth);
    let text = match ty {
        "paragraph" | "toggle" | "template" => rt("rich_text"),
        "heading_1" | "heading_2" | "heading_3" | "heading_4" => {
            let level = ty[ty.len() - 1..].parse().unwrap_or(1);
            prefixed(&"#".repeat(level), rt("rich_text"))
        }
        "bulleted_list_item" => prefixed(&format!("{indent}-"), rt("rich_text")),
        "numbered_list_item" => prefixed(&format!("{indent}{number}."), rt("rich_text")),
        "to_do" => {
            let mark = if payload.get("checked").and_then(Value::as_bool) == Some(true) {
                "[x]"
            } else {
                "[ ]"
            };
            prefixed(&format!("{indent}{mark}"), rt("rich_text"))
        }
        "quote" => prefixed(">", rt("rich_text")),
        "callout" => callout(payload),
        "code" => code(payload),
        "equation" => plain(str_at(payload, "expression").unwrap_or("")),
        "table_row" => table_row(payload),
        "child_page" | "child_database" => plain(str_at(payload, "title").unwrap_or("")),
        "link_to_page" => link_to_page(payload, lookup),
        "bookmark" | "embed" => with_caption(str_at(payload, "url").unwrap_or(""), payload),
        "link_preview" => plain(str_at(payload, "url").unwrap_or("")),
        "image" | "video" | "pdf" | "audio" | "file" => media(payload),
        "meeting_notes" | "transcription" => rt("title"),
        t if SILENT.contains(&t) => Flat::default(),
        // `unsupported`, `ai_block`, `external_object_instance_page` and anything newer.
        _ => Flat {
            value: String::new(),
            unknown: 1,
        },
    };
    Flat {
        value: text.value.trim_end().to_owned(),
        unknown: text.unknown,
    }
}

fn plain(s: &str) -> Flat<String> {
    Flat {
        value: s.to_owned(),
        unknown: 0,
    }
}

/// `prefix text`; a list item or to-do with no text still shows its marker.
fn prefixed(prefix: &str, text: Flat<String>) -> Flat<String> {
    Flat {
        value: format!("{prefix} {}", text.value),
        unknown: text.unknown,
    }
}

fn callout(payload: &Value) -> Flat<String> {
    let text = rich_text(payload.get("rich_text").unwrap_or(&Value::Null));
    let icon = payload.get("icon").unwrap_or(&Value::Null);
    let icon_text = match str_at(icon, "type") {
        Some("emoji") => str_at(icon, "emoji"),
        Some("custom_emoji") => icon.pointer("/custom_emoji/name").and_then(Value::as_str),
        Some("icon") => icon.pointer("/icon/name").and_then(Value::as_str),
        _ => None,
    };
    match icon_text {
        Some(i) if !i.is_empty() => prefixed(i, text),
        _ => text,
    }
}

fn code(payload: &Value) -> Flat<String> {
    let body = rich_text(payload.get("rich_text").unwrap_or(&Value::Null));
    let lang = str_at(payload, "language").unwrap_or("");
    let caption = rich_text(payload.get("caption").unwrap_or(&Value::Null));
    let mut value = format!("```{lang}\n{}\n```", body.value);
    if !caption.value.is_empty() {
        value.push('\n');
        value.push_str(&caption.value);
    }
    Flat {
        value,
        unknown: body.unknown + caption.unknown,
    }
}

fn table_row(payload: &Value) -> Flat<String> {
    let mut out = Flat::default();
    let cells: Vec<String> = payload
        .get("cells")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|cell| {
            let t = rich_text(cell);
            out.unknown += t.unknown;
            t.value
        })
        .collect();
    out.value = cells.join(" | ");
    out
}

fn link_to_page(payload: &Value, lookup: &Lookup) -> Flat<String> {
    let target = match str_at(payload, "type") {
        Some(t) => str_at(payload, t),
        None => None,
    };
    let title = target.and_then(|id| lookup.title(id)).unwrap_or("");
    plain(title)
}

/// `text` then the caption, separated by a space.
fn with_caption(text: &str, payload: &Value) -> Flat<String> {
    let caption = rich_text(payload.get("caption").unwrap_or(&Value::Null));
    let value = [text, caption.value.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    Flat {
        value,
        unknown: caption.unknown,
    }
}

/// Media and files: the name (files), the URL when external (Notion-hosted URLs are pre-signed
/// and expire after an hour, so only their file name is kept), then the caption.
fn media(payload: &Value) -> Flat<String> {
    let name = str_at(payload, "name").unwrap_or("");
    let location = match str_at(payload, "type") {
        Some("external") => payload
            .pointer("/external/url")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        Some("file") => payload
            .pointer("/file/url")
            .and_then(Value::as_str)
            .map(file_name)
            .unwrap_or_default(),
        _ => String::new(),
    };
    let head = if name.is_empty() || location == name {
        location
    } else if location.is_empty() {
        name.to_owned()
    } else {
        format!("{name} {location}")
    };
    with_caption(&head, payload)
}

/// The last path segment of a URL, without its query string.
fn file_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or("");
    path.rsplit('/').next().unwrap_or("").to_owned()
}
