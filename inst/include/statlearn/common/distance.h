// statlearn/common/distance.h -- squared Euclidean distance between rows of
// column-major matrices, summed over the coordinates in order (as R's
// class::knn and stats::kmeans sum them), for the neighbour search and the
// clustering engines.
#ifndef STATLEARN_DISTANCE_H
#define STATLEARN_DISTANCE_H

#include <cstddef>

namespace statlearn {

// Row i of A (leading dimension lda) against row j of B (leading dimension
// ldb), both with p columns.
inline double squared_distance(const double* A, std::size_t lda, std::size_t i, const double* B,
                               std::size_t ldb, std::size_t j, std::size_t p) {
  double s = 0.0;
  for (std::size_t c = 0; c < p; ++c) {
    const double t = A[c * lda + i] - B[c * ldb + j];
    s += t * t;
  }
  return s;
}

}  // namespace statlearn

#endif
