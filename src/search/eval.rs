//! Ranking-quality evaluation over a judged query set (the one in `eval/` at the crate root).
//!
//! A [`JudgedSet`] is documents (`docs.ndjson`, one [`Document`] per line), natural-language
//! queries (`qid<TAB>text`) and graded judgments (`qid<TAB>doc id<TAB>grade 0–3`). The
//! documents are shared by two query sets ([`QuerySet`]): the original queries
//! (`queries.tsv` + `qrels.tsv`) and questions whose answers use other words
//! (`questions.tsv` + `questions-qrels.tsv`). [`TroveEval`] indexes the documents through the normal
//! store + index path and runs every query with a [`RankingConfig`]; [`plain_bm25`] runs them
//! on a bare tantivy index with its default tokenizer and `QueryParser` over title and body
//! (no stemming, stop words, boosts or proximity) — the baseline a plain BM25 engine gives.
//! Both produce a [`Report`]: nDCG@10, MAP and P@10, averaged over the queries.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, Value, STORED, STRING, TEXT};
use tantivy::{doc, Index, TantivyDocument};

use super::{
    Fusion, Mode, RankingConfig, SearchError, SearchRequest, Searcher, Semantic, MAX_LIMIT,
};
use crate::document::Document;
use crate::embed::{embed_pending, Embedder};
use crate::index::schema::{SchemaDef, SCHEMA_TOML};
use crate::index::vectors::VectorIndex;
use crate::index::{IndexError, TroveIndex};
use crate::store::Store;
use std::sync::{Arc, RwLock};

/// Ranks considered by nDCG and precision.
pub const CUTOFF: usize = 10;

/// An evaluation failure.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{file} line {line}: {message}")]
    Format {
        file: &'static str,
        line: usize,
        message: String,
    },
    /// Anything the index, store or search raised (they convert through [`SearchError`]).
    #[error(transparent)]
    Search(SearchError),
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
}

impl<E: Into<SearchError>> From<E> for EvalError {
    fn from(err: E) -> Self {
        EvalError::Search(err.into())
    }
}

/// A query set in `eval/`: its queries and judgments files (the documents are shared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuerySet {
    /// `queries.tsv` + `qrels.tsv`: the queries the keyword ranking defaults were chosen on.
    Original,
    /// `questions.tsv` + `questions-qrels.tsv`: questions as people type them, whose answers
    /// use other words than the question (for comparing keyword and semantic ranking).
    Questions,
}

impl QuerySet {
    /// The queries file and the judgments file.
    pub fn files(self) -> (&'static str, &'static str) {
        match self {
            QuerySet::Original => ("queries.tsv", "qrels.tsv"),
            QuerySet::Questions => ("questions.tsv", "questions-qrels.tsv"),
        }
    }
}

/// Documents, queries and graded judgments.
#[derive(Debug, Clone, Default)]
pub struct JudgedSet {
    pub docs: Vec<Document>,
    /// `(qid, text)` in file order.
    pub queries: Vec<(String, String)>,
    /// qid → doc id → grade (0 = not relevant … 3 = highly relevant).
    pub qrels: HashMap<String, HashMap<String, u8>>,
}

impl JudgedSet {
    /// Reads `docs.ndjson`, `queries.tsv` and `qrels.tsv` from `dir`.
    pub fn load(dir: &Path) -> Result<JudgedSet, EvalError> {
        JudgedSet::load_set(dir, QuerySet::Original)
    }

    /// Reads `docs.ndjson` and the files of `set` from `dir`. Fails when a judgment names a
    /// document that is not in `docs.ndjson` or a query that is not in the queries file.
    pub fn load_set(dir: &Path, set: QuerySet) -> Result<JudgedSet, EvalError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|source| EvalError::Io { path, source })
        };
        let (queries_file, qrels_file) = set.files();
        let docs = parse_docs(&read("docs.ndjson")?)?;
        let queries = parse_queries(queries_file, &read(queries_file)?)?;
        let judged = JudgedSet {
            docs,
            queries,
            qrels: HashMap::new(),
        };
        judged.with_qrels(qrels_file, &read(qrels_file)?)
    }

    /// Adds the judgments in `text` (the contents of `file`), checking their ids.
    fn with_qrels(mut self, file: &'static str, text: &str) -> Result<JudgedSet, EvalError> {
        let doc_ids: HashSet<&str> = self.docs.iter().map(|d| d.id.as_str()).collect();
        let qids: HashSet<&str> = self.queries.iter().map(|(q, _)| q.as_str()).collect();
        let mut qrels: HashMap<String, HashMap<String, u8>> = HashMap::new();
        for (n, l) in lines(text) {
            let cols: Vec<&str> = l.split('\t').map(str::trim).collect();
            let grade = match cols.as_slice() {
                [_, _, g] => g.parse::<u8>().ok().filter(|g| *g <= 3),
                _ => None,
            };
            let grade = grade
                .ok_or_else(|| format_err(file, n, "expected `qid<TAB>doc id<TAB>grade 0-3`"))?;
            if !qids.contains(cols[0]) {
                return Err(format_err(file, n, &format!("unknown query `{}`", cols[0])));
            }
            if !doc_ids.contains(cols[1]) {
                let msg = format!("document `{}` is not in docs.ndjson", cols[1]);
                return Err(format_err(file, n, &msg));
            }
            qrels
                .entry(cols[0].to_owned())
                .or_default()
                .insert(cols[1].to_owned(), grade);
        }
        self.qrels = qrels;
        Ok(self)
    }

    fn judged(&self, qid: &str) -> HashMap<String, u8> {
        self.qrels.get(qid).cloned().unwrap_or_default()
    }
}

fn parse_queries(file: &'static str, text: &str) -> Result<Vec<(String, String)>, EvalError> {
    lines(text)
        .map(|(n, l)| match l.split_once('\t') {
            Some((q, t)) => Ok((q.trim().to_owned(), t.trim().to_owned())),
            None => Err(format_err(file, n, "expected `qid<TAB>text`")),
        })
        .collect()
}

fn parse_docs(text: &str) -> Result<Vec<Document>, EvalError> {
    lines(text)
        .map(|(n, l)| {
            serde_json::from_str(l).map_err(|e| format_err("docs.ndjson", n, &e.to_string()))
        })
        .collect()
}

/// Non-empty, non-comment lines with their 1-based numbers.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
}

fn format_err(file: &'static str, line: usize, message: &str) -> EvalError {
    EvalError::Format {
        file,
        line,
        message: message.to_owned(),
    }
}

/// Scores of one ranking (or their mean over queries).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    pub ndcg10: f64,
    pub map: f64,
    pub p10: f64,
}

impl Metrics {
    /// Scores `ranked` (doc ids, best first) against graded judgments; unjudged docs count 0.
    pub fn of(ranked: &[String], judged: &HashMap<String, u8>) -> Metrics {
        let grade = |id: &String| judged.get(id).copied().unwrap_or(0);
        let gain = |g: u8| f64::from((1u32 << g) - 1);
        let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
        let dcg: f64 = ranked
            .iter()
            .take(CUTOFF)
            .enumerate()
            .map(|(i, id)| gain(grade(id)) * discount(i))
            .sum();
        let mut ideal: Vec<u8> = judged.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg: f64 = ideal
            .iter()
            .take(CUTOFF)
            .enumerate()
            .map(|(i, g)| gain(*g) * discount(i))
            .sum();
        let relevant = judged.values().filter(|g| **g > 0).count();
        let (mut found, mut ap) = (0usize, 0.0);
        for (i, id) in ranked.iter().enumerate() {
            if grade(id) > 0 {
                found += 1;
                ap += found as f64 / (i + 1) as f64;
            }
        }
        let hits10 = ranked
            .iter()
            .take(CUTOFF)
            .filter(|id| grade(id) > 0)
            .count();
        Metrics {
            ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
            map: if relevant > 0 {
                ap / relevant as f64
            } else {
                0.0
            },
            p10: hits10 as f64 / CUTOFF as f64,
        }
    }

    fn mean(all: &[Metrics]) -> Metrics {
        let n = all.len().max(1) as f64;
        Metrics {
            ndcg10: all.iter().map(|m| m.ndcg10).sum::<f64>() / n,
            map: all.iter().map(|m| m.map).sum::<f64>() / n,
            p10: all.iter().map(|m| m.p10).sum::<f64>() / n,
        }
    }
}

/// The mean metrics of a run and the per-query ones.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub mean: Metrics,
    /// `(qid, metrics)` in query order.
    pub per_query: Vec<(String, Metrics)>,
}

impl Report {
    /// Scores each query's ranking (`rank` returns doc ids, best first).
    fn collect(
        set: &JudgedSet,
        mut rank: impl FnMut(&str) -> Result<Vec<String>, EvalError>,
    ) -> Result<Report, EvalError> {
        let mut per_query = Vec::with_capacity(set.queries.len());
        for (qid, text) in &set.queries {
            let ranked = rank(text)?;
            per_query.push((qid.clone(), Metrics::of(&ranked, &set.judged(qid))));
        }
        let all: Vec<Metrics> = per_query.iter().map(|(_, m)| *m).collect();
        Ok(Report {
            mean: Metrics::mean(&all),
            per_query,
        })
    }
}

/// The judged documents in a trove data folder (store + index), ready to be searched.
pub struct TroveEval {
    dir: PathBuf,
    def: SchemaDef,
}

impl TroveEval {
    /// Stores and indexes `set`'s documents in `data_dir` (an empty folder) with the built-in
    /// schema, or with the `en` analyzer's stemmer removed when `stemming` is false.
    pub fn build(set: &JudgedSet, data_dir: &Path, stemming: bool) -> Result<TroveEval, EvalError> {
        let def = if stemming {
            SchemaDef::builtin().map_err(IndexError::from)?
        } else {
            schema_without_stemming()?
        };
        let mut store = Store::open(data_dir)?;
        store.upsert_all(&set.docs)?;
        let mut index = TroveIndex::open_with_schema(data_dir, def.clone())?;
        index.catch_up(&mut store)?;
        Ok(TroveEval {
            dir: data_dir.to_owned(),
            def,
        })
    }

    /// Runs every query of `set` with `ranking` (keyword search).
    pub fn run(&self, set: &JudgedSet, ranking: RankingConfig) -> Result<Report, EvalError> {
        let store = Store::open(&self.dir)?;
        let index = TroveIndex::open_with_schema(&self.dir, self.def.clone())?;
        let searcher = Searcher::new(index)?.with_ranking(ranking);
        Self::collect(set, &searcher, &store, Mode::Keyword)
    }

    /// Embeds the judged documents with `embedder` (vectors kept in this folder's store) and
    /// returns the handle for [`TroveEval::run_mode`].
    pub fn embed(&self, embedder: Arc<Embedder>) -> Result<Semantic, EvalError> {
        let mut store = Store::open(&self.dir)?;
        embed_pending(&mut store, &embedder, |_, _| {})?;
        let mut vectors = VectorIndex::new(embedder.id(), embedder.dims());
        vectors.catch_up(&store)?;
        Ok(Semantic {
            embedder,
            vectors: Arc::new(RwLock::new(vectors)),
        })
    }

    /// Runs every query of `set` in `mode`, fusing with `fusion`.
    pub fn run_mode(
        &self,
        set: &JudgedSet,
        semantic: &Semantic,
        mode: Mode,
        fusion: Fusion,
    ) -> Result<Report, EvalError> {
        let store = Store::open(&self.dir)?;
        let index = TroveIndex::open_with_schema(&self.dir, self.def.clone())?;
        let searcher = Searcher::new(index)?
            .with_semantic(semantic.clone())
            .with_fusion(fusion);
        Self::collect(set, &searcher, &store, mode)
    }

    fn collect(
        set: &JudgedSet,
        searcher: &Searcher,
        store: &Store,
        mode: Mode,
    ) -> Result<Report, EvalError> {
        Report::collect(set, |text| {
            let req = SearchRequest {
                query: text.to_owned(),
                limit: MAX_LIMIT,
                mode: Some(mode),
                ..SearchRequest::default()
            };
            Ok(super::ids(&searcher.search(&req, store)?))
        })
    }
}

/// The built-in schema with `stem_english` removed from its analyzers.
fn schema_without_stemming() -> Result<SchemaDef, EvalError> {
    let text = SCHEMA_TOML.replace(", \"stem_english\"", "");
    if text == SCHEMA_TOML {
        return Err(format_err(
            "schema/trove.toml",
            0,
            "no `stem_english` filter",
        ));
    }
    Ok(SchemaDef::parse(&text).map_err(IndexError::from)?)
}

/// The baseline: tantivy's `QueryParser` over title + body, default tokenizer, default BM25,
/// on an in-memory index of the same documents.
pub fn plain_bm25(set: &JudgedSet) -> Result<Report, EvalError> {
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let title = b.add_text_field("title", TEXT);
    let body = b.add_text_field("body", TEXT);
    let index = Index::create_in_ram(b.build());
    let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
    for d in &set.docs {
        writer.add_document(
            doc!(id => d.id.as_str(), title => d.title.as_str(), body => d.body.as_str()),
        )?;
    }
    writer.commit()?;
    let searcher = index.reader()?.searcher();
    let parser = QueryParser::for_index(&index, vec![title, body]);
    Report::collect(set, |text| {
        let (query, _) = parser.parse_query_lenient(text);
        let top = searcher.search(&query, &TopDocs::with_limit(MAX_LIMIT).order_by_score())?;
        top.iter()
            .map(|(_, addr)| {
                let d: TantivyDocument = searcher.doc(*addr)?;
                Ok(d.get_first(id)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned())
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, u8)]) -> HashMap<String, u8> {
        pairs.iter().map(|(id, g)| (id.to_string(), *g)).collect()
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let j = judged(&[("a", 3), ("b", 1), ("c", 0)]);
        let m = Metrics::of(&ids(&["a", "b", "c"]), &j);
        assert!((m.ndcg10 - 1.0).abs() < 1e-9);
        assert!((m.map - 1.0).abs() < 1e-9);
        assert!((m.p10 - 0.2).abs() < 1e-9);
    }

    #[test]
    fn swapped_grades_lower_ndcg_and_map_counts_misses() {
        let j = judged(&[("a", 3), ("b", 1), ("d", 2)]);
        let m = Metrics::of(&ids(&["b", "x", "a"]), &j);
        // DCG = 1 + 7/log2(4) = 4.5; IDCG = 7 + 3/log2(3) + 1/2.
        let idcg = 7.0 + 3.0 / 3f64.log2() + 0.5;
        assert!((m.ndcg10 - 4.5 / idcg).abs() < 1e-9);
        // AP = (1/1 + 2/3) / 3 relevant.
        assert!((m.map - (1.0 + 2.0 / 3.0) / 3.0).abs() < 1e-9);
    }

    fn two_docs() -> JudgedSet {
        let doc = |id: &str| Document::new(id, id, "");
        JudgedSet {
            docs: vec![doc("wiki:a"), doc("wiki:b")],
            queries: parse_queries("q.tsv", "# qid<TAB>text\nq1\tfirst\n").unwrap(),
            qrels: HashMap::new(),
        }
    }

    #[test]
    fn judgments_are_read_and_checked_against_docs_and_queries() {
        let set = two_docs()
            .with_qrels("r.tsv", "q1\twiki:a\t3\nq1\twiki:b\t0\n")
            .unwrap();
        assert_eq!(set.judged("q1"), judged(&[("wiki:a", 3), ("wiki:b", 0)]));
        let err = two_docs()
            .with_qrels("r.tsv", "q1\twiki:a\t3\nq1\twiki:typo\t2\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.tsv line 2: document `wiki:typo` is not in docs.ndjson"
        );
        let err = two_docs()
            .with_qrels("r.tsv", "q9\twiki:a\t1\n")
            .unwrap_err();
        assert_eq!(err.to_string(), "r.tsv line 1: unknown query `q9`");
        let err = two_docs()
            .with_qrels("r.tsv", "q1\twiki:a\t4\n")
            .unwrap_err();
        assert!(err.to_string().contains("grade 0-3"), "{err}");
    }

    #[test]
    fn schema_without_stemming_drops_only_the_stemmer() {
        let def = schema_without_stemming().unwrap();
        let m = tantivy::tokenizer::TokenizerManager::default();
        def.register_tokenizers(&m).unwrap();
        let mut a = m.get("en").unwrap();
        let mut s = a.token_stream("Transfers Café");
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.clone());
        }
        assert_eq!(out, vec!["transfers", "cafe"]);
    }
}
