//! monday.com connector (see docs/monday-api.md). Work in progress.
