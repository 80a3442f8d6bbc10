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
// Two engines share the path logic (warm starts, sequential strong rules, KKT
// checks, glmnet's stopping rules):
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
#include <vector>

#include "statlearn/common/gram.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"

namespace statlearn {

// A read-only view of x: dense column-major, or compressed sparse column.
struct design_view {
  std::size_t n = 0, p = 0;
  const double* dense = nullptr;        // n x p, column-major
  const int* col_ptr = nullptr;         // sparse: p + 1 offsets
  const int* row_idx = nullptr;         // sparse: row indices
  const double* values = nullptr;       // sparse: values
  bool sparse() const { return dense == nullptr; }
};

struct enet_options {
  double alpha = 1.0;
  std::vector<double> penalty_factor;  // length p (rescaled inside)
  std::vector<double> lower, upper;    // length p, original scale
  std::vector<double> lambda;          // user sequence (original scale, decreasing) or empty
  int nlambda = 100;
  double lambda_min_ratio = 1e-4;
  bool standardize = true;
  bool intercept = true;
  double thresh = 1e-7;
  int maxit = 100000;
  int dfmax = -1;                      // stop when more variables are nonzero
  int engine = 0;                      // 0 auto, 1 covariance, 2 naive
  int threads = 1;
  bool main_thread = true;             // false inside parallel tasks (no host calls)
};

struct enet_path {
  std::vector<double> lambda;    // original scale
  std::vector<double> a0;        // length L
  std::vector<double> beta;      // p x L, column-major, original scale
  std::vector<double> dev_ratio; // fraction of (null) deviance explained
  std::vector<int> df;           // nonzero coefficients
  std::vector<double> scales;    // the columns' weighted sd (divisor n) used to standardise
  double null_deviance = 0.0;    // sum w (y - ybar)^2 with w summing to one
  long passes = 0;
  bool converged = true;
  int engine = 0;
  std::size_t p = 0;
};

namespace enet_detail {

// Weighted column means and variances (divisor: the weights, summing to one),
// and the scales used to standardise, shared by every elastic-net engine. As
// glmnet: the scale is the weighted standard deviation about the column's mean
// whether or not there is an intercept; without one, columns are not centred
// (xm = 0), so xv_j = sum w x_std_j^2 = 1 + mean^2 / var instead of 1.
// Parallel over columns; each column is one fixed two-pass sum.
struct column_scaling {
  std::vector<double> xm;    // centring point: the weighted mean, or 0 without intercept
  std::vector<double> var;   // weighted variance about the mean
  std::vector<double> xs;    // scale: sqrt(var) when standardising, else 1
  std::vector<double> xv;    // sum w ((x - xm) / xs)^2
  std::vector<char> usable;  // columns with variation (relative to their size)
};

inline column_scaling scale_columns(const design_view& X, const std::vector<double>& w,
                                    bool intercept, bool standardize, int threads) {
  const std::size_t n = X.n, p = X.p;
  column_scaling cs;
  cs.xm.assign(p, 0.0); cs.var.assign(p, 0.0); cs.xs.assign(p, 1.0); cs.xv.assign(p, 0.0);
  cs.usable.assign(p, 1);
  std::vector<double> mean(p, 0.0);
  parallel_chunks(p, 16, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t j = b; j < e; ++j) {
      double m = 0.0, v = 0.0;
      if (X.sparse()) {
        double wnz = 0.0;
        for (int q = X.col_ptr[j]; q < X.col_ptr[j + 1]; ++q) m += w[X.row_idx[q]] * X.values[q];
        for (int q = X.col_ptr[j]; q < X.col_ptr[j + 1]; ++q) {
          const double d = X.values[q] - m;
          v += w[X.row_idx[q]] * d * d;
          wnz += w[X.row_idx[q]];
        }
        v += (1.0 - wnz) * m * m;  // rows that are zero contribute w * m^2
      } else {
        const double* col = X.dense + j * n;
        for (std::size_t i = 0; i < n; ++i) m += w[i] * col[i];
        for (std::size_t i = 0; i < n; ++i) {
          const double d = col[i] - m;
          v += w[i] * d * d;
        }
      }
      mean[j] = m;
      cs.var[j] = v;
    }
  });
  for (std::size_t j = 0; j < p; ++j) {
    cs.xm[j] = intercept ? mean[j] : 0.0;
    // Constant columns: a variance that is rounding relative to the mean (a
    // scale-free test, so columns of tiny units stay usable).
    cs.usable[j] = cs.var[j] > 1e-24 * mean[j] * mean[j] && cs.var[j] > 0.0;
    cs.xs[j] = (standardize && cs.usable[j]) ? std::sqrt(cs.var[j]) : 1.0;
    // Second moment about the centring point: var + (mean - xm)^2.
    const double shift = mean[j] - cs.xm[j];
    cs.xv[j] = (cs.var[j] + shift * shift) / (cs.xs[j] * cs.xs[j]);
  }
  return cs;
}

// Penalty factors rescaled to sum to p, as glmnet does.
inline std::vector<double> rescaled_penalty_factors(const std::vector<double>& pf) {
  std::vector<double> vp = pf;
  double s = 0.0;
  for (double v : vp) s += v;
  for (double& v : vp) v = v * static_cast<double>(vp.size()) / s;
  return vp;
}


// glmnet's end of a path, applied from the fifth lambda on and never to a
// sequence the user gave: more than dfmax nonzero variables (that solution is
// kept), a relative gain of fit below tol, or a fit (R^2 or deviance ratio)
// above 0.999.
inline bool path_ends(bool user, int k, int df, int dfmax, double gain, double tol, double fit) {
  if (user || k + 1 < 5) return false;
  return (dfmax >= 0 && df > dfmax) || gain < tol || fit > 0.999;
}

inline double soft(double u, double t) {
  if (u > t) return u - t;
  if (u < -t) return u + t;
  return 0.0;
}

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
  // Weights summing to one.
  double wsum = 0.0;
  for (double v : w_in) wsum += v;
  P.w.resize(n);
  for (std::size_t i = 0; i < n; ++i) P.w[i] = w_in[i] / wsum;
  const column_scaling cs = scale_columns(X, P.w, opt.intercept, opt.standardize, opt.threads);
  P.xm = cs.xm; P.xs = cs.xs; P.usable = cs.usable;
  P.xv = cs.xv;
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
  // Penalty factors (rescaled to sum to p, as glmnet does) and bounds.
  P.vp = rescaled_penalty_factors(opt.penalty_factor);
  P.lo.resize(p); P.hi.resize(p);
  for (std::size_t j = 0; j < p; ++j) {
    P.lo[j] = opt.lower[j] * P.xs[j] / P.ys;
    P.hi[j] = opt.upper[j] * P.xs[j] / P.ys;
  }
  const double alpha = opt.alpha;
  const double alf = std::max(alpha, 1e-3);

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
  std::vector<char> ever(p, 0), strong(p, 0);
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

  // Solve at one lambda (standardised scale) from the current warm start.
  // Returns false when the iteration limit was reached.
  auto solve = [&](double lam, double lam_prev, bool screen) -> bool {
    infinite = !std::isfinite(lam);
    ab = infinite ? 0.0 : lam * alpha;
    dem = infinite ? 0.0 : lam * (1.0 - alpha);
    const double cut = (screen && !infinite) ? alpha * (2.0 * lam - lam_prev) : -1.0;
    for (std::size_t j = 0; j < p; ++j) {
      strong[j] = P.usable[j] && (ever[j] || P.vp[j] <= 0.0 || infinite ||
                                  std::fabs(gfull[j]) > cut * P.vp[j]);
    }
    if (infinite) for (std::size_t j = 0; j < p; ++j) strong[j] = P.usable[j] && P.vp[j] <= 0.0;
    for (;;) {
      dlx = 0.0;
      for (std::size_t j = 0; j < p; ++j) if (strong[j]) update(j);
      ++out.passes;
      if (out.passes > opt.maxit) return false;
      if (dlx >= opt.thresh) {
        for (;;) {  // inner loop on the active set
          dlx = 0.0;
          for (std::size_t j : active) update(j);
          ++out.passes;
          if (dlx < opt.thresh) break;
          if (out.passes > opt.maxit) return false;
        }
        continue;
      }
      // Converged on the strong set: check the KKT conditions everywhere else.
      refresh_gradients();
      if (infinite) return true;
      bool violated = false;
      for (std::size_t j = 0; j < p; ++j) {
        if (!P.usable[j] || strong[j]) continue;
        if (std::fabs(gfull[j]) > ab * P.vp[j]) { strong[j] = 1; violated = true; }
      }
      if (!violated) return true;
    }
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
  };

  refresh_gradients();
  const bool user = !opt.lambda.empty();
  const int L = user ? static_cast<int>(opt.lambda.size()) : opt.nlambda;
  double lam_prev = 0.0, lam_max = 0.0, ratio = 1.0, rsq_prev = 0.0;
  for (int k = 0; k < L; ++k) {
    double lam;
    bool ok;
    if (user) {
      lam = opt.lambda[k] / P.ys;
      ok = solve(lam, k == 0 ? lam : lam_prev, k > 0);
    } else if (k == 0) {
      ok = solve(std::numeric_limits<double>::infinity(), 0.0, false);
      for (std::size_t j = 0; j < p; ++j)
        if (P.usable[j] && P.vp[j] > 0.0) lam_max = std::max(lam_max, std::fabs(gfull[j]) / P.vp[j]);
      lam_max /= alf;
      ratio = L > 1 ? std::pow(opt.lambda_min_ratio, 1.0 / (L - 1)) : 1.0;
      lam = lam_max;
    } else {
      lam = lam_max * std::pow(ratio, k);
      ok = solve(lam, lam_prev, true);
    }
    if (!ok) { out.converged = false; break; }
    record(lam);
    lam_prev = lam;
    int df = 0;
    for (std::size_t j = 0; j < p; ++j) df += b[j] != 0.0;
    const double gain = rsq == 0.0 ? std::numeric_limits<double>::infinity() : (rsq - rsq_prev) / rsq;
    if (path_ends(user, k, df, opt.dfmax, gain, 1e-5, rsq)) break;
    rsq_prev = rsq;
    if (opt.main_thread) hooks::check_interrupt(); else if (hooks::aborted()) throw interrupted();
  }
  return out;
}

// Out-of-fold linear predictors of K-fold cross-validation on a fixed lambda
// sequence: fold k is fitted by fit_fold(weights) with zero weight on its own
// rows (the same problem as deleting them, without copying x), and the folds
// run in parallel (each single-threaded), so the result does not depend on the
// thread count. Returns an n x L column-major matrix of a0 + x'b.
template <class FitFold>
std::vector<double> cv_linear_predictors(const design_view& X, const std::vector<double>& w,
                                         const std::vector<int>& foldid, int K, int threads,
                                         std::size_t L, FitFold fit_fold) {
  const std::size_t n = X.n, p = X.p;
  std::vector<double> pred(n * L, 0.0);
  std::vector<char> failed(K, 0);
  // The folds run off the main thread, which stays free to notice Ctrl-C.
  interruptible([&] { parallel_tasks(static_cast<std::size_t>(K), threads, [&](std::size_t k) {
    const int fold = static_cast<int>(k) + 1;
    std::vector<double> wk(w);
    for (std::size_t i = 0; i < n; ++i) if (foldid[i] == fold) wk[i] = 0.0;
    enet_path fit;
    try {
      fit = fit_fold(wk);
    } catch (...) {
      failed[k] = 1;
      return;
    }
    const std::size_t Lk = fit.lambda.size();
    if (Lk == 0) { failed[k] = 1; return; }
    for (std::size_t l = 0; l < L; ++l) {
      const std::size_t lk = std::min(l, Lk - 1);  // a fold path that stopped early keeps its last fit
      const double* beta = fit.beta.data() + lk * p;
      double* out = pred.data() + l * n;
      for (std::size_t i = 0; i < n; ++i) if (foldid[i] == fold) out[i] = fit.a0[lk];
      for (std::size_t j = 0; j < p; ++j) {
        if (beta[j] == 0.0) continue;
        if (X.sparse()) {
          for (int q = X.col_ptr[j]; q < X.col_ptr[j + 1]; ++q) {
            const int i = X.row_idx[q];
            if (foldid[i] == fold) out[i] += X.values[q] * beta[j];
          }
        } else {
          const double* col = X.dense + j * n;
          for (std::size_t i = 0; i < n; ++i) if (foldid[i] == fold) out[i] += col[i] * beta[j];
        }
      }
    }
  }); });
  for (int k = 0; k < K; ++k)
    if (failed[k]) throw std::runtime_error("the fit of a cross-validation fold failed");
  return pred;
}

inline std::vector<double> elastic_net_cv_predictions(const design_view& X, const std::vector<double>& y,
                                                      const std::vector<double>& w,
                                                      const std::vector<int>& foldid, int K,
                                                      const enet_options& opt_in) {
  enet_options opt = opt_in;
  opt.threads = 1;
  opt.main_thread = false;
  return cv_linear_predictors(X, w, foldid, K, opt_in.threads, opt_in.lambda.size(),
                              [&](const std::vector<double>& wk) { return elastic_net_path(X, y, wk, opt); });
}

}  // namespace statlearn

#endif
