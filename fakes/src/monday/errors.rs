//! Error bodies in monday's real formats (../shared/docs/monday-api.md §3.2): [`GqlError`] is one
//! `errors[]` entry; [`ApiError`] lists the application errors execution can raise, each
//! mapped to its real (2025 unified format) message and `extensions`. The HTTP-level bodies
//! (401, legacy 500, rate limits) are plain functions returning `(status, body)`.

use async_graphql_parser::Pos;
use serde_json::{json, Value};

use super::exec::Out;

/// One entry of a response's `errors` array.
#[derive(Debug, Clone, PartialEq)]
pub struct GqlError {
    pub message: String,
    pub locations: Vec<Pos>,
    pub path: Option<Vec<Value>>,
    pub extensions: Option<Value>,
}

impl GqlError {
    /// A validation error: message and location only, no `extensions.code` (2025 validator).
    pub fn validation(message: impl Into<String>, pos: Pos) -> Self {
        GqlError {
            message: message.into(),
            locations: vec![pos],
            path: None,
            extensions: None,
        }
    }

    /// The JSON form, keys in monday's order (`message`, `locations`, `path`, `extensions`).
    pub fn to_out(&self) -> Out {
        let mut kv = vec![("message".to_string(), Out::Val(json!(self.message)))];
        let full = self.to_json();
        for key in ["locations", "path", "extensions"] {
            if let Some(v) = full.get(key) {
                kv.push((key.to_string(), Out::Val(v.clone())));
            }
        }
        Out::Obj(kv)
    }

    /// The JSON form.
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "message": self.message });
        if !self.locations.is_empty() {
            let locs: Vec<Value> = self
                .locations
                .iter()
                .map(|p| json!({"line": p.line, "column": p.column}))
                .collect();
            v["locations"] = json!(locs);
        }
        if let Some(path) = &self.path {
            v["path"] = json!(path);
        }
        if let Some(ext) = &self.extensions {
            v["extensions"] = ext.clone();
        }
        v
    }
}

/// Application errors raised while executing a valid query.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The cursor chain is older than the TTL (or was expired by a test).
    CursorExpired,
    /// The cursor does not decode or names an unknown chain.
    CursorInvalid,
    /// `items_page` got both `cursor` and `query_params`.
    CursorWithQueryParams,
    /// `limit` outside what the API accepts (e.g. `items_page(limit: 501)`).
    LimitTooLarge {
        field: &'static str,
        max: i64,
        got: i64,
    },
    /// More ids than the API accepts in one request.
    TooManyIds { field: &'static str, max: usize },
    /// A `query_params` rule or order names a column the board lacks.
    InvalidColumn(String),
    /// A `query_params` value the fake does not understand.
    InvalidArgument(String),
    /// The ambiguous internal error real monday returns e.g. for items of deleted boards.
    Internal,
}

fn invalid_argument(message: String, data: Value) -> (String, Value) {
    let ext = json!({"code": "InvalidArgumentException", "status_code": 400, "error_data": data});
    (message, ext)
}

impl ApiError {
    /// The `errors[]` entry for this error at `path`/`pos`.
    pub fn to_gql(&self, path: Vec<Value>, pos: Pos) -> GqlError {
        let (message, extensions) = match self {
            ApiError::CursorExpired => (
                CURSOR_EXPIRED.to_string(),
                json!({"code": "CursorException"}),
            ),
            ApiError::CursorInvalid => (
                "CursorException: The cursor provided is invalid".to_string(),
                json!({"code": "CursorException"}),
            ),
            ApiError::CursorWithQueryParams => invalid_argument(
                "You can't use query_params and cursor in the same request".into(),
                json!({}),
            ),
            ApiError::LimitTooLarge { field, max, got } => invalid_argument(
                format!("The {field} limit can't exceed {max} (requested {got})"),
                json!({"limit": got, "max_limit": max}),
            ),
            ApiError::TooManyIds { field, max } => invalid_argument(
                format!("You can't request more than {max} ids in {field}"),
                json!({"max_ids": max}),
            ),
            ApiError::InvalidColumn(id) => (
                format!("Column {id} not found on board"),
                json!({"code": "InvalidColumnIdException", "status_code": 200, "error_data": {"column_id": id}}),
            ),
            ApiError::InvalidArgument(m) => invalid_argument(m.clone(), json!({})),
            ApiError::Internal => ("Internal server error".to_string(), internal_extensions()),
        };
        GqlError {
            message,
            locations: vec![pos],
            path: Some(path),
            extensions: Some(extensions),
        }
    }
}

/// A board the token may not read (REAL 2025-07 shape, at the board's path).
pub fn user_unauthorized(path: Vec<Value>, pos: Pos) -> GqlError {
    GqlError {
        message: "User unauthorized to perform action".into(),
        locations: vec![pos],
        path: Some(path),
        extensions: Some(
            json!({"code": "USER_UNAUTHORIZED", "status_code": 403, "error_data": {}, "service": "monolith"}),
        ),
    }
}

/// The message real monday puts in an expired-cursor error.
pub const CURSOR_EXPIRED: &str = "CursorExpiredError: The cursor provided for pagination has expired. Please refresh your query and obtain a new cursor to continue fetching items";

fn internal_extensions() -> Value {
    json!({"status_code": 500, "error_code": "INTERNAL_SERVER_ERROR", "service": "monolith"})
}

/// 401 body (2025 form).
pub fn not_authenticated() -> Value {
    json!({"errors": [{"message": "Not authenticated", "extensions": {"code": "NOT_AUTHENTICATED"}}]})
}

/// Legacy plain 500 body.
pub fn http_500_legacy() -> Value {
    json!({"status_code": 500, "error_message": "Internal server error", "error_code": "INTERNAL_SERVER_ERROR"})
}

/// `INTERNAL_SERVER_ERROR` inside an HTTP 200, `data: null`, `path: []` (REAL 2025-07).
pub fn internal_error_in_200() -> Value {
    json!({"data": null, "errors": [{"message": "Internal server error", "path": [], "extensions": internal_extensions()}]})
}

/// Expired cursor (2025 form, no `data`).
pub fn cursor_expired() -> Value {
    json!({"errors": [{"message": CURSOR_EXPIRED, "extensions": {"code": "CursorException"}}]})
}

/// Which generation of error bodies an `API-Version` gets (../shared/docs/monday-api.md §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// Up to 2024-10: flat `error_code` / `error_message` bodies, `account_id`.
    Legacy,
    /// 2025-01 and 2025-04: unified `errors[]`, detailed complexity extensions.
    Unified2025,
    /// 2025-07 and later (and `dev`).
    Current,
}

impl Era {
    /// The era of API version `v` (`yyyy-mm` or `dev`).
    pub fn of(v: &str) -> Era {
        match v {
            "dev" => Era::Current,
            v if v >= "2025-07" => Era::Current,
            v if v >= "2025-01" => Era::Unified2025,
            _ => Era::Legacy,
        }
    }
}

/// Complexity budget exhausted, in the body of `era`, with its HTTP status: legacy bodies
/// came with HTTP 200 (airbyte#31539), unified ones with 429.
pub fn complexity_exhausted_for(
    era: Era,
    left: u64,
    cost: u64,
    limit: u64,
    retry: u64,
) -> (u16, Value) {
    match era {
        Era::Current => (429, complexity_exhausted(retry)),
        Era::Unified2025 => (
            429,
            json!({"errors": [{"message": "Complexity budget exhausted", "extensions": {
                "code": "COMPLEXITY_BUDGET_EXHAUSTED", "complexity": cost, "complexity_budget_left": left,
                "complexity_budget_limit": limit, "retry_in_seconds": retry, "status_code": 429}}]}),
        ),
        Era::Legacy => {
            let msg = format!("Complexity budget exhausted, query cost {cost} budget remaining {left} out of {limit} reset in {retry} seconds");
            (
                200,
                json!({"error_code": "ComplexityException", "status_code": 429, "error_message": msg, "error_data": {}, "errors": [msg]}),
            )
        }
    }
}

/// Expired cursor in the legacy flat form (HTTP 200, Airbyte fixture).
pub fn cursor_expired_legacy() -> Value {
    json!({"error_code": "CursorException", "error_message": CURSOR_EXPIRED, "status_code": 200})
}

/// Per-minute complexity budget exhausted (2025-07+ form).
pub fn complexity_exhausted(retry_in_seconds: u64) -> Value {
    json!({"errors": [{"message": "Complexity budget exhausted", "extensions": {"code": "COMPLEXITY_BUDGET_EXHAUSTED", "retry_in_seconds": retry_in_seconds}}]})
}

/// A single query above the 5,000,000-point cap. Not retriable.
pub fn query_too_complex(cost: u64, max: u64) -> Value {
    json!({"errors": [{"message": format!("Query has complexity of {cost}, which exceeds max complexity of {max}"), "extensions": {"code": "ComplexityException", "complexity": cost, "max_complexity": max}}]})
}

/// Per-minute request limit (429).
pub fn rate_limited(retry_in_seconds: u64) -> Value {
    json!({"errors": [{"message": "Rate Limit Exceeded", "extensions": {"code": "RATE_LIMIT_EXCEEDED", "retry_in_seconds": retry_in_seconds}}]})
}

/// Daily call limit (429); retry only after midnight UTC.
pub fn daily_limit_exceeded(retry_in_seconds: u64) -> Value {
    json!({"errors": [{"message": "Daily limit exceeded", "extensions": {"code": "DAILY_LIMIT_EXCEEDED", "retry_in_seconds": retry_in_seconds}}]})
}

/// `API-Version` header that is not `yyyy-mm` / `dev`.
pub fn invalid_version(v: &str) -> Value {
    json!({"errors": [{"message": format!("Invalid API version: {v}"), "extensions": {"code": "InvalidVersionException", "status_code": 400}}]})
}
