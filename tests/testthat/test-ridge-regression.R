test_that("ridge coefficients equal the closed form (tol 1e-10)", {
  d <- sim_linear(n = 60, p = 8)
  fit <- ridge_regression(d$x, d$y, lambda = c(10, 1, 0.1))
  xs <- scale(d$x, scale = apply(d$x, 2, function(v) sqrt(mean((v - mean(v))^2))))
  yc <- d$y - mean(d$y)
  for (k in 1:3) {
    l <- fit$lambda[k]
    b_std <- solve(crossprod(xs) + l * diag(8), crossprod(xs, yc))
    b <- drop(b_std) / attr(xs, "scaled:scale")
    expect_equal(unname(fit$beta[, k]), unname(b), tolerance = 1e-10, info = paste("lambda", l))
    H <- xs %*% solve(crossprod(xs) + l * diag(8), t(xs))
    expect_equal(fit$df[k], sum(diag(H)), tolerance = 1e-10)
  }
  expect_equal(unname(coef(fit, lambda = 1)), unname(c(fit$a0[2], fit$beta[, 2])), tolerance = 1e-12)
  # coef(df = k) picks the lambda whose df(lambda) is k
  b3 <- coef(fit, df = 3)
  l3 <- uniroot(function(ll) sum(fit$d^2 / (fit$d^2 + exp(ll))) - 3, c(-30, 30), tol = 1e-12)$root
  expect_equal(unname(b3), unname(coef(fit, lambda = exp(l3))), tolerance = 1e-8)
  expect_equal(unname(coef(fit, df = 8)), unname(coef(lm(d$y ~ d$x))), tolerance = 1e-8)
})

test_that("ridge with weights matches weighted closed form; formula = matrix", {
  d <- sim_linear(n = 50, p = 4, seed = 5)
  w <- runif(50)
  fit <- ridge_regression(d$x, d$y, weights = w, lambda = 2, standardize = FALSE)
  xm <- colSums(d$x * w) / sum(w); ym <- sum(d$y * w) / sum(w)
  xc <- sweep(d$x, 2, xm); yc <- d$y - ym
  b <- solve(crossprod(xc, xc * w) + 2 * diag(4), crossprod(xc, yc * w))
  expect_equal(unname(fit$beta[, 1]), unname(drop(b)), tolerance = 1e-10)
  df <- data.frame(d$x, y = d$y)
  f2 <- ridge_regression(y ~ ., data = df, lambda = c(5, 1))
  f3 <- ridge_regression(d$x, d$y, lambda = c(5, 1))
  expect_equal(coef(f2), coef(f3), tolerance = 1e-12)
})

test_that("ridge bad input, round trip and cross-validation", {
  d <- sim_linear(n = 40, p = 3)
  expect_error(ridge_regression(d$x, d$y, lambda = -1), class = "statlearn_error_range")
  expect_error(ridge_regression(cbind(d$x, 1), d$y), class = "statlearn_error_constant")
  fit <- ridge_regression(d$x, d$y)
  expect_error(coef(fit, df = 10), class = "statlearn_error_range")
  g <- round_trip(fit)
  expect_identical(predict(g, d$x, df = 2), predict(fit, d$x, df = 2))
  set.seed(1); a <- cross_validate(fit, folds = 5)
  set.seed(1); b <- cross_validate(fit, folds = 5)
  expect_identical(a$cvm, b$cvm)
  expect_length(coef(a), 4)
})
