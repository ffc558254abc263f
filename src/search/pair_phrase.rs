//! [`PairPhrase`]: a two-word phrase answered from its pair term alone, without positions.
//!
//! The pair fields (`index/pairs.rs`) hold one pair token for each two tokens on consecutive
//! positions, and the analyzers put one token on each position, so in every document the pair
//! term's frequency is the number of times the phrase occurs, the very count tantivy's phrase
//! scorer gets from the positions. [`PairPhrase`] walks the pair's postings and scores each
//! document with the phrase's own BM25 weight (its words' statistics in the phrase field) and
//! the phrase field's norm: the same hits and the same scores as the [`PhraseQuery`], where
//! the phrase query reads the positions of every document holding both words (issue 14).

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, EmptyScorer, EnableScoring, Explanation, PhraseQuery, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

/// The phrase of two words `phrase` (in title or body), matched through `pair`, their pair term
/// in the field's pair field.
#[derive(Clone, Debug)]
pub struct PairPhrase {
    phrase: PhraseQuery,
    pair: Term,
}

impl PairPhrase {
    pub fn new(phrase: PhraseQuery, pair: Term) -> Self {
        debug_assert_eq!(phrase.phrase_terms().len(), 2, "a phrase of two words");
        PairPhrase { phrase, pair }
    }
}

impl Query for PairPhrase {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let terms = self.phrase.phrase_terms();
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &terms)?),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(PairPhraseWeight {
            field: self.phrase.field(),
            pair: self.pair.clone(),
            bm25,
        }))
    }

    /// The phrase's words (as needing positions, like the phrase) and the pair term.
    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.phrase.query_terms(visitor);
        visitor(&self.pair, false);
    }
}

struct PairPhraseWeight {
    /// The phrase's field, whose norms BM25 reads.
    field: Field,
    pair: Term,
    /// `None` when scoring is disabled.
    bm25: Option<Bm25Weight>,
}

impl Weight for PairPhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let postings = reader
            .inverted_index(self.pair.field())?
            .read_postings(&self.pair, IndexRecordOption::WithFreqs)?;
        let Some(postings) = postings else {
            return Ok(Box::new(EmptyScorer));
        };
        let norms = match &self.bm25 {
            Some(_) => reader.fieldnorms_readers().get_field(self.field)?,
            None => None,
        };
        Ok(Box::new(PairPhraseScorer {
            postings,
            norms: norms.unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)),
            bm25: self.bm25.as_ref().map(|w| w.boost_by(boost)),
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document #({doc}) does not match"
            )));
        }
        Ok(Explanation::new(
            "phrase (by its pair term)",
            scorer.score(),
        ))
    }
}

struct PairPhraseScorer {
    postings: SegmentPostings,
    norms: FieldNormReader,
    bm25: Option<Bm25Weight>,
}

impl DocSet for PairPhraseScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }

    fn cost(&self) -> u64 {
        self.postings.cost()
    }
}

impl Scorer for PairPhraseScorer {
    fn score(&mut self) -> Score {
        match &self.bm25 {
            // What the phrase scorer computes, with the pair's frequency as the phrase count.
            Some(w) => w.score(
                self.norms.fieldnorm_id(self.postings.doc()),
                self.postings.term_freq(),
            ),
            None => 1.0,
        }
    }
}
