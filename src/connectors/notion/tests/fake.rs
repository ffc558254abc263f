//! A tiny in-test Notion server (axum on 127.0.0.1:0) following ../shared/docs/notion-api.md, with fault
//! injection and a request log, plus an in-memory [`Sink`] and a recording [`Progress`].

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

use crate::config::SourceConfig;
pub(crate) use crate::connectors::RecordingProgress;
use crate::document::SourceKind;
use crate::secret::Secret;

pub const TOKEN: &str = "ntn_test_secret_token_123";

/// A canned response: status, headers, body.
pub type Canned = (u16, Vec<(&'static str, String)>, String);

#[derive(Default)]
pub struct Fake {
    pub pages: BTreeMap<String, Value>,
    /// Block or page id → its child blocks.
    pub children: BTreeMap<String, Vec<Value>>,
    pub databases: BTreeMap<String, Value>,
    pub sources: BTreeMap<String, Value>,
    /// Data source id → row page ids.
    pub rows: BTreeMap<String, Vec<String>>,
    /// Ids search does not return.
    pub hidden: HashSet<String>,
    /// Block ids whose children listing answers 404.
    pub unlistable: HashSet<String>,
    /// Largest page the server returns (clients ask for 100).
    pub max_page: usize,
    /// Request-line substring → responses to give instead, in order.
    pub faults: Vec<(String, VecDeque<Canned>)>,
    pub log: Vec<String>,
    /// Delay before answering each request (to observe concurrency).
    pub delay_ms: u64,
    pub in_flight: usize,
    pub max_in_flight: usize,
}

impl Fake {
    pub fn new() -> Self {
        Fake {
            max_page: 100,
            ..Fake::default()
        }
    }

    pub fn fault(&mut self, needle: &str, canned: Canned) {
        match self.faults.iter_mut().find(|(n, _)| n == needle) {
            Some((_, q)) => q.push_back(canned),
            None => self
                .faults
                .push((needle.to_owned(), VecDeque::from([canned]))),
        }
    }

    pub fn add_page(&mut self, page: Value, blocks: Vec<Value>) {
        let id = page["id"].as_str().unwrap_or_default().to_owned();
        self.pages.insert(id.clone(), page);
        self.set_children(&id, blocks);
    }

    /// Sets the children of a page or block, filling in their `parent`.
    pub fn set_children(&mut self, parent: &str, mut blocks: Vec<Value>) {
        let parent_ref = if self.pages.contains_key(parent) {
            json!({"type": "page_id", "page_id": parent})
        } else {
            json!({"type": "block_id", "block_id": parent})
        };
        for b in &mut blocks {
            b["parent"] = parent_ref.clone();
        }
        self.children.insert(parent.to_owned(), blocks);
    }

    /// Requests whose log line contains `needle`.
    pub fn count(&self, needle: &str) -> usize {
        self.log.iter().filter(|l| l.contains(needle)).count()
    }

    fn find_block(&self, id: &str) -> Option<Value> {
        self.children
            .values()
            .flatten()
            .find(|b| b["id"] == id)
            .cloned()
    }
}

pub type Shared = Arc<Mutex<Fake>>;

/// Starts the server; returns its base URL.
pub async fn serve(fake: Fake) -> (String, Shared) {
    let shared = Arc::new(Mutex::new(fake));
    let app = Router::new().fallback(handle).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), shared)
}

pub fn config(base: &str) -> SourceConfig {
    SourceConfig::unpaced("notion", SourceKind::Notion, Secret::new(TOKEN), base)
}

fn error(status: u16, code: &str, message: &str) -> Canned {
    let body = json!({"object": "error", "status": status, "code": code, "message": message, "request_id": "r"});
    (status, vec![], body.to_string())
}

fn respond((status, headers, body): Canned) -> Response {
    let mut resp = (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body).into_response();
    for (k, v) in headers {
        if let Ok(v) = v.parse() {
            resp.headers_mut().insert(k, v);
        }
    }
    resp
}

async fn handle(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let delay = {
        let mut f = s.lock().unwrap();
        f.in_flight += 1;
        f.max_in_flight = f.max_in_flight.max(f.in_flight);
        f.delay_ms
    };
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let resp = answer(&s, method, uri, headers, body);
    s.lock().unwrap().in_flight -= 1;
    resp
}

fn answer(s: &Shared, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut fake = s.lock().unwrap();
    let line = match body.get("start_cursor") {
        Some(c) => format!("{method} {uri} cursor={}", c.as_str().unwrap_or("")),
        None => format!("{method} {uri}"),
    };
    fake.log.push(line.clone());
    if let Some((_, q)) = fake
        .faults
        .iter_mut()
        .find(|(n, q)| line.contains(n.as_str()) && !q.is_empty())
    {
        let canned = q.pop_front().unwrap();
        return respond(canned);
    }
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return respond(error(401, "unauthorized", "API token is invalid."));
    }
    if headers.get("notion-version").and_then(|v| v.to_str().ok()) != Some("2025-09-03") {
        return respond(error(
            400,
            "missing_version",
            "Notion-Version header failed validation",
        ));
    }
    let query: BTreeMap<String, String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let cursor = query
        .get("start_cursor")
        .cloned()
        .or_else(|| body["start_cursor"].as_str().map(str::to_owned));
    let segs: Vec<&str> = uri.path().trim_start_matches("/v1/").split('/').collect();
    let canned = route(&fake, &method, &segs, cursor.as_deref());
    respond(canned)
}

fn route(f: &Fake, method: &Method, segs: &[&str], cursor: Option<&str>) -> Canned {
    let ok = |v: Value| (200, vec![], v.to_string());
    let nf = |what: &str, id: &str| {
        error(404, "object_not_found", &format!("Could not find {what} with ID: {id}. Make sure the relevant pages and databases are shared with your integration."))
    };
    match (method.as_str(), segs) {
        ("POST", ["search"]) => list(f, search_results(f), cursor, "page_or_data_source"),
        ("GET", ["users"]) => list(
            f,
            vec![json!({"object": "user", "id": "u1", "name": "Ada Lovelace", "type": "person"})],
            cursor,
            "user",
        ),
        ("GET", ["pages", id]) => f
            .pages
            .get(*id)
            .cloned()
            .map(ok)
            .unwrap_or_else(|| nf("page", id)),
        ("GET", ["blocks", id, "children"]) => {
            let known = f.pages.contains_key(*id)
                || f.children.contains_key(*id)
                || f.find_block(id).is_some();
            if !known || f.unlistable.contains(*id) {
                return nf("block", id);
            }
            list(
                f,
                f.children.get(*id).cloned().unwrap_or_default(),
                cursor,
                "block",
            )
        }
        ("GET", ["blocks", id]) => f.find_block(id).map(ok).unwrap_or_else(|| nf("block", id)),
        ("GET", ["databases", id]) => f
            .databases
            .get(*id)
            .cloned()
            .map(ok)
            .unwrap_or_else(|| nf("database", id)),
        ("GET", ["data_sources", id]) => f
            .sources
            .get(*id)
            .cloned()
            .map(ok)
            .unwrap_or_else(|| nf("database", id)),
        ("POST", ["data_sources", id, "query"]) => {
            let Some(ids) = f.rows.get(*id) else {
                return nf("database", id);
            };
            let rows = ids
                .iter()
                .filter_map(|r| f.pages.get(r))
                .filter(|p| p["in_trash"] != true)
                .cloned()
                .collect();
            list(f, rows, cursor, "page_or_data_source")
        }
        _ => error(400, "invalid_request_url", "Invalid request URL."),
    }
}

fn search_results(f: &Fake) -> Vec<Value> {
    let mut all: Vec<Value> = f
        .pages
        .values()
        .chain(f.sources.values())
        .filter(|v| !f.hidden.contains(v["id"].as_str().unwrap_or("")))
        .cloned()
        .collect();
    all.sort_by(|a, b| {
        b["last_edited_time"]
            .as_str()
            .cmp(&a["last_edited_time"].as_str())
    });
    all
}

/// A list envelope; cursors are item indexes.
fn list(f: &Fake, items: Vec<Value>, cursor: Option<&str>, ty: &str) -> Canned {
    let start = match cursor.map(str::parse::<usize>) {
        None => 0,
        Some(Ok(i)) if i < items.len() => i,
        Some(_) => {
            return error(
                400,
                "validation_error",
                "The start_cursor provided is invalid: x",
            )
        }
    };
    let end = (start + f.max_page).min(items.len());
    let more = end < items.len();
    let body = json!({
        "object": "list", "results": items[start..end], "has_more": more,
        "next_cursor": if more { json!(end.to_string()) } else { Value::Null },
        "type": ty, ty: {}, "request_id": "r",
    });
    (200, vec![], body.to_string())
}

// ---- builders ---------------------------------------------------------------------------

pub fn rt(text: &str) -> Value {
    json!([{"type": "text", "text": {"content": text, "link": null}, "plain_text": text, "href": null}])
}

pub fn under(page: &str) -> Value {
    json!({"type": "page_id", "page_id": page})
}

pub fn workspace() -> Value {
    json!({"type": "workspace", "workspace": true})
}

pub fn page(id: &str, title: &str, parent: Value, edited: &str) -> Value {
    json!({
        "object": "page", "id": id,
        "created_time": "2026-01-01T00:00:00.000Z", "last_edited_time": edited,
        "created_by": {"object": "user", "id": "u1"}, "last_edited_by": {"object": "user", "id": "u1"},
        "parent": parent, "in_trash": false, "archived": false,
        "properties": {"title": {"id": "title", "type": "title", "title": rt(title)}},
        "url": format!("https://app.notion.com/p/{id}"),
    })
}

pub fn block(id: &str, ty: &str, payload: Value, has_children: bool) -> Value {
    json!({"object": "block", "id": id, "type": ty, ty: payload, "has_children": has_children,
           "last_edited_time": "2026-01-01T00:00:00.000Z", "in_trash": false})
}

pub fn para(id: &str, text: &str) -> Value {
    block(id, "paragraph", json!({"rich_text": rt(text)}), false)
}

pub fn child_page(id: &str, title: &str) -> Value {
    block(id, "child_page", json!({"title": title}), false)
}

/// A database `db` with one data source `ds` (in search unless hidden) and rows.
pub fn add_database(f: &mut Fake, db: &str, ds: &str, title: &str, parent: &str, rows: Vec<Value>) {
    f.databases.insert(db.into(), json!({
        "object": "database", "id": db, "title": rt(title), "description": rt("A test database"),
        "parent": under(parent), "in_trash": false, "is_inline": true,
        "created_time": "2026-01-01T00:00:00.000+00:00", "last_edited_time": "2026-01-02T00:00:00.000+00:00",
        "data_sources": [{"id": ds, "name": title}], "url": format!("https://app.notion.com/p/{db}"),
    }));
    f.sources.insert(ds.into(), json!({
        "object": "data_source", "id": ds, "title": rt(title), "parent": {"type": "database_id", "database_id": db},
        "last_edited_time": "2026-01-02T00:00:00.000Z", "in_trash": false,
        "properties": {"Name": {"id": "title", "type": "title"}, "Status": {"id": "s", "type": "status"}},
    }));
    let ids = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    for r in rows {
        f.add_page(r, vec![]);
    }
    f.rows.insert(ds.into(), ids);
}

pub fn row(id: &str, title: &str, ds: &str, status: &str, edited: &str) -> Value {
    let mut p = page(
        id,
        title,
        json!({"type": "data_source_id", "data_source_id": ds}),
        edited,
    );
    p["properties"] = json!({
        "Name": {"id": "title", "type": "title", "title": rt(title)},
        "Status": {"id": "s", "type": "status", "status": {"id": "x", "name": status, "color": "blue"}},
    });
    p
}

// ---- sink and progress ------------------------------------------------------------------

pub use crate::connectors::testing::MemSink;
