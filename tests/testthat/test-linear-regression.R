test_that("linear_regression matches lm: coefficients, SEs, fits, intervals (tol 1e-10)", {
  d <- sim_linear(n = 80, p = 6)
  df <- data.frame(d$x, y = d$y, g = factor(rep(c("a", "b", "c", "d"), 20)))
  f <- linear_regression(y ~ x1 + x2 * g + log(abs(x3) + 1), data = df)
  l <- lm(y ~ x1 + x2 * g + log(abs(x3) + 1), data = df)
  expect_equal(unname(coef(f)), unname(coef(l)), tolerance = 1e-10)
  s <- summary(f)$coefficients
  expect_equal(unname(s[, 2]), unname(summary(l)$coefficients[, 2]), tolerance = 1e-10)
  expect_equal(unname(s[, 4]), unname(summary(l)$coefficients[, 4]), tolerance = 1e-8)
  expect_equal(summary(f)$r.squared, summary(l)$r.squared, tolerance = 1e-10)
  expect_equal(unname(summary(f)$fstatistic), unname(summary(l)$fstatistic), tolerance = 1e-10)
  expect_equal(unname(fitted(f)), unname(fitted(l)), tolerance = 1e-10)
  expect_equal(unname(vcov(f)), unname(vcov(l)), tolerance = 1e-10)
  expect_equal(unname(confint(f)), unname(confint(l)), tolerance = 1e-10)
  nd <- df[1:5, ]
  for (iv in c("confidence", "prediction")) {
    expect_equal(unname(predict(f, nd, interval = iv)), unname(predict(l, nd, interval = iv)),
                 tolerance = 1e-10, info = iv)
  }
  expect_equal(as.numeric(logLik(f)), as.numeric(logLik(l)), tolerance = 1e-10)
})

test_that("weights, no intercept and matrix interface agree with lm", {
  d <- sim_linear(n = 60, p = 4, seed = 2)
  w <- runif(60)
  f <- linear_regression(d$x, d$y, weights = w)
  l <- lm(d$y ~ d$x, weights = w)
  expect_equal(unname(coef(f)), unname(coef(l)), tolerance = 1e-10)
  expect_equal(unname(summary(f)$coefficients[, 2]), unname(summary(l)$coefficients[, 2]), tolerance = 1e-10)
  f0 <- linear_regression(d$x, d$y, intercept = FALSE)
  expect_equal(unname(coef(f0)), unname(coef(lm(d$y ~ d$x - 1))), tolerance = 1e-10)
})

test_that("Gram-Schmidt (ESL Algorithm 3.1) equals QR", {
  d <- sim_linear(n = 50, p = 5, seed = 3)
  a <- linear_regression(d$x, d$y)
  b <- linear_regression(d$x, d$y, method = "gram_schmidt")
  expect_equal(coef(a), coef(b), tolerance = 1e-10)
  expect_equal(summary(a)$coefficients, summary(b)$coefficients, tolerance = 1e-8)
})

test_that("rank deficiency is handled like lm (NA with a message)", {
  d <- sim_linear(n = 40, p = 3, seed = 4)
  x <- cbind(d$x, x4 = d$x[, 1] + d$x[, 2])
  expect_message(f <- linear_regression(x, d$y), "Aliased")
  l <- lm(d$y ~ x)
  expect_equal(unname(coef(f)), unname(coef(l)), tolerance = 1e-10)
  expect_true(is.na(coef(f)[["x4"]]))
})

test_that("ESL Table 3.2 is reproduced on the prostate training data", {
  train <- subset(prostate, train, select = -train)
  xs <- scale(prostate[, 1:8])  # standardised over all 97 rows, as the book
  train[, 1:8] <- xs[prostate$train, ]
  f <- linear_regression(lpsa ~ ., data = train)
  book <- c(2.46, 0.68, 0.26, -0.14, 0.21, 0.31, -0.29, -0.02, 0.27)
  expect_equal(unname(round(coef(f), 2)), book, tolerance = 0.011)
  z <- summary(f)$coefficients[, 3]
  book_z <- c(27.60, 5.37, 2.75, -1.40, 2.06, 2.47, -1.87, -0.15, 1.74)
  expect_equal(unname(z), book_z, tolerance = 0.01)
  # ESL eq. 3.13: dropping age, lcp, gleason and pgg45 gives F = 1.67, p = 0.17
  small <- linear_regression(lpsa ~ lcavol + lweight + lbph + svi, data = train)
  a <- anova(small, f)
  expect_equal(a$F[2], 1.67, tolerance = 0.01)
  expect_equal(a$`Pr(>F)`[2], 0.17, tolerance = 0.05)
})

test_that("bad input gives classed errors", {
  d <- sim_linear(n = 20, p = 2)
  x <- d$x; x[3, 1] <- NA
  expect_error(linear_regression(x, d$y), class = "statlearn_error_nonfinite")
  expect_error(linear_regression(d$x, d$y[-1]), class = "statlearn_error_length")
  expect_error(linear_regression(letters[1:20], d$y), class = "statlearn_error_type")
  expect_error(linear_regression(d$x, d$y, weights = -d$y), class = "statlearn_error_input")
  expect_error(linear_regression(d$x[0, ], d$y[0]), class = "statlearn_error_empty")
  df <- data.frame(y = d$y, g = factor(rep(c("a", "b"), 10)))
  f <- linear_regression(y ~ g, data = df)
  expect_error(predict(f, data.frame(g = "z")), class = "statlearn_error_level")
  expect_error(predict(f, df, interval = "wide"), class = "statlearn_error_input")
})

test_that("fits survive saveRDS/readRDS", {
  f <- linear_regression(lpsa ~ lcavol + lweight + svi, data = prostate)
  g <- round_trip(f)
  expect_identical(predict(g, prostate), predict(f, prostate))
})

test_that("the refined semi-normal equations agree with QR and lm (tol 1e-10)", {
  set.seed(21)
  n <- 2000; p <- 12
  x <- matrix(rnorm(n * p), n, p) * rep(c(1, 1000, 0.001), length.out = p)
  x[, 2] <- x[, 2] + 5e4  # large mean: centring keeps it well conditioned
  y <- drop(x %*% rnorm(p) + rnorm(n))
  w <- rexp(n)
  a <- linear_regression(x, y, weights = w)
  expect_identical(a$method, "cholesky")
  b <- linear_regression(x, y, weights = w, method = "qr")
  l <- lm(y ~ x, weights = w)
  expect_equal(unname(coef(a)), unname(coef(l)), tolerance = 1e-10)
  expect_equal(unname(coef(a)), unname(coef(b)), tolerance = 1e-10)
  expect_equal(unname(vcov(a)), unname(vcov(l)), tolerance = 1e-9)
  expect_equal(unname(residuals(a)), unname(residuals(l)), tolerance = 1e-9)
  expect_equal(summary(a)$r.squared, summary(l)$r.squared, tolerance = 1e-10)
  # 1 and 2 threads give identical bits
  a1 <- linear_regression(x, y, weights = w, threads = 1)
  a2 <- linear_regression(x, y, weights = w, threads = 2)
  expect_identical(coef(a1), coef(a2))
  expect_identical(vcov(a1), vcov(a2))
})

test_that("ill-conditioned or aliased designs fall back to QR", {
  set.seed(22)
  t <- seq(0, 1, length.out = 300)
  x <- outer(t, 1:9, `^`)  # raw polynomial: badly conditioned
  y <- sin(6 * t) + rnorm(300, sd = 0.1)
  a <- linear_regression(x, y)
  expect_identical(a$method, "qr")
  expect_equal(unname(coef(a)), unname(coef(lm(y ~ x))), tolerance = 1e-8)
  x2 <- cbind(x[, 1:3], x[, 1] + x[, 2])
  expect_message(b <- linear_regression(x2, y), "Aliased")
  expect_identical(b$method, "qr")
})

test_that("confint() names unknown coefficients; successive_orthogonalization() checks tol", {
  train <- subset(prostate, train, select = -train)
  f <- linear_regression(lpsa ~ ., data = train)
  expect_statlearn_error(confint(f, "unknown"), "statlearn_error_range", "parm")
  expect_statlearn_error(confint(f, 12), "statlearn_error_range", "parm")
  expect_statlearn_error(confint(f, level = 1.5), "statlearn_error_range", "level")
  expect_equal(confint(f, "lcavol"), confint(lm(lpsa ~ ., data = train), "lcavol"), tolerance = 1e-10,
               ignore_attr = TRUE)
  x <- as.matrix(train[, 1:8])
  expect_statlearn_error(successive_orthogonalization(x, train$lpsa, tol = -1), "statlearn_error_range",
                         "tol")
  expect_statlearn_error(successive_orthogonalization(x, train$lpsa, tol = NA), "statlearn_error_type",
                         "tol")
})

test_that("subset and na.action of formula methods act as lm's and glm's", {
  d <- subset(prostate, select = -train)
  d$lcavol[c(3, 17)] <- NA
  keep <- prostate$train
  # linear regression: subset and the default na.omit, as lm
  f <- linear_regression(lpsa ~ ., data = d, subset = keep)
  g <- lm(lpsa ~ ., data = d, subset = keep)
  expect_equal(coef(f), coef(g), tolerance = 1e-10)
  expect_identical(nobs(f), nobs(g))
  expect_error(linear_regression(lpsa ~ ., data = d, na.action = na.fail))
  # logistic regression, as glm
  fl <- logistic_regression(svi ~ lcavol + lweight + age, data = d, subset = keep)
  gl <- glm(svi ~ lcavol + lweight + age, family = binomial, data = d, subset = keep)
  expect_equal(unname(coef(fl)), unname(coef(gl)), tolerance = 1e-8)
  # the lasso on the same rows as its matrix interface
  fz <- lasso(lpsa ~ ., data = d, subset = keep)
  ok <- keep & complete.cases(d)
  fx <- lasso(as.matrix(d[ok, 1:8]), d$lpsa[ok])
  expect_equal(unname(fz$beta), unname(fx$beta), tolerance = 1e-10)
  expect_equal(fz$nobs, sum(ok))
})

test_that("interval levels of predict() and confint() follow lm's", {
  train <- subset(prostate, train, select = -train)
  test <- subset(prostate, !train, select = -train)
  f <- linear_regression(lpsa ~ ., data = train)
  g <- lm(lpsa ~ ., data = train)
  for (lev in c(0.5, 0.9, 0.99)) {
    for (int in c("confidence", "prediction")) {
      expect_equal(unname(as.matrix(predict(f, test, interval = int, level = lev))),
                   unname(predict(g, test, interval = int, level = lev)), tolerance = 1e-10,
                   info = paste(int, lev))
    }
    expect_equal(unname(confint(f, level = lev)), unname(confint(g, level = lev)), tolerance = 1e-10)
  }
})

test_that("the formula interface matches lm whether it uses the data's columns in place or a model matrix", {
  set.seed(21)
  n <- 200
  d <- data.frame(a = rnorm(n), b = rnorm(n), k = sample(1:5, n, TRUE), g = factor(sample(c("u", "v", "w"), n, TRUE)))
  d$y <- d$a - 2 * d$b + 0.3 * d$k + rnorm(n)
  d$a2 <- 2 * d$a  # aliased: the fast path must hand over to QR
  rownames(d) <- paste0("r", seq_len(n))
  for (form in list(y ~ a + b, y ~ ., y ~ a + b + k, y ~ a * b + g, y ~ a + I(b^2) + log(k), y ~ a + b - 1)) {
    f <- suppressMessages(linear_regression(form, data = d))  # y ~ . says that a2 is aliased
    g <- lm(form, data = d)
    info <- deparse(form)
    expect_equal(coef(f), coef(g), tolerance = 1e-10, info = info)
    expect_equal(fitted(f), fitted(g), tolerance = 1e-10, info = info)
    expect_identical(names(residuals(f)), names(residuals(g)), info = info)
    expect_equal(suppressWarnings(predict(f, d[1:5, ])), suppressWarnings(predict(g, d[1:5, ])),
                 tolerance = 1e-10, info = info)
  }
  expect_statlearn_error(linear_regression(y ~ a + b, data = transform(d, b = ifelse(seq_len(n) == 7, Inf, b))),
                         "statlearn_error_nonfinite", "data")
})

test_that("predict(se.fit = TRUE) equals predict.lm's standard errors (ESL 8.2.2)", {
  set.seed(4)
  d <- data.frame(x = sort(runif(50, 0, 3)))
  d$y <- sin(2 * d$x) + rnorm(50, sd = 0.4)
  f <- linear_regression(y ~ bspline_basis(x, df = 7, intercept = TRUE) - 1, data = d)
  g <- lm(y ~ splines::bs(x, df = 7, intercept = TRUE) - 1, data = d)
  nd <- data.frame(x = seq(0.1, 2.9, length.out = 9))
  ours <- predict(f, nd, se.fit = TRUE)
  ref <- predict(g, nd, se.fit = TRUE)
  expect_equal(unname(ours$fit), unname(ref$fit), tolerance = 1e-10)
  expect_equal(unname(ours$se.fit), unname(ref$se.fit), tolerance = 1e-10)
  expect_equal(ours$df, ref$df)
  expect_equal(ours$residual.scale, ref$residual.scale, tolerance = 1e-10)
  both <- predict(f, nd, se.fit = TRUE, interval = "confidence")
  refi <- predict(g, nd, se.fit = TRUE, interval = "confidence")
  expect_equal(unname(both$fit), unname(refi$fit), tolerance = 1e-10)
  # with an intercept and the matrix interface
  X <- cbind(a = d$x, b = d$x^2)
  m <- linear_regression(X, d$y)
  expect_equal(unname(predict(m, X[1:4, ], se.fit = TRUE)$se.fit),
               unname(predict(lm(d$y ~ X), se.fit = TRUE)$se.fit[1:4]), tolerance = 1e-10)
  expect_error(predict(m, se.fit = TRUE), class = "statlearn_error_missing")
  expect_error(predict(m, X, se.fit = "yes"), class = "statlearn_error_type")
})
