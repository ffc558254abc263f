//! End-to-end tests of the core commands: the real binary on temporary data folders.

use std::time::{Duration, Instant};

use crate::util::{generated, hit_ids, stderr, Trove};
use trove::Document;

fn handmade() -> Vec<Document> {
    let mut a = Document::new(
        "wiki:heat",
        "Heat transfer in high-speed aircraft",
        "Aerodynamic heating of the skin is the main problem of sustained high speed flight.",
    );
    a.kind = "page".into();
    a.path = vec!["Engineering".into(), "Aero".into()];
    a.url = "https://example.com/heat".into();
    a.tags = vec!["Research".into()];
    let mut b = Document::new(
        "wiki:garden",
        "Garden notes",
        "Tomatoes suffer in heat waves; water them early.",
    );
    b.kind = "page".into();
    let mut c = Document::new(
        "tasks:42",
        "Fix login bug",
        "Users cannot log in after the password reset. Heat map shows where they click.",
    );
    c.kind = "item".into();
    c.tags = vec!["Stuck".into()];
    c.raw = serde_json::json!({"id": "42", "column_values": [{"id": "status", "text": "Stuck"}]});
    vec![a, b, c]
}

#[test]
fn import_search_export_round_trip() {
    let t = Trove::new();
    let mut docs = handmade();
    docs.extend(generated(2_000, 80));
    let file = t.write_ndjson("docs.ndjson", &docs);
    t.ok(&["import", file.to_str().unwrap()]);

    let v = t.search(
        "what are the heat transfer problems of high-speed aircraft?",
        &[],
    );
    assert_eq!(
        hit_ids(&v).first().map(String::as_str),
        Some("wiki:heat"),
        "{v}"
    );
    assert!(
        v["hits"][0]["snippet"].as_str().unwrap().contains("<b>"),
        "{v}"
    );
    assert_eq!(v["hits"][0]["path"], "Engineering › Aero");

    let v = t.search("heat", &["--kind", "item", "--limit", "100"]);
    assert!(hit_ids(&v).contains(&"tasks:42".to_owned()), "{v}");
    assert!(
        v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["kind"] == "item"),
        "{v}"
    );
    let v = t.search("heat", &["--source", "tasks"]);
    assert_eq!(hit_ids(&v), vec!["tasks:42"]);
    // 500 generated documents carry the tag too, with the same score: a second word keeps
    // tasks:42 out of the tie (ties are ordered by segment, which varies between runs).
    let v = t.search("tags:stuck login", &[]);
    assert!(hit_ids(&v).contains(&"tasks:42".to_owned()), "{v}");
    // Filters in the query restrict like the flags do (they used to be mere ranking hints,
    // so other sources matching `heat` came back too).
    let v = t.search("source:tasks heat", &[]);
    assert_eq!(hit_ids(&v), vec!["tasks:42"]);
    let v = t.search("heat kind:item OR kind:page", &["--limit", "100"]);
    assert!(hit_ids(&v).contains(&"tasks:42".to_owned()), "{v}");
    let v = t.search("heat -tomatoes -aircraft", &["--limit", "100"]);
    let ids = hit_ids(&v);
    assert_eq!(ids.first().map(String::as_str), Some("tasks:42"), "{v}");
    assert!(!ids.contains(&"wiki:heat".to_owned()) && !ids.contains(&"wiki:garden".to_owned()));

    let out = t.ok(&["export"]);
    let mut back: Vec<Document> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut want = docs.clone();
    back.sort_by(|a, b| a.id.cmp(&b.id));
    want.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(back.len(), want.len());
    assert_eq!(back, want, "export must round-trip every field");

    // Importing the export changes nothing.
    let again = t.write_ndjson("again.ndjson", &back);
    let out = t.run(&["import", again.to_str().unwrap()]);
    assert!(
        stderr(&out).contains(&format!("{} unchanged", docs.len())),
        "{}",
        stderr(&out)
    );
}

/// Total and ranked (id, score) hits of a query.
fn ranked(t: &Trove, q: &str) -> Ranked {
    let v = t.search(q, &["--limit", "20"]);
    let hits = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["id"].as_str().unwrap().to_owned(),
                h["score"].as_f64().unwrap(),
            )
        })
        .collect();
    (v["total"].as_u64().unwrap(), hits)
}

type Ranked = (u64, Vec<(String, f64)>);

/// Same total, same top-10 documents, and the same order wherever scores are not tied.
/// (Scores themselves may differ by a little: an incremental index still counts replaced
/// versions in its BM25 statistics until segments merge, which moves each score by up to ~2%,
/// so documents within 5% of each other may trade places, also across the top-10 boundary.)
fn assert_same_ranking(q: &str, before: &Ranked, after: &Ranked) {
    assert_eq!(before.0, after.0, "{q}: totals differ");
    let cut = |r: &Ranked| r.1.get(10).map_or(0.0, |h| h.1 * 1.05);
    let top = |r: &Ranked, floor: f64| {
        r.1.iter()
            .take(10)
            .filter(|h| h.1 > floor)
            .map(|h| h.0.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let ids = |r: &Ranked| r.1.iter().take(10).map(|h| h.0.clone()).collect();
    let sure_before = top(before, cut(before));
    let sure_after = top(after, cut(after));
    let (all_before, all_after): (std::collections::BTreeSet<_>, _) = (ids(before), ids(after));
    assert!(
        sure_before.is_subset(&all_after) && sure_after.is_subset(&all_before),
        "{q}: top 10 differ\n{before:?}\n{after:?}"
    );
    let pos = |id: &str| after.1.iter().position(|h| h.0 == id);
    for (i, a) in before.1.iter().enumerate().take(10) {
        for b in before.1.iter().skip(i + 1).take(10) {
            if a.1 > b.1 * 1.05 {
                assert!(
                    pos(&a.0) < pos(&b.0) || pos(&b.0).is_none(),
                    "{q}: {} and {} swapped\n{before:?}\n{after:?}",
                    a.0,
                    b.0
                );
            }
        }
    }
}

#[test]
fn rebuild_gives_the_same_results_as_the_incremental_index() {
    let t = Trove::new();
    let docs = generated(3_000, 120);
    // Incremental history: import in parts, update some, delete some via re-import.
    let (a, b) = docs.split_at(1_500);
    t.ok(&["import", t.write_ndjson("a.ndjson", a).to_str().unwrap()]);
    t.ok(&["import", t.write_ndjson("b.ndjson", b).to_str().unwrap()]);
    let mut changed: Vec<Document> = docs[..300].to_vec();
    for d in &mut changed {
        d.body.push_str(" amended");
    }
    t.ok(&[
        "import",
        t.write_ndjson("c.ndjson", &changed).to_str().unwrap(),
    ]);
    let queries: Vec<String> = docs
        .iter()
        .step_by(301)
        .map(|d| d.title.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .chain(["amended".to_owned()])
        .collect();
    let before: Vec<_> = queries.iter().map(|q| ranked(&t, q)).collect();
    let out = t.ok(&["rebuild"]);
    assert!(out.contains("3000 documents"), "{out}");
    let after: Vec<_> = queries.iter().map(|q| ranked(&t, q)).collect();
    for ((q, b), a) in queries.iter().zip(&before).zip(&after) {
        assert_same_ranking(q, b, a);
    }
    assert!(before.iter().all(|r| !r.1.is_empty()));
}

#[test]
fn killed_import_leaves_store_and_index_in_agreement() {
    let t = Trove::new();
    let docs = generated(100_000, 12);
    let file = t.write_ndjson("big.ndjson", &docs);
    let mut child = t
        .cmd()
        .args(["import", file.to_str().unwrap()])
        .spawn()
        .unwrap();
    // Wait until part of the import is acknowledged (committed to the store), then SIGKILL.
    let start = Instant::now();
    let acknowledged = loop {
        let n = trove::store::Store::open(&t.data())
            .and_then(|s| s.count(None))
            .unwrap_or(0);
        if n >= 20_000 || start.elapsed() > Duration::from_secs(120) {
            break n;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        acknowledged >= 20_000,
        "import too slow to test: {acknowledged}"
    );

    // Any command first brings the index in line with the store.
    let s = t.status();
    let stored = s["documents"].as_u64().unwrap();
    assert!(
        stored >= acknowledged,
        "lost acknowledged documents: {stored} < {acknowledged}"
    );
    assert_eq!(s["index"]["documents"].as_u64(), Some(stored), "{s}");
    assert_eq!(s["index"]["applied_seq"], s["index"]["store_seq"]);
    // Batches commit in file order: every acknowledged document is there.
    let out = t.ok(&["export"]);
    let ids: std::collections::HashSet<String> = out
        .lines()
        .map(|l| serde_json::from_str::<Document>(l).unwrap().id)
        .collect();
    assert_eq!(ids.len() as u64, stored, "duplicate ids in export");
    assert!(docs[..acknowledged as usize]
        .iter()
        .all(|d| ids.contains(&d.id)));

    // Running the import again completes it, with no duplicates.
    t.ok(&["import", file.to_str().unwrap()]);
    let s = t.status();
    assert_eq!(s["documents"].as_u64(), Some(100_000));
    assert_eq!(s["index"]["documents"].as_u64(), Some(100_000));
    let v = t.search(&docs[99_999].title, &[]);
    assert!(hit_ids(&v).contains(&docs[99_999].id));
}

#[test]
fn schema_version_mismatch_asks_for_rebuild() {
    let t = Trove::new();
    t.ok(&[
        "import",
        t.write_ndjson("d.ndjson", &handmade()).to_str().unwrap(),
    ]);
    let index_dir = t.data().join("index");
    let gen = std::fs::read_to_string(index_dir.join("CURRENT")).unwrap();
    let meta_path = index_dir.join(gen.trim()).join("meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    assert!(meta.contains("schema_version\\\":3"), "{meta}");
    std::fs::write(
        &meta_path,
        meta.replace("schema_version\\\":3", "schema_version\\\":0"),
    )
    .unwrap();

    let out = t.run(&["search", "heat"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("schema version 0") && err.contains("trove rebuild"),
        "{err}"
    );
    t.ok(&["rebuild"]);
    assert_eq!(hit_ids(&t.search("aircraft", &[])), vec!["wiki:heat"]);
}

#[test]
fn bad_ndjson_lines_are_named_and_good_lines_kept() {
    let t = Trove::new();
    let path = t.dir.path().join("mixed.ndjson");
    std::fs::write(
        &path,
        "{\"id\":\"m:1\",\"title\":\"Alpha\",\"body\":\"first good line\"}\n\
         {\"id\":\"m:2\",\"title\":\n\
         {\"id\":\"m:3\",\"body\":\"no title here\"}\n\
         {\"id\":\"m:4\",\"title\":\"Delta\",\"body\":\"second good line\"}\n",
    )
    .unwrap();
    let out = t.run(&["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("line 2:"), "{err}");
    assert!(err.contains("line 3: missing field `title`"), "{err}");
    assert_eq!(t.status()["documents"], 2);
    assert_eq!(hit_ids(&t.search("good line", &[])).len(), 2);
}

#[test]
fn bad_queries_exit_2_and_natural_language_never_fails() {
    let t = Trove::new();
    t.ok(&[
        "import",
        t.write_ndjson("d.ndjson", &handmade()).to_str().unwrap(),
    ]);
    let deep = format!("{}heat{}", "(".repeat(1000), ")".repeat(1000));
    for q in [
        "\"unclosed phrase",
        "(heat OR cold",
        "heat AND",
        "title:",
        &deep,
    ] {
        let out = t.run(&["search", q]);
        assert_eq!(out.status.code(), Some(2), "{q}: {}", stderr(&out));
        assert!(stderr(&out).contains("bad query"), "{q}");
    }
    for q in [
        "what's the heat-transfer problem??",
        "c++ & rust!",
        "50% off: deals",
        "-",
        "note: heat",
    ] {
        let out = t.run(&["search", q]);
        assert!(out.status.success(), "{q}: {}", stderr(&out));
    }
}

#[test]
fn missing_import_file_is_a_clear_error() {
    let t = Trove::new();
    let out = t.run(&["import", "nope.ndjson"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot open nope.ndjson"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn mistyped_data_dir_is_silently_created() {
    let t = Trove::new();
    for args in [
        &["search", "heat"][..],
        &["status"],
        &["export"],
        &["rebuild"],
    ] {
        let out = t.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("no trove data in"), "{args:?}: {err}");
        assert!(err.contains(&t.data().display().to_string()), "{err}");
        assert!(!t.data().exists(), "{args:?} created the data folder");
    }
}

#[test]
fn rebuild_from_a_missing_or_empty_store_empties_the_index() {
    let t = Trove::new();
    t.ok(&[
        "import",
        t.write_ndjson("d.ndjson", &handmade()).to_str().unwrap(),
    ]);
    let store = t.data().join("store.sqlite3");
    std::fs::rename(&store, t.dir.path().join("store.bak")).unwrap();
    for f in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(t.data().join(format!("store.sqlite3{f}")));
    }
    for args in [&["rebuild"][..], &["search", "heat"], &["status"]] {
        let err = stderr(&t.run(args));
        assert!(
            err.contains("its store store.sqlite3 is missing"),
            "{args:?}: {err}"
        );
    }
    assert!(!store.exists(), "the store was recreated");
    // An empty store in its place: rebuild refuses without --force.
    std::fs::write(&store, b"").unwrap();
    let out = t.run(&["rebuild"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert!(t.status()["index"]["documents"].as_u64().unwrap() > 0);
    t.ok(&["rebuild", "--force"]);
    assert_eq!(t.status()["index"]["documents"], 0);
}

#[test]
fn invalid_utf8_line_aborts_the_import() {
    let t = Trove::new();
    let path = t.dir.path().join("latin1.ndjson");
    let mut bytes = b"{\"id\":\"m:1\",\"title\":\"Alpha\",\"body\":\"first good line\"}\n".to_vec();
    bytes.extend_from_slice(b"{\"id\":\"m:2\",\"title\":\"caf\xe9\",\"body\":\"x\"}\n");
    bytes
        .extend_from_slice(b"{\"id\":\"m:3\",\"title\":\"Gamma\",\"body\":\"second good line\"}\n");
    std::fs::write(&path, bytes).unwrap();
    let out = t.run(&["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("line 2: not valid UTF-8"),
        "{}",
        stderr(&out)
    );
    assert_eq!(hit_ids(&t.search("good line", &[])).len(), 2);
}

#[test]
fn search_offset_huge_and_head_broken_pipe_panic() {
    let t = Trove::new();
    t.ok(&[
        "import",
        t.write_ndjson("d.ndjson", &handmade()).to_str().unwrap(),
    ]);
    let out = t.run(&["search", "heat", "--offset", "18446744073709551615"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--offset"), "{}", stderr(&out));
    // `trove search … | head -1`: the reader is gone before trove writes.
    let mut child = t
        .cmd()
        .args(["search", "heat"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}

#[test]
fn punctuation_or_emoji_only_queries_return_the_whole_corpus() {
    let t = Trove::new();
    t.ok(&[
        "import",
        t.write_ndjson("d.ndjson", &handmade()).to_str().unwrap(),
    ]);
    for q in ["?!", "🎉🎉", "... --- ...", "(?) OR !"] {
        assert_eq!(t.search(q, &[])["total"], 0, "{q}");
    }
    assert!(t.search("NOT zzzunlikely", &[])["total"].as_u64().unwrap() > 0);
}

/// Regression: library errors put their source in Display *and* returned it from `source()`,
/// and `main` prints the chain, so every cause showed up twice.
#[test]
fn a_failure_prints_its_cause_once_and_what_to_do() {
    let t = Trove::new();
    let file = t.dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let ndjson = t.write_ndjson("d.ndjson", &handmade());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_trove"))
        .arg("--data-dir")
        .arg(file.join("data"))
        .args(["import", ndjson.to_str().unwrap()])
        .current_dir(t.dir.path())
        .env_remove("TROVE_CONFIG")
        .env_remove("TROVE_DATA_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let cause = std::io::Error::from_raw_os_error(20).to_string(); // ENOTDIR
    assert_eq!(err.matches(&cause).count(), 1, "{err}");
    assert_eq!(
        err.matches("cannot create the data folder").count(),
        1,
        "{err}"
    );
    assert!(err.contains("choose another with --data-dir"), "{err}");
}

#[test]
fn bench_measures_three_phases_and_writes_importable_docs() {
    let t = Trove::new();
    let out = t.ok(&["bench", "--docs", "200", "--seed", "7", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&out).expect("bench --json is JSON");
    let rows = rows.as_array().expect("an array of phases");
    assert_eq!(rows.len(), 3, "{out}");
    for row in rows {
        assert_eq!(row["documents"], 200, "{row}");
        assert!(row["docs_per_sec"].as_f64().unwrap() > 0.0, "{row}");
    }
    let file = t.dir.path().join("bench.ndjson");
    let args = [
        "bench",
        "--docs",
        "50",
        "--write-docs",
        file.to_str().unwrap(),
    ];
    t.ok(&args);
    t.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(t.status()["documents"], 50);
}

/// `trove fake monday` serves the GraphQL API on the given address until Ctrl-C.
#[test]
fn fake_serves_the_monday_api_until_ctrl_c() {
    use std::io::{BufRead, BufReader, Read, Write};
    let t = Trove::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = t
        .cmd()
        .args(["fake", "monday", "--addr", &addr])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut banner).unwrap();
    // Keep reading, so later lines do not hit a closed pipe.
    let _drain = std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    assert!(banner.contains(&format!("http://{addr}/v2")), "{banner}");
    let body = r#"{"query":"query { boards(limit: 5) { id name } }"}"#;
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut stream = loop {
        match std::net::TcpStream::connect(&addr) {
            Ok(s) => break s,
            Err(e) => assert!(Instant::now() < deadline, "fake never listened: {e}"),
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    write!(
        stream,
        "POST /v2 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: fake-monday-token\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"boards\":[{\"id\""), "{response}");
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    assert!(
        child.wait().unwrap().success(),
        "Ctrl-C stops the fake cleanly"
    );
}
