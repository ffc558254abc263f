//! Pure functions from API JSON to [`crate::Document`]s: [`notion`] for pages, blocks and
//! database rows, [`monday`] for items, subitems and updates, [`html`] for update bodies.
//! No I/O here, so `rebuild` and tests can rerun them on stored raw JSON.

pub mod html;
pub mod monday;
pub mod notion;
