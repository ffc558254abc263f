//! `items_page` (on boards and groups) and root `next_items_page`, including `query_params`
//! filtering and ordering (../shared/docs/monday-api.md §2.2).
//!
//! Only active items are listed. Without `order_by` items come in board position order.
//! `__last_updated__` / `__creation_log__` rules compare `updated_at` / `created_at` (second
//! precision) with `["EXACT", "<ISO timestamp>"]`; other columns compare their display text.
//! Pages are served from a [`super::cursors`] snapshot; items archived or deleted after the
//! snapshot drop out of later pages.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::Value;

use super::errors::ApiError;
use super::exec::{Args, Exec, ExecResult, Node, Res};
use super::model::{Account, Board, Group, Item, State};

/// The real maximum page size.
pub const MAX_LIMIT: i64 = 500;

/// `Board.items_page` / `Group.items_page`.
pub fn items_page<'a>(
    ex: &mut Exec<'a>,
    board: &'a Board,
    group: Option<&'a Group>,
    args: &Args,
) -> ExecResult<'a> {
    let limit = page_limit(args)?;
    let query_params = args
        .get("query_params")
        .map(|v| v.clone().into_json().unwrap_or(Value::Null));
    if let Some(cursor) = args.str("cursor") {
        if query_params.is_some() {
            return Err(ApiError::CursorWithQueryParams);
        }
        return next_page(ex, cursor, limit);
    }
    if board.state == State::Deleted {
        return Err(ApiError::Internal);
    }
    let mut items: Vec<&Item> = ex
        .acc
        .board_items(board.id)
        .into_iter()
        .filter(|i| i.state == State::Active && group.is_none_or(|g| g.id == i.group_id))
        .collect();
    if let Some(qp) = &query_params {
        items = apply_query(ex.acc, board, items, qp)?;
    }
    let ids = items.iter().map(|i| i.id).collect();
    let (page, cursor) = ex.cursors.start(board.id, ids, limit);
    Ok(page_node(ex.acc, page, cursor))
}

/// Root `next_items_page(cursor, limit)`.
pub fn next_items_page<'a>(ex: &mut Exec<'a>, args: &Args) -> ExecResult<'a> {
    let limit = page_limit(args)?;
    let cursor = args.str("cursor").unwrap_or_default().to_string();
    next_page(ex, &cursor, limit)
}

fn next_page<'a>(ex: &mut Exec<'a>, cursor: &str, limit: usize) -> ExecResult<'a> {
    let force = std::mem::take(&mut ex.expire_cursor);
    let (ids, next) = ex.cursors.next(cursor, limit, force)?;
    Ok(page_node(ex.acc, ids, next))
}

fn page_limit(args: &Args) -> Result<usize, ApiError> {
    let limit = args.int("limit").unwrap_or(25);
    if limit > MAX_LIMIT {
        return Err(ApiError::LimitTooLarge {
            field: "items_page",
            max: MAX_LIMIT,
            got: limit,
        });
    }
    if limit < 1 {
        return Err(ApiError::InvalidArgument(format!(
            "limit must be a positive number (got {limit})"
        )));
    }
    Ok(limit as usize)
}

fn page_node(acc: &Account, ids: Vec<u64>, cursor: Option<String>) -> Res<'_> {
    let items = ids
        .iter()
        .filter_map(|id| acc.item(*id))
        .filter(|i| i.state == State::Active)
        .collect();
    Res::Node(Node::Page(cursor, items))
}

/// Filters and orders `items` by an `ItemsQuery` (as JSON).
pub fn apply_query<'a>(
    acc: &Account,
    board: &Board,
    mut items: Vec<&'a Item>,
    qp: &Value,
) -> Result<Vec<&'a Item>, ApiError> {
    if let Some(ids) = qp.get("ids").and_then(Value::as_array) {
        if ids.len() > 100 {
            return Err(ApiError::TooManyIds {
                field: "query_params.ids",
                max: 100,
            });
        }
        let ids: Vec<String> = ids.iter().map(json_str).collect();
        items.retain(|i| ids.contains(&i.id.to_string()));
    }
    let mut kept = vec![];
    for item in items {
        if group_matches(acc, board, item, qp)? {
            kept.push(item);
        }
    }
    if let Some(order) = qp.get("order_by").and_then(Value::as_array) {
        for o in order {
            let col = o.get("column_id").map(json_str).unwrap_or_default();
            check_column(board, &col)?;
        }
        kept.sort_by(|a, b| {
            order
                .iter()
                .map(|o| compare_by(acc, a, b, o))
                .find(|c| c.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }
    Ok(kept)
}

fn json_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn check_column(board: &Board, col: &str) -> Result<(), ApiError> {
    let special = matches!(col, "__last_updated__" | "__creation_log__" | "name");
    if special || board.column(col).is_some() {
        Ok(())
    } else {
        Err(ApiError::InvalidColumn(col.to_string()))
    }
}

fn compare_by(acc: &Account, a: &Item, b: &Item, order: &Value) -> Ordering {
    let col = order.get("column_id").map(json_str).unwrap_or_default();
    let ord = match col.as_str() {
        "__last_updated__" => a.updated_at.cmp(&b.updated_at),
        "__creation_log__" => a.created_at.cmp(&b.created_at),
        "name" => a.name.cmp(&b.name),
        c => compare_text(&text_of(acc, a, c), &text_of(acc, b, c)),
    };
    if order.get("direction").and_then(Value::as_str) == Some("desc") {
        ord.reverse()
    } else {
        ord
    }
}

fn compare_text(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

/// The comparable text of a column on an item (display_value for linked columns).
fn text_of(acc: &Account, item: &Item, col: &str) -> String {
    if col == "name" {
        return item.name.clone();
    }
    let Some(column) = acc.board(item.board_id).and_then(|b| b.column(col)) else {
        return String::new();
    };
    let cell = acc.cell_or_empty(item, column);
    cell.text
        .filter(|t| !t.is_empty())
        .or(cell.display_value)
        .unwrap_or_default()
}

/// Evaluates the rules and nested groups of an `ItemsQuery` / `ItemsQueryGroup`.
fn group_matches(acc: &Account, board: &Board, item: &Item, q: &Value) -> Result<bool, ApiError> {
    let or = q.get("operator").and_then(Value::as_str) == Some("or");
    let mut results = vec![];
    for rule in q
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        results.push(rule_matches(acc, board, item, rule)?);
    }
    for g in q
        .get("groups")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        results.push(group_matches(acc, board, item, g)?);
    }
    Ok(if or {
        results.is_empty() || results.contains(&true)
    } else {
        !results.contains(&false)
    })
}

fn rule_matches(acc: &Account, board: &Board, item: &Item, rule: &Value) -> Result<bool, ApiError> {
    let col = rule.get("column_id").map(json_str).unwrap_or_default();
    check_column(board, &col)?;
    let op = rule
        .get("operator")
        .and_then(Value::as_str)
        .unwrap_or("any_of");
    let values: Vec<Value> = match rule.get("compare_value") {
        Some(Value::Array(xs)) => xs.clone(),
        Some(Value::Null) | None => vec![],
        Some(v) => vec![v.clone()],
    };
    match col.as_str() {
        "__last_updated__" => time_rule(item.updated_at, op, &values),
        "__creation_log__" => time_rule(item.created_at, op, &values),
        _ => Ok(text_rule(acc, item, &col, op, &values)),
    }
}

fn time_rule(at: DateTime<Utc>, op: &str, values: &[Value]) -> Result<bool, ApiError> {
    let times: Vec<DateTime<Utc>> = values
        .iter()
        .filter_map(|v| v.as_str())
        .filter_map(parse_time)
        .collect();
    let unsupported = || {
        ApiError::InvalidArgument(format!(
            "unsupported compare_value {values:?} for operator {op} on a timestamp column"
        ))
    };
    let first = *times.first().ok_or_else(unsupported)?;
    let at = at.timestamp();
    Ok(match op {
        "greater_than" => at > first.timestamp(),
        "greater_than_or_equals" => at >= first.timestamp(),
        "lower_than" => at < first.timestamp(),
        "lower_than_or_equal" => at <= first.timestamp(),
        "between" => {
            let last = times.get(1).ok_or_else(unsupported)?;
            at >= first.timestamp() && at <= last.timestamp()
        }
        "any_of" => times.iter().any(|t| t.timestamp() == at),
        _ => return Err(unsupported()),
    })
}

/// Parses `2024-01-01T00:00:00Z`, `2024-01-01 00:00:00` or `2024-01-01`.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        })
}

fn text_rule(acc: &Account, item: &Item, col: &str, op: &str, values: &[Value]) -> bool {
    let text = text_of(acc, item, col);
    let index = status_index(item, col);
    let lower = text.to_lowercase();
    let strs: Vec<String> = values.iter().map(json_str).collect();
    let eq = |v: &String| *v == text || index.as_ref() == Some(v);
    match op {
        "any_of" => strs.iter().any(eq),
        "not_any_of" => !strs.iter().any(eq),
        "is_empty" => text.is_empty(),
        "is_not_empty" => !text.is_empty(),
        "contains_text" => strs.iter().any(|v| lower.contains(&v.to_lowercase())),
        "not_contains_text" => !strs.iter().any(|v| lower.contains(&v.to_lowercase())),
        "contains_terms" => strs.iter().all(|v| {
            v.split_whitespace()
                .all(|w| lower.contains(&w.to_lowercase()))
        }),
        "starts_with" => strs.iter().any(|v| lower.starts_with(&v.to_lowercase())),
        "ends_with" => strs.iter().any(|v| lower.ends_with(&v.to_lowercase())),
        "greater_than" => strs.first().is_some_and(|v| compare_text(&text, v).is_gt()),
        "greater_than_or_equals" => strs
            .first()
            .is_some_and(|v| !compare_text(&text, v).is_lt()),
        "lower_than" => strs.first().is_some_and(|v| compare_text(&text, v).is_lt()),
        "lower_than_or_equal" => strs
            .first()
            .is_some_and(|v| !compare_text(&text, v).is_gt()),
        "between" => {
            strs.len() >= 2
                && !compare_text(&text, &strs[0]).is_lt()
                && !compare_text(&text, &strs[1]).is_gt()
        }
        _ => false,
    }
}

/// A status cell's label index, as a string (status rules may compare indexes).
fn status_index(item: &Item, col: &str) -> Option<String> {
    let v = item.cells.get(col)?.value.as_ref()?;
    v.get("index").map(|i| i.to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::monday::{generate, GenSpec};

    fn run(qp: Value) -> Result<Vec<u64>, ApiError> {
        let acc = generate(&GenSpec::small());
        let board = acc.content_boards().next().unwrap().clone();
        let items = acc.active_items(board.id);
        Ok(apply_query(&acc, &board, items, &qp)?
            .iter()
            .map(|i| i.id)
            .collect())
    }

    #[test]
    fn status_rules_match_labels_and_indexes() {
        let by_label =
            run(json!({"rules": [{"column_id": "status", "compare_value": ["Done"]}]})).unwrap();
        let by_index =
            run(json!({"rules": [{"column_id": "status", "compare_value": [1]}]})).unwrap();
        assert_eq!(by_label, by_index);
        let none = run(json!({"rules": [{"column_id": "status", "compare_value": ["Done"], "operator": "not_any_of"}]})).unwrap();
        assert_eq!(by_label.len() + none.len(), run(json!({})).unwrap().len());
    }

    #[test]
    fn orders_by_last_updated_and_rejects_unknown_columns() {
        let acc = generate(&GenSpec::small());
        let ids =
            run(json!({"order_by": [{"column_id": "__last_updated__", "direction": "desc"}]}))
                .unwrap();
        let times: Vec<_> = ids
            .iter()
            .map(|i| acc.item(*i).unwrap().updated_at)
            .collect();
        assert!(times.windows(2).all(|w| w[0] >= w[1]));
        let err = run(json!({"rules": [{"column_id": "nope", "compare_value": [1]}]}));
        assert_eq!(err, Err(ApiError::InvalidColumn("nope".into())));
    }

    #[test]
    fn last_updated_rule_uses_exact_timestamps() {
        let acc = generate(&GenSpec::small());
        let all = run(json!({})).unwrap();
        let mut times: Vec<_> = all
            .iter()
            .map(|i| acc.item(*i).unwrap().updated_at)
            .collect();
        times.sort();
        let mid = times[times.len() / 2];
        let rule = |op: &str| json!({"rules": [{"column_id": "__last_updated__", "compare_value": ["EXACT", crate::monday::model::fmt_time(mid)], "operator": op, "compare_attribute": "UPDATED_AT"}]});
        let ge = run(rule("greater_than_or_equals")).unwrap();
        let lt = run(rule("lower_than")).unwrap();
        assert_eq!(ge.len() + lt.len(), all.len());
        assert!(ge.iter().all(|i| acc.item(*i).unwrap().updated_at >= mid));
    }
}
