//! Semantic search through the real binary, under the failures issue 11 names: an import
//! killed (SIGKILL) while it embeds resumes without losing or re-embedding anything, a search
//! while embedding is under way answers by keyword and says how much is still pending, and a
//! missing or corrupt model file or a model of another dimension gives a clear message while
//! keyword search keeps working. They need the model (`scripts/fetch-model.sh`; CI installs
//! it); without it they say so and return, except under `CI`, where they fail.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::util::{generated, hit_ids, stderr, stdout, Trove};
use trove::embed::{model_dir_for_tests, Embedder};
use trove::store::Store;

/// A `trove` command of `t` using the model in `model`.
fn with_model(t: &Trove, model: &Path) -> std::process::Command {
    let mut c = t.cmd();
    c.env_remove("TROVE_MODEL_DIR")
        .arg("--model-dir")
        .arg(model);
    c
}

fn run(t: &Trove, model: &Path, args: &[&str]) -> std::process::Output {
    with_model(t, model).args(args).output().expect("run trove")
}

fn ok(t: &Trove, model: &Path, args: &[&str]) -> String {
    let out = run(t, model, args);
    assert!(
        out.status.success(),
        "trove {args:?} failed: {}\n{}",
        stderr(&out),
        stdout(&out)
    );
    stdout(&out)
}

/// The store's embedding watermark for `model_id` (0 while nothing is committed).
fn watermark(data: &Path, model_id: &str) -> u64 {
    Store::open(data)
        .and_then(|s| s.embedded_upto(model_id))
        .unwrap_or(0)
}

/// Documents of one passage each (short bodies), so a chunk of vectors commits every few
/// seconds even in a debug build.
fn short_docs(n: u64) -> Vec<trove::Document> {
    generated(n, 40)
}

/// `embedded N documents (P passages, …), reused vectors of R` → (N, R).
fn embedded_counts(err: &str) -> (u64, u64) {
    let line = err
        .lines()
        .find(|l| l.starts_with("embedded "))
        .unwrap_or_else(|| panic!("no embedding summary in: {err}"));
    let num = |after: &str| -> u64 {
        let rest = &line[line.find(after).expect(after) + after.len()..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        digits.parse().expect("count")
    };
    (num("embedded "), num("reused vectors of "))
}

/// Documents of the kill test: a few chunks of vectors (64 documents each).
const N: u64 = 200;

#[test]
fn killed_embedding_resumes_without_loss_and_a_search_meanwhile_answers_by_keyword() {
    let Some(model) = model_dir_for_tests() else {
        return;
    };
    let id = Embedder::load(&model).unwrap().id().to_owned();
    let t = Trove::new();
    let docs = short_docs(N);
    let file = t.write_ndjson("docs.ndjson", &docs);
    let mut child = with_model(&t, &model)
        .args(["import", file.to_str().unwrap()])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first committed chunk of vectors: the import is then embedding.
    let start = Instant::now();
    while watermark(&t.data(), &id) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "no vectors committed in 5 minutes"
        );
        assert!(child.try_wait().unwrap().is_none(), "import ended first");
        std::thread::sleep(Duration::from_millis(50));
    }

    // A search now: keyword results at once, and a note about what is not embedded yet.
    let out = run(
        &t,
        &model,
        &["search", "--json", &docs[N as usize - 1].title],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["mode"], "hybrid", "{v}");
    assert!(
        hit_ids(&v).contains(&docs[N as usize - 1].id),
        "keyword side: {v}"
    );
    let pending = v["embeddings_pending"].as_u64().unwrap_or(0);
    assert!(pending > 0, "no pending count while embedding: {v}");
    assert!(
        stderr(&out).contains("not embedded yet"),
        "{}",
        stderr(&out)
    );

    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let upto = watermark(&t.data(), &id);
    let store = Store::open(&t.data()).unwrap();
    let done = store.count(None).unwrap() - store.changed_after(upto).unwrap();
    assert_eq!(store.count(None).unwrap(), N, "documents lost");
    assert!(done > 0 && done < N, "killed too late: {done} embedded");
    drop(store);

    // Rerunning embeds only what was left: the finished documents are not embedded again.
    let out = run(&t, &model, &["rebuild"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(embedded_counts(&stderr(&out)), (N - done, 0));
    let s: serde_json::Value =
        serde_json::from_str(&ok(&t, &model, &["status", "--json"])).unwrap();
    assert_eq!(s["embeddings"]["pending"], 0, "{s}");
    assert!(s["embeddings"]["vectors"].as_u64().unwrap() >= N, "{s}");
    let v: serde_json::Value = serde_json::from_str(&ok(
        &t,
        &model,
        &["search", "--json", "--mode", "semantic", &docs[0].title],
    ))
    .unwrap();
    assert_eq!(hit_ids(&v).len(), 10, "{v}");
    assert!(v.get("embeddings_pending").is_none(), "{v}");
}

/// A copy of the model folder (the weights linked, not copied) with `file` replaced.
fn altered(model: &Path, file: &str, contents: Option<&[u8]>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walk(model) {
        let rel = entry.strip_prefix(model).unwrap();
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        if rel != Path::new(file) {
            std::os::unix::fs::symlink(&entry, &to).unwrap();
        }
    }
    if let Some(c) = contents {
        std::fs::write(dir.path().join(file), c).unwrap();
    }
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Imports a few documents with the good model, then uses `bad` instead: keyword search keeps
/// answering (with a warning naming the problem), asking for semantic search fails with the
/// message, and nothing in the store is lost.
fn bad_model_keeps_keyword_search(good: &Path, bad: &Path, says: &str) {
    let t = Trove::new();
    let docs = short_docs(20);
    let file = t.write_ndjson("docs.ndjson", &docs);
    ok(&t, good, &["import", file.to_str().unwrap()]);
    let out = run(&t, bad, &["search", "--json", &docs[3].title]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("semantic search off") && err.contains(says),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["mode"], "keyword");
    assert!(hit_ids(&v).contains(&docs[3].id), "{v}");
    let out = run(&t, bad, &["search", "--mode", "semantic", "anything"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains(says), "{}", stderr(&out));
    let s: serde_json::Value = serde_json::from_str(&ok(&t, bad, &["status", "--json"])).unwrap();
    assert_eq!(s["documents"], 20, "{s}");
    assert_eq!(s["embeddings"]["enabled"], false, "{s}");
    assert!(
        s["embeddings"]["off_reason"]
            .as_str()
            .unwrap_or("")
            .contains(says),
        "{s}"
    );
    // The good model still finds its vectors: nothing was dropped.
    let s: serde_json::Value = serde_json::from_str(&ok(&t, good, &["status", "--json"])).unwrap();
    assert_eq!(s["embeddings"]["pending"], 0, "{s}");
}

#[test]
fn missing_or_corrupt_model_files_leave_keyword_search_working() {
    let Some(model) = model_dir_for_tests() else {
        return;
    };
    let missing = altered(&model, "model.safetensors", None);
    bad_model_keeps_keyword_search(&model, missing.path(), "model.safetensors is missing");
    let corrupt = altered(&model, "model.safetensors", Some(b"not safetensors"));
    bad_model_keeps_keyword_search(&model, corrupt.path(), "is unreadable");
    let tokenizer = altered(&model, "tokenizer.json", Some(b"{"));
    bad_model_keeps_keyword_search(&model, tokenizer.path(), "tokenizer.json is unreadable");
}

#[test]
fn a_model_of_another_dimension_is_refused_with_a_clear_message() {
    let Some(model) = model_dir_for_tests() else {
        return;
    };
    // The pooling module says 256 dimensions, the encoder makes 384.
    let pooling = br#"{"word_embedding_dimension": 256, "pooling_mode_mean_tokens": true}"#;
    let other = altered(&model, "1_Pooling/config.json", Some(pooling));
    bad_model_keeps_keyword_search(&model, other.path(), "256-dimensional");
}
