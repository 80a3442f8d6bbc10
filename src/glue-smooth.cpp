// Glue for smoothing splines (ESL 5.4-5.5): converts R vectors, calls
// statlearn/smooth/smoothing_spline.h.
#include <Rcpp.h>
#include "statlearn/smooth/smoothing_spline.h"

// The data on the distinct x (scaled to [0, 1]) and the knots. mode: 0 the
// given lambda (on the [0, 1] scale), 1 the lambda of the given df, 2 the
// lambda minimising GCV, 3 the lambda minimising leave-one-out CV.
// obs_knot is 1-based.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_smoothing_spline(const Rcpp::NumericVector& x, const Rcpp::NumericVector& ybar,
                                const Rcpp::NumericVector& W, double pure_ss,
                                const Rcpp::IntegerVector& obs_knot, const Rcpp::NumericVector& obs_y,
                                const Rcpp::NumericVector& obs_w, const Rcpp::NumericVector& knots,
                                int mode, double value) {
  statlearn::spline_data d;
  d.x.assign(x.begin(), x.end());
  d.ybar.assign(ybar.begin(), ybar.end());
  d.W.assign(W.begin(), W.end());
  d.pure_ss = pure_ss;
  d.obs_knot.resize(obs_knot.size());
  for (R_xlen_t i = 0; i < obs_knot.size(); ++i) d.obs_knot[i] = static_cast<std::size_t>(obs_knot[i] - 1);
  d.obs_y.assign(obs_y.begin(), obs_y.end());
  d.obs_w.assign(obs_w.begin(), obs_w.end());
  for (double w : d.obs_w) {
    if (w > 0.0) {
      d.n_obs += 1.0;
      d.w_total += w;
    }
  }
  d.knots.assign(knots.begin(), knots.end());
  statlearn::spline_fit f;
  if (mode == 0) {
    f = statlearn::smoothing_spline_fit(d, statlearn::spline_detail::make_system(d), value);
  } else if (mode == 1) {
    f = statlearn::smoothing_spline_df(d, value);
  } else {
    f = statlearn::smoothing_spline_select(d, mode == 2 ? 0 : 1);
  }
  return Rcpp::List::create(
      Rcpp::Named("lambda") = f.lambda, Rcpp::Named("df") = f.df, Rcpp::Named("rss") = f.rss,
      Rcpp::Named("gcv") = f.gcv, Rcpp::Named("loo") = f.loo,
      Rcpp::Named("coef") = Rcpp::NumericVector(f.coef.begin(), f.coef.end()),
      Rcpp::Named("fitted") = Rcpp::NumericVector(f.fitted.begin(), f.fitted.end()),
      Rcpp::Named("leverage") = Rcpp::NumericVector(f.leverage.begin(), f.leverage.end()),
      Rcpp::Named("pivots_ok") = f.pivots_ok);
}

// The fitted spline (knots and coefficients on the [0, 1] scale) or its
// derivative of order deriv (on that scale) at x (also on that scale).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_smoothing_spline_eval(const Rcpp::NumericVector& knots, const Rcpp::NumericVector& coef,
                                              const Rcpp::NumericVector& x, int deriv) {
  const std::vector<double> kk(knots.begin(), knots.end()), cc(coef.begin(), coef.end());
  const statlearn::spline_evaluator f(kk, cc);
  Rcpp::NumericVector out(x.size());
  for (R_xlen_t i = 0; i < x.size(); ++i) out[i] = ISNAN(x[i]) ? NA_REAL : f(x[i], deriv);
  return out;
}

// The distinct x of the observations (given in increasing order by the
// 1-based `order`), x within tol of each other being one: their x, summed
// weights, weighted mean responses, each observation's group (1-based) and
// the pure-error sum of squares.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_smoothing_spline_groups(const Rcpp::NumericVector& x, const Rcpp::NumericVector& y,
                                       const Rcpp::NumericVector& w, const Rcpp::IntegerVector& order,
                                       double centre, double tol) {
  const std::size_t n = static_cast<std::size_t>(x.size());
  std::vector<int> o(order.begin(), order.end());
  for (int& i : o) --i;
  const statlearn::spline_groups g = statlearn::spline_group(x.begin(), y.begin(), w.begin(), o.data(), n, centre, tol);
  return Rcpp::List::create(
      Rcpp::Named("x") = Rcpp::NumericVector(g.x.begin(), g.x.end()),
      Rcpp::Named("W") = Rcpp::NumericVector(g.W.begin(), g.W.end()),
      Rcpp::Named("ybar") = Rcpp::NumericVector(g.ybar.begin(), g.ybar.end()),
      Rcpp::Named("group") = Rcpp::IntegerVector(g.group.begin(), g.group.end()),
      Rcpp::Named("pure_ss") = g.pure_ss);
}
