//! `trove demo`: trove's main job on a built-in workspace. Starts the fake Notion and
//! monday.com servers on loopback with the demo company, Kestrel Labs
//! ([`trove_fakes::company`]), syncs both into the data folder exactly as a real sync would
//! (real HTTP, pagination, rate-limit handling), then asks a few of the questions of
//! `eval/demo-questions.tsv` and prints the answers. With `--serve` it keeps the fakes up and
//! serves the search page.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::progress::BarProgress;
use super::Ctx;
use trove::config::SourceConfig;
use trove::connectors::SyncOptions;
use trove::document::SourceKind;
use trove::search::{SearchRequest, Searcher};
use trove::secret::Secret;
use trove::sync::sync_source;
use trove_fakes::company::{self, CompanySpec};
use trove_fakes::{monday as fm, notion as fnn};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// After syncing, serve the search page on this address until Ctrl-C.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:7700")]
    pub serve: Option<std::net::SocketAddr>,
    /// Grow the generated part of the company (meetings, customers, bugs, tasks,
    /// candidates) this many times, for benchmarks; 0 keeps only the hand-written content.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub scale: usize,
}

/// Questions the demo asks: (question, query typed, hits shown). The last one is only filters.
const QUESTIONS: &[(&str, &str, usize)] = &[
    (
        "Who approves travel over $2,000?",
        "who approves travel over $2,000?",
        2,
    ),
    (
        "Why did the March 3 outage happen?",
        "why did the March 3 outage happen?",
        2,
    ),
    (
        "What is blocking the Orion launch?",
        "what is blocking the Orion launch?",
        2,
    ),
    (
        "How do I roll back a bad deploy?",
        "how do I roll back a bad deploy?",
        2,
    ),
    (
        "What is tagged blocked on monday.com?",
        "source:demo-monday tags:blocked",
        3,
    ),
];

pub fn run(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(demo(ctx, args))
}

async fn demo(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let company = company::generate(&CompanySpec {
        scale: args.scale,
        ..CompanySpec::default()
    });
    let notion = fnn::FakeNotion::start(fnn::FakeNotionOptions {
        workspace: company.notion,
        // Notion's documented 3 requests/s would make the demo take minutes.
        rate_limit_per_minute: None,
        ..fnn::FakeNotionOptions::default()
    })
    .await
    .context("starting the fake Notion server")?;
    let monday = fm::FakeMonday::start(fm::FakeMondayOptions {
        account: company.monday,
        complexity_budget_per_minute: Some(1_000_000_000),
        ..fm::FakeMondayOptions::default()
    })
    .await
    .context("starting the fake monday.com server")?;
    println!(
        "fake Notion at {}, fake monday.com at {}",
        notion.url(),
        monday.url()
    );
    println!("syncing into {}", ctx.data_dir.display());

    let sources = [
        source(
            "demo-notion",
            SourceKind::Notion,
            &notion.url(),
            "ntn_fake_token",
        ),
        source(
            "demo-monday",
            SourceKind::Monday,
            &monday.url(),
            "fake-monday-token",
        ),
    ];
    let mut failed = false;
    for src in &sources {
        let progress = BarProgress::new(&src.name);
        let o = sync_source(&ctx.data_dir, src, &SyncOptions::default(), &progress).await?;
        progress.finish();
        let s = &o.summary;
        println!(
            "  {}: {} added, {} updated, {} deleted, {} skipped; {} requests in {:.1}s",
            o.source,
            s.added,
            s.updated,
            s.deleted,
            s.skipped,
            s.requests,
            o.elapsed.as_secs_f64()
        );
        if let Some(e) = o.error {
            eprintln!("error: {}: {e}", o.source);
            failed = true;
        }
    }
    sample_searches(ctx)?;
    match args.serve {
        Some(addr) => {
            println!("\nserving http://{addr} (fakes stay up; Ctrl-C to stop)");
            trove::http::serve(trove::http::ServeOptions {
                addr,
                data_dir: ctx.data_dir.clone(),
                config: None,
                api_key: None,
                sync_every: None,
                cluster: None,
                // Keyword-searchable at once; vectors fill in behind it (background embedding).
                model_dir: ctx.model_dir()?,
                query_timeout: trove::http::routes::WORK_TIMEOUT,
            })
            .await?;
        }
        None => println!(
            "\nnext: `trove search \"…\"`, or `trove serve` and open http://127.0.0.1:7700 \
             (data in {})",
            ctx.data_dir.display()
        ),
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn source(name: &str, kind: SourceKind, url: &str, token: &str) -> SourceConfig {
    SourceConfig::unpaced(name, kind, Secret::new(token), url)
}

/// Asks the [`QUESTIONS`] and prints each answer: title, breadcrumb, URL and snippet.
fn sample_searches(ctx: &Ctx) -> anyhow::Result<()> {
    let (store, index) = ctx.open()?;
    let searcher = Searcher::new(index)?;
    println!("\nAsk Kestrel Labs, the demo company:");
    for (question, query, shown) in QUESTIONS {
        let req = SearchRequest {
            query: query.to_string(),
            limit: *shown,
            ..SearchRequest::default()
        };
        let resp = searcher.search(&req, &store)?;
        println!("\n? {question}");
        if !query.eq_ignore_ascii_case(question) {
            println!("  $ trove search '{query}'");
        }
        if resp.hits.is_empty() {
            println!("  (no answer found)");
        }
        for h in &resp.hits {
            print_hit(h);
        }
    }
    Ok(())
}

fn print_hit(h: &trove::search::Hit) {
    let place = if h.path.is_empty() {
        String::new()
    } else {
        format!("  ({})", h.path)
    };
    println!("  → {}{place}", h.title);
    if !h.url.is_empty() {
        println!("    {}", h.url);
    }
    let snippet = h
        .snippet_plain
        .0
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !snippet.is_empty() {
        println!("    “{snippet}”");
    }
}
