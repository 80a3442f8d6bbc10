// statlearn/trees/cart.h -- classification and regression trees (ESL 9.2).
//
// Recursive binary partitioning with cost-complexity bookkeeping, following
// the algorithm of Breiman et al. (1984) as implemented by R's rpart (read to
// learn its exact rules; the code here is our own):
//  * every numeric input is sorted once; a node's observations occupy one
//    contiguous block of each sorted index array, reordered (left, right,
//    stays) after each split, so no per-node sorting;
//  * a split must leave at least min_bucket observations (of positive weight)
//    on each side; the split point is the midpoint of neighbouring values;
//  * regression (anova): improvement = drop in weighted SS relative to the
//    node's SS; classification: drop in prior-altered Gini or entropy
//    impurity; ties keep the earlier variable;
//  * categorical inputs: levels ordered by mean response (regression, two
//    classes) or, for more classes, every subset by a Gray code;
//  * surrogate splits for observations whose split input is missing;
//  * the complexity of a node is the cp at which it would be pruned away;
//    the cp table lists the distinct complexities with their risks;
//  * cross-validation grows one tree per fold (folds in parallel) and runs
//    the held-out observations down at geometric means of the table's cps.
// Missing values are NaN. Categorical inputs hold level codes 1..k.
#ifndef STATLEARN_TREES_CART_H
#define STATLEARN_TREES_CART_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"

namespace statlearn {
namespace cart {

constexpr int LEFT = -1;
constexpr int RIGHT = 1;

struct data {
  std::size_t n = 0, p = 0;
  std::vector<const double*> x;  // column pointers, NaN = missing
  std::vector<int> ncat;         // 0 numeric, else number of levels
  const double* y = nullptr;     // response (class codes 1..K for classification)
  const double* wt = nullptr;    // case weights (>= 0)
};

struct options {
  int method = 0;  // 0 anova, 1 class
  int min_split = 20, min_bucket = 7;
  double cp = 0.01;
  int max_compete = 4, max_surrogate = 5, use_surrogate = 2, surrogate_style = 0;
  int max_depth = 30;
  int nclass = 0;
  std::vector<double> prior;  // nclass
  std::vector<double> loss;   // nclass * nclass, column-major (true class = row)
  int impurity = 1;           // 1 gini, 2 information
  int threads = 1;
};

struct split {
  int var = 0;
  double improve = 0, spoint = 0, adj = 0;
  int count = 0;
  std::vector<int> csplit;  // size max(1, ncat)
};

struct node {
  long long id = 1;
  int num_obs = 0;
  double sum_wt = 0, risk = 0, complexity = 0;
  std::vector<double> resp;
  std::vector<split> primary, surrogate;
  int lastsurrogate = 0;
  int left = -1, right = -1;
};

struct cp_row {
  double cp = 0, risk = 0, xrisk = 0, xstd = 0;
  int nsplit = 0;
};

// Constants derived once from the full data (rpart computes them in its init).
struct method_consts {
  int method = 0, nclass = 0, impurity = 1;
  std::vector<double> prior, aprior, loss;
};

inline method_consts make_consts(const data& d, const options& o) {
  method_consts m;
  m.method = o.method;
  m.nclass = o.nclass;
  m.impurity = o.impurity;
  if (o.method == 1) {
    const int K = o.nclass;
    std::vector<double> freq(K, 0.0);
    double tot = 0;
    for (std::size_t i = 0; i < d.n; ++i) {
      freq[static_cast<int>(d.y[i]) - 1] += d.wt[i];
      tot += d.wt[i];
    }
    for (int i = 0; i < K; ++i) freq[i] /= tot;
    m.prior.assign(K, 0.0);
    m.aprior.assign(K, 0.0);
    m.loss = o.loss;
    double temp = 0;
    for (int i = 0; i < K; ++i) {
      m.prior[i] = o.prior[i];
      for (int j = 0; j < K; ++j) {
        const int k = K * j + i;
        temp += m.loss[k] * m.prior[i];
        m.aprior[i] += m.loss[k] * m.prior[i];
      }
    }
    for (int i = 0; i < K; ++i) {
      if (freq[i] > 0) {
        m.prior[i] /= freq[i];
        m.aprior[i] /= (temp * freq[i]);
      }
    }
  }
  return m;
}

// Scratch for categorical searches: ordering by value or Gray code.
struct graycode {
  std::vector<int> gray;
  int maxc = 0, gsave = -2;
  void init1(int numcat, const int* count) {
    maxc = numcat;
    gray.resize(numcat);
    for (int i = 0; i < maxc; ++i) gray[i] = count[i] ? 1 : 0;
    gsave = -2;
  }
  // categories with no members first, then by val (stable insertion order)
  void init2(int numcat, const int* count, double* val) {
    maxc = numcat;
    gray.resize(numcat);
    gray[0] = 0;
    int k = count[0] == 0 ? 1 : 0;
    for (int i = 1; i < maxc; ++i) {
      if (count[i] == 0) {
        for (int j = i - 1; j >= k; --j) {
          gray[j + 1] = gray[j];
          val[j + 1] = val[j];
        }
        gray[k++] = i;
      } else {
        const double temp = val[i];
        int j = i - 1;
        for (; j >= k && val[j] > temp; --j) {
          gray[j + 1] = gray[j];
          val[j + 1] = val[j];
        }
        val[j + 1] = temp;
        gray[j + 1] = i;
      }
    }
    gsave = k - 1;
  }
  int next() {
    if (gsave > -2) {
      ++gsave;
      return gsave < maxc ? gray[gsave] : maxc;
    }
    for (int i = 0; i < maxc - 1; ++i) {
      if (gray[i] == 1) {
        gray[i] = 2;
        return i;
      } else if (gray[i] == 2) {
        gray[i] = 1;
      }
    }
    return maxc;
  }
};

// Keep `list` sorted by decreasing improvement with at most `max` entries;
// a tie goes after the existing entries. Returns the slot to fill or nullptr.
inline split* insert_split(std::vector<split>& list, double improve, int max) {
  if (list.empty()) {
    list.emplace_back();
    return &list.back();
  }
  std::size_t pos = 0;
  while (pos < list.size() && !(improve > list[pos].improve)) ++pos;
  const std::size_t cap = static_cast<std::size_t>(std::max(max, 1));
  if (list.size() >= cap) {
    if (pos >= list.size()) return nullptr;
    if (cap == 2 && pos == 0) {
      // rpart's list with room for two, when full, keeps only a new best
      // (the old best is unlinked with the last): the same here, so that
      // competitor and surrogate lists agree with rpart's
      list.resize(1);
      list[0] = split();
      return &list[0];
    }
    list.pop_back();
  }
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(pos), split());
  return &list[pos];
}

// Per-observation and per-category work space of one tree grower.
struct workspace {
  std::vector<double> xtemp, ytemp, wtemp;
  std::vector<int> tempvec;
  // categorical scratch
  std::vector<int> csplit, tsplit, countn, ileft, iright;
  std::vector<double> awt, rate, sums, ccnt, dleft, dright, lwt, rwt;
  graycode gc;
  void reserve(std::size_t n, int maxcat, int nclass) {
    xtemp.resize(n);
    ytemp.resize(n);
    wtemp.resize(n);
    tempvec.resize(n + 1);
    const std::size_t mc = static_cast<std::size_t>(std::max(maxcat, 1));
    csplit.assign(mc, 0);
    tsplit.assign(mc, 0);
    countn.assign(mc, 0);
    ileft.assign(mc, 0);
    iright.assign(mc, 0);
    awt.assign(mc, 0);
    rate.assign(mc, 0);
    sums.assign(mc, 0);
    lwt.assign(mc, 0);
    rwt.assign(mc, 0);
    ccnt.assign(mc * static_cast<std::size_t>(std::max(nclass, 1)), 0);
    dleft.assign(static_cast<std::size_t>(std::max(nclass, 1)), 0);
    dright.assign(static_cast<std::size_t>(std::max(nclass, 1)), 0);
  }
};

inline double impurity_of(int type, double p) {
  if (type == 2) return p == 0 ? 0.0 : -p * std::log(p);
  return p * (1.0 - p);
}

// Node summary: response estimate and risk of the observations y/wt[0..n).
// The weighted impurity of a two-way split, lwt * i(left) + rwt * i(right),
// summed class by class (left then right for each class: the order fixes the
// bits); lmean and rmean are the class-index means that give the direction.
inline double split_impurity(int type, int K, const double* aprior, const double* left,
                             const double* right, double lwt, double rwt, double& lmean,
                             double& rmean) {
  double temp = 0;
  lmean = 0;
  rmean = 0;
  for (int c = 0; c < K; ++c) {
    double p = aprior[c] * left[c] / lwt;
    temp += lwt * impurity_of(type, p);
    lmean += p * c;
    p = aprior[c] * right[c] / rwt;
    temp += rwt * impurity_of(type, p);
    rmean += p * c;
  }
  return temp;
}

inline void evaluate(const method_consts& m, int n, const double* y, const double* wt,
                     std::vector<double>& value, double& risk, std::vector<double>& freq) {
  if (m.method == 0) {
    double temp = 0, twt = 0;
    for (int i = 0; i < n; ++i) {
      temp += y[i] * wt[i];
      twt += wt[i];
    }
    const double mean = temp / twt;
    double ss = 0;
    for (int i = 0; i < n; ++i) {
      const double t = y[i] - mean;
      ss += t * t * wt[i];
    }
    value.assign(1, mean);
    risk = ss;
    return;
  }
  const int K = m.nclass;
  freq.assign(K, 0.0);
  double temp = 0;
  for (int i = 0; i < n; ++i) {
    const int j = static_cast<int>(y[i]) - 1;
    freq[j] += wt[i];
    temp += wt[i] * m.prior[j];
  }
  const double prob = temp;
  int best = 0;
  double dev = 0;
  for (int i = 0; i < K; ++i) {
    double t = 0;
    for (int j = 0; j < K; ++j) t += freq[j] * m.loss[i * K + j] * m.prior[j];
    if (i == 0 || t < dev) {
      best = i;
      dev = t;
    }
  }
  value.assign(K + 2, 0.0);
  value[0] = best + 1;
  for (int i = 0; i < K; ++i) value[i + 1] = freq[i];
  value[K + 1] = prob;
  risk = dev;
}

// Loss of predicting `pred` (node response) for an observation with response y.
inline double pred_error(const method_consts& m, double y, const std::vector<double>& pred) {
  if (m.method == 0) {
    const double t = y - pred[0];
    return t * t;
  }
  const int i = static_cast<int>(y) - 1, j = static_cast<int>(pred[0]) - 1;
  return m.prior[i] * m.loss[i * m.nclass + j];
}

// Best split of one input. x/y/wt hold the k usable observations (sorted by x
// for numeric inputs). Writes improve (0 if none), split point, csplit.
inline void choose_anova(int n, const double* y, const double* x, int nclass, int edge,
                         double& improve, double& spoint, int* csplit, double myrisk,
                         const double* wt, workspace& w) {
  double right_wt = 0, right_sum = 0;
  int right_n = n;
  for (int i = 0; i < n; ++i) {
    right_sum += y[i] * wt[i];
    right_wt += wt[i];
  }
  const double grandmean = right_sum / right_wt;
  double left_sum = 0, left_wt = 0, best = 0;
  int left_n = 0;
  if (nclass == 0) {
    right_sum = 0;
    int where = 0, direction = LEFT;
    for (int i = 0; right_n > edge; ++i) {
      left_wt += wt[i];
      right_wt -= wt[i];
      ++left_n;
      --right_n;
      const double temp = (y[i] - grandmean) * wt[i];
      left_sum += temp;
      right_sum -= temp;
      if (x[i + 1] != x[i] && left_n >= edge) {
        const double t = left_sum * left_sum / left_wt + right_sum * right_sum / right_wt;
        if (t > best) {
          best = t;
          where = i;
          direction = left_sum < right_sum ? LEFT : RIGHT;
        }
      }
    }
    improve = best / myrisk;
    if (best > 0) {
      csplit[0] = direction;
      spoint = (x[where] + x[where + 1]) / 2;
    }
    return;
  }
  int* countn = w.countn.data();
  int* tsplit = w.tsplit.data();
  double* wts = w.awt.data();
  double* sums = w.sums.data();
  double* mean = w.rate.data();
  for (int i = 0; i < nclass; ++i) {
    sums[i] = 0;
    countn[i] = 0;
    wts[i] = 0;
  }
  for (int i = 0; i < n; ++i) {
    const int j = static_cast<int>(x[i]) - 1;
    ++countn[j];
    wts[j] += wt[i];
    sums[j] += (y[i] - grandmean) * wt[i];
  }
  for (int i = 0; i < nclass; ++i) {
    if (countn[i] > 0) {
      tsplit[i] = RIGHT;
      mean[i] = sums[i] / wts[i];
    } else {
      tsplit[i] = 0;
    }
  }
  w.gc.init2(nclass, countn, mean);
  right_sum = 0;
  int j;
  while ((j = w.gc.next()) < nclass) {
    tsplit[j] = LEFT;
    left_n += countn[j];
    right_n -= countn[j];
    left_wt += wts[j];
    right_wt -= wts[j];
    left_sum += sums[j];
    right_sum -= sums[j];
    if (left_n >= edge && right_n >= edge) {
      const double t = left_sum * left_sum / left_wt + right_sum * right_sum / right_wt;
      if (t > best) {
        best = t;
        if ((left_sum / left_wt) > (right_sum / right_wt)) {
          for (int i = 0; i < nclass; ++i) csplit[i] = -tsplit[i];
        } else {
          for (int i = 0; i < nclass; ++i) csplit[i] = tsplit[i];
        }
      }
    }
  }
  improve = best / myrisk;
}

// One candidate of the two-class Gini scan: the weighted impurity of the
// split with left/right class weights (l0, l1) / (r0, r1) and prior-weighted
// totals lwt / rwt, kept if it beats `best` (a tie keeps the earlier one).
inline void gini2_candidate(double a0, double a1, double l0, double l1, double r0, double r1,
                            double lwt, double rwt, int i, double& best, int& where,
                            int& direction) {
  const double pl0 = a0 * l0 / lwt, pr0 = a0 * r0 / rwt;
  const double pl1 = a1 * l1 / lwt, pr1 = a1 * r1 / rwt;
  double temp = 0;
  temp += lwt * (pl0 * (1.0 - pl0));
  temp += rwt * (pr0 * (1.0 - pr0));
  temp += lwt * (pl1 * (1.0 - pl1));
  temp += rwt * (pr1 * (1.0 - pr1));
  if (temp < best) {
    best = temp;
    where = i;
    const double lmean = 0.0 + pl0 * 0 + pl1 * 1, rmean = 0.0 + pr0 * 0 + pr1 * 1;
    direction = lmean < rmean ? LEFT : RIGHT;
  }
}

// The running sums of a two-class Gini scan and the sweep that moves
// observations k0..k1-1 (of arrays y, wt, x) from right to left, offering a
// split after each whose next value differs; observation k is position k +
// off of the node, and a split after position i needs i + 1 >= edge. The
// operations and their order are those of rpart's general loop.
struct gini2_sums {
  double l0, l1, r0, r1, lwt, rwt;
};

inline void gini2_sweep(double a0, double a1, const double* y, const double* wt, const double* x, int k0,
                        int k1, int off, int edge, gini2_sums& s, double& best, int& where, int& direction) {
  for (int k = k0; k < k1; ++k) {
    const bool c1 = y[k] != 1.0;
    const double wi = wt[k];
    const double aw = (c1 ? a1 : a0) * wi;
    const double w0 = c1 ? 0.0 : wi, w1 = c1 ? wi : 0.0;
    s.rwt -= aw;
    s.lwt += aw;
    s.r0 -= w0;
    s.r1 -= w1;
    s.l0 += w0;
    s.l1 += w1;
    const int i = k + off;
    if (i + 1 >= edge && x[k + 1] != x[k])
      gini2_candidate(a0, a1, s.l0, s.l1, s.r0, s.r1, s.lwt, s.rwt, i, best, where, direction);
  }
}

// The two-class Gini scan of a numeric input whose first z observations (in
// sorted order) all sit at the input's minimum `xmin` -- the zeros of a
// sparse input -- without visiting them. It applies when every observation
// contributes the same whole number t = aprior * weight to the prior-weighted
// totals and both classes have the same aprior (rpart's default priors with
// equal integer weights): then every running sum of choose_gini's scan is an
// exact integer, so the state after the block follows from the node's totals
// (class weights n0, n1) and the result is identical to the full scan. x, y
// and wt hold the m observations after the block, ascending in x.
inline void choose_gini2_sparse(double a0, double a1, double t, int z, double xmin, int m,
                                const double* y, const double* x, const double* wt,
                                double n0, double n1, int edge, double& improve,
                                double& spoint, int* csplit) {
  const int n = z + m;
  double nz0 = 0, nz1 = 0;  // class weights after the block
  for (int i = 0; i < m; ++i) {
    const bool c1 = y[i] != 1.0;
    nz0 += c1 ? 0.0 : wt[i];
    nz1 += c1 ? wt[i] : 0.0;
  }
  double rwt = n * t;
  double total_ss = 0;
  {
    const double p0 = a0 * n0 / rwt, p1 = a1 * n1 / rwt;
    total_ss += rwt * impurity_of(1, p0);
    total_ss += rwt * impurity_of(1, p1);
  }
  double best = total_ss;
  int where = 0, direction = LEFT;
  const int last = n - edge;
  // state after the block
  gini2_sums sums{n0 - nz0, n1 - nz1, nz0, nz1, z * t, m * t};
  if (z >= 1 && z - 1 < last && z >= edge && m > 0)
    gini2_candidate(a0, a1, sums.l0, sums.l1, sums.r0, sums.r1, sums.lwt, sums.rwt, z - 1, best, where,
                    direction);
  gini2_sweep(a0, a1, y, wt, x, 0, last - z, z, edge, sums, best, where, direction);
  improve = total_ss - best;
  if (improve > 0) {
    csplit[0] = direction;
    spoint = where < z ? (xmin + x[0]) / 2 : (x[where - z] + x[where - z + 1]) / 2;
  }
}

inline void choose_gini(const method_consts& m, int n, const double* y, const double* x,
                        int numcat, int edge, double& improve, double& spoint, int* csplit,
                        const double* wt, workspace& w, const double* pre = nullptr) {
  const int K = m.nclass;
  const double* aprior = m.aprior.data();
  double* left = w.dleft.data();
  double* right = w.dright.data();
  for (int i = 0; i < K; ++i) left[i] = right[i] = 0;
  double lwt = 0, rwt = 0;
  int rtot = 0, ltot = 0;
  if (K == 2 && pre) {
    // the caller formed these sums, in this order, while gathering
    rwt = pre[0];
    right[0] = pre[1];
    right[1] = pre[2];
    rtot = n;
  } else if (K == 2) {
    // the same sums in registers (adding a zero weight to the other class is exact)
    const double a0 = aprior[0], a1 = aprior[1];
    double r0 = 0, r1 = 0;
    for (int i = 0; i < n; ++i) {
      const bool c1 = y[i] != 1.0;
      const double wi = wt[i];
      rwt += (c1 ? a1 : a0) * wi;
      r0 += c1 ? 0.0 : wi;
      r1 += c1 ? wi : 0.0;
    }
    right[0] = r0;
    right[1] = r1;
    rtot = n;
  } else {
    for (int i = 0; i < n; ++i) {
      const int j = static_cast<int>(y[i]) - 1;
      rwt += aprior[j] * wt[i];
      right[j] += wt[i];
      ++rtot;
    }
  }
  double total_ss = 0;
  for (int i = 0; i < K; ++i) total_ss += rwt * impurity_of(m.impurity, aprior[i] * right[i] / rwt);
  double best = total_ss;
  if (numcat == 0 && K == 2 && m.impurity == 1) {
    // Two-class Gini: the same operations in the same order as the general
    // loop below (adding a zero weight to the other class is exact), kept in
    // registers and without branches on the class.
    const double a0 = aprior[0], a1 = aprior[1];
    gini2_sums sums{0, 0, right[0], right[1], lwt, rwt};
    int where = 0, direction = LEFT;
    const int last = n - edge;  // the loop runs while rtot > edge
    gini2_sweep(a0, a1, y, wt, x, 0, last, 0, edge, sums, best, where, direction);
    improve = total_ss - best;
    if (improve > 0) {
      csplit[0] = direction;
      spoint = (x[where] + x[where + 1]) / 2;
    }
    return;
  }
  if (numcat == 0) {
    int where = 0, direction = LEFT;
    for (int i = 0; rtot > edge; ++i) {
      const int j = static_cast<int>(y[i]) - 1;
      rwt -= aprior[j] * wt[i];
      lwt += aprior[j] * wt[i];
      --rtot;
      ++ltot;
      right[j] -= wt[i];
      left[j] += wt[i];
      if (ltot >= edge && x[i + 1] != x[i]) {
        double lmean, rmean;
        const double temp = split_impurity(m.impurity, K, aprior, left, right, lwt, rwt, lmean, rmean);
        if (temp < best) {
          best = temp;
          where = i;
          direction = lmean < rmean ? LEFT : RIGHT;
        }
      }
    }
    improve = total_ss - best;
    if (improve > 0) {
      csplit[0] = direction;
      spoint = (x[where] + x[where + 1]) / 2;
    }
    return;
  }
  double* awt = w.awt.data();
  double* rate = w.rate.data();
  int* countn = w.countn.data();
  int* tsplit = w.tsplit.data();
  double* ccnt = w.ccnt.data();  // ccnt[class * numcat + cat]
  for (int j = 0; j < numcat; ++j) {
    awt[j] = 0;
    countn[j] = 0;
    for (int i = 0; i < K; ++i) ccnt[i * numcat + j] = 0;
  }
  for (int i = 0; i < n; ++i) {
    const int j = static_cast<int>(y[i]) - 1;
    const int k = static_cast<int>(x[i]) - 1;
    awt[k] += aprior[j] * wt[i];
    ++countn[k];
    ccnt[j * numcat + k] += wt[i];
  }
  for (int i = 0; i < numcat; ++i) {
    if (awt[i] == 0) {
      tsplit[i] = 0;
    } else {
      rate[i] = ccnt[i] / awt[i];
      tsplit[i] = RIGHT;
    }
  }
  if (K == 2)
    w.gc.init2(numcat, countn, rate);
  else
    w.gc.init1(numcat, countn);
  int i;
  while ((i = w.gc.next()) < numcat) {
    if (tsplit[i] == LEFT) {
      tsplit[i] = RIGHT;
      rwt += awt[i];
      lwt -= awt[i];
      rtot += countn[i];
      ltot -= countn[i];
      for (int j = 0; j < K; ++j) {
        right[j] += ccnt[j * numcat + i];
        left[j] -= ccnt[j * numcat + i];
      }
    } else {
      tsplit[i] = LEFT;
      rwt -= awt[i];
      lwt += awt[i];
      rtot -= countn[i];
      ltot += countn[i];
      for (int j = 0; j < K; ++j) {
        right[j] -= ccnt[j * numcat + i];
        left[j] += ccnt[j * numcat + i];
      }
    }
    if (ltot >= edge && rtot >= edge) {
      double lmean, rmean;
      const double temp = split_impurity(m.impurity, K, aprior, left, right, lwt, rwt, lmean, rmean);
      if (temp < best) {
        best = temp;
        if (lmean < rmean) {
          for (int j = 0; j < numcat; ++j) csplit[j] = tsplit[j];
        } else {
          for (int j = 0; j < numcat; ++j) csplit[j] = -tsplit[j];
        }
      }
    }
  }
  improve = total_ss - best;
}

// Sort key[lo..hi] ascending carrying idx along: a median-of-three quicksort
// with insertion sort for short runs. The order it leaves among equal keys
// decides the order of floating-point sums, so it is the same scheme as
// rpart's (fits then agree to the last bit, also when two splits tie).
inline void tie_order_sort(double* key, int* idx, int lo, int hi) {
  while (lo < hi) {
    if (hi - lo < 11) {
      for (int a = lo + 1; a <= hi; ++a) {
        const double kv = key[a];
        const int iv = idx[a];
        int b = a - 1;
        for (; b >= lo && key[b] > kv; --b) {
          key[b + 1] = key[b];
          idx[b + 1] = idx[b];
        }
        key[b + 1] = kv;
        idx[b + 1] = iv;
      }
      return;
    }
    int a = lo, b = hi;
    const int mid = (lo + hi) / 2;
    double pivot = key[mid];
    if (key[a] >= key[mid]) {
      if (key[b] > key[mid]) pivot = key[a] > key[b] ? key[b] : key[a];
    } else if (key[b] < key[mid]) {
      pivot = key[a] > key[b] ? key[a] : key[b];
    }
    while (a < b) {
      while (key[a] < pivot) ++a;
      while (key[b] > pivot) --b;
      if (a < b) {
        if (key[a] > key[b]) {
          std::swap(key[a], key[b]);
          std::swap(idx[a], idx[b]);
        }
        ++a;
        --b;
      }
    }
    while (key[a] >= pivot && a > lo) --a;
    while (key[b] <= pivot && b < hi) ++b;
    if (a - lo < hi - b) {
      if (a - lo > 0) tie_order_sort(key, idx, lo, a);
      lo = b;
    } else {
      if (hi - b > 0) tie_order_sort(key, idx, b, hi);
      hi = a;
    }
  }
}

// Sort key[0..m) ascending carrying idx along, with the order among equal
// keys left free: a least-significant-digit radix sort on the bits of the
// keys (8 bits a pass, passes in which every key has the same digit
// skipped). For inputs whose every sum is exact (zero_plan::gini), where the
// order of ties changes no result; tie_order_sort otherwise. ku, iu: scratch.
inline void free_tie_sort(double* key, int* idx, int m, std::vector<std::uint64_t>& ku,
                          std::vector<int>& iu) {
  if (m < 128) {
    if (m > 1) tie_order_sort(key, idx, 0, m - 1);
    return;
  }
  const std::size_t mm = static_cast<std::size_t>(m);
  if (ku.size() < 2 * mm) ku.resize(2 * mm);
  if (iu.size() < mm) iu.resize(mm);
  std::uint64_t* a = ku.data();
  std::uint64_t* b = ku.data() + mm;
  int* ia = idx;
  int* ib = iu.data();
  std::uint32_t count[8][256] = {};
  for (std::size_t i = 0; i < mm; ++i) {
    const double v = key[i] == 0.0 ? 0.0 : key[i];  // -0 and +0 alike
    std::uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    u = (u >> 63) ? ~u : (u | 0x8000000000000000ULL);  // order-preserving
    a[i] = u;
    for (int d = 0; d < 8; ++d) ++count[d][(u >> (8 * d)) & 255];
  }
  for (int d = 0; d < 8; ++d) {
    std::uint32_t* c = count[d];
    if (c[(a[0] >> (8 * d)) & 255] == mm) continue;  // one digit value: nothing moves
    std::uint32_t sum = 0;
    for (int k = 0; k < 256; ++k) {
      const std::uint32_t t = c[k];
      c[k] = sum;
      sum += t;
    }
    for (std::size_t i = 0; i < mm; ++i) {
      const std::uint32_t pos = c[(a[i] >> (8 * d)) & 255]++;
      b[pos] = a[i];
      ib[pos] = ia[i];
    }
    std::swap(a, b);
    std::swap(ia, ib);
  }
  if (ia != idx) std::copy(ia, ia + mm, idx);
  // keys back from their codes (equal keys are equal doubles)
  for (std::size_t i = 0; i < mm; ++i) {
    std::uint64_t u = a[i];
    u = (u >> 63) ? (u & 0x7FFFFFFFFFFFFFFFULL) : ~u;
    std::memcpy(key + i, &u, sizeof u);
  }
}

// What the data allow the scans to skip. An input's block of minimum values
// (the zeros of a sparse input) leads its sorted column; when every sum the
// scans form over it is an exact integer, its totals follow from the node's
// and the block need not be visited (choose_gini2_sparse, choose_surg):
//  * zskip: numeric inputs without missing values;
//  * int_wt: every weight a whole number, total below 2^52 (exact sums of
//    weights: the surrogate scans skip the block);
//  * gini: two-class Gini with equal aprior and equal whole weights, so that
//    t = aprior * weight is a whole number (the split scans skip the block);
//  * lazy: with gini, the blocks of inputs other than the first are never
//    read at all, so their order is free and the partition after a split
//    only counts them (the first input's column lists each node's
//    observations in rpart's order, which fixes the order of node sums).
struct zero_plan {
  bool int_wt = false, gini = false, any_zskip = false;
  double t = 0;
  std::vector<char> has_missing, zskip, lazy;
  std::vector<double> colmin;
};

inline zero_plan make_zero_plan(const data& d, const method_consts& m) {
  zero_plan zp;
  double tot = 0;
  bool ok = true;
  for (std::size_t i = 0; i < d.n && ok; ++i) {
    ok = d.wt[i] >= 0 && d.wt[i] == std::floor(d.wt[i]);
    tot += d.wt[i];
  }
  zp.int_wt = ok && tot < 4503599627370496.0;
  zp.has_missing.assign(d.p, 0);
  zp.colmin.assign(d.p, 0.0);
  zp.zskip.assign(d.p, 0);
  zp.lazy.assign(d.p, 0);
  for (std::size_t v = 0; v < d.p; ++v) {
    const double* xv = d.x[v];
    for (std::size_t i = 0; i < d.n; ++i)
      if (std::isnan(xv[i])) {
        zp.has_missing[v] = 1;
        break;
      }
    if (d.ncat[v] != 0 || zp.has_missing[v] || d.n == 0) continue;
    double mn = xv[0];
    for (std::size_t i = 1; i < d.n; ++i) mn = xv[i] < mn ? xv[i] : mn;
    zp.colmin[v] = mn;
    zp.zskip[v] = 1;
    zp.any_zskip = true;
  }
  if (m.method == 1 && m.nclass == 2 && m.impurity == 1 && d.n > 0 && m.aprior[0] == m.aprior[1]) {
    const double w0 = d.wt[0];
    bool same = w0 > 0;
    for (std::size_t i = 1; i < d.n && same; ++i) same = d.wt[i] == w0;
    const double t = m.aprior[0] * w0;
    const double big = 4503599627370496.0, nn = static_cast<double>(d.n);
    if (same && w0 == std::floor(w0) && t == std::floor(t) && t * nn < big && w0 * nn < big) {
      zp.gini = true;
      zp.t = t;
      for (std::size_t v = 1; v < d.p; ++v) zp.lazy[v] = zp.zskip[v];
    }
  }
  return zp;
}

// Grows one tree on the observations listed (in the order of the full-data
// sort) in `sorts`; the full tree and each cross-validation fold use one.
class grower {
 public:
  grower(const data& d, const options& o, const method_consts& m, const zero_plan& zp)
      : d_(d), o_(o), m_(m) {
    maxcat_ = 0;
    for (int c : d.ncat) maxcat_ = std::max(maxcat_, c);
    w_.reserve(d.n, maxcat_, m.nclass);
    which_.assign(d.n, 1);
    yw_.resize(d.n);
    for (std::size_t i = 0; i < d.n; ++i) yw_[i] = {d.y[i], d.wt[i]};
    sw_.resize(d.n);
    int_wt_ = zp.int_wt;
    if (int_wt_ && d.n > 0 && d.wt[0] > 0) {
      eq_w0_ = d.wt[0];
      eq_wt_ = true;
      for (std::size_t i = 1; i < d.n && eq_wt_; ++i) eq_wt_ = d.wt[i] == eq_w0_;
      if (eq_wt_) dir8_.assign(d.n, 0);
    }
    has_missing_ = zp.has_missing;
    colmin_ = zp.colmin;
    zskip_ = zp.zskip;
    lazy_ = zp.lazy;
    any_zskip_ = zp.any_zskip;
    gini_zskip_ = zp.gini;
    gini_t_ = zp.t;
    maxnode_ = (1LL << std::min(o.max_depth, 62)) - 1;
  }

  // sorted index arrays for the full data: numeric columns ascending with
  // missing values encoded -(1 + i); categorical columns in row order. A
  // lazy input's minimum values come first in row order (their order is
  // never used), then the rest sorted.
  static std::vector<int> make_sorts(const data& d, int threads, const zero_plan& zp) {
    const std::size_t n = d.n;
    std::vector<int> s(n * d.p);
    // with every sum exact (gini), the order among ties is free
    const bool free_ties = zp.gini;
    parallel_chunks(d.p, 4, threads, [&](std::size_t b, std::size_t e, std::size_t) {
      std::vector<double> key(n);
      std::vector<std::uint64_t> ku;
      std::vector<int> iu;
      for (std::size_t v = b; v < e; ++v) {
        int* sv = s.data() + v * n;
        const double* xv = d.x[v];
        if (zp.lazy[v]) {
          const double mn = zp.colmin[v];
          int z = 0;
          for (std::size_t i = 0; i < n; ++i)
            if (xv[i] == mn) sv[z++] = static_cast<int>(i);
          int k = z;
          for (std::size_t i = 0; i < n; ++i)
            if (xv[i] != mn) {
              key[k] = xv[i];
              sv[k++] = static_cast<int>(i);
            }
          if (free_ties)
            free_tie_sort(key.data() + z, sv + z, k - z, ku, iu);
          else if (k > z + 1)
            tie_order_sort(key.data(), sv, z, k - 1);
          continue;
        }
        for (std::size_t i = 0; i < n; ++i) {
          const bool miss = std::isnan(xv[i]);
          sv[i] = miss ? -static_cast<int>(i + 1) : static_cast<int>(i);
          key[i] = miss ? 0.0 : xv[i];
        }
        if (d.ncat[v] == 0 && n > 0) {
          if (free_ties)
            free_tie_sort(key.data(), sv, static_cast<int>(n), ku, iu);
          else
            tie_order_sort(key.data(), sv, 0, static_cast<int>(n) - 1);
        }
      }
    });
    return s;
  }

  // Grow on the first k entries of each sorts column. alpha = cp * root risk.
  void grow(std::vector<int>&& sorts, int k, double scale_alpha = -1) {
    sorts_ = std::move(sorts);
    nodes_.clear();
    nodes_.reserve(256);
    nodes_.emplace_back();
    node& root = nodes_[0];
    root.id = 1;
    root.num_obs = k;
    double twt = 0;
    // the root is summarised in observation order
    const int* s0 = sorts_.data();
    std::vector<int>& obs = w_.tempvec;
    for (int i = 0; i < k; ++i) obs[i] = s0[i] < 0 ? -(1 + s0[i]) : s0[i];
    std::sort(obs.begin(), obs.begin() + k);
    for (int i = 0; i < k; ++i) {
      const int j = obs[i];
      w_.ytemp[i] = d_.y[j];
      w_.wtemp[i] = d_.wt[j];
      twt += d_.wt[j];
      which_[j] = 1;
    }
    root.sum_wt = twt;
    evaluate(m_, k, w_.ytemp.data(), w_.wtemp.data(), root.resp, root.risk, freq_);
    root.complexity = root.risk;
    alpha_ = scale_alpha >= 0 ? scale_alpha : o_.cp * root.risk;
    double sumrisk = 0;
    // the root's count of minimum values per input (they lead each sorted column)
    std::vector<int> z(d_.p, 0);
    if (any_zskip_) {
      for (std::size_t v = 0; v < d_.p; ++v) {
        if (!zskip_[v]) continue;
        const int* sv = sortcol(v);
        const double* xv = d_.x[v];
        int c = 0;
        while (c < k && xv[sv[c]] == colmin_[v]) ++c;
        z[v] = c;
      }
    }
    partition(0, 1, sumrisk, 0, k, z.data());
  }

  std::vector<node>& nodes() { return nodes_; }
  const std::vector<node>& nodes() const { return nodes_; }
  double alpha() const { return alpha_; }
  const std::vector<long long>& which() const { return which_; }
  double iscale = 0;

 private:
  const data& d_;
  const options& o_;
  const method_consts& m_;
  workspace w_;
  std::vector<int> sorts_;
  std::vector<long long> which_;
  std::vector<unsigned char> side_;
  // response and weight of each observation side by side (one cache line
  // per random access in the per-variable gathers)
  struct yw_pair {
    double y, wt;
  };
  std::vector<yw_pair> yw_;
  // direction of the primary split (LEFT, RIGHT, 0) and weight, for surrogates
  struct dw_pair {
    double wt;
    int dir;
  };
  std::vector<dw_pair> sw_;
  // node totals of the surrogate search's backward pass (see choose_surg)
  struct surg_totals {
    int nl = 0, nr = 0;
    double lw = 0, rw = 0;
  };
  bool int_wt_ = false;            // every weight an integer, total below 2^52
  bool eq_wt_ = false;             // and all equal (eq_w0_ > 0)
  double eq_w0_ = 0;
  std::vector<signed char> dir8_;  // surrogate search: primary direction per observation
  // skipping the block of minimum values (see choose_gini2_sparse)
  std::vector<double> colmin_;
  std::vector<char> zskip_;        // per input: numeric, no missing values
  std::vector<char> lazy_;         // per input: block of minimum values never read
  bool any_zskip_ = false;
  bool gini_zskip_ = false;        // two-class Gini with a constant whole t
  double gini_t_ = 0;
  std::vector<char> has_missing_;  // per input
  std::vector<node> nodes_;
  std::vector<double> freq_;
  int maxcat_ = 0;
  long long maxnode_ = 0;
  double alpha_ = 0;

  int* sortcol(std::size_t v) { return sorts_.data() + v * d_.n; }

  // Is numeric input v constant over the node's observed values [n1, n2)?
  // zv: its count of minimum values at the front of the block (those of a
  // lazy input may be stale entries, so they are not read).
  bool constant_input(std::size_t v, int n1, int n2, int zv) const {
    const int* index = sorts_.data() + v * d_.n;
    const double* xv = d_.x[v];
    if (zv > 0) return zv == n2 - n1;
    int a = n1, b = n2 - 1;
    while (a <= b && index[a] < 0) ++a;
    while (b >= a && index[b] < 0) --b;
    return a > b || xv[index[a]] == xv[index[b]];
  }

  // z: per input, how many of the node's observations sit at the input's
  // minimum (at the front of its block; 0 for inputs that are not skipped)
  int partition(int me_i, long long nodenum, double& sumrisk, int n1, int n2, const int* z) {
    const int n = n2 - n1;
    double tempcp;
    if (nodenum > 1) {
      double twt = 0;
      int k = 0;
      const int* s0 = sortcol(0);
      for (int i = n1; i < n2; ++i) {
        int j = s0[i];
        if (j < 0) j = -(1 + j);
        w_.wtemp[k] = d_.wt[j];
        w_.ytemp[k] = d_.y[j];
        twt += d_.wt[j];
        ++k;
      }
      node& me = nodes_[me_i];
      evaluate(m_, n, w_.ytemp.data(), w_.wtemp.data(), me.resp, me.risk, freq_);
      me.num_obs = n;
      me.sum_wt = twt;
      tempcp = me.risk;
      if (tempcp > me.complexity) tempcp = me.complexity;
    } else {
      tempcp = nodes_[me_i].risk;
    }
    {
      node& me = nodes_[me_i];
      if (me.num_obs < o_.min_split || tempcp <= alpha_ || nodenum > maxnode_) {
        me.complexity = alpha_;
        sumrisk = me.risk;
        me.left = me.right = -1;
        me.primary.clear();
        me.surrogate.clear();
        return 0;
      }
    }
    if ((me_i & 63) == 0 && hooks::aborted()) throw interrupted();
    bsplit(me_i, n1, n2, z);
    if (nodes_[me_i].primary.empty()) {
      node& me = nodes_[me_i];
      me.complexity = alpha_;
      me.left = me.right = -1;
      me.surrogate.clear();
      sumrisk = me.risk;
      return 0;
    }
    if (o_.max_surrogate > 0)
      surrogate(me_i, n1, n2, z);
    else
      nodes_[me_i].surrogate.clear();
    int nleft = 0, nright = 0;
    std::vector<int> zc(2 * d_.p, 0);
    nodesplit(me_i, nodenum, n1, n2, nleft, nright, z, zc.data(), zc.data() + d_.p);

    const int li = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    nodes_[li].id = 2 * nodenum;
    nodes_[li].complexity = tempcp - alpha_;
    nodes_[me_i].left = li;
    double left_risk = 0, right_risk = 0;
    int left_split = partition(li, 2 * nodenum, left_risk, n1, n1 + nleft, zc.data());

    const double my_risk = nodes_[me_i].risk;
    tempcp = (my_risk - left_risk) / (left_split + 1);
    const double tempcp2 = my_risk - nodes_[li].risk;
    if (tempcp < tempcp2) tempcp = tempcp2;
    if (tempcp > nodes_[me_i].complexity) tempcp = nodes_[me_i].complexity;
    const int ri = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    nodes_[ri].id = 2 * nodenum + 1;
    nodes_[ri].complexity = tempcp - alpha_;
    nodes_[me_i].right = ri;
    int right_split =
        partition(ri, 2 * nodenum + 1, right_risk, n1 + nleft, n1 + nleft + nright,
                  zc.data() + d_.p);

    const double lc = nodes_[li].complexity, rc = nodes_[ri].complexity;
    tempcp = (my_risk - (left_risk + right_risk)) / (left_split + right_split + 1);
    if (rc > lc) {
      if (tempcp > lc) {
        left_risk = nodes_[li].risk;
        left_split = 0;
        tempcp = (my_risk - (left_risk + right_risk)) / (left_split + right_split + 1);
        if (tempcp > rc) {
          right_risk = nodes_[ri].risk;
          right_split = 0;
        }
      }
    } else if (tempcp > rc) {
      right_split = 0;
      right_risk = nodes_[ri].risk;
      tempcp = (my_risk - (left_risk + right_risk)) / (left_split + right_split + 1);
      if (tempcp > lc) {
        left_risk = nodes_[li].risk;
        left_split = 0;
      }
    }
    node& me = nodes_[me_i];
    me.complexity = (my_risk - (left_risk + right_risk)) / (left_split + right_split + 1);
    if (me.complexity <= alpha_) {
      me.left = me.right = -1;  // children are dropped
      sumrisk = me.risk;
      const int* s0 = sortcol(0);
      for (int i = n1; i < n2; ++i) {
        int j = s0[i];
        if (j < 0) j = -(1 + j);
        which_[j] = nodenum;
      }
      return 0;
    }
    sumrisk = left_risk + right_risk;
    return left_split + right_split + 1;
  }

  // Per-variable results of a split or surrogate search, filled (possibly in
  // parallel, one work space per fixed chunk of variables) and then merged in
  // variable order, so any number of threads gives the same tree.
  struct var_result {
    double improve = 0, spoint = 0, adj = 0;
    int count = 0;
    bool skip = true;
  };
  std::vector<var_result> vres_;
  std::vector<int> vcs_;  // p x max(1, maxcat) directions
  std::vector<workspace> pw_;
  static constexpr std::size_t var_grain = 4;

  template <class F>
  void for_vars(int nobs, F f) {
    const std::size_t p = d_.p;
    if (vres_.size() != p) {
      vres_.assign(p, var_result());
      vcs_.assign(p * static_cast<std::size_t>(std::max(maxcat_, 1)), 0);
    }
    const bool par = o_.threads > 1 && static_cast<double>(nobs) * static_cast<double>(p) >= 20000.0;
    if (!par) {
      for (std::size_t v = 0; v < p; ++v) f(v, w_);
      return;
    }
    const std::size_t nchunk = chunk_count(p, var_grain);
    if (pw_.size() != nchunk) {
      pw_.resize(nchunk);
      for (auto& w : pw_) w.reserve(d_.n, maxcat_, m_.nclass);
    }
    parallel_chunks(p, var_grain, o_.threads, [&](std::size_t b, std::size_t e, std::size_t c) {
      for (std::size_t v = b; v < e; ++v) f(v, pw_[c]);
    });
  }

  int* var_csplit(std::size_t v) { return vcs_.data() + v * static_cast<std::size_t>(std::max(maxcat_, 1)); }

  void bsplit(int me_i, int n1, int n2, const int* z) {
    node& me = nodes_[me_i];
    me.primary.clear();
    const int maxpri = std::max(o_.max_compete + 1, 1);
    const double my_risk = me.risk;
    for_vars(n2 - n1, [&](std::size_t v, workspace& w) {
      var_result& r = vres_[v];
      r.skip = true;
      double* xt = w.xtemp.data();
      double* yt = w.ytemp.data();
      double* wtt = w.wtemp.data();
      const int* index = sorts_.data() + v * d_.n;
      const int nc = d_.ncat[v];
      const double* xv = d_.x[v];
      int k = 0;
      // an input constant over the node's observed values has no split:
      // skip the gather (the test below would reject it after it)
      if (nc == 0 && constant_input(v, n1, n2, zskip_[v] ? z[v] : 0)) return;
      const yw_pair* yw = yw_.data();
      const bool two = m_.method == 1 && m_.nclass == 2;
      double pre[3] = {0, 0, 0};
      const int zv = gini_zskip_ && zskip_[v] ? z[v] : 0;
      if (zv > 0) {
        // gather the observations after the block of minimum values only
        for (int j = n1 + zv; j < n2; ++j) {
          const int kk = index[j];
          xt[k] = xv[kk];
          yt[k] = yw[kk].y;
          wtt[k] = yw[kk].wt;
          ++k;
        }
        double improve = 0, spoint = 0;
        int* cs = var_csplit(v);
        choose_gini2_sparse(m_.aprior[0], m_.aprior[1], gini_t_, zv, colmin_[v], k, yt, xt, wtt,
                            freq_[0], freq_[1], o_.min_bucket, improve, spoint, cs);
        r.improve = improve;
        r.spoint = spoint;
        r.count = zv + k;
        r.skip = false;
        return;
      }
      if (two) {
        // gather and form choose_gini's node totals in the same pass (the
        // same operations in the same order as its own first loop)
        const double a0 = m_.aprior[0], a1 = m_.aprior[1];
        double rwt = 0, r0 = 0, r1 = 0;
        for (int j = n1; j < n2; ++j) {
          const int kk = index[j];
          if (kk >= 0 && yw[kk].wt > 0) {
            const double yi = yw[kk].y, wi = yw[kk].wt;
            xt[k] = xv[kk];
            yt[k] = yi;
            wtt[k] = wi;
            ++k;
            const bool c1 = yi != 1.0;
            rwt += (c1 ? a1 : a0) * wi;
            r0 += c1 ? 0.0 : wi;
            r1 += c1 ? wi : 0.0;
          }
        }
        pre[0] = rwt;
        pre[1] = r0;
        pre[2] = r1;
      } else {
        for (int j = n1; j < n2; ++j) {
          const int kk = index[j];
          if (kk >= 0 && yw[kk].wt > 0) {
            xt[k] = xv[kk];
            yt[k] = yw[kk].y;
            wtt[k] = yw[kk].wt;
            ++k;
          }
        }
      }
      if (k == 0 || (nc == 0 && xt[0] == xt[k - 1])) return;
      double improve = 0, spoint = 0;
      int* cs = var_csplit(v);
      if (m_.method == 0)
        choose_anova(k, yt, xt, nc, o_.min_bucket, improve, spoint, cs, my_risk, wtt, w);
      else
        choose_gini(m_, k, yt, xt, nc, o_.min_bucket, improve, spoint, cs, wtt, w, two ? pre : nullptr);
      r.improve = improve;
      r.spoint = spoint;
      r.count = k;
      r.skip = false;
    });
    for (std::size_t v = 0; v < d_.p; ++v) {
      const var_result& r = vres_[v];
      if (r.skip) continue;
      const double improve = r.improve;
      if (improve > iscale) iscale = improve;
      if (improve > iscale * 1e-10) {
        split* t = insert_split(me.primary, improve, maxpri);
        if (t) {
          const int nc = d_.ncat[v];
          const int* cs = var_csplit(v);
          t->improve = improve;
          t->var = static_cast<int>(v);
          t->spoint = r.spoint;
          t->count = r.count;
          t->adj = 0;
          if (nc == 0) {
            t->csplit.assign(1, cs[0]);
          } else {
            t->csplit.assign(cs, cs + nc);
          }
        }
      }
    }
  }

  // Sums, by the primary split's direction, over order[a..b) (no missing
  // values): counts of positive weights and weights.
  static surg_totals rest_totals(int a, int b, const dw_pair* dw, const int* order) {
    surg_totals t;
    for (int i = a; i < b; ++i) {
      const int j = order[i];
      const double wj = dw[j].wt;
      const int yj = dw[j].dir;
      const bool isl = yj == LEFT, isr = yj == RIGHT, pos = wj > 0;
      t.nl += isl & pos;
      t.nr += isr & pos;
      t.lw += isl ? wj : 0.0;
      t.rw += isr ? wj : 0.0;
    }
    return t;
  }

  // rest_totals when every weight is w0 > 0: counts, the weights from them
  static surg_totals rest_counts(int a, int b, const signed char* dir, const int* order, double w0) {
    int nl = 0, nr = 0;
    for (int i = a; i < b; ++i) {
      const int dj = dir[order[i]];
      nl += dj == LEFT;
      nr += dj == RIGHT;
    }
    surg_totals t;
    t.nl = nl;
    t.nr = nr;
    t.lw = nl * w0;
    t.rw = nr * w0;
    return t;
  }

  // choose_surg for a numeric input without missing values when every weight
  // is the same whole number w0 > 0 (eq_wt_): each sum of weights there is w0
  // times a count, exactly, so the scan compares counts, reads one byte of
  // direction per observation, and gives the same splits and agreements.
  void choose_surg_equal(int n1, int n2, const signed char* dir, const double* x, const int* order,
                         double& agreement, double& spoint, int* csplit, double tleft, double tright,
                         double& adj, const surg_totals& tot, int zskip, double xmin) const {
    int ll = tot.nl, rl = tot.nr, lr = 0, rr = 0;
    double lastx = zskip > 0 ? xmin : x[order[n1]];
    int agree = ll > rl ? ll : rl;
    const int majority = agree;
    bool success = false;
    csplit[0] = LEFT;
    spoint = lastx;
    int start = n1;
    if (zskip > 0 && ll + rl >= 2) {
      const surg_totals r = rest_counts(n1 + zskip, n2, dir, order, eq_w0_);
      const int zl = ll - r.nl, zr = rl - r.nr;
      ll -= zl;
      lr += zl;
      rl -= zr;
      rr += zr;
      start = n1 + zskip;
    }
    for (int i = start; ll + rl >= 2; ++i) {
      const int j = order[i];
      const double xj = x[j];
      if (lr + rr >= 2 && xj != lastx) {
        if (ll + rr > agree) {
          success = true;
          agree = ll + rr;
          csplit[0] = RIGHT;
          spoint = (xj + lastx) / 2;
        } else if (lr + rl > agree) {
          success = true;
          agree = lr + rl;
          csplit[0] = LEFT;
          spoint = (xj + lastx) / 2;
        }
      }
      const int dj = dir[j];
      const int dl = dj == LEFT, dr = dj == RIGHT;
      ll -= dl;
      lr += dl;
      rl -= dr;
      rr += dr;
      lastx = xj;
    }
    if (!success) {
      agreement = 0.0;
      adj = 0.0;
      return;
    }
    const double w0 = eq_w0_;
    double total_wt = tot.lw + tot.rw, maj = majority * w0;
    if (o_.surrogate_style == 0) {
      total_wt = tleft + tright;
      maj = tleft > tright ? tleft : tright;
    }
    agreement = (agree * w0) / total_wt;
    maj /= total_wt;
    adj = (agreement - maj) / (1. - maj);
  }

  void choose_surg(int n1, int n2, const dw_pair* dw, const double* x, const int* order, int ncat,
                   double& agreement, double& spoint, int* csplit, double tleft, double tright,
                   double& adj, workspace& w, const surg_totals* tot = nullptr,
                   int zskip = 0, double xmin = 0) const {
    double llwt, lrwt, rrwt, rlwt, agree, majority, total_wt;
    bool success = false;
    if (ncat == 0) {
      double lastx = 0.0;
      int ll = 0, rl = 0, lr = 0, rr = 0;
      llwt = rlwt = 0;
      if (tot && n2 > n1) {
        // no missing values in this input and integer weights: the totals
        // of the backward pass are exact whatever the order of summation,
        // so the node's totals serve for every input
        ll = tot->nl;
        rl = tot->nr;
        llwt = tot->lw;
        rlwt = tot->rw;
        lastx = zskip > 0 ? xmin : x[order[n1]];
      } else
      for (int i = n2 - 1; i >= n1; --i) {
        const int j = order[i];
        if (j >= 0) {
          // branch-free; adding a zero weight is exact
          lastx = x[j];
          const double wj = dw[j].wt;
          const int yj = dw[j].dir;
          const bool isl = yj == LEFT, isr = yj == RIGHT, pos = wj > 0;
          ll += isl & pos;
          rl += isr & pos;
          llwt += isl ? wj : 0.0;
          rlwt += isr ? wj : 0.0;
        }
      }
      agree = llwt > rlwt ? llwt : rlwt;
      majority = agree;
      total_wt = llwt + rlwt;
      lrwt = rrwt = 0;
      csplit[0] = LEFT;
      spoint = lastx;
      int start = n1;
      if (tot && zskip > 0 && (ll + rl) >= 2) {
        // the first zskip observations share the input's minimum, so no
        // split falls among them: move them to the left in one step, their
        // sums being the totals less those of the rest (exact, see above)
        const surg_totals r = rest_totals(n1 + zskip, n2, dw, order);
        const int nl = r.nl, nr = r.nr;
        const double lw = r.lw, rw = r.rw;
        const int zl = ll - nl, zr = rl - nr;
        const double zlw = llwt - lw, zrw = rlwt - rw;
        ll -= zl;
        lr += zl;
        rl -= zr;
        rr += zr;
        llwt -= zlw;
        lrwt += zlw;
        rlwt -= zrw;
        rrwt += zrw;
        start = n1 + zskip;
      }
      for (int i = start; (ll + rl) >= 2; ++i) {
        const int j = order[i];
        if (j >= 0) {
          const double xj = x[j];
          if ((lr + rr) >= 2 && xj != lastx) {
            if ((llwt + rrwt) > agree) {
              success = true;
              agree = llwt + rrwt;
              csplit[0] = RIGHT;
              spoint = (x[j] + lastx) / 2;
            } else if ((lrwt + rlwt) > agree) {
              success = true;
              agree = lrwt + rlwt;
              csplit[0] = LEFT;
              spoint = (x[j] + lastx) / 2;
            }
          }
          const double wj = dw[j].wt;
          const int yj = dw[j].dir;
          const bool isl = yj == LEFT, isr = yj == RIGHT, pos = wj > 0;
          const int dl = isl & pos, dr = isr & pos;
          ll -= dl;
          lr += dl;
          rl -= dr;
          rr += dr;
          const double wl = isl ? wj : 0.0, wr = isr ? wj : 0.0;
          llwt -= wl;
          lrwt += wl;
          rlwt -= wr;
          rrwt += wr;
          lastx = xj;
        }
      }
    } else {
      int* left = w.ileft.data();
      int* right = w.iright.data();
      double* lw = w.lwt.data();
      double* rw = w.rwt.data();
      int lcount = 0, rcount = 0, defdir;
      for (int i = 0; i < ncat; ++i) {
        left[i] = right[i] = 0;
        lw[i] = rw[i] = 0;
      }
      for (int i = n1; i < n2; ++i) {
        const int j = order[i];
        if (j >= 0) {
          const int k = static_cast<int>(x[j]) - 1;
          const double wj = dw[j].wt;
          if (dw[j].dir == LEFT) {
            if (wj > 0) ++left[k];
            lw[k] += wj;
          } else if (dw[j].dir == RIGHT) {
            if (wj > 0) ++right[k];
            rw[k] += wj;
          }
        }
      }
      llwt = rrwt = 0;
      for (int i = 0; i < ncat; ++i) {
        llwt += lw[i];
        rrwt += rw[i];
      }
      if (llwt > rrwt) {
        defdir = LEFT;
        majority = llwt;
      } else {
        defdir = RIGHT;
        majority = rrwt;
      }
      total_wt = llwt + rrwt;
      agree = 0.0;
      for (int i = 0; i < ncat; ++i) {
        if (left[i] == 0 && right[i] == 0) {
          csplit[i] = 0;
        } else if (lw[i] < rw[i] || (lw[i] == rw[i] && defdir == RIGHT)) {
          agree += rw[i];
          csplit[i] = RIGHT;
          lcount += left[i];
          rcount += right[i];
        } else {
          agree += lw[i];
          csplit[i] = LEFT;
          lcount += right[i];
          rcount += left[i];
        }
      }
      success = lcount > 1 && rcount > 1;
    }
    if (!success) {
      agreement = 0.0;
      adj = 0.0;
      return;
    }
    if (o_.surrogate_style == 0) {
      total_wt = tleft + tright;
      majority = tleft > tright ? tleft : tright;
    }
    agreement = agree / total_wt;
    majority /= total_wt;
    adj = (agreement - majority) / (1. - majority);
  }

  void surrogate(int me_i, int n1, int n2, const int* z) {
    node& me = nodes_[me_i];
    int* tempy = w_.tempvec.data();
    const split& pri = me.primary[0];
    const int var = pri.var;
    // a lazy input's column may hold stale entries: list the node's
    // observations from the first input's column (all sums here are exact)
    const bool lz = lazy_[var];
    const int* sv = sortcol(lz ? 0 : var);
    const double* xv = d_.x[var];
    if (d_.ncat[var] == 0) {
      for (int i = n1; i < n2; ++i) {
        int j = sv[i];
        if (lz && j < 0) j = -(j + 1);
        if (j < 0)
          tempy[-(j + 1)] = 0;
        else
          tempy[j] = xv[j] < pri.spoint ? pri.csplit[0] : -pri.csplit[0];
      }
    } else {
      for (int i = n1; i < n2; ++i) {
        const int j = sv[i];
        if (j < 0)
          tempy[-(j + 1)] = 0;
        else
          tempy[j] = pri.csplit[static_cast<int>(xv[j]) - 1];
      }
    }
    double lcount = 0, rcount = 0;
    for (int i = n1; i < n2; ++i) {
      int j = sv[i];
      if (j < 0) j = -(1 + j);
      if (tempy[j] == LEFT)
        lcount += d_.wt[j];
      else if (tempy[j] == RIGHT)
        rcount += d_.wt[j];
    }
    me.lastsurrogate = lcount < rcount ? RIGHT : (lcount > rcount ? LEFT : 0);
    me.surrogate.clear();
    dw_pair* dw = sw_.data();
    for (int i = n1; i < n2; ++i) {
      int j = sv[i];
      if (j < 0) j = -(1 + j);
      dw[j].wt = d_.wt[j];
      dw[j].dir = tempy[j];
      if (eq_wt_) dir8_[j] = static_cast<signed char>(tempy[j]);
    }
    const dw_pair* ty = dw;
    surg_totals tot;
    if (int_wt_) {
      for (int i = n1; i < n2; ++i) {
        int j = sv[i];
        if (j < 0) j = -(1 + j);
        const double wj = dw[j].wt;
        if (dw[j].dir == LEFT) {
          tot.nl += wj > 0;
          tot.lw += wj;
        } else if (dw[j].dir == RIGHT) {
          tot.nr += wj > 0;
          tot.rw += wj;
        }
      }
    }
    for_vars(n2 - n1, [&](std::size_t i, workspace& w) {
      var_result& r = vres_[i];
      r.skip = true;
      if (static_cast<int>(i) == var) return;
      double improve = 0, spoint = 0, adj = 0;
      if (d_.ncat[i] == 0) {
        // constant over the node's observed values: no surrogate split
        // (choose_surg finds no change of value and reports adj = 0)
        if (constant_input(i, n1, n2, zskip_[i] ? z[i] : 0)) {
          r.improve = r.spoint = r.adj = 0;
          r.skip = false;
          return;
        }
      }
      if (eq_wt_ && d_.ncat[i] == 0 && !has_missing_[i])
        choose_surg_equal(n1, n2, dir8_.data(), d_.x[i], sorts_.data() + i * d_.n, improve, spoint,
                          var_csplit(i), lcount, rcount, adj, tot, zskip_[i] ? z[i] : 0, colmin_[i]);
      else
        choose_surg(n1, n2, ty, d_.x[i], sorts_.data() + i * d_.n, d_.ncat[i], improve, spoint,
                    var_csplit(i), lcount, rcount, adj, w, int_wt_ && !has_missing_[i] ? &tot : nullptr,
                    int_wt_ && zskip_[i] ? z[i] : 0, colmin_[i]);
      r.improve = improve;
      r.spoint = spoint;
      r.adj = adj;
      r.skip = false;
    });
    for (std::size_t i = 0; i < d_.p; ++i) {
      const var_result& r = vres_[i];
      if (r.skip || r.adj <= 1e-10) continue;
      split* ss = insert_split(me.surrogate, r.improve, o_.max_surrogate);
      if (ss) {
        const int ncat = d_.ncat[i];
        const int* cs = var_csplit(i);
        ss->improve = r.improve;
        ss->var = static_cast<int>(i);
        ss->count = 0;
        ss->adj = r.adj;
        if (ncat == 0) {
          ss->spoint = r.spoint;
          ss->csplit.assign(1, cs[0]);
        } else {
          ss->csplit.assign(cs, cs + ncat);
        }
      }
    }
  }

  // Also counts, per input, the minimum values going to each child (zl, zr).
  void nodesplit(int me_i, long long nodenum, int n1, int n2, int& nnleft, int& nnright,
                 const int* z, int* zl, int* zr) {
    node& me = nodes_[me_i];
    const long long leftson = 2 * nodenum, rightson = leftson + 1;
    const split& pri = me.primary[0];
    const int pvar = pri.var;
    const bool lz = lazy_[pvar];  // see surrogate()
    const int* sp = sortcol(lz ? 0 : pvar);
    const double* xp = d_.x[pvar];
    int someleft = 0, nleft = 0, nright = 0;
    if (d_.ncat[pvar] > 0) {
      for (int i = n1; i < n2; ++i) {
        const int j = sp[i];
        if (j < 0) {
          ++someleft;
        } else {
          const int dir = pri.csplit[static_cast<int>(xp[j]) - 1];
          if (dir == LEFT) {
            which_[j] = leftson;
            ++nleft;
          } else if (dir == RIGHT) {
            which_[j] = rightson;
            ++nright;
          }
        }
      }
    } else {
      const double psplit = pri.spoint;
      const int extra = pri.csplit[0];
      for (int i = n1; i < n2; ++i) {
        int j = sp[i];
        if (lz && j < 0) j = -(j + 1);
        if (j < 0) {
          ++someleft;
        } else {
          const int k = xp[j] < psplit ? extra : -extra;
          if (k == LEFT) {
            which_[j] = leftson;
            ++nleft;
          } else {
            which_[j] = rightson;
            ++nright;
          }
        }
      }
    }
    if (someleft > 0 && o_.use_surrogate > 0) {
      for (int i = n1; i < n2; ++i) {
        int j = sp[i];
        if (j >= 0) continue;
        j = -(j + 1);
        for (split& ts : me.surrogate) {
          const int var = ts.var;
          const double xval = d_.x[var][j];
          if (std::isnan(xval)) continue;
          if (d_.ncat[var] > 0) {
            const int k = static_cast<int>(xval);
            if (ts.csplit[k - 1]) {
              ++ts.count;
              if (ts.csplit[k - 1] == LEFT) {
                which_[j] = leftson;
                ++nleft;
              } else {
                which_[j] = rightson;
                ++nright;
              }
              --someleft;
              break;
            }
          } else {
            ++ts.count;
            const int k = xval < ts.spoint ? ts.csplit[0] : -ts.csplit[0];
            if (k == LEFT) {
              which_[j] = leftson;
              ++nleft;
            } else {
              which_[j] = rightson;
              ++nright;
            }
            --someleft;
            break;
          }
        }
      }
    }
    if (someleft > 0 && o_.use_surrogate == 2 && me.lastsurrogate != 0) {
      long long dest;
      if (me.lastsurrogate < 0) {
        dest = leftson;
        nleft += someleft;
      } else {
        dest = rightson;
        nright += someleft;
      }
      for (int i = n1; i < n2; ++i) {
        int j = sp[i];
        if (j < 0) {
          j = -(j + 1);
          if (which_[j] == nodenum) which_[j] = dest;
        }
      }
    }
    // side of each observation (0 left, 1 right, 2 stays), then a stable
    // three-way partition of every sorted column without branches
    if (side_.size() != d_.n) side_.assign(d_.n, 2);
    {
      const int* s0 = sortcol(0);
      for (int i = n1; i < n2; ++i) {
        int j = s0[i];
        if (j < 0) j = -(j + 1);
        const long long wj = which_[j];
        side_[j] = static_cast<unsigned char>(wj == leftson ? 0 : (wj == rightson ? 1 : 2));
      }
    }
    const unsigned char* side = side_.data();
    for_vars(n2 - n1, [&](std::size_t k, workspace& w) {
      int* tmp = w.tempvec.data();  // n + 1 entries: the unused slot may be written
      int* sindex = sorts_.data() + k * d_.n;
      if (lazy_[k]) {
        // only the entries after the block of minimum values are moved; the
        // children's blocks are counted (every observation is in the column)
        int nl = 0, nr = 0;
        for (int i = n1 + z[k]; i < n2; ++i) {
          const int v = sindex[i];
          const unsigned sd = side[v];
          sindex[n1 + nl] = v;
          tmp[nr] = v;
          nl += sd == 0;
          nr += sd == 1;
        }
        zl[k] = nleft - nl;
        zr[k] = nright - nr;
        std::copy_backward(sindex + n1, sindex + n1 + nl, sindex + n1 + nleft);
        std::copy(tmp, tmp + nr, sindex + n1 + nleft + zr[k]);
        return;
      }
      int i1 = n1, i2 = n1 + nleft, i3 = i2 + nright;
      const int zend = n1 + z[k];
      for (int i = n1; i < zend; ++i) {
        const int v = sindex[i];
        const unsigned sd = side[v];  // no missing values in a skipped input
        sindex[i1] = v;
        tmp[i2] = v;
        tmp[i3] = v;
        i1 += sd == 0;
        i2 += sd == 1;
        i3 += sd == 2;
      }
      zl[k] = i1 - n1;
      zr[k] = i2 - (n1 + nleft);
      for (int i = zend; i < n2; ++i) {
        const int v = sindex[i];
        const int j = v < 0 ? -(v + 1) : v;
        const unsigned sd = side[j];
        sindex[i1] = v;
        tmp[i2] = v;
        tmp[i3] = v;
        i1 += sd == 0;
        i2 += sd == 1;
        i3 += sd == 2;
      }
      for (int i = n1 + nleft; i < n2; ++i) sindex[i] = tmp[i];
    });
    nnleft = nleft;
    nnright = nright;
  }
};

// Unique complexities (largest first), each node's complexity capped by its
// parent's; then the risk and number of splits at each.
inline void make_cp_list(std::vector<node>& nodes, int me_i, double parent, double alpha,
                         std::vector<cp_row>& table) {
  node& me = nodes[me_i];
  if (me.complexity > parent) me.complexity = parent;
  double me_cp = me.complexity;
  if (me_cp < alpha) me_cp = alpha;
  if (me.left >= 0) {
    make_cp_list(nodes, me.left, me_cp, alpha, table);
    make_cp_list(nodes, me.right, me_cp, alpha, table);
  }
  if (me_cp < parent) {
    std::size_t pos = 0;
    for (; pos < table.size(); ++pos) {
      if (me_cp == table[pos].cp) return;
      if (me_cp > table[pos].cp) break;
    }
    cp_row r;
    r.cp = me_cp;
    table.insert(table.begin() + static_cast<std::ptrdiff_t>(pos), r);
  }
}

// returns the table position reported to the parent
inline int make_cp_table(const std::vector<node>& nodes, int me_i, double parent, int nsplit,
                         std::vector<cp_row>& table) {
  const node& me = nodes[me_i];
  int pos;
  if (me.left >= 0) {
    make_cp_table(nodes, me.left, me.complexity, 0, table);
    pos = make_cp_table(nodes, me.right, me.complexity, nsplit + 1, table);
  } else {
    pos = static_cast<int>(table.size()) - 1;
  }
  while (pos >= 0 && table[pos].cp < parent) {
    table[pos].risk += me.risk;
    table[pos].nsplit += nsplit;
    --pos;
  }
  return pos;
}

inline void fix_cp(std::vector<node>& nodes, int me_i, double parent_cp) {
  node& me = nodes[me_i];
  if (me.complexity > parent_cp) me.complexity = parent_cp;
  if (me.left >= 0) {
    fix_cp(nodes, me.left, me.complexity);
    fix_cp(nodes, me.right, me.complexity);
  }
}

// Child of node `t` that observation i of `d` goes to, or -1 (none).
inline int branch(const std::vector<node>& nodes, int t, const data& d, std::size_t obs,
                  int use_surrogate) {
  const node& me = nodes[t];
  if (me.left < 0) return -1;
  int dir = 0;
  bool found = false;
  const split& ps = me.primary[0];
  const double xv = d.x[ps.var][obs];
  if (!std::isnan(xv)) {
    if (d.ncat[ps.var] == 0) {
      dir = xv < ps.spoint ? ps.csplit[0] : -ps.csplit[0];
      found = true;
    } else {
      dir = ps.csplit[static_cast<int>(xv) - 1];
      found = dir != 0;
    }
  }
  if (!found) {
    if (use_surrogate == 0) return -1;
    for (const split& s : me.surrogate) {
      const double sv = d.x[s.var][obs];
      if (std::isnan(sv)) continue;
      if (d.ncat[s.var] == 0) {
        dir = sv < s.spoint ? s.csplit[0] : -s.csplit[0];
        found = true;
        break;
      }
      dir = s.csplit[static_cast<int>(sv) - 1];
      if (dir) {
        found = true;
        break;
      }
    }
    if (!found) {
      if (use_surrogate < 2) return -1;
      dir = me.lastsurrogate;
    }
  }
  return dir == LEFT ? me.left : me.right;
}

struct result {
  std::vector<node> nodes;  // nodes[0] is the root; children by index
  std::vector<cp_row> cptable;
  std::vector<long long> which;
  double alpha = 0;
  bool xval = false;
};

// Fit a tree; xgroups (1..nfold, length n) or nullptr for no cross-validation.
inline result fit(const data& d, const options& o, const int* xgroups, int nfold) {
  const method_consts m = make_consts(d, o);
  const zero_plan zp = make_zero_plan(d, m);
  std::vector<int> sorts = grower::make_sorts(d, o.threads, zp);
  const std::vector<int> savesort = nfold > 1 ? sorts : std::vector<int>();
  grower g(d, o, m, zp);
  // one arena for all the split searches of the tree
  with_threads(o.threads, [&] { g.grow(std::move(sorts), static_cast<int>(d.n)); });
  result r;
  r.alpha = g.alpha();
  std::vector<node>& nodes = g.nodes();
  cp_row first;
  first.cp = nodes[0].complexity;
  first.risk = nodes[0].risk;
  r.cptable.push_back(first);
  if (nodes[0].left >= 0) {
    make_cp_list(nodes, 0, nodes[0].complexity, g.alpha(), r.cptable);
    make_cp_table(nodes, 0, nodes[0].complexity, 0, r.cptable);
    if (nfold > 1 && xgroups) {
      r.xval = true;
      const std::size_t ncp = r.cptable.size();
      std::vector<double> cp(ncp);
      cp[0] = 10 * r.cptable[0].cp;
      for (std::size_t i = 1; i < ncp; ++i) cp[i] = std::sqrt(r.cptable[i - 1].cp * r.cptable[i].cp);
      double total_wt = 0;
      for (std::size_t i = 0; i < d.n; ++i) total_wt += d.wt[i];
      const double iscale0 = g.iscale;
      // per fold: per held-out observation errors, combined in fold order
      std::vector<std::vector<double>> xr(nfold, std::vector<double>(ncp, 0.0)),
          xs(nfold, std::vector<double>(ncp, 0.0));
      const std::size_t n = d.n, p = d.p;
      options fold_opt = o;
      fold_opt.threads = 1;  // parallel over folds, not within them
      parallel_tasks(static_cast<std::size_t>(nfold), o.threads, [&](std::size_t f) {
        const int grp = static_cast<int>(f) + 1;
        std::vector<int> s(n * p);
        int k = 0;
        for (std::size_t j = 0; j < p; ++j) {
          k = 0;
          for (std::size_t i = 0; i < n; ++i) {
            int ii = savesort[j * n + i];
            if (ii < 0) ii = -(1 + ii);
            if (xgroups[ii] != grp) s[j * n + static_cast<std::size_t>(k++)] = savesort[j * n + i];
          }
        }
        double temp = 0;
        std::vector<std::size_t> held;
        for (std::size_t i = 0; i < n; ++i) {
          if (xgroups[i] == grp)
            held.push_back(i);
          else
            temp += d.wt[i];
        }
        const double ratio = temp / total_wt;
        grower gf(d, fold_opt, m, zp);
        gf.iscale = iscale0;
        gf.grow(std::move(s), k, g.alpha() * ratio);
        std::vector<node>& xn = gf.nodes();
        fix_cp(xn, 0, xn[0].complexity);
        for (std::size_t obs : held) {
          int t = 0, ot = 0;
          std::size_t i = 0;
          for (; i < ncp; ++i) {
            bool stuck = false;
            while (cp[i] * ratio < xn[t].complexity) {
              const int nt = branch(xn, t, d, obs, o.use_surrogate);
              if (nt < 0) {
                stuck = true;
                break;
              }
              t = nt;
              ot = t;
            }
            if (stuck) break;
            const double e = pred_error(m, d.y[obs], xn[t].resp);
            xr[f][i] += e * d.wt[obs];
            xs[f][i] += e * e * d.wt[obs];
          }
          for (; i < ncp; ++i) {  // fell off: use the last node reached
            const double e = pred_error(m, d.y[obs], xn[ot].resp);
            xr[f][i] += e * d.wt[obs];
            xs[f][i] += e * e * d.wt[obs];
          }
        }
      });
      for (int f = 0; f < nfold; ++f)
        for (std::size_t i = 0; i < ncp; ++i) {
          r.cptable[i].xrisk += xr[f][i];
          r.cptable[i].xstd += xs[f][i];
        }
      for (auto& row : r.cptable)
        row.xstd = std::sqrt(row.xstd - row.xrisk * row.xrisk / total_wt);
    }
  }
  r.which = g.which();
  r.nodes = std::move(nodes);
  return r;
}

}  // namespace cart
}  // namespace statlearn

#endif
