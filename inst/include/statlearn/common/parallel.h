// statlearn/common/parallel.h -- deterministic parallel loops on TBB.
//
// parallel_for splits [0, n) into fixed chunks whose boundaries depend only on
// n and the grain, never on the thread count, and runs them in an arena limited
// to `threads` workers. Reductions write one partial result per chunk and are
// combined in chunk order by the caller, so 1 and many threads give the same
// bits.
#ifndef STATLEARN_PARALLEL_H
#define STATLEARN_PARALLEL_H

#include <chrono>
#include <cstddef>
#include <algorithm>
#include <exception>
#include <future>
#include <thread>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "statlearn/common/hooks.h"

namespace statlearn {

// Number of fixed chunks of at least `grain` items covering n items.
inline std::size_t chunk_count(std::size_t n, std::size_t grain) {
  if (n == 0) return 0;
  grain = std::max<std::size_t>(grain, 1);
  return (n + grain - 1) / grain;
}

// Run body(begin, end, chunk_index) for each fixed chunk of [0, n).
template <class Body>
void parallel_chunks(std::size_t n, std::size_t grain, int threads, Body body) {
  const std::size_t nchunk = chunk_count(n, grain);
  if (nchunk == 0) return;
  grain = std::max<std::size_t>(grain, 1);
  auto run_chunk = [&](std::size_t c) {
    if (hooks::aborted()) return;
    const std::size_t b = c * grain;
    const std::size_t e = std::min(n, b + grain);
    body(b, e, c);
  };
  if (threads <= 1 || nchunk == 1) {
    for (std::size_t c = 0; c < nchunk; ++c) run_chunk(c);
    return;
  }
  auto run_all = [&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, nchunk, 1),
                      [&](const tbb::blocked_range<std::size_t>& r) {
                        for (std::size_t c = r.begin(); c != r.end(); ++c) run_chunk(c);
                      });
  };
  // Already inside an arena of this size (a caller that runs many short loops,
  // such as a training epoch, opens one arena for all of them): use it rather
  // than paying for a new arena per loop. Chunks, and so results, are the same.
  if (tbb::this_task_arena::max_concurrency() == threads) {
    run_all();
    return;
  }
  tbb::task_arena arena(threads);
  arena.execute(run_all);
}

// Sum of v[0..n) in fixed chunks of `grain`, each summed by one task and the
// partial sums combined in chunk order: the same bits for any thread count.
inline double ordered_sum(const double* v, std::size_t n, std::size_t grain, int threads) {
  std::vector<double> part(chunk_count(n, grain), 0.0);
  parallel_chunks(n, grain, threads, [&](std::size_t b, std::size_t e, std::size_t c) {
    double s = 0.0;
    for (std::size_t i = b; i < e; ++i) s += v[i];
    part[c] = s;
  });
  double total = 0.0;
  for (double p : part) total += p;
  return total;
}

// Run f() inside one arena of `threads` workers, so that the parallel loops it
// starts share that arena instead of each creating its own.
template <class F>
void with_threads(int threads, F f) {
  if (threads <= 1 || tbb::this_task_arena::max_concurrency() == threads) {
    f();
    return;
  }
  tbb::task_arena arena(threads);
  arena.execute(f);
}

// Run f() (long work whose loops run on TBB and whose tasks check
// hooks::aborted()) on a helper thread while this, the main thread, asks the
// host for user interrupts every 50 ms; an interrupt sets the abort flag, the
// workers stop at their next check, and once they are joined `interrupted`
// is thrown here. An exception thrown by f() is rethrown here.
template <class F>
void interruptible(F f) {
  std::exception_ptr error;
  auto task = std::async(std::launch::async, [&] {
    try {
      f();
    } catch (...) {
      error = std::current_exception();
    }
  });
  while (task.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
    hooks::poll_interrupt();
  }
  task.get();
  if (error) std::rethrow_exception(error);
  if (hooks::aborted()) throw interrupted();
}

// Run body(i) for each task i in [0, n), one task per chunk.
template <class Body>
void parallel_tasks(std::size_t n, int threads, Body body) {
  parallel_chunks(n, 1, threads, [&](std::size_t b, std::size_t, std::size_t) { body(b); });
}

}  // namespace statlearn

#endif
