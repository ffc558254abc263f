//! [`embed_and_save`]: what a CLI `sync`, `import` or `rebuild` runs before exiting, and what
//! `serve` runs in the background: embed every document the store has waiting for vectors,
//! then bring the current generation's `vectors.bin` up to date.

use std::path::Path;

use super::VectorIndex;
use crate::embed::{embed_pending, EmbedError, EmbedSummary, Embedder};
use crate::index::{Generations, IndexError};
use crate::store::{Store, StoreError};

/// Embedding or saving vectors failed.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(transparent)]
    Embed(#[from] EmbedError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    File(#[from] super::VectorFileError),
}

/// What [`embed_and_save`] did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Updated {
    pub embedded: EmbedSummary,
    /// Documents and passage vectors in the saved vector index.
    pub docs: usize,
    pub vectors: usize,
}

/// Embeds what is pending in `data_dir`'s store (`progress(done, total)` in documents) and
/// saves the vector index of the current index generation.
pub fn embed_and_save(
    data_dir: &Path,
    embedder: &Embedder,
    progress: impl FnMut(u64, u64),
) -> Result<Updated, UpdateError> {
    let mut store = Store::open(data_dir)?;
    let embedded = embed_pending(&mut store, embedder, progress)?;
    let Some(dir) = Generations::new(data_dir).current()? else {
        return Ok(Updated {
            embedded,
            ..Updated::default()
        });
    };
    let mut vectors = load_or_new(&dir, embedder);
    vectors.catch_up(&store)?;
    vectors.compact_if_sparse();
    vectors.save(&dir)?;
    Ok(Updated {
        embedded,
        docs: vectors.docs(),
        vectors: vectors.vectors(),
    })
}

/// The generation's saved vectors for this model, or an empty index to catch up from zero.
pub fn load_or_new(dir: &Path, embedder: &Embedder) -> VectorIndex {
    match VectorIndex::load(dir, embedder.id()) {
        Ok(Some(v)) if v.dims() == embedder.dims() => v,
        Ok(_) => VectorIndex::new(embedder.id(), embedder.dims()),
        Err(e) => {
            tracing::warn!(error = %e, "rebuilding the vector index from the store");
            VectorIndex::new(embedder.id(), embedder.dims())
        }
    }
}
