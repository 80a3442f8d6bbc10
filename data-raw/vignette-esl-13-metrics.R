# Precomputed results for the tangent-distance and DANN parts of the chapter 13
# vignette (ESL 13.3.3 Table 13.1, 13.4 Figure 13.15).
#
# Run from the package root with the package installed:
#   Rscript data-raw/vignette-esl-13-metrics.R
# It writes inst/extdata/esl-13-metrics.rds. Everything is seeded, and the
# searches give the same neighbours for any number of threads, so a rerun gives
# the same numbers (timings aside). About 30 seconds on 2 cores.

library(statlearn)
options(statlearn.threads = 2)

# ESL Table 13.1: 1-NN on the zip digits, Euclidean and tangent distance.
x <- as.matrix(zip_train[, -1])
q <- as.matrix(zip_test[, -1])
time_e <- system.time(pred_e <- predict(nearest_neighbors(x, zip_train$digit, k = 1), q))
time_t <- system.time(pred_t <- predict(nearest_neighbors(x, zip_train$digit, k = 1,
                                                          metric = tangent_metric(16, 16)), q))
zip <- data.frame(
  method = c("1-NN, Euclidean distance", "1-NN, tangent distance"),
  book = c(0.055, 0.026),
  statlearn = c(mean(pred_e != zip_test$digit), mean(pred_t != zip_test$digit)),
  seconds = c(time_e[["elapsed"]], time_t[["elapsed"]])
)
# Test errors of the tangent distance by transformation left out.
all_tf <- tangent_metric()$transformations
drop_one <- sapply(c("none", all_tf), function(nm) {
  m <- tangent_metric(16, 16, transformations = setdiff(all_tf, nm))
  mean(predict(nearest_neighbors(x, zip_train$digit, k = 1, metric = m), q) != zip_test$digit)
})

# ESL 13.4, Figure 13.15: the ten-dimensional sphere problem. Class 1: ten
# independent standard normals conditioned on 22.4 < ||x||^2 < 40; class 2:
# ten independent standard normals; 250 training points per class, ten
# realisations; standard 5-NN against DANN 5-NN (neighbourhood 50, epsilon 1).
sphere_data <- function(n_per_class, p = 10) {
  x1 <- matrix(0, 0, p)
  while (nrow(x1) < n_per_class) {
    z <- matrix(rnorm(2000 * p), ncol = p)
    r2 <- rowSums(z^2)
    x1 <- rbind(x1, z[r2 > 22.4 & r2 < 40, , drop = FALSE])
  }
  list(x = rbind(x1[seq_len(n_per_class), ], matrix(rnorm(n_per_class * p), ncol = p)),
       y = factor(rep(c("1", "2"), each = n_per_class)))
}
set.seed(1315)
sphere <- t(sapply(1:10, function(r) {
  tr <- sphere_data(250)
  te <- sphere_data(1000)
  c(`5-NN` = mean(predict(nearest_neighbors(tr$x, tr$y, k = 5), te$x) != te$y),
    DANN = mean(predict(nearest_neighbors(tr$x, tr$y, k = 5, metric = dann_metric()), te$x) != te$y))
}))

res <- list(zip = zip, drop_one = drop_one, sphere = sphere,
            made = sprintf("data-raw/vignette-esl-13-metrics.R, statlearn %s", packageVersion("statlearn")))
saveRDS(res, "inst/extdata/esl-13-metrics.rds", compress = "xz")
print(res)
