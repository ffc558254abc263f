//! The middleware every `/v1` request passes, in Notion's order: count it, check
//! `Authorization: Bearer` (401), `Notion-Version` (400 `missing_version`), the per-token rate
//! limit (429 + `Retry-After`), then injected faults. Survivors get a [`Ctx`] and reach
//! their handler; every response gets `x-notion-request-id`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;

use super::faults::{fault_response, with_retry_after, FaultKind};
use super::render::ApiVersion;
use super::reply::ApiError;
use super::{lock, Shared};

/// Per-request facts handlers need.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub request_id: String,
    pub version: ApiVersion,
    /// An invalid-cursor fault was drawn: reject this request's `start_cursor` (once).
    pub reject_cursor: bool,
    /// A short-page fault was drawn: answer with fewer results than asked.
    pub short_page: bool,
}

impl Ctx {
    /// The page size actually served (halved under a short-page fault).
    pub fn serve_size(&self, requested: usize) -> usize {
        if self.short_page {
            (requested / 2).max(1)
        } else {
            requested
        }
    }
}

/// The middleware (see module docs). `/__fake/…` control routes skip it.
pub async fn gate(State(sh): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/__fake") {
        return next.run(req).await;
    }
    let n = sh.next_request.fetch_add(1, Ordering::Relaxed);
    let request_id = request_id(n);
    let endpoint = endpoint_key(req.method(), &path);
    let mut resp = check(&sh, req, next, &request_id).await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-notion-request-id", v);
    }
    let mut counts = lock(&sh.counts);
    counts.total += 1;
    *counts.by_endpoint.entry(endpoint).or_default() += 1;
    *counts.by_status.entry(resp.status().as_u16()).or_default() += 1;
    resp
}

async fn check(sh: &Shared, mut req: Request, next: Next, request_id: &str) -> Response {
    let headers = req.headers();
    let Some(token) = bearer(headers).filter(|t| *t == sh.token) else {
        return ApiError::unauthorized().into_response(request_id);
    };
    let Some(version) = header(headers, "notion-version") else {
        return ApiError::missing_version().into_response(request_id);
    };
    let version = ApiVersion::parse(&version);
    let limit = *lock(&sh.rate_limit);
    if let Some(limit) = limit {
        if let Err(secs) = lock(&sh.window).admit(&token, limit, Instant::now()) {
            let mut resp = ApiError::rate_limited(secs).into_response(request_id);
            with_retry_after(&mut resp, secs);
            return resp;
        }
    }
    let (kind, retry_after, slow_ms) = {
        let mut f = lock(&sh.faults);
        let kind = f.draw();
        (kind, f.faults.retry_after_secs, f.faults.slow_ms)
    };
    if let Some(resp) = fault_response(kind, retry_after, request_id) {
        return resp;
    }
    if kind == FaultKind::Slow {
        tokio::time::sleep(Duration::from_millis(slow_ms)).await;
    }
    req.extensions_mut().insert(Ctx {
        request_id: request_id.to_string(),
        version,
        reject_cursor: kind == FaultKind::InvalidCursor,
        short_page: kind == FaultKind::ShortPage,
    });
    next.run(req).await
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let auth = header(headers, "authorization")?;
    let (scheme, token) = auth.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// A UUID-shaped request id, unique per server.
fn request_id(n: u64) -> String {
    let h = super::text::mix(n);
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xFFFF,
        n & 0xFFF,
        (h >> 4) & 0xFFF,
        n & 0xFFFF_FFFF_FFFF
    )
}

/// `"GET /v1/blocks/{id}/children"`: literal path words kept, ids replaced by `{id}`.
pub fn endpoint_key(method: &Method, path: &str) -> String {
    const WORDS: &[&str] = &[
        "v1",
        "search",
        "blocks",
        "children",
        "pages",
        "databases",
        "data_sources",
        "query",
        "users",
        "me",
        "properties",
    ];
    let parts: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| if WORDS.contains(&s) { s } else { "{id}" })
        .collect();
    format!("{method} /{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_keys_hide_ids() {
        assert_eq!(
            endpoint_key(&Method::GET, "/v1/blocks/abc-123/children"),
            "GET /v1/blocks/{id}/children"
        );
        assert_eq!(endpoint_key(&Method::POST, "/v1/search"), "POST /v1/search");
    }
}
