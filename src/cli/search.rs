//! `trove search QUERY`: ranked hits with breadcrumb, URL and a highlighted snippet; `--json`
//! prints the same JSON as the HTTP endpoint.

use std::process::ExitCode;

use clap::Args;

use super::Ctx;
use trove::search::{Hit, SearchRequest, SearchResponse, Searcher, MAX_LIMIT};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", AND/OR/NOT, +must, -must_not, field:value
    /// (fields: title, body, path, authors, source, kind, tags).
    pub query: String,
    /// Number of hits to show (at most 100).
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=MAX_LIMIT as u64))]
    pub limit: u64,
    /// Number of hits to skip (paging).
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Only documents of this source.
    #[arg(long)]
    pub source: Option<String>,
    /// Only documents of this kind (page, database_row, item, subitem, …).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only documents with this tag (repeatable).
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// Print JSON: {"total","took_ms","hits":[…]}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let (store, index) = ctx.open()?;
    let searcher = Searcher::new(index)?;
    let req = SearchRequest {
        query: args.query,
        limit: args.limit as usize,
        offset: args.offset,
        source: args.source,
        kind: args.kind,
        tags: args.tags,
        ..SearchRequest::default()
    };
    let resp = searcher.search(&req, &store)?;
    if args.json {
        println!("{}", serde_json::to_string(&resp)?);
    } else {
        print_human(&resp, req.offset, super::stdout_is_tty());
        if resp.total == 0 && store.count(None)? == 0 {
            eprintln!("the index is empty: run `trove sync` (or `trove demo`, or `trove import FILE`) first");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(resp: &SearchResponse, offset: usize, tty: bool) {
    let shown = resp.hits.len();
    println!(
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
        println!();
        print_hit(offset + i + 1, hit, tty);
    }
}

fn print_hit(n: usize, hit: &Hit, tty: bool) {
    let title = if hit.title.is_empty() {
        "(untitled)"
    } else {
        &hit.title
    };
    let title = if tty {
        format!("\x1b[1m{title}\x1b[0m")
    } else {
        title.to_owned()
    };
    let badge = [hit.source.as_str(), hit.kind.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    println!("{n}. {title}  [{badge}]");
    if !hit.path.is_empty() {
        println!("   {}", hit.path);
    }
    if !hit.url.is_empty() {
        println!("   {}", hit.url);
    }
    let (text, ranges) = &hit.snippet_plain;
    if !text.is_empty() {
        println!("   {}", highlight(text, ranges, tty));
    }
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
        out.push_str(&text[at..r.start]);
        out.push_str(open);
        out.push_str(&text[r.clone()]);
        out.push_str(close);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_ranges() {
        assert_eq!(
            highlight("heat transfer here", &[0..4, 5..13], false),
            "**heat** **transfer** here"
        );
    }
}
