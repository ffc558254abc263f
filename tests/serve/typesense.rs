//! trove against a real three-node Typesense cluster (tests/serve/typesense_harness.rs): push by change
//! sequence, equal answers to the local index, edits and deletes, a leader SIGKILLed in the
//! middle of a push under search load, `push --rebuild` under search load, and clear errors
//! for a wrong API key or an unreachable cluster.
//!
//! One cluster serves every test of this binary (it takes ~15 s to elect a leader); tests take
//! turns on it through [`cluster`], each with its own alias and data folder.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crate::typesense_harness::{Cluster, KEY};
use trove::cluster::typesense::Typesense;
use trove::cluster::{push, Lag, PushOptions, PushReport, PushState};
use trove::index::TroveIndex;
use trove::search::{SearchRequest, SearchResponse, Searcher};
use trove::secret::Secret;
use trove::store::Store;
use trove::Document;

/// The shared cluster, held by one test at a time. `None` outside CI without the server.
fn cluster() -> MutexGuard<'static, Option<Cluster>> {
    static CLUSTER: OnceLock<Mutex<Option<Cluster>>> = OnceLock::new();
    let mut guard = CLUSTER
        .get_or_init(|| Mutex::new(Cluster::start(3)))
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(c) = guard.as_mut() {
        c.revive();
    }
    guard
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn engine(c: &Cluster) -> Arc<Typesense> {
    Arc::new(Typesense::new(&c.urls(), Secret::new(KEY)).expect("client"))
}

/// A data folder with `docs` in the store and the local index.
fn data_with(docs: &[Document]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path()).expect("store");
    for chunk in docs.chunks(5_000) {
        store.upsert_all(chunk).expect("upsert");
    }
    catch_up(dir.path());
    dir
}

fn catch_up(dir: &Path) {
    let mut store = Store::open(dir).expect("store");
    TroveIndex::open(dir)
        .expect("index")
        .catch_up(&mut store)
        .expect("catch up");
}

fn push_to(
    rt: &tokio::runtime::Runtime,
    e: &Arc<Typesense>,
    alias: &str,
    dir: &Path,
    rebuild: bool,
) -> PushReport {
    let opts = PushOptions {
        rebuild,
        grace: Duration::from_secs(1),
        ..PushOptions::default()
    };
    rt.block_on(push(Arc::clone(e), alias, dir, &opts, &|_| {}))
        .expect("push")
}

fn local_search(dir: &Path, req: &SearchRequest) -> SearchResponse {
    let store = Store::open(dir).expect("store");
    let s = Searcher::new(TroveIndex::open(dir).expect("index")).expect("searcher");
    s.search(req, &store).expect("local search")
}

fn req(q: &str) -> SearchRequest {
    SearchRequest {
        query: q.into(),
        limit: 100,
        facets: true,
        // Typesense counts every match; the local engine does when asked (else 10,000+).
        exact_total: true,
        ..SearchRequest::default()
    }
}

fn ids(r: &SearchResponse) -> BTreeSet<String> {
    r.hits.iter().map(|h| h.id.clone()).collect()
}

/// Words of a document's title and body, in order, lowercased.
fn words(d: &Document) -> Vec<String> {
    format!("{} {}", d.title, d.body)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .map(str::to_lowercase)
        .collect()
}

/// Two adjacent body words of a document.
fn adjacent(d: &Document) -> String {
    let b: Vec<&str> = d.body.split(' ').collect();
    format!(
        "{} {}",
        b[2].trim_end_matches('.'),
        b[3].trim_end_matches('.')
    )
}

/// The fixed query set: built from fixed documents of the seeded corpus, one query per
/// translatable construct, each with a meaning both engines share.
fn query_set(docs: &[Document]) -> Vec<SearchRequest> {
    let w = |i: usize| words(&docs[i]);
    let mut df = std::collections::HashMap::<String, usize>::new();
    for d in docs {
        for word in words(d).into_iter().collect::<BTreeSet<_>>() {
            *df.entry(word).or_default() += 1;
        }
    }
    // The document's rarest word, so that whole answers (up to 100 hits) can be compared.
    let last = |i: usize| {
        w(i).into_iter()
            .min_by_key(|x| (df[x], x.clone()))
            .unwrap_or_default()
    };
    let mut out: Vec<SearchRequest> = [
        last(7),
        last(1_234),
        format!("+\"{}\"", adjacent(&docs[11])),
        // A plain phrase matches only the phrase (locally too: proximity only ranks).
        format!("\"{}\"", adjacent(&docs[12])),
        format!("+{} +{}", w(13)[0], w(13)[1]),
        format!("{} -{}", last(21), w(21)[0]),
        format!("+{} +source:notion", last(40)),
        format!("+{} -kind:item", last(42)),
        format!("title:{}", last(99)),
        "source:monday".into(),
        "tags:stuck".into(),
        // Values of one field are alternatives, in both engines.
        format!("+{} +tags:stuck +tags:done", w(14)[0]),
        "area".into(),
    ]
    .iter()
    .map(|q| req(q))
    .collect();
    let mut filtered = req(&last(300));
    filtered.tags = vec!["Working on it".into()];
    filtered.kind = Some("item".into()); // "Working on it" documents are odd, so items
    out.push(filtered);
    let mut dated = req(&w(500)[1]);
    dated.updated_after = docs[20_000].updated_at;
    dated.updated_before = docs[40_000].updated_at;
    out.push(dated);
    out
}

#[test]
fn push_of_50k_documents_gives_equal_counts_and_equal_answers() {
    let guard = cluster();
    let Some(c) = guard.as_ref() else { return };
    let docs = crate::util::generated(50_000, 40);
    let dir = data_with(&docs);
    let (rt, e) = (rt(), engine(c));
    let report = push_to(&rt, &e, "big", dir.path(), false);
    // A first push settles: every node serves the alias with every document.
    let target = rt.block_on(e.alias_target("big")).unwrap().unwrap();
    assert!(
        c.all_hold(&target, 50_000),
        "a node lacks documents after the push settled"
    );
    assert_eq!(report.upserts, 50_000);
    assert!(report.rebuilt, "a first push loads a new collection");
    let store = Store::open(dir.path()).expect("store");
    assert_eq!(
        rt.block_on(e.count("big")).expect("count"),
        store.count(None).unwrap()
    );
    let lag = Lag::of(&store, "big").expect("lag");
    assert_eq!((lag.changes, lag.seconds), (0, 0.0));

    let mut compared_sets = 0;
    for q in query_set(&docs) {
        let local = local_search(dir.path(), &q);
        let remote = rt.block_on(e.search("big", &q)).expect("cluster search");
        assert!(
            local.total > 0,
            "query {:?} matches nothing locally",
            q.query
        );
        assert_eq!(local.total, remote.total, "totals differ for {:?}", q.query);
        if local.total <= 100 {
            assert_eq!(ids(&local), ids(&remote), "hits differ for {:?}", q.query);
            compared_sets += 1;
        }
        let (lf, rf) = (local.facets.unwrap(), remote.facets.unwrap());
        let sorted = |mut v: Vec<(String, u64)>| {
            v.sort();
            v
        };
        assert_eq!(sorted(lf.source), sorted(rf.source), "{:?}", q.query);
        assert_eq!(sorted(lf.kind), sorted(rf.kind), "{:?}", q.query);
        assert_eq!(sorted(lf.tags), sorted(rf.tags), "{:?}", q.query);
    }
    assert!(
        compared_sets >= 5,
        "the query set must compare whole answers"
    );
    // Hits carry what the page shows, snippets highlighted as the local index does.
    let r = rt
        .block_on(e.search("big", &req(&words(&docs[7])[0])))
        .unwrap();
    let hit = &r.hits[0];
    assert!(!hit.title.is_empty() && !hit.url.is_empty() && hit.updated_at.is_some());
    assert!(
        r.hits.iter().any(|h| h.snippet.contains("<b>")),
        "{:?}",
        r.hits[0]
    );
    let doc = rt
        .block_on(e.document("big", &docs[3].id))
        .unwrap()
        .unwrap();
    assert_eq!(doc, docs[3]);
    drop_alias(&rt, &e, "big");
}

/// Followers apply acknowledged writes a moment later: waits until `f` holds on what the
/// cluster serves (at most 30 s).
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "never true: {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn drop_alias(rt: &tokio::runtime::Runtime, e: &Typesense, alias: &str) {
    if let Some(target) = rt.block_on(e.alias_target(alias)).unwrap() {
        rt.block_on(e.drop_collection(&target)).unwrap();
    }
}

#[test]
fn edits_and_deletes_propagate_and_a_second_push_sends_nothing() {
    let guard = cluster();
    let Some(c) = guard.as_ref() else { return };
    let docs = crate::util::generated(300, 30);
    let dir = data_with(&docs);
    let (rt, e) = (rt(), engine(c));
    push_to(&rt, &e, "edits", dir.path(), false);

    let mut store = Store::open(dir.path()).unwrap();
    let mut edited = docs[5].clone();
    edited.title = "Quarterly zyxwv review".into();
    store.upsert_all(&[edited.clone()]).unwrap();
    let gone: Vec<String> = docs[10..20].iter().map(|d| d.id.clone()).collect();
    store.delete_all(&gone).unwrap();
    catch_up(dir.path());

    let r = push_to(&rt, &e, "edits", dir.path(), false);
    assert_eq!((r.upserts, r.deletes, r.rebuilt), (1, 10, false));
    eventually("290 documents", || {
        rt.block_on(e.count("edits")).unwrap() == 290
    });
    eventually("the edit is searchable", || {
        let hits = rt.block_on(e.search("edits", &req("zyxwv"))).unwrap();
        hits.hits.len() == 1 && hits.hits[0].title == edited.title
    });
    eventually("deleted documents are gone", || {
        gone.iter()
            .all(|id| rt.block_on(e.document("edits", id)).unwrap().is_none())
    });
    let again = push_to(&rt, &e, "edits", dir.path(), false);
    assert_eq!((again.upserts, again.deletes), (0, 0));
    let state = PushState::load(&store, "edits").unwrap().unwrap();
    assert_eq!(state.seq, store.max_seq().unwrap());
    drop_alias(&rt, &e, "edits");
}

/// Searches in a loop on `threads` threads until stopped; counts successes and failures.
struct Load {
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<Mutex<Vec<String>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(
        threads: usize,
        search: Arc<dyn Fn(usize) -> Result<(), String> + Send + Sync>,
    ) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(Mutex::new(Vec::new()));
        let threads = (0..threads)
            .map(|t| {
                let (stop, ok, failed, search) =
                    (stop.clone(), ok.clone(), failed.clone(), search.clone());
                std::thread::spawn(move || {
                    let mut i = t;
                    while !stop.load(Ordering::Relaxed) {
                        match search(i) {
                            Ok(()) => ok.fetch_add(1, Ordering::Relaxed),
                            Err(e) => {
                                failed.lock().unwrap().push(e);
                                0
                            }
                        };
                        i += threads;
                        std::thread::sleep(Duration::from_millis(20));
                    }
                })
            })
            .collect();
        Load {
            stop,
            ok,
            failed,
            threads,
        }
    }

    /// Stops the load; returns (successful searches, failures).
    fn finish(self) -> (u64, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().expect("load thread");
        }
        (
            self.ok.load(Ordering::Relaxed),
            self.failed.lock().unwrap().clone(),
        )
    }
}

/// A `trove.toml` in `dir` naming the cluster (key in `$TS_KEY`) and `alias`.
fn write_config(c: &Cluster, dir: &Path, alias: &str) -> std::path::PathBuf {
    let path = dir.join("trove.toml");
    std::fs::write(&path, c.toml("TS_KEY", alias)).expect("write trove.toml");
    path
}

/// `trove serve --engine typesense` on `dir`, answering from `alias`.
fn serve(
    c: &Cluster,
    dir: tempfile::TempDir,
    alias: &str,
) -> (crate::harness::Server, crate::harness::Data) {
    let config = write_config(c, dir.path(), alias);
    let data = crate::harness::Data { dir };
    let config = config.to_str().expect("utf-8 path").to_owned();
    let server = crate::harness::Server::start(
        &data,
        &["--engine", "typesense", "--config", &config],
        &[("TS_KEY", KEY)],
    );
    (server, data)
}

/// Search load through `trove serve` over HTTP: any answer but 200 is a failed search.
fn serve_load(addr: &str, queries: Vec<String>) -> Load {
    let addr = addr.to_owned();
    Load::start(
        4,
        Arc::new(move |i| {
            let q = &queries[i % queries.len()];
            match crate::harness::try_get(&addr, &format!("/search?q={q}&limit=10"), &[]) {
                Ok((200, _)) => Ok(()),
                Ok((code, body)) => Err(format!("{code}: {body}")),
                Err(e) => Err(e.to_string()),
            }
        }),
    )
}

#[test]
fn leader_killed_mid_push_under_search_load_loses_and_duplicates_nothing() {
    let mut guard = cluster();
    let Some(c) = guard.as_mut() else { return };
    let docs = crate::util::generated(30_000, 30);
    let (head, tail) = docs.split_at(2_000);
    let dir = data_with(head);
    let (rt, e) = (rt(), engine(c));
    push_to(&rt, &e, "failover", dir.path(), false);
    let mut store = Store::open(dir.path()).unwrap();
    for chunk in tail.chunks(5_000) {
        store.upsert_all(chunk).unwrap();
    }
    catch_up(dir.path());

    let queries: Vec<String> = (0..50).map(|i| words(&head[i])[0].clone()).collect();
    let path = dir.path().to_owned();
    let (server, _data) = serve(c, dir, "failover");
    let load = serve_load(&server.addr, queries);
    let pusher = {
        let (e, path) = (Arc::clone(&e), path.clone());
        std::thread::spawn(move || {
            let opts = PushOptions {
                batch: 500,
                ..PushOptions::default()
            };
            self::rt().block_on(push(e, "failover", &path, &opts, &|_| {}))
        })
    };
    // Kill the leader once the push is under way.
    let start = Instant::now();
    while rt.block_on(e.count("failover")).unwrap_or(0) < 6_000 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "push did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let leader = c.leader().expect("a leader");
    c.kill(leader);
    let report = pusher
        .join()
        .unwrap()
        .expect("push completes after re-election");
    let (ok, failed) = load.finish();
    assert!(
        failed.is_empty(),
        "{} of {} searches failed: {:?}",
        failed.len(),
        ok,
        &failed[..failed.len().min(3)]
    );
    assert!(ok > 20, "only {ok} searches ran");
    assert!(report.upserts >= tail.len() as u64 - 500);

    let store = Store::open(&path).unwrap();
    let target = rt.block_on(e.alias_target("failover")).unwrap().unwrap();
    eventually(
        "every live node holds 30,000 documents: nothing lost or duplicated",
        || c.all_hold(&target, 30_000),
    );
    assert_eq!(
        PushState::load(&store, "failover").unwrap().unwrap().seq,
        store.max_seq().unwrap()
    );
    for d in docs.iter().step_by(997) {
        eventually(&format!("{} is found", d.id), || {
            rt.block_on(e.document("failover", &d.id))
                .unwrap()
                .is_some()
        });
    }
    c.restart(leader);
    drop_alias(&rt, &e, "failover");
}

#[test]
fn push_rebuild_under_search_load_fails_no_search() {
    let guard = cluster();
    let Some(c) = guard.as_ref() else { return };
    let docs = crate::util::generated(8_000, 30);
    let dir = data_with(&docs);
    let (rt, e) = (rt(), engine(c));
    let first = push_to(&rt, &e, "swap", dir.path(), false);
    let queries: Vec<String> = (0..50).map(|i| words(&docs[i])[0].clone()).collect();
    let path = dir.path().to_owned();
    let (server, _data) = serve(c, dir, "swap");
    let load = serve_load(&server.addr, queries);
    std::thread::sleep(Duration::from_millis(500));
    let out = trove_push(
        &path,
        &path.join("trove.toml"),
        KEY,
        &["--rebuild", "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second: serde_json::Value = serde_json::from_slice(&out.stdout).expect("push --json");
    std::thread::sleep(Duration::from_millis(500));
    let (ok, failed) = load.finish();
    assert!(
        failed.is_empty(),
        "{} of {} searches failed: {:?}",
        failed.len(),
        ok,
        &failed[..failed.len().min(3)]
    );
    assert!(ok > 10, "only {ok} searches ran");
    assert_eq!(second["rebuilt"], true);
    assert_eq!(second["replaced"], first.collection.as_str());
    let new = second["collection"].as_str().unwrap().to_owned();
    assert_eq!(rt.block_on(e.alias_target("swap")).unwrap(), Some(new));
    assert!(
        !rt.block_on(e.collection_exists(&first.collection)).unwrap(),
        "old collection dropped"
    );
    assert_eq!(rt.block_on(e.count("swap")).unwrap(), 8_000);
    // The same answers come through serve as from the engine; status and metrics show the lag.
    let hits = server.json(&format!("/search?q={}", words(&docs[0])[0]), 200);
    assert!(hits["total"].as_u64().unwrap() > 0 && hits["facets"]["source"].is_array());
    let bad = server.json("/search?q=(a%20OR%20b)%20AND%20c", 400);
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Typesense"),
        "{bad}"
    );
    let doc = server.json(&format!("/documents/{}", docs[9].id), 200);
    assert_eq!(doc["title"], docs[9].title.as_str());
    let status = server.json("/status", 200);
    assert_eq!(status["cluster"]["lag"]["changes"], 0, "{status}");
    assert_eq!(status["cluster"]["nodes"].as_array().unwrap().len(), 3);
    let (_, metrics) = server.get("/metrics");
    assert!(
        metrics.contains("trove_cluster_lag_changes{alias=\"swap\"} 0"),
        "{metrics}"
    );
    assert!(metrics.contains("trove_cluster_node_leader"), "{metrics}");
    drop_alias(&rt, &e, "swap");
}

/// A library push that must fail; its message.
fn failed_push(rt: &tokio::runtime::Runtime, nodes: Vec<String>, key: &str, dir: &Path) -> String {
    let engine = Arc::new(Typesense::new(&nodes, Secret::new(key)).unwrap());
    rt.block_on(push(engine, "keys", dir, &PushOptions::default(), &|_| {}))
        .unwrap_err()
        .to_string()
}

/// Runs `trove push ARGS` on `dir` with `config`, the key in `$TS_KEY`.
fn trove_push(dir: &Path, config: &Path, key: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(crate::harness::BIN)
        .arg("--data-dir")
        .arg(dir)
        .arg("--config")
        .arg(config)
        .arg("push")
        .args(args)
        .env("TS_KEY", key)
        .output()
        .expect("run trove push")
}

#[test]
fn wrong_key_and_unreachable_cluster_are_clear_errors_and_leave_the_store_alone() {
    let guard = cluster();
    let Some(c) = guard.as_ref() else { return };
    let docs = crate::util::generated(50, 20);
    let dir = data_with(&docs);
    let seq_before = Store::open(dir.path()).unwrap().max_seq().unwrap();
    let rt = rt();
    let e = failed_push(&rt, c.urls(), "not-the-key", dir.path());
    assert!(e.contains("refused the API key"), "{e}");
    assert!(!e.contains("not-the-key"), "{e}");
    let e = failed_push(&rt, vec!["http://127.0.0.1:9".into()], KEY, dir.path());
    assert!(
        e.contains("no Typesense node answered") && e.contains("127.0.0.1:9"),
        "{e}"
    );
    assert!(!e.contains(KEY), "{e}");
    // The same through the binary: exit 1, the message says what to fix, no key in it.
    let config = write_config(c, dir.path(), "keys");
    let out = trove_push(dir.path(), &config, "wrong-key-123", &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("api_key_env") && !stderr.contains("wrong-key-123"),
        "{stderr}"
    );
    let store = Store::open(dir.path()).unwrap();
    assert!(
        PushState::load(&store, "keys").unwrap().is_none(),
        "nothing recorded"
    );
    assert_eq!(store.max_seq().unwrap(), seq_before);
    assert_eq!(store.count(None).unwrap(), 50);
    assert_eq!(
        store.get(&docs[0].id).unwrap().unwrap().title,
        docs[0].title
    );
}

#[test]
fn import_pushes_at_its_end_and_status_shows_lag_and_nodes() {
    let guard = cluster();
    let Some(c) = guard.as_ref() else { return };
    let t = crate::util::Trove::new();
    let config = write_config(c, t.dir.path(), "auto");
    let docs = crate::util::generated(120, 20);
    let file = t.write_ndjson("docs.ndjson", &docs);
    let run = |args: &[&str]| {
        let out = t
            .cmd()
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("TS_KEY", KEY)
            .output()
            .expect("run trove");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            crate::util::stderr(&out)
        );
        crate::util::stdout(&out)
    };
    let said = run(&["import", file.to_str().unwrap()]);
    assert!(
        said.contains("pushed to the cluster: 120 upserts"),
        "{said}"
    );
    let status: serde_json::Value = serde_json::from_str(&run(&["status", "--json"])).unwrap();
    let cluster = &status["cluster"];
    assert_eq!(cluster["lag"]["changes"], 0, "{status}");
    assert_eq!(cluster["lag"]["seconds"], 0.0, "{status}");
    let nodes = cluster["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    assert!(nodes.iter().all(|n| n["ok"] == true), "{status}");
    assert_eq!(
        nodes.iter().filter(|n| n["role"] == "leader").count(),
        1,
        "{status}"
    );
    let human = run(&["status"]);
    assert!(
        human.contains("cluster:") && human.contains("up to date"),
        "{human}"
    );
    let (rt, e) = (rt(), engine(c));
    assert_eq!(rt.block_on(e.count("auto")).unwrap(), 120);
    drop_alias(&rt, &e, "auto");
}
