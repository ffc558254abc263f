//! [`push`]: brings a cluster up to date with the store, by change sequence.
//!
//! A reader thread streams the store's changes after the recorded sequence
//! ([`Store::changes_in_order`]: deletes, then upserts in sequence order) and renders each
//! document as a bulk line, while the async side sends batches to the [`Engine`]. After each
//! acknowledged batch the pushed sequence is recorded in the store ([`PushState`]); never
//! before, so a push killed at any point resumes where the cluster is known to be, and resends
//! at most one batch (idempotent upserts by id).
//!
//! `--rebuild`, a first push, or an alias that no longer points where the store thinks it does
//! loads a fresh physical collection `<alias>_<millis>`, catches it up, moves the alias to it
//! (atomic for searches), records the new state, then drops the old collection after a grace
//! period so searches already running on it finish.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{Engine, PushState};
use crate::store::{Change, Store, StoreError};

/// A push failure: the store, the cluster, or the push lock.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The engine's own error (its message says what to check).
    #[error(transparent)]
    Engine(Box<dyn std::error::Error + Send + Sync>),
    #[error(
        "`{alias}` is a collection trove did not create (trove pushes into `{alias}_<timestamp>` \
         collections behind an alias named `{alias}`); drop it or set `typesense.collection` \
         to another name"
    )]
    NotAnAlias { alias: String },
    #[error("cannot take the push lock {path}")]
    Lock {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the store reader stopped: {0}")]
    Reader(String),
}

fn engine_err<E: std::error::Error + Send + Sync + 'static>(e: E) -> PushError {
    PushError::Engine(Box::new(e))
}

/// How to push.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Load a new collection and move the alias, instead of applying changes.
    pub rebuild: bool,
    /// Documents per bulk request.
    pub batch: usize,
    /// Bulk requests sent before the oldest one must be acknowledged (at least 1). Two keep
    /// the leader indexing while the next batch travels; acknowledgements are still recorded
    /// in order.
    pub in_flight: usize,
    /// How long a replaced collection stays before it is dropped.
    pub grace: Duration,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            rebuild: false,
            batch: super::typesense::IMPORT_BATCH,
            in_flight: 2,
            grace: Duration::from_secs(5),
        }
    }
}

/// What a push did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PushReport {
    pub upserts: u64,
    pub deletes: u64,
    /// The store sequence the cluster now reflects.
    pub seq: u64,
    /// The physical collection behind the alias.
    pub collection: String,
    /// Whether a new collection was loaded and swapped in.
    pub rebuilt: bool,
    /// The collection that was replaced (and dropped).
    pub replaced: Option<String>,
    pub elapsed_secs: f64,
}

impl PushReport {
    pub fn docs_per_sec(&self) -> f64 {
        self.upserts as f64 / self.elapsed_secs.max(1e-9)
    }
}

/// Pushes the store in `data_dir` to `engine` under `alias`. `progress(done)` is called with
/// the number of documents sent so far.
pub async fn push<E: Engine>(
    engine: Arc<E>,
    alias: &str,
    data_dir: &Path,
    opts: &PushOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<PushReport, PushError> {
    let start = Instant::now();
    let _lock = lock(data_dir, alias)?;
    let store = Store::open(data_dir)?;
    let state = PushState::load(&store, alias)?;
    let live = engine.alias_target(alias).await.map_err(engine_err)?;
    // Learns which node leads, so bulk writes need no forwarding hop.
    engine.health().await;
    if live.is_none() && engine.collection_exists(alias).await.map_err(engine_err)? {
        return Err(PushError::NotAnAlias {
            alias: alias.to_owned(),
        });
    }
    let p = Pusher {
        engine,
        alias: alias.to_owned(),
        data_dir: data_dir.to_owned(),
        opts: opts.clone(),
        progress,
        done: Default::default(),
    };
    let mut report = match (state, live) {
        (Some(s), Some(live)) if !opts.rebuild && s.collection == live => {
            p.incremental(&store, s).await?
        }
        (_, live) => p.rebuild(&store, live).await?,
    };
    report.elapsed_secs = start.elapsed().as_secs_f64();
    Ok(report)
}

/// One store-reader message.
enum Item {
    Delete(String),
    Upsert(u64, String),
    End(u64),
}

/// One bulk body being filled: its lines, how many, and the sequence of the last.
#[derive(Default)]
struct Batch {
    body: String,
    docs: usize,
    seq: u64,
}

impl Batch {
    fn push(&mut self, seq: u64, line: &str) {
        self.body.push_str(line);
        self.body.push('\n');
        self.docs += 1;
        self.seq = seq;
    }
}

/// A bulk request on its way: (its last sequence, its documents) once acknowledged.
type Upsert<Err> = tokio::task::JoinHandle<Result<(u64, u64), Err>>;
/// The bulk requests on their way, oldest first.
type InFlight<Err> = std::collections::VecDeque<Upsert<Err>>;

struct Pusher<'a, E> {
    engine: Arc<E>,
    alias: String,
    data_dir: PathBuf,
    opts: PushOptions,
    progress: &'a (dyn Fn(u64) + Sync),
    /// Documents acknowledged so far (for `progress`).
    done: std::sync::atomic::AtomicU64,
}

impl<E: Engine> Pusher<'_, E> {
    /// Applies the changes after the recorded sequence to the live collection.
    async fn incremental(
        &self,
        store: &Store,
        mut state: PushState,
    ) -> Result<PushReport, PushError> {
        let (collection, after) = (state.collection.clone(), state.seq);
        let mut record = |seq: u64| -> Result<(), PushError> {
            state.seq = seq;
            if seq >= store.max_seq()? {
                state.caught_up_at = Some(Utc::now());
            }
            Ok(state.save(store, &self.alias)?)
        };
        let (upserts, deletes, seq) = self.send_changes(&collection, after, &mut record).await?;
        Ok(PushReport {
            upserts,
            deletes,
            seq,
            collection,
            ..PushReport::default()
        })
    }

    /// Loads a new collection, catches it up, moves the alias, drops the old collection.
    async fn rebuild(&self, store: &Store, live: Option<String>) -> Result<PushReport, PushError> {
        let e = &self.engine;
        self.drop_orphans(live.as_deref()).await?;
        let name = format!("{}_{}", self.alias, Utc::now().timestamp_millis());
        e.create_collection(&name).await.map_err(engine_err)?;
        // Progress of a collection the alias does not point at yet is not worth recording.
        let mut noop = |_: u64| -> Result<(), PushError> { Ok(()) };
        let (upserts, _, mut seq) = self.send_changes(&name, 0, &mut noop).await?;
        // Changes that reached the store while loading.
        let (more, deletes, s) = self.send_changes(&name, seq, &mut noop).await?;
        seq = s;
        e.point_alias(&self.alias, &name)
            .await
            .map_err(engine_err)?;
        e.settle(&self.alias, &name).await.map_err(engine_err)?;
        let state = PushState {
            collection: name.clone(),
            seq,
            caught_up_at: (seq >= store.max_seq()?).then(Utc::now),
        };
        state.save(store, &self.alias)?;
        if let Some(old) = live.as_deref().filter(|o| *o != name) {
            tokio::time::sleep(self.opts.grace).await;
            e.drop_collection(old).await.map_err(engine_err)?;
        }
        Ok(PushReport {
            upserts: upserts + more,
            deletes,
            seq,
            collection: name,
            rebuilt: true,
            replaced: live,
            elapsed_secs: 0.0,
        })
    }

    /// Drops `<alias>_<digits>` collections the alias does not point at (left by a rebuild
    /// that was interrupted before its swap).
    async fn drop_orphans(&self, live: Option<&str>) -> Result<(), PushError> {
        let prefix = format!("{}_", self.alias);
        for name in self.engine.collections().await.map_err(engine_err)? {
            let ours = name
                .strip_prefix(&prefix)
                .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()));
            if ours && Some(name.as_str()) != live {
                tracing::info!(collection = %name, "dropping a collection left by an interrupted rebuild");
                self.engine
                    .drop_collection(&name)
                    .await
                    .map_err(engine_err)?;
            }
        }
        Ok(())
    }

    /// Sends every change after `after` to `collection`; calls `record(seq)` after each
    /// acknowledged batch, in order. Returns (upserts, deletes, the sequence now reflected).
    ///
    /// Up to [`PushOptions::in_flight`] upsert batches are on their way at once, each on its
    /// own task; `record` sees a batch's sequence only once it and every batch before it were
    /// acknowledged. Deletes come first in the change order, so they never pass an upsert.
    async fn send_changes(
        &self,
        collection: &str,
        after: u64,
        record: &mut dyn FnMut(u64) -> Result<(), PushError>,
    ) -> Result<(u64, u64, u64), PushError> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Item>(self.opts.batch * 2);
        let reader = self.spawn_reader(after, tx);
        let mut deletes = Vec::new();
        let mut batch = Batch::default();
        let mut sent = InFlight::default();
        let (mut n_up, mut n_del) = (0u64, 0u64);
        let mut upto = None;
        while let Some(item) = rx.recv().await {
            match item {
                Item::Delete(id) => deletes.push(id),
                Item::Upsert(seq, line) => {
                    if !deletes.is_empty() {
                        n_up += self.drain(&mut sent, 0, record).await?;
                        n_del += self.flush_deletes(collection, &mut deletes).await?;
                    }
                    batch.push(seq, &line);
                    if batch.docs >= self.opts.batch {
                        sent.push_back(self.spawn_upsert(collection, std::mem::take(&mut batch)));
                        let keep = self.opts.in_flight.max(1) - 1;
                        n_up += self.drain(&mut sent, keep, record).await?;
                    }
                }
                Item::End(seq) => upto = Some(seq),
            }
        }
        let upto = join_reader(reader, upto)?;
        n_up += self.drain(&mut sent, 0, record).await?;
        n_del += self.flush_deletes(collection, &mut deletes).await?;
        if batch.docs > 0 {
            sent.push_back(self.spawn_upsert(collection, batch));
            n_up += self.drain(&mut sent, 0, record).await?;
        }
        if upto > after {
            record(upto)?;
        }
        Ok((n_up, n_del, upto.max(after)))
    }

    /// Sends one batch on its own task, so it travels while the next one is read.
    fn spawn_upsert(&self, collection: &str, batch: Batch) -> Upsert<E::Error> {
        let engine = Arc::clone(&self.engine);
        let collection = collection.to_owned();
        let (seq, docs) = (batch.seq, batch.docs as u64);
        tokio::spawn(async move {
            engine.upsert(&collection, batch.body).await?;
            Ok((seq, docs))
        })
    }

    /// Waits for the oldest batches until at most `keep` are in flight, recording each
    /// acknowledged one; returns the documents acknowledged.
    async fn drain(
        &self,
        sent: &mut InFlight<E::Error>,
        keep: usize,
        record: &mut dyn FnMut(u64) -> Result<(), PushError>,
    ) -> Result<u64, PushError> {
        let mut acked = 0;
        while sent.len() > keep {
            let Some(task) = sent.pop_front() else { break };
            let joined = task
                .await
                .map_err(|e| PushError::Reader(format!("a bulk request task failed: {e}")))?;
            let (seq, docs) = joined.map_err(engine_err)?;
            acked += docs;
            record(seq)?;
            self.acked(docs);
        }
        Ok(acked)
    }

    /// Progress: `docs` more were acknowledged.
    fn acked(&self, docs: u64) {
        let total = self
            .done
            .fetch_add(docs, std::sync::atomic::Ordering::Relaxed)
            + docs;
        (self.progress)(total);
    }

    async fn flush_deletes(
        &self,
        collection: &str,
        ids: &mut Vec<String>,
    ) -> Result<u64, PushError> {
        if ids.is_empty() {
            return Ok(0);
        }
        self.engine
            .delete(collection, ids)
            .await
            .map_err(engine_err)?;
        let n = ids.len() as u64;
        ids.clear();
        Ok(n)
    }

    /// Reads changes on a thread, rendering bulk lines there (off the async path).
    fn spawn_reader(
        &self,
        after: u64,
        tx: tokio::sync::mpsc::Sender<Item>,
    ) -> std::thread::JoinHandle<Result<(), StoreError>> {
        let engine = Arc::clone(&self.engine);
        let dir = self.data_dir.clone();
        std::thread::spawn(move || {
            let mut store = Store::open(&dir)?;
            let upto = store.changes_in_order(after, |seq, change| {
                let item = match change {
                    Change::Delete(id) => Item::Delete(id),
                    Change::Upsert(doc) => Item::Upsert(seq, engine.bulk_line(&doc)),
                };
                // A closed channel means the sender failed (it reports why): stop reading.
                tx.blocking_send(item)
                    .map_err(|_| StoreError::Output(std::io::Error::other("push stopped")))
            })?;
            let _ = tx.blocking_send(Item::End(upto));
            Ok(())
        })
    }
}

fn join_reader(
    reader: std::thread::JoinHandle<Result<(), StoreError>>,
    upto: Option<u64>,
) -> Result<u64, PushError> {
    reader
        .join()
        .map_err(|_| PushError::Reader("the store reader thread panicked".into()))??;
    upto.ok_or_else(|| PushError::Reader("the store reader ended without its sequence".into()))
}

/// One push per alias and data folder at a time (sync's auto-push and a manual one).
fn lock(data_dir: &Path, alias: &str) -> Result<File, PushError> {
    let path = data_dir.join(format!("push-{alias}.lock"));
    let err = |source| PushError::Lock {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(err)?;
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(err)?;
    f.lock().map_err(err)?;
    Ok(f)
}

#[cfg(test)]
#[path = "push_tests.rs"]
mod tests;
