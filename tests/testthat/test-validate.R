# Input checks shared by every method (R/validate.R).

test_that("every method gives the same answer in any units from 1e-150 to 1e150", {
  set.seed(2)
  n <- 120
  x <- matrix(rnorm(n * 5), n)
  y <- drop(x %*% c(1, -1, 0.5, 0, 0.3)) + rnorm(n)
  yc <- factor(ifelse(x[, 1] + rnorm(n) > 0, "a", "b"))
  yk <- factor(sample(c("a", "b", "c"), n, TRUE))
  for (s in c(1e-150, 1e150)) {
    info <- sprintf("x * %g", s)
    # coefficients scale by 1/s; fitted values and classes do not change
    expect_equal(fitted(ridge_regression(x * s, y)), fitted(ridge_regression(x, y)), tolerance = 1e-10,
                 info = info)
    expect_equal(coef(lars(x * s, y), s = 0.5)[-1] * s, coef(lars(x, y), s = 0.5)[-1], tolerance = 1e-10,
                 info = info)
    expect_equal(coef(pcr(x * s, y), ncomp = 3)[-1] * s, coef(pcr(x, y), ncomp = 3)[-1], tolerance = 1e-10,
                 info = info)
    expect_equal(coef(best_subset(x * s, y), size = 3)[-1] * s, coef(best_subset(x, y), size = 3)[-1],
                 tolerance = 1e-10, info = info)
    expect_equal(coef(logistic_regression(x * s, yc))[-1] * s, coef(logistic_regression(x, yc))[-1],
                 tolerance = 1e-10, info = info)
    expect_identical(predict(linear_discriminant(x * s, yk, threads = 1), x * s),
                     predict(linear_discriminant(x, yk, threads = 1), x), info = info)
    expect_identical(predict(quadratic_discriminant(x * s, yk, threads = 1), x * s),
                     predict(quadratic_discriminant(x, yk, threads = 1), x), info = info)
    expect_identical(predict(regularized_discriminant(x * s, yk, alpha = 0.5, gamma = 0.5, threads = 1), x * s),
                     predict(regularized_discriminant(x, yk, alpha = 0.5, gamma = 0.5, threads = 1), x),
                     info = info)
    sw <- forward_stagewise(x * s, y, epsilon = 0.01, max_steps = 300)
    expect_equal(coef(sw)[-1, ] * s, coef(forward_stagewise(x, y, epsilon = 0.01, max_steps = 300))[-1, ],
                 tolerance = 1e-10, info = info)
  }
})

test_that("discriminant analysis does not mistake columns in different units for collinear ones", {
  # LDA and QDA are invariant to rescaling each column; the rank tests must be
  # too (MASS::lda's own tolerance rejects the rescaled data, so it is fitted
  # on the original columns).
  skip_if_not_installed("MASS")
  set.seed(4)
  n <- 150
  x <- matrix(rnorm(n * 5), n)
  yk <- factor(sample(c("a", "b", "c"), n, TRUE))
  xs <- sweep(x, 2, 10^c(-8, -4, 0, 4, 8), "*")
  expect_equal(predict(linear_discriminant(xs, yk), xs, type = "prob"),
               predict(MASS::lda(x, yk), x)$posterior, tolerance = 1e-8, ignore_attr = TRUE)
  expect_equal(predict(quadratic_discriminant(xs, yk), xs, type = "prob"),
               predict(MASS::qda(x, yk), x)$posterior, tolerance = 1e-8, ignore_attr = TRUE)
  # and truly collinear columns are still caught, in any units
  xc <- cbind(xs, xs[, 1] * 3e10 - xs[, 5] * 1e-6)
  expect_statlearn_error(quadratic_discriminant(xc, yk), "statlearn_error_singular", "singular")
})

test_that("arguments a method does not take are an error naming them, not silently dropped", {
  set.seed(5)
  x <- matrix(rnorm(120), 40)
  y <- rnorm(40)
  d <- data.frame(y = y, x)
  expect_statlearn_error(lasso(x, y, alpha = 0.5), "statlearn_error_argument", "lasso\\(\\) has no argument `alpha`")
  expect_statlearn_error(lasso(y ~ ., data = d, alpha = 0.5), "statlearn_error_argument", "`alpha`")
  expect_statlearn_error(best_subset(x, y, nvmax = 2), "statlearn_error_argument", "`nvmax`")
  expect_statlearn_error(ridge_regression(y ~ ., data = d, lamda = 1), "statlearn_error_argument", "`lamda`")
  fit <- lasso(x, y)
  expect_statlearn_error(coef(fit, lamda = 0.1), "statlearn_error_argument", "coef\\(\\) has no argument `lamda`")
  expect_statlearn_error(coef(fit, 0.1, NULL, 3), "statlearn_error_argument", "position 1")
  expect_statlearn_error(predict(linear_regression(x, y), x, interval = "confidence", levl = 0.9),
                         "statlearn_error_argument", "`levl`")
  # what the formula methods do pass on still reaches the fitter
  expect_equal(coef(ridge_regression(y ~ ., data = d, lambda = 2)), coef(ridge_regression(x, y, lambda = 2)),
               ignore_attr = TRUE, tolerance = 1e-12)
  expect_equal(coef(lasso(y ~ ., data = d, nlambda = 7))[, 7], coef(lasso(x, y, nlambda = 7))[, 7],
               ignore_attr = TRUE, tolerance = 1e-12)
})

test_that("whole-number pairs beyond the integer range are a range error, not NA", {
  img <- network(c(8, 8, 1))
  expect_statlearn_error(layer_conv2d(img, 2, kernel_size = 3e9), "statlearn_error_range", "kernel_size")
  expect_statlearn_error(layer_max_pool2d(img, pool_size = c(2, 2^31)), "statlearn_error_range", "pool_size")
})

test_that("values whose squares overflow or underflow are a classed error naming the argument", {
  set.seed(3)
  x <- matrix(rnorm(200), 40)
  y <- rnorm(40)
  for (f in list(ridge_regression, lars, pcr, best_subset, linear_regression)) {
    expect_statlearn_error(f(x * 1e300, y), "statlearn_error_range", "`x`")
  }
  expect_statlearn_error(linear_regression(x, y * 1e300), "statlearn_error_range", "`y`")
  xt <- x
  xt[, 2] <- xt[, 2] * 1e-300
  expect_statlearn_error(ridge_regression(xt, y), "statlearn_error_range", "column 2")
  d <- data.frame(y = y, a = x[, 1] * 1e200)
  expect_statlearn_error(linear_regression(y ~ a, data = d), "statlearn_error_range", "data")
  xs <- Matrix::Matrix(x * 1e300, sparse = TRUE)
  expect_statlearn_error(lasso(xs, y), "statlearn_error_range", "`x`")
  # zero columns are not "too small"
  xz <- cbind(x, 0)
  expect_s3_class(lasso(xz, y), "statlearn_lasso")
})

test_that("the bad-input battery's findings are classed errors or right answers", {
  set.seed(1)
  n <- 40; p <- 4
  x <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", 1:p)))
  y <- drop(x %*% c(1, -1, 0.5, 0)) + rnorm(n)
  yb <- factor(ifelse(x[, 1] + rnorm(n) > 0, "yes", "no"))
  df <- data.frame(x, y = y, yb = yb, g = factor(rep(c("u", "v"), length.out = n)))
  # ridge with one predictor, against the closed form (x'x + lambda)^-1 x'y on centred data
  r1 <- ridge_regression(x[, 1, drop = FALSE], y, standardize = FALSE)
  xc <- x[, 1] - mean(x[, 1])
  expect_equal(unname(coef(r1, lambda = 2)[2]), sum(xc * (y - mean(y))) / (sum(xc^2) + 2), tolerance = 1e-10)
  expect_statlearn_error(coef(ridge_regression(x, y), lambda = numeric(0)), "statlearn_error_range", "lambda")
  # df close to 0 and to the rank still find their lambda
  rr <- ridge_regression(x, y)
  b <- coef(rr, df = c(1e-300, 4 - 1e-7))
  expect_true(all(is.finite(b)))
  expect_lt(max(abs(b[-1, 1])), 1e-290)
  expect_equal(b[, 2], coef(linear_regression(x, y)), tolerance = 1e-5, ignore_attr = TRUE)
  # predict() with a variable of another type, or no rows
  fit <- linear_regression(y ~ x1 + x2 + g, data = df)
  expect_statlearn_error(predict(fit, transform(df, x1 = as.character(x1))), "statlearn_error_formula",
                         "x1.*numeric.*character")
  expect_statlearn_error(predict(fit, df[0, ]), "statlearn_error_empty", "newdata")
  for (f in list(linear_discriminant, quadratic_discriminant)) {
    fd <- f(yb ~ x1 + x2, data = df)
    expect_statlearn_error(predict(fd, transform(df, x2 = as.character(x2))), "statlearn_error_formula", "x2")
  }
  # matrix newdata: unnamed columns by position, the training names in another order by name
  lf <- linear_regression(x, y)
  g <- lm(y ~ x)
  expect_equal(unname(predict(lf, unname(x), interval = "confidence")),
               unname(predict(g, interval = "confidence")), tolerance = 1e-10)
  expect_equal(predict(lf, x[, 4:1]), predict(lf, x), tolerance = 1e-12)
  expect_statlearn_error(wald_test(logistic_regression(x, yb), terms = numeric(0)), "statlearn_error_range", "terms")
  expect_statlearn_error(plot(lasso(x, y), label = NA), "statlearn_error_type", "label")
  expect_statlearn_error(plot(lasso(x, y), log_lambda = NA), "statlearn_error_type", "log_lambda")
  expect_statlearn_error(network(1e10), "statlearn_error_range", "input_shape")
  # degenerate data: constant response, one weighted row, no variation in x
  expect_statlearn_error(best_subset(x, rep(1, n)), "statlearn_error_constant", "`y`")
  expect_statlearn_error(stepwise(x, rep(1, n)), "statlearn_error_constant", "`y`")
  expect_statlearn_error(lars(x, rep(1, n)), "statlearn_error_constant", "`y`")
  expect_statlearn_error(pcr(x, y, weights = c(rep(0, n - 1), 1)), "statlearn_error_empty", "weights")
  expect_statlearn_error(plsr(matrix(0, n, p), y), "statlearn_error_constant", "`x`")
  # inference without residual degrees of freedom
  wide <- suppressMessages(linear_regression(matrix(rnorm(n * 60), n, 60), y))
  expect_statlearn_error(confint(wide), "statlearn_error_df", "residual degrees of freedom")
  expect_statlearn_error(vcov(wide), "statlearn_error_df")
  # anova needs nested fits of one response
  expect_statlearn_error(anova(linear_regression(x, y), linear_regression(x, -y)), "statlearn_error_mismatch")
  expect_statlearn_error(anova(linear_regression(x[, 1:2], y), linear_regression(x[, 3:4], y)),
                         "statlearn_error_mismatch", "same residual")
  expect_equal(anova(linear_regression(x[, 1:2], y), linear_regression(x, y))$F[2],
               anova(lm(y ~ x[, 1:2]), lm(y ~ x))$F[2], tolerance = 1e-10)
  expect_statlearn_error(predict(logistic_regression(x, yb), x, type = "prob", offset = NaN),
                         "statlearn_error_nonfinite", "NaN")
  net <- train_network(network(4) |> layer_dense(1), x, y, epochs = 1, seed = 1, verbose = FALSE)
  expect_statlearn_error(predict(net, 1e39 * x), "statlearn_error_range", "single-precision")
})
