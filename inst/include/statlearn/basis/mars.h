// statlearn/basis/mars.h -- multivariate adaptive regression splines
// (ESL 9.4; Friedman 1991, "Multivariate adaptive regression splines";
// Friedman 1993, "Fast MARS").
//
// Forward pass: the model holds basis terms (products of hinge functions).
// Each step tries, for every eligible parent term m and input j, the product
// of the parent with x_j entering linearly and with the reflected pair
// (x_j - t)+, (t - x_j)+ at every admissible knot t (a data value, subject to
// the minspan / endspan rules). The change in RSS of a candidate is computed
// from an orthonormal basis Q of the current terms: with the linear column
// b_m x_j orthogonalised first, the knot scan moves t downwards through the
// sorted x_j and updates the inner products of the hinge with Q, y and itself
// in O(|Q|) per data point (Friedman 1991, section 3.9), so each (parent,
// input) pair costs O(n |Q|). Inputs are scanned in parallel; the best
// candidate is chosen in input order (strict improvement), so the result does
// not depend on the thread count.
//
// The selection rules (knot spacing, tolerances, the Fast MARS parent queue,
// the "new form" test and the stopping rules) follow the R package earth
// (Milborrow), so that fits agree with earth's on the same settings. With
// case weights the columns are scaled by sqrt(w) and the same O(1) updates
// are used (uncentred), with the tolerances of earth's weighted search
// (which refits a QR per knot): the rank tolerance 1e-8, an improvement of
// more than 1e-10, and dropped partner columns kept in the regression span.
//
// Backward pass: Miller's backward elimination on the QR factor of [B y]
// (intercept forced in), as earth's pruning through leaps: the term whose
// removal increases the RSS least moves to the end of the current model, and
// every leading subset of the new order competes for the best subset of its
// size. The subset with the smallest GCV is chosen in R.
#ifndef STATLEARN_BASIS_MARS_H
#define STATLEARN_BASIS_MARS_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "statlearn/common/cpu.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#ifdef STATLEARN_X86
#include <immintrin.h>
#endif

namespace statlearn {

struct mars_options {
  int degree = 1;
  double penalty = 2.0;
  int max_terms = 21;        // earth's nk
  double thresh = 0.001;
  int minspan = 0;           // 0: automatic (Friedman eq. 43); < 0: -number of knots
  int endspan = 0;           // 0: automatic (Friedman eq. 45)
  double adjust_endspan = 2; // endspan multiplier for interaction terms
  int fast_k = 20;           // <= 0: all parents
  double fast_beta = 1.0;    // ageing of the Fast MARS queue
  bool auto_linpreds = true; // a knot at min(x) enters as a linear term
  int threads = 1;
};

struct mars_forward_result {
  int nterms = 0;            // number of term slots used (including unused partners)
  std::vector<int> used;     // per slot: 1 if the term is in the model
  std::vector<int> dirs;     // slot-major: dirs[t * p + j] in {-1, 0, 1, 2}
  std::vector<double> cuts;  // slot-major
  int termcond = 0;          // why the forward pass stopped (earth's codes 1..7)
  std::vector<double> rsq;   // RSq after each forward step
};

namespace mars_detail {

// The knot scan's update for one case: s += row * b; c += d * s. Element-wise
// (no reordering of sums) and without FMA, so the AVX2 path gives the same
// bits as the portable one.
inline void scan_update_portable(double* s, double* c, const double* row, double b, double d,
                                 std::size_t T) {
  for (std::size_t t = 0; t < T; ++t) {
    s[t] += row[t] * b;
    c[t] += d * s[t];
  }
}
#ifdef STATLEARN_X86
__attribute__((target("avx2"))) inline void scan_update_avx2(double* s, double* c, const double* row,
                                                             double b, double d, std::size_t T) {
  const __m256d vb = _mm256_set1_pd(b), vd = _mm256_set1_pd(d);
  std::size_t t = 0;
  for (; t + 4 <= T; t += 4) {
    __m256d vs = _mm256_add_pd(_mm256_loadu_pd(s + t), _mm256_mul_pd(_mm256_loadu_pd(row + t), vb));
    _mm256_storeu_pd(s + t, vs);
    _mm256_storeu_pd(c + t, _mm256_add_pd(_mm256_loadu_pd(c + t), _mm256_mul_pd(vd, vs)));
  }
  for (; t < T; ++t) {
    s[t] += row[t] * b;
    c[t] += d * s[t];
  }
}
__attribute__((target("avx2"))) inline void scan_add_avx2(double* s, const double* row, double b,
                                                          std::size_t T) {
  const __m256d vb = _mm256_set1_pd(b);
  std::size_t t = 0;
  for (; t + 4 <= T; t += 4)
    _mm256_storeu_pd(s + t, _mm256_add_pd(_mm256_loadu_pd(s + t), _mm256_mul_pd(_mm256_loadu_pd(row + t), vb)));
  for (; t < T; ++t) s[t] += row[t] * b;
}
#endif

inline double gcv_value(int nterms, std::size_t n, double rss, double penalty) {
  double cost = 0.0;
  if (penalty != -1.0) cost = (nterms + penalty * (nterms - 1.0) / 2.0) / static_cast<double>(n);
  if (cost >= 1.0) return std::numeric_limits<double>::infinity();
  return rss / (static_cast<double>(n) * (1.0 - cost) * (1.0 - cost));
}

inline double mean_of(const double* v, std::size_t n) {
  double m = 0.0;
  for (std::size_t i = 0; i < n; ++i) m += v[i] / static_cast<double>(n);
  return m;
}

struct queue_entry {
  int parent = 0;
  int nterms_for = -99;
  double rss_delta = -1.0;
  double aged_rank = -1.0;
};

// Result of scanning one input for one parent.
struct pred_scan {
  bool tried = false;        // input eligible for this parent
  bool newform0 = false;     // the linear candidate was evaluated
  bool newform = false;      // the linear column is independent of the model
  double lin = 0.0;          // RSS decrease of the linear candidate
  double pair = 0.0;         // best RSS decrease with a knot (>= lin)
  int best_case = -1;        // sorted position of the best knot, -1 if none beat lin
};

class forward_pass {
 public:
  forward_pass(const double* x, std::size_t n, std::size_t p, const std::vector<double>& y,
               const std::vector<double>& w, const mars_options& o)
      : x_(x), n_(n), p_(p), y_(y), o_(o), M_(static_cast<std::size_t>(o.max_terms)) {
    weighted_ = !w.empty();
    const cpu::isa which = cpu::best_isa();
    avx2_ = which == cpu::isa::avx2 || which == cpu::isa::avx512;
    center_ = !weighted_;
    order_.resize(p_ * n_);
    for (std::size_t j = 0; j < p_; ++j) {
      int* ord = &order_[j * n_];
      std::iota(ord, ord + n_, 0);
      const double* xj = x_ + j * n_;
      std::stable_sort(ord, ord + n_, [xj](int a, int b) { return xj[a] < xj[b]; });
    }
    bx_.assign(n_ * M_, 0.0);
    q_.assign(n_ * M_, 0.0);
    qc_.assign(M_ * n_, 0.0);
    qmean_.assign(M_, 0.0);
    qsum_.assign(M_, 0.0);
    ycbo_.assign(M_, 0.0);
    dirs_.assign(M_ * p_, 0);
    cuts_.assign(M_ * p_, 0.0);
    degree_.assign(M_, 0);
    used_.assign(M_, 0);
    span_.assign(M_, 0);
    cache_.assign(M_ * M_ * p_, std::numeric_limits<double>::infinity());
    if (weighted_) {
      yw_.resize(n_);
      for (std::size_t i = 0; i < n_; ++i) {
        bx_[i] = std::sqrt(w[i]);
        yw_[i] = bx_[i] * y_[i];
      }
      ybar_ = 0.0;
    } else {
      for (std::size_t i = 0; i < n_; ++i) bx_[i] = 1.0;
      yw_ = y_;
      ybar_ = mean_of(y_.data(), n_);
    }
  }

  mars_forward_result run() {
    mars_forward_result res;
    // intercept column of Q
    if (weighted_) {
      double ss = 0.0;
      for (std::size_t i = 0; i < n_; ++i) ss += bx_[i] * bx_[i];
      const double len = std::sqrt(ss);
      for (std::size_t i = 0; i < n_; ++i) q_[i] = bx_[i] / len;
      qmean_[0] = 0.0;
    } else {
      const double len = 1.0 / std::sqrt(static_cast<double>(n_));
      for (std::size_t i = 0; i < n_; ++i) q_[i] = len;
      qmean_[0] = len;
    }
    sync_centered(0);
    used_[0] = 1;
    span_[0] = 1;
    ycbo_[0] = ycbo_of(&q_[0]);

    // null RSS (weighted response; earth guards a constant response)
    double rss_null = 0.0;
    if (weighted_) {
      double sy = 0.0, sw = 0.0;
      for (std::size_t i = 0; i < n_; ++i) {
        const double wi = bx_[i] * bx_[i];
        sy += wi * y_[i];
        sw += wi;
      }
      const double m = sy / sw;
      for (std::size_t i = 0; i < n_; ++i) rss_null += bx_[i] * bx_[i] * (y_[i] - m) * (y_[i] - m);
    } else {
      for (std::size_t i = 0; i < n_; ++i) rss_null += (y_[i] - ybar_) * (y_[i] - ybar_);
    }
    if (rss_null < 1e-8 * n_) rss_null = 1e-8 * n_;

    const int M = static_cast<int>(M_);
    double rss = rss_null, rss_delta = rss_null, rsq = 0.0, rsq_delta = 0.0;
    int nused = 1;
    double gcv = 0.0;
    const double gcv_null = gcv_value(1, n_, rss_null, o_.penalty);
    fast_k_ = o_.fast_k <= 0 ? 10001 : std::max(o_.fast_k, 3);
    queue_.assign(M_, queue_entry());
    for (int t = 0; t < M; ++t) queue_[t].parent = t;
    nq_ = 0;
    add_to_queue(0, 1, rss_null, true);

    int nterms = 1, best_case = -1;
    if (M >= 3) {
      while (true) {
        if (hooks::aborted()) throw interrupted();
        if (rss <= 0) throw std::runtime_error("mars: the residual sum of squares reached zero");
        const double max_legal = std::min(1.01 * rss, 10.0 * rss_delta);
        int best_pred = -1, best_parent = -1;
        bool newform = false, linbest = false;
        find_term(nterms, max_legal, best_case, best_pred, best_parent, rss_delta, newform, linbest);
        if (!o_.auto_linpreds) linbest = false;
        if (best_case >= 0) add_term_pair(nterms, best_parent, best_case, best_pred, linbest, newform);
        const bool pair = best_case > 0 && newform;
        ++nused;
        if (pair) ++nused;
        rss -= rss_delta;
        if (rss > -1e-10 && rss < 1e-10) rss = 0.0;
        gcv = gcv_value(nused, n_, rss, o_.penalty);
        const double old = rsq;
        rsq = 1.0 - rss / rss_null;
        rsq_delta = rsq - old;
        if (rsq_delta > -1e-10 && rsq_delta < 1e-10) rsq_delta = 0.0;
        res.rsq.push_back(rsq);
        if (best_case < 0) {
          used_[nterms] = used_[nterms + 1] = 0;
          break;
        }
        if (o_.thresh != 0 && rsq_delta < o_.thresh) {
          used_[nterms] = used_[nterms + 1] = 0;
          break;
        }
        const double grsq = 1.0 - gcv / gcv_null;
        if (o_.thresh != 0 && grsq < -10.0) {
          used_[nterms] = used_[nterms + 1] = 0;
          break;
        }
        if (!linbest && newform) {
          add_to_queue(nterms, nterms, std::numeric_limits<double>::infinity(), false);
          add_to_queue(nterms + 1, nterms, std::numeric_limits<double>::infinity(), true);
        } else {
          add_to_queue(nterms, nterms, std::numeric_limits<double>::infinity(), true);
        }
        nterms += 2;
        if (rsq >= 1.0 - o_.thresh) break;
        if (nterms >= M - 1) break;
      }
    }
    // termination code, as earth's ForwardEpilog
    const double grsq = 1.0 - gcv / gcv_null;
    int cond;
    if (M < 3) cond = 1;
    else if (o_.thresh != 0 && grsq < -10.0) cond = grsq < -1000 ? 2 : 3;
    else if (o_.thresh != 0 && rsq_delta < o_.thresh) cond = 4;
    else if (rsq >= 1.0 - o_.thresh) cond = 5;
    else if (best_case < 0) cond = 6;
    else cond = 7;
    res.termcond = cond;
    const int slots = std::min(nterms, M);
    res.nterms = slots;
    res.used.assign(used_.begin(), used_.begin() + slots);
    res.dirs.assign(dirs_.begin(), dirs_.begin() + static_cast<std::size_t>(slots) * p_);
    res.cuts.assign(cuts_.begin(), cuts_.begin() + static_cast<std::size_t>(slots) * p_);
    return res;
  }

 private:
  const double* x_;
  std::size_t n_, p_;
  std::vector<double> y_, yw_;
  mars_options o_;
  std::size_t M_;
  bool weighted_ = false, center_ = true, avx2_ = false;
  double ybar_ = 0.0;
  std::vector<int> order_;
  std::vector<double> bx_, q_, qc_, qmean_, qsum_, ycbo_, cuts_, cache_;
  std::vector<int> dirs_, degree_, used_, span_;  // span_: columns in the regression
  double last_ss_ = 0.0, last_raw_ = 0.0;
  std::vector<queue_entry> queue_, sorted_;
  int nq_ = 0, fast_k_ = 10001;

  double xv(std::size_t i, std::size_t j) const { return x_[j * n_ + i]; }

  double ycbo_of(const double* col) const {
    double s = 0.0;
    for (std::size_t i = 0; i < n_; ++i) s += (yw_[i] - ybar_) * col[i];
    return s;
  }

  void sync_centered(std::size_t t) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n_; ++i) sum += q_[t * n_ + i];
    qsum_[t] = sum;
    for (std::size_t i = 0; i < n_; ++i) qc_[i * M_ + t] = q_[t * n_ + i] - qmean_[t];
  }

  void add_to_queue(int term, int nterms, double rss_delta, bool sort) {
    queue_[nq_].nterms_for = nterms;
    queue_[nq_].rss_delta = std::max(queue_[term].rss_delta, rss_delta);
    ++nq_;
    if (!sort) return;
    sorted_.assign(queue_.begin(), queue_.begin() + nq_);
    std::sort(sorted_.begin(), sorted_.end(), [](const queue_entry& a, const queue_entry& b) {
      if (a.rss_delta != b.rss_delta) return a.rss_delta > b.rss_delta;
      return a.parent < b.parent;
    });
    if (o_.fast_beta > 0) {
      for (int r = 0; r < nq_; ++r)
        sorted_[r].aged_rank = r + o_.fast_beta * (nterms - sorted_[r].nterms_for);
      std::sort(sorted_.begin(), sorted_.end(), [](const queue_entry& a, const queue_entry& b) {
        if (a.aged_rank != b.aged_rank) return a.aged_rank < b.aged_rank;
        if (a.rss_delta != b.rss_delta) return a.rss_delta > b.rss_delta;
        return a.parent < b.parent;
      });
    }
  }

  int end_span(int deg) const {
    int e = 1;
    if (o_.endspan > 0) e = o_.endspan;
    else e = static_cast<int>(7.32193 + std::log(static_cast<double>(p_)) / 0.69315);
    if (deg >= 2) e += static_cast<int>(o_.adjust_endspan * e + 0.5);
    const int half = static_cast<int>(n_) / 2 - 1;
    if (e > half) e = half;
    return std::max(1, e);
  }

  void span_params(int deg, int parent, int& minspan, int& endspan, int& startspan) const {
    endspan = end_span(deg);
    const int n = static_cast<int>(n_);
    if (o_.minspan < 0) {
      minspan = static_cast<int>(std::ceil(n / (1.0 - o_.minspan)));
      startspan = minspan;
      while (startspan < endspan) startspan += minspan;
      startspan = std::max(1, startspan - 1);
      return;
    }
    if (o_.minspan > 0) {
      minspan = o_.minspan;
    } else {
      int nused = 0;
      const double* b = &bx_[static_cast<std::size_t>(parent) * n_];
      for (std::size_t i = 0; i < n_; ++i) nused += b[i] > 0;
      minspan = static_cast<int>((2.9702 + std::log(static_cast<double>(p_) * nused)) / 1.7329);
    }
    minspan = std::max(1, minspan);
    const int avail = std::max(0, n - 2 * endspan);
    int s = avail / 2;
    if (avail > minspan) {
      const int ndiv = avail / minspan;
      s = (avail == ndiv * minspan) ? minspan / 2 : (avail - ndiv * minspan) / 2;
    }
    startspan = std::max(1, endspan + s);
  }

  // earth's test of whether x_j * parent may already lie in the model's span.
  bool new_form(int pred, int parent, int nterms) const {
    bool isnew = true;
    for (int i = 1; i < nterms; ++i) {
      if (!used_[i]) continue;
      isnew = false;
      if (dirs_[i * p_ + pred] == 0) return true;
      for (std::size_t j = 0; j < p_; ++j)
        if (static_cast<int>(j) != pred &&
            (dirs_[i * p_ + j] != 0) != (dirs_[static_cast<std::size_t>(parent) * p_ + j] != 0))
          return true;
    }
    return isnew;
  }

  // Residual of v on the used columns of Q (modified Gram-Schmidt); with
  // cache != nullptr the coefficients are cached per (parent, input).
  void orthogonalise(double* v, int nterms, double* cache) const {
    for (int t = 0; t < nterms; ++t) {
      if (!span_[t]) continue;
      const double* qt = &q_[static_cast<std::size_t>(t) * n_];
      double beta;
      if (cache != nullptr && cache[t] != std::numeric_limits<double>::infinity()) {
        beta = cache[t];
      } else {
        beta = 0.0;
        for (std::size_t i = 0; i < n_; ++i) beta += qt[i] * v[i];
        if (cache != nullptr) cache[t] = beta;
      }
      for (std::size_t i = 0; i < n_; ++i) v[i] -= beta * qt[i];
    }
  }

  // Make v (the raw column of slot `slot`) a column of Q; returns whether its
  // residual sum of squares exceeds earth's MIN_BX_SOS (0.01). With strict,
  // a column at or below that level is zeroed.
  bool make_q_column(double* v, int slot, double* cache, bool strict, double& mean_out) {
    if (slot == 1 && center_) {
      const double m = mean_of(v, n_);
      for (std::size_t i = 0; i < n_; ++i) v[i] -= m;
    } else {
      orthogonalise(v, slot, cache);
    }
    double ss = 0.0;
    for (std::size_t i = 0; i < n_; ++i) ss += v[i] * v[i];
    last_ss_ = ss;
    const bool good = ss > 0.01;
    if (ss > (strict ? 0.01 : 0.0)) {
      mean_out = center_ ? mean_of(v, n_) : 0.0;
      const double len = std::sqrt(ss);
      for (std::size_t i = 0; i < n_; ++i) v[i] /= len;
    } else {
      mean_out = 0.0;
      std::fill(v, v + n_, 0.0);
    }
    return good;
  }

  pred_scan scan(int parent, int pred, int nterms, double max_legal, int minspan, int endspan,
                 int startspan, const std::vector<int>& nz, std::vector<double>& r,
                 std::vector<double>& S0,
                 std::vector<double>& CC) {
    pred_scan s;
    s.tried = true;
    const double* b = &bx_[static_cast<std::size_t>(parent) * n_];
    const double* xj = x_ + static_cast<std::size_t>(pred) * n_;
    bool newform = new_form(pred, parent, nterms);
    s.newform0 = newform;
    double rmean = 0.0, ycbo_c = 0.0, len = 1.0, shift_mean = 0.0;
    bool newform_zero = false;  // weighted: a dependent linear column kept as zero
    std::vector<double>& beta = r;  // scratch: the linear candidate's coefficients on Q
    std::fill(beta.begin(), beta.begin() + nterms, 0.0);
    if (newform) {
      // The linear candidate b_m x_j is zero off the parent's support Z, so
      // its coefficients on Q (classical Gram-Schmidt, cached per (parent,
      // input) since old columns never change) and every statistic the scan
      // needs cost O(|Z| |Q|) rather than O(n |Q|).
      double* cache = &cache_[(static_cast<std::size_t>(pred) * M_ + parent) * M_];
      for (int t = 0; t < nterms; ++t) {
        if (!span_[t] || cache[t] != std::numeric_limits<double>::infinity()) continue;
        const double* qt = &q_[static_cast<std::size_t>(t) * n_];
        double beta = 0.0;
        for (int k : nz) beta += qt[k] * (xj[k] * b[k]);
        cache[t] = beta;
      }
      double sxx = 0.0, sx = 0.0, syx = 0.0, sy1 = 0.0;
      for (int k : nz) {
        const double v = xj[k] * b[k];
        sxx += v * v;
        sx += v;
        syx += (yw_[k] - ybar_) * v;
        sy1 += yw_[k] * v;
      }
      double ss = sxx, smean = sx, sycbo = syx, syq = sy1;
      for (int t = 0; t < nterms; ++t) {
        if (!span_[t]) continue;
        const double beta = cache[t];
        ss -= beta * beta;
        smean -= beta * qsum_[t];
        sycbo -= beta * ycbo_[t];
        syq -= beta * (ycbo_[t] + ybar_ * qsum_[t]);
      }
      // earth tests the linear candidate against MIN_BX_SOS (0.01) without
      // weights, and by the rank tolerance of its QR (1e-8) with weights
      const bool independent = weighted_ ? (ss > 0.0 && ss >= 1e-16 * sxx) : ss > 0.01;
      if (independent) {
        len = std::sqrt(ss);
        rmean = center_ ? smean / static_cast<double>(n_) : 0.0;
        // dense coefficients (0 for unused slots) so that the residual at a
        // case is a plain dot product, computed when the scan reaches it
        for (int t = 0; t < nterms; ++t)
          if (span_[t]) {
            beta[t] = cache[t];
            shift_mean += cache[t] * qmean_[t];
          }
        ycbo_c = sycbo / len;
        s.lin = (syq / len) * (syq / len);
      } else {
        // dependent: the candidate column is zero; without weights earth also
        // drops the linear term from the search
        if (!weighted_) newform = false;
        newform_zero = true;
        rmean = 0.0;
      }
    }
    s.newform = newform;
    s.pair = s.lin;
    const int newcol = newform ? nterms + 1 : nterms;
    const double tol = newcol < 15 ? 0.01 : 1e-5;
    const std::size_t T = static_cast<std::size_t>(nterms);
    std::fill(S0.begin(), S0.begin() + T, 0.0);
    std::fill(CC.begin(), CC.begin() + T, 0.0);
    double S0c = 0.0, CCc = 0.0;
    double sb = 0.0, sbb = 0.0, sbx = 0.0, sbbx = 0.0;  // sums over cases above the knot
    double cc = 0.0;                                    // centred SS of the hinge
    double ysum = 0.0, yh = 0.0;                        // sum (y - ybar) b, sum (y - ybar) h
    const int* ord = &order_[static_cast<std::size_t>(pred) * n_];
    const double inv_n = 1.0 / static_cast<double>(n_);
    double knot = xj[ord[n_ - 1]];
    int span = startspan;
    const double* qc = qc_.data();
    const double rc_shift = rmean;
    // move the knot from `knot` down to t with the current sums
    auto shift = [&](double t) {
      const double d = knot - t;
      if (d == 0.0) return;
      const double hu = sbx - sb * knot, ht = sbx - sb * t;
      double hh = d * (2.0 * sbbx - sbb * (knot + t));
      if (center_) hh += (hu * hu - ht * ht) * inv_n;
      cc += hh;
      for (std::size_t t2 = 0; t2 < T; ++t2) CC[t2] += d * S0[t2];
      CCc += d * S0c;
      yh += d * ysum;
      knot = t;
    };
    const double* bt = beta.data();
    const double xbot = xj[ord[endspan]];
    auto evaluate = [&](long pos) {
      double t1 = yh, t2v = cc;
      for (std::size_t t2 = 0; t2 < T; ++t2) {
        t1 -= ycbo_[t2] * CC[t2];
        t2v -= CC[t2] * CC[t2];
      }
      if (newform) {
        t1 -= ycbo_c * CCc;
        t2v -= CCc * CCc;
      }
      double delta = 0.0;
      if (weighted_) {
        // earth's weighted search: a QR fit per knot, the hinge dropped when
        // dependent (rank tolerance 1e-8), a knot kept if it lowers the RSS by
        // more than 1e-10, no upper limit on the decrease
        if (t2v > 0.0 && t2v >= 1e-16 * cc) delta = t1 * t1 / t2v;
        const double total = s.lin + delta;
        if (total > s.pair + 1e-10) {
          s.pair = total;
          s.best_case = static_cast<int>(pos);
        }
        return;
      }
      if (t2v / cc > tol) delta = t1 * t1 / t2v;
      const double total = s.lin + delta;
      if (total > s.pair && total < max_legal) {
        s.pair = total;
        s.best_case = static_cast<int>(pos);
      }
    };
    for (long pos = static_cast<long>(n_) - 2; pos >= endspan; --pos) {
      const int k1 = ord[pos + 1];
      const double b1 = b[k1];
      if (b1 == 0.0) continue;
      const double x1 = xj[k1];
      const double x0 = xj[ord[pos]];
      shift(x1);
      // add case k1 (its hinge is zero at knot x1)
      const double* row = qc + static_cast<std::size_t>(k1) * M_;
      const double d = x1 - x0;
      double* S0p = S0.data();
      double* CCp = CC.data();
#ifdef STATLEARN_X86
      if (avx2_) {
        if (d != 0.0) scan_update_avx2(S0p, CCp, row, b1, d, T);
        else scan_add_avx2(S0p, row, b1, T);
      } else
#endif
      if (d != 0.0) {
        scan_update_portable(S0p, CCp, row, b1, d, T);
      } else {
        for (std::size_t t2 = 0; t2 < T; ++t2) S0p[t2] += row[t2] * b1;
      }
      if (newform && !newform_zero) {
        double d0 = 0.0, d1 = 0.0;
        int t = 0;
        for (; t + 1 < nterms; t += 2) {
          d0 += bt[t] * row[t];
          d1 += bt[t + 1] * row[t + 1];
        }
        if (t < nterms) d0 += bt[t] * row[t];
        const double rk = (xj[k1] * b[k1] - (d0 + d1) - shift_mean) / len;
        S0c += (rk - rc_shift) * b1;
      }
      sb += b1;
      sbb += b1 * b1;
      sbx += b1 * x1;
      sbbx += b1 * b1 * x1;
      ysum += (yw_[k1] - ybar_) * b1;
      if (d != 0.0) {
        const double hu = sbx - sb * knot, ht = sbx - sb * x0;
        double hh = d * (2.0 * sbbx - sbb * (knot + x0));
        if (center_) hh += (hu * hu - ht * ht) * inv_n;
        cc += hh;
        CCc += d * S0c;
        yh += d * ysum;
        knot = x0;
      }
      if (b1 > 0 && (weighted_ || cc > 0) && --span == 0) {
        span = minspan;
        evaluate(pos);
      }
      if (x0 == xbot) {
        // Every remaining knot equals x0: the hinge, its inner products and
        // so its RSS decrease no longer change, and only a strict improvement
        // counts. Find where the next evaluation would fall (if any), make
        // it, and stop.
        if (weighted_ || cc > 0) {
          for (long q = pos - 1; q >= endspan; --q) {
            if (b[ord[q + 1]] > 0 && --span == 0) {
              evaluate(q);
              break;
            }
          }
        }
        break;
      }
    }
    return s;
  }

  void find_term(int nterms, double max_legal, int& best_case, int& best_pred, int& best_parent,
                 double& best_delta, bool& best_newform, bool& linbest) {
    best_case = -1;
    best_delta = 0.0;
    linbest = false;
    best_newform = false;
    const int nparents = std::min(nq_, fast_k_);
    std::vector<pred_scan> scans(p_);
    for (int qi = 0; qi < nparents; ++qi) {
      const int parent = sorted_[qi].parent;
      if (degree_[parent] >= o_.degree) continue;
      int minspan, endspan, startspan;
      span_params(degree_[parent] + 1, parent, minspan, endspan, startspan);
      std::vector<int> nz;
      const double* bp = &bx_[static_cast<std::size_t>(parent) * n_];
      for (std::size_t i = 0; i < n_; ++i)
        if (bp[i] != 0.0) nz.push_back(static_cast<int>(i));
      parallel_tasks(p_, o_.threads, [&](std::size_t j) {
        scans[j] = pred_scan();
        if (dirs_[static_cast<std::size_t>(parent) * p_ + j] != 0) return;
        std::vector<double> r(M_ + 1), S0(M_ + 1), CC(M_ + 1);
        scans[j] = scan(parent, static_cast<int>(j), nterms, max_legal, minspan, endspan, startspan,
                        nz, r, S0, CC);
      });
      if (hooks::aborted()) throw interrupted();
      double best_for_parent = -1.0;
      for (std::size_t j = 0; j < p_; ++j) {
        const pred_scan& s = scans[j];
        if (!s.tried) continue;
        if (s.newform0) {
          if (s.lin > best_for_parent) best_for_parent = s.lin;
          if (s.lin > best_delta) {
            best_delta = s.lin;
            linbest = true;
            best_case = 0;
            best_pred = static_cast<int>(j);
            best_parent = parent;
          }
        }
        if (s.pair > best_for_parent) best_for_parent = s.pair;
        if (s.pair > best_delta) {
          best_delta = s.pair;
          linbest = false;
          best_case = s.best_case;
          best_pred = static_cast<int>(j);
          best_parent = parent;
          best_newform = s.newform;
        }
      }
      queue_[parent].nterms_for = nterms;
      queue_[parent].rss_delta = best_for_parent;
    }
  }

  void add_term_pair(int nterms, int parent, int best_case, int pred, bool linbest, bool& newform) {
    const int t1 = nterms + 1;
    for (std::size_t j = 0; j < p_; ++j) {
      dirs_[nterms * p_ + j] = dirs_[t1 * p_ + j] = dirs_[parent * p_ + j];
      cuts_[nterms * p_ + j] = cuts_[t1 * p_ + j] = cuts_[parent * p_ + j];
    }
    degree_[nterms] = degree_[t1] = degree_[parent] + 1;
    dirs_[nterms * p_ + pred] = linbest ? 2 : 1;
    dirs_[t1 * p_ + pred] = -1;
    const int* ord = &order_[static_cast<std::size_t>(pred) * n_];
    const double cut = xv(ord[best_case], pred);
    cuts_[nterms * p_ + pred] = cuts_[t1 * p_ + pred] = cut;
    double* c0 = &bx_[static_cast<std::size_t>(nterms) * n_];
    double* c1 = &bx_[static_cast<std::size_t>(t1) * n_];
    const double* b = &bx_[static_cast<std::size_t>(parent) * n_];
    std::fill(c0, c0 + n_, 0.0);
    std::fill(c1, c1 + n_, 0.0);
    if (linbest) {
      for (std::size_t i = 0; i < n_; ++i) c0[i] = b[i] * xv(i, pred);
    } else {
      for (std::size_t r = 0; r < n_; ++r) {
        const int k = ord[r];
        const double xi = xv(k, pred);
        if (static_cast<long>(r) > best_case) c0[k] = b[k] * (xi - cut);
        else c1[k] = b[k] * (cut - xi);
      }
    }
    used_[nterms] = 1;
    span_[nterms] = 1;
    add_q_column(nterms);
    if (!linbest && newform) used_[t1] = 1;
    if (used_[t1]) {
      const bool good = add_q_column(t1);
      span_[t1] = 1;
      if (weighted_ && !good) {
        newform = false;
        used_[t1] = 0;
        span_[t1] = independent_last();
      }
    } else if (weighted_ && !linbest) {
      // earth's weighted search regresses on every column built so far,
      // including a partner left out of the model, unless it is dependent
      add_q_column(t1);
      span_[t1] = independent_last();
    }
    if (!used_[t1]) degree_[t1] = 101;
    if (!span_[t1]) {
      double* q1 = &q_[static_cast<std::size_t>(t1) * n_];
      std::fill(q1, q1 + n_, 0.0);
      qmean_[t1] = 0.0;
      sync_centered(t1);
      ycbo_[t1] = 0.0;
    }
  }

  // weighted: the last column added passes the QR rank tolerance (1e-8)
  int independent_last() const { return last_ss_ > 0.0 && last_ss_ >= 1e-16 * last_raw_; }

  bool add_q_column(int slot) {
    double* qs = &q_[static_cast<std::size_t>(slot) * n_];
    std::copy(&bx_[static_cast<std::size_t>(slot) * n_], &bx_[static_cast<std::size_t>(slot) * n_] + n_, qs);
    last_raw_ = 0.0;
    for (std::size_t i = 0; i < n_; ++i) last_raw_ += qs[i] * qs[i];
    double m = 0.0;
    const bool good = make_q_column(qs, slot, nullptr, false, m);
    qmean_[slot] = m;
    sync_centered(slot);
    ycbo_[slot] = ycbo_of(qs);
    return good;
  }
};

}  // namespace mars_detail

// x: n x p column-major; y: response (already scaled as the caller wishes);
// w: case weights or empty.
inline mars_forward_result mars_forward(const double* x, std::size_t n, std::size_t p,
                                        const std::vector<double>& y, const std::vector<double>& w,
                                        const mars_options& o) {
  mars_detail::forward_pass fp(x, n, p, y, w, o);
  mars_forward_result r;
  with_threads(o.threads, [&] { r = fp.run(); });
  return r;
}

struct mars_backward_result {
  std::vector<double> rss;   // rss[k-1]: RSS of the best subset of size k found
  std::vector<int> terms;    // T x T row-major: row k-1 holds the k term indices (0-based), rest -1
};

// Backward elimination with column 0 forced in (Miller 2002, as leaps's
// backward method). B: n x T column-major.
inline mars_backward_result mars_backward(const double* B, std::size_t n, std::size_t T,
                                          const double* y) {
  // Householder QR of [B y], keeping R (upper triangular, (T+1) x (T+1)).
  const std::size_t m = T + 1;
  std::vector<double> A(n * m);
  std::copy(B, B + n * T, A.begin());
  std::copy(y, y + n, A.begin() + n * T);
  const std::size_t kmax = std::min(n, m);
  for (std::size_t k = 0; k < kmax; ++k) {
    double* a = &A[k * n];
    double norm = 0.0;
    for (std::size_t i = k; i < n; ++i) norm += a[i] * a[i];
    norm = std::sqrt(norm);
    if (norm == 0.0) continue;
    const double alpha = a[k] > 0 ? -norm : norm;
    a[k] -= alpha;  // v = a - alpha e_k (stored in a[k..n))
    double vv = 0.0;
    for (std::size_t i = k; i < n; ++i) vv += a[i] * a[i];
    for (std::size_t c = k + 1; c < m; ++c) {
      double* ac = &A[c * n];
      double s = 0.0;
      for (std::size_t i = k; i < n; ++i) s += a[i] * ac[i];
      const double f = 2.0 * s / vv;
      for (std::size_t i = k; i < n; ++i) ac[i] -= f * a[i];
    }
    a[k] = alpha;
    for (std::size_t i = k + 1; i < n; ++i) a[i] = 0.0;
  }
  // R as a dense (m x m) row-major upper triangle, the response in column T.
  std::vector<double> R(m * m, 0.0);
  for (std::size_t c = 0; c < m; ++c)
    for (std::size_t r = 0; r <= std::min(c, kmax - 1); ++r) R[r * m + c] = A[c * n + r];
  double rss_full = 0.0;
  for (std::size_t i = T; i < n; ++i) rss_full += A[T * n + i] * A[T * n + i];
  std::vector<int> ord(T);
  std::iota(ord.begin(), ord.end(), 0);
  // RSS of the model made of the first `size` columns in the current order
  auto prefix_rss = [&](std::size_t size) {
    double s = rss_full;
    for (std::size_t l = T; l-- > size;) s += R[l * m + T] * R[l * m + T];
    return s;
  };
  mars_backward_result out;
  out.rss.assign(T, 0.0);
  out.terms.assign(T * T, -1);
  auto report = [&](std::size_t size, bool force) {
    const double s = prefix_rss(size);
    if (!force && !(s < out.rss[size - 1])) return;
    out.rss[size - 1] = s;
    for (std::size_t i = 0; i < size; ++i) out.terms[(size - 1) * T + i] = ord[i];
  };
  for (std::size_t size = 1; size <= T; ++size) report(size, true);
  std::vector<double> Rinv;
  // Miller's backward elimination (as in leaps::leaps.backward): the term whose
  // removal from the first c terms increases the RSS least moves to position
  // c; every leading subset is a candidate for the best subset of its size.
  for (std::size_t c = T; c >= 3; --c) {
    Rinv.assign(c * c, 0.0);
    for (std::size_t col = 0; col < c; ++col) {
      for (std::size_t rr = col + 1; rr-- > 0;) {
        double s = (rr == col) ? 1.0 : 0.0;
        for (std::size_t l = rr + 1; l <= col; ++l) s -= R[rr * m + l] * Rinv[l * c + col];
        const double d = R[rr * m + rr];
        Rinv[rr * c + col] = d != 0.0 ? s / d : 0.0;
      }
    }
    std::size_t jmin = 0;
    double smin = std::numeric_limits<double>::infinity();
    for (std::size_t j = 1; j < c; ++j) {
      double bj = 0.0, vj = 0.0;
      for (std::size_t l = j; l < c; ++l) {
        bj += Rinv[j * c + l] * R[l * m + T];
        vj += Rinv[j * c + l] * Rinv[j * c + l];
      }
      const double inc = (vj > 0 && std::isfinite(vj)) ? bj * bj / vj : 0.0;
      if (inc < smin) {
        smin = inc;
        jmin = j;
      }
    }
    if (jmin + 1 >= c) continue;
    // move column jmin to position c - 1, then restore the triangle by Givens
    const std::size_t last = c - 1;
    for (std::size_t r = 0; r < m; ++r) {
      const double v = R[r * m + jmin];
      for (std::size_t col = jmin; col < last; ++col) R[r * m + col] = R[r * m + col + 1];
      R[r * m + last] = v;
    }
    const int moved = ord[jmin];
    for (std::size_t col = jmin; col < last; ++col) ord[col] = ord[col + 1];
    ord[last] = moved;
    for (std::size_t r = jmin; r < last; ++r) {
      const double a = R[r * m + r], bb = R[(r + 1) * m + r];
      if (bb == 0.0) continue;
      const double h = std::hypot(a, bb);
      const double cs = a / h, sn = bb / h;
      for (std::size_t l = r; l < m; ++l) {
        const double u = R[r * m + l], v = R[(r + 1) * m + l];
        R[r * m + l] = cs * u + sn * v;
        R[(r + 1) * m + l] = -sn * u + cs * v;
      }
      R[(r + 1) * m + r] = 0.0;
    }
    for (std::size_t size = jmin + 1; size <= last; ++size) report(size, false);
  }
  return out;
}

}  // namespace statlearn

#endif
