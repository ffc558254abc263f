//! `GET /v1/pages/{page_id}/properties/{property_id}` (notion-api.md §1.6): the way to read
//! past the 25-reference cap of page objects. `title`, `rich_text`, `people` and `relation`
//! come back as a paginated `property_item` list (shape of `F:hkob/retrieve_property_*`);
//! other types as one `property_item` object.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;
use serde_json::{json, Map, Value};

use super::gate::Ctx;
use super::pagination::{self, page_size};
use super::render;
use super::reply::{finish, parse_id, ApiError, ApiResult};
use super::Shared;

const LIST_TYPES: &[&str] = &["title", "rich_text", "people", "relation"];

/// Decodes `%XX` escapes (property ids are stored url-encoded, e.g. `%3CnJT`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub async fn get_property(
    State(sh): State<Arc<Shared>>,
    Extension(ctx): Extension<Ctx>,
    Path((raw, prop)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let result = parse_id("page_id", &raw).and_then(|id| property(&sh, &id, &prop, &q, &host));
    finish(result, &ctx.request_id)
}

fn property(
    sh: &Shared,
    id: &str,
    prop: &str,
    q: &HashMap<String, String>,
    host: &str,
) -> ApiResult {
    let size = page_size(q.get("page_size").map(|s| json!(s)).as_ref(), "query")?;
    let ws = sh.ws();
    let page = match ws.pages.get(id) {
        Some(p) if p.shared => p,
        _ => return Err(ApiError::not_found("page", id)),
    };
    let wanted = percent_decode(prop);
    let full = render::page(&ws, page, render::ApiVersion::V2025);
    let mut uncapped = page.properties.clone();
    let Some((_, value)) = uncapped.iter_mut().find(|(name, v)| {
        percent_decode(v["id"].as_str().unwrap_or("")) == wanted || **name == wanted
    }) else {
        return Err(ApiError::not_found("property", prop));
    };
    let kind = value["type"].as_str().unwrap_or("").to_string();
    let prop_id = value["id"].clone();
    if !LIST_TYPES.contains(&kind.as_str()) {
        // Computed values (times, editors) come from the rendered page.
        let rendered = full["properties"]
            .as_object()
            .and_then(|m| m.values().find(|v| v["id"] == prop_id))
            .cloned()
            .unwrap_or(Value::Null);
        return Ok(
            json!({"object": "property_item", "type": kind, "id": prop_id,
                         kind.clone(): rendered[&kind]}),
        );
    }
    let items = value[&kind].as_array().cloned().unwrap_or_default();
    let keys: Vec<String> = (0..items.len()).map(|i| i.to_string()).collect();
    let list_kind = format!("prop:{id}:{wanted}");
    let cursor = q.get("start_cursor").map(String::as_str);
    let (slice, next) = pagination::page(&keys, &list_kind, cursor, size)?;
    let results = slice
        .iter()
        .filter_map(|k| k.parse::<usize>().ok().and_then(|i| items.get(i)))
        .map(|item| json!({"object": "property_item", "type": kind, "id": prop_id, kind.clone(): item}))
        .collect();
    let next_url = next.as_ref().map(|c| {
        format!(
            "http://{host}/v1/pages/{}/properties/{}?start_cursor={c}&page_size={size}",
            id.replace('-', ""),
            prop_id.as_str().unwrap_or(prop)
        )
    });
    let mut body = render::list(results, next, "property_item");
    let mut header = Map::new();
    header.insert("id".into(), prop_id);
    header.insert("next_url".into(), json!(next_url));
    header.insert("type".into(), json!(kind));
    header.insert(kind.clone(), json!({}));
    body["property_item"] = Value::Object(header);
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_property_ids() {
        assert_eq!(percent_decode("%3CnJT"), "<nJT");
        assert_eq!(percent_decode("title"), "title");
        assert_eq!(percent_decode("bad%zz"), "bad%zz");
    }
}
