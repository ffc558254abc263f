//! The best `k` hits of a prunable query (MaxScore over a union of words, block-max WAND over
//! other unions of term queries), with every segment raising one shared bar, as Lucene's
//! `MaxScoreAccumulator` does.
//!
//! tantivy's `TopDocs` collects each segment on its own: each starts with no bar and skips
//! blocks only once its own heap holds `k` hits. But once any segment holds `k` hits scoring
//! at least `s`, no hit scoring below `s` anywhere can make the page. Here each segment
//! publishes its k-th score as it rises (`Bars`), and every segment skips what falls below
//! the best bar of the others: a segment searched later starts from the bar of those before,
//! and two segments searched at once raise it for each other.
//!
//! Before that, a union of words where one word is rare gets a floor for every segment at
//! once: the k-th best score that documents of its rarest words are sure to reach
//! (`max_score::seed_bar`). Each segment's bar is only its own k-th score, lower than the
//! index's, and the first segments searched would have none until their own page filled.
//!
//! The page is exactly `TopDocs`' (scores, and ties ordered by address): a tie with another
//! segment's k-th hit is kept when this segment's addresses come first, and skipped when they
//! come after (they would lose the tie).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering as MemOrder};
use std::sync::Mutex;

use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use super::budget::Bounded;
use super::max_score::{self, Lists, Words};

/// The `k` best hits of `query` (best first, ties by address), its segments searched on
/// rayon's threads when `parallel`, else one after the other on this one.
pub fn by_score(
    searcher: &Searcher,
    query: &dyn Query,
    k: usize,
    parallel: bool,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    use rayon::prelude::*;
    let ranker = Ranker::of(searcher, query)?;
    let segments = searcher.segment_readers();
    let bars = Bars::new(segments.len());
    let (opened, floor) = ranker.seed(segments, k)?;
    // The postings the seed opened, taken by the segment's search (which opens them if not).
    let take = |ord: usize| {
        opened
            .get(ord)
            .and_then(|slot| slot.lock().ok().and_then(|mut p| p.take()))
    };
    let one = |(ord, seg): (usize, &SegmentReader)| {
        let start = Start {
            floor,
            postings: take(ord),
        };
        segment(&ranker, ord, seg, k, &bars, start)
    };
    let fruits = if parallel {
        // One lane per core, each taking the next segment not yet taken until none is left: a
        // segment searched after another starts from the bar the others raised, no more
        // segments run at once (each from a low bar) than there are cores to run them, and a
        // lane that starts late (its thread had to be woken) takes fewer.
        let next = AtomicUsize::new(0);
        let lane = |_| -> tantivy::Result<Vec<_>> {
            let mut fruits = Vec::new();
            loop {
                let ord = next.fetch_add(1, MemOrder::Relaxed);
                let Some(seg) = segments.get(ord) else {
                    return Ok(fruits);
                };
                fruits.push(one((ord, seg))?);
            }
        };
        let lanes = (*CORES).min(segments.len()).max(1);
        (0..lanes)
            .into_par_iter()
            .map(lane)
            .collect::<tantivy::Result<Vec<Vec<_>>>>()?
            .into_iter()
            .flatten()
            .collect()
    } else {
        segments
            .iter()
            .enumerate()
            .map(one)
            .collect::<tantivy::Result<Vec<_>>>()?
    };
    let mut page: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
    page.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    page.truncate(k);
    Ok(page)
}

/// The cores this process may run on (looked up once: the lookup reads the cgroup's files).
static CORES: std::sync::LazyLock<usize> =
    std::sync::LazyLock::new(|| std::thread::available_parallelism().map_or(2, usize::from));

/// What skips the hits that cannot make the page: MaxScore over a union of [`Word`]s
/// ([`super::max_score`]), else tantivy's own pruning (block-max WAND over other unions of
/// terms, in filters too).
///
/// [`Word`]: super::max_score::Word
enum Ranker<'q> {
    /// The words, and the budget they run within (the query's [`Bounded`], if any).
    Words(Words, Option<&'q Bounded>),
    Tantivy(Box<dyn Weight>),
}

impl<'q> Ranker<'q> {
    /// MaxScore when `query` is a union of words (perhaps within a budget), else tantivy.
    fn of(searcher: &Searcher, query: &'q dyn Query) -> tantivy::Result<Ranker<'q>> {
        let bounded = query.downcast_ref::<Bounded>();
        let words = bounded.map_or(query, Bounded::inner);
        Ok(match Words::of(searcher, words)? {
            Some(words) => Ranker::Words(words, bounded),
            None => Ranker::Tantivy(query.weight(EnableScoring::enabled_from_searcher(searcher))?),
        })
    }

    /// Before any segment is searched, for words of which one is rare: every segment's
    /// postings opened, and the floor their seeds give ([`max_score::seed_bar`]). Otherwise
    /// nothing is opened (each segment's search opens its own, on its lane) and there is no
    /// floor.
    fn seed(&self, segments: &[SegmentReader], k: usize) -> tantivy::Result<(Opened<'_>, Score)> {
        let none = (Vec::new(), Score::NEG_INFINITY);
        let Ranker::Words(words, _) = self else {
            return Ok(none);
        };
        if k == 0 || !words.may_seed() {
            return Ok(none);
        }
        let mut opened = Vec::with_capacity(segments.len());
        let mut seeds = Vec::with_capacity(segments.len());
        for seg in segments {
            let postings = words.open(seg)?;
            seeds.push(postings.seeds(seg, k, segments.len()));
            opened.push(Mutex::new(Some(postings)));
        }
        Ok((opened, max_score::seed_bar(seeds, k)))
    }

    /// Runs the segment's pruning walk, on the words' `postings` when the seed opened them.
    fn for_each_pruning(
        &self,
        postings: Option<Lists<'_>>,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        match self {
            Ranker::Words(words, bounded) => {
                let postings = match postings {
                    Some(postings) => postings,
                    None => words.open(reader)?,
                };
                let walk = |threshold, callback: &mut dyn FnMut(DocId, Score) -> Score| {
                    postings.for_each_pruning(threshold, callback);
                    Ok(())
                };
                match bounded {
                    None => walk(threshold, callback),
                    Some(bounded) => bounded.pruning(threshold, callback, walk),
                }
            }
            Ranker::Tantivy(weight) => weight.for_each_pruning(threshold, reader, callback),
        }
    }
}

/// Each segment's [`Lists`], opened before the search, until its search takes them.
type Opened<'w> = Vec<Mutex<Option<Lists<'w>>>>;

/// Where a segment's search starts: the floor below which no hit can make the page (negative
/// infinity: none), and the words' postings when the seed opened them.
struct Start<'w> {
    floor: Score,
    postings: Option<Lists<'w>>,
}

impl Start<'_> {
    /// No floor, nothing opened.
    #[cfg(test)]
    fn none() -> Self {
        Start {
            floor: Score::NEG_INFINITY,
            postings: None,
        }
    }
}

/// One segment's best `k` hits above the bar, in no order.
fn segment(
    ranker: &Ranker,
    ord: usize,
    reader: &SegmentReader,
    k: usize,
    bars: &Bars,
    start: Start<'_>,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    if k == 0 {
        return Ok(Vec::new());
    }
    let mut heap: BinaryHeap<Reverse<Entry>> = BinaryHeap::with_capacity(k);
    let alive = reader.alive_bitset();
    let mut own = Score::NEG_INFINITY;
    // The bar a hit must pass: this segment's k-th score, the others' (see `Bars::others`),
    // and the floor, whichever is highest.
    let bar = |own: Score| own.max(bars.others(ord)).max(start.floor);
    ranker.for_each_pruning(start.postings, bar(own), reader, &mut |doc, score| {
        if alive.is_some_and(|a| a.is_deleted(doc)) {
            return bar(own);
        }
        if heap.len() < k {
            heap.push(Reverse(Entry { score, doc }));
        } else if score > own {
            if let Some(mut least) = heap.peek_mut() {
                *least = Reverse(Entry { score, doc });
            }
        }
        if heap.len() == k {
            if let Some(Reverse(least)) = heap.peek() {
                own = least.score;
                bars.raise(ord, own);
            }
        }
        bar(own)
    })?;
    let seg = ord as u32;
    Ok(heap
        .into_iter()
        .map(|Reverse(e)| (e.score, DocAddress::new(seg, e.doc)))
        .collect())
}

/// Whether [`by_score`] ranks `query` by MaxScore.
#[cfg(test)]
pub(crate) fn by_max_score(searcher: &Searcher, query: &dyn Query) -> bool {
    matches!(Ranker::of(searcher, query), Ok(Ranker::Words(..)))
}

/// Each segment's k-th score so far (`f32` bits; unset: negative infinity).
struct Bars(Vec<AtomicU32>);

impl Bars {
    fn new(segments: usize) -> Bars {
        Bars(
            (0..segments)
                .map(|_| AtomicU32::new(Score::NEG_INFINITY.to_bits()))
                .collect(),
        )
    }

    /// Segment `ord`'s k-th score rose to `score`.
    fn raise(&self, ord: usize, score: Score) {
        self.0[ord].store(score.to_bits(), MemOrder::Relaxed);
    }

    /// The bar segment `ord` must pass (pruning keeps only scores strictly above it): another
    /// segment's k-th score, just below it when that segment's addresses come after `ord`'s
    /// (a tie with it is won here).
    fn others(&self, ord: usize) -> Score {
        let mut bar = Score::NEG_INFINITY;
        for (j, b) in self.0.iter().enumerate() {
            let s = Score::from_bits(b.load(MemOrder::Relaxed));
            let s = match j.cmp(&ord) {
                Ordering::Less => s,
                Ordering::Equal => continue,
                Ordering::Greater => s.next_down(),
            };
            bar = bar.max(s);
        }
        bar
    }
}

/// A heap entry: the lower score is less; on equal scores the later document is less (it
/// loses the tie), as in tantivy's own heap.
#[derive(Clone, Copy)]
struct Entry {
    score: Score,
    doc: DocId,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// Two segments of the same three documents: every hit scores the same.
    fn tied() -> (Index, Box<dyn Query>) {
        let mut schema = Schema::builder();
        let f = schema.add_text_field("t", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for _ in 0..2 {
            for _ in 0..3 {
                w.add_document(doc!(f => "alpha beta")).unwrap();
            }
            w.commit().unwrap();
        }
        let term = |t| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f, t),
                IndexRecordOption::WithFreqs,
            ))
        };
        let q = BooleanQuery::new(vec![
            (Occur::Should, term("alpha")),
            (Occur::Should, term("beta")),
        ]);
        (index, Box::new(q))
    }

    #[test]
    fn a_tie_with_a_later_segments_bar_is_kept_and_with_an_earlier_ones_skipped() {
        let (index, q) = tied();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let weight = q
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .unwrap();
        let page = by_score(&searcher, &*q, 3, false).unwrap();
        let score = page[0].0;
        assert!(
            page.iter().all(|(s, a)| *s == score && a.segment_ord == 0),
            "{page:?}"
        );
        // Segment 1 already holds three hits at that score: segment 0 keeps its own (its
        // addresses come first, so they win the tie) ...
        let bars = Bars::new(2);
        bars.raise(1, score);
        let weight = Ranker::Tantivy(weight);
        let first = segment(
            &weight,
            0,
            searcher.segment_reader(0),
            3,
            &bars,
            Start::none(),
        )
        .unwrap();
        assert_eq!(first.len(), 3);
        // ... and with segment 0's three, segment 1 has nothing that could make the page.
        let bars = Bars::new(2);
        bars.raise(0, score);
        let second = segment(
            &weight,
            1,
            searcher.segment_reader(1),
            3,
            &bars,
            Start::none(),
        )
        .unwrap();
        assert!(second.is_empty(), "{second:?}");
    }
}
