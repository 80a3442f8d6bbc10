# Training, prediction and checking of neural networks (Deep Learning book
# ch. 6-9; ESL 11). The network specification and its layers live in
# network-layers.R, optimizers, schedules and callbacks in
# network-optimizers.R; the engine is inst/include/statlearn/nn/network.h.

# checks -----------------------------------------------------------------------

check_trainable_network <- function(net, arg = "net") {
  check_network(net, arg)
  if (length(net$layers) == 0L) {
    abort_input(arg, "a network with at least one layer", "a network without layers",
                class = "statlearn_error_empty")
  }
  invisible(net)
}

network_output_units <- function(net) {
  s <- net$layers[[length(net$layers)]]$out_shape
  as.integer(prod(s))
}

# x as the engine's D x N matrix: a matrix n x prod(input_shape) (columns in
# row-major image order, channels fastest), or an array n x h x w (x c).
# `precision`: a single-precision engine overflows on squares beyond about
# 1e18, a double one beyond 1e152; inputs beyond that are refused here rather
# than turned into NaN predictions.
network_input <- function(x, net, arg = "x", precision = "double") {
  shape <- as.integer(net$input_shape)
  D <- prod(shape)
  if (is.data.frame(x)) x <- as.matrix(x)
  if (!(is.numeric(x) || is.logical(x)) || is.null(dim(x))) {
    abort_input(arg, sprintf("a numeric matrix with %d columns or an array n x %s", D,
                             paste(shape[shape > 1L | seq_along(shape) == 3L], collapse = " x ")),
                describe(x))
  }
  d <- dim(x)
  n <- d[1L]
  if (n == 0L) {
    abort_input(arg, "at least one example (row)", "0 rows", class = "statlearn_error_empty")
  }
  if (length(d) == 2L) {
    if (d[2L] != D) {
      abort_input(arg, sprintf("%d columns (the network's input shape %s)", D,
                               paste(shape, collapse = " x ")),
                  sprintf("%d columns", d[2L]), class = "statlearn_error_shape")
    }
  } else if (!((length(d) == 3L && shape[3L] == 1L && all(d[2:3] == shape[1:2])) ||
                 # a sequence n x T x F: features fastest, then time
                 (length(d) == 3L && shape[1L] == 1L && all(d[2:3] == shape[2:3])) ||
                 (length(d) == 4L && all(d[2:4] == shape)))) {
    abort_input(arg, sprintf("an array n x %s matching the network's input shape",
                             paste(if (shape[1L] == 1L) shape[2:3] else shape, collapse = " x ")),
                sprintf("an array %s", paste(d, collapse = " x ")), class = "statlearn_error_shape")
  }
  # the engine's layout (aperm(x, k:1)), the finiteness check and the range
  # in one pass over x
  if (!is.double(x)) storage.mode(x) <- "double"
  out <- nn_examples_major(x)
  big <- attr(out, "max_abs")
  attr(out, "max_abs") <- NULL
  if (is.nan(big)) check_finite_values(out, arg)
  if (length(net$layers) && identical(net$layers[[1L]]$type, "embedding")) {
    check_tokens(out, net$layers[[1L]], arg)
  }
  limit <- if (identical(precision, "single")) 1e18 else 1e152
  if (big > limit) {
    abort_input(arg, sprintf("inputs of magnitude at most %g for a %s-precision network (rescale them)",
                             limit, precision), sprintf("a largest |value| of %g", big),
                class = "statlearn_error_range")
  }
  dim(out) <- c(D, n)
  out
}

# The loss: the one given, or by default cross-entropy for a factor response
# and squared error otherwise.
resolve_loss <- function(loss, y) {
  if (!is.null(loss)) return(check_choice(loss, c("cross_entropy", "binary_cross_entropy", "mse"), "loss"))
  if (is.factor(y) || is.character(y)) "cross_entropy" else "mse"
}

check_optimizer <- function(optimizer) {
  if (!inherits(optimizer, "statlearn_optimizer")) {
    abort_input("optimizer", "an optimizer such as optimizer_adam()", describe(optimizer))
  }
  optimizer
}

# Targets for the engine, checked against the network's output units.
# With `net`, sequence targets (an n x T label matrix or an n x T x K array
# for an output of shape c(1, T, K)) are read by sequence_targets().
network_targets <- function(y, n, loss, units, levels = NULL, arg = "y", net = NULL) {
  if (!is.null(net)) {
    if (is_sequence_target(y, net, loss)) return(sequence_targets(y, n, loss, net, levels, arg = arg))
    check_step_softmax_targets(y, net, loss, arg)
  }
  if (is.data.frame(y)) y <- as.matrix(y)
  if (NROW(y) != n) {
    abort_input(arg, sprintf("one response per example (%d)", n), sprintf("%d", NROW(y)),
                class = "statlearn_error_length")
  }
  if (loss == "cross_entropy") {
    if (is.character(y)) y <- factor(y)
    if (!is.factor(y)) {
      abort_input(arg, "a factor of class labels for the cross-entropy loss", describe(y))
    }
    if (anyNA(y)) abort_input(arg, "class labels without NA", sprintf("%d NA", sum(is.na(y))),
                              class = "statlearn_error_nonfinite")
    if (is.null(levels)) levels <- levels(y)
    unseen <- setdiff(as.character(unique(y)), levels)
    if (length(unseen)) {
      abort_input(arg, sprintf("labels among the training classes (%s)", paste(levels, collapse = ", ")),
                  sprintf("unseen label(s) %s", paste(utils::head(unseen, 5), collapse = ", ")),
                  class = "statlearn_error_levels")
    }
    if (units != length(levels)) {
      abort_input(arg, sprintf("as many classes as the last layer has units (%d)", units),
                  sprintf("%d classes", length(levels)), class = "statlearn_error_shape")
    }
    return(list(y = match(as.character(y), levels) - 1L, levels = levels, names = NULL))
  }
  if (loss == "binary_cross_entropy" && is.factor(y)) {
    if (is.null(levels)) levels <- levels(y)
    if (length(levels) != 2L) {
      abort_input(arg, "a factor with two levels (or a 0/1 matrix) for binary cross-entropy",
                  sprintf("%d levels", length(levels)))
    }
    y <- as.numeric(as.character(y) == levels[2L])
  } else if (loss == "binary_cross_entropy") {
    levels <- NULL
  }
  if (is.logical(y)) y <- y + 0
  if (!is.numeric(y)) abort_input(arg, "a numeric response", describe(y))
  y <- as.matrix(y)
  storage.mode(y) <- "double"
  check_finite_values(y, arg)
  if (loss == "binary_cross_entropy" && (min(y) < 0 || max(y) > 1)) {
    abort_input(arg, "targets in [0, 1] for binary cross-entropy",
                sprintf("values from %g to %g", min(y), max(y)))
  }
  if (ncol(y) != units) {
    abort_input(arg, sprintf("%d column(s), one per output unit of the last layer", units),
                sprintf("%d column(s)", ncol(y)), class = "statlearn_error_shape")
  }
  list(y = t(y), levels = levels, names = colnames(y))
}

# One epoch's metrics as the verbose trace and the progress bar show them,
# each labelled with the data it was computed on.
# The progress bar (short = TRUE) must fit an 80-column console: "acc" for
# accuracy, single spaces.
format_epoch_logs <- function(logs, short = FALSE) {
  part <- function(nm, fmt) {
    if (is.null(logs[[nm]])) return(NULL)
    sprintf(paste0("%s ", fmt), if (short) sub("accuracy", "acc", nm) else nm, logs[[nm]])
  }
  paste(c(part("loss", "%.4g"), part("accuracy", "%.4f"), part("val_loss", "%.4g"),
          part("val_accuracy", "%.4f")), collapse = if (short) " " else "  ")
}

# Held-out rows of a classification response that hold a single class make
# the validation metrics meaningless; validation_split takes the last rows,
# which is what happens with data sorted by class (iris).
warn_single_class_validation <- function(t, levels, arg) {
  if (is.null(levels)) return(invisible())
  v <- setdiff(unique(as.vector(t)), -1L)  # -1: a missing sequence target
  if (length(v) != 1L) return(invisible())
  cls <- levels[v + 1L]  # targets are 0-based class indices (or 0/1 for two levels)
  how <- if (arg == "validation_split") {
    "validation_split holds out the last rows of `x`, as keras does; shuffle the rows first, e.g. i <- sample(nrow(x)); x <- x[i, ]; y <- y[i]"
  } else {
    "give held-out examples of every class"
  }
  warn(sprintf("The validation examples (%s) all belong to one class (\"%s\"), so the validation loss and accuracy do not measure classification: %s.",
               arg, cls, how), class = "statlearn_warning_validation")
}

# Run expr with R's RNG seeded by `seed`, restoring the caller's stream.
with_seed <- function(seed, expr) {
  env <- globalenv()
  had <- exists(".Random.seed", envir = env, inherits = FALSE)
  old <- if (had) get(".Random.seed", envir = env, inherits = FALSE)
  on.exit(if (had) assign(".Random.seed", old, envir = env) else
    if (exists(".Random.seed", envir = env, inherits = FALSE)) rm(".Random.seed", envir = env))
  set.seed(seed)
  expr
}


# Weights in R's layout <-> the engine's flat tensors -------------------------------

# The engine stores kernels with channels fastest, then kernel columns, then
# rows; R arrays keep (row, column, channel, filter[, out row, out col]).
tensor_perm <- function(layer, name) {
  if (name == "kernel" && layer$type == "conv2d") return(c(3L, 2L, 1L, 4L))
  if (name == "embeddings") return(c(2L, 1L))
  if (name == "kernel" && layer$type == "locally_connected2d") return(c(3L, 2L, 1L, 4L, 6L, 5L))
  if (name == "bias" && (layer$type == "locally_connected2d" || isTRUE(layer$untie_biases))) {
    return(c(3L, 2L, 1L))
  }
  NULL
}

state_names <- c("moving_mean", "moving_variance")

# Weights given by the user must have the layout of init_weights(net): one
# entry per layer, holding (for layers with parameters) the named tensors with
# their dims, finite.
check_network_weights <- function(weights, net, arg = "weights") {
  if (!is.list(weights) || length(weights) != length(net$layers)) {
    abort_input(arg, sprintf("a list with one entry per layer (%d), as fit$weights or init_weights() give",
                             length(net$layers)), describe(weights), class = "statlearn_error_shape")
  }
  for (i in seq_along(net$layers)) {
    layer <- net$layers[[i]]
    shapes <- layer_param_shapes(layer)
    w <- weights[[i]]
    where <- sprintf("%s[[%d]] (layer %s)", arg, i, layer$name)
    if (length(shapes) == 0L) next
    if (!is.list(w) || !setequal(names(w), names(shapes))) {
      abort_input(where, sprintf("a list of the tensors %s", paste(names(shapes), collapse = ", ")),
                  describe(w), class = "statlearn_error_shape")
    }
    for (nm in names(shapes)) {
      v <- w[[nm]]
      d <- if (is.null(dim(v))) length(v) else dim(v)
      if (!is.numeric(v) || !identical(as.integer(d), as.integer(shapes[[nm]]))) {
        abort_input(sprintf("%s$%s", where, nm),
                    sprintf("numbers with dims %s", paste(shapes[[nm]], collapse = " x ")),
                    if (is.numeric(v)) sprintf("dims %s", paste(d, collapse = " x ")) else describe(v),
                    class = "statlearn_error_shape")
      }
      check_finite_values(v, sprintf("%s$%s", where, nm))
    }
  }
  invisible(weights)
}

weights_to_engine <- function(net, weights) {
  params <- list()
  state <- list()
  for (i in seq_along(net$layers)) {
    layer <- net$layers[[i]]
    w <- weights[[i]]
    if (is.null(w)) next
    for (nm in names(w)) {
      p <- tensor_perm(layer, nm)
      v <- if (is.null(p)) as.vector(w[[nm]]) else as.vector(aperm(w[[nm]], p))
      if (nm %in% state_names) state[[length(state) + 1L]] <- v else params[[length(params) + 1L]] <- v
    }
  }
  list(params = params, state = state)
}

weights_from_engine <- function(net, params, state) {
  out <- vector("list", length(net$layers))
  names(out) <- vapply(net$layers, function(l) l$name, "")
  ip <- 0L
  is <- 0L
  for (i in seq_along(net$layers)) {
    layer <- net$layers[[i]]
    shapes <- layer_param_shapes(layer)
    if (length(shapes) == 0L) next
    w <- list()
    for (nm in names(shapes)) {
      dims <- shapes[[nm]]
      if (nm %in% state_names) {
        is <- is + 1L
        v <- state[[is]]
      } else {
        ip <- ip + 1L
        v <- params[[ip]]
      }
      p <- tensor_perm(layer, nm)
      w[[nm]] <- if (!is.null(p)) aperm(array(v, dims[p]), p) else if (length(dims) > 1L)
        array(v, dims) else as.vector(v)
    }
    out[i] <- list(w)
  }
  out
}

# The parameter tensors in engine order, with their layer and name.
parameter_table <- function(net) {
  rows <- list()
  for (layer in net$layers) {
    shapes <- layer_param_shapes(layer)
    for (nm in setdiff(names(shapes), state_names)) {
      rows[[length(rows) + 1L]] <- data.frame(layer = layer$name, tensor = nm,
                                              size = as.integer(prod(shapes[[nm]])))
    }
  }
  do.call(rbind, rows)
}

new_session <- function(net, loss, weights, optimizer, optimizer_state, precision, threads, seed) {
  ew <- weights_to_engine(net, weights)
  nn_session_create(net$layers, as.integer(net$input_shape), loss, ew$params, ew$state,
                    unclass(optimizer), optimizer_state %||% list(), precision, threads, seed)
}

`%||%` <- function(a, b) if (is.null(a)) b else a

#' Train a neural network
#'
#' Fits a network built with [network()] and the `layer_*()` functions by
#' mini-batch gradient descent with backpropagation (Deep Learning book,
#' sections 6.5 and 8.1-8.5), in single precision on the package's own
#' engine: matrix products by a vectorised SGEMM, convolutions by im2col, and
#' every loop parallel on TBB. Results are bit-identical for any `threads`,
#' and `seed` (or [set.seed()]) reproduces the initial weights, the shuffles
#' and the dropout masks.
#'
#' With `verbose = TRUE`, each epoch reports its training metrics (`loss`,
#' and `accuracy` for classifiers) and, when validation data are given, the
#' validation metrics (`val_loss`, `val_accuracy`), each labelled.
#'
#' The training loop returns to R after every epoch, to record the history,
#' update the progress bar and run the callbacks (early stopping, learning-rate
#' schedules, a user function). Pressing Ctrl-C (Esc) stops training cleanly
#' and returns the fit as it stood after the last finished step.
#'
#' Calling `train_network()` on a fit resumes training: the weights, the
#' optimizer's state, the epoch count and the history carry on.
#'
#' **Sequence targets.** When the network's output is a sequence of T > 1
#' steps of K values (shape `c(1, T, K)`, as from [layer_time_distributed()]
#' or a recurrent layer with `return_sequences = TRUE`), `y` may give a target
#' at every step: an n x T matrix of class labels for a per-step
#' cross-entropy (the softmax taken over the K values of each step; the
#' default loss for such a matrix), or an n x T x K array for squared error.
#' Labels are integer codes 1..K, a character matrix (its classes are
#' `attr(y, "levels")` if set, else its sorted distinct values) or a factor
#' with dims n x T. `NA` targets add nothing to the loss and nothing to the
#' gradient: the loss of a batch, the epoch's `loss` and `accuracy`, the
#' validation metrics and [evaluate()] are means over the targets present
#' (labelled steps, or non-NA entries of the array), not over examples. That
#' is how padding (see `mask_zero` of [layer_embedding()]) and the steps of
#' a sequence-to-sequence input that have no output are left out.
#' [predict()][predict.statlearn_network_fit] then returns n x T x K arrays
#' and n x T class matrices.
#'
#' @param net A network specification ([network()]) or, to resume training, a
#'   fit from `train_network()`.
#' @param x Inputs: a numeric matrix with one row per example and
#'   `prod(input_shape)` columns (images in row-major order, channels
#'   fastest), or an array `n x height x width x channels` (or
#'   `n x height x width` for one channel).
#' @param y The response: a factor of class labels (cross-entropy), or a
#'   numeric vector or matrix (squared error); with `loss =
#'   "binary_cross_entropy"`, 0/1 (or `[0, 1]`) values, one column per output,
#'   or a two-level factor. Its columns (or classes) must match the units of
#'   the last layer. For a sequence output, an n x T matrix of labels or an
#'   n x T x K array, possibly with `NA` (see Details).
#' @param loss `"cross_entropy"` (softmax fused into the loss),
#'   `"binary_cross_entropy"` (sigmoid fused), or `"mse"` (mean squared error
#'   over outputs). The default is cross-entropy for a factor `y` and squared
#'   error otherwise. Layer `l1`/`l2` penalties are added to it.
#' @param optimizer An optimizer such as [optimizer_adam()] or
#'   [optimizer_sgd()].
#' @param epochs Number of passes over the training data.
#' @param batch_size Examples per gradient step.
#' @param validation_split Fraction of the examples held out to compute
#'   `val_loss` (and `val_accuracy`) after every epoch. As in keras, they are
#'   the **last** rows of `x`, taken before any shuffling: if the rows are
#'   sorted (by class, by time), shuffle them first. A classification
#'   response whose held-out rows hold a single class gives a warning of
#'   class `statlearn_warning_validation`.
#' @param validation_data Alternatively, `list(x, y)` of held-out data (the
#'   same warning applies when its `y` holds a single class), or `list(x, y,
#'   initial_state = )` (see `initial_state`).
#' @param callbacks A callback or list of callbacks:
#'   [callback_early_stopping()], [callback_schedule()], [callback_lambda()].
#' @param shuffle Shuffle the examples before every epoch?
#' @param initial_state For networks with simple RNN, LSTM or GRU layers: the
#'   states they start from for each example, as [recurrent_state()] returns
#'   them (a list named by layer of `n x units` matrices `h`, and `c` for an
#'   LSTM), held fixed during training (no gradient flows into them); for
#'   example the final states of an encoder trained before. `NULL`: zero. With
#'   `validation_split`, the held-out rows keep theirs; with
#'   `validation_data`, give them as its element `initial_state`. Not with
#'   `stateful` layers.
#' @param precision `"single"` (float32, the fast default) or `"double"`.
#' @inheritParams statlearn-params
#' @return A fit of class `statlearn_network_fit`: a list with the
#'   specification (`network`), the weights as R arrays (`weights`, one
#'   list per layer), the `loss`, class `levels`, the `optimizer` and its
#'   state, and `history`, a data frame with one row per epoch (`loss`,
#'   `accuracy`, `val_loss`, `val_accuracy`, `lr`, `seconds`). The training
#'   `loss` is the mean over the epoch's steps (with dropout active) and, like
#'   `val_loss`, includes the layers' L1/L2 penalties. `print()` and
#'   `summary()` show the layer table of the network, then the training:
#'   epochs, optimizer, final training and validation metrics and the best
#'   epoch (`summary()` adds the last epochs of the history).
#' @references Goodfellow, I., Bengio, Y. and Courville, A. (2016) *Deep
#'   Learning*, chapters 6-9. Hastie, T., Tibshirani, R. and Friedman, J.
#'   (2009) *The Elements of Statistical Learning*, section 11.
#' @family neural networks
#' @export
#' @examples
#' # XOR with one hidden layer of tanh units
#' x <- matrix(c(0, 0, 0, 1, 1, 0, 1, 1), ncol = 2, byrow = TRUE)
#' y <- factor(c(0, 1, 1, 0))
#' net <- network(2) |>
#'   layer_dense(8, activation = "tanh") |>
#'   layer_dense(2)
#' fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = 0.05),
#'                      epochs = 200, batch_size = 4, seed = 1, threads = 1,
#'                      verbose = FALSE)
#' predict(fit, x)
#'
#' # iris is sorted by species and validation_split holds out the last rows:
#' # shuffle first, so that the validation rows hold every species.
#' set.seed(1)
#' i <- sample(nrow(iris))
#' xi <- scale(as.matrix(iris[i, 1:4]))
#' fit <- train_network(network(4) |> layer_dense(8, activation = "relu") |> layer_dense(3),
#'                      xi, iris$Species[i], optimizer = optimizer_adam(lr = 0.02),
#'                      epochs = 50, batch_size = 16, validation_split = 0.3,
#'                      seed = 1, threads = 1, verbose = FALSE)
#' fit
train_network <- function(net, x, y, loss = NULL, optimizer = NULL, epochs = 10,
                          batch_size = 32, validation_split = 0, validation_data = NULL,
                          callbacks = NULL, shuffle = TRUE, seed = NULL, threads = NULL,
                          verbose = interactive(), precision = c("single", "double"),
                          initial_state = NULL) {
  resume <- inherits(net, "statlearn_network_fit")
  fit0 <- if (resume) net else NULL
  if (resume) net <- fit0$network
  check_trainable_network(net)
  precision <- if (resume && missing(precision)) fit0$precision else
    check_choice(precision[1L], c("single", "double"), "precision")
  epochs <- check_count(epochs, "epochs")
  batch_size <- check_count(batch_size, "batch_size")
  check_number(validation_split, "validation_split", lower = 0, upper = 1, upper_open = TRUE)
  check_flag(shuffle, "shuffle")
  check_flag(verbose, "verbose")
  threads <- resolve_threads(threads)
  callbacks <- callbacks_check(callbacks)
  if (is.null(optimizer)) optimizer <- if (resume) fit0$optimizer else optimizer_adam()
  check_optimizer(optimizer)
  units <- network_output_units(net)
  if (resume) {
    if (!is.null(loss) && !identical(loss, fit0$loss)) {
      abort_input("loss", sprintf("the loss the fit was trained with (\"%s\")", fit0$loss),
                  sprintf("\"%s\"", loss))
    }
    loss <- fit0$loss
  } else {
    loss <- resolve_sequence_loss(loss, y, net)
  }
  xe <- network_input(x, net, "x")
  n <- ncol(xe)
  tg <- network_targets(y, n, loss, units, levels = if (resume) fit0$levels, arg = "y", net = net)
  if (resume) check_same_targets(fit0, tg, "y")
  init <- if (!is.null(initial_state)) check_initial_state(initial_state, net, n)
  if (!is.null(init) && any(vapply(net$layers, function(l) isTRUE(l$stateful), NA))) {
    abort_input("initial_state", "NULL for a network with stateful layers (they carry their own state)",
                "initial states", class = "statlearn_error_input")
  }

  # Held-out data.
  val <- NULL
  if (!is.null(validation_data)) {
    if (!is.list(validation_data) || !(length(validation_data) == 2L ||
        (length(validation_data) == 3L && identical(names(validation_data)[3L], "initial_state")))) {
      abort_input("validation_data", "list(x, y) or list(x, y, initial_state = )", describe(validation_data))
    }
    vx <- network_input(validation_data[[1L]], net, "validation_data$x")
    val <- list(x = vx, t = network_targets(validation_data[[2L]], ncol(vx), loss, units,
                                             levels = tg$levels, arg = "validation_data$y", net = net))
    if (!is.null(init) || !is.null(validation_data$initial_state)) {
      val$init <- check_initial_state(validation_data$initial_state, net, ncol(vx),
                                      "validation_data$initial_state")
    }
    check_same_targets(tg, val$t, "validation_data$y")
    warn_single_class_validation(val$t$y, tg$levels, "validation_data")
  } else if (validation_split > 0) {
    nv <- floor(n * validation_split)
    if (nv < 1L || nv >= n) {
      abort_input("validation_split", sprintf("a fraction leaving at least one example on each side of %d", n),
                  format(validation_split))
    }
    keep <- seq_len(n - nv)
    hold <- (n - nv + 1L):n
    val <- list(x = xe[, hold, drop = FALSE],
                t = list(y = if (is.matrix(tg$y)) tg$y[, hold, drop = FALSE] else tg$y[hold]))
    warn_single_class_validation(val$t$y, tg$levels, "validation_split")
    if (!is.null(init)) {
      cols <- function(s, j) if (!is.null(s)) lapply(s, function(m) if (!is.null(m)) m[, j, drop = FALSE])
      val$init <- lapply(init, cols, hold)
      init <- lapply(init, cols, keep)
    }
    xe <- xe[, keep, drop = FALSE]
    tg$y <- if (is.matrix(tg$y)) tg$y[, keep, drop = FALSE] else tg$y[keep]
    n <- length(keep)
  }
  check_stateful_training(net, n, batch_size, shuffle)

  # A resumed run keeps the fit's seed, so 2 + 2 epochs equal 4 epochs.
  seed <- if (resume && is.null(seed)) fit0$seed else resolve_seed(seed)
  weights <- if (resume) fit0$weights else with_seed(seed, init_weights(net))
  same_optimizer <- resume && identical(class(optimizer), class(fit0$optimizer))
  ptr <- new_session(net, loss, weights, optimizer, if (same_optimizer) fit0$optimizer_state,
                     precision, threads, seed)
  if (!is.null(tg$steps)) nn_session_sequence(ptr, tg$steps)
  nn_session_data(ptr, 0L, xe, tg$y)
  if (!is.null(init)) nn_session_initial_state(ptr, 0L, init)
  if (!is.null(val)) {
    nn_session_data(ptr, 1L, val$x, val$t$y)
    if (!is.null(val$init)) nn_session_initial_state(ptr, 1L, val$init)
  }

  classify <- loss != "mse"
  steps <- ceiling(n / min(batch_size, n))
  first <- if (resume) fit0$epochs else 0L
  schedule <- NULL
  es <- list()
  for (cb in callbacks) {
    if (inherits(cb, "statlearn_callback_schedule")) schedule <- cb$schedule
    if (inherits(cb, "statlearn_callback_early_stopping")) es[[length(es) + 1L]] <- cb
  }
  es_state <- lapply(es, early_stopping_state)
  best <- vector("list", length(es))
  history <- if (resume) fit0$history else NULL
  rows <- list()
  interrupted <- FALSE
  stopped <- FALSE
  bar <- NULL
  if (verbose && interactive()) {
    bar <- cli::cli_progress_bar("Training", total = epochs, clear = FALSE,
                                 format = "epoch {cli::pb_current}/{cli::pb_total} {cli::pb_extra$metrics} | ETA {cli::pb_eta}",
                                 extra = list(metrics = "-"), .envir = environment())
  }
  tryCatch({
    for (e in seq_len(epochs)) {
      epoch <- first + e
      lr <- schedule_rates(schedule, optimizer$lr, epoch, steps, first + epochs)
      t0 <- proc.time()[["elapsed"]]
      res <- nn_session_epoch(ptr, epoch, batch_size, lr, shuffle)
      if (isTRUE(res$interrupted)) {
        interrupted <- TRUE
        break
      }
      if (!is.finite(res$loss)) stop_divergence(epoch, lr, xe, precision, optimizer)
      logs <- list(loss = res$loss)
      if (classify) logs$accuracy <- res$accuracy
      if (!is.null(val)) {
        v <- nn_session_evaluate(ptr, 1L, max(256L, batch_size))
        logs$val_loss <- v$loss
        if (classify) logs$val_accuracy <- v$accuracy
      }
      rows[[length(rows) + 1L]] <- c(epoch, logs$loss, if (classify) logs$accuracy else NA_real_,
                                     logs$val_loss %||% NA_real_, logs$val_accuracy %||% NA_real_,
                                     lr[length(lr)], proc.time()[["elapsed"]] - t0)
      if (!is.null(bar)) {
        cli::cli_progress_update(id = bar, extra = list(metrics = format_epoch_logs(logs, short = TRUE)))
      } else if (verbose) {
        message(sprintf("epoch %d/%d  %s", epoch, first + epochs, format_epoch_logs(logs)))
      }
      for (k in seq_along(es)) {
        st <- early_stopping_step(es[[k]], es_state[[k]], epoch, logs)
        es_state[[k]] <- st$state
        if (isTRUE(st$improved) && isTRUE(es[[k]]$restore_best_weights)) {
          best[[k]] <- nn_session_export(ptr)
        }
        if (isTRUE(st$stop)) stopped <- TRUE
      }
      for (cb in callbacks) {
        if (inherits(cb, "statlearn_callback_lambda") && identical(cb$on_epoch_end(epoch, logs), FALSE)) {
          stopped <- TRUE
        }
      }
      if (stopped) break
    }
  }, interrupt = function(cond) interrupted <<- TRUE)
  if (!is.null(bar)) cli::cli_progress_done(id = bar)
  if (interrupted) {
    warn(sprintf("training interrupted after %d complete epoch(s); the fit holds the weights reached so far",
                 length(rows)), class = "statlearn_warning_interrupted")
  }
  state <- nn_session_export(ptr)
  final <- state
  restored <- NA_integer_
  for (k in seq_along(es)) {
    if (!is.null(best[[k]]) && isTRUE(es[[k]]$restore_best_weights)) {
      final$params <- best[[k]]$params
      final$state <- best[[k]]$state
      restored <- es_state[[k]]$best_epoch
    }
  }
  cols <- c("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds")
  new_rows <- as.data.frame(matrix(unlist(rows), ncol = length(cols), byrow = TRUE,
                                   dimnames = list(NULL, cols)))
  new_rows$epoch <- as.integer(new_rows$epoch)
  history <- rbind(history, new_rows)
  rownames(history) <- NULL
  structure(
    list(network = net,
         weights = weights_from_engine(net, final$params, final$state),
         loss = loss, levels = tg$levels, response_names = tg$names,
         optimizer = optimizer, optimizer_state = state$optimizer_state,
         history = history, epochs = first + length(rows), best_epoch = restored,
         interrupted = interrupted, precision = precision, seed = seed,
         batch_size = batch_size, call = match.call(),
         sequence = if (!is.null(tg$steps)) list(steps = tg$steps, labels = tg$labels)),
    class = c("statlearn_network_fit", "statlearn_model")
  )
}

# A fit holding given weights (R layout), untrained: for tests and for
# setting weights by hand.
as_network_fit <- function(net, weights, loss = "mse", levels = NULL, precision = "single") {
  structure(
    list(network = net, weights = weights, loss = loss, levels = levels, response_names = NULL,
         optimizer = optimizer_sgd(), optimizer_state = NULL, history = NULL, epochs = 0L,
         best_epoch = NA_integer_, interrupted = FALSE, precision = precision, seed = 1L,
         batch_size = 32L, call = NULL),
    class = c("statlearn_network_fit", "statlearn_model")
  )
}

# Raw outputs (O x N) of a fit for engine-layout inputs.
network_outputs <- function(object, xe, transform, batch_size, threads) {
  ptr <- new_session(object$network, object$loss, object$weights, object$optimizer, NULL,
                     object$precision, threads, 0)
  if (!is.null(object$sequence)) nn_session_sequence(ptr, object$sequence$steps)
  nn_session_predict(ptr, xe, batch_size, transform)
}

#' Predict with a trained neural network
#'
#' @param object A fit from [train_network()].
#' @param newdata Inputs shaped as `x` was for [train_network()].
#' @param type `"class"` (a factor with the training levels; the default for
#'   classification with a factor response), `"prob"` (class probabilities: the
#'   softmax or sigmoid the loss fuses; the default for binary cross-entropy
#'   with 0/1 targets), or `"response"` (the network's raw output: logits for
#'   classification, predictions for regression, the default there).
#' @param batch_size Examples per forward pass.
#' @param initial_state For networks with recurrent layers: the states they
#'   start from, as [recurrent_state()] returns them (`NULL`: zero).
#' @inheritParams statlearn-params
#' @return A factor, a probability matrix (one column per class), or a
#'   numeric vector (one output) or matrix. A fit trained with sequence
#'   targets (see [train_network()]) gives an n x T x K array for `"prob"`
#'   (the softmax of each step) and `"response"`, and for `"class"` an n x T
#'   matrix of the most probable class at each step: integer codes if the
#'   labels were integer codes, else the labels (a character matrix).
#' @family neural networks
#' @export
#' @examples
#' x <- scale(as.matrix(iris[, 1:4]))
#' net <- network(4) |> layer_dense(8, activation = "relu") |> layer_dense(3)
#' fit <- train_network(net, x, iris$Species, optimizer = optimizer_adam(lr = 0.02),
#'                      epochs = 50, batch_size = 16, seed = 1, threads = 1,
#'                      verbose = FALSE)
#' table(predict(fit, x), iris$Species)
#' head(predict(fit, x, type = "prob"))
predict.statlearn_network_fit <- function(object, newdata, type = NULL, batch_size = 256L,
                                          threads = NULL, initial_state = NULL, ...) {
  check_dots(..., fun = "predict")
  if (missing(newdata)) {
    abort_input("newdata", "the inputs to predict for", "nothing")
  }
  classify <- !is.null(object$levels) || object$loss != "mse"
  type <- if (is.null(type)) {
    if (!is.null(object$levels)) "class" else if (object$loss == "binary_cross_entropy") "prob" else "response"
  } else
    check_choice(type, c("class", "prob", "response"), "type")
  if (type != "response" && object$loss == "mse") {
    abort_input("type", "\"response\" for a regression network", sprintf("\"%s\"", type))
  }
  batch_size <- check_count(batch_size, "batch_size")
  xe <- network_input(newdata, object$network, "newdata", object$precision)
  out <- if (is.null(initial_state)) {
    network_outputs(object, xe, type != "response", batch_size, resolve_threads(threads))
  } else {
    initial <- check_initial_state(initial_state, object$network, ncol(xe))
    network_outputs_states(object, xe, type != "response", batch_size, resolve_threads(threads),
                           initial)$output
  }
  out <- t(out)
  rn <- if (is.matrix(newdata) || is.data.frame(newdata)) rownames(newdata) else NULL
  if (!is.null(object$sequence)) return(sequence_predictions(object, out, type, rn))
  if (type == "class" && !is.null(object$levels)) {
    idx <- if (object$loss == "cross_entropy") max.col(out, ties.method = "first") else
      1L + (out[, 1L] > 0.5)
    res <- factor(object$levels[idx], levels = object$levels)
    names(res) <- rn
    return(res)
  }
  if (type == "class") {  # binary cross-entropy with 0/1 targets
    out <- (out > 0.5) + 0L
  }
  if (object$loss == "cross_entropy") colnames(out) <- object$levels
  else if (!is.null(object$levels) && ncol(out) == 1L) colnames(out) <- object$levels[2L]
  else colnames(out) <- object$response_names
  rownames(out) <- rn
  if (ncol(out) == 1L && classify && type == "prob" && object$loss == "binary_cross_entropy" &&
      !is.null(object$levels)) {
    return(stats::setNames(out[, 1L], rn))
  }
  if (ncol(out) == 1L && !classify) return(stats::setNames(out[, 1L], rn))
  out
}

#' Evaluate a model on data
#'
#' @param object A fitted model.
#' @param x,y Inputs and responses, shaped as for fitting.
#' @param ... Further arguments for methods.
#' @return A named numeric vector: the loss (including any weight penalty) and,
#'   for classification, the accuracy. With sequence targets (see
#'   [train_network()]) both are means over the non-NA targets.
#' @family neural networks
#' @export
evaluate <- function(object, x, y, ...) UseMethod("evaluate")

#' @rdname evaluate
#' @export
evaluate.default <- function(object, x, y, ...) {
  check_dots(..., fun = "evaluate")
  abort_input("object", "a fit from train_network()", describe(object), class = "statlearn_error_type")
}

#' @rdname evaluate
#' @param batch_size Examples per forward pass.
#' @param initial_state For networks with recurrent layers: the states they
#'   start from, as [recurrent_state()] returns them (`NULL`: zero).
#' @inheritParams statlearn-params
#' @export
#' @examples
#' # Standardised iris, two thirds for training and one third to evaluate.
#' set.seed(1)
#' x <- scale(as.matrix(iris[, 1:4]))
#' test <- sample(150, 50)
#' net <- network(4) |> layer_dense(3)
#' fit <- train_network(net, x[-test, ], iris$Species[-test],
#'                      optimizer = optimizer_adam(lr = 0.05), epochs = 50,
#'                      batch_size = 16, seed = 1, threads = 1, verbose = FALSE)
#' evaluate(fit, x[test, ], iris$Species[test])  # accuracy near 0.95
evaluate.statlearn_network_fit <- function(object, x, y, batch_size = 256L, threads = NULL,
                                           initial_state = NULL, ...) {
  check_dots(..., fun = "evaluate")
  batch_size <- check_count(batch_size, "batch_size")
  xe <- network_input(x, object$network, "x", object$precision)
  init <- if (!is.null(initial_state)) check_initial_state(initial_state, object$network, ncol(xe))
  tg <- network_targets(y, ncol(xe), object$loss, network_output_units(object$network),
                        levels = object$levels, arg = "y", net = object$network)
  check_same_targets(object, tg, "y")
  ptr <- new_session(object$network, object$loss, object$weights, object$optimizer, NULL,
                     object$precision, resolve_threads(threads), 0)
  if (!is.null(tg$steps)) nn_session_sequence(ptr, tg$steps)
  nn_session_data(ptr, 1L, xe, tg$y)
  if (!is.null(init)) nn_session_initial_state(ptr, 1L, init)
  r <- nn_session_evaluate(ptr, 1L, batch_size)
  if (object$loss == "mse") c(loss = r$loss) else c(loss = r$loss, accuracy = r$accuracy)
}

# The training part of a fit's print and summary: epochs and optimizer, the
# final training and validation metrics in one labelled table, the best epoch.
training_lines <- function(x) {
  h <- x$history
  if (is.null(h) || nrow(h) == 0L) {
    return("Not trained: weights set by hand (no history).")
  }
  lines <- sprintf("Training: %d epoch%s of %s (lr %g), %s loss, batches of %d", x$epochs,
                   if (x$epochs == 1L) "" else "s", x$optimizer$type, x$optimizer$lr, x$loss,
                   x$batch_size %||% NA_integer_)
  last <- h[nrow(h), ]
  classify <- !all(is.na(h$accuracy))
  has_val <- !all(is.na(h$val_loss))
  tab <- data.frame(loss = last$loss, row.names = "training")
  if (classify) tab$accuracy <- last$accuracy
  if (has_val) {
    tab <- rbind(tab, validation = c(last$val_loss, if (classify) last$val_accuracy))
  }
  tab$loss <- formatC(tab$loss, digits = 4, format = "g")
  if (classify) tab$accuracy <- formatC(as.numeric(tab$accuracy), digits = 4, format = "f")
  lines <- c(lines, sprintf("Final metrics (epoch %d):", last$epoch),
             utils::capture.output(print(tab, right = TRUE)))
  if (!has_val) lines <- c(lines, "No validation data (use validation_split or validation_data).")
  crit <- if (has_val) h$val_loss else h$loss
  best <- h$epoch[which.min(crit)]
  what <- if (has_val) "lowest validation loss" else "lowest training loss"
  kept <- if (!is.na(x$best_epoch)) {
    sprintf("weights restored from epoch %d by early stopping", x$best_epoch)
  } else {
    "weights from the final epoch"
  }
  lines <- c(lines, sprintf("Best epoch: %d (%s); %s", best, what, kept))
  if (isTRUE(x$interrupted)) lines <- c(lines, "Training was interrupted.")
  lines
}

#' @export
print.statlearn_network_fit <- function(x, ...) {
  writeLines(c(network_table_lines(summary(x$network)), "", training_lines(x)))
  invisible(x)
}

#' @export
summary.statlearn_network_fit <- function(object, ...) {
  check_dots(..., fun = "summary")
  structure(list(layers = summary(object$network), history = object$history, loss = object$loss,
                 optimizer = object$optimizer, epochs = object$epochs,
                 best_epoch = object$best_epoch, interrupted = object$interrupted,
                 batch_size = object$batch_size),
            class = "summary.statlearn_network_fit")
}

#' @export
print.summary.statlearn_network_fit <- function(x, ...) {
  writeLines(c(network_table_lines(x$layers), "", training_lines(x)))
  h <- x$history
  if (!is.null(h) && nrow(h)) {
    keep <- vapply(h, function(v) !all(is.na(v)), TRUE)
    cat("\nLast epochs:\n")
    print(utils::tail(h[, keep, drop = FALSE], 5), row.names = FALSE, digits = 4)
  }
  invisible(x)
}

#' @export
coef.statlearn_network_fit <- function(object, ...) object$weights

#' Plot the learning curves of a neural network
#'
#' Training (and validation) loss by epoch, and accuracy for classifiers.
#' @param x A fit from [train_network()].
#' @param y Unused.
#' @param ... Passed to [graphics::plot()].
#' @return `x`, invisibly.
#' @family neural networks
#' @export
#' @examples
#' # iris is sorted by species: shuffle it, or the rows that validation_split
#' # holds out (the last ones) would all be virginica.
#' set.seed(1)
#' i <- sample(nrow(iris))
#' x <- scale(as.matrix(iris[i, 1:4]))
#' net <- network(4) |> layer_dense(8, activation = "relu") |> layer_dense(3)
#' fit <- train_network(net, x, iris$Species[i], optimizer = optimizer_adam(lr = 0.02),
#'                      epochs = 60, batch_size = 16, validation_split = 0.3,
#'                      seed = 1, threads = 1, verbose = FALSE)
#' plot(fit)
plot.statlearn_network_fit <- function(x, y, ...) {
  h <- x$history
  if (is.null(h) || nrow(h) == 0L) return(invisible(x))
  acc <- !all(is.na(h$accuracy))
  if (acc) {
    op <- graphics::par(mfrow = c(1L, 2L))
    on.exit(graphics::par(op))
  }
  curves <- function(a, b, what, where) {
    rng <- range(c(a, b), na.rm = TRUE)
    graphics::plot(h$epoch, a, type = "l", ylim = rng, xlab = "epoch", ylab = what, col = 1, ...)
    if (!all(is.na(b))) {
      graphics::lines(h$epoch, b, col = 2, lty = 2)
      graphics::legend(where, c("training", "validation"), col = 1:2, lty = 1:2, bty = "n")
    }
  }
  curves(h$loss, h$val_loss, "loss", "topright")
  if (acc) curves(h$accuracy, h$val_accuracy, "accuracy", "bottomright")
  invisible(x)
}

# Training whose loss became NaN or Inf stops with a classed error that names
# the likely causes, rather than going on to NaN weights.
stop_divergence <- function(epoch, lr, xe, precision, optimizer) {
  scale <- max(abs(range(xe)))
  causes <- c(
    sprintf("a learning rate too large for this problem (lr = %g; try one 10 times smaller, or lr_finder())",
            max(lr)),
    if (scale > 1e3) sprintf("inputs on a large scale (the largest |x| is %.3g; standardise them)", scale),
    if (precision == "single") 'the range of single precision (precision = "double" trains in float64)',
    if ((optimizer$weight_decay %||% 0) > 0) sprintf("a large weight decay (%g)", optimizer$weight_decay)
  )
  abort(sprintf("The training loss became %s in epoch %d, so the weights are no longer numbers. Likely causes: %s.",
                "non-finite (NaN or Inf)", epoch, paste(causes, collapse = "; ")),
        class = "statlearn_error_divergence")
}

#' Check backpropagation against finite differences
#'
#' Compares the gradient that backpropagation computes for every parameter
#' tensor with five-point central differences of the loss,
#' \eqn{(8(L(w + h) - L(w - h)) - (L(w + 2h) - L(w - 2h))) / 12h}{(8(L(w + h) -
#' L(w - h)) - (L(w + 2h) - L(w - 2h))) / 12h}, whose error is of order
#' \eqn{h^4} (Deep Learning book, section 6.5), for the whole of `x` as one batch in
#' training mode (the same dropout masks and batch-norm batch statistics for
#' every evaluation).
#'
#' The relative error of an entry is \eqn{|a - n| / \max(|a|, |n|, \tau)}{|a -
#' n| / max(|a|, |n|, tau)}, where `a` is backpropagation's value, `n` the
#' finite difference, and the floor \eqn{\tau}{tau} (reported as `floor`) is
#' 1% of the tensor's largest gradient entry, but at least 1e-4 of the
#' network's largest: entries far smaller than the rest, and tensors whose
#' true gradient is zero (a bias followed by batch normalisation), are judged
#' on the scale of the network's gradients rather than on rounding noise.
#' The differences are always taken in double precision, where they are
#' accurate to about 1e-10; `precision` chooses which engine's
#' backpropagation is checked against them. The double engine agrees to about
#' 1e-8; the single-precision engine, which training uses, to about 1e-5
#' (float32 rounding of the gradient sums). A kink of relu, max pooling or an
#' L1 penalty within `2 * eps` of an entry spoils any finite difference: the
#' check takes the differences again with step `eps / 4`, counts the entries
#' where the two disagree (column `kinks`) and leaves them out of
#' `max_rel_error` (NA when every checked entry of a tensor is at a kink).
#'
#' @param net A network specification or a fit.
#' @param x,y,loss Data and loss as for [train_network()].
#' @param weights Weights in the layout of `fit$weights`; by default the fit's,
#'   or fresh initial weights drawn with `seed`.
#' @param precision Which engine's backpropagation to check: `"double"`
#'   (float64) or `"single"` (float32, the one training uses).
#' @param eps Step \eqn{h} of the finite differences.
#' @param max_per_tensor Largest number of entries checked per tensor (evenly
#'   spaced).
#' @inheritParams statlearn-params
#' @return A data frame with one row per parameter tensor: `layer`, `tensor`,
#'   `size`, `checked`, `max_abs_error` (over all checked entries), `floor`,
#'   `kinks` and `max_rel_error`.
#' @family neural networks
#' @export
#' @examples
#' net <- network(3) |> layer_dense(4, activation = "tanh") |> layer_dense(2)
#' x <- matrix(rnorm(30), 10)
#' gradient_check(net, x, factor(rep(c("a", "b"), 5)), seed = 1, threads = 1)
gradient_check <- function(net, x, y, loss = NULL, weights = NULL,
                           precision = c("double", "single"), eps = 1e-4,
                           max_per_tensor = 20L, seed = NULL, threads = NULL) {
  precision <- check_choice(precision[1L], c("double", "single"), "precision")
  fit <- if (inherits(net, "statlearn_network_fit")) net else NULL
  if (!is.null(fit)) {
    net <- fit$network
    loss <- fit$loss
  }
  check_trainable_network(net)
  loss <- resolve_sequence_loss(loss, y, net)
  check_number(eps, "eps", lower = 0, upper = 1, lower_open = TRUE)
  max_per_tensor <- check_count(max_per_tensor, "max_per_tensor")
  seed <- resolve_seed(seed)
  if (is.null(weights)) {
    weights <- if (!is.null(fit)) fit$weights else with_seed(seed, init_weights(net))
  } else {
    check_network_weights(weights, net)
  }
  xe <- network_input(x, net, "x")
  tg <- network_targets(y, ncol(xe), loss, network_output_units(net),
                        levels = if (!is.null(fit)) fit$levels, arg = "y", net = net)
  threads <- resolve_threads(threads)
  ptr <- new_session(net, loss, weights, optimizer_sgd(), NULL, "double", threads, seed)
  if (!is.null(tg$steps)) nn_session_sequence(ptr, tg$steps)
  nn_session_data(ptr, 0L, xe, tg$y)
  chk <- nn_session_gradient_check(ptr, 0L, eps, max_per_tensor)
  # The same differences with a quarter of the step: where the loss is smooth
  # the two agree to O(eps^4); where they do not, a kink (relu at zero, a tie
  # in max pooling, an L1 penalty at zero) lies within 2 eps of the entry, and
  # no finite difference can check it. Such entries are counted, not judged.
  chk_q <- nn_session_gradient_check(ptr, 0L, eps / 4, max_per_tensor)
  if (precision == "single") {
    # The float32 engine's backpropagation against float64 differences.
    p32 <- new_session(net, loss, weights, optimizer_sgd(), NULL, "single", threads, seed)
    if (!is.null(tg$steps)) nn_session_sequence(p32, tg$steps)
    nn_session_data(p32, 0L, xe, tg$y)
    g32 <- nn_session_gradient(p32, 0L)$gradients
    for (k in seq_along(chk)) chk[[k]]$analytic <- g32[[k]][chk[[k]]$index]
  }
  tab <- parameter_table(net)
  tab$checked <- vapply(chk, function(r) length(r$index), 1L)
  tab$max_abs_error <- vapply(chk, function(r) max(abs(r$analytic - r$numeric)), 1)
  # The floor of the relative error: 1% of the tensor's largest gradient, but
  # at least 1e-4 of the network's largest (so that a tensor whose true
  # gradient is zero, such as a bias before batch normalisation, is judged on
  # the scale of the others, not on rounding noise) and at least 1e-12.
  top <- vapply(chk, function(r) max(abs(r$analytic), abs(r$numeric)), 1)
  tab$floor <- pmax(0.01 * top, 1e-4 * max(top), 1e-12)
  kink <- lapply(seq_along(chk), function(k) {
    n1 <- chk[[k]]$numeric; n2 <- chk_q[[k]]$numeric
    abs(n1 - n2) > 1e-4 * pmax(abs(n1), abs(n2), tab$floor[k])
  })
  tab$kinks <- vapply(kink, sum, 1L)
  tab$max_rel_error <- vapply(seq_along(chk), function(k) {
    r <- chk[[k]]
    ok <- !kink[[k]]
    if (!any(ok)) return(NA_real_)
    max(abs(r$analytic[ok] - r$numeric[ok]) /
          pmax(abs(r$analytic[ok]), abs(r$numeric[ok]), tab$floor[k]))
  }, 1)
  tab
}

#' Learning-rate range test
#'
#' Smith's range test: trains a copy of the network for `steps` mini-batch
#' steps while the learning rate grows geometrically from `min_lr` to
#' `max_lr`, recording the loss of each step. A good learning rate lies where
#' the (smoothed) loss falls fastest, somewhat below the rate at which it is
#' lowest. The suggestion returned is that steepest-descent point, measured
#' over windows of a tenth of the steps (single steps are dominated by
#' mini-batch noise): the middle, on the log scale, of the window before the
#' minimum over which the smoothed loss falls most per unit of log rate.
#'
#' @inheritParams train_network
#' @param min_lr,max_lr Range of learning rates.
#' @param steps Number of optimizer steps.
#' @return A data frame of class `statlearn_lr_finder` with columns `lr`,
#'   `loss` and `smoothed` (exponentially smoothed, bias-corrected loss; NA
#'   once the loss diverges), and
#'   attribute `suggested`; it has `print` and `plot` methods.
#' @family neural networks
#' @references Smith, L. N. (2017) Cyclical learning rates for training neural
#'   networks. *IEEE WACV*, 464-472.
#' @export
#' @examples
#' x <- scale(as.matrix(iris[, 1:4]))
#' net <- network(4) |> layer_dense(8, activation = "relu") |> layer_dense(3)
#' lrf <- lr_finder(net, x, iris$Species, steps = 100, batch_size = 16,
#'                  seed = 1, threads = 1)
#' lrf
#' plot(lrf)
#' # train at the suggested rate
#' fit <- train_network(net, x, iris$Species,
#'                      optimizer = optimizer_sgd(lr = attr(lrf, "suggested"), momentum = 0.9),
#'                      epochs = 30, batch_size = 16, seed = 1, threads = 1, verbose = FALSE)
#' evaluate(fit, x, iris$Species)
lr_finder <- function(net, x, y, loss = NULL, optimizer = optimizer_sgd(momentum = 0.9),
                      min_lr = 1e-6, max_lr = 1, steps = 100L, batch_size = 32L,
                      seed = NULL, threads = NULL) {
  check_trainable_network(net)
  check_number(min_lr, "min_lr", lower = 0, upper = Inf, lower_open = TRUE, upper_open = TRUE)
  check_number(max_lr, "max_lr", lower = min_lr, upper = Inf, lower_open = TRUE, upper_open = TRUE)
  steps <- check_count(steps, "steps", lower = 2)
  batch_size <- check_count(batch_size, "batch_size")
  check_optimizer(optimizer)
  loss <- resolve_sequence_loss(loss, y, net)
  xe <- network_input(x, net, "x")
  tg <- network_targets(y, ncol(xe), loss, network_output_units(net), arg = "y", net = net)
  seed <- resolve_seed(seed)
  weights <- with_seed(seed, init_weights(net))
  ptr <- new_session(net, loss, weights, optimizer, NULL, "single", resolve_threads(threads), seed)
  if (!is.null(tg$steps)) nn_session_sequence(ptr, tg$steps)
  nn_session_data(ptr, 0L, xe, tg$y)
  lrs <- exp(seq(log(min_lr), log(max_lr), length.out = steps))
  per <- ceiling(ncol(xe) / min(batch_size, ncol(xe)))
  losses <- numeric(0)
  epoch <- 0L
  while (length(losses) < steps) {
    epoch <- epoch + 1L
    idx <- length(losses) + seq_len(per)
    r <- nn_session_epoch(ptr, epoch, batch_size, lrs[pmin(idx, steps)], TRUE)
    losses <- c(losses, r$step_loss)
    if (isTRUE(r$interrupted) || !all(is.finite(r$step_loss)) ||
        min(r$step_loss) > 4 * min(losses)) break
  }
  losses <- losses[seq_len(min(steps, length(losses)))]
  k <- length(losses)
  sm <- numeric(k)
  avg <- 0
  for (i in seq_len(k)) {
    avg <- 0.9 * avg + 0.1 * losses[i]
    sm[i] <- avg / (1 - 0.9^i)
  }
  sm[!is.finite(sm)] <- NA
  # The step-to-step slope of the smoothed loss is mostly batch-to-batch
  # noise (it put the suggestion among the first, useless rates): measure the
  # descent over windows of a tenth of the run instead, per unit of log rate,
  # before the minimum, and suggest the middle of the steepest window.
  lim <- which.min(sm)
  w <- max(3L, k %/% 10L)
  sug <- if (lim > w + 1L) {
    i <- seq_len(lim - w)
    slope <- (sm[i + w] - sm[i]) / (log(lrs[i + w]) - log(lrs[i]))
    b <- which.min(slope)
    exp((log(lrs[b]) + log(lrs[b + w])) / 2)
  } else {
    lrs[max(1L, lim %/% 2L)]
  }
  structure(data.frame(lr = lrs[seq_len(k)], loss = losses, smoothed = sm),
            suggested = sug, class = c("statlearn_lr_finder", "data.frame"))
}

#' @export
print.statlearn_lr_finder <- function(x, ...) {
  cat(sprintf("Learning-rate range test: %d steps from %.3g to %.3g\n", nrow(x), x$lr[1L],
              x$lr[nrow(x)]))
  cat(sprintf("Lowest smoothed loss %.4g at lr = %.3g; suggested lr (steepest descent) = %.3g\n",
              min(x$smoothed, na.rm = TRUE), x$lr[which.min(x$smoothed)], attr(x, "suggested")))
  invisible(x)
}

#' @export
plot.statlearn_lr_finder <- function(x, y, ...) {
  # Diverged steps would stretch the axis: show up to four times the first loss.
  top <- min(max(x$smoothed, na.rm = TRUE), 4 * x$smoothed[1L])
  lo <- min(x$smoothed, na.rm = TRUE)
  graphics::plot(x$lr, x$smoothed, log = "x", type = "l", xlab = "learning rate",
                 ylab = "loss (smoothed)", ylim = c(lo, top), ...)
  graphics::points(x$lr, x$loss, pch = ".", col = "grey40")
  graphics::abline(v = attr(x, "suggested"), lty = 2, col = 2)
  invisible(x)
}
