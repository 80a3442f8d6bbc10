// statlearn/linear/glm_path.h -- the elastic net for generalised linear models:
// binomial and Poisson responses (ESL 4.4.4, Friedman, Hastie and Tibshirani
// 2010, section 3).
//
// Minimises, for each lambda of a decreasing sequence,
//   -(1/sum w) sum_i w_i loglik_i(a0 + offset_i + x_i'b) + lambda sum_j v_j (alpha|b_j| + (1-alpha)/2 b_j^2)
// as glmnet defines it. Each lambda is solved by an outer Newton (IRLS) loop
// whose penalised weighted least-squares subproblem is solved by coordinate
// descent on the working residual r_i = w_i (y_i - mu_i), with warm starts,
// sequential strong rules and KKT checks on the true gradient. x may be dense
// or sparse; sparse columns are centred implicitly (scalar offsets), so an
// update costs O(nnz) rather than O(n). The path itself is run by the shared
// driver of enet_path.h; dense updates run on a row team (common/row_team.h).
#ifndef STATLEARN_GLM_PATH_H
#define STATLEARN_GLM_PATH_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <functional>
#include <vector>

#include "statlearn/linear/coordinate_descent.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/common/row_team.h"
#include "statlearn/common/simd.h"

namespace statlearn {

enum class glm_family { binomial = 1, poisson = 2 };

namespace glm_detail {

inline double clamp_prob(double p) { return std::min(std::max(p, 1e-5), 1.0 - 1e-5); }

// Columns of the standardised design, x_std_j = (x_j - m_j) / s_j, seen
// through a residual r and a linear predictor eta that are stored with lazy
// scalar corrections for sparse x: r_true_i = r_i + v_i * ro, eta_true_i = eta_i + eo.
struct columns {
  const design_view& X;
  const std::vector<double>& m;
  const std::vector<double>& s;
  columns(const design_view& X_, const std::vector<double>& m_, const std::vector<double>& s_)
      : X(X_), m(m_), s(s_) {}

  // sum_i x_std_ij * a_i for a dense vector a (with the sum of a given, which
  // centres sparse columns; dense ones are centred as they are summed).
  double dot(std::size_t j, const std::vector<double>& a, double sum_a) const {
    if (!X.sparse()) return simd_dot_centred(X.dense + j * X.n, m[j], a.data(), X.n) / s[j];
    double t = 0.0;
    for (int k = X.col_ptr[j]; k < X.col_ptr[j + 1]; ++k) t += X.values[k] * a[X.row_idx[k]];
    return (t - m[j] * sum_a) / s[j];
  }
  // sum_i v_i x_std_ij^2, and (in vx) sum_i v_i x_std_ij. Dense columns are
  // centred as they are summed; sparse ones implicitly (their means are small
  // next to their spread, or they would not be sparse).
  double weighted_square(std::size_t j, const std::vector<double>& v, double sum_v,
                         double& vx) const {
    if (!X.sparse()) {
      double b, a;
      simd_weighted_moments(v.data(), X.dense + j * X.n, m[j], X.n, b, a);
      vx = b / s[j];
      return a / (s[j] * s[j]);
    }
    double a = 0.0, b = 0.0;
    for (int k = X.col_ptr[j]; k < X.col_ptr[j + 1]; ++k) {
      const double xv = X.values[k], vi = v[X.row_idx[k]];
      a += vi * xv * xv;
      b += vi * xv;
    }
    vx = (b - m[j] * sum_v) / s[j];
    return (a - 2.0 * m[j] * b + m[j] * m[j] * sum_v) / (s[j] * s[j]);
  }
};

}  // namespace glm_detail

inline enet_path glm_elastic_net_path(const design_view& X, const std::vector<double>& y,
                                      const std::vector<double>& w_in,
                                      const std::vector<double>& offset, glm_family family,
                                      const enet_options& opt) {
  using namespace enet_detail;
  using glm_detail::clamp_prob;
  const std::size_t n = X.n, p = X.p;
  // Weights summing to one, column moments with them (as glmnet standardises).
  const enet_detail::standardised st = enet_detail::standardise(X, w_in, opt);
  const std::vector<double>& w = st.w;
  const std::vector<double>& xm = st.cs.xm;
  const std::vector<double>& xs = st.cs.xs;
  const std::vector<char>& usable = st.cs.usable;
  const std::vector<double>& vp = st.vp;
  std::vector<double> lo(p), hi(p);
  for (std::size_t j = 0; j < p; ++j) { lo[j] = opt.lower[j] * xs[j]; hi[j] = opt.upper[j] * xs[j]; }
  const double alpha = opt.alpha;
  const glm_detail::columns cols(X, xm, xs);

  // State: standardised coefficients, intercept, linear predictor (with lazy offset eo).
  std::vector<double> b(p, 0.0), eta(n), mu(n), v(n), r(n);
  double a0 = 0.0, eo = 0.0;
  auto mean_of = [&](double e) {
    return family == glm_family::binomial ? 1.0 / (1.0 + std::exp(-e)) : std::exp(e);
  };
  std::function<void()> sync_hook;
  auto deviance = [&]() {
    if (sync_hook) sync_hook();
    double d = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double e = eta[i] + eo;
      if (family == glm_family::binomial) {
        // -2 loglik with a numerically stable log(1 + exp(e))
        const double l1pe = e > 0 ? e + std::log1p(std::exp(-e)) : std::log1p(std::exp(e));
        d += 2.0 * w[i] * (l1pe - y[i] * e);
      } else {
        const double m = std::exp(e);
        d += 2.0 * w[i] * ((y[i] > 0 ? y[i] * std::log(y[i] / m) : 0.0) - (y[i] - m));
      }
    }
    return d;
  };
  // Saturated-model correction for the binomial deviance with fractional y.
  double dev_sat = 0.0;
  if (family == glm_family::binomial) {
    for (std::size_t i = 0; i < n; ++i) {
      const double yi = y[i];
      if (yi > 0 && yi < 1) dev_sat += 2.0 * w[i] * -(yi * std::log(yi) + (1 - yi) * std::log(1 - yi));
    }
  }
  // Intercept-only model (with the offset), by Newton's method on a0.
  double ybar = 0.0;
  for (std::size_t i = 0; i < n; ++i) ybar += w[i] * y[i];
  if (opt.intercept && family == glm_family::poisson) {
    // Closed form a0 = log(sum w y / sum w exp(offset)), with the offsets'
    // maximum taken out so that offsets of several hundred do not overflow.
    double omax = 0.0;
    for (std::size_t i = 0; i < n; ++i) omax = i == 0 ? offset[i] : std::max(omax, offset[i]);
    double se = 0.0;
    for (std::size_t i = 0; i < n; ++i) se += w[i] * std::exp(offset[i] - omax);
    a0 = std::log(ybar) - std::log(se) - omax;
  } else if (opt.intercept) {
    a0 = std::log(ybar / (1.0 - ybar));
    for (int it = 0; it < 100; ++it) {
      double g = 0.0, h = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double m = mean_of(a0 + offset[i]);
        g += w[i] * (y[i] - m);
        h += w[i] * (family == glm_family::binomial ? m * (1 - m) : m);
      }
      const double step = g / h;
      a0 += step;
      if (std::fabs(step) < 1e-12 * (1.0 + std::fabs(a0))) break;
    }
  }
  for (std::size_t i = 0; i < n; ++i) eta[i] = a0 + offset[i];
  enet_path out;
  out.p = p;
  out.scales = xs;
  const double nulldev = deviance() - dev_sat;
  out.null_deviance = nulldev;

  // Refresh mu, IRLS weights v and working residual r from eta.
  double sum_v = 0.0, sum_r = 0.0;
  // Pending changes of the coefficients since eta was last formed.
  std::vector<double> b_synced(p, 0.0);
  double a0_synced = a0;
  auto sync_eta = [&]() {
    const double da = a0 - a0_synced;
    for (std::size_t i = 0; i < n; ++i) eta[i] += da;
    a0_synced = a0;
    for (std::size_t j = 0; j < p; ++j) {
      const double d = b[j] - b_synced[j];
      if (d == 0.0) continue;
      const double f = d / xs[j];
      if (X.sparse()) {
        for (int k = X.col_ptr[j]; k < X.col_ptr[j + 1]; ++k) eta[X.row_idx[k]] += f * X.values[k];
        eo -= f * xm[j];
      } else {
        simd_axpy_centred(eta.data(), X.dense + j * n, xm[j], f, n);
      }
      b_synced[j] = b[j];
    }
    if (eo != 0.0) { for (std::size_t i = 0; i < n; ++i) eta[i] += eo; eo = 0.0; }
  };
  sync_hook = sync_eta;
  auto refresh = [&]() {
    sync_eta();
    sum_v = 0.0; sum_r = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double m = mean_of(eta[i]);
      double var_i;
      if (family == glm_family::binomial) {
        m = std::min(std::max(m, 0.0), 1.0);
        var_i = clamp_prob(m) * (1.0 - clamp_prob(m));
      } else {
        var_i = m;
      }
      mu[i] = m;
      v[i] = w[i] * var_i;
      r[i] = w[i] * (y[i] - m);
      sum_v += v[i];
      sum_r += r[i];
    }
  };
  std::vector<double> gfull(p, 0.0);
  auto gradients = [&]() {  // true gradient at the current eta (needs refresh() first)
    parallel_chunks(p, 8, opt.threads, [&](std::size_t bb, std::size_t e, std::size_t) {
      for (std::size_t j = bb; j < e; ++j) gfull[j] = usable[j] ? cols.dot(j, r, sum_r) : 0.0;
    });
  };
  // Apply a change d to coordinate j: r -= d v x_std_j, eta += d x_std_j, and
  // keep sum_r (the sum of the stored r) current.
  double ro = 0.0;  // lazy residual correction for sparse x: r_true_i = r_i + v_i * ro
  row_team* team = nullptr;  // the row chunks of dense updates (set by fit_strong)
  // (eta is brought up to date once per Newton step, by sync_eta().)
  std::vector<double> vx(p, 0.0);  // sum_i v_i x_std_ij for the current weights
  auto apply = [&](std::size_t j, double d) {
    const double f = d / xs[j];
    if (X.sparse()) {
      double dsum = 0.0;
      for (int k = X.col_ptr[j]; k < X.col_ptr[j + 1]; ++k) {
        const int i = X.row_idx[k];
        const double c = f * v[i] * X.values[k];
        r[i] -= c;
        dsum += c;
      }
      ro += f * xm[j];  // the centring part, for all rows, lazily
      sum_r -= dsum;
    } else {
      team_axpy_weighted_centred(*team, r.data(), v.data(), X.dense + j * n, xm[j], f);
      sum_r -= d * vx[j];
    }
  };
  // Materialise the lazy sparse corrections of r.
  auto settle = [&]() {
    if (ro != 0.0) { for (std::size_t i = 0; i < n; ++i) r[i] += v[i] * ro; ro = 0.0; }
    sum_r = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum_r += r[i];
  };

  std::vector<char> ever(p, 0);
  std::vector<std::size_t> active;
  std::vector<double> xv(p, 0.0);
  std::vector<char> xv_ok(p, 0);
  double ab = 0.0, dem = 0.0, dlx = 0.0;
  bool infinite = false;

  auto current_sum_r = [&]() { return sum_r + ro * sum_v; };
  auto update = [&](std::size_t j) {
    double gj;
    if (!xv_ok[j] && !X.sparse()) {
      // one pass for the curvature and the gradient, in the team's row chunks
      // (partial sums combined in chunk order)
      double s1, s2, s3;
      team_weighted_moments_dot(*team, v.data(), X.dense + j * n, xm[j], r.data(), s1, s2, s3);
      const double sj = xs[j];
      xv[j] = s2 / (sj * sj);
      vx[j] = s1 / sj;
      xv_ok[j] = 1;
      gj = s3 / sj;
    } else if (!X.sparse()) {
      gj = team_dot_centred(*team, X.dense + j * n, xm[j], r.data()) / xs[j];
    } else {
      if (!xv_ok[j]) { xv[j] = cols.weighted_square(j, v, sum_v, vx[j]); xv_ok[j] = 1; }
      gj = cols.dot(j, r, sum_r);
    }
    // gradient with the lazy correction: sum_i x_std_ij (r_i + v_i ro)
    if (ro != 0.0) gj += ro * cols.dot(j, v, sum_v);
    const double bj = b[j];
    const double u = gj + xv[j] * bj;
    double nb;
    if (vp[j] <= 0.0) nb = u / xv[j];
    else if (infinite) nb = 0.0;
    else nb = soft(u, vp[j] * ab) / (xv[j] + vp[j] * dem);
    nb = std::min(std::max(nb, lo[j]), hi[j]);
    if (nb == bj) return;
    const double d = nb - bj;
    b[j] = nb;
    dlx = std::max(dlx, xv[j] * d * d);
    apply(j, d);
    if (!ever[j]) { ever[j] = 1; active.push_back(j); }
  };
  auto update_intercept = [&]() {
    if (!opt.intercept) return;
    const double d = current_sum_r() / sum_v;
    if (d == 0.0) return;
    a0 += d;
    for (std::size_t i = 0; i < n; ++i) r[i] -= v[i] * d;
    sum_r -= d * sum_v;
    dlx = std::max(dlx, sum_v * d * d);
  };

  // IRLS with coordinate descent on the strong set at one lambda, from the
  // current warm start; false when an iteration limit was reached.
  auto fit_strong = [&](const std::vector<char>& strong, double lam) -> bool {
    infinite = !std::isfinite(lam);
    ab = infinite ? 0.0 : lam * alpha;
    dem = infinite ? 0.0 : lam * (1.0 - alpha);
    // Dense columns: every dot product and axpy in two fixed row chunks, run
    // by a team of two threads when allowed (the same bits for 1 and 2).
    bool ok = true;
    row_team::scope(X.sparse() ? 0 : n, X.sparse() ? 1 : opt.threads, [&](row_team& t) {
      team = &t;
      ok = [&]() -> bool {
        for (int irls = 0;; ++irls) {
          refresh();
          std::fill(xv_ok.begin(), xv_ok.end(), 0);
          double dlx_all = 0.0;
          // coordinate descent on the quadratic approximation
          const bool converged = enet_detail::sweep_until_converged(
              strong, active, update_intercept, update, dlx, out.passes, opt, dlx_all);
          if (!converged) return false;
          settle();
          if (dlx_all < opt.thresh) break;
          if (irls > 100) return false;
        }
        return true;
      }();
      team = nullptr;
    });
    return ok;
  };

  auto record = [&](double lam, double dev) {
    out.lambda.push_back(lam);
    double a = opt.intercept ? a0 : 0.0;
    int df = 0;
    for (std::size_t j = 0; j < p; ++j) {
      const double bo = b[j] / xs[j];
      out.beta.push_back(bo);
      a -= bo * xm[j];
      if (b[j] != 0.0) ++df;
    }
    out.a0.push_back(a);
    out.dev_ratio.push_back(nulldev > 0 ? 1.0 - (dev - dev_sat) / nulldev : 0.0);
    out.df.push_back(df);
  };

  enet_detail::path_family fam;
  fam.p = p;
  fam.usable = &usable;
  fam.vp = &vp;
  // glmnet's gain of fit: binomial, the change of the deviance ratio from the
  // last lambda (tolerance 1e-5); Poisson, the relative change over the last
  // four (tolerance 1e-4).
  fam.rule = family == glm_family::binomial ? enet_detail::gain_rule::absolute_last
                                            : enet_detail::gain_rule::relative_over_four;
  fam.tol = family == glm_family::binomial ? 1e-5 : 1e-4;
  fam.score = [&](std::size_t j) { return std::fabs(gfull[j]); };
  fam.full_gradients = [&]() { refresh(); gradients(); };
  fam.ever = [&](std::size_t j) { return ever[j] != 0; };
  fam.fit = fit_strong;
  fam.record = [&](double lam) {
    record(lam, deviance());
    return std::make_pair(out.df.back(), out.dev_ratio.back());
  };
  out.converged = enet_detail::run_path(fam, opt);
  return out;
}

// Out-of-fold linear predictors (n x L) of cross-validation on a fixed lambda
// sequence (cv_linear_predictors()); the offset is not included.
inline std::vector<double> glm_elastic_net_cv_links(const design_view& X, const std::vector<double>& y,
                                                    const std::vector<double>& w,
                                                    const std::vector<double>& offset, glm_family family,
                                                    const std::vector<int>& foldid, int folds,
                                                    const enet_options& opt) {
  return cv_linear_predictors(X, w, foldid, folds, opt, 1,
                              [&](const std::vector<double>& wk, const enet_options& o) {
                                return glm_elastic_net_path(X, y, wk, offset, family, o);
                              });
}

}  // namespace statlearn

#endif
