// statlearn/neighbors/dann.h -- discriminant adaptive nearest neighbours
// (ESL 13.4; Hastie and Tibshirani 1996).
//
// At each query x0: take its `neighborhood` nearest training points
// (Euclidean), and there the pooled within-class covariance
// W = sum_k pi_k W_k (W_k with divisor n_k) and the between-class covariance
// B = sum_k pi_k (m_k - m)(m_k - m)', pi_k = n_k / neighborhood. The local
// metric is ESL eq. 13.9,
//   Sigma = W^-1/2 [ W^-1/2 B W^-1/2 + epsilon I ] W^-1/2,
// with W^-1/2 from the eigen-decomposition of W, eigenvalues floored at
// 1e-8 times the largest (a W of low rank, as when p >= neighborhood).
// The K nearest training points under (x - x0)' Sigma (x - x0) are returned,
// ties by training index. With iterations > 1 the neighbourhood is the
// `neighborhood` nearest under the current metric and Sigma is estimated
// again from it.
//
// Parallel over fixed blocks of queries, each query computed by one task, so
// results are the same for any number of threads.
#ifndef STATLEARN_DANN_H
#define STATLEARN_DANN_H

#include <armadillo>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/neighbors/knn_search.h"

namespace statlearn {

struct dann_options {
  std::size_t neighborhood = 50;
  double epsilon = 1.0;
  int iterations = 1;
};

struct dann_result {
  knn_result nn;
  std::vector<double> metric;  // p x p x m when requested
};

namespace dann_detail {

// Sigma from the neighbourhood `idx` (training rows of xr, row-major n x p).
inline arma::mat local_metric(const std::vector<double>& xr, std::size_t p, const int* y,
                              std::size_t classes, const std::vector<int>& idx, double epsilon) {
  const std::size_t N = idx.size();
  arma::mat means(p, classes, arma::fill::zeros);
  std::vector<double> cnt(classes, 0.0);
  arma::vec mean(p, arma::fill::zeros);
  for (int i : idx) {
    const double* x = xr.data() + static_cast<std::size_t>(i) * p;
    const int k = y[i];
    cnt[k] += 1.0;
    for (std::size_t c = 0; c < p; ++c) {
      means(c, k) += x[c];
      mean[c] += x[c];
    }
  }
  mean /= static_cast<double>(N);
  for (std::size_t k = 0; k < classes; ++k)
    if (cnt[k] > 0) means.col(k) /= cnt[k];
  arma::mat W(p, p, arma::fill::zeros), B(p, p, arma::fill::zeros);
  arma::vec u(p);
  for (int i : idx) {
    const double* x = xr.data() + static_cast<std::size_t>(i) * p;
    for (std::size_t c = 0; c < p; ++c) u[c] = x[c] - means(c, y[i]);
    W += u * u.t();
  }
  W /= static_cast<double>(N);
  for (std::size_t k = 0; k < classes; ++k) {
    if (cnt[k] == 0) continue;
    u = means.col(k) - mean;
    B += (cnt[k] / static_cast<double>(N)) * (u * u.t());
  }
  W = 0.5 * (W + W.t());
  arma::vec lam;
  arma::mat V;
  if (!arma::eig_sym(lam, V, W, "std")) throw std::runtime_error("DANN: eigen-decomposition of the local within-class covariance failed");
  const double top = lam.n_elem ? std::max(lam.max(), 0.0) : 0.0;
  const double floor = top > 0.0 ? 1e-8 * top : 1.0;
  for (std::size_t j = 0; j < lam.n_elem; ++j) lam[j] = 1.0 / std::sqrt(std::max(lam[j], floor));
  const arma::mat Wmh = V * arma::diagmat(lam) * V.t();
  arma::mat Bs = Wmh * B * Wmh;
  Bs.diag() += epsilon;
  arma::mat S = Wmh * Bs * Wmh;
  return 0.5 * (S + S.t());
}

// (x_i - x0)' S (x_i - x0) for all training rows, ranked; the first `keep`.
inline void rank_by_metric(const std::vector<double>& xr, std::size_t n, std::size_t p,
                           const double* x0, const arma::mat& S, std::size_t keep,
                           std::vector<std::pair<double, int>>& ranked) {
  ranked.resize(n);
  std::vector<double> u(p);
  for (std::size_t i = 0; i < n; ++i) {
    const double* x = xr.data() + i * p;
    for (std::size_t c = 0; c < p; ++c) u[c] = x[c] - x0[c];
    double d = 0.0;
    for (std::size_t a = 0; a < p; ++a) {
      const double* col = S.colptr(a);
      double s = 0.0;
      for (std::size_t b = 0; b < p; ++b) s += col[b] * u[b];
      d += u[a] * s;
    }
    ranked[i] = {std::max(d, 0.0), static_cast<int>(i)};
  }
  std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end());
}

}  // namespace dann_detail

// X (n x p) and Q (m x p) column-major; y class indices 0..classes-1.
inline dann_result dann_search(const double* X, std::size_t n, std::size_t p, const int* y,
                               std::size_t classes, const double* Q, std::size_t m, std::size_t K,
                               const dann_options& o, bool want_metric, int threads) {
  dann_result res;
  res.nn = knn_result(m, K);
  knn_result& out = res.nn;
  if (want_metric) res.metric.assign(p * p * m, 0.0);
  if (m == 0 || K == 0 || n == 0) return res;
  const std::size_t N = std::min(o.neighborhood, n);
  const knn_result pre = knn_search(X, n, Q, m, p, N, threads);
  if (hooks::aborted()) return res;
  std::vector<double> xr(n * p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < p; ++c) xr[i * p + c] = X[c * n + i];
  constexpr std::size_t kBlock = 16;
  const std::size_t nblocks = (m + kBlock - 1) / kBlock;
  parallel_tasks(nblocks, threads, [&](std::size_t blk) {
    if (hooks::aborted()) return;
    std::vector<double> q(p);
    std::vector<int> idx(N);
    std::vector<std::pair<double, int>> ranked;
    const std::size_t j0 = blk * kBlock, j1 = std::min(m, j0 + kBlock);
    for (std::size_t j = j0; j < j1; ++j) {
      for (std::size_t c = 0; c < p; ++c) q[c] = Q[c * m + j];
      for (std::size_t k = 0; k < N; ++k) idx[k] = pre.index[k * m + j];
      arma::mat S = dann_detail::local_metric(xr, p, y, classes, idx, o.epsilon);
      for (int it = 1; it < o.iterations; ++it) {
        dann_detail::rank_by_metric(xr, n, p, q.data(), S, N, ranked);
        for (std::size_t k = 0; k < N; ++k) idx[k] = ranked[k].second;
        S = dann_detail::local_metric(xr, p, y, classes, idx, o.epsilon);
      }
      dann_detail::rank_by_metric(xr, n, p, q.data(), S, K, ranked);
      out.store(j, ranked);
      if (want_metric) std::copy(S.begin(), S.end(), res.metric.begin() + j * p * p);
    }
  });
  return res;
}

}  // namespace statlearn

#endif
