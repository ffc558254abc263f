//! The fake monday.com server over real HTTP: auth, validation, pagination, cursors,
//! complexity, mutations and faults, as a crawler sees them.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use trove_fakes::monday::{
    generate, Account, FakeMonday, FakeMondayOptions, FaultKind, Faults, GenSpec,
};

const TOKEN: &str = "test-token";

fn spec() -> GenSpec {
    GenSpec {
        boards: 3,
        items_per_board: 10,
        big_board_items: 1200,
        updates: 60,
        ..GenSpec::default()
    }
}

/// The test account, generated once per test binary.
fn account() -> Account {
    static ACCOUNT: OnceLock<Account> = OnceLock::new();
    ACCOUNT.get_or_init(|| generate(&spec())).clone()
}

async fn start_with(f: impl FnOnce(&mut FakeMondayOptions)) -> FakeMonday {
    let mut opts = FakeMondayOptions {
        account: account(),
        token: TOKEN.into(),
        complexity_budget_per_minute: None,
        faults: Faults::none(),
        cursor_ttl: Duration::from_secs(3600),
        addr: None,
    };
    f(&mut opts);
    FakeMonday::start(opts).await.expect("fake starts")
}

async fn start() -> FakeMonday {
    start_with(|_| {}).await
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

async fn post(server: &FakeMonday, auth: Option<&str>, body: Value) -> Answer {
    let mut req = reqwest::Client::new()
        .post(server.url())
        .header("API-Version", "2026-01")
        .json(&body);
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

async fn gql(server: &FakeMonday, query: &str, variables: Value) -> Answer {
    post(
        server,
        Some(TOKEN),
        json!({"query": query, "variables": variables}),
    )
    .await
}

fn big_board(server: &FakeMonday) -> String {
    server.with_account(|a| a.big_board().map(|b| b.id.to_string()).unwrap_or_default())
}

#[tokio::test]
async fn auth_accepts_raw_and_bearer_and_rejects_others_with_the_2025_body() {
    let server = start().await;
    let q = json!({"query": "query { me { id } }"});
    for bad in [None, Some("wrong"), Some("Bearer wrong")] {
        let a = post(&server, bad, q.clone()).await;
        assert_eq!(a.status, 401);
        assert_eq!(
            a.body,
            json!({"errors":[{"message":"Not authenticated","extensions":{"code":"NOT_AUTHENTICATED"}}]})
        );
        assert!(a.headers.get("api-version").is_none());
    }
    for good in [TOKEN.to_string(), format!("Bearer {TOKEN}")] {
        let a = post(&server, Some(&good), q.clone()).await;
        assert_eq!(a.status, 200);
        assert!(a.body["data"]["me"]["id"].is_string());
        assert_eq!(a.headers["api-version"], "2026-01");
        assert_eq!(
            a.body["extensions"]["request_id"],
            a.headers["x-request-id"].to_str().unwrap()
        );
    }
}

#[tokio::test]
async fn unknown_field_gives_the_real_validation_error() {
    let server = start().await;
    let a = gql(
        &server,
        r#"query{items(ids: "18273360069"){invalid_field}}"#,
        json!({}),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.body["errors"][0],
        json!({"message": "Cannot query field \"invalid_field\" on type \"Item\".", "locations": [{"line": 1, "column": 33}]})
    );
    assert!(a.body.get("data").is_none());
    assert!(a.headers.get("api-version").is_none());
    let a = gql(&server, "{ boards(latest_ids: 1) { id } }", json!({})).await;
    assert_eq!(
        a.body["errors"][0]["message"],
        "Unknown argument \"latest_ids\" on field \"Query.boards\"."
    );
}

const ITEM_FIELDS: &str = "fragment F on Item { id name updated_at column_values { id text value ... on MirrorValue { display_value } } }";

#[tokio::test]
async fn items_page_then_next_items_page_walks_every_item_once() {
    let server = start().await;
    let board = big_board(&server);
    let first = format!("query ($b: [ID!]!) {{ boards(ids: $b) {{ items_page(limit: 500) {{ cursor items {{ ...F }} }} }} }} {ITEM_FIELDS}");
    let a = gql(&server, &first, json!({"b": [board]})).await;
    let page = &a.body["data"]["boards"][0]["items_page"];
    let mut seen: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    let mut cursor = page["cursor"].clone();
    let next = format!("query ($c: String!) {{ next_items_page(cursor: $c, limit: 500) {{ cursor items {{ ...F }} }} }} {ITEM_FIELDS}");
    while let Some(c) = cursor.as_str() {
        let a = gql(&server, &next, json!({"c": c})).await;
        let page = &a.body["data"]["next_items_page"];
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_str().unwrap().to_string()),
        );
        cursor = page["cursor"].clone();
    }
    assert_eq!(seen.len(), 1200);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 1200);
    assert_eq!(server.stats().root_fields["next_items_page"], 2);
}

#[tokio::test]
async fn page_limits_and_cursor_misuse_are_errors() {
    let server = start().await;
    let board = big_board(&server);
    let a = gql(
        &server,
        "query ($b: ID!) { boards(ids: [$b]) { items_page(limit: 501) { cursor } } }",
        json!({"b": board}),
    )
    .await;
    assert_eq!(a.body["data"], Value::Null);
    assert_eq!(
        a.body["errors"][0]["extensions"]["code"],
        "InvalidArgumentException"
    );
    let a = gql(
        &server,
        "query ($b: ID!) { boards(ids: [$b]) { items_page(limit: 5) { cursor } } }",
        json!({"b": board}),
    )
    .await;
    let cursor = a.body["data"]["boards"][0]["items_page"]["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let q = r#"query ($b: ID!, $c: String) { boards(ids: [$b]) { items_page(limit: 5, cursor: $c, query_params: {rules: [{column_id: "name", compare_value: ["x"]}]}) { cursor } } }"#;
    let a = gql(&server, q, json!({"b": board, "c": cursor})).await;
    assert_eq!(
        a.body["errors"][0]["message"],
        "You can't use query_params and cursor in the same request"
    );
    // The real API also takes the cursor back on items_page itself.
    let q = "query ($b: ID!, $c: String) { boards(ids: [$b]) { items_page(limit: 5, cursor: $c) { items { id } } } }";
    let a = gql(&server, q, json!({"b": board, "c": cursor})).await;
    assert_eq!(
        a.body["data"]["boards"][0]["items_page"]["items"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

#[tokio::test]
async fn expired_cursors_give_cursor_exception() {
    let server = start().await;
    let board = big_board(&server);
    let a = gql(
        &server,
        "query ($b: ID!) { boards(ids: [$b]) { items_page(limit: 5) { cursor } } }",
        json!({"b": board}),
    )
    .await;
    let cursor = a.body["data"]["boards"][0]["items_page"]["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    server.expire_cursors();
    let a = gql(
        &server,
        "query ($c: String!) { next_items_page(cursor: $c) { cursor } }",
        json!({"c": cursor}),
    )
    .await;
    assert_eq!(a.status, 200);
    let err = &a.body["errors"][0];
    assert_eq!(err["extensions"]["code"], "CursorException");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .starts_with("CursorExpiredError:"));

    let short = start_with(|o| o.cursor_ttl = Duration::ZERO).await;
    let board = big_board(&short);
    let a = gql(
        &short,
        "query ($b: ID!) { boards(ids: [$b]) { items_page(limit: 5) { cursor } } }",
        json!({"b": board}),
    )
    .await;
    let cursor = a.body["data"]["boards"][0]["items_page"]["cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let a = gql(
        &short,
        "query ($c: String!) { next_items_page(cursor: $c) { cursor } }",
        json!({"c": cursor}),
    )
    .await;
    assert_eq!(a.body["errors"][0]["extensions"]["code"], "CursorException");
}

#[tokio::test]
async fn complexity_is_reported_and_the_budget_runs_out() {
    let server = start_with(|o| o.complexity_budget_per_minute = Some(100_000)).await;
    let q = "{ complexity { before after query reset_in_x_seconds } boards(limit: 5) { id name } }";
    let a = gql(&server, q, json!({})).await;
    let c = &a.body["data"]["complexity"];
    assert_eq!(c["before"], 100_000);
    assert_eq!(
        c["after"].as_u64().unwrap() + c["query"].as_u64().unwrap(),
        100_000
    );
    assert!(c["reset_in_x_seconds"].as_u64().unwrap() <= 60);
    let heavy = format!("{{ boards(ids: [{}]) {{ items_page(limit: 300) {{ items {{ id column_values {{ id text }} }} }} }} }}", big_board(&server));
    let a = gql(&server, &heavy, json!({})).await;
    assert_eq!(a.status, 429);
    assert_eq!(
        a.body["errors"][0]["extensions"]["code"],
        "COMPLEXITY_BUDGET_EXHAUSTED"
    );
    assert!(
        a.body["errors"][0]["extensions"]["retry_in_seconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
    assert!(a.headers.get("retry-after").is_some());
    let huge =
        "{ boards(limit: 100) { items_page(limit: 500) { items { id updates { id body } } } } }";
    let a = gql(&server, huge, json!({})).await;
    assert_eq!(
        a.body["errors"][0]["extensions"]["code"],
        "ComplexityException"
    );
}

#[tokio::test]
async fn updates_do_not_bump_updated_at_but_edits_do() {
    let server = start().await;
    let (item, before) = server.with_account(|a| {
        let b = a.big_board().unwrap();
        let i = a.item(b.item_ids[0]).unwrap();
        (i.id.to_string(), i.updated_at)
    });
    let q = "query ($i: [ID!]) { items(ids: $i) { updated_at name updates(limit: 1) { body text_body } } }";
    let update_id = server
        .add_update(&item, "<p>Hello <b>world</b> zebracorn</p>")
        .unwrap();
    let a = gql(&server, q, json!({"i": [item]})).await;
    let it = &a.body["data"]["items"][0];
    assert_eq!(
        it["updated_at"],
        before.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    );
    assert_eq!(it["updates"][0]["text_body"], "Hello world zebracorn");
    assert!(server.add_reply(&update_id, "<p>ok</p>").is_some());
    assert!(server.edit_item_name(&item, "Renamed item"));
    let a = gql(&server, q, json!({"i": [item]})).await;
    assert_eq!(a.body["data"]["items"][0]["name"], "Renamed item");
    let after = a.body["data"]["items"][0]["updated_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(after > before.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    // The incremental filter finds exactly that item.
    let q = r#"query ($b: [ID!], $t: CompareValue!) { boards(ids: $b) { items_page(limit: 500, query_params: {rules: [{column_id: "__last_updated__", compare_value: $t, operator: greater_than_or_equals, compare_attribute: "UPDATED_AT"}], order_by: [{column_id: "__last_updated__"}]}) { items { id } } } }"#;
    let a = gql(
        &server,
        q,
        json!({"b": [big_board(&server)], "t": ["EXACT", after]}),
    )
    .await;
    assert_eq!(
        a.body["data"]["boards"][0]["items_page"]["items"],
        json!([{"id": item}])
    );
}

#[tokio::test]
async fn archived_and_deleted_items_leave_pages_and_keep_their_state() {
    let server = start().await;
    let board = server.with_account(|a| a.content_boards().nth(1).unwrap().id.to_string());
    let ids: Vec<String> = server.with_account(|a| {
        a.board(board.parse().unwrap())
            .unwrap()
            .item_ids
            .iter()
            .map(|i| i.to_string())
            .collect()
    });
    assert!(server.archive_item(&ids[0]));
    assert!(server.delete_item(&ids[1]));
    let a = gql(
        &server,
        "query ($i: [ID!]) { items(ids: $i) { id state } }",
        json!({"i": [ids[0], ids[1], "1"]}),
    )
    .await;
    assert_eq!(
        a.body["data"]["items"],
        json!([{"id": ids[0], "state": "archived"}, {"id": ids[1], "state": "deleted"}])
    );
    let a = gql(
        &server,
        "query ($b: [ID!]) { boards(ids: $b) { items_page(limit: 100) { items { id } } } }",
        json!({"b": [board]}),
    )
    .await;
    let listed: Vec<&str> = a.body["data"]["boards"][0]["items_page"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed.len(), ids.len() - 2);
    assert!(!listed.contains(&ids[0].as_str()));
    // Board-level archive over the control endpoint.
    let url = format!("http://{}/__fake/boards/{board}/archive", server.addr());
    assert!(reqwest::Client::new()
        .post(url)
        .send()
        .await
        .unwrap()
        .status()
        .is_success());
    let a = gql(
        &server,
        "{ boards(state: archived) { id state } }",
        json!({}),
    )
    .await;
    assert_eq!(
        a.body["data"]["boards"],
        json!([{"id": board, "state": "archived"}])
    );
}

#[tokio::test]
async fn column_values_follow_real_text_and_value_semantics() {
    let server = start().await;
    let board = big_board(&server);
    let q = "query ($b: [ID!]) { boards(ids: $b) { columns { id type settings_str } items_page(limit: 50) { items { column_values { id type text value ... on MirrorValue { display_value } ... on BoardRelationValue { display_value linked_item_ids } } subitems { id board { id } } } } } all: boards(limit: 100) { id type } }";
    let a = gql(&server, q, json!({"b": [board]})).await;
    let b = &a.body["data"]["boards"][0];
    assert!(b["columns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "name"));
    let values: Vec<&Value> = b["items_page"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["column_values"].as_array().unwrap())
        .collect();
    assert!(values.iter().all(|v| v["id"] != "name"));
    for v in &values {
        match v["type"].as_str().unwrap() {
            "mirror" | "board_relation" => {
                assert!(v["text"].is_null() && v["display_value"].is_string())
            }
            "dependency" | "subtasks" => assert!(v["text"].is_null()),
            "status" if v["value"].is_string() => {
                let parsed: Value = serde_json::from_str(v["value"].as_str().unwrap()).unwrap();
                assert!(parsed["index"].is_u64() && v["text"].is_string());
            }
            "text" => assert!(v["value"].as_str().unwrap().starts_with('"')),
            _ => assert!(v["value"].is_null() || v["value"].is_string()),
        }
    }
    let all = a.body["data"]["all"].as_array().unwrap();
    let sub_boards: Vec<&Value> = all
        .iter()
        .filter(|b| b["type"] == "sub_items_board")
        .collect();
    assert!(!sub_boards.is_empty());
    let sub = b["items_page"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|i| i["subitems"].as_array().and_then(|s| s.first()))
        .unwrap();
    assert!(sub_boards.iter().any(|sb| sb["id"] == sub["board"]["id"]));
}

#[tokio::test]
async fn root_updates_are_newest_first_with_replies() {
    let server = start().await;
    let a = gql(
        &server,
        "{ updates(limit: 50) { id created_at text_body replies { id text_body } } }",
        json!({}),
    )
    .await;
    let ups = a.body["data"]["updates"].as_array().unwrap();
    assert_eq!(ups.len(), 50);
    let times: Vec<&str> = ups
        .iter()
        .map(|u| u["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]));
    assert!(ups
        .iter()
        .any(|u| !u["replies"].as_array().unwrap().is_empty()));
}

#[tokio::test]
async fn injected_faults_use_real_bodies() {
    let script = vec![
        FaultKind::Http500,
        FaultKind::InternalError,
        FaultKind::RateLimit,
    ];
    let server = start_with(|o| {
        o.faults = Faults {
            script,
            ..Faults::none()
        }
    })
    .await;
    let q = "{ me { id } }";
    let a = gql(&server, q, json!({})).await;
    assert_eq!(
        (a.status, a.body["error_code"].as_str()),
        (500, Some("INTERNAL_SERVER_ERROR"))
    );
    let a = gql(&server, q, json!({})).await;
    assert_eq!((a.status, &a.body["data"]), (200, &Value::Null));
    assert_eq!(
        a.body["errors"][0]["extensions"]["error_code"],
        "INTERNAL_SERVER_ERROR"
    );
    let a = gql(&server, q, json!({})).await;
    assert_eq!(a.status, 429);
    assert!(a.headers.get("retry-after").is_some());
    assert_eq!(gql(&server, q, json!({})).await.status, 200);
    server.set_faults(Faults {
        daily_limit_exceeded: true,
        ..Faults::none()
    });
    let a = gql(&server, q, json!({})).await;
    assert_eq!(
        a.body["errors"][0]["extensions"]["code"],
        "DAILY_LIMIT_EXCEEDED"
    );
    // Faults over the control endpoint.
    let url = format!("http://{}/__fake/faults", server.addr());
    reqwest::Client::new()
        .put(&url)
        .json(&json!({"script": ["http500"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(gql(&server, q, json!({})).await.status, 500);
    let stats: Value = reqwest::get(format!("http://{}/__fake/stats", server.addr()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(stats["faults_injected"].as_u64().unwrap() >= 5);
}

#[tokio::test]
async fn aliases_fragments_and_variables_work_together() {
    let server = start().await;
    let q = "query Q($n: Int = 2, $skip: Boolean!) { first: boards(limit: $n) { ...B } second: boards(limit: 1, page: 2) { id name @skip(if: $skip) } } fragment B on Board { id kind: board_kind workspace { name } }";
    let a = post(
        &server,
        Some(TOKEN),
        json!({"query": q, "variables": {"skip": true}, "operationName": "Q"}),
    )
    .await;
    let d = &a.body["data"];
    assert_eq!(d["first"].as_array().unwrap().len(), 2);
    assert!(d["first"][0]["kind"].is_string());
    assert!(d["second"][0].get("name").is_none());
    let a = gql(
        &server,
        "query ($n: Int!) { boards(limit: $n) { id } }",
        json!({}),
    )
    .await;
    assert_eq!(
        a.body["errors"][0]["message"],
        "Variable \"$n\" of required type \"Int!\" was not provided."
    );
}

#[tokio::test]
async fn versions_select_the_envelope_and_bad_versions_are_rejected() {
    let server = start().await;
    let send = |v: &'static str| {
        let url = server.url();
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .header("Authorization", TOKEN)
                .header("API-Version", v)
                .json(&json!({"query": "{ me { id } }"}))
                .send()
                .await
                .unwrap();
            let version = r
                .headers()
                .get("api-version")
                .map(|h| h.to_str().unwrap().to_string());
            (version, r.json::<Value>().await.unwrap())
        }
    };
    let (v, body) = send("2024-10").await;
    assert_eq!(v.as_deref(), Some("2024-10"));
    assert!(body["account_id"].is_u64() && body.get("extensions").is_none());
    let (v, body) = send("2025-10").await;
    assert_eq!(v.as_deref(), Some("2025-10"));
    assert!(body["extensions"]["request_id"].is_string() && body.get("account_id").is_none());
    let (v, _) = send("2024-02").await;
    assert_eq!(
        v.as_deref(),
        Some("2026-01"),
        "unknown versions are served as Current"
    );
    let (_, body) = send("2025-13").await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "InvalidVersionException"
    );
}

#[tokio::test]
async fn minute_request_limit_answers_429_with_retry_after() {
    let server = start_with(|o| o.faults.requests_per_minute = Some(3)).await;
    for _ in 0..3 {
        assert_eq!(gql(&server, "{ me { id } }", json!({})).await.status, 200);
    }
    let a = gql(&server, "{ me { id } }", json!({})).await;
    assert_eq!(a.status, 429);
    assert_eq!(
        a.body["errors"][0]["extensions"]["code"],
        "RATE_LIMIT_EXCEEDED"
    );
    let retry: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
}

#[tokio::test]
async fn unauthorized_boards_come_back_as_null_entries_with_errors() {
    let server = start().await;
    let denied = big_board(&server);
    server.set_faults(Faults {
        unauthorized_boards: vec![denied.clone()],
        ..Faults::none()
    });
    let a = gql(
        &server,
        "query ($b: [ID!]) { mine: boards(ids: $b) { id name } }",
        json!({"b": [denied]}),
    )
    .await;
    assert_eq!(a.body["data"]["mine"], json!([null]));
    assert_eq!(a.body["errors"][0]["path"], json!(["mine", 0]));
    assert_eq!(
        a.body["errors"][0]["extensions"]["code"],
        "USER_UNAUTHORIZED"
    );
}

#[tokio::test]
async fn control_endpoints_edit_comment_and_count() {
    let server = start().await;
    let base = format!("http://{}/__fake", server.addr());
    let http = reqwest::Client::new();
    let item = server.with_account(|a| a.active_items(a.big_board().unwrap().id)[3].id.to_string());
    let r = http
        .post(format!("{base}/items/{item}/columns/status"))
        .json(&json!({"text": "Done"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert_eq!(
        server.with_account(|a| a.cell_text(item.parse().unwrap(), "status")),
        Some(Some("Done".into()))
    );
    let r = http
        .post(format!("{base}/items/{item}/columns/status"))
        .json(&json!({"text": "No such label"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r: Value = http
        .post(format!("{base}/items/{item}/updates"))
        .json(&json!({"body": "<p>via http</p>"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let update = r["id"].as_str().unwrap().to_string();
    let r = http
        .post(format!("{base}/updates/{update}/replies"))
        .json(&json!({"body": "<p>reply</p>"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let a = gql(&server, "query ($i: [ID!]) { items(ids: $i) { updates(limit: 1) { text_body replies { text_body } } } }", json!({"i": [item]})).await;
    assert_eq!(
        a.body["data"]["items"][0]["updates"][0],
        json!({"text_body": "via http", "replies": [{"text_body": "reply"}]})
    );
    http.post(format!("{base}/stats/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(server.stats().requests, 0);
    let sdl = http
        .get(format!("http://{}/v2/get_schema?format=sdl", server.addr()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sdl.contains("type Item {"));
}

#[tokio::test]
async fn daily_call_limit_stops_calls_until_reset() {
    let server = start_with(|o| o.faults.daily_call_limit = Some(2)).await;
    assert_eq!(gql(&server, "{ me { id } }", json!({})).await.status, 200);
    assert_eq!(gql(&server, "{ me { id } }", json!({})).await.status, 200);
    let a = gql(&server, "{ me { id } }", json!({})).await;
    assert_eq!(
        a.body["errors"][0]["extensions"]["code"],
        "DAILY_LIMIT_EXCEEDED"
    );
    server.reset_stats();
    assert_eq!(gql(&server, "{ me { id } }", json!({})).await.status, 200);
}

#[tokio::test]
async fn older_versions_get_older_error_shapes() {
    let server = start_with(|o| o.complexity_budget_per_minute = Some(10)).await;
    let send = |v: &'static str| {
        let url = server.url();
        async move {
            let r = reqwest::Client::new()
                .post(url)
                .header("Authorization", TOKEN)
                .header("API-Version", v)
                .json(&json!({"query": "{ boards { id } }"}))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = send("2024-10").await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (200, Some("ComplexityException"))
    );
    assert!(body["error_message"].as_str().unwrap().contains("reset in"));
    assert!(body["account_id"].is_u64());
    let (status, body) = send("2025-04").await;
    assert_eq!(status, 429);
    assert_eq!(
        body["errors"][0]["extensions"]["complexity_budget_limit"],
        10
    );
    let (status, body) = send("2025-10").await;
    assert_eq!(status, 429);
    assert_eq!(
        body["errors"][0]["extensions"].as_object().unwrap().len(),
        2
    );
}

#[tokio::test]
async fn nested_subitem_state_can_fail_like_real_monday() {
    let server = start_with(|o| o.faults.subitem_state_errors = true).await;
    let (item, sub) = server.with_account(|a| {
        let i = a
            .items
            .values()
            .find(|i| !i.subitem_ids.is_empty())
            .unwrap();
        (i.id.to_string(), i.subitem_ids[0].to_string())
    });
    let a = gql(
        &server,
        "query ($i: [ID!]) { items(ids: $i) { subitems { id state } } }",
        json!({"i": [item]}),
    )
    .await;
    assert_eq!(a.body["data"], Value::Null);
    assert_eq!(
        a.body["errors"][0]["extensions"]["error_code"],
        "INTERNAL_SERVER_ERROR"
    );
    let a = gql(
        &server,
        "query ($i: [ID!]) { items(ids: $i) { id state } }",
        json!({"i": [sub]}),
    )
    .await;
    assert_eq!(a.body["data"]["items"][0]["state"], "active");
}

#[tokio::test]
async fn version_and_assets_are_served() {
    let server = start().await;
    let a = gql(
        &server,
        "{ version { kind value display_name } }",
        json!({}),
    )
    .await;
    assert_eq!(
        a.body["data"]["version"],
        json!({"kind": "current", "value": "2026-01", "display_name": "Current"})
    );
    let item = server.with_account(|a| {
        a.items
            .values()
            .find(|i| i.cells.contains_key("files"))
            .unwrap()
            .id
            .to_string()
    });
    let a = gql(&server, "query ($i: [ID!]) { items(ids: $i) { assets { id name url file_extension uploaded_by { id } } } }", json!({"i": [item]})).await;
    let asset = &a.body["data"]["items"][0]["assets"][0];
    assert!(asset["url"]
        .as_str()
        .unwrap()
        .ends_with(asset["name"].as_str().unwrap()));
    assert!(asset["file_extension"].as_str().unwrap().starts_with('.'));
}

#[tokio::test]
async fn activity_logs_record_changes_and_deletions() {
    let server = start().await;
    let board = big_board(&server);
    let ids: Vec<String> = server.with_account(|a| {
        a.active_items(board.parse().unwrap())
            .iter()
            .take(2)
            .map(|i| i.id.to_string())
            .collect()
    });
    let since = server.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    assert!(server.edit_item_name(&ids[0], "Edited"));
    assert!(server.delete_item(&ids[1]));
    let q = "query ($b: [ID!], $from: ISO8601DateTime) { boards(ids: $b) { activity_logs(from: $from, limit: 10) { id event entity data created_at user_id account_id } } }";
    let a = gql(&server, q, json!({"b": [board], "from": since})).await;
    let logs = a.body["data"]["boards"][0]["activity_logs"]
        .as_array()
        .unwrap();
    let events: Vec<&str> = logs.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(events, ["delete_pulse", "update_name"]);
    let data: Value = serde_json::from_str(logs[0]["data"].as_str().unwrap()).unwrap();
    assert_eq!(data["pulse_id"].to_string(), ids[1]);
    assert_eq!(logs[0]["created_at"].as_str().unwrap().len(), 17);
    let a = gql(
        &server,
        "query ($b: [ID!]) { boards(ids: $b) { activity_logs(limit: 500) { event } } }",
        json!({"b": [board]}),
    )
    .await;
    assert_eq!(
        a.body["data"]["boards"][0]["activity_logs"]
            .as_array()
            .unwrap()
            .len(),
        500
    );
}
