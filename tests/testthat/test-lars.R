# Least angle regression, lasso and stagewise paths (ESL 3.4.4).

lars_prostate <- function() statlearn::prostate  # shipped data (ESL 3.2.1)

lars_diabetes <- function() {
  e <- new.env()
  utils::data("diabetes", package = "lars", envir = e)
  x <- unclass(e$diabetes$x); class(x) <- "matrix"
  list(x = x, y = e$diabetes$y)
}

# Correlations of the scaled predictors with the residual at every breakpoint.
lars_correlations <- function(fit, x, y) {
  xs <- scale(x, fit$xmean, fit$xscale)
  B <- coef(fit)
  r <- y - (x %*% B[-1, , drop = FALSE] + rep(B[1, ], each = nrow(x)))
  crossprod(xs, r) / nrow(x)
}

expect_same_path <- function(fit, ref, label) {
  expect_equal(ncol(fit$beta), nrow(ref$beta), info = paste(label, "number of steps"))
  expect_equal(unname(t(fit$beta)), matrix(unname(ref$beta), nrow(ref$beta)), tolerance = 1e-8,
               info = paste(label, "coefficients at every breakpoint"))
  expect_equal(unname(fit$a0), unname(ref$mu - drop(ref$beta %*% ref$meanx)), tolerance = 1e-8,
               info = paste(label, "intercepts"))
}

test_that("lar and lasso paths match the lars package", {
  skip_if_not_installed("lars")
  dia <- lars_diabetes()
  sims <- list(diabetes = dia, sim = sim_linear(n = 60, p = 12, seed = 7),
               wide = sim_linear(n = 20, p = 35, nonzero = 4, seed = 9))
  for (nm in names(sims)) {
    d <- sims[[nm]]
    for (type in c("lar", "lasso")) {
      fit <- lars(d$x, d$y, type = type, threads = 1)
      ref <- lars::lars(d$x, d$y, type = type)
      expect_same_path(fit, ref, paste(nm, type))
    }
  }
  # the lasso on diabetes drops hdl and takes it back: one more step than LAR
  fit <- lars(dia$x, dia$y, type = "lasso", threads = 1)
  expect_true(any(grepl("-hdl", fit$actions)))
  expect_equal(ncol(fit$beta), 13L)
})

test_that("stagewise matches the lars package on diabetes and prostate", {
  skip_if_not_installed("lars")
  dia <- lars_diabetes()
  fit <- lars(dia$x, dia$y, type = "stagewise", threads = 1)
  ref <- lars::lars(dia$x, dia$y, type = "forward.stagewise")
  expect_same_path(fit, ref, "diabetes stagewise")
  pr <- lars_prostate()
  X <- as.matrix(pr[, 1:8])
  fit <- lars(X, pr$lpsa, type = "stagewise", threads = 1)
  ref <- lars::lars(X, pr$lpsa, type = "forward.stagewise")
  expect_same_path(fit, ref, "prostate stagewise")
})

test_that("LAR invariants: equal active correlations, which dominate the inactive ones", {
  for (seed in 1:3) {
    d <- sim_linear(n = 50, p = 10, seed = seed)
    for (type in c("lar", "lasso", "stagewise")) {
      fit <- lars(d$x, d$y, type = type, threads = 1)
      cr <- lars_correlations(fit, d$x, d$y)
      K <- ncol(cr)
      for (k in 2:(K - 1)) {
        act <- fit$beta[, k] != 0
        C <- max(abs(cr[, k]))
        expect_equal(C, fit$lambda[k], tolerance = 1e-8, info = paste(type, seed, "lambda", k))
        if (type != "stagewise") {
          expect_equal(unname(abs(cr[act, k])), rep(C, sum(act)), tolerance = 1e-8,
                       info = paste(type, seed, "equiangular at step", k))
          # lasso: signs of the coefficients agree with the correlations
          if (type == "lasso") {
            expect_true(all(sign(fit$beta[act, k]) == sign(cr[act, k])),
                        info = paste("lasso sign condition at step", k))
          }
        }
        expect_true(all(abs(cr[, k]) <= C * (1 + 1e-10)))
      }
      expect_lt(max(abs(cr[, K])), 1e-8)  # the end of the path is least squares
      expect_equal(unname(coef(fit, s = 1)), unname(coef(lm(d$y ~ d$x))), tolerance = 1e-8)
    }
    # lambda decreases along the lar path
    fit <- lars(d$x, d$y, type = "lar", threads = 1)
    expect_true(all(diff(fit$lambda) < 0))
    expect_identical(fit$df, 0:10)
  }
})

test_that("the lasso path solves the lasso problem (KKT and coordinate descent)", {
  d <- sim_linear(n = 80, p = 8, seed = 13)
  fit <- lars(d$x, d$y, type = "lasso", threads = 1)
  lam <- mean(fit$lambda[3:4])
  b <- coef(fit, lambda = lam)
  # KKT on the scaled predictors: |x_j'r|/n = lambda where beta_j != 0, <= otherwise
  xs <- scale(d$x, fit$xmean, fit$xscale)
  r <- d$y - b[1] - drop(d$x %*% b[-1])
  g <- drop(crossprod(xs, r)) / nrow(d$x)
  act <- b[-1] != 0
  expect_equal(unname(abs(g[act])), rep(lam, sum(act)), tolerance = 1e-8)
  expect_equal(unname(sign(g[act])), unname(sign(b[-1][act])))
  expect_true(all(abs(g[!act]) <= lam + 1e-10))
  # brute-force coordinate descent on the same problem
  yc <- d$y - mean(d$y)
  bs <- rep(0, ncol(xs))
  for (it in 1:5000) {
    for (j in seq_along(bs)) {
      rj <- yc - xs[, -j, drop = FALSE] %*% bs[-j]
      z <- sum(xs[, j] * rj) / nrow(xs)
      bs[j] <- sign(z) * max(abs(z) - lam, 0) / (sum(xs[, j]^2) / nrow(xs))
    }
  }
  expect_equal(unname(bs / fit$xscale), unname(b[-1]), tolerance = 1e-8,
               info = "lasso at one lambda = coordinate descent")
})

test_that("coef() selects by s, step and lambda; the path is piecewise linear", {
  d <- sim_linear(n = 40, p = 6, seed = 2)
  fit <- lars(d$x, d$y, type = "lasso", threads = 1)
  expect_identical(fit$tuning_name, "s")
  expect_equal(fit$tuning[1], 0)
  expect_equal(fit$tuning[length(fit$tuning)], 1)
  expect_equal(coef(fit, step = 2), coef(fit)[, 3], ignore_attr = TRUE)
  expect_equal(coef(fit, s = fit$tuning[3]), coef(fit, step = 2), tolerance = 1e-12)
  mid <- coef(fit, s = mean(fit$tuning[3:4]))
  expect_equal(unname(mid), unname((coef(fit, step = 2) + coef(fit, step = 3)) / 2), tolerance = 1e-10)
  expect_equal(sum(abs(mid[-1])) / sum(abs(coef(fit, s = 1)[-1])), mean(fit$tuning[3:4]),
               tolerance = 1e-10)
  expect_equal(coef(fit, lambda = fit$lambda[4]), coef(fit, step = 3), tolerance = 1e-10)
  expect_equal(dim(coef(fit, s = c(0.2, 0.5))), c(7L, 2L))
  expect_equal(names(fit$axes), c("s", "step", "lambda", "df", "norm", "arc_length"))
  expect_length(fit$Cp, length(fit$tuning))
  expect_equal(fit$Cp[length(fit$Cp)], 7, tolerance = 1e-8)  # Cp = p + 1 at the full model
  expect_error(coef(fit, s = 2), class = "statlearn_error_range")
  expect_error(coef(fit, step = 99), class = "statlearn_error_range")
  expect_error(coef(fit, s = 0.5, step = 1), class = "statlearn_error_input")
})

test_that("ESL Figure 3.15: LAR and lasso on prostate agree until a coefficient crosses zero", {
  pr <- lars_prostate()
  X <- scale(as.matrix(pr[, 1:8]))
  tr <- pr$train
  lar_fit <- lars(X[tr, ], pr$lpsa[tr], type = "lar", threads = 1)
  las_fit <- lars(X[tr, ], pr$lpsa[tr], type = "lasso", threads = 1)
  expect_identical(lar_fit$actions[1:4], c("", "+lcavol", "+lweight", "+svi"))
  # identical until the first lasso drop
  k <- which(grepl("-", las_fit$actions))[1]
  if (is.na(k)) k <- ncol(las_fit$beta)
  expect_equal(lar_fit$beta[, 1:(k - 1)], las_fit$beta[, 1:(k - 1)], tolerance = 1e-10)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_no_error(plot(las_fit, xvar = "s"))
})

test_that("weights, formula interface, threads, round trip, cross-validation", {
  d <- sim_linear(n = 2000, p = 12, seed = 5)
  w <- rep(1:2, length.out = 2000)
  idx <- rep(seq_len(2000), w)
  fw <- lars(d$x, d$y, weights = w, type = "lasso", threads = 1)
  fr <- lars(d$x[idx, ], d$y[idx], type = "lasso", threads = 1)
  expect_equal(coef(fw), coef(fr), tolerance = 1e-8, info = "weights = replicated rows")
  f1 <- lars(d$x, d$y, type = "lasso", threads = 1)
  f2 <- lars(d$x, d$y, type = "lasso", threads = 2)
  expect_identical(coef(f1), coef(f2))
  df <- data.frame(y = d$y, d$x)
  ff <- lars(y ~ ., data = df, type = "lasso", threads = 1)
  expect_equal(coef(ff), coef(f1), tolerance = 1e-12)
  expect_equal(unname(predict(ff, df[1:4, ], s = 0.3)), unname(predict(f1, d$x[1:4, ], s = 0.3)),
               tolerance = 1e-12)
  rt <- round_trip(ff)
  expect_identical(predict(rt, df[1:4, ], s = 0.3), predict(ff, df[1:4, ], s = 0.3))
  expect_output(print(ff), "points")
  expect_true("Cp" %in% names(summary(ff)$table))
  small <- sim_linear(n = 50, p = 6, seed = 6)
  fs <- lars(small$x, small$y, type = "lar", threads = 1)
  set.seed(3); cv1 <- cross_validate(fs, folds = 5, threads = 1)
  set.seed(3); cv2 <- cross_validate(fs, folds = 5, threads = 1)
  expect_identical(cv1$cvm, cv2$cvm)
  expect_length(cv1$cvm, length(fs$tuning))
  expect_length(coef(cv1), 7L)
  # without intercept
  f0 <- lars(d$x, d$y, intercept = FALSE, standardize = FALSE, threads = 1)
  expect_equal(unname(coef(f0, s = 1)[-1]), unname(coef(lm(d$y ~ d$x - 1))), tolerance = 1e-8)
  expect_equal(unname(f0$a0), rep(0, length(f0$a0)))
})

test_that("1 and 2 threads give identical bits over several row chunks", {
  d <- sim_linear(n = 6000, p = 100, seed = 32)  # 3 chunks of rows
  f1 <- lars(d$x, d$y, type = "lasso", threads = 1)
  f2 <- lars(d$x, d$y, type = "lasso", threads = 2)
  expect_identical(f1$beta, f2$beta)
  expect_identical(f1$a0, f2$a0)
})

test_that("bad input raises classed errors", {
  d <- sim_linear(n = 20, p = 4, seed = 1)
  expect_error(lars(d$x, d$y, type = "ridge", threads = 1), class = "statlearn_error_input")
  expect_error(lars(d$x, d$y[-1], threads = 1), class = "statlearn_error_length")
  expect_error(lars(d$x, d$y, max_steps = 0, threads = 1), class = "statlearn_error_input")
  expect_error(lars(d$x, d$y, intercept = "yes", threads = 1), class = "statlearn_error_input")
  x <- d$x; x[1, 1] <- Inf
  expect_error(lars(x, d$y, threads = 1), class = "statlearn_error_nonfinite")
  expect_error(lars(d$x, as.character(d$y), threads = 1), class = "statlearn_error_type")
})
