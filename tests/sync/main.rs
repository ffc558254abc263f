//! `trove sync` end to end: the real binary against the fake Notion and monday.com servers
//! over real HTTP on loopback, with faults, kills and edits between syncs.
//!
//! Run one connector's tests with `cargo test --test sync notion::` or `monday::`, and the
//! comments, updates and reflatten tests with `threads::`, attached files with `attachments::`,
//! a full disk during sync and `status` on a damaged index with `broken_disk::`.

#[path = "../util/mod.rs"]
mod util;

mod attachments;
mod broken_disk;
mod monday;
mod monday_harness;
mod notion;
mod notion_harness;
mod threads;
