//! [`ApiError`]: every way a request can fail, and the one table ([`ApiError::meta`]) that maps
//! each kind to an HTTP status and a stable machine code. The body is always
//! `{"error": {"code": "...", "message": "..."}}`.
//!
//! User errors (a bad query, a bad parameter, an unknown id, a missing key) carry a message that
//! says what to fix; internal errors are logged in full and answered with a generic message.

use axum::http::StatusCode;
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
    /// The search cluster (`--engine typesense`) could not answer; the message names the
    /// nodes and the cause (never the API key).
    #[error("the search cluster did not answer: {0}")]
    Upstream(String),
    /// Anything that is not the client's fault; the detail goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
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
            ApiError::Upstream(_) => (StatusCode::BAD_GATEWAY, "cluster_unavailable"),
            ApiError::Internal(_) => (fault(Fault::Internal), "internal"),
        }
    }

    /// What the client sees: internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Internal(_) => "internal error; see the server log".to_owned(),
            other => other.to_string(),
        }
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
            other => {
                debug_assert_eq!(other.fault(), Fault::Internal);
                ApiError::internal(other)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.meta();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "request failed");
        }
        let body = serde_json::json!({
            "error": { "code": code, "message": self.public_message() }
        });
        (status, Json(body)).into_response()
    }
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
