// Glue for the neural-network engine (statlearn/nn/network.h). A training
// session lives behind an external pointer only while R drives it (one call
// per epoch, so callbacks and progress run in R); the fit itself is always
// exported back to plain R vectors. Internal: called from R/network-train.R.
#include <Rcpp.h>
#include <chrono>
#include <memory>
#include <string>
#include <vector>
#include "statlearn/nn/gradient_check.h"
#include "statlearn/nn/layout.h"
#include "statlearn/nn/network.h"
#include "host.h"

namespace nn = statlearn::nn;

namespace {

struct session {
  std::unique_ptr<nn::trainer<float>> f;
  std::unique_ptr<nn::trainer<double>> d;
};

template <class Fn>
auto dispatch(session& s, Fn fn) {
  if (s.f) return fn(*s.f);
  return fn(*s.d);
}

session& get(SEXP ptr) {
  Rcpp::XPtr<session> p(ptr);
  if (p.get() == nullptr) Rcpp::stop("the training session is no longer valid");
  return *p;
}

bool has(const Rcpp::List& l, const char* name) {
  return l.containsElementNamed(name) && !Rf_isNull(l[name]);
}

int int_at(const Rcpp::List& l, const char* name, int i, int dflt) {
  if (!has(l, name)) return dflt;
  Rcpp::IntegerVector v = Rcpp::as<Rcpp::IntegerVector>(l[name]);
  return v.size() > i ? v[i] : (v.size() > 0 ? v[0] : dflt);
}

double dbl(const Rcpp::List& l, const char* name, double dflt) {
  return has(l, name) ? Rcpp::as<double>(l[name]) : dflt;
}

nn::shape3 shape_of(SEXP v) {
  Rcpp::IntegerVector s = Rcpp::as<Rcpp::IntegerVector>(v);
  if (s.size() != 3) Rcpp::stop("a layer shape must have three entries");
  return nn::shape3{s[0], s[1], s[2]};
}

std::vector<nn::layer_spec> parse_spec(const Rcpp::List& layers) {
  std::vector<nn::layer_spec> out;
  for (R_xlen_t i = 0; i < layers.size(); ++i) {
    Rcpp::List l = layers[i];
    nn::layer_spec s;
    s.type = Rcpp::as<std::string>(l["type"]);
    s.in = shape_of(l["in_shape"]);
    s.out = shape_of(l["out_shape"]);
    s.units = has(l, "units") ? int_at(l, "units", 0, 0) : int_at(l, "filters", 0, 0);
    const char* k = has(l, "kernel_size") ? "kernel_size" : "pool_size";
    s.kh = int_at(l, k, 0, 1);
    s.kw = int_at(l, k, 1, 1);
    s.sh = int_at(l, "strides", 0, 1);
    s.sw = int_at(l, "strides", 1, 1);
    s.dh = int_at(l, "dilation", 0, 1);
    s.dw = int_at(l, "dilation", 1, 1);
    s.ph = int_at(l, "pad", 0, 0);
    s.pw = int_at(l, "pad", 1, 0);
    if (has(l, "activation")) s.act = nn::activation_from(Rcpp::as<std::string>(l["activation"]));
    s.alpha = dbl(l, "alpha", 0.0);
    if (s.alpha == 0.0 && s.act == nn::activation::leaky_relu) s.alpha = 0.01;
    if (s.alpha == 0.0 && s.act == nn::activation::elu) s.alpha = 1.0;
    s.use_bias = has(l, "use_bias") ? Rcpp::as<bool>(l["use_bias"]) : true;
    s.untie_biases = has(l, "untie_biases") && Rcpp::as<bool>(l["untie_biases"]);
    s.l1 = dbl(l, "l1", 0.0);
    s.l2 = dbl(l, "l2", 0.0);
    s.rate = dbl(l, "rate", 0.0);
    s.momentum = dbl(l, "momentum", 0.99);
    s.epsilon = dbl(l, "epsilon", 1e-3);
    if (has(l, "output_dim")) s.units = int_at(l, "output_dim", 0, 0);  // embedding
    s.input_dim = int_at(l, "input_dim", 0, 0);
    s.mask_zero = has(l, "mask_zero") && Rcpp::as<bool>(l["mask_zero"]);
    // recurrent layers (R/network-recurrent.R)
    s.return_sequences = has(l, "return_sequences") && Rcpp::as<bool>(l["return_sequences"]);
    s.stateful = has(l, "stateful") && Rcpp::as<bool>(l["stateful"]);
    if (has(l, "layer")) s.cell = Rcpp::as<std::string>(l["layer"]);
    s.merge_sum = has(l, "merge") && Rcpp::as<std::string>(l["merge"]) == "sum";
    s.mask_value = dbl(l, "mask_value", 0.0);
    s.dropout = dbl(l, "dropout", 0.0);
    s.recurrent_dropout = dbl(l, "recurrent_dropout", 0.0);
    out.push_back(s);
  }
  return out;
}

nn::optimizer_spec parse_optimizer(const Rcpp::List& o) {
  nn::optimizer_spec s;
  s.type = Rcpp::as<std::string>(o["type"]);
  if (s.type == "adamw") s.type = "adam";
  s.momentum = dbl(o, "momentum", 0.0);
  s.rho = dbl(o, "rho", 0.9);
  s.beta1 = dbl(o, "beta1", 0.9);
  s.beta2 = dbl(o, "beta2", 0.999);
  s.eps = dbl(o, "eps", 1e-7);
  s.weight_decay = dbl(o, "weight_decay", 0.0);
  s.initial_accumulator = dbl(o, "initial_accumulator", 0.0);
  s.nesterov = has(o, "nesterov") && Rcpp::as<bool>(o["nesterov"]);
  s.clip_value = dbl(o, "clip_value", 0.0);
  s.clip_norm = dbl(o, "clip_norm", 0.0);
  return s;
}

template <class T>
void fill(std::vector<T>& dst, SEXP src, const char* what) {
  Rcpp::NumericVector v(src);
  if (static_cast<std::size_t>(v.size()) != dst.size())
    Rcpp::stop("%s has %d values; the network needs %d", what, static_cast<int>(v.size()),
               static_cast<int>(dst.size()));
  std::copy(v.begin(), v.end(), dst.begin());
}

template <class T>
Rcpp::NumericVector to_r(const std::vector<T>& v) {
  return Rcpp::NumericVector(v.begin(), v.end());
}

template <class T>
void setup(nn::trainer<T>& tr, const Rcpp::List& params, const Rcpp::List& state,
           const Rcpp::List& opt_state) {
  auto ps = tr.net.params();
  auto ss = tr.net.state();
  if (static_cast<std::size_t>(params.size()) != ps.size())
    Rcpp::stop("expected %d parameter tensors, got %d", static_cast<int>(ps.size()),
               static_cast<int>(params.size()));
  if (static_cast<std::size_t>(state.size()) != ss.size())
    Rcpp::stop("expected %d state tensors, got %d", static_cast<int>(ss.size()),
               static_cast<int>(state.size()));
  for (std::size_t k = 0; k < ps.size(); ++k) fill(ps[k]->value, params[k], "a parameter tensor");
  for (std::size_t k = 0; k < ss.size(); ++k) fill(*ss[k], state[k], "a state tensor");
  tr.init_optimizer();
  if (opt_state.size() > 0) {
    Rcpp::List s1 = opt_state["s1"], s2 = opt_state["s2"];
    if (static_cast<std::size_t>(s1.size()) == ps.size() && static_cast<std::size_t>(s2.size()) == ps.size()) {
      for (std::size_t k = 0; k < ps.size(); ++k) {
        fill(tr.opt_state.s1[k], s1[k], "an optimizer state tensor");
        fill(tr.opt_state.s2[k], s2[k], "an optimizer state tensor");
      }
      tr.opt_state.t = Rcpp::as<double>(opt_state["t"]);
    }
  }
}

Rcpp::List result(const nn::epoch_result& r) {
  return Rcpp::List::create(Rcpp::Named("loss") = r.loss, Rcpp::Named("accuracy") = r.accuracy,
                            Rcpp::Named("steps") = static_cast<double>(r.steps),
                            Rcpp::Named("interrupted") = r.interrupted,
                            Rcpp::Named("step_loss") = Rcpp::wrap(r.step_loss));
}

}  // namespace

// [[Rcpp::export(rng = false)]]
SEXP nn_session_create(Rcpp::List layers, Rcpp::IntegerVector input_shape, std::string loss,
                       Rcpp::List params, Rcpp::List state, Rcpp::List optimizer,
                       Rcpp::List optimizer_state, std::string precision, int threads, double seed) {
  statlearn_host::begin();
  const auto specs = parse_spec(layers);
  const nn::shape3 in = shape_of(input_shape);
  const auto l = nn::loss_from(loss);
  const auto o = parse_optimizer(optimizer);
  const auto sd = static_cast<std::uint64_t>(seed);
  std::unique_ptr<session> s(new session());
  if (precision == "double") {
    s->d.reset(new nn::trainer<double>(specs, in, l, o, threads, sd));
    setup(*s->d, params, state, optimizer_state);
  } else {
    s->f.reset(new nn::trainer<float>(specs, in, l, o, threads, sd));
    setup(*s->f, params, state, optimizer_state);
  }
  return Rcpp::XPtr<session>(s.release(), true);
}

// A double array n x d_2 x ... x d_k (or matrix n x d_2) in the engine's
// layout, prod(d) x n (aperm(x, k:1)); attribute "max_abs": the largest
// |value|, NaN when a value is NA, NaN or infinite.
// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix nn_examples_major(Rcpp::NumericVector x) {
  Rcpp::IntegerVector d = x.attr("dim");
  const std::size_t n = static_cast<std::size_t>(d[0]);
  std::vector<std::size_t> dims;
  for (R_xlen_t a = 1; a < d.size(); ++a) dims.push_back(static_cast<std::size_t>(d[a]));
  std::size_t M = 1;
  for (std::size_t v : dims) M *= v;
  Rcpp::NumericMatrix out = Rcpp::no_init_matrix(static_cast<int>(M), static_cast<int>(n));
  const nn::layout_summary s = nn::examples_major(x.begin(), n, dims, out.begin());
  out.attr("max_abs") = s.finite ? s.max_abs : R_NaN;
  return out;
}

// Store data set `slot` (0 training, 1 validation): x is D x N in the engine's
// layout; y is 0-based class indices (cross-entropy) or an O x N matrix.
// [[Rcpp::export(rng = false)]]
void nn_session_data(SEXP ptr, int slot, Rcpp::NumericMatrix x, SEXP y) {
  session& s = get(ptr);
  dispatch(s, [&](auto& tr) {
    auto& d = tr.data[slot];
    d.D = x.nrow();
    d.N = x.ncol();
    d.x.assign(x.begin(), x.end());
    d.cls.clear();
    d.h0.clear();
    d.c0.clear();
    d.target.clear();
    if (Rf_isInteger(y)) {
      Rcpp::IntegerVector c(y);
      d.cls.assign(c.begin(), c.end());
      d.O = tr.net.output_size();
      d.S = tr.net.sequence ? tr.net.steps : 1;
      if (d.cls.size() != d.S * d.N) Rcpp::stop("expected %d class labels per example", static_cast<int>(d.S));
    } else {
      Rcpp::NumericMatrix t(y);
      d.O = t.nrow();
      d.target.assign(t.begin(), t.end());
    }
    return 0;
  });
}

// Initial states of the recurrent layers for data set `slot` (after
// nn_session_data()): one entry per layer with a state, NULL (zero) or
// list(h = U x N, c = U x N or NULL).
// [[Rcpp::export(rng = false)]]
void nn_session_initial_state(SEXP ptr, int slot, Rcpp::List initial) {
  session& s = get(ptr);
  dispatch(s, [&](auto& tr) {
    auto& d = tr.data[slot];
    const std::vector<std::size_t> sl = tr.state_layers();
    if (static_cast<std::size_t>(initial.size()) != sl.size())
      Rcpp::stop("expected %d initial states, got %d", static_cast<int>(sl.size()),
                 static_cast<int>(initial.size()));
    d.h0.assign(sl.size(), {});
    d.c0.assign(sl.size(), {});
    for (std::size_t k = 0; k < sl.size(); ++k) {
      if (Rf_isNull(initial[k])) continue;
      const Rcpp::List init = initial[k];
      const std::size_t U = tr.net.layers[sl[k]]->state_units();
      d.h0[k].resize(U * d.N);
      fill(d.h0[k], init["h"], "an initial state");
      if (tr.net.layers[sl[k]]->state_has_cell() && !Rf_isNull(init["c"])) {
        d.c0[k].resize(U * d.N);
        fill(d.c0[k], init["c"], "an initial cell state");
      }
    }
    return 0;
  });
}

// Sequence targets (network.h): `steps` targets per example, the loss per
// step and missing targets ignored. Call before nn_session_data().
// [[Rcpp::export(rng = false)]]
void nn_session_sequence(SEXP ptr, int steps) {
  session& s = get(ptr);
  dispatch(s, [&](auto& tr) {
    const std::size_t O = tr.net.output_size();
    if (steps < 1 || O % static_cast<std::size_t>(steps) != 0)
      Rcpp::stop("the output of %d values does not split into %d steps", static_cast<int>(O), steps);
    tr.net.sequence = true;
    tr.net.steps = static_cast<std::size_t>(steps);
    return 0;
  });
}

// [[Rcpp::export(rng = false)]]
Rcpp::List nn_session_epoch(SEXP ptr, int epoch, int batch_size, Rcpp::NumericVector lr, bool shuffle) {
  statlearn_host::begin();
  session& s = get(ptr);
  const std::vector<double> rates(lr.begin(), lr.end());
  return dispatch(s, [&](auto& tr) { return result(tr.train_epoch(epoch, batch_size, rates, shuffle)); });
}

// [[Rcpp::export(rng = false)]]
Rcpp::List nn_session_evaluate(SEXP ptr, int slot, int batch_size) {
  statlearn_host::begin();
  session& s = get(ptr);
  return dispatch(s, [&](auto& tr) { return result(tr.evaluate(slot, batch_size)); });
}

namespace {

// The outputs (O x N) of trainer tr for x (D x N), from the states in st (or zero).
template <class T>
Rcpp::NumericMatrix predict_matrix(nn::trainer<T>& tr, const Rcpp::NumericMatrix& x, int batch_size,
                                   bool transform, const nn::recurrent_states<T>* st) {
  const std::vector<T> xx(x.begin(), x.end());
  const std::size_t N = x.ncol(), O = tr.net.output_size();
  std::vector<T> out(O * N);
  tr.predict(xx.data(), N, batch_size, transform, out.data(), st);
  Rcpp::NumericMatrix res(O, N);
  std::copy(out.begin(), out.end(), res.begin());
  return res;
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::NumericMatrix nn_session_predict(SEXP ptr, Rcpp::NumericMatrix x, int batch_size, bool transform) {
  statlearn_host::begin();
  session& s = get(ptr);
  return dispatch(s, [&](auto& tr) {
    using T = typename std::decay_t<decltype(tr.data[0].x)>::value_type;
    return predict_matrix<T>(tr, x, batch_size, transform, nullptr);
  });
}

// Outputs (O x N) and the last states of the recurrent layers, starting from
// `initial`: one entry per layer with a state, in order, each NULL (zero) or
// a list(h = U x N, c = U x N or NULL). Returns list(output, states) with
// states a list of list(h, c) (c NULL but for LSTMs).
// [[Rcpp::export(rng = false)]]
Rcpp::List nn_session_predict_states(SEXP ptr, Rcpp::NumericMatrix x, int batch_size, bool transform,
                                     Rcpp::List initial) {
  statlearn_host::begin();
  session& s = get(ptr);
  return dispatch(s, [&](auto& tr) {
    using T = typename std::decay_t<decltype(tr.data[0].x)>::value_type;
    const std::size_t N = x.ncol();
    const std::vector<std::size_t> sl = tr.state_layers();
    if (static_cast<std::size_t>(initial.size()) != sl.size())
      Rcpp::stop("expected %d initial states, got %d", static_cast<int>(sl.size()),
                 static_cast<int>(initial.size()));
    std::vector<std::vector<T>> h0(sl.size()), c0(sl.size()), h(sl.size()), c(sl.size());
    nn::recurrent_states<T> st;
    for (std::size_t k = 0; k < sl.size(); ++k) {
      const auto& l = *tr.net.layers[sl[k]];
      const std::size_t U = l.state_units();
      const bool cell = l.state_has_cell();
      h[k].resize(U * N);
      if (cell) c[k].resize(U * N);
      st.h.push_back(h[k].data());
      st.c.push_back(cell ? c[k].data() : nullptr);
      st.h0.push_back(nullptr);
      st.c0.push_back(nullptr);
      if (Rf_isNull(initial[k])) continue;
      const Rcpp::List init = initial[k];
      h0[k].resize(U * N);
      fill(h0[k], init["h"], "an initial state");
      st.h0[k] = h0[k].data();
      if (cell && !Rf_isNull(init["c"])) {
        c0[k].resize(U * N);
        fill(c0[k], init["c"], "an initial cell state");
        st.c0[k] = c0[k].data();
      }
    }
    Rcpp::NumericMatrix res = predict_matrix(tr, x, batch_size, transform, &st);
    Rcpp::List states;
    for (std::size_t k = 0; k < sl.size(); ++k) {
      const int U = tr.net.layers[sl[k]]->state_units();
      Rcpp::NumericMatrix hk(U, static_cast<int>(N));
      std::copy(h[k].begin(), h[k].end(), hk.begin());
      SEXP ck = R_NilValue;
      if (!c[k].empty()) {
        Rcpp::NumericMatrix cm(U, static_cast<int>(N));
        std::copy(c[k].begin(), c[k].end(), cm.begin());
        ck = cm;
      }
      states.push_back(Rcpp::List::create(Rcpp::Named("h") = hk, Rcpp::Named("c") = ck));
    }
    return Rcpp::List::create(Rcpp::Named("output") = res, Rcpp::Named("states") = states);
  });
}

// Parameters, state and optimizer state as plain R vectors.
// [[Rcpp::export(rng = false)]]
Rcpp::List nn_session_export(SEXP ptr) {
  session& s = get(ptr);
  return dispatch(s, [&](auto& tr) {
    Rcpp::List params, state, s1, s2;
    for (auto* p : tr.net.params()) params.push_back(to_r(p->value));
    for (auto* v : tr.net.state()) state.push_back(to_r(*v));
    for (auto& v : tr.opt_state.s1) s1.push_back(to_r(v));
    for (auto& v : tr.opt_state.s2) s2.push_back(to_r(v));
    Rcpp::List opt = Rcpp::List::create(Rcpp::Named("t") = tr.opt_state.t, Rcpp::Named("s1") = s1,
                                        Rcpp::Named("s2") = s2);
    return Rcpp::List::create(Rcpp::Named("params") = params, Rcpp::Named("state") = state,
                              Rcpp::Named("optimizer_state") = opt);
  });
}

// Mean loss (plus penalty) over data set `slot` as one training-mode batch,
// and the gradient of every parameter tensor.
// [[Rcpp::export(rng = false)]]
Rcpp::List nn_session_gradient(SEXP ptr, int slot) {
  statlearn_host::begin();
  session& s = get(ptr);
  return dispatch(s, [&](auto& tr) {
    const double loss = tr.full_batch_loss(slot, true);
    Rcpp::List grads;
    for (auto* p : tr.net.params()) grads.push_back(to_r(p->grad));
    return Rcpp::List::create(Rcpp::Named("loss") = loss, Rcpp::Named("gradients") = grads);
  });
}

// Backpropagated and finite-difference gradients for up to `max_per_tensor`
// evenly spaced entries of every parameter tensor (1-based `index`).
// [[Rcpp::export(rng = false)]]
Rcpp::List nn_session_gradient_check(SEXP ptr, int slot, double eps, int max_per_tensor) {
  statlearn_host::begin();
  session& s = get(ptr);
  return dispatch(s, [&](auto& tr) {
    const auto samples = statlearn::nn::gradient_check(tr, slot, eps, static_cast<std::size_t>(max_per_tensor));
    Rcpp::List out;
    for (const auto& g : samples)
      out.push_back(Rcpp::List::create(Rcpp::Named("index") = g.index, Rcpp::Named("analytic") = g.analytic,
                                       Rcpp::Named("numeric") = g.numeric));
    return out;
  });
}

// Seconds for `reps` forward passes of one conv2d layer over x (D x B, the
// engine's layout), by im2col + GEMM or directly: bench/nnet.R measures which
// is faster. Internal.
// [[Rcpp::export(rng = false)]]
double nn_conv_forward_seconds(Rcpp::List layer, Rcpp::NumericMatrix x, std::string method, int reps,
                               int threads) {
  statlearn_host::begin();
  const nn::layer_spec s = parse_spec(Rcpp::List::create(layer))[0];
  nn::conv2d_layer<float> conv(s);
  for (float& v : conv.kernel.value) v = 0.01f;
  for (float& v : conv.bias.value) v = 0.1f;
  const std::size_t B = x.ncol();
  conv.reserve(B);
  const std::vector<float> xx(x.begin(), x.end());
  std::vector<float> y(conv.out.size() * B);
  const std::vector<float> wt = nn::filters_fastest(conv.kernel.value.data(), conv.g.K(), conv.g.out.c);
  nn::run_context ctx;
  ctx.threads = threads;
  double seconds = 0.0;
  statlearn::with_threads(threads, [&] {
    auto run = [&] {
      if (method == "direct") {
        nn::conv_direct(conv.g, xx.data(), wt.data(), conv.bias.value.data(), y.data(), B, threads);
      } else {
        conv.forward(xx.data(), y.data(), B, ctx);
      }
    };
    run();
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) run();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  return seconds;
}
