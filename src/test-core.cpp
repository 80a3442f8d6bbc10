// C++ unit tests of the R-free core, run by tests/testthat/test-cpp.R.
#include <vector>
#include "statlearn/parallel.h"
#include "statlearn/rng.h"
#include "unit-test.h"

UNIT_TEST("core: deterministic parallel chunks",
          "chunked sums are identical for 1 and 2 threads") {
  const std::size_t n = 100003;
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 1.0 / (1.0 + i);
  auto chunked_sum = [&](int threads) {
    std::vector<double> part(statlearn::chunk_count(n, 1000), 0.0);
    statlearn::parallel_chunks(n, 1000, threads, [&](std::size_t b, std::size_t e, std::size_t c) {
      double s = 0.0;
      for (std::size_t i = b; i < e; ++i) s += v[i];
      part[c] = s;
    });
    double total = 0.0;
    for (double p : part) total += p;
    return total;
  };
  const double s1 = chunked_sum(1), s2 = chunked_sum(2);
  UNIT_EXPECT(s1 == s2);
  const bool in_range = s1 > 12.0 && s1 < 12.2;
  UNIT_EXPECT(in_range);  // harmonic number H_n ~ log(n) + 0.5772
}

UNIT_TEST("core: counter-based random streams", "streams are reproducible and uniform") {
  statlearn::stream a(42, 3), b(42, 3), c(42, 4);
  bool same = true, differ = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.next(), y = b.next(), z = c.next();
    same = same && (x == y);
    differ = differ || (x != z);
  }
  UNIT_EXPECT(same);
  UNIT_EXPECT(differ);
  statlearn::stream u(7, 0);
  double mean = 0.0;
  const int m = 200000;
  for (int i = 0; i < m; ++i) mean += u.uniform();
  mean /= m;
  const bool near_half = mean > 0.495 && mean < 0.505;
  UNIT_EXPECT(near_half);
}
