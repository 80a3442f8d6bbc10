// statlearn/common/column_range.h -- the largest absolute value of each column, in
// one pass and without a copy (for the input checks of the R layer: values
// whose squares overflow or underflow in double precision).
#ifndef STATLEARN_COLUMN_RANGE_H
#define STATLEARN_COLUMN_RANGE_H

#include <cmath>
#include <cstddef>
#include <vector>

namespace statlearn {

// Columns are given by pointers (a matrix's or a data frame's). A column holding NaN or NA gives NaN, one holding +-Inf gives Inf, so one
// pass also tells the caller whether every value is finite.
inline std::vector<double> column_max_abs(const double* const* x, std::size_t n, std::size_t p) {
  std::vector<double> out(p, 0.0);
  for (std::size_t j = 0; j < p; ++j) {
    const double* col = x[j];
    double m = 0.0, z = 0.0;  // z stays 0 unless a value is NaN or infinite
    for (std::size_t i = 0; i < n; ++i) {
      const double a = std::fabs(col[i]);
      m = a > m ? a : m;
      z += col[i] - col[i];
    }
    out[j] = (z == 0.0 || std::isinf(m)) ? m : std::nan("");
  }
  return out;
}

}  // namespace statlearn

#endif
