// Glue for ESL sections 4.4-4.5: logistic regression, the perceptron and the
// optimal separating hyperplane.
#include <RcppArmadillo.h>
#include <cstdint>
#include <vector>
#include "statlearn/classify/hyperplane.h"
#include "statlearn/classify/logistic.h"
#include "host.h"

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_logistic(const Rcpp::NumericMatrix& x, const std::vector<int>& y, int K,
                        const std::vector<double>& w, const Rcpp::Nullable<Rcpp::NumericVector>& offset,
                        bool intercept, int maxit, double epsilon, int threads) {
  statlearn_host::begin();
  statlearn::logistic_options opt;
  opt.maxit = maxit;
  opt.epsilon = epsilon;
  opt.intercept = intercept;
  opt.threads = threads;
  const std::size_t n = x.nrow(), p = x.ncol();
  std::vector<double> off;
  if (offset.isNotNull()) off = Rcpp::as<std::vector<double>>(offset);
  const statlearn::logistic_fit f = statlearn::logistic_irls(
      x.begin(), n, p, y.data(), K, w.data(), off.empty() ? nullptr : off.data(), opt);
  if (f.dependent >= 0) return Rcpp::List::create(Rcpp::Named("dependent") = f.dependent + 1);
  const int q = static_cast<int>(p) + (intercept ? 1 : 0), Q = q * (K - 1);
  Rcpp::NumericMatrix coef(q, K - 1), cov(Q, Q), eta(static_cast<int>(n), K - 1),
      prob(static_cast<int>(n), K);
  std::copy(f.coef.begin(), f.coef.end(), coef.begin());
  std::copy(f.cov.begin(), f.cov.end(), cov.begin());
  std::copy(f.eta.begin(), f.eta.end(), eta.begin());
  std::copy(f.prob.begin(), f.prob.end(), prob.begin());
  return Rcpp::List::create(
      Rcpp::Named("dependent") = 0, Rcpp::Named("coef") = coef, Rcpp::Named("cov") = cov,
      Rcpp::Named("eta") = eta, Rcpp::Named("prob") = prob, Rcpp::Named("deviance") = f.deviance,
      Rcpp::Named("iterations") = f.iterations, Rcpp::Named("converged") = f.converged,
      Rcpp::Named("extreme") = f.extreme, Rcpp::Named("halvings") = f.halvings,
      Rcpp::Named("last_step") = f.last_step);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_perceptron(const Rcpp::NumericMatrix& x, const std::vector<int>& y, double rho,
                          int max_epochs, double seed) {
  statlearn_host::begin();
  const statlearn::perceptron_fit f = statlearn::perceptron(
      x.begin(), x.nrow(), x.ncol(), y.data(), rho, max_epochs,
      static_cast<std::uint64_t>(static_cast<std::int64_t>(seed)));
  return Rcpp::List::create(Rcpp::Named("beta") = f.beta, Rcpp::Named("beta0") = f.beta0,
                            Rcpp::Named("mistakes") = f.mistakes, Rcpp::Named("epochs") = f.epochs,
                            Rcpp::Named("converged") = f.converged);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_optimal_hyperplane(const Rcpp::NumericMatrix& x, const std::vector<int>& y,
                                  double tol, double max_iter) {
  statlearn_host::begin();
  const statlearn::hyperplane_fit f = statlearn::optimal_hyperplane(
      x.begin(), x.nrow(), x.ncol(), y.data(), tol, static_cast<long>(max_iter));
  return Rcpp::List::create(
      Rcpp::Named("beta") = f.beta, Rcpp::Named("beta0") = f.beta0, Rcpp::Named("alpha") = f.alpha,
      Rcpp::Named("distance") = f.distance, Rcpp::Named("gap") = f.gap,
      Rcpp::Named("iterations") = f.iterations, Rcpp::Named("converged") = f.converged,
      Rcpp::Named("separable") = f.separable, Rcpp::Named("polished") = f.polished);
}
