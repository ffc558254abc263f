//! The short text each tool puts in `content`: what a model reads first and quotes from. Hits
//! are numbered, each with its title, breadcrumb, link and id, so an answer can cite `[2]` with
//! its URL; the full records are in `structuredContent` ([`super::tools`]).

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::tools::{FetchOutput, SearchOutput, StatusOutput};

/// `N results for "q"` and one numbered block per hit.
pub fn search(out: &SearchOutput) -> String {
    if out.hits.is_empty() {
        return no_hits(out);
    }
    let first = out.hits[0].rank;
    let last = out.hits[out.hits.len() - 1].rank;
    let mut s = format!(
        "{} result{} for \"{}\" (showing {first}–{last}):\n",
        out.total,
        if out.total == 1 { "" } else { "s" },
        out.query
    );
    for h in &out.hits {
        let _ = write!(s, "\n[{}] {}", h.rank, or_untitled(&h.title));
        if !h.breadcrumb.is_empty() {
            let _ = write!(s, " — {}", h.breadcrumb);
        }
        let _ = write!(s, "\n    {}\n    id: {}", link(&h.url), h.id);
        if let Some(t) = &h.updated_at {
            let _ = write!(s, " · updated {}", day(t));
        }
        if !h.snippet.is_empty() {
            let _ = write!(s, "\n    {}", h.snippet);
        }
        s.push('\n');
    }
    s.push_str("\nCite hits by their URL. Call `fetch` with an id to read the whole document.");
    if let Some(next) = out.next_offset {
        let _ = write!(s, " More results: search again with offset={next}.");
    }
    s
}

fn no_hits(out: &SearchOutput) -> String {
    if out.total > 0 {
        return format!(
            "{} results for \"{}\", none at offset {}: use a smaller offset.",
            out.total, out.query, out.offset
        );
    }
    format!(
        "No results for \"{}\". Try other or fewer words, drop filters, or call `status` to see \
         what is indexed.",
        out.query
    )
}

/// A metadata header, the text, and a note when the text is cut.
pub fn fetch(out: &FetchOutput) -> String {
    let mut s = format!("# {}\n", or_untitled(&out.title));
    let mut line = |k: &str, v: &str| {
        if !v.is_empty() {
            let _ = writeln!(s, "{k}: {v}");
        }
    };
    line("id", &out.id);
    line("url", &out.url);
    line("breadcrumb", &out.breadcrumb);
    line("kind", &out.kind);
    line("source", &out.source);
    line("authors", &out.authors.join(", "));
    line("tags", &out.tags.join(", "));
    line("updated", out.updated_at.as_deref().unwrap_or(""));
    s.push('\n');
    s.push_str(&out.text);
    if let Some(next) = out.next_offset {
        let _ = write!(
            s,
            "\n\n[cut: characters {}–{next} of {} shown; call `fetch` with offset={next} to read on]",
            out.offset, out.total_chars
        );
    } else if out.offset > 0 {
        let _ = write!(
            s,
            "\n\n[characters {}–{} of {}: the end of the document]",
            out.offset, out.total_chars, out.total_chars
        );
    }
    s
}

/// Documents, sources with their last sync, and whether search is caught up.
pub fn status(out: &StatusOutput, now: DateTime<Utc>) -> String {
    let mut s = format!(
        "{} documents from {} source{}.\n",
        out.documents,
        out.sources.len(),
        if out.sources.len() == 1 { "" } else { "s" }
    );
    if out.sources.is_empty() {
        s.push_str("Nothing is indexed yet: someone has to run `trove sync` first.\n");
    }
    for src in &out.sources {
        let synced = match &src.last_sync_at {
            Some(t) => format!("last synced {} ({})", day_time(t), ago(t, now)),
            None => "never synced".to_owned(),
        };
        let _ = write!(
            s,
            "- {} ({}): {} documents, {synced}, {}",
            src.name, src.kind, src.documents, src.status
        );
        if let Some(e) = &src.last_error {
            let _ = write!(s, "; last error: {e}");
        }
        s.push('\n');
    }
    if out.changes_pending > 0 {
        let _ = write!(
            s,
            "Search shows {} documents; {} changes are still being indexed.",
            out.indexed_documents, out.changes_pending
        );
    } else {
        s.push_str("Search is up to date with everything synced.");
    }
    s
}

fn or_untitled(title: &str) -> &str {
    if title.is_empty() {
        "(untitled)"
    } else {
        title
    }
}

fn link(url: &str) -> &str {
    if url.is_empty() {
        "(no link)"
    } else {
        url
    }
}

/// `2024-05-01` from an RFC 3339 time.
fn day(t: &str) -> &str {
    t.get(..10).unwrap_or(t)
}

/// `2024-05-01 12:00 UTC` from an RFC 3339 time.
fn day_time(t: &str) -> String {
    match DateTime::parse_from_rfc3339(t) {
        Ok(t) => t
            .with_timezone(&Utc)
            .format("%Y-%m-%d %H:%M UTC")
            .to_string(),
        Err(_) => t.to_owned(),
    }
}

/// `5 minutes ago`, `3 hours ago`, `2 days ago`.
fn ago(t: &str, now: DateTime<Utc>) -> String {
    let Ok(t) = DateTime::parse_from_rfc3339(t) else {
        return "unknown age".to_owned();
    };
    let secs = (now - t.with_timezone(&Utc)).num_seconds().max(0);
    let (n, unit) = match secs {
        s if s < 120 => return "just now".to_owned(),
        s if s < 7200 => (s / 60, "minutes"),
        s if s < 172_800 => (s / 3600, "hours"),
        s => (s / 86_400, "days"),
    };
    format!("{n} {unit} ago")
}

#[cfg(test)]
mod tests {
    use super::super::tools::{SearchHit, SourceInfo};
    use super::*;

    fn hit(rank: u32) -> SearchHit {
        SearchHit {
            rank,
            id: format!("notion:{rank}"),
            title: format!("Doc {rank}"),
            breadcrumb: "Space › Parent".into(),
            url: format!("https://notion.so/{rank}"),
            source: "notion".into(),
            kind: "page".into(),
            updated_at: Some("2024-05-01T10:00:00Z".into()),
            snippet: "about **heat**".into(),
            score: 1.0,
        }
    }

    #[test]
    fn search_text_numbers_hits_with_links_and_ids() {
        let out = SearchOutput {
            query: "heat".into(),
            total: 7,
            offset: 2,
            next_offset: Some(4),
            hits: vec![hit(3), hit(4)],
        };
        let text = search(&out);
        assert!(
            text.starts_with("7 results for \"heat\" (showing 3–4):"),
            "{text}"
        );
        assert!(text.contains("[3] Doc 3 — Space › Parent\n    https://notion.so/3\n    id: notion:3 · updated 2024-05-01\n    about **heat**"), "{text}");
        assert!(text.contains("offset=4"), "{text}");
    }

    #[test]
    fn empty_results_say_what_to_try() {
        let mut out = SearchOutput {
            query: "zzz".into(),
            total: 0,
            offset: 0,
            next_offset: None,
            hits: vec![],
        };
        assert!(search(&out).contains("call `status`"));
        out.total = 3;
        out.offset = 50;
        assert!(search(&out).contains("smaller offset"));
    }

    #[test]
    fn status_text_says_how_fresh() {
        let now = DateTime::parse_from_rfc3339("2024-05-01T13:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let out = StatusOutput {
            documents: 12,
            indexed_documents: 10,
            changes_pending: 2,
            sources: vec![SourceInfo {
                name: "notion".into(),
                kind: "notion".into(),
                documents: 12,
                status: "ok".into(),
                last_sync_at: Some("2024-05-01T10:00:00Z".into()),
                last_error: None,
                skipped: 0,
            }],
        };
        let text = status(&out, now);
        assert!(text.contains("- notion (notion): 12 documents, last synced 2024-05-01 10:00 UTC (3 hours ago), ok"), "{text}");
        assert!(text.contains("2 changes are still being indexed"), "{text}");
    }
}
