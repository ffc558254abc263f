//! `trove rebuild`: a fresh index from the store, swapped in atomically; prints documents/s.

use std::process::ExitCode;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use trove::index::rebuild;
use trove::store::Store;

#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Rebuild even when the store is empty and the index is not (which empties the index).
    #[arg(long)]
    pub force: bool,
    /// First run the flatteners again over the raw API JSON kept in the store (a flattening
    /// fix without a crawl), in parallel.
    #[arg(long)]
    pub reflatten: bool,
}

pub fn run(ctx: &Ctx, args: RebuildArgs) -> anyhow::Result<ExitCode> {
    // Fails early, creating nothing, if the data folder is missing or unusable, or if an empty
    // store would replace an index that has documents.
    ctx.data().check_rebuild(args.force)?;
    if args.reflatten {
        reflatten(ctx)?;
    }
    let bar = if super::stderr_is_tty() {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} indexing {pos}/{len} documents {per_sec} {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let stats = rebuild(&ctx.data_dir, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })?;
    bar.finish_and_clear();
    println!(
        "rebuilt the index from the store: {} documents in {:.2}s ({:.0} documents/s, {:.1} MB/s), generation {}",
        stats.documents,
        stats.elapsed.as_secs_f64(),
        stats.docs_per_sec(),
        stats.mb_per_sec(),
        stats.generation
    );
    // Stored vectors are reused: only documents without vectors go through the model.
    ctx.finish_embedding()?;
    super::push::after_write(ctx)?;
    Ok(ExitCode::SUCCESS)
}

/// Flattens every stored document again and writes back the ones that changed.
fn reflatten(ctx: &Ctx) -> anyhow::Result<()> {
    let mut store = Store::open(&ctx.data_dir).context("opening the store")?;
    let stats = trove::reflatten::reflatten(&mut store).context("reflattening the store")?;
    println!(
        "reflattened {} of {} documents in {:.2}s ({:.0} documents/s flattening), {} changed",
        stats.reflattened,
        stats.documents,
        stats.elapsed.as_secs_f64(),
        stats.docs_per_sec(),
        stats.changed
    );
    Ok(())
}
