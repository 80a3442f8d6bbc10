# gaussian_mixture(): EM for Gaussian mixtures (ESL 8.5, 13.2.3, 14.3.7).

# A mixture of G well-separated Gaussian clusters in p dimensions.
sim_mixture <- function(n, p, G, sd = 3, seed = 1) {
  set.seed(seed)
  mu <- matrix(rnorm(G * p, sd = sd), G)
  x <- mu[sample(G, n, TRUE), , drop = FALSE] + matrix(rnorm(n * p), n)
  colnames(x) <- paste0("x", seq_len(p))
  x
}

# log f(x_i) for a mixture, written out with a Cholesky factor per component.
mixture_loglik_by_hand <- function(x, pro, mu, sigma) {
  dens <- sapply(seq_along(pro), function(k) {
    R <- chol(sigma[, , k])
    d <- backsolve(R, t(x) - mu[k, ], transpose = TRUE)
    log(pro[k]) - ncol(x) / 2 * log(2 * pi) - sum(log(diag(R))) - colSums(d^2) / 2
  })
  m <- apply(dens, 1, max)
  m + log(rowSums(exp(dens - m)))
}

test_that("all six families reach mclust's optimum from the same start", {
  skip_if_not_installed("mclust")
  skip_if_not_installed("withr")
  withr::local_package("mclust")  # mclust's fitters look up their helpers on the search path
  sets <- list(faithful = as.matrix(faithful), iris = as.matrix(iris[, 1:4]))
  for (nm in names(sets)) {
    x <- sets[[nm]]
    labels <- k_means(x, 3, seed = 1, threads = 1)$cluster
    z0 <- mclust::unmap(labels)
    for (model in c("VVV", "EEE", "VVI", "EEI", "VII", "EII")) {
      info <- paste(nm, model)
      mc <- mclust::me(x, modelName = model, z = z0,
                       control = mclust::emControl(tol = c(1e-10, sqrt(.Machine$double.eps))))
      ours <- gaussian_mixture(x, 3, covariance = model, start = labels, tol = 1e-10, threads = 1)
      expect_equal(ours$model_name, model)
      expect_equal(ours$loglik, mc$loglik, tolerance = 1e-10, info = info)
      expect_equal(unname(ours$proportions), mc$parameters$pro, tolerance = 1e-8, info = info)
      expect_equal(unname(ours$means), unname(t(mc$parameters$mean)), tolerance = 1e-8, info = info)
      expect_equal(unname(ours$covariances), unname(mc$parameters$variance$sigma), tolerance = 1e-8,
                   info = info)
      expect_equal(unname(ours$responsibilities), unname(mc$z), tolerance = 1e-7, info = info)
      # The same stopping rule: the same number of iterations (up to rounding at the boundary).
      expect_lte(abs(ours$iterations - attr(mc, "info")[["iterations"]]), 1)
      # BIC: ours is -2 logLik + df log n, mclust's the negative.
      d <- mclust::nMclustParams(model, d = ncol(x), G = 3)
      expect_equal(ours$df, d, info = info)
      expect_equal(ours$bic, -mclust::bic(model, loglik = mc$loglik, n = nrow(x), d = ncol(x), G = 3),
                   tolerance = 1e-10, info = info)
      expect_equal(ours$bic_table$mclust_bic, -ours$bic)
    }
  }
  # With mclust's default tolerance too (both stop by the same rule).
  x <- sets$faithful
  labels <- k_means(x, 2, seed = 2, threads = 1)$cluster
  mc <- mclust::me(x, modelName = "VVV", z = mclust::unmap(labels))
  ours <- gaussian_mixture(x, 2, start = labels, threads = 1)
  expect_equal(ours$loglik, mc$loglik, tolerance = 1e-6)
  expect_equal(ours$iterations, attr(mc, "info")[["iterations"]])
  # A responsibility matrix as the start gives the same fit as its labels.
  ours_z <- gaussian_mixture(x, 2, start = mclust::unmap(labels), threads = 1)
  expect_identical(ours_z$loglik, ours$loglik)
})

test_that("one component is the maximum-likelihood Gaussian (closed form)", {
  x <- as.matrix(iris[, 1:4])
  n <- nrow(x)
  centred <- sweep(x, 2, colMeans(x))
  S <- crossprod(centred) / n
  for (cov in c("full", "diagonal", "spherical")) {
    fit <- gaussian_mixture(x, 1, covariance = cov, threads = 1)
    target <- switch(cov, full = S, diagonal = diag(diag(S)), spherical = diag(mean(diag(S)), 4))
    expect_equal(unname(fit$means[1, ]), unname(colMeans(x)), tolerance = 1e-12, info = cov)
    expect_equal(unname(fit$covariances[, , 1]), unname(target), tolerance = 1e-12, info = cov)
    ll <- sum(mixture_loglik_by_hand(x, 1, fit$means, array(target, c(4, 4, 1))))
    expect_equal(fit$loglik, ll, tolerance = 1e-12, info = cov)
    expect_equal(fit$proportions[[1]], 1)
    expect_true(fit$converged)
  }
})

test_that("log-likelihood never decreases; logLik(), AIC(), BIC() and predict() agree", {
  x <- sim_mixture(600, 3, 4, sd = 2, seed = 3)
  fit <- gaussian_mixture(x, 4, starts = 3, seed = 1, tol = 1e-8, threads = 1)
  path <- fit$loglik_path
  expect_gt(length(path), 5)
  expect_true(all(diff(path) >= -1e-9 * abs(path[-1])))
  expect_equal(fit$loglik, max(fit$start_loglik))
  expect_equal(fit$loglik, tail(path, 1))
  ll <- logLik(fit)
  expect_s3_class(ll, "logLik")
  expect_equal(attr(ll, "df"), fit$df)
  expect_equal(BIC(fit), fit$bic)
  expect_equal(AIC(fit), -2 * fit$loglik + 2 * fit$df)
  expect_equal(nobs(fit), 600)
  # Densities by hand.
  by_hand <- mixture_loglik_by_hand(x, fit$proportions, fit$means, fit$covariances)
  expect_equal(unname(predict(fit, x, type = "log_density")), by_hand, tolerance = 1e-12)
  expect_equal(unname(predict(fit, x, type = "density")), exp(by_hand), tolerance = 1e-12)
  expect_equal(sum(by_hand), fit$loglik, tolerance = 1e-12)
  expect_equal(predict(fit, x, type = "responsibilities"), fit$responsibilities, tolerance = 1e-12,
               ignore_attr = TRUE)
  expect_identical(unname(predict(fit, x)), unname(fit$cluster))
  expect_identical(predict(fit), fit$cluster)
  expect_equal(rowSums(fit$responsibilities), rep(1, 600), tolerance = 1e-14)
  # Far from the data the density underflows but its logarithm does not.
  expect_true(is.finite(predict(fit, x[1, , drop = FALSE] + 1e3, type = "log_density")))
})

test_that("BIC chooses the number of components; mclust agrees on the table's values", {
  x <- sim_mixture(500, 2, 3, sd = 4, seed = 5)
  fit <- gaussian_mixture(x, 1:5, starts = 3, seed = 2, threads = 1)
  expect_equal(fit$components, 3L)
  expect_equal(fit$bic_table$components, 1:5)
  expect_equal(fit$bic, min(fit$bic_table$bic))
  expect_equal(fit$bic_table$df, (1:5 - 1) + 1:5 * 2 + 1:5 * 3)
  expect_output(print(fit), "BIC by number of components")
  expect_output(print(summary(fit)), "mclust_bic")
  skip_if_not_installed("mclust")
  skip_if_not_installed("withr")
  withr::local_package("mclust")
  # mclust starts from a hierarchical clustering, we from k-means: the same
  # optimum once both iterate to a tight tolerance.
  mc <- mclust::Mclust(x, G = 3, modelNames = "VVV", verbose = FALSE,
                       control = mclust::emControl(tol = c(1e-11, sqrt(.Machine$double.eps))))
  ours <- gaussian_mixture(x, 3, starts = 3, seed = 2, tol = 1e-11, threads = 1)
  expect_equal(ours$bic, -mc$bic, tolerance = 1e-9)
  expect_equal(ours$loglik, mc$loglik, tolerance = 1e-9)
  expect_equal(fit$bic_table$bic[3], -mc$bic, tolerance = 1e-4)
})

test_that("results are identical for 1 and 2 threads and for the same seed; saveRDS round trip", {
  x <- sim_mixture(20000, 3, 4, sd = 1.5, seed = 7)
  parts <- c("proportions", "means", "covariances", "responsibilities", "loglik", "loglik_path",
             "start_loglik", "iterations")
  for (model in c("VVV", "VVI", "EII")) {
    a <- gaussian_mixture(x, 4, covariance = model, starts = 2, seed = 3, threads = 1)
    b <- gaussian_mixture(x, 4, covariance = model, starts = 2, seed = 3, threads = 2)
    expect_identical(a[parts], b[parts], info = model)
  }
  c2 <- gaussian_mixture(x, 4, covariance = "EII", starts = 2, seed = 3, threads = 2)
  expect_identical(b[parts], c2[parts])
  q <- sim_mixture(50, 3, 2, seed = 8)
  back <- round_trip(a)
  for (type in c("cluster", "responsibilities", "log_density")) {
    expect_identical(predict(back, q, type = type), predict(a, q, type = type, threads = 2))
  }
  skip_on_cran()
  path <- tempfile(fileext = ".rds")
  saveRDS(a, path)
  out <- run_in_fresh_r(c(
    "library(statlearn)",
    sprintf("fit <- readRDS('%s')", path),
    "set.seed(8); q <- matrix(rnorm(30), 10)",
    "cat(format(sum(predict(fit, q, type = 'log_density')), digits = 17))"))
  set.seed(8)
  q <- matrix(rnorm(30), 10)
  expect_equal(as.numeric(out), sum(predict(a, q, type = "log_density")), tolerance = 1e-15)
})

test_that("mclust's names are aliases; data frames are accepted", {
  x <- as.matrix(faithful)
  labels <- rep(1:2, length.out = nrow(x))
  labels[x[, 1] > 3] <- 1L
  labels[x[, 1] <= 3] <- 2L
  a <- gaussian_mixture(x, 2, covariance = "spherical", shared = TRUE, start = labels, threads = 1)
  b <- gaussian_mixture(faithful, 2, covariance = "EII", start = labels, threads = 1)
  expect_identical(a$loglik, b$loglik)
  expect_identical(b$covariance, "spherical")
  expect_true(b$shared)
  # Shared families have one covariance for all components.
  expect_identical(b$covariances[, , 1], b$covariances[, , 2])
})

test_that("singular covariances give classed errors or warnings; regularization helps", {
  set.seed(11)
  x <- matrix(rnorm(24), 8)  # 8 points in 3 dimensions
  labels <- rep(1:4, 2)      # two points per component: singular full covariances
  expect_statlearn_error(gaussian_mixture(x, 4, start = labels, threads = 1), "statlearn_error_singular",
                         "singular")
  fit <- gaussian_mixture(x, 4, start = labels, regularization = 0.1, threads = 1)
  expect_true(is.finite(fit$loglik))
  expect_true(all(apply(fit$covariances, 3, function(s) all(diag(s) >= 0.1))))
  y <- sim_mixture(30, 3, 2, seed = 12)
  expect_warning(fit2 <- gaussian_mixture(y, c(1, 2, 12), starts = 2, seed = 1, threads = 1),
                 class = "statlearn_warning_singular")
  expect_true(is.na(fit2$bic_table$bic[3]))
  expect_true(fit2$components %in% 1:2)
  expect_warning(gaussian_mixture(sim_mixture(300, 2, 3, sd = 0.5), 3, max_iter = 2, seed = 1, threads = 1),
                 class = "statlearn_warning_convergence")
})

test_that("bad inputs give classed errors naming the argument", {
  x <- as.matrix(faithful)
  expect_statlearn_error(gaussian_mixture(x), "statlearn_error_missing", "components")
  expect_statlearn_error(gaussian_mixture(x, 0), "statlearn_error_range", "components")
  expect_statlearn_error(gaussian_mixture(x, 273), "statlearn_error_range", "components")
  expect_statlearn_error(gaussian_mixture(x, 2.5), "statlearn_error_type", "components")
  expect_statlearn_error(gaussian_mixture(x, NA), "statlearn_error_type", "components")
  expect_statlearn_error(gaussian_mixture(x, "2"), "statlearn_error_type", "components")
  expect_statlearn_error(gaussian_mixture(x, 2, covariance = "VEV"), "statlearn_error_range", "covariance")
  expect_statlearn_error(gaussian_mixture(x, 2, covariance = 1), "statlearn_error_type", "covariance")
  expect_statlearn_error(gaussian_mixture(x, 2, covariance = "EEE", shared = FALSE),
                         "statlearn_error_range", "shared")
  expect_statlearn_error(gaussian_mixture(x, 2, shared = NA), "statlearn_error_type", "shared")
  expect_statlearn_error(gaussian_mixture(x, 2, starts = 0), "statlearn_error_range", "starts")
  expect_statlearn_error(gaussian_mixture(x, 2, max_iter = 0), "statlearn_error_range", "max_iter")
  expect_statlearn_error(gaussian_mixture(x, 2, tol = -1), "statlearn_error_range", "tol")
  expect_statlearn_error(gaussian_mixture(x, 2, regularization = -1), "statlearn_error_range",
                         "regularization")
  expect_statlearn_error(gaussian_mixture(x, 2, threads = 0), "statlearn_error_range", "threads")
  expect_statlearn_error(gaussian_mixture(x, 2, seed = -1), "statlearn_error_range", "seed")
  expect_statlearn_error(gaussian_mixture(x, 2, iterations = 5), "statlearn_error_argument")
  x_na <- x
  x_na[3, 2] <- NA
  expect_statlearn_error(gaussian_mixture(x_na, 2), "statlearn_error_nonfinite", "x")
  x_inf <- x
  x_inf[3, 1] <- Inf
  expect_statlearn_error(gaussian_mixture(x_inf, 2), "statlearn_error_nonfinite", "x")
  expect_statlearn_error(gaussian_mixture(iris, 2), "statlearn_error_type", "x")
  expect_statlearn_error(gaussian_mixture(x[0, ], 2), "statlearn_error_empty", "x")
  expect_statlearn_error(gaussian_mixture("a", 2), "statlearn_error_type", "x")
  # Starts.
  lab <- rep(1:2, 136)
  expect_statlearn_error(gaussian_mixture(x, 1:2, start = lab), "statlearn_error_argument", "start")
  expect_statlearn_error(gaussian_mixture(x, 2, start = lab[-1]), "statlearn_error_length", "start")
  expect_statlearn_error(gaussian_mixture(x, 3, start = lab), "statlearn_error_range", "start")
  expect_statlearn_error(gaussian_mixture(x, 2, start = lab + 0.5), "statlearn_error_type", "start")
  expect_statlearn_error(gaussian_mixture(x, 2, start = matrix(0.5, 272, 3)), "statlearn_error_dimension",
                         "start")
  expect_statlearn_error(gaussian_mixture(x, 2, start = matrix(-1, 272, 2)), "statlearn_error_range",
                         "start")
  zz <- matrix(0.5, 272, 2)
  zz[1, ] <- 0
  expect_statlearn_error(gaussian_mixture(x, 2, start = zz), "statlearn_error_range", "start")
  zz[1, 1] <- NA
  expect_statlearn_error(gaussian_mixture(x, 2, start = zz), "statlearn_error_nonfinite", "start")
  # predict().
  fit <- gaussian_mixture(x, 2, seed = 1, threads = 1)
  expect_statlearn_error(predict(fit, x[, 1, drop = FALSE]), "statlearn_error_dimension", "newdata")
  expect_statlearn_error(predict(fit, type = "density"), "statlearn_error_missing", "newdata")
  expect_statlearn_error(predict(fit, x, type = "class"), "statlearn_error_range", "type")
  expect_statlearn_error(predict(fit, x, extra = 1), "statlearn_error_argument")
  # Columns given by name in another order are matched by name.
  expect_identical(predict(fit, x[, 2:1], type = "log_density"), predict(fit, x, type = "log_density"))
})

test_that("plot() draws clusters with ellipses and the BIC curve", {
  pdf(NULL)
  on.exit(dev.off())
  x <- as.matrix(iris[, 1:4])
  fit <- gaussian_mixture(x, 1:3, seed = 1, threads = 1)
  expect_identical(plot(fit), fit)
  expect_identical(plot(fit, data = x, dimensions = c(3, 4), levels = 0.9), fit)
  expect_identical(plot(fit, what = "bic"), fit)
  expect_statlearn_error(plot(fit, data = x[, 1:2]), "statlearn_error_dimension", "data")
  expect_statlearn_error(plot(fit, dimensions = c(1, 9)), "statlearn_error_range", "dimensions")
  expect_statlearn_error(plot(fit, levels = 1.5), "statlearn_error_range", "levels")
  one <- gaussian_mixture(x[, 1, drop = FALSE], 2, seed = 1, threads = 1)
  expect_statlearn_error(plot(one, data = x[, 1, drop = FALSE]), "statlearn_error_unsupported")
})
