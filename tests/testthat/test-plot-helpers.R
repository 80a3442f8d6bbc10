# The pieces every plot shares: labels that never overprint, thinned error
# bars, and the path and cross-validation plots built on them.

test_that("spread_labels() keeps labels apart, inside the range, and in order", {
  set.seed(3)
  for (rep in 1:50) {
    y <- c(runif(8), rep(0.5, 4))
    z <- statlearn:::spread_labels(y, gap = 0.05, lo = 0, hi = 1)
    expect_true(all(diff(sort(z)) >= 0.05 - 1e-12))
    expect_true(all(z >= 0 - 1e-12 & z <= 1 + 1e-12))
    # The order of the curves is kept (ties in any order).
    expect_identical(order(z), order(y, z))
  }
  # Labels already apart do not move.
  expect_equal(statlearn:::spread_labels(c(0.1, 0.5, 0.9), 0.05, 0, 1), c(0.1, 0.5, 0.9))
  # Too many labels for the room: spread evenly over it.
  z <- statlearn:::spread_labels(rep(0.5, 11), gap = 0.2, lo = 0, hi = 1)
  expect_equal(sort(z), seq(0, 1, by = 0.1))
})

test_that("thin_indices() keeps bars apart along x and always keeps the marked points", {
  x <- c(seq(0, 1, length.out = 10), seq(1.001, 1.01, length.out = 50))
  k <- statlearn:::thin_indices(x, keep = c(55L, 60L), max_bars = 20L)
  kept_x <- sort(x[setdiff(k, c(55L, 60L))])
  expect_true(all(diff(kept_x) >= diff(range(x)) / 20 - 1e-12))
  expect_true(all(c(55L, 60L) %in% k))
  expect_identical(statlearn:::thin_indices(1:5, max_bars = 30L), 1:5)
})

test_that("path plots take the book's axes, k labels, a legend and the CV choices", {
  pdf(NULL)
  on.exit(dev.off())
  train <- subset(prostate, train, select = -train)
  fit <- lasso(lpsa ~ ., data = train)
  set.seed(1)
  cv <- cross_validate(fit, folds = 5)
  for (xvar in names(fit$axes)) expect_identical(plot(fit, xvar = xvar, cv = cv), fit)
  expect_identical(plot(fit, label = 3), fit)
  expect_identical(plot(fit, label = "legend"), fit)
  expect_identical(plot(fit, label = FALSE), fit)
  expect_statlearn_error(plot(fit, label = "top"), "statlearn_error_type", "label")
  expect_statlearn_error(plot(fit, label = 2.5), "statlearn_error_type", "label")
  expect_statlearn_error(plot(fit, cv = list()), "statlearn_error_type", "cv")
  expect_statlearn_error(plot(fit, xvar = "arc"), "statlearn_error_range", "xvar")
  expect_identical(plot(cv), cv)
  ridge <- ridge_regression(lpsa ~ ., data = train)
  expect_identical(plot(ridge, xvar = "df", cv = cross_validate(ridge, folds = 5)), ridge)
})

test_that("the LARS arc length is the length of the piecewise-linear coefficient path", {
  train <- subset(prostate, train, select = -train)
  fit <- lars(lpsa ~ ., data = train, type = "lar")
  arc <- fit$axes$arc_length
  # Independently: walk the path in fine steps of s and add up the L1 moves.
  s <- sort(unique(c(seq(0, 1, length.out = 4001), fit$axes$s)))
  B <- coef(fit, s = s)
  B <- B[rownames(B) != "(Intercept)", , drop = FALSE]
  walk <- c(0, cumsum(colSums(abs(B[, -1L] - B[, -ncol(B)]))))
  expect_equal(unname(arc), unname(walk[match(fit$axes$s, s)]), tolerance = 1e-8)
  expect_equal(fit$axes$norm, colSums(abs(fit$beta)), tolerance = 1e-12)
  # Without sign changes (the lasso mode on these data drops nothing) arc
  # length and L1 norm agree; LAR's own path can only be longer.
  expect_true(all(arc >= fit$axes$norm - 1e-12))
})

test_that("summary() of a cross-validation marks both choices and keeps the curve", {
  train <- subset(prostate, train, select = -train)
  set.seed(2)
  cv <- cross_validate(lasso(lpsa ~ ., data = train), folds = 5)
  s <- summary(cv)
  expect_equal(s$table$cv_error, cv$cvm)
  expect_equal(s$table$std_error, cv$cvsd)
  expect_true(grepl("min", s$table$rule[cv$index_min]))
  expect_true(grepl("1se", s$table$rule[cv$index_1se]))
  expect_equal(sum(nzchar(s$table$rule)), length(unique(c(cv$index_min, cv$index_1se))))
  # The nonzero counts are those of the path at each lambda.
  expect_equal(s$table$nonzero, unname(colSums(cv$fit$beta != 0)))
  out <- capture.output(print(s))
  expect_true(any(grepl("1se", out)))
})

test_that("CV plots take the path's axes and drop the top axis where it says nothing", {
  pdf(NULL)
  on.exit(dev.off())
  train <- subset(prostate, train, select = -train)
  set.seed(3)
  cv <- cross_validate(lasso(lpsa ~ ., data = train), folds = 5)
  for (xvar in c("s", "lambda", "df")) expect_identical(plot(cv, xvar = xvar), cv)
  expect_identical(plot(cv, top_axis = FALSE), cv)
  expect_statlearn_error(plot(cv, xvar = "ncomp"), "statlearn_error_range", "xvar")
  expect_statlearn_error(plot(cv, top_axis = NA), "statlearn_error_type", "top_axis")
  # PCR uses every variable at every size: no nonzero-count axis.
  cvp <- cross_validate(pcr(lpsa ~ ., data = train), folds = 5)
  expect_null(statlearn:::cv_nonzero(cvp))
  expect_false(is.null(statlearn:::cv_nonzero(cv)))
  expect_identical(statlearn:::axis_title("ncomp"), "Number of directions")
  # A legend goes to the corner the curves leave empty.
  plot(0:1, c(-1, 1), type = "n")
  x <- seq(0, 1, length.out = 20)
  expect_identical(statlearn:::emptiest_corner(x, cbind(x, -x)), "topleft")
})
