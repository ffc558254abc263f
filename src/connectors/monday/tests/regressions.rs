//! Regressions found by the end-to-end tests (`tests/sync/monday.rs`), each run against the
//! full fake monday.com server of [`trove_fakes::monday`].

use super::*;
use trove_fakes::monday::{generate, FakeMonday, FakeMondayOptions, GenSpec};

async fn small_fake() -> FakeMonday {
    FakeMonday::start(FakeMondayOptions {
        account: generate(&GenSpec::small()),
        token: TOKEN.into(),
        ..FakeMondayOptions::default()
    })
    .await
    .unwrap()
}

/// One sync of `fake` into `sink` (incremental when the sink holds a state), no waiting.
async fn sync_into(fake: &FakeMonday, sink: &mut MemSink) {
    let tuning = Tuning {
        time_scale: 0.0,
        ..Tuning::default()
    };
    let opts = SyncOptions::default();
    let p = RecordingProgress::default();
    let cfg = config(&fake.url());
    let run = SyncRun {
        cfg: &cfg,
        sink,
        opts: &opts,
        progress: &p,
    };
    super::sync(run, tuning).await.unwrap();
}

/// Formula columns have an empty `text`; their value is only in `FormulaValue.display_value`,
/// which the item query did not ask for, so formula results were never indexed.
#[tokio::test]
async fn formula_columns_indexed_from_display_value() {
    let fake = small_fake().await;
    let mut sink = MemSink::default();
    sync_into(&fake, &mut sink).await;
    let acc = fake.account();
    let mut checked = 0;
    for item in acc.items.values() {
        let board = acc.board(item.board_id).unwrap();
        for col in board.columns.iter().filter(|c| c.col_type == "formula") {
            let cell = acc.cell_or_empty(item, col);
            let Some(shown) = cell.display_value.filter(|s| !s.is_empty()) else {
                continue;
            };
            let doc = &sink.docs[&format!("mon:{}", item.id)];
            let line = format!("{}: {shown}", col.title);
            assert!(doc.body.contains(&line), "`{line}` missing:\n{}", doc.body);
            checked += 1;
        }
    }
    assert!(checked > 0, "the account has no formula values");
}

/// Editing a subitem does not bump its parent's `updated_at`, and subitems were only fetched
/// with a changed parent, so incremental syncs never saw subitem edits.
#[tokio::test]
async fn subitem_edits_found_by_incremental_sync() {
    let fake = small_fake().await;
    let mut sink = MemSink::default();
    sync_into(&fake, &mut sink).await;
    let acc = fake.account();
    let sub = acc.items.values().find(|i| i.parent_id.is_some()).unwrap();
    let parent = sub.parent_id.unwrap();
    assert!(fake.edit_item_name(&sub.id.to_string(), "Wombat checklist"));
    assert!(fake.set_column_text(&sub.id.to_string(), "text", "axolotl review"));
    sync_into(&fake, &mut sink).await;
    let doc = &sink.docs[&format!("mon:{}", sub.id)];
    assert_eq!(doc.title, "Wombat checklist");
    assert!(doc.body.contains("axolotl review"), "{}", doc.body);
    let parent = &sink.docs[&format!("mon:{parent}")];
    assert!(parent.body.contains("Wombat checklist"), "{}", parent.body);
}

/// A reply bumps neither its update nor its item, and only updates created since the mark
/// were looked at, so a reply to a comment from two days ago was never indexed.
#[tokio::test]
async fn replies_to_older_updates_found_by_incremental_sync() {
    let fake = small_fake().await;
    let mut sink = MemSink::default();
    sync_into(&fake, &mut sink).await;
    let acc = fake.account();
    let mut items: Vec<_> = acc
        .items
        .values()
        .filter(|i| i.parent_id.is_none())
        .collect();
    items.sort_by_key(|i| i.updated_at);
    let (item, other) = (items[0].id, items[1].id);
    let update = fake
        .add_update(&item.to_string(), "<p>Kickoff notes</p>")
        .unwrap();
    sync_into(&fake, &mut sink).await;
    // Two days later a newer comment elsewhere moves the updates mark past the first one.
    fake.advance_clock(std::time::Duration::from_secs(2 * 86_400));
    fake.add_update(&other.to_string(), "<p>Unrelated</p>")
        .unwrap();
    sync_into(&fake, &mut sink).await;
    fake.add_reply(&update, "<p>Late narwhal answer</p>")
        .unwrap();
    sync_into(&fake, &mut sink).await;
    let body = &sink.docs[&format!("mon:{item}")].body;
    assert!(body.contains("Late narwhal answer"), "{body}");
}

/// Archiving a subitem touches neither the parent nor any listing the crawl reads, so the
/// subitem's document went but the parent's body still listed it under `Subitems:`.
#[tokio::test]
async fn archived_subitem_left_in_parent_subitem_list() {
    let fake = small_fake().await;
    let mut sink = MemSink::default();
    sync_into(&fake, &mut sink).await;
    let acc = fake.account();
    let sub = acc.items.values().rfind(|i| i.parent_id.is_some()).unwrap();
    let parent = format!("mon:{}", sub.parent_id.unwrap());
    assert!(sink.docs[&parent].body.contains(&sub.name));
    assert!(fake.archive_item(&sub.id.to_string()));
    sync_into(&fake, &mut sink).await;
    assert!(!sink.docs.contains_key(&format!("mon:{}", sub.id)));
    let body = &sink.docs[&parent].body;
    assert!(!body.contains(&sub.name), "{body}");
}
