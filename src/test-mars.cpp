// C++ unit tests of the MARS core (basis/mars.h), run by
// tests/testthat/test-cpp.R.
#include <cmath>
#include <vector>
#include "statlearn/basis/mars.h"
#include "statlearn/common/rng.h"
#include "unit-test.h"

namespace {
// RSS of the least-squares fit of y on the given columns of B (n x T),
// by normal equations solved with Gauss-Jordan elimination (small, well
// conditioned problems only): an independent check of the QR path.
double brute_rss(const std::vector<double>& B, std::size_t n, const std::vector<int>& cols,
                 const std::vector<double>& y) {
  const std::size_t k = cols.size();
  std::vector<double> A(k * (k + 1), 0.0);
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b < k; ++b)
      for (std::size_t i = 0; i < n; ++i) A[a * (k + 1) + b] += B[cols[a] * n + i] * B[cols[b] * n + i];
    for (std::size_t i = 0; i < n; ++i) A[a * (k + 1) + k] += B[cols[a] * n + i] * y[i];
  }
  for (std::size_t c = 0; c < k; ++c) {
    const double piv = A[c * (k + 1) + c];
    for (std::size_t j = 0; j <= k; ++j) A[c * (k + 1) + j] /= piv;
    for (std::size_t r = 0; r < k; ++r) {
      if (r == c) continue;
      const double f = A[r * (k + 1) + c];
      for (std::size_t j = 0; j <= k; ++j) A[r * (k + 1) + j] -= f * A[c * (k + 1) + j];
    }
  }
  double rss = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double f = 0.0;
    for (std::size_t a = 0; a < k; ++a) f += A[a * (k + 1) + k] * B[cols[a] * n + i];
    rss += (y[i] - f) * (y[i] - f);
  }
  return rss;
}
}  // namespace

UNIT_TEST("mars", "backward pass RSS equals the least-squares RSS of each reported subset") {
  statlearn::stream rs(5, 0);
  const std::size_t n = 60, T = 6;
  std::vector<double> B(n * T), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    B[i] = 1.0;
    for (std::size_t t = 1; t < T; ++t) B[t * n + i] = rs.normal();
    y[i] = 1.0 + 2.0 * B[n + i] - B[3 * n + i] + 0.5 * rs.normal();
  }
  const statlearn::mars_backward_result r = statlearn::mars_backward(B.data(), n, T, y.data());
  for (std::size_t k = 1; k <= T; ++k) {
    std::vector<int> cols;
    for (std::size_t i = 0; i < k; ++i) cols.push_back(r.terms[(k - 1) * T + i]);
    UNIT_EXPECT(cols[0] == 0);  // the intercept is always kept
    const double ref = brute_rss(B, n, cols, y);
    UNIT_EXPECT(std::fabs(r.rss[k - 1] - ref) <= 1e-9 * ref);
  }
  // the two true inputs survive to the size-3 subset
  std::vector<int> three(r.terms.begin() + 2 * T, r.terms.begin() + 2 * T + 3);
  UNIT_EXPECT((three[1] == 1 && three[2] == 3) || (three[1] == 3 && three[2] == 1));
}

UNIT_TEST("mars", "forward pass finds the knot of a noise-free hinge") {
  const std::size_t n = 101;
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = 0.1 * static_cast<double>(i);
    y[i] = 3.0 * std::max(x[i] - 4.0, 0.0);
  }
  statlearn::mars_options o;
  const statlearn::mars_forward_result r = statlearn::mars_forward(x.data(), n, 1, y, {}, o);
  UNIT_EXPECT(r.nterms >= 2);
  UNIT_EXPECT(r.dirs[1] == 1 && std::fabs(r.cuts[1] - 4.0) < 1e-12);
  UNIT_EXPECT(std::fabs(r.rsq[0] - 1.0) < 1e-10);
}
