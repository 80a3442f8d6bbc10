# Linear, quadratic and regularized discriminant analysis (ESL 4.3).

# K Gaussian classes in p dimensions with different covariance matrices.
sim_classes <- function(n = 400, p = 4, K = 3, seed = 1) {
  set.seed(seed)
  y <- factor(sample(LETTERS[seq_len(K)], n, replace = TRUE, prob = seq_len(K)))
  mu <- matrix(rnorm(K * p, sd = 1.2), K, p)
  x <- matrix(rnorm(n * p), n, p)
  for (k in seq_len(K)) {
    i <- which(as.integer(y) == k)
    A <- diag(p) + matrix(rnorm(p * p, sd = 0.3), p, p)
    x[i, ] <- x[i, ] %*% A + rep(mu[k, ], each = length(i))
  }
  colnames(x) <- paste0("x", seq_len(p))
  list(x = x, y = y, data = data.frame(y = y, x))
}

# Columns of a equal those of b up to sign.
expect_equal_up_to_sign <- function(a, b, tolerance, info) {
  s <- sign(colSums(a * b))
  expect_equal(unname(sweep(a, 2L, s, "*")), unname(b), tolerance = tolerance, info = info)
}

test_that("LDA agrees with MASS::lda: posteriors, classes, discriminant variates", {
  skip_if_not_installed("MASS")
  s <- sim_classes(p = 5, K = 4)
  new <- sim_classes(n = 200, p = 5, K = 4, seed = 2)$x
  fit <- linear_discriminant(s$x, s$y, threads = 1)
  ref <- MASS::lda(s$x, s$y)
  pr <- predict(ref, new)
  expect_equal(unname(predict(fit, new, type = "prob")), unname(pr$posterior), tolerance = 1e-8,
               info = "posteriors vs MASS::lda")
  expect_identical(predict(fit, new), pr$class)
  expect_equal(unname(fit$means), unname(ref$means), tolerance = 1e-12)
  expect_equal(unname(fit$prior), unname(ref$prior), tolerance = 1e-12)
  # The scaling (discriminant directions) and the LD scores, up to sign.
  expect_equal_up_to_sign(unname(fit$scaling), unname(ref$scaling), 1e-8, "scaling vs MASS")
  expect_equal_up_to_sign(unname(predict(fit, new, type = "variates")), unname(pr$x), 1e-8,
                          "LD scores vs MASS")
  # proportion of trace
  expect_equal(unname(fit$eigenvalues / sum(fit$eigenvalues)), ref$svd^2 / sum(ref$svd^2),
               tolerance = 1e-8)
  # reduced rank: MASS's predict(dimen = L)
  for (L in 1:2) {
    pL <- predict(ref, new, dimen = L)
    expect_equal(unname(predict(fit, new, type = "prob", dimension = L)), unname(pL$posterior),
                 tolerance = 1e-8, info = sprintf("dimension %d", L))
    expect_identical(predict(fit, new, dimension = L), pL$class)
  }
  # the full-dimension link is ESL eq. 4.10
  S <- fit$covariance
  M <- t(fit$means)
  d410 <- new %*% solve(S, M) - rep(0.5 * colSums(M * solve(S, M)) - log(fit$prior), each = nrow(new))
  expect_equal(unname(predict(fit, new, type = "link")), unname(d410), tolerance = 1e-10)
})

test_that("canonical variates are computed as in ESL 4.3.3 (sphere by W, then PCA of centroids)", {
  s <- sim_classes(p = 3, K = 4)
  fit <- linear_discriminant(s$x, s$y, threads = 1)
  W <- fit$covariance
  e <- eigen(W, symmetric = TRUE)
  Wm12 <- e$vectors %*% diag(1 / sqrt(e$values)) %*% t(e$vectors)
  Ms <- sweep(fit$means, 2L, fit$center) %*% Wm12
  B <- crossprod(Ms * sqrt(fit$prior))
  v <- Wm12 %*% eigen(B, symmetric = TRUE)$vectors[, 1:3]
  expect_equal_up_to_sign(unname(fit$scaling), v, 1e-8, "ESL 4.3.3 construction")
  # unit within-class variance, uncorrelated
  expect_equal(unname(crossprod(fit$scaling, W %*% fit$scaling)), diag(3), tolerance = 1e-10)
})

test_that("QDA agrees with MASS::qda", {
  skip_if_not_installed("MASS")
  s <- sim_classes(p = 4, K = 3)
  new <- sim_classes(n = 300, p = 4, K = 3, seed = 3)$x
  fit <- quadratic_discriminant(s$x, s$y, threads = 1)
  ref <- MASS::qda(s$x, s$y)
  pr <- predict(ref, new)
  expect_equal(unname(predict(fit, new, type = "prob")), unname(pr$posterior), tolerance = 1e-8,
               info = "posteriors vs MASS::qda")
  expect_identical(predict(fit, new), pr$class)
  for (k in 1:3) {
    expect_equal(unname(fit$covariances[, , k]), unname(cov(s$x[s$y == levels(s$y)[k], ])),
                 tolerance = 1e-10, info = "class covariance, divisor n_k - 1")
  }
  expect_equal(unname(fit$logdet), vapply(1:3, function(k) {
    determinant(fit$covariances[, , k])$modulus[1]
  }, numeric(1)), tolerance = 1e-10)
  pri <- c(A = 0.5, B = 0.3, C = 0.2)
  fp <- quadratic_discriminant(s$x, s$y, prior = pri, threads = 1)
  expect_equal(unname(predict(fp, new, type = "prob")),
               unname(predict(MASS::qda(s$x, s$y, prior = unname(pri)), new)$posterior),
               tolerance = 1e-8, info = "QDA with priors vs MASS")
})

test_that("priors are honoured", {
  skip_if_not_installed("MASS")
  s <- sim_classes(p = 3, K = 3)
  new <- sim_classes(n = 100, p = 3, K = 3, seed = 5)$x
  pri <- c(0.6, 0.3, 0.1)
  fit <- linear_discriminant(s$x, s$y, prior = pri, threads = 1)
  expect_equal(unname(fit$prior), pri)
  expect_equal(unname(predict(fit, new, type = "prob")),
               unname(predict(MASS::lda(s$x, s$y, prior = pri), new)$posterior), tolerance = 1e-8)
  # Changing the prior shifts the log posterior odds by the log prior odds.
  f0 <- linear_discriminant(s$x, s$y, threads = 1)
  lo <- function(f) log(predict(f, new, type = "prob"))
  d <- (lo(fit) - lo(fit)[, 1]) - (lo(f0) - lo(f0)[, 1])
  expect_equal(unname(d[1, ]), log(pri / pri[1]) - log(f0$prior / f0$prior[1]), tolerance = 1e-8,
               ignore_attr = TRUE)
  # named priors are matched to the levels
  named <- linear_discriminant(s$x, s$y, prior = c(C = 0.1, A = 0.6, B = 0.3), threads = 1)
  expect_equal(named$prior, fit$prior)
  # a dominant prior takes over
  big <- linear_discriminant(s$x, s$y, prior = c(1e-6, 1e-6, 1 - 2e-6), threads = 1)
  expect_gt(mean(predict(big, new) == "C"), mean(predict(f0, new) == "C"))
})

test_that("ESL Table 4.1: vowel training and test errors of LDA and QDA", {
  lda <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
  qda <- quadratic_discriminant(y ~ ., data = vowel_train, threads = 1)
  err <- function(fit, d) mean(predict(fit, d) != d$y)
  expect_lte(abs(err(lda, vowel_train) - 0.32), 0.01)
  expect_lte(abs(err(lda, vowel_test) - 0.56), 0.01)
  expect_lte(abs(err(qda, vowel_train) - 0.01), 0.01)
  expect_lte(abs(err(qda, vowel_test) - 0.53), 0.01)
  # fitted() is the training prediction, checked against MASS::lda's
  if (requireNamespace("MASS", quietly = TRUE)) {
    ref <- predict(MASS::lda(y ~ ., data = vowel_train))$class
    expect_identical(as.character(fitted(lda)), as.character(ref))
  }
  # ESL Figure 4.10: reduced-rank LDA of dimension 2 beats the full one on the test set
  expect_lt(mean(predict(lda, vowel_test, dimension = 2) != vowel_test$y), err(lda, vowel_test))
})

test_that("RDA: alpha = 1 is QDA, alpha = 0 with gamma = 1 is LDA; ESL Figure 4.7 shape", {
  s <- sim_classes(p = 4, K = 3)
  lda <- linear_discriminant(s$x, s$y, threads = 1)
  qda <- quadratic_discriminant(s$x, s$y, threads = 1)
  r0 <- regularized_discriminant(s$x, s$y, alpha = 0, gamma = 1, threads = 1)
  r1 <- regularized_discriminant(s$x, s$y, alpha = 1, threads = 1)
  expect_equal(predict(r0, s$x, type = "prob"), predict(lda, s$x, type = "prob"), tolerance = 1e-10)
  expect_equal(predict(r1, s$x, type = "prob"), predict(qda, s$x, type = "prob"), tolerance = 1e-12)
  # the regularized covariance (ESL eqs. 4.13-4.14)
  r <- regularized_discriminant(s$x, s$y, alpha = 0.3, gamma = 0.4, threads = 1)
  S <- lda$covariance
  Sg <- 0.4 * S + 0.6 * mean(diag(S)) * diag(4)
  expect_equal(unname(r$covariances[, , 2]), unname(0.3 * qda$covariances[, , 2] + 0.7 * Sg),
               tolerance = 1e-12)
  # p > n_k: QDA fails, RDA with alpha < 1 works
  set.seed(2)
  x <- matrix(rnorm(30 * 12), 30, 12)
  y <- factor(rep(c("a", "b", "c"), each = 10))
  expect_statlearn_error(quadratic_discriminant(x, y), class = "statlearn_error_class_size",
                         pattern = '"a", "b", "c"')
  expect_s3_class(regularized_discriminant(x, y, alpha = 0.5, gamma = 0.5), "statlearn_regularized_discriminant")
  # vowel: test error against alpha is lowest in the interior, near QDA (Figure 4.7)
  te <- vapply(c(0, 0.5, 0.9, 1), function(a) {
    f <- regularized_discriminant(y ~ ., data = vowel_train, alpha = a, threads = 1)
    mean(predict(f, vowel_test) != vowel_test$y)
  }, numeric(1))
  expect_lt(te[3], te[1])
  expect_lt(te[3], te[4])
  expect_lt(te[2], te[1])
})

test_that("cross_validate() of RDA gives a misclassification error for the alpha grid, reproducibly", {
  fit <- regularized_discriminant(y ~ ., data = vowel_train, alpha = 0.5, threads = 1)
  set.seed(10)
  cv <- cross_validate(fit, folds = 5, alpha = seq(0, 1, 0.25), gamma = c(0.5, 1), threads = 1)
  set.seed(10)
  cv2 <- cross_validate(fit, folds = 5, alpha = seq(0, 1, 0.25), gamma = c(0.5, 1), threads = 2)
  expect_identical(cv$grid, cv2$grid)
  expect_s3_class(cv, "statlearn_cv_discriminant")
  expect_equal(nrow(cv$grid), 10L)
  expect_true(all(cv$grid$error >= 0 & cv$grid$error <= 1))
  g1 <- cv$grid[cv$grid$gamma == 1, ]
  # CV error falls from LDA towards QDA on the vowel training data
  expect_lt(g1$error[g1$alpha == 1], g1$error[g1$alpha == 0])
  # the CV error at alpha = 0, gamma = 1 equals that of LDA refitted on the folds
  lda_err <- vapply(1:5, function(f) {
    tr <- cv$foldid != f
    m <- linear_discriminant(y ~ ., data = vowel_train[tr, ], threads = 1)
    c(sum(predict(m, vowel_train[!tr, ]) != vowel_train$y[!tr]), sum(!tr))
  }, numeric(2))
  expect_equal(g1$error[g1$alpha == 0], sum(lda_err[1, ]) / sum(lda_err[2, ]), tolerance = 1e-12)
  expect_output(print(cv), "Minimum")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_silent(plot(cv))
})

test_that("formula and matrix interfaces agree", {
  s <- sim_classes(p = 3, K = 3)
  for (f in list(linear_discriminant, quadratic_discriminant)) {
    a <- f(y ~ ., data = s$data, threads = 1)
    b <- f(s$x, s$y, threads = 1)
    expect_equal(predict(a, s$data, type = "prob"), predict(b, s$x, type = "prob"), tolerance = 1e-12,
                 ignore_attr = TRUE)
    expect_identical(predict(a, s$data), predict(b, s$x))
  }
  a <- regularized_discriminant(y ~ ., data = s$data, alpha = 0.5, gamma = 0.5, threads = 1)
  b <- regularized_discriminant(s$x, s$y, alpha = 0.5, gamma = 0.5, threads = 1)
  expect_identical(predict(a, s$data), predict(b, s$x))
})

test_that("weights are reliability weights", {
  s <- sim_classes(n = 150, p = 3, K = 3)
  w <- rep(c(0.5, 1, 2.5), length.out = 150)
  a <- quadratic_discriminant(s$x, s$y, weights = w, threads = 1)
  for (k in 1:3) {
    i <- s$y == levels(s$y)[k]
    m <- colSums(w[i] * s$x[i, ]) / sum(w[i])
    xc <- sweep(s$x[i, ], 2L, m)
    S <- crossprod(xc * sqrt(w[i])) / (sum(w[i]) - sum(w[i]^2) / sum(w[i]))
    expect_equal(unname(a$means[k, ]), unname(m), tolerance = 1e-12)
    expect_equal(unname(a$covariances[, , k]), unname(S), tolerance = 1e-12)
  }
  expect_equal(unname(a$prior), as.vector(tapply(w, s$y, sum)) / sum(w), tolerance = 1e-12)
  # scaling the weights changes nothing; 0/1 weights are a subset
  for (f in list(linear_discriminant, quadratic_discriminant)) {
    a <- f(s$x, s$y, weights = w, threads = 1)
    b <- f(s$x, s$y, weights = 7 * w, threads = 1)
    expect_equal(predict(a, s$x, type = "prob"), predict(b, s$x, type = "prob"), tolerance = 1e-12)
    keep <- rep(c(TRUE, TRUE, FALSE), 50)
    a <- f(s$x, s$y, weights = as.numeric(keep), threads = 1)
    b <- f(s$x[keep, ], s$y[keep], threads = 1)
    expect_equal(predict(a, s$x, type = "prob"), predict(b, s$x, type = "prob"), tolerance = 1e-12)
  }
})

test_that("1 and 2 threads give identical results", {
  s <- sim_classes(n = 5000, p = 7, K = 4)
  for (f in list(linear_discriminant, quadratic_discriminant)) {
    a <- f(s$x, s$y, threads = 1)
    b <- f(s$x, s$y, threads = 2)
    expect_identical(a$means, b$means)
    expect_identical(predict(a, s$x, type = "prob", threads = 1), predict(b, s$x, type = "prob", threads = 2))
  }
  a <- linear_discriminant(s$x, s$y, threads = 1)
  b <- linear_discriminant(s$x, s$y, threads = 2)
  expect_identical(a$covariance, b$covariance)
  expect_identical(predict(a, s$x, type = "variates", threads = 1),
                   predict(b, s$x, type = "variates", threads = 2))
  # wide p uses the tile-parallel branch of the moment kernel
  set.seed(3)
  x <- matrix(rnorm(2000 * 100), 2000, 100)
  y <- factor(sample(1:2, 2000, replace = TRUE))
  expect_identical(linear_discriminant(x, y, threads = 1)$covariance,
                   linear_discriminant(x, y, threads = 2)$covariance)
})

test_that("saveRDS round trip predicts identically", {
  s <- sim_classes(p = 3, K = 3)
  fits <- list(linear_discriminant(y ~ ., data = s$data, rank = 1, threads = 1),
               quadratic_discriminant(s$x, s$y, threads = 1),
               regularized_discriminant(s$x, s$y, alpha = 0.4, gamma = 0.8, threads = 1))
  newx <- list(s$data, s$x, s$x)
  for (i in seq_along(fits)) {
    r <- round_trip(fits[[i]])
    expect_identical(predict(r, newx[[i]], type = "prob"), predict(fits[[i]], newx[[i]], type = "prob"))
  }
})

test_that("print and plot", {
  fit <- linear_discriminant(y ~ ., data = vowel_train, threads = 1)
  expect_output(print(fit), "Proportion of trace")
  expect_output(print(quadratic_discriminant(y ~ ., data = vowel_train, threads = 1)), "Prior")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_silent(plot(fit))
  expect_silent(plot(fit, dimensions = c(1, 3), newdata = vowel_test, y = vowel_test$y))
  expect_statlearn_error(plot(fit, dimensions = c(1, 11)), class = "statlearn_error_range")
})

test_that("bad input gives classed errors", {
  s <- sim_classes(n = 60, p = 3, K = 3)
  expect_statlearn_error(linear_discriminant(s$x, rep("a", 60)), class = "statlearn_error_classes")
  expect_statlearn_error(linear_discriminant(s$x, s$y[-1]), class = "statlearn_error_length")
  x <- s$x
  x[5, 2] <- Inf
  expect_statlearn_error(quadratic_discriminant(x, s$y), class = "statlearn_error_nonfinite")
  expect_statlearn_error(linear_discriminant(s$x, s$y, prior = c(0.5, 0.5)), class = "statlearn_error_length")
  expect_statlearn_error(linear_discriminant(s$x, s$y, prior = c(0.5, 0.5, 0.5)), class = "statlearn_error_range")
  expect_statlearn_error(linear_discriminant(s$x, s$y, prior = c(a = 0.2, b = 0.3, c = 0.5)),
                         class = "statlearn_error_range")
  expect_statlearn_error(linear_discriminant(s$x, s$y, rank = 3), class = "statlearn_error_range")
  fit <- linear_discriminant(s$x, s$y)
  expect_statlearn_error(predict(fit, s$x, dimension = 0), class = "statlearn_error_range")
  expect_statlearn_error(predict(fit, s$x[, 1:2]), class = "statlearn_error_dimension")
  expect_statlearn_error(predict(fit, s$x, type = "bogus"), class = "statlearn_error_range")
  # constant column: singular within-class covariance
  xc <- cbind(s$x, z = 1)
  expect_error(linear_discriminant(xc, s$y), class = "statlearn_error_singular")
  expect_error(quadratic_discriminant(xc, s$y), class = "statlearn_error_singular")
  # too few observations in a class for QDA, naming the class
  y <- s$y
  y[] <- "A"
  y[1:3] <- "B"
  y[4:20] <- "C"
  expect_statlearn_error(quadratic_discriminant(s$x, y), class = "statlearn_error_class_size",
                         pattern = '"B"')
  expect_statlearn_error(regularized_discriminant(s$x, y, alpha = 1), class = "statlearn_error_class_size")
  expect_statlearn_error(regularized_discriminant(s$x, s$y), class = "statlearn_error_missing")
  expect_statlearn_error(regularized_discriminant(s$x, s$y, alpha = 1.5), class = "statlearn_error_range")
  expect_statlearn_error(regularized_discriminant(s$x, s$y, alpha = 0.5, gamma = -1),
                         class = "statlearn_error_range")
  # an empty factor level is dropped
  y2 <- factor(s$y, levels = c("A", "B", "C", "D"))
  expect_identical(linear_discriminant(s$x, y2)$levels, c("A", "B", "C"))
  # unseen factor level in newdata
  d <- data.frame(y = s$y, x1 = s$x[, 1], f = factor(rep(c("u", "v"), 30)))
  ff <- linear_discriminant(y ~ ., data = d)
  nd <- d[1:3, ]
  nd$f <- factor(c("u", "w", "v"))
  expect_statlearn_error(predict(ff, nd), class = "statlearn_error_level")
  # zero weights on a whole class
  expect_statlearn_error(linear_discriminant(s$x, s$y, weights = as.numeric(s$y != "A")),
                         class = "statlearn_error_class_size")
})
