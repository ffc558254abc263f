//! Answering queries: [`Searcher`] runs a [`SearchRequest`] against the index and returns a
//! [`SearchResponse`] (hits with highlighted snippets, total, facets).
//!
//! The text typed by a person is parsed by [`query`] and compiled by [`compile`] into a tantivy
//! query: BM25 over title (boosted), body, breadcrumb, authors and tags, English stemming,
//! query-time stop-word removal, and a proximity boost for query words that appear near each
//! other, added to the best candidates by [`rescore`]. Snippets are cut from the body kept in
//! the store (bodies are not stored in the index).

pub mod budget;
pub mod compile;
pub mod count;
pub mod eval;
pub mod filtered;
mod handoff;
pub mod max_score;
pub mod pair_phrase;
#[cfg(test)]
mod proptests;
pub mod query;
pub mod ranking;
pub mod rescore;
pub mod semantic;
pub mod snippet;
pub mod top_k;

use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, IndexReader, Searcher as TSearcher, TantivyDocument};

use crate::error::Fault;
use crate::index::{IndexError, TroveIndex};
use crate::store::{Store, StoreError};
pub use budget::Budget;
pub use query::QueryError;
pub use ranking::RankingConfig;
pub use semantic::{Fusion, Mode, Semantic};

/// Highest `limit` a request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 2048;
/// Snippets are cut from at most this many leading bytes of a body: tokenizing a whole
/// 20 MB body for every hit of every query is what made concurrent searches take gigabytes.
/// A match further in gets the body's first lines as its snippet instead.
pub const SNIPPET_SOURCE_CHARS: usize = 100_000;

/// A search failure: a bad request (the user's to fix) or an internal error.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    BadQuery(#[from] QueryError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("index")]
    Tantivy(#[from] tantivy::TantivyError),
    /// Semantic or hybrid search asked for without a model.
    #[error(
        "semantic search is off: no embedding model is configured; {}",
        crate::embed::GET_MODEL_HINT
    )]
    SemanticOff,
    #[error(transparent)]
    Model(#[from] crate::embed::ModelError),
    #[error("vector index: {0}")]
    Vectors(String),
    /// The search's [`Budget`] ran out (its deadline passed, or its caller gave up).
    #[error("the search ran out of time and was stopped")]
    Stopped,
}

impl SearchError {
    /// A bad query or an unusable model folder is the user's to fix; anything else is internal.
    pub fn fault(&self) -> Fault {
        match self {
            SearchError::BadQuery(_) | SearchError::SemanticOff => Fault::User,
            SearchError::Model(m) if !matches!(m, crate::embed::ModelError::Inference(_)) => {
                Fault::User
            }
            _ => Fault::Internal,
        }
    }
}

/// What to search for.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    pub source: Option<String>,
    pub kind: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub updated_after: Option<DateTime<Utc>>,
    pub updated_before: Option<DateTime<Utc>>,
    /// Compute counts by source, kind and tag.
    #[serde(default)]
    pub facets: bool,
    /// Keyword, semantic or hybrid; `None`: hybrid when a model is loaded, else keyword.
    #[serde(default)]
    pub mode: Option<Mode>,
    /// Count every hit; otherwise the total (and facet counts) stop at
    /// [`EXACT_TOTAL_UP_TO`] and are then a lower bound.
    #[serde(default)]
    pub exact_total: bool,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub source: String,
    pub kind: String,
    pub title: String,
    /// Breadcrumb, `a › b › c`.
    pub path: String,
    pub url: String,
    /// HTML-escaped snippet with `<b>…</b>` around matched terms.
    pub snippet: String,
    pub score: f32,
    pub updated_at: Option<DateTime<Utc>>,
    /// The snippet as plain text and the byte ranges to highlight (for terminals).
    #[serde(skip)]
    pub snippet_plain: (String, Vec<std::ops::Range<usize>>),
}

impl Hit {
    /// The plain-text snippet with each matched range wrapped in `open`…`close` (`**` for
    /// Markdown, ANSI bold for terminals), on one line.
    pub fn snippet_marked(&self, open: &str, close: &str) -> String {
        let (text, ranges) = &self.snippet_plain;
        mark(text, ranges, open, close)
    }
}

/// Wraps the byte `ranges` of `text` (sorted, non-overlapping) in `open`…`close`; ranges that
/// are out of bounds or not on character boundaries are left unmarked. The text comes out on
/// one line and without control characters (see [`one_line`]), so it is safe for terminals.
pub fn mark(text: &str, ranges: &[std::ops::Range<usize>], open: &str, close: &str) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * (open.len() + close.len()));
    let mut at = 0;
    for r in ranges {
        if r.start < at
            || r.end > text.len()
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&one_line(&text[at..r.start]));
        out.push_str(open);
        out.push_str(&one_line(&text[r.clone()]));
        out.push_str(close);
        at = r.end;
    }
    out.push_str(&one_line(&text[at..]));
    out
}

/// `s` on one line with control characters dropped: ESC starts terminal escape sequences,
/// and anyone who can edit a page can type them, so document text must not reach a terminal
/// raw. Newlines, tabs and carriage returns become spaces.
pub fn one_line(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\n' | '\t' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Counts by facet value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    pub source: Vec<(String, u64)>,
    pub kind: Vec<(String, u64)>,
    pub tags: Vec<(String, u64)>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    /// The retrieval that answered.
    pub mode: Mode,
    /// Matching documents: exact when `total_is_exact`, else a lower bound ("10,000+").
    pub total: u64,
    /// Whether `total` (and the facet counts) counted every hit.
    pub total_is_exact: bool,
    pub took_ms: u64,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
    /// Documents still waiting to be embedded when a semantic or hybrid search ran: they are
    /// found by their words only until their vectors arrive (0 in keyword mode).
    #[serde(skip_serializing_if = "is_zero")]
    pub embeddings_pending: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl SearchResponse {
    /// "1 result", "2,345 results", or "10,000+ results" when the total is a lower bound.
    pub fn total_label(&self) -> String {
        total_label(self.total, self.total_is_exact)
    }
}

/// See [`SearchResponse::total_label`].
pub fn total_label(total: u64, exact: bool) -> String {
    let digits = total.to_string();
    let mut n = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            n.push(',');
        }
        n.push(c);
    }
    match (total, exact) {
        (1, true) => "1 result".to_owned(),
        (_, true) => format!("{n} results"),
        (_, false) => format!("{n}+ results"),
    }
}

/// A reader over one index generation.
pub struct Searcher {
    index: TroveIndex,
    reader: IndexReader,
    ranking: RankingConfig,
    semantic: Option<Semantic>,
    fusion: Fusion,
}

impl Searcher {
    pub fn new(index: TroveIndex) -> Result<Searcher, SearchError> {
        let reader = index.reader()?;
        Ok(Searcher {
            index,
            reader,
            ranking: RankingConfig::default(),
            semantic: None,
            fusion: Fusion::default(),
        })
    }

    /// This searcher, able to search by meaning with `semantic`'s model and vectors.
    pub fn with_semantic(mut self, semantic: Semantic) -> Searcher {
        self.semantic = Some(semantic);
        self
    }

    /// This searcher, fusing hybrid rankings with `fusion`.
    pub fn with_fusion(mut self, fusion: Fusion) -> Searcher {
        self.fusion = fusion;
        self
    }

    /// The model and vectors, when semantic search is on.
    pub fn semantic(&self) -> Option<&Semantic> {
        self.semantic.as_ref()
    }

    /// The mode a request runs in: as asked, else hybrid with a model and keyword without.
    pub fn mode_for(&self, req: &SearchRequest) -> Result<Mode, SearchError> {
        match (req.mode, &self.semantic) {
            (None, Some(_)) => Ok(Mode::Hybrid),
            (None, None) | (Some(Mode::Keyword), _) => Ok(Mode::Keyword),
            (Some(_), None) => Err(SearchError::SemanticOff),
            (Some(m), Some(_)) => Ok(m),
        }
    }

    /// This searcher, scoring with `ranking` instead of the default.
    pub fn with_ranking(mut self, ranking: RankingConfig) -> Searcher {
        self.ranking = ranking;
        self
    }

    /// The ranking configuration in use.
    pub fn ranking(&self) -> &RankingConfig {
        &self.ranking
    }

    pub fn index(&self) -> &TroveIndex {
        &self.index
    }

    /// Picks up the latest commit (tantivy reloads on its own shortly after a commit too).
    pub fn reload(&self) -> Result<(), SearchError> {
        Ok(self.reader.reload()?)
    }

    /// Runs a search; `store` provides the bodies snippets are cut from.
    pub fn search(
        &self,
        req: &SearchRequest,
        store: &Store,
    ) -> Result<SearchResponse, SearchError> {
        self.search_within(req, store, &Budget::unlimited())
    }

    /// Runs a search that stops with [`SearchError::Stopped`] once `budget` is spent (checked
    /// between phases and inside tantivy's loops, see [`budget`]).
    pub fn search_within(
        &self,
        req: &SearchRequest,
        store: &Store,
        budget: &Budget,
    ) -> Result<SearchResponse, SearchError> {
        let start = Instant::now();
        check_length(&req.query)?;
        let parsed = query::parse(&req.query)?;
        let fields = *self.index.fields();
        let mut compiled = compile::Compiler::with_ranking(&self.index, self.ranking)?
            .with_budget(budget.clone())
            .compile(&parsed, req)?;
        compiled.query = budget.bound(compiled.query);
        let mode = self.mode_for(req)?;
        let searcher = self.reader.searcher();
        budget.check()?;
        if let (Some(sem), true) = (&self.semantic, mode != Mode::Keyword) {
            let (total, hits, pending) =
                self.search_semantic(sem, mode, req, &parsed, &compiled, store)?;
            budget.check()?;
            let facets = if req.facets {
                count::count(&searcher, &*compiled.query, None, true)?.facets
            } else {
                None
            };
            budget.check()?;
            return Ok(SearchResponse {
                mode,
                total,
                total_is_exact: true,
                took_ms: start.elapsed().as_millis() as u64,
                hits,
                facets,
                embeddings_pending: pending,
            });
        }
        let limit = req.limit.clamp(1, MAX_LIMIT);
        // The page's stored fields and snippets, on this thread (the store is not `Sync`).
        let hits_of = |top: Vec<(f32, DocAddress)>| -> Result<Vec<Hit>, SearchError> {
            budget.check()?;
            let snippets = snippet::Snippets::new(
                &searcher,
                self.index.schema_def(),
                &*compiled.highlight,
                fields.body,
            )?;
            let docs = fetch(&searcher, &top)?;
            store.reading(|store| {
                docs.iter()
                    .zip(&top)
                    .map(|((score, d), (_, addr))| {
                        budget.check()?;
                        Ok(hit_with(d, *score, snippets.cut(store, &d.id, *addr)?))
                    })
                    .collect::<Result<Vec<_>, SearchError>>()
            })
        };
        let (hits, counted) = ranked(&searcher, &compiled, req, limit, fields.body, hits_of)?;
        budget.check()?;
        // A lower bound never falls below the hits already paged past and shown.
        let total = counted.total.max((req.offset + hits.len()) as u64);
        Ok(SearchResponse {
            mode,
            total,
            total_is_exact: counted.exact,
            took_ms: start.elapsed().as_millis() as u64,
            hits,
            facets: counted.facets,
            embeddings_pending: 0,
        })
    }
}

/// Body postings from which a prunable query is spread over both cores: below, waking a
/// second thread costs more than the work it would take (a rare word's hits are counted in
/// microseconds).
const PARALLEL_FROM_POSTINGS: u64 = 10_000;

/// Body postings times body terms from which the top-k itself is spread over both cores (its
/// segments searched at once), once the count leaves the other one. Below it (at 100k
/// documents: one common word, two or three words) the top-k's thread searches them in turn.
const PARALLEL_TOP_K_FROM: u64 = 150_000;

/// The page of hits, made by `hits_of` from the page's addresses on this thread, and the
/// (bounded) count. When the top-k can skip blocks of hits (MaxScore or block-max WAND over a
/// union of terms), it runs alone and the total is counted apart, without scores: on another
/// core, unless the query's words have few postings in `body`, while this one finds the top-k,
/// ranks the page and makes its hits. Only a costly top-k ([`PARALLEL_TOP_K_FROM`]) also
/// spreads its segments over the searches' threads, so the core the count leaves takes some
/// of them; a cheaper one stays on this thread, as three threads on two cores cost more in
/// hand-offs than the split saves. Otherwise the top-k visits every hit anyway and the count
/// rides along in the same pass.
fn ranked<T>(
    searcher: &TSearcher,
    compiled: &compile::Compiled,
    req: &SearchRequest,
    limit: usize,
    body: tantivy::schema::Field,
    hits_of: impl FnOnce(Vec<(f32, DocAddress)>) -> Result<T, SearchError>,
) -> Result<(T, count::Counted), SearchError> {
    let query = &*compiled.query;
    let k = rescore::fetch(&compiled.proximity, req.offset, limit);
    let count_hits = || count::count(searcher, query, up_to(req), req.facets);
    let page_of = |top| -> Result<T, SearchError> {
        compiled.budget.check()?;
        let page = rescore::page(
            searcher,
            &compiled.proximity,
            top,
            req.offset,
            limit,
            &compiled.budget,
        )?;
        hits_of(page)
    };
    // Only a prunable query's postings are looked up: the others count in the top-k's pass.
    let spread = compiled
        .prunable
        .then(|| postings(searcher, query, body))
        .filter(|&(postings, _)| postings >= PARALLEL_FROM_POSTINGS);
    if let Some((postings, terms)) = spread {
        // Two independent passes over the same hits, on two cores at once: the count, and the
        // top-k with the page's hits (stored fields and snippets) after it.
        let parallel_top_k = postings.saturating_mul(terms) >= PARALLEL_TOP_K_FROM;
        let mut counted = None;
        let hits = with_search_pool_task(
            || counted = Some(count_hits()),
            || {
                page_of(if parallel_top_k {
                    in_search_pool(|| top_k::by_score(searcher, query, k, true))
                } else {
                    top_k::by_score(searcher, query, k, false)
                }?)
            },
        );
        // The scope ran the count before it returned; counting here is only a fallback.
        let counted = counted.unwrap_or_else(count_hits)?;
        Ok((hits?, counted))
    } else if compiled.prunable {
        let top = top_k::by_score(searcher, query, k, false)?;
        let counted = count_hits()?;
        Ok((page_of(top)?, counted))
    } else {
        let tally = count::Tally::new(up_to(req), req.facets);
        let top_k = TopDocs::with_limit(k).order_by_score();
        let (top, tallied) = searcher.search(query, &(top_k, tally))?;
        let counted = tallied.counted()?;
        Ok((page_of(top)?, counted))
    }
}

/// Searches that may run at once, each on its own thread of the searches' pool: two per core
/// (at least 4), so a cheap search is not queued behind two costly ones on two cores but
/// shares them. `serve` gives out as many slots for its blocking work.
pub(crate) fn concurrent_searches() -> usize {
    std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 2)
        .max(4)
}

/// Runs `f` on the searches' own threads, so that a search's parallel parts (the top-k beside
/// the count; embedding the query and scoring the vectors) never queue behind other work on
/// rayon's global pool (`serve` embeds new documents there in the background, `rebuild
/// --reflatten` flattens there). Without those threads (the system refused to start them),
/// `f` runs on the global pool as before.
pub(crate) fn in_search_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    match search_pool() {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// Runs `task` on the searches' own threads while `here` runs on this one (which need not be
/// `Send`: it may hold the store), and returns `here`'s result once both are done. On one of
/// the searches' threads, `task` waits in its queue for the other core to take it, and runs
/// here after `here` if none did.
fn with_search_pool_task<R>(task: impl FnOnce() + Send, here: impl FnOnce() -> R) -> R {
    match search_pool() {
        Some(pool) => pool.in_place_scope(|s| {
            s.spawn(|_| task());
            here()
        }),
        None => rayon::in_place_scope(|s| {
            s.spawn(|_| task());
            here()
        }),
    }
}

/// Starts `f` on the searches' own threads and returns at once. A whole search started here
/// runs its parallel parts from the thread it is on: no hand-off to the pool and back, as
/// when a search on another thread reaches `in_search_pool` (two thread wake-ups, tens of
/// microseconds each). The thread that ran the last search takes `f` if it still waits for
/// the next one ([`handoff`]: only when no other search runs), else the pool wakes one. `f`
/// must not panic: a panic in it ends the process.
pub(crate) fn spawn_in_search_pool(f: impl FnOnce() + Send + 'static) {
    handoff::start(Box::new(f), |run| match search_pool() {
        Some(pool) => pool.spawn(run),
        None => rayon::spawn(run),
    });
}

/// The searches' pool ([`concurrent_searches`] threads, "trove-search-N"), started on first
/// use; `None` if the system refused the threads.
fn search_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(concurrent_searches())
            .thread_name(|i| format!("trove-search-{i}"))
            .build()
            .inspect_err(
                |e| tracing::warn!(error = %e, "no search threads; searching on the shared pool"),
            )
            .ok()
    })
    .as_ref()
}

/// The postings of `query`'s terms in `field`, over all segments (deleted documents
/// included), and how many terms they are.
fn postings(
    searcher: &TSearcher,
    query: &dyn tantivy::query::Query,
    field: tantivy::schema::Field,
) -> (u64, u64) {
    let (mut total, mut terms) = (0u64, 0u64);
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms += 1;
            total = searcher
                .doc_freq(term)
                .map_or(u64::MAX, |n| total.saturating_add(n));
        }
    });
    (total, terms)
}

/// How many hits to count: all when asked for, else up to the threshold.
fn up_to(req: &SearchRequest) -> Option<u64> {
    (!req.exact_total).then_some(EXACT_TOTAL_UP_TO)
}

/// Stored fields of a hit.
struct StoredDoc {
    id: String,
    source: String,
    kind: String,
    title: String,
    path: String,
    url: String,
    updated_at: Option<DateTime<Utc>>,
}

fn fetch(
    searcher: &TSearcher,
    top: &[(f32, DocAddress)],
) -> Result<Vec<(f32, StoredDoc)>, SearchError> {
    let schema = searcher.schema();
    let text = |d: &TantivyDocument, name: &str| -> String {
        schema
            .get_field(name)
            .ok()
            .and_then(|f| d.get_first(f).and_then(|v| v.as_str().map(str::to_owned)))
            .unwrap_or_default()
    };
    top.iter()
        .map(|(score, addr)| {
            let d: TantivyDocument = searcher.doc(*addr)?;
            let updated_at = schema
                .get_field("updated_at")
                .ok()
                .and_then(|f| d.get_first(f).and_then(|v| v.as_datetime()))
                .and_then(|t| DateTime::from_timestamp_micros(t.into_timestamp_micros()));
            Ok((
                *score,
                StoredDoc {
                    id: text(&d, "id"),
                    source: text(&d, "source"),
                    kind: text(&d, "kind"),
                    title: text(&d, "title"),
                    path: text(&d, "path"),
                    url: text(&d, "url"),
                    updated_at,
                },
            ))
        })
        .collect()
}

fn hit(d: &StoredDoc, score: f32, body: Option<&String>, gen: &SnippetGenerator) -> Hit {
    let body = body.map(String::as_str).unwrap_or("");
    let snippet = gen.snippet(body);
    let cut = if snippet.is_empty() {
        snippet::lead(body, false)
    } else {
        snippet::to_cut(&snippet)
    };
    hit_with(d, score, cut)
}

/// A hit with its snippet already cut.
fn hit_with(d: &StoredDoc, score: f32, (html, plain): snippet::Cut) -> Hit {
    Hit {
        id: d.id.clone(),
        source: d.source.clone(),
        kind: d.kind.clone(),
        title: d.title.clone(),
        path: d.path.clone(),
        url: d.url.clone(),
        snippet: html,
        score,
        updated_at: d.updated_at,
        snippet_plain: plain,
    }
}

/// The first ~200 characters of the body, cut at a word boundary (when no term matched it).
pub(crate) fn lead(body: &str) -> snippet::Cut {
    snippet::lead(body, false)
}

/// Refuses queries longer than [`MAX_QUERY_BYTES`] (every engine checks this first).
pub fn check_length(query: &str) -> Result<(), QueryError> {
    if query.len() > MAX_QUERY_BYTES {
        return Err(QueryError(format!(
            "the query is {} bytes long; the limit is {MAX_QUERY_BYTES}",
            query.len()
        )));
    }
    Ok(())
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Hits by id, for tests comparing result lists.
pub fn ids(resp: &SearchResponse) -> Vec<String> {
    resp.hits.iter().map(|h| h.id.clone()).collect()
}

/// The ids of the first 10 hits for `q` in the data folder `dir`, for tests.
#[cfg(test)]
pub(crate) fn ids_in(dir: &std::path::Path, q: &str) -> Vec<String> {
    let store = Store::open(dir).unwrap();
    let s = Searcher::new(TroveIndex::open(dir).unwrap()).unwrap();
    let req = SearchRequest {
        query: q.into(),
        limit: 10,
        ..SearchRequest::default()
    };
    ids(&s.search(&req, &store).unwrap())
}

pub use compile::STOP_WORDS;
pub use count::EXACT_TOTAL_UP_TO;

#[cfg(test)]
mod tests;
