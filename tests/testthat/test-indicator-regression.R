# Linear regression of an indicator matrix (ESL 4.2).

# ESL Figures 4.2-4.3: three classes in the plane whose centroids lie on a line.
sim_masking <- function(n = 300, seed = 4) {
  set.seed(seed)
  g <- factor(rep(1:3, each = n))
  centre <- c(-4, 0, 4)[as.integer(g)]
  x <- cbind(x1 = centre + rnorm(3 * n), x2 = centre + rnorm(3 * n))
  list(x = x, y = g, data = data.frame(y = g, x))
}

test_that("coefficients are the least squares fits of the indicator columns", {
  d <- sim_linear(n = 120, p = 4)
  y <- factor(cut(d$y, 3, labels = c("lo", "mid", "hi")))
  fit <- indicator_regression(d$x, y)
  Y <- sapply(levels(y), function(l) as.numeric(y == l))
  ref <- coef(lm(Y ~ d$x))
  expect_equal(unname(coef(fit)), unname(ref), tolerance = 1e-10, info = "lm on the indicator matrix")
  f <- predict(fit, d$x, type = "link")
  expect_equal(unname(rowSums(f)), rep(1, 120), tolerance = 1e-10, label = "fitted values sum to 1")
  # Classes from lm's fitted indicator values, computed independently.
  ref_class <- factor(levels(y)[max.col(fitted(lm(Y ~ d$x)), "first")], levels = levels(y))
  expect_identical(predict(fit, d$x), ref_class)
  expect_identical(fitted(fit), ref_class)
})

test_that("the middle class is masked by linear regression but not by LDA or quadratic terms (ESL Figures 4.2-4.3)", {
  s <- sim_masking()
  mid <- s$y == "2"
  lin <- indicator_regression(y ~ x1 + x2, data = s$data)
  lda <- linear_discriminant(y ~ x1 + x2, data = s$data, threads = 1)
  quad <- indicator_regression(y ~ x1 + x2 + I(x1^2) + I(x2^2) + I(x1 * x2), data = s$data)
  hit <- function(fit) mean(predict(fit, s$data)[mid] == "2")
  # Linear regression almost never predicts the middle class.
  expect_lt(hit(lin), 0.1)
  expect_lt(mean(predict(lin, s$data) == "2"), 0.05)
  # LDA and the quadratic regression find it.
  expect_gt(hit(lda), 0.95)
  expect_gt(hit(quad), 0.9)
  # Along the line joining the centroids the fitted middle indicator is nearly flat (Figure 4.3 left).
  f <- predict(lin, s$data, type = "link")
  expect_lt(diff(range(f[, "2"])), 0.1)
})

test_that("ESL Table 4.1: vowel training and test error of linear regression", {
  fit <- indicator_regression(y ~ ., data = vowel_train)
  expect_lte(abs(mean(predict(fit) != vowel_train$y) - 0.48), 0.01)
  expect_lte(abs(mean(predict(fit, vowel_test) != vowel_test$y) - 0.67), 0.01)
})

test_that("formula and matrix interfaces agree; weights; round trip", {
  s <- sim_masking(n = 50)
  a <- indicator_regression(y ~ x1 + x2, data = s$data)
  b <- indicator_regression(s$x, s$y)
  expect_equal(coef(a), coef(b), tolerance = 1e-12)
  expect_identical(predict(a, s$data), predict(b, s$x))
  w <- rep(1:3, length.out = 150)
  cw <- indicator_regression(s$x, s$y, weights = w)
  rep_i <- rep(seq_len(150), w)
  cr <- indicator_regression(s$x[rep_i, ], s$y[rep_i])
  expect_equal(coef(cw), coef(cr), tolerance = 1e-10, info = "integer weights = replicated rows")
  r <- round_trip(a)
  expect_identical(predict(r, s$data, type = "link"), predict(a, s$data, type = "link"))
  expect_output(print(a), "indicator matrix")
})

test_that("bad input gives classed errors", {
  s <- sim_masking(n = 20)
  expect_statlearn_error(indicator_regression(s$x, rep("a", 60)), class = "statlearn_error_classes")
  expect_statlearn_error(indicator_regression(s$x, s$y[-1]), class = "statlearn_error_length")
  x <- s$x
  x[3, 1] <- NA
  expect_statlearn_error(indicator_regression(x, s$y), class = "statlearn_error_nonfinite")
  y <- s$y
  y[2] <- NA
  expect_statlearn_error(indicator_regression(s$x, y), class = "statlearn_error_nonfinite")
  fit <- indicator_regression(s$x, s$y)
  expect_statlearn_error(predict(fit, s$x[, 1, drop = FALSE]), class = "statlearn_error_dimension")
  expect_statlearn_error(predict(fit, s$x, type = "prob"), class = "statlearn_error_range")
})
