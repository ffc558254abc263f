//! `trove fake notion|monday`: run a fake server in the foreground, to try trove (or another
//! client) by hand without accounts. Prints the URL and token to use.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use trove_fakes::{monday as fm, notion as fnn};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Which {
    Notion,
    Monday,
}

#[derive(Debug, Args)]
pub struct FakeArgs {
    /// Which API to fake.
    pub which: Which,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7701")]
    pub addr: SocketAddr,
    /// Seed of the generated workspace.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

pub fn run(args: FakeArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    rt.block_on(async {
        match args.which {
            Which::Notion => {
                let opts = fnn::FakeNotionOptions {
                    workspace: fnn::generate(&fnn::GenSpec {
                        seed: args.seed,
                        ..fnn::GenSpec::large()
                    }),
                    ..fnn::FakeNotionOptions::default()
                };
                println!(
                    "fake Notion on http://{} (token {}); Ctrl-C stops",
                    args.addr, opts.token
                );
                fnn::run_standalone(args.addr, opts).await
            }
            Which::Monday => {
                let opts = fm::FakeMondayOptions {
                    account: fm::generate(&fm::GenSpec {
                        seed: args.seed,
                        ..fm::GenSpec::default()
                    }),
                    ..fm::FakeMondayOptions::default()
                };
                println!(
                    "fake monday.com on http://{}/v2 (token {}); Ctrl-C stops",
                    args.addr, opts.token
                );
                fm::run_standalone(args.addr, opts).await
            }
        }
    })
    .with_context(|| format!("running the fake server on {}", args.addr))?;
    Ok(ExitCode::SUCCESS)
}
