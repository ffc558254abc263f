//! Fake Notion server: real HTTP on loopback (axum) behaving like Notion's public API pinned
//! to `Notion-Version: 2025-09-03` (2026-03-11 tolerated), per ../shared/docs/notion-api.md.
//!
//! [`FakeNotion::start`] serves a [`Workspace`] (`model.rs`), built by [`generate`]
//! (`generate.rs`, `blocks.rs`, `database.rs`, vocabulary in `text.rs`) or loaded by
//! [`Workspace::from_fixtures`] (`fixtures.rs`). Every `/v1` request passes the gate in
//! `gate.rs` (count → auth → version → rate limit → [`Faults`], `faults.rs`) and then a
//! handler in `routes.rs` (row selection `query.rs`, property items `props.rs`, comments and
//! their generator `comments.rs`) that renders
//! model objects (`render.rs`, errors `reply.rs`) with opaque cursors (`pagination.rs`).
//! Tests mutate the workspace (`mutate.rs`) through the handle or the unauthenticated
//! `/__fake/…` endpoints (`control.rs`).
//!
//! Known simplifications: property filters of data-source queries are ignored (timestamp
//! filters and sorts work); search matches titles by substring; writes (POST/PATCH pages and
//! blocks) are not implemented.
//!
//! ```no_run
//! use trove_fakes::notion::{generate, FakeNotion, FakeNotionOptions, GenSpec};
//!
//! # async fn demo() -> std::io::Result<()> {
//! let ws = generate(&GenSpec::large());
//! let deepest = ws.deepest_page_id();
//! let server = FakeNotion::start(FakeNotionOptions { workspace: ws, ..Default::default() }).await?;
//! // point the crawler at server.url() with token "ntn_fake_token" …
//! assert!(server.requests().total == 0 || deepest.is_some());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod attach;
mod blocks;
mod comments;
mod control;
mod database;
mod faults;
mod fixtures;
mod gate;
mod generate;
mod model;
mod mutate;
mod pagination;
mod props;
mod query;
mod render;
mod reply;
mod routes;
pub(crate) mod text;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

pub use attach::AttachmentShowcase;
pub use comments::{comment_marker, Comment};
pub use faults::{FaultKind, Faults};
pub use generate::{generate, GenSpec};
pub use model::{Block, DataSource, Database, Markers, Page, Parent, Workspace, BLOCK_TYPES};
pub use render::ApiVersion;

/// How to start a [`FakeNotion`].
#[derive(Clone, Debug)]
pub struct FakeNotionOptions {
    pub workspace: Workspace,
    /// The only accepted bearer token.
    pub token: String,
    /// Requests per minute per token; `None` disables rate limiting.
    pub rate_limit_per_minute: Option<u32>,
    pub faults: Faults,
    /// Where to listen; `127.0.0.1:0` when `None`.
    pub addr: Option<SocketAddr>,
}

impl Default for FakeNotionOptions {
    fn default() -> Self {
        FakeNotionOptions {
            workspace: generate(&GenSpec::default()),
            token: "ntn_fake_token".into(),
            rate_limit_per_minute: Some(180),
            faults: Faults::none(),
            addr: None,
        }
    }
}

/// Requests seen on `/v1`, total, per endpoint (`"GET /v1/blocks/{id}/children"`) and
/// per status code.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestCounts {
    pub total: u64,
    pub by_endpoint: BTreeMap<String, u64>,
    pub by_status: BTreeMap<u16, u64>,
}

impl RequestCounts {
    /// Count for one endpoint key, e.g. `"POST /v1/search"`.
    pub fn endpoint(&self, key: &str) -> u64 {
        self.by_endpoint.get(key).copied().unwrap_or(0)
    }

    /// Count for one status code.
    pub fn status(&self, code: u16) -> u64 {
        self.by_status.get(&code).copied().unwrap_or(0)
    }
}

/// State shared by the handlers and the handle.
#[derive(Debug)]
pub(crate) struct Shared {
    ws: Mutex<Workspace>,
    faults: Mutex<faults::FaultState>,
    window: Mutex<faults::RateWindow>,
    counts: Mutex<RequestCounts>,
    rate_limit: Mutex<Option<u32>>,
    token: String,
    next_request: AtomicU64,
    file_stats: Mutex<crate::files::FileStats>,
}

/// Locks a mutex, ignoring poisoning (a panicking test must not wedge the server).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    fn new(opts: FakeNotionOptions) -> Shared {
        Shared {
            ws: Mutex::new(opts.workspace),
            faults: Mutex::new(faults::FaultState::new(opts.faults)),
            window: Mutex::new(faults::RateWindow::default()),
            counts: Mutex::new(RequestCounts::default()),
            rate_limit: Mutex::new(opts.rate_limit_per_minute),
            token: opts.token,
            next_request: AtomicU64::new(1),
            file_stats: Mutex::new(crate::files::FileStats::default()),
        }
    }

    fn ws(&self) -> MutexGuard<'_, Workspace> {
        lock(&self.ws)
    }
}

/// A running fake server. Dropping it (or [`FakeNotion::shutdown`]) stops it.
#[derive(Debug)]
pub struct FakeNotion {
    shared: Arc<Shared>,
    server: crate::Running,
}

impl FakeNotion {
    /// Binds (127.0.0.1:0 by default) and serves in a background task.
    pub async fn start(opts: FakeNotionOptions) -> std::io::Result<FakeNotion> {
        let addr = opts.addr;
        let shared = Arc::new(Shared::new(opts));
        let app = routes::app(shared.clone());
        let server = crate::Running::start(addr, app, "notion").await?;
        Ok(FakeNotion { shared, server })
    }

    /// Base URL without `/v1`, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.server.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }

    /// Replaces a text block's content; bumps block and page `last_edited_time`.
    pub fn edit_block_text(&self, block_id: &str, text: &str) -> bool {
        self.shared.ws().edit_block_text(block_id, text)
    }

    /// Adds a page with one paragraph under `parent` (a page id) or at the top level.
    pub fn add_page(&self, parent: Option<&str>, title: &str, text: &str) -> Option<String> {
        self.shared.ws().add_page(parent, title, text)
    }

    /// Appends a paragraph to a page or block (bumps the page). Returns the block id.
    pub fn append_paragraph(&self, parent: &str, text: &str) -> Option<String> {
        self.shared.ws().append_paragraph(parent, text)
    }

    /// Gives access back to an unshared page (and its sub-pages).
    pub fn share_page(&self, page_id: &str) -> bool {
        self.shared.ws().share_page(page_id)
    }

    /// Adds a comment to a page or block (see [`Workspace::add_comment`]).
    pub fn add_comment(&self, target: &str, text: &str) -> Option<String> {
        self.shared
            .ws()
            .add_comment(target, text, None)
            .map(|(id, _)| id)
    }

    /// Makes `GET /v1/comments` answer 403 `restricted_resource` (or stop doing so).
    pub fn set_comments_forbidden(&self, forbidden: bool) {
        self.shared.ws().comments_forbidden = forbidden;
    }

    /// Moves a page to the trash.
    pub fn trash_page(&self, page_id: &str) -> bool {
        self.shared.ws().trash_page(page_id)
    }

    /// Revokes access to a page (404, gone from search).
    pub fn unshare_page(&self, page_id: &str) -> bool {
        self.shared.ws().unshare_page(page_id)
    }

    /// Deletes a page permanently.
    pub fn delete_page(&self, page_id: &str) -> bool {
        self.shared.ws().delete_page(page_id)
    }

    /// Replaces the fault configuration (restarting its script and dice).
    pub fn set_faults(&self, f: Faults) {
        lock(&self.shared.faults).set(f);
    }

    /// Changes the per-token rate limit (`None` = off).
    pub fn set_rate_limit(&self, per_minute: Option<u32>) {
        *lock(&self.shared.rate_limit) = per_minute;
    }

    /// Request counters so far.
    pub fn requests(&self) -> RequestCounts {
        lock(&self.shared.counts).clone()
    }

    /// What the file host saw: links issued, downloads, expired links, tokens sent.
    pub fn file_stats(&self) -> crate::files::FileStats {
        lock(&self.shared.file_stats).clone()
    }

    /// Resets the request counters.
    pub fn reset_requests(&self) {
        *lock(&self.shared.counts) = RequestCounts::default();
    }

    /// A snapshot of the workspace.
    pub fn workspace(&self) -> Workspace {
        self.shared.ws().clone()
    }

    /// Runs `f` on the live workspace (for reads or custom mutations).
    pub fn with_workspace<R>(&self, f: impl FnOnce(&mut Workspace) -> R) -> R {
        f(&mut self.shared.ws())
    }
}

/// Serves on `addr` until Ctrl-C (for `trove fake notion`).
pub async fn run_standalone(addr: SocketAddr, opts: FakeNotionOptions) -> std::io::Result<()> {
    let server = FakeNotion::start(FakeNotionOptions {
        addr: Some(addr),
        ..opts
    })
    .await?;
    tracing::info!(url = %server.url(), "fake notion listening");
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
