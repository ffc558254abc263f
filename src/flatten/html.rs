//! HTML → text. Work in progress.
