//! Per-source bookkeeping in the store: sync status ([`SourceStatus`]), the outcome of each run
//! ([`SyncRun`]) and the list of skipped records.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{Result, Store};
use crate::ingest::{Skip, SyncSummary};

/// What `trove status` shows for one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    pub name: String,
    pub kind: String,
    pub documents: u64,
    /// `never synced`, `running`, `ok`, `failed`.
    pub status: String,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_summary: Option<SyncSummary>,
    pub skipped: u64,
}

/// The outcome of one sync run of one source.
#[derive(Debug, Clone)]
pub struct SyncRun {
    pub summary: SyncSummary,
    /// `None` when the run succeeded.
    pub error: Option<String>,
}

impl Store {
    /// Marks a source as running in this process (creating its row).
    pub fn mark_running(&self, name: &str, kind: &str) -> Result<()> {
        let status = format!("running:{}", std::process::id());
        self.conn().execute(
            "INSERT INTO sources(name, kind, status) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, status = excluded.status",
            params![name, kind, status],
        )?;
        Ok(())
    }

    /// Records how a run ended.
    pub fn record_run(&self, name: &str, run: &SyncRun) -> Result<()> {
        let status = if run.error.is_some() { "failed" } else { "ok" };
        self.conn().execute(
            "UPDATE sources SET status = ?2, last_sync_at = ?3, last_error = ?4, last_summary = ?5 WHERE name = ?1",
            params![
                name,
                status,
                Utc::now().to_rfc3339(),
                run.error,
                serde_json::to_string(&run.summary).ok()
            ],
        )?;
        Ok(())
    }

    /// Status of every source known to the store, plus sources that only have documents.
    pub fn source_statuses(&self) -> Result<Vec<SourceStatus>> {
        let mut stmt = self.conn().prepare(
            "SELECT s.name, s.kind, s.status, s.last_sync_at, s.last_error, s.last_summary,
                (SELECT COUNT(*) FROM documents d WHERE d.source = s.name),
                (SELECT COUNT(*) FROM skipped k WHERE k.source = s.name)
             FROM sources s
             UNION ALL
             SELECT d.source, COALESCE(MAX(d.source_kind), 'imported'), 'imported', NULL, NULL, NULL, COUNT(*), 0
             FROM documents d WHERE d.source NOT IN (SELECT name FROM sources) GROUP BY d.source
             ORDER BY 1",
        )?;
        let rows = stmt.query_map([], |r| {
            let last: Option<String> = r.get(3)?;
            let summary: Option<String> = r.get(5)?;
            Ok(SourceStatus {
                name: r.get(0)?,
                kind: r.get(1)?,
                status: live_status(r.get(2)?),
                last_sync_at: last
                    .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
                    .map(|t| t.with_timezone(&Utc)),
                last_error: r.get(4)?,
                last_summary: summary.and_then(|s| serde_json::from_str(&s).ok()),
                documents: r.get::<_, i64>(6)? as u64,
                skipped: r.get::<_, i64>(7)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What was skipped, per source, with the reason.
    /// Records something skipped outside a sync (an import line over a limit) in the same
    /// ledger `trove status --skipped` lists.
    pub fn record_skip(&self, source: &str, skip: &Skip) -> Result<()> {
        self.conn().execute(
            "INSERT INTO skipped(source, native_id, what, reason, at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(source, native_id) DO UPDATE SET what = excluded.what,
                reason = excluded.reason, at = excluded.at",
            rusqlite::params![
                source,
                skip.native_id,
                skip.what,
                skip.reason,
                chrono::Utc::now().to_rfc3339()
            ],
        )?;
        Ok(())
    }

    pub fn skipped(&self, source: Option<&str>) -> Result<Vec<(String, Skip)>> {
        let mut stmt = self.conn().prepare(
            "SELECT source, native_id, what, reason FROM skipped WHERE (?1 IS NULL OR source = ?1)
             ORDER BY source, what, native_id",
        )?;
        let rows = stmt.query_map([source], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Skip {
                    native_id: r.get(1)?,
                    what: r.get(2)?,
                    reason: r.get(3)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// `running:<pid>` → `running` while that process lives, else `interrupted` (it was killed;
/// the next sync resumes from its last checkpoint).
fn live_status(stored: String) -> String {
    match stored
        .strip_prefix("running:")
        .and_then(|p| p.parse::<u32>().ok())
    {
        Some(pid) => {
            let proc_fs = std::path::Path::new("/proc/self").exists();
            if !proc_fs || std::path::Path::new(&format!("/proc/{pid}")).exists() {
                "running".into()
            } else {
                "interrupted (run `trove sync` to resume)".into()
            }
        }
        None => stored,
    }
}

#[cfg(test)]
mod tests {
    use super::live_status;

    #[test]
    fn running_status_of_a_dead_process_reads_interrupted() {
        assert_eq!(
            live_status(format!("running:{}", std::process::id())),
            "running"
        );
        assert!(live_status("running:4294967".into()).starts_with("interrupted"));
        assert_eq!(live_status("ok".into()), "ok");
    }
}
