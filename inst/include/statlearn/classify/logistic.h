// statlearn/classify/logistic.h -- logistic regression by Newton-Raphson / IRLS.
//
// ESL section 4.4.1 (eqs 4.21-4.28). K classes coded 0..K-1, class 0 the
// baseline: eta_k = offset_k + beta_k0 + x' beta_k for k = 1..K-1 and
// Pr(G = k | x) = exp(eta_k) / (1 + sum_l exp(eta_l)). For K = 2 this is the
// binomial model of glm(family = binomial); for K > 2 the multinomial model
// (baseline = first class, as nnet::multinom) with the full (K-1)q x (K-1)q
// Hessian, q = p + intercept.
//
// Each Newton step is written in the working-response form
//   H beta_new = sum_l X' W_kl (eta_l - offset_l) + X' w (y_k - p_k),
// with W_kl = diag(w (delta_kl p_k - p_k p_l)), so that the iteration can start
// from fitted probabilities rather than coefficients (glm's mustart rule,
// (w y + 1/2) / (w + K/2)); every later step solves H delta = X' w (y - p) for
// the change only, so that rounding in the solve scales with the step and not
// with the coefficients. The design is centred (with an intercept) and scaled
// column by column on the fly, without a copy: the Hessian of badly scaled
// data (columns with mean/sd of 1e6) stays well conditioned, and coefficients
// and covariance are mapped back to the original columns at the end. The blocks
// X' W_kl X are the hot loop: they come from the parallel SIMD kernel of gram.h;
// the intercept row and the right-hand sides are column reductions, one task
// per column, so the result does not depend on the number of threads. With two
// classes and a nearly collinear design the step is taken by Householder QR
// instead (glm's method and rank test). Step halving when the deviance
// increases by more than rounding; convergence when |dev - dev_old| /
// (|dev| + 0.1) < epsilon (glm's rule). The covariance is the inverse Hessian
// of the last iteration (as glm's).
#ifndef STATLEARN_LOGISTIC_H
#define STATLEARN_LOGISTIC_H

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <vector>

#include <armadillo>
#include "statlearn/common/linalg.h"

#include "statlearn/common/gram.h"
#include "statlearn/common/hooks.h"
#include "statlearn/common/parallel.h"

namespace statlearn {

struct logistic_options {
  int maxit = 25;
  double epsilon = 1e-8;
  bool intercept = true;
  int threads = 1;
};

struct logistic_fit {
  std::vector<double> coef;   // q x (K-1), column-major (intercept first in each column)
  std::vector<double> cov;    // Q x Q inverse Hessian, Q = q (K-1)
  std::vector<double> eta;    // n x (K-1) linear predictors (with offset)
  std::vector<double> prob;   // n x K fitted probabilities
  double deviance = 0.0;
  int iterations = 0;
  bool converged = false;
  int dependent = -1;         // >= 0: index (in 0..q-1) of a dependent design column
  int extreme = 0;            // observations fitted with probability numerically 1
  int halvings = 0;
  double last_step = 0.0;     // max |beta - beta_old| / max(1, max |beta|) of the last iteration
};

namespace logistic_detail {

// Centring points and scales of the columns: the weighted mean (zero without
// an intercept, where centring would change the model) and the root mean
// square about it; a column without spread keeps scale 1.
struct column_frame {
  std::vector<double> m, s;
};

inline column_frame frame_columns(const double* X, std::size_t n, std::size_t p, bool intercept,
                                  const double* w, int threads) {
  column_frame f;
  f.m.assign(p, 0.0);
  f.s.assign(p, 1.0);
  double wsum = 0.0;
  for (std::size_t i = 0; i < n; ++i) wsum += w[i];
  if (!(wsum > 0.0)) return f;
  parallel_tasks(p, threads, [&](std::size_t j) {
    const double* col = X + j * n;
    double mj = 0.0;
    if (intercept) {
      for (std::size_t i = 0; i < n; ++i) mj += w[i] * col[i];
      mj /= wsum;
    }
    double ss = 0.0;
    for (std::size_t i = 0; i < n; ++i) ss += w[i] * (col[i] - mj) * (col[i] - mj);
    const double sj = std::sqrt(ss / wsum);
    f.m[j] = mj;
    f.s[j] = sj > 0.0 && std::isfinite(sj) ? sj : 1.0;
  });
  return f;
}

// The weighted least-squares step of the binomial model by Householder QR of
// sqrt(v) Z, for designs so nearly collinear that the Cholesky factor of
// Z' V Z (whose condition is squared) cannot be trusted. Solves
// min || sqrt(v) (r / v - Z delta) || with Z = (1, (X - 1 m') / s), returns -1
// or the first column whose residual norm falls below 1e-11 of its norm (glm's
// rank test), and leaves in L the lower factor R' of Z' V Z = R' R.
inline long qr_step(const double* X, std::size_t n, std::size_t p, bool intercept,
                    const column_frame& f, const double* v, const double* r,
                    std::vector<double>& delta, std::vector<double>& L) {
  const std::size_t q = p + (intercept ? 1 : 0), o = intercept ? 1 : 0;
  arma::mat A(n, q);
  arma::vec b(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double sv = v[i] > 0.0 ? std::sqrt(v[i]) : 0.0;
    b[i] = sv > 0.0 ? r[i] / sv : 0.0;
    if (intercept) A(i, 0) = sv;
  }
  for (std::size_t j = 0; j < p; ++j) {
    const double* col = X + j * n;
    for (std::size_t i = 0; i < n; ++i) {
      const double sv = v[i] > 0.0 ? std::sqrt(v[i]) : 0.0;
      A(i, j + o) = sv * (col[i] - f.m[j]) / f.s[j];
    }
  }
  arma::vec norms(q);
  for (std::size_t j = 0; j < q; ++j) norms[j] = arma::norm(A.col(j));
  arma::mat Qm, R;
  if (!arma::qr_econ(Qm, R, A)) return 0;
  for (std::size_t j = 0; j < q; ++j)
    if (!(std::fabs(R(j, j)) > 1e-11 * norms[j])) return static_cast<long>(j);
  const arma::vec sol = arma::solve(arma::trimatu(R), Qm.t() * b);
  delta.assign(sol.begin(), sol.end());
  L.assign(q * q, 0.0);
  for (std::size_t j = 0; j < q; ++j)
    for (std::size_t i = 0; i <= j; ++i) L[i * q + j] = R(i, j);  // L(j, i) = R(i, j)
  return -1;
}

// Coefficients (q x K1, centred and scaled columns) on the original columns.
inline std::vector<double> to_original(const std::vector<double>& bc, std::size_t p,
                                       std::size_t K1, bool intercept, const column_frame& f) {
  const std::size_t q = p + (intercept ? 1 : 0), o = intercept ? 1 : 0;
  std::vector<double> b(bc.size());
  for (std::size_t k = 0; k < K1; ++k) {
    double a = intercept ? bc[k * q] : 0.0;
    for (std::size_t j = 0; j < p; ++j) {
      b[k * q + j + o] = bc[k * q + j + o] / f.s[j];
      a -= b[k * q + j + o] * f.m[j];
    }
    if (intercept) b[k * q] = a;
  }
  return b;
}

// out[c * q + j] = sum_i V[c][i] * z_ij, z = (1, (x - m) / s) (or without the
// 1), for m vectors V; the columns are centred as they are summed.
inline void column_sums(const double* X, std::size_t n, std::size_t p, bool intercept,
                        const column_frame& f, const std::vector<const double*>& V, int threads,
                        double* out) {
  const std::size_t q = p + (intercept ? 1 : 0), m = V.size();
  parallel_tasks(q, threads, [&](std::size_t j) {
    const bool one = intercept && j == 0;
    const std::size_t jx = j - (intercept ? 1 : 0);
    const double* col = one ? nullptr : X + jx * n;
    const double mj = one ? 0.0 : f.m[jx], sj = one ? 1.0 : f.s[jx];
    for (std::size_t c = 0; c < m; ++c) {
      const double* v = V[c];
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      std::size_t i = 0;
      if (one) {
        for (; i + 4 <= n; i += 4) { s0 += v[i]; s1 += v[i + 1]; s2 += v[i + 2]; s3 += v[i + 3]; }
        for (; i < n; ++i) s0 += v[i];
      } else {
        for (; i + 4 <= n; i += 4) {
          s0 += v[i] * (col[i] - mj); s1 += v[i + 1] * (col[i + 1] - mj);
          s2 += v[i + 2] * (col[i + 2] - mj); s3 += v[i + 3] * (col[i + 3] - mj);
        }
        for (; i < n; ++i) s0 += v[i] * (col[i] - mj);
      }
      out[c * q + j] = ((s0 + s1) + (s2 + s3)) / sj;
    }
  });
}

// Z' diag(v) Z (q x q) with Z = (1, (X - 1 m') / s): gram.h (centring on the
// fly) for the X block, column sums for the intercept row and column.
inline void weighted_cross(const double* X, std::size_t n, std::size_t p, bool intercept,
                           const column_frame& f, const double* v, int threads,
                           std::vector<double>& gx, std::vector<double>& out) {
  const std::size_t q = p + (intercept ? 1 : 0), o = intercept ? 1 : 0;
  out.assign(q * q, 0.0);
  if (p > 0) {
    gx.resize(p * p);
    if (p <= gram_detail::kTile && p >= 8) {
      // gram() would be a single tile (one task): split the rows of the
      // product into four fixed column groups instead, so that the work is
      // shared; the split depends on p only, so the bits do not depend on
      // the number of threads.
      const std::size_t G = 4, size = (p + G - 1) / G;
      std::vector<std::size_t> all(p);
      for (std::size_t j = 0; j < p; ++j) all[j] = j;
      std::vector<std::vector<double>> part(G);
      parallel_tasks(G, threads, [&](std::size_t g) {
        const std::size_t a = g * size, b = std::min(p, a + size);
        if (a >= b) return;
        std::vector<std::size_t> cols(all.begin() + a, all.begin() + b);
        part[g].resize((b - a) * p);
        cross_products(X, n, cols, all, v, f.m.data(), false, 1, part[g].data());
      });
      for (std::size_t g = 0; g < G; ++g) {
        const std::size_t a = g * size, b = std::min(p, a + size);
        for (std::size_t k = 0; k < p; ++k)
          for (std::size_t j = a; j < b; ++j) gx[k * p + j] = part[g][k * (b - a) + (j - a)];
      }
    } else {
      gram(X, n, p, v, f.m.data(), threads, gx.data());
    }
    for (std::size_t k = 0; k < p; ++k)
      for (std::size_t j = 0; j < p; ++j)
        out[(k + o) * q + (j + o)] = gx[k * p + j] / (f.s[j] * f.s[k]);
  }
  if (intercept) {
    std::vector<double> s(q);
    column_sums(X, n, p, true, f, {v}, threads, s.data());
    for (std::size_t j = 0; j < q; ++j) {
      out[j] = s[j];
      out[j * q] = s[j];
    }
  }
}

// eta[i + k n] = offset + Z beta_k with Z = (1, (X - 1 m') / s): centred as it
// is summed, so that a column with a large mean does not cancel against the
// intercept. Row chunks in parallel.
inline void linear_predictors(const double* X, std::size_t n, std::size_t p, bool intercept,
                              const column_frame& f, const std::vector<double>& beta,
                              std::size_t K1, const double* offset, int threads,
                              std::vector<double>& eta) {
  const std::size_t q = p + (intercept ? 1 : 0), o = intercept ? 1 : 0;
  eta.assign(n * K1, 0.0);
  parallel_chunks(n, 4096, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t k = 0; k < K1; ++k) {
      double* et = eta.data() + k * n;
      const double* bk = beta.data() + k * q;
      const double b0 = intercept ? bk[0] : 0.0;
      for (std::size_t i = b; i < e; ++i) et[i] = (offset ? offset[i + k * n] : 0.0) + b0;
      for (std::size_t j = 0; j < p; ++j) {
        const double* col = X + j * n;
        const double bj = bk[j + o] / f.s[j], mj = f.m[j];
        if (bj == 0.0) continue;
        for (std::size_t i = b; i < e; ++i) et[i] += (col[i] - mj) * bj;
      }
    }
  });
}

// Probabilities (n x K) from linear predictors; returns the deviance
// -2 sum w log p_{i, y_i}.
inline double probabilities(const std::vector<double>& eta, std::size_t n, std::size_t K,
                            const int* y, const double* w, std::vector<double>& prob) {
  prob.assign(n * K, 0.0);
  double dev = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double m = 0.0;
    for (std::size_t k = 1; k < K; ++k) m = std::max(m, eta[i + (k - 1) * n]);
    double s = std::exp(-m);
    for (std::size_t k = 1; k < K; ++k) s += std::exp(eta[i + (k - 1) * n] - m);
    const double ls = std::log(s);
    for (std::size_t k = 0; k < K; ++k) {
      const double ek = k == 0 ? 0.0 : eta[i + (k - 1) * n];
      prob[i + k * n] = std::exp(ek - m) / s;
    }
    if (w[i] > 0) {
      const double ey = y[i] == 0 ? 0.0 : eta[i + (y[i] - 1) * n];
      dev -= 2.0 * w[i] * (ey - m - ls);
    }
  }
  return dev;
}

}  // namespace logistic_detail

// X: n x p column-major (no intercept column); y: classes 0..K-1; w: prior
// weights; offset: n x (K-1) or null.
inline logistic_fit logistic_irls(const double* X, std::size_t n, std::size_t p, const int* y,
                                  std::size_t K, const double* w, const double* offset,
                                  const logistic_options& opt) {
  using namespace logistic_detail;
  logistic_fit fit;
  const std::size_t K1 = K - 1, q = p + (opt.intercept ? 1 : 0), Q = q * K1;
  const int threads = opt.threads;
  // Starting probabilities and linear predictors.
  std::vector<double> prob(n * K), eta(n * K1);
  for (std::size_t i = 0; i < n; ++i) {
    const double den = w[i] + 0.5 * K;
    for (std::size_t k = 0; k < K; ++k)
      prob[i + k * n] = (w[i] * (y[i] == static_cast<int>(k) ? 1.0 : 0.0) + 0.5) / den;
    for (std::size_t k = 1; k < K; ++k) eta[i + (k - 1) * n] = std::log(prob[i + k * n] / prob[i]);
  }
  double devold = 0.0;
  for (std::size_t i = 0; i < n; ++i)
    if (w[i] > 0) devold -= 2.0 * w[i] * std::log(prob[i + y[i] * n]);

  const column_frame frame = frame_columns(X, n, p, opt.intercept, w, threads);
  // beta: coefficients of the centred and scaled columns (mapped back to the
  // original columns at the end).
  std::vector<double> beta(Q, 0.0), beta_old, H(Q * Q), L, block, gx, rhs(Q), tmp(Q);
  std::vector<std::vector<double>> v(K1 * K1 + K1, std::vector<double>(n));
  bool have_beta = false;
  auto predict_eta = [&]() {
    linear_predictors(X, n, p, opt.intercept, frame, beta, K1, offset, threads, eta);
  };
  double dev = devold;
  for (int iter = 1; iter <= opt.maxit; ++iter) {
    hooks::check_interrupt();
    fit.iterations = iter;
    // Hessian blocks and right-hand side.
    std::vector<const double*> rv(K1);
    for (std::size_t k = 0; k < K1; ++k) {
      const double* pk = prob.data() + (k + 1) * n;
      double* r = v[K1 * K1 + k].data();
      for (std::size_t i = 0; i < n; ++i) r[i] = w[i] * ((y[i] == static_cast<int>(k + 1)) - pk[i]);
      for (std::size_t l = 0; l < K1; ++l) {
        const double* pl = prob.data() + (l + 1) * n;
        double* vk = v[k * K1 + l].data();
        for (std::size_t i = 0; i < n; ++i)
          vk[i] = w[i] * ((k == l ? pk[i] : 0.0) - pk[i] * pl[i]);
      }
      // First iteration (from probabilities): the working response,
      // r_k += sum_l W_kl (eta_l - offset_l), gives beta itself. Later ones
      // solve for the change with r_k = w (y_k - p_k).
      for (std::size_t l = 0; l < K1 && !have_beta; ++l) {
        const double* vk = v[k * K1 + l].data();
        const double* el = eta.data() + l * n;
        const double* ol = offset ? offset + l * n : nullptr;
        for (std::size_t i = 0; i < n; ++i) r[i] += vk[i] * (el[i] - (ol ? ol[i] : 0.0));
      }
      rv[k] = r;
    }
    column_sums(X, n, p, opt.intercept, frame, rv, threads, rhs.data());
    for (std::size_t k = 0; k < K1; ++k)
      for (std::size_t l = k; l < K1; ++l) {
        weighted_cross(X, n, p, opt.intercept, frame, v[k * K1 + l].data(), threads, gx, block);
        for (std::size_t a = 0; a < q; ++a)
          for (std::size_t b = 0; b < q; ++b) {
            H[(l * q + b) * Q + (k * q + a)] = block[b * q + a];
            H[(k * q + a) * Q + (l * q + b)] = block[b * q + a];
          }
      }
    L = H;
    const cholesky_status chol = cholesky_factor(L.data(), Q, 1e-11);
    long bad = chol.bad;
    const double min_ratio = chol.min_ratio;
    // Two classes and a nearly collinear design: take the step by QR instead,
    // as glm does (and with glm's test for a dependent column).
    const bool by_qr = K == 2 && (bad >= 0 || min_ratio < 1e-8);
    if (by_qr) bad = qr_step(X, n, p, opt.intercept, frame, v[0].data(), rv[0], rhs, L);
    if (bad >= 0) {
      if (iter == 1 || !have_beta) {
        fit.dependent = static_cast<int>(bad % static_cast<long>(q));
        return fit;
      }
      break;  // weights collapsed (separation): keep the previous iterate
    }
    beta_old = beta;
    if (!by_qr) cholesky_solve(L.data(), Q, rhs.data());
    if (have_beta) {
      for (std::size_t j = 0; j < Q; ++j) beta[j] += rhs[j];
    } else {
      beta = rhs;
    }
    fit.cov = L;  // factor of the Hessian of this iteration
    predict_eta();
    dev = probabilities(eta, n, K, y, w, prob);
    if (have_beta) {
      int halve = 0;
      // Halve on a real increase only: the deviance carries rounding of about
      // 1e-12 relative (more when coefficients of collinear columns cancel),
      // and halving on that noise would stall the iteration short of the
      // optimum.
      while ((!std::isfinite(dev) || dev - devold > 1e-9 * (std::fabs(devold) + 0.1)) && halve < 30) {
        for (std::size_t j = 0; j < Q; ++j) beta[j] = 0.5 * (beta[j] + beta_old[j]);
        predict_eta();
        dev = probabilities(eta, n, K, y, w, prob);
        ++halve;
      }
      fit.halvings += halve;
    }
    have_beta = true;
    if (std::fabs(dev - devold) / (std::fabs(dev) + 0.1) < opt.epsilon) {
      fit.converged = true;
      break;
    }
    devold = dev;
  }
  const std::vector<double> coef = to_original(beta, p, K1, opt.intercept, frame);
  if (beta_old.size() == beta.size()) {
    const std::vector<double> coef_old = to_original(beta_old, p, K1, opt.intercept, frame);
    double dmax = 0.0, bmax = 1.0;
    for (std::size_t j = 0; j < Q; ++j) {
      dmax = std::max(dmax, std::fabs(coef[j] - coef_old[j]));
      bmax = std::max(bmax, std::fabs(coef[j]));
    }
    fit.last_step = dmax / bmax;
  }
  fit.coef = coef;
  // Inverse Hessian from the last factor, then mapped to the original columns:
  // cov = T C T' with T (per class) taking (a*, b*) to (a* - sum m_j b*_j / s_j, b*_j / s_j).
  std::vector<double> cov(Q * Q, 0.0);
  if (!fit.cov.empty()) {
    for (std::size_t c = 0; c < Q; ++c) {
      std::fill(tmp.begin(), tmp.end(), 0.0);
      tmp[c] = 1.0;
      cholesky_solve(fit.cov.data(), Q, tmp.data());
      std::copy(tmp.begin(), tmp.end(), cov.begin() + c * Q);
    }
    const std::size_t o = opt.intercept ? 1 : 0;
    std::vector<double> d(Q, 1.0);
    for (std::size_t k = 0; k < K1; ++k)
      for (std::size_t j = 0; j < p; ++j) d[k * q + j + o] = 1.0 / frame.s[j];
    for (std::size_t c = 0; c < Q; ++c)
      for (std::size_t r = 0; r < Q; ++r) cov[c * Q + r] *= d[r] * d[c];
    if (opt.intercept) {
      for (std::size_t k = 0; k < K1; ++k) {
        const std::size_t a = k * q;
        for (std::size_t c = 0; c < Q; ++c) {  // row a -= sum_j m_j row(a + 1 + j)
          double t = cov[c * Q + a];
          for (std::size_t j = 0; j < p; ++j) t -= frame.m[j] * cov[c * Q + a + 1 + j];
          cov[c * Q + a] = t;
        }
        for (std::size_t r = 0; r < Q; ++r) {  // column a -= sum_j m_j column(a + 1 + j)
          double t = cov[a * Q + r];
          for (std::size_t j = 0; j < p; ++j) t -= frame.m[j] * cov[(a + 1 + j) * Q + r];
          cov[a * Q + r] = t;
        }
      }
    }
  }
  fit.cov = cov;
  fit.eta = eta;
  fit.prob = prob;
  fit.deviance = dev;
  const double tiny = 10.0 * DBL_EPSILON;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(w[i] > 0)) continue;
    // Numerically certain of the observed class: the mark of (quasi-)separation.
    fit.extreme += prob[i + static_cast<std::size_t>(y[i]) * n] > 1.0 - tiny;
  }
  return fit;
}

}  // namespace statlearn

#endif
