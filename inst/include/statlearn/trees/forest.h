// statlearn/trees/forest.h -- random forests (ESL chapter 15).
//
// Classification (Gini) and regression (variance) forests grown in parallel
// over trees on TBB. Each tree draws its bootstrap sample, its candidate
// variables and its tie breaks from its own counter-based stream
// stream(seed, tree), so a forest does not depend on the number of threads.
//
// Speed: every variable is coded once as the indices of its sorted unique
// values (a uint32 per observation and variable). A node then finds the best
// split of a variable either from a histogram over the variable's unique
// values (when they are few compared with the node's samples) or by sorting
// the node's (value index, response) keys; both visit the node's samples once
// and never compare doubles. Work buffers live in one workspace per thread and
// are reused by every node of every tree that thread grows.
//
// A forest is stored flat: for every node of every tree, the split variable
// (-1 at a leaf), the split value (x <= value goes left; at a leaf, the
// predicted class index or mean response) and the index of the left child
// within its tree (the right child follows it); offsets give each tree's
// first node.
#ifndef STATLEARN_TREES_FOREST_H
#define STATLEARN_TREES_FOREST_H

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>


#include "statlearn/common/parallel.h"
#include "statlearn/common/rng.h"

namespace statlearn {

// Training data coded by unique values.
struct forest_data {
  std::size_t n = 0, p = 0;
  const double* x = nullptr;               // n x p, column-major
  std::vector<std::vector<double>> uvals;  // sorted unique values per variable
  std::vector<std::uint32_t> index;        // n x p: position of x[i, j] in uvals[j]
  const int* y_class = nullptr;            // classes 0..K-1 (classification)
  const double* y_num = nullptr;           // response (regression)
  int K = 0;                               // number of classes; 0 for regression
};

// Build uvals and index for x (parallel over variables).
inline void forest_code_data(forest_data& d, int threads) {
  d.uvals.assign(d.p, std::vector<double>());
  d.index.assign(d.n * d.p, 0u);
  parallel_tasks(d.p, threads, [&](std::size_t j) {
    const double* col = d.x + j * d.n;
    std::vector<double>& u = d.uvals[j];
    u.assign(col, col + d.n);
    std::sort(u.begin(), u.end());
    u.erase(std::unique(u.begin(), u.end()), u.end());
    std::uint32_t* ix = d.index.data() + j * d.n;
    for (std::size_t i = 0; i < d.n; ++i) {
      ix[i] = static_cast<std::uint32_t>(std::lower_bound(u.begin(), u.end(), col[i]) - u.begin());
    }
  });
}

struct forest_options {
  int trees = 500;
  int mtry = 1;
  int node_size = 1;       // nodes with at most this many (bootstrap) samples are leaves
  int max_depth = 0;       // 0: unlimited
  double sample_fraction = 1.0;
  bool replace = true;
  std::vector<double> class_weights;  // length K (classification)
  bool importance_impurity = false;
  bool importance_permutation = false;
  bool keep_inbag = false;
  std::uint64_t seed = 1;
  int threads = 1;
};


namespace forest_detail {
struct tree_nodes {
  std::vector<int> var;
  std::vector<double> value;
  std::vector<int> left;
  void clear() { var.clear(); value.clear(); left.clear(); }
  int add_leaf() {
    var.push_back(-1);
    value.push_back(0.0);
    left.push_back(-1);
    return static_cast<int>(var.size()) - 1;
  }
};
}  // namespace forest_detail

// The trees are returned one by one (tree_list), so that a host can copy them
// into its own flat vectors and free each as it goes: the forest is never held
// twice in full.
struct forest_result {
  std::vector<forest_detail::tree_nodes> tree_list;
  std::vector<double> oob_error;      // after each tree (NaN while no sample is OOB)
  std::vector<double> oob_votes;      // n x K votes (classification) or n sums (regression)
  std::vector<int> oob_count;         // n: trees for which each sample was OOB
  std::vector<double> importance_impurity;    // p
  std::vector<double> importance_permutation; // p
  std::vector<int> inbag;             // n x trees in-bag counts (keep_inbag)
};

namespace forest_detail {

// Per-thread buffers, reused by every tree the thread grows.
struct workspace {
  std::vector<std::uint32_t> samples, inbag, vars, oob, perm, draw;
  std::vector<double> hist;   // U x 2 (regression)
  std::vector<std::uint32_t> ihist;  // U x K (classification)
  std::vector<double> node_counts, left_counts;
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> keys32, tmp32;
  std::vector<double> imp_perm;
  std::vector<char> used;
  struct item { int node, start, end, depth; };
  std::vector<item> stack;
};

// Traverse one tree for row i of a column-major matrix with n rows.
inline int leaf_of(const int* var, const double* value, const int* left, const double* x,
                   std::size_t n, std::size_t i) {
  int k = 0;
  while (var[k] >= 0) {
    k = left[k] + (x[static_cast<std::size_t>(var[k]) * n + i] > value[k] ? 1 : 0);
  }
  return k;
}

// Squared-count (Gini) or squared-sum (variance) split scores.
struct split_choice {
  int var = -1;
  std::uint32_t cut = 0;   // left: value index <= cut
  double value = 0.0;
  double score = -1.0;
};

class tree_grower {
 public:
  tree_grower(const forest_data& d, const forest_options& o, workspace& w, tree_nodes& t,
              std::vector<double>& imp, stream& rng)
      : d_(d), o_(o), w_(w), t_(t), imp_(imp), rng_(rng) {}

  void grow(int nsamp) {
    t_.clear();
    w_.stack.clear();
    const int root = t_.add_leaf();
    w_.stack.push_back({root, 0, nsamp, 0});
    while (!w_.stack.empty()) {
      const workspace::item it = w_.stack.back();
      w_.stack.pop_back();
      split_node(it);
    }
  }

 private:
  const forest_data& d_;
  const forest_options& o_;
  workspace& w_;
  tree_nodes& t_;
  std::vector<double>& imp_;
  stream& rng_;

  void make_leaf_class(int node, const double* counts) {
    const int K = d_.K;
    double best = -1.0;
    int nbest = 0, which = 0;
    for (int k = 0; k < K; ++k) {
      const double c = counts[k] * o_.class_weights[k];
      if (c > best) { best = c; which = k; nbest = 1; }
      else if (c == best) {
        ++nbest;
        if (rng_.below(static_cast<std::uint64_t>(nbest)) == 0) which = k;  // uniform tie break
      }
    }
    t_.value[node] = which;
  }

  void split_node(const workspace::item& it) {
    const int nn = it.end - it.start;
    const std::uint32_t* s = w_.samples.data() + it.start;
    const bool cls = d_.K > 0;
    const int K = d_.K;
    double node_score = 0.0, sum = 0.0;
    bool pure = true;
    if (cls) {
      double* nc = w_.node_counts.data();
      std::fill(nc, nc + K, 0.0);
      for (int m = 0; m < nn; ++m) nc[d_.y_class[s[m]]] += 1.0;
      int present = 0;
      for (int k = 0; k < K; ++k) {
        node_score += o_.class_weights[k] * nc[k] * nc[k];
        present += nc[k] > 0;
      }
      node_score /= nn;
      pure = present <= 1;
    } else {
      const double y0 = d_.y_num[s[0]];
      for (int m = 0; m < nn; ++m) {
        const double y = d_.y_num[s[m]];
        sum += y;
        if (y != y0) pure = false;
      }
      node_score = sum * sum / nn;
    }
    const bool stop = pure || nn <= o_.node_size || (o_.max_depth > 0 && it.depth >= o_.max_depth);
    split_choice best;
    if (!stop) {
      // draw mtry distinct variables (partial Fisher-Yates on a persistent permutation)
      std::uint32_t* v = w_.vars.data();
      const std::size_t p = d_.p;
      for (int c = 0; c < o_.mtry; ++c) {
        const std::size_t r = c + rng_.below(p - c);
        std::swap(v[c], v[r]);
        const int j = static_cast<int>(v[c]);
        if (cls) best_split_class(j, s, nn, best);
        else best_split_reg(j, s, nn, best);
      }
    }
    if (best.var < 0) {
      if (cls) make_leaf_class(it.node, w_.node_counts.data());
      else t_.value[it.node] = sum / nn;
      return;
    }
    if (!imp_.empty()) imp_[best.var] += best.score - node_score;
    // partition the node's samples
    const std::uint32_t* ix = d_.index.data() + static_cast<std::size_t>(best.var) * d_.n;
    std::uint32_t* b = w_.samples.data() + it.start;
    std::uint32_t* e = w_.samples.data() + it.end;
    std::uint32_t* mid = std::partition(b, e, [&](std::uint32_t i) { return ix[i] <= best.cut; });
    const int nl = static_cast<int>(mid - b);
    const int l = t_.add_leaf();
    t_.add_leaf();
    t_.var[it.node] = best.var;
    t_.value[it.node] = best.value;
    t_.left[it.node] = l;
    // right first on the stack, so the left subtree is grown first
    w_.stack.push_back({l + 1, it.start + nl, it.end, it.depth + 1});
    w_.stack.push_back({l, it.start, it.start + nl, it.depth + 1});
  }

  // Use the histogram over unique values when it is not much longer than the node
  bool use_hist(std::size_t U, int nn) const { return static_cast<double>(U) <= hist_ratio() * nn; }
  // (3 measured best on spam and at n = 1e5: the histogram's pass over U counts is cheaper
  // than radix-sorting the node's keys until U is about 3 times the node size)
  static double hist_ratio() { return 3.0; }

  double split_value(int j, std::uint32_t a, std::uint32_t b) const {
    const double lo = d_.uvals[j][a], hi = d_.uvals[j][b];
    double v = 0.5 * (lo + hi);
    if (!(v < hi)) v = lo;  // adjacent doubles: keep lo on the left
    return v;
  }

  void best_split_class(int j, const std::uint32_t* s, int nn, split_choice& best) {
    const int K = d_.K;
    const std::uint32_t* ix = d_.index.data() + static_cast<std::size_t>(j) * d_.n;
    const std::size_t U = d_.uvals[j].size();
    if (U < 2) return;
    const double* cw = o_.class_weights.data();
    const double* nc = w_.node_counts.data();
    double* lc = w_.left_counts.data();
    std::fill(lc, lc + K, 0.0);
    int nl = 0;
    auto evaluate = [&](std::uint32_t prev, std::uint32_t next) {
      const int nr = nn - nl;
      double sl = 0.0, sr = 0.0;
      for (int k = 0; k < K; ++k) {
        const double r = nc[k] - lc[k];
        sl += cw[k] * lc[k] * lc[k];
        sr += cw[k] * r * r;
      }
      const double score = sl / nl + sr / nr;
      if (score > best.score) {
        best.score = score;
        best.var = j;
        best.cut = prev;
        best.value = split_value(j, prev, next);
      }
    };
    if (use_hist(U, nn) || value_bits(U) + class_bits() > 32) {
      std::vector<std::uint32_t>& h = w_.ihist;
      const std::size_t need = U * K;
      if (h.size() < need) h.resize(need);
      std::fill(h.begin(), h.begin() + need, 0u);
      const int* yc = d_.y_class;
      for (int m = 0; m < nn; ++m) ++h[static_cast<std::size_t>(ix[s[m]]) * K + yc[s[m]]];
      std::uint32_t prev = 0;
      bool have = false;
      const std::uint32_t* hp = h.data();
      for (std::uint32_t u = 0; u < U; ++u, hp += K) {
        std::uint32_t c = 0;
        for (int k = 0; k < K; ++k) c += hp[k];
        if (c == 0) continue;
        if (have) {
          if (nl == nn) break;
          evaluate(prev, u);
        }
        for (int k = 0; k < K; ++k) lc[k] += hp[k];
        nl += static_cast<int>(c);
        prev = u;
        have = true;
      }
    } else {
      // sort the node's keys (value index, class) packed in 32 bits
      const int kb = class_bits();
      std::vector<std::uint32_t>& keys = w_.keys32;
      if (keys.size() < static_cast<std::size_t>(nn)) { keys.resize(nn); w_.tmp32.resize(nn); }
      const int* yc = d_.y_class;
      for (int m = 0; m < nn; ++m) keys[m] = (ix[s[m]] << kb) | static_cast<std::uint32_t>(yc[s[m]]);
      radix_sort(keys.data(), w_.tmp32.data(), nn, value_bits(U) + kb);
      const std::uint32_t cmask = (1u << kb) - 1u;
      int m = 0;
      while (m < nn) {
        const std::uint32_t u = keys[m] >> kb;
        if (m > 0) evaluate(keys[m - 1] >> kb, u);
        while (m < nn && (keys[m] >> kb) == u) {
          lc[keys[m] & cmask] += 1.0;
          ++nl;
          ++m;
        }
      }
    }
  }

  int class_bits() const {
    int b = 0;
    while ((1 << b) < d_.K) ++b;
    return b;
  }
  static int value_bits(std::size_t U) {
    int b = 1;
    while ((static_cast<std::size_t>(1) << b) < U) ++b;
    return b;
  }

  // Ascending sort of nn keys of `bits` significant bits: insertion sort when
  // short, else least-significant-digit radix sort with digits of at most 11 bits.
  static void radix_sort(std::uint32_t* a, std::uint32_t* tmp, int nn, int bits) {
    if (nn < 48) {
      for (int i = 1; i < nn; ++i) {
        const std::uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; --j; }
        a[j + 1] = v;
      }
      return;
    }
    const int passes = (bits + 10) / 11;
    const int digit = (bits + passes - 1) / passes;
    const std::uint32_t buckets = 1u << digit, mask = buckets - 1u;
    std::uint32_t count[2048];
    std::uint32_t* src = a;
    std::uint32_t* dst = tmp;
    for (int pass = 0; pass < passes; ++pass) {
      const int shift = pass * digit;
      std::fill(count, count + buckets, 0u);
      for (int i = 0; i < nn; ++i) ++count[(src[i] >> shift) & mask];
      std::uint32_t sum = 0;
      for (std::uint32_t b = 0; b < buckets; ++b) { const std::uint32_t c = count[b]; count[b] = sum; sum += c; }
      for (int i = 0; i < nn; ++i) dst[count[(src[i] >> shift) & mask]++] = src[i];
      std::swap(src, dst);
    }
    if (src != a) std::copy(src, src + nn, a);
  }

  void best_split_reg(int j, const std::uint32_t* s, int nn, split_choice& best) {
    const std::uint32_t* ix = d_.index.data() + static_cast<std::size_t>(j) * d_.n;
    const std::size_t U = d_.uvals[j].size();
    if (U < 2) return;
    double total = 0.0;
    for (int m = 0; m < nn; ++m) total += d_.y_num[s[m]];
    double sl = 0.0;
    int nl = 0;
    auto evaluate = [&](std::uint32_t prev, std::uint32_t next) {
      const int nr = nn - nl;
      const double sr = total - sl;
      const double score = sl * sl / nl + sr * sr / nr;
      if (score > best.score) {
        best.score = score;
        best.var = j;
        best.cut = prev;
        best.value = split_value(j, prev, next);
      }
    };
    if (use_hist(U, nn)) {
      std::vector<double>& h = w_.hist;
      const std::size_t need = U * 2;
      if (h.size() < need) h.resize(need);
      std::fill(h.begin(), h.begin() + need, 0.0);
      for (int m = 0; m < nn; ++m) {
        const std::uint32_t u = ix[s[m]];
        h[2 * static_cast<std::size_t>(u)] += 1.0;
        h[2 * static_cast<std::size_t>(u) + 1] += d_.y_num[s[m]];
      }
      std::uint32_t prev = 0;
      bool have = false;
      for (std::uint32_t u = 0; u < U; ++u) {
        const double c = h[2 * static_cast<std::size_t>(u)];
        if (c == 0.0) continue;
        if (have) {
          if (nl == nn) break;
          evaluate(prev, u);
        }
        sl += h[2 * static_cast<std::size_t>(u) + 1];
        nl += static_cast<int>(c);
        prev = u;
        have = true;
      }
    } else {
      const int pb = value_bits(static_cast<std::size_t>(nn)), vb = value_bits(U);
      if (pb + vb <= 32) {
        // (value index, position in node) packed in 32 bits, radix-sorted
        std::vector<std::uint32_t>& keys = w_.keys32;
        if (keys.size() < static_cast<std::size_t>(nn)) { keys.resize(nn); w_.tmp32.resize(nn); }
        for (int m = 0; m < nn; ++m) keys[m] = (ix[s[m]] << pb) | static_cast<std::uint32_t>(m);
        radix_sort(keys.data(), w_.tmp32.data(), nn, pb + vb);
        const std::uint32_t pmask = (1u << pb) - 1u;
        int m = 0;
        while (m < nn) {
          const std::uint32_t u = keys[m] >> pb;
          if (m > 0) evaluate(keys[m - 1] >> pb, u);
          while (m < nn && (keys[m] >> pb) == u) {
            sl += d_.y_num[s[keys[m] & pmask]];
            ++nl;
            ++m;
          }
        }
        return;
      }
      std::vector<std::uint64_t>& keys = w_.keys;
      if (keys.size() < static_cast<std::size_t>(nn)) keys.resize(nn);
      for (int m = 0; m < nn; ++m) keys[m] = (static_cast<std::uint64_t>(ix[s[m]]) << 32) | static_cast<std::uint64_t>(m);
      std::sort(keys.begin(), keys.begin() + nn);
      int m = 0;
      while (m < nn) {
        const std::uint32_t u = static_cast<std::uint32_t>(keys[m] >> 32);
        if (m > 0) evaluate(static_cast<std::uint32_t>(keys[m - 1] >> 32), u);
        while (m < nn && static_cast<std::uint32_t>(keys[m] >> 32) == u) {
          sl += d_.y_num[s[keys[m] & 0xffffffffu]];
          ++nl;
          ++m;
        }
      }
    }
  }
};

// One tree's out-of-bag predictions, kept until they are merged in tree order.
struct tree_out {
  tree_nodes nodes;
  std::vector<std::uint32_t> oob;
  std::vector<double> oob_pred;
  std::vector<double> imp_impurity, imp_perm;
  std::vector<int> inbag;
};

}  // namespace forest_detail

inline forest_result forest_fit(const forest_data& d, const forest_options& o) {
  using namespace forest_detail;
  const std::size_t n = d.n, p = d.p;
  const int T = o.trees, K = d.K;
  const bool cls = K > 0;
  forest_options oo = o;
  if (cls && oo.class_weights.size() != static_cast<std::size_t>(K)) oo.class_weights.assign(K, 1.0);
  const std::size_t nsamp = std::max<std::size_t>(1, static_cast<std::size_t>(std::llround(o.sample_fraction * n)));

  forest_result res;
  res.tree_list.resize(T);
  res.oob_error.assign(T, std::numeric_limits<double>::quiet_NaN());
  res.oob_votes.assign(cls ? n * K : n, 0.0);
  res.oob_count.assign(n, 0);
  res.importance_impurity.assign(o.importance_impurity ? p : 0, 0.0);
  res.importance_permutation.assign(o.importance_permutation ? p : 0, 0.0);
  if (o.keep_inbag) res.inbag.assign(n * static_cast<std::size_t>(T), 0);

  auto make_workspace = [&](workspace& w) {
    w.samples.resize(nsamp);
    w.inbag.resize(n);
    w.vars.resize(p);
    w.node_counts.resize(std::max(K, 1));
    w.left_counts.resize(std::max(K, 1));
    w.used.resize(p);
    if (!o.replace) w.draw.resize(n);
  };

  // state of the running OOB ensemble
  std::vector<int> cur(n, -1);
  std::size_t n_covered = 0, n_wrong = 0;
  double sse = 0.0;

  // Trees are handed out in order from an atomic counter to `threads`
  // workers; a finished tree is merged into the OOB ensemble (in tree order,
  // under a lock) as soon as all trees before it are merged, so few trees'
  // OOB predictions wait in memory and no worker waits at a barrier.
  std::vector<std::unique_ptr<tree_out>> pending(T);
  std::atomic<int> next_tree{0};
  std::mutex merge_lock;
  int next_merge = 0;
  auto merge = [&](int t, tree_out& out) {
    res.tree_list[t] = std::move(out.nodes);
    for (std::size_t j = 0; j < res.importance_impurity.size(); ++j) res.importance_impurity[j] += out.imp_impurity[j];
    for (std::size_t j = 0; j < res.importance_permutation.size(); ++j) res.importance_permutation[j] += out.imp_perm[j];
    if (o.keep_inbag) std::copy(out.inbag.begin(), out.inbag.end(), res.inbag.begin() + static_cast<std::size_t>(t) * n);
    for (std::size_t m = 0; m < out.oob.size(); ++m) {
      const std::uint32_t i = out.oob[m];
      if (res.oob_count[i]++ == 0) ++n_covered;
      if (cls) {
        double* vv = res.oob_votes.data() + static_cast<std::size_t>(i) * K;
        vv[static_cast<int>(out.oob_pred[m])] += 1.0;
        int arg = 0;
        for (int k = 1; k < K; ++k) if (vv[k] > vv[arg]) arg = k;
        const int old = cur[i];
        if (old >= 0 && old != d.y_class[i]) --n_wrong;
        if (arg != d.y_class[i]) ++n_wrong;
        cur[i] = arg;
      } else {
        const int c = res.oob_count[i];
        if (c > 1) { const double e = res.oob_votes[i] / (c - 1) - d.y_num[i]; sse -= e * e; }
        res.oob_votes[i] += out.oob_pred[m];
        const double e = res.oob_votes[i] / c - d.y_num[i];
        sse += e * e;
      }
    }
    if (n_covered > 0) res.oob_error[t] = cls ? static_cast<double>(n_wrong) / n_covered : sse / n_covered;
  };
  const int workers = std::max(1, std::min(o.threads, T));
  parallel_tasks(static_cast<std::size_t>(workers), workers, [&](std::size_t) {
    workspace w;
    make_workspace(w);
    for (;;) {
      const int t = next_tree.fetch_add(1);
      if (t >= T || hooks::aborted()) break;
      std::unique_ptr<tree_out> holder(new tree_out());
      tree_out& out = *holder;
      stream rng(o.seed, static_cast<std::uint64_t>(t));
      // bootstrap (or subsample) into w.samples; in-bag counts in w.inbag
      std::fill(w.inbag.begin(), w.inbag.end(), 0u);
      if (o.replace) {
        for (std::size_t m = 0; m < nsamp; ++m) {
          const std::uint32_t i = static_cast<std::uint32_t>(rng.below(n));
          w.samples[m] = i;
          ++w.inbag[i];
        }
      } else {
        std::iota(w.draw.begin(), w.draw.end(), 0u);
        for (std::size_t m = 0; m < nsamp; ++m) {
          const std::size_t r = m + rng.below(n - m);
          std::swap(w.draw[m], w.draw[r]);
          w.samples[m] = w.draw[m];
          ++w.inbag[w.draw[m]];
        }
      }
      std::iota(w.vars.begin(), w.vars.end(), 0u);
      out.imp_impurity.assign(o.importance_impurity ? p : 0, 0.0);
      tree_grower g(d, oo, w, out.nodes, out.imp_impurity, rng);
      g.grow(static_cast<int>(nsamp));
      out.nodes.var.shrink_to_fit();
      out.nodes.value.shrink_to_fit();
      out.nodes.left.shrink_to_fit();
      if (o.keep_inbag) out.inbag.assign(w.inbag.begin(), w.inbag.end());
      // out-of-bag predictions
      out.oob.clear();
      for (std::size_t i = 0; i < n; ++i) if (w.inbag[i] == 0) out.oob.push_back(static_cast<std::uint32_t>(i));
      const std::size_t no = out.oob.size();
      out.oob_pred.resize(no);
      const int* tv = out.nodes.var.data();
      const double* tval = out.nodes.value.data();
      const int* tl = out.nodes.left.data();
      for (std::size_t m = 0; m < no; ++m) out.oob_pred[m] = tval[leaf_of(tv, tval, tl, d.x, n, out.oob[m])];
      // permutation importance on this tree's OOB samples
      out.imp_perm.assign(o.importance_permutation ? p : 0, 0.0);
      if (o.importance_permutation && no > 0) {
        stream prng(o.seed ^ 0x5bd1e995ULL, static_cast<std::uint64_t>(t));
        double base = 0.0;
        for (std::size_t m = 0; m < no; ++m) {
          const std::uint32_t i = out.oob[m];
          if (cls) base += (static_cast<int>(out.oob_pred[m]) == d.y_class[i]);
          else { const double e = out.oob_pred[m] - d.y_num[i]; base += e * e; }
        }
        std::fill(w.used.begin(), w.used.end(), 0);
        for (int v : out.nodes.var) if (v >= 0) w.used[v] = 1;
        w.perm.resize(no);
        for (std::size_t j = 0; j < p; ++j) {
          if (!w.used[j]) continue;
          std::iota(w.perm.begin(), w.perm.end(), 0u);
          for (std::size_t m = no - 1; m > 0; --m) std::swap(w.perm[m], w.perm[prng.below(m + 1)]);
          double acc = 0.0;
          const double* xj = d.x + j * n;
          for (std::size_t m = 0; m < no; ++m) {
            const std::uint32_t i = out.oob[m];
            const double xp = xj[out.oob[w.perm[m]]];
            int k = 0;
            while (tv[k] >= 0) {
              const double xv = (static_cast<std::size_t>(tv[k]) == j) ? xp : d.x[static_cast<std::size_t>(tv[k]) * n + i];
              k = tl[k] + (xv > tval[k] ? 1 : 0);
            }
            if (cls) acc += (static_cast<int>(tval[k]) == d.y_class[i]);
            else { const double e = tval[k] - d.y_num[i]; acc += e * e; }
          }
          out.imp_perm[j] = cls ? (base - acc) / no : (acc - base) / no;
        }
      }
      std::lock_guard<std::mutex> guard(merge_lock);
      pending[t] = std::move(holder);
      while (next_merge < T && pending[next_merge]) {
        merge(next_merge, *pending[next_merge]);
        pending[next_merge].reset();
        ++next_merge;
      }
    }
  });
  if (hooks::aborted()) throw interrupted();
  for (double& v : res.importance_impurity) v /= T;
  for (double& v : res.importance_permutation) v /= T;
  // the final regression OOB error exactly (the running sum may drift)
  if (!cls && n_covered > 0) {
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (res.oob_count[i] == 0) continue;
      const double e = res.oob_votes[i] / res.oob_count[i] - d.y_num[i];
      s += e * e;
    }
    res.oob_error[T - 1] = s / n_covered;
  }
  return res;
}

// Predictions of the first `k` trees for the rows of a column-major n x p
// matrix: class votes (n x K, row-major per observation) or the mean response (n).
inline std::vector<double> forest_predict(const int* offset, const int* var, const double* value,
                                          const int* left, int K, int k, const double* x,
                                          std::size_t n, int threads) {
  using forest_detail::leaf_of;
  std::vector<double> out(K > 0 ? n * K : n, 0.0);
  parallel_chunks(n, 256, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (int t = 0; t < k; ++t) {
      const int o = offset[t];
      for (std::size_t i = b; i < e; ++i) {
        const double v = value[o + leaf_of(var + o, value + o, left + o, x, n, i)];
        if (K > 0) out[i * K + static_cast<int>(v)] += 1.0;
        else out[i] += v;
      }
    }
    if (K == 0) for (std::size_t i = b; i < e; ++i) out[i] /= k;
  });
  return out;
}

// Terminal node (index within its tree) of every row in each of the first k trees: n x k.
inline std::vector<int> forest_leaves(const int* offset, const int* var, const double* value,
                                      const int* left, int k, const double* x, std::size_t n,
                                      int threads) {
  using forest_detail::leaf_of;
  std::vector<int> out(n * static_cast<std::size_t>(k));
  parallel_tasks(static_cast<std::size_t>(k), threads, [&](std::size_t t) {
    const int o = offset[t];
    for (std::size_t i = 0; i < n; ++i) out[t * n + i] = leaf_of(var + o, value + o, left + o, x, n, i);
  });
  return out;
}

// Proximity counts: for each pair, the number of trees that put both in the
// same terminal node (counting, with oob, only trees where both are out of
// bag). leaves and inbag are n x T (column per tree). Returns n x n counts;
// the caller divides by the number of trees counted.
inline std::vector<double> forest_proximity(const std::vector<int>& leaves, const int* inbag,
                                            std::size_t n, int T, bool oob, int threads) {
  std::vector<double> prox(n * n, 0.0);
  // members of each leaf, per tree
  std::vector<std::vector<std::uint32_t>> order(T), start(T);
  parallel_tasks(static_cast<std::size_t>(T), threads, [&](std::size_t t) {
    const int* lf = leaves.data() + t * n;
    int maxleaf = 0;
    for (std::size_t i = 0; i < n; ++i) maxleaf = std::max(maxleaf, lf[i]);
    std::vector<std::uint32_t>& st = start[t];
    st.assign(maxleaf + 2, 0u);
    for (std::size_t i = 0; i < n; ++i) if (!oob || inbag[t * n + i] == 0) ++st[lf[i] + 1];
    for (int l = 0; l <= maxleaf; ++l) st[l + 1] += st[l];
    std::vector<std::uint32_t>& ord = order[t];
    ord.assign(st[maxleaf + 1], 0u);
    std::vector<std::uint32_t> pos(st.begin(), st.end() - 1);
    for (std::size_t i = 0; i < n; ++i) if (!oob || inbag[t * n + i] == 0) ord[pos[lf[i]]++] = static_cast<std::uint32_t>(i);
  });
  parallel_chunks(n, 16, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t i = b; i < e; ++i) {
      double* row = prox.data() + i * n;
      for (int t = 0; t < T; ++t) {
        if (oob && inbag[static_cast<std::size_t>(t) * n + i] != 0) continue;
        const int l = leaves[static_cast<std::size_t>(t) * n + i];
        const std::vector<std::uint32_t>& st = start[t];
        for (std::uint32_t m = st[l]; m < st[l + 1]; ++m) row[order[t][m]] += 1.0;
      }
    }
  });
  return prox;
}

}  // namespace statlearn

#endif
