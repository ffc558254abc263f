//! trove: a search indexing engine for Notion and monday.com workspaces.
//!
//! The pipeline, one folder per stage:
//! [`connectors`] crawl the APIs → [`flatten`] turns API JSON into [`Document`]s (pure) →
//! [`store`] keeps them (SQLite, the source of truth) → [`embed`] turns their text into
//! vectors → [`index`] derives a tantivy index and a vector index →
//! [`search`] answers queries → [`http`], [`mcp`] and the `trove` binary (its `cli` module)
//! expose it.
//! [`sync`] drives a connector into the store and the index; [`reflatten`] reruns the
//! flatteners over the raw JSON in the store (`rebuild --reflatten`); [`cluster`] keeps a replicated
//! search engine (Typesense) in step with the store and answers searches from it;
//! [`data::DataDir`] is the data folder as one thing (store and index opened caught up,
//! status, counts). The fake Notion and monday.com servers used by tests and the demo are
//! their own crate, `trove-fakes` (`fakes/`).

pub mod bench;
pub mod cluster;
pub mod config;
pub mod connectors;
pub mod data;
pub mod document;
pub mod embed;
pub mod error;
pub mod extract;
pub mod flatten;
#[doc(hidden)]
pub mod fuzz;
pub mod http;
pub mod index;
pub mod ingest;
pub mod mcp;
pub mod private;
pub mod reflatten;
pub mod search;
pub mod secret;
pub mod store;
pub mod sync;

pub use document::{Document, SourceKind};
