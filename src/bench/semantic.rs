//! `trove bench --semantic`: embedding throughput (passages/s of about 200 tokens, by batch
//! size and thread count) and search latency at scale (keyword without a model as the
//! baseline, keyword, semantic and hybrid with one), on the generated corpus.
//!
//! Embedding 100k generated documents (about 800k passages) would take hours on 2 cores, so
//! the latency run gives each document as many passages as its real split would have, with
//! seeded random unit vectors: the scan, filter and fusion costs are those of real vectors,
//! and the query embedding runs the real model.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::bench::corpus::{Corpus, Rng};
use crate::document::Document;
use crate::embed::{embed_batched, Embedder, OVERLAP_TOKENS, WINDOW_TOKENS};
use crate::index::vectors::{binary, candidates_for, VectorHit, VectorIndex, EXACT_BELOW};
use crate::index::TroveIndex;
use crate::search::{Mode, SearchRequest, Searcher, Semantic};
use crate::store::{Quantized, Store};

/// One throughput measurement.
#[derive(Debug, Clone)]
pub struct Throughput {
    pub batch: usize,
    pub threads: usize,
    pub passages: usize,
    pub mean_tokens: f64,
    pub elapsed: Duration,
}

impl Throughput {
    pub fn per_sec(&self) -> f64 {
        self.passages as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Passages of at least 180 tokens cut from generated documents, `n` of them.
pub fn sample_passages(embedder: &Embedder, docs: &[Document], n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    for d in docs {
        for p in embedder.passages(&d.title, &d.path, &d.body) {
            if embedder
                .tokenizer()
                .encode(p.text.as_str(), true)
                .map_or(0, |e| e.len())
                >= 180
            {
                out.push(p.text);
            }
            if out.len() == n {
                return out;
            }
        }
    }
    out
}

/// Embeds `texts` in batches of `batch` on a pool of `threads` threads; returns the vectors
/// too.
pub fn throughput(
    embedder: &Embedder,
    texts: &[String],
    batch: usize,
    threads: usize,
) -> anyhow::Result<(Throughput, Vec<Vec<f32>>)> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let tokens: usize = refs
        .iter()
        .map(|t| embedder.tokenizer().encode(*t, true).map_or(0, |e| e.len()))
        .sum();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let start = Instant::now();
    let vectors = pool.install(|| embed_batched(embedder, &refs, batch, |_| {}))?;
    let t = Throughput {
        batch,
        threads,
        passages: texts.len(),
        mean_tokens: tokens as f64 / texts.len().max(1) as f64,
        elapsed: start.elapsed(),
    };
    Ok((t, vectors))
}

/// Latency percentiles of one mode.
#[derive(Debug, Clone)]
pub struct Latency {
    pub name: &'static str,
    pub queries: usize,
    pub p50: Duration,
    pub p99: Duration,
}

/// Passages a document of `tokens` body tokens is cut into.
fn passages_for(tokens: usize) -> usize {
    let stride = WINDOW_TOKENS - OVERLAP_TOKENS;
    1 + tokens.saturating_sub(WINDOW_TOKENS).div_ceil(stride)
}

/// Tokens per whitespace word of the generated text, measured on a sample.
pub fn tokens_per_word(embedder: &Embedder, docs: &[Document]) -> f64 {
    let (mut words, mut tokens) = (0usize, 0usize);
    for d in docs.iter().take(200) {
        words += d.body.split_whitespace().count();
        tokens += embedder
            .tokenizer()
            .encode(d.body.as_str(), false)
            .map_or(0, |e| e.len());
    }
    tokens as f64 / words.max(1) as f64
}

/// A vector index with each document's real passage count. Each vector is a blend of two
/// real passage embeddings from `bases` plus noise (so vectors cluster the way real ones do,
/// which matters to approximate indexes), or a random unit vector when `bases` is empty.
pub fn synthetic_vectors(
    model: &str,
    dims: usize,
    docs: &[Document],
    ratio: f64,
    bases: &[Vec<f32>],
) -> VectorIndex {
    let mut ix = VectorIndex::new(model, dims);
    let mut rng = Rng::new(7);
    for (n, d) in docs.iter().enumerate() {
        let tokens = (d.body.split_whitespace().count() as f64 * ratio) as usize;
        let vs: Vec<Vec<f32>> = (0..passages_for(tokens))
            .map(|_| synthetic(&mut rng, dims, bases))
            .collect();
        let spans = vec![(0, d.body.len().min(800) as u32); vs.len()];
        ix.upsert(&d.id, n as i64, &Quantized::from_f32(dims, spans, &vs));
    }
    ix
}

/// `0.7·a + 0.3·b + noise` for two random bases (cosine to `a` about 0.8), normalised.
fn synthetic(rng: &mut Rng, dims: usize, bases: &[Vec<f32>]) -> Vec<f32> {
    let noise = unit(rng, dims);
    if bases.is_empty() {
        return noise;
    }
    let a = rng.pick(bases);
    let b = rng.pick(bases);
    let v: Vec<f32> = (0..dims)
        .map(|i| 0.7 * a[i] + 0.3 * b[i] + 0.35 * noise[i])
        .collect();
    normalized(v)
}

fn unit(rng: &mut Rng, dims: usize) -> Vec<f32> {
    normalized((0..dims).map(|_| rng.unit() as f32 - 0.5).collect())
}

fn normalized(v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
    v.into_iter().map(|x| x / n).collect()
}

/// Two- and three-word queries from the corpus vocabulary (as people type into a search box).
pub fn queries(corpus: &Corpus, n: usize) -> Vec<String> {
    let mut rng = Rng::new(99);
    (0..n)
        .map(|i| {
            let words = 2 + i % 2;
            (0..words)
                .map(|_| corpus.word(&mut rng))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Runs every query in `mode` (after one warm-up pass) and reports percentiles.
pub fn latency(
    name: &'static str,
    searcher: &Searcher,
    store: &Store,
    queries: &[String],
    mode: Mode,
) -> anyhow::Result<Latency> {
    let req = |q: &String| SearchRequest {
        query: q.clone(),
        limit: 10,
        mode: Some(mode),
        ..SearchRequest::default()
    };
    for q in queries.iter().take(20) {
        searcher.search(&req(q), store)?;
    }
    timed(name, queries, |q| {
        searcher.search(&req(&q.to_owned()), store)?;
        Ok(())
    })
}

/// What [`search_latencies`] measured.
#[derive(Debug, Clone)]
pub struct SearchReport {
    pub latencies: Vec<Latency>,
    /// Passage vectors in the index.
    pub passages: usize,
    /// Recall@10 of the approximate vector search against the exact one, by candidate count.
    pub recall: Vec<Recall>,
    /// Saving and loading `vectors.bin`, and deriving its sign codes (see [`file_timings`]).
    pub file: [Duration; 3],
}

/// Candidate counts whose recall@10 [`search_latencies`] measures.
pub const RECALL_CANDIDATES: [usize; 6] = [1_000, 2_000, 5_000, 10_000, 20_000, 40_000];

/// Keyword latency without a model (the baseline), then keyword, semantic and hybrid with one,
/// over the documents imported into `data_dir`, plus the parts of the semantic side alone:
/// embedding the query and searching the vectors (exact and approximate), the approximate
/// search's recall and the vector file's costs. Document vectors are synthetic, built from
/// `bases` (see [`synthetic_vectors`]).
pub fn search_latencies(
    data_dir: &Path,
    docs: &[Document],
    embedder: Arc<Embedder>,
    queries: &[String],
    bases: &[Vec<f32>],
) -> anyhow::Result<SearchReport> {
    let store = Store::open(data_dir)?;
    let ratio = tokens_per_word(&embedder, docs);
    let vectors = synthetic_vectors(embedder.id(), embedder.dims(), docs, ratio, bases);
    let passages = vectors.vectors();
    let plain = Searcher::new(TroveIndex::open(data_dir)?)?;
    let base = latency("keyword, no model", &plain, &store, queries, Mode::Keyword)?;
    let (parts, embedded) = semantic_parts(&embedder, &vectors, queries)?;
    let recall = recall_at(&vectors, queries, &embedded, 10, &RECALL_CANDIDATES)?;
    let file = file_timings(&vectors, data_dir)?;
    let semantic = Semantic {
        embedder,
        vectors: Arc::new(RwLock::new(vectors)),
    };
    let vectors = Arc::clone(&semantic.vectors);
    let with = Searcher::new(TroveIndex::open(data_dir)?)?.with_semantic(semantic);
    let mut latencies = vec![base];
    for (name, mode) in [
        ("keyword", Mode::Keyword),
        ("semantic", Mode::Semantic),
        ("hybrid", Mode::Hybrid),
    ] {
        latencies.push(latency(name, &with, &store, queries, mode)?);
    }
    set_exact_below(&vectors, usize::MAX);
    latencies.push(latency(
        "hybrid, exact scan",
        &with,
        &store,
        queries,
        Mode::Hybrid,
    )?);
    set_exact_below(&vectors, EXACT_BELOW);
    latencies.extend(parts);
    Ok(SearchReport {
        latencies,
        passages,
        recall,
        file,
    })
}

fn set_exact_below(vectors: &RwLock<VectorIndex>, rows: usize) {
    let mut v = vectors.write().unwrap_or_else(|e| e.into_inner());
    v.set_exact_below(rows);
}

/// Query embedding alone, then the vector search alone (top 100, no filter) three ways: as
/// [`VectorIndex::search`] picks, exact, and approximate (binary codes and int8 rescoring).
/// Returns the latencies and the queries' embeddings.
fn semantic_parts(
    embedder: &Embedder,
    vectors: &VectorIndex,
    queries: &[String],
) -> anyhow::Result<(Vec<Latency>, Vec<Vec<f32>>)> {
    let mut embedded = Vec::with_capacity(queries.len());
    let embed = timed("  query embedding", queries, |q| {
        embedded.push(embedder.embed(q)?);
        Ok(())
    })?;
    let all = |ids: &[&str]| vec![true; ids.len()];
    let k = 100;
    let scan = |name, f: &dyn Fn(&[f32]) -> Vec<VectorHit>| {
        let mut it = embedded.iter();
        timed(name, queries, |_| {
            f(it.next().map(Vec::as_slice).unwrap_or(&[]));
            Ok(())
        })
    };
    let approx = |q: &[f32]| vectors.search_approx(q, k, candidates_for(k), all);
    let latencies = vec![
        embed,
        scan("  vector search", &|q| vectors.search(q, k, all))?,
        scan("  vector, exact", &|q| vectors.search_exact(q, k, all))?,
        scan("  vector, approx", &approx)?,
    ];
    Ok((latencies, embedded))
}

/// One candidate count of the approximate vector search: its recall@k against the exact scan
/// and its latency (top `k`, no filter).
#[derive(Debug, Clone)]
pub struct Recall {
    pub candidates: usize,
    pub recall: f64,
    pub latency: Latency,
}

/// Recall@`k` of the approximate vector search against the exact scan, averaged over
/// `queries` (`embedded`: their real embeddings, in order), and its latency, for each
/// candidate count.
pub fn recall_at(
    vectors: &VectorIndex,
    queries: &[String],
    embedded: &[Vec<f32>],
    k: usize,
    candidates: &[usize],
) -> anyhow::Result<Vec<Recall>> {
    let all = |ids: &[&str]| vec![true; ids.len()];
    let exact: Vec<HashSet<String>> = embedded
        .iter()
        .map(|q| {
            let hits = vectors.search_exact(q, k, all);
            hits.into_iter().map(|h| h.id).collect()
        })
        .collect();
    let mut out = Vec::with_capacity(candidates.len());
    for &n in candidates {
        let mut found = 0;
        let mut it = embedded.iter().zip(&exact);
        let latency = timed("  approx", queries, |_| {
            if let Some((q, want)) = it.next() {
                let got = vectors.search_approx(q, k, n, all);
                found += got.iter().filter(|h| want.contains(&h.id)).count();
            }
            Ok(())
        })?;
        let recall = found as f64 / (k * queries.len().max(1)) as f64;
        out.push(Recall {
            candidates: n,
            recall,
            latency,
        });
    }
    Ok(out)
}

/// Saving and loading `vectors` as `vectors.bin` in `dir`, and deriving the sign codes of as
/// many int8 vectors (part of loading: codes are not stored in the file).
pub fn file_timings(vectors: &VectorIndex, dir: &Path) -> anyhow::Result<[Duration; 3]> {
    let start = Instant::now();
    vectors.save(dir)?;
    let saved = start.elapsed();
    let start = Instant::now();
    let back = VectorIndex::load(dir, vectors.model())?;
    let loaded = start.elapsed();
    anyhow::ensure!(back.is_some_and(|b| b.vectors() == vectors.vectors()));
    let mut rng = Rng::new(3);
    let values: Vec<i8> = (0..vectors.vectors() * vectors.dims())
        .map(|_| (rng.unit() * 254.0 - 127.0) as i8)
        .collect();
    let start = Instant::now();
    let mut codes = Vec::new();
    binary::push_codes(&values, vectors.dims(), &mut codes);
    let derived = start.elapsed();
    std::hint::black_box(codes);
    Ok([saved, loaded, derived])
}

/// Percentiles of `f` over `queries` (no warm-up: callers warm up the same path before).
fn timed(
    name: &'static str,
    queries: &[String],
    mut f: impl FnMut(&str) -> anyhow::Result<()>,
) -> anyhow::Result<Latency> {
    let mut lat = Vec::with_capacity(queries.len());
    for q in queries {
        let start = Instant::now();
        f(q)?;
        lat.push(start.elapsed());
    }
    Ok(percentiles(name, lat))
}

fn percentiles(name: &'static str, lat: Vec<Duration>) -> Latency {
    let queries = lat.len();
    let (p50, p99) = super::percentiles(lat);
    Latency {
        name,
        queries,
        p50,
        p99,
    }
}
