// statlearn/nn/layers.h -- the layers of the neural-network engine.
//
// Data layout. A mini-batch is a column-major D x B matrix: one column per
// example, D = h * w * c features stored channel-fastest (index
// c + C * (col + W * row)), as keras flattens images. Every layer reads its
// input batch and writes its output batch; backward() receives the gradient
// of the loss with respect to its output and writes the gradient with respect
// to its input (unless that is not needed, dx == nullptr) and the gradients of
// its parameters. The engine is a template on the scalar type: float for
// training, double for exact gradient checks.
//
// Matrix products go through gemm(): our SGEMM for float, a plain loop for
// double (checks only). Loops over examples run in fixed chunks on TBB, and
// every reduction over the batch is a GEMM or a fixed-order sum, so results
// are bit-identical for any number of threads.
#ifndef STATLEARN_NN_LAYERS_H
#define STATLEARN_NN_LAYERS_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "statlearn/nn/simd.h"
#include "statlearn/common/parallel.h"
#include "statlearn/common/rng.h"
#include "statlearn/common/sgemm.h"

namespace statlearn {
namespace nn {

struct shape3 {
  int h = 1, w = 1, c = 1;
  std::size_t size() const { return static_cast<std::size_t>(h) * w * c; }
};

enum class activation { identity, sigmoid, tanh, relu, leaky_relu, elu, gelu, softmax };

inline activation activation_from(const std::string& s) {
  if (s == "identity" || s == "linear") return activation::identity;
  if (s == "sigmoid") return activation::sigmoid;
  if (s == "tanh") return activation::tanh;
  if (s == "relu") return activation::relu;
  if (s == "leaky_relu") return activation::leaky_relu;
  if (s == "elu") return activation::elu;
  if (s == "gelu") return activation::gelu;
  if (s == "softmax") return activation::softmax;
  throw std::invalid_argument("unknown activation '" + s + "'");
}

// One layer of a specification, as the host hands it over.
struct layer_spec {
  std::string type;
  shape3 in, out;
  int units = 0;                      // dense units, or filters
  int kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1, ph = 0, pw = 0;
  activation act = activation::identity;
  double alpha = 0.0;                 // leaky_relu slope, elu scale
  bool use_bias = true;
  bool untie_biases = false;          // conv2d: one bias per position and filter
  double l1 = 0.0, l2 = 0.0;          // penalties on the kernel
  double rate = 0.0;                  // dropout
  double momentum = 0.99, epsilon = 1e-3;  // batch norm
  int input_dim = 0;                  // embedding: vocabulary size V (units = output_dim)
  bool mask_zero = false;             // embedding: token 0 is a masked (padding) step
  // recurrent layers (nn/recurrent.h)
  bool return_sequences = false;
  bool stateful = false;              // recurrent: carry the state across training steps
  std::string cell;                   // bidirectional: the wrapped layer's type
  bool merge_sum = false;             // bidirectional: sum the directions (else concatenate)
  double dropout = 0.0;               // recurrent: variational dropout of the input features
  double recurrent_dropout = 0.0;     // recurrent: ... and of the state before the recurrent product
  double mask_value = 0.0;            // masking
};

// ---- matrix products --------------------------------------------------------

inline void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, float alpha,
                 const float* A, std::size_t lda, const float* B, std::size_t ldb, float beta,
                 float* C, std::size_t ldc, int threads) {
  sgemm(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc, threads);
}

// Double precision: a plain loop, used by the float64 gradient-check mode.
inline void gemm(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha,
                 const double* A, std::size_t lda, const double* B, std::size_t ldb, double beta,
                 double* C, std::size_t ldc, int threads) {
  parallel_chunks(n, 16, threads, [&](std::size_t jb, std::size_t je, std::size_t) {
    std::vector<double> acc(m);
    for (std::size_t j = jb; j < je; ++j) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (std::size_t p = 0; p < k; ++p) {
        const double b = tb ? B[j + p * ldb] : B[p + j * ldb];
        if (b == 0.0) continue;
        if (ta) {
          for (std::size_t i = 0; i < m; ++i) acc[i] += A[p + i * lda] * b;
        } else {
          const double* a = A + p * lda;
          for (std::size_t i = 0; i < m; ++i) acc[i] += a[i] * b;
        }
      }
      double* c = C + j * ldc;
      for (std::size_t i = 0; i < m; ++i) c[i] = alpha * acc[i] + (beta == 0.0 ? 0.0 : beta * c[i]);
    }
  });
}

// out[i] = sum_j M[i, j] for a column-major rows x cols matrix, summed in
// fixed column chunks combined in order (deterministic for any thread count).
template <class T>
void row_sums(const T* M, std::size_t rows, std::size_t cols, std::size_t ld, T* out,
              int threads) {
  constexpr std::size_t grain = 256;
  const std::size_t nchunk = chunk_count(cols, grain);
  std::vector<double> part(nchunk * rows, 0.0);
  parallel_chunks(cols, grain, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
    double* p = part.data() + ch * rows;
    for (std::size_t j = b; j < e; ++j) {
      const T* m = M + j * ld;
      for (std::size_t i = 0; i < rows; ++i) p[i] += m[i];
    }
  });
  for (std::size_t i = 0; i < rows; ++i) {
    double s = 0.0;
    for (std::size_t ch = 0; ch < nchunk; ++ch) s += part[ch * rows + i];
    out[i] = static_cast<T>(s);
  }
}

// Examples per chunk for per-example loops: about 32k values per chunk.
inline std::size_t example_grain(std::size_t per_example) {
  return std::max<std::size_t>(1, 32768 / std::max<std::size_t>(1, per_example));
}

// ---- parameters and the layer interface --------------------------------------

template <class T>
struct parameter {
  std::vector<T> value, grad;
  double l1 = 0.0, l2 = 0.0;  // penalty weights (kernels only)
  explicit parameter(std::size_t n = 0) : value(n, T(0)), grad(n, T(0)) {}
};

struct run_context {
  int threads = 1;
  bool training = false;
  std::uint64_t seed = 0;   // dropout streams
  std::uint64_t step = 0;   // optimizer step (a new dropout mask per step)
  std::size_t capacity = 0; // largest batch
  // The time-step mask of the batch (nn/recurrent.h): mask[t + mask_steps * j]
  // != 0 when step t of example j is present; nullptr when nothing is masked.
  const std::uint8_t* mask = nullptr;
  int mask_steps = 0;
  // A training step of train_network(): stateful recurrent layers start from
  // the state the previous step left and keep the new one (nn/recurrent.h).
  bool carry = false;
};

template <class T>
class layer {
 public:
  shape3 in, out;
  int index = 0;  // position in the network (dropout streams)
  virtual ~layer() = default;
  virtual void reserve(std::size_t capacity) { (void)capacity; }
  virtual void forward(const T* x, T* y, std::size_t B, const run_context& ctx) = 0;
  virtual void backward(const T* x, const T* y, const T* dy, T* dx, std::size_t B,
                        const run_context& ctx) = 0;
  virtual std::vector<parameter<T>*> params() { return {}; }
  virtual std::vector<std::vector<T>*> state() { return {}; }
  virtual bool is_activation(activation) const { return false; }
  // A layer that makes a time-step mask (masking, embedding with mask_zero)
  // returns it here after forward(): T x B bytes, T = out.w (nn/recurrent.h).
  virtual const std::uint8_t* output_mask() const { return nullptr; }
  // Recurrent layers (nn/recurrent.h): the size of the state (0 for other
  // layers), whether it has a cell (LSTM), the initial state of the next
  // forward pass (U x B arrays, nullptr for zero), the last state of the
  // previous one, and the end of a stateful layer's carried state.
  virtual int state_units() const { return 0; }
  virtual bool state_has_cell() const { return false; }
  virtual void set_initial_state(const T* h, const T* c) { (void)h; (void)c; }
  virtual const T* final_state(bool cell) const { (void)cell; return nullptr; }
  virtual void reset_state() {}
};

// ---- activations ---------------------------------------------------------------

template <class T>
class activation_layer : public layer<T> {
 public:
  activation act;
  T alpha;
  activation_layer(shape3 s, activation a, double al) : act(a), alpha(static_cast<T>(al)) {
    this->in = s;
    this->out = s;
  }
  bool is_activation(activation a) const override { return a == act; }

  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t D = this->in.size();
    if (act == activation::softmax) {
      parallel_chunks(B, example_grain(D), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
        for (std::size_t j = b; j < e; ++j) softmax(x + j * D, y + j * D, D);
      });
      return;
    }
    const std::size_t n = D * B;
    parallel_chunks(n, 32768, ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      apply(x + b, y + b, e - b);
    });
  }

  void backward(const T* x, const T* y, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    if (dx == nullptr) return;
    const std::size_t D = this->in.size();
    if (act == activation::softmax) {
      parallel_chunks(B, example_grain(D), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
        for (std::size_t j = b; j < e; ++j) {
          const T* yy = y + j * D;
          const T* g = dy + j * D;
          T* d = dx + j * D;
          double s = 0.0;
          for (std::size_t i = 0; i < D; ++i) s += static_cast<double>(g[i]) * yy[i];
          for (std::size_t i = 0; i < D; ++i) d[i] = yy[i] * (g[i] - static_cast<T>(s));
        }
      });
      return;
    }
    const std::size_t n = D * B;
    parallel_chunks(n, 32768, ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      derivative(x + b, y + b, dy + b, dx + b, e - b);
    });
  }

  static void softmax(const T* x, T* y, std::size_t D) {
    T mx = x[0];
    for (std::size_t i = 1; i < D; ++i) mx = std::max(mx, x[i]);
    double s = 0.0;
    for (std::size_t i = 0; i < D; ++i) {
      y[i] = std::exp(x[i] - mx);
      s += y[i];
    }
    const T inv = static_cast<T>(1.0 / s);
    for (std::size_t i = 0; i < D; ++i) y[i] *= inv;
  }

 private:
  static constexpr double kInvSqrt2 = 0.70710678118654752440;
  static constexpr double kInvSqrt2Pi = 0.39894228040143267794;

  void apply(const T* x, T* y, std::size_t n) const {
    switch (act) {
      case activation::identity:
        std::memcpy(y, x, n * sizeof(T));
        break;
      case activation::sigmoid:
        vec::sigmoid(x, y, n);
        break;
      case activation::tanh:
        for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
        break;
      case activation::relu:
        vec::relu(x, y, n);
        break;
      case activation::leaky_relu:
        for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : alpha * x[i];
        break;
      case activation::elu:
        for (std::size_t i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : alpha * std::expm1(x[i]);
        break;
      case activation::gelu:
        for (std::size_t i = 0; i < n; ++i)
          y[i] = x[i] * static_cast<T>(0.5 * std::erfc(-x[i] * kInvSqrt2));
        break;
      case activation::softmax:
        break;
    }
  }

  void derivative(const T* x, const T* y, const T* dy, T* dx, std::size_t n) const {
    switch (act) {
      case activation::identity:
        std::memcpy(dx, dy, n * sizeof(T));
        break;
      case activation::sigmoid:
        for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (T(1) - y[i]);
        break;
      case activation::tanh:
        for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * (T(1) - y[i] * y[i]);
        break;
      case activation::relu:
        vec::relu_grad(x, dy, dx, n);
        break;
      case activation::leaky_relu:
        for (std::size_t i = 0; i < n; ++i) dx[i] = x[i] > T(0) ? dy[i] : alpha * dy[i];
        break;
      case activation::elu:
        for (std::size_t i = 0; i < n; ++i) dx[i] = x[i] > T(0) ? dy[i] : dy[i] * (y[i] + alpha);
        break;
      case activation::gelu:
        for (std::size_t i = 0; i < n; ++i) {
          const double v = x[i];
          const double d = 0.5 * std::erfc(-v * kInvSqrt2) + v * kInvSqrt2Pi * std::exp(-0.5 * v * v);
          dx[i] = dy[i] * static_cast<T>(d);
        }
        break;
      case activation::softmax:
        break;
    }
  }
};

// ---- dense -------------------------------------------------------------------

// y = W' x + b with W stored in_features x units (column-major, R's layout).
template <class T>
class dense_layer : public layer<T> {
 public:
  parameter<T> kernel, bias;
  bool use_bias;
  dense_layer(const layer_spec& s) : use_bias(s.use_bias) {
    this->in = s.in;
    this->out = shape3{1, 1, s.units};
    kernel = parameter<T>(this->in.size() * s.units);
    kernel.l1 = s.l1;
    kernel.l2 = s.l2;
    if (use_bias) bias = parameter<T>(s.units);
  }
  std::vector<parameter<T>*> params() override {
    if (use_bias) return {&kernel, &bias};
    return {&kernel};
  }
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t D = this->in.size(), U = this->out.size();
    gemm(true, false, U, B, D, T(1), kernel.value.data(), D, x, D, T(0), y, U, ctx.threads);
    if (use_bias) add_bias(y, bias.value.data(), U, B, ctx.threads);
  }
  void backward(const T* x, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    const std::size_t D = this->in.size(), U = this->out.size();
    gemm(false, true, D, U, B, T(1), x, D, dy, U, T(0), kernel.grad.data(), D, ctx.threads);
    if (use_bias) row_sums(dy, U, B, U, bias.grad.data(), ctx.threads);
    if (dx != nullptr)
      gemm(false, false, D, B, U, T(1), kernel.value.data(), D, dy, U, T(0), dx, D, ctx.threads);
  }
  // y[, j] += b for every column j of a rows x cols matrix.
  static void add_bias(T* y, const T* b, std::size_t rows, std::size_t cols, int threads) {
    parallel_chunks(cols, example_grain(rows), threads, [&](std::size_t s, std::size_t e, std::size_t) {
      for (std::size_t j = s; j < e; ++j) vec::add(y + j * rows, b, rows);
    });
  }
};

// ---- patches (im2col) shared by conv2d and locally connected layers ------------

// Patch matrix K x (P * B): column p + P * j holds the receptive field of output
// position p of example j, in the order k = c + C * (kj + kw * ki); cells that
// fall in the padding are zero.
struct patch_geometry {
  shape3 in, out;
  int kh, kw, sh, sw, dh, dw, ph, pw;
  std::size_t K() const { return static_cast<std::size_t>(kh) * kw * in.c; }
  std::size_t P() const { return static_cast<std::size_t>(out.h) * out.w; }
};

// Copy a short run (a kernel row): an inline loop, as a library memcpy call
// costs more than the copy for a handful of values.
template <class T>
inline void copy_run(T* dst, const T* src, int n) {
  int q = 0;
  for (; q + 4 <= n; q += 4) {
    const T a = src[q], b = src[q + 1], c = src[q + 2], d = src[q + 3];
    dst[q] = a; dst[q + 1] = b; dst[q + 2] = c; dst[q + 3] = d;
  }
  for (; q < n; ++q) dst[q] = src[q];
}

template <class T>
void im2col(const patch_geometry& g, const T* x, T* cols, std::size_t B, int threads) {
  const std::size_t K = g.K(), P = g.P(), D = g.in.size();
  const int C = g.in.c, kwC = g.kw * C;
  parallel_chunks(B, example_grain(K * P), threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t j = b; j < e; ++j) {
      const T* xi = x + j * D;
      T* cj = cols + j * P * K;
      for (int r = 0; r < g.out.h; ++r) {
        for (int s = 0; s < g.out.w; ++s) {
          T* col = cj + (static_cast<std::size_t>(r) * g.out.w + s) * K;
          const int c0 = s * g.sw - g.pw;
          // Kernel columns [lo, hi) fall inside the image (dense windows).
          const int lo = g.dw == 1 ? std::min(g.kw, std::max(0, -c0)) : 0;
          const int hi = g.dw == 1 ? std::max(lo, std::min(g.kw, g.in.w - c0)) : 0;
          for (int ki = 0; ki < g.kh; ++ki) {
            const int row = r * g.sh - g.ph + ki * g.dh;
            T* dst = col + static_cast<std::size_t>(ki) * kwC;
            if (row < 0 || row >= g.in.h) {
              for (int q = 0; q < kwC; ++q) dst[q] = T(0);
              continue;
            }
            if (g.dw == 1) {  // zeros, one contiguous run of the image row, zeros
              for (int q = 0; q < lo * C; ++q) dst[q] = T(0);
              copy_run(dst + lo * C, xi + (static_cast<std::size_t>(row) * g.in.w + c0 + lo) * C,
                       (hi - lo) * C);
              for (int q = hi * C; q < kwC; ++q) dst[q] = T(0);
              continue;
            }
            for (int kj = 0; kj < g.kw; ++kj) {
              const int cc = c0 + kj * g.dw;
              T* d = dst + kj * C;
              if (cc < 0 || cc >= g.in.w) {
                for (int c = 0; c < C; ++c) d[c] = T(0);
              } else {
                copy_run(d, xi + (static_cast<std::size_t>(row) * g.in.w + cc) * C, C);
              }
            }
          }
        }
      }
    }
  });
}

// dx = sum of patch gradients back in image layout (the adjoint of im2col).
template <class T>
void col2im(const patch_geometry& g, const T* cols, T* dx, std::size_t B, int threads) {
  const std::size_t K = g.K(), P = g.P(), D = g.in.size();
  const int C = g.in.c;
  parallel_chunks(B, example_grain(K * P), threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t j = b; j < e; ++j) {
      T* xi = dx + j * D;
      std::fill(xi, xi + D, T(0));
      const T* cj = cols + j * P * K;
      for (int r = 0; r < g.out.h; ++r) {
        for (int s = 0; s < g.out.w; ++s) {
          const T* col = cj + (static_cast<std::size_t>(r) * g.out.w + s) * K;
          const int c0 = s * g.sw - g.pw;
          const bool inside = g.dw == 1 && c0 >= 0 && c0 + g.kw <= g.in.w;
          for (int ki = 0; ki < g.kh; ++ki) {
            const int row = r * g.sh - g.ph + ki * g.dh;
            if (row < 0 || row >= g.in.h) continue;
            if (inside) {  // one contiguous run of kw * C values
              const T* src = col + static_cast<std::size_t>(ki) * g.kw * C;
              T* dst = xi + (static_cast<std::size_t>(row) * g.in.w + c0) * C;
              for (int q = 0; q < g.kw * C; ++q) dst[q] += src[q];
              continue;
            }
            for (int kj = 0; kj < g.kw; ++kj) {
              const int cc = s * g.sw - g.pw + kj * g.dw;
              if (cc < 0 || cc >= g.in.w) continue;
              const T* src = col + (static_cast<std::size_t>(ki) * g.kw + kj) * C;
              T* dst = xi + (static_cast<std::size_t>(row) * g.in.w + cc) * C;
              for (int c = 0; c < C; ++c) dst[c] += src[c];
            }
          }
        }
      }
    }
  });
}

inline patch_geometry geometry_of(const layer_spec& s, int units) {
  patch_geometry g;
  g.in = s.in;
  g.out = shape3{s.out.h, s.out.w, units};
  g.kh = s.kh; g.kw = s.kw; g.sh = s.sh; g.sw = s.sw;
  g.dh = s.dh; g.dw = s.dw; g.ph = s.ph; g.pw = s.pw;
  return g;
}

// ---- direct convolution (the alternative to im2col + GEMM) -------------------

// y = conv(x) without a patch matrix: for every output position, filter
// sums over the window, vectorised over the filters (AVX2, 8 at a time; a
// portable loop otherwise). wt holds the kernel with filters fastest, padded
// to Fp = a multiple of 8 filters: wt[f + Fp * k]. bench/nnet.R compares it
// with im2col + GEMM on the LeNet layers; the engine uses whichever measured
// faster (im2col + GEMM, see bench/RESULTS.md).
inline std::size_t padded_filters(std::size_t F) { return (F + 7) / 8 * 8; }

template <class T>
std::vector<T> filters_fastest(const T* kernel, std::size_t K, std::size_t F) {
  const std::size_t Fp = padded_filters(F);
  std::vector<T> wt(Fp * K, T(0));
  for (std::size_t f = 0; f < F; ++f)
    for (std::size_t k = 0; k < K; ++k) wt[f + Fp * k] = kernel[k + K * f];
  return wt;
}

template <class T>
void conv_direct_portable(const patch_geometry& g, const T* x, const T* wt, const T* bias, T* y,
                          std::size_t b, std::size_t e) {
  const std::size_t F = g.out.c, Fp = padded_filters(F), D = g.in.size(), O = g.out.size();
  const int C = g.in.c;
  std::vector<T> acc(Fp);
  for (std::size_t j = b; j < e; ++j) {
    const T* xi = x + j * D;
    for (int r = 0; r < g.out.h; ++r)
      for (int s = 0; s < g.out.w; ++s) {
        for (std::size_t f = 0; f < Fp; ++f) acc[f] = bias != nullptr && f < F ? bias[f] : T(0);
        for (int ki = 0; ki < g.kh; ++ki) {
          const int row = r * g.sh - g.ph + ki * g.dh;
          if (row < 0 || row >= g.in.h) continue;
          for (int kj = 0; kj < g.kw; ++kj) {
            const int cc = s * g.sw - g.pw + kj * g.dw;
            if (cc < 0 || cc >= g.in.w) continue;
            const T* xp = xi + (static_cast<std::size_t>(row) * g.in.w + cc) * C;
            const T* wk = wt + Fp * ((static_cast<std::size_t>(ki) * g.kw + kj) * C);
            for (int c = 0; c < C; ++c)
              for (std::size_t f = 0; f < Fp; ++f) acc[f] += xp[c] * wk[c * Fp + f];
          }
        }
        T* yo = y + j * O + (static_cast<std::size_t>(r) * g.out.w + s) * F;
        for (std::size_t f = 0; f < F; ++f) yo[f] = acc[f];
      }
  }
}

#ifdef STATLEARN_X86
__attribute__((target("avx2,fma"))) inline void conv_direct_avx2(
    const patch_geometry& g, const float* x, const float* wt, const float* bias, float* y,
    std::size_t b, std::size_t e) {
  const std::size_t F = g.out.c, Fp = padded_filters(F), D = g.in.size(), O = g.out.size();
  const int C = g.in.c;
  alignas(32) float tmp[32];
  for (std::size_t j = b; j < e; ++j) {
    const float* xi = x + j * D;
    for (int r = 0; r < g.out.h; ++r)
      for (int s = 0; s < g.out.w; ++s) {
        float* yo = y + j * O + (static_cast<std::size_t>(r) * g.out.w + s) * F;
        for (std::size_t f0 = 0; f0 < Fp; f0 += 32) {  // up to 4 vectors of filters
          const int nv = static_cast<int>(std::min<std::size_t>(4, (Fp - f0) / 8));
          __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(),
                           _mm256_setzero_ps()};
          for (int ki = 0; ki < g.kh; ++ki) {
            const int row = r * g.sh - g.ph + ki * g.dh;
            if (row < 0 || row >= g.in.h) continue;
            for (int kj = 0; kj < g.kw; ++kj) {
              const int cc = s * g.sw - g.pw + kj * g.dw;
              if (cc < 0 || cc >= g.in.w) continue;
              const float* xp = xi + (static_cast<std::size_t>(row) * g.in.w + cc) * C;
              const float* wk = wt + Fp * ((static_cast<std::size_t>(ki) * g.kw + kj) * C) + f0;
              for (int c = 0; c < C; ++c) {
                const __m256 xv = _mm256_set1_ps(xp[c]);
                for (int q = 0; q < nv; ++q)
                  acc[q] = _mm256_fmadd_ps(xv, _mm256_loadu_ps(wk + c * Fp + 8 * q), acc[q]);
              }
            }
          }
          for (int q = 0; q < nv; ++q) _mm256_store_ps(tmp + 8 * q, acc[q]);
          const std::size_t nf = std::min<std::size_t>(F - f0, 8 * nv);
          for (std::size_t f = 0; f < nf; ++f)
            yo[f0 + f] = tmp[f] + (bias != nullptr ? bias[f0 + f] : 0.0f);
        }
      }
  }
}
#endif

template <class T>
void conv_direct(const patch_geometry& g, const T* x, const T* wt, const T* bias, T* y, std::size_t B,
                 int threads) {
  parallel_chunks(B, example_grain(g.out.size() * g.K()), threads,
                  [&](std::size_t b, std::size_t e, std::size_t) {
#ifdef STATLEARN_X86
    if (sizeof(T) == sizeof(float) && cpu::has_avx2()) {
      conv_direct_avx2(g, reinterpret_cast<const float*>(x), reinterpret_cast<const float*>(wt),
                       reinterpret_cast<const float*>(bias), reinterpret_cast<float*>(y), b, e);
      return;
    }
#endif
    conv_direct_portable(g, x, wt, bias, y, b, e);
  });
}

// ---- conv2d (shared weights) -----------------------------------------------------

// What conv2d and locally connected layers share: the patch geometry, the
// patch buffers, a kernel of `copies` K x F blocks and a bias of F per
// position (`untied`, F x P) or per feature map (F).
template <class T>
class patch_layer : public layer<T> {
 public:
  parameter<T> kernel, bias;
  bool use_bias, untied;
  patch_geometry g;
  std::vector<T> cols, dcols;
  patch_layer(const layer_spec& s, std::size_t copies, bool untied_bias)
      : use_bias(s.use_bias), untied(untied_bias), g(geometry_of(s, s.units)) {
    this->in = s.in;
    this->out = g.out;
    kernel = parameter<T>(g.K() * s.units * copies);
    kernel.l1 = s.l1;
    kernel.l2 = s.l2;
    if (use_bias) bias = parameter<T>(static_cast<std::size_t>(s.units) * (untied ? g.P() : 1));
  }
  // Bias and its gradient for the F x (P * B) output of B examples.
  void add_bias(T* y, std::size_t B, int threads) const {
    const std::size_t F = g.out.c, P = g.P();
    if (untied) {
      dense_layer<T>::add_bias(y, bias.value.data(), F * P, B, threads);
    } else {
      dense_layer<T>::add_bias(y, bias.value.data(), F, P * B, threads);
    }
  }
  void bias_gradient(const T* dy, std::size_t B, int threads) {
    const std::size_t F = g.out.c, P = g.P();
    if (untied) {
      row_sums(dy, F * P, B, F * P, bias.grad.data(), threads);
    } else {
      row_sums(dy, F, P * B, F, bias.grad.data(), threads);
    }
  }
  std::vector<parameter<T>*> params() override {
    if (use_bias) return {&kernel, &bias};
    return {&kernel};
  }
  void reserve(std::size_t cap) override {
    cols.resize(g.K() * g.P() * cap);
    dcols.resize(g.K() * g.P() * cap);
  }
};

// Kernel stored K x F (column-major), k = c + C * (kj + kw * ki).
template <class T>
class conv2d_layer : public patch_layer<T> {
 public:
  explicit conv2d_layer(const layer_spec& s) : patch_layer<T>(s, 1, s.untie_biases) {}
  // Blocks of examples, each task building its patches and multiplying them
  // at once while they are still in cache. Every output element gets the same
  // operations as one GEMM over the whole batch (the k loop is the same), so
  // the result does not depend on the blocks or the thread count.
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const patch_geometry& g = this->g;
    const std::size_t K = g.K(), P = g.P(), F = g.out.c, D = g.in.size(), O = g.out.size();
    const T* W = this->kernel.value.data();
    T* cols = this->cols.data();
    const std::size_t block = std::max<std::size_t>(1, 65536 / (K * P));
    parallel_chunks(B, block, ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      T* c = cols + b * K * P;
      im2col(g, x + b * D, c, e - b, 1);
      gemm(true, false, F, P * (e - b), K, T(1), W, K, c, K, T(0), y + b * O, F, 1);
    });
    if (this->use_bias) this->add_bias(y, B, ctx.threads);
  }
  void backward(const T*, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    // The patch matrix still holds this batch's patches from forward().
    const patch_geometry& g = this->g;
    const std::size_t K = g.K(), N = g.P() * B, F = g.out.c;
    parameter<T>& W = this->kernel;
    gemm(false, true, K, F, N, T(1), this->cols.data(), K, dy, F, T(0), W.grad.data(), K, ctx.threads);
    if (this->use_bias) this->bias_gradient(dy, B, ctx.threads);
    if (dx != nullptr) {
      T* dcols = this->dcols.data();
      gemm(false, false, K, N, F, T(1), W.value.data(), K, dy, F, T(0), dcols, K, ctx.threads);
      col2im(g, dcols, dx, B, ctx.threads);
    }
  }
};

// ---- locally connected (unshared weights) -------------------------------------

// Kernel: one K x F block per output position p (p = s + out_w * r), stored
// one after another; bias F x P.
template <class T>
class locally_connected_layer : public patch_layer<T> {
 public:
  explicit locally_connected_layer(const layer_spec& s)
      : patch_layer<T>(s, static_cast<std::size_t>(s.out.h) * s.out.w, true) {}
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const patch_geometry& g = this->g;
    const std::size_t K = g.K(), P = g.P(), F = g.out.c;
    const T* W = this->kernel.value.data();
    T* cols = this->cols.data();
    im2col(g, x, cols, B, ctx.threads);
    parallel_tasks(P, ctx.threads, [&](std::size_t p) {
      gemm(true, false, F, B, K, T(1), W + p * K * F, K, cols + K * p, K * P, T(0), y + F * p, F * P, 1);
    });
    if (this->use_bias) this->add_bias(y, B, ctx.threads);
  }
  void backward(const T*, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    const patch_geometry& g = this->g;
    const std::size_t K = g.K(), P = g.P(), F = g.out.c;
    const T* W = this->kernel.value.data();
    T* dW = this->kernel.grad.data();
    const T* cols = this->cols.data();
    T* dcols = this->dcols.data();
    parallel_tasks(P, ctx.threads, [&](std::size_t p) {
      gemm(false, true, K, F, B, T(1), cols + K * p, K * P, dy + F * p, F * P, T(0), dW + p * K * F, K, 1);
      if (dx != nullptr)
        gemm(false, false, K, B, F, T(1), W + p * K * F, K, dy + F * p, F * P, T(0), dcols + K * p, K * P, 1);
    });
    if (this->use_bias) this->bias_gradient(dy, B, ctx.threads);
    if (dx != nullptr) col2im(g, dcols, dx, B, ctx.threads);
  }
};

// ---- pooling ---------------------------------------------------------------------

template <class T>
class pool_layer : public layer<T> {
 public:
  bool is_max;
  patch_geometry g;
  std::vector<std::int32_t> arg;  // max: input index of each output's maximum
  pool_layer(const layer_spec& s, bool max) : is_max(max), g(geometry_of(s, s.in.c)) {
    this->in = s.in;
    this->out = g.out;
  }
  void reserve(std::size_t cap) override {
    if (is_max) arg.resize(this->out.size() * cap);
  }
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t D = this->in.size(), O = this->out.size();
    const int C = g.in.c;
    parallel_chunks(B, example_grain(O * g.kh * g.kw), ctx.threads,
                    [&](std::size_t b, std::size_t e, std::size_t) {
      std::vector<double> acc(is_max ? 0 : C);
      for (std::size_t j = b; j < e; ++j) {
        const T* xi = x + j * D;
        T* yo = y + j * O;
        std::int32_t* ai = is_max ? arg.data() + j * O : nullptr;
        for (int r = 0; r < g.out.h; ++r) {
          const int r0 = std::max(0, r * g.sh - g.ph), r1 = std::min(g.in.h, r * g.sh - g.ph + g.kh);
          for (int s = 0; s < g.out.w; ++s) {
            const int c0 = std::max(0, s * g.sw - g.pw), c1 = std::min(g.in.w, s * g.sw - g.pw + g.kw);
            const std::size_t o = (static_cast<std::size_t>(r) * g.out.w + s) * C;
            // Window cells in row-major order, channels innermost (contiguous);
            // ties keep the first maximum.
            T* yc = yo + o;
            bool first = true;
            if (!is_max) std::fill(acc.begin(), acc.end(), 0.0);
            for (int rr = r0; rr < r1; ++rr)
              for (int cc = c0; cc < c1; ++cc) {
                const std::int32_t base = (rr * g.in.w + cc) * C;
                const T* xp = xi + base;
                if (!is_max) {
                  for (int c = 0; c < C; ++c) acc[c] += xp[c];
                } else if (first) {
                  for (int c = 0; c < C; ++c) { yc[c] = xp[c]; ai[o + c] = base + c; }
                } else {
                  for (int c = 0; c < C; ++c)
                    if (xp[c] > yc[c]) { yc[c] = xp[c]; ai[o + c] = base + c; }
                }
                first = false;
              }
            if (is_max && first) {  // an empty window (only padding)
              for (int c = 0; c < C; ++c) { yc[c] = T(0); ai[o + c] = -1; }
            }
            if (!is_max) {
              const int cnt = (r1 - r0) * (c1 - c0);
              for (int c = 0; c < C; ++c) yc[c] = static_cast<T>(cnt > 0 ? acc[c] / cnt : 0.0);
            }
          }
        }
      }
    });
  }
  void backward(const T*, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    if (dx == nullptr) return;
    const std::size_t D = this->in.size(), O = this->out.size();
    const int C = g.in.c;
    parallel_chunks(B, example_grain(O * g.kh * g.kw), ctx.threads,
                    [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j) {
        T* xi = dx + j * D;
        std::fill(xi, xi + D, T(0));
        const T* go = dy + j * O;
        if (is_max) {
          const std::int32_t* ai = arg.data() + j * O;
          for (std::size_t o = 0; o < O; ++o)
            if (ai[o] >= 0) xi[ai[o]] += go[o];
          continue;
        }
        for (int r = 0; r < g.out.h; ++r) {
          const int r0 = std::max(0, r * g.sh - g.ph), r1 = std::min(g.in.h, r * g.sh - g.ph + g.kh);
          for (int s = 0; s < g.out.w; ++s) {
            const int c0 = std::max(0, s * g.sw - g.pw), c1 = std::min(g.in.w, s * g.sw - g.pw + g.kw);
            const int cnt = (r1 - r0) * (c1 - c0);
            if (cnt <= 0) continue;
            const std::size_t o = (static_cast<std::size_t>(r) * g.out.w + s) * C;
            for (int c = 0; c < C; ++c) {
              const T v = go[o + c] / static_cast<T>(cnt);
              for (int rr = r0; rr < r1; ++rr)
                for (int cc = c0; cc < c1; ++cc) xi[(rr * g.in.w + cc) * C + c] += v;
            }
          }
        }
      }
    });
  }
};

// ---- flatten, dropout ------------------------------------------------------------

template <class T>
class flatten_layer : public layer<T> {
 public:
  explicit flatten_layer(const layer_spec& s) {
    this->in = s.in;
    this->out = shape3{1, 1, static_cast<int>(s.in.size())};
  }
  void forward(const T* x, T* y, std::size_t B, const run_context&) override {
    std::memcpy(y, x, this->in.size() * B * sizeof(T));
  }
  void backward(const T*, const T*, const T* dy, T* dx, std::size_t B, const run_context&) override {
    if (dx != nullptr) std::memcpy(dx, dy, this->in.size() * B * sizeof(T));
  }
};

// Inverted dropout: in training each unit is kept with probability 1 - rate and
// scaled by 1 / (1 - rate); the mask of example j of step t comes from the
// stream (seed, layer, t, j), so it depends on neither the thread count nor
// the session's batch capacity (a resumed fit draws the same masks).
template <class T>
class dropout_layer : public layer<T> {
 public:
  double rate;
  std::vector<T> mask;
  explicit dropout_layer(const layer_spec& s) : rate(s.rate) {
    this->in = s.in;
    this->out = s.in;
  }
  void reserve(std::size_t cap) override { mask.resize(this->in.size() * cap); }
  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t D = this->in.size();
    if (!ctx.training || rate <= 0.0) {
      std::memcpy(y, x, D * B * sizeof(T));
      return;
    }
    const T keep = static_cast<T>(1.0 / (1.0 - rate));
    const std::uint64_t key = mix64(ctx.seed ^ (0xa0761d6478bd642fULL * (this->index + 1)));
    parallel_chunks(B, example_grain(D), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j) {
        stream rs(mix64(key + ctx.step), j);
        T* m = mask.data() + j * D;
        for (std::size_t i = 0; i < D; ++i) {
          m[i] = rs.uniform() >= rate ? keep : T(0);
          y[j * D + i] = x[j * D + i] * m[i];
        }
      }
    });
  }
  void backward(const T*, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    if (dx == nullptr) return;
    const std::size_t n = this->in.size() * B;
    if (!ctx.training || rate <= 0.0) {
      std::memcpy(dx, dy, n * sizeof(T));
      return;
    }
    parallel_chunks(n, 32768, ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t i = b; i < e; ++i) dx[i] = dy[i] * mask[i];
    });
  }
};

// ---- batch normalisation ----------------------------------------------------------

// Normalises each channel (the fastest index) over the batch and positions.
// Training uses the batch's mean and (biased) variance and updates the moving
// averages; prediction uses the moving averages.
template <class T>
class batch_norm_layer : public layer<T> {
 public:
  parameter<T> gamma, beta;
  std::vector<T> moving_mean, moving_var;
  double momentum, epsilon;
  std::vector<T> xhat, inv_std, mean;
  explicit batch_norm_layer(const layer_spec& s) : momentum(s.momentum), epsilon(s.epsilon) {
    this->in = s.in;
    this->out = s.in;
    const std::size_t C = s.in.c;
    gamma = parameter<T>(C);
    beta = parameter<T>(C);
    std::fill(gamma.value.begin(), gamma.value.end(), T(1));
    moving_mean.assign(C, T(0));
    moving_var.assign(C, T(1));
    inv_std.assign(C, T(1));
    mean.assign(C, T(0));
  }
  std::vector<parameter<T>*> params() override { return {&gamma, &beta}; }
  std::vector<std::vector<T>*> state() override { return {&moving_mean, &moving_var}; }
  void reserve(std::size_t cap) override { xhat.resize(this->in.size() * cap); }

  void forward(const T* x, T* y, std::size_t B, const run_context& ctx) override {
    const std::size_t C = this->in.c, N = this->in.size() / C * B;
    if (ctx.training) {
      row_sums(x, C, N, C, mean.data(), ctx.threads);
      for (std::size_t c = 0; c < C; ++c) mean[c] /= static_cast<T>(N);
      // Squared deviations into xhat, then their row sums.
      parallel_chunks(N, example_grain(C), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
        for (std::size_t j = b; j < e; ++j)
          for (std::size_t c = 0; c < C; ++c) {
            const T d = x[j * C + c] - mean[c];
            xhat[j * C + c] = d * d;
          }
      });
      std::vector<T> var(C);
      row_sums(xhat.data(), C, N, C, var.data(), ctx.threads);
      for (std::size_t c = 0; c < C; ++c) {
        var[c] /= static_cast<T>(N);
        inv_std[c] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(var[c]) + epsilon));
        moving_mean[c] = static_cast<T>(momentum * moving_mean[c] + (1.0 - momentum) * mean[c]);
        moving_var[c] = static_cast<T>(momentum * moving_var[c] + (1.0 - momentum) * var[c]);
      }
      parallel_chunks(N, example_grain(C), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
        for (std::size_t j = b; j < e; ++j)
          for (std::size_t c = 0; c < C; ++c) {
            const T h = (x[j * C + c] - mean[c]) * inv_std[c];
            xhat[j * C + c] = h;
            y[j * C + c] = gamma.value[c] * h + beta.value[c];
          }
      });
      return;
    }
    std::vector<T> scale(C), shift(C);
    for (std::size_t c = 0; c < C; ++c) {
      const double is = 1.0 / std::sqrt(static_cast<double>(moving_var[c]) + epsilon);
      scale[c] = static_cast<T>(gamma.value[c] * is);
      shift[c] = static_cast<T>(beta.value[c] - gamma.value[c] * is * moving_mean[c]);
    }
    parallel_chunks(N, example_grain(C), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j)
        for (std::size_t c = 0; c < C; ++c) y[j * C + c] = scale[c] * x[j * C + c] + shift[c];
    });
  }

  void backward(const T*, const T*, const T* dy, T* dx, std::size_t B,
                const run_context& ctx) override {
    const std::size_t C = this->in.c, N = this->in.size() / C * B;
    if (!ctx.training) {  // gradient through the fixed affine map
      if (dx == nullptr) return;
      std::vector<T> scale(C);
      for (std::size_t c = 0; c < C; ++c)
        scale[c] = static_cast<T>(gamma.value[c] / std::sqrt(static_cast<double>(moving_var[c]) + epsilon));
      for (std::size_t j = 0; j < N; ++j)
        for (std::size_t c = 0; c < C; ++c) dx[j * C + c] = scale[c] * dy[j * C + c];
      return;
    }
    row_sums(dy, C, N, C, beta.grad.data(), ctx.threads);
    // dgamma = sum dy * xhat: reuse dx as scratch when available.
    std::vector<T> tmp;
    T* scratch = dx;
    if (scratch == nullptr) {
      tmp.resize(C * N);
      scratch = tmp.data();
    }
    parallel_chunks(N * C, 32768, ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t i = b; i < e; ++i) scratch[i] = dy[i] * xhat[i];
    });
    row_sums(scratch, C, N, C, gamma.grad.data(), ctx.threads);
    if (dx == nullptr) return;
    const T invN = static_cast<T>(1.0 / static_cast<double>(N));
    parallel_chunks(N, example_grain(C), ctx.threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j)
        for (std::size_t c = 0; c < C; ++c) {
          const std::size_t i = j * C + c;
          dx[i] = gamma.value[c] * inv_std[c] *
                  (dy[i] - invN * beta.grad[c] - xhat[i] * invN * gamma.grad[c]);
        }
    });
  }
};

}  // namespace nn
}  // namespace statlearn

#endif
