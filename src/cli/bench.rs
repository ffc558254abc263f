//! `trove bench`: indexing throughput of bare tantivy (baseline), `trove import` and
//! `trove rebuild` on the same generated documents, in one run, with the ratios.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::Ctx;
use trove::bench::{self, corpus::Corpus, Measure};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Number of generated documents (titles 3–10 words, bodies 50–2,000 words, Zipf words).
    #[arg(long, default_value_t = 20_000)]
    pub docs: u64,
    /// Seed of the generated documents.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Measure semantic search instead: embedding passages/s (by batch size and threads),
    /// then keyword, semantic and hybrid search latency at --docs documents (needs the model).
    #[arg(long)]
    pub semantic: bool,
    /// Measure answering instead: queries/s, p50 and p99 of a fixed query mix through the HTTP
    /// endpoint (one keep-alive connection), in process, and with bare tantivy (the baseline).
    #[arg(long, conflicts_with = "semantic")]
    pub query: bool,
    /// Body length range in words, `MIN-MAX` (log-uniform) [default: 50-2000].
    #[arg(long, value_name = "MIN-MAX", value_parser = parse_range)]
    pub body_words: Option<(usize, usize)>,
    /// Rounds of the query mix per way and repetition (--query).
    #[arg(long, default_value_t = 200)]
    pub rounds: usize,
    /// After --query: 4 connections for at least this many seconds while a sync, an import
    /// and two rebuilds write to the data folder; reports failed requests and p99.
    #[arg(long, value_name = "SECONDS", requires = "query")]
    pub load: Option<u64>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Only write the generated documents as NDJSON to this file (for `trove import`), then exit.
    #[arg(long, value_name = "FILE")]
    pub write_docs: Option<std::path::PathBuf>,
    /// Instead: push throughput and search latency against the `[typesense]` cluster (loopback
    /// nodes only), each next to the cluster used directly (curl bulk import, direct queries).
    #[arg(long, conflicts_with = "semantic")]
    pub push: bool,
}

pub fn run(ctx: &Ctx, args: BenchArgs) -> anyhow::Result<ExitCode> {
    if args.semantic {
        return super::bench_semantic::run(ctx, &args);
    }
    if args.query {
        return super::bench_query::run(&args);
    }
    let docs = corpus(&args).documents(args.seed, args.docs);
    if args.push {
        let config = trove::config::Config::cluster_setting(ctx.config.as_deref())?;
        let cluster = config
            .typesense
            .context("bench --push needs a [typesense] table naming a cluster on this machine")?;
        let tmp = tempdir()?;
        let out = super::bench_push::run(&cluster, &docs, &tmp, args.json);
        let _ = std::fs::remove_dir_all(&tmp);
        out?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = &args.write_docs {
        write_docs(path, &docs).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {} documents to {}", docs.len(), path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let tmp = tempdir()?;
    eprintln!(
        "generated {} documents ({:.1} MB of text); indexing…",
        docs.len(),
        bench::text_bytes(&docs) as f64 / 1e6
    );
    let base1 = bench::bare_tantivy(&tmp.join("bare1"), &docs)?;
    let import = bench::import(&tmp.join("data"), &docs)?;
    let rebuild = bench::rebuild_measure(&tmp.join("data"), &docs)?;
    let base2 = bench::bare_tantivy(&tmp.join("bare2"), &docs)?;
    let _ = std::fs::remove_dir_all(&tmp);
    // The faster baseline run is the conservative reference.
    let base = if base1.docs_per_sec() >= base2.docs_per_sec() {
        base1
    } else {
        base2
    };
    let rows = [&base, &import, &rebuild];
    if args.json {
        let v: Vec<_> = rows
            .iter()
            .map(|m| {
                serde_json::json!({
                    "name": m.name, "documents": m.documents, "seconds": m.elapsed.as_secs_f64(),
                    "docs_per_sec": m.docs_per_sec(), "mb_per_sec": m.mb_per_sec(),
                    "peak_rss_mb": m.peak_rss_bytes as f64 / 1e6,
                    "ratio_to_bare_tantivy": m.docs_per_sec() / base.docs_per_sec(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "{:<14} {:>9} {:>8} {:>11} {:>8} {:>10} {:>9}",
            "phase", "docs", "seconds", "docs/s", "MB/s", "peak MB", "vs bare"
        );
        for m in rows {
            print_row(m, &base);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_row(m: &Measure, base: &Measure) {
    println!(
        "{:<14} {:>9} {:>8.2} {:>11.0} {:>8.1} {:>10.0} {:>8.0}%",
        m.name,
        m.documents,
        m.elapsed.as_secs_f64(),
        m.docs_per_sec(),
        m.mb_per_sec(),
        m.peak_rss_bytes as f64 / 1e6,
        100.0 * m.docs_per_sec() / base.docs_per_sec()
    );
}

fn write_docs(path: &std::path::Path, docs: &[trove::Document]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for d in docs {
        serde_json::to_writer(&mut out, d)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// The standard corpus, with `--body-words` when given.
pub fn corpus(args: &BenchArgs) -> Corpus {
    match args.body_words {
        Some((min, max)) => Corpus::standard().with_body_words(min, max),
        None => Corpus::standard(),
    }
}

/// `MIN-MAX`, two whole numbers with MIN ≤ MAX and MIN ≥ 1.
fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("expected MIN-MAX such as 40-80, not `{s}`");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (a, b) = (
        a.trim().parse::<usize>().map_err(|_| bad())?,
        b.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if a == 0 || a > b {
        return Err(bad());
    }
    Ok((a, b))
}

pub fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("trove-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
