// statlearn/smooth/smoothing_spline.h -- cubic smoothing splines (ESL 5.4-5.5).
//
// The minimiser over functions with two continuous derivatives of
//   sum_i w_i (y_i - f(x_i))^2 + lambda * integral f''(t)^2 dt
// is a natural cubic spline with knots at the distinct x (ESL 5.4). As in
// ESL eq. 5.11-5.12 (and stats::smooth.spline), it is computed in the cubic
// B-spline basis B on a set of knots -- all distinct x, or, for many x, an
// evenly spread subset of them (the "thinning" ESL 5.4 describes, which
// changes the fit negligibly and keeps the problem well conditioned):
//   (B'WB + lambda Omega) theta = B'Wy,   Omega_jk = integral B_j'' B_k'',
// a symmetric positive definite band system of half-bandwidth 3, solved by a
// band LDL' factorisation in O(n). The diagonal of the smoother matrix,
// S_ii = w_i b_i' (B'WB + lambda Omega)^-1 b_i, needs only the four central
// diagonals of the inverse, which the factors give in O(n) (Hutchinson and
// de Hoog 1985); hence the effective degrees of freedom trace(S) (ESL
// 5.4.1), generalised cross-validation and the exact leave-one-out
// residuals (ESL 5.5.2) for each lambda in O(n).
//
// The inputs here are already reduced to the distinct x (scaled to [0, 1]):
// their summed weights W_k and weighted mean responses ybar_k; the
// observations are kept for the leave-one-out criterion.
#ifndef STATLEARN_SMOOTHING_SPLINE_H
#define STATLEARN_SMOOTHING_SPLINE_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "statlearn/basis/bspline.h"

namespace statlearn {

struct spline_data {
  std::vector<double> x, ybar, W;  // distinct x (sorted, in [0, 1]), mean response, summed weight
  double pure_ss = 0.0;            // sum w_i (y_i - ybar_k(i))^2: the part of the RSS no fit removes
  std::vector<std::size_t> obs_knot;  // each observation's distinct x
  std::vector<double> obs_y, obs_w;
  double n_obs = 0.0, w_total = 0.0;  // observations with positive weight, and their total weight
  std::vector<double> knots;          // the knots (sorted, first 0, last 1)
};

struct spline_fit {
  double lambda = 0.0, df = 0.0, rss = 0.0, gcv = 0.0, loo = 0.0;
  std::vector<double> coef;      // B-spline coefficients
  std::vector<double> fitted;    // at the distinct x
  std::vector<double> leverage;  // W_k b_k' A^-1 b_k, per distinct x
  bool pivots_ok = true;         // every pivot of the factorisation positive
};

namespace spline_detail {

constexpr std::size_t kBand = 3;  // half-bandwidth of the cubic B-spline systems

// The band systems of the data: four diagonals (0..3) of B'WB and of Omega,
// B'W ybar, and each distinct x's first basis function and four values.
struct system {
  std::size_t nb = 0;
  std::vector<double> t;         // full knot sequence (boundary knots four times)
  std::vector<double> G, O;      // nb x 4: G[j * 4 + d] = (B'WB)_{j, j+d}
  std::vector<double> bwy;       // B'W ybar
  std::vector<std::size_t> first;
  std::vector<double> vals;      // 4 per distinct x
  // For the criteria without a pass over the data (spline_criteria): the
  // weighted mean of the response, B'W (ybar - mu) and sum W (ybar - mu)^2.
  double mu = 0.0, yy = 0.0;
  std::vector<double> bwy_centred;
};

// The right-hand side B'W(y - mu) of the centred response, mu the weighted
// mean: the basis sums to one, so sum_j (B'Wy)_j = sum W y and B'W 1 is the
// row sums of the band G. Solving for the centred response and adding mu to
// the coefficients gives the same fit, without the rounding a large mean
// brings (A is ill-conditioned along the straight lines for large lambda)
// and keeping y'Wy - 2 z'B'Wy + z'G z (the RSS without a pass over the
// data) free of cancellation.
inline std::vector<double> centred_rhs(const system& s, double* mu) {
  std::vector<double> row(s.nb, 0.0);
  double sw = 0.0, swy = 0.0;
  for (std::size_t j = 0; j < s.nb; ++j) {
    for (std::size_t dd = 0; dd <= kBand && j + dd < s.nb; ++dd) row[j] += s.G[j * 4 + dd];
    for (std::size_t dd = 1; dd <= kBand && dd <= j; ++dd) row[j] += s.G[(j - dd) * 4 + dd];
    sw += row[j];
    swy += s.bwy[j];
  }
  *mu = sw > 0.0 ? swy / sw : 0.0;
  std::vector<double> out(s.nb);
  for (std::size_t j = 0; j < s.nb; ++j) out[j] = s.bwy[j] - *mu * row[j];
  return out;
}

inline system make_system(const spline_data& d) {
  system s;
  const std::vector<double>& k = d.knots;
  s.t.reserve(k.size() + 6);
  for (int r = 0; r < 3; ++r) s.t.push_back(k.front());
  s.t.insert(s.t.end(), k.begin(), k.end());
  for (int r = 0; r < 3; ++r) s.t.push_back(k.back());
  const std::size_t K = s.t.size(), m = 4;
  s.nb = K - m;
  s.G.assign(s.nb * 4, 0.0);
  s.O.assign(s.nb * 4, 0.0);
  s.bwy.assign(s.nb, 0.0);
  const std::size_t n = d.x.size();
  s.first.resize(n);
  s.vals.resize(4 * n);
  double local[4], work[4];
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t l = bspline_interval(s.t.data(), K, m, d.x[i]);
    bspline_local(s.t.data(), m, l, d.x[i], 0, local, work);
    const std::size_t f = l - 3;
    s.first[i] = f;
    for (std::size_t a = 0; a < 4; ++a) {
      s.vals[4 * i + a] = local[a];
      s.bwy[f + a] += d.W[i] * d.ybar[i] * local[a];
      for (std::size_t b = a; b < 4; ++b) s.G[(f + a) * 4 + (b - a)] += d.W[i] * local[a] * local[b];
    }
  }
  // Omega: on each knot interval the second derivatives are linear, so
  // integral f g = h / 6 (2 f0 g0 + f0 g1 + f1 g0 + 2 f1 g1) is exact.
  double d0[4], d1[4];
  for (std::size_t l = 3; l + 4 < K; ++l) {
    const double h = s.t[l + 1] - s.t[l];
    if (!(h > 0.0)) continue;
    bspline_local(s.t.data(), m, l, s.t[l], 2, d0, work);
    bspline_local(s.t.data(), m, l, s.t[l + 1], 2, d1, work);
    const std::size_t f = l - 3;
    for (std::size_t a = 0; a < 4; ++a)
      for (std::size_t b = a; b < 4; ++b)
        s.O[(f + a) * 4 + (b - a)] +=
            h / 6.0 * (2.0 * d0[a] * d0[b] + d0[a] * d1[b] + d1[a] * d0[b] + 2.0 * d1[a] * d1[b]);
  }
  s.bwy_centred = centred_rhs(s, &s.mu);
  s.yy = 0.0;
  for (std::size_t i = 0; i < n; ++i) s.yy += d.W[i] * (d.ybar[i] - s.mu) * (d.ybar[i] - s.mu);
  return s;
}

// A = G + lambda O = L D L' (L unit lower triangular, band 3): L[j * 4 + d]
// = L_{j+d, j}. Returns whether every pivot is positive.
inline bool band_factor(const system& s, double lambda, std::vector<double>& L, std::vector<double>& D) {
  const std::size_t nb = s.nb;
  L.assign(nb * 4, 0.0);
  D.assign(nb, 0.0);
  bool ok = true;
  for (std::size_t j = 0; j < nb; ++j) {
    double dj = s.G[j * 4] + lambda * s.O[j * 4];
    for (std::size_t k = (j >= kBand ? j - kBand : 0); k < j; ++k) dj -= L[k * 4 + (j - k)] * L[k * 4 + (j - k)] * D[k];
    D[j] = dj;
    ok = ok && dj > 0;
    for (std::size_t dd = 1; dd <= kBand && j + dd < nb; ++dd) {
      const std::size_t i = j + dd;  // L_{i, j}
      double v = s.G[j * 4 + dd] + lambda * s.O[j * 4 + dd];
      for (std::size_t k = (i >= kBand ? i - kBand : 0); k < j; ++k) v -= L[k * 4 + (i - k)] * L[k * 4 + (j - k)] * D[k];
      L[j * 4 + dd] = v / dj;
    }
  }
  return ok;
}

// Solves L D L' z = z in place.
inline void band_solve(const std::vector<double>& L, const std::vector<double>& D, std::vector<double>& z) {
  const std::size_t nb = D.size();
  for (std::size_t i = 0; i < nb; ++i)
    for (std::size_t k = (i >= kBand ? i - kBand : 0); k < i; ++k) z[i] -= L[k * 4 + (i - k)] * z[k];
  for (std::size_t i = 0; i < nb; ++i) z[i] /= D[i];
  for (std::size_t i = nb; i-- > 0;)
    for (std::size_t dd = 1; dd <= kBand && i + dd < nb; ++dd) z[i] -= L[i * 4 + dd] * z[i + dd];
}

// The four central diagonals of A^-1 from its factors (Hutchinson and de
// Hoog): Sg[j * 4 + d] = (A^-1)_{j, j+d}.
inline void band_inverse(const std::vector<double>& L, const std::vector<double>& D, std::vector<double>& Sg) {
  const std::size_t nb = D.size();
  Sg.assign(nb * 4, 0.0);
  auto sig = [&](std::size_t a, std::size_t b) -> double {
    if (a > b) std::swap(a, b);
    return b - a <= kBand ? Sg[a * 4 + (b - a)] : 0.0;
  };
  for (std::size_t i = nb; i-- > 0;) {
    for (std::size_t dd = kBand; dd >= 1; --dd) {
      if (i + dd >= nb) continue;
      double v = 0.0;
      for (std::size_t e = 1; e <= kBand && i + e < nb; ++e) v -= L[i * 4 + e] * sig(i + e, i + dd);
      Sg[i * 4 + dd] = v;
    }
    double v = 1.0 / D[i];
    for (std::size_t e = 1; e <= kBand && i + e < nb; ++e) v -= L[i * 4 + e] * Sg[i * 4 + e];
    Sg[i * 4] = v;
  }
}

}  // namespace spline_detail

// The penalised fit at one lambda (on the scale of the [0, 1] x), with its
// df, weighted RSS, GCV and leave-one-out criteria.
inline spline_fit smoothing_spline_fit(const spline_data& d, const spline_detail::system& s, double lambda,
                                       bool with_loo = true) {
  using spline_detail::kBand;
  spline_fit f;
  f.lambda = lambda;
  std::vector<double> L, D, Sg;
  f.pivots_ok = spline_detail::band_factor(s, lambda, L, D);
  double mu = 0.0;
  std::vector<double> z = spline_detail::centred_rhs(s, &mu);
  spline_detail::band_solve(L, D, z);
  for (double& v : z) v += mu;
  f.coef = z;
  spline_detail::band_inverse(L, D, Sg);
  auto sig = [&](std::size_t a, std::size_t b) -> double {
    if (a > b) std::swap(a, b);
    return b - a <= kBand ? Sg[a * 4 + (b - a)] : 0.0;
  };
  using real = double;
  const std::size_t m = d.x.size();
  f.fitted.resize(m);
  f.leverage.resize(m);
  double df = 0.0, rss = d.pure_ss;
  for (std::size_t k = 0; k < m; ++k) {
    const std::size_t fi = s.first[k];
    const double* v = s.vals.data() + 4 * k;
    real fit = 0.0, q = 0.0;
    for (std::size_t a = 0; a < 4; ++a) {
      fit += v[a] * z[fi + a];
      for (std::size_t b = 0; b < 4; ++b) q += v[a] * v[b] * sig(fi + a, fi + b);
    }
    f.fitted[k] = static_cast<double>(fit);
    f.leverage[k] = static_cast<double>(d.W[k] * q);
    df += f.leverage[k];
    const double r = d.ybar[k] - fit;
    rss += d.W[k] * r * r;
  }
  f.df = df;
  f.rss = rss;
  const double n = d.n_obs;
  f.gcv = (rss / d.w_total) / ((1.0 - df / n) * (1.0 - df / n));
  double loo = 0.0;
  for (std::size_t i = 0; with_loo && i < d.obs_y.size(); ++i) {
    if (!(d.obs_w[i] > 0.0)) continue;
    const std::size_t k = d.obs_knot[i];
    const double lev = f.leverage[k] * d.obs_w[i] / d.W[k];
    const double r = (d.obs_y[i] - f.fitted[k]) / (1.0 - lev);
    loo += d.obs_w[i] * r * r;
  }
  f.loo = with_loo ? loo / d.w_total : std::numeric_limits<double>::quiet_NaN();
  return f;
}

// The df, weighted RSS and GCV at one lambda without a pass over the data,
// in O(number of knots): df = trace(S) = trace(A^-1 G) (S_kk = W_k b_k'
// A^-1 b_k summed over k), and RSS = pure_ss + sum W (ybar - mu)^2 -
// 2 z'B'W(ybar - mu) + z'G z for the fit z of the centred response.
// Buffers are reused across calls.
struct spline_criteria {
  double df = 0.0, rss = 0.0, gcv = 0.0;
  bool pivots_ok = true;
};

struct spline_workspace {
  std::vector<double> L, D, Sg, z;
};

inline spline_criteria smoothing_spline_criteria(const spline_data& d, const spline_detail::system& s,
                                                 double lambda, spline_workspace& w) {
  using spline_detail::kBand;
  const std::size_t nb = s.nb;
  spline_criteria c;
  c.pivots_ok = spline_detail::band_factor(s, lambda, w.L, w.D);
  w.z.assign(s.bwy_centred.begin(), s.bwy_centred.end());
  spline_detail::band_solve(w.L, w.D, w.z);
  spline_detail::band_inverse(w.L, w.D, w.Sg);
  double df = 0.0, zb = 0.0, zgz = 0.0;
  for (std::size_t j = 0; j < nb; ++j) {
    df += w.Sg[j * 4] * s.G[j * 4];
    zb += w.z[j] * s.bwy_centred[j];
    zgz += w.z[j] * w.z[j] * s.G[j * 4];
    for (std::size_t dd = 1; dd <= kBand && j + dd < nb; ++dd) {
      df += 2.0 * w.Sg[j * 4 + dd] * s.G[j * 4 + dd];
      zgz += 2.0 * w.z[j] * w.z[j + dd] * s.G[j * 4 + dd];
    }
  }
  c.df = df;
  c.rss = std::max(0.0, d.pure_ss + s.yy - 2.0 * zb + zgz);
  const double n = d.n_obs;
  c.gcv = (c.rss / d.w_total) / ((1.0 - df / n) * (1.0 - df / n));
  return c;
}

// The range of lambda searched (x on [0, 1]): lambda = scale * 10^u with
// scale the mean weight and u in [low, high]. For n points the roughest
// component of the fit is penalised about n^3 times more than the smoothest
// non-linear one, and that one has integral f''^2 of order 1e4 / n per unit
// sum of squares; so low = -4 log10(n) - 4 is near interpolation and high =
// log10(n) + 3 leaves df - 2 below about 1e-6, the straight line. (Beyond it
// the rounding of Omega's null space, the straight lines, would show.)
struct spline_search {
  double scale, low, high;
};

inline spline_search smoothing_spline_range(const spline_data& d) {
  const double ln = std::log10(std::max(d.n_obs, 4.0));
  return {d.w_total / d.n_obs, -4.0 * ln - 4.0, ln + 3.0};
}

// lambda with trace(S) = df, by bisection on u (the df decreases as lambda grows).
inline spline_fit smoothing_spline_df(const spline_data& d, double df) {
  const spline_detail::system s = spline_detail::make_system(d);
  const spline_search r = smoothing_spline_range(d);
  spline_workspace w;
  double lo = r.low, hi = r.high;
  for (int it = 0; it < 200 && hi - lo > 1e-12; ++it) {
    const double mid = 0.5 * (lo + hi);
    const spline_criteria c = smoothing_spline_criteria(d, s, r.scale * std::pow(10.0, mid), w);
    if (c.df > df) lo = mid; else hi = mid;
  }
  return smoothing_spline_fit(d, s, r.scale * std::pow(10.0, 0.5 * (lo + hi)));
}

// lambda minimising GCV (criterion 0) or leave-one-out CV (1): a grid of u
// half a decade apart, then golden-section search between the neighbours of
// the best grid point. Fits that (nearly) interpolate are not candidates:
// there both criteria are 0/0 (1 - df/n and 1 - S_ii go to zero with the
// residuals) and rounding alone decides them; so a candidate needs df at most
// 0.95 n and every leverage below 0.999. Both the df and every leverage
// S_kk decrease as lambda grows ((G + lambda O)^-1 decreases), so the
// candidates are the u above one threshold: the pass over the data that
// finds the largest leverage is made only for u between the largest u known
// to fail and the smallest known to pass. GCV itself needs no pass over the
// data (smoothing_spline_criteria); leave-one-out does.
inline spline_fit smoothing_spline_select(const spline_data& d, int criterion) {
  const spline_detail::system s = spline_detail::make_system(d);
  const spline_search r = smoothing_spline_range(d);
  spline_workspace w;
  const double inf = std::numeric_limits<double>::infinity();
  double u_pass = inf, u_fail = -inf;
  auto crit = [&](double u) {
    const double lambda = r.scale * std::pow(10.0, u);
    const spline_criteria c = smoothing_spline_criteria(d, s, lambda, w);
    if (!(c.df <= 0.95 * d.n_obs) || !c.pivots_ok || u <= u_fail) return inf;
    spline_fit f;
    const bool need_fit = criterion == 1 || u < u_pass;
    if (need_fit) {
      f = smoothing_spline_fit(d, s, lambda, criterion == 1);
      if (u < u_pass) {
        double worst = 0.0;
        for (std::size_t k = 0; k < f.leverage.size(); ++k) worst = std::max(worst, f.leverage[k]);
        if (!(worst < 0.999)) {
          u_fail = std::max(u_fail, u);
          return inf;
        }
        u_pass = u;
      }
    }
    return criterion == 0 ? c.gcv : f.loo;
  };
  const double step = 0.5;
  double best_u = r.high, best_c = inf;
  for (double u = r.low; u <= r.high + 1e-12; u += step) {
    const double c = crit(u);
    if (c < best_c) { best_c = c; best_u = u; }
  }
  double a = std::max(r.low, best_u - step), c = std::min(r.high, best_u + step);
  const double gr = 0.5 * (std::sqrt(5.0) - 1.0);
  double x1 = c - gr * (c - a), x2 = a + gr * (c - a);
  double f1 = crit(x1), f2 = crit(x2);
  for (int it = 0; it < 100 && c - a > 1e-8; ++it) {
    if (f1 <= f2) {
      c = x2; x2 = x1; f2 = f1; x1 = c - gr * (c - a); f1 = crit(x1);
    } else {
      a = x1; x1 = x2; f1 = f2; x2 = a + gr * (c - a); f2 = crit(x2);
    }
  }
  return smoothing_spline_fit(d, s, r.scale * std::pow(10.0, f1 <= f2 ? x1 : x2));
}

// Evaluates a fitted spline (coefficients on the knots, x in [0, 1]) or its
// derivative of order `deriv` (with respect to the [0, 1] scale); linear
// beyond [0, 1]. The full knot sequence is built once.
class spline_evaluator {
 public:
  spline_evaluator(const std::vector<double>& knots, const std::vector<double>& coef) : coef_(coef) {
    t_.reserve(knots.size() + 6);
    for (int r = 0; r < 3; ++r) t_.push_back(knots.front());
    t_.insert(t_.end(), knots.begin(), knots.end());
    for (int r = 0; r < 3; ++r) t_.push_back(knots.back());
    lo_ = knots.front();
    hi_ = knots.back();
  }
  double operator()(double x, int deriv) const {
    if (x < lo_ || x > hi_) {
      const double b = x < lo_ ? lo_ : hi_;
      if (deriv >= 2) return 0.0;
      const double slope = eval(b, 1);
      return deriv == 1 ? slope : eval(b, 0) + (x - b) * slope;
    }
    return eval(x, static_cast<std::size_t>(deriv));
  }

 private:
  double eval(double z, std::size_t dv) const {
    double local[4], work[4];
    const std::size_t l = bspline_interval(t_.data(), t_.size(), 4, z);
    bspline_local(t_.data(), 4, l, z, dv, local, work);
    double v = 0.0;
    for (std::size_t a = 0; a < 4; ++a) v += local[a] * coef_[l - 3 + a];
    return v;
  }
  std::vector<double> t_;
  const std::vector<double>& coef_;
  double lo_ = 0.0, hi_ = 1.0;
};

// One value of a fitted spline (see spline_evaluator; for many points build
// the evaluator once).
inline double smoothing_spline_value(const std::vector<double>& knots, const std::vector<double>& coef,
                                     double x, int deriv) {
  return spline_evaluator(knots, coef)(x, deriv);
}

// The distinct x of sorted data (x within `tol` of each other are one, as
// stats::smooth.spline bins them: equal round((x - centre) / tol)), their
// summed weights and weighted mean responses, and each observation's group.
// `order` gives the observations in increasing x; weights are positive.
struct spline_groups {
  std::vector<double> x, W, ybar;
  std::vector<int> group;  // per observation, 1-based
  double pure_ss = 0.0;
};

inline spline_groups spline_group(const double* x, const double* y, const double* w, const int* order,
                                  std::size_t n, double centre, double tol) {
  spline_groups g;
  g.group.assign(n, 0);
  std::vector<double> wy;
  double prev = 0.0;
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t i = static_cast<std::size_t>(order[r]);
    const double bin = std::nearbyint((x[i] - centre) / tol);
    if (r == 0 || bin != prev) {
      g.x.push_back(x[i]);
      g.W.push_back(0.0);
      wy.push_back(0.0);
      prev = bin;
    }
    g.W.back() += w[i];
    wy.back() += w[i] * y[i];
    g.group[i] = static_cast<int>(g.x.size());
  }
  g.ybar.resize(g.x.size());
  for (std::size_t k = 0; k < g.x.size(); ++k) g.ybar[k] = wy[k] / g.W[k];
  for (std::size_t i = 0; i < n; ++i) {
    const double r = y[i] - g.ybar[static_cast<std::size_t>(g.group[i] - 1)];
    g.pure_ss += w[i] * r * r;
  }
  return g;
}


// ---------------------------------------------------------------------------
// The factors of B'WB + lambda Omega kept for callers that solve the same
// band system many times (the backfitting of additive models,
// additive_model.h): factor once, solve for new right-hand sides B'W r, and
// take the four central diagonals of the inverse at the end.
namespace spline_detail {

struct band_factors {
  std::size_t nb = 0;
  std::vector<double> L, D;  // L[j * 4 + d] = L_{j+d, j} (unit lower), D the pivots
  bool ok = true;            // every pivot positive
};

inline band_factors factor_band(const system& s, double lambda) {
  band_factors f;
  f.nb = s.nb;
  f.ok = band_factor(s, lambda, f.L, f.D);
  return f;
}

// Solves A z = b in place (b has nb entries).
inline void solve_band(const band_factors& f, std::vector<double>& z) { band_solve(f.L, f.D, z); }

// The four central diagonals of A^-1: out[j * 4 + d] = (A^-1)_{j, j+d}.
inline std::vector<double> inverse_band(const band_factors& f) {
  std::vector<double> Sg;
  band_inverse(f.L, f.D, Sg);
  return Sg;
}

}  // namespace spline_detail

}  // namespace statlearn

#endif
