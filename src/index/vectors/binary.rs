//! Binary quantisation, the first stage of an approximate vector search: one sign bit per
//! dimension (48 bytes at 384 dimensions), compared by Hamming distance (XOR and popcount on
//! 64-bit words). Sign codes of unit vectors keep their angular order roughly (the Hamming
//! distance estimates the angle), well enough to pick a few thousand candidates out of
//! hundreds of thousands that the exact int8 score then ranks.

use rayon::prelude::*;

/// Rows whose distances one rayon task computes.
const ROWS_PER_TASK: usize = 16_384;

/// 64-bit words in the code of a `dims`-dimensional vector.
pub fn words(dims: usize) -> usize {
    dims.div_ceil(64)
}

/// Appends the sign code of every `dims`-wide row of `values`: bit `i` is set when dimension
/// `i` is positive. Padding bits past `dims` stay clear in every code, so they never count.
pub fn push_codes(values: &[i8], dims: usize, codes: &mut Vec<u64>) {
    codes.reserve(values.len() / dims.max(1) * words(dims));
    for row in values.chunks_exact(dims) {
        codes.extend(row.chunks(64).map(|part| {
            part.iter()
                .enumerate()
                .fold(0u64, |w, (i, &v)| w | (u64::from(v > 0) << i))
        }));
    }
}

/// The sign code of one query vector.
pub fn query_code(query: &[i8]) -> Vec<u64> {
    let mut code = Vec::with_capacity(words(query.len()));
    push_codes(query, query.len(), &mut code);
    code
}

/// Hamming distance of every row's code (`q.len()` words each) to `q`, in parallel.
pub fn distances(codes: &[u64], q: &[u64]) -> Vec<u16> {
    let w = q.len();
    let mut out = vec![0u16; codes.len() / w.max(1)];
    out.par_chunks_mut(ROWS_PER_TASK)
        .enumerate()
        .for_each(|(task, out)| {
            let base = task * ROWS_PER_TASK * w;
            let part = &codes[base..base + out.len() * w];
            distance_chunk(part, q, out);
        });
    out
}

/// [`distance_chunk_portable`] with the POPCNT instruction when the CPU has it (the default
/// x86-64 target counts bits in software, several instructions per word).
fn distance_chunk(codes: &[u64], q: &[u64], out: &mut [u16]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU supports POPCNT, checked just above.
        return unsafe { distance_chunk_popcnt(codes, q, out) };
    }
    distance_chunk_portable(codes, q, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn distance_chunk_popcnt(codes: &[u64], q: &[u64], out: &mut [u16]) {
    distance_chunk_portable(codes, q, out)
}

#[inline(always)]
fn distance_chunk_portable(codes: &[u64], q: &[u64], out: &mut [u16]) {
    for (d, code) in out.iter_mut().zip(codes.chunks_exact(q.len())) {
        *d = code
            .iter()
            .zip(q)
            .map(|(a, b)| (a ^ b).count_ones() as u16)
            .sum();
    }
}

/// The rows with the `n` smallest distances, in row order, picked with a histogram of the
/// distances (at most `bits + 1` values) instead of a sort. Ties at the cut go to the lower
/// rows. Rows `skip` rejects are never picked.
pub fn nearest_rows(dist: &[u16], n: usize, bits: usize, skip: impl Fn(usize) -> bool) -> Vec<u32> {
    let mut hist = vec![0usize; bits + 1];
    for (row, &d) in dist.iter().enumerate() {
        if !skip(row) {
            hist[usize::from(d).min(bits)] += 1;
        }
    }
    let (mut cut, mut below) = (0usize, 0usize);
    while cut < bits && below + hist[cut] < n {
        below += hist[cut];
        cut += 1;
    }
    let mut at_cut = n.saturating_sub(below);
    let mut rows = Vec::with_capacity(n.min(dist.len()));
    for (row, &d) in dist.iter().enumerate() {
        let d = usize::from(d).min(bits);
        if d > cut || skip(row) {
            continue;
        }
        if d == cut {
            if at_cut == 0 {
                continue;
            }
            at_cut -= 1;
        }
        rows.push(row as u32);
    }
    rows
}
