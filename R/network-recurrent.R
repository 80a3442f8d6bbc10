# Recurrent layers of the network engine (Deep Learning book ch. 10): simple
# RNN, LSTM, GRU, the bidirectional wrapper and masking. The engine is
# inst/include/statlearn/nn/recurrent.h; network() takes a sequence shape
# c(T, F) and network_input() an n x T x F array (network-layers.R,
# network-train.R).

nn_recurrent_types <- c("simple_rnn", "lstm", "gru")
nn_recurrent_gates <- c(simple_rnn = 1L, lstm = 4L, gru = 3L)
nn_rnn_activations <- c("tanh", "relu", "sigmoid", "identity")

# The layer before `net`'s next one that decides whether its output is a
# sequence (shape-keeping layers are skipped); NULL for the network input.
sequence_source <- function(net) {
  for (layer in rev(net$layers)) {
    if (layer$type %in% c(nn_shape_keeping_types, "masking")) next
    return(layer)
  }
  NULL
}

# A recurrent layer needs a sequence c(1, T, F): not an image, and not a flat
# vector (network(p), layer_dense(), layer_flatten(), or a recurrent layer
# that returns only its last state).
check_sequence_input <- function(net, in_shape, what) {
  fix <- "start the network with network(c(T, F)) for sequences of T steps of F features"
  if (in_shape[1L] != 1L) {
    abort_input("net", sprintf("a sequence (time steps x features) as input of %s: %s", what, fix),
                sprintf("an image %s", paste(in_shape, collapse = " x ")),
                class = "statlearn_error_shape")
  }
  if (in_shape[2L] > 1L) return(invisible())
  source <- sequence_source(net)
  # network(c(1, F)): a sequence of one step (marked, as its shape is a flat one's).
  if (is.null(source) && isTRUE(attr(net$input_shape, "sequence"))) return(invisible())
  from <- if (is.null(source)) {
    "the network input"
  } else if (source$type %in% c(nn_recurrent_types, "bidirectional")) {
    sprintf("layer %s (return_sequences = FALSE; set it to TRUE to stack recurrent layers)", source$name)
  } else {
    sprintf("layer %s", source$name)
  }
  if (!is.null(source) && isTRUE(source$return_sequences)) return(invisible())
  if (is.null(source) || source$type %in% c(nn_flat_types, nn_recurrent_types, "bidirectional")) {
    abort_input("net", sprintf("a sequence (time steps x features) as input of %s: %s", what, fix),
                sprintf("a flat input of %d features from %s", in_shape[3L], from),
                class = "statlearn_error_shape")
  }
  invisible()
}

recurrent_fields <- function(net, start, type, units, activation, return_sequences, dropout,
                             recurrent_dropout, stateful = FALSE, what = sprintf("layer_%s()", type)) {
  with_layer(start$name, {
    check_sequence_input(net, start$in_shape, what)
    fields <- list(units = check_count(units, "units"))
    if (type == "simple_rnn") fields$activation <- check_choice(activation, nn_rnn_activations, "activation")
    fields$return_sequences <- check_flag(return_sequences, "return_sequences")
    fields$dropout <- check_rate(dropout, "dropout")
    fields$recurrent_dropout <- check_rate(recurrent_dropout, "recurrent_dropout")
    if (check_flag(stateful, "stateful")) fields$stateful <- TRUE
    fields
  })
}

recurrent_out_shape <- function(in_shape, units, return_sequences) {
  c(1L, if (return_sequences) in_shape[2L] else 1L, units)
}

#' Recurrent layers: simple RNN, LSTM and GRU
#'
#' Add a recurrent layer to a network whose input is a sequence of `T` time
#' steps of `F` features (`network(c(T, F))`, a layer with
#' `return_sequences = TRUE`, [layer_masking()] or an embedding). The layer
#' reads the steps in order, updating a state of `units` numbers, and returns
#' either the last state (shape `units`) or, with `return_sequences = TRUE`,
#' the state after every step (shape `T x units`), which another recurrent
#' layer can read (stacking).
#'
#' The equations and the weight layout are PyTorch's (`torch.nn.RNN`, `LSTM`,
#' `GRU`), with the weight matrices stored transposed as keras stores them,
#' for input \eqn{x_t}, state \eqn{h_{t-1}} and \eqn{\sigma} the logistic
#' function:
#' \itemize{
#'   \item simple RNN: \eqn{h_t = g(W^T x_t + U^T h_{t-1} + b)} with the
#'     activation \eqn{g}.
#'   \item LSTM (Hochreiter and Schmidhuber 1997), gates in the order input,
#'     forget, cell, output: \eqn{i, f, o = \sigma(\cdot)}, \eqn{\tilde c =
#'     \tanh(\cdot)} of \eqn{W^T x_t + U^T h_{t-1} + b}; \eqn{c_t = f c_{t-1}
#'     + i \tilde c}, \eqn{h_t = o \tanh(c_t)}.
#'   \item GRU (Cho et al. 2014), gates reset, update, new: \eqn{r, z =
#'     \sigma(W^T x_t + b + U^T h_{t-1} + b_h)}, \eqn{n = \tanh(W_n^T x_t +
#'     b_n + r (U_n^T h_{t-1} + b_{hn}))}, \eqn{h_t = (1 - z) n + z h_{t-1}}
#'     (the reset gate multiplies the recurrent product, as in PyTorch and
#'     keras' `reset_after = TRUE`).
#' }
#' The parameters, in `fit$weights`, are `kernel` (\eqn{F \times G u}, the
#' transpose of PyTorch's `weight_ih`), `recurrent_kernel` (\eqn{u \times G
#' u}, the transpose of `weight_hh`) and `bias` (\eqn{G u}), with \eqn{G} = 1,
#' 4 or 3 blocks of \eqn{u} = `units` columns in the gate order above; the GRU
#' has a second bias `recurrent_bias` (PyTorch's `bias_hh`). The LSTM and the
#' simple RNN have one bias (PyTorch's `bias_ih + bias_hh`), so an LSTM has
#' \eqn{4(Fu + u^2 + u)} parameters, as in keras, and a GRU \eqn{3(Fu + u^2 +
#' 2u)} (keras with `reset_after = TRUE`). Initial weights follow keras:
#' kernel Glorot uniform, recurrent kernel orthogonal, bias zero except the
#' LSTM forget gate's bias, 1 (keras' `unit_forget_bias`). The initial state
#' is zero, unless given (see below).
#'
#' Gradients are computed by back-propagation through time over the whole
#' sequence (Deep Learning book 10.2.2); clip them with the `clip_norm` or
#' `clip_value` of any optimizer (10.11.1). With a mask ([layer_masking()]),
#' masked steps leave the state unchanged and output zeros, so the last state
#' is each example's state at its last unmasked step.
#'
#' Dropout, as in keras, is variational (Gal and Ghahramani 2016): during
#' training each example of a mini-batch step draws one mask \eqn{m_x} of its
#' \eqn{F} input features (`dropout`) and one mask \eqn{m_h} of the `units`
#' state entries (`recurrent_dropout`), each entry 0 with probability equal to
#' the rate and \eqn{1 / (1 - rate)} otherwise, and the same masks serve every
#' time step and every gate: the equations above read \eqn{x_t \odot m_x} in
#' place of \eqn{x_t}, and \eqn{h_{t-1} \odot m_h} in place of \eqn{h_{t-1}}
#' in the recurrent product \eqn{U^T h_{t-1}} only (the GRU's \eqn{z h_{t-1}}
#' and the LSTM's cell \eqn{c_{t-1}} are not masked). Prediction uses no
#' masks. The masks come from the fit's seed, the layer, the optimizer step
#' and the example's position in the batch, so a fit is reproducible with
#' `set.seed()` and the same for any number of threads.
#'
#' Initial and final states. [recurrent_state()] returns each layer's state
#' after the last step (keras' `return_state`), and [train_network()],
#' `predict()`, `evaluate()` and [recurrent_state()] take `initial_state`,
#' the states to start from (fixed: no gradient flows into them), so a long
#' sequence can be run window by window, or the final state of a trained
#' encoder start a decoder trained after it (two fits: the sequential engine
#' has no graph through which one loss could train both). A `stateful = TRUE` layer carries its
#' state across the training steps of [train_network()]: example \eqn{j} of a
#' mini-batch starts from the state example \eqn{j} of the previous
#' mini-batch ended with (keras' `stateful`), every epoch starting from zero.
#' With the windows of long sequences laid out so that row \eqn{j} of batch
#' \eqn{b + 1} continues row \eqn{j} of batch \eqn{b} (and `shuffle =
#' FALSE`), this is truncated back-propagation through time (Williams and
#' Peng 1990; Deep Learning book 10.2.2): the state flows forward across
#' windows, the gradient stops at the window's first step, and the weights
#' are updated after every window. [truncated_bptt_windows()] lays the data
#' out so.
#'
#' In the engine, the input projection of all steps is one matrix product,
#' and each step's recurrent product and gate activations run fused, in
#' parallel over the mini-batch (the same results for any number of threads).
#'
#' @inheritParams layer_dense
#' @param units Size of the state (number of units), a positive whole number.
#' @param activation The simple RNN's activation: `"tanh"`, `"relu"`,
#'   `"sigmoid"` or `"identity"`.
#' @param return_sequences Return the state after every step (`TRUE`, shape
#'   `T x units`) or only after the last (`FALSE`, shape `units`)?
#' @param dropout Fraction of the input features dropped in training, in
#'   \eqn{[0, 1)}: one mask per example, shared by all time steps and gates
#'   (see Details).
#' @param recurrent_dropout Fraction of the state's units dropped in training
#'   before the recurrent product, in \eqn{[0, 1)}: one mask per example,
#'   shared by all time steps and gates.
#' @param stateful Carry the state from one training mini-batch to the next
#'   (truncated back-propagation through time; see Details)? Needs
#'   `shuffle = FALSE` and a number of examples that `batch_size` divides in
#'   [train_network()].
#' @return The network with the layer appended.
#' @references Goodfellow, I., Bengio, Y. and Courville, A. (2016). *Deep
#'   Learning*. MIT Press, chapter 10 (10.2 recurrent networks and BPTT,
#'   10.3 bidirectional RNNs, 10.10 LSTM and GRU, 10.11.1 clipping).
#'
#'   Gal, Y. and Ghahramani, Z. (2016). A theoretically grounded application
#'   of dropout in recurrent neural networks. *NeurIPS* 29, 1019-1027.
#'
#'   Hochreiter, S. and Schmidhuber, J. (1997). Long short-term memory.
#'   *Neural Computation* 9(8), 1735-1780.
#'
#'   Cho, K., van Merrienboer, B., Gulcehre, C., Bahdanau, D., Bougares, F.,
#'   Schwenk, H. and Bengio, Y. (2014). Learning phrase representations using
#'   RNN encoder-decoder for statistical machine translation. *EMNLP*,
#'   1724-1734.
#'
#'   Williams, R. J. and Peng, J. (1990). An efficient gradient-based
#'   algorithm for on-line training of recurrent network trajectories.
#'   *Neural Computation* 2(4), 490-501.
#' @family neural networks
#' @export
#' @examples
#' # Sequences of 10 steps of 2 features: stacked LSTMs, then a dense output.
#' net <- network(c(10, 2)) |>
#'   layer_lstm(16, return_sequences = TRUE) |>
#'   layer_gru(8) |>
#'   layer_dense(1)
#' net  # the LSTM has 4 * (2 * 16 + 16 * 16 + 16) = 1216 parameters
#'
#' # Learn the sum of a sequence of 5 numbers.
#' set.seed(1)
#' x <- array(runif(400 * 5), c(400, 5, 1))
#' y <- apply(x, 1, sum)
#' fit <- train_network(network(c(5, 1)) |> layer_simple_rnn(8) |> layer_dense(1),
#'                      x, y, optimizer = optimizer_adam(lr = 0.01), epochs = 30,
#'                      batch_size = 32, seed = 1, threads = 1, verbose = FALSE)
#' mean((predict(fit, x) - y)^2)
layer_lstm <- function(net, units, return_sequences = FALSE, dropout = 0, recurrent_dropout = 0,
                       stateful = FALSE, name = NULL) {
  start <- begin_layer(net, "lstm", name)
  fields <- recurrent_fields(net, start, "lstm", units, NULL, return_sequences, dropout, recurrent_dropout,
                             stateful)
  add_layer(net, start, recurrent_out_shape(start$in_shape, fields$units, fields$return_sequences),
            fields)
}

#' @rdname layer_lstm
#' @export
layer_gru <- function(net, units, return_sequences = FALSE, dropout = 0, recurrent_dropout = 0,
                      stateful = FALSE, name = NULL) {
  start <- begin_layer(net, "gru", name)
  fields <- recurrent_fields(net, start, "gru", units, NULL, return_sequences, dropout, recurrent_dropout,
                             stateful)
  add_layer(net, start, recurrent_out_shape(start$in_shape, fields$units, fields$return_sequences),
            fields)
}

#' @rdname layer_lstm
#' @export
layer_simple_rnn <- function(net, units, activation = "tanh", return_sequences = FALSE, dropout = 0,
                             recurrent_dropout = 0, stateful = FALSE, name = NULL) {
  start <- begin_layer(net, "simple_rnn", name)
  fields <- recurrent_fields(net, start, "simple_rnn", units, activation, return_sequences, dropout,
                             recurrent_dropout, stateful)
  add_layer(net, start, recurrent_out_shape(start$in_shape, fields$units, fields$return_sequences),
            fields)
}

#' Bidirectional recurrent layer
#'
#' Runs two recurrent layers of the same kind over the sequence, one reading
#' it forwards and one backwards (Deep Learning book 10.3), and merges their
#' outputs at each step (or their last states): `merge = "concat"` puts the
#' forward layer's `units` features first, then the backward layer's (so
#' `2 * units` features), `merge = "sum"` adds them. With
#' `return_sequences = FALSE` the backward layer's output is its state after
#' reading the first step, as in keras. The parameters are the forward
#' layer's (`forward_kernel`, `forward_recurrent_kernel`, `forward_bias`, ...)
#' and the backward layer's (`backward_...`), laid out as in [layer_lstm()].
#' `dropout` and `recurrent_dropout` apply to both directions as in
#' [layer_lstm()], each direction drawing its own masks.
#'
#' @inheritParams layer_lstm
#' @param layer The recurrent layer to run in both directions: `"lstm"`,
#'   `"gru"` or `"simple_rnn"`.
#' @param merge How the two directions are combined: `"concat"` or `"sum"`.
#' @param activation The activation of a `"simple_rnn"` (ignored otherwise).
#' @return The network with the layer appended.
#' @references Goodfellow, Bengio and Courville (2016), section 10.3.
#'
#'   Schuster, M. and Paliwal, K. K. (1997). Bidirectional recurrent neural
#'   networks. *IEEE Transactions on Signal Processing* 45(11), 2673-2681.
#' @family neural networks
#' @export
#' @examples
#' network(c(12, 3)) |>
#'   layer_bidirectional("gru", 8, return_sequences = TRUE) |>
#'   layer_bidirectional("lstm", 4, merge = "sum") |>
#'   layer_dense(2)
layer_bidirectional <- function(net, layer, units, merge = "concat", return_sequences = FALSE,
                                activation = "tanh", dropout = 0, recurrent_dropout = 0, name = NULL) {
  start <- begin_layer(net, "bidirectional", name)
  fields <- with_layer(start$name, {
    layer <- check_choice(layer, nn_recurrent_types, "layer")
    inner <- recurrent_fields(net, start, layer, units, activation, return_sequences, dropout,
                              recurrent_dropout, what = "layer_bidirectional()")
    c(list(layer = layer), inner, list(merge = check_choice(merge, c("concat", "sum"), "merge")))
  })
  width <- if (fields$merge == "concat") 2L * fields$units else fields$units
  add_layer(net, start, recurrent_out_shape(start$in_shape, width, fields$return_sequences), fields)
}

#' Masking layer
#'
#' Marks the time steps of each example whose features all equal
#' `mask_value` as padding: the recurrent layers that follow skip them
#' (their state carries over unchanged and their output is zero), so
#' sequences of different lengths can be padded to a common length `T`. The
#' layer outputs its input with the masked steps set to zero. The mask passes
#' through layers that keep the time axis (dropout, recurrent layers with
#' `return_sequences = TRUE`) and ends at the first layer that does not.
#'
#' @inheritParams layer_dense
#' @param mask_value The value that marks a padded step (in every feature).
#' @return The network with the layer appended.
#' @references Goodfellow, Bengio and Courville (2016), chapter 10.
#' @family neural networks
#' @export
#' @examples
#' # Sequences of 1 to 6 steps, padded with zeros at the end.
#' set.seed(1)
#' len <- sample(1:6, 200, replace = TRUE)
#' x <- array(0, c(200, 6, 1))
#' for (i in 1:200) x[i, seq_len(len[i]), 1] <- runif(len[i], 0.1, 1)
#' y <- apply(x, 1, sum)
#' net <- network(c(6, 1)) |> layer_masking() |> layer_gru(8) |> layer_dense(1)
#' fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = 0.01), epochs = 20,
#'                      seed = 1, threads = 1, verbose = FALSE)
#' mean((predict(fit, x) - y)^2)
layer_masking <- function(net, mask_value = 0, name = NULL) {
  start <- begin_layer(net, "masking", name)
  fields <- with_layer(start$name, {
    check_sequence_input(net, start$in_shape, "layer_masking()")
    list(mask_value = check_number(mask_value, "mask_value"))
  })
  add_layer(net, start, start$in_shape, fields)
}

# Parameter dims of a recurrent layer, in the engine's order.
recurrent_param_shapes <- function(layer) {
  cell <- if (layer$type == "bidirectional") layer$layer else layer$type
  G <- nn_recurrent_gates[[cell]]
  u <- as.double(layer$units)
  f <- as.double(layer$in_shape[3L])
  one <- list(kernel = c(f, G * u), recurrent_kernel = c(u, G * u), bias = G * u)
  if (cell == "gru") one$recurrent_bias <- G * u
  if (layer$type != "bidirectional") return(one)
  c(stats::setNames(one, paste0("forward_", names(one))),
    stats::setNames(one, paste0("backward_", names(one))))
}

# keras' orthogonal initializer for a rows x cols matrix: orthonormal columns
# (rows >= cols) or rows, from the QR decomposition of a Gaussian matrix with
# the signs of R's diagonal taken out.
draw_orthogonal <- function(rows, cols) {
  a <- matrix(stats::rnorm(rows * cols), max(rows, cols), min(rows, cols))
  dec <- qr(a)
  q <- qr.Q(dec)
  s <- sign(diag(qr.R(dec)))
  s[s == 0] <- 1
  q <- q * rep(s, each = nrow(q))
  if (rows < cols) q <- t(q)
  matrix(q, rows, cols)
}

# Initial weights of a recurrent layer (R's RNG): kernel glorot_uniform,
# recurrent kernel orthogonal, biases zero but the LSTM forget gate's 1.
init_recurrent_weights <- function(layer, shapes) {
  cell <- if (layer$type == "bidirectional") layer$layer else layer$type
  u <- layer$units
  w <- vector("list", length(shapes))
  names(w) <- names(shapes)
  for (nm in names(shapes)) {
    d <- shapes[[nm]]
    w[[nm]] <- switch(sub("^(forward|backward)_", "", nm),
      kernel = draw_kernel(d, "glorot_uniform"),
      recurrent_kernel = draw_orthogonal(d[1L], d[2L]),
      bias = {
        b <- numeric(d)
        if (cell == "lstm") b[u + seq_len(u)] <- 1
        b
      },
      numeric(d))
  }
  w
}

# ---- initial and final states ----------------------------------------------

# The layers of `net` with a state that can be given and returned (simple
# RNN, LSTM, GRU; not bidirectional), in order.
state_layers <- function(net) {
  Filter(function(l) l$type %in% nn_recurrent_types, net$layers)
}

check_state_matrix <- function(m, n, units, arg) {
  if (is.data.frame(m)) m <- as.matrix(m)
  if (!is.numeric(m) || !is.matrix(m)) {
    abort_input(arg, sprintf("a numeric %d x %d matrix (examples x units)", n, units), describe(m),
                class = "statlearn_error_type")
  }
  if (nrow(m) != n || ncol(m) != units) {
    abort_input(arg, sprintf("a %d x %d matrix (examples x units)", n, units),
                sprintf("a %d x %d matrix", nrow(m), ncol(m)), class = "statlearn_error_shape")
  }
  check_finite_values(m, arg)
  storage.mode(m) <- "double"
  m
}

# `initial_state` for `n` examples: NULL, or a list named by recurrent layers
# of list(h = n x units, c = n x units (LSTM, optional)) or of h alone.
# Returns one entry per state layer for the engine: NULL or list(h, c) in its
# units x n layout.
check_initial_state <- function(initial_state, net, n, arg = "initial_state") {
  layers <- state_layers(net)
  if (is.null(initial_state)) return(vector("list", length(layers)))
  if (!length(layers)) {
    abort_input(arg, "NULL: the network has no simple RNN, LSTM or GRU layer (a bidirectional layer takes no initial state)",
                describe(initial_state), class = "statlearn_error_input")
  }
  known <- vapply(layers, `[[`, "", "name")
  nm <- names(initial_state)
  if (!is.list(initial_state) || is.data.frame(initial_state) || is.null(nm) || !all(nzchar(nm)) ||
      anyDuplicated(nm)) {
    abort_input(arg, sprintf("a list named by recurrent layer (%s), as recurrent_state() returns",
                             paste(sprintf("\"%s\"", known), collapse = ", ")),
                describe(initial_state), class = "statlearn_error_type")
  }
  unknown <- setdiff(nm, known)
  if (length(unknown)) {
    abort_input(arg, sprintf("states of the recurrent layers %s", paste(sprintf("\"%s\"", known), collapse = ", ")),
                sprintf("a state for %s", paste(sprintf("\"%s\"", unknown), collapse = ", ")),
                class = "statlearn_error_input")
  }
  lapply(layers, function(l) {
    s <- initial_state[[l$name]]
    if (is.null(s)) return(NULL)
    where <- sprintf("%s$%s", arg, l$name)
    if (!is.list(s)) s <- list(h = s)
    extra <- setdiff(names(s), if (l$type == "lstm") c("h", "c") else "h")
    if (is.null(s$h) || length(extra)) {
      abort_input(where, if (l$type == "lstm") "list(h = , c = ) (c optional)" else "a matrix or list(h = )",
                  describe(s), class = "statlearn_error_type")
    }
    h <- check_state_matrix(s$h, n, l$units, paste0(where, "$h"))
    c <- if (!is.null(s$c)) check_state_matrix(s$c, n, l$units, paste0(where, "$c"))
    list(h = t(h), c = if (!is.null(c)) t(c))
  })
}

# Outputs (O x N) and states (engine layout) of a fit for engine-layout inputs.
network_outputs_states <- function(object, xe, transform, batch_size, threads, initial) {
  ptr <- new_session(object$network, object$loss, object$weights, object$optimizer, NULL,
                     object$precision, threads, 0)
  if (!is.null(object$sequence)) nn_session_sequence(ptr, object$sequence$steps)
  nn_session_predict_states(ptr, xe, batch_size, transform, initial)
}

#' States of the recurrent layers after a sequence
#'
#' Runs a trained network over `newdata` and returns, for every simple RNN,
#' LSTM and GRU layer, its state after the last step (keras'
#' `return_state`): `h`, and for an LSTM also the cell `c`, each an
#' `n x units` matrix. With masked steps, the state is the one after each
#' example's last unmasked step. The result is what `initial_state` takes,
#' here and in [predict()][predict.statlearn_network_fit], so that a long
#' sequence can be processed window by window, carrying the state, or the
#' state an encoder ends with can start a decoder.
#'
#' @param object A fit from [train_network()].
#' @param newdata Inputs shaped as `x` was for [train_network()].
#' @param initial_state The states to start from: `NULL` (zero), or a list
#'   named by recurrent layer, each element a matrix `h` (`n x units`) or
#'   `list(h = , c = )` (the LSTM's cell `c` is zero when left out), as this
#'   function returns. Layers left out start from zero.
#' @param batch_size Examples per forward pass.
#' @inheritParams statlearn-params
#' @return A list named by recurrent layer, each element `list(h = )` or,
#'   for an LSTM, `list(h = , c = )`, with `n x units` matrices. A
#'   bidirectional layer has no entry.
#' @family neural networks
#' @export
#' @examples
#' set.seed(1)
#' x <- array(rnorm(40 * 6), c(40, 6, 1))
#' net <- network(c(6, 1)) |> layer_lstm(4, name = "enc") |> layer_dense(1)
#' fit <- train_network(net, x, rowSums(x), epochs = 2, seed = 1, threads = 1,
#'                      verbose = FALSE)
#' s <- recurrent_state(fit, x)  # list(enc = list(h = 40 x 4, c = 40 x 4))
#' str(s)
#' # The next 6 steps of the same sequences, continuing from that state:
#' x2 <- array(rnorm(40 * 6), c(40, 6, 1))
#' head(predict(fit, x2, initial_state = s))
recurrent_state <- function(object, newdata, initial_state = NULL, batch_size = 256L, threads = NULL) {
  if (!inherits(object, "statlearn_network_fit")) {
    abort_input("object", "a fit from train_network()", describe(object), class = "statlearn_error_type")
  }
  layers <- state_layers(object$network)
  if (!length(layers)) {
    abort_input("object", "a network with a simple RNN, LSTM or GRU layer",
                "a network without one (bidirectional layers report no state)",
                class = "statlearn_error_input")
  }
  if (missing(newdata)) abort_input("newdata", "the inputs to run", "nothing")
  batch_size <- check_count(batch_size, "batch_size")
  xe <- network_input(newdata, object$network, "newdata", object$precision)
  initial <- check_initial_state(initial_state, object$network, ncol(xe))
  res <- network_outputs_states(object, xe, FALSE, batch_size, resolve_threads(threads), initial)
  out <- lapply(res$states, function(s) {
    r <- list(h = t(s$h))
    if (!is.null(s$c)) r$c <- t(s$c)
    r
  })
  stats::setNames(out, vapply(layers, `[[`, "", "name"))
}

#' Windows for truncated back-propagation through time
#'
#' Cuts one long sequence into `batch_size` consecutive streams and each
#' stream into windows of `steps` time steps, ordered so that row \eqn{j} of
#' every mini-batch of `batch_size` rows continues row \eqn{j} of the
#' previous one. Trained with `shuffle = FALSE` and the same `batch_size`, a
#' network with `stateful = TRUE` recurrent layers ([layer_lstm()]) then
#' carries each stream's state from window to window while its gradients
#' stop at the window's start: truncated back-propagation through time.
#'
#' @param x The sequence: a vector (one feature, or integer tokens for
#'   [layer_embedding()]) or a matrix with one row per time step.
#' @param y Optional targets aligned with `x`: a vector or a matrix with one
#'   row per time step (for example the next token, `c(x[-1], NA)`). A
#'   vector gives an `n x steps` matrix, which [train_network()] reads as
#'   class labels; for squared error give a one-column matrix, which gives
#'   the `n x steps x 1` array it expects.
#' @param steps Time steps per window, a whole number of at least 1.
#' @param batch_size Streams, the mini-batch size to train with.
#' @return A list: `x`, an `n x steps` matrix (vector input) or `n x steps x
#'   F` array, `y` likewise (when given), where `n = batch_size * windows`
#'   with `windows = floor(length / (batch_size * steps))`; the time steps
#'   beyond `batch_size * windows * steps` are dropped. Row `(w - 1) *
#'   batch_size + j` is window `w` of stream `j`.
#' @family neural networks
#' @export
#' @examples
#' w <- truncated_bptt_windows(1:24, steps = 3, batch_size = 2)
#' w$x  # rows 1, 3, 5, 7: stream 1 (1:12); rows 2, 4, 6, 8: stream 2 (13:24)
truncated_bptt_windows <- function(x, y = NULL, steps, batch_size) {
  steps <- check_count(steps, "steps")
  batch_size <- check_count(batch_size, "batch_size")
  by_step <- function(v, arg) {
    if (is.data.frame(v)) v <- as.matrix(v)
    if (!(is.numeric(v) || is.logical(v)) || (!is.null(dim(v)) && length(dim(v)) != 2L)) {
      abort_input(arg, "a numeric vector or a matrix with one row per time step", describe(v),
                  class = "statlearn_error_type")
    }
    if (is.matrix(v)) v else matrix(v, ncol = 1L)
  }
  xm <- by_step(x, "x")
  len <- nrow(xm)
  windows <- len %/% (batch_size * steps)
  if (windows < 1L) {
    abort_input("x", sprintf("at least batch_size * steps = %d time steps", batch_size * steps),
                sprintf("%d", len), class = "statlearn_error_shape")
  }
  ym <- NULL
  if (!is.null(y)) {
    ym <- by_step(y, "y")
    if (nrow(ym) != len) {
      abort_input("y", sprintf("%d time steps, as `x` has", len), sprintf("%d", nrow(ym)),
                  class = "statlearn_error_shape")
    }
  }
  stream_len <- windows * steps
  arrange <- function(m, vec) {
    p <- ncol(m)
    # time index of row (w - 1) * B + j, step s: (j - 1) * stream_len + (w - 1) * steps + s
    j <- rep(seq_len(batch_size), times = windows)
    w <- rep(seq_len(windows), each = batch_size)
    start <- (j - 1L) * stream_len + (w - 1L) * steps
    idx <- outer(start, seq_len(steps), `+`)  # n x steps
    if (vec) return(matrix(m[idx, 1L], nrow(idx), steps))
    array(m[as.vector(idx), , drop = FALSE], c(nrow(idx), steps, p))
  }
  out <- list(x = arrange(xm, is.null(dim(x))))
  if (!is.null(ym)) out$y <- arrange(ym, is.null(dim(y)))
  out
}

# A network with stateful recurrent layers trains on mini-batches whose row j
# continues row j of the previous one: unshuffled, all of one size.
check_stateful_training <- function(net, n, batch_size, shuffle) {
  stateful <- Filter(function(l) isTRUE(l$stateful), net$layers)
  if (!length(stateful)) return(invisible())
  which <- sprintf("a network with stateful layers (%s)",
                   paste(vapply(stateful, `[[`, "", "name"), collapse = ", "))
  if (shuffle) {
    abort_input("shuffle", sprintf("FALSE for %s, whose mini-batches continue each other row by row", which),
                "TRUE", class = "statlearn_error_input")
  }
  if (n %% batch_size != 0) {
    abort_input("batch_size", sprintf("a divisor of the %d training examples for %s", n, which),
                format(batch_size), class = "statlearn_error_input")
  }
  invisible()
}
