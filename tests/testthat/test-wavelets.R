# Discrete wavelet transform and wavelet shrinkage (ESL 5.9).

wavelets <- c("haar", "d4", "d8", "symmlet8")

doppler <- function(n) {
  t <- (1:n) / n
  sqrt(t * (1 - t)) * sin(2.1 * pi / (t + 0.05))
}

filter_of <- function(wavelet) wavelet_transform(rep(0, 16), wavelet, threads = 1)$filter

# The full N x N transform: column i is the transform of the i-th unit vector.
transform_matrix <- function(N, wavelet, levels = NULL) {
  wavelet_transform(diag(N), wavelet, levels = levels, threads = 1)$coefficients
}

test_that("the filters are orthonormal with L/2 vanishing moments", {
  for (wv in wavelets) {
    h <- filter_of(wv)
    L <- length(h)
    k <- 0:(L - 1)
    g <- rev(h) * (-1)^k
    expect_equal(sum(h), sqrt(2), tolerance = 1e-14, info = wv)
    expect_equal(sum(h^2), 1, tolerance = 1e-14, info = wv)
    for (m in seq_len(L / 2 - 1)) {
      expect_lt(abs(sum(h[1:(L - 2 * m)] * h[(1 + 2 * m):L])), 1e-14)
    }
    for (p in 0:(L / 2 - 1)) {
      expect_lt(abs(sum(k^p * g)), 1e-13 * max(1, (L - 1)^p))  # vanishing moments
    }
    expect_gt(abs(sum(k^(L / 2) * g)), 1e-3)  # and no more
  }
  # D4 in closed form
  s3 <- sqrt(3)
  expect_equal(filter_of("d4"), c(1 + s3, 3 + s3, 3 - s3, 1 - s3) / (4 * sqrt(2)), tolerance = 1e-15)
  # the published least-asymmetric filter with 4 vanishing moments (Daubechies 1992, Table 6.3)
  la8 <- c(-0.07576571478935668, -0.02963552764596039, 0.49761866763256290, 0.80373875180538600,
           0.29785779560560505, -0.09921954357695636, -0.01260396726226383, 0.03222310060407815)
  expect_equal(filter_of("symmlet8"), la8, tolerance = 1e-11)
  d8 <- c(0.2303778133088964, 0.7148465705529154, 0.6308807679298587, -0.0279837694168599,
          -0.1870348117190931, 0.0308413818355607, 0.0328830116668852, -0.0105974017850690)
  expect_equal(filter_of("d8"), d8, tolerance = 1e-12)
})

test_that("the inverse transform reconstructs the signal at every number of levels", {
  set.seed(1)
  y <- rnorm(256)
  Y <- matrix(rnorm(128 * 3), 128, 3, dimnames = list(NULL, c("a", "b", "c")))
  for (wv in wavelets) {
    maxlev <- wavelet_transform(y, wv, threads = 1)$levels
    expect_identical(maxlev, 8L - c(haar = 0L, d4 = 1L, d8 = 2L, symmlet8 = 2L)[[wv]])
    for (lev in seq_len(maxlev)) {
      w <- wavelet_transform(y, wv, levels = lev, threads = 1)
      expect_equal(inverse_wavelet_transform(w, threads = 1), y, tolerance = 1e-12, info = paste(wv, lev))
      expect_equal(max(abs(inverse_wavelet_transform(w, threads = 1) - y)), 0, tolerance = 1e-12)
    }
    W <- wavelet_transform(Y, wv, threads = 1)
    expect_equal(dim(W$coefficients), c(128L, 3L))
    expect_equal(inverse_wavelet_transform(W, threads = 1), Y, tolerance = 1e-12)
    expect_identical(colnames(inverse_wavelet_transform(W)), c("a", "b", "c"))
    # the matrix transform is the transform of each column
    expect_identical(W$coefficients[, 2], wavelet_transform(Y[, 2], wv, threads = 1)$coefficients)
  }
})

test_that("the transform is an orthogonal matrix (W'W = I) and preserves sums of squares", {
  set.seed(2)
  for (wv in wavelets) {
    for (lev in c(1L, if (wv == "haar") 5L else if (wv == "d4") 4L else 3L)) {
      W <- transform_matrix(32, wv, levels = lev)
      expect_equal(crossprod(W), diag(32), tolerance = 1e-12, info = paste(wv, lev))
      expect_equal(tcrossprod(W), diag(32), tolerance = 1e-12, info = paste(wv, lev))
      y <- rnorm(32)
      expect_equal(drop(W %*% y), wavelet_transform(y, wv, levels = lev, threads = 1)$coefficients,
                   tolerance = 1e-13)
    }
    y <- rnorm(1024)
    w <- wavelet_transform(y, wv, threads = 1)
    expect_equal(sum(w$coefficients^2), sum(y^2), tolerance = 1e-12, info = wv)  # Parseval
  }
})

test_that("Haar coefficients are pairwise sums and differences over sqrt(2), level by level", {
  set.seed(3)
  y <- rnorm(64)
  w <- wavelet_transform(y, "haar", threads = 1)
  by_level <- split(w$coefficients, factor(w$band, unique(w$band)))
  expect_identical(names(by_level), c("V0", sprintf("W%d", 0:5)))
  a <- y
  for (j in 5:0) {
    odd <- a[seq(1, length(a), by = 2)]
    even <- a[seq(2, length(a), by = 2)]
    expect_equal(by_level[[sprintf("W%d", j)]], (odd - even) / sqrt(2), tolerance = 1e-14, info = j)
    a <- (odd + even) / sqrt(2)
  }
  expect_equal(by_level$V0, sum(y) / 8, tolerance = 1e-14)
  expect_identical(w$level, c(0L, 0L, rep(1:5, 2^(1:5))))
  # a level's coefficients sit at positions 2^j + 1 to 2^(j + 1)
  expect_identical(which(w$band == "W3"), 9:16)
  # Haar positions: the centre of each block
  expect_equal(w$position[w$band == "W5"], seq(1.5, 63.5, by = 2))
})

test_that("polynomials of degree below the vanishing moments have zero detail coefficients", {
  N <- 256
  t <- seq_len(N) / N
  for (wv in c("haar", "d4", "d8", "symmlet8")) {
    L <- length(filter_of(wv))
    p <- L / 2
    w <- wavelet_transform(1 + 3 * t - 2 * t^2 + 5 * t^3, wv, levels = 3, threads = 1)
    for (j in 5:7) {
      d <- w$coefficients[w$band == sprintf("W%d", j)]
      s <- N / 2^j
      inside <- s * (seq_along(d) - 1) + (s - 1) * (L - 1) + 1 <= N  # support does not wrap
      poly <- function(deg) {
        ww <- wavelet_transform(t^deg, wv, levels = 3, threads = 1)
        ww$coefficients[ww$band == sprintf("W%d", j)][inside]
      }
      for (deg in 0:(p - 1)) expect_lt(max(abs(poly(deg))), 1e-11)
      expect_gt(max(abs(poly(p))), 1e-9)  # degree p is not annihilated
    }
  }
})

# Plain-R references for the thresholds.
mad_sigma <- function(d) median(abs(d)) / 0.6745
sure_reference <- function(d, sigma) {
  x <- d / sigma
  n <- length(x)
  cand <- sort(unique(c(0, abs(x)[abs(x) <= sqrt(2 * log(n))])))
  risk <- vapply(cand, function(t) n - 2 * sum(abs(x) <= t) + sum(pmin(abs(x), t)^2), numeric(1))
  sigma * cand[which.min(risk)]
}

test_that("sigma, the universal, SURE and hybrid thresholds match the formulas", {
  set.seed(4)
  N <- 1024
  truth <- doppler(N)
  y <- truth + rnorm(N, sd = 0.1)
  raw <- wavelet_transform(y, "symmlet8", levels = 6, threads = 1)
  finest <- raw$coefficients[raw$band == "W9"]
  sigma <- mad_sigma(finest)
  uni <- wavelet_smooth(y, threshold = "universal", threads = 1)
  expect_equal(uni$sigma, sigma, tolerance = 1e-14)
  expect_identical(uni$raw_coefficients, raw$coefficients)
  expect_equal(unname(uni$thresholds), rep(sigma * sqrt(2 * log(N)), 6), tolerance = 1e-14)
  expect_identical(names(uni$thresholds), sprintf("W%d", 4:9))
  sure <- wavelet_smooth(y, threshold = "sure", threads = 1)
  hyb <- wavelet_smooth(y, threshold = "hybrid", threads = 1)
  for (j in 4:9) {
    d <- raw$coefficients[raw$band == sprintf("W%d", j)]
    n <- length(d)
    ref <- sure_reference(d, sigma)
    expect_equal(sure$thresholds[[sprintf("W%d", j)]], ref, tolerance = 1e-12, info = j)
    sparse <- (sum((d / sigma)^2) - n) / n <= log2(n)^1.5 / sqrt(n)
    expect_equal(hyb$thresholds[[sprintf("W%d", j)]], if (sparse) sigma * sqrt(2 * log(n)) else ref,
                 tolerance = 1e-12, info = j)
  }
  # the finest levels of the doppler are mostly noise: hybrid uses the universal threshold there
  expect_equal(hyb$thresholds[["W9"]], sigma * sqrt(2 * log(512)), tolerance = 1e-12)
  # SURE with ties and zeros: Haar details of pairs (v, 0) are v / sqrt(2), equal for equal v
  set.seed(5)
  z <- c(0, 0, round(rnorm(126), 1))
  yz <- c(rbind(z, 0))
  dz <- wavelet_transform(yz, "haar", levels = 1, threads = 1)$coefficients[129:256]
  expect_equal(unname(wavelet_smooth(yz, "haar", threshold = "sure", coarsest = 7, sigma = 1,
                                     threads = 1)$thresholds), sure_reference(dz, 1), tolerance = 1e-12)
  # a dense level with one small coefficient: SURE(0) = n, SURE(that coefficient) = n - 2 + n t^2,
  # so it kills just that one
  set.seed(6)
  zd <- c(0.05, 50 + runif(127))
  yd <- c(rbind(zd, 0))
  dd <- wavelet_transform(yd, "haar", levels = 1, threads = 1)$coefficients[129:256]
  td <- wavelet_smooth(yd, "haar", threshold = "sure", coarsest = 7, sigma = 1, threads = 1)$thresholds
  expect_equal(unname(td), sure_reference(dd, 1), tolerance = 1e-12)
  expect_equal(unname(td), 0.05 / sqrt(2), tolerance = 1e-12)
  # a given sigma is used as given
  fit <- wavelet_smooth(y, threshold = "universal", sigma = 0.1, threads = 1)
  expect_equal(unname(fit$thresholds[1]), 0.1 * sqrt(2 * log(N)))
  expect_false(fit$sigma_estimated)
  # SURE adapts: it beats the universal threshold on the doppler, and both beat the raw data
  mse <- function(f) mean((fitted(f) - truth)^2)
  expect_lt(mse(sure), mse(uni))
  expect_lt(mse(uni), mean((y - truth)^2))
})

test_that("soft and hard thresholding of known coefficients", {
  theta <- c(5, -3, 0.5, -2, 1.5, -0.2, 3, -1, 0.9, 2.5, -4, 0.1, 1.2, -1.1, 0, 7)
  w <- wavelet_transform(rep(0, 16), "haar", levels = 3, threads = 1)  # V1, W1, W2, W3
  w$coefficients <- theta
  y <- inverse_wavelet_transform(w, threads = 1)
  soft <- wavelet_smooth(y, "haar", threshold = 1, rule = "soft", coarsest = 1, threads = 1)
  hard <- wavelet_smooth(y, "haar", threshold = 1, rule = "hard", coarsest = 1, threads = 1)
  expect_equal(coef(soft, type = "raw"), theta, tolerance = 1e-13)
  kept <- 1:2  # V1
  expect_equal(coef(soft)[kept], theta[kept], tolerance = 1e-13)
  expect_equal(coef(soft)[-kept],
               c(0, -1, 0.5, 0, 2, 0, 0, 1.5, -3, 0, 0.2, -0.1, 0, 6), tolerance = 1e-13)
  expect_equal(coef(hard)[-kept], ifelse(abs(theta[-kept]) > 1, theta[-kept], 0), tolerance = 1e-13)
  # the fit is the inverse transform of the thresholded coefficients
  w$coefficients <- coef(soft)
  expect_equal(fitted(soft), inverse_wavelet_transform(w, threads = 1), tolerance = 1e-13)
  expect_equal(residuals(soft), y - fitted(soft))
  expect_identical(soft$nonzero, sum(coef(soft)[-kept] != 0))
  # a threshold of 0 keeps everything
  expect_equal(fitted(wavelet_smooth(y, "haar", threshold = 0, coarsest = 1, threads = 1)), y, tolerance = 1e-13)
  # soft thresholding is the solution of the L1-penalised problem coefficient by coefficient
  obj <- function(b, z, lambda) (z - b)^2 + 2 * lambda * abs(b)
  for (z in theta[-kept]) {
    best <- optimize(obj, c(-10, 10), z = z, lambda = 1, tol = 1e-10)$minimum
    expect_equal(max(abs(z) - 1, 0) * sign(z), best, tolerance = 1e-6)
  }
})

test_that("1 and 2 threads give identical results on a matrix of signals", {
  set.seed(6)
  N <- 1024
  Y <- doppler(N) + matrix(rnorm(N * 150, sd = 0.1), N, 150)  # 3 chunks of columns
  w1 <- wavelet_transform(Y, threads = 1)
  w2 <- wavelet_transform(Y, threads = 2)
  expect_identical(w1$coefficients, w2$coefficients)
  expect_identical(inverse_wavelet_transform(w1, threads = 1), inverse_wavelet_transform(w1, threads = 2))
  f1 <- wavelet_smooth(Y, threads = 1)
  f2 <- wavelet_smooth(Y, threads = 2)
  f2$call <- f1$call
  expect_identical(f1, f2)
  expect_identical(f1$fitted.values, f2$fitted.values)
  expect_identical(f1$thresholds, f2$thresholds)
  # each column is smoothed on its own
  one <- wavelet_smooth(Y[, 77], threads = 1)
  expect_identical(f1$fitted.values[, 77], one$fitted.values)
  expect_identical(f1$thresholds[, 77], one$thresholds)
  expect_identical(f1$sigma[77], one$sigma)
  expect_equal(dim(f1$thresholds), c(6L, 150L))
})

test_that("fits and transforms survive saveRDS/readRDS", {
  set.seed(7)
  y <- doppler(512) + rnorm(512, sd = 0.05)
  fit <- wavelet_smooth(y, threads = 1)
  back <- round_trip(fit)
  expect_identical(back, fit)
  expect_identical(fitted(back), fitted(fit))
  w <- wavelet_transform(y, threads = 1)
  expect_identical(inverse_wavelet_transform(round_trip(w), threads = 1), inverse_wavelet_transform(w, threads = 1))
  skip_on_cran()
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(fit, f)
  out <- run_in_fresh_r(c("suppressMessages(library(statlearn))", sprintf("fit <- readRDS('%s')", f),
                          "w <- wavelet_transform(fit$y, threads = 1)",
                          "cat(sprintf('%.17g', sum(coef(fit)) + sum(w$coefficients)), '\\n')"))
  expect_equal(as.numeric(out), sum(coef(fit)) + sum(w$coefficients), tolerance = 1e-15)
})

test_that("print and plot methods run", {
  set.seed(8)
  y <- doppler(256) + rnorm(256, sd = 0.05)
  fit <- wavelet_smooth(y, threads = 1)
  w <- wavelet_transform(cbind(a = y, b = rev(y)), threads = 1)
  expect_output(print(fit), "SURE")
  expect_output(print(w), "2 signals of length 256")
  pdf(NULL)
  on.exit(dev.off())
  expect_silent(plot(fit))
  expect_silent(plot(fit, which = "coefficients"))
  expect_silent(plot(w, column = 2))
  expect_error(plot(w, column = 3), class = "statlearn_error_range")
})

test_that("bad inputs give classed errors", {
  y <- doppler(64)
  bad <- y
  bad[5] <- NA
  expect_error(wavelet_transform(bad), class = "statlearn_error_nonfinite")
  bad[5] <- Inf
  expect_error(wavelet_smooth(bad), class = "statlearn_error_nonfinite")
  expect_error(wavelet_transform(as.character(y)), class = "statlearn_error_type")
  expect_error(wavelet_smooth(factor(y)), class = "statlearn_error_type")
  expect_error(wavelet_transform(as.list(y)), class = "statlearn_error_type")
  expect_error(wavelet_transform(numeric(0)), class = "statlearn_error_empty")
  expect_error(wavelet_transform(rnorm(1000)), class = "statlearn_error_length",
               regexp = "length 1000 \\(the nearest powers of two are 512 and 1024\\)")
  expect_error(wavelet_smooth(matrix(0, 100, 2)), class = "statlearn_error_length",
               regexp = "number of rows 100")
  expect_error(wavelet_transform(1), class = "statlearn_error_length")
  expect_error(wavelet_transform(rnorm(4), "symmlet8"), class = "statlearn_error_length")
  expect_error(wavelet_smooth(rnorm(4), "symmlet8"), class = "statlearn_error_length")
  expect_error(wavelet_smooth(rnorm(2), "d4"), class = "statlearn_error_length")
  expect_error(wavelet_transform(y, "db99"), class = "statlearn_error_range")
  expect_error(wavelet_transform(y, 3), class = "statlearn_error_type")
  expect_error(wavelet_transform(y, "symmlet8", levels = 5), class = "statlearn_error_range",
               regexp = "at most 4")
  expect_error(wavelet_transform(y, levels = 0), class = "statlearn_error_range")
  expect_error(wavelet_transform(y, levels = 1.5), class = "statlearn_error_type")
  expect_error(wavelet_transform(y, threads = 0), class = "statlearn_error_range")
  expect_error(wavelet_smooth(y, threshold = "minimax"), class = "statlearn_error_range")
  expect_error(wavelet_smooth(y, threshold = -1), class = "statlearn_error_range")
  expect_error(wavelet_smooth(y, threshold = NA_real_), class = "statlearn_error_type")
  expect_error(wavelet_smooth(y, threshold = c(1, 2)), class = "statlearn_error_type")
  expect_error(wavelet_smooth(y, rule = "medium"), class = "statlearn_error_range")
  expect_error(wavelet_smooth(y, coarsest = 1), class = "statlearn_error_range", regexp = "at least 2")
  expect_error(wavelet_smooth(y, coarsest = 6), class = "statlearn_error_range")
  expect_error(wavelet_smooth(y, coarsest = -1), class = "statlearn_error_range")
  expect_error(wavelet_smooth(y, coarsest = "a"), class = "statlearn_error_type")
  expect_error(wavelet_smooth(y, sigma = -1), class = "statlearn_error_range")
  expect_error(wavelet_smooth(y, sigma = c(1, 2)), class = "statlearn_error_type")
  expect_error(wavelet_smooth(y, sigma = NA_real_), class = "statlearn_error_nonfinite")
  expect_error(inverse_wavelet_transform(list(coefficients = y)), class = "statlearn_error_type")
  w <- wavelet_transform(y, threads = 1)
  w$coefficients <- w$coefficients[-1]
  expect_error(inverse_wavelet_transform(w), class = "statlearn_error_length")
  fit <- wavelet_smooth(y, threads = 1)
  expect_error(coef(fit, lamda = 1), class = "statlearn_error_argument")
  expect_error(coef(fit, type = "soft"), class = "statlearn_error_range")
  expect_error(plot(fit, which = "residuals"), class = "statlearn_error_range")
  # every error is a statlearn input error
  expect_error(wavelet_transform(rnorm(3)), class = "statlearn_error_input")
})
