//! File to text: the text of an attached file (PDF, plain text, Markdown, CSV), or the reason
//! there is none ([`Unreadable`]: over a limit, encrypted, corrupt, unsupported).
//!
//! Attachments come from anyone who can upload a file, so [`extract`] treats every file as
//! hostile: it checks the size limit first, runs the parser on its own thread under
//! `catch_unwind` (a parser panic becomes [`Unreadable::Crashed`]) and waits at most
//! [`Limits::timeout`] for it ([`Unreadable::TimedOut`]; the stuck thread is abandoned and
//! dies with the process). PDFs are read with `pdf-extract` (on `lopdf`), and a PDF with more
//! pages than [`Limits::max_pdf_pages`] is not parsed at all. Pure otherwise: no I/O.

mod pdf;
mod text;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

/// Default largest file downloaded and read, in MiB.
pub const DEFAULT_MAX_FILE_MB: u64 = 20;
/// Default largest PDF read, in pages.
pub const DEFAULT_MAX_PDF_PAGES: u32 = 500;
/// Default time one file's extraction may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Bounds on what is downloaded and read (`[attachments]` in `trove.toml`).
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Files larger than this many bytes are neither downloaded nor read.
    pub max_bytes: u64,
    /// PDFs with more pages than this are not read.
    pub max_pdf_pages: u32,
    /// Longest time one file's extraction may take.
    pub timeout: Duration,
    /// `false` turns attachment download off (`[attachments] enabled = false`).
    pub enabled: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_FILE_MB * 1024 * 1024,
            max_pdf_pages: DEFAULT_MAX_PDF_PAGES,
            timeout: DEFAULT_TIMEOUT,
            enabled: true,
        }
    }
}

/// The file formats trove reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Text,
    Markdown,
    Csv,
}

/// Why a file has no text. The Display is the reason `status --skipped` shows.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unreadable {
    #[error("{size} bytes is over the {limit}-byte limit ([attachments] max_file_mb)")]
    TooLarge { size: u64, limit: u64 },
    #[error("{pages} pages is over the {limit}-page limit ([attachments] max_pdf_pages)")]
    TooManyPages { pages: usize, limit: u32 },
    #[error("the PDF is encrypted (password protected)")]
    Encrypted,
    #[error("unsupported file type `{0}` (trove reads PDF, text, Markdown and CSV)")]
    Unsupported(String),
    #[error("unreadable: {0}")]
    Corrupt(String),
    #[error("the reader crashed on this file")]
    Crashed,
    #[error("reading took longer than {0} s")]
    TimedOut(u64),
}

/// The format of a file, from its name's extension, else its content type, else its first
/// bytes (`%PDF-`). `None` when trove does not read it.
pub fn format_of(name: &str, content_type: Option<&str>, bytes: &[u8]) -> Option<Format> {
    let ext = extension(name);
    let by_ext = match ext.as_str() {
        "pdf" => Some(Format::Pdf),
        "txt" | "text" | "log" => Some(Format::Text),
        "md" | "markdown" => Some(Format::Markdown),
        "csv" => Some(Format::Csv),
        _ => None,
    };
    let mime = content_type
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let by_mime = match mime.as_str() {
        "application/pdf" => Some(Format::Pdf),
        "text/plain" => Some(Format::Text),
        "text/markdown" => Some(Format::Markdown),
        "text/csv" => Some(Format::Csv),
        _ => None,
    };
    by_ext
        .or(by_mime)
        .or_else(|| bytes.starts_with(b"%PDF-").then_some(Format::Pdf))
}

/// Whether a file named `name` is worth downloading: a type trove reads, or no extension (the
/// content decides). Images, office documents and the like are left alone, not skipped.
pub fn wanted(name: &str) -> bool {
    let ext = extension(name);
    ext.is_empty() || format_of(name, None, b"").is_some()
}

/// Lowercased extension of a file name (`""` when none).
pub fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The text of a file, bounded by `limits` (see the module docs). Blocks the calling thread
/// for at most `limits.timeout`.
pub fn extract(
    name: &str,
    content_type: Option<&str>,
    bytes: Vec<u8>,
    limits: &Limits,
) -> Result<String, Unreadable> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(Unreadable::TooLarge {
            size: bytes.len() as u64,
            limit: limits.max_bytes,
        });
    }
    let format = format_of(name, content_type, &bytes).ok_or_else(|| {
        let ext = extension(name);
        Unreadable::Unsupported(if ext.is_empty() { name.to_owned() } else { ext })
    })?;
    let max_pages = limits.max_pdf_pages;
    bounded(limits.timeout, move || match format {
        Format::Pdf => pdf::text(&bytes, max_pages),
        Format::Csv => text::csv(&bytes),
        Format::Text | Format::Markdown => text::plain(&bytes),
    })
}

/// Runs `f` on its own thread, turning a panic into [`Unreadable::Crashed`] and a run past
/// `timeout` into [`Unreadable::TimedOut`].
fn bounded<F>(timeout: Duration, f: F) -> Result<String, Unreadable>
where
    F: FnOnce() -> Result<String, Unreadable> + Send + 'static,
{
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("trove-extract".into())
        .spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(f)).unwrap_or(Err(Unreadable::Crashed));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Err(Unreadable::Corrupt(format!(
            "cannot start a reader thread: {e}"
        )));
    }
    rx.recv_timeout(timeout)
        .unwrap_or(Err(Unreadable::TimedOut(timeout.as_secs())))
}

#[cfg(test)]
mod tests;
