// statlearn/linear/best_subset.h -- exact best-subset regression by leaps and bounds
// (ESL section 3.3.1; Furnival and Wilson, 1974), and the Gram-matrix
// machinery shared with stepwise.h and stagewise.h.
//
// Everything works on the cross-product (Gram) matrix of the centred, weighted
// data, so the intercept is always in the model and the search never touches
// the n rows again. The predictors are scaled to unit norm and the response to
// unit total sum of squares, so RSS values lie in [0, 1] inside the search.
//
// The search tree (one node per subset): a node is a set S = F + V of "fixed"
// variables F and "free" variables V. Its subtree holds every subset of S that
// contains F. The children of (F, V = v_1..v_r) are
//     child i:  F + {v_1..v_{i-1}} fixed,  {v_{i+1}..v_r} free,  set S - v_i,
// which partitions the subsets of S containing F (other than S itself). A node
// carries the residual cross-products of its free variables (and of y) after
// regression on its fixed ones -- a Schur complement -- so the free variables
// may be put in any order. The bound: every subset in the subtree of S - v_i
// has RSS >= RSS(S - v_i), so the subtree is skipped when RSS(S - v_i) exceeds
// the current nbest-th best RSS at every size it could contain. The free
// variables are ordered by how much RSS rises when each is dropped (most
// important first), so the large subtrees lack the strong variables and are
// pruned. With nbest = 1 the thresholds start from the forward and backward
// stepwise paths, which are usually (nearly) optimal already, and children are
// visited first-to-last; otherwise last-to-first, so good models come early.
// Above the top levels the tree is split into tasks that `threads` workers
// take from a shared queue; the incumbents are shared (a lock per size,
// lock-free threshold reads).
//
// Determinism: a subset's RSS is always computed at its own node (one path
// through the tree), pruning keeps a margin above the incumbents, and ties are
// broken by the lexicographic order of the variable indices, so the result
// does not depend on the number of threads or the order tasks ran in.
#ifndef STATLEARN_BEST_SUBSET_H
#define STATLEARN_BEST_SUBSET_H

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <utility>
#include <vector>

#include "statlearn/common/gram.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/linalg.h"
#include "statlearn/common/parallel.h"

namespace statlearn {
namespace subset {

// ---------------------------------------------------------------------------
// The centred, weighted, scaled cross-products.
struct gram {
  int p = 0;
  double sw = 0.0;               // sum of weights
  std::vector<double> xbar;      // weighted means of the columns
  double ybar = 0.0;
  std::vector<double> xnorm;     // sqrt of the centred weighted sums of squares
  double ynorm = 0.0;            // sqrt of the total sum of squares (1 if zero)
  double tss = 0.0;              // total (weighted, centred) sum of squares
  std::vector<double> G;         // p x p, column-major, unit diagonal
  std::vector<double> c;         // p, scaled X'Wy
  double at(int j, int k) const { return G[static_cast<std::size_t>(k) * p + j]; }
};

// x is n x p column-major. Columns with zero spread get xnorm = 0 (the caller
// checks for them first). The cross products of [X, y] come from the Gram
// kernel (common/gram.h), centred at the weighted means.
inline gram make_gram(const double* x, const double* y, const double* w, int n, int p,
                      int threads = 1) {
  gram g;
  g.p = p;
  const std::size_t N = static_cast<std::size_t>(n), P = static_cast<std::size_t>(p);
  double sw = 0.0, sy = 0.0;
  for (std::size_t i = 0; i < N; ++i) { sw += w[i]; sy += w[i] * y[i]; }
  g.sw = sw;
  g.ybar = sy / sw;
  std::vector<const double*> cols = column_pointers(x, N, P);
  cols.push_back(y);
  std::vector<double> m(P + 1);
  for (std::size_t j = 0; j < P; ++j) {
    const double* col = cols[j];
    double s = 0.0;
    for (std::size_t i = 0; i < N; ++i) s += w[i] * col[i];
    m[j] = s / sw;
  }
  m[P] = g.ybar;
  g.xbar.assign(m.begin(), m.begin() + P);
  std::vector<double> A((P + 1) * (P + 1));
  statlearn::gram(cols.data(), N, P + 1, w, m.data(), threads, A.data());
  g.tss = A[P * (P + 1) + P];
  g.ynorm = g.tss > 0.0 ? std::sqrt(g.tss) : 1.0;
  g.G.assign(P * P, 0.0);
  g.c.assign(P, 0.0);
  g.xnorm.assign(P, 0.0);
  for (std::size_t j = 0; j < P; ++j) g.xnorm[j] = std::sqrt(A[j * (P + 1) + j]);
  for (std::size_t k = 0; k < P; ++k) {
    const double sk = g.xnorm[k] > 0.0 ? g.xnorm[k] : 1.0;
    for (std::size_t j = 0; j < P; ++j) {
      const double sj = g.xnorm[j] > 0.0 ? g.xnorm[j] : 1.0;
      g.G[k * P + j] = A[k * (P + 1) + j] / (sj * sk);
    }
    g.c[k] = A[P * (P + 1) + k] / (sk * g.ynorm);
  }
  return g;
}

// Index of the first column that is (numerically) a linear combination of the
// earlier ones, or -1 when the scaled Gram matrix has full rank.
inline int first_dependent_column(const gram& g, double tol = 1e-9) {
  std::vector<double> L(g.G);
  return static_cast<int>(cholesky_factor(L.data(), static_cast<std::size_t>(g.p), tol).bad);
}

// Least squares on the subset idx (scaled problem): coefficients b (length
// idx.size()) and the scaled RSS, 1 - c' G^{-1} c (G has a unit diagonal).
inline double subset_solve(const gram& g, const std::vector<int>& idx, std::vector<double>* b) {
  const std::size_t m = idx.size();
  std::vector<double> L(m * m), z(m);
  for (std::size_t j = 0; j < m; ++j) {
    z[j] = g.c[idx[j]];
    for (std::size_t i = 0; i < m; ++i) L[j * m + i] = g.at(idx[i], idx[j]);
  }
  if (cholesky_factor(L.data(), m, 1e-14).bad >= 0)
    throw std::runtime_error("the predictors of a subset are numerically collinear");
  cholesky_solve(L.data(), m, z.data());
  double rss = 1.0;
  for (std::size_t j = 0; j < m; ++j) rss -= g.c[idx[j]] * z[j];
  if (b != nullptr) *b = z;
  return std::max(rss, 0.0);
}

// Coefficients on the original scale of x for a subset: fills beta (length p,
// zeros outside idx) and returns the intercept.
inline double original_scale(const gram& g, const std::vector<int>& idx, const std::vector<double>& b,
                             double* beta) {
  for (int j = 0; j < g.p; ++j) beta[j] = 0.0;
  double a0 = g.ybar;
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const int j = idx[k];
    beta[j] = b[k] * g.ynorm / g.xnorm[j];
    a0 -= g.xbar[j] * beta[j];
  }
  return a0;
}

inline std::vector<int> mask_indices(std::uint64_t mask, int p) {
  std::vector<int> idx;
  for (int j = 0; j < p; ++j) if ((mask >> j) & 1ULL) idx.push_back(j);
  return idx;
}

// Lexicographic order of the sorted index lists of two equal-size subsets:
// the one holding the smallest index of their symmetric difference comes first.
inline bool lex_less(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t d = a ^ b;
  if (d == 0) return false;
  const std::uint64_t low = d & (~d + 1ULL);
  return (a & low) != 0;
}

struct scored {
  double rss;
  std::uint64_t mask;
};

inline bool scored_less(const scored& a, const scored& b) {
  if (a.rss != b.rss) return a.rss < b.rss;
  return lex_less(a.mask, b.mask);
}

// ---------------------------------------------------------------------------
// Greedy paths (forward selection, backward elimination) on the Gram matrix:
// rss[k] is the scaled RSS of the size-k model, masks[k] its variables.
struct greedy_path {
  std::vector<double> rss;
  std::vector<std::uint64_t> masks;
};

inline greedy_path forward_path(const gram& g, int max_size) {
  greedy_path out;
  std::vector<int> in;
  std::uint64_t mask = 0;
  out.rss.push_back(1.0);
  out.masks.push_back(0);
  for (int size = 1; size <= max_size; ++size) {
    double best = std::numeric_limits<double>::infinity();
    int jbest = -1;
    for (int j = 0; j < g.p; ++j) {
      if ((mask >> j) & 1ULL) continue;
      std::vector<int> cand(in);
      cand.push_back(j);
      std::sort(cand.begin(), cand.end());
      const double r = subset_solve(g, cand, nullptr);
      if (r < best) { best = r; jbest = j; }
    }
    in.push_back(jbest);
    mask |= 1ULL << jbest;
    out.rss.push_back(best);
    out.masks.push_back(mask);
  }
  return out;
}

inline greedy_path backward_path(const gram& g) {
  const int p = g.p;
  greedy_path out;
  out.rss.assign(p + 1, 1.0);
  out.masks.assign(p + 1, 0);
  std::vector<int> in(p);
  std::iota(in.begin(), in.end(), 0);
  std::uint64_t mask = 0;
  for (int j = 0; j < p; ++j) mask |= 1ULL << j;
  out.rss[p] = subset_solve(g, in, nullptr);
  out.masks[p] = mask;
  for (int size = p - 1; size >= 1; --size) {
    double best = std::numeric_limits<double>::infinity();
    int kbest = -1;
    for (int k = 0; k <= size; ++k) {
      std::vector<int> cand(in);
      cand.erase(cand.begin() + k);
      const double r = subset_solve(g, cand, nullptr);
      if (r < best) { best = r; kbest = k; }
    }
    mask &= ~(1ULL << in[kbest]);
    in.erase(in.begin() + kbest);
    out.rss[size] = best;
    out.masks[size] = mask;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The incumbents: the nbest best subsets of each size found so far.
class incumbents {
 public:
  incumbents(int max_size, int nbest, double margin)
      : nbest_(nbest), margin_(margin), lists_(max_size + 1), thr_(max_size + 1), seed_(max_size + 1),
        locks_(max_size + 1) {
    for (int t = 0; t <= max_size; ++t) {
      thr_[t].store(std::numeric_limits<double>::infinity());
      seed_[t] = std::numeric_limits<double>::infinity();
    }
  }

  // An upper bound on the best RSS of size t known from elsewhere (a greedy
  // path); only used to prune, never reported.
  void seed(int t, double rss) {
    seed_[t] = std::min(seed_[t], rss);
    thr_[t].store(std::min(thr_[t].load(), seed_[t]));
  }

  double threshold(int t) const { return thr_[t].load(std::memory_order_relaxed); }

  // Offer a subset of size t. Subsets more than `margin` above the threshold
  // can never be among the nbest (the greedy seed model, or nbest better ones,
  // are always offered too), so they are rejected without the lock.
  void offer(int t, double rss, std::uint64_t mask) {
    if (rss > threshold(t) + margin_) return;
    std::lock_guard<std::mutex> guard(locks_[t]);
    std::vector<scored>& list = lists_[t];
    const scored s{rss, mask};
    if (static_cast<int>(list.size()) == nbest_ && !scored_less(s, list.back())) return;
    list.insert(std::upper_bound(list.begin(), list.end(), s, scored_less), s);
    if (static_cast<int>(list.size()) > nbest_) list.pop_back();
    double thr = seed_[t];
    if (static_cast<int>(list.size()) == nbest_) thr = std::min(thr, list.back().rss);
    thr_[t].store(thr);
  }

  const std::vector<scored>& list(int t) const { return lists_[t]; }

 private:
  int nbest_;
  double margin_;
  std::vector<std::vector<scored>> lists_;
  std::vector<std::atomic<double>> thr_;
  std::vector<double> seed_;
  std::vector<std::mutex> locks_;
};

// A node of the search tree (see the header comment).
struct node {
  std::uint64_t fixed_mask = 0;
  int nfixed = 0;
  std::vector<int> free;      // original indices of the free variables
  std::vector<double> A;      // r x r Schur complement of the free variables
  std::vector<double> a;      // r residual cross-products with y
  double rss_fixed = 1.0;     // RSS of the fixed set alone
  double bound = 0.0;         // RSS of the whole set, as computed by the parent
};

struct search_settings {
  int max_size = 0;
  int nbest = 1;
  double margin = 1e-10;
};

class searcher {
 public:
  // `main_thread`: this searcher runs on the host's main thread and may ask
  // it about user interrupts. `forward`: visit the children first-to-last
  // (largest subtrees first; used when greedy seeds already give tight
  // thresholds) rather than last-to-first (best models first).
  searcher(const search_settings& s, incumbents& inc, int p, bool main_thread, bool forward)
      : s_(s), inc_(inc), main_(main_thread), forward_(forward), ws_(p + 2) {}

  long long nodes() const { return nodes_; }

  // Can a subtree whose sets all contain `nfixed` fixed variables, lie inside a
  // set of size m and have RSS >= bound be skipped?
  bool prunable(double bound, int nfixed, int m) const {
    const int lo = std::max(1, nfixed);
    const int hi = std::min(m, s_.max_size);
    if (lo > hi) return true;
    for (int t = lo; t <= hi; ++t) {
      if (!(bound > inc_.threshold(t) + s_.margin)) return false;
    }
    return true;
  }
  bool prunable(const node& nd) const {
    return prunable(nd.bound, nd.nfixed, nd.nfixed + static_cast<int>(nd.free.size()));
  }

  // Process a node: record its subset and either recurse into its children or
  // (when collect != nullptr) hand them out as tasks, in visiting order.
  void visit(const node& nd, std::vector<node>* collect = nullptr) {
    visit_raw(0, nd.fixed_mask, nd.nfixed, nd.free.data(), static_cast<int>(nd.free.size()),
              nd.A.data(), nd.a.data(), nd.rss_fixed, collect);
  }

 private:
  struct work {
    std::vector<double> L, M, B, z, b, dinv, drop, av, kidA, kida, snapA, snapa, snaprss;
    std::vector<int> ord, kidfree, snapfree;
    std::vector<std::uint64_t> snapmask;
    void reserve(int r) {
      const std::size_t rr = static_cast<std::size_t>(r) * r;
      if (L.size() < rr) { L.resize(rr); M.resize(rr); B.resize(rr); kidA.resize(rr); }
      if (z.size() < static_cast<std::size_t>(r)) {
        z.resize(r); b.resize(r); dinv.resize(r); drop.resize(r); av.resize(r); kida.resize(r);
        ord.resize(r); kidfree.resize(r);
      }
    }
  };

  void visit_raw(int depth, std::uint64_t fixed_mask, int nfixed, const int* freev, int r,
                 const double* A, const double* a, double rss_fixed, std::vector<node>* collect) {
    ++nodes_;
    if ((nodes_ & 0xFFF) == 0) {
      if (main_) hooks::check_interrupt();
      if (hooks::aborted()) return;
    }
    const int m = nfixed + r;
    std::uint64_t set_mask = fixed_mask;
    for (int j = 0; j < r; ++j) set_mask |= 1ULL << freev[j];
    if (r == 0) {
      if (m >= 1 && m <= s_.max_size) inc_.offer(m, std::max(rss_fixed, 0.0), set_mask);
      return;
    }
    work& w = ws_[depth];
    w.reserve(r);
    double* L = w.L.data();
    // Cholesky of A: A = L L'.
    std::copy(A, A + static_cast<std::size_t>(r) * r, L);
    for (int j = 0; j < r; ++j) {
      double d = L[j * r + j];
      for (int k = 0; k < j; ++k) d -= L[k * r + j] * L[k * r + j];
      if (!(d > 1e-14)) throw std::runtime_error("the predictors are numerically collinear");
      d = std::sqrt(d);
      L[j * r + j] = d;
      for (int i = j + 1; i < r; ++i) {
        double s = L[j * r + i];
        for (int k = 0; k < j; ++k) s -= L[k * r + i] * L[k * r + j];
        L[j * r + i] = s / d;
      }
    }
    // z = L^{-1} a, rss = rss_fixed - z'z, b = L^{-T} z.
    double* z = w.z.data();
    double* b = w.b.data();
    double rss = rss_fixed;
    for (int j = 0; j < r; ++j) {
      double s = a[j];
      for (int k = 0; k < j; ++k) s -= L[k * r + j] * z[k];
      z[j] = s / L[j * r + j];
      rss -= z[j] * z[j];
    }
    rss = std::max(rss, 0.0);
    for (int j = r - 1; j >= 0; --j) {
      double s = z[j];
      for (int k = j + 1; k < r; ++k) s -= L[j * r + k] * b[k];
      b[j] = s / L[j * r + j];
    }
    if (m <= s_.max_size) inc_.offer(m, rss, set_mask);
    // diag(A^{-1}) from M = L^{-1} (lower triangular): diag_j = sum_i M_ij^2.
    double* M = w.M.data();
    for (int j = 0; j < r; ++j) {
      M[j * r + j] = 1.0 / L[j * r + j];
      for (int i = j + 1; i < r; ++i) {
        double s = 0.0;
        for (int k = j; k < i; ++k) s -= L[k * r + i] * M[j * r + k];
        M[j * r + i] = s / L[i * r + i];
      }
    }
    double* drop = w.drop.data();
    for (int j = 0; j < r; ++j) {
      double s = 0.0;
      for (int i = j; i < r; ++i) s += M[j * r + i] * M[j * r + i];
      drop[j] = rss + b[j] * b[j] / s;
    }
    // Order the free variables most important first.
    int* ord = w.ord.data();
    std::iota(ord, ord + r, 0);
    std::sort(ord, ord + r, [&](int u, int v) {
      if (drop[u] != drop[v]) return drop[u] > drop[v];
      return freev[u] < freev[v];
    });
    double* B = w.B.data();
    double* av = w.av.data();
    for (int j = 0; j < r; ++j) {
      av[j] = a[ord[j]];
      for (int i = 0; i < r; ++i) B[j * r + i] = A[ord[j] * r + ord[i]];
    }
    const bool snapshots = collect != nullptr || !forward_;
    std::size_t snap_total = 0;
    if (snapshots) {
      for (int i = 0; i < r; ++i) snap_total += static_cast<std::size_t>(r - i - 1) * (r - i - 1);
      if (w.snapA.size() < snap_total) w.snapA.resize(snap_total);
      if (w.snapa.size() < static_cast<std::size_t>(r) * r) {
        w.snapa.resize(static_cast<std::size_t>(r) * r);
        w.snapfree.resize(static_cast<std::size_t>(r) * r);
      }
      if (w.snaprss.size() < static_cast<std::size_t>(r)) {
        w.snaprss.resize(r);
        w.snapmask.resize(r);
      }
    }
    // Children by successive elimination in that order: child i has
    // v_0..v_{i-1} fixed, v_{i+1}.. free, and RSS(S - v_i) = drop[ord[i]].
    double rss_cur = rss_fixed;
    std::uint64_t fixed = fixed_mask;
    std::size_t offset = 0;
    for (int i = 0; i < r; ++i) {
      const int rk = r - i - 1;
      const double bound = drop[ord[i]];
      if (snapshots) {
        double* kA = w.snapA.data() + offset;
        double* ka = w.snapa.data() + static_cast<std::size_t>(i) * r;
        int* kf = w.snapfree.data() + static_cast<std::size_t>(i) * r;
        copy_child(B, av, freev, ord, r, i, kA, ka, kf);
        w.snaprss[i] = rss_cur;
        w.snapmask[i] = fixed;
        offset += static_cast<std::size_t>(rk) * rk;
      } else if (!prunable(bound, nfixed + i, m - 1)) {
        // Visit now: the elimination below only touches what this child no
        // longer needs once its state is copied.
        copy_child(B, av, freev, ord, r, i, w.kidA.data(), w.kida.data(), w.kidfree.data());
        visit_raw(depth + 1, fixed, nfixed + i, w.kidfree.data(), rk, w.kidA.data(), w.kida.data(),
                  rss_cur, nullptr);
      }
      // Eliminate v_i from the trailing block.
      if (i + 1 < r) {
        const double piv = B[i * r + i];
        if (!(piv > 1e-14)) throw std::runtime_error("the predictors are numerically collinear");
        for (int j = i + 1; j < r; ++j) {
          const double f = B[i * r + j] / piv;
          if (f == 0.0) continue;
          for (int k = i + 1; k < r; ++k) B[k * r + j] -= f * B[k * r + i];
          av[j] -= f * av[i];
        }
        rss_cur -= av[i] * av[i] / piv;
      }
      fixed |= 1ULL << freev[ord[i]];
    }
    if (!snapshots) return;
    // Offsets of the snapshots.
    std::vector<std::size_t> offs(r);
    offset = 0;
    for (int i = 0; i < r; ++i) {
      offs[i] = offset;
      offset += static_cast<std::size_t>(r - i - 1) * (r - i - 1);
    }
    for (int step = 0; step < r; ++step) {
      const int i = forward_ ? step : r - 1 - step;
      const int rk = r - i - 1;
      const double* kA = w.snapA.data() + offs[i];
      const double* ka = w.snapa.data() + static_cast<std::size_t>(i) * r;
      const int* kf = w.snapfree.data() + static_cast<std::size_t>(i) * r;
      if (collect != nullptr) {
        node kid;
        kid.fixed_mask = w.snapmask[i];
        kid.nfixed = nfixed + i;
        kid.rss_fixed = w.snaprss[i];
        kid.bound = drop[ord[i]];
        kid.free.assign(kf, kf + rk);
        kid.a.assign(ka, ka + rk);
        kid.A.assign(kA, kA + static_cast<std::size_t>(rk) * rk);
        collect->push_back(std::move(kid));
      } else if (!prunable(drop[ord[i]], nfixed + i, m - 1)) {
        visit_raw(depth + 1, w.snapmask[i], nfixed + i, kf, rk, kA, ka, w.snaprss[i], nullptr);
      }
    }
  }

  // The state of child i: the trailing block of B after i eliminations,
  // without row and column i.
  static void copy_child(const double* B, const double* av, const int* freev, const int* ord, int r, int i,
                         double* kA, double* ka, int* kf) {
    const int rk = r - i - 1;
    for (int j = 0; j < rk; ++j) {
      kf[j] = freev[ord[i + 1 + j]];
      ka[j] = av[i + 1 + j];
      for (int k = 0; k < rk; ++k) kA[j * rk + k] = B[(i + 1 + j) * r + (i + 1 + k)];
    }
  }

  search_settings s_;
  incumbents& inc_;
  bool main_;
  bool forward_;
  std::vector<work> ws_;
  long long nodes_ = 0;
};

struct search_result {
  // For each size 0..max_size, up to nbest subsets sorted by RSS (scaled).
  std::vector<std::vector<scored>> best;
  long long nodes = 0;
};

// The root node: all p variables free.
inline node root_node(const gram& g) {
  node root;
  const int p = g.p;
  root.free.resize(p);
  std::iota(root.free.begin(), root.free.end(), 0);
  root.A = g.G;
  root.a = g.c;
  root.rss_fixed = 1.0;
  root.bound = 0.0;
  return root;
}

inline search_result leaps_and_bounds(const gram& g, int max_size, int nbest, int threads) {
  const int p = g.p;
  if (p > 64) throw std::invalid_argument("best subsets supports at most 64 predictors");
  search_settings s;
  s.max_size = std::min(max_size, p);
  s.nbest = std::max(1, nbest);
  // Rounding in the Schur complements grows with the conditioning of the
  // predictors; the margin keeps the pruning exact well beyond that.
  s.margin = 1e-8;
  incumbents inc(s.max_size, s.nbest, s.margin);
  if (s.nbest == 1 && s.max_size >= 1) {
    const greedy_path fw = forward_path(g, s.max_size);
    const greedy_path bw = backward_path(g);
    for (int t = 1; t <= s.max_size; ++t) inc.seed(t, std::min(fw.rss[t], bw.rss[t]));
  }
  search_result out;
  if (s.max_size >= 1) {
    // Expand the top of the tree serially into tasks, then run the tasks on
    // `threads` workers pulling from a shared queue in visiting order.
    const bool seeded = s.nbest == 1;
    searcher top(s, inc, p, true, seeded);
    std::vector<node> tasks;
    top.visit(root_node(g), &tasks);
    // With several threads, split the large subtrees further so that the
    // workers' shares balance.
    const std::size_t target = static_cast<std::size_t>(32 * threads);
    for (int pass = 0; threads > 1 && pass < 3 && tasks.size() < target; ++pass) {
      std::vector<node> next;
      for (node& t : tasks) {
        if (top.prunable(t)) continue;
        if (static_cast<int>(t.free.size()) < 8) { next.push_back(std::move(t)); continue; }
        top.visit(t, &next);
      }
      tasks.swap(next);
    }
    long long nodes = top.nodes();
    hooks::check_interrupt();
    std::atomic<std::size_t> next_task{0};
    const int workers = std::max(1, threads);
    std::vector<long long> counts(workers, 0);
    parallel_tasks(workers, workers, [&](std::size_t wk) {
      searcher sr(s, inc, p, workers == 1, seeded);
      for (;;) {
        const std::size_t k = next_task.fetch_add(1);
        if (k >= tasks.size() || hooks::aborted()) break;
        if (!sr.prunable(tasks[k])) sr.visit(tasks[k], nullptr);
      }
      counts[wk] = sr.nodes();
    });
    hooks::check_interrupt();
    for (long long c : counts) nodes += c;
    out.nodes = nodes;
  }
  out.best.resize(s.max_size + 1);
  out.best[0].push_back(scored{1.0, 0});
  for (int t = 1; t <= s.max_size; ++t) out.best[t] = inc.list(t);
  return out;
}

// The RSS of every non-empty subset (for small p): masks and scaled RSS.
inline void all_subsets(const gram& g, std::vector<std::uint64_t>* masks, std::vector<double>* rss) {
  const int p = g.p;
  const std::uint64_t total = 1ULL << p;
  masks->clear();
  rss->clear();
  for (std::uint64_t m = 1; m < total; ++m) {
    if ((m & 0x3FF) == 0) hooks::check_interrupt();
    masks->push_back(m);
    rss->push_back(subset_solve(g, mask_indices(m, p), nullptr));
  }
}

}  // namespace subset
}  // namespace statlearn

#endif
