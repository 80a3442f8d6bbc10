// statlearn/common/row_team.h -- two threads on the halves of one vector
// operation at a time, for sequential algorithms made of many short ones.
//
// Coordinate descent updates one coefficient after another, and each update
// is a dot product and an axpy over the n rows: too short (a few
// microseconds) for a TBB loop per operation, too sequential for parallel
// coordinates. A row_team keeps a helper task spinning for the length of one
// solve; every operation is split into the same fixed row chunks whatever the
// thread count, the chunks are claimed by whichever thread is free, and
// reductions are combined in chunk order by the caller, so results are the
// same bits for 1 and 2 threads. The calling thread never waits for the
// helper to start: if it has not, the caller runs every chunk itself.
#ifndef STATLEARN_ROW_TEAM_H
#define STATLEARN_ROW_TEAM_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "statlearn/common/simd.h"

namespace statlearn {

class row_team {
 public:
  static constexpr std::size_t kChunks = 2;

  // Rows [0, n) in kChunks chunks with boundaries on multiples of 8.
  explicit row_team(std::size_t n) : n_(n) {
    const std::size_t half = (n / 2 + 7) / 8 * 8;
    bound_[0] = 0;
    bound_[1] = half < n ? half : n;
    bound_[2] = n;
  }

  std::size_t begin(std::size_t c) const { return bound_[c]; }
  std::size_t end(std::size_t c) const { return bound_[c + 1]; }

  // body(chunk, begin, end) for every chunk; returns when all are done.
  template <class Body>
  void run(const Body& body) {
    if (!helper_on_) {
      for (std::size_t c = 0; c < kChunks; ++c) body(c, bound_[c], bound_[c + 1]);
      return;
    }
    obj_ = &body;
    call_ = [](const void* o, std::size_t c, std::size_t b, std::size_t e) {
      (*static_cast<const Body*>(o))(c, b, e);
    };
    done_.store(0, std::memory_order_relaxed);
    ++seq_;
    state_.store(seq_ << 32, std::memory_order_release);  // publish: claim index 0
    work(seq_);
    while (done_.load(std::memory_order_acquire) != kChunks) spin();
  }

  // Run f(team) with a helper thread when threads > 1 (inside an arena of two).
  template <class F>
  static void scope(std::size_t n, int threads, F f) {
    row_team team(n);
    if (threads <= 1 || n < 2048) {
      f(team);
      return;
    }
    auto go = [&] {
      tbb::task_group g;
      team.helper_on_ = true;
      g.run([&] { team.helper_loop(); });
      f(team);
      team.stop_.store(true, std::memory_order_release);
      g.wait();
      team.helper_on_ = false;
    };
    if (tbb::this_task_arena::max_concurrency() == 2) {
      go();
    } else {
      tbb::task_arena arena(2);
      arena.execute(go);
    }
  }

 private:
  // Claim and run chunks of job `seq` until none is left.
  void work(std::uint64_t seq) {
    for (;;) {
      std::uint64_t s = state_.load(std::memory_order_acquire);
      for (;;) {
        if ((s >> 32) != seq || (s & 0xffffffffu) >= kChunks) return;
        if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) break;
      }
      const std::size_t c = static_cast<std::size_t>(s & 0xffffffffu);
      call_(obj_, c, bound_[c], bound_[c + 1]);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void helper_loop() {
    std::uint64_t seen = 0;
    while (!stop_.load(std::memory_order_acquire)) {
      const std::uint64_t s = state_.load(std::memory_order_acquire) >> 32;
      if (s != seen) {
        seen = s;
        work(s);
      } else {
        spin();
      }
    }
  }

  static void spin() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#else
    std::this_thread::yield();
#endif
  }

  std::size_t n_;
  std::size_t bound_[kChunks + 1];
  bool helper_on_ = false;
  std::uint64_t seq_ = 0;
  std::atomic<std::uint64_t> state_{0};
  std::atomic<std::size_t> done_{0};
  std::atomic<bool> stop_{false};
  const void* obj_ = nullptr;
  void (*call_)(const void*, std::size_t, std::size_t, std::size_t) = nullptr;
};

// The vector kernels of coordinate descent (common/simd.h) over a team's row
// chunks, partial sums combined in chunk order.

// sum_i (x_i - m) a_i
inline double team_dot_centred(row_team& t, const double* x, double m, const double* a) {
  double part[row_team::kChunks];
  t.run([&](std::size_t c, std::size_t lo, std::size_t hi) {
    part[c] = simd_dot_centred(x + lo, m, a + lo, hi - lo);
  });
  double s = 0.0;
  for (double v : part) s += v;
  return s;
}

// s1 = sum_i v_i (x_i - m), s2 = sum_i v_i (x_i - m)^2
inline void team_weighted_moments(row_team& t, const double* v, const double* x, double m, double& s1,
                                  double& s2) {
  double part[row_team::kChunks][2];
  t.run([&](std::size_t c, std::size_t lo, std::size_t hi) {
    simd_weighted_moments(v + lo, x + lo, m, hi - lo, part[c][0], part[c][1]);
  });
  s1 = s2 = 0.0;
  for (const auto& q : part) { s1 += q[0]; s2 += q[1]; }
}

// the moments and s3 = sum_i (x_i - m) r_i in one pass
inline void team_weighted_moments_dot(row_team& t, const double* v, const double* x, double m,
                                      const double* r, double& s1, double& s2, double& s3) {
  double part[row_team::kChunks][3];
  t.run([&](std::size_t c, std::size_t lo, std::size_t hi) {
    simd_weighted_moments_dot(v + lo, x + lo, m, r + lo, hi - lo, part[c][0], part[c][1], part[c][2]);
  });
  s1 = s2 = s3 = 0.0;
  for (const auto& q : part) { s1 += q[0]; s2 += q[1]; s3 += q[2]; }
}

// r_i -= f v_i (x_i - m)
inline void team_axpy_weighted_centred(row_team& t, double* r, const double* v, const double* x, double m,
                                       double f) {
  t.run([&](std::size_t, std::size_t lo, std::size_t hi) {
    simd_axpy_weighted_centred(r + lo, v + lo, x + lo, m, f, hi - lo);
  });
}

}  // namespace statlearn

#endif
