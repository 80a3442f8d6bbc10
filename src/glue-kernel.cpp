// Glue for thin-plate splines and kernel ridge regression (ESL 5.7-5.8):
// converts R data, calls statlearn/smooth/kernel_smoother.h.
// RcppArmadillo.h first: it configures Armadillo for R's LAPACK (eig_sym),
// and every file that includes smooth/kernel_smoother.h must see the same
// configuration (src/test-kernel.cpp does the same).
#include <RcppArmadillo.h>
#include "statlearn/smooth/kernel_smoother.h"
#include "statlearn/common/parallel.h"
#include "host.h"

namespace {
// kernel: 0 gaussian, 1 polynomial, 2 linear, 3 radial power (thin plate).
// par: gaussian (gamma); polynomial (scale, offset, degree); radial (theta, power, use_log).
Rcpp::NumericMatrix to_r(const arma::mat& m) {
  Rcpp::NumericMatrix out(m.n_rows, m.n_cols);
  std::copy(m.begin(), m.end(), out.begin());
  return out;
}

statlearn::kernel_spec make_spec(int kernel, const Rcpp::NumericVector& par) {
  statlearn::kernel_spec k;
  k.type = static_cast<statlearn::kernel_type>(kernel);
  if (kernel == 0) {
    k.gamma = par[0];
  } else if (kernel == 1) {
    k.scale = par[0];
    k.offset = par[1];
    k.degree = static_cast<int>(par[2]);
  } else if (kernel == 3) {
    k.theta = par[0];
    k.power = static_cast<int>(par[1]);
    k.use_log = par[2] != 0;
  }
  return k;
}
}  // namespace

// mode: 0 the given lambdas, 1 the lambda of df_target, 2 GCV.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_kernel_smoother(const Rcpp::NumericMatrix& x, const Rcpp::NumericMatrix& null_space,
                               const Rcpp::NumericVector& y, int kernel, const Rcpp::NumericVector& par,
                               int mode, const Rcpp::NumericVector& lambda, double df_target,
                               bool cholesky, int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol();
  const statlearn::kernel_spec spec = make_spec(kernel, par);
  arma::mat T(const_cast<double*>(null_space.begin()), n, null_space.ncol(), false, true);
  arma::vec yy(const_cast<double*>(y.begin()), n, false, true);
  statlearn::kernel_fit_options o;
  o.mode = static_cast<statlearn::lambda_mode>(mode);
  o.lambda.assign(lambda.begin(), lambda.end());
  o.df_target = df_target;
  o.cholesky = cholesky;
  o.threads = threads;
  const double* X = x.begin();
  statlearn::kernel_fit_result r = statlearn_host::interruptible_call([&] {
    statlearn::kernel_fit_result out;
    statlearn::interruptible([&] { out = statlearn::kernel_smoother_fit(X, n, p, spec, T, yy, o); });
    return out;
  });
  if (r.fault != 0) return Rcpp::List::create(Rcpp::Named("fault") = r.fault);
  return Rcpp::List::create(
      Rcpp::Named("fault") = 0, Rcpp::Named("lambda") = Rcpp::wrap(r.lambda),
      Rcpp::Named("df") = Rcpp::wrap(r.df), Rcpp::Named("rss") = Rcpp::wrap(r.rss),
      Rcpp::Named("gcv") = Rcpp::wrap(r.gcv), Rcpp::Named("alpha") = to_r(r.alpha),
      Rcpp::Named("beta") = to_r(r.beta), Rcpp::Named("fitted") = to_r(r.fitted),
      Rcpp::Named("eigenvalues") = Rcpp::NumericVector(r.eigenvalues.begin(), r.eigenvalues.end()),
      Rcpp::Named("grid_lambda") = Rcpp::wrap(r.grid_lambda), Rcpp::Named("grid_gcv") = Rcpp::wrap(r.grid_gcv),
      Rcpp::Named("grid_df") = Rcpp::wrap(r.grid_df));
}

// sum_j k(newx_i, x_j) coef(j, l): the kernel part of predictions.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_kernel_apply(const Rcpp::NumericMatrix& newx, const Rcpp::NumericMatrix& x, int kernel,
                                     const Rcpp::NumericVector& par, const Rcpp::NumericMatrix& coef,
                                     int threads) {
  statlearn_host::begin();
  const std::size_t n0 = newx.nrow(), n = x.nrow(), p = x.ncol();
  const statlearn::kernel_spec spec = make_spec(kernel, par);
  arma::mat C(const_cast<double*>(coef.begin()), coef.nrow(), coef.ncol(), false, true);
  const double* X0 = newx.begin();
  const double* X = x.begin();
  arma::mat out = statlearn_host::interruptible_call([&] {
    arma::mat o;
    statlearn::interruptible([&] { o = statlearn::kernel_apply(X0, n0, X, n, p, spec, C, threads); });
    return o;
  });
  Rcpp::NumericMatrix res(n0, coef.ncol());
  std::copy(out.begin(), out.end(), res.begin());
  return res;
}

// The kernel matrix itself (for teaching and tests).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_kernel_matrix(const Rcpp::NumericMatrix& x, int kernel, const Rcpp::NumericVector& par,
                                      int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol();
  const statlearn::kernel_spec spec = make_spec(kernel, par);
  arma::mat K = statlearn::kernel_matrix(x.begin(), n, p, spec, threads);
  Rcpp::NumericMatrix res(n, n);
  std::copy(K.begin(), K.end(), res.begin());
  return res;
}
