// The R host side of statlearn/common/hooks.h: an interrupt checker that runs on the
// main thread and never longjmps through C++ frames.
#include "host.h"  // Rcpp first: it includes R's headers without their macros
#include <R_ext/Utils.h>
#include "statlearn/common/hooks.h"

namespace {
void check_interrupt_fn(void*) { R_CheckUserInterrupt(); }
bool r_interrupt_pending() { return R_ToplevelExec(check_interrupt_fn, nullptr) == FALSE; }
}  // namespace

namespace statlearn_host {
void begin() {
  statlearn::hooks::reset();
  statlearn::hooks::set_interrupt_checker(&r_interrupt_pending);
}

std::vector<const double*> design_columns(SEXP x, std::size_t& n) {
  std::vector<const double*> ptr;
  if (TYPEOF(x) == VECSXP) {
    const R_xlen_t p = Rf_xlength(x);
    n = p > 0 ? static_cast<std::size_t>(Rf_xlength(VECTOR_ELT(x, 0))) : 0;
    ptr.resize(p);
    for (R_xlen_t j = 0; j < p; ++j) {
      SEXP col = VECTOR_ELT(x, j);
      if (TYPEOF(col) != REALSXP || static_cast<std::size_t>(Rf_xlength(col)) != n)
        Rcpp::stop("design_columns: columns must be double vectors of one length");
      ptr[j] = REAL_RO(col);  // read-only: no copy of a shared (wrapped) vector
    }
    return ptr;
  }
  if (TYPEOF(x) != REALSXP || !Rf_isMatrix(x)) Rcpp::stop("design_columns: a double matrix expected");
  n = static_cast<std::size_t>(Rf_nrows(x));
  const std::size_t p = static_cast<std::size_t>(Rf_ncols(x));
  ptr.resize(p);
  const double* base = REAL_RO(x);  // read-only: no copy of a shared (wrapped) vector
  for (std::size_t j = 0; j < p; ++j) ptr[j] = base + j * n;
  return ptr;
}
}  // namespace statlearn_host
