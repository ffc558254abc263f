//! `trove status [--json] [--skipped]`: per source documents, last sync and state; the index's
//! documents, segments, size, schema version and applied change sequence versus the store's.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::Ctx;
use crate::index::TroveIndex;
use crate::store::{SourceStatus, Store};

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// List what syncs skipped, and why.
    #[arg(long)]
    pub skipped: bool,
}

/// The index half of the status.
#[derive(Debug, Serialize)]
pub struct IndexStatus {
    pub documents: u64,
    pub segments: usize,
    pub bytes_on_disk: u64,
    pub schema_version: u32,
    pub applied_seq: u64,
    pub store_seq: u64,
    pub generation: String,
}

/// Everything `trove status --json` and `GET /status` print.
#[derive(Debug, Serialize)]
pub struct Status {
    pub data_dir: String,
    pub documents: u64,
    pub sources: Vec<SourceStatus>,
    pub index: IndexStatus,
}

/// Collects the status of a data folder.
pub fn collect(
    data_dir: &std::path::Path,
    store: &Store,
    index: &TroveIndex,
) -> anyhow::Result<Status> {
    let reader = index.reader()?;
    let searcher = reader.searcher();
    Ok(Status {
        data_dir: data_dir.display().to_string(),
        documents: store.count(None)?,
        sources: store.source_statuses()?,
        index: IndexStatus {
            documents: searcher.num_docs(),
            segments: searcher.segment_readers().len(),
            bytes_on_disk: index.disk_bytes(),
            schema_version: index.schema_def().version,
            applied_seq: index.applied_seq()?,
            store_seq: store.max_seq()?,
            generation: index
                .dir()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        },
    })
}

pub fn run(ctx: &Ctx, args: StatusArgs) -> anyhow::Result<ExitCode> {
    let (store, index) = ctx.open()?;
    let status = collect(&ctx.data_dir, &store, &index)?;
    let skipped = if args.skipped {
        store.skipped(None)?
    } else {
        Vec::new()
    };
    if args.json {
        let mut v = serde_json::to_value(&status)?;
        if args.skipped {
            v["skipped"] = serde_json::json!(skipped
                .iter()
                .map(|(source, s)| serde_json::json!({"source": source, "id": s.native_id, "what": s.what, "reason": s.reason}))
                .collect::<Vec<_>>());
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_human(&status);
    if args.skipped {
        println!("\nskipped ({}):", skipped.len());
        for (source, s) in &skipped {
            println!("  {source}  {} {}: {}", s.what, s.native_id, s.reason);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(s: &Status) {
    println!("data folder: {}", s.data_dir);
    println!("documents:   {}", s.documents);
    if s.sources.is_empty() {
        println!("sources:     none yet (run `trove sync`, `trove import` or `trove demo`)");
    }
    for src in &s.sources {
        let when = src
            .last_sync_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "never".into());
        println!(
            "source {} ({}): {} documents, last sync {when}, {}{}",
            src.name,
            src.kind,
            src.documents,
            src.status,
            if src.skipped > 0 {
                format!(", {} skipped (see --skipped)", src.skipped)
            } else {
                String::new()
            }
        );
        if let Some(sum) = &src.last_summary {
            println!(
                "  last run: {} added, {} updated, {} deleted, {} skipped, {} requests",
                sum.added, sum.updated, sum.deleted, sum.skipped, sum.requests
            );
        }
        if let Some(e) = &src.last_error {
            println!("  last error: {e}");
        }
    }
    let i = &s.index;
    let lag = i.store_seq.saturating_sub(i.applied_seq);
    println!(
        "index: {} documents, {} segments, {:.1} MB on disk, schema v{}, {}, change {} of {}{}",
        i.documents,
        i.segments,
        i.bytes_on_disk as f64 / 1e6,
        i.schema_version,
        i.generation,
        i.applied_seq,
        i.store_seq,
        if lag == 0 {
            " (up to date)".to_owned()
        } else {
            format!(" ({lag} behind: another process is writing)")
        }
    );
}
