// C++ unit tests of statlearn/common/sgemm.h against a double-precision triple loop.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>
#include "statlearn/common/sgemm.h"
#include <tbb/global_control.h>
#include "unit-test.h"

namespace {

namespace sd = statlearn::sgemm_detail;

float next_uniform(std::uint64_t& s) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<float>((s >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
}

// Largest error of one sgemm call relative to the classical float32 bound
// gamma_{k+2} (sum |alpha a b| + |beta c|), gamma_m = m u / (1 - m u) with
// u = 2^-24: an entry within the bound scores at most 1. NaN in C with
// beta == 0 must not leak.
double check(sd::isa which, bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k,
             float alpha, float beta, int threads, std::uint64_t seed) {
  const std::size_t lda = (ta ? k : m) + 3, ldb = (tb ? n : k) + 1, ldc = m + 2;
  std::vector<float> A(lda * (ta ? m : k) + 1), B(ldb * (tb ? k : n) + 1), C(ldc * n + 1);
  for (float& x : A) x = next_uniform(seed);
  for (float& x : B) x = next_uniform(seed);
  for (float& x : C) x = beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : next_uniform(seed);
  const std::vector<float> C0 = C;
  sd::sgemm_with(which, ta, tb, m, n, k, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc,
                 threads);
  double worst = 0.0;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < m; ++i) {
      double s = 0.0, scale = 0.0;
      for (std::size_t p = 0; p < k; ++p) {
        const double x = A[ta ? p + i * lda : i + p * lda], y = B[tb ? j + p * ldb : p + j * ldb];
        s += x * y;
        scale += std::fabs(x * y);
      }
      double ref = alpha * s, bound = std::fabs(alpha) * scale + 1e-30;
      if (beta != 0.0f) {
        ref += beta * static_cast<double>(C0[i + j * ldc]);
        bound += std::fabs(beta * C0[i + j * ldc]);
      }
      const double got = C[i + j * ldc];
      if (std::isnan(got)) return std::numeric_limits<double>::infinity();
      const double mu = (static_cast<double>(k) + 2.0) * std::ldexp(1.0, -24);
      const double gamma = mu / (1.0 - mu);
      worst = std::max(worst, std::fabs(got - ref) / (gamma * bound));
    }
  // Padding between columns of C must be untouched.
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = m; i < ldc; ++i) {
      const float before = C0[i + j * ldc], after = C[i + j * ldc];
      const bool same = (std::isnan(before) && std::isnan(after)) || before == after;
      if (!same) return std::numeric_limits<double>::infinity();
    }
  return worst;
}

std::vector<sd::isa> kernels() {
  std::vector<sd::isa> out{sd::isa::portable};
  if (sd::best_isa() != sd::isa::portable) out.push_back(sd::isa::avx2);
  if (sd::best_isa() == sd::isa::avx512) out.push_back(sd::isa::avx512);
  return out;
}

}  // namespace

UNIT_TEST("sgemm: float32 GEMM core",
          "every kernel matches a double triple loop on odd shapes and all transposes") {
  const std::size_t ms[] = {0, 1, 2, 7, 17, 33, 65, 100, 301};
  const std::size_t ns[] = {0, 1, 5, 8, 13, 64, 70};
  const std::size_t ks[] = {0, 1, 3, 31, 257, 530};
  double worst = 0.0;
  std::uint64_t seed = 1;
  for (sd::isa which : kernels())
    for (std::size_t m : ms)
      for (std::size_t n : ns)
        for (std::size_t k : ks)
          for (int t = 0; t < 4; ++t) {
            if (m * n * k > 2000000) continue;
            worst = std::max(worst, check(which, t & 1, t & 2, m, n, k, 1.0f, 0.0f, 2, ++seed));
          }
  const bool ok = worst <= 1.0;
  UNIT_EXPECT(ok);
}

UNIT_TEST("sgemm: float32 GEMM core",
          "alpha and beta (including beta = 0 with NaN in C) follow the BLAS") {
  double worst = 0.0;
  std::uint64_t seed = 99;
  const float alphas[] = {1.0f, -0.5f, 2.0f}, betas[] = {0.0f, 1.0f, -1.5f};
  for (sd::isa which : kernels())
    for (float alpha : alphas)
      for (float beta : betas)
        for (int t = 0; t < 4; ++t) {
          worst = std::max(worst, check(which, t & 1, t & 2, 45, 19, 300, alpha, beta, 1, ++seed));
          worst = std::max(worst, check(which, t & 1, t & 2, 3, 2, 0, alpha, beta, 1, ++seed));
        }
  const bool ok = worst <= 1.0;
  UNIT_EXPECT(ok);
  // alpha = 0 and beta = 0: C becomes zero whatever it held.
  std::vector<float> A(4, 1.0f), B(4, 1.0f), C(4, std::numeric_limits<float>::quiet_NaN());
  statlearn::sgemm(false, false, 2, 2, 2, 0.0f, A.data(), 2, B.data(), 2, 0.0f, C.data(), 2, 1);
  const bool zero = C[0] == 0.0f && C[1] == 0.0f && C[2] == 0.0f && C[3] == 0.0f;
  UNIT_EXPECT(zero);
}

UNIT_TEST("sgemm: float32 GEMM core", "1, 2, 3 and 4 threads give identical bits") {
  const std::size_t m = 700, n = 90, k = 600;
  std::vector<float> A(m * k), B(k * n), C1(m * n), C2(m * n);
  std::uint64_t seed = 5;
  for (float& x : A) x = next_uniform(seed);
  // TBB caps arenas at the core count; lift the cap so that arenas of 3 and 4
  // really run more threads than this 2-core machine has.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  for (float& x : B) x = next_uniform(seed);
  bool same = true;
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    statlearn::sgemm(ta, tb, m, n, k, 1.0f, A.data(), ta ? k : m, B.data(), tb ? n : k, 0.0f,
                     C1.data(), m, 1);
    // Arenas of 3 and 4 on a 2-core machine still split the work differently.
    for (int threads = 2; threads <= 4; ++threads) {
      statlearn::sgemm(ta, tb, m, n, k, 1.0f, A.data(), ta ? k : m, B.data(), tb ? n : k, 0.0f,
                       C2.data(), m, threads);
      same = same && C1 == C2;
    }
  }
  UNIT_EXPECT(same);
}
