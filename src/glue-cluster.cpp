// Glue for k-means (ESL 13.2.1, 14.3.6): converts R data, calls
// statlearn/cluster/kmeans.h, returns 1-based clusters.
#include <Rcpp.h>
#include "statlearn/cluster/kmeans.h"
#include "statlearn/common/parallel.h"
#include "host.h"

// algorithm: 0 Lloyd, 1 Hamerly, 2 Hartigan-Wong; init: 0 k-means++, 1 random, 2 given centres.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_kmeans(const Rcpp::NumericMatrix& x, const Rcpp::NumericMatrix& centers, int k,
                      int algorithm, int init, int starts, int max_iter, double seed, int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol();
  statlearn::kmeans_options o;
  o.k = k;
  o.algorithm = algorithm == 0   ? statlearn::kmeans_algorithm::lloyd
                : algorithm == 1 ? statlearn::kmeans_algorithm::hamerly
                                 : statlearn::kmeans_algorithm::hartigan_wong;
  o.init = init == 0 ? statlearn::kmeans_init::plus_plus
           : init == 1 ? statlearn::kmeans_init::random : statlearn::kmeans_init::given;
  o.starts = starts;
  o.max_iter = max_iter;
  o.seed = static_cast<std::uint64_t>(seed);
  o.threads = threads;
  const double* X = x.begin();
  const double* C0 = centers.begin();
  statlearn::kmeans_result r = statlearn_host::interruptible_call([&] {
    statlearn::kmeans_result out;
    statlearn::interruptible([&] { out = statlearn::kmeans(X, n, p, o, C0); });
    return out;
  });
  if (r.fault == 1) return Rcpp::List::create(Rcpp::Named("fault") = 1);
  Rcpp::NumericMatrix cen(k, p);
  std::copy(r.centers.begin(), r.centers.end(), cen.begin());
  Rcpp::IntegerVector cl(n);
  for (std::size_t i = 0; i < n; ++i) cl[i] = r.cluster[i] + 1;
  Rcpp::NumericVector size(r.size.begin(), r.size.end());
  return Rcpp::List::create(
      Rcpp::Named("centers") = cen, Rcpp::Named("cluster") = cl,
      Rcpp::Named("withinss") = Rcpp::NumericVector(r.withinss.begin(), r.withinss.end()),
      Rcpp::Named("size") = size, Rcpp::Named("iterations") = static_cast<double>(r.iterations),
      Rcpp::Named("converged") = r.converged, Rcpp::Named("best_start") = static_cast<double>(r.best_start + 1),
      Rcpp::Named("start_withinss") = Rcpp::NumericVector(r.start_withinss.begin(), r.start_withinss.end()),
      Rcpp::Named("distance_evaluations") = static_cast<double>(r.distance_evaluations),
      Rcpp::Named("totss") = r.totss, Rcpp::Named("fault") = r.fault);
}
