# Principal components regression and partial least squares (ESL 3.5).

derived_prostate <- function() statlearn::prostate  # shipped data (ESL 3.2.1)

pls_reference <- function(fun, x, y, ncomp, method) {
  ref <- fun(y ~ x, ncomp = ncomp, scale = TRUE, method = method)
  sdx <- apply(x, 2, stats::sd)
  list(fit = ref, coef = function(k) drop(stats::coef(ref, ncomp = k)) / sdx)
}

test_that("pcr matches pls::pcr (svdpc) for every ncomp", {
  skip_if_not_installed("pls")
  d <- sim_linear(n = 80, p = 9, seed = 11)
  xt <- sim_linear(n = 15, p = 9, seed = 12)$x
  fit <- pcr(d$x, d$y, threads = 1)
  expect_identical(fit$tuning, 0:9)
  ref <- pls_reference(pls::pcr, d$x, d$y, 9, "svdpc")
  pr <- predict(fit, xt)
  for (k in 1:9) {
    expect_equal(unname(coef(fit, ncomp = k)[-1]), unname(ref$coef(k)), tolerance = 1e-8,
                 info = paste("pcr coef ncomp", k))
    expect_equal(unname(pr[, k + 1]), unname(drop(predict(ref$fit, newdata = list(x = xt), ncomp = k))),
                 tolerance = 1e-8, info = paste("pcr prediction ncomp", k))
  }
  expect_equal(unname(pr[, 1]), rep(mean(d$y), nrow(xt)), tolerance = 1e-12)
})

test_that("plsr matches pls::plsr (oscorespls and kernelpls) for every ncomp", {
  skip_if_not_installed("pls")
  d <- sim_linear(n = 70, p = 12, seed = 21)
  xt <- sim_linear(n = 10, p = 12, seed = 22)$x
  fit <- plsr(d$x, d$y, threads = 1)
  pr <- predict(fit, xt)
  for (method in c("oscorespls", "kernelpls")) {
    ref <- pls_reference(pls::plsr, d$x, d$y, 12, method)
    for (k in 1:12) {
      expect_equal(unname(coef(fit, ncomp = k)[-1]), unname(ref$coef(k)), tolerance = 1e-8,
                   info = paste(method, "coef ncomp", k))
      expect_equal(unname(pr[, k + 1]),
                   unname(drop(predict(ref$fit, newdata = list(x = xt), ncomp = k))),
                   tolerance = 1e-8, info = paste(method, "prediction ncomp", k))
    }
  }
  # explained variance of X agrees with pls
  ref <- pls::plsr(d$y ~ d$x, ncomp = 12, scale = TRUE, method = "oscorespls")
  expect_equal(unname(fit$explained$X), unname(pls::explvar(ref)), tolerance = 1e-8)
})

test_that("unscaled fits match pls with scale = FALSE, and the full model is least squares", {
  skip_if_not_installed("pls")
  d <- sim_linear(n = 50, p = 6, seed = 5)
  d$x[, 3] <- 10 * d$x[, 3]
  for (m in c("pcr", "plsr")) {
    fit <- get(m)(d$x, d$y, standardize = FALSE, threads = 1)
    ref <- get(m, asNamespace("pls"))(d$y ~ d$x, ncomp = 6, scale = FALSE)
    for (k in 1:6) {
      expect_equal(unname(coef(fit, ncomp = k)[-1]), unname(drop(coef(ref, ncomp = k))),
                   tolerance = 1e-8, info = paste(m, "unscaled ncomp", k))
    }
    expect_equal(unname(coef(fit, ncomp = 6)), unname(coef(lm(d$y ~ d$x))), tolerance = 1e-8,
                 info = paste(m, "full model = lm"))
  }
})

test_that("pcr and plsr on prostate match pls and reproduce ESL Table 3.3", {
  skip_if_not_installed("pls")
  pr <- derived_prostate()
  X <- as.matrix(pr[, 1:8])
  y <- pr$lpsa
  for (m in c("pcr", "plsr")) {
    fit <- get(m)(X, y, threads = 1)
    ref <- pls_reference(get(m, asNamespace("pls")), X, y, 8,
                         if (m == "pcr") "svdpc" else "oscorespls")
    for (k in 1:8) {
      expect_equal(unname(coef(fit, ncomp = k)[-1]), unname(ref$coef(k)), tolerance = 1e-8,
                   info = paste(m, "prostate ncomp", k))
    }
  }
  # Table 3.3: predictors standardised over all 97 rows, fitted on the 67
  # training rows; book test errors 0.448 (PCR, 7 directions), 0.528 (PLS, 2).
  Xs <- scale(X)
  tr <- pr$train
  fpcr <- pcr(Xs[tr, ], y[tr], standardize = FALSE, threads = 1)
  fpls <- plsr(Xs[tr, ], y[tr], standardize = FALSE, threads = 1)
  err_pcr <- mean((y[!tr] - predict(fpcr, Xs[!tr, ], ncomp = 7))^2)
  err_pls <- mean((y[!tr] - predict(fpls, Xs[!tr, ], ncomp = 2))^2)
  expect_equal(err_pcr, 0.448, tolerance = 0.005 / 0.448, info = "ESL Table 3.3 PCR test error")
  expect_equal(err_pls, 0.528, tolerance = 0.005 / 0.528, info = "ESL Table 3.3 PLS test error")
  # the book's PLS coefficients (Table 3.3, slopes)
  expect_equal(unname(round(coef(fpls, ncomp = 2)[-1], 2)),
               c(0.42, 0.34, -0.03, 0.22, 0.24, 0.08, 0.01, 0.08), tolerance = 0.011)
})

test_that("weights act as replicated rows", {
  d <- sim_linear(n = 40, p = 5, seed = 8)
  w <- rep(1:2, length.out = 40)
  idx <- rep(seq_len(40), w)
  for (m in c("pcr", "plsr")) {
    fw <- get(m)(d$x, d$y, weights = w, threads = 1)
    fr <- get(m)(d$x[idx, ], d$y[idx], ncomp = 5, threads = 1)
    expect_equal(coef(fw), coef(fr), tolerance = 1e-10, info = paste(m, "weights"))
  }
})

test_that("formula = matrix interface, threads, round trip and summary", {
  d <- sim_linear(n = 3000, p = 15, seed = 3)
  df <- data.frame(y = d$y, d$x)
  for (m in c("pcr", "plsr")) {
    f1 <- get(m)(d$x, d$y, ncomp = 10, threads = 1)
    f2 <- get(m)(d$x, d$y, ncomp = 10, threads = 2)
    expect_identical(coef(f1), coef(f2), info = paste(m, "1 vs 2 threads"))
    ff <- get(m)(y ~ ., data = df, ncomp = 10, threads = 1)
    expect_equal(coef(ff), coef(f1), tolerance = 1e-12, info = paste(m, "formula"))
    expect_equal(unname(predict(ff, df[1:5, ], ncomp = 4)),
                 unname(predict(f1, d$x[1:5, ], ncomp = 4)), tolerance = 1e-12)
    rt <- round_trip(ff)
    expect_identical(predict(rt, df[1:5, ]), predict(ff, df[1:5, ]))
    s <- summary(ff)
    expect_s3_class(s, "summary.statlearn_derived")
    expect_equal(nrow(s$explained), 10L)
    expect_true(all(diff(s$explained$X_cumulative) >= -1e-12))
    expect_output(print(s), "explained")
    expect_output(print(ff), "points")
    # scores from the stored directions
    sc <- scale(d$x, ff$xmean, ff$xscale) %*% ff$directions
    expect_equal(unname(crossprod(sc)[1, 2]), 0, tolerance = 1e-8)
  }
})

test_that("1 and 2 threads give identical bits over several row chunks", {
  d <- sim_linear(n = 6000, p = 100, seed = 31)  # 3 chunks of rows
  for (m in c("pcr", "plsr")) {
    f1 <- get(m)(d$x, d$y, ncomp = 20, threads = 1)
    f2 <- get(m)(d$x, d$y, ncomp = 20, threads = 2)
    expect_identical(f1$beta, f2$beta, info = m)
    expect_identical(f1$a0, f2$a0, info = m)
  }
})

test_that("cross_validate runs and is reproducible", {
  d <- sim_linear(n = 60, p = 6, seed = 4)
  fit <- plsr(d$x, d$y, threads = 1)
  set.seed(1); cv1 <- cross_validate(fit, folds = 5, threads = 1)
  set.seed(1); cv2 <- cross_validate(fit, folds = 5, threads = 1)
  expect_identical(cv1$cvm, cv2$cvm)
  expect_length(cv1$cvm, 7L)
  expect_true(cv1$tuning_min %in% 0:6)
  fit2 <- pcr(d$x, d$y, ncomp = 3, threads = 1)
  set.seed(2); cv3 <- cross_validate(fit2, folds = 4, threads = 1)
  expect_length(cv3$cvm, 4L)
  expect_length(coef(cv3), 7L)
})

test_that("bad input raises classed errors", {
  d <- sim_linear(n = 20, p = 4, seed = 1)
  expect_error(pcr(d$x, d$y, ncomp = 5, threads = 1), class = "statlearn_error_input")
  expect_error(pcr(d$x, d$y, ncomp = 0, threads = 1), class = "statlearn_error_input")
  expect_error(plsr(d$x, d$y[-1], threads = 1), class = "statlearn_error_length")
  x <- d$x; x[2, 2] <- NA
  expect_error(plsr(x, d$y, threads = 1), class = "statlearn_error_nonfinite")
  expect_error(plsr(d$x, d$y, standardize = NA, threads = 1), class = "statlearn_error_input")
  expect_error(pcr(d$x, d$y, weights = rep(-1, 20), threads = 1), class = "statlearn_error_input")
  fit <- pcr(d$x, d$y, threads = 1)
  expect_error(coef(fit, ncomp = 7), class = "statlearn_error_range")
  expect_error(predict(fit, d$x[, 1:3]), class = "statlearn_error_input")
})

test_that("pcr, plsr and lars need no p x p matrix per row chunk (peak memory)", {
  skip_if_not(full_tests(), "set STATLEARN_TEST_LEVEL=full")
  skip_if_not(file.exists("/proc/self/status"), "needs Linux's /proc")
  # In a fresh R process: the rise of the resident high-water mark during a
  # fit. The cross products once kept one p x p partial per row chunk (n / 262
  # of them at p = 1000: +300 MB); now the Gram kernel keeps a few small
  # buffers per thread. Bound: the design itself (R may copy it) plus four
  # p x p matrices.
  out <- run_in_fresh_r(c(
    "hwm <- function() as.numeric(gsub('[^0-9]', '', grep('VmHWM', readLines('/proc/self/status'), value = TRUE))) * 1024",
    "library(statlearn)",
    "set.seed(1); n <- 1e4; p <- 1000",
    "x <- matrix(rnorm(n * p), n); y <- rnorm(n); invisible(gc())",
    "out <- c()",
    "for (f in c('pcr', 'plsr', 'lars')) {",
    "  h0 <- hwm()",
    "  fit <- switch(f, pcr = pcr(x, y, ncomp = 5, threads = 2), plsr = plsr(x, y, ncomp = 5, threads = 2),",
    "                lars = lars(x, y, max_steps = 5, threads = 2))",
    "  out[f] <- hwm() - h0; rm(fit); gc()",
    "}",
    "cat(out)"))
  rise <- as.numeric(strsplit(out, " ")[[1]])
  bound <- 1e4 * 1000 * 8 + 4 * 1000^2 * 8
  expect_length(rise, 3L)
  expect_true(all(rise < bound), info = paste(round(rise / 2^20), "MB"))
})
