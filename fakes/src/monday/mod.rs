//! Fake monday.com GraphQL API v2 on loopback, for tests, the demo and benchmarks.
//!
//! [`FakeMonday::start`] serves `POST /v2` with real GraphQL: queries are parsed with
//! `async-graphql-parser`, validated against the supported subset of the official SDL
//! ([`schema`], [`validate`], [`inputs`]) and executed against an in-memory [`Account`]
//! ([`exec`], [`resolve`], [`items_page`]). Auth, `API-Version`, complexity
//! ([`complexity`]), expiring cursors ([`cursors`]) and error bodies ([`errors`]) follow
//! ../shared/docs/monday-api.md; [`server`] runs those steps per request. Faults are injected
//! deterministically ([`faults`]). Tests change the data through the handle
//! (`edit_item_name`, `add_update`, …) or the unauthenticated `/__fake/…` endpoints
//! ([`control`]); every change is also written to the boards' [`activity`] logs.
//! [`generate()`] builds accounts of any size from a seed ([`layout`], [`vocab`]), with
//! column values that keep monday's `text`/`value` semantics ([`cells`]).

pub mod activity;
pub mod cells;
pub mod complexity;
pub mod control;
pub mod cursors;
pub mod errors;
pub mod exec;
pub mod faults;
pub mod gen_updates;
pub mod generate;
pub mod inputs;
pub mod items_page;
pub mod layout;
pub mod model;
pub mod resolve;
pub mod schema;
pub mod server;
pub mod validate;
pub mod vocab;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use faults::{FaultKind, Faults};
pub use generate::{generate, GenSpec};
pub use model::{item_marker, reply_marker, update_marker, Account, State};

use server::{lock, Shared, SharedState};

/// Request and spending counters (read with [`FakeMonday::stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Every `POST /v2`, including rejected ones.
    pub requests: u64,
    /// Requests answered with data and no errors.
    pub ok: u64,
    /// Requests answered with an error of any kind.
    pub errors: u64,
    /// 401s.
    pub unauthenticated: u64,
    /// Requests that drew an injected fault.
    pub faults_injected: u64,
    /// Complexity points charged.
    pub complexity_spent: u64,
    /// Authenticated, valid calls (what the daily limit counts).
    pub calls: u64,
    /// Executed root fields by name (`boards`, `next_items_page`, …).
    pub root_fields: BTreeMap<String, u64>,
}

/// How to run a [`FakeMonday`].
#[derive(Debug, Clone)]
pub struct FakeMondayOptions {
    pub account: Account,
    /// The only accepted token (raw or `Bearer`).
    pub token: String,
    /// Per-minute complexity budget; `None` = the real personal-token 10,000,000.
    pub complexity_budget_per_minute: Option<u64>,
    pub faults: Faults,
    /// Cursor lifetime from a chain's first request (real: 60 minutes).
    pub cursor_ttl: Duration,
    /// Where to listen; `None` = `127.0.0.1:0`.
    pub addr: Option<SocketAddr>,
}

impl Default for FakeMondayOptions {
    /// A small generated account, token `fake-monday-token`, real limits, no faults.
    fn default() -> Self {
        FakeMondayOptions {
            account: generate(&GenSpec::small()),
            token: "fake-monday-token".into(),
            complexity_budget_per_minute: None,
            faults: Faults::none(),
            cursor_ttl: Duration::from_secs(3600),
            addr: None,
        }
    }
}

/// A running fake server; dropping it (or [`FakeMonday::shutdown`]) stops it.
pub struct FakeMonday {
    state: SharedState,
    server: crate::Running,
}

impl FakeMonday {
    /// Binds (default `127.0.0.1:0`) and starts serving in the background.
    pub async fn start(opts: FakeMondayOptions) -> std::io::Result<FakeMonday> {
        let state: SharedState = Arc::new(Mutex::new(Shared {
            account: opts.account,
            cursors: cursors::Cursors::new(opts.cursor_ttl),
            budget: complexity::Budget::default(),
            faults: opts.faults,
            stats: Stats::default(),
            token: opts.token,
            budget_per_minute: opts
                .complexity_budget_per_minute
                .unwrap_or(complexity::DEFAULT_BUDGET_PER_MINUTE),
        }));
        let app = control::router(state.clone());
        let server = crate::Running::start(opts.addr, app, "monday").await?;
        Ok(FakeMonday { state, server })
    }

    /// The GraphQL endpoint, e.g. `http://127.0.0.1:41234/v2`.
    pub fn url(&self) -> String {
        format!("http://{}/v2", self.server.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }

    fn with<T>(&self, f: impl FnOnce(&mut Shared) -> T) -> T {
        f(&mut lock(&self.state))
    }

    /// Creates an empty item at the end of a board's first group; returns its id.
    pub fn create_item(&self, board_id: &str, name: &str) -> Option<String> {
        let id = board_id.parse().ok()?;
        self.with(|s| s.account.create_item(id, name))
            .map(|i| i.to_string())
    }

    /// Renames an item (bumps `updated_at`).
    pub fn edit_item_name(&self, item_id: &str, name: &str) -> bool {
        let Ok(id) = item_id.parse() else {
            return false;
        };
        self.with(|s| s.account.rename_item(id, name))
    }

    /// Sets a column from display text (bumps `updated_at`); false if invalid for the type.
    pub fn set_column_text(&self, item_id: &str, column_id: &str, text: &str) -> bool {
        let Ok(id) = item_id.parse() else {
            return false;
        };
        self.with(|s| s.account.set_column_text(id, column_id, text))
    }

    /// Posts an update (HTML body) on an item; does not bump the item's `updated_at`.
    pub fn add_update(&self, item_id: &str, html_body: &str) -> Option<String> {
        let id = item_id.parse().ok()?;
        self.with(|s| s.account.add_update(id, html_body))
            .map(|u| u.to_string())
    }

    /// Replies to an update.
    pub fn add_reply(&self, update_id: &str, html_body: &str) -> Option<String> {
        let id = update_id.parse().ok()?;
        self.with(|s| s.account.add_reply(id, html_body))
            .map(|u| u.to_string())
    }

    /// Archives an item: it leaves `items_page`, `items(ids:)` shows `state: archived`.
    pub fn archive_item(&self, item_id: &str) -> bool {
        self.set_item_state(item_id, State::Archived)
    }

    /// Deletes an item: it leaves `items_page`, `items(ids:)` shows `state: deleted`.
    pub fn delete_item(&self, item_id: &str) -> bool {
        self.set_item_state(item_id, State::Deleted)
    }

    fn set_item_state(&self, item_id: &str, state: State) -> bool {
        let Ok(id) = item_id.parse() else {
            return false;
        };
        self.with(|s| s.account.set_item_state(id, state))
    }

    /// Archives a board.
    pub fn archive_board(&self, board_id: &str) -> bool {
        let Ok(id) = board_id.parse() else {
            return false;
        };
        self.with(|s| s.account.set_board_state(id, State::Archived))
    }

    /// Deletes a board (its items then fail with an internal error, as on real monday).
    pub fn delete_board(&self, board_id: &str) -> bool {
        let Ok(id) = board_id.parse() else {
            return false;
        };
        self.with(|s| s.account.set_board_state(id, State::Deleted))
    }

    /// Moves the fake clock forward (the next mutation is stamped after it).
    pub fn advance_clock(&self, by: Duration) {
        let by = chrono::Duration::from_std(by).unwrap_or_else(|_| chrono::Duration::days(1));
        self.with(|s| s.account.advance_clock(by));
    }

    /// The fake clock's current time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.with(|s| s.account.now)
    }

    /// Expires every cursor handed out so far.
    pub fn expire_cursors(&self) {
        self.with(|s| s.cursors.expire_all());
    }

    /// Replaces the fault configuration.
    pub fn set_faults(&self, f: Faults) {
        self.with(|s| s.faults = f);
    }

    /// Counters since start (or the last reset).
    pub fn stats(&self) -> Stats {
        self.with(|s| s.stats.clone())
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.with(|s| s.stats = Stats::default());
    }

    /// A snapshot of the current account, for expectations in tests.
    pub fn account(&self) -> Account {
        self.with(|s| s.account.clone())
    }

    /// Runs `f` on the current account without copying it.
    pub fn with_account<T>(&self, f: impl FnOnce(&Account) -> T) -> T {
        self.with(|s| f(&s.account))
    }
}

/// Serves on `addr` until Ctrl-C (for `trove fake monday`).
pub async fn run_standalone(addr: SocketAddr, mut opts: FakeMondayOptions) -> std::io::Result<()> {
    opts.addr = Some(addr);
    let token = opts.token.clone();
    let server = FakeMonday::start(opts).await?;
    println!(
        "fake monday.com API listening on {} (token: {token})",
        server.url()
    );
    println!("control endpoints under http://{}/__fake/", server.addr());
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    Ok(())
}
