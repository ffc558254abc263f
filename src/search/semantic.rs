//! Semantic and hybrid retrieval: [`Mode`] picks keyword (BM25 only), semantic (nearest
//! passages only) or hybrid (both, fused by reciprocal rank fusion, [`Fusion`]).
//!
//! The query text is embedded with the [`Semantic`] handle's model and searched in its
//! [`VectorIndex`]; the request's filters (source, kind, tags, dates) are checked on the
//! semantic candidates with the same tantivy filter query the keyword side uses. A query with
//! deliberate syntax (quotes, `+`/`-`, `field:`, `AND`/`OR`/`NOT`, groups) keeps its keyword
//! meaning: the semantic side then only reorders documents the keyword query matches. A
//! semantic hit's snippet is its best passage.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur as TOccur, Query, TermQuery, TermSetQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Searcher as TSearcher, Term};

use super::query::{Node, Occur, ParsedQuery};
use super::{fetch, hit, Hit, SearchError, SearchRequest, Searcher, StoredDoc};
use crate::embed::Embedder;
use crate::index::vectors::{VectorHit, VectorIndex};
use crate::store::Store;

/// Keyword matches a query with exact syntax lets the semantic side reorder.
const EXACT_DEPTH: usize = 1000;

/// Which retrieval a search uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Keyword,
    Semantic,
    Hybrid,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "keyword" => Ok(Mode::Keyword),
            "semantic" => Ok(Mode::Semantic),
            "hybrid" => Ok(Mode::Hybrid),
            other => Err(format!(
                "unknown search mode `{other}` (expected keyword, semantic or hybrid)"
            )),
        }
    }
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Keyword => "keyword",
            Mode::Semantic => "semantic",
            Mode::Hybrid => "hybrid",
        }
    }
}

/// The model and vector index a [`Searcher`] uses for semantic and hybrid search.
#[derive(Clone)]
pub struct Semantic {
    pub embedder: Arc<Embedder>,
    pub vectors: Arc<RwLock<VectorIndex>>,
}

impl Semantic {
    /// Loads the model in `model_dir` and the vectors of the index generation `gen_dir`,
    /// caught up with what `store` has embedded. A missing, other-model or unreadable
    /// `vectors.bin` is rebuilt from the store's vectors (nothing is embedded here).
    pub fn open(model_dir: &Path, gen_dir: &Path, store: &Store) -> Result<Semantic, SearchError> {
        let embedder = Embedder::load(model_dir)?;
        let mut vectors = crate::index::vectors::load_or_new(gen_dir, &embedder);
        vectors.catch_up(store)?;
        Ok(Semantic {
            embedder: Arc::new(embedder),
            vectors: Arc::new(RwLock::new(vectors)),
        })
    }

    /// Applies vectors the store gained since the last call; when anything changed, saves
    /// the vector index into the generation `gen_dir`. Returns the documents changed.
    pub fn refresh(&self, store: &Store, gen_dir: Option<&Path>) -> Result<usize, SearchError> {
        let mut vectors = self.vectors.write().unwrap_or_else(|e| e.into_inner());
        let changed = vectors.catch_up(store)?;
        if changed > 0 {
            vectors.compact_if_sparse();
            if let Some(dir) = gen_dir {
                vectors
                    .save(dir)
                    .map_err(|e| SearchError::Vectors(e.to_string()))?;
            }
        }
        Ok(changed)
    }
}

/// Reciprocal rank fusion: a document scores `w / (k + rank)` on each side it appears on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fusion {
    /// The rank constant: larger flattens the difference between top ranks.
    pub k: f32,
    /// Weight of the semantic side (the keyword side weighs 1).
    pub semantic_weight: f32,
    /// Candidates taken from each side before fusing.
    pub depth: usize,
}

impl Default for Fusion {
    /// Chosen on the judged sets in `eval/` (eval/README.md, "Hybrid"): the best question-set
    /// score among settings that keep the original queries at least 0.03 above keyword and
    /// answer at least as many demo questions as keyword in the top 3.
    fn default() -> Fusion {
        Fusion {
            k: 5.0,
            semantic_weight: 1.5,
            depth: 100,
        }
    }
}

impl Fusion {
    /// Fused order of keyword and semantic rankings (ids, best first) with fused scores.
    pub fn fuse(&self, keyword: &[&str], semantic: &[&str]) -> Vec<(String, f32)> {
        let mut score: HashMap<&str, f32> = HashMap::new();
        for (rank, id) in keyword.iter().enumerate() {
            *score.entry(id).or_default() += 1.0 / (self.k + rank as f32 + 1.0);
        }
        for (rank, id) in semantic.iter().enumerate() {
            *score.entry(id).or_default() += self.semantic_weight / (self.k + rank as f32 + 1.0);
        }
        let mut out: Vec<(String, f32)> =
            score.into_iter().map(|(i, s)| (i.to_owned(), s)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

/// Whether the query uses syntax whose keyword meaning must hold (anything but plain words).
pub fn has_exact_syntax(q: &ParsedQuery) -> bool {
    q.clauses.iter().any(|(occur, node)| {
        *occur != Occur::Should || !matches!(node, Node::Words { field: None, .. })
    })
}

/// The text to embed: the words and phrases the query asks for (not the excluded ones).
fn semantic_text(q: &ParsedQuery) -> String {
    fn walk(nodes: &[(Occur, Node)], out: &mut Vec<String>) {
        for (occur, node) in nodes {
            match node {
                _ if *occur == Occur::MustNot => {}
                Node::Words { field, text } | Node::Phrase { field, text } => {
                    if !matches!(
                        field.as_deref(),
                        Some("source" | "kind" | "tags" | "authors")
                    ) {
                        out.push(text.clone());
                    }
                }
                Node::Group(inner) => walk(inner, out),
            }
        }
    }
    let mut out = Vec::new();
    walk(&q.clauses, &mut out);
    out.join(" ")
}

/// One side's candidates: ids best first, and their snippet spans (semantic side).
struct Side {
    ids: Vec<String>,
    total: u64,
}

impl Searcher {
    /// A hybrid or semantic search (the keyword path is [`Searcher::search`]'s own).
    pub(super) fn search_semantic(
        &self,
        sem: &Semantic,
        mode: Mode,
        req: &SearchRequest,
        parsed: &ParsedQuery,
        compiled: &super::compile::Compiled,
        store: &Store,
    ) -> Result<(u64, Vec<Hit>, u64), SearchError> {
        let searcher = self.reader.searcher();
        let limit = req.limit.clamp(1, super::MAX_LIMIT);
        let depth = self.fusion.depth.max(req.offset + limit);
        let exact = has_exact_syntax(parsed);
        let keyword = if mode == Mode::Hybrid || exact {
            keyword_side(&searcher, compiled, if exact { EXACT_DEPTH } else { depth })?
        } else {
            Side {
                ids: Vec::new(),
                total: 0,
            }
        };
        let filter = self.semantic_filter(req)?;
        let allowed: Option<HashSet<&str>> =
            exact.then(|| keyword.ids.iter().map(String::as_str).collect());
        // Embedding the query and scoring the vectors are parallel: on searches' own threads.
        let (sem_hits, applied) = super::in_search_pool(|| -> Result<_, SearchError> {
            let query = sem.embedder.embed(&semantic_text(parsed))?;
            let vectors = sem.vectors.read().unwrap_or_else(|e| e.into_inner());
            let hits = vectors.search(&query, depth, |ids| match &allowed {
                Some(set) => ids.iter().map(|id| set.contains(id)).collect(),
                None => self.check_filter(&searcher, filter.as_deref(), ids),
            });
            Ok((hits, vectors.seq()))
        })?;
        let pending = store.changed_after(applied)?;
        let kw_ids: Vec<&str> = keyword.ids.iter().take(depth).map(String::as_str).collect();
        let sem_ids: Vec<&str> = sem_hits.iter().map(|h| h.id.as_str()).collect();
        let fused = match mode {
            Mode::Semantic => sem_hits.iter().map(|h| (h.id.clone(), h.score)).collect(),
            _ => self.fusion.fuse(&kw_ids, &sem_ids),
        };
        let total = match mode {
            Mode::Semantic => sem_hits.len() as u64,
            _ => {
                let kw: HashSet<&str> = kw_ids.iter().copied().collect();
                keyword.total + sem_ids.iter().filter(|id| !kw.contains(*id)).count() as u64
            }
        };
        let page: Vec<(String, f32)> = fused.into_iter().skip(req.offset).take(limit).collect();
        let hits = self.semantic_hits(&searcher, compiled, &page, &sem_hits, store)?;
        Ok((total, hits, pending))
    }

    /// The request's filters as a tantivy query (`None` without filters).
    fn semantic_filter(&self, req: &SearchRequest) -> Result<Option<Box<dyn Query>>, SearchError> {
        let compiler = super::compile::Compiler::with_ranking(&self.index, self.ranking)?;
        Ok(compiler.filters(req))
    }

    /// Which of `ids` pass `filter`, with one tantivy query for the batch.
    fn check_filter(
        &self,
        searcher: &TSearcher,
        filter: Option<&dyn Query>,
        ids: &[&str],
    ) -> Vec<bool> {
        let Some(filter) = filter else {
            return vec![true; ids.len()];
        };
        let field = self.index.fields().id;
        let terms = ids.iter().map(|id| Term::from_field_text(field, id));
        let q = BooleanQuery::new(vec![
            (
                TOccur::Must,
                Box::new(TermSetQuery::new(terms)) as Box<dyn Query>,
            ),
            (TOccur::Must, filter.box_clone()),
        ]);
        let found: HashSet<String> = searcher
            .search(&q, &DocSetCollector)
            .ok()
            .map(|docs| ids_of(searcher, docs.into_iter().collect()))
            .unwrap_or_default();
        ids.iter().map(|id| found.contains(*id)).collect()
    }

    /// Hits for a page of fused ids: stored fields from the index, snippets from the store.
    fn semantic_hits(
        &self,
        searcher: &TSearcher,
        compiled: &super::compile::Compiled,
        page: &[(String, f32)],
        sem_hits: &[VectorHit],
        store: &Store,
    ) -> Result<Vec<Hit>, SearchError> {
        let fields = *self.index.fields();
        let mut gen = tantivy::snippet::SnippetGenerator::create(
            searcher,
            &*compiled.highlight,
            fields.body,
        )?;
        gen.set_max_num_chars(super::snippet::FRAGMENT_CHARS);
        let spans: HashMap<&str, (u32, u32)> =
            sem_hits.iter().map(|h| (h.id.as_str(), h.span)).collect();
        let ids: Vec<&str> = page.iter().map(|(id, _)| id.as_str()).collect();
        let bodies = store.bodies(&ids)?;
        let mut out = Vec::with_capacity(page.len());
        for (id, score) in page {
            let Some(doc) = stored_by_id(searcher, fields.id, id)? else {
                continue; // deleted since the vectors were read
            };
            let body = bodies.get(id).map(String::as_str).unwrap_or("");
            out.push(semantic_hit(
                &doc,
                *score,
                body,
                spans.get(id.as_str()),
                &gen,
            ));
        }
        Ok(out)
    }
}

/// A hit whose snippet is the keyword snippet when a query word matched, else its best passage.
fn semantic_hit(
    doc: &StoredDoc,
    score: f32,
    body: &str,
    span: Option<&(u32, u32)>,
    gen: &tantivy::snippet::SnippetGenerator,
) -> Hit {
    let keyword = hit(doc, score, Some(&body.to_owned()), gen);
    let Some(&(a, b)) = span else {
        return keyword;
    };
    if !keyword.snippet_plain.1.is_empty() {
        return keyword;
    }
    let passage = body.get(a as usize..b as usize).unwrap_or("").to_owned();
    hit(doc, score, Some(&passage), gen)
}

/// Top keyword matches' ids (up to `n`, proximity bonus included) and the total number of
/// matches.
fn keyword_side(
    searcher: &TSearcher,
    compiled: &super::compile::Compiled,
    n: usize,
) -> Result<Side, SearchError> {
    let n = n.max(1);
    let top_k = TopDocs::with_limit(super::rescore::fetch(&compiled.proximity, 0, n));
    let (top, total) = searcher.search(&*compiled.query, &(top_k.order_by_score(), Count))?;
    let top = super::rescore::page(searcher, &compiled.proximity, top, 0, n, &compiled.budget)?;
    let addrs: Vec<DocAddress> = top.iter().map(|(_, a)| *a).collect();
    let docs = fetch(searcher, &top)?;
    debug_assert_eq!(docs.len(), addrs.len());
    Ok(Side {
        ids: docs.into_iter().map(|(_, d)| d.id).collect(),
        total: total as u64,
    })
}

/// The stored `id` of each address.
fn ids_of(searcher: &TSearcher, addrs: Vec<DocAddress>) -> HashSet<String> {
    let top: Vec<(f32, DocAddress)> = addrs.into_iter().map(|a| (0.0, a)).collect();
    fetch(searcher, &top)
        .map(|docs| docs.into_iter().map(|(_, d)| d.id).collect())
        .unwrap_or_default()
}

/// A document's stored fields, found by id.
fn stored_by_id(
    searcher: &TSearcher,
    id_field: tantivy::schema::Field,
    id: &str,
) -> Result<Option<StoredDoc>, SearchError> {
    let q = TermQuery::new(
        Term::from_field_text(id_field, id),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    Ok(fetch(searcher, &top)?.into_iter().next().map(|(_, d)| d))
}

#[cfg(test)]
#[path = "semantic_tests.rs"]
mod tests;
