# Bagging, stacking and bumping (ESL 8.7-8.9) against explicit loops over the
# same bootstrap samples / folds with reference fitters (lm, MASS::lda,
# rpart), and nnls() against quadprog and a brute force over active sets.

sim_classes <- function(n = 60, seed = 3) {
  set.seed(seed)
  x <- matrix(rnorm(n * 3), n, 3, dimnames = list(NULL, c("a", "b", "c")))
  y <- factor(ifelse(x[, 1] + 0.7 * x[, 2] + rnorm(n, sd = 0.8) > 0, "up", "down"))
  list(x = x, y = y, df = data.frame(x, y = y))
}

test_that("bagged least squares equals the mean of lm() over the same bootstrap samples", {
  d <- sim_linear(n = 50, p = 4, seed = 2)
  lrn <- learner(function(x, y) linear_regression(x, y), name = "lsq")
  bag <- bagging(lrn, d$x, d$y, B = 15, seed = 7)
  newx <- d$x[1:10, ]
  ref <- rowMeans(sapply(bag$samples$train, function(s) {
    m <- lm(y ~ ., data = data.frame(d$x[s, ], y = d$y[s]))
    predict(m, data.frame(newx))
  }))
  expect_equal(predict(bag, newx), unname(ref), tolerance = 1e-10, info = "bagged mean vs lm loop")
  # out-of-bag: each observation averaged over the fits whose sample leaves it out
  oob <- sapply(seq_len(50), function(i) {
    use <- which(vapply(bag$samples$train, function(s) !(i %in% s), TRUE))
    if (!length(use)) return(NA_real_)
    mean(sapply(bag$samples$train[use], function(s) {
      m <- lm(y ~ ., data = data.frame(d$x[s, ], y = d$y[s]))
      predict(m, data.frame(d$x[i, , drop = FALSE]))
    }))
  })
  expect_equal(bag$oob_prediction, oob, tolerance = 1e-10, info = "out-of-bag predictions")
  expect_equal(bag$oob_error, mean((d$y - oob)^2, na.rm = TRUE), tolerance = 1e-10, info = "oob mse")
  # a package fit is refitted from its call on the same samples
  fit <- linear_regression(d$x, d$y)
  bag2 <- bagging(fit, B = 15, seed = 7)
  expect_equal(predict(bag2, newx), predict(bag, newx), tolerance = 1e-12, info = "package fit = learner")
  expect_identical(bag2$samples$train, bag$samples$train)
})

test_that("bagged LDA (vote and probability) equals a loop over MASS::lda on the same samples", {
  skip_if_not_installed("MASS")
  d <- sim_classes()
  fit <- linear_discriminant(d$x, d$y)
  newx <- d$x[1:25, ]
  for (agg in c("vote", "probability")) {
    bag <- bagging(fit, B = 11, aggregate = agg, seed = 5)
    refs <- lapply(bag$samples$train, function(s) predict(MASS::lda(d$x[s, ], d$y[s]), newx))
    P <- if (agg == "vote") {
      Reduce(`+`, lapply(refs, function(r) outer(as.character(r$class), levels(d$y), `==`) * 1)) / 11
    } else {
      Reduce(`+`, lapply(refs, function(r) r$posterior[, levels(d$y)])) / 11
    }
    expect_equal(unname(predict(bag, newx, type = "prob")), unname(P), tolerance = 1e-8,
                 info = paste("proportions,", agg))
    expect_identical(as.character(predict(bag, newx)), levels(d$y)[max.col(P, ties.method = "first")],
                     info = paste("classes,", agg))
    expect_identical(levels(predict(bag, newx)), levels(d$y))
  }
  # the first b fits
  P3 <- predict(bag, newx, type = "prob", models = 1:3)
  ref3 <- Reduce(`+`, lapply(bag$samples$train[1:3], function(s)
    predict(MASS::lda(d$x[s, ], d$y[s]), newx)$posterior)) / 3
  expect_equal(unname(P3), unname(ref3), tolerance = 1e-8, info = "models = 1:3")
})

test_that("bagged rpart trees through learner() equal an explicit loop, with out-of-bag error", {
  skip_if_not_installed("rpart")
  d <- sim_classes(n = 80, seed = 4)
  tree <- learner(function(x, y) rpart::rpart(y ~ ., data = data.frame(x, y = y), method = "class"),
                  function(m, newx) predict(m, data.frame(newx), type = "class"), name = "rpart")
  prob <- function(m, newx) predict(m, data.frame(newx), type = "prob")
  bag <- bagging(tree, d$x, d$y, B = 9, aggregate = "probability", prob = prob, seed = 11)
  fits <- lapply(bag$samples$train, function(s) rpart::rpart(y ~ ., data = d$df[s, ], method = "class"))
  P <- Reduce(`+`, lapply(fits, function(f) predict(f, d$df, type = "prob"))) / 9
  expect_equal(unname(predict(bag, d$x, type = "prob")), unname(P), tolerance = 1e-12, info = "rpart prob")
  # out-of-bag vote of the probability average
  oobP <- t(sapply(seq_len(80), function(i) {
    use <- which(vapply(bag$samples$train, function(s) !(i %in% s), TRUE))
    if (!length(use)) return(c(NA, NA))
    Reduce(`+`, lapply(fits[use], function(f) predict(f, d$df[i, ], type = "prob"))) / length(use)
  }))
  ok <- !is.na(oobP[, 1])
  cls <- levels(d$y)[max.col(oobP[ok, ], ties.method = "first")]
  expect_equal(bag$oob_error, mean(cls != d$y[ok]), tolerance = 1e-12, info = "oob error")
  # the out-of-bag error of the first b fits is the oob error of bagging those b samples
  for (b in c(2, 5)) {
    sub <- bagging(tree, d$x, d$y, aggregate = "probability", prob = prob, samples = bag$samples$train[1:b])
    expect_equal(bag$oob_path[b], sub$oob_error, tolerance = 1e-12, info = sprintf("oob path at %d", b))
  }
  expect_equal(bag$oob_path[9], bag$oob_error, tolerance = 1e-12)
  f <- tempfile(fileext = ".png")
  png(f)
  expect_silent(plot(bag))
  dev.off()
  unlink(f)
  vote <- bagging(tree, d$x, d$y, B = 9, seed = 11)
  V <- Reduce(`+`, lapply(fits, function(f) outer(as.character(predict(f, d$df, type = "class")),
                                                   levels(d$y), `==`) * 1)) / 9
  expect_equal(unname(predict(vote, d$x, type = "prob")), unname(V), tolerance = 1e-12, info = "rpart vote")
})

test_that("a formula fit is bagged on its data frame, the same as the matrix fit", {
  d <- sim_classes()
  fm <- linear_discriminant(y ~ a + b + c, data = d$df)
  fx <- linear_discriminant(d$x, d$y)
  bf <- bagging(fm, B = 6, seed = 2, threads = 1)
  bx <- bagging(fx, B = 6, seed = 2, threads = 2)
  expect_identical(bf$samples$train, bx$samples$train)
  expect_equal(predict(bf, d$df, type = "prob"), predict(bx, d$x, type = "prob"), tolerance = 1e-10,
               info = "formula vs matrix")
  expect_equal(bf$oob_error, bx$oob_error, tolerance = 1e-12)
  expect_identical(bf$method, "linear_discriminant")
})

test_that("bagging is reproducible, plan-independent and survives saveRDS", {
  d <- sim_classes()
  fit <- linear_discriminant(d$x, d$y)
  set.seed(1)
  a <- bagging(fit, B = 5)
  set.seed(1)
  b <- bagging(fit, B = 5)
  expect_identical(a$samples$train, b$samples$train)
  r <- round_trip(a)
  expect_identical(predict(r, d$x), predict(a, d$x))
  expect_identical(predict(r, d$x, type = "prob"), predict(a, d$x, type = "prob"))
  # given samples
  c2 <- bagging(fit, samples = a$samples$train, seed = 99)
  expect_identical(predict(c2, d$x, type = "prob"), predict(a, d$x, type = "prob"))
  skip_if_not_installed("future.apply")
  skip_if_not(full_tests())
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  f <- bagging(fit, B = 5, seed = a$seed)
  expect_identical(predict(f, d$x, type = "prob"), predict(a, d$x, type = "prob"))
})

test_that("bagging and bumping give classed errors", {
  d <- sim_classes()
  lrn <- learner(function(x, y) linear_discriminant(x, y))
  expect_statlearn_error(bagging(1:3), "statlearn_error_type", "`fit`")
  expect_statlearn_error(bagging(lrn, d$x, d$y, B = 1), "statlearn_error_range", "`B`")
  expect_statlearn_error(bagging(lrn, d$x, d$y, aggregate = "median"), "statlearn_error_input", "aggregate")
  expect_statlearn_error(bagging(lrn, d$x, d$y[-1]), "statlearn_error_length", "`y`")
  expect_statlearn_error(bagging(lrn, d$x, d$y, threads = 2), "statlearn_error_unsupported", "threads")
  expect_statlearn_error(bagging(lrn, d$x, d$y, B = 3, nonsense = 1), "statlearn_error_argument", "nonsense")
  bag <- bagging(lrn, d$x, d$y, B = 3, seed = 1)
  expect_statlearn_error(predict(bag), "statlearn_error_missing", "newdata")
  expect_statlearn_error(predict(bag, d$x, type = "response"), "statlearn_error_input", "type")
  expect_statlearn_error(predict(bag, d$x, models = 5), "statlearn_error_range", "models")
  expect_statlearn_error(bumping(list()), "statlearn_error_type", "`fit`")
  expect_statlearn_error(stacking(list(lrn)), "statlearn_error_type", "fits")
  expect_statlearn_error(stacking(list(lrn, lrn), d$x, d$y, weights = "ridge"), "statlearn_error_input", "weights")
  bad <- learner(function(x, y) stop("no luck"))
  expect_statlearn_error(bagging(bad, d$x, d$y, B = 2), "statlearn_error_replicate", "no luck")
})

# nnls ---------------------------------------------------------------------------

brute_nnls <- function(x, y) {
  p <- ncol(x)
  best <- list(rss = sum(y^2), w = numeric(p))
  for (k in 1:(2^p - 1)) {
    S <- which(bitwAnd(k, 2^(0:(p - 1))) > 0)
    w <- numeric(p)
    w[S] <- qr.coef(qr(x[, S, drop = FALSE]), y)
    if (any(w < 0)) next
    rss <- sum((y - x %*% w)^2)
    if (rss < best$rss) best <- list(rss = rss, w = w)
  }
  best
}

test_that("nnls() equals a brute force over active sets and quadprog", {
  for (s in 1:20) {
    set.seed(s)
    n <- sample(8:15, 1)
    p <- sample(2:6, 1)
    x <- matrix(rnorm(n * p), n, p)
    y <- drop(x %*% rnorm(p)) + rnorm(n)
    fit <- nnls(x, y)
    ref <- brute_nnls(x, y)
    expect_equal(fit$coefficients, ref$w, tolerance = 1e-8, info = sprintf("brute force, seed %d", s))
    expect_equal(fit$deviance, ref$rss, tolerance = 1e-8, info = sprintf("rss, seed %d", s))
    expect_true(all(fit$coefficients >= 0))
  }
  skip_if_not_installed("quadprog")
  for (s in 1:10) {
    set.seed(100 + s)
    x <- matrix(rnorm(40 * 8), 40, 8)
    y <- drop(x %*% c(2, -1, 0.5, 0, -3, 1, 0, 0.2)) + rnorm(40)
    qp <- quadprog::solve.QP(crossprod(x), drop(crossprod(x, y)), diag(8), rep(0, 8))$solution
    qp[qp < 0] <- 0
    expect_equal(nnls(x, y)$coefficients, qp, tolerance = 1e-7, info = sprintf("quadprog, seed %d", s))
  }
  expect_statlearn_error(nnls(1:3, 1:3), "statlearn_error_type", "`x`")
  expect_statlearn_error(nnls(diag(3), 1:2), "statlearn_error_length", "`y`")
})

# stacking ---------------------------------------------------------------------------

test_that("stacking weights are nnls/least squares on explicit cross-validated predictions", {
  d <- sim_linear(n = 60, p = 5, seed = 5)
  fits <- list(
    full = learner(function(x, y) linear_regression(x, y)),
    two = learner(function(x, y) linear_regression(x[, 1:2], y), function(m, newx) predict(m, newx[, 1:2])),
    mean = learner(function(x, y) mean(y), function(m, newx) rep(m, nrow(newx))))
  st <- stacking(fits, d$x, d$y, folds = 5, seed = 3)
  cols <- list(1:5, 1:2, integer(0))
  cvp <- matrix(NA, 60, 3)
  for (k in seq_len(5)) {
    tr <- st$plan$train[[k]]
    te <- st$plan$test[[k]]
    for (m in 1:3) {
      if (m == 3) { cvp[te, m] <- mean(d$y[tr]); next }
      df <- data.frame(d$x[, cols[[m]], drop = FALSE], y = d$y)
      cvp[te, m] <- predict(lm(y ~ ., data = df[tr, ]), df[te, ])
    }
  }
  expect_equal(unname(st$cv_predictions), cvp, tolerance = 1e-10, info = "cv predictions vs lm loop")
  expect_equal(unname(st$weights), brute_nnls(cvp, d$y)$w, tolerance = 1e-8, info = "nnls weights")
  expect_equal(unname(st$cv_error), colMeans((d$y - cvp)^2), tolerance = 1e-10, info = "member cv errors")
  ls <- stacking(fits, d$x, d$y, folds = st$plan, weights = "least_squares")
  expect_equal(unname(ls$weights), unname(coef(lm(d$y ~ cvp - 1))), tolerance = 1e-8, info = "eq. 8.59")
  nz <- stacking(fits, d$x, d$y, folds = st$plan, weights = "normalized")
  expect_equal(sum(nz$weights), 1, tolerance = 1e-12)
  expect_equal(unname(nz$weights), unname(st$weights / sum(st$weights)), tolerance = 1e-12)
  # prediction: the weighted sum of the members fitted to all the data
  full <- cbind(fitted(lm(d$y ~ d$x)), fitted(lm(d$y ~ d$x[, 1:2])), mean(d$y))
  expect_equal(predict(st, d$x), unname(drop(full %*% st$weights)), tolerance = 1e-10, info = "predict")
  eq <- stacking(fits, d$x, d$y, folds = st$plan, weights = "equal")
  expect_equal(predict(eq, d$x), unname(rowMeans(full)), tolerance = 1e-10, info = "model averaging")
  expect_identical(predict(round_trip(st), d$x), predict(st, d$x))
})

test_that("stacking classifiers stacks their cross-validated class probabilities", {
  skip_if_not_installed("MASS")
  d <- sim_classes(n = 70, seed = 8)
  fits <- list(lda = linear_discriminant(d$x, d$y), qda = quadratic_discriminant(d$x, d$y))
  st <- stacking(fits, folds = 5, seed = 2)
  cvp <- array(NA, c(70, 2, 2))
  for (k in 1:5) {
    tr <- st$plan$train[[k]]
    te <- st$plan$test[[k]]
    cvp[te, , 1] <- predict(MASS::lda(d$x[tr, ], d$y[tr]), d$x[te, ])$posterior
    cvp[te, , 2] <- predict(MASS::qda(d$x[tr, ], d$y[tr]), d$x[te, ])$posterior
  }
  expect_equal(unname(st$cv_predictions), cvp, tolerance = 1e-8, info = "cv probabilities vs MASS")
  target <- as.double(outer(as.integer(d$y), 1:2, `==`))
  expect_equal(unname(st$weights), brute_nnls(matrix(cvp, 140, 2), target)$w, tolerance = 1e-7,
               info = "weights on stacked indicators")
  P <- st$weights[1] * predict(MASS::lda(d$x, d$y), d$x)$posterior +
    st$weights[2] * predict(MASS::qda(d$x, d$y), d$x)$posterior
  expect_equal(unname(predict(st, d$x, type = "prob")), unname(P), tolerance = 1e-8, info = "combined prob")
})

# bumping ---------------------------------------------------------------------------

test_that("bumping keeps the candidate with the smallest training error (explicit rpart loop)", {
  skip_if_not_installed("rpart")
  d <- sim_classes(n = 80, seed = 9)
  ctl <- rpart::rpart.control(maxdepth = 2, cp = 0, minsplit = 2, xval = 0)
  tree <- learner(function(x, y) rpart::rpart(y ~ ., data = data.frame(x, y = y), method = "class", control = ctl),
                  function(m, newx) predict(m, data.frame(newx), type = "class"), name = "rpart")
  bump <- bumping(tree, d$x, d$y, B = 12, seed = 21)
  rows <- c(list(seq_len(80)), bump$samples$train)
  errs <- sapply(rows, function(s) {
    f <- rpart::rpart(y ~ ., data = d$df[s, ], method = "class", control = ctl)
    mean(predict(f, d$df, type = "class") != d$y)
  })
  expect_equal(bump$training_errors, errs, tolerance = 1e-12, info = "training errors on the original data")
  expect_identical(bump$chosen, which.min(errs) - 1L)
  best <- rpart::rpart(y ~ ., data = d$df[rows[[which.min(errs)]], ], method = "class", control = ctl)
  expect_identical(as.character(predict(bump, d$x)), as.character(predict(best, d$df, type = "class")))
  expect_equal(predict(bump, data.frame(d$x), type = "prob"), predict(best, d$df, type = "prob"))
  expect_lte(min(errs), errs[1])
  expect_identical(as.character(predict(round_trip(bump), d$x)), as.character(predict(bump, d$x)))
})

test_that("bumped least squares keeps the original fit (it minimises the training error)", {
  d <- sim_linear(n = 40, p = 3, seed = 6)
  bump <- bumping(linear_regression(d$x, d$y), B = 8, seed = 1)
  expect_identical(bump$chosen, 0L)
  expect_equal(unname(coef(bump$model)), unname(coef(lm(d$y ~ d$x))), tolerance = 1e-10, info = "lm")
  expect_true(all(bump$training_errors[-1] >= bump$training_errors[1]))
})
