// statlearn/cluster/gibbs_mixture.h -- Gibbs sampling for a univariate
// Gaussian mixture (ESL 8.6, Algorithm 8.4).
//
// Model: y_i ~ sum_k pi_k N(mu_k, sigma_k^2), k = 1..G, with the variances
// sigma_k^2 fixed (as the book fixes them at their maximum-likelihood values).
// The latent label Delta_i of each point is drawn from its conditional
//   Pr(Delta_i = k | mu, pi, y_i) = pi_k phi(y_i; mu_k, sigma_k^2) / sum_l (...)
// (the responsibilities of EM's E-step, ESL eq. 8.42), then each mean from
//   mu_k | Delta, y ~ N(m_k, v_k),
//   v_k = 1 / (1 / tau_k + N_k / sigma_k^2),  m_k = v_k (mu0_k / tau_k + S_k / sigma_k^2),
// with N_k and S_k the count and sum of the points labelled k and a normal
// prior N(mu0_k, tau_k) on mu_k; tau_k = inf is the book's flat prior, for
// which the conditional is N(ybar_k, sigma_k^2 / N_k) (a component without
// points then keeps its mean for that sweep). The proportions either stay
// fixed (the book) or, with a Dirichlet(alpha) prior, are drawn from
// Dirichlet(alpha + N).
//
// Chains are independent: chain c uses the stream (seed, c) from
// common/rng.h and writes only its own slice of the output, so any number of
// threads gives the same draws.
#ifndef STATLEARN_GIBBS_MIXTURE_H
#define STATLEARN_GIBBS_MIXTURE_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/common/rng.h"

namespace statlearn {

struct gibbs_mixture_options {
  std::size_t components = 2, iterations = 200, burn_in = 0, chains = 1;
  std::vector<double> variances;        // G fixed component variances
  std::vector<double> proportions;      // G starting (or fixed) proportions
  std::vector<double> dirichlet;        // G Dirichlet parameters; empty: proportions fixed
  std::vector<double> prior_mean;       // G prior means of mu_k
  std::vector<double> prior_variance;   // G prior variances of mu_k (inf: flat)
  std::vector<double> start;            // G x chains starting means (column c: chain c);
                                        // empty: G distinct data points per chain
  std::uint64_t seed = 0;
  int threads = 1;
};

struct gibbs_mixture_result {
  // kept = iterations - burn_in draws per chain, stored [draw + kept * (k + G * c)]
  std::vector<double> means, proportions, counts;
  std::vector<double> empty;  // per chain: sweeps in which some component had no points (flat prior)
  std::size_t kept = 0;
};

namespace gibbs_detail {

// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 by the boost
// Gamma(shape + 1) * U^(1 / shape).
inline double gamma_draw(double shape, stream& rng) {
  if (shape < 1.0) {
    double u = rng.uniform();
    while (u <= 0.0) u = rng.uniform();
    return gamma_draw(shape + 1.0, rng) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double z, v;
    do {
      z = rng.normal();
      v = 1.0 + c * z;
    } while (v <= 0.0);
    v = v * v * v;
    double u = rng.uniform();
    while (u <= 0.0) u = rng.uniform();
    if (std::log(u) < 0.5 * z * z + d - d * v + d * std::log(v)) return d * v;
  }
}

}  // namespace gibbs_detail

// Gibbs sampler for the univariate mixture of y[0..n). Returns the draws of
// every chain after the burn-in.
inline gibbs_mixture_result gibbs_mixture(const double* y, std::size_t n,
                                          const gibbs_mixture_options& o) {
  using gibbs_detail::gamma_draw;
  const std::size_t G = o.components, C = o.chains;
  gibbs_mixture_result r;
  r.kept = o.iterations > o.burn_in ? o.iterations - o.burn_in : 0;
  const std::size_t K = r.kept;
  r.means.assign(K * G * C, 0.0);
  r.proportions.assign(K * G * C, 0.0);
  r.counts.assign(K * G * C, 0.0);
  r.empty.assign(C, 0.0);
  const bool sample_pi = !o.dirichlet.empty();
  parallel_tasks(C, o.threads, [&](std::size_t c) {
    stream rng(o.seed, c);
    std::vector<double> mu(G);
    if (o.start.empty()) {
      // G distinct data points, drawn from the chain's stream, in increasing order
      std::vector<std::size_t> idx(n);
      for (std::size_t i = 0; i < n; ++i) idx[i] = i;
      for (std::size_t k = 0; k < G; ++k) {
        const std::size_t j = k + static_cast<std::size_t>(rng.below(n - k));
        std::swap(idx[k], idx[j]);
        mu[k] = y[idx[k]];
      }
      std::sort(mu.begin(), mu.end());
    } else {
      mu.assign(o.start.begin() + G * c, o.start.begin() + G * (c + 1));
    }
    std::vector<double> pi(o.proportions);
    std::vector<double> logw(G), cnt(G), sum(G), lconst(G), half_prec(G);
    for (std::size_t k = 0; k < G; ++k) half_prec[k] = 0.5 / o.variances[k];
    for (std::size_t t = 0; t < o.iterations; ++t) {
      if ((t & 63) == 0 && hooks::aborted()) return;
      // (a) labels from their conditional distribution (the responsibilities)
      for (std::size_t k = 0; k < G; ++k) {
        lconst[k] = std::log(pi[k]) - 0.5 * std::log(o.variances[k]);
        cnt[k] = 0.0;
        sum[k] = 0.0;
      }
      if (G == 2) {
        // Pr(label 2) = 1 / (1 + exp(l_1 - l_2)): one exponential per point
        const double c0 = lconst[0] - lconst[1];
        for (std::size_t i = 0; i < n; ++i) {
          const double d1 = y[i] - mu[0], d2 = y[i] - mu[1];
          const double diff = c0 - half_prec[0] * d1 * d1 + half_prec[1] * d2 * d2;
          const double p2 = 1.0 / (1.0 + std::exp(diff));
          const std::size_t lab = rng.uniform() < p2 ? 1 : 0;
          cnt[lab] += 1.0;
          sum[lab] += y[i];
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          double mx = -std::numeric_limits<double>::infinity();
          for (std::size_t k = 0; k < G; ++k) {
            const double d = y[i] - mu[k];
            logw[k] = lconst[k] - half_prec[k] * d * d;
            if (logw[k] > mx) mx = logw[k];
          }
          double tot = 0.0;
          for (std::size_t k = 0; k < G; ++k) {
            logw[k] = std::exp(logw[k] - mx);
            tot += logw[k];
          }
          const double u = rng.uniform() * tot;
          double acc = 0.0;
          std::size_t lab = G - 1;
          for (std::size_t k = 0; k < G; ++k) {
            acc += logw[k];
            if (u < acc) {
              lab = k;
              break;
            }
          }
          cnt[lab] += 1.0;
          sum[lab] += y[i];
        }
      }
      // (b) means from their conditional normal distributions
      bool some_empty = false;
      for (std::size_t k = 0; k < G; ++k) {
        const double tau = o.prior_variance[k];
        const bool flat = !std::isfinite(tau);
        if (flat && cnt[k] == 0.0) {
          some_empty = true;
          continue;
        }
        const double prec = (flat ? 0.0 : 1.0 / tau) + cnt[k] / o.variances[k];
        const double v = 1.0 / prec;
        const double m = v * ((flat ? 0.0 : o.prior_mean[k] / tau) + sum[k] / o.variances[k]);
        mu[k] = m + std::sqrt(v) * rng.normal();
      }
      if (some_empty) r.empty[c] += 1.0;
      // (c) proportions from Dirichlet(alpha + N), if they are not fixed
      if (sample_pi) {
        double tot = 0.0;
        for (std::size_t k = 0; k < G; ++k) {
          pi[k] = gamma_draw(o.dirichlet[k] + cnt[k], rng);
          tot += pi[k];
        }
        for (std::size_t k = 0; k < G; ++k) pi[k] /= tot;
      }
      if (t >= o.burn_in) {
        const std::size_t s = t - o.burn_in;
        for (std::size_t k = 0; k < G; ++k) {
          const std::size_t at = s + K * (k + G * c);
          r.means[at] = mu[k];
          r.proportions[at] = pi[k];
          r.counts[at] = cnt[k];
        }
      }
    }
  });
  return r;
}

}  // namespace statlearn

#endif
