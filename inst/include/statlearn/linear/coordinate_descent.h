// statlearn/linear/coordinate_descent.h -- the elastic net by pathwise coordinate
// descent (Friedman, Hastie and Tibshirani 2010; ESL 3.4.2, 3.8.6).
//
// Minimises, for each lambda of a decreasing sequence,
//   1/2 sum_i w_i (y_i - a0 - x_i'b)^2 + lambda sum_j v_j (alpha |b_j| + (1 - alpha)/2 b_j^2)
// with sum w = 1, on the scale glmnet uses: x standardised to unit weighted
// variance (when asked), y centred and scaled to unit weighted variance, and
// the penalty factors v rescaled to sum to p. Coefficients are returned on the
// original scale.
//
// The path logic (warm starts, sequential strong rules, KKT checks, glmnet's
// stopping rules) is the shared driver of enet_path.h; this file is the
// gaussian family, with two engines:
//  - covariance updates on the p x p Gram matrix (gram.h), for n >= p dense x;
//  - naive updates of the residual, for p > n or sparse x; the full gradient
//    for the KKT checks is computed in parallel over columns.
// Every reduction is over a fixed order, so results do not depend on threads.
#ifndef STATLEARN_COORDINATE_DESCENT_H
#define STATLEARN_COORDINATE_DESCENT_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "statlearn/common/gram.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/linear/enet_path.h"
#include "statlearn/linear/least_squares.h"

namespace statlearn {

namespace enet_detail {

// Standardised problem data common to both engines.
struct problem {
  std::size_t n, p;
  design_view X;
  std::vector<double> w, y;             // w sums to 1; y standardised
  std::vector<double> xm, xs, xv;       // column means, scales, xv_j = sum w xstd_j^2
  std::vector<char> usable;             // non-constant columns
  std::vector<double> vp, lo, hi;       // penalty factors, bounds on the standardised scale
  double ym = 0.0, ys = 1.0;
};

// g_j = sum_i w_i xstd_ij r_i for the naive engine, with r_true = r + offset.
inline double naive_dot(const problem& P, std::size_t j, const std::vector<double>& r,
                        double offset) {
  double s = 0.0;
  if (!P.X.sparse()) {
    const double* col = P.X.dense + j * P.n;
    const double m = P.xm[j];
    double s0 = 0, s1 = 0;
    std::size_t i = 0;
    for (; i + 2 <= P.n; i += 2) {
      s0 += P.w[i] * (col[i] - m) * r[i];
      s1 += P.w[i + 1] * (col[i + 1] - m) * r[i + 1];
    }
    for (; i < P.n; ++i) s0 += P.w[i] * (col[i] - m) * r[i];
    s = s0 + s1;
    (void)offset;  // dense residuals are kept exact
    return s / P.xs[j];
  }
  for (int k = P.X.col_ptr[j]; k < P.X.col_ptr[j + 1]; ++k) {
    const int i = P.X.row_idx[k];
    s += P.w[i] * P.X.values[k] * (r[i] + offset);
  }
  // centring: sum_i w_i (x_ij - m_j) r_i = sum_i w_i x_ij r_i - m_j sum_i w_i r_i,
  // and sum_i w_i r_true_i is kept at zero by the intercept (or m_j = 0).
  return s / P.xs[j];
}

// r <- r - d * xstd_j (dense), or the sparse equivalent with the offset.
inline void naive_update(const problem& P, std::size_t j, double d, std::vector<double>& r,
                         double& offset) {
  const double f = d / P.xs[j];
  if (!P.X.sparse()) {
    const double* col = P.X.dense + j * P.n;
    const double m = P.xm[j];
    for (std::size_t i = 0; i < P.n; ++i) r[i] -= f * (col[i] - m);
    return;
  }
  for (int k = P.X.col_ptr[j]; k < P.X.col_ptr[j + 1]; ++k) r[P.X.row_idx[k]] -= f * P.X.values[k];
  offset += f * P.xm[j];
}

}  // namespace enet_detail

inline enet_path elastic_net_path(const design_view& X, const std::vector<double>& y_in,
                                  const std::vector<double>& w_in, const enet_options& opt) {
  using namespace enet_detail;
  const std::size_t n = X.n, p = X.p;
  problem P;
  P.n = n; P.p = p; P.X = X;
  // Weights summing to one, column moments with them, penalty factors.
  const standardised st = standardise(X, w_in, opt);
  P.w = st.w;
  P.xm = st.cs.xm; P.xs = st.cs.xs; P.usable = st.cs.usable;
  P.xv = st.cs.xv;
  P.vp = st.vp;
  // Response.
  P.ym = 0.0;
  if (opt.intercept) for (std::size_t i = 0; i < n; ++i) P.ym += P.w[i] * y_in[i];
  double yv = 0.0;
  for (std::size_t i = 0; i < n; ++i) yv += P.w[i] * (y_in[i] - P.ym) * (y_in[i] - P.ym);
  enet_path out;
  out.p = p;
  out.null_deviance = yv;
  out.scales = P.xs;
  P.ys = yv > 0 ? std::sqrt(yv) : 1.0;
  P.y.resize(n);
  for (std::size_t i = 0; i < n; ++i) P.y[i] = (y_in[i] - P.ym) / P.ys;
  // Bounds on the standardised scale.
  P.lo.resize(p); P.hi.resize(p);
  for (std::size_t j = 0; j < p; ++j) {
    P.lo[j] = opt.lower[j] * P.xs[j] / P.ys;
    P.hi[j] = opt.upper[j] * P.xs[j] / P.ys;
  }
  const double alpha = opt.alpha;

  // Engine choice.
  const bool covariance = opt.engine == 1 || (opt.engine == 0 && !X.sparse() && n >= p && p <= 4000);
  out.engine = covariance ? 1 : 2;
  std::vector<double> G;          // covariance engine: standardised Gram matrix
  std::vector<double> g(p, 0.0);  // covariance engine: gradient, kept current
  std::vector<double> r = P.y;    // naive engine: residual (plus offset when sparse)
  double offset = 0.0;
  std::vector<double> gfull(p, 0.0);  // full gradient at the last KKT check
  auto naive_gradients = [&](std::vector<double>& gg) {
    parallel_chunks(p, 8, opt.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j) gg[j] = P.usable[j] ? naive_dot(P, j, r, offset) : 0.0;
    });
  };
  if (covariance) {
    G.assign(p * p, 0.0);
    gram(X.dense, n, p, P.w.data(), P.xm.data(), opt.threads, G.data());
    if (opt.main_thread) hooks::check_interrupt();
    for (std::size_t k = 0; k < p; ++k)
      for (std::size_t j = 0; j < p; ++j) G[k * p + j] /= P.xs[j] * P.xs[k];
    naive_gradients(g);  // at b = 0 the residual is y
    r.clear();
    r.shrink_to_fit();
  }
  auto refresh_gradients = [&]() {
    if (covariance) gfull = g; else naive_gradients(gfull);
  };

  std::vector<double> b(p, 0.0);
  std::vector<char> ever(p, 0);
  std::vector<std::size_t> active;
  double rsq = 0.0;
  double ab = 0.0, dem = 0.0;
  bool infinite = false;
  double dlx = 0.0;

  auto update = [&](std::size_t j) {
    const double gj = covariance ? g[j] : naive_dot(P, j, r, offset);
    const double bj = b[j];
    const double u = gj + P.xv[j] * bj;
    double nb;
    if (P.vp[j] <= 0.0) {
      nb = u / P.xv[j];
    } else if (infinite) {
      nb = 0.0;
    } else {
      nb = soft(u, P.vp[j] * ab) / (P.xv[j] + P.vp[j] * dem);
    }
    nb = std::min(std::max(nb, P.lo[j]), P.hi[j]);
    if (nb == bj) return;
    const double d = nb - bj;
    b[j] = nb;
    rsq += d * (2.0 * gj - d * P.xv[j]);
    dlx = std::max(dlx, P.xv[j] * d * d);
    if (covariance) {
      const double* Gj = G.data() + j * p;
      for (std::size_t k = 0; k < p; ++k) g[k] -= d * Gj[k];
    } else {
      naive_update(P, j, d, r, offset);
    }
    if (!ever[j]) { ever[j] = 1; active.push_back(j); }
  };

  // Coordinate descent on the strong set at one lambda (standardised scale),
  // from the current warm start; false when the iteration limit was reached.
  auto fit_strong = [&](const std::vector<char>& strong, double lam) -> bool {
    infinite = !std::isfinite(lam);
    ab = infinite ? 0.0 : lam * alpha;
    dem = infinite ? 0.0 : lam * (1.0 - alpha);
    double dlx_max = 0.0;
    return sweep_until_converged(strong, active, [] {}, update, dlx, out.passes, opt, dlx_max);
  };

  auto record = [&](double lam_std) {
    out.lambda.push_back(lam_std * P.ys);
    double a0 = opt.intercept ? P.ym : 0.0;
    int df = 0;
    for (std::size_t j = 0; j < p; ++j) {
      const double bo = b[j] * P.ys / P.xs[j];
      out.beta.push_back(bo);
      a0 -= bo * P.xm[j];
      if (b[j] != 0.0) ++df;
    }
    out.a0.push_back(a0);
    out.dev_ratio.push_back(rsq);
    out.df.push_back(df);
    return std::make_pair(df, rsq);
  };

  path_family fam;
  fam.p = p;
  fam.usable = &P.usable;
  fam.vp = &P.vp;
  fam.lambda_scale = P.ys;
  fam.rule = gain_rule::relative_last;
  fam.tol = 1e-5;
  fam.score = [&](std::size_t j) { return std::fabs(gfull[j]); };
  fam.full_gradients = refresh_gradients;
  fam.ever = [&](std::size_t j) { return ever[j] != 0; };
  fam.fit = fit_strong;
  fam.record = record;
  out.converged = run_path(fam, opt);
  return out;
}

inline std::vector<double> elastic_net_cv_predictions(const design_view& X, const std::vector<double>& y,
                                                      const std::vector<double>& w,
                                                      const std::vector<int>& foldid, int K,
                                                      const enet_options& opt) {
  return cv_linear_predictors(X, w, foldid, K, opt, 1,
                              [&](const std::vector<double>& wk, const enet_options& o) {
                                return elastic_net_path(X, y, wk, o);
                              });
}

// Bootstrap refits (ESL 8.2.1): replicate b fits the path with weights
// w_i * counts[b * n + i], a bootstrap sample given as multiplicities (the
// same problem as the resampled rows, without copying x). Replicates run in
// parallel, each single-threaded and off the main thread, so the result does
// not depend on the thread count.
//
// With `ls_norm`, each replicate also gets the L1 norm of its weighted
// least-squares coefficients on the standardised scale (the reference of the
// shrinkage factor s, ESL Figure 3.10), or NaN when x is sparse or the
// least-squares problem is too ill-conditioned for the normal equations.
inline std::vector<enet_path> elastic_net_bootstrap(const design_view& X, const std::vector<double>& y,
                                                    const std::vector<double>& w, const std::vector<int>& counts,
                                                    std::size_t B, const enet_options& opt_in,
                                                    std::vector<double>* ls_norm = nullptr) {
  const std::size_t n = X.n, p = X.p;
  if (ls_norm) ls_norm->assign(B, std::numeric_limits<double>::quiet_NaN());
  enet_options opt = opt_in;
  opt.threads = 1;
  opt.main_thread = false;
  std::vector<enet_path> out(B);
  std::vector<char> failed(B, 0);
  interruptible([&] { parallel_tasks(B, opt_in.threads, [&](std::size_t b) {
    std::vector<double> wb(n);
    for (std::size_t i = 0; i < n; ++i) wb[i] = w[i] * counts[b * n + i];
    try {
      out[b] = elastic_net_path(X, y, wb, opt);
    } catch (...) {
      failed[b] = 1;
      return;
    }
    if (ls_norm && !X.sparse()) {
      const ls_fit ls = least_squares(X.dense, n, p, y.data(), wb.data(), opt.intercept, 1);
      if (ls.ok) {
        double norm = 0.0;
        for (std::size_t j = 0; j < p; ++j) norm += std::fabs(ls.beta[j] * (opt.standardize ? out[b].scales[j] : 1.0));
        (*ls_norm)[b] = norm;
      }
    }
  }); });
  for (std::size_t b = 0; b < B; ++b)
    if (failed[b]) throw std::runtime_error("the fit of bootstrap replicate " + std::to_string(b + 1) + " failed");
  return out;
}

}  // namespace statlearn

#endif
