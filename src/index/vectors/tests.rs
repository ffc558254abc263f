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
