// Glue for Gaussian mixtures by EM (ESL 8.5, 13.2.3, 14.3.7): converts R data,
// calls statlearn/cluster/gaussian_mixture.h.
#include <Rcpp.h>
#include "statlearn/cluster/gaussian_mixture.h"
#include "statlearn/common/parallel.h"
#include "host.h"

namespace {
statlearn::mixture_shape shape_of(int shape) {
  return shape == 0 ? statlearn::mixture_shape::full
         : shape == 1 ? statlearn::mixture_shape::diagonal : statlearn::mixture_shape::spherical;
}
}  // namespace

// shape: 0 full, 1 diagonal, 2 spherical. start_z: n x G responsibilities, or
// a 0 x 0 matrix for k-means starts. trace: keep the parameters after every
// iteration. status: 0 ok, 1 singular covariance,
// 2 empty component, 3 non-finite values.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_gaussian_mixture(const Rcpp::NumericMatrix& x, int components, int shape, bool shared,
                                int starts, const Rcpp::NumericMatrix& start_z, int max_iter,
                                double tol, double regularization, double seed, int threads,
                                bool trace) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol(), G = components;
  statlearn::mixture_options o;
  o.components = G;
  o.shape = shape_of(shape);
  o.shared = shared;
  o.starts = starts;
  o.max_iter = max_iter;
  o.tol = tol;
  o.regularization = regularization;
  o.seed = static_cast<std::uint64_t>(seed);
  o.threads = threads;
  o.trace = trace;
  const double* X = x.begin();
  const double* Z0 = start_z.nrow() > 0 ? start_z.begin() : nullptr;
  statlearn::mixture_result r = statlearn_host::interruptible_call([&] {
    statlearn::mixture_result out;
    statlearn::interruptible([&] { out = statlearn::gaussian_mixture(X, n, p, o, Z0); });
    return out;
  });
  const bool ok = r.status == statlearn::mixture_status::ok;
  Rcpp::NumericVector pro(G), cov(p * p * G);
  Rcpp::NumericMatrix means(G, p), z(ok ? n : 0, ok ? G : 0);
  if (ok) {
    std::copy(r.par.proportions.begin(), r.par.proportions.end(), pro.begin());
    std::copy(r.par.means.begin(), r.par.means.end(), means.begin());
    std::copy(r.par.covariances.begin(), r.par.covariances.end(), cov.begin());
    std::copy(r.z.begin(), r.z.end(), z.begin());
  }
  cov.attr("dim") = Rcpp::IntegerVector::create(p, p, G);
  return Rcpp::List::create(
      Rcpp::Named("proportions") = pro, Rcpp::Named("means") = means, Rcpp::Named("covariances") = cov,
      Rcpp::Named("z") = z, Rcpp::Named("loglik") = r.loglik,
      Rcpp::Named("loglik_path") = Rcpp::NumericVector(r.loglik_path.begin(), r.loglik_path.end()),
      Rcpp::Named("trace") = Rcpp::NumericVector(r.trace.begin(), r.trace.end()),
      Rcpp::Named("start_loglik") = Rcpp::NumericVector(r.start_loglik.begin(), r.start_loglik.end()),
      Rcpp::Named("iterations") = static_cast<double>(r.iterations),
      Rcpp::Named("converged") = r.converged, Rcpp::Named("best_start") = static_cast<double>(r.best_start + 1),
      Rcpp::Named("status") = static_cast<int>(r.status),
      Rcpp::Named("bad_component") = static_cast<double>(r.bad_component + 1));
}

// Log densities of the rows of x under a mixture: component (n x G, log pi_k
// phi_k(x_i)) and density (n, log f(x_i)); bad_component > 0 when a
// covariance cannot be factored.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_mixture_log_density(const Rcpp::NumericMatrix& x, const Rcpp::NumericVector& proportions,
                                   const Rcpp::NumericMatrix& means, const Rcpp::NumericVector& covariances,
                                   bool diagonal, int threads) {
  statlearn_host::begin();
  const std::size_t n = x.nrow(), p = x.ncol(), G = proportions.size();
  statlearn::mixture_parameters par;
  par.G = G;
  par.p = p;
  par.proportions.assign(proportions.begin(), proportions.end());
  par.means.assign(means.begin(), means.end());
  par.covariances.assign(covariances.begin(), covariances.end());
  Rcpp::NumericMatrix comp(n, G);
  Rcpp::NumericVector dens(n);
  const double* X = x.begin();
  double* C = comp.begin();
  double* D = dens.begin();
  const long bad = statlearn_host::interruptible_call([&] {
    long out = -1;
    statlearn::interruptible(
        [&] { out = statlearn::mixture_log_densities(X, n, p, par, diagonal, threads, C, D, nullptr); });
    return out;
  });
  return Rcpp::List::create(Rcpp::Named("component") = comp, Rcpp::Named("density") = dens,
                            Rcpp::Named("bad_component") = static_cast<double>(bad + 1));
}
