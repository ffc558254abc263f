//! Ranking quality on the judged query sets in `eval/`. On the original queries trove's
//! default ranking must beat a plain BM25 engine (tantivy's `QueryParser`, default tokenizer,
//! title + body) on the same documents, and an ablation table shows what each feature
//! contributes. On the question set (answers in other words than the question) the keyword
//! scores are reported, as the baseline semantic and hybrid ranking are measured against.
//!
//! Run with `cargo test --test cli ranking -- --nocapture` to see the tables; set
//! `RANKING_PER_QUERY=1` to also print nDCG@10 per query for the baseline and the default.

use std::path::Path;

use trove::search::eval::{plain_bm25, JudgedSet, Metrics, QuerySet, Report, TroveEval};
use trove::search::{Fusion, Mode, RankingConfig};

/// nDCG@10 the default ranking must gain over plain BM25 on the original queries: measured
/// 0.100 (0.9161 vs 0.8159, eval/README.md); a little below, so the test fails if a ranking
/// feature breaks.
const MIN_NDCG_GAIN: f64 = 0.07;

fn judged_set(queries: QuerySet) -> JudgedSet {
    JudgedSet::load_set(&Path::new(env!("CARGO_MANIFEST_DIR")).join("eval"), queries).unwrap()
}

fn header(title: &str) {
    eprintln!("{title}");
    eprintln!("| configuration                                | nDCG@10 | MAP    | P@10   |");
    eprintln!("|----------------------------------------------|---------|--------|--------|");
}

fn row(name: &str, m: Metrics) {
    eprintln!(
        "| {name:<44} | {:.4} | {:.4} | {:.4} |",
        m.ndcg10, m.map, m.p10
    );
}

/// Query-time variants of the default, each changing one knob.
fn variants() -> Vec<(String, RankingConfig)> {
    let d = RankingConfig::default();
    let mut v = vec![
        ("trove default".to_owned(), d),
        (
            "stop words kept".to_owned(),
            RankingConfig {
                stop_words: false,
                ..d
            },
        ),
        (
            "no proximity".to_owned(),
            RankingConfig {
                proximity: false,
                ..d
            },
        ),
    ];
    v.push((
        "proximity also in title".to_owned(),
        RankingConfig {
            proximity_in_title: true,
            ..d
        },
    ));
    for tie in [0.1, 0.3, 0.5] {
        v.push((
            format!("dis-max over fields, tie {tie}"),
            RankingConfig {
                field_tie_breaker: Some(tie),
                ..d
            },
        ));
    }
    for title in [1.0, 1.25, 1.5, 2.0, 2.5, 4.0] {
        v.push((
            format!("title boost {title}"),
            RankingConfig {
                title_boost: Some(title),
                ..d
            },
        ));
    }
    for slop in [0, 1, 2, 4, 6, 10] {
        v.push((
            format!("proximity slop {slop}"),
            RankingConfig {
                proximity_slop: slop,
                ..d
            },
        ));
    }
    for boost in [0.25, 0.5, 1.0, 2.0] {
        v.push((
            format!("proximity boost {boost}"),
            RankingConfig {
                proximity_boost: boost,
                ..d
            },
        ));
    }
    v
}

fn all_off() -> RankingConfig {
    RankingConfig {
        stop_words: false,
        title_boost: Some(1.0),
        proximity: false,
        ..RankingConfig::default()
    }
}

fn per_query(base: &Report, ours: &Report) {
    if std::env::var_os("RANKING_PER_QUERY").is_none() {
        return;
    }
    for ((qid, b), (_, o)) in base.per_query.iter().zip(&ours.per_query) {
        eprintln!("{qid}\tbm25 {:.3}\ttrove {:.3}", b.ndcg10, o.ndcg10);
    }
}

#[test]
fn default_ranking_beats_plain_bm25() {
    let set = judged_set(QuerySet::Original);
    assert!(set.docs.len() >= 150 && set.queries.len() >= 40);
    let stem_dir = tempfile::tempdir().unwrap();
    let plain_dir = tempfile::tempdir().unwrap();
    let stemmed = TroveEval::build(&set, stem_dir.path(), true).unwrap();
    let unstemmed = TroveEval::build(&set, plain_dir.path(), false).unwrap();

    let base = plain_bm25(&set).unwrap();
    let default = stemmed.run(&set, RankingConfig::default()).unwrap();
    header("original queries (queries.tsv)");
    row("plain BM25 (tantivy QueryParser, title+body)", base.mean);
    for (name, cfg) in variants() {
        row(&name, stemmed.run(&set, cfg).unwrap().mean);
    }
    row(
        "no stemming",
        unstemmed.run(&set, RankingConfig::default()).unwrap().mean,
    );
    row(
        "all off (no stem/stop/title/proximity)",
        unstemmed.run(&set, all_off()).unwrap().mean,
    );
    per_query(&base, &default);

    let gain = default.mean.ndcg10 - base.mean.ndcg10;
    assert!(
        gain >= MIN_NDCG_GAIN,
        "trove nDCG@10 {:.4} vs plain BM25 {:.4}: gain {gain:.4} below {MIN_NDCG_GAIN}",
        default.mean.ndcg10,
        base.mean.ndcg10
    );
    assert!(default.mean.map > base.mean.map);
}

/// The question set: every question has an answer among the documents; keyword ranking is
/// reported, not held to a threshold (its answers share few words with the questions).
#[test]
fn question_set_keyword_scores() {
    let set = judged_set(QuerySet::Questions);
    assert!(set.queries.len() >= 20);
    for (qid, _) in &set.queries {
        let judged = set.qrels.get(qid);
        let relevant = judged.map_or(0, |j| j.values().filter(|g| **g > 0).count());
        assert!(
            relevant > 0,
            "{qid} has no relevant document in questions-qrels.tsv"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let stemmed = TroveEval::build(&set, dir.path(), true).unwrap();
    let base = plain_bm25(&set).unwrap();
    let default = stemmed.run(&set, RankingConfig::default()).unwrap();
    header("question set (questions.tsv), keyword only");
    row("plain BM25 (tantivy QueryParser, title+body)", base.mean);
    row("trove default", default.mean);
    per_query(&base, &default);
}

/// nDCG@10 hybrid search must gain over keyword search on both query sets (issue 11 asks for
/// at least 0.03; measured in eval/README.md, "Hybrid").
const MIN_HYBRID_GAIN: f64 = 0.03;

/// Hybrid (keyword + all-MiniLM-L6-v2, reciprocal rank fusion) against keyword search on both
/// query sets (they share the documents, embedded once), with a table of fusion settings; the
/// default [`Fusion`] was chosen from it (eval/README.md, "Hybrid").
#[test]
fn hybrid_beats_keyword_search_on_questions() {
    let Some(model_dir) = trove::embed::model_dir_for_tests() else {
        return;
    };
    let embedder = std::sync::Arc::new(trove::embed::Embedder::load(&model_dir).unwrap());
    let questions = judged_set(QuerySet::Questions);
    let original = judged_set(QuerySet::Original);
    let dir = tempfile::tempdir().unwrap();
    let eval = TroveEval::build(&questions, dir.path(), true).unwrap();
    let semantic = eval.embed(embedder).unwrap();
    let mut gains = Vec::new();
    for (name, set) in [
        ("question set", &questions),
        ("original queries", &original),
    ] {
        let keyword = eval.run(set, RankingConfig::default()).unwrap();
        let run = |mode, fusion| eval.run_mode(set, &semantic, mode, fusion).unwrap();
        let d = Fusion::default();
        header(&format!("{name}: keyword, semantic and hybrid"));
        row("keyword (trove default)", keyword.mean);
        row("semantic only", run(Mode::Semantic, d).mean);
        for k in [1.0, 5.0, 10.0, 20.0, 60.0] {
            for w in [0.5, 1.0, 1.5, 2.0, 3.0] {
                let f = Fusion {
                    k,
                    semantic_weight: w,
                    ..d
                };
                row(
                    &format!("hybrid RRF k={k} semantic weight {w}"),
                    run(Mode::Hybrid, f).mean,
                );
            }
        }
        let hybrid = run(Mode::Hybrid, d);
        row("hybrid (default fusion)", hybrid.mean);
        if std::env::var_os("RANKING_PER_QUERY").is_some() {
            for ((qid, k), (_, h)) in keyword.per_query.iter().zip(&hybrid.per_query) {
                eprintln!("{qid}\tkeyword {:.3}\thybrid {:.3}", k.ndcg10, h.ndcg10);
            }
        }
        gains.push((keyword.mean.ndcg10, hybrid.mean.ndcg10));
        approximate_recall(name, set, &semantic);
    }
    for ((keyword, hybrid), name) in gains.into_iter().zip(["questions", "original queries"]) {
        let gain = hybrid - keyword;
        assert!(
            gain >= MIN_HYBRID_GAIN,
            "{name}: hybrid nDCG@10 {hybrid:.4} vs keyword {keyword:.4}: gain {gain:.4} below {MIN_HYBRID_GAIN}"
        );
    }
}

/// Recall@10 of the approximate vector search (sign codes, int8 rescoring) against the exact
/// scan on the judged documents' real embeddings, by candidate passages rescored. The eval
/// corpus is far below `EXACT_BELOW`, so the searches above are exact and their nDCG is the
/// exact scan's; this measures what the approximation would lose on real vectors.
fn approximate_recall(name: &str, set: &JudgedSet, semantic: &trove::search::Semantic) {
    let vectors = semantic.vectors.read().unwrap();
    let all = |ids: &[&str]| vec![true; ids.len()];
    let queries: Vec<Vec<f32>> = set
        .queries
        .iter()
        .map(|(_, text)| semantic.embedder.embed(text).unwrap())
        .collect();
    let rows = vectors.vectors();
    eprintln!("{name}: approximate vector search on {rows} real passage vectors");
    for share in [10, 20, 40] {
        let candidates = rows * share / 100;
        let found: usize = queries
            .iter()
            .map(|q| {
                let exact: Vec<String> = vectors
                    .search_exact(q, 10, all)
                    .into_iter()
                    .map(|h| h.id)
                    .collect();
                let approx = vectors.search_approx(q, 10, candidates, all);
                approx.iter().filter(|h| exact.contains(&h.id)).count()
            })
            .sum();
        let recall = found as f64 / (10 * queries.len()) as f64;
        eprintln!("  {candidates:>5} candidates ({share:>2}% of passages)   recall@10 {recall:.3}");
        if share == 20 {
            assert!(
                recall >= 0.95,
                "{name}: recall@10 {recall:.3} at {candidates} candidates"
            );
        }
    }
}
