//! index. Work in progress.
