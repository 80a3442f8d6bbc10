# Precomputed results for vignettes/esl-03-linear-regression.Rmd.
#
# Run from the package root with the package installed:
#   Rscript data-raw/vignette-esl-03.R
# It writes inst/extdata/esl-03.rds: the averaged curves of ESL Figures 3.6
# and 3.16 (simulations comparing subset selection, stagewise and LAR-type
# methods). Everything is seeded; 10-30 seconds on 2 cores.

library(statlearn)
options(statlearn.threads = 2)
t_start <- proc.time()[["elapsed"]]

# The design of both figures: p = 31 standard Gaussian inputs with all
# pairwise correlations 0.85; 10 of the coefficients (the first ten, which
# loses nothing since the inputs are exchangeable) drawn from N(0, 0.4) and the
# rest zero; noise N(0, 6.25), that is standard deviation 2.5, which gives the
# signal-to-noise ratio 0.64 of the book's caption.
simulate <- function(n, p = 31, rho = 0.85, k = 10) {
  common <- rnorm(n)
  x <- sqrt(rho) * common + sqrt(1 - rho) * matrix(rnorm(n * p), n, p)
  colnames(x) <- paste0("x", seq_len(p))
  beta <- c(rnorm(k, 0, sqrt(0.4)), numeric(p - k))
  y <- drop(x %*% beta) + rnorm(n, 0, 2.5)
  list(x = x, y = y, beta = beta)
}

# Forward stagewise regression of ESL section 3.3.3 (not the incremental
# version): on standardised inputs, repeatedly add to the coefficient of the
# input most correlated with the residual the whole simple-regression
# coefficient of the residual on it, until no input has a correlation above
# `tol` with the residual. Returns the coefficients (original scale) after
# every step, as columns.
stagewise_fs <- function(x, y, tol = 1e-4, max_steps = 20000) {
  xc <- scale(x, scale = FALSE)
  sx <- sqrt(colSums(xc^2))
  z <- sweep(xc, 2, sx, "/")
  gram <- crossprod(z)
  r <- y - mean(y)
  ry <- sqrt(sum(r^2))
  grad <- drop(crossprod(z, r))
  b <- numeric(ncol(x))
  path <- matrix(0, ncol(x), max_steps + 1)
  for (step in seq_len(max_steps)) {
    j <- which.max(abs(grad))
    # correlation of input j with the current residual
    if (abs(grad[j]) / sqrt(max(sum(r^2), 1e-300)) < tol) break
    delta <- grad[j]
    b[j] <- b[j] + delta
    r <- r - delta * z[, j]
    grad <- grad - delta * gram[, j]
    path[, step + 1] <- b / sx
  }
  path[, seq_len(step), drop = FALSE]
}

# ---- Figure 3.6: N = 300, error against subset size k ------------------------
sims <- 50
p <- 31
err36 <- array(NA_real_, c(sims, p + 1, 4),
               dimnames = list(NULL, k = 0:p, method = c("Best Subset", "Forward Stepwise",
                                                         "Backward Stepwise",
                                                         "Forward Stagewise")))
fs_steps <- integer(sims)
set.seed(2009)
for (s in seq_len(sims)) {
  d <- simulate(300)
  loss <- function(b) colSums((b - d$beta)^2)
  bs <- best_subset(d$x, d$y)
  err36[s, , 1] <- loss(bs$beta)[order(bs$tuning)]
  fw <- stepwise(d$x, d$y, direction = "forward", criterion = "RSS")
  err36[s, , 2] <- loss(fw$beta)[order(fw$size)]
  bw <- stepwise(d$x, d$y, direction = "backward", criterion = "RSS")
  err36[s, , 3] <- loss(bw$beta)[order(bw$size)]
  fs <- stagewise_fs(d$x, d$y)
  fs_steps[s] <- ncol(fs)
  nz <- colSums(fs != 0)
  e <- loss(fs)
  # the last step with k nonzero coefficients (NA if no step had exactly k)
  for (k in 0:p) if (any(nz == k)) err36[s, k + 1, 4] <- e[max(which(nz == k))]
}
fig36 <- list(
  mean = apply(err36, 2:3, mean, na.rm = TRUE),
  se = apply(err36, 2:3, function(v) sd(v, na.rm = TRUE) / sqrt(sum(!is.na(v)))),
  fs_steps = fs_steps
)

# ---- Figure 3.16: N = 100, error against the fraction of L1 arc length -------
# Each path is taken as piecewise linear between its successive models; the
# arc length is the running sum of the L1 norms of the coefficient changes.
grid <- seq(0, 1, by = 0.01)
at_fraction <- function(path, beta) {
  steps <- rowSums(abs(diff(t(path))))
  arc <- c(0, cumsum(steps))
  frac <- arc / arc[length(arc)]
  keep <- c(TRUE, diff(frac) > 0)
  path <- path[, keep, drop = FALSE]
  frac <- frac[keep]
  b <- apply(path, 1, function(row) approx(frac, row, xout = grid)$y)
  rowSums(sweep(b, 2, beta)^2)
}
methods16 <- c("Forward Stepwise", "LAR", "Lasso", "Forward Stagewise",
               "Incremental Forward Stagewise")
err316 <- array(NA_real_, c(sims, length(grid), length(methods16)),
                dimnames = list(NULL, fraction = grid, method = methods16))
set.seed(2010)
for (s in seq_len(sims)) {
  d <- simulate(100)
  fw <- stepwise(d$x, d$y, direction = "forward", criterion = "RSS")
  paths <- list(
    fw$beta[, order(fw$size), drop = FALSE],
    lars(d$x, d$y, type = "lar", threads = 2)$beta,
    lars(d$x, d$y, type = "lasso", threads = 2)$beta,
    stagewise_fs(d$x, d$y),
    lars(d$x, d$y, type = "stagewise", threads = 2)$beta
  )
  for (m in seq_along(paths)) err316[s, , m] <- at_fraction(paths[[m]], d$beta)
}
fig316 <- list(grid = grid,
               mean = apply(err316, 2:3, mean),
               se = apply(err316, 2:3, function(v) sd(v) / sqrt(length(v))))

res <- list(fig36 = fig36, fig316 = fig316, sims = sims,
            seconds = proc.time()[["elapsed"]] - t_start,
            created = format(Sys.time(), "%Y-%m-%d"),
            statlearn = as.character(utils::packageVersion("statlearn")))
saveRDS(res, "inst/extdata/esl-03.rds", compress = "xz")
cat("wrote inst/extdata/esl-03.rds in", round(res$seconds), "seconds\n")
