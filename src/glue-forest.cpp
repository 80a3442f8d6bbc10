// Glue for random forests (ESL chapter 15): converts R data, calls
// statlearn/trees/forest.h.
#include <Rcpp.h>
#include "statlearn/trees/forest.h"
#include "host.h"

// x: n x p double matrix; y: 1-based class codes (integer, with K > 0) or a
// numeric response (K = 0).
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_random_forest(const Rcpp::NumericMatrix& x, SEXP y, int K, int trees, int mtry,
                             int node_size, int max_depth, double sample_fraction, bool replace,
                             const Rcpp::NumericVector& class_weights, bool imp_impurity,
                             bool imp_permutation, bool keep_inbag, double seed, int threads) {
  statlearn_host::begin();
  statlearn::forest_data d;
  d.n = x.nrow();
  d.p = x.ncol();
  d.x = x.begin();
  d.K = K;
  std::vector<int> ycls;
  if (K > 0) {
    const Rcpp::IntegerVector yi(y);
    ycls.resize(d.n);
    for (std::size_t i = 0; i < d.n; ++i) ycls[i] = yi[i] - 1;
    d.y_class = ycls.data();
  } else {
    d.y_num = REAL(y);
  }
  statlearn::forest_options o;
  o.trees = trees;
  o.mtry = mtry;
  o.node_size = node_size;
  o.max_depth = max_depth;
  o.sample_fraction = sample_fraction;
  o.replace = replace;
  o.class_weights.assign(class_weights.begin(), class_weights.end());
  o.importance_impurity = imp_impurity;
  o.importance_permutation = imp_permutation;
  o.keep_inbag = keep_inbag;
  o.seed = static_cast<std::uint64_t>(seed);
  o.threads = threads;
  statlearn::forest_result r = statlearn_host::interruptible_call([&] {
    statlearn::forest_result out;
    statlearn::interruptible([&] {
      statlearn::with_threads(threads, [&] {
        statlearn::forest_code_data(d, threads);
        out = statlearn::forest_fit(d, o);
      });
    });
    return out;
  });
  // concatenate the trees, freeing each once copied
  const std::size_t T = r.tree_list.size();
  Rcpp::IntegerVector offset(T + 1);
  offset[0] = 0;
  for (std::size_t t = 0; t < T; ++t) offset[t + 1] = offset[t] + static_cast<int>(r.tree_list[t].var.size());
  Rcpp::IntegerVector var(offset[T]), left(offset[T]);
  Rcpp::NumericVector value(offset[T]);
  for (std::size_t t = 0; t < T; ++t) {
    statlearn::forest_detail::tree_nodes& tn = r.tree_list[t];
    std::copy(tn.var.begin(), tn.var.end(), var.begin() + offset[t]);
    std::copy(tn.value.begin(), tn.value.end(), value.begin() + offset[t]);
    std::copy(tn.left.begin(), tn.left.end(), left.begin() + offset[t]);
    std::vector<int>().swap(tn.var);
    std::vector<double>().swap(tn.value);
    std::vector<int>().swap(tn.left);
  }
  Rcpp::List out = Rcpp::List::create(
      Rcpp::Named("offset") = offset, Rcpp::Named("var") = var, Rcpp::Named("value") = value,
      Rcpp::Named("left") = left,
      Rcpp::Named("oob_error") = Rcpp::NumericVector(r.oob_error.begin(), r.oob_error.end()),
      Rcpp::Named("oob_votes") = Rcpp::NumericVector(r.oob_votes.begin(), r.oob_votes.end()),
      Rcpp::Named("oob_count") = Rcpp::IntegerVector(r.oob_count.begin(), r.oob_count.end()),
      Rcpp::Named("importance_impurity") = Rcpp::NumericVector(r.importance_impurity.begin(), r.importance_impurity.end()),
      Rcpp::Named("importance_permutation") = Rcpp::NumericVector(r.importance_permutation.begin(), r.importance_permutation.end()),
      Rcpp::Named("inbag") = Rcpp::IntegerVector(r.inbag.begin(), r.inbag.end()));
  return out;
}

// Votes (n x K) or mean responses (n) of the first k trees for newx.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_random_forest_predict(const Rcpp::IntegerVector& offset, const Rcpp::IntegerVector& var,
                                              const Rcpp::NumericVector& value, const Rcpp::IntegerVector& left,
                                              int K, int k, const Rcpp::NumericMatrix& newx, int threads) {
  std::vector<double> r = statlearn::forest_predict(offset.begin(), var.begin(), value.begin(), left.begin(),
                                                    K, k, newx.begin(), newx.nrow(), threads);
  Rcpp::NumericVector out(r.begin(), r.end());
  if (K > 0) out.attr("dim") = Rcpp::Dimension(K, newx.nrow());
  return out;
}

// Proximity counts (n x n) from the terminal nodes of the first k trees.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_random_forest_proximity(const Rcpp::IntegerVector& offset, const Rcpp::IntegerVector& var,
                                                const Rcpp::NumericVector& value, const Rcpp::IntegerVector& left,
                                                int k, const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& inbag,
                                                bool oob, int threads) {
  const std::size_t n = x.nrow();
  std::vector<int> leaves = statlearn::forest_leaves(offset.begin(), var.begin(), value.begin(), left.begin(),
                                                     k, x.begin(), n, threads);
  std::vector<double> pr = statlearn::forest_proximity(leaves, oob ? inbag.begin() : nullptr, n, k, oob, threads);
  Rcpp::NumericMatrix out(n, n);
  std::copy(pr.begin(), pr.end(), out.begin());
  return out;
}
