// statlearn/common/linalg.h -- the core's one Cholesky factorisation and
// solve, on LAPACK (dpotrf and dpotrs through Armadillo's LAPACK bindings),
// so they run on whatever BLAS and LAPACK R is linked with; matrices of order
// below 24, where a LAPACK call costs more than the work, are factored inline.
//
// cholesky_factor() adds the relative pivot test the fitters need: the
// squared pivot L_jj^2 of column j, divided by A_jj, is the squared sine of
// the angle between column j and the span of the columns before it (for a
// Gram matrix), so a ratio at or below `tol` marks a column that is, to that
// tolerance, a combination of the earlier ones, in any units.
#ifndef STATLEARN_LINALG_H
#define STATLEARN_LINALG_H

#include <armadillo>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace statlearn {

struct cholesky_status {
  long bad = -1;           // the first column failing the pivot test, or -1
  double min_ratio = 1.0;  // smallest L_jj^2 / A_jj up to and including `bad`
};

namespace linalg_detail {

// Below this order a call to LAPACK costs more than the factorisation (best
// subsets factor thousands of matrices of order up to 30 or so).
constexpr std::size_t kSmall = 24;

// Unblocked lower Cholesky in place; info as LAPACK's (0, or j + 1 when the
// pivot of column j is not positive).
inline long small_potrf(double* A, std::size_t q) {
  for (std::size_t j = 0; j < q; ++j) {
    double d = A[j * q + j];
    for (std::size_t k = 0; k < j; ++k) d -= A[k * q + j] * A[k * q + j];
    if (!(d > 0.0)) return static_cast<long>(j + 1);
    const double ljj = std::sqrt(d);
    A[j * q + j] = ljj;
    for (std::size_t i = j + 1; i < q; ++i) {
      double s = A[j * q + i];
      for (std::size_t k = 0; k < j; ++k) s -= A[k * q + i] * A[k * q + j];
      A[j * q + i] = s / ljj;
    }
  }
  return 0;
}

inline void small_potrs(const double* L, std::size_t q, double* b) {
  for (std::size_t i = 0; i < q; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= L[k * q + i] * b[k];
    b[i] = s / L[i * q + i];
  }
  for (std::size_t i = q; i-- > 0;) {
    double s = b[i];
    for (std::size_t k = i + 1; k < q; ++k) s -= L[i * q + k] * b[k];
    b[i] = s / L[i * q + i];
  }
}

}  // namespace linalg_detail

// Factor the symmetric positive definite q x q matrix A (column-major) in
// place as L L' (L in the lower triangle; the strict upper triangle is left
// as it was).
inline cholesky_status cholesky_factor(double* A, std::size_t q, double tol = 0.0) {
  cholesky_status out;
  if (q == 0) return out;
  double diag_small[linalg_detail::kSmall];
  std::vector<double> diag_large;
  double* diag = diag_small;
  if (q > linalg_detail::kSmall) {
    diag_large.resize(q);
    diag = diag_large.data();
  }
  for (std::size_t j = 0; j < q; ++j) diag[j] = A[j * q + j];
  long info = 0;
  if (q <= linalg_detail::kSmall) {
    info = linalg_detail::small_potrf(A, q);
  } else {
    char uplo = 'L';
    arma::blas_int n = static_cast<arma::blas_int>(q), inf = 0;
    arma::lapack::potrf(&uplo, &n, A, &n, &inf);
    info = static_cast<long>(inf);
  }
  const std::size_t good = info > 0 ? static_cast<std::size_t>(info - 1) : q;
  for (std::size_t j = 0; j < good; ++j) {
    const double ljj = A[j * q + j];
    const double ratio = diag[j] > 0.0 ? ljj * ljj / diag[j] : 0.0;
    out.min_ratio = std::min(out.min_ratio, ratio);
    if (!(ratio > tol) || !(diag[j] > 0.0)) {
      out.bad = static_cast<long>(j);
      return out;
    }
  }
  if (info != 0) {
    out.bad = static_cast<long>(good);
    out.min_ratio = 0.0;
  }
  return out;
}

// Solve L L' X = B in place for B (q x nrhs, column-major), L from cholesky_factor().
inline void cholesky_solve(const double* L, std::size_t q, double* B, std::size_t nrhs = 1) {
  if (q == 0 || nrhs == 0) return;
  if (q <= linalg_detail::kSmall) {
    for (std::size_t c = 0; c < nrhs; ++c) linalg_detail::small_potrs(L, q, B + c * q);
    return;
  }
  char uplo = 'L';
  arma::blas_int n = static_cast<arma::blas_int>(q), m = static_cast<arma::blas_int>(nrhs),
                 info = 0;
  arma::lapack::potrs(&uplo, &n, &m, const_cast<double*>(L), &n, B, &n, &info);
}

}  // namespace statlearn

#endif
