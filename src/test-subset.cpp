// C++ unit tests of the subset-selection core (best_subset.h, stepwise.h,
// stagewise.h), run by tests/testthat/test-cpp.R.
#include <cmath>
#include <cstdint>
#include <vector>
#include "statlearn/linear/best_subset.h"
#include "statlearn/common/rng.h"
#include "statlearn/linear/stepwise.h"
#include "unit-test.h"

namespace {
statlearn::subset::gram random_gram(int n, int p, std::uint64_t seed) {
  statlearn::stream rs(seed, 0);
  std::vector<double> x(static_cast<std::size_t>(n) * p), y(n), w(n, 1.0);
  for (auto& v : x) v = rs.normal();
  for (int i = 0; i < n; ++i) {
    y[i] = rs.normal();
    for (int j = 0; j < p; j += 2) y[i] += 0.3 * x[static_cast<std::size_t>(j) * n + i];
  }
  return statlearn::subset::make_gram(x.data(), y.data(), w.data(), n, p);
}
}  // namespace

UNIT_TEST("core: leaps and bounds",
          "the search finds the exhaustive minimum of every size, on 1 and 2 threads") {
  namespace ss = statlearn::subset;
  const ss::gram g = random_gram(60, 9, 7);
  std::vector<std::uint64_t> masks;
  std::vector<double> rss;
  ss::all_subsets(g, &masks, &rss);
  std::vector<double> best(10, 2.0);
  best[0] = 1.0;
  for (std::size_t k = 0; k < masks.size(); ++k) {
    int size = 0;
    for (int j = 0; j < 9; ++j) size += static_cast<int>((masks[k] >> j) & 1ULL);
    if (rss[k] < best[size]) best[size] = rss[k];
  }
  for (int threads = 1; threads <= 2; ++threads) {
    const ss::search_result res = ss::leaps_and_bounds(g, 9, 1, threads);
    bool ok = true;
    for (int t = 0; t <= 9; ++t) ok = ok && std::fabs(res.best[t][0].rss - best[t]) < 1e-12;
    UNIT_EXPECT(ok);
  }
}

UNIT_TEST("core: leaps and bounds", "ties are broken by the lexicographic order of the indices") {
  namespace ss = statlearn::subset;
  UNIT_EXPECT(ss::lex_less(0b0011ULL, 0b0101ULL));   // {0,1} before {0,2}
  UNIT_EXPECT(!(ss::lex_less(0b0110ULL, 0b0101ULL)));  // {1,2} after {0,2}
}

UNIT_TEST("core: leaps and bounds", "forward stepwise by RSS matches the greedy forward path") {
  namespace ss = statlearn::subset;
  const ss::gram g = random_gram(50, 6, 11);
  ss::stepwise_settings s;
  s.criterion = ss::step_criterion::rss;
  s.max_size = 6;
  s.max_steps = 6;
  s.n = 50;
  const auto path = ss::stepwise(g, s);
  const ss::greedy_path fw = ss::forward_path(g, 6);
  bool ok = path.size() == 7;
  for (std::size_t k = 0; ok && k < path.size(); ++k) ok = std::fabs(path[k].rss - fw.rss[k]) < 1e-12;
  UNIT_EXPECT(ok);
}
