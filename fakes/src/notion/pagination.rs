//! Cursor pagination shared by every list endpoint (notion-api.md §1.2).
//!
//! A cursor names the *first item of the next page* (as real block cursors do) but is
//! wrapped opaquely: hex of `list-kind|item-id` plus a checksum, so clients cannot forge or
//! guess one. A cursor whose item has vanished is rejected like Notion does:
//! 400 `The start_cursor provided is invalid: …`.

use serde_json::Value;

use super::reply::ApiError;

/// Default and maximum `page_size`.
pub const MAX_PAGE_SIZE: usize = 100;

const SALT: &str = "trove-fake-notion";

fn fnv1a(data: &str) -> u32 {
    data.bytes().fold(0x811C_9DC5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// Wraps "next item `id` of list `kind`" into an opaque cursor.
pub fn encode(kind: &str, id: &str) -> String {
    let payload = format!("{kind}|{id}");
    let hex: String = payload.bytes().map(|b| format!("{b:02x}")).collect();
    format!("{hex}{:08x}", fnv1a(&format!("{SALT}{payload}")))
}

/// Unwraps a cursor made by [`encode`] for the same `kind`.
pub fn decode(kind: &str, cursor: &str) -> Option<String> {
    if cursor.len() < 10 || !cursor.len().is_multiple_of(2) || !cursor.is_ascii() {
        return None;
    }
    let (hex, check) = cursor.split_at(cursor.len() - 8);
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect();
    let payload = String::from_utf8(bytes?).ok()?;
    if format!("{:08x}", fnv1a(&format!("{SALT}{payload}"))) != check {
        return None;
    }
    let (k, id) = payload.rsplit_once('|')?;
    (k == kind).then(|| id.to_string())
}

/// One page of `items` starting at `cursor`; returns the slice and the next cursor.
pub fn page<'a>(
    items: &'a [String],
    kind: &str,
    cursor: Option<&str>,
    size: usize,
) -> Result<(&'a [String], Option<String>), ApiError> {
    let start = match cursor {
        None => 0,
        Some(c) => decode(kind, c)
            .and_then(|id| items.iter().position(|i| *i == id))
            .ok_or_else(|| ApiError::invalid_cursor(c))?,
    };
    let end = (start + size).min(items.len());
    let next = items.get(end).map(|id| encode(kind, id));
    Ok((&items[start..end], next))
}

/// Validates `page_size` from a JSON body (`where_ = "body"`) or query (`"query"`).
pub fn page_size(value: Option<&Value>, where_: &str) -> Result<usize, ApiError> {
    let Some(v) = value.filter(|v| !v.is_null()) else {
        return Ok(MAX_PAGE_SIZE);
    };
    let n = match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if where_ == "query" => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let Some(n) = n else {
        return Err(ApiError::validation(format!(
            "{where_} failed validation: {where_}.page_size should be a number, instead was `{v}`."
        )));
    };
    if n > MAX_PAGE_SIZE as i64 {
        return Err(ApiError::validation(format!(
            "{where_} failed validation: {where_}.page_size should be ≤ `100`, instead was `{n}`."
        )));
    }
    if n < 1 {
        return Err(ApiError::validation(format!(
            "{where_} failed validation: {where_}.page_size should be ≥ `1`, instead was `{n}`."
        )));
    }
    Ok(n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("id-{i}")).collect()
    }

    #[test]
    fn cursors_round_trip_and_reject_tampering() {
        let c = encode("blocks", "abc");
        assert_eq!(decode("blocks", &c).as_deref(), Some("abc"));
        assert_eq!(decode("search", &c), None);
        let mut bad = c.clone();
        bad.replace_range(0..2, "ff");
        assert_eq!(decode("blocks", &bad), None);
        assert_eq!(decode("blocks", "not a cursor"), None);
    }

    #[test]
    fn walk_returns_every_item_once() {
        let items = ids(7);
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let (slice, next) = page(&items, "k", cursor.as_deref(), 3).unwrap_or((&[], None));
            seen.extend(slice.iter().cloned());
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn page_size_limits() {
        assert_eq!(page_size(None, "query"), Ok(100));
        assert_eq!(page_size(Some(&json!("5")), "query"), Ok(5));
        let e = page_size(Some(&json!(101)), "body").unwrap_err();
        assert_eq!(e.code, "validation_error");
        assert!(e.message.contains("body.page_size"));
        assert!(page_size(Some(&json!(0)), "body").is_err());
    }
}
