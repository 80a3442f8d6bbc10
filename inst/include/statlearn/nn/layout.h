// statlearn/nn/layout.h -- the engine's example-major layout of an input array.
//
// R holds a data set as an array n x d_2 x ... x d_k (examples first, column
// major); the engine wants each example's values contiguous, in the order of
// the reversed axes (d_k fastest, then d_{k-1}, ...): the array
// d_k x ... x d_2 x n, what aperm(x, k:1) gives. With M = d_2 ... d_k this is
// a transpose of the n x M matrix whose rows are permuted by reversing the
// digits of their mixed-radix index. One blocked pass does it and also finds
// the largest absolute value and whether any value is NaN or infinite, which
// the R layer checks, so the input is read once.
#ifndef STATLEARN_NN_LAYOUT_H
#define STATLEARN_NN_LAYOUT_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace statlearn {
namespace nn {

struct layout_summary {
  double max_abs = 0;     // the largest |value| among the finite ones
  bool finite = true;     // no NaN, NA or +-Inf
};

// x: n x dims[0] x ... x dims[k-2] (column major); out: prod(dims) x n with
// out[r + M i] = x[i + n m], r the index of m in the reversed axis order.
inline layout_summary examples_major(const double* x, std::size_t n, const std::vector<std::size_t>& dims,
                                     double* out) {
  std::size_t M = 1;
  for (std::size_t d : dims) M *= d;
  // source column m for each output row r: r's digits, big-endian in dims
  // (the last axis fastest), are m's digits little-endian
  std::vector<std::size_t> src(M);
  const std::size_t k = dims.size();
  std::vector<std::size_t> stride(k, 1);  // of axis a in m
  for (std::size_t a = 1; a < k; ++a) stride[a] = stride[a - 1] * dims[a - 1];
  std::vector<std::size_t> digit(k, 0);
  for (std::size_t r = 0; r < M; ++r) {
    std::size_t m = 0;
    for (std::size_t a = 0; a < k; ++a) m += digit[a] * stride[a];
    src[r] = m;
    // next r: the last axis runs fastest
    for (std::size_t a = k; a-- > 0;) {
      if (++digit[a] < dims[a]) break;
      digit[a] = 0;
    }
  }
  layout_summary s;
  double big = 0, z = 0;  // z stays 0 unless a value is NaN or infinite
  constexpr std::size_t B = 16;
  for (std::size_t i0 = 0; i0 < n; i0 += B) {
    const std::size_t i1 = std::min(n, i0 + B);
    for (std::size_t r = 0; r < M; ++r) {
      const double* col = x + src[r] * n;
      for (std::size_t i = i0; i < i1; ++i) {
        const double v = col[i];
        out[r + M * i] = v;
        const double a = std::fabs(v);
        big = a > big ? a : big;
        z += v - v;
      }
    }
  }
  s.finite = z == 0.0 && !std::isinf(big);
  s.max_abs = big;
  return s;
}

}  // namespace nn
}  // namespace statlearn

#endif
