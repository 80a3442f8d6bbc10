// Glue for additive models (ESL 9.1): converts R data, calls
// statlearn/smooth/additive_model.h.
#include <Rcpp.h>
#include "statlearn/smooth/additive_model.h"
#include "statlearn/common/parallel.h"
#include "host.h"

// terms: a list of lists (x, knots, bin (1-based), mode, value), x and knots on
// [0, 1]; X: the linear part with its intercept column first.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_additive_model(const Rcpp::NumericVector& y, const Rcpp::NumericVector& w,
                              const Rcpp::NumericMatrix& X, const Rcpp::List& terms, int family,
                              double tol, int max_iter, double outer_tol, int max_outer, int threads) {
  statlearn_host::begin();
  const std::size_t n = y.size(), J = terms.size();
  std::vector<statlearn::additive_term> tt(J);
  for (std::size_t j = 0; j < J; ++j) {
    const Rcpp::List t = terms[j];
    const Rcpp::NumericVector x = t["x"], knots = t["knots"];
    const Rcpp::IntegerVector bin = t["bin"];
    tt[j].x.assign(x.begin(), x.end());
    tt[j].knots.assign(knots.begin(), knots.end());
    tt[j].bin.resize(n);
    for (std::size_t i = 0; i < n; ++i) tt[j].bin[i] = static_cast<std::size_t>(bin[i] - 1);
    tt[j].mode = Rcpp::as<int>(t["mode"]);
    tt[j].value = Rcpp::as<double>(t["value"]);
  }
  statlearn::additive_options o;
  o.family = family;
  o.tol = tol;
  o.max_iter = max_iter;
  o.outer_tol = outer_tol;
  o.max_outer = max_outer;
  o.threads = threads;
  const std::vector<double> yy(y.begin(), y.end()), ww(w.begin(), w.end());
  const double* Xp = X.begin();
  const std::size_t p = X.ncol();
  statlearn::additive_result r = statlearn_host::interruptible_call([&] {
    statlearn::additive_result out;
    statlearn::interruptible([&] { out = statlearn::additive_model_fit(yy, ww, Xp, p, tt, o); });
    return out;
  });
  Rcpp::List out_terms(J);
  for (std::size_t j = 0; j < r.terms.size(); ++j) {
    const statlearn::additive_term_result& t = r.terms[j];
    out_terms[j] = Rcpp::List::create(
        Rcpp::Named("lambda") = t.lambda, Rcpp::Named("df") = t.df,
        Rcpp::Named("coef") = Rcpp::NumericVector(t.coef.begin(), t.coef.end()),
        Rcpp::Named("center") = t.center,
        Rcpp::Named("sigma") = Rcpp::NumericVector(t.sigma.begin(), t.sigma.end()),
        Rcpp::Named("fitted") = Rcpp::NumericVector(t.fitted.begin(), t.fitted.end()));
  }
  return Rcpp::List::create(
      Rcpp::Named("fault") = r.fault, Rcpp::Named("terms") = out_terms,
      Rcpp::Named("beta") = Rcpp::NumericVector(r.beta.begin(), r.beta.end()),
      Rcpp::Named("eta") = Rcpp::NumericVector(r.eta.begin(), r.eta.end()),
      Rcpp::Named("mu") = Rcpp::NumericVector(r.mu.begin(), r.mu.end()),
      Rcpp::Named("work_w") = Rcpp::NumericVector(r.work_w.begin(), r.work_w.end()),
      Rcpp::Named("work_z") = Rcpp::NumericVector(r.work_z.begin(), r.work_z.end()),
      Rcpp::Named("deviance") = r.deviance, Rcpp::Named("iterations") = r.iterations,
      Rcpp::Named("outer") = r.outer, Rcpp::Named("converged") = r.converged);
}

// Pointwise b(x)' Sigma b(x) of a term (x on its [0, 1] scale; NA gives NA).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_additive_term_variance(const Rcpp::NumericVector& knots, const Rcpp::NumericVector& sigma,
                                               const Rcpp::NumericVector& x) {
  const std::vector<double> kk(knots.begin(), knots.end()), ss(sigma.begin(), sigma.end());
  Rcpp::NumericVector out(x.size());
  statlearn::additive_term_variance(kk, ss, x.begin(), x.size(), out.begin());
  return out;
}
