//! HTTP plumbing shared by the connectors: a [`RateLimiter`] that paces requests to an average
//! rate, [`Backoff`] (bounded exponential backoff with full jitter), [`RetryBudget`] (the
//! bound on one request's retries in time), [`http_client`], and [`describe`], which says
//! "timed out" when a request timed out (reqwest's own text only says "error sending request").
//!
//! Deciding *whether* to retry is each connector's job (their error models differ); this module
//! only decides *how long* to wait.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Paces requests so that, on average, no more than `per_second` start each second.
///
/// A simple token bucket with a burst of one second's worth of requests; `per_second = 0`
/// disables pacing. Shared by all tasks of one source.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    state: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
    /// Until when everyone must wait (set by a server `Retry-After`).
    paused_until: Option<Instant>,
}

impl RateLimiter {
    pub fn new(per_second: f64) -> Self {
        RateLimiter {
            per_second,
            state: Mutex::new(Bucket {
                tokens: per_second.max(1.0),
                last: Instant::now(),
                paused_until: None,
            }),
        }
    }

    /// Waits until a request may start.
    pub async fn acquire(&self) {
        loop {
            let wait = self.try_take(Instant::now());
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// Makes every caller wait `d` (the server said `Retry-After`).
    pub fn pause(&self, d: Duration) {
        let mut b = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let until = Instant::now() + d;
        if b.paused_until.is_none_or(|p| p < until) {
            b.paused_until = Some(until);
        }
    }

    fn try_take(&self, now: Instant) -> Option<Duration> {
        let mut b = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = b.paused_until {
            if until > now {
                return Some(until - now);
            }
            b.paused_until = None;
        }
        if self.per_second <= 0.0 {
            return None;
        }
        let burst = self.per_second.max(1.0);
        let elapsed = now.saturating_duration_since(b.last).as_secs_f64();
        b.tokens = (b.tokens + elapsed * self.per_second).min(burst);
        b.last = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64((1.0 - b.tokens) / self.per_second))
        }
    }
}

/// Bounded exponential backoff with full jitter: attempt `n` waits a random time in
/// `[0, min(cap, base·2ⁿ)]`, and gives up after `max_attempts`.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    pub max_attempts: u32,
    rng: u64,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration, max_attempts: u32) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Backoff {
            base,
            cap,
            max_attempts,
            rng: seed | 1,
        }
    }

    /// The wait before retry number `attempt` (0-based), or `None` when retries are used up.
    pub fn delay(&mut self, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let exp = self.base.as_secs_f64() * 2f64.powi(attempt.min(30) as i32);
        let ceiling = exp.min(self.cap.as_secs_f64());
        Some(Duration::from_secs_f64(ceiling * self.next_unit()))
    }

    /// xorshift64*: jitter needs no cryptographic quality.
    fn next_unit(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let x = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_millis(250), Duration::from_secs(30), 6)
    }
}

/// Parses a `Retry-After` header value given in seconds (what Notion and monday send).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    let v = value?.trim();
    v.parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(3600.0)))
}

/// The HTTP client both connectors use: rustls, timeouts, a trove user agent.
pub fn http_client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("trove/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(timeout)
        .build()
}

/// What went wrong with a request, for messages: "timed out after 60s without an answer" for a
/// timeout, otherwise reqwest's text followed by its causes ("connection refused").
pub fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {}s without an answer", fmt_secs(timeout));
    }
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text = format!("{text}: {s}");
        }
        cause = c.source();
    }
    text
}

fn fmt_secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

/// The time one request may take in all, retries and waits included.
#[derive(Debug, Clone, Copy)]
pub struct RetryBudget {
    start: Instant,
    limit: Duration,
}

impl RetryBudget {
    pub fn start(limit: Duration) -> Self {
        RetryBudget {
            start: Instant::now(),
            limit,
        }
    }

    /// Whether waiting `wait` and trying once more still fits.
    pub fn allows(&self, wait: Duration) -> bool {
        self.start.elapsed() + wait < self.limit
    }

    /// A note for the final error: "gave up after 12.0s of retries (retry_budget_secs = 10)".
    pub fn exhausted(&self) -> String {
        format!(
            "gave up after {:.1}s of retries (retry_budget_secs = {})",
            self.start.elapsed().as_secs_f64(),
            fmt_secs(self.limit)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_stops() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1), 3);
        for a in 0..3 {
            let d = b.delay(a).unwrap();
            assert!(d <= Duration::from_secs(1));
        }
        assert!(b.delay(3).is_none());
    }

    #[test]
    fn limiter_paces_after_burst() {
        let l = RateLimiter::new(2.0);
        let now = Instant::now();
        assert!(l.try_take(now).is_none());
        assert!(l.try_take(now).is_none());
        let wait = l.try_take(now).unwrap();
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
    }

    #[test]
    fn limiter_zero_is_off_but_honours_pause() {
        let l = RateLimiter::new(0.0);
        for _ in 0..100 {
            assert!(l.try_take(Instant::now()).is_none());
        }
        l.pause(Duration::from_secs(5));
        assert!(l.try_take(Instant::now()).is_some());
    }

    #[test]
    fn retry_after_parses_seconds() {
        assert_eq!(parse_retry_after(Some("30")), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after(Some("soon")), None);
        assert_eq!(parse_retry_after(None), None);
    }

    /// A loopback server that accepts connections and never answers; returns its base URL.
    async fn silent_server() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((sock, _)) = listener.accept().await {
                held.push(sock); // read nothing, answer nothing, close nothing
            }
        });
        format!("http://{addr}")
    }

    fn source(kind: &str, url: &str) -> crate::config::SourceConfig {
        let key = if kind == "notion" {
            "token"
        } else {
            "auth_token"
        };
        let text = format!(
            "[[sources]]\nname = \"s\"\nkind = \"{kind}\"\n{key} = \"tok\"\napi_url = \"{url}\"\n\
             requests_per_second = 0\nrequest_timeout_secs = 0.3\nretry_budget_secs = 1.5\n"
        );
        let cfg = crate::config::Config::parse(&text, &|_| None).unwrap();
        cfg.sources.into_iter().next().unwrap()
    }

    /// Before: ~7 minutes of 60 s timeouts and retries, ending in "error sending request".
    #[tokio::test]
    async fn server_that_never_answers_stalls_a_sync_and_says_error_sending_request() {
        let url = silent_server().await;
        let start = Instant::now();
        let cfg = source("notion", &url);
        let backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(200), 50);
        let client = crate::connectors::notion::client::Client::new(
            &cfg,
            &crate::connectors::NoProgress,
            backoff,
        )
        .unwrap();
        let err = match client.get("users/me", &[]).await {
            Err(crate::connectors::notion::errors::Failure::Abort(e)) => e.to_string(),
            other => panic!("expected an abort, got {:?}", other.map(|_| ())),
        };
        assert!(err.contains("timed out after 0.3s"), "{err}");
        assert!(err.contains("retry_budget_secs = 1.5"), "{err}");
        assert!(client.requests() >= 2, "it retried");
        // Bounded by the budget (1.5 s) plus one last timeout, with room for a slow machine.
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );

        let start = Instant::now();
        let cfg = source("monday", &url);
        let client = crate::connectors::monday::client::Client::new(
            &cfg,
            crate::connectors::monday::Tuning::default(),
        )
        .unwrap();
        let failure = client
            .query(
                "query { me { id } }",
                serde_json::json!({}),
                &crate::connectors::NoProgress,
            )
            .await
            .unwrap_err();
        let err = failure.into_connector_error(&cfg.token).to_string();
        assert!(err.contains("timed out after 0.3s"), "{err}");
        assert!(err.contains("retry_budget_secs = 1.5"), "{err}");
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );
    }
}
