// statlearn/linear/derived_inputs.h -- methods using derived input directions
// (ESL section 3.5): principal components regression and partial least
// squares.
//
// Both work from the weighted cross products of the centred (and optionally
// scaled) predictors, S = Xc' W Xc (p x p) and s = Xc' W yc (p), which are
// computed once by the Gram kernel of gram.h (column tiles, each summed over
// the rows in order: bit-identical for any thread count, and no extra p x p
// matrix per row chunk). After that every component costs O(p^2), so n >> p
// problems cost one pass over the data.
//
//   PCR: eigen-decomposition S = V D V' (D = d^2, the squared singular values
//        of the weighted centred X); the fit with m components regresses y on
//        the first m principal components z_j = Xc v_j, so that
//        beta_m = sum_{j <= m} v_j (v_j' s) / d_j^2.
//   PLS: the kernel form of ESL Algorithm 3.3 for one response (Dayal and
//        MacGregor 1997): each direction w is the covariance of the deflated
//        predictors with y, and only S and the deflated X'y are updated. It
//        gives the same coefficients as NIPALS on X (orthogonal scores).
#ifndef STATLEARN_DERIVED_INPUTS_H
#define STATLEARN_DERIVED_INPUTS_H

#include <armadillo>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "statlearn/common/gram.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"

namespace statlearn {

// Weighted moments of a design: centres, scales and the cross products of the
// centred, scaled predictors with themselves and with y.
struct centred_moments {
  arma::vec xmean, xscale;  // p
  double ymean = 0.0;
  double wsum = 0.0;
  arma::mat xtx;            // p x p, (X - 1 m')D^-1 W (X - 1 m') D^-1
  arma::vec xty;            // p
  double yty = 0.0;         // (y - ybar)' W (y - ybar)
};

// Rows per chunk for the cross products: a fixed function of p only.
inline std::size_t crossprod_grain(std::size_t p) {
  std::size_t g = 262144 / std::max<std::size_t>(p, 1);
  return std::max<std::size_t>(g, 64);
}

// Compute the weighted centred moments. When `scale` is true each column is
// divided by its weighted standard deviation sqrt(sum w (x - m)^2 / sum w);
// a constant column keeps scale 1. With centre = false the means are taken
// as zero (models without an intercept).
inline centred_moments weighted_moments(const arma::mat& x, const arma::vec& y,
                                        const arma::vec& w, bool scale, int threads,
                                        bool centre = true) {
  const std::size_t n = x.n_rows, p = x.n_cols;
  centred_moments m;
  m.wsum = arma::accu(w);
  const std::size_t grain = crossprod_grain(p);
  const std::size_t nchunk = chunk_count(n, grain);

  // Pass 1: weighted means (ordered chunk reduction).
  std::vector<arma::vec> part_x(nchunk);
  std::vector<double> part_y(nchunk, 0.0);
  parallel_chunks(n, grain, threads, [&](std::size_t b, std::size_t e, std::size_t c) {
    part_x[c] = x.rows(b, e - 1).t() * w.subvec(b, e - 1);
    part_y[c] = arma::dot(y.subvec(b, e - 1), w.subvec(b, e - 1));
  });
  hooks::check_interrupt();
  m.xmean.zeros(p);
  for (std::size_t c = 0; c < nchunk; ++c) {
    m.xmean += part_x[c];
    m.ymean += part_y[c];
  }
  m.xmean /= m.wsum;
  m.ymean /= m.wsum;
  if (!centre) {
    m.xmean.zeros();
    m.ymean = 0.0;
  }

  // Pass 2: the centred weighted cross products. X'WX from gram.h (tiles of
  // columns, each one task over the rows in order: deterministic, and no
  // per-chunk p x p partials); X'Wy and y'Wy as one fixed sum per column.
  m.xtx.set_size(p, p);
  gram(x.memptr(), n, p, w.memptr(), m.xmean.memptr(), threads, m.xtx.memptr());
  m.xty.zeros(p);
  parallel_tasks(p, threads, [&](std::size_t j) {
    const double* col = x.colptr(j);
    const double mj = m.xmean(j);
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += w[i] * (col[i] - mj) * (y[i] - m.ymean);
    m.xty(j) = s;
  });
  m.yty = 0.0;
  for (std::size_t i = 0; i < n; ++i) m.yty += w[i] * (y[i] - m.ymean) * (y[i] - m.ymean);
  hooks::check_interrupt();
  m.xscale.ones(p);
  if (scale) {
    for (std::size_t j = 0; j < p; ++j) {
      double v = m.xtx(j, j) / m.wsum;
      m.xscale(j) = v > 0.0 ? std::sqrt(v) : 1.0;
    }
    m.xtx.each_col() /= m.xscale;
    m.xtx.each_row() /= m.xscale.t();
    m.xty /= m.xscale;
  }
  m.xtx = 0.5 * (m.xtx + m.xtx.t());  // exact symmetry
  return m;
}

// A path over 0..ncomp components on the standardised scale.
struct derived_path {
  arma::mat beta;          // p x (ncomp + 1), standardised scale, column m = m components
  arma::mat directions;    // p x ncomp: PCR loadings v_j or PLS weights r_j (scores = Xs r_j)
  arma::vec xvar;          // ncomp: variance of X explained by each component
  arma::vec yss;           // ncomp: sum of squares of y explained by each component
};

// Principal components regression from the moments.
inline derived_path pcr_path(const centred_moments& m, std::size_t ncomp) {
  const std::size_t p = m.xtx.n_rows;
  arma::vec d2;
  arma::mat v;
  if (!arma::eig_sym(d2, v, m.xtx, "dc")) throw std::runtime_error("eigen-decomposition failed");
  // descending order
  d2 = arma::flipud(d2);
  v = arma::fliplr(v);
  derived_path out;
  out.beta.zeros(p, ncomp + 1);
  out.directions = v.cols(0, ncomp - 1);
  out.xvar.zeros(ncomp);
  out.yss.zeros(ncomp);
  const double tol = std::max(d2(0), 0.0) * 1e-13 * static_cast<double>(p);
  for (std::size_t j = 0; j < ncomp; ++j) {
    // fix the sign: largest absolute loading positive (for reproducibility)
    arma::uword k = arma::index_max(arma::abs(out.directions.col(j)));
    if (out.directions(k, j) < 0) out.directions.col(j) *= -1.0;
    const double dj = std::max(d2(j), 0.0);
    out.xvar(j) = dj;
    double coef = 0.0;
    if (dj > tol) {
      double vs = arma::dot(out.directions.col(j), m.xty);
      coef = vs / dj;
      out.yss(j) = vs * vs / dj;
    }
    out.beta.col(j + 1) = out.beta.col(j) + coef * out.directions.col(j);
  }
  return out;
}

// Partial least squares (one response) from the moments.
inline derived_path pls_path(const centred_moments& m, std::size_t ncomp) {
  const std::size_t p = m.xtx.n_rows;
  derived_path out;
  out.beta.zeros(p, ncomp + 1);
  out.directions.zeros(p, ncomp);
  out.xvar.zeros(ncomp);
  out.yss.zeros(ncomp);
  arma::mat ploads(p, ncomp, arma::fill::zeros);
  arma::vec s = m.xty;  // X_a' y for the deflated X_a
  const double scale0 = std::max(arma::norm(m.xty), 1e-300);
  std::size_t a = 0;
  for (; a < ncomp; ++a) {
    if (a % 16 == 15) hooks::check_interrupt();
    const double sn = arma::norm(s);
    if (!(sn > 1e-13 * scale0)) break;  // y is fully explained: stop
    arma::vec w = s / sn;
    arma::vec r = w;
    for (std::size_t j = 0; j < a; ++j) r -= arma::dot(ploads.col(j), w) * out.directions.col(j);
    arma::vec sr = m.xtx * r;
    const double tt = arma::dot(r, sr);  // t't, t = X r
    if (!(tt > 0.0)) break;
    arma::vec pl = sr / tt;
    const double ty = arma::dot(r, m.xty);  // t'y
    const double q = ty / tt;
    out.directions.col(a) = r;
    ploads.col(a) = pl;
    s -= pl * ty;
    // variance of X explained: ||t p'||_F^2 = tt * ||p||^2
    out.xvar(a) = tt * arma::dot(pl, pl);
    out.yss(a) = ty * q;
    out.beta.col(a + 1) = out.beta.col(a) + q * r;
  }
  for (std::size_t b = a; b < ncomp; ++b) out.beta.col(b + 1) = out.beta.col(a);
  return out;
}

// Fitted path on the original scale of x: intercepts (ncomp + 1) and
// coefficients p x (ncomp + 1).
struct derived_fit {
  arma::vec a0;
  arma::mat beta;
  arma::mat directions;
  arma::vec xvar, yss;
  arma::vec xmean, xscale;
  double ymean = 0.0, xtotal = 0.0, ytotal = 0.0;
};

inline derived_fit fit_derived(const arma::mat& x, const arma::vec& y, const arma::vec& w,
                               bool scale, std::size_t ncomp, bool pls, int threads) {
  centred_moments m = weighted_moments(x, y, w, scale, threads);
  derived_path path = pls ? pls_path(m, ncomp) : pcr_path(m, ncomp);
  derived_fit f;
  f.beta = path.beta;
  f.beta.each_col() /= m.xscale;
  f.a0 = m.ymean - (m.xmean.t() * f.beta).t();
  f.directions = path.directions;
  f.xvar = path.xvar;
  f.yss = path.yss;
  f.xmean = m.xmean;
  f.xscale = m.xscale;
  f.ymean = m.ymean;
  f.xtotal = arma::trace(m.xtx);
  f.ytotal = m.yty;
  return f;
}

}  // namespace statlearn

#endif
