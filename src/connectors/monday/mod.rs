//! monday.com connector (see docs/monday-api.md).

pub mod errors;
