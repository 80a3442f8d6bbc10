// Glue for the prototype methods of ESL 13.2: learning vector quantisation
// (statlearn/classify/lvq.h). Class codes and observation indices arrive
// 1-based from R.
#include <Rcpp.h>
#include <vector>
#include "statlearn/classify/lvq.h"
#include "host.h"

// method: 0 lvq1, 1 olvq1, 2 lvq2, 3 lvq3. `order` holds 1-based row indices;
// when empty, `steps` indices are drawn from the stream derived from `seed`.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_lvq(const Rcpp::NumericMatrix& x, const Rcpp::IntegerVector& cl,
                   const Rcpp::NumericMatrix& codebook, const Rcpp::IntegerVector& codebook_cl,
                   const Rcpp::IntegerVector& order, double steps, int method, double alpha,
                   double window, double epsilon, double seed) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol(), nc = codebook.nrow();
  statlearn::lvq_options o;
  o.method = method == 0   ? statlearn::lvq_method::lvq1
             : method == 1 ? statlearn::lvq_method::olvq1
             : method == 2 ? statlearn::lvq_method::lvq2
                           : statlearn::lvq_method::lvq3;
  o.alpha = alpha;
  o.window = window;
  o.epsilon = epsilon;
  Rcpp::NumericMatrix C = Rcpp::clone(codebook);
  const double* X = x.begin();
  const int* CL = cl.begin();
  const int* CCL = codebook_cl.begin();
  double* Cp = C.begin();
  statlearn::lvq_result r = statlearn_host::interruptible_call([&] {
    if (order.size() > 0) {
      const int* ord = order.begin();  // 1-based
      return statlearn::lvq_train(X, n, p, CL, Cp, nc, CCL,
                                  [ord](std::size_t t) { return ord[t] - 1; },
                                  static_cast<std::size_t>(order.size()), o);
    }
    return statlearn::lvq_train(X, n, p, CL, Cp, nc, CCL,
                                statlearn::lvq_random_order(n, static_cast<std::uint64_t>(seed)),
                                static_cast<std::size_t>(steps), o);
  });
  return Rcpp::List::create(
      Rcpp::Named("codebook") = C, Rcpp::Named("updates") = static_cast<double>(r.updates),
      Rcpp::Named("rates") = Rcpp::NumericVector(r.rates.begin(), r.rates.end()));
}

// k distinct 1-based indices of 1..n from the stream (seed, task).
// [[Rcpp::export(rng = false)]]
Rcpp::IntegerVector cpp_sample_distinct(double n, double k, double seed, double task) {
  std::vector<int> idx = statlearn::sample_distinct(static_cast<std::size_t>(n), static_cast<std::size_t>(k),
                                                    static_cast<std::uint64_t>(seed),
                                                    static_cast<std::uint64_t>(task));
  Rcpp::IntegerVector out(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i) out[i] = idx[i] + 1;
  return out;
}
