//! Fake monday.com server. Work in progress.
