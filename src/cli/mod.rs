//! The command line: [`Cli`] (clap derive) parsed into a [`Command`], then executed by one
//! module per subcommand. Human output by default, `--json` for scripts, progress on stderr
//! only when it is a terminal.
//!
//! Exit codes ([`trove::error::Fault`]): 0 success, 1 failure (the message says what to fix),
//! 2 bad usage or bad query, 130 a sync interrupted by Ctrl-C (committed batches are kept).
//! `main` prints the error chain once (`{:#}`); library errors never repeat their source.

mod bench;
mod bench_push;
mod bench_query;
mod bench_semantic;
mod demo;
mod export;
mod fake;
mod import;
mod mcp;
mod progress;
mod push;
mod rebuild;
mod search;
mod semantic;
mod serve;
mod status;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use trove::data::DataDir;
use trove::error::Fault;
use trove::index::TroveIndex;
use trove::search::{QueryError, SearchError};
use trove::store::Store;

/// trove: full-text search over your Notion and monday.com workspaces.
#[derive(Debug, Parser)]
#[command(name = "trove", version, about, max_term_width = 100)]
pub struct Cli {
    /// Data folder holding the store and the index.
    #[arg(
        long,
        global = true,
        env = "TROVE_DATA_DIR",
        default_value = "index-data"
    )]
    pub data_dir: PathBuf,
    /// Configuration file with the sources to sync [default: ./trove.toml when it exists].
    #[arg(long, global = true, env = "TROVE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Sentence-embedding model folder for semantic search [default: <data-dir>/models/all-MiniLM-L6-v2 when it exists; also `[embeddings] model_dir` in trove.toml].
    #[arg(long, global = true, env = "TROVE_MODEL_DIR")]
    pub model_dir: Option<PathBuf>,
    /// More log output on stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Crawl the configured Notion and monday.com sources into the store and the index.
    Sync(sync::SyncArgs),
    /// Search the index.
    Search(search::SearchArgs),
    /// Serve the search page and HTTP API (with MCP at /mcp).
    Serve(serve::ServeArgs),
    /// Serve MCP on stdin/stdout, for AI assistants (search, fetch and status tools).
    Mcp(mcp::McpArgs),
    /// Upsert documents from NDJSON (one JSON document per line; `-` reads stdin).
    Import(import::ImportArgs),
    /// Print every document as NDJSON on stdout.
    Export(export::ExportArgs),
    /// Rebuild the index from the store (no re-crawl) and swap it in atomically.
    Rebuild(rebuild::RebuildArgs),
    /// Bring the `[typesense]` cluster up to date with the store.
    Push(push::PushArgs),
    /// Show sources, documents, sync state and index health.
    Status(status::StatusArgs),
    /// Benchmark indexing (or, with --query, answering) against bare tantivy on generated documents.
    Bench(bench::BenchArgs),
    /// Run the built-in demo: fake Notion and monday.com servers, a sync, then searches.
    Demo(demo::DemoArgs),
    /// Run a fake Notion or monday.com server (for trying trove without accounts).
    #[command(hide = true)]
    Fake(fake::FakeArgs),
}

/// Parses the command line, runs it and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            if trove::error::is_disk_full(err.as_ref()) {
                eprintln!("hint: {}", trove::error::DISK_FULL_HINT);
            }
            ExitCode::from(fault(&err).exit_code())
        }
    }
}

/// The one classification of a failure, found anywhere in its chain: a bad query is the
/// user's (exit 2), anything else exits 1.
fn fault(err: &anyhow::Error) -> Fault {
    for cause in err.chain() {
        if cause.is::<QueryError>() {
            return Fault::User;
        }
        if let Some(e) = cause.downcast_ref::<SearchError>() {
            return e.fault();
        }
    }
    Fault::Internal
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let ctx = Ctx {
        data_dir: cli.data_dir,
        config: cli.config,
        model_dir: cli.model_dir,
    };
    match cli.command {
        Command::Sync(a) => sync::run(&ctx, a),
        Command::Search(a) => search::run(&ctx, a),
        Command::Serve(a) => serve::run(&ctx, a),
        Command::Mcp(a) => mcp::run(&ctx, a),
        Command::Import(a) => import::run(&ctx, a),
        Command::Export(a) => export::run(&ctx, a),
        Command::Rebuild(a) => rebuild::run(&ctx, a),
        Command::Push(a) => push::run(&ctx, a),
        Command::Status(a) => status::run(&ctx, a),
        Command::Bench(a) => bench::run(&ctx, a),
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Fake(a) => fake::run(a),
    }
}

/// What every subcommand gets: the global options.
pub struct Ctx {
    pub data_dir: PathBuf,
    pub config: Option<PathBuf>,
    /// `--model-dir` / `TROVE_MODEL_DIR` (see `semantic.rs` for the full lookup).
    pub model_dir: Option<PathBuf>,
}

impl Ctx {
    /// The data folder.
    pub fn data(&self) -> DataDir {
        DataDir::new(&self.data_dir)
    }

    /// Opens the store and the index, index caught up with the store (see [`DataDir::open`]),
    /// creating the data folder if needed: for commands that write.
    pub fn open(&self) -> anyhow::Result<(Store, TroveIndex)> {
        Ok(self.data().open()?)
    }

    /// Like [`open`](Self::open) for commands that only read: a data folder without a store is
    /// an error naming the path, and nothing is created.
    pub fn open_existing(&self) -> anyhow::Result<(Store, TroveIndex)> {
        Ok(self.data().open_existing()?)
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TROVE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Whether stderr is a terminal (progress bars only then).
pub fn stderr_is_tty() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal()
}

/// Whether stdout is a terminal (bold highlights only then).
pub fn stdout_is_tty() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

#[cfg(test)]
mod tests;
