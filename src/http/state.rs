//! [`AppState`]: what every request shares: the live [`Searcher`] (swapped, never mutated, when
//! the index changes), a small pool of [`Store`] connections, the [`Metrics`] and the API key.
//!
//! [`follow_index`] keeps the searcher current: every [`RELOAD_EVERY`] it checks
//! `<data>/index/CURRENT` (a `trove rebuild` in another process swapped generations: open the
//! new one, then swap the `Arc`; requests in flight finish on the old one) and the live
//! generation's `meta.json` (a commit by `trove sync`/`import`: reload the reader). tantivy's
//! own `OnCommitWithDelay` reload policy runs too; this check bounds the delay.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

use anyhow::Context;

use crate::data::{DataDir, EmbeddingsStatus};
use crate::index::{Generations, TroveIndex};
use crate::search::{Searcher, Semantic};
use crate::secret::Secret;
use crate::store::Store;

use super::cluster::ClusterHandle;
use super::errors::ApiError;
use super::metrics::Metrics;

/// How often the index folder is checked for new commits and generation swaps.
pub const RELOAD_EVERY: Duration = Duration::from_millis(300);
/// Idle store connections kept for reuse.
const POOL_MAX: usize = 16;

/// Shared by every request.
pub struct AppState {
    pub data_dir: PathBuf,
    searcher: RwLock<Arc<Searcher>>,
    stores: Mutex<Vec<Store>>,
    pub metrics: Metrics,
    pub api_key: Option<Secret>,
    /// Bounds concurrent blocking searches so a burst queues instead of piling threads. The
    /// blocking task itself holds its slot, so a timed-out request frees it only when its work
    /// has really stopped.
    pub slots: Arc<tokio::sync::Semaphore>,
    /// Model and vectors when semantic search is on (shared by every searcher generation).
    pub semantic: Option<Semantic>,
    /// The `[typesense]` cluster, when configured.
    pub cluster: Option<ClusterHandle>,
    /// How long a search or store lookup may take before the client gets a `timeout`; a
    /// search stops at it ([`crate::search::Budget`]).
    pub work_timeout: Duration,
}

impl AppState {
    pub fn new(
        data_dir: &Path,
        store: Store,
        index: TroveIndex,
        api_key: Option<Secret>,
        semantic: Option<Semantic>,
    ) -> anyhow::Result<Self> {
        let searcher = with_semantic(Searcher::new(index)?, semantic.as_ref());
        let slots = crate::search::concurrent_searches();
        Ok(AppState {
            data_dir: data_dir.to_owned(),
            searcher: RwLock::new(Arc::new(searcher)),
            stores: Mutex::new(vec![store]),
            metrics: Metrics::default(),
            api_key,
            slots: Arc::new(tokio::sync::Semaphore::new(slots)),
            semantic,
            cluster: None,
            work_timeout: super::routes::WORK_TIMEOUT,
        })
    }

    /// The `embeddings` part of `/status` and `/metrics`.
    pub fn embeddings_status(&self, store: &Store) -> Result<EmbeddingsStatus, ApiError> {
        match &self.semantic {
            Some(s) => EmbeddingsStatus::of(store, &s.embedder).map_err(ApiError::internal),
            None => Ok(EmbeddingsStatus::off(crate::data::no_model_reason(
                &self.data_dir,
            ))),
        }
    }

    /// Opens `data_dir` (the index caught up with the store; with `model_dir`, the model and
    /// vectors too) and starts [`follow_index`] on the current runtime. `cluster` is the
    /// `[typesense]` cluster for `/status`, `/metrics` and, if it serves search, `/search`;
    /// `work_timeout` bounds each request's blocking work.
    pub async fn open(
        data_dir: &Path,
        api_key: Option<Secret>,
        model_dir: Option<PathBuf>,
        cluster: Option<ClusterHandle>,
        work_timeout: Duration,
    ) -> anyhow::Result<Arc<Self>> {
        let data = DataDir::new(data_dir);
        let (store, index, semantic) =
            tokio::task::spawn_blocking(move || open_all(&data, model_dir))
                .await
                .context("opening the data folder")??;
        let mut state = AppState::new(data_dir, store, index, api_key, semantic)?;
        state.cluster = cluster;
        state.work_timeout = work_timeout;
        let state = Arc::new(state);
        tokio::spawn(follow_index(Arc::clone(&state)));
        Ok(state)
    }

    /// The live searcher (cheap: an `Arc` clone).
    pub fn searcher(&self) -> Arc<Searcher> {
        match self.searcher.read() {
            Ok(s) => Arc::clone(&s),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn set_searcher(&self, s: Searcher) {
        let mut guard = match self.searcher.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(s);
    }

    /// Runs `f` with a pooled store connection (opening one if the pool is empty). Blocking:
    /// call from `spawn_blocking`.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let pooled = self.stores.lock().ok().and_then(|mut p| p.pop());
        let store = match pooled {
            Some(s) => s,
            None => Store::open(&self.data_dir).map_err(ApiError::internal)?,
        };
        let out = f(&store);
        if let Ok(mut p) = self.stores.lock() {
            if p.len() < POOL_MAX {
                p.push(store);
            }
        }
        out
    }
}

/// What the watcher last saw of the index folder.
#[derive(Debug, Default, PartialEq, Eq, Clone)]
struct Seen {
    generation: Option<PathBuf>,
    meta: Option<(SystemTime, u64)>,
}

fn look(data_dir: &Path) -> Seen {
    let generation = Generations::new(data_dir).current().ok().flatten();
    let meta = generation.as_ref().and_then(|dir| {
        let m = std::fs::metadata(dir.join("meta.json")).ok()?;
        Some((m.modified().ok()?, m.len()))
    });
    Seen { generation, meta }
}

/// Follows commits and generation swaps until the process ends.
pub async fn follow_index(state: Arc<AppState>) {
    let mut seen = look(&state.data_dir);
    let mut tick = tokio::time::interval(RELOAD_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let st = Arc::clone(&state);
        let prev = seen.clone();
        match tokio::task::spawn_blocking(move || refresh(&st, &prev)).await {
            Ok(Some(now)) => seen = now,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "index refresh task failed"),
        }
    }
}

/// One check; returns what was seen when it acted on a change.
fn refresh(state: &AppState, prev: &Seen) -> Option<Seen> {
    let now = look(&state.data_dir);
    if now == *prev {
        return None;
    }
    let current = state.searcher();
    if now.generation.as_deref() != Some(current.index().dir()) {
        // Keep serving the old generation until the new one is open.
        match TroveIndex::open(&state.data_dir)
            .map_err(anyhow::Error::from)
            .and_then(|i| Ok(with_semantic(Searcher::new(i)?, state.semantic.as_ref())))
        {
            Ok(s) => {
                tracing::info!(generation = %s.index().dir().display(), "switched to a new index generation");
                state.set_searcher(s);
                state.metrics.swapped();
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot open the new index generation yet; will retry");
                return None;
            }
        }
    } else if let Err(e) = current.reload() {
        tracing::warn!(error = %e, "index reload failed; will retry");
        return None;
    }
    state.metrics.reloaded();
    Some(now)
}

/// `searcher` with semantic search when a model is loaded.
fn with_semantic(searcher: Searcher, semantic: Option<&Semantic>) -> Searcher {
    match semantic {
        Some(s) => searcher.with_semantic(s.clone()),
        None => searcher,
    }
}

/// Embeds what the store has waiting and applies it to the shared vector index, every
/// [`EMBED_EVERY`], until the process ends: documents are keyword-searchable at once and
/// semantically searchable as their vectors arrive. Runs on its own thread (CPU-bound).
pub fn embed_in_background(state: Arc<AppState>) {
    let Some(semantic) = state.semantic.clone() else {
        return;
    };
    std::thread::spawn(move || loop {
        if let Err(e) = embed_once(&state.data_dir, &semantic) {
            tracing::warn!(error = %e, "background embedding failed; will retry");
        }
        std::thread::sleep(EMBED_EVERY);
    });
}

/// How often the background embedder looks for new documents.
pub const EMBED_EVERY: Duration = Duration::from_secs(2);

fn embed_once(data_dir: &Path, semantic: &Semantic) -> anyhow::Result<()> {
    let mut store = Store::open(data_dir)?;
    if store.pending_vectors(semantic.embedder.id())? == 0 {
        return Ok(());
    }
    // A second connection applies each committed chunk as it lands, so searches see the
    // vectors fill in while the rest is embedded.
    let reader = Store::open(data_dir)?;
    let done = crate::embed::embed_pending(&mut store, &semantic.embedder, |_, _| {
        if let Err(e) = semantic.refresh(&reader, None) {
            tracing::warn!(error = %e, "applying new vectors failed; will retry");
        }
    })?;
    let gen = Generations::new(data_dir).current()?;
    semantic.refresh(&store, gen.as_deref())?;
    tracing::info!(
        embedded = done.embedded,
        reused = done.reused,
        "embedded new documents"
    );
    Ok(())
}

/// The store, the index and, with a model folder, the model and vectors.
fn open_all(
    data: &DataDir,
    model_dir: Option<PathBuf>,
) -> anyhow::Result<(Store, TroveIndex, Option<Semantic>)> {
    let (store, index) = data.open()?;
    let semantic = match model_dir {
        Some(dir) => Some(
            Semantic::open(&dir, index.dir(), &store)
                .with_context(|| format!("loading the embedding model from {}", dir.display()))?,
        ),
        None => None,
    };
    Ok((store, index, semantic))
}
