//! End-to-end tests of `trove serve`: the real binary on a free loopback port, over a data
//! folder filled by the real `trove import`. Other processes import and rebuild while it runs.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::harness::{doc, eventually, get, Data, Server};
use serde_json::Value;

fn hits(v: &Value) -> &Vec<Value> {
    v["hits"].as_array().expect("hits array")
}

#[test]
fn search_returns_the_cli_json_with_highlights_and_facets() {
    let data = Data::with_docs(30);
    let srv = Server::start(&data, &[], &[]);
    let v = srv.json("/search?q=transfer", 200);
    assert_eq!(v["total"], 10, "{v}");
    assert!(v["took_ms"].is_u64());
    let hit = &hits(&v)[0];
    for key in [
        "id",
        "source",
        "kind",
        "title",
        "path",
        "url",
        "snippet",
        "score",
        "updated_at",
    ] {
        assert!(hit.get(key).is_some(), "hit lacks {key}: {hit}");
    }
    assert!(
        hit["snippet"].as_str().unwrap().contains("<b>transfer</b>"),
        "{hit}"
    );
    assert_eq!(hit["path"], "Engineering › Notes");
    let facets = &v["facets"];
    let kinds: Vec<&str> = facets["kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b[0].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["page"],
        "every third document (the transfer ones) is a page: {facets}"
    );
    assert_eq!(facets["source"].as_array().unwrap().len(), 2, "{facets}");
    assert!(!facets["tags"].as_array().unwrap().is_empty(), "{facets}");

    // Same hits as `trove search --json`.
    let cli: Value = serde_json::from_str(&data.trove(&["search", "transfer", "--json"])).unwrap();
    assert_eq!(
        cli["hits"],
        v["hits"].as_array().unwrap()[..]
            .iter()
            .cloned()
            .collect::<Value>()
    );
}

#[test]
fn snippets_are_html_escaped() {
    let data = Data::with_docs(3);
    data.import(r#"{"id":"x:evil","title":"<img src=x>","body":"danger <script>alert(1)</script> zanzibar & co"}"#);
    let srv = Server::start(&data, &[], &[]);
    let v = srv.json("/search?q=zanzibar", 200);
    let snippet = hits(&v)[0]["snippet"].as_str().unwrap();
    assert!(!snippet.contains("<script>"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
    assert!(snippet.contains("<b>zanzibar</b>"), "{snippet}");
}

#[test]
fn filters_narrow_the_hits() {
    let data = Data::with_docs(60);
    let srv = Server::start(&data, &[], &[]);
    let v = srv.json("/search?q=heat&source=crm&kind=item&limit=100", 200);
    assert!(!hits(&v).is_empty());
    for h in hits(&v) {
        assert_eq!(
            (h["source"].as_str(), h["kind"].as_str()),
            (Some("crm"), Some("item")),
            "{h}"
        );
    }
    let tagged = srv.json("/search?q=heat&tag=urgent&limit=100", 200);
    assert_eq!(tagged["total"], 15, "every fourth of 60 is urgent");
    let both = srv.json("/search?q=heat&tag=urgent&tag=done&limit=100", 200);
    assert_eq!(both["total"], 0, "no document has both tags");
    let recent = srv.json("/search?q=heat&updated_after=2024-11-01&limit=100", 200);
    assert_eq!(recent["total"], 10, "months 11 and 12: {recent}");
    for h in hits(&recent) {
        assert!(h["updated_at"].as_str().unwrap() >= "2024-11", "{h}");
    }
    let window = srv.json(
        "/search?q=heat&updated_after=2024-03-01&updated_before=2024-04-01T00:00:00Z",
        200,
    );
    assert_eq!(window["total"], 5, "month 3 only: {window}");
}

#[test]
fn paging_walks_disjoint_pages() {
    let data = Data::with_docs(25);
    let srv = Server::start(&data, &[], &[]);
    let ids = |v: &Value| -> Vec<String> {
        hits(v)
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let p1 = srv.json("/search?q=heat&limit=10", 200);
    let p2 = srv.json("/search?q=heat&limit=10&offset=10", 200);
    let p3 = srv.json("/search?q=heat&limit=10&offset=20", 200);
    assert_eq!(p1["total"], 25);
    assert_eq!(p2["total"], 25);
    let mut all: Vec<String> = [ids(&p1), ids(&p2), ids(&p3)].concat();
    assert_eq!(all.len(), 25);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 25, "pages overlap");
}

#[test]
fn documents_by_id() {
    let data = Data::with_docs(5);
    let srv = Server::start(&data, &[], &[]);
    let d = srv.json("/documents/wiki:2", 200);
    assert_eq!(d["id"], "wiki:2");
    assert!(
        d["body"].as_str().unwrap().contains("note 2 covers heat"),
        "{d}"
    );
    assert_eq!(d["tags"][0], "todo");
    let missing = srv.json("/documents/wiki:999", 404);
    assert_eq!(missing["error"]["code"], "not_found");
    assert!(missing["error"]["message"]
        .as_str()
        .unwrap()
        .contains("wiki:999"));
}

#[test]
fn errors_are_json_with_stable_codes() {
    let data = Data::with_docs(130);
    let srv = Server::start(&data, &[], &[]);
    for (path, status, code) in [
        ("/search?q=(heat", 400, "bad_query"),
        ("/search?q=heat&limit=ten", 400, "bad_parameter"),
        ("/search?q=heat&offset=99999999", 400, "bad_parameter"),
        (
            "/search?q=heat&updated_after=yesterday",
            400,
            "bad_parameter",
        ),
        ("/nope", 404, "not_found"),
    ] {
        let v = srv.json(path, status);
        assert_eq!(v["error"]["code"], code, "{path}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    let long = format!("/search?q={}", "heat+".repeat(1000));
    assert_eq!(srv.json(&long, 400)["error"]["code"], "bad_query");
    let capped = srv.json("/search?q=heat&limit=100000", 200);
    assert_eq!(capped["total"], 130);
    assert_eq!(hits(&capped).len(), 100, "limit is capped at 100");
}

#[test]
fn a_100k_character_query_gets_a_414_with_a_json_body() {
    let data = Data::with_docs(5);
    let srv = Server::start(&data, &[], &[]);
    let huge = format!("/search?q={}", "heat+".repeat(20_000));
    let v = srv.json(&huge, 414);
    assert_eq!(v["error"]["code"], "uri_too_long", "{v}");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("shorter query"));
    // Methods other than GET, which axum answered without a body, get the JSON error too.
    let (status, body) = raw(
        &srv.addr,
        "POST /search?q=heat HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 405, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert_eq!(v["error"]["code"], "method_not_allowed", "{v}");
    assert_eq!(
        hits(&srv.json("/search?q=heat", 200)).len(),
        5,
        "still serving"
    );
}

#[test]
fn totals_say_whether_they_are_exact() {
    let data = Data::with_docs(30);
    let srv = Server::start(&data, &[], &[]);
    let v = srv.json("/search?q=transfer", 200);
    assert_eq!(
        (v["total"].as_u64(), v["total_is_exact"].as_bool()),
        (Some(10), Some(true)),
        "{v}"
    );
    let v = srv.json("/search?q=transfer&exact_total=true", 200);
    assert_eq!(v["total_is_exact"], true, "{v}");
    let v = srv.json("/search?q=transfer&exact_total=maybe", 400);
    assert_eq!(v["error"]["code"], "bad_parameter", "{v}");
}

/// Sends a raw request and reads the answer to the end: status and body.
fn raw(addr: &str, request: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

#[test]
fn deeply_nested_parentheses_overflow_the_stack() {
    let data = Data::with_docs(5);
    let srv = Server::start(&data, &[], &[]);
    // 1000 levels fit in the 2 KB query limit; unbounded recursion aborted the server at ~500.
    let deep = format!("/search?q={}heat{}", "(".repeat(1000), ")".repeat(1000));
    let v = srv.json(&deep, 400);
    assert_eq!(v["error"]["code"], "bad_query", "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("nest"));
    let deep_not = format!("/search?q={}heat", "+(-".repeat(600));
    assert_eq!(srv.json(&deep_not, 400)["error"]["code"], "bad_query");
    assert_eq!(hits(&srv.json("/search?q=heat", 200)).len(), 5);
}

#[test]
fn api_key_is_required_when_configured_and_never_logged() {
    let key = "k3y-d0-not-log-me";
    let data = Data::with_docs(5);
    let srv = Server::start(
        &data,
        &["--api-key-env", "TROVE_TEST_KEY"],
        &[("TROVE_TEST_KEY", key)],
    );
    let (code, body) = srv.get("/search?q=heat");
    assert_eq!(code, 401, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "unauthorized");
    let wrong = get(
        &srv.addr,
        "/search?q=heat",
        &[("Authorization", "Bearer nope")],
    );
    assert_eq!(wrong.0, 401);
    let auth = format!("Bearer {key}");
    let ok = get(&srv.addr, "/search?q=heat", &[("Authorization", &auth)]);
    assert_eq!(ok.0, 200, "{}", ok.1);
    assert_eq!(
        get(&srv.addr, "/status", &[("Authorization", &auth)]).0,
        200
    );
    assert_eq!(srv.get("/metrics").0, 401);
    assert_eq!(srv.get("/health").0, 200, "health stays open for probes");
    assert_eq!(srv.get("/").0, 200, "the page asks for the key itself");
    let log = srv.log();
    assert!(log.contains("request"), "requests are logged: {log}");
    assert!(!log.contains(key), "the key leaked into the log: {log}");
}

#[test]
fn public_address_without_key_is_refused() {
    let data = Data::with_docs(1);
    let out = std::process::Command::new(crate::harness::BIN)
        .arg("--data-dir")
        .arg(data.path())
        .args(["serve", "--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--api-key-env"));
}

#[test]
fn health_status_and_metrics() {
    let data = Data::with_docs(12);
    let srv = Server::start(&data, &[], &[]);
    assert_eq!(srv.json("/health", 200)["documents"], 12);
    let status = srv.json("/status", 200);
    assert_eq!(status["documents"], 12);
    assert_eq!(status["index"]["documents"], 12);
    let cli: Value = serde_json::from_str(&data.trove(&["status", "--json"])).unwrap();
    assert_eq!(status["sources"], cli["sources"]);
    srv.json("/search?q=heat", 200);
    srv.json("/search?q=(", 400);
    let (code, text) = srv.get("/metrics");
    assert_eq!(code, 200);
    for needle in [
        "trove_queries_total{outcome=\"ok\"} 1\n",
        "trove_queries_total{outcome=\"bad_request\"} 1\n",
        "trove_query_duration_seconds_bucket{le=\"+Inf\"} 2\n",
        "trove_query_duration_seconds_count 2\n",
        "trove_documents{source=\"wiki\"} 6\n",
        "trove_documents{source=\"crm\"} 6\n",
        "trove_index_documents 12\n",
        "trove_index_bytes ",
        "# TYPE trove_last_sync_timestamp_seconds gauge",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn page_is_self_contained() {
    let data = Data::with_docs(1);
    let srv = Server::start(&data, &[], &[]);
    let (code, html) = srv.get("/");
    assert_eq!(code, 200);
    assert!(html.contains("<input id=\"q\""));
    assert!(html.contains("fetch(\"/search?\""));
    for external in ["src=\"http", "href=\"http", "@import", "url(http"] {
        assert!(!html.contains(external), "external asset: {external}");
    }
}

#[test]
fn import_in_another_process_becomes_visible() {
    let data = Data::with_docs(10);
    let srv = Server::start(&data, &[], &[]);
    assert_eq!(srv.json("/search?q=zeppelin", 200)["total"], 0);
    data.import(r#"{"id":"wiki:zep","title":"Zeppelin notes","body":"the zeppelin hangar"}"#);
    let seen = eventually(10, || {
        (srv.json("/search?q=zeppelin", 200)["total"] == 1).then_some(())
    });
    assert!(seen.is_some(), "the import never became visible");
    let doc = srv.json("/documents/wiki:zep", 200);
    assert_eq!(doc["title"], "Zeppelin notes");
}

#[test]
fn searches_keep_succeeding_during_rebuild() {
    let data = Data::with_docs(400);
    let srv = Server::start(&data, &[], &[]);
    let gen_before = srv.json("/status", 200)["index"]["generation"].clone();
    let stop = Arc::new(AtomicBool::new(false));
    let addr = srv.addr.clone();
    let flag = Arc::clone(&stop);
    let load = std::thread::spawn(move || {
        let mut statuses = Vec::new();
        while !flag.load(Ordering::Relaxed) {
            let (code, body) = get(&addr, "/search?q=heat+transfer&limit=5", &[]);
            let total = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v["total"].as_u64());
            statuses.push((code, total));
        }
        statuses
    });
    data.trove(&["rebuild"]);
    data.import(&doc(400));
    data.trove(&["rebuild"]);
    let swapped = eventually(10, || {
        let s = srv.json("/status", 200);
        (s["index"]["generation"] != gen_before && srv.json("/search?q=heat", 200)["total"] == 401)
            .then_some(())
    });
    stop.store(true, Ordering::Relaxed);
    let statuses = load.join().unwrap();
    assert!(swapped.is_some(), "the server never followed the rebuild");
    assert!(
        statuses.len() > 5,
        "too few searches ran: {}",
        statuses.len()
    );
    let failed: Vec<_> = statuses
        .iter()
        .filter(|(c, t)| *c != 200 || t.is_none_or(|t| t < 134))
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} searches failed: {failed:?}",
        failed.len(),
        statuses.len()
    );
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let data = Data::with_docs(1);
    let srv = Server::start(&data, &[], &[]);
    let status = srv.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn sync_every_runs_configured_sources_inside_the_server() {
    let data = Data::with_docs(2);
    let token = "ntn_never_log_this_token";
    let config = data.path().join("trove.toml");
    // Nothing listens on port 9: the sync fails, and that outcome must be reported.
    std::fs::write(
        &config,
        format!("[[sources]]\nname = \"team\"\nkind = \"notion\"\ntoken = \"{token}\"\napi_url = \"http://127.0.0.1:9\"\n"),
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let srv = Server::start(&data, &["--sync-every", "1s", "--config", cfg], &[]);
    let started = eventually(30, || {
        let s = srv.json("/status", 200);
        let src = s["sources"]
            .as_array()?
            .iter()
            .find(|s| s["name"] == "team")?
            .clone();
        (src["status"] != "never synced").then_some(src)
    });
    let src = started.expect("the server never started a sync of `team`");
    assert!(
        ["running", "failed", "ok"].contains(&src["status"].as_str().unwrap()),
        "{src}"
    );
    if src["status"] == "failed" {
        let (_, text) = srv.get("/metrics");
        assert!(
            text.contains("trove_last_sync_success{source=\"team\"} 0"),
            "{text}"
        );
    }
    assert!(!srv.log().contains(token), "the token leaked into the log");
}

#[test]
fn sync_every_without_sources_is_refused() {
    let data = Data::with_docs(1);
    let config = data.path().join("empty.toml");
    std::fs::write(&config, "").unwrap();
    let out = std::process::Command::new(crate::harness::BIN)
        .arg("--data-dir")
        .arg(data.path())
        .args(["--config", config.to_str().unwrap()])
        .args(["serve", "--addr", "127.0.0.1:0", "--sync-every", "15m"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--sync-every needs sources"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
