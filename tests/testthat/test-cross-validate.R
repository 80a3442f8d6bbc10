# The cross-validation driver against manual refit loops: the fold errors,
# their weighted mean and standard error, and the one-standard-error choice.

cv_by_hand <- function(pred_fold, y, foldid) {
  K <- max(foldid)
  err <- t(vapply(seq_len(K), function(k) {
    te <- foldid == k
    colMeans((y[te] - pred_fold(k))^2)
  }, numeric(ncol(pred_fold(1)))))
  nk <- tabulate(foldid)
  cvm <- colSums(err * nk) / sum(nk)
  cvsd <- sqrt(colSums(sweep(err, 2, cvm)^2 * nk) / sum(nk) / (K - 1))
  list(cvm = cvm, cvsd = cvsd)
}

test_that("ridge and PCR cross-validation equal manual refit loops (PCR refits by pls)", {
  d <- subset(prostate, train, select = -train)
  x <- as.matrix(d[, 1:8]); y <- d$lpsa
  set.seed(11)
  fid <- sample(rep(1:5, length.out = nrow(x)))
  # ridge: refit on each training part on the full fit's lambdas
  fr <- ridge_regression(x, y)
  cv <- cross_validate(fr, foldid = fid, threads = 1)
  ref <- cv_by_hand(function(k) {
    tr <- fid != k
    fk <- ridge_regression(x[tr, ], y[tr], lambda = fr$lambda)
    cbind(1, x[!tr, ]) %*% coef(fk)
  }, y, fid)
  expect_equal(unname(cv$cvm), unname(ref$cvm), tolerance = 1e-10)
  expect_equal(unname(cv$cvsd), unname(ref$cvsd), tolerance = 1e-10)
  # the one-standard-error rule: the simplest model (smallest df) within one
  # standard error of the minimum
  imin <- which.min(ref$cvm)
  within <- which(ref$cvm <= ref$cvm[imin] + ref$cvsd[imin])
  expect_identical(cv$index_min, unname(imin))
  expect_identical(cv$index_1se, unname(within[which.min(fr$complexity[within])]))
  # PCR: pls::pcr on each training part (standardised columns; the divisor of
  # the standard deviation does not change principal-component fits)
  skip_if_not_installed("pls")
  fp <- pcr(x, y)
  cvp <- cross_validate(fp, foldid = fid, threads = 1)
  refp <- cv_by_hand(function(k) {
    tr <- fid != k
    pk <- pls::pcr(y ~ x, ncomp = 8, scale = TRUE, data = list(y = y[tr], x = x[tr, ]))
    cbind(mean(y[tr]), drop(predict(pk, newdata = list(x = x[!tr, ]), ncomp = 1:8)))
  }, y, fid)
  expect_equal(unname(cvp$cvm), unname(refp$cvm), tolerance = 1e-8)
  expect_equal(unname(cvp$cvsd), unname(refp$cvsd), tolerance = 1e-8)
})

test_that("every path's cross-validation is identical for 1 and 2 threads", {
  d <- subset(prostate, train, select = -train)
  x <- as.matrix(d[, 1:8]); y <- d$lpsa
  set.seed(12)
  fid <- sample(rep(1:5, length.out = nrow(x)))
  fits <- list(ridge = ridge_regression(x, y), lasso = lasso(x, y), lars = lars(x, y),
               pcr = pcr(x, y), plsr = plsr(x, y), subset = best_subset(x, y),
               stepwise = stepwise(x, y), stagewise = forward_stagewise(x, y, epsilon = 0.05))
  for (nm in names(fits)) {
    c1 <- cross_validate(fits[[nm]], foldid = fid, threads = 1)
    c2 <- cross_validate(fits[[nm]], foldid = fid, threads = 2)
    expect_identical(c1$cvm, c2$cvm, info = nm)
    expect_true(all(is.finite(c1$cvm)), info = nm)
    # rule = "min" gives the minimum-error model
    expect_equal(coef(c1, rule = "min"), coef(fits[[nm]], c1$tuning_min), info = nm,
                 ignore_attr = TRUE)
  }
})

test_that("best-subset, PLS and stagewise cross-validation equal manual refit loops", {
  d <- subset(prostate, train, select = -train)
  x <- as.matrix(d[, 1:8]); y <- d$lpsa
  set.seed(13)
  fid <- sample(rep(1:5, length.out = nrow(x)))
  # best subsets: each training part searched again by leaps
  skip_if_not_installed("leaps")
  fb <- best_subset(x, y)
  cvb <- cross_validate(fb, foldid = fid, threads = 1)
  refb <- cv_by_hand(function(k) {
    tr <- fid != k
    rs <- leaps::regsubsets(x[tr, ], y[tr], nvmax = 8, method = "exhaustive")
    preds <- vapply(1:8, function(s) {
      b <- coef(rs, id = s)
      drop(cbind(1, x[!tr, names(b)[-1], drop = FALSE]) %*% b)
    }, numeric(sum(!tr)))
    cbind(mean(y[tr]), preds)
  }, y, fid)
  expect_equal(unname(cvb$cvm), unname(refb$cvm), tolerance = 1e-10)
  expect_equal(unname(cvb$cvsd), unname(refb$cvsd), tolerance = 1e-10)
  # PLS: pls::plsr on each training part
  skip_if_not_installed("pls")
  fp <- plsr(x, y)
  cvp <- cross_validate(fp, foldid = fid, threads = 1)
  refp <- cv_by_hand(function(k) {
    tr <- fid != k
    pk <- pls::plsr(y ~ x, ncomp = 8, scale = TRUE, method = "oscorespls",
                    data = list(y = y[tr], x = x[tr, ]))
    cbind(mean(y[tr]), drop(predict(pk, newdata = list(x = x[!tr, ]), ncomp = 1:8)))
  }, y, fid)
  expect_equal(unname(cvp$cvm), unname(refp$cvm), tolerance = 1e-8)
  # forward stagewise: refits on the training parts, a fold's stopped path
  # keeping its last model
  fs <- forward_stagewise(x, y, epsilon = 0.05)
  cvs <- cross_validate(fs, foldid = fid, threads = 1)
  refs <- cv_by_hand(function(k) {
    tr <- fid != k
    fk <- suppressWarnings(forward_stagewise(x[tr, ], y[tr], epsilon = 0.05))
    B <- coef(fk)[, pmin(fs$tuning, max(fk$tuning)) + 1L, drop = FALSE]
    cbind(1, x[!tr, ]) %*% B
  }, y, fid)
  expect_equal(unname(cvs$cvm), unname(refs$cvm), tolerance = 1e-10)
})

test_that("print() and summary() show each column once (best subset: tuning = complexity = size)", {
  d <- sim_linear(n = 60, p = 4, seed = 71)
  set.seed(72)
  cv <- cross_validate(best_subset(d$x, d$y, threads = 1), folds = 5, threads = 1)
  expect_identical(cv$tuning_name, cv$complexity_name)
  header <- function(lines) strsplit(trimws(lines[2L]), " +")[[1L]]
  h <- header(capture.output(print(cv)))
  expect_identical(h, c("rule", "size", "error", "se"))
  h <- header(capture.output(print(summary(cv))))
  expect_identical(h, c("size", "cv_error", "std_error", "rule"))
  expect_false(anyDuplicated(names(summary(cv)$table)) > 0)
  # where they differ, both are shown
  set.seed(73)
  cl <- cross_validate(lasso(d$x, d$y, nlambda = 5, threads = 1), folds = 5, threads = 1)
  expect_true(all(c("lambda", "L1 norm (standardised)", "cv_error") %in% names(summary(cl)$table)))
  expect_match(capture.output(print(cl))[2L], "lambda L1 norm \\(standardised\\)")
  # a learner whose grid column is its complexity: the column once, error kept
  lr <- learner(function(x, y, k) nearest_neighbors(x, y, k = k, threads = 1))
  set.seed(74)
  cg <- cross_validate(lr, d$x, d$y, folds = 5, grid = data.frame(k = c(3, 9)), complexity = "k")
  expect_identical(names(summary(cg)$table), c("k", "cv_error", "std_error", "rule"))
  expect_identical(header(capture.output(print(cg))), c("rule", "k", "error", "se"))
})

test_that("regression paths of a 0/1 response: measure = \"class\" thresholds the fit at 1/2", {
  d <- sim_linear(n = 80, p = 4, seed = 81)
  set.seed(82)
  y <- rbinom(80, 1, plogis(2 * d$x[, 1] - d$x[, 2]))
  fid <- rep(1:4, 20)
  fb <- best_subset(d$x, y, threads = 1)
  cv <- cross_validate(fb, foldid = fid, measure = "class", threads = 1)
  expect_identical(cv$measure, "class")
  err <- t(vapply(1:4, function(k) {
    tr <- fid != k
    pred <- predict(best_subset(d$x[tr, ], y[tr], threads = 1), d$x[!tr, ])
    colMeans((pred > 0.5) != (y[!tr] == 1))
  }, numeric(5)))
  expect_equal(cv$cvm, colMeans(err), ignore_attr = TRUE, tolerance = 1e-12)
  expect_equal(cv$cvsd, apply(err, 2L, sd) / 2, ignore_attr = TRUE, tolerance = 1e-12)
  expect_output(print(cv), "misclassification rate")
  # the default is still the squared error, on the same folds
  expect_identical(cross_validate(fb, foldid = fid, threads = 1)$measure, "mse")
  # ridge: thresholding its closed-form fits
  fr <- ridge_regression(d$x, y, lambda = c(5, 50), standardize = FALSE)
  cr <- cross_validate(fr, foldid = fid, measure = "class", threads = 1)
  err <- t(vapply(1:4, function(k) {
    tr <- fid != k
    xc <- sweep(d$x[tr, ], 2L, colMeans(d$x[tr, ]))
    vapply(fr$lambda, function(l) {  # decreasing, as the path stores it
      b <- solve(crossprod(xc) + diag(l, 4), crossprod(xc, y[tr] - mean(y[tr])))
      f <- mean(y[tr]) + sweep(d$x[!tr, ], 2L, colMeans(d$x[tr, ])) %*% b
      mean((f > 0.5) != (y[!tr] == 1))
    }, 0)
  }, numeric(2)))
  expect_equal(cr$cvm, colMeans(err), ignore_attr = TRUE, tolerance = 1e-12)
  # other responses: a classed error that says what to do
  expect_error(cross_validate(best_subset(d$x, d$y, threads = 1), folds = 4, measure = "class"),
               class = "statlearn_error_unsupported", regexp = "0/1 response")
  expect_error(cross_validate(fb, folds = 4, measure = "auc"), class = "statlearn_error_range")
})
