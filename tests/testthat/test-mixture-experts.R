# mixture_of_experts() (ESL 9.5): the log-likelihood written out here from
# the reported coefficients, stationarity of the EM fixed point (finite
# differences of that log-likelihood), monotone EM, flexmix's mixture of
# regressions with concomitant multinomial gates from the same start, and
# recovery of known regimes.

moe_data <- function(n = 300, seed = 1) {
  set.seed(seed)
  x <- matrix(rnorm(n * 2), n, 2, dimnames = list(NULL, c("x1", "x2")))
  y <- ifelse(x[, 1] > 0, 2 + 3 * x[, 2], -1 - x[, 2]) + rnorm(n, sd = 0.3)
  list(x = x, y = y)
}

# two regimes that overlap (the gate is a smooth function of x1): the
# maximum likelihood is finite and EM reaches it
moe_overlap <- function(n = 300, seed = 5) {
  set.seed(seed)
  x <- matrix(rnorm(n * 2), n, 2, dimnames = list(NULL, c("x1", "x2")))
  z <- runif(n) < plogis(1.5 * x[, 1])
  y <- ifelse(z, 2 + 2 * x[, 2], -1 - x[, 2]) + rnorm(n, sd = 0.7)
  list(x = x, y = y)
}

# log-likelihood of a fit's coefficients (original scale), written out from
# ESL (9.25)-(9.27) for any depth: the path probability of an expert is the
# product of its gates' softmax probabilities along the path.
direct_loglik <- function(gates, experts, sigma2, x, y, depth, B, family) {
  X1 <- cbind(1, x)
  K <- B^depth
  soft <- function(V) {
    eta <- X1 %*% V
    e <- exp(eta - apply(eta, 1, max))
    e / rowSums(e)
  }
  path <- matrix(1, nrow(x), K)
  for (k in seq_len(K)) {
    # gate index and branch at each level of expert k's path
    digits <- rev(((k - 1) %/% B^(0:(depth - 1))) %% B)
    g <- 1
    for (l in seq_len(depth)) {
      b <- digits[l] + 1
      path[, k] <- path[, k] * soft(gates[[g]])[, b]
      g <- (g - 1) * B + b + 1  # children of gate g, level order
      if (l == 1) g <- 1 + b
    }
  }
  eta <- X1 %*% experts
  dens <- if (family == "gaussian") {
    sapply(seq_len(K), function(k) dnorm(y, eta[, k], sqrt(sigma2[k])))
  } else {
    p <- plogis(eta)
    y * p + (1 - y) * (1 - p)
  }
  sum(log(rowSums(path * dens)))
}

test_that("the reported log-likelihood is the mixture's, and EM is monotone", {
  d <- moe_overlap()
  for (depth in 1:2) {
    fit <- mixture_of_experts(d$x, d$y, depth = depth, branches = 2, penalty = 0, seed = 3, starts = 1)
    ll <- direct_loglik(fit$gates, fit$experts, fit$sigma2, d$x, d$y, depth, 2, "gaussian")
    expect_equal(fit$loglik, ll, tolerance = 1e-9, info = paste("depth", depth))
    expect_true(all(diff(fit$trace) >= -1e-9 * abs(fit$trace[-1])), info = paste("monotone, depth", depth))
    expect_true(fit$converged)
  }
  # three branches, binomial experts, with a penalty: the penalised criterion rises
  set.seed(2)
  z <- data.frame(x1 = runif(200, -1, 1), x2 = runif(200, -1, 1))
  z$y <- factor(ifelse(z$x1 * z$x2 + rnorm(200, sd = 0.1) > 0, "same", "opposite"))
  fb <- mixture_of_experts(y ~ x1 + x2, z, depth = 1, branches = 3, penalty = 1e-3, seed = 1, starts = 1)
  yy <- as.numeric(z$y == levels(z$y)[2])
  ll <- direct_loglik(fb$gates, fb$experts, NULL, as.matrix(z[1:2]), yy, 1, 3, "binomial")
  expect_equal(fb$loglik, ll, tolerance = 1e-9)
  expect_true(all(diff(fb$trace) >= -1e-9 * abs(fb$trace[-1])))
})

test_that("the EM fixed point is stationary: finite differences of the log-likelihood vanish", {
  d <- moe_overlap()
  x <- d$x
  y <- d$y
  fit <- mixture_of_experts(x, y, depth = 1, branches = 2, penalty = 0, seed = 2, starts = 1,
                            max_iter = 3000, tol = 1e-14)
  expect_true(fit$converged)
  theta <- c(fit$gates[[1]][, 2], fit$experts, log(fit$sigma2))
  f <- function(th) {
    direct_loglik(list(cbind(0, th[1:3])), matrix(th[4:9], 3), exp(th[10:11]), x, y, 1, 2, "gaussian")
  }
  expect_equal(f(theta), fit$loglik, tolerance = 1e-10)
  grad <- vapply(seq_along(theta), function(i) {
    h <- 1e-5 * max(1, abs(theta[i]))
    e <- replace(numeric(length(theta)), i, h)
    (f(theta + e) - f(theta - e)) / (2 * h)
  }, 0)
  expect_lt(max(abs(grad)), 1e-4)
  # and a perturbed point has a smaller log-likelihood
  set.seed(1)
  expect_lt(f(theta + rnorm(length(theta), sd = 0.01)), fit$loglik)
})

test_that("a mixture of experts equals flexmix's from the same start", {
  skip_if_not_installed("flexmix")
  d <- moe_overlap(400, seed = 11)
  fit <- mixture_of_experts(d$x, d$y, depth = 1, branches = 2, penalty = 0, seed = 4, starts = 2,
                            tol = 1e-14, max_iter = 3000)
  df <- data.frame(y = d$y, d$x)
  fm <- suppressWarnings(flexmix::flexmix(y ~ x1 + x2, data = df, k = 2, cluster = fit$posterior,
                                          concomitant = flexmix::FLXPmultinom(~ x1 + x2),
                                          control = list(iter.max = 2000, tolerance = 1e-12, minprior = 0)))
  # flexmix's M-step estimates the experts' standard deviations with another
  # divisor than the maximum-likelihood step: the same regression
  # coefficients and gates, slightly different sigmas and a slightly lower
  # log-likelihood
  expect_equal(fm@logLik, fit$loglik, tolerance = 1e-4)
  expect_lte(fm@logLik, fit$loglik)
  cf <- flexmix::parameters(fm)
  expect_equal(unname(cf[1:3, ]), unname(fit$experts), tolerance = 1e-3)
  expect_equal(unname(cf[4, ]), unname(sqrt(fit$sigma2)), tolerance = 1e-2)
  expect_equal(unname(fm@concomitant@coef[, 2]), unname(fit$gates[[1]][, 2]), tolerance = 1e-3)
})

test_that("regimes are recovered; predictions, formula and matrix fits agree", {
  d <- moe_data(500, seed = 8)
  fit <- mixture_of_experts(d$x, d$y, depth = 1, branches = 2, seed = 1)
  # each expert is one of the true lines (intercept, slope on x2)
  e <- fit$experts
  truth <- cbind(c(2, 0, 3), c(-1, 0, -1))
  m <- order(e[1, ])
  expect_equal(unname(e[c(1, 3), m]), truth[c(1, 3), 2:1], tolerance = 0.05)
  expect_lt(mean(residuals(fit)^2), 0.3^2 * 1.5)
  expect_equal(predict(fit, d$x), fitted(fit), tolerance = 1e-12)
  g <- predict(fit, d$x, type = "gates")
  expect_equal(rowSums(g), rep(1, 500), tolerance = 1e-12)
  expect_equal(rowSums(g * predict(fit, d$x, type = "experts")), fitted(fit), tolerance = 1e-12)
  ff <- mixture_of_experts(y ~ x1 + x2, data.frame(y = d$y, d$x), depth = 1, branches = 2, seed = 1)
  expect_equal(ff$experts, fit$experts, tolerance = 1e-12)
  expect_equal(predict(ff, data.frame(d$x)[1:5, ]), fitted(fit)[1:5], tolerance = 1e-12)
  # seeds: reproducible, and set.seed() reproduces seed = NULL
  expect_identical(mixture_of_experts(d$x, d$y, depth = 1, seed = 5)$experts,
                   mixture_of_experts(d$x, d$y, depth = 1, seed = 5)$experts)
  set.seed(9)
  a <- mixture_of_experts(d$x, d$y, depth = 1)
  set.seed(9)
  b <- mixture_of_experts(d$x, d$y, depth = 1)
  expect_identical(a$experts, b$experts)
  expect_s3_class(logLik(fit), "logLik")
  expect_identical(attr(logLik(fit), "df"), 3L + 6L + 2L)
  f <- tempfile(fileext = ".rds")
  saveRDS(ff, f)
  expect_identical(predict(readRDS(f), data.frame(d$x)), predict(ff, data.frame(d$x)))
  expect_output(print(fit), "mixture of experts")
  expect_output(print(summary(fit)), "Gate 1")
})

test_that("two-level HME classifies XOR-like data; binomial coding", {
  set.seed(3)
  d <- data.frame(x1 = runif(300, -1, 1), x2 = runif(300, -1, 1))
  d$y <- factor(ifelse(d$x1 * d$x2 > 0, "same", "opposite"))
  fit <- mixture_of_experts(y ~ x1 + x2, d, depth = 2, seed = 1, starts = 2, penalty = 1e-3, tol = 1e-6)
  expect_gt(mean(predict(fit, d, type = "class") == d$y), 0.9)
  # a logistic regression cannot (about half right)
  lr <- glm(y ~ x1 + x2, binomial, d)
  expect_lt(mean((predict(lr, type = "response") > 0.5) == (d$y == "same")), 0.65)
  p <- predict(fit, d, type = "response")
  expect_true(all(p >= 0 & p <= 1))
  fit01 <- mixture_of_experts(as.matrix(d[1:2]), as.numeric(d$y == "same"), family = "binomial", depth = 1,
                              seed = 2, starts = 1)
  fitf <- mixture_of_experts(as.matrix(d[1:2]), d$y == "same", depth = 1, seed = 2, starts = 1)
  expect_equal(fit01$experts, fitf$experts, tolerance = 1e-12)
})

test_that("bad input gets classed errors", {
  d <- moe_data(50)
  expect_statlearn_error(mixture_of_experts(d$x, d$y, depth = 0), "statlearn_error_range", "depth")
  expect_statlearn_error(mixture_of_experts(d$x, d$y, branches = 1), "statlearn_error_range", "branches")
  expect_statlearn_error(mixture_of_experts(d$x, d$y, depth = 6, branches = 4), "statlearn_error_range", "256")
  expect_statlearn_error(mixture_of_experts(d$x, d$y, penalty = -1), "statlearn_error_range", "penalty")
  expect_statlearn_error(mixture_of_experts(d$x, rep(1, 50)), "statlearn_error_constant", "varies")
  expect_statlearn_error(mixture_of_experts(d$x, d$y[-1]), "statlearn_error_length", "y")
  x <- d$x
  x[2, 1] <- NA
  expect_statlearn_error(mixture_of_experts(x, d$y), "statlearn_error_nonfinite", "x")
  expect_statlearn_error(mixture_of_experts(d$x, factor(rep(c("a", "b", "c"), length.out = 50))),
                         "statlearn_error_classes", "two classes")
  expect_statlearn_error(mixture_of_experts(d$x, d$y, family = "poisson"), "statlearn_error_input", "family")
  fit <- mixture_of_experts(d$x, d$y, depth = 1, seed = 1, starts = 1)
  expect_statlearn_error(predict(fit, d$x[, 1, drop = FALSE]), "statlearn_error_dimension", "newdata")
  expect_statlearn_error(predict(fit, d$x, type = "class"), "statlearn_error_input", "type")
  expect_statlearn_error(mixture_of_experts(d$x, d$y, bogus = 1), "statlearn_error", "bogus")
})
