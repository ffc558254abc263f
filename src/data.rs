//! [`DataDir`]: the data folder (the store and the index generations) as one thing. It opens
//! the store and the index with the index caught up with the store ([`DataDir::open`]), and
//! reports the folder's [`Status`]: sources, document counts and index health. Index documents
//! are counted one way only, [`IndexCounts::of`], by `trove status`, `GET /status`,
//! `GET /metrics` and `GET /health` alike.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::index::{IndexError, TroveIndex};
use crate::store::{SourceStatus, Store, StoreError};

/// Opening or reading a data folder failed.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    /// Applying the store's changes to the index failed.
    #[error("bringing the index in {} up to date", dir.display())]
    CatchUp {
        dir: PathBuf,
        #[source]
        source: IndexError,
    },
}

/// A data folder: `<dir>/store.sqlite3` and `<dir>/index/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    path: PathBuf,
}

impl DataDir {
    pub fn new(path: impl Into<PathBuf>) -> DataDir {
        DataDir { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the store and the index, and brings the index up to date with the store (unless
    /// another process is writing it right now; that process will).
    pub fn open(&self) -> Result<(Store, TroveIndex), DataError> {
        let mut store = Store::open(&self.path)?;
        let mut index = TroveIndex::open(&self.path)?;
        let caught = index
            .try_catch_up(&mut store)
            .map_err(|source| DataError::CatchUp {
                dir: self.path.clone(),
                source,
            })?;
        if let Some(c) = caught.filter(|c| c.upserts + c.deletes > 0) {
            tracing::info!(
                upserts = c.upserts,
                deletes = c.deletes,
                seq = c.seq,
                "index caught up with the store"
            );
        }
        Ok((store, index))
    }

    /// Sources, counts and index health of this folder, read from `store` and `index` (opened
    /// on this folder; the index may be a newer generation than [`open`](Self::open) gave).
    pub fn status(&self, store: &Store, index: &TroveIndex) -> Result<Status, DataError> {
        let counts = IndexCounts::of(index)?;
        Ok(Status {
            data_dir: self.path.display().to_string(),
            documents: store.count(None)?,
            sources: store.source_statuses()?,
            index: IndexStatus {
                documents: counts.documents,
                segments: counts.segments,
                bytes_on_disk: index.disk_bytes(),
                schema_version: index.schema_def().version,
                applied_seq: index.applied_seq()?,
                store_seq: store.max_seq()?,
                generation: index
                    .dir()
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            },
        })
    }
}

/// Documents and segments of an index's last commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexCounts {
    pub documents: u64,
    pub segments: usize,
}

impl IndexCounts {
    /// Reads the counts from the last commit's `meta.json` (no reader needed, so it sees a
    /// commit made by another process at once).
    pub fn of(index: &TroveIndex) -> Result<IndexCounts, IndexError> {
        let metas = index.index().searchable_segment_metas()?;
        Ok(IndexCounts {
            documents: metas.iter().map(|m| u64::from(m.num_docs())).sum(),
            segments: metas.len(),
        })
    }
}

/// The index half of the status.
#[derive(Debug, Serialize)]
pub struct IndexStatus {
    pub documents: u64,
    pub segments: usize,
    pub bytes_on_disk: u64,
    pub schema_version: u32,
    pub applied_seq: u64,
    pub store_seq: u64,
    pub generation: String,
}

/// Everything `trove status --json` and `GET /status` print.
#[derive(Debug, Serialize)]
pub struct Status {
    pub data_dir: String,
    pub documents: u64,
    pub sources: Vec<SourceStatus>,
    pub index: IndexStatus,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Document;

    fn doc(id: &str) -> Document {
        Document::new(format!("imp:{id}"), format!("title {id}"), "body")
    }

    #[test]
    fn open_catches_the_index_up_and_status_counts_agree() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        {
            let (mut store, _index) = data.open().unwrap();
            store.upsert_all(&[doc("a"), doc("b"), doc("c")]).unwrap();
        }
        let (store, index) = data.open().unwrap();
        let status = data.status(&store, &index).unwrap();
        assert_eq!(status.documents, 3);
        assert_eq!(status.index.documents, 3, "the index caught up on open");
        assert_eq!(status.index.applied_seq, status.index.store_seq);
        assert_eq!(IndexCounts::of(&index).unwrap().documents, 3);
        assert_eq!(status.data_dir, tmp.path().display().to_string());
    }
}
