# Binomial and Poisson elastic nets against glmnet (thresh = 1e-14): the
# lambda sequences are identical and the coefficients agree to 1e-6 (glmnet's
# own IRLS stops short of exact convergence at about 1e-7).

sim_glm <- function(n = 250, p = 15, seed = 31) {
  set.seed(seed)
  x <- matrix(rnorm(n * p), n, p)
  x[, 2] <- 3 * x[, 2] + 2
  colnames(x) <- paste0("x", seq_len(p))
  eta <- drop(x[, 1:4] %*% c(1, -1, 0.5, 0.5))
  list(x = x, yb = rbinom(n, 1, plogis(eta)), yp = rpois(n, exp(eta / 2)))
}

test_that("binomial and poisson paths agree with glmnet", {
  skip_if_not_installed("glmnet")
  d <- sim_glm()
  for (fam in c("binomial", "poisson")) for (a in c(1, 0.5)) {
    y <- if (fam == "binomial") d$yb else d$yp
    g <- glmnet::glmnet(d$x, y, family = fam, alpha = a, thresh = 1e-14)
    f <- elastic_net(d$x, y, family = fam, alpha = a, thresh = 1e-14)
    L <- min(length(g$lambda), length(f$lambda))
    info <- paste(fam, a)
    if (fam == "binomial") expect_identical(length(f$lambda), length(g$lambda))
    expect_equal(f$lambda[1:L], g$lambda[1:L], tolerance = 1e-12, info = info)
    expect_equal(unname(f$beta[, 1:L]), unname(as.matrix(g$beta)[, 1:L]), tolerance = 1e-6, info = info)
    expect_equal(unname(f$a0[1:L]), unname(g$a0[1:L]), tolerance = 1e-6, info = info)
    expect_equal(f$dev_ratio[1:L], g$dev.ratio[1:L], tolerance = 1e-7, info = info)
  }
})

test_that("weights, offsets, penalty factors and sparse x agree with glmnet", {
  skip_if_not_installed("glmnet")
  d <- sim_glm(seed = 32)
  set.seed(1)
  w <- runif(250); off <- rnorm(250) / 3; pf <- c(0, rep(1, 14))
  g <- glmnet::glmnet(d$x, d$yb, family = "binomial", weights = w, offset = off,
                      penalty.factor = pf, thresh = 1e-14)
  f <- lasso(d$x, d$yb, family = "binomial", weights = w, offset = off, penalty_factor = pf,
             thresh = 1e-14)
  expect_equal(unname(f$beta), unname(as.matrix(g$beta)), tolerance = 1e-6)
  nx <- d$x[1:5, ]
  expect_equal(predict(f, nx, lambda = g$lambda[10], newoffset = off[1:5], type = "response"),
               drop(predict(g, nx, s = g$lambda[10], newoffset = off[1:5], type = "response")),
               tolerance = 1e-6)
  xs <- Matrix::rsparsematrix(250, 20, 0.3)
  yb <- rbinom(250, 1, plogis(as.vector(xs[, 1:3] %*% c(2, -2, 1))))
  gs <- glmnet::glmnet(xs, yb, family = "binomial", thresh = 1e-14)
  fs <- lasso(xs, yb, family = "binomial", thresh = 1e-14)
  fd <- lasso(as.matrix(xs), yb, family = "binomial", thresh = 1e-14)
  expect_equal(unname(fs$beta), unname(as.matrix(gs$beta)), tolerance = 1e-6)
  expect_equal(fs$beta, fd$beta, tolerance = 1e-8)
})

test_that("KKT conditions of the penalised binomial likelihood hold", {
  d <- sim_glm(seed = 33)
  f <- lasso(d$x, d$yb, family = "binomial", thresh = 1e-14, standardize = FALSE)
  for (l in c(10, 30, 50)) {
    prob <- plogis(f$a0[l] + d$x %*% f$beta[, l])
    g <- drop(crossprod(d$x, d$yb - prob)) / 250
    act <- f$beta[, l] != 0
    expect_equal(unname(g[act]), unname(f$lambda[l] * sign(f$beta[act, l])), tolerance = 1e-5)
    expect_true(all(abs(g[!act]) <= f$lambda[l] * (1 + 1e-5)))
    expect_equal(mean(d$yb - prob), 0, tolerance = 1e-7)
  }
})

test_that("factor responses, predict types, threads, saveRDS and cross-validation", {
  d <- sim_glm(seed = 34)
  yf <- factor(ifelse(d$yb == 1, "case", "control"), levels = c("control", "case"))
  f <- lasso(d$x, yf, family = "binomial")
  expect_identical(f$classes, c("control", "case"))
  cls <- predict(f, d$x[1:6, ], lambda = 0.02, type = "class")
  expect_s3_class(cls, "factor")
  expect_identical(levels(cls), c("control", "case"))
  pr <- predict(f, d$x[1:6, ], lambda = 0.02, type = "response")
  expect_identical(as.character(cls), ifelse(pr > 0.5, "case", "control"))
  f1 <- lasso(d$x, yf, family = "binomial", threads = 1)
  f2 <- lasso(d$x, yf, family = "binomial", threads = 2)
  expect_identical(f1$beta, f2$beta)
  g <- round_trip(f)
  expect_identical(predict(g, d$x, lambda = 0.02), predict(f, d$x, lambda = 0.02))
  for (m in c("deviance", "class", "auc")) {
    set.seed(5); cv1 <- cross_validate(f, folds = 5, measure = m, threads = 1)
    set.seed(5); cv2 <- cross_validate(f, folds = 5, measure = m, threads = 2)
    expect_identical(cv1$cvm, cv2$cvm, info = m)
  }
  expect_true(all(cv1$cvm > 0.5 & cv1$cvm <= 1, na.rm = TRUE))  # AUC
})

test_that("cross-validated deviance and AUC agree with cv.glmnet on the same folds", {
  skip_if_not_installed("glmnet")
  d <- sim_glm(seed = 35)
  set.seed(6); foldid <- sample(rep(1:5, length.out = 250))
  f <- lasso(d$x, d$yb, family = "binomial", thresh = 1e-14)
  for (m in c("deviance", "class", "auc")) {
    cv <- cross_validate(f, foldid = foldid, measure = m)
    g <- glmnet::cv.glmnet(d$x, d$yb, family = "binomial", foldid = foldid, lambda = f$lambda,
                           type.measure = m, thresh = 1e-14)
    expect_equal(cv$cvm, g$cvm, tolerance = 1e-5, info = m)
    expect_equal(cv$cvsd, g$cvsd, tolerance = 1e-4, info = m)
    expect_equal(c(cv$tuning_min, cv$tuning_1se), c(g$lambda.min, g$lambda.1se), info = m)
  }
  # Poisson, by deviance and mse
  f <- lasso(d$x, d$yp, family = "poisson", thresh = 1e-14)
  for (m in c("deviance", "mse")) {
    cv <- cross_validate(f, foldid = foldid, measure = m)
    g <- glmnet::cv.glmnet(d$x, d$yp, family = "poisson", foldid = foldid, lambda = f$lambda,
                           type.measure = m, thresh = 1e-14)
    expect_equal(cv$cvm, g$cvm, tolerance = 1e-5, info = paste("poisson", m))
    expect_equal(cv$cvsd, g$cvsd, tolerance = 1e-4, info = paste("poisson", m))
    expect_equal(c(cv$tuning_min, cv$tuning_1se), c(g$lambda.min, g$lambda.1se), info = paste("poisson", m))
  }
})

test_that("GLM bad input gives classed errors", {
  d <- sim_glm(n = 60, seed = 36)
  expect_error(lasso(d$x, rep(1:3, 20), family = "binomial"), class = "statlearn_error_classes")
  expect_error(lasso(d$x, -d$yp, family = "poisson"), class = "statlearn_error_range")
  expect_error(lasso(d$x, d$yb, family = "binomial", offset = 1:3), class = "statlearn_error_length")
  expect_error(lasso(d$x, d$yb + 0.5, offset = rep(0, 60)), class = "statlearn_error_unsupported")
  f <- lasso(d$x, d$yp, family = "poisson")
  expect_error(predict(f, d$x, type = "class"), class = "statlearn_error_range")
  expect_error(cross_validate(f, measure = "auc"), class = "statlearn_error_range")
})

test_that("classification folds are stratified; folds that cannot be fitted or scored are named", {
  set.seed(71)
  n <- 120
  x <- matrix(rnorm(n * 4), n, 4)
  y <- rep(0:1, c(108, 12))
  f <- lasso(x, y, family = "binomial")
  set.seed(1)
  cv <- cross_validate(f, folds = 10)
  # Each class spread evenly: 12 events over 10 folds is 1 or 2 per fold.
  events <- tapply(y, cv$foldid, sum)
  expect_true(all(events %in% 1:2))
  expect_true(all(table(cv$foldid) %in% 12L))
  expect_true(all(is.finite(cv$cvm)))
  # The same out-of-fold deviance by hand, refitting each training part on the
  # full fit's lambdas.
  fold_dev <- t(vapply(1:10, function(k) {
    tr <- cv$foldid != k
    fk <- lasso(x[tr, ], y[tr], family = "binomial", lambda = f$lambda)
    p <- pmin(pmax(predict(fk, x[!tr, ], lambda = f$lambda, type = "response"), 1e-5), 1 - 1e-5)
    colMeans(-2 * (y[!tr] * log(p) + (1 - y[!tr]) * log(1 - p)))
  }, numeric(length(f$lambda))))
  expect_equal(cv$cvm, unname(colMeans(fold_dev)), tolerance = 1e-6)
  # A class with a single observation: no fold holding it can be fitted.
  y1 <- c(1, rep(0, n - 1))
  f1 <- lasso(x, y1, family = "binomial")
  expect_error(cross_validate(f1, folds = 5), class = "statlearn_error_cv_fold",
               regexp = "single observation")
  # User folds that put every event in one fold.
  fid <- rep(1:4, each = 30)
  fid[y == 1] <- 4
  fid[which(y == 0)[1:12]] <- 1
  expect_error(cross_validate(f, foldid = fid), class = "statlearn_error_cv_fold", regexp = "Fold 4")
  # AUC with a test part of one class: left out with a warning, not NA.
  fid2 <- rep(1:4, length.out = n)
  fid2[y == 1] <- rep(1:3, 4)
  expect_warning(cva <- cross_validate(f, foldid = fid2, measure = "auc"),
                 class = "statlearn_warning_cv_fold")
  expect_true(all(is.finite(cva$cvm)))
  expect_true(is.numeric(coef(cva)))
  # A fold whose weights are all zero.
  w <- rep(1, n)
  w[fid2 == 2] <- 0
  fw <- lasso(x, y, family = "binomial", weights = w)
  expect_warning(cvw <- cross_validate(fw, foldid = fid2), class = "statlearn_warning_cv_fold")
  expect_true(all(is.finite(cvw$cvm)))
})

test_that("Poisson cross-validation by deviance, mse and mae equals manual refits", {
  d <- sim_glm(seed = 35)
  f <- lasso(d$x, d$yp, family = "poisson")
  set.seed(3)
  fid <- sample(rep(1:4, length.out = nrow(d$x)))
  mu <- matrix(NA_real_, nrow(d$x), length(f$lambda))
  for (k in 1:4) {
    tr <- fid != k
    fk <- lasso(d$x[tr, ], d$yp[tr], family = "poisson", lambda = f$lambda)
    mu[!tr, ] <- predict(fk, d$x[!tr, ], lambda = f$lambda, type = "response")
  }
  y <- d$yp
  # deviance as twice the log-likelihood ratio of the saturated model
  losses <- list(deviance = 2 * (stats::dpois(y, y, log = TRUE) - stats::dpois(y, mu, log = TRUE)),
                 mse = (y - mu)^2, mae = abs(y - mu))
  for (m in names(losses)) {
    cv <- cross_validate(f, foldid = fid, measure = m)
    fold <- apply(losses[[m]], 2, function(l) tapply(l, fid, mean))
    expect_equal(cv$cvm, unname(colMeans(fold * tabulate(fid)) / mean(tabulate(fid))), tolerance = 1e-6,
                 info = m)
  }
})

test_that("a Poisson offset of 800 shifts the intercept only, and agrees with glmnet at offset 0", {
  skip_if_not_installed("glmnet")
  d <- sim_glm(seed = 34)
  set.seed(2)
  off <- rnorm(250) / 4
  g <- glmnet::glmnet(d$x, d$yp, family = "poisson", offset = off, thresh = 1e-14)
  f <- lasso(d$x, d$yp, family = "poisson", offset = off + 800, thresh = 1e-14)
  L <- min(length(g$lambda), length(f$lambda))
  expect_gt(L, 20)
  expect_true(all(is.finite(f$beta)) && all(is.finite(f$a0)))
  expect_equal(f$lambda[1:L], g$lambda[1:L], tolerance = 1e-10)
  expect_equal(unname(f$beta[, 1:L]), unname(as.matrix(g$beta)[, 1:L]), tolerance = 1e-6)
  expect_equal(unname(f$a0[1:L]) + 800, unname(g$a0[1:L]), tolerance = 1e-6)
  expect_equal(predict(f, d$x[1:5, ], lambda = g$lambda[10], newoffset = off[1:5] + 800, type = "response"),
               drop(predict(g, d$x[1:5, ], s = g$lambda[10], newoffset = off[1:5], type = "response")),
               tolerance = 1e-6)
  expect_error(lasso(d$x, d$yp, family = "poisson", offset = off + 800, intercept = FALSE),
               class = "statlearn_error_range", regexp = "offset")
})

test_that("the binomial path is bit-identical for 1 and 2 threads (two-thread coordinate descent)", {
  set.seed(37)
  n <- 4000; p <- 60  # n large enough for the row team's helper thread
  x <- matrix(rnorm(n * p), n, p)
  y <- rbinom(n, 1, plogis(drop(x[, 1:5] %*% c(1, -1, 0.5, 0.5, -0.5))))
  f1 <- lasso(x, y, family = "binomial", threads = 1)
  f2 <- lasso(x, y, family = "binomial", threads = 2)
  expect_identical(f2$beta, f1$beta)
  expect_identical(f2$a0, f1$a0)
  expect_identical(f2$lambda, f1$lambda)
  skip_if_not_installed("glmnet")
  g <- glmnet::glmnet(x, y, family = "binomial", lambda = f1$lambda, thresh = 1e-14)
  f3 <- lasso(x, y, family = "binomial", lambda = f1$lambda, thresh = 1e-14, threads = 2)
  expect_equal(unname(f3$beta), unname(as.matrix(g$beta)), tolerance = 1e-6)
})
