//! Fake Notion server. Work in progress.
