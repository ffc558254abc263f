//! Fault injection and rate limiting. [`Faults`] says how often each failure happens (seeded,
//! so a single-threaded client sees the same sequence every run) and may script exact faults
//! for the next requests. Faults are decided *before* a handler runs, so they never change
//! state. [`RateWindow`] is the 180-requests-per-minute sliding window per token.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::reply::ApiError;
use super::text::mix;

/// One injected failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// No fault (useful in scripts to let a request through).
    None,
    /// 429 `rate_limited` with `Retry-After: retry_after_secs`.
    RateLimited,
    /// 500 `internal_server_error`.
    InternalError,
    /// 502 with an HTML body, as Cloudflare sends.
    BadGateway,
    /// 503 `service_unavailable`.
    ServiceUnavailable,
    /// 504 `gateway_timeout`.
    GatewayTimeout,
    /// 529 `service_overload` with `Retry-After`.
    Overloaded,
    /// Answer normally after `slow_ms`.
    Slow,
    /// Reject the request's `start_cursor` (once per cursor) with 400 `validation_error`.
    InvalidCursor,
    /// Return fewer results than `page_size` although more exist (`has_more` stays true);
    /// the real API may do this (notion-api.md §1.2).
    ShortPage,
}

/// Fault configuration. Probabilities are per request, checked in field order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    pub seed: u64,
    pub rate_limited: f64,
    pub internal_error: f64,
    pub bad_gateway: f64,
    pub service_unavailable: f64,
    pub gateway_timeout: f64,
    pub overloaded: f64,
    pub slow: f64,
    pub invalid_cursor: f64,
    pub short_page: f64,
    /// `Retry-After` seconds on injected 429/529 (keep it small in tests).
    pub retry_after_secs: u64,
    /// Delay of slow responses, milliseconds.
    pub slow_ms: u64,
    /// Exact faults for the next requests, in order, before any dice are rolled.
    pub script: Vec<FaultKind>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            seed: 0,
            rate_limited: 0.0,
            internal_error: 0.0,
            bad_gateway: 0.0,
            service_unavailable: 0.0,
            gateway_timeout: 0.0,
            overloaded: 0.0,
            slow: 0.0,
            invalid_cursor: 0.0,
            short_page: 0.0,
            retry_after_secs: 1,
            slow_ms: 200,
            script: Vec::new(),
        }
    }
}

impl Faults {
    /// No faults at all.
    pub fn none() -> Faults {
        Faults::default()
    }

    /// Exactly these faults for the next requests, then none.
    pub fn scripted(script: Vec<FaultKind>) -> Faults {
        Faults {
            script,
            ..Faults::default()
        }
    }
}

/// Live fault state: the config plus what has been drawn so far.
#[derive(Debug, Default)]
pub struct FaultState {
    pub faults: Faults,
    seq: u64,
    script_pos: usize,
    rejected_cursors: HashSet<String>,
}

impl FaultState {
    pub fn new(faults: Faults) -> FaultState {
        FaultState {
            faults,
            ..FaultState::default()
        }
    }

    /// Replaces the config and restarts the script and dice.
    pub fn set(&mut self, faults: Faults) {
        *self = FaultState::new(faults);
    }

    /// Decides the fault for the next request.
    pub fn draw(&mut self) -> FaultKind {
        if let Some(k) = self.faults.script.get(self.script_pos) {
            self.script_pos += 1;
            return *k;
        }
        self.seq += 1;
        let roll = (mix(self.faults.seed ^ mix(self.seq)) >> 11) as f64 / (1u64 << 53) as f64;
        let f = &self.faults;
        let table = [
            (f.rate_limited, FaultKind::RateLimited),
            (f.internal_error, FaultKind::InternalError),
            (f.bad_gateway, FaultKind::BadGateway),
            (f.service_unavailable, FaultKind::ServiceUnavailable),
            (f.gateway_timeout, FaultKind::GatewayTimeout),
            (f.overloaded, FaultKind::Overloaded),
            (f.slow, FaultKind::Slow),
            (f.invalid_cursor, FaultKind::InvalidCursor),
            (f.short_page, FaultKind::ShortPage),
        ];
        let mut acc = 0.0;
        for (p, kind) in table {
            acc += p;
            if roll < acc {
                return kind;
            }
        }
        FaultKind::None
    }

    /// True the first time a given cursor is offered for rejection.
    pub fn reject_cursor_once(&mut self, cursor: &str) -> bool {
        self.rejected_cursors.insert(cursor.to_string())
    }
}

/// The response for an immediate fault (`None` for slow/cursor faults, which proceed).
pub fn fault_response(kind: FaultKind, retry_after: u64, request_id: &str) -> Option<Response> {
    let err = match kind {
        FaultKind::RateLimited => ApiError::rate_limited(retry_after),
        FaultKind::InternalError => {
            ApiError::new(500, "internal_server_error", "Unexpected error occurred.")
        }
        FaultKind::BadGateway => return Some(bad_gateway()),
        FaultKind::ServiceUnavailable => ApiError::new(
            503,
            "service_unavailable",
            "Notion is unavailable, please try again later.",
        ),
        FaultKind::GatewayTimeout => ApiError::new(504, "gateway_timeout", "Gateway timed out."),
        FaultKind::Overloaded => ApiError::new(
            529,
            "service_overload",
            "Notion is overloaded, please try again later.",
        ),
        FaultKind::None | FaultKind::Slow | FaultKind::InvalidCursor | FaultKind::ShortPage => {
            return None
        }
    };
    let retry = matches!(kind, FaultKind::RateLimited | FaultKind::Overloaded);
    let mut resp = err.into_response(request_id);
    if retry {
        with_retry_after(&mut resp, retry_after);
    }
    Some(resp)
}

/// Adds an integer `Retry-After` header.
pub fn with_retry_after(resp: &mut Response, secs: u64) {
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

fn bad_gateway() -> Response {
    let html = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
        <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n\
        </body>\r\n</html>\r\n";
    let mut resp = (StatusCode::BAD_GATEWAY, html).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

/// Sliding one-minute window of request times per token.
#[derive(Debug, Default)]
pub struct RateWindow {
    per_token: HashMap<String, VecDeque<Instant>>,
}

impl RateWindow {
    /// Records a request; `Err(retry_after_secs)` when the token is over `limit` per minute.
    pub fn admit(&mut self, token: &str, limit: u32, now: Instant) -> Result<(), u64> {
        let window = Duration::from_secs(60);
        let q = self.per_token.entry(token.to_string()).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        if q.len() >= limit as usize {
            let wait = q
                .front()
                .map(|t| window.saturating_sub(now.duration_since(*t)))
                .unwrap_or(window);
            return Err(wait.as_secs_f64().ceil().max(1.0) as u64);
        }
        q.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_are_deterministic_by_seed() {
        let f = Faults {
            seed: 7,
            internal_error: 0.3,
            ..Faults::default()
        };
        let a: Vec<_> = {
            let mut s = FaultState::new(f.clone());
            (0..50).map(|_| s.draw()).collect()
        };
        let mut s = FaultState::new(f);
        let b: Vec<_> = (0..50).map(|_| s.draw()).collect();
        assert_eq!(a, b);
        let hits = a.iter().filter(|k| **k == FaultKind::InternalError).count();
        assert!((5..30).contains(&hits), "{hits}");
    }

    #[test]
    fn script_runs_first_then_nothing() {
        let mut s = FaultState::new(Faults::scripted(vec![FaultKind::BadGateway]));
        assert_eq!(s.draw(), FaultKind::BadGateway);
        assert_eq!(s.draw(), FaultKind::None);
    }

    #[test]
    fn window_limits_per_token() {
        let mut w = RateWindow::default();
        let t0 = Instant::now();
        assert!(w.admit("a", 2, t0).is_ok());
        assert!(w.admit("a", 2, t0).is_ok());
        assert_eq!(w.admit("a", 2, t0), Err(60));
        assert!(w.admit("b", 2, t0).is_ok());
        assert!(w.admit("a", 2, t0 + Duration::from_secs(61)).is_ok());
    }
}
