//! `trove mcp`: a Model Context Protocol server on stdin/stdout, for an AI assistant that starts
//! trove as a child process (see [`trove::mcp`]). Logs go to stderr; stdout carries only MCP.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::Ctx;

#[derive(Debug, Args)]
pub struct McpArgs {}

pub fn run(ctx: &Ctx, _args: McpArgs) -> anyhow::Result<ExitCode> {
    check_data_dir(&ctx.data_dir)?;
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let model_dir = ctx.model_dir()?;
    rt.block_on(trove::mcp::serve_stdio(&ctx.data_dir, model_dir))?;
    Ok(ExitCode::SUCCESS)
}

/// An assistant's configuration often carries a wrong or relative path (resolved against the
/// assistant's own working folder): refuse it rather than serve an empty new folder.
fn check_data_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.join(trove::store::STORE_FILE).is_file() {
        return Ok(());
    }
    let shown = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
    anyhow::bail!(
        "no trove data folder at {}: pass --data-dir with the absolute path of the folder \
         `trove sync` writes (default ./index-data), or sync into it first",
        shown.display()
    )
}
