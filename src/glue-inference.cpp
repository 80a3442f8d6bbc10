// Glue for Bayesian inference (ESL 8.6): the Gibbs sampler for a univariate
// Gaussian mixture in statlearn/cluster/gibbs_mixture.h.
#include <Rcpp.h>
#include <limits>
#include "statlearn/cluster/gibbs_mixture.h"
#include "statlearn/common/parallel.h"
#include "host.h"

// dirichlet: G Dirichlet parameters, or length 0 for fixed proportions.
// prior_variance: Inf for the flat prior. start: G x chains starting means, or
// 0 x 0 for G distinct data points per chain.
// Draws come back as kept x G x chains arrays.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_gibbs_mixture(const Rcpp::NumericVector& y, int components, int iterations, int burn_in,
                             const Rcpp::NumericVector& variances, const Rcpp::NumericVector& proportions,
                             const Rcpp::NumericVector& dirichlet, const Rcpp::NumericVector& prior_mean,
                             const Rcpp::NumericVector& prior_variance, const Rcpp::NumericMatrix& start,
                             int chains, double seed, int threads) {
  statlearn_host::begin();
  statlearn::gibbs_mixture_options o;
  o.components = components;
  o.iterations = iterations;
  o.burn_in = burn_in;
  o.chains = chains;
  o.variances.assign(variances.begin(), variances.end());
  o.proportions.assign(proportions.begin(), proportions.end());
  o.dirichlet.assign(dirichlet.begin(), dirichlet.end());
  o.prior_mean.assign(prior_mean.begin(), prior_mean.end());
  o.prior_variance.assign(prior_variance.begin(), prior_variance.end());
  o.start.assign(start.begin(), start.end());
  o.seed = static_cast<std::uint64_t>(seed);
  o.threads = threads;
  const double* Y = y.begin();
  const std::size_t n = y.size();
  statlearn::gibbs_mixture_result r = statlearn_host::interruptible_call([&] {
    statlearn::gibbs_mixture_result out;
    statlearn::interruptible([&] { out = statlearn::gibbs_mixture(Y, n, o); });
    return out;
  });
  const Rcpp::IntegerVector dim =
      Rcpp::IntegerVector::create(r.kept, components, static_cast<int>(o.chains));
  Rcpp::NumericVector means(r.means.begin(), r.means.end()),
      pro(r.proportions.begin(), r.proportions.end()), counts(r.counts.begin(), r.counts.end());
  means.attr("dim") = dim;
  pro.attr("dim") = dim;
  counts.attr("dim") = dim;
  return Rcpp::List::create(Rcpp::Named("means") = means, Rcpp::Named("proportions") = pro,
                            Rcpp::Named("counts") = counts,
                            Rcpp::Named("empty") = Rcpp::NumericVector(r.empty.begin(), r.empty.end()));
}
