//! `trove export [--source S]`: every document as NDJSON on stdout, raw JSON included, in the
//! shape `trove import` reads.

use std::io::{BufWriter, ErrorKind, Write};
use std::process::ExitCode;

use clap::Args;

use super::Ctx;
use trove::data::Access;
use trove::store::{Store, StoreError};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Only documents of this source.
    #[arg(long)]
    pub source: Option<String>,
}

pub fn run(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<ExitCode> {
    ctx.data().check(Access::Existing)?;
    let store = Store::open(&ctx.data_dir)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let result = store
        .for_each(args.source.as_deref(), true, |doc| {
            serde_json::to_writer(&mut out, &doc).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
            Ok(())
        })
        .and_then(|_| Ok(out.flush()?));
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // `trove export | head` closes the pipe early: not an error.
        Err(StoreError::Output(e)) if e.kind() == ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}
