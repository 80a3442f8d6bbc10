// Glue for ESL 13.3.3 and 13.4, invariant and adaptive metrics for nearest
// neighbours: converts R matrices, calls statlearn/neighbors/tangent_distance.h
// and statlearn/neighbors/dann.h, returns 1-based indices.
#include <RcppArmadillo.h>
#include "statlearn/neighbors/tangent_distance.h"
#include "statlearn/neighbors/dann.h"
#include "statlearn/common/parallel.h"
#include "host.h"

namespace {

statlearn::tangent_options tangent_opts(int height, int width, const Rcpp::IntegerVector& kinds,
                                        double smoothing, bool two_sided) {
  statlearn::tangent_options o;
  o.height = height;
  o.width = width;
  o.kinds.assign(kinds.begin(), kinds.end());
  o.smoothing = smoothing;
  o.two_sided = two_sided;
  return o;
}

Rcpp::List knn_list(const statlearn::knn_result& r) {
  const std::size_t m = r.m, K = r.K;
  Rcpp::IntegerMatrix index(m, K);
  Rcpp::NumericMatrix distance(m, K);
  for (std::size_t i = 0; i < m * K; ++i) {
    index[i] = r.index[i] + 1;
    distance[i] = r.distance[i];
  }
  return Rcpp::List::create(Rcpp::Named("index") = index, Rcpp::Named("distance") = distance);
}

}  // namespace

// kinds: 0-based statlearn::tangent_kind codes.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_image_tangents(const Rcpp::NumericVector& image, int height, int width,
                                       const Rcpp::IntegerVector& kinds, double smoothing,
                                       bool orthonormal) {
  statlearn::tangent_options o = tangent_opts(height, width, kinds, smoothing, true);
  const std::size_t p = static_cast<std::size_t>(height) * width, L = o.kinds.size();
  Rcpp::NumericMatrix T(p, L);
  statlearn::tangent_detail::scratch_space ws;
  statlearn::image_tangents(image.begin(), o, T.begin(), ws);
  if (orthonormal) statlearn::orthonormalise(T.begin(), p, L);
  return T;
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_tangent_distance(const Rcpp::NumericMatrix& a, const Rcpp::NumericMatrix& b,
                                         int height, int width, const Rcpp::IntegerVector& kinds,
                                         double smoothing, bool two_sided, int threads) {
  statlearn_host::begin();
  statlearn::tangent_options o = tangent_opts(height, width, kinds, smoothing, two_sided);
  const std::size_t ma = a.nrow(), mb = b.nrow();
  const double* A = a.begin();
  const double* B = b.begin();
  std::vector<double> d = statlearn_host::interruptible_call([&] {
    std::vector<double> out;
    statlearn::interruptible(
        [&] { out = statlearn::tangent_distance_matrix(A, ma, B, mb, o, threads); });
    return out;
  });
  Rcpp::NumericMatrix res(ma, mb);
  std::copy(d.begin(), d.end(), res.begin());
  return res;
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_tangent_search(const Rcpp::NumericMatrix& x, const Rcpp::NumericMatrix& q, int K,
                              double candidates, int height, int width,
                              const Rcpp::IntegerVector& kinds, double smoothing, bool two_sided,
                              int threads) {
  statlearn_host::begin();
  statlearn::tangent_options o = tangent_opts(height, width, kinds, smoothing, two_sided);
  const std::size_t n = x.nrow(), m = q.nrow();
  const std::size_t C = candidates >= static_cast<double>(n) ? n : static_cast<std::size_t>(candidates);
  const double* X = x.begin();
  const double* Q = q.begin();
  statlearn::knn_result r = statlearn_host::interruptible_call([&] {
    statlearn::knn_result out;
    statlearn::interruptible([&] { out = statlearn::tangent_search(X, n, Q, m, K, C, o, threads); });
    return out;
  });
  return knn_list(r);
}

// y: 1-based classes.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_dann_search(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& y, int classes,
                           const Rcpp::NumericMatrix& q, int K, int neighborhood, double epsilon,
                           int iterations, bool want_metric, int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol(), m = q.nrow();
  std::vector<int> y0(y.begin(), y.end());
  for (int& v : y0) v -= 1;
  statlearn::dann_options o;
  o.neighborhood = neighborhood;
  o.epsilon = epsilon;
  o.iterations = iterations;
  const double* X = x.begin();
  const double* Q = q.begin();
  statlearn::dann_result r = statlearn_host::interruptible_call([&] {
    statlearn::dann_result out;
    statlearn::interruptible([&] {
      out = statlearn::dann_search(X, n, p, y0.data(), classes, Q, m, K, o, want_metric, threads);
    });
    return out;
  });
  Rcpp::List res = knn_list(r.nn);
  if (want_metric) {
    Rcpp::NumericVector S(r.metric.begin(), r.metric.end());
    S.attr("dim") = Rcpp::IntegerVector::create(p, p, m);
    res["metric"] = S;
  }
  return res;
}
