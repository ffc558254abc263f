//! `trove search QUERY`: ranked hits with breadcrumb, URL and a highlighted snippet; `--json`
//! prints the same JSON as the HTTP endpoint.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

use clap::Args;

use super::Ctx;
use trove::http::routes::MAX_OFFSET;
use trove::search::{Hit, Mode, SearchRequest, SearchResponse, Searcher, MAX_LIMIT};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", AND/OR/NOT, +must, -must_not, field:value
    /// (fields: title, body, path, authors, source, kind, tags).
    pub query: String,
    /// Number of hits to show (at most 100).
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=MAX_LIMIT as u64))]
    pub limit: u64,
    /// Number of hits to skip (paging; at most 10000, as over HTTP).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=MAX_OFFSET as u64))]
    pub offset: u64,
    /// Only documents of this source.
    #[arg(long)]
    pub source: Option<String>,
    /// Only documents of this kind (page, database_row, item, subitem, …).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only documents with this tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// keyword (BM25), semantic (by meaning, needs a model) or hybrid (both fused)
    /// [default: hybrid when a model is found, else keyword].
    #[arg(long, value_parser = parse_mode)]
    pub mode: Option<Mode>,
    /// Print JSON: {"total","took_ms","hits":[…]}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let (store, index) = ctx.open_existing()?;
    let semantic = match ctx.semantic(&store, &index) {
        Ok(s) => s,
        // A broken model only blocks what needs it: keyword search still answers.
        Err(e) if args.mode.is_none() => {
            eprintln!("warning: semantic search off: {e:#}");
            None
        }
        Err(e) => return Err(e),
    };
    let mut searcher = Searcher::new(index)?;
    if let Some(s) = semantic {
        searcher = searcher.with_semantic(s);
    }
    let req = SearchRequest {
        query: args.query,
        limit: args.limit as usize,
        offset: args.offset as usize,
        source: args.source,
        kind: args.kind,
        tags: args.tags,
        mode: args.mode,
        ..SearchRequest::default()
    };
    let resp = searcher.search(&req, &store)?;
    let out = if args.json {
        format!("{}\n", serde_json::to_string(&resp)?)
    } else {
        human(&resp, req.offset, super::stdout_is_tty())
    };
    // `trove search … | head -1` closes the pipe early: not an error, and no panic.
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
        r => r?,
    }
    if !args.json && resp.total == 0 && store.count(None)? == 0 {
        eprintln!(
            "the index is empty: run `trove sync` (or `trove demo`, or `trove import FILE`) first"
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The human listing. Every text that comes from the documents goes through [`clean`].
fn human(resp: &SearchResponse, offset: usize, tty: bool) -> String {
    let mut out = String::new();
    let shown = resp.hits.len();
    let _ = writeln!(
        out,
        "{} result{} ({} ms){}",
        resp.total,
        if resp.total == 1 { "" } else { "s" },
        resp.took_ms,
        if shown > 0 {
            format!(", showing {}–{}", offset + 1, offset + shown)
        } else {
            String::new()
        }
    );
    for (i, hit) in resp.hits.iter().enumerate() {
        out.push('\n');
        write_hit(&mut out, offset + i + 1, hit, tty);
    }
    out
}

fn write_hit(out: &mut String, n: usize, hit: &Hit, tty: bool) {
    let title = if hit.title.is_empty() {
        "(untitled)".to_owned()
    } else {
        clean(&hit.title)
    };
    let title = if tty {
        format!("\x1b[1m{title}\x1b[0m")
    } else {
        title
    };
    let badge = [hit.source.as_str(), hit.kind.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let _ = writeln!(out, "{n}. {title}  [{}]", clean(&badge));
    for line in [&hit.path, &hit.url] {
        if !line.is_empty() {
            let _ = writeln!(out, "   {}", clean(line));
        }
    }
    let (text, ranges) = &hit.snippet_plain;
    if !text.is_empty() {
        let _ = writeln!(out, "   {}", highlight(text, ranges, tty));
    }
}

/// Drops control characters (ESC starts terminal escape sequences, and anyone who can edit a
/// page can type them) so document text cannot drive the user's terminal; newlines and tabs
/// become spaces.
fn clean(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\t' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Marks highlighted ranges: bold on a terminal, `**…**` otherwise.
fn highlight(text: &str, ranges: &[std::ops::Range<usize>], tty: bool) -> String {
    let (open, close) = if tty {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("**", "**")
    };
    let mut out = String::with_capacity(text.len() + ranges.len() * 8);
    let mut at = 0;
    for r in ranges {
        if r.start < at
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&clean(&text[at..r.start]));
        out.push_str(open);
        out.push_str(&clean(&text[r.clone()]));
        out.push_str(close);
        at = r.end;
    }
    out.push_str(&clean(&text[at..]));
    out
}

fn parse_mode(s: &str) -> Result<Mode, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escape_sequences_reach_the_terminal_raw() {
        let evil = "\x1b]0;pwned\x07title \x1b[2J\u{9b}31mred\nnext";
        assert_eq!(clean(evil), "]0;pwnedtitle [2J31mred next");
        let marked = highlight(evil, &[0..2, 8..12], true);
        assert!(
            !marked.contains("\x1b]") && !marked.contains("\x1b[2J"),
            "{marked:?}"
        );
    }

    #[test]
    fn highlight_marks_ranges() {
        assert_eq!(
            highlight("heat transfer here", &[0..4, 5..13], false),
            "**heat** **transfer** here"
        );
    }
}
