// statlearn/common/cpu.h -- which vector instructions this CPU has, checked once.
//
// R compiles packages without -march flags, so every SIMD kernel of the core
// (gram.h, simd.h, sgemm.h, discriminant.h) is compiled for several targets
// with __attribute__((target(...))) and picks one at run time from here.
#ifndef STATLEARN_CPU_H
#define STATLEARN_CPU_H

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define STATLEARN_X86 1
#endif

namespace statlearn {
namespace cpu {

enum class isa { portable, avx2, avx512 };

inline isa best_isa() {
#ifdef STATLEARN_X86
  static const isa best = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return isa::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return isa::avx2;
    return isa::portable;
  }();
  return best;
#else
  return isa::portable;
#endif
}

// At least AVX2 with FMA (the 4-wide double / 8-wide float kernels).
inline bool has_avx2() { return best_isa() != isa::portable; }

}  // namespace cpu
}  // namespace statlearn

#endif
