//! End-to-end test of `trove demo`: the real binary starts the fakes with the demo company,
//! syncs it, and prints answers to a few questions; afterwards the data folder is searchable
//! with `trove search`.

mod util;

use util::Trove;

#[test]
fn demo_prints_answers_with_urls_and_leaves_a_searchable_index() {
    let t = Trove::new();
    let out = t.ok(&["demo", "--scale", "0"]);
    for expected in [
        "? Who approves travel over $2,000?",
        "→ Travel and expense policy  (People)",
        "? Why did the March 3 outage happen?",
        "→ Postmortem: API outage on March 3  (Engineering › Incident postmortems)",
        "→ Roll back a bad deploy  (Engineering › Runbooks)",
        "$ trove search 'source:demo-monday tags:blocked'",
        "https://www.notion.so/Travel-and-expense-policy-",
        "https://kestrel.monday.com/boards/",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    for marker in ["zq", "itemmark", "updmark", "Showcase of every block"] {
        assert!(!out.contains(marker), "{marker:?} in:\n{out}");
    }
    let blocked = out
        .split("? What is tagged blocked on monday.com?")
        .nth(1)
        .unwrap_or_default();
    assert_eq!(blocked.matches("  → ").count(), 3, "{blocked}");
    assert!(!blocked.contains("notion.so"), "{blocked}");

    let hits = t.search("who approves travel over $2,000?", &[]);
    assert_eq!(hits["hits"][0]["title"], "Travel and expense policy");
}
