expect_near <- function(object, expected, tol, info = NULL) {
  expect_identical(names(object), names(expected), info = info)
  expect_true(all(abs(unname(object) - unname(expected)) <= tol),
              info = paste(info, "largest difference", max(abs(unname(object) - unname(expected)))))
}

load_saheart <- function() {
  e <- new.env()
  utils::data("SAheart", package = "statlearn", envir = e)
  e$SAheart
}

sim_logistic <- function(n = 300, p = 4, seed = 1) {
  set.seed(seed)
  x <- matrix(rnorm(n * p), n, p)
  colnames(x) <- paste0("x", seq_len(p))
  eta <- drop(-0.5 + x %*% seq(1, -1, length.out = p))
  y <- factor(ifelse(runif(n) < plogis(eta), "yes", "no"), levels = c("no", "yes"))
  list(x = x, y = y, d = data.frame(x, g = factor(sample(c("a", "b", "c"), n, TRUE)), y = y))
}

test_that("binomial fit agrees with glm (factors, formula)", {
  s <- sim_logistic()
  fit <- logistic_regression(y ~ x1 + x2 + x3 + g, data = s$d, threads = 1)
  ref <- glm(y ~ x1 + x2 + x3 + g, data = s$d, family = binomial, control = list(epsilon = 1e-8))
  expect_equal(coef(fit), coef(ref), tolerance = 1e-8, info = "coefficients vs glm")
  expect_equal(sqrt(diag(vcov(fit))), sqrt(diag(vcov(ref))), tolerance = 1e-6, info = "SEs vs glm")
  expect_equal(deviance(fit), deviance(ref), tolerance = 1e-10, info = "deviance")
  expect_equal(fit$null.deviance, ref$null.deviance, tolerance = 1e-10, info = "null deviance")
  expect_equal(AIC(fit), AIC(ref), tolerance = 1e-10, info = "AIC via logLik")
  expect_equal(BIC(fit), BIC(ref), tolerance = 1e-10, info = "BIC via logLik")
  expect_equal(fit$df.residual, ref$df.residual)
  expect_equal(unname(fitted(fit)[, "yes"]), unname(fitted(ref)), tolerance = 1e-8)
  expect_equal(unname(predict(fit, s$d, type = "link")), unname(predict(ref, s$d)), tolerance = 1e-8)
  expect_equal(confint(fit), confint.default(ref), tolerance = 1e-6, info = "Wald intervals")
  expect_equal(unname(summary(fit)$coefficients[, 3:4]), unname(summary(ref)$coefficients[, 3:4]),
               tolerance = 1e-6)
  for (type in c("deviance", "pearson", "response")) {
    expect_equal(unname(residuals(fit, type = type)), unname(residuals(ref, type = type)),
                 tolerance = 1e-7, info = type)
  }
  cls <- predict(fit, s$d, type = "class")
  expect_s3_class(cls, "factor")
  expect_identical(levels(cls), c("no", "yes"))
  expect_identical(unname(cls == "yes"), unname(fitted(ref) > 0.5))
  expect_output(print(summary(fit)), "Z score")
  expect_output(print(fit), "log-odds")
})

test_that("offsets (argument and offset() term) and weights agree with glm", {
  s <- sim_logistic(seed = 2)
  d <- s$d
  d$o <- seq(-0.5, 0.5, length.out = nrow(d))
  d$w <- rep(1:3, length.out = nrow(d))
  fit <- logistic_regression(y ~ x1 + x2 + offset(o), data = d, weights = w)
  ref <- glm(y ~ x1 + x2 + offset(o), data = d, weights = w, family = binomial)
  expect_equal(coef(fit), coef(ref), tolerance = 1e-8)
  expect_equal(sqrt(diag(vcov(fit))), sqrt(diag(vcov(ref))), tolerance = 1e-6)
  expect_equal(deviance(fit), deviance(ref), tolerance = 1e-10)
  expect_equal(fit$null.deviance, ref$null.deviance, tolerance = 1e-8, info = "null deviance with offset")
  expect_equal(AIC(fit), AIC(ref), tolerance = 1e-10)
  expect_equal(unname(predict(fit, d[1:7, ], type = "link")), unname(predict(ref, d[1:7, ])),
               tolerance = 1e-8, info = "offset() term evaluated in newdata")
  fit2 <- logistic_regression(y ~ x1 + x2, data = d, weights = w, offset = o)
  ref2 <- glm(y ~ x1 + x2, data = d, weights = w, offset = o, family = binomial)
  expect_equal(coef(fit2), coef(ref2), tolerance = 1e-8)
  expect_equal(unname(predict(fit2, d[1:7, ], type = "link")), unname(predict(ref2, d[1:7, ])),
               tolerance = 1e-8, info = "offset argument re-evaluated in newdata")
  # matrix interface with offset and weights
  fit3 <- logistic_regression(as.matrix(d[, c("x1", "x2")]), d$y, weights = d$w, offset = d$o)
  expect_equal(coef(fit3), coef(ref2), tolerance = 1e-8)
  # zero weights drop observations
  w0 <- d$w
  w0[1:20] <- 0
  fit4 <- logistic_regression(y ~ x1 + x2, data = d, weights = w0)
  ref4 <- glm(y ~ x1 + x2, data = d[-(1:20), ], weights = w0[-(1:20)], family = binomial)
  expect_equal(coef(fit4), coef(ref4), tolerance = 1e-8)
  expect_equal(fit4$df.residual, ref4$df.residual)
})

test_that("formula and matrix interfaces agree; 1 and 2 threads identical; round trip", {
  s <- sim_logistic(n = 3000, p = 12, seed = 3)
  f1 <- logistic_regression(s$x, s$y, threads = 1)
  f2 <- logistic_regression(s$x, s$y, threads = 2)
  f1$call <- f2$call <- NULL
  expect_identical(f1, f2)
  ff <- logistic_regression(y ~ ., data = data.frame(s$x, y = s$y), threads = 1)
  expect_equal(coef(ff), coef(f1), tolerance = 1e-12)
  rt <- round_trip(ff)
  nd <- data.frame(s$x[1:10, ])
  expect_identical(predict(rt, nd, type = "prob"), predict(ff, nd, type = "prob"))
  expect_identical(predict(rt, nd), predict(ff, nd))
})

test_that("multinomial fit agrees with nnet::multinom", {
  skip_if_not_installed("nnet")
  e <- new.env()
  utils::data("vowel_train", package = "statlearn", envir = e)
  d <- e$vowel_train[, c("y", "x.1", "x.2", "x.3")]
  fit <- logistic_regression(y ~ ., data = d)
  ref <- nnet::multinom(y ~ ., data = d, trace = FALSE, reltol = 1e-14, maxit = 5000)
  expect_true(fit$converged)
  expect_equal(unname(fitted(fit)), unname(fitted(ref)), tolerance = 1e-5, info = "probabilities")
  expect_equal(deviance(fit), deviance(ref), tolerance = 1e-7)
  expect_equal(unname(coef(fit)), unname(coef(ref)), tolerance = 1e-4)
  expect_identical(dim(coef(fit)), c(10L, 4L))
  expect_equal(unname(predict(fit, d[1:9, ], type = "prob")), unname(fitted(fit)[1:9, ]),
               tolerance = 1e-12)
  cls <- predict(fit, d)
  expect_identical(levels(cls), levels(d$y))
  expect_identical(as.character(cls), as.character(predict(ref, d)))
  expect_equal(dim(vcov(fit)), c(40L, 40L))
  expect_equal(AIC(fit), AIC(ref), tolerance = 1e-6)
  expect_output(print(summary(fit)), "Multinomial")
  # all ten inputs: many observations are fitted with near certainty, but the
  # MLE exists (it converges), so no separation warning
  expect_warning(full <- logistic_regression(y ~ ., data = e$vowel_train), NA)
  expect_true(full$converged)
  expect_false(full$separation)
  expect_statlearn_error(logistic_regression(y ~ ., data = d, offset = rep(0, nrow(d))),
                         "statlearn_error_range")
})

test_that("ESL Tables 4.2 and 4.3 (South African heart disease)", {
  SAheart <- load_saheart()
  fit <- logistic_regression(chd ~ sbp + tobacco + ldl + famhist + obesity + alcohol + age,
                             data = SAheart)
  book <- c(`(Intercept)` = -4.130, sbp = 0.006, tobacco = 0.080, ldl = 0.185,
            famhistPresent = 0.939, obesity = -0.035, alcohol = 0.001, age = 0.043)
  expect_near(coef(fit), book, 0.0011, info = "ESL Table 4.2 (book rounds to 3 decimals)")
  se_book <- c(0.964, 0.006, 0.026, 0.057, 0.225, 0.029, 0.004, 0.010)
  expect_near(unname(sqrt(diag(vcov(fit)))), se_book, 0.0011, info = "Table 4.2 SEs")
  z_book <- c(-4.285, 1.023, 3.034, 3.219, 4.178, -1.187, 0.136, 4.184)
  expect_near(unname(summary(fit)$coefficients[, "Z score"]), z_book, 0.01, info = "Table 4.2 Z scores")
  small <- stepwise(fit)
  book3 <- c(`(Intercept)` = -4.204, tobacco = 0.081, ldl = 0.168, famhistPresent = 0.924,
             age = 0.044)
  expect_near(coef(small), book3, 0.0011, info = "ESL Table 4.3")
  expect_identical(small$steps$change, c("(start)", "- alcohol", "- sbp", "- obesity"))
  # the selected model predicts new data through its reduced formula
  expect_equal(predict(small, SAheart[1:5, ], type = "link"), small$linear.predictors[1:5],
               tolerance = 1e-10)
  # likelihood-ratio and Wald tests of the dropped terms
  a <- anova(small, fit)
  expect_equal(a$Deviance[2], deviance(small) - deviance(fit), tolerance = 1e-12)
  expect_equal(a$Df[2], 3)
  w <- wald_test(fit, c("sbp", "obesity", "alcohol"))
  expect_equal(w$Df, 3)
  # Independent reference: b' V^-1 b from glm's coefficients and covariance.
  g <- glm(chd ~ sbp + tobacco + ldl + famhist + obesity + alcohol + age, family = binomial,
           data = SAheart)
  dropped <- c("sbp", "obesity", "alcohol")
  b <- coef(g)[dropped]
  wald_ref <- drop(t(b) %*% solve(vcov(g)[dropped, dropped], b))
  expect_equal(w$Chisq, wald_ref, tolerance = 1e-8)
  expect_equal(anova(small, fit, test = "Wald")$Chisq[2], wald_ref, tolerance = 1e-8)
  z <- summary(fit)$coefficients["tobacco", "Z score"]
  expect_equal(wald_test(fit, "tobacco")$Chisq, z^2, tolerance = 1e-10)
  expect_equal(wald_test(fit, "famhist")$Chisq, wald_test(fit, "famhistPresent")$Chisq,
               info = "term label = its coefficient")
  # matrix-interface stepwise
  xm <- model.matrix(~ sbp + tobacco + ldl + famhist + obesity + alcohol + age, SAheart)[, -1]
  fm <- logistic_regression(xm, SAheart$chd)
  sm <- stepwise(fm)
  expect_equal(unname(coef(sm)), unname(coef(small)), tolerance = 1e-10)
  fwd <- stepwise(fit, direction = "forward")
  expect_equal(unname(coef(fwd)), unname(coef(small)), tolerance = 1e-10, info = "forward path")
})

test_that("badly scaled columns: glm's answer, computed stably", {
  # Reference: glm on centred columns (well conditioned), mapped back to the
  # original ones exactly; glm on the raw columns loses digits itself.
  set.seed(61)
  n <- 400
  x <- matrix(rnorm(3 * n), n, 3, dimnames = list(NULL, c("a", "b", "c")))
  y <- rbinom(n, 1, plogis(0.5 + drop(x %*% c(1, -1, 0.5))))
  for (shift in c(1e5, 1e6, 1e8)) {
    xs <- x
    xs[, 1] <- xs[, 1] + shift
    m <- colMeans(xs)
    g <- glm(y ~ sweep(xs, 2, m), family = binomial, control = glm.control(epsilon = 1e-12))
    b <- unname(coef(g))
    ref <- c(b[1] - sum(b[-1] * m), b[-1])
    # The covariance of (intercept, slopes) = T V T', T = [1, -m'; 0, I].
    Tm <- diag(4)
    Tm[1, 2:4] <- -m
    ref_se <- sqrt(diag(Tm %*% vcov(g) %*% t(Tm)))
    f <- logistic_regression(xs, y, epsilon = 1e-12)
    info <- paste("mean/sd", shift)
    expect_equal(unname(coef(f)), ref, tolerance = 1e-8, info = info)
    expect_equal(unname(sqrt(diag(vcov(f)))), ref_se, tolerance = 1e-8, info = info)
    if (shift <= 1e5) {
      expect_equal(unname(coef(f)), unname(coef(glm(y ~ xs, family = binomial))), tolerance = 1e-8,
                   info = info)
    }
  }
  # Tiny and huge units: coefficients scale inversely, exactly as glm's.
  for (u in c(1e-6, 1e6)) {
    expect_equal(unname(coef(logistic_regression(x * u, y))),
                 unname(coef(glm(y ~ I(x * u), family = binomial))), tolerance = 1e-10)
  }
  # Multinomial: shifting a column changes only the intercepts.
  yk <- factor(sample(c("p", "q", "r"), n, TRUE))
  xs <- x
  xs[, 2] <- xs[, 2] + 1e6
  f0 <- logistic_regression(x, yk)
  f1 <- logistic_regression(xs, yk)
  expect_equal(coef(f1)[, -1], coef(f0)[, -1], tolerance = 1e-8)
  expect_equal(coef(f1)[, 1], coef(f0)[, 1] - 1e6 * coef(f0)[, "b"], tolerance = 1e-8)
})

test_that("nearly collinear columns: the MLE to glm's accuracy, no false collinearity", {
  # Reference: the same model in the well-conditioned columns (x1, x2 - x1, x3),
  # whose difference is exact in floating point.
  set.seed(62)
  n <- 400
  x1 <- rnorm(n); x2 <- rnorm(n); x3 <- rnorm(n)
  y <- rbinom(n, 1, plogis(0.5 + x1 - x2 + 0.5 * x3))
  for (e in c(1e-4, 1e-6, 1e-7)) {
    xc <- cbind(x1, x1 + e * x2, x3)
    z <- cbind(xc[, 1], xc[, 2] - xc[, 1], xc[, 3])
    c <- unname(coef(glm(y ~ z, family = binomial, control = glm.control(epsilon = 1e-14))))
    ref <- c(c[1], c[2] - c[3], c[3], c[4])
    f <- logistic_regression(xc, y, epsilon = if (e < 1e-6) 1e-8 else 1e-12)
    info <- paste("collinear", e)
    expect_true(f$converged, info = info)
    expect_equal(unname(coef(f)), ref, tolerance = if (e < 1e-5) 1e-6 else 1e-8, info = info)
    if (e >= 1e-4) {  # the same iterations as glm, with its default epsilon
      expect_equal(unname(coef(logistic_regression(xc, y))),
                   unname(coef(glm(y ~ xc, family = binomial))), tolerance = 1e-8, info = info)
    }
  }
  # Exactly dependent: glm's rank test names the column.
  expect_error(logistic_regression(cbind(a = x1, b = 2 * x1, c = x3), y),
               class = "statlearn_error_collinear", regexp = "'b'")
})

test_that("complete separation gives one classed warning", {
  set.seed(4)
  x <- c(rnorm(30, -2), rnorm(30, 2))
  y <- factor(rep(0:1, each = 30))
  x[1:30] <- -abs(x[1:30]); x[31:60] <- abs(x[31:60])
  expect_warning(fit <- logistic_regression(cbind(x = x), y), class = "statlearn_warning_separation")
  expect_true(fit$separation)
  w <- 0
  withCallingHandlers(logistic_regression(cbind(x = x), y),
                      warning = function(c) { w <<- w + 1; invokeRestart("muffleWarning") })
  expect_identical(w, 1, info = "exactly one warning")
  expect_true(is.logical(fit$converged) && is.numeric(fit$iterations))
})

test_that("bad input gives classed errors", {
  s <- sim_logistic(n = 50)
  expect_statlearn_error(logistic_regression(s$x, factor(rep("a", 50))), "statlearn_error_classes")
  expect_statlearn_error(logistic_regression(s$x, s$y[-1]), "statlearn_error_length")
  y <- s$y; y[3] <- NA
  expect_statlearn_error(logistic_regression(s$x, y), "statlearn_error_input")
  x <- s$x; x[2, 2] <- Inf
  expect_statlearn_error(logistic_regression(x, s$y), "statlearn_error_nonfinite")
  expect_statlearn_error(logistic_regression(s$x, s$y, weights = rep(-1, 50)), "statlearn_error_range")
  expect_statlearn_error(logistic_regression(s$x, s$y, offset = 1:3), "statlearn_error_length")
  expect_statlearn_error(logistic_regression(s$x, s$y, maxit = 0), "statlearn_error_range")
  expect_statlearn_error(logistic_regression(cbind(s$x, s$x[, 1] + s$x[, 2]), s$y),
                         "statlearn_error_collinear")
  fit <- logistic_regression(y ~ ., data = s$d)
  nd <- s$d[1:3, ]
  nd$g <- as.character(nd$g); nd$g[1] <- "zzz"
  expect_statlearn_error(predict(fit, nd), "statlearn_error_level")
  expect_statlearn_error(predict(fit, s$d, type = "response"), "statlearn_error_range")
  expect_statlearn_error(wald_test(fit, "nope"), "statlearn_error_range")
  expect_statlearn_error(anova(fit), "statlearn_error_missing")
})

test_that("stepwise() and fitted() work on fits made inside a function", {
  make <- function() {
    heart <- SAheart
    logistic_regression(chd ~ sbp + tobacco + ldl + famhist + obesity + alcohol + age, data = heart)
  }
  inner <- stepwise(make())
  outer <- stepwise(logistic_regression(chd ~ sbp + tobacco + ldl + famhist + obesity + alcohol + age,
                                        data = SAheart))
  expect_equal(coef(inner), coef(outer), tolerance = 1e-12)
  expect_identical(inner$steps$change, outer$steps$change)
  make_lasso <- function() {
    train <- subset(prostate, train, select = -train)
    lasso(lpsa ~ ., data = train)
  }
  fl <- make_lasso()
  train <- subset(prostate, train, select = -train)
  expect_equal(fitted(fl, lambda = fl$lambda[10]),
               drop(cbind(1, as.matrix(train[, 1:8])) %*% coef(fl, lambda = fl$lambda[10])),
               tolerance = 1e-10, ignore_attr = TRUE)
})

test_that("Pearson residuals of a separated fit are finite, as glm's", {
  set.seed(8)
  x <- matrix(rnorm(60), 30)
  y <- factor(ifelse(x[, 1] > 0, "b", "a"))
  f <- suppressWarnings(logistic_regression(x, y))
  r <- residuals(f, type = "pearson")
  expect_true(all(is.finite(r)))
  # (y - mu) / sqrt(mu (1 - mu)) with mu kept inside (eps, 1 - eps), as glm's linkinv does
  p1 <- f$fitted.values[, 2]
  mu <- pmin(pmax(p1, .Machine$double.eps), 1 - .Machine$double.eps)
  expect_equal(unname(r), unname((as.integer(y) - 1 - p1) / sqrt(mu * (1 - mu))), tolerance = 1e-12)
})

test_that("profile-likelihood intervals invert the likelihood-ratio test (glm refits, MASS)", {
  fit <- logistic_regression(chd ~ tobacco + ldl + famhist + age, data = SAheart)
  ci <- confint(fit, method = "profile")
  g <- glm(chd ~ tobacco + ldl + famhist + age, family = binomial, data = SAheart)
  crit <- qchisq(0.95, 1)
  X <- model.matrix(g)
  # at each limit, the deviance with that coefficient held there (glm with an offset) is the fit's + crit
  for (j in seq_len(ncol(X))) {
    for (side in 1:2) {
      v <- ci[j, side]
      refit <- glm.fit(X[, -j, drop = FALSE], SAheart$chd, family = binomial(), offset = v * X[, j])
      expect_equal(refit$deviance - deviance(g), crit, tolerance = 1e-6,
                   info = sprintf("%s, side %d", colnames(X)[j], side))
    }
  }
  expect_true(all(ci[, 1] < coef(g) & coef(g) < ci[, 2]))
  if (requireNamespace("MASS", quietly = TRUE)) {
    ref <- suppressMessages(confint(g))  # MASS's profile intervals (spline interpolation)
    expect_equal(unname(ci), unname(ref), tolerance = 1e-4)
  }
  # a subset of coefficients, another level, and the Wald intervals unchanged
  expect_equal(confint(fit, "age", level = 0.9, method = "profile")[1, ],
               confint(fit, method = "profile", level = 0.9)["age", ], tolerance = 1e-8)
  expect_equal(unname(confint(fit)), unname(confint.default(g)), tolerance = 1e-6)
  # matrix interface with an offset and weights, no intercept
  set.seed(3)
  x <- matrix(rnorm(200), 100)
  off <- runif(100, -0.5, 0.5)
  w <- runif(100, 0.5, 2)
  y <- rbinom(100, 1, plogis(0.8 * x[, 1] - 0.5 * x[, 2] + off))
  f2 <- logistic_regression(x, y, weights = w, offset = off, intercept = FALSE)
  g2 <- suppressWarnings(glm(y ~ x - 1, family = binomial, weights = w, offset = off))
  c2 <- confint(f2, method = "profile")
  for (side in 1:2) {
    r <- suppressWarnings(glm.fit(x[, 2, drop = FALSE], y, weights = w, family = binomial(),
                                  offset = off + c2[1, side] * x[, 1]))
    expect_equal(r$deviance - deviance(g2), crit, tolerance = 1e-6)
  }
  multi <- logistic_regression(Species ~ Sepal.Length, data = iris)
  expect_statlearn_error(confint(multi, method = "profile"), "statlearn_error_unsupported", "method")
  expect_statlearn_error(confint(fit, method = "likelihood"), "statlearn_error_range", "method")
})
