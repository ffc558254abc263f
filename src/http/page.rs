//! The search page served at `/`: one self-contained HTML file (inline CSS and JS, no external
//! assets, no build step) that calls `/search` as you type. See `assets/index.html`.

/// The page.
pub const INDEX_HTML: &str = include_str!("assets/index.html");
