# ESL Figure 4.14/4.16-style data: two well separated Gaussian classes in 2D.
sim_separable <- function(n = 20, shift = 1.6, seed = 1, p = 2) {
  set.seed(seed)
  x <- rbind(matrix(rnorm(n * p, -shift), n), matrix(rnorm(n * p, shift), n))
  colnames(x) <- paste0("x", seq_len(p))
  y <- factor(rep(c("neg", "pos"), each = n), levels = c("neg", "pos"))
  list(x = x, y = y, d = data.frame(x, y = y))
}

margins <- function(fit, x, y) (2 * (as.integer(y) == 2) - 1) * predict(fit, x, type = "link")

test_that("separating_hyperplane() matches e1071::svm with a huge cost", {
  skip_if_not_installed("e1071")
  for (seed in 1:4) {
    s <- sim_separable(seed = seed, n = 25 + 5 * seed, p = 1 + seed %% 3 + 1)
    fit <- separating_hyperplane(s$x, s$y)
    ref <- e1071::svm(s$x, s$y, kernel = "linear", cost = 1e6, scale = FALSE, tolerance = 1e-10)
    w <- drop(t(ref$coefs) %*% ref$SV)
    b <- -ref$rho
    # e1071's decision is positive for its first label (the first level in the data here).
    sgn <- if (ref$labels[1] == 1L) -1 else 1
    ours <- coef(fit) / sqrt(sum(fit$beta^2))
    theirs <- sgn * c(b, w) / sqrt(sum(w^2))
    expect_equal(unname(ours), unname(theirs), tolerance = 1e-4, info = paste("seed", seed))
    expect_equal(unname(coef(fit)), unname(sgn * c(b, w)), tolerance = 1e-4,
                 info = "unnormalised hyperplane (same scale: y f = 1 on the margin)")
    expect_identical(sort(fit$support), sort(ref$index), info = paste("support points, seed", seed))
    m <- margins(fit, s$x, s$y)
    expect_true(all(m >= 1 - 1e-8))
    expect_equal(unname(m[fit$support]), rep(1, length(fit$support)), tolerance = 1e-8)
    expect_equal(fit$margin, 1 / sqrt(sum(fit$beta^2)), tolerance = 1e-10, info = "M = 1/||beta||")
    # dual feasibility (4.50-4.51): beta = sum alpha_i y_i x_i, sum alpha_i y_i = 0
    yy <- 2 * (as.integer(s$y) == 2) - 1
    expect_equal(unname(drop(crossprod(s$x, fit$alpha * yy))), unname(fit$beta), tolerance = 1e-8)
    expect_equal(sum(fit$alpha * yy), 0, tolerance = 1e-8)
  }
})

test_that("separating_hyperplane(): formula interface, prediction, round trip", {
  s <- sim_separable(seed = 7)
  f1 <- separating_hyperplane(s$x, s$y)
  f2 <- separating_hyperplane(y ~ x1 + x2, data = s$d)
  expect_equal(coef(f2), coef(f1), tolerance = 1e-12)
  expect_identical(unname(predict(f2, s$d)), s$y)
  expect_identical(unname(predict(f1, s$x)), s$y)
  rt <- round_trip(f2)
  expect_identical(predict(rt, s$d, type = "link"), predict(f2, s$d, type = "link"))
  expect_output(print(f2), "Margin")
})

test_that("non-separable data raise statlearn_error_not_separable", {
  set.seed(2)
  x <- matrix(rnorm(200), 100)
  y <- factor(ifelse(x[, 1] + rnorm(100) > 0, "a", "b"))
  expect_error(separating_hyperplane(x, y), class = "statlearn_error_not_separable")
  # a duplicated point with both labels
  x2 <- rbind(c(0, 0), c(0, 0), c(1, 1), c(-1, -1))
  expect_error(separating_hyperplane(x2, factor(c("a", "b", "b", "a"))),
               class = "statlearn_error_not_separable")
})

test_that("perceptron() separates separable data; set.seed reproduces", {
  s <- sim_separable(seed = 3)
  set.seed(10)
  f1 <- perceptron(s$x, s$y)
  set.seed(10)
  f2 <- perceptron(s$x, s$y)
  f1$call <- f2$call <- NULL
  expect_identical(f1, f2)
  expect_true(f1$converged)
  expect_identical(f1$mistakes[f1$epochs], 0L)
  expect_true(all(margins(f1, s$x, s$y) > 0))
  expect_identical(unname(predict(f1, s$x)), s$y)
  f3 <- perceptron(y ~ ., data = s$d, seed = 5, learning_rate = 0.5)
  f4 <- perceptron(s$x, s$y, seed = 5, learning_rate = 0.5)
  expect_equal(coef(f3), coef(f4))
  expect_identical(predict(round_trip(f3), s$d, type = "link"), predict(f3, s$d, type = "link"))
  # the learning rate only rescales the hyperplane when starting from zero
  f5 <- perceptron(s$x, s$y, seed = 5, learning_rate = 1)
  expect_equal(coef(f5), 2 * coef(f4), tolerance = 1e-12)
})

test_that("perceptron() warns on non-separable data", {
  set.seed(2)
  x <- matrix(rnorm(200), 100)
  y <- factor(ifelse(x[, 1] + rnorm(100) > 0, "a", "b"))
  expect_warning(fit <- perceptron(x, y, max_epochs = 30, seed = 1),
                 class = "statlearn_warning_convergence")
  expect_false(fit$converged)
  expect_identical(fit$epochs, 30L)
  expect_length(fit$mistakes, 30L)
})

test_that("bad input gives classed errors", {
  s <- sim_separable()
  expect_statlearn_error(perceptron(s$x, factor(rep("a", 40))), "statlearn_error_classes")
  expect_statlearn_error(perceptron(s$x, rep(1:3, length.out = 40)), "statlearn_error_classes")
  expect_statlearn_error(separating_hyperplane(s$x, s$y[-1]), "statlearn_error_length")
  expect_statlearn_error(perceptron(s$x, s$y, learning_rate = 0), "statlearn_error_range")
  expect_statlearn_error(perceptron(s$x, s$y, max_epochs = 0), "statlearn_error_range")
  x <- s$x; x[1, 1] <- NA
  expect_statlearn_error(separating_hyperplane(x, s$y), "statlearn_error_nonfinite")
  fit <- separating_hyperplane(s$x, s$y)
  expect_statlearn_error(predict(fit, s$x[, 1, drop = FALSE]), "statlearn_error_dimension")
  expect_statlearn_error(predict(fit), "statlearn_error_missing")
})

test_that("non-finite values in formula data are classed errors", {
  set.seed(3)
  d <- data.frame(y = factor(rep(c("a", "b"), 10)), x1 = rnorm(20), x2 = rnorm(20))
  d$x1[4] <- Inf
  expect_statlearn_error(perceptron(y ~ ., d), "statlearn_error_nonfinite", "data")
  expect_statlearn_error(separating_hyperplane(y ~ ., d), "statlearn_error_nonfinite", "data")
})

test_that("a stopped separating_hyperplane() says truthfully whether it separates", {
  # Separable with a thin gap, so that a few steps do not reach the optimum.
  set.seed(4)
  x <- matrix(rnorm(400), 200)
  y <- factor(ifelse(x[, 1] + 0.05 * x[, 2] > 0, "a", "b"))
  x[, 1] <- x[, 1] + ifelse(y == "a", 0.01, -0.01)
  seen <- 0
  for (it in c(1, 2, 5, 50)) {
    msg <- NULL
    fit <- withCallingHandlers(separating_hyperplane(x, y, max_iter = it),
                               statlearn_warning_convergence = function(w) {
                                 msg <<- conditionMessage(w)
                                 invokeRestart("muffleWarning")
                               })
    expect_false(is.null(msg), info = paste("max_iter", it))
    separates <- all(margins(fit, x, y) > 0)
    expect_identical(grepl("does not yet separate", msg), !separates, info = paste("max_iter", it))
    seen <- seen + 1
  }
  expect_identical(seen, 4)
})
