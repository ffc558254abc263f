//! Routes: `POST /v2` (GraphQL) plus the unauthenticated test-control endpoints under
//! `/__fake/`: edit, comment, archive and delete items, archive and delete boards, set
//! faults, read or reset counters, expire cursors. They call the same [`Account`] mutations
//! as the in-process [`super::FakeMonday`] handle.
//!
//! | method | path | body | effect |
//! |---|---|---|---|
//! | GET | `/__fake/items/{id}` | | what a crawler should index for the item |
//! | POST | `/__fake/boards/{id}/items` | `{"name"}` | create an item → `{"id"}` |
//! | POST | `/__fake/items/{id}/name` | `{"name"}` | rename (bumps `updated_at`) |
//! | POST | `/__fake/items/{id}/columns/{column}` | `{"text"}` | set column text |
//! | POST | `/__fake/items/{id}/updates` | `{"body"}` | add update → `{"id"}` |
//! | POST | `/__fake/updates/{id}/replies` | `{"body"}` | add reply → `{"id"}` |
//! | POST | `/__fake/items/{id}/archive`, `/delete` | | item state |
//! | POST | `/__fake/boards/{id}/archive`, `/delete` | | board state |
//! | GET/PUT | `/__fake/faults` | [`Faults`] | read / replace faults |
//! | GET | `/__fake/stats`; POST `/__fake/stats/reset` | | counters |
//! | POST | `/__fake/cursors/expire` | | expire all cursors |
//!
//! [`Account`]: super::model::Account

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::faults::Faults;
use super::model::State as ItemState;
use super::server::{graphql, lock, SharedState};
use super::Stats;

/// The whole router.
pub fn router(state: SharedState) -> Router {
    Router::new()
        .route("/v2", post(graphql))
        .route("/v2/get_schema", get(schema_sdl))
        .route("/__fake/items/{id}", get(item_summary))
        .route("/__fake/items/{id}/name", post(rename))
        .route("/__fake/items/{id}/columns/{column}", post(set_column))
        .route("/__fake/items/{id}/updates", post(add_update))
        .route("/__fake/updates/{id}/replies", post(add_reply))
        .route("/__fake/items/{id}/{action}", post(item_state))
        .route("/__fake/boards/{id}/items", post(create_item))
        .route("/__fake/boards/{id}/{action}", post(board_state))
        .route("/__fake/faults", get(get_faults).put(put_faults))
        .route("/__fake/stats", get(stats))
        .route("/__fake/stats/reset", post(reset_stats))
        .route("/__fake/cursors/expire", post(expire))
        .with_state(state)
}

/// `GET /v2/get_schema`: the SDL of the supported subset (real monday serves the full one).
async fn schema_sdl() -> &'static str {
    super::schema::SUPPORTED_SDL
}

fn done(ok: bool) -> Response {
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    (status, Json(json!({"ok": ok}))).into_response()
}

fn created(id: Option<u64>) -> Response {
    match id {
        Some(id) => Json(json!({"ok": true, "id": id.to_string()})).into_response(),
        None => done(false),
    }
}

fn field<'a>(body: &'a Value, key: &str) -> &'a str {
    body.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The expected index content of an item, for out-of-process tests.
async fn item_summary(State(st): State<SharedState>, Path(id): Path<u64>) -> Response {
    let s = lock(&st);
    let acc = &s.account;
    let Some(item) = acc.item(id) else {
        return done(false);
    };
    let updates: Vec<Value> = acc
        .item_updates(id)
        .iter()
        .map(|u| {
            let replies: Vec<&str> = u.replies.iter().map(|r| r.text_body.as_str()).collect();
            json!({"id": u.id.to_string(), "text_body": u.text_body, "replies": replies})
        })
        .collect();
    let body = json!({
        "id": id.to_string(),
        "name": item.name,
        "board_id": item.board_id.to_string(),
        "state": item.state.as_str(),
        "updated_at": super::model::fmt_time(item.updated_at),
        "marker": super::model::item_marker(id),
        "column_texts": acc.column_texts(id),
        "subitem_ids": item.subitem_ids.iter().map(u64::to_string).collect::<Vec<_>>(),
        "updates": updates,
    });
    Json(body).into_response()
}

async fn rename(
    State(st): State<SharedState>,
    Path(id): Path<u64>,
    Json(b): Json<Value>,
) -> Response {
    done(lock(&st).account.rename_item(id, field(&b, "name")))
}

async fn set_column(
    State(st): State<SharedState>,
    Path((id, col)): Path<(u64, String)>,
    Json(b): Json<Value>,
) -> Response {
    done(
        lock(&st)
            .account
            .set_column_text(id, &col, field(&b, "text")),
    )
}

async fn create_item(
    State(st): State<SharedState>,
    Path(id): Path<u64>,
    Json(b): Json<Value>,
) -> Response {
    created(lock(&st).account.create_item(id, field(&b, "name")))
}

async fn add_update(
    State(st): State<SharedState>,
    Path(id): Path<u64>,
    Json(b): Json<Value>,
) -> Response {
    created(lock(&st).account.add_update(id, field(&b, "body")))
}

async fn add_reply(
    State(st): State<SharedState>,
    Path(id): Path<u64>,
    Json(b): Json<Value>,
) -> Response {
    created(lock(&st).account.add_reply(id, field(&b, "body")))
}

fn parse_action(action: &str) -> Option<ItemState> {
    match action {
        "archive" => Some(ItemState::Archived),
        "delete" => Some(ItemState::Deleted),
        _ => None,
    }
}

async fn item_state(
    State(st): State<SharedState>,
    Path((id, action)): Path<(u64, String)>,
) -> Response {
    let Some(state) = parse_action(&action) else {
        return done(false);
    };
    done(lock(&st).account.set_item_state(id, state))
}

async fn board_state(
    State(st): State<SharedState>,
    Path((id, action)): Path<(u64, String)>,
) -> Response {
    let Some(state) = parse_action(&action) else {
        return done(false);
    };
    done(lock(&st).account.set_board_state(id, state))
}

async fn get_faults(State(st): State<SharedState>) -> Json<Faults> {
    Json(lock(&st).faults.clone())
}

async fn put_faults(State(st): State<SharedState>, Json(f): Json<Faults>) -> Response {
    lock(&st).faults = f;
    done(true)
}

async fn stats(State(st): State<SharedState>) -> Json<Stats> {
    Json(lock(&st).stats.clone())
}

async fn reset_stats(State(st): State<SharedState>) -> Response {
    lock(&st).stats = Stats::default();
    done(true)
}

async fn expire(State(st): State<SharedState>) -> Response {
    lock(&st).cursors.expire_all();
    done(true)
}
