// C++ unit tests of the wavelet core (smooth/wavelet.h), run by
// tests/testthat/test-cpp.R.
#include <cmath>
#include <vector>
#include "statlearn/common/rng.h"
#include "statlearn/smooth/wavelet.h"
#include "unit-test.h"

UNIT_TEST("smooth: wavelet transform", "every filter is orthonormal and the pyramid inverts itself") {
  using statlearn::wavelet_kind;
  statlearn::stream s(5, 0);
  for (wavelet_kind kind : {wavelet_kind::haar, wavelet_kind::d4, wavelet_kind::d8, wavelet_kind::symmlet8}) {
    const statlearn::wavelet_filter f = statlearn::make_wavelet_filter(kind);
    const std::size_t L = f.h.size();
    double sum = 0.0, ss = 0.0;
    for (double v : f.h) {
      sum += v;
      ss += v * v;
    }
    UNIT_EXPECT(std::fabs(sum - std::sqrt(2.0)) < 1e-14);
    UNIT_EXPECT(std::fabs(ss - 1.0) < 1e-14);
    for (std::size_t m = 1; 2 * m < L; ++m) {
      double c = 0.0;
      for (std::size_t l = 0; l + 2 * m < L; ++l) c += f.h[l] * f.h[l + 2 * m];
      UNIT_EXPECT(std::fabs(c) < 1e-14);
    }
    const std::size_t N = 256;
    const int levels = 8 - statlearn::wavelet_min_level(L);
    std::vector<double> x(N), y(N), work(N);
    for (double& v : x) v = s.normal();
    y = x;
    statlearn::dwt_forward(y.data(), N, levels, f, work.data());
    double sx = 0.0, sy = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
      sx += x[i] * x[i];
      sy += y[i] * y[i];
    }
    UNIT_EXPECT(std::fabs(sx - sy) < 1e-12 * sx);
    statlearn::dwt_inverse(y.data(), N, levels, f, work.data());
    double err = 0.0;
    for (std::size_t i = 0; i < N; ++i) err = std::max(err, std::fabs(y[i] - x[i]));
    UNIT_EXPECT(err < 1e-12);
  }
}

UNIT_TEST("smooth: wavelet shrinkage", "SURE at a dense and a sparse level, soft and hard thresholds") {
  std::vector<double> buf;
  // one small value among large ones: SURE(0) = n, SURE(0.05) = n - 2 + n 0.0025
  std::vector<double> d(64, 50.0);
  d[7] = -0.05;
  UNIT_EXPECT(statlearn::sure_threshold(d.data(), d.size(), 1.0, buf) == 0.05);
  // all large: only t = 0 lies in [0, sqrt(2 log n)]
  d[7] = 50.0;
  UNIT_EXPECT(statlearn::sure_threshold(d.data(), d.size(), 1.0, buf) == 0.0);
  // all zero but one: the threshold kills the small ones
  std::vector<double> z(64, 0.1);
  z[3] = 10.0;
  const double t = statlearn::sure_threshold(z.data(), z.size(), 1.0, buf);
  UNIT_EXPECT(t >= 0.1 && t < 10.0);
  UNIT_EXPECT(statlearn::soft_threshold(-3.0, 1.0) == -2.0);
  UNIT_EXPECT(statlearn::soft_threshold(0.5, 1.0) == 0.0);
  UNIT_EXPECT(statlearn::hard_threshold(-3.0, 1.0) == -3.0);
  UNIT_EXPECT(statlearn::hard_threshold(1.0, 1.0) == 0.0);
  std::vector<double> m = {-4.0, 1.0, 3.0, -2.0};  // median |d| = 2.5
  UNIT_EXPECT(std::fabs(statlearn::wavelet_mad_sigma(m.data(), m.size(), buf) - 2.5 / 0.6745) < 1e-15);
}
