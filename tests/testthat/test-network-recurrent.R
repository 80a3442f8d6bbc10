# Recurrent layers (R/network-recurrent.R, nn/recurrent.h): the forward pass
# against a plain R implementation of PyTorch's equations, BPTT against finite
# differences, masking against unpadded sequences run one by one, PyTorch
# itself where it is installed, thread invariance, saveRDS, learning, errors.

sigm <- function(v) 1 / (1 + exp(-v))

# Plain R recurrence for one example: x is T x F. Returns the outputs of every
# step (T x U, zero at masked steps) and the last state.
ref_recurrent <- function(x, w, cell, act = "tanh", reverse = FALSE, present = rep(TRUE, nrow(x)),
                          h0 = NULL, c0 = NULL) {
  n_t <- nrow(x)
  u <- nrow(w$recurrent_kernel)
  blk <- function(v, k) v[(k - 1) * u + seq_len(u)]
  h <- if (is.null(h0)) numeric(u) else h0
  cc <- if (is.null(c0)) numeric(u) else c0
  out <- matrix(0, n_t, u)
  for (t in if (reverse) rev(seq_len(n_t)) else seq_len(n_t)) {
    if (!present[t]) next
    a <- drop(x[t, ] %*% w$kernel) + w$bias
    r <- drop(h %*% w$recurrent_kernel)
    if (cell == "lstm") {
      z <- a + r
      i <- sigm(blk(z, 1)); f <- sigm(blk(z, 2)); g <- tanh(blk(z, 3)); o <- sigm(blk(z, 4))
      cc <- f * cc + i * g
      h <- o * tanh(cc)
    } else if (cell == "gru") {
      rh <- r + w$recurrent_bias
      rr <- sigm(blk(a, 1) + blk(rh, 1))
      z <- sigm(blk(a, 2) + blk(rh, 2))
      n <- tanh(blk(a, 3) + rr * blk(rh, 3))
      h <- (1 - z) * n + z * h
    } else {
      v <- a + r
      h <- switch(act, tanh = tanh(v), relu = pmax(v, 0), sigmoid = sigm(v), identity = v)
    }
    out[t, ] <- h
  }
  list(seq = out, last = h, cell = cc)
}

# Random weights with non-zero biases, in the layout of init_weights().
random_weights <- function(net, seed = 1, scale = 0.5) {
  set.seed(seed)
  lapply(statlearn:::init_weights(net), function(w) {
    if (is.null(w)) return(NULL)
    lapply(w, function(v) {
      v[] <- stats::runif(length(v), -scale, scale)
      v
    })
  })
}

fit_with <- function(net, weights, precision = "double") {
  statlearn:::as_network_fit(net, weights, loss = "mse", precision = precision)
}

seq_data <- function(n = 5, steps = 6, features = 3, seed = 2) {
  set.seed(seed)
  array(rnorm(n * steps * features), c(n, steps, features))
}

# Network outputs with return_sequences (n x (T * U), units fastest) as n x T x U.
as_steps <- function(out, steps, units) aperm(array(t(out), c(units, steps, nrow(out))), c(3, 2, 1))

expect_gradients <- function(net, x, y, tol = 1e-6, ...) {
  g <- gradient_check(net, x, y, loss = "mse", seed = 11, threads = 1, ...)
  expect_true(all(g$checked > 0))
  for (i in seq_len(nrow(g))) {
    expect_lt(g$max_rel_error[i], tol, label = sprintf("%s/%s relative error", g$layer[i], g$tensor[i]))
  }
  invisible(g)
}

test_that("network(c(T, F)) is a sequence input and takes n x T x F arrays", {
  net <- network(c(7, 3))
  expect_identical(net$input_shape, c(1L, 7L, 3L))
  x <- seq_data(4, 7, 3)
  xe <- statlearn:::network_input(x, net)
  expect_identical(dim(xe), c(21L, 4L))
  # features fastest, then time: entry f + F * t of example i is x[i, t, f]
  expect_identical(xe[2 + 3 * 4, 3], x[3, 5, 2])
  # the same data as an n x (T * F) matrix in that order
  m <- t(xe)
  expect_identical(statlearn:::network_input(m, net), xe)
  expect_statlearn_error(statlearn:::network_input(x[, 1:6, ], net), "statlearn_error_shape", "4 x 7 x 3|7 x 3")
})

test_that("network_input() lays out matrices and arrays as aperm() does, and checks them in the same pass", {
  set.seed(11)
  cases <- list(list(shape = 12, d = c(5, 12)), list(shape = c(4, 3), d = c(6, 4, 3)),
                list(shape = c(1, 5), d = c(3, 1, 5)), list(shape = c(3, 4, 1), d = c(2, 3, 4)),
                list(shape = c(3, 2, 4), d = c(7, 3, 2, 4)), list(shape = c(2, 2, 2), d = c(1, 2, 2, 2)))
  for (cs in cases) {
    net <- network(cs$shape)
    x <- array(rnorm(prod(cs$d)), cs$d)
    ref <- if (length(cs$d) == 2L) t(x) else aperm(x, rev(seq_along(cs$d)))
    dim(ref) <- c(prod(cs$d[-1L]), cs$d[1L])
    got <- statlearn:::network_input(x, net)
    expect_identical(got, ref)
    expect_null(attr(got, "max_abs"))
    # integer and logical arrays are converted
    xi <- array(sample(-3:3, prod(cs$d), TRUE), cs$d)
    refi <- if (length(cs$d) == 2L) t(xi) else aperm(xi, rev(seq_along(cs$d)))
    storage.mode(refi) <- "double"
    dim(refi) <- dim(ref)
    expect_identical(statlearn:::network_input(xi, net), refi)
  }
  net <- network(c(4, 3))
  x <- array(rnorm(24), c(2, 4, 3))
  for (bad in c(NA, NaN, Inf, -Inf)) {
    xb <- x
    xb[2, 3, 1] <- bad
    expect_statlearn_error(statlearn:::network_input(xb, net), "statlearn_error_nonfinite", "x")
  }
  xb <- x
  xb[1, 1, 2] <- -1e20
  expect_statlearn_error(statlearn:::network_input(xb, net, precision = "single"), "statlearn_error_range",
                         "1e\\+20")
  expect_identical(dim(statlearn:::network_input(xb, net)), c(12L, 2L))
})

test_that("forward passes equal a plain R implementation (float64 1e-12, float32 1e-5)", {
  x <- seq_data(5, 6, 3)
  cases <- list(list(cell = "lstm"), list(cell = "gru"), list(cell = "simple_rnn", act = "tanh"),
                list(cell = "simple_rnn", act = "relu"), list(cell = "simple_rnn", act = "sigmoid"))
  for (cs in cases) {
    act <- if (is.null(cs$act)) "tanh" else cs$act
    for (rs in c(FALSE, TRUE)) {
      net <- network(c(6, 3))
      net <- switch(cs$cell, lstm = layer_lstm(net, 4, return_sequences = rs),
                    gru = layer_gru(net, 4, return_sequences = rs),
                    simple_rnn = layer_simple_rnn(net, 4, activation = act, return_sequences = rs))
      w <- random_weights(net, seed = 3)
      label <- sprintf("%s %s return_sequences = %s", cs$cell, act, rs)
      for (precision in c("double", "single")) {
        got <- predict(fit_with(net, w, precision), x, threads = 1)
        for (i in 1:5) {
          ref <- ref_recurrent(x[i, , ], w[[1]], cs$cell, act)
          want <- if (rs) ref$seq else ref$last
          have <- if (rs) as_steps(got, 6, 4)[i, , ] else got[i, ]
          expect_equal(have, want, tolerance = if (precision == "double") 1e-12 else 1e-5,
                       label = paste(label, precision, "example", i))
        }
      }
    }
  }
})

test_that("bidirectional layers concatenate or sum a forward and a time-reversed pass", {
  x <- seq_data(4, 5, 2)
  for (cell in c("lstm", "gru", "simple_rnn")) {
    for (merge in c("concat", "sum")) for (rs in c(FALSE, TRUE)) {
      net <- network(c(5, 2)) |> layer_bidirectional(cell, 3, merge = merge, return_sequences = rs)
      w <- random_weights(net, seed = 4)
      wf <- stats::setNames(w[[1]][startsWith(names(w[[1]]), "forward_")], NULL)
      wb <- stats::setNames(w[[1]][startsWith(names(w[[1]]), "backward_")], NULL)
      nms <- sub("^forward_", "", names(w[[1]])[startsWith(names(w[[1]]), "forward_")])
      names(wf) <- names(wb) <- nms
      got <- predict(fit_with(net, w), x, threads = 1)
      width <- if (merge == "concat") 6 else 3
      for (i in 1:4) {
        f <- ref_recurrent(x[i, , ], wf, cell)
        b <- ref_recurrent(x[i, , ], wb, cell, reverse = TRUE)
        want <- if (rs) {
          if (merge == "concat") cbind(f$seq, b$seq) else f$seq + b$seq
        } else {
          if (merge == "concat") c(f$last, b$last) else f$last + b$last
        }
        have <- if (rs) as_steps(got, 5, width)[i, , ] else got[i, ]
        expect_equal(have, want, tolerance = 1e-12, label = sprintf("%s %s rs = %s, example %d", cell, merge, rs, i))
      }
    }
  }
})

test_that("BPTT matches finite differences (float64): every cell, bidirectional, stacked, masked", {
  x <- seq_data(6, 5, 3)
  y <- matrix(rnorm(12), 6, 2)
  for (cell in c("simple_rnn", "lstm", "gru")) {
    net <- network(c(5, 3))
    net <- switch(cell, lstm = layer_lstm(net, 4), gru = layer_gru(net, 4), simple_rnn = layer_simple_rnn(net, 4))
    expect_gradients(layer_dense(net, 2), x, y)
    for (merge in c("concat", "sum")) {
      net <- network(c(5, 3)) |> layer_bidirectional(cell, 3, merge = merge, return_sequences = TRUE) |>
        layer_bidirectional(cell, 2, merge = merge) |> layer_dense(2)
      expect_gradients(net, x, y)
    }
  }
  net <- network(c(5, 3)) |> layer_simple_rnn(4, activation = "sigmoid", return_sequences = TRUE) |>
    layer_gru(4, return_sequences = TRUE) |> layer_lstm(3) |> layer_dense(2)
  expect_gradients(net, x, y)
  # Masked: padding at the end, at the start, and a fully masked example.
  xm <- x
  xm[1, 4:5, ] <- 0
  xm[2, 1:2, ] <- 0
  xm[3, , ] <- 0
  xm[4, 2, ] <- 0
  for (cell in c("simple_rnn", "lstm", "gru")) {
    net <- network(c(5, 3)) |> layer_masking() |> layer_bidirectional(cell, 3, return_sequences = TRUE) |>
      layer_dropout(0) |> layer_lstm(3) |> layer_dense(2)
    expect_gradients(net, xm, y)
  }
  # A float32 check of the fast engine (looser: float rounding).
  net <- network(c(5, 3)) |> layer_lstm(6, return_sequences = TRUE) |> layer_gru(4) |> layer_dense(2)
  expect_gradients(net, x, y, tol = 2e-3, precision = "single")
})

test_that("masking equals running the unpadded sequences one by one", {
  set.seed(5)
  n <- 6
  len <- c(5, 3, 1, 4, 2, 5)
  x <- array(0, c(n, 5, 2))
  for (i in 1:n) x[i, seq_len(len[i]), ] <- rnorm(2 * len[i])
  for (cell in c("lstm", "gru", "simple_rnn")) {
    mk <- function(steps, rs, masked = FALSE) {
      net <- network(c(steps, 2))
      if (masked) net <- layer_masking(net)
      net |> layer_bidirectional(cell, 3, return_sequences = TRUE) |>
        layer_bidirectional(cell, 2, return_sequences = rs, merge = "sum")
    }
    for (rs in c(FALSE, TRUE)) {
      full <- mk(5, rs, masked = TRUE)
      w <- random_weights(full, seed = 6)
      got <- predict(fit_with(full, w), x, threads = 1)
      for (i in 1:n) {
        one <- mk(len[i], rs)
        ref <- predict(fit_with(one, w[-1]), x[i, seq_len(len[i]), , drop = FALSE], threads = 1)
        if (rs) {
          have <- as_steps(got, 5, 2)[i, , ]
          want <- matrix(as_steps(ref, len[i], 2)[1, , ], len[i], 2)
          expect_equal(have[seq_len(len[i]), , drop = FALSE], want, tolerance = 1e-12,
                       label = sprintf("%s seq example %d", cell, i))
          expect_true(all(have[-seq_len(len[i]), ] == 0), label = "masked steps output zero")
        } else {
          expect_equal(got[i, ], ref[1, ], tolerance = 1e-12, label = sprintf("%s last example %d", cell, i))
        }
      }
    }
  }
  # mask_value other than 0; the mask passes dropout and ends at a layer that drops the time axis.
  xv <- x
  xv[xv == 0] <- -1
  net <- network(c(5, 2)) |> layer_masking(-1) |> layer_lstm(3)
  w <- random_weights(net, seed = 7)
  net0 <- network(c(5, 2)) |> layer_masking() |> layer_lstm(3)
  expect_equal(predict(fit_with(net, w), xv), predict(fit_with(net0, w), x), tolerance = 1e-14)
})

test_that("layer shapes, parameter counts (keras' formulas) and printing", {
  f <- 7; u <- 5
  net <- network(c(9, f)) |> layer_lstm(u, return_sequences = TRUE) |> layer_gru(4, return_sequences = TRUE) |>
    layer_simple_rnn(3) |> layer_dense(1)
  s <- summary(net)
  expect_equal(s$params[1], 4 * (f * u + u * u + u))            # keras LSTM, one bias
  expect_equal(s$params[2], 3 * (u * 4 + 4 * 4 + 2 * 4))        # keras GRU, reset_after = TRUE
  expect_equal(s$params[3], 4 * 3 + 3 * 3 + 3)                  # keras SimpleRNN
  expect_identical(s$output_shape, c("9 x 5", "9 x 4", "3", "1"))
  expect_output(print(net), "lstm_1 \\(lstm\\) +9 x 5 +260")
  expect_output(print(net), "input 9 x 7")
  bi <- network(c(9, f)) |> layer_bidirectional("lstm", u, return_sequences = TRUE) |>
    layer_bidirectional("gru", 2, merge = "sum")
  sb <- summary(bi)
  expect_equal(sb$params, c(2 * 4 * (f * u + u * u + u), 2 * 3 * (2 * u * 2 + 4 + 4)))
  expect_identical(sb$output_shape, c("9 x 10", "2"))
  expect_output(print(bi), "bidirectional_1 \\(bidirectional lstm, concat\\)")
  # initial weights: shapes, orthogonal recurrent kernel, LSTM forget bias 1
  w <- statlearn:::with_seed(1, statlearn:::init_weights(net))
  expect_identical(dim(w[[1]]$kernel), c(7L, 20L))
  expect_identical(dim(w[[1]]$recurrent_kernel), c(5L, 20L))
  expect_equal(tcrossprod(w[[1]]$recurrent_kernel), diag(5), tolerance = 1e-12)
  expect_identical(w[[1]]$bias, rep(c(0, 1, 0, 0), each = 5))
  expect_identical(names(w[[2]]), c("kernel", "recurrent_kernel", "bias", "recurrent_bias"))
  expect_equal(crossprod(w[[3]]$recurrent_kernel), diag(3), tolerance = 1e-12)
  wb <- statlearn:::with_seed(1, statlearn:::init_weights(bi))
  expect_identical(names(wb[[2]]), paste0(rep(c("forward_", "backward_"), each = 4),
                                          c("kernel", "recurrent_kernel", "bias", "recurrent_bias")))
})

test_that("1 and 2 threads give identical fits and predictions", {
  set.seed(8)
  x <- array(rnorm(96 * 8 * 6), c(96, 8, 6))
  x[1:10, 7:8, ] <- 0
  y <- rnorm(96)
  net <- network(c(8, 6)) |> layer_masking() |> layer_bidirectional("lstm", 64, return_sequences = TRUE) |>
    layer_gru(20) |> layer_dense(1)
  a <- train_network(net, x, y, epochs = 2, batch_size = 64, seed = 1, threads = 1, verbose = FALSE)
  b <- train_network(net, x, y, epochs = 2, batch_size = 64, seed = 1, threads = 2, verbose = FALSE)
  expect_identical(a$weights, b$weights)
  expect_identical(a$history$loss, b$history$loss)
  expect_identical(predict(a, x, threads = 1), predict(a, x, threads = 2))
})

test_that("resuming a recurrent network's training (after saveRDS) continues exactly where it stopped", {
  set.seed(21)
  x <- array(rnorm(40 * 6 * 3), c(40, 6, 3))
  y <- matrix(sample(c("a", "b", "c"), 40 * 6, TRUE), 40, 6)
  y[1:5, 1:2] <- NA
  y <- factor(y)
  dim(y) <- c(40, 6)
  net <- network(c(6, 3)) |> layer_lstm(5, return_sequences = TRUE) |>
    layer_gru(4, return_sequences = TRUE) |> layer_time_distributed(3)
  opt <- optimizer_adam(lr = 0.01, clip_norm = 0.5)
  full <- train_network(net, x, y, epochs = 4, batch_size = 16, optimizer = opt, seed = 3, threads = 2,
                        verbose = FALSE)
  half <- train_network(net, x, y, epochs = 2, batch_size = 16, optimizer = opt, seed = 3, threads = 2,
                        verbose = FALSE)
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(half, f)
  rest <- train_network(readRDS(f), x, y, epochs = 2, batch_size = 16, threads = 1, verbose = FALSE)
  expect_false(identical(half$weights, full$weights))
  expect_identical(rest$weights, full$weights)
  expect_identical(rest$history$loss, full$history$loss)
  expect_equal(rest$epochs, 4)
})

test_that("saveRDS/readRDS in a fresh R process predicts identically", {
  x <- seq_data(20, 6, 2)
  y <- factor(rep(c("a", "b"), 10))
  net <- network(c(6, 2)) |> layer_masking() |> layer_lstm(4, return_sequences = TRUE) |> layer_gru(3) |>
    layer_dense(2)
  fit <- train_network(net, x, y, epochs = 2, batch_size = 8, seed = 2, threads = 1, verbose = FALSE)
  f <- tempfile(fileext = ".rds")
  out <- tempfile(fileext = ".rds")
  on.exit(unlink(c(f, out)))
  saveRDS(list(fit = fit, x = x), f)
  run_in_fresh_r(c("library(statlearn)", sprintf("o <- readRDS('%s')", f),
                   sprintf("saveRDS(predict(o$fit, o$x, type = 'prob', threads = 1), '%s')", out)))
  expect_identical(readRDS(out), predict(fit, x, type = "prob", threads = 1))
})

test_that("an LSTM learns the adding problem (T = 10) and a simple RNN the sum of a sequence", {
  skip_if_not(full_tests())
  set.seed(9)
  adding <- function(n, steps) {
    v <- matrix(runif(n * steps), n, steps)
    m <- matrix(0, n, steps)
    for (i in 1:n) m[i, sample(steps, 2)] <- 1
    list(x = array(c(v, m), c(n, steps, 2)), y = rowSums(v * m))
  }
  tr <- adding(3000, 10)
  te <- adding(500, 10)
  net <- network(c(10, 2)) |> layer_lstm(24) |> layer_dense(1)
  fit <- train_network(net, tr$x, tr$y, optimizer = optimizer_adam(lr = 0.01), epochs = 25, batch_size = 32,
                       seed = 1, threads = 2, verbose = FALSE)
  mse <- mean((predict(fit, te$x) - te$y)^2)
  # Predicting the mean (1) gives MSE var(y) = 2 / 12 = 0.167.
  expect_lt(mse, 0.01, label = "adding problem test MSE")
  x <- array(runif(1000 * 5), c(1000, 5, 1))
  y <- apply(x, 1, sum)
  fit <- train_network(network(c(5, 1)) |> layer_simple_rnn(8) |> layer_dense(1), x, y,
                       optimizer = optimizer_adam(lr = 0.01), epochs = 40, batch_size = 32, seed = 1,
                       threads = 1, verbose = FALSE)
  expect_lt(mean((predict(fit, x) - y)^2), 0.01, label = "sum of a sequence MSE")
})

test_that("bad input gets classed errors naming the layer and the shape", {
  expect_statlearn_error(network(5) |> layer_lstm(4), "statlearn_error_shape",
                         "layer lstm_1.*a flat input of 5 features from the network input")
  expect_statlearn_error(network(c(6, 2)) |> layer_dense(3) |> layer_gru(4), "statlearn_error_shape",
                         "gru_1.*flat input of 3 features from layer dense_1")
  expect_statlearn_error(network(c(6, 2)) |> layer_lstm(3) |> layer_lstm(4), "statlearn_error_shape",
                         "return_sequences = FALSE")
  expect_statlearn_error(network(c(8, 8, 3)) |> layer_simple_rnn(4), "statlearn_error_shape",
                         "an image 8 x 8 x 3")
  expect_statlearn_error(network(c(6, 2)) |> layer_flatten() |> layer_masking(), "statlearn_error_shape",
                         "masking_1")
  net <- network(c(6, 2))
  expect_statlearn_error(layer_lstm(net, 0), "statlearn_error_range", "units")
  expect_statlearn_error(layer_lstm(net, "a"), pattern = "units")
  expect_statlearn_error(layer_gru(net, 3, return_sequences = NA), "statlearn_error_type", "return_sequences")
  expect_statlearn_error(layer_simple_rnn(net, 3, activation = "softmax"), pattern = "activation")
  expect_statlearn_error(layer_bidirectional(net, "conv2d", 3), pattern = "layer")
  expect_statlearn_error(layer_bidirectional(net, "lstm", 3, merge = "mul"), pattern = "merge")
  expect_statlearn_error(layer_masking(net, mask_value = NA), pattern = "mask_value")
  expect_statlearn_error(layer_lstm(list(), 3), "statlearn_error_type", "net")
  expect_statlearn_error(network(c(0, 3)), "statlearn_error_range", "input_shape")
  expect_statlearn_error(network(c(2.5, 3)), "statlearn_error_type", "input_shape")
  fit_net <- net |> layer_lstm(3) |> layer_dense(1)
  expect_statlearn_error(train_network(fit_net, seq_data(4, 5, 2), rnorm(4), epochs = 1, threads = 1,
                                       verbose = FALSE), "statlearn_error_shape", "6 x 2")
  expect_statlearn_error(train_network(fit_net, seq_data(4, 6, 3), rnorm(4), epochs = 1, threads = 1,
                                       verbose = FALSE), "statlearn_error_shape", "x")
})

test_that("the LSTM's outputs and gradients equal PyTorch's on the same weights", {
  # The first python3 that imports torch (Debian's python3-torch lives in /usr/bin/python3).
  cand <- unique(c(Sys.getenv("STATLEARN_PYTHON"), Sys.which("python3"), "/usr/bin/python3"))
  cand <- cand[nzchar(cand) & file.exists(cand)]
  has_torch <- vapply(cand, function(p) {
    suppressWarnings(system2(p, c("-c", shQuote("import torch, numpy")), stdout = FALSE, stderr = FALSE)) == 0
  }, TRUE)
  skip_if(!any(has_torch), "PyTorch (python3 -c 'import torch') not available")
  py <- cand[has_torch][1]
  n <- 4; steps <- 6; f <- 3; u <- 5
  x <- seq_data(n, steps, f)
  target <- array(rnorm(n * steps * u), c(n, steps, u))
  net <- network(c(steps, f)) |> layer_lstm(u, return_sequences = TRUE)
  w <- random_weights(net, seed = 10)
  dir <- tempfile("torch")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE))
  wr <- function(v, nm) utils::write.table(as.vector(v), file.path(dir, nm), row.names = FALSE, col.names = FALSE)
  wr(aperm(x, c(3, 2, 1)), "x.txt")                    # features fastest, then time, then example
  wr(aperm(target, c(3, 2, 1)), "y.txt")
  wr(w[[1]]$kernel, "kernel.txt")                      # F x 4U column-major
  wr(w[[1]]$recurrent_kernel, "recurrent.txt")
  wr(w[[1]]$bias, "bias.txt")
  script <- file.path(dir, "lstm.py")
  writeLines(c(
    "import sys, numpy as np, torch",
    sprintf("n, T, F, U = %d, %d, %d, %d", n, steps, f, u),
    "d = sys.argv[1]",
    "ld = lambda nm: np.loadtxt(d + '/' + nm)",
    "x = torch.tensor(ld('x.txt').reshape(n, T, F), dtype=torch.float64)",
    "y = torch.tensor(ld('y.txt').reshape(n, T, U), dtype=torch.float64)",
    "K = ld('kernel.txt').reshape(4 * U, F)",         # column-major F x 4U = row-major 4U x F
    "R = ld('recurrent.txt').reshape(4 * U, U)",
    "b = ld('bias.txt')",
    "m = torch.nn.LSTM(F, U, batch_first=True).double()",
    "with torch.no_grad():",
    "    m.weight_ih_l0.copy_(torch.tensor(K)); m.weight_hh_l0.copy_(torch.tensor(R))",
    "    m.bias_ih_l0.copy_(torch.tensor(b)); m.bias_hh_l0.zero_()",
    "out, _ = m(x)",
    "loss = ((out - y) ** 2).mean()",
    "loss.backward()",
    "np.savetxt(d + '/out.txt', out.detach().numpy().reshape(-1))",
    "np.savetxt(d + '/gk.txt', m.weight_ih_l0.grad.numpy().reshape(-1))",
    "np.savetxt(d + '/gr.txt', m.weight_hh_l0.grad.numpy().reshape(-1))",
    "np.savetxt(d + '/gb.txt', m.bias_ih_l0.grad.numpy().reshape(-1))"), script)
  status <- system2(py, c(script, dir), stdout = FALSE, stderr = FALSE)
  expect_equal(status, 0)
  rd <- function(nm) scan(file.path(dir, nm), quiet = TRUE)
  for (precision in c("double", "single")) {
    got <- predict(fit_with(net, w, precision), x, threads = 1)
    # torch's out is n x T x U row-major: u fastest, then t, then example
    expect_equal(as.vector(t(got)), rd("out.txt"), tolerance = 1e-5, label = paste("outputs", precision))
    ptr <- statlearn:::new_session(net, "mse", w, optimizer_sgd(), NULL, precision, 1L, 1)
    xe <- statlearn:::network_input(x, net)
    statlearn:::nn_session_data(ptr, 0L, xe, t(matrix(aperm(target, c(1, 3, 2)), n)))
    g <- statlearn:::nn_session_gradient(ptr, 0L)$gradients
    # weight_ih.grad is 4U x F row-major = our F x 4U kernel column-major
    expect_equal(g[[1]], rd("gk.txt"), tolerance = 1e-5, label = paste("kernel gradient", precision))
    expect_equal(g[[2]], rd("gr.txt"), tolerance = 1e-5, label = paste("recurrent gradient", precision))
    expect_equal(g[[3]], rd("gb.txt"), tolerance = 1e-5, label = paste("bias gradient", precision))
  }
})

# dropout and recurrent_dropout ---------------------------------------------
# The exact equations with the layer's own masks (a naive loop) and BPTT with
# the masks fixed are C++ unit tests of the core (src/test-recurrent.cpp, run
# by test-cpp.R). Here: the engine's path from R, read through the gradients
# of a one-example batch in training mode (optimizer step 0).

# Training-mode loss and gradients of one batch (double precision, step 0).
session_gradient <- function(net, w, x, y, seed = 1) {
  ptr <- statlearn:::new_session(net, "mse", w, optimizer_sgd(), NULL, "double", 1L, seed)
  statlearn:::nn_session_data(ptr, 0L, statlearn:::network_input(x, net), y)
  statlearn:::nn_session_gradient(ptr, 0L)
}

test_that("dropout: input masks drop the rate's fraction of features, scaled, the same at every step", {
  p <- 0.3
  n_f <- 3000
  sd4 <- 4.5 * sqrt(p * (1 - p) / n_f)
  # One step, one unit, identity: y = kernel' (x * m) + b, loss y^2, so
  # d/dkernel_f = 2 y x_f m_f and d/db = 2 y give the mask m_f.
  net <- network(c(1, n_f)) |> layer_simple_rnn(1, activation = "identity", dropout = p)
  set.seed(12)
  w <- list(list(kernel = matrix(runif(n_f, -1, 1), n_f, 1), recurrent_kernel = matrix(0.5, 1, 1), bias = 0.3))
  x <- array(runif(n_f, 0.5, 1), c(1, 1, n_f))
  g <- session_gradient(net, w, x, matrix(0, 1, 1))$gradients
  m <- g[[1]] / (g[[3]] * x[1, 1, ])
  kept <- m != 0
  expect_equal(m[kept], rep(1 / (1 - p), sum(kept)), tolerance = 1e-10, label = "kept features scaled by 1 / (1 - rate)")
  expect_lt(abs(mean(!kept) - p), sd4, label = "fraction of input features dropped")
  # Another seed, other masks; prediction uses none.
  g2 <- session_gradient(net, w, x, matrix(0, 1, 1), seed = 2)$gradients
  expect_false(identical(g2[[1]] == 0, g[[1]] == 0))
  net0 <- network(c(1, n_f)) |> layer_simple_rnn(1, activation = "identity")
  expect_identical(predict(fit_with(net, w), x), predict(fit_with(net0, w), x))
  # Three steps: d/dkernel_f = m_f sum_t x_tf dG_t is zero for the fraction
  # `rate` of features (one mask for all steps; a mask per step would zero
  # only rate^3 = 0.027 of them).
  net3 <- network(c(3, n_f)) |> layer_simple_rnn(1, activation = "identity", dropout = p)
  x3 <- array(runif(3 * n_f, 0.5, 1), c(1, 3, n_f))
  g3 <- session_gradient(net3, w, x3, matrix(0, 1, 1))$gradients
  expect_lt(abs(mean(g3[[1]] == 0) - p), sd4, label = "features dropped at every step")
})

test_that("recurrent_dropout: state masks drop the rate's fraction of units before the recurrent product", {
  p <- 0.4
  u <- 800
  # Two steps, x_0 = 0 so h_0 = b; the recurrent kernel's gradient is
  # (h_0 * m) dG_1', and dG_1 = d/dkernel / x_1: so row u gives m_u.
  net <- network(c(2, 1)) |> layer_simple_rnn(u, activation = "identity", recurrent_dropout = p)
  set.seed(13)
  w <- list(list(kernel = matrix(runif(u, -1, 1), 1, u), recurrent_kernel = matrix(runif(u * u, -0.05, 0.05), u, u),
                 bias = runif(u, 0.5, 1)))
  x <- array(c(0, 0.7), c(1, 2, 1))
  g <- session_gradient(net, w, x, matrix(0, u, 1))$gradients
  dg1 <- g[[1]] / 0.7
  gw <- matrix(g[[2]], u, u)
  v <- which.max(abs(dg1))
  m <- gw[, v] / (w[[1]]$bias * dg1[v])
  kept <- m != 0
  expect_equal(m[kept], rep(1 / (1 - p), sum(kept)), tolerance = 1e-8, label = "kept units scaled by 1 / (1 - rate)")
  expect_lt(abs(mean(!kept) - p), 4.5 * sqrt(p * (1 - p) / u), label = "fraction of state units dropped")
  # the whole row of a dropped unit is zero, of a kept one non-zero
  expect_identical(rowSums(gw != 0) == 0, !kept)
})

test_that("dropout and recurrent_dropout: BPTT matches finite differences with the masks of one step", {
  x <- seq_data(6, 5, 3)
  y <- matrix(rnorm(12), 6, 2)
  for (cell in c("simple_rnn", "lstm", "gru")) {
    mk <- function(d, rd) {
      net <- network(c(5, 3))
      net <- switch(cell, lstm = layer_lstm(net, 4, return_sequences = TRUE, dropout = d, recurrent_dropout = rd),
                    gru = layer_gru(net, 4, return_sequences = TRUE, dropout = d, recurrent_dropout = rd),
                    simple_rnn = layer_simple_rnn(net, 4, return_sequences = TRUE, dropout = d, recurrent_dropout = rd))
      net |> layer_bidirectional(cell, 3, dropout = d, recurrent_dropout = rd) |> layer_dense(2)
    }
    net <- mk(0.3, 0.4)
    expect_gradients(net, x, y)
    # The masks are active in the checked batch: its loss is not the undropped one.
    w <- random_weights(net, seed = 14)
    expect_false(isTRUE(all.equal(session_gradient(net, w, x, t(y))$loss,
                                  session_gradient(mk(0, 0), w, x, t(y))$loss)))
    # and prediction is the undropped network's
    expect_identical(predict(fit_with(net, w), x), predict(fit_with(mk(0, 0), w), x))
  }
  # with a time-step mask
  xm <- x
  xm[1, 4:5, ] <- 0
  xm[3, , ] <- 0
  net <- network(c(5, 3)) |> layer_masking() |> layer_lstm(3, return_sequences = TRUE, dropout = 0.5) |>
    layer_gru(3, recurrent_dropout = 0.5) |> layer_dense(2)
  expect_gradients(net, xm, y)
})

test_that("dropout: 1 and 2 threads give identical fits; set.seed() reproduces a fit", {
  set.seed(15)
  x <- array(rnorm(96 * 8 * 6), c(96, 8, 6))
  y <- rnorm(96)
  net <- network(c(8, 6)) |>
    layer_bidirectional("lstm", 64, return_sequences = TRUE, dropout = 0.2, recurrent_dropout = 0.3) |>
    layer_gru(20, dropout = 0.1, recurrent_dropout = 0.2) |> layer_dense(1)
  a <- train_network(net, x, y, epochs = 2, batch_size = 64, seed = 1, threads = 1, verbose = FALSE)
  b <- train_network(net, x, y, epochs = 2, batch_size = 64, seed = 1, threads = 2, verbose = FALSE)
  expect_identical(a$weights, b$weights)
  expect_identical(a$history$loss, b$history$loss)
  net0 <- network(c(8, 6)) |> layer_bidirectional("lstm", 64, return_sequences = TRUE) |> layer_gru(20) |>
    layer_dense(1)
  c0 <- train_network(net0, x, y, epochs = 2, batch_size = 64, seed = 1, threads = 1, verbose = FALSE)
  expect_false(identical(a$weights, c0$weights))
  small <- network(c(8, 6)) |> layer_lstm(5, dropout = 0.3, recurrent_dropout = 0.3) |> layer_dense(1)
  fit <- function() train_network(small, x, y, epochs = 2, batch_size = 16, threads = 1, verbose = FALSE)
  set.seed(16)
  f1 <- fit()
  set.seed(16)
  f2 <- fit()
  set.seed(17)
  f3 <- fit()
  expect_identical(f1$weights, f2$weights)
  expect_identical(f1$history$loss, f2$history$loss)
  expect_false(identical(f1$weights, f3$weights))
})

test_that("dropout rates survive saveRDS/readRDS, print when not zero, and bad rates get classed errors", {
  x <- seq_data(20, 6, 2)
  y <- rnorm(20)
  net <- network(c(6, 2)) |> layer_lstm(4, return_sequences = TRUE, dropout = 0.25, recurrent_dropout = 0.5) |>
    layer_bidirectional("gru", 3, dropout = 0.1, recurrent_dropout = 0.2) |> layer_dense(1)
  expect_identical(net$layers[[1]]$dropout, 0.25)
  expect_identical(net$layers[[2]]$recurrent_dropout, 0.2)
  fit <- train_network(net, x, y, epochs = 2, batch_size = 8, seed = 3, threads = 1, verbose = FALSE)
  f <- tempfile(fileext = ".rds")
  out <- tempfile(fileext = ".rds")
  on.exit(unlink(c(f, out)))
  saveRDS(list(net = net, x = x, y = y), f)
  # A fresh process trains the read specification to the same fit.
  run_in_fresh_r(c("library(statlearn)", sprintf("o <- readRDS('%s')", f),
                   "fit <- train_network(o$net, o$x, o$y, epochs = 2, batch_size = 8, seed = 3, threads = 1, verbose = FALSE)",
                   sprintf("saveRDS(list(net = o$net, w = fit$weights), '%s')", out)))
  back <- readRDS(out)
  expect_identical(back$net, net)
  expect_identical(back$w, fit$weights)
  # printing
  expect_output(print(net), "lstm_1 \\(lstm, dropout 0.25, recurrent_dropout 0.5\\)")
  expect_output(print(net), "bidirectional_1 \\(bidirectional gru, concat, dropout 0.1, recurrent_dropout 0.2\\)")
  expect_output(print(network(c(6, 2)) |> layer_simple_rnn(3, recurrent_dropout = 0.3)),
                "simple_rnn_1 \\(simple_rnn, tanh, recurrent_dropout 0.3\\)")
  expect_output(print(network(c(6, 2)) |> layer_gru(3, dropout = 0)), "gru_1 \\(gru\\) ")
  # errors: the argument, the layer, what was expected and what was given
  base <- network(c(6, 2))
  ctors <- list(lstm = function(...) layer_lstm(base, 3, ...), gru = function(...) layer_gru(base, 3, ...),
                simple_rnn = function(...) layer_simple_rnn(base, 3, ...),
                bidirectional = function(...) layer_bidirectional(base, "lstm", 3, ...))
  for (nm in names(ctors)) for (arg in c("dropout", "recurrent_dropout")) {
    make <- function(v) do.call(ctors[[nm]], stats::setNames(list(v), arg))
    pat <- function(got) sprintf("`%s` of layer %s_1 must be .*; got %s", arg, nm, got)
    expect_statlearn_error(make(-0.1), "statlearn_error_range", pat("-0.1"))
    expect_statlearn_error(make(1), "statlearn_error_range", "must be in \\[0, 1\\); got 1")
    expect_statlearn_error(make(NA), "statlearn_error_type", pat("logical NA"))
    expect_statlearn_error(make("a"), "statlearn_error_type", pat("character a"))
  }
})

# ---- initial and final states, stateful layers (truncated BPTT) ------------

test_that("initial states: outputs and final states equal a plain R recurrence started there", {
  n <- 5
  x <- seq_data(n = n, steps = 6, features = 3, seed = 21)
  for (cell in c("simple_rnn", "lstm", "gru")) {
    ctor <- match.fun(paste0("layer_", cell))
    net <- network(c(6, 3)) |> ctor(4, return_sequences = TRUE, name = "r")
    w <- random_weights(net, seed = 22)
    fit <- fit_with(net, w)
    set.seed(23)
    h0 <- matrix(runif(n * 4, -1, 1), n, 4)
    c0 <- matrix(runif(n * 4, -1, 1), n, 4)
    init <- list(r = if (cell == "lstm") list(h = h0, c = c0) else list(h = h0))
    got <- as_steps(predict(fit, x, initial_state = init), 6, 4)
    st <- recurrent_state(fit, x, initial_state = init)
    expect_named(st, "r")
    expect_named(st$r, if (cell == "lstm") c("h", "c") else "h")
    for (i in seq_len(n)) {
      ref <- ref_recurrent(x[i, , ], w[[1]], cell, h0 = h0[i, ], c0 = if (cell == "lstm") c0[i, ])
      expect_equal(got[i, , ], ref$seq, tolerance = 1e-12, label = sprintf("%s outputs, example %d", cell, i))
      expect_equal(st$r$h[i, ], ref$last, tolerance = 1e-12, label = sprintf("%s last h, example %d", cell, i))
      if (cell == "lstm") expect_equal(st$r$c[i, ], ref$cell, tolerance = 1e-12)
    }
    # Without initial_state: zero, and different from the run above.
    zero <- recurrent_state(fit, x)
    expect_equal(zero$r$h[1, ], ref_recurrent(x[1, , ], w[[1]], cell)$last, tolerance = 1e-12)
    expect_gt(max(abs(zero$r$h - st$r$h)), 1e-3)
  }
  # An LSTM given h alone starts its cell at zero.
  net <- network(c(6, 3)) |> layer_lstm(4, name = "r")
  w <- random_weights(net, seed = 24)
  h0 <- matrix(0.3, n, 4)
  got <- recurrent_state(fit_with(net, w), x, initial_state = list(r = h0))$r$h
  expect_equal(got[2, ], ref_recurrent(x[2, , ], w[[1]], "lstm", h0 = h0[2, ])$last, tolerance = 1e-12)
})

test_that("a sequence run in two windows, carrying the state, equals the run of the whole", {
  n <- 40
  x <- seq_data(n = n, steps = 8, features = 2, seed = 25)
  x[2, 1:4, ] <- 0   # the whole first window of example 2 masked
  x[3, 7:8, ] <- 0   # the end of example 3 masked
  for (cell in c("simple_rnn", "lstm", "gru")) {
    ctor <- match.fun(paste0("layer_", cell))
    build <- function(steps) {
      network(c(steps, 2)) |> layer_masking() |> ctor(5, return_sequences = TRUE, name = "a") |>
        ctor(3, name = "b") |> layer_dense(2)
    }
    w <- random_weights(build(8), seed = 26)
    for (precision in c("double", "single")) {
      tol <- if (precision == "double") 1e-12 else 1e-5
      whole <- fit_with(build(8), w, precision)
      half <- fit_with(build(4), w, precision)
      s1 <- recurrent_state(half, x[, 1:4, , drop = FALSE], threads = 1)
      expect_equal(predict(half, x[, 5:8, , drop = FALSE], initial_state = s1, threads = 1),
                   predict(whole, x, threads = 1), tolerance = tol, label = paste(cell, precision))
      expect_equal(recurrent_state(half, x[, 5:8, , drop = FALSE], initial_state = s1),
                   recurrent_state(whole, x), tolerance = tol, label = paste(cell, precision, "states"))
      # 1 and 2 threads (several chunks of the batch), and small prediction batches: the same bits.
      expect_identical(predict(half, x[, 5:8, , drop = FALSE], initial_state = s1, threads = 2),
                       predict(half, x[, 5:8, , drop = FALSE], initial_state = s1, threads = 1, batch_size = 7))
    }
  }
})

# Mean squared error of a one-output fit on rows `rows`, from `state`.
window_loss <- function(net, w, x, y, rows, state) {
  p <- predict(fit_with(net, w), x[rows, , , drop = FALSE], initial_state = state)
  mean((p - y[rows])^2)
}

# The weights `w` (a list of layers' lists of arrays) with the values `v`.
refill <- function(w, v) {
  k <- 0
  lapply(w, function(layer) lapply(layer, function(m) {
    m[] <- v[k + seq_along(m)]
    k <<- k + length(m)
    m
  }))
}

numeric_gradient <- function(f, w, h = 1e-6) {
  flat <- unlist(w)
  g <- numeric(length(flat))
  for (k in seq_along(flat)) {
    up <- flat; up[k] <- up[k] + h
    dn <- flat; dn[k] <- dn[k] - h
    g[k] <- (f(refill(w, up)) - f(refill(w, dn))) / (2 * h)
  }
  g
}

test_that("stateful layers: truncated BPTT equals SGD on each window from the carried state", {
  # 3 streams of 2 windows of 4 steps; batch 1 = window 1 of every stream.
  set.seed(27)
  series <- matrix(rnorm(3 * 8 * 2), 3 * 8, 2)
  target <- rnorm(3 * 8)
  tb <- truncated_bptt_windows(series, target, steps = 4, batch_size = 3)
  x <- tb$x
  y <- tb$y[, 4]  # the target at each window's last step
  lr <- 0.2
  for (cell in c("lstm", "gru")) {
    ctor <- match.fun(paste0("layer_", cell))
    net <- network(c(4, 2)) |> ctor(3, stateful = TRUE, name = "r") |> layer_dense(1)
    w0 <- random_weights(net, seed = 28)
    fit <- train_network(fit_with(net, w0), x, y, optimizer = optimizer_sgd(lr = lr, momentum = 0),
                         epochs = 2, batch_size = 3, shuffle = FALSE, threads = 1, verbose = FALSE)
    # The same by hand: every epoch from the zero state; each window's gradient
    # by finite differences with its initial state held fixed.
    w <- w0
    for (epoch in 1:2) {
      state <- NULL
      for (rows in list(1:3, 4:6)) {
        g <- numeric_gradient(function(v) window_loss(net, v, x, y, rows, state), w)
        next_state <- recurrent_state(fit_with(net, w), x[rows, , , drop = FALSE], initial_state = state)
        w <- refill(w, unlist(w) - lr * g)
        state <- next_state
      }
    }
    expect_equal(unlist(fit$weights), unlist(w), tolerance = 1e-7, label = paste(cell, "weights after 2 epochs"))
    # Not carrying the state gives other weights.
    plain <- network(c(4, 2)) |> ctor(3, name = "r") |> layer_dense(1)
    fit0 <- train_network(fit_with(plain, w0), x, y, optimizer = optimizer_sgd(lr = lr, momentum = 0),
                          epochs = 2, batch_size = 3, shuffle = FALSE, threads = 1, verbose = FALSE)
    expect_gt(max(abs(unlist(fit0$weights) - unlist(w))), 1e-4)
  }
})

test_that("train_network(initial_state =): SGD steps equal finite differences from the fixed states", {
  n <- 4
  x <- seq_data(n = n, steps = 5, features = 2, seed = 30)
  set.seed(31)
  y <- rnorm(n)
  net <- network(c(5, 2)) |> layer_lstm(3, return_sequences = TRUE, name = "a") |>
    layer_gru(2, name = "b") |> layer_dense(1)
  init <- list(a = list(h = matrix(runif(n * 3, -1, 1), n, 3), c = matrix(runif(n * 3, -1, 1), n, 3)),
               b = matrix(runif(n * 2, -1, 1), n, 2))
  w0 <- random_weights(net, seed = 32)
  lr <- 0.3
  sgd <- optimizer_sgd(lr = lr, momentum = 0)
  # One full batch (the data used in place), then two mini-batches (gathered).
  for (batch in c(4, 2)) {
    fit <- train_network(fit_with(net, w0), x, y, optimizer = sgd, epochs = 1, batch_size = batch,
                         shuffle = FALSE, threads = 1, verbose = FALSE, initial_state = init)
    w <- w0
    for (rows in split(seq_len(n), ceiling(seq_len(n) / batch))) {
      part <- list(a = lapply(init$a, function(m) m[rows, , drop = FALSE]), b = init$b[rows, , drop = FALSE])
      g <- numeric_gradient(function(v) window_loss(net, v, x, y, rows, part), w)
      w <- refill(w, unlist(w) - lr * g)
    }
    expect_equal(unlist(fit$weights), unlist(w), tolerance = 1e-7, label = sprintf("batch %d", batch))
  }
})

test_that("train_network(initial_state =) keeps each example's state when shuffling and in validation", {
  # The target is the first entry of each example's initial state; the inputs
  # are zero, so only correctly aligned states can be learned.
  n <- 96
  set.seed(33)
  h0 <- matrix(runif(n * 2, -1, 1), n, 2)
  x <- array(0, c(n, 3, 1))
  y <- h0[, 1]
  net <- network(c(3, 1)) |> layer_simple_rnn(2, activation = "identity", name = "r") |> layer_dense(1)
  fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = 0.05), epochs = 60, batch_size = 8,
                       validation_split = 0.25, seed = 2, threads = 1, verbose = FALSE,
                       initial_state = list(r = h0), precision = "double")
  hold <- 73:96
  mse <- mean((predict(fit, x[hold, , , drop = FALSE], initial_state = list(r = h0[hold, ])) - y[hold])^2)
  expect_lt(mse, 1e-3)
  expect_gt(mean((predict(fit, x[hold, , , drop = FALSE], initial_state = list(r = h0[rev(hold), ])) - y[hold])^2), 0.1)
  # The last epoch's validation loss is evaluate() on the held-out rows with their states.
  ev <- evaluate(fit, x[hold, , , drop = FALSE], y[hold], initial_state = list(r = h0[hold, ]))
  expect_equal(unname(ev[["loss"]]), utils::tail(fit$history$val_loss, 1), tolerance = 1e-10)
  expect_equal(unname(ev[["loss"]]), mse, tolerance = 1e-10)
  # validation_data with its own states gives the same.
  fit2 <- train_network(net, x[-hold, , , drop = FALSE], y[-hold], optimizer = optimizer_adam(lr = 0.05),
                        epochs = 60, batch_size = 8, seed = 2, threads = 1, verbose = FALSE,
                        validation_data = list(x[hold, , , drop = FALSE], y[hold],
                                               initial_state = list(r = h0[hold, ])),
                        initial_state = list(r = h0[-hold, ]), precision = "double")
  expect_equal(fit2$history$val_loss, fit$history$val_loss, tolerance = 1e-12)
  st <- network(c(3, 1)) |> layer_simple_rnn(2, stateful = TRUE, name = "r") |> layer_dense(1)
  expect_error(train_network(st, x, y, batch_size = 8, shuffle = FALSE, verbose = FALSE,
                             initial_state = list(r = h0)),
               class = "statlearn_error_input", regexp = "initial_state.*stateful")
  expect_error(train_network(net, x, y, verbose = FALSE, initial_state = list(r = h0[1:5, ])),
               class = "statlearn_error_shape")
})

test_that("stateful training is the same for 1 and 2 threads and survives saveRDS", {
  set.seed(29)
  tb <- truncated_bptt_windows(rnorm(64 * 10), steps = 10, batch_size = 32)
  y <- rowMeans(tb$x)
  net <- network(c(10, 1)) |> layer_lstm(8, stateful = TRUE) |> layer_dense(1)
  run <- function(threads) {
    train_network(net, tb$x, y, epochs = 2, batch_size = 32, shuffle = FALSE, seed = 3,
                  threads = threads, verbose = FALSE)
  }
  f1 <- run(1)
  expect_identical(f1$weights, run(2)$weights)
  expect_output(print(net), "stateful")
  path <- tempfile(fileext = ".rds")
  saveRDS(f1, path)
  f2 <- readRDS(path)
  s <- recurrent_state(f1, tb$x)
  expect_identical(predict(f2, tb$x, initial_state = s), predict(f1, tb$x, initial_state = s))
})

test_that("truncated_bptt_windows lays out streams of consecutive windows", {
  w <- truncated_bptt_windows(1:26, y = 101:126, steps = 3, batch_size = 2)
  # 2 streams of 4 windows of 3 steps (24 steps used): stream 1 is 1:12, stream 2 13:24.
  expect_equal(w$x[1, ], 1:3)
  expect_equal(w$x[2, ], 13:15)
  expect_equal(w$x[3, ], 4:6)
  expect_equal(w$x[8, ], 22:24)
  expect_equal(w$y, w$x + 100)
  m <- cbind(1:12, -(1:12))
  a <- truncated_bptt_windows(m, steps = 2, batch_size = 3)$x
  expect_equal(dim(a), c(6, 2, 2))
  expect_equal(a[2, , 1], 5:6)
  expect_equal(a[2, , 2], -(5:6))
  expect_equal(a[4, , 1], 3:4)  # window 2 of stream 1 (1:4)
})

test_that("bad states, stateful settings and windows get classed errors", {
  x <- seq_data(n = 4, steps = 6, features = 3)
  net <- network(c(6, 3)) |> layer_gru(2, name = "g") |> layer_dense(1)
  fit <- fit_with(net, random_weights(net))
  expect_error(predict(fit, x, initial_state = list(g = matrix(0, 3, 2))),
               class = "statlearn_error_shape", regexp = "initial_state\\$g\\$h.*4 x 2.*3 x 2")
  expect_error(predict(fit, x, initial_state = list(g = matrix(NA_real_, 4, 2))),
               class = "statlearn_error_nonfinite")
  expect_error(predict(fit, x, initial_state = list(h = matrix(0, 4, 2))),
               class = "statlearn_error_input", regexp = "\"g\"")
  expect_error(predict(fit, x, initial_state = list(matrix(0, 4, 2))), class = "statlearn_error_type")
  expect_error(predict(fit, x, initial_state = list(g = list(h = matrix(0, 4, 2), c = matrix(0, 4, 2)))),
               class = "statlearn_error_type", regexp = "g")
  expect_error(recurrent_state(fit, x, initial_state = list(g = "a")), class = "statlearn_error_type")
  dense <- network(3) |> layer_dense(1)
  dfit <- fit_with(dense, random_weights(dense))
  expect_error(recurrent_state(dfit, matrix(0, 2, 3)), class = "statlearn_error_input")
  expect_error(predict(dfit, matrix(0, 2, 3), initial_state = list(a = 1)), class = "statlearn_error_input")
  bi <- network(c(6, 3)) |> layer_bidirectional("gru", 2) |> layer_dense(1)
  expect_error(recurrent_state(fit_with(bi, random_weights(bi)), x), class = "statlearn_error_input",
               regexp = "bidirectional")
  expect_error(recurrent_state(list(), x), class = "statlearn_error_type")
  expect_error(layer_lstm(network(c(6, 3)), 2, stateful = NA), class = "statlearn_error")
  st <- network(c(6, 3)) |> layer_lstm(2, stateful = TRUE) |> layer_dense(1)
  y <- rnorm(4)
  expect_error(train_network(st, x, y, batch_size = 2, verbose = FALSE),
               class = "statlearn_error_input", regexp = "shuffle.*FALSE.*stateful")
  expect_error(train_network(st, x, y, batch_size = 3, shuffle = FALSE, verbose = FALSE),
               class = "statlearn_error_input", regexp = "batch_size.*divisor of the 4")
  expect_error(truncated_bptt_windows(1:5, steps = 3, batch_size = 2), class = "statlearn_error_shape")
  expect_error(truncated_bptt_windows(1:12, y = 1:11, steps = 3, batch_size = 2),
               class = "statlearn_error_shape")
  expect_error(truncated_bptt_windows(letters, steps = 3, batch_size = 2), class = "statlearn_error_type")
  expect_error(truncated_bptt_windows(1:12, steps = 0, batch_size = 2), class = "statlearn_error")
})
