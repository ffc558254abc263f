//! Broken disks around a sync (issue 13), against the fake Notion server: a disk that fills up
//! during `trove sync` (every file capped with `RLIMIT_FSIZE` just above what the folder holds,
//! so writes fail with `EFBIG` as on a full disk; works unprivileged, so it never skips), and
//! `trove status` on a damaged or missing index after a sync. Each test is named after the bug
//! it pins.

use std::path::{Path, PathBuf};

use crate::notion_harness::*;
use crate::util::{cap_file_size, stderr, stdout, Trove};
use trove::Document;
use trove_fakes::notion::{generate, GenSpec};

/// Imports `n` documents that are not from the Notion source: what the folder held before.
fn import_existing(t: &Trove, n: usize) -> Vec<Document> {
    let docs: Vec<Document> = (0..n)
        .map(|i| {
            Document::new(
                format!("imp:{i}"),
                format!("Rocket note {i}"),
                "thrust nozzle",
            )
        })
        .collect();
    let file = t.write_ndjson("existing.ndjson", &docs);
    t.ok(&["import", file.to_str().expect("utf-8 path")]);
    docs
}

/// The size of the largest file under `dir`.
fn largest_file(dir: &Path) -> u64 {
    let mut max = 0;
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let m = entry.metadata().expect("metadata");
        max = max.max(if m.is_dir() {
            largest_file(&entry.path())
        } else {
            m.len()
        });
    }
    max
}

/// The Notion documents of an export (without the imported ones).
fn notion_docs(t: &Trove) -> std::collections::BTreeMap<String, Document> {
    let mut docs = export(t);
    docs.retain(|id, _| id.starts_with("notion:"));
    docs
}

#[test]
fn full_disk_during_sync_has_no_clear_message() {
    let s = Setup::new(medium());
    let existing = import_existing(&s.trove, 30);
    let before = export(&s.trove);
    // Room for what is there and a little more: the sync's first batches fit, later ones not.
    let cap = largest_file(&s.trove.data()) + (64 << 10);
    let mut cmd = s.sync_cmd(&s.trove, &s.config, TOKEN, &[]);
    cap_file_size(&mut cmd, cap);
    let out = run(cmd);
    let err = stderr(&out);
    eprintln!("sync on a full disk said:\n{err}");
    assert!(
        !out.status.success(),
        "sync on a full disk succeeded: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("is full"),
        "does not say the disk is full: {err}"
    );
    assert!(
        err.contains("free some space") && err.contains("run the command again"),
        "does not say what to do: {err}"
    );

    // The store and index are intact: what was there is still there and searchable, and the
    // index opens (status succeeds) and agrees with the store.
    let after = export(&s.trove);
    for (id, doc) in &before {
        assert_eq!(after.get(id), Some(doc), "{id} changed or was lost");
    }
    assert_eq!(found_all(&s.trove, "nozzle"), existing.len());
    let status = s.trove.status();
    assert_eq!(
        status["index"]["documents"], status["documents"],
        "{status}"
    );

    // With space again, the sync completes and ends like a clean sync in a fresh folder.
    s.sync(&[]);
    let (clean, clean_config) = s.second_folder();
    sync_ok(s.sync_cmd(&clean, &clean_config, TOKEN, &[]));
    assert_same_docs(&notion_docs(&s.trove), &notion_docs(&clean));
    assert_eq!(found_all(&s.trove, "nozzle"), existing.len());
    let status = s.trove.status();
    assert_eq!(
        status["index"]["documents"], status["documents"],
        "{status}"
    );
    assert_eq!(
        status["documents"].as_u64(),
        Some((notion_docs(&clean).len() + existing.len()) as u64)
    );
}

/// Hits for `q`, up to 100.
fn found_all(t: &Trove, q: &str) -> usize {
    t.search(q, &["--limit", "100"])["hits"]
        .as_array()
        .map_or(0, Vec::len)
}

/// The folder of the live index generation.
fn current_generation(t: &Trove) -> PathBuf {
    let current = std::fs::read_to_string(t.data().join("index/CURRENT")).expect("CURRENT");
    t.data().join("index").join(current.trim())
}

/// `trove status` on an index that cannot be opened: exit 1, what the store says on stdout
/// (the source, its documents and last sync), the index problem and the fix on stderr.
fn assert_status_shows_the_store(t: &Trove, documents: usize, problem: &str) {
    let out = t.run(&["status"]);
    let (o, e) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{o}{e}");
    assert!(o.contains(&format!("documents:   {documents}")), "{o}");
    assert!(
        o.contains(&format!(
            "source notion (notion): {documents} documents, last sync 20"
        )),
        "{o}"
    );
    assert!(!o.contains("up to date"), "{o}");
    assert!(e.contains(problem), "{e}");
    assert!(e.contains("run `trove rebuild`"), "{e}");

    let out = t.run(&["status", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("status json");
    assert_eq!(v["documents"].as_u64(), Some(documents as u64), "{v}");
    assert!(v["index"].is_null(), "{v}");
    assert!(
        v["index_error"]
            .as_str()
            .unwrap_or_default()
            .contains("trove rebuild"),
        "{v}"
    );
    assert_eq!(v["sources"][0]["name"], "notion", "{v}");
    assert!(v["sources"][0]["last_sync_at"].is_string(), "{v}");
}

#[test]
fn status_on_a_damaged_index_prints_only_the_error() {
    let s = Setup::new(generate(&GenSpec {
        pages: 20,
        max_depth: 3,
        wide_page_children: 5,
        database_rows: 5,
        seed: 3,
        ..GenSpec::default()
    }));
    s.sync(&[]);
    let n = export(&s.trove).len();

    // A damaged index: a segment file gone.
    let gen = current_generation(&s.trove);
    let idx = std::fs::read_dir(&gen)
        .expect("generation")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".idx"))
        .expect("a segment's .idx file");
    std::fs::remove_file(idx).expect("remove .idx");
    assert_status_shows_the_store(&s.trove, n, "damaged or incomplete");

    // A missing index: the generation `CURRENT` names is gone.
    std::fs::remove_dir_all(&gen).expect("remove generation");
    assert_status_shows_the_store(&s.trove, n, "does not exist");

    // `rebuild` restores it, and status is healthy again.
    s.trove.ok(&["rebuild"]);
    let status = s.trove.status();
    assert_eq!(
        status["index"]["documents"].as_u64(),
        Some(n as u64),
        "{status}"
    );
}
