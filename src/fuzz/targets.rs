//! The fuzz targets: the query parser and compiler, the Notion block/property flattener, the
//! monday.com item flattener, HTML to text and the config loader. (The NDJSON importer's target
//! lives with the importer, in the binary: `cli/import.rs`.)

use std::panic::AssertUnwindSafe;

use bolero::check;
use bolero::generator::TypeGenerator;
use serde_json::{json, Value};

use super::json::{fixture_values, mutate, objects_where, Mutation};
use super::Run;
use crate::flatten::notion::{
    block_entry, flatten_blocks, flatten_properties, page_document, Lookup, PageDocInput,
};

/// Query text built from the pieces of the query language and arbitrary text.
#[derive(Debug, Clone, TypeGenerator)]
enum QueryPiece {
    Text(String),
    Op(u8),
    Field(u8, String),
    Open,
    Close,
    Quote,
}

fn query_text(pieces: &[QueryPiece]) -> String {
    let ops = ["AND", "OR", "NOT", "+", "-", "&&", "||", " "];
    let mut out = String::new();
    for p in pieces {
        match p {
            QueryPiece::Text(t) => out.push_str(t),
            QueryPiece::Op(i) => out.push_str(ops[usize::from(*i) % ops.len()]),
            QueryPiece::Field(i, v) => {
                let f = crate::search::query::FIELDS;
                out.push_str(&format!("{}:{v}", f[usize::from(*i) % f.len()]));
            }
            QueryPiece::Open => out.push('('),
            QueryPiece::Close => out.push(')'),
            QueryPiece::Quote => out.push('"'),
        }
        out.push(' ');
    }
    out
}

#[test]
fn fuzz_query_parse_and_compile() {
    static RUN: Run = Run::new("query");
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(dir.path()).unwrap();
    store
        .upsert_all(&[crate::Document::new(
            "t:1",
            "heat transfer",
            "aircraft 東京都",
        )])
        .unwrap();
    let mut index = crate::index::TroveIndex::open(dir.path()).unwrap();
    index.catch_up(&mut store).unwrap();
    let searcher = crate::search::Searcher::new(index).unwrap();
    let state = AssertUnwindSafe((store, searcher));
    check!()
        .with_type::<(String, Vec<QueryPiece>)>()
        .for_each(|(raw, pieces)| {
            let state = &state;
            for text in [raw.clone(), query_text(pieces)] {
                RUN.once(&text, || {
                    let req = crate::search::SearchRequest {
                        query: text.clone(),
                        limit: 5,
                        ..Default::default()
                    };
                    // Errors are fine (a bad query is the user's); panics and hangs are not.
                    if let Ok(q) = crate::search::query::parse(&text) {
                        let printed = q.to_string();
                        assert!(
                            crate::search::query::parse(&printed).is_ok(),
                            "{text:?} printed as {printed:?} does not parse"
                        );
                    }
                    let _ = state.0 .1.search(&req, &state.0 .0);
                });
            }
        });
    RUN.report();
}

/// Recorded Notion objects: blocks, pages, databases, list results.
fn notion_seeds() -> Vec<Value> {
    let mut out = Vec::new();
    for v in fixture_values("notion") {
        objects_where(&v, &|o| o.get("object").is_some(), &mut out);
    }
    out
}

#[test]
fn fuzz_notion_flatten() {
    trove_fakes::require_fixtures!();
    static RUN: Run = Run::new("notion_flatten");
    let seeds = notion_seeds();
    assert!(seeds.len() > 20, "too few Notion seeds: {}", seeds.len());
    let lookup = Lookup::default();
    check!()
        .with_type::<(u16, Vec<Mutation>)>()
        .for_each(|(pick, mutations)| {
            let seed = &seeds[usize::from(*pick) % seeds.len()];
            let v = mutate(seed, mutations);
            RUN.once(&(pick, mutations), || {
                let blocks = vec![block_entry(0, v.clone()), block_entry(1, v.clone())];
                let _ = flatten_blocks(&blocks, &lookup);
                let _ =
                    flatten_properties(v.get("properties").unwrap_or(&Value::Null), &lookup, false);
                let _ = page_document(PageDocInput {
                    source: "notion",
                    page: &v,
                    blocks: &blocks,
                    path: vec!["a".into()],
                    parent: None,
                    lookup: &lookup,
                });
            });
        });
    RUN.report();
}

#[test]
fn fuzz_monday_flatten() {
    trove_fakes::require_fixtures!();
    static RUN: Run = Run::new("monday_flatten");
    let (mut items, mut boards) = (Vec::new(), Vec::new());
    let is_item = |o: &Value| {
        o.get("column_values").is_some()
            || (o.get("id").is_some() && o.get("name").is_some() && o.get("group").is_some())
    };
    for v in fixture_values("monday") {
        objects_where(&v, &is_item, &mut items);
        objects_where(&v, &|o| o.get("columns").is_some(), &mut boards);
    }
    assert!(items.len() >= 3, "too few monday items: {}", items.len());
    // One more seed with a value of each kind the flattener decodes (`value` is JSON text).
    items.push(json!({
        "id": "1", "name": "Item", "url": "https://x.monday.com/boards/1/pulses/1",
        "group": {"id": "g", "title": "Group"}, "updated_at": "2024-01-01T00:00:00Z",
        "creator": {"name": "Ann"},
        "column_values": [
            {"id": "status", "type": "status", "text": "Done", "value": "{\"index\":1}"},
            {"id": "people", "type": "people", "text": "Ann, Bo",
             "value": "{\"personsAndTeams\":[{\"id\":1,\"kind\":\"person\"}]}"},
            {"id": "date", "type": "date", "text": "2024-01-01", "value": "{\"date\":\"2024-01-01\"}"},
            {"id": "tags", "type": "tags", "text": "a, b", "value": "{\"tag_ids\":[1,2]}"},
            {"id": "long", "type": "long_text", "text": "long words", "value": null},
            {"id": "rel", "type": "board_relation", "display_value": "Other", "linked_item_ids": ["2"]},
            {"id": "mirror", "type": "mirror", "display_value": "Mirrored"},
            {"id": "drop", "type": "dropdown", "text": "x", "value": "{\"ids\":[1]}"}
        ],
        "subitems": [{"id": "2", "name": "Sub"}],
        "updates": [{"id": "9", "body": "<p>note</p>", "text_body": "note", "creator": {"name": "Bo"}}]
    }));
    boards.push(json!({}));
    check!()
        .with_type::<(u16, u16, Vec<Mutation>, Vec<Mutation>)>()
        .for_each(|(i, b, item_m, board_m)| {
            let item = mutate(&items[usize::from(*i) % items.len()], item_m);
            let board = mutate(&boards[usize::from(*b) % boards.len()], board_m);
            RUN.once(&(i, b, item_m, board_m), || {
                let ctx = crate::flatten::monday::ItemContext {
                    source: "monday",
                    board: &board,
                    columns: board.get("columns"),
                    parent: Some(&item),
                    account_slug: Some("acme"),
                };
                let _ = crate::flatten::monday::flatten_item(&item, &ctx);
            });
        });
    RUN.report();
}

/// HTML built from tags, attributes, entities and text.
#[derive(Debug, Clone, TypeGenerator)]
enum HtmlPiece {
    Open(u8, String),
    Close(u8),
    Text(String),
    Entity(u8),
    Raw(String),
}

fn html_text(pieces: &[HtmlPiece]) -> String {
    let tags = [
        "p",
        "br",
        "div",
        "a",
        "b",
        "i",
        "ul",
        "ol",
        "li",
        "table",
        "tr",
        "td",
        "pre",
        "code",
        "h1",
        "img",
        "script",
        "style",
        "span",
        "blockquote",
        "!--",
    ];
    let entities = [
        "&amp;",
        "&lt;",
        "&#x1F600;",
        "&#0;",
        "&nbsp;",
        "&bogus;",
        "&#99999999;",
    ];
    let tag = |i: &u8| tags[usize::from(*i) % tags.len()];
    let mut out = String::new();
    for p in pieces {
        match p {
            HtmlPiece::Open(i, attr) => out.push_str(&format!("<{} href=\"{attr}\">", tag(i))),
            HtmlPiece::Close(i) => out.push_str(&format!("</{}>", tag(i))),
            HtmlPiece::Text(t) | HtmlPiece::Raw(t) => out.push_str(t),
            HtmlPiece::Entity(i) => out.push_str(entities[usize::from(*i) % entities.len()]),
        }
    }
    out
}

#[test]
fn fuzz_html_to_text() {
    static RUN: Run = Run::new("html_to_text");
    check!()
        .with_type::<(String, Vec<HtmlPiece>)>()
        .for_each(|(raw, pieces)| {
            for html in [raw.clone(), html_text(pieces)] {
                RUN.once(&html, || crate::flatten::html::html_to_text(&html));
            }
        });
    RUN.report();
}

/// A valid config, cut at a generated point with generated text spliced in.
const CONFIG: &str = "[[sources]]\nname = \"notion\"\nkind = \"notion\"\ntoken_env = \"T\"\n\
start_date = \"2024-01-01\"\napi_url = \"http://127.0.0.1:9\"\nrequests_per_second = 3\n\
request_timeout_secs = 5\n\n[[sources]]\nname = \"m\"\nkind = \"monday\"\nauth_token = \"x\"\n\
api_version = \"2026-01\"\n\n[embeddings]\nmodel_dir = \"models\"\n";

#[test]
fn fuzz_config_loader() {
    static RUN: Run = Run::new("config");
    let env = |k: &str| (k == "T").then(|| "secret".to_owned());
    check!()
        .with_type::<(String, u16, String)>()
        .for_each(|(raw, at, splice)| {
            let mut cut = usize::from(*at) % (CONFIG.len() + 1);
            while !CONFIG.is_char_boundary(cut) {
                cut -= 1;
            }
            let spliced = format!("{}{splice}{}", &CONFIG[..cut], &CONFIG[cut..]);
            for text in [raw.as_str(), spliced.as_str()] {
                RUN.once(&text, || {
                    if let Ok(cfg) = crate::config::Config::parse(text, &env) {
                        let _ = cfg.select(&[]);
                    }
                });
            }
        });
    RUN.report();
}
