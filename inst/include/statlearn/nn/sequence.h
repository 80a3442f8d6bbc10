// statlearn/nn/sequence.h -- the sequence plumbing around the recurrent
// layers: token embeddings, a dense layer applied at every time step
// ("time distributed") and a softmax per time step (Deep Learning book,
// sections 10.1-10.2 and 12.4).
//
// A sequence of T steps of F features is the engine's shape {h = 1, w = T,
// c = F}: one example is a column of T * F values, features fastest, then
// time (index f + F * t), as keras flattens (batch, time, features). A batch
// of B such columns is therefore also an F x (T * B) matrix with one column
// per (step, example), which is how the per-step layers below compute: one
// GEMM over all T * B columns.
//
// A token input is {1, 1, T}: T token numbers per example, 1..V, and 0 for
// padding (a masked step when the embedding has mask_zero). The R layer
// checks the tokens before the engine sees them.
#ifndef STATLEARN_NN_SEQUENCE_H
#define STATLEARN_NN_SEQUENCE_H

#include <algorithm>
#include <cstdint>
#include <vector>

#include "statlearn/nn/layers.h"

namespace statlearn {
namespace nn {

// ---- embedding ------------------------------------------------------------------

// y[, t] = W[, x_t] for tokens x_1..x_T: the input_dim x output_dim table of
// the R layer is stored transposed (one contiguous column of E values per
// token). Token 0 (padding) and anything outside 1..V gives a zero vector
// (and, with mask_zero, a masked step for the layers that follow).
// Tokens are not differentiable: backward() writes no input gradient (zeros
// when one is asked for) and scatter-adds the output gradient into the rows of
// the table that were used.
template <class T>
class embedding_layer : public layer<T> {
 public:
  parameter<T> embeddings;
  std::size_t V, E, steps;
  bool mask_zero;
  explicit embedding_layer(const layer_spec& s)
      : V(static_cast<std::size_t>(s.input_dim)), E(static_cast<std::size_t>(s.units)),
        steps(s.in.size()), mask_zero(s.mask_zero) {
    this->in = s.in;
    this->out = shape3{1, static_cast<int>(steps), static_cast<int>(E)};
    embeddings = parameter<T>(V * E);
    embeddings.l1 = s.l1;
    embeddings.l2 = s.l2;
  }
  std::vector<parameter<T>*> params() override { return {&embeddings}; }
  void reserve(std::size_t cap) override {
    if (mask_zero) mask.resize(steps * cap);
  }
  // With mask_zero, the steps whose token is 0 are masked for the layers that
  // follow (run_context::mask, nn/recurrent.h): mask[t + T * j] = 0.
  const std::uint8_t* output_mask() const override { return mask_zero ? mask.data() : nullptr; }

  // The table column of a token, or V when the step gives a zero vector.
  std::size_t row_of(T v) const {
    const double d = static_cast<double>(v);
    if (!(d >= 1.0) || d > static_cast<double>(V)) return V;
    return static_cast<std::size_t>(d) - 1;
  }

  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const T* W = embeddings.value.data();
    parallel_chunks(B, example_grain(steps * E), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j)
        for (std::size_t t = 0; t < steps; ++t) {
          const std::size_t r = row_of(x[t + steps * j]);
          if (mask_zero) mask[t + steps * j] = r == V ? 0 : 1;
          T* yt = y + E * (t + steps * j);
          if (r == V) {
            std::fill(yt, yt + E, T(0));
          } else {
            std::copy(W + r * E, W + (r + 1) * E, yt);
          }
        }
    });
  }

  // Scatter-add without races and in a fixed order: the positions (t, j) are
  // bucketed by token (a counting sort, in increasing position order), then
  // each token's column sums its positions' gradients in that order. Tokens
  // are split among the threads, so no column is written by two, and the
  // sums do not depend on the thread count.
  void backward(const T* x, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    const std::size_t P = steps * B;
    if (dx != nullptr) std::fill(dx, dx + P, T(0));
    // Steps whose token gives a zero vector (padding) are left out.
    start.assign(V + 2, 0);
    pos.resize(P);
    for (std::size_t p = 0; p < P; ++p) {
      const std::size_t r = row_of(x[p]);
      if (r < V) ++start[r + 2];
    }
    for (std::size_t v = 2; v < V + 2; ++v) start[v] += start[v - 1];
    for (std::size_t p = 0; p < P; ++p) {
      const std::size_t r = row_of(x[p]);
      if (r < V) pos[start[r + 1]++] = p;
    }
    // Now token r's positions are pos[start[r] .. start[r + 1]), increasing.
    T* dW = embeddings.grad.data();
    parallel_chunks(V, std::max<std::size_t>(1, 4096 / std::max<std::size_t>(1, E)), ctx.threads,
                    [&](std::size_t b, std::size_t e, std::size_t) {
      std::vector<double> acc(E);
      for (std::size_t r = b; r < e; ++r) {
        std::fill(acc.begin(), acc.end(), 0.0);
        for (std::size_t k = start[r]; k < start[r + 1]; ++k) {
          const T* g = dy + E * pos[k];
          for (std::size_t i = 0; i < E; ++i) acc[i] += g[i];
        }
        T* d = dW + r * E;
        for (std::size_t i = 0; i < E; ++i) d[i] = static_cast<T>(acc[i]);
      }
    });
  }

 private:
  std::vector<std::size_t> start, pos;
  std::vector<std::uint8_t> mask;
};

// ---- time distributed dense -----------------------------------------------------

// y_t = W' x_t + b at every step t with one W (F x units, R's layout) and b:
// a GEMM over the T * B columns of the batch.
template <class T>
class time_distributed_layer : public layer<T> {
 public:
  parameter<T> kernel, bias;
  bool use_bias;
  std::size_t steps, F, U;
  explicit time_distributed_layer(const layer_spec& s)
      : use_bias(s.use_bias), steps(static_cast<std::size_t>(s.in.h) * s.in.w),
        F(static_cast<std::size_t>(s.in.c)), U(static_cast<std::size_t>(s.units)) {
    this->in = s.in;
    this->out = shape3{s.in.h, s.in.w, s.units};
    kernel = parameter<T>(F * U);
    kernel.l1 = s.l1;
    kernel.l2 = s.l2;
    if (use_bias) bias = parameter<T>(U);
  }
  std::vector<parameter<T>*> params() override {
    if (use_bias) return {&kernel, &bias};
    return {&kernel};
  }
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t N = steps * B;
    gemm(true, false, U, N, F, T(1), kernel.value.data(), F, x, F, T(0), y, U, ctx.threads);
    if (use_bias) dense_layer<T>::add_bias(y, bias.value.data(), U, N, ctx.threads);
  }
  void backward(const T* x, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    const std::size_t N = steps * B;
    gemm(false, true, F, U, N, T(1), x, F, dy, U, T(0), kernel.grad.data(), F, ctx.threads);
    if (use_bias) row_sums(dy, U, N, U, bias.grad.data(), ctx.threads);
    if (dx != nullptr)
      gemm(false, false, F, N, U, T(1), kernel.value.data(), F, dy, U, T(0), dx, F, ctx.threads);
  }
};

// ---- softmax per time step --------------------------------------------------------

// A softmax over the K = c features of each step (each of the T * B columns
// of K values). It reports itself as a softmax, so a cross-entropy loss takes
// it out of the chain and fuses it (per step) into the loss.
template <class T>
class step_softmax_layer : public layer<T> {
 public:
  explicit step_softmax_layer(shape3 s) {
    this->in = s;
    this->out = s;
  }
  bool is_activation(activation a) const override { return a == activation::softmax; }
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t K = this->in.c, N = this->in.size() / K * B;
    parallel_chunks(N, example_grain(K), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j) activation_layer<T>::softmax(x + j * K, y + j * K, K);
    });
  }
  void backward(const T*, const T* y, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    if (dx == nullptr) return;
    const std::size_t K = this->in.c, N = this->in.size() / K * B;
    parallel_chunks(N, example_grain(K), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j) {
        const T* yy = y + j * K;
        const T* g = dy + j * K;
        T* d = dx + j * K;
        double s = 0.0;
        for (std::size_t i = 0; i < K; ++i) s += static_cast<double>(g[i]) * yy[i];
        for (std::size_t i = 0; i < K; ++i) d[i] = yy[i] * (g[i] - static_cast<T>(s));
      }
    });
  }
};

// The activation of a time-distributed layer: a softmax per step, any other
// activation elementwise (nothing for the identity).
template <class T>
void append_step_activation(std::vector<std::unique_ptr<layer<T>>>& layers, const layer_spec& s) {
  if (s.act == activation::identity) return;
  const shape3 o = layers.back()->out;
  if (s.act == activation::softmax) {
    layers.emplace_back(new step_softmax_layer<T>(o));
  } else {
    layers.emplace_back(new activation_layer<T>(o, s.act, s.alpha));
  }
}

}  // namespace nn
}  // namespace statlearn

#endif
