// statlearn/nn/network.h -- networks, losses, optimizers and the training loop.
//
// A network is a chain of layers (nn/layers.h) built from host specifications.
// Dense, conv2d and locally connected layers with an activation become two
// layers (the affine map, then the activation). The cross-entropy loss works on
// logits: a final softmax (cross-entropy) or sigmoid (binary cross-entropy) is
// taken out of the chain and fused into the loss, which is then both stable
// and exact; predictions apply it back as the network's output transform.
//
// trainer<T> holds a network, the optimizer state and the data of one training
// run. It runs whole epochs of mini-batch steps (shuffled by a counter-based
// stream from (seed, epoch)), checking for user interrupts between steps on
// the calling thread, and all parallel loops of an epoch share one TBB arena.
#ifndef STATLEARN_NETWORK_H
#define STATLEARN_NETWORK_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/nn/layers.h"
#include "statlearn/nn/sequence.h"
#include "statlearn/nn/recurrent.h"

namespace statlearn {
namespace nn {

enum class loss_kind { mse, cross_entropy, binary_cross_entropy };
enum class output_kind { identity, softmax, sigmoid };

inline loss_kind loss_from(const std::string& s) {
  if (s == "mse") return loss_kind::mse;
  if (s == "cross_entropy") return loss_kind::cross_entropy;
  if (s == "binary_cross_entropy") return loss_kind::binary_cross_entropy;
  throw std::invalid_argument("unknown loss '" + s + "'");
}

// Targets of a batch or a data set: class indices (cross-entropy) or an
// O x N matrix (the other losses). Sequence targets (network::sequence) have
// S class indices per example (S x N, -1 for a missing target) or NaN for
// missing entries of the O x N matrix.
template <class T>
struct dataset {
  std::vector<T> x;         // D x N
  std::vector<int> cls;     // S x N (cross-entropy)
  std::vector<T> target;    // O x N (other losses)
  std::size_t D = 0, N = 0, O = 0, S = 1;
  // Initial states of the recurrent layers, one entry per layer with a state
  // (trainer::state_layers()): U x N, or empty for zero (c: LSTMs only).
  std::vector<std::vector<T>> h0, c0;
};

template <class T>
class network {
 public:
  std::vector<std::unique_ptr<layer<T>>> layers;
  loss_kind loss;
  output_kind output = output_kind::identity;
  shape3 input;

  network(const std::vector<layer_spec>& specs, shape3 in, loss_kind l) : loss(l), input(in) {
    for (const layer_spec& s : specs) {
      activation act = activation::identity;
      if (s.type == "dense") {
        layers.emplace_back(new dense_layer<T>(s));
        act = s.act;
      } else if (s.type == "conv2d") {
        layers.emplace_back(new conv2d_layer<T>(s));
        act = s.act;
      } else if (s.type == "locally_connected2d") {
        layers.emplace_back(new locally_connected_layer<T>(s));
        act = s.act;
      } else if (s.type == "max_pool2d" || s.type == "avg_pool2d") {
        layers.emplace_back(new pool_layer<T>(s, s.type == "max_pool2d"));
      } else if (s.type == "flatten") {
        layers.emplace_back(new flatten_layer<T>(s));
      } else if (s.type == "dropout") {
        layers.emplace_back(new dropout_layer<T>(s));
      } else if (s.type == "batch_norm") {
        layers.emplace_back(new batch_norm_layer<T>(s));
      } else if (s.type == "embedding") {
        layers.emplace_back(new embedding_layer<T>(s));
      } else if (s.type == "time_distributed") {
        layers.emplace_back(new time_distributed_layer<T>(s));
        append_step_activation(layers, s);
        continue;
      } else if (s.type == "simple_rnn" || s.type == "lstm" || s.type == "gru") {
        layers.emplace_back(new recurrent_layer<T>(s));
      } else if (s.type == "bidirectional") {
        layers.emplace_back(new bidirectional_layer<T>(s));
      } else if (s.type == "masking") {
        layers.emplace_back(new masking_layer<T>(s));
      } else if (s.type == "activation") {
        act = s.act;
        if (act == activation::identity) continue;
        layers.emplace_back(new activation_layer<T>(s.in, act, s.alpha));
        continue;
      } else {
        throw std::invalid_argument("unknown layer type '" + s.type + "'");
      }
      if (act != activation::identity)
        layers.emplace_back(new activation_layer<T>(layers.back()->out, act, s.alpha));
    }
    // Shapes must chain (the host infers them; this guards the contract).
    shape3 cur = input;
    for (auto& L : layers) {
      if (L->in.size() != cur.size()) throw std::invalid_argument("layer shapes do not chain");
      cur = L->out;
    }
    if (loss == loss_kind::cross_entropy) {
      output = output_kind::softmax;
      if (!layers.empty() && layers.back()->is_activation(activation::softmax)) layers.pop_back();
    } else if (loss == loss_kind::binary_cross_entropy) {
      output = output_kind::sigmoid;
      if (!layers.empty() && layers.back()->is_activation(activation::sigmoid)) layers.pop_back();
    }
    for (std::size_t i = 0; i < layers.size(); ++i) layers[i]->index = static_cast<int>(i);
  }

  std::size_t output_size() const { return layers.empty() ? input.size() : layers.back()->out.size(); }

  // Sequence targets: the output is `steps` steps of output_size() / steps
  // values; the cross-entropy softmax (and the prediction transform) works
  // per step, and missing targets (class -1, NaN) count for nothing. The
  // loss is the mean over the targets present. Set by the host.
  bool sequence = false;
  std::size_t steps = 1;

  std::size_t capacity() const { return capacity_; }

  void reserve(std::size_t cap) {
    if (cap <= capacity_) return;
    capacity_ = cap;
    acts.resize(layers.size());
    std::size_t widest = input.size();
    for (std::size_t i = 0; i < layers.size(); ++i) {
      layers[i]->reserve(cap);
      acts[i].resize(layers[i]->out.size() * cap);
      widest = std::max(widest, layers[i]->out.size());
    }
    ga.resize(widest * cap);
    gb.resize(widest * cap);
  }

  // Forward pass of B examples (x is D x B); returns the output (O x B).
  // A time-step mask made by a layer (output_mask()) reaches the following
  // layers through run_context::mask while their output keeps its time axis
  // (nn/recurrent.h); masks_in[i] is the mask layer i saw, for its backward.
  const T* forward(const T* x, std::size_t B, const run_context& ctx) {
    const T* cur = x;
    run_context c = ctx;
    c.mask = nullptr;
    c.mask_steps = 0;
    masks_in.assign(layers.size(), nullptr);
    for (std::size_t i = 0; i < layers.size(); ++i) {
      layers[i]->forward(cur, acts[i].data(), B, c);
      masks_in[i] = c.mask;
      const shape3& o = layers[i]->out;
      if (const std::uint8_t* m = layers[i]->output_mask()) {
        c.mask = m;
        c.mask_steps = o.w;
      } else if (c.mask != nullptr && !(o.h == 1 && o.w == c.mask_steps)) {
        c.mask = nullptr;
        c.mask_steps = 0;
      }
      cur = acts[i].data();
    }
    return cur;
  }

  // Sum over the batch of the per-example loss; adds the number of correct
  // predictions (fractional for several binary outputs) to *correct. When
  // with_grad, leaves the gradient of the batch's mean loss in ga.
  // *count (when given) gets the number of targets the loss is a sum over:
  // B, or the targets present for sequence targets.
  double loss_sum(const T* z, std::size_t B, const int* cls, const T* tgt, double* correct,
                  bool with_grad, int threads, double* count = nullptr) {
    if (sequence) return sequence_loss_sum(z, B, cls, tgt, correct, with_grad, threads, count);
    if (count != nullptr) *count += static_cast<double>(B);
    const std::size_t O = output_size();
    T* dz = with_grad ? ga.data() : nullptr;
    const std::size_t grain = example_grain(O);
    const std::size_t nchunk = chunk_count(B, grain);
    std::vector<double> part(2 * nchunk, 0.0);
    const double invB = 1.0 / static_cast<double>(B);
    parallel_chunks(B, grain, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
      double ls = 0.0, cs = 0.0;
      std::vector<double> ex(loss == loss_kind::cross_entropy ? O : 0);
      for (std::size_t j = b; j < e; ++j) {
        const T* zj = z + j * O;
        T* dj = dz == nullptr ? nullptr : dz + j * O;
        if (loss == loss_kind::cross_entropy) {
          std::size_t am = 0;
          for (std::size_t o = 1; o < O; ++o)
            if (zj[o] > zj[am]) am = o;
          const double mx = zj[am];
          double s = 0.0;
          for (std::size_t o = 0; o < O; ++o) {
            ex[o] = std::exp(static_cast<double>(zj[o]) - mx);
            s += ex[o];
          }
          const int y = cls[j];
          ls += mx + std::log(s) - zj[y];
          if (static_cast<int>(am) == y) cs += 1.0;
          if (dj != nullptr) {
            const double scale = invB / s;
            for (std::size_t o = 0; o < O; ++o)
              dj[o] = static_cast<T>(ex[o] * scale - (static_cast<int>(o) == y ? invB : 0.0));
          }
        } else if (loss == loss_kind::binary_cross_entropy) {
          const T* tj = tgt + j * O;
          double l = 0.0, c = 0.0;
          for (std::size_t o = 0; o < O; ++o) {
            const double v = zj[o], t = tj[o];
            l += std::max(v, 0.0) - v * t + std::log1p(std::exp(-std::fabs(v)));
            if ((v > 0.0) == (t > 0.5)) c += 1.0;
            if (dj != nullptr) dj[o] = static_cast<T>((1.0 / (1.0 + std::exp(-v)) - t) * invB / O);
          }
          ls += l / O;
          cs += c / O;
        } else {
          const T* tj = tgt + j * O;
          double l = 0.0;
          for (std::size_t o = 0; o < O; ++o) {
            const double d = static_cast<double>(zj[o]) - tj[o];
            l += d * d;
            if (dj != nullptr) dj[o] = static_cast<T>(2.0 * d * invB / O);
          }
          ls += l / O;
        }
      }
      part[2 * ch] = ls;
      part[2 * ch + 1] = cs;
    });
    double total = 0.0;
    for (std::size_t ch = 0; ch < nchunk; ++ch) {
      total += part[2 * ch];
      if (correct != nullptr) *correct += part[2 * ch + 1];
    }
    return total;
  }

  // loss_sum() for sequence targets: per-step cross-entropy over the S = steps
  // groups of K = O / S logits of each example (cls is S x B), or squared
  // error over the entries of the O x B targets; missing targets (class -1,
  // NaN) add no loss and no gradient, and the gradient is that of the mean
  // over the n targets present in the batch (zero when n = 0).
  double sequence_loss_sum(const T* z, std::size_t B, const int* cls, const T* tgt, double* correct,
                           bool with_grad, int threads, double* count) {
    if (loss == loss_kind::binary_cross_entropy)
      throw std::invalid_argument("sequence targets take the cross-entropy or squared-error loss");
    const std::size_t O = output_size(), S = steps, K = O / S;
    const bool ce = loss == loss_kind::cross_entropy;
    double n = 0.0;
    if (ce) {
      for (std::size_t i = 0; i < S * B; ++i) n += cls[i] >= 0 ? 1.0 : 0.0;
    } else {
      for (std::size_t i = 0; i < O * B; ++i) n += std::isnan(tgt[i]) ? 0.0 : 1.0;
    }
    if (count != nullptr) *count += n;
    const double inv = n > 0.0 ? 1.0 / n : 0.0;
    T* dz = with_grad ? ga.data() : nullptr;
    const std::size_t grain = example_grain(O);
    const std::size_t nchunk = chunk_count(B, grain);
    std::vector<double> part(2 * nchunk, 0.0);
    parallel_chunks(B, grain, threads, [&](std::size_t b, std::size_t e, std::size_t ch) {
      double ls = 0.0, cs = 0.0;
      std::vector<double> ex(ce ? K : 0);
      for (std::size_t j = b; j < e; ++j) {
        if (!ce) {
          const T* zj = z + j * O;
          const T* tj = tgt + j * O;
          T* dj = dz == nullptr ? nullptr : dz + j * O;
          for (std::size_t o = 0; o < O; ++o) {
            if (std::isnan(tj[o])) {
              if (dj != nullptr) dj[o] = T(0);
              continue;
            }
            const double d = static_cast<double>(zj[o]) - tj[o];
            ls += d * d;
            if (dj != nullptr) dj[o] = static_cast<T>(2.0 * d * inv);
          }
          continue;
        }
        for (std::size_t t = 0; t < S; ++t) {
          const T* zt = z + j * O + t * K;
          T* dt = dz == nullptr ? nullptr : dz + j * O + t * K;
          const int y = cls[j * S + t];
          if (y < 0) {
            if (dt != nullptr) std::fill(dt, dt + K, T(0));
            continue;
          }
          std::size_t am = 0;
          for (std::size_t o = 1; o < K; ++o)
            if (zt[o] > zt[am]) am = o;
          const double mx = zt[am];
          double s = 0.0;
          for (std::size_t o = 0; o < K; ++o) {
            ex[o] = std::exp(static_cast<double>(zt[o]) - mx);
            s += ex[o];
          }
          ls += mx + std::log(s) - zt[y];
          if (static_cast<int>(am) == y) cs += 1.0;
          if (dt != nullptr) {
            const double scale = inv / s;
            for (std::size_t o = 0; o < K; ++o)
              dt[o] = static_cast<T>(ex[o] * scale - (static_cast<int>(o) == y ? inv : 0.0));
          }
        }
      }
      part[2 * ch] = ls;
      part[2 * ch + 1] = cs;
    });
    double total = 0.0;
    for (std::size_t ch = 0; ch < nchunk; ++ch) {
      total += part[2 * ch];
      if (correct != nullptr) *correct += part[2 * ch + 1];
    }
    return total;
  }

  // Backward pass from the loss gradient in ga; fills every parameter's grad.
  void backward(const T* x, std::size_t B, const run_context& ctx) {
    T* g = ga.data();
    T* other = gb.data();
    run_context c = ctx;
    for (std::size_t i = layers.size(); i-- > 0;) {
      const T* in = i == 0 ? x : acts[i - 1].data();
      T* dx = i == 0 ? nullptr : other;
      c.mask = i < masks_in.size() ? masks_in[i] : nullptr;
      c.mask_steps = c.mask != nullptr ? layers[i]->in.w : 0;
      layers[i]->backward(in, acts[i].data(), g, dx, B, c);
      std::swap(g, other);
    }
  }

  std::vector<parameter<T>*> params() {
    std::vector<parameter<T>*> out;
    for (auto& L : layers)
      for (parameter<T>* p : L->params()) out.push_back(p);
    return out;
  }

  std::vector<std::vector<T>*> state() {
    std::vector<std::vector<T>*> out;
    for (auto& L : layers)
      for (std::vector<T>* s : L->state()) out.push_back(s);
    return out;
  }

  // The L1/L2 penalty; with add_grad, adds its gradient to the kernels' grads.
  double penalty(bool add_grad) {
    double total = 0.0;
    for (parameter<T>* p : params()) {
      if (p->l1 == 0.0 && p->l2 == 0.0) continue;
      const T l1 = static_cast<T>(p->l1), l2x2 = static_cast<T>(2.0 * p->l2);
      double a = 0.0, q = 0.0;
      for (std::size_t i = 0; i < p->value.size(); ++i) {
        const T w = p->value[i];
        a += std::fabs(static_cast<double>(w));
        q += static_cast<double>(w) * w;
        if (add_grad) p->grad[i] += l1 * static_cast<T>((w > T(0)) - (w < T(0))) + l2x2 * w;
      }
      total += p->l1 * a + p->l2 * q;
    }
    return total;
  }

  std::vector<std::vector<T>> acts;
  std::vector<T> ga, gb;
  std::vector<const std::uint8_t*> masks_in;

 private:
  std::size_t capacity_ = 0;
};

// ---- optimizers ---------------------------------------------------------------------

struct optimizer_spec {
  std::string type = "sgd";
  double momentum = 0.0, rho = 0.9, beta1 = 0.9, beta2 = 0.999, eps = 1e-7;
  double weight_decay = 0.0, initial_accumulator = 0.0;
  bool nesterov = false;
  // Gradient clipping (DL 8.2.4, 10.11.1), before the update; 0 = off. Each
  // component is first clamped to [-clip_value, clip_value]; then, when the
  // norm of the whole gradient (all parameter arrays together) exceeds
  // clip_norm, the gradient is scaled to norm clip_norm.
  double clip_value = 0.0, clip_norm = 0.0;
};

// The factor by which clip_norm scales the (value-clipped) gradient: 1 when
// its global norm is within clip_norm. The squared norm is summed in fixed
// chunks combined in order, so it does not depend on the number of threads.
template <class T>
double gradient_clip_scale(const optimizer_spec& o, const std::vector<parameter<T>*>& ps,
                           int threads) {
  if (o.clip_norm <= 0.0) return 1.0;
  double total = 0.0;
  for (std::size_t k = 0; k < ps.size(); ++k) {
    const T* g = ps[k]->grad.data();
    const std::size_t n = ps[k]->grad.size();
    std::vector<double> part(chunk_count(n, 16384), 0.0);
    parallel_chunks(n, 16384, threads, [&](std::size_t s, std::size_t e, std::size_t c) {
      double acc = 0.0;
      for (std::size_t i = s; i < e; ++i) {
        double gi = g[i];
        if (o.clip_value > 0.0) gi = std::min(std::max(gi, -o.clip_value), o.clip_value);
        acc += gi * gi;
      }
      part[c] = acc;
    });
    for (double v : part) total += v;
  }
  const double norm = std::sqrt(total);
  return norm > o.clip_norm ? o.clip_norm / norm : 1.0;
}

// Per-tensor optimizer state: two slots (velocity / accumulators / moments).
template <class T>
struct optimizer_state {
  std::vector<std::vector<T>> s1, s2;
  double t = 0.0;  // steps taken
};

template <class T>
void optimizer_init(const optimizer_spec& o, const std::vector<parameter<T>*>& ps,
                    optimizer_state<T>& st) {
  st.s1.resize(ps.size());
  st.s2.resize(ps.size());
  for (std::size_t k = 0; k < ps.size(); ++k) {
    const std::size_t n = ps[k]->value.size();
    if (st.s1[k].size() != n)
      st.s1[k].assign(n, o.type == "adagrad" ? static_cast<T>(o.initial_accumulator) : T(0));
    if (st.s2[k].size() != n) st.s2[k].assign(n, T(0));
  }
}

// One step with learning rate lr; the update equations are documented with
// the R constructors (optimizer_sgd() and friends).
template <class T>
void optimizer_step(const optimizer_spec& o, const std::vector<parameter<T>*>& ps,
                    optimizer_state<T>& st, double lr, int threads) {
  st.t += 1.0;
  enum { sgd, adagrad, rmsprop, adam } kind = adam;
  if (o.type == "sgd") kind = sgd;
  else if (o.type == "adagrad") kind = adagrad;
  else if (o.type == "rmsprop") kind = rmsprop;
  const double bc1 = 1.0 - std::pow(o.beta1, st.t), bc2 = 1.0 - std::pow(o.beta2, st.t);
  const double clip = gradient_clip_scale(o, ps, threads);
  const bool clipping = o.clip_value > 0.0 || clip != 1.0;
  for (std::size_t k = 0; k < ps.size(); ++k) {
    T* w = ps[k]->value.data();
    const T* g0 = ps[k]->grad.data();
    T* a = st.s1[k].data();
    T* b = st.s2[k].data();
    const std::size_t n = ps[k]->value.size();
    parallel_chunks(n, 16384, threads, [&](std::size_t s, std::size_t e, std::size_t) {
      for (std::size_t i = s; i < e; ++i) {
        const double wi = w[i];
        double g = g0[i];
        if (clipping) {
          if (o.clip_value > 0.0) g = std::min(std::max(g, -o.clip_value), o.clip_value);
          g *= clip;
        }
        if (kind == sgd) {
          g += o.weight_decay * wi;
          const double v = o.momentum * a[i] + g;
          a[i] = static_cast<T>(v);
          const double step = o.nesterov ? g + o.momentum * v : v;
          w[i] = static_cast<T>(wi - lr * step);
        } else if (kind == adagrad) {
          const double s2 = a[i] + g * g;
          a[i] = static_cast<T>(s2);
          w[i] = static_cast<T>(wi - lr * g / (std::sqrt(s2) + o.eps));
        } else if (kind == rmsprop) {
          const double s2 = o.rho * a[i] + (1.0 - o.rho) * g * g;
          a[i] = static_cast<T>(s2);
          const double u = g / (std::sqrt(s2) + o.eps);
          if (o.momentum > 0.0) {
            const double v = o.momentum * b[i] + u;
            b[i] = static_cast<T>(v);
            w[i] = static_cast<T>(wi - lr * v);
          } else {
            w[i] = static_cast<T>(wi - lr * u);
          }
        } else {  // adam / adamw
          const double m = o.beta1 * a[i] + (1.0 - o.beta1) * g;
          const double v = o.beta2 * b[i] + (1.0 - o.beta2) * g * g;
          a[i] = static_cast<T>(m);
          b[i] = static_cast<T>(v);
          w[i] = static_cast<T>(wi - lr * o.weight_decay * wi -
                                lr * (m / bc1) / (std::sqrt(v / bc2) + o.eps));
        }
      }
    });
  }
}

// ---- training ---------------------------------------------------------------------------

// Initial and last states of the recurrent layers in a prediction, one entry
// per layer with a state (trainer::state_layers()): h0, c0 (U x N, nullptr for
// zero; c for LSTMs only) and where the last states go (nullptr: not wanted).
template <class T>
struct recurrent_states {
  std::vector<const T*> h0, c0;
  std::vector<T*> h, c;
};

struct epoch_result {
  double loss = 0.0, accuracy = 0.0;
  std::size_t steps = 0;
  bool interrupted = false;
  std::vector<double> step_loss;  // mean loss + penalty of each step's batch
};

template <class T>
class trainer {
 public:
  network<T> net;
  optimizer_spec opt;
  optimizer_state<T> opt_state;
  dataset<T> data[2];  // training, validation
  int threads = 1;
  std::uint64_t seed = 0;

  trainer(const std::vector<layer_spec>& specs, shape3 in, loss_kind l, optimizer_spec o, int thr,
          std::uint64_t sd)
      : net(specs, in, l), opt(std::move(o)), threads(std::max(1, thr)), seed(sd) {}

  void init_optimizer() { optimizer_init(opt, net.params(), opt_state); }

  // Clears the layers' initial states however the enclosing scope ends (the
  // arrays they point to belong to the caller).
  struct state_guard {
    network<T>& n;
    ~state_guard() {
      for (auto& l : n.layers) l->set_initial_state(nullptr, nullptr);
    }
  };

  // Points the recurrent layers at data set d's initial states for the
  // examples idx[0..B) (gathered into buffers) or, with idx null, b0..b0+B.
  void use_initial_states(const dataset<T>& d, const std::size_t* idx, std::size_t b0, std::size_t B) {
    if (d.h0.empty()) return;
    const std::vector<std::size_t> sl = state_layers();
    h0b.resize(sl.size());
    c0b.resize(sl.size());
    for (std::size_t k = 0; k < sl.size(); ++k) {
      layer<T>& l = *net.layers[sl[k]];
      const std::size_t U = l.state_units();
      auto pick = [&](const std::vector<T>& all, std::vector<T>& buf) -> const T* {
        if (all.empty()) return nullptr;
        if (idx == nullptr) return all.data() + U * b0;
        buf.resize(U * B);
        for (std::size_t j = 0; j < B; ++j) std::copy_n(all.data() + U * idx[j], U, buf.data() + U * j);
        return buf.data();
      };
      const T* h = pick(d.h0[k], h0b[k]);
      const T* c = pick(d.c0[k], c0b[k]);
      l.set_initial_state(h, c);
    }
  }

  // Positions of the layers with a recurrent state, in order.
  std::vector<std::size_t> state_layers() const {
    std::vector<std::size_t> idx;
    for (std::size_t i = 0; i < net.layers.size(); ++i)
      if (net.layers[i]->state_units() > 0) idx.push_back(i);
    return idx;
  }

  // One epoch of mini-batch steps; lr[s] is the rate of step s.
  epoch_result train_epoch(int epoch, std::size_t batch, const std::vector<double>& lr, bool shuffle) {
    const dataset<T>& d = data[0];
    epoch_result res;
    const std::size_t N = d.N;
    batch = std::max<std::size_t>(1, std::min(batch, N));
    net.reserve(batch);
    order.resize(N);
    std::iota(order.begin(), order.end(), std::size_t(0));
    if (shuffle) {
      stream rs(seed, 0x5eed0000ULL + static_cast<std::uint64_t>(epoch));
      for (std::size_t i = N; i > 1; --i) std::swap(order[i - 1], order[rs.below(i)]);
    }
    const std::size_t steps = (N + batch - 1) / batch;
    double loss_total = 0.0, correct = 0.0, seen = 0.0;
    const auto params = net.params();
    // One full batch: the order of the examples changes nothing but the
    // rounding of sums, so the data are used in place (no copy).
    const bool in_place = steps == 1;
    // Stateful layers start every epoch from zero.
    for (auto& l : net.layers) l->reset_state();
    state_guard guard{net};
    try {
      with_threads(threads, [&] {
        for (std::size_t s = 0; s < steps; ++s) {
          hooks::check_interrupt();
          const std::size_t b0 = s * batch, B = std::min(batch, N - b0);
          const T* x = d.x.data();
          const int* c = d.cls.empty() ? nullptr : d.cls.data();
          const T* t = d.target.empty() ? nullptr : d.target.data();
          if (!in_place) {
            gather(d, order.data() + b0, B);
            x = xb.data();
            c = cb.empty() ? nullptr : cb.data();
            t = tb.empty() ? nullptr : tb.data();
          }
          use_initial_states(d, in_place ? nullptr : order.data() + b0, b0, B);
          run_context ctx = context(true);
          ctx.carry = true;
          const T* z = net.forward(x, B, ctx);
          double cnt = 0.0;  // B, or the sequence targets present
          const double ls = net.loss_sum(z, B, c, t, &correct, true, threads, &cnt);
          net.backward(x, B, ctx);
          const double pen = net.penalty(true);
          optimizer_step(opt, params, opt_state, s < lr.size() ? lr[s] : lr.back(), threads);
          loss_total += ls + pen * cnt;
          res.step_loss.push_back(cnt > 0.0 ? ls / cnt + pen : pen);
          seen += cnt;
          res.steps = s + 1;
        }
      });
    } catch (const interrupted&) {
      res.interrupted = true;
    }
    res.loss = seen > 0 ? loss_total / seen : NAN;
    res.accuracy = seen > 0 ? correct / seen : NAN;
    return res;
  }

  // Loss (data loss + penalty) and accuracy on a stored data set, in batches,
  // without dropout and with the moving batch-norm statistics.
  epoch_result evaluate(int slot, std::size_t batch) {
    const dataset<T>& d = data[slot];
    epoch_result res;
    double total = 0.0, correct = 0.0, cnt = 0.0;
    batch = std::max<std::size_t>(1, std::min(batch, d.N));
    net.reserve(batch);
    state_guard guard{net};
    with_threads(threads, [&] {
      for (std::size_t b0 = 0; b0 < d.N; b0 += batch) {
        hooks::check_interrupt();
        const std::size_t B = std::min(batch, d.N - b0);
        use_initial_states(d, nullptr, b0, B);
        const T* z = net.forward(d.x.data() + b0 * d.D, B, context(false));
        total += net.loss_sum(z, B, d.cls.empty() ? nullptr : d.cls.data() + b0 * d.S,
                              d.target.empty() ? nullptr : d.target.data() + b0 * d.O, &correct, false,
                              threads, &cnt);
      }
    });
    res.loss = total / cnt + net.penalty(false);
    res.accuracy = correct / cnt;
    return res;
  }

  // Network outputs (O x N) for x (D x N); with `transform`, the softmax or
  // sigmoid the loss fuses is applied. With `states`, the recurrent layers
  // start from (and report) the states it holds.
  void predict(const T* x, std::size_t N, std::size_t batch, bool transform, T* out,
               const recurrent_states<T>* states = nullptr) {
    const std::size_t D = net.input.size(), O = net.output_size();
    batch = std::max<std::size_t>(1, std::min(batch, N));
    net.reserve(batch);
    const std::vector<std::size_t> sl = states != nullptr ? state_layers() : std::vector<std::size_t>();
    state_guard guard{net};
    with_threads(threads, [&] {
      for (std::size_t b0 = 0; b0 < N; b0 += batch) {
        hooks::check_interrupt();
        const std::size_t B = std::min(batch, N - b0);
        for (std::size_t k = 0; k < sl.size(); ++k) {
          const std::size_t U = net.layers[sl[k]]->state_units();
          const T* h0 = states->h0[k];
          const T* c0 = states->c0[k];
          net.layers[sl[k]]->set_initial_state(h0 != nullptr ? h0 + U * b0 : nullptr,
                                               c0 != nullptr ? c0 + U * b0 : nullptr);
        }
        const T* z = net.forward(x + b0 * D, B, context(false));
        for (std::size_t k = 0; k < sl.size(); ++k) {
          const layer<T>& l = *net.layers[sl[k]];
          const std::size_t U = l.state_units();
          if (states->h[k] != nullptr) std::copy_n(l.final_state(false), U * B, states->h[k] + U * b0);
          if (states->c[k] != nullptr && l.state_has_cell())
            std::copy_n(l.final_state(true), U * B, states->c[k] + U * b0);
        }
        T* o = out + b0 * O;
        std::copy(z, z + O * B, o);
        if (!transform || net.output == output_kind::identity) continue;
        // A softmax over each step's K values for sequence targets.
        const std::size_t K = net.sequence ? O / net.steps : O;
        for (std::size_t j = 0; j < B; ++j) {
          T* oj = o + j * O;
          if (net.output == output_kind::softmax) {
            for (std::size_t k = 0; k < O; k += K) activation_layer<T>::softmax(oj + k, oj + k, K);
          } else {
            for (std::size_t k = 0; k < O; ++k) oj[k] = T(1) / (T(1) + std::exp(-oj[k]));
          }
        }
      }
    });
  }

  // Mean loss + penalty over a whole stored data set as one batch in training
  // mode (dropout masks of step `step`); with_grad fills every grad.
  double full_batch_loss(int slot, bool with_grad, std::uint64_t step = 0) {
    const dataset<T>& d = data[slot];
    net.reserve(d.N);
    double value = 0.0;
    state_guard guard{net};
    use_initial_states(d, nullptr, 0, d.N);
    with_threads(threads, [&] {
      run_context ctx = context(true);
      ctx.step = step;
      const T* z = net.forward(d.x.data(), d.N, ctx);
      double cnt = 0.0;
      const double ls = net.loss_sum(z, d.N, d.cls.empty() ? nullptr : d.cls.data(),
                                     d.target.empty() ? nullptr : d.target.data(), nullptr, with_grad,
                                     threads, &cnt);
      if (with_grad) net.backward(d.x.data(), d.N, ctx);
      value = (cnt > 0.0 ? ls / cnt : 0.0) + net.penalty(with_grad);
    });
    return value;
  }

 private:
  std::vector<T> xb, tb;
  std::vector<std::vector<T>> h0b, c0b;  // a batch's gathered initial states
  std::vector<int> cb;
  std::vector<std::size_t> order;

  run_context context(bool training) const {
    run_context ctx;
    ctx.threads = threads;
    ctx.training = training;
    ctx.seed = seed;
    ctx.step = static_cast<std::uint64_t>(opt_state.t);
    ctx.capacity = net.capacity();
    return ctx;
  }

  // Copy the examples idx[0..B) into the batch buffers.
  void gather(const dataset<T>& d, const std::size_t* idx, std::size_t B) {
    xb.resize(d.D * net.capacity());
    if (!d.cls.empty()) cb.resize(d.S * net.capacity());
    if (!d.target.empty()) tb.resize(d.O * net.capacity());
    parallel_chunks(B, example_grain(d.D), threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j) {
        const std::size_t i = idx[j];
        std::copy(d.x.data() + i * d.D, d.x.data() + (i + 1) * d.D, xb.data() + j * d.D);
        if (!d.cls.empty())
          std::copy(d.cls.data() + i * d.S, d.cls.data() + (i + 1) * d.S, cb.data() + j * d.S);
        if (!d.target.empty())
          std::copy(d.target.data() + i * d.O, d.target.data() + (i + 1) * d.O, tb.data() + j * d.O);
      }
    });
  }
};

}  // namespace nn
}  // namespace statlearn

#endif
