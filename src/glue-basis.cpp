// Glue for the spline bases (ESL 5.2): converts R vectors, calls
// statlearn/basis/bspline.h.
#include <Rcpp.h>
#include "statlearn/basis/bspline.h"

// The B-spline basis of order `order` on the full knot sequence `knots` at
// x (finite values), or its derivatives of order `derivative`.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_bspline_basis(const Rcpp::NumericVector& x, const Rcpp::NumericVector& knots,
                                      int order, int derivative) {
  const std::size_t n = x.size(), K = knots.size(), m = static_cast<std::size_t>(order);
  const std::vector<double> B =
      statlearn::bspline_basis(knots.begin(), K, m, x.begin(), n, static_cast<std::size_t>(derivative));
  Rcpp::NumericMatrix out(n, K - m);
  std::copy(B.begin(), B.end(), out.begin());
  return out;
}

// The same basis for x that may hold NA (rows of NA), without its first
// `skip` columns, written straight into the result.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_bspline_basis_matrix(const Rcpp::NumericVector& x, const Rcpp::NumericVector& knots,
                                             int order, int derivative, int skip) {
  const std::size_t n = x.size(), K = knots.size(), m = static_cast<std::size_t>(order);
  Rcpp::NumericMatrix out(Rcpp::no_init(static_cast<int>(n), static_cast<int>(K - m - skip)));
  statlearn::bspline_basis_fill(knots.begin(), K, m, x.begin(), n, static_cast<std::size_t>(derivative),
                                static_cast<std::size_t>(skip), out.begin());
  return out;
}

// The natural cubic spline basis at x (NA gives rows of NA): the cubic
// B-splines on the full knot sequence `knots`, linear beyond the boundary
// knots lo and hi, without the first `skip` functions, times `combine`.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_natural_spline_matrix(const Rcpp::NumericVector& x, const Rcpp::NumericVector& knots,
                                              int derivative, double lo, double hi, int skip,
                                              const Rcpp::NumericMatrix& combine) {
  const std::size_t n = x.size(), K = knots.size();
  Rcpp::NumericMatrix out(Rcpp::no_init(static_cast<int>(n), combine.ncol()));
  statlearn::natural_spline_fill(knots.begin(), K, x.begin(), n, static_cast<std::size_t>(derivative), lo, hi,
                                 static_cast<std::size_t>(skip), combine.begin(),
                                 static_cast<std::size_t>(combine.ncol()), out.begin());
  return out;
}

// Type-7 quantiles of the x within [lo, hi] (the knots at quantiles), and
// how many such x there are.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_quantiles_within(const Rcpp::NumericVector& x, double lo, double hi,
                                const std::vector<double>& probs) {
  std::size_t count = 0;
  const std::vector<double> q = statlearn::quantiles_within(x.begin(), x.size(), lo, hi, probs, &count);
  return Rcpp::List::create(Rcpp::Named("quantiles") = q, Rcpp::Named("count") = static_cast<double>(count));
}
