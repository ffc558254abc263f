//! Totals and facet counts, bounded: [`count`] walks the matching documents without scoring
//! them and stops after [`EXACT_TOTAL_UP_TO`] hits unless asked for an exact count, the way
//! mature engines answer "10,000+ results" (Elasticsearch's `track_total_hits`). Counting every
//! hit of a word found in nearly every document of a million is what made such queries take
//! 15 ms; ranking alone does not need it, because tantivy's top-k collector skips blocks of
//! documents that cannot enter the page (block-max WAND) when nothing else must see every hit.
//!
//! Facets (source, kind, tags) are tallied from the fast-field columns of the same documents,
//! so when the total is a lower bound their counts are lower bounds too.

use std::collections::HashMap;

use tantivy::columnar::StrColumn;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocId, DocSet, Searcher as TSearcher, SegmentReader, TERMINATED};

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
    let mut tally = Tally::default();
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
        let (seen, more) = walk(scorer.as_mut(), seg, budget, |doc| {
            if let Some(c) = columns.as_mut() {
                c.add(doc);
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

/// Visits live matching documents of one segment until `budget` of them were seen; returns how
/// many were, and whether a further match remains (the count is then a lower bound).
fn walk(
    docs: &mut dyn DocSet,
    seg: &SegmentReader,
    budget: Option<u64>,
    mut visit: impl FnMut(DocId),
) -> (u64, bool) {
    let alive = seg.alive_bitset();
    let mut seen = 0u64;
    let mut doc = docs.doc();
    while doc != TERMINATED {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            if budget.is_some_and(|b| seen >= b) {
                return (seen, true);
            }
            visit(doc);
            seen += 1;
        }
        doc = docs.advance();
    }
    (seen, false)
}

/// One segment's facet columns and the counts of their term ordinals.
struct Columns {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<HashMap<u64, u64>>,
}

impl Columns {
    fn open(seg: &SegmentReader) -> Result<Columns, SearchError> {
        let fast = seg.fast_fields();
        let columns = FACET_SIZES
            .iter()
            .map(|(name, _)| fast.str(name))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Columns {
            counts: vec![HashMap::new(); columns.len()],
            columns,
        })
    }

    fn add(&mut self, doc: DocId) {
        for (col, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    *counts.entry(ord).or_default() += 1;
                }
            }
        }
    }

    /// Resolves the ordinals to values (ordinals are per segment) and adds them to `tally`.
    fn merge_into(self, tally: &mut Tally) -> Result<(), SearchError> {
        for (i, (col, counts)) in self.columns.iter().zip(self.counts).enumerate() {
            let Some(col) = col else { continue };
            for (ord, n) in counts {
                let mut value = String::new();
                if col
                    .ord_to_str(ord, &mut value)
                    .map_err(|e| SearchError::Tantivy(e.into()))?
                {
                    *tally.0[i].entry(value).or_default() += n;
                }
            }
        }
        Ok(())
    }
}

/// Counts by value of each facet, over every segment.
#[derive(Default)]
struct Tally([HashMap<String, u64>; 3]);

impl Tally {
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
