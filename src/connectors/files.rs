//! Downloading attached files for both connectors, and turning them into [`Attachment`]s.
//!
//! Rules (issue 12): a file is fetched only from the URL the API returned; redirects are
//! followed by hand, at most [`MAX_REDIRECTS`], and only to the first URL's own host or to a
//! storage host (S3, `*.amazonaws.com`, where Notion and monday.com keep uploads), never from
//! https down to http. The download client is its own `reqwest::Client` with no default
//! headers, so the integration token (or any `Authorization` header) never goes with a file.
//! A file larger than the size limit is refused from its `Content-Length` (or while
//! streaming, when the header lies or is missing). A link that expired (the storage host
//! answers 400/403 with an expiry error) is reported as [`Got::Expired`], so the connector can
//! re-read the block for a fresh link and retry once. Every other failure becomes the file's
//! skip reason, never a failed sync. Text comes from [`crate::extract`] on a blocking thread.

use std::time::Duration;

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, LOCATION};
use reqwest::{redirect, Url};

use crate::connectors::{ConnectorError, Skip};
use crate::extract::{extract, Limits, Unreadable};
use crate::ingest::Attachment;

/// Redirect hops followed at most.
pub const MAX_REDIRECTS: usize = 5;
/// Bytes of an error body read to look for an expiry message.
const ERROR_BODY_MAX: usize = 4096;

/// A file an API response points to.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRef {
    /// Identity without the expiring part of the URL (see [`Attachment::key`]).
    pub key: String,
    pub name: String,
    /// The URL exactly as the API returned it.
    pub url: String,
    /// Size in bytes when the API says (monday.com assets do).
    pub size: Option<u64>,
}

impl FileRef {
    /// The attachment entry of this file when it is not read: no text, `why` as the skip reason.
    pub fn skipped(&self, why: &str) -> Attachment {
        attachment(self, Err(why.to_owned()))
    }
}

/// What fetching one file gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Got {
    /// Text, or the reason there is none.
    Done(Attachment),
    /// The link had expired: get a fresh one and try again.
    Expired,
}

/// Why a download failed (the Display is part of a skip reason).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DownloadError {
    #[error("the download link has expired")]
    Expired,
    #[error("not a valid download URL")]
    BadUrl,
    #[error("redirect to {0} refused: files are fetched only from the host the API named and its storage host")]
    Refused(String),
    #[error("more than {MAX_REDIRECTS} redirects")]
    TooManyRedirects,
    #[error("the file host answered HTTP {0}")]
    Status(u16),
    #[error("download failed: {0}")]
    Network(String),
    #[error(transparent)]
    TooLarge(Unreadable),
}

/// Downloads files under [`Limits`] (see the module docs).
#[derive(Debug, Clone)]
pub struct Downloader {
    http: reqwest::Client,
    limits: Limits,
}

impl Downloader {
    pub fn new(limits: Limits) -> Result<Downloader, ConnectorError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("trove/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| ConnectorError::Unreachable(format!("cannot build HTTP client: {e}")))?;
        Ok(Downloader { http, limits })
    }

    /// Whether attachments are downloaded at all (`[attachments] enabled`).
    pub fn enabled(&self) -> bool {
        self.limits.enabled
    }

    /// Downloads and reads one file.
    pub async fn fetch(&self, f: &FileRef) -> Got {
        let skipped = |why: String| Got::Done(attachment(f, Err(why)));
        if let Some(size) = f.size.filter(|s| *s > self.limits.max_bytes) {
            let limit = self.limits.max_bytes;
            return skipped(Unreadable::TooLarge { size, limit }.to_string());
        }
        let (bytes, content_type) = match self.download(&f.url).await {
            Ok(got) => got,
            Err(DownloadError::Expired) => return Got::Expired,
            Err(e) => return skipped(e.to_string()),
        };
        let (name, limits) = (f.name.clone(), self.limits.clone());
        let text = tokio::task::spawn_blocking(move || {
            extract(&name, content_type.as_deref(), bytes, &limits)
        })
        .await
        .unwrap_or(Err(Unreadable::Crashed));
        Got::Done(attachment(f, text.map_err(|e| e.to_string())))
    }

    /// Fetches `url`, following allowed redirects; returns the body and its content type.
    pub async fn download(&self, url: &str) -> Result<(Vec<u8>, Option<String>), DownloadError> {
        let first = Url::parse(url).map_err(|_| DownloadError::BadUrl)?;
        let mut current = first.clone();
        for _ in 0..=MAX_REDIRECTS {
            let resp = self
                .http
                .get(current.clone())
                .send()
                .await
                .map_err(|e| DownloadError::Network(e.without_url().to_string()))?;
            let status = resp.status();
            if status.is_redirection() {
                let next = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| current.join(l).ok())
                    .ok_or(DownloadError::Status(status.as_u16()))?;
                if !allowed(&first, &next) {
                    return Err(DownloadError::Refused(
                        next.host_str().unwrap_or("?").to_owned(),
                    ));
                }
                current = next;
                continue;
            }
            if matches!(status.as_u16(), 400 | 403) {
                return Err(if expired(resp).await {
                    DownloadError::Expired
                } else {
                    DownloadError::Status(status.as_u16())
                });
            }
            if !status.is_success() {
                return Err(DownloadError::Status(status.as_u16()));
            }
            return self.body(resp).await;
        }
        Err(DownloadError::TooManyRedirects)
    }

    /// Reads a body of at most the size limit.
    async fn body(
        &self,
        mut resp: reqwest::Response,
    ) -> Result<(Vec<u8>, Option<String>), DownloadError> {
        let limit = self.limits.max_bytes;
        let too_large = |size| DownloadError::TooLarge(Unreadable::TooLarge { size, limit });
        let declared = resp
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(size) = declared.filter(|s| *s > limit) {
            return Err(too_large(size));
        }
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let mut bytes = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| DownloadError::Network(e.without_url().to_string()))?
        {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > limit {
                return Err(too_large(bytes.len() as u64));
            }
        }
        Ok((bytes, content_type))
    }
}

/// Whether a redirect from a download that started at `first` may go to `next`.
pub fn allowed(first: &Url, next: &Url) -> bool {
    if first.scheme() == "https" && next.scheme() != "https" {
        return false;
    }
    if !matches!(next.scheme(), "http" | "https") {
        return false;
    }
    let same_host = next.host_str() == first.host_str()
        && next.port_or_known_default() == first.port_or_known_default();
    same_host || next.host_str().is_some_and(is_storage_host)
}

/// S3, where both Notion and monday.com store uploaded files.
fn is_storage_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "s3.amazonaws.com" || host.ends_with(".amazonaws.com")
}

/// Whether an error response says the signed link expired (S3: `Request has expired`).
async fn expired(mut resp: reqwest::Response) -> bool {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= ERROR_BODY_MAX {
            break;
        }
    }
    String::from_utf8_lossy(&body)
        .to_ascii_lowercase()
        .contains("expired")
}

fn attachment(f: &FileRef, text: Result<String, String>) -> Attachment {
    let (text, skipped) = match text {
        Ok(t) => (Some(t), None),
        Err(why) => (None, Some(why)),
    };
    Attachment {
        key: f.key.clone(),
        name: f.name.clone(),
        text,
        skipped,
    }
}

/// The skip entries of files without text, and the keys of files read fine (to clear any
/// earlier skip entry of theirs).
pub fn skips(files: &[Attachment]) -> (Vec<Skip>, Vec<String>) {
    let mut skipped = Vec::new();
    let mut fine = Vec::new();
    for f in files {
        match &f.skipped {
            Some(why) => skipped.push(Skip {
                native_id: f.key.clone(),
                what: "attachment".into(),
                reason: format!("{}: {why}", f.name),
            }),
            None => fine.push(f.key.clone()),
        }
    }
    (skipped, fine)
}

/// The identity of a file at `url`: its path, without host and the signed (expiring) query.
pub fn url_key(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => u.path().to_owned(),
        Err(_) => url.split('?').next().unwrap_or(url).to_owned(),
    }
}

#[cfg(test)]
mod tests;
