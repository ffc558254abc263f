use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::*;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

#[test]
fn redirects_stay_on_the_first_host_or_storage() {
    let first = url("https://prod-files.example.com/a/b.pdf?sig=1");
    assert!(allowed(
        &first,
        &url("https://prod-files.example.com/other")
    ));
    assert!(allowed(
        &first,
        &url("https://prod-files-secure.s3.us-west-2.amazonaws.com/x")
    ));
    assert!(!allowed(&first, &url("https://evil.example.net/x")));
    assert!(!allowed(
        &first,
        &url("https://prod-files.example.com:8443/x")
    ));
    assert!(!allowed(&first, &url("https://amazonaws.com.evil.net/x")));
    assert!(
        !allowed(&first, &url("http://prod-files.example.com/x")),
        "https → http"
    );
    assert!(!allowed(&first, &url("file:///etc/passwd")));
}

#[test]
fn keys_drop_host_and_signature() {
    assert_eq!(
        url_key("https://s3.us-west-2.amazonaws.com/ws/f1/spec.pdf?X-Amz-Signature=abc"),
        "/ws/f1/spec.pdf"
    );
}

/// A file host: counts requests that carry `Authorization`, serves a few paths.
async fn host(State(auth): State<Arc<AtomicU64>>, uri: axum::http::Uri, h: HeaderMap) -> Response {
    if h.contains_key("authorization") {
        auth.fetch_add(1, Ordering::Relaxed);
    }
    let port = h
        .get("host")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit_once(':'))
        .map(|(_, p)| p.to_owned())
        .unwrap_or_default();
    match uri.path() {
        "/ok.txt" => ([("content-type", "text/plain")], "plain words").into_response(),
        "/hop" => (StatusCode::FOUND, [("location", "/ok.txt")]).into_response(),
        "/loop" => (StatusCode::FOUND, [("location", "/loop")]).into_response(),
        "/away" => (
            StatusCode::FOUND,
            [("location", format!("http://localhost:{port}/ok.txt"))],
        )
            .into_response(),
        "/expired" => (
            StatusCode::FORBIDDEN,
            "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        )
            .into_response(),
        "/denied" => (
            StatusCode::FORBIDDEN,
            "<Error><Code>AccessDenied</Code></Error>",
        )
            .into_response(),
        "/big.txt" => "x".repeat(2048).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn serve() -> (String, Arc<AtomicU64>) {
    let auth = Arc::new(AtomicU64::new(0));
    let app = Router::new().fallback(host).with_state(auth.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://127.0.0.1:{}", addr.port()), auth)
}

fn file(base: &str, path: &str) -> FileRef {
    FileRef {
        key: path.into(),
        name: path.trim_start_matches('/').into(),
        url: format!("{base}{path}"),
        size: None,
    }
}

fn downloader(max_bytes: u64) -> Downloader {
    Downloader::new(Limits {
        max_bytes,
        ..Limits::default()
    })
    .unwrap()
}

#[tokio::test]
async fn downloads_follow_same_host_redirects_and_refuse_others() {
    let (base, auth) = serve().await;
    let d = downloader(1024);
    let text = |g: Got| match g {
        Got::Done(a) => (a.text, a.skipped),
        Got::Expired => (None, Some("expired".into())),
    };
    assert_eq!(
        text(d.fetch(&file(&base, "/ok.txt")).await),
        (Some("plain words".into()), None)
    );
    let mut hop = file(&base, "/hop");
    hop.name = "hop.txt".into();
    assert_eq!(text(d.fetch(&hop).await).0.as_deref(), Some("plain words"));
    let (none, why) = text(d.fetch(&file(&base, "/away")).await);
    assert!(none.is_none());
    assert!(why.unwrap().contains("redirect to localhost refused"));
    assert_eq!(
        d.download(&format!("{base}/loop")).await,
        Err(DownloadError::TooManyRedirects)
    );
    assert_eq!(d.fetch(&file(&base, "/expired")).await, Got::Expired);
    assert_eq!(
        d.download(&format!("{base}/denied")).await,
        Err(DownloadError::Status(403))
    );
    let (_, why) = text(d.fetch(&file(&base, "/big.txt")).await);
    assert!(why.unwrap().contains("over the 1024-byte limit"));
    let mut known = file(&base, "/ok.txt");
    known.size = Some(5000);
    let (_, why) = text(d.fetch(&known).await);
    assert!(why.unwrap().contains("5000 bytes"));
    assert_eq!(
        auth.load(Ordering::Relaxed),
        0,
        "no Authorization header on downloads"
    );
}

#[test]
fn skipped_files_become_skip_entries() {
    let files = vec![
        Attachment {
            key: "/k1".into(),
            name: "a.pdf".into(),
            text: None,
            skipped: Some("the PDF is encrypted (password protected)".into()),
        },
        Attachment {
            key: "/k2".into(),
            name: "b.txt".into(),
            text: Some("t".into()),
            skipped: None,
        },
    ];
    let (skipped, fine) = skips(&files);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].native_id, "/k1");
    assert_eq!(skipped[0].what, "attachment");
    assert_eq!(
        skipped[0].reason,
        "a.pdf: the PDF is encrypted (password protected)"
    );
    assert_eq!(fine, vec!["/k2".to_owned()]);
}
