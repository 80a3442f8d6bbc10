// Glue for MARS (ESL 9.4): converts R data, calls statlearn/basis/mars.h.
#include <Rcpp.h>
#include "statlearn/basis/mars.h"
#include "host.h"

// x: n x p double matrix; y: response (scaled by the caller); w: weights or
// an empty vector. Returns the forward pass's term slots.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_mars_forward(const Rcpp::NumericMatrix& x, const Rcpp::NumericVector& y,
                            const Rcpp::NumericVector& w, int degree, double penalty, int max_terms,
                            double thresh, int minspan, int endspan, double adjust_endspan,
                            int fast_k, double fast_beta, bool auto_linpreds, int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol();
  statlearn::mars_options o;
  o.degree = degree;
  o.penalty = penalty;
  o.max_terms = max_terms;
  o.thresh = thresh;
  o.minspan = minspan;
  o.endspan = endspan;
  o.adjust_endspan = adjust_endspan;
  o.fast_k = fast_k;
  o.fast_beta = fast_beta;
  o.auto_linpreds = auto_linpreds;
  o.threads = threads;
  const std::vector<double> yy(y.begin(), y.end()), ww(w.begin(), w.end());
  const double* xp = x.begin();
  statlearn::mars_forward_result r = statlearn_host::interruptible_call([&] {
    statlearn::mars_forward_result out;
    statlearn::interruptible([&] { out = statlearn::mars_forward(xp, n, p, yy, ww, o); });
    return out;
  });
  Rcpp::IntegerMatrix dirs(r.nterms, p);
  Rcpp::NumericMatrix cuts(r.nterms, p);
  for (int t = 0; t < r.nterms; ++t)
    for (std::size_t j = 0; j < p; ++j) {
      dirs(t, j) = r.dirs[t * p + j];
      cuts(t, j) = r.cuts[t * p + j];
    }
  Rcpp::NumericMatrix xrange(2, p);  // column ranges, for plots
  for (std::size_t j = 0; j < p; ++j) {
    const double* xj = xp + j * n;
    double lo = xj[0], hi = xj[0];
    for (std::size_t i = 1; i < n; ++i) {
      lo = std::min(lo, xj[i]);
      hi = std::max(hi, xj[i]);
    }
    xrange(0, j) = lo;
    xrange(1, j) = hi;
  }
  return Rcpp::List::create(Rcpp::Named("xrange") = xrange, Rcpp::Named("used") = Rcpp::LogicalVector(r.used.begin(), r.used.end()),
                            Rcpp::Named("dirs") = dirs, Rcpp::Named("cuts") = cuts,
                            Rcpp::Named("termcond") = r.termcond,
                            Rcpp::Named("rsq") = Rcpp::NumericVector(r.rsq.begin(), r.rsq.end()));
}

// Backward elimination on B (n x T, intercept first) and y.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_mars_backward(const Rcpp::NumericMatrix& B, const Rcpp::NumericVector& y) {
  statlearn_host::begin();
  const std::size_t n = B.nrow(), T = B.ncol();
  statlearn::mars_backward_result r = statlearn::mars_backward(B.begin(), n, T, y.begin());
  Rcpp::IntegerMatrix terms(T, T);
  for (std::size_t k = 0; k < T; ++k)
    for (std::size_t i = 0; i < T; ++i) {
      const int v = r.terms[k * T + i];
      terms(k, i) = v < 0 ? 0 : v + 1;
    }
  return Rcpp::List::create(Rcpp::Named("rss") = Rcpp::NumericVector(r.rss.begin(), r.rss.end()),
                            Rcpp::Named("terms") = terms);
}
