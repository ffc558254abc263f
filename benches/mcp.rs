//! Round-trip latency of the MCP `search` tool over stdio (`trove mcp`, a child process) and
//! over Streamable HTTP (`/mcp` in `trove serve`), next to `GET /search` and to the same queries
//! on the [`Searcher`] directly (the baseline), all in one run on one generated corpus. One
//! client, one request at a time: the latency an assistant sees per call.
//!
//! `cargo bench --bench mcp`. `TROVE_BENCH_DOCS` (default 100000) sets the corpus size,
//! `TROVE_BENCH_QUERIES` (per phase, default 1000) the number of searches.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use rmcp::model::CallToolRequestParams;
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{ConfigureCommandExt, StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use trove::bench::corpus::{Corpus, Rng};
use trove::bench::query::start_server;
use trove::index::TroveIndex;
use trove::search::{SearchRequest, Searcher};
use trove::store::Store;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One- and two-word queries drawn from the corpus vocabulary (Zipf: common and rare words).
fn queries(corpus: &Corpus) -> Vec<String> {
    let mut rng = Rng::new(7);
    (0..200)
        .map(|i| {
            let a = corpus.word(&mut rng).to_owned();
            if i % 2 == 0 {
                a
            } else {
                format!("{a} {}", corpus.word(&mut rng))
            }
        })
        .collect()
}

/// Latency percentiles of one phase.
struct Stats {
    p50: Duration,
    p99: Duration,
}

fn stats(mut lat: Vec<Duration>) -> Stats {
    lat.sort();
    let pick = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    Stats {
        p50: pick(0.5),
        p99: pick(0.99),
    }
}

/// Runs `one` for `total` queries in sequence, timing each.
async fn timed<F, Fut>(qs: &[String], total: usize, mut one: F) -> anyhow::Result<Stats>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut lat = Vec::with_capacity(total);
    for i in 0..total {
        let t0 = Instant::now();
        one(qs[i % qs.len()].clone()).await?;
        lat.push(t0.elapsed());
    }
    Ok(stats(lat))
}

fn request(q: String, facets: bool) -> SearchRequest {
    SearchRequest {
        query: q,
        limit: 10,
        facets,
        ..SearchRequest::default()
    }
}

type Client = RunningService<RoleClient, ()>;

/// One `search` tool call; fails on a tool error.
async fn mcp_search(client: &Client, q: String) -> anyhow::Result<()> {
    let args = serde_json::json!({ "query": q, "limit": 10 });
    let serde_json::Value::Object(args) = args else {
        anyhow::bail!("arguments are an object")
    };
    let r = client
        .call_tool(CallToolRequestParams::new("search").with_arguments(args))
        .await?;
    anyhow::ensure!(r.is_error != Some(true), "tool error: {:?}", r.content);
    Ok(())
}

/// The clients of every phase, connected and warm.
struct Clients {
    searcher: Searcher,
    store: Store,
    http: reqwest::Client,
    search_url: String,
    mcp_http: Client,
    mcp_stdio: Client,
}

async fn connect(data_dir: &Path, addr: std::net::SocketAddr) -> anyhow::Result<Clients> {
    let dir = data_dir.to_owned();
    let stdio = TokioChildProcess::new(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_trove")).configure(|c| {
            c.arg("--data-dir").arg(&dir).arg("mcp");
        }),
    )?;
    let http = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(format!("http://{addr}/mcp")),
    );
    Ok(Clients {
        searcher: Searcher::new(TroveIndex::open(data_dir)?)?,
        store: Store::open(data_dir)?,
        http: reqwest::Client::new(),
        search_url: format!("http://{addr}/search"),
        mcp_http: ().serve(http).await?,
        mcp_stdio: ().serve(stdio).await?,
    })
}

/// The five phases, in this order; each returns its stats.
const PHASES: [&str; 5] = [
    "direct, facets off",
    "direct, facets on",
    "HTTP GET /search",
    "MCP search, HTTP",
    "MCP search, stdio",
];

async fn phase(c: &Clients, which: usize, qs: &[String], n: usize) -> anyhow::Result<Stats> {
    match which {
        0 | 1 => {
            let facets = which == 1;
            timed(qs, n, |q| {
                let r = c.searcher.search(&request(q, facets), &c.store);
                async move { r.map(drop).map_err(Into::into) }
            })
            .await
        }
        2 => {
            timed(qs, n, |q| async move {
                let r = c.http.get(&c.search_url).query(&[("q", q)]).send().await?;
                anyhow::ensure!(r.status().is_success(), "status {}", r.status());
                r.bytes().await?;
                Ok(())
            })
            .await
        }
        3 => timed(qs, n, |q| mcp_search(&c.mcp_http, q)).await,
        _ => timed(qs, n, |q| mcp_search(&c.mcp_stdio, q)).await,
    }
}

/// Rounds per phase: phases alternate and each keeps its best p50, so a noisy neighbour
/// slowing one phase does not pass for transport overhead.
const ROUNDS: usize = 3;

fn main() -> anyhow::Result<()> {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let n = env_usize("TROVE_BENCH_DOCS", if quick { 2_000 } else { 100_000 });
    let total = env_usize("TROVE_BENCH_QUERIES", if quick { 100 } else { 1_000 });
    let dir = tempfile::tempdir()?;
    let corpus = Corpus::standard();
    let docs = corpus.documents(1, n as u64);
    let m = trove::bench::import(dir.path(), &docs)?;
    drop(docs);
    println!(
        "imported {n} generated documents in {:.1}s",
        m.elapsed.as_secs_f64()
    );
    let qs = queries(&corpus);
    let addr = start_server(dir.path())?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let clients = connect(dir.path(), addr).await?;
        for which in 0..PHASES.len() {
            phase(&clients, which, &qs, qs.len()).await?; // warm-up
        }
        let mut best: Vec<Option<Stats>> = (0..PHASES.len()).map(|_| None).collect();
        for _ in 0..ROUNDS {
            for (which, slot) in best.iter_mut().enumerate() {
                let s = phase(&clients, which, &qs, total).await?;
                if slot.as_ref().is_none_or(|b| s.p50 < b.p50) {
                    *slot = Some(s);
                }
            }
        }
        report(n, total, &best);
        let _ = clients.mcp_stdio.cancel().await;
        let _ = clients.mcp_http.cancel().await;
        anyhow::Ok(())
    })
}

fn report(n: usize, total: usize, best: &[Option<Stats>]) {
    println!(
        "{n} documents, {total} sequential searches per phase (limit 10), best of {ROUNDS} rounds:"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for (name, s) in PHASES.iter().zip(best) {
        if let Some(s) = s {
            println!(
                "{name:<20} p50 {:>7.2} ms   p99 {:>7.2} ms",
                ms(s.p50),
                ms(s.p99)
            );
        }
    }
    if let [Some(off), _, Some(get), Some(http), Some(stdio)] = best {
        println!(
            "p50 over direct (facets off): /search {:+.2} ms, MCP HTTP {:+.2} ms, MCP stdio {:+.2} ms",
            ms(get.p50) - ms(off.p50),
            ms(http.p50) - ms(off.p50),
            ms(stdio.p50) - ms(off.p50)
        );
    }
}
