//! Word pairs of common words, for quoted phrases (issue 14), in the manner of Lucene's
//! CommonGrams: the `pairs` token filter of the `en_pairs` analyzer (`schema/trove.toml`), and
//! the [`CommonWords`] it pairs.
//!
//! A phrase of two words that are both in most documents (`"of the"`, or `trove bench`'s `"w3
//! w9"`) makes the phrase query read the positions of every document holding both, a third of
//! a million at 1M documents. So each generation picks its common words from the store when
//! its first documents are indexed ([`CommonWords::pick`]: the analyzed words in at least
//! 1% of a sample of the store's documents), and the `title_pairs` and `body_pairs` fields index, for each
//! two tokens on consecutive positions that are both common, one token: their texts joined by
//! [`SEPARATOR`] (`w3 w9` → `w3\u{1}w9`). The words themselves are not emitted. A phrase with a
//! rare word stays a phrase query: the rare word bounds its work.
//!
//! A quoted phrase must find its words on consecutive positions, so a document matching it
//! holds the pair term of each two adjacent common words of the phrase; with one token per
//! position (true of the schema's analyzers) a pair's frequency is the number of times the two
//! words occur as a phrase. `search/compile.rs` answers such phrases through these terms
//! (`search/pair_phrase.rs`) with the phrase query's hits and scores.
//!
//! The common words of a generation never change once it holds a document (they are in the
//! generation's [`COMMON_WORDS_FILE`]); `trove rebuild` picks them anew. A process that opened
//! the generation before they were picked answers phrases the plain way until it reopens it.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use tantivy::tokenizer::{TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer};

/// Joins the two words of a pair term: a control character, which no analyzer of the schema
/// keeps in a token (they split text on non-alphanumerics).
pub const SEPARATOR: char = '\u{1}';

/// The pair term of `first` followed by `second` (both analyzed tokens).
pub fn pair_term(first: &str, second: &str) -> String {
    let mut s = String::with_capacity(first.len() + second.len() + 1);
    s.push_str(first);
    s.push(SEPARATOR);
    s.push_str(second);
    s
}

/// The generation's file listing its common words, one analyzed word a line.
pub const COMMON_WORDS_FILE: &str = "common_words.txt";

/// Documents the common words are picked from: up to 5,000 (a word of 1% of them is in 50)
/// and 4 MB of text, so picking costs a rebuild little.
pub const SAMPLE_DOCS: usize = 5_000;
pub const SAMPLE_BYTES: usize = 4 << 20;

/// The sample's bound: whether one more document (its title and body) belongs in a sample
/// of the first documents, up to [`SAMPLE_DOCS`] and [`SAMPLE_BYTES`] of text.
#[derive(Debug, Default)]
pub struct SampleBound {
    docs: usize,
    bytes: usize,
}

impl SampleBound {
    pub fn takes(&mut self, title: &str, body: &str) -> bool {
        let takes = self.docs < SAMPLE_DOCS && self.bytes < SAMPLE_BYTES;
        self.docs += 1;
        self.bytes += title.len() + body.len();
        takes
    }
}

/// Documents an import writes before the index, which follows it, picks the common words of
/// an empty generation from them (or from all there are, when the import ends sooner): the
/// index waits meanwhile.
pub const FOLLOW_SAMPLE_DOCS: usize = 1_000;

/// A word is common when at least this share of the sampled documents holds it...
const MIN_SHARE: f64 = 0.01;

/// ... and at least this many (a word of one document in a small sample is not common).
const MIN_DOCS: usize = 2;

/// At most this many common words, the most frequent: bounds the pairs' share of the index.
const MAX_WORDS: usize = 500;

/// The common words of a generation (analyzed tokens); cheap to clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommonWords(Arc<HashSet<String>>);

impl CommonWords {
    pub fn contains(&self, word: &str) -> bool {
        self.0.contains(word)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The words `analyzer` makes of `docs` (title and body text) that at least 1% of them
    /// (and two) hold, at most the 500 most frequent.
    pub fn pick<'a>(
        analyzer: &mut TextAnalyzer,
        docs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> CommonWords {
        let mut df: HashMap<String, usize> = HashMap::new();
        let mut words: HashSet<String> = HashSet::new();
        let mut n = 0usize;
        for (title, body) in docs {
            n += 1;
            for text in [title, body] {
                let mut stream = analyzer.token_stream(text);
                while stream.advance() {
                    if !words.contains(&stream.token().text) {
                        words.insert(stream.token().text.clone());
                    }
                }
            }
            for w in words.drain() {
                *df.entry(w).or_default() += 1;
            }
        }
        let floor = ((n as f64 * MIN_SHARE).ceil() as usize).max(MIN_DOCS);
        let mut common: Vec<(usize, String)> = df
            .into_iter()
            .filter(|&(_, d)| d >= floor)
            .map(|(w, d)| (d, w))
            .collect();
        common.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        common.truncate(MAX_WORDS);
        CommonWords(Arc::new(common.into_iter().map(|(_, w)| w).collect()))
    }

    /// The common words saved in generation folder `dir` (none when it has no file).
    pub fn load(dir: &Path) -> std::io::Result<CommonWords> {
        match std::fs::read_to_string(dir.join(COMMON_WORDS_FILE)) {
            Ok(text) => Ok(CommonWords(Arc::new(
                text.lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CommonWords::default()),
            Err(e) => Err(e),
        }
    }

    /// Saves them in generation folder `dir`, atomically (a rename), sorted.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let mut words: Vec<&str> = self.0.iter().map(String::as_str).collect();
        words.sort_unstable();
        let mut text = words.join("\n");
        text.push('\n');
        let tmp = dir.join(format!("{COMMON_WORDS_FILE}.tmp"));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, dir.join(COMMON_WORDS_FILE))
    }

    #[cfg(test)]
    pub fn of(words: &[&str]) -> CommonWords {
        CommonWords(Arc::new(words.iter().map(|w| (*w).to_owned()).collect()))
    }
}

/// The token filter (the `pairs` filter of the schema file); it must come last.
#[derive(Clone, Default)]
pub struct Pairs {
    pub common: CommonWords,
}

impl TokenFilter for Pairs {
    type Tokenizer<T: Tokenizer> = PairsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> PairsFilter<T> {
        PairsFilter {
            inner,
            common: self.common,
        }
    }
}

#[derive(Clone)]
pub struct PairsFilter<T> {
    inner: T,
    common: CommonWords,
}

impl<T: Tokenizer> Tokenizer for PairsFilter<T> {
    type TokenStream<'a> = PairsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PairsStream {
            tail: self.inner.token_stream(text),
            common: &self.common,
            prev: None,
            token: Token::default(),
        }
    }
}

pub struct PairsStream<'a, T> {
    tail: T,
    common: &'a CommonWords,
    /// The previous token, if common: its text, start offset and position.
    prev: Option<(String, usize, usize)>,
    token: Token,
}

impl<T: TokenStream> PairsStream<'_, T> {
    /// Makes the pair of the previous token and the tail's current one the current token, if
    /// both are common and on consecutive positions, and remembers the tail's token as the
    /// previous one if it is common.
    fn step(&mut self) -> bool {
        let next = self.tail.token();
        if !self.common.contains(&next.text) {
            self.prev = None;
            return false;
        }
        let Some((text, from, position)) = &mut self.prev else {
            self.prev = Some((next.text.clone(), next.offset_from, next.position));
            return false;
        };
        debug_assert!(next.position > *position, "one token per position");
        let adjacent = position.wrapping_add(1) == next.position;
        if adjacent {
            let t = &mut self.token;
            t.text.clear();
            t.text.push_str(text);
            t.text.push(SEPARATOR);
            t.text.push_str(&next.text);
            (t.offset_from, t.offset_to) = (*from, next.offset_to);
            (t.position, t.position_length) = (*position, 2);
        }
        text.clear();
        text.push_str(&next.text);
        (*from, *position) = (next.offset_from, next.position);
        adjacent
    }
}

impl<T: TokenStream> TokenStream for PairsStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if self.step() {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::SchemaDef;
    use tantivy::tokenizer::TokenizerManager;

    /// The tokens of `text`, with every word but `rare` common.
    fn tokens_but(analyzer: &str, text: &str, rare: &[&str]) -> Vec<String> {
        let def = SchemaDef::builtin().unwrap();
        let mut all = def.analyzer("en").unwrap();
        let mut s = all.token_stream(text);
        let mut words = Vec::new();
        while s.advance() {
            if !rare.contains(&s.token().text.as_str()) {
                words.push(s.token().text.clone());
            }
        }
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let m = TokenizerManager::default();
        def.with_common_words(CommonWords::of(&words))
            .register_tokenizers(&m)
            .unwrap();
        let mut a = m.get(analyzer).unwrap();
        let mut s = a.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push(s.token().text.replace(SEPARATOR, "+"));
        }
        out
    }

    fn tokens(analyzer: &str, text: &str) -> Vec<String> {
        tokens_but(analyzer, text, &[])
    }

    #[test]
    fn only_common_words_pair() {
        assert_eq!(
            tokens_but(
                "en_pairs",
                "the cat of the house and the dog",
                &["cat", "dog"]
            ),
            ["of+the", "the+hous", "hous+and", "and+the"]
        );
        assert!(tokens_but("en_pairs", "a rare word", &["a", "rare", "word"]).is_empty());
    }

    #[test]
    fn common_words_are_those_of_one_document_in_a_hundred() {
        let mut analyzer = SchemaDef::builtin().unwrap().analyzer("en").unwrap();
        let bodies: Vec<String> = (0..1000)
            .map(|i| {
                let mut b = format!("the note {i}");
                if i % 100 < 2 {
                    b.push_str(" twice"); // 20 documents: 2%
                }
                if i % 1000 == 7 {
                    b.push_str(" once"); // 1 document
                }
                b
            })
            .collect();
        let common = CommonWords::pick(
            &mut analyzer,
            bodies.iter().map(|b| ("Weekly Notes", b.as_str())),
        );
        let mut words: Vec<&str> = common.0.iter().map(String::as_str).collect();
        words.sort_unstable();
        assert_eq!(words, ["note", "the", "twice", "week"]);
        let dir = tempfile::tempdir().unwrap();
        assert!(CommonWords::load(dir.path()).unwrap().is_empty());
        common.save(dir.path()).unwrap();
        assert_eq!(CommonWords::load(dir.path()).unwrap(), common);
    }

    #[test]
    fn pairs_are_adjacent_analyzed_words() {
        assert_eq!(
            tokens("en_pairs", "Running TRANSFERS, café."),
            ["run+transfer", "transfer+cafe"]
        );
        assert!(tokens("en_pairs", "alone").is_empty());
    }

    #[test]
    fn a_removed_token_breaks_the_pair() {
        // remove_long drops the 41-letter word but keeps its position, as phrases see it.
        let long = "x".repeat(41);
        assert_eq!(
            tokens("en_pairs", &format!("one {long} two three")),
            ["two+three"]
        );
    }

    #[test]
    fn cjk_bigrams_pair_up() {
        assert_eq!(tokens("en_pairs", "東京都"), ["東京+京都"]);
    }

    #[test]
    fn pairs_analyzer_is_the_body_analyzer_plus_pairs() {
        let def = SchemaDef::builtin().unwrap();
        let (en, pairs) = (
            def.tokenizer("en").unwrap(),
            def.tokenizer("en_pairs").unwrap(),
        );
        assert_eq!(en.tokenizer, pairs.tokenizer);
        assert_eq!(
            [en.filters.as_slice(), &["pairs".to_owned()]].concat(),
            pairs.filters
        );
    }
}
