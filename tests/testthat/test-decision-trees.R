# decision_tree() (ESL 9.2) against rpart::rpart(), which implements the same
# CART rules: splits, node table, cp table, cross-validated errors, pruning,
# variable importance and predictions must agree to 1e-10.

tree_data <- function(n = 300, seed = 1, missing = FALSE) {
  set.seed(seed)
  d <- data.frame(f = factor(sample(letters[1:6], n, TRUE)), g = factor(sample(LETTERS[1:4], n, TRUE)),
                  x1 = rnorm(n), x2 = round(runif(n), 1))
  d$y <- as.numeric(d$f %in% c("a", "c", "e")) * 2 + d$x1 + rnorm(n)
  d$c3 <- factor(ifelse(d$y > 2, "hi", ifelse(d$y > 0, "mid", "lo")))
  d$c2 <- factor(d$y > 1)
  if (missing) {
    d$x1[sample(n, 60)] <- NA
    d$f[sample(n, 50)] <- NA
    d$x2[sample(n, 40)] <- NA
  }
  d$w <- runif(n) * 3
  d
}

# compare our fit `a` with rpart's `b`
expect_same_tree <- function(a, b, label, tol = 1e-10) {
  fa <- a$frame
  fb <- b$frame
  expect_identical(row.names(fa), row.names(fb), info = paste(label, "node numbers"))
  expect_identical(fa$var, as.character(fb$var), info = paste(label, "split variables"))
  expect_identical(fa$n, fb$n, info = paste(label, "n"))
  expect_equal(fa$wt, fb$wt, tolerance = tol, info = paste(label, "wt"))
  expect_equal(fa$dev, fb$dev, tolerance = tol, info = paste(label, "dev"))
  expect_equal(fa$yval, fb$yval, tolerance = tol, info = paste(label, "yval"))
  expect_equal(fa$complexity, fb$complexity, tolerance = tol, info = paste(label, "complexity"))
  expect_identical(fa$ncompete, fb$ncompete, info = paste(label, "ncompete"))
  expect_identical(fa$nsurrogate, fb$nsurrogate, info = paste(label, "nsurrogate"))
  expect_identical(rownames(a$splits), rownames(b$splits), info = paste(label, "split rows"))
  expect_equal(unname(a$splits[, -1L]), unname(b$splits), tolerance = tol,
               info = paste(label, "splits: count, ncat, improve, index, adj"))
  if (!is.null(b$csplit)) expect_identical(unname(a$csplit + 2L), unname(b$csplit), info = paste(label, "csplit"))
  expect_equal(unname(a$cptable), unname(b$cptable), tolerance = tol, info = paste(label, "cptable"))
  expect_equal(a$variable_importance, b$variable.importance, tolerance = tol,
               info = paste(label, "variable importance"))
  expect_identical(unname(a$where), unname(b$where), info = paste(label, "where"))
  if (b$method == "class") {
    expect_equal(unname(a$yprob), unname(b$frame$yval2[, 1L + nlevels(factor(attr(b, "ylevels"))) + seq_along(attr(b, "ylevels"))]),
                 tolerance = tol, info = paste(label, "yprob"))
  }
}

test_that("numeric inputs: same tree as rpart (anova, gini, information)", {
  skip_if_not_installed("rpart")
  sp <- spam[!spam$test, setdiff(names(spam), "test")]
  cases <- list(
    list("iris gini", Species ~ ., iris, list(), list()),
    list("mtcars anova", mpg ~ ., mtcars, list(min_split = 6), list(minsplit = 6)),
    list("spam gini cp=0.001", spam ~ ., sp, list(cp = 0.001), list(cp = 0.001)),
    list("spam gini cp=1e-4 (the benchmark)", spam ~ ., sp, list(cp = 1e-4), list(cp = 1e-4)),
    list("spam information", spam ~ ., sp, list(cp = 0.002, split = "information"),
         list(cp = 0.002, parms = list(split = "information"))),
    list("prostate anova", lpsa ~ ., prostate[prostate$train, 1:9], list(min_split = 5, cp = 0.001),
         list(minsplit = 5, cp = 0.001)),
    list("max_depth and min_bucket", spam ~ ., sp, list(cp = 0, max_depth = 4, min_bucket = 30),
         list(cp = 0, maxdepth = 4, minbucket = 30))
  )
  for (cs in cases) {
    a <- do.call(decision_tree, c(list(cs[[2]], cs[[3]], xval = 0, threads = 1), cs[[4]]))
    b <- do.call(rpart::rpart, c(list(cs[[2]], cs[[3]], xval = 0), cs[[5]]))
    expect_same_tree(a, b, cs[[1]])
  }
})

test_that("sparse inputs (the scans skip each input's block of minimum values): same as rpart", {
  skip_if_not_installed("rpart")
  # Inputs mostly at their minimum (zeros, and a block at -3), a dense one, a
  # constant one, and a first input that is itself sparse (its column keeps
  # rpart's order, the others' blocks are only counted). The skip applies to
  # two-class Gini with equal whole weights and default priors (split and
  # surrogate scans) and to any whole weights (surrogate scans only); the
  # other settings take the full scans. All must match rpart.
  set.seed(7)
  n <- 400
  sparse <- function(frac, min = 0) ifelse(runif(n) < frac, min, round(rexp(n), 2))
  d <- data.frame(s0 = sparse(0.7), s1 = sparse(0.8), s2 = sparse(0.6, min = -3), s3 = sparse(0.9),
                  dense = rnorm(n), const = 1)
  d$y <- factor(ifelse(d$s1 + 0.5 * (d$s2 > 0) + 0.3 * d$dense + rnorm(n, sd = 0.5) > 0.6, "b", "a"))
  d$y3 <- factor(cut(d$s1 + d$dense, c(-Inf, -0.3, 0.5, Inf), labels = c("lo", "mid", "hi")))
  d$w2 <- 2
  d$wi <- sample(1:3, n, TRUE)
  fml <- y ~ s0 + s1 + s2 + s3 + dense + const
  cases <- list(
    list("unit weights", list(), list()),
    list("min_split 2, cp 0", list(min_split = 2, min_bucket = 1, cp = 0), list(minsplit = 2, minbucket = 1, cp = 0)),
    list("large min_bucket", list(min_bucket = 10, cp = 0), list(minbucket = 10, cp = 0)),
    list("equal weights 2", list(weights = d$w2, cp = 0.001), list(weights = d$w2, cp = 0.001)),
    list("unequal whole weights", list(weights = d$wi, cp = 0.001), list(weights = d$wi, cp = 0.001)),
    list("priors", list(prior = c(0.3, 0.7), cp = 0.001), list(parms = list(prior = c(0.3, 0.7)), cp = 0.001)),
    list("information", list(split = "information", cp = 0.001), list(parms = list(split = "information"), cp = 0.001))
  )
  for (cs in cases) {
    a <- do.call(decision_tree, c(list(fml, d, xval = 0, threads = 1), cs[[2]]))
    b <- do.call(rpart::rpart, c(list(fml, d, xval = 0), cs[[3]]))
    expect_gt(nrow(b$frame), 8)
    expect_same_tree(a, b, paste("sparse inputs,", cs[[1]]))
  }
  a <- decision_tree(y3 ~ s0 + s1 + s2 + s3 + dense, d, cp = 0.001, xval = 0, threads = 1)
  b <- rpart::rpart(y3 ~ s0 + s1 + s2 + s3 + dense, d, cp = 0.001, xval = 0)
  expect_same_tree(a, b, "sparse inputs, three classes")
  # cross-validation: every fold's tree skips its own blocks
  fid <- sample(rep(1:5, length.out = n))
  a <- decision_tree(fml, d, cp = 0, xval = fid, threads = 2)
  b <- rpart::rpart(fml, d, cp = 0, xval = fid)
  expect_equal(unname(a$cptable), unname(b$cptable), tolerance = 1e-10, info = "sparse inputs, xval")
  a1 <- decision_tree(fml, d, cp = 0, min_split = 2, xval = 0, threads = 1)
  a2 <- decision_tree(fml, d, cp = 0, min_split = 2, xval = 0, threads = 2)
  expect_identical(a1$splits, a2$splits)
  expect_identical(a1$frame, a2$frame)
})

test_that("integer weights, with and without missing inputs (surrogate shortcuts): same as rpart", {
  skip_if_not_installed("rpart")
  sp <- spam[!spam$test, setdiff(names(spam), "test")]
  iw <- rep(c(1, 3, 2, 0, 5), length.out = nrow(sp))
  a <- decision_tree(spam ~ ., sp, weights = iw, cp = 0.001, xval = 0, threads = 1)
  b <- rpart::rpart(spam ~ ., sp, weights = iw, cp = 0.001, xval = 0)
  expect_same_tree(a, b, "spam integer weights")
  set.seed(9)
  sp$char_freq_exclamation[sample(nrow(sp), 300)] <- NA
  sp$word_freq_remove[sample(nrow(sp), 200)] <- NA
  a <- decision_tree(spam ~ ., sp, weights = iw, cp = 0.001, xval = 0, threads = 2)
  b <- rpart::rpart(spam ~ ., sp, weights = iw, cp = 0.001, xval = 0)
  expect_same_tree(a, b, "spam integer weights, some inputs missing")
  a <- decision_tree(spam ~ ., sp, cp = 0.001, xval = 0, threads = 1)
  b <- rpart::rpart(spam ~ ., sp, cp = 0.001, xval = 0)
  expect_same_tree(a, b, "spam unit weights, some inputs missing")
})

test_that("surrogate search with equal weights, lists with room for two: same as rpart", {
  skip_if_not_installed("rpart")
  # With equal whole weights the surrogate scans count observations (one
  # byte of direction each) rather than summing weights; large nodes run them
  # on two threads. rpart's list with room for two keeps only a newcomer that
  # beats its best (the old best is dropped), for competitors and surrogates
  # alike: matched too. The root sort of two-class Gini trees leaves ties in
  # any order (a radix sort): the trees must not change.
  sp <- spam[!spam$test, setdiff(names(spam), "test")]
  sp$lcrl <- log1p(sp$capital_run_length_total)
  fc <- spam ~ . - lcrl
  fr <- lcrl ~ . - spam - capital_run_length_total
  cases <- list(
    list("one surrogate, 2 threads", fc, list(cp = 0.002, max_surrogates = 1, threads = 2),
         list(cp = 0.002, maxsurrogate = 1)),
    list("two surrogates, style 1", fc, list(cp = 0.002, max_surrogates = 2, surrogate_style = 1, threads = 2),
         list(cp = 0.002, maxsurrogate = 2, surrogatestyle = 1)),
    list("one competitor, two surrogates", fc, list(cp = 0.002, max_competitors = 1, max_surrogates = 2, threads = 1),
         list(cp = 0.002, maxcompete = 1, maxsurrogate = 2)),
    list("weights all 3, three surrogates", fc, list(cp = 0.002, max_surrogates = 3, weights = rep(3, nrow(sp)), threads = 1),
         list(cp = 0.002, maxsurrogate = 3, weights = rep(3, nrow(sp)))),
    list("regression, one surrogate", fr, list(cp = 0.005, max_surrogates = 1, threads = 2),
         list(cp = 0.005, maxsurrogate = 1)),
    list("regression, style 1", fr, list(cp = 0.005, surrogate_style = 1, threads = 1),
         list(cp = 0.005, surrogatestyle = 1))
  )
  for (cs in cases) {
    a <- do.call(decision_tree, c(list(cs[[2]], sp, xval = 0), cs[[3]]))
    b <- do.call(rpart::rpart, c(list(cs[[2]], sp, xval = 0), cs[[4]]))
    expect_gt(sum(b$frame$nsurrogate), 10)
    expect_same_tree(a, b, paste("surrogates,", cs[[1]]))
  }
})

test_that("categorical inputs, missing values (surrogates) and weights: same as rpart", {
  skip_if_not_installed("rpart")
  d <- tree_data()
  dm <- tree_data(missing = TRUE)
  fo_y <- y ~ f + g + x1 + x2
  fo_3 <- c3 ~ f + g + x1 + x2
  fo_2 <- c2 ~ f + g + x1 + x2
  L <- matrix(c(0, 1, 4, 2, 0, 1, 1, 3, 0), 3)
  cases <- list(
    list("factor anova", fo_y, d, list(), list()),
    list("factor 2 classes", fo_2, d, list(), list()),
    list("factor 3 classes", fo_3, d, list(cp = 0.001), list(cp = 0.001)),
    list("NA anova", fo_y, dm, list(), list()),
    list("NA 3 classes", fo_3, dm, list(cp = 0.001), list(cp = 0.001)),
    list("NA surrogate_style 1", fo_3, dm, list(cp = 0.001, surrogate_style = 1),
         list(cp = 0.001, surrogatestyle = 1)),
    list("NA use_surrogate 1", fo_y, dm, list(use_surrogate = 1), list(usesurrogate = 1)),
    list("NA no surrogates", fo_y, dm, list(max_surrogates = 0), list(maxsurrogate = 0)),
    list("weights anova", fo_y, dm, list(weights = quote(w)), list(weights = quote(w))),
    list("weights class", fo_3, dm, list(weights = quote(w)), list(weights = quote(w))),
    list("loss", fo_3, dm, list(loss = L), list(parms = list(loss = L))),
    list("prior", fo_3, dm, list(prior = c(.5, .3, .2)), list(parms = list(prior = c(.5, .3, .2)))),
    list("prior+loss+information", fo_3, dm, list(prior = c(.5, .3, .2), loss = L, split = "information"),
         list(parms = list(prior = c(.5, .3, .2), loss = L, split = "information")))
  )
  for (cs in cases) {
    a <- do.call(decision_tree, c(list(cs[[2]], cs[[3]], xval = 0, threads = 1), cs[[4]]))
    b <- do.call(rpart::rpart, c(list(cs[[2]], cs[[3]], xval = 0), cs[[5]]))
    expect_same_tree(a, b, cs[[1]])
    type <- if (b$method == "class") "prob" else "response"
    expect_equal(unname(predict(a, cs[[3]], type = type)), unname(predict(b, cs[[3]])), tolerance = 1e-12,
                 info = paste(cs[[1]], "predict on data with NA"))
  }
})

test_that("zero weights, five classes with an eight-level factor, control settings: same as rpart", {
  skip_if_not_installed("rpart")
  d <- tree_data(missing = TRUE)
  set.seed(4)
  d$w0 <- d$w
  d$w0[sample(nrow(d), 40)] <- 0
  d$c5 <- cut(d$y + rnorm(nrow(d)), 5)
  d$h <- factor(sample(letters[1:8], nrow(d), TRUE))
  fid <- sample(rep(1:5, length.out = nrow(d)))
  cases <- list(
    list("zero weights + xval", c3 ~ f + g + x1 + x2, list(weights = quote(w0), xval = fid),
         list(weights = quote(w0), xval = fid)),
    list("5 classes, 8 levels", c5 ~ f + g + h + x1, list(cp = 0.001), list(cp = 0.001)),
    list("min_bucket only", c5 ~ f + g + h + x1, list(min_bucket = 12), list(minbucket = 12)),
    list("min_split only", y ~ f + g + h + x1, list(min_split = 50), list(minsplit = 50)),
    list("competitors/surrogates", y ~ f + g + h + x1, list(max_competitors = 0, max_surrogates = 1),
         list(maxcompete = 0, maxsurrogate = 1))
  )
  for (cs in cases) {
    a <- do.call(decision_tree, c(list(cs[[2]], d, threads = 1), if (is.null(cs[[3]]$xval)) list(xval = 0), cs[[3]]))
    b <- do.call(rpart::rpart, c(list(cs[[2]], d), if (is.null(cs[[4]]$xval)) list(xval = 0), cs[[4]]))
    expect_same_tree(a, b, cs[[1]])
  }
})

test_that("cross-validation with given folds gives rpart's xerror and xstd; 1 and 2 threads agree", {
  skip_if_not_installed("rpart")
  dm <- tree_data(missing = TRUE)
  set.seed(3)
  fid <- sample(rep(1:10, length.out = nrow(dm)))
  L <- matrix(c(0, 1, 4, 2, 0, 1, 1, 3, 0), 3)
  a <- decision_tree(y ~ f + g + x1 + x2, dm, xval = fid, threads = 1)
  b <- rpart::rpart(y ~ f + g + x1 + x2, dm, xval = fid)
  expect_same_tree(a, b, "xval anova")
  a3 <- decision_tree(c3 ~ f + g + x1 + x2, dm, xval = fid, loss = L, threads = 1)
  b3 <- rpart::rpart(c3 ~ f + g + x1 + x2, dm, xval = fid, parms = list(loss = L))
  expect_same_tree(a3, b3, "xval class with loss")
  a3b <- decision_tree(c3 ~ f + g + x1 + x2, dm, xval = fid, loss = L, threads = 2)
  expect_identical(a3b$cptable, a3$cptable, info = "threads 1 vs 2")
  sp <- spam[!spam$test, setdiff(names(spam), "test")]
  # the split search runs over variables in parallel at large nodes
  t1 <- decision_tree(spam ~ ., sp, cp = 0.001, xval = 0, threads = 1)
  t2 <- decision_tree(spam ~ ., sp, cp = 0.001, xval = 0, threads = 2)
  expect_identical(t1$frame, t2$frame)
  expect_identical(t1$splits, t2$splits)
  expect_identical(t1$cptable, t2$cptable)
  fid <- sample(rep(1:5, length.out = nrow(sp)))
  a <- decision_tree(spam ~ ., sp, cp = 0.002, xval = fid, threads = 2)
  b <- rpart::rpart(spam ~ ., sp, cp = 0.002, xval = fid)
  expect_equal(unname(a$cptable), unname(b$cptable), tolerance = 1e-10, info = "spam xval cptable")
  # seeded folds: reproducible, and the same as drawing them with set.seed()
  f1 <- decision_tree(y ~ f + x1, dm, xval = 5, seed = 11, threads = 1)
  f2 <- decision_tree(y ~ f + x1, dm, xval = 5, seed = 11, threads = 2)
  expect_identical(f1$cptable, f2$cptable)
  # (rows with every input missing are left out, as rpart does, before the draw)
  n2 <- sum(!(is.na(dm$f) & is.na(dm$x1)))
  expect_identical(f1$n, n2)
  set.seed(11)
  g <- sample(rep(1:5, length.out = n2), n2)
  b <- rpart::rpart(y ~ f + x1, dm, xval = g)
  expect_equal(unname(f1$cptable), unname(b$cptable), tolerance = 1e-10, info = "seeded folds")
})

test_that("prune_tree() follows rpart::prune()", {
  skip_if_not_installed("rpart")
  sp <- spam[!spam$test, setdiff(names(spam), "test")]
  a <- decision_tree(spam ~ ., sp, cp = 0.0005, xval = 0, threads = 1)
  b <- rpart::rpart(spam ~ ., sp, cp = 0.0005, xval = 0)
  te <- spam[spam$test, ]
  for (cp in c(0.001, 0.003, 0.01, 0.05, 0.3)) {
    pa <- prune_tree(a, cp)
    pb <- rpart::prune(b, cp = cp)
    expect_same_tree(pa, pb, sprintf("prune cp = %g", cp))
    expect_equal(unname(predict(pa, te, type = "prob")), unname(predict(pb, te)), tolerance = 1e-12,
                 info = sprintf("prune cp = %g predict", cp))
  }
  dm <- tree_data(missing = TRUE)
  a <- decision_tree(c3 ~ f + g + x1 + x2, dm, cp = 0, xval = 0, threads = 1)
  b <- rpart::rpart(c3 ~ f + g + x1 + x2, dm, cp = 0, xval = 0)
  expect_same_tree(prune_tree(a, 0.02), rpart::prune(b, cp = 0.02), "prune with factors and NA")
})

test_that("predict types, the one-SE rule and print", {
  skip_if_not_installed("rpart")
  a <- decision_tree(Species ~ ., iris, xval = 0, threads = 1)
  b <- rpart::rpart(Species ~ ., iris, xval = 0)
  expect_identical(predict(a, iris), unname(predict(b, iris, type = "class")))
  expect_identical(predict(a), unname(predict(b, type = "class")))
  expect_identical(predict(a, iris, type = "node"), as.integer(row.names(b$frame))[b$where])
  expect_equal(rowSums(predict(a, iris, type = "prob")), rep(1, 150), tolerance = 1e-12)
  # print: the same lines as rpart's (up to trailing blanks)
  pa <- trimws(capture.output(print(a)), "right")
  pb <- trimws(capture.output(print(b)), "right")
  expect_identical(pa, pb)
  r <- decision_tree(mpg ~ ., mtcars, min_split = 6, threads = 1, xval = 0)
  br <- rpart::rpart(mpg ~ ., mtcars, minsplit = 6, xval = 0)
  expect_identical(trimws(capture.output(print(r)), "right"), trimws(capture.output(print(br)), "right"))
  expect_error(predict(r, mtcars, type = "prob"), class = "statlearn_error_input")
  # one-SE rule by hand
  cv <- decision_tree(mpg ~ ., mtcars, min_split = 6, cp = 0, xval = 4, seed = 1, threads = 1)
  ch <- decision_tree_cp(cv)
  cpt <- cv$cptable
  i <- which.min(cpt[, "xerror"])
  j <- min(which(cpt[, "xerror"] <= cpt[i, "xerror"] + cpt[i, "xstd"]))
  expect_identical(unname(ch$row), j)
  expect_identical(unname(decision_tree_cp(cv, "min")$row), unname(i))
  pr <- prune_tree(cv, ch$cp)
  expect_identical(sum(pr$frame$var == "<leaf>"), as.integer(cpt[j, "nsplit"] + 1))
  summ <- capture.output(summary(cv))
  expect_true(any(grepl("Variable importance", summ)))
})

test_that("formula and x/y interfaces agree; matrix input; saveRDS round trip", {
  d <- tree_data(missing = TRUE)
  a <- decision_tree(c3 ~ f + g + x1 + x2, d, xval = 0, threads = 1)
  b <- decision_tree(d[c("f", "g", "x1", "x2")], d$c3, xval = 0, threads = 1)
  expect_identical(a$frame, b$frame)
  expect_identical(a$splits, b$splits)
  expect_identical(predict(a, d), predict(b, d[c("f", "g", "x1", "x2")]))
  m <- as.matrix(mtcars[-1])
  fm <- decision_tree(m, mtcars$mpg, min_split = 6, xval = 0, threads = 1)
  ff <- decision_tree(mpg ~ ., mtcars, min_split = 6, xval = 0, threads = 1)
  expect_identical(fm$frame, ff$frame)
  expect_identical(predict(fm, m), predict(ff, mtcars))
  rt <- round_trip(a)
  expect_identical(predict(rt, d, type = "prob"), predict(a, d, type = "prob"))
  expect_identical(rt$frame, a$frame)
})

test_that("plot draws the tree", {
  fit <- decision_tree(Species ~ ., iris, xval = 0, threads = 1)
  f <- tempfile(fileext = ".png")
  grDevices::png(f)
  on.exit(unlink(f))
  expect_silent(plot(fit, main = "iris"))
  grDevices::dev.off()
  expect_true(file.size(f) > 0)
})

test_that("bad input gets classed errors", {
  d <- tree_data()
  x <- d[c("f", "x1")]
  expect_statlearn_error(decision_tree(x, replace(d$y, 3, NA)), "statlearn_error_missing", "missing")
  expect_statlearn_error(decision_tree(x, d$y[-1]), "statlearn_error_length", "length")
  expect_statlearn_error(decision_tree(x, d$y, min_split = 0), "statlearn_error_range", "min_split")
  expect_statlearn_error(decision_tree(x, d$y, cp = -1), "statlearn_error_range", "cp")
  expect_statlearn_error(decision_tree(x[0, ], d$y[0]), "statlearn_error_empty")
  expect_statlearn_error(decision_tree(x, factor(rep("a", nrow(d)))), "statlearn_error_classes", "two classes")
  expect_statlearn_error(decision_tree(x, d$y, max_depth = 31), "statlearn_error_range", "max_depth")
  expect_statlearn_error(decision_tree(x, d$y, weights = -d$w), "statlearn_error_range", "weights")
  expect_statlearn_error(decision_tree(x, d$y, xval = 1:3), "statlearn_error_length", "xval")
  expect_statlearn_error(decision_tree(x, d$c3, prior = c(.5, .5)), "statlearn_error_input", "prior")
  expect_statlearn_error(decision_tree(x, d$c3, loss = diag(3)), "statlearn_error_range", "loss")
  x2 <- x
  x2$x1 <- NA_real_
  expect_statlearn_error(decision_tree(x2, d$y), "statlearn_error_missing", "all missing")
  big <- data.frame(h = factor(sample(paste0("l", 1:25), nrow(d), TRUE)))
  expect_statlearn_error(decision_tree(big, d$c3), "statlearn_error_levels", "max_levels")
  expect_no_error(decision_tree(big, d$c2, xval = 0))  # two classes: ordered search, no limit
  fit <- decision_tree(y ~ f + x1, d, xval = 0)
  nd <- d[1:3, ]
  nd$f <- factor(c("a", "b", "zz"))
  expect_statlearn_error(predict(fit, nd), "statlearn_error_levels", "zz")
  expect_statlearn_error(predict(fit, d[c("x1")]), "statlearn_error_input", "f")
  # constant response: a root-only tree
  k <- decision_tree(x, rep(1, nrow(d)), xval = 0)
  expect_identical(nrow(k$frame), 1L)
  expect_equal(predict(k, x), rep(1, nrow(d)))
})

test_that("formula: rows with a missing response are dropped, as rpart does", {
  skip_if_not_installed("rpart")
  d <- tree_data(missing = TRUE)
  d$y[c(3, 50, 51)] <- NA
  d$c3[c(7, 8)] <- NA
  a <- decision_tree(y ~ f + g + x1 + x2, d, xval = 0, threads = 1)
  b <- rpart::rpart(y ~ f + g + x1 + x2, d, xval = 0)
  expect_same_tree(a, b, "anova, missing responses")
  expect_identical(unname(unclass(a$na.action)), c(3L, 50L, 51L))
  a <- decision_tree(c3 ~ f + g + x1 + x2, d, weights = w, xval = 0, threads = 1)
  b <- rpart::rpart(c3 ~ f + g + x1 + x2, d, weights = w, xval = 0)
  expect_same_tree(a, b, "class, weights, missing responses")
  expect_equal(predict(a, d[1:20, ], type = "prob"), unname(predict(b, d[1:20, ])), tolerance = 1e-12,
               ignore_attr = TRUE)
  d$y <- NA_real_
  expect_statlearn_error(decision_tree(y ~ x1, d), "statlearn_error_missing", "response")
})
