# k-means (ESL 13.2.1, 14.3.6): Lloyd against stats::kmeans from the same
# centres, Hamerly against Lloyd, and the sums of squares recomputed in R.

test_that("Lloyd equals stats::kmeans(algorithm = 'Lloyd') from the same starting centres", {
  set.seed(21)
  for (p in c(2, 7)) {
    x <- rbind(matrix(rnorm(300 * p), ncol = p), matrix(rnorm(200 * p, 3), ncol = p),
               matrix(rnorm(100 * p, -2), ncol = p))
    for (k in c(2, 5)) {
      start <- x[sample(nrow(x), k), , drop = FALSE]
      ref <- stats::kmeans(x, start, iter.max = 100, algorithm = "Lloyd")
      ours <- k_means(x, start, algorithm = "lloyd")
      expect_identical(unname(ours$cluster), unname(ref$cluster))
      expect_equal(unname(ours$centers), unname(ref$centers), tolerance = 1e-12)
      expect_equal(ours$withinss, ref$withinss, tolerance = 1e-10)
      expect_equal(ours$tot_withinss, ref$tot.withinss, tolerance = 1e-10)
      expect_equal(ours$totss, ref$totss, tolerance = 1e-10)
      expect_identical(ours$size, ref$size)
      expect_identical(ours$iter, ref$iter)
      # Hamerly: the same iterations with fewer distances.
      ham <- k_means(x, start, algorithm = "hamerly")
      expect_identical(ham$cluster, ours$cluster)
      expect_equal(ham$centers, ours$centers, tolerance = 1e-12)
      expect_identical(ham$iter, ours$iter)
      expect_lt(ham$distance_evaluations, ours$distance_evaluations)
    }
  }
})

test_that("Hamerly makes Lloyd's assignments through a long, slow tail (k > 16, odd p)", {
  # Uniform data converge slowly: many iterations in which few points are
  # visited, on the row copy, with the per-cluster wake-up keys.
  set.seed(29)
  x <- matrix(runif(4000 * 5), ncol = 5)
  for (k in c(7, 23)) {
    start <- x[sample(nrow(x), k), , drop = FALSE]
    ref <- stats::kmeans(x, start, iter.max = 500, algorithm = "Lloyd")
    ham <- k_means(x, start, algorithm = "hamerly", max_iter = 500)
    expect_gt(ham$iter, 30L)
    expect_identical(unname(ham$cluster), unname(ref$cluster))
    expect_identical(ham$iter, ref$iter)
    expect_equal(unname(ham$centers), unname(ref$centers), tolerance = 1e-12)
    expect_equal(ham$totss, ref$totss, tolerance = 1e-12)
    expect_lt(ham$distance_evaluations, 0.5 * ham$iter * k * nrow(x))
  }
})

test_that("Hartigan-Wong equals stats::kmeans (its default) from the same starting centres", {
  set.seed(23)
  compared <- 0
  for (r in 1:24) {
    n <- c(15, 60, 250, 900)[r %% 4 + 1]
    p <- c(1, 2, 5)[r %% 3 + 1]
    k <- 2 + r %% 6
    x <- matrix(rnorm(n * p), n) + matrix(sample(0:3, n * p, TRUE), n) * (r %% 2)
    start <- x[sample(n, k), , drop = FALSE]
    ref <- tryCatch(stats::kmeans(x, start, iter.max = 30), error = function(e) NULL)
    if (is.null(ref)) {
      # stats stops on a start that leaves a cluster empty; so do we, with a classed error.
      expect_error(k_means(x, start, algorithm = "hartigan_wong"), class = "statlearn_error_empty_cluster")
      next
    }
    ours <- k_means(x, start, algorithm = "hartigan_wong", max_iter = 30)
    expect_identical(unname(ours$cluster), unname(ref$cluster))
    expect_equal(unname(ours$centers), unname(ref$centers), tolerance = 1e-12)
    expect_equal(ours$withinss, ref$withinss, tolerance = 1e-10)
    expect_identical(ours$size, ref$size)
    expect_identical(ours$iter, ref$iter)
    compared <- compared + 1
  }
  expect_gt(compared, 18)
  # No single transfer lowers Hartigan-Wong's within-cluster sum of squares
  # (the move criterion n_b/(n_b+1) d(i,b) < n_a/(n_a-1) d(i,a) fails for every point).
  x <- rbind(matrix(rnorm(400, 0), ncol = 2), matrix(rnorm(400, 2.5), ncol = 2))
  fit <- k_means(x, x[c(1, 2, 250), ], algorithm = "hartigan_wong")
  d <- as.matrix(dist(rbind(fit$centers, x)))[-(1:3), 1:3]^2
  own <- d[cbind(seq_len(nrow(x)), fit$cluster)]
  m <- fit$size[fit$cluster]
  gain <- ifelse(m > 1, m / (m - 1), Inf) * own
  cost <- sweep(d, 2, fit$size / (fit$size + 1), "*")
  cost[cbind(seq_len(nrow(x)), fit$cluster)] <- Inf
  expect_true(all(apply(cost, 1, min) >= gain * (1 - 1e-12)))
  # Its starts run in parallel: the same result for any thread count.
  a <- k_means(x, 4, starts = 5, seed = 9, algorithm = "hartigan_wong", threads = 1)
  b <- k_means(x, 4, starts = 5, seed = 9, algorithm = "hartigan_wong", threads = 2)
  expect_identical(a[c("cluster", "centers", "start_withinss")], b[c("cluster", "centers", "start_withinss")])
  expect_lte(a$tot_withinss, k_means(x, 4, starts = 5, seed = 9, algorithm = "lloyd")$tot_withinss * (1 + 1e-12))
})

test_that("several k-means++ starts reach the optimum stats::kmeans finds; sums of squares add up", {
  x <- as.matrix(iris[, 1:4])
  set.seed(1)
  fit <- k_means(x, 3, starts = 10)
  ref <- stats::kmeans(x, 3, nstart = 25)
  expect_equal(fit$tot_withinss, ref$tot.withinss, tolerance = 1e-10)
  expect_equal(fit$tot_withinss, min(fit$start_withinss))
  expect_identical(fit$tot_withinss, fit$start_withinss[fit$best_start])
  within <- sapply(1:3, function(j) sum(sweep(x[fit$cluster == j, , drop = FALSE], 2, fit$centers[j, ])^2))
  expect_equal(fit$withinss, within, tolerance = 1e-10)
  expect_equal(fit$betweenss + fit$tot_withinss, sum(sweep(x, 2, colMeans(x))^2), tolerance = 1e-10)
  expect_equal(unname(fit$centers), unname(t(sapply(1:3, function(j) colMeans(x[fit$cluster == j, ])))),
               tolerance = 1e-12)
  # set.seed() reproduces the random starts; the seed argument fixes them.
  set.seed(1)
  expect_identical(k_means(x, 3, starts = 10)$cluster, fit$cluster)
  expect_identical(k_means(x, 3, seed = 7, init = "random")$centers,
                   k_means(x, 3, seed = 7, init = "random")$centers)
})

test_that("results are identical for 1 and 2 threads, predict() finds the nearest centre", {
  set.seed(22)
  centres <- matrix(rnorm(6 * 5, sd = 4), 6)
  x <- matrix(rnorm(30000 * 5), ncol = 5) + centres[sample(6, 30000, TRUE), ]
  a <- k_means(x, 6, starts = 2, seed = 3, threads = 1)
  b <- k_means(x, 6, starts = 2, seed = 3, threads = 2)
  expect_identical(a[c("cluster", "centers", "withinss", "start_withinss")],
                   b[c("cluster", "centers", "withinss", "start_withinss")])
  q <- matrix(rnorm(50 * 5, 2), ncol = 5)
  d <- as.matrix(dist(rbind(a$centers, q)))[-(1:6), 1:6]
  expect_identical(unname(predict(a, q)), unname(max.col(-d, ties.method = "first")))
  expect_identical(unname(predict(a, x[1:100, ])), unname(a$cluster[1:100]))
  expect_equal(fitted(a)[1:5, ], a$centers[a$cluster[1:5], ])
  path <- tempfile(fileext = ".rds")
  saveRDS(a, path)
  expect_identical(predict(readRDS(path), q), predict(a, q))
  expect_output(print(a), "Within-cluster sum of squares")
})

test_that("bad inputs give classed errors naming the argument", {
  x <- matrix(rnorm(40), 20)
  expect_statlearn_error(k_means(x, 0), "statlearn_error_range", "centers")
  expect_statlearn_error(k_means(x, 21), "statlearn_error_range", "centers")
  expect_statlearn_error(k_means(rbind(x[1:3, ], x[1:3, ]), 4), "statlearn_error_range", "centers")
  expect_statlearn_error(k_means(x, matrix(0, 2, 3)), "statlearn_error_dimension", "centers")
  expect_statlearn_error(k_means(x, x[c(1, 1), ]), "statlearn_error_duplicate", "centers")
  expect_statlearn_error(k_means(x, 2, starts = 0), "statlearn_error_range", "starts")
  expect_statlearn_error(k_means(x, 2, max_iter = 1.5), "statlearn_error_type", "max_iter")
  expect_statlearn_error(k_means(x, 2, algorithm = "macqueen"), "statlearn_error_range", "algorithm")
  expect_statlearn_error(k_means(x, rbind(x[1, ], c(100, 100)), algorithm = "hartigan_wong"),
                         "statlearn_error_empty_cluster", "centers")
  x_na <- x
  x_na[2, 2] <- NA
  expect_statlearn_error(k_means(x_na, 2), "statlearn_error_nonfinite", "x")
  expect_statlearn_error(predict(k_means(x, 2, seed = 1), matrix(0, 2, 3)), "statlearn_error_dimension",
                         "newdata")
  set.seed(23)
  big <- matrix(rnorm(2000), ncol = 2)
  expect_warning(k_means(big, 8, max_iter = 1, seed = 1), class = "statlearn_warning_convergence")
})

test_that("plot() draws the clusters and checks its data", {
  pdf(NULL)
  on.exit(dev.off())
  x <- as.matrix(iris[, 1:4])
  fit <- k_means(x, 3, seed = 1)
  expect_identical(plot(fit), fit)
  expect_identical(plot(fit, data = x, dimensions = c(3, 4)), fit)
  expect_statlearn_error(plot(fit, data = x[1:10, ]), "statlearn_error_dimension", "data")
  expect_statlearn_error(plot(fit, dimensions = c(1, 9)), "statlearn_error_range", "dimensions")
  one <- k_means(x[, 1, drop = FALSE], 2, seed = 1)
  expect_statlearn_error(plot(one, data = x[, 1, drop = FALSE]), "statlearn_error_unsupported")
})
