// statlearn/nn/simd.h -- vectorised float32 element-wise kernels of the
// neural-network engine (relu and its gradient, sigmoid, bias rows).
//
// R compiles packages with -O2 and no -march flags, under which GCC
// vectorises almost no loop, so these kernels use AVX2 intrinsics in
// target-attributed functions chosen at run time (cpu.h), with a portable
// loop otherwise. The exponential is a range-reduced polynomial (Cody-Waite
// reduction by ln 2, a degree-6 minimax polynomial; relative error about
// 2e-7), evaluated with fused multiply-adds in the vector body and with
// std::fma in the tail, so every element gets the same bits whichever part of
// a chunk it falls in: results never depend on the thread count.
#ifndef STATLEARN_NN_SIMD_H
#define STATLEARN_NN_SIMD_H

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "statlearn/common/cpu.h"

namespace statlearn {
namespace nn {
namespace vec {

constexpr float kExpHi = 88.3762626647949f, kExpLo = -87.3365478515625f;
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f,
                kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;

// exp(x) for one float, the same operations as the vector body.
inline float exp_scalar(float x) {
  x = std::fmin(std::fmax(x, kExpLo), kExpHi);
  const float n = std::nearbyint(x * kLog2e);
  float r = std::fma(-n, kLn2Hi, x);
  r = std::fma(-n, kLn2Lo, r);
  float p = kP0;
  p = std::fma(p, r, kP1);
  p = std::fma(p, r, kP2);
  p = std::fma(p, r, kP3);
  p = std::fma(p, r, kP4);
  p = std::fma(p, r, kP5);
  const float r2 = r * r;
  const float y = std::fma(p, r2, r) + 1.0f;
  const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return y * scale;
}

inline float sigmoid_scalar(float x) { return 1.0f / (1.0f + exp_scalar(-x)); }

#ifdef STATLEARN_X86
__attribute__((target("avx2,fma"))) inline __m256 exp_avx2(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(kExpLo)), _mm256_set1_ps(kExpHi));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kP0);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kP5));
  const __m256 r2 = _mm256_mul_ps(r, r);
  const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, r2, r), _mm256_set1_ps(1.0f));
  const __m256i bits = _mm256_slli_epi32(
      _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(bits));
}

__attribute__((target("avx2,fma"))) inline void sigmoid_avx2(const float* x, float* y,
                                                             std::size_t n) {
  const __m256 one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 e = exp_avx2(_mm256_sub_ps(zero, _mm256_loadu_ps(x + i)));
    _mm256_storeu_ps(y + i, _mm256_div_ps(one, _mm256_add_ps(one, e)));
  }
  for (; i < n; ++i) y[i] = sigmoid_scalar(x[i]);
}

__attribute__((target("avx2,fma"))) inline void relu_avx2(const float* x, float* y, std::size_t n) {
  const __m256 zero = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_max_ps(_mm256_loadu_ps(x + i), zero));
  for (; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

__attribute__((target("avx2,fma"))) inline void relu_grad_avx2(const float* x, const float* dy,
                                                               float* dx, std::size_t n) {
  const __m256 zero = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 m = _mm256_cmp_ps(_mm256_loadu_ps(x + i), zero, _CMP_GT_OQ);
    _mm256_storeu_ps(dx + i, _mm256_and_ps(m, _mm256_loadu_ps(dy + i)));
  }
  for (; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

__attribute__((target("avx2,fma"))) inline void add_avx2(float* y, const float* b, std::size_t n) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(b + i)));
  for (; i < n; ++i) y[i] += b[i];
}
#endif

inline void sigmoid(const float* x, float* y, std::size_t n) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return sigmoid_avx2(x, y, n);
#endif
  for (std::size_t i = 0; i < n; ++i) y[i] = sigmoid_scalar(x[i]);
}

inline void relu(const float* x, float* y, std::size_t n) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return relu_avx2(x, y, n);
#endif
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

inline void relu_grad(const float* x, const float* dy, float* dx, std::size_t n) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return relu_grad_avx2(x, dy, dx, n);
#endif
  for (std::size_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : 0.0f;
}

// y[i] += b[i]
inline void add(float* y, const float* b, std::size_t n) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return add_avx2(y, b, n);
#endif
  for (std::size_t i = 0; i < n; ++i) y[i] += b[i];
}

// Double precision (the checking engine): plain loops.
inline void sigmoid(const double* x, double* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = 1.0 / (1.0 + std::exp(-x[i]));
}
inline void relu(const double* x, double* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0 ? x[i] : 0.0;
}
inline void relu_grad(const double* x, const double* dy, double* dx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0 ? dy[i] : 0.0;
}
inline void add(double* y, const double* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] += b[i];
}

}  // namespace vec
}  // namespace nn
}  // namespace statlearn

#endif
