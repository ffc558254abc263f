//! store. Work in progress.
