// Conversions shared by the elastic-net glue files.
#ifndef STATLEARN_ENET_GLUE_H
#define STATLEARN_ENET_GLUE_H
#include <Rcpp.h>
#include <algorithm>
#include <vector>
#include "statlearn/linear/coordinate_descent.h"

namespace statlearn_host {

inline statlearn::design_view make_view(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
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

inline statlearn::enet_options make_options(const Rcpp::List& o) {
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

inline Rcpp::List path_list(const statlearn::enet_path& fit, int p) {
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

}  // namespace statlearn_host
#endif
