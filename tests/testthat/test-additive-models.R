# additive_model() (ESL 9.1): backfitting (Algorithm 9.1) and local scoring
# (Algorithm 9.2) against the same algorithms written in plain R, with two
# independent smoothers: a plain-R penalised regression on the same B-spline
# basis (exact to rounding), and stats::smooth.spline (whose own fit at a
# given lambda agrees with ours only to about 1e-6, so the backfit is compared
# more loosely); against lm/glm for linear terms, smoothing_spline() for one
# term and mgcv::gam loosely.

# A cubic smoothing spline in plain R on smoothing_spline()'s thinned knots:
# (B'WB + lambda Omega)^-1 B'W r, Omega by the two-point Gauss rule on each
# knot interval (exact: the second derivatives are linear there).
plain_smoother <- function(x, lambda, w = rep(1, length(x))) {
  ux <- sort(unique(x))
  m <- length(ux)
  r <- ux[m] - ux[1L]
  u <- (x - ux[1L]) / r
  ubar <- (ux - ux[1L]) / r
  nk <- statlearn:::smoothing_spline_nknots(m)
  kn <- if (nk == m) ubar else ubar[seq.int(1, m, length.out = nk)]
  t <- c(rep(0, 3), kn, rep(1, 3))
  B <- splines::splineDesign(t, u, 4)
  g <- c(-1, 1) / sqrt(3)
  a <- utils::head(kn, -1)
  b <- kn[-1L]
  pts <- c(outer(g, (b - a) / 2) + rep((a + b) / 2, each = 2))
  wts <- rep((b - a) / 2, each = 2)
  D2 <- splines::splineDesign(t, pts, 4, derivs = rep(2, length(pts)))
  A <- crossprod(B * sqrt(w)) + lambda / r^3 * crossprod(D2 * sqrt(wts))
  function(res) {
    v <- B %*% solve(A, crossprod(B, w * res))
    if (is.matrix(res)) v else drop(v)
  }
}

# Backfitting by hand (ESL Algorithm 9.1, weighted): X the linear part with
# intercept, smoothers a list of functions of the partial residual.
hand_backfit <- function(z, w, X, smoothers, f = NULL, tol = 1e-13) {
  J <- length(smoothers)
  if (is.null(f)) f <- matrix(0, length(z), J)
  for (it in 1:2000) {
    old <- f
    b <- qr.coef(qr(X * sqrt(w)), (z - rowSums(f)) * sqrt(w))
    for (j in seq_len(J)) {
      fj <- smoothers[[j]](z - drop(X %*% b) - rowSums(f[, -j, drop = FALSE]))
      f[, j] <- fj - sum(w * fj) / sum(w)
    }
    if (max(abs(f - old)) < tol) break
  }
  list(eta = drop(X %*% b) + rowSums(f), f = f, b = b)
}

gam_data <- function(n = 300, seed = 1) {
  set.seed(seed)
  d <- data.frame(x1 = runif(n), x2 = rnorm(n), x3 = runif(n),
                  g = factor(sample(c("a", "b", "c"), n, TRUE)))
  d$y <- sin(2 * pi * d$x1) + d$x2^2 / 3 + 0.5 * d$x3 + (d$g == "b") + rnorm(n, sd = 0.3)
  d$z <- rbinom(n, 1, stats::plogis(sin(2 * pi * d$x1) + d$x2 - 0.5 * d$x3))
  d
}

test_that("Gaussian backfitting equals backfitting by hand (plain-R smoother and smooth.spline)", {
  d <- gam_data()
  w <- runif(nrow(d), 0.5, 2)
  fit <- additive_model(y ~ smooth_term(x1, df = 4) + smooth_term(x2, df = 3) + x3 + g, data = d,
                        weights = w, tol = 1e-12, max_iter = 1000, threads = 1)
  expect_true(fit$converged)
  lam <- vapply(fit$smooth, `[[`, 0, "lambda")
  X <- stats::model.matrix(~ x3 + g, d)
  xs <- list(d$x1, d$x2)
  hand <- hand_backfit(d$y, w, X, lapply(1:2, function(j) plain_smoother(xs[[j]], lam[j], w)))
  expect_equal(unname(fitted(fit)), hand$eta, tolerance = 1e-8, ignore_attr = TRUE)
  expect_equal(unname(fit$term_fitted), hand$f, tolerance = 1e-7)
  # each term's df is trace(S_j) - 1 of its own smoother at the weights
  S1 <- plain_smoother(d$x1, lam[1], w)
  tr1 <- sum(diag(S1(diag(nrow(d)))))
  expect_equal(fit$smooth[[1]]$df, tr1 - 1, tolerance = 1e-7)
  expect_equal(fit$smooth[[1]]$df, 4, tolerance = 1e-6)
  # the same with stats::smooth.spline as the smoother (its lambda is on x
  # mapped to [0, 1] and its weights are scaled to mean 1)
  ss <- lapply(1:2, function(j) {
    r <- diff(range(xs[[j]]))
    function(res) stats::predict(stats::smooth.spline(xs[[j]], res, w = w, lambda = lam[j] / r^3 / mean(w)),
                                 xs[[j]])$y
  })
  hand2 <- hand_backfit(d$y, w, X, ss, tol = 1e-10)
  expect_equal(unname(fitted(fit)), hand2$eta, tolerance = 1e-4, ignore_attr = TRUE)
  # the linear coefficients are those of the linear part (intercept absorbs the centring)
  expect_equal(unname(coef(fit)[c("x3", "gb", "gc")]), unname(hand$b[-1]), tolerance = 1e-7)
})

test_that("one smooth term is smoothing_spline(); df = 1 everywhere is lm() and glm()", {
  d <- gam_data()
  fit <- additive_model(y ~ smooth_term(x1, df = 5), data = d, threads = 1)
  ref <- smoothing_spline(d$x1, d$y, df = 6)
  expect_equal(unname(fitted(fit)), unname(fitted(ref)), tolerance = 1e-8)
  expect_equal(fit$smooth[[1]]$lambda, ref$lambda, tolerance = 1e-6)
  grid <- c(-0.5, 0.2, 0.7, 1.4)  # beyond the range: linear, as the spline
  expect_equal(predict(fit, data.frame(x1 = grid)), predict(ref, grid), tolerance = 1e-8)
  # linear: lm / glm, also through the matrix interface with df = 1
  lin <- additive_model(y ~ x1 + x2 + g, data = d, threads = 1)
  ols <- stats::lm(y ~ x1 + x2 + g, data = d)
  expect_equal(coef(lin), coef(ols), tolerance = 1e-10)
  expect_equal(lin$aic, stats::AIC(ols), tolerance = 1e-10)
  lin2 <- additive_model(y ~ smooth_term(x1, df = 1) + smooth_term(x2, df = 1) + g, data = d, threads = 1)
  expect_equal(unname(fitted(lin2)), unname(fitted(ols)), tolerance = 1e-10)
  m1 <- additive_model(as.matrix(d[c("x1", "x2", "x3")]), d$z, df = 1, family = "binomial", threads = 1)
  gl <- stats::glm(z ~ x1 + x2 + x3, stats::binomial, d)
  expect_equal(coef(m1), coef(gl), tolerance = 1e-8)
  expect_equal(m1$deviance, gl$deviance, tolerance = 1e-10)
  expect_equal(m1$aic, gl$aic, tolerance = 1e-10)
  expect_equal(unname(summary(m1)$coefficients[, 2]), unname(summary(gl)$coefficients[, 2]), tolerance = 1e-6)
})

test_that("binomial local scoring equals IRLS with weighted backfitting by hand", {
  d <- gam_data(400, 2)
  fit <- additive_model(z ~ smooth_term(x1, lambda = 0.01) + smooth_term(x2, lambda = 1) + x3, data = d,
                        family = "binomial", tol = 1e-12, max_iter = 1000, threads = 1)
  expect_true(fit$converged)
  X <- stats::model.matrix(~ x3, d)
  xs <- list(d$x1, d$x2)
  lam <- c(0.01, 1)
  mu <- (d$z + 0.5) / 2
  eta <- stats::qlogis(mu)
  f <- NULL
  dold <- Inf
  for (outer in 1:50) {
    w <- mu * (1 - mu)
    zz <- eta + (d$z - mu) / w
    h <- hand_backfit(zz, w, X, lapply(1:2, function(j) plain_smoother(xs[[j]], lam[j], w)), f)
    f <- h$f
    eta <- h$eta
    mu <- stats::plogis(eta)
    dev <- -2 * sum(d$z * log(mu) + (1 - d$z) * log(1 - mu))
    if (abs(dev - dold) / (abs(dev) + 0.1) < 1e-12) break
    dold <- dev
  }
  expect_equal(unname(fitted(fit)), mu, tolerance = 1e-5, ignore_attr = TRUE)
  expect_equal(fit$deviance, dev, tolerance = 1e-8)
  # with df fixed, lambda is re-found at the final weights: df is the target there
  fd <- additive_model(z ~ smooth_term(x1, df = 3) + x2, data = d, family = "binomial", threads = 1)
  S <- plain_smoother(d$x1, fd$smooth[[1]]$lambda, fd$weights)
  n <- nrow(d)
  tr <- sum(diag(S(diag(n))))
  expect_equal(tr - 1, 3, tolerance = 1e-6)
  # the factor response: second level is the event
  d$zf <- factor(ifelse(d$z == 1, "yes", "no"))
  ff <- additive_model(zf ~ smooth_term(x1, df = 3) + x2, data = d, family = "binomial", threads = 1)
  expect_equal(fitted(ff), fitted(fd))
})

test_that("predict: link, response, terms, standard errors; methods", {
  d <- gam_data()
  fit <- additive_model(z ~ smooth_term(x1, df = 3) + smooth_term(x2) + g, data = d, family = "binomial",
                        threads = 1)
  expect_equal(predict(fit, d), unname(fit$linear.predictors), tolerance = 1e-10)
  expect_equal(predict(fit, d, type = "response"), unname(fitted(fit)), tolerance = 1e-10)
  tm <- predict(fit, d, type = "terms")
  expect_equal(unname(rowSums(tm) + attr(tm, "constant")), unname(fit$linear.predictors), tolerance = 1e-10)
  expect_equal(unname(tm[, "smooth_term(x1, df = 3)"]), unname(fit$term_fitted[, 1]), tolerance = 1e-10)
  # the smooth terms are centred at the weights of the fit
  expect_equal(colSums(fit$term_fitted * fit$weights), c(0, 0), tolerance = 1e-8, ignore_attr = TRUE)
  se <- predict(fit, d[1:5, ], type = "terms", se.fit = TRUE)
  # the term's variance at the data is S_ii / w_i (the leverage of its own smoother)
  S <- plain_smoother(d$x1, fit$smooth[[1]]$lambda, fit$weights)
  lev <- diag(S(diag(nrow(d))))[1:5]
  expect_equal(unname(se$se.fit[, "smooth_term(x1, df = 3)"]), sqrt(lev / fit$weights[1:5]), tolerance = 1e-6)
  pr <- predict(fit, d[1:5, ], type = "response", se.fit = TRUE)
  expect_true(all(pr$se.fit > 0))
  expect_equal(residuals(fit, "response"), d$z - fitted(fit), ignore_attr = TRUE)
  expect_equal(sum(residuals(fit)^2), fit$deviance, tolerance = 1e-8)
  expect_output(print(fit), "local-scoring")
  expect_output(print(summary(fit)), "nonlinearity")
  expect_named(coef(fit), c("(Intercept)", "gb", "gc"))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, select = 1))
})

test_that("the test of nonlinearity finds a nonlinear term and not a linear one", {
  set.seed(3)
  n <- 500
  x1 <- runif(n)
  x2 <- runif(n)
  y <- sin(2 * pi * x1) + x2 + rnorm(n, sd = 0.3)
  fit <- additive_model(cbind(x1, x2), y, df = 4, threads = 1)
  expect_lt(fit$nonlinear["x1", "p_value"], 1e-10)
  expect_gt(fit$nonlinear["x2", "p_value"], 0.01)
})

test_that("loose agreement with mgcv::gam at matching smoothness", {
  skip_if_not_installed("mgcv")
  d <- gam_data(500, 4)
  ref <- mgcv::gam(y ~ s(x1) + s(x2) + x3 + g, data = d)
  edf <- c(sum(ref$edf[grep("s\\(x1\\)", names(ref$edf))]), sum(ref$edf[grep("s\\(x2\\)", names(ref$edf))]))
  fit <- additive_model(y ~ smooth_term(x1, df = edf[1]) + smooth_term(x2, df = edf[2]) + x3 + g,
                        data = d, threads = 1)
  expect_gt(stats::cor(fitted(fit), fitted(ref)), 0.99)
  d$z <- d$z
  refb <- mgcv::gam(z ~ s(x1) + s(x2, k = 5), data = d, family = stats::binomial)
  edb <- c(sum(refb$edf[grep("s\\(x1\\)", names(refb$edf))]), sum(refb$edf[grep("s\\(x2\\)", names(refb$edf))]))
  edb <- pmax(edb, 1.5)
  fb <- additive_model(z ~ smooth_term(x1, df = edb[1]) + smooth_term(x2, df = edb[2]), data = d,
                       family = "binomial", threads = 1)
  expect_gt(stats::cor(fb$linear.predictors, refb$linear.predictors), 0.99)
})

test_that("1 and 2 threads give identical fits (more than one chunk of observations)", {
  set.seed(5)
  n <- 20000
  X <- matrix(runif(n * 3), n, 3, dimnames = list(NULL, c("a", "b", "c")))
  y <- sin(4 * X[, 1]) + X[, 2]^2 + rnorm(n)
  f1 <- additive_model(X, y, df = c(4, 3, 1), threads = 1)
  f2 <- additive_model(X, y, df = c(4, 3, 1), threads = 2)
  expect_identical(f1$fitted.values, f2$fitted.values)
  expect_identical(f1$smooth, f2$smooth)
  zb <- as.numeric(y > 1)
  b1 <- additive_model(X, zb, df = 3, family = "binomial", threads = 1)
  b2 <- additive_model(X, zb, df = 3, family = "binomial", threads = 2)
  expect_identical(b1$fitted.values, b2$fitted.values)
})

test_that("saveRDS round trip", {
  d <- gam_data()
  fit <- additive_model(y ~ smooth_term(x1) + smooth_term(log(x3 + 1), df = 3) + g, data = d, threads = 1)
  path <- tempfile(fileext = ".rds")
  saveRDS(fit, path)
  back <- readRDS(path)
  nd <- data.frame(x1 = c(0.1, 0.5, 2), x3 = c(0.2, 0.4, 0.9), g = c("a", "b", "c"))
  expect_identical(predict(back, nd, se.fit = TRUE), predict(fit, nd, se.fit = TRUE))
  m <- additive_model(as.matrix(d[c("x1", "x2")]), d$y, threads = 1)
  saveRDS(m, path)
  expect_identical(predict(readRDS(path), as.matrix(d[1:3, c("x1", "x2")])),
                   predict(m, as.matrix(d[1:3, c("x1", "x2")])))
})

test_that("bad input gives classed errors; non-convergence a classed warning", {
  d <- gam_data()
  expect_error(additive_model(y ~ smooth_term(g), data = d, threads = 1), class = "statlearn_error_type")
  d$few <- rep(1:3, length.out = nrow(d))
  expect_error(additive_model(y ~ smooth_term(few), data = d, threads = 1), class = "statlearn_error_constant")
  expect_error(additive_model(y ~ smooth_term(x1, df = 0.5), data = d, threads = 1),
               class = "statlearn_error_range")
  expect_error(additive_model(y ~ smooth_term(x1, df = 1e4), data = d, threads = 1),
               class = "statlearn_error_range")
  expect_error(additive_model(y ~ smooth_term(x1, lambda = -1), data = d, threads = 1),
               class = "statlearn_error_range")
  expect_error(additive_model(y ~ smooth_term(x1) * x2, data = d, threads = 1), class = "statlearn_error_formula")
  expect_error(additive_model(g ~ smooth_term(x1), data = d, threads = 1), class = "statlearn_error_type")
  expect_error(additive_model(y ~ smooth_term(x1), data = d, family = "binomial", threads = 1),
               class = "statlearn_error_classes")
  expect_error(additive_model(g ~ smooth_term(x1), data = d, family = "binomial", threads = 1),
               class = "statlearn_error_classes")
  expect_error(additive_model(y ~ smooth_term(x1), data = d, family = "poisson", threads = 1),
               class = "statlearn_error_input")
  X <- as.matrix(d[c("x1", "x2")])
  Xna <- X
  Xna[3, 1] <- NA
  expect_error(additive_model(Xna, d$y, threads = 1), class = "statlearn_error_nonfinite")
  expect_error(additive_model(X, d$y[-1], threads = 1), class = "statlearn_error_length")
  expect_error(additive_model(X, d$y, df = c(4, 4, 4), threads = 1), class = "statlearn_error_length")
  expect_error(additive_model(X, d$y, weights = rep(0, nrow(X)), threads = 1), class = "statlearn_error_range")
  expect_error(additive_model(cbind(X, X[, 1]), d$y, df = 1, threads = 1), class = "statlearn_error_collinear")
  fit <- additive_model(y ~ smooth_term(x1) + g, data = d, threads = 1)
  expect_error(predict(fit, data.frame(x1 = 0.5, g = "z")), class = "statlearn_error_level")
  expect_error(predict(fit, data.frame(g = "a")), class = "statlearn_error_missing")
  expect_error(predict(fit, data.frame(x1 = Inf, g = "a")), class = "statlearn_error_nonfinite")
  expect_error(predict(fit, d, type = "class"), class = "statlearn_error_input")
  m <- additive_model(X, d$y, threads = 1)
  expect_error(predict(m, X[, 1, drop = FALSE]), class = "statlearn_error_dimension")
  expect_true(is.na(predict(m, cbind(x1 = NA, x2 = 0.3))))
  expect_warning(additive_model(y ~ smooth_term(x1) + smooth_term(x2) + x3, data = d, max_iter = 1,
                                threads = 1), class = "statlearn_warning_convergence")
})
