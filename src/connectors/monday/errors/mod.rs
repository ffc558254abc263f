//! monday.com API failures as data: [`classify`] turns one HTTP response into a
//! [`GqlResponse`] or an [`ApiFailure`], [`decide`] is the one place that chooses between
//! retry, chain restart, smaller pages, skip and abort (given the [`Scope`] it happened in),
//! and [`ApiFailure::into_connector_error`] words what is left for the user.
//!
//! Classification follows ../shared/docs/monday-api.md §3.3 and matches on *structure*
//! (`retry_in_seconds`, `status_code`, HTTP status) before code strings, because monday has
//! renamed its codes several times (`ComplexityException` → `complexityBudgetExhausted` →
//! `COMPLEXITY_BUDGET_EXHAUSTED`). All four error shapes are read: the legacy flat body,
//! the hybrid, the unified `errors[]` (objects or bare strings) and errors inside HTTP 200.

use std::time::Duration;

use serde_json::Value;

use crate::connectors::ConnectorError;
use crate::secret::Secret;

/// Why a request did not produce usable data.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// HTTP 401 or `NOT_AUTHENTICATED`: the token is wrong or revoked.
    Auth(String),
    /// HTTP 403 or `USER_UNAUTHORIZED` with no usable data: skip what was asked for.
    Forbidden(String),
    /// Minute, complexity, concurrency or IP limits: wait (`wait` if the server said) and retry.
    RateLimited {
        wait: Option<Duration>,
        message: String,
    },
    /// One query costs more than any budget allows (> the per-query cap): ask for less.
    TooComplex(String),
    /// `DAILY_LIMIT_EXCEEDED`: nothing to do until 00:00 UTC.
    DailyLimit(String),
    /// The items cursor expired (60 minutes after the chain started): restart the chain.
    CursorExpired(String),
    /// 5xx, `INTERNAL_SERVER_ERROR` inside a 200, network errors and timeouts.
    Transient {
        wait: Option<Duration>,
        message: String,
    },
    /// The board or item does not exist (any more).
    NotFound(String),
    /// Validation or other coded errors: our query or the API is wrong.
    Rejected(String),
    /// Not JSON, or JSON that is neither data nor an error.
    Malformed(String),
}

/// A successful response: `data` (an object) and the errors that came with partial data.
#[derive(Debug, Clone, PartialEq)]
pub struct GqlResponse {
    pub data: Value,
    pub errors: Vec<ErrorEntry>,
}

/// One error, whichever shape it came in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorEntry {
    pub code: String,
    pub message: String,
    pub status: Option<u64>,
    pub retry: Option<Duration>,
    /// GraphQL `path` (e.g. `["boards", 0, "items_page"]`), empty when absent.
    pub path: Vec<Value>,
    /// The query alone costs more than the budget limit (retrying cannot succeed).
    pub too_complex: bool,
}

/// What one error entry means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Other,
    NotFound,
    Forbidden,
    Transient,
    Cursor,
    RateLimited,
    TooComplex,
    Auth,
    Daily,
}

/// Code or message fragments of the retry-after-waiting family (§3.3).
const LIMIT_MARKERS: &[&str] = &[
    "COMPLEXITY",
    "RATE_LIMIT",
    "RATE LIMIT",
    "MINUTE LIMIT",
    "CONCURRENCY LIMIT",
    "MAXCONCURRENCYEXCEEDED",
    "FIELD_LIMIT_EXCEEDED",
    "IP_RATE_LIMIT",
    "API_TEMPORARILY_BLOCKED",
];

/// Classifies one response: HTTP status, `Retry-After` header and raw body.
pub fn classify(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Result<GqlResponse, ApiFailure> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let entries = json.as_ref().map(error_entries).unwrap_or_default();
    let message = first_message(&entries).unwrap_or_else(|| snippet(body));
    if status == 401 {
        return Err(ApiFailure::Auth(message));
    }
    let worst = entries.iter().map(kind_of).max().unwrap_or(Kind::Other);
    let wait = entries.iter().find_map(|e| e.retry).or(retry_after);
    // Often sent with 429, but waiting minutes will not help: the daily limit resets at
    // midnight UTC, and an over-cap query never fits.
    match worst {
        Kind::Daily => return Err(ApiFailure::DailyLimit(message)),
        Kind::TooComplex => return Err(ApiFailure::TooComplex(message)),
        _ => {}
    }
    match status {
        429 => return Err(ApiFailure::RateLimited { wait, message }),
        500..=599 => {
            return Err(ApiFailure::Transient {
                wait: retry_after,
                message,
            })
        }
        403 => return Err(ApiFailure::Forbidden(message)),
        404 => return Err(ApiFailure::NotFound(message)),
        200..=299 => {}
        _ => return Err(ApiFailure::Rejected(format!("HTTP {status}: {message}"))),
    }
    let Some(json) = json else {
        return Err(ApiFailure::Malformed(format!(
            "response is not JSON: {}",
            snippet(body)
        )));
    };
    let data = json.get("data").filter(|d| d.is_object()).cloned();
    let reason = entries
        .iter()
        .find(|e| kind_of(e) == worst)
        .and_then(|e| first_message(std::slice::from_ref(e)))
        .unwrap_or(message);
    match worst {
        Kind::Daily => Err(ApiFailure::DailyLimit(reason)),
        Kind::TooComplex => Err(ApiFailure::TooComplex(reason)),
        Kind::Auth => Err(ApiFailure::Auth(reason)),
        Kind::RateLimited => Err(ApiFailure::RateLimited {
            wait,
            message: reason,
        }),
        Kind::Cursor => Err(ApiFailure::CursorExpired(reason)),
        Kind::Transient => Err(ApiFailure::Transient {
            wait,
            message: reason,
        }),
        _ if data.is_some() => Ok(GqlResponse {
            data: data.unwrap_or_default(),
            errors: entries,
        }),
        Kind::Forbidden => Err(ApiFailure::Forbidden(reason)),
        Kind::NotFound => Err(ApiFailure::NotFound(reason)),
        Kind::Other if !entries.is_empty() => Err(ApiFailure::Rejected(reason)),
        Kind::Other => Err(ApiFailure::Malformed(format!(
            "response has no `data`: {}",
            snippet(body)
        ))),
    }
}

/// Reads `errors[]` (objects or strings) and the legacy root fields into entries.
fn error_entries(json: &Value) -> Vec<ErrorEntry> {
    let mut out: Vec<ErrorEntry> = match json.get("errors") {
        Some(Value::Array(list)) => list.iter().map(entry_from).collect(),
        Some(Value::String(s)) => vec![entry_from(&Value::String(s.clone()))],
        _ => Vec::new(),
    };
    let legacy = ["error_code", "error_message"]
        .iter()
        .any(|k| json.get(k).is_some())
        || (json.get("status_code").is_some() && json.get("data").is_none());
    if legacy {
        let mut e = ErrorEntry {
            code: text(json.get("error_code")),
            message: text(json.get("error_message")),
            status: json.get("status_code").and_then(as_u64),
            retry: seconds(json.get("retry_in_seconds"))
                .or_else(|| seconds(json.pointer("/error_data/retry_in_seconds"))),
            path: Vec::new(),
            too_complex: over_cap(&e_msg(json), None),
        };
        e.retry = e.retry.or_else(|| reset_in(&e.message));
        out.insert(0, e);
    }
    out
}

fn entry_from(v: &Value) -> ErrorEntry {
    if let Value::String(s) = v {
        return ErrorEntry {
            message: s.clone(),
            retry: reset_in(s),
            too_complex: over_cap(s, None),
            ..Default::default()
        };
    }
    let ext = v.get("extensions").cloned().unwrap_or(Value::Null);
    let code = ext
        .get("code")
        .or_else(|| ext.get("error_code"))
        .or_else(|| v.get("error_code"));
    let message = text(v.get("message").or_else(|| v.get("error_message")));
    let retry = seconds(ext.get("retry_in_seconds"))
        .or_else(|| seconds(ext.pointer("/error_data/retry_in_seconds")))
        .or_else(|| seconds(v.get("retry_in_seconds")))
        .or_else(|| reset_in(&message));
    ErrorEntry {
        code: text(code),
        too_complex: over_cap(&message, Some(&ext)),
        status: ext
            .get("status_code")
            .or_else(|| v.get("status_code"))
            .and_then(as_u64),
        retry,
        path: v
            .get("path")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        message,
    }
}

impl ErrorEntry {
    /// Whether this error only says "not yours to read" (unauthorized or not found).
    pub fn denies_access(&self) -> bool {
        matches!(kind_of(self), Kind::Forbidden | Kind::NotFound)
    }
}

fn kind_of(e: &ErrorEntry) -> Kind {
    let both = format!("{} {}", e.code, e.message).to_ascii_uppercase();
    if both.contains("DAILY_LIMIT") || both.contains("DAILY LIMIT") {
        Kind::Daily
    } else if e.too_complex {
        Kind::TooComplex
    } else if both.contains("NOT_AUTHENTICATED") || both.contains("NOT AUTHENTICATED") {
        Kind::Auth
    } else if both.contains("CURSOREXCEPTION") || both.contains("CURSOREXPIREDERROR") {
        Kind::Cursor
    } else if e.retry.is_some()
        || e.status == Some(429)
        || LIMIT_MARKERS.iter().any(|m| both.contains(m))
    {
        Kind::RateLimited
    } else if both.contains("INTERNAL_SERVER_ERROR") || e.status.is_some_and(|s| s >= 500) {
        Kind::Transient
    } else if both.contains("UNAUTHORIZED")
        || both.contains("ACCESS_DENIED")
        || e.status == Some(403)
    {
        Kind::Forbidden
    } else if both.contains("NOTFOUND")
        || both.contains("INVALIDBOARDID")
        || both.contains("INVALIDITEMID")
        || e.status == Some(404)
    {
        Kind::NotFound
    } else {
        Kind::Other
    }
}

/// Where a failure happened; what can be done about it depends on that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One HTTP request that has been retried `attempt` times; `backoff` is the next
    /// exponential backoff delay (`None` when the backoff's attempts are used up).
    Request {
        attempt: u32,
        backoff: Option<Duration>,
    },
    /// A board's page chain (items or sweep): restarts in a row without progress, and the
    /// current page size.
    /// A skipped board keeps its old mark, so the next run tries it again.
    Chain {
        restarts: u32,
        max_restarts: u32,
        page_limit: u32,
    },
    /// A request for `size` objects by id: shrink it when over the complexity cap.
    Batch { size: u32 },
    /// Part of a chain or phase (subitems, commented items): unreadable parts are skipped,
    /// anything else goes up to the enclosing scope.
    Part,
    /// Best-effort extras whose absence is safe (deletion confirmation).
    Optional,
}

/// What to do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Send the same request again after this wait.
    Retry(Duration),
    /// Start the board's chain over from its first page (cursor expired).
    RestartChain,
    /// Ask again for half as much (query over the complexity cap).
    ShrinkPage,
    /// Record and move on (board skipped, part left out).
    Skip,
    /// Give up here: the failure goes up, and at the top becomes a [`ConnectorError`].
    Abort,
}

/// The one place that decides retry, restart, skip or abort (../shared/docs/monday-api.md §3.3).
pub fn decide(failure: &ApiFailure, scope: Scope) -> Decision {
    const MAX_LIMIT_RETRIES: u32 = 8;
    const DEFAULT_LIMIT_WAIT: Duration = Duration::from_secs(60);
    use ApiFailure as F;
    let unreadable = matches!(failure, F::Forbidden(_) | F::NotFound(_));
    match (scope, failure) {
        (Scope::Request { attempt, .. }, F::RateLimited { wait, .. })
            if attempt < MAX_LIMIT_RETRIES =>
        {
            Decision::Retry(wait.unwrap_or(DEFAULT_LIMIT_WAIT))
        }
        (
            Scope::Request {
                backoff: Some(delay),
                ..
            },
            F::Transient { wait, .. },
        ) => Decision::Retry(wait.map_or(delay, |w| w.max(delay))),
        // `restarts` counts restarts without progress; past the limit the board is skipped
        // (and tried again by the next run).
        (
            Scope::Chain {
                restarts,
                max_restarts,
                ..
            },
            F::CursorExpired(_),
        ) => {
            if restarts < max_restarts {
                Decision::RestartChain
            } else {
                Decision::Skip
            }
        }
        (Scope::Chain { page_limit: n, .. } | Scope::Batch { size: n }, F::TooComplex(_))
            if n > 1 =>
        {
            Decision::ShrinkPage
        }
        (Scope::Chain { .. } | Scope::Optional, F::Transient { .. }) => Decision::Skip,
        (Scope::Chain { .. } | Scope::Part | Scope::Optional, _) if unreadable => Decision::Skip,
        _ => Decision::Abort,
    }
}

impl ApiFailure {
    /// The user-facing error once retries are spent; the token is scrubbed from every message.
    pub fn into_connector_error(self, token: &Secret) -> ConnectorError {
        let clean = |m: &str| token.scrub(m);
        match self {
            ApiFailure::Auth(m) => ConnectorError::Auth(format!("the monday.com token was rejected (401): {}", clean(&m))),
            ApiFailure::Forbidden(m) => ConnectorError::Auth(format!("the monday.com token may not read this account (403): {}", clean(&m))),
            ApiFailure::DailyLimit(m) => ConnectorError::QuotaExhausted(format!(
                "monday.com daily API call limit reached ({}); it resets at 00:00 UTC, run the sync again after that",
                clean(&m)
            )),
            ApiFailure::TooComplex(m) => ConnectorError::Protocol(format!("a monday.com query exceeds the complexity cap even at the smallest page size: {}", clean(&m))),
            ApiFailure::RateLimited { message, .. } => ConnectorError::Unreachable(format!("monday.com kept rate limiting the sync: {}", clean(&message))),
            ApiFailure::Transient { message, .. } => ConnectorError::Unreachable(format!("monday.com failed repeatedly: {}", clean(&message))),
            ApiFailure::CursorExpired(m) => ConnectorError::Protocol(format!("monday.com cursor kept expiring: {}", clean(&m))),
            ApiFailure::NotFound(m) | ApiFailure::Rejected(m) => ConnectorError::Protocol(format!("monday.com rejected a query: {}", clean(&m))),
            ApiFailure::Malformed(m) => ConnectorError::Protocol(format!("monday.com sent an unexpected response: {}", clean(&m))),
        }
    }

    /// A one-line description for logs and skip reasons.
    pub fn describe(&self) -> String {
        match self {
            ApiFailure::Auth(m) => format!("401 {m}"),
            ApiFailure::Forbidden(m) => format!("403 {m}"),
            ApiFailure::RateLimited { message, .. } => format!("rate limited: {message}"),
            ApiFailure::DailyLimit(m) => format!("daily limit: {m}"),
            ApiFailure::TooComplex(m) => format!("query too complex: {m}"),
            ApiFailure::CursorExpired(m) => format!("cursor expired: {m}"),
            ApiFailure::Transient { message, .. } => format!("server error: {message}"),
            ApiFailure::NotFound(m) => format!("404 {m}"),
            ApiFailure::Rejected(m) => format!("rejected: {m}"),
            ApiFailure::Malformed(m) => format!("malformed: {m}"),
        }
    }
}

fn first_message(entries: &[ErrorEntry]) -> Option<String> {
    entries
        .iter()
        .map(|e| {
            if e.message.is_empty() {
                e.code.clone()
            } else {
                e.message.clone()
            }
        })
        .find(|m| !m.is_empty())
}

fn e_msg(json: &Value) -> String {
    text(json.get("error_message"))
}

/// Whether one query alone exceeds the budget: `complexity > max_complexity` or
/// `> complexity_budget_limit` (2025-01 format), `query cost N … out of M` with N > M (legacy), or a "max complexity"
/// message.
fn over_cap(message: &str, ext: Option<&Value>) -> bool {
    let num = |k: &str| ext.and_then(|e| e.get(k)).and_then(as_u64);
    let limit = num("max_complexity").or_else(|| num("complexity_budget_limit"));
    if let (Some(cost), Some(limit)) = (num("complexity"), limit) {
        return cost > limit;
    }
    if message.to_ascii_lowercase().contains("max complexity") {
        return true;
    }
    match (
        number_after(message, "query cost "),
        number_after(message, "out of "),
    ) {
        (Some(cost), Some(limit)) => cost > limit,
        _ => false,
    }
}

fn number_after(message: &str, marker: &str) -> Option<u64> {
    let rest = &message[message.find(marker)? + marker.len()..];
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// Parses `… reset in 16 seconds` from legacy complexity messages.
fn reset_in(message: &str) -> Option<Duration> {
    number_after(message, "reset in ").map(Duration::from_secs)
}

fn seconds(v: Option<&Value>) -> Option<Duration> {
    let s = v?.as_f64().or_else(|| v?.as_str()?.trim().parse().ok())?;
    (s.is_finite() && s >= 0.0).then(|| Duration::from_secs_f64(s.min(3600.0)))
}

fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// The start of a body for error messages (bodies can be large HTML pages).
fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    match s.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None if s.is_empty() => "(empty body)".to_owned(),
        None => s.to_owned(),
    }
}

/// Why a board's chain stopped: an API failure (maybe retried by restarting or skipping the
/// board) or a fatal error (the store failed).
pub enum Stop {
    Api(ApiFailure),
    Fatal(ConnectorError),
}

impl From<ApiFailure> for Stop {
    fn from(f: ApiFailure) -> Self {
        Stop::Api(f)
    }
}

impl From<ConnectorError> for Stop {
    fn from(e: ConnectorError) -> Self {
        Stop::Fatal(e)
    }
}

/// A field the response should have carried is missing.
pub fn missing(what: &str, resp: &GqlResponse) -> ApiFailure {
    let why = resp
        .errors
        .first()
        .map(|e| format!(" ({})", e.message))
        .unwrap_or_default();
    ApiFailure::Malformed(format!("`{what}` missing from the response{why}"))
}

#[cfg(test)]
mod tests;
