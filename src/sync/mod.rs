//! sync. Work in progress.
