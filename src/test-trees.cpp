// C++ unit tests of the tree core (trees/cart.h), run by tests/testthat/test-cpp.R.
// Brute-force checks of the pieces whose exact rules decide rpart agreement.
#include <cmath>
#include <vector>
#include "statlearn/common/rng.h"
#include "statlearn/trees/cart.h"
#include "unit-test.h"

UNIT_TEST("trees", "tie_order_sort sorts keys and carries the indices") {
  statlearn::stream rs(5, 0);
  const int n = 200;
  std::vector<double> key(n), orig(n);
  std::vector<int> idx(n);
  for (int i = 0; i < n; ++i) {
    orig[i] = key[i] = std::floor(10 * rs.uniform());  // many ties
    idx[i] = i;
  }
  statlearn::cart::tie_order_sort(key.data(), idx.data(), 0, n - 1);
  bool sorted = true, carried = true;
  for (int i = 0; i < n; ++i) {
    if (i > 0 && key[i - 1] > key[i]) sorted = false;
    if (orig[idx[i]] != key[i]) carried = false;
  }
  UNIT_EXPECT(sorted);
  UNIT_EXPECT(carried);
}

UNIT_TEST("trees", "insert_split keeps the best, ties after earlier entries") {
  std::vector<statlearn::cart::split> list;
  const double imp[] = {1.0, 3.0, 2.0, 3.0, 0.5, 2.5};
  for (int v = 0; v < 6; ++v) {
    statlearn::cart::split* s = statlearn::cart::insert_split(list, imp[v], 3);
    if (s) {
      s->improve = imp[v];
      s->var = v;
    }
  }
  UNIT_EXPECT(list.size() == 3);
  UNIT_EXPECT(list[0].var == 1);  // 3.0, first of the tie
  UNIT_EXPECT(list[1].var == 3);  // 3.0, second
  UNIT_EXPECT(list[2].var == 5);  // 2.5
}

UNIT_TEST("trees", "Gray code visits every subset of the non-empty categories once") {
  statlearn::cart::graycode gc;
  const int count[] = {2, 0, 1, 3, 1};  // category 1 empty
  gc.init1(5, count);
  // membership of categories 0, 2, 3 (category 4 never moves, as in rpart)
  std::vector<int> side(5, 0), seen(8, 0);
  int i, steps = 0;
  while ((i = gc.next()) < 5) {
    side[i] = 1 - side[i];
    ++seen[side[0] + 2 * side[2] + 4 * side[3]];
    ++steps;
    UNIT_EXPECT(i != 1 && i != 4);
  }
  UNIT_EXPECT(steps == 7);
  bool all_once = true;
  for (int k = 1; k < 8; ++k) all_once = all_once && seen[k] == 1;
  UNIT_EXPECT(all_once);
}

UNIT_TEST("trees", "the anova split is the brute-force best split") {
  statlearn::stream rs(9, 0);
  const int n = 40;
  std::vector<double> x(n), y(n), w(n, 1.0);
  for (int i = 0; i < n; ++i) x[i] = i + 1;
  for (int i = 0; i < n; ++i) y[i] = (i < 23 ? 0.0 : 2.0) + 0.3 * rs.normal();
  double mean = 0, ss = 0;
  for (double v : y) mean += v / n;
  for (double v : y) ss += (v - mean) * (v - mean);
  // brute force over cut points with at least 3 on each side
  double best = -1;
  int where = -1;
  for (int c = 3; c <= n - 3; ++c) {
    double ml = 0, mr = 0, s = 0;
    for (int i = 0; i < c; ++i) ml += y[i] / c;
    for (int i = c; i < n; ++i) mr += y[i] / (n - c);
    for (int i = 0; i < c; ++i) s += (y[i] - ml) * (y[i] - ml);
    for (int i = c; i < n; ++i) s += (y[i] - mr) * (y[i] - mr);
    if (ss - s > best) {
      best = ss - s;
      where = c;
    }
  }
  statlearn::cart::workspace ws;
  ws.reserve(n, 0, 0);
  double improve = 0, spoint = 0;
  int csplit[1] = {0};
  statlearn::cart::choose_anova(n, y.data(), x.data(), 0, 3, improve, spoint, csplit, ss, w.data(), ws);
  UNIT_EXPECT(std::fabs(improve - best / ss) < 1e-10);
  UNIT_EXPECT(std::fabs(spoint - (where + 0.5)) < 1e-12);
  UNIT_EXPECT(csplit[0] == statlearn::cart::LEFT);  // the left mean is smaller
}
