// statlearn/neighbors/knn_search.h -- exact k-nearest-neighbour search.
//
// Brute force, blocked: squared Euclidean distances between a block of
// queries and a block of training points come from the cross-product trick,
// ||x - q||^2 = ||x||^2 + ||q||^2 - 2 x'q, with x'q for the whole block from
// the package's float32 SGEMM (ESL 13.3). That is fast but inexact, so it only
// nominates candidates: each query keeps its `K + extra` closest points by the
// approximate distance, their distances are recomputed exactly (double, the
// plain sum of squared differences in column order, as class::knn computes
// them), and they are ranked by (exact distance, training index). The result
// is certified: a point left out has approximate distance at least that of the
// last candidate, so its exact distance is at least that minus twice the
// error bound of the approximation; when that does not exceed the K-th exact
// distance the query is searched again exactly, point by point. So the
// neighbours, and their order, are exactly those of the plain distances.
//
// Parallel over fixed blocks of queries (one task each, per-thread buffers
// reused across calls), so results do not depend on the number of threads.
#ifndef STATLEARN_KNN_SEARCH_H
#define STATLEARN_KNN_SEARCH_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "statlearn/common/distance.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/common/sgemm.h"

namespace statlearn {

struct knn_result {
  std::size_t m = 0, K = 0;
  std::vector<int> index;        // m x K, column-major: neighbour k of query i at [k * m + i]
  std::vector<double> distance;  // squared Euclidean distances, same layout
  std::size_t exact_fallbacks = 0;  // queries whose candidates could not be certified

  // An m x K result with no neighbours yet.
  knn_result(std::size_t m_ = 0, std::size_t K_ = 0)
      : m(m_), K(K_), index(m_ * K_, -1), distance(m_ * K_, 0.0) {}

  // Query j's neighbours: the first K of `ranked` (distance, index) pairs.
  void store(std::size_t j, const std::vector<std::pair<double, int>>& ranked) {
    for (std::size_t k = 0; k < K; ++k) {
      index[k * m + j] = ranked[k].second;
      distance[k * m + j] = ranked[k].first;
    }
  }
};

namespace knn_detail {

constexpr std::size_t kQueryBlock = 128;   // queries per task
constexpr std::size_t kTrainBlock = 1024;  // training points per SGEMM call
constexpr std::size_t kExtra = 8;          // candidates kept beyond K

// Exact squared distance between training row i of X (column-major n x p)
// and query row j of Q (column-major m x p), summed in column order.
inline double exact_distance(const double* X, std::size_t n, std::size_t i, const double* Q,
                             std::size_t m, std::size_t j, std::size_t p) {
  return squared_distance(X, n, i, Q, m, j, p);
}

// A query's best candidates by approximate distance, kept sorted ascending
// (ties by index, because training points arrive in index order).
struct candidates {
  std::vector<float> d;
  std::vector<int> idx;
  std::size_t size = 0, cap = 0;
  void reset(std::size_t c) {
    cap = c;
    size = 0;
    d.assign(c, std::numeric_limits<float>::infinity());
    idx.assign(c, -1);
  }
  float worst() const { return size < cap ? std::numeric_limits<float>::infinity() : d[cap - 1]; }
  void push(float v, int i) {
    std::size_t pos = size < cap ? size : cap - 1;
    if (size < cap) ++size;
    while (pos > 0 && d[pos - 1] > v) {
      d[pos] = d[pos - 1];
      idx[pos] = idx[pos - 1];
      --pos;
    }
    d[pos] = v;
    idx[pos] = i;
  }
};

struct workspace {
  std::vector<float> qf, xf, prod;
  std::vector<candidates> cand;
  std::vector<std::pair<double, int>> ranked;
};

inline workspace& scratch() {
  thread_local workspace w;
  return w;
}

}  // namespace knn_detail

// The K nearest training rows of X (n x p, column-major double) to each row
// of Q (m x p). xnorm2/qnorm2 may be null. K <= n.
inline knn_result knn_search(const double* X, std::size_t n, const double* Q, std::size_t m,
                             std::size_t p, std::size_t K, int threads) {
  using namespace knn_detail;
  knn_result out(m, K);
  if (m == 0 || K == 0 || n == 0) return out;
  const std::size_t C = std::min(n, K + kExtra);
  // Training points as float, row-major (p x n column-major), with norms.
  std::vector<float> xt(p * n);
  std::vector<float> xn(n);
  double xmax = 0.0;
  parallel_chunks(n, 2048, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t i = b; i < e; ++i) {
      double s = 0.0;
      for (std::size_t c = 0; c < p; ++c) {
        const float v = static_cast<float>(X[c * n + i]);
        xt[i * p + c] = v;
        s += static_cast<double>(v) * v;
      }
      xn[i] = static_cast<float>(s);
    }
  });
  for (std::size_t i = 0; i < n; ++i) xmax = std::max(xmax, static_cast<double>(xn[i]));
  xmax = std::sqrt(xmax);
  const std::size_t nblocks = (m + kQueryBlock - 1) / kQueryBlock;
  std::vector<std::size_t> fallbacks(nblocks, 0);
  // Unit roundoff of float; the bound covers rounding the data to float, the
  // dot products (length p), the norms and the final sum.
  const double u = std::ldexp(1.0, -24);
  const double gamma = (static_cast<double>(p) + 8.0) * u * 1.01;
  parallel_tasks(nblocks, threads, [&](std::size_t blk) {
    if (hooks::aborted()) return;
    workspace& ws = scratch();
    const std::size_t j0 = blk * kQueryBlock, mb = std::min(kQueryBlock, m - j0);
    ws.qf.resize(p * mb);
    std::vector<float> qn(mb);
    std::vector<double> qabs(mb);
    for (std::size_t j = 0; j < mb; ++j) {
      double s = 0.0;
      for (std::size_t c = 0; c < p; ++c) {
        const float v = static_cast<float>(Q[c * m + j0 + j]);
        ws.qf[j * p + c] = v;
        s += static_cast<double>(v) * v;
      }
      qn[j] = static_cast<float>(s);
      qabs[j] = std::sqrt(s);
    }
    if (ws.cand.size() < mb) ws.cand.resize(mb);
    for (std::size_t j = 0; j < mb; ++j) ws.cand[j].reset(C);
    ws.prod.resize(kTrainBlock * mb);
    for (std::size_t i0 = 0; i0 < n; i0 += kTrainBlock) {
      const std::size_t nb = std::min(kTrainBlock, n - i0);
      // prod (nb x mb) = X_block (nb x p) * Q_block' (p x mb)
      sgemm(true, false, nb, mb, p, 1.0f, xt.data() + i0 * p, p, ws.qf.data(), p, 0.0f,
            ws.prod.data(), nb, 1);
      for (std::size_t j = 0; j < mb; ++j) {
        candidates& cj = ws.cand[j];
        const float* pj = ws.prod.data() + j * nb;
        const float qj = qn[j];
        float worst = cj.worst();
        for (std::size_t i = 0; i < nb; ++i) {
          const float d = xn[i0 + i] + qj - 2.0f * pj[i];
          if (d < worst) {
            cj.push(d, static_cast<int>(i0 + i));
            worst = cj.worst();
          }
        }
      }
    }
    // Exact re-ranking and certification.
    for (std::size_t j = 0; j < mb; ++j) {
      const std::size_t q = j0 + j;
      candidates& cj = ws.cand[j];
      ws.ranked.clear();
      for (std::size_t c = 0; c < cj.size; ++c) {
        const int i = cj.idx[c];
        ws.ranked.emplace_back(exact_distance(X, n, i, Q, m, q, p), i);
      }
      std::sort(ws.ranked.begin(), ws.ranked.end());
      bool certain = cj.size == n;  // every point is a candidate
      if (!certain) {
        const double eps = gamma * (qabs[j] + xmax) * (qabs[j] + xmax);
        const double left_out = static_cast<double>(cj.d[cj.size - 1]) - 2.0 * eps;
        certain = left_out > ws.ranked[K - 1].first;
      }
      if (!certain) {
        ++fallbacks[blk];
        ws.ranked.resize(n);
        for (std::size_t i = 0; i < n; ++i)
          ws.ranked[i] = {exact_distance(X, n, i, Q, m, q, p), static_cast<int>(i)};
        std::partial_sort(ws.ranked.begin(), ws.ranked.begin() + K, ws.ranked.end());
      }
      out.store(q, ws.ranked);
    }
  });
  for (std::size_t f : fallbacks) out.exact_fallbacks += f;
  return out;
}

// The same search point by point in double: the reference for tests.
inline knn_result knn_search_plain(const double* X, std::size_t n, const double* Q, std::size_t m,
                                   std::size_t p, std::size_t K) {
  knn_result out(m, K);
  std::vector<std::pair<double, int>> r(n);
  for (std::size_t q = 0; q < m; ++q) {
    for (std::size_t i = 0; i < n; ++i)
      r[i] = {knn_detail::exact_distance(X, n, i, Q, m, q, p), static_cast<int>(i)};
    std::partial_sort(r.begin(), r.begin() + K, r.end());
    out.store(q, r);
  }
  return out;
}

}  // namespace statlearn

#endif
