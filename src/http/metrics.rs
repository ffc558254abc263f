//! [`Metrics`]: counters the server keeps in memory, rendered in the Prometheus text format by
//! [`render`] together with gauges read at scrape time (documents per source, last sync per
//! source, index size).
//!
//! Only atomics and one small mutex: recording a query never waits on a scrape.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::store::SourceStatus;

/// Upper bounds (seconds) of the query latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// How a query ended, for `trove_queries_total{outcome}`.
#[derive(Debug, Clone, Copy)]
pub enum Outcome {
    Ok,
    BadRequest,
    Error,
}

/// The outcome of a sync run inside this server (`--sync-every`).
#[derive(Debug, Clone)]
pub struct SyncRecord {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub added: u64,
    pub updated: u64,
    pub deleted: u64,
}

/// In-memory counters.
#[derive(Debug, Default)]
pub struct Metrics {
    ok: AtomicU64,
    bad: AtomicU64,
    failed: AtomicU64,
    /// Cumulative counts per bucket of [`BUCKETS`], then `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    latency_micros: AtomicU64,
    reloads: AtomicU64,
    swaps: AtomicU64,
    syncs: Mutex<BTreeMap<String, SyncRecord>>,
    /// Searches on their threads: running now, started, and stopped by their budget.
    searches_running: AtomicU64,
    searches_started: AtomicU64,
    searches_stopped: AtomicU64,
}

/// A search running on its thread; counted in `trove_search_tasks_running` until
/// dropped.
pub struct RunningSearch<'a>(&'a Metrics);

impl Drop for RunningSearch<'_> {
    fn drop(&mut self) {
        self.0.searches_running.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Values read from the store and the index when `/metrics` is scraped.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub documents_by_source: Vec<(String, u64)>,
    pub sources: Vec<SourceStatus>,
    pub index_bytes: u64,
    pub index_documents: u64,
    pub index_segments: usize,
    /// Semantic search: model, dimensions, stored passage vectors, pending documents.
    pub embeddings: crate::data::EmbeddingsStatus,
}

impl Metrics {
    /// Records one `/search` request.
    pub fn query(&self, outcome: Outcome, took: Duration) {
        let counter = match outcome {
            Outcome::Ok => &self.ok,
            Outcome::BadRequest => &self.bad,
            Outcome::Error => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let secs = took.as_secs_f64();
        let slot = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        self.latency_micros
            .fetch_add(took.as_micros() as u64, Ordering::Relaxed);
    }

    /// A search starts running.
    pub fn search_started(&self) -> RunningSearch<'_> {
        self.searches_started.fetch_add(1, Ordering::Relaxed);
        self.searches_running.fetch_add(1, Ordering::Relaxed);
        RunningSearch(self)
    }

    /// A search stopped because its budget ran out (rather than finishing).
    pub fn search_stopped(&self) {
        self.searches_stopped.fetch_add(1, Ordering::Relaxed);
    }

    /// An index reader reload (new commit seen).
    pub fn reloaded(&self) {
        self.reloads.fetch_add(1, Ordering::Relaxed);
    }

    /// A generation swap (after `trove rebuild`).
    pub fn swapped(&self) {
        self.swaps.fetch_add(1, Ordering::Relaxed);
    }

    /// Remembers how an in-process sync of `source` ended.
    pub fn synced(&self, source: &str, record: SyncRecord) {
        if let Ok(mut m) = self.syncs.lock() {
            m.insert(source.to_owned(), record);
        }
    }

    fn syncs(&self) -> BTreeMap<String, SyncRecord> {
        self.syncs.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

/// The Prometheus text exposition of `m` and `snap`.
pub fn render(m: &Metrics, snap: &Snapshot) -> String {
    let mut out = String::with_capacity(4096);
    queries(&mut out, m);
    index(&mut out, m, snap);
    documents(&mut out, snap);
    syncs(&mut out, m, snap);
    embeddings(&mut out, &snap.embeddings);
    out
}

fn embeddings(out: &mut String, e: &crate::data::EmbeddingsStatus) {
    let gauges = [
        (
            "trove_embeddings_enabled",
            "1 when a model is loaded (semantic search on).",
            u64::from(e.enabled),
        ),
        (
            "trove_embeddings_dimensions",
            "Dimensions of the model's vectors.",
            e.dimensions.unwrap_or(0) as u64,
        ),
        (
            "trove_embeddings_vectors",
            "Passage vectors stored for the model.",
            e.vectors,
        ),
        (
            "trove_embeddings_pending",
            "Documents waiting to be embedded.",
            e.pending,
        ),
    ];
    for (name, help, v) in gauges {
        header(out, name, "gauge", help);
        let _ = writeln!(out, "{name} {v}");
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn queries(out: &mut String, m: &Metrics) {
    header(
        out,
        "trove_queries_total",
        "counter",
        "Search requests by outcome.",
    );
    for (label, c) in [("ok", &m.ok), ("bad_request", &m.bad), ("error", &m.failed)] {
        let _ = writeln!(
            out,
            "trove_queries_total{{outcome=\"{label}\"}} {}",
            c.load(Ordering::Relaxed)
        );
    }
    let name = "trove_query_duration_seconds";
    header(out, name, "histogram", "Search request latency.");
    let mut cumulative = 0;
    for (i, b) in BUCKETS.iter().enumerate() {
        cumulative += m.buckets[i].load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"{b}\"}} {cumulative}");
    }
    cumulative += m.buckets[BUCKETS.len()].load(Ordering::Relaxed);
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}");
    let sum = m.latency_micros.load(Ordering::Relaxed) as f64 / 1e6;
    let _ = writeln!(out, "{name}_sum {sum}");
    let _ = writeln!(out, "{name}_count {cumulative}");
    search_tasks(out, m);
}

fn search_tasks(out: &mut String, m: &Metrics) {
    let name = "trove_search_tasks_running";
    header(
        out,
        name,
        "gauge",
        "Searches (and MCP tool calls) running now.",
    );
    let _ = writeln!(out, "{name} {}", m.searches_running.load(Ordering::Relaxed));
    for (name, help, c) in [
        (
            "trove_search_tasks_total",
            "Searches (and MCP tool calls) started.",
            &m.searches_started,
        ),
        (
            "trove_search_tasks_stopped_total",
            "Searches stopped at their deadline (or when the client left) instead of finishing.",
            &m.searches_stopped,
        ),
    ] {
        header(out, name, "counter", help);
        let _ = writeln!(out, "{name} {}", c.load(Ordering::Relaxed));
    }
}

fn index(out: &mut String, m: &Metrics, snap: &Snapshot) {
    let gauges = [
        (
            "trove_index_bytes",
            "Bytes on disk of the live index generation.",
            snap.index_bytes,
        ),
        (
            "trove_index_documents",
            "Documents in the index.",
            snap.index_documents,
        ),
        (
            "trove_index_segments",
            "Segments of the index.",
            snap.index_segments as u64,
        ),
    ];
    for (name, help, v) in gauges {
        header(out, name, "gauge", help);
        let _ = writeln!(out, "{name} {v}");
    }
    let counters = [
        (
            "trove_index_reloads_total",
            "Index reader reloads (new commits seen).",
            &m.reloads,
        ),
        (
            "trove_index_swaps_total",
            "Index generation swaps followed (rebuilds).",
            &m.swaps,
        ),
    ];
    for (name, help, c) in counters {
        header(out, name, "counter", help);
        let _ = writeln!(out, "{name} {}", c.load(Ordering::Relaxed));
    }
}

fn documents(out: &mut String, snap: &Snapshot) {
    header(
        out,
        "trove_documents",
        "gauge",
        "Documents in the store, per source.",
    );
    for (source, n) in &snap.documents_by_source {
        let _ = writeln!(out, "trove_documents{{source=\"{}\"}} {n}", label(source));
    }
}

/// Last sync per source: from the store (any process's syncs) and this server's own runs.
fn syncs(out: &mut String, m: &Metrics, snap: &Snapshot) {
    let mut last: BTreeMap<String, (i64, bool)> = BTreeMap::new();
    for s in &snap.sources {
        if let Some(at) = s.last_sync_at {
            last.insert(s.name.clone(), (at.timestamp(), s.status != "failed"));
        }
    }
    let own = m.syncs();
    for (source, r) in &own {
        let newer = last.get(source).is_none_or(|(t, _)| *t <= r.at.timestamp());
        if newer {
            last.insert(source.clone(), (r.at.timestamp(), r.ok));
        }
    }
    let name = "trove_last_sync_timestamp_seconds";
    header(
        out,
        name,
        "gauge",
        "Unix time the last sync of a source ended.",
    );
    for (source, (t, _)) in &last {
        let _ = writeln!(out, "{name}{{source=\"{}\"}} {t}", label(source));
    }
    let name = "trove_last_sync_success";
    header(
        out,
        name,
        "gauge",
        "1 if the last sync of a source succeeded, else 0.",
    );
    for (source, (_, ok)) in &last {
        let _ = writeln!(
            out,
            "{name}{{source=\"{}\"}} {}",
            label(source),
            u8::from(*ok)
        );
    }
    let name = "trove_server_syncs_documents";
    header(
        out,
        name,
        "gauge",
        "Documents changed by the last sync this server ran.",
    );
    for (source, r) in &own {
        for (what, n) in [
            ("added", r.added),
            ("updated", r.updated),
            ("deleted", r.deleted),
        ] {
            let _ = writeln!(
                out,
                "{name}{{source=\"{}\",change=\"{what}\"}} {n}",
                label(source)
            );
        }
    }
}

/// Escapes a label value (backslash, double quote, newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Appends the cluster's lag and each node's health.
pub fn render_cluster(out: &mut String, c: &super::cluster::ClusterStatus) {
    let alias = &c.alias;
    header(
        out,
        "trove_cluster_lag_changes",
        "gauge",
        "Store changes the search cluster has not acknowledged.",
    );
    let _ = writeln!(
        out,
        "trove_cluster_lag_changes{{alias=\"{alias}\"}} {}",
        c.lag.changes
    );
    header(
        out,
        "trove_cluster_lag_seconds",
        "gauge",
        "Seconds the search cluster has been behind the store (0 when caught up).",
    );
    let secs = if c.lag.seconds.is_nan() {
        -1.0
    } else {
        c.lag.seconds
    };
    let _ = writeln!(out, "trove_cluster_lag_seconds{{alias=\"{alias}\"}} {secs}");
    header(
        out,
        "trove_cluster_node_up",
        "gauge",
        "1 when the node's /health is ok.",
    );
    for n in &c.nodes {
        let _ = writeln!(
            out,
            "trove_cluster_node_up{{node=\"{}\"}} {}",
            n.url,
            u8::from(n.ok)
        );
    }
    header(
        out,
        "trove_cluster_node_leader",
        "gauge",
        "1 for the Raft leader.",
    );
    for n in &c.nodes {
        let leader = n.role.as_deref() == Some("leader");
        let _ = writeln!(
            out,
            "trove_cluster_node_leader{{node=\"{}\"}} {}",
            n.url,
            u8::from(leader)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let m = Metrics::default();
        m.query(Outcome::Ok, Duration::from_micros(500));
        m.query(Outcome::Ok, Duration::from_millis(20));
        m.query(Outcome::BadRequest, Duration::from_secs(10));
        let text = render(&m, &Snapshot::default());
        assert!(
            text.contains("trove_query_duration_seconds_bucket{le=\"0.001\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("trove_query_duration_seconds_bucket{le=\"0.025\"} 2\n"),
            "{text}"
        );
        assert!(
            text.contains("trove_query_duration_seconds_bucket{le=\"+Inf\"} 3\n"),
            "{text}"
        );
        assert!(
            text.contains("trove_queries_total{outcome=\"bad_request\"} 1\n"),
            "{text}"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c"), "a\\\"b\\\\c");
    }

    #[test]
    fn own_sync_shows_up() {
        let m = Metrics::default();
        let at = Utc::now();
        m.synced(
            "wiki",
            SyncRecord {
                at,
                ok: false,
                added: 1,
                updated: 0,
                deleted: 0,
            },
        );
        let text = render(&m, &Snapshot::default());
        assert!(
            text.contains("trove_last_sync_success{source=\"wiki\"} 0"),
            "{text}"
        );
    }

    #[test]
    fn cluster_lag_and_nodes() {
        use crate::cluster::{Lag, NodeHealth};
        let node = |url: &str, ok: bool, role: Option<&str>| NodeHealth {
            url: url.into(),
            ok,
            role: role.map(Into::into),
            error: None,
        };
        let c = super::super::cluster::ClusterStatus {
            alias: "trove".into(),
            serves_search: true,
            lag: Lag {
                changes: 7,
                seconds: 2.5,
                pushed_seq: 3,
                store_seq: 10,
                collection: Some("trove_1".into()),
            },
            nodes: vec![
                node("http://a", true, Some("leader")),
                node("http://b", false, None),
            ],
        };
        let mut text = String::new();
        render_cluster(&mut text, &c);
        for line in [
            "trove_cluster_lag_changes{alias=\"trove\"} 7",
            "trove_cluster_lag_seconds{alias=\"trove\"} 2.5",
            "trove_cluster_node_up{node=\"http://a\"} 1",
            "trove_cluster_node_up{node=\"http://b\"} 0",
            "trove_cluster_node_leader{node=\"http://a\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from {text}");
        }
    }
}
