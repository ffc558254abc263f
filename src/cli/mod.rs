//! cli. Work in progress.
