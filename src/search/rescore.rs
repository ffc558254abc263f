//! Proximity as a rescoring: the page is ranked by plain BM25 first, then the best
//! [`RESCORE_WINDOW`] candidates get the proximity bonus, computed on those documents only.
//!
//! The bonus is what the sloppy-phrase clauses of adjacent query words used to add when they
//! sat in the query itself: tantivy's BM25 score of each [`Proximity`] phrase in the document.
//! As clauses they made every matching document read its positions and kept tantivy from
//! skipping blocks of documents that cannot make the page (block-max WAND needs a union of
//! term queries alone): the phrase clauses were most of the time a multi-word query took. Here
//! the top-k collector runs on the word query alone, and each phrase is looked up in the
//! window's documents, in document order, with tantivy's own phrase scorer (`seek_danger`
//! checks one document without scanning forward to the next match). Within the window the
//! scores are the ones the clauses gave; a document outside it could have climbed into the
//! page with its bonus and no longer does, which the judged set in `eval/` measures (as
//! Elasticsearch's `rescore` window does). Hits past the window keep their BM25 order, below
//! the window's (a bonus only adds), so paging stays consistent.

use tantivy::query::{EnableScoring, PhraseQuery, Query, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher as TSearcher, SeekDangerResult};

use super::{Budget, SearchError};

/// How many of the best BM25 candidates get the proximity bonus.
pub const RESCORE_WINDOW: usize = 100;

/// A sloppy phrase of adjacent query words and the weight of its score in the bonus.
#[derive(Clone, Debug)]
pub struct Proximity {
    pub phrase: PhraseQuery,
    pub boost: Score,
}

/// How many hits the top-k collector keeps for the page `offset..offset + limit`: the page,
/// or the whole window when there are bonuses to add.
pub fn fetch(proximity: &[Proximity], offset: usize, limit: usize) -> usize {
    let page = offset + limit;
    if proximity.is_empty() {
        page
    } else {
        page.max(RESCORE_WINDOW)
    }
}

/// The hits `offset..offset + limit` of `top` (the collector's hits, best first), once the
/// best [`RESCORE_WINDOW`] of them got their proximity bonus.
pub fn page(
    searcher: &TSearcher,
    proximity: &[Proximity],
    mut top: Vec<(Score, DocAddress)>,
    offset: usize,
    limit: usize,
    budget: &Budget,
) -> Result<Vec<(Score, DocAddress)>, SearchError> {
    if !proximity.is_empty() {
        let window = top.len().min(RESCORE_WINDOW);
        rescore(searcher, proximity, &mut top[..window], budget)?;
    }
    Ok(top.into_iter().skip(offset).take(limit).collect())
}

/// Adds each phrase's score to the hits it matches, then sorts them again (ties by address,
/// as tantivy's collector orders them). Stops with [`SearchError::Stopped`] once `budget` is
/// spent, looked at before each phrase in each segment (one document's positions are the most
/// a phrase reads between two looks).
pub fn rescore(
    searcher: &TSearcher,
    proximity: &[Proximity],
    hits: &mut [(Score, DocAddress)],
    budget: &Budget,
) -> Result<(), SearchError> {
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&i| hits[i].1);
    let addrs: Vec<DocAddress> = order.iter().map(|&i| hits[i].1).collect();
    let mut bonus: Vec<Score> = vec![0.0; addrs.len()];
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    for p in proximity {
        let weight = p.phrase.weight(scoring)?;
        let mut at = 0;
        for run in addrs.chunk_by(|a, b| a.segment_ord == b.segment_ord) {
            budget.check()?;
            let seg = searcher.segment_reader(run[0].segment_ord);
            let docs: Vec<DocId> = run.iter().map(|a| a.doc_id).collect();
            for (b, s) in bonus[at..]
                .iter_mut()
                .zip(phrase_scores(&*weight, seg, &docs, p.boost)?)
            {
                *b += s;
            }
            at += run.len();
        }
    }
    for (&i, b) in order.iter().zip(bonus) {
        hits[i].0 += b;
    }
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(())
}

/// The phrase's score in each of `docs` (ascending ids of one segment; 0 where it does not
/// match), without visiting the documents between them.
fn phrase_scores(
    weight: &dyn Weight,
    seg: &tantivy::SegmentReader,
    docs: &[DocId],
    boost: Score,
) -> Result<Vec<Score>, SearchError> {
    let Some(&first) = docs.first() else {
        return Ok(Vec::new());
    };
    let (mut found, mut scorer) = weight.scorer_danger(seg, first, boost)?;
    let mut out = Vec::with_capacity(docs.len());
    for (i, &doc) in docs.iter().enumerate() {
        if i > 0 {
            found = match found {
                SeekDangerResult::SeekLowerBound(bound) if bound > doc => found,
                _ => scorer.seek_danger(doc),
            };
        }
        out.push(match found {
            SeekDangerResult::Found => scorer.score(),
            SeekDangerResult::SeekLowerBound(_) => 0.0,
        });
    }
    Ok(out)
}
