//! The `trove` binary on temporary data folders: the core commands, the demo, ranking
//! quality on the judged query sets in `eval/`, and semantic search with the model.
//!
//! One test binary per area keeps linking cheap; run one module with
//! `cargo test --test cli demo_questions`.

#[path = "../util/mod.rs"]
mod util;

mod commands;
mod demo;
mod demo_questions;
mod ranking;
mod semantic;
