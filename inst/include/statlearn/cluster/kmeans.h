// statlearn/cluster/kmeans.h -- k-means clustering (ESL 13.2.1, 14.3.6).
//
// Lloyd's algorithm alternates two steps until no point changes cluster:
// assign every point to its nearest centre (squared Euclidean distance summed
// over the coordinates in order; ties go to the lowest-numbered centre), then
// move every centre to the mean of its points. Hamerly's variant gives the
// same iterates with far fewer distance computations: each point keeps an
// upper bound on the distance to its own centre and a lower bound on the
// distance to any other; when the upper bound is below both the lower bound
// and half the distance from its centre to the nearest other centre, the
// point cannot change cluster and is skipped. (The bounds are tested with a
// relative margin of 1e-10, so rounding can only cause an extra distance
// computation, never a missed reassignment.)
//
// Starts come from k-means++ seeding (each new centre drawn with probability
// proportional to the squared distance to the nearest centre already chosen)
// or from k distinct random points, each start with its own random stream
// derived from (seed, start index); the best start (lowest total
// within-cluster sum of squares, the first on ties) is returned.
//
// Parallel over fixed chunks of points; centre sums are formed per chunk and
// added in chunk order, so results are the same bits for any thread count.
#ifndef STATLEARN_KMEANS_H
#define STATLEARN_KMEANS_H

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "statlearn/common/cpu.h"
#include "statlearn/common/distance.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"
#include "statlearn/common/rng.h"

namespace statlearn {

enum class kmeans_algorithm { lloyd, hamerly, hartigan_wong };
enum class kmeans_init { plus_plus, random, given };

struct kmeans_options {
  kmeans_algorithm algorithm = kmeans_algorithm::hamerly;
  kmeans_init init = kmeans_init::plus_plus;
  std::size_t k = 2, starts = 1, max_iter = 100;
  std::uint64_t seed = 0;
  int threads = 1;
};

struct kmeans_result {
  std::vector<double> centers;   // k x p, column-major
  std::vector<int> cluster;      // 0-based
  std::vector<double> withinss;  // per cluster
  std::vector<std::size_t> size;
  std::vector<double> start_withinss;  // total within SS of each start
  double totss = 0.0;                  // sum of squares about the overall mean
  std::size_t iterations = 0, best_start = 0, distance_evaluations = 0;
  bool converged = false;
  // Why Hartigan-Wong stopped early: 0 none, 1 an empty cluster at the
  // start (no result), 4 the quick-transfer stage hit its step limit.
  int fault = 0;
};

namespace kmeans_detail {

constexpr std::size_t kChunk = 4096;  // points per task (fixed: results do not depend on threads)
constexpr std::size_t kBlock = 256;   // points per vectorised distance block

// Squared distances of points [b, e) of X (n x p, column-major) to all k
// centres (k x p, column-major): out[j * (e - b) + (i - b)], each summed over
// the coordinates in order. The AVX2 kernel runs four consecutive points at
// once with the same operations (subtract, square, add: no fused
// multiply-add), so it gives the same bits as the portable loop.
inline void block_distances_portable(const double* X, std::size_t n, std::size_t p, const double* C,
                                     std::size_t k, std::size_t b, std::size_t e, double* out) {
  const std::size_t m = e - b;
  std::fill(out, out + m * k, 0.0);
  for (std::size_t c = 0; c < p; ++c) {
    const double* xc = X + c * n + b;
    for (std::size_t j = 0; j < k; ++j) {
      const double cj = C[c * k + j];
      double* o = out + j * m;
      for (std::size_t i = 0; i < m; ++i) {
        const double t = xc[i] - cj;
        o[i] += t * t;
      }
    }
  }
}

// Squared distances of one point (coordinate c at xi[c * step]) to all k
// centres: out[j], summed over the coordinates in order, as above.
inline void point_distances_portable(const double* xi, std::size_t step, std::size_t p,
                                     const double* C, std::size_t k, double* out) {
  std::fill(out, out + k, 0.0);
  for (std::size_t c = 0; c < p; ++c) {
    const double v = xi[c * step];
    const double* cc = C + c * k;
    for (std::size_t j = 0; j < k; ++j) {
      const double t = v - cc[j];
      out[j] += t * t;
    }
  }
}

#ifdef STATLEARN_X86
__attribute__((target("avx2"))) inline void block_distances_avx2(
    const double* X, std::size_t n, std::size_t p, const double* C, std::size_t k, std::size_t b,
    std::size_t e, double* out) {
  const std::size_t m = e - b, m4 = m & ~static_cast<std::size_t>(3);
  std::fill(out, out + m * k, 0.0);
  for (std::size_t c = 0; c < p; ++c) {
    const double* xc = X + c * n + b;
    for (std::size_t j = 0; j < k; ++j) {
      const double cj = C[c * k + j];
      const __m256d vc = _mm256_set1_pd(cj);
      double* o = out + j * m;
      std::size_t i = 0;
      for (; i < m4; i += 4) {
        const __m256d t = _mm256_sub_pd(_mm256_loadu_pd(xc + i), vc);
        _mm256_storeu_pd(o + i, _mm256_add_pd(_mm256_loadu_pd(o + i), _mm256_mul_pd(t, t)));
      }
      for (; i < m; ++i) {
        const double t = xc[i] - cj;
        o[i] += t * t;
      }
    }
  }
}

__attribute__((target("avx2"))) inline void point_distances_avx2(const double* xi, std::size_t step,
                                                                  std::size_t p, const double* C,
                                                                  std::size_t k, double* out) {
  // Sixteen centres at a time in four accumulators kept in registers.
  std::size_t j0 = 0;
  for (; j0 + 16 <= k; j0 += 16) {
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    for (std::size_t c = 0; c < p; ++c) {
      const __m256d vv = _mm256_set1_pd(xi[c * step]);
      const double* cc = C + c * k + j0;
      __m256d t0 = _mm256_sub_pd(vv, _mm256_loadu_pd(cc));
      __m256d t1 = _mm256_sub_pd(vv, _mm256_loadu_pd(cc + 4));
      __m256d t2 = _mm256_sub_pd(vv, _mm256_loadu_pd(cc + 8));
      __m256d t3 = _mm256_sub_pd(vv, _mm256_loadu_pd(cc + 12));
      a0 = _mm256_add_pd(a0, _mm256_mul_pd(t0, t0));
      a1 = _mm256_add_pd(a1, _mm256_mul_pd(t1, t1));
      a2 = _mm256_add_pd(a2, _mm256_mul_pd(t2, t2));
      a3 = _mm256_add_pd(a3, _mm256_mul_pd(t3, t3));
    }
    _mm256_storeu_pd(out + j0, a0);
    _mm256_storeu_pd(out + j0 + 4, a1);
    _mm256_storeu_pd(out + j0 + 8, a2);
    _mm256_storeu_pd(out + j0 + 12, a3);
  }
  for (; j0 + 4 <= k; j0 += 4) {
    __m256d a0 = _mm256_setzero_pd();
    for (std::size_t c = 0; c < p; ++c) {
      const __m256d t0 = _mm256_sub_pd(_mm256_set1_pd(xi[c * step]), _mm256_loadu_pd(C + c * k + j0));
      a0 = _mm256_add_pd(a0, _mm256_mul_pd(t0, t0));
    }
    _mm256_storeu_pd(out + j0, a0);
  }
  for (; j0 < k; ++j0) {
    double sum = 0.0;
    for (std::size_t c = 0; c < p; ++c) {
      const double t = xi[c * step] - C[c * k + j0];
      sum += t * t;
    }
    out[j0] = sum;
  }
}
#endif

inline void block_distances(const double* X, std::size_t n, std::size_t p, const double* C,
                            std::size_t k, std::size_t b, std::size_t e, double* out) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return block_distances_avx2(X, n, p, C, k, b, e, out);
#endif
  block_distances_portable(X, n, p, C, k, b, e, out);
}

inline void point_distances(const double* xi, std::size_t step, std::size_t p, const double* C,
                            std::size_t k, double* out) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return point_distances_avx2(xi, step, p, C, k, out);
#endif
  point_distances_portable(xi, step, p, C, k, out);
}

inline double point_distance(const double* X, std::size_t n, std::size_t p, std::size_t i,
                             const double* C, std::size_t k, std::size_t j) {
  return squared_distance(X, n, i, C, k, j, p);
}

// New centres as the means of their points (an empty cluster keeps its
// centre); returns the sizes. Sums per fixed chunk, added in chunk order.
inline std::vector<std::size_t> update_centers(const double* X, std::size_t n, std::size_t p,
                                               const std::vector<int>& cl, std::size_t k,
                                               std::vector<double>& C, int threads) {
  const std::size_t nchunk = chunk_count(n, kChunk);
  std::vector<double> sums(nchunk * k * p, 0.0);
  std::vector<std::size_t> counts(nchunk * k, 0);
  parallel_chunks(n, kChunk, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
    double* s = sums.data() + ch * k * p;
    std::size_t* cnt = counts.data() + ch * k;
    for (std::size_t i = b; i < e; ++i) ++cnt[cl[i]];
    for (std::size_t c = 0; c < p; ++c) {
      const double* xc = X + c * n;
      double* sc = s + c * k;
      for (std::size_t i = b; i < e; ++i) sc[cl[i]] += xc[i];
    }
  });
  std::vector<std::size_t> size(k, 0);
  std::vector<double> total(k * p, 0.0);
  for (std::size_t ch = 0; ch < nchunk; ++ch) {
    for (std::size_t j = 0; j < k; ++j) size[j] += counts[ch * k + j];
    for (std::size_t t = 0; t < k * p; ++t) total[t] += sums[ch * k * p + t];
  }
  for (std::size_t c = 0; c < p; ++c)
    for (std::size_t j = 0; j < k; ++j)
      if (size[j] > 0) C[c * k + j] = total[c * k + j] / static_cast<double>(size[j]);
  return size;
}

// k-means++ or random starting centres (k x p) from the stream.
inline std::vector<double> seed_centers(const double* X, std::size_t n, std::size_t p, std::size_t k,
                                        kmeans_init init, stream& rng, int threads) {
  std::vector<double> C(k * p);
  auto copy_point = [&](std::size_t i, std::size_t j) {
    for (std::size_t c = 0; c < p; ++c) C[c * k + j] = X[c * n + i];
  };
  if (init == kmeans_init::random) {
    // k distinct points: a partial Fisher-Yates shuffle of the indices.
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    for (std::size_t j = 0; j < k; ++j) {
      const std::size_t r = j + static_cast<std::size_t>(rng.below(n - j));
      std::swap(idx[j], idx[r]);
      copy_point(idx[j], j);
    }
    return C;
  }
  std::vector<double> d2(n, std::numeric_limits<double>::infinity());
  const std::size_t nchunk = chunk_count(n, kChunk);
  std::vector<double> part(nchunk);
  std::size_t chosen = static_cast<std::size_t>(rng.below(n));
  copy_point(chosen, 0);
  for (std::size_t j = 1; j <= k; ++j) {
    // Distances to the newest centre; chunk totals of the minimum distances.
    parallel_chunks(n, kChunk, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
      double s = 0.0;
      for (std::size_t i = b; i < e; ++i) {
        d2[i] = std::min(d2[i], point_distance(X, n, p, i, C.data(), k, j - 1));
        s += d2[i];
      }
      part[ch] = s;
    });
    if (j == k) break;
    double total = 0.0;
    for (double v : part) total += v;
    if (!(total > 0.0)) {  // every point is on a centre: take the next index
      chosen = (chosen + 1) % n;
    } else {
      double u = rng.uniform() * total;
      std::size_t ch = 0;
      while (ch + 1 < nchunk && u >= part[ch]) u -= part[ch++];
      const std::size_t b = ch * kChunk, e = std::min(n, b + kChunk);
      chosen = e - 1;
      for (std::size_t i = b; i < e; ++i) {
        if (u < d2[i]) { chosen = i; break; }
        u -= d2[i];
      }
    }
    copy_point(chosen, j);
  }
  return C;
}

struct run_state {
  std::vector<double> C;
  std::vector<int> cl;
  std::vector<std::size_t> size;
  std::size_t iterations = 0, evaluations = 0;
  bool converged = false;
  int fault = 0;
};

// Lloyd from the centres in st.C; returns when no point moves or after max_iter.
inline void run_lloyd(const double* X, std::size_t n, std::size_t p, std::size_t k,
                      std::size_t max_iter, int threads, run_state& st) {
  st.cl.assign(n, -1);
  const std::size_t nchunk = chunk_count(n, kChunk);
  std::vector<char> moved(nchunk);
  for (std::size_t it = 0; it < max_iter; ++it) {
    if (hooks::aborted()) return;
    parallel_chunks(n, kChunk, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
      std::vector<double> d(kBlock * k);
      bool any = false;
      for (std::size_t b0 = b; b0 < e; b0 += kBlock) {
        const std::size_t e0 = std::min(e, b0 + kBlock);
        block_distances(X, n, p, st.C.data(), k, b0, e0, d.data());
        const std::size_t m = e0 - b0;
        for (std::size_t i = b0; i < e0; ++i) {
          const double* di = d.data() + (i - b0);  // centre j at di[j * m]
          int best = 0;
          for (std::size_t j = 1; j < k; ++j)
            if (di[j * m] < di[best * m]) best = static_cast<int>(j);
          if (st.cl[i] != best) { st.cl[i] = best; any = true; }
        }
      }
      moved[ch] = any;
    });
    st.evaluations += n * k;
    st.iterations = it + 1;
    if (std::find(moved.begin(), moved.end(), 1) == moved.end()) {
      st.converged = true;
      break;
    }
    st.size = update_centers(X, n, p, st.cl, k, st.C, threads);
  }
  if (st.size.empty()) st.size = update_centers(X, n, p, st.cl, k, st.C, threads);
}

// The points row by row (a point's coordinates in one or two cache lines
// instead of p lines a column apart), for the algorithms that visit single
// scattered points; copied on first use (uninitialised storage: the copy is
// the only write).
struct point_rows {
  const double* X;
  std::size_t n, p;
  int threads;
  std::unique_ptr<double[]> buf;
  const double* get() {
    if (!buf) {
      buf.reset(new double[n * p]);
      double* r = buf.get();
      parallel_chunks(n, kChunk, threads, [&](std::size_t b, std::size_t e, std::size_t) {
        for (std::size_t i = b; i < e; ++i)
          for (std::size_t c = 0; c < p; ++c) r[i * p + c] = X[c * n + i];
      });
    }
    return buf.get();
  }
};

// Hamerly's bounds around the same iterations. Each point keeps an upper
// bound u on the distance to its own centre and a lower bound l on the
// distance to any other; when centres move, u grows by its centre's shift and
// l shrinks by the largest shift, and the point cannot change cluster while
// u < max(l, half the distance from its centre to the nearest other centre).
//
// Points are visited lazily. When the centres move, the upper bound of a
// point in cluster a grows by a's shift and the lower bound shrinks by at
// most the largest shift; half the distance to a's nearest other centre
// shrinks by at most half of a's shift plus half the largest. So the slack
// max(l, half) - u shrinks by at most (largest shift + a's shift) per
// iteration, and a point with that slack after a visit needs no look until
// the running total of (largest shift + a's shift) has grown by the slack.
// Each point keeps that wake-up value (its key) on its cluster's running
// total; an iteration reads only the keys and visits the points whose key has
// been reached, bringing their bounds up to date from the per-cluster
// cumulative shifts. In the long tail of slow convergence, where a few
// centres still move, an iteration reads n keys instead of updating 2n
// bounds, and the points of the settled clusters sleep longest.
//
// Between iterations the centre sums are updated by the points that moved
// (exact sums after the first assignment and at the end), in index order, so
// results are the same for any thread count. The assignments are exactly
// Lloyd's at every iteration.
inline void run_hamerly(const double* X, point_rows& lazy_rows, std::size_t n, std::size_t p,
                        std::size_t k, std::size_t max_iter, int threads, run_state& st) {
  // Point i's coordinate c at base[i * step_point + c * step_coord]: the
  // columns of X while nearly every point is visited (the first iterations,
  // read in order), the row copy from iteration kRowsFrom on (the tail, where
  // the few points visited lie scattered). The sums are the same either way.
  constexpr std::size_t kRowsFrom = 1;
  const double* base = X;
  std::size_t step_point = 1, step_coord = n;
  st.cl.assign(n, -1);
  // Each point's bounds, last visit and previous cluster side by side (one
  // cache line holds them for the scattered visits of the tail).
  struct point_state {
    double upper, lower;
    std::uint32_t seen;  // iteration of the last visit
    std::int32_t from;   // cluster before the last move
  };
  std::vector<point_state> ps(n, point_state{0.0, 0.0, 0u, -1});
  std::vector<double> half(k), shift(k);
  const std::size_t nchunk = chunk_count(n, kChunk);
  std::vector<char> moved(nchunk);
  std::vector<std::size_t> evals(nchunk);
  std::vector<std::vector<int>> movers(nchunk);
  std::vector<std::vector<std::size_t>> due_lists(nchunk);
  std::vector<double> sums;
  const double margin = 1e-10;
  // Cumulative shift of each cluster (k per iteration) and of the largest shift.
  std::vector<double> cum_shift(k, 0.0), cum_max(1, 0.0);
  // Keys are kept in single precision, rounded down (a point may wake early,
  // never late), and each point's cluster in a byte when k <= 256, so that
  // the scan of an iteration reads 5 bytes per point.
  std::vector<float> key(n, -1.0f);
  std::vector<double> wake_now(k);
  const bool small_k = k <= 256;
  std::vector<std::uint8_t> cl8(small_k ? n : 0);
  auto wake_key = [&](std::size_t i, std::size_t it) -> float {
    const double bound = std::max(ps[i].lower, half[static_cast<std::size_t>(st.cl[i])]);
    const double slack = bound - ps[i].upper - margin * (bound + ps[i].upper);
    if (!(slack > 0.0)) return -1.0f;
    const double v = cum_max[it] + cum_shift[it * k + static_cast<std::size_t>(st.cl[i])] + slack;
    float f = static_cast<float>(v);
    if (static_cast<double>(f) > v) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    return f;
  };
  for (std::size_t it = 0; it < max_iter; ++it) {
    if (it == kRowsFrom) {
      base = lazy_rows.get();
      step_point = p;
      step_coord = 1;
    }
    if (hooks::aborted()) return;
    // Half the distance from each centre to its nearest other centre.
    for (std::size_t j = 0; j < k; ++j) {
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t j2 = 0; j2 < k; ++j2) {
        if (j2 == j) continue;
        best = std::min(best, squared_distance(st.C.data(), k, j, st.C.data(), k, j2, p));
      }
      half[j] = 0.5 * std::sqrt(best);
    }
    const bool first = it == 0;
    // Each cluster's running total of (largest shift + its own shift).
    for (std::size_t j = 0; j < k; ++j) wake_now[j] = (cum_max[it] + cum_shift[it * k + j]) * (1.0 + 1e-12);
    parallel_chunks(n, kChunk, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
      bool any = false;
      std::size_t ev = 0;
      std::vector<double> block(first ? kBlock * k : k);
      std::vector<int>& mv = movers[ch];
      mv.clear();
      // Nearest and second-nearest of the k distances di[j * stride] (as
      // Lloyd ranks them).
      auto settle = [&](std::size_t i, const double* di, std::size_t stride) {
        int best = 0;
        for (std::size_t j = 1; j < k; ++j)
          if (di[j * stride] < di[best * stride]) best = static_cast<int>(j);
        double second = std::numeric_limits<double>::infinity();
        for (std::size_t j = 0; j < k; ++j)
          if (static_cast<int>(j) != best) second = std::min(second, di[j * stride]);
        ps[i].upper = std::sqrt(di[best * stride]);
        ps[i].lower = std::sqrt(second);
        if (st.cl[i] != best) {
          ps[i].from = st.cl[i];
          st.cl[i] = best;
          if (small_k) cl8[i] = static_cast<std::uint8_t>(best);
          mv.push_back(static_cast<int>(i));
          any = true;
        }
      };
      if (first) {
        for (std::size_t b0 = b; b0 < e; b0 += kBlock) {
          const std::size_t e0 = std::min(e, b0 + kBlock);
          block_distances(X, n, p, st.C.data(), k, b0, e0, block.data());
          for (std::size_t i = b0; i < e0; ++i) settle(i, block.data() + (i - b0), e0 - b0);
        }
        for (std::size_t i = b; i < e; ++i) {
          key[i] = wake_key(i, 0);
          if (small_k) cl8[i] = static_cast<std::uint8_t>(st.cl[i]);
        }
        ev += (e - b) * k;
      } else {
        // The points due for a visit (the others are provably still nearest
        // their own centre), collected without branches (which points are due
        // is unpredictable).
        std::vector<std::size_t>& due = due_lists[ch];
        due.resize(e - b);
        std::size_t ndue = 0;
        if (small_k) {
          for (std::size_t i = b; i < e; ++i) {
            due[ndue] = i;
            ndue += static_cast<double>(key[i]) <= wake_now[cl8[i]];
          }
        } else {
          for (std::size_t i = b; i < e; ++i) {
            due[ndue] = i;
            ndue += static_cast<double>(key[i]) <= wake_now[static_cast<std::size_t>(st.cl[i])];
          }
        }
        // Pass 1: bring each due point's bounds up to date since its last
        // visit; keep (in place, in index order) the points whose bounds fail.
        constexpr std::size_t ahead = 8;
        std::size_t nfail = 0;
        for (std::size_t t = 0; t < ndue; ++t) {
          if (t + ahead < ndue) {
            const std::size_t j = due[t + ahead];
            __builtin_prefetch(&ps[j]);
          }
          const std::size_t i = due[t];
          const std::size_t a = static_cast<std::size_t>(st.cl[i]);
          const std::size_t s = ps[i].seen;
          ps[i].upper += cum_shift[it * k + a] - cum_shift[s * k + a];
          ps[i].lower -= cum_max[it] - cum_max[s];
          ps[i].seen = static_cast<std::uint32_t>(it);
          if (ps[i].upper * (1.0 + margin) >= std::max(half[a], ps[i].lower)) {
            due[nfail++] = i;
          } else {
            key[i] = wake_key(i, it);
          }
        }
        // Pass 2: the exact distance to the own centre, four points at a time
        // (four independent sums, each over the coordinates in order; rows
        // fetched ahead, since they lie scattered in memory); all k distances
        // for the points whose bound still fails.
        const double* C = st.C.data();
        for (std::size_t t0 = 0; t0 < nfail; t0 += 4) {
          const std::size_t g = std::min<std::size_t>(4, nfail - t0);
          if (step_coord == 1) {
            for (std::size_t q = t0 + ahead; q < std::min(nfail, t0 + ahead + 4); ++q) {
              const char* r = reinterpret_cast<const char*>(base + due[q] * p);
              for (std::size_t off = 0; off < p * sizeof(double); off += 64) __builtin_prefetch(r + off);
            }
          }
          const double* x4[4];
          const double* c4[4];
          for (std::size_t q = 0; q < 4; ++q) {
            const std::size_t i = due[t0 + std::min(q, g - 1)];
            x4[q] = base + i * step_point;
            c4[q] = C + static_cast<std::size_t>(st.cl[i]);
          }
          double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
          for (std::size_t c = 0; c < p; ++c) {
            const std::size_t xc = c * step_coord;
            const double t0v = x4[0][xc] - c4[0][c * k], t1v = x4[1][xc] - c4[1][c * k];
            const double t2v = x4[2][xc] - c4[2][c * k], t3v = x4[3][xc] - c4[3][c * k];
            s0 += t0v * t0v;
            s1 += t1v * t1v;
            s2 += t2v * t2v;
            s3 += t3v * t3v;
          }
          const double d4[4] = {s0, s1, s2, s3};
          for (std::size_t q = 0; q < g; ++q) {
            const std::size_t i = due[t0 + q];
            const std::size_t a = static_cast<std::size_t>(st.cl[i]);
            ps[i].upper = std::sqrt(d4[q]);
            ++ev;
            if (ps[i].upper * (1.0 + margin) >= std::max(half[a], ps[i].lower)) {
              point_distances(x4[q], step_coord, p, C, k, block.data());
              ev += k;
              settle(i, block.data(), 1);
            }
            key[i] = wake_key(i, it);
          }
        }
      }
      moved[ch] = any;
      evals[ch] = ev;
    });
    for (std::size_t v : evals) st.evaluations += v;
    st.iterations = it + 1;
    if (std::find(moved.begin(), moved.end(), 1) == moved.end()) {
      st.converged = true;
      break;
    }
    const std::vector<double> old = st.C;
    if (first) {
      // Exact sums of the first assignment; later ones move the points that
      // changed cluster, in index order (the same for any thread count).
      st.size = update_centers(X, n, p, st.cl, k, st.C, threads);
      sums.assign(k * p, 0.0);
      for (std::size_t c = 0; c < p; ++c)
        for (std::size_t j = 0; j < k; ++j) sums[c * k + j] = st.C[c * k + j] * static_cast<double>(st.size[j]);
    } else {
      for (std::size_t ch = 0; ch < nchunk; ++ch) {
        for (int i : movers[ch]) {
          const std::size_t a = static_cast<std::size_t>(ps[i].from), b = static_cast<std::size_t>(st.cl[i]);
          --st.size[a];
          ++st.size[b];
          const double* xi = base + static_cast<std::size_t>(i) * step_point;
          for (std::size_t c = 0; c < p; ++c) {
            const double v = xi[c * step_coord];
            sums[c * k + a] -= v;
            sums[c * k + b] += v;
          }
        }
      }
      for (std::size_t c = 0; c < p; ++c)
        for (std::size_t j = 0; j < k; ++j)
          if (st.size[j] > 0) st.C[c * k + j] = sums[c * k + j] / static_cast<double>(st.size[j]);
    }
    double m1 = 0.0;  // the largest shift
    cum_shift.resize((it + 2) * k);
    for (std::size_t j = 0; j < k; ++j) {
      shift[j] = std::sqrt(squared_distance(st.C.data(), k, j, old.data(), k, j, p));
      m1 = std::max(m1, shift[j]);
      cum_shift[(it + 1) * k + j] = cum_shift[it * k + j] + shift[j];
    }
    cum_max.push_back(cum_max[it] + m1);
  }
  // The final centres are the exact means of the final clusters.
  st.size = update_centers(X, n, p, st.cl, k, st.C, threads);
}


// Hartigan and Wong's algorithm (Applied Statistics algorithm AS 136, 1979),
// the default of stats::kmeans(), with the same decisions so that it reaches
// the same clusters from the same centres. Moving point i from cluster a
// (n_a points) to cluster b changes the within-cluster sum of squares by
// n_b/(n_b+1) d(i,b) - n_a/(n_a-1) d(i,a); a point moves when that is
// negative, and both centres are updated at once. Each point remembers its
// own cluster and the cluster it would most likely move to.
//
// An optimal-transfer pass visits every point and compares it with all
// clusters in the "live set" (clusters that changed within the last n
// steps); a quick-transfer stage then cycles through the points comparing
// only their two clusters, until n steps pass without a move. The algorithm
// stops after an optimal-transfer pass that moves nothing (converged), after
// max_iter rounds, or when the quick-transfer stage exceeds 50 n steps
// (fault 4, as R reports). A start whose nearest-centre assignment leaves a
// cluster empty cannot be used (fault 1). Sequential by nature: several
// starts run in parallel instead.
struct hartigan_wong_state {
  const double* X;
  const double* rows;  // the points row by row (p values each)
  std::size_t n, p, k;
  std::vector<double>& C;                 // k x p column-major centres
  std::vector<int> c1, c2;                // own and second cluster per point
  std::vector<long> count;                // cluster sizes
  std::vector<double> gain_out, cost_in;  // n/(n-1) (or "big") and n/(n+1) per cluster
  std::vector<long> last, live;           // step of last update; live-set limit
  std::vector<char> touched;              // updated in the last quick-transfer stage
  std::vector<double> own;                // n_a/(n_a-1) d(i, own cluster) per point
  const double* xi = nullptr;             // the current point's coordinates
  std::size_t evaluations = 0;
  // AS 136's "very large" weight of a singleton cluster (a REAL constant 1e30).
  static constexpr double big = static_cast<double>(1e30f);

  hartigan_wong_state(const double* X_, const double* rows_, std::size_t n_, std::size_t p_,
                      std::size_t k_, std::vector<double>& C_)
      : X(X_), rows(rows_), n(n_), p(p_), k(k_), C(C_), c1(n), c2(n), count(k), gain_out(k),
        cost_in(k), last(k), live(k), touched(k), own(n) {}

  void load(std::size_t i) { xi = rows + i * p; }
  double dist(std::size_t j) {
    ++evaluations;
    double s = 0.0;
    for (std::size_t c = 0; c < p; ++c) {
      const double t = xi[c] - C[c * k + j];
      s += t * t;
    }
    return s;
  }
  void set_weights(std::size_t j) {
    const double m = static_cast<double>(count[j]);
    cost_in[j] = m / (m + 1.0);
    gain_out[j] = m > 1.0 ? m / (m - 1.0) : big;
  }
  // Point i (loaded) moves from a to b.
  void transfer(std::size_t i, std::size_t a, std::size_t b) {
    const double na = static_cast<double>(count[a]), nb = static_cast<double>(count[b]);
    for (std::size_t c = 0; c < p; ++c) {
      double& ca = C[c * k + a];
      double& cb = C[c * k + b];
      ca = (ca * na - xi[c]) / (na - 1.0);
      cb = (cb * nb + xi[c]) / (nb + 1.0);
    }
    --count[a];
    ++count[b];
    set_weights(a);
    set_weights(b);
    c1[i] = static_cast<int>(b);
    c2[i] = static_cast<int>(a);
  }

  // Nearest and second-nearest centres, then the centres as cluster means.
  bool initialise() {
    const long nl = static_cast<long>(n);
    for (std::size_t i = 0; i < n; ++i) {
      load(i);
      double d1 = dist(0), d2 = dist(1);
      int a = 0, b = 1;
      if (d1 > d2) { std::swap(d1, d2); std::swap(a, b); }
      for (std::size_t j = 2; j < k; ++j) {
        const double d = dist(j);
        if (d >= d2) continue;
        if (d >= d1) { d2 = d; b = static_cast<int>(j); }
        else { d2 = d1; b = a; d1 = d; a = static_cast<int>(j); }
      }
      c1[i] = a;
      c2[i] = b;
    }
    std::fill(C.begin(), C.end(), 0.0);
    std::fill(count.begin(), count.end(), 0L);
    for (std::size_t i = 0; i < n; ++i) ++count[c1[i]];
    for (std::size_t c = 0; c < p; ++c) {
      const double* xc = X + c * n;
      for (std::size_t i = 0; i < n; ++i) C[c * k + c1[i]] += xc[i];
    }
    for (std::size_t j = 0; j < k; ++j) {
      if (count[j] == 0) return false;
      for (std::size_t c = 0; c < p; ++c) C[c * k + j] /= static_cast<double>(count[j]);
      set_weights(j);
      touched[j] = 1;
      last[j] = -1;
    }
    (void)nl;
    return true;
  }

  // One optimal-transfer pass; `quiet` counts steps since the last move and
  // the pass returns early once it reaches n.
  void optimal_transfer(std::size_t& quiet) {
    const long nl = static_cast<long>(n);
    for (std::size_t j = 0; j < k; ++j)
      if (touched[j]) live[j] = nl + 1;
    for (std::size_t i = 0; i < n; ++i) {
      const long step = static_cast<long>(i) + 1;  // AS 136 counts points from 1
      ++quiet;
      const std::size_t a = static_cast<std::size_t>(c1[i]);
      const std::size_t second = static_cast<std::size_t>(c2[i]);
      if (count[a] != 1) {
        load(i);
        if (last[a] != 0) own[i] = dist(a) * gain_out[a];
        double best = dist(second) * cost_in[second];
        std::size_t to = second;
        const bool a_dead = step >= live[a];
        for (std::size_t j = 0; j < k; ++j) {
          if ((a_dead && step >= live[j]) || j == a || j == second) continue;
          const double d = dist(j);
          if (d >= best / cost_in[j]) continue;
          best = d * cost_in[j];
          to = j;
        }
        if (best >= own[i]) {
          c2[i] = static_cast<int>(to);
        } else {
          quiet = 0;
          live[a] = live[to] = nl + step;
          last[a] = last[to] = step;
          transfer(i, a, to);
        }
      }
      if (quiet == n) return;
    }
    for (std::size_t j = 0; j < k; ++j) {
      touched[j] = 0;
      live[j] -= nl;
    }
  }

  // The quick-transfer stage; false when it exceeds max_steps.
  bool quick_transfer(std::size_t& quiet, long max_steps) {
    const long nl = static_cast<long>(n);
    long since = 0, step = 0;
    for (;;) {
      for (std::size_t i = 0; i < n; ++i) {
        if ((i & 4095u) == 0 && hooks::aborted()) return true;
        ++since;
        ++step;
        if (step >= max_steps) return false;
        const std::size_t a = static_cast<std::size_t>(c1[i]);
        const std::size_t b = static_cast<std::size_t>(c2[i]);
        if (count[a] != 1) {
          bool loaded = false;
          if (step <= last[a]) {
            load(i);
            loaded = true;
            own[i] = dist(a) * gain_out[a];
          }
          if (step < last[a] || step < last[b]) {
            if (!loaded) load(i);
            if (dist(b) < own[i] / cost_in[b]) {
              since = 0;
              quiet = 0;
              touched[a] = touched[b] = 1;
              last[a] = last[b] = step + nl;
              transfer(i, a, b);
            }
          }
        }
        if (since == nl) return true;
      }
    }
  }
};

inline void run_hartigan_wong(const double* X, const double* rows, std::size_t n, std::size_t p,
                              std::size_t k, std::size_t max_iter, run_state& st) {
  st.cl.assign(n, 0);
  st.iterations = 0;
  if (k == 1 || k >= n) {
    // Nothing to exchange: the nearest-centre assignment is final.
    run_lloyd(X, n, p, k, max_iter, 1, st);
    return;
  }
  hartigan_wong_state hw(X, rows, n, p, k, st.C);
  if (!hw.initialise()) {
    st.fault = 1;
    st.evaluations = hw.evaluations;
    return;
  }
  const long max_steps = static_cast<long>(std::min<double>(50.0 * static_cast<double>(n), 2147483647.0));
  std::size_t quiet = 0;
  for (std::size_t it = 1; it <= max_iter; ++it) {
    st.iterations = it;
    if (hooks::aborted()) return;
    hw.optimal_transfer(quiet);
    if (quiet == n) { st.converged = true; break; }
    if (!hw.quick_transfer(quiet, max_steps)) { st.fault = 4; break; }
    if (k == 2) { st.converged = true; break; }
    std::fill(hw.last.begin(), hw.last.end(), 0L);
  }
  st.evaluations = hw.evaluations;
  for (std::size_t i = 0; i < n; ++i) st.cl[i] = hw.c1[i];
  // The final centres are the exact means of the final clusters.
  st.size = update_centers(X, n, p, st.cl, k, st.C, 1);
}

}  // namespace kmeans_detail

// k-means of the n x p column-major X. `given` (k x p column-major) supplies
// the starting centres when o.init == kmeans_init::given (one start).
inline kmeans_result kmeans(const double* X, std::size_t n, std::size_t p, const kmeans_options& o,
                            const double* given = nullptr) {
  using namespace kmeans_detail;
  const std::size_t k = o.k;
  kmeans_result best;
  double best_total = std::numeric_limits<double>::infinity();
  const std::size_t starts = o.init == kmeans_init::given ? 1 : o.starts;
  // The points row by row: Hartigan-Wong's visits single points throughout,
  // Hamerly's in its tail (it makes the copy when it gets there).
  point_rows rows{X, n, p, o.threads, nullptr};
  if (o.algorithm == kmeans_algorithm::hartigan_wong) rows.get();
  // One start: centres, the chosen algorithm, then its within-cluster sums of
  // squares (per fixed chunk, in order).
  auto run_start = [&](std::size_t s, int threads, run_state& st, std::vector<double>& wss) {
    if (o.init == kmeans_init::given) {
      st.C.assign(given, given + k * p);
    } else {
      stream rng(o.seed, s);
      st.C = seed_centers(X, n, p, k, o.init, rng, threads);
    }
    if (o.algorithm == kmeans_algorithm::lloyd) run_lloyd(X, n, p, k, o.max_iter, threads, st);
    else if (o.algorithm == kmeans_algorithm::hamerly) run_hamerly(X, rows, n, p, k, o.max_iter, threads, st);
    else run_hartigan_wong(X, rows.get(), n, p, k, o.max_iter, st);
    wss.assign(k, 0.0);
    if (hooks::aborted() || st.fault == 1) return;
    const std::size_t nchunk = chunk_count(n, kChunk);
    std::vector<double> part(nchunk * k, 0.0);
    parallel_chunks(n, kChunk, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
      for (std::size_t i = b; i < e; ++i)
        part[ch * k + st.cl[i]] += point_distance(X, n, p, i, st.C.data(), k, st.cl[i]);
    });
    for (std::size_t ch = 0; ch < nchunk; ++ch)
      for (std::size_t j = 0; j < k; ++j) wss[j] += part[ch * k + j];
  };
  std::vector<run_state> states(starts);
  std::vector<std::vector<double>> wsses(starts);
  if (o.algorithm == kmeans_algorithm::hartigan_wong) {
    // Sequential within a start, so the starts run in parallel (each on its
    // own stream: the same results for any thread count).
    parallel_chunks(starts, 1, o.threads, [&](std::size_t b, std::size_t, std::size_t) {
      run_start(b, 1, states[b], wsses[b]);
    });
  } else {
    for (std::size_t s = 0; s < starts; ++s) run_start(s, o.threads, states[s], wsses[s]);
  }
  if (hooks::aborted()) return best;
  for (std::size_t s = 0; s < starts; ++s) {
    run_state& st = states[s];
    best.distance_evaluations += st.evaluations;
    if (st.fault == 1) {
      best.start_withinss.push_back(std::numeric_limits<double>::quiet_NaN());
      if (best.fault == 0 && best_total == std::numeric_limits<double>::infinity()) best.fault = 1;
      continue;
    }
    double total = 0.0;
    for (double v : wsses[s]) total += v;
    best.start_withinss.push_back(total);
    if (total < best_total) {
      best_total = total;
      best.centers = st.C;
      best.cluster = st.cl;
      best.withinss = wsses[s];
      best.size = st.size;
      best.iterations = st.iterations;
      best.converged = st.converged;
      best.fault = st.fault;
      best.best_start = s;
    }
  }
  // Total sum of squares from the best start's clusters, without another
  // pass over the data: the within-cluster sums plus each cluster's size
  // times the squared distance of its mean from the overall mean (the centres
  // are the exact means of their clusters).
  if (!best.centers.empty()) {
    std::vector<double> mean(p, 0.0);
    for (std::size_t c = 0; c < p; ++c) {
      for (std::size_t j = 0; j < k; ++j)
        mean[c] += static_cast<double>(best.size[j]) * best.centers[c * k + j];
      mean[c] /= static_cast<double>(n);
    }
    for (std::size_t j = 0; j < k; ++j) {
      double between = 0.0;
      for (std::size_t c = 0; c < p; ++c) {
        const double t = best.centers[c * k + j] - mean[c];
        between += t * t;
      }
      best.totss += best.withinss[j] + static_cast<double>(best.size[j]) * between;
    }
  }
  return best;
}

}  // namespace statlearn

#endif
