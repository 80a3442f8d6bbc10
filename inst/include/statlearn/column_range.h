// statlearn/column_range.h -- the largest absolute value of each column, in
// one pass and without a copy (for the input checks of the R layer: values
// whose squares overflow or underflow in double precision).
#ifndef STATLEARN_COLUMN_RANGE_H
#define STATLEARN_COLUMN_RANGE_H

#include <cmath>
#include <cstddef>
#include <vector>

namespace statlearn {

inline std::vector<double> column_max_abs(const double* x, std::size_t n, std::size_t p) {
  std::vector<double> out(p, 0.0);
  for (std::size_t j = 0; j < p; ++j) {
    const double* col = x + j * n;
    double m = 0.0;
    for (std::size_t i = 0; i < n; ++i) m = std::fmax(m, std::fabs(col[i]));
    out[j] = m;
  }
  return out;
}

}  // namespace statlearn

#endif
