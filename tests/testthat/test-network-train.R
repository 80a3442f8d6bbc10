# Neural-network engine: gradients, layer outputs, optimizers, training,
# invariances and input errors. References: finite differences, hand-worked
# layer outputs, naive R convolutions, the optimizers' update equations in R
# (optimizer_reference_step) and nnet.

img_data <- function(n = 6, h = 6, w = 6, c = 2, classes = 3, seed = 1) {
  set.seed(seed)
  list(x = array(rnorm(n * h * w * c), c(n, h, w, c)),
       y = factor(sample(letters[seq_len(classes)], n, TRUE), levels = letters[seq_len(classes)]))
}

expect_gradients <- function(net, x, y, loss = NULL, tol = 1e-6, precision = "double", ...) {
  g <- gradient_check(net, x, y, loss = loss, precision = precision, seed = 11, threads = 1, ...)
  expect_true(all(g$checked > 0))
  for (i in seq_len(nrow(g))) {
    # A tensor whose gradient vanishes (a bias feeding batch norm) has no
    # meaningful relative error: its absolute error must then be tiny.
    err <- if (g$max_abs_error[i] < 1e-9) 0 else g$max_rel_error[i]
    expect_lt(err, tol, label = sprintf("%s/%s relative error", g$layer[i], g$tensor[i]))
  }
  invisible(g)
}

test_that("backpropagation matches finite differences for every activation (float64)", {
  set.seed(1)
  x <- matrix(rnorm(40), 8, 5)
  y <- factor(rep(c("a", "b"), 4))
  for (act in c("identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")) {
    net <- network(5) |> layer_dense(6, activation = act) |> layer_dense(4, activation = "tanh") |>
      layer_dense(2)
    expect_gradients(net, x, y)
  }
  # softmax inside the network (not fused: squared error on its output)
  net <- network(5) |> layer_dense(3, activation = "softmax")
  expect_gradients(net, x, matrix(runif(24), 8, 3), loss = "mse")
})

test_that("backpropagation matches finite differences for every loss and penalty (float64)", {
  set.seed(2)
  x <- matrix(rnorm(60), 10, 6)
  net <- network(6) |> layer_dense(5, activation = "tanh", l2 = 0.05, l1 = 0.02) |> layer_dense(3)
  expect_gradients(net, x, factor(sample(c("u", "v", "w"), 10, TRUE), levels = c("u", "v", "w")))
  expect_gradients(net, x, matrix(rnorm(30), 10, 3), loss = "mse")
  expect_gradients(net, x, matrix(rbinom(30, 1, 0.5), 10, 3), loss = "binary_cross_entropy")
  net1 <- network(6) |> layer_dense(4, activation = "relu") |> layer_dense(1, activation = "sigmoid")
  expect_gradients(net1, x, factor(rep(c("no", "yes"), 5)), loss = "binary_cross_entropy")
})

test_that("backpropagation matches finite differences for every layer type (float64)", {
  d <- img_data()
  nets <- list(
    conv_valid = network(c(6, 6, 2)) |> layer_conv2d(3, 3, activation = "tanh") |> layer_flatten() |>
      layer_dense(3),
    conv_same_stride = network(c(6, 6, 2)) |> layer_conv2d(2, c(3, 2), strides = c(2, 1),
                                                           padding = "same", activation = "elu") |>
      layer_dense(3),
    conv_dilated = network(c(6, 6, 2)) |> layer_conv2d(2, 2, dilation = 2, activation = "gelu") |>
      layer_dense(3),
    locally_connected = network(c(6, 6, 2)) |>
      layer_locally_connected2d(2, 3, strides = 2, padding = "same", activation = "sigmoid") |>
      layer_locally_connected2d(1, 2, activation = "tanh") |> layer_dense(3),
    pools = network(c(6, 6, 2)) |> layer_conv2d(3, 3, padding = "same", activation = "tanh") |>
      layer_max_pool2d(2) |> layer_avg_pool2d(2, padding = "same") |> layer_flatten() |> layer_dense(3),
    batch_norm = network(c(6, 6, 2)) |> layer_conv2d(3, 3, activation = "tanh") |> layer_batch_norm() |>
      layer_flatten() |> layer_dense(4) |> layer_batch_norm() |> layer_activation("tanh") |> layer_dense(3),
    dropout = network(c(6, 6, 2)) |> layer_flatten() |> layer_dropout(0.4) |>
      layer_dense(5, activation = "tanh") |> layer_dropout(0.2) |> layer_dense(3)
  )
  for (nm in names(nets)) {
    g <- expect_gradients(nets[[nm]], d$x, d$y, max_per_tensor = 30)
    expect_true(nrow(g) >= 2, label = nm)
  }
})

test_that("the float32 engine's gradients agree with finite differences to 1e-3", {
  d <- img_data(n = 8)
  net <- network(c(6, 6, 2)) |> layer_conv2d(3, 3, activation = "tanh") |> layer_avg_pool2d(2) |>
    layer_flatten() |> layer_dense(5, activation = "sigmoid") |> layer_dense(3)
  expect_gradients(net, d$x, d$y, tol = 1e-3, precision = "single")
  cnn <- network(c(6, 6, 2)) |> layer_conv2d(4, 3, padding = "same", activation = "relu") |>
    layer_batch_norm() |> layer_max_pool2d(2) |> layer_locally_connected2d(2, 2, activation = "elu") |>
    layer_flatten() |> layer_dropout(0.25) |> layer_dense(6, activation = "gelu", l2 = 0.01) |>
    layer_dense(3)
  expect_gradients(cnn, d$x, d$y, tol = 1e-3, precision = "single", max_per_tensor = 40)
})

# A fit holding given weights, for checking layer outputs.
fit_with <- function(net, weights = NULL, seed = 1) {
  if (is.null(weights)) weights <- statlearn:::with_seed(seed, statlearn:::init_weights(net))
  statlearn:::as_network_fit(net, weights, loss = "mse", precision = "double")
}

# Naive convolution in R: x is h x w x c for one example.
naive_conv <- function(x, kernel, bias, strides, pad, dilation, out_hw) {
  kh <- dim(kernel)[1]; kw <- dim(kernel)[2]; f <- dim(kernel)[4]
  out <- array(0, c(out_hw, f))
  for (r in seq_len(out_hw[1])) for (s in seq_len(out_hw[2])) for (k in seq_len(f)) {
    v <- bias[k]
    for (i in seq_len(kh)) for (j in seq_len(kw)) {
      row <- (r - 1) * strides[1] - pad[1] + (i - 1) * dilation[1] + 1
      col <- (s - 1) * strides[2] - pad[2] + (j - 1) * dilation[2] + 1
      if (row >= 1 && row <= dim(x)[1] && col >= 1 && col <= dim(x)[2]) {
        v <- v + sum(x[row, col, ] * kernel[i, j, , k])
      }
    }
    out[r, s, k] <- v
  }
  out
}

# Network outputs (flattened, channels fastest) back to n x h x w x c.
as_images <- function(out, shape) {
  n <- NROW(out)
  aperm(array(t(out), c(shape[3], shape[2], shape[1], n)), c(4, 3, 2, 1))
}

test_that("conv2d agrees with a naive convolution (valid, same, strides, dilation)", {
  d <- img_data(n = 3, h = 7, w = 6, c = 2)
  cases <- list(list(k = 3, s = 1, p = "valid", dl = 1), list(k = c(3, 2), s = c(2, 1), p = "same", dl = 1),
                list(k = 2, s = 1, p = "same", dl = 2), list(k = 5, s = 2, p = "same", dl = 1))
  for (cs in cases) {
    net <- network(c(7, 6, 2)) |> layer_conv2d(3, cs$k, strides = cs$s, padding = cs$p, dilation = cs$dl)
    layer <- net$layers[[1]]
    fit <- fit_with(net)
    w <- fit$weights[[1]]
    w$bias <- c(0.1, -0.2, 0.3)
    fit$weights[[1]] <- w
    got <- as_images(predict(fit, d$x), layer$out_shape)
    for (i in 1:3) {
      ref <- naive_conv(d$x[i, , , ], w$kernel, w$bias, layer$strides, layer$pad, layer$dilation,
                        layer$out_shape[1:2])
      expect_equal(got[i, , , ], ref, tolerance = 1e-12, label = paste(cs$p, "conv, example", i))
    }
  }
})

test_that("locally connected layers use one filter per output position", {
  d <- img_data(n = 2, h = 5, w = 5, c = 2)
  net <- network(c(5, 5, 2)) |> layer_locally_connected2d(2, 3, strides = 2, padding = "same")
  layer <- net$layers[[1]]
  fit <- fit_with(net)
  w <- fit$weights[[1]]
  expect_equal(dim(w$kernel), c(3, 3, 2, 2, 3, 3))
  got <- as_images(predict(fit, d$x), layer$out_shape)
  for (r in 1:3) for (s in 1:3) {
    ref <- naive_conv(d$x[1, , , ], w$kernel[, , , , r, s, drop = FALSE][, , , , 1, 1], w$bias[r, s, ],
                      layer$strides, layer$pad, c(1, 1), layer$out_shape[1:2])
    expect_equal(got[1, r, s, ], ref[r, s, ], tolerance = 1e-12)
  }
})

test_that("pooling, flatten, dropout and batch norm give hand-computed outputs", {
  x <- array(c(1, 5, 2, 0, 3, 4, -1, 7, 8), c(1, 3, 3, 1))  # x[1, i, j, 1], column-major
  img <- x[1, , , 1]
  mx <- fit_with(network(c(3, 3, 1)) |> layer_max_pool2d(2, padding = "same"))
  expect_equal(as.vector(predict(mx, x)),
               c(max(img[1:2, 1:2]), max(img[1:2, 3]), max(img[3, 1:2]), img[3, 3]))
  av <- fit_with(network(c(3, 3, 1)) |> layer_avg_pool2d(2, padding = "same"))
  # padded cells are not counted in the average
  expect_equal(as.vector(predict(av, x)),
               c(mean(img[1:2, 1:2]), mean(img[1:2, 3]), mean(img[3, 1:2]), img[3, 3]))
  fl <- fit_with(network(c(3, 3, 1)) |> layer_flatten())
  expect_equal(as.vector(predict(fl, x)), as.vector(t(img)))  # row-major order
  dr <- fit_with(network(c(3, 3, 1)) |> layer_flatten() |> layer_dropout(0.5))
  expect_equal(as.vector(predict(dr, x)), as.vector(t(img)))  # identity at prediction
  bn <- network(2) |> layer_batch_norm(epsilon = 0.01)
  fit <- fit_with(bn)
  fit$weights[[1]] <- list(gamma = c(2, 3), beta = c(0.5, -1), moving_mean = c(1, -1),
                           moving_variance = c(4, 0.25))
  xb <- matrix(c(1, 2, 3, 4), 2)
  ref <- sweep(sweep(xb, 2, c(1, -1)), 2, sqrt(c(4, 0.25) + 0.01), "/")
  ref <- sweep(sweep(ref, 2, c(2, 3), "*"), 2, c(0.5, -1), "+")
  expect_equal(unname(predict(fit, xb)), ref, tolerance = 1e-12)
})

test_that("each optimizer follows its update equations on a quadratic loss", {
  set.seed(3)
  n <- 20
  x <- matrix(rnorm(n * 3), n, 3)
  y <- drop(x %*% c(1, -2, 0.5) + 0.3 + rnorm(n, sd = 0.1))
  net <- network(3) |> layer_dense(1)
  opts <- list(optimizer_sgd(lr = 0.05), optimizer_sgd(lr = 0.05, momentum = 0.9),
               optimizer_sgd(lr = 0.05, momentum = 0.9, nesterov = TRUE, weight_decay = 0.01),
               optimizer_adagrad(lr = 0.1), optimizer_rmsprop(lr = 0.01, momentum = 0.5),
               optimizer_rmsprop(lr = 0.01), optimizer_adam(lr = 0.05),
               optimizer_adamw(lr = 0.05, weight_decay = 0.1),
               optimizer_sgd(lr = 0.05, clip_norm = 0.5),
               optimizer_sgd(lr = 0.05, momentum = 0.9, clip_norm = 1, clip_value = 0.4),
               optimizer_adam(lr = 0.05, clip_value = 0.3),
               optimizer_rmsprop(lr = 0.01, clip_norm = 0.2))
  for (opt in opts) {
    fit <- train_network(net, x, y, loss = "mse", optimizer = opt, epochs = 4, batch_size = n,
                         shuffle = FALSE, seed = 5, threads = 1, verbose = FALSE, precision = "double")
    w0 <- statlearn:::with_seed(5, statlearn:::init_weights(net))[[1]]
    theta <- c(w0$kernel, w0$bias)
    state <- statlearn:::optimizer_state(opt, theta)
    for (step in 1:4) {
      r <- drop(x %*% theta[1:3] + theta[4]) - y
      g <- c(2 / n * crossprod(x, r), 2 / n * sum(r))
      st <- statlearn:::optimizer_reference_step(opt, theta, g, state)
      theta <- st$w
      state <- st$state
    }
    expect_equal(c(fit$weights[[1]]$kernel, fit$weights[[1]]$bias), theta, tolerance = 1e-10,
                 label = paste(class(opt)[1], "weights after 4 steps"))
  }
})

test_that("a small network learns XOR", {
  x <- matrix(c(0, 0, 0, 1, 1, 0, 1, 1), ncol = 2, byrow = TRUE)
  y <- factor(c(0, 1, 1, 0))
  net <- network(2) |> layer_dense(8, activation = "tanh") |> layer_dense(2)
  fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = 0.05), epochs = 300,
                       batch_size = 4, seed = 1, threads = 1, verbose = FALSE)
  expect_identical(predict(fit, x), y)
  expect_lt(utils::tail(fit$history$loss, 1), 0.05)
  expect_equal(evaluate(fit, x, y)[["accuracy"]], 1)
})

test_that("an MLP's loss and probabilities match nnet's on the same weights", {
  skip_if_not_installed("nnet")
  set.seed(4)
  n <- 60; p <- 5; H <- 4
  x <- matrix(rnorm(n * p), n, p)
  y <- factor(sample(c("a", "b", "c"), n, TRUE))
  wts <- runif((p + 1) * H + (H + 1) * 3, -0.7, 0.7)
  nn <- nnet::nnet(x, nnet::class.ind(y), size = H, softmax = TRUE, Wts = wts, maxit = 0,
                   trace = FALSE)
  W <- matrix(wts[seq_len((p + 1) * H)], p + 1)          # column j: bias, inputs of hidden unit j
  V <- matrix(wts[-seq_len((p + 1) * H)], H + 1)         # column k: bias, hidden of output k
  net <- network(p) |> layer_dense(H, activation = "sigmoid") |> layer_dense(3)
  weights <- list(list(kernel = W[-1, , drop = FALSE], bias = W[1, ]),
                  list(kernel = V[-1, , drop = FALSE], bias = V[1, ]))
  fit <- statlearn:::as_network_fit(net, weights, loss = "cross_entropy", levels = levels(y),
                                    precision = "double")
  # nnet's value is the summed cross-entropy; ours is the mean
  expect_equal(evaluate(fit, x, y)[["loss"]] * n, nn$value, tolerance = 1e-10)
  expect_equal(unname(predict(fit, x, type = "prob")), unname(nn$fitted.values), tolerance = 1e-10)
  fit$precision <- "single"
  expect_equal(evaluate(fit, x, y)[["loss"]] * n, nn$value, tolerance = 1e-5)
})

lenet_small <- function() {
  network(c(8, 8, 1)) |> layer_conv2d(4, 3, padding = "same", activation = "relu") |>
    layer_batch_norm() |> layer_max_pool2d(2) |> layer_flatten() |> layer_dropout(0.3) |>
    layer_dense(16, activation = "relu") |> layer_dense(3)
}

test_that("training is bit-identical for 1 and 2 threads and reproducible from the seed", {
  d <- img_data(n = 150, h = 8, w = 8, c = 1, seed = 6)
  args <- list(lenet_small(), d$x, d$y, epochs = 2, batch_size = 50, validation_split = 0.2,
               verbose = FALSE)
  f1 <- do.call(train_network, c(args, seed = 9, threads = 1))
  f2 <- do.call(train_network, c(args, seed = 9, threads = 2))
  expect_identical(f1$weights, f2$weights)
  expect_identical(f1$history$loss, f2$history$loss)
  expect_identical(predict(f1, d$x, type = "prob", threads = 1), predict(f2, d$x, type = "prob", threads = 2))
  set.seed(10)
  f3 <- do.call(train_network, c(args, threads = 2))
  set.seed(10)
  f4 <- do.call(train_network, c(args, threads = 1))
  expect_identical(f3$weights, f4$weights)
  expect_false(identical(f1$weights, f3$weights))
})

test_that("resuming training continues exactly where it stopped", {
  d <- img_data(n = 90, h = 8, w = 8, c = 1, seed = 7)
  net <- lenet_small()
  full <- train_network(net, d$x, d$y, epochs = 4, batch_size = 30, seed = 3, threads = 2, verbose = FALSE)
  half <- train_network(net, d$x, d$y, epochs = 2, batch_size = 30, seed = 3, threads = 2, verbose = FALSE)
  rest <- train_network(round_trip(half), d$x, d$y, epochs = 2, batch_size = 30, threads = 2, verbose = FALSE)
  expect_identical(rest$weights, full$weights)
  expect_equal(rest$epochs, 4)
  expect_identical(rest$history$loss, full$history$loss)
})

test_that("saveRDS/readRDS in a fresh R process predicts identically", {
  d <- img_data(n = 40, h = 8, w = 8, c = 1, seed = 8)
  fit <- train_network(lenet_small(), d$x, d$y, epochs = 1, batch_size = 20, seed = 2, threads = 1,
                       verbose = FALSE)
  f <- tempfile(fileext = ".rds")
  out <- tempfile(fileext = ".rds")
  on.exit(unlink(c(f, out)))
  saveRDS(list(fit = fit, x = d$x), f)
  lib <- paste(deparse(.libPaths()), collapse = "")
  code <- sprintf(".libPaths(%s); library(statlearn); o <- readRDS('%s'); saveRDS(predict(o$fit, o$x, type = 'prob', threads = 1), '%s')",
                  lib, f, out)
  status <- system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)), stdout = FALSE, stderr = FALSE)
  expect_equal(status, 0)
  expect_identical(readRDS(out), predict(fit, d$x, type = "prob", threads = 1))
})

test_that("early stopping restores the best weights; callbacks and schedules act per epoch", {
  set.seed(12)
  n <- 120
  x <- matrix(rnorm(n * 10), n, 10)
  y <- drop(x[, 1] - x[, 2] + rnorm(n))
  net <- network(10) |> layer_dense(64, activation = "relu") |> layer_dense(1)
  fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = 0.02), epochs = 200, batch_size = 16,
                       validation_split = 0.5, seed = 1, threads = 1, verbose = FALSE,
                       callbacks = callback_early_stopping(patience = 5))
  h <- fit$history
  expect_lt(nrow(h), 200)
  expect_equal(fit$best_epoch, h$epoch[which.min(h$val_loss)])
  expect_equal(nrow(h) - fit$best_epoch, 5)
  held <- (n / 2 + 1):n
  expect_equal(evaluate(fit, x[held, ], y[held])[["loss"]], min(h$val_loss), tolerance = 1e-6)

  seen <- integer()
  fit2 <- train_network(net, x, y, epochs = 10, seed = 1, threads = 1, verbose = FALSE,
                        callbacks = list(callback_lambda(function(epoch, logs) {
                          seen <<- c(seen, epoch)
                          epoch < 3
                        }), callback_schedule(schedule_step(step_size = 1, gamma = 0.5))))
  expect_equal(seen, 1:3)
  expect_equal(nrow(fit2$history), 3)
  expect_equal(fit2$history$lr, 1e-3 * 0.5^(0:2))
})

test_that("prediction types, binary and regression outputs, summary and lr_finder", {
  x <- as.matrix(iris[, 1:4])
  fit <- train_network(network(4) |> layer_dense(3), x, iris$Species, epochs = 5, seed = 1,
                       threads = 1, verbose = FALSE)
  pr <- predict(fit, x, type = "prob")
  expect_equal(colnames(pr), levels(iris$Species))
  expect_equal(unname(rowSums(pr)), rep(1, 150), tolerance = 1e-6)
  expect_identical(predict(fit, x), factor(levels(iris$Species)[max.col(pr, "first")],
                                           levels = levels(iris$Species)))
  lg <- predict(fit, x, type = "response")
  expect_equal(unname(pr), unname(exp(lg) / rowSums(exp(lg))), tolerance = 1e-6)
  yb <- factor(iris$Species == "setosa", labels = c("other", "setosa"))
  fb <- train_network(network(4) |> layer_dense(1), x, yb, loss = "binary_cross_entropy",
                      epochs = 20, seed = 1, threads = 1, verbose = FALSE)
  expect_equal(levels(predict(fb, x)), c("other", "setosa"))
  expect_length(predict(fb, x, type = "prob"), 150)
  fr <- train_network(network(3) |> layer_dense(2), x[, 1:3], x[, 3:4], epochs = 3, seed = 1,
                      threads = 1, verbose = FALSE)
  expect_equal(dim(predict(fr, x[, 1:3])), c(150, 2))
  s <- summary(fit)
  expect_s3_class(s, "summary.statlearn_network_fit")
  expect_output(print(s), "cross_entropy loss")
  expect_output(print(fit), "Training: 5 epochs of adam")
  expect_named(coef(fit), "dense_1")
  lrf <- lr_finder(network(4) |> layer_dense(3), x, iris$Species, steps = 30, batch_size = 10,
                   seed = 1, threads = 1)
  expect_s3_class(lrf, "statlearn_lr_finder")
  expect_true(attr(lrf, "suggested") > 1e-6 && attr(lrf, "suggested") < 1)
})

test_that("bad input gives classed statlearn errors", {
  x <- as.matrix(iris[, 1:4])
  y <- iris$Species
  net <- network(4) |> layer_dense(3)
  fit <- train_network(net, x, y, epochs = 1, seed = 1, threads = 1, verbose = FALSE)
  expect_statlearn_error(train_network(net, x[, 1:3], y), "statlearn_error_shape", "4 columns")
  expect_statlearn_error(train_network(net, array(0, c(2, 2, 2)), y[1:2]), "statlearn_error_shape")
  xna <- x
  xna[3, 2] <- NA
  expect_statlearn_error(train_network(net, xna, y), "statlearn_error_nonfinite")
  expect_statlearn_error(train_network(net, x, y[-1]), "statlearn_error_length")
  expect_statlearn_error(train_network(network(4) |> layer_dense(2), x, y), "statlearn_error_shape",
                         "classes")
  expect_statlearn_error(train_network(net, x, y, epochs = 0), pattern = "epochs")
  expect_statlearn_error(train_network(net, x, y, batch_size = -1), pattern = "batch_size")
  expect_statlearn_error(train_network(net, x, y, validation_split = 1), pattern = "validation_split")
  expect_statlearn_error(train_network(net, x, y, optimizer = "adam"), pattern = "optimizer")
  expect_statlearn_error(train_network(net, x, y, loss = "hinge"), pattern = "loss")
  expect_statlearn_error(train_network(network(4), x, y), "statlearn_error_empty")
  expect_statlearn_error(train_network("net", x, y), pattern = "net")
  expect_statlearn_error(train_network(net, x[0, ], y[0]), "statlearn_error_empty")
  expect_statlearn_error(evaluate(fit, x, factor(rep("dog", 150))), "statlearn_error_levels", "dog")
  expect_statlearn_error(predict(fit, x[, 1:2]), "statlearn_error_shape")
  expect_statlearn_error(evaluate(lm(Sepal.Length ~ ., iris), x, y), "statlearn_error_type", "object")
  expect_statlearn_error(predict(fit, x, type = "link"), pattern = "type")
  expect_statlearn_error(train_network(fit, x, y, loss = "mse", epochs = 1), pattern = "loss")
  expect_statlearn_error(gradient_check(net, x, y, eps = -1), pattern = "eps")
  expect_statlearn_error(train_network(net, x, y, precision = "half"), pattern = "precision")
  expect_statlearn_error(gradient_check(net, x, y, precision = "half"), pattern = "precision")
  expect_statlearn_error(train_network(net, x, y, threads = 0), pattern = "threads")
  expect_statlearn_error(train_network(net, x, y, callbacks = "x"), pattern = "callbacks")
  expect_statlearn_error(train_network(net, x, y, validation_data = list(x)), pattern = "validation_data")
  # Seeds: negative ones were undefined behaviour in the engine.
  expect_statlearn_error(train_network(net, x, y, seed = -1), "statlearn_error_range", "seed")
  expect_statlearn_error(train_network(net, x, y, seed = 1.5), "statlearn_error_type", "seed")
  # Whole numbers past .Machine$integer.max used to become NA with a coercion
  # warning and then fit nothing.
  for (arg in c("epochs", "batch_size", "seed", "threads")) {
    a <- stats::setNames(list(2^31), arg)
    expect_statlearn_error(do.call(train_network, c(list(net, x, y), a)), "statlearn_error_range",
                           arg)
  }
  # Layer sizes whose weights or outputs would overflow an integer.
  expect_statlearn_error(network(4) |> layer_dense(2^31), "statlearn_error_range", "units")
  expect_statlearn_error(network(100000) |> layer_dense(30000), "statlearn_error_shape",
                         "kernel of at most")
  expect_statlearn_error(network(c(50000, 50000, 1)) |> layer_conv2d(2, 3, padding = "same"),
                         "statlearn_error_shape", "output of at most")
  expect_statlearn_error(lr_finder(net, x, y, max_lr = Inf), "statlearn_error_range", "max_lr")
  expect_statlearn_error(gradient_check(net, x, y, eps = Inf), "statlearn_error_range", "eps")
  expect_statlearn_error(gradient_check(net, x, y, weights = list()), "statlearn_error_shape", "weights")
  w <- fit$weights
  w[[1]]$kernel <- w[[1]]$kernel[, 1:2]
  expect_statlearn_error(gradient_check(net, x, y, weights = w), "statlearn_error_shape", "kernel")
})

test_that("a loss that becomes non-finite stops training with a classed error naming the causes", {
  x <- as.matrix(iris[, 1:4])
  net <- network(4) |> layer_dense(16, activation = "relu") |> layer_dense(1)
  expect_error(train_network(net, x, iris$Sepal.Length, loss = "mse", epochs = 20, seed = 1,
                             optimizer = optimizer_sgd(lr = 10), threads = 1, verbose = FALSE),
               class = "statlearn_error_divergence", regexp = "learning rate")
})

test_that("dropout masks do not depend on validation data or on resuming", {
  d <- img_data(n = 60, h = 8, w = 8, c = 1, seed = 13)
  net <- network(c(8, 8, 1)) |> layer_flatten() |> layer_dropout(0.5) |> layer_dense(3)
  a <- train_network(net, d$x, d$y, epochs = 2, batch_size = 20, seed = 4, threads = 1, verbose = FALSE)
  b <- train_network(net, d$x, d$y, epochs = 2, batch_size = 20, seed = 4, threads = 1, verbose = FALSE,
                     validation_data = list(d$x[1:5, , , , drop = FALSE], d$y[1:5]))
  expect_identical(a$weights, b$weights)
  c1 <- train_network(net, d$x, d$y, epochs = 1, batch_size = 20, seed = 4, threads = 1, verbose = FALSE,
                      validation_data = list(d$x[1:5, , , , drop = FALSE], d$y[1:5]))
  c2 <- train_network(c1, d$x, d$y, epochs = 1, batch_size = 20, threads = 1, verbose = FALSE)
  expect_identical(c2$weights, a$weights)
})

test_that("conv2d with untied biases: per-position bias, gradients, ESL Table 11.1 counts", {
  d <- img_data(n = 3, h = 6, w = 6, c = 2)
  net <- network(c(6, 6, 2)) |> layer_conv2d(2, 3, strides = 2, padding = "same", untie_biases = TRUE)
  layer <- net$layers[[1]]
  fit <- fit_with(net)
  w <- fit$weights[[1]]
  expect_equal(dim(w$bias), c(3, 3, 2))
  w$bias[] <- seq_along(w$bias) / 10
  fit$weights[[1]] <- w
  got <- as_images(predict(fit, d$x), layer$out_shape)
  ref <- naive_conv(d$x[2, , , ], w$kernel, c(0, 0), layer$strides, layer$pad, layer$dilation,
                    layer$out_shape[1:2])
  expect_equal(got[2, , , ], ref + w$bias, tolerance = 1e-12)
  expect_gradients(net |> layer_flatten() |> layer_dense(3), d$x, d$y)
  # ESL Net-4 and Net-5 (Table 11.1: 1132 and 1060 weights)
  net4 <- network(c(16, 16, 1)) |>
    layer_conv2d(2, 3, strides = 2, padding = "same", activation = "sigmoid", untie_biases = TRUE) |>
    layer_locally_connected2d(1, 5, strides = 2, padding = "same", activation = "sigmoid") |>
    layer_dense(10)
  net5 <- network(c(16, 16, 1)) |>
    layer_conv2d(2, 3, strides = 2, padding = "same", activation = "sigmoid", untie_biases = TRUE) |>
    layer_conv2d(4, 5, strides = 2, padding = "same", activation = "sigmoid", untie_biases = TRUE) |>
    layer_dense(10)
  expect_equal(sum(statlearn:::parameter_table(net4)$size), 1132)
  expect_equal(sum(statlearn:::parameter_table(net5)$size), 1060)
})

test_that("plot methods draw learning curves and the range test", {
  x <- as.matrix(iris[, 1:4])
  i <- c(rbind(1:50, 51:100, 101:150))  # species interleaved, so the held-out rows hold all three
  fit <- train_network(network(4) |> layer_dense(3), x[i, ], iris$Species[i], epochs = 3,
                       validation_split = 0.2, seed = 1, threads = 1, verbose = FALSE)
  lrf <- lr_finder(network(4) |> layer_dense(3), x, iris$Species, steps = 20, batch_size = 10,
                   max_lr = 100, seed = 1, threads = 1)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_identical(plot(fit), fit)
  expect_identical(plot(lrf), lrf)
  expect_output(print(lrf), "suggested lr")
})

# iris shuffled and standardised: every species in the last rows.
shuffled_iris <- function() {
  set.seed(3)
  i <- sample(nrow(iris))
  list(x = scale(as.matrix(iris[i, 1:4])), y = iris$Species[i])
}

test_that("verbose epochs label training and validation metrics", {
  d <- shuffled_iris()
  net <- network(4) |> layer_dense(3)
  msgs <- character()
  fit <- withCallingHandlers(
    train_network(net, d$x, d$y, optimizer = optimizer_adam(lr = 0.05), epochs = 3, batch_size = 16,
                  validation_split = 0.3, seed = 1, threads = 1, verbose = TRUE),
    message = function(m) {
      msgs <<- c(msgs, conditionMessage(m))
      invokeRestart("muffleMessage")
    })
  expect_length(msgs, 3)
  h <- fit$history
  expect_match(msgs[3], sprintf("^epoch 3/3  loss %.4g  accuracy %.4f  val_loss %.4g  val_accuracy %.4f",
                                h$loss[3], h$accuracy[3], h$val_loss[3], h$val_accuracy[3]))
  # the same with validation_data, and without validation for regression
  msgs <- character()
  withCallingHandlers(
    train_network(net, d$x[1:100, ], d$y[1:100], epochs = 1, validation_data = list(d$x[101:150, ], d$y[101:150]),
                  seed = 1, threads = 1, verbose = TRUE),
    message = function(m) {
      msgs <<- c(msgs, conditionMessage(m))
      invokeRestart("muffleMessage")
    })
  expect_match(msgs, "val_accuracy")
  msgs <- character()
  withCallingHandlers(
    train_network(network(3) |> layer_dense(1), d$x[, 1:3], d$x[, 4], epochs = 1, seed = 1, threads = 1,
                  verbose = TRUE),
    message = function(m) {
      msgs <<- c(msgs, conditionMessage(m))
      invokeRestart("muffleMessage")
    })
  expect_match(msgs, "^epoch 1/1  loss [0-9.e+-]+\n?$")
})

test_that("a fit prints the network table, then labelled training and validation metrics", {
  d <- shuffled_iris()
  net <- network(4) |> layer_dense(6, activation = "relu") |> layer_dense(3)
  fit <- train_network(net, d$x, d$y, optimizer = optimizer_adam(lr = 0.05), epochs = 8, batch_size = 16,
                       validation_split = 0.3, seed = 1, threads = 1, verbose = FALSE)
  h <- fit$history
  out <- capture.output(print(fit))
  net_out <- capture.output(print(net))
  expect_identical(out[seq_along(net_out)], net_out)
  tr <- grep("^training ", out, value = TRUE)
  va <- grep("^validation ", out, value = TRUE)
  expect_length(tr, 1)
  expect_length(va, 1)
  num <- function(line) as.numeric(strsplit(trimws(line), " +")[[1]][-1])
  expect_equal(num(tr), c(h$loss[8], h$accuracy[8]), tolerance = 1e-3)
  expect_equal(num(va), c(h$val_loss[8], h$val_accuracy[8]), tolerance = 1e-3)
  expect_match(out, sprintf("Best epoch: %d \\(lowest validation loss\\)", h$epoch[which.min(h$val_loss)]),
               all = FALSE)
  # summary(): the same layout, then the last epochs
  sout <- capture.output(print(summary(fit)))
  expect_identical(sout[seq_along(out)], out)
  expect_match(sout, "Last epochs", all = FALSE)
  # without validation data: the training row only, and a note
  fit0 <- train_network(net, d$x, d$y, epochs = 2, seed = 1, threads = 1, verbose = FALSE)
  out0 <- capture.output(print(fit0))
  expect_false(any(grepl("^validation ", out0)))
  expect_match(out0, "No validation data", all = FALSE)
  # early stopping that restores weights says so
  fit_es <- train_network(net, d$x, d$y, optimizer = optimizer_adam(lr = 0.5), epochs = 30,
                          validation_split = 0.3, seed = 1, threads = 1, verbose = FALSE,
                          callbacks = callback_early_stopping(patience = 2, restore_best_weights = TRUE))
  expect_match(capture.output(print(fit_es)), sprintf("restored from epoch %d", fit_es$best_epoch),
               all = FALSE)
})

test_that("validation rows of a single class give a classed warning", {
  x <- as.matrix(iris[, 1:4])
  net <- network(4) |> layer_dense(3)
  expect_warning(train_network(net, x, iris$Species, epochs = 1, validation_split = 0.2, seed = 1,
                               threads = 1, verbose = FALSE),
                 "all belong to one class \\(\"virginica\"\\).*shuffle", class = "statlearn_warning_validation")
  expect_warning(train_network(net, x[1:100, ], iris$Species[1:100], epochs = 1,
                               validation_data = list(x[101:110, ], iris$Species[101:110]), seed = 1,
                               threads = 1, verbose = FALSE),
                 class = "statlearn_warning_validation")
  yb <- factor(iris$Species == "virginica", labels = c("other", "virginica"))
  expect_warning(train_network(network(4) |> layer_dense(1), x, yb, loss = "binary_cross_entropy",
                               epochs = 1, validation_split = 0.2, seed = 1, threads = 1, verbose = FALSE),
                 class = "statlearn_warning_validation")
  d <- shuffled_iris()
  expect_no_warning(train_network(net, d$x, d$y, epochs = 1, validation_split = 0.2, seed = 1,
                                  threads = 1, verbose = FALSE))
  # regression responses are not classes
  expect_no_warning(train_network(network(3) |> layer_dense(1), x[, 1:3], sort(x[, 4]), epochs = 1,
                                  validation_split = 0.2, seed = 1, threads = 1, verbose = FALSE))
})

test_that("lr_finder suggests a rate that trains, not one among the noisy first steps", {
  set.seed(1)
  i <- sample(150)
  x <- scale(as.matrix(iris[i, 1:4]))
  y <- iris$Species[i]
  net <- network(4) |> layer_dense(8, activation = "relu") |> layer_dense(3)
  lrf <- lr_finder(net, x, y, steps = 100, batch_size = 16, seed = 1, threads = 1)
  s <- attr(lrf, "suggested")
  expect_gt(s, 1e-3)
  expect_lt(s, lrf$lr[which.min(lrf$smoothed)])
  fit <- train_network(net, x, y, optimizer = optimizer_sgd(lr = s, momentum = 0.9), epochs = 30,
                       batch_size = 16, seed = 1, threads = 1, verbose = FALSE)
  expect_gt(evaluate(fit, x, y)[["accuracy"]], 0.9)
})

test_that("gradient clipping changes the path only when the gradient exceeds the bound", {
  set.seed(3)
  n <- 20
  x <- matrix(rnorm(n * 3), n, 3)
  y <- drop(x %*% c(1, -2, 0.5) + 0.3)
  net <- network(3) |> layer_dense(1)
  fit_opt <- function(opt) {
    train_network(net, x, y, loss = "mse", optimizer = opt, epochs = 3, batch_size = n,
                  shuffle = FALSE, seed = 5, threads = 1, verbose = FALSE, precision = "double")$weights
  }
  plain <- fit_opt(optimizer_sgd(lr = 0.05))
  expect_false(isTRUE(all.equal(fit_opt(optimizer_sgd(lr = 0.05, clip_norm = 0.5)), plain)))
  # A bound far above the gradient's norm changes nothing.
  expect_identical(fit_opt(optimizer_sgd(lr = 0.05, clip_norm = 1e6, clip_value = 1e6)), plain)
  # Identical for 1 and 2 threads.
  big <- matrix(rnorm(4000 * 3), 4000, 3)
  yb <- drop(big %*% c(1, -2, 0.5))
  netb <- network(3) |> layer_dense(64, activation = "relu") |> layer_dense(1)
  fits <- lapply(1:2, function(t) {
    train_network(netb, big, yb, loss = "mse", optimizer = optimizer_adam(lr = 0.01, clip_norm = 0.1),
                  epochs = 2, batch_size = 500, seed = 2, threads = t, verbose = FALSE)$weights
  })
  expect_identical(fits[[1]], fits[[2]])
})
