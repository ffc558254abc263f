use super::*;
use crate::ingest::{Batch, Sink, Skip};

fn doc(id: &str, body: &str) -> Document {
    Document::new(id, format!("title {id}"), body)
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

#[test]
fn upsert_assigns_increasing_seq_and_skips_unchanged() {
    let (_d, mut s) = open();
    let r = s.upsert_all(&[doc("a:1", "x"), doc("a:2", "y")]).unwrap();
    assert_eq!(r, vec![Upserted::Added, Upserted::Added]);
    assert_eq!(s.max_seq().unwrap(), 2);
    let r = s
        .upsert_all(&[doc("a:1", "x"), doc("a:2", "changed")])
        .unwrap();
    assert_eq!(r, vec![Upserted::Unchanged, Upserted::Updated]);
    assert_eq!(s.max_seq().unwrap(), 3);
}

#[test]
fn changes_since_returns_upserts_and_deletes_after_seq() {
    let (_d, mut s) = open();
    s.upsert_all(&[doc("a:1", "x"), doc("a:2", "y")]).unwrap();
    let seen = s.max_seq().unwrap();
    s.delete_all(&["a:1".into()]).unwrap();
    s.upsert_all(&[doc("a:3", "z")]).unwrap();
    let mut changes = Vec::new();
    let upto = s
        .changes_since(seen, |c| {
            changes.push(match c {
                Change::Upsert(d) => format!("+{}", d.id),
                Change::Delete(id) => format!("-{id}"),
            });
            Ok(())
        })
        .unwrap();
    assert_eq!(upto, 4);
    assert_eq!(changes, vec!["-a:1", "+a:3"]);
}

#[test]
fn delete_removes_subtree_iteratively() {
    let (_d, mut s) = open();
    let mut docs = Vec::new();
    for i in 0..2000 {
        let mut d = doc(&format!("n:{i}"), "b");
        if i > 0 {
            d.parent_id = Some(format!("n:{}", i - 1));
        }
        docs.push(d);
    }
    s.upsert_all(&docs).unwrap();
    s.upsert_all(&[doc("n:other", "b")]).unwrap();
    assert_eq!(s.delete_all(&["n:0".into()]).unwrap(), 2000);
    assert_eq!(s.count(None).unwrap(), 1);
}

#[test]
fn raw_json_round_trips_compressed() {
    let (_d, mut s) = open();
    let mut d = doc("a:1", "x");
    d.raw = serde_json::json!({"object": "page", "blocks": [1, 2, 3]});
    d.tags = vec!["Done".into()];
    d.updated_at = Some(Utc::now());
    s.upsert_all(std::slice::from_ref(&d)).unwrap();
    let back = s.get("a:1").unwrap().unwrap();
    assert_eq!(back.raw, d.raw);
    assert_eq!(back.tags, d.tags);
    assert_eq!(
        back.updated_at.map(|t| t.timestamp_micros()),
        d.updated_at.map(|t| t.timestamp_micros())
    );
}

#[test]
fn sink_commits_batch_with_state_atomically() {
    let (_d, mut s) = open();
    {
        let mut sink = SourceSink::new(&mut s, "n", SourceKind::Notion);
        assert!(sink.load_state().unwrap().is_none());
        sink.commit(Batch {
            upserts: vec![doc("n:1", "x")],
            skipped: vec![Skip {
                native_id: "p9".into(),
                what: "page".into(),
                reason: "403 restricted_resource".into(),
            }],
            state: Some(serde_json::json!({"hwm": "2025-01-01"})),
            ..Batch::default()
        })
        .unwrap();
        assert_eq!(sink.load_state().unwrap().unwrap()["hwm"], "2025-01-01");
        assert_eq!(sink.list_docs().unwrap().len(), 1);
        assert!(sink.doc_meta("n:1").unwrap().is_some());
        assert_eq!(sink.counts.added, 1);
    }
    assert_eq!(s.skipped(Some("n")).unwrap().len(), 1);
}

#[test]
fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(dir.path()).unwrap();
        s.upsert_all(&[doc("a:1", "x")]).unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.count(None).unwrap(), 1);
    assert_eq!(s.max_seq().unwrap(), 1);
}

#[test]
fn snippets_materialise_whole_20mb_bodies() {
    let (_d, mut s) = open();
    let huge = "é".repeat(10 << 20); // 20 MB of two-byte characters
    s.upsert_all(&[doc("a:1", &huge), doc("a:2", "short")])
        .unwrap();
    let got = s.body_prefixes(&["a:1", "a:2", "a:404"], 1000).unwrap();
    assert_eq!(got["a:1"].chars().count(), 1000, "cut by characters");
    assert_eq!(got["a:1"].len(), 2000);
    assert_eq!(got["a:2"], "short");
    assert!(!got.contains_key("a:404"));
}

#[test]
fn parts_and_context_commit_with_their_batch_and_parts_leave_with_their_document() {
    let (_d, mut s) = open();
    let part = |raw: serde_json::Value| crate::ingest::DocPart {
        doc_id: "n:1".into(),
        name: "comments".into(),
        raw,
    };
    {
        let mut sink = SourceSink::new(&mut s, "n", SourceKind::Notion);
        sink.commit(Batch {
            upserts: vec![doc("n:1", "x")],
            parts: vec![part(serde_json::json!([{"id": "c1"}]))],
            context: vec![("notion.users".into(), serde_json::json!({"u": "Ada"}))],
            ..Batch::default()
        })
        .unwrap();
        assert_eq!(sink.parts("n:1").unwrap()[0].raw[0]["id"], "c1");
        assert_eq!(sink.stored("n:1").unwrap().unwrap().body, "x");
    }
    assert_eq!(s.context("n", "notion.users").unwrap().unwrap()["u"], "Ada");
    assert!(s.context("n", "other").unwrap().is_none());
    assert_eq!(s.all_parts().unwrap().len(), 1);
    {
        let mut sink = SourceSink::new(&mut s, "n", SourceKind::Notion);
        sink.commit(Batch {
            parts: vec![part(serde_json::Value::Null)],
            ..Batch::default()
        })
        .unwrap();
    }
    assert!(s.parts("n:1").unwrap().is_empty(), "a null part removes it");
    {
        let mut sink = SourceSink::new(&mut s, "n", SourceKind::Notion);
        sink.commit(Batch {
            parts: vec![part(serde_json::json!([]))],
            ..Batch::default()
        })
        .unwrap();
    }
    s.delete_all(&["n:1".into()]).unwrap();
    assert!(
        s.all_parts().unwrap().is_empty(),
        "deleted with the document"
    );
}

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn data_folder_is_0755_and_store_0644() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut s = Store::open(&data).unwrap();
    s.upsert_all(&[doc("a:1", "x")]).unwrap();
    assert_eq!(mode(&data), 0o700, "data folder");
    for f in ["", "-wal", "-shm"] {
        let p = data.join(format!("{STORE_FILE}{f}"));
        assert!(p.exists(), "{}", p.display());
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

#[cfg(unix)]
#[test]
fn data_folder_is_0755_and_store_0644_upgraded_when_reopened() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    drop(Store::open(&data).unwrap());
    // What an older trove left behind.
    let set = |p: &std::path::Path, m| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    set(&data, 0o755);
    set(&data.join(STORE_FILE), 0o644);
    let s = Store::open(&data).unwrap();
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join(STORE_FILE)), 0o600);
    drop(s);
}

#[test]
fn body_head_gives_a_short_body_whole_and_a_long_one_cut_at_a_character() {
    let (_d, mut s) = open();
    let long = "é".repeat(3000); // 6,000 bytes
    s.upsert_all(&[doc("a:short", "a short body"), doc("a:long", &long)])
        .unwrap();
    let head = |id: &str, n: usize| s.body_head(id, n).unwrap();
    assert_eq!(head("a:short", 2048), Some(("a short body".into(), true)));
    assert_eq!(head("a:short", 12), Some(("a short body".into(), true)));
    assert_eq!(head("a:short", 11), Some(("a short bod".into(), false)));
    assert_eq!(head("a:long", 6000), Some((long.clone(), true)));
    // 2,047 bytes end inside a two-byte character: cut back to 1,023 whole ones.
    assert_eq!(head("a:long", 2047), Some(("é".repeat(1023), false)));
    assert_eq!(head("a:missing", 2048), None);
}
