# Precomputed results for ESL Figures 7.7 and 7.11 (sections 7.9.1 and 7.11.1)
# in the chapter 7 vignette: how well AIC, BIC, the VC bound (structural risk
# minimisation), ten-fold cross-validation and the .632+ bootstrap choose the
# model in the four scenarios of Figure 7.3.
#
# Run from the package root with the package installed:
#   Rscript data-raw/esl-07-selection.R
# It writes inst/extdata/esl-07-selection.rds (seeded: a rerun gives the same
# numbers). About a minute on one core.

library(statlearn)
options(statlearn.threads = 1)

# The book's settings (N, p, truth, path_predict): see the sourced file.
source("data-raw/esl-07-settings.R")
# number of parameters d(alpha) (also used as the VC dimension h):
# N/k for k-NN (ESL 7.6), p + 1 for a subset of size p with its intercept
parameters <- list(knn = N / (1:50), linear = (1:20) + 1)
# sigma^2 for the criteria: N/(N - d) times the training error of a low-bias
# model: k = 5 for k-NN (k = 1 has zero training error), all 20 inputs for
# the linear model
low_bias <- list(knn = 5, linear = 20)
losses <- list(
  regression = function(fhat, y) (fhat - y)^2,
  classification = function(fhat, y) ifelse(fhat == 0.5, 0.5, as.numeric((fhat > 0.5) != y))
)
# the no-information error rate gamma of .632+ (ESL eq. 7.59)
no_information <- list(
  regression = function(fhat, y) apply(fhat, 2, function(f) mean(outer(y, f, "-")^2)),
  classification = function(fhat, y) {
    q1 <- colMeans(ifelse(fhat == 0.5, 0.5, as.numeric(fhat > 0.5)))
    p1 <- mean(y)
    p1 * (1 - q1) + (1 - p1) * q1
  }
)
# VC bound (ESL eqs. 7.44-7.46) with a1 = a2 = 1, c = 1 and eta = 4/sqrt(N)
vc_bound <- function(err, h, type) {
  eta <- min(4 / sqrt(N), 1)
  eps <- (h * (log(N / h) + 1) - log(eta / 4)) / N
  if (type == "regression") {
    denom <- 1 - sqrt(eps)
    ifelse(denom > 0, err / denom, Inf)
  } else {
    err + eps / 2 * (1 + sqrt(1 + 4 * err / eps))
  }
}
estimate_632plus <- function(err, err1, gamma) {
  err1 <- pmin(err1, gamma)
  R <- ifelse(err1 > err & gamma > err, (err1 - err) / (gamma - err), 0)
  w <- 0.632 / (1 - 0.368 * R)
  (1 - w) * err + w * err1
}

one_training_set <- function(m, x_test, f_test, B = 50, folds = 10) {
  x <- matrix(runif(N * p), N)
  y <- truth[[m]](x)
  fit_train <- path_predict[[m]](x, y, x)
  fit_test <- path_predict[[m]](x, y, x_test)
  cv_plan <- resampling_plan(N, "kfold", folds = folds)
  boot_plan <- resampling_plan(N, "bootstrap", B = B)
  cv_pred <- matrix(NA_real_, N, ncol(fit_test))
  for (s in seq_len(cv_plan$splits)) {
    tr <- cv_plan$train[[s]]
    te <- cv_plan$test[[s]]
    cv_pred[te, ] <- path_predict[[m]](x[tr, ], y[tr], x[te, , drop = FALSE])
  }
  boot_pred <- vector("list", B)   # out-of-bag predictions of each replicate
  for (b in seq_len(B)) {
    tr <- boot_plan$train[[b]]
    te <- boot_plan$test[[b]]
    boot_pred[[b]] <- list(rows = te, fhat = path_predict[[m]](x[tr, ], y[tr], x[te, , drop = FALSE]))
  }
  out <- list()
  for (type in names(losses)) {
    L <- losses[[type]]
    err_test <- colMeans(L(fit_test, f_test))               # Err_T(alpha)
    err <- colMeans(L(fit_train, y))                         # training error
    cv <- colMeans(L(cv_pred, y))
    # leave-one-out bootstrap Err^(1): each observation's mean loss over the
    # replicates that do not contain it, then the mean over observations
    loss_sum <- matrix(0, N, ncol(fit_test))
    count <- numeric(N)
    for (bp in boot_pred) {
      loss_sum[bp$rows, ] <- loss_sum[bp$rows, ] + L(bp$fhat, y[bp$rows])
      count[bp$rows] <- count[bp$rows] + 1
    }
    err1 <- colMeans(loss_sum[count > 0, ] / count[count > 0])
    gamma <- no_information[[type]](fit_train, y)
    d <- parameters[[m]]
    lb <- low_bias[[m]]
    sigma2 <- N / (N - d[lb]) * err[lb]
    crit <- list(AIC = err + 2 * d * sigma2 / N,
                 BIC = err + log(N) * d * sigma2 / N,
                 SRM = vc_bound(err, d, type),
                 CV = cv,
                 `.632+` = estimate_632plus(err, err1, gamma))
    chosen <- sapply(crit, which.min)
    rel <- 100 * (err_test[chosen] - min(err_test)) / (max(err_test) - min(err_test))
    out[[type]] <- list(chosen = chosen, relative_error = setNames(rel, names(crit)),
                        err_test = err_test)
  }
  out
}

set.seed(707)
n_test <- 10000
x_test <- matrix(runif(n_test * p), n_test)
replicates <- 100
runs <- lapply(c(knn = "knn", linear = "linear"), function(m) {
  f_test <- truth[[m]](x_test)
  lapply(seq_len(replicates), function(r) one_training_set(m, x_test, f_test))
})
# relative errors: one data frame, one row per training set, criterion and scenario
scenario_name <- c(knn = "k-NN", linear = "linear")
relative <- do.call(rbind, lapply(names(runs), function(m) do.call(rbind, lapply(
  c("regression", "classification"), function(type) do.call(rbind, lapply(
    seq_along(runs[[m]]), function(r) data.frame(
      scenario = paste(c(regression = "reg", classification = "class")[type], scenario_name[m], sep = "/"),
      replicate = r, criterion = names(runs[[m]][[r]][[type]]$relative_error),
      chosen = unname(runs[[m]][[r]][[type]]$chosen),
      relative_error = unname(runs[[m]][[r]][[type]]$relative_error))))))))
rownames(relative) <- NULL
res <- list(relative = relative,
            settings = list(N = N, p = p, n_test = n_test, replicates = replicates, B = 50, folds = 10),
            made = sprintf("data-raw/esl-07-selection.R, statlearn %s", packageVersion("statlearn")))
saveRDS(res, "inst/extdata/esl-07-selection.rds", compress = "xz")
print(aggregate(relative_error ~ criterion + scenario, relative, mean))
