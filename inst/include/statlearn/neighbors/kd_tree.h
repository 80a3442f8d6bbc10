// statlearn/neighbors/kd_tree.h -- exact k-nearest-neighbour search with a
// k-d tree, for inputs of low dimension (ESL 13.3, 13.5).
//
// The tree splits the training points at the median of the coordinate with
// the widest range until a node holds at most kLeaf points; each node keeps
// the bounding box of its points. A query descends to the nearer child first
// and skips a node when the squared distance from the query to the node's box
// exceeds its current K-th distance (with a relative margin of 1e-12, so that
// rounding in the box distance can only cost an extra visit, never a missed
// point). Candidates are ranked by (exact squared distance summed in column
// order, training index), exactly as the brute-force search and class::knn
// rank them, so the result is identical to brute force, ties included.
//
// The tree is rebuilt for every search (O(n log n), small beside the queries).
// Queries are searched in parallel over fixed blocks; each query is
// independent, so results do not depend on the number of threads.
#ifndef STATLEARN_KD_TREE_H
#define STATLEARN_KD_TREE_H

#include <algorithm>
#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/neighbors/knn_search.h"

namespace statlearn {

namespace kd_detail {

constexpr std::size_t kLeaf = 12;         // most points in a leaf
constexpr std::size_t kQueryChunk = 256;  // queries per task

struct node {
  std::size_t begin, end;  // points [begin, end) of the permuted order
  int left = -1, right = -1;
  int dim = -1;            // split coordinate (-1 for a leaf)
  double cut = 0.0;
};

struct tree {
  std::size_t n = 0, p = 0;
  std::vector<int> order;      // permuted training indices
  std::vector<double> points;  // the points in permuted order, row-major (n x p)
  std::vector<node> nodes;
  std::vector<double> lo, hi;  // bounding boxes, nodes x p
};

// Builds the node over order[b, e) (indices into the column-major X) and
// its subtree; returns its id.
inline int build_node(tree& t, const double* X, std::size_t b, std::size_t e) {
  const std::size_t n = t.n, p = t.p;
  const int id = static_cast<int>(t.nodes.size());
  t.nodes.push_back(node{b, e});
  t.lo.resize(t.lo.size() + p);
  t.hi.resize(t.hi.size() + p);
  double* lo = t.lo.data() + id * p;
  double* hi = t.hi.data() + id * p;
  std::size_t dim = 0;
  double width = -1.0;
  for (std::size_t c = 0; c < p; ++c) {
    double l = std::numeric_limits<double>::infinity(), h = -l;
    const double* xc = X + c * n;
    for (std::size_t i = b; i < e; ++i) {
      const double v = xc[t.order[i]];
      l = std::min(l, v);
      h = std::max(h, v);
    }
    lo[c] = l;
    hi[c] = h;
    if (h - l > width) { width = h - l; dim = c; }
  }
  if (e - b <= kLeaf || !(width > 0.0)) return id;  // small, or all points equal
  // Median split on coordinate dim (ties ordered by index, so the tree does
  // not depend on the input order of equal values beyond their indices).
  const std::size_t mid = b + (e - b) / 2;
  const double* xd = X + dim * n;
  std::nth_element(t.order.begin() + b, t.order.begin() + mid, t.order.begin() + e,
                   [xd](int i, int j) { return xd[i] < xd[j] || (xd[i] == xd[j] && i < j); });
  t.nodes[id].dim = static_cast<int>(dim);
  t.nodes[id].cut = xd[t.order[mid]];
  const int left = build_node(t, X, b, mid);
  const int right = build_node(t, X, mid, e);
  t.nodes[id].left = left;
  t.nodes[id].right = right;
  return id;
}

inline tree build(const double* X, std::size_t n, std::size_t p) {
  tree t;
  t.n = n;
  t.p = p;
  t.order.resize(n);
  for (std::size_t i = 0; i < n; ++i) t.order[i] = static_cast<int>(i);
  t.nodes.reserve(2 * (n / kLeaf + 1));
  if (n > 0) build_node(t, X, 0, n);
  // The points in tree order, row-major, for the leaves' scans.
  t.points.resize(n * p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < p; ++c) t.points[i * p + c] = X[c * n + t.order[i]];
  return t;
}

// The K best (distance, index) pairs so far, sorted ascending.
struct best_list {
  std::vector<std::pair<double, int>> v;
  std::size_t K = 0;
  double worst() const {
    return v.size() < K ? std::numeric_limits<double>::infinity() : v.back().first;
  }
  void offer(double d, int i) {
    const std::pair<double, int> c{d, i};
    if (v.size() == K) {
      if (!(c < v.back())) return;
      v.pop_back();
    }
    v.insert(std::upper_bound(v.begin(), v.end(), c), c);
  }
};

inline double box_distance(const tree& t, int id, const double* q) {
  const double* lo = t.lo.data() + id * t.p;
  const double* hi = t.hi.data() + id * t.p;
  double s = 0.0;
  for (std::size_t c = 0; c < t.p; ++c) {
    double g = 0.0;
    if (q[c] < lo[c]) g = lo[c] - q[c];
    else if (q[c] > hi[c]) g = q[c] - hi[c];
    s += g * g;
  }
  return s;
}

inline void search_node(const tree& t, int id, const double* q, best_list& best) {
  const node& nd = t.nodes[id];
  if (nd.dim < 0) {
    const std::size_t p = t.p;
    for (std::size_t i = nd.begin; i < nd.end; ++i) {
      const double* x = t.points.data() + i * p;
      double s = 0.0;
      for (std::size_t c = 0; c < p; ++c) {
        const double d = x[c] - q[c];
        s += d * d;
      }
      best.offer(s, t.order[i]);
    }
    return;
  }
  int first = nd.left, second = nd.right;
  if (q[nd.dim] >= nd.cut) std::swap(first, second);
  const double margin = 1.0 + 1e-12;
  if (box_distance(t, first, q) <= best.worst() * margin) search_node(t, first, q, best);
  if (box_distance(t, second, q) <= best.worst() * margin) search_node(t, second, q, best);
}

}  // namespace kd_detail

// The K nearest training rows of X (n x p, column-major) to each row of Q
// (m x p), by a k-d tree; the same result as knn_search_plain().
inline knn_result knn_search_tree(const double* X, std::size_t n, const double* Q, std::size_t m,
                                  std::size_t p, std::size_t K, int threads) {
  using namespace kd_detail;
  knn_result out(m, K);
  if (m == 0 || K == 0 || n == 0) return out;
  const tree t = build(X, n, p);
  parallel_chunks(m, kQueryChunk, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    std::vector<double> q(p);
    best_list best;
    best.K = K;
    best.v.reserve(K + 1);
    for (std::size_t j = b; j < e; ++j) {
      for (std::size_t c = 0; c < p; ++c) q[c] = Q[c * m + j];
      best.v.clear();
      search_node(t, 0, q.data(), best);
      out.store(j, best.v);
    }
  });
  return out;
}

}  // namespace statlearn

#endif
