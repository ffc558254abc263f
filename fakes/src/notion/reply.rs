//! Response building: [`ApiError`] (Notion's error body, notion-api.md §3) and JSON replies
//! with Notion's headers (`content-type: application/json; charset=utf-8`,
//! `x-notion-request-id`).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

pub const JSON_CT: &str = "application/json; charset=utf-8";

/// A Notion error: HTTP status, machine code, message, optional `additional_data`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub additional: Option<Value>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            additional: None,
        }
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(401, "unauthorized", "API token is invalid.")
    }

    pub fn missing_version() -> ApiError {
        ApiError::new(
            400,
            "missing_version",
            "Notion-Version header failed validation: Notion-Version header should be defined, instead was undefined.",
        )
    }

    pub fn invalid_url() -> ApiError {
        ApiError::new(400, "invalid_request_url", "Invalid request URL.")
    }

    pub fn invalid_json() -> ApiError {
        ApiError::new(400, "invalid_json", "Error parsing JSON body.")
    }

    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "validation_error", message)
    }

    /// `path failed validation: path.block_id should be a valid uuid, instead was "AAA".`
    pub fn bad_id(param: &str, value: &str) -> ApiError {
        ApiError::validation(format!(
            "path failed validation: path.{param} should be a valid uuid, instead was `\"{value}\"`."
        ))
    }

    /// `Could not find {what} with ID: {id}. Make sure ...` (data sources say "database").
    pub fn not_found(what: &str, id: &str) -> ApiError {
        ApiError::new(
            404,
            "object_not_found",
            format!(
                "Could not find {what} with ID: {id}. Make sure the relevant pages and databases are shared with your integration."
            ),
        )
    }

    pub fn invalid_cursor(cursor: &str) -> ApiError {
        ApiError::validation(format!("The start_cursor provided is invalid: {cursor}"))
    }

    /// 429 with `additional_data.rate_limit_reason` / `retry_after` (notion-api.md §3).
    pub fn rate_limited(retry_after: u64) -> ApiError {
        let mut e = ApiError::new(
            429,
            "rate_limited",
            "You have been rate limited. Please try again in a few minutes.",
        );
        e.additional = Some(json!({"rate_limit_reason": "public_api_request_rate_limit",
                                   "retry_after": retry_after.to_string()}));
        e
    }

    /// The JSON body, with the request id.
    pub fn body(&self, request_id: &str) -> Value {
        let mut o = Map::new();
        o.insert("object".into(), json!("error"));
        o.insert("status".into(), json!(self.status));
        o.insert("code".into(), json!(self.code));
        o.insert("message".into(), json!(self.message));
        if let Some(a) = &self.additional {
            o.insert("additional_data".into(), a.clone());
        }
        o.insert("request_id".into(), json!(request_id));
        Value::Object(o)
    }

    pub fn into_response(self, request_id: &str) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        json_response(status, self.body(request_id))
    }
}

/// A JSON response with Notion's content type.
pub fn json_response(status: StatusCode, body: Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CT));
    resp
}

/// A success body with `request_id` added (objects only).
pub fn ok(mut body: Value, request_id: &str) -> Response {
    if let Some(o) = body.as_object_mut() {
        o.insert("request_id".into(), json!(request_id));
    }
    json_response(StatusCode::OK, body)
}

/// Handler result: a body or an error; the request id is added when rendered.
pub type ApiResult = Result<Value, ApiError>;

/// Turns a handler result into a response.
pub fn finish(result: ApiResult, request_id: &str) -> Response {
    match result {
        Ok(body) => ok(body, request_id),
        Err(e) => e.into_response(request_id),
    }
}

/// Parses a dashed or undashed UUID into the dashed lowercase form.
pub fn parse_id(param: &str, raw: &str) -> Result<String, ApiError> {
    let hex: String = raw.chars().filter(|c| *c != '-').collect();
    let dashed_ok = raw.len() == 36 && [8, 13, 18, 23].iter().all(|&i| raw.as_bytes()[i] == b'-');
    let valid = hex.len() == 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
        && (raw.len() == 32 || dashed_ok);
    if !valid {
        return Err(ApiError::bad_id(param, raw));
    }
    let h = hex.to_lowercase();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_accept_dashed_and_undashed() {
        let d = "79ddb5ed-15c7-4a40-9cf6-a018d23ceb19";
        assert_eq!(parse_id("block_id", d).as_deref(), Ok(d));
        assert_eq!(
            parse_id("block_id", "79DDB5ED15C74A409CF6A018D23CEB19").as_deref(),
            Ok(d)
        );
        let e = parse_id("block_id", "AAA").unwrap_err();
        assert_eq!(
            e.message,
            "path failed validation: path.block_id should be a valid uuid, instead was `\"AAA\"`."
        );
    }
}
