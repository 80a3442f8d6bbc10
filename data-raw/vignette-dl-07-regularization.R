# Precomputes the training runs of vignettes/dl-07-regularization.Rmd
# (Deep Learning book, chapter 7): a wide MLP on 500 zip digits, trained for
# 100 epochs without regularization and with L2, L1, dropout, AdamW and early
# stopping, three network seeds each. About 10 minutes on 2 threads.
# Run from the package root with the package installed:
#   Rscript data-raw/vignette-dl-07-regularization.R
# Writes inst/extdata/dl-07-regularization.rds.
library(statlearn)
options(statlearn.threads = 2)

# 1000 random training digits: the first 500 train, the last 500 validate
# (validation_split takes the held-out part from the end).
set.seed(7)
idx <- sample(nrow(zip_train), 1000)
x <- as.matrix(zip_train[idx, -1])
y <- zip_train$digit[idx]
xt <- as.matrix(zip_test[, -1])
yt <- zip_test$digit
tr <- 1:500
va <- 501:1000

wide_mlp <- function(l1 = 0, l2 = 0, dropout = 0) {
  net <- network(256)
  for (k in 1:2) {
    net <- layer_dense(net, 512, activation = "relu", l1 = l1, l2 = l2)
    if (dropout > 0) net <- layer_dropout(net, dropout)
  }
  layer_dense(net, 10, l1 = l1, l2 = l2)
}
configs <- list(
  none = list(net = wide_mlp(), opt = optimizer_adam(lr = 1e-3)),
  l2 = list(net = wide_mlp(l2 = 1e-3), opt = optimizer_adam(lr = 1e-3)),
  l1 = list(net = wide_mlp(l1 = 1e-4), opt = optimizer_adam(lr = 1e-3)),
  dropout = list(net = wide_mlp(dropout = 0.5), opt = optimizer_adam(lr = 1e-3)),
  adamw = list(net = wide_mlp(), opt = optimizer_adamw(lr = 1e-3, weight_decay = 1))
)
epochs <- 100
seeds <- 1:3

# Cross-entropy (no penalty, no dropout) and accuracy of a fit on rows `rows`.
data_metrics <- function(fit, rows) {
  p <- predict(fit, x[rows, ], type = "prob")
  k <- as.integer(y[rows])
  c(ce = -mean(log(pmax(p[cbind(seq_along(k), k)], 1e-12))),
    acc = mean(max.col(p, ties.method = "first") == k))
}

curves <- list()
test_acc <- list()
weights <- list()
for (nm in names(configs)) {
  cfg <- configs[[nm]]
  for (s in seeds) {
    t0 <- proc.time()[["elapsed"]]
    rows <- vector("list", epochs)
    fit <- cfg$net
    # One epoch at a time (resuming the fit) so that the curves can be the
    # plain cross-entropy: the history's losses include the penalty.
    for (e in seq_len(epochs)) {
      fit <- train_network(fit, x, y, optimizer = cfg$opt, epochs = 1, batch_size = 32,
                           validation_split = 0.5, seed = s, verbose = FALSE)
      rows[[e]] <- c(epoch = e, train = data_metrics(fit, tr), val = data_metrics(fit, va))
    }
    curves[[paste(nm, s)]] <- data.frame(method = nm, seed = s, do.call(rbind, rows))
    test_acc[[paste(nm, s)]] <- data.frame(method = nm, seed = s, epochs = epochs,
                                           test_accuracy = mean(predict(fit, xt) == yt))
    if (s == 1) weights[[nm]] <- unlist(lapply(fit$weights, `[[`, "kernel"), use.names = FALSE)
    message(sprintf("%s seed %d: %.0f s, test accuracy %.4f", nm, s,
                    proc.time()[["elapsed"]] - t0, test_acc[[paste(nm, s)]]$test_accuracy))
  }
}

# Early stopping (section 7.8): one call, monitoring the validation loss.
early <- list()
for (s in seeds) {
  fit <- train_network(configs$none$net, x, y, optimizer = optimizer_adam(lr = 1e-3),
                       epochs = epochs, batch_size = 32, validation_split = 0.5, seed = s,
                       callbacks = callback_early_stopping(patience = 10, restore_best_weights = TRUE),
                       verbose = FALSE)
  early[[s]] <- data.frame(method = "early_stopping", seed = s, epochs = fit$best_epoch,
                           test_accuracy = mean(predict(fit, xt) == yt))
}

# Weight histograms (seed 1): counts of log10 |w| over all kernel weights.
breaks <- seq(-9, 1, by = 0.25)
log_hist <- sapply(weights, function(w) {
  lw <- pmin(pmax(log10(abs(w)), -9 + 1e-9), 1 - 1e-9)
  graphics::hist(lw, breaks = breaks, plot = FALSE)$counts
})
lin_breaks <- seq(-0.2, 0.2, by = 0.005)
lin_hist <- sapply(weights, function(w) {
  graphics::hist(pmin(pmax(w, -0.2 + 1e-9), 0.2 - 1e-9), breaks = lin_breaks, plot = FALSE)$counts
})
near_zero <- t(sapply(weights, function(w) c(n = length(w), below_1e3 = mean(abs(w) < 1e-3),
                                              below_1e4 = mean(abs(w) < 1e-4),
                                              mean_abs = mean(abs(w)))))

res <- list(
  curves = do.call(rbind, curves),
  test = rbind(do.call(rbind, test_acc), do.call(rbind, early)),
  log_hist = list(breaks = breaks, counts = log_hist),
  lin_hist = list(breaks = lin_breaks, counts = lin_hist),
  near_zero = near_zero,
  settings = list(subset_seed = 7, train = 500, validation = 500, epochs = epochs, seeds = seeds,
                  batch_size = 32, l2 = 1e-3, l1 = 1e-4, dropout = 0.5, adamw_weight_decay = 1,
                  lr = 1e-3, patience = 10, statlearn = as.character(utils::packageVersion("statlearn")))
)
rownames(res$curves) <- NULL
rownames(res$test) <- NULL
saveRDS(res, "inst/extdata/dl-07-regularization.rds", compress = "xz")
