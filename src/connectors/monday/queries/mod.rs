//! The GraphQL documents the crawler sends and the variables they take.
//!
//! Every field and argument exists in the 2026-01 SDL (`fixtures/monday/schema/`). User data
//! (ids, cursors, timestamps) always travels in variables, never in the query text. Every
//! query also asks for `complexity` so the client can pace itself (§2.8). Items come without
//! their updates, which are read separately ([`BOARD_UPDATES`] or [`ITEM_UPDATES`]) because
//! nested lists are charged by their limit. Subitems are fetched by id through root `items`
//! rather than nested, which also avoids the nested-subitem `state` failures Estuary hit
//! (§2.4). Depth stays ≤ 5.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// Updates (and their replies) asked for per item in [`ITEM_UPDATES`], the API default. An
/// item that has that many gets the rest from [`ITEM_UPDATES_PAGE`]; nested updates dominate
/// an item's complexity, so this bounds the first request's cost.
pub const UPDATES_PER_ITEM: u32 = 25;
/// Root `items(ids:)` takes at most 100 ids (docs rate-limits).
pub const MAX_IDS: usize = 100;

macro_rules! complexity {
    () => {
        "complexity { before after query reset_in_x_seconds } "
    };
}

macro_rules! post_fields {
    () => {
        "id body text_body created_at creator_id creator { id name }"
    };
}

/// An item's own fields and column values.
macro_rules! item_core {
    () => {
        concat!(
            "id name state created_at updated_at url creator_id creator { id name } ",
            "board { id } group { id title } ",
            "parent_item { id name board { id } group { id title } } ",
            "column_values { id type text value ",
            "... on MirrorValue { display_value } ",
            "... on BoardRelationValue { display_value } ",
            "... on DependencyValue { display_value } ",
            "... on FormulaValue { display_value } } ",
            assets_field!()
        )
    };
}

/// An item's files (file columns and its files gallery), with links valid for an hour.
macro_rules! assets_field {
    () => {
        "assets { id name url public_url file_extension file_size } "
    };
}

/// An update or reply with its author.
macro_rules! updates_field {
    () => {
        concat!(
            "updates(limit: 25) { ",
            post_fields!(),
            " replies { ",
            post_fields!(),
            " } } "
        )
    };
}

/// Everything flattening needs about one item but its updates (see [`ITEM_UPDATES`] and
/// [`BOARD_UPDATES`]); subitems only by id and name.
macro_rules! item_fields {
    () => {
        concat!(item_core!(), "subitems { id name }")
    };
}

/// One page of boards the token can read.
pub const BOARDS: &str = concat!(
    "query ($limit: Int!, $page: Int!) { ",
    complexity!(),
    "boards(limit: $limit, page: $page, state: active, order_by: created_at) { ",
    "id name state type url items_count workspace_id workspace { id name } groups { id title } ",
    "columns { id title type } } }"
);

/// The first page of a board's items, filtered and ordered by `__last_updated__`.
pub const FIRST_ITEMS_PAGE: &str = concat!(
    "query ($board: [ID!]!, $limit: Int!, $params: ItemsQuery) { ",
    complexity!(),
    "boards(ids: $board) { id items_page(limit: $limit, query_params: $params) { cursor items { ",
    item_fields!(),
    " } } } }"
);

/// The updates of some items (≤ 100), newest first, as many per item as the API default.
/// Complexity is estimated from limits, so this costs 25 updates per item whether or not
/// it has any: used for the few items of incremental runs.
pub const ITEM_UPDATES: &str = concat!(
    "query ($ids: [ID!]!, $limit: Int!) { ",
    complexity!(),
    "items(ids: $ids, limit: $limit) { id ",
    updates_field!(),
    "} }"
);

/// One page of one item's updates (`limit` ≤ 100), for items with more than
/// [`UPDATES_PER_ITEM`]: every update of an item is indexed.
pub const ITEM_UPDATES_PAGE: &str = concat!(
    "query ($ids: [ID!]!, $limit: Int!, $page: Int!) { ",
    complexity!(),
    "items(ids: $ids, limit: 1) { id updates(limit: $limit, page: $page) { ",
    post_fields!(),
    " replies { ",
    post_fields!(),
    " } } } }"
);

/// Which items of one board got updates or replies: every update, newest first, with its
/// replies' times (a reply bumps neither its update nor its item, and Board.updates has no
/// date filter, so finding replies to old updates means reading the board's whole list).
pub const BOARD_REPLIES: &str = concat!(
    "query ($board: [ID!]!, $limit: Int!, $page: Int!) { ",
    complexity!(),
    "boards(ids: $board) { id updates(limit: $limit, page: $page) { item_id created_at replies { created_at } } } }"
);

/// All updates of one board, newest first, at a cost proportional to how many exist: what
/// a board's first crawl uses instead of [`ITEM_UPDATES`] for every item.
pub const BOARD_UPDATES: &str = concat!(
    "query ($board: [ID!]!, $limit: Int!, $page: Int!) { ",
    complexity!(),
    "boards(ids: $board) { id updates(limit: $limit, page: $page) { item_id ",
    post_fields!(),
    " replies { ",
    post_fields!(),
    " } } } }"
);

/// The following pages (no `query_params`: they cannot be combined with a cursor).
pub const NEXT_ITEMS_PAGE: &str = concat!(
    "query ($cursor: String!, $limit: Int!) { ",
    complexity!(),
    "next_items_page(cursor: $cursor, limit: $limit) { cursor items { ",
    item_fields!(),
    " } } }"
);

/// Items (and subitems) by id, with the same fields as the pages.
pub const ITEMS_BY_ID: &str = concat!(
    "query ($ids: [ID!]!, $limit: Int!) { ",
    complexity!(),
    "items(ids: $ids, limit: $limit) { ",
    item_fields!(),
    " } }"
);

/// Fresh file links of some items (an expired `public_url` is re-read here).
pub const ITEM_ASSETS: &str = concat!(
    "query ($ids: [ID!]!, $limit: Int!) { ",
    complexity!(),
    "items(ids: $ids, limit: $limit) { id ",
    assets_field!(),
    "} }"
);

/// The id-only sweep of a board (deletion detection), first page. Subitems come with their
/// `updated_at`: editing a subitem does not touch its parent, so the sweep finds those edits.
pub const SWEEP_FIRST: &str = concat!(
    "query ($board: [ID!]!, $limit: Int!) { ",
    complexity!(),
    "boards(ids: $board) { id items_page(limit: $limit) { cursor items { id subitems { id updated_at } } } } }"
);

/// The id-only sweep, following pages.
pub const SWEEP_NEXT: &str = concat!(
    "query ($cursor: String!, $limit: Int!) { ",
    complexity!(),
    "next_items_page(cursor: $cursor, limit: $limit) { cursor items { id subitems { id updated_at } } } }"
);

/// Whether items still exist: archived and deleted ones come back with their `state`.
pub const ITEM_STATES: &str = concat!(
    "query ($ids: [ID!]!, $limit: Int!) { ",
    complexity!(),
    "items(ids: $ids, limit: $limit) { id state board { id } } }"
);

/// Recent updates account-wide, newest first, with their replies' times (to find items
/// commented on, or replied to, since the mark).
pub const RECENT_UPDATES: &str = concat!(
    "query ($limit: Int!, $page: Int!, $from: String) { ",
    complexity!(),
    "updates(limit: $limit, page: $page, from_date: $from) { id item_id created_at replies { created_at } } }"
);

/// [`RECENT_UPDATES`] for API versions without `from_date`.
pub const RECENT_UPDATES_ANY_DATE: &str = concat!(
    "query ($limit: Int!, $page: Int!) { ",
    complexity!(),
    "updates(limit: $limit, page: $page) { id item_id created_at replies { created_at } } }"
);

/// `query_params` for a first page: oldest change first, and `>= since` when given (§2.2).
pub fn items_params(since: Option<DateTime<Utc>>) -> Value {
    let order = json!([{ "column_id": "__last_updated__", "direction": "asc" }]);
    match since {
        None => json!({ "order_by": order }),
        Some(t) => json!({
            "order_by": order,
            "rules": [{
                "column_id": "__last_updated__",
                "compare_value": ["EXACT", iso(t)],
                "operator": "greater_than_or_equals",
                "compare_attribute": "UPDATED_AT",
            }],
        }),
    }
}

/// `2024-01-01T00:00:00Z` (the API has no sub-second precision).
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Every query above (for the tests that parse and check them all).
#[cfg(test)]
pub(crate) const ALL: &[&str] = &[
    BOARDS,
    FIRST_ITEMS_PAGE,
    NEXT_ITEMS_PAGE,
    ITEMS_BY_ID,
    ITEM_ASSETS,
    SWEEP_FIRST,
    SWEEP_NEXT,
    ITEM_STATES,
    RECENT_UPDATES,
    RECENT_UPDATES_ANY_DATE,
    ITEM_UPDATES,
    ITEM_UPDATES_PAGE,
    BOARD_REPLIES,
    BOARD_UPDATES,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query must parse as GraphQL (the fake validates them against the SDL too).
    #[test]
    fn queries_parse() {
        for q in ALL {
            async_graphql_parser::parse_query(q).unwrap_or_else(|e| panic!("{e}\n{q}"));
        }
        assert!(ITEM_UPDATES.contains(&format!("updates(limit: {UPDATES_PER_ITEM})")));
        assert!(!ITEMS_BY_ID.contains("updates"));
    }

    #[test]
    fn params_filter_and_order() {
        let t = "2024-01-01T00:00:00Z".parse().unwrap();
        insta::assert_json_snapshot!(items_params(Some(t)));
    }
}

#[cfg(test)]
mod sdl_tests;
