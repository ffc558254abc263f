//! Request sizes: monday's hard caps as named constants, and [`Limits`], the page sizes a
//! run adapts to the complexity each query actually costs ([`adapted`]).

use serde_json::Value;

use super::queries::MAX_IDS;

/// monday's largest `items_page` / `next_items_page` limit (../shared/docs/monday-api.md §5.1).
pub const MAX_PAGE: u32 = 500;
/// Board listing pages read at most (50 boards each by default).
pub const MAX_BOARD_PAGES: usize = 10_000;
/// Largest `updates` page.
pub const MAX_UPDATES_PAGE: u32 = 100;
/// Board updates pages read at most before falling back to per-item requests.
pub const MAX_BOARD_UPDATE_PAGES: u32 = 100;
/// Root `updates` pages read at most per run (the API serves up to 10,000 updates).
pub const MAX_UPDATE_PAGES: u32 = 100;

/// Request sizes, adapted separately per query shape (their per-item costs differ a lot).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Items per page.
    pub pages: u32,
    /// Items per root `items(ids:)` request (≤ [`MAX_IDS`]).
    pub by_id: u32,
    /// Items per `items(ids:) { updates }` request (≤ [`MAX_IDS`]).
    pub updates: u32,
}

impl Limits {
    /// Starting sizes from the first page size of the tuning.
    pub fn new(items_per_page: u32) -> Self {
        let first = page_limit(items_per_page);
        let by_id = first.min(MAX_IDS as u32);
        Limits {
            pages: first,
            by_id,
            updates: by_id,
        }
    }
}

/// `n` as a valid page limit (1..=[`MAX_PAGE`]).
pub fn page_limit(n: u32) -> u32 {
    n.clamp(1, MAX_PAGE)
}

/// Complexity is charged by the page `limit`, not by the items returned: ask for no more
/// than the board holds (its `items_count`), [`MAX_PAGE`] when unknown.
pub fn board_page_cap(board: &Value) -> u32 {
    let count = board.get("items_count").and_then(Value::as_u64);
    count.map_or(MAX_PAGE, |n| n.clamp(1, u64::from(MAX_PAGE)) as u32)
}

/// The next page size: near `target` complexity per query (cost is roughly linear in the
/// limit), shrinking at once when too expensive and growing at most twofold, within
/// 1..=[`MAX_PAGE`].
pub fn adapted(limit: u32, data: &Value, target: u64) -> u32 {
    let Some(cost) = data
        .pointer("/complexity/query")
        .and_then(Value::as_u64)
        .filter(|c| *c > 0)
    else {
        return limit;
    };
    let target = target.max(1);
    let scaled = (u64::from(limit) * target / cost).clamp(1, u64::from(MAX_PAGE)) as u32;
    if cost > target {
        scaled
    } else {
        scaled.min(limit.saturating_mul(2)).max(limit)
    }
}
