// statlearn/basis/bspline.h -- B-spline basis functions and their derivatives
// (ESL 5.2 and the appendix to chapter 5).
//
// A B-spline basis of order m (degree m - 1) is defined by a non-decreasing
// knot sequence t_0 <= ... <= t_{K-1}; it has K - m functions B_j, each a
// piecewise polynomial that is non-zero only on [t_j, t_{j+m}). On the
// interval [t_l, t_{l+1}) only B_{l-m+1}, ..., B_l are non-zero, and they
// are built up order by order (the Cox-de Boor recursion):
//   B_{j,1}(x) = 1 on [t_j, t_{j+1}), 0 elsewhere;
//   B_{j,r+1}(x) = (x - t_j) / (t_{j+r} - t_j) B_{j,r}(x)
//                + (t_{j+r+1} - x) / (t_{j+r+1} - t_{j+1}) B_{j+1,r}(x),
// a term with a zero denominator (coincident knots) being zero. The
// derivative of order d comes from the values of order m - d raised back to
// order m by
//   D B_{j,r+1} = r (B_{j,r} / (t_{j+r} - t_j) - B_{j+1,r} / (t_{j+r+1} - t_{j+1})).
// The basis lives on [t_{m-1}, t_{K-m}] (the boundary knots). Outside it
// each function is continued by the polynomial piece of the nearest boundary
// interval (the convention of splines::bs, whose Taylor expansion at a point
// of that interval is the same polynomial).
#ifndef STATLEARN_BSPLINE_H
#define STATLEARN_BSPLINE_H

#include <algorithm>
#include <cstddef>
#include <vector>

namespace statlearn {

// Index l of the knot interval [t_l, t_{l+1}) that holds x, among the
// intervals of the basis domain (m - 1 <= l <= K - m - 1, skipping empty
// ones); x at the right boundary knot, or beyond either boundary, takes the
// boundary interval.
inline std::size_t bspline_interval(const double* t, std::size_t K, std::size_t m, double x) {
  std::size_t lo = m - 1, hi = K - m - 1;  // first and last interval of the domain
  // The last non-empty interval (the right boundary knot may be repeated).
  while (hi > lo && !(t[hi] < t[hi + 1])) --hi;
  if (!(x >= t[lo + 1])) {
    // in the first non-empty interval (or left of the domain)
    while (lo < hi && !(t[lo] < t[lo + 1])) ++lo;
    return lo;
  }
  if (x >= t[hi]) return hi;
  // t[l] <= x < t[l + 1]: the last l with t[l] <= x.
  const std::size_t l = static_cast<std::size_t>(std::upper_bound(t + lo, t + hi + 1, x) - t) - 1;
  return l;
}

// The m values (or derivatives of order `deriv`) of the B-splines of order m
// that can be non-zero on interval l, at x: out[r] for B_{l-m+1+r}. `work`
// holds at least m doubles.
inline void bspline_local(const double* t, std::size_t m, std::size_t l, double x, std::size_t deriv,
                          double* out, double* work) {
  std::fill(out, out + m, 0.0);
  if (deriv >= m) return;
  const std::size_t order = m - deriv;
  // Values of order `order`: out[0..order) for B_{l-order+1+r, order}.
  out[0] = 1.0;
  for (std::size_t j = 1; j < order; ++j) {
    double saved = 0.0;
    for (std::size_t r = 0; r < j; ++r) {
      const double tr = t[l + r + 1], tl = t[l + r + 1 - j];
      const double term = tr > tl ? out[r] / (tr - tl) : 0.0;
      out[r] = saved + (tr - x) * term;
      saved = (x - tl) * term;
    }
    out[j] = saved;
  }
  // Raise to order m by the derivative recursion.
  for (std::size_t q = order; q < m; ++q) {
    // From B_{i, q} (i = l-q+1+r, r < q) to D B_{i', q+1} (i' = l-q+r', r' <= q).
    for (std::size_t r = 0; r <= q; ++r) {
      const std::size_t i = l - q + r;
      double v = 0.0;
      if (r >= 1) {
        const double den = t[i + q] - t[i];
        if (den > 0.0) v += out[r - 1] / den;
      }
      if (r < q) {
        const double den = t[i + q + 1] - t[i + 1];
        if (den > 0.0) v -= out[r] / den;
      }
      work[r] = static_cast<double>(q) * v;
    }
    std::copy(work, work + q + 1, out);
  }
}

// The n x (K - m) basis matrix (column-major) of the B-splines of order m on
// knots t (K of them) at the points x, or its derivatives of order `deriv`.
inline std::vector<double> bspline_basis(const double* t, std::size_t K, std::size_t m, const double* x,
                                         std::size_t n, std::size_t deriv) {
  const std::size_t nb = K - m;
  std::vector<double> B(n * nb, 0.0), local(m), work(m);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t l = bspline_interval(t, K, m, x[i]);
    bspline_local(t, m, l, x[i], deriv, local.data(), work.data());
    for (std::size_t r = 0; r < m; ++r) B[(l - m + 1 + r) * n + i] = local[r];
  }
  return B;
}

// The same basis written into `out` (column-major, n rows, leading
// dimension n), without its first `skip` columns (a basis without the
// intercept drops its first function); a NaN x gives a row of NaN.
inline void bspline_basis_fill(const double* t, std::size_t K, std::size_t m, const double* x, std::size_t n,
                               std::size_t deriv, std::size_t skip, double* out) {
  const std::size_t nb = K - m, cols = nb - skip;
  std::fill(out, out + n * cols, 0.0);
  double local[32], work[32];  // m <= 32 (degree at most 31; the R side allows 50 -> use vectors then)
  std::vector<double> local_v, work_v;
  double* lp = local;
  double* wp = work;
  if (m > 32) {
    local_v.resize(m);
    work_v.resize(m);
    lp = local_v.data();
    wp = work_v.data();
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (x[i] != x[i]) {
      for (std::size_t c = 0; c < cols; ++c) out[c * n + i] = x[i];
      continue;
    }
    const std::size_t l = bspline_interval(t, K, m, x[i]);
    bspline_local(t, m, l, x[i], deriv, lp, wp);
    for (std::size_t r = 0; r < m; ++r) {
      const std::size_t j = l - m + 1 + r;
      if (j >= skip) out[(j - skip) * n + i] = lp[r];
    }
  }
}

}  // namespace statlearn

#endif
