//! Unauthenticated test-control endpoints under `/__fake/…`, mirroring the [`FakeNotion`]
//! handle methods so out-of-process tests (the `trove` binary, shell scripts) can drive
//! the fake too.
//!
//! | route | effect |
//! |---|---|
//! | `POST /__fake/blocks/{id}/text` `{"text"}` | edit a block's text |
//! | `POST /__fake/blocks/{id}/children` `{"text"}` | append a paragraph → `{"id"}` |
//! | `POST /__fake/pages` `{"parent"?, "title", "text"}` | add a page → `{"id"}` |
//! | `POST /__fake/pages/{id}/trash` / `/unshare` / `/share` | trash / unshare / reshare |
//! | `DELETE /__fake/pages/{id}` | delete a page |
//! | `PUT /__fake/faults` [`Faults`] | replace fault config |
//! | `PUT /__fake/rate_limit` `{"per_minute": n\|null}` | change the rate limit |
//! | `GET` / `DELETE /__fake/requests` | read / reset request counters |
//! | `GET /__fake/workspace` | ids and markers useful to tests |
//!
//! [`FakeNotion`]: super::FakeNotion

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::faults::Faults;
use super::reply::json_response;
use super::{lock, RequestCounts, Shared};

/// The `/__fake` routes.
pub fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__fake/blocks/{id}/text", post(edit_text))
        .route("/__fake/blocks/{id}/children", post(append))
        .route("/__fake/pages", post(add_page))
        .route("/__fake/pages/{id}/share", post(share))
        .route("/__fake/pages/{id}/trash", post(trash))
        .route("/__fake/pages/{id}/unshare", post(unshare))
        .route("/__fake/pages/{id}", delete(remove))
        .route("/__fake/faults", put(set_faults))
        .route("/__fake/rate_limit", put(set_rate_limit))
        .route("/__fake/requests", get(requests).delete(reset_requests))
        .route("/__fake/workspace", get(workspace))
}

fn done(ok: bool) -> Response {
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    json_response(status, json!({"ok": ok}))
}

#[derive(Deserialize)]
struct TextBody {
    text: String,
}

async fn edit_text(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(b): Json<TextBody>,
) -> Response {
    done(sh.ws().edit_block_text(&id, &b.text))
}

async fn append(
    State(sh): State<Arc<Shared>>,
    Path(id): Path<String>,
    Json(b): Json<TextBody>,
) -> Response {
    created(sh.ws().append_paragraph(&id, &b.text))
}

fn created(id: Option<String>) -> Response {
    match id {
        Some(id) => json_response(StatusCode::OK, json!({"ok": true, "id": id})),
        None => done(false),
    }
}

async fn share(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    done(sh.ws().share_page(&id))
}

#[derive(Deserialize)]
struct NewPage {
    parent: Option<String>,
    title: String,
    #[serde(default)]
    text: String,
}

async fn add_page(State(sh): State<Arc<Shared>>, Json(b): Json<NewPage>) -> Response {
    created(sh.ws().add_page(b.parent.as_deref(), &b.title, &b.text))
}

async fn trash(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    done(sh.ws().trash_page(&id))
}

async fn unshare(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    done(sh.ws().unshare_page(&id))
}

async fn remove(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    done(sh.ws().delete_page(&id))
}

async fn set_faults(State(sh): State<Arc<Shared>>, Json(f): Json<Faults>) -> Response {
    lock(&sh.faults).set(f);
    done(true)
}

#[derive(Deserialize)]
struct RateLimit {
    per_minute: Option<u32>,
}

async fn set_rate_limit(State(sh): State<Arc<Shared>>, Json(r): Json<RateLimit>) -> Response {
    *lock(&sh.rate_limit) = r.per_minute;
    done(true)
}

async fn requests(State(sh): State<Arc<Shared>>) -> Response {
    let counts = lock(&sh.counts).clone();
    json_response(StatusCode::OK, json!(counts))
}

async fn reset_requests(State(sh): State<Arc<Shared>>) -> Response {
    *lock(&sh.counts) = RequestCounts::default();
    done(true)
}

async fn workspace(State(sh): State<Arc<Shared>>) -> Response {
    let ws = sh.ws();
    let m = &ws.markers;
    let body: Value = json!({
        "page_ids": ws.page_ids(),
        "omitted_from_search": ws.omitted_from_search(),
        "phrases": ws.phrases,
        "deepest_page": m.deepest_page,
        "wide_page": m.wide_page,
        "showcase_page": m.showcase_page,
        "hidden_page": m.hidden_page,
        "database": m.database,
        "data_source": m.data_source,
        "clock": super::text::ts(ws.clock),
    });
    json_response(StatusCode::OK, body)
}
