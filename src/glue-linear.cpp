// Glue for ESL chapter 3 (linear methods for regression): converts R data to
// core types, calls the core, returns plain R lists.
#include <RcppArmadillo.h>
#include <vector>
#include "statlearn/coordinate_descent.h"
#include "statlearn/least_squares.h"
#include "host.h"

namespace {

statlearn::design_view make_view(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                                 const Rcpp::IntegerVector& sp_p, const Rcpp::NumericVector& sp_x,
                                 int n, int p) {
  statlearn::design_view v;
  v.n = n;
  v.p = p;
  if (x.nrow() == n && x.ncol() == p && n > 0) {
    v.dense = x.begin();
  } else {
    v.col_ptr = sp_p.begin();
    v.row_idx = sp_i.begin();
    v.values = sp_x.begin();
  }
  return v;
}

statlearn::enet_options make_options(const Rcpp::List& o) {
  statlearn::enet_options opt;
  opt.alpha = Rcpp::as<double>(o["alpha"]);
  opt.penalty_factor = Rcpp::as<std::vector<double>>(o["penalty_factor"]);
  opt.lower = Rcpp::as<std::vector<double>>(o["lower"]);
  opt.upper = Rcpp::as<std::vector<double>>(o["upper"]);
  opt.lambda = Rcpp::as<std::vector<double>>(o["lambda"]);
  opt.nlambda = Rcpp::as<int>(o["nlambda"]);
  opt.lambda_min_ratio = Rcpp::as<double>(o["lambda_min_ratio"]);
  opt.standardize = Rcpp::as<bool>(o["standardize"]);
  opt.intercept = Rcpp::as<bool>(o["intercept"]);
  opt.thresh = Rcpp::as<double>(o["thresh"]);
  opt.maxit = Rcpp::as<int>(o["maxit"]);
  opt.dfmax = Rcpp::as<int>(o["dfmax"]);
  opt.engine = Rcpp::as<int>(o["engine"]);
  opt.threads = Rcpp::as<int>(o["threads"]);
  return opt;
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_elastic_net(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                           const Rcpp::IntegerVector& sp_p, const Rcpp::NumericVector& sp_x, int n,
                           int p, const std::vector<double>& y, const std::vector<double>& w,
                           const Rcpp::List& options) {
  statlearn_host::begin();
  const statlearn::design_view v = make_view(x, sp_i, sp_p, sp_x, n, p);
  const statlearn::enet_path fit = statlearn::elastic_net_path(v, y, w, make_options(options));
  const std::size_t L = fit.lambda.size();
  Rcpp::NumericMatrix beta(p, L);
  std::copy(fit.beta.begin(), fit.beta.end(), beta.begin());
  return Rcpp::List::create(
      Rcpp::Named("lambda") = fit.lambda, Rcpp::Named("a0") = fit.a0, Rcpp::Named("beta") = beta,
      Rcpp::Named("dev_ratio") = fit.dev_ratio, Rcpp::Named("df") = fit.df,
      Rcpp::Named("null_deviance") = fit.null_deviance, Rcpp::Named("passes") = fit.passes,
      Rcpp::Named("converged") = fit.converged, Rcpp::Named("engine") = fit.engine,
      Rcpp::Named("scales") = fit.scales);
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_elastic_net_cv(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                                       const Rcpp::IntegerVector& sp_p,
                                       const Rcpp::NumericVector& sp_x, int n, int p,
                                       const std::vector<double>& y, const std::vector<double>& w,
                                       const std::vector<int>& foldid, int folds,
                                       const Rcpp::List& options) {
  statlearn_host::begin();
  const statlearn::design_view v = make_view(x, sp_i, sp_p, sp_x, n, p);
  const statlearn::enet_options opt = make_options(options);
  const std::vector<double> pred = statlearn::elastic_net_cv_predictions(v, y, w, foldid, folds, opt);
  Rcpp::NumericMatrix out(n, opt.lambda.size());
  std::copy(pred.begin(), pred.end(), out.begin());
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_least_squares(const Rcpp::NumericMatrix& x, const std::vector<double>& y,
                             const std::vector<double>& w, bool intercept, int threads) {
  statlearn_host::begin();
  const statlearn::ls_fit f = statlearn::least_squares(x.begin(), x.nrow(), x.ncol(), y.data(),
                                                       w.data(), intercept, threads);
  statlearn::hooks::check_interrupt();
  if (!f.ok) return Rcpp::List::create(Rcpp::Named("ok") = false, Rcpp::Named("condition") = f.condition);
  const int q = static_cast<int>(x.ncol()) + (intercept ? 1 : 0);
  Rcpp::NumericMatrix cov(q, q);
  std::copy(f.cov_unscaled.begin(), f.cov_unscaled.end(), cov.begin());
  return Rcpp::List::create(
      Rcpp::Named("ok") = true, Rcpp::Named("intercept") = f.intercept, Rcpp::Named("beta") = f.beta,
      Rcpp::Named("fitted") = f.fitted, Rcpp::Named("residuals") = f.residuals,
      Rcpp::Named("rss") = f.rss, Rcpp::Named("cov_unscaled") = cov,
      Rcpp::Named("condition") = f.condition);
}
