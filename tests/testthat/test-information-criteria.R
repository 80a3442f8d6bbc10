# ESL chapter 7: logLik/AIC/BIC, information criteria along paths, the LOO and
# GCV shortcuts for linear smoothers, effective df by simulation.

# logLik ----------------------------------------------------------------------

test_that("logLik of linear and logistic regression equals lm/glm/multinom", {
  d <- sim_linear(n = 60, p = 4, seed = 3)
  w <- rep(c(0.5, 1, 2), 20)
  for (ww in list(NULL, w)) {
    fit <- linear_regression(d$x, d$y, weights = ww)
    ref <- lm(d$y ~ d$x, weights = ww)
    expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-10)
    expect_equal(attr(logLik(fit), "df"), attr(logLik(ref), "df"))
    expect_equal(AIC(fit), AIC(ref), tolerance = 1e-10)
    expect_equal(BIC(fit), BIC(ref), tolerance = 1e-10)
  }
  set.seed(4)
  yb <- factor(rbinom(60, 1, plogis(d$x[, 1])))
  fit <- logistic_regression(d$x, yb)
  ref <- glm(yb ~ d$x, family = binomial)
  expect_equal(AIC(fit), AIC(ref), tolerance = 1e-8)
  expect_equal(BIC(fit), BIC(ref), tolerance = 1e-8)
  skip_if_not_installed("nnet")
  set.seed(5)
  cls <- factor(sample(c("a", "b", "c"), 60, replace = TRUE))
  dm <- data.frame(d$x, cls = cls)
  dm$x1 <- dm$x1 + as.integer(cls)
  fit <- logistic_regression(cls ~ x1 + x2, data = dm)
  ref <- nnet::multinom(cls ~ x1 + x2, data = dm, trace = FALSE, reltol = 1e-14, maxit = 1000)
  expect_equal(as.numeric(logLik(fit)), as.numeric(logLik(ref)), tolerance = 1e-6)
  expect_equal(attr(logLik(fit), "df"), attr(logLik(ref), "df"))
  expect_equal(BIC(fit), BIC(ref), tolerance = 1e-6)
})

# The joint Gaussian log-likelihood written out observation by observation.
da_loglik_reference <- function(x, y, w, quadratic) {
  lev <- levels(y)
  W <- sum(w)
  mu <- t(vapply(lev, function(k) colSums(w[y == k] * x[y == k, , drop = FALSE]) / sum(w[y == k]),
                 numeric(ncol(x))))
  S <- lapply(lev, function(k) {
    xc <- sweep(x[y == k, , drop = FALSE], 2L, mu[k, ])
    crossprod(xc * sqrt(w[y == k]))
  })
  names(S) <- lev
  pooled <- Reduce(`+`, S) / W
  sum(vapply(seq_len(nrow(x)), function(i) {
    k <- as.character(y[i])
    Sk <- if (quadratic) S[[k]] / sum(w[y == k]) else pooled
    w[i] * (log(sum(w[y == k]) / W) - 0.5 * (ncol(x) * log(2 * pi) + log(det(Sk)) +
                                               mahalanobis(x[i, ], mu[k, ], Sk)))
  }, numeric(1)))
}

test_that("logLik of LDA and QDA is the joint Gaussian likelihood at the ML estimates", {
  x <- as.matrix(iris[, 1:4])
  y <- iris$Species
  w <- rep(c(1, 2, 0.5), 50)
  p <- 4; K <- 3
  for (ww in list(rep(1, 150), w)) {
    lda <- linear_discriminant(x, y, weights = ww, threads = 1)
    qda <- quadratic_discriminant(x, y, weights = ww, threads = 1)
    expect_equal(as.numeric(logLik(lda)), da_loglik_reference(x, y, ww, FALSE), tolerance = 1e-10)
    expect_equal(as.numeric(logLik(qda)), da_loglik_reference(x, y, ww, TRUE), tolerance = 1e-10)
  }
  expect_equal(attr(logLik(lda), "df"), (K - 1) + K * p + p * (p + 1) / 2)
  expect_equal(attr(logLik(qda), "df"), (K - 1) + K * p + K * p * (p + 1) / 2)
  expect_equal(attr(logLik(lda), "nobs"), 150L)
  # AIC/BIC from stats use them; the prior does not change the fitted model.
  ll <- da_loglik_reference(x, y, rep(1, 150), FALSE)
  l1 <- linear_discriminant(x, y, threads = 1)
  expect_equal(BIC(l1), -2 * ll + 24 * log(150), tolerance = 1e-10)
  l2 <- linear_discriminant(x, y, prior = c(0.2, 0.3, 0.5), threads = 1)
  expect_equal(logLik(l2), logLik(l1))
  # Formula fits rebuild their data; x and y can be given; round trip.
  f <- quadratic_discriminant(Species ~ ., data = iris, threads = 1)
  expect_equal(as.numeric(logLik(f)), da_loglik_reference(x, y, rep(1, 150), TRUE), tolerance = 1e-10)
  expect_equal(logLik(round_trip(f)), logLik(f))
  expect_error(logLik(f, x = iris[, 1:4]), class = "statlearn_error_missing")
  # Given data are used at their own ML estimates (and agree on the training data).
  expect_equal(logLik(round_trip(lda), x = x, y = y, weights = w), logLik(lda), tolerance = 1e-10)
  expect_equal(as.numeric(logLik(lda, x = x[1:100, ], y = droplevels(y[1:100]))),
               da_loglik_reference(x[1:100, ], droplevels(y[1:100]), rep(1, 100), FALSE),
               tolerance = 1e-10)
  # Zero weights drop observations.
  w0 <- rep(1, 150); w0[c(1, 60, 120)] <- 0
  l0 <- quadratic_discriminant(x, y, weights = w0, threads = 1)
  expect_equal(as.numeric(logLik(l0)), da_loglik_reference(x[w0 > 0, ], y[w0 > 0], rep(1, 147), TRUE),
               tolerance = 1e-10)
  expect_equal(attr(logLik(l0), "nobs"), 147L)
  # One input: the univariate normal density.
  x1 <- iris$Petal.Length
  q1 <- quadratic_discriminant(Species ~ Petal.Length, data = iris, threads = 1)
  l1 <- linear_discriminant(Species ~ Petal.Length, data = iris, threads = 1)
  m <- tapply(x1, y, mean)[y]
  sk <- sqrt(tapply(x1, y, function(v) mean((v - mean(v))^2)))[y]
  sp <- sqrt(mean((x1 - m)^2))
  expect_equal(as.numeric(logLik(q1)), sum(log(1 / 3) + dnorm(x1, m, sk, log = TRUE)), tolerance = 1e-10)
  expect_equal(as.numeric(logLik(l1)), sum(log(1 / 3) + dnorm(x1, m, sp, log = TRUE)), tolerance = 1e-10)
  expect_equal(attr(logLik(q1), "df"), 2 + 3 + 3)
})

# Information criteria along paths ------------------------------------------

test_that("information_criteria() for best subset matches lm refits with sigma^2 fixed", {
  d <- sim_linear(n = 80, p = 6, nonzero = 3, seed = 5)
  fit <- best_subset(d$x, d$y, threads = 1)
  ic <- information_criteria(fit)
  full <- lm(d$y ~ d$x)
  s2 <- sum(residuals(full)^2) / (80 - 7)
  expect_equal(attr(ic, "sigma2"), s2, tolerance = 1e-12)
  for (j in seq_along(fit$tuning)) {
    vars <- which(fit$which[j, ])
    ref <- if (length(vars)) lm(d$y ~ d$x[, vars, drop = FALSE]) else lm(d$y ~ 1)
    k <- length(vars) + 1
    m2l <- -2 * sum(dnorm(d$y, fitted(ref), sqrt(s2), log = TRUE))
    expect_equal(ic$AIC[j], m2l + 2 * k, tolerance = 1e-10, info = paste("size", j - 1))
    expect_equal(ic$BIC[j], m2l + log(80) * k, tolerance = 1e-10)
    expect_equal(ic$Cp[j], mean(residuals(ref)^2) + 2 * k * s2 / 80, tolerance = 1e-10)
  }
  # Mallows' scale as stored by best_subset(); the minimisers.
  expect_equal(80 * ic$Cp / s2 - 80, fit$cp, tolerance = 1e-10)
  expect_equal(unname(attr(ic, "best")), c(which.min(ic$Cp), which.min(ic$AIC), which.min(ic$BIC)))
  expect_equal(attr(ic, "best")[["Cp"]], attr(ic, "best")[["AIC"]])
  # A given sigma^2.
  ic2 <- information_criteria(fit, sigma2 = 2)
  expect_equal(ic2$Cp, ic$err + 2 * ic$parameters * 2 / 80)
  # Rows of the table are a plain data frame; stepwise paths count their terms.
  expect_identical(class(ic[2:3, ]), "data.frame")
  expect_null(attr(ic[2:3, ], "best"))
  st <- information_criteria(stepwise(d$x, d$y, direction = "backward"))
  expect_equal(st$parameters, st$size + 1)
  j <- match(st$size, ic$size)
  expect_true(all(st$AIC >= ic$AIC[j] - 1e-8))  # best subset is best at each size
  expect_error(information_criteria(fit, sigma2 = -1), class = "statlearn_error_range")
  expect_error(information_criteria(fit, sigma2 = NA), class = "statlearn_error_input")
})

test_that("information_criteria() for ridge uses the trace of the hat matrix", {
  d <- sim_linear(n = 50, p = 5, seed = 6)
  lam <- c(0.5, 5, 50)
  fit <- ridge_regression(d$x, d$y, lambda = lam, standardize = FALSE)
  ic <- information_criteria(fit)
  xc <- sweep(d$x, 2L, colMeans(d$x))
  for (j in seq_along(fit$lambda)) {
    H <- matrix(1 / 50, 50, 50) + xc %*% solve(crossprod(xc) + fit$lambda[j] * diag(5), t(xc))
    expect_equal(ic$df[j] + 1, sum(diag(H)), tolerance = 1e-10)
    expect_equal(ic$err[j], mean((d$y - H %*% d$y)^2), tolerance = 1e-10)
  }
})

test_that("information_criteria() for lasso paths (gaussian, binomial, poisson)", {
  d <- sim_linear(n = 70, p = 6, seed = 7)
  fit <- lasso(d$x, d$y, nlambda = 8, threads = 1)
  ic <- information_criteria(fit)
  expect_equal(ic$df, colSums(coef(fit)[-1, ] != 0), ignore_attr = TRUE)
  expect_equal(ic$err, colMeans((d$y - predict(fit, d$x))^2), ignore_attr = TRUE, tolerance = 1e-10)
  set.seed(8)
  yb <- rbinom(70, 1, plogis(d$x[, 1]))
  fb <- lasso(d$x, yb, family = "binomial", nlambda = 6, threads = 1)
  ib <- information_criteria(fb)
  pr <- predict(fb, d$x, type = "response")
  ll <- colSums(dbinom(yb, 1, pr, log = TRUE))
  expect_equal(ib$logLik, ll, ignore_attr = TRUE, tolerance = 1e-8)
  expect_equal(ib$AIC, -2 * ll + 2 * (colSums(coef(fb)[-1, ] != 0) + 1), ignore_attr = TRUE, tolerance = 1e-8)
  expect_true(all(is.na(ib$Cp)))
  yp <- rpois(70, exp(0.3 * d$x[, 2]))
  fp <- lasso(d$x, yp, family = "poisson", nlambda = 6, threads = 1)
  ip <- information_criteria(fp)
  ll <- colSums(dpois(yp, predict(fp, d$x, type = "response"), log = TRUE))
  expect_equal(ip$logLik, ll, ignore_attr = TRUE, tolerance = 1e-8)
  expect_equal(ip$BIC, -2 * ll + log(70) * ip$parameters, ignore_attr = TRUE, tolerance = 1e-8)
  # Unpenalised end of the gaussian path: AIC of the lm fit with sigma^2 fixed.
  fl <- lasso(d$x, d$y, lambda = c(1, 1e-10), thresh = 1e-14, threads = 1)
  il <- information_criteria(fl)
  s2 <- attr(il, "sigma2")
  m2l <- -2 * sum(dnorm(d$y, fitted(lm(d$y ~ d$x)), sqrt(s2), log = TRUE))
  expect_equal(il$AIC[2], m2l + 2 * 7, tolerance = 1e-7)
})

# Overlapping classes: the unpenalised multinomial fit exists (no separation).
sim_multinomial <- function(n, K, seed) {
  set.seed(seed)
  x <- matrix(rnorm(n * 3), n, 3)
  eta <- cbind(0, 1.2 * x[, 1] - 0.8 * x[, 2], -x[, 1] + 0.9 * x[, 3], 0.7 * x[, 2] + 0.5 * x[, 3])[, 1:K]
  pr <- exp(eta) / rowSums(exp(eta))
  y <- factor(letters[1:K][apply(pr, 1, function(q) sample.int(K, 1, prob = q))], levels = letters[1:K])
  list(x = x, y = y)
}

test_that("information_criteria() for multinomial paths: log-likelihood of the probabilities", {
  for (K in 3:4) for (type in c("ungrouped", "grouped")) {
    d <- sim_multinomial(120, K, seed = 40 + K)
    n <- nrow(d$x)
    fit <- elastic_net(d$x, d$y, alpha = if (type == "grouped") 0.7 else 1, family = "multinomial",
                       nlambda = 8, type_multinomial = type, threads = 1)
    ic <- information_criteria(fit)
    info <- paste(K, type)
    pr <- predict(fit, d$x, type = "prob")
    ll <- apply(pr, 3L, function(m) sum(log(m[cbind(seq_len(n), as.integer(d$y))])))
    expect_equal(ic$logLik, ll, tolerance = 1e-10, ignore_attr = TRUE, info = info)
    expect_equal(ic$err, -2 * ll / n, tolerance = 1e-10, ignore_attr = TRUE, info = info)
    # free coefficients: per variable its non-zeros across classes, at most K - 1
    nz <- apply(fit$beta != 0, c(1L, 3L), sum)
    expect_equal(ic$df, colSums(pmin(nz, K - 1)), ignore_attr = TRUE, info = info)
    if (type == "grouped") expect_true(all(nz %in% c(0, K)), info = info)
    expect_equal(ic$parameters, ic$df + K - 1, info = info)
    expect_equal(ic$AIC, -2 * ll + 2 * ic$parameters, tolerance = 1e-10, ignore_attr = TRUE, info = info)
    expect_equal(ic$BIC, -2 * ll + log(n) * ic$parameters, tolerance = 1e-10, ignore_attr = TRUE, info = info)
    expect_true(all(is.na(ic$Cp)))
    expect_identical(attr(ic, "best")[["AIC"]], which.min(ic$AIC))
    expect_equal(ic$parameters[1], K - 1)  # the null model: intercepts only
  }
  # weights act as case weights; data given explicitly; a formula fit
  d <- sim_multinomial(90, 3, seed = 47)
  w <- rep(1:3, 30)
  fw <- lasso(d$x, d$y, family = "multinomial", nlambda = 5, weights = w, threads = 1)
  pr <- predict(fw, d$x, type = "prob")
  ll <- apply(pr, 3L, function(m) sum(w * log(m[cbind(1:90, as.integer(d$y))])))
  expect_equal(information_criteria(fw)$logLik, ll, tolerance = 1e-10, ignore_attr = TRUE)
  expect_equal(information_criteria(round_trip(fw), x = d$x, y = d$y, weights = w), information_criteria(fw))
  df <- data.frame(cls = d$y, d$x)
  ff <- lasso(cls ~ ., data = df, family = "multinomial", nlambda = 5, threads = 1)
  fm <- lasso(d$x, d$y, family = "multinomial", nlambda = 5, threads = 1)
  expect_equal(information_criteria(ff)$logLik, information_criteria(fm)$logLik, tolerance = 1e-10)
})

test_that("the multinomial path at a tiny lambda matches nnet::multinom", {
  skip_if_not_installed("nnet")
  for (type in c("ungrouped", "grouped")) {
    d <- sim_multinomial(200, 3, seed = 48)
    fit <- lasso(d$x, d$y, family = "multinomial", lambda = c(0.1, 1e-7), thresh = 1e-12,
                 type_multinomial = type, threads = 1)
    ic <- information_criteria(fit)
    m <- nnet::multinom(y ~ x, data = d, trace = FALSE, reltol = 1e-14, maxit = 1000)
    expect_equal(ic$logLik[2], as.numeric(logLik(m)), tolerance = 1e-3, info = type)
    expect_equal(ic$parameters[2], attr(logLik(m), "df"), info = type)
    expect_equal(ic$AIC[2], AIC(m), tolerance = 1e-3, info = type)
    expect_equal(ic$BIC[2], BIC(m), tolerance = 1e-3, info = type)
  }
})

test_that("the elastic net's df is the divergence of its fit (finite differences)", {
  set.seed(17)
  n <- 30
  x <- matrix(rnorm(n * 4), n, 4)
  x[, 2] <- 3 * x[, 2]
  y <- drop(x %*% c(1, 0.3, 0, -1)) + rnorm(n)
  y <- y + 2  # a mean that matters without an intercept
  for (cfg in list(list(std = TRUE, pf = NULL, w = NULL, int = TRUE),
                   list(std = FALSE, pf = c(1, 2, 1, 0.5), w = rep(c(1, 2), n / 2), int = TRUE),
                   list(std = TRUE, pf = c(1, 2, 1, 0.5), w = rep(c(1, 2), n / 2), int = FALSE))) {
    fit_at <- function(yy) elastic_net(x, yy, alpha = 0.4, lambda = c(0.5, 0.1), standardize = cfg$std,
                                       penalty_factor = cfg$pf, weights = cfg$w, thresh = 1e-15,
                                       intercept = cfg$int)
    ic <- information_criteria(fit_at(y), x = x, y = y, weights = cfg$w)
    h <- 1e-5
    div <- rowSums(vapply(seq_len(n), function(i) {
      e <- replace(numeric(n), i, h)
      (predict(fit_at(y + e), x[i, , drop = FALSE]) - predict(fit_at(y - e), x[i, , drop = FALSE])) / (2 * h)
    }, numeric(2)))
    expect_equal(ic$df, div - cfg$int, tolerance = 1e-6, ignore_attr = TRUE, info = paste(cfg$std, cfg$int))
    expect_true(all(ic$df < colSums(coef(fit_at(y))[-1, ] != 0)))
  }
})

test_that("binomial and Poisson elastic-net df: the trace at the IRLS solution", {
  set.seed(18)
  n <- 60
  x <- matrix(rnorm(n * 4), n, 4)
  x[, 2] <- 3 * x[, 2]
  yb <- rbinom(n, 1, plogis(0.8 * x[, 1] - 0.2 * x[, 2]))
  for (cfg in list(list(std = TRUE, pf = NULL, w = NULL),
                   list(std = FALSE, pf = c(1, 2, 1, 0.5), w = rep(c(1, 2, 3), n / 3)))) {
    # Ridge logistic regression (alpha = 0): the trace of the hat matrix of the
    # penalised IRLS step, from the fitted probabilities, with solve().
    fit <- elastic_net(x, yb, alpha = 0, family = "binomial", lambda = c(0.5, 0.05), standardize = cfg$std,
                       penalty_factor = cfg$pf, weights = cfg$w, thresh = 1e-14)
    ic <- information_criteria(fit, x = x, y = yb, weights = cfg$w)
    w <- if (is.null(cfg$w)) rep(1, n) else cfg$w
    ws <- w / sum(w)
    pf <- if (is.null(cfg$pf)) rep(1, 4) else cfg$pf * 4 / sum(cfg$pf)
    sc <- if (cfg$std) sqrt(colSums(ws * sweep(x, 2L, colSums(ws * x))^2)) else rep(1, 4)
    X1 <- cbind(1, x)
    ref <- vapply(1:2, function(j) {
      pr <- predict(fit, x, type = "response")[, j]
      V <- diag(ws * pr * (1 - pr))
      Lam <- diag(c(0, fit$lambda[j] * pf * sc^2))
      H <- X1 %*% solve(t(X1) %*% V %*% X1 + Lam) %*% t(X1) %*% V
      sum(diag(H)) - 1
    }, 0)
    expect_equal(ic$df, ref, tolerance = 1e-8, ignore_attr = TRUE, info = paste(cfg$std))
    expect_equal(ic$parameters, ref + 1, tolerance = 1e-8, ignore_attr = TRUE)
    expect_true(all(ic$df < 4))
    # alpha = 1: the trace is the number of active coefficients.
    fl <- lasso(x, yb, family = "binomial", lambda = c(0.05, 0.01), standardize = cfg$std,
                penalty_factor = cfg$pf, weights = cfg$w, thresh = 1e-14)
    B <- coef(fl)
    eta <- x %*% B[-1, ] + rep(B[1, ], each = n)
    expect_equal(statlearn:::glm_elastic_net_df(fl, x, w, eta), colSums(B[-1, ] != 0), tolerance = 1e-10,
                 ignore_attr = TRUE)
  }
  # The trace is the divergence of the fitted means, sum_i d mu_i / d y_i
  # (finite differences; fractional responses so that y can move).
  yp <- rpois(n, exp(0.5 + 0.4 * x[, 1] - 0.1 * x[, 2])) + 0.3
  yf <- 0.1 + 0.8 * yb
  for (fam in c("poisson", "binomial", "poisson, no intercept")) {
    y <- if (fam == "binomial") yf else yp
    int <- fam != "poisson, no intercept"
    fit_at <- function(yy) elastic_net(x, yy, alpha = 0.4, family = sub(",.*", "", fam),
                                       lambda = c(0.1, 0.02), penalty_factor = c(1, 2, 1, 0.5),
                                       weights = rep(1:2, n / 2), thresh = 1e-15, intercept = int)
    ic <- information_criteria(fit_at(y), x = x, y = y, weights = rep(1:2, n / 2))
    h <- 1e-5
    div <- rowSums(vapply(seq_len(n), function(i) {
      e <- replace(numeric(n), i, h)
      (predict(fit_at(y + e), x[i, , drop = FALSE], type = "response") -
         predict(fit_at(y - e), x[i, , drop = FALSE], type = "response")) / (2 * h)
    }, numeric(2)))
    expect_equal(ic$df, div - int, tolerance = 1e-6, ignore_attr = TRUE, info = fam)
    expect_true(all(ic$df < colSums(coef(fit_at(y))[-1, ] != 0)), info = fam)
  }
})

test_that("information_criteria() covers LARS, PCR, PLS and rejects the rest", {
  d <- sim_linear(n = 60, p = 5, seed = 9)
  fl <- lars(d$x, d$y, threads = 1)
  il <- information_criteria(fl)
  # lars() stores Mallows' Cp with the same sigma^2 (full least squares).
  expect_equal(60 * il$Cp / attr(il, "sigma2") - 60, fl$Cp, tolerance = 1e-8)
  fp <- pcr(d$x, d$y, threads = 1)
  ip <- information_criteria(fp)
  expect_equal(ip$df, fp$tuning)
  expect_equal(ip$err, colMeans((d$y - predict(fp, d$x))^2), ignore_attr = TRUE, tolerance = 1e-10)
  expect_equal(information_criteria(plsr(d$x, d$y, threads = 1))$parameters, 0:5 + 1)
  expect_error(information_criteria(linear_regression(d$x, d$y)), class = "statlearn_error_unsupported")
  expect_error(information_criteria(k_means(d$x, 2, threads = 1)), class = "statlearn_error_unsupported")
  # sigma^2 needs N > p + 1.
  small <- sim_linear(n = 6, p = 5, seed = 1)
  expect_error(information_criteria(ridge_regression(small$x, small$y, lambda = 1)),
               class = "statlearn_error_df")
  expect_s3_class(information_criteria(ridge_regression(small$x, small$y, lambda = 1), sigma2 = 1),
                  "statlearn_information_criteria")
  expect_output(print(il), "Chosen: Cp")
  f <- tempfile(fileext = ".pdf"); grDevices::pdf(f); on.exit(unlink(f))
  expect_invisible(plot(il))
  expect_invisible(plot(il, "Cp"))
  grDevices::dev.off()
  expect_error(plot(il, c("Cp", "AIC")), class = "statlearn_error_choice")
  # Data given explicitly (a fit read back from disk), and 1 = 2 threads.
  expect_equal(information_criteria(round_trip(fl), x = d$x, y = d$y), il)
  expect_identical(information_criteria(lars(d$x, d$y, threads = 2)), il)
})

# LOO and GCV shortcuts ---------------------------------------------------------

test_that("smoother_cv() for least squares equals brute-force leave-one-out", {
  d <- sim_linear(n = 30, p = 3, seed = 10)
  fit <- linear_regression(d$x, d$y)
  sc <- smoother_cv(fit)
  loo <- vapply(1:30, function(i) {
    f <- lm.fit(cbind(1, d$x[-i, ]), d$y[-i])
    d$y[i] - sum(c(1, d$x[i, ]) * f$coefficients)
  }, numeric(1))
  expect_equal(drop(attr(sc, "residuals")), loo, tolerance = 1e-10)
  expect_equal(sc$loo, mean(loo^2), tolerance = 1e-10)
  expect_equal(sc$df, 4, tolerance = 1e-10)
  expect_equal(sc$gcv, mean(residuals(fit)^2) / (1 - 4 / 30)^2, tolerance = 1e-10)
  # Weighted (zero weights leave rows out), and data given to a fit read back.
  w <- rep(c(1, 3, 0), 10)
  fw <- linear_regression(d$x, d$y, weights = w)
  sw <- smoother_cv(fw)
  loo <- vapply(which(w > 0), function(i) {
    f <- lm.wfit(cbind(1, d$x[-i, ]), d$y[-i], w[-i])
    d$y[i] - sum(c(1, d$x[i, ]) * f$coefficients)
  }, numeric(1))
  expect_equal(drop(attr(sw, "residuals"))[w > 0], loo, tolerance = 1e-10)
  expect_equal(sw$loo, sum(w[w > 0] * loo^2) / sum(w), tolerance = 1e-10)
  expect_equal(smoother_cv(round_trip(fw), x = d$x, y = d$y, weights = w), sw)
  expect_error(smoother_cv(round_trip(fw), x = d$x), class = "statlearn_error_missing")
})

test_that("smoother_cv() for ridge equals brute-force refits along the path", {
  d <- sim_linear(n = 25, p = 4, seed = 11)
  w <- rep(c(1, 2, 0.5, 1, 1), 5)
  lam <- c(0.1, 3, 40)
  for (ww in list(NULL, w)) {
    fit <- ridge_regression(d$x, d$y, lambda = lam, standardize = FALSE, weights = ww)
    sc <- smoother_cv(fit)
    loo <- t(vapply(1:25, function(i) {
      f <- ridge_regression(d$x[-i, ], d$y[-i], lambda = lam, standardize = FALSE,
                            weights = if (is.null(ww)) NULL else ww[-i])
      d$y[i] - predict(f, d$x[i, , drop = FALSE])
    }, numeric(3)))
    expect_equal(unname(attr(sc, "residuals")), unname(loo), tolerance = 1e-8)
    expect_equal(sc$df, fit$df + 1, tolerance = 1e-10)
    # ridge_regression()'s own gcv leaves the intercept out of tr(S).
    if (is.null(ww)) expect_equal(sc$gcv, fit$rss / 25 / (1 - (fit$df + 1) / 25)^2, tolerance = 1e-10)
  }
})

test_that("smoother_cv() for k-NN regression is the LOO of the other k - 1 neighbours", {
  set.seed(12)
  x <- matrix(runif(40 * 2), 40, 2)
  y <- sin(4 * x[, 1]) + rnorm(40, sd = 0.2)
  k <- 4
  sc <- smoother_cv(nearest_neighbors(x, y, k = k, threads = 1))
  loo <- vapply(1:40, function(i) {
    f <- nearest_neighbors(x[-i, ], y[-i], k = k - 1, threads = 1)
    y[i] - drop(predict(f, x[i, , drop = FALSE]))
  }, numeric(1))
  expect_equal(drop(attr(sc, "residuals")), loo, tolerance = 1e-10)
  expect_equal(sc$df, 40 / k)
  expect_error(smoother_cv(nearest_neighbors(rbind(x, x[1, ]), c(y, 0), k = 3, threads = 1)),
               class = "statlearn_error_ties")
  expect_error(smoother_cv(nearest_neighbors(x, y, k = 1, threads = 1)),
               class = "statlearn_error_unsupported")
  expect_error(smoother_cv(nearest_neighbors(x, factor(y > 0), k = 3, threads = 1)),
               class = "statlearn_error_unsupported")
  expect_error(smoother_cv(lasso(x, y, nlambda = 3, threads = 1)), class = "statlearn_error_unsupported")
})

# Effective df by simulation ----------------------------------------------------

test_that("effective_df() recovers p + 1, 1 + tr(S) and the lasso's non-zero count", {
  d <- sim_linear(n = 40, p = 3, sigma = 3, seed = 13)
  set.seed(14)
  e <- effective_df(linear_regression(d$x, d$y), B = 300)
  # Monte Carlo: the estimate is within 4 standard errors of the truth.
  expect_lt(abs(e$df - 4), 4 * e$se)
  expect_lt(e$se, 0.5)
  set.seed(15)
  fit <- ridge_regression(d$x, d$y, lambda = c(2, 20, 200))
  e <- effective_df(fit, B = 300)
  expect_true(all(abs(e$df - (fit$df + 1)) < 4 * e$se))
  # A function learner gives the same numbers from the same seed.
  set.seed(15)
  e2 <- effective_df(function(x, y) predict(ridge_regression(x, y, lambda = c(2, 20, 200)), x),
                     x = d$x, y = d$y, B = 300)
  expect_equal(e2$df, e$df, tolerance = 1e-10)
  set.seed(16)
  fl <- lasso(d$x, d$y, lambda = 0.3, threads = 1)
  el <- effective_df(fl, B = 300)
  expect_lt(abs(el$df - (fl$df + 1)), 4 * el$se + 0.5)
  expect_error(effective_df(fl, B = 1), class = "statlearn_error_range")
  expect_error(effective_df(function(x, y) y), class = "statlearn_error_missing")
  expect_error(effective_df(fl, sigma = -1), class = "statlearn_error_range")
  expect_error(effective_df(k_means(d$x, 2, threads = 1)), class = "statlearn_error_unsupported")
})

# The covariance-formula estimate from given noise draws (ESL eq. 7.31 with
# the B/(B-1) correction): yhat is n x G x B, eps n x B.
df_from_draws <- function(yhat, eps, sigma) {
  B <- ncol(eps)
  ybar <- apply(yhat, c(1L, 2L), mean)
  D <- vapply(seq_len(B), function(b) colSums((yhat[, , b, drop = FALSE][, , 1] - ybar) * eps[, b]),
              numeric(dim(yhat)[2L]))
  D <- matrix(D, dim(yhat)[2L]) * B / (B - 1) / sigma
  list(df = rowMeans(D), se = apply(D, 1L, sd) / sqrt(B))
}

test_that("effective_df() for a fixed seed equals the value from the seed's own noise draws", {
  d <- sim_linear(n = 30, p = 4, sigma = 2, seed = 21)
  n <- nrow(d$x)
  B <- 25
  X1 <- cbind(1, d$x)
  H <- X1 %*% solve(crossprod(X1), t(X1))
  lsfit <- lm.fit(X1, d$y)
  sigma <- sqrt(sum(lsfit$residuals^2) / (n - 5))
  # Least squares: y* = mu + sigma eps, yhat* = H y*, so yhat* - mean over b
  # is sigma H (eps - epsbar); the estimate is a closed form of the draws.
  set.seed(22)
  e <- effective_df(linear_regression(d$x, d$y), B = B)
  set.seed(22)
  eps <- matrix(rnorm(n * B), n, B)
  epsc <- eps - rowMeans(eps)
  D <- colSums((H %*% epsc) * eps) * B / (B - 1)
  expect_equal(e$df, mean(D), tolerance = 1e-10)
  expect_equal(e$se, sd(D) / sqrt(B), tolerance = 1e-10)
  expect_equal(attr(e, "sigma"), sigma, tolerance = 1e-12)
  # The lasso (non-linear in y): refit by hand on the same draws.
  fl <- lasso(d$x, d$y, lambda = c(0.5, 0.1), threads = 1)
  set.seed(23)
  el <- effective_df(fl, B = B)
  set.seed(23)
  eps <- matrix(rnorm(n * B), n, B)
  yhat <- array(vapply(seq_len(B), function(b) {
    ys <- lsfit$fitted.values + sigma * eps[, b]
    as.matrix(predict(lasso(d$x, ys, lambda = c(0.5, 0.1), threads = 1), d$x))
  }, matrix(0, n, 2)), c(n, 2, B))
  hand <- df_from_draws(yhat, eps, sigma)
  expect_equal(el$df, hand$df, tolerance = 1e-8)
  expect_equal(el$se, hand$se, tolerance = 1e-8)
  # A failing refit names its simulation.
  set.seed(24)
  bad <- function(x, y) if (y[1] > 0) stop("refit failed here") else y
  err <- tryCatch(effective_df(bad, x = d$x, y = d$y, B = 10), error = identity)
  expect_s3_class(err, "statlearn_error_replicate")
  expect_match(conditionMessage(err), "simulation [0-9]+.*refit failed here")
})

test_that("effective_df() gives identical results under sequential and multisession plans", {
  local_future_plans()
  d <- sim_linear(n = 30, p = 4, sigma = 2, seed = 31)
  fl <- lasso(d$x, d$y, lambda = c(0.5, 0.1), threads = 1)
  fr <- ridge_regression(d$x, d$y, lambda = c(1, 10))
  run <- function() {
    set.seed(32)
    a <- effective_df(fl, B = 12)
    set.seed(33)
    b <- effective_df(fr, B = 12)
    set.seed(34)
    c <- effective_df(linear_regression(d$x, d$y), B = 12)
    list(a, b, c)
  }
  future::plan(future::sequential)
  ref <- run()
  future::plan(future::multisession, workers = 2)
  expect_identical(run(), ref)
  # the refits really ran on the workers, not in this process
  main <- Sys.getpid()
  elsewhere <- function(x, y) if (Sys.getpid() == main) stop("refit in the main process") else y
  set.seed(35)
  e <- effective_df(elsewhere, x = d$x, y = d$y, B = 4)
  set.seed(35)
  eps <- matrix(rnorm(nrow(d$x) * 4), nrow(d$x), 4)
  expect_equal(e$df, sum(apply(eps, 1L, var)), tolerance = 1e-10)  # the identity fit
  options(statlearn.future_chunk_size = 1)
  on.exit(options(statlearn.future_chunk_size = NULL), add = TRUE)
  expect_identical(run(), ref)
})

test_that("effective_df() sends the workers closures without the caller's frame", {
  d <- sim_linear(n = 30, p = 4, sigma = 2, seed = 41)
  store <- new.env()
  ns <- asNamespace("statlearn")
  suppressMessages(trace("run_replicates", tracer = bquote(assign("FUN", FUN, envir = .(store))),
                         where = ns, print = FALSE))
  on.exit(suppressMessages(untrace("run_replicates", where = ns)), add = TRUE)
  set.seed(42)
  effective_df(lasso(d$x, d$y, lambda = 0.3, threads = 1), B = 3)
  sent <- store$FUN
  env <- environment(sent)
  expect_setequal(ls(env, all.names = TRUE), c("refit", "mean", "sigma", "eps"))
  expect_setequal(ls(environment(env$refit), all.names = TRUE), c("x", "opt", "lambda"))
  expect_identical(parent.env(env), asNamespace("statlearn"))
  expect_lt(as.numeric(object.size(serialize(sent, NULL))), 20000)
})
