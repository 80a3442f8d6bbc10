# Precomputed results for vignettes/esl-11-neural-networks.Rmd.
#
# Run from the package root with the package installed:
#   Rscript data-raw/vignette-esl-11.R                 # all parts
#   Rscript data-raw/vignette-esl-11.R simulated       # one part (zip, mixture, simulated)
# It writes inst/extdata/esl-11-zip.rds, inst/extdata/esl-11-mixture.rds and
# inst/extdata/esl-11-simulated.rds. Everything is seeded, and the engine's
# results do not depend on the number of threads, so a rerun gives the same
# numbers. About 5-10 minutes on 2 cores for the zip part, 2-3 minutes for
# each of the others.

library(statlearn)
options(statlearn.threads = 2)
t_start <- proc.time()[["elapsed"]]
parts <- commandArgs(trailingOnly = TRUE)
if (length(parts) == 0L) parts <- c("zip", "mixture", "simulated")
stopifnot(all(parts %in% c("zip", "mixture", "simulated")))

if ("zip" %in% parts) {
  # The five networks of ESL section 11.7 (Table 11.1), with hidden activation
  # `act` and an L2 penalty `l2` on every kernel.
  zip_nets <- function(act = "sigmoid", l2 = 0) {
    list(
      `Net-1` = network(c(16, 16, 1)) |>
        layer_dense(10, l2 = l2),
      `Net-2` = network(c(16, 16, 1)) |>
        layer_dense(12, activation = act, l2 = l2) |>
        layer_dense(10, l2 = l2),
      `Net-3` = network(c(16, 16, 1)) |>
        layer_locally_connected2d(1, 3, strides = 2, padding = "same", activation = act, l2 = l2) |>
        layer_locally_connected2d(1, 5, strides = 2, padding = "same", activation = act, l2 = l2) |>
        layer_dense(10, l2 = l2),
      `Net-4` = network(c(16, 16, 1)) |>
        layer_conv2d(2, 3, strides = 2, padding = "same", untie_biases = TRUE,
                     activation = act, l2 = l2) |>
        layer_locally_connected2d(1, 5, strides = 2, padding = "same", activation = act, l2 = l2) |>
        layer_dense(10, l2 = l2),
      `Net-5` = network(c(16, 16, 1)) |>
        layer_conv2d(2, 3, strides = 2, padding = "same", untie_biases = TRUE,
                     activation = act, l2 = l2) |>
        layer_conv2d(4, 5, strides = 2, padding = "same", untie_biases = TRUE,
                     activation = act, l2 = l2) |>
        layer_dense(10, l2 = l2)
    )
  }

  x <- as.matrix(zip_train[, -1]); y <- zip_train$digit
  xt <- as.matrix(zip_test[, -1]); yt <- zip_test$digit

  # ---- 1. 320 training / 160 test digits, 10 random draws ---------------------
  # Training digits drawn from zip_train, test digits from zip_test. Each net is
  # trained with Adam (lr 0.01), mini-batches of 16, for 100 epochs (2000 steps),
  # with no penalty and, as a second setting, with l2 = 1e-3 on every kernel.
  draws <- 10
  small_epochs <- 100
  penalties <- c(none = 0, l2 = 1e-3)
  net_names <- names(zip_nets())
  acc_small <- array(NA_real_, c(draws, 5, length(penalties), 3),
                     dimnames = list(draw = NULL, net = net_names, penalty = names(penalties),
                                     what = c("test160", "testfull", "train")))
  final_loss <- array(NA_real_, c(draws, 5, length(penalties)),
                      dimnames = dimnames(acc_small)[1:3])
  curves <- array(NA_real_, c(small_epochs, 5, draws),
                  dimnames = list(epoch = NULL, net = net_names, draw = NULL))
  for (d in seq_len(draws)) {
    set.seed(100 + d)
    i <- sample(nrow(x), 320)
    j <- sample(nrow(xt), 160)
    for (pn in names(penalties)) {
      nets <- zip_nets("sigmoid", penalties[[pn]])
      for (k in net_names) {
        fit <- train_network(nets[[k]], x[i, ], y[i], optimizer = optimizer_adam(lr = 0.01),
                             epochs = small_epochs, batch_size = 16, seed = d, verbose = FALSE,
                             validation_data = list(xt[j, ], yt[j]))
        h <- fit$history
        acc_small[d, k, pn, ] <- c(h$val_accuracy[small_epochs], evaluate(fit, xt, yt)[["accuracy"]],
                                   h$accuracy[small_epochs])
        final_loss[d, k, pn] <- h$loss[small_epochs]
        if (pn == "none") curves[, k, d] <- h$val_accuracy
      }
    }
    message(sprintf("draw %d done, %.0f s", d, proc.time()[["elapsed"]] - t_start))
  }

  # ---- 2. Full training set (7291 digits), test on all 2007 -------------------
  # Adam, lr 0.003 decaying to 0 on a cosine schedule over 100 epochs, batches
  # of 32 (22,800 steps), no penalty.
  full_epochs <- 100
  full <- lapply(zip_nets("sigmoid", 0), function(net) {
    fit <- train_network(net, x, y, optimizer = optimizer_adam(lr = 0.003), epochs = full_epochs,
                         batch_size = 32, seed = 1, verbose = FALSE, validation_data = list(xt, yt),
                         callbacks = callback_schedule(schedule_cosine()))
    fit$history[, c("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds")]
  })
  message(sprintf("full training done, %.0f s", proc.time()[["elapsed"]] - t_start))

  saveRDS(list(acc_small = acc_small, final_loss = final_loss, curves = curves,
               penalties = penalties, small_epochs = small_epochs, full = full,
               full_epochs = full_epochs,
               statlearn_version = as.character(utils::packageVersion("statlearn"))),
          "inst/extdata/esl-11-zip.rds", compress = "xz")
}

if ("mixture" %in% parts) {
  # ---- 3. Mixture data, 10 hidden units, 10 random starts ---------------------
  # Loss "mse" with a sigmoid output is nnet's default fit for a 0/1 response
  # (least squares); "cross_entropy" is the binomial log-likelihood. The penalty
  # decay * sum(w^2) on the summed error becomes l2 = decay / n on our mean error.
  m <- mixture
  n <- nrow(m$x)
  lattice_error <- function(p) with(m, sum(marginal * ifelse(p > 0.5, 1 - prob, prob)))
  mix_net <- function(l2, out) {
    network(2) |>
      layer_dense(10, activation = "sigmoid", l2 = l2) |>
      layer_dense(1, activation = out, l2 = l2)
  }
  grid <- expand.grid(seed = 1:10, decay = c(0, 0.02), loss = c("least_squares", "cross_entropy"),
                      stringsAsFactors = FALSE)
  grid$train_error <- grid$test_error <- grid$final_loss <- NA_real_
  for (r in seq_len(nrow(grid))) {
    ls <- grid$loss[r] == "least_squares"
    net <- mix_net(grid$decay[r] / n, if (ls) "sigmoid" else "identity")
    fit <- train_network(net, m$x, m$y, loss = if (ls) "mse" else "binary_cross_entropy",
                         optimizer = optimizer_adam(lr = 0.05), epochs = 5000, batch_size = n,
                         seed = grid$seed[r], verbose = FALSE)
    p_train <- predict(fit, m$x, type = if (ls) "response" else "prob")
    p_grid <- predict(fit, m$xnew, type = if (ls) "response" else "prob")
    grid$train_error[r] <- mean((p_train > 0.5) != m$y)
    grid$test_error[r] <- lattice_error(p_grid)
    grid$final_loss[r] <- fit$history$loss[fit$epochs]
  }
  message(sprintf("mixture done, %.0f s", proc.time()[["elapsed"]] - t_start))
  saveRDS(list(runs = grid, epochs = 5000,
               statlearn_version = as.character(utils::packageVersion("statlearn"))),
          "inst/extdata/esl-11-mixture.rds", compress = "xz")
}

# ---- 4. Simulated data of section 11.6 (Figures 11.6-11.8) -----------------
# Two additive-error models with standard Gaussian inputs: the sum of two
# sigmoids Y = sigma(a1'X) + sigma(a2'X) + e, a1 = (3, 3), a2 = (3, -3), p = 2;
# and the radial function Y = prod_{m=1}^{10} phi(X_m) + e, p = 10, phi the
# standard normal density. The noise variance makes Var(f(X)) / Var(e) = 4
# (Var(f) from the test inputs). One training set of 100 and a test set of
# 10,000 per model, as in the book. Test error is reported relative to the
# Bayes error sigma^2, computed exactly from the true f at the test inputs:
# E(Y - fhat)^2 / sigma^2 = 1 + mean((f - fhat)^2) / sigma^2.
# Networks: one hidden layer of sigmoid units and a linear output, squared
# error, weight decay `decay` on the summed error as nnet has it (l2 = decay /
# n on our mean error; biases are not penalised), Glorot-uniform starting
# weights (about +-0.7 for p = 2, +-0.55 for p = 10), full-batch Adam with
# learning rate 0.05 for 5000 epochs. Zero hidden units is a linear model
# (same training). The radial response, of size about 1e-4, is standardised
# for training (and predictions are put back on its scale).
if ("simulated" %in% parts) {
  sigmoid <- function(v) 1 / (1 + exp(-v))
  sim_f <- list(
    sigmoid = function(x) drop(sigmoid(x %*% c(3, 3)) + sigmoid(x %*% c(3, -3))),
    radial = function(x) apply(stats::dnorm(x), 1L, prod)
  )
  sim_p <- c(sigmoid = 2L, radial = 10L)
  sim_data <- function(model, seed) {
    set.seed(seed)
    p <- sim_p[[model]]
    x <- matrix(rnorm(100 * p), 100, p)
    xt <- matrix(rnorm(10000 * p), 10000, p)
    f <- sim_f[[model]](x)
    ft <- sim_f[[model]](xt)
    sigma2 <- stats::var(ft) / 4
    list(x = x, y = f + rnorm(100, sd = sqrt(sigma2)), xt = xt, ft = ft, sigma2 = sigma2,
         standardize_y = model == "radial")
  }
  sims <- list(sigmoid = sim_data("sigmoid", 1111), radial = sim_data("radial", 2222))
  sim_epochs <- 5000
  # Fit on rows `rows` (a bootstrap sample for bagging); returns test predictions.
  sim_predict <- function(d, units, decay, seed, rows = seq_len(nrow(d$x))) {
    x <- d$x[rows, , drop = FALSE]
    y <- d$y[rows]
    my <- if (d$standardize_y) mean(y) else 0
    sy <- if (d$standardize_y) stats::sd(y) else 1
    l2 <- decay / length(y)
    net <- network(ncol(x))
    if (units > 0) net <- layer_dense(net, units, activation = "sigmoid", l2 = l2)
    net <- layer_dense(net, 1, l2 = l2)
    fit <- train_network(net, x, (y - my) / sy, loss = "mse", optimizer = optimizer_adam(lr = 0.05),
                         epochs = sim_epochs, batch_size = length(y), seed = seed, verbose = FALSE)
    my + sy * drop(predict(fit, d$xt))
  }
  rel_error <- function(d, pred) 1 + mean((pred - d$ft)^2) / d$sigma2
  runs <- rbind(
    expand.grid(model = c("sigmoid", "radial"), units = 0:10, decay = 0, seed = 1:10,
                stringsAsFactors = FALSE),                                 # Figure 11.6
    expand.grid(model = "sigmoid", units = 0:10, decay = 0.1, seed = 1:10,
                stringsAsFactors = FALSE),                                 # Figure 11.7
    expand.grid(model = "sigmoid", units = 10, decay = setdiff(seq(0, 0.14, by = 0.02), c(0, 0.1)),
                seed = 1:10, stringsAsFactors = FALSE)                     # Figure 11.8
  )
  runs$test_error <- NA_real_
  # Averages of the ten starts' predictions (ESL 11.5.5) for 10 hidden units.
  avg_keys <- c("sigmoid_0", "sigmoid_0.1", "radial_0")
  avg_pred <- setNames(vector("list", length(avg_keys)), avg_keys)
  for (r in seq_len(nrow(runs))) {
    d <- sims[[runs$model[r]]]
    pred <- sim_predict(d, runs$units[r], runs$decay[r], runs$seed[r])
    runs$test_error[r] <- rel_error(d, pred)
    key <- paste(runs$model[r], runs$decay[r], sep = "_")
    if (runs$units[r] == 10 && key %in% avg_keys) {
      avg_pred[[key]] <- if (is.null(avg_pred[[key]])) pred / 10 else avg_pred[[key]] + pred / 10
    }
    if (r %% 50 == 0) message(sprintf("simulated: %d/%d fits, %.0f s", r, nrow(runs),
                                      proc.time()[["elapsed"]] - t_start))
  }
  # Bagging (ESL 8.7, 11.9): 10 hidden units fitted to 20 bootstrap samples of
  # the training set, predictions averaged.
  bags <- 20
  ensembles <- do.call(rbind, lapply(avg_keys, function(key) {
    model <- sub("_.*", "", key)
    decay <- as.numeric(sub(".*_", "", key))
    d <- sims[[model]]
    single <- runs$test_error[runs$model == model & runs$units == 10 & runs$decay == decay]
    set.seed(3333)
    boot <- replicate(bags, sample.int(nrow(d$x), replace = TRUE), simplify = FALSE)
    bag_pred <- Reduce(`+`, lapply(seq_len(bags), function(b) {
      sim_predict(d, 10, decay, seed = b, rows = boot[[b]]) / bags
    }))
    data.frame(model = model, decay = decay, single_mean = mean(single), single_min = min(single),
               single_max = max(single), average_of_starts = rel_error(d, avg_pred[[key]]),
               bagged = rel_error(d, bag_pred))
  }))
  message(sprintf("simulated done, %.0f s", proc.time()[["elapsed"]] - t_start))
  saveRDS(list(runs = runs, ensembles = ensembles, bags = bags, epochs = sim_epochs,
               sigma2 = sapply(sims, `[[`, "sigma2"),
               statlearn_version = as.character(utils::packageVersion("statlearn"))),
          "inst/extdata/esl-11-simulated.rds", compress = "xz")
}
message(sprintf("total %.0f s", proc.time()[["elapsed"]] - t_start))
