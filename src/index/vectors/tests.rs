//! Vector index tests on synthetic unit vectors (no model needed).

use super::*;
use crate::store::Quantized;

fn all(ids: &[&str]) -> Vec<bool> {
    vec![true; ids.len()]
}

fn unit(seed: u64, dims: usize) -> Vec<f32> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let v: Vec<f32> = (0..dims)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 2001) as f32 / 1000.0 - 1.0
        })
        .collect();
    let n = v.iter().map(|a| a * a).sum::<f32>().sqrt();
    v.into_iter().map(|a| a / n).collect()
}

fn q(vs: &[Vec<f32>]) -> Quantized {
    let spans = (0..vs.len() as u32).map(|i| (i * 10, i * 10 + 9)).collect();
    Quantized::from_f32(vs[0].len(), spans, vs)
}

fn index(n: u64) -> VectorIndex {
    let mut ix = VectorIndex::new("m", 32);
    for i in 0..n {
        ix.upsert(
            &format!("d{i}"),
            i as i64,
            &q(&[unit(i, 32), unit(i + 1000, 32)]),
        );
    }
    ix
}

#[test]
fn best_passage_wins_and_its_span_is_reported() {
    let ix = index(50);
    let hits = ix.search(&unit(1017, 32), 3, all);
    assert_eq!(hits[0].id, "d17");
    assert_eq!(hits[0].span, (10, 19), "second passage of d17");
    assert!(hits[0].score > 0.98 && hits[0].score > hits[1].score);
}

#[test]
fn filters_remove_and_replace_apply_before_top_k() {
    let mut ix = index(400);
    let hits = ix.search(&unit(5, 32), 5, |ids| {
        ids.iter().map(|id| id.ends_with('7')).collect()
    });
    assert_eq!(hits.len(), 5);
    assert!(hits.iter().all(|h| h.id.ends_with('7')));
    ix.remove("d5");
    assert!(ix
        .search(&unit(5, 32), 400, all)
        .iter()
        .all(|h| h.id != "d5"));
    ix.upsert("d6", 99_999, &q(&[unit(5, 32)]));
    assert_eq!(ix.search(&unit(5, 32), 1, all)[0].id, "d6");
    assert_eq!((ix.docs(), ix.vectors()), (399, 398 * 2 + 1));
}

#[test]
fn quantized_scores_stay_close_to_exact_cosines() {
    let ix = index(200);
    let query = unit(7777, 32);
    for h in ix.search(&query, 20, all) {
        let i: u64 = h.id[1..].parse().unwrap();
        let exact = [unit(i, 32), unit(i + 1000, 32)]
            .iter()
            .map(|v| crate::embed::cosine(v, &query))
            .fold(f32::MIN, f32::max);
        assert!((exact - h.score).abs() < 0.02, "{} vs {}", exact, h.score);
    }
}

#[test]
fn saved_file_round_trips_and_another_model_is_ignored() {
    let mut ix = index(30);
    ix.remove("d3");
    ix.seq = 42;
    let dir = tempfile::tempdir().unwrap();
    ix.save(dir.path()).unwrap();
    let back = VectorIndex::load(dir.path(), "m").unwrap().unwrap();
    assert_eq!((back.docs(), back.vectors(), back.seq()), (29, 58, 42));
    let query = unit(1020, 32);
    assert_eq!(back.search(&query, 4, all), ix.search(&query, 4, all));
    assert!(VectorIndex::load(dir.path(), "other").unwrap().is_none());
    std::fs::write(dir.path().join(VECTORS_FILE), b"TRVVEC01\x05").unwrap();
    let err = VectorIndex::load(dir.path(), "m").unwrap_err().to_string();
    assert!(
        err.contains("vectors.bin") && err.contains("rebuild"),
        "{err}"
    );
}

#[test]
fn compact_keeps_live_documents_only() {
    let mut ix = index(10);
    ix.remove("d1");
    ix.compact();
    assert_eq!((ix.docs(), ix.vectors(), ix.dead_rows), (9, 18, 0));
    assert_eq!(ix.search(&unit(2, 32), 1, all)[0].id, "d2");
}

/// `n` documents of two `dims`-wide passages each, ids `d0`, `d1`, …
fn wide_index(n: u64, dims: usize) -> VectorIndex {
    let mut ix = VectorIndex::new("m", dims);
    for i in 0..n {
        let vs = [unit(i, dims), unit(i + 100_000, dims)];
        ix.upsert(&format!("d{i}"), i as i64, &q(&vs));
    }
    ix
}

#[test]
fn sign_codes_set_one_bit_per_positive_dimension() {
    let mut codes = Vec::new();
    let mut row = vec![-1i8; 70];
    row[0] = 5;
    row[63] = 1;
    row[64] = 127;
    row[69] = 0;
    binary::push_codes(&row, 70, &mut codes);
    assert_eq!(codes, vec![1 | 1 << 63, 1]);
    assert_eq!(binary::distances(&codes, &[1, 0]), vec![2]);
}

#[test]
fn nearest_rows_keeps_the_smallest_distances_and_skips_rejected_rows() {
    let dist = [5u16, 1, 3, 1, 0, 3, 9];
    assert_eq!(binary::nearest_rows(&dist, 3, 16, |_| false), vec![1, 3, 4]);
    assert_eq!(
        binary::nearest_rows(&dist, 4, 16, |_| false),
        vec![1, 2, 3, 4]
    );
    assert_eq!(
        binary::nearest_rows(&dist, 3, 16, |r| r == 4),
        vec![1, 2, 3]
    );
    assert_eq!(binary::nearest_rows(&dist, 99, 16, |_| false).len(), 7);
}

#[test]
fn approximate_search_finds_a_stored_passage_and_scores_it_exactly() {
    let ix = wide_index(2000, 128);
    for i in [3u64, 777, 1999] {
        let query = unit(i + 100_000, 128);
        let hits = ix.search_approx(&query, 5, 200, all);
        assert_eq!(hits[0], ix.search_exact(&query, 1, all)[0]);
        assert_eq!(hits[0].id, format!("d{i}"));
        assert_eq!(hits.len(), 5);
    }
}

#[test]
fn approximate_search_grows_its_candidates_until_the_filter_has_k_hits() {
    let ix = wide_index(2000, 128);
    let query = unit(42, 128);
    let mut asked = Vec::new();
    let hits = ix.search_approx(&query, 30, 100, |ids| {
        asked.extend(ids.iter().map(|id| id.to_string()));
        ids.iter().map(|id| id.ends_with("37")).collect()
    });
    assert_eq!(hits.len(), 20, "every document the filter accepts");
    assert!(hits.iter().all(|h| h.id.ends_with("37")));
    let exact = ix.search_exact(&query, 30, |ids| {
        ids.iter().map(|id| id.ends_with("37")).collect()
    });
    assert_eq!(
        hits, exact,
        "a filter this selective ends in the exact scan"
    );
    let unique: std::collections::HashSet<&String> = asked.iter().collect();
    assert_eq!(
        unique.len(),
        asked.len(),
        "each document is asked about once"
    );
}

#[test]
fn approximate_search_never_returns_removed_documents() {
    let mut ix = wide_index(2000, 128);
    ix.remove("d10");
    let query = unit(10, 128);
    let hits = ix.search_approx(&query, 10, 200, all);
    assert_eq!(hits.len(), 10);
    assert!(hits.iter().all(|h| h.id != "d10"));
    ix.upsert("d10", 5, &q(&[unit(10, 128)]));
    assert_eq!(ix.search_approx(&query, 1, 200, all)[0].id, "d10");
}
