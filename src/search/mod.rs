//! Answering queries: [`Searcher`] runs a [`SearchRequest`] against the index and returns a
//! [`SearchResponse`] (hits with highlighted snippets, total, facets).
//!
//! The text typed by a person is parsed by [`query`] and compiled by [`compile`] into a tantivy
//! query: BM25 over title (boosted), body, breadcrumb, authors and tags, English stemming,
//! query-time stop-word removal, and a proximity boost for query words that appear near each
//! other. Snippets are cut from the body kept in the store (bodies are not stored in the index).

pub mod compile;
pub mod eval;
pub mod query;
pub mod ranking;
pub mod semantic;

use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::Value;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, IndexReader, Searcher as TSearcher, TantivyDocument};

use crate::error::Fault;
use crate::index::{IndexError, TroveIndex};
use crate::store::{Store, StoreError};
pub use query::QueryError;
pub use ranking::RankingConfig;
pub use semantic::{Fusion, Mode, Semantic};

/// Highest `limit` a request may ask for.
pub const MAX_LIMIT: usize = 100;
/// Longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 2048;
/// Snippets are cut from at most this many leading characters of a body: tokenizing a whole
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
}

impl SearchError {
    /// A bad query is the user's to fix; anything else is internal.
    pub fn fault(&self) -> Fault {
        match self {
            SearchError::BadQuery(_) | SearchError::SemanticOff => Fault::User,
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
/// are out of bounds or not on character boundaries are left unmarked.
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
        out.push_str(&text[at..r.start]);
        out.push_str(open);
        out.push_str(&text[r.clone()]);
        out.push_str(close);
        at = r.end;
    }
    out.push_str(&text[at..]);
    out.replace('\n', " ")
}

/// Counts by facet value.
#[derive(Debug, Clone, Default, Serialize)]
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
    pub total: u64,
    pub took_ms: u64,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
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
        let start = Instant::now();
        check_length(&req.query)?;
        let parsed = query::parse(&req.query)?;
        let fields = *self.index.fields();
        let compiled =
            compile::Compiler::with_ranking(&self.index, self.ranking)?.compile(&parsed, req)?;
        let mode = self.mode_for(req)?;
        let searcher = self.reader.searcher();
        if let (Some(sem), true) = (&self.semantic, mode != Mode::Keyword) {
            let (total, hits) = self.search_semantic(sem, mode, req, &parsed, &compiled, store)?;
            let facets = if req.facets {
                Some(self.facets(&searcher, &*compiled.query)?)
            } else {
                None
            };
            return Ok(SearchResponse {
                mode,
                total,
                took_ms: start.elapsed().as_millis() as u64,
                hits,
                facets,
            });
        }
        let limit = req.limit.clamp(1, MAX_LIMIT);
        let (top, total) = searcher.search(
            &*compiled.query,
            &(
                TopDocs::with_limit(limit)
                    .and_offset(req.offset)
                    .order_by_score(),
                Count,
            ),
        )?;
        let mut snippets = SnippetGenerator::create(&searcher, &*compiled.highlight, fields.body)?;
        snippets.set_max_num_chars(220);
        let docs = fetch(&searcher, &top)?;
        let ids: Vec<&str> = docs.iter().map(|(_, d)| d.id.as_str()).collect();
        let bodies = store.body_prefixes(&ids, SNIPPET_SOURCE_CHARS)?;
        let hits = docs
            .iter()
            .map(|(score, d)| hit(d, *score, bodies.get(&d.id), &snippets))
            .collect();
        let facets = if req.facets {
            Some(self.facets(&searcher, &*compiled.query)?)
        } else {
            None
        };
        Ok(SearchResponse {
            mode,
            total: total as u64,
            took_ms: start.elapsed().as_millis() as u64,
            hits,
            facets,
        })
    }

    fn facets(
        &self,
        searcher: &TSearcher,
        q: &dyn tantivy::query::Query,
    ) -> Result<Facets, SearchError> {
        let req: Aggregations = serde_json::from_value(serde_json::json!({
            "source": {"terms": {"field": "source", "size": 20}},
            "kind": {"terms": {"field": "kind", "size": 20}},
            "tags": {"terms": {"field": "tags", "size": 30}},
        }))
        .map_err(|e| SearchError::Tantivy(tantivy::TantivyError::InvalidArgument(e.to_string())))?;
        let ctx = AggContextParams::new(
            AggregationLimitsGuard::default(),
            self.index.index().tokenizers().clone(),
        );
        let res = searcher.search(q, &AggregationCollector::from_aggs(req, ctx))?;
        let json = serde_json::to_value(&res).unwrap_or_default();
        let buckets = |name: &str| -> Vec<(String, u64)> {
            json[name]["buckets"]
                .as_array()
                .map(|b| {
                    b.iter()
                        .filter_map(|e| {
                            Some((e["key"].as_str()?.to_owned(), e["doc_count"].as_u64()?))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        Ok(Facets {
            source: buckets("source"),
            kind: buckets("kind"),
            tags: buckets("tags"),
        })
    }
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
    let (html, plain) = if snippet.is_empty() {
        lead(body)
    } else {
        (
            snippet.to_html(),
            (
                snippet.fragment().to_owned(),
                snippet.highlighted().to_vec(),
            ),
        )
    };
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
pub(crate) fn lead(body: &str) -> (String, (String, Vec<std::ops::Range<usize>>)) {
    let mut end = body.len().min(200);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    if end < body.len() {
        end = body[..end].rfind(char::is_whitespace).unwrap_or(end);
    }
    let text = body[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    (html_escape(&text), (text, Vec::new()))
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
