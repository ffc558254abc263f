//! End-to-end crawler scenarios over loopback HTTP.

use std::sync::Arc;

use chrono::Utc;
use serde_json::json;

use super::fake::{Fake, World};
use super::*;

fn world(n_items: usize) -> World {
    let mut w = World {
        boards: vec![board("100", "Roadmap")],
        ..World::default()
    };
    for i in 0..n_items {
        let t = at("2024-03-01T00:00:00Z") + chrono::Duration::minutes(i as i64);
        w.items.push(item(&format!("{}", 1000 + i), "100", t));
    }
    w
}

/// Like [`world`], with changes a day apart (beyond the re-fetch overlap).
fn spaced_world(n_items: usize) -> World {
    let mut w = world(n_items);
    for (i, item) in w.items.iter_mut().enumerate() {
        let t = at("2024-03-01T00:00:00Z") + chrono::Duration::days(i as i64);
        item["updated_at"] = json!(t.to_rfc3339());
    }
    w
}

async fn serve(w: World) -> (Arc<Fake>, SourceConfig) {
    let fake = Fake::new(w);
    let url = fake.serve().await;
    (fake, config(&url))
}

const CURSOR_EXPIRED: &str = r#"{"error_code":"CursorException","error_message":"CursorExpiredError: The cursor provided for pagination has expired. Please refresh your query and obtain a new cursor to continue fetching items","status_code":200}"#;
const BUDGET: &str = r#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","retry_in_seconds":60}}]}"#;
const INTERNAL_200: &str = r#"{"data":null,"errors":[{"message":"Internal server error","path":[],"extensions":{"status_code":500,"error_code":"INTERNAL_SERVER_ERROR","service":"monolith"}}]}"#;
const DAILY: &str = r#"{"errors":[{"message":"Daily limit exceeded","extensions":{"code":"DAILY_LIMIT_EXCEEDED","status_code":429}}]}"#;

#[tokio::test]
async fn pagination_across_pages() {
    let (fake, cfg) = serve(world(7)).await;
    let mut sink = MemSink::default();
    let p = RecordingProgress::default();
    let s = run_with(&cfg, &mut sink, false, &p).await.unwrap();
    assert_eq!(sink.docs.len(), 7);
    assert_eq!((s.added, s.updated, s.deleted), (7, 0, 0));
    assert_eq!(
        fake.count("next_items_page(cursor: $cursor, limit: $limit) { cursor items { id name"),
        2
    );
    let calls = fake.calls();
    assert!(calls
        .iter()
        .all(|c| c.authorization == TOKEN && c.api_version == "2026-01"));
    let nexts: Vec<_> = calls
        .iter()
        .filter(|c| c.query.contains("next_items_page"))
        .collect();
    assert!(nexts
        .iter()
        .all(|c| c.variables.get("params").is_none() && !c.query.contains("query_params")));
    assert_eq!(s.requests, calls.len() as u64);
    assert_eq!(s.complexity, 1000 * calls.len() as u64);
    assert_eq!(p.counters.lock().unwrap()["items"], 7);
    assert_eq!(p.counters.lock().unwrap()["boards"], 1);
    let d = &sink.docs["mon:1000"];
    assert_eq!(d.path, vec!["Ops", "Roadmap", "Group"]);
    assert_eq!(d.tags, vec!["Done"]);
}

#[tokio::test]
async fn cursor_expired_restarts_chain_without_duplicates() {
    let (fake, cfg) = serve(world(8)).await;
    // The first next page expires: the chain restarts from the newest committed change.
    fake.fault(
        "next_items_page(cursor: $cursor, limit: $limit) { cursor items { id name",
        200,
        CURSOR_EXPIRED,
    );
    let mut sink = MemSink::default();
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 8);
    assert_eq!((s.added, s.updated), (8, 0), "no item upserted twice");
    let firsts: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|c| c.query.contains("query_params: $params"))
        .collect();
    assert_eq!(firsts.len(), 2, "the chain restarted once");
    let restart_since = &firsts[1].variables["params"]["rules"][0]["compare_value"][1];
    assert_eq!(
        restart_since, "2024-03-01T00:02:00Z",
        "restart from the newest committed change"
    );
}

#[tokio::test]
async fn complexity_budget_error_then_success() {
    let (fake, cfg) = serve(world(2)).await;
    fake.fault("query_params: $params", 200, BUDGET);
    let mut sink = MemSink::default();
    let p = RecordingProgress::default();
    run_with(&cfg, &mut sink, false, &p).await.unwrap();
    assert_eq!(sink.docs.len(), 2);
    assert_eq!(fake.count("query_params: $params"), 2);
    assert!(
        p.messages
            .lock()
            .unwrap()
            .iter()
            .any(|m| m.contains("waiting 60s")),
        "{:?}",
        p.messages
    );
}

#[tokio::test]
async fn rejected_token_stops_with_exact_message() {
    let (fake, cfg) = serve(world(2)).await;
    let body = format!(
        r#"{{"errors":[{{"message":"Not authenticated {TOKEN}","extensions":{{"code":"NOT_AUTHENTICATED"}}}}]}}"#
    );
    fake.fault("boards(limit:", 401, body);
    let mut sink = MemSink::default();
    let e = run(&cfg, &mut sink, false).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Auth(_)));
    assert_eq!(
        e.to_string(),
        "the monday.com token was rejected (401): Not authenticated [redacted]"
    );
    assert_eq!(sink.commits, 0);
}

#[tokio::test]
async fn rejected_token_mid_crawl_commits_nothing_after() {
    let (fake, cfg) = serve(world(7)).await;
    fake.fault(
        "next_items_page",
        401,
        r#"{"errors":["Not Authenticated"]}"#,
    );
    let mut sink = MemSink::default();
    let e = run(&cfg, &mut sink, false).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the monday.com token was rejected (401): Not Authenticated"
    );
    assert_eq!(sink.commits, 1, "only the first page was committed");
    assert_eq!(sink.docs.len(), 3);
}

#[tokio::test]
async fn internal_error_inside_200_is_retried() {
    let (fake, cfg) = serve(world(2)).await;
    fake.fault("boards(limit:", 200, INTERNAL_200);
    fake.fault("query_params: $params", 502, "<html>Bad Gateway</html>");
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 2);
    assert_eq!(fake.count("boards(limit:"), 2);
}

#[tokio::test]
async fn daily_limit_stops_the_source() {
    let (fake, cfg) = serve(world(7)).await;
    fake.fault("next_items_page", 200, DAILY);
    let mut sink = MemSink::default();
    let e = run(&cfg, &mut sink, false).await.unwrap_err();
    assert!(matches!(e, ConnectorError::QuotaExhausted(_)), "{e}");
    assert!(e.to_string().contains("daily"), "{e}");
    assert_eq!(
        fake.count("next_items_page"),
        1,
        "no retry on the daily limit"
    );
}

#[tokio::test]
async fn malformed_json_is_a_protocol_error() {
    let (fake, cfg) = serve(world(1)).await;
    fake.fault("boards(limit:", 200, "{\"data\": {\"boards\": [tru");
    let mut sink = MemSink::default();
    let e = run(&cfg, &mut sink, false).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Protocol(_)), "{e}");
    assert!(e.to_string().contains("not JSON"), "{e}");
    let (fake, cfg) = serve(world(1)).await;
    fake.fault("boards(limit:", 200, r#"{"data":{"boards":"nope"}}"#);
    let e = run(&cfg, &mut MemSink::default(), false).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Protocol(_)), "{e}");
}

#[tokio::test]
async fn unauthorized_board_is_skipped_and_recorded() {
    let mut w = world(2);
    w.boards.push(board("200", "Secret"));
    w.items
        .push(item("2000", "200", at("2024-03-01T00:00:00Z")));
    w.forbidden.push("200".into());
    let (_fake, cfg) = serve(w).await;
    let mut sink = MemSink::default();
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 2);
    assert_eq!(s.skipped, 1);
    assert_eq!(sink.skipped.len(), 1);
    assert_eq!(sink.skipped[0].native_id, "200");
    assert_eq!(sink.skipped[0].what, "board");
}

#[tokio::test]
async fn subitems_arrive_with_their_parent_and_subitem_boards_are_not_crawled() {
    let mut w = world(1);
    let mut sub_board = board("101", "Subitems of Roadmap");
    sub_board["type"] = json!("sub_items_board");
    sub_board["columns"] = json!([{ "id": "status", "title": "Sub status", "type": "status" }]);
    w.boards.push(sub_board);
    let parent = w.items[0].clone();
    w.items
        .push(subitem("5000", "101", &parent, at("2024-03-02T00:00:00Z")));
    w.items[1]["url"] = json!("");
    let (fake, cfg) = serve(w).await;
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    let sub = &sink.docs["mon:5000"];
    assert_eq!(sub.url, "https://acme.monday.com/boards/101/pulses/5000");
    assert_eq!(sub.kind, "subitem");
    assert_eq!(sub.parent_id.as_deref(), Some("mon:1000"));
    assert_eq!(sub.path, vec!["Ops", "Roadmap", "Group", "Item 1000"]);
    assert_eq!(sub.body, "Sub status: Done");
    assert!(sink.docs["mon:1000"].body.contains("Subitems: Item 5000"));
    let first_pages: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|c| c.query.contains("query_params"))
        .collect();
    assert!(first_pages.iter().all(|c| c.variables["board"][0] == "100"));
}

#[tokio::test]
async fn start_date_limits_the_first_sync() {
    let (fake, mut cfg) = serve(world(5)).await;
    cfg.start_date = Some(at("2024-03-01T00:03:00Z"));
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.ids(), vec!["mon:1003", "mon:1004"]);
    let first = fake
        .calls()
        .into_iter()
        .find(|c| c.query.contains("query_params"))
        .unwrap();
    insta::assert_json_snapshot!(first.variables["params"]);
}

#[tokio::test]
async fn incremental_sync_fetches_changed_and_commented_items_only() {
    let (fake, cfg) = serve(spaced_world(5)).await;
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    {
        let mut w = fake.world.lock().unwrap();
        let now = Utc::now() + chrono::Duration::seconds(5);
        w.items[1]["updated_at"] = json!(now.to_rfc3339());
        w.items[1]["name"] = json!("Renamed");
        // A comment on an old item does not bump its updated_at.
        w.items[3]["updates"] = json!([{ "id": "u1", "body": "<p>New comment</p>", "created_at": now.to_rfc3339(),
                                         "creator": { "id": "2", "name": "Bob" }, "replies": [] }]);
        w.updates
            .push(json!({ "id": "u1", "item_id": "1003", "created_at": now.to_rfc3339() }));
        w.updates
            .push(json!({ "id": "u0", "item_id": "1000", "created_at": "2024-01-01T00:00:00Z" }));
    }
    let calls_before = fake.calls().len();
    let s = run(&cfg, &mut sink, false).await.unwrap();
    // 1001 changed, 1003 commented, 1004 sits at the board's mark (re-fetched by the
    // overlap), 1000 has a comment older than any mark (none had been seen yet); 1002 is
    // neither changed nor commented and is not fetched again.
    assert_eq!((s.added, s.updated), (0, 4), "{s:?}");
    let returned: Vec<String> = fake.calls()[calls_before..]
        .iter()
        .filter(|c| c.query.contains("items"))
        .map(|c| c.variables.to_string())
        .collect();
    assert!(returned.iter().all(|v| !v.contains("1002")), "{returned:?}");
    assert_eq!(sink.docs["mon:1001"].title, "Renamed");
    assert!(
        sink.docs["mon:1003"].body.contains("Update by Bob on"),
        "{}",
        sink.docs["mon:1003"].body
    );
    let s = run(&cfg, &mut sink, true).await.unwrap();
    assert_eq!(s.updated, 5, "--full re-crawls everything");
}

#[tokio::test]
async fn deleted_archived_and_vanished_items_leave_the_store() {
    let mut w = world(4);
    w.boards.push(board("200", "Old board"));
    w.items
        .push(item("2000", "200", at("2024-03-01T00:00:00Z")));
    let mut sub_board = board("101", "Subitems of Roadmap");
    sub_board["type"] = json!("sub_items_board");
    w.boards.push(sub_board);
    let parent = w.items[0].clone();
    w.items
        .push(subitem("5000", "101", &parent, at("2024-03-02T00:00:00Z")));
    let (fake, cfg) = serve(w).await;
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 6);
    {
        let mut w = fake.world.lock().unwrap();
        w.items[1]["state"] = json!("deleted");
        w.items[2]["state"] = json!("archived");
        w.items.retain(|i| i["id"] != "1003"); // gone entirely: `items(ids:)` omits it
        w.boards[1]["state"] = json!("deleted"); // its items still answer `items(ids:)` as active
        w.items[0]["state"] = json!("deleted"); // the parent: its subitem goes with it
    }
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert!(sink.docs.is_empty(), "{:?}", sink.ids());
    assert_eq!(s.deleted, 5, "the subitem went with its parent");
}

#[tokio::test]
async fn killed_sync_resumes_to_the_same_end_state() {
    let mut w = world(7);
    w.boards.push(board("200", "Second"));
    for i in 0..4 {
        w.items.push(item(
            &format!("{}", 2000 + i),
            "200",
            at("2024-03-01T00:00:00Z"),
        ));
    }
    let (fake, cfg) = serve(w.clone()).await;
    let mut clean = MemSink::default();
    run(&cfg, &mut clean, false).await.unwrap();

    let (fake2, cfg2) = serve(w).await;
    let mut sink = MemSink {
        crash_after: Some(4),
        ..MemSink::default()
    };
    assert!(matches!(
        run(&cfg2, &mut sink, false).await,
        Err(ConnectorError::Sink(_))
    ));
    let before = fake2.calls().len();
    sink.crash_after = None;
    run(&cfg2, &mut sink, false).await.unwrap();
    assert_eq!(sink.ids(), clean.ids());
    assert_eq!(sink.docs, clean.docs);
    // Board 100 (3 pages, committed) is not fetched again.
    let resumed: Vec<_> = fake2.calls()[before..]
        .iter()
        .filter(|c| c.query.contains("query_params"))
        .cloned()
        .collect();
    assert!(
        resumed.iter().all(|c| c.variables["board"][0] == "200"),
        "{resumed:?}"
    );
    drop(fake);
}

#[tokio::test]
async fn killed_mid_board_restarts_after_committed_items() {
    let (fake, cfg) = serve(world(8)).await;
    let mut sink = MemSink {
        crash_after: Some(2),
        ..MemSink::default()
    };
    assert!(run(&cfg, &mut sink, false).await.is_err());
    assert_eq!(sink.docs.len(), 6);
    sink.crash_after = None;
    let before = fake.calls().len();
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 8);
    assert_eq!(s.added, 2);
    let restart = fake.calls()[before..]
        .iter()
        .find(|c| c.query.contains("query_params"))
        .cloned()
        .unwrap();
    assert_eq!(
        restart.variables["params"]["rules"][0]["compare_value"][1],
        "2024-03-01T00:05:00Z"
    );
}

#[tokio::test]
async fn low_complexity_budget_waits_for_the_reset() {
    let mut w = world(2);
    w.budget_left = 500;
    let (_fake, cfg) = serve(w).await;
    let p = RecordingProgress::default();
    run_with(&cfg, &mut MemSink::default(), false, &p)
        .await
        .unwrap();
    let msgs = p.messages.lock().unwrap();
    assert!(
        msgs.iter()
            .any(|m| m == "waiting 30s: complexity budget low (500 left)"),
        "{msgs:?}"
    );
}

#[tokio::test]
async fn expensive_pages_shrink_the_page_size() {
    let mut w = world(5);
    w.cost = 3000; // three times the test target at 3 items per page: 1 item per page next
    let (fake, cfg) = serve(w).await;
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 5);
    let limits: Vec<_> = fake
        .calls()
        .iter()
        .filter(|c| c.query.contains("cursor items { id name"))
        .map(|c| c.variables["limit"].clone())
        .collect();
    assert_eq!(limits, vec![json!(3), json!(1), json!(1)]);
}

fn two_boards() -> World {
    let mut w = world(2);
    w.boards.push(board("200", "Later"));
    w.items
        .push(item("2000", "200", at("2024-01-01T00:00:00Z")));
    w
}

#[tokio::test]
async fn forbidden_board_403_is_skipped_then_crawled_in_full_once_readable() {
    let (fake, cfg) = serve(two_boards()).await;
    let legacy = r#"{"error_message":"User unauthorized to perform action","error_code":"UserUnauthorizedException","error_data":{},"status_code":403}"#;
    fake.fault(r#"query_params&&["200"]"#, 403, legacy);
    let mut sink = MemSink::default();
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!((sink.docs.len(), s.skipped), (2, 1));
    assert_eq!(
        sink.skipped[0].reason,
        "403 User unauthorized to perform action"
    );
    // Readable again: its old items come in although the run is incremental.
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!((sink.docs.len(), s.added, s.skipped), (3, 1, 0));
    assert!(sink.skipped.is_empty());
}

#[tokio::test]
async fn failing_board_is_skipped_after_bounded_retries_and_retried_next_run() {
    let (fake, cfg) = serve(two_boards()).await;
    for _ in 0..6 {
        fake.fault(r#"query_params&&["200"]"#, 500, r#"{"status_code":500,"error_message":"Internal server error","error_code":"INTERNAL_SERVER_ERROR"}"#);
    }
    let mut sink = MemSink::default();
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!((sink.docs.len(), s.skipped), (2, 1));
    assert_eq!(
        fake.count("query_params"),
        1 + 6,
        "board 100 once; board 200: 1 try + 5 retries"
    );
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!((sink.docs.len(), s.added), (3, 1));
}

#[tokio::test]
async fn updates_without_from_date_fall_back_to_newest_first() {
    let (fake, cfg) = serve(spaced_world(3)).await;
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    let now = Utc::now() + chrono::Duration::seconds(5);
    {
        let mut w = fake.world.lock().unwrap();
        w.items[0]["updates"] =
            json!([{ "id": "u1", "body": "Late comment", "created_at": now.to_rfc3339() }]);
        w.updates
            .push(json!({ "id": "u1", "item_id": "1000", "created_at": now.to_rfc3339() }));
    }
    let validation =
        r#"{"errors":[{"message":"Unknown argument \"from_date\" on field \"Query.updates\"."}]}"#;
    fake.fault("from_date", 200, validation);
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(s.updated, 2, "1000 commented, 1002 at the board mark");
    assert!(sink.docs["mon:1000"].body.contains("Late comment"));
    let plain = fake
        .calls()
        .into_iter()
        .filter(|c| {
            c.query
                .contains("page: $page) { id item_id created_at replies")
        })
        .count();
    assert_eq!(plain, 1);
}

#[tokio::test]
async fn too_complex_pages_are_halved() {
    let (fake, cfg) = serve(world(4)).await;
    let over = r#"{"errors":[{"message":"Complexity budget exhausted","extensions":{"code":"COMPLEXITY_BUDGET_EXHAUSTED","complexity":6000000,"complexity_budget_limit":5000000,"retry_in_seconds":60}}]}"#;
    fake.fault("query_params", 200, over);
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 4);
    let limits: Vec<_> = fake
        .calls()
        .iter()
        .filter(|c| c.query.contains("query_params"))
        .map(|c| c.variables["limit"].clone())
        .collect();
    assert_eq!(limits, vec![json!(3), json!(1)]);
}

/// Whatever the server sends, the crawler answers with a result, never a panic or a hang.
#[tokio::test]
async fn garbage_responses_never_panic() {
    let bodies = [
        r#"{"data":{"boards":[{"id":1,"items_page":{"items":[null,5,{"id":null},{"id":"x","updated_at":7,"column_values":"nope","updates":[{"body":5,"replies":[null]}],"subitems":[{"id":9}]}],"cursor":7}}]}}"#,
        r#"{"data":{"boards":[null],"next_items_page":null,"items":null,"updates":"x"}}"#,
        r#"{"data":{"boards":[{"items_page":{"cursor":"same","items":[]}}],"next_items_page":{"cursor":"same","items":[]}}}"#,
        r#"{"data":null}"#,
        "[]",
        "\"text\"",
        r#"{"errors":5}"#,
        r#"{"errors":[null,3,{"extensions":5,"message":7}]}"#,
        r#"{"error_code":5,"status_code":"x","error_data":[]}"#,
        "",
        r#"{"data":{"items":[{"id":"1000","state":5,"board":"x"},{"id":1001,"state":"deleted"}],"complexity":{"query":"x","after":-1}}}"#,
    ];
    let whens = [
        "boards(limit:",
        "query_params",
        "next_items_page",
        "items(ids:",
        "updates(limit: $limit, page: $page",
    ];
    let mut w = world(4);
    let parent = w.items[0].clone();
    w.items
        .push(subitem("5000", "101", &parent, at("2024-03-02T00:00:00Z")));
    for body in bodies {
        for when in whens {
            for status in [200, 500] {
                let (fake, cfg) = serve(w.clone()).await;
                let mut sink = MemSink::default();
                run(&cfg, &mut sink, false).await.unwrap();
                fake.world.lock().unwrap().items.remove(3);
                for _ in 0..8 {
                    fake.fault(when, status, body);
                }
                // Any result will do; hanging (a retry loop, a cursor cycle) fails the test.
                let sync = run(&cfg, &mut sink, false);
                let outcome = tokio::time::timeout(GARBAGE_TIMEOUT, sync).await;
                assert!(outcome.is_ok(), "sync hung on {status} {body:?} for {when}");
            }
        }
    }
}

/// Far more than a run over the small test world takes with the test tuning (no waits).
const GARBAGE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

#[tokio::test]
async fn subitems_by_id_shrink_when_over_the_cap() {
    let mut w = world(1);
    let parent = w.items[0].clone();
    for i in 0..3 {
        w.items.push(subitem(
            &format!("{}", 5000 + i),
            "101",
            &parent,
            at("2024-03-02T00:00:00Z"),
        ));
    }
    let (fake, cfg) = serve(w).await;
    fake.fault("items(ids:", 200, r#"{"errors":[{"message":"Query has complexity of 6000000, which exceeds max complexity of 5000000","extensions":{"code":"ComplexityException","complexity":6000000,"max_complexity":5000000}}]}"#);
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(sink.docs.len(), 4);
    let sizes: Vec<usize> = fake
        .calls()
        .iter()
        .filter(|c| c.query.contains("items(ids:"))
        .map(|c| c.variables["ids"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, vec![3, 1, 1, 1]);
    assert_eq!(
        fake.count("query_params"),
        1,
        "the page itself was not fetched again"
    );
}

#[tokio::test]
async fn unreadable_boards_in_the_listing_are_recorded_then_cleared() {
    let mut w = two_boards();
    w.hidden.push("200".into());
    let (fake, cfg) = serve(w).await;
    let mut sink = MemSink::default();
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!((sink.docs.len(), s.skipped), (2, 1));
    assert_eq!(sink.skipped[0].what, "board");
    assert!(
        sink.skipped[0].reason.starts_with("403 User unauthorized"),
        "{:?}",
        sink.skipped
    );
    fake.world.lock().unwrap().hidden.clear();
    let s = run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!((sink.docs.len(), s.skipped), (3, 0));
    assert!(sink.skipped.is_empty(), "{:?}", sink.skipped);
}

#[tokio::test]
async fn first_crawl_reads_board_updates_once_later_runs_per_item() {
    let mut w = spaced_world(4);
    w.items[2]["updates"] = json!([
        { "id": "u2", "body": "<p>Second</p>", "created_at": "2024-04-02T00:00:00Z", "creator": { "id": "2", "name": "Bob" },
          "replies": [{ "id": "r1", "body": "Reply!", "created_at": "2024-04-03T00:00:00Z", "creator": { "id": "1", "name": "Ann Lee" } }] },
        { "id": "u1", "body": "<p>First</p>", "created_at": "2024-04-01T00:00:00Z", "creator": { "id": "2", "name": "Bob" }, "replies": [] }
    ]);
    let (fake, cfg) = serve(w).await;
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    let board_updates = "{ id updates(limit: $limit, page: $page)";
    let item_updates = "items(ids: $ids, limit: $limit) { id updates(limit: 25)";
    assert_eq!(
        (fake.count(board_updates), fake.count(item_updates)),
        (1, 0)
    );
    assert!(fake
        .calls()
        .iter()
        .filter(|c| c.query.contains("cursor items {"))
        .all(|c| !c.query.contains("updates")));
    insta::assert_snapshot!(sink.docs["mon:1002"].body);
    // Later runs ask for the updates of the (few) changed items only.
    fake.world.lock().unwrap().items[3]["updated_at"] = json!(Utc::now().to_rfc3339());
    run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(
        (fake.count(board_updates), fake.count(item_updates)),
        (1, 1)
    );
    assert!(sink.docs["mon:1002"].body.contains("Reply by Ann Lee"));
}

#[tokio::test]
async fn page_limits_follow_board_size_and_start_small_when_incremental() {
    let mut w = spaced_world(2);
    w.boards[0]["items_count"] = json!(2);
    let (fake, cfg) = serve(w).await;
    let mut sink = MemSink::default();
    run(&cfg, &mut sink, false).await.unwrap();
    let first_limit = |calls: &[super::fake::Call]| {
        calls
            .iter()
            .find(|c| c.query.contains("query_params"))
            .map(|c| c.variables["limit"].clone())
    };
    assert_eq!(
        first_limit(&fake.calls()),
        Some(json!(2)),
        "no more than the board holds"
    );
    let before = fake.calls().len();
    run(&cfg, &mut sink, false).await.unwrap();
    assert_eq!(
        first_limit(&fake.calls()[before..]),
        Some(json!(3)),
        "incremental starts at items_per_page"
    );
}
