use super::*;
use crate::search::{SearchRequest, Searcher};

fn doc(id: &str, title: &str, body: &str) -> Document {
    Document::new(id, title, body)
}

fn search(dir: &Path, q: &str) -> Vec<String> {
    let store = Store::open(dir).unwrap();
    let s = Searcher::new(TroveIndex::open(dir).unwrap()).unwrap();
    let req = SearchRequest {
        query: q.into(),
        limit: 10,
        ..SearchRequest::default()
    };
    crate::search::ids(&s.search(&req, &store).unwrap())
}

#[test]
fn catch_up_applies_upserts_and_deletes_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .upsert_all(&[
            doc("t:1", "Rocket engines", "thrust and nozzles"),
            doc("t:2", "Gardening", "tomatoes"),
        ])
        .unwrap();
    let mut idx = TroveIndex::open(dir.path()).unwrap();
    let c = idx.catch_up(&mut store).unwrap();
    assert_eq!((c.upserts, c.deletes, c.seq), (2, 0, 2));
    assert_eq!(search(dir.path(), "nozzle"), vec!["t:1"]);
    store
        .upsert_all(&[doc("t:1", "Rocket engines", "combustion chambers")])
        .unwrap();
    store.delete_all(&["t:2".into()]).unwrap();
    let c = idx.catch_up(&mut store).unwrap();
    assert_eq!((c.upserts, c.deletes), (1, 1));
    assert!(search(dir.path(), "nozzle").is_empty());
    assert_eq!(search(dir.path(), "combustion"), vec!["t:1"]);
    assert!(search(dir.path(), "tomatoes").is_empty());
    // Nothing new: nothing applied.
    assert_eq!(idx.catch_up(&mut store).unwrap().upserts, 0);
}

#[test]
fn rebuild_swaps_generation_and_keeps_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .upsert_all(&[
            doc("t:1", "Heat transfer", "high speed aircraft heating"),
            doc("t:2", "Budget", "numbers"),
        ])
        .unwrap();
    let mut idx = TroveIndex::open(dir.path()).unwrap();
    idx.catch_up(&mut store).unwrap();
    let before = search(dir.path(), "aircraft heat");
    let first = idx.dir().to_owned();
    let stats = rebuild(dir.path(), &|_, _| {}).unwrap();
    assert_eq!(stats.documents, 2);
    let after_idx = TroveIndex::open(dir.path()).unwrap();
    assert_ne!(after_idx.dir(), first);
    assert_eq!(search(dir.path(), "aircraft heat"), before);
    assert_eq!(after_idx.applied_seq().unwrap(), store.max_seq().unwrap());
    // A second rebuild right away must not delete what a reader may still be on.
    rebuild(dir.path(), &|_, _| {}).unwrap();
    assert!(
        first.join("meta.json").exists(),
        "retired generation deleted within its grace period"
    );
    assert!(first.join("RETIRED").exists());
    assert!(TroveIndex::open(dir.path()).unwrap().dir() != first);
}

#[test]
fn schema_version_mismatch_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let idx = TroveIndex::open(dir.path()).unwrap();
    let mut writer: IndexWriter = idx.index().writer_with_num_threads(1, 15_000_000).unwrap();
    commit(&mut writer, 0, 999).unwrap();
    drop(writer);
    let err = TroveIndex::open(dir.path()).unwrap_err();
    assert!(err.to_string().contains("trove rebuild"), "{err}");
}

/// Stores vectors for every document (one passage each, a fixed direction per document) and
/// returns the store's watermark.
fn store_vectors(store: &mut Store, model: &str) -> u64 {
    let upto = store.max_seq().unwrap();
    let docs = store.unembedded(0, upto, 100).unwrap();
    let items: Vec<(i64, crate::store::Quantized)> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut v = vec![0f32; 4];
            v[i % 4] = 1.0;
            let hash = crate::embed::text_hash(&d.title, &d.path, &d.body);
            let q = crate::store::Quantized::from_f32(4, vec![(0, 3)], &[v]);
            (hash, q)
        })
        .collect();
    store.put_vectors(model, &items, upto).unwrap();
    upto
}

#[test]
fn rebuild_writes_vectors_into_the_new_generation_before_the_swap() {
    use vectors::VectorIndex;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .upsert_all(&[doc("t:1", "One", "first"), doc("t:2", "Two", "second")])
        .unwrap();
    let mut idx = TroveIndex::open(dir.path()).unwrap();
    idx.catch_up(&mut store).unwrap();
    store_vectors(&mut store, "m");
    let mut v = VectorIndex::new("m", 4);
    v.catch_up(&store).unwrap();
    v.save(idx.dir()).unwrap();
    // A document embedded after the last save is carried too (caught up from the store).
    store.upsert_all(&[doc("t:3", "Three", "third")]).unwrap();
    store_vectors(&mut store, "m");
    rebuild(dir.path(), &|_, _| {}).unwrap();
    let new = TroveIndex::open(dir.path()).unwrap();
    assert_ne!(new.dir(), idx.dir());
    // rebuild() itself wrote it: nothing else ran between the swap and here.
    let carried = VectorIndex::load(new.dir(), "m")
        .unwrap()
        .expect("vectors.bin");
    assert_eq!(
        (carried.docs(), carried.seq()),
        (3, store.max_seq().unwrap())
    );
    assert_eq!(
        carried.search(&[0., 0., 1., 0.], 1, |ids| vec![true; ids.len()])[0].id,
        "t:3"
    );
}

#[test]
fn rebuild_without_vectors_or_with_a_corrupt_file_still_swaps() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.upsert_all(&[doc("t:1", "One", "first")]).unwrap();
    let mut idx = TroveIndex::open(dir.path()).unwrap();
    idx.catch_up(&mut store).unwrap();
    rebuild(dir.path(), &|_, _| {}).unwrap();
    let gen = TroveIndex::open(dir.path()).unwrap().dir().to_owned();
    assert!(!gen.join(vectors::VECTORS_FILE).exists());
    std::fs::write(gen.join(vectors::VECTORS_FILE), b"garbage").unwrap();
    rebuild(dir.path(), &|_, _| {}).unwrap();
    let newer = TroveIndex::open(dir.path()).unwrap().dir().to_owned();
    assert_ne!(newer, gen);
    assert!(!newer.join(vectors::VECTORS_FILE).exists());
}
