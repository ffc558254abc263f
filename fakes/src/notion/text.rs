//! Small building blocks for the fake: a seeded PRNG ([`Rng`]), a built-in vocabulary for
//! realistic-ish sentences, unique marker words, UUIDs, Notion timestamps and rich-text items
//! shaped like the recorded fixtures (`F:hkob/retrieve_block_inline_contents.json`).

use chrono::DateTime;
use serde_json::{json, Value};

pub use crate::rng::{mix, Rng};

/// Mixed into every Notion generator seed (keeps the generated workspaces as they were).
pub const SEED_SALT: u64 = 0x5DEE_CE66_D1CE_4E5B;

const WORDS: &[&str] = &[
    "project",
    "roadmap",
    "meeting",
    "notes",
    "design",
    "review",
    "budget",
    "quarter",
    "customer",
    "feedback",
    "release",
    "planning",
    "sprint",
    "backlog",
    "ticket",
    "launch",
    "metrics",
    "growth",
    "hiring",
    "onboarding",
    "policy",
    "handbook",
    "vacation",
    "travel",
    "invoice",
    "contract",
    "vendor",
    "security",
    "incident",
    "postmortem",
    "deploy",
    "server",
    "database",
    "migration",
    "schema",
    "index",
    "search",
    "latency",
    "cache",
    "network",
    "mobile",
    "desktop",
    "browser",
    "feature",
    "bug",
    "fix",
    "test",
    "coverage",
    "quality",
    "garden",
    "coffee",
    "recipe",
    "kitchen",
    "bicycle",
    "mountain",
    "river",
    "forest",
    "ocean",
    "library",
    "museum",
    "concert",
    "festival",
    "weekend",
    "morning",
    "evening",
    "summer",
    "winter",
    "autumn",
    "spring",
    "weather",
    "forecast",
    "harbor",
    "bridge",
    "tunnel",
    "station",
    "airport",
    "ticket",
    "schedule",
    "agenda",
    "minutes",
    "decision",
    "owner",
    "deadline",
    "milestone",
    "estimate",
    "risk",
    "dependency",
    "blocker",
    "update",
    "summary",
    "draft",
    "final",
    "approved",
    "pending",
    "archive",
    "template",
    "checklist",
    "guide",
    "tutorial",
    "example",
    "reference",
    "appendix",
    "chapter",
    "section",
    "paragraph",
    "interview",
    "candidate",
    "salary",
    "benefits",
    "office",
    "remote",
    "team",
    "manager",
    "engineer",
    "designer",
    "analyst",
    "writer",
    "editor",
    "partner",
    "investor",
    "board",
    "strategy",
    "vision",
    "mission",
    "values",
    "culture",
    "retro",
    "kickoff",
    "demo",
    "prototype",
    "experiment",
    "hypothesis",
    "result",
    "dataset",
    "model",
    "pipeline",
    "workflow",
    "automation",
    "integration",
    "webhook",
    "token",
    "permission",
    "audit",
    "compliance",
    "privacy",
    "export",
    "import",
    "backup",
    "restore",
    "monitor",
    "alert",
    "dashboard",
    "report",
    "chart",
    "table",
    "column",
    "filter",
    "sort",
    "query",
    "answer",
];

/// One vocabulary word.
pub fn word(rng: &mut Rng) -> &'static str {
    WORDS[rng.below(WORDS.len())]
}

/// A capitalised sentence of `min..=max` words ending with a period.
pub fn sentence(rng: &mut Rng, min: usize, max: usize) -> String {
    let n = min + rng.below(max - min + 1);
    let words: Vec<&str> = (0..n).map(|_| word(rng)).collect();
    let mut s = words.join(" ");
    if let Some(first) = s.get(0..1) {
        let upper = first.to_uppercase();
        s.replace_range(0..1, &upper);
    }
    s.push('.');
    s
}

/// A short title of two to four words.
pub fn title(rng: &mut Rng) -> String {
    let s = sentence(rng, 2, 4);
    s.trim_end_matches('.').to_string()
}

/// A letters-only word unique to `n` and absent from the vocabulary, e.g. `zqbakemo`.
/// Letters only, so tokenizers keep it whole and stemmers leave it alone.
pub fn marker(n: usize) -> String {
    const CONS: &[u8] = b"bdfgklmnprstvz";
    const VOW: &[u8] = b"aeiou";
    let mut s = String::from("zq");
    let mut x = n;
    for _ in 0..3 {
        s.push(CONS[x % CONS.len()] as char);
        x /= CONS.len();
        s.push(VOW[x % VOW.len()] as char);
        x /= VOW.len();
    }
    if x > 0 {
        s.push_str(&marker(x)[2..]);
    }
    s
}

/// Notion's page/block timestamp: minute precision, `2025-01-02T03:04:00.000Z`.
pub fn ts(minutes: i64) -> String {
    DateTime::from_timestamp(minutes * 60, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:00.000Z").to_string())
        .unwrap_or_default()
}

/// The database-container format, `2025-01-02T03:04:00.000+00:00` (notion-api.md §1.7).
pub fn ts_offset(minutes: i64) -> String {
    DateTime::from_timestamp(minutes * 60, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:00.000+00:00").to_string())
        .unwrap_or_default()
}

/// A calendar date `YYYY-MM-DD` for date properties and mentions.
pub fn date(minutes: i64) -> String {
    DateTime::from_timestamp(minutes * 60, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn annotations() -> Value {
    json!({"bold": false, "italic": false, "strikethrough": false, "underline": false,
           "code": false, "color": "default"})
}

/// A plain `text` rich-text item.
pub fn rt_text(content: &str) -> Value {
    json!({"type": "text", "text": {"content": content, "link": null},
           "annotations": annotations(), "plain_text": content, "href": null})
}

/// A linked `text` item (`href` = link url).
pub fn rt_link(content: &str, url: &str) -> Value {
    json!({"type": "text", "text": {"content": content, "link": {"url": url}},
           "annotations": annotations(), "plain_text": content, "href": url})
}

/// A bold `text` item.
pub fn rt_bold(content: &str) -> Value {
    let mut v = rt_text(content);
    v["annotations"]["bold"] = json!(true);
    v
}

/// A user mention; `plain_text` is `@Name`.
pub fn rt_user(user: &Value) -> Value {
    let name = user["name"].as_str().unwrap_or("");
    json!({"type": "mention", "mention": {"type": "user", "user": user},
           "annotations": annotations(), "plain_text": format!("@{name}"), "href": null})
}

/// A page mention; `plain_text` is the page title, `href` its url.
pub fn rt_page(id: &str, title: &str) -> Value {
    json!({"type": "mention", "mention": {"type": "page", "page": {"id": id}},
           "annotations": annotations(), "plain_text": title, "href": page_url("", id)})
}

/// A date mention; real `plain_text` is `"2022-04-24 → "`.
pub fn rt_date(day: &str) -> Value {
    json!({"type": "mention",
           "mention": {"type": "date", "date": {"start": day, "end": null, "time_zone": null}},
           "annotations": annotations(), "plain_text": format!("{day} → "), "href": null})
}

/// An inline equation; `plain_text` is the expression.
pub fn rt_equation(expr: &str) -> Value {
    json!({"type": "equation", "equation": {"expression": expr},
           "annotations": annotations(), "plain_text": expr, "href": null})
}

/// `https://www.notion.so/<Slug>-<id32>` like real page urls.
pub fn page_url(title: &str, id: &str) -> String {
    let id32 = id.replace('-', "");
    let slug: Vec<&str> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect();
    if slug.is_empty() {
        format!("https://www.notion.so/{id32}")
    } else {
        format!("https://www.notion.so/{}-{id32}", slug.join("-"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_unique_and_not_vocabulary() {
        let all: std::collections::HashSet<String> = (0..20_000).map(marker).collect();
        assert_eq!(all.len(), 20_000);
        assert!(all.iter().all(|m| !WORDS.contains(&m.as_str())));
        assert!(all
            .iter()
            .all(|m| m.chars().all(|c| c.is_ascii_lowercase())));
    }

    #[test]
    fn timestamps_have_minute_precision() {
        assert_eq!(ts(29_000_000), "2025-02-19T21:20:00.000Z");
        assert_eq!(ts_offset(29_000_000), "2025-02-19T21:20:00.000+00:00");
    }

    #[test]
    fn uuids_are_dashed_lowercase() {
        let id = Rng::new(1 ^ SEED_SALT).uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_eq!(id, id.to_lowercase());
    }
}
