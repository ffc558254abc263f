//! Notion comments (`GET /v1/comments`, ../shared/docs/notion-api.md §1.8b) → the "Comments"
//! section of a page's document.
//!
//! Comments are grouped by `discussion_id` in the order the discussions first appear (the API
//! lists oldest first); the first comment of a discussion opens it and the rest are indented
//! replies. Each line names its author: the comment's `display_name.resolved_name`, else the
//! user name from [`Lookup`], else "Unknown user".

use serde_json::Value;

use super::{rich_text, str_at, Flat, Lookup};

/// Heading of the section in a document's body.
pub const HEADING: &str = "Comments";

/// The "Comments" section of a list of comment objects (empty text when there are none) and
/// the names of their authors.
pub fn flatten_comments(comments: &[Value], lookup: &Lookup) -> Flat<(String, Vec<String>)> {
    let mut unknown = 0;
    let mut order: Vec<&str> = Vec::new();
    let mut threads: std::collections::HashMap<&str, Vec<String>> = Default::default();
    let mut authors: Vec<String> = Vec::new();
    for c in comments {
        let text = rich_text(c.get("rich_text").unwrap_or(&Value::Null));
        unknown += text.unknown;
        let text = text.value.trim().to_owned();
        if text.is_empty() {
            continue;
        }
        let author = author(c, lookup);
        if !authors.contains(&author) {
            authors.push(author.clone());
        }
        let day = str_at(c, "created_time")
            .and_then(|t| t.get(..10))
            .unwrap_or("");
        let thread = str_at(c, "discussion_id").unwrap_or("");
        let lines = threads.entry(thread).or_insert_with(|| {
            order.push(thread);
            Vec::new()
        });
        let indent = if lines.is_empty() { "" } else { "  " };
        lines.push(format!("{indent}{author} ({day}): {text}"));
    }
    let body: Vec<String> = order.iter().map(|t| threads[t].join("\n")).collect();
    let section = if body.is_empty() {
        String::new()
    } else {
        format!("{HEADING}\n{}", body.join("\n"))
    };
    Flat {
        value: (section, authors),
        unknown,
    }
}

fn author(comment: &Value, lookup: &Lookup) -> String {
    comment
        .pointer("/display_name/resolved_name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| comment.get("created_by").and_then(|u| lookup.user_name(u)))
        .unwrap_or_else(|| "Unknown user".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real recording of a page's comments (hkob/notion_ruby_mapping).
    #[test]
    fn real_page_comments_snapshot() {
        trove_fakes::require_fixtures!();
        let path = trove_fakes::fixtures::path(
            "notion/hkob-notion_ruby_mapping/retrieve_comments_top_page.json",
        );
        let list: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let comments = list["results"].as_array().unwrap();
        let flat = flatten_comments(comments, &Lookup::default());
        assert_eq!(flat.unknown, 0);
        insta::assert_snapshot!(flat.value.0);
        assert_eq!(flat.value.1, vec!["input_tasks".to_owned()]);
    }

    #[test]
    fn replies_are_indented_under_their_discussion_and_authors_resolved() {
        let c = |id: &str, d: &str, user: &str, text: &str| {
            serde_json::json!({"id": id, "discussion_id": d, "created_time": "2025-01-06T09:00:00.000Z",
                "created_by": {"object": "user", "id": user},
                "rich_text": [{"type": "text", "plain_text": text, "text": {"content": text}}]})
        };
        let mut lookup = Lookup::default();
        lookup.users.insert("u1".into(), "Ada".into());
        let list = [
            c("1", "a", "u1", "first"),
            c("2", "b", "u2", "other"),
            c("3", "a", "u1", "reply"),
            c("4", "b", "u2", "  "),
        ];
        let flat = flatten_comments(&list, &lookup);
        assert_eq!(
            flat.value.0,
            "Comments\nAda (2025-01-06): first\n  Ada (2025-01-06): reply\nUnknown user (2025-01-06): other"
        );
        assert!(flatten_comments(&[], &lookup).value.0.is_empty());
    }
}
