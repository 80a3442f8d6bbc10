// C++ unit tests of the recurrent layers' dropout (statlearn/nn/recurrent.h),
// run by tests/testthat/test-cpp.R: the training-mode forward pass against a
// naive loop of the cell equations with the layer's own masks, BPTT against
// central differences of the forward pass with the same masks, and the masks'
// independence of the thread count and of the batch's size.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "statlearn/nn/recurrent.h"
#include "unit-test.h"

namespace {

namespace nn = statlearn::nn;

double uniform11(std::uint64_t& s) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<double>(s >> 11) * 0x1.0p-53 * 2.0 - 1.0;
}

nn::layer_spec rnn_spec(const std::string& type, int steps, int F, int U, double p_in, double p_rec) {
  nn::layer_spec s;
  s.type = type;
  s.in = nn::shape3{1, steps, F};
  s.units = U;
  s.act = nn::activation::tanh;
  s.return_sequences = true;
  s.dropout = p_in;
  s.recurrent_dropout = p_rec;
  return s;
}

void randomise(nn::recurrent_core<double>& c, std::uint64_t seed) {
  std::uint64_t s = seed;
  for (nn::parameter<double>* p : c.params())
    for (double& v : p->value) v = 0.5 * uniform11(s);
}

double sigm(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// The cell's equations for every example, step by step, with explicit masks
// mx (F x B) and mh (U x B), null for none: x_t * mx in the input product,
// h_{t-1} * mh in the recurrent product. Returns the states of every step
// (U x T x B, the layer's return_sequences output).
std::vector<double> naive(const nn::recurrent_core<double>& c, const std::vector<double>& x, std::size_t B,
                          const double* mx, const double* mh) {
  const int F = c.F, U = c.U, Ts = c.steps, GU = c.G * c.U;
  const double* K = c.kernel.value.data();
  const double* R = c.recurrent_kernel.value.data();
  const double* b = c.bias.value.data();
  const double* bh = c.cell == nn::cell_kind::gru ? c.recurrent_bias.value.data() : nullptr;
  std::vector<double> y(static_cast<std::size_t>(U) * Ts * B);
  for (std::size_t j = 0; j < B; ++j) {
    std::vector<double> h(U, 0.0), cc(U, 0.0), xm(F), hm(U), a(GU), r(GU);
    for (int t = 0; t < Ts; ++t) {
      for (int f = 0; f < F; ++f) xm[f] = x[f + F * (t + Ts * j)] * (mx != nullptr ? mx[f + F * j] : 1.0);
      for (int u = 0; u < U; ++u) hm[u] = h[u] * (mh != nullptr ? mh[u + U * j] : 1.0);
      for (int k = 0; k < GU; ++k) {
        a[k] = b[k];
        r[k] = bh != nullptr ? bh[k] : 0.0;
        for (int f = 0; f < F; ++f) a[k] += K[f + F * k] * xm[f];
        for (int u = 0; u < U; ++u) r[k] += R[u + U * k] * hm[u];
      }
      for (int u = 0; u < U; ++u) {
        if (c.cell == nn::cell_kind::lstm) {
          const double gi = sigm(a[u] + r[u]), gf = sigm(a[U + u] + r[U + u]);
          const double gg = std::tanh(a[2 * U + u] + r[2 * U + u]), go = sigm(a[3 * U + u] + r[3 * U + u]);
          cc[u] = gf * cc[u] + gi * gg;
          h[u] = go * std::tanh(cc[u]);
        } else if (c.cell == nn::cell_kind::gru) {
          const double gr = sigm(a[u] + r[u]), gz = sigm(a[U + u] + r[U + u]);
          const double gn = std::tanh(a[2 * U + u] + gr * r[2 * U + u]);
          h[u] = (1.0 - gz) * gn + gz * h[u];  // the unmasked state
        } else {
          h[u] = std::tanh(a[u] + r[u]);
        }
        y[u + U * (t + Ts * j)] = h[u];
      }
    }
  }
  return y;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

nn::run_context training_context(int threads, std::uint64_t step) {
  nn::run_context ctx;
  ctx.threads = threads;
  ctx.training = true;
  ctx.seed = 12345;
  ctx.step = step;
  return ctx;
}

}  // namespace

UNIT_TEST("recurrent core: dropout",
          "training equals the cell equations with the layer's masks, shared by steps and gates") {
  const int steps = 4, F = 3, U = 5;
  const std::size_t B = 40, Fz = F, Uz = U;  // more than one chunk of the batch
  const double p_in = 0.3, p_rec = 0.4;
  for (const char* type : {"simple_rnn", "lstm", "gru"}) {
    nn::recurrent_layer<double> L(rnn_spec(type, steps, F, U, p_in, p_rec));
    L.index = 2;
    randomise(L.core, 5);
    std::uint64_t s = 9;
    std::vector<double> x(static_cast<std::size_t>(F) * steps * B);
    for (double& v : x) v = uniform11(s);
    L.reserve(B);
    std::vector<double> y(L.out.size() * B), y3(L.out.size() * B);
    L.forward(x.data(), y.data(), B, training_context(1, 3));
    const std::vector<double> mx(L.core.input_mask(), L.core.input_mask() + Fz * B);
    const std::vector<double> mh(L.core.state_mask(), L.core.state_mask() + Uz * B);
    UNIT_EXPECT(max_abs_diff(y, naive(L.core, x, B, mx.data(), mh.data())) < 1e-12);
    // Entries 0 or 1 / (1 - rate), with both kinds present.
    int bad = 0, zeros_in = 0, zeros_rec = 0;
    for (double v : mx) {
      bad += !(v == 0.0 || std::fabs(v - 1.0 / (1.0 - p_in)) < 1e-15);
      zeros_in += v == 0.0;
    }
    for (double v : mh) {
      bad += !(v == 0.0 || std::fabs(v - 1.0 / (1.0 - p_rec)) < 1e-15);
      zeros_rec += v == 0.0;
    }
    UNIT_EXPECT(bad == 0);
    UNIT_EXPECT(zeros_in > 0 && static_cast<std::size_t>(zeros_in) < Fz * B);
    UNIT_EXPECT(zeros_rec > 0 && static_cast<std::size_t>(zeros_rec) < Uz * B);
    // 3 threads: the same bits.
    L.forward(x.data(), y3.data(), B, training_context(3, 3));
    UNIT_EXPECT(y3 == y);
    // A batch of the first 17 examples: the same masks for them.
    L.forward(x.data(), y3.data(), 17, training_context(1, 3));
    bool same = true;
    for (std::size_t i = 0; i < Fz * 17; ++i) same = same && L.core.input_mask()[i] == mx[i];
    for (std::size_t i = 0; i < Uz * 17; ++i) same = same && L.core.state_mask()[i] == mh[i];
    UNIT_EXPECT(same);
    // Another step: other masks.
    L.forward(x.data(), y3.data(), B, training_context(1, 4));
    bool differ = false;
    for (std::size_t i = 0; i < Fz * B; ++i) differ = differ || L.core.input_mask()[i] != mx[i];
    UNIT_EXPECT(differ);
    // Prediction: no masks, the cell equations as they are.
    nn::run_context pred;
    pred.threads = 2;
    L.forward(x.data(), y3.data(), B, pred);
    UNIT_EXPECT(L.core.input_mask() == nullptr && L.core.state_mask() == nullptr);
    UNIT_EXPECT(max_abs_diff(y3, naive(L.core, x, B, nullptr, nullptr)) < 1e-12);
  }
}

UNIT_TEST("recurrent core: dropout",
          "BPTT with dropout equals central differences of the forward pass with the same masks") {
  const int steps = 4, F = 3, U = 4;
  const std::size_t B = 5, Fz = F;
  for (const char* type : {"simple_rnn", "lstm", "gru"}) {
    for (int bi = 0; bi < 2; ++bi) {
      nn::layer_spec sp = rnn_spec(type, steps, F, U, 0.35, 0.45);
      std::unique_ptr<nn::layer<double>> L;
      if (bi == 1) {
        sp.cell = sp.type;
        sp.type = "bidirectional";
        L.reset(new nn::bidirectional_layer<double>(sp));
      } else {
        L.reset(new nn::recurrent_layer<double>(sp));
      }
      L->index = 1;
      std::uint64_t s = 21;
      for (nn::parameter<double>* p : L->params())
        for (double& v : p->value) v = 0.5 * uniform11(s);
      std::vector<double> x(static_cast<std::size_t>(F) * steps * B), w(L->out.size() * B);
      for (double& v : x) v = uniform11(s);
      for (double& v : w) v = uniform11(s);
      L->reserve(B);
      const nn::run_context ctx = training_context(1, 7);
      std::vector<double> y(L->out.size() * B), dx(x.size());
      auto loss = [&]() {
        L->forward(x.data(), y.data(), B, ctx);
        double v = 0.0;
        for (std::size_t i = 0; i < y.size(); ++i) v += w[i] * y[i];
        return v;
      };
      loss();
      L->backward(x.data(), y.data(), w.data(), dx.data(), B, ctx);
      const double h = 1e-6;
      double worst = 0.0;
      auto check = [&](double& v, double analytic) {
        const double v0 = v;
        v = v0 + h;
        const double fp = loss();
        v = v0 - h;
        const double fm = loss();
        v = v0;
        const double numeric = (fp - fm) / (2.0 * h);
        worst = std::max(worst, std::fabs(numeric - analytic) / std::max(1.0, std::fabs(analytic)));
      };
      for (nn::parameter<double>* p : L->params()) {
        const std::vector<double> g = p->grad;
        for (std::size_t i = 0; i < p->value.size(); i += 3) check(p->value[i], g[i]);
      }
      const std::vector<double> gx = dx;
      for (std::size_t i = 0; i < x.size(); i += 2) check(x[i], gx[i]);
      UNIT_EXPECT(worst < 1e-7);
      if (bi == 1) {  // each direction its own masks
        auto* bl = static_cast<nn::bidirectional_layer<double>*>(L.get());
        bool differ = false;
        for (std::size_t i = 0; i < Fz * B; ++i) differ = differ || bl->fwd.input_mask()[i] != bl->bwd.input_mask()[i];
        UNIT_EXPECT(differ);
      }
    }
  }
}
