# Precomputed results for ESL Figure 7.3 (section 7.3.1) in the chapter 7
# vignette: the bias-variance decomposition of k-nearest neighbours and of
# best-subset linear regression on the book's simulated settings.
#
# Run from the package root with the package installed:
#   Rscript data-raw/esl-07-bias-variance.R
# It writes inst/extdata/esl-07-bias-variance.rds (seeded: a rerun gives the
# same numbers). About 30 seconds on one core.

library(statlearn)
options(statlearn.threads = 1)

# The book's settings (N, p, truth, path_predict): see the sourced file.
source("data-raw/esl-07-settings.R")
# 0-1 loss of the classifier "1 if the fit exceeds 1/2": a fit of exactly 1/2
# (a tied vote of an even number of neighbours) is a coin flip, loss 1/2.
loss01 <- function(fhat, y) ifelse(fhat == 0.5, 0.5, as.numeric((fhat > 0.5) != y))

set.seed(703)
n_test <- 2000       # fixed points x0 at which bias and variance are measured
replicates <- 500    # training sets
x0 <- matrix(runif(n_test * p), n_test)
result <- lapply(c(knn = "knn", linear = "linear"), function(m) {
  f0 <- truth[[m]](x0)
  s1 <- s2 <- e01 <- 0
  for (r in seq_len(replicates)) {
    x <- matrix(runif(N * p), N)
    fhat <- path_predict[[m]](x, truth[[m]](x), x0)
    s1 <- s1 + fhat
    s2 <- s2 + fhat^2
    e01 <- e01 + loss01(fhat, f0)
  }
  mean_fit <- s1 / replicates
  bias2 <- colMeans((mean_fit - f0)^2)            # averaged over x0
  variance <- colMeans(s2 / replicates - mean_fit^2) * replicates / (replicates - 1)
  data.frame(complexity = if (m == "knn") 1:50 else 1:20,
             squared_error = bias2 + variance,   # sigma^2 = 0 here
             bias2 = bias2, variance = variance,
             zero_one = colMeans(e01 / replicates))
})
result$settings <- list(N = N, p = p, n_test = n_test, replicates = replicates)
result$made <- sprintf("data-raw/esl-07-bias-variance.R, statlearn %s", packageVersion("statlearn"))
saveRDS(result, "inst/extdata/esl-07-bias-variance.rds", compress = "xz")
print(result)
