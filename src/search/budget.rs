//! [`Budget`]: how long one search may run, and [`Bounded`], the query wrapper that makes
//! tantivy's own loops respect it.
//!
//! A server answers "timeout" when a search runs past its deadline, but the search runs on a
//! blocking thread that no one can kill: unless the search itself stops, it goes on burning a
//! core and memory for nobody (issue 13). So the search checks its budget between phases
//! (parse, compile, ranking, counting, each snippet), and [`Bounded`] wraps the compiled query
//! (its scorers check the budget every [`CHECK_EVERY`] documents) and each phrase clause (the
//! costly part: a phrase reads the positions of all its words in every candidate document, so
//! it checks at every document); they end early once it is spent, and the top-k collection
//! raises its threshold out of reach so block-max WAND skips the rest. One step of a tantivy
//! scorer is not interrupted: a phrase finishes the document it is matching (the bound is
//! then the positions of one document), and a phrase that matches nowhere still scans to its
//! next match or the end of the segment within one step. The semantic side (embedding the
//! query, scanning the vectors) is checked before and after, not inside. A search that ran out
//! of budget returns [`super::SearchError::Stopped`], never partial results.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, COLLECT_BLOCK_BUFFER_LEN, TERMINATED};

/// Documents a bounded scorer visits between two looks at the clock.
pub const CHECK_EVERY: u32 = 1024;

/// The deadline of one search and a flag its caller sets when it gives up. Clones share the
/// flag.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    /// The deadline on [`coarse_now`]'s clock.
    deadline: Option<Duration>,
    stop: Arc<AtomicBool>,
}

/// A monotonic clock read in a few nanoseconds: Linux's `CLOCK_MONOTONIC_COARSE`, which
/// advances once per scheduler tick (1–4 ms). A costly phrase looks at its budget at every
/// document, so a search with a deadline read the precise clock (`Instant::now`, ~20 ns) for
/// each of hundreds of thousands of candidates; a deadline of seconds does not need more
/// than a tick's precision.
fn coarse_now() -> Duration {
    static COARSE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *COARSE.get_or_init(|| read_coarse().is_some()) {
        if let Some(now) = read_coarse() {
            return now;
        }
    }
    precise_now()
}

/// `CLOCK_MONOTONIC_COARSE`, where the system has it.
#[cfg(target_os = "linux")]
fn read_coarse() -> Option<Duration> {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_COARSE, &mut t) };
    (rc == 0).then(|| Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
}

#[cfg(not(target_os = "linux"))]
fn read_coarse() -> Option<Duration> {
    None
}

/// The fallback clock, when the coarse one is missing: time since the first call.
fn precise_now() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

impl Budget {
    /// No deadline (the CLI: a person waits, or presses Ctrl-C).
    pub fn unlimited() -> Budget {
        Budget::default()
    }

    /// Spent at `deadline`, or earlier if [`stop`](Self::stop) is called.
    pub fn until(deadline: Instant) -> Budget {
        let left = deadline.saturating_duration_since(Instant::now());
        Budget {
            deadline: Some(coarse_now() + left),
            stop: Arc::default(),
        }
    }

    /// Spends the budget now: whoever waited for the result is gone.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Whether the search must stop.
    pub fn spent(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.deadline.is_some_and(|d| coarse_now() >= d)
    }

    /// `Err(Stopped)` once the budget is spent.
    pub fn check(&self) -> Result<(), super::SearchError> {
        if self.spent() {
            Err(super::SearchError::Stopped)
        } else {
            Ok(())
        }
    }

    /// Whether there is a deadline (an unlimited budget stays out of tantivy's loops).
    fn limited(&self) -> bool {
        self.deadline.is_some()
    }

    /// `query`, bounded by this budget when it is limited: its scorers look at the clock
    /// every [`CHECK_EVERY`] documents (cheap enough for a walk over millions of postings).
    pub fn bound(&self, query: Box<dyn Query>) -> Box<dyn Query> {
        self.wrap(query, CHECK_EVERY)
    }

    /// Like [`bound`](Self::bound) for a query whose every document is costly (a phrase reads
    /// the positions of each of its words): its scorers look at the clock at every document.
    pub fn bound_costly(&self, query: Box<dyn Query>) -> Box<dyn Query> {
        self.wrap(query, 1)
    }

    fn wrap(&self, query: Box<dyn Query>, every: u32) -> Box<dyn Query> {
        if self.limited() {
            Box::new(Bounded {
                inner: query,
                budget: self.clone(),
                every,
            })
        } else {
            query
        }
    }

    /// Runs a pruning walk (`walk(threshold, callback)`, as `Weight::for_each_pruning`) that
    /// stops once this budget is spent: not at all when it already is, else with a threshold
    /// out of reach from the first look at the clock (every `every` hits) that finds it spent.
    pub(crate) fn pruning(
        &self,
        every: u32,
        threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
        walk: impl FnOnce(Score, &mut dyn FnMut(DocId, Score) -> Score) -> tantivy::Result<()>,
    ) -> tantivy::Result<()> {
        if self.spent() {
            return Ok(());
        }
        let mut calls = 0u32;
        walk(threshold, &mut |doc, score| {
            calls = calls.wrapping_add(1);
            if calls.is_multiple_of(every) && self.spent() {
                return Score::INFINITY;
            }
            callback(doc, score)
        })
    }
}

/// A query whose scorers stop once the [`Budget`] is spent (see the module doc).
#[derive(Debug)]
pub struct Bounded {
    inner: Box<dyn Query>,
    budget: Budget,
    /// Documents between two looks at the clock.
    every: u32,
}

impl Bounded {
    /// The query bounded.
    pub fn inner(&self) -> &dyn Query {
        &*self.inner
    }

    /// Runs `walk` (a pruning walk over this query's hits, as `Weight::for_each_pruning`)
    /// within this query's budget, as its own pruning runs.
    pub(crate) fn pruning(
        &self,
        threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
        walk: impl FnOnce(Score, &mut dyn FnMut(DocId, Score) -> Score) -> tantivy::Result<()>,
    ) -> tantivy::Result<()> {
        self.budget.pruning(self.every, threshold, callback, walk)
    }
}

impl Clone for Bounded {
    fn clone(&self) -> Self {
        Bounded {
            inner: self.inner.box_clone(),
            budget: self.budget.clone(),
            every: self.every,
        }
    }
}

impl Query for Bounded {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(BoundedWeight {
            inner: self.inner.weight(scoring)?,
            budget: self.budget.clone(),
            every: self.every,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct BoundedWeight {
    inner: Box<dyn Weight>,
    budget: Budget,
    every: u32,
}

impl Weight for BoundedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(reader, boost)?;
        Ok(Box::new(BoundedScorer {
            stopped: self.budget.spent(),
            inner,
            budget: self.budget.clone(),
            calls: 0,
            every: self.every,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        if self.budget.spent() {
            return Ok(0); // the search reports `Stopped`; the count is not used
        }
        self.inner.count(reader)
    }

    /// Lets the inner weight pick its fastest way (block-max WAND for unions of terms) and
    /// raises the threshold out of reach once the budget is spent, so it skips the rest.
    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        self.budget
            .pruning(self.every, threshold, callback, |threshold, callback| {
                self.inner.for_each_pruning(threshold, reader, callback)
            })
    }
}

/// A scorer that ends (returns [`TERMINATED`]) once its budget is spent.
struct BoundedScorer {
    inner: Box<dyn Scorer>,
    budget: Budget,
    calls: u32,
    every: u32,
    stopped: bool,
}

impl BoundedScorer {
    /// Counts a step; every `every` steps looks at the budget. True once stopped.
    fn over(&mut self) -> bool {
        self.calls = self.calls.wrapping_add(1);
        if !self.stopped && self.calls.is_multiple_of(self.every) {
            self.stopped = self.budget.spent();
        }
        self.stopped
    }
}

impl DocSet for BoundedScorer {
    fn advance(&mut self) -> DocId {
        if self.over() {
            return TERMINATED;
        }
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.over() {
            return TERMINATED;
        }
        self.inner.seek(target)
    }

    /// A block of documents is one step: the budget is looked at every [`CHECK_EVERY`] blocks
    /// (a union fills a block from its bitsets, cheaply). A costly clause, checked at every
    /// document, fills its block one document at a time.
    fn fill_buffer(&mut self, buffer: &mut [DocId; COLLECT_BLOCK_BUFFER_LEN]) -> usize {
        if self.every > 1 {
            if self.over() {
                return 0;
            }
            return self.inner.fill_buffer(buffer);
        }
        let mut n = 0;
        let mut doc = self.doc();
        while doc != TERMINATED && n < buffer.len() {
            buffer[n] = doc;
            n += 1;
            doc = self.advance();
        }
        n
    }

    fn seek_danger(&mut self, target: DocId) -> tantivy::SeekDangerResult {
        if self.over() {
            return tantivy::SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        self.inner.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        if self.stopped {
            TERMINATED
        } else {
            self.inner.doc()
        }
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }

    fn cost(&self) -> u64 {
        self.inner.cost()
    }
}

impl Scorer for BoundedScorer {
    fn score(&mut self) -> Score {
        self.inner.score()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::AllQuery;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{doc, Index};

    fn index(docs: u32) -> Index {
        let mut schema = Schema::builder();
        let f = schema.add_text_field("t", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut w = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for _ in 0..docs {
            w.add_document(doc!(f => "x")).unwrap();
        }
        w.commit().unwrap();
        index
    }

    /// Documents the bounded query visits, stopping the budget after `stop_after` of them.
    fn visited(budget: &Budget, stop_after: u64) -> u64 {
        let index = index(20_000);
        let searcher = index.reader().unwrap().searcher();
        let q = budget.bound(Box::new(AllQuery));
        let w = q
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        let mut seen = 0u64;
        for seg in searcher.segment_readers() {
            let mut s = w.scorer(seg, 1.0).unwrap();
            while s.doc() != TERMINATED {
                seen += 1;
                if seen == stop_after {
                    budget.stop();
                }
                s.advance();
            }
        }
        seen
    }

    #[test]
    fn a_stopped_budget_ends_the_scorer_within_check_every_documents() {
        let budget = Budget::until(Instant::now() + std::time::Duration::from_secs(3600));
        let seen = visited(&budget, 100);
        assert!(seen < 100 + u64::from(CHECK_EVERY), "{seen}");
        assert!(budget.check().is_err());
    }

    #[test]
    fn an_unlimited_budget_is_not_wrapped_and_visits_everything() {
        let budget = Budget::unlimited();
        assert!(!budget.limited());
        let index = index(3_000);
        let searcher = index.reader().unwrap().searcher();
        let n = budget.bound(Box::new(AllQuery)).count(&searcher).unwrap();
        assert_eq!(n, 3_000);
    }
}
