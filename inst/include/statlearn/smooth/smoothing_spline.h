// statlearn/smooth/smoothing_spline.h -- cubic smoothing splines (ESL 5.4-5.5)
// in O(n) operations.
//
// Among all functions with two continuous derivatives, the minimiser of
//   sum_i w_i (y_i - f(x_i))^2 + lambda * integral f''(t)^2 dt
// is a natural cubic spline with knots at the distinct x values t_1 < ... <
// t_m (ESL 5.4). It is determined by its values g_k = f(t_k) and its second
// derivatives gamma_k at the interior knots (zero at t_1 and t_m), which
// satisfy Q'g = R gamma, where, with h_k = t_{k+1} - t_k, Q (m x (m-2)) and
// R ((m-2) x (m-2), tridiagonal) are Green and Silverman's band matrices.
// Reinsch's algorithm: with W the summed weights at each knot and ybar the
// weighted mean response there,
//   (R + lambda Q' W^-1 Q) gamma = Q' ybar,   g = ybar - lambda W^-1 Q gamma,
// a five-diagonal positive definite system, solved by a banded LDL'
// factorisation. The diagonal of the smoother matrix S (g = S ybar),
//   S_kk = 1 - (lambda / W_k) (Q M^-1 Q')_kk,   M = R + lambda Q' W^-1 Q,
// needs only the five central diagonals of M^-1, which the factors give in
// O(m) (Hutchinson and de Hoog 1985). Hence the effective degrees of freedom
// trace(S) (ESL 5.4.1), generalised cross-validation and the exact
// leave-one-out residuals (y_i - f(x_i)) / (1 - S_ii) (ESL 5.5.2, 7.52), all
// in O(n) for each lambda.
#ifndef STATLEARN_SMOOTHING_SPLINE_H
#define STATLEARN_SMOOTHING_SPLINE_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace statlearn {

// The data on the distinct knots, and the observations for the
// leave-one-out criterion.
struct spline_knots {
  std::vector<double> t, ybar, W;  // m knots, weighted mean response, summed weights
  double pure_ss = 0.0;            // sum w_i (y_i - ybar_k(i))^2: the part of the RSS no fit removes
  // Observations (for leave-one-out): knot index, response, weight.
  std::vector<std::size_t> obs_knot;
  std::vector<double> obs_y, obs_w;
  double n_obs = 0.0;  // number of observations with positive weight
};

struct spline_fit {
  double lambda = 0.0, df = 0.0, rss = 0.0, gcv = 0.0, loo = 0.0;
  std::vector<double> g, gamma, leverage;  // g, gamma (m values, zero at the ends), S_kk
};

namespace spline_detail {

// Band matrices of the knots: Q' W^-1 Q and R as three diagonals each (main,
// first and second off-diagonal; R has no second).
struct bands {
  std::size_t m = 0;
  std::vector<double> h, r0, r1, p0, p1, p2;
};

inline bands make_bands(const spline_knots& d) {
  bands b;
  const std::size_t m = d.t.size();
  b.m = m;
  b.h.resize(m - 1);
  for (std::size_t k = 0; k + 1 < m; ++k) b.h[k] = d.t[k + 1] - d.t[k];
  const std::size_t q = m - 2;
  b.r0.assign(q, 0.0);
  b.r1.assign(q, 0.0);
  b.p0.assign(q, 0.0);
  b.p1.assign(q, 0.0);
  b.p2.assign(q, 0.0);
  // Column j of Q (interior knot j + 1): entries at knots j, j + 1, j + 2.
  auto qcol = [&](std::size_t j, double* c) {
    c[0] = 1.0 / b.h[j];
    c[1] = -1.0 / b.h[j] - 1.0 / b.h[j + 1];
    c[2] = 1.0 / b.h[j + 1];
  };
  for (std::size_t j = 0; j < q; ++j) {
    b.r0[j] = (b.h[j] + b.h[j + 1]) / 3.0;
    if (j + 1 < q) b.r1[j] = b.h[j + 1] / 6.0;
    double a[3], c[3];
    qcol(j, a);
    b.p0[j] = a[0] * a[0] / d.W[j] + a[1] * a[1] / d.W[j + 1] + a[2] * a[2] / d.W[j + 2];
    if (j + 1 < q) {
      qcol(j + 1, c);  // knots j + 1 .. j + 3
      b.p1[j] = a[1] * c[0] / d.W[j + 1] + a[2] * c[1] / d.W[j + 2];
    }
    if (j + 2 < q) {
      qcol(j + 2, c);  // knots j + 2 .. j + 4
      b.p2[j] = a[2] * c[0] / d.W[j + 2];
    }
  }
  return b;
}

}  // namespace spline_detail

// The smoothing spline at one lambda (> 0), with its df, RSS, GCV and
// leave-one-out criteria. Needs m >= 3 knots with positive weights.
inline spline_fit smoothing_spline_fit(const spline_knots& d, const spline_detail::bands& b, double lambda) {
  const std::size_t m = b.m, q = m - 2;
  spline_fit f;
  f.lambda = lambda;
  // M = R + lambda P (five diagonals), factored M = L D L' (L unit lower, band 2).
  std::vector<double> D(q), L1(q, 0.0), L2(q, 0.0);
  for (std::size_t j = 0; j < q; ++j) {
    const double m0 = b.r0[j] + lambda * b.p0[j];
    double dj = m0;
    if (j >= 1) dj -= L1[j - 1] * L1[j - 1] * D[j - 1];
    if (j >= 2) dj -= L2[j - 2] * L2[j - 2] * D[j - 2];
    D[j] = dj;
    if (j + 1 < q) {
      double m1 = b.r1[j] + lambda * b.p1[j];
      if (j >= 1) m1 -= L1[j - 1] * D[j - 1] * L2[j - 1];
      L1[j] = m1 / dj;
    }
    if (j + 2 < q) L2[j] = (lambda * b.p2[j]) / dj;
  }
  // Right-hand side Q' ybar, then forward, diagonal and backward solves.
  std::vector<double> z(q);
  for (std::size_t j = 0; j < q; ++j) {
    z[j] = d.ybar[j] / b.h[j] - d.ybar[j + 1] * (1.0 / b.h[j] + 1.0 / b.h[j + 1]) + d.ybar[j + 2] / b.h[j + 1];
  }
  for (std::size_t j = 0; j < q; ++j) {
    if (j >= 1) z[j] -= L1[j - 1] * z[j - 1];
    if (j >= 2) z[j] -= L2[j - 2] * z[j - 2];
  }
  for (std::size_t j = 0; j < q; ++j) z[j] /= D[j];
  for (std::size_t jj = q; jj-- > 0;) {
    if (jj + 1 < q) z[jj] -= L1[jj] * z[jj + 1];
    if (jj + 2 < q) z[jj] -= L2[jj] * z[jj + 2];
  }
  f.gamma.assign(m, 0.0);
  for (std::size_t j = 0; j < q; ++j) f.gamma[j + 1] = z[j];
  // g = ybar - lambda W^-1 Q gamma; (Q gamma)_k from the columns touching knot k.
  f.g.resize(m);
  for (std::size_t k = 0; k < m; ++k) {
    double qg = 0.0;
    if (k >= 2) qg += z[k - 2] / b.h[k - 1];                                   // column k - 2
    if (k >= 1 && k - 1 < q) qg += z[k - 1] * (-1.0 / b.h[k - 1] - 1.0 / b.h[k]);  // column k - 1
    if (k < q) qg += z[k] / b.h[k];                                              // column k
    f.g[k] = d.ybar[k] - lambda * qg / d.W[k];
  }
  // Five central diagonals of M^-1 from the factors (backward recursion).
  std::vector<double> s0(q), s1(q, 0.0), s2(q, 0.0);
  for (std::size_t jj = q; jj-- > 0;) {
    const double l1 = jj + 1 < q ? L1[jj] : 0.0, l2 = jj + 2 < q ? L2[jj] : 0.0;
    const double S11 = jj + 1 < q ? s0[jj + 1] : 0.0, S22 = jj + 2 < q ? s0[jj + 2] : 0.0;
    const double S12 = jj + 1 < q ? s1[jj + 1] : 0.0;  // (j+1, j+2)
    // Sigma_{j, j+1}, Sigma_{j, j+2} = -sum_k L_{k,j} Sigma_{k, .}
    if (jj + 1 < q) s1[jj] = -(l1 * S11 + l2 * S12);
    if (jj + 2 < q) s2[jj] = -(l1 * S12 + l2 * S22);
    s0[jj] = 1.0 / D[jj] - l1 * s1[jj] - l2 * s2[jj];
  }
  auto sigma = [&](std::size_t a, std::size_t c) {
    if (a > c) std::swap(a, c);
    const std::size_t dd = c - a;
    return dd == 0 ? s0[a] : dd == 1 ? s1[a] : dd == 2 ? s2[a] : 0.0;
  };
  // S_kk = 1 - lambda / W_k * sum_{a,c} Q_{k,a} Q_{k,c} Sigma_{a,c}.
  f.leverage.resize(m);
  double df = 0.0, rss = d.pure_ss;
  for (std::size_t k = 0; k < m; ++k) {
    std::size_t cols[3];
    double vals[3];
    std::size_t nc = 0;
    if (k >= 2) { cols[nc] = k - 2; vals[nc++] = 1.0 / b.h[k - 1]; }
    if (k >= 1 && k - 1 < q) { cols[nc] = k - 1; vals[nc++] = -1.0 / b.h[k - 1] - 1.0 / b.h[k]; }
    if (k < q) { cols[nc] = k; vals[nc++] = 1.0 / b.h[k]; }
    double s = 0.0;
    for (std::size_t u = 0; u < nc; ++u)
      for (std::size_t v = 0; v < nc; ++v) s += vals[u] * vals[v] * sigma(cols[u], cols[v]);
    f.leverage[k] = 1.0 - lambda * s / d.W[k];
    df += f.leverage[k];
    const double r = d.ybar[k] - f.g[k];
    rss += d.W[k] * r * r;
  }
  // The trace computed as 2 + trace(M^-1 R) (since lambda Q'W^-1 Q = M - R,
  // trace(S) = m - (m - 2) + trace(M^-1 R)): a sum without the cancellation
  // of the S_kk when lambda is large. (df above is the same in exact arithmetic.)
  (void)df;
  double tr = 0.0;
  for (std::size_t j = 0; j < q; ++j) {
    tr += s0[j] * b.r0[j];
    if (j + 1 < q) tr += 2.0 * s1[j] * b.r1[j];
  }
  f.df = 2.0 + tr;
  f.rss = rss;
  const double n = d.n_obs;
  f.gcv = (rss / n) / ((1.0 - f.df / n) * (1.0 - f.df / n));
  double loo = 0.0;
  for (std::size_t i = 0; i < d.obs_y.size(); ++i) {
    if (!(d.obs_w[i] > 0.0)) continue;
    const std::size_t k = d.obs_knot[i];
    const double lev = f.leverage[k] * d.obs_w[i] / d.W[k];
    const double r = (d.obs_y[i] - f.g[k]) / (1.0 - lev);
    loo += d.obs_w[i] * r * r;
  }
  f.loo = loo / n;
  return f;
}

// The scale of lambda for the data: the penalty is an integral over the
// units of x and the fit's term a weighted sum over the observations, so the
// lambda that gives a fixed number of degrees of freedom grows like range(x)^3
// times the weight of the data. Searches run over log10(lambda / scale) in
// [search_low, search_high], which spans interpolation (df near the number
// of knots, lambda ~ scale / n^3) to the straight line (lambda ~ scale n).
struct spline_search {
  double scale, low, high;
};

inline spline_search smoothing_spline_search(const spline_knots& d) {
  const double range = d.t.back() - d.t.front();
  double wsum = 0.0;
  for (double w : d.W) wsum += w;
  const double n = std::max(d.n_obs, 3.0);
  const double ln = std::log10(n);
  return {range * range * range * wsum / n, -3.0 * ln - 6.0, ln + 10.0};
}

// lambda with trace(S) = df (2 < df < m), by bisection on log lambda (the df
// decreases as lambda grows).
inline spline_fit smoothing_spline_df(const spline_knots& d, double df) {
  const spline_detail::bands b = spline_detail::make_bands(d);
  const spline_search s = smoothing_spline_search(d);
  double lo = s.low, hi = s.high;
  for (int it = 0; it < 200 && hi - lo > 1e-13; ++it) {
    const double mid = 0.5 * (lo + hi);
    const spline_fit f = smoothing_spline_fit(d, b, s.scale * std::pow(10.0, mid));
    if (f.df > df) lo = mid; else hi = mid;
  }
  return smoothing_spline_fit(d, b, s.scale * std::pow(10.0, 0.5 * (lo + hi)));
}

// lambda minimising GCV (criterion 0) or leave-one-out CV (1): a grid of
// log lambda (a quarter decade apart), then golden-section search between
// the neighbours of the best grid point.
inline spline_fit smoothing_spline_select(const spline_knots& d, int criterion) {
  const spline_detail::bands b = spline_detail::make_bands(d);
  const spline_search s = smoothing_spline_search(d);
  auto crit = [&](double u) {
    const spline_fit f = smoothing_spline_fit(d, b, s.scale * std::pow(10.0, u));
    return criterion == 0 ? f.gcv : f.loo;
  };
  const double step = 0.25;
  double best_u = s.low, best_c = std::numeric_limits<double>::infinity();
  for (double u = s.low; u <= s.high + 1e-12; u += step) {
    const double c = crit(u);
    if (c < best_c) { best_c = c; best_u = u; }
  }
  double a = std::max(s.low, best_u - step), c = std::min(s.high, best_u + step);
  const double gr = 0.5 * (std::sqrt(5.0) - 1.0);
  double x1 = c - gr * (c - a), x2 = a + gr * (c - a);
  double f1 = crit(x1), f2 = crit(x2);
  for (int it = 0; it < 100 && c - a > 1e-10; ++it) {
    if (f1 <= f2) {
      c = x2; x2 = x1; f2 = f1; x1 = c - gr * (c - a); f1 = crit(x1);
    } else {
      a = x1; x1 = x2; f1 = f2; x2 = a + gr * (c - a); f2 = crit(x2);
    }
  }
  const double u = f1 <= f2 ? x1 : x2;
  return smoothing_spline_fit(d, b, s.scale * std::pow(10.0, u));
}

// The fitted natural cubic spline (knots t, values g, second derivatives
// gamma) and its derivatives at x; linear beyond the boundary knots.
inline double natural_spline_value(const std::vector<double>& t, const std::vector<double>& g,
                                   const std::vector<double>& gamma, double x, int deriv) {
  const std::size_t m = t.size();
  const double h0 = t[1] - t[0], hl = t[m - 1] - t[m - 2];
  if (x < t[0]) {
    const double slope = (g[1] - g[0]) / h0 - h0 * gamma[1] / 6.0;
    return deriv == 0 ? g[0] + (x - t[0]) * slope : deriv == 1 ? slope : 0.0;
  }
  if (x > t[m - 1]) {
    const double slope = (g[m - 1] - g[m - 2]) / hl + hl * gamma[m - 2] / 6.0;
    return deriv == 0 ? g[m - 1] + (x - t[m - 1]) * slope : deriv == 1 ? slope : 0.0;
  }
  std::size_t k = static_cast<std::size_t>(std::upper_bound(t.begin(), t.end(), x) - t.begin());
  k = k == 0 ? 0 : std::min(k - 1, m - 2);
  const double h = t[k + 1] - t[k], a = x - t[k], c = t[k + 1] - x;
  const double g0 = g[k], g1 = g[k + 1], c0 = gamma[k], c1 = gamma[k + 1];
  switch (deriv) {
    case 0:
      return (a * g1 + c * g0) / h - a * c / 6.0 * ((1.0 + a / h) * c1 + (1.0 + c / h) * c0);
    case 1:
      return (g1 - g0) / h + (c0 - c1) * h / 6.0 - c0 * c * c / (2.0 * h) + c1 * a * a / (2.0 * h);
    case 2:
      return (c * c0 + a * c1) / h;
    default:
      return deriv == 3 ? (c1 - c0) / h : 0.0;
  }
}

}  // namespace statlearn

#endif
