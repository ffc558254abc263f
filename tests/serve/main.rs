//! `trove serve` and `trove mcp` end to end: the real server on a free loopback port, the
//! JSON API, the MCP clients and the search page in a real browser.
//!
//! Run one area with `cargo test --test serve http::`, `mcp::` or `browser::`.

mod harness;

mod browser;
mod http;
mod mcp;
