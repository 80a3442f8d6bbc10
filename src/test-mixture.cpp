// C++ unit tests of the Gaussian mixture core (cluster/gaussian_mixture.h),
// run by tests/testthat/test-cpp.R.
#include <cmath>
#include <vector>
#include "statlearn/cluster/gaussian_mixture.h"
#include "statlearn/common/rng.h"
#include <tbb/global_control.h>
#include "unit-test.h"

namespace {
// n x p column-major data around G centres.
std::vector<double> mixture_data(std::size_t n, std::size_t p, std::size_t G, std::uint64_t seed) {
  statlearn::stream s(seed, 0);
  std::vector<double> centres(G * p), x(n * p);
  for (double& v : centres) v = 3.0 * s.normal();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(s.below(G));
    for (std::size_t c = 0; c < p; ++c) x[c * n + i] = centres[k * p + c] + s.normal();
  }
  return x;
}
}  // namespace

UNIT_TEST("cluster: Gaussian mixture kernels",
          "the vector kernels agree with a plain forward substitution and scatter") {
  using namespace statlearn::mixture_detail;
  const std::size_t p = 7, M = kRows;
  statlearn::stream s(5, 0);
  std::vector<double> P(p * M), mu(p), A(p * p, 0.0);
  for (double& v : P) v = s.normal();
  for (double& v : mu) v = s.normal();
  // A = B B' + I, factored by hand (plain Cholesky).
  std::vector<double> B(p * p);
  for (double& v : B) v = s.normal();
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j) {
      double t = i == j ? 1.0 : 0.0;
      for (std::size_t k = 0; k < p; ++k) t += B[k * p + i] * B[k * p + j];
      A[j * p + i] = t;
    }
  statlearn::mixture_parameters par;
  par.G = 1;
  par.p = p;
  par.proportions = {1.0};
  par.means = mu;
  par.covariances = A;
  factors f;
  const long bad = factor(par, false, f);
  UNIT_EXPECT(bad == -1);
  std::vector<double> yb(p * 16), q(M);
  quad(P.data(), p, mu.data(), f.rows.data(), f.inv_diag.data(), false, yb.data(), q.data());
  double worst = 0.0;
  for (std::size_t i = 0; i < M; ++i) {
    std::vector<double> y(p);
    double qq = 0.0;
    for (std::size_t j = 0; j < p; ++j) {
      double t = P[j * M + i] - mu[j];
      for (std::size_t c = 0; c < j; ++c) t -= f.L[c * p + j] * y[c];
      y[j] = t / f.L[j * p + j];
      qq += y[j] * y[j];
    }
    worst = std::max(worst, std::fabs(qq - q[i]) / (1.0 + qq));
  }
  UNIT_EXPECT(worst < 1e-13);
  // Weighted scatter of n = 1000 rows (a partial last block) against a plain loop.
  const std::size_t n = 1000;
  std::vector<double> X(n * p), z(n), W(p * p, 0.0), D(p * M), Dw(p * M);
  for (double& v : X) v = s.normal();
  for (double& v : z) v = s.uniform();
  weighted_scatter(X.data(), n, p, z.data(), mu.data(), 0, n, false, D.data(), Dw.data(), W.data());
  double err = 0.0;
  for (std::size_t j = 0; j < p; ++j)
    for (std::size_t c = j; c < p; ++c) {
      double t = 0.0;
      for (std::size_t i = 0; i < n; ++i) t += z[i] * (X[j * n + i] - mu[j]) * (X[c * n + i] - mu[c]);
      err = std::max(err, std::fabs(t - W[j * p + c]) / (1.0 + std::fabs(t)));
    }
  UNIT_EXPECT(err < 1e-12);
}

UNIT_TEST("cluster: Gaussian mixture EM",
          "identical bits for 1, 2 and 3 threads; monotone log-likelihood; responsibilities sum to one") {
  const std::size_t n = 40000, p = 4, G = 3;  // several E-step chunks and M-step blocks
  const std::vector<double> x = mixture_data(n, p, G, 9);
  statlearn::mixture_options o;
  o.components = G;
  o.starts = 2;
  o.seed = 17;
  o.tol = 1e-8;
  std::vector<statlearn::mixture_result> r;
  // Lift TBB's cap at the core count so that 3 threads really run 3 on a 2-core machine.
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism, 4);
  for (int t = 1; t <= 3; ++t) {
    o.threads = t;
    r.push_back(statlearn::gaussian_mixture(x.data(), n, p, o));
  }
  UNIT_EXPECT(r[0].status == statlearn::mixture_status::ok);
  for (int t = 1; t < 3; ++t) {
    UNIT_EXPECT(r[t].loglik == r[0].loglik);
    UNIT_EXPECT(r[t].z == r[0].z);
    UNIT_EXPECT(r[t].par.covariances == r[0].par.covariances);
    UNIT_EXPECT(r[t].start_loglik == r[0].start_loglik);
  }
  bool monotone = true;
  const std::vector<double>& path = r[0].loglik_path;
  for (std::size_t i = 1; i < path.size(); ++i)
    monotone = monotone && path[i] >= path[i - 1] - 1e-9 * std::fabs(path[i]);
  UNIT_EXPECT(monotone);
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (std::size_t k = 0; k < G; ++k) s += r[0].z[k * n + i];
    worst = std::max(worst, std::fabs(s - 1.0));
  }
  UNIT_EXPECT(worst < 1e-13);
  // Two points per component in three dimensions: a singular covariance is a
  // status, not an exception.
  const std::vector<double> tiny = mixture_data(8, 3, 4, 3);
  std::vector<double> z0(8 * 4, 0.0);
  for (std::size_t i = 0; i < 8; ++i) z0[(i % 4) * 8 + i] = 1.0;
  statlearn::mixture_options o2;
  o2.components = 4;
  const statlearn::mixture_result bad = statlearn::gaussian_mixture(tiny.data(), 8, 3, o2, z0.data());
  UNIT_EXPECT(bad.status == statlearn::mixture_status::singular);
}
