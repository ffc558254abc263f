//! The top-k of a union of words by MaxScore (Turtle and Flood, 1995; Lucene's default for
//! disjunctions since 9.x), in place of tantivy's block-max WAND.
//!
//! `perf` put block-max WAND first in every multi-word and common-word query (46–49% at a
//! million documents). When a word is in most documents its scores are flat: nearly every
//! block of 128 postings holds a document scoring near the best, so no block can be skipped
//! and WAND pays its pivot bookkeeping (sorting its scorers, aligning each one on the pivot)
//! for every posting. MaxScore splits the words instead: those whose best scores together
//! cannot beat the page's current k-th score are *non-essential*. Candidates come from the
//! essential words' postings alone, and a non-essential word is looked up in a candidate only
//! while it could still lift it over the bar. A word in every title and body adds almost
//! nothing to a score, so once the page fills it is only read where it could matter.
//!
//! The split is only as good as each word's bound. BM25's own bound (`Bm25Weight::max_score`)
//! assumes an unbounded term frequency in the shortest document, and is up to twice the best
//! score a word really has in a segment: with it, MaxScore took several words in one field
//! (a question of three words) for essential, scored more candidates than WAND, and was
//! slower (three words at a million documents: 2.0 against 1.76 ms). So each word's bound is
//! its best block's score in the segment (`best_share`), the bound tantivy's WAND trusts
//! for one block, read once per segment and word from the postings and kept (`BEST`).
//!
//! The first segments searched would still score every candidate until their page fills, the
//! common words essential meanwhile. So the bar starts from a seed (`Lists::seeds`,
//! `seed_bar`): the documents of the words with the highest bounds, when they are rare, are
//! scored by those words alone in every segment, and the k-th best of those partial scores is
//! a bar that k documents reach (a partial score is never more than the whole). It took a
//! quarter off the time of `trove bench`'s stop-word question at a million documents.
//!
//! [`Word`] is the query clause that makes this possible: a term query with its boost that
//! tantivy scores exactly as a `BoostQuery` around a `TermQuery`, and whose term and boost
//! this module can read back (tantivy's own types do not give the boost back).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, BooleanQuery, EnableScoring, Occur, Query, TermQuery,
    Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, InvertedIndexReader, Score, Searcher, SegmentReader, Term, TERMINATED};

use super::compile::{boosted, no_boost};

/// One word in one field, with its boost: scored by tantivy as `BoostQuery(TermQuery)` (term
/// frequencies on), and readable by [`Words::of`].
#[derive(Clone, Debug)]
pub struct Word {
    term: Term,
    boost: Score,
}

impl Word {
    /// A boost that counts as none (`compile::no_boost`) is 1, as no `BoostQuery` is built for it.
    pub fn new(term: Term, boost: Score) -> Word {
        let boost = if no_boost(boost) { 1.0 } else { boost };
        Word { term, boost }
    }

    fn query(&self) -> Box<dyn Query> {
        let term = TermQuery::new(self.term.clone(), IndexRecordOption::WithFreqs);
        boosted(Box::new(term), self.boost)
    }
}

impl Query for Word {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.query().weight(scoring)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

/// A union of [`Word`]s, ready to rank: each word's BM25 weight (its boost included), as
/// tantivy's term weight computes it from the searcher's statistics.
pub struct Words {
    words: Vec<(Term, Bm25Weight)>,
    /// Whether some word is in at most one document in [`SEED_SHARE`]: only then can
    /// [`Lists::seeds`] find partial scores cheaply.
    has_rare: bool,
}

/// Each word's best score is inflated by this fraction, so that adding the same scores in
/// another order (the bound's order, not the clauses') can never make a bound fall short.
const BOUND_SLACK: Score = 1e-3;

/// Postings per block in tantivy's format (`BitPacker4x::BLOCK_LEN`; the last block of a
/// list is padded with `TERMINATED` up to it, which the cursor below relies on as tantivy's
/// own `SegmentPostings` does).
const BLOCK: usize = 128;

impl Words {
    /// The words of `query` when it is a union of [`Word`]s alone (`None` otherwise: tantivy
    /// ranks it).
    pub fn of(searcher: &Searcher, query: &dyn Query) -> tantivy::Result<Option<Words>> {
        let Some(union) = query.downcast_ref::<BooleanQuery>() else {
            return Ok(None);
        };
        if union.get_minimum_number_should_match() > 1 {
            return Ok(None);
        }
        let mut words = Vec::with_capacity(union.clauses().len());
        let mut has_rare = false;
        let docs = searcher.total_num_docs()?;
        for (occur, clause) in union.clauses() {
            let Some(word) = clause.downcast_ref::<Word>() else {
                return Ok(None);
            };
            if *occur != Occur::Should {
                return Ok(None);
            }
            // As `Bm25Weight::for_terms` weighs one term, with its document frequency kept.
            let tokens = searcher.total_num_tokens(word.term.field())?;
            let freq = searcher.doc_freq(&word.term)?;
            let weight = Bm25Weight::for_one_term(freq, docs, tokens as Score / docs as Score);
            has_rare |= freq <= docs / u64::from(SEED_SHARE);
            words.push((word.term.clone(), weight.boost_by(word.boost)));
        }
        Ok((!words.is_empty()).then_some(Words { words, has_rare }))
    }

    /// Whether a word is rare enough (in at most one document in [`SEED_SHARE`]) for
    /// [`Lists::seeds`] to be worth reading before the search.
    pub(crate) fn may_seed(&self) -> bool {
        self.has_rare
    }

    /// The words' postings in `reader` (those it has), ready to search.
    pub(crate) fn open(&self, reader: &SegmentReader) -> tantivy::Result<Lists<'_>> {
        let mut lists = Vec::with_capacity(self.words.len());
        for (clause, (term, weight)) in self.words.iter().enumerate() {
            let inverted = reader.inverted_index(term.field())?;
            let Some(info) = inverted.get_term_info(term)? else {
                continue;
            };
            let postings =
                inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
            let fieldnorms = reader.get_fieldnorms_reader(term.field())?;
            let best = best_share(
                reader.segment_id(),
                term,
                &inverted,
                &info,
                &fieldnorms,
                weight,
            )?;
            lists.push(Cursor::new(clause, postings, fieldnorms, weight, best));
        }
        // Least first: the non-essential words are a prefix.
        lists.sort_by(|a, b| a.max.total_cmp(&b.max));
        Ok(Lists {
            lists,
            clauses: self.words.len(),
        })
    }
}

/// One segment's postings of the [`Words`], opened once: read for a seed, then searched.
pub(crate) struct Lists<'w> {
    /// Least bound first.
    lists: Vec<Cursor<'w>>,
    /// The query's clauses (the words, also those this segment lacks).
    clauses: usize,
}

impl Lists<'_> {
    /// The best `k` partial scores of the segment `reader`, one of `segments` (see
    /// [`partial_scores`]), in no order; `None` when a word could score below zero (a
    /// partial score would bound nothing then).
    pub(crate) fn seeds(
        &self,
        reader: &SegmentReader,
        k: usize,
        segments: usize,
    ) -> Option<Vec<Score>> {
        let want = SEED_POSTINGS_PER_HIT
            .saturating_mul(k)
            .div_ceil(segments.max(1));
        let mut scores = Vec::new();
        if !partial_scores(&self.lists, want, reader, &mut scores) {
            return None;
        }
        if scores.len() > k {
            scores.select_nth_unstable_by(k, |a, b| b.total_cmp(a));
            scores.truncate(k);
        }
        Some(scores)
    }

    /// Calls `callback` with every document of the segment that scores above `threshold`, in
    /// document order, and takes the new threshold it returns, as tantivy's
    /// `Weight::for_each_pruning` does. A document's score is the sum of its words' BM25
    /// scores, added in the order of the query's clauses.
    pub(crate) fn for_each_pruning(
        self,
        mut threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) {
        let Lists { mut lists, clauses } = self;
        // bound[i]: the most lists[..=i] can add to a score together.
        let bound: Vec<Score> = lists
            .iter()
            .scan(0.0, |sum, l| {
                *sum += l.max;
                Some(*sum)
            })
            .collect();
        let mut parts: Vec<Score> = vec![0.0; clauses];
        let mut essential = bound.partition_point(|&b| b <= threshold);
        while essential < lists.len() {
            // The window up to the end of the first essential block: a document in it scores
            // at most the essential words' block maxima plus the others' best scores.
            let mut doc = TERMINATED;
            let mut end = TERMINATED;
            let mut window = if essential > 0 {
                bound[essential - 1]
            } else {
                0.0
            };
            for l in &lists[essential..] {
                if l.doc != TERMINATED {
                    doc = doc.min(l.doc);
                    end = end.min(l.block_end());
                }
            }
            if doc == TERMINATED {
                break;
            }
            for l in &mut lists[essential..] {
                // A word whose next document lies past the window adds nothing in it.
                if l.doc <= end {
                    window += l.block_max();
                }
            }
            if window <= threshold {
                for l in &mut lists[essential..] {
                    l.seek(end.saturating_add(1));
                }
                continue;
            }
            let mut upper: Score = 0.0;
            for l in &mut lists[essential..] {
                if l.doc == doc {
                    let s = l.score();
                    parts[l.clause] = s;
                    upper += s;
                    l.advance();
                }
            }
            let mut beaten = false;
            for i in (0..essential).rev() {
                if upper + bound[i] <= threshold {
                    beaten = true;
                    break;
                }
                let l = &mut lists[i];
                if l.seek(doc) == doc {
                    let s = l.score();
                    parts[l.clause] = s;
                    upper += s;
                }
            }
            if !beaten {
                let score: Score = parts.iter().sum();
                if score > threshold {
                    threshold = callback(doc, score);
                    essential = essential.max(bound.partition_point(|&b| b <= threshold));
                }
            }
            parts.fill(0.0);
        }
    }
}

/// Each word's best share (`best_share`) in each segment, with the fingerprint of the
/// average field length it was read under. Segments never change, so an entry stays true
/// while that average does; a new average (documents added or deleted) reads it again.
#[allow(clippy::type_complexity)]
static BEST: LazyLock<Mutex<HashMap<(SegmentId, Term), (u32, Score)>>> =
    LazyLock::new(Mutex::default);

/// Entries [`BEST`] holds before it starts over (each is a term and a few words: a few MB).
const BEST_ENTRIES: usize = 1 << 16;

/// The best score the word `term` has in a segment, as a share of `weight.max_score()` (BM25's
/// bound for any frequency and length): the highest of its blocks' bounds, which the index
/// keeps beside each full block of 128 postings (the best term frequency and length pair) and
/// which is read from the postings of the last one. It is the bound block-max WAND trusts for
/// a block, taken over the whole list.
///
/// A share does not depend on the word's idf or boost (both scale a score and its bound alike),
/// only on the field's average length, whose fingerprint is kept with it. Reading it decodes
/// the word's postings once per segment (about a millisecond for a word in most of a million
/// documents); later searches find it in [`BEST`].
fn best_share(
    segment: SegmentId,
    term: &Term,
    inverted: &InvertedIndexReader,
    info: &TermInfo,
    fieldnorms: &FieldNormReader,
    weight: &Bm25Weight,
) -> tantivy::Result<Score> {
    let bound = weight.max_score();
    if bound <= 0.0 {
        return Ok(1.0);
    }
    // The tf component of one occurrence at a fixed length: it moves with the average length.
    let fingerprint = (weight.score(FINGERPRINT_NORM, 1) / bound).to_bits();
    let key = (segment, term.clone());
    let kept = BEST.lock().ok().and_then(|b| b.get(&key).copied());
    if let Some((print, share)) = kept {
        if print == fingerprint {
            return Ok(share);
        }
    }
    let mut postings =
        inverted.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
    let mut best: Score = 0.0;
    while postings.docs().first().is_some_and(|&d| d != TERMINATED) {
        best = best.max(postings.block_max_score(fieldnorms, weight));
        postings.advance();
    }
    // Never above BM25's own bound, and a float's width above the blocks' best.
    let share = (best / bound).next_up().min(1.0);
    if let Ok(mut kept) = BEST.lock() {
        if kept.len() >= BEST_ENTRIES {
            kept.clear();
        }
        kept.insert(key, (fingerprint, share));
    }
    Ok(share)
}

/// The field length (as a fieldnorm id) at which [`best_share`]'s fingerprint is taken.
const FINGERPRINT_NORM: u8 = 24;

/// The `k`-th best of the segments' [`Lists::seeds`] (`None` from any: none), just below it
/// so that a tie with it is kept: at least `k` documents score that much or more, so none
/// scoring less can make the best `k`. Negative infinity when there are fewer than `k`.
pub(crate) fn seed_bar(seeds: Vec<Option<Vec<Score>>>, k: usize) -> Score {
    let Some(seeds) = seeds.into_iter().collect::<Option<Vec<_>>>() else {
        return Score::NEG_INFINITY;
    };
    let mut scores: Vec<Score> = seeds.into_iter().flatten().collect();
    if k == 0 || scores.len() < k {
        return Score::NEG_INFINITY;
    }
    let (_, kth, _) = scores.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    kth.next_down()
}

/// The least number of postings [`partial_scores`] reads, over all segments, per hit kept:
/// the rarest word alone, when it is in a few documents more than the page's hits.
const SEED_POSTINGS_PER_HIT: usize = 2;

/// [`partial_scores`] reads postings of at most this share of a segment's documents (1 in
/// this many).
const SEED_SHARE: u32 = 16;

/// Pushes onto `scores` the partial scores (the share of the words with the highest bounds,
/// `lists`' last ones) of the live documents those words are in. Each partial score is at
/// most its document's whole score (the missing words add scores of zero or more in the same
/// order, and rounding never makes a sum of more such terms smaller). The words taken are the
/// fewest whose postings reach `want`, within a [`SEED_SHARE`] of the segment. False when a
/// word could score below zero (no bound then).
fn partial_scores(
    lists: &[Cursor],
    want: usize,
    reader: &SegmentReader,
    scores: &mut Vec<Score>,
) -> bool {
    if lists.iter().any(|l| l.max < 0.0) {
        return false;
    }
    let cap = (reader.max_doc() / SEED_SHARE) as usize;
    let (mut postings, mut from) = (0usize, lists.len());
    while from > 0 && postings < want {
        let more = postings + lists[from - 1].postings.doc_freq() as usize;
        if more > cap {
            break;
        }
        (postings, from) = (more, from - 1);
    }
    // Added in the order of the clauses, as the whole score is.
    let mut words: Vec<Cursor> = lists[from..].to_vec();
    words.sort_by_key(|w| w.clause);
    let alive = reader.alive_bitset();
    loop {
        let doc = words.iter().map(|w| w.doc).min().unwrap_or(TERMINATED);
        if doc == TERMINATED {
            break;
        }
        let mut score: Score = 0.0;
        for w in &mut words {
            if w.doc == doc {
                score += w.score();
                w.advance();
            }
        }
        if !alive.is_some_and(|a| a.is_deleted(doc)) {
            scores.push(score);
        }
    }
    true
}

/// A word's postings in one segment, a block at a time, and how it scores them.
#[derive(Clone)]
struct Cursor<'w> {
    /// The word's place among the query's clauses.
    clause: usize,
    postings: BlockSegmentPostings,
    /// Index of the current posting in the loaded block.
    at: usize,
    doc: DocId,
    fieldnorms: FieldNormReader,
    weight: &'w Bm25Weight,
    /// At least the most the word adds to any document's score.
    max: Score,
}

impl<'w> Cursor<'w> {
    /// `best`: the word's best score in the segment as a share of `weight.max_score()`.
    fn new(
        clause: usize,
        postings: BlockSegmentPostings,
        fieldnorms: FieldNormReader,
        weight: &'w Bm25Weight,
        best: Score,
    ) -> Cursor<'w> {
        Cursor {
            clause,
            doc: postings.doc(0),
            postings,
            at: 0,
            fieldnorms,
            max: best * weight.max_score() * (1.0 + BOUND_SLACK),
            weight,
        }
    }

    /// The current document's score for this word, as tantivy's `TermScorer` gives it.
    fn score(&self) -> Score {
        let norm = self.fieldnorms.fieldnorm_id(self.doc);
        self.weight.score(norm, self.postings.freq(self.at))
    }

    fn advance(&mut self) {
        if self.at == BLOCK - 1 {
            self.at = 0;
            self.postings.advance();
        } else {
            self.at += 1;
        }
        self.doc = self.postings.doc(self.at);
    }

    /// The last document of the loaded block (`TERMINATED` past the end).
    fn block_end(&self) -> DocId {
        self.postings.docs().last().copied().unwrap_or(TERMINATED)
    }

    /// At least the most the word adds to a document of the loaded block (from the block's
    /// best term frequency and length, which the index keeps beside the block).
    fn block_max(&mut self) -> Score {
        self.postings.block_max_score(&self.fieldnorms, self.weight) * (1.0 + BOUND_SLACK)
    }

    /// Moves to the first document at or after `target` (never back) and returns it.
    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.at = self.postings.seek(target);
            self.doc = self.postings.doc(self.at);
        }
        self.doc
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::BoostQuery;
    use tantivy::schema::{Field, Schema, TEXT};
    use tantivy::{doc, DocAddress, Index, IndexWriter};

    /// Three text fields; three commits of documents of 1–40 words from a small vocabulary
    /// (some words in nearly every document, some rare), and deletions in the first commit.
    fn index() -> (Index, [Field; 3]) {
        let mut schema = Schema::builder();
        let fields = [
            schema.add_text_field("a", TEXT),
            schema.add_text_field("b", TEXT),
            schema.add_text_field("c", TEXT),
        ];
        let index = Index::create_in_ram(schema.build());
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut seed = 7u64;
        let mut next = move |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let vocab = ["the", "of", "alpha", "beta", "gamma", "delta", "rare", "x"];
        let mut text = |max: u64| -> String {
            (0..1 + next(max))
                .map(|_| {
                    // Word i about half as often as word i - 1.
                    let r = next(255) + 1;
                    vocab[(8 - (64 - r.leading_zeros()) as usize).min(7)]
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        for commit in 0..3 {
            for n in 0..700 {
                w.add_document(doc!(
                    fields[0] => text(6),
                    fields[1] => text(40),
                    fields[2] => text(12),
                    fields[2] => format!("n{commit}x{n}"),
                ))
                .unwrap();
            }
            w.commit().unwrap();
            if commit == 0 {
                for n in (0..700).step_by(5) {
                    w.delete_term(Term::from_field_text(fields[2], &format!("n0x{n}")));
                }
            }
        }
        w.commit().unwrap();
        (index, fields)
    }

    fn words(fields: &[Field], text: &str, boosts: &[Score]) -> BooleanQuery {
        BooleanQuery::new(
            fields
                .iter()
                .zip(boosts)
                .map(|(f, b)| {
                    let q: Box<dyn Query> =
                        Box::new(Word::new(Term::from_field_text(*f, text), *b));
                    (Occur::Should, q)
                })
                .collect(),
        )
    }

    /// Each of `text`'s words in each field, with the field's boost.
    fn several(fields: &[Field], text: &[&str], boosts: [Score; 3]) -> BooleanQuery {
        BooleanQuery::new(
            text.iter()
                .flat_map(|w| {
                    fields.iter().zip(boosts).map(|(f, b)| {
                        let word = Word::new(Term::from_field_text(*f, w), b);
                        (Occur::Should, Box::new(word) as Box<dyn Query>)
                    })
                })
                .collect(),
        )
    }

    /// `ours` is `theirs` up to the last bits of the scores (the words are added in another
    /// order): the same scores, and the same documents but where two scores all but tie.
    pub(crate) fn same_page(
        ours: &[(Score, DocAddress)],
        theirs: &[(Score, DocAddress)],
        what: &str,
    ) {
        assert_eq!(ours.len(), theirs.len(), "{what}");
        let close = |a: Score, b: Score| (a - b).abs() <= 1e-5 * a.abs().max(1.0);
        for (i, (o, t)) in ours.iter().zip(theirs).enumerate() {
            assert!(close(o.0, t.0), "{what}: hit {i}: {o:?} against {t:?}");
            if o.1 != t.1 {
                let tied = theirs.iter().any(|u| u.1 == o.1 && close(u.0, o.0));
                assert!(tied, "{what}: hit {i}: {o:?} against {t:?}");
            }
        }
    }

    /// Compares the page of `q` ranked here, on one thread and in lanes, with `TopDocs`' for
    /// each of `ks`; returns how many hits were compared.
    fn compare_pages(searcher: &Searcher, q: &dyn Query, ks: &[usize], what: &str) -> usize {
        let mut compared = 0;
        for &k in ks {
            let theirs = searcher
                .search(q, &TopDocs::with_limit(k).order_by_score())
                .unwrap();
            for parallel in [false, true] {
                let ours = super::super::top_k::by_score(searcher, q, k, parallel).unwrap();
                same_page(&ours, &theirs, &format!("{what} k {k} parallel {parallel}"));
                compared += ours.len();
            }
        }
        compared
    }

    #[test]
    fn a_union_of_words_ranks_as_tantivy_ranks_it() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let mut compared = 0;
        for text in ["the", "of", "alpha", "gamma", "rare", "x", "absent"] {
            for boosts in [[1.0, 1.0, 1.0], [3.0, 1.0, 0.5], [0.2, 2.5, 1.0]] {
                let q = words(&fields, text, &boosts);
                assert!(Words::of(&searcher, &q).unwrap().is_some());
                let what = format!("{text} {boosts:?}");
                compared += compare_pages(&searcher, &q, &[1, 3, 10, 60, 500], &what);
            }
        }
        assert!(compared > 5_000, "only {compared} hits compared");
    }

    #[test]
    fn a_union_of_words_within_a_budget_ranks_the_same_until_it_is_spent() {
        use super::super::{top_k, Budget};
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        let q: Box<dyn Query> = Box::new(words(&fields, "gamma", &[2.0, 1.0, 0.5]));
        let budget = Budget::until(std::time::Instant::now() + std::time::Duration::from_secs(600));
        let bounded = budget.bound(q.box_clone());
        assert!(top_k::by_max_score(&searcher, &*q));
        assert!(
            top_k::by_max_score(&searcher, &*bounded),
            "the budget hid the words"
        );
        let page = top_k::by_score(&searcher, &*q, 10, false).unwrap();
        assert_eq!(page.len(), 10);
        assert_eq!(
            top_k::by_score(&searcher, &*bounded, 10, false).unwrap(),
            page
        );
        budget.stop();
        assert_eq!(
            top_k::by_score(&searcher, &*bounded, 10, false).unwrap(),
            []
        );
    }

    #[test]
    fn a_word_scores_as_a_boosted_term_query() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        for boost in [1.0, 2.5] {
            let term = Term::from_field_text(fields[1], "gamma");
            let plain = BoostQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                boost,
            );
            let top = TopDocs::with_limit(50).order_by_score();
            assert_eq!(
                searcher.search(&Word::new(term, boost), &top).unwrap(),
                searcher.search(&plain, &top).unwrap()
            );
        }
    }

    #[test]
    fn a_union_of_several_words_ranks_as_tantivy_ranks_it() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        let mut compared = 0;
        for text in [
            &["the", "alpha"][..],
            &["of", "gamma", "rare"],
            &["the", "of", "x", "beta"],
            &["rare", "absent", "delta"],
        ] {
            for boosts in [[1.0, 1.0, 1.0], [3.0, 1.0, 0.5]] {
                let q = several(&fields, text, boosts);
                assert!(Words::of(&searcher, &q).unwrap().is_some());
                let what = format!("{text:?} {boosts:?}");
                compared += compare_pages(&searcher, &q, &[1, 10, 60, 500], &what);
            }
        }
        assert!(compared > 3_000, "only {compared} hits compared");
    }

    #[test]
    fn a_seed_bar_is_below_the_kth_score_and_the_page_stays_the_same() {
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        let mut seeded = 0;
        for text in [
            &["rare", "the", "of"][..],
            &["x", "beta"],
            &["rare"],
            &["the"],
        ] {
            let q = several(&fields, text, [2.0, 1.0, 0.5]);
            let words = Words::of(&searcher, &q).unwrap().unwrap();
            assert_eq!(words.may_seed(), text != ["the"], "{text:?}");
            for k in [1, 10, 60] {
                let seeds = searcher
                    .segment_readers()
                    .iter()
                    .map(|s| words.open(s).unwrap().seeds(s, k, 1))
                    .collect();
                let bar = seed_bar(seeds, k);
                let theirs = searcher
                    .search(&q, &TopDocs::with_limit(k).order_by_score())
                    .unwrap();
                if bar > Score::NEG_INFINITY {
                    seeded += 1;
                    assert!(bar < theirs[k - 1].0, "{text:?} k {k}: {bar} {theirs:?}");
                }
                compare_pages(&searcher, &q, &[k], &format!("{text:?}"));
            }
        }
        // "the" is in most documents: never seeded; the rare words are.
        assert!(seeded >= 6, "only {seeded} seeded");
    }

    #[test]
    fn a_words_best_share_bounds_its_scores_and_is_below_bm25s_bound() {
        use tantivy::postings::Postings;
        use tantivy::DocSet;
        let (index, fields) = index();
        let searcher = index.reader().unwrap().searcher();
        let mut tight = 0;
        for seg in searcher.segment_readers() {
            for field in fields {
                let inverted = seg.inverted_index(field).unwrap();
                let fieldnorms = seg.get_fieldnorms_reader(field).unwrap();
                for text in ["the", "of", "gamma", "rare", "x"] {
                    let term = Term::from_field_text(field, text);
                    let Some(info) = inverted.get_term_info(&term).unwrap() else {
                        continue;
                    };
                    let weight = Bm25Weight::for_terms(&searcher, std::slice::from_ref(&term))
                        .unwrap()
                        .boost_by(2.0);
                    let share = || {
                        let id = seg.segment_id();
                        best_share(id, &term, &inverted, &info, &fieldnorms, &weight).unwrap()
                    };
                    let (share, again) = (share(), share());
                    assert!(share > 0.0 && share <= 1.0, "{text}: {share}");
                    // Read again from the kept entry: the same share.
                    assert_eq!(share, again);
                    let bound = share * weight.max_score();
                    let mut postings = inverted
                        .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)
                        .unwrap();
                    let mut best: Score = 0.0;
                    while postings.doc() != TERMINATED {
                        let s = weight.score(
                            fieldnorms.fieldnorm_id(postings.doc()),
                            postings.term_freq(),
                        );
                        assert!(s <= bound, "{text}: a score {s} above the bound {bound}");
                        best = best.max(s);
                        postings.advance();
                    }
                    if bound < weight.max_score() * 0.9 {
                        tight += 1;
                    }
                    assert!(best > 0.0, "{text}");
                }
            }
        }
        assert!(tight > 10, "only {tight} bounds tighter than BM25's");
    }
}
