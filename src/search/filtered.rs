//! [`Filtered`]: words ranked inside a filter, with the top-k collector skipping blocks of
//! documents that cannot make the page.
//!
//! tantivy's top-k collector skips blocks (block-max WAND) only for a plain union of term
//! queries; a union under a required filter (`deploy source:notion`, or the request's
//! filters) becomes an intersection that visits, reads and scores every document of the
//! filter, which at a million documents made a filtered query cost 8 ms. A score-neutral
//! filter never raises a score, so the words can be ranked on their own with block-max WAND
//! and each candidate they hand over checked against the filter (which only moves forward, as
//! candidates come in document order); a candidate the filter rejects leaves the collector's
//! threshold as it was. The top hits and their scores are those of the plain intersection.
//!
//! When the words are optional (filters typed in the query: a document of the filter without
//! any of the words still matches, with score 0), such documents enter the page only while
//! it is not full: a second pass then hands them over in document order until it is.
//! Counting does not use this path: [`Weight::scorer`] and [`Weight::count`] are those of the
//! plain boolean query.

use tantivy::query::{BooleanQuery, EnableScoring, Explanation, Occur, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::budget::Budget;

/// `words` ranked within `filter` (see the module doc).
#[derive(Debug)]
pub struct Filtered {
    /// What must match; it must score 0 (its queries wrapped in a `ConstScoreQuery` of 0).
    filter: Box<dyn Query>,
    /// What ranks: a union of term queries, for block-max WAND, bounded by `budget`.
    words: Box<dyn Query>,
    /// Whether a document must match one of the words too (request filters), or only the
    /// filter (filters typed in the query).
    words_required: bool,
    /// Looked at before filling a page with documents that have none of the words. The words
    /// come bounded by the same budget ([`Budget::bound`]), so the ranking pass stops too, also
    /// over candidates the filter rejects (which never reach an outer bound's callback).
    budget: Budget,
}

impl Filtered {
    pub fn new(
        filter: Box<dyn Query>,
        words: Box<dyn Query>,
        words_required: bool,
        budget: Budget,
    ) -> Filtered {
        Filtered {
            filter,
            words,
            words_required,
            budget,
        }
    }

    /// The same query as a plain boolean query (what every path but the top-k one runs).
    fn plain(&self) -> BooleanQuery {
        let words = if self.words_required {
            Occur::Must
        } else {
            Occur::Should
        };
        BooleanQuery::new(vec![
            (Occur::Must, self.filter.box_clone()),
            (words, self.words.box_clone()),
        ])
    }
}

impl Clone for Filtered {
    fn clone(&self) -> Self {
        Filtered {
            filter: self.filter.box_clone(),
            words: self.words.box_clone(),
            words_required: self.words_required,
            budget: self.budget.clone(),
        }
    }
}

impl Query for Filtered {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(FilteredWeight {
            plain: self.plain().weight(scoring)?,
            filter: self.filter.weight(scoring)?,
            words: self.words.weight(scoring)?,
            words_required: self.words_required,
            budget: self.budget.clone(),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.filter.query_terms(visitor);
        self.words.query_terms(visitor);
    }
}

struct FilteredWeight {
    plain: Box<dyn Weight>,
    filter: Box<dyn Weight>,
    words: Box<dyn Weight>,
    words_required: bool,
    budget: Budget,
}

impl Weight for FilteredWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.plain.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.plain.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.plain.count(reader)
    }

    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut filter = self.filter.scorer(reader, 1.0)?;
        let mut last = threshold;
        self.words
            .for_each_pruning(threshold, reader, &mut |doc, score| {
                if seek(filter.as_mut(), doc) {
                    last = callback(doc, score);
                }
                last
            })?;
        // Documents of the filter without the words score 0: they can enter only a page that
        // is not full yet (the collector keeps a strictly greater score than its threshold).
        if !self.words_required && last < 0.0 && !self.budget.spent() {
            self.fill(reader, last, callback)?;
        }
        Ok(())
    }
}

impl FilteredWeight {
    /// Hands the documents of the filter that have none of the words to `callback`, with
    /// score 0 and in document order, while the collector would still take them.
    fn fill(
        &self,
        reader: &SegmentReader,
        mut threshold: Score,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut filter = self.filter.scorer(reader, 1.0)?;
        let mut words = self.words.scorer(reader, 1.0)?;
        let mut doc = filter.doc();
        while doc != TERMINATED && threshold < 0.0 {
            if !seek(words.as_mut(), doc) {
                threshold = callback(doc, 0.0);
            }
            doc = filter.advance();
        }
        Ok(())
    }
}

/// Moves `docs` forward to `doc` (never back) and says whether it contains it.
fn seek(docs: &mut dyn Scorer, doc: DocId) -> bool {
    if docs.doc() < doc {
        docs.seek(doc);
    }
    docs.doc() == doc
}

#[cfg(test)]
mod tests;
