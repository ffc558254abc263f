//! [`DataDir`]: the data folder (the store and the index generations) as one thing. It opens
//! the store and the index with the index caught up with the store ([`DataDir::open`]), and
//! reports the folder's [`Status`]: sources, document counts and index health. Index documents
//! are counted one way only, [`IndexCounts::of`], by `trove status`, `GET /status`,
//! `GET /metrics` and `GET /health` alike.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::index::{Generations, IndexError, TroveIndex};
use crate::store::{SourceStatus, Store, StoreError, STORE_FILE};

/// Opening or reading a data folder failed.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A reading command was pointed at a folder that holds no store.
    #[error(
        "no trove data in {} (no {STORE_FILE}): check --data-dir or TROVE_DATA_DIR, or create it with `trove sync` or `trove import`",
        path.display()
    )]
    Missing { path: PathBuf },
    /// The index is there but its store is gone: recreating an empty store would silently
    /// empty the index at the next rebuild.
    #[error(
        "{} has an index but its store {STORE_FILE} is missing; the store is the source of truth and cannot be recovered from the index: restore {STORE_FILE} from a backup, or delete {} to start over",
        path.display(),
        path.join("index").display()
    )]
    StoreMissing { path: PathBuf },
    /// `rebuild` would replace an index that has documents with an empty one.
    #[error(
        "the store in {} has no documents but the index has {documents}: rebuilding would empty the index; check --data-dir, or pass --force to rebuild anyway",
        path.display()
    )]
    EmptyStore { path: PathBuf, documents: u64 },
    /// A writing command on a data folder this process may not write.
    #[error(
        "the data folder {} is read-only for this user: sync, import and rebuild need write access; search, status, export and serve (without --sync-every) work as they are",
        path.display()
    )]
    ReadOnly { path: PathBuf },
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

    /// Checks that the folder can be opened: with [`Access::Existing`] the store must be
    /// there; with [`Access::Create`] a missing folder or store is fine, but not an index
    /// without its store. Nothing is created.
    pub fn check(&self, access: Access) -> Result<(), DataError> {
        if self.path.join(STORE_FILE).exists() {
            return Ok(());
        }
        // A path under a file is no data folder: leave it to the create step, which says so.
        if self.path.is_dir() && Generations::new(&self.path).current()?.is_some() {
            return Err(DataError::StoreMissing {
                path: self.path.clone(),
            });
        }
        match access {
            Access::Create => Ok(()),
            Access::Existing => Err(DataError::Missing {
                path: self.path.clone(),
            }),
        }
    }

    /// Checks that a writing command may write here: an existing folder (or its index
    /// folder) that this process may not write is [`DataError::ReadOnly`], before anything is
    /// attempted. A missing folder is left to [`check`](Self::check) and the create step.
    pub fn check_writable(&self) -> Result<(), DataError> {
        let index = self.path.join("index");
        let read_only = |p: &Path| p.is_dir() && !crate::private::writable(p);
        if read_only(&self.path) || read_only(&index) {
            return Err(DataError::ReadOnly {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// Refuses a rebuild that would replace an index holding documents with an empty one,
    /// unless `force` (the store was emptied or lost, or `--data-dir` points elsewhere).
    pub fn check_rebuild(&self, force: bool) -> Result<(), DataError> {
        self.check(Access::Existing)?;
        self.check_writable()?;
        if force || Generations::new(&self.path).current()?.is_none() {
            return Ok(());
        }
        let store = Store::open(&self.path)?;
        if store.count(None)? > 0 {
            return Ok(());
        }
        let documents = IndexCounts::of(&TroveIndex::open(&self.path)?)?.documents;
        if documents == 0 {
            return Ok(());
        }
        Err(DataError::EmptyStore {
            path: self.path.clone(),
            documents,
        })
    }

    /// Opens an existing data folder for reading (see [`open`](Self::open)); a folder without
    /// a store is [`DataError::Missing`], and nothing is created.
    pub fn open_existing(&self) -> Result<(Store, TroveIndex), DataError> {
        self.check(Access::Existing)?;
        self.open()
    }

    /// Opens the store and the index, creating them if needed, and brings the index up to date
    /// with the store (unless another process is writing it right now; that process will).
    pub fn open(&self) -> Result<(Store, TroveIndex), DataError> {
        self.check(Access::Create)?;
        let mut store = Store::open(&self.path)?;
        let mut index = TroveIndex::open(&self.path)?;
        if store.is_read_only() {
            note_read_only(&self.path, &store, &index);
            return Ok((store, index));
        }
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
                common_words: index.schema_def().common_words().len(),
            },
            embeddings: EmbeddingsStatus::off(no_model_reason(&self.path)),
        })
    }

    /// What the store alone tells about this folder, for `status` when the index cannot be
    /// opened: the store is the source of truth, so its sources and counts are still right.
    pub fn store_status(&self, store: &Store) -> Result<StoreStatus, DataError> {
        Ok(StoreStatus {
            data_dir: self.path.display().to_string(),
            documents: store.count(None)?,
            sources: store.source_statuses()?,
        })
    }
}

/// The store half of the status (see [`DataDir::store_status`]).
#[derive(Debug, Serialize)]
pub struct StoreStatus {
    pub data_dir: String,
    pub documents: u64,
    pub sources: Vec<SourceStatus>,
}

/// Says that a read-only data folder is used as it is: nothing is written, so the index is not
/// caught up, and how far it lags the store if it does.
fn note_read_only(path: &Path, store: &Store, index: &TroveIndex) {
    let behind = match (store.max_seq(), index.applied_seq()) {
        (Ok(s), Ok(a)) => s.saturating_sub(a),
        _ => 0,
    };
    if behind > 0 {
        tracing::warn!(
            data_dir = %path.display(),
            changes_behind = behind,
            "the data folder is read-only: searching the index as it is, which misses the store's latest changes; run a writing command (sync, import) where the folder is writable to catch up"
        );
    } else {
        tracing::info!(data_dir = %path.display(), "the data folder is read-only: reading only");
    }
}

/// Whether opening may create the data folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Writers (`sync`, `import`): a missing folder is created.
    Create,
    /// Readers (`search`, `status`, `export`, `rebuild`): the store must exist.
    Existing,
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
    /// Words of the generation whose adjacent pairs are indexed for quoted phrases
    /// (`index/pairs.rs`).
    pub common_words: usize,
}

/// Everything `trove status --json` and `GET /status` print.
#[derive(Debug, Serialize)]
pub struct Status {
    pub data_dir: String,
    pub documents: u64,
    pub sources: Vec<SourceStatus>,
    pub index: IndexStatus,
    /// Semantic search: the model and how far embedding is (filled in by whoever holds the model:
    /// the CLI's `status` and the server's `/status`).
    pub embeddings: EmbeddingsStatus,
}

/// The semantic-search half of the status.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EmbeddingsStatus {
    /// Whether a model is loaded (semantic and hybrid search available).
    pub enabled: bool,
    /// Model id (folder name, dimensions, fingerprint).
    pub model: Option<String>,
    pub model_dir: Option<String>,
    pub dimensions: Option<usize>,
    /// Passage vectors stored for this model.
    pub vectors: u64,
    /// Documents changed since they were last embedded.
    pub pending: u64,
    /// Why semantic search is off and how to turn it on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_reason: Option<String>,
}

impl EmbeddingsStatus {
    /// Status with `embedder` loaded, read from `store`.
    pub fn of(
        store: &Store,
        embedder: &crate::embed::Embedder,
    ) -> Result<EmbeddingsStatus, StoreError> {
        Ok(EmbeddingsStatus {
            enabled: true,
            model: Some(embedder.id().to_owned()),
            model_dir: Some(embedder.dir().display().to_string()),
            dimensions: Some(embedder.dims()),
            vectors: store.passage_vectors(embedder.id())?,
            pending: store.pending_vectors(embedder.id())?,
            off_reason: None,
        })
    }

    /// Semantic search off, and why.
    pub fn off(reason: impl Into<String>) -> EmbeddingsStatus {
        EmbeddingsStatus {
            off_reason: Some(reason.into()),
            ..EmbeddingsStatus::default()
        }
    }
}

/// Why semantic search is off when no model folder was found.
pub fn no_model_reason(data_dir: &Path) -> String {
    format!(
        "no embedding model; put all-MiniLM-L6-v2 in {} (scripts/fetch-model.sh does), or set \
         --model-dir, TROVE_MODEL_DIR or [embeddings] model_dir in trove.toml",
        crate::embed::default_model_dir(data_dir).display()
    )
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

    #[test]
    fn mistyped_data_dir_is_silently_created() {
        let tmp = tempfile::tempdir().unwrap();
        let wrong = DataDir::new(tmp.path().join("typo"));
        let err = wrong.open_existing().unwrap_err();
        assert!(matches!(err, DataError::Missing { .. }), "{err}");
        assert!(err.to_string().contains("typo"), "{err}");
        assert!(
            !tmp.path().join("typo").exists(),
            "a reader created the folder"
        );
    }

    #[test]
    fn missing_store_is_silently_recreated() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        {
            let (mut store, _index) = data.open().unwrap();
            store.upsert_all(&[doc("a")]).unwrap();
        }
        std::fs::remove_file(tmp.path().join(STORE_FILE)).unwrap();
        for err in [
            data.open().unwrap_err(),
            data.open_existing().unwrap_err(),
            data.check_rebuild(true).unwrap_err(),
        ] {
            assert!(matches!(err, DataError::StoreMissing { .. }), "{err}");
        }
        assert!(!tmp.path().join(STORE_FILE).exists());
    }

    #[test]
    fn rebuild_from_an_empty_store_empties_the_index() {
        let tmp = tempfile::tempdir().unwrap();
        let data = DataDir::new(tmp.path());
        {
            let (mut store, _index) = data.open().unwrap();
            store.upsert_all(&[doc("a"), doc("b")]).unwrap();
        }
        drop(data.open().unwrap()); // the index catches up: 2 documents
        data.check_rebuild(false).unwrap();
        // An empty store in place of the real one (restored wrongly, or truncated).
        std::fs::remove_file(tmp.path().join(STORE_FILE)).unwrap();
        for f in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(tmp.path().join(format!("{STORE_FILE}{f}")));
        }
        drop(Store::open(tmp.path()).unwrap());
        let err = data.check_rebuild(false).unwrap_err();
        assert!(
            matches!(err, DataError::EmptyStore { documents: 2, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("--force"), "{err}");
        data.check_rebuild(true).unwrap();
    }
}
