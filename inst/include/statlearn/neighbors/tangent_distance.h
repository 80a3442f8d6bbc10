// statlearn/neighbors/tangent_distance.h -- tangent distance between images
// (ESL 13.3.3; Simard, LeCun and Denker 1993).
//
// An image x (height x width grey levels, stored row by row) moved by a small
// translation, rotation, scaling, shear or change of line thickness traces a
// curve in R^p; its tangent at x is a combination of the image gradients
// Ix = dI/dcolumn and Iy = dI/drow weighted by the pixel coordinates
// (u, v) = (column, row) measured from the image centre:
//
//   translate_x  Ix                 translate_y     Iy
//   rotate       v Ix - u Iy        scale           u Ix + v Iy
//   shear_parallel u Ix - v Iy      shear_diagonal  v Ix + u Iy
//   thickness    Ix^2 + Iy^2        (displacement along the gradient)
//
// The gradients are central differences (one-sided at the border) of the
// image smoothed by a Gaussian of standard deviation `smoothing` pixels
// (borders replicated); the distance itself is between the unsmoothed images.
// Each image's tangents are orthonormalised (modified Gram-Schmidt, twice;
// a tangent within 1e-7 of the span of the earlier ones, relative to the
// largest, is dropped), giving a basis Q of its tangent plane.
//
// One-sided distance: from a to the tangent plane of b,
//   d1(a, b)^2 = min_t ||a - b - Q_b t||^2 = ||d||^2 - ||Q_b'd||^2,  d = a - b.
// Two-sided: between the two tangent planes,
//   d2(a, b)^2 = min_{s,t} ||a + Q_a s - b - Q_b t||^2
//             = ||d||^2 - ||Q_a'd||^2 - e' G^+ e,
// with M = Q_a'Q_b, e = Q_b'd - M'Q_a'd and G = I - M'M the Gram matrix of
// Q_b's part orthogonal to Q_a; G is factored by a Cholesky that drops pivots
// below 1e-10 (directions of Q_b already in Q_a's plane). A least-squares
// problem in at most 14 unknowns per pair; the result is clamped at 0. The
// bases are stored interleaved (pixel by pixel), so one pass over the pixels
// forms d'd, Q_a'd, Q_b'd and M with independent accumulators.
//
// The search: each query's `candidates` nearest training images by Euclidean
// distance (the exact blocked search of knn_search.h) are ranked by tangent
// distance, ties by training index; candidates >= n ranks every training image
// (exhaustive). Parallel over fixed blocks of queries, each query computed by
// one task alone, so results are the same for any number of threads.
#ifndef STATLEARN_TANGENT_DISTANCE_H
#define STATLEARN_TANGENT_DISTANCE_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/neighbors/knn_search.h"

namespace statlearn {

enum tangent_kind : int {
  tangent_translate_x = 0,
  tangent_translate_y,
  tangent_rotate,
  tangent_scale,
  tangent_shear_parallel,
  tangent_shear_diagonal,
  tangent_thickness,
  tangent_kinds
};

struct tangent_options {
  std::size_t height = 16, width = 16;
  std::vector<int> kinds;  // tangent_kind values, in order
  double smoothing = 0.0;  // standard deviation of the Gaussian, pixels; 0: none
  bool two_sided = true;
};

namespace tangent_detail {

// Separable Gaussian smoothing with replicated borders, into `out`.
inline void smooth(const double* img, std::size_t h, std::size_t w, double sigma,
                   std::vector<double>& out, std::vector<double>& tmp) {
  const std::size_t p = h * w;
  out.assign(img, img + p);
  if (!(sigma > 0.0)) return;
  const long r = static_cast<long>(std::ceil(3.0 * sigma));
  std::vector<double> kern(2 * r + 1);
  double tot = 0.0;
  for (long j = -r; j <= r; ++j) {
    kern[j + r] = std::exp(-0.5 * (j * j) / (sigma * sigma));
    tot += kern[j + r];
  }
  for (double& k : kern) k /= tot;
  tmp.assign(p, 0.0);
  const long H = static_cast<long>(h), W = static_cast<long>(w);
  for (long row = 0; row < H; ++row) {
    for (long col = 0; col < W; ++col) {
      double s = 0.0;
      for (long j = -r; j <= r; ++j) {
        const long c = std::min(std::max(col + j, 0L), W - 1);
        s += kern[j + r] * img[row * W + c];
      }
      tmp[row * W + col] = s;
    }
  }
  for (long row = 0; row < H; ++row) {
    for (long col = 0; col < W; ++col) {
      double s = 0.0;
      for (long j = -r; j <= r; ++j) {
        const long rr = std::min(std::max(row + j, 0L), H - 1);
        s += kern[j + r] * tmp[rr * W + col];
      }
      out[row * W + col] = s;
    }
  }
}

// Derivative along one axis by central differences, one-sided at the ends.
inline double diff(const double* s, long i, long n, long stride) {
  if (n < 2) return 0.0;
  if (i == 0) return s[stride] - s[0];
  if (i == n - 1) return s[(n - 1) * stride] - s[(n - 2) * stride];
  return 0.5 * (s[(i + 1) * stride] - s[(i - 1) * stride]);
}

struct scratch_space {
  std::vector<double> smooth, tmp;
};

}  // namespace tangent_detail

// The raw tangent vectors of one image: T (p x L, column-major), L = kinds.
inline void image_tangents(const double* img, const tangent_options& o, double* T,
                           tangent_detail::scratch_space& ws) {
  const std::size_t h = o.height, w = o.width, p = h * w, L = o.kinds.size();
  tangent_detail::smooth(img, h, w, o.smoothing, ws.smooth, ws.tmp);
  const double* s = ws.smooth.data();
  const double uc = 0.5 * (static_cast<double>(w) - 1.0), vc = 0.5 * (static_cast<double>(h) - 1.0);
  for (std::size_t row = 0; row < h; ++row) {
    for (std::size_t col = 0; col < w; ++col) {
      const std::size_t i = row * w + col;
      const double ix = tangent_detail::diff(s + row * w, static_cast<long>(col),
                                             static_cast<long>(w), 1);
      const double iy = tangent_detail::diff(s + col, static_cast<long>(row),
                                             static_cast<long>(h), static_cast<long>(w));
      const double u = static_cast<double>(col) - uc, v = static_cast<double>(row) - vc;
      for (std::size_t l = 0; l < L; ++l) {
        double t = 0.0;
        switch (o.kinds[l]) {
          case tangent_translate_x: t = ix; break;
          case tangent_translate_y: t = iy; break;
          case tangent_rotate: t = v * ix - u * iy; break;
          case tangent_scale: t = u * ix + v * iy; break;
          case tangent_shear_parallel: t = u * ix - v * iy; break;
          case tangent_shear_diagonal: t = v * ix + u * iy; break;
          case tangent_thickness: t = ix * ix + iy * iy; break;
          default: break;
        }
        T[l * p + i] = t;
      }
    }
  }
}

// Orthonormalise the L columns of T (p x L) in place; returns the rank r (the
// first r columns are then the basis, the rest zero).
inline std::size_t orthonormalise(double* T, std::size_t p, std::size_t L) {
  double biggest = 0.0;
  for (std::size_t l = 0; l < L; ++l) {
    double s = 0.0;
    for (std::size_t i = 0; i < p; ++i) s += T[l * p + i] * T[l * p + i];
    biggest = std::max(biggest, std::sqrt(s));
  }
  std::size_t r = 0;
  for (std::size_t l = 0; l < L; ++l) {
    double* v = T + l * p;
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t j = 0; j < r; ++j) {
        const double* q = T + j * p;
        double c = 0.0;
        for (std::size_t i = 0; i < p; ++i) c += q[i] * v[i];
        for (std::size_t i = 0; i < p; ++i) v[i] -= c * q[i];
      }
    }
    double s = 0.0;
    for (std::size_t i = 0; i < p; ++i) s += v[i] * v[i];
    s = std::sqrt(s);
    double* dst = T + r * p;
    if (biggest > 0.0 && s > 1e-7 * biggest) {
      for (std::size_t i = 0; i < p; ++i) dst[i] = v[i] / s;
      ++r;
    }
  }
  for (std::size_t l = r; l < L; ++l) std::fill(T + l * p, T + (l + 1) * p, 0.0);
  return r;
}

// Width of the interleaved basis storage: pixel i's coefficients of the
// (up to 7) basis vectors at Q[i * kWidth + l], unused columns zero. One pass
// over the pixels then forms every inner product the distance needs with
// independent accumulators (the pass is bound by arithmetic, not by the
// latency of one long sum).
constexpr std::size_t kWidth = tangent_kinds;

// The orthonormal tangent basis of one image, interleaved into Q (p x kWidth,
// row-major); returns its rank. T is scratch of p * L.
inline std::size_t interleaved_basis(const double* img, const tangent_options& o, double* Q,
                                     std::vector<double>& T, tangent_detail::scratch_space& ws) {
  const std::size_t p = o.height * o.width, L = o.kinds.size();
  T.resize(p * L);
  image_tangents(img, o, T.data(), ws);
  const std::size_t r = orthonormalise(T.data(), p, L);
  for (std::size_t i = 0; i < p; ++i) {
    for (std::size_t l = 0; l < kWidth; ++l) Q[i * kWidth + l] = l < r ? T[l * p + i] : 0.0;
  }
  return r;
}

// Squared tangent distance between images a and b with orthonormal tangent
// bases Qa (rank ra; unused when one-sided) and Qb (rank rb), both
// interleaved (p x kWidth, row-major).
inline double tangent_distance_sq(const double* a, const double* b, std::size_t p,
                                  const double* Qa, std::size_t ra, const double* Qb,
                                  std::size_t rb, bool two_sided) {
  constexpr std::size_t W = kWidth;
  double dd = 0.0;
  double gb[W] = {0}, ga[W] = {0};
  if (!two_sided || ra == 0) {
    for (std::size_t i = 0; i < p; ++i) {
      const double d = a[i] - b[i];
      dd += d * d;
      const double* qb = Qb + i * W;
      for (std::size_t l = 0; l < W; ++l) gb[l] += qb[l] * d;
    }
    double s = dd;
    for (std::size_t l = 0; l < rb; ++l) s -= gb[l] * gb[l];
    return std::max(s, 0.0);
  }
  double M[W][W] = {{0}};  // M[l][j] = Qa_l' Qb_j
  for (std::size_t i = 0; i < p; ++i) {
    const double d = a[i] - b[i];
    dd += d * d;
    const double* qa = Qa + i * W;
    const double* qb = Qb + i * W;
    for (std::size_t l = 0; l < W; ++l) {
      gb[l] += qb[l] * d;
      ga[l] += qa[l] * d;
    }
    for (std::size_t l = 0; l < W; ++l) {
      const double al = qa[l];
      for (std::size_t j = 0; j < W; ++j) M[l][j] += al * qb[j];
    }
  }
  double e[W], G[W][W];
  for (std::size_t j = 0; j < rb; ++j) {
    double s = gb[j];
    for (std::size_t l = 0; l < ra; ++l) s -= M[l][j] * ga[l];
    e[j] = s;
    for (std::size_t k = 0; k <= j; ++k) {
      double g = (j == k) ? 1.0 : 0.0;
      for (std::size_t l = 0; l < ra; ++l) g -= M[l][j] * M[l][k];
      G[j][k] = g;  // lower triangle
    }
  }
  // Cholesky G = C C' with dropped pivots; z = C^-1 e over the kept columns.
  double C[W][W] = {{0}}, z[W] = {0};
  bool keep[W] = {false};
  double proj = 0.0;
  for (std::size_t j = 0; j < rb; ++j) {
    double d = G[j][j];
    for (std::size_t k = 0; k < j; ++k)
      if (keep[k]) d -= C[j][k] * C[j][k];
    if (!(d > 1e-10)) continue;
    keep[j] = true;
    const double cjj = std::sqrt(d);
    C[j][j] = cjj;
    for (std::size_t i = j + 1; i < rb; ++i) {
      double s = G[i][j];
      for (std::size_t k = 0; k < j; ++k)
        if (keep[k]) s -= C[i][k] * C[j][k];
      C[i][j] = s / cjj;
    }
    double s = e[j];
    for (std::size_t k = 0; k < j; ++k)
      if (keep[k]) s -= C[j][k] * z[k];
    z[j] = s / cjj;
    proj += z[j] * z[j];
  }
  double s = dd - proj;
  for (std::size_t l = 0; l < ra; ++l) s -= ga[l] * ga[l];
  return std::max(s, 0.0);
}

// Interleaved orthonormal tangent bases of the m rows of X (m x p,
// column-major; rows with used[i] == 0 skipped when `used` is given): image i
// at B + i * p * kWidth, ranks in r.
inline void tangent_bases(const double* X, std::size_t m, const tangent_options& o, int threads,
                          std::vector<double>& B, std::vector<std::size_t>& r,
                          const std::vector<char>* used = nullptr) {
  const std::size_t p = o.height * o.width;
  B.assign(m * p * kWidth, 0.0);
  r.assign(m, 0);
  parallel_chunks(m, 64, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    tangent_detail::scratch_space ws;
    std::vector<double> img(p), T;
    for (std::size_t i = b; i < e; ++i) {
      if (used && !(*used)[i]) continue;
      for (std::size_t c = 0; c < p; ++c) img[c] = X[c * m + i];
      r[i] = interleaved_basis(img.data(), o, B.data() + i * p * kWidth, T, ws);
    }
  });
}

// Row-major copy of an m x p column-major matrix.
inline std::vector<double> rows_of(const double* X, std::size_t m, std::size_t p, int threads) {
  std::vector<double> out(m * p);
  parallel_chunks(m, 512, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t i = b; i < e; ++i)
      for (std::size_t c = 0; c < p; ++c) out[i * p + c] = X[c * m + i];
  });
  return out;
}

// All pairwise tangent distances (squared) between rows of A (ma x p) and
// rows of B (mb x p): an ma x mb column-major matrix. One-sided distances use
// the tangents of B's rows.
inline std::vector<double> tangent_distance_matrix(const double* A, std::size_t ma,
                                                   const double* Bm, std::size_t mb,
                                                   const tangent_options& o, int threads) {
  const std::size_t p = o.height * o.width;
  std::vector<double> QA, QB;
  std::vector<std::size_t> rA, rB;
  if (o.two_sided) tangent_bases(A, ma, o, threads, QA, rA);
  tangent_bases(Bm, mb, o, threads, QB, rB);
  const std::vector<double> ar = rows_of(A, ma, p, threads), br = rows_of(Bm, mb, p, threads);
  std::vector<double> out(ma * mb, 0.0);
  parallel_chunks(ma, 8, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t i = b; i < e; ++i) {
      const double* qa = o.two_sided ? QA.data() + i * p * kWidth : nullptr;
      const std::size_t ra = o.two_sided ? rA[i] : 0;
      for (std::size_t j = 0; j < mb; ++j) {
        out[j * ma + i] = tangent_distance_sq(ar.data() + i * p, br.data() + j * p, p, qa, ra,
                                              QB.data() + j * p * kWidth, rB[j], o.two_sided);
      }
    }
  });
  return out;
}

// The K nearest training rows of X (n x p) to each row of Q (m x p) by
// tangent distance, among each query's `candidates` Euclidean nearest
// (all n when candidates >= n). Distances are squared.
inline knn_result tangent_search(const double* X, std::size_t n, const double* Q, std::size_t m,
                                 std::size_t K, std::size_t candidates, const tangent_options& o,
                                 int threads) {
  const std::size_t p = o.height * o.width;
  knn_result out(m, K);
  if (m == 0 || K == 0 || n == 0) return out;
  const std::size_t C = std::max(K, std::min(candidates, n));
  const bool exhaustive = C >= n;
  knn_result pre;
  if (!exhaustive) pre = knn_search(X, n, Q, m, p, C, threads);
  if (hooks::aborted()) return out;
  // Tangent bases of the training images that some query will use.
  std::vector<char> used(n, exhaustive ? 1 : 0);
  if (!exhaustive)
    for (int i : pre.index) used[static_cast<std::size_t>(i)] = 1;
  std::vector<double> QX;
  std::vector<std::size_t> rX;
  tangent_bases(X, n, o, threads, QX, rX, &used);
  const std::vector<double> xr = rows_of(X, n, p, threads);
  if (hooks::aborted()) return out;
  constexpr std::size_t kBlock = 8;
  const std::size_t nblocks = (m + kBlock - 1) / kBlock;
  parallel_tasks(nblocks, threads, [&](std::size_t blk) {
    if (hooks::aborted()) return;
    tangent_detail::scratch_space ws;
    std::vector<double> q(p), Tq(p * kWidth), T;
    std::vector<std::pair<double, int>> ranked;
    const std::size_t j0 = blk * kBlock, j1 = std::min(m, j0 + kBlock);
    for (std::size_t j = j0; j < j1; ++j) {
      for (std::size_t c = 0; c < p; ++c) q[c] = Q[c * m + j];
      std::size_t rq = 0;
      if (o.two_sided) rq = interleaved_basis(q.data(), o, Tq.data(), T, ws);
      ranked.clear();
      const std::size_t nc = exhaustive ? n : C;
      for (std::size_t c = 0; c < nc; ++c) {
        const std::size_t i = exhaustive ? c : static_cast<std::size_t>(pre.index[c * m + j]);
        const double d = tangent_distance_sq(q.data(), xr.data() + i * p, p, Tq.data(), rq,
                                             QX.data() + i * p * kWidth, rX[i], o.two_sided);
        ranked.emplace_back(d, static_cast<int>(i));
      }
      std::partial_sort(ranked.begin(), ranked.begin() + K, ranked.end());
      out.store(j, ranked);
    }
  });
  return out;
}

}  // namespace statlearn

#endif
