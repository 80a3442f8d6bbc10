// Glue for subset selection (ESL 3.3) and forward stagewise (ESL 3.8.1).
#include <Rcpp.h>
#include <cmath>
#include <cstdint>
#include <vector>
#include "statlearn/linear/best_subset.h"
#include "statlearn/linear/stepwise.h"
#include "statlearn/linear/stagewise.h"
#include "host.h"

namespace ss = statlearn::subset;

namespace {
ss::gram gram_of(const Rcpp::NumericMatrix& x, const Rcpp::NumericVector& y, const Rcpp::NumericVector& w,
                 int threads = 1) {
  return ss::make_gram(x.begin(), y.begin(), w.begin(), x.nrow(), x.ncol(), threads);
}

// Coefficients (original scale) and intercepts of a list of subsets.
void coefficients(const ss::gram& g, const std::vector<std::vector<int>>& sets, Rcpp::NumericMatrix* beta,
                  Rcpp::NumericVector* a0) {
  const int p = g.p;
  *beta = Rcpp::NumericMatrix(p, static_cast<int>(sets.size()));
  *a0 = Rcpp::NumericVector(static_cast<int>(sets.size()));
  for (std::size_t k = 0; k < sets.size(); ++k) {
    std::vector<double> b;
    ss::subset_solve(g, sets[k], &b);
    (*a0)[k] = ss::original_scale(g, sets[k], b, &(*beta)(0, static_cast<int>(k)));
  }
}
}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_best_subset(const Rcpp::NumericMatrix& x, const Rcpp::NumericVector& y,
                           const Rcpp::NumericVector& w, int max_size, int nbest, int threads,
                           bool all_subsets) {
  statlearn_host::begin();
  const ss::gram g = gram_of(x, y, w, threads);
  const int dep = ss::first_dependent_column(g);
  if (dep >= 0) return Rcpp::List::create(Rcpp::Named("dependent") = dep + 1);
  const ss::search_result res = statlearn_host::interruptible_call(
      [&] { return ss::leaps_and_bounds(g, max_size, nbest, threads); });
  const double scale = g.tss > 0.0 ? g.ynorm * g.ynorm : 0.0;
  std::vector<int> size, rank;
  std::vector<double> rss;
  std::vector<std::vector<int>> sets;
  for (std::size_t t = 0; t < res.best.size(); ++t) {
    for (std::size_t r = 0; r < res.best[t].size(); ++r) {
      size.push_back(static_cast<int>(t));
      rank.push_back(static_cast<int>(r) + 1);
      rss.push_back(res.best[t][r].rss * scale);
      sets.push_back(ss::mask_indices(res.best[t][r].mask, g.p));
    }
  }
  Rcpp::LogicalMatrix which(static_cast<int>(sets.size()), g.p);
  for (std::size_t k = 0; k < sets.size(); ++k) {
    for (int j : sets[k]) which(static_cast<int>(k), j) = TRUE;
  }
  Rcpp::NumericMatrix beta;
  Rcpp::NumericVector a0;
  coefficients(g, sets, &beta, &a0);
  Rcpp::List out = Rcpp::List::create(
      Rcpp::Named("dependent") = 0, Rcpp::Named("size") = size, Rcpp::Named("rank") = rank,
      Rcpp::Named("rss") = rss, Rcpp::Named("which") = which, Rcpp::Named("beta") = beta,
      Rcpp::Named("a0") = a0, Rcpp::Named("tss") = g.tss,
      Rcpp::Named("nodes") = static_cast<double>(res.nodes));
  if (all_subsets) {
    std::vector<std::uint64_t> masks;
    std::vector<double> all_rss;
    ss::all_subsets(g, &masks, &all_rss);
    Rcpp::LogicalMatrix all_which(static_cast<int>(masks.size()), g.p);
    std::vector<int> all_size(masks.size());
    for (std::size_t k = 0; k < masks.size(); ++k) {
      all_rss[k] *= scale;
      int s = 0;
      for (int j = 0; j < g.p; ++j) {
        if ((masks[k] >> j) & 1ULL) { all_which(static_cast<int>(k), j) = TRUE; ++s; }
      }
      all_size[k] = s;
    }
    out["all_size"] = all_size;
    out["all_rss"] = all_rss;
    out["all_which"] = all_which;
  }
  return out;
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_stepwise(const Rcpp::NumericMatrix& x, const Rcpp::NumericVector& y,
                        const Rcpp::NumericVector& w, int direction, int criterion, double penalty,
                        double n, const std::vector<double>& f_enter, const std::vector<double>& f_remove,
                        int max_size, int max_steps, bool need_full_rank) {
  statlearn_host::begin();
  const ss::gram g = gram_of(x, y, w);
  if (need_full_rank) {
    const int dep = ss::first_dependent_column(g);
    if (dep >= 0) return Rcpp::List::create(Rcpp::Named("dependent") = dep + 1);
  }
  ss::stepwise_settings s;
  s.direction = static_cast<ss::step_direction>(direction);
  s.criterion = static_cast<ss::step_criterion>(criterion);
  s.penalty = penalty;
  s.n = n;
  s.f_enter = f_enter;
  s.f_remove = f_remove;
  s.max_size = max_size;
  s.max_steps = max_steps;
  const std::vector<ss::stepwise_record> path = ss::stepwise(g, s);
  const int G = static_cast<int>(path.size());
  std::vector<int> action(G), variable(G), size(G);
  std::vector<double> rss(G), stat(G);
  std::vector<std::vector<int>> sets(G);
  Rcpp::LogicalMatrix which(G, g.p);
  const double scale = g.tss > 0.0 ? g.ynorm * g.ynorm : 0.0;
  for (int k = 0; k < G; ++k) {
    action[k] = path[k].action;
    variable[k] = path[k].variable + 1;
    rss[k] = path[k].rss * scale;
    stat[k] = path[k].stat;
    for (int j = 0; j < g.p; ++j) {
      if (path[k].in[j]) { sets[k].push_back(j); which(k, j) = TRUE; }
    }
    size[k] = static_cast<int>(sets[k].size());
  }
  Rcpp::NumericMatrix beta;
  Rcpp::NumericVector a0;
  coefficients(g, sets, &beta, &a0);
  return Rcpp::List::create(
      Rcpp::Named("dependent") = 0, Rcpp::Named("action") = action, Rcpp::Named("variable") = variable,
      Rcpp::Named("size") = size, Rcpp::Named("rss") = rss, Rcpp::Named("stat") = stat,
      Rcpp::Named("which") = which, Rcpp::Named("beta") = beta, Rcpp::Named("a0") = a0,
      Rcpp::Named("tss") = g.tss);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_forward_stagewise(const Rcpp::NumericMatrix& x, const Rcpp::NumericVector& y,
                                 const Rcpp::NumericVector& w, double epsilon, int max_steps,
                                 bool standardize) {
  statlearn_host::begin();
  const ss::gram g = gram_of(x, y, w);
  const ss::stagewise_result res = ss::stagewise_fit(g, standardize, epsilon, max_steps);
  std::vector<int> variable(res.variable.size());
  for (std::size_t k = 0; k < variable.size(); ++k) variable[k] = res.variable[k] + 1;
  return Rcpp::List::create(
      Rcpp::Named("variable") = variable, Rcpp::Named("sign") = res.sign,
      Rcpp::Named("converged") = res.converged, Rcpp::Named("unit") = res.unit,
      Rcpp::Named("xbar") = g.xbar, Rcpp::Named("ybar") = g.ybar);
}
