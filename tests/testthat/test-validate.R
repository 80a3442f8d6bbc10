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
  }
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
