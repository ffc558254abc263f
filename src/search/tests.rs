use super::*;
use crate::document::Document;
use crate::index::TroveIndex;

/// A data folder holding `docs`, indexed.
fn folder(docs: &[Document]) -> (tempfile::TempDir, Store, Searcher) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.upsert_all(docs).unwrap();
    let mut index = TroveIndex::open(dir.path()).unwrap();
    index.catch_up(&mut store).unwrap();
    let searcher = Searcher::new(TroveIndex::open(dir.path()).unwrap()).unwrap();
    (dir, store, searcher)
}

fn tagged(i: usize) -> Document {
    let mut d = Document::new(format!("t:{i}"), format!("Note {i}"), "common words here");
    d.tags = vec![if i.is_multiple_of(3) { "red" } else { "blue" }.into()];
    d
}

fn search(s: &Searcher, store: &Store, q: &str) -> SearchResponse {
    let req = SearchRequest {
        query: q.into(),
        limit: 10,
        facets: true,
        ..SearchRequest::default()
    };
    s.search(&req, store).unwrap()
}

#[test]
fn counting_stops_at_the_bound_and_says_so() {
    let docs: Vec<Document> = (0..30).map(tagged).collect();
    let (_dir, store, s) = folder(&docs);
    let parsed = query::parse("common").unwrap();
    let compiled = compile::Compiler::new(s.index())
        .unwrap()
        .compile(&parsed, &SearchRequest::default())
        .unwrap();
    let searcher = s.reader.searcher();
    let count = |up_to| count::count(&searcher, &*compiled.query, up_to, true).unwrap();
    let bounded = count(Some(10));
    assert_eq!((bounded.total, bounded.exact), (10, false));
    let tags = bounded.facets.unwrap().tags;
    assert_eq!(tags.iter().map(|(_, n)| n).sum::<u64>(), 10, "{tags:?}");
    let at_bound = count(Some(30));
    assert_eq!((at_bound.total, at_bound.exact), (30, true));
    let all = count(None);
    assert_eq!((all.total, all.exact), (30, true));
    assert_eq!(
        all.facets.unwrap().tags,
        [("blue".to_owned(), 20), ("red".to_owned(), 10)]
    );
    let resp = search(&s, &store, "common");
    assert_eq!((resp.total, resp.total_is_exact), (30, true));
    assert_eq!(resp.facets.unwrap().tags.len(), 2);
}

#[test]
fn totals_read_as_lower_bounds() {
    assert_eq!(total_label(1, true), "1 result");
    assert_eq!(total_label(1234567, true), "1,234,567 results");
    assert_eq!(total_label(10_000, false), "10,000+ results");
    assert_eq!(total_label(0, true), "0 results");
}

#[test]
fn snippets_come_from_the_first_match_however_deep() {
    let filler = "lorem ipsum dolor sit amet ".repeat(2_000); // 54,000 bytes
    let docs = [
        Document::new(
            "d:deep",
            "Deep",
            format!("{filler}the zanzibar clause {filler}"),
        ),
        Document::new(
            "d:title",
            "Zanzibar in the title",
            "opening words of the body",
        ),
        Document::new(
            "d:far",
            "Far",
            format!("{filler}{filler}{filler}zanzibar"), // past the 100,000 bytes read
        ),
    ];
    let (_dir, store, s) = folder(&docs);
    let resp = search(&s, &store, "zanzibar");
    let by_id = |id: &str| resp.hits.iter().find(|h| h.id == id).unwrap();
    assert!(
        by_id("d:deep")
            .snippet
            .contains("the <b>zanzibar</b> clause"),
        "{}",
        by_id("d:deep").snippet
    );
    assert_eq!(by_id("d:title").snippet, "opening words of the body");
    let far = &by_id("d:far").snippet;
    assert!(
        far.starts_with("lorem ipsum") && !far.contains("<b>"),
        "{far}"
    );
}

#[test]
fn one_word_is_a_flat_union_of_term_queries() {
    let (_dir, _store, s) = folder(&[tagged(1)]);
    let parsed = query::parse("common").unwrap();
    let compiled = compile::Compiler::new(s.index())
        .unwrap()
        .compile(&parsed, &SearchRequest::default())
        .unwrap();
    let top = compiled
        .query
        .downcast_ref::<tantivy::query::BooleanQuery>()
        .expect("a boolean query");
    assert!(
        top.clauses()
            .iter()
            .all(|(_, q)| !q.is::<tantivy::query::BooleanQuery>()),
        "nested: {top:?}"
    );
}

/// Documents where the words of "alpha beta gamma" stand at various distances.
fn spread(i: usize) -> Document {
    let filler = "lorem ipsum dolor sit amet ".repeat(i % 7);
    let body = match i % 4 {
        0 => format!("alpha beta gamma {filler}"),
        1 => format!("alpha {filler} beta {filler} gamma"),
        2 => format!("gamma {filler} alpha beta"),
        _ => format!("beta {filler} gamma alpha {filler} alpha"),
    };
    Document::new(format!("s:{i}"), format!("Spread {i}"), body)
}

#[test]
fn rescoring_gives_the_scores_the_proximity_clauses_gave() {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query};
    let docs: Vec<Document> = (0..60).map(spread).collect();
    let (_dir, _store, s) = folder(&docs);
    let searcher = s.reader.searcher();
    for text in ["alpha beta gamma", "gamma alpha", "\"alpha beta\" gamma"] {
        let req = SearchRequest {
            query: text.into(),
            limit: 20,
            ..SearchRequest::default()
        };
        let compiled = compile::Compiler::new(s.index())
            .unwrap()
            .compile(&query::parse(text).unwrap(), &req)
            .unwrap();
        assert!(!compiled.proximity.is_empty(), "{text}");
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, compiled.query.box_clone())];
        for p in &compiled.proximity {
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(p.phrase.clone()), p.boost)),
            ));
        }
        let as_clauses = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(20).order_by_score(),
            )
            .unwrap();
        let (rescored, _) =
            ranked(&searcher, &compiled, &req, 20, s.index().fields().body, Ok).unwrap();
        assert_eq!(rescored.len(), as_clauses.len(), "{text}");
        for ((a, x), (b, y)) in rescored.iter().zip(&as_clauses) {
            assert!((a - b).abs() < 1e-4, "{text}: {a} at {x:?} vs {b} at {y:?}");
        }
        let ours: Vec<_> = rescored.iter().map(|(_, a)| *a).collect();
        let theirs: Vec<_> = as_clauses.iter().map(|(_, a)| *a).collect();
        assert_eq!(ours, theirs, "{text}");
    }
}

/// The phrase "common words", which every [`tagged`] document has.
fn common_words_phrase(s: &Searcher) -> compile::Compiled {
    compile::Compiler::new(s.index())
        .unwrap()
        .compile(
            &query::parse("\"common words\"").unwrap(),
            &SearchRequest::default(),
        )
        .unwrap()
}

/// The one-pass [`count::Tally`] of `compiled`'s hits, with facets.
fn tally(searcher: &TSearcher, compiled: &compile::Compiled, up_to: Option<u64>) -> count::Counted {
    searcher
        .search(&*compiled.query, &count::Tally::new(up_to, true))
        .unwrap()
        .counted()
        .unwrap()
}

#[test]
fn one_pass_tally_bounds_blocks_of_hits_like_count() {
    // More hits than one block of the tally (64), bounds inside, at and across blocks.
    let docs: Vec<Document> = (0..150).map(tagged).collect();
    let (_dir, _store, s) = folder(&docs);
    let searcher = s.reader.searcher();
    let compiled = common_words_phrase(&s);
    for up_to in [
        None,
        Some(1),
        Some(63),
        Some(64),
        Some(65),
        Some(100),
        Some(150),
        Some(151),
    ] {
        let tallied = tally(&searcher, &compiled, up_to);
        let walked = count::count(&searcher, &*compiled.query, up_to, true).unwrap();
        assert_eq!(
            (tallied.total, tallied.exact),
            (walked.total, walked.exact),
            "{up_to:?}"
        );
        assert_eq!(tallied.facets, walked.facets, "{up_to:?}");
    }
}

#[test]
fn one_pass_tally_counts_and_bounds_like_count() {
    let docs: Vec<Document> = (0..30).map(tagged).collect();
    let (_dir, store, s) = folder(&docs);
    let searcher = s.reader.searcher();
    let compiled = common_words_phrase(&s);
    assert!(!compiled.prunable, "a phrase visits every hit");
    let tally = |up_to| tally(&searcher, &compiled, up_to);
    let walked = count::count(&searcher, &*compiled.query, None, true).unwrap();
    let all = tally(None);
    assert_eq!((all.total, all.exact), (30, true));
    assert_eq!(all.facets.unwrap().tags, walked.facets.unwrap().tags);
    let bounded = tally(Some(10));
    assert_eq!((bounded.total, bounded.exact), (10, false));
    let resp = search(&s, &store, "\"common words\"");
    assert_eq!((resp.total, resp.total_is_exact), (30, true));
    assert_eq!(
        resp.facets.unwrap().tags,
        [("blue".to_owned(), 20), ("red".to_owned(), 10)]
    );
}

#[test]
fn only_a_union_of_words_maybe_within_filters_counts_apart() {
    let (_dir, _store, s) = folder(&[tagged(1)]);
    let prunable = |q: &str, req: &SearchRequest| {
        compile::Compiler::new(s.index())
            .unwrap()
            .compile(&query::parse(q).unwrap(), req)
            .unwrap()
            .prunable
    };
    let plain = SearchRequest::default();
    assert!(prunable("common words", &plain));
    assert!(prunable("what is the common word", &plain));
    assert!(!prunable("\"common words\"", &plain));
    assert!(!prunable("common +words", &plain));
    assert!(!prunable("common -words tags:red", &plain));
    assert!(!prunable("tags:red", &plain));
    // Words within filters rank apart from them (`filtered::Filtered`).
    assert!(prunable("common tags:red", &plain));
    let filtered = SearchRequest {
        source: Some("t".into()),
        ..SearchRequest::default()
    };
    assert!(prunable("common words", &filtered));
    assert!(!prunable("\"common words\"", &filtered));
}

fn phrase_doc(i: usize, title: &str, body: &str) -> Document {
    Document::new(format!("p:{i}"), title, body)
}

/// Documents where phrases match in the title only, the body only, both, with their words
/// apart, reversed, across a word too long to index, in CJK runs, and repeated.
fn phrase_docs() -> Vec<Document> {
    let long = "x".repeat(41);
    let mut docs = vec![
        phrase_doc(0, "Release notes", "nothing here about it"),
        phrase_doc(
            1,
            "Weekly",
            "the quarterly release notes are out, release notes again",
        ),
        phrase_doc(2, "Release notes", "release notes for the release notes"),
        phrase_doc(3, "Notes on a release", "notes release, release the notes"),
        phrase_doc(4, "Gap", &format!("release {long} notes")),
        phrase_doc(5, "東京都の天気", "今日の東京都は晴れ"),
        phrase_doc(6, "Stop", "to be or not to be, that is the question"),
        phrase_doc(7, "Repeats", "go go go team, the release notes of the team"),
        phrase_doc(
            8,
            "Quarterly release notes",
            "quarterly release notes draft",
        ),
    ];
    // Filler holding the words apart, so the words are common and their pairs are not.
    for i in 9..60 {
        docs.push(phrase_doc(
            i,
            &format!("Filler {i}"),
            &format!("notes {i} release {} team go", "be ".repeat(i % 4)),
        ));
    }
    docs
}

#[test]
fn phrases_with_pair_terms_score_and_count_as_plain_phrases() {
    use tantivy::collector::{Count, TopDocs};
    let (_dir, _store, s) = folder(&phrase_docs());
    let searcher = s.reader.searcher();
    let queries = [
        "\"release notes\"",
        "\"quarterly release notes\"",
        "\"notes release\"",
        "title:\"release notes\"",
        "body:\"release notes\"",
        "path:\"release notes\"",
        "\"release\"",
        "\"to be or not to be\"",
        "\"the question\"",
        "\"go go\"",
        "\"go go go\"",
        "\"東京都\"",
        "東京都",
        "\"?!\"",
        "\"release notes\" team",
        "+\"release notes\" -quarterly",
        "\"release notes\" OR \"go team\"",
        "\"release notes\" tags:none",
    ];
    for text in queries {
        let parsed = query::parse(text).unwrap();
        let req = SearchRequest::default();
        let compiler = || compile::Compiler::new(s.index()).unwrap();
        let with = compiler().compile(&parsed, &req).unwrap().query;
        let plain = compiler()
            .without_pairs()
            .compile(&parsed, &req)
            .unwrap()
            .query;
        let top = TopDocs::with_limit(100).order_by_score();
        let (a, b) = (
            searcher.search(&*with, &top).unwrap(),
            searcher.search(&*plain, &top).unwrap(),
        );
        assert_eq!(a, b, "{text}: hits and scores (exactly)");
        let count = |q: &dyn tantivy::query::Query| searcher.search(q, &Count).unwrap();
        assert_eq!(count(&*with), count(&*plain), "{text}");
    }
}

#[test]
fn quoted_phrases_require_their_pair_terms() {
    let (_dir, store, s) = folder(&phrase_docs());
    let f = *s.index().fields();
    let pairs = |text: &str| {
        let compiled = compile::Compiler::new(s.index())
            .unwrap()
            .compile(&query::parse(text).unwrap(), &SearchRequest::default())
            .unwrap();
        let mut pairs = Vec::new();
        compiled.query.query_terms(&mut |term, _| {
            if term.field() == f.body_pairs || term.field() == f.title_pairs {
                pairs.push(term.value().as_str().unwrap().replace('\u{1}', "+"));
            }
        });
        pairs.sort();
        pairs
    };
    let both = |a: &str| [a.to_owned(), a.to_owned()];
    assert_eq!(pairs("\"release notes\""), both("releas+note"));
    assert_eq!(
        pairs("\"quarterly release notes\""),
        [both("quarter+releas"), both("releas+note")].concat()
    );
    let mut hits = ids(&search(&s, &store, "\"release notes\""));
    hits.sort();
    assert_eq!(hits, ["p:0", "p:1", "p:2", "p:7", "p:8"]);
}

#[test]
fn the_shared_bar_gives_tantivys_own_page_on_one_thread_or_many() {
    use tantivy::collector::TopDocs;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut index = TroveIndex::open(dir.path()).unwrap();
    // Five commits: five segments, with tied scores across them.
    for part in 0..5 {
        let docs: Vec<Document> = (0..40)
            .map(|i| {
                let n = part * 40 + i;
                let body = format!("alpha {} beta {}", "gamma ".repeat(n % 7), n % 3);
                Document::new(format!("t:{n}"), format!("Note {}", n % 5), body)
            })
            .collect();
        store.upsert_all(&docs).unwrap();
        index.catch_up(&mut store).unwrap();
    }
    // A sixth commit replaces some documents: the first segments hold deleted ones.
    let again: Vec<Document> = (0..100)
        .step_by(3)
        .map(|n| Document::new(format!("t:{n}"), "Note again", "alpha beta beta gamma"))
        .collect();
    store.upsert_all(&again).unwrap();
    index.catch_up(&mut store).unwrap();
    let s = Searcher::new(TroveIndex::open(dir.path()).unwrap()).unwrap();
    let searcher = s.reader.searcher();
    assert!(searcher.segment_readers().len() > 1);
    for text in ["alpha", "gamma beta", "note 3 gamma", "\"alpha gamma\""] {
        let compiled = compile::Compiler::new(s.index())
            .unwrap()
            .compile(&query::parse(text).unwrap(), &SearchRequest::default())
            .unwrap();
        for k in [1, 10, 25, 150] {
            let tantivy = searcher
                .search(&*compiled.query, &TopDocs::with_limit(k).order_by_score())
                .unwrap();
            for parallel in [false, true] {
                let shared = top_k::by_score(&searcher, &*compiled.query, k, parallel).unwrap();
                let what = format!("{text}, k {k}, parallel {parallel}");
                if top_k::by_max_score(&searcher, &*compiled.query) {
                    // MaxScore adds a hit's word scores in the query's order, WAND in its own:
                    // the same scores up to their last bits.
                    max_score::tests::same_page(&shared, &tantivy, &what);
                } else {
                    assert_eq!(shared, tantivy, "{what}");
                }
            }
        }
    }
}

#[test]
fn a_search_does_not_wait_for_work_on_the_global_pool() {
    use std::sync::{mpsc, Arc, Mutex};
    use std::time::Duration;
    // Every thread of rayon's global pool held by a task, as a batch being embedded holds them.
    let (release, held) = mpsc::channel::<()>();
    let held = Arc::new(Mutex::new(held));
    let (started, all_started) = mpsc::channel();
    let threads = rayon::current_num_threads();
    for _ in 0..threads {
        let (held, started) = (Arc::clone(&held), started.clone());
        rayon::spawn(move || {
            let _ = started.send(());
            let _ = held.lock().map(|h| h.recv());
        });
    }
    for _ in 0..threads {
        all_started.recv().unwrap();
    }
    let (done, answer) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(in_search_pool(|| rayon::join(|| 1, || 2)));
    });
    let got = answer.recv_timeout(Duration::from_secs(30));
    drop(release);
    assert_eq!(got, Ok((1, 2)), "the search waited for the global pool");
}

#[test]
fn a_common_word_counts_beside_its_page_and_gives_the_serial_page() {
    // 12,000 postings: past PARALLEL_FROM_POSTINGS, so the count runs as a task beside the
    // top-k and the page's snippets.
    let docs: Vec<Document> = (0..12_000)
        .map(|i| {
            let mut d = tagged(i);
            d.body = format!("common words here{}", " padding".repeat(i % 7));
            d
        })
        .collect();
    let (_dir, store, s) = folder(&docs);
    let searcher = s.reader.searcher();
    let req = |exact_total| SearchRequest {
        query: "common".into(),
        limit: 10,
        facets: true,
        exact_total,
        ..SearchRequest::default()
    };
    let compiled = compile::Compiler::new(s.index())
        .unwrap()
        .compile(&query::parse("common").unwrap(), &req(true))
        .unwrap();
    assert!(compiled.prunable);
    assert!(
        postings(&searcher, &*compiled.query, s.index().fields().body).0 >= PARALLEL_FROM_POSTINGS
    );
    let serial = top_k::by_score(&searcher, &*compiled.query, 10, false).unwrap();
    let serial_ids: Vec<String> = fetch(&searcher, &serial)
        .unwrap()
        .into_iter()
        .map(|(_, d)| d.id)
        .collect();

    let exact = s.search(&req(true), &store).unwrap();
    assert_eq!((exact.total, exact.total_is_exact), (12_000, true));
    assert_eq!(
        exact.facets.unwrap().tags,
        [("blue".to_owned(), 8_000), ("red".to_owned(), 4_000)]
    );
    let ids: Vec<String> = exact.hits.iter().map(|h| h.id.clone()).collect();
    assert_eq!(ids, serial_ids);
    for (hit, (score, _)) in exact.hits.iter().zip(&serial) {
        assert_eq!(hit.score, *score, "{}", hit.id);
        assert!(hit.snippet.contains("<b>common</b>"), "{}", hit.snippet);
    }

    let bounded = s.search(&req(false), &store).unwrap();
    assert_eq!((bounded.total, bounded.total_is_exact), (10_000, false));
    assert_eq!(
        bounded
            .hits
            .iter()
            .map(|h| h.id.clone())
            .collect::<Vec<_>>(),
        serial_ids
    );
}
