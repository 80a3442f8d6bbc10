# ESL chapter 8: EM from a parameter start (Algorithm 8.1), the Gibbs sampler
# for a mixture (Algorithm 8.4) and Bayesian linear smoothing (8.3).

# The mixture data of ESL 8.5.1 (20 values).
esl_mixture_y <- c(-0.39, 0.12, 0.94, 1.67, 1.76, 2.44, 3.72, 4.28, 4.92, 5.53,
                   0.06, 0.48, 1.01, 1.68, 1.80, 3.25, 4.12, 4.60, 5.28, 6.22)

# Plain-R ESL Algorithm 8.1 (two components), parameters after each iteration.
em_algorithm_8_1 <- function(y, pi, mu1, mu2, s1, s2, iterations) {
  out <- matrix(NA_real_, iterations, 6,
                dimnames = list(NULL, c("pi", "mu1", "mu2", "s1", "s2", "loglik")))
  for (it in seq_len(iterations)) {
    # E-step: responsibility of component 2
    a <- (1 - pi) * dnorm(y, mu1, sqrt(s1))
    b <- pi * dnorm(y, mu2, sqrt(s2))
    g <- b / (a + b)
    # M-step: weighted means and variances (divisor: sum of weights)
    mu1 <- sum((1 - g) * y) / sum(1 - g)
    mu2 <- sum(g * y) / sum(g)
    s1 <- sum((1 - g) * (y - mu1)^2) / sum(1 - g)
    s2 <- sum(g * (y - mu2)^2) / sum(g)
    pi <- mean(g)
    ll <- sum(log((1 - pi) * dnorm(y, mu1, sqrt(s1)) + pi * dnorm(y, mu2, sqrt(s2))))
    out[it, ] <- c(pi, mu1, mu2, s1, s2, ll)
  }
  out
}

test_that("EM from a parameter start follows ESL Algorithm 8.1 iteration by iteration", {
  y <- esl_mixture_y
  v <- sum((y - mean(y))^2) / length(y)
  ref <- em_algorithm_8_1(y, 0.5, y[3], y[8], v, v, 30)
  fit <- gaussian_mixture(y, 2, start = list(proportions = c(0.5, 0.5), means = y[c(3, 8)],
                                             variances = c(v, v)),
                          trace = TRUE, max_iter = 30, tol = 0, threads = 1)
  expect_equal(fit$iterations, 30L)
  expect_equal(unname(fit$trace$proportions[, 2]), ref[, "pi"], tolerance = 1e-10)
  expect_equal(unname(fit$trace$means[, 1, 1]), ref[, "mu1"], tolerance = 1e-10)
  expect_equal(unname(fit$trace$means[, 2, 1]), ref[, "mu2"], tolerance = 1e-10)
  expect_equal(unname(fit$trace$covariances[1, 1, 1, ]), ref[, "s1"], tolerance = 1e-10)
  expect_equal(unname(fit$trace$covariances[1, 1, 2, ]), ref[, "s2"], tolerance = 1e-10)
  expect_equal(fit$loglik_path, ref[, "loglik"], tolerance = 1e-10)
  # the last trace entry is the returned fit
  expect_equal(unname(fit$trace$proportions[30, ]), unname(fit$proportions))
  expect_equal(dim(fit$trace$means), c(30L, 2L, 1L))
  # the observed-data log-likelihood never decreases
  expect_true(all(diff(fit$loglik_path) >= -1e-12))
  # a matrix x with one column, and covariances as an array, give the same fit
  fit2 <- gaussian_mixture(matrix(y), 2, start = list(means = matrix(y[c(3, 8)]),
                                                      covariances = array(v, c(1, 1, 2))),
                           trace = TRUE, max_iter = 30, tol = 0, threads = 1)
  expect_equal(fit2$loglik_path, fit$loglik_path, tolerance = 1e-12)
  # without trace: no trace, same fit
  fit3 <- gaussian_mixture(y, 2, start = list(proportions = c(0.5, 0.5), means = y[c(3, 8)],
                                              variances = c(v, v)), max_iter = 30, tol = 0,
                           threads = 1)
  expect_null(fit3$trace)
  expect_identical(fit3$loglik, fit$loglik)
})

test_that("EM on the book's data reaches mclust's optimum from the same start", {
  skip_if_not_installed("mclust")
  withr::local_package("mclust")
  y <- esl_mixture_y
  v <- var(y)
  start <- list(proportions = c(0.5, 0.5), means = c(1, 4), variances = c(v, v))
  fit <- gaussian_mixture(y, 2, start = start, tol = 1e-12, threads = 1)
  # the same start for mclust: the responsibilities of one E-step
  z0 <- cbind(0.5 * dnorm(y, 1, sqrt(v)), 0.5 * dnorm(y, 4, sqrt(v)))
  z0 <- z0 / rowSums(z0)
  mc <- mclust::me(y, modelName = "V", z = z0,
                   control = mclust::emControl(tol = c(1e-12, sqrt(.Machine$double.eps))))
  expect_equal(fit$loglik, mc$loglik, tolerance = 1e-10)
  expect_equal(unname(fit$proportions), mc$parameters$pro, tolerance = 1e-7)
  expect_equal(unname(fit$means[, 1]), unname(mc$parameters$mean), tolerance = 1e-7)
  expect_equal(unname(fit$covariances[1, 1, ]), unname(mc$parameters$variance$sigmasq),
               tolerance = 1e-7)
  # the book's final estimates (1.06, 4.62; 0.546): within 0.05 and 0.01
  # (ours are 1.083, 4.656 and 0.5546; the book's seem to stop before full
  # convergence, see the vignette)
  expect_lt(max(abs(fit$means[, 1] - c(1.06, 4.62))), 0.05)
  expect_lt(abs(fit$proportions[[1]] - 0.546), 0.01)
})

test_that("a parameter start is checked", {
  y <- esl_mixture_y
  expect_error(gaussian_mixture(y, 2, start = list(means = 1:2)), class = "statlearn_error_argument")
  expect_error(gaussian_mixture(y, 2, start = list(means = 1:3, variances = c(1, 1))),
               class = "statlearn_error_dimension")
  expect_error(gaussian_mixture(y, 2, start = list(means = 1:2, variances = c(1, 1),
                                                   proportions = c(-1, 2))),
               class = "statlearn_error_range")
  expect_error(gaussian_mixture(y, 2, start = list(means = c(1, NA), variances = c(1, 1))),
               class = "statlearn_error_nonfinite")
  expect_error(gaussian_mixture(y, 2, start = list(means = 1:2, variances = c(1, 1), foo = 1)),
               class = "statlearn_error_argument")
  expect_error(gaussian_mixture(cbind(y, y), 2, start = list(means = matrix(1, 2, 2),
                                                             variances = c(1, 1))),
               class = "statlearn_error_dimension")
  expect_error(gaussian_mixture(y, 2, start = list(means = 1:2, covariances = array(0, c(1, 1, 2)))),
               class = "statlearn_error_range")
  expect_error(gaussian_mixture(y, 2, trace = NA), class = "statlearn_error_type")
})

# ---- Gibbs sampler ------------------------------------------------------------

test_that("the Gibbs sampler is reproducible and the same on 1 and 2 threads", {
  y <- esl_mixture_y
  args <- list(y, 2, iterations = 300, burn_in = 20, variances = c(0.77, 0.87),
               proportions = c(0.454, 0.546), chains = 5)
  a <- do.call(gibbs_mixture, c(args, seed = 11, threads = 1))
  b <- do.call(gibbs_mixture, c(args, seed = 11, threads = 2))
  expect_identical(a$means, b$means)
  expect_identical(a$counts, b$counts)
  expect_equal(dim(a$means), c(280L, 2L, 5L))
  # set.seed() reproduces; chains differ from each other
  set.seed(3)
  c1 <- do.call(gibbs_mixture, c(args, threads = 2))
  set.seed(3)
  c2 <- do.call(gibbs_mixture, c(args, threads = 1))
  expect_identical(c1$means, c2$means)
  expect_false(identical(a$means[, , 1], a$means[, , 2]))
  # counts add up to n; a Dirichlet prior gives proportions on the simplex
  expect_true(all(apply(a$counts, c(1, 3), sum) == length(y)))
  d <- gibbs_mixture(y, 2, iterations = 50, variances = 0.8, prior = list(dirichlet = 1),
                     chains = 3, seed = 2, threads = 2)
  d1 <- gibbs_mixture(y, 2, iterations = 50, variances = 0.8, prior = list(dirichlet = 1),
                      chains = 3, seed = 2, threads = 1)
  expect_identical(d$proportions, d1$proportions)
  expect_equal(apply(d$proportions, c(1, 3), sum), matrix(1, 50, 3), tolerance = 1e-12,
               ignore_attr = TRUE)
  # a saved fit reads back identical
  path <- tempfile(fileext = ".rds")
  saveRDS(a, path)
  expect_identical(readRDS(path), a)
  s <- summary(a)
  expect_s3_class(s, "summary.statlearn_gibbs_mixture")
  expect_output(print(a), "Gibbs sampler")
  expect_output(print(s), "mu\\[1\\]")
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_invisible(plot(a, reference = list(means = c(1.06, 4.62), fraction = 0.546)))
})

test_that("the label draws follow their conditional distribution (chi-squared, fixed seed)", {
  # every point at 0, means -1 and 2, unit variances, proportions 0.3/0.7: each
  # label is 2 with probability p, so the count of label 2 in the first sweep
  # is Binomial(n, p); 2000 independent chains give 2000 such counts.
  n <- 30
  p <- 0.7 * dnorm(0, 2) / (0.3 * dnorm(0, -1) + 0.7 * dnorm(0, 2))
  g <- gibbs_mixture(rep(0, n), 2, iterations = 1, variances = 1, proportions = c(0.3, 0.7),
                     start = c(-1, 2), chains = 2000, seed = 1, threads = 2)
  k <- g$counts[1, 2, ]
  expect_equal(mean(k), n * p, tolerance = 4 * sqrt(n * p * (1 - p) / 2000) / (n * p))
  # chi-squared goodness of fit on binned counts
  br <- c(-Inf, 2:9 + 0.5, Inf)
  obs <- table(cut(k, br))
  ex <- 2000 * diff(pbinom(c(-1, 2:9, n), n, p))
  stat <- sum((obs - ex)^2 / ex)
  expect_gt(pchisq(stat, length(ex) - 1, lower.tail = FALSE), 0.001)
  # three components (the general path): the label totals over 2000 chains
  # are Multinomial(2000 n, p) with p_k proportional to pi_k phi(0; mu_k, 1)
  pk <- c(0.2, 0.3, 0.5) * dnorm(0, c(-1, 0, 2))
  pk <- pk / sum(pk)
  g3 <- gibbs_mixture(rep(0, n), 3, iterations = 1, variances = 1, proportions = c(0.2, 0.3, 0.5),
                      start = c(-1, 0, 2), chains = 2000, seed = 2, threads = 2)
  tot <- rowSums(g3$counts[1, , ])
  expect_equal(sum(tot), 2000 * n)
  stat3 <- sum((tot - 2000 * n * pk)^2 / (2000 * n * pk))
  expect_gt(pchisq(stat3, 2, lower.tail = FALSE), 0.001)
})

test_that("the mean and proportion draws follow their conditional distributions (KS, fixed seed)", {
  # two groups 100 apart: the labels are certain, so mu_k | labels is
  # N(mean of group k, sigma_k^2 / N_k) under the flat prior
  set.seed(5)
  y <- c(rnorm(8), rnorm(12, 100))
  g <- gibbs_mixture(y, 2, iterations = 1, variances = c(2, 3), start = c(0, 100),
                     chains = 2000, seed = 9, threads = 2)
  expect_true(all(g$counts[1, 1, ] == 8))
  ks1 <- suppressWarnings(ks.test(g$means[1, 1, ], "pnorm", mean(y[1:8]), sqrt(2 / 8)))
  ks2 <- suppressWarnings(ks.test(g$means[1, 2, ], "pnorm", mean(y[9:20]), sqrt(3 / 12)))
  expect_gt(ks1$p.value, 0.001)
  expect_gt(ks2$p.value, 0.001)
  # a normal prior N(m0, v0): precision 1/v0 + N/sigma^2
  pr <- gibbs_mixture(y, 2, iterations = 1, variances = c(2, 3), start = c(0, 100),
                      prior = list(mean = c(5, 90), mean_variance = c(0.5, 0.1)),
                      chains = 2000, seed = 9, threads = 2)
  v1 <- 1 / (1 / 0.5 + 8 / 2)
  m1 <- v1 * (5 / 0.5 + sum(y[1:8]) / 2)
  ks3 <- suppressWarnings(ks.test(pr$means[1, 1, ], "pnorm", m1, sqrt(v1)))
  expect_gt(ks3$p.value, 0.001)
  # the KS test does notice a wrong variance (the book's printed sigma^2)
  ks_bad <- suppressWarnings(ks.test(g$means[1, 1, ], "pnorm", mean(y[1:8]), sqrt(2)))
  expect_lt(ks_bad$p.value, 1e-6)
  # Dirichlet prior: pi_1 | labels ~ Beta(alpha_1 + 8, alpha_2 + 12)
  dr <- gibbs_mixture(y, 2, iterations = 1, variances = c(2, 3), start = c(0, 100),
                      prior = list(dirichlet = c(2, 0.5)), chains = 2000, seed = 4, threads = 2)
  ks4 <- suppressWarnings(ks.test(dr$proportions[1, 1, ], "pbeta", 10, 12.5))
  expect_gt(ks4$p.value, 0.001)
})

test_that("on well-separated data the posterior means of the means are near the EM estimates", {
  set.seed(2)
  y <- c(rnorm(80, 0), rnorm(120, 6))
  em <- gaussian_mixture(y, 2, start = list(means = c(0, 6), variances = c(1, 1)), threads = 1)
  g <- gibbs_mixture(y, 2, iterations = 2200, burn_in = 200, chains = 2,
                     variances = em$covariances[1, 1, ], proportions = em$proportions,
                     start = em$means[, 1], seed = 1, threads = 2)
  post <- apply(g$means, 2, mean)
  # With the variances and proportions fixed and a flat prior on the means,
  # the posterior of each mean is nearly N(mu_hat, sigma^2 / N_k) (sd about
  # 0.1 here), centred at the ML estimate up to O(1/n); the Monte Carlo error
  # of 4000 nearly independent draws is about 0.002. Tolerance: 0.03.
  expect_equal(unname(post), unname(em$means[, 1]), tolerance = 0.03 / 6)
  sds <- apply(g$means, 2, sd)
  expect_equal(unname(sds), unname(sqrt(em$covariances[1, 1, ] / (length(y) * em$proportions))),
               tolerance = 0.1)
})

test_that("gibbs_mixture() rejects bad input with classed errors", {
  y <- esl_mixture_y
  expect_error(gibbs_mixture(y, 2), class = "statlearn_error_missing")
  expect_error(gibbs_mixture(cbind(y, y), 2, variances = 1), class = "statlearn_error_dimension")
  expect_error(gibbs_mixture(c(y, NA), 2, variances = 1), class = "statlearn_error_nonfinite")
  expect_error(gibbs_mixture("a", 2, variances = 1), class = "statlearn_error_type")
  expect_error(gibbs_mixture(y, 2, variances = c(1, 2, 3)), class = "statlearn_error_length")
  expect_error(gibbs_mixture(y, 2, variances = -1), class = "statlearn_error_range")
  expect_error(gibbs_mixture(y, 2, variances = 1, proportions = 1), class = "statlearn_error_length")
  expect_error(gibbs_mixture(y, 0, variances = 1), class = "statlearn_error_range")
  expect_error(gibbs_mixture(y, 2, variances = 1, iterations = 10, burn_in = 10),
               class = "statlearn_error_range")
  expect_error(gibbs_mixture(y, 2, variances = 1, prior = list(foo = 1)),
               class = "statlearn_error_argument")
  expect_error(gibbs_mixture(y, 2, variances = 1, prior = list(dirichlet = 0)),
               class = "statlearn_error_range")
  expect_error(gibbs_mixture(y, 2, variances = 1, start = 1:3), class = "statlearn_error_dimension")
  expect_error(gibbs_mixture(y, 2, variances = 1, seed = -1), class = "statlearn_error_range")
  expect_error(gibbs_mixture(y, 2, variances = 1, bogus = 1), class = "statlearn_error")
  g <- gibbs_mixture(y, 2, iterations = 5, variances = 1, seed = 1, threads = 1)
  expect_error(plot(g, chains = 3), class = "statlearn_error_range")
})

# ---- Bayesian linear regression ----------------------------------------------

bayes_data <- function(n = 50, seed = 1) {
  set.seed(seed)
  d <- data.frame(x = sort(runif(n, 0, 3)))
  d$y <- sin(2 * d$x) + d$x / 2 + rnorm(n, sd = 0.4)
  d
}

test_that("the posterior is the closed form of ESL eq. 8.27-8.28", {
  d <- bayes_data()
  f <- y ~ bspline_basis(x, df = 7, intercept = TRUE) - 1
  H <- model.matrix(y ~ splines::bs(x, df = 7, intercept = TRUE) - 1, d)
  Sig <- 0.5^abs(outer(1:7, 1:7, "-"))
  for (tau in c(0.1, 1, 1000)) {
    fit <- bayesian_linear_regression(f, data = d, prior_variance = tau, prior_covariance = Sig,
                                      noise_variance = 0.2)
    A <- crossprod(H) + 0.2 / tau * solve(Sig)
    expect_equal(unname(coef(fit)), unname(drop(solve(A, crossprod(H, d$y)))), tolerance = 1e-10,
                 info = paste("tau", tau))
    expect_equal(unname(vcov(fit)), unname(0.2 * solve(A)), tolerance = 1e-10)
    nd <- data.frame(x = c(0.2, 1.3, 2.9))
    Hn <- predict(splines::bs(d$x, df = 7, intercept = TRUE), nd$x)
    p <- predict(fit, nd, se.fit = TRUE)
    expect_equal(unname(p$fit), drop(Hn %*% solve(A, crossprod(H, d$y))), tolerance = 1e-10)
    expect_equal(unname(p$se.fit), sqrt(diag(Hn %*% (0.2 * solve(A)) %*% t(Hn))), tolerance = 1e-10)
    ci <- predict(fit, nd, interval = "credible", level = 0.9)
    expect_equal(unname(ci[, "upr"] - ci[, "fit"]), qnorm(0.95) * unname(p$se.fit), tolerance = 1e-12)
  }
  # the default noise variance is RSS / (N - p) of least squares
  fit <- bayesian_linear_regression(f, data = d)
  ls <- lm(y ~ splines::bs(x, df = 7, intercept = TRUE) - 1, d)
  expect_equal(fit$noise_variance, summary(ls)$sigma^2, tolerance = 1e-10)
  expect_true(fit$noise_estimated)
  # the matrix interface with intercept = TRUE puts the prior on the intercept too
  X <- cbind(a = d$x, b = d$x^2)
  m <- bayesian_linear_regression(X, d$y, prior_variance = 2, noise_variance = 0.3, intercept = TRUE)
  H1 <- cbind(1, X)
  expect_equal(unname(coef(m)), unname(drop(solve(crossprod(H1) + 0.3 / 2 * diag(3),
                                                  crossprod(H1, d$y)))), tolerance = 1e-10)
  expect_equal(unname(predict(m, X[1:3, ])), unname(fitted(m)[1:3]), tolerance = 1e-12)
})

test_that("as tau grows the posterior tends to least squares and its bands to the ML bands", {
  d <- bayes_data()
  f <- y ~ bspline_basis(x, df = 7, intercept = TRUE) - 1
  ls <- lm(y ~ splines::bs(x, df = 7, intercept = TRUE) - 1, d)
  nd <- data.frame(x = seq(min(d$x), max(d$x), length.out = 7))
  ref <- predict(ls, nd, se.fit = TRUE)
  inf <- bayesian_linear_regression(f, data = d, prior_variance = Inf)
  p <- predict(inf, nd, se.fit = TRUE)
  expect_equal(unname(p$fit), unname(ref$fit), tolerance = 1e-10)
  expect_equal(unname(p$se.fit), unname(ref$se.fit), tolerance = 1e-10)
  gap <- vapply(10^(0:8), function(tau) {
    q <- predict(bayesian_linear_regression(f, data = d, prior_variance = tau), nd, se.fit = TRUE)
    max(abs(q$fit - ref$fit), abs(q$se.fit - ref$se.fit))
  }, numeric(1))
  expect_true(all(diff(gap) < 0))
  expect_lt(gap[9], 1e-6)
})

test_that("posterior and prior draws have the right moments and are reproducible", {
  d <- bayes_data()
  fit <- bayesian_linear_regression(y ~ bspline_basis(x, df = 5, intercept = TRUE) - 1, data = d,
                                    prior_variance = 1)
  nd <- data.frame(x = c(0.5, 1.5, 2.5))
  set.seed(1)
  a <- posterior_draws(fit, nd, draws = 4000)
  set.seed(1)
  b <- posterior_draws(fit, nd, draws = 4000)
  expect_identical(a, b)
  p <- predict(fit, nd, se.fit = TRUE)
  # Monte Carlo: mean within 5 standard errors, sd within 5%
  expect_true(all(abs(rowMeans(a) - p$fit) < 5 * p$se.fit / sqrt(4000)))
  expect_equal(unname(apply(a, 1, sd)), unname(p$se.fit), tolerance = 0.05)
  pr <- posterior_draws(fit, nd, draws = 4000, prior = TRUE)
  H <- predict(splines::bs(d$x, df = 5, intercept = TRUE), nd$x)
  expect_equal(unname(apply(pr, 1, sd)), sqrt(rowSums(H^2)), tolerance = 0.05)
  expect_equal(dim(attr(a, "coefficients")), c(5L, 4000L))
})

test_that("Bayesian regression fits round-trip through saveRDS and reject bad input", {
  d <- bayes_data()
  fit <- bayesian_linear_regression(y ~ bspline_basis(x, df = 7), data = d, prior_variance = 10)
  path <- tempfile(fileext = ".rds")
  saveRDS(fit, path)
  back <- readRDS(path)
  nd <- data.frame(x = c(0.1, 2))
  expect_identical(predict(back, nd, se.fit = TRUE), predict(fit, nd, se.fit = TRUE))
  expect_output(print(fit), "Gaussian prior")
  f <- y ~ bspline_basis(x, df = 7)
  expect_error(bayesian_linear_regression(f, data = d, prior_variance = 0),
               class = "statlearn_error_range")
  expect_error(bayesian_linear_regression(f, data = d, prior_variance = "a"),
               class = "statlearn_error_type")
  expect_error(bayesian_linear_regression(f, data = d, noise_variance = -1),
               class = "statlearn_error_range")
  expect_error(bayesian_linear_regression(f, data = d, prior_covariance = diag(3)),
               class = "statlearn_error_dimension")
  expect_error(bayesian_linear_regression(f, data = d, prior_covariance = -diag(8)),
               class = "statlearn_error_range")
  expect_error(bayesian_linear_regression(matrix(1:4, 2), 1:3), class = "statlearn_error_length")
  expect_error(bayesian_linear_regression(cbind(d$x, NA), d$y), class = "statlearn_error_nonfinite")
  # more columns than rows: the noise variance must be given; then a finite prior works
  X <- matrix(rnorm(30), 5, 6)
  expect_error(bayesian_linear_regression(X, 1:5), class = "statlearn_error_argument")
  expect_s3_class(bayesian_linear_regression(X, 1:5, noise_variance = 1), "statlearn_model")
  expect_error(bayesian_linear_regression(X, 1:5, noise_variance = 1, prior_variance = Inf),
               class = "statlearn_error_singular")
  expect_error(predict(fit, nd, se.fit = NA), class = "statlearn_error_type")
  expect_error(predict(fit, se.fit = TRUE), class = "statlearn_error_missing")
  expect_error(predict(fit, data.frame(z = 1)), class = "statlearn_error_formula")
  expect_error(posterior_draws(fit, nd, draws = 0), class = "statlearn_error_range")
  expect_error(posterior_draws(lm(y ~ x, d), nd), class = "statlearn_error_type")
  inf <- bayesian_linear_regression(f, data = d, prior_variance = Inf)
  expect_error(posterior_draws(inf, nd, prior = TRUE), class = "statlearn_error_argument")
})

test_that("tol = 0 runs a fixed number of iterations without a warning; tol > 0 warns", {
  y <- esl_mixture_y
  st <- list(means = c(1, 4), variances = rep(var(y), 2))
  expect_silent(f <- gaussian_mixture(y, 2, start = st, max_iter = 5, tol = 0, threads = 1))
  expect_equal(f$iterations, 5L)
  expect_warning(gaussian_mixture(y, 2, start = st, max_iter = 2, threads = 1),
                 class = "statlearn_warning_convergence")
})
