# Precomputes the width-against-depth experiments of
# vignettes/dl-06-feedforward.Rmd (Deep Learning book, section 6.4), trained
# on the zip training digits and scored on the test digits:
# * MLPs with 1 to 6 hidden layers of relu units, each as wide as makes about
#   20,000 weights, three seeds each (about 20 s on 2 threads);
# * convolutional networks with 2, 4 or 6 layers of 3 x 3 convolutions, as
#   many channels as make about 10,000 weights, two seeds each (about 6
#   minutes on 2 threads).
# Run from the package root with the package installed:
#   Rscript data-raw/vignette-dl-06.R
# Writes inst/extdata/dl-06-depth.rds.
library(statlearn)
options(statlearn.threads = 2)

x <- as.matrix(zip_train[, -1])
y <- zip_train$digit
xt <- as.matrix(zip_test[, -1])
yt <- zip_test$digit

budget <- 20000
n_weights <- function(depth, width) {
  256 * width + width + (depth - 1) * (width^2 + width) + 10 * width + 10
}
# the width (a whole number) that brings a depth closest to the budget
width_for <- function(depth) {
  w <- 1:400
  w[which.min(abs(n_weights(depth, w) - budget))]
}
depths <- c(1, 2, 3, 4, 6)
seeds <- 1:3
epochs <- 20
mlp <- function(depth, width) {
  net <- network(256)
  for (k in seq_len(depth)) net <- layer_dense(net, width, activation = "relu")
  layer_dense(net, 10)
}

rows <- list()
curves <- list()
for (d in depths) {
  w <- width_for(d)
  for (s in seeds) {
    t0 <- proc.time()[["elapsed"]]
    fit <- train_network(mlp(d, w), x, y, optimizer = optimizer_adam(lr = 1e-3), epochs = epochs,
                         batch_size = 64, validation_data = list(xt, yt), seed = s,
                         verbose = FALSE)
    h <- fit$history
    rows[[length(rows) + 1L]] <- data.frame(
      depth = d, width = w, weights = n_weights(d, w), seed = s,
      final_train_loss = h$loss[epochs], final_test_accuracy = h$val_accuracy[epochs],
      best_test_accuracy = max(h$val_accuracy), seconds = proc.time()[["elapsed"]] - t0)
    curves[[length(curves) + 1L]] <- data.frame(depth = d, seed = s, epoch = h$epoch,
                                                loss = h$loss, test_accuracy = h$val_accuracy)
    message(sprintf("depth %d width %d seed %d: test accuracy %.4f (%.0f s)", d, w, s,
                    h$val_accuracy[epochs], proc.time()[["elapsed"]] - t0))
  }
}
# Convolutional networks: d layers of 3 x 3 "same" convolutions with c
# channels (max pooling after the middle one and the last one), global
# average pooling of the 4 x 4 maps, and a dense output layer.
cnn_budget <- 10000
cnn_weights <- function(depth, channels) {
  10 * channels + (depth - 1) * (9 * channels^2 + channels) + 10 * channels + 10
}
cnn <- function(depth, channels) {
  net <- network(c(16, 16, 1))
  for (k in seq_len(depth)) {
    net <- layer_conv2d(net, channels, 3, padding = "same", activation = "relu")
    if (k == depth %/% 2 || k == depth) net <- layer_max_pool2d(net, 2)
  }
  net |> layer_avg_pool2d(4) |> layer_flatten() |> layer_dense(10)
}
cnn_depths <- c(2, 4, 6)
cnn_seeds <- 1:2
cnn_epochs <- 12
cnn_rows <- list()
cnn_curves <- list()
for (d in cnn_depths) {
  ch <- which.min(abs(cnn_weights(d, 1:200) - cnn_budget))
  for (s in cnn_seeds) {
    t0 <- proc.time()[["elapsed"]]
    fit <- train_network(cnn(d, ch), x, y, optimizer = optimizer_adam(lr = 2e-3),
                         epochs = cnn_epochs, batch_size = 64, validation_data = list(xt, yt),
                         seed = s, verbose = FALSE)
    h <- fit$history
    cnn_rows[[length(cnn_rows) + 1L]] <- data.frame(
      depth = d, channels = ch, weights = cnn_weights(d, ch), seed = s,
      final_train_loss = h$loss[cnn_epochs], final_test_accuracy = h$val_accuracy[cnn_epochs],
      best_test_accuracy = max(h$val_accuracy), seconds = proc.time()[["elapsed"]] - t0)
    cnn_curves[[length(cnn_curves) + 1L]] <- data.frame(depth = d, seed = s, epoch = h$epoch,
                                                        loss = h$loss, test_accuracy = h$val_accuracy)
    message(sprintf("CNN depth %d channels %d seed %d: test accuracy %.4f (%.0f s)", d, ch, s,
                    h$val_accuracy[cnn_epochs], proc.time()[["elapsed"]] - t0))
  }
}

res <- list(runs = do.call(rbind, rows), curves = do.call(rbind, curves),
            cnn_runs = do.call(rbind, cnn_rows), cnn_curves = do.call(rbind, cnn_curves),
            settings = list(budget = budget, depths = depths, seeds = seeds, epochs = epochs,
                            optimizer = "adam, lr 1e-3", batch_size = 64,
                            cnn_budget = cnn_budget, cnn_depths = cnn_depths, cnn_seeds = cnn_seeds,
                            cnn_epochs = cnn_epochs, cnn_optimizer = "adam, lr 2e-3",
                            statlearn = as.character(utils::packageVersion("statlearn"))))
saveRDS(res, "inst/extdata/dl-06-depth.rds", compress = "xz")
cat("saved", file.size("inst/extdata/dl-06-depth.rds"), "bytes\n")
