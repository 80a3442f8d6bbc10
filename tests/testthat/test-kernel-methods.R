# thin_plate_spline(), kernel_ridge() and tensor_product_basis() (ESL 5.7-5.8)
# against closed forms written out in plain R.

sim_surface <- function(n = 60, seed = 1) {
  set.seed(seed)
  x <- cbind(a = runif(n), b = runif(n))
  y <- sin(3 * x[, 1]) + x[, 2]^2 + rnorm(n, sd = 0.1)
  list(x = x, y = y)
}

tps_kernel <- function(A, B) {
  r2 <- pmax(outer(rowSums(A^2), rowSums(B^2), "+") - 2 * A %*% t(B), 0)
  r <- sqrt(r2)
  ifelse(r > 1e-12, r^2 * log(r), 0) / (8 * pi)
}

# the (n + 3) x (n + 3) thin-plate equations (ESL 5.39), solved directly
tps_system <- function(x, y, lambda) {
  n <- nrow(x)
  E <- as.matrix(dist(x))
  E <- ifelse(E > 0, E^2 * log(E), 0) / (8 * pi)
  T <- cbind(1, x)
  A <- rbind(cbind(E + lambda * diag(n), T), cbind(t(T), matrix(0, 3, 3)))
  sol <- solve(A, c(y, 0, 0, 0))
  hat <- solve(A)[1:n, 1:n]
  sol <- unname(sol)
  list(alpha = sol[1:n], beta = sol[n + 1:3], fitted = unname(drop(E %*% sol[1:n] + T %*% sol[n + 1:3])),
       df = n - lambda * sum(diag(hat)))
}

gauss_kernel <- function(A, B, sigma) {
  exp(-pmax(outer(rowSums(A^2), rowSums(B^2), "+") - 2 * A %*% t(B), 0) / (2 * sigma^2))
}

test_that("thin_plate_spline() solves the thin-plate equations of ESL 5.39", {
  d <- sim_surface()
  for (lam in c(1e-4, 1e-2, 1)) {
    fit <- thin_plate_spline(d$x, d$y, lambda = lam, threads = 1)
    ref <- tps_system(d$x, d$y, lam)
    expect_equal(fit$alpha, ref$alpha, tolerance = 1e-8, info = paste("alpha, lambda", lam))
    expect_equal(unname(fit$beta), ref$beta, tolerance = 1e-8, info = paste("beta, lambda", lam))
    expect_equal(unname(fitted(fit)), ref$fitted, tolerance = 1e-8)
    expect_equal(fit$df, ref$df, tolerance = 1e-8, info = "df = trace of the hat matrix")
    expect_equal(fit$rss, sum((d$y - ref$fitted)^2), tolerance = 1e-8)
    n <- length(d$y)
    expect_equal(fit$gcv, n * fit$rss / (n - fit$df)^2, tolerance = 1e-12)
  }
  expect_named(fit$beta, c("(Intercept)", "a", "b"))
  # predictions at new points from the same formula
  set.seed(3)
  nx <- cbind(a = runif(7), b = runif(7))
  ref <- tps_system(d$x, d$y, 1e-2)
  fit <- thin_plate_spline(d$x, d$y, lambda = 1e-2, threads = 1)
  expect_equal(unname(predict(fit, nx)),
               drop(tps_kernel(nx, d$x) %*% ref$alpha + cbind(1, nx) %*% ref$beta), tolerance = 1e-8)
  expect_equal(predict(fit), fitted(fit))
})

test_that("thin_plate_spline() interpolates at lambda = 0, keeps linear functions, and df runs from 3 to n", {
  d <- sim_surface(40)
  f0 <- thin_plate_spline(d$x, d$y, lambda = 0, threads = 1)
  expect_equal(unname(fitted(f0)), d$y, tolerance = 1e-8)
  expect_equal(f0$df, 40)
  expect_equal(thin_plate_spline(d$x, d$y, df = 40, threads = 1)$lambda, 0)
  lin <- 2 + 3 * d$x[, 1] - d$x[, 2]
  for (lam in c(1e-3, 1, 1e3, 1e6)) {
    fit <- thin_plate_spline(d$x, lin, lambda = lam, threads = 1)
    expect_equal(unname(fitted(fit)), lin, tolerance = 1e-8, info = paste("lambda", lam))
    expect_equal(unname(fit$beta), c(2, 3, -1), tolerance = 1e-8)
  }
  big <- thin_plate_spline(d$x, d$y, lambda = 1e10, threads = 1)
  expect_equal(big$df, 3, tolerance = 1e-6)
  expect_equal(unname(fitted(big)), unname(fitted(lm(d$y ~ d$x))), tolerance = 1e-6)
  for (target in c(3.5, 10, 25)) {
    expect_equal(thin_plate_spline(d$x, d$y, df = target, threads = 1)$df, target, tolerance = 1e-8)
  }
  g <- thin_plate_spline(d$x, d$y, threads = 1)
  expect_identical(g$criterion, "gcv")
  expect_true(g$gcv <= min(g$gcv_path$gcv) + 1e-12)
})

test_that("thin_plate_spline() in one dimension is the cubic smoothing spline", {
  set.seed(4)
  x <- sort(runif(40))
  y <- sin(6 * x) + rnorm(40, sd = 0.2)
  tp <- thin_plate_spline(matrix(x), y, lambda = 1e-4, threads = 1)
  ss <- smoothing_spline(x, y, lambda = 1e-4, all_knots = TRUE)
  expect_equal(unname(fitted(tp)), fitted(ss), tolerance = 1e-8)
  expect_equal(tp$df, ss$df, tolerance = 1e-8)
})

test_that("thin_plate_spline() equals fields::Tps at the same lambda", {
  skip_if_not_installed("fields")
  d <- sim_surface()
  fit <- thin_plate_spline(d$x, d$y, lambda = 1e-3, threads = 1)
  # fields' lambda is ours (sum of squares + lambda J) when it does not rescale x
  ref <- fields::Tps(d$x, d$y, lambda = 1e-3, scale.type = "unscaled", give.warnings = FALSE)
  expect_equal(unname(fitted(fit)), unname(drop(ref$fitted.values)), tolerance = 1e-8)
  expect_equal(fit$df, ref$eff.df, tolerance = 1e-8)
})

test_that("thin_plate_spline() formula interface, threads, saveRDS", {
  fit <- thin_plate_spline(sbp ~ age + obesity, data = SAheart, df = 8, threads = 1)
  mat <- thin_plate_spline(as.matrix(SAheart[, c("age", "obesity")]), SAheart$sbp, df = 8, threads = 1)
  expect_equal(fitted(fit), fitted(mat), ignore_attr = TRUE, tolerance = 1e-12)
  nd <- data.frame(age = c(30, 50), obesity = c(25, 30))
  expect_equal(unname(predict(fit, nd)), unname(predict(mat, as.matrix(nd))), tolerance = 1e-12)
  two <- thin_plate_spline(sbp ~ age + obesity, data = SAheart, df = 8, threads = 2)
  expect_identical(fitted(two), fitted(fit))
  expect_identical(predict(two, nd, threads = 2), predict(fit, nd, threads = 1))
  back <- round_trip(fit)
  expect_identical(predict(back, nd), predict(fit, nd))
  expect_output(print(fit), "Thin-plate spline: 462 observations")
  f <- tempfile(fileext = ".png")
  grDevices::png(f)
  expect_silent(plot(fit, grid = 20))
  grDevices::dev.off()
  unlink(f)
})

test_that("thin_plate_spline() rejects bad input with classed errors", {
  d <- sim_surface(20)
  expect_error(thin_plate_spline(d$x[1:3, ], d$y[1:3], lambda = 1), class = "statlearn_error_constant")
  line <- cbind(a = 1:10, b = 2 * (1:10))
  expect_error(thin_plate_spline(line, rnorm(10), lambda = 1), class = "statlearn_error_constant")
  dup <- rbind(d$x, d$x[1:2, ])
  expect_error(thin_plate_spline(dup, c(d$y, 1, 2), lambda = 0), class = "statlearn_error_duplicate")
  expect_silent(thin_plate_spline(dup, c(d$y, 1, 2), lambda = 1e-3, threads = 1))
  expect_error(thin_plate_spline(d$x, d$y, df = 3), class = "statlearn_error_range")
  expect_error(thin_plate_spline(d$x, d$y, df = 21), class = "statlearn_error_range")
  expect_error(thin_plate_spline(d$x, d$y, lambda = -1), class = "statlearn_error_range")
  expect_error(thin_plate_spline(d$x, d$y, lambda = 1, df = 5), class = "statlearn_error_conflict")
  xn <- d$x
  xn[3, 1] <- NA
  expect_error(thin_plate_spline(xn, d$y), class = "statlearn_error_nonfinite")
  expect_error(thin_plate_spline(d$x, c(NA, d$y[-1])), class = "statlearn_error_nonfinite")
  expect_error(thin_plate_spline(d$x, d$y[-1]), class = "statlearn_error_length")
  expect_error(thin_plate_spline(d$x, d$y, criterion = "aic"), class = "statlearn_error_range")
  expect_error(thin_plate_spline(d$x, d$y, order = 1), class = "statlearn_error_range")
  fit <- thin_plate_spline(d$x, d$y, lambda = 1, threads = 1)
  expect_error(predict(fit, d$x[, 1, drop = FALSE]), class = "statlearn_error_dimension")
  expect_error(thin_plate_spline(d$x, d$y, lamda = 1), class = "statlearn_error_argument")
})

test_that("kernel_ridge() without intercept is solve(K + lambda I, y)", {
  set.seed(2)
  n <- 50
  x <- matrix(rnorm(n * 3), n)
  y <- x[, 1]^2 + rnorm(n)
  K <- gauss_kernel(x, x, 1.3)
  lam <- c(1, 0.1, 0.01)
  fit <- kernel_ridge(x, y, sigma = 1.3, lambda = lam, intercept = FALSE, threads = 1)
  ref <- sapply(lam, function(l) solve(K + l * diag(n), y))
  expect_equal(unname(fit$alpha), ref, tolerance = 1e-8)
  for (j in seq_along(lam)) {
    H <- K %*% solve(K + lam[j] * diag(n))
    expect_equal(fit$df[j], sum(diag(H)), tolerance = 1e-8, info = "df = trace of the hat matrix")
    expect_equal(fit$gcv[j], n * sum((y - H %*% y)^2) / (n - sum(diag(H)))^2, tolerance = 1e-8)
    expect_equal(unname(fit$fitted.values[, j]), drop(H %*% y), tolerance = 1e-8)
  }
  # one lambda: the Cholesky path gives the same
  one <- kernel_ridge(x, y, sigma = 1.3, lambda = 0.1, intercept = FALSE, threads = 1)
  expect_equal(one$alpha, ref[, 2], tolerance = 1e-8, ignore_attr = TRUE)
  expect_equal(one$df, fit$df[2], tolerance = 1e-8)
  expect_equal(one$gcv, fit$gcv[2], tolerance = 1e-8)
  nx <- matrix(rnorm(12), 4)
  expect_equal(unname(predict(fit, nx, lambda = 0.1)), drop(gauss_kernel(nx, x, 1.3) %*% ref[, 2]),
               tolerance = 1e-8)
  expect_equal(unname(predict(fit, nx, lambda = c(1, 0.01))), gauss_kernel(nx, x, 1.3) %*% ref[, c(1, 3)],
               tolerance = 1e-8)
  expect_equal(unname(coef(fit, lambda = 0.01)), ref[, 3], tolerance = 1e-8)
})

test_that("kernel_ridge() with intercept solves the bordered system; GCV choice", {
  set.seed(5)
  n <- 40
  x <- matrix(rnorm(n * 2), n)
  y <- 5 + sin(x[, 1]) + rnorm(n, sd = 0.3)
  K <- (0.5 * x %*% t(x) + 1)^3
  fit <- kernel_ridge(x, y, kernel = "polynomial", degree = 3, scale = 0.5, offset = 1,
                      lambda = c(10, 1, 0.1), threads = 1)
  for (j in 1:3) {
    l <- fit$lambda[j]
    A <- rbind(cbind(K + l * diag(n), 1), c(rep(1, n), 0))
    s <- solve(A, c(y, 0))
    expect_equal(unname(fit$alpha[, j]), s[1:n], tolerance = 1e-8)
    expect_equal(fit$intercept[j], s[n + 1], tolerance = 1e-8)
    hat <- solve(A)[1:n, 1:n]
    expect_equal(fit$df[j], n - l * sum(diag(hat)), tolerance = 1e-8)
  }
  expect_equal(fit$best, which.min(fit$gcv))
  expect_equal(predict(fit), unname(fit$fitted.values[, fit$best]), ignore_attr = TRUE)
  # large lambda shrinks to the mean of y, not to 0
  big <- kernel_ridge(x, y, lambda = 1e12, threads = 1)
  expect_equal(unname(fitted(big)), rep(mean(y), n), tolerance = 1e-6)
})

test_that("the linear kernel is ridge regression in dual form", {
  d <- sim_linear(n = 60, p = 4)
  lam <- c(5, 0.5)
  fit <- kernel_ridge(d$x, d$y, kernel = "linear", lambda = lam, threads = 1)
  xc <- scale(d$x, scale = FALSE)
  nx <- matrix(rnorm(20), 5)
  for (j in 1:2) {
    b <- solve(crossprod(xc) + lam[j] * diag(4), crossprod(xc, d$y - mean(d$y)))
    ref <- mean(d$y) + sweep(nx, 2, attr(xc, "scaled:center")) %*% b
    expect_equal(unname(predict(fit, nx, lambda = lam[j])), drop(ref), tolerance = 1e-8)
    # primal hat-matrix trace: 1 + sum d_j^2 / (d_j^2 + lambda)
    sv <- svd(xc)$d
    expect_equal(fit$df[j], 1 + sum(sv^2 / (sv^2 + lam[j])), tolerance = 1e-8)
  }
  # without intercept: beta = X' alpha
  f0 <- kernel_ridge(d$x, d$y, kernel = "linear", lambda = 2, intercept = FALSE, threads = 1)
  expect_equal(drop(crossprod(d$x, f0$alpha)),
               drop(solve(crossprod(d$x) + 2 * diag(4), crossprod(d$x, d$y))), tolerance = 1e-8,
               ignore_attr = TRUE)
})

test_that("kernel_ridge() formula, threads, saveRDS, print, plot", {
  set.seed(6)
  df <- data.frame(a = rnorm(80), b = rnorm(80))
  df$y <- sin(df$a) + df$b + rnorm(80, sd = 0.2)
  lam <- 10^seq(-3, 1, length.out = 9)
  fit <- kernel_ridge(y ~ a + b, data = df, lambda = lam, threads = 1)
  mat <- kernel_ridge(as.matrix(df[, c("a", "b")]), df$y, lambda = lam, threads = 1)
  expect_equal(fit$alpha, mat$alpha, tolerance = 1e-12)
  expect_equal(predict(fit, df[1:5, ]), predict(mat, as.matrix(df[1:5, c("a", "b")])), ignore_attr = TRUE,
               tolerance = 1e-12)
  two <- kernel_ridge(y ~ a + b, data = df, lambda = lam, threads = 2)
  expect_identical(two$alpha, fit$alpha)
  expect_identical(predict(two, df, threads = 2), predict(fit, df, threads = 1))
  back <- round_trip(fit)
  expect_identical(predict(back, df[1:5, ]), predict(fit, df[1:5, ]))
  expect_output(print(fit), "smallest GCV at lambda")
  f <- tempfile(fileext = ".png")
  grDevices::png(f)
  expect_silent(plot(fit))
  grDevices::dev.off()
  unlink(f)
  grid <- kernel_ridge(y ~ a + b, data = df, threads = 1)
  expect_length(grid$lambda, 30)
})

test_that("kernel_ridge() rejects bad input with classed errors", {
  set.seed(7)
  x <- matrix(rnorm(40), 20)
  y <- rnorm(20)
  expect_error(kernel_ridge(x, y, kernel = "laplace"), class = "statlearn_error_range")
  expect_error(kernel_ridge(x, y, kernel = 3), class = "statlearn_error_type")
  expect_error(kernel_ridge(x, y, lambda = -1), class = "statlearn_error_range")
  expect_error(kernel_ridge(x, y, lambda = c(1, NA)), class = "statlearn_error_nonfinite")
  expect_error(kernel_ridge(x, y, sigma = 0), class = "statlearn_error_range")
  expect_error(kernel_ridge(x, y, sigma = -2), class = "statlearn_error_range")
  expect_error(kernel_ridge(x, y, kernel = "polynomial", degree = 0), class = "statlearn_error_range")
  expect_error(kernel_ridge(x, y, kernel = "polynomial", offset = -1), class = "statlearn_error_range")
  expect_error(kernel_ridge(x, y[-1]), class = "statlearn_error_length")
  xn <- x
  xn[2, 2] <- Inf
  expect_error(kernel_ridge(xn, y), class = "statlearn_error_nonfinite")
  expect_error(kernel_ridge(x, y, kernel = "linear", lambda = 0, intercept = FALSE),
               class = "statlearn_error_numerical")
  fit <- kernel_ridge(x, y, lambda = c(1, 0.1), threads = 1)
  expect_error(predict(fit, matrix(1, 2, 3)), class = "statlearn_error_dimension")
  expect_error(predict(fit, x, lambda = 0.5), class = "statlearn_error_range")
  expect_error(kernel_ridge(x, y, sigmaa = 1), class = "statlearn_error_argument")
})

test_that("tensor_product_basis() is the row-wise products of the margins", {
  set.seed(8)
  x1 <- runif(50)
  x2 <- runif(50)
  A <- bspline_basis(x1, df = 4)
  B <- natural_spline_basis(x2, df = 3)
  G <- tensor_product_basis(A, B, main_effects = FALSE)
  expect_equal(dim(G), c(50L, 12L))
  for (j in 1:4) for (k in 1:3) {
    expect_equal(unname(G[, sprintf("%d:%d", j, k)]), unname(A[, j] * B[, k]))
  }
  H <- tensor_product_basis(A, B)
  expect_equal(dim(H), c(50L, 19L))
  expect_equal(unname(H[, "2:0"]), unname(A[, 2]))
  expect_equal(unname(H[, "0:3"]), unname(B[, 3]))
  expect_equal(unname(H[, "4:1"]), unname(A[, 4] * B[, 1]))
  C <- tensor_product_basis(A, B, runif(50), main_effects = FALSE)
  expect_equal(ncol(C), 12L)
  expect_error(tensor_product_basis(A), class = "statlearn_error_length")
  expect_error(tensor_product_basis(A, B[-1, ]), class = "statlearn_error_length")
  expect_error(tensor_product_basis(A, "a"), class = "statlearn_error_type")
  expect_output(print(G), "Tensor product basis: 50 x 12")
})

test_that("tensor_product_basis() in a formula keeps the training knots for predict()", {
  set.seed(9)
  d <- data.frame(x1 = runif(100), x2 = runif(100))
  d$y <- sin(4 * d$x1) * d$x2 + rnorm(100, sd = 0.1)
  fit <- linear_regression(y ~ tensor_product_basis(natural_spline_basis(x1, df = 4),
                                                    natural_spline_basis(x2, df = 4)), data = d)
  new <- data.frame(x1 = c(0.1, 0.5, 0.55, 0.9), x2 = c(0.2, 0.3, 0.8, 0.95))
  N1 <- natural_spline_basis(d$x1, df = 4)
  N2 <- natural_spline_basis(d$x2, df = 4)
  Gnew <- tensor_product_basis(predict(N1, new$x1), predict(N2, new$x2))
  ref <- lm(d$y ~ unclass(tensor_product_basis(N1, N2)))
  expect_equal(unname(predict(fit, new)), unname(drop(cbind(1, unclass(Gnew)) %*% coef(ref))),
               tolerance = 1e-8)
  # the same with lm(), through stats' own machinery
  ref2 <- lm(y ~ tensor_product_basis(natural_spline_basis(x1, df = 4), natural_spline_basis(x2, df = 4)),
             data = d)
  expect_equal(unname(predict(fit, new)), unname(predict(ref2, new)), tolerance = 1e-8)
  # and the knots are not recomputed from the new data (one row would fail)
  expect_length(predict(fit, new[1, ]), 1L)
})
