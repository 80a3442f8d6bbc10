# glmnet's conventions across every family of lasso()/elastic_net(), each
# checked against glmnet itself (thresh = 1e-14): no intercept, standardize on
# and off, dfmax, and columns with a huge mean.

sim_families <- function(n = 300, p = 8, seed = 51, shift = 0.5) {
  set.seed(seed)
  x <- matrix(rnorm(n * p), n, p)
  x[, 2] <- 2 * x[, 2]
  x <- x + shift  # means away from zero: scaling by sd and by rms then differ
  z <- scale(x)
  eta <- drop(z %*% c(1, -0.8, 0.5, 0, 0.3, 0, 0, 0.2))
  pr <- cbind(1, exp(0.7 * z[, 1]), exp(-0.7 * z[, 2]))
  list(x = x,
       gaussian = eta + rnorm(n),
       binomial = rbinom(n, 1, plogis(eta)),
       poisson = rpois(n, exp(0.3 * eta)),
       multinomial = factor(apply(pr, 1, function(q) sample(c("a", "b", "c"), 1, prob = q))))
}

# Coefficients (intercept first) of either package at the given lambdas, as
# one matrix per class stacked by rows.
path_coefs <- function(fit, lambda) {
  cf <- if (inherits(fit, "glmnet")) stats::coef(fit, s = lambda) else stats::coef(fit, lambda = lambda)
  if (is.list(cf)) do.call(rbind, lapply(cf, as.matrix)) else as.matrix(cf)
}

expect_same_path <- function(f, g, tol, info) {
  expect_identical(length(f$lambda), length(g$lambda), info = info)
  L <- seq_len(min(length(f$lambda), length(g$lambda)))
  expect_equal(f$lambda[L], g$lambda[L], tolerance = 1e-12, info = info)
  expect_equal(unname(path_coefs(f, g$lambda[L])), unname(path_coefs(g, g$lambda[L])),
               tolerance = tol, info = info)
}

test_that("no intercept, with and without standardize, agrees with glmnet for every family", {
  skip_if_not_installed("glmnet")
  d <- sim_families()
  for (fam in c("gaussian", "binomial", "poisson", "multinomial")) {
    for (std in c(TRUE, FALSE)) for (icpt in c(FALSE, TRUE)) {
      info <- sprintf("%s, standardize = %s, intercept = %s", fam, std, icpt)
      g <- suppressWarnings(glmnet::glmnet(d$x, d[[fam]], family = fam, intercept = icpt,
                                           standardize = std, thresh = 1e-14))
      f <- lasso(d$x, d[[fam]], family = fam, intercept = icpt, standardize = std,
                 thresh = 1e-14)
      expect_same_path(f, g, 1e-6, info)
    }
  }
})

test_that("dfmax ends the path as glmnet does, for every family", {
  skip_if_not_installed("glmnet")
  d <- sim_families(seed = 52, shift = 0)
  for (fam in c("gaussian", "binomial", "poisson", "multinomial")) for (dfmax in c(1, 3)) {
    info <- sprintf("%s, dfmax = %d", fam, dfmax)
    # (newer glmnet versions deprecate the dfmax argument in favour of
    # control = list(dfmax = ); the result is the same)
    g <- withCallingHandlers(
      glmnet::glmnet(d$x, d[[fam]], family = fam, dfmax = dfmax, thresh = 1e-14),
      warning = function(w) if (grepl("deprecated", conditionMessage(w))) invokeRestart("muffleWarning")
    )
    f <- lasso(d$x, d[[fam]], family = fam, dfmax = dfmax, thresh = 1e-14)
    expect_same_path(f, g, 1e-6, info)
    expect_identical(as.integer(f$df), as.integer(g$df), info = info)
    # From the fifth lambda on, only the last solution may have more than
    # dfmax variables; the path never stops before the fifth.
    late <- which(f$df > dfmax & seq_along(f$df) >= 5L)
    expect_true(all(late == length(f$lambda)), info = info)
    expect_gte(length(f$lambda), 5L)
  }
  # The multinomial dfmax used to be ignored: all 8 variables entered.
  f <- lasso(d$x, d$multinomial, family = "multinomial", dfmax = 1)
  expect_lte(max(f$df), 3L)
})

test_that("a column with a mean of 1e8 gives glmnet's path, not NaN", {
  skip_if_not_installed("glmnet")
  d <- sim_families(seed = 53, shift = 0)
  x <- d$x
  x[, 1] <- x[, 1] + 1e8
  for (fam in c("binomial", "poisson", "multinomial", "gaussian")) {
    info <- fam
    g <- glmnet::glmnet(x, d[[fam]], family = fam, thresh = 1e-14)
    f <- lasso(x, d[[fam]], family = fam, thresh = 1e-14)
    expect_false(anyNA(unlist(f$beta)), info = info)
    expect_same_path(f, g, 1e-6, info)
    # The slopes equal those of the unshifted fit (the intercept absorbs the shift).
    f0 <- lasso(d$x, d[[fam]], family = fam, thresh = 1e-14)
    L <- seq_len(min(length(f$lambda), length(f0$lambda)))
    expect_equal(f$lambda[L], f0$lambda[L], tolerance = 1e-9, info = info)
    b <- path_coefs(f, f$lambda[L]); b0 <- path_coefs(f0, f0$lambda[L])
    slopes <- !grepl("Intercept", rownames(b))
    expect_equal(b[slopes, ], b0[slopes, ], tolerance = 1e-6, info = info)
  }
})

test_that("with standardize = TRUE the path does not depend on the units of x", {
  d <- sim_families(seed = 54, shift = 0)
  for (fam in c("gaussian", "binomial", "poisson", "multinomial")) {
    f0 <- lasso(d$x, d[[fam]], family = fam)
    for (s in c(1e-150, 1e-12, 1e12, 1e150)) {
      info <- sprintf("%s, x * %g", fam, s)
      f <- lasso(d$x * s, d[[fam]], family = fam)
      # Same lambdas (the penalty is on the standardised scale) and the same
      # predictions: coefficients scale by 1/s.
      expect_equal(f$lambda, f0$lambda, tolerance = 1e-10, info = info)
      l <- f0$lambda[length(f0$lambda) %/% 2]
      p0 <- predict(f0, d$x, lambda = l, type = "link")
      expect_equal(predict(f, d$x * s, lambda = l, type = "link"), p0, tolerance = 1e-8, info = info)
    }
  }
  # Outside the representable range of squares: a classed error, never a wrong path.
  expect_statlearn_error(lasso(d$x * 1e300, d$gaussian), "statlearn_error_range", "magnitude")
  expect_statlearn_error(lasso(d$x * 1e-300, d$gaussian), "statlearn_error_range", "magnitude")
  expect_statlearn_error(lasso(d$x, d$gaussian * 1e300), "statlearn_error_range", "`y`")
})
