# Spline bases (ESL 5.2): against splines::bs, splines::ns and
# splines::splineDesign, their defining properties, and their use in formulas.

plain <- function(b) {
  m <- unclass(b)
  attributes(m) <- attributes(m)["dim"]
  m
}

test_that("bspline_basis() equals splines::bs (degrees, intercept, df, knots, NA, outside points)", {
  set.seed(101)
  x <- c(rexp(150), NA, 0.01, 4)
  for (degree in 1:4) {
    for (intercept in c(FALSE, TRUE)) {
      for (df in unique(c(degree + intercept, degree + intercept + 2, 9))) {
        ours <- bspline_basis(x, df = df, degree = degree, intercept = intercept)
        ref <- splines::bs(x, df = df, degree = degree, intercept = intercept)
        expect_equal(plain(ours), plain(ref), tolerance = 1e-13,
                     info = sprintf("degree %d, intercept %s, df %d", degree, intercept, df))
        expect_equal(attr(ours, "knots"), unname(attr(ref, "knots")), tolerance = 1e-15)
        expect_true(all(is.na(ours[151, ])))
      }
    }
  }
  # given knots and boundary knots; points beyond them continue the boundary pieces
  ours <- bspline_basis(x, knots = c(0.5, 1, 1.2), boundary_knots = c(0.2, 3))
  ref <- suppressWarnings(splines::bs(x, knots = c(0.5, 1, 1.2), Boundary.knots = c(0.2, 3)))
  expect_equal(plain(ours), plain(ref), tolerance = 1e-11)
  newx <- c(-1, 0, 0.7, 2.5, 6)
  expect_equal(plain(predict(ours, newx)), plain(suppressWarnings(predict(ref, newx))), tolerance = 1e-11)
  # a repeated interior knot lowers the continuity there, as in splineDesign
  xin <- x[!is.na(x) & x <= 4]
  rep_knot <- bspline_basis(xin, knots = c(1, 1), boundary_knots = c(0, 4), intercept = TRUE)
  ref_rep <- splines::splineDesign(c(rep(0, 4), 1, 1, rep(4, 4)), xin, 4)
  expect_equal(plain(rep_knot), ref_rep, tolerance = 1e-13)
})

test_that("bspline_basis(derivative = ) equals splineDesign's derivatives; the basis sums to one", {
  set.seed(102)
  x <- runif(300, -1, 2)
  knots <- c(-0.4, 0.1, 0.8, 1.5)
  all_knots <- c(rep(-1, 4), knots, rep(2, 4))
  for (d in 0:3) {
    ours <- bspline_basis(x, knots = knots, boundary_knots = c(-1, 2), intercept = TRUE, derivative = d)
    ref <- splines::splineDesign(all_knots, x, 4, derivs = rep(d, length(x)))
    expect_equal(plain(ours), ref, tolerance = 1e-12, info = sprintf("derivative %d", d))
  }
  b <- bspline_basis(x, df = 8, degree = 2, intercept = TRUE)
  expect_equal(rowSums(plain(b)), rep(1, length(x)), tolerance = 1e-14)
  expect_true(all(plain(b) >= 0))
  # each function is non-zero on at most degree + 1 knot intervals
  expect_true(all(rowSums(plain(b) > 0) <= 3))
})

test_that("natural_spline_basis() equals splines::ns and is linear beyond the boundary knots", {
  set.seed(103)
  x <- c(rnorm(200), NA)
  for (intercept in c(FALSE, TRUE)) {
    for (df in (1 + intercept):7) {
      ours <- natural_spline_basis(x, df = df, intercept = intercept)
      ref <- splines::ns(x, df = df, intercept = intercept)
      expect_equal(plain(ours), plain(ref), tolerance = 1e-12, info = sprintf("df %d, %s", df, intercept))
    }
  }
  ours <- natural_spline_basis(x, knots = c(-1, 0, 0.5), boundary_knots = c(-2, 2))
  ref <- splines::ns(x, knots = c(-1, 0, 0.5), Boundary.knots = c(-2, 2))
  expect_equal(plain(ours), plain(ref), tolerance = 1e-12)
  newx <- c(-5, -2, -0.3, 2, 3.5)
  expect_equal(plain(predict(ours, newx)), plain(predict(ref, newx)), tolerance = 1e-12)
  # second derivative zero at and beyond the boundary knots; derivatives by differences
  N <- function(z, d = 0) plain(predict(natural_spline_basis(x, knots = c(-1, 0, 0.5),
                                                             boundary_knots = c(-2, 2), derivative = d), z))
  expect_equal(N(c(-4, -2, 2, 3), 2), matrix(0, 4, 4), tolerance = 1e-12)
  z <- c(-3, -1.5, 0.2, 1.1, 2.5)
  h <- 1e-5
  expect_equal(N(z, 1), (N(z + h) - N(z - h)) / (2 * h), tolerance = 1e-7)
  expect_equal(N(z, 2), (N(z + h, 1) - N(z - h, 1)) / (2 * h), tolerance = 1e-6)
})

test_that("in formulas the training knots are kept for predict(), as lm() with splines::bs/ns", {
  d <- data.frame(y = cars$dist, speed = cars$speed)
  nd <- data.frame(speed = c(2, 4, 11.5, 24, 30))
  fit <- linear_regression(y ~ bspline_basis(speed, df = 5), data = d)
  ref <- lm(y ~ splines::bs(speed, df = 5), data = d)
  expect_equal(unname(predict(fit, nd)), unname(suppressWarnings(predict(ref, nd))), tolerance = 1e-9)
  fit_ns <- linear_regression(y ~ natural_spline_basis(speed, df = 4), data = d)
  ref_ns <- lm(y ~ splines::ns(speed, df = 4), data = d)
  expect_equal(unname(predict(fit_ns, nd)), unname(predict(ref_ns, nd)), tolerance = 1e-9)
  # a penalised fit predicts new rows with the training basis
  set.seed(104)
  dd <- data.frame(x = runif(120), z = rnorm(120))
  dd$y <- sin(2 * pi * dd$x) + 0.5 * dd$z + rnorm(120, sd = 0.2)
  las <- lasso(y ~ natural_spline_basis(x, df = 6) + z, data = dd)
  B <- natural_spline_basis(dd$x, df = 6)
  nx <- data.frame(x = c(0.05, 0.5, 0.93), z = c(1, 0, -1))
  manual <- cbind(plain(predict(B, nx$x)), nx$z)
  co <- coef(las, s = las$lambda[20])
  expect_equal(unname(as.vector(predict(las, nx, s = las$lambda[20]))),
               unname(drop(co[1] + manual %*% co[-1])), tolerance = 1e-10)
  # the model keeps no reference to the training data: saveRDS round trip
  path <- tempfile(fileext = ".rds")
  saveRDS(fit_ns, path)
  expect_identical(predict(readRDS(path), nd), predict(fit_ns, nd))
})

test_that("bad spline arguments give classed errors naming the argument", {
  expect_statlearn_error(bspline_basis(letters), "statlearn_error_type", "x")
  expect_statlearn_error(bspline_basis(c(1, Inf, 2), df = 4), "statlearn_error_nonfinite", "x")
  expect_statlearn_error(bspline_basis(1:10, df = 2), "statlearn_error_range", "df")
  expect_statlearn_error(natural_spline_basis(1:10, df = 0), "statlearn_error_range", "df")
  expect_statlearn_error(bspline_basis(1:10, degree = 0), "statlearn_error_range", "degree")
  expect_statlearn_error(bspline_basis(1:10, df = 5, derivative = 4), "statlearn_error_range", "derivative")
  expect_statlearn_error(bspline_basis(1:10, knots = c(2, 12)), "statlearn_error_range", "knots")
  expect_statlearn_error(bspline_basis(1:10, knots = "a"), "statlearn_error_type", "knots")
  expect_statlearn_error(bspline_basis(rep(3, 10), df = 4), "statlearn_error_constant", "x")
  expect_statlearn_error(natural_spline_basis(1:10, boundary_knots = 1), "statlearn_error_type",
                         "boundary_knots")
  expect_statlearn_error(bspline_basis(c(NA_real_, NA_real_), df = 4), "statlearn_error_empty", "x")
  expect_statlearn_error(bspline_basis(1:10, intercept = NA), "statlearn_error_type", "intercept")
  expect_output(print(bspline_basis(1:10, df = 5)), "B-spline basis of degree 3: 10 x 5")
})

test_that("knots at quantiles are exactly stats::quantile's (ties, NA, any length)", {
  skip_if_not_installed("splines")
  set.seed(12)
  for (n in c(5, 10, 1001)) {
    x <- c(rnorm(n), NA, rep(0.3, 5), runif(n %% 7))
    for (df in c(4, 7, 25)) {
      expect_identical(attr(bspline_basis(x, df = df), "knots"), unname(attr(splines::bs(x, df = df), "knots")))
      expect_identical(attr(natural_spline_basis(x, df = df), "knots"),
                       unname(attr(splines::ns(x, df = df), "knots")))
    }
  }
  # only the x within given boundary knots count
  x <- c(-5, seq(0, 1, length.out = 11), 9)
  expect_identical(attr(bspline_basis(x, df = 5, boundary_knots = c(0, 1)), "knots"),
                   unname(quantile(seq(0, 1, length.out = 11), c(1, 2) / 3)))
})
