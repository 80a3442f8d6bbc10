// Glue for the discrete wavelet transform and wavelet shrinkage (ESL 5.9):
// converts R matrices (one signal per column), calls
// statlearn/smooth/wavelet.h.
#include <Rcpp.h>
#include "statlearn/smooth/wavelet.h"
#include "statlearn/common/parallel.h"
#include "host.h"

// The scaling filter h and wavelet filter g of a wavelet (0 haar, 1 d4, 2 d8, 3 symmlet8).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_wavelet_filter(int kind) {
  const statlearn::wavelet_filter f = statlearn::make_wavelet_filter(static_cast<statlearn::wavelet_kind>(kind));
  return Rcpp::List::create(Rcpp::Named("h") = Rcpp::NumericVector(f.h.begin(), f.h.end()),
                            Rcpp::Named("g") = Rcpp::NumericVector(f.g.begin(), f.g.end()));
}

// Forward (inverse = false) or inverse transform of each column of x
// (N = 2^J rows), `levels` pyramid steps.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_wavelet_transform(const Rcpp::NumericMatrix& x, int kind, int levels, bool inverse,
                                          int threads) {
  statlearn_host::begin();
  const std::size_t N = x.nrow(), p = x.ncol();
  Rcpp::NumericMatrix out(N, p);
  const statlearn::wavelet_filter f = statlearn::make_wavelet_filter(static_cast<statlearn::wavelet_kind>(kind));
  const double* X = x.begin();
  double* O = out.begin();
  statlearn_host::interruptible_call([&] {
    statlearn::interruptible([&] { statlearn::dwt_columns(X, N, p, levels, f, inverse, O, threads); });
    return 0;
  });
  return out;
}

// Wavelet shrinkage of each column of y. threshold: 0 universal, 1 sure,
// 2 hybrid, 3 the given lambda; rule: 0 soft, 1 hard; sigma: one value per
// column, NA to estimate it.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_wavelet_smooth(const Rcpp::NumericMatrix& y, int kind, int levels, int threshold, double lambda,
                              int rule, const Rcpp::NumericVector& sigma, int threads) {
  statlearn_host::begin();
  const std::size_t N = y.nrow(), p = y.ncol();
  statlearn::wavelet_smooth_options o;
  o.kind = static_cast<statlearn::wavelet_kind>(kind);
  o.levels = levels;
  o.threshold = static_cast<statlearn::wavelet_threshold>(threshold);
  o.rule = static_cast<statlearn::wavelet_rule>(rule);
  o.lambda = lambda;
  o.threads = threads;
  std::vector<double> s(sigma.begin(), sigma.end());
  for (double& v : s) {
    if (ISNAN(v)) v = -1.0;
  }
  const double* Y = y.begin();
  statlearn::wavelet_smooth_result r = statlearn_host::interruptible_call([&] {
    statlearn::wavelet_smooth_result out;
    statlearn::interruptible([&] { out = statlearn::wavelet_smooth(Y, N, p, o, s.data()); });
    return out;
  });
  Rcpp::NumericMatrix fitted(N, p), raw(N, p), shrunk(N, p), thr(levels, p);
  std::copy(r.fitted.begin(), r.fitted.end(), fitted.begin());
  std::copy(r.raw.begin(), r.raw.end(), raw.begin());
  std::copy(r.shrunk.begin(), r.shrunk.end(), shrunk.begin());
  std::copy(r.thresholds.begin(), r.thresholds.end(), thr.begin());
  return Rcpp::List::create(Rcpp::Named("fitted") = fitted, Rcpp::Named("raw") = raw,
                            Rcpp::Named("shrunk") = shrunk, Rcpp::Named("thresholds") = thr,
                            Rcpp::Named("sigma") = Rcpp::NumericVector(r.sigma.begin(), r.sigma.end()));
}
