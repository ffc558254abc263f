//! What a Notion API failure means (../shared/docs/notion-api.md §3): every non-200 response becomes an
//! [`ApiError`] ([`classify`]); `decide` is the one place that turns it into retry / skip /
//! restart-the-listing / abort; callers see a [`Failure`] once retries are spent, and a sync
//! that aborts stops with the [`ConnectorError`] of `abort_error`.

use std::time::Duration;

use serde_json::{json, Value};

use crate::connectors::http::{parse_retry_after, Backoff};
use crate::connectors::ConnectorError;

/// Consecutive 429/529 answers to one request before giving up.
const MAX_RATE_LIMITED: u32 = 20;
/// Wait when a 429/529 carries no usable `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// Why one HTTP exchange failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 429 / 529: wait and retry; `blocked` = `public_api_request_blocked` (do not retry).
    RateLimited { wait: Duration, blocked: bool },
    /// 5xx, 530, 408, 409, timeouts, connection resets: retry with backoff.
    Transient(String),
    /// A 200 whose body is not JSON, or an unexpected status: retried, then a protocol error.
    Malformed(String),
    /// 401: the token is wrong; stop.
    Unauthorized(String),
    /// 403 / 404: this object is not readable (not shared, trashed, no capability).
    Inaccessible { status: u16, reason: String },
    /// 400 about `start_cursor`: the cursor expired; restart the listing.
    InvalidCursor(String),
    /// Any other 4xx: this request cannot succeed; skip what it was for.
    Rejected { status: u16, reason: String },
}

/// What a caller sees once retries are spent.
#[derive(Debug)]
pub enum Failure {
    /// This object cannot be read; skip it. `status` is the HTTP status, `reason` says why.
    Skip { status: u16, reason: String },
    /// The listing's cursor was rejected: start the listing again.
    InvalidCursor,
    /// Stop the sync of this source.
    Abort(ConnectorError),
}

/// What to do about one [`ApiError`].
#[derive(Debug, PartialEq)]
pub(super) enum Decision {
    Retry(Duration),
    Skip,
    Restart,
    Abort,
}

/// Retry counters of one request.
#[derive(Debug, Default)]
pub(super) struct Attempts {
    transient: u32,
    rate_limited: u32,
}

/// The single error policy of the connector.
pub(super) fn decide(err: &ApiError, attempts: &mut Attempts, backoff: &mut Backoff) -> Decision {
    match err {
        ApiError::RateLimited { blocked: true, .. } => Decision::Abort,
        ApiError::RateLimited { wait, .. } => {
            attempts.rate_limited += 1;
            if attempts.rate_limited > MAX_RATE_LIMITED {
                Decision::Abort
            } else {
                Decision::Retry(*wait)
            }
        }
        ApiError::Transient(_) | ApiError::Malformed(_) => {
            let d = backoff.delay(attempts.transient);
            attempts.transient += 1;
            d.map_or(Decision::Abort, Decision::Retry)
        }
        ApiError::Unauthorized(_) => Decision::Abort,
        ApiError::Inaccessible { .. } | ApiError::Rejected { .. } => Decision::Skip,
        ApiError::InvalidCursor(_) => Decision::Restart,
    }
}

/// The error a sync stops with once [`decide`] aborts.
pub(super) fn abort_error(err: &ApiError, what: &str) -> ConnectorError {
    match err {
        ApiError::Unauthorized(m) => ConnectorError::Auth(format!(
            "the Notion token was rejected (401 unauthorized): {m}"
        )),
        ApiError::RateLimited { blocked: true, .. } => ConnectorError::QuotaExhausted(format!(
            "Notion blocked requests from this integration (rate_limit_reason public_api_request_blocked) on {what}"
        )),
        ApiError::RateLimited { .. } => ConnectorError::Unreachable(format!(
            "Notion kept answering 429 rate limited on {what}; try again later"
        )),
        ApiError::Transient(m) => {
            ConnectorError::Unreachable(format!("Notion unreachable on {what} after retries: {m}"))
        }
        ApiError::Malformed(m) => ConnectorError::Protocol(format!(
            "Notion answered {what} with something that is not the API (after retries): {m}"
        )),
        other => ConnectorError::Protocol(format!("unexpected Notion error on {what}: {other}")),
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::RateLimited {
                wait,
                blocked: false,
            } => {
                write!(f, "rate limited (retry after {}s)", wait.as_secs())
            }
            ApiError::RateLimited { blocked: true, .. } => {
                f.write_str("requests from this integration are blocked")
            }
            ApiError::Transient(m) | ApiError::Malformed(m) | ApiError::Unauthorized(m) => {
                f.write_str(m)
            }
            ApiError::InvalidCursor(m) => write!(f, "pagination cursor rejected: {m}"),
            ApiError::Inaccessible { reason, .. } | ApiError::Rejected { reason, .. } => {
                f.write_str(reason)
            }
        }
    }
}

/// The skip a non-fatal failure becomes.
pub(super) fn skip(err: ApiError) -> Failure {
    match err {
        ApiError::Inaccessible { status, reason } | ApiError::Rejected { status, reason } => {
            Failure::Skip { status, reason }
        }
        other => Failure::Skip {
            status: 0,
            reason: other.to_string(),
        },
    }
}

/// Maps a non-200 response to an [`ApiError`].
pub fn classify(status: u16, text: &str, retry_after: Option<Duration>) -> ApiError {
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let code = body.get("code").and_then(Value::as_str).unwrap_or("");
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| excerpt(text));
    let reason = if code.is_empty() {
        format!("{status}: {message}")
    } else {
        format!("{status} {code}: {message}")
    };
    match status {
        401 => ApiError::Unauthorized(message),
        429 | 529 => ApiError::RateLimited {
            wait: retry_after
                .or_else(|| body_retry_after(&body))
                .unwrap_or(DEFAULT_RETRY_AFTER),
            blocked: body.pointer("/additional_data/rate_limit_reason")
                == Some(&json!("public_api_request_blocked")),
        },
        403 | 404 => ApiError::Inaccessible { status, reason },
        400 if message.contains("start_cursor") => ApiError::InvalidCursor(reason),
        408 | 409 | 500..=599 => ApiError::Transient(reason),
        400..=499 => ApiError::Rejected { status, reason },
        _ => ApiError::Malformed(format!("unexpected HTTP status {reason}")),
    }
}

/// `additional_data.retry_after` (a string of whole seconds).
fn body_retry_after(body: &Value) -> Option<Duration> {
    let v = body.pointer("/additional_data/retry_after")?;
    let s = v
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| v.to_string());
    parse_retry_after(Some(&s))
}

/// The first 200 characters of a body, on one line.
pub(super) fn excerpt(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = one_line.chars().take(200).collect();
    if one_line.chars().count() > 200 {
        cut.push('…');
    }
    if cut.is_empty() {
        "(empty body)".into()
    } else {
        cut
    }
}

/// Human words for a non-fatal failure.
pub fn failure_reason(f: &Failure) -> String {
    match f {
        Failure::Skip { reason, .. } => reason.clone(),
        Failure::InvalidCursor => "Notion rejected the pagination cursor".into(),
        Failure::Abort(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The backoff the connector's tests inject ([`super::super::Tuning`]).
    fn test_backoff() -> Backoff {
        super::super::tests::tuning().backoff
    }

    #[test]
    fn decisions_cover_the_error_table() {
        let mut b = test_backoff();
        let mut a = Attempts::default();
        let d = |e: ApiError, a: &mut Attempts, b: &mut Backoff| decide(&e, a, b);
        assert_eq!(
            d(
                classify(
                    401,
                    r#"{"code":"unauthorized","message":"API token is invalid."}"#,
                    None
                ),
                &mut a,
                &mut b
            ),
            Decision::Abort
        );
        assert_eq!(d(classify(404, "{}", None), &mut a, &mut b), Decision::Skip);
        assert_eq!(
            d(classify(403, "<html>", None), &mut a, &mut b),
            Decision::Skip
        );
        assert_eq!(
            d(
                classify(429, "{}", Some(Duration::from_secs(1))),
                &mut a,
                &mut b
            ),
            Decision::Retry(Duration::from_secs(1))
        );
        let body =
            r#"{"code":"validation_error","message":"The start_cursor provided is invalid: x"}"#;
        assert_eq!(
            d(classify(400, body, None), &mut a, &mut b),
            Decision::Restart
        );
        assert!(matches!(
            d(classify(502, "<html>", None), &mut a, &mut b),
            Decision::Retry(_)
        ));
        let blocked = r#"{"code":"rate_limited","additional_data":{"rate_limit_reason":"public_api_request_blocked"}}"#;
        assert_eq!(
            d(classify(429, blocked, None), &mut a, &mut b),
            Decision::Abort
        );
    }

    #[test]
    fn retry_after_falls_back_to_body() {
        let body = r#"{"code":"rate_limited","additional_data":{"retry_after":"7"}}"#;
        assert_eq!(
            classify(429, body, None),
            ApiError::RateLimited {
                wait: Duration::from_secs(7),
                blocked: false
            }
        );
    }

    #[test]
    fn transient_retries_are_bounded() {
        let mut b = test_backoff();
        let mut a = Attempts::default();
        let e = ApiError::Transient("503".into());
        let retries = std::iter::from_fn(|| match decide(&e, &mut a, &mut b) {
            Decision::Retry(_) => Some(()),
            _ => None,
        })
        .count();
        assert_eq!(retries, 3);
    }

    #[test]
    fn auth_message_is_exact() {
        let e = abort_error(
            &ApiError::Unauthorized("API token is invalid.".into()),
            "GET /v1/users",
        );
        assert_eq!(
            e.to_string(),
            "the Notion token was rejected (401 unauthorized): API token is invalid."
        );
    }
}
