//! `trove serve`: the HTTP search API and the search page, on axum.
//!
//! [`serve`] opens the store and the index of a data folder into an [`AppState`]
//! ([`state`]), starts [`state::follow_index`] (new commits and generation swaps made by other
//! processes become visible within about [`state::RELOAD_EVERY`]), optionally a periodic sync
//! ([`periodic`]), and serves the [`routes`] until SIGINT or SIGTERM, finishing requests in
//! flight. Errors map to statuses and codes in one table ([`errors`]); counters and gauges are
//! exposed in Prometheus format ([`metrics`]); the page is one self-contained HTML file
//! ([`page`]). Connections are served by [`conn`], which bounds them (count, header-read and
//! idle timeout, head size), since `axum::serve` sets none of these.
//!
//! The Model Context Protocol's Streamable HTTP transport is mounted at `/mcp` ([`crate::mcp`]).
//!
//! Binding anything but a loopback address requires an API key; with a key, every endpoint but
//! `/`, `/health` and the page's assets (so `/mcp` too) requires `Authorization: Bearer <key>`.

pub mod cluster;
pub mod conn;
pub mod errors;
pub mod head_errors;
pub mod metrics;
pub mod page;
pub mod periodic;
pub mod routes;
pub mod state;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio_util::sync::CancellationToken;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::secret::Secret;
pub use errors::ApiError;
pub use state::AppState;

/// Largest request body accepted (every endpoint is a GET).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Longest a whole request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Configuration file for `sync_every` (see [`crate::config::Config::load`]).
    pub config: Option<PathBuf>,
    /// Required as `Authorization: Bearer <key>` when set.
    pub api_key: Option<Secret>,
    /// Sync every configured source this often, inside the server.
    pub sync_every: Option<Duration>,
    /// The `[typesense]` cluster: lag and health in `/status` and `/metrics`, and the search
    /// engine when `search` is set.
    pub cluster: Option<cluster::ClusterServe>,
    /// Sentence-embedding model folder; `None`: keyword search only.
    pub model_dir: Option<PathBuf>,
    /// How long a request's search or store lookup may run ([`routes::WORK_TIMEOUT`] unless
    /// `serve --query-timeout` says otherwise).
    pub query_timeout: Duration,
}

impl ServeOptions {
    /// Refuses to expose an unauthenticated index beyond this machine.
    pub fn check(&self) -> anyhow::Result<()> {
        if !self.addr.ip().is_loopback() && self.api_key.is_none() {
            anyhow::bail!(
                "refusing to listen on {} without an API key: pass --api-key-env NAME \
                 (NAME is an environment variable holding the key), or bind 127.0.0.1",
                self.addr
            );
        }
        if self.api_key.as_ref().is_some_and(|k| k.is_empty()) {
            anyhow::bail!("the API key is empty: set the environment variable --api-key-env names");
        }
        Ok(())
    }
}

/// The async runtime to serve on: one async thread per 4 cores, at least one. The async side
/// only reads requests, routes them and writes answers; searches run on their own pool and
/// store lookups on the blocking one. On a small machine, a second async thread only adds
/// thread wake-ups between cores to each request (each costs tens of microseconds in a VM):
/// on 2 cores, one async thread took the query mix's p50 over HTTP from 0.487–0.500 to
/// 0.476–0.483 ms (`trove bench --query --docs 100000 --body-words 50-80`).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads((cores / 4).max(1))
        .thread_name("trove-http")
        .enable_all()
        .build()
}

/// Binds `opts.addr` and serves until SIGINT or SIGTERM.
pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    opts.check()?;
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .with_context(|| format!("cannot listen on {}", opts.addr))?;
    serve_on(listener, opts, shutdown_signal()).await
}

/// Serves on an already bound listener until `shutdown` completes (used by benchmarks).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    opts: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    opts.check()?;
    let cluster = opts
        .cluster
        .as_ref()
        .map(cluster::ClusterHandle::new)
        .transpose()?;
    let state = AppState::open(
        &opts.data_dir,
        opts.api_key.clone(),
        opts.model_dir.clone(),
        cluster,
        opts.query_timeout,
    )
    .await?;
    state::embed_in_background(Arc::clone(&state));
    if let Some(every) = opts.sync_every {
        periodic::start(Arc::clone(&state), opts.config.clone(), every)?;
    }
    let addr = listener.local_addr()?;
    tracing::info!(%addr, data_dir = %opts.data_dir.display(), auth = opts.api_key.is_some(), "serving");
    eprintln!("trove serve: listening on http://{addr} (MCP at /mcp)");
    // Open MCP sessions hold event streams; ending them lets the graceful shutdown finish.
    let stop = CancellationToken::new();
    let app = router(state, !addr.ip().is_loopback(), stop.clone());
    let shutdown = async move {
        shutdown.await;
        stop.cancel();
    };
    conn::serve_connections(listener, app, conn::Limits::default(), shutdown).await;
    tracing::info!("server stopped");
    Ok(())
}

/// The routes and their middleware. `public` (listening beyond loopback) lets MCP requests
/// carry any `Host` (the API key guards them); cancelling `stop` ends the MCP sessions.
pub fn router(state: Arc<AppState>, public: bool, stop: CancellationToken) -> Router {
    let mcp = crate::mcp::http_service(Arc::clone(&state), public, stop);
    Router::new()
        .route("/", get(routes::page))
        .route("/search", get(routes::search))
        .route("/documents/{id}", get(routes::document))
        .route("/health", get(routes::health))
        .route("/status", get(routes::status))
        .route("/metrics", get(routes::metrics))
        .nest_service("/mcp", mcp)
        .fallback(routes::not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            authorize,
        ))
        .layer(middleware::from_fn(log_request))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        // Outermost, so it sees every rejection the layers above and axum itself produce.
        .layer(middleware::from_fn(errors::json_errors))
        .with_state(state)
}

/// Checks the bearer key (when one is configured) on everything but the page and `/health`.
async fn authorize(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let Some(key) = &state.api_key else {
        return next.run(req).await;
    };
    let path = req.uri().path();
    if path == "/" || path == "/health" {
        return next.run(req).await;
    }
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if constant_time_eq(given.trim().as_bytes(), key.expose().as_bytes()) {
        next.run(req).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}

/// Compares without stopping at the first difference (no timing hint about the key).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i % b.len().max(1)).copied().unwrap_or(0));
    }
    diff == 0
}

/// One structured line per request: method, path, status, latency. Never headers (the API key
/// travels in one) and never the query string (it is logged by length only).
async fn log_request(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query_len = req.uri().query().map_or(0, str::len);
    let resp = next.run(req).await;
    tracing::info!(
        %method,
        path = %path,
        query_len,
        status = resp.status().as_u16(),
        ms = start.elapsed().as_secs_f64() * 1e3,
        "request"
    );
    resp
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(addr: &str, key: Option<&str>) -> ServeOptions {
        ServeOptions {
            addr: addr.parse().unwrap(),
            data_dir: PathBuf::from("x"),
            config: None,
            api_key: key.map(Secret::new),
            sync_every: None,
            cluster: None,
            model_dir: None,
            query_timeout: routes::WORK_TIMEOUT,
        }
    }

    #[test]
    fn public_address_needs_a_key() {
        assert!(opts("127.0.0.1:7700", None).check().is_ok());
        assert!(opts("[::1]:7700", None).check().is_ok());
        let e = opts("0.0.0.0:7700", None).check().unwrap_err();
        assert!(e.to_string().contains("--api-key-env"), "{e}");
        assert!(opts("0.0.0.0:7700", Some("k3y-value")).check().is_ok());
        assert!(opts("0.0.0.0:7700", Some("  ")).check().is_err());
    }

    #[test]
    fn key_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abd", b"abc"));
        assert!(!constant_time_eq(b"ab", b"abc"));
        assert!(!constant_time_eq(b"", b"abc"));
        assert!(!constant_time_eq(b"abcabc", b"abc"));
    }
}
