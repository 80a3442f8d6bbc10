// statlearn/smooth/kernel_smoother.h -- penalised kernel smoothers with an
// unpenalised null space (ESL 5.7-5.8): thin-plate splines and kernel ridge
// regression.
//
// Both minimise ||y - K alpha - T beta||^2 + lambda alpha' K alpha over
// alpha (n) and beta (M), where K is the n x n kernel matrix of the data and
// T the n x M matrix of the unpenalised functions (polynomials of degree
// below m for a thin-plate spline, the constant or nothing for kernel ridge).
// The solution satisfies (K + lambda I) alpha + T beta = y, T' alpha = 0.
//
// With the QR decomposition T = Q [R; 0] (Householder, M reflections) and
// alpha = Q [0; gamma], the equations reduce to
//   (K22 + lambda I) gamma = (Q'y)_2,    R beta = (Q'y)_1 - K12 gamma,
// where Q'KQ = [K11 K12; K21 K22]. One eigen-decomposition K22 = U D U'
// (LAPACK through Armadillo) then gives, for every lambda in O(n),
//   df(lambda)  = trace(S) = M + sum_k d_k / (d_k + lambda),
//   RSS(lambda) = ||lambda alpha||^2 = sum_k (lambda z_k / (d_k + lambda))^2, z = U'(Q'y)_2,
// and the fitted values are y - lambda alpha.
//
// The kernel matrix is built in fixed column chunks on TBB (every entry is
// computed by one task, in the same order), and the reflections are applied
// to it in fixed column chunks too, so results are the same bits for any
// number of threads.
#ifndef STATLEARN_KERNEL_SMOOTHER_H
#define STATLEARN_KERNEL_SMOOTHER_H

#include <armadillo>
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "statlearn/common/distance.h"
#include "statlearn/common/parallel.h"

namespace statlearn {

enum class kernel_type { gaussian = 0, polynomial = 1, linear = 2, radial_power = 3 };

// gaussian: exp(-gamma ||x - x'||^2); polynomial: (scale <x, x'> + offset)^degree;
// linear: <x, x'>; radial_power (thin plate): theta r^power (log r if use_log).
struct kernel_spec {
  kernel_type type = kernel_type::gaussian;
  double gamma = 1.0;
  double scale = 1.0;
  double offset = 0.0;
  int degree = 1;
  double theta = 1.0;
  int power = 2;
  bool use_log = true;
};

// Row i of A (leading dimension lda) against row j of B.
inline double kernel_value(const kernel_spec& k, const double* A, std::size_t lda, std::size_t i,
                           const double* B, std::size_t ldb, std::size_t j, std::size_t p) {
  switch (k.type) {
    case kernel_type::gaussian:
      return std::exp(-k.gamma * squared_distance(A, lda, i, B, ldb, j, p));
    case kernel_type::radial_power: {
      const double r2 = squared_distance(A, lda, i, B, ldb, j, p);
      if (r2 <= 0.0) return 0.0;
      const double rp = std::pow(r2, 0.5 * k.power);
      return k.use_log ? k.theta * rp * 0.5 * std::log(r2) : k.theta * rp;
    }
    default: {
      double s = 0.0;
      for (std::size_t c = 0; c < p; ++c) s += A[c * lda + i] * B[c * ldb + j];
      if (k.type == kernel_type::linear) return s;
      const double b = k.scale * s + k.offset;
      double v = 1.0;
      for (int d = 0; d < k.degree; ++d) v *= b;
      return v;
    }
  }
}

// The symmetric n x n kernel matrix of the rows of X (n x p, column-major).
inline arma::mat kernel_matrix(const double* X, std::size_t n, std::size_t p, const kernel_spec& k,
                               int threads) {
  arma::mat K(n, n);
  double* out = K.memptr();
  parallel_chunks(n, 32, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t j = b; j < e; ++j) {
      for (std::size_t i = j; i < n; ++i) {
        const double v = kernel_value(k, X, n, i, X, n, j, p);
        out[j * n + i] = v;
        out[i * n + j] = v;
      }
    }
  });
  return K;
}

// sum_j k(new_i, x_j) coef(j, l) for every new row i and column l of coef:
// the kernel part of a prediction, without forming the cross-kernel matrix.
inline arma::mat kernel_apply(const double* Xnew, std::size_t n0, const double* X, std::size_t n,
                              std::size_t p, const kernel_spec& k, const arma::mat& coef, int threads) {
  const std::size_t L = coef.n_cols;
  arma::mat out(n0, L, arma::fill::zeros);
  parallel_chunks(n0, 16, threads, [&](std::size_t b, std::size_t e, std::size_t) {
    std::vector<double> kv(n);
    for (std::size_t i = b; i < e; ++i) {
      for (std::size_t j = 0; j < n; ++j) kv[j] = kernel_value(k, Xnew, n0, i, X, n, j, p);
      for (std::size_t l = 0; l < L; ++l) {
        const double* c = coef.colptr(l);
        double s = 0.0;
        for (std::size_t j = 0; j < n; ++j) s += kv[j] * c[j];
        out(i, l) = s;
      }
    }
  });
  return out;
}

// Householder QR of T (n x M): reflections H_k = I - tau_k v_k v_k'.
struct householder_qr {
  arma::mat V;    // n x M, v_k zero above row k
  arma::vec tau;  // M
  arma::mat R;    // M x M upper triangular
  bool full_rank = true;
};

inline householder_qr householder(const arma::mat& T) {
  const std::size_t n = T.n_rows, M = T.n_cols;
  householder_qr h;
  arma::mat A = T;
  h.V.zeros(n, M);
  h.tau.zeros(M);
  h.R.zeros(M, M);
  double scale = 0.0;
  for (std::size_t k = 0; k < M; ++k) scale = std::max(scale, arma::norm(T.col(k)));
  for (std::size_t k = 0; k < M; ++k) {
    double nrm = 0.0;
    for (std::size_t i = k; i < n; ++i) nrm += A(i, k) * A(i, k);
    nrm = std::sqrt(nrm);
    if (!(nrm > 1e-10 * scale)) {
      h.full_rank = false;
      return h;
    }
    const double alpha = A(k, k) > 0 ? -nrm : nrm;
    for (std::size_t i = k; i < n; ++i) h.V(i, k) = A(i, k);
    h.V(k, k) -= alpha;
    double vv = 0.0;
    for (std::size_t i = k; i < n; ++i) vv += h.V(i, k) * h.V(i, k);
    const double t = vv > 0 ? 2.0 / vv : 0.0;
    h.tau(k) = t;
    for (std::size_t c = k; c < M; ++c) {
      double s = 0.0;
      for (std::size_t i = k; i < n; ++i) s += h.V(i, k) * A(i, c);
      s *= t;
      for (std::size_t i = k; i < n; ++i) A(i, c) -= s * h.V(i, k);
    }
    for (std::size_t c = k; c < M; ++c) h.R(k, c) = A(k, c);
  }
  return h;
}

// Q'y (transpose = true) or Q y, in place.
inline void householder_apply(const householder_qr& h, double* y, bool transpose) {
  const std::size_t n = h.V.n_rows, M = h.V.n_cols;
  for (std::size_t s = 0; s < M; ++s) {
    const std::size_t k = transpose ? s : M - 1 - s;
    const double* v = h.V.colptr(k);
    double d = 0.0;
    for (std::size_t i = k; i < n; ++i) d += v[i] * y[i];
    d *= h.tau(k);
    for (std::size_t i = k; i < n; ++i) y[i] -= d * v[i];
  }
}

// K <- Q'KQ in place for symmetric K: each reflection is the rank-2 update
// H K H = K - t v w' - t w v' + t^2 (v'w) v v' with w = K v.
inline void householder_two_sided(const householder_qr& h, arma::mat& K, int threads) {
  const std::size_t n = K.n_rows, M = h.V.n_cols;
  arma::vec w(n);
  for (std::size_t k = 0; k < M; ++k) {
    const double* v = h.V.colptr(k);
    const double t = h.tau(k);
    parallel_chunks(n, 64, threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j) {
        const double* col = K.colptr(j);
        double s = 0.0;
        for (std::size_t i = k; i < n; ++i) s += col[i] * v[i];
        w(j) = s;
      }
    });
    double s = 0.0;
    for (std::size_t i = k; i < n; ++i) s += v[i] * w(i);
    const double c = t * t * s;
    parallel_chunks(n, 64, threads, [&](std::size_t b, std::size_t e, std::size_t) {
      for (std::size_t j = b; j < e; ++j) {
        double* col = K.colptr(j);
        const double vj = v[j], wj = w(j);
        for (std::size_t i = 0; i < n; ++i) col[i] += -t * v[i] * wj - t * w(i) * vj + c * v[i] * vj;
      }
    });
  }
}

// How lambda is set: the given values, the one whose df is `df_target`, or
// the minimiser of GCV.
enum class lambda_mode { given = 0, df = 1, gcv = 2 };

struct kernel_fit_options {
  lambda_mode mode = lambda_mode::given;
  std::vector<double> lambda;  // mode given
  double df_target = 0.0;      // mode df
  bool cholesky = false;       // one given lambda: Cholesky of K22 + lambda I instead of eig
  int threads = 1;
};

struct kernel_fit_result {
  int fault = 0;  // 1 T rank deficient, 2 lambda = 0 with a singular kernel, 3 df unreachable
  std::vector<double> lambda, df, rss, gcv;
  arma::mat alpha, beta, fitted;    // n x L, M x L, n x L
  arma::vec eigenvalues;            // of K22, decreasing (empty on the Cholesky path)
  std::vector<double> grid_lambda, grid_gcv, grid_df;  // the GCV search (mode gcv)
};

namespace kernel_detail {

struct spectrum {
  arma::vec d, z;  // eigenvalues (clamped at 0) and U'(Q'y)_2
  std::size_t n = 0, M = 0;
  double df(double lambda) const {
    double s = static_cast<double>(M);
    for (std::size_t k = 0; k < d.n_elem; ++k) s += lambda > 0 ? d(k) / (d(k) + lambda) : (d(k) > 0 ? 1 : 0);
    return s;
  }
  double rss(double lambda) const {
    double s = 0.0;
    if (lambda <= 0) return 0.0;
    for (std::size_t k = 0; k < d.n_elem; ++k) {
      const double r = lambda * z(k) / (d(k) + lambda);
      s += r * r;
    }
    return s;
  }
  double gcv(double lambda) const {
    const double nn = static_cast<double>(n), e = nn - df(lambda);
    return nn * rss(lambda) / (e * e);
  }
  // lambda with df(lambda) = target, by bisection on log lambda (df decreases).
  double lambda_for_df(double target) const {
    double dmax = 0.0, dmin = std::numeric_limits<double>::infinity();
    for (double v : d) {
      if (v > 0) {
        dmax = std::max(dmax, v);
        dmin = std::min(dmin, v);
      }
    }
    double lo = std::log(dmin) - 40.0, hi = std::log(dmax) + 40.0;
    for (int it = 0; it < 200 && hi - lo > 1e-13 * std::max(1.0, std::fabs(lo)); ++it) {
      const double mid = 0.5 * (lo + hi);
      if (df(std::exp(mid)) > target) lo = mid; else hi = mid;
    }
    return std::exp(0.5 * (lo + hi));
  }
};

// trace(A^-1) = ||L^-1||_F^2 for A = LL': column j of L^-1 by forward
// substitution from row j, columns in fixed chunks on TBB, the chunks' sums
// added in order (the same bits for any number of threads).
inline double inverse_trace(const arma::mat& L, int threads) {
  const std::size_t n = L.n_rows, grain = 16;
  std::vector<double> part(chunk_count(n, grain), 0.0);
  parallel_chunks(n, grain, threads, [&](std::size_t b, std::size_t e, std::size_t c) {
    std::vector<double> x(n);
    double s = 0.0;
    for (std::size_t j = b; j < e; ++j) {
      std::fill(x.begin() + j, x.end(), 0.0);
      x[j] = 1.0;
      for (std::size_t k = j; k < n; ++k) {
        const double* col = L.colptr(k);
        const double xk = x[k] / col[k];
        x[k] = xk;
        s += xk * xk;
        for (std::size_t i = k + 1; i < n; ++i) x[i] -= col[i] * xk;
      }
    }
    part[c] = s;
  });
  double total = 0.0;
  for (double v : part) total += v;
  return total;
}

}  // namespace kernel_detail

// X: n x p data (column-major), T: n x M null-space functions at the data,
// y: n responses.
inline kernel_fit_result kernel_smoother_fit(const double* X, std::size_t n, std::size_t p,
                                             const kernel_spec& spec, const arma::mat& T, const arma::vec& y,
                                             const kernel_fit_options& o) {
  kernel_fit_result res;
  const std::size_t M = T.n_cols, m2 = n - M;
  householder_qr h = householder(T);
  if (!h.full_rank) {
    res.fault = 1;
    return res;
  }
  arma::mat K = kernel_matrix(X, n, p, spec, o.threads);
  householder_two_sided(h, K, o.threads);
  arma::vec qy = y;
  householder_apply(h, qy.memptr(), true);
  arma::mat K12 = M > 0 ? arma::mat(K.submat(0, M, M - 1, n - 1)) : arma::mat(0, m2);
  arma::mat K22;
  if (M == 0) {
    K22 = std::move(K);  // no null space: the kernel matrix itself, not a copy
  } else {
    K22 = K.submat(M, M, n - 1, n - 1);
  }
  K.reset();
  const arma::vec qy2 = qy.subvec(M, n - 1);
  arma::mat gamma;  // m2 x L
  if (o.cholesky && o.mode == lambda_mode::given && o.lambda.size() == 1) {
    const double lam = o.lambda[0];
    K22.diag() += lam;
    arma::mat L;
    if (!arma::chol(L, K22, "lower")) {
      res.fault = 2;
      return res;
    }
    K22.reset();
    arma::vec g = arma::solve(arma::trimatu(L.t()), arma::solve(arma::trimatl(L), qy2));
    const double tr = kernel_detail::inverse_trace(L, o.threads);
    res.lambda = {lam};
    res.df = {static_cast<double>(M) + static_cast<double>(m2) - lam * tr};
    const double r = lam * lam * arma::dot(g, g);
    res.rss = {r};
    const double e = static_cast<double>(n) - res.df[0];
    res.gcv = {static_cast<double>(n) * r / (e * e)};
    gamma = g;
  } else {
    arma::vec d;
    arma::mat U;
    if (m2 > 0 && !arma::eig_sym(d, U, K22, "dc")) {
      if (!arma::eig_sym(d, U, K22, "std")) throw std::runtime_error("eigen-decomposition of the kernel matrix failed");
    }
    K22.reset();
    // decreasing order
    d = arma::flipud(d);
    U = arma::fliplr(U);
    kernel_detail::spectrum sp;
    sp.n = n;
    sp.M = M;
    const double dmax = d.n_elem ? std::max(0.0, d.max()) : 0.0;
    const double tol = static_cast<double>(n) * std::numeric_limits<double>::epsilon() * dmax;
    for (auto& v : d) {
      if (v < tol) v = 0.0;  // rounding (or duplicated points): no penalty direction
    }
    sp.d = d;
    sp.z = m2 > 0 ? arma::vec(U.t() * qy2) : arma::vec();
    res.eigenvalues = d;
    std::vector<double> lams;
    if (o.mode == lambda_mode::given) {
      lams = o.lambda;
      if (lams.empty()) {  // a default grid: 10 to 1e-6 times the largest eigenvalue
        const double top = dmax > 0 ? dmax : 1.0;
        for (int g = 0; g < 30; ++g) lams.push_back(top * std::pow(10.0, 1.0 - 7.0 * g / 29.0));
      }
    } else if (o.mode == lambda_mode::df) {
      if (!(o.df_target < sp.df(0.0))) {
        res.fault = 3;
        return res;
      }
      lams = {sp.lambda_for_df(o.df_target)};
    } else {
      const double rank = sp.df(0.0) - static_cast<double>(M);
      const double lo = std::log(sp.lambda_for_df(static_cast<double>(M) + 0.95 * rank));
      const double hi = std::log(sp.lambda_for_df(static_cast<double>(M) + 0.002 * std::min(rank, 20.0)));
      const int G = 100;
      std::size_t best = 0;
      for (int g = 0; g < G; ++g) {
        const double ll = lo + (hi - lo) * g / (G - 1.0);
        res.grid_lambda.push_back(std::exp(ll));
        res.grid_gcv.push_back(sp.gcv(std::exp(ll)));
        res.grid_df.push_back(sp.df(std::exp(ll)));
        if (res.grid_gcv.back() < res.grid_gcv[best]) best = g;
      }
      double a = std::log(res.grid_lambda[best == 0 ? 0 : best - 1]);
      double b = std::log(res.grid_lambda[std::min<std::size_t>(best + 1, G - 1)]);
      const double phi = 0.5 * (std::sqrt(5.0) - 1.0);
      double c1 = b - phi * (b - a), c2 = a + phi * (b - a);
      double f1 = sp.gcv(std::exp(c1)), f2 = sp.gcv(std::exp(c2));
      for (int it = 0; it < 80; ++it) {
        if (f1 < f2) {
          b = c2; c2 = c1; f2 = f1; c1 = b - phi * (b - a); f1 = sp.gcv(std::exp(c1));
        } else {
          a = c1; c1 = c2; f1 = f2; c2 = a + phi * (b - a); f2 = sp.gcv(std::exp(c2));
        }
      }
      double ll = 0.5 * (a + b);
      if (res.grid_gcv[best] < sp.gcv(std::exp(ll))) ll = std::log(res.grid_lambda[best]);
      lams = {std::exp(ll)};
    }
    const std::size_t L = lams.size();
    arma::mat W(m2, L);
    for (std::size_t l = 0; l < L; ++l) {
      const double lam = lams[l];
      for (std::size_t k = 0; k < m2; ++k) {
        if (lam <= 0 && !(d(k) > 0)) {
          res.fault = 2;
          return res;
        }
        W(k, l) = sp.z(k) / (d(k) + lam);
      }
      res.lambda.push_back(lam);
      res.df.push_back(sp.df(lam));
      res.rss.push_back(sp.rss(lam));
      res.gcv.push_back(lam > 0 ? sp.gcv(lam) : std::numeric_limits<double>::quiet_NaN());
    }
    gamma = m2 > 0 ? arma::mat(U * W) : arma::mat(0, L);
  }
  const std::size_t L = res.lambda.size();
  res.alpha.zeros(n, L);
  res.beta.zeros(M, L);
  res.fitted.zeros(n, L);
  for (std::size_t l = 0; l < L; ++l) {
    double* a = res.alpha.colptr(l);
    for (std::size_t k = 0; k < m2; ++k) a[M + k] = gamma(k, l);
    householder_apply(h, a, false);
    if (M > 0) {
      arma::vec rhs = qy.subvec(0, M - 1) - K12 * gamma.col(l);
      res.beta.col(l) = arma::solve(arma::trimatu(h.R), rhs);
    }
    for (std::size_t i = 0; i < n; ++i) res.fitted(i, l) = y(i) - res.lambda[l] * a[i];
  }
  return res;
}

}  // namespace statlearn

#endif
