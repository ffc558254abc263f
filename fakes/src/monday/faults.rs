//! Fault injection: [`Faults`] says which failures the server injects, [`FaultKind`] is one
//! injected failure. Random faults are deterministic: request number `n` draws from a hash of
//! `(seed, n)`, so a run replays exactly. `script` forces specific faults on the next requests
//! (a `CursorExpired` entry waits for the next request that passes a cursor).

use serde::{Deserialize, Serialize};

/// One injectable failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// HTTP 429 `RATE_LIMIT_EXCEEDED` with `Retry-After`.
    RateLimit,
    /// HTTP 429 `COMPLEXITY_BUDGET_EXHAUSTED`.
    ComplexityExhausted,
    /// HTTP 500 with the legacy flat body.
    Http500,
    /// HTTP 502 with an HTML body (load balancer).
    Http502,
    /// `INTERNAL_SERVER_ERROR` inside an HTTP 200 with `data: null`.
    InternalError,
    /// The cursor of this request has expired (`CursorException`).
    CursorExpired,
    /// HTTP 429 `DAILY_LIMIT_EXCEEDED`.
    DailyLimit,
}

/// Which faults to inject, and how often. `Default` injects nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Seed of the per-request draws.
    pub seed: u64,
    /// Fraction of requests answered with a 429 rate-limit error.
    pub rate_limit: f64,
    /// The wait those 429s ask for (`Retry-After`, `retry_in_seconds`); `None` = 30 seconds.
    pub rate_limit_retry_seconds: Option<u64>,
    /// Fraction answered with a legacy HTTP 500.
    pub http_500: f64,
    /// Fraction answered with `INTERNAL_SERVER_ERROR` inside an HTTP 200.
    pub internal_error: f64,
    /// Fraction of cursor-using requests answered with an expired-cursor error.
    pub cursor_expired: f64,
    /// Every request fails with `DAILY_LIMIT_EXCEEDED` while set.
    pub daily_limit_exceeded: bool,
    /// Daily call cap (real: 1,000 / 10,000 / 25,000 by plan); calls beyond it fail with
    /// `DAILY_LIMIT_EXCEEDED` until the counters are reset. `None` = unlimited.
    pub daily_call_limit: Option<u64>,
    /// Real per-minute request limit (429 above it); `None` = unlimited.
    pub requests_per_minute: Option<u32>,
    /// Faults forced on the next requests, in order, before any random draw.
    pub script: Vec<FaultKind>,
    /// Requesting `state` inside a nested `subitems` selection fails the whole request with
    /// `INTERNAL_SERVER_ERROR`, as Estuary observed (spec §2.4); `items(ids:)` still works.
    pub subitem_state_errors: bool,
    /// Board ids the token may not read: root `boards` lists them as `null` entries with a
    /// `USER_UNAUTHORIZED` error at their path (partial data).
    pub unauthorized_boards: Vec<String>,
}

impl Faults {
    /// No faults at all.
    pub fn none() -> Self {
        Faults::default()
    }

    /// The fault (if any) for request number `n`; `uses_cursor` tells whether the request
    /// passes a cursor. Consumes a matching `script` entry.
    pub fn draw(&mut self, n: u64, uses_cursor: bool) -> Option<FaultKind> {
        if self.daily_limit_exceeded {
            return Some(FaultKind::DailyLimit);
        }
        if let Some(pos) = self
            .script
            .iter()
            .position(|f| *f != FaultKind::CursorExpired || uses_cursor)
        {
            return Some(self.script.remove(pos));
        }
        let mut u = unit(self.seed, n);
        for (p, kind) in [
            (self.rate_limit, FaultKind::RateLimit),
            (self.http_500, FaultKind::Http500),
            (self.internal_error, FaultKind::InternalError),
            (
                if uses_cursor {
                    self.cursor_expired
                } else {
                    0.0
                },
                FaultKind::CursorExpired,
            ),
        ] {
            if u < p {
                return Some(kind);
            }
            u -= p;
        }
        None
    }
}

/// A deterministic draw in `[0, 1)` for (`seed`, `n`).
fn unit(seed: u64, n: u64) -> f64 {
    let mut z = seed
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(n.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_deterministic_and_near_the_fraction() {
        let f = Faults {
            seed: 3,
            http_500: 0.2,
            ..Faults::default()
        };
        let hits = |mut f: Faults| (0..1000).filter(|n| f.draw(*n, false).is_some()).count();
        let (a, b) = (hits(f.clone()), hits(f));
        assert_eq!(a, b);
        assert!((150..250).contains(&a), "{a}");
    }

    #[test]
    fn cursor_expiry_script_waits_for_a_cursor_request() {
        let mut f = Faults {
            script: vec![FaultKind::CursorExpired, FaultKind::Http500],
            ..Faults::default()
        };
        assert_eq!(f.draw(0, false), Some(FaultKind::Http500));
        assert_eq!(f.draw(1, false), None);
        assert_eq!(f.draw(2, true), Some(FaultKind::CursorExpired));
    }
}
