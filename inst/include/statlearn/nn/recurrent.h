// statlearn/nn/recurrent.h -- recurrent layers of the network engine: simple
// RNN, LSTM and GRU (Deep Learning book ch. 10), the bidirectional wrapper
// and the masking layer, with back-propagation through time (BPTT).
//
// Sequences. A sequence input has the engine's shape3 {h = 1, w = T, c = F}:
// example j of a batch is F x T, column-major (index f + F * t), so a batch
// is the usual D x B matrix with D = T * F. Seen as one F x (T * B) matrix
// whose column t + T * j is step t of example j, the input projection of all
// steps of all examples is ONE matrix product.
//
// Equations and weight layout are PyTorch's (torch.nn.RNN/LSTM/GRU), with the
// weights stored transposed, as keras stores them:
//   kernel           F x G*U   (= t(weight_ih)),   G = 1 (RNN), 4 (LSTM), 3 (GRU)
//   recurrent_kernel U x G*U   (= t(weight_hh))
//   bias             G*U       (= bias_ih; the LSTM and RNN carry one bias,
//                               so bias_hh = 0 in PyTorch terms)
//   recurrent_bias   G*U       (GRU only, = bias_hh: the reset gate multiplies
//                               W_hn h + b_hn, PyTorch's / keras reset_after)
// simple RNN: h_t = act(W' x_t + b + U' h_{t-1})
// LSTM (gates i, f, g, o in this order along the G*U columns):
//   i = sigm(.), f = sigm(.), g = tanh(.), o = sigm(.),
//   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
// GRU (gates r, z, n): r = sigm(a_r + b_r + h_r), z = sigm(a_z + b_z + h_z),
//   n = tanh(a_n + b_n + r * (W_hn' h_{t-1} + b_hn)),  h_t = (1 - z) * n + z * h_{t-1}
// where a = W' x_t and h_. = W_h.' h_{t-1} + b_h..
//
// Initial states. The state before the first step is zero, or h0 (and c0 for
// the LSTM) when the caller sets them (set_initial_state(), U x B each), or,
// for a stateful layer in a training step (run_context::carry), the last
// state of example j of the previous training step of the same batch size
// (keras' stateful = TRUE: truncated BPTT over consecutive windows). The
// initial state is a constant: BPTT stops at it (no gradient flows into the
// previous window), while the weight gradients include its contribution
// (W_hh' h0 at the first step).
//
// The fused kernel. forward(): (1) the input projection of every step,
// XG = kernel' X (G*U x T*B), one GEMM; (2) in parallel over fixed chunks of
// the batch (examples are independent, so each chunk runs the whole
// recurrence as one task, with no barrier between steps), for each step the
// recurrent projection of the chunk (one GEMM of G*U x nb x U with the
// transposed recurrent kernel read in place) and the gate pass over the chunk
// (vectorised sigmoid/tanh from nn/simd.h), which overwrites XG's column with
// the activated gates that BPTT needs. backward(): the same chunks, each step's
// gate pass writing the gradient of the gates' pre-activations in place of the
// gates, then the recurrent back-projection of the chunk; after
// the loop the weight gradients are three GEMMs over all T * B columns
// (kernel: X dG', recurrent kernel: H_prev dG', input: kernel dG) and a row
// sum. Buffers are sized once by reserve(capacity). Chunks are fixed by the
// batch size and the layer's size, never by the thread count, and every
// reduction over examples is a GEMM or a fixed-order sum, so 1 and n threads
// give the same bits.
//
// Masks. A time step of an example is either present or masked. A layer that
// makes a mask (layer_masking here; layer_embedding(mask_zero = TRUE) in
// nn/sequence.h) overrides layer::output_mask() to return, after its
// forward(), a T x B array of bytes (mask[t + T * j] != 0: step t of example j
// is present), T = the layer's out.w, valid until its next forward(). The
// network (network.h) hands the mask to the following layers in
// run_context::mask (mask_steps = T) for as long as their output keeps the
// time axis (out.h == 1 and out.w == T: dropout, time-distributed layers,
// recurrent layers with return_sequences); any other layer (a recurrent layer
// returning its last state, flatten, dense) ends it. Backward passes receive
// the same mask as their forward. A recurrent layer skips masked steps: the
// state (h, and c for the LSTM) is carried unchanged and the step's output is
// zero; the last state is thus the state at each example's last present step.
//
// Dropout (keras' `dropout` and `recurrent_dropout`; variational dropout,
// Gal and Ghahramani 2016). In training only, example j of a mini-batch step
// gets one mask m_x of its F input features and one mask m_h of the U state
// units, each entry 0 with probability rate and 1 / (1 - rate) otherwise,
// shared by all time steps and all gates: the cell reads x_t * m_x in place of
// x_t, and h_{t-1} * m_h in place of h_{t-1} in the recurrent product only
// (the GRU's update z * h_{t-1} and the LSTM's cell use the unmasked state).
// The masks come from the counter-based streams (seed, layer index,
// direction, optimizer step, j), as dropout_layer's do, so they depend on
// neither the thread count nor the chunking of the batch, and every
// evaluation of one step (a gradient check) sees the same masks. In the
// kernel: XG = kernel' (X * m_x), one GEMM as before; the masked states
// h_{t-1} * m_h are kept beside the states (hmask) for the recurrent GEMMs of
// both passes; in BPTT the recurrent back-projection W_hh dG_t is multiplied
// by m_h before it joins dL/dh_{t-1}, and the input gradient kernel dG by m_x.
//
// Bidirectional: two cores, the second reading time backwards; their outputs
// are concatenated ([forward, backward] features at each step) or summed.
// Each core draws its own masks.
#ifndef STATLEARN_NN_RECURRENT_H
#define STATLEARN_NN_RECURRENT_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "statlearn/nn/layers.h"

namespace statlearn {
namespace nn {

enum class cell_kind { simple, lstm, gru };

inline cell_kind cell_from(const std::string& s) {
  if (s == "simple_rnn") return cell_kind::simple;
  if (s == "lstm") return cell_kind::lstm;
  if (s == "gru") return cell_kind::gru;
  throw std::invalid_argument("unknown recurrent cell '" + s + "'");
}

inline int gate_count(cell_kind c) { return c == cell_kind::lstm ? 4 : (c == cell_kind::gru ? 3 : 1); }

namespace rnn_detail {

// y = sigm(x), y = tanh(x) over n values (in place allowed). Float uses the
// vectorised exponential of simd.h (tanh(x) = 2 sigm(2x) - 1); double the
// library functions.
inline void sigmoid(float* x, std::size_t n) { vec::sigmoid(x, x, n); }
inline void sigmoid(double* x, std::size_t n) { vec::sigmoid(x, x, n); }
inline void tanh_(float* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] *= 2.0f;
  vec::sigmoid(x, x, n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 2.0f * x[i] - 1.0f;
}
inline void tanh_(double* x, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
}
inline void tanh_to(const float* x, float* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = 2.0f * x[i];
  vec::sigmoid(y, y, n);
  for (std::size_t i = 0; i < n; ++i) y[i] = 2.0f * y[i] - 1.0f;
}
inline void tanh_to(const double* x, double* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

// The simple RNN's activation applied in place, and its derivative from the
// output y (tanh: 1 - y^2, sigmoid: y (1 - y), relu: y > 0, identity: 1).
template <class T>
void activate(activation a, T* x, std::size_t n) {
  switch (a) {
    case activation::tanh: tanh_(x, n); break;
    case activation::sigmoid: sigmoid(x, n); break;
    case activation::relu:
      for (std::size_t i = 0; i < n; ++i) x[i] = x[i] > T(0) ? x[i] : T(0);
      break;
    default: break;
  }
}
template <class T>
T activation_slope(activation a, T y) {
  switch (a) {
    case activation::tanh: return T(1) - y * y;
    case activation::sigmoid: return y * (T(1) - y);
    case activation::relu: return y > T(0) ? T(1) : T(0);
    default: return T(1);
  }
}

// The LSTM's gate pass for one example (u = units): a holds the input
// projection of the step (4u), r the recurrent one; on return a holds the
// gates i, f, g, o, and cn, tc, hn the new cell, tanh(cell) and state.
template <class T>
void lstm_gates(T* a, const T* r, const T* b, const T* cp, T* cn, T* tc, T* hn, std::size_t u) {
  for (std::size_t i = 0; i < 4 * u; ++i) a[i] += r[i] + b[i];
  sigmoid(a, 2 * u);
  tanh_(a + 2 * u, u);
  sigmoid(a + 3 * u, u);
  const T *gi = a, *gf = a + u, *gg = a + 2 * u, *go = a + 3 * u;
  for (std::size_t k = 0; k < u; ++k) cn[k] = gf[k] * cp[k] + gi[k] * gg[k];
  tanh_to(cn, tc, u);
  for (std::size_t k = 0; k < u; ++k) hn[k] = go[k] * tc[k];
}

// Its backward pass: d = dL/dh_t, dc = dL/dc_t (updated to dL/dc_{t-1}); the
// gates in a are replaced by the gradient of their pre-activations.
template <class T>
void lstm_gates_backward(T* a, const T* d, T* dc, const T* tc, const T* cp, std::size_t u) {
  for (std::size_t k = 0; k < u; ++k) {
    const T gi = a[k], gf = a[u + k], gg = a[2 * u + k], go = a[3 * u + k];
    const T th = tc[k];
    const T dcu = dc[k] + d[k] * go * (T(1) - th * th);
    a[k] = dcu * gg * gi * (T(1) - gi);
    a[u + k] = dcu * cp[k] * gf * (T(1) - gf);
    a[2 * u + k] = dcu * gi * (T(1) - gg * gg);
    a[3 * u + k] = d[k] * th * go * (T(1) - go);
    dc[k] = dcu * gf;
  }
}

// The GRU's gate pass for one example: a (3u) the input projection, r the
// recurrent one, b and bh the two biases, hp the previous state; on return a
// holds r, z, n, g the recurrent part of n (W_hn' h + b_hn) and hn the state.
template <class T>
void gru_gates(T* a, const T* r, const T* b, const T* bh, const T* hp, T* g, T* hn, std::size_t u) {
  for (std::size_t i = 0; i < 2 * u; ++i) a[i] += r[i] + b[i] + bh[i];
  sigmoid(a, 2 * u);
  const T *gr = a, *gz = a + u;
  T* gn = a + 2 * u;
  for (std::size_t k = 0; k < u; ++k) {
    g[k] = r[2 * u + k] + bh[2 * u + k];
    gn[k] += b[2 * u + k] + gr[k] * g[k];
  }
  tanh_(gn, u);
  for (std::size_t k = 0; k < u; ++k) hn[k] = (T(1) - gz[k]) * gn[k] + gz[k] * hp[k];
}

// Its backward pass: a (gates) becomes the gradient of the input-side
// pre-activations, ah that of the recurrent side (the n block times r), and
// dn the direct part of dL/dh_{t-1}; units k0..u-1 only (k0 > 0: the tail of
// a vectorised pass).
template <class T>
void gru_gates_backward(T* a, T* ah, const T* d, const T* g, const T* hp, T* dn, std::size_t u,
                        std::size_t k0 = 0) {
  for (std::size_t k = k0; k < u; ++k) {
    const T gr = a[k], gz = a[u + k], gn = a[2 * u + k];
    const T dpn = d[k] * (T(1) - gz) * (T(1) - gn * gn);
    const T dz = d[k] * (hp[k] - gn);
    const T dr = dpn * g[k];
    const T dpr = dr * gr * (T(1) - gr), dpz = dz * gz * (T(1) - gz);
    a[k] = dpr;
    a[u + k] = dpz;
    a[2 * u + k] = dpn;
    ah[k] = dpr;
    ah[u + k] = dpz;
    ah[2 * u + k] = dpn * gr;
    dn[k] = d[k] * gz;
  }
}

#ifdef STATLEARN_X86
// Float versions on AVX2 (the same formulas; tanh(x) = 2 sigm(2x) - 1 with
// the exponential of simd.h), chosen at run time.
__attribute__((target("avx2,fma"))) inline __m256 sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, vec::exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}
__attribute__((target("avx2,fma"))) inline __m256 tanh8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f), two = _mm256_set1_ps(2.0f);
  return _mm256_sub_ps(_mm256_mul_ps(two, sigmoid8(_mm256_mul_ps(two, x))), one);
}

// a + (r + b), eight floats
__attribute__((target("avx2,fma"))) inline __m256 sum3(const float* a, const float* r, const float* b) {
  return _mm256_add_ps(_mm256_loadu_ps(a), _mm256_add_ps(_mm256_loadu_ps(r), _mm256_loadu_ps(b)));
}

__attribute__((target("avx2,fma"))) inline void lstm_gates_avx2(float* a, const float* r,
                                                                const float* b, const float* cp,
                                                                float* cn, float* tc, float* hn,
                                                                std::size_t u) {
  std::size_t k = 0;
  for (; k + 8 <= u; k += 8) {
    const __m256 gi = sigmoid8(sum3(a + k, r + k, b + k)), gf = sigmoid8(sum3(a + u + k, r + u + k, b + u + k)),
                 gg = tanh8(sum3(a + 2 * u + k, r + 2 * u + k, b + 2 * u + k)),
                 go = sigmoid8(sum3(a + 3 * u + k, r + 3 * u + k, b + 3 * u + k));
    _mm256_storeu_ps(a + k, gi);
    _mm256_storeu_ps(a + u + k, gf);
    _mm256_storeu_ps(a + 2 * u + k, gg);
    _mm256_storeu_ps(a + 3 * u + k, go);
    const __m256 c = _mm256_add_ps(_mm256_mul_ps(gf, _mm256_loadu_ps(cp + k)), _mm256_mul_ps(gi, gg));
    const __m256 th = tanh8(c);
    _mm256_storeu_ps(cn + k, c);
    _mm256_storeu_ps(tc + k, th);
    _mm256_storeu_ps(hn + k, _mm256_mul_ps(go, th));
  }
  for (; k < u; ++k) {
    float g[4];
    for (int q = 0; q < 4; ++q) g[q] = a[q * u + k] + (r[q * u + k] + b[q * u + k]);
    g[0] = vec::sigmoid_scalar(g[0]);
    g[1] = vec::sigmoid_scalar(g[1]);
    g[2] = 2.0f * vec::sigmoid_scalar(2.0f * g[2]) - 1.0f;
    g[3] = vec::sigmoid_scalar(g[3]);
    for (int q = 0; q < 4; ++q) a[q * u + k] = g[q];
    cn[k] = g[1] * cp[k] + g[0] * g[2];
    tc[k] = 2.0f * vec::sigmoid_scalar(2.0f * cn[k]) - 1.0f;
    hn[k] = g[3] * tc[k];
  }
}

__attribute__((target("avx2,fma"))) inline void lstm_gates_backward_avx2(float* a, const float* d,
                                                                         float* dc, const float* tc,
                                                                         const float* cp,
                                                                         std::size_t u) {
  const __m256 one = _mm256_set1_ps(1.0f);
  std::size_t k = 0;
  for (; k + 8 <= u; k += 8) {
    const __m256 gi = _mm256_loadu_ps(a + k), gf = _mm256_loadu_ps(a + u + k),
                 gg = _mm256_loadu_ps(a + 2 * u + k), go = _mm256_loadu_ps(a + 3 * u + k);
    const __m256 th = _mm256_loadu_ps(tc + k), dk = _mm256_loadu_ps(d + k);
    const __m256 dcu = _mm256_add_ps(
        _mm256_loadu_ps(dc + k),
        _mm256_mul_ps(_mm256_mul_ps(dk, go), _mm256_sub_ps(one, _mm256_mul_ps(th, th))));
    _mm256_storeu_ps(a + k, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(dcu, gg), gi), _mm256_sub_ps(one, gi)));
    _mm256_storeu_ps(a + u + k, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(dcu, _mm256_loadu_ps(cp + k)), gf),
                                              _mm256_sub_ps(one, gf)));
    _mm256_storeu_ps(a + 2 * u + k, _mm256_mul_ps(_mm256_mul_ps(dcu, gi), _mm256_sub_ps(one, _mm256_mul_ps(gg, gg))));
    _mm256_storeu_ps(a + 3 * u + k, _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(dk, th), go), _mm256_sub_ps(one, go)));
    _mm256_storeu_ps(dc + k, _mm256_mul_ps(dcu, gf));
  }
  if (k < u) lstm_gates_backward(a + k, d + k, dc + k, tc + k, cp + k, u - k);
}
#endif

#ifdef STATLEARN_X86
__attribute__((target("avx2,fma"))) inline void gru_gates_avx2(float* a, const float* r, const float* b,
                                                               const float* bh, const float* hp, float* g,
                                                               float* hn, std::size_t u) {
  const __m256 one = _mm256_set1_ps(1.0f);
  std::size_t k = 0;
  for (; k + 8 <= u; k += 8) {
    const __m256 gr = sigmoid8(_mm256_add_ps(sum3(a + k, r + k, b + k), _mm256_loadu_ps(bh + k)));
    const __m256 gz =
        sigmoid8(_mm256_add_ps(sum3(a + u + k, r + u + k, b + u + k), _mm256_loadu_ps(bh + u + k)));
    const __m256 gg = _mm256_add_ps(_mm256_loadu_ps(r + 2 * u + k), _mm256_loadu_ps(bh + 2 * u + k));
    const __m256 gn = tanh8(_mm256_add_ps(
        _mm256_add_ps(_mm256_loadu_ps(a + 2 * u + k), _mm256_loadu_ps(b + 2 * u + k)), _mm256_mul_ps(gr, gg)));
    _mm256_storeu_ps(a + k, gr);
    _mm256_storeu_ps(a + u + k, gz);
    _mm256_storeu_ps(a + 2 * u + k, gn);
    _mm256_storeu_ps(g + k, gg);
    _mm256_storeu_ps(hn + k, _mm256_add_ps(_mm256_mul_ps(_mm256_sub_ps(one, gz), gn),
                                           _mm256_mul_ps(gz, _mm256_loadu_ps(hp + k))));
  }
  for (; k < u; ++k) {
    const float gr = vec::sigmoid_scalar(a[k] + (r[k] + b[k]) + bh[k]);
    const float gz = vec::sigmoid_scalar(a[u + k] + (r[u + k] + b[u + k]) + bh[u + k]);
    const float gg = r[2 * u + k] + bh[2 * u + k];
    const float gn = 2.0f * vec::sigmoid_scalar(2.0f * ((a[2 * u + k] + b[2 * u + k]) + gr * gg)) - 1.0f;
    a[k] = gr;
    a[u + k] = gz;
    a[2 * u + k] = gn;
    g[k] = gg;
    hn[k] = (1.0f - gz) * gn + gz * hp[k];
  }
}

__attribute__((target("avx2,fma"))) inline void gru_gates_backward_avx2(float* a, float* ah, const float* d,
                                                                        const float* g, const float* hp,
                                                                        float* dn, std::size_t u) {
  const __m256 one = _mm256_set1_ps(1.0f);
  std::size_t k = 0;
  for (; k + 8 <= u; k += 8) {
    const __m256 gr = _mm256_loadu_ps(a + k), gz = _mm256_loadu_ps(a + u + k),
                 gn = _mm256_loadu_ps(a + 2 * u + k), dk = _mm256_loadu_ps(d + k);
    const __m256 dpn =
        _mm256_mul_ps(_mm256_mul_ps(dk, _mm256_sub_ps(one, gz)), _mm256_sub_ps(one, _mm256_mul_ps(gn, gn)));
    const __m256 dz = _mm256_mul_ps(dk, _mm256_sub_ps(_mm256_loadu_ps(hp + k), gn));
    const __m256 dr = _mm256_mul_ps(dpn, _mm256_loadu_ps(g + k));
    const __m256 dpr = _mm256_mul_ps(_mm256_mul_ps(dr, gr), _mm256_sub_ps(one, gr));
    const __m256 dpz = _mm256_mul_ps(_mm256_mul_ps(dz, gz), _mm256_sub_ps(one, gz));
    _mm256_storeu_ps(a + k, dpr);
    _mm256_storeu_ps(a + u + k, dpz);
    _mm256_storeu_ps(a + 2 * u + k, dpn);
    _mm256_storeu_ps(ah + k, dpr);
    _mm256_storeu_ps(ah + u + k, dpz);
    _mm256_storeu_ps(ah + 2 * u + k, _mm256_mul_ps(dpn, gr));
    _mm256_storeu_ps(dn + k, _mm256_mul_ps(dk, gz));
  }
  // the scalar tail on the same three blocks
  if (k < u) gru_gates_backward<float>(a, ah, d, g, hp, dn, u, k);
}
#endif

inline void gru_step(float* a, const float* r, const float* b, const float* bh, const float* hp, float* g,
                     float* hn, std::size_t u) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return gru_gates_avx2(a, r, b, bh, hp, g, hn, u);
#endif
  gru_gates(a, r, b, bh, hp, g, hn, u);
}
inline void gru_step(double* a, const double* r, const double* b, const double* bh, const double* hp,
                     double* g, double* hn, std::size_t u) {
  gru_gates(a, r, b, bh, hp, g, hn, u);
}
inline void gru_step_backward(float* a, float* ah, const float* d, const float* g, const float* hp, float* dn,
                              std::size_t u) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return gru_gates_backward_avx2(a, ah, d, g, hp, dn, u);
#endif
  gru_gates_backward(a, ah, d, g, hp, dn, u);
}
inline void gru_step_backward(double* a, double* ah, const double* d, const double* g, const double* hp,
                              double* dn, std::size_t u) {
  gru_gates_backward(a, ah, d, g, hp, dn, u);
}

inline void lstm_step(float* a, const float* r, const float* b, const float* cp, float* cn, float* tc,
                      float* hn, std::size_t u) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return lstm_gates_avx2(a, r, b, cp, cn, tc, hn, u);
#endif
  lstm_gates(a, r, b, cp, cn, tc, hn, u);
}
inline void lstm_step(double* a, const double* r, const double* b, const double* cp, double* cn,
                      double* tc, double* hn, std::size_t u) {
  lstm_gates(a, r, b, cp, cn, tc, hn, u);
}
inline void lstm_step_backward(float* a, const float* d, float* dc, const float* tc, const float* cp,
                               std::size_t u) {
#ifdef STATLEARN_X86
  if (cpu::has_avx2()) return lstm_gates_backward_avx2(a, d, dc, tc, cp, u);
#endif
  lstm_gates_backward(a, d, dc, tc, cp, u);
}
inline void lstm_step_backward(double* a, const double* d, double* dc, const double* tc,
                               const double* cp, std::size_t u) {
  lstm_gates_backward(a, d, dc, tc, cp, u);
}

}  // namespace rnn_detail

// One direction of a recurrent layer: its parameters, buffers, and the
// forward and backward passes through time. The output of step t of example
// j goes to y + ost * t + oex * j (return_sequences) or y + oex * j (the last
// state), so that a bidirectional layer's two cores write their halves of a
// concatenated output in place; with `accumulate` they add to y (sum merge).
template <class T>
class recurrent_core {
 public:
  cell_kind cell;
  activation act;  // simple RNN only
  int F = 0, U = 0, G = 1, steps = 1;
  bool return_sequences = false, reverse = false;
  double dropout = 0.0, recurrent_dropout = 0.0;  // rates, in [0, 1)
  int layer_index = 0;  // the owning layer's position (dropout streams); set by it
  bool stateful = false;
  // Initial state of the next forward pass (U x B; c for the LSTM); nullptr
  // for zero (see the header comment).
  const T* init_h = nullptr;
  const T* init_c = nullptr;
  parameter<T> kernel, recurrent_kernel, bias, recurrent_bias;

  recurrent_core(cell_kind c, activation a, int features, int units, int time, bool seq, bool rev)
      : cell(c), act(a), F(features), U(units), G(gate_count(c)), steps(time), return_sequences(seq),
        reverse(rev) {
    const std::size_t GU = static_cast<std::size_t>(G) * U;
    kernel = parameter<T>(static_cast<std::size_t>(F) * GU);
    recurrent_kernel = parameter<T>(static_cast<std::size_t>(U) * GU);
    bias = parameter<T>(GU);
    if (cell == cell_kind::gru) recurrent_bias = parameter<T>(GU);
  }

  std::vector<parameter<T>*> params() {
    if (cell == cell_kind::gru) return {&kernel, &recurrent_kernel, &bias, &recurrent_bias};
    return {&kernel, &recurrent_kernel, &bias};
  }

  void reserve(std::size_t cap) {
    const std::size_t GU = static_cast<std::size_t>(G) * U, TB = static_cast<std::size_t>(steps) * cap;
    xg.resize(GU * TB);
    hprev.resize(static_cast<std::size_t>(U) * TB);
    last.resize(static_cast<std::size_t>(U) * cap);
    if (stateful) carry_h.resize(static_cast<std::size_t>(U) * cap);
    if (stateful && cell == cell_kind::lstm) carry_c.resize(static_cast<std::size_t>(U) * cap);
    rg.resize(GU * cap);
    whh_t.resize(ld_whh() * U);
    whh.resize(ld_w() * G * U);
    dh.resize(static_cast<std::size_t>(U) * cap);
    dhn.resize(static_cast<std::size_t>(U) * cap);
    if (cell == cell_kind::lstm) {
      cprev.resize(static_cast<std::size_t>(U) * TB);
      tc.resize(static_cast<std::size_t>(U) * TB);
      lastc.resize(static_cast<std::size_t>(U) * cap);
      dc.resize(static_cast<std::size_t>(U) * cap);
    }
    if (cell == cell_kind::gru) {
      ghn.resize(static_cast<std::size_t>(U) * TB);
      dgh.resize(GU * TB);
    }
    if (dropout > 0.0) {
      xd.resize(static_cast<std::size_t>(F) * TB);
      in_mask.resize(static_cast<std::size_t>(F) * cap);
    }
    if (recurrent_dropout > 0.0) {
      hmask.resize(static_cast<std::size_t>(U) * TB);
      rec_mask.resize(static_cast<std::size_t>(U) * cap);
      dhr.resize(static_cast<std::size_t>(U) * cap);
    }
  }

  // The dropout masks of the last forward pass (F x B and U x B, entries 0 or
  // 1 / (1 - rate)); null when that pass dropped nothing of that kind.
  const T* input_mask() const { return drop_in ? in_mask.data() : nullptr; }
  // The last state of the last forward pass (U x B; c for the LSTM).
  const T* last_state() const { return last.data(); }
  const T* last_cell() const { return cell == cell_kind::lstm ? lastc.data() : nullptr; }
  // Forget a stateful layer's carried state (the next training step starts at zero).
  void reset_carry() { carried = 0; }
  const T* state_mask() const { return drop_rec ? rec_mask.data() : nullptr; }

  // Draws the masks of a training pass of B examples (see the header comment).
  void draw_masks(std::size_t B, const run_context& ctx) {
    drop_in = ctx.training && dropout > 0.0;
    drop_rec = ctx.training && recurrent_dropout > 0.0;
    if (!drop_in && !drop_rec) return;
    std::uint64_t key = mix64(ctx.seed ^ (0xa0761d6478bd642fULL * static_cast<std::uint64_t>(layer_index + 1)));
    if (reverse) key = mix64(key ^ 0xe7037ed1a0b428dbULL);
    const std::uint64_t k_in = mix64(key + ctx.step), k_rec = mix64(k_in ^ 0x8ebc6af09c88c6e3ULL);
    const T keep_in = static_cast<T>(1.0 / (1.0 - dropout));
    const T keep_rec = static_cast<T>(1.0 / (1.0 - recurrent_dropout));
    const std::size_t Fz = F, Uz = U;
    parallel_chunks(B, example_grain(Fz + Uz), ctx.threads, [&](std::size_t j0, std::size_t j1, std::size_t) {
      for (std::size_t j = j0; j < j1; ++j) {
        if (drop_in) {
          stream rs(k_in, j);
          T* m = in_mask.data() + Fz * j;
          for (std::size_t f = 0; f < Fz; ++f) m[f] = rs.uniform() >= dropout ? keep_in : T(0);
        }
        if (drop_rec) {
          stream rs(k_rec, j);
          T* m = rec_mask.data() + Uz * j;
          for (std::size_t u = 0; u < Uz; ++u) m[u] = rs.uniform() >= recurrent_dropout ? keep_rec : T(0);
        }
      }
    });
  }

  // Examples per chunk of the per-step loop: about 2^19 multiply-adds of the
  // recurrent GEMM, a multiple of 16 (whole register blocks of the SGEMM).
  std::size_t batch_grain() const {
    const std::size_t work = static_cast<std::size_t>(G) * U * (U + 8);
    const std::size_t g = (std::size_t(1) << 19) / std::max<std::size_t>(work, 1);
    return std::max<std::size_t>(16, (g + 15) / 16 * 16);
  }

  int time_of(int s) const { return reverse ? steps - 1 - s : s; }

  // Leading dimensions of the recurrent kernel's copies that the per-step
  // GEMMs read in place (a sliver of rows per k): padded when a column is a
  // multiple of 512 bytes, whose stride would map a sliver's k to a few L1
  // cache sets.
  static std::size_t padded(std::size_t rows) { return rows % 128 == 0 ? rows + 16 : rows; }
  std::size_t ld_whh() const { return padded(static_cast<std::size_t>(G) * U); }
  std::size_t ld_w() const { return padded(static_cast<std::size_t>(U)); }

  void forward(const T* x, T* y, std::size_t ost, std::size_t oex, bool accumulate, std::size_t B,
               const run_context& ctx) {
    const std::size_t GU = static_cast<std::size_t>(G) * U, Ts = steps, Uz = U;
    const std::uint8_t* mask = ctx.mask != nullptr && ctx.mask_steps == steps ? ctx.mask : nullptr;
    draw_masks(B, ctx);
    // Dropout of the input: X * m_x, the mask of each example at every step.
    const T* xin = x;
    if (drop_in) {
      const std::size_t Fz = F;
      parallel_chunks(B, example_grain(Fz * Ts), ctx.threads, [&](std::size_t j0, std::size_t j1, std::size_t) {
        for (std::size_t j = j0; j < j1; ++j) {
          const T* m = in_mask.data() + Fz * j;
          for (std::size_t t = 0; t < Ts; ++t) {
            const std::size_t o = Fz * (t + Ts * j);
            for (std::size_t f = 0; f < Fz; ++f) xd[o + f] = x[o + f] * m[f];
          }
        }
      });
      xin = xd.data();
    }
    // What the recurrent GEMM reads: the states, or with recurrent dropout the
    // masked states h_{t-1} * m_h.
    T* hrec = drop_rec ? hmask.data() : hprev.data();
    // (1) Input projection of all steps: XG = kernel' X, X = F x (T * B).
    gemm(true, false, GU, Ts * B, F, T(1), kernel.value.data(), F, xin, F, T(0), xg.data(), GU,
         ctx.threads);
    // The recurrent kernel transposed (G*U x U), read in place by the GEMM.
    const T* W = recurrent_kernel.value.data();
    const std::size_t ldw = ld_whh();
    for (std::size_t c = 0; c < GU; ++c)
      for (std::size_t u = 0; u < Uz; ++u) whh_t[c + ldw * u] = W[u + Uz * c];
    const T* b = bias.value.data();
    const T* bh = cell == cell_kind::gru ? recurrent_bias.value.data() : nullptr;
    // The initial state: given, carried, or zero.
    const T* h0 = init_h;
    const T* c0 = init_c;
    if (h0 == nullptr && stateful && ctx.carry && carried == B) {
      h0 = carry_h.data();
      c0 = carry_c.empty() ? nullptr : carry_c.data();
    }
    const int t0 = time_of(0);
    for (std::size_t j = 0; j < B; ++j) {
      T* hp = hprev.data() + Uz * (t0 + Ts * j);
      if (h0 != nullptr) std::copy_n(h0 + Uz * j, Uz, hp);
      else std::fill_n(hp, Uz, T(0));
      if (drop_rec) {
        const T* m = rec_mask.data() + Uz * j;
        T* hm = hmask.data() + Uz * (t0 + Ts * j);
        for (std::size_t u = 0; u < Uz; ++u) hm[u] = hp[u] * m[u];
      }
      if (cell == cell_kind::lstm) {
        T* cp = cprev.data() + Uz * (t0 + Ts * j);
        if (c0 != nullptr) std::copy_n(c0 + Uz * j, Uz, cp);
        else std::fill_n(cp, Uz, T(0));
      }
    }
    // Examples are independent: each fixed chunk of the batch runs the whole
    // recurrence as one task (no barrier between steps).
    parallel_chunks(B, batch_grain(), ctx.threads, [&](std::size_t j0, std::size_t j1, std::size_t) {
      const std::size_t nb = j1 - j0;
      for (int s = 0; s < steps; ++s) {
        const int t = time_of(s);
        const int tn = reverse ? t - 1 : t + 1;  // the next step's time
        const bool has_next = s + 1 < steps;
        // (2) Recurrent projection of the chunk: rg = W_hh' h_{t-1}.
        if (s > 0 || h0 != nullptr) {
          gemm(false, false, GU, nb, Uz, T(1), whh_t.data(), ldw, hrec + Uz * (t + Ts * j0),
               Uz * Ts, T(0), rg.data() + GU * j0, GU, 1);
        } else {
          std::fill_n(rg.data() + GU * j0, GU * nb, T(0));
        }
        // (3) Gate pass.
        for (std::size_t j = j0; j < j1; ++j) {
          const std::size_t col = t + Ts * j;
          T* a = xg.data() + GU * col;
          const T* r = rg.data() + GU * j;
          const T* hp = hprev.data() + Uz * col;
          T* hn = has_next ? hprev.data() + Uz * (tn + Ts * j) : last.data() + Uz * j;
          T* out = return_sequences ? y + ost * t + oex * j : (has_next ? nullptr : y + oex * j);
          const bool present = mask == nullptr || mask[col] != 0;
          if (!present) {
            std::copy(hp, hp + Uz, hn);
            if (cell == cell_kind::lstm) {
              const T* cp = cprev.data() + Uz * col;
              std::copy(cp, cp + Uz, has_next ? cprev.data() + Uz * (tn + Ts * j) : lastc.data() + Uz * j);
            }
            if (out != nullptr) {
              if (return_sequences) {
                if (!accumulate) std::fill_n(out, Uz, T(0));
              } else {
                put(out, hn, accumulate);
              }
            }
          } else {
            if (cell == cell_kind::lstm) {
              T* cn = has_next ? cprev.data() + Uz * (tn + Ts * j) : lastc.data() + Uz * j;
              rnn_detail::lstm_step(a, r, b, cprev.data() + Uz * col, cn, tc.data() + Uz * col, hn, Uz);
            } else if (cell == cell_kind::gru) {
              rnn_detail::gru_step(a, r, b, bh, hp, ghn.data() + Uz * col, hn, Uz);
            } else {
              for (std::size_t i = 0; i < Uz; ++i) a[i] += r[i] + b[i];
              rnn_detail::activate(act, a, Uz);
              std::copy(a, a + Uz, hn);
            }
            if (out != nullptr) put(out, hn, accumulate);
          }
          // The masked state that the next step's recurrent product reads.
          if (drop_rec && has_next) {
            const T* m = rec_mask.data() + Uz * j;
            T* hm = hmask.data() + Uz * (tn + Ts * j);
            for (std::size_t u = 0; u < Uz; ++u) hm[u] = hn[u] * m[u];
          }
        }
      }
    });
    if (stateful && ctx.carry) {
      std::copy_n(last.data(), Uz * B, carry_h.data());
      if (cell == cell_kind::lstm) std::copy_n(lastc.data(), Uz * B, carry_c.data());
      carried = B;
    }
  }

  // dy laid out as forward's y; dx (F x T*B) is written, or added to with
  // `accumulate` (the second core of a bidirectional layer).
  void backward(const T* x, const T* dy, std::size_t ost, std::size_t oex, T* dx, bool accumulate,
                std::size_t B, const run_context& ctx) {
    const std::size_t GU = static_cast<std::size_t>(G) * U, Ts = steps, Uz = U;
    const std::uint8_t* mask = ctx.mask != nullptr && ctx.mask_steps == steps ? ctx.mask : nullptr;
    // The recurrent kernel with padded columns (see padded()).
    const std::size_t ldw = ld_w();
    for (std::size_t c = 0; c < GU; ++c)
      std::copy_n(recurrent_kernel.value.data() + Uz * c, Uz, whh.data() + ldw * c);
    const T* W = whh.data();
    T* dg_rec = cell == cell_kind::gru ? dgh.data() : xg.data();  // what W_hh multiplies
    // The masks and masked inputs of the forward pass (draw_masks()).
    const T* xin = drop_in ? xd.data() : x;
    const T* hrec = drop_rec ? hmask.data() : hprev.data();
    for (std::size_t j = 0; j < B; ++j) {
      T* d = dh.data() + Uz * j;
      if (return_sequences) std::fill_n(d, Uz, T(0));
      else std::copy(dy + oex * j, dy + oex * j + Uz, d);
      if (cell == cell_kind::lstm) std::fill_n(dc.data() + Uz * j, Uz, T(0));
    }
    parallel_chunks(B, batch_grain(), ctx.threads, [&](std::size_t j0, std::size_t j1, std::size_t) {
      T* cur = dh.data();   // dL/dh_t of the chunk's examples
      T* nxt = dhn.data();  // dL/dh_{t-1}
      for (int s = steps - 1; s >= 0; --s) {
        const int t = time_of(s);
        for (std::size_t j = j0; j < j1; ++j) {
          const std::size_t col = t + Ts * j;
          T* d = cur + Uz * j;
          T* dn = nxt + Uz * j;  // the direct part, then += W_hh dG_t
          T* a = xg.data() + GU * col;
          const bool present = mask == nullptr || mask[col] != 0;
          if (!present) {
            std::fill_n(a, GU, T(0));
            if (cell == cell_kind::gru) std::fill_n(dgh.data() + GU * col, GU, T(0));
            std::copy(d, d + Uz, dn);  // dc carries over unchanged
            continue;
          }
          if (return_sequences) {
            const T* g = dy + ost * t + oex * j;
            for (std::size_t u = 0; u < Uz; ++u) d[u] += g[u];
          }
          if (cell == cell_kind::lstm) {
            rnn_detail::lstm_step_backward(a, d, dc.data() + Uz * j, tc.data() + Uz * col,
                                           cprev.data() + Uz * col, Uz);
            std::fill_n(dn, Uz, T(0));
          } else if (cell == cell_kind::gru) {
            rnn_detail::gru_step_backward(a, dgh.data() + GU * col, d, ghn.data() + Uz * col,
                                          hprev.data() + Uz * col, dn, Uz);
          } else {
            for (std::size_t u = 0; u < Uz; ++u) {
              a[u] = d[u] * rnn_detail::activation_slope(act, a[u]);
              dn[u] = T(0);
            }
          }
        }
        // dL/dh_{t-1} += W_hh dG_t (not needed before the first step); with
        // recurrent dropout, += m_h * (W_hh dG_t).
        if (s > 0 && !drop_rec) {
          gemm(false, false, Uz, j1 - j0, GU, T(1), W, ldw, dg_rec + GU * (t + Ts * j0), GU * Ts, T(1),
               nxt + Uz * j0, Uz, 1);
        } else if (s > 0) {
          gemm(false, false, Uz, j1 - j0, GU, T(1), W, ldw, dg_rec + GU * (t + Ts * j0), GU * Ts, T(0),
               dhr.data() + Uz * j0, Uz, 1);
          for (std::size_t i = Uz * j0; i < Uz * j1; ++i) nxt[i] += rec_mask[i] * dhr[i];
        }
        std::swap(cur, nxt);
      }
    });
    // Weight gradients over all T * B columns, and the input gradient.
    const std::size_t N = Ts * B;
    gemm(false, true, F, GU, N, T(1), xin, F, xg.data(), GU, T(0), kernel.grad.data(), F, ctx.threads);
    gemm(false, true, Uz, GU, N, T(1), hrec, Uz, dg_rec, GU, T(0), recurrent_kernel.grad.data(),
         Uz, ctx.threads);
    row_sums(xg.data(), GU, N, GU, bias.grad.data(), ctx.threads);
    if (cell == cell_kind::gru) row_sums(dgh.data(), GU, N, GU, recurrent_bias.grad.data(), ctx.threads);
    if (dx == nullptr) return;
    if (!drop_in) {
      gemm(false, false, F, N, GU, T(1), kernel.value.data(), F, xg.data(), GU,
           accumulate ? T(1) : T(0), dx, F, ctx.threads);
      return;
    }
    // With input dropout, dx (+)= m_x * (kernel dG), kernel dG formed in xd
    // (the masked input is no longer needed).
    gemm(false, false, F, N, GU, T(1), kernel.value.data(), F, xg.data(), GU, T(0), xd.data(), F,
         ctx.threads);
    const std::size_t Fz = F;
    parallel_chunks(B, example_grain(Fz * Ts), ctx.threads, [&](std::size_t j0, std::size_t j1, std::size_t) {
      for (std::size_t j = j0; j < j1; ++j) {
        const T* m = in_mask.data() + Fz * j;
        for (std::size_t t = 0; t < Ts; ++t) {
          const std::size_t o = Fz * (t + Ts * j);
          for (std::size_t f = 0; f < Fz; ++f) {
            const T v = xd[o + f] * m[f];
            dx[o + f] = accumulate ? dx[o + f] + v : v;
          }
        }
      }
    });
  }

 private:
  std::vector<T> xg, hprev, last, rg, whh_t, whh, dh, dhn, cprev, tc, lastc, dc, ghn, dgh;
  // dropout: masked inputs, masks, masked states, the recurrent back-projection
  std::vector<T> xd, in_mask, hmask, rec_mask, dhr;
  bool drop_in = false, drop_rec = false;  // the last forward pass dropped
  std::vector<T> carry_h, carry_c;  // a stateful layer's carried state (U x carried)
  std::size_t carried = 0;

  void put(T* out, const T* h, bool accumulate) const {
    if (accumulate) {
      for (int u = 0; u < U; ++u) out[u] += h[u];
    } else {
      std::copy(h, h + U, out);
    }
  }
};

// simple_rnn, lstm, gru: spec.units, spec.act (simple RNN), spec.return_sequences,
// spec.dropout and spec.recurrent_dropout.
template <class T>
class recurrent_layer : public layer<T> {
 public:
  recurrent_core<T> core;
  explicit recurrent_layer(const layer_spec& s)
      : core(cell_from(s.type), s.act, s.in.c, s.units, s.in.w, s.return_sequences, false) {
    this->in = s.in;
    this->out = shape3{1, s.return_sequences ? s.in.w : 1, s.units};
    core.dropout = s.dropout;
    core.recurrent_dropout = s.recurrent_dropout;
    core.stateful = s.stateful;
  }
  std::vector<parameter<T>*> params() override { return core.params(); }
  int state_units() const override { return core.U; }
  bool state_has_cell() const override { return core.cell == cell_kind::lstm; }
  void set_initial_state(const T* h, const T* c) override {
    core.init_h = h;
    core.init_c = c;
  }
  const T* final_state(bool cell) const override { return cell ? core.last_cell() : core.last_state(); }
  void reset_state() override { core.reset_carry(); }
  void reserve(std::size_t cap) override { core.reserve(cap); }
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t U = core.U;
    core.layer_index = this->index;
    core.forward(x, y, U, this->out.size(), false, B, ctx);
  }
  void backward(const T* x, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    const std::size_t U = core.U;
    core.backward(x, dy, U, this->out.size(), dx, false, B, ctx);
  }
};

// bidirectional: spec.cell (the wrapped type), spec.units, spec.merge_sum, and the
// rates as above (each direction draws its own masks). Parameters: the forward core's, then the backward core's.
template <class T>
class bidirectional_layer : public layer<T> {
 public:
  recurrent_core<T> fwd, bwd;
  bool sum;
  explicit bidirectional_layer(const layer_spec& s)
      : fwd(cell_from(s.cell), s.act, s.in.c, s.units, s.in.w, s.return_sequences, false),
        bwd(cell_from(s.cell), s.act, s.in.c, s.units, s.in.w, s.return_sequences, true),
        sum(s.merge_sum) {
    this->in = s.in;
    this->out = shape3{1, s.return_sequences ? s.in.w : 1, sum ? s.units : 2 * s.units};
    for (recurrent_core<T>* c : {&fwd, &bwd}) {
      c->dropout = s.dropout;
      c->recurrent_dropout = s.recurrent_dropout;
    }
  }
  std::vector<parameter<T>*> params() override {
    std::vector<parameter<T>*> p = fwd.params();
    for (parameter<T>* q : bwd.params()) p.push_back(q);
    return p;
  }
  void reserve(std::size_t cap) override {
    fwd.reserve(cap);
    bwd.reserve(cap);
  }
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t U = fwd.U, C = this->out.c, ex = this->out.size();
    fwd.layer_index = bwd.layer_index = this->index;
    fwd.forward(x, y, C, ex, false, B, ctx);
    bwd.forward(x, sum ? y : y + U, C, ex, sum, B, ctx);
  }
  void backward(const T* x, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    const std::size_t U = fwd.U, C = this->out.c, ex = this->out.size();
    fwd.backward(x, dy, C, ex, dx, false, B, ctx);
    bwd.backward(x, sum ? dy : dy + U, C, ex, dx, true, B, ctx);
  }
};

// masking: a step whose F features all equal spec.mask_value is masked; the
// output is the input with masked steps set to zero (as keras does), and the
// mask goes to the following layers (see the header comment).
template <class T>
class masking_layer : public layer<T> {
 public:
  double value;
  std::vector<std::uint8_t> mask;
  explicit masking_layer(const layer_spec& s) : value(s.mask_value) {
    this->in = s.in;
    this->out = s.in;
  }
  void reserve(std::size_t cap) override { mask.resize(static_cast<std::size_t>(this->in.w) * cap); }
  const std::uint8_t* output_mask() const override { return mask.data(); }
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t F = this->in.c, Ts = this->in.w;
    const T v = static_cast<T>(value);
    parallel_chunks(B, example_grain(F * Ts), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j)
        for (std::size_t t = 0; t < Ts; ++t) {
          const T* xi = x + F * (t + Ts * j);
          T* yi = y + F * (t + Ts * j);
          bool present = false;
          for (std::size_t f = 0; f < F; ++f) present = present || xi[f] != v;
          mask[t + Ts * j] = present ? 1 : 0;
          if (present) std::copy(xi, xi + F, yi);
          else std::fill_n(yi, F, T(0));
        }
    });
  }
  void backward(const T*, const T*, const T* dy, T* dx, std::size_t B, const run_context& ctx) override {
    if (dx == nullptr) return;
    const std::size_t F = this->in.c, Ts = this->in.w;
    parallel_chunks(B, example_grain(F * Ts), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j)
        for (std::size_t t = 0; t < Ts; ++t) {
          const T* g = dy + F * (t + Ts * j);
          T* d = dx + F * (t + Ts * j);
          if (mask[t + Ts * j]) std::copy(g, g + F, d);
          else std::fill_n(d, F, T(0));
        }
    });
  }
};

}  // namespace nn
}  // namespace statlearn

#endif
