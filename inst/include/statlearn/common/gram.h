// statlearn/common/gram.h -- weighted, centred cross-product matrices.
//
// gram() computes G = (X - 1 m')' diag(w) (X - 1 m') for a column-major n x p
// matrix X without forming the centred copy. It is the hot kernel of the
// covariance-update coordinate descent and of ridge/least squares set-up, so it
// must be fast with R's reference BLAS too: square column tiles are packed
// (centred, weighted) into reused per-thread buffers, row chunk by row chunk,
// and a register-blocked SIMD micro-kernel forms the dot products. The kernel
// is chosen at run time (AVX-512, AVX2/FMA or portable), because R compiles
// packages without -march flags.
//
// Determinism: each tile of G is computed by one task, over the row chunks in
// order, so the result does not depend on the number of threads.
#ifndef STATLEARN_GRAM_H
#define STATLEARN_GRAM_H

#include <algorithm>
#include <cstddef>
#include <vector>

#include "statlearn/common/cpu.h"
#include "statlearn/common/parallel.h"

namespace statlearn {
namespace gram_detail {

constexpr std::size_t kRows = 256;  // rows per packed chunk
constexpr std::size_t kTile = 96;   // columns per tile

// Dot products of nj packed columns of A with nk packed columns of B (each
// column `len` long, contiguous, stride `len`), added into out[j * ldo + k].
inline void block_portable(const double* A, const double* B, std::size_t len, std::size_t nj,
                           std::size_t nk, double* out, std::size_t ldo) {
  for (std::size_t j = 0; j < nj; ++j) {
    const double* a = A + j * len;
    for (std::size_t k = 0; k < nk; ++k) {
      const double* b = B + k * len;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      std::size_t i = 0;
      for (; i + 4 <= len; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
      }
      for (; i < len; ++i) s0 += a[i] * b[i];
      out[j * ldo + k] += (s0 + s1) + (s2 + s3);
    }
  }
}

#ifdef STATLEARN_X86
__attribute__((target("avx2,fma"))) inline double hsum256(__m256d v) {
  __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
  lo = _mm_add_pd(lo, hi);
  return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

// 3 x 3 register block; len must be a multiple of 4 (buffers are zero-padded).
__attribute__((target("avx2,fma"))) inline void block_avx2(const double* A, const double* B,
                                                           std::size_t len, std::size_t nj,
                                                           std::size_t nk, double* out,
                                                           std::size_t ldo) {
  std::size_t j = 0;
  for (; j + 3 <= nj; j += 3) {
    const double *a0 = A + j * len, *a1 = a0 + len, *a2 = a1 + len;
    std::size_t k = 0;
    for (; k + 3 <= nk; k += 3) {
      const double *b0 = B + k * len, *b1 = b0 + len, *b2 = b1 + len;
      __m256d c00 = _mm256_setzero_pd(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00,
              c20 = c00, c21 = c00, c22 = c00;
      for (std::size_t i = 0; i < len; i += 4) {
        const __m256d x0 = _mm256_loadu_pd(a0 + i), x1 = _mm256_loadu_pd(a1 + i),
                      x2 = _mm256_loadu_pd(a2 + i);
        const __m256d y0 = _mm256_loadu_pd(b0 + i), y1 = _mm256_loadu_pd(b1 + i),
                      y2 = _mm256_loadu_pd(b2 + i);
        c00 = _mm256_fmadd_pd(x0, y0, c00); c01 = _mm256_fmadd_pd(x0, y1, c01);
        c02 = _mm256_fmadd_pd(x0, y2, c02); c10 = _mm256_fmadd_pd(x1, y0, c10);
        c11 = _mm256_fmadd_pd(x1, y1, c11); c12 = _mm256_fmadd_pd(x1, y2, c12);
        c20 = _mm256_fmadd_pd(x2, y0, c20); c21 = _mm256_fmadd_pd(x2, y1, c21);
        c22 = _mm256_fmadd_pd(x2, y2, c22);
      }
      double* o = out + j * ldo + k;
      o[0] += hsum256(c00); o[1] += hsum256(c01); o[2] += hsum256(c02);
      o[ldo] += hsum256(c10); o[ldo + 1] += hsum256(c11); o[ldo + 2] += hsum256(c12);
      o[2 * ldo] += hsum256(c20); o[2 * ldo + 1] += hsum256(c21); o[2 * ldo + 2] += hsum256(c22);
    }
    if (k < nk) block_portable(A + j * len, B + k * len, len, 3, nk - k, out + j * ldo + k, ldo);
  }
  if (j < nj) block_portable(A + j * len, B, len, nj - j, nk, out + j * ldo, ldo);
}

// 4 x 4 register block with 8-wide vectors; len a multiple of 8.
__attribute__((target("avx512f"))) inline void block_avx512(const double* A, const double* B,
                                                            std::size_t len, std::size_t nj,
                                                            std::size_t nk, double* out,
                                                            std::size_t ldo) {
  std::size_t j = 0;
  for (; j + 4 <= nj; j += 4) {
    const double* a[4] = {A + j * len, A + (j + 1) * len, A + (j + 2) * len, A + (j + 3) * len};
    std::size_t k = 0;
    for (; k + 4 <= nk; k += 4) {
      const double* b[4] = {B + k * len, B + (k + 1) * len, B + (k + 2) * len, B + (k + 3) * len};
      __m512d c[4][4];
      for (int r = 0; r < 4; ++r)
        for (int s = 0; s < 4; ++s) c[r][s] = _mm512_setzero_pd();
      for (std::size_t i = 0; i < len; i += 8) {
        const __m512d x0 = _mm512_loadu_pd(a[0] + i), x1 = _mm512_loadu_pd(a[1] + i),
                      x2 = _mm512_loadu_pd(a[2] + i), x3 = _mm512_loadu_pd(a[3] + i);
        const __m512d y0 = _mm512_loadu_pd(b[0] + i), y1 = _mm512_loadu_pd(b[1] + i),
                      y2 = _mm512_loadu_pd(b[2] + i), y3 = _mm512_loadu_pd(b[3] + i);
        c[0][0] = _mm512_fmadd_pd(x0, y0, c[0][0]); c[0][1] = _mm512_fmadd_pd(x0, y1, c[0][1]);
        c[0][2] = _mm512_fmadd_pd(x0, y2, c[0][2]); c[0][3] = _mm512_fmadd_pd(x0, y3, c[0][3]);
        c[1][0] = _mm512_fmadd_pd(x1, y0, c[1][0]); c[1][1] = _mm512_fmadd_pd(x1, y1, c[1][1]);
        c[1][2] = _mm512_fmadd_pd(x1, y2, c[1][2]); c[1][3] = _mm512_fmadd_pd(x1, y3, c[1][3]);
        c[2][0] = _mm512_fmadd_pd(x2, y0, c[2][0]); c[2][1] = _mm512_fmadd_pd(x2, y1, c[2][1]);
        c[2][2] = _mm512_fmadd_pd(x2, y2, c[2][2]); c[2][3] = _mm512_fmadd_pd(x2, y3, c[2][3]);
        c[3][0] = _mm512_fmadd_pd(x3, y0, c[3][0]); c[3][1] = _mm512_fmadd_pd(x3, y1, c[3][1]);
        c[3][2] = _mm512_fmadd_pd(x3, y2, c[3][2]); c[3][3] = _mm512_fmadd_pd(x3, y3, c[3][3]);
      }
      for (int r = 0; r < 4; ++r)
        for (int s = 0; s < 4; ++s) out[(j + r) * ldo + k + s] += _mm512_reduce_add_pd(c[r][s]);
    }
    if (k < nk) block_portable(A + j * len, B + k * len, len, 4, nk - k, out + j * ldo + k, ldo);
  }
  if (j < nj) block_portable(A + j * len, B, len, nj - j, nk, out + j * ldo, ldo);
}
#endif

using cpu::isa;
using cpu::best_isa;

inline void block(isa which, const double* A, const double* B, std::size_t len, std::size_t nj,
                  std::size_t nk, double* out, std::size_t ldo) {
#ifdef STATLEARN_X86
  if (which == isa::avx512) return block_avx512(A, B, len, nj, nk, out, ldo);
  if (which == isa::avx2) return block_avx2(A, B, len, nj, nk, out, ldo);
#endif
  (void)which;
  block_portable(A, B, len, nj, nk, out, ldo);
}

// Pack rows [r0, r0 + nr) of column `col`, centred by mc and (if w)
// multiplied by w, into dst (zero-padded to len).
inline void pack(const double* col, std::size_t r0, std::size_t nr, double mc, const double* w,
                 double* dst, std::size_t len) {
  col += r0;
  if (w) {
    const double* ww = w + r0;
    for (std::size_t i = 0; i < nr; ++i) dst[i] = (col[i] - mc) * ww[i];
  } else {
    for (std::size_t i = 0; i < nr; ++i) dst[i] = col[i] - mc;
  }
  for (std::size_t i = nr; i < len; ++i) dst[i] = 0.0;
}

inline std::vector<double>& scratch(int which) {
  thread_local std::vector<double> buf[2];
  return buf[which];
}

}  // namespace gram_detail

// Cross products between the centred columns `cols` (indices into the column
// pointers X: column j is X[j][0..n)) and all of `cols2`: out is cols.size() x
// cols2.size(), column-major, computing sum_i w_i (x_ij - m_j)(x_ik - m_k). w
// and m may be null (ones / zeros). Columns given by pointers need not be one
// matrix (the formula interface passes a data frame's columns uncopied).
// Tasks are tiles of (cols x cols2); when `symmetric` (cols == cols2) only the
// upper tiles are computed and mirrored.
inline void cross_products(const double* const* X, std::size_t n, const std::vector<std::size_t>& cols,
                           const std::vector<std::size_t>& cols2, const double* w, const double* m,
                           bool symmetric, int threads, double* out) {
  using namespace gram_detail;
  const std::size_t pj = cols.size(), pk = cols2.size();
  std::fill(out, out + pj * pk, 0.0);
  if (n == 0 || pj == 0 || pk == 0) return;
  const std::size_t tj = (pj + kTile - 1) / kTile, tk = (pk + kTile - 1) / kTile;
  std::vector<std::pair<std::size_t, std::size_t>> tiles;
  for (std::size_t a = 0; a < tj; ++a)
    for (std::size_t b = symmetric ? a : 0; b < tk; ++b) tiles.emplace_back(a, b);
  const isa which = best_isa();
  // The packed length is a multiple of 8 so every kernel sees whole vectors.
  parallel_tasks(tiles.size(), threads, [&](std::size_t t) {
    const std::size_t j0 = tiles[t].first * kTile, k0 = tiles[t].second * kTile;
    const std::size_t nj = std::min(kTile, pj - j0), nk = std::min(kTile, pk - k0);
    std::vector<double>& bufA = scratch(0);
    std::vector<double>& bufB = scratch(1);
    if (bufA.size() < kRows * kTile) bufA.resize(kRows * kTile);
    if (bufB.size() < kRows * kTile) bufB.resize(kRows * kTile);
    std::vector<double> acc(nj * nk, 0.0);
    for (std::size_t r0 = 0; r0 < n; r0 += kRows) {
      const std::size_t nr = std::min(kRows, n - r0);
      const std::size_t len = (nr + 7) / 8 * 8;
      // Pack through the index lists (columns need not be contiguous).
      for (std::size_t c = 0; c < nj; ++c) {
        const std::size_t col = cols[j0 + c];
        pack(X[col], r0, nr, m ? m[col] : 0.0, w, bufA.data() + c * len, len);
      }
      for (std::size_t c = 0; c < nk; ++c) {
        const std::size_t col = cols2[k0 + c];
        pack(X[col], r0, nr, m ? m[col] : 0.0, nullptr, bufB.data() + c * len, len);
      }
      block(which, bufA.data(), bufB.data(), len, nj, nk, acc.data(), nk);
    }
    for (std::size_t j = 0; j < nj; ++j)
      for (std::size_t k = 0; k < nk; ++k) {
        out[(k0 + k) * pj + (j0 + j)] = acc[j * nk + k];
        if (symmetric) out[(j0 + j) * pk + (k0 + k)] = acc[j * nk + k];
      }
  });
}

// Pointers to the p columns of a column-major n x p matrix.
inline std::vector<const double*> column_pointers(const double* X, std::size_t n, std::size_t p) {
  std::vector<const double*> ptr(p);
  for (std::size_t j = 0; j < p; ++j) ptr[j] = X + j * n;
  return ptr;
}

// The same for a column-major matrix X with columns up to the largest index used.
inline void cross_products(const double* X, std::size_t n, const std::vector<std::size_t>& cols,
                           const std::vector<std::size_t>& cols2, const double* w, const double* m,
                           bool symmetric, int threads, double* out) {
  std::size_t p = 0;
  for (std::size_t c : cols) p = std::max(p, c + 1);
  for (std::size_t c : cols2) p = std::max(p, c + 1);
  const std::vector<const double*> ptr = column_pointers(X, n, p);
  cross_products(ptr.data(), n, cols, cols2, w, m, symmetric, threads, out);
}

// Full p x p centred weighted Gram matrix of the columns X[0..p).
inline void gram(const double* const* X, std::size_t n, std::size_t p, const double* w,
                 const double* m, int threads, double* out) {
  std::vector<std::size_t> cols(p);
  for (std::size_t j = 0; j < p; ++j) cols[j] = j;
  cross_products(X, n, cols, cols, w, m, true, threads, out);
}

// Full p x p centred weighted Gram matrix of X (n x p, column-major).
inline void gram(const double* X, std::size_t n, std::size_t p, const double* w, const double* m,
                 int threads, double* out) {
  const std::vector<const double*> ptr = column_pointers(X, n, p);
  gram(ptr.data(), n, p, w, m, threads, out);
}

}  // namespace statlearn

#endif
