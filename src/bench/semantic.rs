//! `trove bench --semantic`: embedding throughput (passages/s of about 200 tokens, by batch
//! size and thread count) and search latency at scale (keyword without a model as the
//! baseline, keyword, semantic and hybrid with one), on the generated corpus.
//!
//! Embedding 100k generated documents (about 800k passages) would take hours on 2 cores, so
//! the latency run gives each document as many passages as its real split would have, with
//! seeded random unit vectors: the scan, filter and fusion costs are those of real vectors,
//! and the query embedding runs the real model.

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::bench::corpus::{Corpus, Rng};
use crate::document::Document;
use crate::embed::{embed_batched, Embedder, OVERLAP_TOKENS, WINDOW_TOKENS};
use crate::index::vectors::VectorIndex;
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

/// Embeds `texts` in batches of `batch` on a pool of `threads` threads.
pub fn throughput(
    embedder: &Embedder,
    texts: &[String],
    batch: usize,
    threads: usize,
) -> anyhow::Result<Throughput> {
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let tokens: usize = refs
        .iter()
        .map(|t| embedder.tokenizer().encode(*t, true).map_or(0, |e| e.len()))
        .sum();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;
    let start = Instant::now();
    pool.install(|| embed_batched(embedder, &refs, batch, |_| {}))?;
    Ok(Throughput {
        batch,
        threads,
        passages: texts.len(),
        mean_tokens: tokens as f64 / texts.len().max(1) as f64,
        elapsed: start.elapsed(),
    })
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

/// A vector index with each document's real passage count and seeded random unit vectors.
pub fn synthetic_vectors(model: &str, dims: usize, docs: &[Document], ratio: f64) -> VectorIndex {
    let mut ix = VectorIndex::new(model, dims);
    let mut rng = Rng::new(7);
    for (n, d) in docs.iter().enumerate() {
        let tokens = (d.body.split_whitespace().count() as f64 * ratio) as usize;
        let vs: Vec<Vec<f32>> = (0..passages_for(tokens))
            .map(|_| unit(&mut rng, dims))
            .collect();
        let spans = vec![(0, d.body.len().min(800) as u32); vs.len()];
        ix.upsert(&d.id, n as i64, &Quantized::from_f32(dims, spans, &vs));
    }
    ix
}

fn unit(rng: &mut Rng, dims: usize) -> Vec<f32> {
    let v: Vec<f32> = (0..dims).map(|_| rng.unit() as f32 - 0.5).collect();
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
    let mut lat = Vec::with_capacity(queries.len());
    for q in queries {
        let start = Instant::now();
        searcher.search(&req(q), store)?;
        lat.push(start.elapsed());
    }
    lat.sort();
    let pick = |p: f64| lat[((lat.len() - 1) as f64 * p).round() as usize];
    Ok(Latency {
        name,
        queries: lat.len(),
        p50: pick(0.5),
        p99: pick(0.99),
    })
}

/// Keyword latency without a model (the baseline), then keyword, semantic and hybrid with one,
/// over the documents imported into `data_dir`.
pub fn search_latencies(
    data_dir: &Path,
    docs: &[Document],
    embedder: Arc<Embedder>,
    queries: &[String],
) -> anyhow::Result<(Vec<Latency>, usize)> {
    let store = Store::open(data_dir)?;
    let ratio = tokens_per_word(&embedder, docs);
    let vectors = synthetic_vectors(embedder.id(), embedder.dims(), docs, ratio);
    let passages = vectors.vectors();
    let plain = Searcher::new(TroveIndex::open(data_dir)?)?;
    let base = latency("keyword, no model", &plain, &store, queries, Mode::Keyword)?;
    let semantic = Semantic {
        embedder,
        vectors: Arc::new(RwLock::new(vectors)),
    };
    let with = Searcher::new(TroveIndex::open(data_dir)?)?.with_semantic(semantic);
    let mut out = vec![base];
    for (name, mode) in [
        ("keyword", Mode::Keyword),
        ("semantic", Mode::Semantic),
        ("hybrid", Mode::Hybrid),
    ] {
        out.push(latency(name, &with, &store, queries, mode)?);
    }
    Ok((out, passages))
}
