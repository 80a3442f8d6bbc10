// statlearn/classify/lvq.h -- learning vector quantisation (ESL 13.2.2).
//
// A codebook of labelled prototypes is moved one training observation at a
// time (Kohonen, 1995; ESL Algorithm 13.1). For observation i (drawn in the
// given order) the nearest prototype is found by the squared Euclidean
// distance summed over the coordinates in order, ties going to the
// lowest-numbered prototype, and then:
//
//   lvq1   the nearest prototype moves towards x_i by alpha_t (x_i - m) if
//          its class is that of x_i, else away from it by the same amount;
//          alpha_t = alpha (T - t) / T falls linearly to zero over the T steps.
//   olvq1  as lvq1, but each prototype j has its own rate a_j, starting at
//          alpha; after an update with sign s (+1 right class, -1 wrong) it
//          becomes min(alpha, a_j / (1 + s a_j)).
//   lvq2   (LVQ2.1) the two nearest prototypes, at squared distances
//          d1 <= d2, move only when their classes differ, one of them has the
//          class of x_i, and x_i lies in the window d1 / d2 > (1 - w) / (1 + w):
//          the one of the right class moves towards x_i, the other away, both
//          by alpha_t.
//   lvq3   as lvq2, and when both nearest prototypes have the class of x_i,
//          both move towards it by epsilon alpha_t.
//
// These are the rules of Venables and Ripley's class package (lvq1, olvq1,
// lvq2, lvq3), written with the same order of operations so that, from the
// same codebook and observation order, the codebooks agree to the last bits.
// The updates are sequential, so the loop runs on one thread; the random order
// comes from a counter-based stream derived from the seed.
#ifndef STATLEARN_LVQ_H
#define STATLEARN_LVQ_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/common/rng.h"

namespace statlearn {

enum class lvq_method { lvq1, olvq1, lvq2, lvq3 };

struct lvq_options {
  lvq_method method = lvq_method::olvq1;
  double alpha = 0.3;    // (starting) learning rate
  double window = 0.3;   // lvq2, lvq3
  double epsilon = 0.1;  // lvq3
};

struct lvq_result {
  std::size_t updates = 0;  // steps that moved at least one prototype
  std::vector<double> rates;  // olvq1: the final rate of each prototype
};

// The random order of the steps: indices drawn uniformly with replacement
// from 0..n-1, from the stream (seed, 0), one per call.
class lvq_random_order {
 public:
  lvq_random_order(std::size_t n, std::uint64_t seed) : n_(n), rng_(seed, 0) {}
  std::size_t operator()(std::size_t) { return static_cast<std::size_t>(rng_.below(n_)); }

 private:
  std::size_t n_;
  stream rng_;
};

// k distinct indices of 0..n-1 (k <= n), a partial Fisher-Yates shuffle
// driven by the stream (seed, task): the sampled starting codebook.
inline std::vector<int> sample_distinct(std::size_t n, std::size_t k, std::uint64_t seed,
                                        std::uint64_t task) {
  stream rng(seed, task);
  std::vector<int> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = static_cast<int>(i);
  for (std::size_t j = 0; j < k && j < n; ++j) {
    const std::size_t r = j + static_cast<std::size_t>(rng.below(n - j));
    std::swap(idx[j], idx[r]);
  }
  idx.resize(std::min(k, n));
  return idx;
}

namespace lvq_detail {
constexpr std::size_t kCheckEvery = 1u << 16;  // steps between interrupt checks
}

// X: n x p (column-major), cl: class codes of the rows; C: nc x p codebook
// (column-major, updated in place), ccl: class codes of the prototypes;
// next(t): the row index (0-based) of step t, for t = 0, ..., steps - 1, called
// once per step in order. Call from the main thread.
template <class Next>
inline lvq_result lvq_train(const double* X, std::size_t n, std::size_t p, const int* cl,
                            double* C, std::size_t nc, const int* ccl, Next next,
                            std::size_t steps, const lvq_options& o) {
  lvq_result res;
  const bool two = o.method == lvq_method::lvq2 || o.method == lvq_method::lvq3;
  std::vector<double> rate;
  if (o.method == lvq_method::olvq1) rate.assign(nc, o.alpha);
  const double limit = (1.0 - o.window) / (1.0 + o.window);
  std::vector<double> xi(p), dist(nc);
  for (std::size_t t = 0; t < steps; ++t) {
    if ((t + 1) % lvq_detail::kCheckEvery == 0) hooks::check_interrupt();
    const std::size_t i = static_cast<std::size_t>(next(t));
    for (std::size_t c = 0; c < p; ++c) xi[c] = X[c * n + i];
    // Squared distances to all prototypes, each summed over the coordinates
    // in order (the loop over prototypes is innermost, so it vectorises).
    std::fill(dist.begin(), dist.end(), 0.0);
    for (std::size_t c = 0; c < p; ++c) {
      const double v = xi[c];
      const double* Cc = C + c * nc;
      for (std::size_t j = 0; j < nc; ++j) {
        const double u = v - Cc[j];
        dist[j] += u * u;
      }
    }
    // The nearest (and for lvq2/3 second nearest) prototype; strict
    // comparisons, so ties go to the lowest index.
    std::size_t best = 0, second = 0;
    double d1 = std::numeric_limits<double>::max(), d2 = d1;
    for (std::size_t j = 0; j < nc; ++j) {
      const double d = dist[j];
      if (d < d1) {
        d2 = d1;
        second = best;
        d1 = d;
        best = j;
      } else if (two && d < d2) {
        d2 = d;
        second = j;
      }
    }
    if (!two) {
      const int s = 2 * (ccl[best] == cl[i]) - 1;
      const double a = o.method == lvq_method::olvq1
                           ? rate[best]
                           : o.alpha * static_cast<double>(steps - t) / static_cast<double>(steps);
      for (std::size_t c = 0; c < p; ++c) {
        double& m = C[c * nc + best];
        m += s * a * (xi[c] - m);
      }
      if (o.method == lvq_method::olvq1) rate[best] = std::min(o.alpha, a / (1 + s * a));
      ++res.updates;
      continue;
    }
    const double a = o.alpha * static_cast<double>(steps - t) / static_cast<double>(steps);
    if (ccl[best] != ccl[second]) {
      if ((ccl[best] == cl[i] || ccl[second] == cl[i]) && d1 / d2 > limit) {
        std::size_t near = best, far = second;
        if (ccl[second] == cl[i]) std::swap(near, far);
        for (std::size_t c = 0; c < p; ++c) {
          const double xc = xi[c];
          C[c * nc + near] += a * (xc - C[c * nc + near]);
          C[c * nc + far] -= a * (xc - C[c * nc + far]);
        }
        ++res.updates;
      }
    } else if (o.method == lvq_method::lvq3 && ccl[best] == cl[i]) {
      const double ea = o.epsilon * a;
      for (std::size_t c = 0; c < p; ++c) {
        const double xc = xi[c];
        C[c * nc + best] += ea * (xc - C[c * nc + best]);
        C[c * nc + second] += ea * (xc - C[c * nc + second]);
      }
      ++res.updates;
    }
  }
  res.rates = rate;
  return res;
}

// Training along a given order: `order` holds one 0-based row index per step.
inline lvq_result lvq_train(const double* X, std::size_t n, std::size_t p, const int* cl,
                            double* C, std::size_t nc, const int* ccl, const int* order,
                            std::size_t steps, const lvq_options& o) {
  return lvq_train(X, n, p, cl, C, nc, ccl, [order](std::size_t t) { return order[t]; }, steps, o);
}

}  // namespace statlearn

#endif
