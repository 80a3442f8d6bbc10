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
#include <cmath>
#include <cstddef>
#include <limits>
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

namespace bspline_detail {

// Rows [b, e) of a basis matrix in one pass of writes: the m local values of
// each row (first function index first[i - b]) are computed first, then each
// output column is written over the block, zero or value, so every element
// is written once (first writes to fresh memory are the cost at large n).
// `combine` (if not null) maps the nb basis functions to `cols` outputs,
// column-major nb x cols, after dropping the first `skip` functions; without
// it the outputs are the functions from `skip` on.
inline void write_block(const std::size_t* first, const double* vals, std::size_t b, std::size_t e,
                        std::size_t m, std::size_t skip, std::size_t nb, const double* combine,
                        std::size_t cols, std::size_t n, double* out) {
  for (std::size_t c = 0; c < cols; ++c) {
    double* o = out + c * n;
    if (combine == nullptr) {
      const std::size_t j = c + skip;
      for (std::size_t i = b; i < e; ++i) {
        const std::size_t f = first[i - b];
        const double v = vals[(i - b) * m + (j - f < m ? j - f : 0)];
        o[i] = (j >= f && j - f < m) ? v : 0.0;
      }
    } else {
      const double* q = combine + c * (nb - skip);
      for (std::size_t i = b; i < e; ++i) {
        const std::size_t f = first[i - b];
        const double* v = vals + (i - b) * m;
        double acc = 0.0;
        for (std::size_t r = 0; r < m; ++r) {
          const std::size_t j = f + r;
          if (j >= skip) acc += v[r] * q[j - skip];
        }
        o[i] = acc;
      }
    }
  }
}

}  // namespace bspline_detail

// The same basis written into `out` (column-major, n rows, leading
// dimension n), without its first `skip` columns (a basis without the
// intercept drops its first function); a NaN x gives a row of NaN.
inline void bspline_basis_fill(const double* t, std::size_t K, std::size_t m, const double* x, std::size_t n,
                               std::size_t deriv, std::size_t skip, double* out) {
  const std::size_t nb = K - m, cols = nb - skip, block = 256;
  std::vector<std::size_t> first(block);
  std::vector<double> vals(block * m), work(m);
  std::vector<std::size_t> missing;
  for (std::size_t b = 0; b < n; b += block) {
    const std::size_t e = std::min(n, b + block);
    for (std::size_t i = b; i < e; ++i) {
      double* v = vals.data() + (i - b) * m;
      if (x[i] != x[i]) {
        missing.push_back(i);
        first[i - b] = 0;
        std::fill(v, v + m, 0.0);
        continue;
      }
      const std::size_t l = bspline_interval(t, K, m, x[i]);
      bspline_local(t, m, l, x[i], deriv, v, work.data());
      first[i - b] = l - m + 1;
    }
    bspline_detail::write_block(first.data(), vals.data(), b, e, m, skip, nb, nullptr, cols, n, out);
  }
  for (std::size_t i : missing)
    for (std::size_t c = 0; c < cols; ++c) out[c * n + i] = x[i];
}

// A natural cubic spline basis (ESL 5.2.1) at x: the cubic B-splines on
// knots t (order 4), linear beyond the boundary knots lo and hi (the value
// and slope at the knot), without the first `skip` functions, mapped to
// `cols` columns by `combine` ((nb - skip) x cols, column-major: the basis of
// the null space of the second derivatives at the boundary knots). A NaN x
// gives a row of NaN.
inline void natural_spline_fill(const double* t, std::size_t K, const double* x, std::size_t n,
                                std::size_t deriv, double lo, double hi, std::size_t skip,
                                const double* combine, std::size_t cols, double* out) {
  const std::size_t m = 4, nb = K - m, block = 256;
  std::vector<std::size_t> first(block);
  std::vector<double> vals(block * m), work(m), at(m), slope(m);
  std::vector<std::size_t> missing;
  // Value and slope at each boundary knot, on its (boundary) interval.
  std::size_t l_side[2];
  double at_side[2][4], slope_side[2][4];
  for (int side = 0; side < 2; ++side) {
    const double z = side == 0 ? lo : hi;
    l_side[side] = bspline_interval(t, K, m, z);
    bspline_local(t, m, l_side[side], z, 0, at_side[side], work.data());
    bspline_local(t, m, l_side[side], z, 1, slope_side[side], work.data());
  }
  for (std::size_t b = 0; b < n; b += block) {
    const std::size_t e = std::min(n, b + block);
    for (std::size_t i = b; i < e; ++i) {
      double* v = vals.data() + (i - b) * m;
      const double xi = x[i];
      if (xi != xi) {
        missing.push_back(i);
        first[i - b] = 0;
        std::fill(v, v + m, 0.0);
        continue;
      }
      if (xi < lo || xi > hi) {
        const int side = xi < lo ? 0 : 1;
        const double d = xi - (side == 0 ? lo : hi);
        for (std::size_t r = 0; r < m; ++r) {
          v[r] = deriv == 0 ? at_side[side][r] + d * slope_side[side][r]
                 : deriv == 1 ? slope_side[side][r] : 0.0;
        }
        first[i - b] = l_side[side] - m + 1;
        continue;
      }
      const std::size_t l = bspline_interval(t, K, m, xi);
      bspline_local(t, m, l, xi, deriv, v, work.data());
      first[i - b] = l - m + 1;
    }
    bspline_detail::write_block(first.data(), vals.data(), b, e, m, skip, nb, combine, cols, n, out);
  }
  for (std::size_t i : missing)
    for (std::size_t c = 0; c < cols; ++c) out[c * n + i] = x[i];
}

namespace bspline_detail {

// Puts the order statistics of ranks `ranks` (0-based, sorted, distinct) of
// [b, e) in place, by recursive selection: O(n log k) for k ranks.
inline void select_ranks(double* b, double* e, const std::size_t* rb, const std::size_t* re, std::size_t offset) {
  if (rb == re || b == e) return;
  const std::size_t* mid = rb + (re - rb) / 2;
  double* at = b + (*mid - offset);
  std::nth_element(b, at, e);
  select_ranks(b, at, rb, mid, offset);
  select_ranks(at + 1, e, mid + 1, re, *mid + 1);
}

}  // namespace bspline_detail

// Quantiles (R's default, type 7) of the values of x within [lo, hi]
// (NaN skipped), the knots at quantiles that a df gives; `count` receives
// the number of such values (the quantiles are NaN when it is zero).
inline std::vector<double> quantiles_within(const double* x, std::size_t n, double lo, double hi,
                                            const std::vector<double>& probs, std::size_t* count) {
  std::vector<double> v;
  v.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] >= lo && x[i] <= hi) v.push_back(x[i]);
  *count = v.size();
  std::vector<double> out(probs.size(), std::numeric_limits<double>::quiet_NaN());
  if (v.empty()) return out;
  const std::size_t m = v.size();
  std::vector<std::size_t> ranks;
  // 1-based index = 1 + (m - 1) p, computed as stats::quantile computes it
  for (double p : probs) {
    const double index = 1.0 + static_cast<double>(m - 1) * p;
    ranks.push_back(static_cast<std::size_t>(std::floor(index)) - 1);
    ranks.push_back(static_cast<std::size_t>(std::ceil(index)) - 1);
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  bspline_detail::select_ranks(v.data(), v.data() + m, ranks.data(), ranks.data() + ranks.size(), 0);
  for (std::size_t k = 0; k < probs.size(); ++k) {
    const double index = 1.0 + static_cast<double>(m - 1) * probs[k];
    const double lo_index = std::floor(index);
    const std::size_t a = static_cast<std::size_t>(lo_index) - 1, c = static_cast<std::size_t>(std::ceil(index)) - 1;
    double q = v[a];
    const double h = index - lo_index;
    if (h > 0.0 && v[c] != q) q = (1.0 - h) * q + h * v[c];
    out[k] = q;
  }
  return out;
}

}  // namespace statlearn

#endif
