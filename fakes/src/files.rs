//! Attached files, served by both fakes the way S3 serves Notion's and monday.com's uploads:
//! pre-signed links (`X-Amz-Date`, `X-Amz-Expires`, `X-Amz-Signature`) that expire, answered
//! 403 `Request has expired` once past their time, and 400 when a request also carries an
//! `Authorization` header (S3's "Only one auth mechanism allowed": an integration token must
//! never go with a download).
//!
//! The workspace models hold a file's [`placeholder`] (`fakefile:<key>`) where the API puts a
//! URL; [`sign_json`] swaps every placeholder in a response for a fresh signed link on the
//! server's own address (the API host doubles as the storage host). A file's [`Behaviour`] can
//! make its first link already expired, redirect within the host, or redirect to a foreign
//! host (`localhost` instead of `127.0.0.1`), which a client must refuse to follow.
//!
//! [`pdf`] and [`encrypted_pdf`] write real PDFs with `lopdf`, so the fakes need no binary
//! fixtures.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Prefix of a file placeholder in the model JSON.
pub const PLACEHOLDER: &str = "fakefile:";
/// Route prefix of downloads (outside the API gate: S3 does not know the integration).
pub const ROUTE: &str = "/__fake/files";
/// Route prefix of the storage leg a same-host redirect leads to.
pub const STORAGE_ROUTE: &str = "/__fake/storage";
/// Lifetime of a signed link, as Notion's (`X-Amz-Expires=3600`).
pub const EXPIRES_SECS: i64 = 3600;
const DATE_FORMAT: &str = "%Y%m%dT%H%M%SZ";

/// What the placeholder of file `key` looks like in the model.
pub fn placeholder(key: &str) -> String {
    format!("{PLACEHOLDER}{key}")
}

/// How a file's links behave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Behaviour {
    #[default]
    Plain,
    /// The first link handed out is two hours old (a crawl that took too long); later ones
    /// are fresh.
    ExpireFirstUrl,
    /// Redirects (307) to another path on the same host, which serves it.
    SameHostRedirect,
    /// Redirects (302) to the same path on `localhost`, a host the API never named.
    ForeignRedirect,
}

/// One stored file.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Arc<Vec<u8>>,
    pub behaviour: Behaviour,
}

impl FakeFile {
    pub fn new(name: &str, content_type: &str, bytes: Vec<u8>) -> FakeFile {
        FakeFile {
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            bytes: Arc::new(bytes),
            behaviour: Behaviour::Plain,
        }
    }

    pub fn with(mut self, behaviour: Behaviour) -> FakeFile {
        self.behaviour = behaviour;
        self
    }
}

/// The files of a workspace, by key.
pub type Files = BTreeMap<String, FakeFile>;

/// What the file host saw (for tests).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FileStats {
    /// Signed links handed out, per key.
    pub issued: BTreeMap<String, u64>,
    /// Download requests, per key (redirect hops included).
    pub downloads: BTreeMap<String, u64>,
    /// Requests answered 403 because the link had expired.
    pub expired: u64,
    /// Requests that carried an `Authorization` header (answered 400).
    pub with_authorization: u64,
    /// Requests that reached the host by the foreign name (`localhost`).
    pub foreign_host: u64,
}

/// Replaces every placeholder string in `v` with a signed link on `base` (`http://host:port`).
pub fn sign_json(v: &mut Value, base: &str, files: &Files, stats: &mut FileStats) {
    match v {
        Value::String(s) => {
            if let Some(key) = s.strip_prefix(PLACEHOLDER) {
                if let Some(f) = files.get(key) {
                    let key = key.to_owned();
                    *s = signed_url(base, &key, f, stats);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| sign_json(x, base, files, stats)),
        Value::Object(o) => o
            .values_mut()
            .for_each(|x| sign_json(x, base, files, stats)),
        _ => {}
    }
}

/// `http://<Host header>`: the base the client used, for links on the same host.
pub fn base_of(headers: &HeaderMap) -> String {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// Rewrites a JSON response that holds placeholders with `sign` (other responses pass as
/// they are).
pub async fn rewrite(resp: Response, sign: impl FnOnce(&mut Value)) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let needle = PLACEHOLDER.as_bytes();
    if !bytes.windows(needle.len()).any(|w| w == needle) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    sign(&mut v);
    parts.headers.remove("content-length");
    Response::from_parts(parts, Body::from(v.to_string()))
}

/// The `expiry_time` Notion puts next to a link issued now.
pub fn expiry_time() -> String {
    (Utc::now() + Duration::seconds(EXPIRES_SECS))
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn signed_url(base: &str, key: &str, f: &FakeFile, stats: &mut FileStats) -> String {
    let n = stats.issued.entry(key.to_owned()).or_default();
    *n += 1;
    let mut date = Utc::now();
    if f.behaviour == Behaviour::ExpireFirstUrl && *n == 1 {
        date -= Duration::hours(2);
    }
    let date = date.format(DATE_FORMAT).to_string();
    format!(
        "{base}{ROUTE}/{key}/{}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}&X-Amz-Expires={EXPIRES_SECS}&X-Amz-Signature={}",
        encode(&f.name),
        signature(key, &date)
    )
}

fn encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// FNV-1a over key and date: stands in for S3's HMAC (only the fake checks it).
fn signature(key: &str, date: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes().chain([b'|']).chain(date.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A download request, as the route handler hands it over.
pub struct Download<'a> {
    pub key: &'a str,
    pub query: &'a HashMap<String, String>,
    pub headers: &'a HeaderMap,
    /// Already redirected within the host (the storage leg).
    pub redirected: bool,
}

/// Answers one download request like S3 (see the module docs).
pub fn serve(files: &Files, stats: &mut FileStats, req: Download<'_>) -> Response {
    *stats.downloads.entry(req.key.to_owned()).or_default() += 1;
    let host = req
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if host.starts_with("localhost") {
        stats.foreign_host += 1;
    }
    if req.headers.contains_key("authorization") {
        stats.with_authorization += 1;
        return s3_error(StatusCode::BAD_REQUEST, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified");
    }
    let Some(f) = files.get(req.key) else {
        return s3_error(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        );
    };
    let q = |k: &str| req.query.get(k).map(String::as_str).unwrap_or("");
    let date = q("X-Amz-Date");
    if q("X-Amz-Signature") != signature(req.key, date) {
        return s3_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    let issued = NaiveDateTime::parse_from_str(date, DATE_FORMAT).map(|d| d.and_utc());
    let expires: i64 = q("X-Amz-Expires").parse().unwrap_or(0);
    if issued.is_ok_and(|t: DateTime<Utc>| t + Duration::seconds(expires) < Utc::now()) {
        stats.expired += 1;
        return s3_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    }
    let query: String = req
        .query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    match (f.behaviour, req.redirected) {
        (Behaviour::SameHostRedirect, false) => redirect(
            StatusCode::TEMPORARY_REDIRECT,
            format!("{STORAGE_ROUTE}/{}?{query}", req.key),
        ),
        (Behaviour::ForeignRedirect, _) if !host.starts_with("localhost") => {
            let port = host.rsplit_once(':').map(|(_, p)| p).unwrap_or("80");
            redirect(
                StatusCode::FOUND,
                format!(
                    "http://localhost:{port}{ROUTE}/{}/{}?{query}",
                    req.key,
                    encode(&f.name)
                ),
            )
        }
        _ => (
            [("content-type", f.content_type.clone())],
            f.bytes.as_ref().clone(),
        )
            .into_response(),
    }
}

fn redirect(status: StatusCode, location: String) -> Response {
    (status, [("location", location)]).into_response()
}

fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    (status, [("content-type", "application/xml")], body).into_response()
}

/// A PDF with one page per entry of `pages`, each holding that text (Courier, ASCII).
pub fn pdf(pages: &[&str]) -> Vec<u8> {
    let mut doc = pdf_doc(pages);
    save(&mut doc)
}

/// A one-page PDF holding `text`, encrypted (RC4, 128-bit) with user password `password`.
pub fn encrypted_pdf(text: &str, password: &str) -> Vec<u8> {
    use lopdf::{EncryptionState, EncryptionVersion, Permissions};
    let mut doc = pdf_doc(&[text]);
    // The file key is derived from the trailer's first ID string.
    let id = lopdf::Object::string_literal(b"trove-fake-pdf-id".to_vec());
    doc.trailer.set("ID", vec![id.clone(), id]);
    let version = EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: password,
        key_length: 128,
        permissions: Permissions::all(),
    };
    match EncryptionState::try_from(version) {
        Ok(state) => {
            if let Err(e) = doc.encrypt(&state) {
                tracing::warn!(error = %e, "fake: cannot encrypt the PDF");
            }
        }
        Err(e) => tracing::warn!(error = %e, "fake: cannot set up PDF encryption"),
    }
    save(&mut doc)
}

fn pdf_doc(pages: &[&str]) -> lopdf::Document {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids: Vec<Object> = Vec::new();
    for text in pages {
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("TL", vec![14.into()]),
            Operation::new("Td", vec![50.into(), 780.into()]),
        ];
        for line in text.lines() {
            ops.push(Operation::new("Tj", vec![Object::string_literal(line)]));
            ops.push(Operation::new("T*", vec![]));
        }
        ops.push(Operation::new("ET", vec![]));
        let bytes = Content { operations: ops }.encode().unwrap_or_default();
        let content_id = doc.add_object(Stream::new(dictionary! {}, bytes));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc
}

fn save(doc: &mut lopdf::Document) -> Vec<u8> {
    let mut out = Vec::new();
    if let Err(e) = doc.save_to(&mut out) {
        tracing::warn!(error = %e, "fake: cannot write the PDF");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdfs_are_real_pdfs() {
        let p = pdf(&["hello", "world"]);
        assert!(p.starts_with(b"%PDF-1.5"));
        let doc = lopdf::Document::load_mem(&p).expect("loads");
        assert_eq!(doc.get_pages().len(), 2);
        let e = encrypted_pdf("secret text", "pw");
        assert!(lopdf::Document::load_mem(&e).map_or(true, |d| d.is_encrypted()));
    }

    #[test]
    fn placeholders_become_signed_links() {
        let mut files = Files::new();
        files.insert(
            "k1".into(),
            FakeFile::new("a b.txt", "text/plain", b"x".to_vec()),
        );
        let mut stats = FileStats::default();
        let mut v =
            serde_json::json!({"file": {"url": placeholder("k1")}, "other": "fakefile:none"});
        sign_json(&mut v, "http://127.0.0.1:9", &files, &mut stats);
        let url = v["file"]["url"].as_str().unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:9/__fake/files/k1/a%20b.txt?"),
            "{url}"
        );
        assert!(url.contains("X-Amz-Expires=3600"), "{url}");
        assert_eq!(v["other"], "fakefile:none");
        assert_eq!(stats.issued["k1"], 1);
    }
}
