//! [`rebuild`]: a fresh index generation from the store, swapped in atomically.
//!
//! A reader thread streams documents out of SQLite while the calling thread feeds tantivy's
//! indexing threads, so reading the store overlaps with indexing. Changes the store receives
//! while the rebuild runs are applied after the swap, under the writer lock. The previous
//! generation's `vectors.bin`, caught up with the store, is written into the new one before
//! the swap.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tantivy::{Index, IndexWriter, TantivyDocument};

use super::{
    commit, create_empty, to_tantivy, Generations, IndexError, Result, SchemaDef, TroveIndex,
};
use crate::store::{Change, Store};

/// What a rebuild did and how fast.
#[derive(Debug, Clone)]
pub struct RebuildStats {
    pub documents: u64,
    /// Bytes of title + body text indexed.
    pub text_bytes: u64,
    pub elapsed: Duration,
    /// The store sequence the new generation reflects.
    pub seq: u64,
    pub generation: String,
}

impl RebuildStats {
    pub fn docs_per_sec(&self) -> f64 {
        self.documents as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn mb_per_sec(&self) -> f64 {
        self.text_bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Rebuilds the index of `data_dir` from its store. `progress(done, total)` is called as
/// documents are indexed.
pub fn rebuild(data_dir: &Path, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<RebuildStats> {
    let start = Instant::now();
    let def = SchemaDef::builtin()?;
    let gens = Generations::new(data_dir);
    // The marker stays locked while this process builds: if it dies, the next writer removes
    // the partial generation (see `Generations::remove_crashed_builds`).
    let (dir, building) = {
        let _lock = gens.lock()?;
        gens.create_building()?
    };
    let built = build_generation(data_dir, &dir, &def, progress);
    let (documents, text_bytes, seq) = match built {
        Ok(v) => v,
        Err(e) => {
            // Leave the live generation untouched; drop the half-built one.
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
    };
    {
        // Swap, retire and unmark under the writer lock: a writer cleaning up in between
        // would otherwise see the old generation neither current nor retired.
        let _lock = gens.lock()?;
        let previous = gens.current()?;
        if let Err(e) = carry_vectors(data_dir, previous.as_deref(), &dir) {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(e);
        }
        gens.set_current(&dir)?;
        building.finish();
        if let Some(prev) = previous.filter(|p| p != &dir) {
            gens.retire(&prev)?;
        }
        let mut idx = TroveIndex::open(data_dir)?;
        let mut store = Store::open(data_dir)?;
        idx.catch_up_locked(&mut store)?;
    }
    gens.remove_old()?;
    Ok(RebuildStats {
        documents,
        text_bytes,
        elapsed: start.elapsed(),
        seq,
        generation: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    })
}

/// The previous generation's vectors, caught up with the store, saved into `dir` before the
/// swap (the tantivy side catches up after it, under the same lock).
fn carry_vectors(data_dir: &Path, previous: Option<&Path>, dir: &Path) -> Result<()> {
    let Some(prev) = previous else {
        return Ok(());
    };
    let store = Store::open(data_dir)?;
    super::vectors::carry_forward(prev, dir, &store)
        .map_err(|e| IndexError::Vectors(Box::new(e)))?;
    Ok(())
}

/// Indexes every stored document into a new index in `dir`; returns (docs, text bytes, seq).
fn build_generation(
    data_dir: &Path,
    dir: &Path,
    def: &SchemaDef,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<(u64, u64, u64)> {
    let store = Store::open(data_dir)?;
    let def = &def
        .clone()
        .with_common_words(super::pick_common_words(def, &store)?);
    let index = create_empty(dir, def)?;
    let (_, fields) = def.build()?;
    let mut writer = new_writer(&index)?;
    let total = store.count(None)?;
    drop(store);
    let (tx, rx) = mpsc::sync_channel::<Vec<(TantivyDocument, u64)>>(64);
    let reader_dir = data_dir.to_owned();
    let reader = std::thread::spawn(move || -> Result<u64> {
        let mut store = Store::open(&reader_dir)?;
        let mut chunk = Vec::with_capacity(256);
        let seq = store.changes_since(0, |c| {
            if let Change::Upsert(doc) = c {
                let bytes = (doc.title.len() + doc.body.len()) as u64;
                chunk.push((to_tantivy(&doc, &fields), bytes));
                if chunk.len() == 256 {
                    // A closed channel means the indexer failed; it reports why.
                    let _ = tx.send(std::mem::take(&mut chunk));
                }
            }
            Ok(())
        })?;
        let _ = tx.send(chunk);
        Ok(seq)
    });
    let (mut docs, mut bytes) = (0u64, 0u64);
    for chunk in rx {
        for (doc, b) in chunk {
            writer.add_document(doc)?;
            docs += 1;
            bytes += b;
        }
        progress(docs, total);
    }
    let seq = reader.join().map_err(|_| IndexError::Io {
        path: data_dir.to_owned(),
        source: std::io::Error::other("store reader thread panicked"),
    })??;
    commit(&mut writer, seq, def.version)?;
    writer.wait_merging_threads()?;
    Ok((docs, bytes, seq))
}

/// An index writer sized for bulk indexing on this machine.
pub fn new_writer(index: &Index) -> Result<IndexWriter> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    Ok(index.writer_with_num_threads(threads, super::WRITER_HEAP_BYTES)?)
}
