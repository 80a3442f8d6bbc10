// Glue for ESL chapters 2 and 13, nearest neighbours: converts R matrices,
// calls statlearn/neighbors/knn_search.h, returns 1-based indices.
#include <Rcpp.h>
#include "statlearn/neighbors/kd_tree.h"
#include "statlearn/neighbors/knn_search.h"
#include "statlearn/common/parallel.h"
#include "host.h"

// method: 0 the blocked search, 1 point by point (the tests' reference), 2 the k-d tree.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_knn_search(const Rcpp::NumericMatrix& x, const Rcpp::NumericMatrix& q, int K,
                          int threads, int method) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol(), m = q.nrow();
  const double* X = x.begin();
  const double* Q = q.begin();
  statlearn::knn_result r = statlearn_host::interruptible_call([&] {
    statlearn::knn_result out;
    statlearn::interruptible([&] {
      out = method == 1   ? statlearn::knn_search_plain(X, n, Q, m, p, K)
            : method == 2 ? statlearn::knn_search_tree(X, n, Q, m, p, K, threads)
                          : statlearn::knn_search(X, n, Q, m, p, K, threads);
    });
    return out;
  });
  Rcpp::IntegerMatrix index(m, K);
  Rcpp::NumericMatrix distance(m, K);
  for (std::size_t i = 0; i < m * static_cast<std::size_t>(K); ++i) {
    index[i] = r.index[i] + 1;
    distance[i] = r.distance[i];
  }
  return Rcpp::List::create(Rcpp::Named("index") = index, Rcpp::Named("distance") = distance,
                            Rcpp::Named("fallbacks") = static_cast<double>(r.exact_fallbacks));
}
