//! The [`Document`]: one searchable unit (a Notion page or database row, a monday.com item or
//! subitem) as connectors produce it, the store keeps it and the index reads it.
//!
//! Connectors build documents with the pure functions in [`crate::flatten`]; the store persists
//! them (flattened fields plus the compressed raw JSON); the index is derived from the store.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which API a source talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Notion,
    Monday,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Notion => "notion",
            SourceKind::Monday => "monday",
        }
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "notion" => Ok(SourceKind::Notion),
            "monday" => Ok(SourceKind::Monday),
            other => Err(format!(
                "unknown source kind `{other}` (expected `notion` or `monday`)"
            )),
        }
    }
}

/// One searchable document.
///
/// `id` is `<source name>:<native id>` and stable across syncs, so an update replaces the
/// previous version. Everything except `id`, `title` and `body` is optional on import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// `<source name>:<native id>`, e.g. `notion:59833787-2cf9-4fdf-8782-e53db20768a5`.
    pub id: String,
    /// The configured connection's name (the part of `id` before the first `:`).
    #[serde(default)]
    pub source: String,
    /// `notion` or `monday`; `None` for documents imported from elsewhere.
    #[serde(default)]
    pub source_kind: Option<SourceKind>,
    /// `page`, `database_row`, `item`, `subitem`, … (free text for imported documents).
    #[serde(default)]
    pub kind: String,
    pub title: String,
    /// Flattened, searchable text.
    pub body: String,
    /// Deep link back to the original.
    #[serde(default)]
    pub url: String,
    /// Breadcrumb of ancestor titles, outermost first (workspace › parent › …), excluding the title.
    #[serde(default)]
    pub path: Vec<String>,
    /// Id (`<source>:<native id>`) of the parent document, when the parent is itself a document.
    /// Deleting a parent deletes its subtree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Facet-like values: status, select / multi-select options, labels, tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The raw API JSON the document was flattened from (`null` when imported without it).
    #[serde(default)]
    pub raw: serde_json::Value,
}

impl Document {
    /// A document with the required fields set and everything else empty.
    pub fn new(id: impl Into<String>, title: impl Into<String>, body: impl Into<String>) -> Self {
        let id = id.into();
        let source = id
            .split_once(':')
            .map(|(s, _)| s.to_owned())
            .unwrap_or_default();
        Document {
            id,
            source,
            source_kind: None,
            kind: String::new(),
            title: title.into(),
            body: body.into(),
            url: String::new(),
            path: Vec::new(),
            parent_id: None,
            authors: Vec::new(),
            created_at: None,
            updated_at: None,
            tags: Vec::new(),
            raw: serde_json::Value::Null,
        }
    }

    /// Fills `source` from the id prefix when missing; returns an error text for invalid docs.
    pub fn normalize(&mut self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("`id` is empty".into());
        }
        if self.id.len() > MAX_ID_BYTES {
            return Err(format!(
                "`id` is {} bytes long; the limit is {MAX_ID_BYTES}",
                self.id.len()
            ));
        }
        if self.source.is_empty() {
            if let Some((s, _)) = self.id.split_once(':') {
                self.source = s.to_owned();
            }
        }
        Ok(())
    }

    /// The breadcrumb as people read it: `a › b › c`.
    pub fn breadcrumb(&self) -> String {
        self.path.join(" › ")
    }
}

/// Longest accepted id. tantivy ignores terms over 65 530 bytes, so a longer id could never be
/// found to update or delete its index entry; real ids (`notion:<uuid>`, `monday:<number>`)
/// are far shorter.
pub const MAX_ID_BYTES: usize = 1024;

/// Builds a document id from a source name and a native id.
pub fn doc_id(source: &str, native_id: &str) -> String {
    format!("{source}:{native_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_takes_source_from_id_prefix() {
        let d = Document::new("notion:abc", "t", "b");
        assert_eq!(d.source, "notion");
    }

    #[test]
    fn import_shape_needs_only_id_title_body() {
        let d: Document = serde_json::from_str(r#"{"id":"x:1","title":"T","body":"B"}"#).unwrap();
        assert_eq!(d.title, "T");
        assert!(d.path.is_empty());
        assert!(d.raw.is_null());
    }

    #[test]
    fn ids_longer_than_the_term_limit_are_never_updated() {
        let mut d = Document::new(format!("x:{}", "a".repeat(70_000)), "t", "b");
        let e = d.normalize().unwrap_err();
        assert!(e.contains("the limit is 1024"), "{e}");
        let mut ok = Document::new(format!("x:{}", "a".repeat(MAX_ID_BYTES - 2)), "t", "b");
        assert!(ok.normalize().is_ok());
    }

    #[test]
    fn normalize_rejects_empty_id() {
        let mut d = Document::new(" ", "t", "b");
        assert!(d.normalize().is_err());
    }
}
