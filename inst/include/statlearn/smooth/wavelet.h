// statlearn/smooth/wavelet.h -- the discrete wavelet transform and wavelet
// shrinkage (ESL 5.9).
//
// Transform. A signal x of length N = 2^J is transformed by Mallat's pyramid
// algorithm with periodic boundary: with the scaling (low-pass) filter
// h_0..h_{L-1} and the wavelet (high-pass) filter g_l = (-1)^l h_{L-1-l},
// one step maps an approximation a of length M to
//   a'_k = sum_l h_l a_{(2k + l) mod M},  d_k = sum_l g_l a_{(2k + l) mod M},
// k = 0..M/2-1, an orthogonal map of R^M onto R^{M/2} x R^{M/2}. Starting
// from a = x and repeating on a' gives, after `levels` steps, the scaling
// coefficients V_{j0} (2^{j0} of them, j0 = J - levels) and the detail
// coefficients W_j (2^j of them) for j = j0..J-1, stored in place in one
// array of length N in the order [V_{j0}, W_{j0}, W_{j0+1}, ..., W_{J-1}]:
// W_j occupies positions 2^j .. 2^{j+1}-1 (0-based). The whole transform is
// an orthogonal N x N matrix (sum of squares preserved, inverse = transpose).
// The inverse runs the steps backwards,
//   a_{(2k + l) mod M} += h_l a'_k + g_l d_k.
// Each step costs L M operations, the transform about 2 L N; one work buffer
// of length N is reused for every step.
//
// A step needs M >= L (a filter no longer than the approximation it filters),
// so a filter of L taps allows at most J - max(0, ceil(log2 L) - 1) levels.
//
// Filters (orthonormal: sum h = sqrt 2, sum h^2 = 1, sum_l h_l h_{l+2m} = 0
// for m != 0; the wavelet filter has L/2 vanishing moments,
// sum_l l^p g_l = 0 for p < L/2):
//   haar      2 taps, (1, 1) / sqrt 2
//   d4        Daubechies' extremal-phase filter with 2 vanishing moments,
//             (1 + sqrt 3, 3 + sqrt 3, 3 - sqrt 3, 1 - sqrt 3) / (4 sqrt 2)
//   d8        Daubechies' extremal-phase filter with 4 vanishing moments
//   symmlet8  Daubechies' least-asymmetric filter with 4 vanishing moments
//             (the "symmlet 8" of ESL Figures 5.16-5.18)
// The d8 and symmlet8 values were computed here by the spectral factorisation
// of Daubechies' polynomial P(y) = sum_{k<4} C(3+k, k) y^k (choosing the roots
// of the Laurent polynomial inside the unit circle for d8; the real root
// outside and the complex pair inside for the least-asymmetric one) and agree
// with the published tables (Daubechies 1992, Ten Lectures on Wavelets,
// Tables 6.1 and 6.3) to all the digits those give.
//
// Shrinkage (Donoho and Johnstone). The detail coefficients of levels
// j0..J-1 are thresholded, the scaling coefficients V_{j0} are kept:
//   soft  d -> sign(d) (|d| - lambda)_+      hard  d -> d 1{|d| > lambda}.
// sigma = median |d| over the finest level W_{J-1}, divided by 0.6745
// (unless given). Thresholds:
//   universal  lambda = sigma sqrt(2 log N) at every level;
//   sure       at each level, with x = d / sigma (n coefficients), the t in
//              [0, sqrt(2 log n)] minimising Stein's unbiased estimate of the
//              risk of soft thresholding
//                SURE(t) = n - 2 #{i: |x_i| <= t} + sum_i min(|x_i|, t)^2;
//              the minimum lies at t = 0 or at one of the |x_i|, found in
//              O(n log n) after sorting; lambda_j = sigma t;
//   hybrid     sure, except at a level whose coefficients look sparse,
//              (sum x_i^2 - n) / n <= (log2 n)^{3/2} / sqrt(n), where the
//              level's universal threshold sigma sqrt(2 log n) is used
//              (Donoho and Johnstone 1995, SureShrink's hybrid rule);
//   fixed      a given lambda at every level.
#ifndef STATLEARN_WAVELET_H
#define STATLEARN_WAVELET_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"

namespace statlearn {

enum class wavelet_kind { haar = 0, d4 = 1, d8 = 2, symmlet8 = 3 };

struct wavelet_filter {
  std::vector<double> h;  // scaling (low-pass) filter
  std::vector<double> g;  // wavelet (high-pass) filter, g_l = (-1)^l h_{L-1-l}
};

inline wavelet_filter make_wavelet_filter(wavelet_kind kind) {
  wavelet_filter f;
  switch (kind) {
    case wavelet_kind::haar: {
      const double r = 1.0 / std::sqrt(2.0);
      f.h = {r, r};
      break;
    }
    case wavelet_kind::d4: {
      const double s3 = std::sqrt(3.0), c = 4.0 * std::sqrt(2.0);
      f.h = {(1.0 + s3) / c, (3.0 + s3) / c, (3.0 - s3) / c, (1.0 - s3) / c};
      break;
    }
    case wavelet_kind::d8:
      f.h = {0.23037781330889653,  0.71484657055291589, 0.63088076792985892,  -0.027983769416859958,
             -0.18703481171909314, 0.030841381835560764, 0.032883011666885203, -0.010597401785069033};
      break;
    case wavelet_kind::symmlet8:
      f.h = {-0.075765714789502225, -0.029635527646002528, 0.49761866763277501,  0.80373875180513221,
             0.29785779560530612,   -0.099219543576633512, -0.012603967262031328, 0.032223100604051466};
      break;
    default:
      throw std::invalid_argument("unknown wavelet");
  }
  const std::size_t L = f.h.size();
  f.g.resize(L);
  for (std::size_t l = 0; l < L; ++l) f.g[l] = ((l % 2 == 0) ? 1.0 : -1.0) * f.h[L - 1 - l];
  return f;
}

// log2 of a power of two.
inline int wavelet_log2(std::size_t n) {
  int J = 0;
  while ((std::size_t(1) << J) < n) ++J;
  return J;
}

// The coarsest level a filter of L taps reaches: the last step filters an
// approximation of length 2^(j0 + 1) >= L.
inline int wavelet_min_level(std::size_t L) {
  const int c = wavelet_log2(L);
  return c > 0 ? c - 1 : 0;
}

namespace wavelet_detail {

// One analysis step: a (length M, a power of two >= 2) -> out[0..M/2) the
// approximation, out[M/2..M) the details.
inline void analysis_step(const double* a, std::size_t M, const wavelet_filter& f, double* out) {
  const std::size_t half = M / 2, L = f.h.size(), mask = M - 1;
  const double* h = f.h.data();
  const double* g = f.g.data();
  for (std::size_t k = 0; k < half; ++k) {
    double s = 0.0, d = 0.0;
    const std::size_t base = 2 * k;
    if (base + L <= M) {
      const double* x = a + base;
      for (std::size_t l = 0; l < L; ++l) {
        s += h[l] * x[l];
        d += g[l] * x[l];
      }
    } else {
      for (std::size_t l = 0; l < L; ++l) {
        const double v = a[(base + l) & mask];
        s += h[l] * v;
        d += g[l] * v;
      }
    }
    out[k] = s;
    out[half + k] = d;
  }
}

// One synthesis step, the transpose of analysis_step: in[0..M/2) the
// approximation, in[M/2..M) the details -> a (length M).
inline void synthesis_step(const double* in, std::size_t M, const wavelet_filter& f, double* a) {
  const std::size_t half = M / 2, L = f.h.size(), mask = M - 1;
  const double* h = f.h.data();
  const double* g = f.g.data();
  std::fill(a, a + M, 0.0);
  for (std::size_t k = 0; k < half; ++k) {
    const double s = in[k], d = in[half + k];
    const std::size_t base = 2 * k;
    if (base + L <= M) {
      double* x = a + base;
      for (std::size_t l = 0; l < L; ++l) x[l] += h[l] * s + g[l] * d;
    } else {
      for (std::size_t l = 0; l < L; ++l) a[(base + l) & mask] += h[l] * s + g[l] * d;
    }
  }
}

}  // namespace wavelet_detail

// Forward transform of data[0..N) in place, `levels` steps; work has length N.
inline void dwt_forward(double* data, std::size_t N, int levels, const wavelet_filter& f, double* work) {
  std::size_t M = N;
  for (int s = 0; s < levels; ++s) {
    wavelet_detail::analysis_step(data, M, f, work);
    std::copy(work, work + M, data);
    M /= 2;
  }
}

// Inverse of dwt_forward, in place.
inline void dwt_inverse(double* data, std::size_t N, int levels, const wavelet_filter& f, double* work) {
  std::size_t M = N >> (levels - 1);
  for (int s = 0; s < levels; ++s) {
    wavelet_detail::synthesis_step(data, M, f, work);
    std::copy(work, work + M, data);
    M *= 2;
  }
}

// Columns per parallel chunk: about 2^16 numbers, fixed by N alone.
inline std::size_t wavelet_grain(std::size_t N) { return std::max<std::size_t>(1, 65536 / std::max<std::size_t>(N, 1)); }

// Transform (or invert) each of the p columns of X (N x p, column-major) into
// out (may equal X), in parallel over fixed chunks of columns.
inline void dwt_columns(const double* X, std::size_t N, std::size_t p, int levels, const wavelet_filter& f,
                        bool inverse, double* out, int threads) {
  parallel_chunks(p, wavelet_grain(N), threads, [&](std::size_t b, std::size_t e, std::size_t) {
    std::vector<double> work(N);
    for (std::size_t j = b; j < e; ++j) {
      double* col = out + j * N;
      if (col != X + j * N) std::copy(X + j * N, X + (j + 1) * N, col);
      if (inverse) {
        dwt_inverse(col, N, levels, f, work.data());
      } else {
        dwt_forward(col, N, levels, f, work.data());
      }
    }
  });
}

// ---------------------------------------------------------------- shrinkage

enum class wavelet_threshold { universal = 0, sure = 1, hybrid = 2, fixed = 3 };
enum class wavelet_rule { soft = 0, hard = 1 };

inline double soft_threshold(double d, double lambda) {
  const double a = std::fabs(d) - lambda;
  return a > 0.0 ? std::copysign(a, d) : 0.0;
}

inline double hard_threshold(double d, double lambda) { return std::fabs(d) > lambda ? d : 0.0; }

// median |d_i| / 0.6745; buf is scratch.
inline double wavelet_mad_sigma(const double* d, std::size_t n, std::vector<double>& buf) {
  buf.resize(n);
  for (std::size_t i = 0; i < n; ++i) buf[i] = std::fabs(d[i]);
  const std::size_t m = n / 2;
  std::nth_element(buf.begin(), buf.begin() + m, buf.end());
  double med = buf[m];
  if (n % 2 == 0) med = 0.5 * (med + *std::max_element(buf.begin(), buf.begin() + m));
  return med / 0.6745;
}

// The SURE threshold (on the scale of x = d / sigma) of one level: the t in
// [0, sqrt(2 log n)] minimising SURE(t); ties go to the smallest t. Also
// returns the minimum in *risk when given. buf is scratch.
inline double sure_threshold(const double* d, std::size_t n, double sigma, std::vector<double>& buf,
                             double* risk = nullptr) {
  buf.resize(n);
  for (std::size_t i = 0; i < n; ++i) buf[i] = std::fabs(d[i]) / sigma;
  std::sort(buf.begin(), buf.end());
  const double upper = std::sqrt(2.0 * std::log(static_cast<double>(n)));
  const double dn = static_cast<double>(n);
  // t = 0: every |x| <= 0 counts (zeros), no squared part.
  std::size_t zeros = 0;
  while (zeros < n && buf[zeros] == 0.0) ++zeros;
  double best_t = 0.0, best = dn - 2.0 * static_cast<double>(zeros);
  double cum = 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const double t = buf[k];
    cum += t * t;
    if (t > upper) break;
    // at t = buf[k]: k + 1 values are <= t (the last of a run of ties counts all of it)
    const double r = dn - 2.0 * static_cast<double>(k + 1) + cum + static_cast<double>(n - k - 1) * t * t;
    if (r < best) {
      best = r;
      best_t = t;
    }
  }
  if (risk != nullptr) *risk = best;
  return best_t;
}

struct wavelet_smooth_options {
  wavelet_kind kind = wavelet_kind::symmlet8;
  int levels = 1;  // transform steps: the coarsest level is J - levels
  wavelet_threshold threshold = wavelet_threshold::sure;
  wavelet_rule rule = wavelet_rule::soft;
  double lambda = 0.0;  // for wavelet_threshold::fixed
  int threads = 1;
};

struct wavelet_smooth_result {
  std::vector<double> fitted;      // N x p
  std::vector<double> raw;         // N x p transform coefficients
  std::vector<double> shrunk;      // N x p thresholded coefficients
  std::vector<double> thresholds;  // levels x p, coarsest detail level first
  std::vector<double> sigma;       // p
};

// Smooth each column of Y (N x p) by wavelet shrinkage. sigma_in: p values,
// a NaN (or a non-positive value) is estimated from the column's finest details.
inline wavelet_smooth_result wavelet_smooth(const double* Y, std::size_t N, std::size_t p,
                                            const wavelet_smooth_options& o, const double* sigma_in) {
  const wavelet_filter f = make_wavelet_filter(o.kind);
  const int J = wavelet_log2(N), levels = o.levels, j0 = J - levels;
  wavelet_smooth_result r;
  r.fitted.resize(N * p);
  r.raw.resize(N * p);
  r.shrunk.resize(N * p);
  r.thresholds.resize(static_cast<std::size_t>(levels) * p);
  r.sigma.resize(p);
  parallel_chunks(p, wavelet_grain(N), o.threads, [&](std::size_t b, std::size_t e, std::size_t) {
    std::vector<double> work(N), buf;
    for (std::size_t c = b; c < e; ++c) {
      double* raw = r.raw.data() + c * N;
      std::copy(Y + c * N, Y + (c + 1) * N, raw);
      dwt_forward(raw, N, levels, f, work.data());
      double sigma = sigma_in[c];
      if (!(sigma > 0.0)) sigma = wavelet_mad_sigma(raw + N / 2, N / 2, buf);
      r.sigma[c] = sigma;
      double* out = r.shrunk.data() + c * N;
      std::copy(raw, raw + N, out);
      for (int j = j0; j < J; ++j) {
        const std::size_t start = std::size_t(1) << j, n = start;
        double* d = out + start;
        double lambda = 0.0;
        if (o.threshold == wavelet_threshold::fixed) {
          lambda = o.lambda;
        } else if (o.threshold == wavelet_threshold::universal) {
          lambda = sigma * std::sqrt(2.0 * std::log(static_cast<double>(N)));
        } else if (sigma > 0.0) {
          bool sparse = false;
          if (o.threshold == wavelet_threshold::hybrid) {
            double ss = 0.0;
            for (std::size_t i = 0; i < n; ++i) ss += (d[i] / sigma) * (d[i] / sigma);
            const double dn = static_cast<double>(n);
            sparse = (ss - dn) / dn <= std::pow(std::log2(dn), 1.5) / std::sqrt(dn);
          }
          lambda = sparse ? sigma * std::sqrt(2.0 * std::log(static_cast<double>(n)))
                          : sigma * sure_threshold(d, n, sigma, buf);
        }
        r.thresholds[c * levels + (j - j0)] = lambda;
        if (o.rule == wavelet_rule::soft) {
          for (std::size_t i = 0; i < n; ++i) d[i] = soft_threshold(d[i], lambda);
        } else {
          for (std::size_t i = 0; i < n; ++i) d[i] = hard_threshold(d[i], lambda);
        }
      }
      double* fit = r.fitted.data() + c * N;
      std::copy(out, out + N, fit);
      dwt_inverse(fit, N, levels, f, work.data());
    }
  });
  return r;
}

}  // namespace statlearn

#endif
