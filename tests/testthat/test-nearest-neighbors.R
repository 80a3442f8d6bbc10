# k-nearest neighbours (ESL 2.3.2, 13.3): against class::knn, against plain
# distances computed in R, and the exactness of the blocked search.

manual_neighbours <- function(x, q, k) {
  d <- as.matrix(dist(rbind(q, x)))[seq_len(nrow(q)), nrow(q) + seq_len(nrow(x)), drop = FALSE]^2
  matrix(t(apply(d, 1L, function(r) order(r, seq_along(r))[seq_len(k)])), nrow(q), k)
}

test_that("predictions equal class::knn's wherever no vote is tied, and so do the vote shares", {
  skip_if_not_installed("class")
  set.seed(11)
  for (p in c(2, 30, 100)) {
    n <- 400
    x <- matrix(rnorm(n * p), n)
    q <- matrix(rnorm(250 * p), 250)
    y <- factor(sample(c("a", "b", "c"), n, TRUE))
    fit <- nearest_neighbors(x, y, k = c(1, 5, 15), ties = "all")
    d2 <- statlearn:::cpp_knn_search(x, q, 16L, 1L, TRUE)$distance
    for (k in c(1, 5, 15)) {
      ref <- class::knn(x, q, y, k = k, prob = TRUE)
      prob <- predict(fit, q, type = "prob", k = k)
      tied <- apply(prob, 1L, function(v) sum(v == max(v)) > 1L)
      # class::knn also lets points within a relative 1e-4 of the k-th
      # distance vote: compare where none lies in that band.
      clean <- d2[, k + 1L] > d2[, k] * (1 + 2e-4)
      expect_gt(mean(clean), 0.9)
      ok <- clean & !tied
      expect_identical(as.character(predict(fit, q, k = k))[ok], as.character(ref)[ok])
      expect_equal(unname(apply(prob, 1L, max))[clean], attr(ref, "prob")[clean], tolerance = 1e-12)
    }
  }
})

test_that("the blocked search finds exactly the neighbours of the plain distances, for any threads", {
  set.seed(12)
  # Continuous data, and integer data full of exact ties and duplicates.
  designs <- list(
    list(x = matrix(rnorm(3000 * 20), 3000), q = matrix(rnorm(300 * 20), 300)),
    list(x = matrix(sample(0:2, 2000 * 6, TRUE), 2000), q = matrix(sample(0:2, 200 * 6, TRUE), 200)),
    list(x = matrix(rnorm(500 * 3, sd = 1e4), 500) + 1e6, q = matrix(rnorm(50 * 3, sd = 1e4), 50) + 1e6)
  )
  for (d in designs) {
    for (K in c(1L, 7L)) {
      fast <- statlearn:::cpp_knn_search(d$x, d$q, K, 2L, FALSE)
      one <- statlearn:::cpp_knn_search(d$x, d$q, K, 1L, FALSE)
      plain <- statlearn:::cpp_knn_search(d$x, d$q, K, 1L, TRUE)
      expect_identical(fast$index, plain$index)
      expect_identical(fast$distance, plain$distance)
      expect_identical(one$index, fast$index)
      expect_identical(fast$index, manual_neighbours(d$x, d$q, K))
    }
  }
})

test_that("the k-d tree finds exactly the neighbours of the plain distances, ties included", {
  set.seed(16)
  designs <- list(
    list(x = matrix(rnorm(5000 * 2), 5000), q = matrix(rnorm(400 * 2), 400)),
    list(x = matrix(sample(0:3, 3000 * 3, TRUE), 3000), q = matrix(sample(0:3, 300 * 3, TRUE), 300)),
    list(x = matrix(round(runif(800 * 5), 1), 800), q = matrix(round(runif(100 * 5), 1), 100)),
    list(x = matrix(rnorm(40), 40), q = matrix(rnorm(30), 30)),
    list(x = matrix(1, 50, 2), q = matrix(c(1, 2), 3, 2))  # every training point equal
  )
  for (d in designs) {
    for (K in unique(pmin(c(1L, 9L, 40L), nrow(d$x)))) {
      tree <- statlearn:::cpp_knn_search(d$x, d$q, K, 2L, 2L)
      plain <- statlearn:::cpp_knn_search(d$x, d$q, K, 1L, 1L)
      expect_identical(tree$index, plain$index)
      expect_identical(tree$distance, plain$distance)
      expect_identical(statlearn:::cpp_knn_search(d$x, d$q, K, 1L, 2L)$index, tree$index)
    }
  }
  # The fit's choice: the tree for few inputs, the same predictions either way.
  x <- matrix(rnorm(2000 * 3), 2000)
  y <- factor(x[, 1] + rnorm(2000) > 0)
  q <- matrix(rnorm(300 * 3), 300)
  auto <- nearest_neighbors(x, y, k = c(1, 7), ties = "all")
  brute <- nearest_neighbors(x, y, k = c(1, 7), ties = "all", search = "brute")
  expect_identical(predict(auto, q, type = "prob"), predict(brute, q, type = "prob"))
  expect_identical(statlearn:::neighbour_search_code("auto", 3L), 2L)
  expect_identical(statlearn:::neighbour_search_code("auto", 20L), 0L)
})

test_that("editing and condensing (ESL 13.5): Wilson's rule, multi-edit and Hart's condensing", {
  skip_if_not_installed("class")
  x <- mixture$x
  y <- factor(mixture$y)
  n <- nrow(x)
  # Wilson: drop points whose 3 nearest other points vote against them (computed in R).
  d <- as.matrix(dist(x))
  diag(d) <- Inf
  nn3 <- t(apply(d, 1L, function(r) order(r, seq_along(r))[1:3]))
  vote1 <- rowSums(matrix(mixture$y[nn3], n) == 1)
  keep_manual <- which((vote1 >= 2) == (mixture$y == 1))
  wil <- nearest_neighbors(x, y, k = 1, edit = "wilson")
  expect_identical(wil$kept, keep_manual)
  expect_identical(wil$nobs, length(keep_manual))
  # Condensing: the kept subset classifies every training point correctly by
  # 1-NN, and is much smaller than the data.
  con <- nearest_neighbors(x, y, k = 1, condense = TRUE)
  expect_true(all(predict(con, x) == y))
  expect_lt(con$nobs, n / 2)
  expect_identical(con$kept[1], 1L)
  # Hart's rule written out point by point (the store's first nearest member decides).
  hart <- function(x, y) {
    store <- 1L
    repeat {
      added <- FALSE
      for (i in seq_len(nrow(x))) {
        if (i %in% store) next
        d <- colSums((t(x[store, , drop = FALSE]) - x[i, ])^2)
        if (y[store[which.min(d)]] != y[i]) {
          store <- c(store, i)
          added <- TRUE
        }
      }
      if (!added) break
    }
    sort(store)
  }
  expect_identical(con$kept, hart(x, y))
  # Multi-edit: reproducible from set.seed(); the edited 1-NN rule is smoother
  # (lower test error than 1-NN of all points on data from the same model).
  set.seed(3)
  me <- nearest_neighbors(x, y, k = 1, edit = "multiedit")
  set.seed(3)
  expect_identical(nearest_neighbors(x, y, k = 1, edit = "multiedit")$kept, me$kept)
  expect_lt(me$nobs, n)
  both <- nearest_neighbors(x, y, k = 1, edit = "wilson", condense = TRUE)
  expect_true(all(both$kept %in% wil$kept))
  expect_true(all(predict(both, x[wil$kept, ]) == y[wil$kept]))
  expect_statlearn_error(nearest_neighbors(x, mixture$x[, 1], edit = "wilson"),
                         "statlearn_error_unsupported", "edit")
  expect_statlearn_error(nearest_neighbors(x, y, k = 150, condense = TRUE), "statlearn_error_range", "k")
  expect_statlearn_error(cross_validate(con), "statlearn_error_missing", "x")
  cv <- cross_validate(nearest_neighbors(x, y, k = c(1, 3), edit = "wilson"), x = x, y = y, folds = 5)
  expect_length(cv$cvm, 2)
})

test_that("the running-sum votes of a k path equal the vote of each k, and class::knn without ties", {
  set.seed(17)
  x <- matrix(sample(0:4, 1500 * 3, TRUE), ncol = 3)
  q <- matrix(sample(0:4, 300 * 3, TRUE), ncol = 3)
  ks <- c(1, 2, 5, 8, 15, 40)
  for (vote in c("majority", "distance")) {
    yc <- factor(sample(letters[1:3], 1500, TRUE))
    fit <- nearest_neighbors(x, yc, k = ks, vote = vote)
    nb <- statlearn:::neighbour_search(fit, q, 40L, 1L)
    for (type in c("class", "prob")) {
      expect_identical(statlearn:::neighbour_path_votes(fit, nb, ks, type),
                       lapply(ks, function(k) statlearn:::neighbour_vote(fit, nb, k, type)))
    }
    yr <- rnorm(1500)
    fit <- nearest_neighbors(x, yr, k = ks, vote = vote)
    expect_equal(statlearn:::neighbour_path_votes(fit, nb, ks, "response"),
                 lapply(ks, function(k) statlearn:::neighbour_vote(fit, nb, k, "response")),
                 tolerance = 1e-13)
  }
  skip_if_not_installed("class")
  x <- matrix(rnorm(600 * 4), ncol = 4)
  y <- factor(sample(c("u", "v", "w"), 600, TRUE))
  q <- matrix(rnorm(200 * 4), ncol = 4)
  fit <- nearest_neighbors(x, y, k = c(1, 4, 9))
  for (k in c(1, 9)) {  # three classes can tie at k = 9: compare where the vote is clear
    ref <- class::knn(x, q, y, k = k, prob = TRUE)
    prob <- predict(fit, q, type = "prob", k = k)
    clear <- apply(prob, 1L, function(v) sum(v == max(v)) == 1L)
    expect_identical(as.character(predict(fit, q, k = k))[clear], as.character(ref)[clear])
  }
})

test_that("regression is the mean of the k nearest responses; distance votes weight by 1/d", {
  set.seed(13)
  x <- matrix(runif(300 * 4), 300)
  y <- sin(4 * x[, 1]) + rnorm(300, sd = 0.1)
  q <- matrix(runif(40 * 4), 40)
  fit <- nearest_neighbors(x, y, k = c(3, 10))
  nb <- manual_neighbours(x, q, 10)
  ref <- cbind(rowMeans(matrix(y[nb[, 1:3]], 40)), rowMeans(matrix(y[nb], 40)))
  expect_equal(unname(predict(fit, q)), ref, tolerance = 1e-12)
  expect_equal(predict(fit, q, k = 3), ref[, 1], tolerance = 1e-12)
  wfit <- nearest_neighbors(x, y, k = 10, vote = "distance")
  d <- sqrt(matrix(rowSums((x[nb, ] - q[rep(1:40, 10), ])^2), 40))
  expect_equal(predict(wfit, q), rowSums(matrix(y[nb], 40) / d) / rowSums(1 / d), tolerance = 1e-12)
  # The path over k equals separate fits.
  cls <- factor(ifelse(y > 0, "up", "down"))
  path <- nearest_neighbors(x, cls, k = c(1, 4, 9))
  pk <- predict(path, q)
  for (k in c(1, 4, 9)) {
    expect_identical(pk[[paste0("k=", k)]], predict(nearest_neighbors(x, cls, k = k), q))
  }
  expect_equal(dim(predict(path, q, type = "prob")), c(40L, 2L, 3L))
})

test_that("ties: 'nearest' takes exactly k in row order, 'all' takes the whole tie group", {
  x <- matrix(c(0, 1, -1, 2, 3), ncol = 1)  # distances to 0: 0, 1, 1, 2, 3
  y <- factor(c("a", "b", "c", "c", "b"))
  q <- matrix(0, 1, 1)
  near <- nearest_neighbors(x, y, k = 2, ties = "nearest")
  # Neighbours 1 (a, d = 0) and 2 (b, d = 1, before row 3 at the same distance):
  # a 1-1 vote, won by the class with the nearest member.
  expect_equal(unname(predict(near, q, type = "prob")[1, ]), c(0.5, 0.5, 0))
  expect_identical(as.character(predict(near, q)), "a")
  all <- nearest_neighbors(x, y, k = 2, ties = "all")
  expect_equal(unname(predict(all, q, type = "prob")[1, ]), c(1, 1, 1) / 3)
  skip_if_not_installed("class")
  expect_equal(max(predict(all, q, type = "prob")), attr(class::knn(x, q, y, k = 2, prob = TRUE), "prob"))
})

test_that("formula and matrix fits agree; standardize equals scaling first; saveRDS keeps predictions", {
  train <- data.frame(x1 = mixture$x[, 1], x2 = mixture$x[, 2] * 100, y = factor(mixture$y))
  f1 <- nearest_neighbors(y ~ x1 + x2, data = train, k = 15, standardize = TRUE)
  f2 <- nearest_neighbors(as.matrix(train[, 1:2]), train$y, k = 15, standardize = TRUE)
  grid <- data.frame(x1 = runif(50, -2, 4), x2 = runif(50, -200, 300))
  expect_identical(unname(predict(f1, grid)), unname(predict(f2, as.matrix(grid))))
  s <- scale(train[, 1:2])
  f3 <- nearest_neighbors(s, train$y, k = 15)
  g3 <- scale(grid, attr(s, "scaled:center"), attr(s, "scaled:scale"))
  expect_equal(predict(f1, grid, type = "prob"), predict(f3, g3, type = "prob"), ignore_attr = TRUE)
  path <- tempfile(fileext = ".rds")
  saveRDS(f1, path)
  expect_identical(predict(readRDS(path), grid, type = "prob"), predict(f1, grid, type = "prob"))
  # 1-NN has training error 0 (ESL Figure 2.3).
  expect_identical(mean(predict(nearest_neighbors(y ~ ., data = train, k = 1)) != train$y), 0)
  pdf(NULL)
  on.exit(dev.off())
  expect_identical(plot(f1), f1)
  expect_output(print(summary(f1)), "Training error rate")
})

test_that("bad inputs give classed errors naming the argument", {
  x <- matrix(rnorm(40), 20)
  y <- factor(rep(c("a", "b"), 10))
  expect_statlearn_error(nearest_neighbors(x, y, k = 0), "statlearn_error_range", "k")
  expect_statlearn_error(nearest_neighbors(x, y, k = 21), "statlearn_error_range", "k")
  expect_statlearn_error(nearest_neighbors(x, y, k = 1.5), "statlearn_error_type", "k")
  expect_statlearn_error(nearest_neighbors(x, y, k = NA), "statlearn_error_type", "k")
  x_na <- x
  x_na[3, 1] <- NA
  expect_statlearn_error(nearest_neighbors(x_na, y), "statlearn_error_nonfinite", "x")
  expect_statlearn_error(nearest_neighbors(matrix(letters[1:4], 2), y[1:2]), "statlearn_error_type", "x")
  expect_statlearn_error(nearest_neighbors(x, factor(rep("a", 20))), "statlearn_error_classes", "y")
  expect_statlearn_error(nearest_neighbors(x, y[1:19]), "statlearn_error_length", "y")
  expect_statlearn_error(nearest_neighbors(x, y, vote = "weighted"), "statlearn_error_range", "vote")
  expect_statlearn_error(nearest_neighbors(x, y, edit = "hart"), "statlearn_error_range", "edit")
  expect_statlearn_error(nearest_neighbors(x, y, condense = NA), "statlearn_error_type", "condense")
  expect_statlearn_error(nearest_neighbors(x, y, search = "ball"), "statlearn_error_range", "search")
  expect_statlearn_error(nearest_neighbors(cbind(x, 1), y, standardize = TRUE),
                         "statlearn_error_constant", "x")
  fit <- nearest_neighbors(x, y, k = 3)
  expect_statlearn_error(predict(fit, matrix(0, 2, 3)), pattern = "newdata")
  expect_statlearn_error(predict(fit, x, type = "response"), "statlearn_error_range", "type")
  expect_statlearn_error(predict(fit, x, k = 30), "statlearn_error_range", "k")
  expect_statlearn_error(nearest_neighbors(x, y, kk = 3), "statlearn_error_argument", "kk")
  q <- x
  q[1, 2] <- Inf
  expect_statlearn_error(predict(fit, q), "statlearn_error_nonfinite", "newdata")
})

test_that("cross_validate() chooses k: the curve equals a manual loop over the same folds", {
  set.seed(14)
  x <- matrix(runif(200 * 2), 200)
  y <- sin(6 * x[, 1]) + x[, 2] + rnorm(200, sd = 0.3)
  fit <- nearest_neighbors(x, y, k = c(1, 3, 5, 9, 15, 25, 40))
  set.seed(2)
  cv <- cross_validate(fit, folds = 5)
  manual <- sapply(fit$k, function(k) {
    err <- numeric(200)
    for (f in 1:5) {
      te <- cv$foldid == f
      nb <- manual_neighbours(x[!te, ], x[te, , drop = FALSE], k)
      err[te] <- (y[te] - rowMeans(matrix(y[!te][nb], sum(te))))^2
    }
    mean(err)
  })
  expect_equal(cv$cvm, manual, tolerance = 1e-12)
  expect_true(cv$tuning_1se >= cv$tuning_min)
  expect_identical(predict(cv, x[1:5, ]), predict(fit, x[1:5, ], k = cv$tuning_1se))
  cls <- factor(y > 1)
  cvc <- cross_validate(nearest_neighbors(x, cls, k = c(1, 7, 21)), folds = 4)
  expect_identical(cvc$measure, "class")
  expect_true(all(cvc$cvm >= 0 & cvc$cvm <= 1))
  pdf(NULL)
  on.exit(dev.off())
  expect_identical(plot(cvc), cvc)
  expect_statlearn_error(cross_validate(fit, weights = rep(1, 200)), "statlearn_error_unsupported",
                         "weights")
})

test_that("plot() of a classifier draws one k in the colours asked for", {
  fit <- nearest_neighbors(mixture$x, factor(mixture$y), k = c(1, 15))
  path <- tempfile(fileext = ".pdf")
  grDevices::pdf(path)
  on.exit({ grDevices::dev.off(); unlink(path) })
  expect_identical(plot(fit, k = 15, col = c("dodgerblue", "orange"), resolution = 30), fit)
  expect_statlearn_error(plot(fit, k = c(1, 15)), "statlearn_error_length", "k")
  expect_statlearn_error(plot(fit, k = 15, col = "red"), "statlearn_error_length", "col")
})

test_that("plot() of a regression fit draws its fit", {
  pdf(NULL)
  on.exit(dev.off())
  set.seed(15)
  x <- matrix(runif(100), ncol = 1)
  y <- sin(6 * x[, 1]) + rnorm(100, sd = 0.2)
  fit <- nearest_neighbors(x, y, k = c(5, 10), standardize = TRUE)
  expect_identical(plot(fit), fit)
  fit2 <- nearest_neighbors(cbind(x, runif(100)), y, k = 5)
  expect_identical(plot(fit2), fit2)
})
