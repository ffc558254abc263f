//! `trove bench --push`: against the `[typesense]` cluster (loopback nodes only), in one run:
//! - push throughput: `trove push` of generated documents next to Typesense's own bulk import
//!   of the same JSONL with curl (one request, the baseline);
//! - search latency: p50/p99 of `/search` through `trove serve --engine typesense` next to the
//!   same searches sent straight to the cluster (the translated parameters, one HTTP GET each),
//!   interleaved so both see the same cluster state.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use trove::cluster::typesense::query::translate;
use trove::cluster::typesense::{enc, Typesense};
use trove::cluster::{push, ClusterConfig, Engine, PushOptions};
use trove::http::cluster::ClusterServe;
use trove::http::ServeOptions;
use trove::search::query::parse;
use trove::search::SearchRequest;
use trove::Document;

/// Searches per engine.
const SEARCHES: usize = 400;

/// Runs the push and search benchmarks; `tmp` is a scratch folder.
pub fn run(
    cluster: &ClusterConfig,
    docs: &[Document],
    tmp: &Path,
    json: bool,
) -> anyhow::Result<()> {
    check_loopback(cluster)?;
    let data = tmp.join("push-data");
    trove::bench::import(&data, docs)?;
    let rt = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    let engine = Arc::new(Typesense::new(&cluster.nodes, cluster.api_key.clone())?);
    let stamp = chrono::Utc::now().timestamp_millis();
    let alias = format!("trove_bench_{stamp}");
    let curl = rt.block_on(curl_import(&engine, cluster, docs, tmp, stamp))?;
    let start = Instant::now();
    let report = rt.block_on(push(
        Arc::clone(&engine),
        &alias,
        &data,
        &PushOptions::default(),
        &|_| {},
    ))?;
    let pushed = start.elapsed();
    let latency = search_latency(&rt, &engine, cluster, &alias, &data, docs);
    rt.block_on(cleanup(&engine, &alias, stamp));
    let (serve, direct) = latency?;
    let push_rate = report.upserts as f64 / pushed.as_secs_f64();
    let curl_rate = docs.len() as f64 / curl.as_secs_f64();
    if json {
        let v = serde_json::json!({
            "documents": docs.len(),
            "push_docs_per_sec": push_rate, "curl_import_docs_per_sec": curl_rate,
            "push_ratio": push_rate / curl_rate,
            "serve_p50_ms": ms(serve.0), "serve_p99_ms": ms(serve.1),
            "direct_p50_ms": ms(direct.0), "direct_p99_ms": ms(direct.1),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    println!(
        "{:<38} {:>12} {:>10}",
        "push (same documents, same cluster)", "docs/s", "ratio"
    );
    println!(
        "{:<38} {:>12.0} {:>10}",
        "typesense bulk import (curl)", curl_rate, "1.00"
    );
    println!(
        "{:<38} {:>12.0} {:>10.2}",
        "trove push",
        push_rate,
        push_rate / curl_rate
    );
    println!(
        "\n{:<38} {:>9} {:>9}   ({SEARCHES} searches each)",
        "search", "p50 ms", "p99 ms"
    );
    println!(
        "{:<38} {:>9.2} {:>9.2}",
        "typesense directly",
        ms(direct.0),
        ms(direct.1)
    );
    println!(
        "{:<38} {:>9.2} {:>9.2}",
        "trove serve --engine typesense",
        ms(serve.0),
        ms(serve.1)
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Benchmark load goes to this machine only.
fn check_loopback(c: &ClusterConfig) -> anyhow::Result<()> {
    for n in &c.nodes {
        let host = reqwest::Url::parse(n)?
            .host_str()
            .unwrap_or_default()
            .to_owned();
        let local = host == "localhost"
            || host
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if !local {
            bail!("bench --push only loads a cluster on this machine; node {n} is not loopback");
        }
    }
    Ok(())
}

/// Typesense's own bulk import of the JSONL trove would push, with curl, into a fresh
/// collection; returns the time of the import request.
async fn curl_import(
    e: &Typesense,
    c: &ClusterConfig,
    docs: &[Document],
    tmp: &Path,
    stamp: i64,
) -> anyhow::Result<Duration> {
    let name = format!("trove_bench_curl_{stamp}");
    e.create_collection(&name).await?;
    let jsonl = tmp.join("bench.jsonl");
    let mut body = String::new();
    for d in docs {
        body.push_str(&e.bulk_line(d));
        body.push('\n');
    }
    std::fs::write(&jsonl, body)?;
    // The key goes in a header file, never on the command line (the process list shows it).
    let headers = tmp.join("curl-headers");
    write_private(
        &headers,
        &format!("X-TYPESENSE-API-KEY: {}\n", c.api_key.expose()),
    )?;
    let url = format!(
        "{}/collections/{name}/documents/import?action=upsert",
        c.nodes[0].trim_end_matches('/')
    );
    let start = Instant::now();
    let out = std::process::Command::new("curl")
        .args(["-sS", "--fail", "-X", "POST", "-H"])
        .arg(format!("@{}", headers.display()))
        .arg("--data-binary")
        .arg(format!("@{}", jsonl.display()))
        .arg(&url)
        .output()
        .context("running curl (install it to compare with Typesense's own bulk import)")?;
    let _ = std::fs::remove_file(&headers);
    // Like a push, done when every node serves every document (followers index after the ack).
    while e
        .counts(&name)
        .await
        .iter()
        .any(|n| *n != Some(docs.len() as u64))
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = start.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    let ok = text
        .lines()
        .filter(|l| l.contains("\"success\":true"))
        .count();
    if !out.status.success() || ok != docs.len() {
        bail!(
            "curl import: {ok} of {} documents acknowledged: {}",
            docs.len(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(took)
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

/// (p50, p99) through `trove serve --engine typesense` and straight to the cluster.
fn search_latency(
    rt: &tokio::runtime::Runtime,
    e: &Arc<Typesense>,
    c: &ClusterConfig,
    alias: &str,
    data: &Path,
    docs: &[Document],
) -> anyhow::Result<((Duration, Duration), (Duration, Duration))> {
    let mut cfg = c.clone();
    cfg.collection = alias.to_owned();
    let addr = start_server(data, cfg)?;
    let http = reqwest::Client::new();
    let queries: Vec<String> = (0..SEARCHES)
        .map(|i| {
            docs[(i * 7919) % docs.len()]
                .title
                .split(' ')
                .next()
                .unwrap_or("x")
                .to_owned()
        })
        .collect();
    let (mut serve, mut direct) = (Vec::new(), Vec::new());
    rt.block_on(async {
        for (i, q) in queries.iter().enumerate() {
            serve.push(timed(&http, &format!("http://{addr}/search?q={}", enc(q)), None).await?);
            // Round robin over the nodes, as trove's client spreads its searches.
            let node = &c.nodes[i % c.nodes.len()];
            direct.push(timed(&http, &direct_url(e, node, alias, q)?, Some(c)).await?);
        }
        anyhow::Ok(())
    })?;
    Ok((
        trove::bench::percentiles(serve),
        trove::bench::percentiles(direct),
    ))
}

/// The cluster's search URL with the parameters trove's translation produces for `q`.
fn direct_url(e: &Typesense, node: &str, alias: &str, q: &str) -> anyhow::Result<String> {
    let req = SearchRequest {
        query: q.to_owned(),
        limit: 10,
        facets: true,
        ..SearchRequest::default()
    };
    let params = translate(&parse(q)?, &req, &e.schema)?;
    let qs: Vec<String> = params
        .pairs(&req, "id,source,kind,title,path,url,updated_at,body")
        .iter()
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    Ok(format!(
        "{}/collections/{alias}/documents/search?{}",
        node.trim_end_matches('/'),
        qs.join("&")
    ))
}

async fn timed(
    http: &reqwest::Client,
    url: &str,
    key: Option<&ClusterConfig>,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let mut req = http.get(url);
    if let Some(c) = key {
        req = req.header("X-TYPESENSE-API-KEY", c.api_key.expose());
    }
    let resp = req.send().await?;
    let status = resp.status();
    resp.bytes().await?;
    if !status.is_success() {
        bail!("search answered {status}");
    }
    Ok(start.elapsed())
}

/// `trove serve --engine typesense` in this process on a free loopback port.
fn start_server(data: &Path, cluster: ClusterConfig) -> anyhow::Result<SocketAddr> {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = std_listener.local_addr()?;
    std_listener.set_nonblocking(true)?;
    let opts = ServeOptions {
        addr,
        data_dir: data.to_owned(),
        config: None,
        api_key: None,
        sync_every: None,
        model_dir: None,
        query_timeout: trove::http::routes::WORK_TIMEOUT,
        cluster: Some(ClusterServe {
            config: cluster,
            search: true,
        }),
    };
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Runtime::new() else {
            return;
        };
        rt.block_on(async move {
            if let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) {
                let _ = trove::http::serve_on(listener, opts, std::future::pending()).await;
            }
        });
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(addr).is_err() {
        if Instant::now() > deadline {
            bail!("the benchmark server did not start");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(addr)
}

/// Drops the benchmark's collections.
async fn cleanup(e: &Typesense, alias: &str, stamp: i64) {
    if let Ok(Some(target)) = e.alias_target(alias).await {
        let _ = e.drop_collection(&target).await;
    }
    let _ = e
        .drop_collection(&format!("trove_bench_curl_{stamp}"))
        .await;
}
