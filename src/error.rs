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
}
