//! The one error story of the library. Every error is a typed `thiserror` enum whose Display
//! words only its own level: a wrapped cause is returned by `source()` and never repeated in
//! the message, so printing the chain once (`{:#}` at the edges, or [`chain`]) shows each
//! cause exactly once. [`Fault`] is the single user/internal classification: the binary maps
//! it to exit codes and `http::errors` to HTTP statuses.

use std::error::Error;

/// Whose move a failure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request itself is wrong (a bad query or parameter): fix it and ask again. Exit
    /// code 2, HTTP 400.
    User,
    /// Anything else: the message names what to check (token, config, network) or it is a
    /// bug. Exit code 1, HTTP 500 (details to the log only).
    Internal,
}

impl Fault {
    /// The process exit code of a command that failed this way.
    pub fn exit_code(self) -> u8 {
        match self {
            Fault::User => 2,
            Fault::Internal => 1,
        }
    }

    /// The HTTP status of a request that failed this way.
    pub fn http_status(self) -> u16 {
        match self {
            Fault::User => 400,
            Fault::Internal => 500,
        }
    }
}

/// `err` and its causes on one line, each once: `outer: cause: root cause`.
pub fn chain(err: &dyn Error) -> String {
    let mut out = err.to_string();
    let mut next = err.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
    }
    out
}

/// What to do when a write failed because the disk is full: said by every writing command.
pub const DISK_FULL_HINT: &str = "the disk holding the data folder is full (no space left, or a \
    file size limit reached): free some space there (or move the data folder and point \
    --data-dir at it), then run the command again; everything committed before the failure is \
    kept, and a sync resumes where it stopped";

/// Whether `err` or one of its causes says the disk is full: `ENOSPC`, `EDQUOT` or `EFBIG` (a
/// file size limit), SQLite's "database or disk is full", or tantivy's I/O error wrapping one
/// of these (tantivy keeps its `io::Error` out of the `source()` chain, so its text counts).
pub fn is_disk_full(err: &(dyn Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if io_full(e) || sqlite_full(e) || tantivy_full(e) || is_disk_full_text(&e.to_string()) {
            return true;
        }
        next = e.source();
    }
    false
}

/// Whether an error message (one that lost its typed cause, such as a sink error) says the
/// disk is full.
pub fn is_disk_full_text(message: &str) -> bool {
    const MARKS: [&str; 5] = [
        "No space left on device",
        "File too large",
        "Disk quota exceeded",
        "database or disk is full",
        "is full (no space left",
    ];
    MARKS.iter().any(|m| message.contains(m))
}

/// Whether an OS error number means the disk (or a size or quota limit) is full.
pub fn is_disk_full_errno(errno: i32) -> bool {
    errno == libc::ENOSPC || errno == libc::EDQUOT || errno == libc::EFBIG
}

fn io_full(e: &(dyn Error + 'static)) -> bool {
    e.downcast_ref::<std::io::Error>()
        .and_then(std::io::Error::raw_os_error)
        .is_some_and(is_disk_full_errno)
}

fn sqlite_full(e: &(dyn Error + 'static)) -> bool {
    matches!(
        e.downcast_ref::<rusqlite::Error>(),
        Some(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::DiskFull
    )
}

fn tantivy_full(e: &(dyn Error + 'static)) -> bool {
    match e.downcast_ref::<tantivy::TantivyError>() {
        Some(tantivy::TantivyError::IoError(io)) => {
            io.raw_os_error().is_some_and(is_disk_full_errno)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot open the store")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn chain_names_each_cause_once() {
        let e = Outer(std::io::Error::other("disk full"));
        assert_eq!(chain(&e), "cannot open the store: disk full");
    }

    #[test]
    fn disk_full_is_found_anywhere_in_the_chain() {
        let full = Outer(std::io::Error::from_raw_os_error(libc::ENOSPC));
        assert!(is_disk_full(&full));
        let too_large = Outer(std::io::Error::from_raw_os_error(libc::EFBIG));
        assert!(is_disk_full(&too_large));
        let t = tantivy::TantivyError::IoError(std::sync::Arc::new(
            std::io::Error::from_raw_os_error(libc::ENOSPC),
        ));
        assert!(is_disk_full(&t));
        assert!(!is_disk_full(&Outer(std::io::Error::other(
            "permission denied"
        ))));
        assert!(is_disk_full_text("store: database or disk is full"));
    }
}
