# Multinomial elastic net against glmnet (thresh = 1e-14), ungrouped and grouped.

sim_multi <- function(n = 240, p = 10, K = 3, seed = 41) {
  set.seed(seed)
  x <- matrix(rnorm(n * p), n, p)
  x[, 2] <- 2 * x[, 2] + 1
  colnames(x) <- paste0("x", seq_len(p))
  B <- matrix(rnorm(4 * K), 4, K)
  eta <- x[, 1:4] %*% B
  pr <- exp(eta) / rowSums(exp(eta))
  y <- factor(apply(pr, 1, function(q) sample(K, 1, prob = q)), labels = letters[seq_len(K)])
  list(x = x, y = y)
}

test_that("multinomial paths agree with glmnet, ungrouped and grouped", {
  skip_if_not_installed("glmnet")
  d <- sim_multi()
  for (tm in c("ungrouped", "grouped")) for (a in c(1, 0.5)) {
    info <- paste(tm, a)
    # glmnet's grouped solver can stop early at this threshold (it warns that
    # it reached maxit); compare the lambdas it did solve.
    g <- suppressWarnings(glmnet::glmnet(d$x, d$y, family = "multinomial", alpha = a, thresh = 1e-14,
                                         type.multinomial = tm))
    f <- elastic_net(d$x, d$y, family = "multinomial", alpha = a, thresh = 1e-14,
                     type_multinomial = tm, maxit = 1e6)
    if (tm == "ungrouped") expect_identical(length(f$lambda), length(g$lambda), info = info)
    L <- seq_len(min(length(f$lambda), length(g$lambda)))
    expect_gt(length(L), 40)
    expect_equal(f$lambda[L], g$lambda[L], tolerance = 1e-12, info = info)
    for (k in 1:3) {
      expect_equal(unname(f$beta[, k, L]), unname(as.matrix(g$beta[[k]])[, L]), tolerance = 1e-6, info = info)
    }
    expect_equal(unname(f$a0[, L]), unname(g$a0[, L]), tolerance = 1e-6, info = info)
    expect_equal(f$dev_ratio[L], g$dev.ratio[L], tolerance = 1e-7, info = info)
  }
})

test_that("multinomial predictions, coefficients, threads, saveRDS and CV", {
  d <- sim_multi(seed = 42)
  f <- lasso(d$x, d$y, family = "multinomial")
  pr <- predict(f, d$x[1:5, ], lambda = 0.02, type = "prob")
  expect_equal(unname(rowSums(pr)), rep(1, 5), tolerance = 1e-12)
  cls <- predict(f, d$x[1:5, ], lambda = 0.02)
  expect_identical(levels(cls), c("a", "b", "c"))
  expect_identical(as.character(cls), colnames(pr)[max.col(pr)])
  cf <- coef(f, lambda = 0.02)
  expect_named(cf, c("a", "b", "c"))
  expect_length(cf$a, 11)
  f2 <- lasso(d$x, d$y, family = "multinomial", threads = 2)
  f1 <- lasso(d$x, d$y, family = "multinomial", threads = 1)
  expect_identical(f1$beta, f2$beta)
  g <- round_trip(f)
  expect_identical(predict(g, d$x, lambda = 0.02, type = "prob"), predict(f, d$x, lambda = 0.02, type = "prob"))
  set.seed(7); cv1 <- cross_validate(f1, folds = 4, threads = 1)
  set.seed(7); cv2 <- cross_validate(f1, folds = 4, threads = 2)
  expect_identical(cv1$cvm, cv2$cvm)
  expect_identical(cv1$measure, "deviance")
  expect_named(coef(cv1), c("a", "b", "c"))
})

test_that("multinomial CV agrees with cv.glmnet on the same folds", {
  skip_if_not_installed("glmnet")
  d <- sim_multi(seed = 43)
  set.seed(8); foldid <- sample(rep(1:5, length.out = 240))
  f <- lasso(d$x, d$y, family = "multinomial", thresh = 1e-14)
  for (m in c("deviance", "class")) {
    cv <- cross_validate(f, foldid = foldid, measure = m)
    g <- glmnet::cv.glmnet(d$x, d$y, family = "multinomial", foldid = foldid, lambda = f$lambda,
                           type.measure = m, thresh = 1e-14)
    expect_equal(cv$cvm, g$cvm, tolerance = 1e-5, info = m)
    expect_equal(cv$cvsd, g$cvsd, tolerance = 1e-4, info = m)
    expect_equal(c(cv$tuning_min, cv$tuning_1se), c(g$lambda.min, g$lambda.1se), info = m)
  }
})

test_that("multinomial bad input", {
  d <- sim_multi(n = 60, seed = 44)
  expect_error(lasso(d$x, rep("a", 60), family = "multinomial"), class = "statlearn_error_classes")
  expect_error(lasso(d$x, d$y, family = "multinomial", offset = rep(0, 60)),
               class = "statlearn_error_unsupported")
  expect_error(lasso(d$x, d$y, family = "multinomial", type_multinomial = "both"),
               class = "statlearn_error_range")
})

test_that("sparse x gives the dense answer for multinomial and poisson fits", {
  set.seed(45)
  xs <- Matrix::rsparsematrix(200, 12, 0.3)
  eta <- as.matrix(xs[, 1:3] %*% matrix(c(2, -1, 0, 1, 1, -2, 0, 0, 1), 3))
  pr <- exp(eta) / rowSums(exp(eta))
  y <- factor(apply(pr, 1, function(q) sample(3, 1, prob = q)))
  for (tm in c("ungrouped", "grouped")) {
    fs <- lasso(xs, y, family = "multinomial", type_multinomial = tm, thresh = 1e-12)
    fd <- lasso(as.matrix(xs), y, family = "multinomial", type_multinomial = tm, thresh = 1e-12)
    expect_equal(fs$beta, fd$beta, tolerance = 1e-7, info = tm)
    expect_equal(fs$a0, fd$a0, tolerance = 1e-7, info = tm)
  }
  yp <- rpois(200, exp(as.vector(xs[, 1] - xs[, 2])))
  fs <- lasso(xs, yp, family = "poisson", thresh = 1e-12)
  fd <- lasso(as.matrix(xs), yp, family = "poisson", thresh = 1e-12)
  expect_equal(fs$beta, fd$beta, tolerance = 1e-7)
})

test_that("summary and print of a multinomial path count a variable once across classes", {
  d <- sim_multi(seed = 43)
  f <- lasso(d$x, d$y, family = "multinomial")
  s <- summary(f)
  expect_s3_class(s, "summary.statlearn_path")
  expect_identical(as.integer(s$table$nonzero), as.integer(f$df))
  # independent count from the coefficient array
  nz <- vapply(seq_along(f$lambda), function(l) sum(rowSums(abs(f$beta[, , l])) > 0), 1)
  expect_identical(as.integer(s$table$nonzero), as.integer(nz))
  expect_output(print(s), "path")
})

test_that("the multinomial path is bit-identical for 1 and 2 threads, ungrouped and grouped", {
  set.seed(45)
  n <- 3000; p <- 30  # n large enough for the row team's helper thread
  x <- matrix(rnorm(n * p), n, p)
  eta <- x[, 1:4] %*% matrix(rnorm(12), 4, 3)
  y <- factor(apply(exp(eta) / rowSums(exp(eta)), 1, function(q) sample(3, 1, prob = q)))
  for (type in c("ungrouped", "grouped")) {
    f1 <- lasso(x, y, family = "multinomial", type_multinomial = type, nlambda = 30, threads = 1)
    f2 <- lasso(x, y, family = "multinomial", type_multinomial = type, nlambda = 30, threads = 2)
    expect_identical(f2$beta, f1$beta, info = type)
    expect_identical(f2$a0, f1$a0, info = type)
  }
})
