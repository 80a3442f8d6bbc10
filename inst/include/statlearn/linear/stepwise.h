// statlearn/linear/stepwise.h -- forward, backward and bidirectional stepwise
// selection for least squares (ESL section 3.3.2), on the scaled Gram matrix of
// best_subset.h.
//
// The working matrix is the augmented cross-product matrix [G c; c' 1] under
// the sweep operator: after sweeping the variables in the model, an unswept
// variable j has residual cross-products A[j,j], A[j,y] (adding it lowers RSS
// by A[j,y]^2 / A[j,j]) and a swept one has A[j,j] = -(G_SS^-1)_jj and
// A[j,y] = its coefficient (dropping it raises RSS by A[j,y]^2 / -A[j,j]).
// Each accepted model's RSS is then recomputed from scratch by Cholesky, so
// the sweep only ranks the candidates.
#ifndef STATLEARN_STEPWISE_H
#define STATLEARN_STEPWISE_H

#include <cmath>
#include <limits>
#include <vector>

#include "statlearn/linear/best_subset.h"
#include "statlearn/common/hooks.h"

namespace statlearn {
namespace subset {

enum class step_direction { forward = 0, backward = 1, both = 2 };
enum class step_criterion { penalized = 0, f_test = 1, rss = 2 };

struct stepwise_settings {
  step_direction direction = step_direction::forward;
  step_criterion criterion = step_criterion::penalized;
  double penalty = 2.0;           // AIC: 2, BIC: log(n)
  double n = 0.0;                 // number of observations (for the criterion and F)
  std::vector<double> f_enter;    // critical F to enter, indexed by the new size
  std::vector<double> f_remove;   // critical F to remove, indexed by the current size
  int max_size = 0;
  int max_steps = 1000;
  double collinear_tol = 1e-10;
};

struct stepwise_record {
  int action = 0;                 // 0 start, +1 added, -1 dropped
  int variable = -1;
  double rss = 1.0;               // scaled RSS of the model after the step
  double stat = 0.0;              // criterion value (AIC/BIC), or the F statistic
  std::vector<char> in;           // membership after the step
};

class sweeper {
 public:
  explicit sweeper(const gram& g) : p_(g.p), d_(g.p + 1), A_(static_cast<std::size_t>(d_) * d_) {
    for (int j = 0; j < p_; ++j) {
      for (int k = 0; k < p_; ++k) at(j, k) = g.at(j, k);
      at(j, p_) = g.c[j];
      at(p_, j) = g.c[j];
    }
    at(p_, p_) = 1.0;
  }
  double& at(int i, int j) { return A_[static_cast<std::size_t>(j) * d_ + i]; }
  double rss() { return at(p_, p_); }
  // Fall in RSS from adding unswept j (NaN if collinear with the model).
  double add_gain(int j, double tol) {
    const double d = at(j, j);
    if (!(d > tol)) return std::numeric_limits<double>::quiet_NaN();
    return at(j, p_) * at(j, p_) / d;
  }
  // Rise in RSS from dropping swept j.
  double drop_loss(int j) { return at(j, p_) * at(j, p_) / (-at(j, j)); }
  void sweep(int k, bool reverse) {
    const double D = at(k, k);
    for (int i = 0; i < d_; ++i) {
      if (i == k) continue;
      const double aik = at(i, k);
      if (aik == 0.0) continue;
      for (int j = 0; j < d_; ++j) {
        if (j == k) continue;
        at(i, j) -= aik * at(k, j) / D;
      }
    }
    const double s = reverse ? -1.0 : 1.0;
    for (int i = 0; i < d_; ++i) {
      if (i == k) continue;
      at(i, k) = s * at(i, k) / D;
      at(k, i) = s * at(k, i) / D;
    }
    at(k, k) = -1.0 / D;
  }

 private:
  int p_, d_;
  std::vector<double> A_;
};

inline double model_rss(const gram& g, const std::vector<char>& in) {
  std::vector<int> idx;
  for (int j = 0; j < g.p; ++j) if (in[j]) idx.push_back(j);
  return subset_solve(g, idx, nullptr);
}

inline std::vector<stepwise_record> stepwise(const gram& g, const stepwise_settings& s) {
  const int p = g.p;
  const double tss = g.tss > 0.0 ? g.tss : 1.0;
  auto crit = [&](double rss, int size) {
    const double r = std::max(rss * tss, 1e-300);
    return s.n * std::log(r / s.n) + s.penalty * (size + 1);
  };
  sweeper sw(g);
  std::vector<char> in(p, 0);
  int size = 0;
  if (s.direction == step_direction::backward) {
    for (int j = 0; j < p; ++j) { sw.sweep(j, false); in[j] = 1; }
    size = p;
  }
  std::vector<stepwise_record> path;
  stepwise_record start;
  start.in = in;
  start.rss = model_rss(g, in);
  start.stat = s.criterion == step_criterion::penalized ? crit(start.rss, size) : 0.0;
  path.push_back(start);
  double cur_rss = start.rss;

  auto best_add = [&](int* jbest, double* rss_new) {
    double gain = -1.0;
    *jbest = -1;
    for (int j = 0; j < p; ++j) {
      if (in[j]) continue;
      const double gj = sw.add_gain(j, s.collinear_tol);
      if (std::isnan(gj)) continue;
      if (gj > gain) { gain = gj; *jbest = j; }
    }
    *rss_new = cur_rss - gain;
  };
  auto best_drop = [&](int* jbest, double* rss_new, int exclude) {
    double loss = std::numeric_limits<double>::infinity();
    *jbest = -1;
    for (int j = 0; j < p; ++j) {
      if (!in[j] || j == exclude) continue;
      const double lj = sw.drop_loss(j);
      if (lj < loss) { loss = lj; *jbest = j; }
    }
    *rss_new = cur_rss + loss;
  };
  auto commit = [&](int j, int action, double stat) {
    sw.sweep(j, action < 0);
    in[j] = action > 0 ? 1 : 0;
    size += action;
    stepwise_record rec;
    rec.action = action;
    rec.variable = j;
    rec.in = in;
    rec.rss = model_rss(g, in);
    rec.stat = s.criterion == step_criterion::penalized ? crit(rec.rss, size) : stat;
    cur_rss = rec.rss;
    path.push_back(rec);
  };
  auto f_add = [&](double rss_new, int new_size) {
    const double df = s.n - new_size - 1.0;
    if (df <= 0.0 || rss_new <= 0.0) return std::numeric_limits<double>::infinity();
    return (cur_rss - rss_new) / (rss_new / df);
  };
  auto f_drop = [&](double rss_new) {
    const double df = s.n - size - 1.0;
    if (df <= 0.0) return 0.0;
    if (cur_rss <= 0.0) return std::numeric_limits<double>::infinity();
    return (rss_new - cur_rss) / (cur_rss / df);
  };

  for (int step = 0; step < s.max_steps; ++step) {
    if ((step & 0xF) == 0) hooks::check_interrupt();
    int ja = -1, jd = -1;
    double ra = 0.0, rd = 0.0;
    const bool can_add = s.direction != step_direction::backward && size < s.max_size;
    const bool can_drop = s.direction != step_direction::forward && size > 0;
    if (can_add) best_add(&ja, &ra);
    if (can_drop) best_drop(&jd, &rd, -1);
    if (ja < 0 && jd < 0) break;
    if (s.criterion == step_criterion::rss) {
      if (s.direction == step_direction::forward && ja >= 0) { commit(ja, +1, 0.0); continue; }
      if (s.direction == step_direction::backward && jd >= 0) { commit(jd, -1, 0.0); continue; }
      break;
    }
    if (s.criterion == step_criterion::penalized) {
      const double now = crit(cur_rss, size);
      double best = now;
      int action = 0, var = -1;
      if (jd >= 0 && crit(rd, size - 1) < best) { best = crit(rd, size - 1); action = -1; var = jd; }
      if (ja >= 0 && crit(ra, size + 1) < best) { best = crit(ra, size + 1); action = +1; var = ja; }
      if (action == 0 || !(best < now - 1e-10 * std::max(1.0, std::fabs(now)))) break;
      commit(var, action, 0.0);
      continue;
    }
    // F tests.
    if (s.direction == step_direction::backward) {
      const double F = f_drop(rd);
      if (F < s.f_remove[size]) { commit(jd, -1, F); continue; }
      break;
    }
    if (ja < 0) break;
    const double F = f_add(ra, size + 1);
    if (!(F > s.f_enter[size + 1])) break;
    commit(ja, +1, F);
    if (s.direction == step_direction::both) {
      // After each entry, remove variables whose F-to-remove fell below the
      // threshold (never the one just added).
      while (size > 1 && static_cast<int>(path.size()) <= s.max_steps) {
        best_drop(&jd, &rd, ja);
        if (jd < 0) break;
        const double Fr = f_drop(rd);
        if (!(Fr < s.f_remove[size])) break;
        commit(jd, -1, Fr);
      }
    }
  }
  return path;
}

}  // namespace subset
}  // namespace statlearn

#endif
