# The resampling core (R/resampling.R): plans, learners, cross-validation of
# learners, bootstrap error estimates and execution through future.

vowel_x <- as.matrix(vowel_train[, -1])
vowel_y <- vowel_train$y

lda_learner <- learner(function(x, y) linear_discriminant(x, y, threads = 1), name = "LDA")

# A small regression set.
reg <- sim_linear(n = 60, p = 4, nonzero = 2, seed = 3)
ls_learner <- learner(function(x, y) stats::lm.fit(cbind(1, x), y)$coefficients,
                      function(model, newx) drop(cbind(1, newx) %*% model), name = "least squares")

# A learner that draws random numbers: random 5-input subspaces for LDA.
random_learner <- learner(
  function(x, y) {
    j <- sample(ncol(x), 5)
    list(fit = linear_discriminant(x[, j], y, threads = 1), j = j)
  },
  function(model, newx) predict(model$fit, newx[, model$j]), name = "random subspace LDA")

test_that("resampling_plan() draws reproducible, stratified K folds as check_foldid() does", {
  set.seed(11)
  p1 <- resampling_plan(vowel_y, "kfold", folds = 5)
  set.seed(11)
  p2 <- resampling_plan(vowel_y, "kfold", folds = 5)
  expect_identical(p1, p2)
  set.seed(11)
  expect_identical(p1$foldid[, 1], statlearn:::check_foldid(NULL, 5, length(vowel_y), strata = vowel_y)$foldid)
  expect_true(p1$stratified)
  expect_equal(p1$splits, 5L)
  # every class spread as evenly as it can be: counts differ by at most one per fold
  tab <- table(p1$foldid[, 1], vowel_y)
  expect_true(all(apply(tab, 2L, function(v) diff(range(v))) <= 1L))
  expect_true(diff(range(table(p1$foldid[, 1]))) <= 1L)
  # test and training parts partition the rows
  for (s in seq_len(p1$splits)) {
    expect_identical(sort(c(p1$train[[s]], p1$test[[s]])), seq_along(vowel_y))
  }
  # without strata (a number, or strata = FALSE) the plain draw
  set.seed(11)
  p3 <- resampling_plan(100, "kfold", folds = 4)
  set.seed(11)
  expect_identical(p3$foldid[, 1], sample(rep(1:4, length.out = 100)))
  expect_false(resampling_plan(vowel_y, strata = FALSE)$stratified)
  expect_output(print(p1), "5-fold cross-validation of 528 observations \\(stratified\\)")
})

test_that("repeated K-fold, leave-one-out, Monte Carlo and bootstrap plans have the right parts", {
  set.seed(2)
  r <- resampling_plan(vowel_y, "repeated_kfold", folds = 4, repeats = 3)
  expect_equal(dim(r$foldid), c(528L, 3L))
  expect_equal(r$splits, 12L)
  expect_identical(r$labels[6], "repeat 2, fold 2")
  expect_false(identical(r$foldid[, 1], r$foldid[, 2]))
  l <- resampling_plan(7, "loo")
  expect_identical(l$test, as.list(1:7))
  expect_equal(l$splits, 7L)
  set.seed(3)
  m <- resampling_plan(vowel_y, "monte_carlo", repeats = 4, test_fraction = 0.25)
  expect_equal(lengths(m$test), rep(132L, 4))  # 12 of each of the 11 classes
  expect_true(all(table(vowel_y[m$test[[1]]]) == 12L))
  set.seed(4)
  b <- resampling_plan(50, "bootstrap", B = 5)
  set.seed(4)
  expect_identical(b$train, lapply(1:5, function(i) sample.int(50, 50, replace = TRUE)))
  expect_identical(b$test[[2]], setdiff(1:50, b$train[[2]]))
})

test_that("resampling_plan() rejects nonsense", {
  expect_statlearn_error(resampling_plan(10, "kfold", folds = 11), "statlearn_error_range", "folds")
  expect_statlearn_error(resampling_plan(10, "kfold", folds = 1), "statlearn_error_range", "folds")
  expect_statlearn_error(resampling_plan(10, "bootstrap", B = 0), "statlearn_error_range", "B")
  expect_statlearn_error(resampling_plan(10, "bootstrap", B = 2.5), "statlearn_error_type", "B")
  expect_statlearn_error(resampling_plan(10, "monte_carlo", test_fraction = 1), "statlearn_error_range",
                         "test_fraction")
  expect_statlearn_error(resampling_plan(10, "jackknife"), "statlearn_error_range", "method")
  expect_statlearn_error(resampling_plan(10, strata = 1:3), "statlearn_error_length", "strata")
  expect_statlearn_error(resampling_plan(matrix(1:4, 2)), "statlearn_error_type", "y")
})

test_that("cross_validate() of a learner equals an explicit loop of refits on the same folds", {
  set.seed(21)
  cv <- cross_validate(lda_learner, vowel_x, vowel_y, folds = 5)
  set.seed(21)
  foldid <- resampling_plan(vowel_y, "kfold", folds = 5)$foldid[, 1]
  expect_identical(cv$foldid, foldid)
  err <- vapply(1:5, function(k) {
    f <- MASS::lda(vowel_x[foldid != k, ], vowel_y[foldid != k])
    mean(predict(f, vowel_x[foldid == k, ])$class != vowel_y[foldid == k])
  }, numeric(1))
  size <- as.vector(table(foldid))
  expect_equal(cv$cvm, sum(err * size) / 528, tolerance = 1e-12, info = "CV error vs MASS::lda loop")
  expect_equal(drop(cv$fold_errors), err, tolerance = 1e-12)
  expect_equal(cv$cvsd, sqrt(sum((err - cv$cvm)^2 * size) / 528 / 4), tolerance = 1e-12)
  expect_s3_class(cv, "statlearn_cv")
  expect_output(print(cv), "5-fold cross-validation of LDA")
  # by name, and with foldid: the same
  cv2 <- cross_validate(lda_learner, x = vowel_x, y = vowel_y, foldid = foldid)
  expect_identical(cv2$cvm, cv$cvm)
  # a package fit is refitted from its call, by formula or by matrix
  fit <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
  expect_equal(cross_validate(fit, foldid = foldid)$cvm, cv$cvm, tolerance = 1e-12)
  expect_equal(cross_validate(learner(linear_discriminant), vowel_x, vowel_y, foldid = foldid)$cvm,
               cv$cvm, tolerance = 1e-12)
  # regression: squared error, against lm() refits
  set.seed(5)
  cvr <- cross_validate(ls_learner, reg$x, reg$y, folds = 6)
  fid <- cvr$foldid
  mse <- mean(unlist(lapply(1:6, function(k) {
    d <- data.frame(y = reg$y, reg$x)
    (reg$y[fid == k] - predict(lm(y ~ ., d[fid != k, ]), d[fid == k, ]))^2
  })))
  expect_equal(cvr$cvm, mse, tolerance = 1e-10)
  expect_identical(cvr$measure, "mse")
})

test_that("a tuning grid gives the minimum and one-standard-error choices", {
  rr <- learner(fit = function(x, y, dimension) list(fit = linear_discriminant(x, y, threads = 1),
                                                      dimension = dimension),
                predict = function(model, newx) predict(model$fit, newx, dimension = model$dimension))
  set.seed(8)
  cv <- cross_validate(rr, vowel_x, vowel_y, folds = 5, grid = data.frame(dimension = 1:6),
                       complexity = "dimension")
  fid <- cv$foldid
  err <- sapply(1:6, function(L) sapply(1:5, function(k) {
    f <- MASS::lda(vowel_x[fid != k, ], vowel_y[fid != k])
    mean(predict(f, vowel_x[fid == k, ], dimen = L)$class != vowel_y[fid == k])
  }))
  size <- as.vector(table(fid))
  cvm <- colSums(err * size) / 528
  cvsd <- sqrt(colSums(sweep(err, 2, cvm)^2 * size) / 528 / 4)
  expect_equal(cv$cvm, cvm, tolerance = 1e-12)
  expect_equal(cv$index_min, which.min(cvm))
  expect_equal(cv$index_1se, min(which(cvm <= cvm[which.min(cvm)] + cvsd[which.min(cvm)])))
  expect_identical(cv$grid_1se$dimension, cv$tuning_1se)
  expect_output(print(cv), "1se")
  expect_output(print(summary(cv)), "dimension")
  f <- tempfile(fileext = ".png")
  grDevices::png(f)
  expect_silent(plot(cv))
  grDevices::dev.off()
  unlink(f)
  expect_statlearn_error(coef(cv), "statlearn_error_unsupported")
  expect_statlearn_error(cross_validate(rr, vowel_x, vowel_y, grid = 1:3), "statlearn_error_type", "grid")
  expect_statlearn_error(cross_validate(rr, vowel_x, vowel_y, grid = data.frame(dimension = 1:3),
                                        complexity = 1:2), "statlearn_error_length", "complexity")
})

test_that("repeated K-fold and Monte Carlo plans cross-validate", {
  set.seed(9)
  plan <- resampling_plan(reg$y, "repeated_kfold", folds = 5, repeats = 2)
  cv <- cross_validate(ls_learner, reg$x, reg$y, folds = plan)
  err <- vapply(seq_len(plan$splits), function(s) {
    tr <- plan$train[[s]]; te <- plan$test[[s]]
    b <- stats::lm.fit(cbind(1, reg$x[tr, ]), reg$y[tr])$coefficients
    mean((reg$y[te] - cbind(1, reg$x[te, ]) %*% b)^2)
  }, numeric(1))
  expect_equal(cv$cvm, mean(err), tolerance = 1e-12)  # equal fold sizes
  expect_output(print(cv), "2 x repeated 5-fold")
  mc <- cross_validate(ls_learner, reg$x, reg$y, folds = resampling_plan(60, "monte_carlo", repeats = 3))
  expect_equal(nrow(mc$fold_errors), 3L)
})

# The .632 family by hand on given bootstrap samples (ESL 7.56-7.60).
bootstrap_by_hand <- function(x, y, samples, fit_predict, classification) {
  n <- length(y)
  L <- matrix(NA_real_, n, length(samples))
  for (b in seq_along(samples)) {
    out <- setdiff(seq_len(n), samples[[b]])
    pred <- fit_predict(samples[[b]], out)
    L[out, b] <- if (classification) as.numeric(as.character(pred) != as.character(y[out]))
                 else (y[out] - pred)^2
  }
  err1 <- mean(rowMeans(L, na.rm = TRUE), na.rm = TRUE)
  full <- fit_predict(seq_len(n), seq_len(n))
  err <- if (classification) mean(as.character(full) != as.character(y)) else mean((y - full)^2)
  gamma <- if (classification) mean(outer(as.character(y), as.character(full), "!="))
           else mean(outer(y, full, "-")^2)
  R <- if (err1 > err && gamma > err) (min(err1, gamma) - err) / (gamma - err) else 0
  w <- 0.632 / (1 - 0.368 * R)
  c(loo = err1, ".632" = 0.368 * err + 0.632 * err1, ".632+" = (1 - w) * err + w * min(err1, gamma))
}

test_that("bootstrap_error() equals the .632 formulas by hand on the same samples, and ipred", {
  set.seed(31)
  be <- bootstrap_error(lda_learner, vowel_x, vowel_y, B = 25)
  samples <- be$plan$train
  hand <- bootstrap_by_hand(vowel_x, vowel_y, samples, function(tr, te) {
    predict(MASS::lda(vowel_x[tr, ], vowel_y[tr]), vowel_x[te, ])$class
  }, TRUE)
  expect_equal(be$estimates, hand, tolerance = 1e-12, info = "classification, by hand")
  expect_identical(be$estimate, be$estimates[[".632+"]])
  # the same draws as set.seed() then resampling_plan()
  set.seed(31)
  expect_identical(resampling_plan(528, "bootstrap", B = 25)$train, samples)
  # samples given as a list, and the other estimators
  be2 <- bootstrap_error(lda_learner, vowel_x, vowel_y, samples = samples, estimator = "loo")
  expect_identical(be2$estimates, be$estimates)
  expect_identical(be2$estimate, hand[["loo"]])
  expect_output(print(be), ".632+")
  # a package fit, refitted from its call (formula) gives the same
  fit <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
  expect_equal(bootstrap_error(fit, samples = samples)$estimates, hand, tolerance = 1e-12)
  # regression with squared error
  set.seed(32)
  br <- bootstrap_error(ls_learner, reg$x, reg$y, B = 20)
  hand_r <- bootstrap_by_hand(reg$x, reg$y, br$plan$train, function(tr, te) {
    d <- data.frame(y = reg$y, reg$x)
    predict(lm(y ~ ., d[tr, ]), d[te, ])
  }, FALSE)
  expect_equal(br$estimates, hand_r, tolerance = 1e-10, info = "regression, by hand")
  skip_if_not_installed("ipred")
  skip_if_not_installed("MASS")
  pr <- function(object, newdata) predict(object, newdata)$class
  ip <- ipred::errorest(y ~ ., data = vowel_train, model = MASS::lda, predict = pr, estimator = "632plus",
                        est.para = ipred::control.errorest(list.tindx = samples))
  expect_equal(be$estimates[[".632+"]], ip$error, tolerance = 1e-12, info = "ipred .632+")
  ib <- ipred::errorest(y ~ ., data = vowel_train, model = MASS::lda, predict = pr, estimator = "boot",
                        est.para = ipred::control.errorest(list.tindx = samples))
  expect_equal(be$estimates[["loo"]], ib$error, tolerance = 1e-12, info = "ipred leave-one-out bootstrap")
})

test_that("bootstrap_error() rejects nonsense B, estimator and samples", {
  expect_statlearn_error(bootstrap_error(lda_learner, vowel_x, vowel_y, B = 1), "statlearn_error_range", "B")
  expect_statlearn_error(bootstrap_error(lda_learner, vowel_x, vowel_y, B = "a"), "statlearn_error_type", "B")
  expect_statlearn_error(bootstrap_error(lda_learner, vowel_x, vowel_y, estimator = ".5"),
                         "statlearn_error_range", "estimator")
  expect_statlearn_error(bootstrap_error(lda_learner, vowel_x, vowel_y, samples = list(1:3, 0:2)),
                         "statlearn_error_type", "samples")
  expect_statlearn_error(bootstrap_error(lda_learner, vowel_x, vowel_y,
                                         samples = resampling_plan(528, "kfold", folds = 3)),
                         "statlearn_error_range", "samples")
  expect_statlearn_error(bootstrap_error(lda_learner, vowel_x, vowel_y[-1]), "statlearn_error_length", "y")
  expect_statlearn_error(bootstrap_error(lda_learner, vowel_x), "statlearn_error_missing", "y")
  expect_statlearn_error(bootstrap_error("lda", vowel_x, vowel_y), "statlearn_error_type", "fit")
  expect_statlearn_error(learner("lda"), "statlearn_error_type", "fit")
  expect_statlearn_error(learner(identity, predict = 3), "statlearn_error_type", "predict")
})

test_that("bad folds and a failing replicate give classed errors naming the fold", {
  expect_statlearn_error(cross_validate(lda_learner, vowel_x, vowel_y, folds = 529), "statlearn_error_range",
                         "folds")
  # a class held by one fold only: its training part misses that class
  y <- factor(c(rep("a", 20), rep("b", 3)))
  x <- matrix(rnorm(46), 23)
  fid <- c(rep(1:3, length.out = 20), 2, 2, 2)
  expect_statlearn_error(cross_validate(lda_learner, x, y, foldid = fid), "statlearn_error_cv_fold",
                         "fold 2.*'b'")
  # the learner fails on the smallest training part only: that of fold 3
  picky <- learner(function(x, y) {
    if (nrow(x) < 420) stop("cannot fit this part")
    linear_discriminant(x, y, threads = 1)
  })
  fid <- rep(1:5, length.out = 528)
  fid[fid == 1][1:5] <- 3  # fold 3 holds 111 observations, its training part 417
  err <- tryCatch(cross_validate(picky, vowel_x, vowel_y, foldid = fid), error = identity)
  expect_s3_class(err, "statlearn_error_replicate")
  expect_match(conditionMessage(err), "fold 3.*cannot fit this part")
  expect_identical(err$label, "fold 3")
  bad_predict <- learner(function(x, y) 0, function(model, newx) matrix(0, nrow(newx), 2))
  expect_statlearn_error(cross_validate(bad_predict, vowel_x, vowel_y, folds = 3),
                         "statlearn_error_replicate", "fold 1.*one prediction per row")
})

test_that("a learner's randomness is reproducible from set.seed() and leaves R's RNG kind alone", {
  kind <- RNGkind()
  set.seed(41)
  a <- bootstrap_error(random_learner, vowel_x, vowel_y, B = 10)
  after_a <- runif(1)
  set.seed(41)
  b <- bootstrap_error(random_learner, vowel_x, vowel_y, B = 10)
  after_b <- runif(1)
  expect_identical(a$estimates, b$estimates)
  expect_identical(after_a, after_b)
  expect_identical(RNGkind(), kind)
  set.seed(42)
  expect_false(identical(bootstrap_error(random_learner, vowel_x, vowel_y, B = 10)$estimates, a$estimates))
})

test_that("results are identical under sequential, multisession and cluster plans", {
  local_future_plans()
  run <- function() {
    set.seed(51)
    be <- bootstrap_error(random_learner, vowel_x, vowel_y, B = 12)
    set.seed(52)
    cv <- cross_validate(random_learner, vowel_x, vowel_y, folds = 4)
    list(be = be$estimates, obs = be$observation_errors, cv = cv$cvm, fold = cv$fold_errors)
  }
  future::plan(future::sequential)
  ref <- run()
  future::plan(future::multisession, workers = 2)
  expect_identical(run(), ref)
  options(statlearn.future_chunk_size = 1)  # one future per replicate
  on.exit(options(statlearn.future_chunk_size = NULL), add = TRUE)
  expect_identical(run(), ref)
  options(statlearn.future_chunk_size = NULL)
  # a failing replicate on a worker still names its fold
  marker <- vowel_x[1, 1]
  picky <- learner(function(x, y) {
    if (!any(x[, 1] == marker)) stop("observation 1 is missing")
    linear_discriminant(x, y, threads = 1)
  })
  set.seed(53)
  err <- tryCatch(cross_validate(picky, vowel_x, vowel_y, folds = 4), error = identity)
  expect_s3_class(err, "statlearn_error_replicate")
  expect_match(conditionMessage(err), "fold [1-4].*observation 1 is missing")
  future::plan(future::sequential)
  cl <- tryCatch(future::plan(future::cluster, workers = c("localhost", "localhost")), error = function(e) NULL)
  if (is.null(cl)) skip("a localhost cluster cannot start here")
  expect_identical(run(), ref)
})

test_that("package fits without a cross-validation of their own are refitted from their call", {
  d <- data.frame(y = reg$y, reg$x)
  lr <- linear_regression(y ~ ., data = d)
  set.seed(61)
  cv <- cross_validate(lr, folds = 5)
  fid <- cv$foldid
  mse <- mean(unlist(lapply(1:5, function(k) {
    (d$y[fid == k] - predict(lm(y ~ ., d[fid != k, ]), d[fid == k, ]))^2
  })))
  expect_equal(cv$cvm, mse, tolerance = 1e-10, info = "linear_regression by formula vs lm loop")
  lx <- linear_regression(reg$x, reg$y)
  expect_equal(cross_validate(lx, foldid = fid)$cvm, mse, tolerance = 1e-10, info = "by matrix")
  # a classifier by formula: logistic regression on two vowel classes
  two <- droplevels(subset(vowel_train, y %in% c("1", "2")))
  lg <- logistic_regression(y ~ x.1 + x.2, data = two)
  set.seed(62)
  be <- bootstrap_error(lg, B = 15)
  hand <- bootstrap_by_hand(NULL, two$y, be$plan$train, function(tr, te) {
    g <- glm(y ~ x.1 + x.2, family = binomial, data = two[tr, ])
    factor(ifelse(predict(g, two[te, ]) > 0, "2", "1"), levels = c("1", "2"))
  }, TRUE)
  expect_equal(be$estimates, hand, tolerance = 1e-12, info = "logistic regression vs glm by hand")
  expect_identical(be$method, "logistic_regression")
  # a classifier fitted to a numeric 0/1 response is resampled as a
  # classifier (misclassification of its predicted classes), as glm by hand
  set.seed(63)
  x01 <- matrix(rnorm(300 * 3), 300)
  y01 <- rbinom(300, 1, plogis(x01[, 1] - x01[, 2]))
  lg01 <- logistic_regression(x01, y01)
  cv01 <- cross_validate(lg01, folds = 5)
  expect_identical(cv01$measure, "class")
  g_err <- unlist(lapply(1:5, function(k) {
    tr <- cv01$foldid != k
    g <- glm.fit(cbind(1, x01[tr, ]), y01[tr], family = binomial())
    (drop(cbind(1, x01[!tr, ]) %*% g$coefficients) > 0) != (y01[!tr] == 1)
  }))
  expect_equal(cv01$cvm, mean(g_err), tolerance = 1e-12)
  # what cannot be resampled with the rows is refused
  sub <- linear_regression(y ~ ., data = d, subset = 1:50)
  expect_statlearn_error(cross_validate(sub), "statlearn_error_unsupported", "subset")
  expect_statlearn_error(bootstrap_error(sub), "statlearn_error_unsupported", "subset")
})
