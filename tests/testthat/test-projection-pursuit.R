# Projection pursuit regression (ESL section 11.2).

# |cosine| of the angle between two directions (1 = the same line).
abs_cos <- function(a, b) abs(sum(a * b)) / sqrt(sum(a^2) * sum(b^2))

# x1 * x2 = ((x1 + x2)^2 - (x1 - x2)^2) / 4: two ridge functions (ESL 11.2).
sim_product <- function(n, sd = 0.2, seed = 1) {
  set.seed(seed)
  x <- matrix(rnorm(n * 2), n, 2, dimnames = list(NULL, c("x1", "x2")))
  list(x = x, y = x[, 1] * x[, 2] + rnorm(n, sd = sd))
}

test_that("a noiseless single-index model gives its direction, on the original scale", {
  set.seed(1)
  n <- 300
  # Inputs in different units: the direction must come back on their scale.
  x <- matrix(rnorm(n * 3), n, 3, dimnames = list(NULL, c("a", "b", "c")))
  x[, 3] <- 10 * x[, 3]
  w0 <- c(1, 2, -0.1)
  w0 <- w0 / sqrt(sum(w0^2))
  y <- sin(drop(x %*% w0))
  # Without noise the smoothness is chosen by GCV (df = NULL): a fixed df = 5
  # spline cannot follow a full period of the sine to R^2 = 0.99.
  fit <- projection_pursuit_regression(x, y, terms = 1, df = NULL)
  a <- coef(fit)[, 1]
  expect_equal(names(a), c("a", "b", "c"))
  expect_lt(min(max(abs(a - w0)), max(abs(a + w0))), 1e-2)
  expect_equal(sum(a^2), 1, tolerance = 1e-12)
  r2 <- 1 - sum(residuals(fit)^2) / sum((y - mean(y))^2)
  expect_gt(r2, 0.99)
  expect_equal(unname(fitted(fit) + residuals(fit)), y, tolerance = 1e-12)
  expect_true(fit$converged)
  # The sign convention: the largest entry of each direction is positive.
  expect_gt(a[which.max(abs(a))], 0)
})

test_that("two terms recover x1 * x2 and beat one term (ESL 11.2)", {
  d <- sim_product(400)
  te <- sim_product(2000, seed = 2)
  f2 <- projection_pursuit_regression(d$x, d$y, terms = 2)
  f1 <- projection_pursuit_regression(d$x, d$y, terms = 1)
  w <- coef(f2)
  expect_equal(dim(w), c(2L, 2L))
  # One direction along (1, 1), the other along (1, -1).
  cosines <- c(max(abs_cos(w[, 1], c(1, 1)), abs_cos(w[, 2], c(1, 1))),
               max(abs_cos(w[, 1], c(1, -1)), abs_cos(w[, 2], c(1, -1))))
  expect_true(all(cosines > 0.995), info = paste(round(cosines, 4), collapse = " "))
  err1 <- mean((predict(f1, te$x) - te$y)^2)
  err2 <- mean((predict(f2, te$x) - te$y)^2)
  expect_lt(err2, 0.25 * err1)
  expect_lt(err2, 2 * 0.2^2)   # near the noise variance 0.04
  # The ridge functions are the two parabolas: g(v) = +-v^2 / 2 along the unit
  # directions, so predict(type = "terms") sums (with the mean) to the fit.
  g <- predict(f2, te$x, type = "terms")
  expect_equal(unname(rowSums(g) + f2$intercept), unname(predict(f2, te$x)), tolerance = 1e-12)
})

test_that("test error is comparable to stats::ppr with spline smoothing", {
  # ESL Exercise 11.5: Y = sigma(a1'X) + (a2'X)^2 + 0.3 Z, and
  # the product model. Ours may be no worse than 1.2 times ppr's test error.
  sim_esl <- function(n, seed) {
    set.seed(seed)
    x <- matrix(rnorm(n * 2), n, 2)
    a1 <- c(3, 3)
    a2 <- c(3, -3)
    f <- 1 / (1 + exp(-drop(x %*% a1))) + drop(x %*% a2)^2
    list(x = x, y = f + rnorm(n, sd = 0.3), f = f)
  }
  for (model in c("sigmoid+square", "product")) {
    tr <- if (model == "product") sim_product(300, seed = 3) else sim_esl(300, 3)
    te <- if (model == "product") sim_product(3000, seed = 4) else sim_esl(3000, 4)
    ours <- projection_pursuit_regression(tr$x, tr$y, terms = 2, df = 5)
    ref <- stats::ppr(tr$x, tr$y, nterms = 2, sm.method = "spline", df = 5)
    e_ours <- mean((predict(ours, te$x) - te$y)^2)
    e_ref <- mean((predict(ref, te$x) - te$y)^2)
    expect_lt(e_ours, 1.2 * e_ref, label = sprintf("%s: ours %.4f vs ppr %.4f", model, e_ours, e_ref))
  }
})

test_that("pruning from max_terms keeps the important terms", {
  d <- sim_product(400)
  fit <- projection_pursuit_regression(d$x, d$y, terms = 2, max_terms = 4)
  expect_equal(ncol(coef(fit)), 2L)
  expect_equal(names(fit$rss_path), as.character(1:4))
  expect_true(is.na(fit$rss_path[1]))
  expect_true(all(diff(fit$rss_path[2:4]) <= 0))
  w <- coef(fit)
  expect_gt(max(abs_cos(w[, 1], c(1, 1)), abs_cos(w[, 2], c(1, 1))), 0.99)
  s <- summary(fit)
  expect_s3_class(s, "summary.statlearn_projection_pursuit")
  expect_output(print(s), "pruned from 4")
  expect_output(print(fit), "Projection pursuit regression: 2 terms")
})

test_that("backfit = FALSE is plain forward stagewise and random starts are seeded", {
  # Two ridge functions along directions that are not orthogonal, plus a
  # linear part: the first term fitted alone is far from either, and
  # backfitting after the second lowers the RSS by a third.
  set.seed(3)
  x <- matrix(rnorm(600), 300)
  y <- sin(x[, 1] + x[, 2]) + (x[, 1] - x[, 2])^2 / 4 + 0.5 * x[, 1] + rnorm(300, sd = 0.1)
  f <- projection_pursuit_regression(x, y, terms = 2, backfit = FALSE)
  fb <- projection_pursuit_regression(x, y, terms = 2)
  expect_false(f$backfit)
  expect_lt(fb$rss, 0.8 * f$rss)
  d <- sim_product(300)
  a <- projection_pursuit_regression(d$x, d$y, terms = 2, starts = 3, seed = 7)
  b <- projection_pursuit_regression(d$x, d$y, terms = 2, starts = 3, seed = 7)
  expect_identical(a$fitted.values, b$fitted.values)
  # A default fit (one start) draws nothing from R's random stream.
  set.seed(5)
  projection_pursuit_regression(d$x, d$y, terms = 1)
  u <- runif(1)
  set.seed(5)
  expect_identical(runif(1), u)
})

test_that("formula and matrix interfaces give identical fits", {
  d <- sim_product(200)
  df <- data.frame(y = d$y, d$x)
  fm <- projection_pursuit_regression(y ~ x1 + x2, data = df, terms = 2)
  fx <- projection_pursuit_regression(d$x, d$y, terms = 2)
  expect_identical(unname(fm$fitted.values), unname(fx$fitted.values))
  expect_identical(coef(fm), coef(fx))
  expect_identical(unname(predict(fm, df[1:7, ])), unname(predict(fx, d$x[1:7, ])))
  # Zero weights are as dropping the rows, up to the spline's knots (the
  # zero-weight projections still place knots).
  w <- rep(1, 200)
  w[1:20] <- 0
  fw <- projection_pursuit_regression(y ~ x1 + x2, data = df, weights = w, terms = 1)
  fs <- projection_pursuit_regression(y ~ x1 + x2, data = df[-(1:20), ], terms = 1)
  expect_equal(coef(fw), coef(fs), tolerance = 1e-3)
})

test_that("predict rebuilds a design with factors from new data", {
  set.seed(11)
  n <- 300
  df <- data.frame(x1 = rnorm(n), x2 = rnorm(n), g = factor(sample(c("a", "b", "c"), n, TRUE)))
  df$y <- df$x1 * df$x2 + c(a = 0, b = 1, c = -1)[as.character(df$g)] + rnorm(n, sd = 0.1)
  fit <- projection_pursuit_regression(y ~ x1 + x2 + g, data = df, terms = 3)
  expect_equal(rownames(coef(fit)), c("x1", "x2", "gb", "gc"))
  expect_equal(unname(predict(fit, df[1:10, ])), unname(fitted(fit)[1:10]), tolerance = 1e-10)
  # A single row with only one of the levels.
  expect_equal(unname(predict(fit, df[5, ])), unname(fitted(fit)[5]), tolerance = 1e-10)
  new <- df[1:2, ]
  new$g <- factor(c("a", "z"))
  expect_statlearn_error(predict(fit, new), "statlearn_error_level", "z")
  expect_statlearn_error(predict(fit, as.matrix(df[1:3, 1:2])), "statlearn_error_type")
  # Matrix fits check the columns of newdata.
  fx <- projection_pursuit_regression(as.matrix(df[c("x1", "x2")]), df$y, terms = 1)
  expect_statlearn_error(predict(fx, matrix(0, 2, 3)), "statlearn_error_dimension")
})

test_that("bad inputs give classed errors naming the argument", {
  d <- sim_product(50)
  ppr_ <- function(...) projection_pursuit_regression(...)
  xna <- d$x
  xna[3, 2] <- NA
  expect_statlearn_error(ppr_(xna, d$y), "statlearn_error_nonfinite", "`x`")
  expect_statlearn_error(ppr_(d$x, replace(d$y, 4, NA)), "statlearn_error_nonfinite", "`y`")
  expect_statlearn_error(ppr_(d$x, d$y, terms = 0), "statlearn_error_range", "`terms`")
  expect_statlearn_error(ppr_(d$x, d$y, terms = 1.5), "statlearn_error_type", "`terms`")
  expect_statlearn_error(ppr_(d$x, d$y, terms = "2"), "statlearn_error_type", "`terms`")
  expect_statlearn_error(ppr_(d$x, d$y, terms = 3, max_terms = 2), "statlearn_error_range", "`max_terms`")
  expect_statlearn_error(ppr_(d$x, d$y, df = 0.5), "statlearn_error_range", "`df`")
  expect_statlearn_error(ppr_(d$x, d$y, df = 1), "statlearn_error_range", "`df`")
  expect_statlearn_error(ppr_(d$x, d$y, df = 50), "statlearn_error_range", "`df`")
  expect_statlearn_error(ppr_(d$x, d$y[-1]), "statlearn_error_length", "`y`")
  expect_statlearn_error(ppr_(d$x, d$y, weights = rep(1, 3)), "statlearn_error_length", "`weights`")
  expect_statlearn_error(ppr_(d$x, d$y, max_iter = 0), "statlearn_error_range", "`max_iter`")
  expect_statlearn_error(ppr_(d$x, d$y, tol = 0), "statlearn_error_range", "`tol`")
  expect_statlearn_error(ppr_(d$x, d$y, backfit = NA), "statlearn_error_type", "`backfit`")
  expect_statlearn_error(ppr_(d$x, d$y, starts = 0), "statlearn_error_range", "`starts`")
  expect_statlearn_error(ppr_(d$x, d$y, seed = -1), "statlearn_error_range", "`seed`")
  expect_statlearn_error(ppr_(cbind(d$x, 1), d$y), "statlearn_error_constant", "`x`")
  expect_statlearn_error(ppr_(d$x, rep(1, 50)), "statlearn_error_constant", "`y`")
  expect_statlearn_error(ppr_(d$x, d$y, nterms = 2), "statlearn_error_argument", "nterms")
  # p >= n is refused: each direction is a least-squares fit of p coefficients.
  expect_statlearn_error(ppr_(matrix(rnorm(60), 5, 12), rnorm(5)), "statlearn_error_dimension", "`x`")
  # A binary input alone gives a projection with two values: nothing to smooth.
  expect_statlearn_error(ppr_(cbind(rep(0:1, 25)), d$y), "statlearn_error_smoother", "distinct")
  df <- data.frame(y = d$y, d$x)
  expect_statlearn_error(ppr_(y ~ x1 + x2, data = df, nterms = 2), "statlearn_error_argument", "nterms")
  expect_statlearn_error(ppr_(y ~ 1, data = df), "statlearn_error_formula", "`formula`")
  expect_statlearn_error(predict(ppr_(d$x, d$y, terms = 1), d$x, type = "link"), "statlearn_error_range", "`type`")
  expect_s3_class(tryCatch(ppr_(d$x, d$y, terms = 0), error = identity), "statlearn_error")
})

test_that("saveRDS round trip gives identical predictions, also in a fresh R process", {
  d <- sim_product(200)
  df <- data.frame(y = d$y, d$x)
  fit <- projection_pursuit_regression(y ~ x1 + x2, data = df, terms = 2)
  expect_identical(predict(round_trip(fit), df), predict(fit, df))
  skip_on_cran()
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(list(fit = fit, df = df), f)
  out <- run_in_fresh_r(c(
    "library(statlearn)",
    sprintf("o <- readRDS('%s')", f),
    "cat(sprintf('%a', predict(o$fit, o$df)))"))
  expect_identical(out, paste(sprintf("%a", predict(fit, df)), collapse = " "))
})

test_that("plot draws one panel per term", {
  d <- sim_product(200)
  fit <- projection_pursuit_regression(d$x, d$y, terms = 2)
  f <- tempfile(fileext = ".pdf")
  grDevices::pdf(f)
  on.exit({
    grDevices::dev.off()
    unlink(f)
  })
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, which = 2, residuals = FALSE))
  expect_statlearn_error(plot(fit, which = 3), "statlearn_error_range", "`which`")
})
