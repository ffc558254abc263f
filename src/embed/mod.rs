//! Sentence embeddings for semantic search, computed locally.
//!
//! [`Embedder`] (`model.rs`) loads a sentence-transformers folder (BERT weights, tokenizer,
//! pooling, normalisation) and runs it in pure Rust: `bert.rs` is the encoder on candle tensors,
//! whose dense layers run on AMX tiles (`amx.rs`) where the CPU has them. `passages.rs` cuts a
//! document into overlapping [`Passage`]s of about 200 tokens behind a title-and-breadcrumb
//! prefix; [`embed_all`] (`batch.rs`) embeds many passages in length-sorted batches.
//! [`locate`] decides which model folder is in use.

mod amx;
mod attention;
mod batch;
mod bert;
mod model;
mod passages;
mod pending;
mod pooling;

use std::path::{Path, PathBuf};

pub use batch::{embed_all, embed_batched, BATCH};
pub use bert::Kernel;
pub use model::{Embedder, ModelError, GET_MODEL_HINT};
pub use passages::{prefix, split, Passage, OVERLAP_TOKENS, WINDOW_TOKENS};
pub use pending::{embed_pending, text_hash, EmbedError, EmbedSummary};
pub use pooling::{Mode as PoolingMode, Pooling};

/// Name of the default model's folder under `<data-dir>/models/`.
pub const DEFAULT_MODEL: &str = "all-MiniLM-L6-v2";

/// Environment variable naming the model folder.
pub const MODEL_DIR_ENV: &str = "TROVE_MODEL_DIR";

/// The default model folder for a data folder.
pub fn default_model_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("models").join(DEFAULT_MODEL)
}

/// Which model folder to use: the first one given explicitly (command line, then env, then
/// config, as the caller orders them), else the default folder when it exists, else none
/// (semantic search off).
pub fn locate(explicit: &[Option<PathBuf>], data_dir: &Path) -> Option<PathBuf> {
    if let Some(dir) = explicit.iter().flatten().next() {
        return Some(dir.clone());
    }
    let default = default_model_dir(data_dir);
    default.exists().then_some(default)
}

/// Cosine similarity of two vectors (the dot product when both are unit length).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb).max(f32::MIN_POSITIVE)
}

/// The model folder tests use: `TROVE_MODEL_DIR`, else `target/models/all-MiniLM-L6-v2` in
/// the repository (filled by `scripts/fetch-model.sh`). Under `CI` a missing model panics;
/// elsewhere it prints one line naming the path and returns `None`.
pub fn model_dir_for_tests() -> Option<PathBuf> {
    let dir = std::env::var_os(MODEL_DIR_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("target/models")
                .join(DEFAULT_MODEL)
        });
    if dir.join("model.safetensors").exists() {
        return Some(dir);
    }
    let msg = format!(
        "embedding model not found at {}: run scripts/fetch-model.sh",
        dir.display()
    );
    assert!(std::env::var_os("CI").is_none(), "{msg}");
    eprintln!("skipped: {msg}");
    None
}

#[cfg(test)]
mod tests;
