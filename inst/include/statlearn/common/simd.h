// statlearn/common/simd.h -- vector kernels for coordinate descent, chosen at run time.
//
// R compiles packages without -march flags and without -ffast-math, so a plain
// dot product runs as one dependent chain of scalar additions. These kernels
// use several independent accumulators in AVX-512 or AVX2/FMA registers when
// the CPU has them (checked once, as in gram.h), and a 4-accumulator portable
// loop otherwise. The summation order depends only on n and the CPU, never on
// threads.
#ifndef STATLEARN_SIMD_H
#define STATLEARN_SIMD_H

#include <cstddef>

#include "statlearn/common/gram.h"  // gram_detail::best_isa()

namespace statlearn {
namespace simd_detail {

inline double dot_portable(const double* a, const double* b, std::size_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

// sum (x[i] - m) a[i]
inline double dot_c_portable(const double* x, double m, const double* a, std::size_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += (x[i] - m) * a[i];
    s1 += (x[i + 1] - m) * a[i + 1];
    s2 += (x[i + 2] - m) * a[i + 2];
    s3 += (x[i + 3] - m) * a[i + 3];
  }
  for (; i < n; ++i) s0 += (x[i] - m) * a[i];
  return (s0 + s1) + (s2 + s3);
}

// r[i] -= f * v[i] * (x[i] - m)
inline void axpy_wc_portable(double* r, const double* v, const double* x, double m, double f,
                             std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) r[i] -= f * v[i] * (x[i] - m);
}

// y[i] += f * (x[i] - m)
inline void axpy_c_portable(double* y, const double* x, double m, double f, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] += f * (x[i] - m);
}

// sum v (x - m) and sum v (x - m)^2
inline void moments_portable(const double* v, const double* x, double m, std::size_t n,
                             double& s1, double& s2) {
  double a0 = 0, a1 = 0, b0 = 0, b1 = 0;
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const double x0 = x[i] - m, x1 = x[i + 1] - m;
    const double t0 = v[i] * x0, t1 = v[i + 1] * x1;
    a0 += t0; a1 += t1;
    b0 += t0 * x0; b1 += t1 * x1;
  }
  for (; i < n; ++i) { const double xc = x[i] - m; a0 += v[i] * xc; b0 += v[i] * xc * xc; }
  s1 = a0 + a1;
  s2 = b0 + b1;
}

// sum v (x - m), sum v (x - m)^2 and sum (x - m) r in one pass
inline void moments_dot_portable(const double* v, const double* x, double m, const double* r,
                                 std::size_t n, double& s1, double& s2, double& s3) {
  double a0 = 0, a1 = 0, b0 = 0, b1 = 0, c0 = 0, c1 = 0;
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const double x0 = x[i] - m, x1 = x[i + 1] - m;
    const double t0 = v[i] * x0, t1 = v[i + 1] * x1;
    a0 += t0; a1 += t1;
    b0 += t0 * x0; b1 += t1 * x1;
    c0 += x0 * r[i]; c1 += x1 * r[i + 1];
  }
  for (; i < n; ++i) {
    const double xc = x[i] - m;
    a0 += v[i] * xc; b0 += v[i] * xc * xc; c0 += xc * r[i];
  }
  s1 = a0 + a1;
  s2 = b0 + b1;
  s3 = c0 + c1;
}

#ifdef STATLEARN_X86
__attribute__((target("avx2,fma"))) inline void moments_dot_avx2(const double* v, const double* x,
                                                                 double m, const double* r,
                                                                 std::size_t n, double& s1,
                                                                 double& s2, double& s3) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0;
  const __m256d vm = _mm256_set1_pd(m);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d x0 = _mm256_sub_pd(_mm256_loadu_pd(x + i), vm);
    const __m256d x1 = _mm256_sub_pd(_mm256_loadu_pd(x + i + 4), vm);
    const __m256d t0 = _mm256_mul_pd(_mm256_loadu_pd(v + i), x0);
    const __m256d t1 = _mm256_mul_pd(_mm256_loadu_pd(v + i + 4), x1);
    a0 = _mm256_add_pd(a0, t0); a1 = _mm256_add_pd(a1, t1);
    b0 = _mm256_fmadd_pd(t0, x0, b0); b1 = _mm256_fmadd_pd(t1, x1, b1);
    c0 = _mm256_fmadd_pd(x0, _mm256_loadu_pd(r + i), c0);
    c1 = _mm256_fmadd_pd(x1, _mm256_loadu_pd(r + i + 4), c1);
  }
  double r1 = gram_detail::hsum256(_mm256_add_pd(a0, a1));
  double r2 = gram_detail::hsum256(_mm256_add_pd(b0, b1));
  double r3 = gram_detail::hsum256(_mm256_add_pd(c0, c1));
  for (; i < n; ++i) {
    const double xc = x[i] - m;
    r1 += v[i] * xc; r2 += v[i] * xc * xc; r3 += xc * r[i];
  }
  s1 = r1;
  s2 = r2;
  s3 = r3;
}

__attribute__((target("avx2,fma"))) inline void axpy_c_avx2(double* y, const double* x, double m,
                                                            double f, std::size_t n) {
  const __m256d vm = _mm256_set1_pd(m), vf = _mm256_set1_pd(f);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d xc = _mm256_sub_pd(_mm256_loadu_pd(x + i), vm);
    _mm256_storeu_pd(y + i, _mm256_fmadd_pd(vf, xc, _mm256_loadu_pd(y + i)));
  }
  for (; i < n; ++i) y[i] += f * (x[i] - m);
}

__attribute__((target("avx2,fma"))) inline void moments_avx2(const double* v, const double* x,
                                                             double m, std::size_t n, double& s1,
                                                             double& s2) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, b0 = a0, b1 = a0;
  const __m256d vm = _mm256_set1_pd(m);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d x0 = _mm256_sub_pd(_mm256_loadu_pd(x + i), vm);
    const __m256d x1 = _mm256_sub_pd(_mm256_loadu_pd(x + i + 4), vm);
    const __m256d t0 = _mm256_mul_pd(_mm256_loadu_pd(v + i), x0);
    const __m256d t1 = _mm256_mul_pd(_mm256_loadu_pd(v + i + 4), x1);
    a0 = _mm256_add_pd(a0, t0); a1 = _mm256_add_pd(a1, t1);
    b0 = _mm256_fmadd_pd(t0, x0, b0); b1 = _mm256_fmadd_pd(t1, x1, b1);
  }
  double r1 = gram_detail::hsum256(_mm256_add_pd(a0, a1));
  double r2 = gram_detail::hsum256(_mm256_add_pd(b0, b1));
  for (; i < n; ++i) { const double xc = x[i] - m; r1 += v[i] * xc; r2 += v[i] * xc * xc; }
  s1 = r1;
  s2 = r2;
}

__attribute__((target("avx2,fma"))) inline double dot_avx2(const double* a, const double* b,
                                                           std::size_t n) {
  __m256d c0 = _mm256_setzero_pd(), c1 = c0, c2 = c0, c3 = c0;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    c0 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i), _mm256_loadu_pd(b + i), c0);
    c1 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i + 4), _mm256_loadu_pd(b + i + 4), c1);
    c2 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i + 8), _mm256_loadu_pd(b + i + 8), c2);
    c3 = _mm256_fmadd_pd(_mm256_loadu_pd(a + i + 12), _mm256_loadu_pd(b + i + 12), c3);
  }
  double s = gram_detail::hsum256(_mm256_add_pd(_mm256_add_pd(c0, c1), _mm256_add_pd(c2, c3)));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

__attribute__((target("avx2,fma"))) inline double dot_c_avx2(const double* x, double m,
                                                             const double* a, std::size_t n) {
  const __m256d vm = _mm256_set1_pd(m);
  __m256d c0 = _mm256_setzero_pd(), c1 = c0, c2 = c0, c3 = c0;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    c0 = _mm256_fmadd_pd(_mm256_sub_pd(_mm256_loadu_pd(x + i), vm), _mm256_loadu_pd(a + i), c0);
    c1 = _mm256_fmadd_pd(_mm256_sub_pd(_mm256_loadu_pd(x + i + 4), vm), _mm256_loadu_pd(a + i + 4), c1);
    c2 = _mm256_fmadd_pd(_mm256_sub_pd(_mm256_loadu_pd(x + i + 8), vm), _mm256_loadu_pd(a + i + 8), c2);
    c3 = _mm256_fmadd_pd(_mm256_sub_pd(_mm256_loadu_pd(x + i + 12), vm), _mm256_loadu_pd(a + i + 12), c3);
  }
  double s = gram_detail::hsum256(_mm256_add_pd(_mm256_add_pd(c0, c1), _mm256_add_pd(c2, c3)));
  for (; i < n; ++i) s += (x[i] - m) * a[i];
  return s;
}

__attribute__((target("avx2,fma"))) inline void axpy_wc_avx2(double* r, const double* v,
                                                             const double* x, double m, double f,
                                                             std::size_t n) {
  const __m256d vm = _mm256_set1_pd(m), vf = _mm256_set1_pd(f);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d xc = _mm256_sub_pd(_mm256_loadu_pd(x + i), vm);
    const __m256d c = _mm256_mul_pd(_mm256_mul_pd(vf, _mm256_loadu_pd(v + i)), xc);
    _mm256_storeu_pd(r + i, _mm256_sub_pd(_mm256_loadu_pd(r + i), c));
  }
  for (; i < n; ++i) r[i] -= f * v[i] * (x[i] - m);
}

__attribute__((target("avx512f"))) inline double dot_avx512(const double* a, const double* b,
                                                            std::size_t n) {
  __m512d c0 = _mm512_setzero_pd(), c1 = c0, c2 = c0, c3 = c0;
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c0 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i), _mm512_loadu_pd(b + i), c0);
    c1 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i + 8), _mm512_loadu_pd(b + i + 8), c1);
    c2 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i + 16), _mm512_loadu_pd(b + i + 16), c2);
    c3 = _mm512_fmadd_pd(_mm512_loadu_pd(a + i + 24), _mm512_loadu_pd(b + i + 24), c3);
  }
  double s = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(c0, c1), _mm512_add_pd(c2, c3)));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}
#endif

}  // namespace simd_detail

// sum_i a_i b_i
inline double simd_dot(const double* a, const double* b, std::size_t n) {
#ifdef STATLEARN_X86
  const auto which = gram_detail::best_isa();
  if (which == gram_detail::isa::avx512) return simd_detail::dot_avx512(a, b, n);
  if (which == gram_detail::isa::avx2) return simd_detail::dot_avx2(a, b, n);
#endif
  return simd_detail::dot_portable(a, b, n);
}

// sum_i (x_i - m) a_i, centred as it is summed (no sum x a - m sum a, which
// loses the digits of a column with a large mean). AVX2 even on AVX-512
// hosts: an AVX-512 version measured 3.5 times slower inside the binomial
// coordinate descent (bench/esl-04-glmnet.R).
inline double simd_dot_centred(const double* x, double m, const double* a, std::size_t n) {
#ifdef STATLEARN_X86
  const auto which = gram_detail::best_isa();
  if (which != gram_detail::isa::portable) return simd_detail::dot_c_avx2(x, m, a, n);
#endif
  return simd_detail::dot_c_portable(x, m, a, n);
}

// y_i += f (x_i - m)
inline void simd_axpy_centred(double* y, const double* x, double m, double f, std::size_t n) {
#ifdef STATLEARN_X86
  if (gram_detail::best_isa() != gram_detail::isa::portable) return simd_detail::axpy_c_avx2(y, x, m, f, n);
#endif
  simd_detail::axpy_c_portable(y, x, m, f, n);
}

// Moments about a centring point m, accumulated on the centred values so that
// a column with a large mean loses no digits (no sum x^2 - 2 m sum x + m^2).
// s1 = sum_i v_i (x_i - m), s2 = sum_i v_i (x_i - m)^2
inline void simd_weighted_moments(const double* v, const double* x, double m, std::size_t n,
                                  double& s1, double& s2) {
#ifdef STATLEARN_X86
  if (gram_detail::best_isa() != gram_detail::isa::portable)
    return simd_detail::moments_avx2(v, x, m, n, s1, s2);
#endif
  simd_detail::moments_portable(v, x, m, n, s1, s2);
}

// s1 = sum v (x - m), s2 = sum v (x - m)^2, s3 = sum (x - m) r
inline void simd_weighted_moments_dot(const double* v, const double* x, double m, const double* r,
                                      std::size_t n, double& s1, double& s2, double& s3) {
#ifdef STATLEARN_X86
  if (gram_detail::best_isa() != gram_detail::isa::portable)
    return simd_detail::moments_dot_avx2(v, x, m, r, n, s1, s2, s3);
#endif
  simd_detail::moments_dot_portable(v, x, m, r, n, s1, s2, s3);
}

// r_i -= f v_i (x_i - m)
inline void simd_axpy_weighted_centred(double* r, const double* v, const double* x, double m,
                                       double f, std::size_t n) {
#ifdef STATLEARN_X86
  if (gram_detail::best_isa() != gram_detail::isa::portable)
    return simd_detail::axpy_wc_avx2(r, v, x, m, f, n);
#endif
  simd_detail::axpy_wc_portable(r, v, x, m, f, n);
}

}  // namespace statlearn

#endif
