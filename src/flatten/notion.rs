//! Notion JSON → text. Work in progress.
