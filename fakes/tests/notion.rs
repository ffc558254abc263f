//! The fake Notion server over real HTTP (reqwest on loopback): auth and version errors,
//! pagination, search omissions, rate limiting, faults, mutations and control endpoints.

use std::collections::HashSet;

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use trove_fakes::notion::{
    generate, FakeNotion, FakeNotionOptions, FaultKind, Faults, GenSpec, Parent, Workspace,
};

const TOKEN: &str = "ntn_test_token";
const VERSION: &str = "2025-09-03";

fn spec() -> GenSpec {
    GenSpec {
        pages: 60,
        max_depth: 8,
        wide_page_children: 230,
        database_rows: 40,
        seed: 42,
        search_omit_fraction: 0.3,
        ..GenSpec::default()
    }
}

async fn start_with(ws: Workspace, rate: Option<u32>) -> FakeNotion {
    let opts = FakeNotionOptions {
        workspace: ws,
        token: TOKEN.into(),
        rate_limit_per_minute: rate,
        faults: Faults::none(),
        addr: None,
    };
    match FakeNotion::start(opts).await {
        Ok(s) => s,
        Err(e) => panic!("fake failed to start: {e}"),
    }
}

async fn start() -> FakeNotion {
    start_with(generate(&spec()), None).await
}

struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

async fn send(req: reqwest::RequestBuilder) -> Reply {
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        headers,
        body,
    }
}

fn authed(req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    req.bearer_auth(TOKEN).header("Notion-Version", VERSION)
}

async fn get(s: &FakeNotion, path: &str) -> Reply {
    send(authed(
        reqwest::Client::new().get(format!("{}{path}", s.url())),
    ))
    .await
}

async fn post(s: &FakeNotion, path: &str, body: Value) -> Reply {
    send(authed(reqwest::Client::new().post(format!("{}{path}", s.url()))).json(&body)).await
}

/// Walks `GET /v1/blocks/{id}/children` with `page_size`, returning every result.
async fn all_children(s: &FakeNotion, id: &str, page_size: usize) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/blocks/{id}/children?page_size={page_size}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&start_cursor={c}"));
        }
        let r = get(s, &path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        out.extend(r.body["results"].as_array().cloned().unwrap_or_default());
        match r.body["next_cursor"].as_str() {
            Some(c) if r.body["has_more"] == true => cursor = Some(c.to_string()),
            _ => return out,
        }
    }
}

/// Walks search with a body template, returning every result.
async fn all_search(s: &FakeNotion, mut body: Value) -> Vec<Value> {
    let mut out = Vec::new();
    loop {
        let r = post(s, "/v1/search", body.clone()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        out.extend(r.body["results"].as_array().cloned().unwrap_or_default());
        match r.body["next_cursor"].as_str() {
            Some(c) => body["start_cursor"] = json!(c),
            None => return out,
        }
    }
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn missing_or_wrong_token_is_401_with_notion_error_shape() {
    let s = start().await;
    let url = format!("{}/v1/users", s.url());
    let r = send(
        reqwest::Client::new()
            .get(&url)
            .header("Notion-Version", VERSION),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.body["object"], "error");
    assert_eq!(r.body["status"], 401);
    assert_eq!(r.body["code"], "unauthorized");
    assert_eq!(r.body["message"], "API token is invalid.");
    let rid = r.body["request_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        r.headers["x-notion-request-id"].to_str().ok(),
        Some(rid.as_str())
    );
    assert_eq!(
        r.headers["content-type"].to_str().ok(),
        Some("application/json; charset=utf-8")
    );
    let wrong = reqwest::Client::new()
        .get(&url)
        .bearer_auth("ntn_wrong")
        .header("Notion-Version", VERSION);
    assert_eq!(send(wrong).await.status, 401);
}

#[tokio::test]
async fn missing_version_is_400_missing_version() {
    let s = start().await;
    let req = reqwest::Client::new()
        .get(format!("{}/v1/users", s.url()))
        .bearer_auth(TOKEN);
    let r = send(req).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["code"], "missing_version");
}

#[tokio::test]
async fn ids_unknown_routes_and_not_found() {
    let s = start().await;
    let r = get(&s, "/v1/blocks/AAA").await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["message"],
        "path failed validation: path.block_id should be a valid uuid, instead was `\"AAA\"`."
    );
    let r = get(&s, "/v1/pages/00000000-0000-0000-0000-000000000000").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["code"], "object_not_found");
    let page = s.workspace().page_ids()[0].clone();
    let r = get(&s, &format!("/v1/pages/{}", page.replace('-', ""))).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], page.as_str());
    let r = get(&s, "/v1/invalid").await;
    assert_eq!(r.body["code"], "invalid_request_url");
}

#[tokio::test]
async fn block_children_walk_returns_every_child_exactly_once() {
    let s = start().await;
    let ws = s.workspace();
    let wide = ws.markers.wide_page.clone().unwrap_or_default();
    let got = ids(&all_children(&s, &wide, 37).await);
    assert_eq!(got.len(), 230);
    assert_eq!(got, ws.visible_children(&wide));
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len());
}

#[tokio::test]
async fn page_size_over_100_and_bad_cursor_are_validation_errors() {
    let s = start().await;
    let page = s.workspace().markers.wide_page.clone().unwrap_or_default();
    let r = get(&s, &format!("/v1/blocks/{page}/children?page_size=101")).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["code"], "validation_error");
    let r = post(&s, "/v1/search", json!({"page_size": 101})).await;
    assert_eq!(r.status, 400);
    let r = get(
        &s,
        &format!("/v1/blocks/{page}/children?start_cursor=bogus"),
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body["message"],
        "The start_cursor provided is invalid: bogus"
    );
}

#[tokio::test]
async fn search_omits_pages_that_stay_reachable_through_their_parent() {
    let s = start().await;
    let ws = s.workspace();
    let found: HashSet<String> = ids(&all_search(
        &s,
        json!({"filter": {"property": "object", "value": "page"}}),
    )
    .await)
    .into_iter()
    .collect();
    let expected: HashSet<String> = ws.searchable_page_ids().into_iter().collect();
    assert_eq!(found, expected);
    let omitted: Vec<String> = ws
        .omitted_from_search()
        .into_iter()
        .filter(|id| !matches!(ws.pages[id].parent, Parent::DataSource { .. }))
        .collect();
    assert!(!omitted.is_empty());
    let hidden = &omitted[0];
    assert!(!found.contains(hidden));
    let parent = ws.parent_page_of(hidden).unwrap_or_default();
    let mut listed = Vec::new();
    for block in all_children(&s, &parent, 100).await {
        listed.push(block["id"].as_str().unwrap_or_default().to_string());
        let container = !matches!(block["type"].as_str(), Some("child_page" | "synced_block"));
        if block["has_children"] == true && container {
            let inner = block["id"].as_str().unwrap_or_default().to_string();
            listed.extend(ids(&all_children(&s, &inner, 100).await));
        }
    }
    assert!(
        listed.contains(hidden),
        "omitted page not reachable from parent"
    );
}

#[tokio::test]
async fn search_sorts_and_filters_data_sources() {
    let s = start().await;
    let body = json!({"sort": {"timestamp": "last_edited_time", "direction": "ascending"},
                      "page_size": 50});
    let results = all_search(&s, body).await;
    let times: Vec<String> = results
        .iter()
        .map(|r| {
            r["last_edited_time"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    let ds = all_search(
        &s,
        json!({"filter": {"property": "object", "value": "data_source"}}),
    )
    .await;
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0]["object"], "data_source");
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let s = start_with(generate(&spec()), Some(5)).await;
    for _ in 0..5 {
        assert_eq!(get(&s, "/v1/users").await.status, 200);
    }
    let r = get(&s, "/v1/users").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.body["code"], "rate_limited");
    let secs: u64 = r.headers["retry-after"]
        .to_str()
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=60).contains(&secs));
    s.set_rate_limit(None);
    assert_eq!(get(&s, "/v1/users").await.status, 200);
}

#[tokio::test]
async fn scripted_faults_then_normal_service() {
    let s = start().await;
    let wide = s.workspace().markers.wide_page.clone().unwrap_or_default();
    let first = get(&s, &format!("/v1/blocks/{wide}/children?page_size=10")).await;
    let cursor = first.body["next_cursor"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    s.set_faults(Faults::scripted(vec![
        FaultKind::BadGateway,
        FaultKind::RateLimited,
        FaultKind::ServiceUnavailable,
        FaultKind::InvalidCursor,
    ]));
    let r = get(&s, "/v1/users").await;
    assert_eq!(r.status, 502);
    assert!(r.body.as_str().unwrap_or_default().contains("<html>"));
    let r = get(&s, "/v1/users").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["retry-after"].to_str().ok(), Some("1"));
    assert_eq!(get(&s, "/v1/users").await.status, 503);
    let path = format!("/v1/blocks/{wide}/children?page_size=10&start_cursor={cursor}");
    let r = get(&s, &path).await;
    assert_eq!(r.status, 400);
    assert!(r.body["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("The start_cursor provided is invalid: "));
    let r = get(&s, &path).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["results"].as_array().map(Vec::len), Some(10));
    let counts = s.requests();
    assert_eq!(counts.status(502), 1);
    assert_eq!(counts.endpoint("GET /v1/blocks/{id}/children"), 3);
}

#[tokio::test]
async fn trash_and_unshare_change_what_the_api_returns() {
    let s = start().await;
    let ws = s.workspace();
    let trashed = ws.searchable_page_ids()[3].clone();
    assert!(s.trash_page(&trashed));
    let r = get(&s, &format!("/v1/pages/{trashed}")).await;
    assert_eq!(r.body["in_trash"], true);
    assert_eq!(r.body["archived"], true);
    let new = send(
        reqwest::Client::new()
            .get(format!("{}/v1/pages/{trashed}", s.url()))
            .bearer_auth(TOKEN)
            .header("Notion-Version", "2026-03-11"),
    )
    .await;
    assert_eq!(new.body["in_trash"], true);
    assert!(new.body.get("archived").is_none());
    let unshared = ws.searchable_page_ids()[4].clone();
    assert!(s.unshare_page(&unshared));
    assert_eq!(get(&s, &format!("/v1/pages/{unshared}")).await.status, 404);
    let found = ids(&all_search(&s, json!({})).await);
    assert!(!found.contains(&trashed));
    assert!(!found.contains(&unshared));
}

#[tokio::test]
async fn edits_bump_last_edited_time_past_earlier_values() {
    let s = start().await;
    let ws = s.workspace();
    let page = ws.markers.wide_page.clone().unwrap_or_default();
    let block = ws.visible_children(&page)[0].clone();
    let before = get(&s, &format!("/v1/pages/{page}")).await.body["last_edited_time"].clone();
    assert!(s.edit_block_text(&block, "completely new words"));
    let after = get(&s, &format!("/v1/pages/{page}")).await.body["last_edited_time"].clone();
    assert!(after.as_str() > before.as_str(), "{before} → {after}");
    assert!(after.as_str().unwrap_or_default().ends_with(":00.000Z"));
    let b = get(&s, &format!("/v1/blocks/{block}")).await;
    assert_eq!(b.body["last_edited_time"], after);
    assert_eq!(
        b.body["paragraph"]["rich_text"][0]["plain_text"],
        "completely new words"
    );
}

#[tokio::test]
async fn synced_reference_lists_original_or_404s_when_unshared() {
    let s = start().await;
    let ws = s.workspace();
    let showcase = ws.markers.showcase_page.clone().unwrap_or_default();
    let refs: Vec<(String, String)> = ws
        .visible_children(&showcase)
        .into_iter()
        .filter_map(|c| ws.synced_original(&c).map(|o| (c, o)))
        .collect();
    assert_eq!(refs.len(), 2);
    for (reference, original) in refs {
        let r = get(&s, &format!("/v1/blocks/{reference}/children")).await;
        if ws.node_visible(&original) {
            assert_eq!(r.status, 200);
            assert_eq!(
                ids(r.body["results"].as_array().map_or(&[][..], |v| v)),
                ws.visible_children(&original)
            );
        } else {
            assert_eq!(r.status, 404);
        }
    }
}

#[tokio::test]
async fn deepest_marker_is_reachable_by_recursive_crawl() {
    let s = start().await;
    let ws = s.workspace();
    let deepest = ws.deepest_page_id().unwrap_or_default();
    let phrase = ws.unique_phrase_of(&deepest).unwrap_or_default();
    let mut stack = vec![deepest];
    let mut text = String::new();
    while let Some(id) = stack.pop() {
        for b in all_children(&s, &id, 100).await {
            text.push_str(&b.to_string());
            if b["has_children"] == true {
                stack.push(b["id"].as_str().unwrap_or_default().to_string());
            }
        }
    }
    assert!(text.contains(&format!("deepest block {phrase}")));
}

#[tokio::test]
async fn data_source_query_pages_through_rows_with_all_property_types() {
    let s = start().await;
    let ws = s.workspace();
    let db = ws.markers.database.clone().unwrap_or_default();
    let r = get(&s, &format!("/v1/databases/{db}")).await;
    let ds = r.body["data_sources"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let schema = get(&s, &format!("/v1/data_sources/{ds}")).await.body;
    assert_eq!(schema["properties"].as_object().map(|m| m.len()), Some(24));
    let mut rows = Vec::new();
    let mut body = json!({"page_size": 15});
    loop {
        let r = post(&s, &format!("/v1/data_sources/{ds}/query"), body.clone()).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["type"], "page_or_data_source");
        rows.extend(r.body["results"].as_array().cloned().unwrap_or_default());
        match r.body["next_cursor"].as_str() {
            Some(c) => body["start_cursor"] = json!(c),
            None => break,
        }
    }
    assert_eq!(rows.len(), 40);
    assert_eq!(rows[0]["parent"]["type"], "data_source_id");
    let related = &rows[0]["properties"]["Related"];
    assert_eq!(related["relation"].as_array().map(Vec::len), Some(25));
    assert_eq!(related["has_more"], true);
    // The property-item endpoint pages through all 30.
    let row = rows[0]["id"].as_str().unwrap_or_default().to_string();
    let prop = related["id"].as_str().unwrap_or_default().to_string();
    let mut all = Vec::new();
    let mut path = format!("/v1/pages/{row}/properties/{prop}?page_size=7");
    loop {
        let r = get(&s, &path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["type"], "property_item");
        all.extend(r.body["results"].as_array().cloned().unwrap_or_default());
        match r.body["property_item"]["next_url"].as_str() {
            Some(url) => path = url.trim_start_matches(&s.url()).to_string(),
            None => break,
        }
    }
    assert_eq!(all.len(), 30);
    let number = get(&s, &format!("/v1/pages/{row}/properties/Estimate")).await;
    assert_eq!(number.body["object"], "property_item");
    assert_eq!(number.body["type"], "number");
}

#[tokio::test]
async fn users_paginate() {
    let s = start().await;
    let r = get(&s, "/v1/users?page_size=2").await;
    assert_eq!(r.body["type"], "user");
    assert_eq!(r.body["has_more"], true);
    let me = get(&s, "/v1/users/me").await;
    assert_eq!(me.body["type"], "bot");
}

#[tokio::test]
async fn control_endpoints_drive_the_fake_over_http() {
    let s = start().await;
    let c = reqwest::Client::new();
    let page = s.workspace().searchable_page_ids()[1].clone();
    let r = send(c.post(format!("{}/__fake/pages/{page}/unshare", s.url()))).await;
    assert_eq!(r.body["ok"], true);
    assert_eq!(get(&s, &format!("/v1/pages/{page}")).await.status, 404);
    let faults = json!({"script": ["internal_error"]});
    send(c.put(format!("{}/__fake/faults", s.url())).json(&faults)).await;
    assert_eq!(get(&s, "/v1/users").await.status, 500);
    let counts = send(c.get(format!("{}/__fake/requests", s.url()))).await;
    assert_eq!(counts.body["total"], 2);
    let r = send(
        c.post(format!("{}/__fake/pages", s.url()))
            .json(&json!({"title": "Fresh page", "text": "hello fresh words"})),
    )
    .await;
    let id = r.body["id"].as_str().unwrap_or_default().to_string();
    let found = ids(&all_search(&s, json!({"query": "fresh page"})).await);
    assert_eq!(found, vec![id]);
    send(c.delete(format!("{}/__fake/requests", s.url()))).await;
    assert_eq!(s.requests().total, 0);
}

#[tokio::test]
async fn fixture_workspace_serves_recorded_blocks() {
    trove_fakes::require_fixtures!();
    let dir = trove_fakes::fixtures::path("notion");
    let ws = Workspace::from_fixtures(&dir).expect("recorded Notion fixtures load");
    let s = start_with(ws, None).await;
    let kids = all_children(&s, "67cf059ce74646a0b72d481c9ff5d386", 10).await;
    assert_eq!(kids.len(), 36);
    assert_eq!(kids[0]["paragraph"]["rich_text"][0]["plain_text"], "Text");
}

#[tokio::test]
async fn short_page_fault_keeps_has_more() {
    let s = start().await;
    let wide = s.workspace().markers.wide_page.clone().unwrap_or_default();
    s.set_faults(Faults::scripted(vec![FaultKind::ShortPage]));
    let r = get(&s, &format!("/v1/blocks/{wide}/children?page_size=20")).await;
    assert_eq!(r.body["results"].as_array().map(Vec::len), Some(10));
    assert_eq!(r.body["has_more"], true);
}

/// A retrying walk under random faults sees exactly the fault-free content.
#[tokio::test]
async fn random_faults_never_corrupt_content() {
    let s = start().await;
    let wide = s.workspace().markers.wide_page.clone().unwrap_or_default();
    let clean = ids(&all_children(&s, &wide, 25).await);
    s.set_faults(Faults {
        seed: 9,
        rate_limited: 0.1,
        internal_error: 0.1,
        bad_gateway: 0.1,
        gateway_timeout: 0.1,
        invalid_cursor: 0.1,
        short_page: 0.1,
        retry_after_secs: 0,
        ..Faults::default()
    });
    let mut got = Vec::new();
    let mut cursor: Option<String> = None;
    let mut attempts = 0;
    loop {
        attempts += 1;
        assert!(attempts < 500, "too many attempts");
        let mut path = format!("/v1/blocks/{wide}/children?page_size=25");
        if let Some(c) = &cursor {
            path.push_str(&format!("&start_cursor={c}"));
        }
        let r = get(&s, &path).await;
        if r.status != 200 {
            continue; // retry the same request
        }
        got.extend(ids(r.body["results"].as_array().map_or(&[][..], |v| v)));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(got, clean);
    assert!(s.requests().total > 10);
}

#[tokio::test]
async fn query_result_limit_marks_the_last_page_incomplete() {
    let s = start().await;
    s.with_workspace(|w| w.query_result_limit = Some(12));
    let ds = s
        .workspace()
        .markers
        .data_source
        .clone()
        .unwrap_or_default();
    let path = format!("/v1/data_sources/{ds}/query");
    let first = post(&s, &path, json!({"page_size": 10})).await;
    assert!(first.body.get("request_status").is_none());
    let cursor = first.body["next_cursor"].clone();
    let last = post(&s, &path, json!({"page_size": 10, "start_cursor": cursor})).await;
    assert_eq!(last.body["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(last.body["has_more"], false);
    assert_eq!(
        last.body["request_status"]["incomplete_reason"],
        "query_result_limit_reached"
    );
    // Timestamp filters let a client slice past the cap.
    let after = post(
        &s,
        &path,
        json!({"filter": {"timestamp": "created_time",
        "created_time": {"after": "2100-01-01"}}}),
    )
    .await;
    assert_eq!(after.body["results"].as_array().map(Vec::len), Some(0));
}
