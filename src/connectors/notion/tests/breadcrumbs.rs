//! Breadcrumbs must not depend on crawl order (regressions found by tests/sync/notion.rs).

use serde_json::json;

use super::fake::*;
use super::{run, workspace};

/// Regression (found by tests/sync/notion.rs): a page search returns whose parent search omits
/// was built before the crawl reached that parent, so its breadcrumb was cut short, and how
/// short depended on timing (a resumed sync ended with other breadcrumbs than a clean one).
#[tokio::test]
async fn breadcrumb_waits_for_an_ancestor_search_omits() {
    let mut f = workspace();
    f.hidden.remove("grand");
    // Root's content arrives late: Grand is fetched before Child is known.
    for _ in 0..3 {
        f.fault("blocks/root/children", (503, vec![], "{}".into()));
    }
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    let summary = run(&config(&base), &mut sink, false).await.unwrap();
    assert_eq!(summary.added, 8, "{summary:?}");
    let docs = sink.summary();
    assert_eq!(
        docs["notion:grand"]["path"],
        json!(["Root", "Child"]),
        "{docs}"
    );
    assert_eq!(docs["notion:child"]["path"], json!(["Root"]), "{docs}");
}

/// Regression (found by tests/sync/notion.rs): a page search lists with a `block_id` parent was
/// noted as top-level until its own task found its page, so a descendant built in between got
/// a breadcrumb that stopped there.
#[tokio::test]
async fn breadcrumb_waits_for_a_block_parented_ancestor() {
    let mut f = workspace();
    f.set_children(
        "inner",
        vec![para("b6", "Inner text"), child_page("deep", "Deep")],
    );
    f.add_page(
        page("deep", "Deep", under("inner"), "2026-01-02T12:00:00.000Z"),
        vec![para("b7", "Deep text")],
    );
    // Finding Inner's page (climbing from its toggle) is slow.
    for _ in 0..3 {
        f.fault("blocks/t1", (503, vec![], "{}".into()));
    }
    let (base, _s) = serve(f).await;
    let mut sink = MemSink::default();
    run(&config(&base), &mut sink, false).await.unwrap();
    let docs = sink.summary();
    assert_eq!(
        docs["notion:deep"]["path"],
        json!(["Root", "Inner"]),
        "{docs}"
    );
}
