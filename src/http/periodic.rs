//! `--sync-every`: syncs every configured source inside the server, one after the other, on a
//! fixed period. Runs on its own thread with its own runtime: a sync does blocking SQLite and
//! tantivy work that must not stall request handling. New documents reach searches the same
//! way another process's sync would (see [`super::state::follow_index`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;

use super::metrics::SyncRecord;
use super::state::AppState;
use crate::config::Config;
use crate::connectors::{NoProgress, SyncOptions};
use crate::data::DataDir;
use crate::sync::sync_source;

/// Starts the periodic sync thread. The configuration is loaded now (so a broken one fails the
/// start) and again before each round (so edits apply without a restart).
/// A data folder this process may not write gets no periodic sync (search goes on): the
/// startup log says why, in the words of `trove sync`.
pub fn start(state: Arc<AppState>, config: Option<PathBuf>, every: Duration) -> anyhow::Result<()> {
    let cfg = Config::load(config.as_deref())?;
    if cfg.sources.is_empty() {
        anyhow::bail!(
            "--sync-every needs sources: write a trove.toml with [[sources]] or set NOTION_TOKEN / MONDAY_TOKEN"
        );
    }
    if let Err(e) = DataDir::new(&state.data_dir).check_writable() {
        tracing::warn!("periodic sync not started: {e}; searching goes on");
        return Ok(());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the sync runtime")?;
    std::thread::Builder::new()
        .name("trove-sync".into())
        .spawn(move || rt.block_on(run(state, config, every)))
        .context("starting the sync thread")?;
    tracing::info!(every_secs = every.as_secs(), "periodic sync enabled");
    Ok(())
}

async fn run(state: Arc<AppState>, config: Option<PathBuf>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match Config::load(config.as_deref()) {
            Ok(cfg) => round(&state, &cfg).await,
            Err(e) => tracing::error!(error = %e, "periodic sync skipped: bad configuration"),
        }
    }
}

/// Syncs each source once and records the outcome for `/metrics`.
async fn round(state: &AppState, cfg: &Config) {
    for src in &cfg.sources {
        let result = match DataDir::new(&state.data_dir).check_writable() {
            // The folder turned read-only since the start: say so as `trove sync` would.
            Err(e) => Err(anyhow::Error::from(e)),
            Ok(()) => sync_source(&state.data_dir, src, &SyncOptions::default(), &NoProgress)
                .await
                .map_err(anyhow::Error::from),
        };
        let record = match result {
            Ok(o) => {
                if let Some(e) = &o.error {
                    tracing::warn!(source = %o.source, error = %e, hint = e.hint(), "periodic sync stopped early");
                } else {
                    tracing::info!(source = %o.source, added = o.summary.added, updated = o.summary.updated,
                        deleted = o.summary.deleted, secs = o.elapsed.as_secs_f64(), "periodic sync done");
                }
                SyncRecord {
                    at: Utc::now(),
                    ok: o.error.is_none(),
                    added: o.summary.added,
                    updated: o.summary.updated,
                    deleted: o.summary.deleted,
                }
            }
            Err(e) => {
                tracing::error!(source = %src.name, error = format!("{e:#}"), "periodic sync failed");
                SyncRecord {
                    at: Utc::now(),
                    ok: false,
                    added: 0,
                    updated: 0,
                    deleted: 0,
                }
            }
        };
        state.metrics.synced(&src.name, record);
    }
}
