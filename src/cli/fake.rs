//! `trove fake notion|monday`: run a fake server in the foreground (for trying trove by hand).

use std::process::ExitCode;

use clap::Args;

#[derive(Debug, Args)]
pub struct FakeArgs {}

pub fn run(_args: FakeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("fake servers are not built yet")
}
