//! The tantivy index, derived from the store.
//!
//! [`TroveIndex`] opens the current index *generation* (`<data>/index/gen-NNNNNN/`, named by the
//! `<data>/index/CURRENT` file) and keeps it in step with the store: each commit carries a
//! payload with the last store change sequence it applied, and [`TroveIndex::catch_up`] applies
//! everything after it. [`rebuild()`] builds a new generation from the store beside the current
//! one and swaps `CURRENT` atomically (a rename), so searches in other processes keep working.
//!
//! Writers (import, sync, rebuild's swap) serialize on `<data>/index/writer.lock`.

pub mod cjk;
mod generation;
pub mod pairs;
mod readonly;
pub mod rebuild;
pub mod schema;
pub mod vectors;

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::schema::Schema;
use tantivy::{DateTime as TDateTime, Index, IndexReader, IndexWriter, TantivyDocument, Term};

use crate::document::Document;
use crate::store::{Change, Store, StoreError};
pub use generation::Generations;
pub use rebuild::{rebuild, RebuildStats};
pub use schema::{Fields, SchemaDef};

/// Memory budget of one index writer (split among its threads).
pub const WRITER_HEAP_BYTES: usize = 256 * 1024 * 1024;

/// An index failure.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(
        "the index in {dir} was built with schema version {found}, this trove uses version {expected}; \
         run `trove rebuild` to rebuild it from the store (nothing is lost)"
    )]
    SchemaMismatch {
        dir: PathBuf,
        found: String,
        expected: u32,
    },
    #[error("index")]
    Tantivy(#[from] tantivy::TantivyError),
    /// The generation cannot be read: `CURRENT` names a missing folder, `meta.json` is
    /// unreadable, or a segment file is gone or damaged. The store still has everything.
    #[error(
        "the index in {} is damaged or incomplete ({what}); run `trove rebuild` to rebuild it from the store (nothing is lost)",
        dir.display()
    )]
    Corrupt {
        dir: PathBuf,
        what: String,
        #[source]
        source: Option<Box<tantivy::TantivyError>>,
    },
    #[error("index folder {path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The thread applying an import's changes to the index ended without an answer.
    #[error(
        "the index stopped following the import; run `trove rebuild` to index what the store holds (nothing is lost)"
    )]
    Follower,
    #[error("carrying the semantic vectors into the new index generation")]
    Vectors(#[source] Box<vectors::UpdateError>),
}

pub type Result<T> = std::result::Result<T, IndexError>;

/// What each index commit records (tantivy's commit payload).
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CommitPayload {
    /// The last store change sequence number applied.
    pub seq: u64,
    pub schema_version: u32,
}

/// One open index generation.
pub struct TroveIndex {
    index: Index,
    dir: PathBuf,
    data_dir: PathBuf,
    def: SchemaDef,
    fields: Fields,
}

impl std::fmt::Debug for TroveIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TroveIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

/// What [`TroveIndex::catch_up`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CatchUp {
    pub upserts: u64,
    pub deletes: u64,
    /// The store sequence the index now reflects.
    pub seq: u64,
}

impl TroveIndex {
    /// Opens the current generation under `<data_dir>/index`, creating the first one if needed.
    pub fn open(data_dir: &Path) -> Result<TroveIndex> {
        Self::open_with_schema(data_dir, SchemaDef::builtin()?)
    }

    /// Like [`open`](Self::open), with another schema definition than the built-in one (the
    /// ranking evaluation uses this to measure an analyzer without stemming).
    pub fn open_with_schema(data_dir: &Path, def: SchemaDef) -> Result<TroveIndex> {
        let gens = Generations::new(data_dir);
        let dir = match gens.current()? {
            Some(dir) => dir,
            None => {
                let _lock = gens.lock()?;
                match gens.current()? {
                    Some(dir) => dir,
                    None => {
                        let dir = gens.create_next()?;
                        create_empty(&dir, &def)?;
                        gens.set_current(&dir)?;
                        dir
                    }
                }
            }
        };
        Self::open_dir(&gens, dir, def)
    }

    fn open_dir(gens: &Generations, dir: PathBuf, def: SchemaDef) -> Result<TroveIndex> {
        if !dir.is_dir() {
            return Err(IndexError::Corrupt {
                what: format!("CURRENT names {}, which does not exist", dir.display()),
                dir,
                source: None,
            });
        }
        let opened = if crate::private::writable(&dir) {
            Index::open_in_dir(&dir)
        } else {
            readonly::ReadOnlyDir::open(&dir).and_then(Index::open)
        };
        let index = opened.map_err(corrupt(&dir, "cannot open it"))?;
        check_segment_files(&index, &dir)?;
        let (expected, fields) = def.build()?;
        let def = def.with_common_words(load_common_words(&dir)?);
        let payload = read_payload(&index).map_err(|e| match e {
            IndexError::Tantivy(t) => corrupt(&dir, "cannot read meta.json")(t),
            other => other,
        })?;
        let same_schema = schema_fingerprint(&index.schema()) == schema_fingerprint(&expected);
        if payload.schema_version != def.version || !same_schema {
            return Err(IndexError::SchemaMismatch {
                dir,
                found: if same_schema {
                    payload.schema_version.to_string()
                } else {
                    format!("{} (with different fields)", payload.schema_version)
                },
                expected: def.version,
            });
        }
        def.register(&index)?;
        Ok(TroveIndex {
            index,
            dir,
            data_dir: gens.data_dir().to_owned(),
            def,
            fields,
        })
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn schema_def(&self) -> &SchemaDef {
        &self.def
    }

    /// The generation folder this handle reads.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store sequence the last commit applied.
    pub fn applied_seq(&self) -> Result<u64> {
        Ok(read_payload(&self.index)?.seq)
    }

    /// A reader of this generation; a segment that cannot be opened is [`IndexError::Corrupt`].
    pub fn reader(&self) -> Result<IndexReader> {
        self.index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(corrupt(&self.dir, "cannot open its segments"))
    }

    /// Applies every store change the index has not seen, in one commit. Takes the writer lock
    /// (waiting for other writers); when another process swapped in a new generation meanwhile,
    /// catches up that one instead and switches this handle to it.
    pub fn catch_up(&mut self, store: &mut Store) -> Result<CatchUp> {
        let gens = Generations::new(&self.data_dir);
        let _lock = gens.lock()?;
        self.follow_current(&gens)?;
        self.catch_up_locked(store)
    }

    /// Like [`catch_up`](Self::catch_up), but returns `None` at once if another process holds
    /// the writer lock (it will apply the changes itself).
    pub fn try_catch_up(&mut self, store: &mut Store) -> Result<Option<CatchUp>> {
        let gens = Generations::new(&self.data_dir);
        let Some(_lock) = gens.try_lock()? else {
            return Ok(None);
        };
        self.follow_current(&gens)?;
        self.catch_up_locked(store).map(Some)
    }

    /// Applies the store's changes while `write` adds them, instead of after: `write` runs on
    /// this thread with its own connection, and a second connection to the store of the
    /// data folder feeds a scoped thread that adds each committed batch to one index writer as
    /// soon as it is visible. So the store's writes (one core) overlap the index's analysis
    /// (the writer's threads) instead of leaving them idle. The index commits every
    /// `commit_every` documents and at the end, each time at a store sequence it fully
    /// reflects, as [`catch_up`](Self::catch_up) does; a failed `write` still leaves the index
    /// caught up with what was committed. Returns `write`'s result and the catch-up's.
    pub fn catch_up_while<T>(
        &mut self,
        commit_every: u64,
        write: impl FnOnce() -> T,
    ) -> Result<(T, CatchUp)> {
        let gens = Generations::new(&self.data_dir);
        let _lock = gens.lock()?;
        self.follow_current(&gens)?;
        self.reload_common_words()?;
        let mut reader = Store::open(&self.data_dir)?;
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            let follower = scope.spawn(|| self.follow(&mut reader, &done, commit_every));
            let written = write();
            done.store(true, std::sync::atomic::Ordering::Release);
            follower
                .join()
                .unwrap_or_else(|_| Err(IndexError::Follower))
                .map(|followed| (written, followed))
        })
        .map(|(written, (followed, picked))| {
            if let Some(common) = picked {
                self.def = self.def.clone().with_common_words(common);
            }
            (written, followed)
        })
    }

    /// The follower of [`catch_up_while`](Self::catch_up_while): applies `store`'s changes
    /// until `done` is set and none are left. Into a generation without documents, it first
    /// waits for a sample's worth of them (or the end of the write) and picks the common
    /// words, which it returns.
    fn follow(
        &self,
        store: &mut Store,
        done: &std::sync::atomic::AtomicBool,
        commit_every: u64,
    ) -> Result<(CatchUp, Option<pairs::CommonWords>)> {
        let mut applied = self.applied_seq()?;
        let picked = if self.holds_no_document() {
            // Pick the common words from the first documents written, or all there are once
            // the write ends.
            while !done.load(std::sync::atomic::Ordering::Acquire)
                && store.max_seq()? < applied + pairs::FOLLOW_SAMPLE_DOCS as u64
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            let picked = self.common_words_to_pick(store)?;
            if let Some(common) = &picked {
                self.save_and_register(common)?;
            }
            picked
        } else {
            None
        };
        let mut writer = self.writer()?;
        let mut stats = CatchUp {
            seq: applied,
            ..CatchUp::default()
        };
        let mut uncommitted = 0u64;
        let fields = self.fields;
        loop {
            // Read before looking at the store: once `done` is seen, every write is visible.
            let last_round = done.load(std::sync::atomic::Ordering::Acquire);
            let before = stats.upserts + stats.deletes;
            applied = store.changes_since(applied, |change| {
                apply(&mut writer, &fields, change, &mut stats)
            })?;
            let added = stats.upserts + stats.deletes - before;
            uncommitted += added;
            if uncommitted >= commit_every || (last_round && uncommitted > 0) {
                commit(&mut writer, applied, self.def.version)?;
                uncommitted = 0;
            }
            if last_round {
                break;
            }
            if added == 0 {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        writer.wait_merging_threads()?;
        stats.seq = applied;
        Ok((stats, picked))
    }

    fn follow_current(&mut self, gens: &Generations) -> Result<()> {
        if let Some(cur) = gens.current()? {
            if cur != self.dir {
                *self = Self::open_dir(gens, cur, self.def.clone())?;
            }
        }
        Ok(())
    }

    pub(crate) fn catch_up_locked(&mut self, store: &mut Store) -> Result<CatchUp> {
        let applied = self.applied_seq()?;
        if store.max_seq()? == applied {
            return Ok(CatchUp {
                seq: applied,
                ..CatchUp::default()
            });
        }
        self.reload_common_words()?;
        if let Some(common) = self.common_words_to_pick(store)? {
            self.adopt(common)?;
        }
        let mut writer = self.writer()?;
        let mut stats = CatchUp::default();
        let fields = self.fields;
        let upto = store.changes_since(applied, |change| {
            apply(&mut writer, &fields, change, &mut stats)
        })?;
        commit(&mut writer, upto, self.def.version)?;
        writer.wait_merging_threads()?;
        stats.seq = upto;
        Ok(stats)
    }

    /// The common words to pick before indexing the first documents into this generation:
    /// `None` unless it holds no document yet, has none picked, and `store` has documents.
    fn common_words_to_pick(&self, store: &Store) -> Result<Option<pairs::CommonWords>> {
        if !self.def.common_words().is_empty() || !self.holds_no_document() {
            return Ok(None);
        }
        let common = pick_common_words(&self.def, store)?;
        Ok((!common.is_empty()).then_some(common))
    }

    /// Takes the generation's common words from its file, in case another process picked them
    /// after this one opened it: documents this process adds must pair the same words. Called
    /// under the writer lock, which whoever picks them holds.
    fn reload_common_words(&mut self) -> Result<()> {
        let saved = load_common_words(&self.dir)?;
        if &saved != self.def.common_words() {
            self.def = self.def.clone().with_common_words(saved);
            self.def.register(&self.index)?;
        }
        Ok(())
    }

    /// Whether no document was ever committed to this generation.
    fn holds_no_document(&self) -> bool {
        self.index
            .searchable_segment_metas()
            .is_ok_and(|metas| metas.iter().all(|m| m.max_doc() == 0))
    }

    /// Makes `common` this generation's common words: saved with it, and paired by its
    /// analyzers from now on.
    fn adopt(&mut self, common: pairs::CommonWords) -> Result<()> {
        self.save_and_register(&common)?;
        self.def = self.def.clone().with_common_words(common);
        Ok(())
    }

    fn save_and_register(&self, common: &pairs::CommonWords) -> Result<()> {
        save_common_words(&self.dir, common)?;
        self.def
            .clone()
            .with_common_words(common.clone())
            .register(&self.index)?;
        Ok(())
    }

    fn writer(&self) -> Result<IndexWriter> {
        rebuild::new_writer(&self.index)
    }

    /// Bytes on disk of this generation.
    pub fn disk_bytes(&self) -> u64 {
        dir_size(&self.dir)
    }
}

/// The common words saved in generation folder `dir`.
fn load_common_words(dir: &Path) -> Result<pairs::CommonWords> {
    pairs::CommonWords::load(dir).map_err(|source| IndexError::Io {
        path: dir.join(pairs::COMMON_WORDS_FILE),
        source,
    })
}

/// Saves `common` as the common words of generation folder `dir`.
fn save_common_words(dir: &Path, common: &pairs::CommonWords) -> Result<()> {
    common.save(dir).map_err(|source| IndexError::Io {
        path: dir.join(pairs::COMMON_WORDS_FILE),
        source,
    })
}

/// The common words of the documents in `store` (a sample of them), analyzed as the body is.
pub(crate) fn pick_common_words(def: &SchemaDef, store: &Store) -> Result<pairs::CommonWords> {
    let mut analyzer = def.analyzer("en")?;
    let mut bound = pairs::SampleBound::default();
    let sample = store.sample_texts(|title, body| bound.takes(title, body))?;
    Ok(pairs::CommonWords::pick(
        &mut analyzer,
        sample.iter().map(|(t, b)| (t.as_str(), b.as_str())),
    ))
}

/// Creates an empty index with `def`'s schema in `dir`, committed with sequence 0, with
/// `def`'s common words saved beside it.
fn create_empty(dir: &Path, def: &SchemaDef) -> Result<Index> {
    let (schema, _) = def.build()?;
    if !def.common_words().is_empty() {
        save_common_words(dir, def.common_words())?;
    }
    let index = Index::create_in_dir(dir, schema)?;
    def.register(&index)?;
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000)?;
    commit(&mut writer, 0, def.version)?;
    Ok(index)
}

/// Commits `writer` recording `seq` and the schema version.
/// Adds one store change to `writer`.
fn apply(
    writer: &mut IndexWriter,
    fields: &Fields,
    change: Change,
    stats: &mut CatchUp,
) -> std::result::Result<(), StoreError> {
    match change {
        Change::Upsert(doc) => {
            writer.delete_term(Term::from_field_text(fields.id, &doc.id));
            writer
                .add_document(to_tantivy(&doc, fields))
                .map_err(|e| StoreError::Corrupt {
                    id: doc.id.clone(),
                    message: e.to_string(),
                })?;
            stats.upserts += 1;
        }
        Change::Delete(id) => {
            writer.delete_term(Term::from_field_text(fields.id, &id));
            stats.deletes += 1;
        }
    }
    Ok(())
}

pub(crate) fn commit(writer: &mut IndexWriter, seq: u64, schema_version: u32) -> Result<()> {
    let payload = CommitPayload {
        seq,
        schema_version,
    };
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(&payload).unwrap_or_default());
    prepared.commit()?;
    Ok(())
}

fn read_payload(index: &Index) -> Result<CommitPayload> {
    let metas = index.load_metas()?;
    Ok(metas
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default())
}

/// Wraps a tantivy error met while opening the generation in `dir` as [`IndexError::Corrupt`].
fn corrupt<'a>(
    dir: &'a Path,
    what: &'a str,
) -> impl FnOnce(tantivy::TantivyError) -> IndexError + 'a {
    move |source| IndexError::Corrupt {
        dir: dir.to_owned(),
        what: what.to_owned(),
        source: Some(Box::new(source)),
    }
}

/// Checks that every file the last commit lists is there. tantivy opens segment files only
/// when a reader is made, so without this a generation missing files would pass for healthy
/// (and `status` would call it up to date). A file missing at the first look is looked up
/// again in a fresh `meta.json`: a writer in another process may have merged it away.
fn check_segment_files(index: &Index, dir: &Path) -> Result<()> {
    let mut missing = None;
    for _ in 0..3 {
        let metas = index
            .load_metas()
            .map_err(corrupt(dir, "cannot read meta.json"))?;
        missing = metas
            .segments
            .iter()
            .flat_map(segment_files)
            .find(|f| !dir.join(f).exists());
        if missing.is_none() {
            return Ok(());
        }
    }
    Err(IndexError::Corrupt {
        dir: dir.to_owned(),
        what: format!(
            "segment file {} is missing",
            missing.unwrap_or_default().display()
        ),
        source: None,
    })
}

/// The files every segment of trove's schema has (and its delete file, when it has deletes).
fn segment_files(seg: &tantivy::SegmentMeta) -> Vec<PathBuf> {
    use tantivy::index::SegmentComponent as C;
    let mut parts = vec![
        C::Postings,
        C::Positions,
        C::Terms,
        C::Store,
        C::FastFields,
        C::FieldNorms,
    ];
    if seg.has_deletes() {
        parts.push(C::Delete);
    }
    parts.into_iter().map(|c| seg.relative_path(c)).collect()
}

fn schema_fingerprint(schema: &Schema) -> String {
    serde_json::to_string(schema).unwrap_or_default()
}

/// Converts a document into the tantivy document the schema expects.
pub fn to_tantivy(doc: &Document, f: &Fields) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, &doc.id);
    d.add_text(f.source, &doc.source);
    d.add_text(f.kind, &doc.kind);
    d.add_text(f.title, &doc.title);
    d.add_text(f.body, &doc.body);
    d.add_text(f.title_pairs, &doc.title);
    d.add_text(f.body_pairs, &doc.body);
    if !doc.path.is_empty() {
        d.add_text(f.path, doc.breadcrumb());
    }
    for a in &doc.authors {
        d.add_text(f.authors, a);
    }
    for t in &doc.tags {
        d.add_text(f.tags, t);
    }
    d.add_text(f.url, &doc.url);
    if let Some(t) = doc.created_at {
        d.add_date(
            f.created_at,
            TDateTime::from_timestamp_micros(t.timestamp_micros()),
        );
    }
    if let Some(t) = doc.updated_at {
        d.add_date(
            f.updated_at,
            TDateTime::from_timestamp_micros(t.timestamp_micros()),
        );
    }
    d
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Holds the writer lock until dropped.
pub struct WriterLock(#[allow(dead_code)] File);

#[cfg(test)]
mod tests;
