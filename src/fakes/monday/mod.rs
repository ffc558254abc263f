//! Fake monday.com server. Work in progress.
pub mod cells;
pub mod generate;
pub mod model;
pub mod schema;
pub mod vocab;
pub mod errors;
pub mod validate;
