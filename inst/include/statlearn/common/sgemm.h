// statlearn/common/sgemm.h -- single-precision general matrix multiply.
//
// sgemm() computes C = alpha op(A) op(B) + beta C for column-major float
// matrices, op(X) = X or X'. It is the workhorse of the neural-network engine
// (forward passes, weight and input gradients), so it follows the Goto/BLIS
// design: op(A) is packed block by block (mc x kc, in slivers of MR rows) into
// a reused, aligned per-thread buffer that stays in L2; op(B) is packed one
// sliver (kc x NR) at a time into an L1-resident buffer; a register-blocked
// micro-kernel (AVX-512 32 x 8, AVX2/FMA 16 x 6, or portable 8 x 4; chosen
// once at run time, because R compiles packages without -march flags) keeps an
// MR x NR block of C in registers over the kc loop. Tiles at most 64 columns
// wide read op(A) = A in place (each element of A serves too few columns to
// repay packing); transposed operands are packed with 8 x 8 AVX transposes.
//
// Determinism: C is cut into fixed tiles (their size depends on m, n and k,
// never on the thread count); each tile is one task that runs over the whole
// k in kc blocks in order. Every element of C therefore sees the same
// operations in the same order for any number of threads.
//
// beta == 0 never reads C (it may hold NaN or garbage), as in the BLAS.
#ifndef STATLEARN_SGEMM_H
#define STATLEARN_SGEMM_H

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

#include "statlearn/common/cpu.h"
#include "statlearn/common/parallel.h"

namespace statlearn {
namespace sgemm_detail {

using cpu::isa;
using cpu::best_isa;

// A micro-kernel computes the MR x NR product of a packed A sliver (kc x MR,
// MR contiguous per k) and a packed B sliver (kc x NR, NR contiguous per k)
// and stores C = alpha * acc + beta * C (beta == 0: C is not read).
// `as` is the distance between consecutive k in a: MR for a packed sliver,
// lda when the kernel reads op(A) = A in place.
using kernel_fn = void (*)(std::size_t kc, const float* a, std::size_t as, const float* b,
                           float* c, std::size_t ldc, float alpha, float beta);

// ---- portable kernel (8 x 4) ----------------------------------------------
constexpr int kPortMR = 8, kPortNR = 4;

inline void kernel_portable(std::size_t kc, const float* a, std::size_t as, const float* b,
                            float* c, std::size_t ldc, float alpha, float beta) {
  float acc[kPortNR][kPortMR] = {};
  for (std::size_t p = 0; p < kc; ++p) {
    for (int j = 0; j < kPortNR; ++j) {
      const float bj = b[j];
      for (int i = 0; i < kPortMR; ++i) acc[j][i] += a[i] * bj;
    }
    a += as;
    b += kPortNR;
  }
  for (int j = 0; j < kPortNR; ++j) {
    float* cj = c + j * ldc;
    if (beta == 0.0f) {
      for (int i = 0; i < kPortMR; ++i) cj[i] = alpha * acc[j][i];
    } else {
      for (int i = 0; i < kPortMR; ++i) cj[i] = alpha * acc[j][i] + beta * cj[i];
    }
  }
}

#ifdef STATLEARN_X86
// ---- AVX2/FMA kernel (16 x 6): 12 accumulators, 2 A loads, 1 broadcast ----
constexpr int kAvx2MR = 16, kAvx2NR = 6;

// dst = alpha v + beta dst (dst not read unless `read`).
__attribute__((target("avx2,fma"))) inline void put_avx2(float* dst, __m256 v, __m256 va,
                                                         __m256 vb, bool read) {
  v = _mm256_mul_ps(va, v);
  if (read) v = _mm256_fmadd_ps(vb, _mm256_loadu_ps(dst), v);
  _mm256_storeu_ps(dst, v);
}

__attribute__((target("avx2,fma"))) inline void kernel_avx2(std::size_t kc, const float* a,
                                                            std::size_t as, const float* b,
                                                            float* c, std::size_t ldc,
                                                            float alpha, float beta) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (std::size_t p = 0; p < kc; ++p) {
    const __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 8);
    __m256 bj = _mm256_broadcast_ss(b);
    c00 = _mm256_fmadd_ps(a0, bj, c00); c01 = _mm256_fmadd_ps(a1, bj, c01);
    bj = _mm256_broadcast_ss(b + 1);
    c10 = _mm256_fmadd_ps(a0, bj, c10); c11 = _mm256_fmadd_ps(a1, bj, c11);
    bj = _mm256_broadcast_ss(b + 2);
    c20 = _mm256_fmadd_ps(a0, bj, c20); c21 = _mm256_fmadd_ps(a1, bj, c21);
    bj = _mm256_broadcast_ss(b + 3);
    c30 = _mm256_fmadd_ps(a0, bj, c30); c31 = _mm256_fmadd_ps(a1, bj, c31);
    bj = _mm256_broadcast_ss(b + 4);
    c40 = _mm256_fmadd_ps(a0, bj, c40); c41 = _mm256_fmadd_ps(a1, bj, c41);
    bj = _mm256_broadcast_ss(b + 5);
    c50 = _mm256_fmadd_ps(a0, bj, c50); c51 = _mm256_fmadd_ps(a1, bj, c51);
    a += as;
    b += kAvx2NR;
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  const bool read = beta != 0.0f;
#define put(dst, v) put_avx2(dst, v, va, vb, read)
  put(c, c00); put(c + 8, c01); c += ldc;
  put(c, c10); put(c + 8, c11); c += ldc;
  put(c, c20); put(c + 8, c21); c += ldc;
  put(c, c30); put(c + 8, c31); c += ldc;
  put(c, c40); put(c + 8, c41); c += ldc;
  put(c, c50); put(c + 8, c51);
#undef put
}

// ---- AVX-512 kernel (32 x 8): 16 accumulators, 2 A loads, 1 broadcast -----
constexpr int kAvx512MR = 32, kAvx512NR = 8;

__attribute__((target("avx512f"))) inline void put_avx512(float* dst, __m512 v, __m512 va,
                                                          __m512 vb, bool read) {
  v = _mm512_mul_ps(va, v);
  if (read) v = _mm512_fmadd_ps(vb, _mm512_loadu_ps(dst), v);
  _mm512_storeu_ps(dst, v);
}

__attribute__((target("avx512f"))) inline void kernel_avx512(std::size_t kc, const float* a,
                                                             std::size_t as, const float* b,
                                                             float* c, std::size_t ldc,
                                                             float alpha, float beta) {
  __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00,
         c61 = c00, c70 = c00, c71 = c00;
  for (std::size_t p = 0; p < kc; ++p) {
    const __m512 a0 = _mm512_loadu_ps(a), a1 = _mm512_loadu_ps(a + 16);
    __m512 bj = _mm512_set1_ps(b[0]);
    c00 = _mm512_fmadd_ps(a0, bj, c00); c01 = _mm512_fmadd_ps(a1, bj, c01);
    bj = _mm512_set1_ps(b[1]);
    c10 = _mm512_fmadd_ps(a0, bj, c10); c11 = _mm512_fmadd_ps(a1, bj, c11);
    bj = _mm512_set1_ps(b[2]);
    c20 = _mm512_fmadd_ps(a0, bj, c20); c21 = _mm512_fmadd_ps(a1, bj, c21);
    bj = _mm512_set1_ps(b[3]);
    c30 = _mm512_fmadd_ps(a0, bj, c30); c31 = _mm512_fmadd_ps(a1, bj, c31);
    bj = _mm512_set1_ps(b[4]);
    c40 = _mm512_fmadd_ps(a0, bj, c40); c41 = _mm512_fmadd_ps(a1, bj, c41);
    bj = _mm512_set1_ps(b[5]);
    c50 = _mm512_fmadd_ps(a0, bj, c50); c51 = _mm512_fmadd_ps(a1, bj, c51);
    bj = _mm512_set1_ps(b[6]);
    c60 = _mm512_fmadd_ps(a0, bj, c60); c61 = _mm512_fmadd_ps(a1, bj, c61);
    bj = _mm512_set1_ps(b[7]);
    c70 = _mm512_fmadd_ps(a0, bj, c70); c71 = _mm512_fmadd_ps(a1, bj, c71);
    a += as;
    b += kAvx512NR;
  }
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  const bool read = beta != 0.0f;
#define put(dst, v) put_avx512(dst, v, va, vb, read)
  put(c, c00); put(c + 16, c01); c += ldc;
  put(c, c10); put(c + 16, c11); c += ldc;
  put(c, c20); put(c + 16, c21); c += ldc;
  put(c, c30); put(c + 16, c31); c += ldc;
  put(c, c40); put(c + 16, c41); c += ldc;
  put(c, c50); put(c + 16, c51); c += ldc;
  put(c, c60); put(c + 16, c61); c += ldc;
  put(c, c70); put(c + 16, c71);
#undef put
}
#endif

// Register and cache blocking of one kernel. kc bounds the k loop (the B
// sliver, kc x NR, stays in L1; an A block, mc x kc, stays in L2); mc and nc
// are the largest tile of C one task computes.
struct config {
  kernel_fn kernel;
  std::size_t mr, nr, mc, kc, nc;
};

inline config config_for(isa which) {
#ifdef STATLEARN_X86
  if (which == isa::avx512) return {&kernel_avx512, kAvx512MR, kAvx512NR, 256, 256, 512};
  if (which == isa::avx2) return {&kernel_avx2, kAvx2MR, kAvx2NR, 192, 256, 480};
#endif
  (void)which;
  return {&kernel_portable, kPortMR, kPortNR, 128, 256, 256};
}

// Grow-only, 64-byte-aligned per-thread buffer. Reused across calls because
// the first touch of fresh pages is slow.
// C++17 aligned new rather than std::aligned_alloc, which the Windows C
// runtime lacks.
struct buffer {
  static constexpr std::align_val_t kAlign{64};
  float* data = nullptr;
  std::size_t size = 0;
  buffer() = default;
  buffer(const buffer&) = delete;
  buffer& operator=(const buffer&) = delete;
  ~buffer() { release(); }
  void release() {
    if (data != nullptr) ::operator delete(data, kAlign);
    data = nullptr;
    size = 0;
  }
  float* get(std::size_t n) {
    if (n > size) {
      release();
      const std::size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
      data = static_cast<float*>(::operator new(bytes, kAlign));  // throws std::bad_alloc
      size = bytes / sizeof(float);
    }
    return data;
  }
};

inline buffer& scratch(int which) {
  thread_local buffer buf[2];
  return buf[which];
}

// Interleave `lines` vectors (line l at src + l * ld, contiguous in p) into
// dst[p * w + l] for p < kc, zero-padding lines [lines, pad). This is the
// transposing half of packing (rows of A', columns of B).
inline void interleave_portable(const float* src, std::size_t ld, std::size_t lines,
                                std::size_t kc, std::size_t w, std::size_t pad, float* dst) {
  for (std::size_t l = 0; l < lines; ++l) {
    const float* s = src + l * ld;
    for (std::size_t p = 0; p < kc; ++p) dst[p * w + l] = s[p];
  }
  for (std::size_t l = lines; l < pad; ++l)
    for (std::size_t p = 0; p < kc; ++p) dst[p * w + l] = 0.0f;
}

#ifdef STATLEARN_X86
// The same with 8 x 8 AVX transposes over whole groups of 8 lines.
__attribute__((target("avx2"))) inline void interleave_avx2(const float* src, std::size_t ld,
                                                           std::size_t lines, std::size_t kc,
                                                           std::size_t w, float* dst) {
  std::size_t l0 = 0;
  for (; l0 + 8 <= lines; l0 += 8) {
    const float* s = src + l0 * ld;
    std::size_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      const __m256 r0 = _mm256_loadu_ps(s + p), r1 = _mm256_loadu_ps(s + ld + p),
                   r2 = _mm256_loadu_ps(s + 2 * ld + p), r3 = _mm256_loadu_ps(s + 3 * ld + p),
                   r4 = _mm256_loadu_ps(s + 4 * ld + p), r5 = _mm256_loadu_ps(s + 5 * ld + p),
                   r6 = _mm256_loadu_ps(s + 6 * ld + p), r7 = _mm256_loadu_ps(s + 7 * ld + p);
      const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1),
                   t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3),
                   t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5),
                   t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
      const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE),
                   u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE),
                   u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE),
                   u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
      float* d = dst + p * w + l0;
      _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
      _mm256_storeu_ps(d + w, _mm256_permute2f128_ps(u1, u5, 0x20));
      _mm256_storeu_ps(d + 2 * w, _mm256_permute2f128_ps(u2, u6, 0x20));
      _mm256_storeu_ps(d + 3 * w, _mm256_permute2f128_ps(u3, u7, 0x20));
      _mm256_storeu_ps(d + 4 * w, _mm256_permute2f128_ps(u0, u4, 0x31));
      _mm256_storeu_ps(d + 5 * w, _mm256_permute2f128_ps(u1, u5, 0x31));
      _mm256_storeu_ps(d + 6 * w, _mm256_permute2f128_ps(u2, u6, 0x31));
      _mm256_storeu_ps(d + 7 * w, _mm256_permute2f128_ps(u3, u7, 0x31));
    }
    for (; p < kc; ++p)
      for (std::size_t l = 0; l < 8; ++l) dst[p * w + l0 + l] = s[l * ld + p];
  }
  interleave_portable(src + l0 * ld, ld, lines - l0, kc, w, w - l0, dst + l0);
}
#endif

inline void interleave(bool simd, const float* src, std::size_t ld, std::size_t lines,
                       std::size_t kc, std::size_t w, float* dst) {
#ifdef STATLEARN_X86
  if (simd && w % 8 == 0) return interleave_avx2(src, ld, lines, kc, w, dst);
#endif
  (void)simd;
  interleave_portable(src, ld, lines, kc, w, w, dst);
}

// Pack rows [i0, i0 + mc) and columns [p0, p0 + kc) of op(A) into slivers of
// mr rows: dst[(s * kc + p) * mr + r], zero-padded to a whole sliver.
inline void pack_a(bool simd, bool trans, const float* A, std::size_t lda, std::size_t i0,
                   std::size_t mc, std::size_t p0, std::size_t kc, std::size_t mr, float* dst) {
  for (std::size_t s = 0; s * mr < mc; ++s) {
    const std::size_t r0 = i0 + s * mr, nr = std::min(mr, mc - s * mr);
    float* d = dst + s * kc * mr;
    if (!trans) {
      // op(A)[i, p] = A[i + p lda]: rows of a sliver are contiguous.
      for (std::size_t p = 0; p < kc; ++p) {
        const float* src = A + r0 + (p0 + p) * lda;
        float* dp = d + p * mr;
        if (nr == mr) {
          std::memcpy(dp, src, mr * sizeof(float));
        } else {
          for (std::size_t r = 0; r < nr; ++r) dp[r] = src[r];
          for (std::size_t r = nr; r < mr; ++r) dp[r] = 0.0f;
        }
      }
    } else {
      // op(A)[i, p] = A[p + i lda]: each row of op(A) is a column of A.
      interleave(simd, A + p0 + r0 * lda, lda, nr, kc, mr, d);
    }
  }
}

// Pack rows [p0, p0 + kc) and columns [j0, j0 + ncols) (ncols <= nr) of op(B)
// into one sliver dst[p * nr + j], zero-padded to nr columns.
inline void pack_b(bool simd, bool trans, const float* B, std::size_t ldb, std::size_t p0,
                   std::size_t kc, std::size_t j0, std::size_t ncols, std::size_t nr, float* dst) {
  if (!trans) {
    // op(B)[p, j] = B[p + j ldb]: columns are contiguous in p.
    interleave(simd, B + p0 + j0 * ldb, ldb, ncols, kc, nr, dst);
  } else {
    // op(B)[p, j] = B[j + p ldb]: rows are contiguous in j.
    for (std::size_t p = 0; p < kc; ++p) {
      const float* src = B + j0 + (p0 + p) * ldb;
      float* dp = dst + p * nr;
      for (std::size_t j = 0; j < ncols; ++j) dp[j] = src[j];
      for (std::size_t j = ncols; j < nr; ++j) dp[j] = 0.0f;
    }
  }
}

// C = beta C on an m x n block (beta == 0 writes zeros without reading C).
inline void scale(std::size_t m, std::size_t n, float beta, float* C, std::size_t ldc) {
  for (std::size_t j = 0; j < n; ++j) {
    float* cj = C + j * ldc;
    if (beta == 0.0f) {
      std::fill(cj, cj + m, 0.0f);
    } else if (beta != 1.0f) {
      for (std::size_t i = 0; i < m; ++i) cj[i] *= beta;
    }
  }
}

// Tile sizes of C for one call. They depend on the shape only, so the
// decomposition (hence every rounding) is the same for any thread count.
// Shapes with few tiles get smaller tiles (at least 4 when the shape allows)
// so that two threads have work to share.
inline void tile_sizes(const config& cf, std::size_t m, std::size_t n, std::size_t* mt,
                       std::size_t* nt) {
  auto round_up = [](std::size_t x, std::size_t r) { return (x + r - 1) / r * r; };
  std::size_t tn = std::min(cf.nc, round_up(n, cf.nr));
  std::size_t tm = std::min(cf.mc, round_up(m, cf.mr));
  const std::size_t want = 4;
  auto count = [&](std::size_t a, std::size_t b) { return ((m + a - 1) / a) * ((n + b - 1) / b); };
  const std::size_t min_m = round_up(64, cf.mr), min_n = round_up(48, cf.nr);
  while (count(tm, tn) < want && (tm > min_m || tn > min_n)) {
    // Halve the longer side of the tile, never below the minimum.
    if (tm >= tn && tm > min_m)
      tm = std::max(min_m, round_up(tm / 2, cf.mr));
    else if (tn > min_n)
      tn = std::max(min_n, round_up(tn / 2, cf.nr));
    else
      tm = std::max(min_m, round_up(tm / 2, cf.mr));
  }
  *mt = tm;
  *nt = tn;
}

// A tile no wider than this reads op(A) = A in place instead of packing it:
// each element of A then serves too few columns to repay the copy.
constexpr std::size_t kDirectA = 64;

// One tile of C: rows [i0, i0 + mc), columns [j0, j0 + nc), over all of k.
inline void tile(const config& cf, bool simd, bool ta, bool tb, std::size_t mc, std::size_t nc,
                 std::size_t k, float alpha, const float* A, std::size_t lda, const float* B,
                 std::size_t ldb, float beta, float* C, std::size_t ldc, std::size_t i0,
                 std::size_t j0) {
  const std::size_t mr = cf.mr, nr = cf.nr;
  const std::size_t kcmax = std::min(cf.kc, k);
  const std::size_t mc_pad = (mc + mr - 1) / mr * mr;
  const bool direct = !ta && nc <= kDirectA;
  const std::size_t full = mc / mr * mr;  // rows covered by whole slivers
  float* abuf = scratch(0).get(mc_pad * kcmax);
  float* bbuf = scratch(1).get(kcmax * nr + mr * nr);
  float* tmp = bbuf + kcmax * nr;  // mr x nr edge block
  for (std::size_t p0 = 0; p0 < k; p0 += cf.kc) {
    const std::size_t kc = std::min(cf.kc, k - p0);
    const float b_eff = p0 == 0 ? beta : 1.0f;
    if (!direct)
      pack_a(simd, ta, A, lda, i0, mc, p0, kc, mr, abuf);
    else if (full < mc)  // only the ragged last sliver needs a copy
      pack_a(simd, ta, A, lda, i0 + full, mc - full, p0, kc, mr, abuf + full * kc);
    for (std::size_t jr = 0; jr < nc; jr += nr) {
      const std::size_t ncols = std::min(nr, nc - jr);
      pack_b(simd, tb, B, ldb, p0, kc, j0 + jr, ncols, nr, bbuf);
      for (std::size_t ir = 0; ir < mc; ir += mr) {
        const std::size_t nrows = std::min(mr, mc - ir);
        float* c = C + (i0 + ir) + (j0 + jr) * ldc;
        const bool in_place = direct && nrows == mr;
        const float* a = in_place ? A + (i0 + ir) + p0 * lda : abuf + ir * kc;
        const std::size_t as = in_place ? lda : mr;
        if (nrows == mr && ncols == nr) {
          cf.kernel(kc, a, as, bbuf, c, ldc, alpha, b_eff);
        } else {
          cf.kernel(kc, a, as, bbuf, tmp, mr, 1.0f, 0.0f);
          for (std::size_t j = 0; j < ncols; ++j) {
            float* cj = c + j * ldc;
            const float* t = tmp + j * mr;
            if (b_eff == 0.0f) {
              for (std::size_t i = 0; i < nrows; ++i) cj[i] = alpha * t[i];
            } else {
              for (std::size_t i = 0; i < nrows; ++i) cj[i] = alpha * t[i] + b_eff * cj[i];
            }
          }
        }
      }
    }
  }
}

// Problems below this many multiply-adds run on the calling thread: starting
// an arena costs more than they take. (Results do not depend on it.)
constexpr double kSerialWork = 1 << 18;

inline void sgemm_with(isa which, bool trans_a, bool trans_b, std::size_t m, std::size_t n,
                       std::size_t k, float alpha, const float* A, std::size_t lda, const float* B,
                       std::size_t ldb, float beta, float* C, std::size_t ldc, int threads) {
  if (m == 0 || n == 0) return;
  if (k == 0 || alpha == 0.0f) {
    scale(m, n, beta, C, ldc);
    return;
  }
  const config cf = config_for(which);
  std::size_t mt, nt;
  tile_sizes(cf, m, n, &mt, &nt);
  const std::size_t tiles_m = (m + mt - 1) / mt, tiles_n = (n + nt - 1) / nt;
  const double work = static_cast<double>(m) * n * k;
  if (work < kSerialWork) threads = 1;
  const bool simd = which != isa::portable;
  parallel_tasks(tiles_m * tiles_n, threads, [&](std::size_t t) {
    const std::size_t ti = t % tiles_m, tj = t / tiles_m;
    const std::size_t i0 = ti * mt, j0 = tj * nt;
    tile(cf, simd, trans_a, trans_b, std::min(mt, m - i0), std::min(nt, n - j0), k, alpha, A, lda, B,
         ldb, beta, C, ldc, i0, j0);
  });
}

}  // namespace sgemm_detail

// C = alpha op(A) op(B) + beta C, column-major float32, op(X) = X' when
// trans_x. op(A) is m x k, op(B) is k x n, C is m x n; lda, ldb, ldc are the
// leading dimensions of the stored A, B, C. beta == 0 does not read C.
// Results are bit-identical for any `threads`.
inline void sgemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                  float alpha, const float* A, std::size_t lda, const float* B, std::size_t ldb,
                  float beta, float* C, std::size_t ldc, int threads) {
  sgemm_detail::sgemm_with(sgemm_detail::best_isa(), trans_a, trans_b, m, n, k, alpha, A, lda, B,
                           ldb, beta, C, ldc, threads);
}

}  // namespace statlearn

#endif
