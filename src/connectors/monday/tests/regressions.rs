//! Regressions found by the end-to-end tests (`tests/monday_sync.rs`), each run against the
//! full fake monday.com server of [`crate::fakes::monday`].

use super::*;
use crate::fakes::monday::{generate, Account, FakeMonday, FakeMondayOptions, GenSpec};

async fn crawl_fake(account: Account) -> (FakeMonday, MemSink) {
    let fake = FakeMonday::start(FakeMondayOptions {
        account,
        token: TOKEN.into(),
        ..FakeMondayOptions::default()
    })
    .await
    .unwrap();
    let mut sink = MemSink::default();
    let tuning = Tuning {
        time_scale: 0.0,
        ..Tuning::default()
    };
    let opts = SyncOptions::default();
    let p = Recorder::default();
    sync_tuned(&config(&fake.url()), &mut sink, &opts, &p, tuning)
        .await
        .unwrap();
    (fake, sink)
}

/// Formula columns have an empty `text`; their value is only in `FormulaValue.display_value`,
/// which the item query did not ask for, so formula results were never indexed.
#[tokio::test]
async fn formula_columns_indexed_from_display_value() {
    let (fake, sink) = crawl_fake(generate(&GenSpec::small())).await;
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
