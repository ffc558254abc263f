//! `trove push [--rebuild] [--json]`: brings the `[typesense]` cluster up to date with the
//! store (see `trove::cluster::push`). [`after_write`] is the automatic push at the end of
//! `sync`, `import` and `rebuild` when a cluster is configured.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use trove::cluster::typesense::Typesense;
use trove::cluster::{push, ClusterConfig, PushOptions, PushReport};
use trove::config::Config;

#[derive(Debug, Args)]
pub struct PushArgs {
    /// Load a new collection from the whole store and move the alias to it atomically, then
    /// drop the old collection (searches keep working throughout).
    #[arg(long)]
    pub rebuild: bool,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: PushArgs) -> anyhow::Result<ExitCode> {
    let config = Config::cluster_setting(ctx.config.as_deref())?;
    let cluster = config.typesense.context(
        "no [typesense] table in the config: add one with the cluster's `nodes` \
         (see README, \"Moving search to a cluster\")",
    )?;
    // A push reads the store: a missing data folder is an error naming it, and nothing is
    // created.
    ctx.data().check(trove::data::Access::Existing)?;
    let report = push_now(ctx, &cluster, args.rebuild)?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// Pushes the store of `ctx` to `cluster`.
pub fn push_now(ctx: &Ctx, cluster: &ClusterConfig, rebuild: bool) -> anyhow::Result<PushReport> {
    let engine = Arc::new(Typesense::new(&cluster.nodes, cluster.api_key.clone())?);
    let opts = PushOptions {
        rebuild,
        ..PushOptions::default()
    };
    let bar = progress_bar();
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let report = rt
        .block_on(push(
            engine,
            &cluster.collection,
            &ctx.data_dir,
            &opts,
            &|n| bar.set_position(n),
        ))
        .with_context(|| {
            format!(
                "pushing to the Typesense cluster (alias `{}`); the store is unchanged and the \
                 next push resumes from the last acknowledged change",
                cluster.collection
            )
        })?;
    bar.finish_and_clear();
    Ok(report)
}

fn progress_bar() -> ProgressBar {
    if !super::stderr_is_tty() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new_spinner();
    b.set_style(
        ProgressStyle::with_template("{spinner} pushed {pos} documents {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    b
}

fn print_report(r: &PushReport) {
    let how = if r.rebuilt {
        match &r.replaced {
            Some(old) => format!("loaded {} and moved the alias from {old}", r.collection),
            None => format!("loaded {}", r.collection),
        }
    } else {
        format!("updated {}", r.collection)
    };
    println!(
        "pushed to the cluster: {} upserts, {} deletes in {:.2}s ({:.0} documents/s), {how}, store sequence {}",
        r.upserts,
        r.deletes,
        r.elapsed_secs,
        r.docs_per_sec(),
        r.seq
    );
}

/// The push at the end of `sync`, `import` and `rebuild`: only when `[typesense]` is
/// configured. A failure says what was kept and what to run.
pub fn after_write(ctx: &Ctx) -> anyhow::Result<()> {
    let config = Config::cluster_setting(ctx.config.as_deref()).context(
        "reading the config for the automatic cluster push (the store and index are updated)",
    )?;
    let Some(cluster) = config.typesense else {
        return Ok(());
    };
    let report = push_now(ctx, &cluster, false).context(
        "the automatic push to the cluster failed (the store and the local index are updated; \
         run `trove push` once the cluster answers)",
    )?;
    print_report(&report);
    Ok(())
}
