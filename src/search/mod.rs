//! search. Work in progress.
