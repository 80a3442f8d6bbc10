// statlearn/linear/enet_path.h -- what every elastic-net family shares: the
// design view, options and path types; column scaling and penalty factors as
// glmnet defines them; the one path driver (lambda sequence, warm starts,
// sequential strong rules, KKT checks, glmnet's end-of-path rules), with the
// family (gaussian, binomial, Poisson, multinomial) as a policy; and the one
// cross-validation driver (folds fitted in parallel with zero weights on
// their own rows, out-of-fold linear predictors).
#ifndef STATLEARN_ENET_PATH_H
#define STATLEARN_ENET_PATH_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

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

// What every family starts from: the weights scaled to sum to one, the
// columns' centring points and scales (scale_columns()), and the penalty
// factors rescaled to sum to p.
struct standardised {
  std::vector<double> w;
  column_scaling cs;
  std::vector<double> vp;
};

inline standardised standardise(const design_view& X, const std::vector<double>& w_in,
                                const enet_options& opt) {
  standardised s;
  double wsum = 0.0;
  for (double v : w_in) wsum += v;
  s.w.resize(X.n);
  for (std::size_t i = 0; i < X.n; ++i) s.w[i] = w_in[i] / wsum;
  s.cs = scale_columns(X, s.w, opt.intercept, opt.standardize, opt.threads);
  s.vp = rescaled_penalty_factors(opt.penalty_factor);
  return s;
}

// Coordinate descent to convergence on one (quadratic) problem, as glmnet
// sweeps: a sweep of the strong set; while it changes something, sweeps of
// the active set until they settle, then the strong set again (or, with
// repeat_strong false, return after the first settling: the multinomial
// cycles over its classes instead). A sweep resets dlx (the largest weighted
// squared change, which update(j) raises), calls begin() (the intercepts)
// and updates each coordinate of its set. False at the iteration limit;
// dlx_max receives the largest change of a strong sweep.
template <class Begin, class Update>
bool sweep_until_converged(const std::vector<char>& strong, const std::vector<std::size_t>& active,
                           Begin begin, Update update, double& dlx, long& passes,
                           const enet_options& opt, double& dlx_max, bool repeat_strong = true) {
  auto sweep = [&](bool all) {
    dlx = 0.0;
    begin();
    if (all) {
      for (std::size_t j = 0; j < strong.size(); ++j) if (strong[j]) update(j);
    } else {
      for (std::size_t j : active) update(j);
    }
    return dlx;
  };
  for (;;) {
    const double d = sweep(true);
    ++passes;
    dlx_max = std::max(dlx_max, d);
    if (passes > opt.maxit) return false;
    if (d < opt.thresh) return true;
    for (;;) {
      const double da = sweep(false);
      ++passes;
      if (da < opt.thresh) break;
      if (passes > opt.maxit) return false;
    }
    if (!repeat_strong) return true;
  }
}

// How a family measures the gain of fit in glmnet's end-of-path rule, from
// the fit measure (R^2 or deviance ratio) of each lambda so far.
enum class gain_rule {
  relative_last,      // gaussian: (fit - previous) / fit
  absolute_last,      // binomial, multinomial: fit - previous
  relative_over_four  // Poisson: (fit - fit four lambdas back) / fit
};

// What a family gives the path driver. Lambdas are on the family's internal
// scale (user lambdas are divided by lambda_scale).
struct path_family {
  std::size_t p = 0;
  const std::vector<char>* usable = nullptr;  // columns that can enter
  const std::vector<double>* vp = nullptr;    // rescaled penalty factors
  double lambda_scale = 1.0;
  gain_rule rule = gain_rule::absolute_last;
  double tol = 1e-5;
  // |gradient| of coordinate j (a group's norm) at the last full_gradients().
  std::function<double(std::size_t)> score;
  // Recompute every score at the current fit.
  std::function<void()> full_gradients;
  // Has coordinate j been nonzero on the path?
  std::function<bool(std::size_t)> ever;
  // Fit on the strong set at lambda (infinite: the unpenalised coordinates
  // only) from the current warm start; false at the iteration limit.
  std::function<bool(const std::vector<char>& strong, double lambda)> fit;
  // Append the current fit at lambda to the family's path; returns its
  // number of nonzero variables and its fit measure.
  std::function<std::pair<int, double>(double lambda)> record;
};

// Solve at one lambda: screen by the sequential strong rule (Tibshirani et al.
// 2012), fit the strong set, then add every coordinate whose KKT condition
// fails and refit, until none does.
inline bool solve_at(const path_family& f, double alpha, double lam, double lam_prev, bool screen,
                     std::vector<char>& strong) {
  const std::vector<char>& usable = *f.usable;
  const std::vector<double>& vp = *f.vp;
  const bool infinite = !std::isfinite(lam);
  const double ab = infinite ? 0.0 : lam * alpha;
  const double cut = (screen && !infinite) ? alpha * (2.0 * lam - lam_prev) : -1.0;
  for (std::size_t j = 0; j < f.p; ++j) {
    strong[j] = usable[j] &&
                (infinite ? vp[j] <= 0.0 : (f.ever(j) || vp[j] <= 0.0 || f.score(j) > cut * vp[j]));
  }
  for (;;) {
    if (!f.fit(strong, lam)) return false;
    f.full_gradients();
    if (infinite) return true;
    bool violated = false;
    for (std::size_t j = 0; j < f.p; ++j) {
      if (!usable[j] || strong[j]) continue;
      if (f.score(j) > ab * vp[j]) { strong[j] = 1; violated = true; }
    }
    if (!violated) return true;
  }
}

// The path: the user's lambdas, or nlambda values from lambda_max (the
// smallest lambda with every penalised coefficient zero, from the gradient
// of the unpenalised fit) down to lambda_min_ratio * lambda_max on a log
// scale; warm starts from one lambda to the next; glmnet's end-of-path rules.
// Returns false when a lambda hit the iteration limit (the path so far is kept).
inline bool run_path(const path_family& f, const enet_options& opt) {
  std::vector<char> strong(f.p, 0);
  f.full_gradients();
  const bool user = !opt.lambda.empty();
  const int L = user ? static_cast<int>(opt.lambda.size()) : opt.nlambda;
  const double alpha = opt.alpha, alf = std::max(alpha, 1e-3);
  double lam_prev = 0.0, lam_max = 0.0, ratio = 1.0;
  std::vector<double> fits;
  for (int k = 0; k < L; ++k) {
    double lam;
    bool ok;
    if (user) {
      lam = opt.lambda[k] / f.lambda_scale;
      ok = solve_at(f, alpha, lam, k == 0 ? lam : lam_prev, k > 0, strong);
    } else if (k == 0) {
      ok = solve_at(f, alpha, std::numeric_limits<double>::infinity(), 0.0, false, strong);
      for (std::size_t j = 0; j < f.p; ++j)
        if ((*f.usable)[j] && (*f.vp)[j] > 0.0) lam_max = std::max(lam_max, f.score(j) / (*f.vp)[j]);
      lam_max /= alf;
      ratio = L > 1 ? std::pow(opt.lambda_min_ratio, 1.0 / (L - 1)) : 1.0;
      lam = lam_max;
    } else {
      lam = lam_max * std::pow(ratio, k);
      ok = solve_at(f, alpha, lam, lam_prev, true, strong);
    }
    if (!ok) return false;
    const std::pair<int, double> rec = f.record(lam);
    const double fit = rec.second;
    const double prev = fits.empty() ? 0.0 : fits.back();
    fits.push_back(fit);
    lam_prev = lam;
    double gain = std::numeric_limits<double>::infinity();
    switch (f.rule) {
      case gain_rule::relative_last:
        if (fit != 0.0) gain = (fit - prev) / fit;
        break;
      case gain_rule::absolute_last:
        gain = fit - prev;
        break;
      case gain_rule::relative_over_four:
        if (fits.size() >= 5) gain = (fit - fits[fits.size() - 5]) / fit;
        break;
    }
    if (path_ends(user, k, rec.first, opt.dfmax, gain, f.tol, fit)) break;
    if (opt.main_thread) hooks::check_interrupt(); else if (hooks::aborted()) throw interrupted();
  }
  return true;
}

}  // namespace enet_detail

// Out-of-fold linear predictors of cross-validation on a fixed lambda
// sequence, for any family: fold k is fitted by fit_fold(weights, options)
// with zero weight on its own rows (the same problem as deleting them, without
// copying x), and the folds run in parallel (each single-threaded, off the
// main thread), so the result does not depend on the thread count. A fold's path holds, per lambda, K
// intercepts and K coefficient vectors of length p (K = 1 but for the
// multinomial). Returns n x K x L (column-major) values of a0 + x'b.
template <class FitFold>
std::vector<double> cv_linear_predictors(const design_view& X, const std::vector<double>& w,
                                         const std::vector<int>& foldid, int folds,
                                         const enet_options& opt_in, std::size_t K, FitFold fit_fold) {
  const std::size_t n = X.n, p = X.p, L = opt_in.lambda.size();
  const int threads = opt_in.threads;
  enet_options opt = opt_in;
  opt.threads = 1;
  opt.main_thread = false;
  std::vector<double> pred(n * K * L, 0.0);
  std::vector<char> failed(folds, 0);
  // The folds run off the main thread, which stays free to notice Ctrl-C.
  interruptible([&] { parallel_tasks(static_cast<std::size_t>(folds), threads, [&](std::size_t k) {
    const int fold = static_cast<int>(k) + 1;
    std::vector<double> wk(w);
    for (std::size_t i = 0; i < n; ++i) if (foldid[i] == fold) wk[i] = 0.0;
    decltype(fit_fold(wk, opt)) fit;
    try {
      fit = fit_fold(wk, opt);
    } catch (...) {
      failed[k] = 1;
      return;
    }
    const std::size_t Lk = fit.lambda.size();
    if (Lk == 0) { failed[k] = 1; return; }
    for (std::size_t l = 0; l < L; ++l)
    for (std::size_t c = 0; c < K; ++c) {
      const std::size_t lk = std::min(l, Lk - 1);  // a fold path that stopped early keeps its last fit
      const double* beta = fit.beta.data() + (lk * K + c) * p;
      double* out = pred.data() + (l * K + c) * n;
      for (std::size_t i = 0; i < n; ++i) if (foldid[i] == fold) out[i] = fit.a0[lk * K + c];
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
  for (int k = 0; k < folds; ++k)
    if (failed[k]) throw std::runtime_error("the fit of a cross-validation fold failed");
  return pred;
}

}  // namespace statlearn

#endif
