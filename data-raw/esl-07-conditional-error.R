# Precomputed results for ESL Figures 7.14 and 7.15 (section 7.12) in the
# chapter 7 vignette: does cross-validation estimate the conditional error
# Err_T of the training set at hand, or the expected error Err?
#
# Run from the package root with the package installed:
#   Rscript data-raw/esl-07-conditional-error.R
# It writes inst/extdata/esl-07-conditional-error.rds (seeded: a rerun gives
# the same numbers). About 20 seconds on one core.

library(statlearn)
options(statlearn.threads = 1)

# The top-right scenario of Figure 7.3: N = 80, 20 inputs uniform on [0,1]^20,
# Y = 1 if X1 + ... + X10 > 5 else 0, best-subset linear regression, squared error.
N <- 80
p <- 20
truth <- function(x) as.numeric(rowSums(x[, 1:10]) > 5)
sizes <- 1:20

set.seed(712)
n_test <- 10000
x_test <- matrix(runif(n_test * p), n_test)
y_test <- truth(x_test)
replicates <- 100
curves <- lapply(seq_len(replicates), function(r) {
  x <- matrix(runif(N * p), N)
  y <- truth(x)
  fit <- best_subset(x, y)
  err_t <- colMeans((predict(fit, x_test, size = sizes) - y_test)^2)
  cv10 <- cross_validate(fit, folds = 10, x = x, y = y)
  cvn <- cross_validate(fit, foldid = seq_len(N), x = x, y = y)   # leave-one-out
  keep <- match(sizes, cv10$tuning)
  list(err_t = err_t, cv10 = cv10$cvm[keep], cvn = cvn$cvm[keep])
})
pick <- function(what) do.call(rbind, lapply(curves, `[[`, what))
res <- list(sizes = sizes, err_t = pick("err_t"), cv10 = pick("cv10"), cvn = pick("cvn"),
            settings = list(N = N, p = p, n_test = n_test, replicates = replicates),
            made = sprintf("data-raw/esl-07-conditional-error.R, statlearn %s",
                           packageVersion("statlearn")))
saveRDS(res, "inst/extdata/esl-07-conditional-error.rds", compress = "xz")
print(colMeans(res$err_t))
print(colMeans(abs(res$cv10 - res$err_t)))
