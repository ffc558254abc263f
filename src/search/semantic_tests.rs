//! Hybrid and semantic search through the [`Searcher`], with the real model.

use std::sync::{Arc, OnceLock};

use super::*;
use crate::embed::{embed_pending, model_dir_for_tests, Embedder};
use crate::index::TroveIndex;
use crate::search::{SearchError, SearchRequest, Searcher};
use crate::store::Store;
use crate::Document;

fn embedder() -> Option<Arc<Embedder>> {
    static MODEL: OnceLock<Option<Arc<Embedder>>> = OnceLock::new();
    MODEL
        .get_or_init(|| model_dir_for_tests().map(|d| Arc::new(Embedder::load(&d).unwrap())))
        .clone()
}

fn doc(id: &str, source: &str, title: &str, body: &str) -> Document {
    let mut d = Document::new(id, title, body);
    d.source = source.into();
    d
}

/// A data folder with four documents, embedded; the searcher with and without the model.
fn setup(m: Arc<Embedder>) -> (tempfile::TempDir, Store, Searcher) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let filler = "Background paragraph about the company offices and history. ".repeat(60);
    store
        .upsert_all(&[
            doc(
                "wiki:pay",
                "wiki",
                "Expenses",
                "Submit receipts within 30 days to be paid back for business trips.",
            ),
            doc(
                "tracker:pay",
                "tracker",
                "Finance request",
                "Refund me for the flight and hotel of my trip.",
            ),
            doc(
                "wiki:plants",
                "wiki",
                "Office plants",
                "Water the ficus on Mondays.",
            ),
            doc(
                "wiki:long",
                "wiki",
                "Handbook",
                &format!("{filler} {}{filler}", "The launch is blocked: the security review has not signed off, and the release cannot ship until it does. ".repeat(5)),
            ),
        ])
        .unwrap();
    let mut index = TroveIndex::open(dir.path()).unwrap();
    index.catch_up(&mut store).unwrap();
    embed_pending(&mut store, &m, |_, _| {}).unwrap();
    let sem = Semantic::open(m.dir(), index.dir(), &store).unwrap();
    let searcher = Searcher::new(index).unwrap().with_semantic(sem);
    (dir, store, searcher)
}

fn req(q: &str, mode: Mode) -> SearchRequest {
    SearchRequest {
        query: q.into(),
        limit: 10,
        mode: Some(mode),
        ..SearchRequest::default()
    }
}

#[test]
fn semantic_finds_by_meaning_and_filters_apply_to_it() {
    let Some(m) = embedder() else { return };
    let (_dir, store, s) = setup(m);
    let q = "how do I get my money back after travelling for work?";
    let r = s.search(&req(q, Mode::Semantic), &store).unwrap();
    assert_eq!(r.mode, Mode::Semantic);
    assert!(
        r.hits[0].id.ends_with(":pay"),
        "{:?}",
        super::super::ids(&r)
    );
    let mut filtered = req(q, Mode::Semantic);
    filtered.source = Some("tracker".into());
    let r = s.search(&filtered, &store).unwrap();
    assert_eq!(super::super::ids(&r), vec!["tracker:pay"]);
    assert_eq!(
        s.search(
            &SearchRequest {
                mode: None,
                ..req(q, Mode::Keyword)
            },
            &store
        )
        .unwrap()
        .mode,
        Mode::Hybrid
    );
}

#[test]
fn a_semantic_hits_snippet_is_its_best_passage() {
    let Some(m) = embedder() else { return };
    let (_dir, store, s) = setup(m);
    let r = s
        .search(
            &req("what is holding up the release?", Mode::Semantic),
            &store,
        )
        .unwrap();
    assert_eq!(r.hits[0].id, "wiki:long");
    assert!(
        r.hits[0].snippet_plain.0.contains("Background") || r.hits[0].snippet.contains("launch")
    );
    assert!(!r.hits[0].snippet.is_empty());
}

#[test]
fn exact_syntax_keeps_its_keyword_meaning_in_hybrid() {
    let Some(m) = embedder() else { return };
    let (_dir, store, s) = setup(m);
    // Only documents with the exact word pass; meaning may reorder them, not add others.
    let r = s
        .search(&req("+ficus money back", Mode::Hybrid), &store)
        .unwrap();
    assert_eq!(super::super::ids(&r), vec!["wiki:plants"]);
    let r = s
        .search(&req("refund -flight", Mode::Hybrid), &store)
        .unwrap();
    assert!(super::super::ids(&r).iter().all(|id| id != "tracker:pay"));
}

#[test]
fn without_a_model_semantic_is_a_clear_error_and_keyword_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .upsert_all(&[doc("w:1", "w", "Expenses", "receipts")])
        .unwrap();
    let mut index = TroveIndex::open(dir.path()).unwrap();
    index.catch_up(&mut store).unwrap();
    let s = Searcher::new(index).unwrap();
    let err = s
        .search(&req("receipts", Mode::Semantic), &store)
        .unwrap_err();
    assert!(matches!(err, SearchError::SemanticOff), "{err}");
    assert!(err.to_string().contains("fetch-model.sh"), "{err}");
    let ok = s
        .search(
            &SearchRequest {
                mode: None,
                ..req("receipts", Mode::Keyword)
            },
            &store,
        )
        .unwrap();
    assert_eq!((ok.mode, ok.total), (Mode::Keyword, 1));
}

#[test]
fn fusion_rewards_documents_both_sides_rank() {
    let f = Fusion {
        k: 5.0,
        semantic_weight: 2.0,
        depth: 10,
    };
    let fused = f.fuse(&["a", "b", "c"], &["c", "d"]);
    let order: Vec<&str> = fused.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(order, vec!["c", "d", "a", "b"]);
}
