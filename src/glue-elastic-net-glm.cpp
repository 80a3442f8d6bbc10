// Glue for the elastic net with binomial and Poisson responses (ESL 4.4.4).
#include <Rcpp.h>
#include <vector>
#include "statlearn/linear/glm_path.h"
#include "statlearn/linear/multinomial_path.h"
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
  const statlearn::enet_path fit = statlearn_host::interruptible_call([&] {
    return statlearn::glm_elastic_net_path(v, y, w, offset, static_cast<statlearn::glm_family>(family),
                                           statlearn_host::make_options(options));
  });
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
  const statlearn::enet_options opt = statlearn_host::make_options(options);
  const auto fam = static_cast<statlearn::glm_family>(family);
  const std::vector<double> pred = statlearn_host::interruptible_call(
      [&] { return statlearn::glm_elastic_net_cv_links(v, y, w, offset, fam, foldid, folds, opt); });
  Rcpp::NumericMatrix out(n, opt.lambda.size());
  std::copy(pred.begin(), pred.end(), out.begin());
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_multinomial_elastic_net(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                                       const Rcpp::IntegerVector& sp_p, const Rcpp::NumericVector& sp_x,
                                       int n, int p, const Rcpp::NumericMatrix& Y,
                                       const std::vector<double>& w, bool grouped,
                                       const Rcpp::List& options) {
  statlearn_host::begin();
  const statlearn::design_view v = statlearn_host::make_view(x, sp_i, sp_p, sp_x, n, p);
  const std::vector<double> y(Y.begin(), Y.end());
  const std::size_t K = Y.ncol();
  const statlearn::multinomial_path fit = statlearn_host::interruptible_call([&] {
    return statlearn::multinomial_elastic_net_path(v, y, K, w, grouped, statlearn_host::make_options(options));
  });
  const std::size_t L = fit.lambda.size();
  Rcpp::NumericVector beta(fit.beta.begin(), fit.beta.end());
  beta.attr("dim") = Rcpp::IntegerVector::create(p, static_cast<int>(K), static_cast<int>(L));
  Rcpp::NumericMatrix a0(static_cast<int>(K), static_cast<int>(L));
  std::copy(fit.a0.begin(), fit.a0.end(), a0.begin());
  return Rcpp::List::create(
      Rcpp::Named("lambda") = fit.lambda, Rcpp::Named("a0") = a0, Rcpp::Named("beta") = beta,
      Rcpp::Named("dev_ratio") = fit.dev_ratio, Rcpp::Named("df") = fit.df,
      Rcpp::Named("null_deviance") = fit.null_deviance, Rcpp::Named("passes") = fit.passes,
      Rcpp::Named("converged") = fit.converged, Rcpp::Named("scales") = fit.scales);
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_multinomial_elastic_net_cv(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& sp_i,
                                                   const Rcpp::IntegerVector& sp_p,
                                                   const Rcpp::NumericVector& sp_x, int n, int p,
                                                   const Rcpp::NumericMatrix& Y, const std::vector<double>& w,
                                                   bool grouped, const std::vector<int>& foldid, int folds,
                                                   const Rcpp::List& options) {
  statlearn_host::begin();
  const statlearn::design_view v = statlearn_host::make_view(x, sp_i, sp_p, sp_x, n, p);
  const std::vector<double> y(Y.begin(), Y.end());
  const std::size_t K = Y.ncol();
  const statlearn::enet_options opt = statlearn_host::make_options(options);
  const std::vector<double> links = statlearn_host::interruptible_call(
      [&] { return statlearn::multinomial_cv_links(v, y, K, w, grouped, foldid, folds, opt); });
  Rcpp::NumericVector out(links.begin(), links.end());
  out.attr("dim") = Rcpp::IntegerVector::create(n, static_cast<int>(K), static_cast<int>(opt.lambda.size()));
  return out;
}
