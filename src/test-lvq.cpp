// C++ unit tests of statlearn/classify/lvq.h, run by tests/testthat/test-cpp.R.
#include <cmath>
#include <vector>
#include "statlearn/classify/lvq.h"
#include "unit-test.h"

// One coordinate, two observations (0 of class 0, 1 of class 1) and two
// prototypes (0.2 of class 0, 0.6 of class 1): every update worked by hand.
UNIT_TEST("lvq: single updates", "lvq1, olvq1, lvq2 and lvq3 move prototypes as the rules say") {
  const double X[2] = {0.0, 1.0};
  const int cl[2] = {0, 1}, ccl[2] = {0, 1};
  statlearn::lvq_options o;
  // lvq1, one step on x = 0 with alpha 0.5: the class-0 prototype moves halfway to 0.
  {
    double C[2] = {0.2, 0.6};
    const int order[1] = {0};
    o.method = statlearn::lvq_method::lvq1;
    o.alpha = 0.5;
    statlearn::lvq_train(X, 2, 1, cl, C, 2, ccl, order, 1, o);
    UNIT_EXPECT(std::fabs(C[0] - 0.1) < 1e-15 && C[1] == 0.6);
  }
  // a wrong-class nearest prototype is pushed away: x = 0 with prototypes of
  // classes (1, 0) at (0.2, 0.6).
  {
    double C[2] = {0.2, 0.6};
    const int wrong[2] = {1, 0}, order[1] = {0};
    o.method = statlearn::lvq_method::olvq1;
    o.alpha = 0.3;
    statlearn::lvq_result r = statlearn::lvq_train(X, 2, 1, cl, C, 2, wrong, order, 1, o);
    UNIT_EXPECT(std::fabs(C[0] - 0.26) < 1e-15);
    // olvq1: the rate a / (1 - a) = 0.3 / 0.7 is capped at alpha = 0.3
    UNIT_EXPECT(r.rates.size() == 2 && r.rates[0] == 0.3);
  }
  // olvq1 towards: the rate falls to a / (1 + a)
  {
    double C[2] = {0.2, 0.6};
    const int order[1] = {0};
    statlearn::lvq_result r = statlearn::lvq_train(X, 2, 1, cl, C, 2, ccl, order, 1, o);
    UNIT_EXPECT(std::fabs(r.rates[0] - 0.3 / 1.3) < 1e-15);
  }
  // lvq2: x = 1 between 0.2 (class 0, d^2 = 0.64) and 0.6 (class 1, d^2 = 0.16):
  // ratio 0.25 is outside the window 0.3 ((1 - w)/(1 + w) = 0.54), no move;
  // with w = 0.9 ((1 - w)/(1 + w) = 0.053) both move.
  {
    double C[2] = {0.2, 0.6};
    const int order[1] = {1};
    o.method = statlearn::lvq_method::lvq2;
    o.alpha = 0.5;
    o.window = 0.3;
    statlearn::lvq_result r = statlearn::lvq_train(X, 2, 1, cl, C, 2, ccl, order, 1, o);
    UNIT_EXPECT(r.updates == 0 && C[0] == 0.2 && C[1] == 0.6);
    o.window = 0.9;
    r = statlearn::lvq_train(X, 2, 1, cl, C, 2, ccl, order, 1, o);
    UNIT_EXPECT(r.updates == 1);
    UNIT_EXPECT(std::fabs(C[1] - 0.8) < 1e-15 && std::fabs(C[0] - (0.2 - 0.5 * 0.8)) < 1e-15);
  }
  // lvq3: both nearest prototypes of the observation's class move by epsilon alpha.
  {
    double C[2] = {0.2, 0.6};
    const int same[2] = {1, 1}, order[1] = {1};
    o.method = statlearn::lvq_method::lvq3;
    o.alpha = 0.5;
    o.epsilon = 0.1;
    statlearn::lvq_train(X, 2, 1, cl, C, 2, same, order, 1, o);
    UNIT_EXPECT(std::fabs(C[0] - (0.2 + 0.05 * 0.8)) < 1e-15 &&
                std::fabs(C[1] - (0.6 + 0.05 * 0.4)) < 1e-15);
  }
}

UNIT_TEST("lvq: random order", "the drawn order is reproducible and in range") {
  statlearn::lvq_random_order a(7, 11), b(7, 11);
  bool same = true, in_range = true;
  for (std::size_t t = 0; t < 1000; ++t) {
    const std::size_t i = a(t), j = b(t);
    same = same && i == j;
    in_range = in_range && i < 7;
  }
  UNIT_EXPECT(same);
  UNIT_EXPECT(in_range);
  const std::vector<int> s = statlearn::sample_distinct(10, 4, 3, 1);
  bool distinct = s.size() == 4;
  for (std::size_t u = 0; u < s.size(); ++u)
    for (std::size_t v = u + 1; v < s.size(); ++v) distinct = distinct && s[u] != s[v];
  UNIT_EXPECT(distinct);
}
