// statlearn/classify/discriminant.h -- Gaussian discriminant analysis (ESL 4.3).
//
// class_moments(): per-class weighted means and centred scatter matrices. The
// rows of each class are gathered into a contiguous block and the scatter is
// formed by the parallel SIMD Gram kernel (gram.h) centred at the class mean.
// Small p (one Gram tile) runs the classes in parallel; large p runs the tiles
// of each class in parallel. Either way each class (and each tile) is computed
// by one task in row order, so the result does not depend on the thread count.
//
// lda_scaling(): the canonical (discriminant) variates of ESL 4.3.3: sphere
// with the pooled within-class covariance W = U D U' (W^{-1/2} = U D^{-1/2} U'),
// then the principal components of the prior-weighted, centred sphered
// centroids.
//
// gaussian_factor(): Cholesky Sigma = R'R, the inverse factor R^{-1} (upper
// triangular) and log det Sigma.
//
// linear_scores() / quadratic_scores(): discriminant functions for many rows,
// in parallel over fixed row chunks (each row is computed by one task, so the
// results are the same bits for any number of threads). The quadratic kernel
// works on blocks of 8 rows held in vector registers and is compiled for
// AVX-512, AVX2/FMA or portable code, chosen at run time as in gram.h.
#ifndef STATLEARN_DISCRIMINANT_H
#define STATLEARN_DISCRIMINANT_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include <armadillo>
#include "statlearn/common/linalg.h"

#include "statlearn/common/gram.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"

namespace statlearn {

struct class_moments {
  std::size_t p = 0, K = 0;
  std::vector<double> weight;    // K: sum of weights in class k
  std::vector<double> weight2;   // K: sum of squared weights in class k
  std::vector<int> count;        // K: rows with a positive weight
  std::vector<double> means;     // p x K, column-major (NaN for an empty class)
  std::vector<double> scatter;   // p x p x K: sum_i w_i (x_i - m_k)(x_i - m_k)'
  std::vector<double> pooled;    // p x p: sum of the class scatters, in class order
};

// X: n x p column-major; cls: class of each row in 0..K-1; w: n weights (>= 0).
inline class_moments compute_class_moments(const double* X, std::size_t n, std::size_t p,
                                           const int* cls, const double* w, std::size_t K,
                                           int threads) {
  class_moments out;
  out.p = p;
  out.K = K;
  out.weight.assign(K, 0.0);
  out.weight2.assign(K, 0.0);
  out.count.assign(K, 0);
  out.means.assign(p * K, std::numeric_limits<double>::quiet_NaN());
  out.scatter.assign(p * p * K, 0.0);
  out.pooled.assign(p * p, 0.0);
  std::vector<std::vector<std::size_t>> rows(K);
  for (std::size_t i = 0; i < n; ++i) {
    if (w[i] > 0.0) rows[static_cast<std::size_t>(cls[i])].push_back(i);
  }
  const bool tile_parallel = p > gram_detail::kTile;
  const int inner = tile_parallel ? threads : 1;
  auto one_class = [&](std::size_t k) {
    const std::vector<std::size_t>& r = rows[k];
    const std::size_t nk = r.size();
    out.count[k] = static_cast<int>(nk);
    if (nk == 0) return;
    std::vector<double> block(nk * p), wk(nk);
    double W = 0.0, W2 = 0.0;
    for (std::size_t i = 0; i < nk; ++i) {
      wk[i] = w[r[i]];
      W += wk[i];
      W2 += wk[i] * wk[i];
    }
    out.weight[k] = W;
    out.weight2[k] = W2;
    double* mk = out.means.data() + k * p;
    for (std::size_t j = 0; j < p; ++j) {
      const double* col = X + j * n;
      double* dst = block.data() + j * nk;
      double s = 0.0;
      for (std::size_t i = 0; i < nk; ++i) {
        dst[i] = col[r[i]];
        s += wk[i] * dst[i];
      }
      mk[j] = s / W;
    }
    gram(block.data(), nk, p, wk.data(), mk, inner, out.scatter.data() + k * p * p);
  };
  if (tile_parallel) {
    for (std::size_t k = 0; k < K; ++k) {
      one_class(k);
      hooks::check_interrupt();
    }
  } else {
    parallel_tasks(K, threads, one_class);
    hooks::check_interrupt();
  }
  for (std::size_t k = 0; k < K; ++k) {
    const double* s = out.scatter.data() + k * p * p;
    for (std::size_t e = 0; e < p * p; ++e) out.pooled[e] += s[e];
  }
  return out;
}

struct lda_scaling_result {
  bool ok = false;
  double condition = 0.0;          // smallest / largest eigenvalue of W (correlation scale)
  std::vector<double> scaling;     // p x r: discriminant directions, v' W v = 1
  std::vector<double> eigenvalues; // r: between-class variance of each variate
  std::size_t r = 0;
};

// means: p x K; cov: p x p pooled within-class covariance; prior: K; r: the
// number of variates (min(K - 1, p)).
inline lda_scaling_result lda_scaling(const double* means, std::size_t p, std::size_t K,
                                      const double* cov, const double* prior, std::size_t r) {
  lda_scaling_result out;
  out.r = r;
  arma::mat W(cov, p, p);
  // Eigen-decompose on the correlation scale so the rank test is unit free.
  arma::vec sd = arma::sqrt(W.diag());
  if (!sd.is_finite() || sd.min() <= 0.0) return out;
  arma::mat C = W.each_col() / sd;
  C.each_row() /= sd.t();
  C = 0.5 * (C + C.t());
  arma::vec d;
  arma::mat U;
  if (!arma::eig_sym(d, U, C)) return out;
  out.condition = d.min() / d.max();
  if (!(out.condition > 1e-12)) return out;
  // W^{-1/2} (in the original units) = diag(1/sd) U D^{-1/2} U'.
  arma::mat S = U * arma::diagmat(1.0 / arma::sqrt(d)) * U.t();
  S.each_col() /= sd;
  arma::mat M(means, p, K);
  arma::vec pri(prior, K);
  arma::vec centre = M * pri;
  arma::mat Ms = S.t() * (M.each_col() - centre);  // p x K sphered centred centroids
  arma::mat B = Ms * arma::diagmat(pri) * Ms.t();
  B = 0.5 * (B + B.t());
  arma::vec e;
  arma::mat V;
  if (!arma::eig_sym(e, V, B)) return out;
  // Descending order.
  arma::mat Vr(p, r);
  out.eigenvalues.resize(r);
  for (std::size_t l = 0; l < r; ++l) {
    Vr.col(l) = V.col(p - 1 - l);
    out.eigenvalues[l] = std::max(0.0, e(p - 1 - l));
    // Sign convention: the largest-magnitude entry of each direction positive.
    const arma::uword imax = arma::index_max(arma::abs(Vr.col(l)));
    if (Vr(imax, l) < 0) Vr.col(l) *= -1.0;
  }
  arma::mat A = S * Vr;
  out.scaling.assign(A.begin(), A.end());
  out.ok = true;
  return out;
}

// Sigma (p x p) = R'R. rinv (p x p, column-major) receives R^{-1} (upper
// triangular, zeros below), logdet receives log det Sigma. False when Sigma is
// not numerically positive definite.
inline bool gaussian_factor(const double* sigma, std::size_t p, double* rinv, double& logdet) {
  arma::mat S(sigma, p, p);
  S = 0.5 * (S + S.t());
  // Rank test in units of each variable (as qr()'s 1e-7 tolerance): L_jj /
  // sd_j is sqrt(1 - R^2_j) of variable j on those before it, whatever the
  // scales, so columns in units of 1e-8 and 1e8 do not look singular.
  if (cholesky_factor(S.memptr(), p, 1e-14).bad >= 0) return false;
  const arma::mat L = arma::trimatl(S);
  logdet = 2.0 * arma::accu(arma::log(L.diag()));
  // R = L', so R^{-1} = (L^{-1})'.
  arma::mat Li;
  if (!arma::inv(Li, arma::trimatl(L))) return false;
  const arma::mat Ri = arma::trimatu(Li.t());
  std::copy(Ri.begin(), Ri.end(), rinv);
  return true;
}

namespace da_detail {

constexpr std::size_t kBlock = 8;     // rows per register block
constexpr std::size_t kGrain = 1024;  // rows per parallel chunk (multiple of kBlock)

// Squared norms of (x_i - m)' Rinv for 8 rows; xc is p x 8 (already centred,
// row block contiguous per variable); rinv upper triangular p x p.
__attribute__((always_inline)) inline void quad_block_body(const double* xc, std::size_t p,
                                                           const double* rinv, double* d) {
  double acc[kBlock] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t l = 0;
  for (; l + 4 <= p; l += 4) {
    double z0[kBlock] = {0, 0, 0, 0, 0, 0, 0, 0}, z1[kBlock] = {0, 0, 0, 0, 0, 0, 0, 0},
           z2[kBlock] = {0, 0, 0, 0, 0, 0, 0, 0}, z3[kBlock] = {0, 0, 0, 0, 0, 0, 0, 0};
    const double *c0 = rinv + l * p, *c1 = c0 + p, *c2 = c1 + p, *c3 = c2 + p;
    const std::size_t top = l + 4;  // entries below the diagonal are zero
    for (std::size_t j = 0; j < top; ++j) {
      const double a0 = c0[j], a1 = c1[j], a2 = c2[j], a3 = c3[j];
      const double* x = xc + j * kBlock;
      for (std::size_t r = 0; r < kBlock; ++r) {
        z0[r] += a0 * x[r];
        z1[r] += a1 * x[r];
        z2[r] += a2 * x[r];
        z3[r] += a3 * x[r];
      }
    }
    for (std::size_t r = 0; r < kBlock; ++r)
      acc[r] += (z0[r] * z0[r] + z1[r] * z1[r]) + (z2[r] * z2[r] + z3[r] * z3[r]);
  }
  for (; l < p; ++l) {
    double z[kBlock] = {0, 0, 0, 0, 0, 0, 0, 0};
    const double* c = rinv + l * p;
    for (std::size_t j = 0; j <= l; ++j) {
      const double a = c[j];
      const double* x = xc + j * kBlock;
      for (std::size_t r = 0; r < kBlock; ++r) z[r] += a * x[r];
    }
    for (std::size_t r = 0; r < kBlock; ++r) acc[r] += z[r] * z[r];
  }
  for (std::size_t r = 0; r < kBlock; ++r) d[r] = acc[r];
}

inline void quad_block_portable(const double* xc, std::size_t p, const double* rinv, double* d) {
  quad_block_body(xc, p, rinv, d);
}
#ifdef STATLEARN_X86
__attribute__((target("avx2,fma"))) inline void quad_block_avx2(const double* xc, std::size_t p,
                                                                const double* rinv, double* d) {
  quad_block_body(xc, p, rinv, d);
}
__attribute__((target("avx512f"))) inline void quad_block_avx512(const double* xc, std::size_t p,
                                                                 const double* rinv, double* d) {
  quad_block_body(xc, p, rinv, d);
}
#endif

inline void quad_block(gram_detail::isa which, const double* xc, std::size_t p, const double* rinv,
                       double* d) {
#ifdef STATLEARN_X86
  if (which == gram_detail::isa::avx512) return quad_block_avx512(xc, p, rinv, d);
  if (which == gram_detail::isa::avx2) return quad_block_avx2(xc, p, rinv, d);
#endif
  (void)which;
  quad_block_portable(xc, p, rinv, d);
}

}  // namespace da_detail

// out (n x K, column-major) = X A + 1 c', A p x K.
inline void linear_scores(const double* X, std::size_t n, std::size_t p, const double* A,
                          const double* c, std::size_t K, int threads, double* out) {
  parallel_chunks(n, da_detail::kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    const std::size_t len = e - b;
    for (std::size_t k = 0; k < K; ++k) {
      double* o = out + k * n + b;
      std::fill(o, o + len, c[k]);
      const double* a = A + k * p;
      for (std::size_t j = 0; j < p; ++j) {
        const double aj = a[j];
        const double* x = X + j * n + b;
        for (std::size_t i = 0; i < len; ++i) o[i] += aj * x[i];
      }
    }
  });
}

// out[i, k] = c_k - 0.5 || (x_i - m_k)' Rinv_k ||^2 (ESL eq. 4.12 when c_k =
// log pi_k - 0.5 log det Sigma_k). means p x K; rinv p x p x K upper triangular.
// Classes with skip[k] get -Inf.
inline void quadratic_scores(const double* X, std::size_t n, std::size_t p, const double* means,
                             const double* rinv, const double* c, const int* skip, std::size_t K,
                             int threads, double* out) {
  using da_detail::kBlock;
  const gram_detail::isa which = gram_detail::best_isa();
  parallel_chunks(n, da_detail::kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    std::vector<double> xc(p * kBlock);
    double d[kBlock];
    for (std::size_t k = 0; k < K; ++k) {
      double* o = out + k * n;
      if (skip && skip[k]) {
        for (std::size_t i = b; i < e; ++i) o[i] = -std::numeric_limits<double>::infinity();
        continue;
      }
      const double* m = means + k * p;
      const double* R = rinv + k * p * p;
      for (std::size_t i0 = b; i0 < e; i0 += kBlock) {
        const std::size_t nr = std::min(kBlock, e - i0);
        for (std::size_t j = 0; j < p; ++j) {
          const double* x = X + j * n + i0;
          double* dst = xc.data() + j * kBlock;
          for (std::size_t r = 0; r < nr; ++r) dst[r] = x[r] - m[j];
          for (std::size_t r = nr; r < kBlock; ++r) dst[r] = 0.0;
        }
        da_detail::quad_block(which, xc.data(), p, R, d);
        for (std::size_t r = 0; r < nr; ++r) o[i0 + r] = c[k] - 0.5 * d[r];
      }
    }
  });
}

// Posterior probabilities from scores (n x K), row by row (softmax).
inline void posterior_from_scores(const double* S, std::size_t n, std::size_t K, int threads,
                                  double* P) {
  parallel_chunks(n, da_detail::kGrain, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t i = b; i < e; ++i) {
      double mx = -std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < K; ++k) mx = std::max(mx, S[k * n + i]);
      double tot = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        const double v = std::exp(S[k * n + i] - mx);
        P[k * n + i] = v;
        tot += v;
      }
      for (std::size_t k = 0; k < K; ++k) P[k * n + i] /= tot;
    }
  });
}

}  // namespace statlearn

#endif
