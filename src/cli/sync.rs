//! `trove sync [--source NAME]… [--full]`: crawls the configured sources (one after the other)
//! and prints a summary line per source. Exits non-zero if any source failed; what was
//! committed before the failure stays.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::progress::BarProgress;
use super::Ctx;
use trove::config::Config;
use trove::connectors::SyncOptions;
use trove::sync::{sync_source, Outcome};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Sync only this source (repeatable); default: every configured source.
    #[arg(long = "source", value_name = "NAME")]
    pub sources: Vec<String>,
    /// Re-crawl everything instead of only what changed since the last sync.
    #[arg(long)]
    pub full: bool,
}

pub fn run(ctx: &Ctx, args: SyncArgs) -> anyhow::Result<ExitCode> {
    ctx.data().check(trove::data::Access::Create)?;
    ctx.data().check_writable()?;
    let config = Config::load(ctx.config.as_deref())?;
    let sources = config.select(&args.sources)?;
    if sources.is_empty() {
        anyhow::bail!(
            "no sources configured: write a trove.toml with [[sources]] (see README), \
             or set NOTION_TOKEN and/or MONDAY_TOKEN in the environment"
        );
    }
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let opts = SyncOptions { full: args.full };
    let mut failed = 0;
    for src in &sources {
        let progress = BarProgress::new(&src.name);
        let outcome = rt.block_on(async {
            tokio::select! {
                r = sync_source(&ctx.data_dir, src, &opts, &progress) => Some(r),
                _ = tokio::signal::ctrl_c() => None,
            }
        });
        progress.finish();
        match outcome {
            None => {
                // Committed batches are durable; the index catches up on the next command.
                eprintln!("interrupted: {} keeps everything committed so far; run `trove sync` again to resume", src.name);
                return Ok(ExitCode::from(130));
            }
            Some(r) => {
                let o = r.with_context(|| format!("syncing source `{}`", src.name))?;
                print_outcome(&o);
                if o.error.is_some() {
                    failed += 1;
                }
            }
        }
    }
    ctx.finish_embedding()?;
    // What every source committed goes to the cluster, failed sources included.
    drop(rt);
    super::push::after_write(ctx)?;
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_outcome(o: &Outcome) {
    let s = &o.summary;
    let extra = if s.complexity > 0 {
        format!(", {} complexity points", s.complexity)
    } else {
        String::new()
    };
    let line = format!(
        "{}: {} added, {} updated, {} deleted, {} unchanged, {} skipped; {} requests{extra} in {:.1}s",
        o.source,
        s.added,
        s.updated,
        s.deleted,
        s.unchanged,
        s.skipped,
        s.requests,
        o.elapsed.as_secs_f64()
    );
    match &o.error {
        None => println!("{line}"),
        Some(e) => {
            println!("{line} (stopped early)");
            eprintln!("error: source `{}`: {e}", o.source);
            eprintln!("hint: {}", e.hint());
        }
    }
}
