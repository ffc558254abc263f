//! Crawler tests against the in-test fake server in [`fake`].

mod breadcrumbs;
mod fake;

use serde_json::json;

use self::fake::*;
use super::{sync, Tuning};
use crate::config::SourceConfig;
use crate::connectors::http::Backoff;
use crate::connectors::{ConnectorError, SyncOptions, SyncRun, SyncSummary};

const T0: &str = "2026-01-05T10:00:00.000Z";
const T1: &str = "2026-01-06T10:00:00.000Z";

/// Root (in search) → toggle → Inner (in search, parent is a block); Root → Child (hidden) →
/// Grand (hidden); Root → database Tasks (rows hidden); Root links to Far (hidden).
fn workspace() -> Fake {
    let mut f = Fake::new();
    f.add_page(
        page("root", "Root", fake::workspace(), T0),
        vec![
            para("b1", "Hello root"),
            block("t1", "toggle", json!({"rich_text": rt("More")}), true),
            child_page("child", "Child"),
            block("db", "child_database", json!({"title": "Tasks"}), false),
            block(
                "l1",
                "link_to_page",
                json!({"type": "page_id", "page_id": "far"}),
                false,
            ),
        ],
    );
    f.set_children(
        "t1",
        vec![para("b2", "Inside toggle"), child_page("inner", "Inner")],
    );
    let inner_parent = json!({"type": "block_id", "block_id": "t1"});
    f.add_page(
        page("inner", "Inner", inner_parent, "2026-01-03T00:00:00.000Z"),
        vec![para("b6", "Inner text")],
    );
    f.add_page(
        page("child", "Child", under("root"), "2026-01-04T00:00:00.000Z"),
        vec![para("b3", "Child text"), child_page("grand", "Grand")],
    );
    f.add_page(
        page("grand", "Grand", under("child"), "2026-01-02T00:00:00.000Z"),
        vec![para("b4", "Grand text")],
    );
    f.add_page(
        page("far", "Far", fake::workspace(), "2026-01-01T00:00:00.000Z"),
        vec![para("b5", "Far text")],
    );
    let rows = vec![
        row(
            "r1",
            "Write tests",
            "ds",
            "Done",
            "2026-01-02T00:00:00.000Z",
        ),
        row(
            "r2",
            "Ship",
            "ds",
            "In progress",
            "2026-01-02T00:00:00.000Z",
        ),
    ];
    add_database(&mut f, "db", "ds", "Tasks", "root", rows);
    f.hidden
        .extend(["child", "grand", "far", "r1", "r2"].map(String::from));
    f
}

/// Millisecond backoffs (fault tests stay fast) and a checkpoint every two outcomes (crash
/// tests get many resume points).
pub fn tuning() -> Tuning {
    Tuning {
        backoff: Backoff::new(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(5),
            3,
        ),
        checkpoint_every: 2,
    }
}

async fn run(
    cfg: &SourceConfig,
    sink: &mut MemSink,
    full: bool,
) -> Result<SyncSummary, ConnectorError> {
    let progress = RecordingProgress::default();
    let opts = SyncOptions { full };
    let run = SyncRun {
        cfg,
        sink,
        opts: &opts,
        progress: &progress,
    };
    sync(run, tuning()).await
}

fn log_len(s: &Shared) -> usize {
    s.lock().unwrap().log.len()
}

fn log_since(s: &Shared, from: usize) -> Vec<String> {
    s.lock().unwrap().log[from..].to_vec()
}

#[tokio::test]
async fn first_sync_indexes_pages_search_never_returns() {
    let (base, _s) = serve(workspace()).await;
    let mut sink = MemSink::default();
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(summary.added, 8, "{summary:?}");
    assert!(sink.skipped.is_empty(), "{:?}", sink.skipped);
    insta::assert_json_snapshot!(sink.summary());
    assert!(sink.state.as_ref().unwrap()["run"].is_null());
}

#[tokio::test]
async fn unchanged_workspace_costs_only_the_search_listing() {
    let (base, s) = serve(workspace()).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    let before = sink.summary();
    let mark = log_len(&s);
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(log_since(&s, mark), vec!["POST /v1/search".to_owned()]);
    assert_eq!((summary.added, summary.updated, summary.deleted), (0, 0, 0));
    assert_eq!(summary.requests, 1);
    assert_eq!(sink.summary(), before);
}

#[tokio::test]
async fn edited_page_is_refetched_alone() {
    let (base, s) = serve(workspace()).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    {
        let mut f = s.lock().unwrap();
        f.pages.get_mut("root").unwrap()["last_edited_time"] = json!(T1);
        f.children.get_mut("root").unwrap()[0] = para("b1", "Hello again");
    }
    let mark = log_len(&s);
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(summary.updated, 1, "{summary:?}");
    assert!(sink.docs["notion:root"].body.contains("Hello again"));
    let log = log_since(&s, mark);
    assert!(
        log.iter().all(|l| !l.contains("blocks/child/children")),
        "{log:#?}"
    );
}

#[tokio::test]
async fn trashed_child_leaves_with_its_subtree() {
    let (base, s) = serve(workspace()).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    {
        let mut f = s.lock().unwrap();
        f.pages.get_mut("child").unwrap()["in_trash"] = json!(true);
        f.pages.get_mut("root").unwrap()["last_edited_time"] = json!(T1);
        f.children
            .get_mut("root")
            .unwrap()
            .retain(|b| b["id"] != "child");
        let inner = f.pages.get_mut("inner").unwrap();
        inner["in_trash"] = json!(true);
        inner.as_object_mut().unwrap().remove("archived"); // 2026-03-11 shape
        inner["last_edited_time"] = json!(T1);
    }
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    for gone in ["notion:child", "notion:grand", "notion:inner"] {
        assert!(!sink.docs.contains_key(gone), "{gone} still stored");
    }
    assert_eq!(summary.deleted, 3, "{summary:?}");
    assert!(sink.docs.contains_key("notion:root"));
}

#[tokio::test]
async fn page_no_longer_shared_leaves_at_next_sync() {
    let (base, s) = serve(workspace()).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    s.lock().unwrap().pages.remove("inner");
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert!(!sink.docs.contains_key("notion:inner"));
    assert_eq!(summary.deleted, 1);
    assert!(
        sink.skip("inner").unwrap().reason.contains("404"),
        "{:?}",
        sink.skipped
    );
}

#[tokio::test]
async fn rejected_token_stops_with_exact_message_and_commits_nothing() {
    let (base, s) = serve(workspace()).await;
    let echo = format!("API token is invalid: {TOKEN}");
    let body = json!({"object": "error", "status": 401, "code": "unauthorized", "message": echo});
    s.lock()
        .unwrap()
        .fault("POST /v1/search", (401, vec![], body.to_string()));
    let mut sink = MemSink::default();
    let err = run(&config(&base), &mut sink, false).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Auth(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "the Notion token was rejected (401 unauthorized): API token is invalid: [redacted]"
    );
    assert_eq!(sink.commits, 0);
}

#[tokio::test]
async fn rate_limit_waits_retry_after_then_continues() {
    let (base, s) = serve(workspace()).await;
    let body =
        json!({"object": "error", "status": 429, "code": "rate_limited", "message": "slow down"});
    s.lock().unwrap().fault(
        "GET /v1/pages/far",
        (429, vec![("retry-after", "1".into())], body.to_string()),
    );
    let mut sink = MemSink::default();
    let progress = RecordingProgress::default();
    let cfg = config(&base);
    let run = SyncRun {
        cfg: &cfg,
        sink: &mut sink,
        opts: &SyncOptions::default(),
        progress: &progress,
    };
    let summary = sync(run, tuning()).await.unwrap();
    assert_eq!(summary.added, 8);
    assert_eq!(s.lock().unwrap().count("GET /v1/pages/far"), 2);
    let counters = progress.counters.lock().unwrap().clone();
    assert_eq!(counters["pages"], 7, "{counters:?}");
    assert_eq!(counters["rows"], 2, "{counters:?}");
    assert_eq!(counters["requests"], summary.requests, "{counters:?}");
    assert!(counters["blocks"] >= 10, "{counters:?}");
    let messages = progress.messages.lock().unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("waiting 1.0s") && m.contains("rate limited")),
        "{messages:?}"
    );
}

#[tokio::test]
async fn unreadable_linked_page_is_skipped_with_reason() {
    let mut f = workspace();
    f.children.get_mut("root").unwrap().push(block(
        "l2",
        "link_to_page",
        json!({"type": "page_id", "page_id": "secret"}),
        false,
    ));
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(summary.skipped, 1);
    assert!(
        sink.skip("secret")
            .unwrap()
            .reason
            .starts_with("404 object_not_found"),
        "{:?}",
        sink.skipped
    );
    assert_eq!(sink.docs.len(), 8);
}

#[tokio::test]
async fn small_pages_and_an_expired_cursor_give_the_same_result() {
    let (base, _s) = serve(workspace()).await;
    let mut reference = MemSink::default();
    run(&config(&base), &mut reference, false).await.unwrap();

    let mut f = workspace();
    f.max_page = 2;
    f.fault("cursor=2", fake_invalid_cursor());
    f.fault("start_cursor=2", fake_invalid_cursor());
    let (base, s) = serve(f).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(sink.summary(), reference.summary());
    assert!(s.lock().unwrap().count("start_cursor=") > 0);
}

fn fake_invalid_cursor() -> Canned {
    let body = json!({"object": "error", "status": 400, "code": "validation_error",
                      "message": "The start_cursor provided is invalid: 2"});
    (400, vec![], body.to_string())
}

#[tokio::test]
async fn malformed_json_is_a_protocol_error_after_retries() {
    let mut f = workspace();
    for _ in 0..10 {
        f.fault(
            "POST /v1/search",
            (200, vec![], "{\"object\": \"list\", \"resu".into()),
        );
    }
    let (base, s) = serve(f).await;
    let mut sink = MemSink::default();
    let err = run(&config(&base), &mut sink, false).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Protocol(_)), "{err:?}");
    assert!(err.to_string().contains("invalid JSON"), "{err}");
    assert_eq!(s.lock().unwrap().count("POST /v1/search"), 4);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let mut f = workspace();
    f.fault(
        "blocks/child/children",
        (502, vec![], "<html>bad gateway</html>".into()),
    );
    f.fault("blocks/child/children", (503, vec![], "{}".into()));
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(summary.added, 8);
    assert!(sink.docs["notion:child"].body.contains("Child text"));
}

#[tokio::test]
async fn thousand_levels_of_nesting_do_not_overflow() {
    let mut f = Fake::new();
    f.add_page(page("deep", "Deep", fake::workspace(), T0), vec![]);
    let mut parent = "deep".to_owned();
    for i in 0..1000 {
        let id = format!("n{i}");
        let toggle = block(
            &id,
            "toggle",
            json!({"rich_text": rt(&format!("level {i}"))}),
            i < 999,
        );
        f.set_children(&parent, vec![toggle]);
        parent = id;
    }
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    let body = &sink.docs["notion:deep"].body;
    assert_eq!(body.lines().count(), 1000);
    assert!(body.ends_with("level 999"));
}

#[tokio::test]
async fn synced_blocks_fall_back_to_the_original_and_cycles_end() {
    let mut f = Fake::new();
    let synced = |id: &str, from: Option<&str>| {
        let from = from.map(|b| json!({"type": "block_id", "block_id": b}));
        block(id, "synced_block", json!({"synced_from": from}), true)
    };
    f.add_page(
        page("p", "Synced", fake::workspace(), T0),
        vec![synced("orig", None), synced("copy", Some("orig"))],
    );
    f.set_children(
        "orig",
        vec![para("o1", "Shared text"), synced("loop", Some("orig"))],
    );
    f.set_children("copy", vec![]);
    f.set_children("loop", vec![]);
    f.unlistable.extend(["copy".to_owned(), "loop".to_owned()]);
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(sink.docs["notion:p"].body, "Shared text");
}

#[tokio::test]
async fn meeting_notes_content_is_fetched_from_referenced_blocks() {
    let mut f = Fake::new();
    let notes = json!({"title": rt("Weekly sync"), "children": {"summary_block_id": "sum"}});
    let mut p = page("m", "Meeting", fake::workspace(), T0);
    p.as_object_mut().unwrap().remove("archived");
    f.add_page(p, vec![block("mn", "meeting_notes", notes, false)]);
    f.set_children("sum", vec![para("s1", "Decided things")]);
    f.children.get_mut("m").unwrap().push(block(
        "sum",
        "paragraph",
        json!({"rich_text": []}),
        false,
    ));
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    let body = &sink.docs["notion:m"].body;
    assert!(
        body.contains("Weekly sync") && body.contains("Decided things"),
        "{body}"
    );
}

#[tokio::test]
async fn start_date_skips_older_pages() {
    let (base, _s) = serve(workspace()).await;
    let mut cfg = config(&base);
    cfg.start_date = crate::config::parse_start_date("2026-01-04T12:00:00Z").ok();
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    assert!(sink.docs.contains_key("notion:root"));
    for old in ["notion:child", "notion:grand", "notion:far", "notion:r1"] {
        assert!(
            !sink.docs.contains_key(old),
            "{old} synced despite start_date"
        );
    }
}

#[tokio::test]
async fn full_sync_catches_edits_incremental_cannot_see() {
    let (base, s) = serve(workspace()).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    {
        let mut f = s.lock().unwrap();
        f.pages.get_mut("grand").unwrap()["last_edited_time"] = json!(T1);
        f.children.get_mut("grand").unwrap()[0] = para("b4", "Grand text v2");
    }
    run(&config(&base), &mut sink, false).await.unwrap();
    let summary = run(&config(&base), &mut sink, true).await.unwrap();
    assert!(sink.docs["notion:grand"].body.contains("v2"));
    assert!(summary.updated >= 1);
}

/// Crash before each commit of an uninterrupted sync, resume, and compare end states.
#[tokio::test]
async fn killed_sync_resumes_to_the_same_end_state_without_refetching() {
    let (base, _s) = serve(workspace()).await;
    let mut reference = MemSink::default();
    run(&config(&base), &mut reference, false).await.unwrap();
    let commits = reference.commits;
    assert!(
        commits >= 4,
        "too few checkpoints to test resuming: {commits}"
    );
    for crash_after in 1..commits {
        let (base, s) = serve(workspace()).await;
        let mut sink = MemSink {
            crash_after: Some(crash_after),
            ..MemSink::default()
        };
        let err = run(&config(&base), &mut sink, false).await.unwrap_err();
        assert!(matches!(err, ConnectorError::Sink(_)));
        let committed: Vec<String> = sink
            .docs
            .keys()
            .map(|k| k.trim_start_matches("notion:").to_owned())
            .collect();
        sink.crash_after = None;
        let mark = log_len(&s);
        run(&config(&base), &mut sink, false).await.unwrap();
        assert_eq!(
            sink.summary(),
            reference.summary(),
            "crash after commit {crash_after}"
        );
        let log = log_since(&s, mark);
        for id in committed {
            let refetch = format!("/v1/blocks/{id}/children");
            assert!(
                !log.iter().any(|l| l.contains(&refetch)),
                "{id} refetched after crash {crash_after}: {log:#?}"
            );
        }
    }
}

#[allow(dead_code)]
fn sync_future_is_send(cfg: &SourceConfig, sink: &mut MemSink, progress: &RecordingProgress) {
    fn is_send<T: Send>(_: &T) {}
    let opts = SyncOptions::default();
    let run = SyncRun {
        cfg,
        sink,
        opts: &opts,
        progress,
    };
    let fut = sync(run, Tuning::default());
    is_send(&fut);
}

#[tokio::test]
async fn large_workspace_incremental_listing_stops_at_the_high_water_mark() {
    let mut f = Fake::new();
    f.max_page = 1;
    for day in 1..=15 {
        let id = format!("p{day:02}");
        let edited = format!("2026-02-{day:02}T08:00:00.000Z");
        f.add_page(
            page(&id, &id, fake::workspace(), &edited),
            vec![para(&format!("b{day}"), "text")],
        );
    }
    let (base, s) = serve(f).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 15);
    {
        let mut f = s.lock().unwrap();
        f.pages.get_mut("p15").unwrap()["last_edited_time"] = json!("2026-02-20T08:00:00.000Z");
    }
    let mark = log_len(&s);
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    let log = log_since(&s, mark);
    let searches = log.iter().filter(|l| l.contains("/v1/search")).count();
    assert!(searches <= 3, "listing did not stop early: {log:#?}");
    assert_eq!(summary.updated, 1);
}

fn hkob(name: &str) -> serde_json::Value {
    let path = trove_fakes::fixtures::path(&format!("notion/hkob-notion_ruby_mapping/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The real block test page, served as recorded: unknown blocks are counted, unshared child
/// pages and databases are skipped with their reason, the rest is indexed.
#[tokio::test]
async fn real_block_test_page_crawls_end_to_end() {
    trove_fakes::require_fixtures!();
    let results = |name: &str| hkob(name)["results"].as_array().unwrap().clone();
    let mut f = Fake::new();
    let page = hkob("retrieve_page_block_test_page");
    let id = page["id"].as_str().unwrap().to_owned();
    f.add_page(page, results("retrieve_block_children_block_test_page"));
    f.set_children(
        "ba612e8b-c858-4569-9822-ccca7ab4c709",
        results("retrieve_block_children_table"),
    );
    f.set_children(
        "93195eab-21f7-4419-bf44-0e4c07092573",
        results("retrieve_block_children_column_list"),
    );
    f.set_children(
        "29a966bb-81eb-43e5-aae1-b44992525775",
        results("retrieve_block_children_column1"),
    );
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    // The recorded file block's link is a real (long expired) S3 link; tests never reach the
    // internet, so this replay reads no attachments (tests/sync/attachments.rs covers them).
    let mut cfg = config(&base);
    cfg.attachments.enabled = false;
    let summary = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(
        (summary.added, summary.unknown_types),
        (1, 1),
        "{summary:?}"
    );
    let doc = &sink.docs[&format!("notion:{id}")];
    for line in [
        "# Heading 1",
        "Title 1 | Contents 1",
        "```shell\n% ls -l\n```",
        "left",
        "✅ Callout",
    ] {
        assert!(doc.body.contains(line), "missing {line:?} in {}", doc.body);
    }
    let mut skipped: Vec<&str> = sink.skipped.iter().map(|s| s.what.as_str()).collect();
    skipped.sort_unstable();
    assert_eq!(
        skipped,
        vec!["database", "page", "page"],
        "{:?}",
        sink.skipped
    );
}

/// Regression: a 404 on a parent that was never indexed (here a dead `link_to_page` target that
/// is also the page's parent) deleted the page itself through the known-children tree.
#[tokio::test]
async fn unreadable_unindexed_parent_does_not_delete_its_shared_child() {
    let mut f = Fake::new();
    let link = block(
        "l",
        "link_to_page",
        json!({"type": "page_id", "page_id": "ghost"}),
        false,
    );
    f.add_page(page("kid", "Kid", under("ghost"), T0), vec![link]);
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert!(sink.docs.contains_key("notion:kid"));
    assert_eq!((summary.deleted, summary.skipped), (0, 1));
}

#[tokio::test]
async fn deep_reconciliation_rechecks_pages_search_never_returns() {
    let (base, s) = serve(workspace()).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    {
        let mut f = s.lock().unwrap();
        f.pages.get_mut("grand").unwrap()["last_edited_time"] = json!(T1);
        f.children.get_mut("grand").unwrap()[0] = para("b4", "Grand text v2");
        f.pages.remove("far");
    }
    // Twelve hours later: the saved state says the last deep pass is old.
    sink.state.as_mut().unwrap()["last_deep"] = json!("2000-01-01T00:00:00Z");
    let mark = log_len(&s);
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert!(sink.docs["notion:grand"].body.contains("v2"));
    assert!(!sink.docs.contains_key("notion:far"));
    assert_eq!((summary.updated, summary.deleted), (1, 1), "{summary:?}");
    let log = log_since(&s, mark);
    assert!(
        log.iter().any(|l| l.contains("/v1/data_sources/ds/query")),
        "{log:#?}"
    );
    assert!(
        !log.iter().any(|l| l.contains("/v1/pages/r1")),
        "rows fetched one by one: {log:#?}"
    );
}

#[tokio::test]
async fn odd_but_valid_json_never_panics() {
    let mut f = workspace();
    f.fault("GET /v1/pages/far", (200, vec![], "{}".into()));
    f.fault(
        "GET /v1/databases/db",
        (
            200,
            vec![],
            r#"{"object": "database", "data_sources": "no"}"#.into(),
        ),
    );
    f.fault(
        "blocks/child/children",
        (
            200,
            vec![],
            r#"{"object": "list", "results": [1, "x", null, {"type": 7}]}"#.into(),
        ),
    );
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert!(
        sink.docs.contains_key("notion:far"),
        "{:?}",
        sink.docs.keys()
    );
    assert!(sink.docs.keys().all(|k| k.len() > "notion:".len()));
    assert!(summary.unknown_types >= 4, "{summary:?}");
}

#[tokio::test]
async fn at_most_three_requests_are_in_flight() {
    let mut f = Fake::new();
    let kids: Vec<_> = (0..9)
        .map(|i| child_page(&format!("k{i}"), &format!("Kid {i}")))
        .collect();
    f.add_page(page("top", "Top", fake::workspace(), T0), kids);
    for i in 0..9 {
        let id = format!("k{i}");
        f.add_page(
            page(&id, &id, under("top"), T0),
            vec![para(&format!("p{i}"), "x")],
        );
        f.hidden.insert(id);
    }
    f.delay_ms = 20;
    let (base, s) = serve(f).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 10);
    let max = s.lock().unwrap().max_in_flight;
    assert!((2..=3).contains(&max), "max in flight {max}");
}

#[tokio::test]
async fn row_found_by_search_brings_its_database_and_siblings() {
    let mut f = Fake::new();
    let mut r1 = row("r1", "Found", "ds", "Done", T0);
    r1["parent"]["database_id"] = json!("db");
    let r2 = row("r2", "Sibling", "ds", "Done", T0);
    f.add_page(page("home", "Home", fake::workspace(), T0), vec![]);
    add_database(&mut f, "db", "ds", "Tasks", "home", vec![r1, r2]);
    f.hidden.insert("r2".into());
    for hide_source in [true, false] {
        if hide_source {
            f.hidden.insert("ds".into());
        } else {
            f.hidden.remove("ds");
        }
        let (base, server) = serve(std::mem::take(&mut f)).await;
        let mut sink = MemSink::default();
        run(&config(&base), &mut sink, false).await.unwrap();
        assert_eq!(sink.docs["notion:db"].kind, "database");
        assert_eq!(
            sink.docs["notion:r2"].parent_id.as_deref(),
            Some("notion:db")
        );
        assert_eq!(
            sink.docs["notion:r1"].path,
            vec!["Home", "Tasks"],
            "source hidden: {hide_source}"
        );
        f = std::mem::take(&mut *server.lock().unwrap());
    }
}

#[tokio::test]
async fn lost_state_is_rebuilt_and_stale_documents_leave() {
    let (base, s) = serve(workspace()).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    let before = sink.summary();
    sink.state = Some(json!({"version": 999}));
    s.lock().unwrap().pages.remove("grand");
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert!(!sink.docs.contains_key("notion:grand"));
    assert_eq!(
        (summary.added, summary.updated, summary.deleted),
        (0, 0, 1),
        "{summary:?}"
    );
    let mut expected = before;
    expected.as_object_mut().unwrap().remove("notion:grand");
    assert_eq!(sink.summary(), expected);
}
