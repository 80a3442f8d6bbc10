# The book's own numbers: ESL Table 3.3 (prostate data, 67 training and 30
# test rows, predictors standardised over all 97 rows as the book does).

esl_prostate_split <- function() {
  pros <- prostate
  pros[, 1:8] <- scale(pros[, 1:8])
  list(x = as.matrix(pros[pros$train, 1:8]), y = pros$lpsa[pros$train],
       xt = as.matrix(pros[!pros$train, 1:8]), yt = pros$lpsa[!pros$train])
}

test_that("ESL Table 3.3 test errors at the book's chosen complexity", {
  d <- esl_prostate_split()
  err <- function(b) mean((d$yt - cbind(1, d$xt) %*% b)^2)
  expect_equal(err(coef(linear_regression(d$x, d$y))), 0.521, tolerance = 0.001 / 0.521)
  expect_equal(err(coef(best_subset(d$x, d$y), size = 2)), 0.492, tolerance = 0.001 / 0.492)
  expect_equal(err(coef(ridge_regression(d$x, d$y), df = 5)), 0.492, tolerance = 0.001 / 0.492)
  expect_equal(err(coef(pcr(d$x, d$y, standardize = FALSE), ncomp = 7)), 0.449, tolerance = 0.001 / 0.449)
  expect_equal(err(coef(plsr(d$x, d$y, standardize = FALSE), ncomp = 2)), 0.528, tolerance = 0.002 / 0.528)
  # The lasso is steep in s near the book's (rounded) 0.36: within 0.015.
  expect_equal(err(coef(lasso(d$x, d$y, thresh = 1e-12), s = 0.36)), 0.479, tolerance = 0.015 / 0.479)
})

test_that("ESL Table 3.3 coefficients for LS and best subset", {
  d <- esl_prostate_split()
  expect_equal(unname(coef(linear_regression(d$x, d$y))),
               c(2.465, 0.680, 0.263, -0.141, 0.210, 0.305, -0.288, -0.021, 0.267), tolerance = 2e-3)
  expect_equal(unname(coef(best_subset(d$x, d$y), size = 2)),
               c(2.477, 0.740, 0.316, 0, 0, 0, 0, 0, 0), tolerance = 2e-3)
  expect_equal(unname(coef(ridge_regression(d$x, d$y), df = 5)),
               c(2.452, 0.420, 0.238, -0.046, 0.162, 0.227, 0.000, 0.040, 0.133), tolerance = 0.02)
})

test_that("cross-validation objects survive saveRDS and keep their choice", {
  d <- esl_prostate_split()
  set.seed(4)
  cv <- cross_validate(lasso(d$x, d$y, threads = 1), folds = 5, x = d$x, y = d$y, threads = 1)
  cv2 <- round_trip(cv)
  expect_identical(coef(cv2), coef(cv))
  expect_identical(predict(cv2, d$xt), predict(cv, d$xt))
})
