//! Snapshot tests over the real recorded responses in `notion/` of the fixtures folder
//! ([`trove_fakes::fixtures`]).

use serde_json::{json, Value};

use super::*;

/// The recorded block, page and database responses of notion_ruby_mapping.
const HKOB: &str = "notion/hkob-notion_ruby_mapping";

fn load(rel: String) -> Value {
    let path = trove_fakes::fixtures::path(&rel).display().to_string();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn hkob(name: &str) -> Value {
    load(format!("{HKOB}/{name}.json"))
}

/// Response bodies of a recorded cassette whose request line contains `needle`.
fn cassette(name: &str, needle: &str) -> Vec<Value> {
    let exchanges = load(format!("notion/sdk-py-cassettes/{name}.json"));
    exchanges
        .as_array()
        .into_iter()
        .flatten()
        .filter(|x| {
            let line = format!("{} {}", x["request"]["method"], x["request"]["uri"]);
            line.contains(needle)
        })
        .map(|x| x["response"]["body"].clone())
        .collect()
}

fn users() -> Lookup {
    let mut lookup = Lookup::default();
    for u in hkob("retrieve_users_all")["results"].as_array().unwrap() {
        if let (Some(id), Some(name)) = (u["id"].as_str(), u["name"].as_str()) {
            lookup.users.insert(id.to_owned(), name.to_owned());
        }
    }
    lookup
}

fn one_block(block: Value) -> Flat<String> {
    flatten_blocks(&[block_entry(0, block)], &Lookup::default())
}

#[test]
fn every_block_fixture_flattens() {
    trove_fakes::require_fixtures!();
    let mut names: Vec<String> = std::fs::read_dir(trove_fakes::fixtures::path(HKOB))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("retrieve_block_") && !n.contains("children"))
        .collect();
    names.sort();
    let mut out = String::new();
    for name in names {
        let v = load(format!("{HKOB}/{name}"));
        if v["object"] != "block" {
            continue;
        }
        let flat = one_block(v);
        out.push_str(&format!(
            "== {name} (unknown {})\n{}\n",
            flat.unknown, flat.value
        ));
    }
    insta::assert_snapshot!(out);
}

/// The block test page with its table, column and column-list children spliced in at the
/// depths the crawler would give them.
fn block_test_page() -> Vec<BlockEntry> {
    let kids = |name: &str| hkob(name)["results"].as_array().unwrap().clone();
    let mut out = Vec::new();
    for b in kids("retrieve_block_children_block_test_page") {
        let ty = b["type"].as_str().unwrap_or("").to_owned();
        out.push(block_entry(0, b));
        match ty.as_str() {
            "table" => out.extend(
                kids("retrieve_block_children_table")
                    .into_iter()
                    .map(|r| block_entry(1, r)),
            ),
            "column_list" => {
                for (i, col) in kids("retrieve_block_children_column_list")
                    .into_iter()
                    .enumerate()
                {
                    out.push(block_entry(1, col));
                    if i == 0 {
                        out.extend(
                            kids("retrieve_block_children_column1")
                                .into_iter()
                                .map(|p| block_entry(2, p)),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn block_test_page_flattens() {
    trove_fakes::require_fixtures!();
    let mut lookup = users();
    lookup.titles.insert(
        "c01166c6-13ae-45cb-b968-18b4ef2f5a77".into(),
        "notion_ruby_mapping_test_data".into(),
    );
    let flat = flatten_blocks(&block_test_page(), &lookup);
    insta::assert_snapshot!(format!("unknown: {}\n{}", flat.unknown, flat.value));
}

#[test]
fn inline_contents_keep_mentions_and_equations() {
    trove_fakes::require_fixtures!();
    let text = one_block(hkob("retrieve_block_inline_contents")).value;
    assert!(text.contains("@Hiroyuki KOBAYASHI"), "{text}");
    assert!(text.contains("notion_ruby_mapping_test_data"), "{text}");
}

/// Strips `raw` (asserted separately) so snapshots stay readable.
fn snapshot_doc(mut doc: crate::Document, unknown: u64) -> Value {
    assert!(doc.raw.get("page").or(doc.raw.get("database")).is_some());
    doc.raw = Value::Null;
    json!({ "unknown": unknown, "doc": doc })
}

fn page_doc(page: &Value, blocks: &[BlockEntry], lookup: &Lookup) -> Value {
    let flat = page_document(PageDocInput {
        source: "notion",
        page,
        blocks,
        path: vec!["Workspace".into(), "Parent".into()],
        parent: None,
        lookup,
    });
    snapshot_doc(flat.value, flat.unknown)
}

#[test]
fn page_fixtures_become_documents() {
    trove_fakes::require_fixtures!();
    let lookup = users();
    let mut docs = serde_json::Map::new();
    for name in [
        "retrieve_page_block_test_page",
        "retrieve_page_db_first",
        "retrieve_page_db_second",
        "retrieve_page_db_template",
        "retrieve_page_file_upload",
        "retrieve_page_top",
        "retrieve_page_wiki",
        "retrieve_page_with_many_relations",
    ] {
        let blocks = if name == "retrieve_page_block_test_page" {
            block_test_page()
        } else {
            Vec::new()
        };
        docs.insert(name.into(), page_doc(&hkob(name), &blocks, &lookup));
    }
    insta::assert_json_snapshot!(Value::Object(docs));
}

#[test]
fn query_rows_become_documents() {
    trove_fakes::require_fixtures!();
    let mut lookup = users();
    lookup.titles.insert(
        "860753bb-6d1f-48de-9621-1fa6e0e31f82".into(),
        "Related page".into(),
    );
    let mut rows = Vec::new();
    for name in [
        "query_data_source_limit_2",
        "query_data_source_next_2",
        "query_data_source_last_2",
        "query_data_source_select_multi_values",
    ] {
        for row in hkob(name)["results"].as_array().unwrap() {
            rows.push(page_doc(row, &[], &lookup));
        }
    }
    insta::assert_json_snapshot!(rows);
}

#[test]
fn database_fixtures_become_documents() {
    trove_fakes::require_fixtures!();
    let ds = hkob("retrieve_data_source_data_source");
    let docs: Vec<Value> = [
        "retrieve_database_database",
        "retrieve_database_parent",
        "retrieve_database_created",
    ]
    .iter()
    .map(|n| {
        let doc = database_document(
            "notion",
            &hkob(n),
            std::slice::from_ref(&ds),
            vec!["Top".into()],
            None,
        );
        snapshot_doc(doc, 0)
    })
    .collect();
    insta::assert_json_snapshot!(docs);
}

#[test]
fn sdk_py_cassettes_flatten() {
    trove_fakes::require_fixtures!();
    let page = cassette("test_pages_retrieve", "GET")[0].clone();
    let blocks: Vec<BlockEntry> = cassette("test_iterate_paginated_api", "GET")
        .iter()
        .flat_map(|list| list["results"].as_array().cloned().unwrap_or_default())
        .map(|b| block_entry(0, b))
        .collect();
    let search = cassette("test_collect_paginated_api", "search");
    let titles: Vec<String> = search
        .iter()
        .flat_map(|l| l["results"].as_array().cloned().unwrap_or_default())
        .map(|r| {
            if r["object"] == "page" {
                page_title(&r)
            } else {
                database_title(&r)
            }
        })
        .collect();
    insta::assert_json_snapshot!(json!({
        "page": page_doc(&page, &blocks, &Lookup::default()),
        "search_titles": titles,
    }));
}

#[test]
fn unknown_types_are_counted_not_fatal() {
    let blocks = vec![
        block_entry(
            0,
            json!({"type": "unsupported", "unsupported": {"block_type": "button"}}),
        ),
        block_entry(
            0,
            json!({"type": "hologram", "hologram": {"rich_text": []}}),
        ),
        block_entry(
            0,
            json!({"type": "paragraph", "paragraph": {"rich_text": [
                {"type": "mention", "mention": {"type": "telepathy"}, "plain_text": "@mind"}
            ]}}),
        ),
        json!({"depth": 0}),
    ];
    let flat = flatten_blocks(&blocks, &Lookup::default());
    assert_eq!(flat.unknown, 4);
    assert_eq!(flat.value, "@mind");
    let props = json!({"Smell": {"type": "odor", "odor": "fresh"}, "Done": {"type": "checkbox", "checkbox": true}});
    let p = flatten_properties(&props, &Lookup::default(), false);
    assert_eq!(p.unknown, 1);
    assert_eq!(p.value.lines, vec!["Done: Yes"]);
}

#[test]
fn numbered_lists_restart_after_other_blocks() {
    let item = |t: &str| json!({"type": "numbered_list_item", "numbered_list_item": {"rich_text": [{"type": "text", "plain_text": t}]}});
    let para = json!({"type": "paragraph", "paragraph": {"rich_text": [{"type": "text", "plain_text": "p"}]}});
    let blocks = vec![
        block_entry(0, item("a")),
        block_entry(1, item("a.1")),
        block_entry(0, item("b")),
        block_entry(0, para),
        block_entry(0, item("c")),
    ];
    let text = flatten_blocks(&blocks, &Lookup::default()).value;
    assert_eq!(text, "1. a\n  1. a.1\n2. b\np\n1. c");
}

#[test]
fn deep_nesting_flattens_without_recursion() {
    let blocks: Vec<BlockEntry> = (0..5000)
        .map(|d| block_entry(d, json!({"type": "toggle", "toggle": {"rich_text": [{"type": "text", "plain_text": "x"}]}})))
        .collect();
    let text = flatten_blocks(&blocks, &Lookup::default()).value;
    assert_eq!(text.lines().count(), 5000);
}

#[test]
fn property_types_render() {
    let props = json!({
        "N": {"type": "number", "number": 3.0},
        "D": {"type": "date", "date": {"start": "2024-01-01", "end": "2024-01-02"}},
        "U": {"type": "unique_id", "unique_id": {"prefix": null, "number": 7}},
        "P": {"type": "place", "place": {"lat": 1.0, "lon": 2.0, "name": "Office", "address": "1 Main St"}},
        "F": {"type": "formula", "formula": {"type": "boolean", "boolean": false}},
        "V": {"type": "verification", "verification": {"state": "verified"}},
        "B": {"type": "button", "button": {}},
        "S": {"type": "status", "status": {"name": "Done"}},
        "E": {"type": "email", "email": null},
    });
    let p = flatten_properties(&props, &Lookup::default(), false);
    assert_eq!(p.unknown, 0);
    insta::assert_snapshot!(p.value.lines.join("\n"));
    assert_eq!(p.value.tags, vec!["Done"]);
}

#[test]
fn absurd_block_depth_allocates_terabytes() {
    let para = json!({"type": "paragraph", "paragraph": {"rich_text": [{"plain_text": "deep"}]}});
    let entries = vec![
        json!({"depth": u64::MAX, "block": para.clone()}),
        json!({"depth": 1u64 << 40, "block": {"type": "numbered_list_item",
            "numbered_list_item": {"rich_text": [{"plain_text": "item"}]}}}),
    ];
    let flat = flatten_blocks(&entries, &Lookup::default());
    assert!(flat.value.contains("deep") && flat.value.contains("item"));
    assert!(flat.value.len() < 200, "{}", flat.value.len());
}
