// Glue for principal components and partial least squares regression.
#include <RcppArmadillo.h>
#include "statlearn/linear/derived_inputs.h"
#include "host.h"

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_derived_fit(const arma::mat& x, const arma::vec& y, const arma::vec& w,
                           bool scale, int ncomp, bool pls, int threads) {
  statlearn_host::begin();
  statlearn::derived_fit f = statlearn::fit_derived(x, y, w, scale, static_cast<std::size_t>(ncomp),
                                                    pls, threads);
  return Rcpp::List::create(
    Rcpp::Named("a0") = Rcpp::NumericVector(f.a0.begin(), f.a0.end()),
    Rcpp::Named("beta") = f.beta,
    Rcpp::Named("directions") = f.directions,
    Rcpp::Named("xvar") = Rcpp::NumericVector(f.xvar.begin(), f.xvar.end()),
    Rcpp::Named("yss") = Rcpp::NumericVector(f.yss.begin(), f.yss.end()),
    Rcpp::Named("xmean") = Rcpp::NumericVector(f.xmean.begin(), f.xmean.end()),
    Rcpp::Named("xscale") = Rcpp::NumericVector(f.xscale.begin(), f.xscale.end()),
    Rcpp::Named("ymean") = f.ymean,
    Rcpp::Named("xtotal") = f.xtotal,
    Rcpp::Named("ytotal") = f.ytotal);
}
