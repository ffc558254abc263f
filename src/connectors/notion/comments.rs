//! Comments (../shared/docs/notion-api.md §1.8b): which pages' comments a run re-reads
//! ([`plan`]), and reading them ([`read`]).
//!
//! Adding a comment does not change a page's `last_edited_time`, so comments have their own
//! policy ([`CommentPolicy`]): pages edited in the last `hot_days` are re-read on every sync,
//! every other page in a rolling [`Sweep`] over page ids that covers the workspace once per
//! `every`; the first sync and `--full` read them all. A page costs one request per 100
//! comments (at least one), plus one per block with `comments_blocks`.

use std::collections::VecDeque;

use chrono::{DateTime, Duration as Span, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::{next_cursor, results, Client};
use super::errors::Failure;
use crate::config::CommentPolicy;

/// What `status --skipped` says when the integration lacks the capability.
pub const NOT_READABLE: &str = "comments not readable: enable the Read comments capability";
/// The native id of that skip entry (one per source).
pub const SKIP_ID: &str = "comments";

/// Where the rolling sweep stands (saved between syncs).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// When the current lap over all pages began; `None` before the first read.
    pub lap_started: Option<DateTime<Utc>>,
    /// The last page id (in id order) read in this lap.
    pub pos: Option<String>,
}

/// Why a page's comments are read in this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// Edited within `hot_days`, first sync, or `--full`.
    Hot,
    /// Its turn in the rolling sweep.
    Sweep,
}

/// The comment reads of a run (saved with checkpoints, so a resumed run goes on).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CommentsRun {
    pub queue: VecDeque<(String, Why)>,
    /// The sweep position to keep once the queue is done.
    pub next: Sweep,
    /// Requests spent, per part: hot pages and sweep.
    pub hot_requests: u64,
    pub sweep_requests: u64,
    pub hot_pages: u64,
    pub sweep_pages: u64,
    /// The API answered 403: no page's comments can be read.
    pub denied: bool,
}

/// Plans the comment reads of a run over `pages` (native id and `last_edited_time`).
pub fn plan(
    policy: &CommentPolicy,
    now: DateTime<Utc>,
    sweep: &Sweep,
    mut pages: Vec<(String, Option<DateTime<Utc>>)>,
    full: bool,
) -> CommentsRun {
    pages.sort();
    let fresh = Sweep {
        lap_started: Some(now),
        pos: None,
    };
    let Some(lap_started) = sweep.lap_started.filter(|_| !full) else {
        let queue = pages.into_iter().map(|(id, _)| (id, Why::Hot)).collect();
        return CommentsRun {
            queue,
            next: fresh,
            ..CommentsRun::default()
        };
    };
    let hot_since = now - Span::days(i64::from(policy.hot_days));
    let (hot, cold): (Vec<_>, Vec<_>) = pages
        .into_iter()
        .partition(|(_, t)| t.is_some_and(|t| t >= hot_since));
    let cold: Vec<String> = cold.into_iter().map(|(id, _)| id).collect();
    let (turn, next) = sweep_turn(policy, now, lap_started, sweep.pos.as_deref(), &cold);
    let queue = hot
        .into_iter()
        .map(|(id, _)| (id, Why::Hot))
        .chain(turn.into_iter().map(|id| (id, Why::Sweep)))
        .collect();
    CommentsRun {
        queue,
        next: next.unwrap_or(fresh),
        ..CommentsRun::default()
    }
}

/// The cold pages whose turn it is: the share of the lap that `now - lap_started` is of
/// `every` (rounded down), minus what the lap already read. Returns them and the sweep to keep (`None`: the
/// lap is complete and a new one starts now).
fn sweep_turn(
    policy: &CommentPolicy,
    now: DateTime<Utc>,
    lap_started: DateTime<Utc>,
    pos: Option<&str>,
    cold: &[String],
) -> (Vec<String>, Option<Sweep>) {
    let done = pos.map_or(0, |p| cold.iter().take_while(|id| id.as_str() <= p).count());
    let every = policy.every.as_secs_f64();
    let elapsed = (now - lap_started)
        .to_std()
        .unwrap_or_default()
        .as_secs_f64();
    let share = if every <= 0.0 {
        1.0
    } else {
        (elapsed / every).min(1.0)
    };
    // Floor: a page's turn comes once its share of the period has passed, so frequent syncs
    // cost nothing extra and the lap still completes when `every` has elapsed.
    let target = (share * cold.len() as f64).floor() as usize;
    let turn: Vec<String> = cold
        .iter()
        .skip(done)
        .take(target.saturating_sub(done))
        .cloned()
        .collect();
    if done + turn.len() >= cold.len() {
        return (turn, None);
    }
    let pos = turn.last().cloned().or_else(|| pos.map(str::to_owned));
    let keep = Sweep {
        lap_started: Some(lap_started),
        pos,
    };
    (turn, Some(keep))
}

/// Every unresolved comment on a page or block (`GET /v1/comments?block_id=…`, 100 a page).
pub async fn read(client: &Client<'_>, target: &str) -> Result<Vec<Value>, Failure> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut q = vec![
            ("block_id", target.to_owned()),
            ("page_size", "100".to_owned()),
        ];
        if let Some(c) = &cursor {
            q.push(("start_cursor", c.clone()));
        }
        let page = client.get("comments", &q).await?;
        out.extend(results(&page, "comments")?);
        match next_cursor(&page) {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// Block ids of a page's stored raw JSON (`{"page", "blocks": [{"depth", "block"}]}`).
pub fn block_ids(raw: &Value) -> Vec<String> {
    raw.get("blocks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.pointer("/block/id").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn t(h: i64) -> DateTime<Utc> {
        "2025-06-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Span::hours(h)
    }

    fn pages() -> Vec<(String, Option<DateTime<Utc>>)> {
        let mut p: Vec<_> = (0..10)
            .map(|i| (format!("p{i}"), Some(t(-24 * 90))))
            .collect();
        p.push(("hot".into(), Some(t(-24))));
        p
    }

    fn ids(run: &CommentsRun, why: Why) -> Vec<String> {
        run.queue
            .iter()
            .filter(|(_, w)| *w == why)
            .map(|(id, _)| id.clone())
            .collect()
    }

    #[test]
    fn first_sync_and_full_read_every_page() {
        let policy = CommentPolicy::default();
        let run = plan(&policy, t(0), &Sweep::default(), pages(), false);
        assert_eq!(run.queue.len(), 11);
        assert_eq!(run.next.lap_started, Some(t(0)));
        let mid = Sweep {
            lap_started: Some(t(-1)),
            pos: Some("p3".into()),
        };
        assert_eq!(plan(&policy, t(0), &mid, pages(), true).queue.len(), 11);
    }

    #[test]
    fn hot_pages_every_sync_and_the_sweep_covers_the_rest_once_per_period() {
        let policy = CommentPolicy::default();
        let mut sweep = Sweep {
            lap_started: Some(t(0)),
            pos: None,
        };
        let mut seen = Vec::new();
        // Syncs every 6 hours: a 24h lap takes four of them.
        for h in [6, 12, 18, 24] {
            let run = plan(&policy, t(h), &sweep, pages(), false);
            assert_eq!(ids(&run, Why::Hot), vec!["hot"]);
            seen.extend(ids(&run, Why::Sweep));
            sweep = run.next;
        }
        let expect: Vec<String> = (0..10).map(|i| format!("p{i}")).collect();
        assert_eq!(seen, expect, "each cold page once per lap, in id order");
        assert_eq!(sweep.lap_started, Some(t(24)), "a new lap starts");
        assert_eq!(sweep.pos, None);
    }

    #[test]
    fn zero_period_reads_every_page_every_sync() {
        let policy = CommentPolicy {
            every: Duration::ZERO,
            ..CommentPolicy::default()
        };
        let sweep = Sweep {
            lap_started: Some(t(0)),
            pos: None,
        };
        let run = plan(&policy, t(0), &sweep, pages(), false);
        assert_eq!(ids(&run, Why::Sweep).len(), 10);
        let again = plan(&policy, t(0), &run.next, pages(), false);
        assert_eq!(ids(&again, Why::Sweep).len(), 10);
    }

    #[test]
    fn block_ids_come_from_the_stored_walk() {
        let raw = serde_json::json!({"page": {}, "blocks": [
            {"depth": 0, "block": {"id": "b1"}}, {"depth": 1, "block": {"id": "b2"}}]});
        assert_eq!(block_ids(&raw), vec!["b1", "b2"]);
    }
}
