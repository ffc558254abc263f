//! [`ApiError`]: every way a request can fail, and the one table ([`ApiError::meta`]) that maps
//! each kind to an HTTP status and a stable machine code. The body is always
//! `{"error": {"code": "...", "message": "..."}}`.
//!
//! User errors (a bad query, a bad parameter, an unknown id, a missing key) carry a message that
//! says what to fix; internal errors are logged in full and answered with a generic message.
//! Rejections made by the framework itself (an extractor failing on invalid UTF-8, a wrong
//! method, a body over the limit, a timeout) are rewritten into the same shape by
//! [`json_errors`], so a client never has to parse text/plain.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::error::Fault;
use crate::search::SearchError;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The query text cannot be parsed (or is too long).
    #[error("{0}")]
    BadQuery(String),
    /// A query-string parameter is malformed (`limit=abc`, a bad date, …).
    #[error("{0}")]
    BadParameter(String),
    #[error("{0}")]
    NotFound(String),
    /// Missing or wrong `Authorization: Bearer <key>`.
    #[error("this server needs an API key: send `Authorization: Bearer <key>`")]
    Unauthorized,
    /// The request took longer than the server allows.
    #[error("the request took too long; try a more specific query")]
    Timeout,
    /// Too many requests are already waiting for a search slot.
    #[error("the server is busy; retry shortly")]
    Busy,
    /// The request line (method, path and query string) is longer than the server reads.
    #[error(
        "the request line is longer than {} bytes; send a shorter query (at most {} bytes)",
        super::conn::MAX_HEADER_BYTES,
        crate::search::MAX_QUERY_BYTES
    )]
    UriTooLong,
    /// The request head (request line and headers) is larger than the server reads.
    #[error(
        "the request headers are larger than {} bytes; send fewer or shorter headers",
        super::conn::MAX_HEADER_BYTES
    )]
    HeadTooLarge,
    /// Bytes that are not an HTTP/1 request.
    #[error("malformed HTTP request")]
    Malformed,
    /// A method other than the ones the path answers (every endpoint but /mcp is GET).
    #[error("method not allowed here: every endpoint but /mcp answers GET")]
    MethodNotAllowed,
    /// A request body over the limit.
    #[error("the request body is larger than {} bytes", super::MAX_BODY_BYTES)]
    BodyTooLarge,
    /// The search cluster (`--engine typesense`) could not answer; the message names the
    /// nodes and the cause (never the API key).
    #[error("the search cluster did not answer: {0}")]
    Upstream(String),
    /// Anything that is not the client's fault; the detail goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
    /// A rejection the framework produced before trove's handlers ran (its status kept).
    #[error("{message}")]
    Rejected { status: StatusCode, message: String },
}

impl ApiError {
    /// The table: HTTP status and stable machine-readable code of each error kind. User
    /// faults and internal ones take their status from [`Fault::http_status`].
    pub fn meta(&self) -> (StatusCode, &'static str) {
        let fault = |f: Fault| StatusCode::from_u16(f.http_status()).unwrap_or_default();
        match self {
            ApiError::BadQuery(_) => (fault(Fault::User), "bad_query"),
            ApiError::BadParameter(_) => (fault(Fault::User), "bad_parameter"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Timeout => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
            ApiError::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            ApiError::UriTooLong => (StatusCode::URI_TOO_LONG, "uri_too_long"),
            ApiError::HeadTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "head_too_large",
            ),
            ApiError::Malformed => (StatusCode::BAD_REQUEST, "malformed_request"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            ApiError::Upstream(_) => (StatusCode::BAD_GATEWAY, "cluster_unavailable"),
            ApiError::Internal(_) => (fault(Fault::Internal), "internal"),
            ApiError::Rejected { status, .. } => (*status, rejection_code(*status)),
        }
    }

    /// What the client sees: internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Internal(_) => "internal error; see the server log".to_owned(),
            other => other.to_string(),
        }
    }

    /// The error behind a bodiless error status that a layer below the handlers answered
    /// (axum's 405, the body limit's 413, the timeout's 503), so it gets the JSON body too.
    pub fn for_status(status: StatusCode) -> Option<ApiError> {
        Some(match status {
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::BodyTooLarge,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => ApiError::Timeout,
            StatusCode::URI_TOO_LONG => ApiError::UriTooLong,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::HeadTooLarge,
            StatusCode::BAD_REQUEST => ApiError::Malformed,
            StatusCode::NOT_FOUND => ApiError::NotFound("not found".into()),
            _ => return None,
        })
    }

    /// `{"error": {"code", "message"}}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "error": { "code": self.meta().1, "message": self.public_message() }
        })
    }

    /// The whole HTTP/1.1 response, for the connection loop to write where no handler runs
    /// (a request head hyper could not parse); it closes the connection.
    pub fn raw_response(&self) -> Vec<u8> {
        let (status, _) = self.meta();
        let body = self.body().to_string();
        format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            body.len()
        )
        .into_bytes()
    }

    /// An internal failure; its whole cause chain goes to the log.
    pub fn internal<E: std::error::Error>(e: E) -> ApiError {
        ApiError::Internal(crate::error::chain(&e))
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::BadQuery(q) => ApiError::BadQuery(q.to_string()),
            e @ SearchError::SemanticOff => ApiError::BadParameter(e.to_string()),
            SearchError::Stopped => ApiError::Timeout,
            other => {
                debug_assert_eq!(other.fault(), Fault::Internal);
                ApiError::internal(other)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _) = self.meta();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "request failed");
        }
        (status, Json(self.body())).into_response()
    }
}

/// The machine code of a framework rejection, by its status: the code of the error trove
/// itself answers that status with ([`ApiError::for_status`]), else a generic one. A 400 from
/// the framework is a request it could not take apart (a path that is not UTF-8, a bad query
/// string), not bytes that were no HTTP at all, so it keeps the generic code.
fn rejection_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        s => match ApiError::for_status(s) {
            Some(e) => e.meta().1,
            None if s.is_server_error() => "internal",
            None => "bad_request",
        },
    }
}

/// Longest framework rejection text kept as the message.
const MAX_REJECTION_TEXT: usize = 1024;

/// Middleware: an error response that is not JSON already (a framework rejection) becomes
/// `{"error":{"code","message"}}`, keeping its status and its text as the message (or the
/// status's reason when it had none). MCP (`/mcp`) answers in its own protocol and is left be.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let mcp = req.uri().path().starts_with("/mcp");
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if mcp || is_json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, MAX_REJECTION_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_lowercase()
    } else {
        text
    };
    let mut out = ApiError::Rejected { status, message }.into_response();
    // Keep what the framework said about the rejection (e.g. `Allow` on a 405).
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().entry(name).or_insert(value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_query_is_a_400_with_its_message() {
        let e: ApiError = SearchError::BadQuery(crate::search::QueryError("x".into())).into();
        assert_eq!(e.meta(), (StatusCode::BAD_REQUEST, "bad_query"));
        assert_eq!(e.public_message(), "bad query: x");
    }

    #[test]
    fn internal_detail_is_not_sent() {
        let e = ApiError::internal(std::io::Error::other("/secret/path broke"));
        assert!(!e.public_message().contains("/secret/path"));
        assert_eq!(e.meta().0, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
