// statlearn/cluster/gaussian_mixture.h -- Gaussian mixtures by EM (ESL 8.5,
// 13.2.3, 14.3.7).
//
// The density is f(x) = sum_k pi_k phi(x; mu_k, Sigma_k) with G components.
// EM alternates
//   M-step: from responsibilities z (n x G), N_k = sum_i z_ik, pi_k = N_k / n,
//           mu_k = sum_i z_ik x_i / N_k and the weighted scatter
//           W_k = sum_i z_ik (x_i - mu_k)(x_i - mu_k)', from which the
//           covariance family makes Sigma_k:
//             full      varying  W_k / N_k                 (mclust VVV)
//             full      shared   sum_k W_k / n             (EEE)
//             diagonal  varying  diag(W_k) / N_k           (VVI)
//             diagonal  shared   diag(sum_k W_k) / n       (EEI)
//             spherical varying  tr(W_k) / (p N_k) I       (VII)
//             spherical shared   tr(sum_k W_k) / (p n) I   (EII)
//           plus `regularization` on the diagonal;
//   E-step: log pi_k + log phi(x_i; mu_k, Sigma_k) through the Cholesky factor
//           Sigma_k = L_k L_k' (a forward substitution per row, vectorised over
//           a block of rows), responsibilities by log-sum-exp, and the
//           log-likelihood sum_i log sum_k pi_k phi(x_i; mu_k, Sigma_k).
// It starts with an M-step from the given responsibilities (as mclust's me()
// does) and stops when |l_t - l_{t-1}| / (1 + |l_t|) <= tol (mclust's rule),
// or after max_iter iterations. The returned parameters are those of the last
// M-step, the responsibilities and log-likelihood those of the E-step after it.
//
// A covariance is singular when a Cholesky pivot is not positive or
// (min_j L_jj / max_j L_jj)^2 <= DBL_EPSILON (the scale-free form of mclust's
// test); a component is empty when N_k <= sqrt(DBL_EPSILON). Either stops the
// start with a status, never an exception.
//
// Starts: given responsibilities, or `starts` k-means++ / k-means partitions
// (cluster/kmeans.h), each on its own random stream from (seed, start index);
// the start with the largest final log-likelihood is kept (the first on ties).
//
// Determinism: the E-step and the weighted sums run over fixed chunks of rows
// with per-chunk partial sums added in chunk order, and the M-step's weighted
// sums and scatter matrices over tasks of (component, block of rows) whose
// partial results are added in block order; chunks and blocks depend on n, p
// and G only. So results are the same bits for any number of threads. The
// kernels are written on 4-wide vectors and compiled for AVX2/FMA and for the
// baseline, chosen at run time as gram.h does (the scatter is a blocked
// cross-product of packed, centred, weighted columns, not n rank-one updates).
#ifndef STATLEARN_GAUSSIAN_MIXTURE_H
#define STATLEARN_GAUSSIAN_MIXTURE_H

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "statlearn/cluster/kmeans.h"
#include "statlearn/common/cpu.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/linalg.h"
#include "statlearn/common/parallel.h"
#include "statlearn/common/rng.h"

namespace statlearn {

enum class mixture_shape { full, diagonal, spherical };
enum class mixture_status { ok = 0, singular = 1, empty = 2, nonfinite = 3 };

struct mixture_options {
  std::size_t components = 2;
  mixture_shape shape = mixture_shape::full;
  bool shared = false;
  std::size_t starts = 1, max_iter = 1000, kmeans_iter = 100;
  double tol = 1e-5, regularization = 0.0;
  std::uint64_t seed = 0;
  int threads = 1;
  bool trace = false;  // keep the parameters after every iteration (kept start)
};

struct mixture_parameters {
  std::size_t G = 0, p = 0;
  std::vector<double> proportions;  // G
  std::vector<double> means;        // G x p, column-major
  std::vector<double> covariances;  // p x p x G
};

struct mixture_result {
  mixture_parameters par;
  std::vector<double> z;             // n x G responsibilities, column-major
  std::vector<double> loglik_path;   // log-likelihood after each iteration (kept start)
  // with options.trace: per iteration G proportions, G x p means, p x p x G
  // covariances (the M-step's parameters), concatenated
  std::vector<double> trace;
  std::vector<double> start_loglik;  // final log-likelihood of every start (NaN: failed)
  double loglik = std::numeric_limits<double>::quiet_NaN();
  std::size_t iterations = 0, best_start = 0;
  bool converged = false;
  mixture_status status = mixture_status::ok;
  long bad_component = -1;  // the failing component when status != ok
};

namespace mixture_detail {

constexpr std::size_t kRows = 256;     // rows per E-step chunk (a cache-sized block)

// Rows per block of the M-step tasks: a multiple of kRows, at least 8192, and
// few enough blocks (at most 64) that the stored partial scatter matrices stay
// near 1e6 numbers (8 MB). Depends on n, p and G only.
inline std::size_t sum_block_rows(std::size_t n, std::size_t p, std::size_t G) {
  const double budget = 1e6 / static_cast<double>(std::max<std::size_t>(1, G * p * p));
  const std::size_t target = static_cast<std::size_t>(std::min(64.0, std::max(1.0, budget)));
  const std::size_t chunks = chunk_count(n, kRows);
  const std::size_t per = std::max<std::size_t>(32, (chunks + target - 1) / std::max<std::size_t>(1, target));
  return per * kRows;
}
constexpr double kLog2Pi = 1.8378770664093454836;

// Cholesky factors of the covariances and the constant of each log density.
struct factors {
  std::size_t G = 0, p = 0;
  bool diagonal = false;          // only the diagonals of L are used
  std::vector<double> L;          // p x p x G, lower triangles
  std::vector<double> rows;       // p x p x G: row j of L_k contiguous at k p p + j p
  std::vector<double> inv_diag;   // p x G: 1 / L_jj
  std::vector<double> constant;   // G: log pi_k - (p/2) log(2 pi) - log det L_k
};

// Factor every covariance; returns -1 or the first singular component.
inline long factor(const mixture_parameters& par, bool diagonal, factors& f) {
  const std::size_t G = par.G, p = par.p;
  f.G = G;
  f.p = p;
  f.diagonal = diagonal;
  f.L.assign(par.covariances.begin(), par.covariances.end());
  f.inv_diag.assign(p * G, 0.0);
  f.constant.assign(G, 0.0);
  f.rows.assign(p * p * G, 0.0);
  for (std::size_t k = 0; k < G; ++k) {
    double* L = f.L.data() + k * p * p;
    if (diagonal) {
      for (std::size_t j = 0; j < p; ++j) {
        const double d = L[j * p + j];
        if (!(d > 0.0) || !std::isfinite(d)) return static_cast<long>(k);
        L[j * p + j] = std::sqrt(d);
      }
    } else {
      const cholesky_status st = cholesky_factor(L, p, 0.0);
      if (st.bad >= 0) return static_cast<long>(k);
    }
    double lo = std::numeric_limits<double>::infinity(), hi = 0.0, logdet = 0.0;
    for (std::size_t j = 0; j < p; ++j) {
      const double l = L[j * p + j];
      if (!std::isfinite(l)) return static_cast<long>(k);
      lo = std::min(lo, l);
      hi = std::max(hi, l);
      logdet += std::log(l);
      f.inv_diag[k * p + j] = 1.0 / l;
    }
    double* R = f.rows.data() + k * p * p;
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t c = 0; c <= j; ++c) R[j * p + c] = L[c * p + j];
    const double r = lo / hi;
    if (!(r * r > DBL_EPSILON)) return static_cast<long>(k);
    f.constant[k] = std::log(par.proportions[k]) - 0.5 * static_cast<double>(p) * kLog2Pi - logdet;
  }
  return -1;
}

// ---- Kernels. Each body is written once on 4-wide vectors (GCC/Clang vector
// extensions) and compiled twice, for AVX2/FMA and for the baseline target,
// the better one picked at run time (R compiles without -march flags). Every
// sum is formed in a fixed order, so the result does not depend on threads.
typedef double v4d __attribute__((vector_size(32)));
typedef double v4du __attribute__((vector_size(32), aligned(8), __may_alias__));
#define STATLEARN_LD4(ptr) (*reinterpret_cast<const v4du*>(ptr))
#define STATLEARN_ST4(ptr, v) (*reinterpret_cast<v4du*>(ptr) = (v))

// Quadratic forms q_i = |L^{-1}(x_i - mu)|^2 for the kRows packed rows P
// (p x kRows, column-major): a forward substitution on 16 rows at a time (four
// independent vector chains), the partial solution kept in yb (p x 16).
__attribute__((always_inline)) inline void quad_body(const double* P, std::size_t p, const double* mu,
                                                     const double* L, const double* inv, bool diagonal,
                                                     double* yb, double* q) {
  constexpr std::size_t M = kRows;
  static_assert(M % 16 == 0, "kRows must be a multiple of 16");
  for (std::size_t i = 0; i < M; i += 16) {
    v4d q0 = {0, 0, 0, 0}, q1 = q0, q2 = q0, q3 = q0;
    if (diagonal) {
      for (std::size_t c = 0; c < p; ++c) {
        const double m = mu[c], s = inv[c];
        const double* pc = P + c * M + i;
        const v4d t0 = (STATLEARN_LD4(pc) - m) * s, t1 = (STATLEARN_LD4(pc + 4) - m) * s;
        const v4d t2 = (STATLEARN_LD4(pc + 8) - m) * s, t3 = (STATLEARN_LD4(pc + 12) - m) * s;
        q0 += t0 * t0;
        q1 += t1 * t1;
        q2 += t2 * t2;
        q3 += t3 * t3;
      }
    } else {
      for (std::size_t j = 0; j < p; ++j) {
        const double m = mu[j];
        const double* pj = P + j * M + i;
        v4d y0 = STATLEARN_LD4(pj) - m, y1 = STATLEARN_LD4(pj + 4) - m;
        v4d y2 = STATLEARN_LD4(pj + 8) - m, y3 = STATLEARN_LD4(pj + 12) - m;
        const double* Lj = L + j * p;  // row j of L, stored transposed (contiguous)
        for (std::size_t c = 0; c < j; ++c) {
          const double l = Lj[c];
          const double* yc = yb + c * 16;
          y0 -= l * STATLEARN_LD4(yc);
          y1 -= l * STATLEARN_LD4(yc + 4);
          y2 -= l * STATLEARN_LD4(yc + 8);
          y3 -= l * STATLEARN_LD4(yc + 12);
        }
        const double s = inv[j];
        y0 *= s;
        y1 *= s;
        y2 *= s;
        y3 *= s;
        double* yj = yb + j * 16;
        STATLEARN_ST4(yj, y0);
        STATLEARN_ST4(yj + 4, y1);
        STATLEARN_ST4(yj + 8, y2);
        STATLEARN_ST4(yj + 12, y3);
        q0 += y0 * y0;
        q1 += y1 * y1;
        q2 += y2 * y2;
        q3 += y3 * y3;
      }
    }
    STATLEARN_ST4(q + i, q0);
    STATLEARN_ST4(q + i + 4, q1);
    STATLEARN_ST4(q + i + 8, q2);
    STATLEARN_ST4(q + i + 12, q3);
  }
}

// out[0] = sum z_i, out[1 + c] = sum z_i x_ic over rows [b, e).
__attribute__((always_inline)) inline void sums_body(const double* X, std::size_t n, std::size_t p,
                                                     const double* z, std::size_t b, std::size_t e,
                                                     double* out) {
  const std::size_t m = e - b, m8 = m / 8 * 8;
  const double* zb = z + b;
  for (std::size_t c = 0; c <= p; ++c) {
    const double* xc = c == 0 ? nullptr : X + (c - 1) * n + b;
    v4d a0 = {0, 0, 0, 0}, a1 = a0;
    double tail = 0.0;
    if (xc == nullptr) {
      for (std::size_t i = 0; i < m8; i += 8) {
        a0 += STATLEARN_LD4(zb + i);
        a1 += STATLEARN_LD4(zb + i + 4);
      }
      for (std::size_t i = m8; i < m; ++i) tail += zb[i];
    } else {
      for (std::size_t i = 0; i < m8; i += 8) {
        a0 += STATLEARN_LD4(zb + i) * STATLEARN_LD4(xc + i);
        a1 += STATLEARN_LD4(zb + i + 4) * STATLEARN_LD4(xc + i + 4);
      }
      for (std::size_t i = m8; i < m; ++i) tail += zb[i] * xc[i];
    }
    const v4d a = a0 + a1;
    out[c] = ((a[0] + a[1]) + (a[2] + a[3])) + tail;
  }
}

// Weighted scatter about mu over rows [b, e): W[j * p + c] += sum z_i d_ij d_ic
// for c >= j (only c == j when diag_only), d = x - mu, in blocks of kRows
// packed rows (D and Dw, p x kRows each, are scratch). Four columns c at a
// time, two vector accumulators each, so the sums run as eight independent
// chains.
__attribute__((always_inline)) inline void scatter_body(const double* X, std::size_t n, std::size_t p,
                                                        const double* z, const double* mu,
                                                        std::size_t b, std::size_t e, bool diag_only,
                                                        double* D, double* Dw, double* W) {
  constexpr std::size_t M = kRows;
  for (std::size_t b0 = b; b0 < e; b0 += M) {
    const std::size_t m = std::min(M, e - b0), m4 = m / 4 * 4;
    const double* zb = z + b0;
    for (std::size_t c = 0; c < p; ++c) {
      const double* xc = X + c * n + b0;
      double* dc = D + c * M;
      double* wc = Dw + c * M;
      const double mc = mu[c];
      for (std::size_t i = 0; i < m4; i += 4) {
        const v4d d = STATLEARN_LD4(xc + i) - mc;
        STATLEARN_ST4(dc + i, d);
        STATLEARN_ST4(wc + i, d * STATLEARN_LD4(zb + i));
      }
      for (std::size_t i = m4; i < m; ++i) {
        const double d = xc[i] - mc;
        dc[i] = d;
        wc[i] = d * zb[i];
      }
      for (std::size_t i = m; i < M; ++i) dc[i] = wc[i] = 0.0;
    }
    const std::size_t len = (m + 7) / 8 * 8;
    for (std::size_t j = 0; j < p; ++j) {
      const double* wj = Dw + j * M;
      const std::size_t cend = diag_only ? j + 1 : p;
      std::size_t c = j;
      for (; c + 4 <= cend; c += 4) {
        const double *d0 = D + c * M, *d1 = d0 + M, *d2 = d1 + M, *d3 = d2 + M;
        v4d a0 = {0, 0, 0, 0}, a1 = a0, b0v = a0, b1v = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
        for (std::size_t i = 0; i < len; i += 8) {
          const v4d w0 = STATLEARN_LD4(wj + i), w1 = STATLEARN_LD4(wj + i + 4);
          a0 += w0 * STATLEARN_LD4(d0 + i);
          a1 += w1 * STATLEARN_LD4(d0 + i + 4);
          b0v += w0 * STATLEARN_LD4(d1 + i);
          b1v += w1 * STATLEARN_LD4(d1 + i + 4);
          c0 += w0 * STATLEARN_LD4(d2 + i);
          c1 += w1 * STATLEARN_LD4(d2 + i + 4);
          e0 += w0 * STATLEARN_LD4(d3 + i);
          e1 += w1 * STATLEARN_LD4(d3 + i + 4);
        }
        const v4d a = a0 + a1, bb = b0v + b1v, cc = c0 + c1, ee = e0 + e1;
        W[j * p + c] += (a[0] + a[1]) + (a[2] + a[3]);
        W[j * p + c + 1] += (bb[0] + bb[1]) + (bb[2] + bb[3]);
        W[j * p + c + 2] += (cc[0] + cc[1]) + (cc[2] + cc[3]);
        W[j * p + c + 3] += (ee[0] + ee[1]) + (ee[2] + ee[3]);
      }
      for (; c < cend; ++c) {
        const double* dc = D + c * M;
        v4d a0 = {0, 0, 0, 0}, a1 = a0;
        for (std::size_t i = 0; i < len; i += 8) {
          a0 += STATLEARN_LD4(wj + i) * STATLEARN_LD4(dc + i);
          a1 += STATLEARN_LD4(wj + i + 4) * STATLEARN_LD4(dc + i + 4);
        }
        const v4d a = a0 + a1;
        W[j * p + c] += (a[0] + a[1]) + (a[2] + a[3]);
      }
    }
  }
}

#ifdef STATLEARN_X86
__attribute__((target("avx2,fma"))) inline void quad_avx2(const double* P, std::size_t p, const double* mu,
                                                          const double* L, const double* inv, bool diagonal,
                                                          double* yb, double* q) {
  quad_body(P, p, mu, L, inv, diagonal, yb, q);
}
__attribute__((target("avx2,fma"))) inline void sums_avx2(const double* X, std::size_t n, std::size_t p,
                                                          const double* z, std::size_t b, std::size_t e,
                                                          double* out) {
  sums_body(X, n, p, z, b, e, out);
}
__attribute__((target("avx2,fma"))) inline void scatter_avx2(const double* X, std::size_t n, std::size_t p,
                                                             const double* z, const double* mu,
                                                             std::size_t b, std::size_t e, bool diag_only,
                                                             double* D, double* Dw, double* W) {
  scatter_body(X, n, p, z, mu, b, e, diag_only, D, Dw, W);
}
#endif
inline void quad_base(const double* P, std::size_t p, const double* mu, const double* L, const double* inv,
                      bool diagonal, double* yb, double* q) {
  quad_body(P, p, mu, L, inv, diagonal, yb, q);
}
inline void sums_base(const double* X, std::size_t n, std::size_t p, const double* z, std::size_t b,
                      std::size_t e, double* out) {
  sums_body(X, n, p, z, b, e, out);
}
inline void scatter_base(const double* X, std::size_t n, std::size_t p, const double* z, const double* mu,
                         std::size_t b, std::size_t e, bool diag_only, double* D, double* Dw, double* W) {
  scatter_body(X, n, p, z, mu, b, e, diag_only, D, Dw, W);
}

inline void quad(const double* P, std::size_t p, const double* mu, const double* L, const double* inv,
                 bool diagonal, double* yb, double* q) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return quad_avx2(P, p, mu, L, inv, diagonal, yb, q);
#endif
  quad_base(P, p, mu, L, inv, diagonal, yb, q);
}
inline void weighted_sums(const double* X, std::size_t n, std::size_t p, const double* z, std::size_t b,
                          std::size_t e, double* out) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return sums_avx2(X, n, p, z, b, e, out);
#endif
  sums_base(X, n, p, z, b, e, out);
}
inline void weighted_scatter(const double* X, std::size_t n, std::size_t p, const double* z,
                             const double* mu, std::size_t b, std::size_t e, bool diag_only, double* D,
                             double* Dw, double* W) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return scatter_avx2(X, n, p, z, mu, b, e, diag_only, D, Dw, W);
#endif
  scatter_base(X, n, p, z, mu, b, e, diag_only, D, Dw, W);
}
#undef STATLEARN_LD4
#undef STATLEARN_ST4

struct scratch_buffers {
  std::vector<double> P, Y, q, ld, D, Dw;
};

inline scratch_buffers& scratch() {
  thread_local scratch_buffers s;
  return s;
}

// E-step over all rows: returns the log-likelihood. Optional outputs: z
// (n x G responsibilities), logdens (n: log f(x_i)), comp (n x G: log pi_k phi_k(x_i)).
inline double e_step(const double* X, std::size_t n, std::size_t p, const mixture_parameters& par,
                     const factors& f, int threads, double* z, double* logdens, double* comp) {
  const std::size_t G = par.G;
  constexpr std::size_t M = kRows;
  const std::size_t nchunk = chunk_count(n, M);
  std::vector<double> part(nchunk, 0.0);
  std::vector<double> mu(G * p);  // component k's mean contiguous
  for (std::size_t k = 0; k < G; ++k)
    for (std::size_t c = 0; c < p; ++c) mu[k * p + c] = par.means[c * G + k];
  parallel_chunks(n, M, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
    const std::size_t m = e - b;
    scratch_buffers& s = scratch();
    if (s.P.size() < p * M) s.P.resize(p * M);
    if (s.Y.size() < p * 16) s.Y.resize(p * 16);
    if (s.q.size() < M) s.q.resize(M);
    if (s.ld.size() < G * M) s.ld.resize(G * M);
    double* P = s.P.data();
    double* ld = s.ld.data();
    double* q = s.q.data();
    for (std::size_t c = 0; c < p; ++c) {
      std::copy(X + c * n + b, X + c * n + e, P + c * M);
      std::fill(P + c * M + m, P + (c + 1) * M, 0.0);
    }
    for (std::size_t k = 0; k < G; ++k) {
      quad(P, p, mu.data() + k * p, f.rows.data() + k * p * p, f.inv_diag.data() + k * p, f.diagonal,
           s.Y.data(), q);
      double* out = ld + k * M;
      const double cst = f.constant[k];
      for (std::size_t i = 0; i < m; ++i) out[i] = cst - 0.5 * q[i];
      if (comp) std::copy(out, out + m, comp + k * n + b);
    }
    double total = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      double mx = ld[i];
      for (std::size_t k = 1; k < G; ++k) mx = std::max(mx, ld[k * M + i]);
      double sum = 0.0;
      for (std::size_t k = 0; k < G; ++k) {
        const double v = std::exp(ld[k * M + i] - mx);
        ld[k * M + i] = v;
        sum += v;
      }
      const double lse = mx + std::log(sum);
      if (z) {
        const double inv = 1.0 / sum;
        for (std::size_t k = 0; k < G; ++k) z[k * n + b + i] = ld[k * M + i] * inv;
      }
      if (logdens) logdens[b + i] = lse;
      total += lse;
    }
    part[ch] = total;
  });
  double ll = 0.0;
  for (double v : part) ll += v;
  return ll;
}

// M-step: new parameters from the responsibilities z. Returns ok, or empty /
// nonfinite with `bad` the component. Work is split into tasks of (component,
// block of kSumRows rows); each task's partial sums are stored and added in
// block order.
inline mixture_status m_step(const double* X, std::size_t n, std::size_t p, const double* z,
                             const mixture_options& o, mixture_parameters& par, long& bad) {
  const std::size_t G = o.components;
  const int threads = o.threads;
  par.G = G;
  par.p = p;
  par.proportions.assign(G, 0.0);
  par.means.assign(G * p, 0.0);
  par.covariances.assign(p * p * G, 0.0);
  const std::size_t kSumRows = sum_block_rows(n, p, G);
  const std::size_t nblock = chunk_count(n, kSumRows);
  // Pass 1: N_k and sum_i z_ik x_i.
  const std::size_t stride = p + 1;
  std::vector<double> part(G * nblock * stride, 0.0);
  parallel_tasks(G * nblock, threads, [&](std::size_t t) {
    const std::size_t k = t / nblock, blk = t % nblock;
    const std::size_t b = blk * kSumRows, e = std::min(n, b + kSumRows);
    weighted_sums(X, n, p, z + k * n, b, e, part.data() + t * stride);
  });
  std::vector<double> N(G, 0.0);
  const double nd = static_cast<double>(n);
  std::vector<double> mu(G * p, 0.0);  // component k's mean contiguous
  for (std::size_t k = 0; k < G; ++k) {
    std::vector<double> tot(stride, 0.0);
    for (std::size_t blk = 0; blk < nblock; ++blk)
      for (std::size_t c = 0; c < stride; ++c) tot[c] += part[(k * nblock + blk) * stride + c];
    N[k] = tot[0];
    if (!(N[k] > std::sqrt(DBL_EPSILON))) {
      bad = static_cast<long>(k);
      return mixture_status::empty;
    }
    par.proportions[k] = N[k] / nd;
    for (std::size_t c = 0; c < p; ++c) {
      mu[k * p + c] = tot[1 + c] / N[k];
      par.means[c * G + k] = mu[k * p + c];
    }
  }
  // Pass 2: the weighted scatter about the new means (upper triangle, or
  // the diagonal only for the diagonal and spherical families).
  const bool diag_only = o.shape != mixture_shape::full;
  std::vector<double> spart(G * nblock * p * p, 0.0);
  parallel_tasks(G * nblock, threads, [&](std::size_t t) {
    const std::size_t k = t / nblock, blk = t % nblock;
    const std::size_t b = blk * kSumRows, e = std::min(n, b + kSumRows);
    scratch_buffers& s = scratch();
    if (s.D.size() < p * kRows) s.D.resize(p * kRows);
    if (s.Dw.size() < p * kRows) s.Dw.resize(p * kRows);
    weighted_scatter(X, n, p, z + k * n, mu.data() + k * p, b, e, diag_only, s.D.data(), s.Dw.data(),
                     spart.data() + t * p * p);
  });
  std::vector<double> W(p * p * G, 0.0);
  for (std::size_t k = 0; k < G; ++k) {
    double* Wk = W.data() + k * p * p;
    for (std::size_t blk = 0; blk < nblock; ++blk) {
      const double* sp = spart.data() + (k * nblock + blk) * p * p;
      for (std::size_t t = 0; t < p * p; ++t) Wk[t] += sp[t];
    }
    // Stored as W[j * p + c] for c >= j: mirror into the full matrix.
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t c = j + 1; c < p; ++c) Wk[c * p + j] = Wk[j * p + c];
  }
  // Covariances of the family.
  std::vector<double> pooled;
  if (o.shared) {
    pooled.assign(p * p, 0.0);
    for (std::size_t k = 0; k < G; ++k)
      for (std::size_t t = 0; t < p * p; ++t) pooled[t] += W[k * p * p + t];
  }
  for (std::size_t k = 0; k < G; ++k) {
    const double* Wk = o.shared ? pooled.data() : W.data() + k * p * p;
    const double div = o.shared ? nd : N[k];
    double* S = par.covariances.data() + k * p * p;
    if (o.shape == mixture_shape::full) {
      for (std::size_t t = 0; t < p * p; ++t) S[t] = Wk[t] / div;
    } else if (o.shape == mixture_shape::diagonal) {
      for (std::size_t c = 0; c < p; ++c) S[c * p + c] = Wk[c * p + c] / div;
    } else {
      double tr = 0.0;
      for (std::size_t c = 0; c < p; ++c) tr += Wk[c * p + c];
      const double v = tr / (static_cast<double>(p) * div);
      for (std::size_t c = 0; c < p; ++c) S[c * p + c] = v;
    }
    for (std::size_t c = 0; c < p; ++c) S[c * p + c] += o.regularization;
    for (std::size_t t = 0; t < p * p; ++t) {
      if (!std::isfinite(S[t])) {
        bad = static_cast<long>(k);
        return mixture_status::nonfinite;
      }
    }
  }
  return mixture_status::ok;
}

struct run_state {
  mixture_parameters par;
  std::vector<double> z;
  std::vector<double> path;
  std::vector<double> trace;
  double loglik = std::numeric_limits<double>::quiet_NaN();
  std::size_t iterations = 0;
  bool converged = false;
  mixture_status status = mixture_status::ok;
  long bad = -1;
};

// EM from the responsibilities in st.z.
inline void run_em(const double* X, std::size_t n, std::size_t p, const mixture_options& o,
                   run_state& st) {
  const bool diagonal = o.shape != mixture_shape::full;
  factors f;
  double prev = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t it = 0; it < o.max_iter; ++it) {
    if (hooks::aborted()) return;
    st.status = m_step(X, n, p, st.z.data(), o, st.par, st.bad);
    if (st.status != mixture_status::ok) return;
    if (o.trace) {
      st.trace.insert(st.trace.end(), st.par.proportions.begin(), st.par.proportions.end());
      st.trace.insert(st.trace.end(), st.par.means.begin(), st.par.means.end());
      st.trace.insert(st.trace.end(), st.par.covariances.begin(), st.par.covariances.end());
    }
    st.bad = factor(st.par, diagonal, f);
    if (st.bad >= 0) {
      st.status = mixture_status::singular;
      return;
    }
    const double ll = e_step(X, n, p, st.par, f, o.threads, st.z.data(), nullptr, nullptr);
    st.iterations = it + 1;
    st.path.push_back(ll);
    st.loglik = ll;
    if (!std::isfinite(ll)) {
      st.status = mixture_status::nonfinite;
      return;
    }
    if (it > 0 && std::fabs(ll - prev) / (1.0 + std::fabs(ll)) <= o.tol) {
      st.converged = true;
      return;
    }
    prev = ll;
  }
}

}  // namespace mixture_detail

// Gaussian mixture of the n x p column-major X. `start_z` (n x G,
// column-major, rows summing to one) gives the starting responsibilities; if
// null, G = 1 starts from all ones and G > 1 from `starts` k-means++ / k-means
// partitions.
inline mixture_result gaussian_mixture(const double* X, std::size_t n, std::size_t p,
                                       const mixture_options& o, const double* start_z = nullptr) {
  using namespace mixture_detail;
  mixture_result best;
  const std::size_t G = o.components;
  const std::size_t starts = (start_z != nullptr || G == 1) ? 1 : o.starts;
  with_threads(o.threads, [&] {
    double best_ll = -std::numeric_limits<double>::infinity();
    bool have = false;
    for (std::size_t s = 0; s < starts; ++s) {
      if (hooks::aborted()) return;
      run_state st;
      if (start_z != nullptr) {
        st.z.assign(start_z, start_z + n * G);
      } else if (G == 1) {
        st.z.assign(n, 1.0);
      } else {
        kmeans_options ko;
        ko.k = G;
        ko.starts = 1;
        ko.max_iter = o.kmeans_iter;
        ko.init = kmeans_init::plus_plus;
        ko.algorithm = kmeans_algorithm::hamerly;
        stream rng(o.seed, s);
        ko.seed = rng.next();
        ko.threads = o.threads;
        const kmeans_result km = kmeans(X, n, p, ko);
        if (hooks::aborted()) return;
        st.z.assign(n * G, 0.0);
        for (std::size_t i = 0; i < n; ++i) st.z[static_cast<std::size_t>(km.cluster[i]) * n + i] = 1.0;
      }
      run_em(X, n, p, o, st);
      if (hooks::aborted()) return;
      const bool ok = st.status == mixture_status::ok;
      best.start_loglik.push_back(ok ? st.loglik : std::numeric_limits<double>::quiet_NaN());
      if (ok && (!have || st.loglik > best_ll)) {
        have = true;
        best_ll = st.loglik;
        best.par = std::move(st.par);
        best.z = std::move(st.z);
        best.loglik_path = std::move(st.path);
        best.trace = std::move(st.trace);
        best.loglik = st.loglik;
        best.iterations = st.iterations;
        best.converged = st.converged;
        best.best_start = s;
        best.status = mixture_status::ok;
        best.bad_component = -1;
      } else if (!have) {
        best.status = st.status;
        best.bad_component = st.bad;
        best.iterations = st.iterations;
        best.loglik_path = std::move(st.path);
      }
    }
  });
  return best;
}

// Log densities of the rows of X (n x p) under a fitted mixture: comp (n x G)
// log pi_k phi_k(x_i), logdens (n) log f(x_i), z (n x G) responsibilities;
// any may be null. Returns -1, or the first component whose covariance is
// singular (then nothing is written).
inline long mixture_log_densities(const double* X, std::size_t n, std::size_t p,
                                  const mixture_parameters& par, bool diagonal, int threads,
                                  double* comp, double* logdens, double* z) {
  mixture_detail::factors f;
  const long bad = mixture_detail::factor(par, diagonal, f);
  if (bad >= 0) return bad;
  with_threads(threads, [&] { mixture_detail::e_step(X, n, p, par, f, threads, z, logdens, comp); });
  return -1;
}

}  // namespace statlearn

#endif
