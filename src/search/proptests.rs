//! Property tests of the query language (proptest): `parse(print(q)) == q` for generated
//! queries, and every query string the parser accepts compiles and runs.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::compile::Compiler;
use super::query::{parse, Node, Occur, ParsedQuery, FIELDS};
use super::{SearchRequest, Searcher};
use crate::index::TroveIndex;
use crate::store::Store;
use crate::Document;

/// A bare word: never an operator, never `field:`, never starting with `+` or `-`.
fn word() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9é東京][a-zA-Z0-9é東京._'!?,-]{0,8}".prop_filter("operators are not words", |w| {
        !matches!(w.as_str(), "AND" | "OR" | "NOT")
    })
}

fn field() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop::sample::select(FIELDS).prop_map(str::to_owned))
}

fn leaf() -> impl Strategy<Value = Node> {
    prop_oneof![
        (field(), word()).prop_map(|(field, text)| Node::Words { field, text }),
        (field(), "[a-z0-9 東京-]{0,12}").prop_map(|(field, text)| Node::Phrase { field, text }),
    ]
}

fn occur() -> impl Strategy<Value = Occur> {
    prop_oneof![Just(Occur::Should), Just(Occur::Must), Just(Occur::MustNot)]
}

fn query() -> impl Strategy<Value = ParsedQuery> {
    let node = leaf().prop_recursive(4, 32, 4, |inner| {
        prop::collection::vec((occur(), inner), 0..4).prop_map(Node::Group)
    });
    prop::collection::vec((occur(), node), 0..6).prop_map(|clauses| ParsedQuery { clauses })
}

#[test]
fn parse_print_round_trips() {
    proptest!(Config::with_cases(512), |(q in query())| {
        let printed = q.to_string();
        let back = parse(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {e}")))?;
        prop_assert_eq!(back, q, "printed as {}", printed);
    });
}

/// Query text from the pieces people and attackers type: words, operators, fields, quotes,
/// parentheses, signs and odd characters.
fn query_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z]{1,6}",
        Just("AND".to_owned()),
        Just("OR".to_owned()),
        Just("NOT".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("\"".to_owned()),
        Just("+".to_owned()),
        Just("-".to_owned()),
        prop::sample::select(FIELDS).prop_map(|f| format!("{f}:")),
        "[\\PC]{1,3}",
        Just(" ".to_owned()),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

#[test]
fn every_accepted_query_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .upsert_all(&[Document::new(
            "t:1",
            "heat transfer",
            "aircraft skin 東京都",
        )])
        .unwrap();
    let mut index = TroveIndex::open(dir.path()).unwrap();
    index.catch_up(&mut store).unwrap();
    let compiler = Compiler::new(&index).unwrap();
    let searcher = Searcher::new(TroveIndex::open(dir.path()).unwrap()).unwrap();
    let mut runner = TestRunner::new(Config::with_cases(512));
    runner
        .run(&query_text(), |text| {
            let Ok(parsed) = parse(&text) else {
                return Ok(());
            };
            let req = SearchRequest {
                query: text.clone(),
                limit: 5,
                ..SearchRequest::default()
            };
            if let Err(e) = compiler.compile(&parsed, &req) {
                return Err(TestCaseError::fail(format!("{text:?} parsed but: {e}")));
            }
            if let Err(e) = searcher.search(&req, &store) {
                return Err(TestCaseError::fail(format!("{text:?} parsed but: {e}")));
            }
            Ok(())
        })
        .unwrap();
}
