# Sequence plumbing of the neural-network engine (Deep Learning book ch. 10;
# issue 16): token embeddings, a dense layer applied at every time step,
# sequence targets with per-step losses, and sampling from a trained
# sequence model. The engine's side is inst/include/statlearn/nn/sequence.h
# and the sequence loss in network.h.
#
# A sequence of T steps of F features has shape c(1, T, F); a token input is
# network(T), an n x T matrix of tokens 1..V (0 = padding).

# layers ------------------------------------------------------------------------

#' Embedding layer
#'
#' Maps each token of a sequence to a learned vector: the input is
#' `network(T)`, an n x T matrix of tokens (whole numbers from 1 to
#' `input_dim`), and the output, of shape `c(1, T, output_dim)`, holds at step
#' t row \eqn{x_t} of the `input_dim` x `output_dim` table of embeddings (the
#' weights `embeddings` of the fit). It is the same as multiplying a one-hot
#' coding of the tokens by the table, without making the one-hot matrix. The
#' embedding must be the first layer.
#'
#' With `mask_zero = TRUE`, token 0 stands for padding: such steps get a zero
#' vector (and no gradient), so sequences of different lengths can be padded
#' to T steps; a token matrix may then hold 0. Without it every token must be
#' in `1:input_dim`. Anything else (a fraction, a token above `input_dim`, a
#' negative number, `NA`) is refused with an error of class
#' `statlearn_error_tokens` by [train_network()], [predict()][predict.statlearn_network_fit]
#' and [evaluate()].
#'
#' The table starts uniform on \eqn{(-0.05, 0.05)}, as in keras. Its gradient
#' is a sum over the steps that used each token, added in a fixed order, so
#' training gives the same numbers for any number of threads.
#'
#' @inheritParams layer_dense
#' @param input_dim The number of distinct tokens V (the vocabulary size).
#' @param output_dim The length E of each token's vector.
#' @param mask_zero Is token 0 padding (a masked step)?
#' @param l1,l2 Non-negative weights of L1 and L2 penalties on the
#'   embeddings.
#' @return The network with the layer appended; its output shape is
#'   `c(1, T, output_dim)`.
#' @references Goodfellow, Bengio and Courville (2016), sections 12.4.2 (word
#'   embeddings) and 10.2.
#' @family neural networks
#' @export
#' @examples
#' # Sequences of 10 tokens from a vocabulary of 30, embedded in 8 dimensions,
#' # with a 4-class prediction at every step.
#' network(10) |>
#'   layer_embedding(input_dim = 30, output_dim = 8) |>
#'   layer_time_distributed(4, activation = "softmax")
layer_embedding <- function(net, input_dim, output_dim, mask_zero = FALSE, l1 = 0, l2 = 0,
                            name = NULL) {
  start <- begin_layer(net, "embedding", name)
  fields <- with_layer(start$name, {
    if (length(net$layers) > 0L || any(net$input_shape[1:2] != 1L)) {
      abort_input("net", "a network(T) with no layers yet: an embedding is the first layer, reading an n x T matrix of tokens",
                  if (length(net$layers) > 0L) sprintf("a network with %d layer(s)", length(net$layers)) else
                    sprintf("a network with input shape %s", paste(net$input_shape, collapse = " x ")),
                  class = "statlearn_error_shape")
    }
    list(input_dim = check_count(input_dim, "input_dim"),
         output_dim = check_count(output_dim, "output_dim"),
         mask_zero = check_flag(mask_zero, "mask_zero"),
         l1 = check_nonnegative(l1, "l1"), l2 = check_nonnegative(l2, "l2"))
  })
  add_layer(net, start, c(1L, start$in_shape[3L], fields$output_dim), fields)
}

#' Time-distributed dense layer
#'
#' Applies one dense layer ([layer_dense()]) with the same weights at every
#' step of a sequence: an input of shape `c(1, T, F)` becomes `c(1, T, units)`
#' with \eqn{h_t = g(W^T x_t + b)}. A softmax activation is a softmax over the
#' `units` values of each step, the output layer of a model that predicts a
#' class at every step (a language model, a tagger, a sequence-to-sequence
#' decoder); train it with an n x T matrix of class labels (see
#' [train_network()]). All steps of all examples are computed as one matrix
#' product.
#'
#' @inheritParams layer_dense
#' @inherit layer_dense details
#' @return The network with the layer appended; its output shape is
#'   `c(1, T, units)`.
#' @references Goodfellow, Bengio and Courville (2016), section 10.2 (output
#'   at every time step, Figure 10.3).
#' @family neural networks
#' @export
#' @examples
#' network(12) |>
#'   layer_embedding(input_dim = 20, output_dim = 6) |>
#'   layer_time_distributed(16, activation = "relu") |>
#'   layer_time_distributed(20, activation = "softmax")
layer_time_distributed <- function(net, units, activation = "identity", use_bias = TRUE, l1 = 0,
                                   l2 = 0, kernel_initializer = "auto", alpha = NULL, name = NULL) {
  start <- begin_layer(net, "time_distributed", name)
  fields <- with_layer(start$name, {
    if (start$in_shape[1L] != 1L) {
      abort_input("net", "a sequence (shape c(1, T, F), from network(c(T, F)), layer_embedding() or a recurrent layer with return_sequences = TRUE) before layer_time_distributed()",
                  sprintf("an image of shape %s", paste(start$in_shape, collapse = " x ")),
                  class = "statlearn_error_shape")
    }
    c(list(units = check_count(units, "units")),
      weight_fields(activation, alpha, use_bias, l1, l2, kernel_initializer))
  })
  add_layer(net, start, c(1L, start$in_shape[2L], fields$units), fields)
}

# tokens ------------------------------------------------------------------------

# Token inputs (engine layout, T x n) of a network whose first layer is an
# embedding: whole numbers in 1..V, or 0..V with mask_zero.
check_tokens <- function(xe, layer, arg) {
  lo <- if (isTRUE(layer$mask_zero)) 0 else 1
  V <- layer$input_dim
  what <- sprintf("tokens: whole numbers from %d to %d (the embedding's input_dim)%s", lo, V,
                  if (lo == 0) ", 0 for padding" else ", or 0 for padding with mask_zero = TRUE")
  frac <- xe != round(xe)
  if (any(frac)) {
    k <- which(frac)[1L]
    abort_input(arg, what, sprintf("%d non-whole value(s), the first %g", sum(frac), xe[k]),
                class = c("statlearn_error_tokens", "statlearn_error_type"))
  }
  bad <- xe < lo | xe > V
  if (any(bad)) {
    k <- which(bad)[1L]
    abort_input(arg, what, sprintf("%d value(s) outside that range, the first %g (example %d, step %d)",
                                   sum(bad), xe[k], (k - 1L) %/% nrow(xe) + 1L, (k - 1L) %% nrow(xe) + 1L),
                class = c("statlearn_error_tokens", "statlearn_error_range"))
  }
  invisible(xe)
}

# sequence targets ----------------------------------------------------------------

# The output of a network as c(T, K) when it is a sequence of T > 1 steps
# (shape c(1, T, K)), else NULL.
sequence_output <- function(net) {
  s <- net$layers[[length(net$layers)]]$out_shape
  if (s[1L] == 1L && s[2L] > 1L) c(s[2L], s[3L]) else NULL
}

# Is y a sequence target for this output: an n x T matrix of class labels, or
# (squared error) an n x T x K array?
is_sequence_target <- function(y, net, loss = NULL) {
  tk <- sequence_output(net)
  if (is.null(tk) || is.data.frame(y)) return(FALSE)
  d <- dim(y)
  if (length(d) == 3L) return(is.null(loss) || loss == "mse")
  length(d) == 2L && d[2L] == tk[1L] && (is.null(loss) || loss == "cross_entropy") &&
    (is.numeric(y) || is.character(y) || is.factor(y) || is.logical(y) && all(is.na(y)))
}

# The default loss for sequence targets: cross-entropy for a label matrix,
# squared error for an array.
resolve_sequence_loss <- function(loss, y, net) {
  if (!is.null(loss) || !is_sequence_target(y, net)) return(resolve_loss(loss, y))
  if (length(dim(y)) == 3L) "mse" else "cross_entropy"
}

# Targets for the engine from sequence targets: list(y, levels, names, steps,
# labels) with y a T x n integer matrix of 0-based classes (-1 = NA) for
# cross-entropy, or a (T * K) x n matrix with NaN for NA (squared error).
# `labels` records how classes were given ("integer" codes or "character"
# labels) for predict(type = "class").
sequence_targets <- function(y, n, loss, net, levels = NULL, labels = NULL, arg = "y") {
  tk <- sequence_output(net)
  steps <- tk[1L]
  K <- tk[2L]
  d <- dim(y)
  if (d[1L] != n) {
    abort_input(arg, sprintf("one row of targets per example (%d)", n), sprintf("%d rows", d[1L]),
                class = "statlearn_error_length")
  }
  if (loss == "mse") {
    if (length(d) != 3L || d[2L] != steps || d[3L] != K) {
      abort_input(arg, sprintf("an array n x %d x %d of targets (the network's output %d x %d)",
                               steps, K, steps, K),
                  sprintf("%s %s", if (length(d) == 3L) "an array" else "a matrix", paste(d, collapse = " x ")),
                  class = "statlearn_error_shape")
    }
    if (!(is.numeric(y) || is.logical(y))) abort_input(arg, "a numeric array", describe(y))
    v <- as.double(y)
    if (any(is.infinite(v) | (is.nan(v) & !is.na(v)))) {
      abort_input(arg, "finite numbers or NA (missing targets)", "Inf or NaN",
                  class = "statlearn_error_nonfinite")
    }
    if (all(is.na(v))) {
      abort_input(arg, "at least one target that is not NA", "only NA", class = "statlearn_error_empty")
    }
    out <- aperm(array(v, d), c(3L, 2L, 1L))
    dim(out) <- c(steps * K, n)
    return(list(y = out, levels = NULL, names = NULL, steps = steps, labels = "array"))
  }
  if (loss != "cross_entropy") {
    abort_input("loss", "\"cross_entropy\" or \"mse\" for sequence targets", sprintf("\"%s\"", loss))
  }
  if (length(d) != 2L || d[2L] != steps) {
    abort_input(arg, sprintf("an n x %d matrix of class labels, one per step of the output", steps),
                sprintf("dims %s", paste(d, collapse = " x ")), class = "statlearn_error_shape")
  }
  if (is.factor(y)) {
    lv <- levels(y)
    y <- matrix(as.character(y), d[1L], d[2L])
    attr(y, "levels") <- lv
  }
  if (is.logical(y)) storage.mode(y) <- "integer"
  if (is.character(y)) {
    if (is.null(levels)) {
      levels <- attr(y, "levels") %||% sort(unique(as.vector(y[!is.na(y)])))
    }
    levels <- as.character(levels)
    labels <- labels %||% "character"
    unseen <- setdiff(unique(as.vector(y[!is.na(y)])), levels)
    if (length(unseen)) {
      abort_input(arg, sprintf("labels among the classes (%s)", paste(utils::head(levels, 10), collapse = ", ")),
                  sprintf("unseen label(s) %s", paste(utils::head(unseen, 5), collapse = ", ")),
                  class = "statlearn_error_levels")
    }
    codes <- match(y, levels)
  } else if (is.numeric(y)) {
    v <- y[!is.na(y)]
    if (any(!is.finite(v)) || any(v != round(v))) {
      abort_input(arg, "whole-number class codes (or NA)", "non-whole or infinite values",
                  class = "statlearn_error_type")
    }
    if (is.null(levels)) levels <- as.character(seq_len(K))
    labels <- labels %||% "integer"
    if (length(v) && (min(v) < 1 || max(v) > length(levels))) {
      abort_input(arg, sprintf("class codes from 1 to %d (or NA)", length(levels)),
                  sprintf("values from %g to %g", min(v), max(v)), class = "statlearn_error_range")
    }
    codes <- as.integer(y)
  } else {
    abort_input(arg, "an n x T matrix of class labels (integer codes, characters or a factor)", describe(y))
  }
  if (length(levels) != K) {
    abort_input(arg, sprintf("as many classes as the last layer has units per step (%d): give the labels' levels (a factor, or attr(y, \"levels\"))", K),
                sprintf("%d classes", length(levels)), class = "statlearn_error_shape")
  }
  if (all(is.na(codes))) {
    abort_input(arg, "at least one label that is not NA", "only NA", class = "statlearn_error_empty")
  }
  codes <- codes - 1L
  codes[is.na(codes)] <- -1L
  out <- t(matrix(codes, d[1L], d[2L]))
  list(y = out, levels = levels, names = NULL, steps = steps, labels = labels)
}

# A cross-entropy network whose last layer has a softmax at every step needs
# sequence targets.
check_step_softmax_targets <- function(y, net, loss, arg) {
  last <- net$layers[[length(net$layers)]]
  tk <- sequence_output(net)
  if (is.null(tk) || loss != "cross_entropy" || !identical(last$type, "time_distributed") ||
      !identical(last$activation, "softmax")) {
    return(invisible())
  }
  abort_input(arg, sprintf("an n x %d matrix of class labels, one per step (the last layer, %s, has a softmax at each of its %d steps)",
                           tk[1L], last$name, tk[1L]),
              describe(y), class = "statlearn_error_shape")
}

# Targets of the same kind as the training ones (`ref`: a fit or targets from
# network_targets()): sequence targets of as many steps, or per-example ones.
check_same_targets <- function(ref, tg, arg) {
  want <- if (inherits(ref, "statlearn_network_fit")) ref$sequence$steps else ref$steps
  if (identical(as.integer(want), as.integer(tg$steps))) return(invisible())
  if (is.null(want)) {
    abort_input(arg, "targets of the kind the network was trained with: one per example",
                sprintf("sequence targets of %d steps", tg$steps), class = "statlearn_error_shape")
  }
  abort_input(arg, sprintf("sequence targets like the training ones: %d steps per example (an n x %d label matrix or an n x %d x K array)",
                           want, want, want),
              "targets with one per example", class = "statlearn_error_shape")
}

# Predictions of a fit with sequence targets from its engine outputs `out`
# (n x (T * K), the K values of a step together).
sequence_predictions <- function(object, out, type, rn) {
  steps <- object$sequence$steps
  K <- ncol(out) %/% steps
  n <- nrow(out)
  a <- aperm(array(t(out), c(K, steps, n)), c(3L, 2L, 1L))
  if (type != "class") {
    dimnames(a) <- list(rn, NULL, object$levels)
    return(a)
  }
  idx <- matrix(0L, n, steps)
  for (t in seq_len(steps)) idx[, t] <- max.col(matrix(a[, t, ], n, K), ties.method = "first")
  res <- if (identical(object$sequence$labels, "integer")) idx else
    matrix(object$levels[idx], n, steps)
  rownames(res) <- rn
  res
}

# sampling ------------------------------------------------------------------------

#' Sample a sequence from a trained sequence model
#'
#' Generates tokens one at a time from a network that predicts the next token
#' (a character- or word-level language model, Deep Learning book section
#' 10.2.2): the sequence so far goes into the network, a token is drawn from
#' the predicted distribution of the next one, appended, and fed back in.
#'
#' The network must start with [layer_embedding()] (input `network(T)`) and
#' end with a softmax (trained with the cross-entropy loss), either at every
#' step (shape `c(1, T, K)`, as from [layer_time_distributed()]) or once
#' (shape `c(1, 1, K)`). Its input token k must stand for its k-th class: for
#' a character model, tokens are `match(chars, levels)` and the labels the
#' characters with those levels.
#'
#' The network is run again on the window of the last T tokens for every new
#' token (there is no state carried between calls, so each token costs one
#' forward pass over up to T steps). With an output at every step, the
#' distribution of the next token is the output at the last filled step of the
#' window: while the sequence is shorter than T, the steps after it are
#' filled with padding (0 with `mask_zero`, else token 1); this assumes a
#' causal network (unidirectional recurrent layers), whose output at step t
#' depends only on steps 1..t. With a single output, the window must be full:
#' a shorter prefix is padded on the left with 0 when the embedding has
#' `mask_zero = TRUE`, and is an error otherwise.
#'
#' The next token is drawn with probabilities proportional to
#' \eqn{\exp(z_k / \tau)}{exp(z_k / tau)}, where \eqn{z} are the network's
#' logits and \eqn{\tau}{tau} the `temperature`: 1 samples from the model,
#' smaller values sharpen the distribution towards the most probable token
#' and larger ones flatten it; `temperature = 0` always takes the most
#' probable token (greedy decoding; ties go to the first). Draws use R's
#' random number generator, seeded with `seed`.
#'
#' @param fit A fit from [train_network()] as described in Details.
#' @param prefix The start of the sequence: for a model trained with
#'   character labels, a single string (split into characters when every
#'   label is one character) or a character vector of labels; otherwise
#'   tokens, whole numbers from 1 to K. At least one token.
#' @param steps The number of tokens to generate.
#' @param temperature A non-negative number (see Details).
#' @inheritParams statlearn-params
#' @return The prefix followed by the `steps` generated tokens: a single
#'   string for a character-level model given a string, else a character
#'   vector of labels or an integer vector of tokens.
#' @references Goodfellow, Bengio and Courville (2016), section 10.2.2
#'   (sampling from a recurrent network's output distribution).
#'
#'   Graves, A. (2013). Generating sequences with recurrent neural networks.
#'   arXiv:1308.0850.
#' @family neural networks
#' @export
#' @examples
#' # A next-token model of the repeating pattern 1 2 3 4 1 2 3 4 ...: the
#' # target at each step is the token that follows it.
#' s <- rep(1:4, 40)
#' starts <- 1:100
#' x <- t(sapply(starts, function(i) s[i:(i + 7)]))
#' y <- t(sapply(starts, function(i) s[(i + 1):(i + 8)]))
#' net <- network(8) |>
#'   layer_embedding(input_dim = 4, output_dim = 4) |>
#'   layer_time_distributed(4, activation = "softmax")
#' fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = 0.05),
#'                      epochs = 30, batch_size = 20, seed = 1, threads = 1,
#'                      verbose = FALSE)
#' generate_sequence(fit, c(1, 2), steps = 10, temperature = 0)
#' generate_sequence(fit, 3, steps = 10, temperature = 1, seed = 1)
generate_sequence <- function(fit, prefix, steps, temperature = 1, seed = NULL, threads = NULL) {
  if (!inherits(fit, "statlearn_network_fit")) {
    abort_input("fit", "a fit from train_network()", describe(fit), class = "statlearn_error_type")
  }
  net <- fit$network
  first <- net$layers[[1L]]
  if (!identical(first$type, "embedding")) {
    abort_input("fit", "a network that starts with layer_embedding() (token inputs)",
                sprintf("a network whose first layer is %s (%s)", first$name, first$type),
                class = "statlearn_error_shape")
  }
  last <- net$layers[[length(net$layers)]]
  out <- last$out_shape
  if (out[1L] != 1L || !(out[2L] == 1L || out[2L] == net$input_shape[3L])) {
    abort_input("fit", "a network with one output per input step (shape c(1, T, K)) or a single one (c(1, 1, K))",
                sprintf("an output of shape %s", paste(out, collapse = " x ")),
                class = "statlearn_error_shape")
  }
  softmax_out <- identical(last$activation, "softmax")
  if (!(identical(fit$loss, "cross_entropy") || softmax_out)) {
    abort_input("fit", "a classifier of the next token (cross-entropy loss or a softmax output)",
                sprintf("a network trained with the %s loss", fit$loss), class = "statlearn_error_type")
  }
  K <- out[3L]
  V <- first$input_dim
  if (K > V) {
    abort_input("fit", sprintf("at most as many classes as tokens (input_dim = %d), class k being token k", V),
                sprintf("%d classes", K), class = "statlearn_error_shape")
  }
  steps <- check_count(steps, "steps", lower = 0)
  temperature <- check_number(temperature, "temperature", lower = 0, upper = Inf, upper_open = TRUE)
  threads <- resolve_threads(threads)
  lv <- fit$levels
  char_labels <- !is.null(lv) && !identical(fit$sequence$labels, "integer") &&
    !identical(lv, as.character(seq_len(K)))
  as_string <- FALSE
  if (char_labels) {
    if (!is.character(prefix) || length(prefix) == 0L || anyNA(prefix)) {
      abort_input("prefix", "a string or a character vector of the model's labels", describe(prefix),
                  class = "statlearn_error_type")
    }
    if (length(prefix) == 1L && all(nchar(lv) == 1L)) {
      as_string <- TRUE
      prefix <- strsplit(prefix, "", fixed = TRUE)[[1L]]
    }
    tokens <- match(prefix, lv)
    if (length(tokens) == 0L || anyNA(tokens)) {
      bad <- unique(prefix[is.na(tokens)])
      abort_input("prefix", "labels of the model (its levels)",
                  if (length(tokens) == 0L) "an empty string" else
                    sprintf("unknown label(s) %s", paste(sprintf('"%s"', utils::head(bad, 5)), collapse = ", ")),
                  class = "statlearn_error_levels")
    }
  } else {
    if (!is.numeric(prefix) || length(prefix) == 0L || anyNA(prefix) || any(prefix != round(prefix)) ||
        any(prefix < 1) || any(prefix > K)) {
      abort_input("prefix", sprintf("tokens: whole numbers from 1 to %d", K),
                  if (is.numeric(prefix) && length(prefix)) sprintf("values from %g to %g", min(prefix), max(prefix)) else
                    describe(prefix),
                  class = c("statlearn_error_tokens", "statlearn_error_range"))
    }
    tokens <- as.integer(prefix)
  }
  Tn <- net$input_shape[3L]
  pad <- if (isTRUE(first$mask_zero)) 0L else 1L
  per_step <- out[2L] > 1L || Tn == 1L
  if (!per_step && length(tokens) < Tn && !isTRUE(first$mask_zero)) {
    abort_input("prefix", sprintf("at least %d tokens (the network's window), or an embedding with mask_zero = TRUE to pad a shorter one", Tn),
                sprintf("%d", length(tokens)), class = "statlearn_error_length")
  }
  seed <- resolve_seed(seed)
  generated <- with_seed(seed, {
    for (s in seq_len(steps)) {
      L <- length(tokens)
      if (per_step) {
        w <- utils::tail(tokens, Tn)
        at <- length(w)
        w <- c(w, rep(pad, Tn - at))
      } else {
        w <- utils::tail(tokens, Tn)
        w <- c(rep(0L, Tn - length(w)), w)
        at <- 1L
      }
      z <- network_outputs(fit, matrix(as.double(w), Tn, 1L), FALSE, 1L, threads)
      z <- as.double(z[(at - 1L) * K + seq_len(K), 1L])
      if (!identical(fit$loss, "cross_entropy")) z <- log(pmax(z, 0))  # a softmax output: probabilities
      tokens <- c(tokens, next_token(z, temperature))
    }
    tokens
  })
  if (!char_labels) return(generated)
  labels <- lv[generated]
  if (as_string) paste(labels, collapse = "") else labels
}

# One draw from softmax(z / temperature) (R's RNG); temperature 0 is argmax.
next_token <- function(z, temperature) {
  if (temperature == 0) return(which.max(z))
  p <- exp((z - max(z)) / temperature)
  cp <- cumsum(p)
  min(length(p), sum(cp <= stats::runif(1L) * cp[length(cp)]) + 1L)
}
