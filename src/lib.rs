//! trove: a search indexing engine for Notion and monday.com workspaces.
//!
//! The pipeline, one folder per stage:
//! [`connectors`] crawl the APIs → [`flatten`] turns API JSON into [`Document`]s (pure) →
//! [`store`] keeps them (SQLite, the source of truth) → [`index`] derives a tantivy index →
//! [`search`] answers queries → [`cli`] and [`http`] expose it. [`sync`] drives a connector
//! into the store and the index; [`fakes`] are the Notion and monday.com servers used by tests
//! and the demo.

pub mod bench;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod connectors;
pub mod document;
pub mod fakes;
pub mod flatten;
pub mod http;
pub mod index;
pub mod search;
pub mod secret;
pub mod store;
pub mod sync;

pub use document::{Document, SourceKind};
