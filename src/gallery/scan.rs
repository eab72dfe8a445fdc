//! Dot products of a query's 8-bit codes with many faces' codes: the inner loop of every search.
//!
//! Two kernels give bit-identical results (integer arithmetic, no rounding): a portable one, and
//! an AVX2 one chosen at run time when the CPU has it, which does 32 products per instruction.

use crate::vision::EMBEDDING_DIM;

/// Rows the AVX2 kernel scores together (their sums are reduced across lanes at once).
const ROWS_PER_STEP: usize = 8;

/// `out[i]` = the dot product of row `i` of `codes` (rows of `EMBEDDING_DIM` codes) with `query`.
/// `codes` holds exactly `out.len()` rows.
pub(super) fn code_dots(codes: &[i8], query: &[i8; EMBEDDING_DIM], out: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU this runs on has AVX2, checked just above.
        unsafe { avx2::code_dots(codes, query, out) };
        return;
    }
    portable_code_dots(codes, query, out);
}

fn portable_code_dots(codes: &[i8], query: &[i8; EMBEDDING_DIM], out: &mut [i32]) {
    for (row, dot) in codes.chunks_exact(EMBEDDING_DIM).zip(out) {
        *dot = row_dot(row, query);
    }
}

/// One row's dot product, in 16 independent lanes so that the compiler vectorises it. Products are
/// taken in 16 bits (|127 * 127| fits) and widened to add: 32-bit multiplies have no single
/// instruction in baseline x86-64 (SSE2), 16-bit ones do.
fn row_dot(row: &[i8], query: &[i8]) -> i32 {
    let mut lanes = [0i32; 16];
    for (ca, cb) in row.chunks_exact(16).zip(query.chunks_exact(16)) {
        for ((lane, x), y) in lanes.iter_mut().zip(ca).zip(cb) {
            *lane += i32::from(i16::from(*x) * i16::from(*y));
        }
    }
    lanes.iter().sum()
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::{
        __m256i, _mm256_abs_epi8, _mm256_add_epi32, _mm256_hadd_epi32, _mm256_loadu_si256,
        _mm256_madd_epi16, _mm256_maddubs_epi16, _mm256_permute2x128_si256, _mm256_set1_epi16,
        _mm256_setzero_si256, _mm256_sign_epi8, _mm256_storeu_si256,
    };

    use super::{EMBEDDING_DIM, ROWS_PER_STEP, portable_code_dots};

    const LANES: usize = 32;
    const CHUNKS: usize = EMBEDDING_DIM / LANES;

    /// The AVX2 kernel. `maddubs` multiplies unsigned by signed bytes, so each product is taken as
    /// `|q| * (f * sign(q))`, which equals `q * f`; codes lie in -127..=127, so a pair of products
    /// (at most 2 * 127 * 127 = 32 258) fits its 16-bit sum without saturating. Pairs are then
    /// widened to 32 bits (`madd` by ones) before they are added up, so the result is exact.
    #[target_feature(enable = "avx2")]
    pub(super) fn code_dots(codes: &[i8], query: &[i8; EMBEDDING_DIM], out: &mut [i32]) {
        let mut signed_query = [_mm256_setzero_si256(); CHUNKS];
        let mut query_size = [_mm256_setzero_si256(); CHUNKS];
        for ((signed, size), chunk) in signed_query
            .iter_mut()
            .zip(&mut query_size)
            .zip(query.as_chunks::<LANES>().0)
        {
            *signed = load(chunk);
            *size = _mm256_abs_epi8(*signed);
        }
        let ones = _mm256_set1_epi16(1);
        let row_sums = |row: &[i8; EMBEDDING_DIM]| {
            let mut sum = _mm256_setzero_si256();
            for ((chunk, signed), size) in row
                .as_chunks::<LANES>()
                .0
                .iter()
                .zip(&signed_query)
                .zip(&query_size)
            {
                let faces = _mm256_sign_epi8(load(chunk), *signed);
                let pairs = _mm256_maddubs_epi16(*size, faces);
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(pairs, ones));
            }
            sum
        };
        let (rows, _) = codes.as_chunks::<EMBEDDING_DIM>();
        let (step_dots, _) = out.as_chunks_mut::<ROWS_PER_STEP>();
        let stepped = step_dots.len() * ROWS_PER_STEP;
        for (step_rows, dots) in rows.chunks_exact(ROWS_PER_STEP).zip(step_dots) {
            let mut sums = [_mm256_setzero_si256(); ROWS_PER_STEP];
            for (sum, row) in sums.iter_mut().zip(step_rows) {
                *sum = row_sums(row);
            }
            store(dots, reduce_eight(sums));
        }
        if let (Some(rest_codes), Some(rest_out)) =
            (codes.get(stepped * EMBEDDING_DIM..), out.get_mut(stepped..))
        {
            portable_code_dots(rest_codes, query, rest_out);
        }
    }

    /// The totals of eight rows' sums (eight lanes each), in row order.
    #[target_feature(enable = "avx2")]
    fn reduce_eight(sums: [__m256i; ROWS_PER_STEP]) -> __m256i {
        let [s0, s1, s2, s3, s4, s5, s6, s7] = sums;
        let pairs_01 = _mm256_hadd_epi32(s0, s1);
        let pairs_23 = _mm256_hadd_epi32(s2, s3);
        let pairs_45 = _mm256_hadd_epi32(s4, s5);
        let pairs_67 = _mm256_hadd_epi32(s6, s7);
        let quads_0123 = _mm256_hadd_epi32(pairs_01, pairs_23);
        let quads_4567 = _mm256_hadd_epi32(pairs_45, pairs_67);
        // Each 128-bit half now holds a partial total of every row: add the halves.
        let low = _mm256_permute2x128_si256::<0x20>(quads_0123, quads_4567);
        let high = _mm256_permute2x128_si256::<0x31>(quads_0123, quads_4567);
        _mm256_add_epi32(low, high)
    }

    #[target_feature(enable = "avx2")]
    fn load(chunk: &[i8; LANES]) -> __m256i {
        // SAFETY: `chunk` is 32 readable bytes, and the unaligned load needs no alignment.
        unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) }
    }

    #[target_feature(enable = "avx2")]
    fn store(dots: &mut [i32; ROWS_PER_STEP], totals: __m256i) {
        // SAFETY: `dots` is eight writable i32s (32 bytes), and the unaligned store needs no
        // alignment.
        unsafe { _mm256_storeu_si256(dots.as_mut_ptr().cast(), totals) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_codes(count: usize, seed: u64) -> Vec<i8> {
        let mut state = seed;
        (0..count)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (((state >> 33) % 255) as i16 - 127) as i8
            })
            .collect()
    }

    fn query_of(codes: &[i8]) -> [i8; EMBEDDING_DIM] {
        let mut query = [0i8; EMBEDDING_DIM];
        query.copy_from_slice(&codes[..EMBEDDING_DIM]);
        query
    }

    /// Every kernel this CPU runs gives the portable kernel's scores, including rows past the last
    /// full step of eight and the extreme codes, where a 16-bit sum would saturate if it could.
    #[test]
    fn the_fast_kernel_scores_exactly_like_the_portable_one() {
        let rows = 8 * 37 + 5;
        let mut codes = random_codes(rows * EMBEDDING_DIM, 7);
        codes[..EMBEDDING_DIM].fill(127);
        codes[EMBEDDING_DIM..2 * EMBEDDING_DIM].fill(-127);
        for (i, code) in codes[2 * EMBEDDING_DIM..3 * EMBEDDING_DIM]
            .iter_mut()
            .enumerate()
        {
            *code = if i % 2 == 0 { 127 } else { -127 };
        }
        for query in [
            query_of(&random_codes(EMBEDDING_DIM, 11)),
            [127; EMBEDDING_DIM],
            [-127; EMBEDDING_DIM],
            [0; EMBEDDING_DIM],
        ] {
            let mut portable = vec![0; rows];
            portable_code_dots(&codes, &query, &mut portable);
            let mut chosen = vec![0; rows];
            code_dots(&codes, &query, &mut chosen);
            assert_eq!(chosen, portable);
            let by_hand: Vec<i32> = codes
                .chunks_exact(EMBEDDING_DIM)
                .map(|row| {
                    row.iter()
                        .zip(&query)
                        .map(|(a, b)| i32::from(*a) * i32::from(*b))
                        .sum()
                })
                .collect();
            assert_eq!(portable, by_hand);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_kernel_is_the_one_tested_where_the_cpu_has_it() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return;
        }
        let rows = 8 * 5 + 3;
        let codes = random_codes(rows * EMBEDDING_DIM, 3);
        let query = query_of(&random_codes(EMBEDDING_DIM, 5));
        let mut portable = vec![0; rows];
        portable_code_dots(&codes, &query, &mut portable);
        let mut fast = vec![0; rows];
        // SAFETY: AVX2 was detected above.
        unsafe { avx2::code_dots(&codes, &query, &mut fast) };
        assert_eq!(fast, portable);
    }
}
