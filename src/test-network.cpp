// C++ unit tests of the neural-network core (statlearn/nn/network.h), run by
// tests/testthat/test-cpp.R.
#include <cmath>
#include <cstdint>
#include <vector>
#include "statlearn/nn/network.h"
#include "unit-test.h"

namespace {

namespace nn = statlearn::nn;

double next_value(std::uint64_t& s) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<double>(s >> 11) * 0x1.0p-53 * 2.0 - 1.0;
}

nn::patch_geometry geometry(int stride, int pad, int dilation) {
  nn::patch_geometry g;
  g.in = nn::shape3{7, 6, 3};
  g.kh = 3; g.kw = 2; g.sh = stride; g.sw = stride; g.dh = dilation; g.dw = dilation;
  g.ph = pad; g.pw = pad;
  const int ekh = (g.kh - 1) * dilation + 1, ekw = (g.kw - 1) * dilation + 1;
  g.out = nn::shape3{(g.in.h + 2 * pad - ekh) / stride + 1, (g.in.w + 2 * pad - ekw) / stride + 1, 4};
  return g;
}

}  // namespace

UNIT_TEST("network core: patches",
          "col2im is the adjoint of im2col: <im2col(x), u> = <x, col2im(u)>") {
  const int cases[3][3] = {{1, 0, 1}, {2, 1, 1}, {1, 2, 2}};
  for (const auto& cs : cases) {
    const nn::patch_geometry g = geometry(cs[0], cs[1], cs[2]);
    const std::size_t B = 3, D = g.in.size(), KP = g.K() * g.P();
    std::vector<double> x(D * B), u(KP * B), cols(KP * B), back(D * B);
    std::uint64_t s = 7;
    for (double& v : x) v = next_value(s);
    for (double& v : u) v = next_value(s);
    nn::im2col(g, x.data(), cols.data(), B, 2);
    nn::col2im(g, u.data(), back.data(), B, 2);
    double lhs = 0.0, rhs = 0.0;
    for (std::size_t i = 0; i < cols.size(); ++i) lhs += cols[i] * u[i];
    for (std::size_t i = 0; i < x.size(); ++i) rhs += x[i] * back[i];
    UNIT_EXPECT(std::fabs(lhs - rhs) < 1e-12 * (1.0 + std::fabs(lhs)));
  }
}

UNIT_TEST("network core: patches",
          "a patch holds the input values it covers, zeros in the padding") {
  const nn::patch_geometry g = geometry(1, 1, 1);
  const std::size_t D = g.in.size();
  std::vector<float> x(D), cols(g.K() * g.P());
  for (std::size_t i = 0; i < D; ++i) x[i] = static_cast<float>(i + 1);
  nn::im2col(g, x.data(), cols.data(), 1, 1);
  // Output position (0, 0) starts one row and one column into the padding:
  // kernel cell (1, 1) reads input (0, 0); cell (0, *) is padding.
  const float* col = cols.data();
  const int C = g.in.c;
  bool ok = true;
  for (int c = 0; c < C; ++c) {
    ok = ok && col[(0 * g.kw + 0) * C + c] == 0.0f && col[(0 * g.kw + 1) * C + c] == 0.0f;
    ok = ok && col[(1 * g.kw + 1) * C + c] == x[c];
    ok = ok && col[(2 * g.kw + 1) * C + c] == x[g.in.w * C + c];
  }
  UNIT_EXPECT(ok);
}

UNIT_TEST("network core: losses and training",
          "the fused cross-entropy gradient is softmax minus the one-hot target") {
  nn::layer_spec s;
  s.type = "dense";
  s.in = nn::shape3{1, 1, 2};
  s.out = nn::shape3{1, 1, 3};
  s.units = 3;
  nn::network<double> net({s}, s.in, nn::loss_kind::cross_entropy);
  net.reserve(1);
  const double z[3] = {0.5, -1.0, 2.0};
  const int y = 1;
  double correct = 0.0;
  const double loss = net.loss_sum(z, 1, &y, nullptr, &correct, true, 1);
  const double lse = std::log(std::exp(0.5) + std::exp(-1.0) + std::exp(2.0));
  UNIT_EXPECT(std::fabs(loss - (lse + 1.0)) < 1e-14);
  UNIT_EXPECT(correct == 0.0);
  bool ok = true;
  for (int k = 0; k < 3; ++k) {
    const double p = std::exp(z[k] - lse) - (k == y ? 1.0 : 0.0);
    ok = ok && std::fabs(net.ga[k] - p) < 1e-14;
  }
  UNIT_EXPECT(ok);
}

UNIT_TEST("network core: losses and training",
          "an epoch gives identical weights for 1 and 2 threads") {
  nn::layer_spec d1, d2;
  d1.type = "dense"; d1.in = nn::shape3{1, 1, 5}; d1.units = 16; d1.out = nn::shape3{1, 1, 16};
  d1.act = nn::activation::tanh;
  d2.type = "dense"; d2.in = d1.out; d2.units = 3; d2.out = nn::shape3{1, 1, 3};
  std::vector<float> result[2];
  for (int t = 0; t < 2; ++t) {
    nn::optimizer_spec o;
    o.type = "adam";
    nn::trainer<float> tr({d1, d2}, d1.in, nn::loss_kind::cross_entropy, o, t + 1, 99);
    std::uint64_t s = 3;
    for (auto* p : tr.net.params())
      for (float& v : p->value) v = static_cast<float>(0.3 * next_value(s));
    tr.init_optimizer();
    auto& d = tr.data[0];
    d.D = 5; d.N = 500; d.O = 3;
    d.x.resize(d.D * d.N);
    for (float& v : d.x) v = static_cast<float>(next_value(s));
    for (std::size_t i = 0; i < d.N; ++i) d.cls.push_back(static_cast<int>(i % 3));
    const nn::epoch_result r = tr.train_epoch(1, 50, std::vector<double>(10, 0.01), true);
    const bool done = r.steps == 10 && !r.interrupted;
    UNIT_EXPECT(done);
    for (auto* p : tr.net.params()) result[t].insert(result[t].end(), p->value.begin(), p->value.end());
  }
  const bool same = result[0] == result[1];
  UNIT_EXPECT(same);
}

namespace {
int interrupt_calls = 0;
bool interrupt_on_third_call() { return ++interrupt_calls >= 3; }
}  // namespace

UNIT_TEST("network core: interrupts", "an interrupt stops an epoch between steps and reports it") {
  nn::layer_spec d1;
  d1.type = "dense"; d1.in = nn::shape3{1, 1, 4}; d1.units = 2; d1.out = nn::shape3{1, 1, 2};
  nn::optimizer_spec o;
  nn::trainer<float> tr({d1}, d1.in, nn::loss_kind::cross_entropy, o, 1, 5);
  tr.init_optimizer();
  auto& d = tr.data[0];
  d.D = 4; d.N = 100; d.O = 2;
  d.x.assign(d.D * d.N, 0.5f);
  d.cls.assign(d.N, 1);
  interrupt_calls = 0;
  statlearn::hooks::reset();
  statlearn::hooks::set_interrupt_checker(&interrupt_on_third_call);
  const nn::epoch_result r = tr.train_epoch(1, 10, std::vector<double>(10, 0.1), true);
  statlearn::hooks::set_interrupt_checker(nullptr);
  statlearn::hooks::reset();
  const bool stopped = r.interrupted && r.steps == 2 && r.step_loss.size() == 2;
  UNIT_EXPECT(stopped);
  UNIT_EXPECT(std::isfinite(r.loss));
}

UNIT_TEST("network core: vector kernels",
          "the float exponential is accurate and the vector body equals the scalar tail") {
  double worst = 0.0;
  for (int i = -8000; i <= 8000; ++i) {
    const float x = static_cast<float>(i) * 0.01f;
    const double rel = std::fabs(nn::vec::exp_scalar(x) - std::exp(static_cast<double>(x))) /
                       std::exp(static_cast<double>(x));
    worst = std::max(worst, rel);
  }
  UNIT_EXPECT(worst < 5e-7);
  std::vector<float> x(37), y(37);
  for (int i = 0; i < 37; ++i) x[i] = static_cast<float>(i - 18) * 0.731f;
  nn::vec::sigmoid(x.data(), y.data(), x.size());
  bool same = true;
  for (int i = 0; i < 37; ++i) same = same && y[i] == nn::vec::sigmoid_scalar(x[i]);
  UNIT_EXPECT(same);
}

UNIT_TEST("network core: direct convolution", "the direct convolution equals im2col + GEMM") {
  const int cases[3][3] = {{1, 0, 1}, {2, 1, 1}, {1, 2, 2}};
  for (const auto& cs : cases) {
    nn::patch_geometry g = geometry(cs[0], cs[1], cs[2]);
    g.out.c = 11;  // not a multiple of 8
    const std::size_t B = 4, K = g.K(), P = g.P(), F = g.out.c;
    std::vector<float> x(g.in.size() * B), w(K * F), bias(F), cols(K * P * B), y1(F * P * B),
        y2(F * P * B);
    std::uint64_t s = 11;
    for (float& v : x) v = static_cast<float>(next_value(s));
    for (float& v : w) v = static_cast<float>(next_value(s));
    for (float& v : bias) v = static_cast<float>(next_value(s));
    nn::im2col(g, x.data(), cols.data(), B, 1);
    nn::gemm(true, false, F, P * B, K, 1.0f, w.data(), K, cols.data(), K, 0.0f, y1.data(), F, 1);
    for (std::size_t n = 0; n < P * B; ++n)
      for (std::size_t f = 0; f < F; ++f) y1[f + F * n] += bias[f];
    const std::vector<float> wt = nn::filters_fastest(w.data(), K, F);
    nn::conv_direct(g, x.data(), wt.data(), bias.data(), y2.data(), B, 2);
    double worst = 0.0;
    for (std::size_t i = 0; i < y1.size(); ++i) worst = std::max(worst, std::fabs(double(y1[i]) - y2[i]));
    UNIT_EXPECT(worst < 1e-5);
  }
}
