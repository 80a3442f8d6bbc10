# Cubic smoothing splines (ESL 5.4-5.5): against the dense closed form of
# ESL eq. 5.12 on the natural-spline basis (an independent computation: the
# package solves it in the B-spline basis), stats::smooth.spline, brute-force
# leave-one-out refits and finite differences.

spline_data <- function(n = 60, seed = 3) {
  set.seed(seed)
  x <- sort(round(runif(n, 0, 10), 1))  # ties
  list(x = x, y = sin(x) + rnorm(n, sd = 0.3), w = runif(n, 0.5, 2))
}

test_that("smoothing_spline() equals the dense solution of ESL eq. 5.12 (weights, ties)", {
  d <- spline_data()
  ux <- sort(unique(d$x))
  m <- length(ux)
  basis <- function(z, deriv = 0) {
    unclass(natural_spline_basis(z, knots = ux[-c(1, m)], intercept = TRUE, boundary_knots = range(ux),
                                 derivative = deriv))[, , drop = FALSE]
  }
  N <- basis(d$x)
  # Omega_jk = integral N_j'' N_k'': the second derivatives are linear between knots (Simpson is exact)
  omega <- matrix(0, m, m)
  for (k in 1:(m - 1)) {
    a <- basis(ux[k], 2); b <- basis(ux[k + 1], 2); mid <- basis((ux[k] + ux[k + 1]) / 2, 2)
    omega <- omega + (ux[k + 1] - ux[k]) / 6 * (crossprod(a) + 4 * crossprod(mid) + crossprod(b))
  }
  for (lambda in c(0.01, 0.7, 30)) {
    A <- crossprod(N, d$w * N) + lambda * omega
    S <- N %*% solve(A, t(N * d$w))
    fit <- smoothing_spline(d$x, d$y, lambda = lambda, weights = d$w)
    expect_equal(unname(fitted(fit)), drop(S %*% d$y), tolerance = 1e-10, info = sprintf("lambda %g", lambda))
    expect_equal(fit$leverage, diag(S), tolerance = 1e-10)
    expect_equal(fit$df, sum(diag(S)), tolerance = 1e-10)
    r <- d$y - drop(S %*% d$y)
    expect_equal(fit$rss, sum(d$w * r^2), tolerance = 1e-10)
    expect_equal(fit$gcv, fit$rss / sum(d$w) / (1 - fit$df / length(d$x))^2, tolerance = 1e-12)
  }
})

test_that("the leave-one-out criterion equals refits without each observation", {
  d <- spline_data(40, 4)
  fit <- smoothing_spline(d$x, d$y, lambda = 0.3, weights = d$w)
  loo <- vapply(seq_along(d$x), function(i) {
    w <- d$w
    w[i] <- 0
    d$y[i] - predict(smoothing_spline(d$x, d$y, lambda = 0.3, weights = w), d$x[i])
  }, numeric(1))
  expect_equal(fit$loo, sum(d$w * loo^2) / sum(d$w), tolerance = 1e-10)
})

test_that("df and GCV choices agree with stats::smooth.spline (thinned and all knots)", {
  d <- spline_data(80, 5)
  for (all in c(FALSE, TRUE)) {
    for (df in c(4, 7.5, 15)) {
      ref <- stats::smooth.spline(d$x, d$y, all.knots = all, df = df)
      ours <- smoothing_spline(d$x, d$y, df = ref$df, all_knots = all)
      expect_equal(ours$df, ref$df, tolerance = 1e-8)
      expect_equal(unname(fitted(ours)), predict(ref, d$x)$y, tolerance = 1e-4,
                   info = sprintf("df %g, all knots %s", df, all))
      # smooth.spline's lambda is on x mapped to [0, 1]: ours is range^3 times it
      expect_equal(ours$lambda, ref$lambda * diff(range(d$x))^3, tolerance = 1e-3)
    }
  }
  expect_length(smoothing_spline(d$x, d$y, df = 5)$knots, length(stats::smooth.spline(d$x, d$y)$fit$knot) - 6L)
  gcv <- smoothing_spline(d$x, d$y)
  ref <- stats::smooth.spline(d$x, d$y)
  expect_identical(gcv$criterion, "gcv")
  expect_equal(gcv$df, ref$df, tolerance = 1e-3)
  # the chosen lambda is a minimum of the criterion
  near <- vapply(gcv$lambda * c(0.9, 1.1), function(l) smoothing_spline(d$x, d$y, lambda = l)$gcv, 1)
  expect_true(all(near >= gcv$gcv))
  loo <- smoothing_spline(d$x, d$y, criterion = "loo")
  near <- vapply(loo$lambda * c(0.9, 1.1), function(l) smoothing_spline(d$x, d$y, lambda = l)$loo, 1)
  expect_true(all(near >= loo$loo))
})

test_that("many observations: the thinned fit stays well conditioned and matches smooth.spline", {
  set.seed(9)
  n <- 20000
  x <- runif(n)
  y <- sin(6 * x) + rnorm(n)
  ref <- stats::smooth.spline(x, y)
  ours <- smoothing_spline(x, y)
  expect_equal(ours$df, ref$df, tolerance = 1e-3)
  same <- smoothing_spline(x, y, lambda = ref$lambda * diff(range(x))^3)
  expect_equal(unname(fitted(same)), predict(ref, x)$y, tolerance = 1e-5)
  for (l in 10^c(-8, -4, 0, 4)) {  # df between 2 and the number of knots, leverages in [0, 1]
    f <- smoothing_spline(x, y, lambda = l)
    expect_true(f$df > 2 - 1e-8 && f$df < length(f$knots) + 2)
    expect_true(all(f$leverage >= -1e-12 & f$leverage <= 1 + 1e-12))
  }
})

test_that("the limits: large lambda gives the least-squares line, small lambda interpolates", {
  d <- spline_data(50, 6)
  # (at lambda = 1e6 the df exceeds 2 by about 1e-5 here)
  big <- smoothing_spline(d$x, d$y, lambda = 1e6, weights = d$w)
  line <- lm(d$y ~ d$x, weights = d$w)
  expect_equal(unname(fitted(big)), unname(fitted(line)), tolerance = 1e-4)
  expect_equal(big$df, 2, tolerance = 1e-4)
  expect_statlearn_error(smoothing_spline(d$x, d$y, lambda = 1e30), "statlearn_error_numerical", "lambda")
  set.seed(7)
  x <- sort(runif(30))
  y <- rnorm(30)
  tiny <- smoothing_spline(x, y, lambda = 1e-18)
  expect_equal(unname(fitted(tiny)), y, tolerance = 1e-6)
  expect_equal(tiny$df, 30, tolerance = 1e-4)
})

test_that("predict() derivatives match finite differences; the fit is linear beyond the data", {
  d <- spline_data(50, 8)
  fit <- smoothing_spline(d$x, d$y, df = 8)
  z <- c(-2, 0.55, 3.33, 7.77, 12)  # between knots (x has one decimal) and outside
  h <- 1e-5
  for (k in 0:2) {
    fd <- (predict(fit, z + h, deriv = k) - predict(fit, z - h, deriv = k)) / (2 * h)
    expect_equal(predict(fit, z, deriv = k + 1), fd, tolerance = 1e-5, info = sprintf("derivative %d", k + 1))
  }
  expect_equal(predict(fit, c(-5, -2, 11, 20), deriv = 2), rep(0, 4))
  expect_equal(predict(fit, fit$x_distinct), fit$values, tolerance = 1e-12)
  expect_identical(predict(fit), fitted(fit))
})

test_that("the formula interface, predict() on a data frame and saveRDS", {
  fit <- smoothing_spline(spnbmd ~ age, data = bone, df = 10)
  ref <- smoothing_spline(bone$age, bone$spnbmd, df = 10)
  expect_equal(fitted(fit), fitted(ref))
  expect_equal(predict(fit, data.frame(age = c(11, 19.5))), predict(ref, c(11, 19.5)))
  path <- tempfile(fileext = ".rds")
  saveRDS(fit, path)
  expect_identical(predict(readRDS(path), c(10, 14, 24)), predict(fit, c(10, 14, 24)))
  expect_output(print(fit), "effective df 10")
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_silent(plot(fit))
})

test_that("bad input gives classed errors naming the argument", {
  x <- 1:10
  y <- rnorm(10)
  expect_statlearn_error(smoothing_spline(letters[1:10], y), "statlearn_error_type", "x")
  expect_statlearn_error(smoothing_spline(x, y[1:9]), "statlearn_error_length", "y")
  expect_statlearn_error(smoothing_spline(c(1:9, NA), y), "statlearn_error_nonfinite", "x")
  expect_statlearn_error(smoothing_spline(x, c(y[1:9], Inf)), "statlearn_error_nonfinite", "y")
  expect_statlearn_error(smoothing_spline(rep(1:3, length.out = 10), y), "statlearn_error_constant", "x")
  expect_statlearn_error(smoothing_spline(x, y, tol = -1), "statlearn_error_range", "tol")
  expect_statlearn_error(smoothing_spline(x, y, all_knots = "yes"), "statlearn_error_type", "all_knots")
  expect_statlearn_error(smoothing_spline(x, y, df = 2), "statlearn_error_range", "df")
  expect_statlearn_error(smoothing_spline(x, y, df = 10), "statlearn_error_range", "df")
  expect_statlearn_error(smoothing_spline(x, y, df = 10.5), "statlearn_error_range", "df")
  expect_statlearn_error(smoothing_spline(x, y, df = 2 + 1e-9), "statlearn_error_range", "df")
  expect_statlearn_error(smoothing_spline(x, y, lambda = -1), "statlearn_error_range", "lambda")
  expect_statlearn_error(smoothing_spline(x, y, df = 4, lambda = 1), "statlearn_error_conflict", "lambda")
  expect_statlearn_error(smoothing_spline(x, y, weights = rep(-1, 10)), "statlearn_error_range", "weights")
  expect_statlearn_error(smoothing_spline(x, y, criterion = "aic"), "statlearn_error_range", "criterion")
  expect_statlearn_error(smoothing_spline(x, y, df = 4, foo = 1), "statlearn_error_argument", "foo")
  fit <- smoothing_spline(x, y, df = 4)
  expect_statlearn_error(predict(fit, "a"), "statlearn_error_type", "newdata")
  expect_statlearn_error(predict(fit, 1, deriv = 4), "statlearn_error_range", "deriv")
  expect_true(is.na(predict(fit, NA_real_)))
})

test_that("smoother_cv() of a smoothing spline gives its df, leave-one-out and GCV criteria", {
  d <- spline_data(40, 10)
  fit <- smoothing_spline(d$x, d$y, lambda = 0.5, weights = d$w)
  tab <- smoother_cv(fit)
  expect_equal(tab$df, fit$df, tolerance = 1e-12)
  expect_equal(tab$loo, fit$loo, tolerance = 1e-12)
  expect_equal(tab$gcv, fit$gcv, tolerance = 1e-12)
  # the leave-one-out residuals against refits without each observation
  loo <- vapply(seq_along(d$x), function(i) {
    w <- d$w
    w[i] <- 0
    d$y[i] - predict(smoothing_spline(d$x, d$y, lambda = 0.5, weights = w), d$x[i])
  }, numeric(1))
  expect_equal(drop(attr(tab, "residuals")), loo, tolerance = 1e-9)
})

test_that("with every x a knot, df targets are reached and GCV does not pick interpolation", {
  set.seed(12)
  x <- sort(runif(100))
  y <- sin(12 * (x + 0.2)) / (x + 0.2) + rnorm(100)
  for (df in c(2.5, 3, 5, 9, 15, 60)) {
    fit <- smoothing_spline(x, y, df = df, all_knots = TRUE)
    expect_equal(fit$df, df, tolerance = 1e-8, info = sprintf("df %g", df))
    # smooth.spline matches df only approximately: compare at the df it reached
    ref <- stats::smooth.spline(x, y, all.knots = TRUE, df = df)
    same <- smoothing_spline(x, y, df = ref$df, all_knots = TRUE)
    expect_equal(unname(fitted(same)), predict(ref, x)$y, tolerance = 1e-4)
  }
  for (all in c(TRUE, FALSE)) {
    gcv <- smoothing_spline(x, y, all_knots = all)
    ref <- stats::smooth.spline(x, y, all.knots = all)
    expect_lt(gcv$df, 20)
    expect_equal(gcv$df, ref$df, tolerance = 1e-3)
    loo <- smoothing_spline(x, y, criterion = "loo", all_knots = all)
    expect_lt(loo$df, 20)
    expect_true(is.finite(loo$loo))
  }
  expect_statlearn_error(smoothing_spline(x, y, lambda = 1e-24, all_knots = TRUE), "statlearn_error_numerical",
                         "lambda")
  # 40 points: every x is a knot by default
  small <- smoothing_spline(x[1:40 * 2], y[1:40 * 2])
  expect_lt(small$df, 20)
})

test_that("nonparametric logistic regression maximises the penalised log-likelihood (ESL 5.30, dense Newton)", {
  set.seed(11)
  n <- 150
  x <- sort(round(runif(n, 0, 6), 2))
  y <- rbinom(n, 1, plogis(sin(x) * 1.5))
  w <- runif(n, 0.5, 1.5)
  ux <- sort(unique(x))
  m <- length(ux)
  basis <- function(z, deriv = 0) {
    unclass(natural_spline_basis(z, knots = ux[-c(1, m)], intercept = TRUE, boundary_knots = range(ux),
                                 derivative = deriv))
  }
  N <- basis(x)
  omega <- matrix(0, m, m)
  for (k in 1:(m - 1)) {
    a <- basis(ux[k], 2); b <- basis(ux[k + 1], 2); mid <- basis((ux[k] + ux[k + 1]) / 2, 2)
    omega <- omega + (ux[k + 1] - ux[k]) / 6 * (crossprod(a) + 4 * crossprod(mid) + crossprod(b))
  }
  lambda <- 2
  # Newton on sum w [y f - log(1 + e^f)] - lambda / 2 * theta' Omega theta, from zero
  theta <- numeric(m)
  for (it in 1:50) {
    p <- plogis(drop(N %*% theta))
    grad <- crossprod(N, w * (y - p)) - lambda * omega %*% theta
    hess <- crossprod(N, w * p * (1 - p) * N) + lambda * omega
    theta <- theta + solve(hess, grad)
  }
  p <- plogis(drop(N %*% theta))
  fit <- smoothing_spline(x, y, lambda = lambda, weights = w, family = "binomial", all_knots = TRUE)
  expect_true(fit$converged)
  expect_equal(unname(fitted(fit)), p, tolerance = 1e-7)
  expect_equal(predict(fit, c(0.5, 3), type = "link"), drop(basis(c(0.5, 3)) %*% theta), tolerance = 1e-7)
  S <- N %*% solve(hess, t(N * w * p * (1 - p)))  # the final weighted smoother
  expect_equal(fit$df, sum(diag(S)), tolerance = 1e-6)
  expect_equal(fit$deviance, -2 * sum(w * (y * log(p) + (1 - y) * log(1 - p))), tolerance = 1e-8)
  # a factor response (second level the event) and the formula interface give the same fit
  d <- data.frame(x = x, y = factor(ifelse(y == 1, "yes", "no")))
  f2 <- smoothing_spline(y ~ x, data = d, lambda = lambda, weights = w, family = "binomial", all_knots = TRUE)
  expect_equal(fitted(f2), fitted(fit), tolerance = 1e-12)
  # df is matched at the final weights; with a very large lambda the fit is the logistic line
  f4 <- smoothing_spline(x, y, df = 4, family = "binomial")
  expect_equal(f4$df, 4, tolerance = 1e-6)
  big <- smoothing_spline(x, y, lambda = 1e5, family = "binomial")
  expect_equal(unname(fitted(big)), unname(fitted(glm(y ~ x, family = binomial))), tolerance = 1e-3)
  expect_equal(predict(fit, 2, type = "response"), plogis(predict(fit, 2)), tolerance = 1e-15)
  expect_statlearn_error(smoothing_spline(x, rep(1, n), family = "binomial", df = 4), "statlearn_error_classes", "y")
  expect_statlearn_error(smoothing_spline(x, y + 1:n, family = "binomial", df = 4), "statlearn_error_classes", "y")
  expect_statlearn_error(smoothing_spline(x, y, family = "poisson"), "statlearn_error_range", "family")
  expect_statlearn_error(predict(fit, 1, deriv = 1, type = "response"), "statlearn_error_conflict", "type")
  expect_warning(smoothing_spline(x, y, df = 6, family = "binomial", max_iter = 1), class = "statlearn_warning_convergence")
  f_rds <- tempfile(fileext = ".rds")
  saveRDS(fit, f_rds)
  expect_identical(predict(readRDS(f_rds), c(0.1, 4), type = "response"), predict(fit, c(0.1, 4), type = "response"))
})
