// statlearn/nn/gradient_check.h -- finite-difference check of backpropagation
// (Deep Learning book 6.5 and 11.5): the analytic gradient of the mean loss
// beside a five-point central difference, for evenly spaced entries of every
// parameter tensor.
#ifndef STATLEARN_NN_GRADIENT_CHECK_H
#define STATLEARN_NN_GRADIENT_CHECK_H

#include <algorithm>
#include <cstddef>
#include <vector>

#include "statlearn/common/hooks.h"
#include "statlearn/nn/network.h"

namespace statlearn {
namespace nn {

struct gradient_sample {
  std::vector<double> index;     // 1-based positions within the tensor
  std::vector<double> analytic;  // backpropagated gradient
  std::vector<double> numeric;   // finite difference
};

// One sample per parameter tensor of the trainer's network, at most
// max_per_tensor entries each, on data set `slot` as one training-mode batch.
template <class T>
std::vector<gradient_sample> gradient_check(trainer<T>& tr, int slot, double eps,
                                            std::size_t max_per_tensor) {
  tr.full_batch_loss(slot, true);
  auto ps = tr.net.params();
  std::vector<std::vector<T>> grads;
  for (auto* p : ps) grads.push_back(p->grad);
  std::vector<gradient_sample> out(ps.size());
  for (std::size_t k = 0; k < ps.size(); ++k) {
    const std::size_t n = ps[k]->value.size();
    const std::size_t m = std::min(n, max_per_tensor);
    gradient_sample& s = out[k];
    s.index.resize(m);
    s.analytic.resize(m);
    s.numeric.resize(m);
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t i = m == n ? j : (j * n) / m;
      hooks::check_interrupt();
      // Five-point central difference: error O(eps^4), so a step large
      // enough to swamp single-precision rounding stays accurate.
      T& w = ps[k]->value[i];
      const T w0 = w;
      double f[4];
      const double steps[4] = {eps, -eps, 2 * eps, -2 * eps};
      for (int q = 0; q < 4; ++q) {
        w = static_cast<T>(w0 + steps[q]);
        f[q] = tr.full_batch_loss(slot, false);
      }
      w = w0;
      s.numeric[j] = (8.0 * (f[0] - f[1]) - (f[2] - f[3])) / (12.0 * eps);
      s.index[j] = static_cast<double>(i) + 1.0;
      s.analytic[j] = grads[k][i];
    }
  }
  return out;
}

}  // namespace nn
}  // namespace statlearn

#endif
