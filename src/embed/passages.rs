//! Splitting a document into [`Passage`]s for embedding: the title and breadcrumb as a prefix,
//! then the body in windows of about [`WINDOW_TOKENS`] tokens that overlap by
//! [`OVERLAP_TOKENS`], cut at word boundaries. Each passage remembers its byte range in the
//! body, so a semantic hit can show its best passage as the snippet.

use tokenizers::Tokenizer;

/// Body tokens per passage (the model sees prefix + window + 2 special tokens, at most 256).
pub const WINDOW_TOKENS: usize = 200;
/// Tokens shared by consecutive windows, so a sentence on a boundary is whole in one of them.
pub const OVERLAP_TOKENS: usize = 50;

/// One piece of a document to embed.
#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// Prefix and window text: what the model embeds.
    pub text: String,
    /// Byte range of the window in the document's body.
    pub start: usize,
    pub end: usize,
}

/// `Title — a › b` (the breadcrumb only when there is one).
pub fn prefix(title: &str, path: &[String]) -> String {
    if path.is_empty() {
        title.trim().to_owned()
    } else {
        format!("{} — {}", title.trim(), path.join(" › "))
    }
}

/// Splits `body` into passages; `tokenizer` must not truncate. An empty body gives one
/// passage holding the prefix alone.
pub fn split(tokenizer: &Tokenizer, title: &str, path: &[String], body: &str) -> Vec<Passage> {
    let head = prefix(title, path);
    let words = word_spans(tokenizer, body);
    if words.is_empty() {
        return vec![Passage {
            text: head,
            start: 0,
            end: 0,
        }];
    }
    windows(&words, WINDOW_TOKENS, OVERLAP_TOKENS)
        .into_iter()
        .map(|(start, end)| Passage {
            text: join(&head, &body[start..end]),
            start,
            end,
        })
        .collect()
}

fn join(head: &str, window: &str) -> String {
    if head.is_empty() {
        window.to_owned()
    } else {
        format!("{head}\n{window}")
    }
}

/// A word of the body: its byte range and how many tokens it became.
#[derive(Debug, Clone, Copy)]
struct Word {
    start: usize,
    end: usize,
    tokens: usize,
}

/// Words (as the tokenizer's pre-tokenizer sees them) with their token counts.
fn word_spans(tokenizer: &Tokenizer, body: &str) -> Vec<Word> {
    let Ok(enc) = tokenizer.encode(body, false) else {
        return Vec::new();
    };
    let mut words: Vec<Word> = Vec::new();
    let mut last_word = None;
    for (word, &(start, end)) in enc.get_word_ids().iter().zip(enc.get_offsets()) {
        match words.last_mut() {
            Some(w) if word.is_some() && *word == last_word => {
                w.end = w.end.max(end);
                w.tokens += 1;
            }
            _ => words.push(Word {
                start,
                end,
                tokens: 1,
            }),
        }
        last_word = *word;
    }
    words.retain(|w| body.is_char_boundary(w.start) && body.is_char_boundary(w.end));
    words
}

/// Byte ranges of windows of about `size` tokens, each starting about `size - overlap` tokens
/// after the previous one, made of whole words.
fn windows(words: &[Word], size: usize, overlap: usize) -> Vec<(usize, usize)> {
    let stride = size.saturating_sub(overlap).max(1);
    let mut out = Vec::new();
    let mut first = 0;
    loop {
        let (mut last, mut tokens, mut next) = (first, 0, None);
        while last < words.len() && (tokens + words[last].tokens <= size || last == first) {
            tokens += words[last].tokens;
            if next.is_none() && tokens >= stride {
                next = Some(last + 1);
            }
            last += 1;
        }
        out.push((words[first].start, words[last - 1].end));
        match next {
            Some(n) if last < words.len() => first = n.max(first + 1),
            _ => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(n: usize, tokens: usize) -> Vec<Word> {
        (0..n)
            .map(|i| Word {
                start: i * 10,
                end: i * 10 + 5,
                tokens,
            })
            .collect()
    }

    #[test]
    fn windows_overlap_and_cover_everything() {
        let words = w(10, 1);
        let got = windows(&words, 4, 2);
        // Windows of 4 words starting every 2 words; the last one ends at the last word.
        assert_eq!(got, vec![(0, 35), (20, 55), (40, 75), (60, 95)]);
    }

    #[test]
    fn a_short_body_is_one_window_and_a_huge_word_is_not_dropped() {
        assert_eq!(windows(&w(3, 1), 200, 50), vec![(0, 25)]);
        assert_eq!(windows(&w(2, 500), 200, 50), vec![(0, 5), (10, 15)]);
    }

    #[test]
    fn prefix_has_title_and_breadcrumb() {
        assert_eq!(prefix("Travel", &[]), "Travel");
        let path = vec!["Wiki".to_owned(), "HR".to_owned()];
        assert_eq!(prefix(" Travel ", &path), "Travel — Wiki › HR");
    }
}
