//! `trove bench --semantic`: embedding throughput by batch size and thread count, then search
//! latency at `--docs` documents: keyword without a model (the baseline, today's path),
//! keyword, semantic and hybrid with one, all in the same run.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use super::bench::BenchArgs;
use super::Ctx;
use trove::bench::{self, corpus::Corpus, semantic};
use trove::embed::{Embedder, Kernel};

/// Passages embedded per throughput configuration.
const PASSAGES: usize = 64;

pub fn run(ctx: &Ctx, args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let embedder = ctx.embedder()?.with_context(|| {
        format!(
            "bench --semantic needs the embedding model: {}",
            trove::data::no_model_reason(&ctx.data_dir)
        )
    })?;
    let corpus = Corpus::standard();
    let docs = corpus.documents(args.seed, args.docs);
    let sample = semantic::sample_passages(&embedder, &docs, PASSAGES);
    println!(
        "embedding {} passages of about 200 tokens (all-MiniLM-L6-v2), {}",
        sample.len(),
        load_average()
    );
    println!(
        "{:>7} {:>6} {:>8} {:>11} {:>10} {:>9}",
        "kernel", "batch", "threads", "passages/s", "tokens", "seconds"
    );
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // The first configuration's vectors are the real passage embeddings the synthetic
    // document vectors are blended from; the latency run comes before the other
    // configurations, whose minutes under load it need not wait for.
    let bases = throughput_row(&embedder, &sample, 16, cores)?;
    let tmp = std::env::temp_dir().join(format!("trove-bench-sem-{}", std::process::id()));
    eprintln!(
        "importing {} generated documents for the latency run…",
        docs.len()
    );
    bench::import(&tmp, &docs)?;
    let queries = semantic::queries(&corpus, 200);
    let embedder = Arc::new(embedder);
    let report = semantic::search_latencies(&tmp, &docs, Arc::clone(&embedder), &queries, &bases);
    let _ = std::fs::remove_dir_all(&tmp);
    print_report(&report?, docs.len(), queries.len());
    println!("\nembedding, more configurations, {}", load_average());
    for (batch, threads) in [(32, cores), (16, 1)] {
        throughput_row(&embedder, &sample, batch, threads)?;
    }
    if embedder.kernel().uses_amx() {
        // The baseline: the same passages through candle's f32 matmul, in this run.
        let f32_model = Embedder::load_with(embedder.dir(), Kernel::F32)?;
        let exact = throughput_row(&f32_model, &sample, 16, cores)?;
        throughput_row(&f32_model, &sample, 16, 1)?;
        let agreement = bases
            .iter()
            .zip(&exact)
            .map(|(a, b)| trove::embed::cosine(a, b))
            .fold(f32::INFINITY, f32::min);
        println!("lowest cosine between amx and f32 vectors of a passage: {agreement:.6}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Measures and prints one throughput configuration; returns the vectors.
fn throughput_row(
    embedder: &Embedder,
    sample: &[String],
    batch: usize,
    threads: usize,
) -> anyhow::Result<Vec<Vec<f32>>> {
    let (t, vectors) = semantic::throughput(embedder, sample, batch, threads)?;
    println!(
        "{:>7} {:>6} {:>8} {:>11.1} {:>10.0} {:>9.2}",
        embedder.kernel().name(),
        t.batch,
        t.threads,
        t.per_sec(),
        t.mean_tokens,
        t.elapsed.as_secs_f64()
    );
    Ok(vectors)
}

/// The machine's load averages, as `uptime` shows them (other work skews every number).
fn load_average() -> String {
    match std::fs::read_to_string("/proc/loadavg") {
        Ok(s) => format!(
            "load average {}",
            s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
        ),
        Err(_) => "load average unknown".to_owned(),
    }
}

fn print_report(report: &semantic::SearchReport, docs: usize, queries: usize) {
    println!(
        "\nsearch latency at {docs} documents ({} passage vectors), {queries} queries, limit 10, {}",
        report.passages,
        load_average()
    );
    for r in &report.latencies {
        println!(
            "{:<20} p50 {:>7.2} ms   p99 {:>7.2} ms",
            r.name,
            r.p50.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3
        );
    }
    println!("\nthe approximate vector search by candidate count: recall@10 against the exact scan (same queries), latency (top 10)");
    for r in &report.recall {
        println!(
            "{:>6} candidate passages   recall@10 {:.3}   p50 {:>6.2} ms   p99 {:>6.2} ms",
            r.candidates,
            r.recall,
            r.latency.p50.as_secs_f64() * 1e3,
            r.latency.p99.as_secs_f64() * 1e3
        );
    }
    let [saved, loaded, derived] = report.file.map(|d| d.as_secs_f64() * 1e3);
    println!(
        "\nvectors.bin: save {saved:.0} ms, load {loaded:.0} ms (of which deriving sign codes about {derived:.0} ms)"
    );
}
