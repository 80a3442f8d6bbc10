// statlearn/common/linalg.h -- the core's one Cholesky factorisation and
// solve, on LAPACK (dpotrf and dpotrs through Armadillo's LAPACK bindings),
// so they run on whatever BLAS and LAPACK R is linked with.
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
#include <cstddef>
#include <vector>

namespace statlearn {

struct cholesky_status {
  long bad = -1;           // the first column failing the pivot test, or -1
  double min_ratio = 1.0;  // smallest L_jj^2 / A_jj up to and including `bad`
};

// Factor the symmetric positive definite q x q matrix A (column-major) in
// place as L L' (L in the lower triangle; the strict upper triangle is left
// as it was).
inline cholesky_status cholesky_factor(double* A, std::size_t q, double tol = 0.0) {
  cholesky_status out;
  if (q == 0) return out;
  std::vector<double> diag(q);
  for (std::size_t j = 0; j < q; ++j) diag[j] = A[j * q + j];
  char uplo = 'L';
  arma::blas_int n = static_cast<arma::blas_int>(q), info = 0;
  arma::lapack::potrf(&uplo, &n, A, &n, &info);
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
  char uplo = 'L';
  arma::blas_int n = static_cast<arma::blas_int>(q), m = static_cast<arma::blas_int>(nrhs),
                 info = 0;
  arma::lapack::potrs(&uplo, &n, &m, const_cast<double*>(L), &n, B, &n, &info);
}

}  // namespace statlearn

#endif
