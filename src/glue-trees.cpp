// Glue for classification and regression trees (ESL 9.2): converts R data,
// calls statlearn/trees/cart.h, returns the tree as plain matrices.
#include <Rcpp.h>
#include <unordered_map>
#include <cmath>
#include "statlearn/trees/cart.h"
#include "statlearn/common/parallel.h"
#include "host.h"

namespace {
void preorder(const std::vector<statlearn::cart::node>& nodes, int i, double alpha,
              std::vector<int>& order) {
  order.push_back(i);
  const auto& me = nodes[i];
  if (me.left >= 0 && me.complexity > alpha) {
    preorder(nodes, me.left, alpha, order);
    preorder(nodes, me.right, alpha, order);
  }
}
}  // namespace

// x: numeric matrix or list of double columns (NaN/NA = missing); ncat: 0 or
// number of levels per column; y: response (class codes 1..K); control:
// min_split, min_bucket, cp, max_compete, max_surrogate, use_surrogate,
// surrogate_style, max_depth; xgroups: fold ids 1..nfold (length n) or empty.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cart_fit(SEXP x, const Rcpp::IntegerVector& ncat, const Rcpp::NumericVector& y,
                        const Rcpp::NumericVector& wt, int method, int nclass,
                        const Rcpp::NumericVector& prior, const Rcpp::NumericVector& loss,
                        int impurity, const Rcpp::NumericVector& control,
                        const Rcpp::IntegerVector& xgroups, int nfold, int threads) {
  statlearn_host::begin();
  statlearn::cart::data d;
  d.x = statlearn_host::design_columns(x, d.n);
  d.p = d.x.size();
  d.ncat.assign(ncat.begin(), ncat.end());
  d.y = y.begin();
  d.wt = wt.begin();
  statlearn::cart::options o;
  o.method = method;
  o.nclass = nclass;
  o.prior.assign(prior.begin(), prior.end());
  o.loss.assign(loss.begin(), loss.end());
  o.impurity = impurity;
  o.min_split = static_cast<int>(control[0]);
  o.min_bucket = static_cast<int>(control[1]);
  o.cp = control[2];
  o.max_compete = static_cast<int>(control[3]);
  o.max_surrogate = static_cast<int>(control[4]);
  o.use_surrogate = static_cast<int>(control[5]);
  o.surrogate_style = static_cast<int>(control[6]);
  o.max_depth = static_cast<int>(control[7]);
  o.threads = threads;
  const int* xg = (nfold > 1 && xgroups.size() == static_cast<R_xlen_t>(d.n)) ? xgroups.begin() : nullptr;
  statlearn::cart::result r = statlearn_host::interruptible_call([&] {
    statlearn::cart::result out;
    statlearn::interruptible([&] { out = statlearn::cart::fit(d, o, xg, xg ? nfold : 0); });
    return out;
  });
  const auto& nodes = r.nodes;
  const double scale = 1 / nodes[0].risk;
  std::vector<int> order;
  preorder(nodes, 0, r.alpha, order);
  const int nn = static_cast<int>(order.size());
  const int nresp = static_cast<int>(nodes[0].resp.size());
  int nsplit = 0, ncs = 0, maxcat = 0;
  for (int c : d.ncat) maxcat = std::max(maxcat, c);
  for (int i : order) {
    const auto& me = nodes[i];
    if (me.left >= 0 && me.complexity > r.alpha) {
      nsplit += static_cast<int>(me.primary.size() + me.surrogate.size());
      for (const auto& s : me.primary) ncs += d.ncat[s.var] > 0;
      for (const auto& s : me.surrogate) ncs += d.ncat[s.var] > 0;
    }
  }
  Rcpp::NumericVector node_id(nn), node_n(nn), node_wt(nn), node_dev(nn), node_cp(nn);
  Rcpp::IntegerVector node_index(nn), node_npri(nn), node_nsur(nn);
  Rcpp::NumericMatrix node_resp(nn, nresp);
  Rcpp::IntegerVector s_var(nsplit), s_count(nsplit), s_ncat(nsplit);
  Rcpp::NumericVector s_improve(nsplit), s_index(nsplit), s_adj(nsplit);
  Rcpp::IntegerMatrix cs(ncs, std::max(maxcat, 1));
  int sc = 0, cc = 0;
  for (int k = 0; k < nn; ++k) {
    const auto& me = nodes[order[k]];
    node_id[k] = static_cast<double>(me.id);
    node_n[k] = me.num_obs;
    node_wt[k] = me.sum_wt;
    node_dev[k] = me.risk;
    node_cp[k] = me.complexity * scale;
    for (int j = 0; j < nresp; ++j) node_resp(k, j) = me.resp[j];
    if (me.left >= 0 && me.complexity > r.alpha) {
      node_index[k] = sc + 1;
      node_npri[k] = static_cast<int>(me.primary.size());
      node_nsur[k] = static_cast<int>(me.surrogate.size());
      auto put = [&](const statlearn::cart::split& s) {
        s_var[sc] = s.var + 1;
        s_count[sc] = s.count;
        s_improve[sc] = s.improve;
        s_adj[sc] = s.adj;
        const int nc = d.ncat[s.var];
        if (nc == 0) {
          s_ncat[sc] = s.csplit[0];
          s_index[sc] = s.spoint;
        } else {
          s_ncat[sc] = nc;
          s_index[sc] = cc + 1;
          for (int j = 0; j < nc; ++j) cs(cc, j) = s.csplit[j];
          ++cc;
        }
        ++sc;
      };
      for (const auto& s : me.primary) put(s);
      for (const auto& s : me.surrogate) put(s);
    }
  }
  const int ncp = static_cast<int>(r.cptable.size());
  Rcpp::NumericMatrix cpt(ncp, r.xval ? 5 : 3);
  for (int i = 0; i < ncp; ++i) {
    cpt(i, 0) = r.cptable[i].cp * scale;
    cpt(i, 1) = r.cptable[i].nsplit;
    cpt(i, 2) = r.cptable[i].risk * scale;
    if (r.xval) {
      cpt(i, 3) = r.cptable[i].xrisk * scale;
      cpt(i, 4) = r.cptable[i].xstd * scale;
    }
  }
  Rcpp::NumericVector which(r.which.begin(), r.which.end());
  return Rcpp::List::create(
      Rcpp::Named("node") = node_id, Rcpp::Named("n") = node_n, Rcpp::Named("wt") = node_wt,
      Rcpp::Named("dev") = node_dev, Rcpp::Named("complexity") = node_cp,
      Rcpp::Named("resp") = node_resp, Rcpp::Named("index") = node_index,
      Rcpp::Named("nprimary") = node_npri, Rcpp::Named("nsurrogate") = node_nsur,
      Rcpp::Named("split_var") = s_var, Rcpp::Named("split_count") = s_count,
      Rcpp::Named("split_ncat") = s_ncat, Rcpp::Named("split_improve") = s_improve,
      Rcpp::Named("split_index") = s_index, Rcpp::Named("split_adj") = s_adj,
      Rcpp::Named("csplit") = cs, Rcpp::Named("cptable") = cpt, Rcpp::Named("which") = which);
}

// Row of the node table each observation of x ends in. nodes: node ids,
// n, split index (1-based, 0 for leaves), ncompete, nsurrogate.
// [[Rcpp::export(rng = false)]]
Rcpp::IntegerVector cpp_cart_where(SEXP x, const Rcpp::IntegerVector& ncat,
                                   const Rcpp::NumericVector& node_id,
                                   const Rcpp::IntegerVector& node_n,
                                   const Rcpp::IntegerVector& index,
                                   const Rcpp::IntegerVector& ncompete,
                                   const Rcpp::IntegerVector& nsurrogate,
                                   const Rcpp::IntegerVector& split_var,
                                   const Rcpp::IntegerVector& split_ncat,
                                   const Rcpp::NumericVector& split_index,
                                   const Rcpp::IntegerMatrix& csplit, int use_surrogate) {
  std::size_t n = 0;
  const std::vector<const double*> cols = statlearn_host::design_columns(x, n);
  const int nn = node_id.size();
  std::unordered_map<long long, int> pos;
  for (int k = 0; k < nn; ++k) pos[static_cast<long long>(node_id[k])] = k;
  Rcpp::IntegerVector where(n);
  auto direction = [&](int s, std::size_t i, int& dir) -> bool {
    const int var = split_var[s] - 1;
    const double v = cols[var][i];
    if (std::isnan(v)) return false;
    if (split_ncat[s] >= 2 && ncat[var] > 0) {
      dir = csplit(static_cast<int>(split_index[s]) - 1, static_cast<int>(v) - 1);
    } else {
      dir = v < split_index[s] ? split_ncat[s] : -split_ncat[s];
    }
    return dir != 0;
  };
  for (std::size_t i = 0; i < n; ++i) {
    long long node = 1;
    int k = pos[node];
    while (index[k] > 0) {
      int dir = 0;
      const int s0 = index[k] - 1;
      bool ok = direction(s0, i, dir);
      if (!ok && use_surrogate > 0) {
        for (int j = 0; j < nsurrogate[k] && !ok; ++j)
          ok = direction(s0 + 1 + ncompete[k] + j, i, dir);
      }
      if (!ok && use_surrogate > 1) {
        const int l = node_n[pos[2 * node]], r = node_n[pos[2 * node + 1]];
        if (l != r) {
          dir = l > r ? -1 : 1;
          ok = true;
        }
      }
      if (!ok) break;
      node = dir == -1 ? 2 * node : 2 * node + 1;
      k = pos[node];
    }
    where[i] = k + 1;
  }
  return where;
}
