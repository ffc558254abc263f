//! Pure functions from API JSON to [`crate::Document`]s: [`notion`] for pages, blocks and
//! database rows, [`monday`] for items, subitems and updates, [`html`] for update bodies.
//! No I/O here, so tests can run them over recorded responses. Connectors call them while
//! crawling; `rebuild` reindexes the documents the store keeps and does not rerun them.

pub mod html;
pub mod monday;
pub mod notion;
