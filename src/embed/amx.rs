//! Dense layers on Intel AMX tiles: `x · Wᵀ + b` from bfloat16 products summed in f32.
//!
//! Why: with f32 kernels the encoder's dense layers (about 90% of its arithmetic) ran at 30 to
//! 100 GFLOP/s on this 2-vCPU machine (gemm's AVX2 kernels; its AVX-512 ones need a nightly
//! compiler), which capped embedding at about 12 passages/s. One AMX `tdpbf16ps` does a 16 × 16
//! × 32 block of multiply-adds; a 3200 × 384 × 1536 product ran at 3.4× gemm's speed in the
//! same run. Rounding both factors to bf16 (8 bits of mantissa) moved the reference cosines of
//! issue 11 by 9e-4, so the encoder sums three products per multiply ([`Precision::Split`]):
//! its vectors match f32's to a cosine above 0.999999.
//!
//! Layout: a weight matrix `W` (`n` rows of `k`, PyTorch's `[out, in]`) is packed once into
//! tiles of 16 output columns × 32 inputs, in the pair-interleaved ("VNNI") order `tdpbf16ps`
//! reads. Activations are converted to bf16 per call, padded to a multiple of 32 rows. Each
//! thread takes [`CHUNK_ROWS`] rows and walks every column block over them, computing 32 × 32
//! of the output at a time in four accumulator tiles.
//!
//! [`available`] decides at run time: the CPU must have AMX-TILE and AMX-BF16, and Linux must
//! grant the process the tile state (`arch_prctl(ARCH_REQ_XCOMP_PERM)`). Elsewhere the encoder
//! uses candle's f32 matmul.

use std::sync::OnceLock;

use rayon::prelude::*;

/// Inputs (k) per tile row: 32 bf16 values fill the 64-byte row.
const TILE_K: usize = 32;
/// Output columns per B tile and rows per A tile.
const TILE: usize = 16;
/// Output rows computed together: two A tiles.
const BLOCK: usize = 2 * TILE;
/// Rows of activations one thread works through at a time; their bf16 copy (at most
/// 256 × 1536 × 2 bytes) stays in cache while every column block passes over it.
const CHUNK_ROWS: usize = 256;

/// Whether this process can run [`Packed::forward`]; decided once.
pub fn available() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(detect)
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn detect() -> bool {
    use std::arch::x86_64::__cpuid_count;
    let leaf0 = __cpuid_count(0, 0);
    if leaf0.eax < 7 {
        return false;
    }
    let leaf7 = __cpuid_count(7, 0);
    let amx_bf16 = leaf7.edx & (1 << 22) != 0;
    let amx_tile = leaf7.edx & (1 << 24) != 0;
    // Every AMX CPU has AVX-512; the conversions and the output pass are compiled for it.
    let avx512 = std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("fma");
    if !(amx_bf16 && amx_tile && avx512) {
        return false;
    }
    const ARCH_REQ_XCOMP_PERM: libc::c_long = 0x1023;
    const XFEATURE_XTILEDATA: libc::c_long = 18;
    // SAFETY: a plain syscall with integer arguments; it fails cleanly (non-zero) when the kernel
    // does not support AMX.
    unsafe {
        libc::syscall(
            libc::SYS_arch_prctl,
            ARCH_REQ_XCOMP_PERM,
            XFEATURE_XTILEDATA,
        ) == 0
    }
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn detect() -> bool {
    false
}

/// Rounds to the nearest bfloat16 (ties to even), as the top 16 bits of an f32.
#[inline]
fn bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    ((bits + 0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

/// GELU, `x · Φ(x)`, with `Φ` from [`erf`]: within 1e-6 of the libm-based f32 GELU, and
/// free of calls, so the loop over a row vectorises (libm's `erff` was a tenth of the
/// encoder's time).
#[inline]
pub fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), with [`exp`].
#[inline]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let y = 1.0 - poly * exp(-a * a);
    y.copysign(x)
}

/// e^x for x ≤ 0 (what [`erf`] needs), by range reduction to 2^n · e^r with |r| ≤ ln2/2 and a
/// degree-6 polynomial for e^r: about 2 ulp; 0 below -87.
#[inline]
pub(super) fn exp(x: f32) -> f32 {
    let x = x.max(-87.0);
    let n = (x * std::f32::consts::LOG2_E).round();
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (0.166_666_67
                    + r * (0.041_666_668 + r * (0.008_333_334 + r * 0.001_388_889)))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// Which products a dense layer sums. Each value is split into its bf16 rounding `h` and the
/// bf16 of what rounding left out, `l`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// The encoder uses `Split`; the tests measure all three against their error bounds.
#[cfg_attr(not(test), allow(dead_code))]
pub enum Precision {
    /// `xh·wh`: both factors rounded to bf16 (about 1e-3 off in cosine).
    Bf16,
    /// `xh·wh + xh·wl`: the weights exact to about 16 bits, the inputs rounded.
    SplitWeights,
    /// `xh·wh + xh·wl + xl·wh`: both factors to about 16 bits, as close to f32 as the test
    /// vectors can tell (cosine to f32 above 0.999999), for three times the tile products of
    /// `Bf16`; the input tiles are loaded once for the first two.
    Split,
}

impl Precision {
    /// Weight tiles per step of 32 inputs.
    fn weight_parts(self) -> usize {
        match self {
            Precision::Bf16 => 1,
            _ => 2,
        }
    }

    /// Whether the inputs' remainders are multiplied too.
    fn split_inputs(self) -> bool {
        self == Precision::Split
    }
}

/// A weight matrix and bias packed for AMX.
pub struct Packed {
    /// `n / 16` column blocks, each `k / 32` steps of one tile per weight part (16 × 32 bf16).
    tiles: Vec<u16>,
    bias: Vec<f32>,
    n: usize,
    k: usize,
    precision: Precision,
    gelu: bool,
}

/// Splits `x` into a bf16 value and the bf16 of what that leaves out.
fn split(x: f32) -> [u16; 2] {
    let hi = bf16(x);
    [hi, bf16(x - f32::from_bits(u32::from(hi) << 16))]
}

impl Packed {
    /// Packs `weight` (`n` rows of `k`) and `bias` (`n`). `None` when a side is not a multiple
    /// of 32 (the caller keeps the f32 path).
    pub fn new(
        weight: &[f32],
        bias: &[f32],
        n: usize,
        k: usize,
        precision: Precision,
    ) -> Option<Packed> {
        if !n.is_multiple_of(BLOCK)
            || !k.is_multiple_of(TILE_K)
            || weight.len() != n * k
            || bias.len() != n
        {
            return None;
        }
        let parts = precision.weight_parts();
        let mut tiles = Vec::with_capacity(n * k * parts);
        for col_block in 0..n / TILE {
            for k_block in 0..k / TILE_K {
                for part in 0..parts {
                    for pair in 0..TILE_K / 2 {
                        for col in 0..TILE {
                            let row = &weight[(col_block * TILE + col) * k + k_block * TILE_K..];
                            tiles.push(split(row[2 * pair])[part]);
                            tiles.push(split(row[2 * pair + 1])[part]);
                        }
                    }
                }
            }
        }
        Some(Packed {
            tiles,
            bias: bias.to_vec(),
            n,
            k,
            precision,
            gelu: false,
        })
    }

    /// Applies GELU (the exact, erf form) to every output, in the same pass as the bias.
    pub fn with_gelu(mut self) -> Packed {
        self.gelu = true;
        self
    }

    /// Whether [`Packed::with_gelu`] was applied.
    pub fn fuses_gelu(&self) -> bool {
        self.gelu
    }

    /// Inputs per row.
    pub fn inputs(&self) -> usize {
        self.k
    }

    /// Outputs per row.
    pub fn outputs(&self) -> usize {
        self.n
    }

    /// `x · Wᵀ + b` for `x` of `rows` rows of [`Packed::inputs`]; `rows × outputs` values.
    /// Only call when [`available`].
    pub fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        assert!(available(), "AMX is not available");
        assert_eq!(x.len(), rows * self.k, "input shape");
        let padded = rows.div_ceil(BLOCK) * BLOCK;
        // Row-major bf16 inputs, then (for `Split`) their remainders in the same layout.
        let halves = if self.precision.split_inputs() { 2 } else { 1 };
        let mut a = vec![0u16; halves * padded * self.k];
        let (hi, lo) = a.split_at_mut(padded * self.k);
        hi[..rows * self.k]
            .par_chunks_mut(CHUNK_ROWS * self.k)
            .zip(x.par_chunks(CHUNK_ROWS * self.k))
            .for_each(|(dst, src)| {
                // SAFETY: `available()` checked AVX-512 and FMA.
                unsafe { to_bf16(src, dst, 0) };
            });
        if halves == 2 {
            lo[..rows * self.k]
                .par_chunks_mut(CHUNK_ROWS * self.k)
                .zip(x.par_chunks(CHUNK_ROWS * self.k))
                .for_each(|(dst, src)| {
                    // SAFETY: as above.
                    unsafe { to_bf16(src, dst, 1) };
                });
        }
        let (hi, lo) = a.split_at(padded * self.k);
        let mut out = vec![0f32; padded * self.n];
        let lo = (halves == 2).then_some(lo);
        out.par_chunks_mut(CHUNK_ROWS * self.n)
            .enumerate()
            .for_each(|(i, out)| {
                let at = i * CHUNK_ROWS * self.k;
                let len = out.len() / self.n * self.k;
                let a = &hi[at..at + len];
                self.chunk(a, lo.map(|lo| &lo[at..at + len]), out);
            });
        out.truncate(rows * self.n);
        out
    }

    /// One thread's rows: `a` holds a multiple of 32 rows in bf16 (`lo`: their remainders,
    /// for `Split`), `out` receives them.
    fn chunk(&self, a: &[u16], lo: Option<&[u16]>, out: &mut [f32]) {
        let rows = a.len() / self.k;
        let tiles = Tiles::configure();
        for col in (0..self.n).step_by(BLOCK) {
            for row in (0..rows).step_by(BLOCK) {
                tiles.block(self, (a, lo), row, col, out);
            }
        }
        drop(tiles);
        // SAFETY: `available()` checked AVX-512 and FMA.
        unsafe { finish(out, &self.bias, self.gelu) };
    }
}

/// Adds the bias to every row of `out` and applies GELU when asked; compiled for AVX-512 so
/// the loops vectorise 16 wide (the crate's baseline is SSE2).
#[cfg_attr(
    target_arch = "x86_64",
    target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")
)]
unsafe fn finish(out: &mut [f32], bias: &[f32], gelu_after: bool) {
    for row in out.chunks_exact_mut(bias.len()) {
        for (o, b) in row.iter_mut().zip(bias) {
            *o += b;
        }
        if gelu_after {
            row.iter_mut().for_each(|o| *o = gelu(*o));
        }
    }
}

/// Part `part` of [`split`] of each of `x` into `out`; AVX-512 as in [`finish`].
#[cfg_attr(
    target_arch = "x86_64",
    target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")
)]
unsafe fn to_bf16(x: &[f32], out: &mut [u16], part: usize) {
    if part == 0 {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = bf16(v);
        }
    } else {
        for (o, &v) in out.iter_mut().zip(x) {
            *o = split(v)[1];
        }
    }
}

/// This thread's tile configuration, released on drop: tiles 0–3 accumulate 16 × 16 f32, tiles
/// 4–5 hold 16 rows × 32 bf16 of x, tiles 6–7 hold 16 pairs × 16 columns of W.
struct Tiles(());

#[repr(C, align(64))]
struct TileConfig {
    palette: u8,
    start_row: u8,
    reserved: [u8; 14],
    bytes_per_row: [u16; 16],
    rows: [u8; 16],
}

impl Tiles {
    fn configure() -> Tiles {
        let mut config = TileConfig {
            palette: 1,
            start_row: 0,
            reserved: [0; 14],
            bytes_per_row: [0; 16],
            rows: [0; 16],
        };
        for t in 0..8 {
            config.bytes_per_row[t] = 64;
            config.rows[t] = TILE as u8;
        }
        imp::load_config(&config);
        Tiles(())
    }

    /// Output rows `row..row + 32`, columns `col..col + 32`.
    fn block(
        &self,
        w: &Packed,
        (a, lo): (&[u16], Option<&[u16]>),
        row: usize,
        col: usize,
        out: &mut [f32],
    ) {
        let parts = w.precision.weight_parts();
        let column = (w.k / TILE_K) * TILE * TILE_K * parts;
        let b = [
            &w.tiles[(col / TILE) * column..][..column],
            &w.tiles[(col / TILE + 1) * column..][..column],
        ];
        let k = w.k;
        let hi = [
            &a[row * k..][..TILE * k],
            &a[(row + TILE) * k..][..TILE * k],
        ];
        let lo = lo.map(|lo| {
            [
                &lo[row * k..][..TILE * k],
                &lo[(row + TILE) * k..][..TILE * k],
            ]
        });
        let c = &mut out[row * w.n + col..][..(BLOCK - 1) * w.n + BLOCK];
        imp::block(hi, lo, b, (k, parts), c, w.n);
    }
}

impl Drop for Tiles {
    fn drop(&mut self) {
        imp::release();
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use std::arch::asm;

    use super::{TileConfig, TILE, TILE_K};

    pub(super) fn load_config(config: &TileConfig) {
        // SAFETY: callers reach here only when `available()` said the CPU and kernel support
        // AMX; the config is 64 bytes, 64-aligned, and valid for palette 1.
        unsafe { asm!("ldtilecfg [{}]", in(reg) config, options(nostack, readonly)) };
    }

    pub(super) fn release() {
        // SAFETY: as above; releasing tiles is always allowed once configured.
        unsafe { asm!("tilerelease", options(nostack, nomem)) };
    }

    /// C (32 × 32 at `c`, row stride `ldc` floats) = A (two 16-row tiles, `k` bf16 per row) ×
    /// B (two packed column blocks of `parts` tiles per step of 32 inputs, summed), plus
    /// `lo` (A's remainders) × B's first part when given.
    pub(super) fn block(
        [a0, a1]: [&[u16]; 2],
        lo: Option<[&[u16]; 2]>,
        [b0, b1]: [&[u16]; 2],
        (k, parts): (usize, usize),
        c: &mut [f32],
        ldc: usize,
    ) {
        let tile_len = TILE * TILE_K;
        let k_blocks = k / TILE_K;
        let step = parts * tile_len;
        // The slices were cut by `Tiles::block` to cover every byte read or written below.
        assert!(a0.len() >= TILE * k && a1.len() >= TILE * k);
        if let Some([l0, l1]) = lo {
            assert!(l0.len() >= TILE * k && l1.len() >= TILE * k);
        }
        assert!(b0.len() >= k_blocks * step && b1.len() >= k_blocks * step);
        assert!(c.len() > (2 * TILE - 1) * ldc + 2 * TILE - 1);
        assert!(parts == 1 || parts == 2);
        // SAFETY: tiles are configured (Tiles::configure), the loads stay inside a0/a1 and lo
        // (16 rows of `k` at stride k) and b0/b1 (k_blocks · parts tiles of 16 rows × 64
        // bytes), and the stores inside c (32 rows of 32 floats at stride ldc), as asserted.
        unsafe {
            asm!(
                "tilezero tmm0",
                "tilezero tmm1",
                "tilezero tmm2",
                "tilezero tmm3",
                options(nostack, nomem)
            );
            for kb in 0..k_blocks {
                let (b0, b1) = (b0.as_ptr().add(kb * step), b1.as_ptr().add(kb * step));
                load_inputs(
                    a0.as_ptr().add(kb * TILE_K),
                    a1.as_ptr().add(kb * TILE_K),
                    k,
                );
                multiply(b0, b1);
                if parts == 2 {
                    // The weights' remainders, against the same input tiles.
                    multiply(b0.add(tile_len), b1.add(tile_len));
                }
                if let Some([l0, l1]) = lo {
                    // The inputs' remainders, against the weights' bf16 values.
                    load_inputs(
                        l0.as_ptr().add(kb * TILE_K),
                        l1.as_ptr().add(kb * TILE_K),
                        k,
                    );
                    multiply(b0, b1);
                }
            }
            let c = c.as_mut_ptr();
            asm!(
                "tilestored [{c00} + {ldc}*1], tmm0",
                "tilestored [{c01} + {ldc}*1], tmm1",
                "tilestored [{c10} + {ldc}*1], tmm2",
                "tilestored [{c11} + {ldc}*1], tmm3",
                c00 = in(reg) c,
                c01 = in(reg) c.add(TILE),
                c10 = in(reg) c.add(TILE * ldc),
                c11 = in(reg) c.add(TILE * ldc + TILE),
                ldc = in(reg) ldc * 4,
                options(nostack),
            );
        }
    }

    /// Loads 16 rows of 32 inputs from each of `a0` and `a1` (rows `k` apart) into tiles 4–5.
    ///
    /// # Safety
    /// Tiles are configured and both pointers have 16 rows of `k` bf16 values from them.
    #[inline(always)]
    unsafe fn load_inputs(a0: *const u16, a1: *const u16, k: usize) {
        asm!(
            "tileloadd tmm4, [{a0} + {lda}*1]",
            "tileloadd tmm5, [{a1} + {lda}*1]",
            a0 = in(reg) a0,
            a1 = in(reg) a1,
            lda = in(reg) k * 2,
            options(nostack, readonly),
        );
    }

    /// Loads one packed weight tile from each of `b0` and `b1` into tiles 6–7 and adds the four
    /// products with the input tiles 4–5 into the accumulators 0–3.
    ///
    /// # Safety
    /// Tiles are configured, tiles 4–5 are loaded, and both pointers have a 1 KiB tile.
    #[inline(always)]
    unsafe fn multiply(b0: *const u16, b1: *const u16) {
        asm!(
            "tileloadd tmm6, [{b0} + {ldb}*1]",
            "tileloadd tmm7, [{b1} + {ldb}*1]",
            "tdpbf16ps tmm0, tmm4, tmm6",
            "tdpbf16ps tmm1, tmm4, tmm7",
            "tdpbf16ps tmm2, tmm5, tmm6",
            "tdpbf16ps tmm3, tmm5, tmm7",
            b0 = in(reg) b0,
            b1 = in(reg) b1,
            ldb = in(reg) 64usize,
            options(nostack, readonly),
        );
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    use super::TileConfig;

    pub(super) fn load_config(_: &TileConfig) {
        unreachable!("AMX is x86_64 only; available() is false here")
    }

    pub(super) fn release() {}

    pub(super) fn block(
        _: [&[u16]; 2],
        _: Option<[&[u16]; 2]>,
        _: [&[u16]; 2],
        _: (usize, usize),
        _: &mut [f32],
        _: usize,
    ) {
        unreachable!("AMX is x86_64 only; available() is false here")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s % 2001) as f32 / 1000.0 - 1.0
            })
            .collect()
    }

    /// The f32 answer in f64, to compare with.
    fn reference(x: &[f32], w: &[f32], b: &[f32], rows: usize, n: usize, k: usize) -> Vec<f64> {
        let mut out = Vec::with_capacity(rows * n);
        for r in 0..rows {
            for c in 0..n {
                let dot: f64 = (0..k)
                    .map(|i| f64::from(x[r * k + i]) * f64::from(w[c * k + i]))
                    .sum();
                out.push(dot + f64::from(b[c]));
            }
        }
        out
    }

    #[test]
    fn sizes_that_are_not_multiples_of_32_stay_on_f32() {
        assert!(Packed::new(&[0.0; 40 * 32], &[0.0; 40], 40, 32, Precision::Bf16).is_none());
        assert!(Packed::new(&[0.0; 32 * 40], &[0.0; 32], 32, 40, Precision::Bf16).is_none());
        assert!(Packed::new(&[0.0; 32 * 32], &[0.0; 32], 32, 32, Precision::Split).is_some());
    }

    /// The fused GELU against candle's (libm `erff`), over the range activations take.
    #[test]
    fn gelu_matches_the_libm_gelu() {
        let xs: Vec<f32> = (-12_000..12_000).map(|i| i as f32 / 1000.0).collect();
        let want = candle_core::Tensor::new(xs.as_slice(), &candle_core::Device::Cpu)
            .unwrap()
            .gelu_erf()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        for (x, w) in xs.iter().zip(want) {
            let g = gelu(*x);
            assert!(
                (g - w).abs() <= 1e-6 + 1e-6 * w.abs(),
                "gelu({x}) = {g}, libm {w}"
            );
        }
    }

    #[test]
    fn bf16_rounds_to_nearest_even() {
        assert_eq!(bf16(1.0), 0x3f80);
        assert_eq!(bf16(-2.0), 0xc000);
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1.0).
        assert_eq!(bf16(1.0 + 1.0 / 256.0), 0x3f80);
        assert_eq!(bf16(1.0 + 3.0 / 256.0), 0x3f82);
    }

    /// Odd row counts (padding), several chunks (rows > CHUNK_ROWS) and MiniLM's shapes; each
    /// output within bf16 rounding of the exact product.
    #[test]
    fn amx_products_match_f32_within_bf16_rounding() {
        if !available() {
            // Not a skip: on a CPU without AMX this checks that the encoder takes the f32 path.
            eprintln!("this CPU or kernel has no AMX: the encoder uses f32 matmul");
            return;
        }
        let shapes = [
            (1, 32, 32),
            (45, 384, 384),
            (300, 1536, 384),
            (77, 384, 1536),
        ];
        let precisions = [Precision::Bf16, Precision::SplitWeights, Precision::Split];
        for ((rows, n, k), weights) in shapes.into_iter().flat_map(|s| precisions.map(|p| (s, p))) {
            let x = numbers(rows * k, 7 + rows as u64);
            let w = numbers(n * k, 11 + n as u64);
            let b = numbers(n, 13);
            let packed = Packed::new(&w, &b, n, k, weights).unwrap();
            let got = packed.forward(&x, rows);
            let want = reference(&x, &w, &b, rows, n, k);
            assert_eq!(got.len(), want.len());
            // Each bf16 rounding is relative 2^-9; over k products of random sign the error grows
            // like √k. Bf16 rounds both factors, SplitWeights only the inputs, Split neither
            // (what is left is relative 2^-17 per factor).
            let roundings = match weights {
                Precision::Bf16 => 2.0,
                Precision::SplitWeights => 1.0,
                Precision::Split => 2f64.powi(-7),
            };
            let bound = roundings * 2.0 * (k as f64).sqrt() * 2f64.powi(-9);
            let mut worst = 0f64;
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                let err = (f64::from(*g) - w).abs();
                worst = worst.max(err);
                assert!(
                    err < bound,
                    "{weights:?} {rows}×{k}·{k}×{n}: output {i}: {g} vs {w}"
                );
            }
            eprintln!(
                "{weights:?} {rows}×{k}·{k}×{n}: worst error {worst:.2e} (bound {bound:.2e})"
            );
        }
    }
}
