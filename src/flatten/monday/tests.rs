//! Snapshot tests of [`super::flatten_item`] over the real recorded fixtures
//! (`monday/` of [`trove_fakes::fixtures`]), plus one hand-built item covering every column rule.

use serde_json::{json, Value};

use super::*;

fn fixture(rel: &str) -> Value {
    let path = trove_fakes::fixtures::path(&format!("monday/{rel}"))
        .display()
        .to_string();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn ctx<'a>(board: &'a Value) -> ItemContext<'a> {
    ItemContext {
        source: "monday",
        board,
        columns: None,
        parent: None,
        account_slug: Some("acme"),
    }
}

/// The document without `raw` (checked separately), as snapshots show it.
fn view(f: &Flattened, item: &Value) -> Value {
    assert_eq!(&f.doc.raw, item, "raw must be the item JSON");
    let mut v = serde_json::to_value(&f.doc).unwrap();
    v.as_object_mut().unwrap().remove("raw");
    v["unknown_types"] = json!(f.unknown_types);
    v
}

#[test]
fn airbyte_board_item_with_status() {
    trove_fakes::require_fixtures!();
    let resp = fixture("airbyte/boards_with_items_page.json");
    let board = &resp["data"]["boards"][0];
    let item = &board["items_page"]["items"][0];
    let f = flatten_item(item, &ctx(board));
    assert_eq!(f.doc.tags, vec!["Working well"]);
    insta::assert_json_snapshot!(view(&f, item));
}

#[test]
fn airbyte_items_page_item_without_board_columns() {
    trove_fakes::require_fixtures!();
    let resp = fixture("airbyte/items_page.json");
    let item = &resp["data"]["boards"][0]["items_page"]["items"][0];
    let board = json!({"id": "4635211873", "name": "Test Board", "workspace": null});
    let f = flatten_item(item, &ctx(&board));
    assert_eq!(f.doc.body, "status: Working on it");
    insta::assert_json_snapshot!(view(&f, item));
}

#[test]
fn vcr_items_pages_get_fallback_urls_and_paths() {
    trove_fakes::require_fixtures!();
    let columns = fixture("real_vcr_monday_ruby/boards_columns_2024-07.json");
    let board = json!({
        "id": "18265981856", "name": "Test Board",
        "workspace": {"id": "7450850", "name": "Test Workspace"},
        "columns": columns["data"]["boards"][0]["columns"],
    });
    let mut docs = Vec::new();
    for file in [
        "items_page_page1_limit5_with_cursor_2025-07.json",
        "items_page_page2_via_items_page_cursor_arg_2025-07.json",
        "items_page_state_created_at_2025-07.json",
        "items_page_single_page_cursor_null_2025-07.json",
    ] {
        let resp = fixture(&format!("real_vcr_monday_ruby/{file}"));
        for item in resp["data"]["boards"][0]["items_page"]["items"]
            .as_array()
            .unwrap()
        {
            docs.push(view(&flatten_item(item, &ctx(&board)), item));
        }
    }
    insta::assert_json_snapshot!(docs);
}

#[test]
fn vcr_subitem_has_parent_and_path() {
    trove_fakes::require_fixtures!();
    let parent =
        fixture("real_vcr_monday_ruby/items_by_ids_found_2025-07.json")["data"]["items"][0].clone();
    let mut parent = parent;
    parent["group"] = json!({"id": "topics", "title": "Group Title"});
    let subs = fixture("real_vcr_monday_ruby/item_subitems_2024-07.json");
    let sub = &subs["data"]["items"][0]["subitems"][0];
    let board = json!({"id": "1", "name": "Board", "workspace": null});
    let mut c = ctx(&board);
    c.parent = Some(&parent);
    let f = flatten_item(sub, &c);
    assert_eq!(f.doc.kind, "subitem");
    assert_eq!(f.doc.parent_id.as_deref(), Some("monday:18273365542"));
    insta::assert_json_snapshot!(view(&f, sub));
}

#[test]
fn vcr_root_updates_become_body_blocks() {
    trove_fakes::require_fixtures!();
    let updates = fixture("real_vcr_monday_ruby/updates_root_2024-07.json");
    let item = json!({
        "id": "7092692321", "name": "New Item Test", "url": "",
        "column_values": [],
        "updates": updates["data"]["updates"],
    });
    let board = json!({"id": "1", "name": "Board"});
    let f = flatten_item(&item, &ctx(&board));
    insta::assert_snapshot!(f.doc.body);
}

/// Every column rule at once: display_value, tags, people, empty and unknown columns, HTML
/// updates with replies, the synthetic `name` column.
fn rich_item() -> Value {
    json!({
        "id": "42", "name": "Launch \"v2\"", "url": "https://acme.monday.com/boards/7/pulses/42",
        "created_at": "2025-01-01T09:00:00Z", "updated_at": "2025-01-03T10:00:00Z",
        "creator": {"id": "1", "name": "Ann Lee"},
        "group": {"id": "g1"},
        "subitems": [{"id": "43", "name": "Write notes"}],
        "column_values": [
            {"id": "name", "type": "name", "text": "Launch", "value": null},
            {"id": "status", "type": "status", "text": "Done", "value": "{\"index\":1}"},
            {"id": "owner", "type": "people", "text": "Bob Stone, Ann Lee", "value": null},
            {"id": "labels", "type": "tags", "text": "urgent, web", "value": null},
            {"id": "drop", "type": "dropdown", "text": "A, B", "value": null},
            {"id": "mirror", "type": "mirror", "text": null, "display_value": "Acme Corp"},
            {"id": "rel", "type": "board_relation", "text": null, "display_value": "Deal 1, Deal 2"},
            {"id": "dep", "type": "dependency", "text": null, "display_value": ""},
            {"id": "notes", "type": "long_text", "text": "", "value": null},
            {"id": "empty_status", "type": "status", "text": null, "value": null},
            {"id": "future", "type": "hologram", "text": "3D", "value": null},
            {"id": "future2", "type": "hologram", "text": null, "value": "{}"},
            {"id": "orphan", "type": "text", "text": "no title on board", "value": null}
        ],
        "updates": [{
            "id": "u1", "body": "<p>\u{feff}Shipped <b>today</b></p>", "text_body": "Shipped today",
            "created_at": "2025-01-02T08:00:00Z", "creator": {"id": "2", "name": "Bob Stone"},
            "replies": [
                {"id": "r1", "body": "<p>Great!</p>", "created_at": "2025-01-02T09:00:00Z",
                 "creator": {"id": "1", "name": "Ann Lee"}},
                {"id": "r2", "body": "<img src=\"x.png\">", "text_body": "", "created_at": null, "creator": null}
            ]
        }, {"id": "u2", "body": "", "text_body": "plain only", "created_at": "2025-01-02T07:00:00Z"}]
    })
}

#[test]
fn rich_item_covers_every_column_rule() {
    let board = json!({
        "id": "7", "name": "Roadmap", "workspace": {"id": "3", "name": "Product"},
        "groups": [{"id": "g1", "title": "Q1"}],
        "columns": [
            {"id": "status", "title": "Status", "type": "status"},
            {"id": "owner", "title": "Owner", "type": "people"},
            {"id": "labels", "title": "Labels", "type": "tags"},
            {"id": "drop", "title": "Kind", "type": "dropdown"},
            {"id": "mirror", "title": "Client", "type": "mirror"},
            {"id": "rel", "title": "Deals", "type": "board_relation"},
            {"id": "dep", "title": "Blocked by", "type": "dependency"},
            {"id": "notes", "title": "Notes", "type": "long_text"},
            {"id": "future", "title": "Hologram", "type": "hologram"}
        ]
    });
    let item = rich_item();
    let f = flatten_item(&item, &ctx(&board));
    assert_eq!(f.unknown_types, 1);
    assert_eq!(f.doc.authors, vec!["Bob Stone", "Ann Lee"]);
    assert_eq!(f.doc.tags, vec!["Done", "urgent", "web", "A", "B"]);
    assert_eq!(f.doc.path, vec!["Product", "Roadmap", "Q1"]);
    insta::assert_json_snapshot!(view(&f, &item));
}

#[test]
fn garbage_item_never_panics() {
    let board = json!(null);
    for item in [
        json!(null),
        json!([]),
        json!({"column_values": 3, "updates": [1, "x"]}),
    ] {
        let f = flatten_item(&item, &ctx(&board));
        assert_eq!(f.doc.kind, "item");
    }
}

#[test]
fn parse_time_accepts_api_formats() {
    assert!(parse_time("2025-10-24T18:30:06Z").is_some());
    assert!(parse_time("2025-02-12 06:54:18 +0000").is_some());
    assert!(parse_time("2023-06-11").is_some());
    assert!(parse_time("soon").is_none());
}
