//! `trove serve` and `trove mcp` end to end: the real server on a free loopback port, the
//! JSON API, the MCP clients and the search page in a real browser.
//!
//! Run one area with `cargo test --test serve http::`, `mcp::`, `browser::`, `hardening::` or
//! `typesense::` (a real three-node Typesense cluster)
//! (issue 13's binary-level regressions: read-only and damaged folders, full disk, a second
//! sync).

mod harness;
#[path = "../util/mod.rs"]
mod util;

mod browser;
mod hardening;
mod http;
mod mcp;
mod typesense;
mod typesense_harness;
