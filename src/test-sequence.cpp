// C++ unit tests of the sequence layers (statlearn/nn/sequence.h), run by
// tests/testthat/test-cpp.R.
#include <cmath>
#include <cstdint>
#include <vector>
#include "statlearn/nn/sequence.h"
#include "unit-test.h"

namespace {

namespace nn = statlearn::nn;

double uniform11(std::uint64_t& s) {
  s = s * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<double>(s >> 11) * 0x1.0p-53 * 2.0 - 1.0;
}

nn::layer_spec embedding_spec(int steps, int V, int E, bool mask_zero) {
  nn::layer_spec s;
  s.type = "embedding";
  s.in = nn::shape3{1, 1, steps};
  s.units = E;
  s.input_dim = V;
  s.mask_zero = mask_zero;
  return s;
}

}  // namespace

UNIT_TEST("sequence core: embedding",
          "the backward scatter-add equals a naive loop, for 1 and 3 threads, and 0 gets nothing") {
  const int steps = 7, V = 40, E = 5;
  const std::size_t B = 60;
  nn::embedding_layer<double> emb(embedding_spec(steps, V, E, true));
  std::uint64_t s = 3;
  std::vector<double> x(steps * B), dy(steps * E * B);
  for (double& v : x) v = static_cast<double>(static_cast<int>((uniform11(s) + 1.0) * 0.5 * (V + 1)));
  for (double& v : dy) v = uniform11(s);
  std::vector<double> ref(V * E, 0.0);
  for (std::size_t p = 0; p < x.size(); ++p) {
    const int tok = static_cast<int>(x[p]);
    if (tok == 0) continue;
    for (int e = 0; e < E; ++e) ref[(tok - 1) * E + e] += dy[p * E + e];
  }
  emb.reserve(B);
  for (int threads : {1, 3}) {
    nn::run_context ctx;
    ctx.threads = threads;
    std::vector<double> y(steps * E * B), dx(steps * B, 1.0);
    emb.forward(x.data(), y.data(), B, ctx);
    emb.backward(x.data(), y.data(), dy.data(), dx.data(), B, ctx);
    double err = 0.0, dxs = 0.0;
    for (std::size_t i = 0; i < ref.size(); ++i) err = std::max(err, std::fabs(emb.embeddings.grad[i] - ref[i]));
    for (double v : dx) dxs += std::fabs(v);
    UNIT_EXPECT(err < 1e-12);
    UNIT_EXPECT(dxs == 0.0);
    // the mask: 0 exactly where the token is 0
    bool mask_ok = true;
    for (std::size_t p = 0; p < x.size(); ++p) mask_ok = mask_ok && ((emb.output_mask()[p] == 0) == (x[p] == 0.0));
    UNIT_EXPECT(mask_ok);
  }
}

UNIT_TEST("sequence core: time distributed",
          "one GEMM over all steps equals the dense map at each step; the step softmax sums to 1") {
  const int steps = 4, F = 3, U = 5;
  const std::size_t B = 6;
  nn::layer_spec sp;
  sp.type = "time_distributed";
  sp.in = nn::shape3{1, steps, F};
  sp.units = U;
  nn::time_distributed_layer<double> td(sp);
  std::uint64_t s = 11;
  for (double& v : td.kernel.value) v = uniform11(s);
  for (double& v : td.bias.value) v = uniform11(s);
  std::vector<double> x(steps * F * B), y(steps * U * B), p(steps * U * B);
  for (double& v : x) v = uniform11(s);
  nn::run_context ctx;
  ctx.threads = 2;
  td.forward(x.data(), y.data(), B, ctx);
  double err = 0.0;
  for (std::size_t j = 0; j < B; ++j)
    for (int t = 0; t < steps; ++t)
      for (int u = 0; u < U; ++u) {
        double z = td.bias.value[u];
        for (int f = 0; f < F; ++f) z += td.kernel.value[f + F * u] * x[f + F * (t + steps * j)];
        err = std::max(err, std::fabs(z - y[u + U * (t + steps * j)]));
      }
  UNIT_EXPECT(err < 1e-13);
  nn::step_softmax_layer<double> sm(td.out);
  sm.forward(y.data(), p.data(), B, ctx);
  double worst = 0.0;
  for (std::size_t c = 0; c < steps * B; ++c) {
    double sum = 0.0;
    for (int u = 0; u < U; ++u) sum += p[u + U * c];
    worst = std::max(worst, std::fabs(sum - 1.0));
  }
  UNIT_EXPECT(worst < 1e-14);
}
