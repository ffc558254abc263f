//! Embedding many passages at once: tokenize them all, sort by length so each batch pads to
//! about its own length (length buckets), run batches of [`BATCH`] through the model, and put
//! the vectors back in input order.
//!
//! The encoder's dense layers, attention and candle's own operations already use every core,
//! so batches run one after another. `trove bench --semantic` compares batch sizes, thread
//! counts and kernels: 16 passages per batch beat 32 (33.5 against 31.5 passages/s on AMX).

use super::model::{Embedder, ModelError};

/// Passages per forward pass.
pub const BATCH: usize = 16;

/// Embeds `texts`; one vector per text, in order. `progress` is called with the number of
/// texts done after each batch.
pub fn embed_all(
    embedder: &Embedder,
    texts: &[&str],
    progress: impl FnMut(usize),
) -> Result<Vec<Vec<f32>>, ModelError> {
    embed_batched(embedder, texts, BATCH, progress)
}

/// [`embed_all`] with `batch` passages per forward pass (`trove bench --semantic` compares).
pub fn embed_batched(
    embedder: &Embedder,
    texts: &[&str],
    batch: usize,
    mut progress: impl FnMut(usize),
) -> Result<Vec<Vec<f32>>, ModelError> {
    let encodings = embedder
        .tokenizer()
        .encode_batch(texts.to_vec(), true)
        .map_err(|e| ModelError::Inference(format!("tokenizing: {e}")))?;
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| encodings[i].get_ids().len());
    let mut out = vec![Vec::new(); texts.len()];
    let mut done = 0;
    for chunk in order.chunks(batch.max(1)) {
        let ids: Vec<&[u32]> = chunk.iter().map(|&i| encodings[i].get_ids()).collect();
        for (&i, v) in chunk.iter().zip(embedder.forward(&ids)?) {
            out[i] = v;
        }
        done += chunk.len();
        progress(done);
    }
    Ok(out)
}
