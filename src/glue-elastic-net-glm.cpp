// Glue for the elastic net with binomial and Poisson responses (ESL 4.4.4).
#include <Rcpp.h>
#include <vector>
#include "statlearn/glm_path.h"
#include "host.h"
#include "enet-glue.h"

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_glm_elastic_net(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                               const Rcpp::IntegerVector& sp_p, const Rcpp::NumericVector& sp_x,
                               int n, int p, const std::vector<double>& y,
                               const std::vector<double>& w, const std::vector<double>& offset,
                               int family, const Rcpp::List& options) {
  statlearn_host::begin();
  const statlearn::design_view v = statlearn_host::make_view(x, sp_i, sp_p, sp_x, n, p);
  const statlearn::enet_path fit = statlearn::glm_elastic_net_path(
      v, y, w, offset, static_cast<statlearn::glm_family>(family), statlearn_host::make_options(options));
  return statlearn_host::path_list(fit, p);
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_glm_elastic_net_cv(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                                           const Rcpp::IntegerVector& sp_p,
                                           const Rcpp::NumericVector& sp_x, int n, int p,
                                           const std::vector<double>& y, const std::vector<double>& w,
                                           const std::vector<double>& offset, int family,
                                           const std::vector<int>& foldid, int folds,
                                           const Rcpp::List& options) {
  statlearn_host::begin();
  const statlearn::design_view v = statlearn_host::make_view(x, sp_i, sp_p, sp_x, n, p);
  const statlearn::enet_options opt_in = statlearn_host::make_options(options);
  statlearn::enet_options opt = opt_in;
  opt.threads = 1;
  opt.main_thread = false;
  const auto fam = static_cast<statlearn::glm_family>(family);
  const std::vector<double> pred = statlearn::cv_linear_predictors(
      v, w, foldid, folds, opt_in.threads, opt_in.lambda.size(),
      [&](const std::vector<double>& wk) { return statlearn::glm_elastic_net_path(v, y, wk, offset, fam, opt); });
  Rcpp::NumericMatrix out(n, opt_in.lambda.size());
  std::copy(pred.begin(), pred.end(), out.begin());
  return out;
}
