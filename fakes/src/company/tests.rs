//! Tests of the company generator: determinism, coherence between Notion and monday.com,
//! block-type coverage, shallow breadcrumbs, no marker words, and varied prose.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::*;

fn company() -> Company {
    generate(&CompanySpec::default())
}

/// Every `plain_text`/`content` string under a JSON value.
fn strings(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("plain_text" | "expression", Value::String(s)) => {
                        out.push_str(s);
                        out.push(' ');
                    }
                    _ => strings(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        _ => {}
    }
}

fn page_text(ws: &Workspace, id: &str) -> String {
    let mut out = String::new();
    for b in ws.blocks_of_page(id) {
        strings(&ws.blocks[&b].payload, &mut out);
    }
    for p in ws.pages[id].properties.values() {
        strings(p, &mut out);
    }
    out
}

fn monday_texts(acc: &Account) -> Vec<String> {
    acc.items
        .values()
        .map(|i| {
            let mut s = i.name.clone();
            for (_, t) in acc.column_texts(i.id) {
                s.push(' ');
                s.push_str(&t);
            }
            for u in acc.item_updates(i.id) {
                s.push(' ');
                s.push_str(&u.text_body);
                for r in &u.replies {
                    s.push(' ');
                    s.push_str(&r.text_body);
                }
            }
            s
        })
        .collect()
}

#[test]
fn same_spec_same_company() {
    let (a, b) = (company(), company());
    assert_eq!(a.notion, b.notion);
    assert_eq!(format!("{:?}", a.monday), format!("{:?}", b.monday));
}

#[test]
fn hand_written_ids_do_not_depend_on_scale() {
    let small = generate(&CompanySpec {
        scale: 0,
        ..CompanySpec::default()
    });
    let big = generate(&CompanySpec {
        scale: 3,
        ..CompanySpec::default()
    });
    for key in [
        "people/travel",
        "eng/pm-2026-03-03",
        "meetings/pricing-review",
        "tracker/orion",
    ] {
        let id = notion_page_id(key);
        assert!(small.notion.pages.contains_key(&id), "{key}");
        assert!(big.notion.pages.contains_key(&id), "{key}");
    }
    let orion = |c: &Company| {
        c.monday
            .find_item("Orion general availability")
            .map(|i| i.id)
    };
    assert_eq!(orion(&small), orion(&big));
    assert!(big.notion.pages.len() > small.notion.pages.len() + 3 * filler::MEETINGS);
    assert!(big.monday.items.len() > small.monday.items.len() + 3 * filler::BUGS);
}

#[test]
fn every_block_type_appears_and_the_showcase_exists() {
    let c = company();
    let kinds: BTreeSet<&str> = c.notion.blocks.values().map(|b| b.kind.as_str()).collect();
    for k in crate::notion::BLOCK_TYPES {
        assert!(kinds.contains(k), "missing {k}");
    }
    let showcase = notion_page_id("company/showcase");
    assert_eq!(c.notion.page_title(&showcase), "Notion feature showcase");
    let kind_on = |key: &str, kind: &str| {
        let id = notion_page_id(key);
        c.notion
            .blocks_of_page(&id)
            .iter()
            .any(|b| c.notion.blocks[b].kind == kind)
    };
    assert!(kind_on("eng/runbook-rollback", "code"));
    assert!(kind_on("people/travel", "table"));
    assert!(kind_on("people/expenses-faq", "toggle"));
    assert!(kind_on("eng/capacity", "equation"));
}

#[test]
fn breadcrumbs_are_shallow() {
    let c = company();
    for id in c.notion.page_ids() {
        assert!(
            c.notion.page_depth(&id) <= 2,
            "{}",
            c.notion.page_title(&id)
        );
    }
}

#[test]
fn notion_and_monday_share_the_cast() {
    let c = company();
    let notion: HashSet<&str> = c
        .notion
        .users
        .iter()
        .filter(|u| u["type"] == "person")
        .filter_map(|u| u["name"].as_str())
        .collect();
    let monday: HashSet<&str> = c.monday.users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(notion, monday);
    for customer in cast::CUSTOMERS {
        assert!(
            c.monday.find_item(customer.name).is_some(),
            "{}",
            customer.name
        );
        let notes = c
            .notion
            .page_ids()
            .into_iter()
            .any(|id| c.notion.page_title(&id) == customer.name);
        assert!(notes, "no account notes for {}", customer.name);
    }
}

#[test]
fn no_marker_words_or_filler_latin() {
    let c = generate(&CompanySpec {
        scale: 2,
        ..CompanySpec::default()
    });
    let mut all: Vec<String> = c
        .notion
        .page_ids()
        .iter()
        .map(|id| page_text(&c.notion, id))
        .collect();
    all.extend(monday_texts(&c.monday));
    for t in &all {
        let lower = t.to_lowercase();
        for bad in [
            "lorem",
            "ipsum",
            "itemmark",
            "updmark",
            "replymark",
            "{person",
            "{customer",
            "{feature",
            "{project",
            "{first}",
            "{date ",
            "[[",
            "@{",
        ] {
            assert!(!lower.contains(bad), "{bad} in {t}");
        }
        assert!(
            !lower.split_whitespace().any(|w| w.starts_with("zq")),
            "{t}"
        );
    }
}

fn shingles(s: &str) -> HashSet<String> {
    let words: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.windows(3).map(|w| w.join(" ")).collect()
}

#[test]
fn near_duplicates_are_rare() {
    let c = company();
    let mut texts: Vec<String> = c
        .notion
        .page_ids()
        .iter()
        .map(|id| page_text(&c.notion, id))
        .collect();
    texts.extend(monday_texts(&c.monday));
    let sets: Vec<HashSet<String>> = texts
        .iter()
        .map(|t| shingles(t))
        .filter(|s| s.len() >= 8)
        .collect();
    let (mut pairs, mut close) = (0usize, 0usize);
    for i in 0..sets.len() {
        for j in i + 1..sets.len() {
            pairs += 1;
            let inter = sets[i].intersection(&sets[j]).count();
            let union = sets[i].len() + sets[j].len() - inter;
            if inter as f64 / union as f64 > 0.5 {
                close += 1;
            }
        }
    }
    assert!(
        close * 1000 < pairs,
        "{close} of {pairs} pairs share over half their word triples"
    );
}

/// Every answer of `eval/demo-questions.tsv` and `eval/demo-paraphrases.tsv` exists in the
/// default company with the title the file gives (ids are `demo-notion:<page id>` or
/// `demo-monday:<item id>`).
#[test]
fn demo_question_answers_exist() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../eval/");
    let tsv = ["demo-questions.tsv", "demo-paraphrases.tsv"]
        .map(|f| std::fs::read_to_string(format!("{dir}{f}")).unwrap())
        .concat();
    let c = company();
    let mut problems = Vec::new();
    for line in tsv.lines().filter(|l| !l.starts_with('#')) {
        let cols: Vec<&str> = line.split('\t').collect();
        for (id, title) in cols[2].split(' ').zip(cols[3].split(" | ")) {
            let found = match id.split_once(':') {
                Some(("demo-notion", page)) => c
                    .notion
                    .pages
                    .contains_key(page)
                    .then(|| c.notion.page_title(page)),
                Some(("demo-monday", item)) => item
                    .parse()
                    .ok()
                    .and_then(|i| c.monday.item(i))
                    .map(|i| i.name.clone()),
                _ => None,
            };
            if found.as_deref() != Some(title) {
                let named = c.monday.find_item(title).map(|i| i.id);
                problems.push(format!(
                    "{}: {id} is not {title:?} (monday item of that name: {named:?})",
                    cols[0]
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
