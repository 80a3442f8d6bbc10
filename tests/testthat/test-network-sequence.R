# Sequence plumbing of the network engine (issue 16): layer_embedding(),
# layer_time_distributed(), sequence targets with per-step losses and NA,
# predict() for sequence outputs, generate_sequence(). References are plain R
# implementations of the same maps on fixed weights.

# ---- helpers ---------------------------------------------------------------------

# n x T token matrix -> n x T x E array of embedding rows (0 -> zeros).
ref_embed <- function(x, W) {
  n <- nrow(x); Tn <- ncol(x); E <- ncol(W)
  out <- array(0, c(n, Tn, E))
  for (i in seq_len(n)) for (t in seq_len(Tn)) if (x[i, t] > 0) out[i, t, ] <- W[x[i, t], ]
  out
}

# A dense map with activation applied to each step of an n x T x F array.
ref_step_dense <- function(h, W, b, act = identity) {
  d <- dim(h)
  out <- array(0, c(d[1L], d[2L], ncol(W)))
  for (t in seq_len(d[2L])) {
    z <- matrix(h[, t, ], d[1L], d[3L]) %*% W + rep(b, each = d[1L])
    out[, t, ] <- act(z)
  }
  out
}

row_softmax <- function(z) {
  z <- z - apply(z, 1L, max)
  e <- exp(z)
  e / rowSums(e)
}

# n x T x K array of step probabilities of an embedding + time-distributed
# softmax model with weights w.
ref_probs <- function(x, w) {
  ref_step_dense(ref_embed(x, w[[1L]]$embeddings), w[[2L]]$kernel, w[[2L]]$bias, row_softmax)
}

# A fit with given weights and sequence targets of `steps` steps.
seq_fit <- function(net, weights, loss = "cross_entropy", levels = NULL, labels = "integer",
                    precision = "double") {
  fit <- as_network_fit(net, weights, loss = loss, levels = levels, precision = precision)
  fit$sequence <- list(steps = net$layers[[length(net$layers)]]$out_shape[2L], labels = labels)
  fit
}

# A small token task: n sequences of Tn tokens from 1..V and K-class labels.
token_data <- function(n = 15, Tn = 5, V = 6, K = 3, seed = 1) {
  set.seed(seed)
  list(x = matrix(sample.int(V, n * Tn, TRUE), n, Tn),
       y = matrix(sample.int(K, n * Tn, TRUE), n, Tn))
}

emb_td_net <- function(Tn = 5, V = 6, E = 4, K = 3, activation = "softmax", mask_zero = FALSE) {
  network(Tn) |>
    layer_embedding(V, E, mask_zero = mask_zero) |>
    layer_time_distributed(K, activation = activation)
}

expect_gradients_ok <- function(g, tol, info) {
  expect_true(all(g$kinks == 0), info = info)
  expect_lt(max(g$max_rel_error), tol)
  expect_true(all(is.finite(g$max_rel_error)), info = info)
}

# ---- layers ------------------------------------------------------------------------

test_that("layer_embedding and layer_time_distributed build the documented shapes", {
  net <- network(7) |>
    layer_embedding(20, 5) |>
    layer_time_distributed(9, activation = "relu") |>
    layer_time_distributed(4, activation = "softmax")
  expect_equal(net$layers[[1L]]$out_shape, c(1L, 7L, 5L))
  expect_equal(net$layers[[2L]]$out_shape, c(1L, 7L, 9L))
  expect_equal(net$layers[[3L]]$out_shape, c(1L, 7L, 4L))
  s <- summary(net)
  # embeddings V x E; a time-distributed layer has F x units + units weights
  # whatever T is.
  expect_equal(s$params, c(20 * 5, 5 * 9 + 9, 9 * 4 + 4))
  w <- init_weights(net)
  expect_equal(dim(w[[1L]]$embeddings), c(20L, 5L))
  expect_true(all(abs(w[[1L]]$embeddings) <= 0.05))
  expect_equal(dim(w[[2L]]$kernel), c(5L, 9L))
})

test_that("the embedding forward pass is row indexing of the table (R reference)", {
  set.seed(2)
  V <- 7; E <- 3; Tn <- 6; n <- 9
  x <- matrix(sample.int(V, n * Tn, TRUE), n, Tn)
  W <- matrix(rnorm(V * E), V, E)
  for (mask_zero in c(FALSE, TRUE)) {
    if (mask_zero) x[cbind(1:4, c(6, 5, 1, 3))] <- 0
    net <- network(Tn) |> layer_embedding(V, E, mask_zero = mask_zero) |> layer_flatten()
    ref <- ref_embed(x, W)
    # the engine's row: E values of step 1, then step 2, ...
    ref_rows <- t(apply(ref, 1L, function(a) as.vector(t(a))))
    for (precision in c("double", "single")) {
      fit <- as_network_fit(net, list(list(embeddings = W), NULL), precision = precision)
      out <- predict(fit, x, threads = 1)
      expect_equal(unname(out), ref_rows, tolerance = if (precision == "double") 0 else 1e-7,
                   info = sprintf("mask_zero = %s, %s", mask_zero, precision))
    }
  }
})

test_that("the time-distributed layer is the dense layer applied at every step (R reference)", {
  set.seed(3)
  n <- 8; Tn <- 5; F <- 4; U <- 3
  x <- array(rnorm(n * Tn * F), c(n, Tn, F))
  W <- matrix(rnorm(F * U), F, U)
  b <- rnorm(U)
  acts <- list(identity = identity, tanh = tanh, relu = function(z) pmax(z, 0),
               sigmoid = function(z) 1 / (1 + exp(-z)), softmax = row_softmax)
  for (a in names(acts)) {
    net <- network(c(Tn, F)) |> layer_time_distributed(U, activation = a)
    fit <- as_network_fit(net, list(list(kernel = W, bias = b)), precision = "double")
    out <- predict(fit, x, threads = 1)
    ref <- ref_step_dense(x, W, b, acts[[a]])
    expect_equal(unname(out), t(apply(ref, 1L, function(m) as.vector(t(m)))), tolerance = 1e-13,
                 info = a)
    # the same as layer_dense() on each step's F features
    dense <- as_network_fit(network(F) |> layer_dense(U, activation = if (a == "softmax") "softmax" else a),
                            list(list(kernel = W, bias = b)), precision = "double")
    for (t in c(1L, Tn)) {
      expect_equal(unname(out[, (t - 1L) * U + seq_len(U)]),
                   unname(as.matrix(predict(dense, x[, t, ], threads = 1))),
                   tolerance = 1e-13, info = sprintf("%s, step %d", a, t))
    }
  }
  # without a bias
  net <- network(c(Tn, F)) |> layer_time_distributed(U, use_bias = FALSE)
  fit <- as_network_fit(net, list(list(kernel = W)), precision = "double")
  ref <- ref_step_dense(x, W, numeric(U))
  expect_equal(unname(predict(fit, x, threads = 1)), t(apply(ref, 1L, function(m) as.vector(t(m)))),
               tolerance = 1e-13)
})

# ---- gradients -------------------------------------------------------------------

test_that("gradient_check passes for embedding and time-distributed layers (float64)", {
  d <- token_data()
  net <- emb_td_net()
  g <- gradient_check(net, d$x, d$y, seed = 4, threads = 1)
  expect_equal(g$tensor, c("embeddings", "kernel", "bias"))
  expect_gradients_ok(g, 1e-6, "cross-entropy per step")
  # hidden time-distributed layer, L1/L2 penalties, NA targets
  y <- d$y
  y[c(2, 7, 20, 33)] <- NA
  net2 <- network(5) |>
    layer_embedding(6, 4, l2 = 0.01) |>
    layer_time_distributed(5, activation = "tanh", l2 = 0.02) |>
    layer_time_distributed(3, activation = "softmax")
  expect_gradients_ok(gradient_check(net2, d$x, y, seed = 5, threads = 1), 1e-6, "NA targets")
  # squared error with an n x T x K array holding NA
  set.seed(6)
  ya <- array(rnorm(15 * 5 * 2), c(15, 5, 2))
  ya[sample(length(ya), 20)] <- NA
  net3 <- emb_td_net(K = 2, activation = "identity")
  expect_gradients_ok(gradient_check(net3, d$x, ya, seed = 7, threads = 1), 1e-6, "mse array")
  # single precision backpropagation against the float64 differences
  expect_gradients_ok(gradient_check(net, d$x, d$y, seed = 4, threads = 1, precision = "single"),
                      1e-3, "float32")
})

test_that("gradient_check passes for embedding(mask_zero) -> LSTM -> time-distributed", {
  d <- token_data(n = 10, Tn = 6)
  x <- d$x
  x[1:4, 5:6] <- 0
  x[5, 6] <- 0
  y <- d$y
  y[x == 0] <- NA
  net <- network(6) |>
    layer_embedding(6, 4, mask_zero = TRUE) |>
    layer_lstm(5, return_sequences = TRUE) |>
    layer_time_distributed(3, activation = "softmax")
  expect_gradients_ok(gradient_check(net, x, y, seed = 8, threads = 1), 1e-6, "lstm")
})

test_that("mask_zero: padded steps do not change what an LSTM computes at the other steps", {
  # An example padded at the end gives, at its real steps, the outputs of the
  # same tokens without padding (a network of fewer steps, same weights).
  set.seed(9)
  V <- 5; E <- 3; U <- 4; K <- 3
  short <- network(4) |> layer_embedding(V, E, mask_zero = TRUE) |>
    layer_lstm(U, return_sequences = TRUE) |> layer_time_distributed(K, activation = "softmax")
  long <- network(7) |> layer_embedding(V, E, mask_zero = TRUE) |>
    layer_lstm(U, return_sequences = TRUE) |> layer_time_distributed(K, activation = "softmax")
  w <- init_weights(long)
  xs <- matrix(sample.int(V, 3 * 4, TRUE), 3, 4)
  xl <- cbind(xs, matrix(0, 3, 3))
  ps <- predict(seq_fit(short, w), xs, type = "prob", threads = 1)
  pl <- predict(seq_fit(long, w), xl, type = "prob", threads = 1)
  expect_equal(pl[, 1:4, ], ps, tolerance = 1e-14)
})

# ---- sequence targets and losses ---------------------------------------------------

test_that("the per-step cross-entropy with NA targets is the mean over the labels present (R reference)", {
  d <- token_data(n = 12, Tn = 5)
  net <- emb_td_net()
  set.seed(10)
  w <- init_weights(net)
  w[[1L]]$embeddings[] <- rnorm(length(w[[1L]]$embeddings))
  y <- d$y
  y[sample(length(y), 17)] <- NA
  p <- ref_probs(d$x, w)
  ok <- which(!is.na(y), arr.ind = TRUE)
  pt <- p[cbind(ok, y[ok])]
  ref_loss <- mean(-log(pt))
  cls <- apply(p, c(1L, 2L), which.max)
  ref_acc <- mean(cls[ok] == y[ok])
  fit <- seq_fit(net, w, levels = as.character(1:3))
  for (bs in c(5L, 256L)) {
    ev <- evaluate(fit, d$x, y, batch_size = bs, threads = 1)
    expect_equal(unname(ev["loss"]), ref_loss, tolerance = 1e-12, info = sprintf("batch %d", bs))
    expect_equal(unname(ev["accuracy"]), ref_acc, tolerance = 1e-14, info = sprintf("batch %d", bs))
  }
  # the same as the loss over the non-NA subset: drop an all-NA example, and
  # the examples' mean changes but the targets' mean does not
  y2 <- y
  y2[3, ] <- NA
  ok2 <- which(!is.na(y2), arr.ind = TRUE)
  expect_equal(unname(evaluate(fit, d$x, y2, threads = 1)["loss"]),
               mean(-log(p[cbind(ok2, y2[ok2])])), tolerance = 1e-12)
  expect_equal(unname(evaluate(fit, d$x[-3, ], y2[-3, ], threads = 1)["loss"]),
               unname(evaluate(fit, d$x, y2, threads = 1)["loss"]), tolerance = 1e-14)
  # with a penalty, the penalty is added once
  net_p <- network(5) |> layer_embedding(6, 4, l2 = 0.1) |> layer_time_distributed(3, activation = "softmax")
  ev_p <- evaluate(seq_fit(net_p, w, levels = as.character(1:3)), d$x, y, threads = 1)
  expect_equal(unname(ev_p["loss"]), ref_loss + 0.1 * sum(w[[1L]]$embeddings^2), tolerance = 1e-12)
})

test_that("the training log's loss and accuracy are means over the labelled steps of all batches", {
  # lr = 1e-30 keeps the initial weights: the epoch's loss (over batches of 4,
  # some with few labels) is the mean over all labelled steps (R reference).
  d <- token_data(n = 14, Tn = 5)
  y <- d$y
  set.seed(17)
  y[sample(length(y), 30)] <- NA
  y[1:4, ] <- NA  # a batch without labels when not shuffled
  net <- emb_td_net()
  fit <- train_network(net, d$x, y, optimizer = optimizer_sgd(lr = 1e-30), epochs = 1, batch_size = 4,
                       shuffle = FALSE, seed = 21, threads = 1, verbose = FALSE)
  w0 <- with_seed(21, init_weights(net))
  expect_equal(fit$weights, w0, tolerance = 1e-7)
  p <- ref_probs(d$x, w0)
  ok <- which(!is.na(y), arr.ind = TRUE)
  expect_equal(fit$history$loss, mean(-log(p[cbind(ok, y[ok])])), tolerance = 1e-6)
  expect_equal(fit$history$accuracy, mean(apply(p, c(1L, 2L), which.max)[ok] == y[ok]))
  # the learning-rate range test runs on sequence targets
  lrf <- lr_finder(net, d$x, y, steps = 12, batch_size = 4, seed = 1, threads = 1)
  expect_true(all(is.finite(lrf$loss)))
})

test_that("squared error on an n x T x K array ignores NA entries (R reference)", {
  d <- token_data(n = 10, Tn = 4)
  net <- emb_td_net(Tn = 4, K = 2, activation = "identity")
  set.seed(11)
  w <- init_weights(net)
  ya <- array(rnorm(10 * 4 * 2), c(10, 4, 2))
  ya[sample(length(ya), 25)] <- NA
  fit <- seq_fit(net, w, loss = "mse", labels = "array")
  pred <- ref_step_dense(ref_embed(d$x, w[[1L]]$embeddings), w[[2L]]$kernel, w[[2L]]$bias)
  ev <- evaluate(fit, d$x, ya, threads = 1)
  expect_equal(unname(ev), mean((pred - ya)^2, na.rm = TRUE), tolerance = 1e-12)
  out <- predict(fit, d$x, threads = 1)
  expect_equal(dim(out), c(10L, 4L, 2L))
  expect_equal(unname(out), pred, tolerance = 1e-13)
})

test_that("train_network takes label matrices (integer, character, factor) and predicts per step", {
  d <- token_data(n = 30, Tn = 5)
  net <- emb_td_net()
  # the default loss for a label matrix is cross-entropy
  fit <- train_network(net, d$x, d$y, epochs = 3, batch_size = 8, seed = 1, threads = 1,
                       verbose = FALSE)
  expect_equal(fit$loss, "cross_entropy")
  expect_equal(fit$levels, c("1", "2", "3"))
  expect_equal(fit$sequence, list(steps = 5L, labels = "integer"))
  prob <- predict(fit, d$x, type = "prob", threads = 1)
  expect_equal(dim(prob), c(30L, 5L, 3L))
  expect_equal(dimnames(prob)[[3L]], c("1", "2", "3"))
  expect_equal(unname(apply(prob, c(1L, 2L), sum)), matrix(1, 30, 5), tolerance = 1e-6)
  cls <- predict(fit, d$x, threads = 1)
  expect_true(is.integer(cls))
  expect_equal(cls, unname(apply(prob, c(1L, 2L), which.max)))
  # the fit's probabilities are the R reference on its weights (float32 engine)
  expect_equal(unname(prob), ref_probs(d$x, fit$weights), tolerance = 1e-5)
  # the training log's accuracy is the fraction of steps correct
  h <- fit$history
  expect_true(all(h$accuracy >= 0 & h$accuracy <= 1))

  # character labels, with the levels in an attribute, give a character matrix
  lv <- c("a", "b", "c")
  yc <- matrix(lv[d$y], 30, 5)
  attr(yc, "levels") <- lv
  fc <- train_network(net, d$x, yc, epochs = 3, batch_size = 8, seed = 1, threads = 1, verbose = FALSE)
  expect_equal(fc$levels, lv)
  pc <- predict(fc, d$x, threads = 1)
  expect_true(is.character(pc))
  expect_equal(pc, matrix(lv[cls], 30, 5))
  expect_equal(fc$weights, fit$weights)  # same classes, same seed: same fit
  # a factor with dims
  yf <- factor(lv[d$y], levels = lv)
  dim(yf) <- c(30L, 5L)
  ff <- train_network(net, d$x, yf, epochs = 3, batch_size = 8, seed = 1, threads = 1, verbose = FALSE)
  expect_equal(ff$weights, fit$weights)
  # a level that never occurs still counts as a class when given
  yc2 <- yc
  yc2[yc2 == "c"] <- "a"
  attr(yc2, "levels") <- lv
  expect_silent(train_network(net, d$x, yc2, epochs = 1, seed = 1, threads = 1, verbose = FALSE))
})

test_that("validation data and validation_split work with sequence targets", {
  d <- token_data(n = 40, Tn = 5)
  y <- d$y
  y[sample(length(y), 30)] <- NA
  net <- emb_td_net()
  fit <- train_network(net, d$x[1:30, ], y[1:30, ], epochs = 4, batch_size = 10, seed = 2,
                       threads = 1, verbose = FALSE,
                       validation_data = list(d$x[31:40, ], y[31:40, ]))
  ev <- evaluate(fit, d$x[31:40, ], y[31:40, ], threads = 1)
  last <- fit$history[nrow(fit$history), ]
  expect_equal(last$val_loss, unname(ev["loss"]), tolerance = 1e-6)
  expect_equal(last$val_accuracy, unname(ev["accuracy"]), tolerance = 1e-12)
  fs <- train_network(net, d$x, y, epochs = 4, batch_size = 10, seed = 2, threads = 1,
                      verbose = FALSE, validation_split = 0.25)
  expect_equal(fs$weights, fit$weights)
  expect_equal(fs$history$val_loss, fit$history$val_loss, tolerance = 1e-12)
  # resuming: 2 + 2 epochs equal 4
  f2 <- train_network(net, d$x[1:30, ], y[1:30, ], epochs = 2, batch_size = 10, seed = 2,
                      threads = 1, verbose = FALSE)
  f22 <- train_network(f2, d$x[1:30, ], y[1:30, ], epochs = 2, batch_size = 10, threads = 1,
                       verbose = FALSE)
  f4 <- train_network(net, d$x[1:30, ], y[1:30, ], epochs = 4, batch_size = 10, seed = 2,
                      threads = 1, verbose = FALSE)
  expect_equal(f22$weights, f4$weights)
})

test_that("per-example targets are unchanged for networks with a sequence output", {
  # A factor response with binary cross-entropy / a flat output keeps the old
  # behaviour: an n x (T * K) matrix with mse is not a sequence target.
  d <- token_data(n = 12, Tn = 4)
  net <- emb_td_net(Tn = 4, K = 2, activation = "identity")
  set.seed(12)
  ym <- matrix(rnorm(12 * 8), 12, 8)
  fit <- train_network(net, d$x, ym, epochs = 2, batch_size = 4, seed = 1, threads = 1, verbose = FALSE)
  expect_null(fit$sequence)
  expect_equal(dim(predict(fit, d$x, threads = 1)), c(12L, 8L))
})

# ---- sampling ------------------------------------------------------------------------

test_that("generate_sequence: greedy decoding and sampling equal an R implementation", {
  set.seed(13)
  V <- 5; E <- 3; Tn <- 6
  net <- emb_td_net(Tn = Tn, V = V, E = E, K = V)
  w <- init_weights(net)
  w[[1L]]$embeddings[] <- rnorm(V * E)
  w[[2L]]$kernel[] <- 2 * rnorm(E * V)
  fit <- seq_fit(net, w, levels = as.character(1:V))
  # with no recurrence, the next token depends on the current one only
  p1 <- ref_probs(matrix(1:V, V, Tn), w)[, 1L, ]
  greedy <- function(start, steps) {
    out <- start
    for (s in seq_len(steps)) out <- c(out, which.max(p1[out[length(out)], ]))
    out
  }
  for (temp in c(0, 1e-8)) {
    expect_identical(generate_sequence(fit, c(2, 4), 12, temperature = temp, threads = 1),
                     greedy(c(2L, 4L), 12), info = sprintf("temperature %g", temp))
  }
  sample_r <- function(start, steps, temp, seed) {
    set.seed(seed)
    out <- start
    for (s in seq_len(steps)) {
      q <- p1[out[length(out)], ]^(1 / temp)
      u <- runif(1)
      out <- c(out, as.integer(min(V, sum(cumsum(q) <= u * sum(q)) + 1L)))
    }
    out
  }
  for (temp in c(0.5, 1, 2)) {
    g <- generate_sequence(fit, 3, 25, temperature = temp, seed = 99, threads = 1)
    expect_identical(g, sample_r(3L, 25, temp, 99), info = sprintf("temperature %g", temp))
    expect_identical(generate_sequence(fit, 3, 25, temperature = temp, seed = 99, threads = 2), g)
  }
  # seed = NULL follows set.seed()
  set.seed(5); a <- generate_sequence(fit, 1, 10, threads = 1)
  set.seed(5); b <- generate_sequence(fit, 1, 10, threads = 1)
  expect_identical(a, b)
  expect_identical(generate_sequence(fit, 1, 0, threads = 1), 1L)
})

test_that("generate_sequence on a character model returns text and uses the window of the last T tokens", {
  txt <- strsplit(strrep("abcd", 10), "")[[1]]
  lv <- c("a", "b", "c", "d")
  net <- emb_td_net(Tn = 4, V = 4, E = 3, K = 4)
  set.seed(14)
  w <- init_weights(net)
  w[[1L]]$embeddings[] <- diag(4)[, 1:3] * 5
  w[[2L]]$kernel[] <- rnorm(12)
  fit <- seq_fit(net, w, levels = lv, labels = "character")
  p1 <- ref_probs(matrix(1:4, 4, 4), w)[, 1L, ]
  out <- generate_sequence(fit, "ab", 9, temperature = 0, threads = 1)
  ref <- c(1L, 2L)
  for (s in 1:9) ref <- c(ref, which.max(p1[ref[length(ref)], ]))
  expect_identical(out, paste(lv[ref], collapse = ""))
  expect_identical(generate_sequence(fit, c("a", "b"), 9, temperature = 0, threads = 1), lv[ref])
})

test_that("generate_sequence with a single (many-to-one) output pads on the left with mask_zero", {
  set.seed(15)
  V <- 4
  net <- network(5) |> layer_embedding(V, 3, mask_zero = TRUE) |> layer_lstm(4) |>
    layer_dense(V, activation = "softmax")
  w <- init_weights(net)
  fit <- as_network_fit(net, w, loss = "cross_entropy", levels = as.character(1:V), precision = "double")
  g <- generate_sequence(fit, c(2, 3), 8, temperature = 0, threads = 1)
  # R: the greedy loop over predict() on left-padded windows of 5 tokens
  ref <- c(2L, 3L)
  for (s in 1:8) {
    win <- utils::tail(ref, 5)
    win <- c(rep(0, 5 - length(win)), win)
    ref <- c(ref, unname(which.max(predict(fit, matrix(win, 1), type = "prob", threads = 1)[1, ])))
  }
  expect_identical(g, ref)
  # without mask_zero a prefix shorter than the window is an error
  net2 <- network(5) |> layer_embedding(V, 3) |> layer_lstm(4) |> layer_dense(V, activation = "softmax")
  fit2 <- as_network_fit(net2, init_weights(net2), loss = "cross_entropy", levels = as.character(1:V))
  expect_statlearn_error(generate_sequence(fit2, c(1, 2), 3), "statlearn_error_length", "prefix")
  expect_length(generate_sequence(fit2, c(1, 2, 3, 4, 1), 3, temperature = 0), 8L)
})

# ---- invariances -----------------------------------------------------------------------

test_that("1 and 2 threads give identical fits (embedding scatter-add, time-distributed GEMM, LSTM)", {
  set.seed(16)
  n <- 600; Tn <- 10; V <- 300; E <- 32; K <- 7
  x <- matrix(sample.int(V, n * Tn, TRUE), n, Tn)
  x[1:50, 8:10] <- 0
  y <- matrix(sample.int(K, n * Tn, TRUE), n, Tn)
  y[x == 0] <- NA
  net <- network(Tn) |> layer_embedding(V, E, mask_zero = TRUE) |>
    layer_lstm(8, return_sequences = TRUE) |>
    layer_time_distributed(K, activation = "softmax")
  f1 <- train_network(net, x, y, epochs = 2, batch_size = 300, seed = 3, threads = 1, verbose = FALSE)
  f2 <- train_network(net, x, y, epochs = 2, batch_size = 300, seed = 3, threads = 2, verbose = FALSE)
  expect_identical(f1$weights, f2$weights)
  expect_identical(f1$history$loss, f2$history$loss)
  expect_identical(predict(f1, x, type = "prob", threads = 1), predict(f2, x, type = "prob", threads = 2))
  # the double engine too (gradient sums)
  net0 <- emb_td_net(Tn = Tn, V = V, E = E, K = K, mask_zero = TRUE)
  g1 <- gradient_check(net0, x, y, seed = 2, threads = 1, max_per_tensor = 3)
  g2 <- gradient_check(net0, x, y, seed = 2, threads = 2, max_per_tensor = 3)
  expect_identical(g1, g2)
})

test_that("a sequence fit survives saveRDS with identical predictions and samples", {
  d <- token_data(n = 20, Tn = 5, V = 3, K = 3)
  lv <- c("x", "y", "z")
  y <- matrix(lv[d$y], 20, 5)
  attr(y, "levels") <- lv
  fit <- train_network(emb_td_net(V = 3, K = 3), d$x, y, epochs = 3, batch_size = 5, seed = 1,
                       threads = 1, verbose = FALSE)
  back <- round_trip(fit)
  expect_identical(predict(back, d$x, type = "prob"), predict(fit, d$x, type = "prob"))
  expect_identical(predict(back, d$x), predict(fit, d$x))
  expect_identical(generate_sequence(back, "xy", 20, seed = 4), generate_sequence(fit, "xy", 20, seed = 4))
  skip_on_cran()
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(fit, f)
  fresh <- run_in_fresh_r(c(
    "suppressMessages(library(statlearn))",
    sprintf("fit <- readRDS('%s')", f),
    sprintf("x <- matrix(c(%s), 20)", paste(d$x, collapse = ",")),
    "cat(format(sum(predict(fit, x, type = 'prob')[, , 2] * 1:20), digits = 17), generate_sequence(fit, 'xy', 10, seed = 4), '\\n')"))
  expect_equal(fresh, paste(format(sum(predict(fit, d$x, type = "prob")[, , 2] * 1:20), digits = 17),
                            generate_sequence(fit, "xy", 10, seed = 4), ""))
})

# ---- end to end -----------------------------------------------------------------------------

test_that("embedding -> LSTM -> time-distributed softmax learns next-character prediction", {
  # "hello world " repeated: the character after "l" is "l", "o" or "d",
  # after "o" " " or "r" and after " " "w" or "h", so a model that sees one
  # character at a time can be right at best 8 times in 12; one step of
  # memory makes every step from the second on predictable.
  txt <- strsplit(strrep("hello world ", 20), "")[[1]]
  vocab <- sort(unique(txt))
  tok <- match(txt, vocab)
  Tn <- 12
  starts <- 1:60
  x <- t(sapply(starts, function(i) tok[i:(i + Tn - 1)]))
  y <- t(sapply(starts, function(i) txt[(i + 1):(i + Tn)]))
  y[, 1] <- NA  # the first step has no context
  attr(y, "levels") <- vocab
  net <- network(Tn) |> layer_embedding(length(vocab), 8) |>
    layer_lstm(16, return_sequences = TRUE) |>
    layer_time_distributed(length(vocab), activation = "softmax")
  fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = 0.02), epochs = 40,
                       batch_size = 20, seed = 1, threads = 1, verbose = FALSE)
  ev <- evaluate(fit, x, y)
  expect_equal(unname(ev["accuracy"]), 1)  # every one of the 660 labelled steps
  expect_lt(ev[["loss"]], 0.05)
  # the bound for a memoryless model (R: the most frequent successor of each
  # character), and a model without the LSTM stays below it
  succ <- table(head(txt, -1), tail(txt, -1))
  expect_equal(sum(apply(succ, 1, max)) / sum(succ), 2 / 3, tolerance = 0.01)
  base <- network(Tn) |> layer_embedding(length(vocab), 8) |>
    layer_time_distributed(length(vocab), activation = "softmax")
  fb <- train_network(base, x, y, optimizer = optimizer_adam(lr = 0.02), epochs = 40,
                      batch_size = 20, seed = 1, threads = 1, verbose = FALSE)
  expect_lt(evaluate(fb, x, y)[["accuracy"]], 0.7)
  # greedy generation continues the pattern
  expect_identical(generate_sequence(fit, "hel", 30, temperature = 0),
                   substr(strrep("hello world ", 3), 1, 33))
})

test_that("pride_prejudice is the documented text", {
  expect_s3_class(pride_prejudice, "data.frame")
  expect_named(pride_prejudice, c("chapter", "text"))
  expect_equal(nrow(pride_prejudice), 633L)
  expect_equal(sort(unique(pride_prejudice$chapter)), 1:18)
  expect_match(pride_prejudice$text[1L], "^It is a truth universally acknowledged")
  chars <- unlist(strsplit(pride_prejudice$text, ""))
  expect_equal(length(chars), 179313L)
  expect_equal(length(unique(chars)), 66L)
})

# ---- bad input ------------------------------------------------------------------------------

test_that("bad tokens are classed errors in train_network, predict and evaluate", {
  d <- token_data(n = 6, Tn = 4, V = 5)
  net <- emb_td_net(Tn = 4, V = 5)
  fit <- train_network(net, d$x, d$y, epochs = 1, seed = 1, threads = 1, verbose = FALSE)
  bad <- list(over = 6, zero = 0, negative = -1, fraction = 1.5)
  for (nm in names(bad)) {
    x <- d$x
    x[2, 3] <- bad[[nm]]
    expect_statlearn_error(train_network(net, x, d$y, epochs = 1, verbose = FALSE),
                           "statlearn_error_tokens", "`x` must be tokens")
    expect_statlearn_error(predict(fit, x), "statlearn_error_tokens", "`newdata` must be tokens")
    expect_statlearn_error(evaluate(fit, x, d$y), "statlearn_error_tokens", "`x` must be tokens")
  }
  x <- d$x
  x[2, 3] <- 6
  expect_statlearn_error(predict(fit, x), "statlearn_error_range", "example 2, step 3")
  x[2, 3] <- NA
  expect_statlearn_error(predict(fit, x), "statlearn_error_nonfinite", "newdata")
  expect_statlearn_error(predict(fit, d$x[, 1:3]), "statlearn_error_shape", "4 columns")
  # 0 is padding with mask_zero
  fz <- train_network(emb_td_net(Tn = 4, V = 5, mask_zero = TRUE), d$x, d$y, epochs = 1, seed = 1,
                      threads = 1, verbose = FALSE)
  x <- d$x
  x[, 4] <- 0
  expect_equal(dim(predict(fz, x, type = "prob")), c(6L, 4L, 3L))
})

test_that("layer constructors refuse bad arguments", {
  expect_statlearn_error(network(5) |> layer_dense(3) |> layer_embedding(10, 2),
                         "statlearn_error_shape", "first layer")
  expect_statlearn_error(network(c(4, 4, 1)) |> layer_embedding(10, 2), "statlearn_error_shape",
                         "input shape 4 x 4 x 1")
  expect_statlearn_error(network(5) |> layer_embedding(0, 2), "statlearn_error_range", "input_dim")
  expect_statlearn_error(network(5) |> layer_embedding(10, 2.5), "statlearn_error_type", "output_dim")
  expect_statlearn_error(network(5) |> layer_embedding(10, 2, mask_zero = NA), "statlearn_error_type",
                         "mask_zero")
  expect_statlearn_error(network(5) |> layer_embedding(10, 2, l2 = -1), "statlearn_error_range", "l2")
  expect_statlearn_error(layer_embedding(list(), 10, 2), "statlearn_error_type", "network")
  expect_statlearn_error(network(c(4, 4, 2)) |> layer_time_distributed(3), "statlearn_error_shape",
                         "sequence")
  expect_statlearn_error(network(c(4, 2)) |> layer_time_distributed(0), "statlearn_error_range", "units")
  expect_statlearn_error(network(c(4, 2)) |> layer_time_distributed(3, activation = "bogus"),
                         "statlearn_error_range", "activation")
  expect_statlearn_error(network(c(4, 2)) |> layer_time_distributed(3, activation = "softmax") |>
                           layer_time_distributed(2), "statlearn_error_softmax")
})

test_that("bad sequence targets are classed errors", {
  d <- token_data(n = 6, Tn = 4, V = 5, K = 3)
  net <- emb_td_net(Tn = 4, V = 5, K = 3)
  tn <- function(y, ...) train_network(net, d$x, y, epochs = 1, seed = 1, threads = 1, verbose = FALSE, ...)
  y <- d$y; y[1, 1] <- 4
  expect_statlearn_error(tn(y), "statlearn_error_range", "class codes from 1 to 3")
  y <- d$y; y[1, 1] <- 0
  expect_statlearn_error(tn(y), "statlearn_error_range", "class codes")
  y <- d$y; y[1, 1] <- 1.5
  expect_statlearn_error(tn(y), "statlearn_error_type", "whole-number")
  expect_statlearn_error(tn(matrix(NA_integer_, 6, 4)), "statlearn_error_empty", "not NA")
  expect_statlearn_error(tn(d$y[1:5, ]), "statlearn_error_length", "one row of targets per example")
  # a per-example factor for a softmax at every step
  expect_statlearn_error(tn(factor(d$y[, 1])), "statlearn_error_shape", "n x 4 matrix of class labels")
  expect_statlearn_error(tn(cbind(d$y, 1L), loss = "cross_entropy"), "statlearn_error_shape", "n x 4 matrix")
  expect_statlearn_error(tn(cbind(d$y, 1L)), "statlearn_error_shape", "column")
  # character labels: unknown classes, too few classes without levels
  yc <- matrix(c("a", "b")[1 + (d$y > 1)], 6, 4)
  expect_statlearn_error(tn(yc), "statlearn_error_shape", "levels")
  attr(yc, "levels") <- c("a", "b", "q")
  fit <- tn(yc)
  yu <- yc; yu[1, 1] <- "zz"
  expect_statlearn_error(evaluate(fit, d$x, yu), "statlearn_error_levels", "zz")
  # per-example targets for a sequence fit, and the reverse
  expect_statlearn_error(evaluate(fit, d$x, factor(yc[, 1], levels = c("a", "b", "q"))),
                         "statlearn_error_shape")
  expect_statlearn_error(tn(d$y, validation_data = list(d$x, factor(d$y[, 1]))), "statlearn_error_shape",
                         "validation_data")
  # squared error: the array must match the output
  neti <- emb_td_net(Tn = 4, V = 5, K = 2, activation = "identity")
  ya <- array(0, c(6, 4, 3))
  expect_statlearn_error(train_network(neti, d$x, ya, epochs = 1, verbose = FALSE),
                         "statlearn_error_shape", "6 x 4 x 2|n x 4 x 2")
  ya <- array(0, c(6, 4, 2)); ya[1] <- Inf
  expect_statlearn_error(train_network(neti, d$x, ya, epochs = 1, verbose = FALSE),
                         "statlearn_error_nonfinite")
  expect_statlearn_error(train_network(neti, d$x, array(NA_real_, c(6, 4, 2)), epochs = 1, verbose = FALSE),
                         "statlearn_error_empty")
  expect_statlearn_error(train_network(neti, d$x, array(0, c(6, 4, 2)), loss = "binary_cross_entropy",
                                       epochs = 1, verbose = FALSE), "statlearn_error_input")
})

test_that("generate_sequence refuses bad arguments", {
  d <- token_data(n = 6, Tn = 4, V = 3, K = 3)
  lv <- c("a", "b", "c")
  y <- matrix(lv[d$y], 6, 4); attr(y, "levels") <- lv
  fit <- train_network(emb_td_net(Tn = 4, V = 3, K = 3), d$x, y, epochs = 1, seed = 1, threads = 1,
                       verbose = FALSE)
  expect_statlearn_error(generate_sequence(list(), "a", 3), "statlearn_error_type", "fit")
  expect_statlearn_error(generate_sequence(fit, "abz", 3), "statlearn_error_levels", "\"z\"")
  expect_statlearn_error(generate_sequence(fit, "", 3), "statlearn_error_levels", "empty")
  expect_statlearn_error(generate_sequence(fit, 1, 3), "statlearn_error_type", "prefix")
  expect_statlearn_error(generate_sequence(fit, "a", -1), "statlearn_error_range", "steps")
  expect_statlearn_error(generate_sequence(fit, "a", 3, temperature = -1), "statlearn_error_range",
                         "temperature")
  expect_statlearn_error(generate_sequence(fit, "a", 3, temperature = Inf), "statlearn_error_range",
                         "temperature")
  fi <- train_network(emb_td_net(Tn = 4, V = 3, K = 3), d$x, d$y, epochs = 1, seed = 1, threads = 1,
                      verbose = FALSE)
  expect_statlearn_error(generate_sequence(fi, 4, 3), "statlearn_error_tokens", "prefix")
  expect_statlearn_error(generate_sequence(fi, c(1, 2.5), 3), "statlearn_error_tokens", "prefix")
  # a network without an embedding, or a regression
  x <- array(rnorm(6 * 4 * 2), c(6, 4, 2))
  fd <- train_network(network(c(4, 2)) |> layer_time_distributed(3), x, d$y, loss = "cross_entropy",
                      epochs = 1, seed = 1, threads = 1, verbose = FALSE)
  expect_statlearn_error(generate_sequence(fd, 1, 3), "statlearn_error_shape", "layer_embedding")
  fr <- train_network(emb_td_net(Tn = 4, V = 3, K = 3, activation = "identity"), d$x,
                      array(0, c(6, 4, 3)), epochs = 1, seed = 1, threads = 1, verbose = FALSE)
  expect_statlearn_error(generate_sequence(fr, 1, 3), "statlearn_error_type", "mse")
})
