//! The `/v1` handlers (notion-api.md §1): search, blocks, pages, databases, data sources,
//! users. Each parses ids and paging, reads the workspace under its lock, and renders JSON.
//! Unknown routes answer 400 `invalid_request_url` like the real API.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, RawQuery, State};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Value};

use super::gate::{gate, Ctx};
use super::model::Workspace;
use super::pagination::{self, page_size};
use super::render::{self, ApiVersion};
use super::reply::{finish, parse_id, ApiError, ApiResult};
use super::{control, lock, props, Shared};

/// The whole app: `/v1` API behind the gate, plus `/__fake` control routes.
pub fn app(sh: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1/search", post(search))
        .route("/v1/blocks/{id}", get(get_block))
        .route("/v1/blocks/{id}/children", get(block_children))
        .route("/v1/pages/{id}", get(get_page))
        .route("/v1/pages/{id}/properties/{prop}", get(props::get_property))
        .route("/v1/databases/{id}", get(get_database))
        .route("/v1/databases/{id}/query", post(query_database))
        .route("/v1/data_sources/{id}", get(get_data_source))
        .route("/v1/data_sources/{id}/query", post(query_data_source))
        .route("/v1/users", get(list_users))
        .route("/v1/users/{id}", get(get_user))
        .merge(control::router())
        .fallback(invalid_url)
        .method_not_allowed_fallback(invalid_url)
        .layer(from_fn_with_state(sh.clone(), gate))
        .with_state(sh)
}

async fn invalid_url(ctx: Option<Extension<Ctx>>) -> Response {
    let id = ctx.map(|c| c.0.request_id).unwrap_or_default();
    ApiError::invalid_url().into_response(&id)
}

/// Parses a POST body (empty = `{}`).
fn body_json(body: &Bytes) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    let v: Value = serde_json::from_slice(body).map_err(|_| ApiError::invalid_json())?;
    if v.is_object() {
        Ok(v)
    } else {
        Err(ApiError::validation(
            "body failed validation: body should be an object.",
        ))
    }
}

/// POST endpoints take `start_cursor` in the body; in the query string it is an error.
fn no_query_cursor(raw: Option<&str>) -> Result<(), ApiError> {
    let Some(q) = raw else { return Ok(()) };
    for pair in q.split('&') {
        if let Some(v) = pair.strip_prefix("start_cursor=") {
            return Err(ApiError::validation(format!(
                "query failed validation: query.start_cursor should be not present, instead was `\"{v}\"`."
            )));
        }
    }
    Ok(())
}

/// Reads `start_cursor`; applies an injected invalid-cursor fault (once per cursor).
fn cursor_of(sh: &Shared, ctx: &Ctx, value: Option<&Value>) -> Result<Option<String>, ApiError> {
    let cursor = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => s.clone(),
        Some(other) => return Err(ApiError::invalid_cursor(&other.to_string())),
    };
    if ctx.reject_cursor && lock(&sh.faults).reject_cursor_once(&cursor) {
        return Err(ApiError::invalid_cursor(&cursor));
    }
    Ok(Some(cursor))
}

async fn search(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    let result = (|| {
        no_query_cursor(raw.as_deref())?;
        let body = body_json(&body)?;
        let size = ctx.serve_size(page_size(body.get("page_size"), "body")?);
        let cursor = cursor_of(&sh, &ctx, body.get("start_cursor"))?;
        let ws = sh.ws();
        let ids = search_ids(&ws, &body, ctx.version)?;
        let (slice, next) = pagination::page(&ids, "search", cursor.as_deref(), size)?;
        let results = slice
            .iter()
            .filter_map(|id| search_item(&ws, id, ctx.version))
            .collect();
        Ok(render::list(results, next, "page_or_data_source"))
    })();
    finish(result, &ctx.request_id)
}

/// Ids search returns, filtered and sorted (notion-api.md §1.3).
fn search_ids(ws: &Workspace, body: &Value, v: ApiVersion) -> Result<Vec<String>, ApiError> {
    let db_word = if v == ApiVersion::V2022 {
        "database"
    } else {
        "data_source"
    };
    let (pages, sources) = match &body["filter"] {
        Value::Null => (true, true),
        f => match f["value"].as_str() {
            Some("page") => (true, false),
            Some(x) if x == db_word => (false, true),
            other => {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.filter.value should be `\"page\"` or `\"{db_word}\"`, instead was `{}`.",
                    other.map_or("undefined".to_string(), |o| format!("\"{o}\""))
                )))
            }
        },
    };
    let query = body["query"].as_str().unwrap_or("").to_lowercase();
    let mut items: Vec<(String, i64)> = Vec::new();
    if pages {
        for id in ws.page_ids() {
            if ws.search_lists_page(&id) && ws.page_title(&id).to_lowercase().contains(&query) {
                items.push((id.clone(), ws.pages[&id].edited));
            }
        }
    }
    if sources {
        for id in &ws.data_source_order {
            let Some(ds) = ws.data_sources.get(id) else {
                continue;
            };
            let db_ok = ws
                .databases
                .get(&ds.database)
                .is_some_and(|d| d.shared && !d.in_trash);
            if ds.in_search && db_ok && ds.title.to_lowercase().contains(&query) {
                items.push((id.clone(), ds.edited));
            }
        }
    }
    sort_by_edited(&mut items, &body["sort"])?;
    Ok(items.into_iter().map(|(id, _)| id).collect())
}

fn sort_by_edited(items: &mut [(String, i64)], sort: &Value) -> Result<(), ApiError> {
    if sort.is_null() {
        return Ok(());
    }
    if sort["timestamp"] != "last_edited_time" {
        return Err(ApiError::validation(
            "body failed validation: body.sort.timestamp should be `\"last_edited_time\"`.",
        ));
    }
    match sort["direction"].as_str() {
        Some("ascending") => items.sort_by_key(|(_, t)| *t),
        Some("descending") => items.sort_by_key(|(_, t)| std::cmp::Reverse(*t)),
        _ => {
            return Err(ApiError::validation(
                "body failed validation: body.sort.direction should be `\"ascending\"` or `\"descending\"`.",
            ))
        }
    }
    Ok(())
}

fn search_item(ws: &Workspace, id: &str, v: ApiVersion) -> Option<Value> {
    if let Some(p) = ws.pages.get(id) {
        return Some(render::page(ws, p, v));
    }
    if v == ApiVersion::V2022 {
        let ds = ws.data_sources.get(id)?;
        return render::database(ws, &ds.database, v);
    }
    render::data_source(ws, id, v)
}

async fn get_block(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> Response {
    let result = (|| {
        let id = parse_id("block_id", &raw)?;
        let ws = sh.ws();
        match ws.node(&id) {
            Some(node) if ws.node_visible(&id) => Ok(render::block(&ws, &node, ctx.version)),
            _ => Err(ApiError::not_found("block", &id)),
        }
    })();
    finish(result, &ctx.request_id)
}

async fn block_children(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result = (|| {
        let id = parse_id("block_id", &raw)?;
        let size = ctx.serve_size(page_size(
            q.get("page_size").map(|s| json!(s)).as_ref(),
            "query",
        )?);
        let cursor = cursor_of(&sh, &ctx, q.get("start_cursor").map(|s| json!(s)).as_ref())?;
        let ws = sh.ws();
        if !ws.node_visible(&id) {
            return Err(ApiError::not_found("block", &id));
        }
        // A synced reference lists its original's content; 404 if that is not shared.
        let source = match ws.synced_original(&id) {
            Some(orig) if ws.node_visible(&orig) => orig,
            Some(_) => return Err(ApiError::not_found("block", &id)),
            None => id,
        };
        let children = ws.visible_children(&source);
        let (slice, next) = pagination::page(&children, "blocks", cursor.as_deref(), size)?;
        let results = slice
            .iter()
            .filter_map(|c| ws.node(c).map(|n| render::block(&ws, &n, ctx.version)))
            .collect();
        Ok(render::list(results, next, "block"))
    })();
    finish(result, &ctx.request_id)
}

async fn get_page(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> Response {
    let result = (|| {
        let id = parse_id("page_id", &raw)?;
        let ws = sh.ws();
        match ws.pages.get(&id) {
            Some(p) if p.shared => Ok(render::page(&ws, p, ctx.version)),
            _ => Err(ApiError::not_found("page", &id)),
        }
    })();
    finish(result, &ctx.request_id)
}

async fn get_database(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> Response {
    let result = (|| {
        let id = parse_id("database_id", &raw)?;
        let ws = sh.ws();
        if !ws.database_visible(&id) {
            return Err(ApiError::not_found("database", &id));
        }
        render::database(&ws, &id, ctx.version).ok_or_else(|| ApiError::not_found("database", &id))
    })();
    finish(result, &ctx.request_id)
}

/// Data source id → visible, or the 404 Notion gives (it says "database").
fn visible_source(ws: &Workspace, id: &str) -> Result<(), ApiError> {
    let ok = ws
        .data_sources
        .get(id)
        .is_some_and(|ds| ws.database_visible(&ds.database));
    if ok {
        Ok(())
    } else {
        Err(ApiError::not_found("database", id))
    }
}

async fn get_data_source(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> Response {
    let result = (|| {
        let id = parse_id("data_source_id", &raw)?;
        let ws = sh.ws();
        visible_source(&ws, &id)?;
        render::data_source(&ws, &id, ctx.version)
            .ok_or_else(|| ApiError::not_found("database", &id))
    })();
    finish(result, &ctx.request_id)
}

async fn query_data_source(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    RawQuery(rq): RawQuery,
    body: Bytes,
) -> Response {
    let result = parse_id("data_source_id", &raw)
        .and_then(|id| run_query(&sh, &ctx, &id, rq.as_deref(), &body));
    finish(result, &ctx.request_id)
}

/// `POST /v1/databases/{id}/query` (≤2022-06-28): queries the first data source.
async fn query_database(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    RawQuery(rq): RawQuery,
    body: Bytes,
) -> Response {
    let result = parse_id("database_id", &raw).and_then(|id| {
        let ds = {
            let ws = sh.ws();
            match ws.databases.get(&id) {
                Some(d) if d.shared => d.data_sources.first().cloned(),
                _ => None,
            }
        };
        let ds = ds.ok_or_else(|| ApiError::not_found("database", &id))?;
        run_query(&sh, &ctx, &ds, rq.as_deref(), &body)
    });
    finish(result, &ctx.request_id)
}

fn run_query(sh: &Shared, ctx: &Ctx, id: &str, rq: Option<&str>, body: &Bytes) -> ApiResult {
    no_query_cursor(rq)?;
    let body = body_json(body)?;
    let size = ctx.serve_size(page_size(body.get("page_size"), "body")?);
    let cursor = cursor_of(sh, ctx, body.get("start_cursor"))?;
    let ws = sh.ws();
    visible_source(&ws, id)?;
    let mut rows = super::query::rows(&ws, id, &body)?;
    // One query returns at most `query_result_limit` rows (10,000 in Notion, §1.7).
    let limit = ws.query_result_limit.unwrap_or(10_000);
    let truncated = rows.len() > limit;
    rows.truncate(limit);
    let (slice, next) = pagination::page(&rows, "query", cursor.as_deref(), size)?;
    let results = slice
        .iter()
        .filter_map(|r| ws.pages.get(r).map(|p| render::page(&ws, p, ctx.version)))
        .collect();
    let last = next.is_none();
    let mut body = render::list(results, next, "page_or_data_source");
    if truncated && last {
        body["request_status"] =
            json!({"type": "incomplete", "incomplete_reason": "query_result_limit_reached"});
    }
    Ok(body)
}

async fn list_users(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result = (|| {
        let size = ctx.serve_size(page_size(
            q.get("page_size").map(|s| json!(s)).as_ref(),
            "query",
        )?);
        let cursor = cursor_of(&sh, &ctx, q.get("start_cursor").map(|s| json!(s)).as_ref())?;
        let ws = sh.ws();
        let ids: Vec<String> = ws
            .users
            .iter()
            .filter_map(|u| u["id"].as_str().map(str::to_string))
            .collect();
        let (slice, next) = pagination::page(&ids, "users", cursor.as_deref(), size)?;
        let results = slice.iter().map(|id| render::full_user(&ws, id)).collect();
        Ok(render::list(results, next, "user"))
    })();
    finish(result, &ctx.request_id)
}

async fn get_user(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> Response {
    let result = (|| {
        let ws = sh.ws();
        let id = if raw == "me" {
            ws.bot_id.clone()
        } else {
            parse_id("user_id", &raw)?
        };
        ws.users
            .iter()
            .find(|u| u["id"] == id.as_str())
            .cloned()
            .ok_or_else(|| ApiError::not_found("user", &id))
    })();
    finish(result, &ctx.request_id)
}
