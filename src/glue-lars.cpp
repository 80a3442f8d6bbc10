// Glue for least angle regression (lar, lasso and stagewise paths).
#include <RcppArmadillo.h>
#include "statlearn/linear/lars.h"
#include "host.h"

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_lars_fit(const arma::mat& x, const arma::vec& y, const arma::vec& w, int type,
                        bool standardize, bool intercept, int max_steps, int threads) {
  statlearn_host::begin();
  statlearn::lars_fit f = statlearn::fit_lars(x, y, w, static_cast<statlearn::lars_type>(type),
                                              standardize, intercept,
                                              static_cast<std::size_t>(max_steps), threads);
  return Rcpp::List::create(
    Rcpp::Named("a0") = Rcpp::NumericVector(f.a0.begin(), f.a0.end()),
    Rcpp::Named("beta") = f.beta,
    Rcpp::Named("lambda") = f.path.lambda,
    Rcpp::Named("entered") = f.path.entered,
    Rcpp::Named("dropped") = f.path.dropped,
    Rcpp::Named("df") = f.path.df,
    Rcpp::Named("rss") = f.path.rss,
    Rcpp::Named("xmean") = Rcpp::NumericVector(f.xmean.begin(), f.xmean.end()),
    Rcpp::Named("xscale") = Rcpp::NumericVector(f.xscale.begin(), f.xscale.end()),
    Rcpp::Named("wsum") = f.wsum);
}
