//! Totals and facet counts, bounded: [`count`] walks the matching documents without scoring
//! them and stops after [`EXACT_TOTAL_UP_TO`] hits unless asked for an exact count, the way
//! mature engines answer "10,000+ results" (Elasticsearch's `track_total_hits`). Counting every
//! hit of a word found in nearly every document of a million is what made such queries take
//! 15 ms; ranking alone does not need it, because tantivy's top-k collector skips blocks of
//! documents that cannot enter the page (block-max WAND) when nothing else must see every hit.
//! A query the collector cannot skip in (a phrase, a filter) visits every hit anyway: there the
//! [`Tally`] collector counts beside the top-k collector in the same pass instead of a second.
//!
//! Facets (source, kind, tags) are tallied from the fast-field columns of the same documents,
//! by term ordinal into one array slot per value of the segment's dictionary: a hit costs an
//! array increment per value, and the ordinals become strings once per segment and value.
//! When the total is a lower bound their counts are lower bounds too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Cardinality, StrColumn};
use tantivy::query::{EnableScoring, Query};
use tantivy::{
    DocId, DocSet, Score, Searcher as TSearcher, SegmentOrdinal, SegmentReader,
    COLLECT_BLOCK_BUFFER_LEN, TERMINATED,
};

use super::{Facets, SearchError};

/// Totals are exact up to this many hits; beyond it the total is this lower bound.
pub const EXACT_TOTAL_UP_TO: u64 = 10_000;

/// Values kept per facet, most frequent first.
const FACET_SIZES: [(&str, usize); 3] = [("source", 20), ("kind", 20), ("tags", 30)];

/// What [`count`] found.
#[derive(Debug, Clone)]
pub struct Counted {
    /// Matching documents: all of them when `exact`, else a lower bound.
    pub total: u64,
    pub exact: bool,
    pub facets: Option<Facets>,
}

/// Counts the live documents `query` matches, at most `up_to` of them (`None`: all), and
/// tallies their facets when `facets` is set.
pub fn count(
    searcher: &TSearcher,
    query: &dyn Query,
    up_to: Option<u64>,
    facets: bool,
) -> Result<Counted, SearchError> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut total = 0u64;
    let mut exact = true;
    let mut tally = Totals::default();
    for seg in searcher.segment_readers() {
        if !facets && up_to.is_none() {
            // tantivy counts a term's hits from its document frequency when nothing is deleted.
            total += u64::from(weight.count(seg)?);
            continue;
        }
        let budget = up_to.map(|n| n.saturating_sub(total));
        let mut columns = if facets {
            Some(Columns::open(seg)?)
        } else {
            None
        };
        let mut scorer = weight.scorer(seg, 1.0)?;
        let (seen, more) = walk(scorer.as_mut(), seg, budget, |docs| {
            if let Some(c) = columns.as_mut() {
                c.add_all(docs);
            }
        });
        total += seen;
        if let Some(c) = columns {
            c.merge_into(&mut tally)?;
        }
        if more {
            exact = false;
            break;
        }
    }
    Ok(Counted {
        total,
        exact,
        facets: facets.then(|| tally.facets()),
    })
}

/// Visits live matching documents of one segment, a block at a time, until `budget` of them
/// were seen; returns how many were, and whether a further match remains (the count is then a
/// lower bound). Blocks come from [`DocSet::fill_buffer`], which a union of terms fills from
/// its bitsets without a virtual call per document.
fn walk(
    docs: &mut dyn DocSet,
    seg: &SegmentReader,
    budget: Option<u64>,
    mut visit: impl FnMut(&[DocId]),
) -> (u64, bool) {
    let alive = seg.alive_bitset();
    let mut seen = 0u64;
    let mut block = [0 as DocId; COLLECT_BLOCK_BUFFER_LEN];
    loop {
        let n = docs.fill_buffer(&mut block);
        if n == 0 {
            return (seen, false);
        }
        let mut live = n;
        if let Some(alive) = alive {
            live = 0;
            for i in 0..n {
                if alive.is_alive(block[i]) {
                    block[live] = block[i];
                    live += 1;
                }
            }
        }
        let room = budget.map_or(u64::MAX, |b| b - seen);
        if live as u64 > room {
            let room = room as usize;
            visit(&block[..room]);
            return (seen + room as u64, true);
        }
        visit(&block[..live]);
        seen += live as u64;
        if budget == Some(seen) {
            // Full: one more live match makes the count a lower bound.
            let mut doc = docs.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    return (seen, true);
                }
                doc = docs.advance();
            }
            return (seen, false);
        }
    }
}

/// A collector that counts hits and tallies their facets beside another collector, for
/// queries whose top-k pass visits every hit anyway. It tallies the first `up_to` hits
/// (`None`: all) over all segments; past them the total is a lower bound, as with [`count`].
pub struct Tally {
    up_to: Option<u64>,
    facets: bool,
    /// Hits tallied so far, shared by the segments' collectors.
    seen: Arc<AtomicU64>,
}

impl Tally {
    pub fn new(up_to: Option<u64>, facets: bool) -> Tally {
        Tally {
            up_to,
            facets,
            seen: Arc::default(),
        }
    }
}

/// One segment's part of a [`Tally`].
pub struct SegmentTally {
    seen: u64,
    more: bool,
    up_to: Option<u64>,
    all_seen: Arc<AtomicU64>,
    columns: Option<Columns>,
    /// Hits not yet tallied: they are counted against the bound and their facets read a
    /// block at a time (a single-valued column reads a block in one call).
    block: [DocId; COLLECT_BLOCK_BUFFER_LEN],
    in_block: usize,
}

/// One segment's count, whether it stopped early, and its facet tallies.
pub struct SegmentCount {
    seen: u64,
    more: bool,
    totals: Option<Result<Totals, SearchError>>,
}

impl Collector for Tally {
    type Fruit = SegmentCount;
    type Child = SegmentTally;

    fn for_segment(&self, _: SegmentOrdinal, seg: &SegmentReader) -> tantivy::Result<SegmentTally> {
        let columns = if self.facets {
            Some(Columns::open(seg).map_err(|e| match e {
                SearchError::Tantivy(t) => t,
                other => tantivy::TantivyError::InternalError(other.to_string()),
            })?)
        } else {
            None
        };
        Ok(SegmentTally {
            seen: 0,
            more: false,
            up_to: self.up_to,
            all_seen: Arc::clone(&self.seen),
            columns,
            block: [0; COLLECT_BLOCK_BUFFER_LEN],
            in_block: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, parts: Vec<SegmentCount>) -> tantivy::Result<SegmentCount> {
        let mut out = SegmentCount {
            seen: 0,
            more: false,
            totals: self.facets.then(|| Ok(Totals::default())),
        };
        for p in parts {
            out.seen += p.seen;
            out.more |= p.more;
            if let (Some(Ok(into)), Some(part)) = (out.totals.as_mut(), p.totals) {
                match part {
                    Ok(t) => into.add(t),
                    Err(e) => out.totals = Some(Err(e)),
                }
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentTally {
    type Fruit = SegmentCount;

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.more {
            return;
        }
        self.block[self.in_block] = doc;
        self.in_block += 1;
        if self.in_block == COLLECT_BLOCK_BUFFER_LEN {
            self.tally_block();
        }
    }

    fn harvest(mut self) -> SegmentCount {
        self.tally_block();
        let totals = self.columns.map(|c| {
            let mut t = Totals::default();
            c.merge_into(&mut t).map(|()| t)
        });
        SegmentCount {
            seen: self.seen,
            more: self.more,
            totals,
        }
    }
}

impl SegmentTally {
    /// Counts the hits in `block` (as many as the bound leaves, in order) and tallies their
    /// facets.
    fn tally_block(&mut self) {
        let n = std::mem::take(&mut self.in_block);
        if n == 0 || self.more {
            return;
        }
        let mut take = n;
        if let Some(bound) = self.up_to {
            let before = self.all_seen.fetch_add(n as u64, Ordering::Relaxed);
            let left = bound.saturating_sub(before);
            if left < n as u64 {
                take = left as usize;
                self.more = true;
            }
        }
        self.seen += take as u64;
        if let Some(c) = self.columns.as_mut() {
            c.add_all(&self.block[..take]);
        }
    }
}

impl SegmentCount {
    /// The merged count as [`Counted`].
    pub fn counted(self) -> Result<Counted, SearchError> {
        let facets = self.totals.transpose()?.map(Totals::facets);
        Ok(Counted {
            total: self.seen,
            exact: !self.more,
            facets,
        })
    }
}

/// One segment's facet columns and the counts of their term ordinals, one slot per ordinal.
struct Columns {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
}

impl Columns {
    fn open(seg: &SegmentReader) -> Result<Columns, SearchError> {
        let fast = seg.fast_fields();
        let columns = FACET_SIZES
            .iter()
            .map(|(name, _)| fast.str(name))
            .collect::<Result<Vec<_>, _>>()?;
        let counts = columns
            .iter()
            .map(|c| vec![0; c.as_ref().map_or(0, |c| c.dictionary().num_terms())])
            .collect();
        Ok(Columns { counts, columns })
    }

    /// Tallies a block of documents (ascending): a column with at most one value per document
    /// is read for the whole block at once.
    fn add_all(&mut self, docs: &[DocId]) {
        let mut ords = [None; COLLECT_BLOCK_BUFFER_LEN];
        for (col, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            let Some(col) = col else { continue };
            let column = col.ords();
            if column.get_cardinality() == Cardinality::Multivalued {
                for &doc in docs {
                    for ord in column.values_for_doc(doc) {
                        if let Some(n) = counts.get_mut(ord as usize) {
                            *n += 1;
                        }
                    }
                }
                continue;
            }
            for chunk in docs.chunks(COLLECT_BLOCK_BUFFER_LEN) {
                let out = &mut ords[..chunk.len()];
                column.first_vals(chunk, out);
                for ord in out.iter().flatten() {
                    if let Some(n) = counts.get_mut(*ord as usize) {
                        *n += 1;
                    }
                }
            }
        }
    }

    /// Resolves the ordinals to values (ordinals are per segment) and adds them to `totals`.
    fn merge_into(self, totals: &mut Totals) -> Result<(), SearchError> {
        for (i, (col, counts)) in self.columns.iter().zip(self.counts).enumerate() {
            let Some(col) = col else { continue };
            for (ord, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                let mut value = String::new();
                if col
                    .ord_to_str(ord as u64, &mut value)
                    .map_err(|e| SearchError::Tantivy(e.into()))?
                {
                    *totals.0[i].entry(value).or_default() += n;
                }
            }
        }
        Ok(())
    }
}

/// Counts by value of each facet, over every segment.
#[derive(Default)]
struct Totals([HashMap<String, u64>; 3]);

impl Totals {
    fn add(&mut self, other: Totals) {
        for (into, from) in self.0.iter_mut().zip(other.0) {
            for (value, n) in from {
                *into.entry(value).or_default() += n;
            }
        }
    }

    fn facets(self) -> Facets {
        let [source, kind, tags] = self.0;
        let top = |m: HashMap<String, u64>, size: usize| {
            let mut v: Vec<(String, u64)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v.truncate(size);
            v
        };
        Facets {
            source: top(source, FACET_SIZES[0].1),
            kind: top(kind, FACET_SIZES[1].1),
            tags: top(tags, FACET_SIZES[2].1),
        }
    }
}
