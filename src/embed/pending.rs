//! Bringing the store's vectors up to date: [`embed_pending`] embeds every document changed
//! after the model's watermark, in chunks that each commit their vectors together with the
//! new watermark. A killed run resumes after the last committed chunk; a document whose text
//! already has vectors under this model (unchanged text, a rebuild, a re-import) is not
//! embedded again.

use std::collections::HashMap;

use crate::store::{Quantized, Store, StoreError, Unembedded};

use super::{embed_all, Embedder, ModelError, OVERLAP_TOKENS, WINDOW_TOKENS};

/// Documents read and committed per chunk.
const CHUNK: usize = 64;

/// Embedding the store failed.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct EmbedSummary {
    /// Documents whose passages went through the model.
    pub embedded: u64,
    /// Documents whose text already had vectors.
    pub reused: u64,
    /// Passages embedded.
    pub passages: u64,
}

/// Identifies the text a document's vectors are made from (prefix, body and how it is cut).
pub fn text_hash(title: &str, path: &[String], body: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let cut = format!("{WINDOW_TOKENS}/{OVERLAP_TOKENS}");
    for part in [cut.as_str(), &super::prefix(title, path), "\u{0}", body] {
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h as i64
}

/// Embeds every document changed after the watermark. `progress(done, total)` counts documents.
pub fn embed_pending(
    store: &mut Store,
    embedder: &Embedder,
    mut progress: impl FnMut(u64, u64),
) -> Result<EmbedSummary, EmbedError> {
    let model = embedder.id().to_owned();
    let upto = store.max_seq()?;
    let mut after = store.embedded_upto(&model)?;
    let total = store.pending_vectors(&model)?;
    let mut summary = EmbedSummary::default();
    loop {
        let docs = store.unembedded(after, upto, CHUNK)?;
        let Some(last) = docs.last().map(|d| d.seq) else {
            break;
        };
        let items = embed_chunk(store, embedder, &docs, &mut summary)?;
        store.put_vectors(&model, &items, last)?;
        after = last;
        progress(summary.embedded + summary.reused, total);
    }
    // Deletions after the last document also count as seen.
    if store.embedded_upto(&model)? < upto {
        store.put_vectors(&model, &[], upto)?;
    }
    Ok(summary)
}

/// Vectors for the documents of one chunk whose text has none yet.
fn embed_chunk(
    store: &Store,
    embedder: &Embedder,
    docs: &[Unembedded],
    summary: &mut EmbedSummary,
) -> Result<Vec<(i64, Quantized)>, EmbedError> {
    let mut todo: HashMap<i64, &Unembedded> = HashMap::new();
    for d in docs {
        let hash = text_hash(&d.title, &d.path, &d.body);
        if todo.contains_key(&hash) || store.has_vectors(hash, embedder.id())? {
            summary.reused += 1;
        } else {
            todo.insert(hash, d);
            summary.embedded += 1;
        }
    }
    let cut: Vec<(i64, Vec<super::Passage>)> = todo
        .iter()
        .map(|(&h, d)| (h, embedder.passages(&d.title, &d.path, &d.body)))
        .collect();
    let texts: Vec<&str> = cut
        .iter()
        .flat_map(|(_, ps)| ps.iter().map(|p| p.text.as_str()))
        .collect();
    summary.passages += texts.len() as u64;
    let mut vectors = embed_all(embedder, &texts, |_| {})?.into_iter();
    Ok(cut
        .into_iter()
        .map(|(hash, ps)| {
            let vs: Vec<Vec<f32>> = vectors.by_ref().take(ps.len()).collect();
            let spans = ps.iter().map(|p| (p.start as u32, p.end as u32)).collect();
            (hash, Quantized::from_f32(embedder.dims(), spans, &vs))
        })
        .collect())
}
