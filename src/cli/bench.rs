//! `trove bench`: indexing throughput on generated documents (see `crate::bench`).

use std::process::ExitCode;

use clap::Args;

use super::Ctx;

#[derive(Debug, Args)]
pub struct BenchArgs {}

pub fn run(_ctx: &Ctx, _args: BenchArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`trove bench` is not built yet")
}
