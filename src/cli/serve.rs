//! `trove serve`: the HTTP search API and search page (see `crate::http`).

use std::process::ExitCode;

use clap::Args;

use super::Ctx;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but loopback requires --api-key-env.
    #[arg(long, default_value = "127.0.0.1:7700")]
    pub addr: String,
}

pub fn run(_ctx: &Ctx, _args: ServeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`trove serve` is not built yet")
}
