//! The demo question sets against the demo company: `trove demo` syncs Kestrel Labs from the
//! fake Notion and monday.com servers over real HTTP, then every question is asked and counts
//! a hit when one of its answer documents is in the top 3. `eval/demo-questions.tsv` (40
//! questions that mostly repeat their pages' words) is asked in keyword mode and must reach
//! [`MIN_TOP3`]; `eval/demo-paraphrases.tsv` (20 questions worded away from their answers) is
//! the yardstick for hybrid search.
//!
//! Run with `cargo test --test cli demo_questions -- --nocapture` to see every question's top 3
//! and, per question, which modes find an answer. The hybrid test embeds the demo with the
//! model (`scripts/fetch-model.sh`; CI installs it) and asks both sets in keyword, semantic and
//! hybrid mode in the same run; with `DEMO_FUSION_GRID=1` it also prints the hit counts of
//! other fusion settings.

use std::path::{Path, PathBuf};

use trove::search::{Fusion, Mode, SearchRequest, Searcher, Semantic};
use trove::store::Store;

use crate::util::Trove;

/// The share of the original questions whose answer must be in the top 3 (issue 15).
const MIN_TOP3: f64 = 0.8;

/// The share of the original questions hybrid search must answer in the top 3 (39 of 40
/// measured when this bar was set).
const MIN_HYBRID_TOP3: f64 = 0.9;

const ORIGINAL: &str = "eval/demo-questions.tsv";
const PARAPHRASES: &str = "eval/demo-paraphrases.tsv";

/// One line of a question file.
struct Question {
    qid: String,
    text: String,
    answers: Vec<String>,
    titles: Vec<String>,
}

fn questions(file: &str) -> Vec<Question> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 4, "expected 4 tab-separated columns: {l}");
            Question {
                qid: cols[0].into(),
                text: cols[1].into(),
                answers: cols[2].split_whitespace().map(String::from).collect(),
                titles: cols[3].split(" | ").map(String::from).collect(),
            }
        })
        .collect()
}

/// A data folder holding the default demo company, synced by the real `trove demo` from its
/// fake Notion and monday.com servers over HTTP.
fn data_dir() -> (Trove, PathBuf) {
    let t = Trove::new();
    t.ok(&["demo"]);
    let dir = t.data();
    (t, dir)
}

/// Checks that every answer id exists in the store with the title the file gives it.
fn check_answers(store: &Store, qs: &[Question]) {
    for q in qs {
        assert_eq!(
            q.answers.len(),
            q.titles.len(),
            "{}: ids and titles differ in number",
            q.qid
        );
        for (id, title) in q.answers.iter().zip(&q.titles) {
            let got = store.get(id).unwrap().map(|d| d.title);
            assert_eq!(
                got.as_deref(),
                Some(title.as_str()),
                "{}: answer {id}",
                q.qid
            );
        }
    }
}

/// Asks every question in `mode` (limit 3); returns, per question, whether an answer is in the
/// top 3, printing each question's top 3 when `show` is set.
fn hits(searcher: &Searcher, store: &Store, qs: &[Question], mode: Mode, show: bool) -> Vec<bool> {
    qs.iter()
        .map(|q| {
            let req = SearchRequest {
                query: q.text.clone(),
                limit: 3,
                mode: Some(mode),
                ..SearchRequest::default()
            };
            let resp = searcher.search(&req, store).unwrap();
            let hit = resp.hits.iter().any(|h| q.answers.contains(&h.id));
            if show {
                eprintln!("{} {} {}", q.qid, if hit { "HIT " } else { "MISS" }, q.text);
                for h in &resp.hits {
                    eprintln!("       {} [{}]", h.title, h.path);
                }
            }
            hit
        })
        .collect()
}

fn count(hits: &[bool]) -> usize {
    hits.iter().filter(|h| **h).count()
}

/// Top-3 hits of one question set in each mode, from the same index and model.
struct ModeHits {
    keyword: Vec<bool>,
    semantic: Vec<bool>,
    hybrid: Vec<bool>,
}

impl ModeHits {
    /// Asks `qs` in all three modes, printing the hybrid top 3 of every question.
    fn measure(searcher: &Searcher, store: &Store, qs: &[Question], name: &str) -> ModeHits {
        eprintln!("--- {name}: hybrid top 3");
        ModeHits {
            hybrid: hits(searcher, store, qs, Mode::Hybrid, true),
            keyword: hits(searcher, store, qs, Mode::Keyword, false),
            semantic: hits(searcher, store, qs, Mode::Semantic, false),
        }
    }

    /// Prints which modes answer each question (k = keyword, s = semantic, h = hybrid), then
    /// the totals.
    fn report(&self, qs: &[Question], name: &str) {
        eprintln!("--- {name}: top-3 hits per mode (k keyword, s semantic, h hybrid)");
        for (i, q) in qs.iter().enumerate() {
            let mark = |hit: bool, c: char| if hit { c } else { '-' };
            eprintln!(
                "{} {}{}{} {}",
                q.qid,
                mark(self.keyword[i], 'k'),
                mark(self.semantic[i], 's'),
                mark(self.hybrid[i], 'h'),
                q.text
            );
        }
        eprintln!(
            "{name}: top-3 hits of {}: keyword {}, semantic {}, hybrid {}",
            qs.len(),
            count(&self.keyword),
            count(&self.semantic),
            count(&self.hybrid)
        );
    }
}

/// With `DEMO_FUSION_GRID=1`, prints the hybrid hit counts of both sets over a grid of
/// reciprocal-rank-fusion settings.
fn fusion_grid(dir: &Path, store: &Store, semantic: &Semantic, sets: [&[Question]; 2]) {
    if std::env::var_os("DEMO_FUSION_GRID").is_none() {
        return;
    }
    for k in [1.0, 5.0, 10.0, 20.0, 60.0] {
        for w in [0.5, 1.0, 1.5, 2.0, 3.0] {
            let fusion = Fusion {
                k,
                semantic_weight: w,
                ..Fusion::default()
            };
            let index = trove::index::TroveIndex::open(dir).unwrap();
            let s = Searcher::new(index)
                .unwrap()
                .with_semantic(semantic.clone())
                .with_fusion(fusion);
            let [a, b] = sets.map(|qs| count(&hits(&s, store, qs, Mode::Hybrid, false)));
            eprintln!("fusion k={k} w={w}: original {a}, paraphrases {b}");
        }
    }
}

#[test]
fn hybrid_answers_more_demo_paraphrases_than_keyword() {
    let Some(model) = trove::embed::model_dir_for_tests() else {
        return;
    };
    let original = questions(ORIGINAL);
    let paraphrases = questions(PARAPHRASES);
    let (_tmp, dir) = data_dir();
    let mut store = Store::open(&dir).unwrap();
    check_answers(&store, &paraphrases);
    let embedder = trove::embed::Embedder::load(&model).unwrap();
    trove::embed::embed_pending(&mut store, &embedder, |_, _| {}).unwrap();
    let index = trove::index::TroveIndex::open(&dir).unwrap();
    let semantic = Semantic::open(&model, index.dir(), &store).unwrap();
    let searcher = Searcher::new(index)
        .unwrap()
        .with_semantic(semantic.clone());
    let orig = ModeHits::measure(&searcher, &store, &original, "original");
    let para = ModeHits::measure(&searcher, &store, &paraphrases, "paraphrases");
    orig.report(&original, "original");
    para.report(&paraphrases, "paraphrases");
    fusion_grid(&dir, &store, &semantic, [&original, &paraphrases]);

    let (keyword, hybrid) = (count(&orig.keyword), count(&orig.hybrid));
    assert!(
        hybrid >= keyword,
        "original: hybrid answers {hybrid} of {} questions in the top 3, keyword {keyword}",
        original.len()
    );
    let rate = hybrid as f64 / original.len() as f64;
    assert!(
        rate >= MIN_HYBRID_TOP3,
        "original: hybrid top-3 rate {rate:.3} is below {MIN_HYBRID_TOP3}"
    );
    let (keyword, hybrid) = (count(&para.keyword), count(&para.hybrid));
    assert!(
        hybrid > keyword,
        "paraphrases: hybrid answers {hybrid} of {} questions in the top 3, keyword {keyword}",
        paraphrases.len()
    );
}

#[test]
fn demo_questions_find_their_answers_in_the_top_3() {
    let qs = questions(ORIGINAL);
    assert!(qs.len() >= 30, "issue 15 asks for at least 30 questions");
    let (_t, dir) = data_dir();
    let store = Store::open(&dir).unwrap();
    check_answers(&store, &qs);
    check_answers(&store, &questions(PARAPHRASES));
    let index = trove::index::TroveIndex::open(&dir).unwrap();
    let searcher = Searcher::new(index).unwrap();
    let n = count(&hits(&searcher, &store, &qs, Mode::Keyword, true));
    let rate = n as f64 / qs.len() as f64;
    eprintln!("top-3 hit rate: {n}/{} = {rate:.3}", qs.len());
    assert!(
        rate >= MIN_TOP3,
        "top-3 hit rate {rate:.3} is below {MIN_TOP3}"
    );
}
