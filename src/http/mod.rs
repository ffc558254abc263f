//! HTTP search endpoint. Work in progress.
