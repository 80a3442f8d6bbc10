# MARS (ESL 9.4) against the earth package (same settings), closed forms and
# invariances.

friedman_data <- function(n = 200, p = 10, seed = 1) {
  set.seed(seed)
  x <- matrix(stats::runif(n * p), n, p, dimnames = list(NULL, paste0("x", seq_len(p))))
  y <- 10 * sin(pi * x[, 1] * x[, 2]) + 20 * (x[, 3] - 0.5)^2 + 10 * x[, 4] + 5 * x[, 5] +
    stats::rnorm(n)
  list(x = x, y = y)
}

# Fit both and compare terms (direction, variable, knot), coefficients, RSS,
# GCV and the whole pruning path.
expect_same_as_earth <- function(x, y, label, degree = 1, max_terms = NULL, fast_k = 20,
                                 penalty = if (degree > 1) 3 else 2, min_span = 0, end_span = 0,
                                 thresh = 0.001) {
  args <- list(x, y, degree = degree, fast_k = fast_k, penalty = penalty, min_span = min_span,
               end_span = end_span, thresh = thresh, threads = 1)
  eargs <- list(x = x, y = y, degree = degree, fast.k = fast_k, penalty = penalty,
                minspan = min_span, endspan = end_span, thresh = thresh, pmethod = "backward")
  if (!is.null(max_terms)) {
    args$max_terms <- max_terms
    eargs$nk <- max_terms
  }
  ours <- do.call(mars, args)
  ref <- do.call(earth::earth, eargs)
  expect_equal(unname(ours$forward_dirs), unname(ref$dirs) + 0L, info = paste(label, "forward dirs"))
  expect_equal(unname(ours$forward_cuts), unname(ref$cuts), tolerance = 1e-12,
               info = paste(label, "forward cuts"))
  expect_equal(ours$selected, ref$selected.terms, info = paste(label, "selected terms"))
  expect_equal(unname(ours$coefficients), unname(drop(ref$coefficients)), tolerance = 1e-8,
               info = paste(label, "coefficients"))
  expect_equal(ours$rss, ref$rss, tolerance = 1e-8, info = paste(label, "RSS"))
  expect_equal(ours$gcv, ref$gcv, tolerance = 1e-8, info = paste(label, "GCV"))
  expect_equal(ours$rsq, ref$rsq, tolerance = 1e-8, info = paste(label, "RSq"))
  expect_equal(ours$grsq, ref$grsq, tolerance = 1e-8, info = paste(label, "GRSq"))
  expect_equal(ours$rss_path, ref$rss.per.subset, tolerance = 1e-8, info = paste(label, "RSS path"))
  expect_equal(ours$gcv_path, ref$gcv.per.subset, tolerance = 1e-8, info = paste(label, "GCV path"))
  expect_equal(unname(predict(ours, x)), unname(drop(stats::predict(ref, x))), tolerance = 1e-8,
               info = paste(label, "predictions"))
  expect_equal(unname(model.matrix(ours, x)), unname(ref$bx), tolerance = 1e-12,
               info = paste(label, "basis matrix"))
  invisible(list(ours = ours, ref = ref))
}

test_that("mars matches earth on trees, degree 1 and 2", {
  skip_if_not_installed("earth")
  x <- as.matrix(datasets::trees[, 1:2])
  y <- datasets::trees$Volume
  expect_same_as_earth(x, y, "trees d1")
  expect_same_as_earth(x, y, "trees d2", degree = 2)
})

test_that("mars matches earth on Friedman-like simulated data", {
  skip_if_not_installed("earth")
  d <- friedman_data()
  expect_same_as_earth(d$x, d$y, "friedman d1")
  expect_same_as_earth(d$x, d$y, "friedman d2", degree = 2)
  expect_same_as_earth(d$x, d$y, "friedman d2 fast_k 0", degree = 2, fast_k = 0)
  expect_same_as_earth(d$x, d$y, "friedman d3 nk 41", degree = 3, max_terms = 41)
  expect_same_as_earth(d$x, d$y, "friedman d2 minspan 5 endspan 10 fast_k 5", degree = 2,
                       min_span = 5, end_span = 10, fast_k = 5)
  expect_same_as_earth(d$x, d$y, "friedman d2 minspan -3 (knots)", degree = 2, min_span = -3)
  expect_same_as_earth(d$x, d$y, "friedman penalty 4 thresh 1e-4", penalty = 4, thresh = 1e-4)
})

test_that("mars matches earth on prostate, ozone and LA ozone", {
  skip_if_not_installed("earth")
  data("prostate", package = "statlearn", envir = environment())
  data("ozone", package = "statlearn", envir = environment())
  data("LAozone", package = "statlearn", envir = environment())
  px <- as.matrix(prostate[, 1:8])
  expect_same_as_earth(px, prostate$lpsa, "prostate d1")
  expect_same_as_earth(px, prostate$lpsa, "prostate d2", degree = 2)
  expect_same_as_earth(as.matrix(ozone[, -1]), ozone[, 1], "ozone d1")
  expect_same_as_earth(as.matrix(ozone[, -1]), ozone[, 1], "ozone d2", degree = 2)
  lx <- as.matrix(LAozone[, -1])
  expect_same_as_earth(lx, LAozone[, 1], "LAozone d1")
  expect_same_as_earth(lx, LAozone[, 1], "LAozone d2", degree = 2)
})

test_that("mars matches earth on the spam training set (degree 1 and 2)", {
  skip_if_not_installed("earth")
  skip_if_not(full_tests())
  data("spam", package = "statlearn", envir = environment())
  tr <- spam[!spam$test, ]
  x <- as.matrix(tr[, 1:57])
  y <- as.numeric(tr$spam == "spam")
  expect_same_as_earth(x, y, "spam d1")
  expect_same_as_earth(x, y, "spam d2", degree = 2)
})

test_that("a single hinge is recovered exactly (closed form)", {
  x <- matrix(seq(0, 10, length.out = 101), ncol = 1, dimnames = list(NULL, "x"))
  y <- 2 + 3 * pmax(x[, 1] - 4, 0)
  fit <- mars(x, y, threads = 1)
  expect_equal(unname(fitted(fit)), y, tolerance = 1e-10, info = "noise-free hinge fitted exactly")
  expect_true(any(abs(fit$cuts[, 1] - 4) < 1e-12), info = "knot at 4")
  expect_equal(fit$rsq, 1, tolerance = 1e-12, info = "RSq 1")
})

test_that("GCV, RSq and coefficients follow their definitions", {
  d <- friedman_data(150, 6, seed = 2)
  fit <- mars(d$x, d$y, degree = 2, threads = 1)
  n <- nrow(d$x)
  B <- statlearn:::mars_basis(d$x, fit$dirs, fit$cuts)
  ref <- stats::lm.fit(B, d$y)
  expect_equal(unname(fit$coefficients), unname(ref$coefficients), tolerance = 1e-10, info = "lm.fit")
  r <- length(fit$selected)
  m <- r + 3 * (r - 1) / 2
  expect_equal(fit$gcv, sum(ref$residuals^2) / n / (1 - m / n)^2, tolerance = 1e-10, info = "GCV")
  expect_equal(fit$rsq, 1 - sum(ref$residuals^2) / sum((d$y - mean(d$y))^2), tolerance = 1e-10,
               info = "RSq")
  # every pruned size is the best subset found: its RSS equals lm on those terms
  Bf <- statlearn:::mars_basis(d$x, fit$forward_dirs, fit$forward_cuts)
  for (k in c(2, 5, nrow(fit$forward_dirs))) {
    terms <- fit$prune_terms[k, seq_len(k)]
    expect_equal(unname(model.matrix(fit, d$x, size = k)), unname(Bf[, terms, drop = FALSE]),
                 info = paste("model.matrix size", k))
    rss <- sum(stats::lm.fit(Bf[, terms, drop = FALSE], d$y)$residuals^2)
    expect_equal(fit$rss_path[k], rss, tolerance = 1e-9, info = paste("pruning RSS size", k))
  }
  # the selected size minimises the GCV path
  expect_equal(length(fit$selected), which.min(fit$gcv_path), info = "selected size")
  nop <- mars(d$x, d$y, degree = 2, prune = FALSE, threads = 1)
  expect_equal(length(nop$selected), nrow(nop$forward_dirs), info = "prune = FALSE keeps all")
})

test_that("mars gives identical fits with 1 and 2 threads", {
  d <- friedman_data(300, 12, seed = 3)
  a <- mars(d$x, d$y, degree = 2, threads = 1)
  b <- mars(d$x, d$y, degree = 2, threads = 2)
  expect_identical(a$forward_cuts, b$forward_cuts)
  expect_identical(a$coefficients, b$coefficients)
  expect_identical(a$rss_path, b$rss_path)
  w <- rep(c(1, 3), 150)
  aw <- mars(d$x, d$y, weights = w, degree = 2, threads = 1)
  bw <- mars(d$x, d$y, weights = w, degree = 2, threads = 2)
  expect_identical(aw$coefficients, bw$coefficients)
})

test_that("formula and x/y interfaces agree; predict, saveRDS round trip", {
  d <- friedman_data(120, 5, seed = 4)
  df <- data.frame(d$x, y = d$y)
  f1 <- mars(y ~ ., data = df, degree = 2, threads = 1)
  f2 <- mars(d$x, d$y, degree = 2, threads = 1)
  expect_equal(f1$coefficients, f2$coefficients, info = "formula = x/y")
  expect_equal(predict(f1, df[1:5, ]), predict(f2, d$x[1:5, ]), ignore_attr = TRUE,
               info = "predict formula = x/y")
  expect_equal(unname(predict(f2)), unname(fitted(f2)), info = "predict() without newdata")
  expect_equal(unname(residuals(f2)), unname(d$y - fitted(f2)), tolerance = 1e-12,
               info = "residuals")
  expect_equal(coef(f2), f2$coefficients, info = "coef")
  path <- tempfile(fileext = ".rds")
  saveRDS(f1, path)
  g <- readRDS(path)
  expect_identical(predict(g, df), predict(f1, df), info = "saveRDS round trip")
  expect_output(print(f1), "GCV")
  expect_output(print(summary(f1)), "RSq")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_silent(plot(f1))
  expect_silent(plot(f2, which = "functions"))
})

test_that("weights: equal weights give the unweighted fit, integer weights match lm", {
  d <- friedman_data(150, 5, seed = 5)
  a <- mars(d$x, d$y, threads = 1)
  b <- mars(d$x, d$y, weights = rep(3, 150), threads = 1)
  expect_equal(a$coefficients, b$coefficients, info = "constant weights")
  w <- rep(1:3, 50)
  fw <- mars(d$x, d$y, weights = w, threads = 1)
  B <- statlearn:::mars_basis(d$x, fw$dirs, fw$cuts)
  ref <- stats::lm.wfit(B, d$y, w)
  expect_equal(unname(fw$coefficients), unname(ref$coefficients), tolerance = 1e-10,
               info = "weighted coefficients are weighted least squares on the basis")
})

test_that("weighted mars matches earth's weighted fit", {
  skip_if_not_installed("earth")
  for (s in 1:3) {
    d <- friedman_data(200, 6, seed = 10 + s)
    w <- rep(c(1, 2, 4, 0.5), 50)
    for (degree in 1:2) {
      label <- sprintf("weighted friedman seed %d degree %d", s, degree)
      ours <- mars(d$x, d$y, weights = w, degree = degree, threads = 1)
      ref <- earth::earth(d$x, d$y, weights = w, degree = degree, pmethod = "backward")
      expect_equal(unname(ours$forward_dirs), unname(ref$dirs) + 0L, info = paste(label, "dirs"))
      expect_equal(unname(ours$forward_cuts), unname(ref$cuts), tolerance = 1e-12,
                   info = paste(label, "cuts"))
      expect_equal(ours$selected, ref$selected.terms, info = paste(label, "selected"))
      expect_equal(unname(ours$coefficients), unname(drop(ref$coefficients)), tolerance = 1e-8,
                   info = paste(label, "coefficients"))
      expect_equal(ours$gcv, ref$gcv, tolerance = 1e-8, info = paste(label, "GCV"))
      expect_equal(ours$rss_path, ref$rss.per.subset, tolerance = 1e-8, info = paste(label, "RSS path"))
    }
  }
  x <- as.matrix(datasets::trees[, 1:2])
  w <- seq(0.5, 2, length.out = 31)
  ours <- mars(x, datasets::trees$Volume, weights = w, degree = 2, threads = 1)
  ref <- earth::earth(x, datasets::trees$Volume, weights = w, degree = 2, pmethod = "backward")
  expect_equal(unname(ours$coefficients), unname(drop(ref$coefficients)), tolerance = 1e-8,
               info = "weighted trees degree 2")
})

test_that("formula with a factor input matches earth", {
  skip_if_not_installed("earth")
  ours <- mars(Sepal.Length ~ ., data = datasets::iris, degree = 2, threads = 1)
  ref <- earth::earth(Sepal.Length ~ ., data = datasets::iris, degree = 2)
  expect_equal(unname(coef(ours)), unname(drop(ref$coefficients)), tolerance = 1e-8,
               info = "iris coefficients")
  expect_equal(unname(predict(ours, datasets::iris[1:20, ])),
               unname(drop(stats::predict(ref, datasets::iris[1:20, ]))), tolerance = 1e-8,
               info = "iris predictions")
})

test_that("binomial MARS matches earth's glm on the selected terms", {
  skip_if_not_installed("earth")
  data("SAheart", package = "statlearn", envir = environment())
  x <- as.matrix(SAheart[, c("sbp", "tobacco", "ldl", "adiposity", "typea", "obesity",
                             "alcohol", "age")])
  y <- SAheart$chd
  fit <- mars(x, y, family = "binomial", threads = 1)
  ref <- earth::earth(x, y, glm = list(family = stats::binomial), pmethod = "backward")
  expect_equal(fit$selected, ref$selected.terms, info = "selected terms")
  expect_equal(unname(coef(fit)), unname(drop(ref$glm.coefficients)), tolerance = 1e-6,
               info = "glm coefficients")
  expect_equal(unname(predict(fit, x, type = "response")),
               unname(drop(stats::predict(ref, x, type = "response"))), tolerance = 1e-6,
               info = "probabilities")
  expect_equal(unname(predict(fit, x, type = "link")),
               unname(drop(stats::predict(ref, x, type = "link"))), tolerance = 1e-6,
               info = "link")
  yf <- factor(ifelse(y == 1, "chd", "none"), levels = c("none", "chd"))
  f2 <- mars(x, yf, family = "binomial", threads = 1)
  expect_equal(coef(f2), coef(fit), info = "factor response = 0/1 response")
})

test_that("mars rejects bad input with classed errors", {
  d <- friedman_data(50, 5)
  expect_statlearn_error(mars(d$x, d$y[-1]), "statlearn_error_length", "y")
  x <- d$x
  x[2, 1] <- NA
  expect_statlearn_error(mars(x, d$y), "statlearn_error_nonfinite", "x")
  y <- d$y
  y[3] <- NA
  expect_statlearn_error(mars(d$x, y), "statlearn_error_nonfinite", "y")
  expect_statlearn_error(mars(d$x, d$y, degree = 0), "statlearn_error_range", "degree")
  expect_statlearn_error(mars(d$x, d$y, degree = 101), "statlearn_error_range", "degree")
  expect_statlearn_error(mars(d$x, d$y, max_terms = 0), "statlearn_error_range", "max_terms")
  expect_statlearn_error(mars(d$x, d$y, penalty = -2), "statlearn_error_range", "penalty")
  expect_statlearn_error(mars(d$x, d$y, thresh = 1), "statlearn_error_range", "thresh")
  expect_statlearn_error(mars(d$x, d$y, end_span = -1), "statlearn_error_range", "end_span")
  expect_statlearn_error(mars(d$x, rep(1, 50)), "statlearn_error_constant", "y")
  expect_statlearn_error(mars(d$x, d$y, family = "poisson"), "statlearn_error_range", "family")
  expect_statlearn_error(mars(d$x, d$y, family = "binomial"), "statlearn_error_range", "y")
  expect_statlearn_error(mars(d$x, d$y, weights = rep(-1, 50)), "statlearn_error_range", "weights")
  expect_statlearn_error(mars(d$x, d$y, foo = 1), "statlearn_error_argument", "foo")
  fit <- mars(d$x, d$y, threads = 1)
  expect_statlearn_error(predict(fit, d$x[, 1:2]), "statlearn_error_dimension", "newdata")
  expect_statlearn_error(predict(fit, d$x, type = "class"), "statlearn_error_range", "type")
})

test_that("constant columns, p > n and max_terms < 3 are handled", {
  d <- friedman_data(60, 5)
  x <- cbind(d$x, const = 5)
  fit <- mars(x, d$y, threads = 1)
  expect_true(all(fit$dirs[, "const"] == 0), info = "a constant column never enters")
  set.seed(9)
  xw <- matrix(stats::rnorm(20 * 40), 20, 40)
  yw <- xw[, 1] + stats::rnorm(20, sd = 0.1)
  fw <- mars(xw, yw, threads = 1)
  expect_true(is.finite(fw$gcv) || fw$gcv == Inf, info = "p > n runs")
  f1 <- mars(d$x, d$y, max_terms = 1, threads = 1)
  expect_equal(unname(coef(f1)), mean(d$y), tolerance = 1e-12, info = "max_terms = 1: intercept")
  if (requireNamespace("earth", quietly = TRUE)) {
    ref <- earth::earth(xw, yw, pmethod = "backward")
    expect_equal(unname(fw$forward_cuts), unname(ref$cuts), tolerance = 1e-12, info = "p > n vs earth")
  }
})
