//! [`RankingConfig`]: the query-time ranking knobs the [`Compiler`](super::compile::Compiler)
//! reads — stop-word removal, the title boost, and the proximity boost for query words that
//! appear near each other. The defaults are the values measured best on the judged query set in
//! `eval/` (see `eval/README.md` and `tests/cli/ranking.rs`); searches use them unless a caller
//! asks for another configuration with [`Searcher::with_ranking`](super::Searcher::with_ranking).
//!
//! Stemming is an index-time choice (the `en` analyzer in `schema/trove.toml`), so it is not
//! here; the evaluation measures it by indexing with an analyzer without the stemmer.

/// Slop of the proximity clauses: query words at most this many positions apart count as near.
pub const PROXIMITY_SLOP: u32 = 4;
/// Weight of a proximity match relative to a single term match.
pub const PROXIMITY_BOOST: f32 = 0.5;
/// At most this many adjacent pairs get a proximity phrase.
pub const MAX_PROXIMITY_PAIRS: usize = 8;

/// How free-text queries are scored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankingConfig {
    /// Drop English stop words from free text (unless the query has nothing else).
    pub stop_words: bool,
    /// Title weight relative to body; `None` uses the schema's boost.
    pub title_boost: Option<f32>,
    /// Add the BM25 score of sloppy phrases of adjacent query words to the best candidates
    /// (see [`rescore`](super::rescore)).
    pub proximity: bool,
    /// How many positions apart two query words may be and still count as near.
    pub proximity_slop: u32,
    /// Weight of a proximity match relative to a single term match.
    pub proximity_boost: f32,
    /// Also add proximity phrases on the title (weighted by the title boost); otherwise only
    /// the body gets them.
    pub proximity_in_title: bool,
    /// How one word's matches in several fields combine: `None` sums the field scores;
    /// `Some(t)` takes the best field plus `t` times the others (a dis-max query).
    pub field_tie_breaker: Option<f32>,
}

impl Default for RankingConfig {
    fn default() -> Self {
        RankingConfig {
            stop_words: true,
            title_boost: None,
            proximity: true,
            proximity_slop: PROXIMITY_SLOP,
            proximity_boost: PROXIMITY_BOOST,
            proximity_in_title: false,
            field_tie_breaker: None,
        }
    }
}
