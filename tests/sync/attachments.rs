//! End-to-end tests of attachment text (issue 12): the real binary syncs a fake Notion
//! workspace whose page holds PDF, text, Markdown and CSV files, an oversize file, an
//! encrypted and a corrupt PDF, a link that has expired by the time it is fetched, and a
//! redirect to a foreign host; a data-source row holds a `files` property.
//!
//! Checks: the text of every readable file is in `trove export` (as its page's part, under its
//! file name) and found by `trove search`; the others are `status --skipped` entries with their
//! reasons and the sync succeeds; the expired link is renewed by re-reading its block; no
//! download carries an `Authorization` header; the foreign host is never contacted; the text is
//! kept in the store's `attachments` table; an unchanged page is not downloaded again. The
//! same for monday.com items' file columns (`assets`), whose `file_size` lets an oversize
//! file be skipped without downloading it.

use crate::notion_harness::*;
use crate::util::hit_ids;
use trove::store::Store;
use trove_fakes::notion::{generate, AttachmentShowcase, GenSpec};

fn setup() -> (Setup, AttachmentShowcase) {
    let mut ws = generate(&GenSpec {
        pages: 12,
        max_depth: 3,
        wide_page_children: 10,
        database_rows: 4,
        ..GenSpec::default()
    });
    let sc = ws.add_attachment_showcase().expect("showcase");
    let s = Setup::new(ws);
    let mut toml = std::fs::read_to_string(&s.config).expect("config");
    toml.push_str("\n[attachments]\nmax_file_mb = 1\nmax_pdf_pages = 50\n");
    std::fs::write(&s.config, toml).expect("write config");
    (s, sc)
}

#[test]
fn attachment_text_is_exported_searchable_and_skips_are_explained() {
    let (s, sc) = setup();
    let out = s.sync(&[]);
    assert!(out.contains("added"), "{out}");

    // Every readable file's words are in its page's document, under the file's name.
    let docs = export(&s.trove);
    let page = &docs[&format!("notion:{}", sc.page)];
    for (word, name) in sc.readable.iter().filter(|(_, n)| n != "brief.md") {
        assert!(
            page.body.contains(word.as_str()),
            "{word} of {name} missing:\n{}",
            page.body
        );
        assert!(page.body.contains(&format!("Attachment: {name}")), "{name}");
    }
    let row = sc.row.as_ref().expect("row with files property");
    assert!(docs[&format!("notion:{row}")].body.contains("snorkelwick"));
    for (id, d) in &docs {
        for w in &sc.hidden_words {
            assert!(!d.body.contains(w.as_str()), "{w} indexed in {id}");
        }
    }

    // Searchable through the CLI.
    for (word, _) in &sc.readable {
        let v = s.trove.search(word, &[]);
        let want = if word == "snorkelwick" { row } else { &sc.page };
        assert_eq!(hit_ids(&v), vec![format!("notion:{want}")], "{word}: {v}");
    }

    // Skipped files are listed with their reasons.
    let status = s.trove.ok(&["status", "--skipped"]);
    for (name, why) in &sc.skipped {
        let line = status
            .lines()
            .find(|l| l.contains(&format!("{name}:")))
            .unwrap_or_else(|| panic!("{name} not skipped:\n{status}"));
        assert!(line.contains("attachment"), "{line}");
        assert!(
            line.contains(why.as_str()),
            "{name}: want `{why}` in {line}"
        );
    }

    // The expired link was renewed by re-reading the block; nothing carried the token or any
    // Authorization header; the foreign host was never asked.
    let stats = s.fake.file_stats();
    assert!(stats.expired >= 1, "{stats:?}");
    let notes = stats
        .issued
        .iter()
        .find(|(k, _)| k.ends_with("notes.txt"))
        .map(|(_, n)| *n);
    assert!(notes.is_some_and(|n| n >= 2), "{stats:?}");
    assert_eq!(stats.with_authorization, 0, "{stats:?}");
    assert_eq!(stats.foreign_host, 0, "{stats:?}");

    // The store keeps each file's text or reason, keyed without the expiring link.
    let store = Store::open(&s.trove.data()).expect("store");
    let kept = store
        .attachments(&format!("notion:{}", sc.page))
        .expect("attachments");
    assert_eq!(kept.len(), 8, "{kept:?}");
    assert!(kept.iter().all(|a| !a.key.contains("X-Amz")), "{kept:?}");
    let pdf = kept
        .iter()
        .find(|a| a.name == "spec.pdf")
        .expect("spec.pdf");
    assert!(pdf.text.as_deref().unwrap_or("").contains("zanzibarite"));
    let locked = kept
        .iter()
        .find(|a| a.name == "locked.pdf")
        .expect("locked");
    assert!(locked.text.is_none() && locked.skipped.is_some());
    drop(store);

    // An unchanged workspace downloads nothing again and keeps the text.
    let before: u64 = s.fake.file_stats().downloads.values().sum();
    let out = s.sync(&[]);
    assert!(out.contains("0 added, 0 updated, 0 deleted"), "{out}");
    let after: u64 = s.fake.file_stats().downloads.values().sum();
    assert_eq!(before, after);
    let v = s.trove.search("zanzibarite", &[]);
    assert_eq!(hit_ids(&v), vec![format!("notion:{}", sc.page)]);
}

#[test]
fn monday_file_columns_are_read_and_limits_explained() {
    use trove_fakes::files::{pdf, Behaviour, FakeFile};
    use trove_fakes::monday::{generate as generate_monday, Faults, GenSpec as MondaySpec};

    let mut acc = generate_monday(&MondaySpec::small());
    let (board, column) = acc
        .boards
        .iter()
        .find_map(|b| {
            let col = b.columns.iter().find(|c| c.col_type == "file")?;
            Some((b.id, col.id.clone()))
        })
        .expect("a board with a file column");
    let item = acc
        .items
        .values()
        .find(|i| i.board_id == board && i.parent_id.is_none())
        .map(|i| i.id)
        .expect("an item");
    let files = [
        FakeFile::new(
            "plan.pdf",
            "application/pdf",
            pdf(&["monday plan quasarine"]),
        ),
        FakeFile::new(
            "old.md",
            "text/markdown",
            b"expiring flumpish note".to_vec(),
        )
        .with(Behaviour::ExpireFirstUrl),
        FakeFile::new("huge.txt", "text/plain", vec![b'z'; 3 * 1024 * 1024]),
        FakeFile::new("away.txt", "text/plain", b"offsite grindlewort".to_vec())
            .with(Behaviour::ForeignRedirect),
    ];
    let ids: Vec<u64> = files
        .into_iter()
        .map(|f| acc.add_file_asset(item, &column, f).expect("asset added"))
        .collect();
    let huge = format!("asset-{}", ids[2]);
    let generated: Vec<String> = acc
        .items
        .values()
        .filter(|i| i.parent_id.is_none() && i.id != item)
        .flat_map(|i| i.cells.values())
        .filter_map(|c| c.value.as_ref()?.get("files")?.as_array().cloned())
        .flatten()
        .filter(|f| {
            f["name"]
                .as_str()
                .is_some_and(|n| n.ends_with(".pdf") || n.ends_with(".txt"))
        })
        .filter_map(|f| f["assetId"].as_u64())
        .map(trove_fakes::monday::attach::asset_marker)
        .collect();
    assert!(!generated.is_empty());

    let env =
        crate::monday_harness::Env::start(acc, crate::monday_harness::NO_LIMIT, Faults::none());
    let mut toml = std::fs::read_to_string(&env.config).expect("config");
    toml.push_str("\n[attachments]\nmax_file_mb = 1\n");
    std::fs::write(&env.config, toml).expect("write config");
    env.sync_ok();

    let docs = env.export();
    let body = &docs
        .iter()
        .find(|d| d.id == format!("monday:{item}"))
        .expect("item exported")
        .body;
    for word in [
        "quasarine",
        "flumpish",
        "Attachment: plan.pdf",
        "Attachment: old.md",
    ] {
        assert!(body.contains(word), "{word} missing:\n{body}");
    }
    assert!(!docs.iter().any(|d| d.body.contains("grindlewort")));
    let all: String = docs.iter().map(|d| d.body.as_str()).collect();
    let missing: Vec<_> = generated
        .iter()
        .filter(|m| !all.contains(m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "generated assets not indexed: {missing:?}"
    );
    let v = env.t.search("quasarine", &[]);
    assert_eq!(hit_ids(&v), vec![format!("monday:{item}")], "{v}");

    let status = env.t.ok(&["status", "--skipped"]);
    for (name, why) in [("huge.txt", "limit"), ("away.txt", "redirect")] {
        let line = status
            .lines()
            .find(|l| l.contains(&format!("{name}:")))
            .unwrap_or_else(|| panic!("{name} not skipped:\n{status}"));
        assert!(line.contains(why), "{line}");
    }
    let stats = env.fake.file_stats();
    assert!(stats.expired >= 1, "{stats:?}");
    assert_eq!(stats.with_authorization, 0, "{stats:?}");
    assert_eq!(stats.foreign_host, 0, "{stats:?}");
    // Its `file_size` was over the limit: never downloaded.
    assert!(!stats.downloads.contains_key(&huge), "{stats:?}");
}
