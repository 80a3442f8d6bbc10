// Glue for the single-precision GEMM of the neural-network engine. Internal:
// used by tests/testthat/test-sgemm.R and bench/sgemm.R only.
#include <Rcpp.h>
#include <chrono>
#include <vector>
#include "statlearn/common/sgemm.h"
#include "host.h"

namespace {
std::vector<float> to_float(const Rcpp::NumericMatrix& x) {
  return std::vector<float>(x.begin(), x.end());
}
}  // namespace

// alpha op(a) op(b) in float32, returned as a double matrix.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix cpp_sgemm(const Rcpp::NumericMatrix& a, const Rcpp::NumericMatrix& b,
                              bool trans_a, bool trans_b, double alpha, int threads) {
  statlearn_host::begin();
  const std::size_t m = trans_a ? a.ncol() : a.nrow(), k = trans_a ? a.nrow() : a.ncol();
  const std::size_t n = trans_b ? b.nrow() : b.ncol();
  if ((trans_b ? b.ncol() : b.nrow()) != static_cast<int>(k))
    Rcpp::stop("`a` and `b` are not conformable");
  const std::vector<float> fa = to_float(a), fb = to_float(b);
  std::vector<float> fc(m * n);
  statlearn::sgemm(trans_a, trans_b, m, n, k, static_cast<float>(alpha), fa.data(),
                   std::max<std::size_t>(1, a.nrow()), fb.data(), std::max<std::size_t>(1, b.nrow()),
                   0.0f, fc.data(), std::max<std::size_t>(1, m), threads);
  Rcpp::NumericMatrix out(m, n);
  std::copy(fc.begin(), fc.end(), out.begin());
  return out;
}

// Seconds taken by `reps` multiplications (after one warm-up) on float
// buffers converted once, timed in C++ so R's conversions are excluded.
// [[Rcpp::export(rng = false)]]
double cpp_sgemm_seconds(const Rcpp::NumericMatrix& a, const Rcpp::NumericMatrix& b,
                         bool trans_a, bool trans_b, int reps, int threads) {
  statlearn_host::begin();
  const std::size_t m = trans_a ? a.ncol() : a.nrow(), k = trans_a ? a.nrow() : a.ncol();
  const std::size_t n = trans_b ? b.nrow() : b.ncol();
  const std::vector<float> fa = to_float(a), fb = to_float(b);
  std::vector<float> fc(m * n);
  auto run = [&] {
    statlearn::sgemm(trans_a, trans_b, m, n, k, 1.0f, fa.data(),
                     std::max<std::size_t>(1, a.nrow()), fb.data(),
                     std::max<std::size_t>(1, b.nrow()), 0.0f, fc.data(),
                     std::max<std::size_t>(1, m), threads);
  };
  run();
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
