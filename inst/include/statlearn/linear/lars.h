// statlearn/linear/lars.h -- Least Angle Regression and its lasso and forward
// stagewise modifications (Efron, Hastie, Johnstone and Tibshirani 2004;
// ESL section 3.4.4, Algorithms 3.2 and 3.2a).
//
// The path is computed from the Gram matrix G = Xs' W Xs and c = Xs' W y of
// the centred, scaled predictors Xs (see derived_inputs.h for the parallel
// cross products), so each step costs O(p * |A|) after one pass over the
// data. The active set's Gram matrix is kept as an upper-triangular Cholesky
// factor R (R'R = G_AA) updated when a variable enters and downdated with
// Givens rotations when one leaves.
//
// Directions are unnormalised: d_A = G_AA^{-1} s_A (s the signs of the
// current correlations) moves every active correlation towards zero at unit
// rate, so with a = G d the inactive variable j catches up after
// gamma_j = min+ {(C - c_j) / (1 - a_j), (C + c_j) / (1 + a_j)}.
//   lasso:     an active coefficient that would cross zero first ends the
//              step and its variable is dropped.
//   stagewise: the direction is the non-negative least squares solution
//              v >= 0 of min v'H v / 2 - 1'v with H = diag(s) G_AA diag(s)
//              (the projection onto the positive cone); active variables
//              with v_j = 0 leave the active set.
#ifndef STATLEARN_LARS_H
#define STATLEARN_LARS_H

#include <armadillo>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "statlearn/linear/derived_inputs.h"
#include "statlearn/common/hooks.h"

namespace statlearn {

enum class lars_type { lar = 0, lasso = 1, stagewise = 2 };

struct lars_path {
  arma::mat beta;             // p x K, scaled predictors
  std::vector<double> lambda; // max |correlation| (X's W r) at each breakpoint
  std::vector<int> entered;   // 1-based variable entering at the step (0 none)
  std::vector<int> dropped;   // 1-based variable leaving at the step (0 none)
  std::vector<int> df;        // active set size
  std::vector<double> rss;    // weighted residual sum of squares (centred y)
};

namespace detail {

// Upper-triangular Cholesky factor of the active Gram matrix.
struct active_cholesky {
  arma::mat R;  // m x m
  std::size_t m = 0;

  // Try to append variable j; returns false (and leaves R unchanged) when it
  // is (numerically) a linear combination of the active variables.
  bool add(const arma::mat& G, const std::vector<arma::uword>& active, arma::uword j) {
    const double gjj = G(j, j);
    if (!(gjj > 0.0)) return false;
    arma::vec r(m);
    for (std::size_t i = 0; i < m; ++i) {
      double v = G(active[i], j);
      for (std::size_t k = 0; k < i; ++k) v -= R(k, i) * r(k);
      r(i) = v / R(i, i);
    }
    double rho2 = gjj - (m ? arma::dot(r, r) : 0.0);
    if (!(rho2 > 1e-10 * gjj)) return false;
    arma::mat Rn(m + 1, m + 1, arma::fill::zeros);
    if (m) {
      Rn.submat(0, 0, m - 1, m - 1) = R;
      Rn.submat(0, m, m - 1, m) = r;
    }
    Rn(m, m) = std::sqrt(rho2);
    R = std::move(Rn);
    ++m;
    return true;
  }

  // Remove the k-th active variable (0-based position).
  void remove(std::size_t k) {
    arma::mat Rn = R;
    Rn.shed_col(k);  // m x (m - 1), upper Hessenberg from column k
    for (std::size_t i = k; i + 1 < m; ++i) {
      double a = Rn(i, i), b = Rn(i + 1, i);
      double h = std::hypot(a, b);
      if (h == 0.0) continue;
      double cs = a / h, sn = b / h;
      for (std::size_t col = i; col + 1 < m; ++col) {
        double u = Rn(i, col), v = Rn(i + 1, col);
        Rn(i, col) = cs * u + sn * v;
        Rn(i + 1, col) = -sn * u + cs * v;
      }
      Rn(i + 1, i) = 0.0;
    }
    Rn.shed_row(m - 1);
    R = std::move(Rn);
    --m;
  }

  // Solve R'R z = b.
  arma::vec solve(const arma::vec& b) const {
    arma::vec y(m), z(m);
    for (std::size_t i = 0; i < m; ++i) {
      double v = b(i);
      for (std::size_t k = 0; k < i; ++k) v -= R(k, i) * y(k);
      y(i) = v / R(i, i);
    }
    for (std::size_t ii = m; ii-- > 0;) {
      double v = y(ii);
      for (std::size_t k = ii + 1; k < m; ++k) v -= R(ii, k) * z(k);
      z(ii) = v / R(ii, ii);
    }
    return z;
  }
};

// Lawson-Hanson non-negative least squares in Gram form:
// min v'Hv/2 - 1'v subject to v >= 0, H positive definite.
inline arma::vec nnls_gram(const arma::mat& H) {
  const std::size_t m = H.n_rows;
  const arma::vec one(m, arma::fill::ones);
  arma::vec z;
  // Fast path: the unconstrained (equiangular) solution is already feasible.
  if (arma::solve(z, H, one, arma::solve_opts::no_approx) && z.min() > 0.0) return z;
  arma::vec v(m, arma::fill::zeros);
  std::vector<bool> passive(m, false);
  const double tol = 1e-12 * std::max(1.0, arma::abs(H).max());
  for (std::size_t outer = 0; outer < 3 * m + 10; ++outer) {
    arma::vec g = one - H * v;
    double best = tol;
    std::size_t t = m;
    for (std::size_t j = 0; j < m; ++j) {
      if (!passive[j] && g(j) > best) { best = g(j); t = j; }
    }
    if (t == m) break;
    passive[t] = true;
    for (std::size_t inner = 0; inner < 3 * m + 10; ++inner) {
      arma::uvec P;
      {
        std::vector<arma::uword> idx;
        for (std::size_t j = 0; j < m; ++j) if (passive[j]) idx.push_back(j);
        P = arma::conv_to<arma::uvec>::from(idx);
      }
      arma::vec zP;
      if (!arma::solve(zP, H.submat(P, P), arma::vec(P.n_elem, arma::fill::ones))) {
        throw std::runtime_error("stagewise direction: singular active Gram matrix");
      }
      arma::vec zz(m, arma::fill::zeros);
      zz.elem(P) = zP;
      if (zP.min() > 0.0) { v = zz; break; }
      double alpha = 1.0;
      for (std::size_t k = 0; k < P.n_elem; ++k) {
        if (zP(k) <= 0.0) {
          double vk = v(P(k));
          double den = vk - zP(k);
          if (den > 0.0) alpha = std::min(alpha, vk / den);
        }
      }
      v += alpha * (zz - v);
      for (std::size_t k = 0; k < P.n_elem; ++k) {
        if (v(P(k)) <= 1e-14) { v(P(k)) = 0.0; passive[P(k)] = false; }
      }
    }
  }
  return v;
}

}  // namespace detail

// The LARS / lasso / stagewise path from the Gram matrix G (p x p), the
// correlations xty = X'Wy, yty = y'Wy (centred), and the largest active set
// size max_active (min(p, n - intercept)).
inline lars_path lars_from_gram(const arma::mat& G, const arma::vec& xty, double yty,
                                lars_type type, std::size_t max_active, std::size_t max_steps) {
  const std::size_t p = G.n_rows;
  lars_path out;
  arma::vec beta(p, arma::fill::zeros);
  arma::vec c = xty;
  std::vector<bool> in_active(p, false), ignored(p, false);
  std::vector<arma::uword> active;
  std::vector<double> sign(p, 0.0);
  detail::active_cholesky chol;
  for (std::size_t j = 0; j < p; ++j) if (!(G(j, j) > 0.0)) ignored[j] = true;

  auto max_corr = [&]() {
    double C = 0.0;
    for (std::size_t j = 0; j < p; ++j) if (!ignored[j]) C = std::max(C, std::abs(c(j)));
    return C;
  };
  auto rss_of = [&]() {
    return std::max(0.0, yty - 2.0 * arma::dot(beta, xty) + arma::dot(beta, G * beta));
  };
  std::vector<arma::vec> cols;
  auto record = [&](int ent, int drp) {
    cols.push_back(beta);
    out.lambda.push_back(max_corr());
    out.entered.push_back(ent);
    out.dropped.push_back(drp);
    out.df.push_back(static_cast<int>(active.size()));
    out.rss.push_back(rss_of());
  };
  // Remove the k-th active variable. The lasso sets its coefficient to exactly
  // zero (it crossed zero); stagewise keeps it (the variable only stops moving).
  auto drop_at = [&](std::size_t k, bool zero) {
    arma::uword j = active[k];
    chol.remove(k);
    active.erase(active.begin() + static_cast<long>(k));
    in_active[j] = false;
    if (zero) beta(j) = 0.0;
  };

  record(0, 0);
  const double C0 = out.lambda[0];
  if (!(C0 > 0.0)) {
    out.beta = arma::mat(p, 1, arma::fill::zeros);
    return out;
  }
  const double ctol = 1e-12 * C0;
  bool dropped_last = false;
  long last_dropped = -1;
  std::size_t steps = 0;
  while (steps < max_steps) {
    if (steps % 8 == 7) hooks::check_interrupt();
    int entered = 0, dropped = 0;
    if (!dropped_last) {
      if (active.size() >= max_active) break;
      // the inactive variable(s) with the largest absolute correlation
      double Cin = -1.0;
      std::size_t jbest = p;
      for (std::size_t j = 0; j < p; ++j) {
        if (in_active[j] || ignored[j] || static_cast<long>(j) == last_dropped) continue;
        if (std::abs(c(j)) > Cin) { Cin = std::abs(c(j)); jbest = j; }
      }
      if (jbest == p || Cin <= ctol) break;
      if (!chol.add(G, active, jbest)) {
        ignored[jbest] = true;  // collinear with the active set: never enters
        continue;
      }
      active.push_back(jbest);
      in_active[jbest] = true;
      sign[jbest] = c(jbest) >= 0.0 ? 1.0 : -1.0;
      entered = static_cast<int>(jbest) + 1;
    }
    dropped_last = false;
    // variables sitting at |c_j| = C that just left the active set
    std::vector<arma::uword> just_out;
    if (last_dropped >= 0) just_out.push_back(static_cast<arma::uword>(last_dropped));
    last_dropped = -1;

    // direction
    const std::size_t m = active.size();
    arma::vec sA(m);
    for (std::size_t k = 0; k < m; ++k) sA(k) = sign[active[k]];
    arma::vec dA;
    if (type == lars_type::stagewise) {
      arma::mat H(m, m);
      for (std::size_t a = 0; a < m; ++a)
        for (std::size_t b = 0; b < m; ++b) H(a, b) = sA(a) * sA(b) * G(active[a], active[b]);
      arma::vec v = detail::nnls_gram(H);
      // variables outside the cone leave the active set
      for (std::size_t k = m; k-- > 0;) {
        if (!(v(k) > 0.0)) {
          if (dropped == 0) dropped = static_cast<int>(active[k]) + 1;
          just_out.push_back(active[k]);
          drop_at(k, false);
          v.shed_row(k);
          sA.shed_row(k);
        }
      }
      dA = v % sA;
    } else {
      dA = chol.solve(sA);
    }
    const std::size_t mA = active.size();
    if (mA == 0) break;
    arma::vec a(p, arma::fill::zeros);
    for (std::size_t k = 0; k < mA; ++k) a += dA(k) * G.col(active[k]);
    double C = 0.0;
    for (std::size_t k = 0; k < mA; ++k) C = std::max(C, std::abs(c(active[k])));

    double gamma = C;
    const double gtol = 1e-12 * C;
    if (mA < max_active) {
      for (std::size_t j = 0; j < p; ++j) {
        if (in_active[j] || ignored[j]) continue;
        double g1 = (C - c(j)) / (1.0 - a(j));
        double g2 = (C + c(j)) / (1.0 + a(j));
        // a variable the lasso has just dropped sits at |c_j| = C: skip that
        // (zero) root; it may still re-enter with the opposite sign.
        const bool just_dropped =
            std::find(just_out.begin(), just_out.end(), j) != just_out.end();
        if (!(just_dropped && c(j) > 0.0) && g1 > gtol && g1 < gamma) gamma = g1;
        if (!(just_dropped && c(j) <= 0.0) && g2 > gtol && g2 < gamma) gamma = g2;
      }
    }
    long drop_pos = -1;
    if (type == lars_type::lasso) {
      for (std::size_t k = 0; k < mA; ++k) {
        double dk = dA(k);
        if (dk == 0.0) continue;
        double gt = -beta(active[k]) / dk;
        if (gt > gtol && gt < gamma) { gamma = gt; drop_pos = static_cast<long>(k); }
      }
    }
    for (std::size_t k = 0; k < mA; ++k) beta(active[k]) += gamma * dA(k);
    c -= gamma * a;
    if (drop_pos >= 0) {
      arma::uword j = active[static_cast<std::size_t>(drop_pos)];
      drop_at(static_cast<std::size_t>(drop_pos), true);
      dropped = static_cast<int>(j) + 1;
      dropped_last = true;
      last_dropped = static_cast<long>(j);
    }
    ++steps;
    record(entered, dropped);
    if (gamma >= C && drop_pos < 0) break;  // least squares fit on the active set reached
    if (max_corr() <= ctol) break;
  }
  out.beta.set_size(p, cols.size());
  for (std::size_t k = 0; k < cols.size(); ++k) out.beta.col(k) = cols[k];
  return out;
}

struct lars_fit {
  lars_path path;
  arma::mat beta;  // original scale
  arma::vec a0;
  arma::vec xmean, xscale;
  double wsum = 0.0;
};

inline lars_fit fit_lars(const arma::mat& x, const arma::vec& y, const arma::vec& w,
                         lars_type type, bool standardize, bool intercept,
                         std::size_t max_steps, int threads) {
  centred_moments m = weighted_moments(x, y, w, standardize, threads, intercept);
  std::size_t n_pos = 0;
  for (double wi : w) if (wi > 0.0) ++n_pos;
  std::size_t max_active = std::min<std::size_t>(x.n_cols, n_pos - (intercept ? 1 : 0));
  lars_fit f;
  f.path = lars_from_gram(m.xtx, m.xty, m.yty, type, max_active, max_steps);
  f.beta = f.path.beta;
  f.beta.each_col() /= m.xscale;
  f.a0 = m.ymean - (m.xmean.t() * f.beta).t();
  f.xmean = m.xmean;
  f.xscale = m.xscale;
  f.wsum = m.wsum;
  return f;
}

}  // namespace statlearn

#endif
