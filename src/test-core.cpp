// C++ unit tests of the R-free core, run by tests/testthat/test-cpp.R.
#include <algorithm>
#include <cmath>
#include <vector>
#include "statlearn/common/gram.h"
#include "statlearn/common/linalg.h"
#include "statlearn/common/parallel.h"
#include "statlearn/common/row_team.h"
#include "statlearn/common/simd.h"
#include "statlearn/common/rng.h"
#include <tbb/global_control.h>
#include "unit-test.h"

UNIT_TEST("core: deterministic parallel chunks",
          "chunked sums are identical for 1 and 2 threads") {
  const std::size_t n = 100003;
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 1.0 / (1.0 + i);
  const double s1 = statlearn::ordered_sum(v.data(), n, 1000, 1);
  const double s2 = statlearn::ordered_sum(v.data(), n, 1000, 2);
  UNIT_EXPECT(s1 == s2);
  const bool in_range = s1 > 12.0 && s1 < 12.2;
  UNIT_EXPECT(in_range);  // harmonic number H_n ~ log(n) + 0.5772
}

UNIT_TEST("core: counter-based random streams", "streams are reproducible and uniform") {
  statlearn::stream a(42, 3), b(42, 3), c(42, 4);
  bool same = true, differ = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next(), y = b.next(), z = c.next();
    same = same && (x == y);
    differ = differ || (x != z);
  }
  UNIT_EXPECT(same);
  UNIT_EXPECT(differ);
  statlearn::stream u(7, 0);
  double mean = 0.0;
  const int m = 200000;
  for (int i = 0; i < m; ++i) mean += u.uniform();
  mean /= m;
  const bool near_half = mean > 0.495 && mean < 0.505;
  UNIT_EXPECT(near_half);
}

UNIT_TEST("core: deterministic parallel chunks",
          "the Gram kernel gives identical bits for 1, 2, 3 and 4 threads") {
  const std::size_t n = 1000, p = 130;  // two column tiles, several row chunks
  std::vector<double> x(n * p), w(n), m(p);
  statlearn::stream s(11, 0);
  for (double& v : x) v = s.uniform() - 0.5;
  for (double& v : w) v = s.uniform();
  for (double& v : m) v = 0.1 * s.uniform();
  // TBB caps arenas at the core count; lift the cap so that arenas of 3 and 4
  // really run more threads than this 2-core machine has.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  std::vector<double> g1(p * p), g(p * p);
  statlearn::gram(x.data(), n, p, w.data(), m.data(), 1, g1.data());
  bool same = true;
  for (int threads = 2; threads <= 4; ++threads) {
    statlearn::gram(x.data(), n, p, w.data(), m.data(), threads, g.data());
    same = same && g == g1;
  }
  UNIT_EXPECT(same);
  // and it is the centred weighted cross product
  double worst = 0.0;
  for (std::size_t j = 0; j < p; j += 17)
    for (std::size_t k = 0; k < p; k += 13) {
      double ref = 0.0;
      for (std::size_t i = 0; i < n; ++i) ref += w[i] * (x[j * n + i] - m[j]) * (x[k * n + i] - m[k]);
      worst = std::max(worst, std::fabs(ref - g1[k * p + j]));
    }
  UNIT_EXPECT(worst < 1e-10);
}

UNIT_TEST("core: vector kernels", "every instruction set gives the same centred dot and moments") {
  // The AVX2 and portable kernels, called directly whatever the host has.
  const std::size_t n = 1003;  // not a multiple of any vector width
  std::vector<double> x(n), a(n), v(n);
  statlearn::stream s(12, 0);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = 1e6 + s.uniform();  // a large mean: centring must not lose it
    a[i] = s.uniform() - 0.5;
    v[i] = s.uniform();
  }
  const double m = 1e6 + 0.5;
  double ref = 0.0, r1 = 0.0, r2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    ref += (x[i] - m) * a[i];
    r1 += v[i] * (x[i] - m);
    r2 += v[i] * (x[i] - m) * (x[i] - m);
  }
  namespace sd = statlearn::simd_detail;
  const double dp = sd::dot_c_portable(x.data(), m, a.data(), n);
  double p1, p2;
  sd::moments_portable(v.data(), x.data(), m, n, p1, p2);
  UNIT_EXPECT(std::fabs(dp - ref) < 1e-10);
  UNIT_EXPECT(std::fabs(p1 - r1) < 1e-10 && std::fabs(p2 - r2) < 1e-10);
#ifdef STATLEARN_X86
  if (statlearn::gram_detail::best_isa() != statlearn::gram_detail::isa::portable) {
    const double d2 = sd::dot_c_avx2(x.data(), m, a.data(), n);
    double q1, q2;
    sd::moments_avx2(v.data(), x.data(), m, n, q1, q2);
    UNIT_EXPECT(std::fabs(d2 - ref) < 1e-10);
    UNIT_EXPECT(std::fabs(q1 - r1) < 1e-10 && std::fabs(q2 - r2) < 1e-10);
  }
#endif
}

UNIT_TEST("core: linear algebra",
          "Cholesky solves A x = b; the pivot test finds a dependent column in any units") {
  // A = B'B for a 6 x 4 B whose columns are in units 1e-6 .. 1e6.
  const std::size_t m = 6, q = 4;
  const double scale[q] = {1e-6, 1.0, 1e3, 1e6};
  std::vector<double> B(m * q);
  statlearn::stream s(13, 0);
  for (std::size_t j = 0; j < q; ++j)
    for (std::size_t i = 0; i < m; ++i) B[j * m + i] = (s.uniform() - 0.5) * scale[j];
  auto gram_of = [&](const std::vector<double>& X, std::size_t k) {
    std::vector<double> A(k * k, 0.0);
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t b = 0; b < k; ++b)
        for (std::size_t i = 0; i < m; ++i) A[b * k + a] += X[a * m + i] * X[b * m + i];
    return A;
  };
  const std::vector<double> A = gram_of(B, q);
  std::vector<double> L = A;
  const statlearn::cholesky_status st = statlearn::cholesky_factor(L.data(), q, 1e-11);
  UNIT_EXPECT(st.bad == -1);
  const bool ratio_ok = st.min_ratio > 1e-3 && st.min_ratio <= 1.0;
  UNIT_EXPECT(ratio_ok);
  // solve A x = A 1 for x = 1, two right-hand sides at once
  std::vector<double> rhs(2 * q, 0.0);
  for (std::size_t a = 0; a < q; ++a)
    for (std::size_t b = 0; b < q; ++b) {
      rhs[a] += A[b * q + a] / scale[b];
      rhs[q + a] += 2.0 * A[b * q + a] / scale[b];
    }
  statlearn::cholesky_solve(L.data(), q, rhs.data(), 2);
  double worst = 0.0;
  for (std::size_t a = 0; a < q; ++a) {
    worst = std::max(worst, std::fabs(rhs[a] * scale[a] - 1.0));
    worst = std::max(worst, std::fabs(rhs[q + a] * scale[a] - 2.0));
  }
  UNIT_EXPECT(worst < 1e-8);
  // a fifth column = 3 x column 2 - column 4 (different units): pivot 4 is bad
  std::vector<double> B5 = B;
  B5.resize(m * (q + 1));
  for (std::size_t i = 0; i < m; ++i) B5[q * m + i] = 3.0 * B[1 * m + i] - B[3 * m + i];
  std::vector<double> A5 = gram_of(B5, q + 1);
  const statlearn::cholesky_status st5 = statlearn::cholesky_factor(A5.data(), q + 1, 1e-11);
  UNIT_EXPECT(st5.bad == 4);
  UNIT_EXPECT(st5.min_ratio < 1e-11);
  // not positive definite at all: LAPACK's failure is reported at its column
  std::vector<double> N = {1.0, 2.0, 2.0, 1.0};
  UNIT_EXPECT(statlearn::cholesky_factor(N.data(), 2).bad == 1);
}

UNIT_TEST("core: deterministic parallel chunks",
          "a row team's chunked dot products equal the one-thread ones over many short jobs") {
  const std::size_t n = 5003;
  std::vector<double> a(n), b(n);
  statlearn::stream s(14, 0);
  for (std::size_t i = 0; i < n; ++i) { a[i] = s.uniform() - 0.5; b[i] = s.uniform() - 0.5; }
  auto job_sums = [&](int threads) {
    std::vector<double> sums;
    statlearn::row_team::scope(n, threads, [&](statlearn::row_team& team) {
      for (int k = 0; k < 20000; ++k) {
        double part[statlearn::row_team::kChunks];
        team.run([&](std::size_t c, std::size_t lo, std::size_t hi) {
          double t = 0.0;
          for (std::size_t i = lo; i < hi; ++i) t += a[i] * b[(i + k) % n];
          part[c] = t;
        });
        sums.push_back(part[0] + part[1]);
      }
    });
    return sums;
  };
  const std::vector<double> s1 = job_sums(1), s2 = job_sums(2);
  UNIT_EXPECT(s1 == s2);
  // and the chunks cover every row once
  double ref = 0.0;
  for (std::size_t i = 0; i < n; ++i) ref += a[i] * b[i];
  const bool close = std::fabs(s1[0] - ref) < 1e-12;
  UNIT_EXPECT(close);
}

UNIT_TEST("core: linear algebra", "the LAPACK path (order above the inline limit) agrees with the inline one") {
  // A 40 x 40 Gram matrix B'B with a dependent last column, factored whole
  // (LAPACK) and its leading 20 x 20 block (inline).
  const std::size_t m = 60, q = 40;
  std::vector<double> B(m * q);
  statlearn::stream s(15, 0);
  for (double& v : B) v = s.uniform() - 0.5;
  for (std::size_t i = 0; i < m; ++i) B[(q - 1) * m + i] = B[i] - 2.0 * B[m + i];
  std::vector<double> A(q * q, 0.0);
  for (std::size_t a = 0; a < q; ++a)
    for (std::size_t b = 0; b < q; ++b)
      for (std::size_t i = 0; i < m; ++i) A[b * q + a] += B[a * m + i] * B[b * m + i];
  std::vector<double> L = A;
  UNIT_EXPECT(statlearn::cholesky_factor(L.data(), q, 1e-11).bad == static_cast<long>(q - 1));
  // the leading (q - 1) block is regular: solve A x = A e_3 there
  const std::size_t r = q - 1;
  std::vector<double> Ar(r * r), Lr;
  for (std::size_t a = 0; a < r; ++a)
    for (std::size_t b = 0; b < r; ++b) Ar[b * r + a] = A[b * q + a];
  Lr = Ar;
  UNIT_EXPECT(statlearn::cholesky_factor(Lr.data(), r, 1e-11).bad == -1);
  std::vector<double> x(r);
  for (std::size_t a = 0; a < r; ++a) x[a] = Ar[3 * r + a];
  statlearn::cholesky_solve(Lr.data(), r, x.data());
  double worst = 0.0;
  for (std::size_t a = 0; a < r; ++a) worst = std::max(worst, std::fabs(x[a] - (a == 3 ? 1.0 : 0.0)));
  UNIT_EXPECT(worst < 1e-10);
  // the inline factor of the leading 20 x 20 block equals LAPACK's to rounding
  const std::size_t h = 20;
  std::vector<double> Ah(h * h);
  for (std::size_t a = 0; a < h; ++a)
    for (std::size_t b = 0; b < h; ++b) Ah[b * h + a] = A[b * q + a];
  statlearn::cholesky_factor(Ah.data(), h);
  double diff = 0.0;
  for (std::size_t a = 0; a < h; ++a)
    for (std::size_t b = 0; b <= a; ++b) diff = std::max(diff, std::fabs(Ah[b * h + a] - Lr[b * r + a]));
  UNIT_EXPECT(diff < 1e-12);
}
