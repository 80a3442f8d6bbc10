# Random forests (ESL chapter 15): random_forest() against ranger, against an
# R traversal of the stored trees, and closed-form properties.

spam_split <- function() {
  d <- spam[, setdiff(names(spam), "test")]
  list(x = as.matrix(d[!spam$test, 1:57]), y = d$spam[!spam$test],
       xt = as.matrix(d[spam$test, 1:57]), yt = d$spam[spam$test])
}

# Terminal node (0-based, within the tree) of each row of x in tree t, by an
# R walk over the flat forest -- independent of the C++ traversal.
ref_leaves <- function(fit, x, t) {
  f <- fit$forest
  o <- f$offset[t]
  k <- integer(nrow(x))
  repeat {
    v <- f$var[o + k + 1L]
    inner <- v >= 0L
    if (!any(inner)) break
    idx <- which(inner)
    go_right <- x[cbind(idx, v[idx] + 1L)] > f$value[o + k[idx] + 1L]
    k[idx] <- f$left[o + k[idx] + 1L] + go_right
  }
  k
}

ref_tree_predict <- function(fit, x, t) fit$forest$value[fit$forest$offset[t] + ref_leaves(fit, x, t) + 1L]

sim_class <- function(n = 300, p = 6, seed = 1) {
  set.seed(seed)
  x <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0("x", seq_len(p))))
  y <- factor(ifelse(x[, 1]^2 + x[, 2]^2 + 0.5 * rnorm(n) > 1.4, "out", "in"))
  list(x = x, y = y)
}

test_that("the same seed gives the same forest, and 1 and 2 threads agree bit for bit", {
  d <- sim_class()
  a <- random_forest(d$x, d$y, trees = 60, seed = 7, importance = "permutation", threads = 1)
  b <- random_forest(d$x, d$y, trees = 60, seed = 7, importance = "permutation", threads = 2)
  c <- random_forest(d$x, d$y, trees = 60, seed = 7, importance = "permutation", threads = 2)
  expect_identical(a$forest, b$forest, info = "1 vs 2 threads: trees")
  expect_identical(a$oob_error, b$oob_error, info = "1 vs 2 threads: OOB error")
  expect_identical(a$importance, b$importance, info = "1 vs 2 threads: permutation importance")
  expect_identical(b$forest, c$forest, info = "same seed")
  other <- random_forest(d$x, d$y, trees = 60, seed = 8, threads = 2)
  expect_false(identical(a$forest, other$forest), info = "another seed, another forest")
  set.seed(3); s1 <- random_forest(d$x, d$y, trees = 10)
  set.seed(3); s2 <- random_forest(d$x, d$y, trees = 10)
  expect_identical(s1$forest, s2$forest, info = "seed = NULL follows set.seed()")
  # regression too
  set.seed(2)
  xr <- matrix(runif(400 * 5), 400, 5)
  yr <- 10 * sin(pi * xr[, 1] * xr[, 2]) + 20 * (xr[, 3] - 0.5)^2 + rnorm(400)
  r1 <- random_forest(xr, yr, trees = 40, seed = 1, importance = "impurity", threads = 1)
  r2 <- random_forest(xr, yr, trees = 40, seed = 1, importance = "impurity", threads = 2)
  expect_identical(r1$forest, r2$forest, info = "regression: 1 vs 2 threads")
  expect_identical(r1$oob_error, r2$oob_error, info = "regression OOB: 1 vs 2 threads")
  expect_identical(r1$importance, r2$importance, info = "regression impurity importance")
})

test_that("predictions equal an R walk over the stored trees, for the first k trees too", {
  d <- sim_class()
  fit <- random_forest(d$x, d$y, trees = 25, seed = 2, threads = 2)
  newx <- sim_class(n = 80, seed = 9)$x
  per_tree <- sapply(1:25, function(t) ref_tree_predict(fit, newx, t))  # class index - 1
  for (k in c(1L, 10L, 25L)) {
    votes <- sapply(0:1, function(cl) rowSums(per_tree[, seq_len(k), drop = FALSE] == cl))
    expect_equal(unname(predict(fit, newx, type = "votes", trees = k)), votes, info = paste("votes, k =", k))
    expect_equal(unname(predict(fit, newx, type = "prob", trees = k)), votes / k, info = paste("prob, k =", k))
    cls <- factor(fit$classes[max.col(votes, ties.method = "first")], levels = fit$classes)
    expect_identical(predict(fit, newx, trees = k), cls, info = paste("class, k =", k))
  }
})

test_that("the OOB error curve equals OOB votes recomputed from the in-bag counts", {
  d <- sim_class(n = 200)
  fit <- random_forest(d$x, d$y, trees = 30, seed = 4, keep_inbag = TRUE, threads = 2)
  expect_length(fit$oob_error, 30)
  expect_equal(dim(fit$inbag), c(200L, 30L))
  expect_true(all(colSums(fit$inbag) == 200), info = "bootstrap samples of size n")
  votes <- matrix(0, 200, 2)
  yi <- as.integer(d$y)
  for (t in 1:30) {
    oob <- fit$inbag[, t] == 0
    pt <- ref_tree_predict(fit, d$x, t) + 1
    votes[cbind(which(oob), pt[oob])] <- votes[cbind(which(oob), pt[oob])] + 1
    seen <- rowSums(votes) > 0
    err <- mean(max.col(votes[seen, ], ties.method = "first") != yi[seen])
    expect_equal(fit$oob_error[t], err, tolerance = 1e-12, info = paste("OOB error after tree", t))
  }
  expect_equal(unname(fit$votes), votes, info = "OOB votes")
  expect_identical(fit$oob_count, as.integer(rowSums(fit$inbag == 0)), info = "OOB counts")
})

test_that("one tree with mtry = p, no bootstrap and node size 1 fits the training data exactly", {
  d <- sim_class(n = 150)
  fit <- random_forest(d$x, d$y, trees = 1, mtry = ncol(d$x), replace = FALSE, sample_fraction = 1,
                       node_size = 1, seed = 1)
  expect_identical(predict(fit, d$x), d$y, info = "classification interpolates")
  set.seed(5)
  x <- matrix(rnorm(200 * 3), 200, 3)
  y <- x[, 1] + rnorm(200)
  rf <- random_forest(x, y, trees = 1, mtry = 3, replace = FALSE, sample_fraction = 1, node_size = 1, seed = 1)
  expect_equal(predict(rf, x), y, tolerance = 1e-12, info = "regression interpolates")
  # max_depth = 1: a stump; its split is the best Gini split, found here by brute force
  st <- random_forest(d$x, d$y, trees = 1, mtry = ncol(d$x), replace = FALSE, sample_fraction = 1,
                      max_depth = 1, seed = 1)
  expect_equal(diff(st$forest$offset), 3L, info = "a stump has three nodes")
  yi <- as.integer(d$y) == 1
  best <- -Inf
  for (j in seq_len(ncol(d$x))) {
    u <- sort(unique(d$x[, j]))
    for (c in (u[-1] + u[-length(u)]) / 2) {
      l <- d$x[, j] <= c
      score <- (sum(yi[l])^2 + sum(!yi[l])^2) / sum(l) + (sum(yi[!l])^2 + sum(!yi[!l])^2) / sum(!l)
      if (score > best + 1e-12) { best <- score; bj <- j; bc <- c }
    }
  }
  expect_identical(st$forest$var[1] + 1L, bj, info = "stump variable = brute-force Gini split")
  expect_equal(st$forest$value[1], bc, tolerance = 1e-12, info = "stump cut point = brute force")
})

test_that("spam: test error, OOB error and importance agree with ranger", {
  skip_if_not_installed("ranger")
  skip_if_not(full_tests())
  s <- spam_split()
  fit <- random_forest(s$x, s$y, trees = 500, seed = 1, importance = "impurity", threads = 2)
  rg <- ranger::ranger(x = s$x, y = s$y, num.trees = 500, seed = 1, importance = "impurity", num.threads = 2)
  ours <- mean(predict(fit, s$xt) != s$yt)
  theirs <- mean(predict(rg, s$xt)$predictions != s$yt)
  expect_lt(abs(ours - theirs), 0.005, label = sprintf("test error %.4f vs ranger %.4f", ours, theirs))
  expect_lt(abs(fit$oob_error[500] - rg$prediction.error), 0.01,
            label = sprintf("OOB error %.4f vs ranger %.4f", fit$oob_error[500], rg$prediction.error))
  # book (ESL Fig. 15.1 / Section 15.2): random forest test error on spam 4.88%
  expect_lt(abs(ours - 0.0488), 0.006, label = "test error near the book's 4.88%")
  imp <- fit$importance
  ref <- rg$variable.importance[names(imp)]
  rho <- cor(imp, ref, method = "spearman")
  expect_gt(rho, 0.9, label = sprintf("Spearman correlation of impurity importance with ranger's (%.3f)", rho))
  top <- length(intersect(names(sort(-imp))[1:5], names(sort(-ref))[1:5]))
  expect_gte(top, 4, label = "top-5 impurity overlap with ranger")
  # impurity importance is on ranger's scale (Gini decrease per tree): within 5%
  expect_equal(sum(imp), sum(ref), tolerance = 0.05, info = "total impurity decrease")
  pfit <- random_forest(s$x, s$y, trees = 300, seed = 2, importance = "permutation", threads = 2)
  prg <- ranger::ranger(x = s$x, y = s$y, num.trees = 300, seed = 2, importance = "permutation", num.threads = 2)
  pref <- prg$variable.importance[names(pfit$importance)]
  prho <- cor(pfit$importance, pref, method = "spearman")
  expect_gt(prho, 0.9, label = sprintf("Spearman correlation of permutation importance with ranger's (%.3f)", prho))
  ptop <- length(intersect(names(sort(-pfit$importance))[1:5], names(sort(-pref))[1:5]))
  expect_gte(ptop, 3, label = "top-5 permutation overlap with ranger")
})

test_that("regression: OOB error agrees with ranger on Friedman's first problem", {
  skip_if_not_installed("ranger")
  set.seed(11)
  n <- 600
  x <- matrix(runif(n * 8), n, 8, dimnames = list(NULL, paste0("x", 1:8)))
  y <- 10 * sin(pi * x[, 1] * x[, 2]) + 20 * (x[, 3] - 0.5)^2 + 10 * x[, 4] + 5 * x[, 5] + rnorm(n)
  fit <- random_forest(x, y, trees = 300, seed = 1, importance = "impurity", threads = 2)
  rg <- ranger::ranger(x = x, y = y, num.trees = 300, seed = 1, importance = "impurity", num.threads = 2)
  expect_equal(fit$oob_error[300], rg$prediction.error, tolerance = 0.08,
               info = "OOB MSE within 8% of ranger's")
  expect_equal(fit$mtry, 2L, info = "regression default mtry = floor(p / 3)")
  expect_equal(fit$node_size, 5L)
  mse <- mean((fit$predicted - y)^2)
  expect_equal(fit$oob_error[300], mse, tolerance = 1e-10, info = "OOB error = MSE of OOB predictions")
  expect_setequal(names(sort(-fit$importance))[1:5], paste0("x", 1:5))
  expect_gt(cor(fit$importance, rg$variable.importance, method = "spearman"), 0.9)
  pf <- random_forest(x, y, trees = 300, seed = 1, importance = "permutation", threads = 2)
  prg <- ranger::ranger(x = x, y = y, num.trees = 300, seed = 1, importance = "permutation", num.threads = 2)
  expect_gt(cor(pf$importance, prg$variable.importance, method = "spearman"), 0.9,
            label = "permutation importance (rise in OOB MSE) vs ranger, Spearman")
  expect_setequal(names(sort(-pf$importance))[1:5], paste0("x", 1:5))
  # a factor input in regression: levels coded by their mean response
  g <- factor(sample(letters[1:5], n, TRUE))
  yf <- y + c(a = 3, b = -2, c = 0, d = 5, e = -4)[as.character(g)]
  ff <- random_forest(data.frame(x, g = g), yf, trees = 20, seed = 1)
  expect_identical(names(sort(ff$factor_codes$g)), names(sort(tapply(yf, g, mean))),
                   info = "levels ordered by mean response")
  xt <- matrix(runif(200 * 8), 200, 8, dimnames = list(NULL, paste0("x", 1:8)))
  expect_equal(predict(fit, xt), rowMeans(sapply(1:300, function(t) ref_tree_predict(fit, xt, t))),
               tolerance = 1e-12, info = "regression prediction = mean of the trees")
})

test_that("proximity: symmetric, unit diagonal, equal to co-occurrence counted in R", {
  d <- sim_class(n = 120)
  fit <- random_forest(d$x, d$y, trees = 20, seed = 3, proximity = TRUE, keep_inbag = TRUE, threads = 2)
  P <- fit$proximity
  expect_equal(dim(P), c(120L, 120L))
  expect_equal(P, t(P), info = "symmetric")
  expect_true(all(diag(P) == 1), info = "unit diagonal")
  leaves <- sapply(1:20, function(t) ref_leaves(fit, d$x, t))
  ref <- Reduce(`+`, lapply(1:20, function(t) outer(leaves[, t], leaves[, t], "=="))) / 20
  expect_equal(P, ref, tolerance = 1e-12, info = "all-tree proximity")
  po <- random_forest(d$x, d$y, trees = 20, seed = 3, proximity = "oob", keep_inbag = TRUE, threads = 2)
  oob <- po$inbag == 0
  num <- Reduce(`+`, lapply(1:20, function(t) outer(leaves[, t], leaves[, t], "==") * outer(oob[, t], oob[, t])))
  den <- oob %*% t(oob)
  refo <- ifelse(den > 0, num / den, 0)
  diag(refo) <- 1
  expect_equal(po$proximity, refo, tolerance = 1e-12, info = "OOB proximity")
  pdf(NULL); on.exit(grDevices::dev.off())
  xy <- proximity_plot(fit)
  expect_equal(dim(xy), c(120L, 2L))
})

test_that("saveRDS round trip predicts identically in a fresh process", {
  d <- sim_class()
  fit <- random_forest(d$x, d$y, trees = 30, seed = 1, threads = 2)
  back <- round_trip(fit)
  expect_identical(predict(back, d$x, type = "prob"), predict(fit, d$x, type = "prob"))
  f <- tempfile(fileext = ".rds")
  on.exit(unlink(f))
  saveRDS(fit, f)
  expected <- sum(predict(fit, d$x, type = "votes")[, 2] * seq_len(nrow(d$x)))
  got <- run_in_fresh_r(c(
    "suppressMessages(library(statlearn))",
    sprintf("fit <- readRDS('%s')", f),
    "set.seed(1); n <- 300; p <- 6",
    "x <- matrix(rnorm(n * p), n, p, dimnames = list(NULL, paste0('x', seq_len(p))))",
    "cat(sum(predict(fit, x, type = 'votes')[, 2] * seq_len(n)), '\\n')"))
  expect_equal(as.numeric(got), expected, info = "fresh process")
})

test_that("formula and x/y fits agree; factor inputs are coded by the response", {
  d <- sim_class()
  df <- data.frame(d$x, y = d$y)
  a <- random_forest(y ~ ., data = df, trees = 20, seed = 5, threads = 2)
  b <- random_forest(d$x, d$y, trees = 20, seed = 5, threads = 2)
  expect_identical(a$forest, b$forest, info = "formula = x/y")
  expect_identical(predict(a, df[1:50, ]), predict(b, d$x[1:50, ]))
  # a factor whose levels are ordered by the share of the first class
  set.seed(1)
  g <- factor(sample(c("a", "b", "c", "d"), 400, TRUE))
  share <- c(a = 0.9, b = 0.1, c = 0.6, d = 0.3)
  y <- factor(ifelse(runif(400) < share[as.character(g)], "one", "two"), levels = c("one", "two"))
  fit <- random_forest(data.frame(g = g, z = rnorm(400)), y, trees = 10, seed = 1)
  emp <- tapply(y == "one", g, mean)
  expect_identical(names(sort(fit$factor_codes$g)), names(sort(emp)), info = "levels ordered by class share")
  expect_error(predict(fit, data.frame(g = factor("e"), z = 0)), class = "statlearn_error_levels")
  p1 <- predict(fit, data.frame(g = c("a", "b"), z = 0))
  expect_s3_class(p1, "factor")
})

test_that("class weights shift the votes toward the weighted class", {
  d <- sim_class(n = 400)
  w1 <- random_forest(d$x, d$y, trees = 100, seed = 1, node_size = 20, threads = 2)
  w2 <- random_forest(d$x, d$y, trees = 100, seed = 1, node_size = 20, class_weights = c("in" = 1, out = 5), threads = 2)
  newx <- sim_class(n = 1000, seed = 2)$x
  expect_gt(mean(predict(w2, newx) == "out"), mean(predict(w1, newx) == "out"))
  expect_statlearn_error(random_forest(d$x, d$y, class_weights = c(1, -1)), "statlearn_error_range")
})

test_that("print, summary, plot and importance work", {
  d <- sim_class()
  fit <- random_forest(d$x, d$y, trees = 20, seed = 1, importance = "impurity", threads = 2)
  expect_output(print(fit), "Out-of-bag error")
  expect_output(print(summary(fit)), "confusion")
  expect_identical(names(forest_importance(fit))[1:2], c("x1", "x2")[order(-fit$importance[1:2])])
  pdf(NULL); on.exit(grDevices::dev.off())
  expect_invisible(plot(fit))
  expect_statlearn_error(forest_importance(random_forest(d$x, d$y, trees = 2, seed = 1)))
  expect_statlearn_error(proximity_plot(fit), "statlearn_error_type")
})

test_that("bad input gets classed errors", {
  d <- sim_class(n = 50)
  expect_statlearn_error(random_forest(d$x, d$y, mtry = 7), "statlearn_error_range", "mtry")
  expect_statlearn_error(random_forest(d$x, d$y, node_size = 0), "statlearn_error_range", "node_size")
  expect_statlearn_error(random_forest(d$x, d$y, trees = 0), "statlearn_error_range", "trees")
  x <- d$x; x[3, 2] <- NA
  expect_statlearn_error(random_forest(x, d$y), "statlearn_error_nonfinite", "NA")
  x <- d$x; x[, 2] <- NA
  expect_statlearn_error(random_forest(x, d$y), "statlearn_error_nonfinite", "all missing")
  expect_statlearn_error(random_forest(data.frame(a = rep(NA, 50), b = 1:50), d$y),
                         "statlearn_error_nonfinite", "all missing")
  expect_statlearn_error(random_forest(d$x, d$y[-1]), "statlearn_error_length")
  expect_statlearn_error(random_forest(d$x, d$y, sample_fraction = 1.5, replace = FALSE), "statlearn_error_range")
  expect_statlearn_error(random_forest(d$x, d$y, importance = "gain"), "statlearn_error_range")
  fit <- random_forest(d$x, d$y, trees = 3, seed = 1)
  expect_statlearn_error(predict(fit, d$x[, 1:3]), "statlearn_error_dimension")
  expect_statlearn_error(predict(fit, d$x, trees = 4), "statlearn_error_range")
  expect_statlearn_error(predict(fit, d$x, type = "link"), "statlearn_error_range")
})
