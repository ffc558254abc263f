//! Indexing benchmarks shared by `trove bench` and `benches/indexing.rs`: the same generated
//! documents ([`corpus`]) indexed by a bare tantivy `IndexWriter` (the baseline), by trove's
//! import path (store + index catch-up) and by `rebuild`, in one run. [`query`] measures
//! answering: trove over HTTP and in process against bare tantivy on the same index.

pub mod corpus;
pub mod load;
pub mod query;
pub mod semantic;

use std::path::Path;
use std::time::{Duration, Instant};

use crate::document::Document;
use crate::index::pairs::{self, CommonWords};
use crate::index::{rebuild, rebuild::new_writer, to_tantivy, SchemaDef, TroveIndex};
use crate::store::Store;

/// The p50 and p99 of `lat` (zero when empty), by nearest rank: the smallest latency that at
/// least that share of `lat` does not exceed (of 200 latencies, the p99 is the 198th). Every
/// percentile `trove bench` reports is picked here.
pub fn percentiles(mut lat: Vec<Duration>) -> (Duration, Duration) {
    lat.sort();
    (percentile(&lat, 500), percentile(&lat, 990))
}

/// The latency at `per_mille` of `sorted` (ascending) by nearest rank, as [`percentiles`]
/// picks it; zero when empty. Per mille, in integers: a float share of the count can land a
/// hair above a whole rank.
pub fn percentile(sorted: &[Duration], per_mille: usize) -> Duration {
    let rank = (sorted.len() * per_mille).div_ceil(1000).max(1);
    sorted.get(rank - 1).copied().unwrap_or_default()
}

/// One measured phase.
#[derive(Debug, Clone)]
pub struct Measure {
    pub name: &'static str,
    pub documents: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    /// Peak resident memory during the phase (Linux; 0 elsewhere).
    pub peak_rss_bytes: u64,
}

impl Measure {
    pub fn docs_per_sec(&self) -> f64 {
        self.documents as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn mb_per_sec(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Bytes of title + body text.
pub fn text_bytes(docs: &[Document]) -> u64 {
    docs.iter()
        .map(|d| (d.title.len() + d.body.len()) as u64)
        .sum()
}

/// Bare tantivy: same schema, same analyzers (pairing the common words trove picks from the
/// same documents, picked before the clock starts), same writer settings; documents converted
/// and added, committed, merges awaited.
pub fn bare_tantivy(dir: &Path, docs: &[Document]) -> anyhow::Result<Measure> {
    let def = SchemaDef::builtin()?;
    let mut en = def.analyzer("en")?;
    let mut bound = pairs::SampleBound::default();
    let sample = docs.iter().take_while(|d| bound.takes(&d.title, &d.body));
    let common = CommonWords::pick(&mut en, sample.map(|d| (d.title.as_str(), d.body.as_str())));
    let def = def.with_common_words(common);
    let (schema, fields) = def.build()?;
    reset_peak_rss();
    std::fs::create_dir_all(dir)?;
    let start = Instant::now();
    let index = tantivy::Index::create_in_dir(dir, schema)?;
    def.register(&index)?;
    let mut writer = new_writer(&index)?;
    for d in docs {
        writer.add_document(to_tantivy(d, &fields))?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(measure("bare tantivy", docs, start, peak_rss()))
}

/// trove's import path, as `trove import` runs it: store upserts in batches of 1,000 while
/// the index applies each committed batch ([`TroveIndex::catch_up_while`]).
pub fn import(data_dir: &Path, docs: &[Document]) -> anyhow::Result<Measure> {
    reset_peak_rss();
    let start = Instant::now();
    let mut store = Store::open(data_dir)?;
    let mut index = TroveIndex::open(data_dir)?;
    let (written, caught_up) = index.catch_up_while(u64::MAX, || {
        docs.chunks(1000)
            .try_for_each(|chunk| store.upsert_all(chunk).map(drop))
    })?;
    written?;
    anyhow::ensure!(
        caught_up.upserts == docs.len() as u64,
        "the index applied {} of {} documents",
        caught_up.upserts,
        docs.len()
    );
    Ok(measure("trove import", docs, start, peak_rss()))
}

/// `trove rebuild` of a data folder that already holds `docs`.
pub fn rebuild_measure(data_dir: &Path, docs: &[Document]) -> anyhow::Result<Measure> {
    reset_peak_rss();
    let start = Instant::now();
    let stats = rebuild(data_dir, &|_, _| {})?;
    anyhow::ensure!(
        stats.documents == docs.len() as u64,
        "rebuild indexed {} of {} documents",
        stats.documents,
        docs.len()
    );
    Ok(measure("trove rebuild", docs, start, peak_rss()))
}

fn measure(name: &'static str, docs: &[Document], start: Instant, peak: u64) -> Measure {
    Measure {
        name,
        documents: docs.len() as u64,
        bytes: text_bytes(docs),
        elapsed: start.elapsed(),
        peak_rss_bytes: peak,
    }
}

/// Resets the kernel's peak-RSS counter for this process (Linux `clear_refs` 5).
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set size since the last reset (`VmHWM`), in bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}
