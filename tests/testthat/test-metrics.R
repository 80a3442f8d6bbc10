# Tangent distance (ESL 13.3.3) and DANN (ESL 13.4) as metrics of nearest_neighbors().

full_level <- function() Sys.getenv("STATLEARN_TEST_LEVEL") == "full"

# A smooth synthetic 16 x 16 image, f evaluated at transformed pixel
# coordinates (u, v) from the centre: image(g) holds f(g(u, v)).
blob <- function(u, v) {
  exp(-((u - 1.5)^2 / 6 + (v + 1)^2 / 3)) - 0.8 * exp(-((u + 2)^2 / 3 + (v - 2)^2 / 5)) +
    0.6 * exp(-((u - 0.5)^2 / 2 + (v - 3.5)^2 / 2))
}
blob_image <- function(g = function(u, v) list(u = u, v = v)) {
  uv <- expand.grid(col = 0:15, row = 0:15)  # row by row: col varies fastest
  u <- uv$col - 7.5
  v <- uv$row - 7.5
  w <- g(u, v)
  blob(w$u, w$v)
}
# Bilinear resampling of a 16 x 16 row-major image at source coordinates.
resample <- function(img, g, background = -1) {
  M <- matrix(img, 16, byrow = TRUE)
  uv <- expand.grid(col = 0:15, row = 0:15)
  w <- g(uv$col - 7.5, uv$row - 7.5)
  cc <- w$u + 7.5
  rr <- w$v + 7.5
  at <- function(r, c) {
    ok <- r >= 0 & r <= 15 & c >= 0 & c <= 15
    out <- rep(background, length(r))
    out[ok] <- M[cbind(r[ok] + 1, c[ok] + 1)]
    out
  }
  c0 <- floor(cc); r0 <- floor(rr); fc <- cc - c0; fr <- rr - r0
  (1 - fr) * ((1 - fc) * at(r0, c0) + fc * at(r0, c0 + 1)) +
    fr * ((1 - fc) * at(r0 + 1, c0) + fc * at(r0 + 1, c0 + 1))
}
transforms <- list(
  translate_x = function(u, v) list(u = u - 0.4, v = v),
  translate_y = function(u, v) list(u = u, v = v + 0.4),
  rotate = function(u, v) { a <- 4 * pi / 180; list(u = cos(a) * u + sin(a) * v, v = -sin(a) * u + cos(a) * v) },
  scale = function(u, v) list(u = u / 1.06, v = v / 1.06),
  shear_parallel = function(u, v) list(u = u * 1.05, v = v / 1.05),
  shear_diagonal = function(u, v) list(u = u + 0.05 * v, v = v + 0.05 * u)
)

test_that("tangent distance is near zero for small transformations of a smooth image", {
  m <- tangent_metric(16, 16, smoothing = 0)
  a <- blob_image()
  for (nm in names(transforms)) {
    b <- blob_image(transforms[[nm]])
    e <- sqrt(sum((a - b)^2))
    td <- tangent_distance(a, b, m)
    # The tangents are finite differences, so the first-order term is matched
    # only to about 5-12% here (the ratio does not shrink with the size of the
    # transformation); the ratio is about 1 without the right tangents.
    expect_lt(td / e, 0.15, label = nm)
    # Without the matching tangent the distance is not near zero (rotate and the
    # shears overlap, so leave out only the translations and scale).
    if (nm %in% c("translate_x", "translate_y", "scale")) {
      m0 <- tangent_metric(16, 16, transformations = setdiff(tangent_transformations, nm),
                           smoothing = 0)
      expect_gt(tangent_distance(a, b, m0) / e, 0.3, label = nm)
    }
  }
  # Thickening: displacement along the gradient, f(p - alpha grad f(p)).
  h <- 1e-5
  thick <- function(u, v) {
    gu <- (blob(u + h, v) - blob(u - h, v)) / (2 * h)
    gv <- (blob(u, v + h) - blob(u, v - h)) / (2 * h)
    list(u = u - 0.3 * gu, v = v - 0.3 * gv)
  }
  b <- blob_image(thick)
  e <- sqrt(sum((a - b)^2))
  expect_lt(tangent_distance(a, b, m) / e, 0.15)
  m0 <- tangent_metric(16, 16, transformations = setdiff(tangent_transformations, "thickness"),
                       smoothing = 0)
  expect_gt(tangent_distance(a, b, m0) / e, 0.3)
})

test_that("tangent distance is small for small transformations of a zip digit", {
  # Digits have sharp strokes and the copies are resampled bilinearly, so the
  # tangents (from the smoothed digit) capture only part of the change: the
  # ratio is 0.5-0.65 with the tangents and near 1 without them.
  m <- tangent_metric(16, 16)
  for (i in c(1, 7)) {
    a <- unlist(zip_train[i, -1], use.names = FALSE)
    for (nm in c("translate_x", "rotate", "scale")) {
      b <- resample(a, transforms[[nm]])
      e <- sqrt(sum((a - b)^2))
      r <- tangent_distance(a, b, m) / e
      expect_lt(r, 0.75, label = paste(i, nm))
      if (nm == "rotate") next  # the two shears together nearly span a rotation
      m0 <- tangent_metric(16, 16, transformations = setdiff(tangent_transformations, nm))
      expect_lt(r, 0.85 * tangent_distance(a, b, m0) / e, label = paste(i, nm))
    }
  }
})

test_that("smoothing keeps a flat background flat: no edges at the border; grey scale does not matter", {
  # The Gaussian blur replicates the border pixels (weights sum to one), so a
  # flat background stays flat: a blank image has no tangents, and a digit
  # with a wide blank margin has none on the image border. Padding with zeros
  # instead would darken the border of a background of -1 and give every
  # image spurious edges there.
  for (s in c(0.75, 1.5)) {
    expect_equal(max(abs(image_tangents(rep(-1, 256), tangent_metric(16, 16, smoothing = s)))), 0,
                 tolerance = 1e-12, label = paste("blank image, smoothing", s))
  }
  a <- matrix(unlist(zip_train[3, -1], use.names = FALSE), 16, byrow = TRUE)
  big <- matrix(-1, 26, 26)
  big[6:21, 6:21] <- a  # a margin of 5 blank pixels, more than the blur and difference reach
  T <- image_tangents(c(t(big)), tangent_metric(26, 26))
  edge <- c(t(row(big) %in% c(1, 26) | col(big) %in% c(1, 26)))
  expect_lt(max(abs(T[edge, ])), 1e-12)
  expect_gt(max(abs(T[!edge, ])), 0.5)
  # Smoothing and differences are linear and keep constants, so rescaling the
  # grey levels from [-1, 1] to [0, 1] only halves every distance (each
  # tangent changes scale, not the plane it spans): the neighbours are the same.
  x <- as.matrix(zip_train[c(3, 10, 25, 40), -1])
  m <- tangent_metric(16, 16)
  expect_equal(tangent_distance((x[1:2, ] + 1) / 2, (x[3:4, ] + 1) / 2, m),
               tangent_distance(x[1:2, ], x[3:4, ], m) / 2, tolerance = 1e-10)
})

test_that("tangent distance equals least squares in R (qr) and is symmetric when two-sided", {
  x <- as.matrix(zip_train[c(3, 10, 25, 40), -1])
  for (two in c(TRUE, FALSE)) {
    m <- tangent_metric(16, 16, smoothing = 0.75, two_sided = two)
    D <- tangent_distance(x[1:2, ], x[3:4, ], m)
    for (i in 1:2) for (j in 1:2) {
      a <- x[i, ]
      b <- x[2 + j, ]
      Ta <- image_tangents(a, m)
      Tb <- image_tangents(b, m)
      A <- if (two) cbind(Ta, -Tb) else Tb
      ref <- sqrt(sum(qr.resid(qr(A), b - a)^2))
      expect_equal(D[i, j], ref, tolerance = 1e-8, info = sprintf("two-sided %s, pair %d %d", two, i, j))
    }
  }
  m <- tangent_metric(16, 16)
  expect_equal(tangent_distance(x[1:2, ], x[3:4, ], m), t(tangent_distance(x[3:4, ], x[1:2, ], m)),
               tolerance = 1e-10)
  expect_equal(unname(tangent_distance(x[1, ], x[1, ], m)), 0)
})

test_that("image_tangents: translation tangents are central differences; orthonormal basis", {
  a <- unlist(zip_train[5, -1], use.names = FALSE)
  m <- tangent_metric(16, 16, smoothing = 0)
  T <- image_tangents(a, m)
  expect_identical(colnames(T), tangent_transformations)
  M <- matrix(a, 16, byrow = TRUE)
  ix <- cbind(M[, 2] - M[, 1], (M[, 3:16] - M[, 1:14]) / 2, M[, 16] - M[, 15])
  expect_equal(T[, "translate_x"], c(t(ix)), tolerance = 1e-14)
  expect_equal(T[, "thickness"], T[, "translate_x"]^2 + T[, "translate_y"]^2, tolerance = 1e-14)
  Q <- image_tangents(a, m, orthonormal = TRUE)
  expect_equal(crossprod(Q), diag(7), tolerance = 1e-10, ignore_attr = TRUE)
})

zip_small <- function(ntrain = 600, ntest = 120) {
  list(x = as.matrix(zip_train[seq_len(ntrain), -1]), y = zip_train$digit[seq_len(ntrain)],
       q = as.matrix(zip_test[seq_len(ntest), -1]), yq = zip_test$digit[seq_len(ntest)])
}

test_that("the tangent search equals brute force; candidates = n equals Inf", {
  z <- zip_small(300, 40)
  m <- tangent_metric(16, 16, candidates = Inf)
  fit <- nearest_neighbors(z$x, z$y, k = 3, metric = m, threads = 1)
  nb <- statlearn:::neighbour_search(fit, z$q, 3L, 1L)
  D <- tangent_distance(z$q, z$x, m, threads = 1)
  ref <- t(apply(D, 1L, order)[1:3, ])
  expect_identical(nb$index, ref)
  expect_equal(nb$distance, t(apply(D, 1L, sort)[1:3, ])^2, tolerance = 1e-12)
  fit_n <- nearest_neighbors(z$x, z$y, k = 3, metric = tangent_metric(16, 16, candidates = 300),
                             threads = 1)
  expect_identical(statlearn:::neighbour_search(fit_n, z$q, 3L, 1L), nb)
  # With a filter, the neighbours are the best of the Euclidean candidates.
  fit_c <- nearest_neighbors(z$x, z$y, k = 1, metric = tangent_metric(16, 16, candidates = 20),
                             threads = 1)
  nb_c <- statlearn:::neighbour_search(fit_c, z$q, 1L, 1L)
  cand <- statlearn:::cpp_knn_search(z$x, z$q, 20L, 1L, TRUE)$index
  best <- sapply(seq_len(nrow(z$q)), function(i) cand[i, which.min(D[i, cand[i, ]])])
  expect_identical(nb_c$index[, 1], best)
})

test_that("1-NN with tangent distance beats Euclidean on the zip digits", {
  z <- if (full_level()) {
    list(x = as.matrix(zip_train[, -1]), y = zip_train$digit, q = as.matrix(zip_test[, -1]),
         yq = zip_test$digit)
  } else zip_small(2000, 400)
  err_e <- mean(predict(nearest_neighbors(z$x, z$y, k = 1, threads = 2), z$q) != z$yq)
  err_t <- mean(predict(nearest_neighbors(z$x, z$y, k = 1, metric = tangent_metric(), threads = 2),
                        z$q) != z$yq)
  expect_lt(err_t, 0.75 * err_e)
  if (full_level()) {
    # ESL Table 13.1: 5.5% and 2.6%; ours 5.5% and 3.4% (see the vignette).
    expect_equal(err_e, 0.055, tolerance = 0.005 / 0.055)
    expect_lt(err_t, 0.036)
  }
})

# ESL 13.4's sphere problem: class 1 standard normal in 10 dimensions
# conditioned on 22.4 < ||x||^2 < 40, class 2 standard normal.
sphere_data <- function(n_per_class, p = 10) {
  x1 <- matrix(0, 0, p)
  while (nrow(x1) < n_per_class) {
    z <- matrix(rnorm(2000 * p), ncol = p)
    r2 <- rowSums(z^2)
    x1 <- rbind(x1, z[r2 > 22.4 & r2 < 40, , drop = FALSE])
  }
  list(x = rbind(x1[seq_len(n_per_class), ], matrix(rnorm(n_per_class * p), ncol = p)),
       y = factor(rep(c("1", "2"), each = n_per_class)))
}

dann_reference <- function(x, y, x0, N, epsilon) {
  d <- rowSums(sweep(x, 2L, x0)^2)
  nb <- order(d)[seq_len(N)]
  xn <- x[nb, , drop = FALSE]
  yn <- factor(y[nb], levels = levels(y))
  pi_k <- as.vector(table(yn)) / N
  mk <- t(sapply(levels(yn), function(l) colMeans(xn[yn == l, , drop = FALSE])))
  xbar <- colMeans(xn)
  W <- crossprod(xn - mk[as.integer(yn), , drop = FALSE]) / N
  B <- crossprod(sweep(mk, 2L, xbar) * sqrt(pi_k))
  e <- eigen(W, symmetric = TRUE)
  Wmh <- e$vectors %*% diag(1 / sqrt(e$values)) %*% t(e$vectors)
  Wmh %*% (Wmh %*% B %*% Wmh + epsilon * diag(ncol(x))) %*% Wmh
}

test_that("DANN's local metric is ESL eq. 13.9", {
  set.seed(11)
  d <- sphere_data(100, p = 4)
  fit <- nearest_neighbors(d$x, d$y, k = 5, metric = dann_metric(neighborhood = 40, epsilon = 0.5),
                           threads = 1)
  q <- d$x[c(3, 150), ] + 0.1
  S <- dann_local_metric(fit, q, threads = 1)
  for (i in 1:2) {
    expect_equal(unname(S[, , i]), dann_reference(d$x, d$y, q[i, ], 40, 0.5), tolerance = 1e-10,
                 info = paste("query", i))
  }
  # The neighbours are the nearest under that metric.
  nb <- statlearn:::neighbour_search(fit, q, 5L, 1L)
  for (i in 1:2) {
    u <- sweep(d$x, 2L, q[i, ])
    dist <- rowSums((u %*% S[, , i]) * u)
    expect_identical(nb$index[i, ], order(dist)[1:5])
    expect_equal(nb$distance[i, ], sort(dist)[1:5], tolerance = 1e-10)
  }
})

test_that("DANN with a large epsilon ranks by the local Mahalanobis metric W^-1", {
  set.seed(12)
  d <- sphere_data(100, p = 3)
  fit <- nearest_neighbors(d$x, d$y, k = 8, metric = dann_metric(neighborhood = 50, epsilon = 1e9),
                           threads = 1)
  q <- d$x[c(7, 120), ] - 0.05
  nb <- statlearn:::neighbour_search(fit, q, 8L, 1L)
  S <- dann_local_metric(fit, q, threads = 1)
  for (i in 1:2) {
    x0 <- q[i, ]
    nbh <- order(rowSums(sweep(d$x, 2L, x0)^2))[1:50]
    yn <- d$y[nbh]
    xn <- d$x[nbh, ]
    mk <- rowsum(xn, yn) / as.vector(table(yn))
    W <- crossprod(xn - mk[as.integer(yn), ]) / 50
    u <- sweep(d$x, 2L, x0)
    maha <- rowSums((u %*% solve(W)) * u)
    expect_identical(nb$index[i, ], order(maha)[1:8])
    expect_equal(unname(S[, , i]) / 1e9, unname(solve(W)), tolerance = 1e-6)
  }
})

test_that("DANN beats Euclidean 5-NN on the ten-dimensional sphere problem", {
  set.seed(13)
  tr <- sphere_data(250)
  te <- sphere_data(500)
  err_e <- mean(predict(nearest_neighbors(tr$x, tr$y, k = 5, threads = 1), te$x) != te$y)
  err_d <- mean(predict(nearest_neighbors(tr$x, tr$y, k = 5, metric = dann_metric(), threads = 1),
                        te$x) != te$y)
  expect_lt(err_d, err_e - 0.1)
})

test_that("metric fits: 1 vs 2 threads identical, saveRDS round trip, print", {
  z <- zip_small(500, 100)
  set.seed(14)
  d <- sphere_data(150)
  fits <- list(
    tangent = nearest_neighbors(z$x, z$y, k = c(1, 3), metric = tangent_metric(), threads = 1),
    one_sided = nearest_neighbors(z$x, z$y, k = 3, ties = "all", vote = "distance",
                                  metric = tangent_metric(two_sided = FALSE, candidates = 30),
                                  threads = 1),
    dann = nearest_neighbors(d$x, d$y, k = c(1, 5), metric = dann_metric(iterations = 2),
                             threads = 1)
  )
  newx <- list(tangent = z$q, one_sided = z$q, dann = d$x[1:100, ] + 0.1)
  for (nm in names(fits)) {
    fit <- fits[[nm]]
    p1 <- predict(fit, newx[[nm]], type = "prob", threads = 1)
    p2 <- predict(fit, newx[[nm]], type = "prob", threads = 2)
    expect_identical(p1, p2, info = nm)
    f <- tempfile(fileext = ".rds")
    saveRDS(fit, f)
    back <- readRDS(f)
    expect_identical(predict(back, newx[[nm]], type = "prob", threads = 2), p1, info = nm)
    expect_output(print(fit), if (nm == "dann") "DANN" else "Tangent distance")
  }
  expect_identical(statlearn:::cpp_tangent_distance(z$q[1:20, ], z$x[1:50, ], 16L, 16L, 0:6, 0.75,
                                                    TRUE, 1L),
                   statlearn:::cpp_tangent_distance(z$q[1:20, ], z$x[1:50, ], 16L, 16L, 0:6, 0.75,
                                                    TRUE, 2L))
})

test_that("cross_validate() keeps the metric", {
  set.seed(15)
  d <- sphere_data(100)
  fit <- nearest_neighbors(d$x, d$y, k = c(1, 5), metric = dann_metric(), threads = 1)
  cv <- cross_validate(fit, folds = 3, threads = 1)
  expect_true(inherits(cv$fit$metric, "statlearn_dann_metric"))
  expect_length(cv$cvm, 2L)
})

test_that("metrics reject bad input with classed errors", {
  z <- zip_small(50, 5)
  expect_error(tangent_metric(16, 0), class = "statlearn_error_range")
  expect_error(tangent_metric(transformations = "twist"), class = "statlearn_error_range")
  expect_error(tangent_metric(transformations = 1), class = "statlearn_error_type")
  expect_error(tangent_metric(smoothing = -1), class = "statlearn_error_range")
  expect_error(tangent_metric(candidates = 0), class = "statlearn_error_range")
  expect_error(tangent_metric(candidates = 2.5), class = "statlearn_error_type")
  expect_error(tangent_metric(two_sided = NA), class = "statlearn_error_type")
  expect_error(nearest_neighbors(z$x, z$y, metric = tangent_metric(16, 15)),
               class = "statlearn_error_dimension")
  expect_error(nearest_neighbors(z$x, z$y, metric = tangent_metric(), standardize = TRUE),
               class = "statlearn_error_unsupported")
  expect_error(tangent_distance(z$x[1, ], z$x[1, 1:100]), class = "statlearn_error_dimension")
  expect_error(tangent_distance(c(z$x[1, 1:255], NA), z$x[1, ]), class = "statlearn_error_nonfinite")
  expect_error(tangent_distance(z$x[1, ], z$x[2, ], metric = dann_metric()),
               class = "statlearn_error_type")
  expect_error(image_tangents(z$x[1:2, ]), class = "statlearn_error_dimension")
  expect_error(dann_metric(epsilon = -1), class = "statlearn_error_range")
  expect_error(dann_metric(epsilon = Inf), class = "statlearn_error_range")
  expect_error(dann_metric(epsilon = "a"), class = "statlearn_error_type")
  expect_error(dann_metric(neighborhood = 1), class = "statlearn_error_range")
  expect_error(dann_metric(neighborhood = 10.5), class = "statlearn_error_type")
  expect_error(dann_metric(iterations = 0), class = "statlearn_error_range")
  expect_error(nearest_neighbors(z$x, z$y, metric = "manhattan"), class = "statlearn_error_range")
  expect_error(nearest_neighbors(z$x, z$y, metric = list(a = 1)), class = "statlearn_error_type")
  expect_error(nearest_neighbors(z$x[, 1:3], rnorm(50), metric = dann_metric()),
               class = "statlearn_error_unsupported")
  fit <- nearest_neighbors(z$x, z$y, metric = tangent_metric(), threads = 1)
  expect_error(predict(fit, z$q[, 1:200]), class = "statlearn_error_dimension")
})

test_that("dann_local_metric() checks its fit", {
  z <- zip_small(50, 5)
  fit <- nearest_neighbors(z$x, z$y, threads = 1)
  expect_error(dann_local_metric(fit, z$q), class = "statlearn_error_type")
  expect_error(dann_local_metric(list(), z$q), class = "statlearn_error_type")
})
