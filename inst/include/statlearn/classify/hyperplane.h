// statlearn/classify/hyperplane.h -- separating hyperplanes (ESL section 4.5).
//
// perceptron(): Rosenblatt's algorithm (ESL 4.5.1, eq. 4.44). Responses are
// +1 / -1; each epoch visits the observations in a random order drawn from
// the counter-based stream (seed, epoch), and every misclassified point
// (y_i (beta0 + x_i' beta) <= 0) moves the hyperplane by rho y_i (1, x_i).
// Converged when an epoch makes no mistake.
//
// optimal_hyperplane(): the maximum-margin hyperplane (ESL 4.5.2, eqs
// 4.45-4.53). Its dual (4.52) is solved in the equivalent nearest-points form
// (Bennett and Bredensteiner 2000): the optimal hyperplane is the
// perpendicular bisector of the closest points c+ = sum a_i x_i, c- = sum b_j
// x_j of the convex hulls of the two classes (a, b in unit simplices). With
// w = c+ - c- and d = ||w||, beta = 2 w / d^2, the margin M = d / 2 and the
// dual variables of (4.52) are alpha = 2 (a, b) / d^2. Unlike (4.52) this
// problem is bounded: the data are linearly separable exactly when d > 0.
// The problem is solved by pairwise (SMO / Mitchell-Dem'yanov-Malozemov)
// steps with exact line searches within each simplex until the KKT gap is
// below tol * d^2, then polished by an exact solve of the KKT equations on
// the support set (accepted only if it stays feasible and optimal).
#ifndef STATLEARN_HYPERPLANE_H
#define STATLEARN_HYPERPLANE_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <armadillo>

#include "statlearn/common/hooks.h"
#include "statlearn/common/rng.h"

namespace statlearn {

struct perceptron_fit {
  std::vector<double> beta;      // p
  double beta0 = 0.0;
  std::vector<int> mistakes;     // per epoch
  int epochs = 0;
  bool converged = false;
};

// X: n x p column-major; y: +1 / -1.
inline perceptron_fit perceptron(const double* X, std::size_t n, std::size_t p, const int* y,
                                 double rho, int max_epochs, std::uint64_t seed) {
  perceptron_fit fit;
  fit.beta.assign(p, 0.0);
  std::vector<std::size_t> order(n);
  for (int epoch = 0; epoch < max_epochs; ++epoch) {
    if (epoch % 16 == 0) hooks::check_interrupt();
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    stream s(seed, static_cast<std::uint64_t>(epoch));
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[s.below(i)]);
    int mistakes = 0;
    for (std::size_t t = 0; t < n; ++t) {
      const std::size_t i = order[t];
      double f = fit.beta0;
      for (std::size_t j = 0; j < p; ++j) f += X[j * n + i] * fit.beta[j];
      if (y[i] * f <= 0.0) {
        ++mistakes;
        const double step = rho * y[i];
        for (std::size_t j = 0; j < p; ++j) fit.beta[j] += step * X[j * n + i];
        fit.beta0 += step;
      }
    }
    fit.mistakes.push_back(mistakes);
    fit.epochs = epoch + 1;
    if (mistakes == 0) {
      fit.converged = true;
      break;
    }
  }
  return fit;
}

struct hyperplane_fit {
  std::vector<double> beta;   // p
  double beta0 = 0.0;
  std::vector<double> alpha;  // n dual variables of ESL (4.52)
  double distance = 0.0;      // distance between the convex hulls (= 2 M)
  double gap = 0.0;           // final KKT gap relative to d^2
  int iterations = 0;
  bool converged = false;
  bool separable = true;
  bool polished = false;
};

// X: n x p column-major; y: +1 / -1 (both present).
inline hyperplane_fit optimal_hyperplane(const double* X, std::size_t n, std::size_t p,
                                         const int* y, double tol = 1e-10,
                                         long max_iter = 1000000) {
  hyperplane_fit fit;
  // Scale for the separability test: the spread of the data.
  std::vector<double> centre(p, 0.0);
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t i = 0; i < n; ++i) centre[j] += X[j * n + i];
    centre[j] /= static_cast<double>(n);
  }
  double radius = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double r = 0.0;
    for (std::size_t j = 0; j < p; ++j) r += (X[j * n + i] - centre[j]) * (X[j * n + i] - centre[j]);
    radius = std::max(radius, std::sqrt(r));
  }
  if (radius == 0.0) radius = 1.0;
  auto dot_rows = [&](std::size_t i, std::size_t k) {
    double s = 0.0;
    for (std::size_t j = 0; j < p; ++j) s += (X[j * n + i] - centre[j]) * (X[j * n + k] - centre[j]);
    return s;
  };
  // Simplex weights: a for class +1, b for class -1 (stored together as lam).
  std::vector<double> lam(n, 0.0);
  std::size_t npos = 0, nneg = 0;
  for (std::size_t i = 0; i < n; ++i) (y[i] > 0 ? npos : nneg)++;
  for (std::size_t i = 0; i < n; ++i) lam[i] = 1.0 / static_cast<double>(y[i] > 0 ? npos : nneg);
  // w = sum_i lam_i y_i (x_i - centre); s_i = w' (x_i - centre).
  std::vector<double> w(p, 0.0), s(n, 0.0), xi(p), diff(p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < p; ++j) w[j] += lam[i] * y[i] * (X[j * n + i] - centre[j]);
  auto refresh = [&]() {
    for (std::size_t i = 0; i < n; ++i) {
      double v = 0.0;
      for (std::size_t j = 0; j < p; ++j) v += w[j] * (X[j * n + i] - centre[j]);
      s[i] = v;
    }
  };
  refresh();
  double d2 = 0.0;
  for (double v : w) d2 += v * v;
  const double tiny = 1e-9 * radius;  // d below this: the hulls intersect
  long it = 0;
  for (; it < max_iter; ++it) {
    if (it % 4096 == 0) {
      hooks::check_interrupt();
      // Recompute to stop drift.
      std::fill(w.begin(), w.end(), 0.0);
      for (std::size_t i = 0; i < n; ++i)
        if (lam[i] > 0)
          for (std::size_t j = 0; j < p; ++j) w[j] += lam[i] * y[i] * (X[j * n + i] - centre[j]);
      refresh();
      d2 = 0.0;
      for (double v : w) d2 += v * v;
    }
    // Most violating pair within each class: for +1, move weight from the
    // active point with the largest s to the point with the smallest s; for
    // -1, from the active point with the smallest s to the largest.
    double best = 0.0;
    std::size_t from = n, to = n;
    for (int cls : {1, -1}) {
      std::size_t imax = n, imin = n;
      for (std::size_t i = 0; i < n; ++i) {
        if (y[i] != cls) continue;
        const double v = cls * s[i];
        if (lam[i] > 0 && (imax == n || v > cls * s[imax])) imax = i;
        if (imin == n || v < cls * s[imin]) imin = i;
      }
      const double g = cls * s[imax] - cls * s[imin];
      if (g > best) { best = g; from = imax; to = imin; }
    }
    fit.gap = d2 > 0 ? best / d2 : best;
    if (std::sqrt(d2) <= tiny) break;
    if (best <= tol * d2) { fit.converged = true; break; }
    // Move t from `from` to `to`: w changes by t y (x_to - x_from).
    const int cls = y[from];
    double dd = 0.0, wd = 0.0;
    for (std::size_t j = 0; j < p; ++j) {
      diff[j] = cls * (X[j * n + to] - X[j * n + from]);
      dd += diff[j] * diff[j];
      wd += w[j] * diff[j];
    }
    if (dd <= 0.0) {  // duplicate points: just move the weight
      lam[to] += lam[from];
      lam[from] = 0.0;
      continue;
    }
    double t = std::min(lam[from], -wd / dd);
    if (t <= 0.0) { fit.converged = true; break; }
    lam[from] -= t;
    lam[to] += t;
    if (lam[from] < 1e-300) { lam[to] += lam[from]; lam[from] = 0.0; }
    for (std::size_t j = 0; j < p; ++j) w[j] += t * diff[j];
    for (std::size_t i = 0; i < n; ++i) {
      double v = 0.0;
      for (std::size_t j = 0; j < p; ++j) v += diff[j] * (X[j * n + i] - centre[j]);
      s[i] += t * v;
    }
    d2 = 0.0;
    for (double v : w) d2 += v * v;
  }
  fit.iterations = static_cast<int>(std::min<long>(it, 2147483647L));
  fit.distance = std::sqrt(d2);
  if (fit.distance <= tiny) {
    fit.separable = false;
    return fit;
  }
  if (!fit.converged) {
    // Separable only with a certificate: w itself separates the classes.
    double hp0 = 1e300, hm0 = -1e300;
    for (std::size_t i = 0; i < n; ++i)
      if (y[i] > 0) hp0 = std::min(hp0, s[i]); else hm0 = std::max(hm0, s[i]);
    if (!(hp0 > hm0)) {
      fit.separable = false;
      return fit;
    }
  }
  // Polish: exact KKT solve on the support set S (lam > 0). Unknowns lam_S,
  // h+ and h-:  sum_k lam_k y_k <x_i, x_k> - h_{y_i} = 0 (i in S), sum of
  // lam over each class = 1.
  std::vector<std::size_t> S;
  for (std::size_t i = 0; i < n; ++i)
    if (lam[i] > 0) S.push_back(i);
  const std::size_t m = S.size();
  arma::mat A(m + 2, m + 2, arma::fill::zeros);
  arma::vec rhs(m + 2, arma::fill::zeros);
  for (std::size_t a = 0; a < m; ++a) {
    for (std::size_t b = 0; b < m; ++b) A(a, b) = y[S[b]] * dot_rows(S[a], S[b]);
    A(a, y[S[a]] > 0 ? m : m + 1) = -1.0;
    A(y[S[a]] > 0 ? m : m + 1, a) = 1.0;
  }
  rhs(m) = 1.0;
  rhs(m + 1) = 1.0;
  arma::vec sol;
  bool ok = arma::solve(sol, A, rhs, arma::solve_opts::no_approx);
  if (!ok) ok = arma::solve(sol, A, rhs, arma::solve_opts::force_approx);
  if (ok && sol.is_finite()) {
    std::vector<double> lam2(n, 0.0), w2(p, 0.0);
    bool feasible = true;
    for (std::size_t a = 0; a < m; ++a) {
      lam2[S[a]] = sol(a);
      if (sol(a) < -1e-12) feasible = false;
    }
    for (std::size_t i = 0; i < n; ++i)
      if (lam2[i] != 0.0)
        for (std::size_t j = 0; j < p; ++j) w2[j] += lam2[i] * y[i] * (X[j * n + i] - centre[j]);
    double d22 = 0.0;
    for (double v : w2) d22 += v * v;
    if (feasible && d22 > 0) {
      // Optimality: no point beyond its class's support value.
      double hp = 1e300, hm = -1e300;
      for (std::size_t i : S) {
        double v = 0.0;
        for (std::size_t j = 0; j < p; ++j) v += w2[j] * (X[j * n + i] - centre[j]);
        if (y[i] > 0) hp = std::min(hp, v); else hm = std::max(hm, v);
      }
      double worst = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        double v = 0.0;
        for (std::size_t j = 0; j < p; ++j) v += w2[j] * (X[j * n + i] - centre[j]);
        worst = std::max(worst, y[i] > 0 ? hp - v : v - hm);
      }
      if (worst <= 1e-9 * d22 && d22 <= d2 * (1 + 1e-8)) {
        for (std::size_t i = 0; i < n; ++i) lam[i] = std::max(0.0, lam2[i]);
        w = w2;
        d2 = d22;
        fit.polished = true;
      }
    }
  }
  // Hyperplane through the midpoint of the closest points, normal w.
  std::fill(w.begin(), w.end(), 0.0);
  for (std::size_t i = 0; i < n; ++i)
    if (lam[i] > 0)
      for (std::size_t j = 0; j < p; ++j) w[j] += lam[i] * y[i] * (X[j * n + i] - centre[j]);
  d2 = 0.0;
  for (double v : w) d2 += v * v;
  fit.distance = std::sqrt(d2);
  // Support values h+ (min over class +1 of w'x) and h- (max over class -1).
  double hp = 1e300, hm = -1e300;
  for (std::size_t i = 0; i < n; ++i) {
    double v = 0.0;
    for (std::size_t j = 0; j < p; ++j) v += w[j] * (X[j * n + i] - centre[j]);
    if (y[i] > 0) hp = std::min(hp, v); else hm = std::max(hm, v);
  }
  // f(x) = beta0 + beta'x equal to +1 at h+ and -1 at h-.
  const double scale = 2.0 / (hp - hm);
  fit.beta.assign(p, 0.0);
  double b0 = -scale * 0.5 * (hp + hm);
  for (std::size_t j = 0; j < p; ++j) {
    fit.beta[j] = scale * w[j];
    b0 -= fit.beta[j] * centre[j];
  }
  fit.beta0 = b0;
  fit.alpha.assign(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) fit.alpha[i] = scale * lam[i];
  fit.distance = hp - hm > 0 ? (hp - hm) / std::sqrt(d2) : 0.0;
  return fit;
}

}  // namespace statlearn

#endif
