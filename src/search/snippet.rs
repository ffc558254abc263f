//! [`Snippets`]: a highlighted fragment per hit, cut from as little of the body as it needs.
//!
//! Bodies live in the store, not the index, and may be megabytes long. Tokenizing a whole body
//! to find the best fragment cost more than the search itself, so the index says where to look
//! first: the body's postings give the position of the first query term in the hit. Only the
//! bytes up to a little past that position are read from the store (SQLite's incremental blob
//! reads, growing the read fourfold while the position lies further), and the snippet is cut
//! from a window around it. A hit with no query term in its body (a title match) reads just
//! the body's first lines.

use std::collections::BTreeMap;

use tantivy::postings::Postings;
use tantivy::query::Query;
use tantivy::schema::{Field, FieldType, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{SimpleTokenizer, TokenStream, Tokenizer};
use tantivy::{DocAddress, DocSet, Score, Searcher as TSearcher, Term};

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
pub struct Snippets<'a> {
    searcher: &'a TSearcher,
    field: Field,
    terms: Vec<Term>,
    generator: SnippetGenerator,
}

impl<'a> Snippets<'a> {
    /// Snippets of `field` highlighting the terms of `highlight`; `schema` gives the field's
    /// analyzer.
    pub fn new(
        searcher: &'a TSearcher,
        schema: &SchemaDef,
        highlight: &dyn Query,
        field: Field,
    ) -> Result<Self, SearchError> {
        let mut terms = Vec::new();
        highlight.query_terms(&mut |t, _| {
            if t.field() == field && !terms.contains(t) {
                terms.push(t.clone());
            }
        });
        let generator = generator(searcher, schema, &terms, field)?;
        Ok(Snippets {
            searcher,
            field,
            terms,
            generator,
        })
    }

    /// The snippet of the document `id` at `addr`.
    pub fn cut(&self, store: &Store, id: &str, addr: DocAddress) -> Result<Cut, SearchError> {
        let Some(pos) = self.first_position(addr)? else {
            let (head, whole) = store.body_head(id, LEAD_READ)?.unwrap_or_default();
            return Ok(lead(&head, !whole));
        };
        let mut size = FIRST_READ;
        loop {
            let (head, whole) = store.body_head(id, size)?.unwrap_or_default();
            if let Some(at) = token_offset(&head, pos) {
                return Ok(self.around(&head, at));
            }
            if whole || size >= SNIPPET_SOURCE_CHARS {
                // The match lies beyond what snippets read: the opening lines instead.
                return Ok(lead(&head, !whole));
            }
            size = (size * 4).min(SNIPPET_SOURCE_CHARS);
        }
    }

    /// The smallest position in the body of any query term, from the index.
    fn first_position(&self, addr: DocAddress) -> Result<Option<u32>, SearchError> {
        let seg = self.searcher.segment_reader(addr.segment_ord);
        let inverted = seg.inverted_index(self.field)?;
        let mut first: Option<u32> = None;
        let mut positions = Vec::new();
        for term in &self.terms {
            let Some(mut postings) = inverted
                .read_postings(term, IndexRecordOption::WithFreqsAndPositions)
                .map_err(|e| SearchError::Tantivy(e.into()))?
            else {
                continue;
            };
            // `seek` may only move forward: a term first seen after this document misses it.
            if postings.doc() > addr.doc_id || postings.seek(addr.doc_id) != addr.doc_id {
                continue;
            }
            postings.positions(&mut positions);
            if let Some(&p) = positions.first() {
                first = Some(first.map_or(p, |f| f.min(p)));
            }
        }
        Ok(first)
    }

    /// The fragment of a window of `text` starting a little before byte `at`.
    fn around(&self, text: &str, at: usize) -> Cut {
        let snippet = self.generator.snippet(window(text, at));
        if snippet.is_empty() {
            return lead(text, false);
        }
        to_cut(&snippet)
    }
}

/// A snippet generator for `terms` of `field`, as tantivy's `SnippetGenerator::create` makes
/// it (a term weighs `1 / (1 + document frequency)`), whose analyzer does not stem the words
/// that cannot match a term ([`SchemaDef::highlight_analyzer`]).
fn generator(
    searcher: &TSearcher,
    schema: &SchemaDef,
    terms: &[Term],
    field: Field,
) -> Result<SnippetGenerator, SearchError> {
    let mut weights = BTreeMap::new();
    for term in terms {
        let value = term.value();
        let Some(text) = value.as_str() else {
            continue;
        };
        let df = searcher.doc_freq(term)?;
        if df > 0 {
            weights.insert(text.to_owned(), 1.0 / (1.0 + df as Score));
        }
    }
    let initials = weights.keys().filter_map(|t| t.chars().next()).collect();
    let analyzer = match searcher.schema().get_field_entry(field).field_type() {
        FieldType::Str(o) => o.get_indexing_options().map(|i| i.tokenizer().to_owned()),
        _ => None,
    }
    .map(|name| schema.highlight_analyzer(&name, initials))
    .transpose()
    .map_err(|e| SearchError::Index(e.into()))?;
    let analyzer = match analyzer {
        Some(a) => a,
        None => searcher.index().tokenizer_for_field(field)?,
    };
    Ok(SnippetGenerator::new(
        weights,
        analyzer,
        field,
        FRAGMENT_CHARS,
    ))
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

/// The byte offset of the token at `position` (as the index numbers body tokens), if `text`
/// reaches it. Only the tokenizer runs: filters drop tokens but never renumber positions.
fn token_offset(text: &str, position: u32) -> Option<usize> {
    let mut tokenizer = SimpleTokenizer::default();
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        let t = stream.token();
        if t.position as u32 == position {
            // A token cut by the end of the read may be longer: fine, only its start counts.
            return Some(t.offset_from);
        }
    }
    None
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
    use super::*;

    #[test]
    fn token_offsets_follow_the_index_numbering() {
        let text = "Alpha, beta  gamma-delta é x";
        assert_eq!(token_offset(text, 0), Some(0));
        assert_eq!(token_offset(text, 2), Some(13));
        assert_eq!(token_offset(text, 3), Some(19));
        assert_eq!(token_offset(text, 4), Some(25));
        assert_eq!(token_offset(text, 9), None);
    }

    /// The first token `text` analyzes to.
    fn analyzed(analyzer: &tantivy::tokenizer::TextAnalyzer, text: &str) -> String {
        let mut a = analyzer.clone();
        let mut stream = a.token_stream(text);
        assert!(stream.advance(), "{text}");
        stream.token().text.clone()
    }

    #[test]
    fn highlighting_that_skips_stemming_words_that_cannot_match_highlights_the_same() {
        let def = SchemaDef::builtin().unwrap();
        let manager = tantivy::tokenizer::TokenizerManager::default();
        def.register_tokenizers(&manager).unwrap();
        let en = manager.get("en").unwrap();
        let corpus = crate::bench::corpus::Corpus::new(3_000, 1.07, 5).with_body_words(30, 120);
        let mut texts: Vec<String> = (0..150).map(|n| corpus.document(1, n).body).collect();
        texts.push(
            "Running runners ran; the skies were dying, lying and tying. Generalizations \
             relate relational nations, happily happier, early and only. Ünïcödé café naïve \
             東京タワーに行く ski skis"
                .into(),
        );
        let words: Vec<String> = [0, 1, 4, 17, 60, 300, 1_200]
            .iter()
            .map(|&r| corpus.word_at(r).to_owned())
            .collect();
        let english = [
            "running",
            "skies",
            "dying",
            "lying",
            "relational",
            "happily",
            "café",
        ];
        let english = english.map(str::to_owned);
        let tokyo = ["東京".to_owned(), "タワ".to_owned()];
        for set in [
            &words[..3],
            &words[3..],
            &english[..4],
            &english[4..],
            &tokyo[..],
        ] {
            let weights: BTreeMap<String, Score> =
                set.iter().map(|w| (analyzed(&en, w), 1.0)).collect();
            let initials = weights.keys().filter_map(|t| t.chars().next()).collect();
            let gated = def.highlight_analyzer("en", initials).unwrap();
            let field = Field::from_field_id(0);
            let fast = SnippetGenerator::new(weights.clone(), gated, field, FRAGMENT_CHARS);
            let plain = SnippetGenerator::new(weights.clone(), en.clone(), field, FRAGMENT_CHARS);
            let mut highlighted = 0;
            for text in &texts {
                let (a, b) = (fast.snippet(text), plain.snippet(text));
                assert_eq!(a.to_html(), b.to_html(), "{weights:?} in {text}");
                assert_eq!(a.highlighted(), b.highlighted());
                highlighted += usize::from(!b.highlighted().is_empty());
            }
            assert!(highlighted > 0, "{weights:?} highlights nothing");
        }
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
