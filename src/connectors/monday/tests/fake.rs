//! A tiny in-test monday.com server (axum on 127.0.0.1:0): a [`World`] of boards, items and
//! updates answered by looking at the query text, plus injected [`Fault`]s served first.
//! Not the real fake (`trove_fakes::monday`, in `fakes/src/monday`): just enough GraphQL for
//! the crawler's queries.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// The account's data.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// Boards as `boards` lists them (`state` decides visibility).
    pub boards: Vec<Value>,
    /// Items and subitems: `id name updated_at state board{id} parent_item …`.
    pub items: Vec<Value>,
    /// Root updates: `id item_id created_at`.
    pub updates: Vec<Value>,
    /// Boards whose items the token may not read.
    pub forbidden: Vec<String>,
    /// Boards listed as `null` with a `USER_UNAUTHORIZED` error at their path.
    pub hidden: Vec<String>,
    /// `complexity.query` of every answer (0: 1000).
    pub cost: u64,
    /// `complexity.after` of every answer (0: plenty).
    pub budget_left: u64,
}

/// A canned response served instead of the normal one to the next request whose query text
/// or variables (as JSON) contain `when` (every part of it, split on `&&`).
#[derive(Debug, Clone)]
pub struct Fault {
    pub when: &'static str,
    pub status: u16,
    pub body: String,
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Call {
    pub query: String,
    pub variables: Value,
    pub authorization: String,
    pub api_version: String,
}

#[derive(Default)]
pub struct Fake {
    pub world: Mutex<World>,
    pub faults: Mutex<VecDeque<Fault>>,
    pub calls: Mutex<Vec<Call>>,
}

impl Fake {
    pub fn new(world: World) -> Arc<Fake> {
        Arc::new(Fake {
            world: Mutex::new(world),
            ..Default::default()
        })
    }

    pub fn fault(&self, when: &'static str, status: u16, body: impl Into<String>) {
        self.faults.lock().unwrap().push_back(Fault {
            when,
            status,
            body: body.into(),
        });
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub fn count(&self, needle: &str) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.query.contains(needle))
            .count()
    }

    /// Starts serving; returns the endpoint URL.
    pub async fn serve(self: &Arc<Self>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new()
            .route("/v2", post(handle))
            .with_state(self.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        format!("http://{addr}/v2")
    }

    fn respond(&self, headers: &HeaderMap, body: &str) -> (u16, String) {
        let req: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let query = req["query"].as_str().unwrap_or_default().to_owned();
        let variables = req["variables"].clone();
        let header = |n: &str| {
            headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        self.calls.lock().unwrap().push(Call {
            query: query.clone(),
            variables: variables.clone(),
            authorization: header("authorization"),
            api_version: header("api-version"),
        });
        let mut faults = self.faults.lock().unwrap();
        let haystack = format!("{query} {variables}");
        let matches = |f: &Fault| f.when.split("&&").all(|part| haystack.contains(part));
        if let Some(i) = faults.iter().position(matches) {
            let f = faults.remove(i).unwrap();
            return (f.status, f.body);
        }
        drop(faults);
        let world = self.world.lock().unwrap().clone();
        let data = world.answer(&query, &variables);
        let errors = world.listing_errors(&data);
        let mut body = json!({ "data": data, "extensions": { "request_id": "test" } });
        if !errors.is_empty() {
            body["errors"] = json!(errors);
        }
        (200, body.to_string())
    }
}

async fn handle(State(fake): State<Arc<Fake>>, headers: HeaderMap, body: String) -> Response {
    let (status, body) = fake.respond(&headers, &body);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [("content-type", "application/json")], body).into_response()
}

impl World {
    fn answer(&self, q: &str, v: &Value) -> Value {
        let mut data = if q.contains("{ id updates(limit: $limit, page: $page)") {
            json!({ "boards": [{ "id": v["board"][0], "updates": self.board_updates(v) }] })
        } else if q.contains("updates(limit: $limit, page: $page") {
            json!({ "updates": self.recent_updates(v) })
        } else if q.contains("boards(limit:") {
            json!({ "boards": self.list_boards(v) })
        } else if q.contains("next_items_page") {
            json!({ "next_items_page": self.page_from_cursor(v["cursor"].as_str().unwrap_or_default(), v) })
        } else if q.contains("items_page(") {
            json!({ "boards": [self.first_page(v)] })
        } else if q.contains("items(ids:") {
            json!({ "items": self.by_ids(v) })
        } else {
            json!({})
        };
        data["complexity"] = self.complexity();
        data
    }

    fn complexity(&self) -> Value {
        let cost = if self.cost == 0 { 1000 } else { self.cost };
        let after = if self.budget_left == 0 {
            9_990_000
        } else {
            self.budget_left
        };
        json!({ "before": after + cost, "after": after, "query": cost, "reset_in_x_seconds": 30 })
    }

    fn list_boards(&self, v: &Value) -> Vec<Value> {
        let limit = v["limit"].as_u64().unwrap_or(25) as usize;
        let page = v["page"].as_u64().unwrap_or(1).max(1) as usize;
        let active: Vec<Value> = self
            .boards
            .iter()
            .filter(|b| b["state"] == "active")
            .cloned()
            .collect();
        let hide = |b: Value| {
            if self.hidden.iter().any(|h| b["id"] == h.as_str()) {
                Value::Null
            } else {
                b
            }
        };
        active
            .into_iter()
            .skip((page - 1) * limit)
            .take(limit)
            .map(hide)
            .collect()
    }

    /// A `USER_UNAUTHORIZED` error for each `null` board of a listing.
    fn listing_errors(&self, data: &Value) -> Vec<Value> {
        let Some(list) = data.get("boards").and_then(Value::as_array) else {
            return Vec::new();
        };
        (0..list.len())
            .filter(|&i| list[i].is_null())
            .map(|i| {
                json!({ "message": "User unauthorized to perform action", "path": ["boards", i],
                             "extensions": { "code": "USER_UNAUTHORIZED", "status_code": 403 } })
            })
            .collect()
    }

    fn first_page(&self, v: &Value) -> Value {
        let board = v["board"][0].as_str().unwrap_or_default().to_owned();
        if self.forbidden.contains(&board) {
            return Value::Null;
        }
        let since = v["params"]["rules"][0]["compare_value"][1]
            .as_str()
            .unwrap_or("-")
            .to_owned();
        json!({ "id": board, "items_page": self.page(&board, &since, 0, v) })
    }

    fn page_from_cursor(&self, cursor: &str, v: &Value) -> Value {
        let parts: Vec<&str> = cursor.split('|').collect();
        let offset = parts.get(3).and_then(|o| o.parse().ok()).unwrap_or(0);
        self.page(
            parts.get(1).unwrap_or(&""),
            parts.get(2).unwrap_or(&"-"),
            offset,
            v,
        )
    }

    /// Active top-level items of `board` updated at or after `since`, oldest change first.
    fn page(&self, board: &str, since: &str, offset: usize, v: &Value) -> Value {
        let limit = v["limit"].as_u64().unwrap_or(25) as usize;
        let since: Option<DateTime<Utc>> = since.parse().ok();
        let mut items: Vec<&Value> = self
            .items
            .iter()
            .filter(|i| {
                i["board"]["id"] == board && i["state"] == "active" && i["parent_item"].is_null()
            })
            .filter(|i| since.is_none_or(|s| ts(i) >= s))
            .collect();
        items.sort_by_key(|i| (ts(i), i["id"].as_str().unwrap_or_default().to_owned()));
        let slice: Vec<Value> = items
            .iter()
            .skip(offset)
            .take(limit)
            .map(|i| self.render(i))
            .collect();
        let next = offset + slice.len();
        let since_s = since.map_or("-".to_owned(), |s| s.to_rfc3339());
        let cursor = (next < items.len()).then(|| format!("c|{board}|{since_s}|{next}"));
        json!({ "cursor": cursor, "items": slice })
    }

    fn by_ids(&self, v: &Value) -> Vec<Value> {
        let ids: Vec<&str> = v["ids"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        self.items
            .iter()
            .filter(|i| ids.contains(&i["id"].as_str().unwrap_or_default()))
            .map(|i| self.render(i))
            .collect()
    }

    /// The item with its (active) subitems listed.
    fn render(&self, item: &Value) -> Value {
        let mut out = item.clone();
        let subs: Vec<Value> = self
            .items
            .iter()
            .filter(|s| s["parent_item"]["id"] == item["id"] && s["state"] == "active")
            .map(|s| json!({ "id": s["id"], "name": s["name"] }))
            .collect();
        out["subitems"] = json!(subs);
        out
    }

    /// The updates nested in the board's items (with `item_id`), newest first.
    fn board_updates(&self, v: &Value) -> Vec<Value> {
        let board = v["board"][0].clone();
        let limit = v["limit"].as_u64().unwrap_or(25) as usize;
        let page = v["page"].as_u64().unwrap_or(1).max(1) as usize;
        let mut ups: Vec<Value> = Vec::new();
        for item in self
            .items
            .iter()
            .filter(|i| i["board"]["id"] == board && i["state"] != "deleted")
        {
            for u in item["updates"].as_array().into_iter().flatten() {
                let mut u = u.clone();
                u["item_id"] = item["id"].clone();
                ups.push(u);
            }
        }
        ups.sort_by(|a, b| b["created_at"].as_str().cmp(&a["created_at"].as_str()));
        ups.into_iter()
            .skip((page - 1) * limit)
            .take(limit)
            .collect()
    }

    fn recent_updates(&self, v: &Value) -> Vec<Value> {
        let limit = v["limit"].as_u64().unwrap_or(25) as usize;
        let page = v["page"].as_u64().unwrap_or(1).max(1) as usize;
        let mut ups = self.updates.clone();
        ups.sort_by(|a, b| b["created_at"].as_str().cmp(&a["created_at"].as_str()));
        ups.into_iter()
            .skip((page - 1) * limit)
            .take(limit)
            .collect()
    }
}

fn ts(item: &Value) -> DateTime<Utc> {
    item["updated_at"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default()
}
