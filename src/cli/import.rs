//! `trove import FILE|-`: upserts NDJSON documents (the shape `export` writes) into the store in
//! batches, then brings the index up to date. A bad line is reported with its number and
//! skipped; every good line is committed.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::Args;

use super::Ctx;
use trove::document::Document;
use trove::index::TroveIndex;
use trove::store::{Store, Upserted};

/// Documents per store transaction.
const BATCH: usize = 1000;
/// Documents between index commits during a long import.
const INDEX_EVERY: usize = 50_000;
/// At most this many bad lines are listed one by one.
const MAX_REPORTED: usize = 20;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// NDJSON file to read, or `-` for standard input.
    pub file: PathBuf,
}

/// Counts of one import.
#[derive(Debug, Default)]
struct Counts {
    added: u64,
    updated: u64,
    unchanged: u64,
    rejected: u64,
}

pub fn run(ctx: &Ctx, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let input: Box<dyn Read> = if args.file.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(&args.file)
                .with_context(|| format!("cannot open {}", args.file.display()))?,
        )
    };
    let (mut store, mut index) = ctx.open()?;
    let start = Instant::now();
    let counts = import(
        BufReader::with_capacity(1 << 20, input),
        &mut store,
        &mut index,
    )?;
    let secs = start.elapsed().as_secs_f64();
    let total = counts.added + counts.updated + counts.unchanged;
    eprintln!(
        "imported {total} documents ({} added, {} updated, {} unchanged) in {secs:.1}s ({:.0} documents/s)",
        counts.added,
        counts.updated,
        counts.unchanged,
        total as f64 / secs.max(1e-9)
    );
    drop((store, index));
    super::push::after_write(ctx)?;
    if counts.rejected > 0 {
        eprintln!("error: {} line(s) rejected; fix them and import the file again (accepted lines are kept)", counts.rejected);
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn import(
    input: impl BufRead,
    store: &mut Store,
    index: &mut TroveIndex,
) -> anyhow::Result<Counts> {
    let mut counts = Counts::default();
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH);
    let mut since_index = 0;
    for (n, line) in input.lines().enumerate() {
        let line_no = n + 1;
        let line = line.with_context(|| format!("reading line {line_no}"))?;
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(&line) {
            Ok(doc) => batch.push(doc),
            Err(problem) => {
                counts.rejected += 1;
                if counts.rejected as usize <= MAX_REPORTED {
                    eprintln!("line {line_no}: {problem}");
                }
            }
        }
        if batch.len() >= BATCH {
            since_index += commit(store, &mut batch, &mut counts)?;
            if since_index >= INDEX_EVERY {
                index.catch_up(store)?;
                since_index = 0;
            }
        }
    }
    commit(store, &mut batch, &mut counts)?;
    index.catch_up(store)?;
    Ok(counts)
}

/// One NDJSON line → a valid document, or what is wrong with it.
fn parse_line(line: &str) -> Result<Document, String> {
    let mut doc: Document = serde_json::from_str(line).map_err(|e| {
        let msg = e.to_string();
        // serde_json appends " at line 1 column N"; the column is the useful part.
        msg.replace(" at line 1 column", " at column")
    })?;
    doc.normalize()?;
    Ok(doc)
}

fn commit(
    store: &mut Store,
    batch: &mut Vec<Document>,
    counts: &mut Counts,
) -> anyhow::Result<usize> {
    if batch.is_empty() {
        return Ok(0);
    }
    for r in store.upsert_all(batch)? {
        match r {
            Upserted::Added => counts.added += 1,
            Upserted::Updated => counts.updated += 1,
            Upserted::Unchanged => counts.unchanged += 1,
        }
    }
    let n = batch.len();
    batch.clear();
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_title_is_named() {
        let e = parse_line(r#"{"id":"x:1","body":"b"}"#).unwrap_err();
        assert!(e.contains("missing field `title`"), "{e}");
    }

    #[test]
    fn broken_json_names_column() {
        let e = parse_line(r#"{"id":"x:1","title":"#).unwrap_err();
        assert!(e.contains("column"), "{e}");
    }

    #[test]
    fn empty_id_rejected() {
        assert!(parse_line(r#"{"id":"","title":"t","body":"b"}"#).is_err());
    }
}
