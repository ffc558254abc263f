//! [`Corpus`]: deterministic generated documents of realistic size for benchmarks and tests:
//! titles of 3–10 words, bodies of 50–2,000 words (log-uniform, so most are short), words
//! drawn from a Zipf-distributed vocabulary of pronounceable pseudo-words.

use chrono::{DateTime, TimeZone, Utc};

use crate::document::{Document, SourceKind};

/// The project's one deterministic PRNG (SplitMix64), shared with the fakes' generators.
pub use trove_fakes::rng::Rng;

/// Vocabulary plus Zipf sampler.
#[derive(Debug, Clone)]
pub struct Corpus {
    words: Vec<String>,
    /// Cumulative Zipf weights, normalized to 1.
    cdf: Vec<f64>,
}

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "cl", "dr", "fl", "gr", "pl", "st", "tr", "sh", "ch",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"];
const CODAS: &[&str] = &["", "n", "r", "s", "t", "l", "m", "nd", "st", "rk"];

impl Corpus {
    /// A vocabulary of `size` distinct words with Zipf exponent `s` (≈1.0 for English).
    pub fn new(size: usize, s: f64, seed: u64) -> Corpus {
        let mut rng = Rng::new(seed);
        let mut seen = std::collections::HashSet::new();
        let mut words = Vec::with_capacity(size);
        while words.len() < size {
            let syllables = 1 + (rng.next_u64() % 3) as usize;
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(ONSETS[rng.range(0, ONSETS.len() - 1)]);
                w.push_str(VOWELS[rng.range(0, VOWELS.len() - 1)]);
                w.push_str(CODAS[rng.range(0, CODAS.len() - 1)]);
            }
            if seen.insert(w.clone()) {
                words.push(w);
            }
        }
        let mut cdf = Vec::with_capacity(size);
        let mut acc = 0.0;
        for rank in 1..=size {
            acc += 1.0 / (rank as f64).powf(s);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Corpus { words, cdf }
    }

    /// The default benchmark vocabulary: 50,000 words, s = 1.07.
    pub fn standard() -> Corpus {
        Corpus::new(50_000, 1.07, 42)
    }

    pub fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self
            .cdf
            .partition_point(|&c| c < u)
            .min(self.words.len() - 1);
        &self.words[i]
    }

    fn sentence(&self, rng: &mut Rng, words: usize, out: &mut String) {
        for i in 0..words {
            if i > 0 {
                out.push(if i % 14 == 13 { '.' } else { ' ' });
                if i % 14 == 13 {
                    out.push(' ');
                }
            }
            out.push_str(self.word(rng));
        }
    }

    /// Document number `n` of the stream seeded by `seed` (the same inputs give the same text).
    pub fn document(&self, seed: u64, n: u64) -> Document {
        let mut rng = Rng::new(seed ^ n.wrapping_mul(0x2545_F491_4F6C_DD1D));
        let mut title = String::new();
        let title_len = rng.range(3, 10);
        self.sentence(&mut rng, title_len, &mut title);
        // Log-uniform 50..2000 words.
        let len = (50f64 * (40f64).powf(rng.unit())).round() as usize;
        let mut body = String::with_capacity(len * 7);
        self.sentence(&mut rng, len, &mut body);
        let source = if n.is_multiple_of(2) {
            "notion"
        } else {
            "monday"
        };
        let mut doc = Document::new(format!("{source}:doc-{n}"), title, body);
        doc.source_kind = Some(if n.is_multiple_of(2) {
            SourceKind::Notion
        } else {
            SourceKind::Monday
        });
        doc.kind = if n.is_multiple_of(2) { "page" } else { "item" }.into();
        doc.url = format!("https://example.com/{source}/{n}");
        doc.path = vec!["Workspace".into(), format!("Area {}", n % 17)];
        doc.authors = vec![format!("Person {}", n % 31)];
        doc.tags = vec![["Done", "Working on it", "Stuck", "Backlog"][(n % 4) as usize].into()];
        let t: DateTime<Utc> = Utc
            .timestamp_opt(1_700_000_000 + (n as i64) * 61, 0)
            .single()
            .unwrap_or_default();
        doc.created_at = Some(t);
        doc.updated_at = Some(t);
        doc
    }

    /// `count` documents starting at number 0.
    pub fn documents(&self, seed: u64, count: u64) -> Vec<Document> {
        (0..count).map(|n| self.document(seed, n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let c = Corpus::new(2000, 1.0, 1);
        let a = c.document(7, 3);
        let b = c.document(7, 3);
        assert_eq!(a, b);
        let words = a.body.split_whitespace().count();
        assert!((50..=2000).contains(&words), "{words}");
        let t = a.title.split_whitespace().count();
        assert!((3..=10).contains(&t), "{t}");
    }

    #[test]
    fn zipf_head_is_frequent() {
        let c = Corpus::new(1000, 1.0, 1);
        let mut rng = Rng::new(3);
        let top = c.words[0].clone();
        let hits = (0..10_000).filter(|_| c.word(&mut rng) == top).count();
        // Rank 1 of 1000 with s=1 has probability ≈ 1/H(1000) ≈ 13%.
        assert!((1000..1700).contains(&hits), "{hits}");
    }
}
