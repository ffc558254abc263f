//! Crawler tests against the in-test server of [`fake`], with an in-memory [`MemSink`].

mod fake;
mod regressions;
mod scenarios;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{sync, Tuning};
use crate::config::SourceConfig;
pub(crate) use crate::connectors::RecordingProgress;
use crate::connectors::{ConnectorError, SyncOptions, SyncRun, SyncSummary};
use crate::document::SourceKind;
use crate::secret::Secret;

pub(super) const TOKEN: &str = "tok-very-secret-123";

pub use crate::connectors::testing::MemSink;

pub fn config(url: &str) -> SourceConfig {
    SourceConfig::unpaced("mon", SourceKind::Monday, Secret::new(TOKEN), url)
}

/// No waiting at all, small pages.
pub fn tuning() -> Tuning {
    Tuning {
        time_scale: 0.0,
        items_per_page: 3,
        max_query_cost: 1000,
        sweep_per_page: 4,
        boards_per_page: 2,
        updates_per_page: 3,
        ..Tuning::default()
    }
}

pub async fn run(
    cfg: &SourceConfig,
    sink: &mut MemSink,
    full: bool,
) -> Result<SyncSummary, ConnectorError> {
    run_with(cfg, sink, full, &RecordingProgress::default()).await
}

pub async fn run_with(
    cfg: &SourceConfig,
    sink: &mut MemSink,
    full: bool,
    p: &RecordingProgress,
) -> Result<SyncSummary, ConnectorError> {
    let opts = SyncOptions { full };
    let run = SyncRun {
        cfg,
        sink,
        opts: &opts,
        progress: p,
    };
    sync(run, tuning()).await
}

pub fn board(id: &str, name: &str) -> Value {
    json!({
        "id": id, "name": name, "state": "active", "type": "board",
        "url": format!("https://acme.monday.com/boards/{id}"),
        "workspace": { "id": "9", "name": "Ops" },
        "groups": [{ "id": "g", "title": "Group" }],
        "columns": [{ "id": "status", "title": "Status", "type": "status" }],
    })
}

pub fn item(id: &str, board: &str, updated_at: DateTime<Utc>) -> Value {
    json!({
        "id": id, "name": format!("Item {id}"), "state": "active",
        "created_at": "2024-01-01T00:00:00Z", "updated_at": updated_at.to_rfc3339(),
        "url": format!("https://acme.monday.com/boards/{board}/pulses/{id}"),
        "board": { "id": board }, "group": { "id": "g", "title": "Group" }, "parent_item": null,
        "creator": { "id": "1", "name": "Ann Lee" },
        "column_values": [{ "id": "status", "type": "status", "text": "Done", "value": null }],
        "updates": [],
    })
}

pub fn subitem(id: &str, sub_board: &str, parent: &Value, updated_at: DateTime<Utc>) -> Value {
    let mut s = item(id, sub_board, updated_at);
    s["parent_item"] = json!({ "id": parent["id"], "name": parent["name"], "board": parent["board"], "group": parent["group"] });
    s
}

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The sync future can be spawned on a multi-threaded runtime.
#[allow(dead_code)]
fn sync_future_is_send(cfg: &SourceConfig, sink: &mut MemSink, p: &RecordingProgress) {
    fn assert_send<T: Send>(_: T) {}
    let opts = SyncOptions::default();
    let run = SyncRun {
        cfg,
        sink,
        opts: &opts,
        progress: p,
    };
    assert_send(super::sync(run, tuning()));
}
