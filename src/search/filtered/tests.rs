use tantivy::collector::TopDocs;
use tantivy::DocAddress;

use super::*;
use crate::bench::corpus::Corpus;
use crate::index::TroveIndex;
use crate::search::{compile::Compiler, query, SearchRequest, Searcher};
use crate::store::Store;

/// A data folder of `docs` generated documents, indexed in three commits (three segments, so
/// each segment's pruning starts from scratch), and its vocabulary.
fn generated(docs: u64) -> (tempfile::TempDir, Searcher, Corpus) {
    let corpus = Corpus::new(2_000, 1.07, 7).with_body_words(20, 60);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut index = TroveIndex::open(dir.path()).unwrap();
    for part in 0..3 {
        let batch: Vec<_> = (part * docs / 3..(part + 1) * docs / 3)
            .map(|n| corpus.document(3, n))
            .collect();
        store.upsert_all(&batch).unwrap();
        index.catch_up(&mut store).unwrap();
    }
    let searcher = Searcher::new(TroveIndex::open(dir.path()).unwrap()).unwrap();
    (dir, searcher, corpus)
}

/// The top 10 of `text` (with `req`'s filters), pruned and through the plain boolean query.
fn both_ways(s: &Searcher, text: &str, req: &SearchRequest) -> [Vec<(f32, DocAddress)>; 2] {
    let compiled = Compiler::new(s.index())
        .unwrap()
        .compile(&query::parse(text).unwrap(), req)
        .unwrap();
    assert!(compiled.prunable, "{text}");
    let filtered = compiled
        .query
        .downcast_ref::<Filtered>()
        .unwrap_or_else(|| panic!("{text} is not filtered"));
    let searcher = s.reader.searcher();
    let top = TopDocs::with_limit(10).order_by_score();
    [
        searcher.search(filtered, &top).unwrap(),
        searcher.search(&filtered.plain(), &top).unwrap(),
    ]
}

fn assert_same(text: &str, [pruned, plain]: [Vec<(f32, DocAddress)>; 2]) {
    assert_eq!(pruned.len(), plain.len(), "{text}");
    for ((a, x), (b, y)) in pruned.iter().zip(&plain) {
        assert_eq!(x, y, "{text}: {pruned:?} vs {plain:?}");
        assert!(
            (a - b).abs() <= 1e-4 * b.abs().max(1.0),
            "{text}: {a} vs {b}"
        );
    }
}

#[test]
fn typed_filters_rank_the_same_top_hits_as_the_plain_query() {
    let (_dir, s, corpus) = generated(3_000);
    let plain = SearchRequest::default();
    for words in [
        corpus.word_at(0).to_owned(),
        corpus.word_at(25).to_owned(),
        format!("{} {}", corpus.word_at(3), corpus.word_at(40)),
        format!(
            "{} {} {}",
            corpus.word_at(1),
            corpus.word_at(9),
            corpus.word_at(300)
        ),
    ] {
        for filters in [
            "source:notion tags:done",
            "tags:stuck",
            "kind:item",
            "tags:done OR tags:stuck",
        ] {
            let text = format!("{words} {filters}");
            let [pruned, plain] = both_ways(&s, &text, &plain);
            assert_eq!(pruned.len(), 10, "{text}");
            assert_same(&text, [pruned, plain]);
        }
    }
}

#[test]
fn request_filters_rank_the_same_top_hits_as_the_plain_query() {
    let (_dir, s, corpus) = generated(3_000);
    let req = SearchRequest {
        source: Some("monday".into()),
        tags: vec!["Stuck".into()],
        ..SearchRequest::default()
    };
    for words in [corpus.word_at(2), corpus.word_at(30), corpus.word_at(1_500)] {
        let text = format!("{words} {}", corpus.word_at(7));
        assert_same(&text, both_ways(&s, &text, &req));
    }
}

#[test]
fn a_page_the_words_cannot_fill_is_filled_by_the_filter_in_document_order() {
    let (_dir, s, corpus) = generated(3_000);
    // A rare word found in a handful of documents: beside a typed filter the words are
    // optional, so the rest of the page is documents of the filter, scored 0.
    let rare = (500..2_000)
        .map(|r| corpus.word_at(r))
        .find(|w| {
            let hits = s
                .search(
                    &SearchRequest {
                        query: w.to_string(),
                        limit: 10,
                        ..SearchRequest::default()
                    },
                    &Store::open(_dir.path()).unwrap(),
                )
                .unwrap()
                .total;
            (1..5).contains(&hits)
        })
        .expect("a word with 1 to 4 hits");
    let text = format!("{rare} tags:done");
    let [pruned, plain] = both_ways(&s, &text, &SearchRequest::default());
    assert!(pruned.iter().any(|(score, _)| *score == 0.0), "{pruned:?}");
    assert_eq!(pruned.len(), 10);
    assert_same(&text, [pruned, plain]);
}

#[test]
fn typed_filters_rank_nothing_beside_words_like_request_filters() {
    let (dir, s, corpus) = generated(600);
    let store = Store::open(dir.path()).unwrap();
    let word = corpus.word_at(5);
    let req = |query: String, tags: Vec<String>| SearchRequest {
        query,
        limit: 10,
        tags,
        ..SearchRequest::default()
    };
    let typed = s
        .search(&req(format!("{word} tags:stuck"), vec![]), &store)
        .unwrap();
    let asked = s
        .search(&req(word.to_owned(), vec!["Stuck".into()]), &store)
        .unwrap();
    assert_eq!(typed.hits.len(), 10);
    let scored = |r: &crate::search::SearchResponse| {
        r.hits
            .iter()
            .map(|h| (h.id.clone(), h.score))
            .collect::<Vec<_>>()
    };
    assert_eq!(scored(&typed), scored(&asked));
}
