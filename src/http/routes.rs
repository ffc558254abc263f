//! The endpoints: `/search`, `/documents/{id}`, `/health`, `/status`, `/metrics` and the page
//! at `/`. Handlers parse and validate on the async side, then run the work off the async
//! threads (tantivy and SQLite block): a search on the searches' own pool, a store lookup in
//! `spawn_blocking`; both bounded by [`AppState::slots`] and a timeout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};

use super::errors::ApiError;
use super::metrics::{self, Outcome, Snapshot};
use super::state::AppState;
use crate::data::{DataDir, IndexCounts};
use crate::search::{Budget, SearchRequest, SearchResponse, MAX_LIMIT, MAX_QUERY_BYTES};

/// Longest a search or store lookup may run before the client gets a `timeout` error, unless
/// `serve --query-timeout` sets another.
pub const WORK_TIMEOUT: Duration = Duration::from_secs(10);
/// Deepest page reachable with `offset` (deep paging costs memory for nothing useful).
pub const MAX_OFFSET: usize = 10_000;
/// Hits per page when `limit` is not given.
pub const DEFAULT_LIMIT: usize = 10;

type Shared = State<Arc<AppState>>;

/// The search page, with the headers in [`super::page::HEADERS`].
pub async fn page() -> impl IntoResponse {
    (super::page::HEADERS, Html(super::page::INDEX_HTML))
}

/// `GET /search`: see [`parse_search`] for the parameters.
pub async fn search(
    State(state): Shared,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<SearchResponse>, ApiError> {
    let start = Instant::now();
    let result = run_search(&state, &params).await;
    let outcome = match &result {
        Ok(_) => Outcome::Ok,
        Err(ApiError::BadQuery(_) | ApiError::BadParameter(_)) => Outcome::BadRequest,
        Err(_) => Outcome::Error,
    };
    state.metrics.query(outcome, start.elapsed());
    result.map(Json)
}

async fn run_search(
    state: &Arc<AppState>,
    params: &[(String, String)],
) -> Result<SearchResponse, ApiError> {
    let req = parse_search(params)?;
    if let Some(c) = state.cluster.as_ref().filter(|c| c.serves_search) {
        return tokio::time::timeout(state.work_timeout, c.search(&req))
            .await
            .map_err(|_| ApiError::Timeout)?;
    }
    let searcher = state.searcher();
    search_blocking(state, move |st, budget| {
        st.with_store(|store| Ok(searcher.search_within(&req, store, budget)?))
    })
    .await
}

/// Builds a [`SearchRequest`] from `q, limit, offset, source, kind, tag (repeatable),
/// updated_after, updated_before, mode, exact_total`. `limit` above [`MAX_LIMIT`] is capped, not refused.
pub fn parse_search(params: &[(String, String)]) -> Result<SearchRequest, ApiError> {
    let mut req = SearchRequest {
        limit: DEFAULT_LIMIT,
        facets: true,
        ..SearchRequest::default()
    };
    for (key, value) in params {
        let value = value.trim();
        match key.as_str() {
            "q" => req.query = value.to_owned(),
            "limit" => req.limit = number(key, value)?.clamp(1, MAX_LIMIT),
            "offset" => req.offset = offset(value)?,
            "source" => req.source = non_empty(value),
            "kind" => req.kind = non_empty(value),
            "tag" => req.tags.extend(non_empty(value)),
            "mode" if !value.is_empty() => {
                req.mode = Some(value.parse().map_err(ApiError::BadParameter)?)
            }
            "updated_after" => req.updated_after = Some(date(key, value)?),
            "updated_before" => req.updated_before = Some(date(key, value)?),
            "exact_total" => req.exact_total = flag(key, value)?,
            _ => {}
        }
    }
    if req.query.len() > MAX_QUERY_BYTES {
        return Err(ApiError::BadQuery(format!(
            "the query is {} bytes long; the limit is {MAX_QUERY_BYTES}",
            req.query.len()
        )));
    }
    Ok(req)
}

/// `true`/`1` or `false`/`0` (empty: false).
fn flag(key: &str, v: &str) -> Result<bool, ApiError> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" | "" => Ok(false),
        _ => Err(ApiError::BadParameter(format!(
            "`{key}` must be true or false, not `{}`",
            clip(v)
        ))),
    }
}

fn non_empty(v: &str) -> Option<String> {
    (!v.is_empty()).then(|| v.to_owned())
}

fn number(key: &str, v: &str) -> Result<usize, ApiError> {
    if v.is_empty() {
        return Ok(DEFAULT_LIMIT);
    }
    // Digits only: a huge number is a valid (capped) limit, not an error.
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::BadParameter(format!(
            "`{key}` must be a whole number, not `{}`",
            clip(v)
        )));
    }
    Ok(v.parse::<usize>().unwrap_or(usize::MAX))
}

fn offset(v: &str) -> Result<usize, ApiError> {
    if v.is_empty() {
        return Ok(0);
    }
    let n = number("offset", v)?;
    if n > MAX_OFFSET {
        return Err(ApiError::BadParameter(format!(
            "`offset` is at most {MAX_OFFSET}; narrow the query instead of paging this deep"
        )));
    }
    Ok(n)
}

/// An RFC 3339 instant or a `YYYY-MM-DD` date (midnight UTC).
pub fn date(key: &str, v: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            ApiError::BadParameter(format!(
                "`{key}` must be a date (2024-05-01) or an RFC 3339 time (2024-05-01T12:00:00Z), not `{}`",
                clip(v)
            ))
        })
}

/// At most 40 characters of a user value, for messages.
pub fn clip(v: &str) -> String {
    v.chars().take(40).collect()
}

/// `GET /documents/{id}`: the stored document, body and raw JSON included.
pub async fn document(State(state): Shared, Path(id): Path<String>) -> Result<Response, ApiError> {
    if let Some(c) = state.cluster.as_ref().filter(|c| c.serves_search) {
        let doc = c
            .document(&id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no document with id `{}`", clip(&id))))?;
        return Ok(Json(doc).into_response());
    }
    let doc = blocking(&state, move |st| {
        st.with_store(|store| {
            store
                .get(&id)
                .map_err(ApiError::internal)?
                .ok_or_else(|| ApiError::NotFound(format!("no document with id `{}`", clip(&id))))
        })
    })
    .await?;
    Ok(Json(doc).into_response())
}

/// `GET /health`: up, and how many documents the index holds (an internal error when the
/// index cannot be read).
pub async fn health(State(state): Shared) -> Result<Json<serde_json::Value>, ApiError> {
    let counts = IndexCounts::of(state.searcher().index()).map_err(ApiError::internal)?;
    let semantic = match &state.semantic {
        Some(s) => {
            let model = s.embedder.id().to_owned();
            let pending = blocking(&state, move |st| {
                st.with_store(|store| store.pending_vectors(&model).map_err(ApiError::internal))
            })
            .await?;
            serde_json::json!({ "enabled": true, "pending": pending })
        }
        None => serde_json::json!({ "enabled": false, "pending": 0 }),
    };
    Ok(Json(
        serde_json::json!({ "status": "ok", "documents": counts.documents, "semantic": semantic }),
    ))
}

/// `GET /status`: what `trove status --json` prints.
pub async fn status(State(state): Shared) -> Result<Response, ApiError> {
    let searcher = state.searcher();
    let status = blocking(&state, move |st| {
        st.with_store(|store| {
            let mut status = DataDir::new(&st.data_dir)
                .status(store, searcher.index())
                .map_err(ApiError::internal)?;
            status.embeddings = st.embeddings_status(store)?;
            Ok(status)
        })
    })
    .await?;
    let mut v = serde_json::to_value(status).map_err(ApiError::internal)?;
    if let Some(c) = cluster_status(&state).await? {
        v["cluster"] = serde_json::to_value(c).map_err(ApiError::internal)?;
    }
    Ok(Json(v).into_response())
}

/// Lag and node health of the configured cluster, if any.
async fn cluster_status(
    state: &Arc<AppState>,
) -> Result<Option<super::cluster::ClusterStatus>, ApiError> {
    let Some(c) = &state.cluster else {
        return Ok(None);
    };
    let alias = c.alias.clone();
    let lag = blocking(state, move |st| {
        st.with_store(|store| super::cluster::lag(store, &alias))
    })
    .await?;
    Ok(Some(c.status(lag).await))
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): Shared) -> Result<Response, ApiError> {
    let searcher = state.searcher();
    let snap = blocking(&state, move |st| {
        st.with_store(|store| {
            let err = ApiError::internal;
            let counts = IndexCounts::of(searcher.index()).map_err(ApiError::internal)?;
            Ok(Snapshot {
                documents_by_source: store.counts_by_source().map_err(err)?,
                sources: store.source_statuses().map_err(err)?,
                index_bytes: searcher.index().disk_bytes(),
                index_documents: counts.documents,
                index_segments: counts.segments,
                embeddings: st.embeddings_status(store)?,
            })
        })
    })
    .await?;
    let mut body = metrics::render(&state.metrics, &snap);
    if let Some(c) = cluster_status(&state).await? {
        metrics::render_cluster(&mut body, &c);
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

/// Unknown paths.
pub async fn not_found() -> ApiError {
    ApiError::NotFound(
        "no such endpoint; try /search?q=…, /documents/{id}, /health, /status or /metrics".into(),
    )
}

/// Runs blocking work with a slot, off the async threads, within the server's work timeout
/// ([`WORK_TIMEOUT`] unless `serve --query-timeout` says otherwise).
pub async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let st = Arc::clone(state);
    bounded(
        &state.slots,
        state.work_timeout,
        Threads::Blocking,
        move || f(&st),
    )
    .await
}

/// Like [`blocking`], for a search: `f` gets a [`Budget`] spent at the timeout, or as soon as
/// the request is dropped (the client went away), so the search stops instead of running on
/// for nobody; `/metrics` counts the searches running and those stopped. It runs on the
/// searches' own threads (`Threads::Search`).
pub async fn search_blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&AppState, &Budget) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let budget = Budget::until(Instant::now() + state.work_timeout);
    let _stop_when_dropped = StopOnDrop(budget.clone());
    let st = Arc::clone(state);
    let work = move || {
        let _running = st.metrics.search_started();
        let out = f(&st, &budget);
        if matches!(out, Err(ApiError::Timeout)) {
            st.metrics.search_stopped();
        }
        out
    };
    bounded(&state.slots, state.work_timeout, Threads::Search, work).await
}

/// The threads blocking work runs on.
#[derive(Debug, Clone, Copy)]
enum Threads {
    /// tokio's blocking pool: store lookups.
    Blocking,
    /// The searches' own pool ([`crate::search::spawn_in_search_pool`]): a search's parallel
    /// parts start from the thread it runs on, with no hand-off there and back.
    Search,
}

/// Spends a budget when dropped: the request that waited for the work is gone.
struct StopOnDrop(Budget);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Runs `f` on `threads` once a slot is free, answering [`ApiError::Timeout`] after
/// `timeout`. The slot moves into the blocking task and is released when `f` returns, not
/// when the caller gives up: a timeout cannot be used to start more work than there are slots.
async fn bounded<T: Send + 'static>(
    slots: &Arc<tokio::sync::Semaphore>,
    timeout: std::time::Duration,
    threads: Threads,
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let work = async {
        let slot = Arc::clone(slots)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Busy)?;
        let job = move || {
            let _slot = slot;
            f()
        };
        match threads {
            Threads::Blocking => tokio::task::spawn_blocking(job)
                .await
                .map_err(ApiError::internal)?,
            Threads::Search => {
                let (tx, rx) = tokio::sync::oneshot::channel();
                crate::search::spawn_in_search_pool(move || {
                    // Caught here, as `spawn_blocking` does: the pool would end the process.
                    let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)));
                });
                match rx.await {
                    Ok(Ok(out)) => out,
                    Ok(Err(_)) => Err(ApiError::Internal("the search panicked".into())),
                    Err(e) => Err(ApiError::internal(e)),
                }
            }
        }
    };
    tokio::time::timeout(timeout, work)
        .await
        .map_err(|_| ApiError::Timeout)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn timed_out_query_releases_its_slot_while_the_work_runs_on() {
        for threads in [Threads::Blocking, Threads::Search] {
            let slots = Arc::new(tokio::sync::Semaphore::new(1));
            let (release, wait) = std::sync::mpsc::channel::<()>();
            let r = bounded(&slots, Duration::from_millis(20), threads, move || {
                wait.recv().map_err(ApiError::internal)
            })
            .await;
            assert!(matches!(r, Err(ApiError::Timeout)), "{threads:?}");
            assert_eq!(
                slots.available_permits(),
                0,
                "{threads:?}: the work still runs and holds its slot"
            );
            let second = bounded(&slots, Duration::from_millis(20), threads, || Ok(())).await;
            assert!(
                matches!(second, Err(ApiError::Timeout)),
                "{threads:?}: no second task started"
            );
            release.send(()).unwrap();
            let third = bounded(&slots, Duration::from_secs(30), threads, || Ok(7)).await;
            assert_eq!(third.unwrap(), 7, "{threads:?}: the slot came back");
        }
    }

    #[tokio::test]
    async fn a_panicking_search_is_an_internal_error_and_frees_its_slot() {
        let slots = Arc::new(tokio::sync::Semaphore::new(1));
        let r: Result<(), _> = bounded(&slots, Duration::from_secs(30), Threads::Search, || {
            panic!("a bug in a search")
        })
        .await;
        assert!(matches!(r, Err(ApiError::Internal(_))), "{r:?}");
        let next = bounded(&slots, Duration::from_secs(30), Threads::Search, || Ok(1)).await;
        assert_eq!(
            next.unwrap(),
            1,
            "the slot came back and the pool still runs"
        );
    }

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn limit_is_capped_not_refused() {
        let r = parse_search(&p(&[("q", "x"), ("limit", "99999999999999999999999")])).unwrap();
        assert_eq!(r.limit, MAX_LIMIT);
        assert!(r.facets);
    }

    #[test]
    fn repeated_tags_and_dates() {
        let r = parse_search(&p(&[
            ("tag", "a"),
            ("tag", "b"),
            ("updated_after", "2024-05-01"),
            ("updated_before", "2024-06-01T10:00:00Z"),
        ]))
        .unwrap();
        assert_eq!(r.tags, ["a", "b"]);
        assert_eq!(
            r.updated_after.unwrap().to_rfc3339(),
            "2024-05-01T00:00:00+00:00"
        );
        assert!(r.updated_before.is_some());
    }

    #[test]
    fn bad_parameters_are_named() {
        for (k, v) in [
            ("limit", "ten"),
            ("offset", "-1"),
            ("updated_after", "yesterday"),
            ("offset", "20000"),
            ("exact_total", "yes"),
        ] {
            let e = parse_search(&p(&[(k, v)])).unwrap_err();
            assert!(
                matches!(&e, ApiError::BadParameter(m) if m.contains(k)),
                "{k}={v}: {e}"
            );
        }
    }

    #[test]
    fn exact_total_is_a_flag() {
        assert!(!parse_search(&p(&[("q", "x")])).unwrap().exact_total);
        assert!(
            parse_search(&p(&[("exact_total", "true")]))
                .unwrap()
                .exact_total
        );
        assert!(
            !parse_search(&p(&[("exact_total", "0")]))
                .unwrap()
                .exact_total
        );
    }

    #[test]
    fn mode_is_parsed_and_a_bad_one_is_named() {
        let r = parse_search(&p(&[("q", "x"), ("mode", "semantic")])).unwrap();
        assert_eq!(r.mode, Some(crate::search::Mode::Semantic));
        assert_eq!(parse_search(&p(&[("mode", "")])).unwrap().mode, None);
        let e = parse_search(&p(&[("mode", "fuzzy")])).unwrap_err();
        assert!(
            matches!(&e, ApiError::BadParameter(m) if m.contains("search mode")),
            "{e}"
        );
    }

    #[test]
    fn long_query_is_a_bad_query() {
        let q = "a ".repeat(MAX_QUERY_BYTES);
        assert!(matches!(
            parse_search(&p(&[("q", &q)])),
            Err(ApiError::BadQuery(_))
        ));
    }
}
