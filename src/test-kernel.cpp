// C++ unit tests of the penalised-kernel core (smooth/kernel_smoother.h), run
// by tests/testthat/test-cpp.R.
// RcppArmadillo.h first, as in glue-kernel.cpp: the inline core functions must
// be compiled with one Armadillo configuration in every file.
#include <RcppArmadillo.h>
#include <cmath>
#include <cstring>
#include "statlearn/smooth/kernel_smoother.h"
#include "statlearn/common/rng.h"
#include "unit-test.h"

UNIT_TEST("smooth: kernel smoother",
          "alpha solves (K + lambda I) alpha + T beta = y, T'alpha = 0; eigen and Cholesky paths agree; "
          "1 and 2 threads give the same bits") {
  statlearn::stream s(5, 0);
  const std::size_t n = 157, p = 3;
  std::vector<double> X(n * p);
  for (double& v : X) v = s.normal();
  arma::vec y(n);
  for (std::size_t i = 0; i < n; ++i) y(i) = std::sin(X[i]) + 0.3 * s.normal();
  statlearn::kernel_spec k;
  k.type = statlearn::kernel_type::gaussian;
  k.gamma = 0.4;
  arma::mat T(n, 2);
  for (std::size_t i = 0; i < n; ++i) {
    T(i, 0) = 1.0;
    T(i, 1) = X[n + i];
  }
  statlearn::kernel_fit_options o;
  o.lambda = {0.3};
  o.threads = 1;
  const statlearn::kernel_fit_result eig = statlearn::kernel_smoother_fit(X.data(), n, p, k, T, y, o);
  o.cholesky = true;
  const statlearn::kernel_fit_result chol = statlearn::kernel_smoother_fit(X.data(), n, p, k, T, y, o);
  o.threads = 2;
  const statlearn::kernel_fit_result chol2 = statlearn::kernel_smoother_fit(X.data(), n, p, k, T, y, o);
  o.cholesky = false;
  const statlearn::kernel_fit_result eig2 = statlearn::kernel_smoother_fit(X.data(), n, p, k, T, y, o);
  UNIT_EXPECT(eig.fault == 0 && chol.fault == 0);
  const arma::mat K = statlearn::kernel_matrix(X.data(), n, p, k, 1);
  const arma::vec r = (K + 0.3 * arma::eye(n, n)) * eig.alpha.col(0) + T * eig.beta.col(0) - y;
  UNIT_EXPECT(arma::abs(r).max() < 1e-9);
  UNIT_EXPECT(arma::abs(T.t() * eig.alpha.col(0)).max() < 1e-9);
  UNIT_EXPECT(arma::abs(eig.alpha - chol.alpha).max() < 1e-9);
  UNIT_EXPECT(std::fabs(eig.df[0] - chol.df[0]) < 1e-9);
  UNIT_EXPECT(std::memcmp(chol.alpha.memptr(), chol2.alpha.memptr(), n * sizeof(double)) == 0);
  UNIT_EXPECT(chol.df[0] == chol2.df[0]);
  UNIT_EXPECT(std::memcmp(eig.alpha.memptr(), eig2.alpha.memptr(), n * sizeof(double)) == 0);
  // kernel_apply at the data is K alpha
  const arma::mat Ka = statlearn::kernel_apply(X.data(), n, X.data(), n, p, k, eig.alpha, 2);
  UNIT_EXPECT(arma::abs(Ka - K * eig.alpha).max() < 1e-10);
}
