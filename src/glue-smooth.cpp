// Glue for smoothing splines (ESL 5.4-5.5): converts R vectors, calls
// statlearn/smooth/smoothing_spline.h.
#include <Rcpp.h>
#include "statlearn/smooth/smoothing_spline.h"

// mode: 0 the given lambda, 1 the lambda of the given df, 2 the lambda
// minimising GCV, 3 the lambda minimising leave-one-out CV. obs_knot is
// 1-based.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_smoothing_spline(const Rcpp::NumericVector& t, const Rcpp::NumericVector& ybar,
                                const Rcpp::NumericVector& W, double pure_ss,
                                const Rcpp::IntegerVector& obs_knot, const Rcpp::NumericVector& obs_y,
                                const Rcpp::NumericVector& obs_w, int mode, double value) {
  statlearn::spline_knots d;
  d.t.assign(t.begin(), t.end());
  d.ybar.assign(ybar.begin(), ybar.end());
  d.W.assign(W.begin(), W.end());
  d.pure_ss = pure_ss;
  d.obs_knot.resize(obs_knot.size());
  for (R_xlen_t i = 0; i < obs_knot.size(); ++i) d.obs_knot[i] = static_cast<std::size_t>(obs_knot[i] - 1);
  d.obs_y.assign(obs_y.begin(), obs_y.end());
  d.obs_w.assign(obs_w.begin(), obs_w.end());
  d.n_obs = 0.0;
  for (double w : d.obs_w) d.n_obs += w > 0.0 ? 1.0 : 0.0;
  statlearn::spline_fit f;
  if (mode == 0) {
    f = statlearn::smoothing_spline_fit(d, statlearn::spline_detail::make_bands(d), value);
  } else if (mode == 1) {
    f = statlearn::smoothing_spline_df(d, value);
  } else {
    f = statlearn::smoothing_spline_select(d, mode == 2 ? 0 : 1);
  }
  return Rcpp::List::create(
      Rcpp::Named("lambda") = f.lambda, Rcpp::Named("df") = f.df, Rcpp::Named("rss") = f.rss,
      Rcpp::Named("gcv") = f.gcv, Rcpp::Named("loo") = f.loo,
      Rcpp::Named("g") = Rcpp::NumericVector(f.g.begin(), f.g.end()),
      Rcpp::Named("gamma") = Rcpp::NumericVector(f.gamma.begin(), f.gamma.end()),
      Rcpp::Named("leverage") = Rcpp::NumericVector(f.leverage.begin(), f.leverage.end()));
}

// The natural cubic spline with knots t, values g and second derivatives
// gamma (or its derivative of order deriv) at x.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_natural_spline_eval(const Rcpp::NumericVector& t, const Rcpp::NumericVector& g,
                                            const Rcpp::NumericVector& gamma, const Rcpp::NumericVector& x,
                                            int deriv) {
  const std::vector<double> tt(t.begin(), t.end()), gg(g.begin(), g.end()), cc(gamma.begin(), gamma.end());
  Rcpp::NumericVector out(x.size());
  for (R_xlen_t i = 0; i < x.size(); ++i) {
    out[i] = ISNAN(x[i]) ? NA_REAL : statlearn::natural_spline_value(tt, gg, cc, x[i], deriv);
  }
  return out;
}
