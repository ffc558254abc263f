//! Notion API JSON → text and [`Document`](crate::Document)s. Pure: no I/O, so `rebuild` and
//! tests can rerun it on stored raw JSON.
//!
//! Data flows in three steps, one submodule each:
//! [`blocks`] turns a page's block list (a flat pre-order list of `{"depth", "block"}` entries,
//! see [`BlockEntry`]) into text; [`properties`] turns page properties into `Name: value` lines
//! plus tags; [`document`] assembles a document for a page, a database row or a database.
//! Everything reads `serde_json::Value`, so unknown block, property, rich-text or mention types
//! (the API adds new ones every few months) never fail: they are skipped and counted in
//! [`Flat::unknown`] (../shared/docs/notion-api.md §2, §4 "Unsupported blocks crashing strict
//! deserializers").
//!
//! [`Lookup`] carries what the crawler learned elsewhere: user names (from `GET /v1/users`)
//! and page titles (for `link_to_page` blocks and relations).

pub mod blocks;
pub mod document;
pub mod properties;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde_json::Value;

pub use blocks::{block_entry, flatten_blocks, BlockEntry};
pub use document::{
    database_document, database_title, is_row, page_document, page_parent, page_title, parse_time,
    PageDocInput,
};
pub use properties::{flatten_properties, property_value};

/// What the crawler knows beyond one page: names of users and titles of pages, by id.
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// User id → display name.
    pub users: HashMap<String, String>,
    /// Page or database id (dashed, lowercase) → title.
    pub titles: HashMap<String, String>,
}

impl Lookup {
    /// The name of a user object (full, or partial `{object, id}` resolved through `users`).
    pub fn user_name(&self, user: &Value) -> Option<String> {
        if let Some(name) = str_at(user, "name").filter(|n| !n.is_empty()) {
            return Some(name.to_owned());
        }
        let id = str_at(user, "id")?;
        self.users.get(id).cloned()
    }

    /// The title of a page or database by id, when known.
    pub fn title(&self, id: &str) -> Option<&str> {
        self.titles.get(&normalize_id(id)).map(String::as_str)
    }
}

/// Flattened text plus the number of unknown types met on the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flat<T> {
    pub value: T,
    /// Unknown block / property / rich-text / mention types skipped.
    pub unknown: u64,
}

/// Plain text of a rich-text array: the `plain_text` of every item joined with nothing, since
/// Notion splits text at annotation boundaries (§1.10). Mentions and equations keep their text.
/// Unknown item or mention types are counted (their `plain_text` is kept: it is Notion's own
/// rendering of the item).
pub fn rich_text(items: &Value) -> Flat<String> {
    let mut out = Flat::<String>::default();
    for item in items.as_array().into_iter().flatten() {
        if !known_rich_text(item) {
            out.unknown += 1;
        }
        if let Some(t) = str_at(item, "plain_text") {
            out.value.push_str(t);
        }
    }
    out
}

fn known_rich_text(item: &Value) -> bool {
    const MENTIONS: &[&str] = &[
        "user",
        "page",
        "database",
        "date",
        "link_preview",
        "link_mention",
        "template_mention",
        "custom_emoji",
    ];
    match str_at(item, "type") {
        Some("text" | "equation") => true,
        Some("mention") => item
            .pointer("/mention/type")
            .and_then(Value::as_str)
            .is_some_and(|t| MENTIONS.contains(&t)),
        _ => false,
    }
}

/// A Notion id as the API returns it: dashed lowercase (accepts 32-hex undashed input).
pub fn normalize_id(id: &str) -> String {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        let h = hex.to_ascii_lowercase();
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    } else {
        id.trim().to_ascii_lowercase()
    }
}

/// `v[key]` as a string, if it is one.
pub(crate) fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}
