use super::*;

fn doc(id: &str, title: &str, body: &str) -> Document {
    Document::new(id, title, body)
}

fn search(dir: &Path, q: &str) -> Vec<String> {
    crate::search::ids_in(dir, q)
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
