//! [`Snippets`]: a highlighted fragment per hit, cut from as little of the body as it needs.
//!
//! Bodies live in the store, not the index, and may be megabytes long. Tokenizing a whole body
//! to find the best fragment cost more than the search itself, so the index says where to look
//! first: the body's postings give the position of the first query term in the hit. Only the
//! bytes up to a little past that position are read from the store (SQLite's incremental blob
//! reads, growing the read fourfold while the position lies further), and the snippet is cut
//! from a window around it. A hit with no query term in its body (a title match) reads just
//! the body's first lines.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::postings::{Postings, TermInfo};
use tantivy::query::Query;
use tantivy::schema::{Field, FieldType, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{DocAddress, DocSet, InvertedIndexReader, Score, Searcher as TSearcher, Term};

use super::{html_escape, SearchError, SNIPPET_SOURCE_CHARS};
use crate::index::SchemaDef;
use crate::store::Store;

/// Bytes read first when the match is near the start (most are).
const FIRST_READ: usize = 2048;
/// Bytes read for the opening lines of a body without a match.
const LEAD_READ: usize = 512;
/// Bytes of text kept before the first match in the window the fragment is cut from.
const BEFORE: usize = 80;
/// Bytes of the window after the first match.
const AFTER: usize = 400;
/// Longest fragment, in characters (every snippet generator of a search uses it).
pub const FRAGMENT_CHARS: usize = 220;

/// An HTML snippet and its plain text with the byte ranges to highlight.
pub type Cut = (String, (String, Vec<std::ops::Range<usize>>));

/// Cuts the snippets of one query's hits.
///
/// The query's words are found in a hit by their positions in the index, not by analyzing the
/// body again: the window is tokenized with the analyzer's tokenizer alone
/// ([`SchemaDef::token_analyzer`]), and a token is highlighted when the index has a query term
/// at its position. That is the token the full analyzer (lowercasing, folding, stemming) would
/// have turned into the term, so the fragments are the ones tantivy's `SnippetGenerator` cuts
/// with the same weights, at a fraction of the cost (stemming every word of every window was
/// most of a snippet's time).
pub struct Snippets<'a> {
    searcher: &'a TSearcher,
    field: Field,
    /// The body's query terms found in the index, and their weights: `1 / (1 + document
    /// frequency)`, as tantivy's snippet generator weighs them.
    terms: Vec<(Term, Score)>,
    /// Per segment (by ordinal), its body index and where each of `terms` is in it (`None`:
    /// not there), looked up in the term dictionary at the first hit in the segment, not at
    /// every hit.
    segments: RefCell<HashMap<u32, SegmentTerms>>,
    tokens: RefCell<TextAnalyzer>,
}

/// A segment's body index and the entries of the query's terms in it.
type SegmentTerms = (Arc<InvertedIndexReader>, Vec<Option<TermInfo>>);

/// A query term's occurrence in a hit's body: its position and its weight.
type Mark = (u32, Score);

/// Positions further than this past a term's first one are never inside a snippet's window
/// (it spans [`BEFORE`] + [`AFTER`] bytes, so fewer tokens).
const POSITIONS_PAST_FIRST: u32 = 1024;

impl<'a> Snippets<'a> {
    /// Snippets of `field` highlighting the terms of `highlight`; `schema` gives the field's
    /// analyzer.
    pub fn new(
        searcher: &'a TSearcher,
        schema: &SchemaDef,
        highlight: &dyn Query,
        field: Field,
    ) -> Result<Self, SearchError> {
        let mut found: Vec<Term> = Vec::new();
        highlight.query_terms(&mut |t, _| {
            if t.field() == field && !found.contains(t) {
                found.push(t.clone());
            }
        });
        let mut terms = Vec::with_capacity(found.len());
        for term in found {
            let df = searcher.doc_freq(&term)?;
            if df > 0 && term.value().as_str().is_some() {
                terms.push((term, 1.0 / (1.0 + df as Score)));
            }
        }
        let tokens = match searcher.schema().get_field_entry(field).field_type() {
            FieldType::Str(o) => o.get_indexing_options().map(|i| i.tokenizer().to_owned()),
            _ => None,
        }
        .map(|name| schema.token_analyzer(&name))
        .transpose()
        .map_err(|e| SearchError::Index(e.into()))?;
        let tokens = match tokens {
            Some(a) => a,
            None => searcher.index().tokenizer_for_field(field)?,
        };
        Ok(Snippets {
            searcher,
            field,
            terms,
            segments: RefCell::new(HashMap::new()),
            tokens: RefCell::new(tokens),
        })
    }

    /// The snippet of the document `id` at `addr`.
    pub fn cut(&self, store: &Store, id: &str, addr: DocAddress) -> Result<Cut, SearchError> {
        let marks = self.marks(addr)?;
        let Some(&(first, _)) = marks.first() else {
            let (head, whole) = store.body_head(id, LEAD_READ)?.unwrap_or_default();
            return Ok(lead(&head, !whole));
        };
        let mut size = FIRST_READ;
        loop {
            let (head, whole) = store.body_head(id, size)?.unwrap_or_default();
            if let Some(cut) = self.around(&head, first, &marks) {
                return Ok(cut);
            }
            if whole || size >= SNIPPET_SOURCE_CHARS {
                // The match lies beyond what snippets read: the opening lines instead.
                return Ok(lead(&head, !whole));
            }
            size = (size * 4).min(SNIPPET_SOURCE_CHARS);
        }
    }

    /// Where the query's terms are in the body of the document at `addr`, by position, from
    /// the index.
    fn marks(&self, addr: DocAddress) -> Result<Vec<Mark>, SearchError> {
        let mut segments = self.segments.borrow_mut();
        let (inverted, infos) = match segments.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let seg = self.searcher.segment_reader(addr.segment_ord);
                let inverted = seg.inverted_index(self.field)?;
                let infos = self
                    .terms
                    .iter()
                    .map(|(term, _)| inverted.get_term_info(term))
                    .collect::<std::io::Result<Vec<_>>>()
                    .map_err(|e| SearchError::Tantivy(e.into()))?;
                e.insert((inverted, infos))
            }
        };
        let mut marks = Vec::new();
        let mut positions = Vec::new();
        for ((_, weight), info) in self.terms.iter().zip(infos.iter()) {
            let Some(info) = info else {
                continue;
            };
            let mut postings = inverted
                .read_postings_from_terminfo(info, IndexRecordOption::WithFreqsAndPositions)
                .map_err(|e| SearchError::Tantivy(e.into()))?;
            // `seek` may only move forward: a term first seen after this document misses it.
            if postings.doc() > addr.doc_id || postings.seek(addr.doc_id) != addr.doc_id {
                continue;
            }
            postings.positions(&mut positions);
            let Some(&own_first) = positions.first() else {
                continue;
            };
            let last = own_first.saturating_add(POSITIONS_PAST_FIRST);
            marks.extend(
                positions
                    .iter()
                    .take_while(|&&p| p <= last)
                    .map(|&p| (p, *weight)),
            );
        }
        marks.sort_by_key(|m| m.0);
        Ok(marks)
    }

    /// The fragment of a window of `text` starting a little before the token at `first`;
    /// `None` when `text` ends before that token.
    fn around(&self, text: &str, first: u32, marks: &[Mark]) -> Option<Cut> {
        around(&mut self.tokens.borrow_mut(), text, first, marks)
    }
}

/// [`Snippets::around`], with `tokens` the analyzer's tokens ([`SchemaDef::token_analyzer`]).
/// One pass of the tokenizer, from the start of `text` to the end of the window: the tokens
/// before the first match say where the window starts, and those in it are the fragment's.
fn around(tokens: &mut TextAnalyzer, text: &str, first: u32, marks: &[Mark]) -> Option<Cut> {
    // Each token's byte range and position, up to the first match, then to the window's end.
    let mut seen: Vec<(std::ops::Range<usize>, u32)> = Vec::new();
    let mut stream = tokens.token_stream(text);
    let at = loop {
        if !stream.advance() {
            return None;
        }
        let t = stream.token();
        seen.push((t.offset_from..t.offset_to, t.position as u32));
        if t.position as u32 >= first {
            break t.offset_from;
        }
    };
    let win = window(text, at);
    let start = win.as_ptr() as usize - text.as_ptr() as usize;
    let end = start + win.len();
    while stream.advance() {
        let t = stream.token();
        if t.offset_from >= end {
            break;
        }
        seen.push((t.offset_from..t.offset_to, t.position as u32));
    }
    drop(stream);
    // The window's tokens as tantivy sees them when it tokenizes the window alone: cut at its
    // edges, where a cut token is not the word the index has at its position.
    let cut_at_end = text[end..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric);
    let found: Vec<_> = seen
        .into_iter()
        .filter(|(range, _)| range.end > start)
        .map(|(range, position)| {
            let to = range.end.min(end);
            let whole = range.start >= start && (to < end || !cut_at_end);
            let weight = whole
                .then(|| marks.binary_search_by_key(&position, |m| m.0))
                .and_then(Result::ok)
                .map(|i| marks[i].1);
            (range.start.max(start) - start..to - start, weight)
        })
        .collect();
    Some(match best_fragment(&found, FRAGMENT_CHARS) {
        Some(f) => fragment_cut(win, f),
        None => lead(text, false),
    })
}

/// A fragment's byte range in the window, its score and its highlighted ranges.
struct Fragment {
    range: std::ops::Range<usize>,
    score: Score,
    highlighted: Vec<std::ops::Range<usize>>,
}

/// The best fragment of at most `max_chars` bytes over `tokens` (ranges in the window, and
/// the weight of the query term found there), chosen as tantivy's snippet generator chooses
/// it: tokens are added to a fragment until one would end past `max_chars` from its start;
/// the highest total weight wins, the earliest among equals; none without a highlighted token.
fn best_fragment(
    tokens: &[(std::ops::Range<usize>, Option<Score>)],
    max_chars: usize,
) -> Option<Fragment> {
    let new = |at: usize| Fragment {
        range: at..at,
        score: 0.0,
        highlighted: Vec::new(),
    };
    let mut best: Option<Fragment> = None;
    let mut keep = |f: Fragment| {
        if f.score > 0.0 && best.as_ref().is_none_or(|b| f.score > b.score) {
            best = Some(f);
        }
    };
    let mut fragment = new(0);
    for (range, weight) in tokens {
        if range.end - fragment.range.start > max_chars {
            keep(std::mem::replace(&mut fragment, new(range.start)));
        }
        fragment.range.end = range.end;
        if let Some(w) = weight {
            fragment.score += w;
            fragment.highlighted.push(range.clone());
        }
    }
    keep(fragment);
    best
}

/// The snippet of fragment `f` of `window`, as HTML and as plain text with its highlighted
/// ranges (relative to the fragment), as tantivy's `Snippet` gives them.
fn fragment_cut(window: &str, f: Fragment) -> Cut {
    let text = &window[f.range.clone()];
    let highlighted: Vec<_> = f
        .highlighted
        .iter()
        .map(|r| r.start - f.range.start..r.end - f.range.start)
        .collect();
    let mut html = String::with_capacity(text.len() + 16 * highlighted.len());
    let mut from = 0;
    for r in tantivy::snippet::collapse_overlapped_ranges(&highlighted) {
        escape_minimal(&text[from..r.start], &mut html);
        html.push_str("<b>");
        escape_minimal(&text[r.clone()], &mut html);
        html.push_str("</b>");
        from = r.end;
    }
    escape_minimal(&text[from..], &mut html);
    (html, (text.to_owned(), highlighted))
}

/// Escapes `s` into `out` as tantivy's snippets do (htmlescape's `encode_minimal`).
fn escape_minimal(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#x27;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// The part of `text` a snippet around byte `at` is cut from: from the word that starts a
/// little before `at` to a few hundred bytes after it. Tokenizing only this much keeps a
/// snippet's cost independent of the body's length.
pub fn window(text: &str, at: usize) -> &str {
    let at = floor_boundary(text, at.min(text.len()));
    let start = floor_boundary(text, at.saturating_sub(BEFORE));
    let start = text[start..at]
        .find(char::is_whitespace)
        .map_or(start, |i| start + i + 1);
    let end = floor_boundary(text, (at + AFTER).min(text.len()));
    &text[start..end]
}

/// A generated snippet as HTML and as plain text with its highlighted ranges.
pub fn to_cut(snippet: &tantivy::snippet::Snippet) -> Cut {
    (
        snippet.to_html(),
        (
            snippet.fragment().to_owned(),
            snippet.highlighted().to_vec(),
        ),
    )
}

/// The first ~200 characters of the body, cut at a word boundary (when no term matched it).
/// `truncated`: `text` is only the start of a longer body.
pub fn lead(text: &str, truncated: bool) -> Cut {
    let mut end = text.len().min(200);
    end = floor_boundary(text, end);
    if end < text.len() || truncated {
        end = text[..end].rfind(char::is_whitespace).unwrap_or(end);
    }
    let text = text[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    (html_escape(&text), (text, Vec::new()))
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tantivy::snippet::SnippetGenerator;

    use super::*;

    /// The first token `text` analyzes to.
    fn analyzed(analyzer: &tantivy::tokenizer::TextAnalyzer, text: &str) -> String {
        let mut a = analyzer.clone();
        let mut stream = a.token_stream(text);
        assert!(stream.advance(), "{text}");
        stream.token().text.clone()
    }

    /// Where the terms of `weights` (analyzed text → weight) are in `text`, by position, as
    /// the index has them: the positions of the tokens the full analyzer turns into them.
    fn marks_by_analyzing(
        en: &tantivy::tokenizer::TextAnalyzer,
        weights: &BTreeMap<String, Score>,
        text: &str,
    ) -> Vec<Mark> {
        let mut a = en.clone();
        let mut stream = a.token_stream(text);
        let mut marks = Vec::new();
        while stream.advance() {
            let t = stream.token();
            if let Some(&w) = weights.get(&t.text) {
                marks.push((t.position as u32, w));
            }
        }
        marks
    }

    #[test]
    fn snippets_cut_by_position_are_the_ones_tantivy_cuts_by_analyzing() {
        let def = SchemaDef::builtin().unwrap();
        let manager = tantivy::tokenizer::TokenizerManager::default();
        def.register_tokenizers(&manager).unwrap();
        let en = manager.get("en").unwrap();
        let mut tokens = def.token_analyzer("en").unwrap();
        let corpus = crate::bench::corpus::Corpus::new(3_000, 1.07, 5).with_body_words(30, 400);
        let mut texts: Vec<String> = (0..200).map(|n| corpus.document(1, n).body).collect();
        texts.push(
            "Running runners ran; the skies were dying, lying and tying. Generalizations \
             relate relational nations, happily happier, early and only. Ünïcödé café naïve \
             東京タワーに行く ski skis <b>&\"quoted\" 'single'</b> \
             pneumonoultramicroscopicsilicovolcanoconiosisxxxxxxxxxxxxxxxx running"
                .into(),
        );
        let words: Vec<String> = [0, 1, 4, 17, 60, 300, 1_200]
            .iter()
            .map(|&r| corpus.word_at(r).to_owned())
            .collect();
        let english = ["running", "skies", "dying", "relational", "happily", "café"];
        let english = english.map(str::to_owned);
        let tokyo = ["東京".to_owned(), "タワ".to_owned()];
        let quoted = ["quoted".to_owned(), "single".to_owned(), "b".to_owned()];
        let mut compared = 0;
        for (n, set) in [
            &words[..3],
            &words[3..],
            &english[..],
            &tokyo[..],
            &quoted[..],
        ]
        .into_iter()
        .enumerate()
        {
            let weights: BTreeMap<String, Score> = set
                .iter()
                .enumerate()
                .map(|(i, w)| (analyzed(&en, w), 1.0 / (2.0 + (i + n) as Score)))
                .collect();
            let tantivy = SnippetGenerator::new(
                weights.clone(),
                en.clone(),
                Field::from_field_id(0),
                FRAGMENT_CHARS,
            );
            for text in &texts {
                let marks = marks_by_analyzing(&en, &weights, text);
                let Some(&(first, _)) = marks.first() else {
                    continue;
                };
                let ours = around(&mut tokens, text, first, &marks).unwrap();
                // What tantivy's generator cuts from the same window.
                let mut stream = tokens.token_stream(text);
                let at = loop {
                    assert!(stream.advance());
                    if stream.token().position as u32 == first {
                        break stream.token().offset_from;
                    }
                };
                let theirs = tantivy.snippet(window(text, at));
                assert!(!theirs.is_empty(), "{weights:?} in {text}");
                assert_eq!(ours, to_cut(&theirs), "{weights:?} in {text}");
                compared += 1;
            }
        }
        assert!(compared > 100, "only {compared} snippets compared");
    }

    #[test]
    fn lead_cuts_at_a_word_and_keeps_characters_whole() {
        let text = "é".repeat(150);
        let (_, (plain, ranges)) = lead(&text, false);
        assert!(plain.len() <= 200 && ranges.is_empty());
        let (_, (plain, _)) = lead("one two three", true);
        assert_eq!(plain, "one two", "a cut read may end inside a word");
    }
}
