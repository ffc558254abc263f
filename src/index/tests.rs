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

fn indexed(dir: &Path, n: usize) -> (Store, TroveIndex) {
    let mut store = Store::open(dir).unwrap();
    let docs: Vec<_> = (0..n)
        .map(|i| doc(&format!("t:{i}"), &format!("title {i}"), "rocket nozzle"))
        .collect();
    store.upsert_all(&docs).unwrap();
    let mut idx = TroveIndex::open(dir).unwrap();
    idx.catch_up(&mut store).unwrap();
    (store, idx)
}

#[test]
fn killed_rebuilds_leave_partial_generations_until_an_hour_later() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, mut idx) = indexed(dir.path(), 3);
    let gens = Generations::new(dir.path());
    // A rebuild that died: its marker's lock went with the process (here: with the handle).
    let (crashed, building) = {
        let _lock = gens.lock().unwrap();
        gens.create_building().unwrap()
    };
    std::fs::write(crashed.join("partial.idx"), b"half").unwrap();
    drop(building);
    drop(gens.lock().unwrap());
    assert!(
        !crashed.exists(),
        "the next writer lock removed the crashed build"
    );
    // A rebuild still running holds its marker: it must survive.
    let (running, still_building) = {
        let _lock = gens.lock().unwrap();
        gens.create_building().unwrap()
    };
    store.upsert_all(&[doc("t:9", "new", "x")]).unwrap();
    idx.catch_up(&mut store).unwrap();
    assert!(running.exists(), "a build in progress was deleted");
    assert_eq!(search(dir.path(), "nozzle").len(), 3, "readers unaffected");
    drop(still_building);
    idx.catch_up(&mut store).unwrap();
    assert!(!running.exists(), "removed once its builder is gone");
    assert!(
        idx.dir().exists(),
        "the current generation is never removed"
    );
}

#[test]
fn rebuild_exits_1_after_succeeding_when_current_named_a_missing_generation() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _idx) = indexed(dir.path(), 2);
    std::fs::write(dir.path().join("index/CURRENT"), "gen-000042").unwrap();
    let err = TroveIndex::open(dir.path()).unwrap_err();
    assert!(matches!(err, IndexError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("trove rebuild"), "{err}");
    assert!(err.to_string().contains("gen-000042"), "{err}");
    let stats = rebuild(dir.path(), &|_, _| {}).unwrap();
    assert_eq!(stats.documents, 2);
    let idx = TroveIndex::open(dir.path()).unwrap();
    assert_eq!(idx.applied_seq().unwrap(), store.max_seq().unwrap());
    assert_eq!(search(dir.path(), "nozzle").len(), 2);
}

#[test]
fn corrupt_index_gives_raw_tantivy_text() {
    // A segment file gone.
    let dir = tempfile::tempdir().unwrap();
    let (_store, idx) = indexed(dir.path(), 2);
    let gen = idx.dir().to_owned();
    drop(idx);
    let victim = std::fs::read_dir(&gen)
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().ends_with(".term"))
        .unwrap()
        .path();
    std::fs::remove_file(&victim).unwrap();
    let err = TroveIndex::open(dir.path()).unwrap_err();
    assert!(matches!(err, IndexError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("run `trove rebuild`"), "{err}");
    assert!(err.to_string().contains(".term"), "{err}");
    rebuild(dir.path(), &|_, _| {}).unwrap();
    assert_eq!(search(dir.path(), "nozzle").len(), 2, "rebuild restores");

    // meta.json garbled.
    let gen = TroveIndex::open(dir.path()).unwrap().dir().to_owned();
    std::fs::write(gen.join("meta.json"), b"{not json").unwrap();
    let err = TroveIndex::open(dir.path()).unwrap_err();
    assert!(matches!(err, IndexError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("run `trove rebuild`"), "{err}");
    rebuild(dir.path(), &|_, _| {}).unwrap();
    assert_eq!(search(dir.path(), "nozzle").len(), 2, "rebuild restores");
}

#[test]
fn cjk_text_matches_only_whole_runs() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .upsert_all(&[
            doc("t:ja", "社内規定", "東京都の会議室を予約する手順"),
            doc("t:zh", "产品路线图", "我们下季度的搜索引擎计划"),
            doc("t:en", "Meeting rooms", "how to book a room"),
        ])
        .unwrap();
    TroveIndex::open(dir.path())
        .unwrap()
        .catch_up(&mut store)
        .unwrap();
    // Words inside runs, not whole runs: before segmentation each of these found nothing.
    assert_eq!(search(dir.path(), "会議室"), vec!["t:ja"]);
    assert_eq!(search(dir.path(), "予約"), vec!["t:ja"]);
    assert_eq!(search(dir.path(), "搜索引擎"), vec!["t:zh"]);
    assert_eq!(search(dir.path(), "路线"), vec!["t:zh"]);
    // The bigrams of a word must follow each other: 議会 is not 会議.
    assert!(search(dir.path(), "議会").is_empty());
    assert!(search(dir.path(), "室会議").is_empty());
    assert_eq!(search(dir.path(), "room"), vec!["t:en"]);
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

#[test]
fn every_writer_pairs_the_common_words_the_first_one_picked() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    // A handle opened on the empty generation, before any common word is picked.
    let mut early = TroveIndex::open(dir.path()).unwrap();
    assert!(early.schema_def().common_words().is_empty());
    // Another writer indexes the first documents, and picks the words both hold.
    store
        .upsert_all(&[
            doc("t:1", "Notes", "the plan of the week"),
            doc("t:2", "Notes", "the plan of the day"),
        ])
        .unwrap();
    let mut other = TroveIndex::open(dir.path()).unwrap();
    other.catch_up(&mut store).unwrap();
    let common = pairs::CommonWords::load(other.dir()).unwrap();
    assert_eq!(other.schema_def().common_words(), &common);
    assert!(["the", "plan", "of", "note"]
        .iter()
        .all(|w| common.contains(w)));
    assert!(!common.contains("week"));
    // The early handle's documents pair the same words.
    store
        .upsert_all(&[doc("t:3", "Other", "a plan of the team")])
        .unwrap();
    early.catch_up(&mut store).unwrap();
    assert_eq!(early.schema_def().common_words(), &common);
    let pair = Term::from_field_text(early.fields().body_pairs, &pairs::pair_term("of", "the"));
    let searcher = early.reader().unwrap().searcher();
    assert_eq!(searcher.doc_freq(&pair).unwrap(), 3);
    let mut hits = search(dir.path(), "\"plan of the\"");
    hits.sort();
    assert_eq!(hits, ["t:1", "t:2", "t:3"]);
    // A rebuild picks them anew, from the store.
    rebuild(dir.path(), &|_, _| {}).unwrap();
    let rebuilt = TroveIndex::open(dir.path()).unwrap();
    assert!(rebuilt.schema_def().common_words().contains("plan"));
    assert_eq!(search(dir.path(), "\"plan of the\"").len(), 3);
}
