//! The board listing: every board the token can read ([`list_boards`], paginated), which of
//! them are crawled ([`is_crawlable`]: subitem boards and workdocs are not), and the skip
//! records of `null` entries (boards the token may not read, their ids hidden).

use std::collections::HashMap;

use serde_json::{json, Value};

use super::errors::{ApiFailure, ErrorEntry, GqlResponse};
use super::limits::MAX_BOARD_PAGES;
use super::queries;
use super::step::Api;
use crate::connectors::{ConnectorError, Skip};
use crate::flatten::monday::id_of;

/// What the board listing found.
#[derive(Debug, Default)]
pub struct Boards {
    /// Boards whose items are crawled, in crawl order (by id).
    pub crawlable: Vec<Value>,
    /// Every listed board by id, subitem boards included (their columns title subitems).
    pub by_id: HashMap<String, Value>,
    pub account_slug: Option<String>,
    /// `null` entries of the listing: boards the token may not read (their ids are hidden).
    pub denied: Vec<Skip>,
}

/// Lists every active board the token can read, page by page.
pub async fn list_boards(api: &Api<'_>) -> Result<Boards, ConnectorError> {
    let mut boards = Boards::default();
    let limit = api.tuning.boards_per_page.max(1) as usize;
    for page in 1..=MAX_BOARD_PAGES {
        let vars = json!({ "limit": limit, "page": page });
        let resp = api
            .query(queries::BOARDS, vars)
            .await
            .map_err(|f| api.fatal(f))?;
        let Some(list) = resp.data.get("boards").and_then(Value::as_array) else {
            let body = resp.data.to_string();
            return Err(api.fatal(ApiFailure::Malformed(format!(
                "`boards` missing in {body:.200}"
            ))));
        };
        let known = boards.by_id.len();
        for (i, b) in list.iter().enumerate() {
            if b.is_null() {
                boards
                    .denied
                    .push(denied_board(&resp, (page - 1) * limit, i));
            } else if let Some(id) = id_of(b.get("id")) {
                boards.by_id.entry(id).or_insert_with(|| b.clone());
            }
        }
        // A short page ends the listing; a page of nothing new means the server ignores
        // `page` (stop rather than loop forever).
        let stuck = boards.by_id.len() == known && list.iter().all(|b| !b.is_null());
        if list.len() < limit || stuck {
            break;
        }
    }
    let mut crawlable: Vec<Value> = boards
        .by_id
        .values()
        .filter(|b| is_crawlable(b))
        .cloned()
        .collect();
    crawlable.sort_by_key(sort_key);
    boards.account_slug = crawlable.iter().find_map(account_slug);
    boards.crawlable = crawlable;
    Ok(boards)
}

/// The skip record of a `null` listing entry at `offset + i`, with the error at its path.
fn denied_board(resp: &GqlResponse, offset: usize, i: usize) -> Skip {
    let at_path = |e: &&ErrorEntry| {
        e.path.first().and_then(Value::as_str) == Some("boards")
            && e.path.get(1).and_then(Value::as_u64) == Some(i as u64)
    };
    let why = resp
        .errors
        .iter()
        .find(at_path)
        .or(resp.errors.first())
        .map_or("not readable", |e| e.message.as_str());
    Skip {
        native_id: format!("board-listing-{}", offset + i),
        what: "board".into(),
        reason: format!("403 {why} (monday hides the id of this board)"),
    }
}

/// Subitem boards arrive through their parents; workdocs have no items worth indexing.
pub fn is_crawlable(board: &Value) -> bool {
    let kind = board.get("type").and_then(Value::as_str).unwrap_or("board");
    let active = board
        .get("state")
        .and_then(Value::as_str)
        .is_none_or(|s| s == "active");
    active && kind != "sub_items_board" && kind != "document"
}

/// `acme` from a board URL `https://acme.monday.com/boards/1` (for items without a URL).
fn account_slug(board: &Value) -> Option<String> {
    let url = board.get("url")?.as_str()?;
    let host = url.split("://").nth(1)?.split('/').next()?;
    let slug = host.strip_suffix(".monday.com")?;
    (!slug.is_empty() && !slug.contains('.')).then(|| slug.to_owned())
}

/// Numeric ids sort numerically (oldest board first), anything else after.
fn sort_key(board: &Value) -> (u128, String) {
    let id = id_of(board.get("id")).unwrap_or_default();
    (id.parse().unwrap_or(u128::MAX), id)
}
