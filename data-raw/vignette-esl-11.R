# Precomputed results for vignettes/esl-11-neural-networks.Rmd.
#
# Run from the package root with the package installed:
#   Rscript data-raw/vignette-esl-11.R
# It writes inst/extdata/esl-11-zip.rds and inst/extdata/esl-11-mixture.rds.
# Everything is seeded, and the engine's results do not depend on the number
# of threads, so a rerun gives the same numbers. About 5-10 minutes on 2 cores.

library(statlearn)
options(statlearn.threads = 2)
t_start <- proc.time()[["elapsed"]]

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
message(sprintf("total %.0f s", proc.time()[["elapsed"]] - t_start))
