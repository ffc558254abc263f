//! `trove status [--json] [--skipped]`: per source documents, last sync and state; the index's
//! documents, segments, size, schema version and applied change sequence versus the store's.
//! When the index cannot be opened (damaged, or its generation missing) it still shows what
//! the store says, then the index problem with "run `trove rebuild`", and exits 1.

use std::process::ExitCode;

use clap::Args;

use super::Ctx;
use trove::config::Config;
use trove::data::{DataError, Status, StoreStatus};
use trove::http::cluster::{ClusterHandle, ClusterServe, ClusterStatus};
use trove::index::IndexError;
use trove::store::Store;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// List what syncs skipped, and why.
    #[arg(long)]
    pub skipped: bool,
}

pub fn run(ctx: &Ctx, args: StatusArgs) -> anyhow::Result<ExitCode> {
    match ctx.data().open_existing() {
        Ok((store, index)) => healthy(ctx, &args, &store, &index),
        Err(DataError::Index(e) | DataError::CatchUp { source: e, .. }) => {
            index_unusable(ctx, &args, e)
        }
        Err(e) => Err(e.into()),
    }
}

fn healthy(
    ctx: &Ctx,
    args: &StatusArgs,
    store: &Store,
    index: &trove::index::TroveIndex,
) -> anyhow::Result<ExitCode> {
    let mut status = ctx.data().status(store, index)?;
    status.embeddings = ctx.embeddings_status(store)?;
    let skipped = skipped(args, store)?;
    let cluster = cluster_status(ctx, store)?;
    if args.json {
        let mut v = serde_json::to_value(&status)?;
        if let Some(c) = &cluster {
            v["cluster"] = serde_json::to_value(c)?;
        }
        if args.skipped {
            v["skipped"] = skipped_json(&skipped);
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_human(&status);
    if let Some(c) = &cluster {
        print_cluster(c);
    }
    if args.skipped {
        print_skipped(&skipped);
    }
    Ok(ExitCode::SUCCESS)
}

/// The index cannot be opened: what the store says (sources, counts, last syncs), then the
/// index problem on stderr; exit 1. Nothing is written, so this works on a read-only folder.
fn index_unusable(ctx: &Ctx, args: &StatusArgs, err: IndexError) -> anyhow::Result<ExitCode> {
    if !ctx.data().path().join(trove::store::STORE_FILE).exists() {
        return Err(err.into()); // nothing to show, and a reader never creates a store
    }
    let store = Store::open(ctx.data().path())?;
    let status = ctx.data().store_status(&store)?;
    let skipped = skipped(args, &store)?;
    let problem = index_problem(&err);
    if args.json {
        let mut v = serde_json::to_value(&status)?;
        v["index"] = serde_json::Value::Null;
        v["index_error"] = problem.clone().into();
        if args.skipped {
            v["skipped"] = skipped_json(&skipped);
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_store(&status);
        println!("index:       unusable (see below)");
        if args.skipped {
            print_skipped(&skipped);
        }
    }
    eprintln!("error: {problem}");
    Ok(ExitCode::FAILURE)
}

/// The index error on one line, ending with what to do.
fn index_problem(err: &IndexError) -> String {
    let text = trove::error::chain(err);
    if text.contains("trove rebuild") {
        text
    } else {
        format!(
            "the index cannot be opened: {text}; run `trove rebuild` to rebuild it from the \
             store (nothing is lost)"
        )
    }
}

fn skipped(args: &StatusArgs, store: &Store) -> anyhow::Result<Vec<(String, trove::ingest::Skip)>> {
    Ok(if args.skipped {
        store.skipped(None)?
    } else {
        Vec::new()
    })
}

fn skipped_json(skipped: &[(String, trove::ingest::Skip)]) -> serde_json::Value {
    serde_json::json!(skipped
        .iter()
        .map(|(source, s)| serde_json::json!({"source": source, "id": s.native_id, "what": s.what, "reason": s.reason}))
        .collect::<Vec<_>>())
}

fn print_skipped(skipped: &[(String, trove::ingest::Skip)]) {
    println!("\nskipped ({}):", skipped.len());
    for (source, s) in skipped {
        println!("  {source}  {} {}: {}", s.what, s.native_id, s.reason);
    }
}

fn print_human(s: &Status) {
    println!("data folder: {}", s.data_dir);
    println!("documents:   {}", s.documents);
    print_embeddings(&s.embeddings);
    print_sources(&s.sources);
    print_index(&s.index);
}

/// What the store says when the index cannot be opened.
fn print_store(s: &StoreStatus) {
    println!("data folder: {}", s.data_dir);
    println!("documents:   {}", s.documents);
    print_sources(&s.sources);
}

/// Each source's documents and last sync.
fn print_sources(sources: &[trove::store::SourceStatus]) {
    if sources.is_empty() {
        println!("sources:     none yet (run `trove sync`, `trove import` or `trove demo`)");
    }
    for src in sources {
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
}

fn print_index(i: &trove::data::IndexStatus) {
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
    if i.common_words > 0 {
        println!(
            "  phrases: pairs of {} common words indexed (picked from the store when this generation was started; `trove rebuild` picks them anew)",
            i.common_words
        );
    }
}

/// Lag and node health of the `[typesense]` cluster, when one is configured.
fn cluster_status(ctx: &Ctx, store: &Store) -> anyhow::Result<Option<ClusterStatus>> {
    let Some(config) = Config::cluster_setting(ctx.config.as_deref())?.typesense else {
        return Ok(None);
    };
    let lag = trove::cluster::Lag::of(store, &config.collection)?;
    let handle = ClusterHandle::new(&ClusterServe {
        config,
        search: false,
    })?;
    let rt = tokio::runtime::Runtime::new()?;
    Ok(Some(rt.block_on(handle.status(lag))))
}

fn print_cluster(c: &ClusterStatus) {
    let lag = &c.lag;
    let behind = if lag.changes == 0 {
        "up to date".to_owned()
    } else if lag.seconds.is_nan() {
        format!(
            "{} changes behind, never pushed (run `trove push`)",
            lag.changes
        )
    } else {
        format!("{} changes behind for {:.0}s", lag.changes, lag.seconds)
    };
    println!(
        "cluster:     alias {} → {}, {behind} (pushed sequence {} of {})",
        c.alias,
        lag.collection.as_deref().unwrap_or("nothing yet"),
        lag.pushed_seq,
        lag.store_seq
    );
    for n in &c.nodes {
        let state = match (&n.error, n.ok) {
            (Some(e), _) => format!("down: {e}"),
            (None, true) => "ok".to_owned(),
            (None, false) => "not ok".to_owned(),
        };
        let role = n.role.as_deref().unwrap_or("?");
        println!("  node {}  {state} ({role})", n.url);
    }
}

fn print_embeddings(e: &trove::data::EmbeddingsStatus) {
    match (&e.model, &e.off_reason) {
        (Some(model), _) => println!(
            "semantic search: on ({model}, {} dimensions); {} passage vectors, {} documents pending",
            e.dimensions.unwrap_or(0),
            e.vectors,
            e.pending
        ),
        (None, reason) => println!(
            "semantic search: off ({})",
            reason.as_deref().unwrap_or("no model")
        ),
    }
}
