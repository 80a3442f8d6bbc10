// Glue for ESL chapter 3 (linear methods for regression): converts R data to
// core types, calls the core, returns plain R lists.
#include <Rcpp.h>
#include <vector>
#include "statlearn/linear/coordinate_descent.h"
#include "statlearn/linear/least_squares.h"
#include "host.h"
#include "enet-glue.h"

using statlearn_host::make_options;
using statlearn_host::make_view;


// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_elastic_net(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                           const Rcpp::IntegerVector& sp_p, const Rcpp::NumericVector& sp_x, int n,
                           int p, const std::vector<double>& y, const std::vector<double>& w,
                           const Rcpp::List& options) {
  statlearn_host::begin();
  const statlearn::design_view v = make_view(x, sp_i, sp_p, sp_x, n, p);
  const statlearn::enet_path fit = statlearn_host::interruptible_call(
      [&] { return statlearn::elastic_net_path(v, y, w, make_options(options)); });
  return statlearn_host::path_list(fit, p);
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
  const std::vector<double> pred = statlearn_host::interruptible_call(
      [&] { return statlearn::elastic_net_cv_predictions(v, y, w, foldid, folds, opt); });
  Rcpp::NumericMatrix out(n, opt.lambda.size());
  std::copy(pred.begin(), pred.end(), out.begin());
  return out;
}

// Elastic-net paths of bootstrap samples given as multiplicities (counts:
// n x B), replicates in parallel over opt$threads.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_elastic_net_bootstrap(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                                     const Rcpp::IntegerVector& sp_p, const Rcpp::NumericVector& sp_x, int n,
                                     int p, const std::vector<double>& y, const std::vector<double>& w,
                                     const Rcpp::IntegerMatrix& counts, const Rcpp::List& options,
                                     bool with_ls) {
  statlearn_host::begin();
  const statlearn::design_view v = make_view(x, sp_i, sp_p, sp_x, n, p);
  const statlearn::enet_options opt = make_options(options);
  const std::vector<int> cnt(counts.begin(), counts.end());
  const std::size_t B = static_cast<std::size_t>(counts.ncol());
  std::vector<double> ls_norm;
  const std::vector<statlearn::enet_path> fits = statlearn_host::interruptible_call(
      [&] { return statlearn::elastic_net_bootstrap(v, y, w, cnt, B, opt, with_ls ? &ls_norm : nullptr); });
  Rcpp::List out(static_cast<R_xlen_t>(B));
  for (std::size_t b = 0; b < B; ++b) {
    Rcpp::List one = statlearn_host::path_list(fits[b], p);
    one["ls_norm"] = with_ls ? ls_norm[b] : NA_REAL;
    out[static_cast<R_xlen_t>(b)] = one;
  }
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_least_squares(SEXP x, const std::vector<double>& y, const std::vector<double>& w,
                             bool intercept, int threads) {
  statlearn_host::begin();
  std::size_t n = 0;
  const std::vector<const double*> cols = statlearn_host::design_columns(x, n);
  const statlearn::ls_fit f = statlearn::least_squares(cols.data(), n, cols.size(), y.data(),
                                                       w.data(), intercept, threads);
  statlearn::hooks::check_interrupt();
  if (!f.ok) return Rcpp::List::create(Rcpp::Named("ok") = false, Rcpp::Named("condition") = f.condition);
  const int q = static_cast<int>(cols.size()) + (intercept ? 1 : 0);
  Rcpp::NumericMatrix cov(q, q);
  std::copy(f.cov_unscaled.begin(), f.cov_unscaled.end(), cov.begin());
  return Rcpp::List::create(
      Rcpp::Named("ok") = true, Rcpp::Named("intercept") = f.intercept, Rcpp::Named("beta") = f.beta,
      Rcpp::Named("fitted") = f.fitted, Rcpp::Named("residuals") = f.residuals,
      Rcpp::Named("rss") = f.rss, Rcpp::Named("cov_unscaled") = cov,
      Rcpp::Named("condition") = f.condition);
}
