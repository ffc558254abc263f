//! Row selection for `POST /v1/data_sources/{id}/query` (notion-api.md §1.7): trashed rows
//! only with `in_trash: true`, the `last_edited_time`/`created_time` timestamp filter that
//! incremental crawlers use, and timestamp sorts. Property filters are ignored (every row
//! matches), which only ever returns a superset.

use chrono::DateTime;
use serde_json::Value;

use super::model::{Page, Workspace};
use super::reply::ApiError;

/// Row ids of data source `id` matching the query body, in result order.
pub fn rows(ws: &Workspace, id: &str, body: &Value) -> Result<Vec<String>, ApiError> {
    let Some(ds) = ws.data_sources.get(id) else {
        return Err(ApiError::not_found("database", id));
    };
    let want_trash = body["in_trash"].as_bool().unwrap_or(false);
    let mut rows: Vec<&Page> = ds
        .rows
        .iter()
        .filter_map(|r| ws.pages.get(r))
        .filter(|p| p.shared && p.in_trash == want_trash)
        .collect();
    if let Some(f) = body.get("filter").filter(|f| f.get("timestamp").is_some()) {
        let keep = timestamp_filter(f)?;
        rows.retain(|p| keep(p));
    }
    sort(&mut rows, &body["sorts"])?;
    Ok(rows.into_iter().map(|p| p.id.clone()).collect())
}

type RowPredicate = Box<dyn Fn(&Page) -> bool>;

fn timestamp_filter(f: &Value) -> Result<RowPredicate, ApiError> {
    let field = f["timestamp"].as_str().unwrap_or("").to_string();
    let created = match field.as_str() {
        "created_time" => true,
        "last_edited_time" => false,
        _ => return Err(ApiError::validation("body failed validation: body.filter.timestamp should be `\"created_time\"` or `\"last_edited_time\"`.")),
    };
    let cond = &f[&field];
    let ops = ["after", "on_or_after", "before", "on_or_before", "equals"];
    let Some((op, at)) = ops
        .iter()
        .find_map(|op| cond[*op].as_str().map(|v| (*op, v)))
    else {
        return Ok(Box::new(|_| true));
    };
    let at = DateTime::parse_from_rfc3339(at)
        .map(|d| d.timestamp().div_euclid(60))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(at, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp() / 60))
        })
        .map_err(|_| ApiError::validation(format!("body failed validation: body.filter.{field}.{op} should be a valid ISO 8601 date string, instead was `\"{at}\"`.")))?;
    let op = op.to_string();
    Ok(Box::new(move |p: &Page| {
        let t = if created { p.created } else { p.edited };
        match op.as_str() {
            "after" => t > at,
            "on_or_after" => t >= at,
            "before" => t < at,
            "on_or_before" => t <= at,
            _ => t == at,
        }
    }))
}

fn sort(rows: &mut [&Page], sorts: &Value) -> Result<(), ApiError> {
    let Some(list) = sorts.as_array() else {
        return Ok(());
    };
    // Apply in reverse so the first sort is the primary key (stable sorts).
    for s in list.iter().rev() {
        let created = match s["timestamp"].as_str() {
            Some("created_time") => true,
            Some("last_edited_time") => false,
            _ => continue,
        };
        let desc = s["direction"] == "descending";
        rows.sort_by_key(|p| {
            let t = if created { p.created } else { p.edited };
            if desc {
                -t
            } else {
                t
            }
        });
    }
    Ok(())
}
