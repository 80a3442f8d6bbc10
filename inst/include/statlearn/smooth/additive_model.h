// statlearn/smooth/additive_model.h -- additive models by backfitting (ESL 9.1).
//
// The additive model eta(x) = beta' x_lin + sum_j f_j(x_j), each f_j a cubic
// smoothing spline of one input (smoothing_spline.h), centred to weighted mean
// zero, is fitted by backfitting (ESL Algorithm 9.1): cycle over the linear
// part and the terms, replacing each by the weighted smooth (or least-squares
// fit) of the partial residuals z - eta + f_j, until nothing changes. For a
// binomial response the same weighted backfitting is the inner step of local
// scoring (ESL Algorithm 9.2): the IRLS working response z and weights W of
// the current fit replace y and the prior weights.
//
// Cost. Each input is sorted once (counting sort of its distinct values); for
// fixed weights each term's band system B'WB + lambda Omega is built and
// factored once, so a backfitting step of a term costs the binned partial
// residual sums B'W r (O(n)), a band solve (O(number of knots)) and the
// evaluation at the distinct x (O(n)). With df fixed, lambda_j is re-found
// whenever the weights change (each outer step of local scoring), because the
// df of a smoother depends on its weights.
//
// Threads. The per-observation and per-distinct-x loops run in fixed chunks
// (common/parallel.h); sums are combined in chunk order, and every
// distinct x's own sum runs over its observations in a fixed order, so
// results are bit-identical for any thread count. The set-up of the terms at
// new weights (their lambda search and factorisation) runs one term per task.
#ifndef STATLEARN_ADDITIVE_MODEL_H
#define STATLEARN_ADDITIVE_MODEL_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/smooth/smoothing_spline.h"

namespace statlearn {

// One smooth term: its input reduced to sorted distinct values on [0, 1].
struct additive_term {
  std::vector<double> x;          // distinct values (unit scale, sorted)
  std::vector<double> knots;      // knots (unit scale; first 0, last 1)
  std::vector<std::size_t> bin;   // per observation: the index of its distinct value
  int mode = 1;                   // 0: lambda given (unit scale); 1: df given
  double value = 4.0;             // lambda, or df = trace(S_j) - 1
};

struct additive_options {
  int family = 0;            // 0 gaussian, 1 binomial
  double tol = 1e-8;         // backfitting: relative change of the fit
  int max_iter = 100;        // backfitting sweeps per call
  double outer_tol = 1e-8;   // local scoring: relative change of the deviance
  int max_outer = 50;        // local-scoring iterations
  int threads = 1;
};

struct additive_term_result {
  double lambda = 0.0;        // unit scale
  double df = 0.0;            // trace(S_j) - 1 at the final weights
  std::vector<double> coef;   // B-spline coefficients (uncentred spline)
  double center = 0.0;        // f_j = spline - center
  std::vector<double> sigma;  // central diagonals of (B'WB + lambda Omega)^-1
  std::vector<double> fitted; // f_j per observation
  bool reached = true;        // df target reached by a lambda
  bool pivots_ok = true;
};

struct additive_result {
  std::vector<additive_term_result> terms;
  std::vector<double> beta, eta, mu, work_w, work_z;
  double deviance = 0.0;
  int iterations = 0;         // backfitting sweeps, in total
  int outer = 0;              // local-scoring iterations (1 for gaussian)
  bool converged = true, inner_converged = true;
  int fault = 0;              // 1 linear part singular, 2 df unreachable, 3 band system not positive definite
};

namespace additive_detail {

constexpr std::size_t kGrain = 8192;

struct term_state {
  const additive_term* term = nullptr;
  std::vector<std::size_t> perm, start;  // observations ordered by distinct x; offsets
  spline_data d;
  spline_detail::system sys;
  spline_detail::band_factors fac;
  double lambda = 0.0, trace = 0.0;
  bool reached = true;
  std::vector<double> coef, fk, sums, f;
  double center = 0.0;   // a_j: intercept of the weighted line removed from the spline
  double slope = 0.0;    // c_j: its slope (unit scale)
};

inline void sort_term(term_state& ts, std::size_t n) {
  const additive_term& t = *ts.term;
  const std::size_t m = t.x.size();
  ts.start.assign(m + 1, 0);
  for (std::size_t i = 0; i < n; ++i) ++ts.start[t.bin[i] + 1];
  for (std::size_t k = 0; k < m; ++k) ts.start[k + 1] += ts.start[k];
  ts.perm.resize(n);
  std::vector<std::size_t> next(ts.start.begin(), ts.start.end() - 1);
  for (std::size_t i = 0; i < n; ++i) ts.perm[next[t.bin[i]]++] = i;
  ts.f.assign(n, 0.0);
  ts.fk.assign(m, 0.0);
  ts.sums.assign(m, 0.0);
  ts.d.x = t.x;
  ts.d.knots = t.knots;
  ts.d.ybar.assign(m, 0.0);
  ts.d.n_obs = static_cast<double>(n);
}

// New weights: binned weights, band system, lambda (searched for a df), factor.
inline void setup_term(term_state& ts, const std::vector<double>& w, double w_total) {
  const additive_term& t = *ts.term;
  const std::size_t m = t.x.size();
  ts.d.W.assign(m, 0.0);
  for (std::size_t k = 0; k < m; ++k) {
    double s = 0.0;
    for (std::size_t q = ts.start[k]; q < ts.start[k + 1]; ++q) s += w[ts.perm[q]];
    ts.d.W[k] = s;
  }
  ts.d.w_total = w_total;
  ts.sys = spline_detail::make_system(ts.d);
  if (t.mode == 0) {
    ts.lambda = t.value;
    ts.reached = true;
  } else {
    const spline_fit f = smoothing_spline_df(ts.d, t.value + 1.0);
    ts.lambda = f.lambda;
    ts.reached = std::abs(f.df - (t.value + 1.0)) <= 1e-6 * (t.value + 1.0);
  }
  ts.fac = spline_detail::factor_band(ts.sys, ts.lambda);
}

// Replaces a component of the additive predictor: cur[i] becomes value(i)
// and eta moves with it; returns the weighted squared change (fixed chunks,
// summed in chunk order, so the same for any thread count).
template <class Value>
double replace_component(std::size_t n, int threads, const std::vector<double>& w, std::vector<double>& eta,
                         std::vector<double>& cur, Value value) {
  std::vector<double> change(chunk_count(n, kGrain), 0.0);
  parallel_chunks(n, kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
    double s = 0.0;
    for (std::size_t i = b; i < e; ++i) {
      const double v = value(i);
      const double dlt = v - cur[i];
      eta[i] += dlt;
      cur[i] = v;
      s += w[i] * dlt * dlt;
    }
    change[ch] = s;
  });
  double total = 0.0;
  for (double v : change) total += v;
  return total;
}

// One backfitting step of a smooth term; returns sum w (change of f_j)^2.
inline double step_term(term_state& ts, const std::vector<double>& z, std::vector<double>& eta,
                        const std::vector<double>& w, int threads) {
  const additive_term& t = *ts.term;
  const std::size_t m = t.x.size(), n = z.size();
  // binned partial residual sums, sum over the observations at x_k of w (z - eta + f_j)
  parallel_chunks(m, kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t k = b; k < e; ++k) {
      double s = 0.0;
      for (std::size_t q = ts.start[k]; q < ts.start[k + 1]; ++q) {
        const std::size_t i = ts.perm[q];
        s += w[i] * (z[i] - eta[i] + ts.f[i]);
      }
      ts.sums[k] = s;
    }
  });
  std::vector<double>& c = ts.coef;
  c.assign(ts.sys.nb, 0.0);
  for (std::size_t k = 0; k < m; ++k) {
    const std::size_t f0 = ts.sys.first[k];
    const double* v = ts.sys.vals.data() + 4 * k;
    for (std::size_t a = 0; a < 4; ++a) c[f0 + a] += ts.sums[k] * v[a];
  }
  spline_detail::solve_band(ts.fac, c);
  const std::size_t nch = chunk_count(m, kGrain);
  // the spline at the distinct x, and the sums of its weighted line fit on [1, u]
  std::vector<double> part(nch * 5, 0.0);
  parallel_chunks(m, kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, t0 = 0.0, t1 = 0.0;
    for (std::size_t k = b; k < e; ++k) {
      const std::size_t f0 = ts.sys.first[k];
      const double* v = ts.sys.vals.data() + 4 * k;
      const double fit = v[0] * c[f0] + v[1] * c[f0 + 1] + v[2] * c[f0 + 2] + v[3] * c[f0 + 3];
      ts.fk[k] = fit;
      const double W = ts.d.W[k], u = t.x[k];
      s0 += W;
      s1 += W * u;
      s2 += W * u * u;
      t0 += W * fit;
      t1 += W * u * fit;
    }
    double* q = part.data() + 5 * ch;
    q[0] = s0; q[1] = s1; q[2] = s2; q[3] = t0; q[4] = t1;
  });
  double S[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
  for (std::size_t ch = 0; ch < nch; ++ch)
    for (int r = 0; r < 5; ++r) S[r] += part[5 * ch + r];
  // modified backfitting: keep only the nonlinear part of the smooth (the
  // linear part of every input is in the linear step)
  const double sxx = S[0] * S[2] - S[1] * S[1];
  const double slope = sxx > 0.0 ? (S[0] * S[4] - S[1] * S[3]) / sxx : 0.0;
  const double centre = (S[3] - slope * S[1]) / S[0];
  ts.center = centre;
  ts.slope = slope;
  return replace_component(n, threads, w, eta, ts.f,
                           [&](std::size_t i) { return ts.fk[t.bin[i]] - centre - slope * t.x[t.bin[i]]; });
}

// The linear part: X (n x p, column-major, first column the intercept).
struct linear_state {
  const double* X = nullptr;
  std::size_t n = 0, p = 0;
  std::vector<double> R;     // Cholesky factor of X'WX (lower, column-major)
  std::vector<double> beta, xb;
  bool ok = true;
};

inline void setup_linear(linear_state& ls, const std::vector<double>& w, int threads) {
  const std::size_t n = ls.n, p = ls.p;
  const std::size_t nch = chunk_count(n, kGrain);
  std::vector<double> part(nch * p * p, 0.0);
  parallel_chunks(n, kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
    double* A = part.data() + ch * p * p;
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t k = j; k < p; ++k) {
        const double* xj = ls.X + j * n;
        const double* xk = ls.X + k * n;
        double s = 0.0;
        for (std::size_t i = b; i < e; ++i) s += w[i] * xj[i] * xk[i];
        A[j * p + k] = s;
      }
  });
  std::vector<double> A(p * p, 0.0);
  for (std::size_t ch = 0; ch < nch; ++ch)
    for (std::size_t t = 0; t < p * p; ++t) A[t] += part[ch * p * p + t];
  // A[j * p + k] (j <= k) holds (X'WX)_{jk}; lower Cholesky R[k * p + j] = L_{jk}... stored as L(row j, col k) at j + k * p
  ls.R.assign(p * p, 0.0);
  ls.ok = true;
  for (std::size_t j = 0; j < p; ++j) {
    double dgn = A[j * p + j];
    for (std::size_t k = 0; k < j; ++k) dgn -= ls.R[j + k * p] * ls.R[j + k * p];
    if (!(dgn > 1e-12 * A[j * p + j]) || !(dgn > 0.0)) {
      ls.ok = false;
      return;
    }
    const double ljj = std::sqrt(dgn);
    ls.R[j + j * p] = ljj;
    for (std::size_t i = j + 1; i < p; ++i) {
      double s = A[j * p + i];
      for (std::size_t k = 0; k < j; ++k) s -= ls.R[i + k * p] * ls.R[j + k * p];
      ls.R[i + j * p] = s / ljj;
    }
  }
}

inline double step_linear(linear_state& ls, const std::vector<double>& z, std::vector<double>& eta,
                          const std::vector<double>& w, int threads) {
  const std::size_t n = ls.n, p = ls.p;
  const std::size_t nch = chunk_count(n, kGrain);
  std::vector<double> part(nch * p, 0.0);
  parallel_chunks(n, kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
    for (std::size_t j = 0; j < p; ++j) {
      const double* xj = ls.X + j * n;
      double s = 0.0;
      for (std::size_t i = b; i < e; ++i) s += w[i] * xj[i] * (z[i] - eta[i] + ls.xb[i]);
      part[ch * p + j] = s;
    }
  });
  std::vector<double> c(p, 0.0);
  for (std::size_t ch = 0; ch < nch; ++ch)
    for (std::size_t j = 0; j < p; ++j) c[j] += part[ch * p + j];
  for (std::size_t i = 0; i < p; ++i) {
    double s = c[i];
    for (std::size_t k = 0; k < i; ++k) s -= ls.R[i + k * p] * c[k];
    c[i] = s / ls.R[i + i * p];
  }
  for (std::size_t i = p; i-- > 0;) {
    double s = c[i];
    for (std::size_t k = i + 1; k < p; ++k) s -= ls.R[k + i * p] * c[k];
    c[i] = s / ls.R[i + i * p];
  }
  ls.beta = c;
  return replace_component(n, threads, w, eta, ls.xb, [&](std::size_t i) {
    double v = 0.0;
    for (std::size_t j = 0; j < p; ++j) v += ls.X[j * n + i] * c[j];
    return v;
  });
}

inline double weighted_square_sum(const std::vector<double>& v, const std::vector<double>& w, int threads) {
  const std::size_t n = v.size();
  std::vector<double> part(chunk_count(n, kGrain), 0.0);
  parallel_chunks(n, kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
    double s = 0.0;
    for (std::size_t i = b; i < e; ++i) s += w[i] * v[i] * v[i];
    part[ch] = s;
  });
  double total = 0.0;
  for (double p : part) total += p;
  return total;
}

inline double binomial_deviance(const std::vector<double>& y, const std::vector<double>& mu,
                                const std::vector<double>& w) {
  double dev = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double a = y[i] > 0.0 ? -y[i] * std::log(mu[i]) : 0.0;
    const double b = y[i] < 1.0 ? -(1.0 - y[i]) * std::log1p(-mu[i]) : 0.0;
    dev += 2.0 * w[i] * (a + b);
  }
  return dev;
}

}  // namespace additive_detail

// Fit the additive model. y: the response (0/1 for binomial); w: positive prior
// weights; X: the linear part (n x p column-major, first column all ones).
inline additive_result additive_model_fit(const std::vector<double>& y, const std::vector<double>& w,
                                          const double* X, std::size_t p,
                                          const std::vector<additive_term>& terms,
                                          const additive_options& o) {
  using namespace additive_detail;
  const std::size_t n = y.size(), J = terms.size();
  const int threads = std::max(1, o.threads);
  additive_result res;
  std::vector<term_state> ts(J);
  for (std::size_t j = 0; j < J; ++j) {
    ts[j].term = &terms[j];
    sort_term(ts[j], n);
  }
  // the linear step fits X and every smooth input (on its unit scale) linearly
  std::vector<double> P(n * (p + J));
  std::copy(X, X + n * p, P.begin());
  for (std::size_t j = 0; j < J; ++j)
    for (std::size_t i = 0; i < n; ++i) P[(p + j) * n + i] = terms[j].x[terms[j].bin[i]];
  linear_state ls;
  ls.X = P.data();
  ls.n = n;
  ls.p = p + J;
  ls.beta.assign(p + J, 0.0);
  ls.xb.assign(n, 0.0);
  std::vector<double> eta(n, 0.0), z(y), ww(w), mu(n, 0.0);
  double w_total = 0.0;

  auto setup = [&](const std::vector<double>& weights) {
    w_total = 0.0;
    for (double v : weights) w_total += v;
    parallel_tasks(J, threads, [&](std::size_t j) { setup_term(ts[j], weights, w_total); });
    setup_linear(ls, weights, threads);
  };
  auto faults = [&]() {
    if (!ls.ok) return 1;
    for (std::size_t j = 0; j < J; ++j) {
      if (!ts[j].reached) return 2;
      if (!ts[j].fac.ok) return 3;
    }
    return 0;
  };
  // Backfitting on working response z with weights ww, from the current terms.
  auto backfit = [&]() {
    for (int it = 0; it < o.max_iter; ++it) {
      if (hooks::aborted()) return false;
      ++res.iterations;
      double change = step_linear(ls, z, eta, ww, threads);
      for (std::size_t j = 0; j < J; ++j) change += step_term(ts[j], z, eta, ww, threads);
      const double size = weighted_square_sum(eta, ww, threads);
      if (std::sqrt(change / std::max(size, 1e-300)) < o.tol) return true;
    }
    return false;
  };

  if (o.family == 0) {
    setup(ww);
    res.fault = faults();
    if (res.fault) return res;
    res.inner_converged = backfit();
    res.converged = res.inner_converged;
    res.outer = 1;
    mu = eta;
    double dev = 0.0;
    for (std::size_t i = 0; i < n; ++i) dev += w[i] * (y[i] - eta[i]) * (y[i] - eta[i]);
    res.deviance = dev;
  } else {
    // start as glm does: mu = (w y + 1/2) / (w + 1)
    std::vector<double> eta0(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double m0 = (w[i] * y[i] + 0.5) / (w[i] + 1.0);
      eta0[i] = std::log(m0 / (1.0 - m0));
    }
    const double eps = std::numeric_limits<double>::epsilon();
    double dev_old = std::numeric_limits<double>::infinity();
    res.converged = false;
    res.inner_converged = true;
    for (int outer = 0; outer < o.max_outer; ++outer) {
      if (hooks::aborted()) break;
      const std::vector<double>& e = outer == 0 ? eta0 : eta;
      for (std::size_t i = 0; i < n; ++i) {
        const double m = 1.0 / (1.0 + std::exp(-e[i]));
        const double v = std::max(m * (1.0 - m), eps);
        ww[i] = w[i] * v;
        z[i] = e[i] + (y[i] - m) / v;
      }
      setup(ww);
      res.fault = faults();
      if (res.fault) return res;
      res.inner_converged = backfit();  // the last backfitting must converge
      res.outer = outer + 1;
      for (std::size_t i = 0; i < n; ++i) {
        const double m = 1.0 / (1.0 + std::exp(-eta[i]));
        mu[i] = std::min(std::max(m, eps), 1.0 - eps);
      }
      const double dev = binomial_deviance(y, mu, w);
      res.deviance = dev;
      if (std::abs(dev - dev_old) / (std::abs(dev) + 0.1) < o.outer_tol) {
        res.converged = true;
        break;
      }
      dev_old = dev;
    }
    res.converged = res.converged && res.inner_converged;
  }
  res.eta = eta;
  res.mu = mu;
  res.work_w = ww;
  res.work_z = z;
  // Each term f_j = its nonlinear part + (its input's linear coefficient) u,
  // centred to weighted mean zero; written as one spline (B-splines reproduce
  // lines: the coefficients xi_k, Greville's abscissae, give u), the constants
  // moved into the intercept.
  res.beta.assign(ls.beta.begin(), ls.beta.begin() + p);
  res.terms.resize(J);
  parallel_tasks(J, threads, [&](std::size_t j) {
    term_state& t = ts[j];
    additive_term_result& r = res.terms[j];
    const double b = ls.beta[p + j];
    const std::vector<double>& kn = t.sys.t;  // full knot sequence
    r.coef = t.coef;
    for (std::size_t k = 0; k < r.coef.size(); ++k) {
      const double xi = (kn[k + 1] + kn[k + 2] + kn[k + 3]) / 3.0;
      r.coef[k] += (b - t.slope) * xi - t.center;
    }
    const std::size_t m = t.term->x.size();
    double cw = 0.0, sw = 0.0;
    for (std::size_t k = 0; k < m; ++k) {
      const double g = t.fk[k] - t.center + (b - t.slope) * t.term->x[k];
      cw += t.d.W[k] * g;
      sw += t.d.W[k];
    }
    r.center = cw / sw;
    r.fitted.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t k = t.term->bin[i];
      r.fitted[i] = t.fk[k] - t.center + (b - t.slope) * t.term->x[k] - r.center;
    }
    r.lambda = t.lambda;
    const spline_fit f = smoothing_spline_fit(t.d, t.sys, t.lambda, false);
    r.df = f.df - 1.0;
    r.sigma = spline_detail::inverse_band(t.fac);
    r.reached = t.reached;
    r.pivots_ok = t.fac.ok;
  });
  for (std::size_t j = 0; j < J; ++j) res.beta[0] += res.terms[j].center;
  return res;
}

// b(x)' Sigma b(x) for a term's spline at x (unit scale), with Sigma given by
// its central diagonals; beyond [0, 1] the spline is linear, b(x) = b(edge) +
// (x - edge) b'(edge).
inline void additive_term_variance(const std::vector<double>& knots, const std::vector<double>& sigma,
                                   const double* x, std::size_t n, double* out) {
  std::vector<double> t;
  t.reserve(knots.size() + 6);
  for (int r = 0; r < 3; ++r) t.push_back(knots.front());
  t.insert(t.end(), knots.begin(), knots.end());
  for (int r = 0; r < 3; ++r) t.push_back(knots.back());
  const std::size_t K = t.size(), m = 4;
  const double lo = knots.front(), hi = knots.back();
  auto sig = [&](std::size_t a, std::size_t b) -> double {
    if (a > b) std::swap(a, b);
    return b - a <= spline_detail::kBand ? sigma[a * 4 + (b - a)] : 0.0;
  };
  double v[4], d1[4], work[4];
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(x[i])) {
      out[i] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    const double u = std::min(std::max(x[i], lo), hi);
    const std::size_t l = bspline_interval(t.data(), K, m, u);
    bspline_local(t.data(), m, l, u, 0, v, work);
    if (x[i] != u) {
      bspline_local(t.data(), m, l, u, 1, d1, work);
      for (int a = 0; a < 4; ++a) v[a] += (x[i] - u) * d1[a];
    }
    const std::size_t f0 = l - 3;
    double q = 0.0;
    for (std::size_t a = 0; a < 4; ++a)
      for (std::size_t b = 0; b < 4; ++b) q += v[a] * v[b] * sig(f0 + a, f0 + b);
    out[i] = q;
  }
}

}  // namespace statlearn

#endif
