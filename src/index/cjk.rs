//! [`CjkTokenizer`]: tantivy's simple tokenizer (words are runs of alphanumerics) plus CJK
//! segmentation. Chinese and Japanese are written without spaces, so the simple tokenizer made
//! a whole run of Han, Hiragana or Katakana (or a Hangul word) one token, and a word inside it
//! matched nothing. Here such a run becomes its overlapping bigrams (`東京都` → `東京`, `京都`;
//! a lone character stays itself), on consecutive positions, so any word of two or more
//! characters inside a run matches as a phrase of its bigrams. This is the classic CJK
//! approach of Lucene's `CJKBigramFilter`: no dictionary, no model, a few lines instead of a
//! dictionary-based crate (lindera, jieba-rs) weighing tens of megabytes.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Whether `c` belongs to a script written without spaces between words (or, for Hangul,
/// whose words are long enough that searching inside them matters).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF        // Hiragana, Katakana
        | 0x31F0..=0x31FF      // Katakana phonetic extensions
        | 0x3400..=0x4DBF      // CJK Unified Ideographs Extension A
        | 0x4E00..=0x9FFF      // CJK Unified Ideographs
        | 0xF900..=0xFAFF      // CJK Compatibility Ideographs
        | 0xFF66..=0xFF9F      // Halfwidth Katakana
        | 0x1100..=0x11FF      // Hangul Jamo
        | 0x3130..=0x318F      // Hangul Compatibility Jamo
        | 0xAC00..=0xD7AF      // Hangul Syllables
        | 0x20000..=0x3134F    // CJK Unified Ideographs Extensions B–G
    )
}

/// Simple tokenizer with CJK runs cut into bigrams.
#[derive(Clone, Default)]
pub struct CjkTokenizer {
    token: Token,
}

/// The token stream of [`CjkTokenizer`]; lazy, so a 20 MB body is never held as tokens.
pub struct CjkTokenStream<'a> {
    text: &'a str,
    /// Byte offset of the next character.
    pos: usize,
    token: &'a mut Token,
    /// Inside a CJK run: the previous character's byte range, and whether the run has produced
    /// a bigram yet (a run of one character is emitted alone when it ends).
    run: Option<(usize, usize, bool)>,
}

impl Tokenizer for CjkTokenizer {
    type TokenStream<'a> = CjkTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkTokenStream<'a> {
        self.token.reset();
        CjkTokenStream {
            text,
            pos: 0,
            token: &mut self.token,
            run: None,
        }
    }
}

/// The character at byte offset `pos` of `text` (a character boundary), if any.
#[inline]
fn char_at(text: &str, pos: usize) -> Option<char> {
    match *text.as_bytes().get(pos)? {
        b if b.is_ascii() => Some(char::from(b)),
        _ => text.get(pos..)?.chars().next(),
    }
}

impl CjkTokenStream<'_> {
    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.text.clear();
        self.token.text.push_str(&self.text[from..to]);
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.position = self.token.position.wrapping_add(1);
        true
    }

    /// Continues a CJK run: the next bigram, or the lone character of a one-character run.
    fn next_in_run(&mut self, prev_from: usize, prev_to: usize, emitted: bool) -> Option<bool> {
        match char_at(self.text, self.pos) {
            Some(c) if is_cjk(c) => {
                let i = self.pos;
                let end = i + c.len_utf8();
                self.pos = end;
                self.run = Some((i, end, true));
                Some(self.emit(prev_from, end))
            }
            _ => {
                self.run = None;
                (!emitted).then(|| self.emit(prev_from, prev_to))
            }
        }
    }

    /// The end of the non-CJK word starting at the character just consumed.
    fn word_end(&mut self) -> usize {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            // ASCII, most text, without decoding a char.
            if b.is_ascii() {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                self.pos += 1;
                continue;
            }
            match char_at(self.text, self.pos) {
                Some(c) if c.is_alphanumeric() && !is_cjk(c) => self.pos += c.len_utf8(),
                _ => break,
            }
        }
        self.pos
    }
}

impl TokenStream for CjkTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            if let Some((from, to, emitted)) = self.run {
                if let Some(done) = self.next_in_run(from, to, emitted) {
                    return done;
                }
                continue;
            }
            let Some(c) = char_at(self.text, self.pos) else {
                return false;
            };
            let i = self.pos;
            self.pos += c.len_utf8();
            if is_cjk(c) {
                self.run = Some((i, i + c.len_utf8(), false));
            } else if c.is_alphanumeric() {
                let end = self.word_end();
                return self.emit(i, end);
            }
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut t = CjkTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            let k = s.token();
            out.push((k.text.clone(), k.position, k.offset_from, k.offset_to));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn cjk_text_matches_only_whole_runs() {
        assert_eq!(texts("東京都"), ["東京", "京都"]);
        assert_eq!(
            texts("会議室の予約"),
            ["会議", "議室", "室の", "の予", "予約"]
        );
        assert_eq!(texts("カタカナ"), ["カタ", "タカ", "カナ"]);
        assert_eq!(texts("한국어 검색"), ["한국", "국어", "검색"]);
        assert_eq!(texts("猫"), ["猫"], "a lone character stays itself");
    }

    #[test]
    fn latin_text_splits_like_the_simple_tokenizer() {
        assert_eq!(
            texts("Hello, happy tax-payer 42!"),
            ["Hello", "happy", "tax", "payer", "42"]
        );
        assert_eq!(texts(""), Vec::<String>::new());
        assert_eq!(texts("?! 🙂"), Vec::<String>::new());
        assert_eq!(texts("café naïve"), ["café", "naïve"]);
    }

    #[test]
    fn mixed_scripts_positions_and_offsets() {
        let t = tokens("API設計 v2");
        let got: Vec<_> = t.iter().map(|t| (t.0.as_str(), t.1)).collect();
        assert_eq!(got, [("API", 0), ("設計", 1), ("v2", 2)]);
        let (_, _, from, to) = &t[1];
        assert_eq!(&"API設計 v2"[*from..*to], "設計");
        // A lone CJK character between Latin words.
        assert_eq!(texts("a猫b"), ["a", "猫", "b"]);
    }

    #[test]
    fn without_cjk_it_is_the_simple_tokenizer() {
        use tantivy::tokenizer::SimpleTokenizer;
        let alphabet: Vec<char> = "ab Z9 -,.é ßÆ\u{300}🙂\n\tЖ٣".chars().collect();
        let mut seed = 7u64;
        for _ in 0..500 {
            let text: String = (0..40)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    alphabet[(seed >> 33) as usize % alphabet.len()]
                })
                .collect();
            let mut simple = SimpleTokenizer::default();
            let mut stream = simple.token_stream(&text);
            let mut expected = Vec::new();
            while stream.advance() {
                let k = stream.token();
                expected.push((k.text.clone(), k.position, k.offset_from, k.offset_to));
            }
            assert_eq!(tokens(&text), expected, "{text:?}");
        }
    }
}
