//! Embedding tests against the real all-MiniLM-L6-v2 folder (see `model_dir_for_tests`), and
//! model-folder errors that need no model.

use std::path::Path;
use std::sync::OnceLock;

use super::*;

fn all(ids: &[&str]) -> Vec<bool> {
    vec![true; ids.len()]
}

/// The test model, loaded once per test binary; `None` outside CI without a model.
fn embedder() -> Option<&'static Embedder> {
    static MODEL: OnceLock<Option<Embedder>> = OnceLock::new();
    MODEL
        .get_or_init(|| model_dir_for_tests().map(|d| Embedder::load(&d).expect("load model")))
        .as_ref()
}

/// The test model with f32 kernels everywhere (the reference for the AMX path).
fn f32_embedder() -> Option<&'static Embedder> {
    static MODEL: OnceLock<Option<Embedder>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            model_dir_for_tests().map(|d| Embedder::load_with(&d, Kernel::F32).expect("load model"))
        })
        .as_ref()
}

/// Reference values from sentence-transformers (mean pooling, L2 normalisation), computed
/// outside trove, as quoted in issue 11: with the kernels this machine uses, and with f32.
#[test]
fn cosines_match_the_sentence_transformers_reference() {
    let (Some(m), Some(exact)) = (embedder(), f32_embedder()) else {
        return;
    };
    for m in [m, exact] {
        reference_cosines(m);
    }
}

fn reference_cosines(m: &Embedder) {
    let food = m.embed("A man is eating food.").unwrap();
    let bread = m.embed("A man is eating a piece of bread.").unwrap();
    let baby = m.embed("The girl is carrying a baby.").unwrap();
    assert_eq!(food.len(), 384);
    let norm: f32 = food.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5, "normalised, got norm {norm}");
    let (a, b) = (cosine(&food, &bread), cosine(&food, &baby));
    let kernel = m.kernel().name();
    assert!((a - 0.7553).abs() < 1e-3, "{kernel}: food/bread {a}");
    assert!((b - -0.1050).abs() < 1e-3, "{kernel}: food/baby {b}");
}

/// Where the CPU has AMX, its split bf16 products (see `amx.rs`) and fused attention give the
/// same vectors as f32 to 1e-6 in cosine, over passages of every length up to the model's limit.
/// Without AMX both embedders take the f32 path and agree exactly.
#[test]
fn amx_vectors_equal_f32_vectors() {
    let (Some(m), Some(exact)) = (embedder(), f32_embedder()) else {
        return;
    };
    let body: String = (0..400)
        .map(|i| format!("the travel policy clause {i} covers receipts and per diem; "))
        .collect();
    let passages = m.passages("Travel policy", &["Wiki".to_owned()], &body);
    let mut texts: Vec<&str> = passages.iter().map(|p| p.text.as_str()).collect();
    texts.extend([
        "short",
        "A man is eating food.",
        "what is blocking the launch?",
    ]);
    let fast = embed_all(m, &texts, |_| {}).unwrap();
    let slow = embed_all(exact, &texts, |_| {}).unwrap();
    for ((t, a), b) in texts.iter().zip(&fast).zip(&slow) {
        let c = cosine(a, b);
        assert!(c > 0.999999, "{}: cosine {c} for {t:?}", m.kernel().name());
    }
}

/// The model id hashes the config's `Debug` text; trove's own BERT config must print exactly
/// what candle-transformers' did, or every stored vector would be recomputed after an upgrade.
/// The hash below is the one trove computed for this model before `bert.rs` existed.
#[test]
fn model_id_is_the_one_earlier_versions_stored() {
    let Some(m) = embedder() else { return };
    let hash = m.id().rsplit('/').next().unwrap();
    assert_eq!(hash, "d7e97d9ab6e42954", "id {}", m.id());
}

#[test]
fn batched_and_padded_vectors_equal_single_ones() {
    let Some(m) = embedder() else { return };
    let texts = [
        "short",
        "a much longer sentence that needs padding for the others in its batch",
        "medium length text here",
    ];
    let batched = embed_all(m, &texts, |_| {}).unwrap();
    for (t, v) in texts.iter().zip(&batched) {
        let single = m.embed(t).unwrap();
        assert!(cosine(&single, v) > 0.99999, "{t}");
    }
}

#[test]
fn long_bodies_become_overlapping_passages_the_model_sees_whole() {
    let Some(m) = embedder() else { return };
    let body: String = (0..700).map(|i| format!("word{} ", i % 50)).collect();
    let path = vec!["Wiki".to_owned()];
    let passages = m.passages("Travel policy", &path, &body);
    assert!(passages.len() >= 3, "{} passages", passages.len());
    for p in &passages {
        assert!(p.text.starts_with("Travel policy — Wiki\n"));
        let n = m.tokenizer().encode(p.text.as_str(), true).unwrap().len();
        assert!(n <= m.max_tokens(), "{n} tokens");
    }
    for pair in passages.windows(2) {
        assert!(pair[1].start < pair[0].end, "consecutive passages overlap");
    }
    assert_eq!(passages.last().unwrap().end, body.trim_end().len());
}

#[test]
fn empty_folder_names_the_missing_file_and_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = Embedder::load(dir.path()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ModelError::Missing { .. }), "{msg}");
    assert!(
        msg.contains("modules.json") && msg.contains("fetch-model.sh"),
        "{msg}"
    );
}

/// A copy of the model folder (symlinks) with `file` replaced by `contents`.
fn altered(src: &Path, file: &str, contents: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join(DEFAULT_MODEL);
    for f in [
        "config.json",
        "tokenizer.json",
        "model.safetensors",
        "modules.json",
        "sentence_bert_config.json",
        "1_Pooling/config.json",
    ] {
        std::fs::create_dir_all(to.join(f).parent().unwrap()).unwrap();
        if f == file {
            std::fs::write(to.join(f), contents).unwrap();
        } else {
            std::os::unix::fs::symlink(src.join(f), to.join(f)).unwrap();
        }
    }
    dir
}

#[test]
fn truncated_weights_are_reported_as_corrupt() {
    let Some(m) = embedder() else { return };
    let weights = std::fs::read(m.dir().join("model.safetensors")).unwrap();
    let dir = altered(m.dir(), "model.safetensors", &weights[..weights.len() / 2]);
    let err = Embedder::load(&dir.path().join(DEFAULT_MODEL)).unwrap_err();
    assert!(matches!(err, ModelError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
}

#[test]
fn a_pooling_width_unlike_the_encoder_is_a_dimension_error() {
    let Some(m) = embedder() else { return };
    let pooling = br#"{"word_embedding_dimension": 768, "pooling_mode_mean_tokens": true}"#;
    let dir = altered(m.dir(), "1_Pooling/config.json", pooling);
    let err = Embedder::load(&dir.path().join(DEFAULT_MODEL)).unwrap_err();
    assert!(matches!(err, ModelError::WrongDimension { .. }), "{err}");
    assert!(m.expect_dims(768).is_err() && m.expect_dims(384).is_ok());
}

#[test]
fn model_id_changes_when_the_settings_change() {
    let Some(m) = embedder() else { return };
    assert!(m.id().starts_with("all-MiniLM-L6-v2/384d/"), "{}", m.id());
    let modules =
        br#"[{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},
        {"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"}]"#;
    let dir = altered(m.dir(), "modules.json", modules);
    let unnormalised = Embedder::load(&dir.path().join(DEFAULT_MODEL)).unwrap();
    let v = unnormalised.embed("A man is eating food.").unwrap();
    let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!(
        (norm - 1.0).abs() > 1e-3,
        "without Normalize the vector keeps its length"
    );
    assert_ne!(
        unnormalised.id(),
        m.id(),
        "other settings, other vectors: another id"
    );
}

fn doc(id: &str, title: &str, body: &str) -> crate::Document {
    crate::Document {
        source: "wiki".into(),
        kind: "page".into(),
        path: vec!["Handbook".into()],
        ..crate::Document::new(id, title, body)
    }
}

#[test]
fn pending_documents_are_embedded_once_and_found_by_meaning() {
    let Some(m) = embedder() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(dir.path()).unwrap();
    let docs = [
        doc(
            "wiki:1",
            "Expenses",
            "Submit receipts within 30 days to be paid back for trips.",
        ),
        doc(
            "wiki:2",
            "Launch plan",
            "The release waits on the security review sign-off.",
        ),
        doc("wiki:3", "Office plants", "Water the ficus on Mondays."),
    ];
    store.upsert_all(&docs).unwrap();
    assert_eq!(store.pending_vectors(m.id()).unwrap(), 3);
    let first = embed_pending(&mut store, m, |_, _| {}).unwrap();
    assert_eq!((first.embedded, first.reused), (3, 0));
    assert_eq!(store.pending_vectors(m.id()).unwrap(), 0);

    let mut ix = crate::index::vectors::VectorIndex::new(m.id(), m.dims());
    ix.catch_up(&store).unwrap();
    let q = m.embed("how do I get reimbursed for travel?").unwrap();
    assert_eq!(ix.search(&q, 1, all)[0].id, "wiki:1");
    let q = m.embed("what is blocking the launch?").unwrap();
    assert_eq!(ix.search(&q, 1, all)[0].id, "wiki:2");

    // Same text under a new id: reused, not embedded. A changed text is embedded again.
    let mut copy = docs[0].clone();
    copy.id = "wiki:4".into();
    let mut changed = docs[2].clone();
    changed.body.push_str(" And the cactus never.");
    store.upsert_all(&[copy, changed]).unwrap();
    store.delete_all(&["wiki:2".to_owned()]).unwrap();
    let second = embed_pending(&mut store, m, |_, _| {}).unwrap();
    assert_eq!((second.embedded, second.reused), (1, 1));
    ix.catch_up(&store).unwrap();
    assert_eq!(ix.docs(), 3, "wiki:2 deleted, wiki:4 added");
    assert!(ix.search(&q, 3, all).iter().all(|h| h.id != "wiki:2"));
}

#[test]
fn another_model_never_sees_the_first_models_vectors() {
    let Some(m) = embedder() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(dir.path()).unwrap();
    store
        .upsert_all(&[doc("wiki:1", "A", "some text")])
        .unwrap();
    embed_pending(&mut store, m, |_, _| {}).unwrap();
    let hash = text_hash("A", &["Handbook".to_owned()], "some text");
    assert!(store.has_vectors(hash, m.id()).unwrap());
    assert!(!store.has_vectors(hash, "other-model/384d/0").unwrap());
    assert_eq!(store.pending_vectors("other-model/384d/0").unwrap(), 1);
}
