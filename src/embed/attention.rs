//! Self-attention computed one sequence at a time over its real tokens only, for the AMX path.
//!
//! candle's version (the f32 path) builds `[batch, heads, tokens, tokens]` score tensors, about
//! 37 MB each for 16 passages of 220 tokens, adds the padding mask, and runs softmax with libm's
//! `expf` over every padded position; under `perf` that was a fifth of the encoder's time after
//! the dense layers moved to AMX. Here each thread takes whole sequences, and for each head
//! scores only the `len × len` real pairs in a buffer that stays in cache, with a call-free
//! `exp` so the loops vectorise (compiled for AVX-512, which every AMX CPU has). Padded
//! positions get zeros: they are never attended to, and pooling ignores them.

use rayon::prelude::*;

use super::amx;

/// Lanes of one AVX-512 register of f32: the loops below keep `[f32; LANES]` accumulators,
/// which the compiler holds in registers.
const LANES: usize = 16;

/// Whether [`attend`] handles heads of `head` dimensions (BERT-base and MiniLM sizes).
pub fn supports(head: usize) -> bool {
    head == 32 || head == 64
}

/// `qkv`: `batch · tokens` rows of `[q | k | v]` (each `heads · head` wide); `lens`: real
/// tokens per sequence (a prefix of its `tokens` rows). Returns the context rows,
/// `batch · tokens` of `heads · head`. `head` must be one [`supports`] takes.
pub fn attend(qkv: &[f32], lens: &[usize], tokens: usize, heads: usize, head: usize) -> Vec<f32> {
    let hidden = heads * head;
    assert_eq!(qkv.len(), lens.len() * tokens * 3 * hidden, "qkv shape");
    assert!(supports(head), "head size {head}");
    let mut out = vec![0f32; lens.len() * tokens * hidden];
    out.par_chunks_mut(tokens * hidden)
        .zip(qkv.par_chunks(tokens * 3 * hidden))
        .zip(lens.par_iter())
        .for_each(|((out, qkv), &len)| {
            let len = len.min(tokens);
            // SAFETY: only reached on the AMX path, where `amx::available()` checked AVX-512.
            unsafe {
                match head {
                    32 => sequence::<32>(qkv, len, heads, out),
                    _ => sequence::<64>(qkv, len, heads, out),
                }
            }
        });
    out
}

/// One sequence, every head of `HEAD` dimensions.
#[cfg_attr(
    target_arch = "x86_64",
    target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")
)]
unsafe fn sequence<const HEAD: usize>(qkv: &[f32], len: usize, heads: usize, out: &mut [f32]) {
    let hidden = heads * HEAD;
    let scale = 1.0 / (HEAD as f32).sqrt();
    // Keys transposed and scaled (`HEAD` rows of `padded`), values packed (`len` rows of
    // `HEAD`); the key rows are padded to whole registers with zeros, whose scores are cut off.
    let padded = len.div_ceil(LANES) * LANES;
    let mut keys = vec![0f32; HEAD * padded];
    let mut values = vec![[0f32; HEAD]; len];
    let mut scores = vec![0f32; padded];
    for h in 0..heads {
        let (q_at, k_at, v_at) = (h * HEAD, hidden + h * HEAD, 2 * hidden + h * HEAD);
        for (j, value) in values.iter_mut().enumerate() {
            let row = &qkv[j * 3 * hidden..];
            for d in 0..HEAD {
                keys[d * padded + j] = row[k_at + d] * scale;
            }
            value.copy_from_slice(&row[v_at..v_at + HEAD]);
        }
        for i in 0..len {
            let query: &[f32; HEAD] = qkv[i * 3 * hidden + q_at..][..HEAD].try_into().unwrap();
            query_scores(query, &keys, padded, &mut scores);
            let scores = &mut scores[..len];
            let max = max(scores);
            scores.iter_mut().for_each(|s| *s = amx::exp(*s - max));
            let sum = sum(scores);
            let mut context = [0f32; HEAD];
            weighted_sum(scores, &values, &mut context);
            let norm = 1.0 / sum;
            let out = &mut out[i * hidden + q_at..][..HEAD];
            for (o, c) in out.iter_mut().zip(context) {
                *o = c * norm;
            }
        }
    }
}

/// Scores of one query against every key (`keys`: `HEAD` rows of `padded`), [`LANES`] keys at
/// a time, four blocks together so four independent chains of multiply-adds run at once (in
/// registers: written with intrinsics because the compiler kept array accumulators on the stack).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
unsafe fn query_scores<const HEAD: usize>(
    query: &[f32; HEAD],
    keys: &[f32],
    padded: usize,
    out: &mut [f32],
) {
    use std::arch::x86_64::*;
    assert!(keys.len() >= HEAD * padded && out.len() >= padded);
    let blocks = padded / LANES;
    let k = keys.as_ptr();
    let o = out.as_mut_ptr();
    let mut block = 0;
    // SAFETY: every load reads keys[d * padded + b * LANES..][..LANES] with d < HEAD and
    // b < blocks, and every store writes out[b * LANES..][..LANES], inside the asserted lengths.
    while block + 4 <= blocks {
        let (mut a0, mut a1, mut a2, mut a3) = (
            _mm512_setzero_ps(),
            _mm512_setzero_ps(),
            _mm512_setzero_ps(),
            _mm512_setzero_ps(),
        );
        for (d, &q) in query.iter().enumerate() {
            let q = _mm512_set1_ps(q);
            let row = k.add(d * padded + block * LANES);
            a0 = _mm512_fmadd_ps(q, _mm512_loadu_ps(row), a0);
            a1 = _mm512_fmadd_ps(q, _mm512_loadu_ps(row.add(LANES)), a1);
            a2 = _mm512_fmadd_ps(q, _mm512_loadu_ps(row.add(2 * LANES)), a2);
            a3 = _mm512_fmadd_ps(q, _mm512_loadu_ps(row.add(3 * LANES)), a3);
        }
        let at = o.add(block * LANES);
        _mm512_storeu_ps(at, a0);
        _mm512_storeu_ps(at.add(LANES), a1);
        _mm512_storeu_ps(at.add(2 * LANES), a2);
        _mm512_storeu_ps(at.add(3 * LANES), a3);
        block += 4;
    }
    while block < blocks {
        let mut a = _mm512_setzero_ps();
        for (d, &q) in query.iter().enumerate() {
            let row = k.add(d * padded + block * LANES);
            a = _mm512_fmadd_ps(_mm512_set1_ps(q), _mm512_loadu_ps(row), a);
        }
        _mm512_storeu_ps(o.add(block * LANES), a);
        block += 1;
    }
}

/// `Σ p[j] · values[j]` over the rows, two rows at a time into separate registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
unsafe fn weighted_sum<const HEAD: usize>(p: &[f32], values: &[[f32; HEAD]], out: &mut [f32]) {
    use std::arch::x86_64::*;
    const { assert!(HEAD.is_multiple_of(LANES) && HEAD <= 64) };
    assert!(values.len() >= p.len() && out.len() >= HEAD);
    let n = HEAD / LANES;
    let mut even = [_mm512_setzero_ps(); 4];
    let mut odd = [_mm512_setzero_ps(); 4];
    let mut j = 0;
    // SAFETY: loads read values[j][r * LANES..][..LANES] with j < p.len() and r < HEAD / LANES;
    // stores write out[..HEAD]; both inside the asserted lengths.
    while j + 2 <= p.len() {
        let (p0, p1) = (_mm512_set1_ps(p[j]), _mm512_set1_ps(p[j + 1]));
        let (v0, v1) = (values[j].as_ptr(), values[j + 1].as_ptr());
        for r in 0..n {
            even[r] = _mm512_fmadd_ps(p0, _mm512_loadu_ps(v0.add(r * LANES)), even[r]);
            odd[r] = _mm512_fmadd_ps(p1, _mm512_loadu_ps(v1.add(r * LANES)), odd[r]);
        }
        j += 2;
    }
    if j < p.len() {
        let p0 = _mm512_set1_ps(p[j]);
        for (r, acc) in even.iter_mut().enumerate().take(n) {
            *acc = _mm512_fmadd_ps(p0, _mm512_loadu_ps(values[j].as_ptr().add(r * LANES)), *acc);
        }
    }
    for r in 0..n {
        _mm512_storeu_ps(
            out.as_mut_ptr().add(r * LANES),
            _mm512_add_ps(even[r], odd[r]),
        );
    }
}

/// [`query_scores`] elsewhere (unused: AMX is x86_64 only, but the module compiles everywhere).
#[cfg(not(target_arch = "x86_64"))]
unsafe fn query_scores<const HEAD: usize>(
    query: &[f32; HEAD],
    keys: &[f32],
    padded: usize,
    out: &mut [f32],
) {
    for (j, o) in out[..padded].iter_mut().enumerate() {
        *o = (0..HEAD).map(|d| query[d] * keys[d * padded + j]).sum();
    }
}

/// [`weighted_sum`] elsewhere (unused, as above).
#[cfg(not(target_arch = "x86_64"))]
unsafe fn weighted_sum<const HEAD: usize>(p: &[f32], values: &[[f32; HEAD]], out: &mut [f32]) {
    for d in 0..HEAD {
        out[d] = p.iter().zip(values).map(|(p, v)| p * v[d]).sum();
    }
}

/// Largest value, lane by lane then across lanes, so it vectorises.
#[inline]
fn max(xs: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let mut blocks = xs.chunks_exact(LANES);
    for block in &mut blocks {
        for l in 0..LANES {
            acc[l] = if block[l] > acc[l] { block[l] } else { acc[l] };
        }
    }
    acc.iter()
        .chain(blocks.remainder())
        .fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m })
}

/// Sum with [`LANES`] partial sums, so it vectorises (a plain fold is one long chain).
#[inline]
fn sum(xs: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let mut blocks = xs.chunks_exact(LANES);
    for block in &mut blocks {
        for l in 0..LANES {
            acc[l] += block[l];
        }
    }
    acc.iter().sum::<f32>() + blocks.remainder().iter().sum::<f32>()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused attention against a plain f64 softmax attention, on a padded batch.
    #[test]
    fn fused_attention_matches_the_textbook_formula() {
        if !amx::available() {
            eprintln!("no AMX here: the encoder uses candle's attention (checked by embed::tests)");
            return;
        }
        let (tokens, heads, head) = (9, 3, 32);
        let hidden = heads * head;
        let lens = [9, 4, 1];
        let mut s = 99u64;
        let qkv: Vec<f32> = (0..lens.len() * tokens * 3 * hidden)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s % 2001) as f32 / 400.0 - 2.5
            })
            .collect();
        let got = attend(&qkv, &lens, tokens, heads, head);
        for (b, &len) in lens.iter().enumerate() {
            let row = |t: usize| &qkv[(b * tokens + t) * 3 * hidden..][..3 * hidden];
            for h in 0..heads {
                for i in 0..tokens {
                    let out = &got[(b * tokens + i) * hidden + h * head..][..head];
                    if i >= len {
                        assert!(out.iter().all(|&x| x == 0.0), "padding row {b}/{i}");
                        continue;
                    }
                    let logits: Vec<f64> = (0..len)
                        .map(|j| {
                            (0..head)
                                .map(|d| {
                                    f64::from(row(i)[h * head + d])
                                        * f64::from(row(j)[hidden + h * head + d])
                                })
                                .sum::<f64>()
                                / (head as f64).sqrt()
                        })
                        .collect();
                    let max = logits.iter().copied().fold(f64::MIN, f64::max);
                    let weights: Vec<f64> = logits.iter().map(|l| (l - max).exp()).collect();
                    let total: f64 = weights.iter().sum();
                    for (d, got) in out.iter().enumerate() {
                        let want: f64 = (0..len)
                            .map(|j| {
                                weights[j] / total * f64::from(row(j)[2 * hidden + h * head + d])
                            })
                            .sum();
                        let g = f64::from(*got);
                        assert!(
                            (g - want).abs() < 1e-4,
                            "seq {b} head {h} row {i} dim {d}: {g} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
