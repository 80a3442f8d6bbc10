// Glue for ESL chapter 4 discriminant analysis: converts R data to core
// types, calls statlearn/classify/discriminant.h, returns plain R lists and matrices.
#include <RcppArmadillo.h>
#include <vector>
#include "statlearn/classify/discriminant.h"
#include "host.h"

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_class_moments(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& cls,
                             const Rcpp::NumericVector& w, int K, int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol();
  std::vector<int> c0(n);
  for (std::size_t i = 0; i < n; ++i) c0[i] = cls[i] - 1;
  statlearn::class_moments m =
      statlearn::compute_class_moments(x.begin(), n, p, c0.data(), w.begin(), K, threads);
  Rcpp::NumericMatrix means(p, K);
  std::copy(m.means.begin(), m.means.end(), means.begin());
  Rcpp::NumericVector scatter(m.scatter.begin(), m.scatter.end());
  scatter.attr("dim") = Rcpp::IntegerVector::create(p, p, K);
  Rcpp::NumericMatrix pooled(p, p);
  std::copy(m.pooled.begin(), m.pooled.end(), pooled.begin());
  return Rcpp::List::create(Rcpp::Named("weight") = m.weight, Rcpp::Named("weight2") = m.weight2,
                            Rcpp::Named("count") = m.count, Rcpp::Named("means") = means,
                            Rcpp::Named("scatter") = scatter, Rcpp::Named("pooled") = pooled);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_lda_scaling(const Rcpp::NumericMatrix& means, const Rcpp::NumericMatrix& cov,
                           const Rcpp::NumericVector& prior, int r) {
  const std::size_t p = means.nrow(), K = means.ncol();
  statlearn::lda_scaling_result s =
      statlearn::lda_scaling(means.begin(), p, K, cov.begin(), prior.begin(), r);
  if (!s.ok) return Rcpp::List::create(Rcpp::Named("ok") = false, Rcpp::Named("condition") = s.condition);
  Rcpp::NumericMatrix scaling(p, r);
  std::copy(s.scaling.begin(), s.scaling.end(), scaling.begin());
  return Rcpp::List::create(Rcpp::Named("ok") = true, Rcpp::Named("condition") = s.condition,
                            Rcpp::Named("scaling") = scaling,
                            Rcpp::Named("eigenvalues") = s.eigenvalues);
}

// cov: p x p x K array. Returns the inverse Cholesky factors, log determinants
// and a success flag per class.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_gaussian_factors(const Rcpp::NumericVector& cov, int p, int K) {
  Rcpp::NumericVector rinv(static_cast<std::size_t>(p) * p * K);
  Rcpp::NumericVector logdet(K);
  Rcpp::LogicalVector ok(K);
  const std::size_t pp = static_cast<std::size_t>(p) * p;
  for (int k = 0; k < K; ++k) {
    double ld = 0.0;
    ok[k] = statlearn::gaussian_factor(cov.begin() + k * pp, p, rinv.begin() + k * pp, ld);
    logdet[k] = ok[k] ? ld : NA_REAL;
  }
  rinv.attr("dim") = Rcpp::IntegerVector::create(p, p, K);
  return Rcpp::List::create(Rcpp::Named("rinv") = rinv, Rcpp::Named("logdet") = logdet,
                            Rcpp::Named("ok") = ok);
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_linear_scores(const Rcpp::NumericMatrix& x, const Rcpp::NumericMatrix& A,
                                      const Rcpp::NumericVector& c, int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol(), K = A.ncol();
  Rcpp::NumericMatrix out(n, K);
  statlearn::linear_scores(x.begin(), n, p, A.begin(), c.begin(), K, threads, out.begin());
  statlearn::hooks::check_interrupt();
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_quadratic_scores(const Rcpp::NumericMatrix& x, const Rcpp::NumericMatrix& means,
                                         const Rcpp::NumericVector& rinv, const Rcpp::NumericVector& c,
                                         const Rcpp::IntegerVector& skip, int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol(), K = means.ncol();
  Rcpp::NumericMatrix out(n, K);
  statlearn::quadratic_scores(x.begin(), n, p, means.begin(), rinv.begin(), c.begin(), skip.begin(),
                              K, threads, out.begin());
  statlearn::hooks::check_interrupt();
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_posterior(const Rcpp::NumericMatrix& scores, int threads) {
  statlearn_host::begin();
  const std::size_t n = scores.nrow(), K = scores.ncol();
  Rcpp::NumericMatrix out(n, K);
  statlearn::posterior_from_scores(scores.begin(), n, K, threads, out.begin());
  return out;
}
