//! Pure functions from API JSON to [`crate::Document`]s: [`notion`] for pages, blocks and
//! database rows, [`monday`] for items, subitems and updates, [`html`] for update bodies.
//! [`parts`] appends the extra parts of a document kept in the store (comments). No I/O here,
//! so tests can run them over recorded responses. Connectors call them while crawling;
//! `rebuild --reflatten` reruns them over the raw JSON the store keeps.

pub mod attachments;
pub mod html;
pub mod monday;
pub mod notion;
pub mod parts;
