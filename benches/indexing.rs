//! Indexing throughput (criterion): bare tantivy vs trove's import path vs `rebuild`, on the
//! same generated documents in the same run. `trove bench --docs N` prints the same comparison
//! as a table with peak memory.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use trove::bench::{self, corpus::Corpus};

fn indexing(c: &mut Criterion) {
    let n: u64 = std::env::var("TROVE_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_000);
    let docs = Corpus::standard().documents(1, n);
    let mut g = c.benchmark_group("indexing");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bench::text_bytes(&docs)));
    g.bench_function("bare_tantivy", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("tempdir"),
            |dir| bench::bare_tantivy(dir.path(), &docs).expect("bare tantivy"),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("trove_import", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("tempdir"),
            |dir| bench::import(dir.path(), &docs).expect("import"),
            BatchSize::PerIteration,
        )
    });
    let data = tempfile::tempdir().expect("tempdir");
    bench::import(data.path(), &docs).expect("import");
    g.bench_function("trove_rebuild", |b| {
        b.iter(|| bench::rebuild_measure(data.path(), &docs).expect("rebuild"))
    });
    g.finish();
}

criterion_group!(benches, indexing);
criterion_main!(benches);
