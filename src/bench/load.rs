//! Search under write load, for `trove bench --query --load`: several clients, each on its own
//! keep-alive connection, send the query [`mix`](super::query::mix) to `trove serve` while the
//! same data folder takes a sync (the fake Notion server with the demo company), an import and
//! two rebuilds, one after the other. Every answer must be a 200; the [`LoadReport`] counts
//! failures and gives the latency percentiles and how long each write took.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::corpus::Corpus;
use super::query::{url_encode, Connection, MixQuery};
use crate::config::SourceConfig;
use crate::connectors::{NoProgress, SyncOptions};
use crate::document::SourceKind;
use crate::index::TroveIndex;
use crate::secret::Secret;
use crate::store::Store;

/// What the clients saw, and the writes that ran meanwhile.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub connections: usize,
    pub requests: u64,
    pub failures: u64,
    /// The first few failures, for the report.
    pub failure_examples: Vec<String>,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub wall: Duration,
    /// Each write and how long it took.
    pub writes: Vec<(String, Duration)>,
}

/// What the writer does: documents to import (numbered from `first`) after the sync.
#[derive(Debug, Clone, Copy)]
pub struct Writes {
    pub import_docs: u64,
    pub first: u64,
    pub seed: u64,
}

/// Runs `connections` clients against `addr` for at least `duration` and until the writes on
/// the data folder `dir` are done.
pub fn under_writes(
    dir: &Path,
    addr: SocketAddr,
    mix: &[MixQuery],
    connections: usize,
    duration: Duration,
    corpus: &Corpus,
    writes: Writes,
) -> anyhow::Result<LoadReport> {
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let clients: Vec<_> = (0..connections)
        .map(|i| {
            let (stop, mix) = (Arc::clone(&stop), mix.to_vec());
            std::thread::spawn(move || client(addr, &mix, i, &stop))
        })
        .collect();
    let written = write_all(dir, corpus, writes);
    while start.elapsed() < duration {
        std::thread::sleep(Duration::from_millis(100));
    }
    stop.store(true, Ordering::Relaxed);
    let wall = start.elapsed();
    let mut lat = Vec::new();
    let (mut failures, mut examples) = (0u64, Vec::new());
    for c in clients {
        let r = c
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))?;
        lat.extend(r.latencies);
        failures += r.failures;
        examples.extend(r.examples);
    }
    examples.truncate(5);
    let max = lat.iter().max().copied().unwrap_or_default();
    let requests = lat.len() as u64 + failures;
    let (p50, p99) = super::percentiles(lat);
    Ok(LoadReport {
        connections,
        requests,
        failures,
        failure_examples: examples,
        p50,
        p99,
        max,
        wall,
        writes: written?,
    })
}

/// One client's results.
struct ClientResult {
    latencies: Vec<Duration>,
    failures: u64,
    examples: Vec<String>,
}

/// Sends the mix (starting at query `offset`) until `stop`; a failed request reconnects.
fn client(addr: SocketAddr, mix: &[MixQuery], offset: usize, stop: &AtomicBool) -> ClientResult {
    let mut out = ClientResult {
        latencies: Vec::new(),
        failures: 0,
        examples: Vec::new(),
    };
    let mut conn: Option<Connection> = None;
    let mut i = offset;
    while !stop.load(Ordering::Relaxed) {
        let q = &mix[i % mix.len()];
        i += 1;
        let path = format!("/search?q={}&limit=10", url_encode(&q.text));
        let t0 = Instant::now();
        let answer = match conn.as_mut() {
            Some(c) => c.get(&path),
            None => Connection::open(addr).and_then(|mut c| {
                let r = c.get(&path);
                conn = Some(c);
                r
            }),
        };
        match answer {
            Ok((200, _)) => out.latencies.push(t0.elapsed()),
            other => {
                out.failures += 1;
                if out.examples.len() < 5 {
                    out.examples.push(match other {
                        Ok((status, body)) => {
                            format!("{status}: {}", String::from_utf8_lossy(&body))
                        }
                        Err(e) => format!("{e:#}"),
                    });
                }
                conn = None;
            }
        }
    }
    out
}

/// The sync, the import and the two rebuilds, in order, timed.
fn write_all(dir: &Path, corpus: &Corpus, w: Writes) -> anyhow::Result<Vec<(String, Duration)>> {
    let mut done = Vec::new();
    let t = Instant::now();
    let synced = sync_demo(dir)?;
    done.push((format!("sync ({synced} documents)"), t.elapsed()));
    let t = Instant::now();
    import(dir, corpus, w)?;
    done.push((format!("import ({} documents)", w.import_docs), t.elapsed()));
    for n in 1..=2 {
        let t = Instant::now();
        crate::index::rebuild(dir, &|_, _| {})?;
        done.push((format!("rebuild {n}"), t.elapsed()));
    }
    Ok(done)
}

/// Syncs the demo company's Notion workspace from the fake server into `dir`.
fn sync_demo(dir: &Path) -> anyhow::Result<u64> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let company = trove_fakes::company::generate(&trove_fakes::company::CompanySpec::default());
        let notion =
            trove_fakes::notion::FakeNotion::start(trove_fakes::notion::FakeNotionOptions {
                workspace: company.notion,
                rate_limit_per_minute: None,
                ..trove_fakes::notion::FakeNotionOptions::default()
            })
            .await?;
        let cfg = SourceConfig::unpaced(
            "bench-notion",
            SourceKind::Notion,
            Secret::new("ntn_fake_token"),
            &notion.url(),
        );
        let outcome =
            crate::sync::sync_source(dir, &cfg, &SyncOptions::default(), &NoProgress).await?;
        notion.shutdown().await;
        if let Some(e) = outcome.error {
            anyhow::bail!("the sync failed: {e}");
        }
        Ok(outcome.summary.added + outcome.summary.updated)
    })
}

/// `trove import`'s path: store upserts in batches, then one index catch-up.
fn import(dir: &Path, corpus: &Corpus, w: Writes) -> anyhow::Result<()> {
    let mut store = Store::open(dir)?;
    let mut n = w.first;
    while n < w.first + w.import_docs {
        let end = (n + 1_000).min(w.first + w.import_docs);
        let batch: Vec<_> = (n..end).map(|i| corpus.document(w.seed, i)).collect();
        store.upsert_all(&batch)?;
        n = end;
    }
    TroveIndex::open(dir)?.catch_up(&mut store)?;
    Ok(())
}
