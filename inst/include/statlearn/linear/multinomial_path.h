// statlearn/linear/multinomial_path.h -- the elastic net for multinomial responses
// (ESL 4.4, 18.4; Friedman, Hastie and Tibshirani 2010, section 4).
//
// Minimises, for each lambda of a decreasing sequence,
//   -(1/sum w) sum_i w_i sum_k y_ik log p_ik(x_i) + lambda sum_j v_j P(beta_j)
// with p_ik = exp(eta_ik) / sum_l exp(eta_il), eta_ik = a0_k + x_i'beta_k, and
// beta_j = (beta_1j, ..., beta_Kj) the K coefficients of variable j:
//  - ungrouped: P(b) = sum_k (alpha |b_k| + (1-alpha)/2 b_k^2); each Newton step
//    works on one class at a time with the others fixed (partial Newton, as
//    glmnet does), coordinate descent inside;
//  - grouped:   P(b) = alpha ||b||_2 + (1-alpha)/2 ||b||_2^2 (a group lasso across
//    classes); each outer step majorises the log-likelihood by the quadratic
//    with Hessian bound (1/2) X'WX per class, minimised by block coordinate
//    descent (one exact block update per variable).
// Both converge to the penalised optimum; strong rules and KKT checks as in the
// other engines. Coefficients are returned on the original scale; intercepts
// are centred to sum to zero (the likelihood is invariant to a common shift).
#ifndef STATLEARN_MULTINOMIAL_PATH_H
#define STATLEARN_MULTINOMIAL_PATH_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "statlearn/linear/coordinate_descent.h"
#include "statlearn/linear/glm_path.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/common/row_team.h"
#include "statlearn/common/simd.h"

namespace statlearn {

struct multinomial_path {
  std::vector<double> lambda;
  std::vector<double> a0;    // K x L
  std::vector<double> beta;  // p x K x L
  std::vector<double> dev_ratio;
  std::vector<int> df;       // variables with a nonzero coefficient in some class
  std::vector<double> scales;
  double null_deviance = 0.0;
  long passes = 0;
  bool converged = true;
};

// Y: n x K (column-major) class indicators or proportions, rows summing to one.
inline multinomial_path multinomial_elastic_net_path(const design_view& X, const std::vector<double>& Y,
                                                     std::size_t K, const std::vector<double>& w_in,
                                                     bool grouped, const enet_options& opt) {
  using enet_detail::soft;
  const std::size_t n = X.n, p = X.p;
  // Weights summing to one, column moments with them (as glmnet standardises).
  const enet_detail::standardised st = enet_detail::standardise(X, w_in, opt);
  const std::vector<double>& w = st.w;
  const std::vector<double>& xm = st.cs.xm;
  const std::vector<double>& xs = st.cs.xs;
  const std::vector<char>& usable = st.cs.usable;
  const std::vector<double>& vp = st.vp;
  const double alpha = opt.alpha;
  const glm_detail::columns cols(X, xm, xs);

  // Inside fit_strong, the row chunks of dense updates (common/row_team.h).
  row_team* team = nullptr;
  // target_i += f * wt_i * x_std_ij for all i (wt = nullptr: ones)
  auto axpy_col = [&](std::size_t j, double f, double* target, const double* wt) {
    const double g = f / xs[j];
    if (X.sparse()) {
      const double c = -g * xm[j];
      if (c != 0.0) {
        if (wt) for (std::size_t i = 0; i < n; ++i) target[i] += c * wt[i];
        else for (std::size_t i = 0; i < n; ++i) target[i] += c;
      }
      for (int q = X.col_ptr[j]; q < X.col_ptr[j + 1]; ++q) {
        const int i = X.row_idx[q];
        target[i] += g * (wt ? wt[i] : 1.0) * X.values[q];
      }
    } else if (wt && team) {
      team_axpy_weighted_centred(*team, target, wt, X.dense + j * n, xm[j], -g);
    } else if (wt) {
      simd_axpy_weighted_centred(target, wt, X.dense + j * n, xm[j], -g, n);
    } else {
      simd_axpy_centred(target, X.dense + j * n, xm[j], g, n);
    }
  };
  // sum_i x_std_ij a_i, given sum_a = sum_i a_i
  // (dense columns are centred as they are summed)
  auto col_dot = [&](std::size_t j, const double* a, double sum_a) {
    if (!X.sparse()) {
      const double* col = X.dense + j * n;
      return (team ? team_dot_centred(*team, col, xm[j], a) : simd_dot_centred(col, xm[j], a, n)) / xs[j];
    }
    double t = 0.0;
    for (int q = X.col_ptr[j]; q < X.col_ptr[j + 1]; ++q) t += X.values[q] * a[X.row_idx[q]];
    return (t - xm[j] * sum_a) / xs[j];
  };

  // State.
  std::vector<double> B(p * K, 0.0), a0(K, 0.0), eta(n * K, 0.0), P(n * K), R(n), V(n);
  std::vector<double> ybar(K, 0.0);
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t i = 0; i < n; ++i) ybar[k] += w[i] * Y[k * n + i];
  if (opt.intercept) {
    double mlog = 0.0;
    for (std::size_t k = 0; k < K; ++k) mlog += std::log(std::max(ybar[k], 1e-10));
    mlog /= static_cast<double>(K);
    for (std::size_t k = 0; k < K; ++k) a0[k] = std::log(std::max(ybar[k], 1e-10)) - mlog;
  }
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t i = 0; i < n; ++i) eta[k * n + i] = a0[k];

  auto probabilities = [&]() {
    for (std::size_t i = 0; i < n; ++i) {
      double mx = -std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < K; ++k) mx = std::max(mx, eta[k * n + i]);
      double s = 0.0;
      for (std::size_t k = 0; k < K; ++k) { P[k * n + i] = std::exp(eta[k * n + i] - mx); s += P[k * n + i]; }
      for (std::size_t k = 0; k < K; ++k) P[k * n + i] /= s;
    }
  };
  auto deviance = [&]() {
    double d = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double mx = -std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < K; ++k) mx = std::max(mx, eta[k * n + i]);
      double s = 0.0;
      for (std::size_t k = 0; k < K; ++k) s += std::exp(eta[k * n + i] - mx);
      const double lse = mx + std::log(s);
      for (std::size_t k = 0; k < K; ++k) {
        const double y = Y[k * n + i];
        if (y > 0) d -= 2.0 * w[i] * y * (eta[k * n + i] - lse - std::log(y));
      }
    }
    return d;
  };

  multinomial_path out;
  out.scales = xs;
  const double nulldev = deviance();
  out.null_deviance = nulldev;

  std::vector<double> G(p * K, 0.0);  // gradients (standardised scale) at the last check
  std::vector<double> RK(n * K), sum_rk(K);
  auto gradients = [&]() {
    probabilities();
    for (std::size_t k = 0; k < K; ++k) {
      double sr = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        RK[k * n + i] = w[i] * (Y[k * n + i] - P[k * n + i]);
        sr += RK[k * n + i];
      }
      sum_rk[k] = sr;
    }
    parallel_chunks(p, 8, opt.threads, [&](std::size_t bb, std::size_t e, std::size_t) {
      for (std::size_t j = bb; j < e; ++j) {
        if (!usable[j]) continue;
        for (std::size_t k = 0; k < K; ++k) G[j * K + k] = col_dot(j, RK.data() + k * n, sum_rk[k]);
      }
    });
  };
  auto gnorm = [&](std::size_t j) {
    if (grouped) {
      double s = 0.0;
      for (std::size_t k = 0; k < K; ++k) s += G[j * K + k] * G[j * K + k];
      return std::sqrt(s);
    }
    double m = 0.0;
    for (std::size_t k = 0; k < K; ++k) m = std::max(m, std::fabs(G[j * K + k]));
    return m;
  };

  std::vector<char> ever(p, 0), strong(p, 0);
  std::vector<std::size_t> active;
  std::vector<double> xv(p, 0.0);
  double ab = 0.0, dem = 0.0, dlx = 0.0;
  bool infinite = false;

  // ---- ungrouped: partial Newton on class k ----
  auto class_step_inner = [&](std::size_t k, double& dlx_all) -> bool {
    // weights and working residual for class k
    double sum_v = 0.0, sum_R = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double pk = P[k * n + i];
      const double pc = std::min(std::max(pk, 1e-5), 1.0 - 1e-5);
      V[i] = w[i] * pc * (1.0 - pc);
      R[i] = w[i] * (Y[k * n + i] - pk);
      sum_v += V[i];
      sum_R += R[i];
    }
    std::vector<double> vxj(p, 0.0);  // sum_i V_i x_std_ij, to keep sum_R current
    std::vector<char> xv_ok(p, 0);
    auto update = [&](std::size_t j) {
      if (!xv_ok[j]) {
        double s1, s2;
        if (X.sparse()) {
          xv[j] = cols.weighted_square(j, V, sum_v, vxj[j]);
        } else {
          team_weighted_moments(*team, V.data(), X.dense + j * n, xm[j], s1, s2);
          xv[j] = s2 / (xs[j] * xs[j]);
          vxj[j] = s1 / xs[j];
        }
        xv_ok[j] = 1;
      }
      const double gj = col_dot(j, R.data(), sum_R);
      double& bj = B[j * K + k];
      const double u = gj + xv[j] * bj;
      double nb;
      if (vp[j] <= 0.0) nb = u / xv[j];
      else if (infinite) nb = 0.0;
      else nb = soft(u, vp[j] * ab) / (xv[j] + vp[j] * dem);
      if (nb == bj) return;
      const double d = nb - bj;
      bj = nb;
      dlx = std::max(dlx, xv[j] * d * d);
      axpy_col(j, -d, R.data(), V.data());
      sum_R -= d * vxj[j];
      if (!ever[j]) { ever[j] = 1; active.push_back(j); }
    };
    auto update_intercept = [&]() {
      if (!opt.intercept) return;
      const double d = sum_R / sum_v;
      if (d == 0.0) return;
      a0[k] += d;
      for (std::size_t i = 0; i < n; ++i) R[i] -= V[i] * d;
      sum_R -= d * sum_v;
      dlx = std::max(dlx, sum_v * d * d);
    };
    // One sweep of the strong set, then the active set to convergence. The
    // strong set is swept again in the next cycle over the classes, and the
    // cycles end only when a whole cycle of strong sweeps changes nothing.
    return enet_detail::sweep_until_converged(strong, active, update_intercept, update, dlx, out.passes,
                                              opt, dlx_all, false);
  };

  // eta_k is brought up to date once per class step, from the coefficient
  // changes (not after every coordinate update).
  std::vector<double> bk0(p);
  auto class_step = [&](std::size_t k, double& dlx_all) -> bool {
    for (std::size_t j = 0; j < p; ++j) bk0[j] = B[j * K + k];
    const double a0k = a0[k];
    const bool ok = class_step_inner(k, dlx_all);
    double* e = eta.data() + k * n;
    const double da = a0[k] - a0k;
    if (da != 0.0) for (std::size_t i = 0; i < n; ++i) e[i] += da;
    for (std::size_t j = 0; j < p; ++j) {
      const double d = B[j * K + k] - bk0[j];
      if (d != 0.0) axpy_col(j, d, e, nullptr);
    }
    return ok;
  };

  // ---- grouped: majorised block coordinate descent ----
  auto grouped_step = [&](double& dlx_all) -> bool {
    // quadratic majoriser with Hessian bound (1/2) W per class
    std::vector<double> RR(n * K), half(n), sum_rr(K, 0.0);
    for (std::size_t i = 0; i < n; ++i) half[i] = 0.5 * w[i];
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t i = 0; i < n; ++i) {
        RR[k * n + i] = w[i] * (Y[k * n + i] - P[k * n + i]);
        sum_rr[k] += RR[k * n + i];
      }
    // sum_i (w_i / 2) x_std_ij, to keep sum_rr current
    auto half_mean = [&](std::size_t j) {
      if (!X.sparse()) return simd_dot_centred(X.dense + j * n, xm[j], half.data(), n) / xs[j];
      double t = 0.0;
      for (int q = X.col_ptr[j]; q < X.col_ptr[j + 1]; ++q) t += half[X.row_idx[q]] * X.values[q];
      return (t - xm[j] * 0.5) / xs[j];
    };
    std::vector<double> g(K), u(K);
    auto update = [&](std::size_t j) {
      const double L = 0.5 * st.cs.xv[j];  // (1/2) sum w x_std^2
      double norm = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        g[k] = col_dot(j, RR.data() + k * n, sum_rr[k]);
        u[k] = B[j * K + k] + g[k] / L;
        norm += u[k] * u[k];
      }
      norm = std::sqrt(norm);
      double shrink;
      if (vp[j] <= 0.0) shrink = 1.0;
      else if (infinite || norm == 0.0) shrink = 0.0;
      else shrink = std::max(0.0, 1.0 - vp[j] * ab / (L * norm)) / (1.0 + vp[j] * dem / L);
      bool changed = false;
      double hm = 0.0;
      bool hm_ok = false;
      for (std::size_t k = 0; k < K; ++k) {
        const double nb = shrink * u[k];
        const double d = nb - B[j * K + k];
        if (d == 0.0) continue;
        changed = true;
        B[j * K + k] = nb;
        dlx = std::max(dlx, L * d * d);
        if (!hm_ok) { hm = half_mean(j); hm_ok = true; }
        axpy_col(j, -d, RR.data() + k * n, half.data());
        sum_rr[k] -= d * hm;
        axpy_col(j, d, eta.data() + k * n, nullptr);
      }
      if (changed && !ever[j]) { ever[j] = 1; active.push_back(j); }
    };
    auto update_intercepts = [&]() {
      if (!opt.intercept) return;
      for (std::size_t k = 0; k < K; ++k) {
        const double d = sum_rr[k] / 0.5;
        if (d == 0.0) continue;
        a0[k] += d;
        for (std::size_t i = 0; i < n; ++i) { RR[k * n + i] -= half[i] * d; eta[k * n + i] += d; }
        sum_rr[k] -= 0.5 * d;
        dlx = std::max(dlx, 0.5 * d * d);
      }
    };
    return enet_detail::sweep_until_converged(strong, active, update_intercepts, update, dlx, out.passes,
                                              opt, dlx_all);
  };

  // The likelihood does not change when the same c is subtracted from the K
  // coefficients of a variable; the penalty is smallest at
  // c = argmin sum_k alpha |b_k - c| + (1 - alpha)/2 (b_k - c)^2. Moving there
  // is free descent along a direction that one-class-at-a-time updates cannot
  // take (the "elc" step of glmnet).
  std::vector<double> sorted(K);
  auto centre_coefficients = [&]() {
    if (infinite || K < 2) return;
    for (std::size_t j : active) {
      if (vp[j] <= 0.0) continue;
      double* bj = B.data() + j * K;
      for (std::size_t k = 0; k < K; ++k) sorted[k] = bj[k];
      std::sort(sorted.begin(), sorted.end());
      double c;
      if (alpha >= 1.0) {
        c = sorted[(K - 1) / 2];  // a median (the lower one for even K)
      } else {
        // derivative of the penalty in c: sum_k [alpha sign(c - b_k) + (1-alpha)(c - b_k)];
        // find its zero: piecewise linear, increasing
        double total = 0.0;
        for (double v : sorted) total += v;
        c = sorted[0];
        bool found = false;
        for (std::size_t m = 0; m <= K && !found; ++m) {
          // c in the open interval (sorted[m-1], sorted[m]): m values below c
          const double lo = m == 0 ? -std::numeric_limits<double>::infinity() : sorted[m - 1];
          const double hi = m == K ? std::numeric_limits<double>::infinity() : sorted[m];
          // zero of alpha (m - (K - m)) + (1 - alpha)(K c - sum b) inside the interval
          const double c_int = ((1.0 - alpha) * total - alpha * (2.0 * m - static_cast<double>(K))) /
                               ((1.0 - alpha) * static_cast<double>(K));
          if (c_int > lo && c_int < hi) { c = c_int; found = true; }
          else if (m < K) {
            // or exactly at the breakpoint sorted[m] if the subgradient contains 0
            const double b0 = sorted[m];
            double below = 0.0, above = 0.0, quad = 0.0;
            for (std::size_t q = 0; q < K; ++q) {
              quad += (1.0 - alpha) * (b0 - sorted[q]);
              if (sorted[q] < b0) below += 1.0; else if (sorted[q] > b0) above += 1.0;
            }
            const double at = static_cast<double>(K) - below - above;  // ties at b0
            const double dlo = alpha * (below - above - at) + quad, dhi = alpha * (below - above + at) + quad;
            if (dlo <= 0.0 && dhi >= 0.0) { c = b0; found = true; }
          }
        }
      }
      if (c == 0.0) continue;
      for (std::size_t k = 0; k < K; ++k) {
        bj[k] -= c;
        axpy_col(j, -c, eta.data() + k * n, nullptr);
      }
    }
  };

  // Coordinate descent on the strong set at one lambda (class by class, or
  // grouped), from the current warm start; false at an iteration limit.
  auto fit_strong = [&](const std::vector<char>& strong_set, double lam) -> bool {
    infinite = !std::isfinite(lam);
    ab = infinite ? 0.0 : lam * alpha;
    dem = infinite ? 0.0 : lam * (1.0 - alpha);
    strong = strong_set;
    // Dense columns: dot products and updates in two fixed row chunks, on two
    // threads when allowed (the same bits for 1 and 2).
    bool ok = true;
    row_team::scope(X.sparse() ? 0 : n, X.sparse() ? 1 : opt.threads, [&](row_team& t) {
      team = &t;
      ok = [&]() -> bool {
        for (int it = 0;; ++it) {
          double dlx_all = 0.0;
          probabilities();
          if (grouped) {
            if (!grouped_step(dlx_all)) return false;
          } else {
            for (std::size_t k = 0; k < K; ++k) {
              if (!class_step(k, dlx_all)) return false;
              probabilities();
            }
            centre_coefficients();
          }
          if (dlx_all < opt.thresh) break;
          if (it > 10000) return false;
        }
        return true;
      }();
      team = nullptr;
    });
    return ok;
  };

  auto record = [&](double lam) {
    out.lambda.push_back(lam);
    std::vector<double> a(K, 0.0);
    for (std::size_t k = 0; k < K; ++k) a[k] = opt.intercept ? a0[k] : 0.0;
    int df = 0;
    for (std::size_t j = 0; j < p; ++j) {
      bool nz = false;
      for (std::size_t k = 0; k < K; ++k) nz = nz || B[j * K + k] != 0.0;
      df += nz;
    }
    for (std::size_t k = 0; k < K; ++k) {
      for (std::size_t j = 0; j < p; ++j) {
        const double bo = B[j * K + k] / xs[j];
        out.beta.push_back(bo);
        a[k] -= bo * xm[j];
      }
    }
    // centre the intercepts on the original scale (a common shift leaves the
    // likelihood unchanged), as glmnet reports them
    if (opt.intercept) {
      double abar = 0.0;
      for (std::size_t k = 0; k < K; ++k) abar += a[k];
      abar /= static_cast<double>(K);
      for (std::size_t k = 0; k < K; ++k) a[k] -= abar;
    }
    // beta is stored p x K per lambda (class k's column contiguous)
    for (std::size_t k = 0; k < K; ++k) out.a0.push_back(a[k]);
    out.dev_ratio.push_back(nulldev > 0 ? 1.0 - deviance() / nulldev : 0.0);
    out.df.push_back(df);
  };

  enet_detail::path_family fam;
  fam.p = p;
  fam.usable = &usable;
  fam.vp = &vp;
  fam.rule = enet_detail::gain_rule::absolute_last;  // df counts the variables nonzero in any class
  fam.tol = 1e-5;
  fam.score = gnorm;
  fam.full_gradients = gradients;
  fam.ever = [&](std::size_t j) { return ever[j] != 0; };
  fam.fit = fit_strong;
  fam.record = [&](double lam) {
    record(lam);
    return std::make_pair(out.df.back(), out.dev_ratio.back());
  };
  out.converged = enet_detail::run_path(fam, opt);
  return out;
}

// Out-of-fold linear predictors (n x K x L, column-major) of K-fold
// cross-validation on a fixed lambda sequence (cv_linear_predictors()).
inline std::vector<double> multinomial_cv_links(const design_view& X, const std::vector<double>& Y,
                                                std::size_t K, const std::vector<double>& w,
                                                bool grouped, const std::vector<int>& foldid,
                                                int folds, const enet_options& opt) {
  return cv_linear_predictors(X, w, foldid, folds, opt, K,
                              [&](const std::vector<double>& wk, const enet_options& o) {
                                return multinomial_elastic_net_path(X, Y, K, wk, grouped, o);
                              });
}

}  // namespace statlearn

#endif
