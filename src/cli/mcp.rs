//! `trove mcp`: a Model Context Protocol server on stdin/stdout, for an AI assistant that starts
//! trove as a child process (see [`trove::mcp`]). Logs go to stderr; stdout carries only MCP.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::Ctx;

#[derive(Debug, Args)]
pub struct McpArgs {}

pub fn run(ctx: &Ctx, _args: McpArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(trove::mcp::serve_stdio(&ctx.data_dir))?;
    Ok(ExitCode::SUCCESS)
}
