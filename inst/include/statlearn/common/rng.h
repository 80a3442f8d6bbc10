// statlearn/common/rng.h -- a small counter-based random stream.
//
// Every task (fold, replicate, restart, mini-batch) gets its own stream from
// (seed, task index), so results never depend on scheduling. The seed itself is
// drawn from R's RNG in the R layer.
#ifndef STATLEARN_RNG_H
#define STATLEARN_RNG_H

#include <cstdint>
#include <cmath>

namespace statlearn {

// splitmix64 finaliser: a strong 64-bit mixing function.
inline std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class stream {
 public:
  stream(std::uint64_t seed, std::uint64_t task)
      : key_(mix64(mix64(seed) ^ (task * 0xd1b54a32d192ed03ULL + 1))), counter_(0) {}

  std::uint64_t next() { return mix64(key_ + 0x632be59bd9b4e019ULL * (++counter_)); }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), unbiased (Lemire's method with rejection).
  std::uint64_t below(std::uint64_t n) {
    if (n <= 1) return 0;
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return r % n;
    }
  }

  // Standard normal by the Box-Muller transform.
  double normal() {
    if (has_spare_) { has_spare_ = false; return spare_; }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(6.283185307179586 * u2);
    has_spare_ = true;
    return r * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t key_;
  std::uint64_t counter_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace statlearn

#endif
