# Best subsets, stepwise selection and forward stagewise (ESL 3.3, 3.8.1).

get_prostate <- function() statlearn::prostate  # shipped data (ESL 3.2.1)

prostate_train <- function() {
  subset(get_prostate(), as.logical(train), select = -train)
}

# leaps::regsubsets summary as (rss, which) per size 1..p.
leaps_exhaustive <- function(x, y, weights = NULL, nbest = 1, method = "exhaustive") {
  if (is.null(weights)) weights <- rep(1, nrow(x))
  r <- leaps::regsubsets(x, y, weights = weights, nvmax = ncol(x), nbest = nbest,
                         method = method, really.big = TRUE)
  s <- summary(r)
  list(rss = s$rss, which = unname(s$which[, -1, drop = FALSE]))
}

# ---------------------------------------------------------------------------
# best_subset

test_that("best_subset agrees with leaps::regsubsets(exhaustive) on random data", {
  skip_if_not_installed("leaps")
  for (p in c(10, 15)) {
    d <- sim_linear(n = 120, p = p, nonzero = 6, sigma = 2, seed = p)
    fit <- best_subset(d$x, d$y, threads = 1)
    ref <- leaps_exhaustive(d$x, d$y)
    expect_equal(fit$rss[-1], ref$rss, tolerance = 1e-8, info = sprintf("RSS, p = %d", p))
    expect_identical(unname(fit$which[-1, ]), ref$which, label = sprintf("variable sets, p = %d", p))
    expect_equal(fit$rss[1], sum((d$y - mean(d$y))^2), tolerance = 1e-12)
  }
})

test_that("weighted best subsets agree with leaps, and nbest lists agree too", {
  skip_if_not_installed("leaps")
  d <- sim_linear(n = 90, p = 10, nonzero = 4, sigma = 1.5, seed = 11)
  set.seed(12)
  w <- runif(90, 0.2, 3)
  fit <- best_subset(d$x, d$y, weights = w, nbest = 3, threads = 1)
  ref <- leaps_exhaustive(d$x, d$y, weights = w, nbest = 3)
  m <- fit$models[fit$models$size > 0, ]
  expect_equal(m$rss, ref$rss, tolerance = 1e-8, info = "weighted nbest = 3 RSS")
  expect_identical(unname(m$which), ref$which, label = "weighted nbest = 3 variable sets")
  # The best model of each size is the first of its list.
  expect_equal(fit$rss[-1], m$rss[m$rank == 1], tolerance = 1e-14)
})

test_that("coefficients of each size are the least-squares fit on the chosen variables", {
  d <- sim_linear(n = 60, p = 8, seed = 4)
  set.seed(5)
  w <- rexp(60)
  fit <- best_subset(d$x, d$y, weights = w, threads = 1)
  for (k in 0:8) {
    vars <- fit$xnames[fit$which[k + 1, ]]
    ref <- if (k == 0) c("(Intercept)" = weighted.mean(d$y, w)) else
      coef(lm(d$y ~ d$x[, vars, drop = FALSE], weights = w))
    got <- coef(fit, size = k)
    expect_equal(unname(got[c("(Intercept)", vars)]), unname(ref), tolerance = 1e-9,
                 info = sprintf("size %d", k))
    expect_identical(unname(got[setdiff(fit$xnames, vars)]), rep(0, 8 - k), info = sprintf("size %d", k))
  }
  expect_equal(dim(coef(fit)), c(9L, 9L))
  expect_equal(predict(fit, d$x[1:3, ], size = 3),
               drop(cbind(1, d$x[1:3, ]) %*% coef(fit, size = 3)), tolerance = 1e-12)
})

test_that("prostate: ESL Figure 3.5, the best pair is lcavol + lweight", {
  skip_if_not_installed("leaps")
  train <- prostate_train()
  fit <- best_subset(lpsa ~ ., data = train, threads = 1, all_subsets = TRUE)
  expect_setequal(fit$xnames[fit$which["2", ]], c("lcavol", "lweight"))
  expect_setequal(fit$xnames[fit$which["1", ]], "lcavol")
  x <- as.matrix(train[, setdiff(names(train), "lpsa")])
  ref <- leaps_exhaustive(x, train$lpsa)
  expect_equal(fit$rss[-1], ref$rss, tolerance = 1e-8, info = "prostate RSS by size")
  expect_identical(unname(fit$which[-1, ]), ref$which)
  # All 2^8 subsets: their per-size minima are the best subsets.
  all <- fit$all_subsets
  expect_equal(nrow(all), 2^8)
  expect_equal(as.vector(tapply(all$rss, all$size, min)), fit$rss, tolerance = 1e-10)
  expect_identical(as.vector(table(all$size)), as.integer(choose(8, 0:8)))
  # Criteria: R^2 and Cp by their definitions (sigma^2 from the full model).
  n <- nrow(train)
  expect_equal(fit$r2, 1 - fit$rss / fit$rss[1], tolerance = 1e-12)
  expect_equal(fit$cp, fit$rss / (fit$rss[9] / (n - 9)) - n + 2 * (0:8 + 1), tolerance = 1e-10)
  expect_equal(which.min(fit$bic) - 1L, 2L)
  expect_output(print(summary(fit)), "lcavol")
  expect_output(print(fit), "lcavol lweight")
})

test_that("formula and matrix interfaces agree; max_size limits the path", {
  d <- sim_linear(n = 80, p = 9, seed = 21)
  df <- data.frame(y = d$y, d$x)
  f1 <- best_subset(y ~ ., data = df, threads = 1)
  f2 <- best_subset(d$x, d$y, threads = 1)
  expect_equal(coef(f1), coef(f2), tolerance = 1e-14)
  expect_equal(predict(f1, df[1:5, ], size = 4), predict(f2, d$x[1:5, ], size = 4), tolerance = 1e-12,
               ignore_attr = TRUE)
  f3 <- best_subset(d$x, d$y, max_size = 3, threads = 1)
  expect_identical(f3$tuning, 0:3)
  expect_equal(f3$rss, f2$rss[1:4], tolerance = 1e-14)
  expect_error(coef(f3, size = 5), class = "statlearn_error_range")
})

test_that("1 and 2 threads give identical fits", {
  d <- sim_linear(n = 300, p = 22, nonzero = 12, sigma = 3, seed = 31)
  for (nb in c(1, 2)) {
    f1 <- best_subset(d$x, d$y, nbest = nb, threads = 1)
    f2 <- best_subset(d$x, d$y, nbest = nb, threads = 2)
    expect_identical(f1$beta, f2$beta)
    expect_identical(f1$models, f2$models)
  }
})

test_that("saveRDS round trip predicts identically; cross_validate is reproducible", {
  d <- sim_linear(n = 70, p = 7, seed = 41)
  fit <- best_subset(d$x, d$y, threads = 1)
  back <- round_trip(fit)
  expect_identical(predict(back, d$x[1:4, ], size = 3), predict(fit, d$x[1:4, ], size = 3))
  set.seed(1)
  cv1 <- cross_validate(fit, folds = 5, threads = 1)
  set.seed(1)
  cv2 <- cross_validate(fit, folds = 5, threads = 2)
  expect_identical(cv1$cvm, cv2$cvm)
  expect_length(cv1$cvm, 8L)
  expect_true(cv1$tuning_1se %in% 0:7)
  expect_length(coef(cv1), 8L)
})

test_that("best_subset rejects bad input with classed errors", {
  d <- sim_linear(n = 30, p = 4, seed = 2)
  x <- d$x
  x[2, 3] <- NA
  expect_error(best_subset(x, d$y), class = "statlearn_error_input")
  expect_error(best_subset(d$x, d$y[-1]), class = "statlearn_error_length")
  expect_error(best_subset(d$x, d$y, max_size = 5), class = "statlearn_error_range")
  expect_error(best_subset(d$x, d$y, nbest = 0), class = "statlearn_error_range")
  expect_error(best_subset(d$x, d$y, weights = rep(-1, 30)), class = "statlearn_error_input")
  collinear <- cbind(d$x, both = d$x[, 1] + d$x[, 2])
  expect_error(best_subset(collinear, d$y), class = "statlearn_error_collinear", regexp = "both")
  expect_error(best_subset(cbind(d$x, const = 1), d$y), class = "statlearn_error_collinear")
  wide <- matrix(rnorm(30 * 16), 30, 16)
  expect_error(best_subset(wide, d$y, all_subsets = TRUE), class = "statlearn_error_range")
  expect_error(best_subset(matrix(rnorm(70 * 65), 70), rnorm(70)), class = "statlearn_error_dimension")
})

# ---------------------------------------------------------------------------
# stepwise

step_reference <- function(df, direction, k) {
  full <- stats::lm(y ~ ., data = df)
  start <- if (direction == "backward") full else stats::lm(y ~ 1, data = df)
  st <- stats::step(start, scope = list(lower = ~1, upper = formula(full)), direction = direction,
                    k = k, trace = 0)
  sort(attr(stats::terms(st), "term.labels"))
}

test_that("AIC and BIC stepwise select what stats::step() selects", {
  cases <- list(sim_linear(n = 80, p = 8, nonzero = 4, sigma = 2, seed = 51),
                sim_linear(n = 60, p = 10, nonzero = 6, sigma = 3, seed = 52))
  train <- prostate_train()
  for (i in seq_along(cases)) {
    df <- data.frame(y = cases[[i]]$y, cases[[i]]$x)
    for (direction in c("forward", "backward", "both")) {
      for (criterion in c("AIC", "BIC")) {
        k <- if (criterion == "AIC") 2 else log(nrow(df))
        fit <- stepwise(y ~ ., data = df, direction = direction, criterion = criterion)
        expect_identical(sort(fit$selected), step_reference(df, direction, k),
                         label = sprintf("case %d, %s, %s", i, direction, criterion))
      }
    }
  }
  df <- data.frame(y = train$lpsa, train[, names(train) != "lpsa"])
  for (direction in c("forward", "backward", "both")) {
    for (criterion in c("AIC", "BIC")) {
      k <- if (criterion == "AIC") 2 else log(nrow(df))
      fit <- stepwise(y ~ ., data = df, direction = direction, criterion = criterion)
      expect_identical(sort(fit$selected), step_reference(df, direction, k),
                       label = sprintf("prostate, %s, %s", direction, criterion))
    }
  }
})

test_that("AIC values along the path are extractAIC() of the lm fits", {
  d <- sim_linear(n = 70, p = 6, nonzero = 3, seed = 53)
  df <- data.frame(y = d$y, d$x)
  fit <- stepwise(y ~ ., data = df, direction = "forward", criterion = "AIC")
  for (s in seq_len(nrow(fit$steps))) {
    vars <- fit$xnames[fit$which[s, ]]
    f <- if (length(vars)) reformulate(vars, "y") else y ~ 1
    expect_equal(fit$steps$AIC[s], extractAIC(lm(f, data = df))[2], tolerance = 1e-9)
  }
})

test_that("forward and backward RSS paths equal leaps' forward and backward paths", {
  skip_if_not_installed("leaps")
  d <- sim_linear(n = 100, p = 12, nonzero = 7, sigma = 2, seed = 61)
  set.seed(62)
  w <- runif(100, 0.5, 2)
  for (direction in c("forward", "backward")) {
    fit <- stepwise(d$x, d$y, weights = w, direction = direction, criterion = "RSS")
    ref <- leaps_exhaustive(d$x, d$y, weights = w, method = direction)
    ord <- order(fit$size)
    expect_identical(fit$size[ord], 0:12)
    expect_equal(fit$rss[ord][-1], ref$rss, tolerance = 1e-8, info = direction)
    expect_identical(unname(fit$which[ord, ][-1, ]), ref$which, label = direction)
  }
  fit <- stepwise(d$x, d$y, direction = "forward", criterion = "RSS", max_size = 4)
  expect_identical(fit$tuning, 0:4)
  expect_equal(coef(fit, size = 2)[fit$xnames[fit$which[3, ]]],
               coef(lm(d$y ~ d$x[, fit$which[3, ]]))[-1], tolerance = 1e-9, ignore_attr = TRUE)
})

test_that("F-test stepwise follows its entry and removal rules", {
  d <- sim_linear(n = 80, p = 8, nonzero = 4, sigma = 2, seed = 71)
  df <- data.frame(y = d$y, d$x)
  fit <- stepwise(y ~ ., data = df, direction = "forward", criterion = "F", alpha_enter = 0.05)
  sel <- fit$selected
  base <- if (length(sel)) lm(reformulate(sel, "y"), data = df) else lm(y ~ 1, data = df)
  # Every entered variable had p < alpha_enter when it entered ...
  expect_true(all(pf(fit$steps$F[-1], 1, 80 - fit$steps$size[-1] - 1, lower.tail = FALSE) < 0.05))
  # ... and no remaining candidate would enter.
  pv <- vapply(setdiff(fit$xnames, sel), function(v) {
    a <- anova(base, update(base, as.formula(paste(". ~ . +", v))))
    a$`Pr(>F)`[2]
  }, numeric(1))
  expect_true(all(pv >= 0.05))
  back <- stepwise(y ~ ., data = df, direction = "backward", criterion = "F", alpha_remove = 0.1)
  full <- lm(reformulate(back$selected, "y"), data = df)
  expect_true(all(drop1(full, test = "F")$`Pr(>F)`[-1] <= 0.1))
  both <- stepwise(y ~ ., data = df, direction = "both", criterion = "F")
  expect_s3_class(both, "statlearn_stepwise")
  expect_identical(both$tuning_name, "step")
  expect_output(print(both), "Final model")
})

test_that("stepwise: interfaces, round trip, cross-validation and errors", {
  d <- sim_linear(n = 70, p = 6, seed = 81)
  df <- data.frame(y = d$y, d$x)
  f1 <- stepwise(y ~ ., data = df, criterion = "RSS")
  f2 <- stepwise(d$x, d$y, criterion = "RSS")
  expect_equal(coef(f1), coef(f2), tolerance = 1e-14)
  expect_equal(coef(f1, size = 3), coef(f1, step = 3))
  expect_identical(predict(round_trip(f2), d$x[1:3, ], size = 2), predict(f2, d$x[1:3, ], size = 2))
  set.seed(2)
  cv1 <- cross_validate(f2, folds = 5)
  set.seed(2)
  cv2 <- cross_validate(f2, folds = 5)
  expect_identical(cv1$cvm, cv2$cvm)
  expect_length(cv1$cvm, 7L)
  expect_output(print(f1), "\\+ x1")
  expect_error(stepwise(d$x, d$y, direction = "both", criterion = "RSS"), class = "statlearn_error_range")
  expect_error(stepwise(d$x, d$y, direction = "both", criterion = "F", alpha_enter = 0.2,
                        alpha_remove = 0.1), class = "statlearn_error_range")
  expect_error(stepwise(d$x, d$y, direction = "sideways"), class = "statlearn_error_range")
  expect_error(stepwise(d$x, d$y, alpha_enter = 1.5), class = "statlearn_error_range")
  expect_error(stepwise(d$x, d$y[1:5]), class = "statlearn_error_length")
})

# ---------------------------------------------------------------------------
# forward_stagewise

test_that("each stagewise step moves one coefficient by epsilon toward the most correlated predictor", {
  d <- sim_linear(n = 100, p = 6, nonzero = 4, seed = 91)
  set.seed(92)
  w <- runif(100, 0.5, 2)
  eps <- 0.05
  fit <- forward_stagewise(d$x, d$y, weights = w, epsilon = eps)
  expect_true(fit$converged)
  S <- fit$iterations
  Bstd <- fit$beta * fit$unit                      # standardized scale
  diffs <- Bstd[, -1, drop = FALSE] - Bstd[, -(S + 1), drop = FALSE]
  moved <- colSums(abs(diffs) > 1e-12)
  expect_gt(S, 10L)
  expect_identical(as.integer(moved), rep(1L, S))
  expect_equal(apply(abs(diffs), 2, max), rep(eps, S), tolerance = 1e-10, ignore_attr = TRUE)
  # The chosen coordinate has the largest |correlation| with the residual.
  xs <- scale(d$x, center = apply(d$x, 2, weighted.mean, w = w), scale = fit$unit)
  fitted <- predict(fit, d$x)
  for (s in seq_len(S)) {
    r <- d$y - fitted[, s]
    corr <- abs(colSums(w * xs * r))
    expect_gte(corr[fit$variable[s]], max(corr) * (1 - 1e-10), label = sprintf("step %d", s))
    expect_identical(as.integer(sign(diffs[fit$variable[s], s])), as.integer(sign(sum(w * xs[, fit$variable[s]] * r))))
  }
})

test_that("stagewise ends within a stated distance of least squares when p < n", {
  d <- sim_linear(n = 150, p = 8, nonzero = 5, seed = 93)
  eps <- 0.002
  fit <- forward_stagewise(d$x, d$y, epsilon = eps, max_steps = 1e5)
  expect_true(fit$converged)
  ls <- coef(lm(d$y ~ d$x))[-1]
  n <- nrow(d$x)
  sdx <- sqrt(colMeans(scale(d$x, scale = FALSE)^2))
  expect_equal(unname(fit$unit), unname(sdx), tolerance = 1e-12)
  R <- crossprod(scale(d$x, scale = sdx)) / n      # correlation matrix
  # At the stop every |x_j'r| / n <= eps / 2, so ||b - b_ls|| <= sqrt(p) eps / (2 lambda_min).
  bound <- sqrt(8) * eps / 2 / min(eigen(R, symmetric = TRUE)$values)
  final <- fit$beta[, ncol(fit$beta)] * sdx
  expect_lt(sqrt(sum((final - ls * sdx)^2)), bound)
})

test_that("with orthogonal predictors small-epsilon stagewise follows the lasso path", {
  set.seed(94)
  n <- 100
  q <- qr.Q(qr(scale(matrix(rnorm(n * 4), n, 4), scale = FALSE)))
  x <- q * sqrt(n)                                  # centred, orthogonal, unit variance
  colnames(x) <- paste0("x", 1:4)
  y <- drop(x %*% c(1.2, -0.8, 0.4, 0.1) + rnorm(n, sd = 0.3))
  eps <- 0.001
  fit <- forward_stagewise(x, y, epsilon = eps, max_steps = 1e5)
  b_ls <- drop(crossprod(x, y - mean(y))) / n
  for (s in c(200, 800, 1500, 2200)) {
    b <- fit$beta[, s + 1]
    t <- sum(abs(b))
    # Lasso with orthonormal design: soft thresholding at the level giving L1 norm t.
    lam <- uniroot(function(l) sum(pmax(abs(b_ls) - l, 0)) - t, c(0, max(abs(b_ls))))$root
    lasso <- sign(b_ls) * pmax(abs(b_ls) - lam, 0)
    expect_lt(max(abs(b - lasso)), 2 * eps + 1e-9, label = sprintf("step %d", s))
  }
})

test_that("stagewise: weights as replication, interfaces, round trip, CV and errors", {
  d <- sim_linear(n = 40, p = 4, seed = 95)
  w <- rep(1:2, 20)
  rows <- rep(seq_len(40), w)
  f1 <- forward_stagewise(d$x, d$y, weights = w, epsilon = 0.02)
  f2 <- forward_stagewise(d$x[rows, ], d$y[rows], epsilon = 0.02)
  expect_identical(f1$variable, f2$variable)
  expect_equal(f1$beta, f2$beta, tolerance = 1e-10)
  df <- data.frame(y = d$y, d$x)
  f3 <- forward_stagewise(y ~ ., data = df, epsilon = 0.02)
  f4 <- forward_stagewise(d$x, d$y, epsilon = 0.02)
  expect_equal(coef(f3), coef(f4), tolerance = 1e-14)
  expect_identical(names(f4$axes)[1], "arc_length")
  expect_equal(f4$axes$arc_length, 0.02 * f4$tuning)
  expect_identical(predict(round_trip(f4), d$x[1:3, ], step = 10), predict(f4, d$x[1:3, ], step = 10))
  set.seed(3)
  cv1 <- cross_validate(f4, folds = 4)
  set.seed(3)
  cv2 <- cross_validate(f4, folds = 4)
  expect_identical(cv1$cvm, cv2$cvm)
  expect_warning(forward_stagewise(d$x, d$y, epsilon = 0.001, max_steps = 10),
                 class = "statlearn_warning_convergence")
  expect_error(forward_stagewise(d$x, d$y, epsilon = 0), class = "statlearn_error_range")
  expect_error(forward_stagewise(d$x, d$y, standardize = NA), class = "statlearn_error_type")
  expect_error(coef(f4, step = 1e6), class = "statlearn_error_range")
})
