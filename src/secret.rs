//! [`Secret`]: an API token that never prints. `Debug` and `Display` redact it, it does not
//! serialize, and the only way to read it is [`Secret::expose`], used when building a request.

use std::fmt;

/// A token (Notion integration secret, monday.com API token, HTTP API key).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The token itself: only for the `Authorization` header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// Removes every occurrence of the token from `text` (for error bodies that echo it).
    pub fn scrub(&self, text: &str) -> String {
        if self.0.len() < 4 {
            return text.to_owned();
        }
        text.replace(&self.0, "[redacted]")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::new("ntn_supersecret");
        assert!(!format!("{s:?}").contains("supersecret"));
        assert!(!format!("{s}").contains("supersecret"));
        assert_eq!(s.expose(), "ntn_supersecret");
    }

    #[test]
    fn scrub_removes_token() {
        let s = Secret::new("ntn_supersecret");
        assert_eq!(
            s.scrub("bad token ntn_supersecret!"),
            "bad token [redacted]!"
        );
    }
}
