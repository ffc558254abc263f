//! The one place where the extra parts of a document kept in the store ([`DocPart`]s: a
//! Notion page's comments now, attachment text later) become sections of its body.
//!
//! A connector flattens the record itself (page and blocks, item and updates) and then calls
//! [`compose`] with the document's parts; `rebuild --reflatten` does the same with the parts
//! read back from the store, so both give the same document. Sections follow the record's
//! text in a fixed order: comments first, then the other parts by name.

use serde_json::Value;

use super::notion::comments::flatten_comments;
use super::notion::Lookup;
use crate::document::Document;
use crate::ingest::DocPart;

/// Name of the part holding a Notion page's comments (raw: the array of comment objects).
pub const COMMENTS: &str = "comments";

/// Appends the sections of `parts` to `doc`'s body (and comment authors to its authors).
/// Returns the number of unknown rich-text types met.
pub fn compose(doc: &mut Document, parts: &[DocPart], lookup: &Lookup) -> u64 {
    let mut ordered: Vec<&DocPart> = parts.iter().filter(|p| !p.raw.is_null()).collect();
    ordered.sort_by_key(|p| (p.name != COMMENTS, p.name.clone()));
    let mut unknown = 0;
    for part in ordered {
        let (section, authors) = match part.name.as_str() {
            COMMENTS => {
                let flat = flatten_comments(as_slice(&part.raw), lookup);
                unknown += flat.unknown;
                flat.value
            }
            _ => (text_section(&part.raw), Vec::new()),
        };
        append(doc, &section);
        for a in authors {
            if !doc.authors.contains(&a) {
                doc.authors.push(a);
            }
        }
    }
    unknown
}

/// A part that carries its own text: `{"title", "text"}` (e.g. an attachment's file name and
/// extracted text).
fn text_section(raw: &Value) -> String {
    let text = raw.get("text").and_then(Value::as_str).unwrap_or("").trim();
    if text.is_empty() {
        return String::new();
    }
    match raw.get("title").and_then(Value::as_str) {
        Some(t) if !t.is_empty() => format!("{t}\n{text}"),
        _ => text.to_owned(),
    }
}

fn append(doc: &mut Document, section: &str) {
    if section.is_empty() {
        return;
    }
    if !doc.body.is_empty() {
        doc.body.push_str("\n\n");
    }
    doc.body.push_str(section);
}

fn as_slice(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn part(name: &str, raw: Value) -> DocPart {
        DocPart {
            doc_id: "n:1".into(),
            name: name.into(),
            raw,
        }
    }

    #[test]
    fn comments_come_first_then_other_parts_and_null_parts_are_ignored() {
        let mut doc = Document::new("n:1", "T", "body");
        let comment = json!([{"discussion_id": "d", "created_time": "2025-01-06T09:00:00.000Z",
            "display_name": {"resolved_name": "Ada"},
            "rich_text": [{"type": "text", "plain_text": "looks good"}]}]);
        let parts = [
            part(
                "attachment:spec.pdf",
                json!({"title": "spec.pdf", "text": "the spec"}),
            ),
            part(COMMENTS, comment),
            part("gone", Value::Null),
        ];
        compose(&mut doc, &parts, &Lookup::default());
        assert_eq!(
            doc.body,
            "body\n\nComments\nAda (2025-01-06): looks good\n\nspec.pdf\nthe spec"
        );
        assert_eq!(doc.authors, vec!["Ada".to_owned()]);
    }
}
