//! `trove rebuild`: a fresh index from the store, swapped in atomically; prints documents/s.

use std::process::ExitCode;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use trove::index::rebuild;
use trove::store::Store;

#[derive(Debug, Args)]
pub struct RebuildArgs {}

pub fn run(ctx: &Ctx, _args: RebuildArgs) -> anyhow::Result<ExitCode> {
    // Fails early, with the store's own message, if the data folder is unusable.
    Store::open(&ctx.data_dir)?;
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
    super::push::after_write(ctx)?;
    Ok(ExitCode::SUCCESS)
}
