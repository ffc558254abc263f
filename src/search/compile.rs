//! [`Compiler`]: a [`ParsedQuery`] plus request filters → a tantivy query.
//!
//! Each free word becomes a sum of per-field term queries weighted by the schema's boosts
//! (title over body). Stop words are dropped from free text unless the query has nothing else.
//! Adjacent query words also form sloppy phrases, so documents where they appear together rank
//! higher (the proximity boost): not as clauses of the query, which would make every hit read
//! its positions, but as [`Proximity`] bonuses that [`rescore`](super::rescore) adds to the best
//! candidates only. Filters (`source`, `kind`, tags, dates) are score-neutral (typed ones rank
//! only a query that has nothing else). A [`RankingConfig`] switches or tunes each of these; its defaults are the ones measured best
//! on the judged set in `eval/`. A phrase over title or body goes through the pair terms of its
//! adjacent common words ([`crate::index::pairs`], [`PairPhrase`]), with the phrase query's
//! hits and scores.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery,
    Occur as TOccur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime as TDateTime, Term};

use super::budget::Budget;
use super::filtered::Filtered;
use super::max_score::Word;
use super::pair_phrase::PairPhrase;
use super::query::{Node, Occur, ParsedQuery, QueryError};
use super::ranking::{RankingConfig, MAX_PROXIMITY_PAIRS};
use super::rescore::Proximity;
use super::{SearchError, SearchRequest};
use crate::index::pairs::{pair_term, CommonWords};
use crate::index::{Fields, TroveIndex};

/// English stop words dropped from free-text queries (kept inside phrases): the usual
/// function words plus NLTK's prepositions and adverbs ("during", "after", "between", "up"…),
/// which measured +0.008 nDCG@10 on the judged set in `eval/`.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "herself", "him",
    "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me",
    "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
    "other", "our", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through",
    "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yourself",
];

/// Tantivy boolean clauses.
type Clauses = Vec<(TOccur, Box<dyn Query>)>;

/// The compiled query, the positive terms to highlight, and the proximity bonuses.
pub struct Compiled {
    pub query: Box<dyn Query>,
    pub highlight: Box<dyn Query>,
    /// Sloppy phrases of adjacent query words, scored on the best candidates only.
    pub proximity: Vec<Proximity>,
    /// Whether `query` is a union of term queries alone, perhaps within filters
    /// ([`Filtered`]), the shapes in which tantivy's top-k collector skips blocks of hits
    /// that cannot make the page (block-max WAND); any other query visits every hit, so
    /// counting beside the collector costs no second pass.
    pub prunable: bool,
    /// The budget the search runs within (the compiler's): the proximity rescoring checks it.
    pub budget: Budget,
}

/// Compiles parsed queries for one index.
pub struct Compiler {
    fields: Fields,
    en: TextAnalyzer,
    keyword: TextAnalyzer,
    boosts: Boosts,
    ranking: RankingConfig,
    /// Bounds the phrase clauses (see [`super::budget`]).
    budget: Budget,
    /// The words whose adjacent pairs the index holds (`index/pairs.rs`); none in tests
    /// comparing with plain phrases.
    common: CommonWords,
}

#[derive(Clone, Copy)]
struct Boosts {
    title: f32,
    body: f32,
    path: f32,
    authors: f32,
    tags: f32,
}

impl Compiler {
    /// A compiler with the default [`RankingConfig`].
    pub fn new(index: &TroveIndex) -> Result<Self, SearchError> {
        Self::with_ranking(index, RankingConfig::default())
    }

    /// A compiler scoring with `ranking`.
    pub fn with_ranking(index: &TroveIndex, ranking: RankingConfig) -> Result<Self, SearchError> {
        let t = index.index().tokenizers();
        let missing = |n: &str| {
            SearchError::Tantivy(tantivy::TantivyError::SchemaError(format!(
                "tokenizer `{n}` missing"
            )))
        };
        let def = index.schema_def();
        Ok(Compiler {
            fields: *index.fields(),
            en: t.get("en").ok_or_else(|| missing("en"))?,
            keyword: t.get("keyword").ok_or_else(|| missing("keyword"))?,
            boosts: Boosts {
                title: ranking.title_boost.unwrap_or_else(|| def.boost("title")),
                body: def.boost("body"),
                path: def.boost("path"),
                authors: def.boost("authors"),
                tags: def.boost("tags"),
            },
            ranking,
            budget: Budget::unlimited(),
            common: def.common_words().clone(),
        })
    }

    /// This compiler, with plain phrases (no pair terms), to compare hits and scores with.
    #[cfg(test)]
    pub(crate) fn without_pairs(mut self) -> Self {
        self.common = CommonWords::default();
        self
    }

    /// This compiler, making phrase clauses stop once `budget` is spent.
    pub fn with_budget(mut self, budget: Budget) -> Self {
        self.budget = budget;
        self
    }

    /// A phrase query (with `slop`), bounded by the budget: phrases read positions, the costly
    /// part of a search.
    fn phrase(&self, field: Field, tokens: &[String], slop: u32) -> Box<dyn Query> {
        self.budget.bound_costly(phrase(field, tokens, slop))
    }

    /// An exact phrase over title or body, through the pair terms of its adjacent common words
    /// in the field's pair field ([`crate::index::pairs`]): such a pair is rare, where the
    /// phrase query reads the positions of every document holding both words (issue 14). Two
    /// common words are their pair term alone, scored as the phrase ([`PairPhrase`]); a longer
    /// phrase keeps the phrase query and requires each pair of common words beside it at score
    /// 0, so tantivy's intersection leads with the pairs' postings and reads positions only
    /// there. Either way hits and scores are the phrase's. A phrase without two adjacent common
    /// words stays a phrase query: its rarer words bound the work.
    fn exact_phrase(&self, field: Field, tokens: &[String]) -> Box<dyn Query> {
        let f = &self.fields;
        let pairs_field = match field {
            x if x == f.title => f.title_pairs,
            x if x == f.body => f.body_pairs,
            _ => return self.phrase(field, tokens, 0),
        };
        let common = |w: &[String]| self.common.contains(&w[0]) && self.common.contains(&w[1]);
        if let [a, b] = tokens {
            if common(tokens) {
                let pair = Term::from_field_text(pairs_field, &pair_term(a, b));
                let phrase = phrase_query(field, tokens, 0);
                return self.budget.bound(Box::new(PairPhrase::new(phrase, pair)));
            }
        }
        let phrase = self.phrase(field, tokens, 0);
        let mut clauses: Clauses = vec![(TOccur::Must, phrase)];
        let mut terms: Vec<String> = Vec::new();
        for w in tokens.windows(2).filter(|w| common(w)) {
            let term = pair_term(&w[0], &w[1]);
            if !terms.contains(&term) {
                clauses.push((TOccur::Must, neutral(term_query(pairs_field, &term))));
                terms.push(term);
            }
        }
        match clauses.len() {
            1 => clauses.remove(0).1,
            _ => Box::new(BooleanQuery::new(clauses)),
        }
    }

    /// Compiles `q` with the request's filters.
    pub fn compile(&self, q: &ParsedQuery, req: &SearchRequest) -> Result<Compiled, QueryError> {
        let keep_stop = !self.ranking.stop_words || !has_content_word(&q.clauses);
        let mut ctx = Ctx {
            keep_stop,
            positive: Vec::new(),
        };
        let (mut clauses, text_filters) = self.split_clauses(&q.clauses, &mut ctx, true)?;
        let prox = self.proximity(&ctx.positive);
        let has_positive =
            !text_filters.is_empty() || clauses.iter().any(|(o, _)| *o != TOccur::MustNot);
        // Terms typed that analyze to nothing (`?!`, emoji) match nothing, not everything;
        // only a query of exclusions alone (or none at all) starts from every document.
        let typed_positive = q.clauses.iter().any(|(o, _)| *o != Occur::MustNot);
        if !has_positive && typed_positive {
            clauses.push((TOccur::Must, Box::new(EmptyQuery)));
        } else if !has_positive {
            clauses.push((TOccur::Must, Box::new(AllQuery)));
        }
        let clauses = flatten(clauses);
        let words_only = !clauses.is_empty()
            && clauses
                .iter()
                .all(|(o, q)| *o == TOccur::Should && is_term(&**q));
        let (query, prunable) = match (words_only, self.filters(req)) {
            (true, None) if text_filters.is_empty() => {
                (Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>, true)
            }
            (true, request) => (self.filtered(clauses, text_filters, request), true),
            (false, _) => {
                let ranks = clauses.iter().any(|(o, _)| *o != TOccur::MustNot);
                let mut clauses = clauses;
                clauses.extend(text_filters.into_iter().map(|q| {
                    let q = if ranks { neutral(q) } else { q };
                    (TOccur::Must, q)
                }));
                let text = Box::new(BooleanQuery::new(clauses));
                (self.with_filters(text, req), false)
            }
        };
        let highlight = Box::new(BooleanQuery::new(
            ctx.positive
                .iter()
                .flat_map(|t| {
                    [self.fields.body, self.fields.title]
                        .map(|f| (TOccur::Should, term_query(f, t) as Box<dyn Query>))
                })
                .collect(),
        ));
        Ok(Compiled {
            query,
            highlight,
            proximity: prox,
            prunable,
            budget: self.budget.clone(),
        })
    }

    /// The clauses of one level. `source:`, `kind:` and `tags:` are filters, not ranking
    /// hints: unless negated they must match, and values of the same field are alternatives
    /// (`tags:a OR tags:b deploy` needs tag a or b, and scores on `deploy`).
    fn clauses(
        &self,
        nodes: &[(Occur, Node)],
        ctx: &mut Ctx,
        top: bool,
    ) -> Result<Clauses, QueryError> {
        let (mut out, filters) = self.split_clauses(nodes, ctx, top)?;
        out.extend(filters.into_iter().map(|q| (TOccur::Must, q)));
        Ok(out)
    }

    /// [`clauses`](Self::clauses), with the filters apart: one query per filter field, each
    /// of which must match.
    fn split_clauses(
        &self,
        nodes: &[(Occur, Node)],
        ctx: &mut Ctx,
        top: bool,
    ) -> Result<(Clauses, Vec<Box<dyn Query>>), QueryError> {
        let mut out = Vec::new();
        let mut filters: Vec<(&str, Vec<Box<dyn Query>>)> = Vec::new();
        for (occur, node) in nodes {
            let positive = *occur != Occur::MustNot;
            let Some(q) = self.node(node, ctx, positive && top)? else {
                continue;
            };
            match filter_field(node).filter(|_| positive) {
                Some(f) => match filters.iter_mut().find(|(g, _)| *g == f) {
                    Some((_, qs)) => qs.push(q),
                    None => filters.push((f, vec![q])),
                },
                None => out.push((to_occur(*occur), q)),
            }
        }
        let filters = filters
            .into_iter()
            .filter_map(|(_, qs)| self.any_of(qs))
            .collect();
        Ok((out, filters))
    }

    fn node(
        &self,
        node: &Node,
        ctx: &mut Ctx,
        collect: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        match node {
            Node::Group(inner) => {
                let mut clauses = self.clauses(inner, ctx, false)?;
                if clauses.is_empty() {
                    return Ok(None);
                }
                if clauses.iter().all(|(o, _)| *o == TOccur::MustNot) {
                    clauses.push((TOccur::Must, Box::new(AllQuery)));
                }
                Ok(Some(Box::new(BooleanQuery::new(clauses))))
            }
            Node::Words { field: None, text } => {
                let words = self.free_words(text, ctx.keep_stop);
                if collect {
                    ctx.positive.extend(words.iter().flatten().cloned());
                }
                Ok(self.any_of(
                    words
                        .iter()
                        .filter_map(|w| match w.as_slice() {
                            [t] => Some(self.all_fields(t, text)),
                            // A CJK word analyzes to its bigrams: they must follow each other.
                            bigrams => self.phrase_all_fields(bigrams),
                        })
                        .collect(),
                ))
            }
            Node::Phrase { field: None, text } => {
                let tokens = analyze(&self.en, text);
                if collect {
                    ctx.positive.extend(tokens.iter().cloned());
                }
                Ok(self.phrase_all_fields(&tokens))
            }
            Node::Words {
                field: Some(f),
                text,
            }
            | Node::Phrase {
                field: Some(f),
                text,
            } => self.field_query(f, text, matches!(node, Node::Phrase { .. })),
        }
    }

    /// Words of free text, each analyzed into its tokens (one, or a CJK run's bigrams), stop
    /// words dropped unless `keep_stop`; words that analyze to nothing are left out.
    fn free_words(&self, text: &str, keep_stop: bool) -> Vec<Vec<String>> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .filter(|w| keep_stop || !is_stop(w))
            .map(|w| analyze(&self.en, w))
            .filter(|tokens| !tokens.is_empty())
            .collect()
    }

    /// One analyzed token in every text field, weighted by the schema's boosts.
    fn all_fields(&self, token: &str, raw: &str) -> Box<dyn Query> {
        let f = &self.fields;
        let b = self.boosts;
        let mut parts: Clauses = [
            (f.title, b.title),
            (f.body, b.body),
            (f.path, b.path),
            (f.authors, b.authors),
        ]
        .into_iter()
        .map(|(field, boost)| (TOccur::Should, word(field, token, boost)))
        .collect();
        if let Some(tag) = analyze(
            &self.keyword,
            raw.trim_matches(|c: char| !c.is_alphanumeric()),
        )
        .pop()
        {
            parts.push((TOccur::Should, word(f.tags, &tag, b.tags)));
        }
        match self.ranking.field_tie_breaker {
            None => Box::new(BooleanQuery::new(parts)),
            Some(tie) => Box::new(DisjunctionMaxQuery::with_tie_breaker(
                parts.into_iter().map(|(_, q)| q).collect(),
                tie,
            )),
        }
    }

    fn phrase_all_fields(&self, tokens: &[String]) -> Option<Box<dyn Query>> {
        match tokens.len() {
            0 => None,
            1 => Some(self.all_fields(&tokens[0], &tokens[0])),
            _ => {
                let b = self.boosts;
                Some(Box::new(BooleanQuery::new(vec![
                    (
                        TOccur::Should,
                        boosted(self.exact_phrase(self.fields.title, tokens), b.title),
                    ),
                    (
                        TOccur::Should,
                        boosted(self.exact_phrase(self.fields.body, tokens), b.body),
                    ),
                ])))
            }
        }
    }

    fn field_query(
        &self,
        name: &str,
        text: &str,
        is_phrase: bool,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        let f = &self.fields;
        let exact =
            |field: Field| -> Option<Box<dyn Query>> { Some(term_query(field, text.trim())) };
        let field = match name {
            "source" => return Ok(exact(f.source)),
            "kind" => return Ok(exact(f.kind)),
            "tags" => {
                let tag = analyze(&self.keyword, text.trim())
                    .pop()
                    .unwrap_or_default();
                return Ok(Some(term_query(f.tags, &tag)));
            }
            "title" => f.title,
            "body" => f.body,
            "path" => f.path,
            "authors" => f.authors,
            other => return Err(QueryError(format!("unknown field `{other}`"))),
        };
        let tokens = analyze(&self.en, text);
        Ok(match tokens.len() {
            0 => None,
            1 => Some(term_query(field, &tokens[0])),
            _ if is_phrase && matches!(name, "title" | "body") => {
                Some(self.exact_phrase(field, &tokens))
            }
            _ => self.any_of(tokens.iter().map(|t| term_query(field, t)).collect()),
        })
    }

    fn any_of(&self, mut qs: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
        match qs.len() {
            0 => None,
            1 => qs.pop(),
            _ => Some(Box::new(BooleanQuery::new(
                qs.into_iter().map(|q| (TOccur::Should, q)).collect(),
            ))),
        }
    }

    /// Sloppy phrases over adjacent pairs of the positive query words, each with its weight.
    fn proximity(&self, tokens: &[String]) -> Vec<Proximity> {
        let mut out = Vec::new();
        let RankingConfig {
            proximity,
            proximity_slop: slop,
            proximity_boost: boost,
            ..
        } = self.ranking;
        if !proximity {
            return out;
        }
        for pair in tokens.windows(2).take(MAX_PROXIMITY_PAIRS) {
            if pair[0] == pair[1] {
                continue;
            }
            out.push(Proximity {
                phrase: phrase_query(self.fields.body, pair, slop),
                boost: boost * self.boosts.body,
            });
            if self.ranking.proximity_in_title {
                out.push(Proximity {
                    phrase: phrase_query(self.fields.title, pair, slop),
                    boost: boost * self.boosts.title,
                });
            }
        }
        out
    }

    /// A union of words within filters (typed ones and the request's) as a [`Filtered`]
    /// query, which ranks with block-max WAND. The words stay optional beside typed filters,
    /// as before.
    fn filtered(
        &self,
        words: Clauses,
        text_filters: Vec<Box<dyn Query>>,
        request: Option<Box<dyn Query>>,
    ) -> Box<dyn Query> {
        let words_required = text_filters.is_empty();
        let filter = text_filters
            .into_iter()
            .map(neutral)
            .chain(request)
            .map(|q| (TOccur::Must, q))
            .collect();
        Box::new(Filtered::new(
            Box::new(BooleanQuery::new(filter)),
            self.budget.bound(Box::new(BooleanQuery::new(words))),
            words_required,
            self.budget.clone(),
        ))
    }

    fn with_filters(&self, text: Box<dyn Query>, req: &SearchRequest) -> Box<dyn Query> {
        let Some(filters) = self.filters(req) else {
            return text;
        };
        Box::new(BooleanQuery::new(vec![
            (TOccur::Must, text),
            (TOccur::Must, filters),
        ]))
    }

    /// The request's filters (source, kind, tags, dates) as one zero-scoring query, or `None`
    /// when it has none. The semantic side of a search applies the same query.
    pub fn filters(&self, req: &SearchRequest) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        if let Some(s) = req.source.as_deref().filter(|s| !s.is_empty()) {
            filters.push(term_query(f.source, s));
        }
        if let Some(k) = req.kind.as_deref().filter(|k| !k.is_empty()) {
            filters.push(term_query(f.kind, k));
        }
        for t in &req.tags {
            let tag = analyze(&self.keyword, t).pop().unwrap_or_default();
            filters.push(term_query(f.tags, &tag));
        }
        if req.updated_after.is_some() || req.updated_before.is_some() {
            filters.push(self.date_range(req));
        }
        if filters.is_empty() {
            return None;
        }
        let clauses = filters.into_iter().map(|q| {
            (
                TOccur::Must,
                Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>,
            )
        });
        Some(Box::new(BooleanQuery::new(clauses.collect())))
    }

    fn date_range(&self, req: &SearchRequest) -> Box<dyn Query> {
        let field = self.fields.updated_at;
        let bound = |t: Option<chrono::DateTime<chrono::Utc>>, inclusive: bool| match t {
            None => Bound::Unbounded,
            Some(t) => {
                let term = Term::from_field_date_for_search(
                    field,
                    TDateTime::from_timestamp_micros(t.timestamp_micros()),
                );
                if inclusive {
                    Bound::Included(term)
                } else {
                    Bound::Excluded(term)
                }
            }
        };
        Box::new(RangeQuery::new(
            bound(req.updated_after, true),
            bound(req.updated_before, false),
        ))
    }
}

struct Ctx {
    keep_stop: bool,
    /// Analyzed positive free-text tokens, in query order.
    positive: Vec<String>,
}

fn to_occur(o: Occur) -> TOccur {
    match o {
        Occur::Should => TOccur::Should,
        Occur::Must => TOccur::Must,
        Occur::MustNot => TOccur::MustNot,
    }
}

pub(crate) fn is_stop(word: &str) -> bool {
    let lower = word.to_lowercase();
    STOP_WORDS.binary_search(&lower.as_str()).is_ok()
}

/// Whether any free-text word of the query is not a stop word.
pub(crate) fn has_content_word(nodes: &[(Occur, Node)]) -> bool {
    nodes.iter().any(|(_, n)| match n {
        Node::Words { field: None, text } => text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| !w.is_empty() && !is_stop(w)),
        Node::Group(inner) => has_content_word(inner),
        _ => true,
    })
}

fn analyze(analyzer: &TextAnalyzer, text: &str) -> Vec<String> {
    let mut a = analyzer.clone();
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

/// A word of free text in one field, weighted: scored as a boosted term query, and ranked by
/// MaxScore when the query is a union of them ([`super::max_score`]).
fn word(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    Box::new(Word::new(Term::from_field_text(field, text), boost))
}

fn phrase(field: Field, tokens: &[String], slop: u32) -> Box<dyn Query> {
    Box::new(phrase_query(field, tokens, slop))
}

fn phrase_query(field: Field, tokens: &[String], slop: u32) -> PhraseQuery {
    let terms = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (i, Term::from_field_text(field, t)))
        .collect();
    PhraseQuery::new_with_offset_and_slop(terms, slop)
}

/// `q` scoring 0: typed filters rank nothing, like the request's, unless they are all a query
/// has. As scoring clauses they added their own BM25 score (the tags field's varies with a
/// document's number of tags), which no ranking meant and which would keep words within
/// filters from being ranked apart ([`Filtered`]).
fn neutral(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

/// Whether `q` is one term query (boosted or not), the kind of clause block-max WAND needs.
fn is_term(q: &dyn Query) -> bool {
    let (mut terms, mut positional) = (0, false);
    q.query_terms(&mut |_, needs_positions| {
        terms += 1;
        positional |= needs_positions;
    });
    terms == 1 && !positional && (q.is::<Word>() || q.is::<TermQuery>() || q.is::<BoostQuery>())
}

/// Whether `boost` counts as none: within `f32::EPSILON` of 1, no `BoostQuery` is built.
pub(super) fn no_boost(boost: f32) -> bool {
    (boost - 1.0).abs() < f32::EPSILON
}

pub(super) fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if no_boost(boost) {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// Splices boolean queries of `Should` clauses only that sit in a `Should` slot into the
/// list: a sum of sums scores the same, and a flat union of term queries lets tantivy's top-k
/// collector skip blocks of documents that cannot make the page (block-max WAND runs only when
/// every clause of a union is a term query). A one-word query is such a union: its fields.
/// (tantivy makes one match required in a query of `Should` clauses alone; in a `Should` slot
/// that changes nothing.)
fn flatten(clauses: Clauses) -> Clauses {
    let mut out = Vec::with_capacity(clauses.len());
    for (occur, q) in clauses {
        let inner = q
            .downcast_ref::<BooleanQuery>()
            .filter(|b| {
                occur == TOccur::Should
                    && b.get_minimum_number_should_match() <= 1
                    && b.clauses().iter().all(|(o, _)| *o == TOccur::Should)
            })
            .map(|b| {
                b.clauses()
                    .iter()
                    .map(|(o, q)| (*o, q.box_clone()))
                    .collect::<Clauses>()
            });
        match inner {
            Some(subs) => out.extend(flatten(subs)),
            None => out.push((occur, q)),
        }
    }
    out
}

/// The filter field (`source`, `kind`, `tags`) a node restricts, if any.
fn filter_field(node: &Node) -> Option<&str> {
    match node {
        Node::Words { field: Some(f), .. } | Node::Phrase { field: Some(f), .. } => {
            Some(f.as_str()).filter(|f| matches!(*f, "source" | "kind" | "tags"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, STOP_WORDS);
    }

    #[test]
    fn quoted_phrase_does_not_match_its_words_merely_near_each_other() {
        use crate::document::Document;
        use crate::search::ids_in as search;
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open(dir.path()).unwrap();
        store
            .upsert_all(&[
                Document::new("t:1", "Spring", "the quarterly release notes are out"),
                Document::new("t:2", "Autumn", "release the quarterly sales notes"),
                Document::new("t:3", "Winter", "nothing to see"),
            ])
            .unwrap();
        TroveIndex::open(dir.path())
            .unwrap()
            .catch_up(&mut store)
            .unwrap();
        assert_eq!(search(dir.path(), "\"release notes\""), ["t:1"]);
        let mut either = search(dir.path(), "\"release notes\" winter");
        either.sort();
        assert_eq!(either, ["t:1", "t:3"]);
        // Unquoted, the words match wherever they are.
        let mut words = search(dir.path(), "release notes");
        words.sort();
        assert_eq!(words, ["t:1", "t:2"]);
    }
}
