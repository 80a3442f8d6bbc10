// C++ unit tests of the k-means core (cluster/kmeans.h), run by
// tests/testthat/test-cpp.R.
#include <cstring>
#include <vector>
#include "statlearn/cluster/kmeans.h"
#include "statlearn/common/rng.h"
#include "unit-test.h"

namespace {
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}
}  // namespace

UNIT_TEST("cluster: k-means distance kernels",
          "the vector kernels give the bits of the portable loops and of squared_distance") {
  using namespace statlearn::kmeans_detail;
  statlearn::stream s(11, 0);
  const std::size_t n = 523, p = 13;
  std::vector<double> X(n * p);
  for (double& v : X) v = s.normal();
  // Row copy of the points, for the per-point kernels.
  std::vector<double> rows(n * p);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < p; ++c) rows[i * p + c] = X[c * n + i];
  for (std::size_t k : {1u, 3u, 4u, 10u, 16u, 17u, 37u}) {
    std::vector<double> C(k * p);
    for (double& v : C) v = 2.0 * s.normal();
    // A block that is not a multiple of four points, at an odd offset.
    const std::size_t b = 5, e = 5 + 251, m = e - b;
    std::vector<double> fast(m * k), plain(m * k);
    block_distances(X.data(), n, p, C.data(), k, b, e, fast.data());
    block_distances_portable(X.data(), n, p, C.data(), k, b, e, plain.data());
    UNIT_EXPECT(same_bits(fast, plain));
    bool agree = true;
    for (std::size_t i = b; i < e; ++i) {
      std::vector<double> d_rows(k), d_cols(k), d_plain(k), d_block(k), d_ref(k);
      point_distances(rows.data() + i * p, 1, p, C.data(), k, d_rows.data());
      point_distances(X.data() + i, n, p, C.data(), k, d_cols.data());
      point_distances_portable(rows.data() + i * p, 1, p, C.data(), k, d_plain.data());
      for (std::size_t j = 0; j < k; ++j) {
        d_block[j] = fast[j * m + (i - b)];
        d_ref[j] = statlearn::squared_distance(X.data(), n, i, C.data(), k, j, p);
      }
      agree = agree && same_bits(d_rows, d_cols) && same_bits(d_rows, d_plain) &&
              same_bits(d_rows, d_block) && same_bits(d_rows, d_ref);
    }
    UNIT_EXPECT(agree);
  }
}
