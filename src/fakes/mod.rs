//! Fake Notion and monday.com servers speaking real HTTP on loopback, for tests, the demo and
//! benchmarks. They follow docs/notion-api.md and docs/monday-api.md.

pub mod monday;
pub mod notion;
