// C++ unit tests of the smoothing-spline core (smooth/smoothing_spline.h),
// run by tests/testthat/test-cpp.R.
#include <cmath>
#include <vector>
#include "statlearn/common/rng.h"
#include "statlearn/smooth/smoothing_spline.h"
#include "unit-test.h"

namespace {
// n observations on m distinct x in [0, 1], uneven weights, a response with
// a large mean; knots every third distinct x (thinned) or all of them.
statlearn::spline_data spline_example(std::size_t m, bool thin, double mean) {
  statlearn::stream rs(17, 0);
  statlearn::spline_data d;
  for (std::size_t k = 0; k < m; ++k) d.x.push_back(static_cast<double>(k) / (m - 1) + (k > 0 && k + 1 < m ? 0.2 / m * (rs.uniform() - 0.5) : 0.0));
  for (std::size_t k = 0; k < m; ++k) {
    const int reps = 1 + static_cast<int>(k % 3);
    double sw = 0.0, swy = 0.0;
    std::vector<double> ys, ws;
    for (int r = 0; r < reps; ++r) {
      const double w = 0.5 + rs.uniform();
      const double y = mean + std::sin(8.0 * d.x[k]) + 0.3 * rs.normal();
      ys.push_back(y);
      ws.push_back(w);
      sw += w;
      swy += w * y;
    }
    d.W.push_back(sw);
    d.ybar.push_back(swy / sw);
    for (int r = 0; r < reps; ++r) {
      d.obs_knot.push_back(k);
      d.obs_y.push_back(ys[r]);
      d.obs_w.push_back(ws[r]);
      d.pure_ss += ws[r] * (ys[r] - swy / sw) * (ys[r] - swy / sw);
      d.n_obs += 1.0;
      d.w_total += ws[r];
    }
  }
  for (std::size_t k = 0; k < m; ++k)
    if (!thin || k % 3 == 0 || k + 1 == m) d.knots.push_back(d.x[k]);
  return d;
}
}  // namespace

UNIT_TEST("core: smoothing spline",
          "df, RSS and GCV without a pass over the data equal those of the full fit") {
  for (int thin = 0; thin <= 1; ++thin) {
    for (double mean : {0.0, 1e3}) {
      const statlearn::spline_data d = spline_example(120, thin == 1, mean);
      const statlearn::spline_detail::system s = statlearn::spline_detail::make_system(d);
      statlearn::spline_workspace w;
      bool ok = true;
      for (double lambda : {1e-9, 1e-6, 1e-4, 1e-2, 1.0}) {
        const statlearn::spline_fit f = statlearn::smoothing_spline_fit(d, s, lambda);
        const statlearn::spline_criteria c = statlearn::smoothing_spline_criteria(d, s, lambda, w);
        ok = ok && std::fabs(c.df - f.df) < 1e-10 * f.df;
        ok = ok && std::fabs(c.rss - f.rss) < 1e-11 * f.rss;
        ok = ok && std::fabs(c.gcv - f.gcv) < 1e-11 * f.gcv;
      }
      UNIT_EXPECT(ok);
    }
  }
}

UNIT_TEST("core: smoothing spline", "the grouping of x within tol gives sums and means by group") {
  const std::vector<double> x = {0.30, 0.10, 0.1000001, 0.70, 0.30}, y = {1, 2, 4, 5, 3}, w = {1, 1, 3, 2, 1};
  const std::vector<int> order = {1, 2, 0, 4, 3};
  const statlearn::spline_groups g = statlearn::spline_group(x.data(), y.data(), w.data(), order.data(), 5, 0.3, 1e-3);
  UNIT_EXPECT(g.x.size() == 3);
  UNIT_EXPECT(g.W[0] == 4.0 && g.W[1] == 2.0 && g.W[2] == 2.0);
  UNIT_EXPECT(std::fabs(g.ybar[0] - 3.5) < 1e-15 && std::fabs(g.ybar[1] - 2.0) < 1e-15);
  UNIT_EXPECT(g.group[0] == 2 && g.group[1] == 1 && g.group[2] == 1 && g.group[3] == 3 && g.group[4] == 2);
  // pure error: group 1 (2 with w 1, 4 with w 3, mean 3.5): 2.25 + 0.75; group 2 (1, 3): 1 + 1
  UNIT_EXPECT(std::fabs(g.pure_ss - 5.0) < 1e-12);
}
