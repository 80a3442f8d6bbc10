# Precomputes the CNN of vignettes/dl-09-convolutional-networks.Rmd.
# Run from the package root with the package installed:
#   Rscript data-raw/vignette-dl-09.R
# It trains a LeNet-style network with batch normalization and dropout on the
# zip training digits plus two randomly shifted copies of them (about 2-4
# minutes on 2 threads) and saves the fit, without the optimizer state, to
# inst/extdata/dl-09-lenet.rds.
library(statlearn)
options(statlearn.threads = 2)

x <- as.matrix(zip_train[, -1])
y <- zip_train$digit
xt <- as.matrix(zip_test[, -1])
yt <- zip_test$digit

# Shift 16 x 16 images (rows of x, row-major) by dr rows and dc columns,
# filling the uncovered border with the background value -1.
shift_digits <- function(x, dr, dc) {
  out <- matrix(-1, nrow(x), 256)
  for (r in 1:16) for (c in 1:16) {
    r0 <- r - dr
    c0 <- c - dc
    if (r0 >= 1 && r0 <= 16 && c0 >= 1 && c0 <= 16) {
      out[, (r - 1) * 16 + c] <- x[, (r0 - 1) * 16 + c0]
    }
  }
  out
}

# The training digits and `copies` copies, each digit moved by -1, 0 or 1
# pixel vertically and horizontally at random.
augment <- function(x, y, copies, seed) {
  set.seed(seed)
  xs <- list(x)
  for (k in seq_len(copies)) {
    dr <- sample(-1:1, nrow(x), TRUE)
    dc <- sample(-1:1, nrow(x), TRUE)
    xa <- x
    for (a in -1:1) for (b in -1:1) {
      i <- dr == a & dc == b
      if (any(i)) xa[i, ] <- shift_digits(x[i, , drop = FALSE], a, b)
    }
    xs[[k + 1]] <- xa
  }
  list(x = do.call(rbind, xs), y = rep(y, copies + 1))
}

lenet_bn <- network(c(16, 16, 1)) |>
  layer_conv2d(16, 5, padding = "same") |> layer_batch_norm() |> layer_activation("relu") |>
  layer_max_pool2d(2) |>
  layer_conv2d(32, 5, padding = "same") |> layer_batch_norm() |> layer_activation("relu") |>
  layer_max_pool2d(2) |>
  layer_flatten() |>
  layer_dense(64, activation = "relu") |>
  layer_dropout(0.4) |>
  layer_dense(10)

aug <- augment(x, y, copies = 2, seed = 1)
# The test digits are only monitored (val_loss, val_accuracy); the number of
# epochs and all settings are fixed in advance, nothing is selected on them.
fit <- train_network(lenet_bn, aug$x, aug$y, epochs = 12, batch_size = 64,
                     optimizer = optimizer_adam(lr = 0.003),
                     callbacks = callback_schedule(schedule_one_cycle(max_lr = 0.003)),
                     validation_data = list(xt, yt), seed = 1, verbose = TRUE)
print(fit$history)
print(evaluate(fit, xt, yt))

fit$optimizer_state <- NULL  # only needed to resume training; halves the file
saveRDS(fit, "inst/extdata/dl-09-lenet.rds", compress = "xz")
cat("saved", file.size("inst/extdata/dl-09-lenet.rds"), "bytes\n")
