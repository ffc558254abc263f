//! The connection loop: accepts TCP connections and serves each with hyper's HTTP/1 server,
//! bounded so an unauthenticated client cannot hold the server's resources.
//!
//! [`serve_connections`] admits at most [`MAX_CONNECTIONS`] at once (further clients wait in
//! the kernel's backlog), closes a connection that has not sent a complete request head within
//! [`HEADER_READ_TIMEOUT`] (also between keep-alive requests, so idle connections close), caps
//! request heads at [`MAX_HEADER_BYTES`], and on shutdown lets requests in flight finish. A
//! head hyper rejects by itself still gets the JSON error body ([`super::head_errors`]).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::head_errors::JsonHeadErrors;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 512;
/// Time a connection gets to send a request head, counted from when the server starts
/// waiting for one: a slow sender and an idle keep-alive connection alike are closed after it.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line and headers).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// How long shutdown waits for requests in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The limits of [`serve_connections`] (tests shorten them).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: MAX_CONNECTIONS,
            header_read_timeout: HEADER_READ_TIMEOUT,
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            a = accept(&listener, &slots) => a,
            () = &mut shutdown => break,
        };
        let Some((stream, slot)) = accepted else {
            continue;
        };
        let io = TokioIo::new(JsonHeadErrors::new(stream));
        let conn = builder(&limits).serve_connection(io, TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _slot = slot;
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running at shutdown were cut off");
    }
}

fn builder(limits: &Limits) -> http1::Builder {
    let mut b = http1::Builder::new();
    b.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(100)
        .max_buf_size(MAX_HEADER_BYTES.max(8192));
    b
}

/// Waits for a free connection slot, then for a connection. Accept errors (out of file
/// descriptors, a connection reset before accept) are logged and retried after a pause.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> Option<(tokio::net::TcpStream, tokio::sync::OwnedSemaphorePermit)> {
    let slot = Arc::clone(slots).acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, _peer)) => {
            let _ = stream.set_nodelay(true);
            Some((stream, slot))
        }
        Err(e) => {
            tracing::warn!(error = %e, "accepting a connection failed");
            tokio::time::sleep(Duration::from_millis(100)).await;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    async fn start(limits: Limits) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route("/", get(|| async { "ok" }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(serve_connections(listener, app, limits, async {
            let _ = stopped.await;
        }));
        (addr, stop)
    }

    fn short() -> Limits {
        Limits {
            max_connections: 2,
            header_read_timeout: Duration::from_millis(300),
        }
    }

    /// Reads until the server closes the connection; what it sent.
    async fn read_to_close(s: &mut TcpStream) -> String {
        let mut out = Vec::new();
        let read = s.read_to_end(&mut out);
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .expect("the server never closed the connection")
            .unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn idle_and_slow_connections_stay_open_forever() {
        let (addr, _stop) = start(short()).await;
        // Idle: connects and sends nothing.
        let mut idle = TcpStream::connect(addr).await.unwrap();
        read_to_close(&mut idle).await;
        // Slow: half a request head, never finished.
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        read_to_close(&mut slow).await;
        // Keep-alive: one request answered, then idle until closed.
        let mut kept = TcpStream::connect(addr).await.unwrap();
        kept.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let answer = read_to_close(&mut kept).await;
        assert!(
            answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"),
            "{answer}"
        );
    }

    /// Sends `raw` on a new connection; the status and the JSON error body of the answer.
    async fn answer_to(addr: std::net::SocketAddr, raw: &[u8]) -> (String, serde_json::Value) {
        let mut s = TcpStream::connect(addr).await.unwrap();
        // The server may answer and close before reading everything: ignore write errors.
        let _ = s.write_all(raw).await;
        let answer = read_to_close(&mut s).await;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let json = serde_json::from_str(body)
            .unwrap_or_else(|e| panic!("not a JSON body ({e}): {answer}"));
        (head.lines().next().unwrap_or("").to_owned(), json)
    }

    #[tokio::test]
    async fn oversized_request_line_gets_a_414_with_a_json_body() {
        let (addr, _stop) = start(short()).await;
        let long = format!(
            "GET /?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
            "a".repeat(100_000)
        );
        let (status, body) = answer_to(addr, long.as_bytes()).await;
        assert!(status.starts_with("HTTP/1.1 414"), "{status}");
        assert_eq!(body["error"]["code"], "uri_too_long", "{body}");
        let big_header = format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "b".repeat(MAX_HEADER_BYTES + 10)
        );
        let (status, body) = answer_to(addr, big_header.as_bytes()).await;
        assert!(status.starts_with("HTTP/1.1 431"), "{status}");
        assert_eq!(body["error"]["code"], "head_too_large", "{body}");
        let (status, body) = answer_to(addr, b"NOT HTTP AT ALL\r\n\r\n").await;
        assert!(status.starts_with("HTTP/1.1 400"), "{status}");
        assert_eq!(body["error"]["code"], "malformed_request", "{body}");
    }

    #[tokio::test]
    async fn connections_beyond_the_limit_wait_for_a_slot() {
        let limits = Limits {
            max_connections: 1,
            header_read_timeout: Duration::from_secs(2),
        };
        let (addr, _stop) = start(limits).await;
        let _holder = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut waiting = TcpStream::connect(addr).await.unwrap();
        waiting
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 64];
        let early = tokio::time::timeout(Duration::from_millis(500), waiting.read(&mut buf)).await;
        assert!(early.is_err(), "served beyond the connection limit");
        // The holder is closed by the header timeout; then the waiting one is served.
        let answer = read_to_close(&mut waiting).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}
