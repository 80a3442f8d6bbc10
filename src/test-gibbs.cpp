// C++ unit tests of the Gibbs sampler core (cluster/gibbs_mixture.h), run by
// tests/testthat/test-cpp.R.
#include <cmath>
#include <limits>
#include <vector>
#include "statlearn/cluster/gibbs_mixture.h"
#include "statlearn/common/rng.h"
#include "unit-test.h"

namespace {
statlearn::gibbs_mixture_options two_component_options(std::size_t chains, int threads) {
  statlearn::gibbs_mixture_options o;
  o.components = 2;
  o.iterations = 50;
  o.burn_in = 10;
  o.chains = chains;
  o.variances = {0.8, 0.9};
  o.proportions = {0.45, 0.55};
  o.prior_mean = {0.0, 0.0};
  o.prior_variance = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  o.seed = 17;
  o.threads = threads;
  return o;
}
}  // namespace

UNIT_TEST("cluster: Gibbs sampler for a mixture",
          "chains are identical for 1 and 2 threads and counts add up to n") {
  statlearn::stream s(3, 0);
  std::vector<double> y(60);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = (i % 2 == 0 ? 1.0 : 4.5) + s.normal();
  const statlearn::gibbs_mixture_result a = statlearn::gibbs_mixture(y.data(), y.size(), two_component_options(3, 1));
  const statlearn::gibbs_mixture_result b = statlearn::gibbs_mixture(y.data(), y.size(), two_component_options(3, 2));
  UNIT_EXPECT(a.kept == 40);
  UNIT_EXPECT(a.means == b.means);
  UNIT_EXPECT(a.counts == b.counts);
  bool sums = true;
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t t = 0; t < a.kept; ++t)
      sums = sums && a.counts[t + a.kept * (0 + 2 * c)] + a.counts[t + a.kept * (1 + 2 * c)] == 60.0;
  UNIT_EXPECT(sums);
}

UNIT_TEST("cluster: Gibbs sampler for a mixture",
          "the gamma draws used for Dirichlet proportions have the right mean and variance") {
  statlearn::stream s(9, 1);
  for (double shape : {0.5, 3.0}) {
    double m = 0.0, m2 = 0.0;
    const int N = 200000;
    for (int i = 0; i < N; ++i) {
      const double g = statlearn::gibbs_detail::gamma_draw(shape, s);
      m += g;
      m2 += g * g;
    }
    m /= N;
    const double v = m2 / N - m * m;
    // Gamma(shape, 1): mean and variance both equal shape; 6 standard errors
    UNIT_EXPECT(std::fabs(m - shape) < 6.0 * std::sqrt(shape / N));
    UNIT_EXPECT(std::fabs(v - shape) < 0.05 * shape);
  }
}
