//! [`Pairs`]: the token filter that turns an analyzer's tokens into word pairs, for the
//! `body_pairs` field (`schema/trove.toml`). Two tokens on consecutive positions become one
//! token, their texts joined by [`SEPARATOR`] (`w3 w9` → `w3\u{1}w9`); the words themselves
//! are not emitted.
//!
//! A quoted phrase must find its words on consecutive positions, so a document matching it
//! holds the pair term of each two adjacent words of the phrase: `search/compile.rs` requires
//! them beside the phrase (scoring 0). A pair of two common words is rare, so tantivy's
//! intersection walks the pair's short postings and reads positions only where the phrase is
//! nearly certain to match, instead of in every document holding both words (issue 14).

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

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

/// The token filter (the `pairs` filter of the schema file); it must come last.
#[derive(Clone, Copy, Default)]
pub struct Pairs;

impl TokenFilter for Pairs {
    type Tokenizer<T: Tokenizer> = PairsFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> PairsFilter<T> {
        PairsFilter { inner }
    }
}

#[derive(Clone)]
pub struct PairsFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PairsFilter<T> {
    type TokenStream<'a> = PairsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PairsStream {
            tail: self.inner.token_stream(text),
            prev: None,
            token: Token::default(),
        }
    }
}

pub struct PairsStream<T> {
    tail: T,
    /// The previous token: its text, start offset and position (`None` before the first).
    prev: Option<(String, usize, usize)>,
    token: Token,
}

impl<T: TokenStream> PairsStream<T> {
    /// Makes the pair of the previous token and the tail's current one the current token, if
    /// they are on consecutive positions, and remembers the tail's token as the previous one.
    fn step(&mut self) -> bool {
        let next = self.tail.token();
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

impl<T: TokenStream> TokenStream for PairsStream<T> {
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

    fn tokens(analyzer: &str, text: &str) -> Vec<String> {
        let m = TokenizerManager::default();
        SchemaDef::builtin()
            .unwrap()
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
