// statlearn/linear/stagewise.h -- incremental forward stagewise regression
// (ESL Algorithm 3.4, section 3.8.1, Figure 3.19).
//
// Works on inner products only: with H = Z'WZ / sum(w) and h = Z'W r / sum(w)
// for the (standardized or centred) predictors Z and the current residual r,
// a step of size delta on coefficient j changes h by -delta * H[, j]. Each
// step costs O(p) whatever n is.
#ifndef STATLEARN_STAGEWISE_H
#define STATLEARN_STAGEWISE_H

#include <cmath>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/linear/best_subset.h"

namespace statlearn {
namespace subset {

struct stagewise_result {
  std::vector<int> variable;      // chosen coordinate of each step
  std::vector<int> sign;          // direction (+1 or -1) of each step
  bool converged = false;         // stopped because no step lowers the RSS
  std::vector<double> unit;       // the unit of each predictor (see stagewise_fit)
};

// The inner products of the stagewise problem from the scaled Gram matrix of
// best_subset.h: predictors z_j = (x_j - xbar_j) / unit_j, with unit_j the
// weighted sd (standardize) or 1, and H, h divided by sum(w).
struct stagewise_problem {
  std::vector<double> H, h, unit;
};

inline stagewise_problem stagewise_setup(const gram& g, bool standardize) {
  const std::size_t p = static_cast<std::size_t>(g.p);
  stagewise_problem s;
  s.unit.resize(p);
  for (std::size_t j = 0; j < p; ++j) {
    s.unit[j] = standardize ? g.xnorm[j] / std::sqrt(g.sw) : 1.0;
    if (!(s.unit[j] > 0.0)) s.unit[j] = 1.0;
  }
  s.H.resize(p * p);
  s.h.resize(p);
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t k = 0; k < p; ++k)
      s.H[k * p + j] = g.G[k * p + j] * g.xnorm[j] * g.xnorm[k] / (g.sw * s.unit[j] * s.unit[k]);
    s.h[j] = g.c[j] * g.xnorm[j] * g.ynorm / (g.sw * s.unit[j]);
  }
  return s;
}

// H: p x p column-major, h: length p; epsilon > 0.
inline stagewise_result forward_stagewise(const std::vector<double>& H, std::vector<double> h, int p,
                                          double epsilon, int max_steps) {
  stagewise_result out;
  std::vector<double> scale(p);
  for (int j = 0; j < p; ++j) {
    const double d = H[static_cast<std::size_t>(j) * p + j];
    scale[j] = d > 0.0 ? 1.0 / std::sqrt(d) : 0.0;
  }
  for (int step = 0; step < max_steps; ++step) {
    if ((step & 0x3FFF) == 0) hooks::check_interrupt();
    // The predictor most correlated with the residual (lowest index on ties).
    int jbest = -1;
    double best = -1.0;
    for (int j = 0; j < p; ++j) {
      const double score = std::fabs(h[j]) * scale[j];
      if (score > best) { best = score; jbest = j; }
    }
    const double hj = h[jbest];
    const double Hjj = H[static_cast<std::size_t>(jbest) * p + jbest];
    // A step of epsilon changes the RSS / sum(w) by -2 eps |h_j| + eps^2 H_jj.
    if (!(2.0 * std::fabs(hj) > epsilon * Hjj)) {
      out.converged = true;
      break;
    }
    const int sg = hj > 0.0 ? 1 : -1;
    const double delta = sg * epsilon;
    const double* col = H.data() + static_cast<std::size_t>(jbest) * p;
    for (int k = 0; k < p; ++k) h[k] -= delta * col[k];
    out.variable.push_back(jbest);
    out.sign.push_back(sg);
  }
  return out;
}

// Forward stagewise from the scaled Gram matrix of x and y (make_gram()).
inline stagewise_result stagewise_fit(const gram& g, bool standardize, double epsilon, int max_steps) {
  const stagewise_problem s = stagewise_setup(g, standardize);
  stagewise_result out = forward_stagewise(s.H, s.h, g.p, epsilon, max_steps);
  out.unit = s.unit;
  return out;
}

}  // namespace subset
}  // namespace statlearn

#endif
