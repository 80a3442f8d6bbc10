# Prototype methods (ESL 13.2): k-means in each class, and learning vector
# quantisation against class::lvq1/olvq1/lvq2/lvq3 from the same codebook and
# the same sequence of observations.

mixture_frame <- function() {
  data.frame(x1 = mixture$x[, 1], x2 = mixture$x[, 2], y = factor(mixture$y))
}

# Error rate on the known mixture density (see ?mixture).
mixture_test_error <- function(fit) {
  grid <- data.frame(x1 = mixture$xnew[, 1], x2 = mixture$xnew[, 2])
  pred <- predict(fit, grid) == "1"
  with(mixture, sum(marginal * ifelse(pred, 1 - prob, prob)))
}

test_that("LVQ updates equal class::lvq1, olvq1, lvq2 and lvq3 from the same codebook and order", {
  skip_if_not_installed("class")
  cases <- list(
    list(x = mixture$x, cl = factor(mixture$y), size = 10),
    list(x = as.matrix(iris[, 1:4]), cl = iris$Species, size = 12)
  )
  for (cs in cases) {
    set.seed(3)
    cb <- class::lvqinit(cs$x, cs$cl, size = cs$size)
    n <- nrow(cs$x)
    for (m in c("lvq1", "olvq1", "lvq2", "lvq3")) {
      # class's own defaults for niter and alpha; the order drawn exactly as class draws it
      niter <- (if (m == "olvq1") 40 else 100) * nrow(cb$x)
      set.seed(11)
      ref <- switch(m, lvq1 = class::lvq1(cs$x, cs$cl, cb), olvq1 = class::olvq1(cs$x, cs$cl, cb),
                    lvq2 = class::lvq2(cs$x, cs$cl, cb), lvq3 = class::lvq3(cs$x, cs$cl, cb))
      set.seed(11)
      order <- sample(n, niter, TRUE)
      ours <- statlearn:::lvq_update(cs$x, cs$cl, cb$x, cb$cl, order, m)
      expect_gt(max(abs(ref$x - cb$x)), 0.05)  # the codebook did move
      expect_equal(unname(ours), unname(ref$x), tolerance = 1e-12, info = m)
    }
    # non-default rate, window and epsilon
    set.seed(5)
    ref <- class::lvq3(cs$x, cs$cl, cb, niter = 3000, alpha = 0.1, win = 0.5, epsilon = 0.3)
    set.seed(5)
    order <- sample(n, 3000, TRUE)
    ours <- statlearn:::lvq_update(cs$x, cs$cl, cb$x, cb$cl, order, "lvq3", alpha = 0.1,
                                   window = 0.5, epsilon = 0.3)
    expect_equal(unname(ours), unname(ref$x), tolerance = 1e-12)
  }
  # class::lvqtest() (nearest codebook vector) agrees with predict()
  train <- mixture_frame()
  fit <- learning_vector_quantization(train[, 1:2], train$y, prototypes = 4, seed = 1, threads = 1)
  cb <- list(x = fit$prototypes, cl = fit$prototype_class)
  grid <- mixture$xnew
  colnames(grid) <- c("x1", "x2")
  expect_identical(as.character(predict(fit, grid)), as.character(class::lvqtest(cb, grid)))
})

test_that("learning_vector_quantization() starts from k-means per class (ESL Algorithm 13.1) or a sample", {
  train <- mixture_frame()
  km <- prototype_classifier(y ~ x1 + x2, data = train, prototypes = 5, starts = 3, seed = 9,
                             threads = 1)
  lv <- learning_vector_quantization(y ~ x1 + x2, data = train, prototypes = 5, starts = 3,
                                     method = "lvq1", seed = 9, threads = 1)
  expect_identical(unname(lv$initial_prototypes), unname(km$prototypes))
  expect_identical(lv$prototype_class, km$prototype_class)
  expect_false(isTRUE(all.equal(lv$prototypes, lv$initial_prototypes)))
  expect_identical(lv$iterations, 1000L)  # class's default, 100 per prototype
  expect_identical(lv$learning_rate, 0.03)
  # A given codebook (a fit, or class's list(x, cl)) with the same seed: the same moves
  a <- learning_vector_quantization(train[, 1:2], train$y, codebook = km, method = "lvq1",
                                    seed = 9, threads = 1)
  b <- learning_vector_quantization(train[, 1:2], train$y,
                                    codebook = list(x = km$prototypes, cl = km$prototype_class),
                                    method = "lvq1", seed = 9, threads = 1)
  expect_identical(unname(a$prototypes), unname(b$prototypes))
  expect_identical(a$init, "given")
  # sampled starts are training points of the right class
  s <- learning_vector_quantization(train[, 1:2], train$y, prototypes = c(2, 3), init = "sample",
                                    seed = 4, threads = 1)
  expect_identical(as.vector(table(s$prototype_class)), c(2L, 3L))
  for (j in seq_len(5)) {
    hit <- which(mixture$x[, 1] == s$initial_prototypes[j, 1] & mixture$x[, 2] == s$initial_prototypes[j, 2])
    expect_length(hit, 1L)
    expect_identical(as.character(train$y[hit]), as.character(s$prototype_class[j]))
  }
  # OLVQ1 keeps one rate per prototype, never above the starting rate
  o <- learning_vector_quantization(train[, 1:2], train$y, seed = 2, threads = 1)
  expect_identical(o$lvq_method, "olvq1")
  expect_length(o$rates, 10L)
  expect_true(all(o$rates > 0 & o$rates <= 0.3))
})

test_that("set.seed() and seed reproduce a fit; the formula and matrix interfaces agree", {
  train <- mixture_frame()
  set.seed(42)
  a <- learning_vector_quantization(y ~ ., data = train, method = "lvq3", threads = 1)
  set.seed(42)
  b <- learning_vector_quantization(y ~ ., data = train, method = "lvq3", threads = 1)
  expect_identical(a$prototypes, b$prototypes)
  c2 <- learning_vector_quantization(as.matrix(train[, 1:2]), train$y, method = "lvq3",
                                     seed = a$seed, threads = 1)
  expect_identical(unname(c2$prototypes), unname(a$prototypes))
  d <- learning_vector_quantization(y ~ ., data = train, method = "lvq3", seed = a$seed + 1,
                                    threads = 1)
  expect_false(identical(d$prototypes, a$prototypes))
  set.seed(42)
  p1 <- prototype_classifier(y ~ ., data = train, threads = 1)
  set.seed(42)
  p2 <- prototype_classifier(train[, 1:2], train$y, threads = 1)
  expect_identical(unname(p1$prototypes), unname(p2$prototypes))
  expect_identical(unname(predict(p1, train)), predict(p2, as.matrix(train[, 1:2])))
})

test_that("prototype_classifier() equals nearest-centre classification from k_means() in each class", {
  set.seed(7)
  x <- rbind(matrix(rnorm(120 * 3), ncol = 3), matrix(rnorm(90 * 3, 1.2), ncol = 3),
             matrix(rnorm(60 * 3, -1), ncol = 3))
  colnames(x) <- c("a", "b", "c")
  y <- factor(rep(c("u", "v", "w"), c(120, 90, 60)))
  m <- c(u = 4, v = 3, w = 2)
  fit <- prototype_classifier(x, y, prototypes = c(w = 2, u = 4, v = 3), starts = 2, seed = 5,
                              threads = 1)
  expect_identical(fit$prototypes_per_class, c(u = 4L, v = 3L, w = 2L))
  expect_identical(as.vector(table(fit$prototype_class)), c(4L, 3L, 2L))
  # each class's prototypes: k_means() of that class from its own seed
  for (l in 1:3) {
    ref <- k_means(x[y == levels(y)[l], ], m[[l]], starts = 2, seed = 5 + l, threads = 1)
    expect_identical(unname(fit$prototypes[fit$prototype_class == levels(y)[l], ]),
                     unname(ref$centers))
    # and they are a k-means fixed point: each the mean of its class's points nearest to it
    P <- fit$prototypes[fit$prototype_class == levels(y)[l], ]
    xl <- x[y == levels(y)[l], ]
    near <- apply(xl, 1, function(r) which.min(colSums((t(P) - r)^2)))
    expect_equal(unname(P), unname(t(sapply(seq_len(nrow(P)), function(j) colMeans(xl[near == j, , drop = FALSE])))),
                 tolerance = 1e-12)
  }
  # predictions: the class of the nearest prototype, computed in plain R
  q <- matrix(rnorm(500 * 3, 0.3, 1.5), ncol = 3)
  D <- as.matrix(dist(rbind(fit$prototypes, q)))[-(1:9), 1:9]^2
  expect_identical(unname(predict(fit, q, type = "prototype")), unname(max.col(-D, ties.method = "first")))
  expect_identical(as.character(predict(fit, q)),
                   as.character(fit$prototype_class[max.col(-D, ties.method = "first")]))
  Dk <- sapply(levels(y), function(l) apply(D[, fit$prototype_class == l, drop = FALSE], 1, min))
  expect_equal(unname(predict(fit, q, type = "distance")), unname(Dk), tolerance = 1e-12)
  expect_identical(colnames(predict(fit, q, type = "distance")), levels(y))
  # ties go to the first prototype
  twin <- fit
  twin$prototypes[9, ] <- twin$prototypes[1, ]
  expect_identical(unname(predict(twin, twin$prototypes[c(1, 9), ], type = "prototype")), c(1L, 1L))
  expect_identical(as.character(predict(twin, twin$prototypes[9, , drop = FALSE])), "u")
  expect_error(predict(fit, q, type = "prob"), class = "statlearn_error_unsupported")
})

test_that("standardize = TRUE fits among inputs scaled to unit standard deviation", {
  set.seed(12)
  x <- cbind(a = rnorm(150, 10, 100), b = rnorm(150, 0, 0.01), c = runif(150))
  y <- factor(ifelse(x[, 1] / 100 + x[, 2] * 100 > 0, "p", "n"))
  xs <- scale(x)
  q <- cbind(a = rnorm(300, 10, 100), b = rnorm(300, 0, 0.01), c = runif(300))
  qs <- scale(q, attr(xs, "scaled:center"), attr(xs, "scaled:scale"))
  for (fn in list(prototype_classifier, learning_vector_quantization)) {
    a <- fn(x, y, prototypes = 3, standardize = TRUE, seed = 4, threads = 1)
    b <- fn(unclass(xs)[, 1:3], y, prototypes = 3, seed = 4, threads = 1)
    expect_equal(unname(a$scaled_prototypes), unname(b$prototypes), tolerance = 1e-12)
    # reported in the inputs' units
    expect_equal(unname(a$prototypes),
                 unname(sweep(sweep(b$prototypes, 2, attr(xs, "scaled:scale"), "*"), 2,
                              attr(xs, "scaled:center"), "+")), tolerance = 1e-12)
    expect_identical(unname(predict(a, q)), unname(predict(b, unclass(qs)[, 1:3])))
    back <- round_trip(a)
    expect_identical(predict(back, q), predict(a, q))
  }
  expect_error(prototype_classifier(cbind(x, d = 1), y, standardize = TRUE, threads = 1),
               class = "statlearn_error_constant")
  expect_error(prototype_classifier(x, y, standardize = NA, threads = 1),
               class = "statlearn_error_type")
})

test_that("training and test errors on the mixture data are in the range of ESL Figures 13.1-13.2", {
  train <- mixture_frame()
  set.seed(1)
  km <- prototype_classifier(y ~ x1 + x2, data = train, prototypes = 5, starts = 10, threads = 1)
  lv <- learning_vector_quantization(y ~ x1 + x2, data = train, prototypes = 5, starts = 10,
                                     method = "lvq1", iterations = 5000, threads = 1)
  bayes <- with(mixture, sum(marginal * pmin(prob, 1 - prob)))
  for (fit in list(km, lv)) {
    train_err <- mean(predict(fit, train) != train$y)
    test_err <- mixture_test_error(fit)
    expect_gt(train_err, 0.10)
    expect_lt(train_err, 0.25)
    expect_gt(test_err, bayes)
    expect_lt(test_err, 0.30)
  }
  expect_identical(fitted(km, threads = 1), predict(km, train))
  expect_identical(predict(km, threads = 1), predict(km, train))
})

test_that("results are identical for 1 and 2 threads", {
  set.seed(8)
  x <- matrix(rnorm(6000 * 4), ncol = 4)
  y <- factor(ifelse(x[, 1] * x[, 2] > 0, "a", "b"))
  q <- matrix(rnorm(20000 * 4), ncol = 4)
  for (fn in list(prototype_classifier, learning_vector_quantization)) {
    a <- fn(x, y, prototypes = 6, seed = 3, threads = 1)
    b <- fn(x, y, prototypes = 6, seed = 3, threads = 2)
    expect_identical(a$prototypes, b$prototypes)
    expect_identical(predict(a, q, threads = 1), predict(a, q, threads = 2))
    expect_identical(predict(a, q, type = "distance", threads = 1),
                     predict(a, q, type = "distance", threads = 2))
  }
})

test_that("fits survive saveRDS() and predict the same in a fresh R process", {
  train <- mixture_frame()
  fits <- list(prototype_classifier(y ~ x1 + x2, data = train, seed = 1, threads = 1),
               learning_vector_quantization(train[, 1:2], train$y, seed = 1, threads = 1))
  for (fit in fits) {
    back <- round_trip(fit)
    expect_identical(predict(back, train[, 1:2]), predict(fit, train[, 1:2]))
    expect_identical(back$prototypes, fit$prototypes)
  }
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(fits[[2]], f)
  out <- run_in_fresh_r(c(
    "suppressMessages(library(statlearn))",
    sprintf("fit <- readRDS('%s')", f),
    "cat(paste(as.integer(predict(fit, mixture$x)), collapse = ''), '\\n')"
  ))
  expect_identical(trimws(out), paste(as.integer(predict(fits[[2]], mixture$x)), collapse = ""))
})

test_that("print() and plot() work; plot() draws the prototypes", {
  train <- mixture_frame()
  fit <- learning_vector_quantization(y ~ x1 + x2, data = train, seed = 1, threads = 1)
  expect_output(print(fit), "OLVQ1, 5 prototypes per class")
  expect_output(print(summary(fit)), "Training error rate")
  expect_output(print(prototype_classifier(y ~ x1 + x2, data = train, seed = 1, threads = 1)),
                "k-means in each class")
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(fit))
  expect_invisible(plot(fit, resolution = 50, main = "LVQ"))
})

test_that("bad inputs give classed errors", {
  train <- mixture_frame()
  x <- as.matrix(train[, 1:2])
  y <- train$y
  for (fn in list(prototype_classifier, learning_vector_quantization)) {
    expect_error(fn(x, y, prototypes = 101, threads = 1), class = "statlearn_error_range")  # more than a class holds
    expect_error(fn(x, y, prototypes = 0, threads = 1), class = "statlearn_error_range")
    expect_error(fn(x, y, prototypes = c(1, 2, 3), threads = 1), class = "statlearn_error_type")
    expect_error(fn(x, y, prototypes = 2.5, threads = 1), class = "statlearn_error_type")
    expect_error(fn(x, y, prototypes = NA, threads = 1), class = "statlearn_error_type")
    expect_error(fn(x, y, prototypes = c(a = 1, b = 2), threads = 1), class = "statlearn_error_range")
    xna <- x
    xna[3, 1] <- NA
    expect_error(fn(xna, y, threads = 1), class = "statlearn_error_nonfinite")
    xinf <- x
    xinf[3, 2] <- Inf
    expect_error(fn(xinf, y, threads = 1), class = "statlearn_error_nonfinite")
    expect_error(fn(data.frame(a = letters[1:200], b = 1), y, threads = 1), class = "statlearn_error_type")
    expect_error(fn("x", y, threads = 1), class = "statlearn_error_type")
    yna <- y
    yna[5] <- NA
    expect_error(fn(x, yna, threads = 1), class = "statlearn_error_nonfinite")
    expect_error(fn(x, rep("a", 200), threads = 1), class = "statlearn_error_classes")
    expect_error(fn(x, y[-1], threads = 1), class = "statlearn_error_length")
    expect_error(fn(x, y, seed = -1, threads = 1), class = "statlearn_error_range")
    expect_error(fn(x, y, starts = 0, threads = 1), class = "statlearn_error_range")
    expect_error(fn(x, y, bogus = 1, threads = 1), class = "statlearn_error_argument")
    expect_error(fn(x[0, ], y[0], threads = 1), class = "statlearn_error_empty")
    fit <- fn(x, y, prototypes = 2, seed = 1, threads = 1)
    expect_error(predict(fit, cbind(x, 1)), class = "statlearn_error_dimension")
    expect_error(predict(fit, x[, 1, drop = FALSE]), class = "statlearn_error_dimension")
    expect_error(predict(fit, x, type = "response"), class = "statlearn_error_range")
    bad <- x
    bad[1, 1] <- NaN
    expect_error(predict(fit, bad), class = "statlearn_error_nonfinite")
  }
  expect_error(prototype_classifier(x, y, method = "mixture_discriminant", threads = 1),
               class = "statlearn_error_range")
  # k-means needs as many distinct points as prototypes
  xd <- x
  xd[y == "0", ] <- x[rep(1:3, length.out = sum(y == "0")), ]
  expect_error(prototype_classifier(xd, y, prototypes = 4, threads = 1), class = "statlearn_error_range")
  # formula fits: a new frame without a training variable
  fit <- prototype_classifier(y ~ x1 + x2, data = train, seed = 1, threads = 1)
  expect_error(predict(fit, train[, "x1", drop = FALSE]), class = "statlearn_error_formula")
  expect_error(predict(fit, x[, 1, drop = FALSE]), class = "statlearn_error_type")
  # LVQ settings
  lvq <- function(...) learning_vector_quantization(x, y, seed = 1, threads = 1, ...)
  expect_error(lvq(method = "lvq4"), class = "statlearn_error_range")
  expect_error(lvq(learning_rate = 0), class = "statlearn_error_range")
  expect_error(lvq(learning_rate = 1.5), class = "statlearn_error_range")
  expect_error(lvq(learning_rate = "a"), class = "statlearn_error_type")
  expect_error(lvq(iterations = 0), class = "statlearn_error_range")
  expect_error(lvq(window = 1), class = "statlearn_error_range")
  expect_error(lvq(epsilon = -0.1), class = "statlearn_error_range")
  expect_error(lvq(init = "random"), class = "statlearn_error_range")
  expect_error(lvq(codebook = matrix(0, 2, 2)), class = "statlearn_error_type")
  expect_error(lvq(codebook = list(x = matrix(0, 2, 3), cl = c("0", "1"))),
               class = "statlearn_error_dimension")
  expect_error(lvq(codebook = list(x = matrix(0, 2, 2), cl = c("0", "2"))),
               class = "statlearn_error_range")
  expect_error(lvq(method = "lvq2", codebook = list(x = matrix(0:3, 2, 2), cl = c("0", "0"))),
               class = "statlearn_error_classes")
})

test_that("method = 'gaussian_mixture' is Bayes' rule with one gaussian_mixture() per class", {
  keep <- c(1:100, 101:160)  # unequal classes, so the priors matter
  x <- mixture$x[keep, ]
  y <- factor(mixture$y[keep], labels = c("blue", "orange"))
  fit <- prototype_classifier(x, y, prototypes = 3, method = "gaussian_mixture",
                              covariance = "spherical", starts = 2, seed = 4, threads = 1)
  # The per-class fits are gaussian_mixture() on each class with the class's seed.
  for (l in 1:2) {
    ref <- gaussian_mixture(x[y == levels(y)[l], ], 3, covariance = "spherical", starts = 2,
                            seed = (fit$seed + l) %% .Machine$integer.max, threads = 1)
    expect_equal(fit$mixtures[[l]]$loglik, ref$loglik, tolerance = 1e-12)
    expect_equal(unname(fit$prototypes[fit$prototype_class == levels(y)[l], ]), unname(ref$means),
                 tolerance = 1e-12)
  }
  # Posterior computed in plain R from the fitted parameters (dnorm products).
  q <- matrix(c(-1, 0, 1, 2, 3, 0.5, 1, -0.5, 2, 1), ncol = 2)
  dens <- sapply(1:2, function(l) {
    g <- fit$mixtures[[l]]
    rowSums(sapply(seq_along(g$proportions), function(k) {
      s <- sqrt(g$covariances[1, 1, k])
      g$proportions[k] * dnorm(q[, 1], g$means[k, 1], s) * dnorm(q[, 2], g$means[k, 2], s)
    }))
  })
  post <- sweep(dens, 2, as.numeric(table(y)) / length(y), "*")
  post <- post / rowSums(post)
  expect_equal(unname(predict(fit, q, type = "prob")), post, tolerance = 1e-10)
  expect_identical(as.character(predict(fit, q)), levels(y)[max.col(post)])
  # Test error from the mixture's known density: a sensible Bayes-like rule.
  grid_pred <- predict(fit, mixture$xnew) == "orange"
  err <- with(mixture, sum(marginal * ifelse(grid_pred, 1 - prob, prob)))
  expect_gt(err, 0.209)
  expect_lt(err, 0.30)
  expect_identical(predict(prototype_classifier(x, y, 3, method = "gaussian_mixture", seed = 4,
                                                threads = 2), q),
                   predict(prototype_classifier(x, y, 3, method = "gaussian_mixture", seed = 4,
                                                threads = 1), q))
  path <- tempfile(fileext = ".rds")
  saveRDS(fit, path)
  expect_identical(predict(readRDS(path), q, type = "prob"), predict(fit, q, type = "prob"))
  expect_output(print(fit), "EM in each class")
  expect_error(predict(fit, q, type = "distance"), class = "statlearn_error_unsupported")
  expect_error(prototype_classifier(x, y, 3, method = "gaussian_mixture", algorithm = "lloyd"),
               class = "statlearn_error_argument")
  expect_error(prototype_classifier(x, y, 3, method = "em"), class = "statlearn_error_range")
})
