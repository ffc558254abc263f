//! Semantic search from the command line: which model folder is in use (`--model-dir`, env
//! `TROVE_MODEL_DIR`, `[embeddings] model_dir`, else `<data-dir>/models/all-MiniLM-L6-v2` when
//! it exists), loading it for searches, and finishing the embedding of what a `sync`,
//! `import` or `rebuild` wrote before the command exits (progress bar on a terminal).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::Ctx;
use trove::data::EmbeddingsStatus;
use trove::embed::Embedder;
use trove::index::vectors::embed_and_save;
use trove::index::TroveIndex;
use trove::search::Semantic;
use trove::store::Store;

impl Ctx {
    /// The model folder in use, if any.
    pub fn model_dir(&self) -> anyhow::Result<Option<PathBuf>> {
        let configured = trove::config::Config::model_dir_setting(self.config.as_deref())?;
        Ok(trove::embed::locate(
            &[self.model_dir.clone(), configured],
            &self.data_dir,
        ))
    }

    /// The model, loaded; `None` when no model folder is configured or present.
    pub fn embedder(&self) -> anyhow::Result<Option<Embedder>> {
        let Some(dir) = self.model_dir()? else {
            return Ok(None);
        };
        let embedder = Embedder::load(&dir)
            .with_context(|| format!("loading the embedding model from {}", dir.display()))?;
        Ok(Some(embedder))
    }

    /// Model and vector index for searching; `None` (keyword search only) without a model.
    pub fn semantic(&self, store: &Store, index: &TroveIndex) -> anyhow::Result<Option<Semantic>> {
        let Some(dir) = self.model_dir()? else {
            return Ok(None);
        };
        let semantic = Semantic::open(&dir, index.dir(), store)
            .with_context(|| format!("loading the embedding model from {}", dir.display()))?;
        Ok(Some(semantic))
    }

    /// The `embeddings` part of `status`.
    pub fn embeddings_status(&self, store: &Store) -> anyhow::Result<EmbeddingsStatus> {
        match self.embedder() {
            Ok(Some(e)) => Ok(EmbeddingsStatus::of(store, &e)?),
            Ok(None) => Ok(EmbeddingsStatus::off(trove::data::no_model_reason(
                &self.data_dir,
            ))),
            Err(e) => Ok(EmbeddingsStatus::off(format!("{e:#}"))),
        }
    }

    /// Embeds everything the store has waiting (when a model is in use) and saves the current
    /// generation's vectors, so the command exits with semantic search up to date.
    pub fn finish_embedding(&self) -> anyhow::Result<()> {
        let Some(embedder) = self.embedder()? else {
            return Ok(());
        };
        let bar = progress_bar();
        let start = Instant::now();
        let done = embed_and_save(&self.data_dir, &embedder, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .context("embedding documents for semantic search")?;
        bar.finish_and_clear();
        let e = done.embedded;
        if e.embedded + e.reused > 0 {
            eprintln!(
                "embedded {} documents ({} passages, {:.1} passages/s), reused vectors of {}; semantic index: {} documents",
                e.embedded,
                e.passages,
                e.passages as f64 / start.elapsed().as_secs_f64().max(1e-9),
                e.reused,
                done.docs
            );
        }
        Ok(())
    }
}

fn progress_bar() -> ProgressBar {
    if !super::stderr_is_tty() {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(0);
    b.set_style(
        ProgressStyle::with_template("{spinner} embedding {pos}/{len} documents {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b
}
