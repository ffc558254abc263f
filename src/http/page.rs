//! The search page served at `/`: one self-contained HTML file (inline CSS and JS, no external
//! assets, no build step) that calls `/search` as you type. See `assets/index.html`.
//!
//! It is served with [`HEADERS`]: a Content-Security-Policy that lets the page's own inline
//! style and script run but loads nothing from elsewhere, talks only to this server, and cannot
//! be framed; `nosniff`; and no Referer, so opening a result does not hand the query (it is in
//! the page's URL) to Notion or monday.com.

use axum::http::header::{
    HeaderName, CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};

/// The page.
pub const INDEX_HTML: &str = include_str!("assets/index.html");

/// What the page may do. `'unsafe-inline'` is needed because the page is one file with inline
/// `<style>` and `<script>`; everything else is denied by `default-src 'none'`.
pub const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// Response headers of the page.
pub const HEADERS: [(HeaderName, &str); 5] = [
    (CACHE_CONTROL, "no-cache"),
    (CONTENT_SECURITY_POLICY, CSP),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (X_FRAME_OPTIONS, "DENY"),
    (REFERRER_POLICY, "no-referrer"),
];
