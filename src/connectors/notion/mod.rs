//! Notion connector (see docs/notion-api.md). Work in progress.
