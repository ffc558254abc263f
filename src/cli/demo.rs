//! `trove demo`: fake Notion and monday.com servers on loopback, a sync of both, and searches.

use std::process::ExitCode;

use clap::Args;

use super::Ctx;

#[derive(Debug, Args)]
pub struct DemoArgs {}

pub fn run(_ctx: &Ctx, _args: DemoArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`trove demo` is not built yet")
}
