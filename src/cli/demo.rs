//! `trove demo`: trove's main job on a built-in workspace. Starts the fake Notion and
//! monday.com servers on loopback, syncs both into the data folder exactly as a real sync
//! would (real HTTP, pagination, rate-limit handling), then runs a few searches. With
//! `--serve` it keeps the fakes up and serves the search page.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::progress::BarProgress;
use super::Ctx;
use trove::config::{SourceConfig, MONDAY_API_VERSION};
use trove::connectors::SyncOptions;
use trove::document::SourceKind;
use trove::search::{SearchRequest, Searcher};
use trove::secret::Secret;
use trove::sync::sync_source;
use trove_fakes::{monday as fm, notion as fnn};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// After syncing, serve the search page on this address until Ctrl-C.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:7700")]
    pub serve: Option<std::net::SocketAddr>,
    /// Pages in the generated Notion workspace.
    #[arg(long, default_value_t = 500)]
    pub notion_pages: usize,
}

pub fn run(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(demo(ctx, args))
}

async fn demo(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let notion = fnn::FakeNotion::start(fnn::FakeNotionOptions {
        workspace: fnn::generate(&fnn::GenSpec {
            pages: args.notion_pages,
            ..fnn::GenSpec::large()
        }),
        // Notion's documented 3 requests/s would make the demo take minutes.
        rate_limit_per_minute: None,
        ..fnn::FakeNotionOptions::default()
    })
    .await
    .context("starting the fake Notion server")?;
    let monday = fm::FakeMonday::start(fm::FakeMondayOptions {
        account: fm::generate(&fm::GenSpec::default()),
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
    SourceConfig {
        name: name.into(),
        kind,
        token: Secret::new(token),
        start_date: None,
        api_url: url.into(),
        requests_per_second: 0.0,
        api_version: MONDAY_API_VERSION.into(),
    }
}

/// Searches built from what was synced: a Notion page title, a monday item name, and a
/// natural-language question.
fn sample_searches(ctx: &Ctx) -> anyhow::Result<()> {
    let (store, index) = ctx.open()?;
    let searcher = Searcher::new(index)?;
    let mut queries = Vec::new();
    for (source, kind) in [("demo-notion", "page"), ("demo-monday", "item")] {
        let mut picked = None;
        store.for_each(Some(source), false, |d| {
            if picked.is_none() && d.kind == kind && d.title.split_whitespace().count() >= 3 {
                picked = Some(
                    d.title
                        .split_whitespace()
                        .take(3)
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase(),
                );
            }
            Ok(())
        })?;
        queries.extend(picked);
    }
    queries.push("what is blocking the launch?".into());
    for q in queries {
        let req = SearchRequest {
            query: q.clone(),
            limit: 3,
            ..SearchRequest::default()
        };
        let resp = searcher.search(&req, &store)?;
        println!(
            "\n$ trove search {q:?}   ({} results, {} ms)",
            resp.total, resp.took_ms
        );
        for h in &resp.hits {
            println!("  • {}  [{} · {}]", h.title, h.source, h.kind);
            for line in [&h.path, &h.url].into_iter().filter(|l| !l.is_empty()) {
                println!("    {line}");
            }
        }
    }
    Ok(())
}
